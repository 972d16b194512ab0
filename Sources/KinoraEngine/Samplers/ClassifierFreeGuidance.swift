/// Classifier-free guidance (Ho & Salimans 2022): `u + s·(c − u)` from a conditional and an
/// unconditional prediction.
public enum ClassifierFreeGuidance {
    /// Combines two predictions of one shape, in the reference's order of operations.
    public static func combine(conditional c: Tensor, unconditional u: Tensor, scale: Float) throws -> Tensor {
        guard c.shape == u.shape else {
            throw EngineError.shapeMismatch(operation: "ClassifierFreeGuidance", detail: "\(c.shape) vs \(u.shape)")
        }
        var out = u
        for i in 0 ..< out.count { out.storage[i] = u.storage[i] + scale * (c.storage[i] - u.storage[i]) }
        return out
    }

    /// A guided denoiser from a batched one: `batched` gets `[2, …]` (conditional first,
    /// unconditional second) and returns predictions of that shape. A scale of 1 skips the
    /// unconditional half.
    public static func denoiser(scale: Float, conditional: @escaping Denoiser, batched: @escaping Denoiser) -> Denoiser {
        { x, t in
            if scale == 1 { return try conditional(x, t) }
            let both = try batched(try Tensor.stack([x, x]), t)
            guard both.rank >= 1, both.shape[0] == 2 else {
                throw EngineError.shapeMismatch(operation: "ClassifierFreeGuidance", detail: "batched model returned \(both.shape)")
            }
            return try combine(conditional: both.slice(first: 0), unconditional: both.slice(first: 1), scale: scale)
        }
    }
}
