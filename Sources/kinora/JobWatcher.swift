import Dispatch
import KinoraDBus
import KinoraProtocol
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Follows one job through its PropertiesChanged signals until it ends,
/// drawing progress, and cancels it on Ctrl-C.
struct JobWatcher {
    let client: DaemonClient
    let job: String
    let json: Bool
    var label = "generating"

    struct Outcome {
        let state: JobState
        let error: String
    }

    func wait() -> Outcome {
        let interrupted = InterruptFlag()
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { interrupted.raise() }
        source.resume()
        defer { source.cancel() }

        var state = JobState.queued
        var error = ""
        var progress = -1.0
        let showBar = !json && Terminal.standardErrorIsTerminal
        var cancelSent = false
        // Catch up with anything that happened before the first signal arrives.
        apply(client.jobProperties(job), state: &state, error: &error, progress: &progress, showBar: showBar)
        while !state.isFinal {
            if interrupted.isRaised && !cancelSent {
                client.cancel(job)
                cancelSent = true
            }
            guard let message = client.connection.nextMessage(timeoutMilliseconds: 100) else {
                if !client.connection.isConnected {
                    error = "lost the connection to kinorad"
                    state = .failed
                }
                continue
            }
            if Self.isDaemonGone(message) {
                error = "kinorad stopped before the job finished"
                state = .failed
                continue
            }
            guard message.kind == .signal, message.path == job, message.member == "PropertiesChanged" else { continue }
            let arguments = message.arguments()
            guard arguments.count >= 2, let entries = arguments[1].dictionaryEntries else { continue }
            let changed = Dictionary(entries.compactMap { key, value in key.stringValue.map { ($0, value) } }) { $1 }
            apply(changed, state: &state, error: &error, progress: &progress, showBar: showBar)
        }
        if showBar { Terminal.standardError("\n") }
        return Outcome(state: state, error: error)
    }

    /// NameOwnerChanged(org.kinora.Kinora1, old, "") : the daemon left the bus.
    private static func isDaemonGone(_ message: DBusMessage) -> Bool {
        guard message.kind == .signal, message.member == "NameOwnerChanged" else { return false }
        let arguments = message.arguments()
        guard arguments.count == 3, arguments[0].stringValue == KinoraBusAPI.busName else { return false }
        return arguments[2].stringValue == ""
    }

    private func apply(
        _ properties: [String: DBusValue], state: inout JobState, error: inout String, progress: inout Double,
        showBar: Bool
    ) {
        if let text = properties["State"]?.stringValue, let newState = JobState(rawValue: text) { state = newState }
        if let text = properties["Error"]?.stringValue { error = text }
        guard let fraction = properties["Progress"]?.doubleValue, fraction != progress else { return }
        progress = fraction
        if showBar { Terminal.progressBar(fraction, label: label) }
        if json {
            Terminal.standardOutput(
                JSON.object([
                    ("event", JSON.string("progress")), ("job", JSON.string(job)), ("progress", String(fraction)),
                ]) + "\n")
        }
    }
}

/// Raised by the SIGINT handler (on a Dispatch queue), read by the watch loop.
final class InterruptFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    var isRaised: Bool { raised.load(ordering: .acquiring) }
    func raise() { raised.store(true, ordering: .releasing) }
}
