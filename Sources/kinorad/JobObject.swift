import KinoraDBus
import KinoraProtocol

/// One generation job as a D-Bus object: `State`, `Progress`, `Error`,
/// `Plugin` properties, a `Cancel()` method, PropertiesChanged on change.
/// Shaped like udisks2's job objects. Lives on the loop thread.
final class JobObject {
    let path: String
    let pluginID: String
    let runner: JobRunner
    private(set) var state = JobState.queued
    private(set) var progress = 0.0
    private(set) var error = ""

    init(path: String, pluginID: String, runner: JobRunner) {
        self.path = path
        self.pluginID = pluginID
        self.runner = runner
    }

    var properties: [(String, DBusValue)] {
        [
            ("State", .string(state.rawValue)), ("Progress", .double(progress)), ("Error", .string(error)),
            ("Plugin", .string(pluginID)),
        ]
    }

    /// Applies an event; returns the properties that changed.
    func apply(_ event: JobEvent) -> [(String, DBusValue)] {
        guard !state.isFinal else { return [] }
        switch event {
        case .running:
            state = .running
            return [("State", .string(state.rawValue))]
        case .progress(let fraction):
            progress = fraction
            return [("Progress", .double(progress))]
        case .succeeded:
            state = .succeeded
            progress = 1
            return [("Progress", .double(progress)), ("State", .string(state.rawValue))]
        case .failed(let message):
            state = .failed
            error = message
            return [("Error", .string(error)), ("State", .string(state.rawValue))]
        case .cancelled:
            state = .cancelled
            error = "cancelled"
            return [("Error", .string(error)), ("State", .string(state.rawValue))]
        }
    }
}
