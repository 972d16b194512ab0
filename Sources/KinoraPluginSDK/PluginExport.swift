import CKinoraPluginABI
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Builds (once) the C descriptor of a Swift plugin type and returns it.
///
/// Call it from the library's entry symbol:
///
/// ```swift
/// @_cdecl("kinora_plugin_entry")
/// public func kinoraPluginEntry() -> UnsafeRawPointer { exportKinoraPlugin(MyPlugin.self) }
/// ```
///
/// The descriptor and its strings live as long as the library stays loaded.
public func exportKinoraPlugin<P: KinoraPlugin>(_ type: P.Type) -> UnsafeRawPointer {
    let address = exportedDescriptors.withLock { cache in
        let key = ObjectIdentifier(type)
        if let address = cache[key] { return address }
        let address = Int(bitPattern: DescriptorBuilder.build(for: type))
        cache[key] = address
        return address
    }
    guard let descriptor = UnsafeRawPointer(bitPattern: address) else {
        fatalError("allocating the descriptor of \(type) returned a null pointer")
    }
    return descriptor
}

/// One descriptor per exported type: the entry symbol may be called more
/// than once (by the host, by tests) and must return the same table.
private let exportedDescriptors = Mutex<[ObjectIdentifier: Int]>([:])

/// What `create` needs to make an instance of the Swift type behind a descriptor.
/// Reached only through the descriptor's opaque `plugin_data`, never shared as a Swift value.
final class PluginFactory {
    let schema: ParameterSchema?
    let make: (StreamInfo, ParameterValues) throws(PluginError) -> any ErasedPluginInstance
    let prepare: ([String]) throws(PluginError) -> Void

    init<P: KinoraPlugin>(_ type: P.Type) {
        self.schema = try? ParameterSchema(P.manifest.parameters)
        self.prepare = { (directories) throws(PluginError) in try P.prepare(modelDirectories: directories) }
        self.make = { (stream, values) throws(PluginError) in
            PluginInstance(plugin: try P(stream: stream, parameters: values))
        }
    }
}

/// The type-erased face of a plugin instance, so the C thunks need no generics.
protocol ErasedPluginInstance: AnyObject {
    func configure(_ values: ParameterValues) throws(PluginError)
    func promptChanged(to prompt: String) throws(PluginError)
    func produce(into block: FrameBlock, context: borrowing ProduceContext) throws(PluginError)
}

final class PluginInstance<P: KinoraPlugin>: ErasedPluginInstance {
    private var plugin: P

    init(plugin: P) { self.plugin = plugin }

    func configure(_ values: ParameterValues) throws(PluginError) {
        try plugin.configure(values)
    }

    func promptChanged(to prompt: String) throws(PluginError) {
        try plugin.promptChanged(to: prompt)
    }

    func produce(into block: FrameBlock, context: borrowing ProduceContext) throws(PluginError) {
        try plugin.produce(into: block, context: context)
    }
}

/// What the host's opaque instance pointer points at.
final class InstanceBox {
    let instance: any ErasedPluginInstance
    let schema: ParameterSchema
    let stream: StreamInfo
    var values: ParameterValues
    let cancelFlag = CancelFlag()

    init(instance: any ErasedPluginInstance, schema: ParameterSchema, stream: StreamInfo, values: ParameterValues) {
        self.instance = instance
        self.schema = schema
        self.stream = stream
        self.values = values
    }
}

/// Copies a message into a caller's C buffer, truncating, always NUL-terminated.
func writeMessage(_ message: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: Int) {
    guard let buffer, capacity > 0 else { return }
    let bytes = Array(message.utf8.prefix(capacity - 1))
    for (index, byte) in bytes.enumerated() {
        buffer[index] = CChar(bitPattern: byte)
    }
    buffer[bytes.count] = 0
}

extension PluginError {
    var status: KinoraStatus {
        switch self {
        case .failed: KINORA_STATUS_FAILED
        case .invalidArgument: KINORA_STATUS_INVALID_ARGUMENT
        case .cancelled: KINORA_STATUS_CANCELLED
        }
    }
}
