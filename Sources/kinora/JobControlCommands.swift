import ArgumentParser
import KinoraDBus
import KinoraProtocol

/// A job named on the command line: its number (`7`) or object path; anything else is a
/// usage error (exit 64) rather than a call the bus would refuse.
func jobPath(_ text: String) throws -> String {
    if let number = UInt64(text) { return KinoraBusAPI.jobPathPrefix + String(number) }
    let elements = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
    let valid = text.hasPrefix("/") && !elements.isEmpty
        && elements.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } }
    guard valid else {
        throw ValidationError("job: '\(text)' is neither a job number nor an object path (such as 7 or \(KinoraBusAPI.jobPathPrefix)7)")
    }
    return text
}

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List kinorad's jobs: queued, running and the last finished ones.",
        discussion: "Read through org.freedesktop.DBus.ObjectManager.GetManagedObjects.")

    @OptionGroup var bus: BusOptions

    @Flag(help: "Print JSON (one array of job objects) instead of text.")
    var json = false

    func run() throws {
        let client = try DaemonClient.connect(bus)
        let call = try DBusMessage.methodCall(
            destination: KinoraBusAPI.busName, path: KinoraBusAPI.managerPath,
            interface: KinoraBusAPI.objectManagerInterface, member: "GetManagedObjects")
        let reply = try client.callOrExit(call)
        var rows: [(path: String, properties: [String: DBusValue])] = []
        for (key, interfaces) in reply.arguments().first?.dictionaryEntries ?? [] {
            guard case .objectPath(let path) = key,
                let entries = interfaces.dictionaryEntries?.first(where: { $0.0.stringValue == KinoraBusAPI.jobInterface })?.1
                    .dictionaryEntries
            else { continue }
            rows.append((path, Dictionary(entries.compactMap { k, v in k.stringValue.map { ($0, v) } }) { $1 }))
        }
        func text(_ row: [String: DBusValue], _ name: String) -> String { row[name]?.stringValue ?? "" }
        if json {
            Terminal.standardOutput(
                JSON.array(rows.map { row in
                    JSON.object([
                        ("job", JSON.string(row.path)), ("operation", JSON.string(text(row.properties, "Operation"))),
                        ("plugin", JSON.string(text(row.properties, "Plugin"))),
                        ("state", JSON.string(text(row.properties, "State"))),
                        ("progress", String(row.properties["Progress"]?.doubleValue ?? 0)),
                        ("error", JSON.string(text(row.properties, "Error"))),
                    ])
                }) + "\n")
            return
        }
        if rows.isEmpty { Terminal.standardOutput("no jobs\n") }
        for row in rows {
            let number = row.path.split(separator: "/").last.map(String.init) ?? row.path
            let percent = Int(((row.properties["Progress"]?.doubleValue ?? 0) * 100).rounded())
            let error = text(row.properties, "Error")
            Terminal.standardOutput(
                "\(number.padding(to: 5)) \(text(row.properties, "State").padding(to: 10)) \(String(percent).padding(to: 4))% "
                    + "\(text(row.properties, "Operation").padding(to: 12)) \(text(row.properties, "Plugin"))"
                    + (error.isEmpty || error == "cancelled" ? "" : "  (\(error))") + "\n")
        }
    }
}

struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a job (queued or running); its output gets nothing.")

    @OptionGroup var bus: BusOptions

    @Argument(help: "The job's number or object path.")
    var job: String

    func run() throws {
        let client = try DaemonClient.connect(bus)
        let call = try DBusMessage.methodCall(
            destination: KinoraBusAPI.busName, path: try jobPath(job), interface: KinoraBusAPI.jobInterface, member: "Cancel")
        do {
            _ = try client.call(call)
        } catch {
            throw ExitStatus.forDaemonError(error)
        }
    }
}

struct PromptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompt",
        abstract: "Change the prompt of a running source job (a stream); it takes effect at the next block.")

    @OptionGroup var bus: BusOptions

    @Argument(help: "The job's number or object path.")
    var job: String

    @Argument(help: "The new prompt.")
    var prompt: String

    func run() throws {
        let client = try DaemonClient.connect(bus)
        let call = try DBusMessage.methodCall(
            destination: KinoraBusAPI.busName, path: try jobPath(job), interface: KinoraBusAPI.jobInterface, member: "SetPrompt")
        call.append(.string(prompt))
        do {
            _ = try client.call(call)
        } catch {
            throw ExitStatus.forDaemonError(error)
        }
    }
}

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List the model folders kinorad finds on its model search path.")

    @OptionGroup var bus: BusOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let client = try DaemonClient.connect(bus)
        let call = try DBusMessage.methodCall(
            destination: KinoraBusAPI.busName, path: KinoraBusAPI.managerPath,
            interface: KinoraBusAPI.managerInterface, member: "GetModels")
        let reply = try client.callOrExit(call)
        guard case .array(_, let entries)? = reply.arguments().first else { return }
        let models: [(String, String)] = entries.compactMap { entry in
            guard case .structure(let fields) = entry, fields.count == 2, let name = fields[0].stringValue,
                let folder = fields[1].stringValue
            else { return nil }
            return (name, folder)
        }
        if json {
            Terminal.standardOutput(
                JSON.array(models.map { JSON.object([("name", JSON.string($0.0)), ("folder", JSON.string($0.1))]) }) + "\n")
            return
        }
        if models.isEmpty { Terminal.standardOutput("no models found\n") }
        for (name, folder) in models { Terminal.standardOutput("\(name.padding(to: 20)) \(folder)\n") }
    }
}
