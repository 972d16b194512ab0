import CGStreamer

/// Turns the elements' `kinora-progress` messages into one job's progress.
/// A storyboard has one generator per shot, each counting its own frames, so
/// frames are summed per element and measured against the whole job's frames.
struct ProgressTracker {
    let expectedFrames: UInt64
    private var framesByElement: [String: Double] = [:]

    init(expectedFrames: UInt64) { self.expectedFrames = expectedFrames }

    struct Update {
        let fraction: Double
        let frame: UInt64
        let total: UInt64
    }

    mutating func update(with message: UnsafeMutablePointer<GstMessage>) -> Update? {
        guard let structure = gst_message_get_structure(message),
            gst_structure_has_name(structure, "kinora-progress") != 0
        else { return nil }
        var position = 0.0
        var total: guint64 = 0
        guard gst_structure_get_double(structure, "position", &position) != 0 else { return nil }
        _ = gst_structure_get_uint64(structure, "total-frames", &total)
        let source = Self.name(of: message.pointee.src)
        framesByElement[source] = position
        let made = framesByElement.values.reduce(0, +)
        let whole = expectedFrames > 0 ? expectedFrames : UInt64(total)
        guard whole > 0 else { return Update(fraction: 0, frame: UInt64(made), total: 0) }
        return Update(fraction: min(1, made / Double(whole)), frame: UInt64(made), total: whole)
    }

    private static func name(of object: UnsafeMutablePointer<GstObject>?) -> String {
        guard let object, let name = gst_object_get_name(object) else { return "" }
        defer { g_free(name) }
        return String(cString: name)
    }
}
