/// The limits and behaviour a kinorad instance enforces, with documented
/// defaults; read from `/etc/kinora/kinorad.conf` (or `--config`), then
/// overridden by command-line options. Every value has a range it is checked
/// against, so a typo in the file stops the daemon with a message naming it.
struct ServiceLimits: Sendable, Equatable {
    /// Pipelines that run at once (2 cores do not get faster with ten encoders).
    var maxRunningJobs = 2
    /// Unfinished jobs (queued or running) one caller (D-Bus unique name) may have.
    var maxJobsPerCaller = 16
    /// Unfinished jobs in the whole daemon.
    var maxQueuedJobs = 256
    /// Longest clip a job may make, in seconds (a storyboard's shots summed).
    var maxDuration = 120.0
    /// Longest live stream, in seconds.
    var maxStreamDuration = 3600.0
    /// Largest frame, in pixels (width × height).
    var maxFramePixels = 1920 * 1080
    /// Most shots in one storyboard.
    var maxShots = 64
    /// Highest value of a plugin parameter named `steps` (diffusion sampling steps).
    var maxSteps = 100
    /// Seconds without jobs or calls after which an activated daemon exits; 0 never.
    var idleExitSeconds = 0
    /// Finished jobs kept as objects for clients that look late.
    var finishedJobsKept = 64

    struct Entry: Sendable {
        let key: String
        let help: String
        let range: ClosedRange<Double>
        let get: @Sendable (ServiceLimits) -> Double
        let set: @Sendable (inout ServiceLimits, Double) -> Void
    }

    /// Every setting of the configuration file: its key, meaning and range.
    static let entries: [Entry] = [
        Entry(key: "max-running-jobs", help: "pipelines that run at once", range: 1...64,
              get: { Double($0.maxRunningJobs) }, set: { $0.maxRunningJobs = Int($1) }),
        Entry(key: "max-jobs-per-caller", help: "unfinished jobs one D-Bus client may have", range: 1...4096,
              get: { Double($0.maxJobsPerCaller) }, set: { $0.maxJobsPerCaller = Int($1) }),
        Entry(key: "max-queued-jobs", help: "unfinished jobs in the whole daemon", range: 1...65536,
              get: { Double($0.maxQueuedJobs) }, set: { $0.maxQueuedJobs = Int($1) }),
        Entry(key: "max-duration", help: "longest clip in seconds", range: 0.05...86400,
              get: { $0.maxDuration }, set: { $0.maxDuration = $1 }),
        Entry(key: "max-stream-duration", help: "longest live stream in seconds", range: 0.05...604800,
              get: { $0.maxStreamDuration }, set: { $0.maxStreamDuration = $1 }),
        Entry(key: "max-frame-pixels", help: "largest width x height", range: 1...(7680 * 4320),
              get: { Double($0.maxFramePixels) }, set: { $0.maxFramePixels = Int($1) }),
        Entry(key: "max-shots", help: "most shots in one storyboard", range: 1...1024,
              get: { Double($0.maxShots) }, set: { $0.maxShots = Int($1) }),
        Entry(key: "max-steps", help: "highest 'steps' parameter", range: 1...10000,
              get: { Double($0.maxSteps) }, set: { $0.maxSteps = Int($1) }),
        Entry(key: "idle-exit", help: "seconds idle before exiting, 0 never", range: 0...86400,
              get: { Double($0.idleExitSeconds) }, set: { $0.idleExitSeconds = Int($1) }),
        Entry(key: "finished-jobs-kept", help: "finished job objects kept", range: 0...4096,
              get: { Double($0.finishedJobsKept) }, set: { $0.finishedJobsKept = Int($1) }),
    ]

    struct ConfigError: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses `key = value` lines; `#` starts a comment; a `[kinorad]` section header is allowed.
    mutating func apply(configuration text: String, file: String) throws(ConfigError) {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
                .map { $0.trimmingCharacters(in: " \t\r") } ?? ""
            if line.isEmpty || line == "[kinorad]" { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
            let place = "\(file):\(index + 1)"
            guard parts.count == 2 else { throw ConfigError(description: "\(place): expected 'key = value', got '\(line)'") }
            try set(parts[0], to: parts[1], place: place)
        }
    }

    mutating func set(_ key: String, to text: String, place: String) throws(ConfigError) {
        guard let entry = Self.entries.first(where: { $0.key == key }) else {
            let known = Self.entries.map(\.key).joined(separator: ", ")
            throw ConfigError(description: "\(place): unknown setting '\(key)' (known: \(known))")
        }
        guard let value = Double(text), entry.range.contains(value) else {
            throw ConfigError(
                description: "\(place): '\(key)' must be a number from \(Self.format(entry.range.lowerBound)) to \(Self.format(entry.range.upperBound)), not '\(text)'")
        }
        entry.set(&self, value)
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// The documented defaults, as a configuration file (`kinorad --print-config`).
    static var defaultFile: String {
        let defaults = ServiceLimits()
        return Self.entries.map { "# \($0.help) (\(format($0.range.lowerBound))…\(format($0.range.upperBound)))\n\($0.key) = \(format($0.get(defaults)))" }
            .joined(separator: "\n")
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var view = self[...]
        while let first = view.first, set.contains(first) { view = view.dropFirst() }
        while let last = view.last, set.contains(last) { view = view.dropLast() }
        return String(view)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String { self[...].trimmingCharacters(in: set) }
}
