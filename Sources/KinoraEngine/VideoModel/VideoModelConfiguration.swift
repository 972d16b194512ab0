import Foundation

/// The denoiser's hyper-parameters (`DiTConfig` in Training/kinora_train/model.py; JSON keys
/// are its field names, missing keys take the same defaults).
public struct DiTConfiguration: Sendable, Decodable, Equatable {
    public var latentChannels = 8
    public var latentSize = 8
    public var frames = 16
    public var patch = 2
    public var width = 256
    public var depth = 8
    public var heads = 4
    public var mlpRatio = 4
    public var textDim = 384
    public var timeFrequencyDim = 256
    /// LayerNorm ε (`layer_norm_eps` in config.json; model.py uses 1e-6).
    public var layerNormEpsilon: Float = 1e-6
    /// A guidance-distilled denoiser: it takes the guidance scale as an input (embedded as
    /// `sincos(100·g)` through its own MLP, added to the timestep's embedding) and gives in one
    /// call what classifier-free guidance gives with two.
    public var guidanceEmbedding = false
    /// The guidance scales a guidance-distilled model was trained on (`guidance_range`,
    /// required with `guidance_embed`); scales outside it are refused, not extrapolated.
    public var guidanceRange: ClosedRange<Float>?
    /// Rotary positions in self-attention (`rotary`), or nil for a denoiser with the fixed
    /// sinusoidal positions alone.
    public var rotary: RotaryPositions?
    /// Channels a frame of motion the denoiser generates with the clip (`motion_channels`, 0 for
    /// none): its state is the latent and then these, dropped before decoding; given frames
    /// keep only their latent channels clean.
    public var motionChannels = 0
    /// A refiner over one token per latent pixel (`refiner`), or nil for the trunk alone.
    public var refiner: Refiner?

    /// Channels a frame of what the sampler denoises: the latent's and the motion's.
    public var stateChannels: Int { latentChannels + motionChannels }

    /// How a rotary denoiser turns each head's queries and keys (model.py `rotary_axes`).
    public struct RotaryPositions: Sendable, Decodable, Equatable {
        /// Rotated feature pairs per axis: frame, row, column (2·Σ at most the head's width).
        public var pairs: [Int]
        /// Per axis: pair k of n turns `base^(−k/n)` radians per frame, row or column.
        public var base: [Float]
        /// The axes' names, if given: must be frame, row, column.
        public var axes: [String]?

        public init(pairs: [Int], base: [Float]) {
            self.pairs = pairs
            self.base = base
        }
    }

    /// The refiner's size (model.py `RefinerBlock`; Training/README.md item 16): `depth`
    /// blocks of `width` features and `heads` heads over one token per latent pixel, attending
    /// within a frame, that add a correction to the trunk's velocity.
    public struct Refiner: Sendable, Decodable, Equatable {
        public var width: Int
        public var depth: Int
        public var heads: Int
        /// Where its tokens attend: "frame", the only kind there is.
        public var attention: String

        public init(width: Int, depth: Int, heads: Int, attention: String = "frame") {
            self.width = width
            self.depth = depth
            self.heads = heads
            self.attention = attention
        }
    }

    enum CodingKeys: String, CodingKey {
        case latentChannels = "latent_channels", latentSize = "latent_size", frames, patch, width, depth, heads
        case mlpRatio = "mlp_ratio", textDim = "text_dim", timeFrequencyDim = "time_freq_dim"
        case guidanceEmbedding = "guidance_embed", guidanceRange = "guidance_range", rotary
        case motionChannels = "motion_channels", refiner
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DiTConfiguration()
        latentChannels = try c.decodeIfPresent(Int.self, forKey: .latentChannels) ?? d.latentChannels
        latentSize = try c.decodeIfPresent(Int.self, forKey: .latentSize) ?? d.latentSize
        frames = try c.decodeIfPresent(Int.self, forKey: .frames) ?? d.frames
        patch = try c.decodeIfPresent(Int.self, forKey: .patch) ?? d.patch
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? d.width
        depth = try c.decodeIfPresent(Int.self, forKey: .depth) ?? d.depth
        heads = try c.decodeIfPresent(Int.self, forKey: .heads) ?? d.heads
        mlpRatio = try c.decodeIfPresent(Int.self, forKey: .mlpRatio) ?? d.mlpRatio
        textDim = try c.decodeIfPresent(Int.self, forKey: .textDim) ?? d.textDim
        timeFrequencyDim = try c.decodeIfPresent(Int.self, forKey: .timeFrequencyDim) ?? d.timeFrequencyDim
        guidanceEmbedding = try c.decodeIfPresent(Bool.self, forKey: .guidanceEmbedding) ?? d.guidanceEmbedding
        if let range = try c.decodeIfPresent([Float].self, forKey: .guidanceRange) {
            guard range.count == 2, range[0].isFinite, range[1].isFinite, range[0] <= range[1] else {
                throw DecodingError.dataCorruptedError(forKey: .guidanceRange, in: c, debugDescription: "guidance_range must be [low, high] with low ≤ high, got \(range)")
            }
            guidanceRange = range[0] ... range[1]
        }
        rotary = try c.decodeIfPresent(RotaryPositions.self, forKey: .rotary)
        motionChannels = try c.decodeIfPresent(Int.self, forKey: .motionChannels) ?? d.motionChannels
        refiner = try c.decodeIfPresent(Refiner.self, forKey: .refiner)
    }

    /// Why a guidance scale cannot be used with this denoiser, or nil: a guidance-distilled one
    /// refuses scales outside the range it was trained on.
    public func guidanceProblem(_ scale: Float) -> String? {
        guard guidanceEmbedding, let range = guidanceRange, !range.contains(scale) else { return nil }
        return "\(scale) is outside \(range.lowerBound)…\(range.upperBound), the scales this guidance-distilled model was trained on"
    }

    /// Throws unless the sizes fit together (patch divides the latent, heads divide the width, …).
    public func validate(source: String = "DiT configuration") throws {
        let positive = [latentChannels, latentSize, frames, patch, width, depth, heads, mlpRatio, textDim, timeFrequencyDim]
        guard positive.allSatisfy({ $0 > 0 }), latentSize % patch == 0, width % heads == 0,
              width % 8 == 0, timeFrequencyDim % 2 == 0, layerNormEpsilon > 0 else {
            throw EngineError.invalidConfiguration(file: source, detail: "inconsistent sizes \(self)")
        }
        guard (0 ... 64).contains(motionChannels) else {
            throw EngineError.invalidConfiguration(file: source, detail: "motion_channels \(motionChannels) must be in 0…64")
        }
        guard !guidanceEmbedding || guidanceRange != nil else {
            throw EngineError.invalidConfiguration(file: source, detail: "a guidance-distilled denoiser (guidance_embed) needs guidance_range: the scales it was trained on")
        }
        if let refiner {
            guard (1 ... 64).contains(refiner.depth), refiner.heads > 0, refiner.width >= 4, refiner.width % 4 == 0,
                  refiner.width % refiner.heads == 0, refiner.attention == "frame" else {
                throw EngineError.invalidConfiguration(file: source, detail: "refiner: width \(refiner.width), depth \(refiner.depth), heads \(refiner.heads), attention '\(refiner.attention)' must be a width that is a multiple of 4 and of the heads, a depth in 1…64, and attention 'frame'")
            }
        }
        if let rotary {
            let headWidth = width / heads
            guard rotary.pairs.count == 3, rotary.base.count == 3, rotary.pairs.allSatisfy({ $0 >= 0 }),
                  rotary.pairs.reduce(0, +) > 0, 2 * rotary.pairs.reduce(0, +) <= headWidth,
                  rotary.base.allSatisfy({ $0 > 0 && $0.isFinite }),
                  rotary.axes == nil || rotary.axes == ["frame", "row", "column"] else {
                throw EngineError.invalidConfiguration(file: source, detail: "rotary: pairs \(rotary.pairs) and base \(rotary.base) must each give 3 axes (frame, row, column), pairs ≥ 0 with 1 ≤ 2·Σpairs ≤ the head width \(headWidth), bases > 0")
            }
        }
    }
}

/// The autoencoder's hyper-parameters (`AEConfig` in model.py).
public struct AutoencoderConfiguration: Sendable, Decodable, Equatable {
    /// Feature widths at each resolution, finest first; each step halves the size.
    public var channels: [Int] = [32, 64, 128, 128]
    public var latentChannels = 8
    public var groups = 8
    /// GroupNorm ε (`group_norm_eps` in config.json; PyTorch's default 1e-5).
    public var groupNormEpsilon: Float = 1e-5

    enum CodingKeys: String, CodingKey { case channels, latentChannels = "latent_channels", groups }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AutoencoderConfiguration()
        channels = try c.decodeIfPresent([Int].self, forKey: .channels) ?? d.channels
        latentChannels = try c.decodeIfPresent(Int.self, forKey: .latentChannels) ?? d.latentChannels
        groups = try c.decodeIfPresent(Int.self, forKey: .groups) ?? d.groups
    }

    public func validate(source: String = "autoencoder configuration") throws {
        // groups > 0 first: the channel check divides by it.
        guard groups > 0, latentChannels > 0, groupNormEpsilon > 0, !channels.isEmpty, channels.allSatisfy({ $0 > 0 && $0 % groups == 0 }) else {
            throw EngineError.invalidConfiguration(file: source, detail: "inconsistent sizes \(self)")
        }
    }
}

/// A model folder's `config.json`, format `kinora-video-model` version 1
/// (Training/MODEL_FORMAT.md, written by Training/kinora_train/export.py).
public struct VideoModelConfiguration: Sendable, Equatable {
    /// The clip the model was trained on.
    public struct Native: Sendable, Codable, Equatable {
        public var width: Int, height: Int, fps: Int, frames: Int
    }

    /// How the prompt is encoded.
    public struct TextEncoderSettings: Sendable, Codable, Equatable {
        public var name: String
        public var dim: Int
        /// Token states are padded/truncated to this many tokens.
        public var maxTokens: Int
        /// The prompt of guidance's unconditional branch.
        public var nullPrompt: String
        enum CodingKeys: String, CodingKey { case name, dim, maxTokens = "max_tokens", nullPrompt = "null_prompt" }
    }

    /// Sampling defaults the model was tuned for.
    public struct SamplerDefaults: Sendable, Codable, Equatable {
        public var name: String
        public var steps: Int
        public var shift: Float
        public var guidance: Float
        /// The clip's noise level at which a motion-channel denoiser's motion is finished
        /// (`motion_lead`, absent: 0, one clock for the whole state; `MotionClock`).
        public var motionLead: Float

        enum CodingKeys: String, CodingKey { case name, steps, shift, guidance, motionLead = "motion_lead" }

        public init(name: String, steps: Int, shift: Float, guidance: Float, motionLead: Float = 0) {
            self.name = name
            self.steps = steps
            self.shift = shift
            self.guidance = guidance
            self.motionLead = motionLead
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(name: try c.decode(String.self, forKey: .name), steps: try c.decode(Int.self, forKey: .steps),
                      shift: try c.decode(Float.self, forKey: .shift), guidance: try c.decode(Float.self, forKey: .guidance),
                      motionLead: try c.decodeIfPresent(Float.self, forKey: .motionLead) ?? 0)
        }
    }

    public var name: String
    public var native: Native
    public var textEncoder: TextEncoderSettings
    public var autoencoder: AutoencoderConfiguration
    public var dit: DiTConfiguration
    public var sampler: SamplerDefaults
    /// Given frames carried from one chunk to the next.
    public var overlapFrames: Int
    /// The denoiser sees `encoder output · latentScale` (unit variance).
    public var latentScale: Float
    /// Weight files, relative to the model folder.
    public var autoencoderFile: String
    public var denoiserFile: String
    /// A second denoiser of the same architecture that takes the steps at low noise
    /// (`denoiser.low_noise_expert`), or nil for one denoiser at every step.
    public var lowNoiseExpert: LowNoiseExpert?

    /// A low-noise expert (Training/kinora_train/train_low_noise.py, README item 18): the
    /// denoiser fine-tuned at low noise only, where the fine detail is drawn; the sampler calls
    /// it at the steps whose time t is below `below`, the main denoiser at the others.
    public struct LowNoiseExpert: Sendable, Codable, Equatable {
        /// Its weights, a plain file name in the model folder (same tensors as the denoiser's).
        public var file: String
        /// The flow time under which it takes the step, in (0, 1].
        public var below: Float

        public init(file: String, below: Float) {
            self.file = file
            self.below = below
        }
    }

    public static let format = "kinora-video-model"
    public static let formatVersion = 1

    private struct Raw: Decodable {
        struct Autoencoder: Decodable {
            var file: String?
            var latentScale: Float
            var groupNormEps: Float?
            enum CodingKeys: String, CodingKey { case file, latentScale = "latent_scale", groupNormEps = "group_norm_eps" }
        }
        struct Denoiser: Decodable {
            var file: String?
            var type: String?
            var prediction: String?
            var gelu: String?
            var layerNormEps: Float?
            var lowNoiseExpert: LowNoiseExpert?
            enum CodingKeys: String, CodingKey {
                case file, type, prediction, gelu, layerNormEps = "layer_norm_eps", lowNoiseExpert = "low_noise_expert"
            }
        }
        struct Chunk: Decodable {
            var overlapFrames: Int
            enum CodingKeys: String, CodingKey { case overlapFrames = "overlap_frames" }
        }
        var format: String
        var formatVersion: Int
        var name: String?
        var native: Native
        var textEncoder: TextEncoderSettings
        var autoencoder: Autoencoder
        var denoiser: Denoiser
        var sampler: SamplerDefaults
        var chunk: Chunk?
        enum CodingKeys: String, CodingKey {
            case format, formatVersion = "format_version", name, native, textEncoder = "text_encoder"
            case autoencoder, denoiser, sampler, chunk
        }
    }

    private struct Sections: Decodable {
        var autoencoder: AutoencoderConfiguration
        var denoiser: DiTConfiguration
    }

    /// Reads and validates `config.json`.
    public init(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError.invalidConfiguration(file: path, detail: "cannot read it")
        }
        let raw: Raw, sections: Sections
        do {
            raw = try JSONDecoder().decode(Raw.self, from: data)
            sections = try JSONDecoder().decode(Sections.self, from: data)
        } catch {
            throw EngineError.invalidConfiguration(file: path, detail: "\(error)")
        }
        guard raw.format == VideoModelConfiguration.format, raw.formatVersion == VideoModelConfiguration.formatVersion else {
            throw EngineError.invalidConfiguration(file: path, detail: "format \(raw.format) version \(raw.formatVersion); this engine reads \(VideoModelConfiguration.format) version \(VideoModelConfiguration.formatVersion)")
        }
        let check = { (ok: Bool, detail: String) in
            if !ok { throw EngineError.invalidConfiguration(file: path, detail: detail) }
        }
        try check(raw.denoiser.type ?? "dit" == "dit", "denoiser type \(raw.denoiser.type ?? "")")
        try check(raw.denoiser.prediction ?? "flow-velocity" == "flow-velocity", "prediction \(raw.denoiser.prediction ?? "") (only flow-velocity)")
        try check(raw.denoiser.gelu ?? "tanh" == "tanh", "gelu \(raw.denoiser.gelu ?? "") (only tanh)")
        try check(raw.sampler.steps > 0 && raw.sampler.shift > 0 && raw.sampler.guidance >= 0, "sampler \(raw.sampler)")
        if let problem = MotionClock.problem(lead: raw.sampler.motionLead, motionChannels: sections.denoiser.motionChannels) {
            try check(false, "sampler.motion_lead: \(problem)")
        }
        try check(raw.textEncoder.maxTokens >= 2, "text_encoder.max_tokens \(raw.textEncoder.maxTokens)")
        let overlap = raw.chunk?.overlapFrames ?? 0
        try check(overlap >= 0 && overlap < sections.denoiser.frames, "chunk.overlap_frames \(overlap)")
        try check(raw.autoencoder.latentScale > 0 && raw.autoencoder.latentScale.isFinite, "latent_scale \(raw.autoencoder.latentScale)")
        var dit = sections.denoiser
        dit.layerNormEpsilon = raw.denoiser.layerNormEps ?? dit.layerNormEpsilon
        var autoencoder = sections.autoencoder
        autoencoder.groupNormEpsilon = raw.autoencoder.groupNormEps ?? autoencoder.groupNormEpsilon
        try dit.validate(source: path)
        try autoencoder.validate(source: path)
        try check(autoencoder.latentChannels == dit.latentChannels,
                  "autoencoder has \(autoencoder.latentChannels) latent channels, the denoiser \(dit.latentChannels)")
        let pixels = dit.latentSize << (autoencoder.channels.count - 1)
        try check(raw.native.width == pixels && raw.native.height == pixels && raw.native.frames > 0,
                  "native \(raw.native.width)×\(raw.native.height) does not match \(dit.latentSize)×\(dit.latentSize) latents upsampled \(autoencoder.channels.count - 1) times")
        try check(raw.textEncoder.dim == dit.textDim, "text_encoder.dim \(raw.textEncoder.dim) ≠ denoiser.text_dim \(dit.textDim)")
        if let expert = raw.denoiser.lowNoiseExpert {
            try check(expert.below > 0 && expert.below <= 1, "denoiser.low_noise_expert.below \(expert.below) must be a flow time in (0, 1]")
        }
        for file in [raw.autoencoder.file, raw.denoiser.file, raw.denoiser.lowNoiseExpert?.file].compactMap({ $0 }) {
            try check(!file.isEmpty && !file.contains("/"), "weight file '\(file)' must be a plain name in the model folder")
        }
        name = raw.name ?? ""
        native = raw.native
        textEncoder = raw.textEncoder
        self.autoencoder = autoencoder
        self.dit = dit
        sampler = raw.sampler
        overlapFrames = overlap
        latentScale = raw.autoencoder.latentScale
        autoencoderFile = raw.autoencoder.file ?? "autoencoder.safetensors"
        denoiserFile = raw.denoiser.file ?? "denoiser.safetensors"
        lowNoiseExpert = raw.denoiser.lowNoiseExpert
    }
}
