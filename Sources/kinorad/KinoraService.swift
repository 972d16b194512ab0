import Dispatch
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
    static let version = "0.2.0"

    let registry: PluginRegistry
    let pipelines: PipelineLibrary
    let loop: DBusServiceLoop
    let limits: ServiceLimits
    /// Set on the system bus: polkit decides who may start jobs.
    let authority: PolkitAuthority?
    private(set) var jobs: [Int: JobObject] = [:]
    private var scheduler: JobScheduler
    private var nextJobNumber = 1
    /// Set once shutdown began: no queued job starts any more.
    private var shuttingDown = false
    /// Callers that left the bus while they had jobs (their finished jobs are not protected).
    private var departedCallers: Set<String> = []
    /// The Unix user of callers that polkit was asked about (system bus), by unique name.
    private var callerUsers: [String: UInt32] = [:]
    /// Calls waiting for polkit's decision.
    private var pendingAuthorizations = 0
    /// The job counts last sent in the manager's PropertiesChanged.
    private var announcedJobCounts: (UInt32, UInt32) = (0, 0)
    /// A connected caller's own finished jobs kept beyond `finished-jobs-kept`.
    static let finishedJobsKeptPerCaller = 16
    /// Monotonic seconds of the last call or job end, for the idle exit.
    private(set) var lastActivity = monotonicSeconds()

    init(
        registry: PluginRegistry, pipelines: PipelineLibrary, loop: DBusServiceLoop, limits: ServiceLimits,
        authority: PolkitAuthority?
    ) {
        self.authority = authority
        self.registry = registry
        self.pipelines = pipelines
        self.loop = loop
        self.limits = limits
        self.scheduler = JobScheduler(maxRunning: limits.maxRunningJobs)
    }

    var unfinishedJobCount: Int { jobs.values.filter { !$0.state.isFinal }.count }

    /// Answers one incoming message; false leaves it to libdbus (replies, other signals).
    func handle(_ message: DBusMessage) -> Bool {
        if message.kind == .signal {
            callerVanished(message)
            return false
        }
        guard message.kind == .methodCall, let path = message.path, let member = message.member else { return false }
        lastActivity = monotonicSeconds()
        if let authority, let decide = authorization(for: message, path: path, member: member, authority: authority) {
            // Ask polkit (and the bus, who the caller is) off the loop thread; answer the call
            // when it has decided. A bounded number wait at once: each holds a thread and a
            // connection for up to the time a person takes to type a password.
            guard pendingAuthorizations < Self.maxPendingAuthorizations else {
                Self.closeDescriptors(in: message.arguments())
                loop.connection.send(
                    message.errorReply(
                        DBusError(
                            name: KinoraBusError.limitExceeded,
                            message: "\(Self.maxPendingAuthorizations) calls are already waiting for polkit; try again later")))
                return true
            }
            pendingAuthorizations += 1
            let loop = self.loop
            DispatchQueue.global().async {
                let (verdict, user) = decide()
                loop.post {
                    self.pendingAuthorizations -= 1
                    if let user, let sender = message.sender { self.callerUsers[sender] = user }
                    self.answerAuthorized(message, path: path, member: member, verdict: verdict)
                }
            }
            return true
        }
        respond(to: message, path: path, member: member)
        return true
    }

    /// Calls that polkit (or the job's ownership) must allow first, on the system bus: the job
    /// methods, and Cancel or SetPrompt of a job. Nil: answer at once.
    private func authorization(
        for message: DBusMessage, path: String, member: String, authority: PolkitAuthority
    ) -> (@Sendable () -> (PolkitAuthority.Verdict, UInt32?))? {
        let sender = message.sender ?? ""
        if path == KinoraBusAPI.managerPath, Self.jobMethods.contains(member),
            (message.interface ?? KinoraBusAPI.managerInterface) == KinoraBusAPI.managerInterface
        {
            return { authority.mayStartJob(sender: sender) }
        }
        if let job = job(at: path), Self.jobControlMethods.contains(member),
            (message.interface ?? KinoraBusAPI.jobInterface) == KinoraBusAPI.jobInterface
        {
            let starter = job.caller
            let owner = job.callerUser
            return { (authority.mayControlJob(sender: sender, startedBy: starter, user: owner), nil) }
        }
        return nil
    }

    /// Job methods that change another's work: only its starter (connection or user) may,
    /// or whom polkit allows `cancel-other`.
    static let jobControlMethods: Set<String> = ["Cancel", "SetPrompt"]
    /// Calls waiting for polkit at once, at most.
    static let maxPendingAuthorizations = 64

    /// The methods that start jobs, which polkit must allow on the system bus.
    static let jobMethods: Set<String> = Set(JobOperation.allCases.map(\.rawValue))

    private func answerAuthorized(_ message: DBusMessage, path: String, member: String, verdict: PolkitAuthority.Verdict) {
        guard case .denied(let reason) = verdict else {
            respond(to: message, path: path, member: member)
            return
        }
        Self.closeDescriptors(in: message.arguments())
        log("caller=\(message.sender ?? "") \(member) refused: \(reason)", priority: 5)
        loop.connection.send(message.errorReply(DBusError(name: KinoraBusError.notAuthorized, message: reason)))
    }

    private func respond(to message: DBusMessage, path: String, member: String) {
        let reply: DBusMessage
        do throws(DBusError) {
            reply = try answer(message, path: path, interface: message.interface, member: member)
        } catch {
            reply = message.errorReply(error)
        }
        loop.connection.send(reply)
    }

    private func answer(_ message: DBusMessage, path: String, interface: String?, member: String) throws(DBusError)
        -> DBusMessage
    {
        if interface == KinoraBusAPI.introspectableInterface || (interface == nil && member == "Introspect") {
            return introspect(message, path: path)
        }
        if path == KinoraBusAPI.managerPath {
            switch (interface ?? KinoraBusAPI.managerInterface, member) {
            case (KinoraBusAPI.managerInterface, "ListPlugins"): return try noArguments(message) { listPlugins($0) }
            case (KinoraBusAPI.managerInterface, "GetModels"): return try noArguments(message) { getModels($0) }
            case (KinoraBusAPI.managerInterface, "Version"): return try noArguments(message) { version($0) }
            case (KinoraBusAPI.managerInterface, "Limits"): return try noArguments(message) { limitsReply($0) }
            case (KinoraBusAPI.managerInterface, "Generate"): return try submit(message, operation: .generate)
            case (KinoraBusAPI.managerInterface, "Animate"): return try submit(message, operation: .animate)
            case (KinoraBusAPI.managerInterface, "Extend"): return try submit(message, operation: .extend)
            case (KinoraBusAPI.managerInterface, "Restyle"): return try submit(message, operation: .restyle)
            case (KinoraBusAPI.managerInterface, "StartStream"): return try submit(message, operation: .stream)
            case (KinoraBusAPI.managerInterface, "Storyboard"): return try submit(message, operation: .storyboard)
            case (KinoraBusAPI.objectManagerInterface, "GetManagedObjects"):
                return try noArguments(message) { managedObjects($0) }
            case (KinoraBusAPI.propertiesInterface, _):
                return try properties(
                    message, member: member, interface: KinoraBusAPI.managerInterface, values: managerProperties)
            default: break
            }
        } else if let job = job(at: path) {
            switch (interface ?? KinoraBusAPI.jobInterface, member) {
            case (KinoraBusAPI.jobInterface, "Cancel"):
                return try noArguments(message) { message in
                    cancel(job)
                    return message.methodReturn()
                }
            case (KinoraBusAPI.jobInterface, "SetPrompt"): return try setPrompt(message, job: job)
            case (KinoraBusAPI.propertiesInterface, _):
                return try properties(message, member: member, interface: KinoraBusAPI.jobInterface, values: job.properties)
            default: break
            }
        } else if path.hasPrefix(KinoraBusAPI.jobPathPrefix) {
            throw DBusError(
                name: KinoraBusError.notFound,
                message: "parameter 'job': no job at \(path) (the last \(limits.finishedJobsKept) finished jobs are kept)")
        }
        throw DBusError(name: KinoraBusError.unknownMethod, message: "no method \(interface ?? "").\(member) on \(path)")
    }

    private func noArguments(_ message: DBusMessage, _ body: (DBusMessage) -> DBusMessage) throws(DBusError) -> DBusMessage {
        guard message.signature.isEmpty else {
            Self.closeDescriptors(in: message.arguments())
            throw DBusError(
                name: KinoraBusError.invalidArgument,
                message: "\(message.member ?? "this method") takes no arguments, not (\(message.signature))")
        }
        return body(message)
    }

    // MARK: - Manager: information

    private var managerProperties: [(String, DBusValue)] {
        [
            ("Version", .string(Self.version)), ("RunningJobs", .uint32(UInt32(scheduler.running.count))),
            ("QueuedJobs", .uint32(UInt32(scheduler.queuedCount))),
            ("MaxRunningJobs", .uint32(UInt32(limits.maxRunningJobs))),
        ]
    }

    private func listPlugins(_ message: DBusMessage) -> DBusMessage {
        let reply = message.methodReturn()
        let entries = registry.plugins.map { PluginSummary(manifest: $0.manifest).busValue }
        reply.append(.array(elementSignature: KinoraBusAPI.pluginEntrySignature, entries))
        return reply
    }

    private func version(_ message: DBusMessage) -> DBusMessage {
        let reply = message.methodReturn()
        reply.append(.string(Self.version))
        return reply
    }

    /// `Limits() → a{sv}`: every configured limit under its configuration-file key.
    private func limitsReply(_ message: DBusMessage) -> DBusMessage {
        let reply = message.methodReturn()
        reply.append(.stringVariantDictionary(ServiceLimits.entries.map { entry in
            let value = entry.get(limits)
            return (entry.key, value == value.rounded() ? .int64(Int64(value)) : .double(value))
        }))
        return reply
    }

    /// `GetModels() → a(ss)`: each model folder found on the model search path, and its path.
    private func getModels(_ message: DBusMessage) -> DBusMessage {
        var models: [DBusValue] = []
        var seen: Set<String> = []
        for directory in registry.modelPath.directories {
            for name in Self.subfolders(of: directory) where !seen.contains(name) {
                seen.insert(name)
                models.append(.structure([.string(name), .string(directory + "/" + name)]))
            }
        }
        let reply = message.methodReturn()
        reply.append(.array(elementSignature: "(ss)", models))
        return reply
    }

    private static func subfolders(of directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix("."), entry.pointee.d_type == UInt8(DT_DIR) { names.append(name) }
        }
        return names.sorted()
    }

    // MARK: - Manager: jobs

    private func submit(_ message: DBusMessage, operation: JobOperation) throws(DBusError) -> DBusMessage {
        let arguments = message.arguments()
        var descriptors: [Int32] = arguments.compactMap { if case .fileDescriptor(let fd) = $0 { fd } else { nil } }
        // Only top-level descriptors can become a job's input or output; libdbus gave us a
        // new copy of every descriptor in the message, so any nested in the options (which no
        // parameter takes) is closed whatever the outcome.
        defer {
            descriptors.forEach { close($0) }
            Self.closeDescriptors(in: arguments.filter { if case .fileDescriptor = $0 { false } else { true } })
        }
        let parsed = try JobArguments(message: message, arguments: arguments, operation: operation)
        try Self.checkMode(parsed.output, parameter: "output", writable: true)
        if let input = parsed.input { try Self.checkMode(input, parameter: "input", writable: false) }
        let caller = message.sender ?? ""
        try checkQueueLimits(caller: caller)
        // `detached`: the job outlives its caller's connection (gdbus call, a script
        // that exits); otherwise a caller that leaves the bus has its jobs cancelled.
        var jobOptions = parsed.options
        var detached = false
        if let value = Self.take("detached", from: &jobOptions) {
            guard case .bool(let flag)? = ParameterValue(busValue: value) else {
                throw DBusError(
                    name: KinoraBusError.invalidArgument, message: "parameter 'detached' must be of type boolean")
            }
            detached = flag
        }
        // `preview-interval`: seconds between the job's Preview signals (0, the default: none).
        var previewInterval = 0.0
        if let value = Self.take("preview-interval", from: &jobOptions) {
            guard case .double(let seconds)? = ParameterValue(busValue: value), seconds == 0 || (0.1...3600).contains(seconds)
            else {
                throw DBusError(
                    name: KinoraBusError.invalidArgument,
                    message: "parameter 'preview-interval' must be a double, 0 (no previews) or from 0.1 to 3600 seconds")
            }
            previewInterval = seconds
        }
        // `udp-port`: StartStream sends its MPEG-TS to 127.0.0.1:PORT instead of the descriptor.
        var udpPort: Int?
        if let value = Self.take("udp-port", from: &jobOptions) {
            guard operation == .stream else {
                throw DBusError(
                    name: KinoraBusError.invalidArgument, message: "parameter 'udp-port': only StartStream sends to the network")
            }
            guard case .int(let port)? = ParameterValue(busValue: value), (1024...65535).contains(port) else {
                throw DBusError(
                    name: KinoraBusError.invalidArgument,
                    message: "parameter 'udp-port' must be an integer from 1024 to 65535 (a UDP port on 127.0.0.1)")
            }
            udpPort = Int(port)
        }
        let request = try validatedRequest(parsed, options: jobOptions, operation: operation)
        let description = try pipelineDescription(for: request, udpPort: udpPort)
        let number = nextJobNumber
        nextJobNumber += 1
        let runner = JobRunner(
            request: request, pipelineDescription: description, input: parsed.input, output: parsed.output,
            outputMode: operation != .stream ? .spooled : udpPort == nil ? .direct : .network,
            previewInterval: previewInterval,
            label: "kinora.job.\(number)")
        descriptors.removeAll()  // the runner owns them now
        let job = JobObject(number: number, caller: caller, callerUser: callerUsers[caller], detached: detached, runner: runner)
        jobs[number] = job
        log("job=\(number) caller=\(caller) operation=\(operation.rawValue) plugin=\(request.plugin.id) size=\(request.width)x\(request.height) fps=\(request.fps) duration=\(request.duration) shots=\(request.shots.count): queued")
        announce(job)
        scheduler.enqueue(number, caller: caller)
        startDispatched()
        let reply = message.methodReturn()
        reply.append(.objectPath(job.path))
        return reply
    }

    /// Removes the service's own option `name` (not a plugin parameter) from `options`.
    private static func take(_ name: String, from options: inout [(DBusValue, DBusValue)]) -> DBusValue? {
        guard let index = options.firstIndex(where: { $0.0.stringValue == name }) else { return nil }
        return options.remove(at: index).1
    }

    private func checkQueueLimits(caller: String) throws(DBusError) {
        let unfinished = jobs.values.filter { !$0.state.isFinal }
        guard unfinished.count < limits.maxQueuedJobs else {
            throw DBusError(
                name: KinoraBusError.limitExceeded,
                message: "the daemon already has \(unfinished.count) unfinished jobs (max-queued-jobs is \(limits.maxQueuedJobs))")
        }
        // Where the bus told us the caller's Unix user (system bus), the limit is per user:
        // more connections do not buy more jobs.
        let user = callerUsers[caller]
        let mine = unfinished.filter { $0.caller == caller || (user != nil && $0.callerUser == user) }.count
        guard mine < limits.maxJobsPerCaller else {
            throw DBusError(
                name: KinoraBusError.limitExceeded,
                message: "this caller\(user == nil ? "" : " (its user)") already has \(mine) unfinished jobs (max-jobs-per-caller is \(limits.maxJobsPerCaller)); wait for one or cancel it")
        }
    }

    private func validatedRequest(
        _ arguments: JobArguments, options entries: [(DBusValue, DBusValue)], operation: JobOperation
    ) throws(DBusError) -> JobRequest {
        guard let plugin = registry.plugin(id: arguments.pluginID) else {
            let known = registry.plugins.map(\.id).joined(separator: ", ")
            throw DBusError(
                name: KinoraBusError.notFound,
                message: "parameter 'plugin': no plugin '\(arguments.pluginID)' is loaded (loaded: \(known.isEmpty ? "none" : known))")
        }
        guard plugin.manifest.kind == operation.pluginKind else {
            throw DBusError(
                name: KinoraBusError.invalidArgument,
                message: "parameter 'plugin': '\(arguments.pluginID)' is \(plugin.manifest.kind), and \(operation.rawValue) needs a \(operation.pluginKind) plugin")
        }
        var options = try OptionDecoding.decode(entries)
        if operation == .stream, options["duration"] == nil {
            options["duration"] = .double(min(limits.maxStreamDuration, 600))
        }
        let request: JobRequest
        do {
            request = try JobRequest(
                operation: operation, plugin: plugin, prompt: arguments.prompt, options: options,
                shots: arguments.shots)
        } catch {
            throw DBusError(name: KinoraBusError.invalidArgument, message: error.description)
        }
        try LimitCheck(limits: limits).check(request)
        return request
    }

    private func pipelineDescription(for request: JobRequest, udpPort: Int?) throws(DBusError) -> String {
        let element = request.plugin.manifest.elementName
        let caps = "video/x-raw,width=\(request.width),height=\(request.height),framerate=\(request.fps)/1"
        var substitutions = [
            "element": element, "width": String(request.width), "height": String(request.height),
            "fps": String(request.fps),
        ]
        if let udpPort { substitutions["port"] = String(udpPort) }
        // A storyboard's shots: one generator each, joined end to end by `concat`
        // (built here from validated values only: an element name and integers).
        substitutions["shots"] = request.segments.indices.map { "\(element) name=shot\($0) ! \(caps) ! shots." }
            .joined(separator: " ")
        do {
            let name = udpPort == nil ? request.operation.pipeline : "job-stream-udp"
            return try pipelines.description(named: name, substitutions: substitutions)
        } catch {
            throw DBusError(name: KinoraBusError.failed, message: error.description)
        }
    }

    // MARK: - Jobs

    private func setPrompt(_ message: DBusMessage, job: JobObject) throws(DBusError) -> DBusMessage {
        let arguments = message.arguments()
        guard message.signature == "s", case .string(let prompt)? = arguments.first else {
            Self.closeDescriptors(in: arguments)
            throw DBusError(name: KinoraBusError.invalidArgument, message: "SetPrompt takes (prompt s), not (\(message.signature))")
        }
        if case .string(_, let maxLength) = StandardParameters.prompt.type, prompt.utf8.count > maxLength {
            throw DBusError(
                name: KinoraBusError.invalidArgument,
                message: "parameter 'prompt' is \(prompt.utf8.count) bytes long; allowed: \(StandardParameters.prompt.type.rangeDescription)")
        }
        guard job.request.plugin.manifest.kind == .source else {
            throw DBusError(
                name: KinoraBusError.invalidArgument,
                message: "parameter 'prompt': job \(job.number) runs \(job.request.plugin.manifest.kind) plugin '\(job.request.plugin.id)', whose prompt is fixed")
        }
        switch job.state {
        case .cancelled:
            throw DBusError(name: KinoraBusError.cancelled, message: "job \(job.number) was cancelled")
        case .done, .failed, .finishing:
            throw DBusError(name: KinoraBusError.wrongState, message: "job \(job.number) is \(job.state.rawValue); only a queued or running job takes a new prompt")
        case .queued, .running:
            job.runner.setPrompt(prompt)
            emitPropertiesChanged(path: job.path, interface: KinoraBusAPI.jobInterface, job.promptChanged(to: prompt))
            log("job=\(job.number) prompt changed")
            return message.methodReturn()
        }
    }

    private func cancel(_ job: JobObject) {
        job.runner.cancel()
        if scheduler.removeQueued(job.number) {
            job.runner.discard()
            apply(.cancelled, toJob: job.number)
        }
    }

    /// On shutdown: cancel every job that has not reached its end, let the ones
    /// already handing over a complete result (`finishing`) complete, for at most
    /// `grace` seconds, and tell clients every final state. A caller's output is
    /// thus complete or empty, never cut short.
    func shutDown(grace: Double) {
        shuttingDown = true
        for number in jobs.keys.sorted() {
            guard let job = jobs[number], !job.state.isFinal, job.state != .finishing else { continue }
            job.runner.cancel()
            if scheduler.removeQueued(number) {
                job.runner.discard()
                apply(.cancelled, toJob: number)
            }
        }
        let deadline = monotonicSeconds() + grace
        while monotonicSeconds() < deadline, jobs.values.contains(where: { !$0.state.isFinal || !$0.runner.hasEnded }) {
            loop.runPending()
            usleep(20_000)
        }
        loop.runPending()
        for number in jobs.keys.sorted() where !(jobs[number]?.state.isFinal ?? true) {
            jobs[number]?.runner.cancel()
            apply(.cancelled, toJob: number)
        }
        loop.connection.flush()
    }

    /// NameOwnerChanged(name, old, "") for a unique name: that client left the
    /// bus (exited, crashed, was killed), so nobody will read its jobs' output.
    private func callerVanished(_ message: DBusMessage) {
        guard message.member == "NameOwnerChanged", message.sender == "org.freedesktop.DBus" else { return }
        let arguments = message.arguments()
        guard arguments.count == 3, let name = arguments[0].stringValue, name.hasPrefix(":"),
            arguments[2].stringValue == ""
        else { return }
        callerUsers[name] = nil
        if jobs.values.contains(where: { $0.caller == name }) { departedCallers.insert(name) }
        for job in jobs.values.sorted(by: { $0.number < $1.number }) where job.caller == name && !job.detached && !job.state.isFinal {
            log("job=\(job.number) caller=\(name) left the bus: cancelling")
            cancel(job)
        }
    }

    func job(at path: String) -> JobObject? {
        guard path.hasPrefix(KinoraBusAPI.jobPathPrefix),
            let number = Int(path.dropFirst(KinoraBusAPI.jobPathPrefix.count))
        else { return nil }
        return jobs[number]
    }

    private func startDispatched() {
        defer { announceJobCounts() }
        guard !shuttingDown else { return }
        for number in scheduler.dispatch() {
            guard let job = jobs[number] else { continue }
            let loop = self.loop
            job.runner.start { [self] event in
                loop.post { self.apply(event, toJob: number) }
            }
        }
    }

    /// The manager's RunningJobs and QueuedJobs in PropertiesChanged, when they changed.
    private func announceJobCounts() {
        let counts = (UInt32(scheduler.running.count), UInt32(scheduler.queuedCount))
        guard counts != announcedJobCounts else { return }
        announcedJobCounts = counts
        emitPropertiesChanged(
            path: KinoraBusAPI.managerPath, interface: KinoraBusAPI.managerInterface,
            [("RunningJobs", .uint32(counts.0)), ("QueuedJobs", .uint32(counts.1))])
    }

    private func apply(_ event: JobEvent, toJob number: Int) {
        guard let job = jobs[number] else { return }
        if case .preview(let preview) = event {
            guard !job.state.isFinal else { return }
            let signal = DBusMessage.signal(path: job.path, interface: KinoraBusAPI.jobInterface, member: "Preview")
            signal.append(.uint64(preview.frame), .uint32(preview.width), .uint32(preview.height), .bytes(preview.rgb))
            loop.connection.send(signal)
            return
        }
        let changed = job.apply(event)
        guard !changed.isEmpty else { return }
        emitPropertiesChanged(path: job.path, interface: KinoraBusAPI.jobInterface, changed)
        guard job.state.isFinal else {
            if case .running = event { log("job=\(number) running") }
            return
        }
        lastActivity = monotonicSeconds()
        switch event {
        case .failed(let message): log("job=\(number) failed: \(message)", priority: 4)
        case .done(let info): log("job=\(number) done: \(info.bytes) bytes")
        default: log("job=\(number) cancelled")
        }
        let completed = DBusMessage.signal(path: job.path, interface: KinoraBusAPI.jobInterface, member: "Completed")
        completed.append(.bool(job.state == .done), .string(job.state == .done ? "" : job.error))
        loop.connection.send(completed)
        scheduler.finished(number)
        pruneFinishedJobs()
        startDispatched()
    }

    private func emitPropertiesChanged(path: String, interface: String, _ changed: [(String, DBusValue)]) {
        let signal = DBusMessage.signal(path: path, interface: KinoraBusAPI.propertiesInterface, member: "PropertiesChanged")
        signal.append(.string(interface), .stringVariantDictionary(changed), .array(elementSignature: "s", []))
        loop.connection.send(signal)
    }

    // MARK: - ObjectManager

    private func interfaces(of job: JobObject) -> DBusValue {
        .dictionary(
            keySignature: "s", valueSignature: "a{sv}",
            [(.string(KinoraBusAPI.jobInterface), .stringVariantDictionary(job.properties))])
    }

    private func managedObjects(_ message: DBusMessage) -> DBusMessage {
        let reply = message.methodReturn()
        reply.append(
            .dictionary(
                keySignature: "o", valueSignature: "a{sa{sv}}",
                jobs.keys.sorted().compactMap { number in
                    jobs[number].map { (.objectPath($0.path), interfaces(of: $0)) }
                }))
        return reply
    }

    private func announce(_ job: JobObject) {
        let signal = DBusMessage.signal(
            path: KinoraBusAPI.managerPath, interface: KinoraBusAPI.objectManagerInterface, member: "InterfacesAdded")
        signal.append(.objectPath(job.path), interfaces(of: job))
        loop.connection.send(signal)
    }

    /// Drops finished jobs beyond the last `finished-jobs-kept`, except a caller's
    /// own last few while it is still on the bus (so a client that polls its jobs
    /// never finds one gone before it looked, however busy the daemon is).
    private func pruneFinishedJobs() {
        let finished = jobs.values.filter { $0.state.isFinal }.sorted { $0.number < $1.number }
        guard finished.count > limits.finishedJobsKept else { return }
        var keptPerCaller: [String: Int] = [:]
        var protected: Set<Int> = []
        for job in finished.reversed() where !departedCallers.contains(job.caller) {
            keptPerCaller[job.caller, default: 0] += 1
            if keptPerCaller[job.caller, default: 0] <= Self.finishedJobsKeptPerCaller { protected.insert(job.number) }
        }
        for job in finished.dropLast(limits.finishedJobsKept) where !protected.contains(job.number) {
            jobs[job.number] = nil
            let signal = DBusMessage.signal(
                path: KinoraBusAPI.managerPath, interface: KinoraBusAPI.objectManagerInterface, member: "InterfacesRemoved")
            signal.append(.objectPath(job.path), .array(elementSignature: "s", [.string(KinoraBusAPI.jobInterface)]))
            loop.connection.send(signal)
        }
        // A departed caller is forgotten once none of its jobs is left.
        let callers = Set(jobs.values.map(\.caller))
        departedCallers.formIntersection(callers)
    }

    /// The descriptor must be open for writing (output) or reading (input);
    /// better said now than after the job ran.
    private static func checkMode(_ descriptor: Int32, parameter: String, writable: Bool) throws(DBusError) {
        let flags = fcntl(descriptor, F_GETFL)
        let mode = flags & O_ACCMODE
        let fits = flags >= 0 && (mode == O_RDWR || mode == (writable ? O_WRONLY : O_RDONLY))
        guard fits else {
            throw DBusError(
                name: KinoraBusError.invalidArgument,
                message: "parameter '\(parameter)': the file descriptor is not open for \(writable ? "writing" : "reading")")
        }
    }

    static func closeDescriptors(in values: [DBusValue]) {
        for value in values {
            switch value {
            case .fileDescriptor(let descriptor): close(descriptor)
            case .variant(let inner): closeDescriptors(in: [inner])
            case .array(_, let items), .structure(let items): closeDescriptors(in: items)
            case .dictionary(_, _, let entries): closeDescriptors(in: entries.flatMap { [$0.0, $0.1] })
            default: break
            }
        }
    }
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Daemon log lines go to stderr, with `job=N` style fields. Under systemd
/// (`$JOURNAL_STREAM` set) each line starts with a syslog priority (`<6>`
/// info, `<3>` error), which journald reads as the entry's priority.
func log(_ line: String, priority: Int = 6) {
    if JournalLog.send(line, priority: priority) { return }
    let prefix = logToJournal ? "<\(priority)>" : ""
    var bytes = Array((prefix + "kinorad: " + line + "\n").utf8)
    _ = write(STDERR_FILENO, &bytes, bytes.count)
}

/// Immutable after start: whether stderr is connected to the journal.
private let logToJournal = getenv("JOURNAL_STREAM") != nil
