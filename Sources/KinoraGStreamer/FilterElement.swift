import CGStreamer
import CGStreamerBase
import CGStreamerVideo
import KinoraHost
import KinoraPluginSDK

/// The GObject type of a video-to-video Kinora element: a GstBaseTransform
/// subclass, one type per plugin. Each incoming RGB frame is handed to the
/// plugin as input and the frame it makes goes out with the same timestamps.
/// Caps are RGB on both pads at the same size; put videoconvert around it.
enum FilterElement {
    static let shape = ElementTypeShape(
        parentType: { gst_base_transform_get_type() }, parentInstanceSize: MemoryLayout<GstBaseTransform>.stride,
        parentClassSize: MemoryLayout<GstBaseTransformClass>.stride, classification: "Filter/Effect/Video")

    static func register(_ plugin: LoadedPlugin) -> GType {
        shape.register(plugin, classInit: classInit, instanceInit: instanceInit)
    }

    static func state(_ instance: UnsafeMutableRawPointer) -> ElementState { shape.state(instance) }

    private static let classInit: GClassInitFunc = { gClass, classDataPointer in
        guard let gClass, let classDataPointer else { return }
        _ = shape.initialiseClass(
            gClass, classData: classDataPointer, padTemplates: CapsDescription.rgbPadTemplates(for:),
            setProperty: { object, id, value, _ in _ = shape.setProperty(object, id: id, value: value) },
            getProperty: { object, id, value, _ in shape.getProperty(object, id: id, value: value) },
            finalize: { object in object.map { shape.finalize($0) } })
        let transformClass = gClass.assumingMemoryBound(to: GstBaseTransformClass.self)
        transformClass.pointee.passthrough_on_same_caps = 0
        transformClass.pointee.start = start
        transformClass.pointee.stop = stop
        transformClass.pointee.set_caps = setCaps
        transformClass.pointee.transform = transform
    }

    private static let instanceInit: GInstanceInitFunc = { instance, gClass in
        guard let instance, let gClass else { return }
        shape.initialiseInstance(UnsafeMutableRawPointer(instance), gClass: gClass)
    }

    private static let start: @convention(c) (UnsafeMutablePointer<GstBaseTransform>?) -> gboolean = { transform in
        guard let transform else { return 0 }
        let raw = UnsafeMutableRawPointer(transform)
        let state = state(raw)
        guard state.prepare(element: raw.assumingMemoryBound(to: GstElement.self)) else { return 0 }
        state.stream.frameIndex = 0
        state.settings.withLock { $0.started = true }
        return 1
    }

    private static let stop: @convention(c) (UnsafeMutablePointer<GstBaseTransform>?) -> gboolean = { transform in
        guard let transform else { return 0 }
        let state = state(UnsafeMutableRawPointer(transform))
        state.cancelRunningInstance()
        state.running.withLock { $0 = nil }
        state.settings.withLock {
            $0.started = false
            $0.pending = [:]
        }
        state.stream.negotiated = false
        return 1
    }

    private static let setCaps:
        @convention(c) (UnsafeMutablePointer<GstBaseTransform>?, UnsafeMutablePointer<GstCaps>?, UnsafeMutablePointer<GstCaps>?)
            -> gboolean = { transform, incaps, _ in
                guard let transform, let incaps else { return 0 }
                let state = state(UnsafeMutableRawPointer(transform))
                do throws(FrameConversionError) {
                    try FrameConversion.configure(&state.stream, caps: incaps, requireRate: false)
                    state.running.withLock { $0 = nil }
                    return 1
                } catch {
                    return 0
                }
            }

    private static let transform:
        @convention(c) (UnsafeMutablePointer<GstBaseTransform>?, UnsafeMutablePointer<GstBuffer>?, UnsafeMutablePointer<GstBuffer>?)
            -> GstFlowReturn = { transform, input, output in
                guard let transform, let input, let output else { return GST_FLOW_ERROR }
                let raw = UnsafeMutableRawPointer(transform)
                return FilterProduction(state: state(raw), element: raw.assumingMemoryBound(to: GstElement.self))
                    .transform(input, into: output)
            }
}
