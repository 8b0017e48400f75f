#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tshark-connect.sh — tshark as an independent oracle for HTTP CONNECT
# (dissectors/http.c, issue 18): for every flow of pcaps/connect/ (matched
# on the client port), compare with `wireaudit export`:
#   http.request.method == "CONNECT", http.request.uri
#                           method, connect_host ":" connect_port
#   http.response.code      status (first response), connect_status (the
#                           answer to the CONNECT)
#   http.proxy_authorization  its scheme, lower-cased = proxy_auth_scheme
#                           (only the scheme leaves tshark: the rest is the
#                           credential)
#   http.proxy_authenticate  its scheme = auth_challenge
#   tls.handshake.type 1/2  tshark sees a handshake in the tunnel exactly
#                           when connect_tunnel is "tls" and the flow has a
#                           tls object (tshark-tls.sh compares its fields)
# Zero disagreements: one TAP line per capture, and at least one capture.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark jq

n=0
for pcap in "$SRCDIR"/pcaps/connect/*.pcap; do
	[ -f "$pcap" ] || continue
	n=$((n + 1))
	name=$(basename "$pcap")
	db="$T_TMP/$name.db"
	"$WIREAUDIT" capture -q -r "$pcap" -d "$db" 2>/dev/null
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl" 2>/dev/null
	# the scheme only: the rest of a Basic Proxy-Authorization is the password
	tshark -r "$pcap" -Y "http || tls.handshake.type == 1 || tls.handshake.type == 2" -T fields \
		-E occurrence=f -E separator=/t -e tcp.srcport -e tcp.dstport -e http.request.method \
		-e http.request.uri -e http.response.code -e http.proxy_authorization \
		-e http.proxy_authenticate -e tls.handshake.type 2>/dev/null |
		awk -F '\t' 'BEGIN { OFS = "\t" } { split($6, a, " "); $6 = a[1]; split($7, b, " "); $7 = b[1]; print }' \
		> "$T_TMP/$name.tshark"
	out=$(python3 - "$T_TMP/$name.jsonl" "$T_TMP/$name.tshark" <<'EOF'
import json, sys

ours = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    ours[r["client_port"]] = r
conns = {}   # client port -> what tshark saw
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    f += [""] * (8 - len(f))
    sp, dp, meth, uri, code, pauth, pchal, hs = f[:8]
    sp, dp = int(sp), int(dp)
    srv = sp in (3128, 8888)
    c = conns.setdefault(dp if srv else sp, {"methods": [], "uris": [], "codes": [], "pauth": [], "pchal": [], "hs": False})
    if meth:
        c["methods"].append(meth); c["uris"].append(uri)
    if code:
        c["codes"].append(int(code))
    if pauth:
        c["pauth"].append(pauth.lower())
    if pchal and len(c["codes"]) == 1:
        c["pchal"].append(pchal.lower())
    if hs:
        c["hs"] = True
problems, compared = [], 0
def cmp(what, got, want):
    global compared
    compared += 1
    if got != want:
        problems.append("%s: ours %r, tshark %r" % (what, got, want))
for port, c in sorted(conns.items()):
    r = ours.get(port)
    if r is None:
        problems.append("client port %d: no flow of ours" % port)
        continue
    d = (r.get("cleartext") or {}).get("details") or {}
    if "CONNECT" not in c["methods"]:
        problems.append("client port %d: tshark sees no CONNECT" % port)
        continue
    cmp("%d method" % port, d.get("method"), c["methods"][0])
    cmp("%d methods" % port, d.get("methods"), c["methods"])
    uri = c["uris"][c["methods"].index("CONNECT")]
    cmp("%d connect target" % port, "%s:%s" % (d.get("connect_host"), d.get("connect_port")), uri)
    cmp("%d status" % port, d.get("status"), c["codes"][0] if c["codes"] else None)
    cmp("%d connect_status" % port, d.get("connect_status"), c["codes"][-1] if c["codes"] else None)
    cmp("%d proxy_auth_scheme" % port, d.get("proxy_auth_scheme"), c["pauth"][-1] if c["pauth"] else None)
    cmp("%d auth_challenge" % port, d.get("auth_challenge"), c["pchal"] or None)
    cmp("%d tls in the tunnel" % port, (d.get("connect_tunnel") == "tls", r.get("tls") is not None), (c["hs"], c["hs"]))
    cmp("%d protocol" % port, r.get("protocol"), "http")
for port in ours:
    if port not in conns:
        problems.append("client port %d: tshark sees no HTTP" % port)
print("\n".join(problems))
print("compared %d" % compared)
EOF
)
	last=$(printf '%s\n' "$out" | tail -1)
	bad=$(printf '%s\n' "$out" | sed '$d' | grep -c . || true)
	t_ok "$bad" "$name: tshark agrees on CONNECT ($last)"
	[ "$bad" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
done
t_ok "$([ "$n" -ge 8 ]; echo $?)" "pcaps/connect holds the 8 captures ($n)"
t_done
