#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-kafka.py OUTDIR [--fuzz-seed FILE] — hand-built Kafka traffic for
tests/kafka-fields.sh (issue 18): what the captures of pcaps/kafka/
(tools/lab/gen-kafka.sh: kcat against the scripted broker) cannot show.
Written at test time, one capture per case, after
https://kafka.apache.org/protocol ("Common Request and Response Structure",
"Request Header", "Response Header", "Protocol Primitive Types", "SASL
Authentication Sequence", ApiVersions / SaslHandshake / SaslAuthenticate):

  oauthbearer        ApiVersions v3 (flexible, header v2), SaslHandshake v1
                     OAUTHBEARER, SaslAuthenticate v2 (COMPACT_BYTES) with an
                     RFC 7628 "auth=Bearer" token, its response in header v1
                     with tagged fields: a bearer token in clear
  port-19092-split   SaslHandshake v1 PLAIN + SaslAuthenticate v1 on a port
                     no hint names, cut byte by byte in the header, then a
                     Produce request of 5000 bytes skipped as it streams
  api-versions-unsupported  ApiVersions v5 answered with error 35 in the v0
                     form (KIP-511)
  inflight-cap       40 pipelined Metadata requests before any response:
                     inflight_cap once, 8 unmatched responses
  requests-cap       70 request/response pairs: done at 64 (requests_capped)
  legacy-scram       SaslHandshake v0 SCRAM-SHA-256 then the raw
                     client-first-message: user bob, no credentials
  reauth             ApiVersions twice and PLAIN authentication twice on one
                     connection (KIP-368 re-authentication): the facts
                     once, both SaslAuthenticate requests counted
  hostile:
  negative-length    size -16 before an ApiVersions header: bad_length
  huge-length        size 0x7fffffff: message_too_long
  client-id-overrun  a first request whose client id runs past its size:
                     not Kafka (nothing claimed)
  second-client-id-overrun / negative-client-id  the same, or a client id
                     length of -5, in the second request: bad_client_id
  mechanism-overrun  SaslHandshake whose mechanism runs past the message:
                     bad_body
  sasl-too-long      a SaslAuthenticate of 70000 bytes: sasl_too_long
  response-negative  a response size of -1: bad_length
  unknown-correlation  a response to correlation id 999:
                     unknown_correlation_id, and the flow goes on
  api-versions-count ApiVersions response with 5000 api ranges: bad_body

The fake secrets: pw-cr-kafka-5932 (PLAIN), tok-cr-kafka-5931 (bearer)
(tests/secrets.sh). Deterministic: the same bytes every run.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

CIP, SIP = bytes([10, 69, 0, 1]), bytes([10, 69, 0, 2])
CMAC, SMAC = bytes.fromhex("020000004501"), bytes.fromhex("020000004502")
PW = b"pw-cr-kafka-5932"
TOKEN = b"tok-cr-kafka-5931"


def i16(v): return struct.pack(">h", v)
def i32(v): return struct.pack(">i", v)
def st(b): return i16(len(b)) + b


def req(key, ver, corr, body=b"", cid=b"wa-crafted", flexible=False, size=None):
    """A request: INT32 size, header v1 (v2 with flexible: a TAG_BUFFER), body."""
    m = i16(key) + i16(ver) + i32(corr) + (st(cid) if cid is not None else i16(-1))
    m += (b"\x00" if flexible else b"") + body
    return i32(len(m) if size is None else size) + m


def resp(corr, body, flexible=False):
    m = i32(corr) + (b"\x00" if flexible else b"") + body
    return i32(len(m)) + m


def av_resp(keys, err=0):
    return i16(err) + i32(len(keys)) + b"".join(i16(k) + i16(0) + i16(3) for k in keys) + i32(0)


def tcp(path, convo, dport=9092):
    c = pcaplib.TcpConn(CIP, SIP, 40992, dport, CMAC, SMAC, t0=1700000000.0, step=0.001)
    for d, data in convo:
        c.send(d, data)
    c.close()
    pcaplib.write_frames(path, c.frames)


def cases():
    keys = [3, 17, 18, 36]
    bearer = b"n,,\x01auth=Bearer " + TOKEN + b"\x01\x01"
    yield "oauthbearer", [
        (0, req(18, 3, 1, b"\x08wa-test\x041.0\x00", flexible=True)),
        (1, resp(1, i16(0) + bytes([len(keys) + 1]) + b"".join(i16(k) + i16(0) + i16(3) + b"\x00" for k in keys)
                 + i32(0) + b"\x00")),
        (0, req(17, 1, 2, st(b"OAUTHBEARER"))),
        (1, resp(2, i16(0) + i32(1) + st(b"OAUTHBEARER"))),
        (0, req(36, 2, 3, bytes([len(bearer) + 1]) + bearer + b"\x00", flexible=True)),
        # header v1: one tagged field (tag 0, 2 bytes), then error 0, null message, empty bytes
        (1, resp(3, b"\x01\x00\x02ab" + i16(0) + b"\x00" + b"\x01" + struct.pack(">q", 0) + b"\x00")),
    ], 9092
    plain = b"\0alice\0" + PW
    hs = req(17, 1, 1, st(b"PLAIN"), cid=b"wa-split")
    produce = req(0, 3, 3, b"\x00" * 5000, cid=b"wa-split")
    yield "port-19092-split", [(0, hs[:1]), (0, hs[1:3]), (0, hs[3:11]), (0, hs[11:])] + [
        (1, resp(1, i16(0) + i32(1) + st(b"PLAIN"))),
        (0, req(36, 1, 2, i32(len(plain)) + plain, cid=b"wa-split")),
        (1, resp(2, i16(0) + i16(-1) + i32(0) + struct.pack(">q", 0))),
        (0, produce[:700]), (0, produce[700:3000]), (0, produce[3000:]),
        (1, resp(3, b"\x00" * 40)),
    ], 19092
    yield "api-versions-unsupported", [
        (0, req(18, 5, 0, b"\x08wa-test\x041.0\x00", flexible=True)),
        (1, resp(0, i16(35) + i32(3) + b"".join(i16(k) + i16(0) + i16(3) for k in (3, 17, 18)))),
    ], 9092
    yield "inflight-cap", [(0, b"".join(req(3, 1, i, i32(0)) for i in range(40))),
                           (1, b"".join(resp(i, i32(0) + i32(0)) for i in range(40)))], 9092
    convo = []
    for i in range(70):
        convo += [(0, req(3, 1, i, i32(0))), (1, resp(i, i32(0) + i32(0)))]
    yield "requests-cap", convo, 9092
    yield "legacy-scram", [
        (0, req(17, 0, 1, st(b"SCRAM-SHA-256"))),
        (1, resp(1, i16(0) + i32(2) + st(b"PLAIN") + st(b"SCRAM-SHA-256"))),
        (0, i32(22) + b"n,,n=bob,r=abcdefghijk"[:22]),
    ], 9092
    plain = b"\0alice\0" + PW
    once = [(0, req(17, 1, 0, st(b"PLAIN"))), (1, resp(0, i16(0) + i32(1) + st(b"PLAIN"))),
            (0, req(36, 1, 0, i32(len(plain)) + plain)), (1, resp(0, i16(0) + i16(-1) + i32(0) + struct.pack(">q", 0)))]
    yield "reauth", [(0, req(18, 0, 1)), (1, resp(1, av_resp(keys)))] + once + \
        [(0, req(18, 0, 1)), (1, resp(1, av_resp(keys)))] + once, 9092
    yield "negative-length", [(0, req(18, 0, 1, size=-16))], 9092
    yield "huge-length", [(0, req(18, 0, 1, size=0x7fffffff))], 9092
    yield "client-id-overrun", [(0, i32(14) + i16(18) + i16(0) + i32(1) + i16(100) + b"abcd")], 9092
    yield "second-client-id-overrun", [
        (0, req(18, 0, 1)), (1, resp(1, av_resp(keys))),
        (0, i32(14) + i16(3) + i16(0) + i32(2) + i16(100) + b"abcd")], 9092
    yield "negative-client-id", [
        (0, req(18, 0, 1)), (1, resp(1, av_resp(keys))),
        (0, i32(14) + i16(3) + i16(0) + i32(2) + i16(-5) + b"abcd")], 9092
    yield "mechanism-overrun", [(0, req(17, 1, 1, i16(40) + b"PLAIN"))], 9092
    yield "sasl-too-long", [(0, req(17, 1, 1, st(b"PLAIN"))),
                            (1, resp(1, i16(0) + i32(1) + st(b"PLAIN"))),
                            (0, req(36, 1, 2, i32(70000) + b"\x00" * 70000))], 9092
    yield "response-negative", [(0, req(18, 0, 1)), (1, i32(-1) + i32(1))], 9092
    yield "unknown-correlation", [(0, req(18, 0, 1)), (1, resp(999, av_resp(keys))),
                                  (0, req(3, 1, 2, i32(0))), (1, resp(2, i32(0) + i32(0)))], 9092
    yield "api-versions-count", [(0, req(18, 1, 1)), (1, resp(1, i16(0) + i32(5000) + b"\x00" * 60))], 9092


def fuzz_seed(path):
    """fuzz_dissector's input (fuzz/fuzz_dissector.c): the name, NUL, a
    flags byte, then chunks (2-byte header, bit 15 server to client): the
    oauthbearer conversation (flexible headers, compact types, tagged
    fields), so the fuzzer starts from real Kafka framing."""
    convo = dict((n, c) for n, c, _ in cases())["oauthbearer"]
    data = b"kafka\0\0"
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
