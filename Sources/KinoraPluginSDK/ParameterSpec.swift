/// The type of a parameter, with the range its values must lie in.
public enum ParameterType: Sendable, Equatable {
    case bool(default: Bool)
    /// An integer in `minimum...maximum`.
    case int(minimum: Int64, maximum: Int64, default: Int64)
    /// A finite real number in `minimum...maximum`.
    case double(minimum: Double, maximum: Double, default: Double)
    /// UTF-8 text of at most `maxLength` bytes.
    case string(default: String, maxLength: Int)

    /// The type without its range, as a plain tag.
    public enum Tag: String, Sendable, CaseIterable {
        case bool, int, double, string
    }

    /// This type's tag.
    public var tag: Tag {
        switch self {
        case .bool: .bool
        case .int: .int
        case .double: .double
        case .string: .string
        }
    }

    /// The value a parameter has when nobody sets it.
    public var defaultValue: ParameterValue {
        switch self {
        case .bool(let value): .bool(value)
        case .int(_, _, let value): .int(value)
        case .double(_, _, let value): .double(value)
        case .string(let value, _): .string(value)
        }
    }

    /// The allowed values in words, for error messages and help texts.
    public var rangeDescription: String {
        switch self {
        case .bool: "true or false"
        case .int(let minimum, let maximum, _): "an integer from \(minimum) to \(maximum)"
        case .double(let minimum, let maximum, _): "a number from \(minimum) to \(maximum)"
        case .string(_, let maxLength): "text of at most \(maxLength) bytes"
        }
    }
}

/// One parameter a plugin accepts.
///
/// A plugin declares each parameter once, here; the GStreamer property, the
/// D-Bus option check and the CLI's `--param` check are all made from it.
public struct ParameterSpec: Sendable, Equatable {
    /// Lower-case words joined by `-`, e.g. `"speed"`; also the GObject property name.
    public var name: String
    /// A short human name (the GObject nick).
    public var nick: String
    /// One sentence saying what it does (the GObject blurb).
    public var description: String
    /// Type, range and default.
    public var type: ParameterType
    /// Whether a change takes effect while a stream runs.
    public var mutableWhilePlaying: Bool

    public init(
        name: String, nick: String, description: String,
        type: ParameterType, mutableWhilePlaying: Bool = false
    ) {
        self.name = name
        self.nick = nick
        self.description = description
        self.type = type
        self.mutableWhilePlaying = mutableWhilePlaying
    }
}
