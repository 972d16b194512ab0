import CGStreamer
import Synchronization

/// How long the video a job made is: per generator, from the start of its first buffer to the
/// end of its last (a decoded MP4 input may start at its edit list's offset, not 0), summed
/// over the generators (a storyboard's shots are concatenated).
///
/// `OutputInfo.duration` is read from here rather than from the request, because the input
/// decides the length of Restyle and part of Extend's, and a cancelled stream is shorter.
final class OutputClock: Sendable {
    /// Per generator, the smallest buffer start and the largest buffer end seen (nanoseconds).
    private let spans: Mutex<[(start: GstClockTime, end: GstClockTime)]>

    /// Watches the `src` pad of each generator (each probe keeps the clock alive until its
    /// pad goes away).
    init(watching generators: [UnsafeMutablePointer<GstElement>]) {
        spans = Mutex(Array(repeating: (GstClockTime.max, 0), count: generators.count))
        SourcePadProbe.attach(to: generators, probe: Self.probe) { Slot(clock: self, index: $0) }
    }

    /// Seconds of video made so far.
    var seconds: Double {
        Double(spans.withLock { $0.reduce(0) { $0 + ($1.end > $1.start ? $1.end - $1.start : 0) } }) / 1e9
    }

    fileprivate func record(start: GstClockTime, end: GstClockTime, generator index: Int) {
        spans.withLock { $0[index] = (min($0[index].start, start), max($0[index].end, end)) }
    }

    /// What a probe's user data points at: the clock and which generator the pad belongs to.
    private final class Slot: Sendable {
        let clock: OutputClock
        let index: Int
        init(clock: OutputClock, index: Int) {
            self.clock = clock
            self.index = index
        }
    }

    private static let probe: GstPadProbeCallback = { _, info, data in
        guard let info, let data, let buffer = info.pointee.data?.assumingMemoryBound(to: GstBuffer.self) else {
            return GST_PAD_PROBE_OK
        }
        let pts = buffer.pointee.pts
        guard pts != GLibClockTime.none else { return GST_PAD_PROBE_OK }
        let duration = buffer.pointee.duration == GLibClockTime.none ? 0 : buffer.pointee.duration
        let slot = Unmanaged<Slot>.fromOpaque(data).takeUnretainedValue()
        slot.clock.record(start: pts, end: pts &+ duration, generator: slot.index)
        return GST_PAD_PROBE_OK
    }
}

/// `GST_CLOCK_TIME_NONE`, which does not import into Swift.
private enum GLibClockTime {
    static let none = GstClockTime.max
}
