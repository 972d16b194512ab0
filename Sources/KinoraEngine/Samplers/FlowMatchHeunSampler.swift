/// Heun's second-order method on the flow-matching ODE (velocity prediction, t from 1 to 0):
/// an Euler predictor, then the trapezoid of the two velocities. The step to t = 0 is a
/// plain Euler step (the velocity at t = 0 is not needed), as in Karras et al. 2022.
public struct FlowMatchHeunSampler: Sampler {
    public let timesteps: [Float]

    public init(steps: Int, shift: Float = 1) throws {
        timesteps = try TimestepSchedule.flowMatching(steps: steps, shift: shift)
    }

    /// Given times in (0, 1], noisiest first (e.g. a shortened schedule for SDEdit).
    public init(timesteps: [Float]) throws {
        guard !timesteps.isEmpty, timesteps.allSatisfy({ $0 > 0 && $0 <= 1 }) else {
            throw EngineError.invalidArgument(operation: "FlowMatchHeunSampler", detail: "times must lie in (0, 1]")
        }
        self.timesteps = timesteps
    }

    public func nextTime(_ index: Int) -> Float { index + 1 < timesteps.count ? timesteps[index + 1] : 0 }

    public mutating func step(_ x: Tensor, index: Int, model: Denoiser) throws -> Tensor {
        try checkStep(index)
        let (t, next) = (timesteps[index], nextTime(index))
        let v1 = try model(x, t)
        let predicted = try Combine.linear([(1, x), (next - t, v1)], operation: "FlowMatchHeunSampler")
        guard next > 0 else { return predicted }
        let v2 = try model(predicted, next)
        return try Combine.linear([(1, x), ((next - t) / 2, v1), ((next - t) / 2, v2)], operation: "FlowMatchHeunSampler")
    }
}
