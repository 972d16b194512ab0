import KinoraDBus
import KinoraProtocol

/// A job method's arguments, checked against its signature. Descriptors
/// stay owned by the caller of `init` (closed on every error path there).
struct JobArguments {
    let pluginID: String
    let prompt: String
    let options: [(DBusValue, DBusValue)]
    let input: Int32?
    let output: Int32
    let shots: [(prompt: String, duration: Double, continues: Bool)]?

    /// Allowed shot transitions: `cut` (or empty) joins shots end to end; `continue` makes the
    /// shot carry on from the previous one's last frames under its own prompt (one scene).
    static let transitions = ["cut", "", "continue"]
    /// A shot's length in seconds: the job option `duration`'s range.
    static let shotDurations = 0.05...600.0

    init(message: DBusMessage, arguments: [DBusValue], operation: JobOperation) throws(DBusError) {
        switch operation {
        case .generate, .stream:
            guard message.signature == KinoraBusAPI.generateSignature, arguments.count == 4,
                case .string(let plugin) = arguments[0], case .string(let prompt) = arguments[1],
                case .dictionary(_, _, let entries) = arguments[2], case .fileDescriptor(let output) = arguments[3]
            else { throw Self.wrongSignature(operation, "(plugin s, prompt s, options a{sv}, output h)", message) }
            (pluginID, self.prompt, options, input, self.output, shots) = (plugin, prompt, entries, nil, output, nil)
        case .animate, .extend, .restyle:
            guard message.signature == KinoraBusAPI.transformSignature, arguments.count == 5,
                case .string(let plugin) = arguments[0], case .string(let prompt) = arguments[1],
                case .dictionary(_, _, let entries) = arguments[2], case .fileDescriptor(let input) = arguments[3],
                case .fileDescriptor(let output) = arguments[4]
            else {
                throw Self.wrongSignature(operation, "(plugin s, prompt s, options a{sv}, input h, output h)", message)
            }
            (pluginID, self.prompt, options, self.input, self.output, shots) = (plugin, prompt, entries, input, output, nil)
        case .storyboard:
            guard message.signature == KinoraBusAPI.storyboardSignature, arguments.count == 4,
                case .string(let plugin) = arguments[0], case .array(_, let shotValues) = arguments[1],
                case .dictionary(_, _, let entries) = arguments[2], case .fileDescriptor(let output) = arguments[3]
            else {
                throw Self.wrongSignature(
                    operation, "(plugin s, shots a(sds) of (prompt, seconds, transition), options a{sv}, output h)", message)
            }
            var shots: [(String, Double, Bool)] = []
            for (index, value) in shotValues.enumerated() {
                guard case .structure(let fields) = value, fields.count == 3, case .string(let prompt) = fields[0],
                    case .double(let duration) = fields[1], case .string(let transition) = fields[2]
                else { throw DBusError(name: KinoraBusError.invalidArgument, message: "parameter 'shots[\(index)]' is malformed") }
                guard duration.isFinite, Self.shotDurations.contains(duration) else {
                    throw DBusError(
                        name: KinoraBusError.invalidArgument,
                        message: "parameter 'shots[\(index)].duration' is \(duration); allowed: a number of seconds from \(Self.shotDurations.lowerBound) to \(Self.shotDurations.upperBound)")
                }
                guard Self.transitions.contains(transition) else {
                    throw DBusError(
                        name: KinoraBusError.invalidArgument,
                        message: "parameter 'shots[\(index)].transition' is '\(transition)'; allowed: 'cut' (or empty), 'continue'")
                }
                shots.append((prompt, duration, index > 0 && transition == "continue"))
            }
            guard !shots.isEmpty else {
                throw DBusError(name: KinoraBusError.invalidArgument, message: "parameter 'shots' is empty; give at least one shot")
            }
            (pluginID, prompt, options, input, self.output) = (plugin, shots[0].0, entries, nil, output)
            self.shots = shots
        }
    }

    private static func wrongSignature(_ operation: JobOperation, _ expected: String, _ message: DBusMessage) -> DBusError {
        DBusError(
            name: KinoraBusError.invalidArgument,
            message: "\(operation.rawValue) takes \(expected), not (\(message.signature))")
    }
}
