import Foundation
import KinoraHost

/// A live source's generator thread. It makes the next block of frames while the streaming
/// thread pushes the current one at the stream's rate, so generating a block overlaps playing
/// the one before it instead of stalling the stream once per block. At most `ahead` finished
/// blocks wait, and their pixel buffers are reused, so memory stays flat however long the
/// stream runs.
///
/// Stopping: cancel the plugin instance first (its `produce` returns within one denoising
/// step), then `stop()` waits for the thread to leave.
final class BlockProducer: @unchecked Sendable {  // every field is under `condition`
    struct Block {
        var pixels: [UInt8]
        var count: Int
    }

    enum Next {
        case block(Block)
        case ended
        case failed(PluginCallError)
    }

    /// Fills `pixels` (resized as needed) with the block starting at frame `first`; returns
    /// its frame count, or nil when the stream has no more frames.
    typealias Make = @Sendable (_ first: UInt64, _ pixels: inout [UInt8]) throws(PluginCallError) -> Int?

    private let condition = NSCondition()
    private var ready: [Block] = []
    private var spare: [[UInt8]] = []
    private var finished: Next?
    private var stopping = false
    private var running = true
    private let ahead: Int

    init(startingAt first: UInt64, ahead: Int = 1, make: @escaping Make) {
        self.ahead = max(1, ahead)
        let thread = Thread { [self] in self.run(from: first, make: make) }
        thread.name = "kinora-generate"
        // The engine's kernels recurse little, but a plugin may: the size GStreamer's own
        // streaming threads get.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The next block, waiting for it if it is not made yet.
    func take() -> Next {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && finished == nil { condition.wait() }
        guard ready.isEmpty else {
            let block = ready.removeFirst()
            condition.broadcast()
            return .block(block)
        }
        return finished ?? .ended
    }

    /// Gives back a pushed block's pixel memory for a later block.
    func recycle(_ pixels: [UInt8]) {
        condition.lock()
        if spare.count < ahead { spare.append(pixels) }
        condition.unlock()
    }

    /// Waits for the thread to leave (after its current block: cancel the instance first).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        ready = []
        spare = []
        condition.unlock()
    }

    private func run(from start: UInt64, make: Make) {
        var first = start
        while true {
            condition.lock()
            while !stopping && ready.count >= ahead { condition.wait() }
            if stopping {
                leave(with: nil)
                return
            }
            var pixels = spare.popLast() ?? []
            condition.unlock()
            let outcome: Next
            do throws(PluginCallError) {
                if let count = try make(first, &pixels) {
                    first += UInt64(count)
                    condition.lock()
                    ready.append(Block(pixels: pixels, count: count))
                    condition.broadcast()
                    condition.unlock()
                    continue
                }
                outcome = .ended
            } catch {
                outcome = .failed(error)
            }
            condition.lock()
            leave(with: outcome)
            return
        }
    }

    /// With the lock held: records why the thread ends, wakes everyone, unlocks.
    private func leave(with outcome: Next?) {
        if let outcome { finished = outcome }
        if finished == nil { finished = .failed(.cancelled) }
        running = false
        condition.broadcast()
        condition.unlock()
    }
}
