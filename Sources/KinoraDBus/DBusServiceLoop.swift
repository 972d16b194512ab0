import CDBus
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A service's main loop: libdbus' watches and timeouts in our own `poll()`,
/// plus a self-pipe so other threads can hand work to the loop thread.
///
/// Why not `dbus_connection_read_write_dispatch`: a thread blocked in it
/// stalls sends from other threads for seconds. Here only the loop thread
/// touches the connection; job threads `post` closures instead.
public final class DBusServiceLoop: @unchecked Sendable {
    // @unchecked: `watches`, `timeouts`, `handler` and `running` belong to
    // the loop thread; only `post`, `stop` and the pipe are used from others,
    // and those go through `posted`'s lock and a write to the pipe.
    public let connection: DBusConnection
    private var watches: [OpaquePointer] = []
    private var timeouts: [(timeout: OpaquePointer, deadline: Int64)] = []
    private let posted = Mutex<[@Sendable () -> Void]>([])
    private let stopRequested = Atomic<Bool>(false)
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var handler: (DBusMessage) -> Bool = { _ in false }

    public init(connection: DBusConnection) throws(DBusError) {
        self.connection = connection
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .failed("cannot create the wake-up pipe") }
        (wakeRead, wakeWrite) = (fds[0], fds[1])
        for descriptor in fds {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        installCallbacks()
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Runs `work` on the loop thread soon. Safe from any thread.
    public func post(_ work: @escaping @Sendable () -> Void) {
        posted.withLock { $0.append(work) }
        wake()
    }

    /// Makes `run` return after the current iteration. Safe from any thread.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        wake()
    }

    /// Dispatches every incoming message to `handler` (return true when handled) until `stop`.
    public func run(handler: @escaping (DBusMessage) -> Bool) {
        self.handler = handler
        while !stopRequested.load(ordering: .acquiring) && connection.isConnected {
            pollOnce()
            runPosted()
            while dbus_connection_dispatch(connection.raw) == DBUS_DISPATCH_DATA_REMAINS {}
        }
        dbus_connection_flush(connection.raw)
    }

    /// Runs what other threads posted and flushes, without waiting for the bus:
    /// for shutdown, after `run` returned, while the last jobs finish.
    public func runPending() {
        runPosted()
        dbus_connection_flush(connection.raw)
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func runPosted() {
        let work = posted.withLock { queue in
            defer { queue = [] }
            return queue
        }
        work.forEach { $0() }
    }

    private func pollOnce() {
        var descriptors = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        var polledWatches: [OpaquePointer] = []
        for watch in watches where dbus_watch_get_enabled(watch) != 0 {
            let flags = dbus_watch_get_flags(watch)
            var events: Int16 = 0
            if flags & DBUS_WATCH_READABLE.rawValue != 0 { events |= Int16(POLLIN) }
            if flags & DBUS_WATCH_WRITABLE.rawValue != 0 { events |= Int16(POLLOUT) }
            descriptors.append(pollfd(fd: dbus_watch_get_unix_fd(watch), events: events, revents: 0))
            polledWatches.append(watch)
        }
        let now = Self.milliseconds()
        let nextDeadline = timeouts.map(\.deadline).min()
        let wait = nextDeadline.map { Int32(clamping: max(0, $0 - now)) } ?? 1000
        _ = poll(&descriptors, nfds_t(descriptors.count), wait)

        if descriptors[0].revents != 0 {
            var sink = [UInt8](repeating: 0, count: 256)
            while read(wakeRead, &sink, sink.count) > 0 {}
        }
        for (index, watch) in polledWatches.enumerated() {
            let revents = descriptors[index + 1].revents
            guard revents != 0 else { continue }
            var flags: UInt32 = 0
            if revents & Int16(POLLIN) != 0 { flags |= DBUS_WATCH_READABLE.rawValue }
            if revents & Int16(POLLOUT) != 0 { flags |= DBUS_WATCH_WRITABLE.rawValue }
            if revents & Int16(POLLERR) != 0 { flags |= DBUS_WATCH_ERROR.rawValue }
            if revents & Int16(POLLHUP) != 0 { flags |= DBUS_WATCH_HANGUP.rawValue }
            // A handled watch may remove others; only handle ones still registered.
            if watches.contains(watch) { _ = dbus_watch_handle(watch, flags) }
        }
        let after = Self.milliseconds()
        for entry in timeouts where entry.deadline <= after {
            _ = dbus_timeout_handle(entry.timeout)
        }
        timeouts = timeouts.map { entry in
            entry.deadline <= after
                ? (entry.timeout, after + Int64(dbus_timeout_get_interval(entry.timeout))) : entry
        }
    }

    private static func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    // MARK: - libdbus callbacks (all on the loop thread)

    fileprivate func addWatch(_ watch: OpaquePointer) { watches.append(watch) }
    fileprivate func removeWatch(_ watch: OpaquePointer) { watches.removeAll { $0 == watch } }
    fileprivate func addTimeout(_ timeout: OpaquePointer) {
        guard dbus_timeout_get_enabled(timeout) != 0 else { return }
        timeouts.append((timeout, Self.milliseconds() + Int64(dbus_timeout_get_interval(timeout))))
    }
    fileprivate func removeTimeout(_ timeout: OpaquePointer) { timeouts.removeAll { $0.timeout == timeout } }
    fileprivate func handle(_ message: DBusMessage) -> Bool { handler(message) }
    fileprivate func wakeFromLibdbus() { wake() }

    private func installCallbacks() {
        let me = Unmanaged.passUnretained(self).toOpaque()
        dbus_connection_set_watch_functions(
            connection.raw,
            { watch, data in
                guard let watch, let data else { return 0 }
                loop(data).addWatch(watch)
                return 1
            },
            { watch, data in
                guard let watch, let data else { return }
                loop(data).removeWatch(watch)
            },
            { _, _ in },  // enabled state is read on every poll
            me, nil)
        dbus_connection_set_timeout_functions(
            connection.raw,
            { timeout, data in
                guard let timeout, let data else { return 0 }
                loop(data).addTimeout(timeout)
                return 1
            },
            { timeout, data in
                guard let timeout, let data else { return }
                loop(data).removeTimeout(timeout)
            },
            { timeout, data in
                guard let timeout, let data else { return }
                loop(data).removeTimeout(timeout)
                loop(data).addTimeout(timeout)
            },
            me, nil)
        dbus_connection_set_wakeup_main_function(
            connection.raw, { data in data.map { loop($0).wakeFromLibdbus() } }, me, nil)
        _ = dbus_connection_add_filter(
            connection.raw,
            { _, message, data in
                guard let message, let data else { return DBUS_HANDLER_RESULT_NOT_YET_HANDLED }
                let wrapped = DBusMessage(taking: dbus_message_ref(message))
                return loop(data).handle(wrapped) ? DBUS_HANDLER_RESULT_HANDLED : DBUS_HANDLER_RESULT_NOT_YET_HANDLED
            },
            me, nil)
    }
}

private func loop(_ data: UnsafeMutableRawPointer) -> DBusServiceLoop {
    Unmanaged<DBusServiceLoop>.fromOpaque(data).takeUnretainedValue()
}
