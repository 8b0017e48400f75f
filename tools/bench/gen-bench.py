#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-bench.py — build the benchmark capture from the project's own
real-traffic captures (pcaps/tls, pcaps/plain, pcaps/sample).

Each IPv4 TCP flow of those captures is a template. The output holds:
  * --tls-flows copies of the TLS templates (handshake, a little data, close),
  * --clear-flows copies of the cleartext database/LDAP/SMTP/AMQP/HTTP ones,
  * --bulk-flows long transfers: a TLS template whose last server data packet
    is repeated --bulk-packets times with advancing sequence numbers,
each copy with fresh client address and port, its packets stretched over
--flow-seconds and started at an even rate over --seconds of capture time,
so thousands of flows are open at once. Packets are merged by time (a heap
over lazy per-flow generators: memory stays flat). IP and TCP checksums stay
valid (IP recomputed, TCP updated incrementally, RFC 1624).

Deterministic: same inputs and options, same bytes (no randomness beyond a
seeded PRNG for the template order).

Usage: gen-bench.py [--out FILE] [options]   (default /tmp/wireaudit-bench.pcap)
"""
import argparse
import glob
import heapq
import os
import random
import struct
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tools"))
import pcaplib  # noqa: E402


def read_pcap(path):
    """[(µs, frame)] of an Ethernet pcap with no packet cut by the snap
    length, or None."""
    try:
        linktype, _, pkts = pcaplib.read_pcap(path)
    except ValueError:
        return None
    if linktype != pcaplib.LINKTYPE_ETHERNET:
        return None
    out = []
    for sec, usec, fr, wire in pkts:
        if len(fr) != wire:
            return None
        out.append((sec * 1000000 + usec, fr))
    return out


def flows_of(pkts):
    """IPv4/TCP flows (no VLAN) keyed by canonical tuple, packets in order."""
    flows = {}
    for ts, fr in pkts:
        if len(fr) < 54 or fr[12:14] != b"\x08\x00" or fr[23] != 6 or (fr[14] & 0x0f) != 5:
            continue
        src, dst = fr[26:30], fr[30:34]
        sp, dp = fr[34:36], fr[36:38]
        key = tuple(sorted([(src, sp), (dst, dp)]))
        flows.setdefault(key, []).append((ts, fr))
    out = []
    for key, fl in flows.items():
        syn = fl[0][1]
        if not (syn[47] & 0x02) or (syn[47] & 0x10):
            continue  # only flows whose SYN was captured
        t0 = fl[0][0]
        out.append([(ts - t0, fr) for ts, fr in fl])
    return out


class Copy:
    """One copy of a template flow with new client address/port."""

    def __init__(self, tpl, start, stretch, cip, cport, bulk=0):
        self.tpl, self.start, self.stretch = tpl, start, stretch
        self.cip, self.cport, self.bulk = cip, cport, bulk
        syn = tpl[0][1]
        self.oc_ip, self.oc_port = syn[26:30], syn[34:36]

    def packets(self):
        tpl = self.tpl
        last_data = None
        if self.bulk:
            # the largest server-to-client packet of the flow's second half
            # (application data, past the handshake) is repeated
            best = 0
            for i, (_, fr) in enumerate(tpl):
                if i >= len(tpl) // 2 and fr[26:30] != self.oc_ip and len(fr) > best:
                    best, last_data = len(fr), i
        shift = 0
        for i, (rel, fr) in enumerate(tpl):
            yield self.start + int(rel * self.stretch), self.rewrite(fr, shift)
            if i == last_data:
                fr0 = fr
                plen = struct.unpack("!H", fr0[16:18])[0] - 20 - ((fr0[46] >> 4) * 4)
                for k in range(self.bulk):
                    shift += plen
                    yield self.start + int(rel * self.stretch) + 50 * (k + 1), self.rewrite(fr0, shift, server_seq_only=True)
                # later packets: server seq and client ack move by `shift`

    def rewrite(self, fr, shift, server_seq_only=False):
        b = bytearray(fr)
        from_client = fr[26:30] == self.oc_ip and fr[34:36] == self.oc_port
        tc = struct.unpack("!H", b[50:52])[0]
        if from_client:
            words_old = fr[26:30] + fr[34:36]
            b[26:30] = self.cip
            b[34:36] = self.cport
            words_new = bytes(b[26:30]) + bytes(b[34:36])
        else:
            words_old = fr[30:34] + fr[36:38]
            b[30:34] = self.cip
            b[36:38] = self.cport
            words_new = bytes(b[30:34]) + bytes(b[36:38])
        for j in range(0, 6, 2):
            tc = pcaplib.checksum_update(tc, (words_old[j] << 8) | words_old[j + 1], (words_new[j] << 8) | words_new[j + 1])
        if shift:
            off = 38 if not from_client else 42  # server seq, or client ack
            old = struct.unpack("!I", fr[off:off + 4])[0]
            new = (old + shift) & 0xffffffff
            struct.pack_into("!I", b, off, new)
            tc = pcaplib.checksum_update(tc, old >> 16, new >> 16)
            tc = pcaplib.checksum_update(tc, old & 0xffff, new & 0xffff)
        struct.pack_into("!H", b, 50, tc)
        struct.pack_into("!H", b, 24, 0)
        struct.pack_into("!H", b, 24, pcaplib.checksum(bytes(b[14:34])))
        return bytes(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/wireaudit-bench.pcap")
    ap.add_argument("--tls-flows", type=int, default=100000)
    ap.add_argument("--clear-flows", type=int, default=15000)
    ap.add_argument("--bulk-flows", type=int, default=40)
    ap.add_argument("--bulk-packets", type=int, default=20000)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--flow-seconds", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    tls, clear = [], []
    for path in sorted(glob.glob(os.path.join(TOP, "pcaps/tls/*.pcap"))):
        p = read_pcap(path)
        if p:
            tls += flows_of(p)
    for path in sorted(glob.glob(os.path.join(TOP, "pcaps/plain/*.pcap")) + [os.path.join(TOP, "pcaps/sample/http-mixed.pcap")]):
        p = read_pcap(path)
        if p:
            clear += [f for f in flows_of(p) if len(f) < 200]
    if not tls or not clear:
        sys.exit("gen-bench: no usable templates under pcaps/")
    rng = random.Random(a.seed)
    t0 = 1767225600 * 1000000  # 2026-01-01T00:00:00Z
    span = int(a.seconds * 1e6)
    copies = []
    n = a.tls_flows + a.clear_flows
    for i in range(n):
        tpl = rng.choice(tls) if i % n < a.tls_flows and (i * a.clear_flows) % n >= a.clear_flows else rng.choice(clear)
        dur = max(1, tpl[-1][0])
        stretch = a.flow_seconds * 1e6 / dur
        cip = bytes([10, 64 + (i >> 16) % 64, (i >> 8) & 255, i & 255])
        copies.append(Copy(tpl, t0 + i * span // n, stretch, cip, struct.pack("!H", 1024 + i % 60000)))
    big = max(tls, key=lambda f: sum(len(fr) for _, fr in f))
    for j in range(a.bulk_flows):
        cip = bytes([10, 200, 0, j + 1])
        copies.append(Copy(big, t0 + j * span // max(1, a.bulk_flows) // 2, 1.0, cip, struct.pack("!H", 40000 + j), bulk=a.bulk_packets))
    gens = [c.packets() for c in copies]
    # lazy merge: a flow's generator is entered into the heap when it starts
    order = sorted(range(len(copies)), key=lambda k: copies[k].start)
    heap, nxt, count, nbytes = [], 0, 0, 0
    with pcaplib.PcapWriter(a.out) as w:
        while heap or nxt < len(order):
            while nxt < len(order) and (not heap or copies[order[nxt]].start <= heap[0][0]):
                k = order[nxt]
                nxt += 1
                g = gens[k]
                first = next(g, None)
                if first:
                    heapq.heappush(heap, (first[0], k, first[1]))
            ts, k, fr = heapq.heappop(heap)
            w.write(*pcaplib.ts_us(ts), fr)
            count += 1
            nbytes += len(fr)
            nx = next(gens[k], None)
            if nx:
                heapq.heappush(heap, (max(nx[0], ts), k, nx[1]))
    print("gen-bench: %s: %d packets, %d bytes, %d flows (%d TLS templates, %d cleartext templates)"
          % (a.out, count, nbytes, len(copies), len(tls), len(clear)))


if __name__ == "__main__":
    main()
