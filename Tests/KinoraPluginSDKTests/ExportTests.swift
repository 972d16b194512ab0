import CKinoraPluginABI
import KinoraPluginSDK
import XCTest

/// A plugin defined in the test, driven through the C table the SDK exports:
/// the same path the host takes, without dlopen.
struct CountingPlugin: KinoraPlugin {
    static let manifest = PluginManifest(
        id: "counting", elementName: "kinoracounting", humanName: "Counting", description: "Writes the frame index",
        licence: "MIT", version: "1", kind: .source,
        frames: FrameLimits(widths: 16...64, heights: 16...64, maxFramesPerSecond: 30, defaultWidth: 16, defaultHeight: 16, defaultFramesPerSecond: 10),
        preferredBlockFrames: 2,
        parameters: [ParameterSpec(name: "offset", nick: "Offset", description: "Added to each value", type: .int(minimum: 0, maximum: 100, default: 0), mutableWhilePlaying: true)])

    var offset: Int64

    /// Stands in for loading a model: it needs at least one model folder.
    static func prepare(modelDirectories: [String]) throws(PluginError) {
        guard !modelDirectories.isEmpty else { throw .failed("no model folder to load counting.safetensors from") }
    }

    init(stream: StreamInfo, parameters: ParameterValues) throws(PluginError) {
        guard stream.prompt != "refuse" else { throw .invalidArgument("the prompt 'refuse' is refused") }
        guard stream.modelDirectories == ["/models/a", "/models/b"] else {
            throw .failed("model folders arrived as \(stream.modelDirectories)")
        }
        offset = parameters.int("offset")
    }

    mutating func configure(_ parameters: ParameterValues) throws(PluginError) {
        offset = parameters.int("offset")
    }

    /// Observable in the pixels: the offset becomes the prompt's length.
    mutating func promptChanged(to prompt: String) throws(PluginError) {
        offset = Int64(prompt.count)
    }

    mutating func produce(into block: FrameBlock, context: borrowing ProduceContext) throws(PluginError) {
        for index in 0..<block.frameCount {
            try context.checkCancellation()
            let value = UInt8(truncatingIfNeeded: Int64(block.firstFrame) + Int64(index) + offset)
            let frame = block.frame(index)
            for byte in frame.indices { frame[byte] = value }
            context.reportProgress(Double(index + 1) / Double(block.frameCount))
        }
    }
}

/// The text in a C error buffer.
private func text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

final class ExportTests: XCTestCase {
    private var descriptor: KinoraPluginDescriptor {
        exportKinoraPlugin(CountingPlugin.self).assumingMemoryBound(to: KinoraPluginDescriptor.self).pointee
    }

    func testDescriptorStartsWithTheABIVersionAndDescribesThePlugin() {
        let raw = exportKinoraPlugin(CountingPlugin.self)
        XCTAssertEqual(raw.load(as: UInt32.self), KINORA_PLUGIN_ABI_VERSION)
        XCTAssertEqual(raw, exportKinoraPlugin(CountingPlugin.self), "the same table every time")
        XCTAssertEqual(String(cString: descriptor.id), "counting")
        XCTAssertEqual(descriptor.param_count, 1)
        XCTAssertEqual(descriptor.params[0].int_maximum, 100)
        XCTAssertEqual(descriptor.preferred_block_frames, 2)
    }

    func testCreateProduceConfigureThroughTheCTable() throws {
        let table = descriptor
        var error = [CChar](repeating: 0, count: 256)
        let instance = withStream(prompt: "ok") { stream in
            withUnsafePointer(to: table) { table.create?($0, stream, nil, 0, &error, error.count) }
        }
        let handle = try XCTUnwrap(instance, text(error))
        defer { table.destroy?(handle) }

        var pixels = [UInt8](repeating: 0, count: 2 * 16 * 16 * 3)
        var progress: [Double] = []
        try produce(table, handle, firstFrame: 5, pixels: &pixels, progress: &progress)
        XCTAssertEqual(pixels[0], 5)
        XCTAssertEqual(pixels[16 * 16 * 3], 6)
        XCTAssertEqual(progress, [0.5, 1.0])

        let name = strdup("offset")
        defer { free(name) }
        var value = KinoraParamValue()
        value.name = UnsafePointer(name)
        value.type = Int32(KINORA_PARAM_INT.rawValue)
        value.int_value = 10
        XCTAssertEqual(table.configure?(handle, &value, 1, &error, error.count), Int32(KINORA_STATUS_OK.rawValue))
        try produce(table, handle, firstFrame: 0, pixels: &pixels, progress: &progress)
        XCTAssertEqual(pixels[0], 10)

        value.int_value = 1000
        XCTAssertEqual(table.configure?(handle, &value, 1, &error, error.count), Int32(KINORA_STATUS_INVALID_ARGUMENT.rawValue))
        XCTAssertEqual(text(error), "parameter 'offset' is 1000, but must be an integer from 0 to 100")

        // A new prompt travels through configure under the reserved name, apart from the schema.
        let promptName = strdup("prompt")
        let promptText = strdup("three")
        defer {
            free(promptName)
            free(promptText)
        }
        var prompt = KinoraParamValue()
        prompt.name = UnsafePointer(promptName)
        prompt.type = Int32(KINORA_PARAM_STRING.rawValue)
        prompt.string_value = UnsafePointer(promptText)
        XCTAssertEqual(table.configure?(handle, &prompt, 1, &error, error.count), Int32(KINORA_STATUS_OK.rawValue))
        try produce(table, handle, firstFrame: 0, pixels: &pixels, progress: &progress)
        XCTAssertEqual(pixels[0], 5, "offset = length of 'three'")

        table.cancel?(handle)
        var block = KinoraFrameBlock(first_frame: 0, frame_count: 2, stride: 48, frame_size: 768, pixels: nil, input: nil, input_count: 0)
        let status = pixels.withUnsafeMutableBufferPointer { buffer in
            block.pixels = buffer.baseAddress
            return table.produce?(handle, &block, nil, &error, error.count)
        }
        XCTAssertEqual(status, Int32(KINORA_STATUS_CANCELLED.rawValue))
    }

    func testPrepareReportsWhyThePluginCannotRun() {
        let table = descriptor
        var error = [CChar](repeating: 0, count: 256)
        let failed = withUnsafePointer(to: table) { table.prepare?($0, "", &error, error.count) }
        XCTAssertEqual(failed, Int32(KINORA_STATUS_FAILED.rawValue))
        XCTAssertEqual(text(error), "no model folder to load counting.safetensors from")
        let prepared = withUnsafePointer(to: table) { table.prepare?($0, "/models", &error, error.count) }
        XCTAssertEqual(prepared, Int32(KINORA_STATUS_OK.rawValue))
    }

    func testCreateReportsThePluginsOwnRefusal() {
        let table = descriptor
        var error = [CChar](repeating: 0, count: 256)
        let instance = withStream(prompt: "refuse") { stream in
            withUnsafePointer(to: table) { table.create?($0, stream, nil, 0, &error, error.count) }
        }
        XCTAssertNil(instance)
        XCTAssertEqual(text(error), "the prompt 'refuse' is refused")
    }

    private func withStream<T>(prompt: String, _ body: (UnsafePointer<KinoraStreamInfo>) -> T) -> T {
        prompt.withCString { text in
            "/models/a:/models/b".withCString { modelPath in
                var stream = KinoraStreamInfo(
                    width: 16, height: 16, fps_numerator: 10, fps_denominator: 1, total_frames: 0, prompt: text,
                    model_path: modelPath)
                return body(&stream)
            }
        }
    }

    private func produce(
        _ table: KinoraPluginDescriptor, _ handle: UnsafeMutableRawPointer, firstFrame: UInt64, pixels: inout [UInt8],
        progress: inout [Double]
    ) throws {
        final class Sink { var values: [Double] = [] }
        let sink = Sink()
        var error = [CChar](repeating: 0, count: 256)
        var callbacks = KinoraCallbacks(
            context: Unmanaged.passUnretained(sink).toOpaque(),
            progress: { context, fraction in
                guard let context else { return }
                Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue().values.append(fraction)
            }, log: nil)
        let status = pixels.withUnsafeMutableBufferPointer { buffer in
            var block = KinoraFrameBlock(
                first_frame: firstFrame, frame_count: 2, stride: 48, frame_size: 768, pixels: buffer.baseAddress,
                input: nil, input_count: 0)
            return withExtendedLifetime(sink) { table.produce?(handle, &block, &callbacks, &error, error.count) }
        }
        XCTAssertEqual(status, Int32(KINORA_STATUS_OK.rawValue), text(error))
        progress = sink.values
    }
}
