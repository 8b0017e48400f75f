#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""tds5-server.py ADDR PORT — a minimal TDS 4.2/5.0 listener for the lab
(tools/lab/gen-plain.sh, scenario tds5), standing in for Sybase ASE (not in
Debian) so that FreeTDS's tsql sends a real pre-TDS 7 LOGIN record
(packet type 0x02; Sybase "TDS 5.0 Functional Specification" 3.0, LOGIN
record; FreeTDS doc/tds.html "Login Packet"). It reads the login message
(packets up to the one with the EOM status bit), answers with a LOGINACK
token (0xAD, status TDS_LOG_SUCCEED 5, TDS version 5.0.0.0 or 4.2.0.0 as the
client asked, program name "lab") and DONE (0xFD), then answers every
further message with DONE until the client closes.
"""
import socket
import struct
import sys


def read_msg(c):
    """One TDS message: (type, payload), or None at EOF."""
    payload, typ = b"", None
    while True:
        h = b""
        while len(h) < 8:
            d = c.recv(8 - len(h))
            if not d:
                return None
            h += d
        typ, status, length = h[0], h[1], struct.unpack(">H", h[2:4])[0]
        body = b""
        while len(body) < length - 8:
            d = c.recv(length - 8 - len(body))
            if not d:
                return None
            body += d
        payload += body
        if status & 1:
            return typ, payload


def packet(payload):
    return struct.pack(">BBHHBB", 0x04, 0x01, 8 + len(payload), 0, 1, 0) + payload


def done():
    return struct.pack("<BHHI", 0xFD, 0, 0, 0)


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(4)
while True:
    c, _ = s.accept()
    m = read_msg(c)
    if m is not None:
        ver = m[1][458:462] if len(m[1]) >= 462 else b"\x05\x00\x00\x00"
        prog = b"lab"
        body = bytes([5]) + ver + bytes([len(prog)]) + prog + bytes([15, 0, 0, 0])
        c.sendall(packet(struct.pack("<BH", 0xAD, len(body)) + body + done()))
        while True:
            m = read_msg(c)
            if m is None:
                break
            c.sendall(packet(done()))
    c.close()
