import CGStreamer
import KinoraGStreamer
import KinoraHost
import Synchronization
import XCTest

/// A property marked mutable-while-playing, changed while the pipeline
/// runs, reaches the plugin at its next block: frames already made keep the
/// old value. Real GStreamer, the real test-scene plugin from the build.
final class LiveChangeTests: XCTestCase {
    /// What the pad probe saw; filled on the streaming thread.
    final class Observations: Sendable {
        let firstPixels = Mutex<[[UInt8]]>([])
        let element: Mutex<Int> = Mutex(0)
    }

    fileprivate static let registered: Bool = {
        gst_init(nil, nil)
        let root = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        let registry = PluginRegistry(
            searchPath: PluginSearchPath(entries: [.init(directory: "/" + root + "/.build/debug", namePrefix: "libkinora-")]))
        return ElementRegistrar.registerInProcess(registry: registry)
    }()

    /// A parsed pipeline, one of its elements and that element's pad; `release` drops the
    /// three references the test holds.
    struct ProbedPipeline {
        let pipeline: UnsafeMutablePointer<GstElement>
        let element: UnsafeMutablePointer<GstElement>
        let pad: UnsafeMutablePointer<GstPad>

        init(_ description: String, element name: String, pad padName: String) throws {
            XCTAssertTrue(LiveChangeTests.registered)
            var error: UnsafeMutablePointer<GError>? = nil
            pipeline = try XCTUnwrap(gst_parse_launch(description, &error), "parse failed")
            let bin = UnsafeMutableRawPointer(pipeline).assumingMemoryBound(to: GstBin.self)
            element = try XCTUnwrap(gst_bin_get_by_name(bin, name))
            pad = try XCTUnwrap(gst_element_get_static_pad(element, padName))
        }

        func release() {
            gst_object_unref(pad)
            gst_object_unref(element)
            gst_object_unref(pipeline)
        }
    }

    func testBackgroundChangedWhilePlayingAppliesFromTheNextBlock() throws {
        let probed = try ProbedPipeline(
            "kinoratestscene name=scene num-buffers=12 background=0x000000 "
                + "! video/x-raw,format=RGB,width=32,height=32,framerate=10/1 ! fakesink",
            element: "scene", pad: "src")
        defer { probed.release() }
        let (pipeline, scene, pad) = (probed.pipeline, probed.element, probed.pad)

        let observations = Observations()
        observations.element.withLock { $0 = Int(bitPattern: UnsafeMutableRawPointer(scene)) }
        let probe: GstPadProbeCallback = { _, info, data in
            guard let info, let data, let buffer = info.pointee.data else { return GST_PAD_PROBE_OK }
            let seen = Unmanaged<Observations>.fromOpaque(data).takeUnretainedValue()
            var pixel = [UInt8](repeating: 0, count: 3)
            _ = gst_buffer_extract(buffer.assumingMemoryBound(to: GstBuffer.self), 0, &pixel, 3)
            let count = seen.firstPixels.withLock { pixels in
                pixels.append(pixel)
                return pixels.count
            }
            if count == 2, let element = UnsafeMutableRawPointer(bitPattern: seen.element.withLock { $0 }) {
                // Frame 1 has left the element; its block (frames 1-4) is already made.
                var value = GValue()
                g_value_init(&value, GType(6 << 2))  // G_TYPE_INT
                g_value_set_int(&value, 0x00FF00)
                g_object_set_property(element.assumingMemoryBound(to: GObject.self), "background", &value)
                g_value_unset(&value)
            }
            return GST_PAD_PROBE_OK
        }
        _ = withExtendedLifetime(observations) {
            gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, probe, Unmanaged.passUnretained(observations).toOpaque(), nil)
        }

        XCTAssertNotEqual(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE)
        let bus = try XCTUnwrap(gst_element_get_bus(pipeline))
        defer { gst_object_unref(bus) }
        let message = gst_bus_timed_pop_filtered(
            bus, 10_000_000_000, GstMessageType(GST_MESSAGE_EOS.rawValue | GST_MESSAGE_ERROR.rawValue))
        XCTAssertEqual(message?.pointee.type, GST_MESSAGE_EOS)
        if let message { gst_message_unref(message) }
        gst_element_set_state(pipeline, GST_STATE_NULL)

        let pixels = withExtendedLifetime(observations) { observations.firstPixels.withLock { $0 } }
        XCTAssertEqual(pixels.count, 12)
        // A source's first block is one frame, then test-scene's blocks of 4: frames 0 and
        // 1-4 were made before the change, 5 on after it.
        XCTAssertEqual(Array(pixels.prefix(5)), Array(repeating: [0, 0, 0], count: 5))
        XCTAssertEqual(Array(pixels.dropFirst(5)), Array(repeating: [0, 255, 0], count: 7))
    }

    /// A live source paused and resumed mid-block, then stopped mid-block: its generator
    /// thread is cancelled and replaced without a deadlock, frames flow again after the
    /// resume, and NULL returns promptly.
    func testLiveSourcePausedResumedAndStoppedMidBlock() throws {
        let probed = try ProbedPipeline(
            "kinoratestscene name=scene is-live=true frame-delay=40 "
                + "! video/x-raw,format=RGB,width=32,height=32,framerate=25/1 ! fakesink name=sink sync=true",
            element: "sink", pad: "sink")
        defer { probed.release() }
        let (pipeline, pad) = (probed.pipeline, probed.pad)
        let frames = Frames()
        let probe: GstPadProbeCallback = { _, _, data in
            guard let data else { return GST_PAD_PROBE_OK }
            Unmanaged<Frames>.fromOpaque(data).takeUnretainedValue().count.withLock { $0 += 1 }
            return GST_PAD_PROBE_OK
        }
        _ = gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, probe, Unmanaged.passUnretained(frames).toOpaque(), nil)

        func settle(_ state: GstState) {
            _ = gst_element_set_state(pipeline, state)
            _ = gst_element_get_state(pipeline, nil, nil, 5_000_000_000)
        }
        try withExtendedLifetime(frames) {
            settle(GST_STATE_PLAYING)
            Thread.sleep(forTimeInterval: 0.5)
            settle(GST_STATE_PAUSED)  // mid-block: 4 frames of 40 ms each are being made
            let paused = frames.count.withLock { $0 }
            XCTAssertGreaterThan(paused, 0, "frames flowed before the pause")
            Thread.sleep(forTimeInterval: 0.3)
            settle(GST_STATE_PLAYING)
            Thread.sleep(forTimeInterval: 0.6)
            XCTAssertGreaterThan(frames.count.withLock { $0 }, paused, "frames flow again after the resume")
            let start = Date()
            settle(GST_STATE_NULL)  // mid-block again
            XCTAssertLessThan(Date().timeIntervalSince(start), 5, "NULL returns promptly (cancelled within a frame of 40 ms; 5 s allows a loaded machine)")
            let bus = try XCTUnwrap(gst_element_get_bus(pipeline))
            defer { gst_object_unref(bus) }
            let failure = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)
            XCTAssertNil(failure, "no element error")
            if let failure { gst_message_unref(failure) }
        }
    }

    final class Frames: Sendable {
        let count = Mutex(0)
    }
}
