import Foundation
import XCTest
@testable import KinoraEngine

/// A guidance-distilled denoiser (`guidance_embed`, Training/kinora_train/train_distill.py)
/// against model.py and sampling.py on the tiny fixture (Fixtures/*_guided*, made by
/// Training/fixtures/make_video_model_fixtures.py): its forward pass with the guidance input,
/// one call a step, three with a negative prompt, and the scales it refuses.
/// Tolerances as VideoModelTests and VideoGeneratorTests: 1e-4 absolute.
final class GuidanceDistilledModelTests: XCTestCase {
    func fixtureURL(_ name: String, _ ext: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"))
    }

    func guidedModelFolder(config: ((inout [String: Any]) -> Void)? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinora-guided-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("video_tiny_guided_config", "json"))) as? [String: Any])
        config?(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: fixtureURL("ae_tiny", "safetensors"), to: dir.appendingPathComponent("autoencoder.safetensors"))
        try FileManager.default.copyItem(at: fixtureURL("dit_tiny_guided", "safetensors"), to: dir.appendingPathComponent("denoiser.safetensors"))
        return dir.path
    }

    func testForwardPassMatchesPyTorch() throws {
        let config = try VideoModelConfiguration(file: try fixtureURL("video_tiny_guided_config", "json").path)
        XCTAssertTrue(config.dit.guidanceEmbedding)
        XCTAssertEqual(config.dit.guidanceRange, 1 ... 10)
        let dit = try VideoDiT(WeightLoader(files: [try Fixture.file("dit_tiny_guided")]), configuration: config.dit)
        let inputs = try DiTFixtureInputs("dit_tiny_guided_io")
        let (io, x, rows, keyMask) = (inputs.io, inputs.x, inputs.given, inputs.keyMask)
        let text = try inputs.text(for: dit)
        let v = try dit(x, given: rows, t: io.tensor("t").storage, guidance: io.tensor("guidance").storage, text: text)
        assertClose(v, try io.tensor("velocity"), tolerance: 1e-4, "guidance-distilled DiT velocity")

        XCTAssertThrowsError(try dit(x, given: rows, t: io.tensor("t").storage, text: text), "no guidance given") {
            XCTAssertTrue("\($0)".contains("needs a guidance scale"), "\($0)")
        }
        XCTAssertThrowsError(try dit(x, given: rows, t: io.tensor("t").storage, guidance: [2], text: text), "one scale for two samples")
        XCTAssertThrowsError(try dit(x, given: rows, t: io.tensor("t").storage, guidance: [2, .nan], text: text))
        // A denoiser guided with two calls refuses the input.
        let classicConfig = try VideoModelConfiguration(file: try fixtureURL("video_tiny_config", "json").path)
        let classic = try VideoDiT(WeightLoader(files: [try Fixture.file("dit_tiny")]), configuration: classicConfig.dit)
        XCTAssertThrowsError(try classic(x, given: rows, t: [0.5, 0.5], guidance: [2, 2], text: try classic.prepare(
            context: io.tensor("ctx"), mask: keyMask, pooled: io.tensor("pooled")))) {
            XCTAssertTrue("\($0)".contains("guidance-distilled models only"), "\($0)")
        }
        // The weights without the guidance MLP: a missing tensor, named.
        var missing = config.dit
        missing.guidanceEmbedding = true
        XCTAssertThrowsError(try VideoDiT(WeightLoader(files: [try Fixture.file("dit_tiny")]), configuration: missing)) {
            XCTAssertTrue("\($0)".contains("guidance_in"), "\($0)")
        }
    }

    /// Rows of the fixture's text: the prompt, the null prompt (""), the negative prompt.
    final class FixtureText: TextConditioner, @unchecked Sendable {
        let file: SafetensorsFile
        private let lock = NSLock()
        private var _asked: [[String]] = []
        var asked: [[String]] { lock.withLock { _asked } }
        init(file: SafetensorsFile) { self.file = file }

        func conditioning(_ texts: [String], maxTokens: Int) throws -> TextConditioning {
            lock.withLock { _asked.append(texts) }
            let ctx = try file.tensor("ctx"), mask = try file.tensor("mask"), pooled = try file.tensor("pooled")
            let negCtx = try file.tensor("negative_ctx"), negPooled = try file.tensor("negative_pooled")
            let l = ctx.shape[1], d = 24
            var states: [Float] = [], masks: [[Bool]] = [], pools: [Float] = []
            for text in texts {
                let row = text == "fixture" ? 0 : 1
                states += text == "not this" ? negCtx.storage : Array(ctx.storage[row * l * d ..< (row + 1) * l * d])
                pools += text == "not this" ? negPooled.storage : Array(pooled.storage[row * d ..< (row + 1) * d])
                let maskRow = text == "fixture" ? 0 : 1
                masks.append((0 ..< l).map { mask.storage[maskRow * l + $0] > 0.5 })
            }
            return TextConditioning(states: try Tensor(shape: [texts.count, l, d], storage: states), mask: masks,
                                    pooled: try Tensor(shape: [texts.count, d], storage: pools))
        }
    }

    func testSamplingMatchesTrainingReference() throws {
        let file = try Fixture.file("sampling_tiny_guided")
        let model = try VideoModel(directory: try guidedModelFolder())
        let text = FixtureText(file: file)
        let generator = VideoGenerator(textEncoder: text, model: model)
        var request = VideoGenerationRequest(prompt: "fixture", model: model.configuration)
        XCTAssertEqual(request.guidanceScale, 6.5, "the model's default")
        request.seed = 6
        request.steps = 4
        request.shift = 3
        assertClose(try generator.generateLatents(request), try file.tensor("distilled"), tolerance: 1e-4, "distilled sampling")
        XCTAssertEqual(text.asked.last, ["fixture"], "one branch: no unconditional prompt is encoded")

        request.unconditionalPrompt = "not this"
        assertClose(try generator.generateLatents(request), try file.tensor("distilled_negative"), tolerance: 1e-4,
                    "distilled sampling with a negative prompt")
        XCTAssertEqual(text.asked.last, ["fixture", "", "not this"])
    }

    /// Which rows a step asks for: classic guidance two, a distilled model one (its guidance an
    /// input), three when a distilled model is asked for a negative prompt of its own.
    func testGuidancePlanRowsAndInputs() throws {
        let classic = GuidancePlan(scale: 7, distilled: false, negativeIsNullPrompt: true)
        XCTAssertEqual(classic, .classic(scale: 7))
        XCTAssertEqual(classic.prompts(prompt: "p", negative: "n", nullPrompt: ""), ["p", "n"])
        XCTAssertNil(classic.guidanceInputs)
        XCTAssertEqual(GuidancePlan(scale: 1, distilled: false, negativeIsNullPrompt: false), .single(guidanceInput: nil))
        let distilled = GuidancePlan(scale: 7, distilled: true, negativeIsNullPrompt: true)
        XCTAssertEqual(distilled.prompts(prompt: "p", negative: "", nullPrompt: ""), ["p"])
        XCTAssertEqual(distilled.guidanceInputs, [7])
        XCTAssertEqual(GuidancePlan(scale: 1, distilled: true, negativeIsNullPrompt: false), .single(guidanceInput: 1))
        let negative = GuidancePlan(scale: 7, distilled: true, negativeIsNullPrompt: false)
        XCTAssertEqual(negative.prompts(prompt: "p", negative: "n", nullPrompt: ""), ["p", "", "n"])
        XCTAssertEqual(negative.guidanceInputs, [7, 1, 1])
        // n + w·(c − n) from D(c, w) = 1, D(∅, 1) = 2, D(n, 1) = 4 at w = 7: 1 + 6·(2 − 4) = −11.
        let rows = try Tensor(shape: [3, 1], storage: [1, 2, 4])
        XCTAssertEqual(try negative.combine(rows, clipShape: [1], operation: "test").storage, [-11])
        let pair = try Tensor(shape: [2, 1], storage: [3, 1])
        XCTAssertEqual(try classic.combine(pair, clipShape: [1], operation: "test").storage, [15])
    }

    /// A low-noise expert (`low_noise_expert`, Training/kinora_train/train_low_noise.py) takes
    /// the steps below its level with its own text projection, as sampling.py's LowNoiseSwitch;
    /// a level outside (0, 1], a path or a missing file is refused, naming it.
    func testLowNoiseExpertTakesTheStepsBelowItsLevel() throws {
        let dir = try guidedModelFolder { json in
            var d = json["denoiser"] as! [String: Any]
            d["low_noise_expert"] = ["file": "denoiser-low-noise.safetensors", "below": 0.8]
            json["denoiser"] = d
        }
        let expertFile = URL(fileURLWithPath: dir).appendingPathComponent("denoiser-low-noise.safetensors")
        XCTAssertThrowsError(try VideoModel(directory: dir), "the expert's file is missing") {
            XCTAssertTrue("\($0)".contains("denoiser-low-noise.safetensors"), "\($0)")
        }
        try FileManager.default.copyItem(at: fixtureURL("dit_tiny_guided_expert", "safetensors"), to: expertFile)
        let model = try VideoModel(directory: dir)
        XCTAssertEqual(model.configuration.lowNoiseExpert, .init(file: "denoiser-low-noise.safetensors", below: 0.8))
        let file = try Fixture.file("sampling_tiny_guided")
        let generator = VideoGenerator(textEncoder: FixtureText(file: file), model: model)
        var request = VideoGenerationRequest(prompt: "fixture", model: model.configuration)
        request.seed = 6
        request.steps = 4
        request.shift = 3
        let latents = try generator.generateLatents(request)
        assertClose(latents, try Fixture.file("sampling_tiny_expert").tensor("expert"), tolerance: 1e-4,
                    "sampling with a low-noise expert")
        // Without the expert the same request gives the denoiser's own clip.
        let alone = try VideoGenerator(textEncoder: FixtureText(file: file), model: VideoModel(directory: try guidedModelFolder()))
        XCTAssertGreaterThan(zip(try alone.generateLatents(request).storage, latents.storage).map { abs($0 - $1) }.max() ?? 0, 1e-2)

        for (below, words) in [(0.0, "below 0.0"), (1.5, "below 1.5")] {
            let bad = try guidedModelFolder { json in
                var d = json["denoiser"] as! [String: Any]
                d["low_noise_expert"] = ["file": "denoiser-low-noise.safetensors", "below": below]
                json["denoiser"] = d
            }
            XCTAssertThrowsError(try VideoModel(directory: bad)) { XCTAssertTrue("\($0)".contains(words), "\($0)") }
        }
        let path = try guidedModelFolder { json in
            var d = json["denoiser"] as! [String: Any]
            d["low_noise_expert"] = ["file": "../x.safetensors", "below": 0.5]
            json["denoiser"] = d
        }
        XCTAssertThrowsError(try VideoModel(directory: path)) { XCTAssertTrue("\($0)".contains("plain name"), "\($0)") }
    }

    func testScalesOutsideTheTrainedRangeAreRefused() throws {
        let model = try VideoModel(directory: try guidedModelFolder())
        let generator = VideoGenerator(textEncoder: VideoGeneratorTests.FakeText(), model: model)
        var request = VideoGenerationRequest(prompt: "x", model: model.configuration)
        request.steps = 2
        for scale: Float in [0.5, 10.5, 30] {
            request.guidanceScale = scale
            XCTAssertThrowsError(try generator.generateLatents(request), "guidance \(scale)") {
                XCTAssertTrue("\($0)".contains("outside 1.0…10.0"), "\($0)")
            }
        }
        request.guidanceScale = 1
        XCTAssertEqual(try generator.generateLatents(request).shape, [3, 4, 4, 4])

        XCTAssertThrowsError(try VideoModel(directory: try guidedModelFolder { json in
            var denoiser = json["denoiser"] as? [String: Any] ?? [:]
            denoiser["guidance_range"] = nil
            json["denoiser"] = denoiser
        })) { XCTAssertTrue("\($0)".contains("needs guidance_range"), "\($0)") }
        XCTAssertThrowsError(try VideoModel(directory: try guidedModelFolder { json in
            var denoiser = json["denoiser"] as? [String: Any] ?? [:]
            denoiser["guidance_range"] = [5, 2]
            json["denoiser"] = denoiser
        })) { XCTAssertTrue("\($0)".contains("guidance_range"), "\($0)") }
    }
}
