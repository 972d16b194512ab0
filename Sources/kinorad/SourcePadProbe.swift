import CGStreamer

/// Buffer probes on the `src` pads of a job's generators (the Kinora elements), each holding
/// its context object retained until GStreamer removes the probe with its pad.
enum SourcePadProbe {
    /// `context(i)` is the object generator i's probe receives as its user data.
    static func attach(
        to generators: [UnsafeMutablePointer<GstElement>], probe: GstPadProbeCallback, context: (Int) -> AnyObject
    ) {
        for (index, generator) in generators.enumerated() {
            guard let pad = gst_element_get_static_pad(generator, "src") else { continue }
            defer { gst_object_unref(pad) }
            gst_pad_add_probe(
                pad, GST_PAD_PROBE_TYPE_BUFFER, probe, Unmanaged.passRetained(context(index)).toOpaque(),
                { object in object.map { Unmanaged<AnyObject>.fromOpaque($0).release() } })
        }
    }
}
