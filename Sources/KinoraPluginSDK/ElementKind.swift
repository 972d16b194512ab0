import CKinoraPluginABI

/// What a plugin's GStreamer element does with video.
public enum ElementKind: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// Nothing in, video out: text-to-video.
    case source = 0
    /// One still image in, video out: image animation.
    case imageToVideo = 1
    /// Video in, video out: clip extension, style transfer.
    case videoToVideo = 2

    /// The spelling used on D-Bus, in JSON and in `--help` texts.
    public var description: String {
        switch self {
        case .source: "source"
        case .imageToVideo: "image-to-video"
        case .videoToVideo: "video-to-video"
        }
    }
}
