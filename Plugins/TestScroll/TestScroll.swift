import KinoraPluginSDK

/// A test animator: frame `n` is the input image scrolled left by
/// `n * speed` pixels, wrapping around (output column x shows input column
/// (x + n * speed) mod width).
///
/// It is not image animation by diffusion: it is the worked example of an
/// image-to-video plugin and a fixture whose frames tests can predict.
public struct TestScroll: KinoraPlugin {
    public static let manifest = PluginManifest(
        id: "test-scroll",
        elementName: "kinoratestscroll",
        humanName: "Kinora test scroll",
        description: "Test animator (no model, no diffusion): scrolls the still image sideways, wrapping around",
        licence: "MIT",
        version: "0.1.0",
        kind: .imageToVideo,
        frames: FrameLimits(
            widths: 16...1920, heights: 16...1080, maxFramesPerSecond: 120,
            defaultWidth: 320, defaultHeight: 240, defaultFramesPerSecond: 24),
        preferredBlockFrames: 8,
        parameters: [
            ParameterSpec(
                name: "speed", nick: "Speed", description: "Pixels the image moves left each frame",
                type: .int(minimum: 0, maximum: 64, default: 2), mutableWhilePlaying: true)
        ])

    private var speed: Int

    public init(stream: StreamInfo, parameters: ParameterValues) throws(PluginError) {
        speed = Int(parameters.int("speed"))
    }

    public mutating func configure(_ parameters: ParameterValues) throws(PluginError) {
        speed = Int(parameters.int("speed"))
    }

    public mutating func produce(into block: FrameBlock, context: borrowing ProduceContext) throws(PluginError) {
        guard let image = block.inputFrame(0) else {
            throw .invalidArgument("test-scroll needs the image as its input frame")
        }
        let rowBytes = block.width * 3
        for index in 0..<block.frameCount {
            try context.checkCancellation()
            let shift = (Int(block.firstFrame) + index) * speed % block.width * 3
            let output = block.frame(index)
            for row in 0..<block.height {
                let start = row * block.stride
                for offset in 0..<rowBytes {
                    let source = offset + shift < rowBytes ? offset + shift : offset + shift - rowBytes
                    output[start + offset] = image[start + source]
                }
            }
            context.reportProgress(Double(index + 1) / Double(block.frameCount))
        }
    }
}

@_cdecl("kinora_plugin_entry")
public func kinoraPluginEntry() -> UnsafeRawPointer { exportKinoraPlugin(TestScroll.self) }
