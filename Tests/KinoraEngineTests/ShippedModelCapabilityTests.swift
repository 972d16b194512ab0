import Foundation
import XCTest
@testable import KinoraEngine

/// The shipped model (Models/kinora-shapes-v1) through the Swift engine equals the PyTorch
/// reference for each capability (Fixtures/shipped_capabilities.safetensors, made by
/// Training/fixtures/make_shipped_model_fixtures.py after every export): same seed, same
/// prompt, real MiniLM, the model's guidance and shift, 4 Euler steps. The sampled latents
/// agree within 2e-3 (max abs, latents of unit variance; 3e-5 to 9e-4 reached: the text encoder's 1e-4 and F32 summation
/// order, amplified by guidance 7) and the decoded frames by more than 60 dB PSNR (84–106 reached).
final class ShippedModelCapabilityTests: XCTestCase {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static let latentTolerance: Float = 2e-3
    static let minimumPSNR = 60.0

    func testEachCapabilityMatchesPyTorch() throws {
        let fixture = try Fixture.file("shipped_capabilities")
        let modelDir = Self.root.appendingPathComponent("Models/kinora-shapes-v1")
        let sha = try Self.sha256(modelDir.appendingPathComponent("denoiser.safetensors").path)
        XCTAssertEqual(fixture.metadata["denoiser_sha256"], sha,
                       "the fixture was made with other weights: run Training/fixtures/make_shipped_model_fixtures.py and commit it")
        let model = try VideoModel(directory: modelDir.path)
        let text = try MiniLMTextEncoder(directory: MiniLMTextEncoderTests.modelDirectory)
        let generator = VideoGenerator(textEncoder: text, model: model)
        let steps = try XCTUnwrap(fixture.metadata["steps"].flatMap { Int($0) })
        let decodedFrames = try JSONDecoder().decode([Int].self, from: Data(try XCTUnwrap(fixture.metadata["decoded_frames"]).utf8))

        struct Case: Decodable { let prompt: String; let seed: UInt64; let given_frames: Int; let strength: Float? }
        for name in ["text", "animate", "extend", "restyle"] {
            let info = try JSONDecoder().decode(Case.self, from: Data(try XCTUnwrap(fixture.metadata[name]).utf8))
            var request = VideoGenerationRequest(prompt: info.prompt, model: model.configuration)
            request.seed = info.seed
            request.steps = steps
            if fixture.tensors["\(name)_input"] != nil {
                let latents = try model.encode(frames: try fixture.tensor("\(name)_input"))
                if info.given_frames > 0 {
                    for i in 0 ..< info.given_frames { request.givenLatents[i] = try latents.slice(first: i) }
                } else {
                    request.initialLatents = latents
                    request.strength = try XCTUnwrap(info.strength)
                }
            }
            let sampled = try generator.generateLatents(request)
            assertClose(sampled, try fixture.tensor("\(name)_latents"), tolerance: Self.latentTolerance, "shipped model, \(name)")
            let chosen = try Tensor.stack(decodedFrames.map { try sampled.slice(first: $0) })
            let decoded = try model.decode(latents: chosen)
            let psnr = Self.psnr(decoded, try fixture.tensor("\(name)_decoded"))
            print("fixture shipped model, \(name): decoded PSNR \(String(format: "%.1f", psnr)) dB")
            XCTAssertGreaterThan(psnr, Self.minimumPSNR, "\(name): decoded frames differ from PyTorch's")
        }
    }

    /// coreutils' sha256sum (Foundation on Linux has no SHA-256).
    static func sha256(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    /// PSNR of frames in [−1, 1], clamped as the product writes them, on the 0…255 scale.
    static func psnr(_ a: Tensor, _ b: Tensor) -> Double {
        guard a.shape == b.shape else { return 0 }
        var sum = 0.0
        for (x, y) in zip(a.storage, b.storage) {
            let d = Double(max(-1, min(1, x)) - max(-1, min(1, y))) * 127.5
            sum += d * d
        }
        let mse = max(sum / Double(a.storage.count), 1e-10)
        return 10 * log10(255 * 255 / mse)
    }
}
