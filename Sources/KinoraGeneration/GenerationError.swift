/// Why a generation could not start or go on. Each case names what failed, for the
/// element error a user reads.
public enum GenerationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No folder of the search path holds the model (or the text encoder).
    case modelNotFound(name: String, searched: [String], hint: String)
    /// The model folder exists but could not be loaded.
    case modelUnreadable(path: String, reason: String)
    /// A parameter's value cannot be used (a malformed prompt schedule, say).
    case invalidParameter(name: String, reason: String)
    /// The engine failed while generating.
    case engine(String)
    /// The caller asked to stop.
    case cancelled

    public var description: String {
        switch self {
        case .modelNotFound(let name, let searched, let hint):
            "model '\(name)' not found in \(searched.isEmpty ? "an empty search path" : searched.joined(separator: ", ")). \(hint)"
        case .modelUnreadable(let path, let reason): "the model at \(path) could not be loaded: \(reason)"
        case .invalidParameter(let name, let reason): "invalid value for '\(name)': \(reason)"
        case .engine(let message): "generation failed: \(message)"
        case .cancelled: "cancelled"
        }
    }
}
