/// The denoiser's refiner (model.py `DiT.refine`, config.json `refiner`): one token per
/// latent pixel instead of one per patch, attending within its frame, adding a correction to
/// the trunk's velocity. It reads the DiT's input (latent, motion and mask channels of each
/// pixel) and the trunk's modulated output tokens (what `patch_out` reads), and is modulated
/// by the trunk's conditioning vector.
struct DiTRefiner: Sendable {
    let input: Linear, context: Linear
    let blocks: [RefinerBlock]
    let normOut: LayerNorm
    let modulationOut: Linear
    let output: Linear
    /// `[h·w, width]`: each latent pixel's `[sincos(row, width/2), sincos(column, rest)]`.
    let positions: Tensor
    let width: Int, patch: Int, latentSize: Int, stateChannels: Int

    init(_ loader: WeightLoader, configuration c: DiTConfiguration, refiner r: DiTConfiguration.Refiner) throws {
        width = r.width
        patch = c.patch
        latentSize = c.latentSize
        stateChannels = c.stateChannels
        input = try Linear(loader.pp("refiner_in"), inFeatures: c.stateChannels + 1, outFeatures: r.width)
        context = try Linear(loader.pp("refiner_ctx"), inFeatures: c.width, outFeatures: c.patch * c.patch * r.width)
        blocks = try (0 ..< r.depth).map {
            try RefinerBlock(loader.pp("refiner_blocks").pp($0), width: r.width, heads: r.heads, mlpRatio: c.mlpRatio,
                             conditioning: c.width, epsilon: c.layerNormEpsilon)
        }
        normOut = try LayerNorm(features: r.width, epsilon: c.layerNormEpsilon)
        modulationOut = try Linear(loader.pp("refiner_modulation_out"), inFeatures: c.width, outFeatures: 2 * r.width)
        output = try Linear(loader.pp("refiner_out"), inFeatures: r.width, outFeatures: c.stateChannels)
        let s = c.latentSize
        let rows = try SinusoidalEmbedding.embed((0 ..< s * s).map { Float($0 / s) }, dimension: r.width / 2, order: .sineFirst)
        let columns = try SinusoidalEmbedding.embed((0 ..< s * s).map { Float($0 % s) }, dimension: r.width - r.width / 2,
                                                    order: .sineFirst)
        var table = [Float]()
        table.reserveCapacity(s * s * r.width)
        for k in 0 ..< s * s {
            table += rows.storage[k * (r.width / 2) ..< (k + 1) * (r.width / 2)]
            table += columns.storage[k * (r.width - r.width / 2) ..< (k + 1) * (r.width - r.width / 2)]
        }
        positions = Tensor(uncheckedShape: [s * s, r.width], storage: table)
    }

    /// Adds the refiner's velocity to `velocity`.
    /// - Parameters:
    ///   - pixels: `[B·F·h·w, S+1]`, each latent pixel's input channels, frame by frame, row-major.
    ///   - head: `[B·N, D]`, the trunk's modulated output tokens (N = F·(h/p)²).
    ///   - cond: `[B, D]`, the conditioning vector the trunk's blocks read.
    ///   - velocity: `[B, F, S, h, w]`, the trunk's velocity, updated in place.
    func add(to velocity: inout Tensor, pixels: Tensor, head: Tensor, cond: Tensor, batch b: Int, frames f: Int,
             scratch: inout BlockScratch) throws {
        let (r, p, s, ch) = (width, patch, latentSize, stateChannels)
        let g = s / p
        let perFrame = s * s
        let n = f * perFrame
        var h = try input(pixels)
        let ctx = try context(head)
        // Token (frame, i, j)'s context column (k, dy, dx) goes to pixel (frame, i·p+dy, j·p+dx), feature k.
        h.storage.withUnsafeMutableBufferPointer { ph in
            ctx.storage.withUnsafeBufferPointer { pc in
                positions.storage.withUnsafeBufferPointer { pp in
                    for bf in 0 ..< b * f {
                        for y in 0 ..< s {
                            for x in 0 ..< s {
                                let row = ph.baseAddress! + (bf * perFrame + y * s + x) * r
                                let token = pc.baseAddress! + ((bf * g + y / p) * g + x / p) * p * p * r
                                let position = pp.baseAddress! + (y * s + x) * r
                                let (dy, dx) = (y % p, x % p)
                                for k in 0 ..< r { row[k] += token[k * p * p + dy * p + dx] + position[k] }
                            }
                        }
                    }
                }
            }
        }
        for block in blocks {
            try block(&h, batch: b, tokens: n, perFrame: perFrame, c: cond, scratch: &scratch)
        }
        let mod = try modulationOut(cond)
        try normOut(h, into: &scratch.normed)
        TokenModulation.modulate(&scratch.normed, batch: b, tokens: n, mod: mod, shiftChunk: 0, scaleChunk: 1, chunks: 2)
        let correction = try output(scratch.normed)
        // [B·F·h·w, S] pixel rows into the [B, F, S, h, w] velocity.
        velocity.storage.withUnsafeMutableBufferPointer { pv in
            correction.storage.withUnsafeBufferPointer { po in
                for bf in 0 ..< b * f {
                    for k in 0 ..< perFrame {
                        let src = po.baseAddress! + (bf * perFrame + k) * ch
                        for c in 0 ..< ch { pv[(bf * ch + c) * perFrame + k] += src[c] }
                    }
                }
            }
        }
    }
}

/// One refiner block (model.py `RefinerBlock`): adaLN-Zero-modulated self-attention within
/// each frame and a GELU(tanh) MLP; no cross-attention (the text reaches it through the
/// trunk's tokens and the conditioning vector).
struct RefinerBlock: Sendable {
    let attention: ModulatedSelfAttention
    let mlp: ModulatedMLP
    let modulation: Linear

    init(_ loader: WeightLoader, width d: Int, heads: Int, mlpRatio: Int, conditioning: Int, epsilon: Float) throws {
        attention = try ModulatedSelfAttention(loader, width: d, heads: heads, epsilon: epsilon)
        mlp = try ModulatedMLP(loader, width: d, ratio: mlpRatio, epsilon: epsilon)
        modulation = try Linear(loader.pp("modulation"), inFeatures: conditioning, outFeatures: 6 * d)
    }

    /// - Parameters:
    ///   - x: tokens `[B·N, width]`, frame after frame, `perFrame` tokens each; updated in place.
    ///   - c: the trunk's conditioning vector `[B, D]`.
    func callAsFunction(_ x: inout Tensor, batch: Int, tokens n: Int, perFrame: Int, c: Tensor,
                        scratch: inout BlockScratch) throws {
        try modulation(c, into: &scratch.modulation)
        let mod = scratch.modulation
        try attention.apply(&x, batch: batch, tokens: n, sequence: perFrame, mod: mod, rotary: nil, scratch: &scratch)
        try mlp.apply(&x, batch: batch, tokens: n, mod: mod, scratch: &scratch)
    }
}
