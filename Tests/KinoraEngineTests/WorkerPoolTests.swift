import Dispatch
import Synchronization
import XCTest
@testable import KinoraEngine

/// The engine's spinning worker pool: every index runs exactly once, whoever calls, however
/// the regions nest or overlap.
final class WorkerPoolTests: XCTestCase {
    /// Counts per index, written from several threads.
    final class Counts: Sendable {
        let slots: Mutex<[Int]>
        init(_ n: Int) { slots = Mutex(Array(repeating: 0, count: n)) }
        func hit(_ i: Int) { slots.withLock { $0[i] += 1 } }
        var values: [Int] { slots.withLock { $0 } }
    }

    func testEveryIndexRunsOnceAcrossManyBackToBackRegions() {
        let pool = WorkerPool(workers: 1)
        for n in [2, 3, 8, 100] {
            for _ in 0 ..< 200 {
                let counts = Counts(n)
                XCTAssertTrue(pool.tryRun(iterations: n) { counts.hit($0) })
                XCTAssertEqual(counts.values, Array(repeating: 1, count: n))
            }
        }
    }

    func testARegionAfterTheWorkersFellAsleepStillRuns() {
        let pool = WorkerPool(workers: 2)
        let counts = Counts(16)
        XCTAssertTrue(pool.tryRun(iterations: 16) { counts.hit($0) })
        usleep(50_000)  // long past the spin: the workers sleep on the condition
        XCTAssertTrue(pool.tryRun(iterations: 16) { counts.hit($0) })
        XCTAssertEqual(counts.values, Array(repeating: 2, count: 16))
    }

    func testNestedAndConcurrentRegionsFallBackAndComplete() {
        // Regions nested inside regions and regions from four threads at once: the pool takes
        // one, the others go to libdispatch; all finish and each index runs once per region.
        let outer = 6, inner = 32
        let counts = Counts(4 * outer * inner)
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for _ in 0 ..< 20 {
                EngineWorkers.perform(iterations: outer) { o in
                    EngineWorkers.perform(iterations: inner) { i in
                        counts.hit((caller * outer + o) * inner + i)
                    }
                }
            }
        }
        XCTAssertEqual(counts.values, Array(repeating: 20, count: 4 * outer * inner))
    }
}
