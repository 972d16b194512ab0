import CKinoraPluginABI
import KinoraPluginSDK

/// Reads a C descriptor into Swift, refusing anything malformed.
///
/// Every field is checked before use, since the table comes from code the
/// host does not control.
enum DescriptorReader {
    static func read(_ raw: UnsafeRawPointer) throws(PluginLoadError) -> (PluginManifest, ParameterSchema) {
        // The ABI version is the first field: read it alone before trusting the layout.
        let version = raw.load(as: UInt32.self)
        guard version == KINORA_PLUGIN_ABI_VERSION else {
            throw .wrongABIVersion(found: version, expected: KINORA_PLUGIN_ABI_VERSION)
        }
        let descriptor = raw.assumingMemoryBound(to: KinoraPluginDescriptor.self).pointee
        guard descriptor.descriptor_size >= UInt32(MemoryLayout<KinoraPluginDescriptor>.size) else {
            throw .malformedDescriptor(
                "descriptor_size is \(descriptor.descriptor_size), expected \(MemoryLayout<KinoraPluginDescriptor>.size)")
        }
        guard descriptor.create != nil, descriptor.configure != nil, descriptor.produce != nil,
            descriptor.cancel != nil, descriptor.destroy != nil
        else {
            throw .malformedDescriptor("a function pointer (create, configure, produce, cancel, destroy) is NULL")
        }
        let id = try text(descriptor.id, field: "id")
        guard isIdentifier(id, allowing: "-") else {
            throw .malformedDescriptor("id '\(id)' must be lower-case letters, digits and '-'")
        }
        let elementName = try text(descriptor.element_name, field: "element_name")
        guard isIdentifier(elementName, allowing: "") else {
            throw .malformedDescriptor("element_name '\(elementName)' must be lower-case letters and digits")
        }
        guard let kind = ElementKind(rawValue: descriptor.kind) else {
            throw .malformedDescriptor("kind \(descriptor.kind) is not source (0), image-to-video (1) or video-to-video (2)")
        }
        let frames = FrameLimits(
            widths: descriptor.min_width...max(descriptor.min_width, descriptor.max_width),
            heights: descriptor.min_height...max(descriptor.min_height, descriptor.max_height),
            maxFramesPerSecond: descriptor.max_fps, defaultWidth: descriptor.default_width,
            defaultHeight: descriptor.default_height, defaultFramesPerSecond: descriptor.default_fps)
        guard descriptor.min_width >= 1, descriptor.min_width <= descriptor.max_width,
            descriptor.min_height >= 1, descriptor.min_height <= descriptor.max_height,
            frames.widths.contains(frames.defaultWidth), frames.heights.contains(frames.defaultHeight),
            descriptor.max_width <= 16384, descriptor.max_height <= 16384,
            descriptor.default_fps >= 1, descriptor.default_fps <= descriptor.max_fps, descriptor.max_fps <= 1000,
            descriptor.preferred_block_frames >= 1, descriptor.preferred_block_frames <= 1024
        else {
            throw .malformedDescriptor("frame sizes, rates or block length are out of range or inconsistent")
        }
        guard descriptor.param_count <= 256, descriptor.param_count == 0 || descriptor.params != nil else {
            throw .malformedSchema("param_count \(descriptor.param_count) with params \(String(describing: descriptor.params))")
        }
        var specs: [ParameterSpec] = []
        for index in 0..<Int(descriptor.param_count) {
            guard let spec = descriptor.params?[index] else { break }
            specs.append(try parameter(spec, index: index))
        }
        if let reserved = specs.first(where: { StandardParameters.reservedNames.contains($0.name) }) {
            throw .malformedSchema("parameter '\(reserved.name)' uses a name the host reserves")
        }
        let schema: ParameterSchema
        do {
            schema = try ParameterSchema(specs)
        } catch {
            throw .malformedSchema(error.description)
        }
        let manifest = PluginManifest(
            id: id, elementName: elementName,
            humanName: try text(descriptor.human_name, field: "human_name"),
            description: try text(descriptor.description, field: "description"),
            licence: try text(descriptor.licence, field: "licence"),
            version: try text(descriptor.version, field: "version"),
            kind: kind, frames: frames, preferredBlockFrames: descriptor.preferred_block_frames,
            parameters: specs)
        return (manifest, schema)
    }

    private static func parameter(_ spec: KinoraParamSpec, index: Int) throws(PluginLoadError) -> ParameterSpec {
        let name: String
        do {
            name = try text(spec.name, field: "params[\(index)].name")
        } catch {
            throw .malformedSchema("parameter \(index) has no name")
        }
        let type: ParameterType
        switch UInt32(bitPattern: spec.type) {
        case KINORA_PARAM_BOOL.rawValue:
            type = .bool(default: spec.bool_default != 0)
        case KINORA_PARAM_INT.rawValue:
            type = .int(minimum: spec.int_minimum, maximum: spec.int_maximum, default: spec.int_default)
        case KINORA_PARAM_DOUBLE.rawValue:
            type = .double(minimum: spec.double_minimum, maximum: spec.double_maximum, default: spec.double_default)
        case KINORA_PARAM_STRING.rawValue:
            let value = spec.string_default.map { String(cString: $0) } ?? ""
            type = .string(default: value, maxLength: Int(clamping: spec.string_max_length))
        default:
            throw .malformedSchema("parameter '\(name)' has unknown type \(spec.type)")
        }
        return ParameterSpec(
            name: name, nick: spec.nick.map { String(cString: $0) } ?? "",
            description: spec.description.map { String(cString: $0) } ?? "",
            type: type, mutableWhilePlaying: spec.mutable_while_playing != 0)
    }

    private static func text(_ pointer: UnsafePointer<CChar>?, field: String) throws(PluginLoadError) -> String {
        guard let pointer else { throw .malformedDescriptor("\(field) is NULL") }
        let value = String(cString: pointer)
        guard !value.isEmpty else { throw .malformedDescriptor("\(field) is empty") }
        return value
    }

    private static func isIdentifier(_ text: String, allowing extra: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789" + extra)
        guard let first = text.first, first.isLetter else { return false }
        return text.count <= 64 && text.allSatisfy(allowed.contains)
    }
}
