/// Fused element-wise operations of transformer blocks, each one pass over memory.
public enum Elementwise {
    /// `a + b` for tensors of one shape.
    public static func add(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        var out = a
        try addInPlace(&out, b)
        return out
    }

    /// `a += b` for tensors of one shape.
    public static func addInPlace(_ a: inout Tensor, _ b: Tensor) throws {
        guard a.shape == b.shape else {
            throw EngineError.shapeMismatch(operation: "add", detail: "\(a.shape) + \(b.shape)")
        }
        a.storage.withUnsafeMutableBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                for i in 0 ..< pa.count { pa[i] += pb[i] }
            }
        }
    }

    /// `x · scale` for a scalar.
    public static func scaled(_ x: Tensor, by s: Float) -> Tensor {
        var out = x
        out.storage.withUnsafeMutableBufferPointer { p in for i in 0 ..< p.count { p[i] *= s } }
        return out
    }

    /// Adds a row vector `[D]` to every row of `x [..., D]`.
    public static func addRow(_ x: Tensor, _ row: Tensor) throws -> Tensor {
        guard x.rank >= 1, row.shape == [x.shape[x.rank - 1]] else {
            throw EngineError.shapeMismatch(operation: "addRow", detail: "\(x.shape) + \(row.shape)")
        }
        var out = x
        let d = row.count
        out.storage.withUnsafeMutableBufferPointer { p in
            row.storage.withUnsafeBufferPointer { r in
                for i in 0 ..< p.count { p[i] += r[i % d] }
            }
        }
        return out
    }

    /// adaLN modulation: `x · (1 + scale) + shift` with `shift, scale [D]` broadcast over the
    /// rows of `x [..., D]`.
    public static func modulate(_ x: Tensor, shift: Tensor, scale: Tensor) throws -> Tensor {
        let d = x.rank >= 1 ? x.shape[x.rank - 1] : -1
        guard shift.shape == [d], scale.shape == [d] else {
            throw EngineError.shapeMismatch(operation: "modulate", detail: "x \(x.shape), shift \(shift.shape), scale \(scale.shape)")
        }
        var out = x
        Profiler.measure("elementwise") {
            out.storage.withUnsafeMutableBufferPointer { p in
                shift.storage.withUnsafeBufferPointer { sh in
                    scale.storage.withUnsafeBufferPointer { sc in
                        for r in 0 ..< p.count / d {
                            let row = p.baseAddress! + r * d
                            for i in 0 ..< d { row[i] = row[i] * (1 + sc[i]) + sh[i] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Gated residual: `x += gate · y` with `gate [D]` broadcast over the rows.
    public static func gatedResidual(_ x: inout Tensor, _ y: Tensor, gate: Tensor) throws {
        let d = x.rank >= 1 ? x.shape[x.rank - 1] : -1
        guard y.shape == x.shape, gate.shape == [d] else {
            throw EngineError.shapeMismatch(operation: "gatedResidual", detail: "x \(x.shape), y \(y.shape), gate \(gate.shape)")
        }
        Profiler.measure("elementwise") {
            x.storage.withUnsafeMutableBufferPointer { px in
                y.storage.withUnsafeBufferPointer { py in
                    gate.storage.withUnsafeBufferPointer { g in
                        for r in 0 ..< px.count / d {
                            let o = r * d
                            for i in 0 ..< d { px[o + i] += g[i] * py[o + i] }
                        }
                    }
                }
            }
        }
    }
}
