import KinoraDBus
import KinoraPluginSDK
import KinoraProtocol
import XCTest

/// Values written into a real libdbus message read back the same, and a
/// plugin's schema survives the trip through `ListPlugins`' wire format.
final class MessageRoundTripTests: XCTestCase {
    private func roundTrip(_ values: [DBusValue]) throws -> (signature: String, values: [DBusValue]) {
        let message = try DBusMessage.methodCall(destination: "org.example", path: "/org/example", interface: "org.example.I", member: "M")
        message.append(contentsOf: values)
        return (message.signature, message.arguments())
    }

    func testBasicAndContainerValuesSurvive() throws {
        let values: [DBusValue] = [
            .bool(true), .int32(-5), .uint32(7), .int64(-1 << 40), .uint64(1 << 63), .double(0.25),
            .string("grüße"), .objectPath("/org/kinora/Kinora1/jobs/3"),
            .variant(.int64(9)),
            .array(elementSignature: "s", [.string("a"), .string("b")]),
            .array(elementSignature: "i", []),
            .stringVariantDictionary([("speed", .double(4)), ("name", .string("x"))]),
            .structure([.string("s"), .variant(.bool(false)), .array(elementSignature: "x", [.int64(1)])]),
        ]
        let (signature, read) = try roundTrip(values)
        XCTAssertEqual(signature, "biuxtdsovasaia{sv}(svax)")
        XCTAssertEqual(read, values)
    }

    func testEmbeddedNulsAreDroppedNotFatal() throws {
        // libdbus aborts the process on a string with NUL; the writer removes them.
        XCTAssertEqual(try roundTrip([.string("a\0b")]).values, [.string("ab")])
    }

    func testPluginSummaryRoundTripsThroughTheWireFormat() throws {
        let manifest = PluginManifest(
            id: "p", elementName: "kinorap", humanName: "P", description: "d", licence: "MIT", version: "1", kind: .source,
            frames: FrameLimits(widths: 16...64, heights: 16...48, maxFramesPerSecond: 30, defaultWidth: 32, defaultHeight: 32, defaultFramesPerSecond: 10),
            parameters: [
                ParameterSpec(name: "on", nick: "on", description: "flag", type: .bool(default: true)),
                ParameterSpec(name: "n", nick: "n", description: "count", type: .int(minimum: -3, maximum: 3, default: 0), mutableWhilePlaying: true),
                ParameterSpec(name: "x", nick: "x", description: "amount", type: .double(minimum: 0, maximum: 1, default: 0.5)),
                ParameterSpec(name: "t", nick: "t", description: "text", type: .string(default: "hi", maxLength: 10)),
            ])
        let summary = PluginSummary(manifest: manifest)
        let (signature, read) = try roundTrip([.array(elementSignature: KinoraBusAPI.pluginEntrySignature, [summary.busValue])])
        XCTAssertEqual(signature, "a" + KinoraBusAPI.pluginEntrySignature)
        guard case .array(_, let entries)? = read.first, let entry = entries.first else { return XCTFail("no entry") }
        let decoded = PluginSummary(busValue: entry)
        XCTAssertEqual(decoded?.parameters.map(\.type), manifest.parameters.map(\.type))
        XCTAssertEqual(decoded?.parameters.map(\.mutableWhilePlaying), [false, true, false, false])
        XCTAssertEqual(decoded?.jobOptions.first { $0.name == "width" }?.type, .int(minimum: 16, maximum: 64, default: 32))
        XCTAssertNotNil(decoded?.optionSchema)
    }

    func testBusValuesBecomeParameterValues() {
        XCTAssertEqual(ParameterValue(busValue: .variant(.int32(3))), .int(3))
        XCTAssertEqual(ParameterValue(busValue: .uint64(5)), .int(5))
        XCTAssertNil(ParameterValue(busValue: .uint64(.max)), "too large for Int64")
        XCTAssertNil(ParameterValue(busValue: .array(elementSignature: "i", [])))
    }
}

/// libdbus aborts the process on an invalid object path; the wrapper refuses it instead.
final class MethodCallValidationTests: XCTestCase {
    func testInvalidPathsAndNamesAreErrorsNotAborts() {
        for path in ["", "jobs/", "/a//b", "/a/", "/a b"] {
            XCTAssertThrowsError(
                try DBusMessage.methodCall(destination: "org.example", path: path, interface: "org.example.I", member: "M"),
                "path '\(path)'")
        }
        XCTAssertThrowsError(try DBusMessage.methodCall(destination: "org.example", path: "/a", interface: "no", member: "M"))
        XCTAssertThrowsError(try DBusMessage.methodCall(destination: "org.example", path: "/a", interface: "a.b", member: "1x"))
    }
}
