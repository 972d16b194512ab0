import Dispatch

/// At most `limit` jobs run a pipeline at once (2 cores do not get faster
/// by running ten encoders); the others wait in state `queued`.
final class JobSlots: Sendable {
    let limit: Int
    private let semaphore: DispatchSemaphore

    init(limit: Int) {
        self.limit = limit
        self.semaphore = DispatchSemaphore(value: limit)
    }

    /// Waits for a free slot; returns false if `giveUp` turns true first
    /// (checked every 100 ms, so a queued job can be cancelled).
    func acquire(unless giveUp: () -> Bool) -> Bool {
        while semaphore.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if giveUp() { return false }
        }
        return true
    }

    func release() { semaphore.signal() }
}
