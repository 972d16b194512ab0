import KinoraDBus
import KinoraProtocol

/// Asks polkit whether a system-bus caller may run a job (action
/// `org.kinora.Kinora1.generate`, shipped in share/polkit-1/actions).
/// Blocking: runs off the loop thread, on a connection of its own, so a
/// password dialog never stalls the daemon.
struct PolkitAuthority: Sendable {
    static let generateAction = "org.kinora.Kinora1.generate"
    /// Cancelling, or changing the prompt of, a job another user started.
    static let cancelOtherAction = "org.kinora.Kinora1.cancel-other"
    let bus: DBusBus

    enum Verdict: Sendable {
        case authorized
        case denied(String)
    }

    /// Whether `sender` may start a job, and the user it runs as (kept with the job, so that
    /// the same user may later control it from another connection).
    func mayStartJob(sender: String) -> (Verdict, user: UInt32?) {
        let connection: DBusConnection
        do {
            connection = try DBusConnection.open(bus)
        } catch {
            return (.denied("cannot ask polkit: \(error.message)"), nil)
        }
        return (check(sender: sender, action: Self.generateAction, on: connection), unixUser(of: sender, on: connection))
    }

    /// Whether `sender` may cancel or re-prompt a job: its starter's connection or user may;
    /// anyone else needs polkit's `cancel-other`.
    func mayControlJob(sender: String, startedBy starter: String, user owner: UInt32?) -> Verdict {
        if sender == starter { return .authorized }
        let connection: DBusConnection
        do {
            connection = try DBusConnection.open(bus)
        } catch {
            return .denied("cannot ask polkit: \(error.message)")
        }
        if let owner, unixUser(of: sender, on: connection) == owner { return .authorized }
        return check(sender: sender, action: Self.cancelOtherAction, on: connection)
    }

    /// The Unix user behind a bus name, as the bus daemon knows it.
    private func unixUser(of sender: String, on connection: DBusConnection) -> UInt32? {
        guard
            let call = try? DBusMessage.methodCall(
                destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                interface: "org.freedesktop.DBus", member: "GetConnectionUnixUser")
        else { return nil }
        call.append(.string(sender))
        guard let reply = try? connection.call(call, timeoutMilliseconds: 10_000),
            case .uint32(let user)? = reply.arguments().first
        else { return nil }
        return user
    }

    private func check(sender: String, action: String, on connection: DBusConnection) -> Verdict {
        // Constant, valid names: this cannot fail, but a failure still denies, never crashes.
        guard
            let call = try? DBusMessage.methodCall(
                destination: "org.freedesktop.PolicyKit1", path: "/org/freedesktop/PolicyKit1/Authority",
                interface: "org.freedesktop.PolicyKit1.Authority", member: "CheckAuthorization")
        else { return .denied("cannot build the polkit call") }
        let subject = DBusValue.structure([
            .string("system-bus-name"), .stringVariantDictionary([("name", .string(sender))]),
        ])
        let allowUserInteraction: UInt32 = 1
        call.append(
            subject, .string(action), .dictionary(keySignature: "s", valueSignature: "s", []),
            .uint32(allowUserInteraction), .string(""))
        do {
            // Long enough for a person to type a password.
            let reply = try connection.call(call, timeoutMilliseconds: 120_000)
            guard case .structure(let fields)? = reply.arguments().first, case .bool(let authorized)? = fields.first
            else { return .denied("polkit gave an answer kinorad does not understand") }
            return authorized ? .authorized : .denied("polkit does not allow \(sender) to run \(action)")
        } catch {
            return .denied("polkit could not decide (\(error.name): \(error.message))")
        }
    }
}
