import Foundation
import KinoraEngine
import KinoraPluginSDK
import XCTest

@testable import KinoraGeneration

/// The generation core without GStreamer: parameters, scaling, the watermark, the world check
/// and, when a model is installed, chunked generation itself.
final class GenerationCoreTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    /// The model search path tests use: $KINORA_MODEL_PATH, then the tree's Models/.
    static var searchPath: [String] {
        (ProcessInfo.processInfo.environment["KINORA_MODEL_PATH"] ?? "").split(separator: ":").map(String.init) + [root + "/Models"]
    }

    func testPromptScheduleParsesAndPicksTheEntryInForce() throws {
        let schedule = try PromptSchedule(parsing: "0=a red circle moving left; 4.5 = a blue square moving up")
        XCTAssertEqual(schedule.entries.count, 2)
        XCTAssertEqual(schedule.prompt(at: 0), "a red circle moving left")
        XCTAssertEqual(schedule.prompt(at: 4.49), "a red circle moving left")
        XCTAssertEqual(schedule.prompt(at: 4.5), "a blue square moving up")
        XCTAssertNil(try PromptSchedule(parsing: "2=late").prompt(at: 1))
    }

    func testMalformedPromptScheduleNamesTheParameter() {
        for text in ["a red circle", "x=a red circle", "3=a; 1=b", "-1=a"] {
            XCTAssertThrowsError(try PromptSchedule(parsing: text), text) { error in
                XCTAssertTrue("\(error)".contains("prompt-schedule"), "\(error)")
            }
        }
    }

    func testScalingKeepsFlatColourAndSizes() {
        let flat = RGBFrame(width: 64, height: 64, pixels: [UInt8](repeating: 0, count: 64 * 64 * 3).enumerated().map { UInt8([200, 40, 90][$0.offset % 3]) })
        let large = FrameScaler.scaled(flat, width: 320, height: 240)
        XCTAssertEqual(large.pixels.count, 320 * 240 * 3)
        XCTAssertEqual(Set(large.pixels), [200, 40, 90])
        let small = FrameScaler.scaled(large, width: 64, height: 64)
        XCTAssertEqual(small, flat)
    }

    func testBilinearEnlargementInterpolatesBetweenPixelCentres() {
        let ramp = RGBFrame(width: 2, height: 1, pixels: [0, 0, 0, 200, 200, 200])
        let wide = FrameScaler.scaled(ramp, width: 4, height: 1)
        XCTAssertEqual(wide.pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element), [0, 50, 150, 200])
    }

    func testWatermarkIsVisibleAndSmall() {
        var frame = RGBFrame(width: 64, height: 64, pixels: [UInt8](repeating: 128, count: 64 * 64 * 3))
        Watermark.draw(on: &frame)
        let changed = stride(from: 0, to: frame.pixels.count, by: 3).filter { frame.pixels[$0] != 128 }
        XCTAssertGreaterThan(changed.count, 40)
        XCTAssertLessThan(changed.count, 64 * 64 / 20, "the mark covers under 5 % of the frame")
        XCTAssertTrue(changed.allSatisfy { ($0 / 3) % 64 >= 48 && ($0 / 3) / 64 >= 48 }, "bottom-right corner only")
    }

    func testOutOfWorldPromptsScoreBelowTheThresholdAndShapesAbove() throws {
        let folder = try requiredTextEncoder()
        let check = try WorldCheck(encoder: MiniLMTextEncoder(directory: folder))
        for prompt in ["a cyan triangle drifting to the right over an orange backdrop", "green square going up quickly on white"] {
            XCTAssertGreaterThan(try check.similarity(of: prompt), WorldCheck.threshold, prompt)
        }
        for prompt in ["a cat playing the piano in Paris", "quarterly stock market earnings report"] {
            XCTAssertLessThan(try check.similarity(of: prompt), WorldCheck.threshold, prompt)
            XCTAssertNotNil(check.warning(for: prompt, modelName: "m"))
        }
    }

    func testChunksAreDeterministicContinueAndKeepMemoryFlat() throws {
        let loaded = try requiredModel()
        var values = ParameterValues([:])
        values["steps"] = .int(2)
        values["guidance"] = .double(1)
        values["seed"] = .int(7)
        let settings = try GenerationSettings(prompt: "a red circle moving left on a black background", parameters: values)
        let a = try ChunkedGenerator(loaded: loaded, settings: settings)
        let b = try ChunkedGenerator(loaded: loaded, settings: settings)
        let native = loaded.configuration.native
        let first = try a.nextChunk(isCancelled: { false })
        XCTAssertEqual(first.shape[0], native.frames)
        XCTAssertEqual(try b.nextChunk(isCancelled: { false }), first, "same seed, same chunk")
        let second = try a.nextChunk(isCancelled: { false })
        XCTAssertEqual(second.shape[0], native.frames - a.overlap, "later chunks make only the new frames")
        XCTAssertEqual(a.framesMade, 2 * native.frames - a.overlap)
        var cancelled = false
        XCTAssertThrowsError(try a.nextChunk(isCancelled: { cancelled = true; return true })) { error in
            XCTAssertEqual(error as? GenerationError, .cancelled)
        }
        XCTAssertTrue(cancelled)
    }

    /// `first-chunk`: a short first chunk made from nothing, continued by full chunks that
    /// take its last frames as given; out of range it is refused, naming the parameter.
    func testShortFirstChunkIsContinuedAndValidated() throws {
        let loaded = try requiredModel()
        var values = ParameterValues([:])
        values["steps"] = .int(2)
        values["guidance"] = .double(1)
        values["first-chunk"] = .int(4)
        let settings = try GenerationSettings(prompt: "a red circle moving left on a black background", parameters: values)
        let generator = try ChunkedGenerator(loaded: loaded, settings: settings)
        let native = loaded.configuration.native
        XCTAssertEqual(generator.newFramesPerChunk, 4)
        XCTAssertEqual(try generator.nextChunk(isCancelled: { false }).shape[0], 4, "the first chunk has first-chunk frames")
        XCTAssertEqual(generator.newFramesPerChunk, native.frames - generator.overlap)
        XCTAssertEqual(try generator.nextChunk(isCancelled: { false }).shape[0], native.frames - generator.overlap)
        XCTAssertEqual(generator.framesMade, 4 + native.frames - generator.overlap)

        values["first-chunk"] = .int(Int64(native.frames + 1))
        let tooLong = try GenerationSettings(prompt: "a red circle", parameters: values)
        XCTAssertThrowsError(try ChunkedGenerator(loaded: loaded, settings: tooLong)) { error in
            XCTAssertTrue("\(error)".contains("first-chunk") && "\(error)".contains("\(native.frames)"), "\(error)")
        }
    }

    /// The shipped model is guidance-distilled: `guidance` is its input within the range it
    /// was trained on, refused outside it with the parameter and the range named.
    func testGuidanceOutsideTheDistilledRangeIsRefused() throws {
        let loaded = try requiredModel()
        let dit = loaded.configuration.dit
        XCTAssertTrue(dit.guidanceEmbedding, "kinora-shapes-v1 is guidance-distilled (one denoiser call a step)")
        let range = try XCTUnwrap(dit.guidanceRange)
        var values = ParameterValues([:])
        for good in [0, 1, Double(range.upperBound)] {
            values["guidance"] = .double(good)
            XCTAssertNoThrow(try ChunkedGenerator(loaded: loaded, settings: try GenerationSettings(prompt: "a red circle", parameters: values)))
        }
        for bad in [0.5, Double(range.upperBound) + 0.5] {
            values["guidance"] = .double(bad)
            XCTAssertThrowsError(try ChunkedGenerator(loaded: loaded, settings: try GenerationSettings(prompt: "a red circle", parameters: values))) { error in
                XCTAssertTrue("\(error)".contains("'guidance'") && "\(error)".contains("\(range.upperBound)"), "\(error)")
            }
        }
    }

    private func requiredTextEncoder() throws -> String {
        do {
            return try ModelLocator.textEncoderFolder(searchPath: Self.searchPath)
        } catch {
            // A missing text encoder is a broken checkout (make test fetches it), not a skip.
            XCTFail("no text encoder (run scripts/fetch-text-encoder.sh): \(error)")
            throw error
        }
    }

    private func requiredModel() throws -> LoadedModel {
        do {
            return try SharedModels.model(ModelLocator.defaultModelName, searchPath: Self.searchPath)
        } catch {
            XCTFail("no model kinora-shapes-v1 in the search path: \(error)")
            throw error
        }
    }
}
