import Foundation
import XCTest
@testable import KinoraEngine

/// Opens a committed reference fixture (made by Training/fixtures/*.py).
enum Fixture {
    static func file(_ name: String) throws -> SafetensorsFile {
        guard let url = Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures") else {
            throw EngineError.modelNotFound(path: "Fixtures/\(name).safetensors",
                                            hint: "Run Training/fixtures/make_engine_fixtures.py and commit its output.")
        }
        return try SafetensorsFile(path: url.path)
    }
}

/// Asserts that two tensors have one shape and differ by at most `tolerance` anywhere.
func assertClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "\(what): shape", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    let diff = (try? actual.maxAbsDifference(expected)) ?? .infinity
    // Printed so that the reached tolerances can be reported (`swift test | grep "max |Δ|"`).
    print("fixture \(what): max |Δ| = \(diff) (tolerance \(tolerance))")
    XCTAssertLessThanOrEqual(diff, tolerance, "\(what): max |Δ| = \(diff)", file: file, line: line)
}

/// Like `assertClose`, with the tolerance scaled by the reference's magnitude
/// (`tolerance · max(1, max |expected|)`), for values far from order 1.
func assertCloseRelative(_ actual: Tensor, _ expected: Tensor, tolerance: Float, _ what: String,
                         file: StaticString = #filePath, line: UInt = #line) {
    let magnitude = max(1, expected.storage.map(abs).max() ?? 0)
    assertClose(actual, expected, tolerance: tolerance * magnitude, "\(what) (scale \(magnitude))", file: file, line: line)
}

/// The inputs of a tiny denoiser's forward-pass fixture (`dit_tiny*_io`, written by
/// Training/fixtures/make_video_model_fixtures.py): 2 samples of 3 frames, 5 text tokens.
struct DiTFixtureInputs {
    let io: SafetensorsFile
    let x: Tensor
    /// `[B][F]`, 1 for a given frame.
    let given: [[Float]]
    let t: [Float]
    /// `[B][L]`, true for a token.
    let keyMask: [[Bool]]

    init(_ name: String) throws {
        io = try Fixture.file(name)
        x = try io.tensor("x")
        let g = try io.tensor("given"), mask = try io.tensor("mask")
        given = [Array(g.storage[0 ..< 3]), Array(g.storage[3 ..< 6])]
        t = try io.tensor("t").storage
        keyMask = (0 ..< 2).map { b in (0 ..< 5).map { mask.storage[b * 5 + $0] > 0.5 } }
    }

    /// The fixture's text, projected by `dit`.
    func text(for dit: VideoDiT) throws -> DiTTextConditioning {
        try dit.prepare(context: io.tensor("ctx"), mask: keyMask, pooled: io.tensor("pooled"))
    }
}

extension XCTestCase {
    /// Runs `dit` on a forward fixture (Training/fixtures/make_video_model_fixtures.py
    /// `forward_fixture`) with 3 frames and with the first 2, against PyTorch's velocities
    /// (1e-4 absolute); returns the 3-frame velocity.
    @discardableResult
    func assertMatchesForwardFixture(_ dit: VideoDiT, _ name: String, _ what: String,
                                     file: StaticString = #filePath, line: UInt = #line) throws -> Tensor {
        let inputs = try DiTFixtureInputs(name)
        let (x, rows) = (inputs.x, inputs.given)
        let v = try dit(x, given: rows, t: inputs.t, text: try inputs.text(for: dit))
        assertClose(v, try inputs.io.tensor("velocity"), tolerance: 1e-4, what, file: file, line: line)
        // Two frames, fewer than configured.
        let perSample = x.count / 2, twoFrames = perSample / 3 * 2
        var x2: [Float] = []
        for b in 0 ..< 2 { x2 += x.storage[b * perSample ..< b * perSample + twoFrames] }
        var shape = x.shape
        shape[1] = 2
        let v2 = try dit(Tensor(shape: shape, storage: x2), given: rows.map { Array($0[0 ..< 2]) },
                         t: inputs.t, text: try inputs.text(for: dit))
        assertClose(v2, try inputs.io.tensor("velocity_2frames"), tolerance: 1e-4, "\(what), 2 frames", file: file, line: line)
        return v
    }

    /// A model folder in a temporary directory (removed after the test) made of a tiny fixture
    /// configuration, the tiny autoencoder and a tiny denoiser.
    func tinyModelFolder(config: String = "video_tiny_config", denoiser: String = "dit_tiny") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinora-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let fixture = { (name: String, ext: String) in
            try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"))
        }
        for (name, ext, file) in [(config, "json", "config.json"), ("ae_tiny", "safetensors", "autoencoder.safetensors"),
                                  (denoiser, "safetensors", "denoiser.safetensors")] {
            try FileManager.default.copyItem(at: fixture(name, ext), to: dir.appendingPathComponent(file))
        }
        return dir.path
    }
}
