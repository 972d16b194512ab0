import CGStreamer
import CGStreamerBase
import CGStreamerVideo
import KinoraHost
import KinoraPluginSDK

/// The work of a video-to-video element, in blocks: incoming frames wait until a block of
/// the plugin's `preferredBlockFrames` is full (a diffusion chunk), the plugin makes one
/// output frame per input frame with the input's timestamps, and GstBaseTransform pushes
/// them. At end of stream the partial block is made, then the plugin may add frames after
/// the input (clip extension), stamped to continue the input's timeline.
/// Streaming thread only.
struct FilterProduction {
    let state: ElementState
    let element: UnsafeMutablePointer<GstElement>

    /// submit_input_buffer: takes ownership of `input`.
    func submit(_ input: UnsafeMutablePointer<GstBuffer>) -> GstFlowReturn {
        guard state.stream.negotiated else {
            unref(input)
            return GST_FLOW_NOT_NEGOTIATED
        }
        if input.pointee.pts != GLibConstants.clockTimeNone {
            let duration = input.pointee.duration != GLibConstants.clockTimeNone ? input.pointee.duration : frameDuration()
            state.stream.inputFrameDuration = duration
            state.stream.inputEnd = input.pointee.pts + duration
        }
        state.stream.pendingInputs.append(input)
        guard state.stream.pendingInputs.count >= blockFrames else { return GST_FLOW_OK }
        return makeBlock()
    }

    /// generate_output: the next made frame, or none until the next block is made.
    func nextOutput(_ output: UnsafeMutablePointer<UnsafeMutablePointer<GstBuffer>?>) -> GstFlowReturn {
        output.pointee = state.stream.readyOutputs.isEmpty ? nil : state.stream.readyOutputs.removeFirst()
        return GST_FLOW_OK
    }

    /// At end of stream: the frames still waiting, then what the plugin adds after the input,
    /// all pushed on `sourcePad` before the EOS event goes on.
    func drain(sourcePad: UnsafeMutablePointer<GstPad>) -> GstFlowReturn {
        guard state.stream.negotiated else { return GST_FLOW_OK }
        if !state.stream.pendingInputs.isEmpty {
            let flow = makeBlock()
            guard flow == GST_FLOW_OK else { return flow }
        }
        var flow = pushReady(sourcePad)
        while flow == GST_FLOW_OK {
            let (made, result) = makeEndOfInputBlock()
            guard result == GST_FLOW_OK else { return result }
            if made == 0 { break }
            flow = pushReady(sourcePad)
        }
        return flow
    }

    private var blockFrames: Int { max(1, Int(state.plugin.manifest.preferredBlockFrames)) }

    private func frameDuration() -> GstClockTime {
        let info = state.stream.rgbInfo
        if info.fps_n > 0 && info.fps_d > 0 {
            return gst_util_uint64_scale(GLibConstants.second, guint64(info.fps_d), guint64(info.fps_n))
        }
        return state.stream.inputFrameDuration > 0 ? state.stream.inputFrameDuration : GLibConstants.second / 8
    }

    private func pushReady(_ sourcePad: UnsafeMutablePointer<GstPad>) -> GstFlowReturn {
        while !state.stream.readyOutputs.isEmpty {
            let flow = gst_pad_push(sourcePad, state.stream.readyOutputs.removeFirst())
            guard flow == GST_FLOW_OK else { return flow }
        }
        return GST_FLOW_OK
    }

    /// Runs the plugin on the waiting input frames; the outputs keep the inputs' timestamps.
    private func makeBlock() -> GstFlowReturn {
        let inputs = state.stream.pendingInputs
        state.stream.pendingInputs = []
        defer { inputs.forEach(unref) }
        let frameSize = Int(state.stream.rgbInfo.size)
        var inputPixels = [UInt8](repeating: 0, count: inputs.count * frameSize)
        for (index, buffer) in inputs.enumerated() {
            let copied = inputPixels.withUnsafeMutableBytes { bytes in
                gst_buffer_extract(buffer, 0, bytes.baseAddress! + index * frameSize, gsize(frameSize))
            }
            guard Int(copied) == frameSize else {
                ElementMessages.postLibraryError(element, text: "A video frame is smaller than its caps say.")
                return GST_FLOW_ERROR
            }
        }
        let (made, flow) = run(frameCount: inputs.count, input: inputPixels)
        guard flow == GST_FLOW_OK else { return flow }
        for (index, buffer) in made.enumerated() where index < inputs.count {
            buffer.pointee.pts = inputs[index].pointee.pts
            buffer.pointee.dts = inputs[index].pointee.dts
            buffer.pointee.duration = inputs[index].pointee.duration
            buffer.pointee.offset = inputs[index].pointee.offset
            buffer.pointee.offset_end = inputs[index].pointee.offset_end
        }
        sendTagsOnce()
        state.stream.readyOutputs += made
        return GST_FLOW_OK
    }

    /// Provenance tags, before the first frame the plugin made.
    private func sendTagsOnce() {
        guard !state.stream.tagsSent, let sourcePad = state.sourcePad ?? srcPad() else { return }
        state.stream.tagsSent = true
        ProvenanceTags.push(on: sourcePad, state: state)
    }

    private func srcPad() -> UnsafeMutablePointer<GstPad>? {
        UnsafeMutableRawPointer(element).assumingMemoryBound(to: GstBaseTransform.self).pointee.srcpad
    }

    /// Asks the plugin for frames after the input; returns how many it made.
    private func makeEndOfInputBlock() -> (Int, GstFlowReturn) {
        let (made, flow) = run(frameCount: blockFrames, input: nil)
        guard flow == GST_FLOW_OK else { return (0, flow) }
        let duration = frameDuration()
        for buffer in made {
            buffer.pointee.pts = state.stream.inputEnd
            buffer.pointee.dts = state.stream.inputEnd
            buffer.pointee.duration = duration
            state.stream.inputEnd += duration
        }
        if !made.isEmpty { sendTagsOnce() }
        state.stream.readyOutputs += made
        return (made.count, GST_FLOW_OK)
    }

    /// One produce call; the frames it made as RGB buffers.
    private func run(frameCount: Int, input: [UInt8]?) -> ([UnsafeMutablePointer<GstBuffer>], GstFlowReturn) {
        let frameSize = Int(state.stream.rgbInfo.size)
        var output = [UInt8](repeating: 0, count: frameCount * frameSize)
        let first = state.stream.frameIndex
        let pluginID = state.plugin.id
        let element = self.element
        do throws(PluginCallError) {
            let instance = try state.instance(totalFrames: state.totalFramesFromDuration())
            try state.applyPendingChanges(to: instance)
            let stride = Int(state.stream.rgbInfo.stride.0)
            let made = try output.withUnsafeMutableBufferPointer { pixels throws(PluginCallError) -> Int in
                guard let base = pixels.baseAddress else { throw .failed(plugin: pluginID, message: "no frame memory") }
                let call = { (inputBase: UnsafePointer<UInt8>?) throws(PluginCallError) -> Int in
                    try instance.produce(
                        firstFrame: first, frameCount: frameCount, pixels: base, stride: stride, frameSize: frameSize,
                        input: inputBase, inputCount: inputBase == nil ? 0 : frameCount,
                        progress: { fraction in
                            ElementMessages.postProgress(element, position: Double(first) + fraction * Double(frameCount), totalFrames: 0)
                        },
                        log: { level, message in ElementMessages.log(element, level: level, message: message) })
                }
                guard let input else { return try call(nil) }
                return try input.withUnsafeBufferPointer { bytes throws(PluginCallError) in try call(bytes.baseAddress) }
            }
            var buffers: [UnsafeMutablePointer<GstBuffer>] = []
            for index in 0..<made {
                guard let buffer = gst_buffer_new_allocate(nil, gsize(frameSize), nil) else {
                    buffers.forEach(unref)
                    ElementMessages.postLibraryError(element, text: "Could not allocate a video frame.")
                    return ([], GST_FLOW_ERROR)
                }
                output.withUnsafeBytes { bytes in
                    _ = gst_buffer_fill(buffer, 0, bytes.baseAddress! + index * frameSize, gsize(frameSize))
                }
                buffers.append(buffer)
            }
            state.stream.frameIndex += UInt64(made)
            return (buffers, GST_FLOW_OK)
        } catch .cancelled {
            return ([], GST_FLOW_FLUSHING)
        } catch {
            ElementMessages.postLibraryError(
                element, text: "Kinora plugin '\(state.plugin.id)' could not transform frames: \(error)",
                debug: "plugin file \(state.plugin.file)")
            return ([], GST_FLOW_ERROR)
        }
    }

    private func unref(_ buffer: UnsafeMutablePointer<GstBuffer>) {
        gst_mini_object_unref(UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: GstMiniObject.self))
    }
}
