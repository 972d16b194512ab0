"""A polkit authority for the system-bus tests: owns org.freedesktop.PolicyKit1 on a private
bus and answers CheckAuthorization like polkitd with a fixed rule — the actions named on the
command line are allowed for everyone, every other action is refused. kinorad cannot tell it
from polkitd: it sees the same name, method, arguments and reply type. (polkitd itself needs the
machine's real system bus and a logind session, which a test cannot give it.)

  polkit_authority.py BUS_ADDRESS ALLOWED_ACTION... ; prints 'ready' once it owns the name,
  then one line per question: 'ACTION SUBJECT_NAME yes|no'.
"""
import sys

from jeepney import HeaderFields, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection


def main():
    address, allowed = sys.argv[1], set(sys.argv[2:])
    conn = open_dbus_connection(bus=address)
    reply = conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.PolicyKit1"))
    if reply.body[0] != 1:
        sys.exit(f"could not own org.freedesktop.PolicyKit1 ({reply.body})")
    print("ready", flush=True)
    while True:
        message = conn.receive()
        if message.header.message_type != MessageType.method_call:
            continue
        member = message.header.fields.get(HeaderFields.member)
        if member != "CheckAuthorization":
            conn.send(new_error(message, "org.freedesktop.DBus.Error.UnknownMethod", "s", (f"no {member}",)))
            continue
        (kind, details), action = message.body[0], message.body[1]
        subject = details.get("name", ("s", ""))[1]
        verdict = action in allowed
        print(f"{action} {subject} {'yes' if verdict else 'no'}", flush=True)
        conn.send(new_method_return(message, "(bba{ss})", ((verdict, False, {}),)))


if __name__ == "__main__":
    main()
