#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-mqtt.py OUTDIR [--fuzz-seed FILE] — hand-built MQTT traffic for
tests/mqtt-fields.sh (issue 18): what the real mosquitto captures of
pcaps/mqtt/ (tools/lab/gen-mqtt.sh) cannot show. Written at test time, one
capture per case (OASIS MQTT 3.1.1 §2.2, §3.1, §3.2; MQTT 5.0 §2.2.2, §3.1,
§3.2, §3.15):

  v5-auth-method     5.0 CONNECT with an Authentication Method property
                     "SCRAM-SHA-1" and Authentication Data (5.0 §4.12
                     enhanced authentication), no password; the server
                     answers AUTH (0xF0, continue) then CONNACK success
  port-11883-split   3.1.1 CONNECT with user name and password on a port no
                     hint names, cut inside the Remaining Length and again
                     inside the payload, a PUBLISH in the same segment as
                     the CONNECT's end; CONNACK 0 with session present
  password-no-user   3.1.1 CONNECT with the password flag and not the user
                     name flag (§3.1.2.9 forbids it): the password still
                     crossed (credentials) and password_without_user_name
  hostile:
  too-long           Remaining Length 268 435 455 (the largest varint) and
                     the name MQTT: packet_too_long
  bad-name           name length 4 "MQXX": bad_protocol_name
  bad-level          "MQTT" level 9, and "MQIsdp" level 4: bad_protocol_level
  reserved-flag      connect flags bit 0 set (§3.1.2.3): bad_connect
  overrun            the user name's length runs past the Remaining Length:
                     bad_connect
  trailing           two bytes after the payload: bad_connect
  v5-bad-property    5.0 CONNECT property identifier 0x7f: bad_properties
  v5-props-overrun   5.0 property block length past the packet: bad_properties
  connack-bad-varint the server's Remaining Length has five bytes:
                     bad_remaining_length
  publish-first      the server sends PUBLISH before CONNACK: unexpected_packet
  connack-short      CONNACK of one byte: bad_connack
  connack-reserved-bits  3.1.1 CONNACK acknowledge flags 0x02 (§3.2.2.1
                     reserves bits 7-1): bad_connack
  v31-connack-byte   3.1 CONNACK whose first byte is 0x5a: reserved and not
                     used in 3.1, so accepted without anomaly
  varint-5-bytes     CONNECT whose Remaining Length has five bytes: no name
                     can be found, not MQTT (nothing claimed)

The fake password of every case is pw-cr-mqtt-5901 (tests/secrets.sh).
Deterministic: the same bytes every run.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

CIP, SIP = bytes([10, 68, 0, 1]), bytes([10, 68, 0, 2])
CMAC, SMAC = bytes.fromhex("020000004401"), bytes.fromhex("020000004402")
PW = b"pw-cr-mqtt-5901"


def varint(n):
    out = b""
    while True:
        b = n & 0x7f
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def s(b):
    return struct.pack(">H", len(b)) + b


def packet(t, body):
    return bytes([t]) + varint(len(body)) + body


def connect(level=4, name=b"MQTT", flags=None, keep=60, props=None, cid=b"wa-crafted",
            user=None, pw=None, extra=b""):
    if flags is None:  # clean session, and the user name and password flags of the fields given
        flags = 0x02 | (0x80 if user is not None else 0) | (0x40 if pw is not None else 0)
    body = s(name) + bytes([level, flags]) + struct.pack(">H", keep)
    if level == 5:
        p = props or b""
        body += varint(len(p)) + p
    body += s(cid)
    if user is not None:
        body += s(user)
    if pw is not None:
        body += s(pw)
    return packet(0x10, body + extra)


def authp(reason, props):
    """5.0 AUTH (§3.15): reason code, properties."""
    return packet(0xF0, bytes([reason]) + varint(len(props)) + props)


def tcp(path, convo, dport=1883):
    c = pcaplib.TcpConn(CIP, SIP, 40883, dport, CMAC, SMAC, t0=1700000000.0, step=0.001)
    for d, data in convo:
        c.send(d, data)
    c.close()
    pcaplib.write_frames(path, c.frames)


def cases():
    auth = (b"\x15" + s(b"SCRAM-SHA-1") + b"\x16" + s(b"n,,n=alice,r=abc") + b"\x11" + struct.pack(">I", 0))
    split = connect(user=b"bob", pw=PW, cid=b"wa-split") + packet(0x30, s(b"lab/t") + b"21.5")
    yield "v5-auth-method", [
        (0, connect(level=5, flags=0x02, props=auth, cid=b"wa-scram")),
        (1, authp(0x18, b"\x15" + s(b"SCRAM-SHA-1") + b"\x16" + s(b"r=abcdef"))),
        (0, authp(0x18, b"\x15" + s(b"SCRAM-SHA-1") + b"\x16" + s(b"p=xyz"))),
        (1, packet(0x20, b"\x00\x00\x03\x21\x00\x0a")),
    ], 1883
    yield "port-11883-split", [(0, split[:1]), (0, split[1:9]), (0, split[9:]), (1, packet(0x20, b"\x01\x00"))], 11883
    yield "password-no-user", [(0, connect(flags=0x42, pw=PW)), (1, packet(0x20, b"\x00\x05"))], 1883
    yield "too-long", [(0, b"\x10\xff\xff\xff\x7f" + s(b"MQTT") + b"\x04\x02\x00\x3c")], 1883
    yield "bad-name", [(0, connect(name=b"MQXX"))], 1883
    yield "bad-level", [(0, connect(level=9))], 1883
    yield "bad-level-mqisdp", [(0, connect(level=4, name=b"MQIsdp"))], 1883
    yield "reserved-flag", [(0, connect(flags=0x03))], 1883
    yield "overrun", [(0, packet(0x10, s(b"MQTT") + b"\x04\x82\x00\x3c" + s(b"c") + b"\x00\x40bob"))], 1883
    yield "trailing", [(0, connect(extra=b"\x00\x00"))], 1883
    yield "v5-bad-property", [(0, connect(level=5, props=b"\x7f\x00"))], 1883
    yield "v5-props-overrun", [(0, packet(0x10, s(b"MQTT") + b"\x05\x02\x00\x3c" + varint(200) + b"\x11\x00\x00\x00\x00"))], 1883
    yield "connack-bad-varint", [(0, connect()), (1, b"\x20\xff\xff\xff\xff\x01\x00\x00")], 1883
    yield "publish-first", [(0, connect()), (1, packet(0x30, s(b"t") + b"x"))], 1883
    yield "connack-short", [(0, connect()), (1, packet(0x20, b"\x00"))], 1883
    yield "connack-reserved-bits", [(0, connect()), (1, packet(0x20, b"\x02\x00"))], 1883
    yield "v31-connack-byte", [(0, connect(level=3, name=b"MQIsdp")), (1, packet(0x20, b"\x5a\x00"))], 1883
    yield "varint-5-bytes", [(0, b"\x10\x80\x80\x80\x80\x01" + s(b"MQTT") + b"\x04\x02\x00\x3c")], 1883


def fuzz_seed(path):
    """fuzz_dissector's input (fuzz/fuzz_dissector.c): the name, NUL, a
    flags byte, then chunks (2-byte header, bit 15 server to client): the
    v5-auth-method conversation (5.0 properties, AUTH, CONNACK with
    properties), so the fuzzer starts from real 5.0 framing."""
    convo = dict((n, c) for n, c, _ in cases())["v5-auth-method"]
    data = b"mqtt\0\0"
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
