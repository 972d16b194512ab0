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
    var container: String { operation == .stream ? "mpegts" : "mp4" }
    /// Frames the generators will make; 0 when the input decides (video→video).
    var expectedFrames: UInt64 {
        plugin.manifest.kind == .videoToVideo ? 0 : UInt64((duration * Double(fps)).rounded())
    }

    /// Validates options from the bus. Errors name the parameter and its range.
    /// `shots` nil: one shot of the option `duration` with `prompt`.
    init(
        operation: JobOperation, plugin: LoadedPlugin, prompt: String, options: [String: ParameterValue],
        shots: [(prompt: String, duration: Double)]? = nil
    ) throws(ParameterError) {
        let jobOptions = StandardParameters.jobOptions(for: plugin.manifest)
        // One schema for both: unknown names are reported with every accepted name.
        guard let schema = try? ParameterSchema(jobOptions + plugin.schema.parameters) else {
            throw .unknown(name: "(schema)", known: [])
        }
        let resolved = try schema.resolve(options)
        let requested = shots ?? [(prompt, resolved.double("duration"))]
        for shot in requested { try Self.checkPrompt(shot.prompt) }
        self.operation = operation
        self.plugin = plugin
        self.shots = requested.map { Shot(prompt: $0.prompt, duration: $0.duration) }
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
