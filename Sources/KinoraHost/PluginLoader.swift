import CKinoraPluginABI

#if canImport(Glibc)
    import Glibc
#endif

/// Opens one library and checks it against the plugin ABI.
enum PluginLoader {
    static let entrySymbol = "kinora_plugin_entry"

    static func load(file: String, modelDirectories: [String]) throws(PluginLoadError) -> LoadedPlugin {
        guard let handle = dlopen(file, RTLD_NOW | RTLD_LOCAL) else {
            throw .notLoadable(reason: lastDynamicLinkerError())
        }
        // A refused library stays mapped: its constructors have already run and
        // Swift images cannot be unloaded safely.
        guard let symbol = dlsym(handle, entrySymbol) else {
            throw .missingEntrySymbol(entrySymbol)
        }
        let entry = unsafeBitCast(symbol, to: KinoraPluginEntryFunction.self)
        guard let descriptor = entry() else { throw .nullDescriptor }
        let (manifest, schema) = try DescriptorReader.read(UnsafeRawPointer(descriptor))
        return LoadedPlugin(
            file: file, manifest: manifest, schema: schema, modelDirectories: modelDirectories, descriptor: descriptor)
    }

    private static func lastDynamicLinkerError() -> String {
        guard let message = dlerror() else { return "unknown dlopen error" }
        return String(cString: message)
    }
}
