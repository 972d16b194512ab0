/// Spatial scaling between the model's native size and the negotiated size.
///
/// The method, stated honestly: enlarging uses bilinear interpolation between pixel centres
/// (no detail is invented: a 64×64 model frame shown at 320×240 is a blurred enlargement,
/// with the aspect ratio stretched when it differs); shrinking averages the source pixels
/// each output pixel covers (a box filter), which is what input frames go through before the
/// model encodes them.
public enum FrameScaler {
    public static func scaled(_ frame: RGBFrame, width: Int, height: Int) -> RGBFrame {
        if frame.width == width && frame.height == height { return frame }
        if width <= frame.width && height <= frame.height { return boxAveraged(frame, width: width, height: height) }
        return bilinear(frame, width: width, height: height)
    }

    static func bilinear(_ source: RGBFrame, width: Int, height: Int) -> RGBFrame {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let xScale = Float(source.width) / Float(width)
        let yScale = Float(source.height) / Float(height)
        let src = source.pixels
        for y in 0 ..< height {
            let sy = min(max((Float(y) + 0.5) * yScale - 0.5, 0), Float(source.height - 1))
            let y0 = Int(sy), y1 = min(y0 + 1, source.height - 1)
            let fy = sy - Float(y0)
            for x in 0 ..< width {
                let sx = min(max((Float(x) + 0.5) * xScale - 0.5, 0), Float(source.width - 1))
                let x0 = Int(sx), x1 = min(x0 + 1, source.width - 1)
                let fx = sx - Float(x0)
                for c in 0 ..< 3 {
                    let a = Float(src[(y0 * source.width + x0) * 3 + c]), b = Float(src[(y0 * source.width + x1) * 3 + c])
                    let d = Float(src[(y1 * source.width + x0) * 3 + c]), e = Float(src[(y1 * source.width + x1) * 3 + c])
                    let top = a + (b - a) * fx, bottom = d + (e - d) * fx
                    pixels[(y * width + x) * 3 + c] = UInt8(min(max((top + (bottom - top) * fy).rounded(), 0), 255))
                }
            }
        }
        return RGBFrame(width: width, height: height, pixels: pixels)
    }

    static func boxAveraged(_ source: RGBFrame, width: Int, height: Int) -> RGBFrame {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0 ..< height {
            let y0 = y * source.height / height, y1 = max(y0 + 1, (y + 1) * source.height / height)
            for x in 0 ..< width {
                let x0 = x * source.width / width, x1 = max(x0 + 1, (x + 1) * source.width / width)
                var sum = [0, 0, 0]
                for sy in y0 ..< y1 {
                    for sx in x0 ..< x1 {
                        for c in 0 ..< 3 { sum[c] += Int(source.pixels[(sy * source.width + sx) * 3 + c]) }
                    }
                }
                let count = (y1 - y0) * (x1 - x0)
                for c in 0 ..< 3 { pixels[(y * width + x) * 3 + c] = UInt8((sum[c] + count / 2) / count) }
            }
        }
        return RGBFrame(width: width, height: height, pixels: pixels)
    }
}
