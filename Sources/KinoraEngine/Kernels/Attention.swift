import Foundation

/// Multi-head scaled dot-product attention, bounded in memory: queries are processed in
/// chunks, so the largest score buffer is `chunk × keys` per thread, never `queries × keys`
/// for every head at once.
///
/// Inputs keep the layout a linear projection produces, `[B, L, heads·D]`: one head is a
/// strided view (leading dimension `heads·D`) that sgemm reads directly, so no transpose.
public enum Attention {
    /// Attends `q [B, Lq, H·D]` to `k, v [B, Lk, H·D]`, giving `[B, Lq, H·D]`.
    ///
    /// - Parameters:
    ///   - keyMask: optional `[B, Lk]` flags, `true` for a key that may be attended; a query
    ///     whose keys are all masked gets a zero output (PyTorch would give NaN).
    ///   - queryChunk: queries per score buffer.
    public static func multiHead(q: Tensor, k: Tensor, v: Tensor, heads: Int,
                                 keyMask: [[Bool]]? = nil, queryChunk: Int = 256) throws -> Tensor {
        let op = "attention"
        guard q.rank == 3, k.rank == 3, v.rank == 3 else {
            throw EngineError.shapeMismatch(operation: op, detail: "q \(q.shape), k \(k.shape), v \(v.shape) must be [B, L, H·D]")
        }
        let (b, lq, width) = (q.shape[0], q.shape[1], q.shape[2])
        let lk = k.shape[1]
        guard k.shape == v.shape, k.shape[0] == b, k.shape[2] == width else {
            throw EngineError.shapeMismatch(operation: op, detail: "q \(q.shape), k \(k.shape), v \(v.shape)")
        }
        guard heads > 0, width % heads == 0, queryChunk > 0 else {
            throw EngineError.invalidArgument(operation: op, detail: "\(heads) heads for width \(width), chunk \(queryChunk)")
        }
        if let keyMask {
            guard keyMask.count == b, keyMask.allSatisfy({ $0.count == lk }) else {
                throw EngineError.shapeMismatch(operation: op, detail: "key mask must be [\(b), \(lk)]")
            }
        }
        let d = width / heads
        let scale = 1 / Float(d).squareRoot()
        var out = Tensor(uncheckedZeros: [b, lq, width])
        guard lq > 0, lk > 0 else { return out }
        let chunk = min(queryChunk, lq)
        let threads = max(1, min(EngineThreads.count, b * heads))
        var scratch = [Float](repeating: 0, count: threads * chunk * lk)
        // Additive mask rows: 0 for a visible key, −∞ for a masked one.
        let maskBias: [Float]? = keyMask.map { m in m.flatMap { $0.map { $0 ? 0 : -Float.infinity } } }
        Profiler.measure("attention", flops: 4 * Double(b * heads) * Double(lq) * Double(lk) * Double(d)) {
            q.storage.withUnsafeBufferPointer { pq in
                k.storage.withUnsafeBufferPointer { pk in
                    v.storage.withUnsafeBufferPointer { pv in
                        out.storage.withUnsafeMutableBufferPointer { po in
                            scratch.withUnsafeMutableBufferPointer { ps in
                                let ptrs = UncheckedSendable((pq.baseAddress!, pk.baseAddress!, pv.baseAddress!, po.baseAddress!, ps.baseAddress!))
                                DispatchQueue.concurrentPerform(iterations: threads) { t in
                                    let (q, k, v, o, s) = ptrs.value
                                    let scores = s + t * chunk * lk
                                    let lo = b * heads * t / threads, hi = b * heads * (t + 1) / threads
                                    for bh in lo ..< hi {
                                        let (bi, h) = (bh / heads, bh % heads)
                                        let kh = k + bi * lk * width + h * d
                                        let vh = v + bi * lk * width + h * d
                                        var start = 0
                                        while start < lq {
                                            let rows = min(chunk, lq - start)
                                            let qh = q + (bi * lq + start) * width + h * d
                                            Matmul.sgemm(m: rows, n: lk, k: d, a: qh, lda: width,
                                                         b: kh, ldb: width, transposeB: true,
                                                         c: scores, ldc: lk, alpha: scale)
                                            for r in 0 ..< rows {
                                                let row = scores + r * lk
                                                if let maskBias {
                                                    maskBias.withUnsafeBufferPointer { mb in
                                                        let m = mb.baseAddress! + bi * lk
                                                        for j in 0 ..< lk { row[j] += m[j] }
                                                    }
                                                }
                                                Softmax.softmaxRow(row, count: lk)
                                            }
                                            Matmul.sgemm(m: rows, n: d, k: lk, a: scores, lda: lk,
                                                         b: vh, ldb: width,
                                                         c: o + (bi * lq + start) * width + h * d, ldc: width)
                                            start += rows
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
