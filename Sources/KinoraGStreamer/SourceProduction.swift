import CGStreamer
import CGStreamerBase
import CGStreamerVideo
import KinoraHost
import KinoraPluginSDK

/// One call of the source element's `create`: make sure an instance runs,
/// refill the block of frames when it is used up, and push the next frame
/// with its timestamps. Runs on the streaming thread only.
struct SourceProduction {
    let state: ElementState
    let element: UnsafeMutablePointer<GstElement>

    func next(into output: UnsafeMutablePointer<UnsafeMutablePointer<GstBuffer>?>) -> GstFlowReturn {
        guard state.stream.negotiated else {
            ElementMessages.postError(
                element, domain: gst_core_error_quark(), code: Int32(GST_CORE_ERROR_NEGOTIATION.rawValue),
                text: "\(state.plugin.manifest.elementName) was asked for a frame before caps were negotiated",
                debug: "")
            return GST_FLOW_NOT_NEGOTIATED
        }
        if let total = state.stream.totalFrames, state.stream.frameIndex >= total {
            return GST_FLOW_EOS
        }
        if state.stream.queuedNext >= state.stream.queuedCount {
            let flow = refill()
            guard flow == GST_FLOW_OK else { return flow }
        }
        let frameSize = Int(state.stream.rgbInfo.size)
        let offset = state.stream.queuedNext * frameSize
        let made: UnsafeMutablePointer<GstBuffer>? = state.stream.queued.withUnsafeBytes { bytes in
            FrameConversion.buffer(
                from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + frameSize]), stream: &state.stream)
        }
        guard let buffer = made else {
            ElementMessages.postLibraryError(element, text: "Could not allocate or convert a video frame.")
            return GST_FLOW_ERROR
        }
        FrameConversion.stamp(buffer, frame: state.stream.frameIndex, info: state.stream.outputInfo)
        if !state.stream.tagsSent, let tags = ProvenanceTags.event(for: state) {
            // Through GstBaseSrc's own send_event, which queues it to go after the segment,
            // before this frame. Not gst_element_send_event: it takes the state lock, and a
            // state change waiting for this streaming thread would deadlock with it.
            state.stream.tagsSent = true
            let elementClass = ObjectLayout.classOf(UnsafeMutableRawPointer(element))?.assumingMemoryBound(to: GstElementClass.self)
            if let sendEvent = elementClass?.pointee.send_event {
                _ = sendEvent(element, tags)
            } else {
                gst_mini_object_unref(UnsafeMutableRawPointer(tags).assumingMemoryBound(to: GstMiniObject.self))
            }
        }
        state.stream.queuedNext += 1
        state.stream.frameIndex += 1
        output.pointee = buffer
        return GST_FLOW_OK
    }

    /// Asks the plugin for its next block of frames.
    private func refill() -> GstFlowReturn {
        guard let instance = instanceOrError() else { return GST_FLOW_ERROR }
        do throws(PluginCallError) {
            try state.applyPendingChanges(to: instance)
            var count = Int(state.plugin.manifest.preferredBlockFrames)
            if let total = state.stream.totalFrames {
                count = Int(min(UInt64(count), total - state.stream.frameIndex))
            }
            let frameSize = Int(state.stream.rgbInfo.size)
            if state.stream.queued.count < count * frameSize {
                state.stream.queued = [UInt8](repeating: 0, count: count * frameSize)
            }
            let stride = Int(state.stream.rgbInfo.stride.0)
            let first = state.stream.frameIndex
            let pluginID = state.plugin.id
            let total = state.stream.totalFrames ?? 0
            let element = self.element
            try state.stream.queued.withUnsafeMutableBufferPointer { pixels throws(PluginCallError) in
                guard let base = pixels.baseAddress else { throw .failed(plugin: pluginID, message: "no frame memory") }
                try instance.produce(
                    firstFrame: first, frameCount: count, pixels: base, stride: stride, frameSize: frameSize,
                    progress: { fraction in
                        ElementMessages.postProgress(element, position: Double(first) + fraction * Double(count), totalFrames: total)
                    },
                    log: { level, message in ElementMessages.log(element, level: level, message: message) })
            }
            ElementMessages.postProgress(element, position: Double(first) + Double(count), totalFrames: total)
            state.stream.queuedCount = count
            state.stream.queuedNext = 0
            return GST_FLOW_OK
        } catch .cancelled {
            return GST_FLOW_FLUSHING
        } catch {
            ElementMessages.postLibraryError(
                element, text: "Kinora plugin '\(state.plugin.id)' could not make frames: \(error)",
                debug: "plugin file \(state.plugin.file)")
            return GST_FLOW_ERROR
        }
    }

    /// The running instance, created on first use with the negotiated size
    /// and the frame count the duration asks for.
    private func instanceOrError() -> PluginInstance? {
        if state.running.withLock({ $0 }) == nil {
            state.stream.totalFrames = state.totalFramesFromDuration()
        }
        do throws(PluginCallError) {
            return try state.instance(totalFrames: state.stream.totalFrames)
        } catch {
            ElementMessages.postSettingsError(
                element, text: "Kinora plugin '\(state.plugin.id)' could not start: \(error)",
                debug: "plugin file \(state.plugin.file)")
            return nil
        }
    }
}
