#!/usr/bin/env python3
"""bench/tty-harness.py - drive a command on a pseudo-terminal we own.

  tty-harness.py throughput BYTES -- CMD...   run CMD (it writes BYTES bytes
        to its stdout) with all three stdio on a fresh pty; read the master
        as fast as it comes; print "SECONDS BYTES_READ".
  tty-harness.py latency N -- CMD...          run CMD (an echo loop: it puts
        its terminal in raw mode and writes back every byte it reads); send
        one byte and wait for it, N times; print the median round trip in
        microseconds.

The pty plays the user's terminal: with sandbox's relay (--tty auto, all
three stdio are terminals) the bytes cross the sandbox's own pty too;
with --tty never the command writes to this one directly.
"""
import fcntl, os, select, statistics, struct, sys, termios, time


def spawn(cmd):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.execvp(cmd[0], cmd)
    os.close(slave)
    return pid, master


def finish(pid, master):
    try:
        while os.read(master, 65536):
            pass
    except OSError:
        pass
    os.close(master)
    _, st = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(st) != 0:
        sys.exit("tty-harness: the command failed (status %d)" % os.waitstatus_to_exitcode(st))


def throughput(nbytes, cmd):
    start = time.monotonic()
    pid, master = spawn(cmd)
    got = 0
    while True:
        try:
            b = os.read(master, 1 << 16)
        except OSError:  # EIO: every slave closed
            break
        if not b:
            break
        got += len(b)
    secs = time.monotonic() - start
    os.close(master)
    os.waitpid(pid, 0)
    if got < nbytes:
        sys.exit("tty-harness: read %d of %d bytes" % (got, nbytes))
    print("%.6f %d" % (secs, got))


def latency(n, cmd):
    pid, master = spawn(cmd)
    # wait for the loop's "ready" line (it is in raw mode then)
    buf = b""
    while b"ready" not in buf:
        r, _, _ = select.select([master], [], [], 30)
        if not r:
            sys.exit("tty-harness: the echo loop never said ready")
        buf += os.read(master, 4096)
    times = []
    for i in range(n):
        c = bytes([97 + i % 26])
        t0 = time.perf_counter()
        os.write(master, c)
        got = b""
        while c not in got:
            r, _, _ = select.select([master], [], [], 10)
            if not r:
                sys.exit("tty-harness: no echo")
            got += os.read(master, 64)
        times.append(time.perf_counter() - t0)
    os.write(master, b"\x04")  # the loop ends on ^D
    finish(pid, master)
    print("%.1f" % (statistics.median(times) * 1e6))


def main():
    mode, arg = sys.argv[1], int(sys.argv[2])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    (throughput if mode == "throughput" else latency)(arg, cmd)


main()
