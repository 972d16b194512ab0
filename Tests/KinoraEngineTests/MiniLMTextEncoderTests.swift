import Foundation
import XCTest
@testable import KinoraEngine

/// all-MiniLM-L6-v2 against Hugging Face and sentence-transformers (Fixtures/minilm.safetensors,
/// made by Training/fixtures/make_minilm_fixtures.py). Token ids must be equal; embeddings
/// within 1e-4 (max abs, on unit vectors); hidden states within 2e-4 (max abs over ~384×40 values).
///
/// The model is found through KINORA_TEXT_ENCODER_DIR or the fetch script's default folder;
/// when absent the tests FAIL with the way to get it, they do not skip.
final class MiniLMTextEncoderTests: XCTestCase {
    nonisolated(unsafe) static var cached: MiniLMTextEncoder?

    static var modelDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["KINORA_TEXT_ENCODER_DIR"], !dir.isEmpty { return dir }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(MiniLMTextEncoder.defaultDirectory).path
    }

    func encoder() throws -> MiniLMTextEncoder {
        if let e = Self.cached { return e }
        do {
            let e = try MiniLMTextEncoder(directory: Self.modelDirectory)
            Self.cached = e
            return e
        } catch {
            XCTFail("text encoder unavailable: \(error)")
            throw error
        }
    }

    struct Texts: Decodable { let max_seq_length: Int; let texts: [String]; let conditioning: [String] }

    func texts() throws -> Texts {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "minilm_texts", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Texts.self, from: Data(contentsOf: url))
    }

    func testTokenIDsEqualHuggingFace() throws {
        let fixture = try Fixture.file("minilm")
        let e = try encoder()
        let spec = try texts()
        for (i, text) in spec.texts.enumerated() {
            let ids = try e.tokenizer.encode(text, maximumLength: spec.max_seq_length).ids
            XCTAssertEqual(ids, try fixture.int32Values("\(i).ids"), "text \(i): \(text.prefix(40))")
        }
    }

    func testEmbeddingsAndStatesMatchSentenceTransformers() throws {
        let fixture = try Fixture.file("minilm")
        let e = try encoder()
        let spec = try texts()
        let encodings = try e.encode(spec.texts, maximumLength: spec.max_seq_length)
        for (i, enc) in encodings.enumerated() {
            assertClose(enc.embedding, try fixture.tensor("\(i).embedding"), tolerance: 1e-4, "embedding \(i)")
            if fixture.tensors["\(i).states"] != nil {
                assertClose(enc.tokenStates, try fixture.tensor("\(i).states"), tolerance: 2e-4, "states \(i)")
            }
        }
    }

    func testConditioningMatchesTrainingCode() throws {
        let fixture = try Fixture.file("minilm")
        let c = try encoder().conditioning(try texts().conditioning, maxTokens: 40)
        assertClose(c.states, try fixture.tensor("cond.states"), tolerance: 2e-4, "conditioning states")
        assertClose(c.pooled, try fixture.tensor("cond.pooled"), tolerance: 1e-4, "conditioning pooled")
        XCTAssertEqual(c.mask.flatMap { $0.map { $0 ? Float(1) : 0 } }, try fixture.tensor("cond.mask").storage)
    }

    func testMissingModelSaysHowToGetIt() {
        XCTAssertThrowsError(try MiniLMTextEncoder(directory: "/nonexistent/kinora")) { error in
            XCTAssertTrue("\(error)".contains("scripts/fetch-text-encoder.sh"), "\(error)")
        }
    }

    func testBasicTokenizerRules() {
        let b = BasicTokenizer()
        XCTAssertEqual(b.words("Héllo, WORLD!"), ["hello", ",", "world", "!"])
        XCTAssertEqual(b.words("日本a"), ["日", "本", "a"])
        XCTAssertEqual(b.words(""), [])
    }
}
