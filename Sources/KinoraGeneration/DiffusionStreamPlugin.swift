import KinoraPluginSDK

/// A plugin whose frames come from the diffusion core: the four built-in capabilities. It
/// provides its stream and its own `produce`; everything around them is shared here: the model
/// loaded at `prepare`, the generator built from the element's parameters, live parameter and
/// prompt changes reaching the next chunk.
public protocol DiffusionStreamPlugin: KinoraPlugin {
    /// The plugin's stream over the shared model (its generator holds the live settings).
    var video: GeneratedStream { get }

    /// Makes the plugin around its stream; `init(stream:parameters:)` builds the stream first.
    init(video: GeneratedStream, stream: StreamInfo) throws(PluginError)
}

extension DiffusionStreamPlugin {
    public static func prepare(modelDirectories: [String]) throws(PluginError) {
        try DiffusionPlugin.prepare(modelDirectories: modelDirectories)
    }

    public init(stream: StreamInfo, parameters: ParameterValues) throws(PluginError) {
        let generator = try DiffusionPlugin.generator(stream: stream, parameters: parameters)
        try self.init(video: GeneratedStream(generator: generator, stream: stream), stream: stream)
    }

    public mutating func configure(_ parameters: ParameterValues) throws(PluginError) {
        DiffusionPlugin.configure(video.generator, parameters)
    }

    public mutating func promptChanged(to prompt: String) throws(PluginError) {
        video.generator.settings.prompt = prompt
    }
}
