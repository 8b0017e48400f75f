#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mksoak.py — days of traffic for the retention soak test (tests/retention.sh,
issue 14), built from the project's own real captures.

    mksoak.py OUTDIR --days N --flows-per-day K [--seed S] [--clients C]

Every IPv4 TCP flow of pcaps/tls, pcaps/plain and pcaps/sample/http-mixed.pcap
whose SYN was captured is a template (tools/bench/gen-bench.py reads them).
Template t gets a server address of its own (internal 10.60.t.2, or external
44.2.t.2 for every fifth, so the report's internal/external rules see both),
and a set of clients (client c talks to template t when (t + c) % 12 == 0 —
a client uses a few services, each every day, as on a real network); some
templates are seen only on some days ((day // (3 + t % 7) + t) % 5 != 0), so
windows of days differ in what they hold. Each day has K flows, each a copy
of a template with a client of its set, a fresh client port, and its first
packet at a PRNG time of the day; one flow a day starts 10 s before
midnight and lasts 30 s (a flow across two days). Day 0 starts at the
first midnight after the newest template packet, so certificates judged
at connection time are judged as on the day they were captured or later.

Output: OUTDIR/day-NNN.pcap, one file per day, packets in time order, each
renamed into place when complete (a test may capture day d while day d+1 is
being written, and delete it after);
OUTDIR/days.txt: "N START_US" per day. Deterministic: same inputs, same bytes.
"""
import argparse
import glob
import heapq
import importlib.util
import os
import random
import struct
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tools"))
import pcaplib  # noqa: E402

_spec = importlib.util.spec_from_file_location("gen_bench", os.path.join(TOP, "tools/bench/gen-bench.py"))
gb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gb)

DAY = 86400 * 1000000


class Copy(gb.Copy):
    """A template copy with a new server address as well as a new client."""

    def __init__(self, tpl, start, stretch, cip, cport, sip):
        super().__init__(tpl, start, stretch, cip, cport)
        self.os_ip, self.sip = tpl[0][1][30:34], sip

    def rewrite(self, fr, shift, server_seq_only=False):
        b = bytearray(super().rewrite(fr, shift))
        off = 30 if b[26:30] == self.cip else 26   # the server's address field
        old = bytes(b[off:off + 4])
        b[off:off + 4] = self.sip
        tc = struct.unpack("!H", b[50:52])[0]
        for j in range(0, 4, 2):
            tc = pcaplib.checksum_update(tc, (old[j] << 8) | old[j + 1], (self.sip[j] << 8) | self.sip[j + 1])
        struct.pack_into("!H", b, 50, tc)
        struct.pack_into("!H", b, 24, 0)
        struct.pack_into("!H", b, 24, pcaplib.checksum(bytes(b[14:34])))
        return bytes(b)


def templates():
    tpls, newest = [], 0
    paths = sorted(glob.glob(os.path.join(TOP, "pcaps/tls/*.pcap")))
    paths += sorted(glob.glob(os.path.join(TOP, "pcaps/plain/*.pcap")))
    paths.append(os.path.join(TOP, "pcaps/sample/http-mixed.pcap"))
    for path in paths:
        p = gb.read_pcap(path)
        if not p:
            continue
        newest = max(newest, max(ts for ts, _ in p))
        tpls += [f for f in gb.flows_of(p) if len(f) < 200]
    return tpls, newest


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--flows-per-day", type=int, default=3000)
    ap.add_argument("--clients", type=int, default=24)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first", type=int, default=0, help="the first day to write (the others are skipped)")
    a = ap.parse_args()
    tpls, newest = templates()
    if not tpls:
        sys.exit("mksoak: no templates under pcaps/")
    os.makedirs(a.outdir, exist_ok=True)
    day0 = (newest // DAY + 1) * DAY
    nt = len(tpls)
    sips = [bytes([44, 2, t % 256, 2]) if t % 5 == 4 else bytes([10, 60, t % 256, 2]) for t in range(nt)]
    clients = [bytes([10, 50, 0, c + 1]) for c in range(a.clients)]
    pairs = [(t, c) for t in range(nt) for c in range(a.clients) if (t + c) % 12 == 0]
    with open(os.path.join(a.outdir, "days.txt"), "w") as idx:
        for d in range(a.first, a.days):
            rng = random.Random(a.seed * 1000003 + d)
            live = [(t, c) for t, c in pairs if ((d // (3 + t % 7)) + t) % 5 != 0]
            start = day0 + d * DAY
            copies = []
            for i in range(a.flows_per_day):
                t, c = live[rng.randrange(len(live))]
                tpl = tpls[t]
                if i == 0:
                    # across midnight: first packet 10 s before the next day
                    dur = max(1, tpl[-1][0])
                    copies.append(Copy(tpl, start + DAY - 10 * 1000000, 30e6 / dur, clients[c],
                                       struct.pack("!H", 20000 + d), sips[t]))
                    continue
                at = start + rng.randrange(0, DAY - 600 * 1000000)
                copies.append(Copy(tpl, at, 1.0, clients[c], struct.pack("!H", 1024 + (i * 7 + d) % 60000), sips[t]))
            heap = []
            for k, cp in enumerate(copies):
                g = cp.packets()
                first = next(g, None)
                if first:
                    heap.append((first[0], k, first[1], g))
            heapq.heapify(heap)
            path = os.path.join(a.outdir, "day-%03d.pcap" % d)
            n = 0
            with pcaplib.PcapWriter(path + ".tmp") as w:
                while heap:
                    ts, k, fr, g = heapq.heappop(heap)
                    w.write(*pcaplib.ts_us(ts), fr)
                    n += 1
                    nx = next(g, None)
                    if nx:
                        heapq.heappush(heap, (max(nx[0], ts), k, nx[1], g))
            os.rename(path + ".tmp", path)   # complete: a reader may take it
            idx.write("%d %d\n" % (d, start))
            idx.flush()
    print("mksoak: %s: %d days of %d flows, %d templates, %d clients"
          % (a.outdir, a.days, a.flows_per_day, nt, a.clients))


if __name__ == "__main__":
    main()
