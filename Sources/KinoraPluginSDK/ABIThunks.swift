import CKinoraPluginABI

/// The C entry points every Swift plugin shares. They find the Swift type
/// through the descriptor's `plugin_data` and the instance pointer, turn C
/// values into Swift ones, and turn thrown errors into status codes.

let prepareThunk:
    @convention(c) (UnsafePointer<KinoraPluginDescriptor>?, UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int)
        -> Int32 = { descriptor, modelPath, errorBuffer, capacity in
            guard let descriptor, let data = descriptor.pointee.plugin_data else {
                return Int32(KINORA_STATUS_INVALID_ARGUMENT.rawValue)
            }
            let factory = Unmanaged<PluginFactory>.fromOpaque(data).takeUnretainedValue()
            let directories = (modelPath.map { String(cString: $0) } ?? "").split(separator: ":").map(String.init)
            do throws(PluginError) {
                try factory.prepare(directories)
                return Int32(KINORA_STATUS_OK.rawValue)
            } catch {
                writeMessage(error.description, to: errorBuffer, capacity: capacity)
                return Int32(error.status.rawValue)
            }
        }

let createThunk:
    @convention(c) (
        UnsafePointer<KinoraPluginDescriptor>?, UnsafePointer<KinoraStreamInfo>?,
        UnsafePointer<KinoraParamValue>?, UInt32, UnsafeMutablePointer<CChar>?, Int
    ) -> UnsafeMutableRawPointer? = { descriptor, stream, values, count, errorBuffer, capacity in
        guard let descriptor, let data = descriptor.pointee.plugin_data, let stream else {
            writeMessage("create called without descriptor or stream", to: errorBuffer, capacity: capacity)
            return nil
        }
        let factory = Unmanaged<PluginFactory>.fromOpaque(data).takeUnretainedValue()
        guard let schema = factory.schema else {
            writeMessage("the plugin's parameter schema is malformed", to: errorBuffer, capacity: capacity)
            return nil
        }
        var info = StreamInfo(stream.pointee)
        do throws(PluginError) {
            let (initial, prompt) = try merge(values, count: count, into: schema.defaults, schema: schema)
            if let prompt { info.prompt = prompt }
            let instance = try factory.make(info, initial)
            let box = InstanceBox(instance: instance, schema: schema, stream: info, values: initial)
            return Unmanaged.passRetained(box).toOpaque()
        } catch {
            writeMessage(error.description, to: errorBuffer, capacity: capacity)
            return nil
        }
    }

let configureThunk:
    @convention(c) (
        UnsafeMutableRawPointer?, UnsafePointer<KinoraParamValue>?, UInt32, UnsafeMutablePointer<CChar>?, Int
    ) -> Int32 = { instance, values, count, errorBuffer, capacity in
        guard let instance else { return Int32(KINORA_STATUS_INVALID_ARGUMENT.rawValue) }
        let box = Unmanaged<InstanceBox>.fromOpaque(instance).takeUnretainedValue()
        do throws(PluginError) {
            let (changed, prompt) = try merge(values, count: count, into: box.values, schema: box.schema)
            if let prompt { try box.instance.promptChanged(to: prompt) }
            if changed != box.values {
                try box.instance.configure(changed)
                box.values = changed
            }
            return Int32(KINORA_STATUS_OK.rawValue)
        } catch {
            writeMessage(error.description, to: errorBuffer, capacity: capacity)
            return Int32(error.status.rawValue)
        }
    }

let produceThunk:
    @convention(c) (
        UnsafeMutableRawPointer?, UnsafeMutablePointer<KinoraFrameBlock>?, UnsafePointer<KinoraCallbacks>?,
        UnsafeMutablePointer<CChar>?, Int
    ) -> Int32 = { instance, block, callbacks, errorBuffer, capacity in
        guard let instance, let block else { return Int32(KINORA_STATUS_INVALID_ARGUMENT.rawValue) }
        let box = Unmanaged<InstanceBox>.fromOpaque(instance).takeUnretainedValue()
        do throws(PluginError) {
            let frames = try FrameBlock(block, width: box.stream.width, height: box.stream.height)
            let context = ProduceContext(callbacks: callbacks?.pointee, cancelFlag: box.cancelFlag)
            try context.checkCancellation()
            try box.instance.produce(into: frames, context: context)
            return Int32(KINORA_STATUS_OK.rawValue)
        } catch {
            writeMessage(error.description, to: errorBuffer, capacity: capacity)
            return Int32(error.status.rawValue)
        }
    }

/// Validates C values (the SDK checks again what the host checked: a C host
/// may not have) and lays them over `current`. The reserved prompt entry
/// (KINORA_PROMPT_PARAM in the header, the standard prompt's name) is
/// returned apart: it is not a schema parameter.
private func merge(
    _ values: UnsafePointer<KinoraParamValue>?, count: UInt32, into current: ParameterValues,
    schema: ParameterSchema
) throws(PluginError) -> (values: ParameterValues, prompt: String?) {
    var merged = current
    var prompt: String?
    for index in 0..<Int(count) {
        guard let raw = values?[index], let name = raw.name.map({ String(cString: $0) }) else {
            throw .invalidArgument("parameter value \(index) has no name")
        }
        if name == StandardParameters.prompt.name {
            guard case .string(let text) = ParameterValue(raw) else {
                throw .invalidArgument("parameter '\(StandardParameters.prompt.name)' must be text")
            }
            prompt = text
            continue
        }
        do {
            merged[name] = try schema.validate(name: name, value: ParameterValue(raw))
        } catch {
            throw .invalidArgument(error.description)
        }
    }
    return (merged, prompt)
}

extension StreamInfo {
    init(_ info: KinoraStreamInfo) {
        self.init(
            width: Int(info.width), height: Int(info.height),
            framesPerSecondNumerator: Int(info.fps_numerator),
            framesPerSecondDenominator: Int(max(info.fps_denominator, 1)),
            totalFrames: info.total_frames == 0 ? nil : info.total_frames,
            prompt: info.prompt.map { String(cString: $0) } ?? "",
            modelDirectories: (info.model_path.map { String(cString: $0) } ?? "")
                .split(separator: ":").map(String.init))
    }
}

extension ParameterValue {
    /// Reads a C value by its own type tag; an unknown tag reads as text so
    /// validation reports a wrong type rather than crashing.
    init(_ value: KinoraParamValue) {
        switch UInt32(bitPattern: value.type) {
        case KINORA_PARAM_BOOL.rawValue: self = .bool(value.bool_value != 0)
        case KINORA_PARAM_INT.rawValue: self = .int(value.int_value)
        case KINORA_PARAM_DOUBLE.rawValue: self = .double(value.double_value)
        default: self = .string(value.string_value.map { String(cString: $0) } ?? "")
        }
    }
}
