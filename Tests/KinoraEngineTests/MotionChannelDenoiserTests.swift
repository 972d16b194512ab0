import Foundation
import XCTest
@testable import KinoraEngine

/// A denoiser that generates motion channels with the clip (config.json `motion_channels`,
/// Training/MODEL_FORMAT.md) against model.py and sampling.py on the tiny fixture
/// (Fixtures/*_motion*, made by Training/fixtures/make_video_model_fixtures.py). Tolerance as
/// VideoModelTests: 1e-4 absolute.
final class MotionChannelDenoiserTests: XCTestCase {
    func testForwardPassOnTheStateMatchesPyTorch() throws {
        let folder = try tinyModelFolder(config: "video_tiny_motion_config", denoiser: "dit_tiny_motion")
        let config = try VideoModelConfiguration(file: folder + "/config.json")
        XCTAssertEqual(config.dit.motionChannels, 2)
        XCTAssertEqual(config.dit.stateChannels, 6)
        let weights = try WeightLoader(files: [try Fixture.file("dit_tiny_motion")])
        let dit = try VideoDiT(weights, configuration: config.dit)
        let inputs = try DiTFixtureInputs("dit_tiny_motion_io")
        let v = try dit(inputs.x, given: inputs.given, t: inputs.t, text: try inputs.text(for: dit))
        assertClose(v, try inputs.io.tensor("velocity"), tolerance: 1e-4, "motion-channel DiT velocity")

        // The latent alone is refused, naming the state's channels.
        let latentOnly = try Tensor(zeros: [2, 3, 4, 4, 4])
        XCTAssertThrowsError(try dit(latentOnly, given: inputs.given, t: inputs.t, text: try inputs.text(for: dit))) {
            XCTAssertTrue("\($0)".contains("6"), "\($0)")
        }
        // Without `motion_channels` the weights do not fit: the configuration is what reads them.
        var plain = config.dit
        plain.motionChannels = 0
        XCTAssertThrowsError(try VideoDiT(weights, configuration: plain))
    }

    /// Whole sampling runs equal to sampling.py's from the same Philox seed: the noise covers
    /// the motion channels too, a given frame keeps only its latent, SDEdit starts the motion
    /// at zero, and only the latent comes back.
    func testSamplingMatchesTrainingReference() throws {
        let file = try Fixture.file("sampling_tiny_motion")
        let model = try VideoModel(directory: try tinyModelFolder(config: "video_tiny_motion_config", denoiser: "dit_tiny_motion"))
        let generator = VideoGenerator(textEncoder: VideoGeneratorTests.FixtureText(file: file), model: model)
        var request = VideoGenerationRequest(prompt: "fixture", model: model.configuration)
        request.seed = 7
        request.steps = 4
        request.guidanceScale = 2.5
        request.shift = 3
        request.givenLatents = [0: try file.tensor("given_latent")]
        var previews = 0
        let guided = try generator.generateLatents(request, preview: { _, latents in
            XCTAssertEqual(latents.shape, [3, 4, 4, 4])
            previews += 1
        })
        XCTAssertEqual(previews, 4)
        assertClose(guided, try file.tensor("guided"), tolerance: 1e-4, "guided sampling with motion channels")

        request.givenLatents = [:]
        request.steps = 5
        request.guidanceScale = 2
        request.initialLatents = try file.tensor("start")
        request.strength = 0.6
        assertClose(try generator.generateLatents(request), try file.tensor("sdedit"), tolerance: 1e-4,
                    "SDEdit sampling with motion channels")
    }

    /// The motion clock (config.json `sampler.motion_lead`): the motion channels step on their
    /// own schedule, finished when the clip's noise reaches the lead, as sampling.py does.
    func testMotionLeadSamplingMatchesTrainingReference() throws {
        let file = try Fixture.file("sampling_tiny_motion")
        let model = try VideoModel(directory: try tinyModelFolder(config: "video_tiny_motion_config", denoiser: "dit_tiny_motion"))
        let generator = VideoGenerator(textEncoder: VideoGeneratorTests.FixtureText(file: file), model: model)
        var request = VideoGenerationRequest(prompt: "fixture", model: model.configuration)
        XCTAssertEqual(request.motionLead, 0, "a config.json without sampler.motion_lead keeps one clock")
        request.seed = 7
        request.steps = 6
        request.guidanceScale = 2.5
        request.shift = 3
        request.givenLatents = [0: try file.tensor("given_latent")]
        request.motionLead = 0.5
        let led = try generator.generateLatents(request)
        assertClose(led, try file.tensor("motion_lead"), tolerance: 1e-4, "sampling with a motion lead")
        request.motionLead = 0
        let oneClock = try generator.generateLatents(request)
        XCTAssertGreaterThan(zip(oneClock.storage, led.storage).map { abs($0 - $1) }.max() ?? 0, 1e-3,
                             "the lead changes the clip")

        // Out of range, with Heun, or on a denoiser without motion channels: refused, named.
        request.motionLead = 1
        XCTAssertThrowsError(try generator.generateLatents(request)) { XCTAssertTrue("\($0)".contains("[0, 1)"), "\($0)") }
        request.motionLead = 0.5
        request.sampler = .heun
        XCTAssertThrowsError(try generator.generateLatents(request)) { XCTAssertTrue("\($0)".contains("euler"), "\($0)") }
        let plain = try VideoModel(directory: try tinyModelFolder(config: "video_tiny_config", denoiser: "dit_tiny"))
        var plainRequest = VideoGenerationRequest(prompt: "fixture", model: plain.configuration)
        plainRequest.motionLead = 0.5
        XCTAssertThrowsError(try VideoGenerator(textEncoder: VideoGeneratorTests.FixtureText(file: file), model: plain)
            .generateLatents(plainRequest)) { XCTAssertTrue("\($0)".contains("motion channels"), "\($0)") }
    }

    /// config.json's `sampler.motion_lead` is read, and refused out of range or without motion channels.
    func testMotionLeadInConfigIsValidated() throws {
        let folder = try tinyModelFolder(config: "video_tiny_motion_config", denoiser: "dit_tiny_motion")
        let path = folder + "/config.json"
        var json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        func write(lead: Double, motionChannels: Int) throws {
            var sampler = try XCTUnwrap(json["sampler"] as? [String: Any])
            sampler["motion_lead"] = lead
            json["sampler"] = sampler
            var denoiser = try XCTUnwrap(json["denoiser"] as? [String: Any])
            denoiser["motion_channels"] = motionChannels
            json["denoiser"] = denoiser
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        }
        try write(lead: 0.4, motionChannels: 2)
        XCTAssertEqual(try VideoModelConfiguration(file: path).sampler.motionLead, 0.4)
        try write(lead: 1.5, motionChannels: 2)
        XCTAssertThrowsError(try VideoModelConfiguration(file: path)) { XCTAssertTrue("\($0)".contains("sampler.motion_lead"), "\($0)") }
        try write(lead: 0.4, motionChannels: 0)
        XCTAssertThrowsError(try VideoModelConfiguration(file: path)) { XCTAssertTrue("\($0)".contains("motion channels"), "\($0)") }
    }

    func testOutOfRangeMotionChannelsAreRefused() throws {
        var c = DiTConfiguration()
        c.motionChannels = -1
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("motion_channels"), "\($0)") }
        c.motionChannels = 65
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("0…64"), "\($0)") }
    }
}
