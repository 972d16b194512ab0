import CKinoraPluginABI
import Synchronization

/// Severity of a plugin log line.
public enum LogLevel: Int32, Sendable {
    case debug = 0, info, warning, error
}

/// What a running `produce` call may use: progress, logging and the cancel flag.
///
/// The callbacks belong to this one call (never process-wide), so two jobs
/// running the same plugin report to their own owners.
public struct ProduceContext: ~Copyable {
    private let callbacks: KinoraCallbacks?
    private let cancelFlag: CancelFlag

    init(callbacks: KinoraCallbacks?, cancelFlag: CancelFlag) {
        self.callbacks = callbacks
        self.cancelFlag = cancelFlag
    }

    /// True once the host asked this instance to stop; check it between steps.
    public var isCancelled: Bool { cancelFlag.isRaised }

    /// Throws `PluginError.cancelled` if the host asked to stop.
    public func checkCancellation() throws(PluginError) {
        if isCancelled { throw .cancelled }
    }

    /// Reports how much of this call's block is done, from 0 to 1.
    public func reportProgress(_ fraction: Double) {
        guard let callbacks, let progress = callbacks.progress else { return }
        progress(callbacks.context, min(max(fraction, 0), 1))
    }

    /// Sends a line to this call's owner (the GStreamer debug log, the daemon's journal).
    public func log(_ level: LogLevel, _ message: String) {
        guard let callbacks, let log = callbacks.log else { return }
        message.withCString { log(callbacks.context, level.rawValue, $0) }
    }
}

/// A flag raised from any thread by the ABI's `cancel`.
final class CancelFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    var isRaised: Bool { raised.load(ordering: .acquiring) }

    func raise() { raised.store(true, ordering: .releasing) }

    func lower() { raised.store(false, ordering: .releasing) }
}
