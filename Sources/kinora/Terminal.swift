#if canImport(Glibc)
    import Glibc
#endif

/// Writing to the terminal: errors on stderr, a progress bar only on a TTY.
enum Terminal {
    static func error(_ message: String) {
        standardError("kinora: " + message + "\n")
    }

    static func standardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(STDERR_FILENO, &bytes, bytes.count)
    }

    static func standardOutput(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(STDOUT_FILENO, &bytes, bytes.count)
    }

    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// `[##########..........]  50%`, redrawn in place.
    static func progressBar(_ fraction: Double, label: String) {
        let width = 30
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let percent = String(Int((fraction * 100).rounded(.down)))
        standardError("\r\(label) [\(bar)] \(String(repeating: " ", count: 3 - percent.count))\(percent)%")
    }
}

/// Minimal JSON writing for `--json` (no Foundation in the CLI).
enum JSON {
    static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
}
