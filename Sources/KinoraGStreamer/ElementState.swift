import CGStreamer
import CGStreamerBase
import CGStreamerVideo
import KinoraHost
import KinoraPluginSDK
import Synchronization

/// The per-instance state of a Kinora element (source, filter or animator).
///
/// @unchecked Sendable: properties arrive from application threads, so they
/// live under `settings`' lock; `running` is reached from any thread (a
/// cancel from `unlock()` or a state change), under its own lock. Everything
/// else (`stream`, the pads) is touched only by the element's streaming
/// thread and its start/stop, which GStreamer never runs at the same time.
final class ElementState: @unchecked Sendable {
    struct Settings {
        var values: [String: ParameterValue]
        /// Parameters (and the prompt) changed since the instance last saw them.
        var pending: [String: ParameterValue] = [:]
        var started = false
    }

    /// What the streaming thread owns.
    struct Stream {
        var rgbInfo = GstVideoInfo()
        var outputInfo = GstVideoInfo()
        var negotiated = false
        var converter: OpaquePointer?
        var frameIndex: UInt64 = 0
        var totalFrames: UInt64?
        /// RGB frames made by the last block and not yet pushed.
        var queued: [UInt8] = []
        var queuedCount = 0
        var queuedNext = 0
        /// Image-to-video: the still every block is made from.
        var image: [UInt8] = []
        var imageReceived = false
        /// Video-to-video: incoming frames waiting for a full block (owned references).
        var pendingInputs: [UnsafeMutablePointer<GstBuffer>] = []
        /// Video-to-video: frames made and not yet handed to GstBaseTransform.
        var readyOutputs: [UnsafeMutablePointer<GstBuffer>] = []
        /// Video-to-video: where the last input frame ended, and how long one lasted,
        /// so frames added after the input continue its timeline.
        var inputEnd: GstClockTime = 0
        var inputFrameDuration: GstClockTime = 0
        /// Whether this stream's provenance tags went out.
        var tagsSent = false
        /// A live source's generator thread, making the next block ahead.
        var producer: BlockProducer?
    }

    let classData: ElementClassData
    let settings: Mutex<Settings>
    let running = Mutex<PluginInstance?>(nil)
    var stream = Stream()
    /// Image-to-video elements' pads (owned by the element), set at instance init.
    var sinkPad: UnsafeMutablePointer<GstPad>?
    var sourcePad: UnsafeMutablePointer<GstPad>?

    init(classData: ElementClassData) {
        self.classData = classData
        var defaults: [String: ParameterValue] = [:]
        for spec in classData.properties {
            defaults[spec.name] = spec.type.defaultValue
        }
        self.settings = Mutex(Settings(values: defaults))
    }

    var plugin: LoadedPlugin { classData.plugin }

    func value(of spec: ParameterSpec) -> ParameterValue {
        settings.withLock { $0.values[spec.name] } ?? spec.type.defaultValue
    }

    /// Records a property; plugin parameters reach the instance before its next block.
    /// Returns a reason when the change is refused.
    func set(_ spec: ParameterSpec, to value: ParameterValue) -> String? {
        settings.withLock { settings -> String? in
            if settings.started && !spec.mutableWhilePlaying {
                return "property '\(spec.name)' of \(plugin.manifest.elementName) cannot change while it runs"
            }
            settings.values[spec.name] = value
            // Only mutable properties get here while running: plugin parameters and the prompt.
            if settings.started { settings.pending[spec.name] = value }
            return nil
        }
    }

    /// The running instance, created on first use for the negotiated stream.
    func instance(totalFrames: UInt64?) throws(PluginCallError) -> PluginInstance {
        if let running = running.withLock({ $0 }) { return running }
        let values = settings.withLock { $0.values }
        let info = stream.outputInfo
        var prompt = ""
        if case .string(let text)? = values[StandardParameters.prompt.name] { prompt = text }
        let streamInfo = StreamInfo(
            width: Int(info.width), height: Int(info.height), framesPerSecondNumerator: Int(info.fps_n),
            framesPerSecondDenominator: Int(max(info.fps_d, 1)), totalFrames: totalFrames, prompt: prompt)
        let pluginValues = values.filter { plugin.schema[$0.key] != nil }
        let created = try PluginInstance(plugin: plugin, stream: streamInfo, values: pluginValues)
        running.withLock { $0 = created }
        settings.withLock { $0.pending = [:] }
        return created
    }

    /// Hands property changes made since the last block to the instance.
    func applyPendingChanges(to instance: PluginInstance) throws(PluginCallError) {
        let pending = settings.withLock { settings in
            defer { settings.pending = [:] }
            return settings.pending
        }
        if !pending.isEmpty { try instance.configure(pending) }
    }

    /// Lets the plugin load what it shares (its model) as the element starts;
    /// on failure posts the plugin's reason as the element's error, so the
    /// state change fails cleanly before any streaming.
    func prepare(element: UnsafeMutablePointer<GstElement>) -> Bool {
        do throws(PluginCallError) {
            try plugin.prepare()
            return true
        } catch {
            ElementMessages.postSettingsError(
                element, text: "Kinora plugin '\(plugin.id)' cannot run: \(error)", debug: "plugin file \(plugin.file)")
            return false
        }
    }

    /// The stream's frame count from the `duration` property (nil: no end).
    func totalFramesFromDuration() -> UInt64? {
        let info = stream.outputInfo
        guard case .double(let seconds)? = settings.withLock({ $0.values[StandardParameters.duration.name] }),
            seconds > 0, info.fps_n > 0, info.fps_d > 0
        else { return nil }
        return max(1, UInt64((seconds * Double(info.fps_n) / Double(info.fps_d)).rounded()))
    }

    func cancelRunningInstance() {
        running.withLock { $0?.cancel() }
    }

    /// Drops the running instance, so that the next block comes from a new one; a live
    /// source's generator thread is ended first (its instance cancelled, so that it stops
    /// within one denoising step). Streaming thread, start/stop, set_caps and unlock_stop only.
    func dropInstance() {
        if let producer = stream.producer {
            cancelRunningInstance()
            producer.stop()
            stream.producer = nil
        }
        running.withLock { $0 = nil }
    }

    /// Drops frames a video-to-video element holds (on flush and stop).
    func releaseQueuedBuffers() {
        for buffer in stream.pendingInputs + stream.readyOutputs {
            gst_mini_object_unref(UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: GstMiniObject.self))
        }
        stream.pendingInputs = []
        stream.readyOutputs = []
    }

    func releaseConverter() {
        if let converter = stream.converter { gst_video_converter_free(converter) }
        stream.converter = nil
    }
}
