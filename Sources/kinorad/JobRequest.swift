import KinoraHost
import KinoraPluginSDK

/// What a job does, by the manager method that made it. Each has its own
/// pipeline file (`Pipelines/<pipeline>.pipeline`) and the plugin kind it needs.
enum JobOperation: String, Sendable, CaseIterable {
    case generate = "Generate"
    case animate = "Animate"
    case extend = "Extend"
    case restyle = "Restyle"
    case storyboard = "Storyboard"
    case stream = "StartStream"

    var pipeline: String {
        switch self {
        case .generate: "generate-mp4"
        case .animate: "job-animate"
        case .extend, .restyle: "job-transform"
        case .storyboard: "job-storyboard"
        case .stream: "job-stream"
        }
    }

    var pluginKind: ElementKind {
        switch self {
        case .generate, .storyboard, .stream: .source
        case .animate: .imageToVideo
        case .extend, .restyle: .videoToVideo
        }
    }

    var takesInput: Bool { pluginKind != .source }
}

/// One shot of a job: a whole Generate is a storyboard of one.
struct Shot: Sendable {
    let prompt: String
    let duration: Double
    /// Carries on from the previous shot's last frames (transition `continue`), not a cut.
    var continues = false
}

/// What one generator element makes: a shot, or shots joined by `continue` as one scene
/// through the plugin's prompt schedule (`0=first; 2.5=second`).
struct Segment: Sendable {
    let prompt: String
    let duration: Double
    let promptSchedule: String?
}

/// A validated request: everything a job needs, nothing unchecked.
struct JobRequest: Sendable {
    let operation: JobOperation
    let plugin: LoadedPlugin
    let shots: [Shot]
    /// The plugin's own parameters (validated against its schema).
    let parameters: [String: ParameterValue]
    let width: Int64
    let height: Int64
    let fps: Int64
    let duration: Double

    var prompt: String { shots.first?.prompt ?? "" }

    /// One generator per cut: a run of `continue` shots is one segment with a prompt schedule.
    var segments: [Segment] {
        var runs: [[Shot]] = []
        for shot in shots {
            if shot.continues, !runs.isEmpty { runs[runs.count - 1].append(shot) } else { runs.append([shot]) }
        }
        return runs.map { run in
            guard run.count > 1 else { return Segment(prompt: run[0].prompt, duration: run[0].duration, promptSchedule: nil) }
            var start = 0.0
            var entries: [String] = []
            for shot in run {
                entries.append("\(start)=\(shot.prompt)")
                start += shot.duration
            }
            return Segment(prompt: run[0].prompt, duration: start, promptSchedule: entries.joined(separator: "; "))
        }
    }
    var container: String { operation == .stream ? "mpegts" : "mp4" }
    /// Frames the generators will make; 0 when the input decides (video→video).
    var expectedFrames: UInt64 {
        plugin.manifest.kind == .videoToVideo ? 0 : UInt64((duration * Double(fps)).rounded())
    }

    /// Validates options from the bus. Errors name the parameter and its range.
    /// `shots` nil: one shot of the option `duration` with `prompt`.
    init(
        operation: JobOperation, plugin: LoadedPlugin, prompt: String, options: [String: ParameterValue],
        shots: [(prompt: String, duration: Double, continues: Bool)]? = nil
    ) throws(ParameterError) {
        let jobOptions = StandardParameters.jobOptions(for: plugin.manifest)
        // One schema for both: unknown names are reported with every accepted name.
        guard let schema = try? ParameterSchema(jobOptions + plugin.schema.parameters) else {
            throw .unknown(name: "(schema)", known: [])
        }
        let resolved = try schema.resolve(options)
        let requested = shots ?? [(prompt, resolved.double("duration"), false)]
        for shot in requested { try Self.checkPrompt(shot.prompt) }
        for (index, shot) in requested.enumerated() where shot.continues {
            let name = "shots[\(index)].transition"
            guard plugin.schema[PromptScheduleName.value] != nil else {
                throw .outOfRange(
                    name: name, value: "'continue'",
                    allowed: "'cut': plugin '\(plugin.id)' has no \(PromptScheduleName.value) to continue a scene with")
            }
            guard !shot.prompt.contains(";") else {
                throw .outOfRange(
                    name: "shots[\(index)].prompt", value: "'\(shot.prompt)'",
                    allowed: "a prompt without ';' for a continued shot (a prompt schedule separates prompts with ';')")
            }
        }
        self.operation = operation
        self.plugin = plugin
        self.shots = requested.map { Shot(prompt: $0.prompt, duration: $0.duration, continues: $0.continues) }
        self.parameters = resolved.all.filter { plugin.schema[$0.key] != nil }
        self.width = resolved.int("width")
        self.height = resolved.int("height")
        self.fps = resolved.int("fps")
        self.duration = requested.map(\.duration).reduce(0, +)
    }

    private static func checkPrompt(_ prompt: String) throws(ParameterError) {
        let promptSpec = StandardParameters.prompt
        if case .string(_, let maxLength) = promptSpec.type, prompt.utf8.count > maxLength {
            throw .outOfRange(
                name: promptSpec.name, value: "\(prompt.utf8.count) bytes long", allowed: promptSpec.type.rangeDescription)
        }
    }
}

/// The prompt-schedule parameter's name (KinoraGeneration's `PromptSchedule.parameterName`,
/// which kinorad does not link): a plugin that declares it can continue a scene.
enum PromptScheduleName {
    static let value = "prompt-schedule"
}
