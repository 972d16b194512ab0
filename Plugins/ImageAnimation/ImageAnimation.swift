import KinoraGeneration
import KinoraPluginSDK

/// Image animation: a still comes to life. The still's latent is the given frame 0 of the
/// first chunk, and the still's own pixels are output frame 0, exactly (unscaled, without
/// the watermark: it is the user's picture, not a generated one); the prompt drives the
/// motion, and later chunks continue like text-to-video.
public struct ImageAnimation: DiffusionStreamPlugin {
    public static let manifest = PluginManifest(
        id: "image-animation", elementName: "kinoraanimate", humanName: "Kinora image animation",
        description: "Animates a still image under a text prompt with Kinora's diffusion model; the image is frame 0, exactly",
        licence: "MIT", version: "0.1.0", kind: .imageToVideo, frames: DiffusionPlugin.frames,
        preferredBlockFrames: DiffusionPlugin.blockFrames, parameters: GenerationParameters.common)

    public let video: GeneratedStream

    public init(video: GeneratedStream, stream: StreamInfo) {
        self.video = video
    }

    public mutating func produce(into block: FrameBlock, context: borrowing ProduceContext) throws(PluginError) {
        if video.firstFramePixels == nil {
            guard let image = block.inputFrame(0) else { throw .invalidArgument("image-animation needs the still image as input") }
            let still = RGBFrame(copying: image, width: block.width, height: block.height, stride: block.stride)
            let latents = try DiffusionPlugin.encode([still], with: video.generator)
            do {
                video.firstFrameLatent = try latents.slice(first: 0)
            } catch {
                throw .failed("encoding the image failed: \(error)")
            }
            video.firstFramePixels = still
        }
        try video.fill(block, count: block.frameCount, context: context)
    }
}

@_cdecl("kinora_plugin_entry")
public func kinoraPluginEntry() -> UnsafeRawPointer { exportKinoraPlugin(ImageAnimation.self) }
