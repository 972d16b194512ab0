#if canImport(Glibc)
    import Glibc
#endif

/// Log lines as native journal entries, so `journalctl KINORA_JOB=12` finds one job's lines.
///
/// Under systemd (`$JOURNAL_STREAM` set) each line goes to journald's native socket as a
/// datagram of fields — MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, and KINORA_JOB, KINORA_CALLER,
/// KINORA_OPERATION, KINORA_PLUGIN taken from the line's own `job=12 caller=:1.40 …` — in the
/// journal's native protocol (no libsystemd needed). `$KINORAD_JOURNAL_SOCKET` names another
/// socket (a container's journal mounted elsewhere; the tests). If the journal cannot take
/// it, the line goes to stderr as before.
enum JournalLog {
    /// The journal socket, or nil when not running under the journal.
    static let socketPath: String? = {
        guard getenv("JOURNAL_STREAM") != nil else { return nil }
        return getenv("KINORAD_JOURNAL_SOCKET").map { String(cString: $0) } ?? "/run/systemd/journal/socket"
    }()

    /// One datagram socket for the process' life (datagrams from any thread are atomic).
    private static let descriptor: Int32 = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)

    /// The `key=value` words of a line that become their own fields.
    static let fieldKeys = ["job", "caller", "operation", "plugin"]

    /// Sends one entry; false if there is no journal or it refused the datagram.
    static func send(_ line: String, priority: Int) -> Bool {
        guard let socketPath, descriptor >= 0 else { return false }
        var fields = [("MESSAGE", "kinorad: " + line), ("PRIORITY", String(priority)), ("SYSLOG_IDENTIFIER", "kinorad")]
        for word in line.split(separator: " ") {
            guard let equals = word.firstIndex(of: "=") else { continue }
            let key = String(word[..<equals])
            guard fieldKeys.contains(key) else { continue }
            fields.append(("KINORA_" + key.uppercased(), String(word[word.index(after: equals)...])))
        }
        let datagram = encode(fields)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let sent = datagram.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
        return sent == datagram.count
    }

    /// The native protocol: `KEY=value\n`, or for a value with a newline
    /// `KEY\n` + its length as 64-bit little endian + the value + `\n`.
    static func encode(_ fields: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (key, value) in fields {
            let bytes = Array(value.utf8)
            out += Array(key.utf8)
            if bytes.contains(UInt8(ascii: "\n")) {
                out.append(UInt8(ascii: "\n"))
                withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { out += $0 }
            } else {
                out.append(UInt8(ascii: "="))
            }
            out += bytes
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}
