/// `GroupNorm → SiLU → conv3×3`, twice, plus the input (model.py `ResBlock`).
struct ResidualBlock: Sendable {
    let norm1: GroupNorm, conv1: Conv2D, norm2: GroupNorm, conv2: Conv2D

    init(_ loader: WeightLoader, channels: Int, groups: Int, epsilon: Float) throws {
        norm1 = try GroupNorm(loader.pp("norm1"), groups: groups, channels: channels, epsilon: epsilon)
        conv1 = try Conv2D(loader.pp("conv1"), inChannels: channels, outChannels: channels, kernel: 3, padding: 1)
        norm2 = try GroupNorm(loader.pp("norm2"), groups: groups, channels: channels, epsilon: epsilon)
        conv2 = try Conv2D(loader.pp("conv2"), inChannels: channels, outChannels: channels, kernel: 3, padding: 1)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let h = try conv1(Activation.silu(try norm1(x)))
        var out = try conv2(Activation.silu(try norm2(h)))
        try Elementwise.addInPlace(&out, x)
        return out
    }
}

/// The per-frame encoder: frames `[N, 3, H, W]` in [−1, 1] → latents `[N, C, H/2^k, W/2^k]`.
public struct FrameEncoder: Sendable {
    let convIn: Conv2D
    let down: [Conv2D]
    let block: ResidualBlock
    let normOut: GroupNorm
    let convOut: Conv2D

    public init(_ loader: WeightLoader, configuration c: AutoencoderConfiguration) throws {
        try c.validate()
        let ch = c.channels
        convIn = try Conv2D(loader.pp("conv_in"), inChannels: 3, outChannels: ch[0], kernel: 3, padding: 1)
        down = try (0 ..< ch.count - 1).map {
            try Conv2D(loader.pp("down").pp($0), inChannels: ch[$0], outChannels: ch[$0 + 1], kernel: 3, stride: 2, padding: 1)
        }
        block = try ResidualBlock(loader.pp("block"), channels: ch[ch.count - 1], groups: c.groups, epsilon: c.groupNormEpsilon)
        normOut = try GroupNorm(loader.pp("norm_out"), groups: c.groups, channels: ch[ch.count - 1], epsilon: c.groupNormEpsilon)
        convOut = try Conv2D(loader.pp("conv_out"), inChannels: ch[ch.count - 1], outChannels: c.latentChannels, kernel: 1)
    }

    public func callAsFunction(_ frames: Tensor) throws -> Tensor {
        var h = try convIn(frames)
        for d in down { h = try d(Activation.silu(h)) }
        h = try block(h)
        return try convOut(Activation.silu(try normOut(h)))
    }
}

/// The per-frame decoder: latents `[N, C, h, w]` → frames `[N, 3, h·2^k, w·2^k]`.
public struct FrameDecoder: Sendable {
    let convIn: Conv2D
    let block: ResidualBlock
    let up: [Conv2D]
    let upBlocks: [ResidualBlock]
    let normOut: GroupNorm
    let convOut: Conv2D

    public init(_ loader: WeightLoader, configuration c: AutoencoderConfiguration) throws {
        try c.validate()
        let ch = c.channels
        convIn = try Conv2D(loader.pp("conv_in"), inChannels: c.latentChannels, outChannels: ch[ch.count - 1], kernel: 3, padding: 1)
        block = try ResidualBlock(loader.pp("block"), channels: ch[ch.count - 1], groups: c.groups, epsilon: c.groupNormEpsilon)
        // model.py builds these for i = len−2 … 0 (coarsest first).
        let levels = Array((0 ..< ch.count - 1).reversed())
        up = try levels.enumerated().map { k, i in
            try Conv2D(loader.pp("up").pp(k), inChannels: ch[i + 1], outChannels: ch[i], kernel: 3, padding: 1)
        }
        upBlocks = try levels.enumerated().map { k, i in
            try ResidualBlock(loader.pp("up_blocks").pp(k), channels: ch[i], groups: c.groups, epsilon: c.groupNormEpsilon)
        }
        normOut = try GroupNorm(loader.pp("norm_out"), groups: c.groups, channels: ch[0], epsilon: c.groupNormEpsilon)
        convOut = try Conv2D(loader.pp("conv_out"), inChannels: ch[0], outChannels: 3, kernel: 3, padding: 1)
    }

    public func callAsFunction(_ latents: Tensor) throws -> Tensor {
        var h = try block(try convIn(latents))
        for (conv, blk) in zip(up, upBlocks) {
            h = try blk(try conv(try Upsample.nearest2x(h)))
        }
        return try convOut(Activation.silu(try normOut(h)))
    }
}

/// The autoencoder's two halves, loaded from `encoder.*` and `decoder.*`.
public struct FrameAutoencoder: Sendable {
    public let encoder: FrameEncoder
    public let decoder: FrameDecoder

    public init(_ loader: WeightLoader, configuration c: AutoencoderConfiguration) throws {
        encoder = try FrameEncoder(loader.pp("encoder"), configuration: c)
        decoder = try FrameDecoder(loader.pp("decoder"), configuration: c)
    }
}
