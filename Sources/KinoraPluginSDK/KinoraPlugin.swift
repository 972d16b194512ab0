/// A Kinora plugin, written as a Swift type.
///
/// Conform a type, then export it with one line:
///
/// ```swift
/// @_cdecl("kinora_plugin_entry")
/// public func kinoraPluginEntry() -> UnsafeRawPointer { exportKinoraPlugin(MyPlugin.self) }
/// ```
///
/// The host never calls `configure` and `produce` of one instance at the
/// same time; only cancellation arrives from another thread, and it is seen
/// through `ProduceContext.isCancelled`.
public protocol KinoraPlugin {
    /// Identity, frame limits and the parameter schema.
    static var manifest: PluginManifest { get }

    /// Loads what every instance shares (model weights, from the first of
    /// `modelDirectories` that has them) or throws why the plugin cannot run
    /// here. Called from any thread, possibly many times, before instances
    /// are made: cache what it loads. The default does nothing.
    static func prepare(modelDirectories: [String]) throws(PluginError)

    /// Makes an instance for one stream, with every parameter at its
    /// validated value (defaults filled in).
    init(stream: StreamInfo, parameters: ParameterValues) throws(PluginError)

    /// Takes new values (the complete set, already validated) while the
    /// stream runs; only parameters marked `mutableWhilePlaying` change here.
    mutating func configure(_ parameters: ParameterValues) throws(PluginError)

    /// Takes a new prompt while the stream runs; it applies to the blocks
    /// still to come (a diffusion plugin conditions its next chunk on it).
    /// The default ignores it, for plugins that do not read the prompt.
    mutating func promptChanged(to prompt: String) throws(PluginError)

    /// Fills every frame of `block`.
    mutating func produce(into block: FrameBlock, context: borrowing ProduceContext) throws(PluginError)
}

/// Defaults for plugins without shared resources, live parameters or use for the prompt.
extension KinoraPlugin {
    public static func prepare(modelDirectories: [String]) throws(PluginError) {}

    public mutating func configure(_ parameters: ParameterValues) throws(PluginError) {}

    public mutating func promptChanged(to prompt: String) throws(PluginError) {}
}
