import Foundation
import XCTest
@testable import KinoraEngine

/// The video model against model.py on tiny configurations with every weight randomised
/// (Fixtures/*_tiny*, made by Training/fixtures/make_video_model_fixtures.py).
/// Tolerances: DiT velocity 1e-4 absolute (values of order 1 after two blocks and
/// attention); autoencoder latents and frames 1e-4.
final class VideoModelTests: XCTestCase {
    func configuration() throws -> VideoModelConfiguration {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "video_tiny_config", withExtension: "json", subdirectory: "Fixtures"))
        return try VideoModelConfiguration(file: url.path)
    }

    func testDiTMatchesPyTorch() throws {
        let config = try configuration()
        let dit = try VideoDiT(WeightLoader(files: [try Fixture.file("dit_tiny")]), configuration: config.dit)
        let inputs = try DiTFixtureInputs("dit_tiny_io")
        let (io, x, text) = (inputs.io, inputs.x, try inputs.text(for: dit))
        let v = try dit(x, given: inputs.given, t: inputs.t, text: text)
        assertClose(v, try io.tensor("velocity"), tolerance: 1e-4, "DiT velocity")

        // Two frames, fewer than configured: positions made on the fly.
        var x2: [Float] = []
        for b in 0 ..< 2 { x2 += x.storage[b * 192 ..< b * 192 + 128] }
        let v2 = try dit(Tensor(shape: [2, 2, 4, 4, 4], storage: x2),
                         given: inputs.given.map { Array($0[0 ..< 2]) }, t: inputs.t, text: text)
        assertClose(v2, try io.tensor("velocity_2frames"), tolerance: 1e-4, "DiT velocity, 2 frames")
    }

    func testAutoencoderMatchesPyTorch() throws {
        let config = try configuration()
        let ae = try FrameAutoencoder(WeightLoader(files: [try Fixture.file("ae_tiny")]), configuration: config.autoencoder)
        let io = try Fixture.file("ae_tiny_io")
        let z = try ae.encoder(io.tensor("frames"))
        assertClose(z, try io.tensor("latents"), tolerance: 1e-4, "encoder latents")
        assertClose(try ae.decoder(io.tensor("latents")), try io.tensor("decoded"), tolerance: 1e-4, "decoded frames")
    }

    func testBadInputsAreErrors() throws {
        let config = try configuration()
        let dit = try VideoDiT(WeightLoader(files: [try Fixture.file("dit_tiny")]), configuration: config.dit)
        XCTAssertThrowsError(try dit.prepare(context: Tensor(zeros: [1, 5, 7]), mask: [[true]], pooled: Tensor(zeros: [1, 24])))
        let text = try dit.prepare(context: Tensor(zeros: [1, 2, 24]), mask: [[true, false]], pooled: Tensor(zeros: [1, 24]))
        XCTAssertThrowsError(try dit(Tensor(zeros: [1, 3, 4, 5, 5]), given: [[0, 0, 0]], t: [0.5], text: text))
        XCTAssertThrowsError(try dit(Tensor(zeros: [1, 3, 4, 4, 4]), given: [[0, 0]], t: [0.5], text: text))
        XCTAssertThrowsError(try dit(Tensor(zeros: [2, 3, 4, 4, 4]), given: [[0, 0, 0], [0, 0, 0]], t: [0.5, 0.5], text: text))
        var wrong = config.dit
        wrong.width = 48
        XCTAssertThrowsError(try VideoDiT(WeightLoader(files: [try Fixture.file("dit_tiny")]), configuration: wrong)) {
            XCTAssertTrue("\($0)".contains("patch_in.weight"), "\($0)")
        }
    }

    /// config.json variants that must be refused with a message naming the problem.
    func testConfigurationValidation() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "video_tiny_config", withExtension: "json", subdirectory: "Fixtures"))
        let good = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let config = try configuration()
        XCTAssertEqual(config.dit.layerNormEpsilon, 1e-6)
        XCTAssertEqual(config.autoencoder.groupNormEpsilon, 1e-5)
        XCTAssertEqual(config.latentScale, 1.25)
        XCTAssertEqual(config.denoiserFile, "denoiser.safetensors")
        func refused(_ edit: (inout [String: Any]) -> Void, _ words: String, line: UInt = #line) throws {
            var json = good
            edit(&json)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("kinora-config-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: path) }
            try JSONSerialization.data(withJSONObject: json).write(to: path)
            XCTAssertThrowsError(try VideoModelConfiguration(file: path.path), line: line) {
                XCTAssertTrue("\($0)".contains(words), "\($0)", line: line)
            }
        }
        try refused({ $0["format_version"] = 2 }, "version 2")
        try refused({ $0["format"] = "other" }, "format other")
        try refused({ var d = $0["denoiser"] as! [String: Any]; d["heads"] = 3; $0["denoiser"] = d }, "inconsistent")
        try refused({ var d = $0["denoiser"] as! [String: Any]; d["prediction"] = "epsilon"; $0["denoiser"] = d }, "prediction")
        try refused({ var d = $0["denoiser"] as! [String: Any]; d["file"] = "../x"; $0["denoiser"] = d }, "plain name")
        try refused({ var a = $0["autoencoder"] as! [String: Any]; a["groups"] = 0; $0["autoencoder"] = a }, "inconsistent")
        try refused({ var a = $0["autoencoder"] as! [String: Any]; a["latent_scale"] = -1; $0["autoencoder"] = a }, "latent_scale")
        try refused({ var t = $0["text_encoder"] as! [String: Any]; t["dim"] = 384; $0["text_encoder"] = t }, "text_dim")
        try refused({ $0.removeValue(forKey: "sampler") }, "sampler")
        try refused({ var n = $0["native"] as! [String: Any]; n["width"] = 64; $0["native"] = n }, "native")
    }
}
