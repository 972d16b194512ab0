/// Why a parameter value was refused. Every case names the parameter.
public enum ParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknown(name: String, known: [String])
    case wrongType(name: String, expected: ParameterType.Tag, got: ParameterType.Tag)
    case outOfRange(name: String, value: String, allowed: String)
    case unparsable(name: String, text: String, allowed: String)
    case notMutableWhilePlaying(name: String)

    /// The parameter the error is about.
    public var parameterName: String {
        switch self {
        case .unknown(let name, _), .wrongType(let name, _, _), .outOfRange(let name, _, _),
            .unparsable(let name, _, _), .notMutableWhilePlaying(let name):
            name
        }
    }

    public var description: String {
        switch self {
        case .unknown(let name, let known):
            let list = known.isEmpty ? "none" : known.joined(separator: ", ")
            return "unknown parameter '\(name)' (known parameters: \(list))"
        case .wrongType(let name, let expected, let got):
            return "parameter '\(name)' must be of type \(expected.rawValue), not \(got.rawValue)"
        case .outOfRange(let name, let value, let allowed):
            return "parameter '\(name)' is \(value), but must be \(allowed)"
        case .unparsable(let name, let text, let allowed):
            return "parameter '\(name)' cannot be '\(text)': it must be \(allowed)"
        case .notMutableWhilePlaying(let name):
            return "parameter '\(name)' cannot change while the stream plays"
        }
    }
}
