import KinoraPluginSDK

#if canImport(Glibc)
    import Glibc
#endif

/// A procedural test scene: a square slides across a plain background.
///
/// It is not diffusion and not one of Kinora's four capabilities. It exists
/// as the SDK's worked example and as a fixture whose pixels tests can
/// predict exactly: in frame `n` the square (side `height / 4`, vertically
/// centred) starts at column `floor(n * speed) mod (width - side + 1)`.
/// It does not read the prompt.
public struct TestScene: KinoraPlugin {
    public static let manifest = PluginManifest(
        id: "test-scene",
        elementName: "kinoratestscene",
        humanName: "Kinora test scene",
        description:
            "Procedural test pattern (no model, no diffusion): a square slides across a plain background; the prompt is ignored",
        licence: "MIT",
        version: "0.1.0",
        kind: .source,
        frames: FrameLimits(
            widths: 16...1920, heights: 16...1080, maxFramesPerSecond: 120,
            defaultWidth: 320, defaultHeight: 240, defaultFramesPerSecond: 24),
        preferredBlockFrames: 4,
        parameters: [
            ParameterSpec(
                name: "background", nick: "Background colour",
                description: "Colour of the background as 0xRRGGBB",
                type: .int(minimum: 0, maximum: 0xFF_FFFF, default: 0x20_3040), mutableWhilePlaying: true),
            ParameterSpec(
                name: "square-colour", nick: "Square colour",
                description: "Colour of the sliding square as 0xRRGGBB",
                type: .int(minimum: 0, maximum: 0xFF_FFFF, default: 0xF0_C020), mutableWhilePlaying: true),
            ParameterSpec(
                name: "speed", nick: "Speed",
                description: "How far the square moves each frame, in pixels",
                type: .double(minimum: 0, maximum: 64, default: 4), mutableWhilePlaying: true),
            ParameterSpec(
                name: "frame-delay", nick: "Frame delay",
                description:
                    "Milliseconds to wait per frame, standing in for a slow generator (for progress and cancellation tests)",
                type: .int(minimum: 0, maximum: 1000, default: 0)),
        ])

    private let stream: StreamInfo
    private var parameters: ParameterValues

    public init(stream: StreamInfo, parameters: ParameterValues) throws(PluginError) {
        guard stream.width >= 16, stream.height >= 16 else {
            throw .invalidArgument("the test scene needs at least 16x16 pixels, not \(stream.width)x\(stream.height)")
        }
        self.stream = stream
        self.parameters = parameters
    }

    public mutating func configure(_ parameters: ParameterValues) throws(PluginError) {
        self.parameters = parameters
    }

    public mutating func produce(into block: FrameBlock, context: borrowing ProduceContext) throws(PluginError) {
        let background = Self.rgb(parameters.int("background"))
        let square = Self.rgb(parameters.int("square-colour"))
        let speed = parameters.double("speed")
        let delay = parameters.int("frame-delay")
        let side = max(1, block.height / 4)
        let top = (block.height - side) / 2
        for index in 0..<block.frameCount {
            try Self.wait(milliseconds: delay, context: context)
            let frameNumber = Double(block.firstFrame + UInt64(index))
            let left = Int(frameNumber * speed) % (block.width - side + 1)
            let pixels = block.frame(index)
            for row in 0..<block.height {
                let rowStart = row * block.stride
                let inSquareRow = row >= top && row < top + side
                for column in 0..<block.width {
                    let colour = inSquareRow && column >= left && column < left + side ? square : background
                    let offset = rowStart + column * 3
                    pixels[offset] = colour.0
                    pixels[offset + 1] = colour.1
                    pixels[offset + 2] = colour.2
                }
            }
            context.reportProgress(Double(index + 1) / Double(block.frameCount))
        }
    }

    private static func rgb(_ value: Int64) -> (UInt8, UInt8, UInt8) {
        (UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF))
    }

    /// Sleeps in short steps so a cancel is seen within 10 ms.
    private static func wait(milliseconds: Int64, context: borrowing ProduceContext) throws(PluginError) {
        var remaining = milliseconds
        while remaining > 0 {
            try context.checkCancellation()
            let step = min(remaining, 10)
            usleep(useconds_t(step * 1000))
            remaining -= step
        }
        try context.checkCancellation()
    }
}

@_cdecl("kinora_plugin_entry")
public func kinoraPluginEntry() -> UnsafeRawPointer { exportKinoraPlugin(TestScene.self) }
