import Foundation

/// Finds a video model folder and the text encoder on disk.
///
/// A model is named (`kinora-shapes-v1`: looked up as `<folder>/<name>/config.json` in each
/// folder of the model search path, most specific first) or given as a folder (any value with
/// a `/`). The text encoder (all-MiniLM-L6-v2) is looked up, in order, in
/// `$KINORA_TEXT_ENCODER_DIR`, then beside each models folder: `<folder>/../text-encoder/…`
/// (the installed tree: `share/kinora/models` next to `share/kinora/text-encoder`) and
/// `<folder>/../.cache/text-encoder/…` (a source tree, where `scripts/fetch-text-encoder.sh`
/// puts it next to `Models/`).
public enum ModelLocator {
    /// The model the built-in plugins use unless told otherwise.
    public static let defaultModelName = "kinora-shapes-v1"
    public static let textEncoderName = "all-MiniLM-L6-v2"
    public static let textEncoderEnvironmentVariable = "KINORA_TEXT_ENCODER_DIR"

    /// The folder of model `nameOrFolder`.
    public static func modelFolder(_ nameOrFolder: String, searchPath: [String]) throws(GenerationError) -> String {
        let name = nameOrFolder.isEmpty ? defaultModelName : nameOrFolder
        let candidates = name.contains("/") ? [name] : searchPath.map { ($0 as NSString).appendingPathComponent(name) }
        for folder in candidates where FileManager.default.fileExists(atPath: folder + "/config.json") {
            return (folder as NSString).standardizingPath
        }
        throw .modelNotFound(
            name: name, searched: name.contains("/") ? [name] : searchPath,
            hint: "Put the model folder (config.json and its weights) there, or set KINORA_MODEL_PATH to the folder that holds it.")
    }

    /// The text encoder's folder, for models found in `searchPath`.
    public static func textEncoderFolder(searchPath: [String], environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(GenerationError) -> String
    {
        var candidates: [String] = []
        if let configured = environment[textEncoderEnvironmentVariable], !configured.isEmpty { candidates.append(configured) }
        for folder in searchPath {
            candidates.append("\(folder)/../text-encoder/\(textEncoderName)")
            candidates.append("\(folder)/../.cache/text-encoder/\(textEncoderName)")
        }
        let standardised = candidates.map { ($0 as NSString).standardizingPath }
        for folder in standardised where FileManager.default.fileExists(atPath: folder + "/model.safetensors") {
            return folder
        }
        throw .modelNotFound(
            name: textEncoderName, searched: standardised,
            hint: "Run scripts/fetch-text-encoder.sh (make text-encoder) in the source tree, install with make install, or set \(textEncoderEnvironmentVariable).")
    }
}
