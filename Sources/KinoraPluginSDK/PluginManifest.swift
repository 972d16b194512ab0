/// Frame sizes and rates a plugin can make.
public struct FrameLimits: Sendable, Equatable {
    /// Frame widths and heights the plugin can make, in pixels.
    public var widths: ClosedRange<UInt32>
    public var heights: ClosedRange<UInt32>
    /// The highest frame rate it offers (rates from 1 up to this).
    public var maxFramesPerSecond: UInt32
    /// What the element picks when downstream leaves the choice open.
    public var defaultWidth: UInt32
    public var defaultHeight: UInt32
    public var defaultFramesPerSecond: UInt32

    public init(
        widths: ClosedRange<UInt32>, heights: ClosedRange<UInt32>, maxFramesPerSecond: UInt32,
        defaultWidth: UInt32, defaultHeight: UInt32, defaultFramesPerSecond: UInt32
    ) {
        self.widths = widths
        self.heights = heights
        self.maxFramesPerSecond = maxFramesPerSecond
        self.defaultWidth = defaultWidth
        self.defaultHeight = defaultHeight
        self.defaultFramesPerSecond = defaultFramesPerSecond
    }
}

/// Everything the host, GStreamer and D-Bus clients learn about a plugin
/// before creating an instance of it.
public struct PluginManifest: Sendable, Equatable {
    /// Stable identifier, e.g. `"test-scene"`; what `kinora --plugin` takes.
    public var id: String
    /// The GStreamer element name, e.g. `"kinoratestscene"`.
    public var elementName: String
    /// A name for people, e.g. "Kinora test scene" (the element's long name).
    public var humanName: String
    /// One sentence: what the plugin does, and what it is not.
    public var description: String
    /// SPDX licence identifier of the plugin (and of any weights it ships).
    public var licence: String
    /// The plugin's own version.
    public var version: String
    /// Source, image-to-video or video-to-video.
    public var kind: ElementKind
    /// Sizes and rates the plugin can make.
    public var frames: FrameLimits
    /// Frames one `produce` call makes best: a diffusion chunk, or 1.
    public var preferredBlockFrames: UInt32
    /// The parameter schema: the one declaration of every parameter.
    public var parameters: [ParameterSpec]

    public init(
        id: String, elementName: String, humanName: String, description: String,
        licence: String, version: String, kind: ElementKind, frames: FrameLimits,
        preferredBlockFrames: UInt32 = 1, parameters: [ParameterSpec]
    ) {
        self.id = id
        self.elementName = elementName
        self.humanName = humanName
        self.description = description
        self.licence = licence
        self.version = version
        self.kind = kind
        self.frames = frames
        self.preferredBlockFrames = preferredBlockFrames
        self.parameters = parameters
    }
}
