import Foundation

/// The fields of a Hugging Face BERT `config.json` that the forward pass needs.
public struct BertConfiguration: Sendable, Decodable, Equatable {
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var maximumPositions: Int
    public var typeVocabularySize: Int
    public var vocabularySize: Int
    public var layerNormEpsilon: Float
    public var hiddenActivation: String

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size", layers = "num_hidden_layers", heads = "num_attention_heads"
        case intermediateSize = "intermediate_size", maximumPositions = "max_position_embeddings"
        case typeVocabularySize = "type_vocab_size", vocabularySize = "vocab_size"
        case layerNormEpsilon = "layer_norm_eps", hiddenActivation = "hidden_act"
    }

    /// Reads and checks `config.json`.
    public init(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError.invalidConfiguration(file: path, detail: "cannot read it")
        }
        do {
            self = try JSONDecoder().decode(BertConfiguration.self, from: data)
        } catch {
            throw EngineError.invalidConfiguration(file: path, detail: "not a BERT config (\(error))")
        }
        guard hiddenSize > 0, layers > 0, heads > 0, hiddenSize % heads == 0, intermediateSize > 0,
              maximumPositions > 1, typeVocabularySize > 0, vocabularySize > 0 else {
            throw EngineError.invalidConfiguration(file: path, detail: "inconsistent sizes")
        }
        guard hiddenActivation == "gelu" else {
            throw EngineError.invalidConfiguration(file: path, detail: "hidden_act '\(hiddenActivation)' is not supported (only gelu)")
        }
    }
}
