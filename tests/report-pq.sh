#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# report-pq.sh — post-quantum readiness (issue 19; docs/REPORT.md
# "Post-quantum readiness", docs/TLS.md "pq"): the export's tls.pq object
# per flow and the report's section in every format, exact, over
#   pcaps/pq/chromium-openssl.pcap, chromium-hrr.pcap  real: Chromium 156
#       offers X25519MLKEM768 with a key share, OpenSSL 3.0 never selects it
#       (x25519; a HelloRetryRequest for secp256r1) (tools/lab/gen-pq.sh)
#   pcaps/tls-crafted/tls13-pq-*.pcap  hand-built (tools/mkpcap-tls.py): a
#       server selecting X25519MLKEM768, the same after a HelloRetryRequest
#       for it, the pre-standard X25519Kyber768Draft00 selected, and a
#       refused offer with a hostile SNI on a server of its own
#   pcaps/tls-crafted/tls13-ech-outer.pcap  0x11EC offered, no share for it
#   pcaps/tls/tls13-basic-nginx-curl.pcap  curl (OpenSSL 3.0): none offered
# The counts the report sums are checked against the export's per-flow
# facts (a second path to the same numbers), the window is honoured, and
# wire text (the SNI) is escaped in each format.
. "$SRCDIR/tests/lib.sh"

P=$SRCDIR/pcaps
C=$P/tls-crafted
db=$(t_capture "$C/tls13-pq-x25519mlkem768.pcap" "$C/tls13-pq-hrr-mlkem.pcap" "$C/tls13-pq-kyber-draft.pcap" \
	"$C/tls13-pq-refused-hostile-sni.pcap" "$C/tls13-ech-outer.pcap" "$P/pq/chromium-openssl.pcap" \
	"$P/pq/chromium-hrr.pcap" "$P/tls/tls13-basic-nginx-curl.pcap")

# ---- the export: tls.pq per flow ----
"$WIREAUDIT" export -d "$db" > "$T_TMP/e.jsonl"
t_is "$(jq -r 'select(.tls) | "\(.server_ip):\(.server_port) \(.tls.pq.groups_offered | join("+")) \(.tls.pq.key_shares_sent | join("+")) \(.tls.pq.hrr_requested) \(.tls.pq.selected) \(.tls.kx_group)"' "$T_TMP/e.jsonl")" \
"198.51.100.20:443 X25519MLKEM768 X25519MLKEM768 null X25519MLKEM768 X25519MLKEM768
198.51.100.20:443 X25519MLKEM768 X25519MLKEM768 X25519MLKEM768 X25519MLKEM768 X25519MLKEM768
198.51.100.20:443 X25519Kyber768Draft00 X25519Kyber768Draft00 null X25519Kyber768Draft00 X25519Kyber768Draft00
198.51.100.20:8443 X25519MLKEM768 X25519MLKEM768 null null x25519
198.51.100.20:443 X25519MLKEM768  null null x25519
10.99.41.2:443 X25519MLKEM768 X25519MLKEM768 null null x25519
10.99.41.2:443 X25519MLKEM768 X25519MLKEM768 null null x25519
10.99.41.2:443 X25519MLKEM768 X25519MLKEM768 null null secp256r1
10.99.41.2:443 X25519MLKEM768 X25519MLKEM768 null null secp256r1
10.99.11.2:443   null null x25519" \
	"export: groups offered, key shares sent, HelloRetryRequest and selected group per flow (pq), with kx_group"
t_is "$(jq -r 'select(.tls and .tls.hrr) | "\(.tls.hrr_group) \(.tls.retry_key_share_groups | join("+")) \(.tls.pq.key_shares_sent | join("+"))"' "$T_TMP/e.jsonl")" \
"X25519MLKEM768 X25519MLKEM768 X25519MLKEM768
secp256r1 secp256r1 X25519MLKEM768
secp256r1 secp256r1 X25519MLKEM768" \
	"export: after a HelloRetryRequest for a PQ group the retry's share counts; for secp256r1 the first ClientHello's"

# ---- the report's JSON: every count, and the same counts from the export ----
"$WIREAUDIT" report -d "$db" -F json > "$T_TMP/r.json"
t_is "$(jq -c '.post_quantum | [.handshakes, .offered, .key_share_sent, .answered, .offered_answered, .selected, .hrr_requested, .servers_selecting, .servers_never_selecting]' "$T_TMP/r.json")" \
	"[10,9,8,10,9,3,1,1,2]" "json: handshakes, offered, key share sent, answered, offered and answered, selected, HRR, servers selecting / never"
t_is "$(jq -c '.post_quantum | [.handshakes, .offered, .key_share_sent, .selected, .hrr_requested, .bytes, .pq_bytes]' "$T_TMP/r.json")" \
	"$(jq -s -c '[.[] | select(.tls)] | [length, ([.[] | select(.tls.pq.groups_offered | length > 0)] | length),
		([.[] | select(.tls.pq.key_shares_sent | length > 0)] | length), ([.[] | select(.tls.pq.selected)] | length),
		([.[] | select(.tls.pq.hrr_requested)] | length), (map(.bytes_c2s + .bytes_s2c) | add),
		([.[] | select(.tls.pq.selected) | .bytes_c2s + .bytes_s2c] | add)]' "$T_TMP/e.jsonl")" \
	"json: the totals and bytes equal the export's per-flow pq facts summed"
t_is "$(jq -c '.post_quantum.groups_selected' "$T_TMP/r.json")" '{"X25519MLKEM768":2,"X25519Kyber768Draft00":1}' \
	"json: groups selected, most used first"
t_is "$(jq -r '.post_quantum.servers[] | "\(.ip):\(.port) \(.status) \(.handshakes) \(.offered_answered) \(.selected) \(.sni_names)"' "$T_TMP/r.json")" \
"10.99.41.2:443 never_selects 4 4 0 0
198.51.100.20:8443 never_selects 1 1 0 1
198.51.100.20:443 selects 4 4 3 4
10.99.11.2:443 not_offered 1 0 0 1" \
	"json: every server, those never selecting first (most offers first), then selecting, then not offered"
t_is "$(jq -r '.post_quantum.days[] | "\(.date) \(.handshakes) \(.offered) \(.selected)"' "$T_TMP/r.json")" \
"2026-11-27 1 0 0
2026-11-30 5 5 3
2026-12-07 4 4 0" "json: per UTC day"
t_is "$(jq -r '.schema_version' "$T_TMP/r.json")" 3 "json: schema_version 3 (post_quantum added)"

# ---- text ----
"$WIREAUDIT" report -d "$db" > "$T_TMP/r.txt"
t_is "$(sed -n '/^Post-quantum readiness/,/^Result/p' "$T_TMP/r.txt")" \
"Post-quantum readiness (the key exchange of TLS and QUIC handshakes; facts, not a V12 requirement)
  handshakes 10: a post-quantum group offered in 9 (90.0%), a key share for one sent in 8
  selected by the server in 3: 33.3% of the 9 answered offers, 30.0% of all handshakes, 29.0% of their bytes (23063 of 79398)
  a HelloRetryRequest asked for a post-quantum group in 1
  groups selected: X25519MLKEM768 2, X25519Kyber768Draft00 1
  servers 4: 1 selected a post-quantum group, 2 never did although their clients offered one
    10.99.41.2:443: 4 handshakes, 4 offered post-quantum, none selected
    198.51.100.20:8443 (=cmd|\`<script>alert(1)</script>\\x1b[31m.pq.test): 1 handshake, 1 offered post-quantum, none selected
  per day (UTC): handshakes, post-quantum offered, selected, share selected
    2026-11-27 1 0 0 0.0%
    2026-11-30 5 5 3 60.0%
    2026-12-07 4 4 0 0.0%

Result: no failing requirement (exit 0)" "text: the section, the SNI's ESC shown as \\x1b"
"$WIREAUDIT" report -d "$db" --list 1 > "$T_TMP/l.txt"
t_is "$(grep -A2 '^  servers 4' "$T_TMP/l.txt" | tail -2)" \
"    10.99.41.2:443: 4 handshakes, 4 offered post-quantum, none selected
    ... and 1 more such servers (the JSON report lists all)" "text: --list caps the servers and says how many more"

# ---- Markdown, HTML, CSV ----
"$WIREAUDIT" report -d "$db" -F md > "$T_TMP/r.md"
t_is "$(grep -F '| `198.51.100.20:8443`' "$T_TMP/r.md")" \
	'| `198.51.100.20:8443` | `=cmd\x7c\x60<script>alert(1)</script>\x1b[31m.pq.test` | 1 | 1 | 0 |' \
	"md: a server row, the SNI in a code span with | and \` shown as \\xNN"
t_is "$(grep -c '^| 2026-1' "$T_TMP/r.md")" 3 "md: a row per day"
"$WIREAUDIT" report -d "$db" -F html > "$T_TMP/r.html"
t_is "$(grep -o '<h2 id="pq">Post-quantum readiness</h2>' "$T_TMP/r.html" | wc -l)" 1 "html: the section"
t_is "$(grep -o 'aria-label="post-quantum key exchange per day"' "$T_TMP/r.html" | wc -l)" 1 "html: the chart per day"
t_is "$(grep -o '<title>2026-11-30: 5 handshakes, 5 offered, 3 selected</title>' "$T_TMP/r.html" | wc -l)" 1 "html: a day's bar says its counts"
t_is "$(grep -o '=cmd|`&lt;script&gt;alert(1)&lt;/script&gt;\\x1b\[31m.pq.test' "$T_TMP/r.html" | wc -l)" 1 "html: the SNI escaped"
t_is "$(grep -c '<script>alert' "$T_TMP/r.html")" 0 "html: no raw markup from the wire"
"$WIREAUDIT" report -d "$db" -F csv > "$T_TMP/r.csv"
t_is "$(grep '^post_quantum,' "$T_TMP/r.csv" | cut -d, -f1-8 | tr -d '\r')" \
"post_quantum,,never_selects,pq_server,,false,10.99.41.2,443
post_quantum,,never_selects,pq_server,,false,198.51.100.20,8443
post_quantum,,selects,pq_server,,false,198.51.100.20,443
post_quantum,,not_offered,pq_server,,false,10.99.11.2,443
post_quantum,,day,pq_day,,false,,
post_quantum,,day,pq_day,,false,,
post_quantum,,day,pq_day,,false,," "csv: a row per server and per day"
grep -q "^post_quantum,,never_selects,pq_server,,false,198.51.100.20,8443,tls,,,,,1,,,,,\"'=cmd|" "$T_TMP/r.csv"
t_is "$?" 0 "csv: the SNI's formula neutralised"
t_is "$(python3 -c 'import csv,sys; print(sorted(set(len(r) for r in csv.reader(open(sys.argv[1])))))' "$T_TMP/r.csv")" "[28]" \
	"csv: every row has the header's 28 cells"

# ---- the window ----
"$WIREAUDIT" report -d "$db" -F json --since 2026-12-01 > "$T_TMP/w.json"
t_is "$(jq -c '.post_quantum | [.handshakes, .offered, .selected, (.servers | length), (.days | map(.date))]' "$T_TMP/w.json")" \
	'[4,4,0,1,["2026-12-07"]]' "--since: only the window's handshakes"

# ---- no TLS at all ----
db2=$(t_capture "$P/sample/http-mixed.pcap")
"$WIREAUDIT" report -d "$db2" -F json > "$T_TMP/n.json"
t_is "$(jq -c '.post_quantum | [.handshakes, .selected, .servers, .days, .groups_selected]' "$T_TMP/n.json")" '[0,0,[],[],{}]' \
	"no TLS: zero counts, empty lists"
"$WIREAUDIT" report -d "$db2" > "$T_TMP/n.txt"
t_is "$(grep -A1 '^Post-quantum readiness' "$T_TMP/n.txt" | tail -1)" "  no TLS or QUIC ClientHello in the window" "no TLS: said so in text"
# --list 0 lists all (docs/REPORT.md): every never-selecting server, in
# text, Markdown and HTML, and no "and N more" line (regression: 0 hid them)
n=$(jq '.post_quantum.servers_never_selecting' "$T_TMP/r.json")
"$WIREAUDIT" report -d "$db" --list 0 > "$T_TMP/l0.txt"
t_is "$(grep -c ' offered post-quantum, none selected$' "$T_TMP/l0.txt"):$(grep -c 'more such servers' "$T_TMP/l0.txt")" "$n:0" \
	"--list 0, text: all $n never-selecting servers, no 'more' line"
"$WIREAUDIT" report -d "$db" --list 0 -F md > "$T_TMP/l0.md"
t_is "$(grep -c ' | 0 |$' "$T_TMP/l0.md"):$(grep -c 'more such servers' "$T_TMP/l0.md")" "$n:0" "--list 0, Markdown: all $n rows"
"$WIREAUDIT" report -d "$db" --list 0 -F html > "$T_TMP/l0.html"
t_is "$(grep -o '<table class="pq">.*</tbody></table>' "$T_TMP/l0.html" | sed 's|</table>.*||' | grep -o '<tr><td' | wc -l):$(grep -c 'more such servers' "$T_TMP/l0.html")" \
	"$n:0" "--list 0, HTML: all $n rows"
t_done
