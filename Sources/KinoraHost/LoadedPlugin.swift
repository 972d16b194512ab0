import CKinoraPluginABI
import KinoraPluginSDK

/// A plugin library that passed every check, with its description in Swift.
///
/// The descriptor pointer stays valid for the life of the process: libraries
/// are never unloaded (Swift images cannot be unloaded safely).
public struct LoadedPlugin: @unchecked Sendable {
    // @unchecked: `descriptor` points at an immutable table owned by a
    // library that is never unloaded; reading it from any thread is safe.
    public let file: String
    public let manifest: PluginManifest
    public let schema: ParameterSchema
    /// Where this host keeps model weights; handed to every instance.
    public let modelDirectories: [String]
    let descriptor: UnsafePointer<KinoraPluginDescriptor>

    public var id: String { manifest.id }

    /// Asks the plugin to load what its instances share (a model), or to
    /// say why it cannot run; cheap to repeat (the plugin caches).
    public func prepare() throws(PluginCallError) {
        guard let prepare = descriptor.pointee.prepare else { return }
        var error = [CChar](repeating: 0, count: 1024)
        let status = modelDirectories.joined(separator: ":").withCString { prepare(descriptor, $0, &error, error.count) }
        guard status == Int32(KINORA_STATUS_OK.rawValue) else {
            let bytes = error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            throw .failed(plugin: id, message: bytes.isEmpty ? "prepare failed with status \(status)" : String(decoding: bytes, as: UTF8.self))
        }
    }
}
