import CKinoraPluginABI

/// A block of RGB frames for one `produce` call to fill.
///
/// Frames are packed RGB, three bytes a pixel, `stride` bytes a row. The
/// memory belongs to the host and is valid only during the call.
public struct FrameBlock {
    /// Index of the first frame of this block within the stream.
    public let firstFrame: UInt64
    /// Frames to fill in this call (`preferredBlockFrames`, fewer at the end of a stream).
    public let frameCount: Int
    /// Frame size in pixels, as negotiated for the stream.
    public let width: Int
    public let height: Int
    /// Bytes from one row to the next (at least `width * 3`; GStreamer rounds rows to 4 bytes).
    public let stride: Int
    private let frameSize: Int
    private let pixels: UnsafeMutablePointer<UInt8>
    private let input: UnsafePointer<UInt8>?
    /// Number of input frames (image and video kinds), 0 for a source — and 0 for a
    /// video-to-video plugin once its input has ended (see `isEndOfInput`).
    public let inputCount: Int
    /// Where the host reads back how many frames were made (`finish(frameCount:)`).
    private let raw: UnsafeMutablePointer<KinoraFrameBlock>

    /// For a video-to-video plugin: the input has ended and the host asks for frames to add
    /// after it (clip extension continues the clip here). A plugin that adds nothing
    /// reports `finish(frameCount: 0)`.
    public var isEndOfInput: Bool { input == nil }

    init(_ pointer: UnsafeMutablePointer<KinoraFrameBlock>, width: Int, height: Int) throws(PluginError) {
        let block = pointer.pointee
        raw = pointer
        guard let pixels = block.pixels else { throw .invalidArgument("frame block has no pixel memory") }
        guard Int(block.stride) >= width * 3, block.frame_size >= Int(block.stride) * height else {
            throw .invalidArgument("frame block of stride \(block.stride) is too small for \(width)x\(height)")
        }
        self.firstFrame = block.first_frame
        self.frameCount = Int(block.frame_count)
        self.width = width
        self.height = height
        self.stride = Int(block.stride)
        self.frameSize = block.frame_size
        self.pixels = pixels
        self.input = block.input
        self.inputCount = block.input == nil ? 0 : Int(block.input_count)
    }

    /// The bytes of frame `index` (0 ..< frameCount) of this block, to write.
    public func frame(_ index: Int) -> UnsafeMutableBufferPointer<UInt8> {
        precondition(index >= 0 && index < frameCount, "frame \(index) outside block of \(frameCount)")
        return UnsafeMutableBufferPointer(start: pixels + index * frameSize, count: frameSize)
    }

    /// Says that only the first `frameCount` frames of this block were made (an
    /// end-of-input block that adds fewer frames, or none, which ends the stream). The
    /// default is the whole block.
    public func finish(frameCount made: Int) {
        raw.pointee.frame_count = UInt32(max(0, min(made, frameCount)))
    }

    /// The bytes of input frame `index` (0 ..< inputCount), to read.
    public func inputFrame(_ index: Int) -> UnsafeBufferPointer<UInt8>? {
        guard let input, index >= 0, index < inputCount else { return nil }
        return UnsafeBufferPointer(start: input + index * frameSize, count: frameSize)
    }
}
