import Foundation

/// What an ε/v-family model predicts.
public enum PredictionType: String, Sendable {
    /// The added noise ε.
    case epsilon
    /// `v = α·ε − σ·x₀` (Salimans & Ho 2022).
    case vPrediction = "v_prediction"
}

/// A DDPM training noise schedule: `ᾱ_t = Π(1 − β_s)` over T discrete timesteps, with
/// `x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε`.
public struct DiscreteNoiseSchedule: Sendable {
    /// ᾱ for t = 0 … T−1.
    public let alphasCumulative: [Double]

    /// β evenly spaced (`linear`) or evenly spaced in √β (`scaledLinear`, Stable Diffusion's).
    public enum BetaSpacing: Sendable { case linear, scaledLinear }

    public init(trainingSteps: Int = 1000, betaStart: Double = 0.00085, betaEnd: Double = 0.012,
                spacing: BetaSpacing = .scaledLinear) throws {
        guard trainingSteps >= 2, betaStart > 0, betaEnd < 1, betaStart <= betaEnd else {
            throw EngineError.invalidArgument(operation: "DiscreteNoiseSchedule", detail: "T \(trainingSteps), β \(betaStart)…\(betaEnd)")
        }
        var product = 1.0
        alphasCumulative = (0 ..< trainingSteps).map { i in
            let f = Double(i) / Double(trainingSteps - 1)
            let beta = spacing == .linear
                ? betaStart + f * (betaEnd - betaStart)
                : pow(betaStart.squareRoot() + f * (betaEnd.squareRoot() - betaStart.squareRoot()), 2)
            product *= 1 - beta
            return product
        }
    }

    public var trainingSteps: Int { alphasCumulative.count }

    /// (α, σ) = (√ᾱ_t, √(1 − ᾱ_t)) at a timestep; a negative timestep is clean data (1, 0).
    public func alphaSigma(_ t: Float) throws -> (Double, Double) {
        guard t.isFinite, t < Float(trainingSteps) else {
            throw EngineError.invalidArgument(operation: "DiscreteNoiseSchedule", detail: "timestep \(t) outside [0, \(trainingSteps))")
        }
        if t < 0 { return (1, 0) }
        let i = Int(t.rounded())
        guard i < trainingSteps else {
            throw EngineError.invalidArgument(operation: "DiscreteNoiseSchedule", detail: "timestep \(t) ≥ \(trainingSteps)")
        }
        let a = alphasCumulative[i]
        return (a.squareRoot(), (1 - a).squareRoot())
    }

    /// The model output converted to (x₀, ε) at a timestep.
    func denoised(_ output: Tensor, sample x: Tensor, t: Float, prediction: PredictionType) throws -> (x0: Tensor, eps: Tensor) {
        let (a, s) = try alphaSigma(t)
        let (af, sf) = (Float(a), Float(s))
        switch prediction {
        case .epsilon:
            let x0 = try Combine.linear([(1 / af, x), (-sf / af, output)], operation: "denoised")
            return (x0, output)
        case .vPrediction:
            return (try Combine.linear([(af, x), (-sf, output)], operation: "denoised"),
                    try Combine.linear([(sf, x), (af, output)], operation: "denoised"))
        }
    }
}
