#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-vnc.py OUTDIR — hand-built RFB conversations for tests/vnc-fields.sh
and tests/report-vnc.sh (issue 17): what the real captures of pcaps/vnc/
(tools/lab/gen-vnc.sh, TigerVNC) cannot show, and hostile input. RFC 6143
§7.1-§7.3; VeNCrypt as in the community RFB specification (rfbproto.rst).
Written at test time, one capture per case:

  rfb37-failed          3.7: zero security types and a reason (§7.1.2)
  rfb33-invalid         3.3: the server's type 0 and a reason
  vencrypt-plain-ok     VeNCrypt 0.2 Plain accepted (no acknowledgement byte
                        after the sub-type, as TigerVNC): user, password (a lab
                        value tests/secrets.sh looks for), SecurityResult ok,
                        ClientInit, ServerInit with a desktop name holding
                        a quote, a backslash and a control byte; port 5999
  tight-chosen          3.8, the client chooses Tight (16): named, not followed
  vencrypt-tls-refused  VeNCrypt TLSVnc refused by the server's u8 0
  vencrypt-plain-acked  Plain with a u8 1 from the server after the choice
                        (as LibVNCClient and tshark expect), then failed
and hostile ones (each must end in its anomaly, never in a crash):
  bad-client-version    the client's version line is not "RFB xxx.yyy\\n"
  reason-too-long       3.7 failure with a reason length of 0x7fffffff
  name-too-long         ServerInit with a name length of 1e9
  plain-too-long        VeNCrypt Plain with a user length of 0xffffffff
  choice-not-offered    the client chooses VNC Authentication, only None offered
  bad-result            SecurityResult 7
  vencrypt-not-offered  the client's VeNCrypt sub-type is not in the list
  truncated-challenge   the capture ends 6 bytes into the VNC auth challenge
  absurd-subtype-count  VeNCrypt: 255 sub-types announced, 2 sent

Deterministic: the same bytes every run.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

CIP, SIP = bytes([10, 62, 0, 1]), bytes([10, 62, 0, 2])
CMAC, SMAC = bytes.fromhex("020000006201"), bytes.fromhex("020000006202")
PLAIN_USER = b"crafted-vnc-user"
PLAIN_PASS = b"pw-vnc-crafted-7701"  # tests/secrets.sh: never stored

V38, V37, V33 = b"RFB 003.008\n", b"RFB 003.007\n", b"RFB 003.003\n"


def u32(v):
    return struct.pack(">I", v)


def server_init(name, w=64, h=48):
    pf = bytes([16, 16, 0, 1]) + struct.pack(">HHH", 31, 63, 31) + bytes([11, 5, 0]) + bytes(3)
    return struct.pack(">HH", w, h) + pf + u32(len(name)) + name


NEXT_CPORT = [40200]


def conn(path, steps, sport=5900):
    """steps: (direction, bytes); FIN from both sides at the end. Each
    conversation gets its own client port, so that captures read into one
    database stay apart."""
    cport = NEXT_CPORT[0]
    NEXT_CPORT[0] += 1
    c = pcaplib.TcpConn(CIP, SIP, cport, sport, CMAC, SMAC, t0=1700000000.0, step=0.001)
    for d, data in steps:
        c.send(d, data)
    c.segment(0, pcaplib.FIN | pcaplib.ACK)
    c.segment(1, pcaplib.FIN | pcaplib.ACK)
    c.segment(0, pcaplib.ACK)
    pcaplib.write_frames(path, c.frames)


def main(out):
    os.makedirs(out, exist_ok=True)
    p = lambda n: os.path.join(out, n + ".pcap")  # noqa: E731
    conn(p("rfb37-failed"), [(1, V37), (0, V37), (1, b"\x00" + u32(21) + b"too many connections\n")])
    conn(p("rfb33-invalid"), [(1, V38), (0, V33), (1, u32(0) + u32(12) + b"go away, 3.3")])
    ven_head = [(1, V38), (0, V38), (1, b"\x02\x01\x13"), (0, b"\x13"), (1, b"\x00\x02"), (0, b"\x00\x02")]
    conn(p("vencrypt-plain-ok"), ven_head + [
        (1, b"\x00\x02" + u32(256) + u32(262)), (0, u32(256)),
        (0, u32(len(PLAIN_USER)) + u32(len(PLAIN_PASS)) + PLAIN_USER + PLAIN_PASS),
        (1, u32(0)), (0, b"\x01"), (1, server_init(b'lab "desk"\\\x01')),
        (0, b"\x02" + bytes(3) + u32(0))], sport=5999)
    conn(p("vencrypt-tls-refused"), ven_head + [(1, b"\x00\x01" + u32(258)), (0, u32(258)), (1, b"\x00")])
    # LibVNCClient's / tshark's reading: a u8 1 after the Plain choice
    conn(p("vencrypt-plain-acked"), ven_head + [
        (1, b"\x00\x01" + u32(256)), (0, u32(256)), (1, b"\x01"),
        (0, u32(len(PLAIN_USER)) + u32(len(PLAIN_PASS)) + PLAIN_USER + PLAIN_PASS),
        (1, u32(1) + u32(6) + b"denied")])
    conn(p("tight-chosen"), [(1, V38), (0, V38), (1, b"\x02\x10\x02"), (0, b"\x10"), (1, bytes(4))])
    # hostile
    conn(p("bad-client-version"), [(1, V38), (0, b"RFB 3.8 pls\n")])
    conn(p("reason-too-long"), [(1, V37), (0, V37), (1, b"\x00" + u32(0x7fffffff) + b"x" * 32)])
    conn(p("name-too-long"), [(1, V38), (0, V38), (1, b"\x01\x01"), (0, b"\x01"), (1, u32(0)), (0, b"\x01"),
                              (1, server_init(b"")[:20] + u32(1000000000) + b"y" * 40)])
    conn(p("plain-too-long"), ven_head + [
        (1, b"\x00\x01" + u32(256)), (0, u32(256)),
        (0, u32(0xffffffff) + u32(4) + b"abcdefgh")])
    conn(p("choice-not-offered"), [(1, V38), (0, V38), (1, b"\x01\x01"), (0, b"\x02")])
    conn(p("bad-result"), [(1, V38), (0, V38), (1, b"\x01\x02"), (0, b"\x02"), (1, bytes(range(16))),
                           (0, bytes(16)), (1, u32(7))])
    conn(p("vencrypt-not-offered"), ven_head + [(1, b"\x00\x01" + u32(258)), (0, u32(256))])
    conn(p("truncated-challenge"), [(1, V38), (0, V38), (1, b"\x01\x02"), (0, b"\x02"), (1, bytes(6))])
    conn(p("absurd-subtype-count"), ven_head + [(1, b"\x00\xff" + u32(256) + u32(257))])


if __name__ == "__main__":
    main(sys.argv[1])
