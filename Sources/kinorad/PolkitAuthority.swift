import KinoraDBus
import KinoraProtocol

/// Asks polkit whether a system-bus caller may run a job (action
/// `org.kinora.Kinora1.generate`, shipped in share/polkit-1/actions).
/// Blocking: runs off the loop thread, on a connection of its own, so a
/// password dialog never stalls the daemon.
struct PolkitAuthority: Sendable {
    static let generateAction = "org.kinora.Kinora1.generate"
    let bus: DBusBus

    enum Verdict: Sendable {
        case authorized
        case denied(String)
    }

    func check(sender: String, action: String) -> Verdict {
        let connection: DBusConnection
        do {
            connection = try DBusConnection.open(bus)
        } catch {
            return .denied("cannot ask polkit: \(error.message)")
        }
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
