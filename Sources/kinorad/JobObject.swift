import KinoraDBus
import KinoraProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// One job as a D-Bus object, shaped like udisks2's jobs: `Operation`,
/// `State`, `Progress` (+ `Frame`, `TotalFrames`, `Chunk`), `StartTime`,
/// `ExpectedEndTime`, `Error`, `OutputInfo`, a `Cancel()` method, a
/// `Completed(success, message)` signal and PropertiesChanged on change.
/// Lives on the loop thread.
final class JobObject {
    let number: Int
    let path: String
    let caller: String
    /// The caller's Unix user, where the bus was asked (system bus): that user may control
    /// the job from any connection.
    let callerUser: UInt32?
    /// Keeps running when the caller leaves the bus.
    let detached: Bool
    let runner: JobRunner
    private(set) var state = JobState.queued
    private(set) var progress = 0.0
    private(set) var frame: UInt64 = 0
    private(set) var totalFrames: UInt64 = 0
    private(set) var error = ""
    /// The prompt the generator has now (SetPrompt changes it).
    private(set) var prompt: String
    private(set) var outputInfo: [(String, DBusValue)] = []
    /// Microseconds since the epoch (udisks2's unit), 0 until known.
    private(set) var startTime: UInt64 = 0
    private(set) var expectedEndTime: UInt64 = 0

    init(number: Int, caller: String, callerUser: UInt32?, detached: Bool, runner: JobRunner) {
        self.callerUser = callerUser
        self.detached = detached
        self.number = number
        self.path = KinoraBusAPI.jobPathPrefix + String(number)
        self.caller = caller
        self.runner = runner
        self.prompt = runner.request.prompt
    }

    /// Records a prompt handed to the running generator; returns the changed property.
    func promptChanged(to prompt: String) -> [(String, DBusValue)] {
        self.prompt = prompt
        return [("Prompt", .string(prompt))]
    }

    var request: JobRequest { runner.request }

    /// The block a source plugin works on, counted from 0 (a chunk is `preferredBlockFrames` frames).
    private var chunk: UInt32 {
        let block = max(1, UInt64(request.plugin.manifest.preferredBlockFrames))
        return UInt32(clamping: frame / block)
    }

    var properties: [(String, DBusValue)] {
        [
            ("Operation", .string(request.operation.rawValue)), ("Plugin", .string(request.plugin.id)),
            ("Prompt", .string(prompt)), ("State", .string(state.rawValue)),
            ("Progress", .double(progress)), ("ProgressValid", .bool(state != .queued)),
            ("Frame", .uint64(frame)), ("TotalFrames", .uint64(totalFrames)), ("Chunk", .uint32(chunk)),
            ("StartTime", .uint64(startTime)), ("ExpectedEndTime", .uint64(expectedEndTime)),
            ("Cancelable", .bool(!state.isFinal)), ("Error", .string(error)),
            ("OutputInfo", .stringVariantDictionary(outputInfo)), ("StartedBy", .string(caller)),
        ]
    }

    /// Applies an event; returns the properties that changed (nothing once final).
    func apply(_ event: JobEvent) -> [(String, DBusValue)] {
        guard !state.isFinal else { return [] }
        switch event {
        case .running:
            state = .running
            startTime = Self.now()
            return [("State", .string(state.rawValue)), ("ProgressValid", .bool(true)), ("StartTime", .uint64(startTime))]
        case .preview:
            return []
        case .progress(let fraction, let frame, let total):
            progress = fraction
            self.frame = frame
            totalFrames = total
            if fraction > 0.02, startTime > 0 {
                let elapsed = Double(Self.now() - startTime)
                expectedEndTime = startTime + UInt64(elapsed / fraction)
            }
            return [
                ("Progress", .double(progress)), ("Frame", .uint64(frame)), ("TotalFrames", .uint64(totalFrames)),
                ("Chunk", .uint32(chunk)), ("ExpectedEndTime", .uint64(expectedEndTime)),
            ]
        case .finishing:
            state = .finishing
            return [("State", .string(state.rawValue))]
        case .done(let info):
            state = .done
            progress = 1
            outputInfo = [
                ("bytes", .int64(info.bytes)), ("container", .string(info.container)), ("codec", .string("h264")),
                ("width", .int64(request.width)), ("height", .int64(request.height)), ("fps", .int64(request.fps)),
                ("duration", .double(info.seconds)), ("partial", .bool(false)),
            ]
            return [
                ("Progress", .double(progress)), ("OutputInfo", .stringVariantDictionary(outputInfo)),
                ("Cancelable", .bool(false)), ("State", .string(state.rawValue)),
            ]
        case .failed(let message):
            state = .failed
            error = message
            return [("Error", .string(error)), ("Cancelable", .bool(false)), ("State", .string(state.rawValue))]
        case .cancelled:
            state = .cancelled
            error = "cancelled"
            return [("Error", .string(error)), ("Cancelable", .bool(false)), ("State", .string(state.rawValue))]
        }
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000 + UInt64(time.tv_nsec) / 1000
    }
}
