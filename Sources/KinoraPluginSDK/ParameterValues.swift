/// A complete set of parameter values, every declared parameter present.
public struct ParameterValues: Sendable, Equatable {
    public private(set) var all: [String: ParameterValue]

    /// Wraps values already validated and completed with defaults.
    public init(_ all: [String: ParameterValue]) {
        self.all = all
    }

    /// The value of `name`, untyped.
    public subscript(name: String) -> ParameterValue? {
        get { all[name] }
        set { all[name] = newValue }
    }

    /// Typed reads for plugin code; a missing or mistyped name yields the fallback.
    public func bool(_ name: String, default fallback: Bool = false) -> Bool {
        if case .bool(let value)? = all[name] { return value }
        return fallback
    }

    public func int(_ name: String, default fallback: Int64 = 0) -> Int64 {
        if case .int(let value)? = all[name] { return value }
        return fallback
    }

    public func double(_ name: String, default fallback: Double = 0) -> Double {
        switch all[name] {
        case .double(let value)?: return value
        case .int(let value)?: return Double(value)
        default: return fallback
        }
    }

    public func string(_ name: String, default fallback: String = "") -> String {
        if case .string(let value)? = all[name] { return value }
        return fallback
    }
}
