#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tshark-pq.sh — tshark as an independent oracle for the export's tls.pq
# object (issue 19, docs/TLS.md "pq"): for every TLS handshake over TCP in
# pcaps/pq/, pcaps/tls/ and pcaps/tls-crafted/, tshark's first ClientHello
# (tls.handshake.extensions_supported_group, ..._key_share_group), its
# HelloRetryRequest (..._key_share_selected_group), the retried ClientHello's
# key shares and the ServerHello's key share group give the post-quantum
# groups offered, the key shares sent, the group a HelloRetryRequest asked
# for and the group selected; the export's pq lists, read back to code
# points through the IANA Supported Groups registry (tools/refdata), must be
# the same. Post-quantum: the registry's MLKEM and Kyber entries.
. "$SRCDIR/tests/lib.sh"
t_oracle_needs tshark python3

REG=$SRCDIR/tools/refdata/iana/tls-parameters-8.csv
nflows=0
for f in "$SRCDIR"/pcaps/pq/*.pcap "$SRCDIR"/pcaps/tls/*.pcap "$SRCDIR"/pcaps/tls-crafted/*.pcap; do
	n=$(basename "$f")
	db=$(t_capture "$f")
	"$WIREAUDIT" export -d "$db" > "$T_TMP/e.jsonl" 2>/dev/null
	# -2: two passes, so a HelloRetryRequest is told from a ServerHello
	tshark -2 -r "$f" -Y "tcp && (tls.handshake.type == 1 || tls.handshake.type == 2)" -T fields -E separator='|' \
		-e tcp.srcport -e tcp.dstport -e tls.handshake.type -e tls.handshake.random \
		-e tls.handshake.extensions_supported_group -e tls.handshake.extensions_key_share_group \
		-e tls.handshake.extensions_key_share_selected_group 2>/dev/null > "$T_TMP/t.txt"
	res=$(python3 - "$REG" "$T_TMP/t.txt" "$T_TMP/e.jsonl" <<'PY'
import csv, json, sys
reg = {}
for r in csv.DictReader(open(sys.argv[1], newline="")):
    if r["Value"].strip().isdigit():
        reg[r["Description"].strip().replace(" (OBSOLETE)", "")] = int(r["Value"])
pq = {v for d, v in reg.items() if "MLKEM" in d or "Kyber" in d}
HRR = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"

def nums(s):
    return [int(x, 0) for x in s.replace(",", " ").split()] if s else []

# tshark: per client port, the first ClientHello, HRR, retry, ServerHello
ts = {}
for line in open(sys.argv[2]):
    sp, dp, typ, rnd, groups, ks, sel = (line.rstrip("\n").split("|") + [""] * 7)[:7]
    types = typ.split(",")
    if "1" in types:
        st = ts.setdefault(int(sp), {"off": None, "ks": [], "hrr": None, "sel": None})
        if st["off"] is None:
            st["off"] = [g for g in nums(groups) if g in pq]
        st["ks"] += [g for g in nums(ks) if g in pq]
    if "2" in types:
        st = ts.setdefault(int(dp), {"off": None, "ks": [], "hrr": None, "sel": None})
        if rnd.replace(":", "").lower() == HRR:
            g = nums(sel)
            st["hrr"] = g[0] if g and g[0] in pq else None
        else:
            g = nums(ks)
            st["sel"] = g[0] if g and g[0] in pq else None
ours = {}
for line in open(sys.argv[3]):
    o = json.loads(line)
    t = o.get("tls")
    if not t or o.get("transport") != "tcp":
        continue
    p = t["pq"]
    code = lambda n: reg.get(n, n)
    ours[o["client_port"]] = {"off": [code(x) for x in p["groups_offered"]],
                              "ks": [code(x) for x in p["key_shares_sent"]],
                              "hrr": code(p["hrr_requested"]) if p["hrr_requested"] else None,
                              "sel": code(p["selected"]) if p["selected"] else None}
bad = []
for port, st in ts.items():
    if st["off"] is None:
        continue  # a ServerHello whose ClientHello tshark did not see
    st["off"] = st["off"] or []
    if ours.get(port) != st:
        bad.append("%d tshark %s ours %s" % (port, st, ours.get(port)))
n = sum(1 for st in ts.values() if st["off"] is not None)
print("%d %d %s" % (n, len(bad), "; ".join(bad)))
PY
)
	set -- ${res:-0 1 the comparison failed}
	nflows=$((nflows + $1))
	t_is "$2" 0 "$n: the pq groups offered, key shares, HelloRetryRequest and selected group equal tshark's in $1 handshakes${3:+ ($res)}"
done
t_is "$nflows" 49 "handshakes compared (every TLS-over-TCP ClientHello tshark sees in the three folders)"
t_done
