import Foundation

/// Sinusoidal embeddings of scalar positions (diffusion timesteps, frame/row/column indices).
public enum SinusoidalEmbedding {
    /// Which half comes first in the output.
    public enum Order: Sendable { case cosineFirst, sineFirst }

    /// Embeds each value of `positions` into `dimension` features: with
    /// `f_i = exp(-ln(maxPeriod) · i / half)` for i < half = dimension/2, the features are
    /// `[cos(p·f), sin(p·f)]` (DiT, `cosineFirst`) or `[sin, cos]`; an odd dimension is
    /// zero-padded at the end. Computed in Double, as PyTorch's float32 cos/sin is accurate
    /// to an ulp for these arguments.
    public static func embed(_ positions: [Float], dimension: Int, maxPeriod: Float = 10_000,
                             order: Order = .cosineFirst, scale: Float = 1) throws -> Tensor {
        guard dimension >= 2, maxPeriod > 0 else {
            throw EngineError.invalidArgument(operation: "SinusoidalEmbedding", detail: "dimension \(dimension), maxPeriod \(maxPeriod)")
        }
        let half = dimension / 2
        var out = Tensor(uncheckedZeros: [positions.count, dimension])
        // The frequencies are rounded to float32 first, as the reference computes them in float32.
        let freqs: [Float] = (0 ..< half).map { i in
            Foundation.exp(-Foundation.log(maxPeriod) * Float(i) / Float(half))
        }
        for (r, p) in positions.enumerated() {
            for i in 0 ..< half {
                let arg = (p * scale) * freqs[i]
                let c = Float(Foundation.cos(Double(arg))), s = Float(Foundation.sin(Double(arg)))
                switch order {
                case .cosineFirst: out.storage[r * dimension + i] = c; out.storage[r * dimension + half + i] = s
                case .sineFirst: out.storage[r * dimension + i] = s; out.storage[r * dimension + half + i] = c
                }
            }
        }
        return out
    }
}
