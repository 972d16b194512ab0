import ArgumentParser
import KinoraDBus
import KinoraProtocol

/// kinorad as the CLI sees it: blocking calls on a private connection.
struct DaemonClient {
    let connection: DBusConnection

    /// Connects, or exits with status 69 and a sentence saying why.
    static func connect(_ options: BusOptions) throws -> DaemonClient {
        let bus: DBusBus = options.busAddress.map { .address($0) } ?? (options.system ? .system : .session)
        do {
            return DaemonClient(connection: try DBusConnection.open(bus))
        } catch {
            Terminal.error("cannot connect to the \(options.system ? "system" : "session") bus: \(error.message)")
            throw ExitStatus.unavailable
        }
    }

    func listPlugins() throws -> [PluginSummary] {
        let call = try DBusMessage.methodCall(
            destination: KinoraBusAPI.busName, path: KinoraBusAPI.managerPath,
            interface: KinoraBusAPI.managerInterface, member: "ListPlugins")
        let reply = try callOrExit(call)
        guard case .array(_, let entries)? = reply.arguments().first else { return [] }
        return entries.compactMap(PluginSummary.init(busValue:))
    }

    /// Sends a call; a missing daemon exits 69, other errors are thrown for the caller.
    func call(_ message: DBusMessage) throws(DBusError) -> DBusMessage {
        try connection.call(message)
    }

    func callOrExit(_ message: DBusMessage) throws -> DBusMessage {
        do {
            return try connection.call(message)
        } catch {
            if error.name == "org.freedesktop.DBus.Error.ServiceUnknown"
                || error.name == "org.freedesktop.DBus.Error.NameHasNoOwner"
            {
                Terminal.error("kinorad is not running on this bus (\(error.message))")
                throw ExitStatus.unavailable
            }
            Terminal.error(error.description)
            throw ExitStatus.failed
        }
    }

    func jobProperties(_ path: String) -> [String: DBusValue] {
        guard
            let call = try? DBusMessage.methodCall(
                destination: KinoraBusAPI.busName, path: path, interface: KinoraBusAPI.propertiesInterface,
                member: "GetAll")
        else { return [:] }
        call.append(.string(KinoraBusAPI.jobInterface))
        guard let reply = try? connection.call(call), let entries = reply.arguments().first?.dictionaryEntries
        else { return [:] }
        return Dictionary(entries.compactMap { key, value in key.stringValue.map { ($0, value) } }) { $1 }
    }

    func cancel(_ path: String) {
        guard
            let call = try? DBusMessage.methodCall(
                destination: KinoraBusAPI.busName, path: path, interface: KinoraBusAPI.jobInterface, member: "Cancel")
        else { return }
        _ = try? connection.call(call)
    }
}
