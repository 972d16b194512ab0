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

    /// Makes the next block of frames: on this thread, or, for a live source, takes the one
    /// the generator thread made ahead (`BlockProducer`).
    private func refill() -> GstFlowReturn {
        let live = gst_base_src_is_live(UnsafeMutableRawPointer(element).assumingMemoryBound(to: GstBaseSrc.self)) != 0
        if live { return refillFromProducer() }
        guard let instance = instanceOrError() else { return GST_FLOW_ERROR }
        do throws(PluginCallError) {
            guard let count = try recipe(instance).make(first: state.stream.frameIndex, into: &state.stream.queued) else {
                return GST_FLOW_EOS
            }
            state.stream.queuedCount = count
            state.stream.queuedNext = 0
            return GST_FLOW_OK
        } catch {
            return failed(error)
        }
    }

    private func refillFromProducer() -> GstFlowReturn {
        if state.stream.producer == nil {
            guard let instance = instanceOrError() else { return GST_FLOW_ERROR }
            let recipe = recipe(instance)
            state.stream.producer = BlockProducer(startingAt: state.stream.frameIndex) { first, pixels throws(PluginCallError) in
                try recipe.make(first: first, into: &pixels)
            }
        }
        guard let producer = state.stream.producer else { return GST_FLOW_ERROR }
        switch producer.take() {
        case .block(let block):
            let used = state.stream.queued
            state.stream.queued = block.pixels
            producer.recycle(used)
            state.stream.queuedCount = block.count
            state.stream.queuedNext = 0
            return GST_FLOW_OK
        case .ended:
            state.dropInstance()
            return GST_FLOW_EOS
        case .failed(let error):
            state.dropInstance()
            return failed(error)
        }
    }

    private func failed(_ error: PluginCallError) -> GstFlowReturn {
        if error == .cancelled { return GST_FLOW_FLUSHING }
        ElementMessages.postLibraryError(
            element, text: "Kinora plugin '\(state.plugin.id)' could not make frames: \(error)",
            debug: "plugin file \(state.plugin.file)")
        return GST_FLOW_ERROR
    }

    private func recipe(_ instance: PluginInstance) -> BlockRecipe {
        BlockRecipe(
            state: state, element: element, instance: instance, frameSize: Int(state.stream.rgbInfo.size),
            stride: Int(state.stream.rgbInfo.stride.0), totalFrames: state.stream.totalFrames,
            blockFrames: Int(state.plugin.manifest.preferredBlockFrames))
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

/// How to make one block of a stream, fixed when the stream's caps and instance are: so that a
/// generator thread never reads what the streaming thread owns.
struct BlockRecipe: @unchecked Sendable {  // the element outlives its streams; the state is thread-safe where used
    let state: ElementState
    let element: UnsafeMutablePointer<GstElement>
    let instance: PluginInstance
    let frameSize: Int
    let stride: Int
    let totalFrames: UInt64?
    let blockFrames: Int

    /// Fills `pixels` with the block starting at `first`; nil past the stream's last frame.
    func make(first: UInt64, into pixels: inout [UInt8]) throws(PluginCallError) -> Int? {
        // The first block is one frame: it goes out as soon as the plugin has it (a diffusion
        // plugin makes a whole first chunk for it, which the following blocks then use).
        var count = first == 0 ? 1 : blockFrames
        if let total = totalFrames {
            guard first < total else { return nil }
            count = Int(min(UInt64(count), total - first))
        }
        try state.applyPendingChanges(to: instance)
        if pixels.count < count * frameSize {
            pixels = [UInt8](repeating: 0, count: count * frameSize)
        }
        let (element, total, pluginID) = (element, totalFrames ?? 0, state.plugin.id)
        try pixels.withUnsafeMutableBufferPointer { pixels throws(PluginCallError) in
            guard let base = pixels.baseAddress else { throw .failed(plugin: pluginID, message: "no frame memory") }
            try instance.produce(
                firstFrame: first, frameCount: count, pixels: base, stride: stride, frameSize: frameSize,
                progress: { fraction in
                    ElementMessages.postProgress(element, position: Double(first) + fraction * Double(count), totalFrames: total)
                },
                log: { level, message in ElementMessages.log(element, level: level, message: message) })
        }
        ElementMessages.postProgress(element, position: Double(first) + Double(count), totalFrames: total)
        return count
    }
}
