import CGStreamer
import KinoraHost
import KinoraPluginSDK

#if canImport(Glibc)
    import Glibc
#endif

/// Registers one GStreamer element per loaded Kinora plugin (the gst-libav
/// and frei0r pattern), and tells GStreamer which folders to watch so that
/// adding or changing a plugin library triggers a registry rescan.
public enum ElementRegistrar {
    /// Returns the registry used, so callers can report refusals.
    @discardableResult
    public static func registerAll(on plugin: OpaquePointer, registry: PluginRegistry) -> Int {
        watch(registry.searchPath, from: plugin)
        for refusal in registry.refusals {
            report("kinora: refused plugin \(refusal)")
        }
        var registered = 0
        for loaded in registry.plugins {
            let type: GType
            switch loaded.manifest.kind {
            case .source:
                type = SourceElement.register(loaded)
            case .videoToVideo:
                type = FilterElement.register(loaded)
            case .imageToVideo:
                type = AnimateElement.register(loaded)
            }
            if type != 0, gst_element_register(plugin, loaded.manifest.elementName, UInt32(GST_RANK_NONE.rawValue), type) != 0 {
                registered += 1
            }
        }
        return registered
    }

    /// Registers the elements inside this process, without libgstkinora.so:
    /// kinorad uses the registry it already loaded.
    public static func registerInProcess(registry: PluginRegistry) -> Bool {
        let box = Unmanaged.passRetained(RegistryBox(registry)).toOpaque()
        return gst_plugin_register_static_full(
            1, 20, "kinora", "Kinora generative video plugins as elements",
            { plugin, data in
                guard let plugin, let data else { return 0 }
                let registry = Unmanaged<RegistryBox>.fromOpaque(data).takeUnretainedValue().registry
                ElementRegistrar.registerAll(on: plugin, registry: registry)
                return 1
            }, "0.1.0", "MIT/X11", "kinora", "Kinora", "https://kinora.invalid/", box) != 0
    }

    private static func watch(_ searchPath: PluginSearchPath, from plugin: OpaquePointer) {
        let directories = searchPath.directories.joined(separator: ":")
        gst_plugin_add_dependency_simple(
            plugin, PluginSearchPath.environmentVariable, directories, ".so",
            GST_PLUGIN_DEPENDENCY_FLAG_FILE_NAME_IS_SUFFIX)
    }

    /// Refusals go to stderr: they explain a missing element to the person
    /// running gst-inspect-1.0 or gst-launch-1.0.
    private static func report(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        _ = write(STDERR_FILENO, &bytes, bytes.count)
    }
}

/// Carries the registry through GStreamer's `user_data`; kept for the process' life.
private final class RegistryBox {
    let registry: PluginRegistry
    init(_ registry: PluginRegistry) { self.registry = registry }
}
