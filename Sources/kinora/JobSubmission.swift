import ArgumentParser
import KinoraDBus
import KinoraPluginSDK
import KinoraProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// What every job command takes: the plugin, its parameters, the output, and how to wait.
struct JobCommandOptions: ParsableArguments {
    @OptionGroup var bus: BusOptions

    @Option(name: .shortAndLong, help: ArgumentHelp(
            "The file to write: the video is made in a temporary file beside it and renamed over it when the job is done, so a failed or cancelled job leaves an existing file as it was (with --no-wait it is created up front); - for standard output.",
            valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("The plugin to run (default: the first loaded plugin of the right kind).", valueName: "id"))
    var plugin: String?

    @Option(
        name: .customLong("param"),
        help: ArgumentHelp(
            "Set a parameter or job option (width, height, fps, duration); repeatable.", valueName: "name=value"))
    var parameters: [String] = []

    @Flag(help: "Print progress and the result as JSON lines on stdout, and no progress bar.")
    var json = false

    @Flag(
        inversion: .prefixedNo,
        help: "Wait for the job and report how it ended (--no-wait prints the job path and leaves it running, detached).")
    var wait = true
}

/// Submits one job (opening the output, passing descriptors), then follows it
/// to the end or, with --no-wait, prints its path. Exit statuses as documented.
struct JobSubmission {
    let options: JobCommandOptions
    let method: String
    let kind: ElementKind
    /// The plugin id preferred when --plugin is not given.
    let preferredPlugin: String

    /// `arguments(plugin, options a{sv}, output fd)` → the method's arguments.
    func run(label: String, arguments: (String, DBusValue, Int32) throws -> [DBusValue]) throws {
        let client = try DaemonClient.connect(options.bus)
        let plugins = try client.listPlugins()
        let chosen = try choosePlugin(from: plugins)
        var jobOptions = try parseParameters(for: chosen)
        if !options.wait { jobOptions.append(("detached", .bool(true))) }
        let udpPort = try NetworkOutput.port(in: options.output, method: method)
        if let udpPort { jobOptions.append(("udp-port", .int32(Int32(udpPort)))) }
        let writesStandardOutput = options.output == "-"
        let target = try OutputTarget(output: options.output, network: udpPort != nil, waits: options.wait)
        let descriptor = target.descriptor
        let job: String
        do {
            let values = try arguments(chosen.id, .stringVariantDictionary(jobOptions), descriptor)
            job = try start(client, values: values)
        } catch {
            close(descriptor)
            target.discard()
            throw error
        }
        // kinorad holds its own copy of the descriptor now.
        close(descriptor)
        guard options.wait else {
            Terminal.standardOutput(
                options.json ? JSON.object([("event", JSON.string("started")), ("job", JSON.string(job))]) + "\n" : job + "\n")
            return
        }
        let outcome = JobWatcher(client: client, job: job, json: options.json, label: label).wait()
        let quiet = writesStandardOutput
        if outcome.state == .done {
            try target.commit()
            if options.json && !quiet {
                Terminal.standardOutput(
                    JSON.object([
                        ("event", JSON.string("finished")), ("job", JSON.string(job)), ("state", JSON.string("done")),
                        ("output", JSON.string(options.output)),
                    ]) + "\n")
            } else if !quiet {
                Terminal.standardOutput(options.output + "\n")
            }
            return
        }
        target.discard()
        if options.json && !quiet {
            Terminal.standardOutput(
                JSON.object([
                    ("event", JSON.string("finished")), ("job", JSON.string(job)),
                    ("state", JSON.string(outcome.state.rawValue)), ("error", JSON.string(outcome.error)),
                ]) + "\n")
        } else {
            Terminal.error("job \(outcome.state.rawValue): \(outcome.error)")
        }
        throw outcome.state == .cancelled ? ExitStatus.cancelled : ExitStatus.failed
    }

    private func choosePlugin(from plugins: [PluginSummary]) throws -> PluginSummary {
        if let plugin = options.plugin {
            guard let found = plugins.first(where: { $0.id == plugin }) else {
                let known = plugins.map(\.id).joined(separator: ", ")
                Terminal.error("no plugin '\(plugin)' is loaded (loaded: \(known.isEmpty ? "none" : known))")
                throw ExitStatus.usage
            }
            return found
        }
        let fitting = plugins.filter { $0.kind == kind.description }
        guard let found = fitting.first(where: { $0.id == preferredPlugin }) ?? fitting.first else {
            Terminal.error("kinorad has no \(kind) plugin loaded")
            throw ExitStatus.failed
        }
        return found
    }

    private func parseParameters(for plugin: PluginSummary) throws -> [(String, DBusValue)] {
        guard let schema = plugin.optionSchema else {
            Terminal.error("kinorad described plugin '\(plugin.id)' with a malformed schema")
            throw ExitStatus.failed
        }
        var parsed: [(String, DBusValue)] = []
        for assignment in options.parameters {
            guard let equals = assignment.firstIndex(of: "=") else {
                Terminal.error("--param takes name=value, not '\(assignment)'")
                throw ExitStatus.usage
            }
            let name = String(assignment[..<equals])
            let text = String(assignment[assignment.index(after: equals)...])
            do {
                parsed.append((name, try schema.parse(name: name, text: text).busValue))
            } catch {
                Terminal.error(error.description)
                throw ExitStatus.usage
            }
        }
        return parsed
    }

    private func start(_ client: DaemonClient, values: [DBusValue]) throws -> String {
        // Subscribe before asking, so no change of the new job is missed.
        try? client.connection.addMatch(
            "type='signal',sender='\(KinoraBusAPI.busName)',interface='\(KinoraBusAPI.propertiesInterface)',member='PropertiesChanged'"
        )
        // And hear if kinorad goes away while the job runs.
        try? client.connection.addMatch(
            "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='\(KinoraBusAPI.busName)'")
        let call = try DBusMessage.methodCall(
            destination: KinoraBusAPI.busName, path: KinoraBusAPI.managerPath,
            interface: KinoraBusAPI.managerInterface, member: method)
        call.append(contentsOf: values)
        do {
            let reply = try client.call(call)
            guard case .objectPath(let path)? = reply.arguments().first else {
                Terminal.error("kinorad answered \(method) without a job path")
                throw ExitStatus.failed
            }
            return path
        } catch let error as DBusError {
            throw ExitStatus.forDaemonError(error)
        }
    }
}

extension ExitStatus {
    /// Prints a daemon error and maps it to the documented exit status.
    static func forDaemonError(_ error: DBusError) -> ExitCode {
        Terminal.error("\(error.message) [\(error.name)]")
        switch error.name {
        case KinoraBusError.invalidArgument, KinoraBusError.notFound, KinoraBusError.limitExceeded: return usage
        case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner": return unavailable
        default: return failed
        }
    }
}

/// Opens an input file for a job; exit 66 (EX_NOINPUT) when it cannot be read.
func openInput(_ path: String) throws -> Int32 {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        Terminal.error("cannot open \(path): \(String(cString: strerror(errno)))")
        throw ExitStatus.noInput
    }
    return descriptor
}

/// `-o udp://127.0.0.1:PORT` for `kinora stream`: the daemon sends the stream to that
/// loopback port itself (the option udp-port), and no file is made.
enum NetworkOutput {
    static func port(in output: String, method: String) throws -> Int? {
        guard output.hasPrefix("udp://") else { return nil }
        guard method == "StartStream" else {
            throw ValidationError("-o \(output): only `kinora stream` sends to the network; give a file")
        }
        let rest = output.dropFirst("udp://".count)
        guard let colon = rest.lastIndex(of: ":"), ["127.0.0.1", "localhost"].contains(String(rest[..<colon])),
            let port = Int(rest[rest.index(after: colon)...]), (1024...65535).contains(port)
        else {
            throw ValidationError("-o \(output): the network output is udp://127.0.0.1:PORT, PORT from 1024 to 65535 (loopback only)")
        }
        return port
    }
}
