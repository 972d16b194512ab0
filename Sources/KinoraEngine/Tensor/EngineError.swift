/// An error raised by a kernel, layer or model when its inputs do not fit.
///
/// Every public entry of the engine validates shapes and arguments and throws one of these
/// (with the operation's name and the offending shapes) instead of crashing.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    /// Tensor shapes do not fit the operation.
    case shapeMismatch(operation: String, detail: String)
    /// An argument (a count, a size, a hyper-parameter) is out of its valid range.
    case invalidArgument(operation: String, detail: String)
    /// A configuration file is missing, unreadable or inconsistent.
    case invalidConfiguration(file: String, detail: String)
    /// A model's files are absent; `hint` says how to get them.
    case modelNotFound(path: String, hint: String)
    /// The caller's progress handler asked to stop.
    case cancelled

    public var description: String {
        switch self {
        case .shapeMismatch(let op, let detail): return "\(op): shape mismatch: \(detail)"
        case .invalidArgument(let op, let detail): return "\(op): invalid argument: \(detail)"
        case .invalidConfiguration(let file, let detail): return "\(file): invalid configuration: \(detail)"
        case .modelNotFound(let path, let hint): return "model not found at \(path). \(hint)"
        case .cancelled: return "cancelled by the caller"
        }
    }
}
