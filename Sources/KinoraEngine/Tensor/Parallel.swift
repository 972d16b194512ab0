import COpenBLAS
import Dispatch

/// The number of worker threads the engine's own loops use (the machine has 2 cores).
public enum EngineThreads {
    /// Threads for `parallelFor`; at least 1.
    nonisolated(unsafe) public static var count: Int = 2
    /// GEMM blocks per thread: more blocks balance better when a core is busy elsewhere, but
    /// each block repacks the weights (single-thread sgemm 512×768×256 measured here: 130
    /// GFLOP/s whole, 127 in 2 blocks, 123 in 4, 116 in 8).
    nonisolated(unsafe) public static var gemmBlocksPerThread: Int = 2
    /// Who parallelises matrix products. `.blas` (default): OpenBLAS runs every GEMM on
    /// `count` threads and the engine calls it from one thread only — OpenBLAS shares the
    /// packed weights between its threads and spins between calls, measured here at 213–221
    /// GFLOP/s on attention-sized products where a split over our own threads reached ~170 in
    /// a whole forward. `.engine`: OpenBLAS single-threaded, GEMMs split into blocks and
    /// attention heads run on the engine's threads (steadier when another process holds a core).
    nonisolated(unsafe) public static var matrixThreading: MatrixThreading = .blas
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
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: blocks) { t in
            let lo = n * t / blocks, hi = n * (t + 1) / blocks
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

/// Sets OpenBLAS's thread count for the current `EngineThreads.matrixThreading` (checked on
/// every call, set only when it differs: one setting per process in practice).
public enum BLASThreads {
    @inline(__always)
    static func ensureConfigured() {
        let wanted = Int32(EngineThreads.matrixThreading == .blas ? max(1, EngineThreads.count) : 1)
        if openblas_get_num_threads() != wanted { openblas_set_num_threads(wanted) }
    }
}
