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
    static let parentInstanceSize = MemoryLayout<GstBaseTransform>.stride
    static let parentClassSize = MemoryLayout<GstBaseTransformClass>.stride

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
        return g_type_register_static(gst_base_transform_get_type(), typeName, &info, GTypeFlags(0))
    }

    static func state(_ instance: UnsafeMutableRawPointer) -> ElementState {
        Unmanaged<ElementState>
            .fromOpaque(ObjectLayout.loadPointer(from: instance, parentSize: parentInstanceSize))
            .takeUnretainedValue()
    }

    private static var parentObjectClass: UnsafeMutablePointer<GObjectClass>? {
        g_type_class_peek(gst_base_transform_get_type())?.assumingMemoryBound(to: GObjectClass.self)
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
            elementClass, manifest.humanName, "Filter/Effect/Video",
            "\(manifest.description) (Kinora plugin '\(manifest.id)' \(manifest.version), \(manifest.licence), from \(classData.plugin.file))",
            "Kinora")
        let template = CapsDescription.rgbTemplate(for: manifest.frames)
        for (name, direction) in [("sink", GST_PAD_SINK), ("src", GST_PAD_SRC)] {
            if let caps = gst_caps_from_string(template) {
                gst_element_class_add_pad_template(elementClass, gst_pad_template_new(name, direction, GST_PAD_ALWAYS, caps))
                gst_mini_object_unref(UnsafeMutableRawPointer(caps).assumingMemoryBound(to: GstMiniObject.self))
            }
        }

        let transformClass = gClass.assumingMemoryBound(to: GstBaseTransformClass.self)
        transformClass.pointee.passthrough_on_same_caps = 0
        transformClass.pointee.start = start
        transformClass.pointee.stop = stop
        transformClass.pointee.set_caps = setCaps
        transformClass.pointee.transform = transform
    }

    private static let instanceInit: GInstanceInitFunc = { instance, gClass in
        guard let instance, let gClass else { return }
        let classData = Unmanaged<ElementClassData>
            .fromOpaque(ObjectLayout.loadPointer(from: UnsafeMutableRawPointer(gClass), parentSize: parentClassSize))
            .takeUnretainedValue()
        let state = ElementState(classData: classData)
        ObjectLayout.storePointer(
            Unmanaged.passRetained(state).toOpaque(), in: UnsafeMutableRawPointer(instance),
            parentSize: parentInstanceSize)
    }

    private static let finalize: @convention(c) (UnsafeMutablePointer<GObject>?) -> Void = { object in
        guard let object else { return }
        let state = Unmanaged<ElementState>
            .fromOpaque(ObjectLayout.loadPointer(from: UnsafeMutableRawPointer(object), parentSize: parentInstanceSize))
        state.release()
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

    private static let start: @convention(c) (UnsafeMutablePointer<GstBaseTransform>?) -> gboolean = { transform in
        guard let transform else { return 0 }
        let state = state(UnsafeMutableRawPointer(transform))
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
