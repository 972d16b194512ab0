import Foundation
import XCTest
@testable import KinoraEngine

/// Well-formed and malformed safetensors files written byte by byte: every malformed file is
/// refused with an error naming the file (and the tensor, where one is at fault).
final class SafetensorsFileTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinora-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Writes `header` (JSON text) and `data`; `declaredLength` overrides the length prefix.
    func write(_ name: String, header: String, data: [UInt8], declaredLength: UInt64? = nil) throws -> String {
        let h = Array(header.utf8)
        var bytes = withUnsafeBytes(of: (declaredLength ?? UInt64(h.count)).littleEndian) { Array($0) }
        bytes += h + data
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func floatBytes(_ v: [Float]) -> [UInt8] { v.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } } }

    func testReadsF32F16BF16() throws {
        let f32 = floatBytes([1, -2.5, 3, 0.125])
        let f16: [UInt8] = [0x00, 0x3C, 0x00, 0xC1, 0x01, 0x00, 0x00, 0x7C] // 1, -2.5, 2^-24, +inf
        let bf16: [UInt8] = [0x80, 0x3F, 0x20, 0xC0] // 1, -2.5
        let header = #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"#
            + #""b":{"dtype":"F16","shape":[4],"data_offsets":[16,24]},"c":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]}}"#
        let file = try SafetensorsFile(path: try write("ok.safetensors", header: header, data: f32 + f16 + bf16))
        XCTAssertEqual(file.names, ["a", "b", "c"])
        XCTAssertEqual(file.metadata["format"], "pt")
        XCTAssertEqual(try file.tensor("a"), try Tensor(shape: [2, 2], storage: [1, -2.5, 3, 0.125]))
        XCTAssertEqual(try file.tensor("b").storage, [1, -2.5, 0x1p-24, .infinity])
        XCTAssertEqual(try file.tensor("c").storage, [1, -2.5])
    }

    func assertRefused(_ name: String, header: String, data: [UInt8], declaredLength: UInt64? = nil,
                       mentioning words: [String], line: UInt = #line) throws {
        let path = try write(name, header: header, data: data, declaredLength: declaredLength)
        XCTAssertThrowsError(try SafetensorsFile(path: path), line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(name), "error should name the file: \(text)", line: line)
            for w in words { XCTAssertTrue(text.contains(w), "error should mention \(w): \(text)", line: line) }
        }
    }

    func testRefusesMalformedFiles() throws {
        let ok = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let data = floatBytes([1, 2])
        try assertRefused("empty.safetensors", header: "", data: [], declaredLength: nil, mentioning: [])
        try assertRefused("short-header.safetensors", header: ok, data: data, declaredLength: 1000, mentioning: ["truncated"])
        try assertRefused("huge-header.safetensors", header: ok, data: data, declaredLength: UInt64.max, mentioning: ["header length"])
        try assertRefused("not-json.safetensors", header: "{nope", data: data, mentioning: ["JSON"])
        try assertRefused("array.safetensors", header: "[1,2]", data: data, mentioning: ["object"])
        try assertRefused("truncated-data.safetensors", header: ok, data: Array(data.prefix(5)), mentioning: ["truncated", "w"])
        try assertRefused("bad-dtype.safetensors", header: #"{"w":{"dtype":"F8","shape":[2],"data_offsets":[0,8]}}"#,
                          data: data, mentioning: ["'w'", "F8"])
        try assertRefused("count.safetensors", header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
                          data: data, mentioning: ["'w'", "bytes"])
        try assertRefused("reversed.safetensors", header: #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#,
                          data: data, mentioning: ["'w'"])
        try assertRefused("negative.safetensors", header: #"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#,
                          data: data, mentioning: ["'w'"])
        try assertRefused("fractional.safetensors", header: #"{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#,
                          data: data, mentioning: ["'w'"])
        try assertRefused("overlap.safetensors",
                          header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                          data: data, mentioning: ["overlaps"])
        try assertRefused("gap.safetensors", header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                          data: data, mentioning: ["'w'", "gap"])
        try assertRefused("trailing.safetensors", header: ok, data: data + [0, 0, 0, 0], mentioning: ["cover"])
        try assertRefused("metadata.safetensors", header: #"{"__metadata__":{"a":1},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                          data: data, mentioning: ["__metadata__"])
        XCTAssertThrowsError(try SafetensorsFile(path: directory.appendingPathComponent("absent.safetensors").path)) {
            XCTAssertTrue("\($0)".contains("absent.safetensors"))
        }
    }

    func testIntegerTensorsValidateButAreNotFloats() throws {
        let path = try write("ints.safetensors", header: #"{"ids":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}"#,
                             data: [1, 0, 0, 0, 2, 0, 0, 0])
        let file = try SafetensorsFile(path: path)
        XCTAssertEqual(try file.int32Values("ids"), [1, 2])
        XCTAssertThrowsError(try file.tensor("ids")) { XCTAssertTrue("\($0)".contains("ids")) }
    }

    func testWeightLoaderPrefixesAndErrors() throws {
        let header = #"{"blocks.0.attn.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#
        let path = try write("w.safetensors", header: header, data: floatBytes([1, 2, 3, 4]))
        let loader = try WeightLoader(paths: [path])
        let attn = loader.pp("blocks").pp(0).pp("attn")
        XCTAssertEqual(try attn.tensor("weight", shape: [2, 2]).storage, [1, 2, 3, 4])
        XCTAssertTrue(attn.contains("weight"))
        XCTAssertThrowsError(try attn.tensor("bias")) {
            XCTAssertEqual($0 as? WeightError, .missingTensor(name: "blocks.0.attn.bias", searched: [path]))
        }
        XCTAssertThrowsError(try attn.tensor("weight", shape: [4])) {
            XCTAssertEqual($0 as? WeightError, .shapeMismatch(name: "blocks.0.attn.weight", expected: [4], found: [2, 2]))
        }
        XCTAssertThrowsError(try Linear(attn, inFeatures: 3, outFeatures: 2)) {
            XCTAssertTrue("\($0)".contains("blocks.0.attn.weight"))
        }
    }
}

/// Mutated and truncated copies of a valid file: each must open or be refused with an error,
/// never trap (fuzz-style, deterministic through the Philox stream).
final class SafetensorsFuzzTests: XCTestCase {
    func testMutatedFilesNeverCrash() throws {
        let source = try XCTUnwrap(Bundle.module.url(forResource: "dit_tiny_io", withExtension: "safetensors", subdirectory: "Fixtures"))
        let original = try Data(contentsOf: source)
        let headerLength = Int(original.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kinora-fuzz-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: path) }
        var rng = PhiloxGenerator(seed: 99)
        var refused = 0, opened = 0
        for round in 0 ..< 300 {
            var bytes = [UInt8](original)
            let words = rng.words(count: 8)
            switch round % 3 {
            case 0: // flip bytes in the header, where the structure lives
                for w in words.prefix(3) { bytes[8 + Int(w) % headerLength] ^= UInt8(truncatingIfNeeded: w >> 8) | 1 }
            case 1: // truncate anywhere
                bytes = Array(bytes.prefix(Int(words[0]) % bytes.count))
            default: // overwrite the length prefix or a header digit
                if words[0] % 2 == 0 {
                    for i in 0 ..< 8 { bytes[i] = UInt8(truncatingIfNeeded: words[1 + i % 7] >> (i * 3)) }
                } else {
                    let digits = bytes.indices.filter { $0 >= 8 && $0 < 8 + headerLength && (48 ... 57).contains(bytes[$0]) }
                    if !digits.isEmpty { bytes[digits[Int(words[1]) % digits.count]] = 48 + UInt8(words[2] % 10) }
                }
            }
            try Data(bytes).write(to: path)
            do {
                let file = try SafetensorsFile(path: path.path)
                for name in file.names { _ = try? file.tensor(name) }
                opened += 1
            } catch {
                XCTAssertTrue("\(error)".contains(path.lastPathComponent), "error names the file: \(error)")
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 100)
        print("fuzz: \(refused) refused, \(opened) opened (mutations that kept the file consistent)")
    }
}
