/// The parameters of one plugin, and the checks every surface shares.
///
/// GStreamer properties, D-Bus options and `kinora --param` all validate
/// through this type, so a value is accepted or refused the same way
/// wherever it comes from.
public struct ParameterSchema: Sendable, Equatable {
    /// The declared parameters, in declaration order (also the order of properties and help texts).
    public let parameters: [ParameterSpec]

    /// Makes a schema after checking that it is well formed.
    public init(_ parameters: [ParameterSpec]) throws(SchemaError) {
        var seen = Set<String>()
        for spec in parameters {
            try Self.checkWellFormed(spec)
            guard seen.insert(spec.name).inserted else {
                throw SchemaError(parameter: spec.name, problem: "is declared twice")
            }
        }
        self.parameters = parameters
    }

    /// For the SDK's own, known-good declarations (`StandardParameters`).
    init(wellFormed parameters: [ParameterSpec]) {
        self.parameters = parameters
    }

    /// The parameter called `name`, if declared.
    public subscript(name: String) -> ParameterSpec? {
        parameters.first { $0.name == name }
    }

    /// Every declared name, in order (error messages list them).
    public var names: [String] { parameters.map(\.name) }

    /// Every parameter at its default.
    public var defaults: ParameterValues {
        ParameterValues(Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.type.defaultValue) }))
    }

    /// Checks one value: known name, matching type, inside the range.
    /// An integer is accepted for a `double` parameter (JSON and D-Bus
    /// clients often cannot tell them apart); the returned value has the
    /// parameter's own type.
    public func validate(name: String, value: ParameterValue) throws(ParameterError) -> ParameterValue {
        guard let spec = self[name] else {
            throw .unknown(name: name, known: names)
        }
        switch (spec.type, value) {
        case (.bool, .bool):
            return value
        case (.int(let minimum, let maximum, _), .int(let number)):
            guard (minimum...maximum).contains(number) else {
                throw .outOfRange(name: name, value: String(number), allowed: spec.type.rangeDescription)
            }
            return value
        case (.double(let minimum, let maximum, _), .double(let number)):
            guard number.isFinite, (minimum...maximum).contains(number) else {
                throw .outOfRange(name: name, value: String(number), allowed: spec.type.rangeDescription)
            }
            return value
        case (.double, .int(let number)):
            return try validate(name: name, value: .double(Double(number)))
        case (.string(_, let maxLength), .string(let text)):
            guard text.utf8.count <= maxLength else {
                throw .outOfRange(
                    name: name, value: "\(text.utf8.count) bytes long", allowed: spec.type.rangeDescription)
            }
            return value
        default:
            throw .wrongType(name: name, expected: spec.type.tag, got: value.type)
        }
    }

    /// Validates a whole set of values and fills the rest with defaults.
    public func resolve(_ values: [String: ParameterValue]) throws(ParameterError) -> ParameterValues {
        var resolved = defaults.all
        for name in values.keys.sorted() {
            guard let value = values[name] else { continue }
            resolved[name] = try validate(name: name, value: value)
        }
        return ParameterValues(resolved)
    }

    /// Parses text (a `--param K=V` value, a gst-launch property) by the
    /// parameter's type, then validates it.
    public func parse(name: String, text: String) throws(ParameterError) -> ParameterValue {
        guard let spec = self[name] else {
            throw .unknown(name: name, known: names)
        }
        let parsed: ParameterValue?
        switch spec.type {
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "1", "on": parsed = .bool(true)
            case "false", "no", "0", "off": parsed = .bool(false)
            default: parsed = nil
            }
        case .int:
            parsed = Self.parseInteger(text).map(ParameterValue.int)
        case .double:
            parsed = Double(text).map(ParameterValue.double)
        case .string:
            parsed = .string(text)
        }
        guard let parsed else {
            throw .unparsable(name: name, text: text, allowed: spec.type.rangeDescription)
        }
        return try validate(name: name, value: parsed)
    }

    /// Decimal, or hexadecimal with `0x` (colours read best that way).
    private static func parseInteger(_ text: String) -> Int64? {
        let negative = text.hasPrefix("-")
        let digits = negative ? text.dropFirst() : Substring(text)
        let magnitude: Int64?
        if digits.lowercased().hasPrefix("0x") {
            magnitude = Int64(digits.dropFirst(2), radix: 16)
        } else {
            magnitude = Int64(digits, radix: 10)
        }
        return magnitude.map { negative ? -$0 : $0 }
    }

    private static func checkWellFormed(_ spec: ParameterSpec) throws(SchemaError) {
        let name = spec.name
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard let first = name.first, first.isLetter, first.isLowercase, name.allSatisfy(allowed.contains),
            name.count <= 64
        else {
            throw SchemaError(parameter: name, problem: "is not a valid name (lower-case letters, digits and '-')")
        }
        guard !spec.nick.isEmpty, !spec.description.isEmpty else {
            throw SchemaError(parameter: name, problem: "has no nick or description")
        }
        switch spec.type {
        case .bool:
            break
        case .int(let minimum, let maximum, let value):
            guard minimum <= maximum, (minimum...maximum).contains(value),
                minimum >= Int64(Int32.min), maximum <= Int64(Int32.max)
            else {
                throw SchemaError(
                    parameter: name, problem: "has a bad range \(minimum)...\(maximum) or default \(value)")
            }
        case .double(let minimum, let maximum, let value):
            guard minimum.isFinite, maximum.isFinite, minimum <= maximum, (minimum...maximum).contains(value) else {
                throw SchemaError(
                    parameter: name, problem: "has a bad range \(minimum)...\(maximum) or default \(value)")
            }
        case .string(let value, let maxLength):
            guard maxLength > 0, value.utf8.count <= maxLength else {
                throw SchemaError(parameter: name, problem: "has a default longer than its maximum \(maxLength)")
            }
        }
    }
}

/// Why a declared schema is malformed.
public struct SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The parameter's name as declared.
    public let parameter: String
    /// What is wrong with it, as the end of a sentence.
    public let problem: String

    public var description: String { "parameter '\(parameter)' \(problem)" }
}
