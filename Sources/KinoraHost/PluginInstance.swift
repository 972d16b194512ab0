import CKinoraPluginABI
import KinoraPluginSDK

#if canImport(Glibc)
    import Glibc
#endif

/// Why a call into a plugin failed.
public enum PluginCallError: Error, Sendable, Equatable, CustomStringConvertible {
    case failed(plugin: String, message: String)
    case invalidArgument(plugin: String, message: String)
    case cancelled

    public var description: String {
        switch self {
        case .failed(let plugin, let message): "plugin '\(plugin)' failed: \(message)"
        case .invalidArgument(let plugin, let message): "plugin '\(plugin)' refused its arguments: \(message)"
        case .cancelled: "cancelled"
        }
    }
}

/// One live instance of a loaded plugin, making one stream.
///
/// `configure` and `produce` must not run at the same time (the GStreamer
/// element serialises them under its lock); `cancel` may be called from any
/// thread, which is why the type is Sendable.
public final class PluginInstance: @unchecked Sendable {
    public let plugin: LoadedPlugin
    public let stream: StreamInfo
    private let handle: UnsafeMutableRawPointer
    private var descriptor: KinoraPluginDescriptor { plugin.descriptor.pointee }
    private static let errorCapacity = 1024

    /// Creates an instance with `values` (validated here against the schema).
    public init(plugin: LoadedPlugin, stream: StreamInfo, values: [String: ParameterValue]) throws(PluginCallError) {
        self.plugin = plugin
        self.stream = stream
        let validated = try Self.validate(values, plugin: plugin)
        var error = [CChar](repeating: 0, count: Self.errorCapacity)
        let modelPath = (stream.modelDirectories.isEmpty ? plugin.modelDirectories : stream.modelDirectories)
            .joined(separator: ":")
        let created: UnsafeMutableRawPointer? = stream.prompt.withCString { prompt in
            modelPath.withCString { modelPath in
                var info = KinoraStreamInfo(
                    width: UInt32(stream.width), height: UInt32(stream.height),
                    fps_numerator: UInt32(stream.framesPerSecondNumerator),
                    fps_denominator: UInt32(stream.framesPerSecondDenominator),
                    total_frames: stream.totalFrames ?? 0, prompt: prompt, model_path: modelPath)
                return CParameterValues(validated).withUnsafeBufferPointer { buffer in
                    plugin.descriptor.pointee.create?(
                        plugin.descriptor, &info, buffer.baseAddress, UInt32(buffer.count), &error, error.count)
                }
            }
        }
        guard let created else {
            throw .failed(plugin: plugin.id, message: Self.message(error, or: "create returned no instance"))
        }
        self.handle = created
    }

    deinit {
        descriptor.destroy?(handle)
    }

    /// Changes parameters; validated against the schema first.
    public func configure(_ values: [String: ParameterValue]) throws(PluginCallError) {
        let validated = try Self.validate(values, plugin: plugin)
        var error = [CChar](repeating: 0, count: Self.errorCapacity)
        let status = CParameterValues(validated).withUnsafeBufferPointer { buffer in
            descriptor.configure?(handle, buffer.baseAddress, UInt32(buffer.count), &error, error.count)
                ?? Int32(KINORA_STATUS_FAILED.rawValue)
        }
        try check(status, error: error)
    }

    /// Fills `frameCount` packed-RGB frames at `pixels`.
    @discardableResult
    public func produce(
        firstFrame: UInt64, frameCount: Int, pixels: UnsafeMutablePointer<UInt8>, stride: Int, frameSize: Int,
        input: UnsafePointer<UInt8>? = nil, inputCount: Int = 0,
        progress: @escaping (Double) -> Void = { _ in },
        log: @escaping (LogLevel, String) -> Void = { _, _ in }
    ) throws(PluginCallError) -> Int {
        var block = KinoraFrameBlock(
            first_frame: firstFrame, frame_count: UInt32(frameCount), stride: UInt32(stride),
            frame_size: frameSize, pixels: pixels, input: input, input_count: UInt32(inputCount))
        let receiver = CallbackReceiver(progress: progress, log: log)
        var error = [CChar](repeating: 0, count: Self.errorCapacity)
        let status = withExtendedLifetime(receiver) {
            var callbacks = KinoraCallbacks(
                context: Unmanaged.passUnretained(receiver).toOpaque(),
                progress: { context, fraction in
                    guard let context else { return }
                    Unmanaged<CallbackReceiver>.fromOpaque(context).takeUnretainedValue().progress(fraction)
                },
                log: { context, level, message in
                    guard let context, let message else { return }
                    Unmanaged<CallbackReceiver>.fromOpaque(context).takeUnretainedValue()
                        .log(LogLevel(rawValue: level) ?? .info, String(cString: message))
                })
            return descriptor.produce?(handle, &block, &callbacks, &error, error.count)
                ?? Int32(KINORA_STATUS_FAILED.rawValue)
        }
        try check(status, error: error)
        return Int(min(block.frame_count, UInt32(frameCount)))
    }

    /// Asks a running `produce` to stop; safe from any thread.
    public func cancel() {
        descriptor.cancel?(handle)
    }

    private func check(_ status: Int32, error: [CChar]) throws(PluginCallError) {
        switch UInt32(bitPattern: status) {
        case KINORA_STATUS_OK.rawValue: return
        case KINORA_STATUS_CANCELLED.rawValue: throw .cancelled
        case KINORA_STATUS_INVALID_ARGUMENT.rawValue:
            throw .invalidArgument(plugin: plugin.id, message: Self.message(error, or: "invalid argument"))
        default:
            throw .failed(plugin: plugin.id, message: Self.message(error, or: "status \(status)"))
        }
    }

    private static func validate(
        _ values: [String: ParameterValue], plugin: LoadedPlugin
    ) throws(PluginCallError) -> [String: ParameterValue] {
        var validated: [String: ParameterValue] = [:]
        for (name, value) in values {
            do {
                // The prompt travels with the parameters (KINORA_PROMPT_PARAM) but is not one of them.
                let schema = name == StandardParameters.prompt.name ? StandardParameters.schema : plugin.schema
                validated[name] = try schema.validate(name: name, value: value)
            } catch {
                throw .invalidArgument(plugin: plugin.id, message: error.description)
            }
        }
        return validated
    }

    private static func message(_ buffer: [CChar], or fallback: String) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return bytes.isEmpty ? fallback : String(decoding: bytes, as: UTF8.self)
    }
}

/// The per-call callbacks, reached from C through the context pointer.
private final class CallbackReceiver {
    let progress: (Double) -> Void
    let log: (LogLevel, String) -> Void

    init(progress: @escaping (Double) -> Void, log: @escaping (LogLevel, String) -> Void) {
        self.progress = progress
        self.log = log
    }
}

/// C copies of parameter values, owning their strings for one call.
private struct CParameterValues: ~Copyable {
    private var values: [KinoraParamValue] = []
    private var strings: [UnsafeMutablePointer<CChar>] = []

    init(_ swiftValues: [String: ParameterValue]) {
        for (name, value) in swiftValues.sorted(by: { $0.key < $1.key }) {
            var cValue = KinoraParamValue()
            cValue.name = UnsafePointer(keep(name))
            switch value {
            case .bool(let flag):
                cValue.type = Int32(KINORA_PARAM_BOOL.rawValue)
                cValue.bool_value = flag ? 1 : 0
            case .int(let number):
                cValue.type = Int32(KINORA_PARAM_INT.rawValue)
                cValue.int_value = number
            case .double(let number):
                cValue.type = Int32(KINORA_PARAM_DOUBLE.rawValue)
                cValue.double_value = number
            case .string(let text):
                cValue.type = Int32(KINORA_PARAM_STRING.rawValue)
                cValue.string_value = UnsafePointer(keep(text))
            }
            values.append(cValue)
        }
    }

    deinit {
        strings.forEach { free($0) }
    }

    private mutating func keep(_ text: String) -> UnsafeMutablePointer<CChar>? {
        guard let copy = strdup(text) else { return nil }
        strings.append(copy)
        return copy
    }

    func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<KinoraParamValue>) -> Result) -> Result {
        values.withUnsafeBufferPointer(body)
    }
}
