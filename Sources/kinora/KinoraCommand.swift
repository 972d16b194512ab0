import ArgumentParser

@main
struct KinoraCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinora",
        abstract: "Generate video with Kinora, through the kinorad daemon.",
        discussion: """
            kinora is a D-Bus client of kinorad (bus name org.kinora.Kinora1). It asks the daemon to run a \
            plugin and hands it an open file descriptor for the output, so the daemon never opens a path \
            you name.

            EXIT STATUS
              0   success
              1   the job failed (the daemon's message is printed)
              2   the job was cancelled (Ctrl-C cancels it)
              64  usage error: unknown plugin, job or parameter, wrong type, out of range, a limit
              66  an input file cannot be read
              69  kinorad cannot be reached on the bus
              73  the output file cannot be created

            ENVIRONMENT
              DBUS_SESSION_BUS_ADDRESS   the session bus kinora and kinorad meet on
            """,
        subcommands: [
            GenerateCommand.self, AnimateCommand.self, ExtendCommand.self, RestyleCommand.self, StoryboardCommand.self,
            StreamCommand.self, JobsCommand.self, CancelCommand.self, PromptCommand.self, PluginsCommand.self,
            ModelsCommand.self,
        ])
}

/// Which bus to find kinorad on.
struct BusOptions: ParsableArguments {
    @Flag(help: "Talk to kinorad on the system bus instead of the session bus.")
    var system = false

    @Option(help: ArgumentHelp("Talk to kinorad on the bus at this address.", valueName: "address"))
    var busAddress: String?
}

/// The documented exit codes.
enum ExitStatus {
    static let failed = ExitCode(1)
    static let cancelled = ExitCode(2)
    static let usage = ExitCode(64)
    static let unavailable = ExitCode(69)
    static let noInput = ExitCode(66)
    static let cannotCreate = ExitCode(73)
}
