/// The BERT encoder (Hugging Face `BertModel` without pooler): embeddings, then post-norm
/// transformer layers with exact GELU. Sequences of different lengths run as one ragged
/// batch: every linear layer sees all tokens stacked, attention runs per sequence.
public struct BertModel: Sendable {
    public let configuration: BertConfiguration
    let wordEmbeddings: Tensor, positionEmbeddings: Tensor, typeEmbeddings: Tensor
    let embeddingNorm: LayerNorm
    let layers: [BertLayer]

    /// Loads the weights (names as in Hugging Face's checkpoint, no `bert.` prefix).
    public init(_ loader: WeightLoader, configuration c: BertConfiguration) throws {
        configuration = c
        let emb = loader.pp("embeddings")
        wordEmbeddings = try emb.tensor("word_embeddings.weight", shape: [c.vocabularySize, c.hiddenSize])
        positionEmbeddings = try emb.tensor("position_embeddings.weight", shape: [c.maximumPositions, c.hiddenSize])
        typeEmbeddings = try emb.tensor("token_type_embeddings.weight", shape: [c.typeVocabularySize, c.hiddenSize])
        embeddingNorm = try LayerNorm(emb.pp("LayerNorm"), features: c.hiddenSize, epsilon: c.layerNormEpsilon)
        layers = try (0 ..< c.layers).map { try BertLayer(loader.pp("encoder").pp("layer").pp($0), configuration: c) }
    }

    /// The last hidden states `[L, hidden]` of each id sequence (token type 0 throughout).
    public func hiddenStates(_ sequences: [[Int32]]) throws -> [Tensor] {
        let c = configuration
        let h = c.hiddenSize
        var lengths: [Int] = []
        for ids in sequences {
            guard !ids.isEmpty, ids.count <= c.maximumPositions else {
                throw EngineError.invalidArgument(operation: "BertModel", detail: "sequence of \(ids.count) tokens (1…\(c.maximumPositions))")
            }
            if let bad = ids.first(where: { $0 < 0 || Int($0) >= c.vocabularySize }) {
                throw EngineError.invalidArgument(operation: "BertModel", detail: "token id \(bad) outside the vocabulary of \(c.vocabularySize)")
            }
            lengths.append(ids.count)
        }
        let total = lengths.reduce(0, +)
        guard total > 0 else { return [] }
        var x = Tensor(uncheckedZeros: [total, h])
        var row = 0
        for ids in sequences {
            for (p, id) in ids.enumerated() {
                let dst = (row + p) * h, w = Int(id) * h, pos = p * h
                for i in 0 ..< h {
                    x.storage[dst + i] = wordEmbeddings.storage[w + i] + positionEmbeddings.storage[pos + i] + typeEmbeddings.storage[i]
                }
            }
            row += ids.count
        }
        x = try embeddingNorm(x)
        var workspace = AttentionWorkspace()
        for layer in layers {
            x = try layer(x, lengths: lengths, workspace: &workspace)
        }
        var out: [Tensor] = []
        row = 0
        for n in lengths {
            out.append(try x.slice(first: row ..< row + n))
            row += n
        }
        return out
    }
}

/// One post-norm BERT layer. Query, key and value are fused into one linear layer at load
/// time, so the projection is a single GEMM and attention reads heads from its output.
struct BertLayer: Sendable {
    let qkv: Linear
    let attentionOutput: Linear
    let attentionNorm: LayerNorm
    let intermediate: Linear
    let output: Linear
    let outputNorm: LayerNorm
    let heads: Int

    init(_ loader: WeightLoader, configuration c: BertConfiguration) throws {
        let h = c.hiddenSize
        let s = loader.pp("attention").pp("self")
        let parts = try ["query", "key", "value"].map { try Linear(s.pp($0), inFeatures: h, outFeatures: h) }
        qkv = try Linear(weight: Tensor(shape: [3 * h, h], storage: parts.flatMap(\.weight.storage)),
                         bias: Tensor(shape: [3 * h], storage: parts.flatMap { $0.bias?.storage ?? [] }))
        attentionOutput = try Linear(loader.pp("attention").pp("output").pp("dense"), inFeatures: h, outFeatures: h)
        attentionNorm = try LayerNorm(loader.pp("attention").pp("output").pp("LayerNorm"), features: h, epsilon: c.layerNormEpsilon)
        intermediate = try Linear(loader.pp("intermediate").pp("dense"), inFeatures: h, outFeatures: c.intermediateSize)
        output = try Linear(loader.pp("output").pp("dense"), inFeatures: c.intermediateSize, outFeatures: h)
        outputNorm = try LayerNorm(loader.pp("output").pp("LayerNorm"), features: h, epsilon: c.layerNormEpsilon)
        heads = c.heads
    }

    func callAsFunction(_ x: Tensor, lengths: [Int], workspace: inout AttentionWorkspace) throws -> Tensor {
        let h = x.shape[1]
        let fused = try qkv(x)
        var context = Tensor(uninitialized: x.shape)  // every head's columns written
        var segments: [Attention.Segment] = []
        var row = 0
        for n in lengths {
            segments.append(.init(query: row * 3 * h, key: row * 3 * h + h, value: row * 3 * h + 2 * h, output: row * h,
                                  queries: n, keys: n, mask: nil))
            row += n
        }
        fused.storage.withUnsafeBufferPointer { pf in
            context.storage.withUnsafeMutableBufferPointer { pc in
                Attention.attend(q: pf.baseAddress!, ldq: 3 * h, k: pf.baseAddress!, ldk: 3 * h, v: pf.baseAddress!, ldv: 3 * h,
                                 out: pc.baseAddress!, ldo: h, segments: segments, heads: heads, headDim: h / heads,
                                 maskBias: nil, queryChunk: 256, workspace: &workspace)
            }
        }
        var attended = try attentionOutput(context)
        try Elementwise.addInPlace(&attended, x)
        let y = try attentionNorm(attended)
        var hidden = try intermediate(y)
        Activation.gelu.apply(&hidden)
        var z = try output(hidden)
        try Elementwise.addInPlace(&z, y)
        return try outputNorm(z)
    }
}
