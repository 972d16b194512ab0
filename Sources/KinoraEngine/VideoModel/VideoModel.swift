import Foundation

/// A video model folder (`Models/<name>/`): `config.json` (see `VideoModelConfiguration`),
/// `autoencoder.safetensors` (model.py `AutoEncoder.state_dict()`: `encoder.*`, `decoder.*`)
/// and `dit.safetensors` (`DiT.state_dict()`).
public struct VideoModel: Sendable {
    public let configuration: VideoModelConfiguration
    public let autoencoder: FrameAutoencoder
    public let denoiser: VideoDiT

    public static let configurationFile = "config.json"
    public static let autoencoderFile = "autoencoder.safetensors"
    public static let denoiserFile = "dit.safetensors"

    /// Loads and validates the three files; a missing file is `EngineError.modelNotFound`.
    public init(directory: String) throws {
        let path = { (directory as NSString).appendingPathComponent($0) }
        for f in [VideoModel.configurationFile, VideoModel.autoencoderFile, VideoModel.denoiserFile]
            where !FileManager.default.fileExists(atPath: path(f)) {
            throw EngineError.modelNotFound(path: path(f), hint: "A model folder holds config.json, autoencoder.safetensors and dit.safetensors (Training/ exports them).")
        }
        configuration = try VideoModelConfiguration(file: path(VideoModel.configurationFile))
        autoencoder = try FrameAutoencoder(WeightLoader(paths: [path(VideoModel.autoencoderFile)]), configuration: configuration.autoencoder)
        denoiser = try VideoDiT(WeightLoader(paths: [path(VideoModel.denoiserFile)]), configuration: configuration.dit)
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
