/// One denoiser block (model.py `DiTBlock`): adaLN-Zero-modulated self-attention over all
/// spacetime tokens, cross-attention to the text, and a GELU(tanh) MLP.
///
/// Tokens of a batch are stacked as rows `[B·N, D]` so that every linear layer is one GEMM;
/// the per-sample modulation and attention address each sample's rows.
struct DiTBlock: Sendable {
    let attention: ModulatedSelfAttention
    let normCross: LayerNorm, crossQuery: Linear, crossKeyValue: Linear, crossOut: Linear
    let mlp: ModulatedMLP
    let modulation: Linear
    let heads: Int, width: Int

    init(_ loader: WeightLoader, configuration c: DiTConfiguration) throws {
        let d = c.width
        width = d
        heads = c.heads
        attention = try ModulatedSelfAttention(loader, width: d, heads: c.heads, epsilon: c.layerNormEpsilon)
        normCross = try LayerNorm(loader.pp("norm_cross"), features: d, epsilon: c.layerNormEpsilon)
        crossQuery = try Linear(loader.pp("cross").pp("q"), inFeatures: d, outFeatures: d)
        crossKeyValue = try Linear(loader.pp("cross").pp("kv"), inFeatures: d, outFeatures: 2 * d)
        crossOut = try Linear(loader.pp("cross").pp("out"), inFeatures: d, outFeatures: d)
        mlp = try ModulatedMLP(loader, width: d, ratio: c.mlpRatio, epsilon: c.layerNormEpsilon)
        modulation = try Linear(loader.pp("modulation"), inFeatures: d, outFeatures: 6 * d)
    }

    /// - Parameters:
    ///   - x: tokens `[B·N, D]`, updated in place.
    ///   - c: the conditioning vector `[B, D]` (already through SiLU).
    ///   - rotary: the tokens' rotary angles, for a rotary denoiser (nil otherwise).
    ///   - keyValues: this block's projected text `[B·L, 2D]`; `maskBias`: `[B·L]` (0 or −∞).
    ///   - scratch: intermediate buffers, reused from block to block and step to step.
    func callAsFunction(_ x: inout Tensor, batch: Int, tokens n: Int, c: Tensor, rotary: SpacetimeRotaryTable?,
                        keyValues: Tensor, contextLength l: Int, maskBias: [Float],
                        scratch: inout BlockScratch) throws {
        let d = width
        // shift1, scale1, gate1, shift2, scale2, gate2 — each [D] per sample.
        try modulation(c, into: &scratch.modulation)
        let mod = scratch.modulation
        try attention.apply(&x, batch: batch, tokens: n, sequence: n, mod: mod, rotary: rotary, scratch: &scratch)

        try normCross(x, into: &scratch.normed)
        try crossQuery(scratch.normed, into: &scratch.query)
        scratch.attended.reuse(as: [batch * n, d])
        // Text padding is a suffix: attend to the real tokens only (same result, less work).
        let crossSegments = (0 ..< batch).map {
            Attention.trimmingPaddingMask(
                Attention.Segment(query: $0 * n * d, key: $0 * l * 2 * d, value: $0 * l * 2 * d + d,
                                  output: $0 * n * d, queries: n, keys: l, mask: $0 * l),
                maskBias: maskBias)
        }
        scratch.query.storage.withUnsafeBufferPointer { pq in
            keyValues.storage.withUnsafeBufferPointer { pkv in
                maskBias.withUnsafeBufferPointer { pm in
                    scratch.attended.storage.withUnsafeMutableBufferPointer { pc in
                        Attention.attend(q: pq.baseAddress!, ldq: d, k: pkv.baseAddress!, ldk: 2 * d, v: pkv.baseAddress!, ldv: 2 * d,
                                         out: pc.baseAddress!, ldo: d, segments: crossSegments, heads: heads, headDim: d / heads,
                                         maskBias: pm.baseAddress!, queryChunk: 256, workspace: &scratch.attention)
                    }
                }
            }
        }
        try crossOut(scratch.attended, into: &scratch.projected)
        try Elementwise.addInPlace(&x, scratch.projected)
        try mlp.apply(&x, batch: batch, tokens: n, mod: mod, scratch: &scratch)
    }
}

/// The denoiser's intermediate buffers. Keep one per generation and pass it to every step:
/// after the first step the blocks allocate nothing.
public struct DiTWorkspace: Sendable {
    /// The trunk's blocks' buffers.
    var trunk = BlockScratch()
    /// The refiner's (`DiTRefiner`): its own, since its rows and widths differ from the trunk's.
    var refiner = BlockScratch()

    public init() {}
}

/// One block's intermediate buffers, reused from block to block of the same size.
struct BlockScratch: Sendable {
    var modulation = Tensor(uncheckedShape: [0], storage: [])
    var normed = Tensor(uncheckedShape: [0], storage: [])
    var fused = Tensor(uncheckedShape: [0], storage: [])
    var attended = Tensor(uncheckedShape: [0], storage: [])
    var projected = Tensor(uncheckedShape: [0], storage: [])
    var query = Tensor(uncheckedShape: [0], storage: [])
    var hidden = Tensor(uncheckedShape: [0], storage: [])
    var attention = AttentionWorkspace()
}

/// adaLN helpers over stacked rows `[B·N, D]` with per-sample vectors taken from a
/// modulation output `[B, chunks·D]` (chunk k of sample b at `b·chunks·D + k·D`).
enum TokenModulation {
    /// `x = x·(1 + scale_b) + shift_b` for each sample's rows.
    static func modulate(_ x: inout Tensor, batch: Int, tokens n: Int, mod: Tensor, shiftChunk: Int, scaleChunk: Int, chunks: Int) {
        let d = x.shape[1]
        Profiler.measure("elementwise") {
            x.storage.withUnsafeMutableBufferPointer { px in
                mod.storage.withUnsafeBufferPointer { pm in
                    for b in 0 ..< batch {
                        let shift = pm.baseAddress! + (b * chunks + shiftChunk) * d
                        let scale = pm.baseAddress! + (b * chunks + scaleChunk) * d
                        for r in 0 ..< n {
                            let row = px.baseAddress! + (b * n + r) * d
                            for i in 0 ..< d { row[i] = row[i] * (1 + scale[i]) + shift[i] }
                        }
                    }
                }
            }
        }
    }

    /// `x += gate_b · y` for each sample's rows.
    static func gatedAdd(_ x: inout Tensor, _ y: Tensor, batch: Int, tokens n: Int, mod: Tensor, gateChunk: Int, chunks: Int) {
        let d = x.shape[1]
        Profiler.measure("elementwise") {
            x.storage.withUnsafeMutableBufferPointer { px in
                y.storage.withUnsafeBufferPointer { py in
                    mod.storage.withUnsafeBufferPointer { pm in
                        for b in 0 ..< batch {
                            let gate = pm.baseAddress! + (b * chunks + gateChunk) * d
                            for r in 0 ..< n {
                                let o = (b * n + r) * d
                                for i in 0 ..< d { px[o + i] += gate[i] * py[o + i] }
                            }
                        }
                    }
                }
            }
        }
    }
}
