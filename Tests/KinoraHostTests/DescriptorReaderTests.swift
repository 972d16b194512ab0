import CKinoraPluginABI
import KinoraPluginSDK
import XCTest

@testable import KinoraHost

/// The host's checks on a descriptor, on a real exported table and on
/// broken copies of it.
final class DescriptorReaderTests: XCTestCase {
    struct Minimal: KinoraPlugin {
        static let manifest = PluginManifest(
            id: "minimal", elementName: "kinoraminimal", humanName: "Minimal", description: "Nothing", licence: "MIT",
            version: "1", kind: .source,
            frames: FrameLimits(widths: 16...32, heights: 16...32, maxFramesPerSecond: 10, defaultWidth: 16, defaultHeight: 16, defaultFramesPerSecond: 5),
            parameters: [ParameterSpec(name: "level", nick: "Level", description: "A level", type: .double(minimum: 0, maximum: 1, default: 0.5))])
        init(stream: StreamInfo, parameters: ParameterValues) throws(PluginError) {}
        mutating func produce(into block: FrameBlock, context: borrowing ProduceContext) throws(PluginError) {}
    }

    private func exported() -> KinoraPluginDescriptor {
        exportKinoraPlugin(Minimal.self).assumingMemoryBound(to: KinoraPluginDescriptor.self).pointee
    }

    private func read(_ descriptor: KinoraPluginDescriptor) throws(PluginLoadError) -> (PluginManifest, ParameterSchema) {
        var copy = descriptor
        return try withUnsafePointer(to: &copy) { pointer throws(PluginLoadError) in try DescriptorReader.read(UnsafeRawPointer(pointer)) }
    }

    func testReadsAnExportedDescriptor() throws {
        let (manifest, schema) = try read(exported())
        XCTAssertEqual(manifest, Minimal.manifest)
        XCTAssertEqual(schema.names, ["level"])
    }

    func testRefusesAnotherABIVersion() {
        var descriptor = exported()
        descriptor.abi_version = 7
        XCTAssertThrowsError(try read(descriptor)) { error in
            XCTAssertEqual(error as? PluginLoadError, .wrongABIVersion(found: 7, expected: KINORA_PLUGIN_ABI_VERSION))
        }
    }

    func testRefusesMissingFunctionsAndBadFields() {
        var descriptor = exported()
        descriptor.produce = nil
        XCTAssertThrowsError(try read(descriptor))
        descriptor = exported()
        descriptor.kind = 9
        XCTAssertThrowsError(try read(descriptor))
        descriptor = exported()
        descriptor.default_width = 1000
        XCTAssertThrowsError(try read(descriptor))
        descriptor = exported()
        descriptor.element_name = UnsafePointer(strdup("Not Valid"))
        XCTAssertThrowsError(try read(descriptor))
    }

    func testRefusesMalformedAndReservedParameters() throws {
        var spec = exported().params[0]
        spec.double_minimum = 2
        try withUnsafePointer(to: spec) { pointer in
            var descriptor = exported()
            descriptor.params = pointer
            XCTAssertThrowsError(try read(descriptor)) { error in
                guard case .malformedSchema(let message)? = error as? PluginLoadError else { return XCTFail("\(error)") }
                XCTAssertTrue(message.contains("parameter 'level' has a bad range"), message)
            }
        }
        spec = exported().params[0]
        spec.name = UnsafePointer(strdup("duration"))
        try withUnsafePointer(to: spec) { pointer in
            var descriptor = exported()
            descriptor.params = pointer
            XCTAssertThrowsError(try read(descriptor)) { error in
                XCTAssertEqual(error as? PluginLoadError, .malformedSchema("parameter 'duration' uses a name the host reserves"))
            }
        }
    }

    func testRegistryLoadsTheBuiltTestSceneThroughDlopen() throws {
        // The package's own build folder, next to this test bundle.
        let root = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        let buildFolder = "/" + root + "/.build/debug"
        let registry = PluginRegistry(searchPath: PluginSearchPath(entries: [.init(directory: buildFolder, namePrefix: "libkinora-")]))
        let plugin = try XCTUnwrap(registry.plugin(id: "test-scene"), "refusals: \(registry.refusals)")
        XCTAssertEqual(plugin.manifest.elementName, "kinoratestscene")

        let stream = StreamInfo(width: 32, height: 16, framesPerSecondNumerator: 10, totalFrames: 2, prompt: "")
        let instance = try PluginInstance(plugin: plugin, stream: stream, values: ["background": .int(0x010203)])
        var pixels = [UInt8](repeating: 0, count: 96 * 16)
        try pixels.withUnsafeMutableBufferPointer { buffer in
            try instance.produce(firstFrame: 0, frameCount: 1, pixels: buffer.baseAddress!, stride: 96, frameSize: 96 * 16)
        }
        XCTAssertEqual(Array(pixels[(96 * 16 - 3)...]), [1, 2, 3], "bottom-right pixel is background")
        XCTAssertThrowsError(try instance.configure(["speed": .double(99)])) { error in
            XCTAssertEqual(
                error as? PluginCallError,
                .invalidArgument(plugin: "test-scene", message: "parameter 'speed' is 99.0, but must be a number from 0.0 to 64.0"))
        }
    }
}
