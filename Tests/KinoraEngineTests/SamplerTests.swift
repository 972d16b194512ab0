import Foundation
import XCTest
@testable import KinoraEngine

/// Samplers against float64 NumPy references (Fixtures/samplers.safetensors), every step of a
/// trajectory driven by the same toy model. Tolerance 1e-5 relative to the step's largest value (the toy
/// model is no real denoiser: ε-prediction trajectories reach values of order 10). Also: exactness on a one-point data set, cancellation, guidance.
final class SamplerTests: XCTestCase {
    /// The fixture's toy model: sin(x)·(0.5 + t/scale) − 0.3·x.
    func toy(scale: Float) -> Denoiser {
        { x, t in
            Tensor(uncheckedShape: x.shape, storage: x.storage.map { sin($0) * (0.5 + t / scale) - 0.3 * $0 })
        }
    }

    func check<S: Sampler>(_ sampler: S, _ name: String, scale: Float) throws {
        let f = try Fixture.file("samplers")
        var s = sampler
        let expected = try f.tensor("\(name).trajectory")
        var x = try f.tensor("noise")
        var g = PhiloxGenerator(seed: 3)
        XCTAssertEqual(x.storage, g.normals(count: 64).map { $0 }, "noise is the Philox stream")
        for i in 0 ..< s.timesteps.count {
            x = try s.step(x, index: i, model: toy(scale: scale))
            assertCloseRelative(x, try expected.slice(first: i + 1), tolerance: 1e-5, "\(name) step \(i + 1)")
        }
    }

    func testTrajectoriesMatchReference() throws {
        let schedule = try DiscreteNoiseSchedule()
        try check(FlowMatchEulerSampler(steps: 8, shift: 3), "euler", scale: 1)
        try check(FlowMatchHeunSampler(steps: 6, shift: 3), "heun", scale: 1)
        try check(DDIMSampler(steps: 10, schedule: schedule, prediction: .epsilon), "ddim_eps", scale: 1000)
        try check(DDIMSampler(steps: 10, schedule: schedule, prediction: .vPrediction), "ddim_v", scale: 1000)
        try check(DPMSolverMultistepSampler(steps: 10, schedule: schedule, prediction: .epsilon), "dpmpp2m_eps", scale: 1000)
        try check(DPMSolverMultistepSampler(steps: 10, schedule: schedule, prediction: .vPrediction), "dpmpp2m_v", scale: 1000)
    }

    /// With one data point x*, the exact velocity is (x − x*)/t: Euler lands on x* exactly.
    func testFlowMatchingIsExactForOnePoint() throws {
        let target = try Tensor(shape: [3], storage: [0.5, -1, 2])
        let exact: Denoiser = { x, t in
            Tensor(uncheckedShape: x.shape, storage: zip(x.storage, target.storage).map { ($0 - $1) / t })
        }
        var sampler = try FlowMatchEulerSampler(steps: 4, shift: 2)
        let out = try SamplingLoop.run(&sampler, from: try Tensor(shape: [3], storage: [1, 1, 1]), model: exact)
        assertClose(out, target, tolerance: 1e-5, "euler on one point")
    }

    func testScheduleShift() throws {
        XCTAssertEqual(try TimestepSchedule.flowMatching(steps: 2, shift: 3), [1, 0.75])
        XCTAssertEqual(try TimestepSchedule.trailing(steps: 4, trainingSteps: 1000), [999, 749, 499, 249])
        XCTAssertThrowsError(try TimestepSchedule.flowMatching(steps: 0))
    }

    func testProgressCancelsAndPreviews() throws {
        var sampler = try FlowMatchEulerSampler(steps: 5)
        var seen: [Int] = []
        var previews = 0
        XCTAssertThrowsError(try SamplingLoop.run(&sampler, from: try Tensor(zeros: [2]), model: toy(scale: 1),
                                                  progress: { seen.append($0.step); return $0.step < 3 },
                                                  preview: { _, _ in previews += 1 })) {
            XCTAssertEqual($0 as? EngineError, .cancelled)
        }
        XCTAssertEqual(seen, [1, 2, 3])
        XCTAssertEqual(previews, 3)
    }

    func testGuidance() throws {
        let c = try Tensor(shape: [2], storage: [1, 2]), u = try Tensor(shape: [2], storage: [0, 1])
        XCTAssertEqual(try ClassifierFreeGuidance.combine(conditional: c, unconditional: u, scale: 3).storage, [3, 4])
        let batched: Denoiser = { x, _ in
            try Tensor.stack([Elementwise.scaled(try x.slice(first: 0), by: 2), try x.slice(first: 1)])
        }
        let guided = ClassifierFreeGuidance.denoiser(scale: 2, conditional: { x, _ in x }, batched: batched)
        XCTAssertEqual(try guided(try Tensor(shape: [1], storage: [1]), 0.5).storage, [3])
    }
}
