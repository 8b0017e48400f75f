#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""eve-reader.py — a reader of wireaudit's event stream for tests/eve.sh.

    eve-reader.py stream PATH OUT [--stall-after N] [--until-file F]
    eve-reader.py dgram PATH OUT --until-file F

stream: listens on a SOCK_STREAM unix socket at PATH, accepts one
connection and writes what it reads to OUT. With --stall-after N it reads
N complete lines, then stops reading until the file F exists (the capture
has ended), then reads the rest until the writer closes: a reader that
stops reading while the sensor goes on.
dgram: binds a SOCK_DGRAM unix socket at PATH and writes each datagram as
a line to OUT until F exists and no datagram came for half a second.
PATH + ".ready" is created once the socket is listening.
"""
import os
import socket
import sys
import time


def wait_for(path):
    while not os.path.exists(path):
        time.sleep(0.05)


def main():
    mode, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
    args = sys.argv[4:]
    stall = int(args[args.index("--stall-after") + 1]) if "--stall-after" in args else -1
    until = args[args.index("--until-file") + 1] if "--until-file" in args else None
    if os.path.exists(path):
        os.unlink(path)
    if mode == "dgram":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        s.bind(path)
        open(path + ".ready", "w").close()
        s.settimeout(0.5)
        with open(out, "wb") as f:
            while True:
                try:
                    d = s.recv(1 << 20)
                except socket.timeout:
                    if until and os.path.exists(until):
                        break
                    continue
                f.write(d.rstrip(b"\n") + b"\n")
        return
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(1)
    open(path + ".ready", "w").close()
    c, _ = s.accept()
    with open(out, "wb") as f:
        lines = 0
        while stall < 0 or lines < stall:
            d = c.recv(4096)
            if not d:
                break
            f.write(d)
            lines += d.count(b"\n")
        if stall >= 0:
            wait_for(until)
            while True:
                d = c.recv(1 << 16)
                if not d:
                    break
                f.write(d)


if __name__ == "__main__":
    main()
