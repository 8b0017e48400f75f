#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""scale-store.py — build a large wireaudit store from small ones by copying
flows with fresh addresses (the report-scale tests, tests/report-scale.sh,
and `make bench`'s report stores; docs/TESTING.md).

    scale-store.py OUT.db --copies N [--keep-clients] [--select FILE] SRC.db [SRC.db ...]

OUT.db is created from the schema of the first SRC (its data tables emptied);
every SRC's flows (with their tls, quic, tds_tls, cleartext and anomalies
rows) are appended, renumbered, then copied N times in all; what schema 3
stores once and references by id (ClientHello and server profiles,
certificate chains, certificates) is merged by digest, so a copy references
the same profile and chain rows as its original, as a capture of the same
handshakes would:
copy 0 keeps the original addresses, copy c >= 1 gives every distinct
client and server address a fresh one of the same zone (internal stays
internal, external stays external, by the report's default internal list),
so each copy is a new set of servers and clients with the same facts.
--keep-clients: copies give fresh server addresses only, so the same clients
reach every copy's servers (clients with many findings each: the report's
per-client tables at scale).
--select FILE keeps only the flow ids listed in FILE (one "SRC_INDEX:FLOW_ID"
a line, SRC_INDEX from 0) before copying (the property test's subsets).

Deterministic: same inputs, same output. Needs only Python's sqlite3.
"""
import argparse
import ipaddress
import os
import shutil
import sqlite3
import sys

INTERNAL = [ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16",
    "100.64.0.0/10", "fc00::/7", "::1/128", "fe80::/10")]
# Fresh addresses: internal 10.128.0.0/9 and fd77::/16; external 44.0.0.0/8
# and 2a0f::/16 (public, outside every default internal network).
V4_INT, V4_EXT = int(ipaddress.ip_address("10.128.0.0")), int(ipaddress.ip_address("44.0.0.0"))
V6_INT, V6_EXT = int(ipaddress.ip_address("fd77::")), int(ipaddress.ip_address("2a0f::"))

DATA = ("flows", "tls", "quic", "tds_tls", "cleartext", "cleartext_details", "anomalies")
# shared tables: (table, id column, the tls columns that reference it)
SHARED = (("tls_client_profiles", "profile_id", ("client_profile",)),
          ("tls_server_profiles", "profile_id", ("server_profile",)),
          ("chains", "chain_id", ("server_chain", "client_chain")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("src", nargs="+")
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--select")
    ap.add_argument("--keep-clients", action="store_true")
    a = ap.parse_args()
    if a.copies < 1:
        sys.exit("scale-store: --copies must be >= 1")
    sel = None
    if a.select:
        sel = set()
        for line in open(a.select):
            line = line.strip()
            if line:
                s, f = line.split(":")
                sel.add((int(s), int(f)))
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(a.out + suffix):
            os.unlink(a.out + suffix)
    shutil.copyfile(a.src[0], a.out)
    db = sqlite3.connect(a.out)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    for t in DATA + ("certs", "cert_sans", "chain_certs") + tuple(t for t, _, _ in SHARED):
        db.execute("DELETE FROM " + t)
    # 1. gather the flows of every source, renumbered 1..n
    n = 0
    for si, src in enumerate(a.src):
        db.execute("ATTACH DATABASE ? AS s", (src,))
        ids = [r[0] for r in db.execute("SELECT flow_id FROM s.flows ORDER BY flow_id")]
        db.execute("INSERT OR IGNORE INTO certs SELECT * FROM s.certs")
        db.execute("INSERT OR IGNORE INTO cert_sans SELECT * FROM s.cert_sans")
        db.execute("INSERT OR IGNORE INTO ndpi_risk_names SELECT * FROM s.ndpi_risk_names")
        # shared rows by digest (ids are per database); old id -> new id
        idmap = {}
        for t, key, _ in SHARED:
            rest = ", ".join(c for c in cols(db, t) if c != key)
            db.execute("INSERT OR IGNORE INTO main.%s (%s) SELECT %s FROM s.%s ORDER BY %s" %
                       (t, rest, rest, t, key))
            idmap[t] = dict(db.execute("SELECT o.%s, m.%s FROM s.%s o JOIN main.%s m ON m.digest = o.digest" %
                                       (key, key, t, t)))
        db.execute("INSERT OR IGNORE INTO main.chain_certs SELECT m.chain_id, sc.idx, sc.sha256"
                   " FROM s.chain_certs sc JOIN s.chains o ON o.chain_id = sc.chain_id"
                   " JOIN main.chains m ON m.digest = o.digest")
        ref = {c: idmap[t] for t, _, cs in SHARED for c in cs}
        for fid in ids:
            if sel is not None and (si, fid) not in sel:
                continue
            n += 1
            db.execute("INSERT INTO flows SELECT ?, " + ", ".join(cols(db, "flows")[1:]) +
                       " FROM s.flows WHERE flow_id = ?", (n, fid))
            for t in DATA[1:]:
                if t == "tls":
                    row = db.execute("SELECT * FROM s.tls WHERE flow_id = ?", (fid,)).fetchone()
                    if row is None:
                        continue
                    tc = cols(db, "tls")
                    row = [n] + [ref[c].get(v) if c in ref and v is not None else v
                                 for c, v in zip(tc[1:], row[1:])]
                    db.execute("INSERT INTO tls VALUES (%s)" % ", ".join("?" * len(row)), row)
                    continue
                db.execute("INSERT INTO %s SELECT ?, %s FROM s.%s WHERE flow_id = ?" %
                           (t, ", ".join(cols(db, t)[1:]), t), (n, fid))
        db.commit()
        db.execute("DETACH DATABASE s")
    # 2. copies with fresh addresses
    fresh = {}

    def remap(ip, c):
        key = (ip, c)
        v = fresh.get(key)
        if v is None:
            addr = ipaddress.ip_address(ip)
            internal = any(addr in net for net in INTERNAL if net.version == addr.version)
            i = len(fresh) + 1
            if addr.version == 4:
                v = str(ipaddress.ip_address((V4_INT if internal else V4_EXT) + i))
            else:
                v = str(ipaddress.ip_address((V6_INT if internal else V6_EXT) + i))
            fresh[key] = v
        return v

    db.create_function("wa_remap", 2, remap, deterministic=True)
    fc = cols(db, "flows")
    for c in range(1, a.copies):
        exprs = []
        for col in fc:
            if col == "flow_id":
                exprs.append("flow_id + %d" % (c * n))
            elif col == "client_ip" and a.keep_clients:
                exprs.append(col)
            elif col in ("client_ip", "server_ip"):
                exprs.append("wa_remap(%s, %d)" % (col, c))
            else:
                exprs.append(col)
        db.execute("INSERT INTO flows SELECT %s FROM flows WHERE flow_id <= %d" % (", ".join(exprs), n))
        for t in DATA[1:]:
            rest = ", ".join(cols(db, t)[1:])
            db.execute("INSERT INTO %s SELECT flow_id + %d, %s FROM %s WHERE flow_id <= %d" %
                       (t, c * n, rest, t, n))
        if c % 500 == 0:
            db.commit()
    db.commit()
    db.close()
    print("%d flows x %d copies = %d flows" % (n, a.copies, n * a.copies))


_cols = {}


def cols(db, t):
    if t not in _cols:
        _cols[t] = [r[1] for r in db.execute("PRAGMA main.table_info(%s)" % t)]
    return _cols[t]


if __name__ == "__main__":
    main()
