/// Parameters every plugin has without declaring them: the host provides
/// them (the prompt, the clip's length and frame format), so they are
/// declared once here and every surface (GStreamer properties, D-Bus
/// options, `kinora --param`) takes them from this one place.
public enum StandardParameters {
    public static let prompt = ParameterSpec(
        name: "prompt", nick: "Prompt", description: "What the video should show, in words",
        type: .string(default: "", maxLength: 4096), mutableWhilePlaying: true)

    public static let duration = ParameterSpec(
        name: "duration", nick: "Duration",
        description: "Length of the stream in seconds; the element sends end-of-stream after it (0: no end)",
        type: .double(minimum: 0, maximum: 3600, default: 0))

    public static let isLive = ParameterSpec(
        name: "is-live", nick: "Is live", description: "Produce frames at the pace of the pipeline clock, the next block made ahead on a thread of its own",
        type: .bool(default: false))

    /// The element properties the GStreamer bridge adds to every source element.
    public static let elementProperties = [prompt, duration, isLive]

    /// The standard parameters as a schema, for validating them like any other.
    public static let schema = ParameterSchema(wellFormed: elementProperties)

    /// Names a plugin may not use for its own parameters: the standard ones,
    /// the job options, and properties GStreamer elements already have.
    public static let reservedNames: Set<String> = [
        "prompt", "duration", "is-live", "width", "height", "fps", "name", "parent", "num-buffers",
        "blocksize", "typefind", "do-timestamp", "automatic-eos", "qos",
    ]

    /// The options of a generation job (D-Bus `Generate`, `kinora generate`),
    /// besides the plugin's own parameters; ranges come from the plugin's
    /// frame limits.
    public static func jobOptions(for manifest: PluginManifest) -> [ParameterSpec] {
        let frames = manifest.frames
        return [
            ParameterSpec(
                name: "width", nick: "Width", description: "Frame width in pixels",
                type: .int(
                    minimum: Int64(frames.widths.lowerBound), maximum: Int64(frames.widths.upperBound),
                    default: Int64(frames.defaultWidth))),
            ParameterSpec(
                name: "height", nick: "Height", description: "Frame height in pixels",
                type: .int(
                    minimum: Int64(frames.heights.lowerBound), maximum: Int64(frames.heights.upperBound),
                    default: Int64(frames.defaultHeight))),
            ParameterSpec(
                name: "fps", nick: "Frame rate", description: "Frames per second",
                type: .int(
                    minimum: 1, maximum: Int64(frames.maxFramesPerSecond),
                    default: Int64(frames.defaultFramesPerSecond))),
            ParameterSpec(
                name: "duration", nick: "Duration", description: "Length of the clip in seconds",
                type: .double(minimum: 0.05, maximum: 600, default: 2)),
        ]
    }
}
