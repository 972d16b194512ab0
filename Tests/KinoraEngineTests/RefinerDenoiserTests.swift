import Foundation
import XCTest
@testable import KinoraEngine

/// A denoiser with a per-pixel refiner (config.json `refiner`, Training/MODEL_FORMAT.md) against
/// model.py on the tiny fixture (Fixtures/*_refiner*, made by
/// Training/fixtures/make_video_model_fixtures.py). Tolerance as VideoModelTests: 1e-4 absolute.
final class RefinerDenoiserTests: XCTestCase {
    func configuration() throws -> VideoModelConfiguration {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "video_tiny_refiner_config", withExtension: "json", subdirectory: "Fixtures"))
        return try VideoModelConfiguration(file: url.path)
    }

    func testForwardPassMatchesPyTorch() throws {
        let config = try configuration()
        XCTAssertEqual(config.dit.refiner, DiTConfiguration.Refiner(width: 16, depth: 2, heads: 2))
        let weights = try WeightLoader(files: [try Fixture.file("dit_tiny_refiner")])
        let dit = try VideoDiT(weights, configuration: config.dit)
        let v = try assertMatchesForwardFixture(dit, "dit_tiny_refiner_io", "refiner DiT velocity")
        let inputs = try DiTFixtureInputs("dit_tiny_refiner_io")
        let (x, rows) = (inputs.x, inputs.given)
        // A second call with one workspace (a sampler's next step) gives the same.
        var workspace = DiTWorkspace()
        for call in 0 ..< 2 {
            let w = try dit(x, given: rows, t: inputs.t, text: try inputs.text(for: dit), workspace: &workspace)
            assertClose(w, v, tolerance: 0, "refiner DiT velocity, workspace used \(call + 1) times")
        }

        // The trunk alone gives another velocity: the refiner's correction is what matches.
        var plain = config.dit
        plain.refiner = nil
        let trunk = try VideoDiT(weights, configuration: plain)
        let u = try trunk(x, given: rows, t: inputs.t, text: try inputs.text(for: trunk))
        let gap = zip(u.storage, v.storage).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(gap, 1e-2, "without the refiner the velocity should differ")
    }

    /// A refiner whose weights are missing from the file is refused, naming the weight.
    func testMissingRefinerWeightsAreRefused() throws {
        var config = try configuration().dit
        config.refiner = DiTConfiguration.Refiner(width: 16, depth: 3, heads: 2)
        let weights = try WeightLoader(files: [try Fixture.file("dit_tiny_refiner")])
        XCTAssertThrowsError(try VideoDiT(weights, configuration: config)) {
            XCTAssertTrue("\($0)".contains("refiner_blocks.2"), "\($0)")
        }
    }

    /// `refiner` sections that must be refused, naming the problem.
    func testBadRefinerSectionsAreRefused() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "video_tiny_refiner_config", withExtension: "json", subdirectory: "Fixtures"))
        let good = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        func refused(_ refiner: Any, line: UInt = #line) throws {
            var json = good
            var denoiser = try XCTUnwrap(json["denoiser"] as? [String: Any])
            denoiser["refiner"] = refiner
            json["denoiser"] = denoiser
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("kinora-refiner-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: path) }
            try JSONSerialization.data(withJSONObject: json).write(to: path)
            XCTAssertThrowsError(try VideoModelConfiguration(file: path.path), line: line) {
                XCTAssertTrue("\($0)".contains("refiner"), "\($0)", line: line)
            }
        }
        try refused(["width": 16, "depth": 0, "heads": 2, "attention": "frame"])      // no blocks
        try refused(["width": 18, "depth": 2, "heads": 2, "attention": "frame"])      // not a multiple of 4
        try refused(["width": 16, "depth": 2, "heads": 3, "attention": "frame"])      // heads do not divide it
        try refused(["width": 16, "depth": 2, "heads": 2, "attention": "clip"])       // unknown attention
        try refused(["width": 16, "depth": 2, "heads": 2])                            // attention missing
        try refused("wide")                                                           // not an object
    }
}
