#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""tls-fixture.py — report fixtures written as export-contract TLS objects,
turned into the typed rows of store schema 4 (docs/SCHEMA.md).

A report fixture (tests/data/report/*.sql) states a flow's TLS facts the
way an analyst reads them: the export's `tls` object (docs/TLS.md). Since
issue 12 the store keeps those facts typed and normalised (a ClientHello
profile, a server profile, per-flow columns), so each

    INSERT INTO tls (flow_id, obj) VALUES (N, '{...}');

statement (one line or several) is replaced by the INSERTs that a capture
of such a handshake would make, and each schema-2 certificate reference

    INSERT INTO flow_certs VALUES (FLOW, SIDE, IDX, 'sha256');

by the chain (chains, chain_certs) that the flow's tls row points to, and
each cleartext object

    INSERT INTO cleartext (flow_id, obj) VALUES (N, '{...}');

by its typed row and detail rows (cleartext, cleartext_details), and each
certificate written as an export object

    INSERT OR IGNORE INTO certs VALUES ('sha256', X'der', '{...}', FIRST_SEEN);

by its typed certs row and cert_sans rows; `INSERT INTO flows VALUES` gets
the column names of its 24 values. Every other line passes through. Fields the
object leaves out take the value of a plain TLS 1.2 handshake with nothing
special. Usage: tls-fixture.py [FILE] > OUT (stdin without FILE).
"""
import calendar
import hashlib
import json
import re
import sys
import time

VERSIONS = {"SSLv2": 0x0002, "SSLv3": 0x0300, "TLSv1.0": 0x0301, "TLSv1.1": 0x0302,
            "TLSv1.2": 0x0303, "TLSv1.3": 0x0304}
CLEAR = re.compile(r"INSERT INTO cleartext \(flow_id, obj\) VALUES \((\d+),\s*'(.*?)'\);", re.S)
CERT = re.compile(r"INSERT INTO flow_certs VALUES \((\d+),\s*(\d+),\s*(\d+),\s*'([0-9a-f]{64})'\);")
CERTROW = re.compile(r"INSERT OR IGNORE INTO certs VALUES \('([0-9a-f]{64})',\s*X'([0-9a-fA-F]*)',"
                     r"\s*'(.*?)',\s*(\d+|NULL)\);", re.S)
STMT = re.compile(r"INSERT INTO tls \(flow_id, obj\) VALUES \((\d+),\s*'(.*?)'\);", re.S)


class Sql(str):
    """SQL text that goes into a statement as it is (a subquery)."""


def q(v):
    """An SQL literal."""
    if isinstance(v, Sql):
        return str(v)
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, bytes):
        return "X'" + v.hex() + "'"
    return "'" + str(v).replace("'", "''") + "'"


def tri(o, k):
    v = o.get(k)
    return None if v is None else bool(v)


def digest(values):
    """A profile's digest from its content: equal profiles are one row (as
    the store interns them), whichever fixture or flow they come from."""
    return hashlib.sha256(repr(values).encode()).digest()[:16]


def rows(fid, o):
    ver = o.get("version")
    t13 = ver == "TLSv1.3"
    cvers = [VERSIONS[v] for v in o.get("client_versions", []) if v in VERSIONS]
    out = []
    has_ch = o.get("client_hello_seen", True)
    has_sh = o.get("server_hello_seen", ver is not None)
    if has_ch:
        alpn = o.get("alpn")
        blob = None if alpn is None else b"".join(bytes([len(a)]) + a.encode() for a in alpn)
        if len(cvers) == 1 and cvers[0] <= 0x0303:
            legacy, versions = cvers[0], None          # no supported_versions
        else:
            legacy, versions = 0x0303, ",".join(str(v) for v in cvers) or None
        cvals = ["tls", "t", 0, legacy, versions,
                 ",".join(str(c) for c in o.get("client_ciphers", [])), "0", "", "", "", "", "",
                 blob, o.get("sni") is not None, bool(o.get("ech", False)),
                 bool(o.get("status_request", False)), 0, 0, 0, 0, 0, 0, 0, o.get("ja4")]
        cdig = digest(cvals)
        out.append("INSERT OR IGNORE INTO tls_client_profiles (digest, hello_format, transport,"
                   " lists_capped, legacy_version, versions, ciphers, compression, extensions, groups,"
                   " key_shares, sig_algs, point_formats, alpn, sni_ext, ech, status_request,"
                   " session_ticket, psk, early_data, renegotiation_info, fallback_scsv,"
                   " extended_master_secret, encrypt_then_mac, ja4) VALUES (%s);" %
                   ", ".join(q(v) for v in [cdig] + cvals))
    if has_sh:
        svals = ["tls", VERSIONS.get(ver, 0x0303), min(VERSIONS.get(ver, 0x0303), 0x0303),
                 o.get("cipher_id", 0), 0, "", 0, 0, 0, 0]
        sdig = digest(svals)
        out.append("INSERT OR IGNORE INTO tls_server_profiles (digest, hello_format, version,"
                   " legacy_version, cipher, compression, extensions, extended_master_secret,"
                   " encrypt_then_mac, secure_renegotiation, status_request_ack) VALUES (%s);" %
                   ", ".join(q(v) for v in [sdig] + svals))
    cc = o.get("client_cert", "none")
    verdict = "chain_trusted" in o or "leaf_self_signed" in o
    est = bool(o.get("established", False))
    cols = {
        "flow_id": fid,
        "client_profile": Sql("(SELECT profile_id FROM tls_client_profiles WHERE digest = %s)" % q(cdig))
        if has_ch else None,
        "server_profile": Sql("(SELECT profile_id FROM tls_server_profiles WHERE digest = %s)" % q(sdig))
        if has_sh else None,
        "sni": o.get("sni"), "hrr": 0, "dh_bits": o.get("dh_bits"),
        "ocsp_stapled": bool(o.get("ocsp_stapled") or False),
        "ocsp_status": o.get("ocsp_status"), "chain_len": o.get("chain_len", 0),
        "chain_trusted": tri(o, "chain_trusted"), "trust_error": o.get("trust_error"),
        "hostname_match": tri(o, "hostname_match"),
        "leaf_self_signed": (bool(o.get("leaf_self_signed") or False) if verdict else None),
        "trusted_by_extra_ca": (bool(o.get("trusted_by_extra_ca") or False) if verdict else None),
        "cert_request": cc == "requested" and not t13,
        "client_cert_message": cc == "sent" and not t13, "client_cert_empty": False,
        "client_chain_len": o.get("client_chain_len", 0),
        "client_verdict": "client_chain_trusted" in o,
        "client_chain_trusted": tri(o, "client_chain_trusted"),
        "client_trust_error": o.get("client_trust_error"),
        "established": est, "handshake": o.get("handshake", "complete" if est else "incomplete"),
        "encrypted_alert_from": 0,
        "client_accepted_untrusted": tri(o, "client_accepted_untrusted"),
        "client_rejected_cert": bool(o.get("client_rejected_cert", False)),
        "records_c2s": 0, "records_s2c": 0, "app_records_c2s": 0, "app_records_s2c": 0,
        "malformed": bool(o.get("malformed", False)),
    }
    if has_ch:
        cols["session_id_len"] = 0
        cols["resumption_offered"] = 0
    out.append("INSERT INTO tls (%s) VALUES (%s);" % (", ".join(cols), ", ".join(q(v) for v in cols.values())))
    return "\n".join(out)


def chain(fid, side, certs):
    """Schema-2 flow_certs rows (flow, side, idx, sha256) as the chain the
    flow's side references, its digest from its content as the store's."""
    certs = sorted(certs)
    dig = digest(certs)
    sub = "(SELECT chain_id FROM chains WHERE digest = %s)" % q(dig)
    out = ["INSERT OR IGNORE INTO chains (digest, len, leaf) VALUES (%s, %d, %s);"
           % (q(dig), len(certs), q(certs[0][1] if certs[0][0] == 0 else None))]
    out += ["INSERT OR IGNORE INTO chain_certs SELECT %s, %d, %s;" % (sub, i, q(sha))
            for i, (_, sha) in enumerate(certs)]
    out.append("UPDATE tls SET %s = %s WHERE flow_id = %d;"
               % ("client_chain" if side else "server_chain", sub, fid))
    return "\n".join(out)


def chains(text):
    """Each flow side's flow_certs rows become one chain, written where the
    side's last row was (after the flow's tls row)."""
    groups, last = {}, {}
    for m in CERT.finditer(text):
        k = (int(m.group(1)), int(m.group(2)))
        groups.setdefault(k, []).append((int(m.group(3)), m.group(4)))
        last[k] = m.start()

    def one(m):
        k = (int(m.group(1)), int(m.group(2)))
        return chain(k[0], k[1], groups[k]) if last[k] == m.start() else ""
    return CERT.sub(one, text)


def clear(fid, o):
    """A schema-2 cleartext object as the schema-3 row and detail rows."""
    def tri(v):
        return None if v is None else bool(v)
    det = o.get("details", {})
    out = ["INSERT INTO cleartext VALUES (%s);" % ", ".join(q(v) for v in [
        fid, bool(o.get("credentials", False)), o.get("auth_mechanism"), o.get("user"),
        tri(o.get("tls_offered")), tri(o.get("tls_requested")), det.get("details_dropped", 0)])]
    seq = 0
    for k, v in det.items():
        if k == "details_dropped":
            continue
        for item, lst in ([(x, 1) for x in v] if isinstance(v, list) else [(v, 0)]):
            if isinstance(item, bool):
                t, iv, sv = "b", int(item), None
            elif isinstance(item, int):
                t, iv, sv = "i", item, None
            else:
                t, iv, sv = "s", None, item
            out.append("INSERT INTO cleartext_details VALUES (%s);" %
                       ", ".join(q(x) for x in [fid, seq, k, t, lst, iv, sv]))
            seq += 1
    return "\n".join(out)


def epoch(t):
    """RFC 3339 UTC (as the export writes not_before / not_after) to seconds."""
    if t is None:
        return None
    return calendar.timegm(time.strptime(t, "%Y-%m-%dT%H:%M:%SZ"))


def cert(sha, der, o, first_seen):
    """A certificate's export object as the store's typed certs row and
    cert_sans rows (schema 4)."""
    parsed = "sha256" in o
    cols = {
        "sha256": sha, "der": bytes.fromhex(der),
        "first_seen": None if first_seen == "NULL" else int(first_seen),
        "parsed": parsed, "sha1": o.get("sha1"), "version": o.get("version"),
        "serial": o.get("serial"), "subject": o.get("subject"),
        "subject_cn": o.get("subject_cn"), "issuer": o.get("issuer"),
        "not_before": epoch(o.get("not_before")), "not_after": epoch(o.get("not_after")),
        "key_type": o.get("key_type"), "key_bits": o.get("key_bits"), "curve": o.get("curve"),
        "sig_alg": o.get("sig_alg"), "sig_alg_oid": o.get("sig_alg_oid"),
        "sig_hash": o.get("sig_hash"),
        "self_signed": bool(o.get("self_signed", False)) if parsed else None,
        "is_ca": bool(o.get("is_ca", False)) if parsed else None,
        "path_len": o.get("path_len"), "sans_truncated": bool(o.get("sans_truncated", False)),
    }
    out = ["INSERT OR IGNORE INTO certs (%s) VALUES (%s);" %
           (", ".join(cols), ", ".join(q(v) for v in cols.values()))]
    out += ["INSERT OR IGNORE INTO cert_sans VALUES (%s, %d, %s);" % (q(sha), i, q(n))
            for i, n in enumerate(o.get("sans") or []) if isinstance(n, str)]
    return "\n".join(out)


FLOW_COLS = ("flow_id, run_id, ts_first, ts_last, transport, client_ip, client_port, server_ip,"
             " server_port, vlan, vlan_inner, packets_c2s, packets_s2c, bytes_c2s, bytes_s2c,"
             " payload_c2s, payload_s2c, client_by, end_reason, ndpi_protocol, ndpi_category,"
             " ndpi_risks, protocol, security")


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    # the flows columns of schema 3, named: schema 4 appends ndpi_risk
    text = text.replace("INSERT INTO flows VALUES (", "INSERT INTO flows (%s) VALUES (" % FLOW_COLS)
    text = STMT.sub(lambda m: rows(int(m.group(1)), json.loads(m.group(2).replace("''", "'"))), text)
    text = chains(text)
    text = CERTROW.sub(lambda m: cert(m.group(1), m.group(2),
                                      json.loads(m.group(3).replace("''", "'")), m.group(4)), text)
    text = CLEAR.sub(lambda m: clear(int(m.group(1)), json.loads(m.group(2).replace("''", "'"))), text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
