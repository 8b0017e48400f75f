#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-tls-tables.py — generate src/dissect/tls_tables.c, src/dissect/tls_tables.h and
docs/CIPHER-SUITES.md from the reference data in tools/refdata/ (copies of
the project's ../shared/refdata files, with their provenance and terms in
tools/refdata/SOURCES.md), so a fresh clone regenerates them by itself.

Usage: tools/gen-tls-tables.py [REFDATA_DIR] [--out DIR]   (default: the
tools/refdata/ beside this script, or $WA_REFDATA; --out writes the three
files under DIR instead of the source tree: tests/gen-tables.sh). Python 3 standard library only. Run from anywhere; writes
into the source tree this script lives in.

Sources (see tools/refdata/SOURCES.md for their provenance):
  iana/tls-parameters-4.csv                 TLS Cipher Suites (Value, Description, Recommended)
  iana/tls-parameters-8.csv                 TLS Supported Groups
  iana/tls-signaturescheme.csv              TLS SignatureScheme
  iana/tls-extensiontype-values.DERIVED.csv extension names (derived, not IANA)
  mozilla/guidelines-latest.json            Mozilla server-side TLS 6.0: modern, intermediate
  mozilla/guidelines-5.8.json               Mozilla 5.8: "old" (6.0 dropped the old profile)
  owasp-asvs-5.0.0/0x92-Appendix-C_Cryptography.md  approved/legacy/disallowed ciphers and modes

Mozilla mapping: every profile in the JSON lists TLS 1.2 suites under
ciphers.iana (IANA names) next to ciphers.openssl (OpenSSL names), in the same
order; TLS 1.3 suites are under "ciphersuites" with IANA names. We use the IANA
names only, so no OpenSSL-to-IANA rule is needed; the script checks that the
two lists have the same length. A suite gets the most restrictive profile that
lists it (modern < intermediate < old), else "none".

The classification rule is documented in docs/REPORT-RULES.md, section
"Cipher suite classification"; it is implemented in classify() below and
nowhere else.
"""
import csv
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
ARGS = sys.argv[1:]
OUTDIR = TOP
if "--out" in ARGS:
    i = ARGS.index("--out")
    OUTDIR = ARGS[i + 1]
    del ARGS[i:i + 2]
REF = ARGS[0] if ARGS else os.environ.get("WA_REFDATA", os.path.join(HERE, "refdata"))

SRC_FILES = [
    "iana/tls-parameters-4.csv",
    "iana/tls-parameters-8.csv",
    "iana/tls-signaturescheme.csv",
    "iana/tls-extensiontype-values.DERIVED.csv",
    "mozilla/guidelines-latest.json",
    "mozilla/guidelines-5.8.json",
    "owasp-asvs-5.0.0/0x92-Appendix-C_Cryptography.md",
]


def rd(name):
    return open(os.path.join(REF, name), newline="", encoding="utf-8")


# ---------------------------------------------------------------- ASVS
def asvs_status():
    """Symmetric algorithm and mode status (A approved, L legacy, D
    disallowed) from the ASVS 5.0 Appendix C tables."""
    st = {}
    with rd("owasp-asvs-5.0.0/0x92-Appendix-C_Cryptography.md") as f:
        text = f.read()
    for sec in ("## Cipher Algorithms", "### AES Cipher Modes"):
        part = text.split(sec, 1)[1].split("\n#", 1)[0]
        for line in part.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 3 and cells[-1] in ("A", "L", "D") or (len(cells) >= 4 and cells[3] in ("A", "L", "D")):
                status = cells[-1] if cells[-1] in ("A", "L", "D") else cells[3]
                st[cells[0]] = status
    return st


ASVS = asvs_status()


def asvs_enc_status(enc):
    """Map a TLS bulk cipher name to the ASVS Appendix C status."""
    if enc.startswith("AES_256"):
        alg = ASVS.get("AES-256")
    elif enc.startswith("AES_128"):
        alg = ASVS.get("AES-128")
    elif enc.startswith("CHACHA20"):
        alg = ASVS.get("ChaCha20")
    elif enc.startswith("3DES"):
        alg = ASVS.get("TDEA (3DES/3DEA)")
    elif enc.startswith("RC4"):
        alg = ASVS.get("RC4")
    elif enc.startswith("IDEA"):
        alg = ASVS.get("IDEA")
    elif enc.startswith("DES"):
        alg = ASVS.get("DES")
    else:
        return "-"  # not listed in Appendix C (CAMELLIA, ARIA, SEED, GOST, SM4, NULL, ...)
    mode = "-"
    if "CCM_8" in enc:
        mode = ASVS.get("CCM-8")
    elif "GCM" in enc:
        mode = ASVS.get("GCM")
    elif "CCM" in enc:
        mode = ASVS.get("CCM")
    elif "CBC" in enc:
        mode = ASVS.get("CBC")
    elif "POLY1305" in enc:
        mode = "A"
    order = {"A": 0, "L": 1, "D": 2, "-": 3}
    vals = [v for v in (alg, mode) if v]
    if not vals:
        return "-"
    return max(vals, key=lambda v: order.get(v, 3))


# ---------------------------------------------------------------- Mozilla
def mozilla_profiles():
    prof = {}
    with rd("mozilla/guidelines-latest.json") as f:
        latest = json.load(f)
    with rd("mozilla/guidelines-5.8.json") as f:
        v58 = json.load(f)
    sources = [("modern", latest), ("intermediate", latest), ("old", v58)]
    for name, doc in sources:
        conf = doc["configurations"][name]
        c = conf.get("ciphers", {})
        iana = c.get("iana", [])
        ossl = c.get("openssl", [])
        if len(iana) != len(ossl):
            sys.exit("mozilla %s: iana and openssl lists differ in length" % name)
        for n in list(iana) + list(conf.get("ciphersuites", [])):
            prof.setdefault(n, name)  # first (most restrictive) profile wins
    return prof, latest.get("version"), v58.get("version")


# ---------------------------------------------------------------- cipher suites
MACS = ("SHA384", "SHA256", "SHA", "MD5", "SM3", "OMAC", "NULL")


def parse_suite(name):
    """Split an IANA suite name into kx, auth, enc, mac, export."""
    n = name[4:]  # strip TLS_
    export = "EXPORT" in n
    if "_WITH_" not in n:
        # TLS 1.3 (RFC 8446 B.4): TLS_<AEAD>_<HASH>, or RFC 9150 integrity-only
        m = re.match(r"(.*)_(SHA256|SHA384|SM3)$", n)
        enc, mac = (m.group(1), m.group(2)) if m else (n, "-")
        if enc in ("SHA256", "SHA384"):
            enc = "NULL"
        return "TLS13", "TLS13", enc, mac, False
    kxpart, rest = n.split("_WITH_", 1)
    kxpart = kxpart.replace("_EXPORT1024", "").replace("_EXPORT", "")
    kxmap = {
        "RSA": ("RSA", "RSA"), "NULL": ("NULL", "NULL"),
        "DH_anon": ("DH", "anon"), "ECDH_anon": ("ECDH", "anon"),
        "PSK": ("PSK", "PSK"), "DHE_PSK": ("DHE", "PSK"), "PSK_DHE": ("DHE", "PSK"),
        "RSA_PSK": ("RSA", "PSK"), "ECDHE_PSK": ("ECDHE", "PSK"),
        "SRP_SHA": ("SRP", "SRP"), "SRP_SHA_RSA": ("SRP", "RSA"), "SRP_SHA_DSS": ("SRP", "DSS"),
        "KRB5": ("KRB5", "KRB5"), "ECCPWD": ("ECCPWD", "ECCPWD"),
        "GOSTR341112_256": ("GOSTR341112_256", "GOSTR341112_256"),
    }
    if kxpart in kxmap:
        kx, auth = kxmap[kxpart]
    else:
        kx, auth = kxpart.split("_", 1)  # DHE_RSA, DH_DSS, ECDHE_ECDSA, ECDH_RSA ...
    mac = "-"
    enc = rest
    if re.search(r"_CCM(_8)?$", rest) or re.search(r"_MGM_[LS]$", rest):
        mac = "AEAD"
    else:
        for m in MACS:
            if rest.endswith("_" + m):
                enc, mac = rest[: -(len(m) + 1)], m
                break
    return kx, auth, enc, mac, export


def is_aead(enc):
    return any(x in enc for x in ("GCM", "CCM", "POLY1305", "MGM", "AEGIS"))


def classify(s):
    """The one place the classification rule lives (docs/REPORT-RULES.md)."""
    enc, kx, auth, mac = s["enc"], s["kx"], s["auth"], s["mac"]
    if s["id"] in (0x00FF, 0x5600):
        return "scsv"
    if (enc == "NULL" or kx == "NULL" or s["export"] or auth == "anon" or
            enc.startswith(("RC4", "RC2", "DES", "3DES", "IDEA")) or mac == "MD5"):
        return "broken"
    if (not s["aead"] or not s["fs"] or mac == "SHA" or "CCM_8" in enc or
            s["asvs"] not in ("A", "L")):
        return "not_recommended"
    return "recommended"


def cipher_suites(moz):
    out = []
    with rd("iana/tls-parameters-4.csv") as f:
        for row in csv.DictReader(f):
            v = row["Value"].replace(" ", "")
            name = row["Description"].strip()
            m = re.match(r"^0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2})$", v)
            if not m or not name.startswith("TLS_"):
                continue
            cid = int(m.group(1), 16) << 8 | int(m.group(2), 16)
            s = {"id": cid, "name": name, "rec": (row["Recommended"].strip() or "-")}
            if cid in (0x00FF, 0x5600):
                s.update(kx="-", auth="-", enc="-", mac="-", export=False)
            else:
                kx, auth, enc, mac, export = parse_suite(name)
                s.update(kx=kx, auth=auth, enc=enc, mac=mac, export=export)
            s["aead"] = is_aead(s["enc"])
            s["fs"] = s["kx"] in ("DHE", "ECDHE", "TLS13")
            s["asvs"] = asvs_enc_status(s["enc"]) if s["enc"] != "-" else "-"
            s["moz"] = moz.get(name, "none")
            s["class"] = classify(s)
            out.append(s)
    out.sort(key=lambda s: s["id"])
    ids = [s["id"] for s in out]
    if len(ids) != len(set(ids)):
        sys.exit("duplicate cipher suite ids")
    missing = [n for n in moz if n not in {s["name"] for s in out}]
    if missing:
        sys.exit("mozilla names not found in IANA table: %s" % missing)
    return out


# ---------------------------------------------------------------- other registries
def groups():
    out = []
    with rd("iana/tls-parameters-8.csv") as f:
        for row in csv.DictReader(f):
            v, name = row["Value"].strip(), row["Description"].strip()
            if not v.isdigit() or name.startswith(("Unassigned", "Reserved")):
                continue
            name = name.replace(" (OBSOLETE)", "")
            out.append((int(v), name, row["Recommended"].strip() or "-",
                        bool(re.search(r"MLKEM|Kyber", name))))
    return sorted(out)


def sigschemes():
    out = []
    with rd("iana/tls-signaturescheme.csv") as f:
        for row in csv.DictReader(f):
            v, name = row["Value"].strip(), row["Description"].strip()
            if not re.match(r"^0x[0-9A-Fa-f]{4}$", v) or name.startswith(("Unassigned", "Reserved")):
                continue
            out.append((int(v, 16), name, row["Recommended"].strip() or "-"))
    return sorted(out)


def ext_types():
    out = {}
    with rd("iana/tls-extensiontype-values.DERIVED.csv") as f:
        lines = [l for l in f if not l.startswith("#")]
    for row in csv.DictReader(lines):
        name = (row.get("name") or "").strip()
        if not name or row["status"] == "iana-reserved-grease":
            continue
        out.setdefault(int(row["value_dec"]), name)
    return sorted(out.items())


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


HEADER_SOURCES = "\n".join(" *   ../shared/refdata/" + s for s in SRC_FILES)


def write_h(path):
    with open(path, "w") as f:
        f.write("""/* SPDX-License-Identifier: BSD-3-Clause */
/* tls_tables.h — TLS registries as data: cipher suites with their
 * classification, supported groups, signature schemes, extension types.
 *
 * generated by tools/gen-tls-tables.py; do not edit. Sources:
%s
 * Classification rule: docs/REPORT-RULES.md "Cipher suite classification";
 * full table: docs/CIPHER-SUITES.md.
 */
#ifndef WA_TLS_TABLES_H
#define WA_TLS_TABLES_H

#include <stdbool.h>
#include <stdint.h>

struct tls_cipher_info {
	uint16_t id;
	const char *name;     /* IANA name */
	const char *kx;       /* RSA, DHE, ECDHE, DH, ECDH, PSK, SRP, KRB5, TLS13, NULL, ... */
	const char *auth;     /* RSA, ECDSA, DSS, anon, PSK, TLS13, ... */
	const char *enc;      /* AES_128_GCM, CHACHA20_POLY1305, 3DES_EDE_CBC, RC4_40, NULL, ... */
	const char *mac;      /* SHA, SHA256, SHA384, MD5, AEAD (CCM/MGM), "-" */
	bool aead;
	bool forward_secrecy; /* (EC)DHE key exchange, or TLS 1.3 */
	bool export_grade;
	char iana_recommended;/* 'Y', 'N' or '-' */
	const char *mozilla;  /* "modern", "intermediate", "old", "none" */
	const char *asvs_enc; /* ASVS 5.0 Appendix C status of the bulk cipher: "A", "L", "D", "-" */
	const char *cls;      /* "recommended", "not_recommended", "broken", "scsv" */
};

/* Cipher suite by its 16-bit id; NULL when not in the IANA registry. */
const struct tls_cipher_info *tls_cipher_lookup(uint16_t id);
/* Number of suites and the i-th (sorted by id), for listing. */
unsigned tls_cipher_count(void);
const struct tls_cipher_info *tls_cipher_at(unsigned i);

/* Names from the IANA registries (static strings), NULL when unknown. */
const char *tls_group_name(uint16_t id);
/* true for hybrid post-quantum groups (ML-KEM / Kyber). */
bool tls_group_is_pq(uint16_t id);
const char *tls_sigscheme_name(uint16_t id);
const char *tls_ext_name(uint16_t id);
/* RFC 8701 GREASE value (0x0A0A, 0x1A1A, ... 0xFAFA). */
bool tls_is_grease(uint16_t v);

#endif
""" % HEADER_SOURCES)


def write_c(path, suites, grps, sigs, exts, mozv):
    b = lambda x: "true" if x else "false"
    with open(path, "w") as f:
        f.write("""/* SPDX-License-Identifier: BSD-3-Clause */
/* tls_tables.c — TLS registries as data (see tls_tables.h).
 *
 * generated by tools/gen-tls-tables.py; do not edit. Sources:
%s
 * (Mozilla guidelines %s for modern/intermediate, %s for old.)
 */
#include <stddef.h>

#include "tls_tables.h"

static const struct tls_cipher_info tls_ciphers[] = {
""" % (HEADER_SOURCES, mozv[0], mozv[1]))
        for s in suites:
            f.write("\t{ 0x%04x, %s, %s, %s, %s, %s, %s, %s, %s, '%s', %s, %s, %s },\n" % (
                s["id"], cstr(s["name"]), cstr(s["kx"]), cstr(s["auth"]), cstr(s["enc"]),
                cstr(s["mac"]), b(s["aead"]), b(s["fs"]), b(s["export"]), s["rec"][0],
                cstr(s["moz"]), cstr(s["asvs"]), cstr(s["class"])))
        f.write("};\n\nstruct tls_name { uint16_t id; const char *name; };\n\n")
        f.write("static const struct tls_name tls_groups[] = {\n")
        for g in grps:
            f.write("\t{ %d, %s },\n" % (g[0], cstr(g[1])))
        f.write("};\n\nstatic const uint16_t tls_pq_groups[] = {")
        f.write(", ".join("%d" % g[0] for g in grps if g[3]))
        f.write("};\n\nstatic const struct tls_name tls_sigschemes[] = {\n")
        for s in sigs:
            f.write("\t{ 0x%04x, %s },\n" % (s[0], cstr(s[1])))
        f.write("};\n\nstatic const struct tls_name tls_exts[] = {\n")
        for e in exts:
            f.write("\t{ 0x%04x, %s },\n" % (e[0], cstr(e[1])))
        f.write("""};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const struct tls_cipher_info *tls_cipher_lookup(uint16_t id)
{
	size_t lo = 0, hi = NELEM(tls_ciphers);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tls_ciphers[mid].id == id)
			return &tls_ciphers[mid];
		if (tls_ciphers[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

unsigned tls_cipher_count(void)
{
	return (unsigned)NELEM(tls_ciphers);
}

const struct tls_cipher_info *tls_cipher_at(unsigned i)
{
	return i < NELEM(tls_ciphers) ? &tls_ciphers[i] : NULL;
}

static const char *tls_name_find(const struct tls_name *t, size_t n, uint16_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].id == id)
			return t[mid].name;
		if (t[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *tls_group_name(uint16_t id)
{
	return tls_name_find(tls_groups, NELEM(tls_groups), id);
}

bool tls_group_is_pq(uint16_t id)
{
	size_t i;
	for (i = 0; i < NELEM(tls_pq_groups); i++)
		if (tls_pq_groups[i] == id)
			return true;
	return false;
}

const char *tls_sigscheme_name(uint16_t id)
{
	return tls_name_find(tls_sigschemes, NELEM(tls_sigschemes), id);
}

const char *tls_ext_name(uint16_t id)
{
	return tls_name_find(tls_exts, NELEM(tls_exts), id);
}

bool tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}
""")


def write_md(path, suites, mozv):
    with open(path, "w") as f:
        f.write("# Cipher suites\n\n")
        f.write("Generated by tools/gen-tls-tables.py; do not edit. Sources: "
                + ", ".join("`refdata/%s`" % s for s in SRC_FILES)
                + " (Mozilla guidelines %s for modern/intermediate, %s for old).\n\n" % mozv)
        f.write("`class` follows docs/REPORT-RULES.md, section \"Cipher suite classification\". "
                "`rec` is IANA's Recommended column; `asvs` the ASVS 5.0 Appendix C status of the "
                "bulk cipher (A approved, L legacy, D disallowed, - not listed).\n\n")
        counts = {}
        for s in suites:
            counts[s["class"]] = counts.get(s["class"], 0) + 1
        f.write("Totals: " + ", ".join("%s %d" % (k, counts[k]) for k in sorted(counts)) + ".\n\n")
        f.write("| id | IANA name | kx | auth | enc | mac | aead | fs | rec | mozilla | asvs | class |\n")
        f.write("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
        for s in suites:
            f.write("| 0x%04X | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n" % (
                s["id"], s["name"], s["kx"], s["auth"], s["enc"], s["mac"],
                "Y" if s["aead"] else "N", "Y" if s["fs"] else "N", s["rec"],
                s["moz"], s["asvs"], s["class"]))


def main():
    moz, v_latest, v_old = mozilla_profiles()
    suites = cipher_suites(moz)
    grps, sigs, exts = groups(), sigschemes(), ext_types()
    mozv = (v_latest, v_old)
    for d in ("src/dissect", "docs"):
        os.makedirs(os.path.join(OUTDIR, d), exist_ok=True)
    write_h(os.path.join(OUTDIR, "src", "dissect", "tls_tables.h"))
    write_c(os.path.join(OUTDIR, "src", "dissect", "tls_tables.c"), suites, grps, sigs, exts, mozv)
    write_md(os.path.join(OUTDIR, "docs", "CIPHER-SUITES.md"), suites, mozv)
    print("wrote %d cipher suites, %d groups, %d signature schemes, %d extension names"
          % (len(suites), len(grps), len(sigs), len(exts)))


if __name__ == "__main__":
    main()
