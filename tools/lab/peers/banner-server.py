#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""banner-server.py ADDR PORT — a cleartext SMTP greeter standing on an
implicit-TLS port (tools/lab/gen-plain.sh, scenario tlsport): what a server
configured without wrappermode on 465 (RFC 8314 §3.3 expects TLS first)
does. It sends its "220" banner (after 0.2 s, so the client's ClientHello
is on the wire first, as with a real server's lookups) and answers every line it gets with
"500 5.5.2 Error: command not recognized", as Postfix's smtpd does to the
bytes of a ClientHello, until the client closes.
"""
import socket
import sys
import time

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(4)
while True:
    c, _ = s.accept()
    time.sleep(0.2)  # Postfix greets after its client lookups, not at once
    c.sendall(b"220 mail.lab.test ESMTP lab\r\n")
    buf = b""
    while True:
        d = c.recv(4096)
        if not d:
            break
        buf += d
        while b"\n" in buf:
            _, buf = buf.split(b"\n", 1)
            c.sendall(b"500 5.5.2 Error: command not recognized\r\n")
    c.close()
