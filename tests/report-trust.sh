#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# report-trust.sh — server and client certificate chains judged again at
# report time (`report --ca-file/--system-ca`, src/report/trust.c, issue 12).
# The oracle is the capture itself: every TLS capture of pcaps/tls captured
# once WITH the test CA as an anchor (A) and once without any anchor (B);
# B reported with the test CA must say exactly what A says (every status,
# finding, count and evidence), B without it must not. Then a connection
# moved past its certificate's expiry is judged on its own at its own time.
. "$SRCDIR/tests/lib.sh"

W=$WIREAUDIT
CA=$SRCDIR/pcaps/tls/test-ca.pem
args=()
for f in "$SRCDIR"/pcaps/tls/*.pcap; do args+=(-r "$f"); done
"$W" capture -q "${args[@]}" --system-ca none --ca-file "$CA" -d "$T_TMP/A.db" 2>/dev/null
"$W" capture -q "${args[@]}" --system-ca none -d "$T_TMP/B.db" 2>/dev/null
norm() { jq -S 'del(.generated_at, .notes)' "$1"; }
"$W" report -d "$T_TMP/A.db" --level 3 -F json -o "$T_TMP/A.json"
"$W" report -d "$T_TMP/B.db" --level 3 -F json -o "$T_TMP/B0.json"
"$W" report -d "$T_TMP/B.db" --level 3 -F json --system-ca none --ca-file "$CA" -o "$T_TMP/B.json"
t_is $? 6 "report --ca-file runs (exit 6: something fails)"
t_ok "$(cmp -s <(norm "$T_TMP/A.json") <(norm "$T_TMP/B.json"); echo $?)" \
	"judged again with the CA, the anchor-less capture reports exactly what the capture with the CA does"
t_ok "$(! cmp -s <(norm "$T_TMP/A.json") <(norm "$T_TMP/B0.json"); echo $?)" \
	"…and without it, it does not (the capture's verdicts stand)"
v() { jq -r --arg id "$2" '.requirements[] | select(.id == $id) | "\(.status) \(.violating_flows)"' "$1"; }
for id in 12.1.3 12.3.2 12.3.4; do
	t_is "$(v "$T_TMP/B.json" $id)" "$(v "$T_TMP/A.json" $id)" "$id: status and violating flows as with the CA at capture"
done
pairs=$(sqlite3 "$T_TMP/B.db" "SELECT (SELECT count(*) FROM (SELECT DISTINCT server_chain, sni FROM tls
	WHERE server_chain IS NOT NULL)) + (SELECT count(DISTINCT client_chain) FROM tls)")
t_is "$(jq -r '.notes[] | select(startswith("server certificate chains"))' "$T_TMP/B.json")" \
	"server certificate chains judged again at report time against --ca-file/--system-ca: $pairs chain and name pairs, 0 connections one by one" \
	"the report says it judged again, over how many chains"
t_is "$(jq -r '[.notes[] | select(startswith("server certificate chains"))] | length' "$T_TMP/B0.json")" 0 \
	"no such note without the options"

# a connection of the most used chain moved to 2100: its chain has expired
# then, the others' has not, so that pair is judged connection by connection
cp "$T_TMP/B.db" "$T_TMP/C.db"
read -r fid chain n <<<"$(sqlite3 -separator ' ' "$T_TMP/C.db" "SELECT min(t.flow_id), t.server_chain, count(*) FROM tls t
	WHERE t.server_chain IS NOT NULL AND t.chain_trusted = 0 AND t.trust_error = 'unknown_issuer'
	AND t.established GROUP BY t.server_chain, t.sni ORDER BY count(*) DESC LIMIT 1")"
sqlite3 "$T_TMP/C.db" "UPDATE flows SET ts_first = 4102444800000000, ts_last = 4102444800500000 WHERE flow_id = $fid"
"$W" report -d "$T_TMP/C.db" --level 3 -F json --system-ca none --ca-file "$CA" -o "$T_TMP/C.json"
t_is "$(jq -r '.notes[] | select(startswith("server certificate chains"))' "$T_TMP/C.json" | sed 's/.*, //')" \
	"$n connections one by one" "the pair whose verdict changes in the window: its $n connections one by one"
expired() { jq '[.requirements[].findings[] | .evidence.trust_error.expired // 0] | add' "$1"; }
t_is "$(expired "$T_TMP/C.json")" "$(( $(expired "$T_TMP/B.json") + $(sqlite3 "$T_TMP/C.db" "SELECT
	count(*) FROM (SELECT 1 FROM tls WHERE flow_id = $fid AND client_rejected_cert = 0 AND established = 1
	AND app_records_c2s > 0 UNION ALL SELECT 1)") ))" \
	"flow $fid (chain $chain) counts as expired, in the chain finding and, where the client went on, as accepted"

# a bad anchor file is a usage error, named
"$W" report -d "$T_TMP/B.db" --ca-file "$T_TMP/none.pem" >/dev/null 2>"$T_TMP/err"; t_is $? 2 "a missing --ca-file exits 2"
grep -q "none.pem" "$T_TMP/err"; t_ok $? "…naming the file"
# audit: the capture judges with --ca-file, the report does not take it away
"$W" audit -q -r "$SRCDIR/pcaps/tls/tls12-ecdhe-rsa-aes128-cbc-sha.pcap" --system-ca none --ca-file "$CA" \
	-d "$T_TMP/D.db" -F json -o "$T_TMP/D.json" 2>/dev/null
t_is "$(sqlite3 "$T_TMP/D.db" 'SELECT group_concat(chain_trusted) FROM tls')" 1 "audit --ca-file: the capture judged with the CA"
t_done
