/// The flow-matching samplers a generation can use.
public enum FlowSamplerKind: String, Sendable, CaseIterable {
    case euler, heun
}

/// What to generate: one clip of latent frames, some of which may be given.
public struct VideoGenerationRequest: Sendable {
    public var prompt: String
    /// The prompt of the unconditional branch of classifier-free guidance.
    public var unconditionalPrompt = ""
    /// Frames in the clip (the model was trained on `DiTConfiguration.frames`).
    public var frames: Int
    public var steps = 8
    /// Guidance scale; 1 disables guidance (one model call per step instead of a batch of 2).
    /// A guidance-distilled model takes it as an input and always makes one call per step.
    public var guidanceScale: Float = 3
    /// Schedule shift toward high noise (`TimestepSchedule.shift`).
    public var shift: Float = 3
    public var seed: UInt64 = 0
    /// Clean latents `[C, h, w]` for frame indices that are given (image animation, extension).
    public var givenLatents: [Int: Tensor] = [:]
    /// SDEdit (style transfer): start latents `[F, C, h, w]` noised to time `strength` ∈ (0, 1]
    /// (x = (1 − s)·x₀ + s·ε), then only the schedule's times below s; nil for pure noise.
    public var initialLatents: Tensor?
    public var strength: Float = 1
    /// The ODE solver: Euler (one model call per step) or Heun (two, except the last step).
    public var sampler: FlowSamplerKind = .euler
    /// Text tokens the denoiser sees (the training code's `MAX_TOKENS`).
    public var maxTextTokens = 40
    /// A motion-channel denoiser's motion clock (`MotionClock`): its motion is finished when the
    /// clip's noise reaches this level; 0, one clock. Euler only; SDEdit keeps one clock.
    public var motionLead: Float = 0

    public init(prompt: String, frames: Int) {
        self.prompt = prompt
        self.frames = frames
    }

    /// A request with the model's defaults: its native clip length, sampler settings, text
    /// token count and null prompt.
    public init(prompt: String, model: VideoModelConfiguration) {
        self.prompt = prompt
        frames = model.native.frames
        steps = model.sampler.steps
        guidanceScale = model.sampler.guidance
        shift = model.sampler.shift
        motionLead = model.sampler.motionLead
        maxTextTokens = model.textEncoder.maxTokens
        unconditionalPrompt = model.textEncoder.nullPrompt
    }
}

/// Anything that turns prompts into a denoiser's text conditioning (the MiniLM encoder; a
/// stand-in in tests).
public protocol TextConditioner: Sendable {
    func conditioning(_ texts: [String], maxTokens: Int) throws -> TextConditioning
}

extension MiniLMTextEncoder: TextConditioner {}

/// Text → latent clip: encodes the prompt, samples with flow-matching Euler and classifier-free
/// guidance, keeps given frames clean at every step. Decoding to RGB is `VideoModel.decode`.
public struct VideoGenerator: Sendable {
    public let textEncoder: any TextConditioner
    public let model: VideoModel

    public init(textEncoder: any TextConditioner, model: VideoModel) {
        self.textEncoder = textEncoder
        self.model = model
    }

    /// Samples latents `[F, C, h, w]`. A denoiser with motion channels denoises them with the
    /// clip (state `[F, C + M, h, w]`); they are dropped here, before anything decodes.
    /// - Parameters:
    ///   - progress: after each step; return false to cancel (`EngineError.cancelled`).
    ///   - preview: optional, the current latents after each step.
    public func generateLatents(_ request: VideoGenerationRequest,
                                progress: (SamplingProgress) -> Bool = { _ in true },
                                preview: ((Int, Tensor) -> Void)? = nil) throws -> Tensor {
        let c = model.configuration.dit
        let op = "VideoGenerator"
        guard request.frames > 0, request.steps > 0, request.guidanceScale >= 0,
              request.strength > 0, request.strength <= 1, request.maxTextTokens >= 2 else {
            throw EngineError.invalidArgument(operation: op, detail: "frames \(request.frames), steps \(request.steps), guidance \(request.guidanceScale), strength \(request.strength)")
        }
        let frameShape = [c.latentChannels, c.latentSize, c.latentSize]
        let clipShape = [request.frames] + frameShape
        let stateLayout = StateLayout(latentChannels: c.latentChannels, motionChannels: c.motionChannels,
                                      pixels: c.latentSize * c.latentSize)
        let stateShape = [request.frames, c.stateChannels, c.latentSize, c.latentSize]
        for (index, latent) in request.givenLatents {
            guard index >= 0, index < request.frames, latent.shape == frameShape else {
                throw EngineError.shapeMismatch(operation: op, detail: "given frame \(index): \(latent.shape), expected \(frameShape) within \(request.frames) frames")
            }
        }
        if let problem = c.guidanceProblem(request.guidanceScale) {
            throw EngineError.invalidArgument(operation: op, detail: "guidance \(problem)")
        }
        if let problem = MotionClock.problem(lead: request.motionLead, motionChannels: c.motionChannels) {
            throw EngineError.invalidArgument(operation: op, detail: problem)
        }
        // SDEdit keeps one clock: the input clip's motion is unknown, and a still object's
        // motion, known early, would freeze it (sampling.py).
        let motionLead = request.initialLatents == nil || request.strength >= 1 ? request.motionLead : 0
        if motionLead > 0 && request.sampler != .euler {
            throw EngineError.invalidArgument(operation: op, detail: "sampler \(request.sampler.rawValue): a motion lead needs euler")
        }
        let nullPrompt = model.configuration.textEncoder.nullPrompt
        let plan = GuidancePlan(scale: request.guidanceScale, distilled: c.guidanceEmbedding,
                                negativeIsNullPrompt: request.unconditionalPrompt == nullPrompt)
        let prompts = plan.prompts(prompt: request.prompt, negative: request.unconditionalPrompt, nullPrompt: nullPrompt)
        let conditioning = try textEncoder.conditioning(prompts, maxTokens: request.maxTextTokens)
        let text = try model.denoiser.prepare(context: conditioning.states, mask: conditioning.mask, pooled: conditioning.pooled)
        // A low-noise expert takes the steps below its level, with the text projected by its own weights.
        let expert = try model.lowNoiseExpert.map {
            ($0, try $0.prepare(context: conditioning.states, mask: conditioning.mask, pooled: conditioning.pooled))
        }
        let expertBelow = model.configuration.lowNoiseExpert?.below ?? 0

        var schedule = try TimestepSchedule.flowMatching(steps: request.steps, shift: request.shift)
        var rng = PhiloxGenerator(seed: request.seed)
        let noise = try rng.normalTensor(shape: stateShape)
        var x = noise
        if let initial = request.initialLatents {
            guard initial.shape == clipShape else {
                throw EngineError.shapeMismatch(operation: op, detail: "initial latents \(initial.shape), expected \(clipShape)")
            }
            // SDEdit as Training/kinora_train/sampling.py: start at t = s (unshifted), keep the
            // schedule's times ≤ s, with s itself first.
            let s = request.strength
            schedule = schedule.filter { $0 <= s }
            if schedule.first.map({ $0 < s }) ?? true { schedule.insert(s, at: 0) }
            // The input clip's motion is unknown: it starts from a still object's, zero.
            x = try Combine.linear([(1 - s, stateLayout.padded(initial)), (s, noise)], operation: op)
        }
        let given = (0 ..< request.frames).map { request.givenLatents[$0] == nil ? Float(0) : 1 }
        // A given frame's latent channels are kept clean; its motion is generated like any other's.
        func imposeGiven(_ x: inout Tensor) {
            for (index, latent) in request.givenLatents {
                let start = index * stateLayout.frameSize
                x.storage.replaceSubrange(start ..< start + latent.count, with: latent.storage)
            }
        }
        imposeGiven(&x)

        let batch = prompts.count
        let guidanceInput = plan.guidanceInputs
        // Buffers shared by every step (a class box: the Denoiser closure cannot capture inout).
        let workspace = WorkspaceBox()
        let velocity: Denoiser = { sample, t in
            let input = try Tensor.stack([Tensor](repeating: sample, count: batch))
            let (denoiser, denoiserText) = if let expert, t < expertBelow { expert } else { (model.denoiser, text) }
            let v = try denoiser(input.reshaped([batch] + stateShape), given: [[Float]](repeating: given, count: batch),
                                 t: [Float](repeating: t, count: batch), guidance: guidanceInput, text: denoiserText,
                                 workspace: &workspace.value)
            return try plan.combine(v, clipShape: stateShape, operation: op)
        }
        var sampler: any Sampler = switch request.sampler {
        case .euler where motionLead > 0: try MotionClockEulerSampler(timesteps: schedule, lead: motionLead, layout: stateLayout)
        case .euler: try FlowMatchEulerSampler(timesteps: schedule)
        case .heun: try FlowMatchHeunSampler(timesteps: schedule)
        }
        for i in 0 ..< schedule.count {
            x = try sampler.step(x, index: i, model: velocity)
            imposeGiven(&x)
            if let preview { preview(i + 1, stateLayout.latents(x)) }
            guard progress(SamplingProgress(step: i + 1, totalSteps: schedule.count, timestep: schedule[i])) else {
                throw EngineError.cancelled
            }
        }
        return stateLayout.latents(x)
    }
}

/// Where a frame's latent and motion channels lie in the sampler's state `[F, C + M, h, w]`.
struct StateLayout {
    let latentChannels: Int, motionChannels: Int, pixels: Int
    var frameSize: Int { (latentChannels + motionChannels) * pixels }

    /// Latents `[F, C, h, w]` with zero motion channels appended to each frame.
    func padded(_ latents: Tensor) -> Tensor {
        guard motionChannels > 0 else { return latents }
        let latentSize = latentChannels * pixels
        let frames = latents.count / latentSize
        var out = [Float](repeating: 0, count: frames * frameSize)
        for f in 0 ..< frames {
            out.replaceSubrange(f * frameSize ..< f * frameSize + latentSize,
                                with: latents.storage[f * latentSize ..< (f + 1) * latentSize])
        }
        return Tensor(uncheckedShape: [frames, latentChannels + motionChannels] + latents.shape.dropFirst(2), storage: out)
    }

    /// The latent channels of a state: what decodes to pixels.
    func latents(_ state: Tensor) -> Tensor {
        guard motionChannels > 0 else { return state }
        let latentSize = latentChannels * pixels
        let frames = state.count / frameSize
        var out: [Float] = []
        out.reserveCapacity(frames * latentSize)
        for f in 0 ..< frames { out += state.storage[f * frameSize ..< f * frameSize + latentSize] }
        return Tensor(uncheckedShape: [frames, latentChannels] + state.shape.dropFirst(2), storage: out)
    }
}

/// Holds a `DiTWorkspace` for the steps of one generation (used from one thread at a time).
private final class WorkspaceBox {
    var value = DiTWorkspace()
}
