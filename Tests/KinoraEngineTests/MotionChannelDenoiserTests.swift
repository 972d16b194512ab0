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

    func testOutOfRangeMotionChannelsAreRefused() throws {
        var c = DiTConfiguration()
        c.motionChannels = -1
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("motion_channels"), "\($0)") }
        c.motionChannels = 65
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("0…64"), "\($0)") }
    }
}
