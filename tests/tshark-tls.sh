# SPDX-License-Identifier: BSD-3-Clause
# tshark-tls.sh — tshark as an independent oracle for the TLS dissector: for
# every handshake in pcaps/tls/, pcaps/tls-crafted/ and pcaps/connect/ (TLS
# inside HTTP CONNECT tunnels: tshark follows the tunnel on its own, we by
# the hand-off of dissectors/http.c; SSLv2-format records excepted: tshark
# has no tls.handshake fields for them), compare with
# `wireaudit export`, per flow (matched on the client port):
#   ClientHello  SNI, ALPN list, offered versions (supported_versions),
#                offered cipher suites (GREASE included, in wire order)
#   ServerHello  legacy version, negotiated version, cipher suite
#   Certificate  per certificate (server and client chains, in order):
#                serial, subject, issuer, notBefore, notAfter
# Zero disagreements: one TAP line per capture, details on failure.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark

for pcap in "$SRCDIR"/pcaps/tls/*.pcap "$SRCDIR"/pcaps/tls-crafted/*.pcap "$SRCDIR"/pcaps/connect/*.pcap; do
	[ -f "$pcap" ] || continue
	name=$(basename "$pcap")
	# no TLS in these (a 407, a 403, plain HTTP in the tunnel: tests/tshark-connect.sh)
	case "$name" in quic-*|sslv2-hello.pcap|connect-noauth-407.pcap|connect-refused-403.pcap|connect-open-not-tls.pcap) continue ;; esac
	db="$T_TMP/$name.db"
	"$WIREAUDIT" capture -q -r "$pcap" -d "$db" --ca-file "$SRCDIR/pcaps/tls/test-ca.pem" 2>/dev/null
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl" 2>/dev/null
	tshark -r "$pcap" -Y "tls.handshake.type==1 || tls.handshake.type==2" -T fields \
		-E occurrence=a -E aggregator='|' -e tcp.srcport -e tcp.dstport -e tls.handshake.type \
		-e tls.handshake.version -e tls.handshake.ciphersuite -e tls.handshake.extensions_server_name \
		-e tls.handshake.extensions_alpn_str -e tls.handshake.extensions.supported_version \
		-e tls.handshake.cipherspec \
		> "$T_TMP/$name.hello" 2>/dev/null
	tshark -r "$pcap" -Y "tls.handshake.type==11" -V > "$T_TMP/$name.certs" 2>/dev/null
	out=$(python3 - "$T_TMP/$name.jsonl" "$T_TMP/$name.hello" "$T_TMP/$name.certs" <<'EOF'
import json, re, sys

flows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("tls"):
        flows[(r["client_port"], r["server_port"])] = r
errs, checked = [], 0
VN = {0x0300: "SSLv3", 0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
def grease(v): return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)
def flow_for(a, b):
    return flows.get((a, b)) or flows.get((b, a))
seen_ch, seen_sh = set(), set()
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    f += [""] * (9 - len(f))
    sp, dp, types, vers, ciphers, sni, alpn, sv, specs = f[:9]
    r = flow_for(int(sp), int(dp))
    if r is None:
        errs.append("no export flow for %s->%s" % (sp, dp)); continue
    t = r["tls"]
    # one frame may hold several handshakes; tshark aggregates their fields
    for ht in types.split("|"):
        key = (sp, dp, ht)
        if ht == "1" and key not in seen_ch:
            seen_ch.add(key); checked += 1
            if (sni or None) != t.get("sni"):
                errs.append("%s: sni tshark=%r wireaudit=%r" % (sp, sni, t.get("sni")))
            want_alpn = alpn.split("|") if alpn else None
            if want_alpn != t.get("alpn") and not (want_alpn is None and t.get("alpn") in (None, [])):
                errs.append("%s: alpn tshark=%r wireaudit=%r" % (sp, want_alpn, t.get("alpn")))
            if specs:  # SSLv2-format hello: 3-byte CIPHER-SPECs
                if [int(x, 16) for x in specs.split("|")] != t.get("sslv2_cipher_specs"):
                    errs.append("%s: SSLv2 cipher specs differ" % sp)
            else:
                offered = [int(x, 16) for x in ciphers.split("|") if x]
                got = (t.get("grease") or {}).get("ciphers", [])
                mine = t.get("client_ciphers", [])
                if [c for c in offered if not grease(c)] != mine or [c for c in offered if grease(c)] != got:
                    errs.append("%s: client ciphers differ" % sp)
            if sv:
                want_v = [VN.get(int(x, 16), "0x%04x" % int(x, 16)) for x in sv.split("|") if not grease(int(x, 16))]
                if want_v != t.get("client_versions"):
                    errs.append("%s: client versions tshark=%r wireaudit=%r" % (sp, want_v, t.get("client_versions")))
        elif ht == "2" and key not in seen_sh:
            seen_sh.add(key); checked += 1
            legacy = int(vers.split("|")[0], 16)
            cs = int(ciphers.split("|")[0], 16)
            if VN.get(legacy) != t.get("server_legacy_version"):
                errs.append("%s: server legacy version tshark=%s wireaudit=%r" % (dp, VN.get(legacy), t.get("server_legacy_version")))
            neg = VN.get(int(sv.split("|")[-1], 16)) if sv else VN.get(legacy)
            # a HelloRetryRequest is a ServerHello too: the last one wins
            if t.get("hrr") and neg is not None and t.get("version") == "TLSv1.3":
                pass
            elif neg != t.get("version"):
                errs.append("%s: version tshark=%s wireaudit=%r" % (dp, neg, t.get("version")))
            if cs != t.get("cipher_id"):
                errs.append("%s: cipher tshark=0x%04x wireaudit=%r" % (dp, cs, t.get("cipher_id")))

# certificates from the -V text, per Certificate handshake message
AT = {"id-at-commonName": "CN", "id-at-organizationName": "O", "id-at-organizationalUnitName": "OU",
      "id-at-countryName": "C", "id-at-localityName": "L", "id-at-stateOrProvinceName": "ST"}
def dn(s):
    s = s[s.index("(") + 1:s.rindex(")")] if "(" in s else s
    parts = re.findall(r"(id-at-[A-Za-z]+)=([^,]*)", s)
    return ",".join("%s=%s" % (AT.get(k, k), v) for k, v in parts)
def ts(s):
    m = re.match(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)", s)
    return "%sT%sZ" % (m.group(1), m.group(2))
chains = []   # (sport, dport, [cert dicts])
cur = None; in_cert = False; sport = dport = None; pending = None
for line in open(sys.argv[3]):
    m = re.search(r"Transmission Control Protocol, Src Port: (\d+), Dst Port: (\d+)", line)
    if m:
        sport, dport = int(m.group(1)), int(m.group(2)); in_cert = False; continue
    m = re.search(r"Handshake Type: (.*) \((\d+)\)", line)
    if m:
        in_cert = m.group(2) == "11"
        if in_cert:
            cur = []; chains.append((sport, dport, cur))
        continue
    if not in_cert:
        continue
    s = line.strip()
    if s.startswith("serialNumber:"):
        cur.append({"serial": s.split(":", 1)[1].strip()}); continue
    if s.startswith("issuer:"): pending = "issuer"; continue
    if s.startswith("subject:"): pending = "subject"; continue
    if s.startswith("notBefore:"): pending = "not_before"; continue
    if s.startswith("notAfter:"): pending = "not_after"; continue
    if s.startswith("rdnSequence:") and pending in ("issuer", "subject") and cur:
        cur[-1][pending] = dn(s); pending = None; continue
    if (s.startswith("utcTime:") or s.startswith("generalizedTime:")) and pending and cur:
        cur[-1][pending] = ts(s.split(":", 1)[1].strip()); pending = None; continue
for sp, dp, chain in chains:
    r = flow_for(sp, dp)
    if r is None:
        errs.append("certs: no flow %s->%s" % (sp, dp)); continue
    side = "certs" if sp == r["server_port"] else "client_certs"
    mine = r["tls"].get(side) or []
    checked += 1
    if len(mine) != len(chain):
        errs.append("%s: %s count tshark=%d wireaudit=%d" % (sp, side, len(chain), len(mine))); continue
    for i, (a, b) in enumerate(zip(chain, mine)):
        ser = a.get("serial", "").lower().replace("0x", "").lstrip("0")
        if ser != str(b.get("serial", "")).lower().replace(":", "").lstrip("0"):
            errs.append("%s[%d] serial tshark=%s wireaudit=%s" % (side, i, a.get("serial"), b.get("serial")))
        for k in ("subject", "issuer", "not_before", "not_after"):
            if a.get(k) != b.get(k):
                errs.append("%s[%d] %s tshark=%r wireaudit=%r" % (side, i, k, a.get(k), b.get(k)))
print("checked %d" % checked)
for e in errs:
    print("DIFF " + e)
EOF
)
	n=$(printf '%s\n' "$out" | grep -c '^DIFF')
	checked=$(printf '%s\n' "$out" | sed -n 's/^checked //p')
	if [ "${checked:-0}" -gt 0 ] && [ "$n" -eq 0 ]; then
		t_ok 0 "tshark agrees on $name ($checked handshake messages)"
	else
		t_ok 1 "tshark agrees on $name (${checked:-0} checked, $n differences)"
		printf '%s\n' "$out" | grep '^DIFF' | head -10 | sed 's/^/#   /'
	fi
done
t_done
