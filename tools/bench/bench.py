#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""bench.py — the benchmark behind `make bench` (docs/PERFORMANCE.md).

On one capture, from the page cache, one after another, each repeated
(median of --repeat runs): (a) the libpcap floor, (b) `wireaudit capture`
with everything on, (c) `ndpiReader -i FILE -q`, (d) tshark extracting TLS
handshake fields, on a slice of the file when whole would take too long,
scaled by packets. Reports wall and CPU seconds, packets/s, Gbit/s, peak
RSS, and ratios to the floor and to wireaudit. Then `wireaudit report` on a
store of --report-flows flows, if the report command exists.

Child resource use comes from wait4() (ru_utime, ru_stime, ru_maxrss).
"""
import argparse
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(cmd, env=None, ok=(0,)):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    rc = os.waitstatus_to_exitcode(status)
    if rc not in ok:
        sys.stderr.write("bench: %s exited %d: %s\n" % (" ".join(cmd), rc, err[-500:]))
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def median_run(cmd, repeat, before=None, ok=(0,)):
    res = []
    for _ in range(repeat):
        if before:
            before()
        res.append(run(cmd, ok=ok))
    return (statistics.median(r[0] for r in res), statistics.median(r[1] for r in res),
            max(r[2] for r in res))


def replace_block(path, name, text):
    """Put text between <!-- NAME-BEGIN --> and <!-- NAME-END --> in the
    markdown file path (nothing when the file or the markers are missing)."""
    if not path or not os.path.exists(path):
        return
    doc = open(path).read()
    b, e = "<!-- %s-BEGIN -->" % name, "<!-- %s-END -->" % name
    if b in doc and e in doc:
        doc = doc[:doc.index(b) + len(b)] + "\n" + text + "\n" + doc[doc.index(e):]
        open(path, "w").write(doc)
        print("\nupdated %s" % path)


def count_packets(path):
    out = subprocess.run(["capinfos", "-c", "-M", path], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "Number of packets" in line:
            return int(line.split(":")[1].strip())
    return 0


def report_bench(a, tmp):
    """`wireaudit report` on a store grown to --report-flows flows: (flows,
    wall, CPU, peak RSS MB) medians, or None without a report command. The
    store is the sample's 8 cleartext flows (HTTP, Redis) copied with new
    ids and client addresses: no TLS objects (see docs/PERFORMANCE.md)."""
    help_out = subprocess.run([a.wireaudit, "--help"], capture_output=True, text=True).stdout
    if " report " in help_out or "\n  report" in help_out:
        rdb = os.path.join(tmp, "report.db")
        subprocess.check_call([a.wireaudit, "capture", "-q", "-r", os.path.join(TOP, "pcaps/sample/http-mixed.pcap"), "-d", rdb])
        # grow the store to --report-flows flows by copying the sample's rows
        # with new ids and client addresses (SQL only: no packets involved)
        sql = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
INSERT INTO flows SELECT f.flow_id + 100 * n.i, f.run_id, f.ts_first + n.i, f.ts_last + n.i, f.transport,
  '10.' || (n.i / 65536 %% 256) || '.' || (n.i / 256 %% 256) || '.' || (n.i %% 256), f.client_port,
  f.server_ip, f.server_port, f.vlan, f.vlan_inner, f.packets_c2s, f.packets_s2c, f.bytes_c2s, f.bytes_s2c,
  f.payload_c2s, f.payload_s2c, f.client_by, f.end_reason, f.ndpi_protocol, f.ndpi_category, f.ndpi_risks,
  f.protocol, f.security, f.ndpi_risk FROM n, flows f WHERE f.flow_id <= 8;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
INSERT INTO cleartext SELECT c.flow_id + 100 * n.i, c.credentials, c.auth_mechanism, c.user,
  c.tls_offered, c.tls_requested, c.details_dropped FROM n, cleartext c WHERE c.flow_id <= 8;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
INSERT INTO cleartext_details SELECT d.flow_id + 100 * n.i, d.seq, d.key, d.type, d.list, d.ival, d.sval
  FROM n, cleartext_details d WHERE d.flow_id <= 8;
""" % (a.report_flows // 8, a.report_flows // 8, a.report_flows // 8)
        # -bail: a failing statement stops the script with a non-zero exit
        subprocess.run(["sqlite3", "-bail", rdb], input=sql, text=True, check=True)
        nflows = int(subprocess.run(["sqlite3", rdb, "SELECT count(*) FROM flows"], capture_output=True, text=True).stdout)
        nclear = int(subprocess.run(["sqlite3", rdb, "SELECT count(*) FROM cleartext"], capture_output=True, text=True).stdout)
        if nclear != nflows:
            sys.stderr.write("bench: report store has %d flows but %d cleartext objects\n" % (nflows, nclear))
        w, c, r = median_run([a.wireaudit, "report", "-d", rdb, "--format", "json", "-o", os.path.join(tmp, "r.json")], a.repeat,
                             ok=(0, 6))  # 6: a requirement fails (the sample's findings)
        return (nflows, w, c, r)

    return None


def report_scale_bench(a, tmp, copies):
    """`wireaudit report` on a findings-heavy store: every TLS and cleartext
    session of pcaps/tls and pcaps/plain copied `copies` times with fresh
    client AND server addresses (tools/scale-store.py), so findings, servers
    and rollup members grow with the copies (issue 11). Returns (flows,
    findings, wall, CPU, peak RSS MB)."""
    base = os.path.join(tmp, "scale-base.db")
    if not os.path.exists(base):
        args = []
        for d in ("tls", "plain"):
            for f in sorted(glob.glob(os.path.join(TOP, "pcaps", d, "*.pcap"))):
                args += ["-r", f]
        subprocess.check_call([a.wireaudit, "capture", "-q"] + args + ["-d", base])
    db = os.path.join(tmp, "scale-%d.db" % copies)
    subprocess.check_call([sys.executable, os.path.join(TOP, "tools/scale-store.py"), db, "--copies",
                           str(copies), base], stdout=subprocess.DEVNULL)
    out = os.path.join(tmp, "rs.json")
    w, c, r = median_run([a.wireaudit, "report", "-d", db, "--level", "3", "--format", "json", "-o", out],
                         a.repeat, ok=(0, 6))
    rep = json.load(open(out))
    nf = sum(q["findings_total"] for q in rep["requirements"])
    os.unlink(db)
    return (rep["coverage"]["flows"], nf, w, c, r)


def report_tls_bench(a, tmp, capdb):
    """`wireaudit report` on a handshake-heavy store: the benchmark capture's
    own store (mostly TLS flows) copied with fresh addresses up to about
    --report-flows flows (issue 12's target: 10^6 TLS flows in 10 s).
    Returns (flows, TLS flows, wall, CPU, peak RSS MB)."""
    n = int(subprocess.run(["sqlite3", capdb, "SELECT count(*) FROM flows"], capture_output=True,
                           text=True).stdout or 0)
    if n == 0:
        return None
    copies = max(1, -(-a.report_flows // n))
    db = os.path.join(tmp, "tls-scale.db")
    subprocess.check_call([sys.executable, os.path.join(TOP, "tools/scale-store.py"), db, "--copies",
                           str(copies), capdb], stdout=subprocess.DEVNULL)
    out = os.path.join(tmp, "rt.json")
    w, c, r = median_run([a.wireaudit, "report", "-d", db, "--level", "3", "--format", "json", "-o", out],
                         a.repeat, ok=(0, 6))
    rep = json.load(open(out))
    os.unlink(db)
    return (rep["coverage"]["flows"], rep["coverage"]["tls_flows"], w, c, r)


def report_tls_line(rt):
    return ("`wireaudit report --level 3 -F json` on %s flows (%s TLS) copied from the benchmark capture's "
            "store: %.2f s wall, %.2f s CPU, peak RSS %.0f MB."
            % ("{:,}".format(rt[0]), "{:,}".format(rt[1]), rt[2], rt[3], rt[4]))


def report_scale_line(rs):
    return ("`wireaudit report --level 3 -F json` on %s copied TLS and cleartext flows (fresh servers): "
            "%s findings, %.2f s wall, %.2f s CPU, peak RSS %.0f MB."
            % ("{:,}".format(rs[0]), "{:,}".format(rs[1]), rs[2], rs[3], rs[4]))


def report_line(rep):
    return ("`wireaudit report` on a store of %s flows: %.2f s wall, %.2f s CPU, peak RSS %.0f MB."
            % ("{:,}".format(rep[0]), rep[1], rep[2], rep[3]))

# issue 13's handshake-heavy capture: 100,000 short TLS connections (each a
# full handshake with its certificate), 5,000 open at once, plus 20 bulk
# transfers of about 50 MB (34,500 full-size packets each)
HS_GEN_ARGS = ["--tls-flows", "100000", "--clear-flows", "0", "--bulk-flows", "20",
               "--bulk-packets", "34500", "--seconds", "60", "--flow-seconds", "3"]


def capture_table(a, label, pcap, gen_args, tmp, db):
    """One capture's table: the libpcap floor, wireaudit (store thread and
    single-threaded), ndpiReader, tshark on a slice (scaled). Generates the
    capture first when missing. Returns the markdown lines."""
    if not os.path.exists(pcap):
        subprocess.check_call([sys.executable, os.path.join(TOP, "tools/bench/gen-bench.py"), "--out", pcap]
                              + gen_args)
    size = os.path.getsize(pcap)
    pkts = count_packets(pcap)
    subprocess.run(["cat", pcap], stdout=subprocess.DEVNULL)  # page cache

    def fresh_db():
        for sfx in ("", "-wal", "-shm"):
            try:
                os.unlink(db + sfx)
            except FileNotFoundError:
                pass

    rows = []
    rows.append(("libpcap floor", pkts, median_run([a.floor, pcap], a.repeat)))
    rows.append(("wireaudit capture (store thread, default)", pkts,
                 median_run([a.wireaudit, "capture", "-q", "-r", pcap, "-d", db], a.repeat, fresh_db)))
    rows.append(("wireaudit capture --no-store-thread", pkts,
                 median_run([a.wireaudit, "capture", "-q", "--no-store-thread", "-r", pcap, "-d", db],
                            a.repeat, fresh_db)))
    # the last run's store stays for the report benchmarks: the default's
    fresh_db()
    subprocess.check_call([a.wireaudit, "capture", "-q", "-r", pcap, "-d", db])
    if shutil.which("ndpiReader"):
        rows.append(("ndpiReader -i FILE -q", pkts, median_run(["ndpiReader", "-i", pcap, "-q"], a.repeat)))
    if shutil.which("tshark") and shutil.which("editcap"):
        sl = os.path.join(tmp, "slice.pcap")
        subprocess.check_call(["editcap", "-r", pcap, sl, "1-%d" % a.tshark_packets])
        n = count_packets(sl)
        w, c, r = median_run(["tshark", "-n", "-r", sl, "-Y", "tls.handshake", "-T", "fields",
                              "-e", "tls.handshake.type", "-e", "tls.handshake.version",
                              "-e", "tls.handshake.ciphersuite", "-e", "tls.handshake.extensions_server_name"],
                             max(1, a.repeat))
        scale = pkts / max(1, n)
        rows.append(("tshark TLS fields (slice of %s packets, scaled)" % "{:,}".format(n), pkts,
                     (w * scale, c * scale, r)))
        os.unlink(sl)

    floor_wall = rows[0][2][0]
    wa_wall = rows[1][2][0]
    lines = []
    lines.append("**%s**: %s, %s packets, %.2f GB" % (label, os.path.basename(pcap), "{:,}".format(pkts), size / 1e9))
    lines.append("")
    lines.append("| tool | wall s | CPU s | packets/s | Gbit/s | peak RSS MB | x floor | x wireaudit |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, n, (w, c, r) in rows:
        lines.append("| %s | %.2f | %.2f | %s | %.2f | %.0f | %.1f | %.2f |" % (
            name, w, c, "{:,}".format(int(n / w)) if w > 0 else "-", size * 8 / w / 1e9 if w > 0 else 0,
            r, w / floor_wall, w / wa_wall))
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wireaudit", required=True)
    ap.add_argument("--floor")
    ap.add_argument("--pcap", default="/tmp/wireaudit-bench.pcap")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tshark-packets", type=int, default=200000)
    ap.add_argument("--report-flows", type=int, default=1000000)
    ap.add_argument("--gen-args", default="")
    ap.add_argument("--hs-pcap", default="/tmp/wireaudit-bench-hs.pcap",
                    help="the handshake-heavy capture (generated when missing; empty: skip)")
    ap.add_argument("--hs-gen-args", default="", help="more gen-bench.py options for it")
    ap.add_argument("--report-scale", type=lambda v: [int(x) for x in v.split(",") if x], default=[500, 10000],
                    help="copies of the real TLS/cleartext flows for the findings-heavy report stores")
    ap.add_argument("--markdown", default=os.path.join(TOP, "docs/PERFORMANCE.md"))
    ap.add_argument("--only-report", action="store_true",
                    help="measure only `wireaudit report` on the grown store; print, do not edit --markdown")
    a = ap.parse_args()
    if not a.only_report and not a.floor:
        ap.error("--floor is required (except with --only-report)")
    if a.only_report:
        tmp = tempfile.mkdtemp(prefix="wa-bench.")
        try:
            rep = report_bench(a, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if rep:
            print(report_line(rep))
        tmp = tempfile.mkdtemp(prefix="wa-bench.")
        try:
            for copies in a.report_scale:
                print(report_scale_line(report_scale_bench(a, tmp, copies)), flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return

    tmp = tempfile.mkdtemp(prefix="wa-bench.")
    db = os.path.join(tmp, "bench.db")
    sections = []
    # make bench's mix first (its store feeds the report benchmarks), then
    # the handshake-heavy capture of issue 13
    caps = [("mix", a.pcap, a.gen_args.split())]
    if a.hs_pcap:
        caps.append(("handshake-heavy", a.hs_pcap, HS_GEN_ARGS + a.hs_gen_args.split()))
    for label, pcap, gargs in caps:
        dbx = db if label == "mix" else os.path.join(tmp, "bench-%s.db" % label)
        sections.append(capture_table(a, label, pcap, gargs, tmp, dbx))
        print("\n".join(sections[-1]), flush=True)
    rep = report_bench(a, tmp)
    rtls = report_tls_bench(a, tmp, db)
    scale = [report_scale_bench(a, tmp, copies) for copies in a.report_scale]

    cpu = "unknown"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    out = []
    out.append("Machine: %s, %d cores, %.0f GiB RAM, %s %s" % (cpu, os.cpu_count(), mem, platform.system(), platform.release()))
    out.append("Median of %d runs each, file in the page cache, one tool at a time." % a.repeat)
    for sec in sections:
        out.append("")
        out += sec
    if rep:
        out.append("")
        out.append(report_line(rep))
    if rtls:
        out.append("")
        out.append(report_tls_line(rtls))
    for rs in scale:
        out.append("")
        out.append(report_scale_line(rs))
    text = "\n".join(out)
    print(text)
    replace_block(a.markdown, "BENCH", text)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
