import CGStreamer
import KinoraPluginSDK

/// The caps a source element offers, and how it picks one when
/// downstream leaves a choice: the plugin's preferred size and rate, RGB.
enum CapsDescription {
    static let formats = ["RGB", "I420"]

    static func template(for frames: FrameLimits) -> String {
        "video/x-raw, format=(string){ \(formats.joined(separator: ", ")) }, "
            + "width=(int)[ \(frames.widths.lowerBound), \(frames.widths.upperBound) ], "
            + "height=(int)[ \(frames.heights.lowerBound), \(frames.heights.upperBound) ], "
            + "framerate=(fraction)[ 1/1, \(frames.maxFramesPerSecond)/1 ]"
    }

    /// Filters take and give RGB at the same size; a still image has rate 0/1.
    static func rgbTemplate(for frames: FrameLimits) -> String {
        "video/x-raw, format=(string)RGB, "
            + "width=(int)[ \(frames.widths.lowerBound), \(frames.widths.upperBound) ], "
            + "height=(int)[ \(frames.heights.lowerBound), \(frames.heights.upperBound) ], "
            + "framerate=(fraction)[ 0/1, \(frames.maxFramesPerSecond)/1 ]"
    }

    /// Sink and source templates of the filter kinds: RGB in, RGB out.
    static func rgbPadTemplates(for frames: FrameLimits) -> [(name: String, direction: GstPadDirection, caps: String)] {
        let caps = rgbTemplate(for: frames)
        return [("sink", GST_PAD_SINK, caps), ("src", GST_PAD_SRC, caps)]
    }

    static func fixate(_ caps: UnsafeMutablePointer<GstCaps>, preferring frames: FrameLimits) -> UnsafeMutablePointer<GstCaps>? {
        // gst_caps_make_writable is a macro over gst_mini_object_make_writable.
        let miniObject = UnsafeMutableRawPointer(caps).assumingMemoryBound(to: GstMiniObject.self)
        guard let writable = gst_mini_object_make_writable(miniObject) else { return caps }
        let fixed = UnsafeMutableRawPointer(writable).assumingMemoryBound(to: GstCaps.self)
        guard let truncated = gst_caps_truncate(fixed) else { return nil }
        if let structure = gst_caps_get_structure(truncated, 0) {
            gst_structure_fixate_field_nearest_int(structure, "width", Int32(frames.defaultWidth))
            gst_structure_fixate_field_nearest_int(structure, "height", Int32(frames.defaultHeight))
            gst_structure_fixate_field_nearest_fraction(structure, "framerate", Int32(frames.defaultFramesPerSecond), 1)
            gst_structure_fixate_field_string(structure, "format", "RGB")
        }
        return gst_caps_fixate(truncated)
    }
}
