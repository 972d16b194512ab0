import KinoraGeneration
import KinoraPluginSDK

/// Text to video: a prompt becomes a stream, chunk after chunk, each chunk continuing the
/// last frames of the one before (masked-frame conditioning). Endless when the element has
/// no duration (a live stream); the prompt may change while it plays and takes effect at
/// the next chunk.
public struct TextToVideo: DiffusionStreamPlugin {
    public static let manifest = PluginManifest(
        id: "text-to-video", elementName: "kinoragensrc", humanName: "Kinora text to video",
        description: "Generates video from a text prompt with Kinora's diffusion model, chunk after chunk (the embedded model knows coloured shapes moving on plain backgrounds)",
        licence: "MIT", version: "0.1.0", kind: .source, frames: DiffusionPlugin.frames,
        preferredBlockFrames: DiffusionPlugin.blockFrames, parameters: GenerationParameters.common)

    public let video: GeneratedStream

    public init(video: GeneratedStream, stream: StreamInfo) {
        self.video = video
    }

    public mutating func produce(into block: FrameBlock, context: borrowing ProduceContext) throws(PluginError) {
        try video.fill(block, count: block.frameCount, context: context)
    }
}

@_cdecl("kinora_plugin_entry")
public func kinoraPluginEntry() -> UnsafeRawPointer { exportKinoraPlugin(TextToVideo.self) }
