import CGStreamer
import Dispatch
import KinoraHost
import KinoraPluginSDK
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What a running job tells its D-Bus object (delivered on the loop thread).
enum JobEvent: Sendable {
    case running
    case progress(Double)
    case succeeded
    case failed(String)
    case cancelled
}

/// Runs one job's GStreamer pipeline on its own thread and writes the
/// result to the caller's descriptor only on success (see `OutputSpool`).
final class JobRunner: Sendable {
    let request: JobRequest
    let pipelineDescription: String
    let output: Int32
    private let slots: JobSlots
    private let cancelRequested = Atomic<Bool>(false)
    private let queue: DispatchQueue

    /// Takes ownership of `output` (closes it when the job ends).
    init(request: JobRequest, pipelineDescription: String, output: Int32, slots: JobSlots, label: String) {
        self.request = request
        self.pipelineDescription = pipelineDescription
        self.output = output
        self.slots = slots
        self.queue = DispatchQueue(label: label)
    }

    func cancel() { cancelRequested.store(true, ordering: .releasing) }

    private var isCancelled: Bool { cancelRequested.load(ordering: .acquiring) }

    func start(report: @escaping @Sendable (JobEvent) -> Void) {
        queue.async { [self] in
            defer { close(output) }
            guard slots.acquire(unless: { isCancelled }) else {
                report(.cancelled)
                return
            }
            defer { slots.release() }
            report(run(report: report))
        }
    }

    private func run(report: @escaping @Sendable (JobEvent) -> Void) -> JobEvent {
        let spool: OutputSpool
        do {
            spool = try OutputSpool()
        } catch {
            return .failed(error.description)
        }
        var parseError: UnsafeMutablePointer<GError>? = nil
        let parsed = gst_parse_launch(pipelineDescription, &parseError)
        // gst_parse_launch may return a pipeline and an error (a recoverable one): refuse both.
        guard let pipeline = parsed, parseError == nil else {
            let message = parseError.map { String(cString: $0.pointee.message) } ?? "unknown error"
            if let parseError { g_error_free(parseError) }
            if let parsed { gst_object_unref(parsed) }
            return .failed("the pipeline does not parse: \(message)")
        }
        defer { gst_object_unref(pipeline) }
        do throws(JobFailure) {
            try configure(pipeline, sinkLocation: spool.sinkLocation)
        } catch {
            return .failed(error.description)
        }
        report(.running)
        let outcome = drive(pipeline, report: report)
        gst_element_set_state(pipeline, GST_STATE_NULL)
        guard case .succeeded = outcome else { return outcome }
        do {
            try spool.copy(to: output)
        } catch {
            return .failed(error.description)
        }
        return .succeeded
    }

    struct JobFailure: Error, CustomStringConvertible {
        let description: String
    }

    private func configure(_ pipeline: UnsafeMutablePointer<GstElement>, sinkLocation: String) throws(JobFailure) {
        let bin = UnsafeMutableRawPointer(pipeline).assumingMemoryBound(to: GstBin.self)
        guard let generator = gst_bin_get_by_name(bin, "generator") else {
            throw JobFailure(description: "the pipeline has no element named 'generator'")
        }
        defer { gst_object_unref(generator) }
        guard let sink = gst_bin_get_by_name(bin, "output") else {
            throw JobFailure(description: "the pipeline has no sink named 'output'")
        }
        defer { gst_object_unref(sink) }
        var properties = request.parameters
        properties[StandardParameters.prompt.name] = .string(request.prompt)
        properties[StandardParameters.duration.name] = .double(request.duration)
        for (name, value) in properties {
            GObjectProperty.set(UnsafeMutableRawPointer(generator), name: name, to: value)
        }
        GObjectProperty.set(UnsafeMutableRawPointer(sink), name: "location", to: .string(sinkLocation))
    }

    /// Plays the pipeline until end-of-stream, an error or a cancel.
    private func drive(_ pipeline: UnsafeMutablePointer<GstElement>, report: @Sendable (JobEvent) -> Void) -> JobEvent {
        guard gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE else {
            return .failed(firstError(on: pipeline) ?? "the pipeline could not start")
        }
        guard let bus = gst_element_get_bus(pipeline) else { return .failed("the pipeline has no bus") }
        defer { gst_object_unref(bus) }
        let wanted = GstMessageType(
            GST_MESSAGE_ERROR.rawValue | GST_MESSAGE_EOS.rawValue | GST_MESSAGE_ELEMENT.rawValue)
        var lastReported = -1.0
        while true {
            if isCancelled { return .cancelled }
            // 100 ms: how soon a cancel is noticed.
            guard let message = gst_bus_timed_pop_filtered(bus, 100_000_000, wanted) else { continue }
            defer { gst_message_unref(message) }
            let type = message.pointee.type
            if type == GST_MESSAGE_EOS { return .succeeded }
            if type == GST_MESSAGE_ERROR { return .failed(Self.errorText(message)) }
            if let fraction = Self.progress(message), fraction - lastReported >= 0.01 || fraction >= 1 {
                lastReported = fraction
                report(.progress(fraction))
            }
        }
    }

    private func firstError(on pipeline: UnsafeMutablePointer<GstElement>) -> String? {
        guard let bus = gst_element_get_bus(pipeline) else { return nil }
        defer { gst_object_unref(bus) }
        guard let message = gst_bus_timed_pop_filtered(bus, 0, GST_MESSAGE_ERROR) else { return nil }
        defer { gst_message_unref(message) }
        return Self.errorText(message)
    }

    private static func errorText(_ message: UnsafeMutablePointer<GstMessage>) -> String {
        var error: UnsafeMutablePointer<GError>? = nil
        var debug: UnsafeMutablePointer<gchar>? = nil
        gst_message_parse_error(message, &error, &debug)
        defer {
            if let error { g_error_free(error) }
            g_free(debug)
        }
        return error.map { String(cString: $0.pointee.message) } ?? "unknown pipeline error"
    }

    private static func progress(_ message: UnsafeMutablePointer<GstMessage>) -> Double? {
        guard let structure = gst_message_get_structure(message),
            gst_structure_has_name(structure, "kinora-progress") != 0
        else { return nil }
        var position = 0.0
        var total: guint64 = 0
        guard gst_structure_get_double(structure, "position", &position) != 0,
            gst_structure_get_uint64(structure, "total-frames", &total) != 0, total > 0
        else { return nil }
        return min(1, position / Double(total))
    }
}
