import Foundation

/// Optional per-operation timing for benchmarks: off by default, so it costs one branch.
///
/// Not thread-safe by design: enable it only around single-caller benchmark runs.
public enum Profiler {
    /// One operation's accumulated cost.
    public struct Entry: Sendable {
        public var seconds: Double = 0
        public var calls: Int = 0
        public var flops: Double = 0
    }

    nonisolated(unsafe) public static var isEnabled = false
    nonisolated(unsafe) public private(set) static var entries: [String: Entry] = [:]

    /// Clears all entries.
    public static func reset() { entries = [:] }

    @inline(__always)
    static func measure<T>(_ name: String, flops: Double = 0, _ body: () throws -> T) rethrows -> T {
        guard isEnabled else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var e = entries[name] ?? Entry()
        e.seconds += elapsed
        e.calls += 1
        e.flops += flops
        entries[name] = e
        return result
    }
}
