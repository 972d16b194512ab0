import Foundation
import XCTest
@testable import KinoraEngine

/// A denoiser with 3D rotary positions (config.json `rotary`, Training/MODEL_FORMAT.md) against
/// model.py on the tiny fixture (Fixtures/*_rotary*, made by
/// Training/fixtures/make_video_model_fixtures.py). Tolerance as VideoModelTests: 1e-4 absolute.
final class RotaryDenoiserTests: XCTestCase {
    func configuration() throws -> VideoModelConfiguration {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "video_tiny_rotary_config", withExtension: "json", subdirectory: "Fixtures"))
        return try VideoModelConfiguration(file: url.path)
    }

    func testForwardPassMatchesPyTorch() throws {
        let config = try configuration()
        XCTAssertEqual(config.dit.rotary?.pairs, [2, 1, 1])
        XCTAssertEqual(config.dit.rotary?.base, [3, 2, 2])
        let weights = try WeightLoader(files: [try Fixture.file("dit_tiny_rotary")])
        let dit = try VideoDiT(weights, configuration: config.dit)
        let v = try assertMatchesForwardFixture(dit, "dit_tiny_rotary_io", "rotary DiT velocity")
        let inputs = try DiTFixtureInputs("dit_tiny_rotary_io")
        let (x, rows) = (inputs.x, inputs.given)

        // The same weights without the rotation give another velocity: the rotation is what matches.
        var plain = config.dit
        plain.rotary = nil
        let unrotated = try VideoDiT(weights, configuration: plain)
        let u = try unrotated(x, given: rows, t: inputs.t, text: try inputs.text(for: unrotated))
        let gap = zip(u.storage, v.storage).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(gap, 1e-2, "without rotary positions the velocity should differ")
    }

    /// The angles of a token: frame, row and column turn their own pairs.
    func testTableAngles() throws {
        let table = try SpacetimeRotaryTable(frames: 2, grid: 3, pairs: [2, 1, 1], bases: [4, 3, 3])
        XCTAssertEqual(table.pairs, 4)
        XCTAssertEqual(table.tokens, 18)
        // Token 9 + 3·2 + 1 = frame 1, row 2, column 1: angles 1, 1·4^(−1/2), 2, 1.
        let r = 9 + 3 * 2 + 1
        let expected: [Float] = [1, 0.5, 2, 1]
        for k in 0 ..< 4 {
            XCTAssertEqual(table.cosines[r * 4 + k], Foundation.cos(expected[k]), accuracy: 1e-6)
            XCTAssertEqual(table.sines[r * 4 + k], Foundation.sin(expected[k]), accuracy: 1e-6)
        }
        XCTAssertThrowsError(try SpacetimeRotaryTable(frames: 2, grid: 3, pairs: [2, 1], bases: [4, 3]))
        XCTAssertThrowsError(try SpacetimeRotaryTable(frames: 2, grid: 3, pairs: [0, 0, 0], bases: [4, 3, 3]))
        XCTAssertThrowsError(try SpacetimeRotaryTable(frames: 2, grid: 3, pairs: [1, 1, 1], bases: [4, 0, 3]))
    }

    /// `rotary` sections that must be refused, naming the problem.
    func testBadRotarySectionsAreRefused() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "video_tiny_rotary_config", withExtension: "json", subdirectory: "Fixtures"))
        let good = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        func refused(_ rotary: [String: Any], line: UInt = #line) throws {
            var json = good
            var denoiser = try XCTUnwrap(json["denoiser"] as? [String: Any])
            denoiser["rotary"] = rotary
            json["denoiser"] = denoiser
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("kinora-rotary-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: path) }
            try JSONSerialization.data(withJSONObject: json).write(to: path)
            XCTAssertThrowsError(try VideoModelConfiguration(file: path.path), line: line) {
                XCTAssertTrue("\($0)".contains("rotary"), "\($0)", line: line)
            }
        }
        try refused(["pairs": [2, 1], "base": [3, 2]])                        // two axes
        try refused(["pairs": [4, 3, 3], "base": [3, 2, 2]])                  // 2·10 pairs > head width 16
        try refused(["pairs": [2, 1, 1], "base": [3, 0, 2]])                  // a zero base
        try refused(["pairs": [2, 1, 1], "base": [3, 2, 2], "axes": ["time", "y", "x"]])
    }
}
