/// A 2-D convolution over `[N, C, H, W]` with PyTorch's weight layout `[O, C, kH, kW]`,
/// computed as im2col + one GEMM per image (1×1 stride-1 convolutions skip the im2col).
public struct Conv2D: Sendable {
    /// `[outChannels, inChannels, kernel, kernel]`.
    public let weight: Tensor
    /// `[outChannels]`, or nil.
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int

    public var outChannels: Int { weight.shape[0] }
    public var inChannels: Int { weight.shape[1] }
    public var kernelHeight: Int { weight.shape[2] }
    public var kernelWidth: Int { weight.shape[3] }

    /// Validates the weight layout, bias and geometry.
    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) throws {
        guard weight.rank == 4, weight.shape.allSatisfy({ $0 > 0 }) else {
            throw EngineError.shapeMismatch(operation: "Conv2D", detail: "weight must be [O, C, kH, kW], got \(weight.shape)")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw EngineError.shapeMismatch(operation: "Conv2D", detail: "bias \(bias.shape) for weight \(weight.shape)")
        }
        guard stride >= 1, padding >= 0 else {
            throw EngineError.invalidArgument(operation: "Conv2D", detail: "stride \(stride), padding \(padding)")
        }
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
    }

    /// Loads a square-kernel convolution under the loader's prefix.
    public init(_ loader: WeightLoader, inChannels: Int, outChannels: Int, kernel: Int,
                stride: Int = 1, padding: Int = 0, bias: Bool = true) throws {
        let w = try loader.tensor("weight", shape: [outChannels, inChannels, kernel, kernel])
        let b = bias ? try loader.tensor("bias", shape: [outChannels]) : nil
        try self.init(weight: w, bias: b, stride: stride, padding: padding)
    }

    /// Convolves `x [N, C, H, W]`, giving `[N, O, H', W']`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4, x.shape[1] == inChannels else {
            throw EngineError.shapeMismatch(operation: "Conv2D", detail: "input \(x.shape), weight \(weight.shape)")
        }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (kh, kw) = (kernelHeight, kernelWidth)
        let ho = (h + 2 * padding - kh) / stride + 1
        let wo = (w + 2 * padding - kw) / stride + 1
        guard h + 2 * padding >= kh, w + 2 * padding >= kw, ho > 0, wo > 0 else {
            throw EngineError.shapeMismatch(operation: "Conv2D", detail: "input \(x.shape) smaller than kernel \(kh)×\(kw)")
        }
        let o = outChannels
        let ckk = c * kh * kw
        let hw = ho * wo
        var out = Tensor(uninitialized: [n, o, ho, wo])  // every element written by the GEMM
        let direct = kh == 1 && kw == 1 && stride == 1 && padding == 0
        var cols = [Float](repeating: 0, count: direct ? 0 : ckk * hw)
        Profiler.measure("conv2d", flops: 2 * Double(n * o * hw) * Double(ckk)) {
            x.storage.withUnsafeBufferPointer { px in
                weight.storage.withUnsafeBufferPointer { pw in
                    out.storage.withUnsafeMutableBufferPointer { po in
                        cols.withUnsafeMutableBufferPointer { pcol in
                            for img in 0 ..< n {
                                let src = px.baseAddress! + img * c * h * w
                                let dst = po.baseAddress! + img * o * hw
                                var b: UnsafePointer<Float> = src
                                if !direct {
                                    im2col(src, channels: c, height: h, width: w, kh: kh, kw: kw,
                                           ho: ho, wo: wo, into: pcol.baseAddress!)
                                    b = UnsafePointer(pcol.baseAddress!)
                                }
                                var beta: Float = 0
                                if let bias {
                                    for oc in 0 ..< o {
                                        (dst + oc * hw).update(repeating: bias.storage[oc], count: hw)
                                    }
                                    beta = 1
                                }
                                Matmul.parallelSgemm(m: o, n: hw, k: ckk, a: pw.baseAddress!, lda: ckk,
                                             b: b, ldb: hw, c: dst, ldc: hw, beta: beta)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Unfolds one image into `[C·kH·kW, H'·W']` columns (zeros where the kernel hangs over
    /// the padding), parallel over input channels.
    private func im2col(_ src: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                        kh: Int, kw: Int, ho: Int, wo: Int, into cols: UnsafeMutablePointer<Float>) {
        let s = stride, p = padding
        parallelFor(c, minimumPerThread: 8) { ch in
            for ky in 0 ..< kh {
                for kx in 0 ..< kw {
                    let row = cols + ((ch * kh + ky) * kw + kx) * ho * wo
                    for oy in 0 ..< ho {
                        let iy = oy * s - p + ky
                        let dstRow = row + oy * wo
                        if iy < 0 || iy >= h {
                            dstRow.update(repeating: 0, count: wo)
                            continue
                        }
                        let srcRow = src + (ch * h + iy) * w
                        if s == 1 {
                            // A shifted copy of the input row, zeros where it hangs over the
                            // padding: a memcpy instead of a branch per element (the decoder's
                            // 3×3 convolutions spent 40 % of their time here).
                            let lo = min(wo, max(0, p - kx)), hi = max(lo, min(wo, w + p - kx))
                            dstRow.update(repeating: 0, count: lo)
                            (dstRow + lo).update(from: srcRow + (lo - p + kx), count: hi - lo)
                            (dstRow + hi).update(repeating: 0, count: wo - hi)
                            continue
                        }
                        for ox in 0 ..< wo {
                            let ix = ox * s - p + kx
                            dstRow[ox] = (ix >= 0 && ix < w) ? srcRow[ix] : 0
                        }
                    }
                }
            }
        }
    }
}
