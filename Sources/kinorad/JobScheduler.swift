/// Decides which queued job runs next: at most `maxRunning` at once, and
/// round robin across callers, so one client submitting 200 jobs does not
/// starve another that submits one. Lives on the loop thread.
struct JobScheduler {
    let maxRunning: Int
    private(set) var running: Set<Int> = []
    /// Queued job numbers per caller, oldest first.
    private var queues: [String: [Int]] = [:]
    /// Callers in the order they get their next turn.
    private var turnOrder: [String] = []

    init(maxRunning: Int) { self.maxRunning = maxRunning }

    var queuedCount: Int { queues.values.reduce(0) { $0 + $1.count } }

    mutating func enqueue(_ job: Int, caller: String) {
        if queues[caller, default: []].isEmpty && !turnOrder.contains(caller) { turnOrder.append(caller) }
        queues[caller, default: []].append(job)
    }

    /// Removes a job that has not started; true if it was queued.
    mutating func removeQueued(_ job: Int) -> Bool {
        for (caller, jobs) in queues where jobs.contains(job) {
            queues[caller] = jobs.filter { $0 != job }
            if queues[caller]?.isEmpty ?? true {
                queues[caller] = nil
                turnOrder.removeAll { $0 == caller }
            }
            return true
        }
        return false
    }

    mutating func finished(_ job: Int) { running.remove(job) }

    /// The next jobs to start, each caller in turn.
    mutating func dispatch() -> [Int] {
        var started: [Int] = []
        while running.count < maxRunning, let caller = turnOrder.first {
            turnOrder.removeFirst()
            guard var jobs = queues[caller], !jobs.isEmpty else {
                queues[caller] = nil
                continue
            }
            let job = jobs.removeFirst()
            queues[caller] = jobs.isEmpty ? nil : jobs
            if !jobs.isEmpty { turnOrder.append(caller) }
            running.insert(job)
            started.append(job)
        }
        return started
    }
}
