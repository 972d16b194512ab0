import CDBus

/// Appends `DBusValue`s to a message through libdbus' iterator API (the
/// variadic `dbus_message_append_args` does not import into Swift).
enum MessageWriter {
    static func append(_ value: DBusValue, to iterator: inout DBusMessageIter) {
        switch value {
        case .bool(let flag):
            var raw: dbus_bool_t = flag ? 1 : 0
            dbus_message_iter_append_basic(&iterator, DBusTypeCode.bool, &raw)
        case .int32(var number):
            dbus_message_iter_append_basic(&iterator, DBusTypeCode.int32, &number)
        case .uint32(var number):
            dbus_message_iter_append_basic(&iterator, DBusTypeCode.uint32, &number)
        case .int64(var number):
            dbus_message_iter_append_basic(&iterator, DBusTypeCode.int64, &number)
        case .uint64(var number):
            dbus_message_iter_append_basic(&iterator, DBusTypeCode.uint64, &number)
        case .double(var number):
            dbus_message_iter_append_basic(&iterator, DBusTypeCode.double, &number)
        case .string(let text):
            appendString(text, code: DBusTypeCode.string, to: &iterator)
        case .objectPath(let text):
            appendString(text, code: DBusTypeCode.objectPath, to: &iterator)
        case .fileDescriptor(var descriptor):
            dbus_message_iter_append_basic(&iterator, DBusTypeCode.fileDescriptor, &descriptor)
        case .variant(let inner):
            container(DBusTypeCode.variant, signature: inner.signature, in: &iterator) { append(inner, to: &$0) }
        case .array(let element, let items):
            container(DBusTypeCode.array, signature: element, in: &iterator) { sub in
                for item in items { append(item, to: &sub) }
            }
        case .dictionary(let key, let valueSignature, let entries):
            container(DBusTypeCode.array, signature: "{" + key + valueSignature + "}", in: &iterator) { sub in
                for (entryKey, entryValue) in entries {
                    container(DBusTypeCode.dictEntry, signature: nil, in: &sub) { entry in
                        append(entryKey, to: &entry)
                        append(entryValue, to: &entry)
                    }
                }
            }
        case .structure(let fields):
            container(DBusTypeCode.structure, signature: nil, in: &iterator) { sub in
                for field in fields { append(field, to: &sub) }
            }
        case .bytes(let bytes):
            container(DBusTypeCode.array, signature: "y", in: &iterator) { sub in
                bytes.withUnsafeBufferPointer { buffer in
                    var base = buffer.baseAddress
                    _ = dbus_message_iter_append_fixed_array(&sub, DBusTypeCode.byte, &base, Int32(buffer.count))
                }
            }
        }
    }

    private static func appendString(_ text: String, code: Int32, to iterator: inout DBusMessageIter) {
        // libdbus aborts on invalid UTF-8 or embedded NULs; Swift strings are valid UTF-8, NULs are dropped.
        text.replacingOccurrences(of: "\0", with: "").withCString { pointer in
            var cString: UnsafePointer<CChar>? = pointer
            _ = dbus_message_iter_append_basic(&iterator, code, &cString)
        }
    }

    private static func container(
        _ code: Int32, signature: String?, in iterator: inout DBusMessageIter, _ body: (inout DBusMessageIter) -> Void
    ) {
        var sub = DBusMessageIter()
        if let signature {
            signature.withCString { _ = dbus_message_iter_open_container(&iterator, code, $0, &sub) }
        } else {
            _ = dbus_message_iter_open_container(&iterator, code, nil, &sub)
        }
        body(&sub)
        dbus_message_iter_close_container(&iterator, &sub)
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
