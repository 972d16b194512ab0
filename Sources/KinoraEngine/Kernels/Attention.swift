import Foundation

/// Multi-head scaled dot-product attention, bounded in memory: queries are processed in
/// chunks, so the largest score buffer is `chunk × keys` per thread, never `queries × keys`
/// for every head at once.
///
/// Inputs keep the layout a linear projection produces, `[B, L, heads·D]`: one head is a
/// strided view (leading dimension `heads·D`, or `3·heads·D` inside a fused qkv output) that
/// sgemm reads directly, so nothing is transposed or copied.
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
        var out = Tensor(uncheckedZeros: [b, lq, width])
        guard lq > 0, lk > 0 else { return out }
        let maskBias: [Float]? = keyMask.map { m in m.flatMap { $0.map { $0 ? 0 : -Float.infinity } } }
        let segments = (0 ..< b).map { bi in
            Segment(query: bi * lq * width, key: bi * lk * width, value: bi * lk * width, output: bi * lq * width,
                    queries: lq, keys: lk, mask: maskBias == nil ? nil : bi * lk)
        }
        var workspace = AttentionWorkspace()
        q.storage.withUnsafeBufferPointer { pq in
            k.storage.withUnsafeBufferPointer { pk in
                v.storage.withUnsafeBufferPointer { pv in
                    out.storage.withUnsafeMutableBufferPointer { pOut in
                        let po = pOut
                        let run = { (mask: UnsafePointer<Float>?) in
                            attend(q: pq.baseAddress!, ldq: width, k: pk.baseAddress!, ldk: width,
                                   v: pv.baseAddress!, ldv: width, out: po.baseAddress!, ldo: width,
                                   segments: segments, heads: heads, headDim: width / heads,
                                   maskBias: mask, queryChunk: queryChunk, workspace: &workspace)
                        }
                        if let maskBias {
                            maskBias.withUnsafeBufferPointer { run($0.baseAddress!) }
                        } else {
                            run(nil)
                        }
                    }
                }
            }
        }
        return out
    }

    /// One sequence inside strided buffers: element offsets of its first query, key, value
    /// and output row, its lengths, and the offset of its `keys` mask biases (if masked).
    struct Segment {
        var query: Int, key: Int, value: Int, output: Int
        var queries: Int, keys: Int
        var mask: Int?
    }

    /// Unnormalised softmax of one score row (exp and sum in one pass), adding the mask
    /// biases first; writes 1/sum to `norm`, which goes onto the D-wide output row instead of
    /// the keys-wide score row. A row with every key masked gets zeros.
    @inline(__always)
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, keys lk: Int, mask: UnsafePointer<Float>?,
                           norm: UnsafeMutablePointer<Float>) {
        if let mask { for j in 0 ..< lk { row[j] += mask[j] } }
        let m = VectorMath.maximum(row, count: lk)
        if m == -Float.infinity {
            row.update(repeating: 0, count: lk)
            norm.pointee = 0
        } else {
            norm.pointee = 1 / VectorMath.expShiftedSum(row, count: lk, shift: m)
        }
    }

    /// A padding mask that keeps a prefix of the keys (tokens, then padding) attends exactly
    /// like the prefix without a mask: masked keys weigh e^−∞ = 0. Returns the segment
    /// shortened that way, or unchanged for any other mask.
    static func trimmingPaddingMask(_ segment: Segment, maskBias: [Float]) -> Segment {
        guard let offset = segment.mask else { return segment }
        let bias = maskBias[offset ..< offset + segment.keys]
        guard let firstMasked = bias.firstIndex(where: { $0 != 0 }) else {
            var s = segment
            s.mask = nil
            return s
        }
        let valid = firstMasked - offset
        guard valid > 0, bias[firstMasked...].allSatisfy({ $0 == -.infinity }) else { return segment }
        var s = segment
        s.keys = valid
        s.mask = nil
        return s
    }

    /// The core on raw strided matrices: for each segment and head h, rows of `q + h·D`
    /// (leading dimension `ldq`) attend to rows of `k + h·D` and `v + h·D`; the result goes to
    /// `out + h·D` (leading dimension `ldo`). All (segment, head) pairs — a ragged batch of
    /// sentences, or the samples of a batch — are handed out to the threads dynamically, each
    /// with its own score buffer from `workspace`. Mask biases are 0 or −∞ per key.
    static func attend(q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, ldk: Int,
                       v: UnsafePointer<Float>, ldv: Int, out: UnsafeMutablePointer<Float>, ldo: Int,
                       segments: [Segment], heads: Int, headDim d: Int,
                       maskBias: UnsafePointer<Float>?, queryChunk: Int, workspace: inout AttentionWorkspace) {
        let items = segments.count * heads
        guard items > 0 else { return }
        let scale = 1 / Float(d).squareRoot()
        // Scratch offsets per segment: each head of it needs chunk·keys scores + chunk norms.
        var scratchStart: [Int] = []
        var total = 0
        var flops = 0.0
        for seg in segments {
            scratchStart.append(total)
            total += heads * min(queryChunk, seg.queries) * (seg.keys + 1)
            flops += 4 * Double(heads) * Double(seg.queries) * Double(seg.keys) * Double(d)
        }
        workspace.reserve(total)
        let segs = segments
        // (sequence, head) pairs run on the engine's threads, each product on one OpenBLAS
        // thread: the products are small (256×256×64 here), too small to share.
        let itemsInParallel = EngineThreads.count > 1 && items > 1
        Profiler.measure("attention", flops: flops) {
          BLASThreads.run(threads: 1) {
            workspace.buffer.withUnsafeMutableBufferPointer { ps in
                let s = ps.baseAddress!
                let body = { (item: Int) in
                    let seg = segs[item / heads], h = item % heads
                    let (lq, lk) = (seg.queries, seg.keys)
                    guard lq > 0, lk > 0 else { return }
                    let chunk = min(queryChunk, lq)
                    let scores = s + scratchStart[item / heads] + h * chunk * (lk + 1)
                    let norms = scores + chunk * lk
                    let mask = seg.mask.flatMap { offset in maskBias.map { $0 + offset } }
                    var start = 0
                    while start < lq {
                        let rows = min(chunk, lq - start)
                        Matmul.sgemm(m: rows, n: lk, k: d, a: q + seg.query + start * ldq + h * d, lda: ldq,
                                     b: k + seg.key + h * d, ldb: ldk, transposeB: true,
                                     c: scores, ldc: lk, alpha: scale)
                        // Unnormalised softmax (exp and sum in one pass); the 1/sum goes onto
                        // the D-wide output row instead of the keys-wide score row.
                        for r in 0 ..< rows {
                            Attention.softmaxRow(scores + r * lk, keys: lk, mask: mask, norm: norms + r)
                        }
                        let outRows = out + seg.output + start * ldo + h * d
                        Matmul.sgemm(m: rows, n: d, k: lk, a: scores, lda: lk, b: v + seg.value + h * d, ldb: ldv,
                                     c: outRows, ldc: ldo)
                        for r in 0 ..< rows {
                            let inv = norms[r]
                            VectorMath.map(outRows + r * ldo, count: d) { $0 * inv }
                        }
                        start += rows
                    }
                }
                if itemsInParallel {
                    EngineWorkers.perform(iterations: items, body)
                } else {
                    for i in 0 ..< items { body(i) }
                }
            }
          }
        }
    }
}

/// Score buffers reused across attention calls (no allocation per step once warmed up).
public struct AttentionWorkspace: Sendable {
    var buffer: [Float] = []
    public init() {}
    mutating func reserve(_ n: Int) {
        if buffer.count < n { buffer = [Float](repeating: 0, count: n) }
    }
}
