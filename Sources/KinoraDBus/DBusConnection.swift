import CDBus

/// Which bus to connect to.
public enum DBusBus: Sendable, Equatable {
    case session
    case system
    /// A bus at an explicit address (`unix:path=...`).
    case address(String)
}

/// A private connection to a message bus.
///
/// @unchecked Sendable: libdbus connections are thread-safe once
/// `dbus_threads_init_default` ran (done in `open`); Kinora still keeps one
/// thread per connection (the daemon's loop, the CLI's main thread).
public final class DBusConnection: @unchecked Sendable {
    let raw: OpaquePointer

    private init(raw: OpaquePointer) {
        self.raw = raw
        dbus_connection_set_exit_on_disconnect(raw, 0)
    }

    deinit {
        dbus_connection_close(raw)
        dbus_connection_unref(raw)
    }

    public static func open(_ bus: DBusBus) throws(DBusError) -> DBusConnection {
        _ = dbus_threads_init_default()
        var error = CDBus.DBusError()
        dbus_error_init(&error)
        let connection: OpaquePointer?
        switch bus {
        case .session: connection = dbus_bus_get_private(DBUS_BUS_SESSION, &error)
        case .system: connection = dbus_bus_get_private(DBUS_BUS_SYSTEM, &error)
        case .address(let address):
            connection = dbus_connection_open_private(address, &error)
            if let connection, dbus_bus_register(connection, &error) == 0 {
                dbus_connection_close(connection)
                dbus_connection_unref(connection)
                throw DBusError.take(&error) ?? .failed("cannot register on the bus at \(address)")
            }
        }
        if let failure = DBusError.take(&error) { throw failure }
        guard let connection else { throw .failed("no connection to the \(bus) bus") }
        return DBusConnection(raw: connection)
    }

    /// Asks for a well-known name; fails if someone else owns it.
    public func requestName(_ name: String) throws(DBusError) {
        var error = CDBus.DBusError()
        dbus_error_init(&error)
        let doNotQueue: UInt32 = 0x4  // DBUS_NAME_FLAG_DO_NOT_QUEUE
        let primaryOwner: Int32 = 1  // DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
        let reply = dbus_bus_request_name(raw, name, doNotQueue, &error)
        if let failure = DBusError.take(&error) { throw failure }
        guard reply == primaryOwner else {
            throw DBusError(
                name: "org.freedesktop.DBus.Error.AddressInUse", message: "the bus name \(name) is already owned")
        }
    }

    public func addMatch(_ rule: String) throws(DBusError) {
        var error = CDBus.DBusError()
        dbus_error_init(&error)
        dbus_bus_add_match(raw, rule, &error)
        if let failure = DBusError.take(&error) { throw failure }
    }

    /// Queues a message; the loop (or `flush`) writes it.
    public func send(_ message: DBusMessage) {
        _ = dbus_connection_send(raw, message.raw, nil)
    }

    public func flush() {
        dbus_connection_flush(raw)
    }

    /// A blocking method call. An error reply becomes a thrown `DBusError`.
    public func call(_ message: DBusMessage, timeoutMilliseconds: Int32 = 60_000) throws(DBusError) -> DBusMessage {
        var error = CDBus.DBusError()
        dbus_error_init(&error)
        let reply = dbus_connection_send_with_reply_and_block(raw, message.raw, timeoutMilliseconds, &error)
        if let failure = DBusError.take(&error) { throw failure }
        guard let reply else { throw .failed("no reply") }
        return DBusMessage(taking: reply)
    }

    /// For clients: waits up to `timeoutMilliseconds` for the next incoming
    /// message (signals included). Returns nil on timeout or disconnection.
    public func nextMessage(timeoutMilliseconds: Int32) -> DBusMessage? {
        if let message = dbus_connection_pop_message(raw) { return DBusMessage(taking: message) }
        guard dbus_connection_read_write(raw, timeoutMilliseconds) != 0 else { return nil }
        return dbus_connection_pop_message(raw).map { DBusMessage(taking: $0) }
    }

    public var isConnected: Bool { dbus_connection_get_is_connected(raw) != 0 }
}
