/// The motion channels' own noise schedule (config.json `sampler.motion_lead`,
/// Training/kinora_train/sampling.py `motion_clock`): a denoiser trained with some clips'
/// motion less noisy than their latent (train_dit `--motion-lead`) decides the motion while the
/// clip is still mostly noise, where only the text can decide it, and takes the clip's last
/// steps with the motion fixed.
enum MotionClock {
    /// The motion's noise level at each of the clip's `times`: 1 when the clip's is 1, 0 once
    /// the clip's reaches `lead`, linear between.
    static func times(for times: [Float], lead: Float) -> [Float] {
        times.map { min(1, max(0, ($0 - lead) / (1 - lead))) }
    }

    /// Why `lead` cannot be used with a denoiser of `motionChannels`, or nil.
    static func problem(lead: Float, motionChannels: Int) -> String? {
        guard lead.isFinite, lead >= 0, lead < 1 else { return "motion lead \(lead) must lie in [0, 1)" }
        if lead > 0 && motionChannels == 0 { return "motion lead \(lead) needs a denoiser with motion channels" }
        return nil
    }
}

/// Euler's method with two clocks: one model call at the clip's time, then the latent channels
/// step by the clip's Δt and the motion channels by the motion clock's.
struct MotionClockEulerSampler: Sampler {
    /// The clip's clock: its times (checked there) and the time after each step.
    let clip: FlowMatchEulerSampler
    let motionTimes: [Float]
    let layout: StateLayout
    var timesteps: [Float] { clip.timesteps }

    init(timesteps: [Float], lead: Float, layout: StateLayout) throws {
        clip = try FlowMatchEulerSampler(timesteps: timesteps)
        motionTimes = MotionClock.times(for: timesteps, lead: lead)
        self.layout = layout
    }

    mutating func step(_ x: Tensor, index: Int, model: Denoiser) throws -> Tensor {
        try checkStep(index)
        let dtLatent = clip.nextTime(index) - timesteps[index]
        let dtMotion = (index + 1 < motionTimes.count ? motionTimes[index + 1] : 0) - motionTimes[index]
        let v = try model(x, timesteps[index])
        guard v.shape == x.shape else {
            throw EngineError.shapeMismatch(operation: "MotionClockEulerSampler", detail: "\(v.shape) vs \(x.shape)")
        }
        var out = x
        let latentSize = layout.latentChannels * layout.pixels
        out.storage.withUnsafeMutableBufferPointer { po in
            v.storage.withUnsafeBufferPointer { pv in
                for i in 0 ..< po.count {
                    po[i] += (i % layout.frameSize < latentSize ? dtLatent : dtMotion) * pv[i]
                }
            }
        }
        return out
    }
}
