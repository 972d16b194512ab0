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
    static let parentInstanceSize = MemoryLayout<GstElement>.stride
    static let parentClassSize = MemoryLayout<GstElementClass>.stride

    static func register(_ plugin: LoadedPlugin) -> GType {
        let typeName = "Gst" + plugin.manifest.elementName.prefix(1).uppercased() + plugin.manifest.elementName.dropFirst()
        let existing = g_type_from_name(typeName)
        if existing != 0 { return existing }
        let classData = Unmanaged.passRetained(ElementClassData(plugin: plugin)).toOpaque()
        var info = GTypeInfo(
            class_size: UInt16(ObjectLayout.instanceSize(parent: parentClassSize)),
            base_init: nil, base_finalize: nil, class_init: classInit, class_finalize: nil,
            class_data: UnsafeRawPointer(classData),
            instance_size: UInt16(ObjectLayout.instanceSize(parent: parentInstanceSize)),
            n_preallocs: 0, instance_init: instanceInit, value_table: nil)
        return g_type_register_static(gst_element_get_type(), typeName, &info, GTypeFlags(0))
    }

    static func state(_ instance: UnsafeMutableRawPointer) -> ElementState {
        Unmanaged<ElementState>
            .fromOpaque(ObjectLayout.loadPointer(from: instance, parentSize: parentInstanceSize))
            .takeUnretainedValue()
    }

    private static var parentObjectClass: UnsafeMutablePointer<GObjectClass>? {
        g_type_class_peek(gst_element_get_type())?.assumingMemoryBound(to: GObjectClass.self)
    }

    private static let classInit: GClassInitFunc = { gClass, classDataPointer in
        guard let gClass, let classDataPointer else { return }
        ObjectLayout.storePointer(classDataPointer, in: gClass, parentSize: parentClassSize)
        let classData = Unmanaged<ElementClassData>.fromOpaque(classDataPointer).takeUnretainedValue()
        let manifest = classData.plugin.manifest

        let objectClass = gClass.assumingMemoryBound(to: GObjectClass.self)
        objectClass.pointee.set_property = setProperty
        objectClass.pointee.get_property = getProperty
        objectClass.pointee.finalize = finalize
        PropertyBridge.install(classData.properties, on: objectClass)

        let elementClass = gClass.assumingMemoryBound(to: GstElementClass.self)
        gst_element_class_set_metadata(
            elementClass, manifest.humanName, "Filter/Converter/Video",
            "\(manifest.description) (Kinora plugin '\(manifest.id)' \(manifest.version), \(manifest.licence), from \(classData.plugin.file))",
            "Kinora")
        let template = CapsDescription.rgbTemplate(for: manifest.frames)
        for (name, direction) in [("sink", GST_PAD_SINK), ("src", GST_PAD_SRC)] {
            if let caps = gst_caps_from_string(template) {
                gst_element_class_add_pad_template(elementClass, gst_pad_template_new(name, direction, GST_PAD_ALWAYS, caps))
                gst_mini_object_unref(UnsafeMutableRawPointer(caps).assumingMemoryBound(to: GstMiniObject.self))
            }
        }
        elementClass.pointee.change_state = changeState
    }

    private static let instanceInit: GInstanceInitFunc = { instance, gClass in
        guard let instance, let gClass else { return }
        let classData = Unmanaged<ElementClassData>
            .fromOpaque(ObjectLayout.loadPointer(from: UnsafeMutableRawPointer(gClass), parentSize: parentClassSize))
            .takeUnretainedValue()
        let state = ElementState(classData: classData)
        let raw = UnsafeMutableRawPointer(instance)
        ObjectLayout.storePointer(Unmanaged.passRetained(state).toOpaque(), in: raw, parentSize: parentInstanceSize)
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

    private static let finalize: @convention(c) (UnsafeMutablePointer<GObject>?) -> Void = { object in
        guard let object else { return }
        Unmanaged<ElementState>
            .fromOpaque(ObjectLayout.loadPointer(from: UnsafeMutableRawPointer(object), parentSize: parentInstanceSize))
            .release()
        parentObjectClass?.pointee.finalize?(object)
    }

    private static let setProperty:
        @convention(c) (UnsafeMutablePointer<GObject>?, guint, UnsafePointer<GValue>?, UnsafeMutablePointer<GParamSpec>?)
            -> Void = { object, id, value, _ in
                guard let object, let value else { return }
                let raw = UnsafeMutableRawPointer(object)
                _ = ElementProperties.set(state(raw), element: raw.assumingMemoryBound(to: GstElement.self), id: id, value: value)
            }

    private static let getProperty:
        @convention(c) (UnsafeMutablePointer<GObject>?, guint, UnsafeMutablePointer<GValue>?, UnsafeMutablePointer<GParamSpec>?)
            -> Void = { object, id, value, _ in
                guard let object, let value else { return }
                ElementProperties.get(state(UnsafeMutableRawPointer(object)), id: id, into: value)
            }

    /// READY→PAUSED starts a stream; PAUSED→READY cancels a running block first.
    private static let changeState:
        @convention(c) (UnsafeMutablePointer<GstElement>?, GstStateChange) -> GstStateChangeReturn = { element, transition in
            guard let element else { return GST_STATE_CHANGE_FAILURE }
            let state = state(UnsafeMutableRawPointer(element))
            if transition == GST_STATE_CHANGE_READY_TO_PAUSED {
                state.stream.frameIndex = 0
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
