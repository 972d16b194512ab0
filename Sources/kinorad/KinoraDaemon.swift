import ArgumentParser
import CGStreamer
import Dispatch
import KinoraDBus
import KinoraGStreamer
import KinoraHost
import KinoraProtocol

#if canImport(Glibc)
    import Glibc
#endif

@main
struct KinoraDaemon: ParsableCommand {
    static let defaultConfigFile = "/etc/kinora/kinorad.conf"

    static let configuration = CommandConfiguration(
        commandName: "kinorad",
        abstract: "The Kinora daemon: hosts Kinora plugins and runs generation jobs for D-Bus clients.",
        discussion: """
            kinorad owns the bus name \(KinoraBusAPI.busName) and exports the manager object \
            \(KinoraBusAPI.managerPath) (interface \(KinoraBusAPI.managerInterface), with \
            org.freedesktop.DBus.ObjectManager) and one object per job below \(KinoraBusAPI.jobPathPrefix). \
            It loads plugins from its build folder, <prefix>/lib/kinora/plugins and $KINORA_PLUGIN_PATH, \
            and runs each job as a GStreamer pipeline from <prefix>/share/kinora/pipelines. The API is \
            documented in <prefix>/share/dbus-1/interfaces/org.kinora.Kinora1.xml.

            Normally started by systemd (kinorad.service) or by D-Bus activation. Files cross the bus only as \
            descriptors: kinorad never opens a caller's path.

            JOBS
              At most max-running-jobs pipelines run at once; the others wait as 'queued' and are started \
            round robin across callers (D-Bus unique names), so no client starves another. A caller whose \
            connection closes (exit, crash, kill) has its jobs cancelled. A file job writes its output \
            descriptor only once complete: a failed or cancelled job leaves it empty.

            CONFIGURATION
              Read from \(Self.defaultConfigFile) when it exists (or the file given with --config, which must \
            exist), as 'key = value' lines; '#' starts a comment. Options given here override it. \
            `kinorad --print-config` prints every key with its default and range:

            \(ServiceLimits.defaultFile.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

            AUTHORIZATION
              On the system bus (or with --polkit) every job method is first put to polkit as action \
            org.kinora.Kinora1.generate for the calling bus name (interaction allowed: a console user may be \
            asked for a password). Refused, or without polkit on the bus, the call fails with \
            org.kinora.Kinora1.Error.NotAuthorized. The bus policy (share/dbus-1/system.d) decides who may \
            call at all.

            SIGNALS
              SIGTERM, SIGINT  cancel every job (their outputs stay empty), tell clients, release the bus name, exit 0.

            SYSTEMD
              With $NOTIFY_SOCKET set (Type=notify) kinorad sends READY=1 once it owns its name, STATUS= as \
            jobs come and go, and STOPPING=1 on shutdown. Log lines carry job=N fields and, under the journal, \
            syslog priorities.

            EXIT STATUS
              0 stopped on request or idle; 1 configuration or startup error (message on stderr); 64 usage error.

            ENVIRONMENT
              KINORA_PLUGIN_PATH         more plugin folders, separated by ':'
              KINORA_MODEL_PATH          more model folders, separated by ':'
              DBUS_SESSION_BUS_ADDRESS   the session bus to serve on
              TMPDIR                     where jobs spool their output until it is complete
              NOTIFY_SOCKET              systemd's notification socket
              GST_DEBUG=kinora:5         plugin log lines

            FILES
              \(Self.defaultConfigFile), <prefix>/share/kinora/pipelines/*.pipeline,
              <prefix>/share/dbus-1/interfaces/org.kinora.Kinora1.xml
            """)

    @Flag(help: "Serve on the system bus instead of the session bus.")
    var system = false

    @Option(help: "Serve on the bus at this address instead (for tests).")
    var address: String?

    @Option(help: ArgumentHelp("Configuration file (default: \(Self.defaultConfigFile) if present).", valueName: "file"))
    var config: String?

    @Option(help: "Folder with the pipeline descriptions (default: found next to kinorad).")
    var pipelines: String?

    @Flag(help: "Load the plugins, print what was loaded and refused, and exit.")
    var checkPlugins = false

    @Flag(help: "Print the configuration file's keys with their defaults and ranges, and exit.")
    var printConfig = false

    @Flag(help: "Print the documented D-Bus interface XML, and exit.")
    var printInterfaces = false

    @Flag(
        inversion: .prefixedNo,
        help: "Ask polkit (action org.kinora.Kinora1.generate) before starting a caller's job (default: on the system bus only).")
    var polkit: Bool?

    @Option(help: "Jobs that may run at once (1 to 64; overrides max-running-jobs).")
    var maxJobs: Int?

    @Option(help: "Unfinished jobs one caller may have (1 to 4096; overrides max-jobs-per-caller).")
    var maxJobsPerCaller: Int?

    @Option(help: ArgumentHelp("Exit after this many seconds without jobs or calls (0 never; overrides idle-exit).", valueName: "seconds"))
    var idleExit: Int?

    func validate() throws {
        if let maxJobs, !(1...64).contains(maxJobs) {
            throw ValidationError("--max-jobs must be from 1 to 64, not \(maxJobs)")
        }
        if let maxJobsPerCaller, !(1...4096).contains(maxJobsPerCaller) {
            throw ValidationError("--max-jobs-per-caller must be from 1 to 4096, not \(maxJobsPerCaller)")
        }
        if let idleExit, !(0...86400).contains(idleExit) {
            throw ValidationError("--idle-exit must be from 0 to 86400 seconds, not \(idleExit)")
        }
    }

    func run() throws {
        if printConfig {
            print(ServiceLimits.defaultFile)
            return
        }
        if printInterfaces {
            print(Introspection.interfaceFile, terminator: "")
            return
        }
        let limits = try loadLimits()
        gst_init(nil, nil)
        // A stream's reader may go away; its job then fails on EPIPE instead of killing the daemon.
        signal(SIGPIPE, SIG_IGN)
        let binaryDirectory = directoryOfExecutable()
        let environment = processEnvironment()
        let notifier = SystemdNotifier(environment: environment)
        let registry = PluginRegistry(
            searchPath: .standard(binaryDirectory: binaryDirectory, environment: environment),
            modelPath: .standard(binaryDirectory: binaryDirectory, environment: environment))
        for refusal in registry.refusals { log("refused plugin \(refusal)", priority: 4) }
        for plugin in registry.plugins {
            log("loaded plugin=\(plugin.id) element=\(plugin.manifest.elementName) kind=\(plugin.manifest.kind) file=\(plugin.file)")
        }
        if checkPlugins {
            print("model folders \(registry.modelPath.directories.joined(separator: ":"))")
            for plugin in registry.plugins { print("loaded \(plugin.id) \(plugin.file)") }
            for refusal in registry.refusals { print("refused \(refusal)") }
            return
        }
        let library = try PipelineLibrary.locate(explicit: pipelines, binaryDirectory: binaryDirectory)
        guard ElementRegistrar.registerInProcess(registry: registry) else {
            throw DaemonFailure("GStreamer refused Kinora's elements")
        }
        let bus: DBusBus = address.map { .address($0) } ?? (system ? .system : .session)
        let connection = try DBusConnection.open(bus)
        let loop = try DBusServiceLoop(connection: connection)
        let authority = (polkit ?? system) ? PolkitAuthority(bus: bus) : nil
        let service = KinoraService(
            registry: registry, pipelines: library, loop: loop, limits: limits, authority: authority)
        // Callers that leave the bus: their jobs are cancelled.
        try connection.addMatch(
            "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg2=''")
        try connection.requestName(KinoraBusAPI.busName)
        log("serving \(KinoraBusAPI.busName) plugins=\(registry.plugins.count) max-running-jobs=\(limits.maxRunningJobs) pipelines=\(library.directory)")
        notifier.ready(status: "Serving \(registry.plugins.count) plugin(s), no jobs")

        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                notifier.stopping(status: "Stopping: cancelling jobs")
                loop.stop()
            }
            source.resume()
            return source
        }
        let ticker = startTicker(service: service, loop: loop, limits: limits, notifier: notifier)
        loop.run { service.handle($0) }
        ticker.cancel()
        notifier.stopping(status: "Stopping: cancelling jobs")
        // Running jobs stop within 100 ms; a finishing one may take as long as its copy.
        service.shutDown(grace: 10)
        signals.forEach { $0.cancel() }
        log("stopped")
    }

    /// Once a second on the loop thread: STATUS= for systemd, and the idle exit.
    private func startTicker(
        service: KinoraService, loop: DBusServiceLoop, limits: ServiceLimits, notifier: SystemdNotifier
    ) -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        let lastStatus = StatusMemo()
        timer.setEventHandler {
            loop.post {
                let unfinished = service.unfinishedJobCount
                let status = unfinished == 0 ? "Idle" : "\(unfinished) unfinished job(s)"
                if lastStatus.changed(to: status) { notifier.status(status) }
                if limits.idleExitSeconds > 0, unfinished == 0,
                    monotonicSeconds() - service.lastActivity >= Double(limits.idleExitSeconds)
                {
                    log("idle for \(limits.idleExitSeconds) s: exiting")
                    loop.stop()
                }
            }
        }
        timer.resume()
        return timer
    }

    private func loadLimits() throws -> ServiceLimits {
        var limits = ServiceLimits()
        let file = config ?? Self.defaultConfigFile
        if config != nil || access(file, F_OK) == 0 {
            guard let text = readTextFile(file) else { throw DaemonFailure("cannot read the configuration file \(file)") }
            do {
                try limits.apply(configuration: text, file: file)
            } catch {
                throw DaemonFailure(error.description)
            }
        }
        if let maxJobs { limits.maxRunningJobs = maxJobs }
        if let maxJobsPerCaller { limits.maxJobsPerCaller = maxJobsPerCaller }
        if let idleExit { limits.idleExitSeconds = idleExit }
        return limits
    }
}

/// The last STATUS= sent, so systemd hears only changes. Used on the loop thread only.
final class StatusMemo: @unchecked Sendable {
    private var last = ""
    func changed(to status: String) -> Bool {
        defer { last = status }
        return status != last
    }
}

struct DaemonFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A whole small text file, or nil when it cannot be read.
func readTextFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}
