import CGStreamer
import KinoraHost
import KinoraPluginSDK

/// What one registered element type knows: the plugin behind it and its
/// GObject properties (property id = index in `properties` + 1).
///
/// One instance per type, handed to GObject as class data and never freed:
/// GObject types are never unregistered.
final class ElementClassData {
    let plugin: LoadedPlugin
    let properties: [ParameterSpec]

    init(plugin: LoadedPlugin) {
        self.plugin = plugin
        self.properties = Self.standardProperties(for: plugin.manifest.kind) + plugin.schema.parameters
    }

    /// A source has a prompt, a duration and a live mode; an image animator and a
    /// video filter a prompt and a duration (for a filter: how long to continue
    /// after its input ends, for plugins that extend clips; others ignore it).
    static func standardProperties(for kind: ElementKind) -> [ParameterSpec] {
        switch kind {
        case .source: StandardParameters.elementProperties
        case .imageToVideo: [StandardParameters.prompt, StandardParameters.duration]
        case .videoToVideo: [StandardParameters.prompt, StandardParameters.duration]
        }
    }

    func property(id: UInt32) -> ParameterSpec? {
        let index = Int(id) - 1
        return properties.indices.contains(index) ? properties[index] : nil
    }
}

/// Where the Swift pointers live in GObject's instance and class structs:
/// one pointer slot right after the parent's struct.
enum ObjectLayout {
    static func instanceSize(parent: Int) -> Int { parent + MemoryLayout<UnsafeRawPointer>.stride }

    static func storePointer(_ pointer: UnsafeMutableRawPointer, in object: UnsafeMutableRawPointer, parentSize: Int) {
        object.storeBytes(of: pointer, toByteOffset: parentSize, as: UnsafeMutableRawPointer.self)
    }

    static func loadPointer(from object: UnsafeMutableRawPointer, parentSize: Int) -> UnsafeMutableRawPointer {
        object.load(fromByteOffset: parentSize, as: UnsafeMutableRawPointer.self)
    }

    /// The class struct of a GObject instance.
    static func classOf(_ instance: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(instance.assumingMemoryBound(to: GTypeInstance.self).pointee.g_class)
    }
}
