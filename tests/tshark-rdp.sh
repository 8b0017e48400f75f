#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tshark-rdp.sh — tshark as an independent oracle for the RDP dissector:
# for every RDP flow of pcaps/rdp/ (matched on the client port), compare
# with `wireaudit export` (tshark decoding tcp.port 3389 as TPKT):
#   rdp.rt_cookie                        cleartext.user ("Cookie: mstshash=NAME")
#   rdp.negReq.requestedProtocols        rdp_requested_protocols (and
#                                        rdp_neg_request: present or not)
#   rdp.negReq.selectedProtocol (tshark 4.0 files RDP_NEG_RSP's field under
#   negReq), a CC TPDU without it        rdp_selected_protocol (by name;
#                                        "rdp" for a CC without negotiation)
#   rdp.negFailure.failureCode           rdp_neg_failure_code
#   rdp.encryptionMethods (CS_SECURITY)  rdp_client_encryption_methods
#   rdp.encryptionMethod, rdp.encryptionLevel (SC_SECURITY)
#                                        rdp_encryption_method / _level
# and, for a flow whose selected protocol is TLS-based, tshark decoding
# the packets after the Connection Confirm as TLS (tshark 4.0 does not hand
# RDP over to TLS itself): the ServerHello's version (supported_versions
# first) and cipher suite against tls.version and tls.cipher_id.
# Zero disagreements: one TAP line per capture, details on failure, a last
# line with the number of facts compared.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark python3

total=0
for pcap in "$SRCDIR"/pcaps/rdp/*.pcap; do
	[ -f "$pcap" ] || continue
	name=$(basename "$pcap")
	db="$T_TMP/$name.db"
	"$WIREAUDIT" capture -q -r "$pcap" -d "$db" 2>/dev/null
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl" 2>/dev/null
	tshark -r "$pcap" -d tcp.port==3389,tpkt -Y 'rdp or cotp.type == 0x0d' -T fields \
		-E occurrence=f -E separator=/t -e frame.number -e tcp.srcport -e tcp.dstport -e cotp.type \
		-e rdp.rt_cookie -e rdp.neg_type -e rdp.negReq.requestedProtocols -e rdp.negReq.selectedProtocol \
		-e rdp.negFailure.failureCode -e rdp.encryptionMethods -e rdp.encryptionMethod \
		-e rdp.encryptionLevel >"$T_TMP/$name.rdp" 2>/dev/null
	# TLS after the CC, per client port: every packet after the last CC frame
	: >"$T_TMP/$name.tls"
	last=$(awk -F'\t' '$4 == "0x0d" { n = $1 } END { print n + 0 }' "$T_TMP/$name.rdp")
	if [ "$last" -gt 0 ]; then
		tshark -r "$pcap" -Y "frame.number > $last" -w "$T_TMP/$name.after" 2>/dev/null
		tshark -r "$T_TMP/$name.after" -d tcp.port==3389,tls -Y 'tls.handshake.type == 2' -T fields \
			-E occurrence=f -E separator=/t -e tcp.dstport -e tls.handshake.version \
			-e tls.handshake.extensions.supported_version -e tls.handshake.ciphersuite \
			>"$T_TMP/$name.tls" 2>/dev/null
	fi
	out=$(python3 - "$T_TMP/$name.jsonl" "$T_TMP/$name.rdp" "$T_TMP/$name.tls" <<'PY'
import json, sys

PROTO = {0: "rdp", 1: "tls", 2: "hybrid", 4: "rdstls", 8: "hybrid_ex", 16: "rdsaad"}
METHOD = {0: "none", 1: "40bit", 2: "128bit", 8: "56bit", 16: "fips"}
LEVEL = ["none", "low", "client_compatible", "high", "fips"]
TLSV = {0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
ours = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["protocol"] == "rdp":
        ours[r["client_port"]] = r
theirs = {}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    f += [""] * (12 - len(f))
    num, sport, dport, cotp, cookie, ntype, req, sel, fail, cmeth, meth, lvl = f[:12]
    c2s = int(dport) == 3389
    t = theirs.setdefault(int(sport) if c2s else int(dport), {})
    if c2s and cotp == "0x0e":
        t["neg_request"] = ntype == "0x01"
        if cookie.startswith("Cookie: mstshash="):
            t["user"] = cookie[len("Cookie: mstshash="):]
        if req:
            t["requested"] = int(req, 16)
    if not c2s and cotp == "0x0d":
        if sel:
            t["selected"] = PROTO.get(int(sel, 16), "0x%08x" % int(sel, 16))
        elif fail:
            t["failure_code"] = int(fail, 16)
        else:
            t["selected"] = "rdp"
    if cmeth:
        t["client_methods"] = int.from_bytes(bytes.fromhex(cmeth)[:4], "little")
    if meth:
        t["method"] = METHOD.get(int(meth, 16))
        t["level"] = LEVEL[int(lvl, 16)]
for line in open(sys.argv[3]):
    f = line.rstrip("\n").split("\t")
    f += [""] * (4 - len(f))
    port, ver, sv, suite = f[:4]
    t = theirs.setdefault(int(port), {})
    t["tls_version"] = TLSV.get(int(sv or ver, 16))
    t["tls_cipher_id"] = int(suite, 16)
bad, n = [], 0
if set(ours) != set(theirs):
    bad.append("flows: ours %s, tshark %s" % (sorted(ours), sorted(theirs)))
for port, t in sorted(theirs.items()):
    r = ours.get(port)
    if r is None:
        continue
    d = (r.get("cleartext") or {}).get("details") or {}
    tls = r.get("tls") or {}
    got = {
        "neg_request": d.get("rdp_neg_request"),
        "user": (r.get("cleartext") or {}).get("user"),
        "requested": d.get("rdp_requested_protocols"),
        "selected": d.get("rdp_selected_protocol"),
        "failure_code": d.get("rdp_neg_failure_code"),
        "client_methods": d.get("rdp_client_encryption_methods"),
        "method": d.get("rdp_encryption_method"),
        "level": d.get("rdp_encryption_level"),
        "tls_version": tls.get("version"),
        "tls_cipher_id": tls.get("cipher_id"),
    }
    for k, v in got.items():
        want = t.get(k)
        n += 1
        if v != want:
            bad.append("port %d %s: ours %r, tshark %r" % (port, k, v, want))
print(n)
for b in bad:
    print(b)
PY
)
	n=$(printf '%s\n' "$out" | head -1)
	diffs=$(printf '%s\n' "$out" | tail -n +2)
	total=$((total + ${n:-0}))
	t_is "$diffs" "" "$name: $n facts agree with tshark"
done
t_ok "$([ "$total" -gt 0 ] && echo 0 || echo 1)" "$total facts compared in all"
t_done
