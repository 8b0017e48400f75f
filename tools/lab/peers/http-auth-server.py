#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""http-auth-server.py ADDR PORT — a small HTTP/1.1 origin for the lab
(tools/lab/gen-plain.sh, scenario httpauth) that asks for the
authentication schemes Debian has no light server for: Digest (RFC 7616
§3.3, qop=auth, MD5; the response is checked against the lab password) and
NTLM ([MS-NLMP] §2.2.1.2: a CHALLENGE_MESSAGE with TargetInfo, so clients
answer NTLMv2). Under /digest/close/ the 401 closes the connection, so the
client's Digest response opens a new one. /basic/ checks Basic (RFC 7617), /api/ an X-API-Key header. Keep-alive, so a client's
retry after the 401 stays on the same connection, as real servers do.
Fixed nonce and server challenge: regenerated captures differ only where
the client's randomness does. Lab passwords only; nothing here is secret.
"""
import base64
import hashlib
import struct
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

USERS = {"digestuser": "pw-http-digest-8606", "basicuser": "pw-http-basic2sp-8404"}
REALM = "lab"
NONCE = "dcd98b7102dd2f0e8b11d0f600bfb0c093"
OPAQUE = "5ccc069c403ebaf9f0171e9517f40e41"


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def digest_params(v):
    out = {}
    for part in v.split(","):
        if "=" in part:
            k, x = part.strip().split("=", 1)
            out[k.strip()] = x.strip().strip('"')
    return out


def ntlm_challenge():
    target = "LAB".encode("utf-16-le")
    info = struct.pack("<HH", 2, len(target)) + target + struct.pack("<HH", 0, 0)
    flags = 0x00000001 | 0x00000200 | 0x00080000 | 0x00800000 | 0x00010000 | 0x00000004
    off = 48
    msg = b"NTLMSSP\0" + struct.pack("<I", 2)
    msg += struct.pack("<HHI", len(target), len(target), off)
    msg += struct.pack("<I", flags) + bytes.fromhex("0123456789abcdef") + b"\0" * 8
    msg += struct.pack("<HHI", len(info), len(info), off + len(target))
    msg += b"\0" * 8  # Version (not negotiated)
    return base64.b64encode(msg + target + info).decode()


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lab-auth/1.0"

    def reply(self, code, headers=(), body=b"ok\n"):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        scheme, _, rest = auth.partition(" ")
        rest = rest.lstrip(" \t")
        if self.path.startswith("/digest/"):
            if scheme.lower() == "digest":
                p = digest_params(rest)
                pw = USERS.get(p.get("username", ""), "")
                ha1 = md5("%s:%s:%s" % (p.get("username"), REALM, pw))
                ha2 = md5("GET:%s" % p.get("uri"))
                want = md5(":".join([ha1, p.get("nonce", ""), p.get("nc", ""), p.get("cnonce", ""),
                                     p.get("qop", ""), ha2]))
                if want == p.get("response"):
                    return self.reply(200)
            hdrs = [("WWW-Authenticate", 'Digest realm="%s", qop="auth", algorithm=MD5, nonce="%s", opaque="%s"'
                     % (REALM, NONCE, OPAQUE))]
            if self.path.startswith("/digest/close/"):
                # as servers that close after a 401: the retry, with the
                # Digest response, opens a new connection
                hdrs.append(("Connection", "close"))
                self.close_connection = True
            return self.reply(401, hdrs, b"unauthorized\n")
        if self.path.startswith("/ntlm/"):
            if scheme.upper() == "NTLM" and rest:
                t = base64.b64decode(rest)
                if t[8:12] == struct.pack("<I", 1):
                    return self.reply(401, [("WWW-Authenticate", "NTLM " + ntlm_challenge())],
                                      b"unauthorized\n")
                if t[8:12] == struct.pack("<I", 3):
                    return self.reply(200)  # the lab does not verify NTLMv2
            return self.reply(401, [("WWW-Authenticate", "NTLM")], b"unauthorized\n")
        if self.path.startswith("/basic/"):
            if scheme.lower() == "basic":
                u, _, pw = base64.b64decode(rest).decode().partition(":")
                if USERS.get(u) == pw:
                    return self.reply(200)
            return self.reply(401, [("WWW-Authenticate", 'Basic realm="%s"' % REALM)], b"unauthorized\n")
        if self.path.startswith("/api/"):
            if self.headers.get("X-API-Key") == "key-http-apikey-8505":
                return self.reply(200, [("Content-Type", "application/json")], b'{"items":[]}\n')
            return self.reply(401, body=b"unauthorized\n")
        return self.reply(404, body=b"not found\n")

    def log_message(self, *a):
        pass


HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
