/// Nearest-neighbour upsampling by 2 of `[N, C, H, W]` (PyTorch `interpolate(scale_factor=2)`).
public enum Upsample {
    public static func nearest2x(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4 else {
            throw EngineError.shapeMismatch(operation: "upsample", detail: "input \(x.shape) must be [N, C, H, W]")
        }
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        var out = Tensor(uncheckedZeros: [x.shape[0], x.shape[1], 2 * h, 2 * w])
        x.storage.withUnsafeBufferPointer { px in
            out.storage.withUnsafeMutableBufferPointer { po in
                for p in 0 ..< planes {
                    let src = px.baseAddress! + p * h * w
                    let dst = po.baseAddress! + p * 4 * h * w
                    for y in 0 ..< h {
                        let row = dst + 2 * y * 2 * w
                        for xx in 0 ..< w { let v = src[y * w + xx]; row[2 * xx] = v; row[2 * xx + 1] = v }
                        (row + 2 * w).update(from: row, count: 2 * w)
                    }
                }
            }
        }
        return out
    }
}
