import CGStreamer
import CGStreamerBase
import CGStreamerVideo
import KinoraHost
import KinoraPluginSDK

/// The GObject type of an image-to-video Kinora element: a GstElement with
/// a sink pad taking one still RGB image and a source pad giving video.
/// The first buffer is the image; the element then pushes `duration` worth
/// of frames (or frames until stopped, with duration 0) made from it, at a
/// frame rate negotiated with downstream (the plugin's default if free).
enum AnimateElement {
    static let shape = ElementTypeShape(
        parentType: { gst_element_get_type() }, parentInstanceSize: MemoryLayout<GstElement>.stride,
        parentClassSize: MemoryLayout<GstElementClass>.stride, classification: "Filter/Converter/Video")

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
        gClass.assumingMemoryBound(to: GstElementClass.self).pointee.change_state = changeState
    }

    private static let instanceInit: GInstanceInitFunc = { instance, gClass in
        guard let instance, let gClass else { return }
        let raw = UnsafeMutableRawPointer(instance)
        let state = shape.initialiseInstance(raw, gClass: gClass)
        let element = raw.assumingMemoryBound(to: GstElement.self)
        let elementClass = UnsafeMutableRawPointer(gClass).assumingMemoryBound(to: GstElementClass.self)
        guard let sinkTemplate = gst_element_class_get_pad_template(elementClass, "sink"),
            let sourceTemplate = gst_element_class_get_pad_template(elementClass, "src"),
            let sink = gst_pad_new_from_template(sinkTemplate, "sink"),
            let source = gst_pad_new_from_template(sourceTemplate, "src")
        else { return }
        gst_pad_set_chain_function_full(sink, chain, nil, nil)
        gst_pad_set_event_function_full(sink, sinkEvent, nil, nil)
        gst_pad_use_fixed_caps(source)
        gst_element_add_pad(element, sink)
        gst_element_add_pad(element, source)
        state.sinkPad = sink
        state.sourcePad = source
    }

    /// READY→PAUSED starts a stream; PAUSED→READY cancels a running block first.
    private static let changeState:
        @convention(c) (UnsafeMutablePointer<GstElement>?, GstStateChange) -> GstStateChangeReturn = { element, transition in
            guard let element else { return GST_STATE_CHANGE_FAILURE }
            let state = state(UnsafeMutableRawPointer(element))
            if transition == GST_STATE_CHANGE_READY_TO_PAUSED {
                guard state.prepare(element: element) else { return GST_STATE_CHANGE_FAILURE }
                state.stream.frameIndex = 0
                state.stream.tagsSent = false
                state.stream.imageReceived = false
                state.settings.withLock { $0.started = true }
            }
            if transition == GST_STATE_CHANGE_PAUSED_TO_READY { state.cancelRunningInstance() }
            let parentClass = g_type_class_peek(gst_element_get_type())?.assumingMemoryBound(to: GstElementClass.self)
            let result = parentClass?.pointee.change_state?(element, transition) ?? GST_STATE_CHANGE_SUCCESS
            if transition == GST_STATE_CHANGE_PAUSED_TO_READY {
                state.running.withLock { $0 = nil }
                state.settings.withLock {
                    $0.started = false
                    $0.pending = [:]
                }
                state.stream.negotiated = false
            }
            return result
        }

    private static let sinkEvent:
        @convention(c) (UnsafeMutablePointer<GstPad>?, UnsafeMutablePointer<GstObject>?, UnsafeMutablePointer<GstEvent>?)
            -> gboolean = { pad, parent, event in
                guard let pad, let parent, let event else { return 0 }
                let raw = UnsafeMutableRawPointer(parent)
                guard event.pointee.type == GST_EVENT_CAPS else { return gst_pad_event_default(pad, parent, event) }
                var caps: UnsafeMutablePointer<GstCaps>? = nil
                gst_event_parse_caps(event, &caps)
                let accepted = caps.map {
                    AnimateProduction(state: state(raw), element: raw.assumingMemoryBound(to: GstElement.self))
                        .negotiate(imageCaps: $0)
                } ?? false
                gst_mini_object_unref(UnsafeMutableRawPointer(event).assumingMemoryBound(to: GstMiniObject.self))
                return accepted ? 1 : 0
            }

    private static let chain:
        @convention(c) (UnsafeMutablePointer<GstPad>?, UnsafeMutablePointer<GstObject>?, UnsafeMutablePointer<GstBuffer>?)
            -> GstFlowReturn = { _, parent, buffer in
                guard let parent, let buffer else { return GST_FLOW_ERROR }
                let raw = UnsafeMutableRawPointer(parent)
                return AnimateProduction(state: state(raw), element: raw.assumingMemoryBound(to: GstElement.self))
                    .animate(image: buffer)
            }
}
