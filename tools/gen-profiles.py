#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen-profiles.py — generate the compliance profiles of `report --profile`
(src/report/profiles/*.profile, format: docs of issue 19 part 1) from the
reference data in tools/refdata/ (copies with their provenance and terms in
tools/refdata/SOURCES.md), so a fresh clone regenerates them by itself.

Usage: tools/gen-profiles.py [REFDATA_DIR] [--out DIR]
       tools/gen-profiles.py [REFDATA_DIR] --check FILE.profile...

Without --out it writes into src/report/profiles/ of the source tree this
script lives in; --out DIR writes the files directly under DIR
(tests/gen-profiles.sh). --check validates profile files (the hand-written
ones too) and writes nothing. Python 3 standard library only.

Generated (one per rulebook edition):
  mozilla-modern.profile        mozilla/guidelines-latest.json (6.0) "modern"
  mozilla-intermediate.profile  mozilla/guidelines-latest.json (6.0) "intermediate"
  mozilla-old.profile           mozilla/guidelines-5.8.json ("old"; 6.0 dropped it)
  bsi-tr-02102-2.profile        bsi-tr-02102-2/*.xml (BSI TaSK's encoding of TR-02102-2)

Every profile written or checked is validated: directives and check names
from the v1 vocabulary only, one check per rule, unique rule IDs, every cipher
suite name in iana/tls-parameters-4.csv, every group name in
iana/tls-parameters-8.csv (exact spelling). Any error: exit status 1.

BSI "usable now": an entry is kept when its UseUntil year ("2029+" counts as
2029) is >= USABLE_FROM below. It is a constant, not today's date, so that the
output does not change by itself on 1 January; raise it deliberately (and
regenerate) when a year's entries expire.
"""
import csv
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

USABLE_FROM = 2026

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
ARGS = sys.argv[1:]
OUTDIR = os.path.join(TOP, "src", "report", "profiles")
CHECK = None
if "--out" in ARGS:
    i = ARGS.index("--out")
    OUTDIR = ARGS[i + 1]
    del ARGS[i:i + 2]
if "--check" in ARGS:
    i = ARGS.index("--check")
    CHECK = ARGS[i + 1:]
    del ARGS[i:]
REF = ARGS[0] if ARGS else os.environ.get("WA_REFDATA", os.path.join(HERE, "refdata"))

SPDX = "# SPDX-License-Identifier: BSD-3-Clause"


def rd(name):
    return open(os.path.join(REF, name), newline="", encoding="utf-8")


# ---------------------------------------------------------------- IANA names
def iana_suites():
    names = set()
    with rd("iana/tls-parameters-4.csv") as f:
        for row in csv.DictReader(f):
            n = row["Description"].strip()
            if n.startswith("TLS_"):
                names.add(n)
    return names


def iana_groups():
    names = set()
    with rd("iana/tls-parameters-8.csv") as f:
        for row in csv.DictReader(f):
            v, n = row["Value"].strip(), row["Description"].strip()
            if v.isdigit() and not n.startswith(("Unassigned", "Reserved")):
                names.add(n.replace(" (OBSOLETE)", ""))
    return names


SUITES = iana_suites()
GROUPS = iana_groups()

# ---------------------------------------------------------------- validation
PROFILE_DIRECTIVES = {"profile", "title", "version", "source", "note", "class", "inventory"}
RULE_DIRECTIVES = {"rule", "clause", "title", "check", "scope"}
VERSIONS = {"SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
HASHES = {"md5", "sha1", "sha224", "sha256", "sha384", "sha512"}
NOARG = {"tls13_supported", "forward_secrecy", "cert_trusted", "cert_dates", "cert_hostname",
         "ocsp_stapling", "not_revoked", "encrypted_transport", "no_cleartext_credentials",
         "client_cert", "ech"}


def check_args(name, args):
    """Error text for a check line, or None."""
    if name in NOARG:
        return None if not args else "%s takes no argument" % name
    if name == "asvs":
        return None if len(args) == 1 and re.match(r"^\d+\.\d+\.\d+$", args[0]) else "asvs REQ"
    if name == "versions":
        bad = [a for a in args if a not in VERSIONS]
        return "unknown version(s) %s" % bad if bad or not args else None
    if name == "suites":
        bad = [a for a in args if a not in SUITES]
        return "not an IANA cipher suite name: %s" % bad if bad or not args else None
    if name == "groups":
        bad = [a for a in args if a not in GROUPS]
        return "not an IANA supported group name: %s" % bad if bad or not args else None
    if name == "dh_min_bits":
        return None if len(args) == 1 and args[0].isdigit() else "dh_min_bits N"
    if name == "cert_key_min":
        return None if len(args) == 2 and all(a.isdigit() for a in args) else "cert_key_min RSA EC"
    if name == "cert_sig_hash":
        bad = [a for a in args if a not in HASHES]
        return "unknown digest(s) %s" % bad if bad or not args else None
    return "unknown check %s" % name


def validate(text, fname):
    """List of error strings for one profile's text."""
    errs = []
    base = os.path.basename(fname)
    rules = {}
    cur = None
    first = True
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = "%s:%d" % (base, no)
        if len(raw.encode()) > 8191:
            errs.append("%s: line longer than 8191 bytes" % where)
        if not line or line.startswith("#"):
            continue
        word, _, val = line.partition(" ")
        val = val.strip()
        if first:
            first = False
            if word != "profile":
                errs.append("%s: the first directive must be profile" % where)
            elif not re.match(r"^[a-z0-9-]+$", val) or val + ".profile" != base:
                errs.append("%s: profile %r does not match the file name" % (where, val))
            continue
        if word == "rule":
            if not re.match(r"^[A-Za-z0-9._-]+$", val):
                errs.append("%s: bad rule ID %r" % (where, val))
            if val in rules:
                errs.append("%s: duplicate rule ID %s" % (where, val))
            cur = val
            rules[cur] = {"check": 0, "clause": 0, "title": 0}
            continue
        if cur is None:
            if word not in PROFILE_DIRECTIVES:
                errs.append("%s: unknown profile directive %s" % (where, word))
            elif word == "class" and not re.match(r"^[a-z0-9-]+ [0-9]+$", val):
                errs.append("%s: class FAMILY RANK" % where)
            elif word == "inventory" and val != "certificates":
                errs.append("%s: inventory certificates" % where)
            elif not val:
                errs.append("%s: %s without a value" % (where, word))
            continue
        if word not in RULE_DIRECTIVES:
            errs.append("%s: unknown rule directive %s" % (where, word))
            continue
        if not val:
            errs.append("%s: %s without a value" % (where, word))
            continue
        if word in rules[cur]:
            rules[cur][word] += 1
        if word == "scope" and val not in ("all", "external", "internal"):
            errs.append("%s: scope all|external|internal" % where)
        if word == "check":
            parts = val.split()
            e = check_args(parts[0], parts[1:])
            if e:
                errs.append("%s: %s" % (where, e))
    if first:
        errs.append("%s: empty profile" % base)
    for r, n in rules.items():
        if n["check"] != 1:
            errs.append("%s: rule %s has %d check lines (exactly one)" % (base, r, n["check"]))
        if n["clause"] < 1:
            errs.append("%s: rule %s has no clause" % (base, r))
        if n["title"] < 1:
            errs.append("%s: rule %s has no title" % (base, r))
    if not rules:
        errs.append("%s: no rules" % base)
    return errs


# ---------------------------------------------------------------- writing
class Profile:
    def __init__(self, name, srcfile):
        self.name = name
        self.lines = [SPDX,
                      "# %s.profile: generated by tools/gen-profiles.py from tools/refdata/%s; do not edit."
                      % (name, srcfile),
                      "# Format and check vocabulary: the profile file format v1 (issue 19 part 1).",
                      "",
                      "profile " + name]

        self.body = []

    def d(self, word, val):
        """A profile directive (before the first rule, whenever it is added)."""
        self.lines.append("%s %s" % (word, val))

    def rule(self, rid, clause, title, check, scope=None):
        self.body += ["", "rule " + rid, "clause " + clause, "title " + title]
        if scope:
            self.body.append("scope " + scope)
        self.body.append("check " + check)

    def text(self):
        return "\n".join(self.lines + self.body) + "\n"


# ---------------------------------------------------------------- Mozilla
MOZ_VERSION = {"TLSv1": "TLSv1.0", "TLSv1.1": "TLSv1.1", "TLSv1.2": "TLSv1.2", "TLSv1.3": "TLSv1.3"}
MOZ_CURVE = {"X25519": "x25519", "X448": "x448", "prime256v1": "secp256r1",
             "secp384r1": "secp384r1", "secp521r1": "secp521r1",
             "X25519MLKEM768": "X25519MLKEM768", "SecP256r1MLKEM768": "SecP256r1MLKEM768",
             "SecP384r1MLKEM1024": "SecP384r1MLKEM1024"}
MOZ_CURVE_BITS = {"prime256v1": 256, "secp384r1": 384, "secp521r1": 521}
MOZ_SIG_HASH = {"sha256WithRSAEncryption": "sha256", "sha384WithRSAEncryption": "sha384",
                "sha512WithRSAEncryption": "sha512", "sha1WithRSAEncryption": "sha1",
                "ecdsa-with-SHA256": "sha256", "ecdsa-with-SHA384": "sha384",
                "ecdsa-with-SHA512": "sha512", "ecdsa-with-SHA1": "sha1"}
MOZ_RANK = {"modern": 1, "intermediate": 2, "old": 3}
HASH_ORDER = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"]


def fail(msg):
    sys.exit("gen-profiles: " + msg)


def mozilla(level, srcfile):
    with rd(srcfile) as f:
        doc = json.load(f)
    ver = str(doc["version"])
    href = doc.get("href") or "https://ssl-config.mozilla.org/guidelines/%s.json" % ver
    conf = doc["configurations"][level]
    cite = 'Mozilla Server Side TLS %s, "%s": ' % (ver, level)
    p = Profile("mozilla-" + level, srcfile)
    p.d("title", "Mozilla Server Side TLS guidelines, %s configuration" % level)
    p.d("version", ver + (" (6.0 has no old configuration; 5.8 is the last with one)" if level == "old" else ""))
    p.d("source", "%s (tools/refdata/%s)" % (href, srcfile))
    p.d("note", "not judged passively: server_preferred_order, hsts_min_age, certificate lifespan "
                "(maximum_certificate_lifespan, recommended_certificate_lifespan), and which versions, "
                "suites and groups a server supports beyond those its observed handshakes negotiated")
    p.d("class", "mozilla %d" % MOZ_RANK[level])

    vers = []
    for v in conf["tls_versions"]:
        if v not in MOZ_VERSION:
            fail("%s %s: unknown tls_versions entry %r" % (srcfile, level, v))
        vers.append(MOZ_VERSION[v])
    p.rule("tls_versions", cite + "tls_versions = " + ", ".join(conf["tls_versions"]),
           "negotiated protocol version is one the configuration lists",
           "versions " + " ".join(vers))

    c = conf.get("ciphers", {})
    iana, ossl = c.get("iana", []), c.get("openssl", [])
    if len(iana) != len(ossl):
        fail("%s %s: ciphers.iana and ciphers.openssl differ in length" % (srcfile, level))
    suites = list(conf.get("ciphersuites", [])) + list(iana)
    what = ["ciphersuites (TLS 1.3) = " + ", ".join(conf.get("ciphersuites", []))]
    what.append("ciphers.iana (TLS 1.2 and earlier) = " + (", ".join(iana) if iana else "none"))
    p.rule("ciphers", cite + "; ".join(what),
           "negotiated cipher suite is one the configuration lists",
           "suites " + " ".join(suites))

    grps = []
    for g in conf["tls_curves"]:
        if g not in MOZ_CURVE:
            fail("%s %s: no IANA name known for tls_curves entry %r" % (srcfile, level, g))
        grps.append(MOZ_CURVE[g])
    p.rule("tls_curves", cite + "tls_curves = " + ", ".join(conf["tls_curves"])
           + " (IANA names: " + ", ".join(grps) + ")",
           "negotiated key exchange group is one the configuration lists",
           "groups " + " ".join(grps))

    if conf.get("dh_param_size") is not None:
        p.rule("dh_param_size", cite + "dh_param_size = %d" % conf["dh_param_size"],
               "finite-field DHE group has at least %d bits" % conf["dh_param_size"],
               "dh_min_bits %d" % conf["dh_param_size"])

    curves = conf.get("certificate_curves", [])
    for cv in curves:
        if cv not in MOZ_CURVE_BITS:
            fail("%s %s: unknown certificate_curves entry %r" % (srcfile, level, cv))
    ec = min(MOZ_CURVE_BITS[cv] for cv in curves) if curves else conf.get("ecdh_param_size")
    if ec is None:
        fail("%s %s: no certificate_curves and no ecdh_param_size" % (srcfile, level))
    if conf.get("ecdh_param_size") is not None and conf["ecdh_param_size"] != ec:
        fail("%s %s: ecdh_param_size %s disagrees with certificate_curves" % (srcfile, level, conf["ecdh_param_size"]))
    rsa = conf.get("rsa_key_size")
    types = conf.get("certificate_types", [])
    clause = cite + "certificate_types = %s; rsa_key_size = %s; certificate_curves = %s; ecdh_param_size = %s" % (
        ", ".join(types), "null" if rsa is None else rsa, ", ".join(curves),
        conf.get("ecdh_param_size"))
    if rsa is None:
        if "rsa" in types:
            fail("%s %s: rsa certificate type without rsa_key_size" % (srcfile, level))
        # no RSA certificate in this configuration: the vocabulary has no
        # certificate-type check, so the RSA bound is 0 and a note says so
        p.d("note", "certificate_types lists only %s: an RSA leaf certificate does not meet this "
                    "configuration, but no check in the vocabulary judges the certificate type "
                    "(rule certificate_key judges EC keys only; its RSA bound is 0)" % ", ".join(types))
        rsa = 0
        title = "leaf EC key is at least %d bits (RSA certificates are not part of this configuration)" % ec
    else:
        title = "leaf key is at least %d bits (RSA) or %d bits (EC)" % (rsa, ec)
    p.rule("certificate_key", clause, title, "cert_key_min %d %d" % (rsa, ec))

    hashes = set()
    for s in conf.get("certificate_signatures", []):
        if s not in MOZ_SIG_HASH:
            fail("%s %s: unknown certificate_signatures entry %r" % (srcfile, level, s))
        hashes.add(MOZ_SIG_HASH[s])
    hashes = [h for h in HASH_ORDER if h in hashes]
    p.rule("certificate_signatures", cite + "certificate_signatures = "
           + ", ".join(conf.get("certificate_signatures", [])),
           "leaf certificate signature hash is one the configuration's signature algorithms use",
           "cert_sig_hash " + " ".join(hashes))

    if conf.get("ocsp_staple"):
        p.rule("ocsp_staple", cite + "ocsp_staple = true",
               "the server staples an OCSP response when the client asks (status_request)",
               "ocsp_stapling")
    return p


# ---------------------------------------------------------------- BSI TR-02102-2
BSI_DIR = "bsi-tr-02102-2"
BSI_FILES = ["TR-02102-2-SPECIFICATION.xml", "TR-02102-2-TLS1.2-PARAMETERS.xml",
             "TR-02102-2-TLS1.3-PARAMETERS.xml", "TR-02102-2-TLS-MINIMUM-KEY-LENGTH.xml",
             "TR-02102-2-TLS-ELLIPTIC-CURVES.xml"]
BSI_VERSION = {"TLSv1.2": "TLSv1.2", "TLSv1.3": "TLSv1.3"}
BSI_HASH = re.compile(r"_(sha256|sha384|sha512|sha224|sha1)$")


def bsi_raw(name):
    with rd(BSI_DIR + "/" + name) as f:
        return f.read()


def bsi_xml(name):
    # the specification includes the other files as external entities
    # (&TLS1.2-PARAMETERS; ...): they are read separately, so drop the references
    return ET.fromstring(re.sub(r"&[A-Za-z][A-Za-z0-9.-]*;", "", bsi_raw(name)))


def until(text):
    m = re.match(r"^\s*(\d{4})\+?\s*$", text or "")
    if not m:
        fail("bsi: bad UseUntil %r" % text)
    return int(m.group(1))


def usable(el):
    return until(el.findtext("UseUntil")) >= USABLE_FROM


def chapter_comment(raw, tag):
    """The "Chapter X" and "Table N" comments just before <tag ...>."""
    i = raw.find("<" + tag)
    if i < 0:
        fail("bsi: no <%s>" % tag)
    head = raw[:i]
    ch = re.findall(r"<!--\s*Chapter\s+([\d.]+)", head)
    tb = re.findall(r"<!--\s*Tab\w*\s+(\d+)", head)
    return (ch[-1] if ch else None), (tb[-1] if tb else None)


def bsi():
    src = BSI_DIR + "/*.xml"
    p = Profile("bsi-tr-02102-2", src)
    spec = bsi_xml("TR-02102-2-SPECIFICATION.xml")
    t12raw, t13raw = bsi_raw("TR-02102-2-TLS1.2-PARAMETERS.xml"), bsi_raw("TR-02102-2-TLS1.3-PARAMETERS.xml")
    t12, t13 = ET.fromstring(t12raw), ET.fromstring(t13raw)
    keys_raw = bsi_raw("TR-02102-2-TLS-MINIMUM-KEY-LENGTH.xml")
    keys = ET.fromstring(keys_raw)
    curves_raw = bsi_raw("TR-02102-2-TLS-ELLIPTIC-CURVES.xml")
    curves = ET.fromstring(curves_raw)

    p.d("title", "BSI TR-02102-2, Cryptographic Mechanisms: Recommendations and Key Lengths, "
                 "Part 2 - Use of Transport Layer Security (TLS)")
    p.d("version", "as encoded by BSI TaSK (%s, specification version %s); the XML does not name the "
                   "edition of the TR; entries kept when usable in %d or later (UseUntil)"
        % (spec.findtext("Metadata/Title"), spec.findtext("Metadata/Version"), USABLE_FROM))
    p.d("source", "https://www.bsi.bund.de/EN/Themen/Unternehmen-und-Organisationen/Standards-und-Zertifizierung/"
                  "Technische-Richtlinien/TR-nach-Thema-sortiert/tr02102/tr02102_node.html "
                  "(requirements as data: BSI-Bund/TaSK task/data/specification/ApplicationSpecifications/"
                  "TR-02102-2/, copied to tools/refdata/%s)" % src)
    p.d("note", "not expressible in the check vocabulary or not judged passively: the forbidden TLS 1.2 "
                "features of chapter 3.3.4 (client-initiated renegotiation 3.3.4.1, truncated_hmac 3.3.4.2, "
                "TLS compression 3.3.4.3, heartbeat 3.3.4.6), the TLS 1.3 PSK modes of 3.4.1 (psk_ke, "
                "without DHE), the handshake signature schemes (3.3.3, 3.4.3), and what a server supports "
                "beyond what its observed handshakes negotiated")
    p.d("note", "rule versions: the TaSK XML names no chapter for the protocol versions (TLSVersions "
                "of its specification); the TR treats them in chapter 3.2 according to the stfbk TLS "
                "compliance dataset (section number not verified against the TR itself)")

    vers = [v.text.strip() for v in spec.findall("FurtherSpecifications/TLSVersions/TLSVersion")]
    use = spec.find("FurtherSpecifications/TLSVersions").get("use")
    for v in vers:
        if v not in BSI_VERSION:
            fail("bsi: unknown TLSVersion %r" % v)
    p.rule("versions", "TR-02102-2 (TaSK TLSSpecification, TLSVersions use=%s): %s"
           % (use, ", ".join(vers)),
           "negotiated protocol version is TLS 1.2 or TLS 1.3",
           "versions " + " ".join(BSI_VERSION[v] for v in vers))

    suites, cl = [], []
    tables = {"3.3.1.1": "Table 1", "3.3.1.2": "Table 2", "3.3.1.3": "Table 3", "3.4.4": "Table 12"}
    for doc, label in ((t12, "TLS 1.2"), (t13, "TLS 1.3")):
        for cs in doc.findall("CipherSuites"):
            ref = cs.get("reference")
            kept, dropped = [], []
            for s in cs.findall("CipherSuite"):
                n = s.findtext("Description").strip()
                (kept if usable(s) else dropped).append(n)
            for n in kept:
                if n not in suites:
                    suites.append(n)
            kind = cs.get("type")
            desc = "%s %s (%s%s)" % (label, ref, tables.get(ref, "table ?"), ", " + kind if kind else "")
            desc += ": %d suites" % len(kept)
            if dropped:
                desc += " (%d with UseUntil before %d left out)" % (len(dropped), USABLE_FROM)
            cl.append(desc)
    p.rule("cipher-suites", "TR-02102-2 chapters 3.3.1 (TLS 1.2) and 3.4.4 (TLS 1.3), recommended cipher "
           "suites usable in %d or later: " % USABLE_FROM + "; ".join(cl),
           "negotiated cipher suite is one the TR recommends (TLS 1.2 tables 1-3, TLS 1.3 table 12)",
           "suites " + " ".join(suites))

    groups, cl = [], []
    for doc, label, tb in ((t12, "TLS 1.2", "Table 5"), (t13, "TLS 1.3", "Table 9")):
        for sg in doc.findall("Supported_Groups"):
            kept, dropped = [], []
            for g in sg.findall("DHGroup"):
                n = g.findtext("Description").strip()
                (kept if usable(g) else dropped).append(n)
            for n in kept:
                if n not in groups:
                    groups.append(n)
            desc = "%s %s (%s): %s" % (label, sg.get("reference"), tb, ", ".join(kept))
            if dropped:
                desc += " (left out, UseUntil before %d: %s)" % (USABLE_FROM, ", ".join(dropped))
            cl.append(desc)
    ch, _ = chapter_comment(curves_raw, "ECC")
    ecc = [e.findtext("Description").strip() for e in curves.findall("ECC") if usable(e)]
    missing = [e for e in ecc if e not in groups]
    if missing:
        fail("bsi: curves of chapter %s not in the supported groups tables: %s" % (ch, missing))
    p.rule("groups", "TR-02102-2 recommended groups usable in %d or later: " % USABLE_FROM
           + "; ".join(cl) + "; elliptic curves of chapter %s: %s" % (ch, ", ".join(ecc)),
           "negotiated key exchange group is one the TR recommends",
           "groups " + " ".join(groups))

    ch, tb = chapter_comment(keys_raw, "MinimumKeyLengths")
    mins = {}
    for alg in keys.findall("MinimumKeyLengths/Algorithm"):
        ok = [int(m.text) for m in alg.findall("MinimumKeyLength") if until(m.get("UseUntil")) >= USABLE_FROM]
        if not ok:
            fail("bsi: no minimum key length for %s usable in %d" % (alg.get("type"), USABLE_FROM))
        mins[alg.get("type")] = min(ok)
    where = "TR-02102-2 chapter %s, Table %s (minimum key lengths, usable in %d or later)" % (ch, tb, USABLE_FROM)
    p.rule("dh-key-length", "%s: DH %d bits" % (where, mins["DH"]),
           "finite-field DHE group has at least %d bits" % mins["DH"],
           "dh_min_bits %d" % mins["DH"])
    rsa = max(mins["RSA"], mins["DSA"])
    p.rule("certificate-key-length", "%s: RSA %d, DSA %d, ECDSA %d bits" % (where, mins["RSA"], mins["DSA"], mins["ECDSA"]),
           "leaf key is at least %d bits (RSA/DSA) or %d bits (EC)" % (rsa, mins["ECDSA"]),
           "cert_key_min %d %d" % (rsa, mins["ECDSA"]))

    kept, dropped = [], []
    for s in t13.findall("SignatureAlgorithmsCertificate/SignatureScheme"):
        (kept if usable(s) else dropped).append(s.findtext("Description").strip())
    ch, tb = chapter_comment(t13raw, "SignatureAlgorithmsCertificate")
    hashes = set()
    for n in kept:
        m = BSI_HASH.search(n)
        if not m:
            fail("bsi: no hash in signature scheme %r" % n)
        hashes.add(m.group(1))
    hashes = [h for h in HASH_ORDER if h in hashes]
    clause = ("TR-02102-2 chapter %s, Table %s (signature schemes for certificates, signature_algorithms_cert), "
              "usable in %d or later: %s" % (ch, tb, USABLE_FROM, ", ".join(kept)))
    if dropped:
        clause += " (left out, UseUntil before %d: %s)" % (USABLE_FROM, ", ".join(dropped))
    p.rule("certificate-signature-hash", clause,
           "leaf certificate signature uses one of the hashes of the recommended schemes",
           "cert_sig_hash " + " ".join(hashes))
    p.d("note", "certificate-signature-hash judges the hash only: the TR recommends RSA certificate "
                "signatures with PKCS #1 v1.5 (rsa_pkcs1_*) only until 2025, which the vocabulary "
                "cannot tell from RSA-PSS")
    return p


# ---------------------------------------------------------------- main
def main():
    if CHECK is not None:
        errs = []
        for fn in CHECK:
            with open(fn, encoding="utf-8") as f:
                errs += validate(f.read(), fn)
        for e in errs:
            print("gen-profiles: " + e, file=sys.stderr)
        if errs:
            sys.exit(1)
        print("checked %d profile(s)" % len(CHECK))
        return
    profs = [mozilla("modern", "mozilla/guidelines-latest.json"),
             mozilla("intermediate", "mozilla/guidelines-latest.json"),
             mozilla("old", "mozilla/guidelines-5.8.json"),
             bsi()]
    errs = []
    for p in profs:
        errs += validate(p.text(), p.name + ".profile")
    if errs:
        for e in errs:
            print("gen-profiles: " + e, file=sys.stderr)
        sys.exit(1)
    os.makedirs(OUTDIR, exist_ok=True)
    for p in profs:
        with open(os.path.join(OUTDIR, p.name + ".profile"), "w", encoding="utf-8") as f:
            f.write(p.text())
    print("wrote %d profiles" % len(profs))


if __name__ == "__main__":
    main()
