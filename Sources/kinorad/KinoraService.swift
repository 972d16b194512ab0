import KinoraDBus
import KinoraHost
import KinoraPluginSDK
import KinoraProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon's D-Bus objects: the manager and one object per job.
///
/// @unchecked Sendable: every stored property is used on the loop thread
/// only; job threads reach the service solely through `loop.post`.
final class KinoraService: @unchecked Sendable {
    static let version = "0.1.0"
    /// Finished jobs kept for clients that look late; older ones are dropped.
    static let finishedJobsKept = 64

    let registry: PluginRegistry
    let pipelines: PipelineLibrary
    let loop: DBusServiceLoop
    let slots: JobSlots
    private(set) var jobs: [Int: JobObject] = [:]
    private var nextJobNumber = 1

    init(registry: PluginRegistry, pipelines: PipelineLibrary, loop: DBusServiceLoop, slots: JobSlots) {
        self.registry = registry
        self.pipelines = pipelines
        self.loop = loop
        self.slots = slots
    }

    /// Answers one incoming message; false leaves it to libdbus (signals, replies).
    func handle(_ message: DBusMessage) -> Bool {
        guard message.kind == .methodCall, let path = message.path, let member = message.member else { return false }
        let reply: DBusMessage
        do throws(DBusError) {
            reply = try answer(message, path: path, interface: message.interface, member: member)
        } catch {
            reply = message.errorReply(error)
        }
        loop.connection.send(reply)
        return true
    }

    private func answer(_ message: DBusMessage, path: String, interface: String?, member: String) throws(DBusError)
        -> DBusMessage
    {
        if interface == KinoraBusAPI.introspectableInterface || (interface == nil && member == "Introspect") {
            return introspect(message, path: path)
        }
        if path == KinoraBusAPI.managerPath {
            switch (interface ?? KinoraBusAPI.managerInterface, member) {
            case (KinoraBusAPI.managerInterface, "ListPlugins"): return listPlugins(message)
            case (KinoraBusAPI.managerInterface, "Generate"): return try generate(message)
            case (KinoraBusAPI.propertiesInterface, _):
                return try properties(message, member: member, interface: KinoraBusAPI.managerInterface,
                    values: [("Version", .string(Self.version))])
            default: break
            }
        } else if let job = job(at: path) {
            switch (interface ?? KinoraBusAPI.jobInterface, member) {
            case (KinoraBusAPI.jobInterface, "Cancel"):
                job.runner.cancel()
                return message.methodReturn()
            case (KinoraBusAPI.propertiesInterface, _):
                return try properties(message, member: member, interface: KinoraBusAPI.jobInterface, values: job.properties)
            default: break
            }
        } else if path.hasPrefix(KinoraBusAPI.jobPathPrefix) {
            throw DBusError(name: KinoraBusError.unknownJob, message: "no job at \(path) (finished jobs are kept for a while only)")
        }
        throw DBusError(
            name: KinoraBusError.unknownMethod,
            message: "no method \(interface ?? "").\(member) on \(path)")
    }

    // MARK: - Manager

    private func listPlugins(_ message: DBusMessage) -> DBusMessage {
        let reply = message.methodReturn()
        let entries = registry.plugins.map { PluginSummary(manifest: $0.manifest).busValue }
        reply.append(.array(elementSignature: KinoraBusAPI.pluginEntrySignature, entries))
        return reply
    }

    private func generate(_ message: DBusMessage) throws(DBusError) -> DBusMessage {
        let arguments = message.arguments()
        guard message.signature == KinoraBusAPI.generateSignature, arguments.count == 4,
            case .string(let pluginID) = arguments[0], case .string(let prompt) = arguments[1],
            case .dictionary(_, _, let entries) = arguments[2], case .fileDescriptor(let output) = arguments[3]
        else {
            Self.closeDescriptors(in: arguments)
            throw DBusError(
                name: KinoraBusError.invalidArgument,
                message: "Generate takes (plugin s, prompt s, options a{sv}, output h), not (\(message.signature))")
        }
        do throws(DBusError) {
            try Self.checkWritable(output)
            let request = try validatedRequest(pluginID: pluginID, prompt: prompt, entries: entries)
            let description: String
            do {
                description = try pipelines.description(
                    named: "generate-mp4",
                    substitutions: [
                        "element": request.plugin.manifest.elementName, "width": String(request.width),
                        "height": String(request.height), "fps": String(request.fps),
                    ])
            } catch {
                throw DBusError(name: KinoraBusError.failed, message: error.description)
            }
            let number = nextJobNumber
            nextJobNumber += 1
            let path = KinoraBusAPI.jobPathPrefix + String(number)
            let runner = JobRunner(
                request: request, pipelineDescription: description, output: output, slots: slots,
                label: "kinora.job.\(number)")
            jobs[number] = JobObject(path: path, pluginID: request.plugin.id, runner: runner)
            pruneFinishedJobs()
            log("job \(number): \(request.plugin.id) \(request.width)x\(request.height) at \(request.fps) fps for \(request.duration) s")
            let loop = self.loop
            runner.start { [self] event in
                loop.post { self.apply(event, toJob: number) }
            }
            let reply = message.methodReturn()
            reply.append(.objectPath(path))
            return reply
        } catch {
            close(output)
            throw error
        }
    }

    private func validatedRequest(pluginID: String, prompt: String, entries: [(DBusValue, DBusValue)])
        throws(DBusError) -> JobRequest
    {
        guard let plugin = registry.plugin(id: pluginID) else {
            let known = registry.plugins.map(\.id).joined(separator: ", ")
            throw DBusError(
                name: KinoraBusError.unknownPlugin,
                message: "parameter 'plugin': no plugin '\(pluginID)' is loaded (loaded: \(known.isEmpty ? "none" : known))")
        }
        guard plugin.manifest.kind == .source else {
            throw DBusError(
                name: KinoraBusError.invalidArgument,
                message: "parameter 'plugin': '\(pluginID)' is \(plugin.manifest.kind), and Generate needs a source plugin")
        }
        var options: [String: ParameterValue] = [:]
        for (key, value) in entries {
            guard case .string(let name) = key else { continue }
            guard let parameter = ParameterValue(busValue: value) else {
                let inner = if case .variant(let inner) = value { inner } else { value }
                if case .uint64(let number) = inner {
                    throw DBusError(
                        name: KinoraBusError.invalidArgument,
                        message: "parameter '\(name)' is \(number), beyond any parameter's range")
                }
                let signature = inner.signature
                throw DBusError(
                    name: KinoraBusError.invalidArgument,
                    message: "parameter '\(name)' has D-Bus type '\(signature)', which no parameter takes")
            }
            options[name] = parameter
        }
        do {
            return try JobRequest(plugin: plugin, prompt: prompt, options: options)
        } catch {
            throw DBusError(name: KinoraBusError.invalidArgument, message: error.description)
        }
    }

    // MARK: - Jobs

    /// On shutdown: cancel every unfinished job and say so, so clients stop
    /// waiting. Their spools are discarded; callers' descriptors get nothing.
    func cancelAllJobs() {
        for number in jobs.keys.sorted() where !(jobs[number]?.state.isFinal ?? true) {
            jobs[number]?.runner.cancel()
            apply(.cancelled, toJob: number)
        }
        loop.connection.flush()
    }

    func job(at path: String) -> JobObject? {
        guard path.hasPrefix(KinoraBusAPI.jobPathPrefix),
            let number = Int(path.dropFirst(KinoraBusAPI.jobPathPrefix.count))
        else { return nil }
        return jobs[number]
    }

    private func apply(_ event: JobEvent, toJob number: Int) {
        guard let job = jobs[number] else { return }
        let changed = job.apply(event)
        guard !changed.isEmpty else { return }
        if case .failed(let message) = event { log("job \(number) failed: \(message)") }
        if case .succeeded = event { log("job \(number) succeeded") }
        if case .cancelled = event { log("job \(number) cancelled") }
        let signal = DBusMessage.signal(
            path: job.path, interface: KinoraBusAPI.propertiesInterface, member: "PropertiesChanged")
        signal.append(
            .string(KinoraBusAPI.jobInterface), .stringVariantDictionary(changed), .array(elementSignature: "s", []))
        loop.connection.send(signal)
    }

    private func pruneFinishedJobs() {
        let finished = jobs.filter { $0.value.state.isFinal }.keys.sorted()
        for number in finished.dropLast(Self.finishedJobsKept) { jobs[number] = nil }
    }

    /// The output must be open for writing; better said now than after the job ran.
    private static func checkWritable(_ descriptor: Int32) throws(DBusError) {
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, flags & O_ACCMODE == O_WRONLY || flags & O_ACCMODE == O_RDWR else {
            throw DBusError(
                name: KinoraBusError.invalidArgument,
                message: "parameter 'output': the file descriptor is not open for writing")
        }
    }

    private static func closeDescriptors(in values: [DBusValue]) {
        for value in values {
            if case .fileDescriptor(let descriptor) = value { close(descriptor) }
        }
    }
}

/// Daemon log lines go to stderr (the journal under systemd).
func log(_ line: String) {
    var bytes = Array(("kinorad: " + line + "\n").utf8)
    _ = write(STDERR_FILENO, &bytes, bytes.count)
}
