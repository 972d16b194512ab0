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
    static let configuration = CommandConfiguration(
        commandName: "kinorad",
        abstract: "The Kinora daemon: hosts Kinora plugins and runs generation jobs for D-Bus clients.",
        discussion: """
            kinorad owns the bus name \(KinoraBusAPI.busName) and exports the manager object \
            \(KinoraBusAPI.managerPath) (interface \(KinoraBusAPI.managerInterface)) and one object per job. \
            It loads plugins from its build folder, <prefix>/lib/kinora/plugins and $KINORA_PLUGIN_PATH, \
            and runs each job as a GStreamer pipeline from <prefix>/share/kinora/pipelines.

            Normally started by systemd (kinorad.service) or by D-Bus activation.

            ENVIRONMENT
              KINORA_PLUGIN_PATH         more plugin folders, separated by ':'
              DBUS_SESSION_BUS_ADDRESS   the session bus to serve on
              TMPDIR                     where jobs spool their output until it is complete
              GST_DEBUG=kinora:5         plugin log lines
            """)

    @Flag(help: "Serve on the system bus instead of the session bus.")
    var system = false

    @Option(help: "Serve on the bus at this address instead (for tests).")
    var address: String?

    @Option(help: "Folder with the pipeline descriptions (default: found next to kinorad).")
    var pipelines: String?

    @Flag(help: "Load the plugins, print what was loaded and refused, and exit.")
    var checkPlugins = false

    @Option(help: "Jobs that may run at once (1 to 64); later ones wait in state 'queued'.")
    var maxJobs = 2

    func validate() throws {
        guard (1...64).contains(maxJobs) else {
            throw ValidationError("--max-jobs must be from 1 to 64, not \(maxJobs)")
        }
    }

    func run() throws {
        gst_init(nil, nil)
        let binaryDirectory = directoryOfExecutable()
        let environment = processEnvironment()
        let registry = PluginRegistry(
            searchPath: .standard(binaryDirectory: binaryDirectory, environment: environment),
            modelPath: .standard(binaryDirectory: binaryDirectory, environment: environment))
        for refusal in registry.refusals { log("refused plugin \(refusal)") }
        for plugin in registry.plugins {
            log("loaded plugin '\(plugin.id)' (\(plugin.manifest.elementName), \(plugin.manifest.kind)) from \(plugin.file)")
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
        let service = KinoraService(registry: registry, pipelines: library, loop: loop, slots: JobSlots(limit: maxJobs))
        try connection.requestName(KinoraBusAPI.busName)
        log("serving \(KinoraBusAPI.busName) with \(registry.plugins.count) plugin(s); pipelines from \(library.directory)")

        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { loop.stop() }
            source.resume()
            return source
        }
        loop.run { service.handle($0) }
        service.cancelAllJobs()
        signals.forEach { $0.cancel() }
        log("stopped")
    }
}

struct DaemonFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

