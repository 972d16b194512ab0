/// Where a sampling run is, reported after every step.
public struct SamplingProgress: Sendable {
    /// Steps done (1 after the first).
    public var step: Int
    public var totalSteps: Int
    /// The noise level the step started from.
    public var timestep: Float
}

/// Runs a sampler from initial noise to a sample, reporting progress after every step.
public enum SamplingLoop {
    /// - Parameters:
    ///   - progress: called after each step; returning `false` stops the run with `EngineError.cancelled`.
    ///   - preview: optional, called with the current sample after each step (for a live preview).
    public static func run<S: Sampler>(_ sampler: inout S, from initial: Tensor, model: Denoiser,
                                       progress: (SamplingProgress) -> Bool = { _ in true },
                                       preview: ((Int, Tensor) -> Void)? = nil) throws -> Tensor {
        var x = initial
        let total = sampler.timesteps.count
        for i in 0 ..< total {
            x = try sampler.step(x, index: i, model: model)
            preview?(i + 1, x)
            guard progress(SamplingProgress(step: i + 1, totalSteps: total, timestep: sampler.timesteps[i])) else {
                throw EngineError.cancelled
            }
        }
        return x
    }
}
