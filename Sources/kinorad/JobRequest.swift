import KinoraHost
import KinoraPluginSDK

/// A validated generation request: everything a job needs, nothing unchecked.
struct JobRequest: Sendable {
    let plugin: LoadedPlugin
    let prompt: String
    /// The plugin's own parameters (validated against its schema).
    let parameters: [String: ParameterValue]
    let width: Int64
    let height: Int64
    let fps: Int64
    let duration: Double

    /// Validates options from the bus. Errors name the parameter and its range.
    init(plugin: LoadedPlugin, prompt: String, options: [String: ParameterValue]) throws(ParameterError) {
        let jobOptions = StandardParameters.jobOptions(for: plugin.manifest)
        // One schema for both: unknown names are reported with every accepted name.
        guard let schema = try? ParameterSchema(jobOptions + plugin.schema.parameters) else {
            throw .unknown(name: "(schema)", known: [])
        }
        let resolved = try schema.resolve(options)
        let promptSpec = StandardParameters.prompt
        if case .string(_, let maxLength) = promptSpec.type, prompt.utf8.count > maxLength {
            throw .outOfRange(
                name: promptSpec.name, value: "\(prompt.utf8.count) bytes long", allowed: promptSpec.type.rangeDescription)
        }
        self.plugin = plugin
        self.prompt = prompt
        self.parameters = resolved.all.filter { plugin.schema[$0.key] != nil }
        self.width = resolved.int("width")
        self.height = resolved.int("height")
        self.fps = resolved.int("fps")
        self.duration = resolved.double("duration")
    }
}
