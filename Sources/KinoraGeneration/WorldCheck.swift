import KinoraEngine

/// Says whether a prompt is about what the embedded model knows (the shapes world,
/// /work/shared/SHAPES_WORLD.md): the prompt's MiniLM embedding is compared (cosine) with a
/// few reference captions of that world, and the best match is its similarity.
///
/// Threshold: 0.3. Measured with all-MiniLM-L6-v2 (see Tests/KinoraGenerationTests): in-world
/// captions in other phrasings score 0.6–0.9 against these references, unrelated prompts
/// ("a cat playing piano in Paris", "stock market news") 0.0–0.2. Below 0.3 a prompt is
/// reported as far outside the model's world.
public struct WorldCheck: Sendable {
    public static let references = [
        "a red circle moving left on a black background",
        "a small blue square moving up slowly on a white background",
        "a large yellow triangle moving right quickly on a gray background, outline style",
        "a green circle moving down on a dark blue background, passing behind a pillar",
        "a purple square moving diagonally on a beige background, pixel style",
        "an orange triangle bouncing on a cyan background, glow style",
    ]
    public static let threshold: Float = 0.3
    /// What a warning tells the user the model knows.
    public static let summary =
        "one coloured circle, square or triangle moving on a plain background (see the model's MODEL.md)"

    private let encoder: MiniLMTextEncoder
    private let referenceEmbeddings: [[Float]]

    init(encoder: MiniLMTextEncoder) throws {
        self.encoder = encoder
        referenceEmbeddings = try encoder.encode(Self.references).map(\.embedding.storage)
    }

    /// The highest cosine similarity of `prompt` to the references (embeddings are unit length).
    public func similarity(of prompt: String) throws -> Float {
        guard let embedding = try encoder.encode([prompt]).first?.embedding.storage else { return 0 }
        return referenceEmbeddings.map { reference in zip(reference, embedding).reduce(0) { $0 + $1.0 * $1.1 } }.max() ?? 0
    }

    /// A warning sentence when `prompt` is far from the model's world, else nil.
    public func warning(for prompt: String, modelName: String) -> String? {
        guard !prompt.isEmpty, let score = try? similarity(of: prompt), score < Self.threshold else { return nil }
        return "The prompt \"\(prompt)\" is far outside what model \(modelName) knows (similarity \(String(format: "%.2f", score)) below \(Self.threshold)): it draws \(Self.summary)."
    }
}
