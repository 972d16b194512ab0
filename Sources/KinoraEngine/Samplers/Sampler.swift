/// A model evaluation inside a sampler: the prediction (velocity, ε or v, as the sampler
/// expects) for sample `x` at noise level `t` (flow-matching time in [0, 1], or a discrete
/// training timestep for DDPM-family samplers).
public typealias Denoiser = (_ x: Tensor, _ t: Float) throws -> Tensor

/// A numerical solver that turns noise into a sample, one step at a time.
///
/// Each sampler lives in its own file. `timesteps` are the noise levels the sampler visits,
/// noisiest first; `step` advances the sample from `timesteps[index]` to the next level (or
/// to clean data after the last), calling the model as often as the method needs.
public protocol Sampler: Sendable {
    /// Noise levels, noisiest first; one `step` per entry.
    var timesteps: [Float] { get }
    /// Advances `x` by one step. Multistep samplers remember earlier predictions, hence `mutating`.
    mutating func step(_ x: Tensor, index: Int, model: Denoiser) throws -> Tensor
}

extension Sampler {
    func checkStep(_ index: Int) throws {
        guard timesteps.indices.contains(index) else {
            throw EngineError.invalidArgument(operation: "\(Self.self).step", detail: "step \(index) of \(timesteps.count)")
        }
    }
}

/// Element-wise linear combinations used by the samplers: `Σ cᵢ·tᵢ` over tensors of one shape.
enum Combine {
    static func linear(_ terms: [(Float, Tensor)], operation: String) throws -> Tensor {
        guard let first = terms.first else {
            throw EngineError.invalidArgument(operation: operation, detail: "no terms")
        }
        for (_, t) in terms where t.shape != first.1.shape {
            throw EngineError.shapeMismatch(operation: operation, detail: "\(t.shape) vs \(first.1.shape)")
        }
        var out = Tensor(uncheckedZeros: first.1.shape)
        out.storage.withUnsafeMutableBufferPointer { po in
            for (c, t) in terms {
                t.storage.withUnsafeBufferPointer { pt in
                    for i in 0 ..< po.count { po[i] += c * pt[i] }
                }
            }
        }
        return out
    }
}
