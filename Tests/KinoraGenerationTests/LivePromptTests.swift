import Foundation
import KinoraHost
import KinoraPluginSDK
import Synchronization
import XCTest

@testable import KinoraGeneration

/// The built text-to-video plugin through the host's C table (as the GStreamer bridge drives
/// it): a prompt changed between blocks conditions the next chunk and not the one before;
/// cancelling stops a block within a denoising step.
final class LivePromptTests: XCTestCase {
    final class Lines: Sendable {
        let all = Mutex<[String]>([])
    }

    private func textToVideo() throws -> LoadedPlugin {
        let root = GenerationCoreTests.root
        let registry = PluginRegistry(
            searchPath: PluginSearchPath(entries: [.init(directory: root + "/.build/debug", namePrefix: "libkinora-")]),
            modelPath: ModelSearchPath(directories: GenerationCoreTests.searchPath))
        let plugin = try XCTUnwrap(registry.plugin(id: "text-to-video"), "libkinora-text-to-video.so not built")
        do {
            try plugin.prepare()
        } catch {
            XCTFail("the text-to-video plugin cannot start (model or text encoder missing): \(error)")
            throw error
        }
        return plugin
    }

    func testPromptChangeTakesEffectAtTheNextChunk() throws {
        let plugin = try textToVideo()
        let stream = StreamInfo(width: 64, height: 64, framesPerSecondNumerator: 8, totalFrames: nil, prompt: "a red circle moving left")
        let instance = try PluginInstance(plugin: plugin, stream: stream, values: ["steps": .int(1), "guidance": .double(1)])
        let lines = Lines()
        var pixels = [UInt8](repeating: 0, count: 12 * 64 * 64 * 3)
        func block(_ first: UInt64) throws {
            try pixels.withUnsafeMutableBufferPointer { buffer in
                _ = try instance.produce(
                    firstFrame: first, frameCount: 12, pixels: buffer.baseAddress!, stride: 64 * 3, frameSize: 64 * 64 * 3,
                    log: { _, line in lines.all.withLock { $0.append(line) } })
            }
        }
        try block(0)  // chunk 0: 16 frames, 12 shown, 4 waiting
        try instance.configure(["prompt": .string("a blue square moving up")])
        try block(12)  // 4 waiting frames of chunk 0, then chunk 1 under the new prompt
        let chunks = lines.all.withLock { $0 }.filter { $0.hasPrefix("chunk ") }
        XCTAssertEqual(chunks.count, 2, "\(chunks)")
        XCTAssertTrue(chunks[0].hasPrefix("chunk 0:") && chunks[0].contains("\"a red circle moving left\""), chunks[0])
        XCTAssertTrue(chunks[1].hasPrefix("chunk 1:") && chunks[1].contains("\"a blue square moving up\""), chunks[1])
    }

    /// Progress moves with the denoising steps of a chunk, not only frame by frame, and never back.
    func testProgressFollowsTheDenoisingSteps() throws {
        let plugin = try textToVideo()
        let stream = StreamInfo(width: 64, height: 64, framesPerSecondNumerator: 8, totalFrames: nil, prompt: "a red circle")
        let instance = try PluginInstance(plugin: plugin, stream: stream, values: ["steps": .int(4), "guidance": .double(1)])
        let reports = Mutex<[Double]>([])
        var pixels = [UInt8](repeating: 0, count: 12 * 64 * 64 * 3)
        _ = try pixels.withUnsafeMutableBufferPointer { buffer in
            try instance.produce(
                firstFrame: 0, frameCount: 12, pixels: buffer.baseAddress!, stride: 64 * 3, frameSize: 64 * 64 * 3,
                progress: { fraction in reports.withLock { $0.append(fraction) } })
        }
        let values = reports.withLock { $0 }
        XCTAssertEqual(values, values.sorted(), "progress went back: \(values)")
        XCTAssertEqual(values.last ?? 0, 1, accuracy: 1e-9)
        // 4 steps of the chunk that fills frames 0-11: reported before the first frame is out.
        let duringSteps = values.filter { $0 > 0 && $0 < 11.0 / 12.0 && abs($0 * 12 - ($0 * 12).rounded()) > 1e-6 }
        XCTAssertGreaterThanOrEqual(duringSteps.count, 3, "no progress between frames: \(values)")
    }

    func testCancelStopsWithinOneStep() throws {
        let plugin = try textToVideo()
        let stream = StreamInfo(width: 64, height: 64, framesPerSecondNumerator: 8, totalFrames: nil, prompt: "a red circle")
        let instance = try PluginInstance(plugin: plugin, stream: stream, values: ["steps": .int(200)])
        var pixels = [UInt8](repeating: 0, count: 12 * 64 * 64 * 3)
        let started = Date()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { instance.cancel() }
        XCTAssertThrowsError(
            try pixels.withUnsafeMutableBufferPointer { buffer in
                _ = try instance.produce(firstFrame: 0, frameCount: 12, pixels: buffer.baseAddress!, stride: 64 * 3, frameSize: 64 * 64 * 3)
            }
        ) { error in XCTAssertEqual(error as? PluginCallError, .cancelled) }
        // 200 guided steps take about 20 s; a cancel is seen after the step in flight.
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
    }
}
