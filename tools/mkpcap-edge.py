#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-edge.py — hand-built captures for what no real peer produces.

pcaps/encap/: the real capture pcaps/sample/http-mixed.pcap re-encapsulated
in the link layers and tunnels a monitoring link delivers — 802.1Q, QinQ
(802.1ad), Linux cooked v1/v2, raw IP, BSD loopback, GRE (RFC 2784),
ERSPAN type II (draft-foschiano-erspan §4.1) and VXLAN (RFC 7348). Same
flows, same counts per flow, other wrapping.

pcaps/malformed/: broken inputs with a known expected outcome (tests/cli.sh):
a file that ends mid-record, a file too short for its header, packets whose
headers are invalid, and a flow cut by a small snaplen.

Pcap file format: https://www.tcpdump.org/manpages/pcap-savefile.5.txt
Usage: tools/mkpcap-edge.py  (from the source tree; deterministic output)
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(TOP, "pcaps/sample/http-mixed.pcap")

DLT_NULL, DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL, DLT_LINUX_SLL2 = (
    pcaplib.LINKTYPE_NULL, pcaplib.LINKTYPE_ETHERNET, pcaplib.LINKTYPE_RAW,
    pcaplib.LINKTYPE_LINUX_SLL, pcaplib.LINKTYPE_LINUX_SLL2)


MAC_A = bytes.fromhex("020000000a01")
MAC_B = bytes.fromhex("020000000a02")
OUT_A = [192, 0, 2, 1]     # RFC 5737 documentation addresses for tunnel endpoints
OUT_B = [192, 0, 2, 2]


def outer(proto, payload):
    """The tunnel's outer Ethernet/IPv4 header, OUT_A -> OUT_B."""
    return pcaplib.ethernet(MAC_A, MAC_B, pcaplib.ipv4(OUT_A, OUT_B, proto, payload))


def encaps(dlt, pkts):
    """Yield (name, dlt, packets) re-wrappings of Ethernet frames."""
    assert dlt == DLT_EN10MB
    out = {}

    def each(fn):
        return [(s, u, fn(fr), w - len(fr) + len(fn(fr))) for s, u, fr, w in pkts]

    def l3(fr):
        return fr[14:], fr[12:14]

    out["vlan"] = (DLT_EN10MB, each(lambda fr: fr[:12] + b"\x81\x00" + struct.pack("!H", 0x2000 | 42) + fr[12:]))
    out["qinq"] = (DLT_EN10MB, each(lambda fr: fr[:12] + b"\x88\xa8" + struct.pack("!H", 100) +
                                    b"\x81\x00" + struct.pack("!H", 200) + fr[12:]))
    out["sll"] = (DLT_LINUX_SLL, each(lambda fr: struct.pack("!HHH", 0, 1, 6) + fr[6:12] + b"\0\0" + fr[12:14] + fr[14:]))
    out["sll2"] = (DLT_LINUX_SLL2, each(lambda fr: fr[12:14] + b"\0\0" + struct.pack("!IHBB", 2, 1, 0, 6) + fr[6:12] + b"\0\0" + fr[14:]))
    out["raw"] = (DLT_RAW, each(lambda fr: fr[14:]))
    out["null"] = (DLT_NULL, each(lambda fr: struct.pack("<I", 2 if fr[12:14] == b"\x08\x00" else 30) + fr[14:]))

    def gre(fr):
        et = fr[12:14]
        g = b"\x00\x00" + et + fr[14:]
        return outer(47, g)
    out["gre"] = (DLT_EN10MB, each(gre))

    seq = [0]

    def erspan2(fr):
        seq[0] += 1
        # GRE with S bit, protocol 0x88be, sequence; ERSPAN II header: ver=1, vlan 0, session 7
        g = struct.pack("!HHI", 0x1000, 0x88be, seq[0]) + struct.pack("!HHI", 0x1000, 7, 0) + fr
        return outer(47, g)
    out["erspan2"] = (DLT_EN10MB, each(erspan2))

    def vxlan(fr):
        v = struct.pack("!B3xI", 0x08, 5000 << 8) + fr
        return outer(17, pcaplib.udp(OUT_A, OUT_B, 49152, 4789, v, csum=False))
    out["vxlan"] = (DLT_EN10MB, each(vxlan))
    return out


def malformed(dlt, pkts):
    d = os.path.join(TOP, "pcaps/malformed")
    # 1. ends mid-record: two whole packets, then 30 of a record's bytes
    path = os.path.join(d, "truncated-midrecord.pcap")
    pcaplib.write_pcap(path, pkts[:3], dlt)
    data = open(path, "rb").read()
    cut = len(data) - len(pkts[2][2]) + 14
    open(path, "wb").write(data[:cut])
    # 2. too short for the global header
    open(os.path.join(d, "truncated-header.pcap"), "wb").write(data[:10])
    # 3. invalid headers, each counted by the decoder, plus one good packet
    good = pkts[0][2]
    eth = good[:14]
    ip = bytearray(good[14:])
    bad = []
    b = bytearray(ip); b[0] = 0x43                       # IHL 3 (< 5): invalid
    bad.append(eth + bytes(b))
    b = bytearray(ip); b[2:4] = struct.pack("!H", 12)    # total length < header: invalid
    bad.append(eth + bytes(b))
    b = bytearray(ip); b[20 + 12] = 0x20                 # TCP data offset 2: invalid
    bad.append(eth + bytes(b))
    bad.append(eth + bytes(ip[:30]))                     # TCP header cut: truncated
    bad.append(good[:12] + b"\x88\xcc" + b"\0" * 40)       # LLDP: not IP
    bad.append(good[:12] + b"\x81\x00\x00\x01" * 5 + b"\x08\x00" + bytes(ip))  # 5 VLAN tags: invalid
    b = bytearray(ip); b[6:8] = struct.pack("!H", 0x2000)  # MF fragment: skipped
    bad.append(eth + bytes(b))
    bad.append(good)
    s, u = pkts[0][0], pkts[0][1]
    pcaplib.write_pcap(os.path.join(d, "bad-headers.pcap"), [(s, u + i, f, len(f)) for i, f in enumerate(bad)], dlt)
    # 4. snaplen 80: headers whole, payload bytes missing from every data packet of the flow
    flow = [p for p in pkts if len(p[2]) > 0][:10]
    pcaplib.write_pcap(os.path.join(d, "snaplen-80.pcap"), [(s, u, fr[:80], w) for s, u, fr, w in flow], dlt, 80)


def main():
    dlt, _, pkts = pcaplib.read_pcap(SRC)
    for name, (odlt, opk) in encaps(dlt, pkts).items():
        pcaplib.write_pcap(os.path.join(TOP, "pcaps/encap", "http-%s.pcap" % name), opk, odlt)
    malformed(dlt, pkts)
    print("wrote pcaps/encap/*.pcap and pcaps/malformed/*.pcap")


if __name__ == "__main__":
    sys.exit(main())
