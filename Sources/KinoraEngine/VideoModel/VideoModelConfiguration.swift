import Foundation

/// The denoiser's hyper-parameters (`DiTConfig` in Training/kinora_train/model.py; JSON keys
/// are its field names, missing keys take the same defaults).
public struct DiTConfiguration: Sendable, Codable, Equatable {
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

    enum CodingKeys: String, CodingKey {
        case latentChannels = "latent_channels", latentSize = "latent_size", frames, patch, width, depth, heads
        case mlpRatio = "mlp_ratio", textDim = "text_dim", timeFrequencyDim = "time_freq_dim"
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
    }

    /// Throws unless the sizes fit together (patch divides the latent, heads divide the width, …).
    public func validate(source: String = "DiT configuration") throws {
        let positive = [latentChannels, latentSize, frames, patch, width, depth, heads, mlpRatio, textDim, timeFrequencyDim]
        guard positive.allSatisfy({ $0 > 0 }), latentSize % patch == 0, width % heads == 0,
              width % 8 == 0, timeFrequencyDim % 2 == 0 else {
            throw EngineError.invalidConfiguration(file: source, detail: "inconsistent sizes \(self)")
        }
    }
}

/// The autoencoder's hyper-parameters (`AEConfig` in model.py).
public struct AutoencoderConfiguration: Sendable, Codable, Equatable {
    /// Feature widths at each resolution, finest first; each step halves the size.
    public var channels: [Int] = [32, 64, 128, 128]
    public var latentChannels = 8
    public var groups = 8

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
        guard groups > 0, latentChannels > 0, !channels.isEmpty, channels.allSatisfy({ $0 > 0 && $0 % groups == 0 }) else {
            throw EngineError.invalidConfiguration(file: source, detail: "inconsistent sizes \(self)")
        }
    }
}

/// A model folder's `config.json`: `{"dit": {…}, "autoencoder": {…}, "latent_scale": s}`.
public struct VideoModelConfiguration: Sendable, Codable, Equatable {
    public var dit: DiTConfiguration
    public var autoencoder: AutoencoderConfiguration
    /// The denoiser sees `latent · latentScale` (unit variance).
    public var latentScale: Float

    enum CodingKeys: String, CodingKey { case dit, autoencoder, latentScale = "latent_scale" }

    /// Reads and validates `config.json`.
    public init(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError.invalidConfiguration(file: path, detail: "cannot read it")
        }
        do {
            self = try JSONDecoder().decode(VideoModelConfiguration.self, from: data)
        } catch {
            throw EngineError.invalidConfiguration(file: path, detail: "\(error)")
        }
        try dit.validate(source: path)
        try autoencoder.validate(source: path)
        guard latentScale > 0, latentScale.isFinite else {
            throw EngineError.invalidConfiguration(file: path, detail: "latent_scale \(latentScale)")
        }
        guard autoencoder.latentChannels == dit.latentChannels else {
            throw EngineError.invalidConfiguration(file: path, detail: "autoencoder has \(autoencoder.latentChannels) latent channels, the DiT \(dit.latentChannels)")
        }
    }
}
