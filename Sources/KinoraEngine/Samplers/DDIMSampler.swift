/// Deterministic DDIM (Song et al. 2021, η = 0) for ε- or v-prediction models:
/// `x_prev = α_prev·x̂₀ + σ_prev·ε̂`; the last step returns x̂₀ (ᾱ of "before 0" is 1).
public struct DDIMSampler: Sampler {
    public let timesteps: [Float]
    public let schedule: DiscreteNoiseSchedule
    public let prediction: PredictionType

    public init(steps: Int, schedule: DiscreteNoiseSchedule, prediction: PredictionType = .epsilon) throws {
        self.schedule = schedule
        self.prediction = prediction
        timesteps = try TimestepSchedule.trailing(steps: steps, trainingSteps: schedule.trainingSteps)
    }

    public mutating func step(_ x: Tensor, index: Int, model: Denoiser) throws -> Tensor {
        try checkStep(index)
        let t = timesteps[index]
        let previous: Float = index + 1 < timesteps.count ? timesteps[index + 1] : -1
        let (x0, eps) = try schedule.denoised(try model(x, t), sample: x, t: t, prediction: prediction)
        let (a, s) = try schedule.alphaSigma(previous)
        return try Combine.linear([(Float(a), x0), (Float(s), eps)], operation: "DDIMSampler")
    }
}
