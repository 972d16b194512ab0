import CGStreamer
import CGStreamerVideo
import Synchronization

/// A job's low-resolution previews: at most one frame every `interval` seconds from the
/// generators' output, scaled down (nearest) to at most `maxSide` pixels on its long side, as
/// packed RGB, handed to `deliver` on the streaming thread.
///
/// Taken from the frames as they leave the generator, before encoding, so a desktop tool can
/// show what is being made without decoding the output. Frames in formats other than packed
/// RGB variants are not previewed (Kinora's elements produce RGB).
final class PreviewTap: Sendable {
    struct Preview: Sendable {
        /// Frames the generators had pushed before this one.
        let frame: UInt64
        let width: UInt32
        let height: UInt32
        /// `width × height × 3` bytes, rows top to bottom.
        let rgb: [UInt8]
    }

    static let maxSide = 64
    private let interval: Double
    private let deliver: @Sendable (Preview) -> Void
    /// Frames seen, and the monotonic time of the last preview.
    private let state = Mutex<(frames: UInt64, last: Double)>((0, -Double.infinity))

    init(watching generators: [UnsafeMutablePointer<GstElement>], interval: Double, deliver: @escaping @Sendable (Preview) -> Void) {
        self.interval = interval
        self.deliver = deliver
        SourcePadProbe.attach(to: generators, probe: Self.probe) { _ in self }
    }

    /// Whether this frame is due for a preview; counts it either way.
    private func due() -> UInt64? {
        let now = monotonicSeconds()
        return state.withLock { state in
            defer { state.frames += 1 }
            guard now - state.last >= interval else { return nil }
            state.last = now
            return state.frames
        }
    }

    private func take(_ buffer: UnsafeMutablePointer<GstBuffer>, pad: UnsafeMutablePointer<GstPad>, frame: UInt64) {
        guard let caps = gst_pad_get_current_caps(pad) else { return }
        defer { gst_caps_unref(caps) }
        var input = GstVideoInfo()
        guard gst_video_info_from_caps(&input, caps) != 0, input.width > 0, input.height > 0 else { return }
        // GStreamer's own converter scales and converts from whatever the generator negotiated
        // (the elements offer RGB and YUV formats) to packed RGB.
        let scale = max(1, (max(Int(input.width), Int(input.height)) + Self.maxSide - 1) / Self.maxSide)
        let width = max(1, Int(input.width) / scale), height = max(1, Int(input.height) / scale)
        var output = GstVideoInfo()
        guard gst_video_info_set_format(&output, GST_VIDEO_FORMAT_RGB, guint(width), guint(height)) != 0 else { return }
        // The converter changes size and format only: the rate must match.
        output.fps_n = input.fps_n
        output.fps_d = input.fps_d
        guard let converter = gst_video_converter_new(&input, &output, nil) else { return }
        defer { gst_video_converter_free(converter) }
        guard let target = gst_buffer_new_allocate(nil, output.size, nil) else { return }
        defer { gst_buffer_unref(target) }
        var source = GstVideoFrame()
        var scaled = GstVideoFrame()
        guard gst_video_frame_map(&source, &input, buffer, GST_MAP_READ) != 0 else { return }
        defer { gst_video_frame_unmap(&source) }
        guard gst_video_frame_map(&scaled, &output, target, GST_MAP_WRITE) != 0 else { return }
        defer { gst_video_frame_unmap(&scaled) }
        gst_video_converter_frame(converter, &source, &scaled)
        guard let pixels = scaled.data.0?.assumingMemoryBound(to: UInt8.self) else { return }
        let stride = Int(scaled.info.stride.0)
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        rgb.withUnsafeMutableBufferPointer { out in
            for row in 0 ..< height {
                (out.baseAddress! + row * width * 3).update(from: pixels + row * stride, count: width * 3)
            }
        }
        deliver(Preview(frame: frame, width: UInt32(width), height: UInt32(height), rgb: rgb))
    }

    private static let probe: GstPadProbeCallback = { pad, info, data in
        guard let pad, let info, let data, let buffer = info.pointee.data?.assumingMemoryBound(to: GstBuffer.self)
        else { return GST_PAD_PROBE_OK }
        let tap = Unmanaged<PreviewTap>.fromOpaque(data).takeUnretainedValue()
        if let frame = tap.due() { tap.take(buffer, pad: pad, frame: frame) }
        return GST_PAD_PROBE_OK
    }
}
