import Foundation

/// Rotary position embedding (Su et al. 2021) in the "rotate half" layout (GPT-NeoX, Llama):
/// within each head of width D, features i and i + D/2 are rotated by the angle
/// `position · base^(−2i/D)`. Not used by the current video model; here for models that
/// replace fixed sinusoids with it.
public enum RotaryEmbedding {
    /// Rotates `x [L, heads·D]` (row r at `positions[r]`), giving a new tensor.
    public static func apply(_ x: Tensor, heads: Int, positions: [Float], base: Float = 10_000) throws -> Tensor {
        guard x.rank == 2, heads > 0, x.shape[1] % heads == 0, (x.shape[1] / heads) % 2 == 0,
              positions.count == x.shape[0], base > 0 else {
            throw EngineError.shapeMismatch(operation: "RotaryEmbedding", detail: "x \(x.shape), \(heads) heads, \(positions.count) positions")
        }
        let width = x.shape[1], d = width / heads, half = d / 2
        let inverseFrequencies = (0 ..< half).map { Foundation.pow(Double(base), -2 * Double($0) / Double(d)) }
        var out = x
        for (r, p) in positions.enumerated() {
            for i in 0 ..< half {
                let angle = Double(p) * inverseFrequencies[i]
                let (c, s) = (Float(Foundation.cos(angle)), Float(Foundation.sin(angle)))
                for h in 0 ..< heads {
                    let o = r * width + h * d
                    let (a, b) = (x.storage[o + i], x.storage[o + half + i])
                    out.storage[o + i] = a * c - b * s
                    out.storage[o + half + i] = b * c + a * s
                }
            }
        }
        return out
    }
}
