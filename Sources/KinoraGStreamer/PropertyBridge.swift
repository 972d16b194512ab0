import CGStreamer
import KinoraPluginSDK

/// Turns parameter specs into GObject properties and values into GValues
/// and back: the schema is the only declaration, GObject just shows it.
enum PropertyBridge {
    static func install(_ specs: [ParameterSpec], on objectClass: UnsafeMutablePointer<GObjectClass>) {
        for (index, spec) in specs.enumerated() {
            let mutability = spec.mutableWhilePlaying ? GLibConstants.paramMutablePlaying : GLibConstants.paramMutableReady
            let flags = GParamFlags(G_PARAM_READABLE.rawValue | G_PARAM_WRITABLE.rawValue | mutability)
            let paramSpec: UnsafeMutablePointer<GParamSpec>?
            switch spec.type {
            case .bool(let value):
                paramSpec = g_param_spec_boolean(spec.name, spec.nick, spec.description, value ? 1 : 0, flags)
            case .int(let minimum, let maximum, let value):
                // The schema check keeps integer ranges within gint.
                paramSpec = g_param_spec_int(
                    spec.name, spec.nick, spec.description, Int32(clamping: minimum), Int32(clamping: maximum),
                    Int32(clamping: value), flags)
            case .double(let minimum, let maximum, let value):
                paramSpec = g_param_spec_double(spec.name, spec.nick, spec.description, minimum, maximum, value, flags)
            case .string(let value, _):
                paramSpec = g_param_spec_string(spec.name, spec.nick, spec.description, value, flags)
            }
            if let paramSpec {
                g_object_class_install_property(objectClass, UInt32(index + 1), paramSpec)
            }
        }
    }

    static func read(_ value: UnsafePointer<GValue>, as spec: ParameterSpec) -> ParameterValue {
        switch spec.type {
        case .bool: .bool(g_value_get_boolean(value) != 0)
        case .int: .int(Int64(g_value_get_int(value)))
        case .double: .double(g_value_get_double(value))
        case .string: .string(g_value_get_string(value).map { String(cString: $0) } ?? "")
        }
    }

    static func write(_ parameter: ParameterValue, to value: UnsafeMutablePointer<GValue>) {
        switch parameter {
        case .bool(let flag): g_value_set_boolean(value, flag ? 1 : 0)
        case .int(let number): g_value_set_int(value, Int32(clamping: number))
        case .double(let number): g_value_set_double(value, number)
        case .string(let text): g_value_set_string(value, text)
        }
    }
}
