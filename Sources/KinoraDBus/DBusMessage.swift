import CDBus

/// Type codes and message kinds: C macros in dbus-protocol.h that Swift does not import.
enum DBusTypeCode {
    static let invalid = Int32(0)
    static let byte = Int32(UInt8(ascii: "y"))
    static let bool = Int32(UInt8(ascii: "b"))
    static let int32 = Int32(UInt8(ascii: "i"))
    static let uint32 = Int32(UInt8(ascii: "u"))
    static let int64 = Int32(UInt8(ascii: "x"))
    static let uint64 = Int32(UInt8(ascii: "t"))
    static let double = Int32(UInt8(ascii: "d"))
    static let string = Int32(UInt8(ascii: "s"))
    static let objectPath = Int32(UInt8(ascii: "o"))
    static let signature = Int32(UInt8(ascii: "g"))
    static let fileDescriptor = Int32(UInt8(ascii: "h"))
    static let array = Int32(UInt8(ascii: "a"))
    static let variant = Int32(UInt8(ascii: "v"))
    static let structure = Int32(UInt8(ascii: "r"))
    static let dictEntry = Int32(UInt8(ascii: "e"))
}

/// The kind of a message (DBUS_MESSAGE_TYPE_*).
public enum DBusMessageKind: Int32, Sendable {
    case invalid = 0, methodCall = 1, methodReturn = 2, error = 3, signal = 4
}

/// An owned reference to a libdbus message.
public final class DBusMessage: @unchecked Sendable {
    // @unchecked: libdbus messages are reference-counted and may move between
    // threads; Kinora never mutates one after handing it over.
    let raw: OpaquePointer

    init(taking raw: OpaquePointer) { self.raw = raw }

    deinit { dbus_message_unref(raw) }

    /// A method call. The names are checked first: libdbus aborts the process on an invalid
    /// object path or name, and a path may come from a user (`kinora prompt JOB`).
    public static func methodCall(destination: String, path: String, interface: String, member: String) throws
        -> DBusMessage
    {
        guard dbus_validate_path(path, nil) != 0 else {
            throw DBusError(
                name: "org.freedesktop.DBus.Error.InvalidArgs",
                message: "'\(path)' is not a D-Bus object path (such as /org/kinora/Kinora1/jobs/1)")
        }
        guard dbus_validate_bus_name(destination, nil) != 0, dbus_validate_interface(interface, nil) != 0,
            dbus_validate_member(member, nil) != 0
        else {
            throw DBusError(
                name: "org.freedesktop.DBus.Error.InvalidArgs",
                message: "invalid destination, interface or member: \(destination) \(interface).\(member)")
        }
        return DBusMessage(taking: dbus_message_new_method_call(destination, path, interface, member))
    }

    public static func signal(path: String, interface: String, member: String) -> DBusMessage {
        DBusMessage(taking: dbus_message_new_signal(path, interface, member))
    }

    public func methodReturn() -> DBusMessage {
        DBusMessage(taking: dbus_message_new_method_return(raw))
    }

    public func errorReply(_ error: DBusError) -> DBusMessage {
        DBusMessage(taking: dbus_message_new_error(raw, error.name, error.message))
    }

    public var kind: DBusMessageKind { DBusMessageKind(rawValue: dbus_message_get_type(raw)) ?? .invalid }
    public var path: String? { dbus_message_get_path(raw).map { String(cString: $0) } }
    public var interface: String? { dbus_message_get_interface(raw).map { String(cString: $0) } }
    public var member: String? { dbus_message_get_member(raw).map { String(cString: $0) } }
    public var sender: String? { dbus_message_get_sender(raw).map { String(cString: $0) } }
    public var errorName: String? { dbus_message_get_error_name(raw).map { String(cString: $0) } }
    public var signature: String { dbus_message_get_signature(raw).map { String(cString: $0) } ?? "" }

    /// Appends values in order.
    public func append(_ values: DBusValue...) { append(contentsOf: values) }

    public func append(contentsOf values: [DBusValue]) {
        var iterator = DBusMessageIter()
        dbus_message_iter_init_append(raw, &iterator)
        for value in values { MessageWriter.append(value, to: &iterator) }
    }

    /// All arguments. File descriptors read here are new descriptors the caller owns.
    public func arguments() -> [DBusValue] {
        var iterator = DBusMessageIter()
        guard dbus_message_iter_init(raw, &iterator) != 0 else { return [] }
        return MessageReader.readAll(&iterator)
    }
}
