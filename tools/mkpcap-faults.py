#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-faults.py — captures for tests/faults.sh (durability and faults),
and a pacer that replays a capture into a pipe at its own speed.

  mkpcap-faults.py long OUT.pcap [SECONDS]
      SECONDS (default 10) of traffic: 20 long HTTP connections on port 80
      that stream a response for the whole time and never end (the first
      one's request is cut by the snap length: one stream_gap anomaly), plus one short HTTP connection
      (SYN ... FIN, 8 packets, 20 ms) starting every 50 ms from t = 0.1 s.
      Client ports: long 20000+i, short 30000+i.
  mkpcap-faults.py udp OUT.pcap N
      N one-packet UDP flows (ports 40000+ to 9999), 200 bytes each.
  mkpcap-faults.py pace IN.pcap [SPEED [STARTED]]
      Writes IN.pcap to stdout, each packet not before its own time
      (relative to the first, divided by SPEED): a slow "offline" input.
      Creates the file STARTED when the first packet is due (time zero).

Ethernet / IPv4 / TCP or UDP, checksums zero (wireaudit does not check
them), times from 2026-01-01T00:00:00Z. No third-party modules.
"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

T0 = 1767225600  # 2026-01-01T00:00:00Z
CLI = bytes([10, 77, 0, 1])
SRV = bytes([10, 77, 0, 2])


def eth(payload):
    return pcaplib.ethernet(b"\x02\x00\x00\x00\x00\x02", b"\x02\x00\x00\x00\x00\x01", payload)


def tcp(src, dst, sport, dport, seq, ack, flags, data=b""):
    return eth(pcaplib.ipv4(src, dst, pcaplib.IPPROTO_TCP,
                            pcaplib.tcp(src, dst, sport, dport, seq, ack, flags, data, csum=False),
                            ident=0, csum=False))


def udp(src, dst, sport, dport, data):
    return eth(pcaplib.ipv4(src, dst, pcaplib.IPPROTO_UDP, pcaplib.udp(src, dst, sport, dport, data, csum=False),
                            ident=0, csum=False))


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01


class Conn:
    """One TCP connection: client CLI:cport -> SRV:80."""

    def __init__(self, cport):
        self.cport = cport
        self.cs = 1000 + cport * 7
        self.ss = 5000 + cport * 11

    def c(self, flags, data=b""):
        p = tcp(CLI, SRV, self.cport, 80, self.cs, self.ss, flags, data)
        self.cs += len(data) + (1 if flags & (SYN | FIN) else 0)
        return p

    def s(self, flags, data=b""):
        p = tcp(SRV, CLI, 80, self.cport, self.ss, self.cs, flags, data)
        self.ss += len(data) + (1 if flags & (SYN | FIN) else 0)
        return p


def request(path):
    return ("GET /%s HTTP/1.1\r\nHost: faults.wireaudit.test\r\nUser-Agent: mkpcap-faults\r\n\r\n" % path).encode()


def gen_long(seconds):
    pk = []  # (time, frame)
    longs = [Conn(20000 + i) for i in range(20)]
    for i, c in enumerate(longs):
        t = 0.001 * (i + 1)
        pk.append((t, c.c(SYN)))
        pk.append((t + 0.0001, c.s(SYN | ACK)))
        pk.append((t + 0.0002, c.c(ACK)))
        if i == 0:
            # the request cut by the snap length: a hole in the stream
            pk.append((t + 0.0003, c.c(PSH | ACK, request("stream/%d" % i)), 10))
        else:
            pk.append((t + 0.0003, c.c(PSH | ACK, request("stream/%d" % i))))
        pk.append((t + 0.0004, c.s(PSH | ACK, b"HTTP/1.1 200 OK\r\nServer: faults\r\n"
                                   b"Transfer-Encoding: chunked\r\n\r\n")))
    tick = 0.1
    n = int(seconds / tick)
    for k in range(1, n):
        for i, c in enumerate(longs):
            t = k * tick + 0.001 * i
            pk.append((t, c.s(PSH | ACK, b"64\r\n" + b"d" * 100 + b"\r\n")))
            pk.append((t + 0.0001, c.c(ACK)))
    k = 0
    t = 0.1
    while t + 0.03 < seconds:
        c = Conn(30000 + k)
        pk.append((t, c.c(SYN)))
        pk.append((t + 0.002, c.s(SYN | ACK)))
        pk.append((t + 0.004, c.c(ACK)))
        pk.append((t + 0.006, c.c(PSH | ACK, request("short/%d" % k))))
        pk.append((t + 0.010, c.s(PSH | ACK, b"HTTP/1.1 204 No Content\r\nServer: faults\r\n\r\n")))
        pk.append((t + 0.012, c.c(FIN | ACK)))
        pk.append((t + 0.014, c.s(FIN | ACK)))
        pk.append((t + 0.016, c.c(ACK)))
        k += 1
        t = 0.1 + 0.05 * k
    pk.sort(key=lambda x: x[0])
    return pk


def gen_udp(n):
    return [(0.0001 * i, udp(CLI, SRV, 40000 + (i % 20000), 9999 - (i // 20000), b"u" * 200)) for i in range(n)]


def write_pcap(path, pk):
    """pk: (t, frame) or (t, frame, cut): the last cut bytes not captured."""
    def records():
        for p in pk:
            t, fr = p[0], p[1]
            cut = p[2] if len(p) > 2 else 0
            yield (*pcaplib.ts_us(int(round(t * 1e6)), T0), fr[:len(fr) - cut], len(fr))
    pcaplib.write_pcap(path, records(), snaplen=65535)


def pace(path, speed, started):
    out = sys.stdout.buffer
    with open(path, "rb") as f:
        out.write(f.read(24))
        out.flush()
        start = time.monotonic()
        if started:
            open(started, "w").close()
        first = None
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            sec, usec, incl, _ = struct.unpack("<IIII", h)
            data = f.read(incl)
            t = sec + usec / 1e6
            if first is None:
                first = t
            due = start + (t - first) / speed
            now = time.monotonic()
            if due > now:
                out.flush()
                time.sleep(due - now)
            out.write(h + data)
        out.flush()


def main():
    try:
        if sys.argv[1] == "long":
            write_pcap(sys.argv[2], gen_long(float(sys.argv[3]) if len(sys.argv) > 3 else 10.0))
        elif sys.argv[1] == "udp":
            write_pcap(sys.argv[2], gen_udp(int(sys.argv[3])))
        elif sys.argv[1] == "pace":
            pace(sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 1.0,
                 sys.argv[4] if len(sys.argv) > 4 else None)
        else:
            raise IndexError
    except IndexError:
        sys.exit(__doc__)
    except BrokenPipeError:
        sys.exit(0)  # the reader was killed: expected in tests


if __name__ == "__main__":
    main()
