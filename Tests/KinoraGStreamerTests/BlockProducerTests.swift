import Foundation
import KinoraHost
import Synchronization
import XCTest

@testable import KinoraGStreamer

/// The live sources' generator thread on its own: blocks come in order, at most `ahead` are
/// made before they are taken, the end and a failure reach the consumer, and `stop` returns
/// while the thread waits for room.
final class BlockProducerTests: XCTestCase {
    func testBlocksComeInOrderAndOnlyOneIsMadeAhead() {
        let made = Mutex<[UInt64]>([])
        let producer = BlockProducer(startingAt: 10) { first, pixels throws(PluginCallError) in
            guard first < 40 else { return nil }
            made.withLock { $0.append(first) }
            pixels = [UInt8](repeating: UInt8(first), count: 4)
            return 10
        }
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(made.withLock { $0 }, [10], "one block made ahead, then it waits")
        var firsts: [UInt8] = []
        while case .block(let block) = producer.take() {
            XCTAssertEqual(block.count, 10)
            firsts.append(block.pixels[0])
            producer.recycle(block.pixels)
        }
        XCTAssertEqual(firsts, [10, 20, 30])
        guard case .ended = producer.take() else { return XCTFail("the end is reported again") }
        producer.stop()
    }

    func testAFailureReachesTheConsumerAfterTheBlocksBeforeIt() {
        let producer = BlockProducer(startingAt: 0, ahead: 2) { first, pixels throws(PluginCallError) in
            if first >= 5 { throw .failed(plugin: "test", message: "no more") }
            pixels = [1]
            return 5
        }
        guard case .block = producer.take() else { return XCTFail("the first block") }
        guard case .failed(.failed(_, let message)) = producer.take() else { return XCTFail("the failure") }
        XCTAssertEqual(message, "no more")
        producer.stop()
    }

    func testStopReturnsWhileTheThreadWaitsForRoom() {
        let producer = BlockProducer(startingAt: 0) { _, pixels throws(PluginCallError) in
            pixels = [0]
            return 1
        }
        Thread.sleep(forTimeInterval: 0.1)
        let stopped = expectation(description: "stop returns")
        DispatchQueue.global().async {
            producer.stop()
            stopped.fulfill()
        }
        wait(for: [stopped], timeout: 5)
    }
}
