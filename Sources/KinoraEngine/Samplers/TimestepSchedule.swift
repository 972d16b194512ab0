/// Noise-level schedules for the samplers.
public enum TimestepSchedule {
    /// Shifts a flow-matching time toward noise: `t' = s·t / (1 + (s − 1)·t)`
    /// (s > 1 spends more steps at high noise, where the global layout is decided).
    public static func shift(_ t: Float, by s: Float) -> Float {
        s * t / (1 + (s - 1) * t)
    }

    /// `steps` flow-matching times from 1 toward 0, shifted: `shift(1 − i/steps)` for
    /// i = 0 … steps−1 (the last step goes to t = 0).
    public static func flowMatching(steps: Int, shift s: Float = 1) throws -> [Float] {
        guard steps >= 1, s > 0, s.isFinite else {
            throw EngineError.invalidArgument(operation: "TimestepSchedule.flowMatching", detail: "steps \(steps), shift \(s)")
        }
        return (0 ..< steps).map { shift(1 - Float($0) / Float(steps), by: s) }
    }

    /// `steps` discrete timesteps out of `trainingSteps`, evenly spaced and ending at the
    /// cleanest: "trailing" spacing, `round(T − i·T/steps) − 1` (diffusers' `trailing`).
    public static func trailing(steps: Int, trainingSteps: Int) throws -> [Float] {
        guard steps >= 1, trainingSteps >= steps else {
            throw EngineError.invalidArgument(operation: "TimestepSchedule.trailing", detail: "steps \(steps) of \(trainingSteps)")
        }
        let ratio = Double(trainingSteps) / Double(steps)
        return (0 ..< steps).map { Float((Double(trainingSteps) - Double($0) * ratio).rounded() - 1) }
    }
}
