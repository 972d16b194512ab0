import CGStreamer
import KinoraPluginSDK

/// Sets a GObject property from a parameter value.
enum GObjectProperty {
    // Fundamental GType ids (G_TYPE_* macros do not import into Swift).
    private static let typeBoolean = GType(5 << 2)
    private static let typeInt = GType(6 << 2)
    private static let typeDouble = GType(15 << 2)
    private static let typeString = GType(16 << 2)

    static func set(_ object: UnsafeMutableRawPointer, name: String, to value: ParameterValue) {
        var gvalue = GValue()
        switch value {
        case .bool(let flag):
            g_value_init(&gvalue, typeBoolean)
            g_value_set_boolean(&gvalue, flag ? 1 : 0)
        case .int(let number):
            g_value_init(&gvalue, typeInt)
            g_value_set_int(&gvalue, Int32(clamping: number))
        case .double(let number):
            g_value_init(&gvalue, typeDouble)
            g_value_set_double(&gvalue, number)
        case .string(let text):
            g_value_init(&gvalue, typeString)
            g_value_set_string(&gvalue, text)
        }
        g_object_set_property(object.assumingMemoryBound(to: GObject.self), name, &gvalue)
        g_value_unset(&gvalue)
    }
}
