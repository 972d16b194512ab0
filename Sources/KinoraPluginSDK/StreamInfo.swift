/// The stream an instance makes, fixed when it is created.
public struct StreamInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var framesPerSecondNumerator: Int
    public var framesPerSecondDenominator: Int
    /// Frames in the whole stream; `nil` for an unbounded (live) stream.
    public var totalFrames: UInt64?
    public var prompt: String
    /// Folders to look for model weights in, most specific first (a plugin
    /// loads `<folder>/<model name>/` from the first that has it).
    public var modelDirectories: [String]

    public init(
        width: Int, height: Int, framesPerSecondNumerator: Int, framesPerSecondDenominator: Int = 1,
        totalFrames: UInt64?, prompt: String, modelDirectories: [String] = []
    ) {
        self.width = width
        self.height = height
        self.framesPerSecondNumerator = framesPerSecondNumerator
        self.framesPerSecondDenominator = framesPerSecondDenominator
        self.totalFrames = totalFrames
        self.prompt = prompt
        self.modelDirectories = modelDirectories
    }
}
