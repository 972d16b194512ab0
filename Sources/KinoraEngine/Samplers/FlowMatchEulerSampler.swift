/// Euler's method on the flow-matching ODE `dx/dt = v(x, t)`, with
/// `x_t = (1 − t)·x₀ + t·ε` and the model predicting `v = ε − x₀`; t runs from 1 to 0.
public struct FlowMatchEulerSampler: Sampler {
    public let timesteps: [Float]

    /// `steps` steps of the shifted schedule (`TimestepSchedule.flowMatching`).
    public init(steps: Int, shift: Float = 1) throws {
        timesteps = try TimestepSchedule.flowMatching(steps: steps, shift: shift)
    }

    /// Starting part-way (SDEdit, style transfer): the schedule's times ≤ `startTime` only.
    public init(timesteps: [Float]) throws {
        guard !timesteps.isEmpty, timesteps.allSatisfy({ $0 > 0 && $0 <= 1 }) else {
            throw EngineError.invalidArgument(operation: "FlowMatchEulerSampler", detail: "times must lie in (0, 1]")
        }
        self.timesteps = timesteps
    }

    /// The time after step `index` (0 after the last).
    public func nextTime(_ index: Int) -> Float { index + 1 < timesteps.count ? timesteps[index + 1] : 0 }

    public mutating func step(_ x: Tensor, index: Int, model: Denoiser) throws -> Tensor {
        try checkStep(index)
        let t = timesteps[index]
        let v = try model(x, t)
        return try Combine.linear([(1, x), (nextTime(index) - t, v)], operation: "FlowMatchEulerSampler")
    }
}
