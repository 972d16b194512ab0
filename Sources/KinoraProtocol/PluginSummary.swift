import KinoraDBus
import KinoraPluginSDK

/// What `ListPlugins` says about one plugin.
public struct PluginSummary: Sendable, Equatable {
    public var id: String
    public var elementName: String
    public var humanName: String
    public var description: String
    public var kind: String
    public var licence: String
    /// The plugin's own parameters.
    public var parameters: [ParameterSpec]
    /// The job options (width, height, fps, duration) with this plugin's
    /// ranges (for video-to-video plugins the input decides the duration).
    public var jobOptions: [ParameterSpec]

    public init(manifest: PluginManifest) {
        self.id = manifest.id
        self.elementName = manifest.elementName
        self.humanName = manifest.humanName
        self.description = manifest.description
        self.kind = manifest.kind.description
        self.licence = manifest.licence
        self.parameters = manifest.parameters
        self.jobOptions = StandardParameters.jobOptions(for: manifest)
    }

    /// Everything `kinora generate --param` and `Generate`'s options accept.
    public var optionSchema: ParameterSchema? {
        try? ParameterSchema(jobOptions + parameters)
    }

    public var busValue: DBusValue {
        .structure([
            .string(id), .string(elementName), .string(humanName), .string(description), .string(kind),
            .string(licence),
            .array(elementSignature: "(sssvvvb)", parameters.map(\.busValue)),
            .array(elementSignature: "(sssvvvb)", jobOptions.map(\.busValue)),
        ])
    }

    public init?(busValue: DBusValue) {
        guard case .structure(let fields) = busValue, fields.count == 8,
            case .string(let id) = fields[0], case .string(let elementName) = fields[1],
            case .string(let humanName) = fields[2], case .string(let description) = fields[3],
            case .string(let kind) = fields[4], case .string(let licence) = fields[5],
            case .array(_, let parameters) = fields[6], case .array(_, let jobOptions) = fields[7]
        else { return nil }
        self.id = id
        self.elementName = elementName
        self.humanName = humanName
        self.description = description
        self.kind = kind
        self.licence = licence
        self.parameters = parameters.compactMap(ParameterSpec.init(busValue:))
        self.jobOptions = jobOptions.compactMap(ParameterSpec.init(busValue:))
    }
}
