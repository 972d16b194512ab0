import KinoraEngine

/// The engine's tensor, named for plugins that do not import the engine.
public typealias KinoraEngineTensor = Tensor

import KinoraPluginSDK

/// What the four diffusion plugins share around the core: the frame limits they declare, the
/// model they prepare, and how an instance starts its generator.
public enum DiffusionPlugin {
    /// Sizes up to 1024×1024 (frames are scaled from the model's 64×64), rates up to 60 fps
    /// (model frames repeated); the default is the model's native 64×64 at 8 fps.
    public static let frames = FrameLimits(
        widths: 16...1024, heights: 16...1024, maxFramesPerSecond: 60,
        defaultWidth: 64, defaultHeight: 64, defaultFramesPerSecond: 8)

    /// Frames per block: a chunk of kinora-shapes-v1 (16) less the default overlap (4).
    public static let blockFrames: UInt32 = 12

    /// Loads the default model (and the text encoder) once, so a missing model fails the
    /// element's start with a sentence saying where it looked.
    public static func prepare(modelDirectories: [String]) throws(PluginError) {
        do {
            _ = try SharedModels.model(ModelLocator.defaultModelName, searchPath: modelDirectories)
        } catch {
            throw GeneratedStream.pluginError(error)
        }
    }

    /// The shared model and a generator for one stream.
    public static func generator(stream: StreamInfo, parameters: ParameterValues) throws(PluginError) -> ChunkedGenerator {
        do {
            let settings = try GenerationSettings(prompt: stream.prompt, parameters: parameters)
            let loaded = try SharedModels.model(settings.model, searchPath: stream.modelDirectories)
            return try ChunkedGenerator(loaded: loaded, settings: settings)
        } catch {
            throw GeneratedStream.pluginError(error)
        }
    }

    /// Takes the parameters that may change while playing (the SDK hands the complete set).
    public static func configure(_ generator: ChunkedGenerator, _ parameters: ParameterValues) {
        generator.settings.strength = parameters.double(GenerationParameters.strength.name, default: generator.settings.strength)
    }

    /// Input frames (a still, or a clip's frames) at the model's native size, encoded.
    public static func encode(_ frames: [RGBFrame], with generator: ChunkedGenerator) throws(PluginError) -> KinoraEngineTensor {
        let native = generator.loaded.configuration.native
        let small = frames.map { FrameScaler.scaled($0, width: native.width, height: native.height) }
        do {
            return try generator.loaded.model.encode(frames: RGBFrame.tensor(small))
        } catch {
            throw .failed("encoding input frames failed: \(error)")
        }
    }
}
