import CGStreamer
import CGStreamerVideo

/// Why negotiated caps cannot be produced.
struct FrameConversionError: Error, CustomStringConvertible {
    let description: String
}

/// Plugins make packed RGB; this turns their frames into buffers of the
/// negotiated format (RGB as it is, I420 through GstVideoConverter).
enum FrameConversion {
    static func configure(
        _ stream: inout ElementState.Stream, caps: UnsafePointer<GstCaps>, requireRate: Bool = true
    ) throws(FrameConversionError) {
        var output = GstVideoInfo()
        guard gst_video_info_from_caps(&output, caps) != 0 else {
            throw FrameConversionError(description: "caps are not raw video")
        }
        let format = output.finfo.pointee.format
        guard format == GST_VIDEO_FORMAT_RGB || format == GST_VIDEO_FORMAT_I420 else {
            throw FrameConversionError(description: "format must be RGB or I420")
        }
        guard !requireRate || (output.fps_n > 0 && output.fps_d > 0) else {
            throw FrameConversionError(description: "the frame rate must be positive, not \(output.fps_n)/\(output.fps_d)")
        }
        var rgb = GstVideoInfo()
        gst_video_info_init(&rgb)
        guard gst_video_info_set_format(&rgb, GST_VIDEO_FORMAT_RGB, UInt32(output.width), UInt32(output.height)) != 0 else {
            throw FrameConversionError(description: "no RGB layout for \(output.width)x\(output.height)")
        }
        rgb.fps_n = output.fps_n
        rgb.fps_d = output.fps_d
        if let converter = stream.converter { gst_video_converter_free(converter) }
        stream.converter = nil
        if format != GST_VIDEO_FORMAT_RGB {
            guard let converter = gst_video_converter_new(&rgb, &output, nil) else {
                throw FrameConversionError(description: "no converter from RGB to the negotiated format")
            }
            stream.converter = converter
        }
        stream.rgbInfo = rgb
        stream.outputInfo = output
        stream.negotiated = true
    }

    /// A buffer of the negotiated format holding the RGB frame at `frame`.
    static func buffer(
        from frame: UnsafeRawBufferPointer, stream: inout ElementState.Stream
    ) -> UnsafeMutablePointer<GstBuffer>? {
        guard let rgbBuffer = gst_buffer_new_allocate(nil, stream.rgbInfo.size, nil) else { return nil }
        gst_buffer_fill(rgbBuffer, 0, frame.baseAddress, min(gsize(frame.count), stream.rgbInfo.size))
        guard let converter = stream.converter else { return rgbBuffer }
        defer { gst_mini_object_unref(UnsafeMutableRawPointer(rgbBuffer).assumingMemoryBound(to: GstMiniObject.self)) }
        guard let outBuffer = gst_buffer_new_allocate(nil, stream.outputInfo.size, nil) else { return nil }
        var source = GstVideoFrame()
        var destination = GstVideoFrame()
        guard gst_video_frame_map(&source, &stream.rgbInfo, rgbBuffer, GST_MAP_READ) != 0 else { return nil }
        defer { gst_video_frame_unmap(&source) }
        guard gst_video_frame_map(&destination, &stream.outputInfo, outBuffer, GST_MAP_WRITE) != 0 else { return nil }
        gst_video_converter_frame(converter, &source, &destination)
        gst_video_frame_unmap(&destination)
        return outBuffer
    }

    /// Timestamps frame `frame` of a stream at the negotiated rate.
    static func stamp(_ buffer: UnsafeMutablePointer<GstBuffer>, frame: UInt64, info: GstVideoInfo) {
        let numerator = guint64(info.fps_n)
        let denominator = guint64(info.fps_d)
        let index = guint64(frame)
        let start = gst_util_uint64_scale(index, GLibConstants.second * denominator, numerator)
        let end = gst_util_uint64_scale(index + 1, GLibConstants.second * denominator, numerator)
        buffer.pointee.pts = start
        buffer.pointee.dts = start
        buffer.pointee.duration = end - start
        buffer.pointee.offset = index
        buffer.pointee.offset_end = index + 1
    }
}
