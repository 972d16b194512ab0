import CGStreamer
import CGStreamerVideo
import KinoraHost
import KinoraPluginSDK

/// The work of an image-to-video element: agree output caps with
/// downstream when the image's caps arrive, then turn the one image into a
/// stream of frames, block by block, pushed from the upstream thread.
struct AnimateProduction {
    let state: ElementState
    let element: UnsafeMutablePointer<GstElement>

    /// Output: the image's size in RGB, at a rate downstream accepts
    /// (the plugin's default when it does not care).
    func negotiate(imageCaps: UnsafeMutablePointer<GstCaps>) -> Bool {
        var image = GstVideoInfo()
        guard let sourcePad = state.sourcePad, gst_video_info_from_caps(&image, imageCaps) != 0 else { return false }
        let frames = state.plugin.manifest.frames
        let proposal =
            "video/x-raw, format=(string)RGB, width=(int)\(image.width), height=(int)\(image.height), "
            + "framerate=(fraction)[ 1/1, \(frames.maxFramesPerSecond)/1 ]"
        guard let proposed = gst_caps_from_string(proposal) else { return false }
        defer { unref(proposed) }
        guard let peer = gst_pad_peer_query_caps(sourcePad, proposed) else { return false }
        guard gst_caps_is_empty(peer) == 0, let fixed = CapsDescription.fixate(peer, preferring: frames) else {
            unref(peer)
            ElementMessages.postError(
                element, domain: gst_core_error_quark(), code: Int32(GST_CORE_ERROR_NEGOTIATION.rawValue),
                text: "Downstream of \(state.plugin.manifest.elementName) accepts no RGB video of \(image.width)x\(image.height)",
                debug: proposal)
            return false
        }
        defer { unref(fixed) }
        do throws(FrameConversionError) {
            try FrameConversion.configure(&state.stream, caps: fixed)
        } catch {
            return false
        }
        state.running.withLock { $0 = nil }
        return gst_pad_push_event(sourcePad, gst_event_new_caps(fixed)) != 0
    }

    /// Takes the first buffer as the image and pushes the whole stream made
    /// from it; later buffers are dropped (one image, one clip).
    func animate(image buffer: UnsafeMutablePointer<GstBuffer>) -> GstFlowReturn {
        defer { unref(buffer) }
        guard state.stream.negotiated, let sourcePad = state.sourcePad else { return GST_FLOW_NOT_NEGOTIATED }
        guard !state.stream.imageReceived else { return GST_FLOW_OK }
        let frameSize = Int(state.stream.rgbInfo.size)
        var image = [UInt8](repeating: 0, count: frameSize)
        guard gst_buffer_extract(buffer, 0, &image, gsize(frameSize)) == gsize(frameSize) else {
            ElementMessages.postLibraryError(element, text: "The image is smaller than its caps say.")
            return GST_FLOW_ERROR
        }
        state.stream.image = image
        state.stream.imageReceived = true
        let total = state.totalFramesFromDuration()
        let blockFrames = Int(state.plugin.manifest.preferredBlockFrames)
        var block = [UInt8]()
        do throws(PluginCallError) {
            let instance = try state.instance(totalFrames: total)
            while total.map({ state.stream.frameIndex < $0 }) ?? true {
                try state.applyPendingChanges(to: instance)
                let count = total.map { Int(min(UInt64(blockFrames), $0 - state.stream.frameIndex)) } ?? blockFrames
                if block.count < count * frameSize { block = [UInt8](repeating: 0, count: count * frameSize) }
                let first = state.stream.frameIndex
                let stride = Int(state.stream.rgbInfo.stride.0)
                let pluginID = state.plugin.id
                try block.withUnsafeMutableBufferPointer { pixels throws(PluginCallError) in
                    guard let base = pixels.baseAddress else { throw .failed(plugin: pluginID, message: "no frame memory") }
                    try image.withUnsafeBufferPointer { input throws(PluginCallError) in
                        try instance.produce(
                            firstFrame: first, frameCount: count, pixels: base, stride: stride, frameSize: frameSize,
                            input: input.baseAddress, inputCount: 1,
                            progress: { fraction in
                                ElementMessages.postProgress(
                                    element, position: Double(first) + fraction * Double(count), totalFrames: total ?? 0)
                            },
                            log: { level, message in ElementMessages.log(element, level: level, message: message) })
                    }
                }
                ElementMessages.postProgress(element, position: Double(first + UInt64(count)), totalFrames: total ?? 0)
                for index in 0..<count {
                    let made = block.withUnsafeBytes { bytes in
                        FrameConversion.buffer(
                            from: UnsafeRawBufferPointer(rebasing: bytes[(index * frameSize)..<((index + 1) * frameSize)]),
                            stream: &state.stream)
                    }
                    guard let frame = made else { return GST_FLOW_ERROR }
                    FrameConversion.stamp(frame, frame: state.stream.frameIndex, info: state.stream.outputInfo)
                    if !state.stream.tagsSent {
                        state.stream.tagsSent = true
                        ProvenanceTags.push(on: sourcePad, state: state)
                    }
                    state.stream.frameIndex += 1
                    let flow = gst_pad_push(sourcePad, frame)
                    guard flow == GST_FLOW_OK else { return flow }
                }
            }
            return GST_FLOW_OK
        } catch .cancelled {
            return GST_FLOW_FLUSHING
        } catch {
            ElementMessages.postLibraryError(
                element, text: "Kinora plugin '\(state.plugin.id)' could not animate the image: \(error)",
                debug: "plugin file \(state.plugin.file)")
            return GST_FLOW_ERROR
        }
    }

    private func unref<T>(_ object: UnsafeMutablePointer<T>) {
        gst_mini_object_unref(UnsafeMutableRawPointer(object).assumingMemoryBound(to: GstMiniObject.self))
    }
}
