import KinoraEngine

/// A packed RGB picture (3 bytes a pixel, rows without padding).
public struct RGBFrame: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Copies a frame out of a block's memory (`stride` bytes a row).
    public init(copying source: UnsafeBufferPointer<UInt8>, width: Int, height: Int, stride: Int) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for row in 0 ..< height {
            for byte in 0 ..< width * 3 { pixels[row * width * 3 + byte] = source[row * stride + byte] }
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// Writes the frame into a block's memory (`stride` bytes a row), sizes equal.
    public func write(into destination: UnsafeMutableBufferPointer<UInt8>, stride: Int) {
        for row in 0 ..< height {
            for byte in 0 ..< width * 3 { destination[row * stride + byte] = pixels[row * width * 3 + byte] }
        }
    }

    /// Decoded frames `[N, 3, H, W]` in [−1, 1] → pictures (clamped, rounded).
    public static func frames(fromDecoded tensor: Tensor) -> [RGBFrame] {
        let (n, h, w) = (tensor.shape[0], tensor.shape[2], tensor.shape[3])
        let plane = h * w
        return (0 ..< n).map { index in
            var pixels = [UInt8](repeating: 0, count: plane * 3)
            let base = index * 3 * plane
            for p in 0 ..< plane {
                for c in 0 ..< 3 {
                    let value = (tensor.storage[base + c * plane + p] + 1) * 127.5
                    pixels[p * 3 + c] = UInt8(min(max(value.rounded(), 0), 255))
                }
            }
            return RGBFrame(width: w, height: h, pixels: pixels)
        }
    }

    /// Pictures of one size → the autoencoder's input `[N, 3, H, W]` in [−1, 1].
    public static func tensor(_ frames: [RGBFrame]) throws -> Tensor {
        guard let first = frames.first else {
            throw EngineError.invalidArgument(operation: "RGBFrame.tensor", detail: "no frames")
        }
        let plane = first.width * first.height
        var storage = [Float](repeating: 0, count: frames.count * 3 * plane)
        for (index, frame) in frames.enumerated() {
            for p in 0 ..< plane {
                for c in 0 ..< 3 { storage[index * 3 * plane + c * plane + p] = Float(frame.pixels[p * 3 + c]) / 127.5 - 1 }
            }
        }
        return try Tensor(shape: [frames.count, 3, first.height, first.width], storage: storage)
    }
}
