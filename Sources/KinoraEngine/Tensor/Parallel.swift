import COpenBLAS
import Dispatch
import Foundation

/// How the engine uses the machine's cores. Set these before the first generation; they are
/// plain globals, not meant to change while work runs.
public enum EngineThreads {
    /// Threads for the engine's loops and for OpenBLAS: `$KINORA_THREADS` if set (1…256), else
    /// the active cores (2 on Kinora's target).
    nonisolated(unsafe) public static var count: Int = environmentCount ?? max(1, ProcessInfo.processInfo.activeProcessorCount)

    static var environmentCount: Int? {
        guard let text = ProcessInfo.processInfo.environment["KINORA_THREADS"], let n = Int(text), (1 ... 256).contains(n) else { return nil }
        return n
    }

    /// GEMM blocks per thread: more blocks balance better when a core is busy elsewhere, but
    /// each block repacks the weights (single-thread sgemm 512×768×256 measured here: 130
    /// GFLOP/s whole, 127 in 2 blocks, 123 in 4, 116 in 8).
    nonisolated(unsafe) public static var gemmBlocksPerThread: Int = 2
    /// Who parallelises the large matrix products (linear layers, convolutions).
    /// `.engine` (default): single-threaded OpenBLAS on blocks of rows or columns spread over
    /// the engine's threads, handed out dynamically. `.blas`: OpenBLAS runs each product on
    /// `count` threads of its own (`KINORA_MATRIX_THREADING=blas`). Release build,
    /// kinoragensrc 8 steps 4 s into fakesink, medians of paired runs
    /// (`scripts/bench-contention.sh`, 2026-11-30): 2.76 s engine vs 2.98 s blas on 2 idle
    /// cores; 6.74 s vs 35.9 s with a busy process on each core, where OpenBLAS's threads wait
    /// on each other at every product. The default is the faster, and the
    /// one that degrades gracefully on a shared desktop. Attention always runs its
    /// (sequence, head) pairs on the engine's threads with single-threaded OpenBLAS.
    nonisolated(unsafe) public static var matrixThreading: MatrixThreading =
        ProcessInfo.processInfo.environment["KINORA_MATRIX_THREADING"] == "blas" ? .blas : .engine
}

/// See `EngineThreads.matrixThreading`.
public enum MatrixThreading: Sendable {
    case blas, engine
}

/// Runs `body(i)` for i in 0..<n over `EngineThreads.count` threads, in contiguous blocks
/// (a few per thread, handed out dynamically, so a thread that loses its core does not hold
/// up the join). Small loops run inline: a dispatch costs microseconds.
@inline(__always)
func parallelFor(_ n: Int, minimumPerThread: Int = 1, _ body: (Int) -> Void) {
    let threads = min(EngineThreads.count, n / max(1, minimumPerThread))
    if threads <= 1 {
        for i in 0 ..< n { body(i) }
        return
    }
    let blocks = min(n, 4 * threads)
    EngineWorkers.perform(iterations: blocks) { t in
        let lo = n * t / blocks, hi = n * (t + 1) / blocks
        for i in lo ..< hi { body(i) }
    }
}

/// Wraps a value the engine shares between its worker threads by construction
/// (disjoint writes into one buffer), which the compiler cannot prove.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// OpenBLAS's thread count is process-wide, so every engine operation that calls OpenBLAS
/// holds this lock while it sets the count it wants and runs: two generations in one process
/// take turns at matrix work instead of changing the count under each other's feet.
public enum BLASThreads {
    private static let lock = NSLock()

    /// Runs `body` with OpenBLAS on `threads` threads, exclusively.
    static func run<T>(threads: Int, _ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        let wanted = Int32(max(1, threads))
        if openblas_get_num_threads() != wanted { openblas_set_num_threads(wanted) }
        return try body()
    }

    /// OpenBLAS threads for a large product under the current `matrixThreading`.
    static var forLargeProducts: Int {
        EngineThreads.matrixThreading == .blas ? EngineThreads.count : 1
    }
}
