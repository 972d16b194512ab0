import KinoraPluginSDK

/// The parameters the four diffusion plugins share, declared once: each plugin's schema lists
/// the ones it uses, and `GenerationSettings` reads them back.
public enum GenerationParameters {
    public static let negativePrompt = ParameterSpec(
        name: "negative-prompt", nick: "Negative prompt",
        description: "What the video should not show: the prompt of guidance's unconditional branch (empty: the model's null prompt); with a guidance-distilled model it costs two more denoiser calls a step",
        type: .string(default: "", maxLength: 1024))
    public static let seed = ParameterSpec(
        name: "seed", nick: "Seed",
        description: "Seed of the noise: the same seed, prompt and settings give the same video",
        type: .int(minimum: 0, maximum: 2_147_483_647, default: 0))
    public static let steps = ParameterSpec(
        name: "steps", nick: "Steps",
        description: "Denoising steps per chunk; more is slower and usually cleaner (0: the model's default, 8 for kinora-shapes-v1)",
        type: .int(minimum: 0, maximum: 200, default: 0))
    public static let guidance = ParameterSpec(
        name: "guidance", nick: "Guidance",
        description: "Classifier-free guidance scale: how strongly the prompt is followed (0: the model's default, 7 for kinora-shapes-v1). A guidance-distilled model (kinora-shapes-v1) takes it as an input at no extra cost and accepts the range it was trained on (1-10); with another model, 1 turns guidance off and halves the work",
        type: .double(minimum: 0, maximum: 30, default: 0))
    public static let model = ParameterSpec(
        name: "model", nick: "Model",
        description: "Model name looked up in the model search path (KINORA_MODEL_PATH, <prefix>/share/kinora/models), or a model folder",
        type: .string(default: ModelLocator.defaultModelName, maxLength: 4096))
    public static let chunkOverlap = ParameterSpec(
        name: "chunk-overlap", nick: "Chunk overlap",
        description: "Frames of each chunk given to the next as its start, for continuity across chunks (0: the model's default, 4 for kinora-shapes-v1)",
        type: .int(minimum: 0, maximum: 12, default: 0))
    public static let firstChunk = ParameterSpec(
        name: "first-chunk", nick: "First chunk",
        description: "Frames of the first chunk when nothing is given before it (0: the model's whole chunk, 16 for kinora-shapes-v1); 4 makes the first frame come about four times sooner, for live streams, the rest continuing it chunk by chunk",
        type: .int(minimum: 0, maximum: 64, default: 0))
    public static let promptSchedule = ParameterSpec(
        name: PromptSchedule.parameterName, nick: "Prompt schedule",
        description: "Time-coded prompts for a multi-shot video, 'SECONDS=PROMPT; SECONDS=PROMPT' (e.g. '0=a red circle moving left; 4=a blue square moving up'); each takes over at the first chunk starting at or after its time",
        type: .string(default: "", maxLength: 8192))
    public static let watermark = ParameterSpec(
        name: "watermark", nick: "Watermark",
        description: "Draw a small 'AI' mark in the bottom-right corner so the video is recognisable as generated",
        type: .bool(default: true))
    public static let strength = ParameterSpec(
        name: "strength", nick: "Strength",
        description: "How far each chunk is noised before it is denoised under the style prompt (SDEdit): 0.1 keeps nearly everything, 1 keeps nothing of the input",
        type: .double(minimum: 0.05, maximum: 1, default: 0.6), mutableWhilePlaying: true)

    /// Every plugin's common parameters.
    public static let common = [negativePrompt, seed, steps, guidance, model, chunkOverlap, firstChunk, promptSchedule, watermark]
}

/// The common parameters' values, checked against the model once it is loaded.
public struct GenerationSettings: Sendable, Equatable {
    public var prompt: String
    public var negativePrompt: String
    public var seed: UInt64
    /// 0: the model's default.
    public var steps: Int
    /// 0: the model's default.
    public var guidance: Double
    public var model: String
    /// 0: the model's default.
    public var chunkOverlap: Int
    /// Frames of a first chunk made from nothing (0: the model's chunk).
    public var firstChunk: Int
    public var schedule: PromptSchedule
    public var watermark: Bool
    public var strength: Double

    public init(prompt: String, parameters: ParameterValues) throws(GenerationError) {
        self.prompt = prompt
        negativePrompt = parameters.string(GenerationParameters.negativePrompt.name)
        seed = UInt64(max(0, parameters.int(GenerationParameters.seed.name)))
        steps = Int(parameters.int(GenerationParameters.steps.name))
        guidance = parameters.double(GenerationParameters.guidance.name)
        model = parameters.string(GenerationParameters.model.name, default: ModelLocator.defaultModelName)
        chunkOverlap = Int(parameters.int(GenerationParameters.chunkOverlap.name))
        firstChunk = Int(parameters.int(GenerationParameters.firstChunk.name))
        schedule = try PromptSchedule(parsing: parameters.string(GenerationParameters.promptSchedule.name))
        watermark = parameters.bool(GenerationParameters.watermark.name, default: true)
        strength = parameters.double(GenerationParameters.strength.name, default: 0.6)
    }
}
