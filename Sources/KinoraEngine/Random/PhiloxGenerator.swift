import Foundation

/// Philox 4×32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011),
/// a counter-based generator: block `i` of a stream is a pure function of (seed, stream, i),
/// so Swift and Python (`Training/kinora_rng.py`) produce the same numbers bit for bit.
///
/// The stream, exactly:
/// - key = (seed mod 2³², seed / 2³²); counter of block i = (i mod 2³², i / 2³², stream mod 2³², stream / 2³²).
/// - a block is 10 Philox rounds of the counter, giving four UInt32 words.
/// - uniforms: each word w gives `Float(w >> 8) · 2⁻²⁴`, in [0, 1).
/// - normals: each block gives four normals by Box–Muller on its words (w0, w1) and (w2, w3):
///   u1 = ((w0 >> 8) + 1) · 2⁻²⁴ in (0, 1], u2 = (w1 >> 8) · 2⁻²⁴,
///   r = √(−2 ln u1), z0 = r cos 2πu2, z1 = r sin 2πu2, computed in Double, rounded to Float.
/// - a request for n values consumes ⌈n/4⌉ blocks; leftover words of the last block are dropped.
public struct PhiloxGenerator: Sendable {
    public let seed: UInt64
    public let stream: UInt64
    /// The index of the next block to be generated.
    public var blockIndex: UInt64 = 0

    public init(seed: UInt64, stream: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
    }

    /// Philox 4×32-10 of one counter under one key.
    public static func block(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32))
        -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0 ..< 10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let (hi0, lo0) = (UInt32(truncatingIfNeeded: p0 >> 32), UInt32(truncatingIfNeeded: p0))
            let (hi1, lo1) = (UInt32(truncatingIfNeeded: p1 >> 32), UInt32(truncatingIfNeeded: p1))
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        }
        return (c0, c1, c2, c3)
    }

    /// The next block of four words.
    public mutating func nextBlock() -> (UInt32, UInt32, UInt32, UInt32) {
        let counter = (UInt32(truncatingIfNeeded: blockIndex), UInt32(truncatingIfNeeded: blockIndex >> 32),
                       UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32))
        blockIndex &+= 1
        return PhiloxGenerator.block(counter: counter,
                                     key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
    }

    /// `count` raw words.
    public mutating func words(count: Int) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(count + 3)
        while out.count < count {
            let b = nextBlock()
            out.append(contentsOf: [b.0, b.1, b.2, b.3])
        }
        return Array(out.prefix(count))
    }

    /// `count` uniforms in [0, 1) with 24 random bits each.
    public mutating func uniforms(count: Int) -> [Float] {
        words(count: count).map { Float($0 >> 8) * 0x1p-24 }
    }

    /// `count` standard normals.
    public mutating func normals(count: Int) -> [Float] {
        var out = [Float]()
        out.reserveCapacity(count + 3)
        while out.count < count {
            let b = nextBlock()
            let (z0, z1) = PhiloxGenerator.boxMuller(b.0, b.1)
            let (z2, z3) = PhiloxGenerator.boxMuller(b.2, b.3)
            out.append(contentsOf: [z0, z1, z2, z3])
        }
        return Array(out.prefix(count))
    }

    /// A tensor of standard normals (initial noise for a sampler).
    public mutating func normalTensor(shape: [Int]) throws -> Tensor {
        let n = try Tensor.elementCount(shape, operation: "normalTensor")
        return Tensor(uncheckedShape: shape, storage: normals(count: n))
    }

    static func boxMuller(_ a: UInt32, _ b: UInt32) -> (Float, Float) {
        let u1 = Double((a >> 8) + 1) * 0x1p-24
        let u2 = Double(b >> 8) * 0x1p-24
        let r = (-2 * Foundation.log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        return (Float(r * Foundation.cos(theta)), Float(r * Foundation.sin(theta)))
    }
}
