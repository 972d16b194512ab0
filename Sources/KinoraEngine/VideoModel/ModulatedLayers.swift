/// The two adaLN-Zero-modulated halves that the trunk's blocks (`DiTBlock`) and the refiner's
/// (`RefinerBlock`) share. Both read a block's modulation output `[B, 6·D]`: shift, scale and
/// gate of the self-attention (chunks 0–2), then of the MLP (chunks 3–5).

/// `x += gate · out(attention(qkv(norm(x)·(1 + scale) + shift)))`, the tokens attending to
/// the others of their sequence: consecutive runs of `sequence` rows (a sample's spacetime
/// tokens in the trunk, one frame's pixels in the refiner).
struct ModulatedSelfAttention: Sendable {
    let norm: LayerNorm, qkv: Linear, out: Linear
    let heads: Int, width: Int

    /// Loads `attn.qkv` and `attn.out` under the block's prefix.
    init(_ loader: WeightLoader, width d: Int, heads: Int, epsilon: Float) throws {
        width = d
        self.heads = heads
        norm = try LayerNorm(features: d, epsilon: epsilon)
        qkv = try Linear(loader.pp("attn").pp("qkv"), inFeatures: d, outFeatures: 3 * d)
        out = try Linear(loader.pp("attn").pp("out"), inFeatures: d, outFeatures: d)
    }

    /// - Parameters:
    ///   - x: tokens `[B·N, D]`, updated in place; `mod`: the block's modulation `[B, 6·D]`.
    ///   - rotary: the tokens' rotary angles (a rotary trunk only; nil otherwise).
    func apply(_ x: inout Tensor, batch: Int, tokens n: Int, sequence: Int, mod: Tensor,
               rotary: SpacetimeRotaryTable?, scratch: inout BlockScratch) throws {
        let d = width
        try norm(x, into: &scratch.normed)
        TokenModulation.modulate(&scratch.normed, batch: batch, tokens: n, mod: mod, shiftChunk: 0, scaleChunk: 1, chunks: 6)
        try qkv(scratch.normed, into: &scratch.fused)
        rotary?.rotateQueriesAndKeys(&scratch.fused, batch: batch, width: d, heads: heads)
        scratch.attended.reuse(as: [batch * n, d])  // every head's columns are written
        let segments = (0 ..< batch * n / sequence).map {
            Attention.Segment(query: $0 * sequence * 3 * d, key: $0 * sequence * 3 * d + d,
                              value: $0 * sequence * 3 * d + 2 * d, output: $0 * sequence * d,
                              queries: sequence, keys: sequence, mask: nil)
        }
        scratch.fused.storage.withUnsafeBufferPointer { pf in
            scratch.attended.storage.withUnsafeMutableBufferPointer { pa in
                Attention.attend(q: pf.baseAddress!, ldq: 3 * d, k: pf.baseAddress!, ldk: 3 * d, v: pf.baseAddress!, ldv: 3 * d,
                                 out: pa.baseAddress!, ldo: d, segments: segments, heads: heads, headDim: d / heads,
                                 maskBias: nil, queryChunk: 256, workspace: &scratch.attention)
            }
        }
        try out(scratch.attended, into: &scratch.projected)
        TokenModulation.gatedAdd(&x, scratch.projected, batch: batch, tokens: n, mod: mod, gateChunk: 2, chunks: 6)
    }
}

/// `x += gate · mlp_out(GELU_tanh(mlp_in(norm(x)·(1 + scale) + shift)))`.
struct ModulatedMLP: Sendable {
    let norm: LayerNorm, input: Linear, output: Linear

    /// Loads `mlp_in` and `mlp_out` under the block's prefix.
    init(_ loader: WeightLoader, width d: Int, ratio: Int, epsilon: Float) throws {
        norm = try LayerNorm(features: d, epsilon: epsilon)
        input = try Linear(loader.pp("mlp_in"), inFeatures: d, outFeatures: d * ratio)
        output = try Linear(loader.pp("mlp_out"), inFeatures: d * ratio, outFeatures: d)
    }

    func apply(_ x: inout Tensor, batch: Int, tokens n: Int, mod: Tensor, scratch: inout BlockScratch) throws {
        try norm(x, into: &scratch.normed)
        TokenModulation.modulate(&scratch.normed, batch: batch, tokens: n, mod: mod, shiftChunk: 3, scaleChunk: 4, chunks: 6)
        try input(scratch.normed, into: &scratch.hidden)
        Activation.geluTanh.apply(&scratch.hidden)
        try output(scratch.hidden, into: &scratch.projected)
        TokenModulation.gatedAdd(&x, scratch.projected, batch: batch, tokens: n, mod: mod, gateChunk: 5, chunks: 6)
    }
}
