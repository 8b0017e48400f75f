#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-syslog.py OUTDIR — hand-built syslog traffic for
tests/syslog-fields.sh (issue 17): what the real captures of pcaps/syslog/
(tools/lab/gen-syslog.sh) cannot show. Written at test time, one capture
per case:

  udp-nil-fields       RFC 5424 §6.2.4/6.2.5: HOSTNAME and APP-NAME "-"
                       (NILVALUE), PRI <0> (kern.emerg)
  udp-3164-no-ts       RFC 3164 §4.3.2: no valid TIMESTAMP, so the rest is
                       CONTENT: no HOSTNAME, no TAG; PRI <191> (local7.debug)
  udp-bad-second       a valid datagram, then one without a PRI (bad_pri)
  udp-pri-192          "<192>": over facility 23 (RFC 5424 §6.2.1), not syslog
  tcp-embedded-lf      non-transparent framing (RFC 6587 §3.4.2) with an LF
                       inside a message: the rest counts as a line without PRI
  tcp-octet-port-6000  octet counting on a port no hint names, two messages
                       in one segment, then one split over two segments
  tcp-len-too-long     MSG-LEN 99999999 (over the 64 KiB cap: message_too_long)
  tcp-len-10-digits    MSG-LEN of ten digits (message_too_long)
  tcp-len-no-sp        MSG-LEN then "<" without SP after a valid message
                       (bad_length)
  tcp-octet-bad-pri    a counted message whose bytes do not start with a PRI
  tcp-no-lf-70k        70 000 bytes after a PRI and no LF (message_too_long)

Deterministic: the same bytes every run.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

CIP, SIP = bytes([10, 67, 0, 1]), bytes([10, 67, 0, 2])
CMAC, SMAC = bytes.fromhex("020000004301"), bytes.fromhex("020000004302")
M5424 = b"<165>1 2026-01-02T03:04:05Z host.example app - - - hello"


def udp(path, dgrams, dport=514, sport=40514):
    frames, t = [], 1700000000.0
    for i, d in enumerate(dgrams):
        ip = pcaplib.ipv4(CIP, SIP, pcaplib.IPPROTO_UDP, pcaplib.udp(CIP, SIP, sport, dport, d), ident=i + 1)
        frames.append((t, pcaplib.ethernet(SMAC, CMAC, ip)))
        t += 0.001
    pcaplib.write_frames(path, frames)


def tcp(path, segments, dport=514):
    c = pcaplib.TcpConn(CIP, SIP, 40600, dport, CMAC, SMAC, t0=1700000000.0, step=0.001)
    for s in segments:
        c.send(0, s)
    c.close()
    pcaplib.write_frames(path, c.frames)


def octet(m):
    return b"%d " % len(m) + m


def main(out):
    os.makedirs(out, exist_ok=True)
    p = lambda n: os.path.join(out, n + ".pcap")  # noqa: E731
    udp(p("udp-nil-fields"), [b"<0>1 - - - - - - boot"])
    udp(p("udp-3164-no-ts"), [b"<191>yesterday noon host tag: x\n"])
    udp(p("udp-bad-second"), [M5424, b"hello without pri"])
    udp(p("udp-pri-192"), [b"<192>1 - - - - - - x"])
    tcp(p("tcp-embedded-lf"), [b"<13>Jan  2 03:04:05 host sh: line one\ncontinued\n<14>Jan  2 03:04:06 host sh: two\n"])
    tcp(p("tcp-octet-port-6000"), [octet(M5424) + octet(M5424), octet(M5424)[:20], octet(M5424)[20:]], dport=6000)
    tcp(p("tcp-len-too-long"), [b"99999999 <13>" + b"x" * 100])
    tcp(p("tcp-len-10-digits"), [b"1234567890 <13>x"])
    tcp(p("tcp-len-no-sp"), [octet(M5424) + b"12<13>x"])
    tcp(p("tcp-octet-bad-pri"), [octet(M5424) + octet(b"no pri here")])
    tcp(p("tcp-no-lf-70k"), [b"<13>" + b"a" * 70000])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
