/// Cuts latent clips `[F, C, H, W]` into patch tokens and puts them back.
///
/// Tokens are ordered frame-major, then patch row, then patch column
/// (`t = (f·H/p + i)·W/p + j`). Within a token the features are ordered
/// `(c, py, px)` — the order of a stride-p convolution's flattened weight — or
/// `(py, px, c)` with `.channelsLast` (DiT's unpatchify order).
public enum Patchify {
    public enum FeatureOrder: Sendable { case channelsFirst, channelsLast }

    /// `[F, C, H, W]` → `[F·(H/p)·(W/p), C·p·p]`.
    public static func patchify(_ x: Tensor, patch p: Int, order: FeatureOrder = .channelsFirst) throws -> Tensor {
        guard x.rank == 4, p > 0, x.shape[2] % p == 0, x.shape[3] % p == 0 else {
            throw EngineError.shapeMismatch(operation: "patchify", detail: "input \(x.shape), patch \(p)")
        }
        let (f, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (gh, gw) = (h / p, w / p)
        var out = Tensor(uncheckedZeros: [f * gh * gw, c * p * p])
        for fi in 0 ..< f { for i in 0 ..< gh { for j in 0 ..< gw {
            let t = (fi * gh + i) * gw + j
            for ci in 0 ..< c { for py in 0 ..< p { for px in 0 ..< p {
                let feature = order == .channelsFirst ? (ci * p + py) * p + px : (py * p + px) * c + ci
                out.storage[t * c * p * p + feature] = x.storage[((fi * c + ci) * h + i * p + py) * w + j * p + px]
            } } }
        } } }
        return out
    }

    /// `[F·(H/p)·(W/p), C·p·p]` → `[F, C, H, W]`, the inverse of `patchify`.
    public static func unpatchify(_ tokens: Tensor, frames f: Int, channels c: Int, height h: Int, width w: Int,
                                  patch p: Int, order: FeatureOrder = .channelsFirst) throws -> Tensor {
        guard p > 0, f > 0, c > 0, h % p == 0, w % p == 0,
              tokens.shape == [f * (h / p) * (w / p), c * p * p] else {
            throw EngineError.shapeMismatch(operation: "unpatchify", detail: "tokens \(tokens.shape) for [\(f), \(c), \(h), \(w)], patch \(p)")
        }
        let (gh, gw) = (h / p, w / p)
        var out = Tensor(uncheckedZeros: [f, c, h, w])
        for fi in 0 ..< f { for i in 0 ..< gh { for j in 0 ..< gw {
            let t = (fi * gh + i) * gw + j
            for ci in 0 ..< c { for py in 0 ..< p { for px in 0 ..< p {
                let feature = order == .channelsFirst ? (ci * p + py) * p + px : (py * p + px) * c + ci
                out.storage[((fi * c + ci) * h + i * p + py) * w + j * p + px] = tokens.storage[t * c * p * p + feature]
            } } }
        } } }
        return out
    }
}
