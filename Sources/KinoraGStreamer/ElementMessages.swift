import CGStreamer
import KinoraPluginSDK

/// Posting messages on an element's bus: errors in GST_ELEMENT_ERROR's
/// shape, and Kinora's per-frame progress.
enum ElementMessages {
    /// Posts an error: `text` is the sentence a user reads, `debug` the detail.
    static func postError(
        _ element: UnsafeMutablePointer<GstElement>, domain: GQuark, code: Int32, text: String, debug: String,
        function: String = #function, line: Int = #line
    ) {
        gst_element_message_full(
            element, GST_MESSAGE_ERROR, domain, code, g_strdup(text), g_strdup(debug), #fileID, function,
            Int32(line))
    }

    static func postLibraryError(_ element: UnsafeMutablePointer<GstElement>, text: String, debug: String = "") {
        postError(
            element, domain: gst_library_error_quark(), code: Int32(GST_LIBRARY_ERROR_FAILED.rawValue), text: text,
            debug: debug)
    }

    static func postSettingsError(_ element: UnsafeMutablePointer<GstElement>, text: String, debug: String = "") {
        postError(
            element, domain: gst_resource_error_quark(), code: Int32(GST_RESOURCE_ERROR_SETTINGS.rawValue),
            text: text, debug: debug)
    }

    /// Posts `kinora-progress, frame=(guint64)N, position=(double)P,
    /// total-frames=(guint64)M` as the plugin makes frames (P counts frames
    /// made, fractions from the plugin's own progress within a block), so an
    /// application (kinorad) can follow a job without querying positions
    /// through an encoder. total-frames is 0 for a stream without end.
    static func postProgress(_ element: UnsafeMutablePointer<GstElement>, position: Double, totalFrames: UInt64) {
        guard let structure = gst_structure_new_empty("kinora-progress") else { return }
        setUInt64(structure, "frame", UInt64(max(0, position)))
        var gvalue = GValue()
        g_value_init(&gvalue, GLibConstants.typeDouble)
        g_value_set_double(&gvalue, position)
        gst_structure_take_value(structure, "position", &gvalue)
        setUInt64(structure, "total-frames", totalFrames)
        let object = UnsafeMutableRawPointer(element).assumingMemoryBound(to: GstObject.self)
        if let message = gst_message_new_element(object, structure) {
            gst_element_post_message(element, message)
        }
    }

    /// A plugin's log line, into GStreamer's debug log under the `kinora`
    /// category (GST_DEBUG=kinora:5 shows them all). Warnings also go on the
    /// bus as warning messages, for applications to show (a prompt far
    /// outside the model's world, say).
    static func log(_ element: UnsafeMutablePointer<GstElement>, level: LogLevel, message: String) {
        if level == .warning {
            gst_element_message_full(
                element, GST_MESSAGE_WARNING, gst_library_error_quark(), Int32(GST_LIBRARY_ERROR_SETTINGS.rawValue),
                g_strdup(message), nil, #fileID, #function, Int32(#line))
        }
        let gstLevel: GstDebugLevel
        switch level {
        case .debug: gstLevel = GST_LEVEL_DEBUG
        case .info: gstLevel = GST_LEVEL_INFO
        case .warning: gstLevel = GST_LEVEL_WARNING
        case .error: gstLevel = GST_LEVEL_ERROR
        }
        let object = UnsafeMutableRawPointer(element).assumingMemoryBound(to: GObject.self)
        gst_debug_log_literal(debugCategory, gstLevel, #fileID, #function, Int32(#line), object, message)
    }

    /// Created once; GStreamer owns debug categories for the process' life.
    nonisolated(unsafe) private static let debugCategory = _gst_debug_category_new("kinora", 0, "Kinora plugins")

    private static func setUInt64(_ structure: UnsafeMutablePointer<GstStructure>, _ field: String, _ value: UInt64) {
        // guint64 is `unsigned long` here, which Swift imports as UInt.
        var gvalue = GValue()
        g_value_init(&gvalue, GLibConstants.typeUInt64)
        g_value_set_uint64(&gvalue, guint64(value))
        gst_structure_take_value(structure, field, &gvalue)
    }
}
