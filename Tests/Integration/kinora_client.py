"""A Python client of kinorad the way a desktop tool would write one: jeepney
(pure-Python D-Bus) with fd passing, job objects followed through
PropertiesChanged. Used by the service, fuzz and load tests."""
import os
import time

from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import HeaderFields

BUS_NAME = "org.kinora.Kinora1"
MANAGER = DBusAddress("/org/kinora/Kinora1", bus_name=BUS_NAME, interface="org.kinora.Kinora1.Manager")
FINAL = ("done", "failed", "cancelled")


class KinoraError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class Kinora:
    def __init__(self, address=None):
        self.conn = open_dbus_connection(bus=address or "SESSION", enable_fds=True)

    def close(self):
        self.conn.close()

    @property
    def unique_name(self):
        return self.conn.unique_name

    def call(self, address, member, signature=None, body=(), timeout=30):
        message = new_method_call(address, member, signature, tuple(body))
        reply = self.conn.send_and_get_reply(message, timeout=timeout)
        if reply.header.message_type.name == "error":
            name = reply.header.fields.get(HeaderFields.error_name, "")
            raise KinoraError(name, reply.body[0] if reply.body else "")
        return reply.body

    def manager(self, member, signature=None, *body, timeout=30):
        return self.call(MANAGER, member, signature, body, timeout=timeout)

    def job(self, path):
        return DBusAddress(path, bus_name=BUS_NAME, interface="org.kinora.Kinora1.Job")

    def properties(self, path):
        address = DBusAddress(path, bus_name=BUS_NAME, interface="org.freedesktop.DBus.Properties")
        (values,) = self.call(address, "GetAll", "s", ("org.kinora.Kinora1.Job",))
        return {key: value for key, (_, value) in values.items()}

    def managed_objects(self):
        address = DBusAddress("/org/kinora/Kinora1", bus_name=BUS_NAME,
                              interface="org.freedesktop.DBus.ObjectManager")
        (objects,) = self.call(address, "GetManagedObjects")
        return objects

    def submit(self, method, plugin, prompt, options, output_fd, input_fd=None):
        if input_fd is None:
            (path,) = self.manager(method, "ssa{sv}h", plugin, prompt, options, output_fd)
        else:
            (path,) = self.manager(method, "ssa{sv}hh", plugin, prompt, options, input_fd, output_fd)
        return path

    def wait(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.properties(path)["State"]
            if state in FINAL:
                return self.properties(path)
            time.sleep(0.05)
        raise TimeoutError(f"{path} did not finish in {timeout} s")


def output_file(path):
    """An fd for the daemon to write to (the caller opens it, not the daemon)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)


def looks_like_mp4(path):
    """A complete MP4: top-level boxes that tile the whole file exactly, starting with ftyp and
    including moov (a cut-off file fails: its last box runs past the end, or moov is missing)."""
    size = os.path.getsize(path)
    seen, offset = [], 0
    with open(path, "rb") as handle:
        while offset < size:
            handle.seek(offset)
            header = handle.read(16)
            if len(header) < 8:
                return False
            length, kind = int.from_bytes(header[0:4], "big"), header[4:8]
            if length == 1:
                if len(header) < 16:
                    return False
                length = int.from_bytes(header[8:16], "big")
            if length < 8 or offset + length > size:
                return False
            seen.append(kind)
            offset += length
    return offset == size and seen[:1] == [b"ftyp"] and b"moov" in seen and b"mdat" in seen