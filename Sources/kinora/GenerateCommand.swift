import ArgumentParser
import Dispatch
import KinoraDBus
import KinoraPluginSDK
import KinoraProtocol
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a video clip from a prompt and write it to a file (H.264 in MP4).",
        discussion: """
            kinora opens FILE itself and passes the open descriptor to kinorad. The daemon encodes into a \
            private temporary file and copies it to FILE only when the job succeeded: after a failure or \
            a cancel, FILE is removed and nothing half-written is left.

            Parameters are checked here and again by the daemon against the plugin's schema (see \
            `kinora plugins`); an unknown name, a wrong type or a value out of range exits with status 64 \
            and names the parameter and its allowed range.

            On a terminal a progress bar is drawn on stderr; Ctrl-C cancels the job.

            EXAMPLES
              kinora generate "a red ball bouncing" -o ball.mp4
              kinora generate test -o t.mp4 --param duration=4 --param speed=8
              kinora generate "test" -o t.mp4 --json
            """)

    @OptionGroup var bus: BusOptions

    @Argument(help: "What the video should show.")
    var prompt: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write (created or truncated).", valueName: "file"))
    var output: String

    @Option(
        help: ArgumentHelp(
            "The plugin to run (default: text-to-video when loaded, else the first source plugin).",
            valueName: "id"))
    var plugin: String?

    @Option(
        name: .customLong("param"),
        help: ArgumentHelp(
            "Set a parameter or job option (width, height, fps, duration); repeatable.", valueName: "name=value"))
    var parameters: [String] = []

    @Flag(help: "Print progress and the result as JSON lines on stdout, and no progress bar.")
    var json = false

    func run() throws {
        let client = try DaemonClient.connect(bus)
        let plugins = try client.listPlugins()
        let chosen = try choosePlugin(from: plugins)
        let options = try parseParameters(for: chosen)
        let descriptor = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            Terminal.error("cannot create \(output): \(String(cString: strerror(errno)))")
            throw ExitStatus.cannotCreate
        }
        var job: String
        do {
            job = try startJob(client, plugin: chosen.id, options: options, output: descriptor)
        } catch {
            close(descriptor)
            unlink(output)
            throw error
        }
        // kinorad holds its own copy of the descriptor now.
        close(descriptor)
        let outcome = JobWatcher(client: client, job: job, json: json).wait()
        switch outcome.state {
        case .done:
            if json {
                Terminal.standardOutput(
                    JSON.object([
                        ("event", JSON.string("finished")), ("job", JSON.string(job)), ("state", JSON.string("done")),
                        ("output", JSON.string(output)),
                    ]) + "\n")
            } else {
                Terminal.standardOutput(output + "\n")
            }
        default:
            unlink(output)
            if json {
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
    }

    private func choosePlugin(from plugins: [PluginSummary]) throws -> PluginSummary {
        if let plugin {
            guard let found = plugins.first(where: { $0.id == plugin }) else {
                let known = plugins.map(\.id).joined(separator: ", ")
                Terminal.error("no plugin '\(plugin)' is loaded (loaded: \(known.isEmpty ? "none" : known))")
                throw ExitStatus.usage
            }
            return found
        }
        let sources = plugins.filter { $0.kind == ElementKind.source.description }
        guard let found = sources.first(where: { $0.id == "text-to-video" }) ?? sources.first else {
            Terminal.error("kinorad has no source plugin loaded")
            throw ExitStatus.failed
        }
        return found
    }

    private func parseParameters(for plugin: PluginSummary) throws -> [(String, DBusValue)] {
        guard let schema = plugin.optionSchema else {
            Terminal.error("kinorad described plugin '\(plugin.id)' with a malformed schema")
            throw ExitStatus.failed
        }
        var options: [(String, DBusValue)] = []
        for assignment in parameters {
            guard let equals = assignment.firstIndex(of: "=") else {
                Terminal.error("--param takes name=value, not '\(assignment)'")
                throw ExitStatus.usage
            }
            let name = String(assignment[..<equals])
            let text = String(assignment[assignment.index(after: equals)...])
            do {
                options.append((name, try schema.parse(name: name, text: text).busValue))
            } catch {
                Terminal.error(error.description)
                throw ExitStatus.usage
            }
        }
        return options
    }

    private func startJob(_ client: DaemonClient, plugin: String, options: [(String, DBusValue)], output: Int32) throws
        -> String
    {
        // Subscribe before asking, so no change of the new job is missed.
        try? client.connection.addMatch(
            "type='signal',sender='\(KinoraBusAPI.busName)',interface='\(KinoraBusAPI.propertiesInterface)',member='PropertiesChanged'"
        )
        // And hear if kinorad goes away while the job runs.
        try? client.connection.addMatch(
            "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='\(KinoraBusAPI.busName)'")
        let call = DBusMessage.methodCall(
            destination: KinoraBusAPI.busName, path: KinoraBusAPI.managerPath,
            interface: KinoraBusAPI.managerInterface, member: "Generate")
        call.append(.string(plugin), .string(prompt), .stringVariantDictionary(options), .fileDescriptor(output))
        do {
            let reply = try client.call(call)
            guard case .objectPath(let path)? = reply.arguments().first else {
                Terminal.error("kinorad answered Generate without a job path")
                throw ExitStatus.failed
            }
            return path
        } catch let error as DBusError {
            Terminal.error("\(error.message) [\(error.name)]")
            switch error.name {
            case KinoraBusError.invalidArgument, KinoraBusError.notFound, KinoraBusError.limitExceeded: throw ExitStatus.usage
            case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner":
                throw ExitStatus.unavailable
            default: throw ExitStatus.failed
            }
        }
    }
}
