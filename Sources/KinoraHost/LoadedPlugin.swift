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
}
