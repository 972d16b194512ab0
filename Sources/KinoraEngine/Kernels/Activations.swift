import Foundation

/// Element-wise activation functions, applied in place or to a copy.
public enum Activation: Sendable {
    /// `x · sigmoid(x)`.
    case silu
    /// GELU with the exact error function, `x/2 · (1 + erf(x/√2))` (BERT, PyTorch default).
    case gelu
    /// GELU's tanh approximation (PyTorch `approximate="tanh"`).
    case geluTanh

    /// Returns `activation(x)`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var y = x
        apply(&y)
        return y
    }

    /// Replaces every element of `x` with its activation.
    public func apply(_ x: inout Tensor) {
        let n = x.count
        Profiler.measure("activation") {
            x.storage.withUnsafeMutableBufferPointer { p in
                guard let base = p.baseAddress else { return }
                let blocks = (n + 4095) / 4096
                let kind = self
                parallelFor(blocks, minimumPerThread: 4) { blk in
                    let p = base
                    let lo = blk * 4096, hi = min(n, lo + 4096)
                    switch kind {
                    case .silu: VectorMath.map(p + lo, count: hi - lo, VectorMath.silu)
                    case .gelu: VectorMath.map(p + lo, count: hi - lo, VectorMath.gelu)
                    case .geluTanh: VectorMath.map(p + lo, count: hi - lo, VectorMath.geluTanh)
                    }
                }
            }
        }
    }
}

/// Softmax over the last axis.
public enum Softmax {
    /// `exp(x - max) / Σ exp(x - max)` along the last axis.
    public static func lastAxis(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 1, x.shape[x.rank - 1] > 0 else {
            throw EngineError.shapeMismatch(operation: "softmax", detail: "input \(x.shape)")
        }
        var y = x
        let d = x.shape[x.rank - 1]
        y.storage.withUnsafeMutableBufferPointer { p in
            for r in 0 ..< x.count / d { softmaxRow(p.baseAddress! + r * d, count: d) }
        }
        return y
    }

    /// In-place softmax of one row. A row of all −∞ (every key masked) becomes zeros, not NaN.
    /// Max and sum run on eight-lane accumulators (a scalar float reduction cannot vectorise).
    @inline(__always)
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, count: Int) {
        let m = VectorMath.maximum(row, count: count)
        guard m > -Float.infinity else {
            row.update(repeating: 0, count: count)
            return
        }
        VectorMath.map(row, count: count) { VectorMath.exp($0 - m) }
        let inv = 1 / VectorMath.sum(row, count: count)
        VectorMath.map(row, count: count) { $0 * inv }
    }
}
