import CGStreamer

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

    /// Posts `kinora-progress, frame=(guint64)N, total-frames=(guint64)M`
    /// after each frame leaves the element, so an application (kinorad) can
    /// follow a job without querying positions through an encoder.
    static func postProgress(_ element: UnsafeMutablePointer<GstElement>, frame: UInt64, totalFrames: UInt64) {
        guard let structure = gst_structure_new_empty("kinora-progress") else { return }
        setUInt64(structure, "frame", frame)
        setUInt64(structure, "total-frames", totalFrames)
        let object = UnsafeMutableRawPointer(element).assumingMemoryBound(to: GstObject.self)
        if let message = gst_message_new_element(object, structure) {
            gst_element_post_message(element, message)
        }
    }

    private static func setUInt64(_ structure: UnsafeMutablePointer<GstStructure>, _ field: String, _ value: UInt64) {
        // guint64 is `unsigned long` here, which Swift imports as UInt.
        var gvalue = GValue()
        g_value_init(&gvalue, GLibConstants.typeUInt64)
        g_value_set_uint64(&gvalue, guint64(value))
        gst_structure_take_value(structure, field, &gvalue)
    }
}
