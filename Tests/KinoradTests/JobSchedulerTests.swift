import XCTest

@testable import kinorad

final class JobSchedulerTests: XCTestCase {
    func testRunsAtMostTheLimit() {
        var scheduler = JobScheduler(maxRunning: 2)
        for job in 1...5 { scheduler.enqueue(job, caller: ":1.1") }
        XCTAssertEqual(scheduler.dispatch(), [1, 2])
        XCTAssertEqual(scheduler.dispatch(), [], "nothing more starts while two run")
        scheduler.finished(1)
        XCTAssertEqual(scheduler.dispatch(), [3])
        XCTAssertEqual(scheduler.queuedCount, 2)
    }

    func testTakesCallersInTurn() {
        // A submits five jobs, then B one and C one: with one slot, B and C do not wait for all of A's.
        var scheduler = JobScheduler(maxRunning: 1)
        for job in 1...5 { scheduler.enqueue(job, caller: "A") }
        scheduler.enqueue(6, caller: "B")
        scheduler.enqueue(7, caller: "C")
        var order: [Int] = []
        while true {
            let started = scheduler.dispatch()
            guard let job = started.first else { break }
            order.append(job)
            scheduler.finished(job)
        }
        XCTAssertEqual(order, [1, 6, 7, 2, 3, 4, 5])
    }

    func testACallerJoiningLateGetsTheNextTurn() {
        var scheduler = JobScheduler(maxRunning: 1)
        for job in 1...3 { scheduler.enqueue(job, caller: "A") }
        XCTAssertEqual(scheduler.dispatch(), [1])
        scheduler.enqueue(4, caller: "B")
        scheduler.finished(1)
        XCTAssertEqual(scheduler.dispatch(), [2], "A's turn came before B arrived")
        scheduler.finished(2)
        XCTAssertEqual(scheduler.dispatch(), [4])
    }

    func testRemovingAQueuedJob() {
        var scheduler = JobScheduler(maxRunning: 1)
        scheduler.enqueue(1, caller: "A")
        scheduler.enqueue(2, caller: "B")
        XCTAssertEqual(scheduler.dispatch(), [1])
        XCTAssertTrue(scheduler.removeQueued(2))
        XCTAssertFalse(scheduler.removeQueued(1), "a running job is not queued")
        scheduler.finished(1)
        XCTAssertEqual(scheduler.dispatch(), [])
        XCTAssertEqual(scheduler.queuedCount, 0)
    }
}
