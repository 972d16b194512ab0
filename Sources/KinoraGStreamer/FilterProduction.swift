import CGStreamer
import CGStreamerBase
import CGStreamerVideo
import KinoraHost
import KinoraPluginSDK

/// One frame through a video-to-video element: the input RGB frame goes to
/// the plugin as its input, the plugin writes the output frame in place.
/// GstBaseTransform has already copied the timestamps. Streaming thread only.
struct FilterProduction {
    let state: ElementState
    let element: UnsafeMutablePointer<GstElement>

    func transform(_ input: UnsafeMutablePointer<GstBuffer>, into output: UnsafeMutablePointer<GstBuffer>) -> GstFlowReturn {
        guard state.stream.negotiated else { return GST_FLOW_NOT_NEGOTIATED }
        let frameSize = Int(state.stream.rgbInfo.size)
        var inputMap = GstMapInfo()
        var outputMap = GstMapInfo()
        guard gst_buffer_map(input, &inputMap, GST_MAP_READ) != 0 else { return GST_FLOW_ERROR }
        defer { gst_buffer_unmap(input, &inputMap) }
        guard gst_buffer_map(output, &outputMap, GST_MAP_WRITE) != 0 else { return GST_FLOW_ERROR }
        defer { gst_buffer_unmap(output, &outputMap) }
        guard Int(inputMap.size) >= frameSize, Int(outputMap.size) >= frameSize,
            let inputPixels = inputMap.data, let outputPixels = outputMap.data
        else {
            ElementMessages.postLibraryError(element, text: "A video frame is smaller than its caps say.")
            return GST_FLOW_ERROR
        }
        do throws(PluginCallError) {
            let instance = try state.instance(totalFrames: nil)
            try state.applyPendingChanges(to: instance)
            try instance.produce(
                firstFrame: state.stream.frameIndex, frameCount: 1, pixels: outputPixels,
                stride: Int(state.stream.rgbInfo.stride.0), frameSize: frameSize, input: UnsafePointer(inputPixels),
                inputCount: 1, log: { [element] level, message in ElementMessages.log(element, level: level, message: message) })
            state.stream.frameIndex += 1
            return GST_FLOW_OK
        } catch .cancelled {
            return GST_FLOW_FLUSHING
        } catch {
            ElementMessages.postLibraryError(
                element, text: "Kinora plugin '\(state.plugin.id)' could not transform a frame: \(error)",
                debug: "plugin file \(state.plugin.file)")
            return GST_FLOW_ERROR
        }
    }
}
