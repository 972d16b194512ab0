import KinoraPluginSDK
import XCTest

final class SchemaTests: XCTestCase {
    private func schema() throws -> ParameterSchema {
        try ParameterSchema([
            ParameterSpec(name: "steps", nick: "Steps", description: "Sampler steps", type: .int(minimum: 1, maximum: 50, default: 8)),
            ParameterSpec(name: "strength", nick: "Strength", description: "Noise", type: .double(minimum: 0, maximum: 1, default: 0.5)),
            ParameterSpec(name: "loop", nick: "Loop", description: "Loop", type: .bool(default: false)),
            ParameterSpec(name: "style", nick: "Style", description: "Style", type: .string(default: "", maxLength: 8)),
        ])
    }

    func testAcceptsValuesInRange() throws {
        let schema = try schema()
        XCTAssertEqual(try schema.validate(name: "steps", value: .int(50)), .int(50))
        XCTAssertEqual(try schema.validate(name: "strength", value: .double(0)), .double(0))
        XCTAssertEqual(try schema.validate(name: "style", value: .string("ink")), .string("ink"))
    }

    func testIntegerIsAcceptedForDoubleAndConverted() throws {
        XCTAssertEqual(try schema().validate(name: "strength", value: .int(1)), .double(1))
    }

    func testOutOfRangeNamesParameterAndRange() throws {
        XCTAssertThrowsError(try schema().validate(name: "steps", value: .int(51))) { error in
            XCTAssertEqual(
                (error as? ParameterError)?.description, "parameter 'steps' is 51, but must be an integer from 1 to 50")
        }
        XCTAssertThrowsError(try schema().validate(name: "strength", value: .double(.nan)))
        XCTAssertThrowsError(try schema().validate(name: "style", value: .string("much too long")))
    }

    func testWrongTypeAndUnknownName() throws {
        XCTAssertThrowsError(try schema().validate(name: "loop", value: .int(1))) { error in
            XCTAssertEqual(error as? ParameterError, .wrongType(name: "loop", expected: .bool, got: .int))
        }
        XCTAssertThrowsError(try schema().validate(name: "colour", value: .int(1))) { error in
            XCTAssertEqual((error as? ParameterError)?.parameterName, "colour")
        }
    }

    func testParseReadsTextByType() throws {
        let schema = try schema()
        XCTAssertEqual(try schema.parse(name: "steps", text: "0x10"), .int(16))
        XCTAssertEqual(try schema.parse(name: "loop", text: "yes"), .bool(true))
        XCTAssertEqual(try schema.parse(name: "strength", text: "0.25"), .double(0.25))
        XCTAssertThrowsError(try schema.parse(name: "steps", text: "many")) { error in
            XCTAssertEqual((error as? ParameterError)?.description, "parameter 'steps' cannot be 'many': it must be an integer from 1 to 50")
        }
    }

    func testResolveFillsDefaults() throws {
        let values = try schema().resolve(["steps": .int(3)])
        XCTAssertEqual(values.int("steps"), 3)
        XCTAssertEqual(values.double("strength"), 0.5)
        XCTAssertEqual(values.bool("loop"), false)
    }

    func testMalformedSchemasAreRefused() {
        let good = ParameterSpec(name: "a", nick: "A", description: "A", type: .bool(default: true))
        XCTAssertThrowsError(try ParameterSchema([good, good])) { error in
            XCTAssertEqual((error as? SchemaError)?.problem, "is declared twice")
        }
        XCTAssertThrowsError(
            try ParameterSchema([ParameterSpec(name: "b", nick: "B", description: "B", type: .int(minimum: 5, maximum: 1, default: 3))]))
        XCTAssertThrowsError(
            try ParameterSchema([ParameterSpec(name: "Bad Name", nick: "B", description: "B", type: .bool(default: true))]))
        XCTAssertThrowsError(
            try ParameterSchema([ParameterSpec(name: "c", nick: "C", description: "C", type: .double(minimum: 0, maximum: .infinity, default: 1))]))
    }

    func testJobOptionsFollowThePluginsFrameLimits() {
        let frames = FrameLimits(widths: 16...64, heights: 16...32, maxFramesPerSecond: 12, defaultWidth: 32, defaultHeight: 16, defaultFramesPerSecond: 8)
        let manifest = PluginManifest(
            id: "x", elementName: "x", humanName: "X", description: "X", licence: "MIT", version: "1", kind: .source,
            frames: frames, parameters: [])
        let options = StandardParameters.jobOptions(for: manifest)
        XCTAssertEqual(options.first { $0.name == "width" }?.type, .int(minimum: 16, maximum: 64, default: 32))
        XCTAssertEqual(options.first { $0.name == "fps" }?.type, .int(minimum: 1, maximum: 12, default: 8))
    }
}
