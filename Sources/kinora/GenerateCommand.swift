import ArgumentParser
import KinoraDBus
import KinoraPluginSDK

#if canImport(Glibc)
    import Glibc
#endif

/// Notes every job command's --help shares.
enum JobHelp {
    static let common = """
        kinora opens the files itself and passes open descriptors to kinorad; the daemon never opens a \
        path. It encodes into a private temporary file and copies it to FILE only when the job succeeded: \
        after a failure or a cancel, FILE is removed and nothing half-written is left.

        Parameters are checked here and again by the daemon against the plugin's schema (see \
        `kinora plugins`); an unknown name, a wrong type or a value out of range exits with status 64 \
        and names the parameter and its allowed range.

        On a terminal a progress bar is drawn on stderr; Ctrl-C cancels the job, and so does kinora \
        exiting any other way (the daemon cancels jobs whose caller left the bus) unless --no-wait \
        started it detached.
        """
}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a video clip from a prompt and write it to a file (H.264 in MP4).",
        discussion: """
            \(JobHelp.common)

            EXAMPLES
              kinora generate "a red ball bouncing" -o ball.mp4
              kinora generate test -o t.mp4 --param duration=4 --param speed=8
              kinora generate "test" -o t.mp4 --json
              kinora generate "test" -o t.mp4 --no-wait      # prints the job path
            """)

    @Argument(help: "What the video should show.")
    var prompt: String

    @OptionGroup var job: JobCommandOptions

    func run() throws {
        try JobSubmission(options: job, method: "Generate", kind: .source, preferredPlugin: "text-to-video")
            .run(label: "generating") { plugin, options, output in
                [.string(plugin), .string(prompt), options, .fileDescriptor(output)]
            }
    }
}

/// Animate, Extend and Restyle: an input file, a plugin, an output.
struct TransformCommand {
    static func run(
        job: JobCommandOptions, method: String, kind: ElementKind, preferred: String, label: String, prompt: String,
        input: String
    ) throws {
        let descriptor = try openInput(input)
        defer { close(descriptor) }
        try JobSubmission(options: job, method: method, kind: kind, preferredPlugin: preferred)
            .run(label: label) { plugin, options, output in
                [.string(plugin), .string(prompt), options, .fileDescriptor(descriptor), .fileDescriptor(output)]
            }
    }
}

struct AnimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "animate",
        abstract: "Bring a still image to life with an image-to-video plugin (H.264 in MP4).",
        discussion: """
            IMAGE may be any format GStreamer decodes (PNG, JPEG, ...).

            \(JobHelp.common)

            EXAMPLES
              kinora animate photo.png -o alive.mp4 --prompt "the leaves move"
              kinora animate still.png -o s.mp4 --plugin test-scroll --param duration=2
            """)

    @Argument(help: "The still image to animate.")
    var image: String

    @Option(help: "What should happen in the video.")
    var prompt = ""

    @OptionGroup var job: JobCommandOptions

    func run() throws {
        try TransformCommand.run(
            job: job, method: "Animate", kind: .imageToVideo, preferred: "image-animation", label: "animating",
            prompt: prompt, input: image)
    }
}

struct ExtendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Continue a video clip with a video-to-video plugin (H.264 in MP4).",
        discussion: """
            \(JobHelp.common)

            EXAMPLE
              kinora extend clip.mp4 -o longer.mp4 --prompt "the ball keeps rolling"
              kinora extend clip.mp4 -o longer.mp4 --param duration=6   # 6 s after the clip

            The clip is copied through unchanged, then continued for --param duration seconds
            (default 2).
            """)

    @Argument(help: "The clip to continue.")
    var video: String

    @Option(help: "What should happen next.")
    var prompt = ""

    @OptionGroup var job: JobCommandOptions

    func run() throws {
        try TransformCommand.run(
            job: job, method: "Extend", kind: .videoToVideo, preferred: "clip-extension", label: "extending",
            prompt: prompt, input: video)
    }
}

struct RestyleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restyle",
        abstract: "Restyle a video clip under a style prompt with a video-to-video plugin (H.264 in MP4).",
        discussion: """
            \(JobHelp.common)

            EXAMPLES
              kinora restyle clip.mp4 -o painted.mp4 --prompt "watercolour"
              kinora restyle clip.mp4 -o inverted.mp4 --plugin test-invert --param strength=0.5
            """)

    @Argument(help: "The clip to restyle.")
    var video: String

    @Option(help: "The style.")
    var prompt = ""

    @OptionGroup var job: JobCommandOptions

    func run() throws {
        try TransformCommand.run(
            job: job, method: "Restyle", kind: .videoToVideo, preferred: "style-transfer", label: "restyling",
            prompt: prompt, input: video)
    }
}

struct StoryboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storyboard",
        abstract: "Render shots (prompt, seconds, transition) as one continuous video (H.264 in MP4).",
        discussion: """
            Each --shot is SECONDS:PROMPT, or SECONDS:TRANSITION:PROMPT where TRANSITION is 'cut' (the default: \
            a new scene) or 'continue' (the shot carries on from the previous one's last frames under its own \
            prompt, one continuous scene; needs a plugin with a prompt-schedule, such as text-to-video).

            \(JobHelp.common)

            EXAMPLE
              kinora storyboard -o story.mp4 --shot "2:a red ball rolls in" --shot "3:cut:it stops by a blue box"
              kinora storyboard -o scene.mp4 --shot "4:a red circle moving right" --shot "4:continue:a red circle moving up"
            """)

    @Option(name: .customLong("shot"), help: ArgumentHelp("A shot as SECONDS:[TRANSITION:]PROMPT; repeatable, in order.", valueName: "shot"))
    var shots: [String] = []

    @OptionGroup var job: JobCommandOptions

    func validate() throws {
        guard !shots.isEmpty else { throw ValidationError("give at least one --shot SECONDS:PROMPT") }
        for shot in shots where Self.parse(shot) == nil {
            throw ValidationError("--shot takes SECONDS:[TRANSITION:]PROMPT, not '\(shot)'")
        }
    }

    static func parse(_ text: String) -> DBusValue? {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, let seconds = Double(parts[0]), seconds.isFinite else { return nil }
        let (transition, prompt) = parts.count == 3 && ["cut", "", "continue"].contains(parts[1])
            ? (parts[1], parts[2]) : ("cut", parts.dropFirst().joined(separator: ":"))
        return .structure([.string(prompt), .double(seconds), .string(transition)])
    }

    func run() throws {
        let values = shots.compactMap(Self.parse)
        try JobSubmission(options: job, method: "Storyboard", kind: .source, preferredPlugin: "text-to-video")
            .run(label: "storyboard") { plugin, options, output in
                [.string(plugin), .array(elementSignature: "(sds)", values), options, .fileDescriptor(output)]
            }
    }
}

struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Stream live video (H.264 in MPEG-TS) to a file or standard output as it is made.",
        discussion: """
            The stream runs at its own frame rate until Ctrl-C, `kinora cancel`, or --param duration=SECONDS \
            (default and most: 600 s). `kinora prompt JOB TEXT` changes the prompt while it runs. With -o - \
            the stream goes to standard output (pipe it into a player); then the job path is not printed. \
            With -o udp://127.0.0.1:PORT kinorad itself sends it to that loopback UDP port (PORT 1024 to 65535), \
            seven MPEG-TS packets a datagram, for any player to open.

            EXAMPLES
              kinora stream "a red ball" -o - | gst-play-1.0 fd://0
              kinora stream "a red ball" -o live.ts --param duration=30
              kinora stream "a red ball" -o udp://127.0.0.1:5004 &  gst-play-1.0 udp://127.0.0.1:5004
            """)

    @Argument(help: "What the stream should show.")
    var prompt: String

    @OptionGroup var job: JobCommandOptions

    func validate() throws {
        if job.output == "-" && job.json { throw ValidationError("--json and -o - both want standard output") }
    }

    func run() throws {
        try JobSubmission(options: job, method: "StartStream", kind: .source, preferredPlugin: "text-to-video")
            .run(label: "streaming") { plugin, options, output in
                [.string(plugin), .string(prompt), options, .fileDescriptor(output)]
            }
    }
}
