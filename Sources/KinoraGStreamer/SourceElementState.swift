import CGStreamer
import CGStreamerBase
import CGStreamerVideo
import KinoraHost
import KinoraPluginSDK
import Synchronization

/// The per-instance state of a Kinora source element.
///
/// @unchecked Sendable: properties arrive from application threads, so they
/// live under `settings`' lock; `running` is read by `unlock()` from any
/// thread, under its own lock. Everything else (`stream`) is touched only by
/// GstBaseSrc's start/stop/set_caps/create, which it never runs at once.
final class SourceElementState: @unchecked Sendable {
    struct Settings {
        var values: [String: ParameterValue]
        /// Plugin parameters changed since the instance last saw them.
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
    }

    let classData: ElementClassData
    let settings: Mutex<Settings>
    let running = Mutex<PluginInstance?>(nil)
    var stream = Stream()

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
        let isStandard = classData.isStandard(spec)
        return settings.withLock { settings -> String? in
            if settings.started && !spec.mutableWhilePlaying {
                return "property '\(spec.name)' of \(plugin.manifest.elementName) cannot change while it runs"
            }
            settings.values[spec.name] = value
            if settings.started && !isStandard { settings.pending[spec.name] = value }
            return nil
        }
    }

    func cancelRunningInstance() {
        running.withLock { $0?.cancel() }
    }

    func releaseConverter() {
        if let converter = stream.converter { gst_video_converter_free(converter) }
        stream.converter = nil
    }
}
