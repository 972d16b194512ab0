import Dispatch
import Foundation
import Synchronization

/// The engine's parallel loops: `perform(iterations:_:)` runs `body(i)` for every i over the
/// engine's threads, the calling thread included, and returns when all are done.
///
/// Why not `DispatchQueue.concurrentPerform` alone: a denoiser call at batch 1 is ~130
/// parallel regions of 0.1–1 ms each, and libdispatch puts its workers to sleep between
/// them; waking one costs tens of microseconds, which cost a third of the second core (1
/// thread 58 ms, 2 threads 38.6 ms, where perfect scaling is 29). The pool's workers spin
/// for a short while after a region before they sleep, as OpenMP's active wait policy and
/// ONNX Runtime's thread pool do, so back-to-back regions start at once. The spin is bounded
/// (`spinLimit`), so an idle engine sleeps and a busy desktop loses little.
///
/// The pool serves one region at a time: a region started while another runs (two
/// generations in one daemon, or a loop nested inside a loop) goes to libdispatch instead.
enum EngineWorkers {
    /// The pool, made on first use with `EngineThreads.count − 1` workers; none with
    /// `KINORA_WORKER_POOL=0` (libdispatch only: for comparisons, `scripts/bench-contention.sh`).
    private static let pool = WorkerPool(
        workers: ProcessInfo.processInfo.environment["KINORA_WORKER_POOL"] == "0" ? 0 : max(0, EngineThreads.count - 1))

    /// Runs `body(i)` for i in 0..<iterations concurrently, handing indices out dynamically.
    static func perform(iterations: Int, _ body: (Int) -> Void) {
        guard iterations > 1 else {
            if iterations == 1 { body(0) }
            return
        }
        // A thread count changed after the pool was made gets libdispatch: the pool never
        // runs on more or fewer threads than `EngineThreads.count` says.
        if EngineThreads.count - 1 == pool.workerCount, pool.workerCount > 0, pool.tryRun(iterations: iterations, body) {
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: iterations) { box.value($0) }
        }
    }
}

/// Persistent worker threads that spin briefly for the next region before they sleep.
final class WorkerPool: @unchecked Sendable {
    let workerCount: Int
    /// Spin iterations before a worker sleeps (tens of microseconds on this class of CPU).
    private let spinLimit = 40_000

    /// Bumped once per region; workers wait for it to change.
    private let generation = Atomic<Int>(0)
    /// The next index to hand out, and the workers that have left the current region.
    private let nextIndex = Atomic<Int>(0)
    private let finishedWorkers = Atomic<Int>(0)
    /// Workers asleep (or about to be) on `wake`.
    private let sleepers = Atomic<Int>(0)
    /// Taken by the caller for a whole region: one region at a time.
    private let busy = Mutex<Bool>(false)
    private let wake = NSCondition()

    /// The current region. Written by the caller before `generation` is released and read by
    /// workers after acquiring it; workers drop it before counting themselves finished.
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    nonisolated(unsafe) private var iterations = 0

    init(workers: Int) {
        workerCount = workers
        for w in 0 ..< workers {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.name = "kinora-engine-\(w + 1)"
            thread.start()
        }
    }

    /// Runs the region on the pool and returns true, or returns false at once when the pool
    /// is serving another region.
    func tryRun(iterations n: Int, _ body: (Int) -> Void) -> Bool {
        let acquired = busy.withLock { taken -> Bool in
            if taken { return false }
            taken = true
            return true
        }
        guard acquired else { return false }
        defer { busy.withLock { $0 = false } }
        withoutActuallyEscaping(body) { body in
            job = body
            iterations = n
            nextIndex.store(0, ordering: .relaxed)
            finishedWorkers.store(0, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wake.lock()
                wake.broadcast()
                wake.unlock()
            }
            work(body, n)
            // Every worker takes part in every region (if only to find nothing left), so the
            // closure is released by all of them before it goes out of scope here.
            var spins = 0
            while finishedWorkers.load(ordering: .acquiring) < workerCount {
                // A worker that lost its core to another process: give the core away meanwhile.
                spins += 1
                if spins > spinLimit { sched_yield() }
            }
            job = nil
        }
        return true
    }

    private func work(_ body: (Int) -> Void, _ n: Int) {
        while true {
            let i = nextIndex.add(1, ordering: .relaxed).oldValue
            if i >= n { return }
            body(i)
        }
    }

    private func workerLoop() {
        var seen = 0
        while true {
            seen = waitForRegion(after: seen)
            runRegion()
            finishedWorkers.add(1, ordering: .releasing)
        }
    }

    /// A separate function so that the worker's reference to the job ends before it counts
    /// itself finished.
    private func runRegion() {
        guard let body = job else { return }
        work(body, iterations)
    }

    /// Spins, then sleeps, until `generation` moves past `seen`; returns the new value.
    private func waitForRegion(after seen: Int) -> Int {
        for _ in 0 ..< spinLimit {
            let g = generation.load(ordering: .acquiring)
            if g != seen { return g }
        }
        sleepers.add(1, ordering: .sequentiallyConsistent)
        wake.lock()
        var g = generation.load(ordering: .sequentiallyConsistent)
        while g == seen {
            wake.wait()
            g = generation.load(ordering: .sequentiallyConsistent)
        }
        wake.unlock()
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        return generation.load(ordering: .acquiring)
    }
}
