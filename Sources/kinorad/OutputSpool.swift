#if canImport(Glibc)
    import Glibc
#endif

/// Where a job's encoder writes before the caller sees anything.
///
/// The pipeline writes into an unlinked temporary file; only after the
/// pipeline reached end-of-stream is that file copied to the caller's
/// descriptor. A cancelled or failed job therefore writes not one byte to
/// the caller: there is never a half-written file that looks complete.
/// (mp4mux needs a seekable sink, which a caller's pipe is not: a second
/// reason for the spool.) The file is in `$TMPDIR` (systemd's PrivateTmp in
/// the unit), unlinked at once, so it vanishes with the job or the process.
struct OutputSpool: ~Copyable {
    let descriptor: Int32

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init() throws(Failure) {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((directory + "/kinora-job-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemp($0) } ?? -1
        }
        guard descriptor >= 0 else {
            throw Failure(description: "cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { buffer in _ = buffer.baseAddress.map { unlink($0) } }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// A path GStreamer's filesink can open: the spool through /proc.
    var sinkLocation: String { "/proc/self/fd/\(descriptor)" }

    /// Copies the whole spool to `destination` (at its current offset). If a write fails
    /// part-way (a full disk, a closed pipe), a seekable destination is cut back to where it
    /// started, so the caller is left with nothing rather than a truncated file.
    @discardableResult
    func copy(to destination: Int32) throws(Failure) -> Int64 {
        let start = lseek(destination, 0, SEEK_CUR)
        do {
            return try copyAll(to: destination)
        } catch {
            if start >= 0 { _ = ftruncate(destination, start) }
            throw error
        }
    }

    private func copyAll(to destination: Int32) throws(Failure) -> Int64 {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let count = pread(descriptor, &buffer, buffer.count, offset)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw Failure(description: "cannot read the spool: \(String(cString: strerror(errno)))") }
            if count == 0 { return Int64(offset) }
            var written = 0
            while written < count {
                let result = buffer.withUnsafeBytes { bytes in
                    bytes.baseAddress.map { write(destination, $0 + written, count - written) } ?? -1
                }
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else {
                    throw Failure(description: "cannot write to the output descriptor: \(String(cString: strerror(errno)))")
                }
                written += result
            }
            offset += off_t(count)
        }
    }
}
