import Synchronization

/// The process-wide cache of loaded models, keyed by model folder: a second element (or a
/// second stream) using the same model reuses the loaded weights instead of doubling memory.
///
/// A global is justified here: sharing across element instances is its whole purpose (as
/// DL Streamer's `model-instance-id`). Models stay loaded for the life of the process; a
/// process uses one or two.
public enum SharedModels {
    private static let cache = Mutex<[String: LoadedModel]>([:])

    /// The model `nameOrFolder` from `searchPath`, loading it on first use.
    public static func model(_ nameOrFolder: String, searchPath: [String]) throws(GenerationError) -> LoadedModel {
        let folder = try ModelLocator.modelFolder(nameOrFolder, searchPath: searchPath)
        if let loaded = cache.withLock({ $0[folder] }) { return loaded }
        let textFolder = try ModelLocator.textEncoderFolder(searchPath: searchPath)
        // Loaded outside the lock (it takes a while); a race loads twice and keeps one.
        let loaded = try LoadedModel(folder: folder, textEncoderFolder: textFolder)
        return cache.withLock { models in
            if let existing = models[folder] { return existing }
            models[folder] = loaded
            return loaded
        }
    }
}
