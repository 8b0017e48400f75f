#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""scale.py — cost versus scale, behind `make bench-scale` (docs/PERFORMANCE.md,
issue 13): `wireaudit capture` time, packet rate and peak RSS

  (a) as the number of concurrently open flows grows: 10^3, 10^4, 10^5, 10^6;
  (b) as new flows per second grow: 10^3, 10^4, 10^5 (flows short-lived).

Every input is made by tools/bench/gen-bench.py from the project's real
cleartext and TLS sessions (copies with fresh addresses), so the dissectors
do their real work. Concurrency is set by stretching each flow over
--flow-seconds while flows start evenly over --seconds:
open flows ~ flows x flow_seconds / seconds (all of them when flow_seconds
>= seconds). The 10^6 point needs a flow table that holds them:
--max-flows 2097152 for every point (the default cap, 262,144, would evict).

Writes the table between <!-- SCALE-BEGIN --> and <!-- SCALE-END --> in
docs/PERFORMANCE.md and a plot (SVG, drawn here: no plotting library) to
docs/perf-scale.svg. Captures are cached in --dir (the 10^6 one is about
3 GB and takes several minutes to generate).

Usage: scale.py --wireaudit BIN [--dir /tmp/wa-scale] [--repeat 3] [--points 3,4,5,6]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (run, count_packets, replace_block: one copy)
MAX_FLOWS = 2097152


def gen(path, flows, seconds, flow_seconds, tls_share):
    if os.path.exists(path):
        return
    tls = int(flows * tls_share)
    subprocess.check_call([sys.executable, os.path.join(TOP, "tools/bench/gen-bench.py"), "--out", path + ".tmp",
                           "--tls-flows", str(tls), "--clear-flows", str(flows - tls), "--bulk-flows", "0",
                           "--seconds", str(seconds), "--flow-seconds", str(flow_seconds)])
    os.rename(path + ".tmp", path)


def measure(a, pcap, tmp, repeat=None):
    db = os.path.join(tmp, "s.db")
    res = []
    for _ in range(repeat or a.repeat):
        for sfx in ("", "-wal", "-shm"):
            if os.path.exists(db + sfx):
                os.unlink(db + sfx)
        res.append(bench.run([a.wireaudit, "capture", "-q", "--max-flows", str(MAX_FLOWS), "-r", pcap, "-d", db]))
    st = subprocess.run(["sqlite3", db, "SELECT json_extract(stats, '$.flows_evicted'), flows FROM runs"],
                        capture_output=True, text=True).stdout.strip().split("|")
    return (statistics.median(r[0] for r in res), statistics.median(r[1] for r in res),
            max(r[2] for r in res), int(st[0] or 0), int(st[1] or 0))


def svg_plot(series, path, title):
    """A log-x line plot of packets/s (left axis) and peak RSS (right axis)."""
    import math
    W, H, L, R, T, B = 640, 360, 70, 70, 40, 50
    xs = [math.log10(n) for n, *_ in series]
    rates = [r for _, r, _ in series]
    rss = [m for _, _, m in series]
    x0, x1 = min(xs) - 0.2, max(xs) + 0.2
    y1 = max(rates) * 1.15
    m1 = max(rss) * 1.15

    def px(x):
        return L + (x - x0) / (x1 - x0) * (W - L - R)

    def py(v, top):
        return H - B - v / top * (H - T - B)

    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
         'font-size="12">' % (W, H),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="22" font-size="14">%s</text>' % (L, title),
         '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (L, H - B, W - R, H - B),
         '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (L, T, L, H - B),
         '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (W - R, T, W - R, H - B)]
    for x in xs:
        o.append('<text x="%.1f" y="%d" text-anchor="middle">10^%d</text>' % (px(x), H - B + 18, round(x)))
    o.append('<text x="%d" y="%d" text-anchor="middle">open flows at once</text>' % ((L + W - R) // 2, H - 10))
    for i in range(5):
        v = y1 * i / 4
        o.append('<text x="%d" y="%.1f" text-anchor="end" fill="#1f5fa8">%.0fk</text>' % (L - 6, py(v, y1) + 4, v / 1000))
        v2 = m1 * i / 4
        o.append('<text x="%d" y="%.1f" fill="#b04010">%.0f</text>' % (W - R + 6, py(v2, m1) + 4, v2))
    o.append('<text x="14" y="%d" fill="#1f5fa8" transform="rotate(-90 14 %d)">packets/s</text>' % (H // 2, H // 2))
    o.append('<text x="%d" y="%d" fill="#b04010" transform="rotate(90 %d %d)">peak RSS MB</text>'
             % (W - 14, H // 2 - 30, W - 14, H // 2 - 30))
    pts = " ".join("%.1f,%.1f" % (px(x), py(r, y1)) for x, r in zip(xs, rates))
    o.append('<polyline points="%s" fill="none" stroke="#1f5fa8" stroke-width="2"/>' % pts)
    pts = " ".join("%.1f,%.1f" % (px(x), py(m, m1)) for x, m in zip(xs, rss))
    o.append('<polyline points="%s" fill="none" stroke="#b04010" stroke-width="2" stroke-dasharray="6 4"/>' % pts)
    for x, r, m in zip(xs, rates, rss):
        o.append('<circle cx="%.1f" cy="%.1f" r="3" fill="#1f5fa8"/>' % (px(x), py(r, y1)))
        o.append('<circle cx="%.1f" cy="%.1f" r="3" fill="#b04010"/>' % (px(x), py(m, m1)))
    o.append('</svg>')
    open(path, "w").write("\n".join(o) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wireaudit", required=True)
    ap.add_argument("--dir", default="/tmp/wa-scale")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--repeat-large", type=int, default=1, help="runs of the 10^6-flow point")
    ap.add_argument("--points", default="3,4,5,6", help="powers of ten of open flows")
    ap.add_argument("--tls-share", type=float, default=0.1, help="share of TLS copies among the flows")
    ap.add_argument("--markdown", default=os.path.join(TOP, "docs/PERFORMANCE.md"))
    ap.add_argument("--svg", default=os.path.join(TOP, "docs/perf-scale.svg"))
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="wa-scale.")

    lines = ["| open flows at once | flows | packets | wall s | CPU s | packets/s | peak RSS MB | evicted |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    series = []
    for e in [int(x) for x in a.points.split(",") if x]:
        n = 10 ** e
        flows = max(n, 100000)
        # n open at once: flow_seconds = n / flows x seconds (all open when
        # n = flows). Starts spread over 100 s below that, so that closed
        # connections lingering for their last ACKs (10 s) stay a minority.
        seconds = 100.0 if n < flows else 10.0
        fsec = seconds * n / flows if n < flows else 10 * seconds
        pcap = os.path.join(a.dir, "open-1e%d.pcap" % e)
        gen(pcap, flows, seconds, fsec, a.tls_share)
        subprocess.run(["cat", pcap], stdout=subprocess.DEVNULL)
        pk = bench.count_packets(pcap)
        # the 10^6 point takes minutes a run: --repeat-large runs of it
        w, c, r, ev, fl = measure(a, pcap, tmp, a.repeat_large if flows >= 1000000 else None)
        lines.append("| 10^%d | %s | %s | %.2f | %.2f | %s | %.0f | %d |" % (
            e, "{:,}".format(fl), "{:,}".format(pk), w, c, "{:,}".format(int(pk / w)), r, ev))
        series.append((n, pk / w, r))
        print(lines[-1], flush=True)
    flines = ["| new flows per second | flows | packets | wall s | CPU s | packets/s | peak RSS MB |",
              "|---:|---:|---:|---:|---:|---:|---:|"]
    for fps in (1000, 10000, 100000):
        flows = 100000
        seconds = flows / fps
        pcap = os.path.join(a.dir, "rate-%d.pcap" % fps)
        gen(pcap, flows, seconds, 0.5, a.tls_share)
        subprocess.run(["cat", pcap], stdout=subprocess.DEVNULL)
        pk = bench.count_packets(pcap)
        w, c, r, _, fl = measure(a, pcap, tmp)
        flines.append("| %s | %s | %s | %.2f | %.2f | %s | %.0f |" % (
            "{:,}".format(fps), "{:,}".format(fl), "{:,}".format(pk), w, c, "{:,}".format(int(pk / w)), r))
        print(flines[-1], flush=True)
    first, last = series[0][1], series[-1][1]
    verdict = ("Rate at 10^%d open flows / rate at 10^%d: %.2f (issue 13: at least 0.33)."
               % (len(str(series[-1][0])) - 1, len(str(series[0][0])) - 1, last / first))
    text = "\n".join(["Machine: %d cores; `wireaudit capture --max-flows %d`, median of %d runs; "
                      "%d%% TLS copies, the rest cleartext copies; the 10^6 point: %d run(s)." % (os.cpu_count(), MAX_FLOWS, a.repeat,
                                                                      round(a.tls_share * 100), a.repeat_large), ""]
                     + lines + ["", verdict, ""] + flines)
    print(text)
    if a.svg:
        svg_plot(series, a.svg, "wireaudit capture: packet rate and memory vs open flows")
    bench.replace_block(a.markdown, "SCALE", text)
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
