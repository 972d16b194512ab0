import KinoraEngine

/// A stream of latent chunks from one model: masked-frame conditioning, chunk after chunk.
///
/// Every chunk is the model's native clip (16 frames for kinora-shapes-v1). From the second
/// chunk on, its first `overlap` frames are given: the last latents of the chunk before (kept
/// as latents, never re-encoded from decoded pixels), so the new frames continue them without
/// a seam. Only the new frames are returned, and only `overlap` latents are kept between
/// chunks: memory does not grow with the stream's length. Chunk n uses seed `seed + n`, so a
/// stream is reproducible from its seed.
///
/// One instance per stream, used from one thread at a time (the plugin's `produce`).
public final class ChunkedGenerator {
    public let loaded: LoadedModel
    public var settings: GenerationSettings
    /// Chunks made so far.
    public private(set) var chunkIndex = 0
    /// Latent frames made so far (the model's frame clock, at its native rate).
    public private(set) var framesMade = 0
    /// The prompt the last chunk was generated under.
    public private(set) var lastPrompt: String?
    private var carried: [Tensor] = []

    public init(loaded: LoadedModel, settings: GenerationSettings) throws(GenerationError) {
        self.loaded = loaded
        self.settings = settings
        let frames = loaded.configuration.native.frames
        guard overlap < frames else {
            throw .invalidParameter(name: GenerationParameters.chunkOverlap.name, reason: "\(overlap) must be below the model's \(frames)-frame chunk")
        }
        guard settings.firstChunk <= frames else {
            throw .invalidParameter(
                name: GenerationParameters.firstChunk.name,
                reason: "\(settings.firstChunk) must be 0 (the whole chunk) or 1 to the model's \(frames)-frame chunk")
        }
        if settings.guidance > 0, let problem = loaded.configuration.dit.guidanceProblem(Float(settings.guidance)) {
            throw .invalidParameter(
                name: GenerationParameters.guidance.name,
                reason: "\(problem) (0: the model's default, \(loaded.configuration.sampler.guidance))")
        }
    }

    public var clipFrames: Int { loaded.configuration.native.frames }
    public var overlap: Int { settings.chunkOverlap > 0 ? settings.chunkOverlap : loaded.configuration.overlapFrames }
    /// New frames the next chunk makes: the rest of a chunk after the frames it continues, or
    /// `first-chunk` frames for a first chunk made from nothing.
    public var newFramesPerChunk: Int {
        if isShortFirstChunk { return min(settings.firstChunk, clipFrames) }
        return clipFrames - carried.count
    }

    private var isShortFirstChunk: Bool { chunkIndex == 0 && carried.isEmpty && settings.firstChunk > 0 }

    /// Starts a continuation from given latents `[n, C, h, w]` (clip extension: the input's
    /// last frames); the next chunk then has them as its first frames.
    public func continueFrom(latents: Tensor) throws(GenerationError) {
        let n = latents.shape.first ?? 0
        carried = try engine { try (max(0, n - overlap) ..< n).map { try latents.slice(first: $0) } }
    }

    /// The prompt the next chunk is made under: the schedule's entry for its start time if
    /// there is one, else the current prompt.
    public func promptForNextChunk() -> String {
        let seconds = Double(framesMade) / Double(loaded.configuration.native.fps)
        return settings.schedule.prompt(at: seconds) ?? settings.prompt
    }

    /// Makes the next chunk and returns its new latent frames `[n, C, h, w]`.
    /// - Parameters:
    ///   - firstFrame: a given latent for the chunk's frame 0 (image animation's still).
    ///   - sdedit: the latents of the input frames to restyle `[m, C, h, w]`, m ≤ `newFramesPerChunk`
    ///     (style transfer); the chunk returns m frames.
    ///   - isCancelled: polled after every denoising step.
    ///   - onStep: told the fraction of the chunk's denoising steps done, after each.
    public func nextChunk(
        firstFrame: Tensor? = nil, sdedit: Tensor? = nil, isCancelled: () -> Bool, onStep: (Double) -> Void = { _ in }
    ) throws(GenerationError) -> Tensor {
        let configuration = loaded.configuration
        let prompt = promptForNextChunk()
        var request = VideoGenerationRequest(prompt: prompt, model: configuration)
        if !settings.negativePrompt.isEmpty { request.unconditionalPrompt = settings.negativePrompt }
        if settings.steps > 0 { request.steps = settings.steps }
        if settings.guidance > 0 { request.guidanceScale = Float(settings.guidance) }
        request.seed = settings.seed &+ UInt64(chunkIndex)
        let given = carried.count
        // A short first chunk (`first-chunk`) when nothing comes before it: the first frames
        // sooner; the next chunk continues its last `overlap` frames as usual.
        if isShortFirstChunk && sdedit == nil { request.frames = newFramesPerChunk }
        for (index, latent) in carried.enumerated() { request.givenLatents[index] = latent }
        if given == 0, let firstFrame { request.givenLatents[0] = firstFrame }
        var wanted = request.frames - given
        if let sdedit {
            wanted = min(wanted, sdedit.shape.first ?? 0)
            request.strength = Float(settings.strength)
            request.initialLatents = try engine { try Self.sdeditStart(carried: carried, input: sdedit, clipFrames: clipFrames) }
        }
        let latents = try engine {
            try loaded.generator.generateLatents(request, progress: { step in
                onStep(Double(step.step) / Double(max(1, step.totalSteps)))
                return !isCancelled()
            })
        }
        let made = try engine { try latents.slice(first: given ..< given + wanted) }
        // The frames the next chunk continues from: the last `overlap` frames actually kept.
        let kept = try engine { try latents.slice(first: 0 ..< given + wanted) }
        try continueFrom(latents: kept)
        chunkIndex += 1
        framesMade += wanted
        lastPrompt = prompt
        return made
    }

    /// SDEdit's start: the carried frames (overwritten as given anyway), then the input frames,
    /// the last one repeated to fill a short final chunk (the extra frames are dropped).
    static func sdeditStart(carried: [Tensor], input: Tensor, clipFrames: Int) throws -> Tensor {
        let count = input.shape[0]
        var frames = carried
        for index in 0 ..< clipFrames - carried.count {
            frames.append(try input.slice(first: min(index, count - 1)))
        }
        return try Tensor.stack(frames)
    }

    private func engine<T>(_ body: () throws -> T) throws(GenerationError) -> T {
        do {
            return try body()
        } catch EngineError.cancelled {
            throw .cancelled
        } catch let error as GenerationError {
            throw error
        } catch {
            throw .engine("\(error)")
        }
    }
}
