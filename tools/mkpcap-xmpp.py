#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-xmpp.py OUTDIR [--fuzz-seed FILE] — hand-built XMPP traffic for
tests/xmpp-fields.sh (issue 18): edge and hostile cases the real prosody
captures of pcaps/xmpp/ (tools/lab/gen-xmpp.sh) cannot show. Written at
test time, one capture per case (RFC 6120 §4.3 stream header, §5.4
STARTTLS, §6.4 SASL, §11.1 restricted XML):

  tls-failure        the server answers <starttls/> with <failure/> (§5.4.2.2
                     says it then closes the stream; this one does not) and
                     the client goes on with SASL PLAIN in clear: tls_refused,
                     credentials
  port-15222-split   PLAIN in clear on a port no hint names, double-quoted
                     attributes, whitespace keepalives, the stream header and
                     the <auth> payload cut across segments
  s2s-dialback       a jabber:server stream, features without STARTTLS, a
                     dialback <db:result/> in clear (XEP-0220 §2.1): cleartext,
                     the verdict "valid"
  long-form          <starttls></starttls> and <proceed></proceed> as start
                     and end tags (not empty elements): the hand-off after
                     the end tags; no TLS follows (the capture ends)
  hostile:
  comment            a comment inside the stream: restricted_xml
  inner-decl         an XML declaration inside the stream: restricted_xml
  tag-too-long       a start tag of 5000 bytes: tag_too_long
  text-too-long      <auth> with 9000 characters of payload: text_too_long
  garbage            text outside any stanza: bad_xml
  bad-tag            a tag whose attribute has no value: bad_xml
  stray-end          an end tag other than </stream:stream> at the stream's
                     level: bad_xml
  too-deep           40 nested elements: too_deep
  bad-b64            <auth mechanism='PLAIN'> with a payload not base64:
                     bad_auth_response
  auth-no-mech       <auth/> without a mechanism: bad_stream
  not-stream-first   <iq> before any stream header from the server: bad_stream
  component          a jabber:component:accept stream (XEP-0114): not
                     claimed

The fake password of every case is pw-cr-xmpp-6120 (tests/secrets.sh).
Deterministic: the same bytes every run.
"""
import base64
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

CIP, SIP = bytes([10, 68, 1, 1]), bytes([10, 68, 1, 2])
CMAC, SMAC = bytes.fromhex("020000004501"), bytes.fromhex("020000004502")
PW = b"pw-cr-xmpp-6120"
NS_S = b"http://etherx.jabber.org/streams"
TLS = b"urn:ietf:params:xml:ns:xmpp-tls"
SASL = b"urn:ietf:params:xml:ns:xmpp-sasl"


def hdr(ns=b"jabber:client", to=b"lab.example", frm=None, q=b"'"):
    f = b" from=" + q + frm + q if frm else b""
    return (b"<?xml version=" + q + b"1.0" + q + b"?><stream:stream to=" + q + to + q + f +
            b" version=" + q + b"1.0" + q + b" xmlns=" + q + ns + q + b" xmlns:stream=" + q + NS_S + q + b">")


def shdr(ns=b"jabber:client"):
    return (b"<?xml version='1.0'?><stream:stream from='lab.example' id='c2s-1' version='1.0' "
            b"xmlns='" + ns + b"' xmlns:stream='" + NS_S + b"'>")


def features(tls=True, required=False, mechs=(b"PLAIN",)):
    f = b"<stream:features>"
    if tls:
        f += b"<starttls xmlns='" + TLS + b"'>" + (b"<required/>" if required else b"") + b"</starttls>"
    if mechs:
        f += b"<mechanisms xmlns='" + SASL + b"'>" + b"".join(b"<mechanism>" + m + b"</mechanism>" for m in mechs) + b"</mechanisms>"
    return f + b"</stream:features>"


def plain(user=b"bob"):
    return base64.b64encode(b"\0" + user + b"\0" + PW)


def auth(payload, mech=b"PLAIN"):
    return b"<auth xmlns='" + SASL + b"' mechanism='" + mech + b"'>" + payload + b"</auth>"


SUCCESS = b"<success xmlns='" + SASL + b"'/>"


def tcp(path, convo, dport=5222):
    c = pcaplib.TcpConn(CIP, SIP, 45222, dport, CMAC, SMAC, t0=1700000000.0, step=0.001)
    for d, data in convo:
        c.send(d, data)
    c.close()
    pcaplib.write_frames(path, c.frames)


def cases():
    base = [(0, hdr()), (1, shdr() + features())]
    yield "tls-failure", base + [
        (0, b"<starttls xmlns='" + TLS + b"'/>"),
        (1, b"<failure xmlns='" + TLS + b"'/>"),
        (0, auth(plain())),
        (1, SUCCESS),
    ], 5222
    h = hdr(q=b'"')
    a = b'<auth xmlns="' + SASL + b'" mechanism="PLAIN">' + plain(b"carol") + b"</auth>"
    yield "port-15222-split", [
        (0, h[:30]), (0, h[30:70]), (0, h[70:]),
        (1, shdr() + b"\n " + features(tls=False, mechs=(b"PLAIN", b"SCRAM-SHA-1"))),
        (0, b" \n"), (0, a[:75]), (0, a[75:90]), (0, a[90:]),
        (1, b" " + SUCCESS),
    ], 15222
    yield "s2s-dialback", [
        (0, hdr(ns=b"jabber:server", frm=b"peer.example")[:-1] + b" xmlns:db='jabber:server:dialback'>"),
        (1, shdr(b"jabber:server") + b"<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>"),
        (0, b"<db:result from='peer.example' to='lab.example'>0123456789abcdef</db:result>"),
        (1, b"<db:result from='lab.example' to='peer.example' type='valid'/>"),
    ], 5269
    yield "long-form", base + [
        (0, b"<starttls xmlns='" + TLS + b"'></starttls>"),
        (1, b"<proceed xmlns='" + TLS + b"'></proceed>"),
    ], 5222
    yield "comment", [(0, hdr() + b"<!-- hello -->")], 5222
    yield "inner-decl", [(0, hdr() + b"<?xml version='1.0'?>")], 5222
    yield "tag-too-long", [(0, hdr() + b"<iq id='" + b"x" * 5000 + b"'/>")], 5222
    yield "text-too-long", base + [(0, auth(b"A" * 9000))], 5222
    yield "garbage", [(0, hdr() + b"GET / HTTP/1.1\r\n")], 5222
    yield "bad-tag", [(0, hdr() + b"<iq id/>")], 5222
    yield "stray-end", [(0, hdr() + b"</iq>")], 5222
    yield "too-deep", [(0, hdr() + b"<iq>" + b"<a>" * 40)], 5222
    yield "bad-b64", base + [(0, auth(b"!!not*base64!!"))], 5222
    yield "auth-no-mech", base + [(0, b"<auth xmlns='" + SASL + b"'/>")], 5222
    yield "not-stream-first", [(0, hdr()), (1, b"<iq type='error'/>")], 5222
    yield "component", [(0, hdr(ns=b"jabber:component:accept")), (1, shdr(b"jabber:component:accept"))], 5347


def fuzz_seed(path):
    """fuzz_dissector's input (fuzz/fuzz_dissector.c): the name, NUL, a
    flags byte, then chunks (2-byte header, bit 15 server to client): the
    tls-failure conversation (header, features, STARTTLS refused, PLAIN)."""
    convo = dict((n, c) for n, c, _ in cases())["tls-failure"]
    data = b"xmpp\0\0"
    for d, chunk in convo:
        data += struct.pack(">H", (0x8000 if d else 0) | len(chunk)) + chunk
    with open(path, "wb") as f:
        f.write(data)


def main(argv):
    if len(argv) > 2 and argv[1] == "--fuzz-seed":
        fuzz_seed(argv[2])
        return
    out = argv[1] if len(argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for name, convo, port in cases():
        tcp(os.path.join(out, name + ".pcap"), convo, port)


if __name__ == "__main__":
    main(sys.argv)
