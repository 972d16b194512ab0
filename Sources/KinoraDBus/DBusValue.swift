/// A D-Bus value, typed the way D-Bus types it.
public indirect enum DBusValue: Sendable, Equatable {
    case bool(Bool)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    case string(String)
    case objectPath(String)
    /// A Unix file descriptor; when read from a message it is a new
    /// descriptor the reader owns and must close.
    case fileDescriptor(Int32)
    case variant(DBusValue)
    /// `elementSignature` is needed for empty arrays.
    case array(elementSignature: String, [DBusValue])
    /// `a{..}`: entries as key/value pairs.
    case dictionary(keySignature: String, valueSignature: String, [(DBusValue, DBusValue)])
    case structure([DBusValue])
    /// `ay`, written as one fixed array (a picture's bytes); never produced by reading.
    case bytes([UInt8])

    /// The D-Bus type signature of this value.
    public var signature: String {
        switch self {
        case .bool: "b"
        case .int32: "i"
        case .uint32: "u"
        case .int64: "x"
        case .uint64: "t"
        case .double: "d"
        case .string: "s"
        case .objectPath: "o"
        case .fileDescriptor: "h"
        case .variant: "v"
        case .array(let element, _): "a" + element
        case .dictionary(let key, let value, _): "a{" + key + value + "}"
        case .structure(let fields): "(" + fields.map(\.signature).joined() + ")"
        case .bytes: "ay"
        }
    }

    public static func == (lhs: DBusValue, rhs: DBusValue) -> Bool {
        switch (lhs, rhs) {
        case (.bool(let a), .bool(let b)): a == b
        case (.int32(let a), .int32(let b)): a == b
        case (.uint32(let a), .uint32(let b)): a == b
        case (.int64(let a), .int64(let b)): a == b
        case (.uint64(let a), .uint64(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.string(let a), .string(let b)), (.objectPath(let a), .objectPath(let b)): a == b
        case (.fileDescriptor(let a), .fileDescriptor(let b)): a == b
        case (.variant(let a), .variant(let b)): a == b
        case (.array(let sa, let a), .array(let sb, let b)): sa == sb && a == b
        case (.dictionary(let ka, let va, let a), .dictionary(let kb, let vb, let b)):
            ka == kb && va == vb && a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.structure(let a), .structure(let b)): a == b
        case (.bytes(let a), .bytes(let b)): a == b
        default: false
        }
    }

    // Convenience reads, nil when the value has another type.
    public var stringValue: String? {
        switch self {
        case .string(let text), .objectPath(let text): text
        case .variant(let inner): inner.stringValue
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .double(let number): number
        case .variant(let inner): inner.doubleValue
        default: nil
        }
    }

    public var dictionaryEntries: [(DBusValue, DBusValue)]? {
        if case .dictionary(_, _, let entries) = self { return entries }
        return nil
    }

    /// `a{sv}` from Swift.
    public static func stringVariantDictionary(_ entries: [(String, DBusValue)]) -> DBusValue {
        .dictionary(keySignature: "s", valueSignature: "v", entries.map { (.string($0.0), .variant($0.1)) })
    }
}
