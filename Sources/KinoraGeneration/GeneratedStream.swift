import KinoraEngine
import KinoraPluginSDK

/// Frames at the negotiated size and rate from a `ChunkedGenerator`: what the text-to-video,
/// image-animation and clip-extension plugins hand the host, block by block.
///
/// Time: output frame i shows model frame ⌊i · native fps / stream fps⌋ — at another rate
/// than the model's own (8 fps for kinora-shapes-v1) frames are repeated or dropped, the
/// nearest earlier model frame, never interpolated motion. Space: `FrameScaler`. Decoded
/// frames wait in a queue only until shown: memory does not grow with the stream's length.
public final class GeneratedStream {
    public let generator: ChunkedGenerator
    public let width: Int
    public let height: Int
    private let framesPerSecond: Double
    private var queue: [RGBFrame] = []
    /// The model frame index of `queue[0]`.
    private var queueStart = 0
    /// Frames handed out so far.
    public private(set) var emitted = 0
    /// Image animation: the still's latent, given as frame 0 of the first chunk…
    public var firstFrameLatent: Tensor?
    /// …and its original pixels, shown as frame 0 exactly (no scaling, no watermark).
    public var firstFramePixels: RGBFrame?
    private var checkedPrompts: Set<String> = []

    public init(generator: ChunkedGenerator, stream: StreamInfo) {
        self.generator = generator
        width = stream.width
        height = stream.height
        framesPerSecond = Double(stream.framesPerSecondNumerator) / Double(max(1, stream.framesPerSecondDenominator))
    }

    /// The model frame output frame `index` shows.
    func modelFrame(forOutput index: Int) -> Int {
        let native = Double(generator.loaded.configuration.native.fps)
        return Int((Double(index) * native / framesPerSecond + 1e-9).rounded(.down))
    }

    /// Fills frames `0 ..< count` of `block`. Progress moves with every denoising step, not
    /// only with every frame: a chunk's steps are most of a block's time.
    public func fill(_ block: FrameBlock, count: Int, context: borrowing ProduceContext) throws(PluginError) {
        var reported = 0.0
        for index in 0 ..< count {
            let outputIndex = emitted
            if outputIndex == 0, let still = firstFramePixels {
                still.write(into: block.frame(index), stride: block.stride)
            } else {
                let model = modelFrame(forOutput: outputIndex)
                while queueStart + queue.count <= model {
                    // The frames of this block the chunk will give, spread over its steps.
                    let native = Double(generator.loaded.configuration.native.fps)
                    let span = min(Double(count - index), Double(generator.newFramesPerChunk) * framesPerSecond / native)
                    try makeChunk(context: context) { done in
                        let fraction = (Double(index) + done * max(0, span - 1)) / Double(count)
                        guard fraction > reported else { return }
                        reported = fraction
                        context.reportProgress(fraction)
                    }
                }
                if model > queueStart {  // frames before this one are never shown again
                    queue.removeFirst(model - queueStart)
                    queueStart = model
                }
                var frame = FrameScaler.scaled(queue[0], width: width, height: height)
                if generator.settings.watermark { Watermark.draw(on: &frame) }
                frame.write(into: block.frame(index), stride: block.stride)
            }
            emitted += 1
            let fraction = Double(index + 1) / Double(count)
            if fraction > reported {
                reported = fraction
                context.reportProgress(fraction)
            }
        }
    }

    /// Makes the next chunk; `onStep` hears the fraction of its denoising steps done.
    private func makeChunk(context: borrowing ProduceContext, onStep: (Double) -> Void = { _ in }) throws(PluginError) {
        let prompt = generator.promptForNextChunk()
        warnIfOutsideWorld(prompt, context: context)
        let first = generator.framesMade
        let given = generator.chunkIndex == 0 ? firstFrameLatent : nil
        let latents: Tensor
        do {
            latents = try generator.nextChunk(firstFrame: given, isCancelled: { context.isCancelled }, onStep: onStep)
        } catch {
            throw Self.pluginError(error)
        }
        let decoded: Tensor
        do {
            decoded = try generator.loaded.model.decode(latents: latents)
        } catch {
            throw .failed("decoding chunk \(generator.chunkIndex - 1) failed: \(error)")
        }
        queue += RGBFrame.frames(fromDecoded: decoded)
        context.log(.info, "chunk \(generator.chunkIndex - 1): model frames \(first)..<\(generator.framesMade), seed \(generator.settings.seed &+ UInt64(generator.chunkIndex - 1)), prompt \"\(prompt)\"")
    }

    /// Logs a warning (a bus warning through the bridge) the first time a prompt far outside the model's world is used.
    public func warnIfOutsideWorld(_ prompt: String, context: borrowing ProduceContext) {
        guard checkedPrompts.insert(prompt).inserted else { return }
        if let warning = generator.loaded.world.warning(for: prompt, modelName: generator.loaded.name) {
            context.log(.warning, warning)
        }
    }

    public static func pluginError(_ error: GenerationError) -> PluginError {
        switch error {
        case .cancelled: .cancelled
        case .invalidParameter: .invalidArgument(error.description)
        default: .failed(error.description)
        }
    }
}
