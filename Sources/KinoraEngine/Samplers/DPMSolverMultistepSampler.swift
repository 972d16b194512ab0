import Foundation

/// DPM-Solver++(2M) (Lu et al. 2022), data-prediction form, midpoint variant, as diffusers'
/// `DPMSolverMultistepScheduler` with `solver_order=2`, `lower_order_final=True` and a final
/// σ of 0: the first step is first order (DDIM), each later step uses the previous x̂₀ too,
/// and the last step returns x̂₀.
///
/// With λ = log(α/σ), h = λ_t − λ_s, r = h_prev/h, D = x̂₀ + (x̂₀ − x̂₀_prev)/(2r):
/// `x_t = (σ_t/σ_s)·x − α_t·(e^{−h} − 1)·D`.
public struct DPMSolverMultistepSampler: Sampler {
    public let timesteps: [Float]
    public let schedule: DiscreteNoiseSchedule
    public let prediction: PredictionType
    private var previousDenoised: Tensor?
    private var previousLambda: Double = 0

    public init(steps: Int, schedule: DiscreteNoiseSchedule, prediction: PredictionType = .epsilon) throws {
        self.schedule = schedule
        self.prediction = prediction
        timesteps = try TimestepSchedule.trailing(steps: steps, trainingSteps: schedule.trainingSteps)
    }

    public mutating func step(_ x: Tensor, index: Int, model: Denoiser) throws -> Tensor {
        try checkStep(index)
        let t = timesteps[index]
        let (x0, _) = try schedule.denoised(try model(x, t), sample: x, t: t, prediction: prediction)
        let (aS, sS) = try schedule.alphaSigma(t)
        let lambdaS = log(aS / sS)
        defer { previousDenoised = x0; previousLambda = lambdaS }
        guard index + 1 < timesteps.count else { return x0 }
        let (aT, sT) = try schedule.alphaSigma(timesteps[index + 1])
        let h = log(aT / sT) - lambdaS
        let phi = exp(-h) - 1
        var d = x0
        if index > 0, let previous = previousDenoised {
            let r = (lambdaS - previousLambda) / h
            d = try Combine.linear([(Float(1 + 0.5 / r), x0), (Float(-0.5 / r), previous)], operation: "DPMSolverMultistepSampler")
        }
        return try Combine.linear([(Float(sT / sS), x), (Float(-aT * phi), d)], operation: "DPMSolverMultistepSampler")
    }
}
