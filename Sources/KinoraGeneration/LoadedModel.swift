import KinoraEngine

/// A video model and its text encoder, loaded once and shared (read-only) by every stream of
/// the process that uses the same folders.
public final class LoadedModel: Sendable {
    public let folder: String
    public let model: VideoModel
    public let textEncoder: MiniLMTextEncoder
    public let generator: VideoGenerator
    public let world: WorldCheck

    public var configuration: VideoModelConfiguration { model.configuration }
    public var name: String { model.configuration.name }

    init(folder: String, textEncoderFolder: String) throws(GenerationError) {
        do {
            model = try VideoModel(directory: folder)
        } catch {
            throw .modelUnreadable(path: folder, reason: "\(error)")
        }
        do {
            textEncoder = try MiniLMTextEncoder(directory: textEncoderFolder)
            world = try WorldCheck(encoder: textEncoder)
        } catch {
            throw .modelUnreadable(path: textEncoderFolder, reason: "\(error)")
        }
        self.folder = folder
        generator = VideoGenerator(textEncoder: textEncoder, model: model)
    }
}
