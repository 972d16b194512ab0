import CGStreamer
import CGStreamerBase
import CGStreamerVideo
import KinoraHost
import KinoraPluginSDK

/// The GObject type of a video-to-video Kinora element: a GstBaseTransform
/// subclass, one type per plugin. Incoming RGB frames are gathered into
/// blocks of the plugin's preferred size (a diffusion chunk), each made frame
/// goes out with its input's timestamps, and at end of stream the plugin may
/// add frames after the input (`FilterProduction`). Caps are RGB on both pads
/// at the same size; put videoconvert around it.
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
        transformClass.pointee.submit_input_buffer = submitInputFrame
        transformClass.pointee.generate_output = generateOutput
        transformClass.pointee.sink_event = sinkEvent
    }

    /// Whether the element has a duration to add after its input (clip extension).
    private static func addsFramesAfterInput(_ state: ElementState) -> Bool {
        guard case .double(let seconds)? = state.settings.withLock({ $0.values[StandardParameters.duration.name] }) else { return false }
        return seconds > 0
    }

    /// The parent class's sink_event, which forwards events downstream.
    private static func parentSinkEvent(
        _ transform: UnsafeMutablePointer<GstBaseTransform>, _ event: UnsafeMutablePointer<GstEvent>
    ) -> gboolean {
        let parent = g_type_class_peek(gst_base_transform_get_type())?.assumingMemoryBound(to: GstBaseTransformClass.self)
        return parent?.pointee.sink_event?(transform, event) ?? 0
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
        state.stream.tagsSent = false
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
        state.releaseQueuedBuffers()
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

    private static let submitInputFrame:
        @convention(c) (UnsafeMutablePointer<GstBaseTransform>?, gboolean, UnsafeMutablePointer<GstBuffer>?) -> GstFlowReturn = {
            transform, _, input in
            guard let transform, let input else { return GST_FLOW_ERROR }
            let raw = UnsafeMutableRawPointer(transform)
            return FilterProduction(state: state(raw), element: raw.assumingMemoryBound(to: GstElement.self)).submit(input)
        }

    private static let generateOutput:
        @convention(c) (UnsafeMutablePointer<GstBaseTransform>?, UnsafeMutablePointer<UnsafeMutablePointer<GstBuffer>?>?)
            -> GstFlowReturn = { transform, output in
                guard let transform, let output else { return GST_FLOW_ERROR }
                let raw = UnsafeMutableRawPointer(transform)
                return FilterProduction(state: state(raw), element: raw.assumingMemoryBound(to: GstElement.self)).nextOutput(output)
            }

    /// End of stream drains the waiting block (and what the plugin adds after the input)
    /// before EOS goes on; a flush drops waiting frames.
    private static let sinkEvent:
        @convention(c) (UnsafeMutablePointer<GstBaseTransform>?, UnsafeMutablePointer<GstEvent>?) -> gboolean = {
            transform, event in
            guard let transform, let event else { return 0 }
            let raw = UnsafeMutableRawPointer(transform)
            let state = state(raw)
            switch event.pointee.type {
            case GST_EVENT_EOS:
                if let sourcePad = transform.pointee.srcpad {
                    let flow = FilterProduction(state: state, element: raw.assumingMemoryBound(to: GstElement.self))
                        .drain(sourcePad: sourcePad)
                    if flow != GST_FLOW_OK && flow != GST_FLOW_EOS && flow != GST_FLOW_FLUSHING {
                        gst_mini_object_unref(UnsafeMutableRawPointer(event).assumingMemoryBound(to: GstMiniObject.self))
                        return 0
                    }
                }
            case GST_EVENT_FLUSH_STOP:
                state.releaseQueuedBuffers()
            case GST_EVENT_SEGMENT where addsFramesAfterInput(state):
                // The input's segment ends where the input ends (qtdemux sets its stop);
                // frames added after it would be clipped downstream, so the stop opens up.
                var segment: UnsafePointer<GstSegment>? = nil
                gst_event_parse_segment(event, &segment)
                guard let segment, let open = gst_segment_copy(segment) else { break }
                defer { gst_segment_free(open) }
                open.pointee.stop = GLibConstants.clockTimeNone
                open.pointee.duration = GLibConstants.clockTimeNone
                if let replaced = gst_event_new_segment(open) {
                    gst_event_set_seqnum(replaced, gst_event_get_seqnum(event))
                    gst_mini_object_unref(UnsafeMutableRawPointer(event).assumingMemoryBound(to: GstMiniObject.self))
                    return parentSinkEvent(transform, replaced)
                }
            default:
                break
            }
            return parentSinkEvent(transform, event)
        }
}
