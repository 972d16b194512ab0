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
    /// Frames made so far and the frames expected (0 when unknown, as for a live stream).
    case progress(fraction: Double, frame: UInt64, totalFrames: UInt64)
    /// End of stream reached; the result is being handed to the caller.
    case finishing
    case done(OutputInfo)
    case failed(String)
    case cancelled
    /// A low-resolution frame for the job's Preview signal (only when asked for).
    case preview(PreviewTap.Preview)
}

/// What a finished job wrote, for the job's `OutputInfo` property.
struct OutputInfo: Sendable {
    let bytes: Int64
    let container: String
    /// Seconds of video in it (measured from the buffers the generators pushed).
    let seconds: Double
}

/// Where a job's encoded bytes go.
enum OutputMode: Sendable {
    /// Into a private spool, copied to the caller's descriptor only after end-of-stream
    /// (files: never a half-written file that looks complete).
    case spooled
    /// Straight into the caller's descriptor as they are made (live streams; MPEG-TS
    /// is readable from any point, so a cut stream is still a valid stream).
    case direct
    /// Live, to the pipeline's own network sink (StartStream with udp-port); the caller's
    /// descriptor is not written.
    case network

    var isLive: Bool { self != .spooled }
}

/// Runs one job's GStreamer pipeline on its own thread.
final class JobRunner: Sendable {
    let request: JobRequest
    let pipelineDescription: String
    let input: Int32?
    let output: Int32
    let outputMode: OutputMode
    /// Seconds between Preview signals; 0: none.
    let previewInterval: Double
    private let cancelRequested = Atomic<Bool>(false)
    /// Set when the job's thread is done with the pipeline and the descriptors.
    private let ended = Atomic<Bool>(false)
    /// A prompt set through `SetPrompt`, applied by the job thread at its next poll.
    private let pendingPrompt = Mutex<String?>(nil)
    private let queue: DispatchQueue

    /// Takes ownership of `input` and `output` (closes them when the job ends).
    init(
        request: JobRequest, pipelineDescription: String, input: Int32?, output: Int32, outputMode: OutputMode,
        previewInterval: Double = 0, label: String
    ) {
        self.request = request
        self.previewInterval = previewInterval
        self.pipelineDescription = pipelineDescription
        self.input = input
        self.output = output
        self.outputMode = outputMode
        self.queue = DispatchQueue(label: label)
    }

    func cancel() { cancelRequested.store(true, ordering: .releasing) }

    var isCancelled: Bool { cancelRequested.load(ordering: .acquiring) }

    /// Changes the generator's prompt while it plays; it reaches the plugin at its next block.
    func setPrompt(_ prompt: String) { pendingPrompt.withLock { $0 = prompt } }

    /// Closes the descriptors: when the job's thread ends, or for a job that never
    /// started (cancelled while queued). Either way the job is over for good.
    func discard() {
        if let input { close(input) }
        close(output)
        ended.store(true, ordering: .releasing)
    }

    var hasEnded: Bool { ended.load(ordering: .acquiring) }

    func start(report: @escaping @Sendable (JobEvent) -> Void) {
        queue.async { [self] in
            defer { discard() }
            if isCancelled {
                report(.cancelled)
                return
            }
            report(run(report: report))
        }
    }

    private func run(report: @escaping @Sendable (JobEvent) -> Void) -> JobEvent {
        guard outputMode == .spooled else { return play(spool: nil, report: report).outcome }
        let spool: OutputSpool
        do {
            spool = try OutputSpool()
        } catch {
            return .failed(error.description)
        }
        let (outcome, seconds) = play(spool: spool.sinkLocation, report: report)
        guard case .finishing = outcome else { return outcome }
        // A cancel that arrived with end-of-stream still wins: nothing is written.
        if isCancelled { return .cancelled }
        report(.finishing)
        do {
            let bytes = try spool.copy(to: output)
            return .done(OutputInfo(bytes: bytes, container: request.container, seconds: seconds))
        } catch {
            return .failed(error.description)
        }
    }

    /// Runs the pipeline into the spool (or straight into the output); `.finishing` on success,
    /// with the seconds of video the generators made.
    private func play(spool: String?, report: @escaping @Sendable (JobEvent) -> Void) -> (outcome: JobEvent, seconds: Double) {
        var parseError: UnsafeMutablePointer<GError>? = nil
        let parsed = gst_parse_launch(pipelineDescription, &parseError)
        // gst_parse_launch may return a pipeline and an error (a recoverable one): refuse both.
        guard let pipeline = parsed, parseError == nil else {
            let message = parseError.map { String(cString: $0.pointee.message) } ?? "unknown error"
            if let parseError { g_error_free(parseError) }
            if let parsed { gst_object_unref(parsed) }
            return (.failed("the pipeline does not parse: \(message)"), 0)
        }
        defer { gst_object_unref(pipeline) }
        let generators: [UnsafeMutablePointer<GstElement>]
        do throws(JobFailure) {
            generators = try configure(pipeline, spoolLocation: spool)
        } catch {
            return (.failed(error.description), 0)
        }
        defer { generators.forEach { gst_object_unref($0) } }
        let clock = OutputClock(watching: generators)
        if previewInterval > 0 {
            _ = PreviewTap(watching: generators, interval: previewInterval) { report(.preview($0)) }
        }
        report(.running)
        let outcome = drive(pipeline, generators: generators, report: report)
        gst_element_set_state(pipeline, GST_STATE_NULL)
        let seconds = clock.seconds
        if spool == nil, case .finishing = outcome {
            return (.done(OutputInfo(bytes: Self.size(of: output), container: request.container, seconds: seconds)), seconds)
        }
        return (outcome, seconds)
    }

    struct JobFailure: Error, CustomStringConvertible {
        let description: String
    }

    private static func size(of descriptor: Int32) -> Int64 {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? Int64(status.st_size) : 0
    }

    /// Sets the prompt, duration and parameters on each generator (named `generator`,
    /// or `shot0`… for a storyboard), the input descriptor and the output.
    private func configure(_ pipeline: UnsafeMutablePointer<GstElement>, spoolLocation: String?) throws(JobFailure)
        -> [UnsafeMutablePointer<GstElement>]
    {
        let bin = UnsafeMutableRawPointer(pipeline).assumingMemoryBound(to: GstBin.self)
        var generators: [UnsafeMutablePointer<GstElement>] = []
        for (index, shot) in request.segments.enumerated() {
            let name = request.operation == .storyboard ? "shot\(index)" : "generator"
            guard let generator = gst_bin_get_by_name(bin, name) else {
                generators.forEach { gst_object_unref($0) }
                throw JobFailure(description: "the pipeline has no element named '\(name)'")
            }
            var properties = request.parameters
            properties[StandardParameters.prompt.name] = .string(shot.prompt)
            if let schedule = shot.promptSchedule { properties[PromptScheduleName.value] = .string(schedule) }
            // A video-to-video element's `duration` is what it adds after its input: the
            // requested length for Extend; Restyle keeps the input's length (0 adds nothing).
            if request.plugin.manifest.kind != .videoToVideo || request.operation == .extend {
                properties[StandardParameters.duration.name] = .double(shot.duration)
            }
            if outputMode.isLive { properties["is-live"] = .bool(true) }
            for (name, value) in properties {
                GObjectProperty.set(UnsafeMutableRawPointer(generator), name: name, to: value)
            }
            generators.append(generator)
        }
        guard let sink = gst_bin_get_by_name(bin, "output") else {
            generators.forEach { gst_object_unref($0) }
            throw JobFailure(description: "the pipeline has no sink named 'output'")
        }
        defer { gst_object_unref(sink) }
        if let spoolLocation {
            GObjectProperty.set(UnsafeMutableRawPointer(sink), name: "location", to: .string(spoolLocation))
        } else if outputMode == .direct {
            GObjectProperty.set(UnsafeMutableRawPointer(sink), name: "fd", to: .int(Int64(output)))
        }
        if let input {
            guard let source = gst_bin_get_by_name(bin, "input") else {
                generators.forEach { gst_object_unref($0) }
                throw JobFailure(description: "the pipeline has no source named 'input'")
            }
            GObjectProperty.set(UnsafeMutableRawPointer(source), name: "fd", to: .int(Int64(input)))
            gst_object_unref(source)
        }
        return generators
    }

    /// Plays the pipeline until end-of-stream (→ `.finishing`), an error or a cancel.
    private func drive(
        _ pipeline: UnsafeMutablePointer<GstElement>, generators: [UnsafeMutablePointer<GstElement>],
        report: @Sendable (JobEvent) -> Void
    ) -> JobEvent {
        guard gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE else {
            return .failed(firstError(on: pipeline) ?? "the pipeline could not start")
        }
        guard let bus = gst_element_get_bus(pipeline) else { return .failed("the pipeline has no bus") }
        defer { gst_object_unref(bus) }
        let wanted = GstMessageType(
            GST_MESSAGE_ERROR.rawValue | GST_MESSAGE_EOS.rawValue | GST_MESSAGE_ELEMENT.rawValue)
        var tracker = ProgressTracker(expectedFrames: request.expectedFrames)
        var lastReported = -1.0
        while true {
            if isCancelled { return .cancelled }
            if let prompt = pendingPrompt.withLock({ value in defer { value = nil }; return value }) {
                for generator in generators {
                    GObjectProperty.set(UnsafeMutableRawPointer(generator), name: "prompt", to: .string(prompt))
                }
            }
            // 100 ms: how soon a cancel or a new prompt is noticed.
            guard let message = gst_bus_timed_pop_filtered(bus, 100_000_000, wanted) else {
                if request.plugin.manifest.kind == .videoToVideo, let fraction = Self.positionFraction(pipeline),
                    fraction - lastReported >= 0.01
                {
                    lastReported = fraction
                    report(.progress(fraction: fraction, frame: 0, totalFrames: 0))
                }
                continue
            }
            defer { gst_message_unref(message) }
            let type = message.pointee.type
            if type == GST_MESSAGE_EOS { return .finishing }
            if type == GST_MESSAGE_ERROR { return .failed(Self.errorText(message)) }
            if let update = tracker.update(with: message), update.fraction - lastReported >= 0.01 || update.fraction >= 1 {
                lastReported = update.fraction
                report(.progress(fraction: update.fraction, frame: update.frame, totalFrames: update.total))
            }
        }
    }

    /// Position against duration, for jobs whose length comes from their input.
    private static func positionFraction(_ pipeline: UnsafeMutablePointer<GstElement>) -> Double? {
        var position: gint64 = 0
        var duration: gint64 = 0
        guard gst_element_query_position(pipeline, GST_FORMAT_TIME, &position) != 0,
            gst_element_query_duration(pipeline, GST_FORMAT_TIME, &duration) != 0, duration > 0, position >= 0
        else { return nil }
        return min(1, Double(position) / Double(duration))
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
}
