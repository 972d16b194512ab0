import CGStreamer
import CGStreamerBase
import CGStreamerVideo
import KinoraHost
import KinoraPluginSDK

/// The GObject type of a source-kind Kinora element: a GstPushSrc subclass,
/// one type per plugin, with the plugin in its class data (the gst-libav pattern).
enum SourceElement {
    static let parentInstanceSize = MemoryLayout<GstPushSrc>.stride
    static let parentClassSize = MemoryLayout<GstPushSrcClass>.stride

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
        return g_type_register_static(gst_push_src_get_type(), typeName, &info, GTypeFlags(0))
    }

    // MARK: - Reaching the Swift side

    static func state(_ instance: UnsafeMutableRawPointer) -> ElementState {
        Unmanaged<ElementState>
            .fromOpaque(ObjectLayout.loadPointer(from: instance, parentSize: parentInstanceSize))
            .takeUnretainedValue()
    }

    static func element(_ instance: UnsafeMutableRawPointer) -> UnsafeMutablePointer<GstElement> {
        instance.assumingMemoryBound(to: GstElement.self)
    }

    private static var parentObjectClass: UnsafeMutablePointer<GObjectClass>? {
        g_type_class_peek(gst_push_src_get_type())?.assumingMemoryBound(to: GObjectClass.self)
    }

    // MARK: - Class and instance

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
            elementClass, manifest.humanName, "Source/Video",
            "\(manifest.description) (Kinora plugin '\(manifest.id)' \(manifest.version), \(manifest.licence), from \(classData.plugin.file))",
            "Kinora")
        if let caps = gst_caps_from_string(CapsDescription.template(for: manifest.frames)) {
            gst_element_class_add_pad_template(elementClass, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps))
            gst_mini_object_unref(UnsafeMutableRawPointer(caps).assumingMemoryBound(to: GstMiniObject.self))
        }

        let baseClass = gClass.assumingMemoryBound(to: GstBaseSrcClass.self)
        baseClass.pointee.start = start
        baseClass.pointee.stop = stop
        baseClass.pointee.fixate = fixate
        baseClass.pointee.set_caps = setCaps
        baseClass.pointee.unlock = unlock
        baseClass.pointee.unlock_stop = unlockStop
        baseClass.pointee.get_times = getTimes
        gClass.assumingMemoryBound(to: GstPushSrcClass.self).pointee.create = create
    }

    private static let instanceInit: GInstanceInitFunc = { instance, gClass in
        guard let instance, let gClass else { return }
        let classData = Unmanaged<ElementClassData>
            .fromOpaque(ObjectLayout.loadPointer(from: UnsafeMutableRawPointer(gClass), parentSize: parentClassSize))
            .takeUnretainedValue()
        let state = ElementState(classData: classData)
        let raw = UnsafeMutableRawPointer(instance)
        ObjectLayout.storePointer(Unmanaged.passRetained(state).toOpaque(), in: raw, parentSize: parentInstanceSize)
        let base = raw.assumingMemoryBound(to: GstBaseSrc.self)
        gst_base_src_set_format(base, GST_FORMAT_TIME)
        gst_base_src_set_live(base, 0)
    }

    private static let finalize: @convention(c) (UnsafeMutablePointer<GObject>?) -> Void = { object in
        guard let object else { return }
        let raw = UnsafeMutableRawPointer(object)
        let state = Unmanaged<ElementState>
            .fromOpaque(ObjectLayout.loadPointer(from: raw, parentSize: parentInstanceSize))
        state.takeUnretainedValue().releaseConverter()
        state.release()
        parentObjectClass?.pointee.finalize?(object)
    }

    // MARK: - Properties

    private static let setProperty:
        @convention(c) (UnsafeMutablePointer<GObject>?, guint, UnsafePointer<GValue>?, UnsafeMutablePointer<GParamSpec>?)
            -> Void = { object, id, value, _ in
                guard let object, let value else { return }
                let raw = UnsafeMutableRawPointer(object)
                let state = state(raw)
                guard let parameter = ElementProperties.set(state, element: element(raw), id: id, value: value) else { return }
                if case .bool(let live) = parameter.value, parameter.name == StandardParameters.isLive.name {
                    gst_base_src_set_live(raw.assumingMemoryBound(to: GstBaseSrc.self), live ? 1 : 0)
                }
            }

    private static let getProperty:
        @convention(c) (UnsafeMutablePointer<GObject>?, guint, UnsafeMutablePointer<GValue>?, UnsafeMutablePointer<GParamSpec>?)
            -> Void = { object, id, value, _ in
                guard let object, let value else { return }
                ElementProperties.get(state(UnsafeMutableRawPointer(object)), id: id, into: value)
            }

    // MARK: - GstBaseSrc

    private static let start: @convention(c) (UnsafeMutablePointer<GstBaseSrc>?) -> gboolean = { base in
        guard let base else { return 0 }
        let state = state(UnsafeMutableRawPointer(base))
        state.stream.frameIndex = 0
        state.stream.queuedCount = 0
        state.stream.queuedNext = 0
        state.settings.withLock { $0.started = true }
        return 1
    }

    private static let stop: @convention(c) (UnsafeMutablePointer<GstBaseSrc>?) -> gboolean = { base in
        guard let base else { return 0 }
        let state = state(UnsafeMutableRawPointer(base))
        state.running.withLock { $0 = nil }
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
                // A new size or rate needs a new instance.
                state.running.withLock { $0 = nil }
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
        // A cancelled instance stays cancelled: the next create() makes a new one.
        state(UnsafeMutableRawPointer(base)).running.withLock { $0 = nil }
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

    private static let create:
        @convention(c) (UnsafeMutablePointer<GstPushSrc>?, UnsafeMutablePointer<UnsafeMutablePointer<GstBuffer>?>?)
            -> GstFlowReturn = { source, output in
                guard let source, let output else { return GST_FLOW_ERROR }
                let raw = UnsafeMutableRawPointer(source)
                return SourceProduction(state: state(raw), element: element(raw)).next(into: output)
            }
}
