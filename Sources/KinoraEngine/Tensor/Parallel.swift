import COpenBLAS
import Dispatch

/// The number of worker threads the engine's own loops use (the machine has 2 cores).
public enum EngineThreads {
    /// Threads for `parallelFor`; at least 1.
    nonisolated(unsafe) public static var count: Int = 2
}

/// Runs `body(i)` for i in 0..<n, spread over `EngineThreads.count` threads in contiguous
/// blocks. Small loops run inline: a dispatch costs microseconds.
@inline(__always)
func parallelFor(_ n: Int, minimumPerThread: Int = 1, _ body: (Int) -> Void) {
    let threads = min(EngineThreads.count, n / max(1, minimumPerThread))
    if threads <= 1 {
        for i in 0 ..< n { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let lo = n * t / threads, hi = n * (t + 1) / threads
            for i in lo ..< hi { box.value(i) }
        }
    }
}

/// Wraps a value the engine shares between its worker threads by construction
/// (disjoint writes into one buffer), which the compiler cannot prove.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Keeps OpenBLAS single-threaded while the engine runs: the engine parallelises around
/// its GEMM calls itself.
public enum BLASThreads {
    @inline(__always)
    static func ensureSingle() {
        if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
    }
}
