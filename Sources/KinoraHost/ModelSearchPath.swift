/// Where plugins look for model weights (`<folder>/<model>/config.json`,
/// `*.safetensors`, `MODEL.md`), in order:
///
/// 1. Every folder in `$KINORA_MODEL_PATH` (colon-separated).
/// 2. The installed folder `<prefix>/share/kinora/models`, found relative to
///    the binary (`bin/`, `libexec/` or `lib/gstreamer-1.0/`).
/// 3. Run from a build folder (`<tree>/.build/...`): the source tree's `Models/`.
///
/// The host hands the list to every plugin instance; the plugin picks its
/// model from the first folder that has it.
public struct ModelSearchPath: Sendable, Equatable {
    public let directories: [String]

    public init(directories: [String]) {
        self.directories = directories
    }

    public static let environmentVariable = "KINORA_MODEL_PATH"

    public static func standard(binaryDirectory: String, environment: [String: String]) -> ModelSearchPath {
        var directories = (environment[environmentVariable] ?? "").split(separator: ":").map(String.init)
        let parent = PluginSearchPath.normalise(binaryDirectory + "/..")
        directories += [parent + "/share/kinora/models", parent + "/../share/kinora/models"]
            .map(PluginSearchPath.normalise)
            .filter(PluginSearchPath.isDirectory)
        if let build = binaryDirectory.firstRange(of: "/.build/") {
            directories.append(String(binaryDirectory[..<build.lowerBound]) + "/Models")
        }
        var seen = Set<String>()
        return ModelSearchPath(directories: directories.filter { seen.insert($0).inserted })
    }
}
