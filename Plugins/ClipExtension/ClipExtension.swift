import KinoraGeneration
import KinoraPluginSDK

/// Clip extension: the input clip passes through unchanged, then the clip continues for the
/// element's `duration`. The continuation's first chunk is given the input's last
/// `chunk-overlap` frames (encoded once, at the end of the input), so it starts where the
/// clip ends, with no seam; a `prompt` set on the element steers it.
public struct ClipExtension: DiffusionStreamPlugin {
    public static let manifest = PluginManifest(
        id: "clip-extension", elementName: "kinoraextend", humanName: "Kinora clip extension",
        description: "Passes a video through unchanged, then continues it for 'duration' seconds with Kinora's diffusion model, optionally under a new prompt",
        licence: "MIT", version: "0.1.0", kind: .videoToVideo, frames: DiffusionPlugin.frames,
        preferredBlockFrames: DiffusionPlugin.blockFrames, parameters: GenerationParameters.common)

    public let video: GeneratedStream
    /// Frames to add after the input (the element's duration at the stream's rate).
    private let framesToAdd: Int
    /// The input's last frames, kept to be given to the continuation.
    private var lastInputFrames: [RGBFrame] = []
    private var continuing = false

    public init(video: GeneratedStream, stream: StreamInfo) {
        self.video = video
        framesToAdd = Int(stream.totalFrames ?? 0)
    }

    public mutating func produce(into block: FrameBlock, context: borrowing ProduceContext) throws(PluginError) {
        if !block.isEndOfInput {
            passThrough(block)
            return
        }
        if !continuing {
            continuing = true
            if framesToAdd > 0 && !lastInputFrames.isEmpty {
                let latents = try DiffusionPlugin.encode(lastInputFrames, with: video.generator)
                do { try video.generator.continueFrom(latents: latents) } catch { throw GeneratedStream.pluginError(error) }
            }
        }
        let count = min(block.frameCount, max(0, framesToAdd - video.emitted))
        if count > 0 { try video.fill(block, count: count, context: context) }
        block.finish(frameCount: count)
    }

    /// Copies every input frame to its output unchanged and keeps the last few.
    private mutating func passThrough(_ block: FrameBlock) {
        let overlap = video.generator.overlap
        for index in 0 ..< min(block.frameCount, block.inputCount) {
            guard let input = block.inputFrame(index) else { continue }
            let output = block.frame(index)
            for byte in 0 ..< min(input.count, output.count) { output[byte] = input[byte] }
            if block.frameCount - index <= overlap {
                lastInputFrames.append(RGBFrame(copying: input, width: block.width, height: block.height, stride: block.stride))
            }
        }
        if lastInputFrames.count > overlap { lastInputFrames.removeFirst(lastInputFrames.count - overlap) }
    }
}

@_cdecl("kinora_plugin_entry")
public func kinoraPluginEntry() -> UnsafeRawPointer { exportKinoraPlugin(ClipExtension.self) }
