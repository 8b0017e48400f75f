#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""xmpp-client.py — a short scripted XMPP client (RFC 6120 §4 streams, §5
STARTTLS, §6 SASL; RFC 4616 PLAIN; RFC 5802 SCRAM-SHA-1; XEP-0368 direct
TLS) for the capture lab (tools/lab/gen-xmpp.sh). Python 3 standard library
only; it reads the server's XML with regular expressions, which is enough
for one well-known server (prosody) and is not a parser.

    xmpp-client.py HOST PORT MODE DOMAIN [USER PASSWORD]

MODE:
  starttls-plain  <starttls/>, TLS, then SASL PLAIN inside TLS
  plain           ignore any offered STARTTLS, SASL PLAIN in clear
  scram           ignore any offered STARTTLS, SASL SCRAM-SHA-1 in clear
  starttls-only   <starttls/> (whether offered or not); on <proceed/> the
                  TLS handshake and a new stream header, then leave
  s2s-starttls    as starttls-only with the jabber:server namespace (a
                  server-to-server stream as the initiating server opens it)
  direct-tls      TLS from the first byte (XEP-0368), then SASL PLAIN
After the SASL outcome the client closes its stream (</stream:stream>).
"""
import base64
import hashlib
import hmac
import os
import re
import socket
import ssl
import sys

NS_STREAMS = "http://etherx.jabber.org/streams"


def header(domain, ns="jabber:client", frm=None):
    f = " from='%s'" % frm if frm else ""
    return ("<?xml version='1.0'?><stream:stream to='%s'%s version='1.0' xml:lang='en' "
            "xmlns='%s' xmlns:stream='%s'>" % (domain, f, ns, NS_STREAMS)).encode()


class Conn:
    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def send(self, data):
        print("C:", data[:200])
        self.s.sendall(data)

    def until(self, pattern):
        """Reads until pattern (bytes regex) matches; returns the match and
        drops the buffer up to its end."""
        rx = re.compile(pattern, re.S)
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("server closed; have %r" % self.buf[-300:])
            print("S:", chunk[:300])
            self.buf += chunk


def features(c):
    return c.until(rb"<stream:features.*?(</stream:features>|<stream:features/>)").group(0)


def tls_wrap(sock, domain, alpn=None):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the lab's self-signed certificate
    if alpn:
        ctx.set_alpn_protocols([alpn])
    t = ctx.wrap_socket(sock, server_hostname=domain)
    print("TLS:", t.version(), t.cipher())
    return t


def auth_plain(c, user, pw):
    msg = base64.b64encode(b"\0" + user.encode() + b"\0" + pw.encode())
    c.send(b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" + msg + b"</auth>")
    return c.until(rb"<(success|failure)\b.*?(/>|</\1>)").group(0)


def auth_scram(c, user, pw):
    nonce = base64.b64encode(os.urandom(18)).decode()
    first_bare = "n=%s,r=%s" % (user, nonce)
    c.send(b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>"
           + base64.b64encode(("n,," + first_bare).encode()) + b"</auth>")
    m = c.until(rb"<(challenge|failure)\b[^>]*>(.*?)</\1>")
    if m.group(1) == b"failure":
        return m.group(0)
    server_first = base64.b64decode(m.group(2)).decode()
    attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha1", pw.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    ckey = hmac.new(salted, b"Client Key", hashlib.sha1).digest()
    skey = hashlib.sha1(ckey).digest()
    final_nop = "c=biws,r=" + attrs["r"]
    authmsg = ",".join([first_bare, server_first, final_nop]).encode()
    sig = hmac.new(skey, authmsg, hashlib.sha1).digest()
    proof = bytes(a ^ b for a, b in zip(ckey, sig))
    final = final_nop + ",p=" + base64.b64encode(proof).decode()
    c.send(b"<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
           + base64.b64encode(final.encode()) + b"</response>")
    return c.until(rb"<(success|failure)\b.*?(/>|</\1>)").group(0)


def main():
    host, port, mode, domain = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    user = sys.argv[5] if len(sys.argv) > 5 else None
    pw = sys.argv[6] if len(sys.argv) > 6 else None
    sock = socket.create_connection((host, port), timeout=5)
    if mode == "direct-tls":
        sock = tls_wrap(sock, domain, "xmpp-client")
    c = Conn(sock)
    ns = "jabber:server" if mode == "s2s-starttls" else "jabber:client"
    frm = "peer.lab.example" if mode == "s2s-starttls" else None
    c.send(header(domain, ns, frm))
    features(c)
    if mode in ("starttls-plain", "starttls-only", "s2s-starttls"):
        c.send(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        m = c.until(rb"<(proceed|failure|stream:error)\b[^>]*?>")
        if m.group(1) != b"proceed":
            print("STARTTLS refused")
            sock.close()
            return 0
        try:
            c = Conn(tls_wrap(sock, domain))
        except ssl.SSLError as e:
            print("TLS handshake failed:", e)  # prosody without a certificate
            sock.close()
            return 0
        c.send(header(domain, ns, frm))
        features(c)
        if mode != "starttls-plain":
            c.send(b"</stream:stream>")
            c.s.close()
            return 0
    if mode == "scram":
        res = auth_scram(c, user, pw)
    else:
        res = auth_plain(c, user, pw)
    print("SASL:", res)
    if res.startswith(b"<success"):
        # RFC 6120 §6.4.6: the client restarts the stream after success
        c.send(header(domain))
        features(c)
    c.send(b"</stream:stream>")
    try:
        c.until(rb"</stream:stream>")
    except (EOFError, OSError):
        pass
    c.s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
