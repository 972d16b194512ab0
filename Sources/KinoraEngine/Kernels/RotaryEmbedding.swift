import Foundation

/// Rotary position embedding (Su et al. 2021) in the "rotate half" layout (GPT-NeoX, Llama):
/// within each head of width D, features i and i + D/2 are rotated by the angle
/// `position · base^(−2i/D)`. The 1D form of the spacetime rotation below.
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

/// The rotation angles of a clip's spacetime tokens (model.py `rotary_angles`): the first
/// `pairs` feature pairs of every head turn with the token's frame, row and column, axis after
/// axis — pair k of an axis with n pairs by `position · base^(−k/n)` — and features
/// k and `pairs` + k form pair k. The rest of the head is left as it is.
public struct SpacetimeRotaryTable: Sendable {
    /// Rotated pairs per head (the sum over the axes).
    public let pairs: Int
    /// Tokens covered, in patchify order (frame, then row, then column).
    public let tokens: Int
    let cosines: [Float], sines: [Float]  // [tokens · pairs]

    /// - Parameters: `pairs` and `bases`: per axis, in the order frame, row, column.
    public init(frames: Int, grid: Int, pairs: [Int], bases: [Float]) throws {
        guard frames > 0, grid > 0, pairs.count == 3, bases.count == 3, pairs.allSatisfy({ $0 >= 0 }),
              pairs.reduce(0, +) > 0, bases.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw EngineError.invalidArgument(operation: "SpacetimeRotaryTable",
                                              detail: "\(frames) frames, grid \(grid), pairs \(pairs), bases \(bases)")
        }
        // Frequencies as model.py computes them: in double, then rounded to float.
        let frequencies = zip(pairs, bases).flatMap { n, base in
            (0 ..< n).map { Float(Foundation.pow(Double(base), -Double($0) / Double(n))) }
        }
        let axisOfPair = pairs.enumerated().flatMap { axis, n in [Int](repeating: axis, count: n) }
        self.pairs = frequencies.count
        tokens = frames * grid * grid
        var cosines = [Float](repeating: 0, count: tokens * self.pairs), sines = cosines
        for r in 0 ..< tokens {
            let position = [Float(r / (grid * grid)), Float((r / grid) % grid), Float(r % grid)]
            for k in 0 ..< self.pairs {
                let angle = position[axisOfPair[k]] * frequencies[k]
                cosines[r * self.pairs + k] = Foundation.cos(angle)
                sines[r * self.pairs + k] = Foundation.sin(angle)
            }
        }
        self.cosines = cosines
        self.sines = sines
    }

    /// Rotates, in place, the queries and keys of fused projections `[B·tokens, 3·width]`
    /// (queries in columns 0..<width, keys in width..<2·width, `heads` heads each).
    func rotateQueriesAndKeys(_ fused: inout Tensor, batch: Int, width: Int, heads: Int) {
        let (n, p, headDim) = (tokens, pairs, width / heads)
        Profiler.measure("elementwise") {
            fused.storage.withUnsafeMutableBufferPointer { pf in
                cosines.withUnsafeBufferPointer { pc in
                    sines.withUnsafeBufferPointer { ps in
                        for row in 0 ..< batch * n {
                            let c = pc.baseAddress! + (row % n) * p, s = ps.baseAddress! + (row % n) * p
                            for part in 0 ..< 2 {
                                for h in 0 ..< heads {
                                    let x = pf.baseAddress! + row * 3 * width + part * width + h * headDim
                                    for k in 0 ..< p {
                                        let (a, b) = (x[k], x[p + k])
                                        x[k] = a * c[k] - b * s[k]
                                        x[p + k] = b * c[k] + a * s[k]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
