import XCTest
@testable import KinoraEngine

final class PhiloxGeneratorTests: XCTestCase {
    /// Random123's known-answer vectors for philox4x32_10.
    func testKnownAnswers() {
        let zero = PhiloxGenerator.block(counter: (0, 0, 0, 0), key: (0, 0))
        XCTAssertEqual([zero.0, zero.1, zero.2, zero.3], [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        let ones = PhiloxGenerator.block(counter: (.max, .max, .max, .max), key: (.max, .max))
        XCTAssertEqual([ones.0, ones.1, ones.2, ones.3], [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD])
        let pi = PhiloxGenerator.block(counter: (0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), key: (0xA409_3822, 0x299F_31D0))
        XCTAssertEqual([pi.0, pi.1, pi.2, pi.3], [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1])
    }

    /// The Python twin's stream (Fixtures/rng.safetensors): words and uniforms bit for bit,
    /// normals within 1e-6.
    func testMatchesPythonTwin() throws {
        let f = try Fixture.file("rng")
        var g = PhiloxGenerator(seed: 42)
        XCTAssertEqual(g.words(count: 64).map { Int32(bitPattern: $0) }, try f.int32Values("seed42.words"))
        g = PhiloxGenerator(seed: 42)
        XCTAssertEqual(g.uniforms(count: 1001), try f.tensor("seed42.uniforms").storage)
        var n = PhiloxGenerator(seed: 1_234_567_890_123, stream: 7)
        let normals = try Tensor(shape: [4099], storage: n.normals(count: 4099))
        assertClose(normals, try f.tensor("seed1234567890123_stream7.normals"), tolerance: 1e-6, "normals")
    }

    func testNormalsLookNormal() {
        var g = PhiloxGenerator(seed: 7)
        let z = g.normals(count: 40_000)
        let mean = z.reduce(0, +) / Float(z.count)
        let variance = z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(z.count)
        XCTAssertEqual(mean, 0, accuracy: 0.02)
        XCTAssertEqual(variance, 1, accuracy: 0.03)
    }
}
