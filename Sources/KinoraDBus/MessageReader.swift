import CDBus

/// Reads a message's arguments into `DBusValue`s.
enum MessageReader {
    static func readAll(_ iterator: inout DBusMessageIter) -> [DBusValue] {
        var values: [DBusValue] = []
        while dbus_message_iter_get_arg_type(&iterator) != DBusTypeCode.invalid {
            if let value = read(&iterator) { values.append(value) }
            if dbus_message_iter_next(&iterator) == 0 { break }
        }
        return values
    }

    static func read(_ iterator: inout DBusMessageIter) -> DBusValue? {
        let code = dbus_message_iter_get_arg_type(&iterator)
        switch code {
        case DBusTypeCode.bool:
            var raw: dbus_bool_t = 0
            dbus_message_iter_get_basic(&iterator, &raw)
            return .bool(raw != 0)
        case DBusTypeCode.byte:
            var raw: UInt8 = 0
            dbus_message_iter_get_basic(&iterator, &raw)
            return .uint32(UInt32(raw))
        case DBusTypeCode.int32: return .int32(basic(&iterator, Int32(0)))
        case DBusTypeCode.uint32: return .uint32(basic(&iterator, UInt32(0)))
        case DBusTypeCode.int64: return .int64(basic(&iterator, Int64(0)))
        case DBusTypeCode.uint64: return .uint64(basic(&iterator, UInt64(0)))
        case DBusTypeCode.double: return .double(basic(&iterator, Double(0)))
        case DBusTypeCode.fileDescriptor: return .fileDescriptor(basic(&iterator, Int32(-1)))
        case DBusTypeCode.string, DBusTypeCode.signature:
            return .string(string(&iterator))
        case DBusTypeCode.objectPath:
            return .objectPath(string(&iterator))
        case DBusTypeCode.variant:
            var sub = DBusMessageIter()
            dbus_message_iter_recurse(&iterator, &sub)
            return read(&sub).map { .variant($0) }
        case DBusTypeCode.structure:
            var sub = DBusMessageIter()
            dbus_message_iter_recurse(&iterator, &sub)
            return .structure(readAll(&sub))
        case DBusTypeCode.array:
            return array(&iterator)
        default:
            return nil
        }
    }

    private static func array(_ iterator: inout DBusMessageIter) -> DBusValue {
        let elementSignature = signatureOfContents(&iterator)
        var sub = DBusMessageIter()
        dbus_message_iter_recurse(&iterator, &sub)
        if dbus_message_iter_get_element_type(&iterator) == DBusTypeCode.dictEntry {
            // "{kv}": key signature is one character (a basic type), the rest is the value.
            let inner = elementSignature.dropFirst().dropLast()
            let keySignature = String(inner.prefix(1))
            let valueSignature = String(inner.dropFirst())
            var entries: [(DBusValue, DBusValue)] = []
            while dbus_message_iter_get_arg_type(&sub) == DBusTypeCode.dictEntry {
                var entry = DBusMessageIter()
                dbus_message_iter_recurse(&sub, &entry)
                let pair = readAll(&entry)
                if pair.count == 2 { entries.append((pair[0], pair[1])) }
                if dbus_message_iter_next(&sub) == 0 { break }
            }
            return .dictionary(keySignature: keySignature, valueSignature: valueSignature, entries)
        }
        return .array(elementSignature: elementSignature, readAll(&sub))
    }

    private static func signatureOfContents(_ iterator: inout DBusMessageIter) -> String {
        guard let full = dbus_message_iter_get_signature(&iterator) else { return "" }
        defer { dbus_free(full) }
        return String(String(cString: full).dropFirst())
    }

    private static func basic<T: BitwiseCopyable>(_ iterator: inout DBusMessageIter, _ initial: T) -> T {
        var value = initial
        withUnsafeMutableBytes(of: &value) { dbus_message_iter_get_basic(&iterator, $0.baseAddress) }
        return value
    }

    private static func string(_ iterator: inout DBusMessageIter) -> String {
        var pointer: UnsafePointer<CChar>? = nil
        dbus_message_iter_get_basic(&iterator, &pointer)
        return pointer.map { String(cString: $0) } ?? ""
    }
}
