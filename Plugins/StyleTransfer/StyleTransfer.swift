import KinoraGeneration
import KinoraPluginSDK

/// Style transfer: each incoming chunk is encoded, noised to `strength` and denoised under
/// the style prompt (SDEdit), with the previous chunk's last restyled latents given as its
/// first frames so the style and the content flow across chunk borders. One output frame
/// per input frame, with the input's timestamps.
public struct StyleTransfer: DiffusionStreamPlugin {
    public static let manifest = PluginManifest(
        id: "style-transfer", elementName: "kinorastyle", humanName: "Kinora style transfer",
        description: "Restyles a video under a style prompt with Kinora's diffusion model (SDEdit at 'strength'), chunk by chunk with temporal context",
        licence: "MIT", version: "0.1.0", kind: .videoToVideo, frames: DiffusionPlugin.frames,
        preferredBlockFrames: DiffusionPlugin.blockFrames,
        parameters: GenerationParameters.common + [GenerationParameters.strength])

    /// Used for its generator and its out-of-world prompt warnings (frames are made here).
    public let video: GeneratedStream
    private var generator: ChunkedGenerator { video.generator }

    public init(video: GeneratedStream, stream: StreamInfo) {
        self.video = video
    }

    public mutating func produce(into block: FrameBlock, context: borrowing ProduceContext) throws(PluginError) {
        if block.isEndOfInput {  // a filter adds nothing after its input
            block.finish(frameCount: 0)
            return
        }
        var next = 0
        let count = min(block.frameCount, block.inputCount)
        while next < count {
            let piece = min(count - next, generator.newFramesPerChunk)
            var inputs: [RGBFrame] = []
            for index in next ..< next + piece {
                guard let input = block.inputFrame(index) else { throw .invalidArgument("style-transfer is missing input frame \(index)") }
                inputs.append(RGBFrame(copying: input, width: block.width, height: block.height, stride: block.stride))
            }
            let prompt = generator.promptForNextChunk()
            video.warnIfOutsideWorld(prompt, context: context)
            let latents = try DiffusionPlugin.encode(inputs, with: generator)
            let restyled: [RGBFrame]
            do {
                let made = try generator.nextChunk(sdedit: latents, isCancelled: { context.isCancelled })
                restyled = RGBFrame.frames(fromDecoded: try generator.loaded.model.decode(latents: made))
            } catch let error as GenerationError {
                throw GeneratedStream.pluginError(error)
            } catch {
                throw .failed("decoding restyled frames failed: \(error)")
            }
            for (offset, frame) in restyled.enumerated() {
                var output = FrameScaler.scaled(frame, width: block.width, height: block.height)
                if generator.settings.watermark { Watermark.draw(on: &output) }
                output.write(into: block.frame(next + offset), stride: block.stride)
            }
            context.log(.info, "chunk \(generator.chunkIndex - 1): restyled frames \(block.firstFrame + UInt64(next))..<\(block.firstFrame + UInt64(next + piece)) at strength \(generator.settings.strength), prompt \"\(prompt)\"")
            next += piece
            context.reportProgress(Double(next) / Double(count))
        }
    }
}

@_cdecl("kinora_plugin_entry")
public func kinoraPluginEntry() -> UnsafeRawPointer { exportKinoraPlugin(StyleTransfer.self) }
