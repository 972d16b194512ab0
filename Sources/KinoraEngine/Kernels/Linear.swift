/// A fully connected layer, `y = x · Wᵀ + b`, with PyTorch's weight layout `[out, in]`.
public struct Linear: Sendable {
    /// `[outFeatures, inFeatures]`.
    public let weight: Tensor
    /// `[outFeatures]`, or nil for a layer without bias.
    public let bias: Tensor?

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// Validates that `weight` is a matrix and `bias` matches its rows.
    public init(weight: Tensor, bias: Tensor?) throws {
        guard weight.rank == 2, weight.shape[0] > 0, weight.shape[1] > 0 else {
            throw EngineError.shapeMismatch(operation: "Linear", detail: "weight must be [out, in], got \(weight.shape)")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw EngineError.shapeMismatch(operation: "Linear", detail: "bias \(bias.shape) for weight \(weight.shape)")
        }
        self.weight = weight
        self.bias = bias
    }

    /// Loads `weight` (and `bias` when present or required) under the loader's prefix.
    public init(_ loader: WeightLoader, inFeatures: Int, outFeatures: Int, bias: Bool = true) throws {
        let w = try loader.tensor("weight", shape: [outFeatures, inFeatures])
        let b = bias ? try loader.tensor("bias", shape: [outFeatures]) : nil
        try self.init(weight: w, bias: b)
    }

    /// Applies the layer to `x [..., in]`, giving `[..., out]`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 1, x.shape[x.rank - 1] == inFeatures else {
            throw EngineError.shapeMismatch(operation: "Linear", detail: "input \(x.shape), weight \(weight.shape)")
        }
        let rows = x.count / max(1, inFeatures)
        var outShape = x.shape
        outShape[outShape.count - 1] = outFeatures
        var out = Tensor(uninitialized: outShape)
        apply(x, rows: rows, into: &out)
        return out
    }

    /// Applies the layer writing into `out`, whose storage is reused when it has the right
    /// size (no allocation in a sampler's inner loop).
    public func callAsFunction(_ x: Tensor, into out: inout Tensor) throws {
        guard x.rank >= 1, x.shape[x.rank - 1] == inFeatures else {
            throw EngineError.shapeMismatch(operation: "Linear", detail: "input \(x.shape), weight \(weight.shape)")
        }
        var outShape = x.shape
        outShape[outShape.count - 1] = outFeatures
        out.reuse(as: outShape)
        apply(x, rows: x.count / inFeatures, into: &out)
    }

    /// Writes `x · Wᵀ + b` into `out` (whose shape the caller has made right).
    func apply(_ x: Tensor, rows: Int, into out: inout Tensor) {
        // Every element of `out` is written: bias then β = 1, or β = 0 (which ignores C).
        let (n, k) = (outFeatures, inFeatures)
        guard rows > 0 else { return }
        Profiler.measure("linear", flops: 2 * Double(rows) * Double(n) * Double(k)) {
            out.storage.withUnsafeMutableBufferPointer { pc in
                let c = pc.baseAddress!
                var beta: Float = 0
                if let bias {
                    // Pre-fill with the bias and accumulate (beta = 1): one pass fewer.
                    bias.storage.withUnsafeBufferPointer { pb in
                        for r in 0 ..< rows { (c + r * n).update(from: pb.baseAddress!, count: n) }
                    }
                    beta = 1
                }
                x.storage.withUnsafeBufferPointer { pa in
                    weight.storage.withUnsafeBufferPointer { pw in
                        Matmul.parallelSgemm(m: rows, n: n, k: k, a: pa.baseAddress!, lda: k,
                                     b: pw.baseAddress!, ldb: k, transposeB: true,
                                     c: c, ldc: n, beta: beta)
                    }
                }
            }
        }
    }
}
