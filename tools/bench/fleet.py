#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""fleet.py — the fleet store's benchmark, behind `make bench-fleet`
(docs/FLEET.md, issue 16; not part of make check).

Against a private PostgreSQL 15 that tests/pg-lib.sh starts (and removes):

  (1) --sensors sensors (default 4) capture at the same time into one
      PostgreSQL database: `wireaudit capture -r gN.pcap -d URL --spool sN.db
      --sensor sN`, each pcap ~--flows flows (default 100,000, mostly short
      TLS handshakes) made by tools/bench/gen-bench.py with seed N. Timed:
      until all exit (each waits for its spool to drain), per sensor its
      capture (runs.started_at .. ended_at) and its exit. Checked: per
      sensor, PostgreSQL holds as many flows as a plain SQLite capture of the
      same pcap, no flow twice (5-tuple + ts_first), none left "open", the
      same packet and byte sums, nothing waiting in the spool. A capture
      that exits 4 (records left in its spool after --spool-drain, default
      120 s here) is reported with its messages, and `wireaudit forward`
      sends the rest before the check. PostgreSQL's deadlocks between the
      forwarders are counted from its log. For the
      capture-rate comparison: one sensor alone into SQLite and alone into
      PostgreSQL, and all of them at once into plain SQLite files.
  (2) a --big-copies x --flows store (default 1,000,000 flows:
      tools/scale-store.py copies of sensor 1's SQLite capture, seq
      renumbered so it can be a spool), forwarded into a fresh database by
      `wireaudit forward` (the forwarder's rate on a big backlog), then
      `wireaudit report --format json` on PostgreSQL against the same on the
      SQLite store (median of --repeat runs), the two JSON reports compared
      (except generated_at, run_id, sample_flow_ids and
      sensors[].spool_flows_dropped); `wireaudit status` on each isolates the
      private copy's cost (pg_mirror_open); database sizes.

Writes the table between <!-- FLEET-BENCH-BEGIN --> and
<!-- FLEET-BENCH-END --> in docs/FLEET.md. Captures are cached in --dir
(each ~720 MB; about 45 s each to generate, two at a time).

Usage: fleet.py --wireaudit BIN [--dir /tmp/wa-fleet] [--sensors 4]
                [--flows 100000] [--big-copies 10] [--repeat 3] [--spool-drain 120]
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (run, replace_block: one copy)

CHILD = ("tls", "quic", "tds_tls", "cleartext", "cleartext_details", "anomalies")
SHARED = ("tls_client_profiles", "tls_server_profiles", "chains", "chain_certs", "certs", "cert_sans")
# report fields that differ by design between the two stores
IGNORED = ("generated_at", "run_id", "sample_flow_ids", "spool_flows_dropped")


def log(msg):
    print("fleet: %s" % msg, file=sys.stderr, flush=True)


class Postgres:
    """tests/pg-lib.sh's private server, kept by a bash process that runs
    pg_cleanup when its standard input closes (the end of this script, or
    its death, whichever comes first)."""

    def __init__(self):
        script = ('. "$1"; trap pg_cleanup EXIT; pg_start >&2 || exit 1; '
                  'printf "%s\\n" "$PG_BIN" "$PG_PORT" "$PGPASSFILE" "$PG_DIR"; read -r _; exit 0')
        self.p = subprocess.Popen(["bash", "-c", script, "pg", os.path.join(TOP, "tests/pg-lib.sh")],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        vals = [self.p.stdout.readline().strip() for _ in range(4)]
        if not all(vals):
            self.p.wait()
            sys.exit("fleet: PostgreSQL did not start (tests/pg-lib.sh; tools/install-deps)")
        self.bin, self.port, self.passfile, self.dir = vals
        os.environ["PGPASSFILE"] = self.passfile

    def deadlocks(self):
        """deadlocks PostgreSQL has logged so far"""
        try:
            return open(os.path.join(self.dir, "run/server.log"), errors="replace").read().count("deadlock detected")
        except OSError:
            return 0

    def url(self, db):
        return "postgresql://wa@127.0.0.1:%s/%s" % (self.port, db)

    def psql(self, sql, db="postgres"):
        out = subprocess.run([os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1",
                              "-h", "127.0.0.1", "-p", self.port, "-U", "wa", "-d", db, "-c", sql],
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit("fleet: psql: %s: %s" % (sql[:80], out.stderr.strip()))
        return out.stdout.strip()

    def newdb(self, name):
        self.psql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        self.psql('CREATE DATABASE "%s"' % name)
        return self.url(name)

    def close(self):
        if self.p.poll() is None:
            self.p.stdin.close()
            self.p.wait()


def gen(a, path, seed):
    if os.path.exists(path):
        return None
    tls = int(a.flows * a.tls_share)
    return subprocess.Popen([sys.executable, os.path.join(TOP, "tools/bench/gen-bench.py"), "--out", path + ".tmp",
                             "--tls-flows", str(tls), "--clear-flows", str(a.flows - tls), "--bulk-flows", "0",
                             "--seconds", str(a.seconds), "--seed", str(seed)], stdout=subprocess.DEVNULL)


def rm_db(path):
    for sfx in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + sfx):
            os.unlink(path + sfx)


def concurrent(cmds, ok=(0,)):
    """Start every command at once; [(wall from the common start, CPU s,
    peak RSS MB, exit code, stderr)] once all have exited (an exit code not
    in ok ends the benchmark)."""
    res = [None] * len(cmds)
    t0 = time.monotonic()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in cmds]

    def reap(i):
        _, status, ru = os.wait4(procs[i].pid, 0)
        wall = time.monotonic() - t0
        err = procs[i].stderr.read().decode(errors="replace")
        procs[i].stderr.close()
        res[i] = (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status), err)

    th = [threading.Thread(target=reap, args=(i,)) for i in range(len(cmds))]
    for t in th:
        t.start()
    for t in th:
        t.join()
    for c, r in zip(cmds, res):
        if r[3] not in ok:
            sys.exit("fleet: %s exited %d: %s" % (" ".join(c), r[3], r[4][-800:]))
    return res


def sqlite_facts(path):
    db = sqlite3.connect(path)
    r = db.execute("SELECT count(*), count(DISTINCT client_ip || '|' || client_port || '|' || server_ip || '|' ||"
                   " server_port || '|' || ts_first), sum(packets_c2s + packets_s2c), sum(bytes_c2s + bytes_s2c),"
                   " sum(end_reason = 'open') FROM flows").fetchone()
    db.close()
    return tuple(int(x or 0) for x in r)


def pg_facts(pg, db, sensor):
    r = pg.psql("SELECT count(*), count(DISTINCT (f.client_ip, f.client_port, f.server_ip, f.server_port, f.ts_first)),"
                " sum(f.packets_c2s + f.packets_s2c), sum(f.bytes_c2s + f.bytes_s2c),"
                " count(*) FILTER (WHERE f.end_reason = 'open')"
                " FROM flows f JOIN runs r ON r.run_id = f.run_id WHERE r.sensor = '%s'" % sensor, db)
    return tuple(int(x or 0) for x in r.split("|"))


def pg_run_times(pg, db, sensor):
    """(started_at, ended_at or None) of the sensor's run as epoch seconds"""
    r = pg.psql("SELECT started_at, ended_at FROM runs WHERE sensor = '%s'" % sensor, db).split("|")
    return epoch(r[0]), epoch(r[1])


def epoch(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() if s else None


def sqlite_run_times(path):
    c = sqlite3.connect(path)
    r = c.execute("SELECT started_at, ended_at FROM runs ORDER BY run_id LIMIT 1").fetchone()
    c.close()
    return epoch(r[0]), epoch(r[1])


def spool_pending(pg, db, spool):
    """records of the spool PostgreSQL does not hold yet (seq past the
    spool's progress row; the spool is named by its first run's uid)"""
    c = sqlite3.connect(spool)
    uid = c.execute("SELECT uid FROM runs ORDER BY run_id LIMIT 1").fetchone()[0]
    hwm = pg.psql("SELECT seq FROM wa_spool WHERE spool_uid = '%s'" % uid, db)
    k = c.execute("SELECT count(*) FROM flows WHERE seq > ?", (int(hwm or 0),)).fetchone()[0]
    c.close()
    return k


def cpu_busy(since=None):
    """/proc/stat's (busy, total) jiffies; with since, the busy share since then"""
    v = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    now = (sum(v) - v[3] - v[4], sum(v))
    if since is None:
        return now
    return (now[0] - since[0]) / max(1, now[1] - since[1])


def normalize(x):
    if isinstance(x, dict):
        return {k: normalize(v) for k, v in x.items() if k not in IGNORED}
    if isinstance(x, list):
        return [normalize(v) for v in x]
    return x


def json_diff(x, y, path="", out=None):
    out = [] if out is None else out
    if len(out) >= 5:
        return out
    if type(x) is not type(y):
        out.append("%s: %r vs %r" % (path, str(x)[:60], str(y)[:60]))
    elif isinstance(x, dict):
        for k in sorted(set(x) | set(y)):
            if k not in x or k not in y:
                out.append("%s/%s: only in %s" % (path, k, "PostgreSQL" if k in x else "SQLite"))
            else:
                json_diff(x[k], y[k], path + "/" + k, out)
    elif isinstance(x, list):
        if len(x) != len(y):
            out.append("%s: %d vs %d items" % (path, len(x), len(y)))
        for i, (u, v) in enumerate(zip(x, y)):
            json_diff(u, v, "%s/%d" % (path, i), out)
    elif x != y:
        out.append("%s: %r vs %r" % (path, str(x)[:60], str(y)[:60]))
    return out


def timed_report(a, src, out):
    """`wireaudit report -d src --format json` > out: (wall, CPU, RSS MB)"""
    t0 = time.monotonic()
    with open(out, "w") as f:
        p = subprocess.Popen([a.wireaudit, "report", "-d", src, "--format", "json"], stdout=f, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) not in (0, 6):
        sys.exit("fleet: report -d %s exited %d: %s" % (src, os.waitstatus_to_exitcode(status), err[-500:]))
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def sqlite_sizes(path):
    """{table: bytes of the table and its indexes} (dbstat), and the file's
    used bytes (pages less free pages)"""
    db = sqlite3.connect(path)
    owner = dict(db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
    sizes = {}
    try:
        for name, b in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            t = owner.get(name, name)
            sizes[t] = sizes.get(t, 0) + b
    except sqlite3.OperationalError:
        pass  # no dbstat in this SQLite
    pc, fc, ps = (db.execute("PRAGMA %s" % p).fetchone()[0] for p in ("page_count", "freelist_count", "page_size"))
    db.close()
    return sizes, (pc - fc) * ps


def mb(b):
    return "%.0f" % (b / 1e6)


def n(v):
    return "{:,}".format(int(v))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wireaudit", required=True)
    ap.add_argument("--dir", default="/tmp/wa-fleet", help="generated captures are cached here")
    ap.add_argument("--sensors", type=int, default=4)
    ap.add_argument("--flows", type=int, default=100000, help="flows per sensor's capture")
    ap.add_argument("--tls-share", type=float, default=0.9, help="share of TLS copies among the flows")
    ap.add_argument("--seconds", type=float, default=60.0, help="capture time the flows start over")
    ap.add_argument("--big-copies", type=int, default=10, help="the report store: copies of sensor 1's flows")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each report (median)")
    ap.add_argument("--spool-drain", type=int, default=120, help="the captures' --spool-drain (s)")
    ap.add_argument("--markdown", default=os.path.join(TOP, "docs/FLEET.md"))
    a = ap.parse_args()
    a.wireaudit = os.path.abspath(a.wireaudit)
    os.makedirs(a.dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="wa-fleet.", dir=a.dir)
    t_start = time.monotonic()
    load0 = os.getloadavg()[0]
    S = ["s%d" % (i + 1) for i in range(a.sensors)]
    pcaps = [os.path.join(a.dir, "g%d-%d-tls%d-%gs.pcap" % (i + 1, a.flows, round(a.tls_share * 100), a.seconds))
             for i in range(a.sensors)]

    # the captures, two generators at a time (cached)
    todo = [(p, i + 1) for i, p in enumerate(pcaps) if not os.path.exists(p)]
    while todo:
        batch, todo = todo[:2], todo[2:]
        log("generating %s" % ", ".join(p for p, _ in batch))
        procs = [(p, gen(a, p, seed)) for p, seed in batch]
        for p, proc in procs:
            if proc.wait() != 0:
                sys.exit("fleet: gen-bench.py failed for %s" % p)
            os.rename(p + ".tmp", p)
    for p in pcaps:
        subprocess.run(["cat", p], stdout=subprocess.DEVNULL)  # into the page cache
    npk = [bench.count_packets(p) for p in pcaps]

    pg = Postgres()
    try:
        lines = run_all(a, pg, tmp, S, pcaps, npk)
    finally:
        pg.close()
        shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    head = ["Run %s on %s: %d cores (nproc), %.0f GiB RAM; `make bench-fleet` (tools/bench/fleet.py --sensors %d "
            "--flows %d --big-copies %d --repeat %d), %.0f s in all; load average %.1f at the start, %.1f at the end "
            "(the machine is shared: wall times move with it, CPU times less)."
            % (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), platform.node() or "?",
               os.cpu_count(), mem, a.sensors, a.flows, a.big_copies, a.repeat, time.monotonic() - t_start, load0, load[0]),
            "PostgreSQL 15 from tests/pg-lib.sh on the same machine (127.0.0.1 TCP; fsync off, synchronous_commit on, "
            "shared_buffers 32MB); captures from tools/bench/gen-bench.py (%d%% TLS copies, the rest cleartext, "
            "flows starting over %.0f s of capture time), read from the page cache." % (round(a.tls_share * 100), a.seconds),
            ""]
    text = "\n".join(head + lines)
    print(text)
    bench.replace_block(a.markdown, "FLEET-BENCH", text)


def run_all(a, pg, tmp, S, pcaps, npk):
    W = a.wireaudit
    out = []

    # ---- (1) sensors at once ----
    # plain SQLite: one alone, then all at once (the reference counts)
    sq = [os.path.join(tmp, "plain-%s.db" % s) for s in S]
    log("sensor 1 alone into SQLite")
    rm_db(sq[0])
    alone_sq = bench.run([W, "capture", "-q", "-r", pcaps[0], "-d", sq[0], "--sensor", S[0]])
    st, en = sqlite_run_times(sq[0])
    alone_sq_capture = en - st
    log("%d sensors at once into SQLite" % len(S))
    for p in sq:
        rm_db(p)
    conc_sq = concurrent([[W, "capture", "-q", "-r", pc, "-d", p, "--sensor", s] for pc, p, s in zip(pcaps, sq, S)])
    ref = [sqlite_facts(p) for p in sq]
    sq_times = [sqlite_run_times(p) for p in sq]
    cap_all_sq = max(t[1] for t in sq_times) - min(t[0] for t in sq_times)

    log("sensor 1 alone into PostgreSQL")
    url1 = pg.newdb("fleet_alone")
    sp = os.path.join(tmp, "alone-spool.db")
    alone_pg = concurrent([[W, "capture", "-q", "-r", pcaps[0], "-d", url1, "--spool", sp, "--sensor", S[0],
                            "--spool-drain", str(a.spool_drain)]], ok=(0, 4))[0]
    st, en = pg_run_times(pg, "fleet_alone", S[0])
    alone_pg_capture = (en or time.time()) - st
    alone_facts = pg_facts(pg, "fleet_alone", S[0])

    log("%d sensors at once into PostgreSQL" % len(S))
    url = pg.newdb("fleet")
    spools = [os.path.join(tmp, "spool-%s.db" % s) for s in S]
    dl0 = pg.deadlocks()
    busy0 = cpu_busy()
    # exit 4: records left in the spool after --spool-drain (reported below)
    conc_pg = concurrent([[W, "capture", "-q", "-r", pc, "-d", url, "--spool", spl, "--sensor", s,
                           "--spool-drain", str(a.spool_drain)] for pc, spl, s in zip(pcaps, spools, S)], ok=(0, 4))
    busy = cpu_busy(busy0)
    deadlocks = pg.deadlocks() - dl0
    facts0 = [pg_facts(pg, "fleet", s) for s in S]
    times = [pg_run_times(pg, "fleet", s) for s in S]
    pend = [spool_pending(pg, "fleet", p) for p in spools]
    # what the captures left in their spools: `wireaudit forward` sends it
    late = []
    for i, s in enumerate(S):
        if pend[i]:
            log("%s left %d records in its spool: wireaudit forward" % (s, pend[i]))
            late.append((s, pend[i], bench.run([W, "forward", "-d", url, "--spool", spools[i], "--timeout", "600"],
                                               ok=(0, 4))))
    facts = [pg_facts(pg, "fleet", s) for s in S] if late else facts0
    pend2 = [spool_pending(pg, "fleet", p) for p in spools] if late else pend
    if late:  # a run's end reaches PostgreSQL with the spool's rest
        times = [pg_run_times(pg, "fleet", s) for s in S]
    good = [i for i in range(len(S)) if conc_pg[i][3] == 0]
    total_flows = sum(f[0] for f in facts0)
    ends = [t[1] for t in times if t[1]]
    cap_all = (max(ends) if len(ends) == len(times) else time.time()) - min(t[0] for t in times)
    wall_all = max(r[0] for r in conc_pg)

    ok = all(f[0] == r[0] and f[1] == f[0] and f[2] == r[2] and f[3] == r[3] and f[4] == 0
             for f, r in zip(facts, ref)) and not any(pend2) and alone_facts[0] == ref[0][0]
    out += ["### %d sensors writing one PostgreSQL database at once" % len(S), "",
            "| sensor | packets | flows (SQLite capture) | flows in PostgreSQL | distinct | open left | packets, bytes "
            "equal | capture s | exit s | exit code | flows/s into PostgreSQL | CPU s |",
            "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"]
    for i, s in enumerate(S):
        f, r = facts[i], ref[i]
        cap = (times[i][1] - times[i][0]) if times[i][1] else None
        out.append("| %s | %s | %s | %s | %s | %d | %s | %s | %.1f | %d | %s | %.1f |" % (
            s, n(npk[i]), n(r[0]), n(f[0]), n(f[1]), f[4], "yes" if f[2:4] == r[2:4] else "**no**",
            "%.1f" % cap if cap is not None else "(run not ended)", conc_pg[i][0], conc_pg[i][3],
            n(facts0[i][0] / conc_pg[i][0]), conc_pg[i][1]))
    out += ["| all | %s | %s | %s | %s | %d | | %.1f | %.1f | | **%s** | %.1f |" % (
        n(sum(npk)), n(sum(r[0] for r in ref)), n(sum(f[0] for f in facts)), n(sum(f[1] for f in facts)),
        sum(f[4] for f in facts), cap_all, wall_all, n(total_flows / wall_all), sum(r[1] for r in conc_pg)), "",
        "flows/s: the flows PostgreSQL held when the capture exited over its exit time (all: over the last exit). "
        "capture s: the run's own time (runs.started_at to ended_at); exit s adds the wait for its spool to drain "
        "(`--spool-drain %d`). The machine's %d cores were %.0f%% busy meanwhile (/proc/stat: wireaudit, PostgreSQL "
        "and anything else running). PostgreSQL detected %d deadlock(s) between the sensors' forwarders (each "
        "rolls a pass back; the forwarder retries after 1 s)." % (a.spool_drain, os.cpu_count(), busy * 100, deadlocks),
        ""]
    if len(good) < len(S):
        out += ["The %d sensor(s) that exited 0: %s flows in %.1f s, **%s flows/s** into PostgreSQL together."
                % (len(good), n(sum(facts0[i][0] for i in good)), max(conc_pg[i][0] for i in good) if good else 0,
                   n(sum(facts0[i][0] for i in good) / max(conc_pg[i][0] for i in good)) if good else 0), ""]
    for i, s in enumerate(S):
        if conc_pg[i][3] != 0:
            msgs = [m for m in conc_pg[i][4].splitlines() if m.startswith("wireaudit:")][:3]
            out.append("**%s exited %d** after %.0f s: %s" % (s, conc_pg[i][3], conc_pg[i][0],
                                                             " / ".join("`%s`" % m for m in msgs)))
    for s, k, r in late:
        out.append("**%s left %s records in its spool**; `wireaudit forward` sent them afterwards in %.1f s." % (
            s, n(k), r[0]))
    if late or any(r[3] for r in conc_pg):
        out.append("")
    out += ["Loss or duplication: %s (per sensor, %s: flows in PostgreSQL = flows of a plain SQLite capture of the "
            "same pcap, each 5-tuple + first timestamp once, none left open, packet and byte sums equal, nothing "
            "waiting in the spools: %s)." % ("**none**" if ok else "**FOUND**",
                                              "after `wireaudit forward` sent the rest" if late else "as the captures left it",
                                              ", ".join(str(x) for x in pend2)), "",
            "Capture rate (does forwarding slow capture down?): capture s is the run's own time, runs.started_at "
            "to ended_at (several sensors: first start to last end); exit s the command's.", "",
            "| capture of g1 (%s packets, %s flows) | capture s | exit s | packets/s (capture) | CPU s | peak RSS MB |"
            % (n(npk[0]), n(ref[0][0])),
            "|---|---:|---:|---:|---:|---:|",
            "| alone into SQLite | %.1f | %.1f | %s | %.1f | %.0f |" % (
                alone_sq_capture, alone_sq[0], n(npk[0] / alone_sq_capture), alone_sq[1], alone_sq[2]),
            "| alone into PostgreSQL (spool + forwarder)%s | %.1f | %.1f | %s | %.1f | %.0f |" % (
                "" if alone_pg[3] == 0 else " **exit %d**" % alone_pg[3],
                alone_pg_capture, alone_pg[0], n(npk[0] / alone_pg_capture), alone_pg[1], alone_pg[2]),
            "| %d at once into SQLite (each its file), slowest | %.1f | %.1f | %s | %.1f | %.0f |" % (
                len(S), cap_all_sq, max(r[0] for r in conc_sq),
                n(sum(npk) / cap_all_sq), sum(r[1] for r in conc_sq), max(r[2] for r in conc_sq)),
            "| %d at once into PostgreSQL, slowest | %.1f | %.1f | %s | %.1f | %.0f |" % (
                len(S), cap_all, wall_all, n(sum(npk) / cap_all), sum(r[1] for r in conc_pg),
                max(r[2] for r in conc_pg)),
            "", "(packets/s of the rows with several sensors: all their packets over the slowest one's time; "
            "CPU s: wireaudit's, all of them together; PostgreSQL's own CPU is not counted.)", ""]
    print("\n".join(out), flush=True)

    # ---- (2) the report over a big store ----
    big = os.path.join(tmp, "big.db")
    log("building the %s-flow store (scale-store.py)" % n(ref[0][0] * a.big_copies))
    t0 = time.monotonic()
    subprocess.check_call([sys.executable, os.path.join(TOP, "tools/scale-store.py"), big, "--copies",
                           str(a.big_copies), sq[0]], stdout=subprocess.DEVNULL)
    db = sqlite3.connect(big)
    # copies share their originals' seq: renumber (a spool forwards by seq)
    db.execute("UPDATE flows SET seq = flow_id")
    db.execute("UPDATE seq_hwm SET seq = (SELECT max(seq) FROM flows)")
    db.commit()
    nbig = db.execute("SELECT count(*) FROM flows").fetchone()[0]
    rows = {t: db.execute("SELECT count(*) FROM %s" % t).fetchone()[0] for t in ("flows",) + CHILD}
    assert db.execute("SELECT count(*) FROM runs WHERE uid IS NULL OR uid = ''").fetchone()[0] == 0
    db.close()
    build_s = time.monotonic() - t0
    spool = os.path.join(tmp, "big-spool.db")
    shutil.copyfile(big, spool)  # forwarding empties it

    log("forwarding %s flows into PostgreSQL" % n(nbig))
    urlb = pg.newdb("fleet_big")
    fw = bench.run([W, "forward", "-d", urlb, "--spool", spool, "--timeout", "3600"])
    got = int(pg.psql("SELECT count(*) FROM flows", "fleet_big"))
    pg_rows = {t: int(pg.psql("SELECT count(*) FROM %s" % t, "fleet_big")) for t in ("flows",) + CHILD}
    t0 = time.monotonic()
    pg.psql("VACUUM ANALYZE", "fleet_big")
    vac_s = time.monotonic() - t0

    log("report on SQLite and on PostgreSQL, %d runs each" % a.repeat)
    jsq, jpg = os.path.join(tmp, "report-sqlite.json"), os.path.join(tmp, "report-pg.json")
    r_sq, r_pg = [], []
    for _ in range(a.repeat):
        r_sq.append(timed_report(a, big, jsq))
        r_pg.append(timed_report(a, urlb, jpg))
    s_sq = bench.run([W, "status", "-d", big])
    s_pg = bench.run([W, "status", "-d", urlb])
    diffs = json_diff(normalize(json.load(open(jpg))), normalize(json.load(open(jsq))))

    def med(rs, k):
        return statistics.median(r[k] for r in rs)

    # sizes
    dbsize = int(pg.psql("SELECT pg_database_size('fleet_big')", "fleet_big"))
    pg.newdb("fleet_empty")
    empty = int(pg.psql("SELECT pg_database_size('fleet_empty')", "fleet_empty"))
    pgt = {t: int(pg.psql("SELECT pg_total_relation_size('%s')" % t, "fleet_big")) for t in ("flows",) + CHILD + SHARED}
    sqt, sq_used = sqlite_sizes(big)
    sq_file = os.path.getsize(big)
    mirror_s = s_pg[0] - s_sq[0]

    out2 = ["### A report over %s flows in PostgreSQL" % n(nbig), "",
            "The store: %s copies of sensor 1's capture (tools/scale-store.py, fresh addresses per copy; %s s to "
            "build), %s rows in flows and its observation tables (%s)."
            % (a.big_copies, "%.0f" % build_s, n(sum(rows.values())),
               ", ".join("%s %s" % (t, n(v)) for t, v in rows.items() if v)), "",
            "| step | wall s | CPU s (wireaudit) | rate |", "|---|---:|---:|---:|",
            "| `wireaudit forward` of the %s-flow spool into an empty database | %.1f | %.1f | %s flows/s, %s rows/s |"
            % (n(nbig), fw[0], fw[1], n(nbig / fw[0]), n(sum(rows.values()) / fw[0])),
            "| VACUUM ANALYZE afterwards (not counted above) | %.1f | | |" % vac_s,
            "| `wireaudit report --format json`, SQLite store | %.1f | %.1f | %s flows/s |"
            % (med(r_sq, 0), med(r_sq, 1), n(nbig / med(r_sq, 0))),
            "| `wireaudit report --format json`, PostgreSQL | %.1f | %.1f | %s flows/s |"
            % (med(r_pg, 0), med(r_pg, 1), n(nbig / med(r_pg, 0))),
            "| `wireaudit status`, SQLite store | %.1f | %.1f | |" % (s_sq[0], s_sq[1]),
            "| `wireaudit status`, PostgreSQL (almost all of it the private copy, pg_mirror_open) | %.1f | %.1f | |"
            % (s_pg[0], s_pg[1]), "",
            "Report on PostgreSQL / on SQLite: %.1fx (medians of %d runs; peak RSS %.0f MB vs %.0f MB); the private "
            "copy costs about %.1f s of it (status on PostgreSQL less status on SQLite)."
            % (med(r_pg, 0) / med(r_sq, 0), a.repeat, max(r[2] for r in r_pg), max(r[2] for r in r_sq), mirror_s),
            "Rows forwarded: %s (PostgreSQL holds %s flows of %s). The two JSON reports are %s." % (
                "all" if pg_rows == rows else "**not all** (%s)" % pg_rows, n(got), n(nbig),
                "**equal** except %s" % ", ".join(IGNORED) if not diffs else "**different**: " + "; ".join(diffs)),
            "",
            "| size | PostgreSQL MB | SQLite MB | PostgreSQL MB per million flows | SQLite MB per million flows |",
            "|---|---:|---:|---:|---:|"]
    for t in ("flows",) + CHILD:
        if rows.get(t, 0) or pg_rows.get(t, 0):
            out2.append("| %s (%s rows, with its indexes) | %s | %s | %s | %s |" % (
                t, n(rows[t]), mb(pgt[t]), mb(sqt.get(t, 0)), mb(pgt[t] * 1e6 / nbig), mb(sqt.get(t, 0) * 1e6 / nbig)))
    shared_pg = sum(pgt[t] for t in SHARED)
    shared_sq = sum(sqt.get(t, 0) for t in SHARED)
    out2 += ["| profiles, chains, certificates (shared by the flows) | %.1f | %.1f | | |" % (shared_pg / 1e6, shared_sq / 1e6),
             "| whole database (pg_database_size; SQLite pages in use, file %s MB) | %s | %s | **%s** | **%s** |" % (
                 mb(sq_file), mb(dbsize), mb(sq_used), mb(dbsize * 1e6 / nbig), mb(sq_used * 1e6 / nbig)),
             "", "(pg_database_size includes PostgreSQL's catalog: %.1f MB in an empty database.)" % (empty / 1e6)]
    print("\n".join(out2), flush=True)
    return out + out2


if __name__ == "__main__":
    main()
