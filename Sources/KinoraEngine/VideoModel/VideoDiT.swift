import Foundation

/// The text, projected once per prompt and reused at every sampler step: the per-block
/// cross-attention keys/values depend only on the text, not on the noisy sample.
public struct DiTTextConditioning: Sendable {
    public let batch: Int
    public let contextLength: Int
    /// Per block, `[B·L, 2D]` (keys then values, as model.py's `kv` layer orders them).
    let keyValues: [Tensor]
    /// `[B·L]`: 0 for a token, −∞ for padding.
    let maskBias: [Float]
    /// `text_pool(pooled)`, `[B, D]`.
    let pooledProjection: Tensor
}

/// The spacetime DiT denoiser of model.py (`DiT`), predicting flow-matching velocity for a
/// latent clip, given frames flagged by a mask, under text conditioning.
public struct VideoDiT: Sendable {
    public let configuration: DiTConfiguration
    let patchIn: Linear, timeIn: Linear, timeOut: Linear, textPool: Linear, textContext: Linear
    /// The guidance MLP of a guidance-distilled model (`DiTConfiguration.guidanceEmbedding`).
    let guidanceIn: Linear?, guidanceOut: Linear?
    let blocks: [DiTBlock]
    let normOut: LayerNorm
    let modulationOut: Linear
    let patchOut: Linear
    /// Position embeddings for `configuration.frames` frames, `[F·g·g, D]`.
    let positions: Tensor
    /// Rotary angles for `configuration.frames` frames (`configuration.rotary`), or nil.
    let rotary: SpacetimeRotaryTable?
    /// The per-pixel refiner (`configuration.refiner`), or nil.
    let refiner: DiTRefiner?

    /// Loads the weights (model.py's `DiT.state_dict()` names) under the loader's prefix.
    public init(_ loader: WeightLoader, configuration c: DiTConfiguration) throws {
        try c.validate()
        configuration = c
        let d = c.width, p = c.patch
        patchIn = try Linear(loader.pp("patch_in"), inFeatures: (c.stateChannels + 1) * p * p, outFeatures: d)
        timeIn = try Linear(loader.pp("time_in"), inFeatures: c.timeFrequencyDim, outFeatures: d)
        timeOut = try Linear(loader.pp("time_out"), inFeatures: d, outFeatures: d)
        if c.guidanceEmbedding {
            guidanceIn = try Linear(loader.pp("guidance_in"), inFeatures: c.timeFrequencyDim, outFeatures: d)
            guidanceOut = try Linear(loader.pp("guidance_out"), inFeatures: d, outFeatures: d)
        } else {
            guidanceIn = nil
            guidanceOut = nil
        }
        textPool = try Linear(loader.pp("text_pool"), inFeatures: c.textDim, outFeatures: d)
        textContext = try Linear(loader.pp("text_ctx"), inFeatures: c.textDim, outFeatures: d)
        blocks = try (0 ..< c.depth).map { try DiTBlock(loader.pp("blocks").pp($0), configuration: c) }
        normOut = try LayerNorm(features: d, epsilon: c.layerNormEpsilon)
        modulationOut = try Linear(loader.pp("modulation_out"), inFeatures: d, outFeatures: 2 * d)
        patchOut = try Linear(loader.pp("patch_out"), inFeatures: d, outFeatures: c.stateChannels * p * p)
        positions = try VideoDiT.positionEmbeddings(frames: c.frames, configuration: c)
        rotary = try VideoDiT.rotaryTable(frames: c.frames, configuration: c)
        refiner = try c.refiner.map { try DiTRefiner(loader, configuration: c, refiner: $0) }
    }

    static func rotaryTable(frames: Int, configuration c: DiTConfiguration) throws -> SpacetimeRotaryTable? {
        guard let r = c.rotary else { return nil }
        return try SpacetimeRotaryTable(frames: frames, grid: c.latentSize / c.patch, pairs: r.pairs, bases: r.base)
    }

    /// Fixed factorised positions: `[sincos(frame, D/2), sincos(row, D/4), sincos(col, rest)]`.
    static func positionEmbeddings(frames: Int, configuration c: DiTConfiguration) throws -> Tensor {
        let g = c.latentSize / c.patch
        let d = c.width
        let (dt, dh) = (d / 2, d / 4)
        let dw = d - dt - dh
        let n = frames * g * g
        let f = try SinusoidalEmbedding.embed((0 ..< n).map { Float($0 / (g * g)) }, dimension: dt, order: .sineFirst)
        let i = try SinusoidalEmbedding.embed((0 ..< n).map { Float(($0 / g) % g) }, dimension: dh, order: .sineFirst)
        let j = try SinusoidalEmbedding.embed((0 ..< n).map { Float($0 % g) }, dimension: dw, order: .sineFirst)
        var out = [Float]()
        out.reserveCapacity(n * d)
        for r in 0 ..< n {
            out += f.storage[r * dt ..< (r + 1) * dt]
            out += i.storage[r * dh ..< (r + 1) * dh]
            out += j.storage[r * dw ..< (r + 1) * dw]
        }
        return Tensor(uncheckedShape: [n, d], storage: out)
    }

    /// Projects the text once per prompt batch.
    /// - Parameters:
    ///   - context: token states `[B, L, textDim]`; `mask`: `[B][L]`, true for a token; `pooled`: `[B, textDim]`.
    public func prepare(context: Tensor, mask: [[Bool]], pooled: Tensor) throws -> DiTTextConditioning {
        let c = configuration
        guard context.rank == 3, context.shape[2] == c.textDim, pooled.shape == [context.shape[0], c.textDim] else {
            throw EngineError.shapeMismatch(operation: "VideoDiT.prepare", detail: "context \(context.shape), pooled \(pooled.shape), text dim \(c.textDim)")
        }
        let (b, l) = (context.shape[0], context.shape[1])
        guard b > 0, l > 0 else {
            throw EngineError.shapeMismatch(operation: "VideoDiT.prepare", detail: "context \(context.shape) has no tokens")
        }
        guard mask.count == b, mask.allSatisfy({ $0.count == l }) else {
            throw EngineError.shapeMismatch(operation: "VideoDiT.prepare", detail: "mask must be [\(b)][\(l)]")
        }
        let projected = try textContext(try context.reshaped([b * l, c.textDim]))
        let keyValues = try blocks.map { try $0.crossKeyValue(projected) }
        return DiTTextConditioning(batch: b, contextLength: l, keyValues: keyValues,
                                   maskBias: mask.flatMap { $0.map { $0 ? 0 : -Float.infinity } },
                                   pooledProjection: try textPool(pooled))
    }

    /// The velocity for a noisy state: the latent clip, and its motion for a denoiser with
    /// motion channels (`DiTConfiguration.stateChannels` S = C + M).
    /// - Parameters:
    ///   - x: `[B, F, S, h, w]` (given frames' latents already clean).
    ///   - given: `[B][F]`, 1 for a given frame, 0 for one to generate.
    ///   - t: `[B]` flow-matching times in [0, 1].
    ///   - guidance: `[B]` guidance scales, for a guidance-distilled model only (nil otherwise).
    /// - Returns: `[B, F, S, h, w]`.
    public func callAsFunction(_ x: Tensor, given: [[Float]], t: [Float], guidance: [Float]? = nil,
                               text: DiTTextConditioning) throws -> Tensor {
        var workspace = DiTWorkspace()
        return try self(x, given: given, t: t, guidance: guidance, text: text, workspace: &workspace)
    }

    /// As above, with buffers kept in `workspace` across calls (a sampler's steps).
    public func callAsFunction(_ x: Tensor, given: [[Float]], t: [Float], guidance: [Float]? = nil,
                               text: DiTTextConditioning, workspace: inout DiTWorkspace) throws -> Tensor {
        let c = configuration
        let op = "VideoDiT"
        guard x.rank == 5, x.shape[2] == c.stateChannels, x.shape[3] == c.latentSize, x.shape[4] == c.latentSize else {
            throw EngineError.shapeMismatch(operation: op, detail: "latents \(x.shape), expected [B, F, \(c.stateChannels), \(c.latentSize), \(c.latentSize)]")
        }
        let (b, f) = (x.shape[0], x.shape[1])
        guard f > 0, given.count == b, given.allSatisfy({ $0.count == f }), t.count == b, text.batch == b else {
            throw EngineError.shapeMismatch(operation: op, detail: "batch \(b), \(f) frames: given \(given.map(\.count)), t \(t.count), text batch \(text.batch)")
        }
        guard (guidance != nil) == c.guidanceEmbedding else {
            throw EngineError.invalidArgument(operation: op, detail: c.guidanceEmbedding
                ? "this guidance-distilled model needs a guidance scale per sample"
                : "a guidance scale is an input of guidance-distilled models only; this one is guided with two calls")
        }
        if let guidance, guidance.count != b || !guidance.allSatisfy(\.isFinite) {
            throw EngineError.invalidArgument(operation: op, detail: "guidance \(guidance): one finite scale per sample of \(b)")
        }
        let d = c.width, p = c.patch, s = c.latentSize, ch = c.stateChannels
        let g = s / p
        let n = f * g * g

        // Patchify [state, mask] per sample and stack the tokens as rows.
        var patches: [Float] = []
        patches.reserveCapacity(b * n * (ch + 1) * p * p)
        // The refiner's input: the same channels, one row per latent pixel.
        var pixels = [Float](repeating: 0, count: refiner == nil ? 0 : b * f * s * s * (ch + 1))
        for bi in 0 ..< b {
            let frameSize = ch * s * s
            var withMask = [Float](repeating: 0, count: f * (ch + 1) * s * s)
            for fi in 0 ..< f {
                let src = (bi * f + fi) * frameSize
                let dst = fi * (ch + 1) * s * s
                withMask.replaceSubrange(dst ..< dst + frameSize, with: x.storage[src ..< src + frameSize])
                for k in 0 ..< s * s { withMask[dst + frameSize + k] = given[bi][fi] }
            }
            patches += try Patchify.patchify(Tensor(uncheckedShape: [f, ch + 1, s, s], storage: withMask), patch: p).storage
            if refiner != nil {
                for fi in 0 ..< f {
                    for c in 0 ..< ch + 1 {
                        for k in 0 ..< s * s {
                            pixels[((bi * f + fi) * s * s + k) * (ch + 1) + c] = withMask[(fi * (ch + 1) + c) * s * s + k]
                        }
                    }
                }
            }
        }
        var tokens = try patchIn(Tensor(uncheckedShape: [b * n, (ch + 1) * p * p], storage: patches))
        let pos = f == c.frames ? positions : try VideoDiT.positionEmbeddings(frames: f, configuration: c)
        tokens.storage.withUnsafeMutableBufferPointer { pt in
            pos.storage.withUnsafeBufferPointer { pp in
                for r in 0 ..< b * n { for i in 0 ..< d { pt[r * d + i] += pp[(r % n) * d + i] } }
            }
        }

        // c = SiLU(time_out(SiLU(time_in(sincos(1000·t)))) + text_pool(pooled)).
        var temb = try timeIn(try SinusoidalEmbedding.embed(t.map { 1000 * $0 }, dimension: c.timeFrequencyDim, order: .sineFirst))
        Activation.silu.apply(&temb)
        var cond = try timeOut(temb)
        if let guidance, let guidanceIn, let guidanceOut {
            // + guidance_out(SiLU(guidance_in(sincos(100·g)))).
            var gemb = try guidanceIn(try SinusoidalEmbedding.embed(guidance.map { 100 * $0 }, dimension: c.timeFrequencyDim, order: .sineFirst))
            Activation.silu.apply(&gemb)
            try Elementwise.addInPlace(&cond, try guidanceOut(gemb))
        }
        try Elementwise.addInPlace(&cond, text.pooledProjection)
        Activation.silu.apply(&cond)

        let angles = f == c.frames ? rotary : try VideoDiT.rotaryTable(frames: f, configuration: c)
        for (k, block) in blocks.enumerated() {
            try block(&tokens, batch: b, tokens: n, c: cond, rotary: angles, keyValues: text.keyValues[k],
                      contextLength: text.contextLength, maskBias: text.maskBias, scratch: &workspace.trunk)
        }
        let mod = try modulationOut(cond)
        var h = try normOut(tokens)
        TokenModulation.modulate(&h, batch: b, tokens: n, mod: mod, shiftChunk: 0, scaleChunk: 1, chunks: 2)
        let outTokens = try patchOut(h)

        var out: [Float] = []
        out.reserveCapacity(x.count)
        let per = n * ch * p * p
        for bi in 0 ..< b {
            let part = Tensor(uncheckedShape: [n, ch * p * p], storage: Array(outTokens.storage[bi * per ..< (bi + 1) * per]))
            out += try Patchify.unpatchify(part, frames: f, channels: ch, height: s, width: s, patch: p).storage
        }
        var velocity = Tensor(uncheckedShape: x.shape, storage: out)
        if let refiner {
            try refiner.add(to: &velocity, pixels: Tensor(uncheckedShape: [b * f * s * s, ch + 1], storage: pixels), head: h,
                            cond: cond, batch: b, frames: f, scratch: &workspace.refiner)
        }
        return velocity
    }
}
