/// How a plugin call failed. The message is shown to the user as it is.
public enum PluginError: Error, Sendable, Equatable, CustomStringConvertible {
    case failed(String)
    case invalidArgument(String)
    /// The host asked the call to stop (see `ProduceContext.isCancelled`).
    case cancelled

    public var description: String {
        switch self {
        case .failed(let message), .invalidArgument(let message): message
        case .cancelled: "cancelled"
        }
    }
}
