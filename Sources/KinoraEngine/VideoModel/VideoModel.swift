import Foundation

/// A video model folder (`Models/<name>/`, Training/MODEL_FORMAT.md): `config.json` (see
/// `VideoModelConfiguration`), the autoencoder's F32 weights and the denoiser's F16 weights,
/// under the file names the config gives (`autoencoder.safetensors`, `denoiser.safetensors`),
/// and a low-noise expert's F16 weights where the config names one.
public struct VideoModel: Sendable {
    public let configuration: VideoModelConfiguration
    public let autoencoder: FrameAutoencoder
    public let denoiser: VideoDiT
    /// The denoiser for the steps below `configuration.lowNoiseExpert.below`, or nil.
    public let lowNoiseExpert: VideoDiT?

    public static let configurationFile = "config.json"

    /// Loads and validates the folder; a missing file is `EngineError.modelNotFound`.
    public init(directory: String) throws {
        let path = { (directory as NSString).appendingPathComponent($0) }
        let hint = "A model folder holds config.json and the weight files it names (Training/kinora_train/export.py writes them)."
        guard FileManager.default.fileExists(atPath: path(VideoModel.configurationFile)) else {
            throw EngineError.modelNotFound(path: path(VideoModel.configurationFile), hint: hint)
        }
        configuration = try VideoModelConfiguration(file: path(VideoModel.configurationFile))
        let files = [configuration.autoencoderFile, configuration.denoiserFile] + [configuration.lowNoiseExpert?.file].compactMap { $0 }
        for f in files where !FileManager.default.fileExists(atPath: path(f)) {
            throw EngineError.modelNotFound(path: path(f), hint: hint)
        }
        autoencoder = try FrameAutoencoder(WeightLoader(paths: [path(configuration.autoencoderFile)]), configuration: configuration.autoencoder)
        denoiser = try VideoDiT(WeightLoader(paths: [path(configuration.denoiserFile)]), configuration: configuration.dit)
        let dit = configuration.dit
        lowNoiseExpert = try configuration.lowNoiseExpert.map {
            try VideoDiT(WeightLoader(paths: [path($0.file)]), configuration: dit)
        }
    }

    /// Frames `[N, 3, H, W]` in [−1, 1] → the denoiser's latents `[N, C, h, w]` (scaled).
    public func encode(frames: Tensor) throws -> Tensor {
        Elementwise.scaled(try autoencoder.encoder(frames), by: configuration.latentScale)
    }

    /// The denoiser's latents `[N, C, h, w]` → frames `[N, 3, H, W]` in about [−1, 1].
    public func decode(latents: Tensor) throws -> Tensor {
        try autoencoder.decoder(Elementwise.scaled(latents, by: 1 / configuration.latentScale))
    }
}
