import KinoraPluginSDK

/// A test filter: each output pixel is the input pixel inverted, blended
/// with the original by `strength` (out = in + strength * (255 - 2 * in)).
///
/// It is not style transfer and not diffusion: it exists as the worked
/// example of a video-to-video plugin and as a test fixture for the
/// bridge's filter path, whose output tests can predict exactly.
public struct TestInvert: KinoraPlugin {
    public static let manifest = PluginManifest(
        id: "test-invert",
        elementName: "kinoratestinvert",
        humanName: "Kinora test invert",
        description: "Test filter (no model, no diffusion): inverts the colours of each frame, blended by strength",
        licence: "MIT",
        version: "0.1.0",
        kind: .videoToVideo,
        frames: FrameLimits(
            widths: 16...1920, heights: 16...1080, maxFramesPerSecond: 120,
            defaultWidth: 320, defaultHeight: 240, defaultFramesPerSecond: 24),
        parameters: [
            ParameterSpec(
                name: "strength", nick: "Strength",
                description: "How far each colour moves towards its inverse: 0 leaves it, 1 inverts it",
                type: .double(minimum: 0, maximum: 1, default: 1), mutableWhilePlaying: true)
        ])

    private var lookup: [UInt8]

    public init(stream: StreamInfo, parameters: ParameterValues) throws(PluginError) {
        lookup = Self.table(strength: parameters.double("strength"))
    }

    public mutating func configure(_ parameters: ParameterValues) throws(PluginError) {
        lookup = Self.table(strength: parameters.double("strength"))
    }

    public mutating func produce(into block: FrameBlock, context: borrowing ProduceContext) throws(PluginError) {
        if block.isEndOfInput {  // a filter adds nothing after its input
            block.finish(frameCount: 0)
            return
        }
        guard block.inputCount >= block.frameCount else {
            throw .invalidArgument("test-invert needs one input frame per output frame, got \(block.inputCount)")
        }
        for index in 0..<block.frameCount {
            try context.checkCancellation()
            guard let input = block.inputFrame(index) else { continue }
            let output = block.frame(index)
            for row in 0..<block.height {
                let start = row * block.stride
                for byte in start..<(start + block.width * 3) {
                    output[byte] = lookup[Int(input[byte])]
                }
            }
        }
    }

    /// One entry per byte value: the per-pixel work is a table lookup.
    private static func table(strength: Double) -> [UInt8] {
        (0...255).map { value in
            let mixed = Double(value) + strength * Double(255 - 2 * value)
            return UInt8(min(255, max(0, mixed.rounded())))
        }
    }
}

@_cdecl("kinora_plugin_entry")
public func kinoraPluginEntry() -> UnsafeRawPointer { exportKinoraPlugin(TestInvert.self) }
