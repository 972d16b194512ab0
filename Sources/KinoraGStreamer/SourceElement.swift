import CGStreamer
import CGStreamerBase
import CGStreamerVideo
import KinoraHost
import KinoraPluginSDK

/// The GObject type of a source-kind Kinora element: a GstPushSrc subclass,
/// one type per plugin, with the plugin in its class data (the gst-libav pattern).
enum SourceElement {
    static let shape = ElementTypeShape(
        parentType: { gst_push_src_get_type() }, parentInstanceSize: MemoryLayout<GstPushSrc>.stride,
        parentClassSize: MemoryLayout<GstPushSrcClass>.stride, classification: "Source/Video")

    static func register(_ plugin: LoadedPlugin) -> GType {
        shape.register(plugin, classInit: classInit, instanceInit: instanceInit)
    }

    static func state(_ instance: UnsafeMutableRawPointer) -> ElementState { shape.state(instance) }

    static func element(_ instance: UnsafeMutableRawPointer) -> UnsafeMutablePointer<GstElement> {
        instance.assumingMemoryBound(to: GstElement.self)
    }

    // MARK: - Class and instance

    private static let classInit: GClassInitFunc = { gClass, classDataPointer in
        guard let gClass, let classDataPointer else { return }
        _ = shape.initialiseClass(
            gClass, classData: classDataPointer, padTemplates: { [("src", GST_PAD_SRC, CapsDescription.template(for: $0))] },
            setProperty: setProperty, getProperty: getProperty, finalize: { object in object.map { shape.finalize($0) } })
        let baseClass = gClass.assumingMemoryBound(to: GstBaseSrcClass.self)
        baseClass.pointee.start = start
        baseClass.pointee.stop = stop
        baseClass.pointee.fixate = fixate
        baseClass.pointee.set_caps = setCaps
        baseClass.pointee.unlock = unlock
        baseClass.pointee.unlock_stop = unlockStop
        baseClass.pointee.get_times = getTimes
        baseClass.pointee.query = query
        gClass.assumingMemoryBound(to: GstPushSrcClass.self).pointee.create = create
    }

    private static let instanceInit: GInstanceInitFunc = { instance, gClass in
        guard let instance, let gClass else { return }
        let raw = UnsafeMutableRawPointer(instance)
        shape.initialiseInstance(raw, gClass: gClass)
        let base = raw.assumingMemoryBound(to: GstBaseSrc.self)
        gst_base_src_set_format(base, GST_FORMAT_TIME)
        gst_base_src_set_live(base, 0)
    }

    // MARK: - Properties

    private static let setProperty: ElementTypeShape.PropertySetter = { object, id, value, _ in
        guard let parameter = shape.setProperty(object, id: id, value: value), let object else { return }
        if case .bool(let live) = parameter.value, parameter.name == StandardParameters.isLive.name {
            gst_base_src_set_live(UnsafeMutableRawPointer(object).assumingMemoryBound(to: GstBaseSrc.self), live ? 1 : 0)
        }
    }

    private static let getProperty: ElementTypeShape.PropertyGetter = { object, id, value, _ in
        shape.getProperty(object, id: id, value: value)
    }

    // MARK: - GstBaseSrc

    private static let start: @convention(c) (UnsafeMutablePointer<GstBaseSrc>?) -> gboolean = { base in
        guard let base else { return 0 }
        let raw = UnsafeMutableRawPointer(base)
        let state = state(raw)
        guard state.prepare(element: element(raw)) else { return 0 }
        state.stream.frameIndex = 0
        state.stream.tagsSent = false
        state.stream.queuedCount = 0
        state.stream.queuedNext = 0
        state.settings.withLock { $0.started = true }
        return 1
    }

    private static let stop: @convention(c) (UnsafeMutablePointer<GstBaseSrc>?) -> gboolean = { base in
        guard let base else { return 0 }
        let state = state(UnsafeMutableRawPointer(base))
        state.dropInstance()
        state.settings.withLock {
            $0.started = false
            $0.pending = [:]
        }
        state.releaseConverter()
        state.stream.negotiated = false
        return 1
    }

    private static let fixate:
        @convention(c) (UnsafeMutablePointer<GstBaseSrc>?, UnsafeMutablePointer<GstCaps>?) -> UnsafeMutablePointer<GstCaps>? = {
            base, caps in
            guard let base, let caps else { return caps }
            let frames = state(UnsafeMutableRawPointer(base)).plugin.manifest.frames
            return CapsDescription.fixate(caps, preferring: frames)
        }

    private static let setCaps:
        @convention(c) (UnsafeMutablePointer<GstBaseSrc>?, UnsafeMutablePointer<GstCaps>?) -> gboolean = { base, caps in
            guard let base, let caps else { return 0 }
            let raw = UnsafeMutableRawPointer(base)
            let state = state(raw)
            do throws(FrameConversionError) {
                try FrameConversion.configure(&state.stream, caps: caps)
                // A new size or rate needs a new instance (and generator thread).
                state.dropInstance()
                if gst_base_src_is_live(base) != 0 {
                    // The latency depends on the rate: the pipeline asks again.
                    let object = UnsafeMutableRawPointer(base).assumingMemoryBound(to: GstObject.self)
                    if let message = gst_message_new_latency(object) { gst_element_post_message(element(raw), message) }
                }
                return 1
            } catch {
                ElementMessages.postError(
                    element(raw), domain: gst_core_error_quark(), code: Int32(GST_CORE_ERROR_NEGOTIATION.rawValue),
                    text: "Kinora element \(state.plugin.manifest.elementName) cannot produce these caps: \(error)",
                    debug: "")
                return 0
            }
        }

    private static let unlock: @convention(c) (UnsafeMutablePointer<GstBaseSrc>?) -> gboolean = { base in
        guard let base else { return 0 }
        state(UnsafeMutableRawPointer(base)).cancelRunningInstance()
        return 1
    }

    private static let unlockStop: @convention(c) (UnsafeMutablePointer<GstBaseSrc>?) -> gboolean = { base in
        guard let base else { return 0 }
        // A cancelled instance stays cancelled: the next create() makes a new one. A live
        // source's generator thread ends with it (the streaming thread is not running now).
        let state = state(UnsafeMutableRawPointer(base))
        state.dropInstance()
        return 1
    }

    private static let getTimes:
        @convention(c) (
            UnsafeMutablePointer<GstBaseSrc>?, UnsafeMutablePointer<GstBuffer>?, UnsafeMutablePointer<GstClockTime>?,
            UnsafeMutablePointer<GstClockTime>?
        ) -> Void = { base, buffer, start, end in
            // Only a live source waits for the clock; the base class syncs on these times.
            let clockTimeNone = GstClockTime.max
            start?.pointee = clockTimeNone
            end?.pointee = clockTimeNone
            guard let base, let buffer, gst_base_src_is_live(base) != 0 else { return }
            start?.pointee = buffer.pointee.pts
            end?.pointee = buffer.pointee.pts &+ buffer.pointee.duration
        }

    /// A live source answers the latency query with one block (a diffusion chunk) at the
    /// stream's rate: frames of a block are made together before the first is pushed, so a
    /// sink must allow that long. Everything else goes to GstBaseSrc.
    private static let query:
        @convention(c) (UnsafeMutablePointer<GstBaseSrc>?, UnsafeMutablePointer<GstQuery>?) -> gboolean = { base, query in
            guard let base, let query else { return 0 }
            let parent = g_type_class_peek(gst_push_src_get_type())?.assumingMemoryBound(to: GstBaseSrcClass.self)
            guard query.pointee.type == GST_QUERY_LATENCY, gst_base_src_is_live(base) != 0 else {
                return parent?.pointee.query?(base, query) ?? 0
            }
            let state = state(UnsafeMutableRawPointer(base))
            let info = state.stream.outputInfo
            guard state.stream.negotiated, info.fps_n > 0, info.fps_d > 0 else { return parent?.pointee.query?(base, query) ?? 0 }
            let frames = guint64(max(1, state.plugin.manifest.preferredBlockFrames))
            let latency = gst_util_uint64_scale(frames * GLibConstants.second, guint64(info.fps_d), guint64(info.fps_n))
            gst_query_set_latency(query, 1, latency, GLibConstants.clockTimeNone)
            return 1
        }

    private static let create:
        @convention(c) (UnsafeMutablePointer<GstPushSrc>?, UnsafeMutablePointer<UnsafeMutablePointer<GstBuffer>?>?)
            -> GstFlowReturn = { source, output in
                guard let source, let output else { return GST_FLOW_ERROR }
                let raw = UnsafeMutableRawPointer(source)
                return SourceProduction(state: state(raw), element: element(raw)).next(into: output)
            }
}
