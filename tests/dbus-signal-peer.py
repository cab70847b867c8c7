#!/usr/bin/python3
"""tests/dbus-signal-peer.py ADDRESS NAME PATH INTERFACE MEMBER...

A D-Bus peer for tests/dbus-tests.sh, on the bus at ADDRESS (unix:path=
only): it owns NAME, then broadcasts the signals PATH INTERFACE.MEMBER, one
per MEMBER in order, again every 0.1 s until it is killed (a listener
waits for the one it expects; the order tells what came before).  The
wire protocol by hand (EXTERNAL authentication, little-endian messages):
the test host has dbus-send and dbus-test-tool, and neither can own a name
and emit a signal on one connection.
"""
import os
import socket
import struct
import sys
import time


def align(buf, n):
    buf += b"\0" * (-len(buf) % n)


def string(s):
    b = s.encode()
    return struct.pack("<I", len(b)) + b + b"\0"


def message(kind, serial, fields, body=b"", sig=""):
    """A message: header fields (code, signature, value) of types o, s, g"""
    if sig:
        fields = fields + [(8, "g", sig)]
    buf = bytearray(struct.pack("<cBBBII", b"l", kind, 0, 1, len(body), serial))
    buf += b"\0\0\0\0"  # the fields' length, at 12
    for code, s, v in fields:
        align(buf, 8)
        buf += bytes([code, len(s)]) + s.encode() + b"\0"
        if s == "g":
            buf += bytes([len(v)]) + v.encode() + b"\0"
        else:
            align(buf, 4)
            buf += string(v)
    struct.pack_into("<I", buf, 12, len(buf) - 16)
    align(buf, 8)
    return bytes(buf) + body


def read_message(sock):
    def exact(n):
        b = b""
        while len(b) < n:
            chunk = sock.recv(n - len(b))
            if not chunk:
                sys.exit("the bus closed the connection")
            b += chunk
        return b
    head = exact(16)
    body_len, _, fields_len = struct.unpack("<III", head[4:16])
    exact(fields_len + (-fields_len % 8) + body_len)
    return head[1]


def main():
    address, name, path, iface, members = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(address.split("path=", 1)[1].split(",")[0])
    sock.sendall(b"\0AUTH EXTERNAL " + str(os.getuid()).encode().hex().encode() + b"\r\n")
    if not sock.recv(4096).startswith(b"OK "):
        sys.exit("authentication refused")
    sock.sendall(b"BEGIN\r\n")
    bus = [(1, "o", "/org/freedesktop/DBus"), (2, "s", "org.freedesktop.DBus"),
           (6, "s", "org.freedesktop.DBus")]
    sock.sendall(message(1, 1, bus + [(3, "s", "Hello")]))
    body = bytearray(string(name))
    align(body, 4)
    body = bytes(body) + struct.pack("<I", 4)
    sock.sendall(message(1, 2, bus + [(3, "s", "RequestName")], body, "su"))
    returns = 0
    while returns < 2:  # Hello's and RequestName's replies (signals between)
        kind = read_message(sock)
        if kind == 3:
            sys.exit("the bus refused a call")
        returns += kind == 2
    print("ready", flush=True)
    serial = 3
    while True:
        for member in members:
            sock.sendall(message(4, serial, [(1, "o", path), (2, "s", iface), (3, "s", member)]))
            serial += 1
        time.sleep(0.1)


if __name__ == "__main__":
    main()
