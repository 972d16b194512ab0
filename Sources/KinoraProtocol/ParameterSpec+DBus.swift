import KinoraDBus
import KinoraPluginSDK

/// Parameter specs and values on the bus: how `ListPlugins` carries a
/// schema and how `a{sv}` options become typed parameter values.
extension ParameterSpec {
    /// `(name, type, description, default, minimum, maximum, mutable-while-playing)`.
    public var busValue: DBusValue {
        let (defaultValue, minimum, maximum): (DBusValue, DBusValue, DBusValue)
        switch type {
        case .bool(let value): (defaultValue, minimum, maximum) = (.bool(value), .bool(false), .bool(true))
        case .int(let low, let high, let value): (defaultValue, minimum, maximum) = (.int64(value), .int64(low), .int64(high))
        case .double(let low, let high, let value):
            (defaultValue, minimum, maximum) = (.double(value), .double(low), .double(high))
        case .string(let value, let length): (defaultValue, minimum, maximum) = (.string(value), .int64(0), .int64(Int64(length)))
        }
        return .structure([
            .string(name), .string(type.tag.rawValue), .string(description),
            .variant(defaultValue), .variant(minimum), .variant(maximum), .bool(mutableWhilePlaying),
        ])
    }

    /// Reads a spec written by `busValue`; nil if malformed.
    public init?(busValue: DBusValue) {
        guard case .structure(let fields) = busValue, fields.count == 7,
            case .string(let name) = fields[0], case .string(let tag) = fields[1],
            case .string(let description) = fields[2], case .variant(let defaultValue) = fields[3],
            case .variant(let minimum) = fields[4], case .variant(let maximum) = fields[5],
            case .bool(let mutable) = fields[6]
        else { return nil }
        let type: ParameterType
        switch (tag, defaultValue, minimum, maximum) {
        case ("bool", .bool(let value), _, _): type = .bool(default: value)
        case ("int", .int64(let value), .int64(let low), .int64(let high)):
            type = .int(minimum: low, maximum: high, default: value)
        case ("double", .double(let value), .double(let low), .double(let high)):
            type = .double(minimum: low, maximum: high, default: value)
        case ("string", .string(let value), _, .int64(let length)):
            type = .string(default: value, maxLength: Int(clamping: length))
        default: return nil
        }
        self.init(name: name, nick: name, description: description, type: type, mutableWhilePlaying: mutable)
    }
}

extension ParameterValue {
    /// The bus form of a value (inside the variant of an `a{sv}` entry).
    public var busValue: DBusValue {
        switch self {
        case .bool(let flag): .bool(flag)
        case .int(let number): .int64(number)
        case .double(let number): .double(number)
        case .string(let text): .string(text)
        }
    }

    /// A value from the bus; integers of any width read as `.int`. Nil for
    /// types no parameter has (arrays, paths, file descriptors...).
    public init?(busValue: DBusValue) {
        switch busValue {
        case .bool(let flag): self = .bool(flag)
        case .int32(let number): self = .int(Int64(number))
        case .uint32(let number): self = .int(Int64(number))
        case .int64(let number): self = .int(number)
        case .uint64(let number):
            guard let exact = Int64(exactly: number) else { return nil }
            self = .int(exact)
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .variant(let inner): self.init(busValue: inner)
        default: return nil
        }
    }
}
