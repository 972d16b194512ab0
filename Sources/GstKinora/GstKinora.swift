import CGStreamer
import KinoraGStreamer
import KinoraHost

#if canImport(Glibc)
    import Glibc
#endif

/// libgstkinora.so: the GStreamer plugin that makes every Kinora plugin an element.
///
/// GStreamer finds `gst_plugin_kinora_get_desc` by the file name and asks it
/// for the plugin description; `plugin_init` then loads the Kinora plugins
/// from the search path (relative to this library) and registers them.
@_cdecl("gst_plugin_kinora_get_desc")
public func gstPluginKinoraGetDesc() -> UnsafePointer<GstPluginDesc> {
    UnsafePointer(pluginDescription)
}

/// Built once and never freed: GStreamer keeps the pointer for the process' lifetime.
nonisolated(unsafe) private let pluginDescription: UnsafeMutablePointer<GstPluginDesc> = {
    let description = UnsafeMutablePointer<GstPluginDesc>.allocate(capacity: 1)
    description.initialize(
        to: GstPluginDesc(
            major_version: 1, minor_version: 20, name: UnsafePointer(strdup("kinora")),
            description: UnsafePointer(strdup("Kinora generative video plugins as elements")),
            plugin_init: pluginInit, version: UnsafePointer(strdup("0.1.0")),
            license: UnsafePointer(strdup("MIT/X11")), source: UnsafePointer(strdup("kinora")),
            package: UnsafePointer(strdup("Kinora")), origin: UnsafePointer(strdup("https://kinora.invalid/")),
            release_datetime: nil, _gst_reserved: (nil, nil, nil, nil)))
    return description
}()

private let pluginInit: GstPluginInitFunc = { plugin in
    guard let plugin else { return 0 }
    let libraryDirectory = gst_plugin_get_filename(plugin).map { directory(of: String(cString: $0)) } ?? directoryOfExecutable()
    let environment = processEnvironment()
    let registry = PluginRegistry(
        searchPath: .standard(binaryDirectory: libraryDirectory, environment: environment),
        modelPath: .standard(binaryDirectory: libraryDirectory, environment: environment))
    ElementRegistrar.registerAll(on: plugin, registry: registry)
    // A plugin with no elements is still a valid plugin: the folders stay watched.
    return 1
}
