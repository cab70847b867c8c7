#!/usr/bin/python3
"""tests/net-tool.py - servers and clients for tests/net-tests.sh.

  serve-tcp ADDR PORT [--once]  accept connections, send "hello PORT\\n" to
                                each; PORT 0 picks a free one. Prints
                                "listening PORT" once it listens.
  serve-udp ADDR PORT [--once]  answer each datagram with "echo:" + it.
  tcp HOST PORT                 connect, print "connected DATA" or
                                "refused ERRNO SECONDS"; status 0 when
                                connected.
  udp HOST PORT                 send "ping", print "reply DATA" or
                                "refused ERRNO SECONDS"; status 0 on a reply.
  fetch-tcp HOST PORT SECONDS   tcp, retried until it gets data (a server
                                behind a forward that is still starting).
  fetch-udp HOST PORT SECONDS   udp, retried the same way.

Only the addresses given are contacted; the suite gives the host's
loopback and the sandbox's own addresses.
"""
import errno
import socket
import sys
import time


def serve_tcp(addr, port, once):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    print("listening", s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        c.sendall(b"hello %d\n" % s.getsockname()[1])
        c.close()
        if once:
            return


def serve_udp(addr, port, once):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("listening", s.getsockname()[1], flush=True)
    while True:
        data, peer = s.recvfrom(512)
        s.sendto(b"echo:" + data, peer)
        if once:
            return


def refused(e, t0):
    name = errno.errorcode.get(e.errno, str(e.errno)) if e.errno else type(e).__name__
    print("refused %s %.3f" % (name, time.monotonic() - t0), flush=True)


def tcp(host, port, timeout=5.0):
    t0 = time.monotonic()
    try:
        s = socket.create_connection((host, port), timeout=timeout)
        data = s.recv(512).decode().strip()
        s.close()
        if not data:
            raise OSError(errno.ECONNRESET, "closed without data")
    except OSError as e:
        refused(e, t0)
        return 1
    print("connected", data, flush=True)
    return 0


def udp(host, port, timeout=2.0):
    t0 = time.monotonic()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.connect((host, port))
        s.send(b"ping")
        data = s.recv(512).decode()
    except OSError as e:
        refused(e, t0)
        return 1
    print("reply", data, flush=True)
    return 0


def fetch(fn, host, port, seconds):
    deadline = time.monotonic() + seconds
    while True:
        if fn(host, port, 1.0) == 0:
            return 0
        if time.monotonic() > deadline:
            return 1
        time.sleep(0.05)


def main(argv):
    cmd, rest = argv[1], argv[2:]
    if cmd in ("serve-tcp", "serve-udp"):
        fn = serve_tcp if cmd == "serve-tcp" else serve_udp
        fn(rest[0], int(rest[1]), "--once" in rest)
        return 0
    if cmd == "tcp":
        return tcp(rest[0], int(rest[1]))
    if cmd == "udp":
        return udp(rest[0], int(rest[1]))
    if cmd in ("fetch-tcp", "fetch-udp"):
        return fetch(tcp if cmd == "fetch-tcp" else udp, rest[0], int(rest[1]),
                     float(rest[2]))
    print("net-tool: unknown command", cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
