#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""notify-listen.py SOCKET OUT — a stand-in for systemd's notification socket
(sd_notify(3)) for tests/service.sh. Binds an AF_UNIX datagram socket at
SOCKET and writes one line per message to OUT, flushed at once:

    SECONDS UID PID KEY=VALUE[;KEY=VALUE...]

SECONDS: CLOCK_MONOTONIC at reception; UID and PID: the sender's, from the
kernel (SO_PASSCRED). For a READY=1 message it also writes a line
`SECONDS UID PID packet_sockets=N`: how many AF_PACKET sockets the sender
held at that moment (its /proc/PID/fd against /proc/net/packet) and its
CapEff, so a test can tell READY came after the interface was open and the
capabilities were given up. Exits after STOPPING=1
(and 0.5 s for a late message) or after 120 s."""
import os, socket, struct, sys, time

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o777)  # the capture may have switched to another user (-Z)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
f = open(out, "w")
deadline = time.monotonic() + 120
stop_at = None


def packet_sockets(pid):
    inodes = set()
    with open("/proc/net/packet") as p:
        next(p)
        for line in p:
            inodes.add(line.split()[8])
    n = 0
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                t = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if t.startswith("socket:[") and t[8:-1] in inodes:
                n += 1
    except OSError:
        return -1
    return n


while True:
    now = time.monotonic()
    end = stop_at if stop_at else deadline
    if now >= end:
        break
    s.settimeout(end - now)
    try:
        data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    except socket.timeout:
        break
    t = time.monotonic()
    pid = uid = -1
    for level, typ, val in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
            pid, uid, _ = struct.unpack("iII", val[:12])
    text = data.decode("utf-8", "replace")
    f.write("%.3f %d %d %s\n" % (t, uid, pid, text.replace("\n", ";")))
    if "READY=1" in text.split("\n"):
        capeff = "?"
        try:
            for line in open("/proc/%d/status" % pid):
                if line.startswith("CapEff:"):
                    capeff = line.split()[1]
        except OSError:
            pass
        f.write("%.3f %d %d packet_sockets=%d capeff=%s\n" % (t, uid, pid, packet_sockets(pid), capeff))
    f.flush()
    if "STOPPING=1" in text.split("\n") and stop_at is None:
        stop_at = time.monotonic() + 0.5
