import COpenBLAS

/// Matrix products, all through OpenBLAS `cblas_sgemm` (row-major).
public enum Matmul {
    /// `c[m×n] = alpha · op(a) · op(b) + beta · c` on raw row-major buffers with leading
    /// dimensions, so that strided views (one head inside a [L, heads·D] matrix) need no copy.
    /// Call it inside `BLASThreads.run`, which fixes OpenBLAS's thread count: one thread where
    /// the callers themselves run in parallel (nested OpenBLAS threads inside parallel heads
    /// oversubscribed the 2 cores and ran attention 8× slower).
    @inline(__always)
    static func sgemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `sgemm` split over the engine's threads: by blocks of rows of C when there are enough,
    /// otherwise by blocks of columns (a short sequence through a wide layer); small products
    /// run inline. There are more blocks than threads, handed out dynamically, so that a
    /// thread that loses its core to another process (the GStreamer pipeline, a training
    /// run) does not hold the others back at the join.
    static func parallelSgemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        let threads = EngineThreads.count
        let work = Double(m) * Double(n) * Double(k)
        guard threads > 1, work >= 1_000_000, EngineThreads.matrixThreading == .engine else {
            BLASThreads.run(threads: BLASThreads.forLargeProducts) {
                sgemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transposeB: transposeB, c: c, ldc: ldc, alpha: alpha, beta: beta)
            }
            return
        }
        BLASThreads.run(threads: 1) {
            splitSgemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transposeB: transposeB,
                       c: c, ldc: ldc, alpha: alpha, beta: beta, threads: threads)
        }
    }

    private static func splitSgemm(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        transposeB: Bool, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float, threads: Int
    ) {
        let blocksWanted = EngineThreads.gemmBlocksPerThread * threads
        if m >= 32 * threads {
            // Row blocks of at least 32 rows.
            let blocks = max(threads, min(blocksWanted, m / 32))
            EngineWorkers.perform(iterations: blocks) { t in
                let lo = m * t / blocks, hi = m * (t + 1) / blocks
                sgemm(m: hi - lo, n: n, k: k, a: a + lo * lda, lda: lda, b: b, ldb: ldb, transposeB: transposeB,
                      c: c + lo * ldc, ldc: ldc, alpha: alpha, beta: beta)
            }
        } else {
            // Column blocks of at least 64 columns, multiples of 16 floats so that blocks
            // do not share cache lines.
            let blocks = max(1, min(blocksWanted, n / 64))
            EngineWorkers.perform(iterations: blocks) { t in
                let lo = t == 0 ? 0 : (n * t / blocks) / 16 * 16
                let hi = t == blocks - 1 ? n : (n * (t + 1) / blocks) / 16 * 16
                guard hi > lo else { return }
                let bOffset = transposeB ? lo * ldb : lo
                sgemm(m: m, n: hi - lo, k: k, a: a, lda: lda, b: b + bOffset, ldb: ldb, transposeB: transposeB,
                      c: c + lo, ldc: ldc, alpha: alpha, beta: beta)
            }
        }
    }

    /// The product of two matrices `a [m, k]` and `b [k, n]` (or `b [n, k]` when
    /// `transposeB`); batched when both are rank 3 with the same leading extent.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool = false) throws -> Tensor {
        let op = "matmul"
        switch (a.rank, b.rank) {
        case (2, 2):
            let (m, k) = (a.shape[0], a.shape[1])
            let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
            guard k == kb else { throw EngineError.shapeMismatch(operation: op, detail: "\(a.shape) × \(b.shape) (transposeB: \(transposeB))") }
            var out = Tensor(uncheckedZeros: [m, n])
            guard m > 0, n > 0, k > 0 else { return out }
            a.storage.withUnsafeBufferPointer { pa in
                b.storage.withUnsafeBufferPointer { pb in
                    out.storage.withUnsafeMutableBufferPointer { pc in
                        parallelSgemm(m: m, n: n, k: k, a: pa.baseAddress!, lda: k,
                              b: pb.baseAddress!, ldb: transposeB ? k : n, transposeB: transposeB,
                              c: pc.baseAddress!, ldc: n)
                    }
                }
            }
            return out
        case (3, 3):
            guard a.shape[0] == b.shape[0] else { throw EngineError.shapeMismatch(operation: op, detail: "batch \(a.shape) × \(b.shape)") }
            let batch = a.shape[0]
            let (m, k) = (a.shape[1], a.shape[2])
            let (kb, n) = transposeB ? (b.shape[2], b.shape[1]) : (b.shape[1], b.shape[2])
            guard k == kb else { throw EngineError.shapeMismatch(operation: op, detail: "\(a.shape) × \(b.shape) (transposeB: \(transposeB))") }
            var out = Tensor(uncheckedZeros: [batch, m, n])
            guard m > 0, n > 0, k > 0 else { return out }
            a.storage.withUnsafeBufferPointer { pa in
                b.storage.withUnsafeBufferPointer { pb in
                    out.storage.withUnsafeMutableBufferPointer { pc in
                        for i in 0 ..< batch {
                            parallelSgemm(m: m, n: n, k: k, a: pa.baseAddress! + i * m * k, lda: k,
                                  b: pb.baseAddress! + i * k * n, ldb: transposeB ? k : n, transposeB: transposeB,
                                  c: pc.baseAddress! + i * m * n, ldc: n)
                        }
                    }
                }
            }
            return out
        default:
            throw EngineError.shapeMismatch(operation: op, detail: "needs rank 2×2 or 3×3, got \(a.shape) × \(b.shape)")
        }
    }
}
