#if canImport(Glibc)
    import Glibc
#endif

/// Where a job command has kinorad write, so that a failed or cancelled job loses nothing:
/// a file output is written into a temporary file beside it and renamed over it only once
/// the job is done (a file already there survives a failed job untouched). With --no-wait
/// nobody is left to rename, so the output itself is created (truncated) up front; standard
/// output and the network are written as they are.
struct OutputTarget {
    /// The descriptor handed to kinorad (the CLI closes its own copy after the call).
    let descriptor: Int32
    private let finalPath: String?
    private let temporaryPath: String?

    /// - Parameters:
    ///   - output: the `-o` argument.
    ///   - network: the stream goes to the network (`-o udp://…`): nothing is written here.
    ///   - waits: the command follows the job to its end (else --no-wait).
    init(output: String, network: Bool, waits: Bool) throws {
        if output == "-" {
            (descriptor, finalPath, temporaryPath) = (dup(STDOUT_FILENO), nil, nil)
        } else if network {
            (descriptor, finalPath, temporaryPath) = (open("/dev/null", O_WRONLY | O_CLOEXEC), nil, nil)
        } else if !waits {
            (descriptor, finalPath, temporaryPath) = (open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644), output, nil)
        } else {
            let slash = output.lastIndex(of: "/")
            let directory = slash.map { String(output[...$0]) } ?? ""
            let name = slash.map { String(output[output.index(after: $0)...]) } ?? output
            var template = Array("\(directory).\(name).kinora-XXXXXX".utf8CString)
            let made = template.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress.map { mkstemp($0) } ?? -1
            }
            if made >= 0 { _ = fcntl(made, F_SETFD, FD_CLOEXEC) }
            let temporary = made >= 0 ? template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : nil
            if made >= 0 {
                // mkstemp makes 0600; the output gets what open(2) would have given it.
                let mask = umask(0)
                umask(mask)
                fchmod(made, 0o644 & ~mask)
            }
            (descriptor, finalPath, temporaryPath) = (made, output, temporary)
        }
        guard descriptor >= 0 else {
            Terminal.error("cannot create \(output): \(String(cString: strerror(errno)))")
            throw ExitStatus.cannotCreate
        }
    }

    /// The job is done: the output takes its place.
    func commit() throws {
        guard let temporaryPath, let finalPath else { return }
        guard rename(temporaryPath, finalPath) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            Terminal.error("cannot move the finished video to \(finalPath): \(reason)")
            throw ExitStatus.cannotCreate
        }
    }

    /// The job failed, was cancelled or never started: nothing of it stays.
    func discard() {
        if let temporaryPath {
            _ = unlink(temporaryPath)
        } else if let finalPath {
            _ = unlink(finalPath)
        }
    }
}
