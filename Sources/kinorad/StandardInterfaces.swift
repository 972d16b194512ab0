import KinoraDBus
import KinoraProtocol

/// org.freedesktop.DBus.Properties and .Introspectable for the manager and
/// the job objects.
extension KinoraService {
    func properties(
        _ message: DBusMessage, member: String, interface: String, values: [(String, DBusValue)]
    ) throws(DBusError) -> DBusMessage {
        let arguments = message.arguments()
        // No property takes a descriptor; any sent along is a new copy that is ours to close.
        defer { Self.closeDescriptors(in: arguments) }
        guard case .string(let asked)? = arguments.first, asked == interface || asked.isEmpty else {
            throw DBusError(name: KinoraBusError.unknownProperty, message: "no such interface here; use \(interface)")
        }
        let reply = message.methodReturn()
        switch member {
        case "GetAll":
            reply.append(.stringVariantDictionary(values))
        case "Get":
            guard arguments.count == 2, case .string(let name) = arguments[1],
                let value = values.first(where: { $0.0 == name })?.1
            else {
                throw DBusError(
                    name: KinoraBusError.unknownProperty,
                    message: "no such property; \(interface) has \(values.map(\.0).joined(separator: ", "))")
            }
            reply.append(.variant(value))
        case "Set":
            guard arguments.count == 3, case .string(let name) = arguments[1], values.contains(where: { $0.0 == name }) else {
                throw DBusError(
                    name: KinoraBusError.unknownProperty,
                    message: "no such property; \(interface) has \(values.map(\.0).joined(separator: ", "))")
            }
            throw DBusError(name: KinoraBusError.propertyReadOnly, message: "property \(name) of \(interface) is read-only")
        default:
            throw DBusError(
                name: KinoraBusError.unknownMethod, message: "no method org.freedesktop.DBus.Properties.\(member)")
        }
        return reply
    }

    func introspect(_ message: DBusMessage, path: String) -> DBusMessage {
        let xml: String
        if path == KinoraBusAPI.managerPath {
            xml = Introspection.manager
        } else if path + "/" == KinoraBusAPI.jobPathPrefix {
            xml = Introspection.jobsFolder(jobNumbers: jobs.keys.sorted())
        } else if job(at: path) != nil {
            xml = Introspection.job
        } else {
            let prefix = path == "/" ? "/" : path + "/"
            let child = KinoraBusAPI.managerPath.hasPrefix(prefix)
                ? String(KinoraBusAPI.managerPath.dropFirst(prefix.count).split(separator: "/").first ?? "") : ""
            xml = Introspection.parent(child: child)
        }
        let reply = message.methodReturn()
        reply.append(.string(xml))
        return reply
    }
}
