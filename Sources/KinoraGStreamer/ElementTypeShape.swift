import CGStreamer
import KinoraHost
import KinoraPluginSDK

/// What Kinora's element types have in common, whatever their base class:
/// one GObject type per plugin, the plugin as class data (in a slot after
/// the parent's class struct), the Swift state in a slot after the parent's
/// instance struct, properties from the schema, metadata and pad templates.
/// `SourceElement`, `FilterElement` and `AnimateElement` supply their parent
/// and their vfuncs.
struct ElementTypeShape: Sendable {
    /// The parent's `get_type` function (GTypes exist only after gst_init).
    let parentType: @Sendable () -> GType
    let parentInstanceSize: Int
    let parentClassSize: Int
    /// GStreamer's element classification, e.g. "Source/Video".
    let classification: String

    typealias PropertySetter = @convention(c) (
        UnsafeMutablePointer<GObject>?, guint, UnsafePointer<GValue>?, UnsafeMutablePointer<GParamSpec>?
    ) -> Void
    typealias PropertyGetter = @convention(c) (
        UnsafeMutablePointer<GObject>?, guint, UnsafeMutablePointer<GValue>?, UnsafeMutablePointer<GParamSpec>?
    ) -> Void
    typealias Finalizer = @convention(c) (UnsafeMutablePointer<GObject>?) -> Void

    /// Registers (once) the type for `plugin`, e.g. GstKinoratestscene.
    func register(_ plugin: LoadedPlugin, classInit: GClassInitFunc, instanceInit: GInstanceInitFunc) -> GType {
        let name = plugin.manifest.elementName
        let typeName = "Gst" + name.prefix(1).uppercased() + name.dropFirst()
        let existing = g_type_from_name(typeName)
        if existing != 0 { return existing }
        // Kept for the process' life: GObject types are never unregistered.
        let classData = Unmanaged.passRetained(ElementClassData(plugin: plugin)).toOpaque()
        var info = GTypeInfo(
            class_size: UInt16(ObjectLayout.instanceSize(parent: parentClassSize)),
            base_init: nil, base_finalize: nil, class_init: classInit, class_finalize: nil,
            class_data: UnsafeRawPointer(classData),
            instance_size: UInt16(ObjectLayout.instanceSize(parent: parentInstanceSize)),
            n_preallocs: 0, instance_init: instanceInit, value_table: nil)
        return g_type_register_static(parentType(), typeName, &info, GTypeFlags(0))
    }

    func classData(ofClass gClass: UnsafeMutableRawPointer) -> ElementClassData {
        Unmanaged<ElementClassData>
            .fromOpaque(ObjectLayout.loadPointer(from: gClass, parentSize: parentClassSize))
            .takeUnretainedValue()
    }

    func state(_ instance: UnsafeMutableRawPointer) -> ElementState {
        Unmanaged<ElementState>
            .fromOpaque(ObjectLayout.loadPointer(from: instance, parentSize: parentInstanceSize))
            .takeUnretainedValue()
    }

    /// The shared part of class_init; returns the class data for the type's own vfuncs.
    func initialiseClass(
        _ gClass: UnsafeMutableRawPointer, classData pointer: UnsafeMutableRawPointer,
        padTemplates: (FrameLimits) -> [(name: String, direction: GstPadDirection, caps: String)],
        setProperty: PropertySetter, getProperty: PropertyGetter, finalize: Finalizer
    ) -> ElementClassData {
        ObjectLayout.storePointer(pointer, in: gClass, parentSize: parentClassSize)
        let classData = Unmanaged<ElementClassData>.fromOpaque(pointer).takeUnretainedValue()
        let manifest = classData.plugin.manifest

        let objectClass = gClass.assumingMemoryBound(to: GObjectClass.self)
        objectClass.pointee.set_property = setProperty
        objectClass.pointee.get_property = getProperty
        objectClass.pointee.finalize = finalize
        PropertyBridge.install(classData.properties, on: objectClass)

        let elementClass = gClass.assumingMemoryBound(to: GstElementClass.self)
        gst_element_class_set_metadata(
            elementClass, manifest.humanName, classification,
            "\(manifest.description) (Kinora plugin '\(manifest.id)' \(manifest.version), \(manifest.licence), from \(classData.plugin.file))",
            "Kinora")
        for template in padTemplates(manifest.frames) {
            guard let caps = gst_caps_from_string(template.caps) else { continue }
            gst_element_class_add_pad_template(
                elementClass, gst_pad_template_new(template.name, template.direction, GST_PAD_ALWAYS, caps))
            gst_mini_object_unref(UnsafeMutableRawPointer(caps).assumingMemoryBound(to: GstMiniObject.self))
        }
        return classData
    }

    /// The shared part of instance_init: makes and stores the state.
    @discardableResult
    func initialiseInstance(_ instance: UnsafeMutableRawPointer, gClass: UnsafeMutableRawPointer) -> ElementState {
        let state = ElementState(classData: classData(ofClass: gClass))
        ObjectLayout.storePointer(Unmanaged.passRetained(state).toOpaque(), in: instance, parentSize: parentInstanceSize)
        return state
    }

    /// finalize: drops the state, then the parent class finalizes.
    func finalize(_ object: UnsafeMutablePointer<GObject>) {
        let raw = UnsafeMutableRawPointer(object)
        let state = Unmanaged<ElementState>.fromOpaque(ObjectLayout.loadPointer(from: raw, parentSize: parentInstanceSize))
        state.takeUnretainedValue().releaseConverter()
        state.release()
        let parentClass = g_type_class_peek(parentType())?.assumingMemoryBound(to: GObjectClass.self)
        parentClass?.pointee.finalize?(object)
    }

    /// set_property through the schema; returns the accepted value.
    func setProperty(
        _ object: UnsafeMutablePointer<GObject>?, id: guint, value: UnsafePointer<GValue>?
    ) -> (name: String, value: ParameterValue)? {
        guard let object, let value else { return nil }
        let raw = UnsafeMutableRawPointer(object)
        return ElementProperties.set(state(raw), element: raw.assumingMemoryBound(to: GstElement.self), id: id, value: value)
    }

    func getProperty(_ object: UnsafeMutablePointer<GObject>?, id: guint, value: UnsafeMutablePointer<GValue>?) {
        guard let object, let value else { return }
        ElementProperties.get(state(UnsafeMutableRawPointer(object)), id: id, into: value)
    }
}
