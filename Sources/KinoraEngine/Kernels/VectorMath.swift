/// Vectorised transcendental functions for the activation and softmax loops, eight lanes at
/// a time. libm's scalar `expf`/`tanhf`/`erff` cost 10–20 ns an element and dominated the
/// MLPs; these cost about 1.5 ns.
///
/// Written with plain lane arithmetic, blends and bit casts only: Swift's SIMD `rounded`,
/// `init(_:rounding:)`, `clamped` and `pointwiseMin/Max` compiled to calls (10 ns an element).
enum VectorMath {
    typealias V = SIMD8<Float>
    typealias U = SIMD8<UInt32>

    /// e^x with Cephes' polynomial: relative error below 2e-7 for x in [−87.3, 88.7]; inputs
    /// outside are clamped (e^−87.3 ≈ 1e-38 stands in for 0, which is what −∞ needs here).
    @inline(__always)
    static func exp(_ x: V) -> V {
        // `replacing(with:where:)` compiles to compare-and-blend; `pointwiseMin/Max` to calls.
        let lo = V(repeating: -87.33), hi = V(repeating: 88.72)
        let xc = x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)
        // Round to nearest by adding 1.5·2²³: the integer lands in the low mantissa bits.
        let t = xc * 1.4426950408889634 + 12_582_912.0
        let n = t - 12_582_912.0
        var r = xc - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p = V(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * r * r + r + 1
        let bits = (unsafeBitCast(t, to: U.self) &- 0x4B40_0000 &+ 127) &<< 23
        return y * unsafeBitCast(bits, to: V.self)
    }

    /// Applies `f` to `count` floats in place, eight at a time, the tail through a padded vector.
    @inline(__always)
    static func map(_ p: UnsafeMutablePointer<Float>, count: Int, _ f: (V) -> V) {
        var i = 0
        let raw = UnsafeMutableRawPointer(p)
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            raw.storeBytes(of: f(v), toByteOffset: i * 4, as: V.self)
            i += 8
        }
        if i < count {
            var v = V(repeating: 0)
            for j in 0 ..< count - i { v[j] = p[i + j] }
            let y = f(v)
            for j in 0 ..< count - i { p[i + j] = y[j] }
        }
    }

    @inline(__always)
    static func silu(_ x: V) -> V { x / (1 + exp(V(repeating: 0) - x)) }

    /// GELU(tanh): 0.5·x·(1 + tanh(u)) = x·sigmoid(2u), u = √(2/π)·(x + 0.044715·x³).
    @inline(__always)
    static func geluTanh(_ x: V) -> V {
        x / (1 + exp(-1.5957691216057308 * (x + 0.044715 * x * x * x)))
    }

    /// GELU with erf from Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
    @inline(__always)
    static func gelu(_ x: V) -> V {
        let z = x * 0.7071067811865476
        let zBits = unsafeBitCast(z, to: U.self)
        let az = unsafeBitCast(zBits & 0x7FFF_FFFF, to: V.self)
        let t = 1 / (1 + 0.3275911 * az)
        var poly = V(repeating: 1.061405429)
        poly = poly * t - 1.453152027
        poly = poly * t + 1.421413741
        poly = poly * t - 0.284496736
        poly = poly * t + 0.254829592
        let erfAbs = 1 - poly * t * exp(V(repeating: 0) - az * az)
        // erf is odd: give |erf| the sign of z.
        let erf = unsafeBitCast(unsafeBitCast(erfAbs, to: U.self) | (zBits & 0x8000_0000), to: V.self)
        return 0.5 * x * (1 + erf)
    }

    /// Replaces each of `count` floats x with e^(x − m) and returns their sum, in one pass.
    @inline(__always)
    static func expShiftedSum(_ p: UnsafeMutablePointer<Float>, count: Int, shift m: Float) -> Float {
        var acc = V(repeating: 0)
        var i = 0
        let raw = UnsafeMutableRawPointer(p)
        let mv = V(repeating: m)
        while i + 8 <= count {
            let e = exp(raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) - mv)
            raw.storeBytes(of: e, toByteOffset: i * 4, as: V.self)
            acc += e
            i += 8
        }
        var s = acc.sum()
        if i < count {
            var v = V(repeating: -.infinity)
            for j in 0 ..< count - i { v[j] = p[i + j] }
            let e = exp(v - mv)
            for j in 0 ..< count - i { p[i + j] = e[j]; s += e[j] }
        }
        return s
    }

    /// The largest of `count` floats (−∞ for none).
    @inline(__always)
    static func maximum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var acc = V(repeating: -.infinity)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            acc = acc.replacing(with: v, where: v .> acc)
            i += 8
        }
        var m = acc.max()
        while i < count { m = max(m, p[i]); i += 1 }
        return m
    }

    /// The sum of `count` floats, in eight interleaved partial sums.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var acc = V(repeating: 0)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            acc += raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            i += 8
        }
        var s = acc.sum()
        while i < count { s += p[i]; i += 1 }
        return s
    }

    /// Mean and 1/sqrt(biased variance + ε) of a short row (a token's features), two passes
    /// on eight-lane accumulators.
    @inline(__always)
    static func meanAndInverseStd(_ p: UnsafePointer<Float>, count: Int, epsilon: Float) -> (Float, Float) {
        let mean = sum(p, count: count) / Float(count)
        var acc = V(repeating: 0)
        var i = 0
        let raw = UnsafeRawPointer(p)
        let mv = V(repeating: mean)
        while i + 8 <= count {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) - mv
            acc += d * d
            i += 8
        }
        var sq = acc.sum()
        while i < count { let d = p[i] - mean; sq += d * d; i += 1 }
        return (mean, 1 / (sq / Float(count) + epsilon).squareRoot())
    }
}
