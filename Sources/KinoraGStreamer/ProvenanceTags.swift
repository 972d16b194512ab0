import CGStreamer
import KinoraPluginSDK

/// Provenance of generated video as GStreamer tags, so files and players can tell what made
/// it: `application-name` (the generator: "Kinora <plugin id> <version>"), `title` (the
/// prompt) and `comment` ("generator=…; model=…; seed=…; prompt=…", from the element's own
/// properties; mp4mux writes title and comment into the file). Sent once per stream,
/// downstream, as a tag event.
enum ProvenanceTags {
    static func event(for state: ElementState) -> UnsafeMutablePointer<GstEvent>? {
        let manifest = state.plugin.manifest
        let values = state.settings.withLock { $0.values }
        func text(_ name: String) -> String? {
            switch values[name] {
            case .string(let value)?: value
            case .int(let value)?: String(value)
            case .double(let value)?: String(value)
            case .bool(let value)?: String(value)
            case nil: nil
            }
        }
        let generator = "Kinora \(manifest.id) \(manifest.version)"
        let prompt = text(StandardParameters.prompt.name) ?? ""
        var comment = ["generator=\(generator)"]
        if let model = text("model") { comment.append("model=\(model)") }
        if let seed = text("seed") { comment.append("seed=\(seed)") }
        comment.append("prompt=\(prompt)")
        guard let tags = gst_tag_list_new_empty() else { return nil }
        add(tags, "application-name", generator)
        if !prompt.isEmpty { add(tags, "title", prompt) }
        add(tags, "comment", comment.joined(separator: "; "))
        return gst_event_new_tag(tags)
    }

    /// Pushes the tags on `pad` (after its segment: the caller sends them with a stream's
    /// first frames).
    static func push(on pad: UnsafeMutablePointer<GstPad>, state: ElementState) {
        if let event = event(for: state) { _ = gst_pad_push_event(pad, event) }
    }

    private static func add(_ tags: UnsafeMutablePointer<GstTagList>, _ tag: String, _ value: String) {
        var gvalue = GValue()
        g_value_init(&gvalue, GLibConstants.typeString)
        g_value_set_string(&gvalue, value)
        gst_tag_list_add_value(tags, GST_TAG_MERGE_REPLACE, tag, &gvalue)
        g_value_unset(&gvalue)
    }
}
