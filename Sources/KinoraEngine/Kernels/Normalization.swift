import Foundation

/// Group normalisation over `[N, C, ...]` (PyTorch `nn.GroupNorm`), with optional affine.
public struct GroupNorm: Sendable {
    public let groups: Int
    public let channels: Int
    public let epsilon: Float
    /// `[C]` scale and shift, or nil for no affine.
    public let weight: Tensor?
    public let bias: Tensor?

    public init(groups: Int, channels: Int, epsilon: Float = 1e-5, weight: Tensor? = nil, bias: Tensor? = nil) throws {
        guard groups > 0, channels > 0, channels % groups == 0 else {
            throw EngineError.invalidArgument(operation: "GroupNorm", detail: "\(channels) channels in \(groups) groups")
        }
        for t in [weight, bias].compactMap({ $0 }) where t.shape != [channels] {
            throw EngineError.shapeMismatch(operation: "GroupNorm", detail: "affine \(t.shape) for \(channels) channels")
        }
        self.groups = groups
        self.channels = channels
        self.epsilon = epsilon
        self.weight = weight
        self.bias = bias
    }

    /// Loads `weight` and `bias` of shape `[channels]` under the loader's prefix.
    public init(_ loader: WeightLoader, groups: Int, channels: Int, epsilon: Float = 1e-5) throws {
        try self.init(groups: groups, channels: channels, epsilon: epsilon,
                      weight: loader.tensor("weight", shape: [channels]),
                      bias: loader.tensor("bias", shape: [channels]))
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 2, x.shape[1] == channels else {
            throw EngineError.shapeMismatch(operation: "GroupNorm", detail: "input \(x.shape) for \(channels) channels")
        }
        let n = x.shape[0]
        let spatial = x.shape.dropFirst(2).reduce(1, *)
        let perGroup = channels / groups
        var out = x
        Profiler.measure("norm") {
            out.storage.withUnsafeMutableBufferPointer { po in
                guard let base = po.baseAddress else { return }
                let w = weight?.storage, b = bias?.storage
                parallelFor(n * groups, minimumPerThread: 4) { ng in
                    let g = ng % groups
                    let p = base + ng * perGroup * spatial
                    let len = perGroup * spatial
                    let (mean, inv) = Statistics.meanAndInverseStd(p, count: len, epsilon: epsilon)
                    for ci in 0 ..< perGroup {
                        let ch = g * perGroup + ci
                        let scale = (w?[ch] ?? 1) * inv
                        let shift = (b?[ch] ?? 0) - mean * scale
                        let row = p + ci * spatial
                        for i in 0 ..< spatial { row[i] = row[i] * scale + shift }
                    }
                }
            }
        }
        return out
    }
}

/// Layer normalisation over the last axis (PyTorch `nn.LayerNorm`), with optional affine.
public struct LayerNorm: Sendable {
    public let features: Int
    public let epsilon: Float
    public let weight: Tensor?
    public let bias: Tensor?

    public init(features: Int, epsilon: Float = 1e-5, weight: Tensor? = nil, bias: Tensor? = nil) throws {
        guard features > 0 else { throw EngineError.invalidArgument(operation: "LayerNorm", detail: "features \(features)") }
        for t in [weight, bias].compactMap({ $0 }) where t.shape != [features] {
            throw EngineError.shapeMismatch(operation: "LayerNorm", detail: "affine \(t.shape) for \(features) features")
        }
        self.features = features
        self.epsilon = epsilon
        self.weight = weight
        self.bias = bias
    }

    /// Loads `weight` and `bias` of shape `[features]` under the loader's prefix.
    public init(_ loader: WeightLoader, features: Int, epsilon: Float = 1e-5) throws {
        try self.init(features: features, epsilon: epsilon,
                      weight: loader.tensor("weight", shape: [features]),
                      bias: loader.tensor("bias", shape: [features]))
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var out = Tensor(uninitialized: x.shape)
        try self(x, into: &out)
        return out
    }

    /// Normalises `x` into `out` (storage reused when it has the right size).
    public func callAsFunction(_ x: Tensor, into out: inout Tensor) throws {
        guard x.rank >= 1, x.shape[x.rank - 1] == features else {
            throw EngineError.shapeMismatch(operation: "LayerNorm", detail: "input \(x.shape) for \(features) features")
        }
        out.reuse(as: x.shape)
        guard x.count > 0 else { return }
        out.storage.withUnsafeMutableBufferPointer { po in
            x.storage.withUnsafeBufferPointer { px in po.baseAddress!.update(from: px.baseAddress!, count: x.count) }
        }
        let d = features
        Profiler.measure("norm") {
            out.storage.withUnsafeMutableBufferPointer { po in
                guard let base = po.baseAddress else { return }
                let w = weight?.storage, b = bias?.storage
                parallelFor(x.count / d, minimumPerThread: 64) { r in
                    let row = base + r * d
                    // Rows are short (a token's features): float accumulators suffice.
                    let (mean, inv) = VectorMath.meanAndInverseStd(row, count: d, epsilon: epsilon)
                    if let w, let b {
                        for i in 0 ..< d { row[i] = (row[i] - mean) * inv * w[i] + b[i] }
                    } else {
                        VectorMath.map(row, count: d) { ($0 - mean) * inv }
                    }
                }
            }
        }
    }
}

/// Root-mean-square normalisation over the last axis, `x / sqrt(mean(x²) + ε) · w`.
public struct RMSNorm: Sendable {
    public let features: Int
    public let epsilon: Float
    public let weight: Tensor?

    public init(features: Int, epsilon: Float = 1e-6, weight: Tensor? = nil) throws {
        guard features > 0 else { throw EngineError.invalidArgument(operation: "RMSNorm", detail: "features \(features)") }
        if let weight, weight.shape != [features] {
            throw EngineError.shapeMismatch(operation: "RMSNorm", detail: "weight \(weight.shape) for \(features) features")
        }
        self.features = features
        self.epsilon = epsilon
        self.weight = weight
    }

    /// Loads `weight` of shape `[features]` under the loader's prefix.
    public init(_ loader: WeightLoader, features: Int, epsilon: Float = 1e-6) throws {
        try self.init(features: features, epsilon: epsilon, weight: loader.tensor("weight", shape: [features]))
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 1, x.shape[x.rank - 1] == features else {
            throw EngineError.shapeMismatch(operation: "RMSNorm", detail: "input \(x.shape) for \(features) features")
        }
        var out = x
        let d = features
        out.storage.withUnsafeMutableBufferPointer { po in
            let w = weight?.storage
            for r in 0 ..< x.count / d {
                let row = po.baseAddress! + r * d
                var ss: Double = 0
                for i in 0 ..< d { ss += Double(row[i]) * Double(row[i]) }
                let inv = Float(1 / (ss / Double(d) + Double(epsilon)).squareRoot())
                for i in 0 ..< d { row[i] = row[i] * inv * (w?[i] ?? 1) }
            }
        }
        return out
    }
}

enum Statistics {
    /// Mean and 1/sqrt(biased variance + ε) of `count` floats, accumulated in Double so that
    /// long groups (a whole feature map) keep float32 accuracy.
    @inline(__always)
    static func meanAndInverseStd(_ p: UnsafeMutablePointer<Float>, count: Int, epsilon: Float) -> (Float, Float) {
        var sum: Double = 0
        for i in 0 ..< count { sum += Double(p[i]) }
        let mean = sum / Double(count)
        var sq: Double = 0
        for i in 0 ..< count { let d = Double(p[i]) - mean; sq += d * d }
        let variance = sq / Double(count)
        return (Float(mean), Float(1 / (variance + Double(epsilon)).squareRoot()))
    }
}
