#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""rfb-client.py — a short scripted RFB client (RFC 6143 §7.1-§7.3) for the
capture lab (tools/lab/gen-vnc.sh), for what TigerVNC's viewer never does:
speak protocol 3.3 or 3.7. Python 3 standard library only.

    rfb-client.py HOST PORT VERSION TYPE [RESPONSE_HEX]

VERSION is "3.3", "3.7" or "3.8"; TYPE the security type to choose (3.7+;
3.3 takes what the server decides). For type 2 (VNC Authentication) the
client answers the challenge with RESPONSE_HEX (16 bytes; the stdlib has no
DES, so a wrong response is what it can send: the server's SecurityResult
then says failed). After a successful handshake it sends ClientInit
(shared), reads ServerInit and leaves.
"""
import socket
import struct
import sys


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            raise EOFError("server closed after %d of %d bytes" % (len(b), n))
        b += chunk
    return b


def main():
    host, port, version, want = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    resp = bytes.fromhex(sys.argv[5]) if len(sys.argv) > 5 else bytes(16)
    minor = {"3.3": 3, "3.7": 7, "3.8": 8}[version]
    s = socket.create_connection((host, port), timeout=5)
    print("server:", recv_exact(s, 12))
    s.sendall(b"RFB 003.%03d\n" % minor)
    if minor == 3:
        (t,) = struct.unpack(">I", recv_exact(s, 4))
    else:
        (n,) = struct.unpack(">B", recv_exact(s, 1))
        offered = list(recv_exact(s, n))
        print("offered:", offered)
        if want not in offered:
            raise SystemExit("type %d not offered" % want)
        s.sendall(struct.pack(">B", want))
        t = want
    if t == 2:
        recv_exact(s, 16)
        s.sendall(resp)
    if t == 2 or minor == 8:
        (res,) = struct.unpack(">I", recv_exact(s, 4))
        print("SecurityResult:", res)
        if res != 0:
            s.close()
            return
    s.sendall(b"\x01")  # ClientInit, shared
    w, h = struct.unpack(">HH", recv_exact(s, 4))
    recv_exact(s, 16)
    (nl,) = struct.unpack(">I", recv_exact(s, 4))
    print("ServerInit: %dx%d %r" % (w, h, recv_exact(s, nl)))
    s.close()


if __name__ == "__main__":
    main()
