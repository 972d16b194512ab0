import Foundation
import XCTest
@testable import KinoraEngine

/// The generation loop on the tiny fixture model: model folder loading, determinism by
/// seed, given frames kept clean, cancellation, SDEdit and bad requests.
final class VideoGeneratorTests: XCTestCase {
    /// Text conditioning of the tiny model's width (24) derived from the prompt's length.
    struct FakeText: TextConditioner {
        func conditioning(_ texts: [String], maxTokens: Int) throws -> TextConditioning {
            var states = try Tensor(zeros: [texts.count, maxTokens, 24])
            var mask: [[Bool]] = []
            for (b, t) in texts.enumerated() {
                let n = min(maxTokens, t.count / 4 + 2)
                for i in 0 ..< n * 24 { states.storage[b * maxTokens * 24 + i] = sin(Float(i + t.count)) }
                mask.append((0 ..< maxTokens).map { $0 < n })
            }
            let pooled = try Tensor(shape: [texts.count, 24], storage: (0 ..< texts.count * 24).map { cos(Float($0)) / 5 })
            return TextConditioning(states: states, mask: mask, pooled: pooled)
        }
    }

    func testGeneratesDeterministicallyAndKeepsGivenFrames() throws {
        let model = try VideoModel(directory: try tinyModelFolder())
        let generator = VideoGenerator(textEncoder: FakeText(), model: model)
        var request = VideoGenerationRequest(prompt: "a red ball", model: model.configuration)
        XCTAssertEqual(request.frames, 3)
        XCTAssertEqual(request.maxTextTokens, 5)
        request.steps = 3
        request.seed = 11
        let given = try Tensor(shape: [4, 4, 4], storage: (0 ..< 64).map { Float($0) / 64 })
        request.givenLatents = [0: given]
        var steps: [Int] = []
        let a = try generator.generateLatents(request, progress: { steps.append($0.step); return true })
        let b = try generator.generateLatents(request)
        XCTAssertEqual(steps, [1, 2, 3])
        XCTAssertEqual(a, b, "same seed, same latents")
        XCTAssertEqual(a.shape, [3, 4, 4, 4])
        XCTAssertEqual(Array(a.storage[0 ..< 64]), given.storage, "the given frame stays clean")
        request.seed = 12
        XCTAssertNotEqual(try generator.generateLatents(request), a)

        let frames = try model.decode(latents: a)
        XCTAssertEqual(frames.shape, [3, 3, 16, 16])
        XCTAssertEqual(try model.encode(frames: frames).shape, [3, 4, 4, 4])

        request.sampler = .heun
        XCTAssertNotEqual(try generator.generateLatents(request), a)
        request.sampler = .euler
        request.guidanceScale = 1
        XCTAssertEqual(try generator.generateLatents(request).shape, [3, 4, 4, 4])
        request.initialLatents = a
        request.strength = 0.5
        XCTAssertEqual(try generator.generateLatents(request).shape, [3, 4, 4, 4])
    }

    func testCancelAndBadRequests() throws {
        let generator = VideoGenerator(textEncoder: FakeText(), model: try VideoModel(directory: try tinyModelFolder()))
        var request = VideoGenerationRequest(prompt: "x", frames: 3)
        request.steps = 4
        XCTAssertThrowsError(try generator.generateLatents(request, progress: { $0.step < 2 })) {
            XCTAssertEqual($0 as? EngineError, .cancelled)
        }
        request.givenLatents = [5: try Tensor(zeros: [4, 4, 4])]
        XCTAssertThrowsError(try generator.generateLatents(request))
        request.givenLatents = [:]
        request.strength = 0
        XCTAssertThrowsError(try generator.generateLatents(request))
        XCTAssertThrowsError(try VideoModel(directory: "/nonexistent")) {
            XCTAssertTrue("\($0)".contains("config.json"))
        }
    }

    /// The fixture's text conditioning, rows [prompt, null prompt] as sampling.py gets them.
    struct FixtureText: TextConditioner {
        let file: SafetensorsFile
        func conditioning(_ texts: [String], maxTokens: Int) throws -> TextConditioning {
            let ctx = try file.tensor("ctx"), mask = try file.tensor("mask"), pooled = try file.tensor("pooled")
            let rows = texts.count == 1 ? [0] : [0, 1]
            let l = ctx.shape[1]
            return TextConditioning(
                states: try Tensor(shape: [rows.count, l, 24], storage: rows.flatMap { Array(ctx.storage[$0 * l * 24 ..< ($0 + 1) * l * 24]) }),
                mask: rows.map { r in (0 ..< l).map { mask.storage[r * l + $0] > 0.5 } },
                pooled: try Tensor(shape: [rows.count, 24], storage: rows.flatMap { Array(pooled.storage[$0 * 24 ..< ($0 + 1) * 24]) }))
        }
    }

    /// Whole sampling runs equal to Training/kinora_train/sampling.py's from the same Philox
    /// seed (Fixtures/sampling_tiny.safetensors): guidance with a given frame, no guidance,
    /// SDEdit. Tolerance 1e-4 absolute on latents of order 1 (F16 weights, 3–5 steps).
    func testSamplingMatchesTrainingReference() throws {
        let file = try Fixture.file("sampling_tiny")
        let model = try VideoModel(directory: try tinyModelFolder())
        XCTAssertEqual(model.configuration.textEncoder.maxTokens, 5)
        XCTAssertEqual(model.configuration.overlapFrames, 1)
        let generator = VideoGenerator(textEncoder: FixtureText(file: file), model: model)
        var request = VideoGenerationRequest(prompt: "fixture", model: model.configuration)
        request.seed = 5
        request.steps = 4
        request.guidanceScale = 2.5
        request.shift = 3
        request.givenLatents = [0: try file.tensor("given_latent")]
        assertClose(try generator.generateLatents(request), try file.tensor("guided"), tolerance: 1e-4, "guided sampling")

        request.givenLatents = [:]
        request.steps = 3
        request.guidanceScale = 1
        request.shift = 2
        assertClose(try generator.generateLatents(request), try file.tensor("unguided"), tolerance: 1e-4, "unguided sampling")

        request.steps = 5
        request.guidanceScale = 2
        request.shift = 3
        request.initialLatents = try file.tensor("start")
        request.strength = 0.6
        assertClose(try generator.generateLatents(request), try file.tensor("sdedit"), tolerance: 1e-4, "SDEdit sampling")
    }
}
