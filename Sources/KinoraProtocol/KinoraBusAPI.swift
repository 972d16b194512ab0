/// Names of Kinora's D-Bus API: one place, used by the daemon and the CLI.
/// The documented form is `share/dbus-1/interfaces/org.kinora.Kinora1.*.xml`.
public enum KinoraBusAPI {
    public static let busName = "org.kinora.Kinora1"
    public static let managerPath = "/org/kinora/Kinora1"
    public static let managerInterface = "org.kinora.Kinora1.Manager"
    public static let jobInterface = "org.kinora.Kinora1.Job"
    /// Job objects live below this path: `/org/kinora/Kinora1/jobs/<n>`.
    public static let jobPathPrefix = "/org/kinora/Kinora1/jobs/"

    public static let propertiesInterface = "org.freedesktop.DBus.Properties"
    public static let introspectableInterface = "org.freedesktop.DBus.Introspectable"
    public static let objectManagerInterface = "org.freedesktop.DBus.ObjectManager"

    /// Signature of `Generate(plugin, prompt, options, output)`.
    public static let generateSignature = "ssa{sv}h"
    /// Signature of `Animate`, `Extend` and `Restyle(plugin, prompt, options, input, output)`.
    public static let transformSignature = "ssa{sv}hh"
    /// Signature of `Storyboard(plugin, shots, options, output)`; a shot is (prompt, duration, transition).
    public static let storyboardSignature = "sa(sds)a{sv}h"
    /// One entry of `ListPlugins`: id, element, name, description, kind,
    /// licence, the plugin's parameters, the job options.
    public static let pluginEntrySignature = "(ssssssa(sssvvvb)a(sssvvvb))"
}

/// Error names the daemon replies with (each message names the parameter and its allowed range).
public enum KinoraBusError {
    /// An option is unknown, of the wrong type or out of range; a descriptor has the wrong mode.
    public static let invalidArgument = "org.kinora.Kinora1.Error.InvalidArgument"
    /// No such plugin or job.
    public static let notFound = "org.kinora.Kinora1.Error.NotFound"
    /// A service limit (queue per caller, duration, pixels, …) would be exceeded.
    public static let limitExceeded = "org.kinora.Kinora1.Error.LimitExceeded"
    /// The job was cancelled (SetPrompt on a cancelled job, for example).
    public static let cancelled = "org.kinora.Kinora1.Error.Cancelled"
    /// The operation does not fit the object's state (SetPrompt on a finished job).
    public static let wrongState = "org.kinora.Kinora1.Error.WrongState"
    /// The caller is not allowed to do this (system bus, polkit).
    public static let notAuthorized = "org.kinora.Kinora1.Error.NotAuthorized"
    public static let failed = "org.kinora.Kinora1.Error.Failed"
    public static let unknownMethod = "org.freedesktop.DBus.Error.UnknownMethod"
    public static let unknownProperty = "org.freedesktop.DBus.Error.UnknownProperty"
    public static let propertyReadOnly = "org.freedesktop.DBus.Error.PropertyReadOnly"
}

/// The states of a job object's `State` property, as udisks2/PackageKit
/// clients expect: `finishing` while a complete result is handed over.
public enum JobState: String, Sendable, CaseIterable {
    case queued, running, finishing, done, failed, cancelled

    public var isFinal: Bool { self == .done || self == .failed || self == .cancelled }
}
