/// Names of Kinora's D-Bus API: one place, used by the daemon and the CLI.
public enum KinoraBusAPI {
    public static let busName = "org.kinora.Kinora1"
    public static let managerPath = "/org/kinora/Kinora1"
    public static let managerInterface = "org.kinora.Kinora1.Manager"
    public static let jobInterface = "org.kinora.Kinora1.Job"
    /// Job objects live below this path: `/org/kinora/Kinora1/jobs/<n>`.
    public static let jobPathPrefix = "/org/kinora/Kinora1/jobs/"

    public static let propertiesInterface = "org.freedesktop.DBus.Properties"
    public static let introspectableInterface = "org.freedesktop.DBus.Introspectable"

    /// Signature of `Generate(plugin, prompt, options, output)`.
    public static let generateSignature = "ssa{sv}h"
    /// One entry of `ListPlugins`: id, element, name, description, kind,
    /// licence, the plugin's parameters, the job options.
    public static let pluginEntrySignature = "(ssssssa(sssvvvb)a(sssvvvb))"
}

/// Error names the daemon replies with.
public enum KinoraBusError {
    /// An option is unknown, of the wrong type or out of range; the message names it and its range.
    public static let invalidArgument = "org.kinora.Kinora1.Error.InvalidArgument"
    public static let unknownPlugin = "org.kinora.Kinora1.Error.UnknownPlugin"
    public static let unknownJob = "org.kinora.Kinora1.Error.UnknownJob"
    public static let failed = "org.kinora.Kinora1.Error.Failed"
    public static let unknownMethod = "org.freedesktop.DBus.Error.UnknownMethod"
    public static let unknownProperty = "org.freedesktop.DBus.Error.UnknownProperty"
}

/// The states of a job object's `State` property.
public enum JobState: String, Sendable, CaseIterable {
    case queued, running, succeeded, failed, cancelled

    public var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}
