#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# report-summary.sh — the executive summary and the remediation lines
# (issue 20; docs/REPORT.md "Executive summary and remediation"):
#  1. the sample capture and a set of two capture runs: the verdict and the
#     three worst problems (requirement, kind, cause, counts, top server) in
#     that order, the same in HTML, Markdown and JSON's summary.top_problems;
#  2. one fix line per kind shown under the rollups, in text, HTML and
#     Markdown; 12.3.1's line for `cleartext` in full; JSON rollups and CSV
#     rows carry the kind's remediation and reference;
#  3. a report without failure says so (PASS, and NOT OBSERVED);
#  4. scale: the same captures copied 20 times with fresh addresses
#     (tools/scale-store.py) give the same three problems, every count
#     multiplied by 20.
. "$SRCDIR/tests/lib.sh"

W=$WIREAUDIT
P=$SRCDIR/pcaps
export SOURCE_DATE_EPOCH=1790000000

# the problem lines of an HTML report (its <ol class="problems">), entities undone
html_problems() {
	grep -o '<ol class="problems">.*</ol><h4>Coverage' "$1" | sed 's#</li>#\n#g' |
		sed -n 's#.*<li><a href="\#r[0-9.]*">##p' | sed 's#</a>##; s/&#39;/'"'"'/g; s/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g'
}
html_field() { # html_field FILE CLASS: the text of <p class="CLASS">
	grep -o "<p class=\"$2\">[^<]*\(<span[^>]*>[^<]*</span>\)\?[^<]*</p>" "$1" | head -1 | sed 's/<[^>]*>//g'
}
# the problem lines of a Markdown report ("1. ..."), backslash escapes undone
md_problems() {
	sed -n '/^## Executive summary$/,/^## Coverage$/p' "$1" | sed -n 's/^[1-3]\. //p' | sed 's/\\\(.\)/\1/g'
}
md_line() { # md_line FILE PREFIX: the executive summary's line starting with PREFIX, unescaped
	sed -n '/^## Executive summary$/,/^## Coverage$/p' "$1" | sed 's/\\\(.\)/\1/g' | grep "^$2"
}
json_problems() { # the same from JSON: requirement kind cause servers/clients/flows top server
	jq -r '.summary.top_problems[] | "\(.requirement) \(.kind) \(.cause) \(.servers)/\(.clients)/\(.flows) \(.top_server.ip):\(.top_server.port)/\(.top_server.protocol)"' "$1"
}

# ---- 1. the sample capture ----
S="$T_TMP/sample.db"
"$W" capture -q -r "$P/sample/http-mixed.pcap" -d "$S" >&2
for fmt in html md json text csv; do "$W" report -d "$S" -F "$fmt" -o "$T_TMP/s.$fmt"; done
want_sample="12.3.1 cleartext (medium; service http cleartext): a protocol with a TLS form was used in clear: 4 servers, 2 clients, 6 flows; top server 10.99.21.2:80/http
12.3.3 internal_http_cleartext (medium; service http cleartext): HTTP in clear between two internal hosts: 4 servers, 2 clients, 6 flows; top server 10.99.21.2:80/http
12.3.1 cleartext (medium; service redis cleartext): a protocol with a TLS form was used in clear: 1 server, 1 client, 1 flow; top server 10.99.21.2:6379/redis"
t_is "$(html_problems "$T_TMP/s.html")" "$want_sample" "sample, HTML: the three worst problems in order"
t_is "$(md_problems "$T_TMP/s.md")" "$want_sample" "sample, Markdown: the same three problems"
t_is "$(json_problems "$T_TMP/s.json")" "12.3.1 cleartext http cleartext 4/2/6 10.99.21.2:80/http
12.3.3 internal_http_cleartext http cleartext 4/2/6 10.99.21.2:80/http
12.3.1 cleartext redis cleartext 1/1/1 10.99.21.2:6379/redis" "sample, JSON: summary.top_problems"
t_is "$(html_field "$T_TMP/s.html" verdict)" "FAIL 2 of 9 requirements fail at level 2 (exit status 6)" "sample, HTML: verdict"
t_is "$(md_line "$T_TMP/s.md" '\*\*Verdict')" "**Verdict: FAIL**: 2 of 9 requirements fail at level 2 (exit status 6)" "sample, Markdown: verdict"
t_is "$(html_field "$T_TMP/s.html" coverage)" \
	"8 flows (0 TLS, 0 TLS 1.3) from 1 capture run, 2026-11-27T06:43:07.888801Z .. 2026-11-27T06:43:08.180265Z (0.3 s)" \
	"sample, HTML: coverage in one line"
t_is "$(md_line "$T_TMP/s.md" '- ')" "- not observed (no relevant traffic): 12.1.1, 12.1.2, 12.1.3, 12.2.1, 12.2.2, 12.3.2, 12.3.4
- drops: not reported (offline read)" "sample, Markdown: blind spots"
# the summary comes first: before the coverage and the requirements
t_is "$(grep -o '<h2>[^<]*</h2>' "$T_TMP/s.html" | head -2 | tr '\n' ' ')" "<h2>Executive summary</h2> <h2>Summary</h2> " \
	"HTML: the executive summary opens the page"
t_is "$(grep '^## ' "$T_TMP/s.md" | head -2 | tr '\n' ' ')" "## Executive summary ## Coverage " "Markdown: the executive summary before the coverage"

# ---- 2. fix lines ----
fix_cleartext="fix: cleartext: Enable TLS for this protocol on the server (its TLS port or STARTTLS upgrade), require it from every client, and close the cleartext listener. See https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html"
t_is "$(awk '/^\[FAIL\] 12.3.1 /{on=1; next} /^\[/{on=0} on && /^    fix: /' "$T_TMP/s.text" | sed 's/^    //')" "$fix_cleartext" \
	"text: 12.3.1 has one fix line, for cleartext (two rollup lines of that kind)"
t_is "$(grep '^    fix: ' "$T_TMP/s.text" | cut -d: -f2 | tr -d ' ' | tr '\n' ' ')" "cleartext internal_http_cleartext internal_http_redirect_only " \
	"text: one fix line per kind shown"
t_is "$(grep -o '<p class="fix"><b>Fix:</b> <b>[a-z_0-9]*</b>' "$T_TMP/s.html" | sed 's/<[^>]*>//g' | tr '\n' ' ')" \
	"Fix: cleartext Fix: internal_http_cleartext Fix: internal_http_redirect_only " "HTML: one Fix line per kind shown"
t_is "$(grep -c '<a href="https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html" rel="noreferrer">' "$T_TMP/s.html")" 1 \
	"HTML: the reference is a link (one line holds it twice)"
t_is "$(grep '^- \*\*Fix:\*\* ' "$T_TMP/s.md" | sed 's/\\\(.\)/\1/g' | head -1)" \
	"- **Fix:** cleartext: Enable TLS for this protocol on the server (its TLS port or STARTTLS upgrade), require it from every client, and close the cleartext listener. See [https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html](https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html)" \
	"Markdown: 12.3.1's Fix line for cleartext, the reference as a link"
t_is "$(grep -c '^- \*\*Fix:\*\* ' "$T_TMP/s.md")" 3 "Markdown: three Fix lines (three kinds shown)"
t_is "$(jq -r '[.requirements[].rollups[] | select((.remediation | length) < 40 or (.reference | startswith("https://") | not))] | length' "$T_TMP/s.json")" 0 \
	"JSON: every rollup carries its kind's remediation and reference"
t_is "$(jq -r '.requirements[] | select(.id == "12.3.1") | .rollups[0] | .reference' "$T_TMP/s.json")" \
	"https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html" "JSON: 12.3.1 cleartext's reference"
t_is "$(head -1 "$T_TMP/s.csv" | tr -d '\r' | awk -F, '{print $(NF-2) "," $(NF-1) "," $NF}')" "key,remediation,reference" \
	"CSV: remediation and reference are the last columns"
t_is "$(python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
h = rows[0]
print(len(rows) - 1, len(set(len(r) for r in rows)), sum(1 for r in rows[1:] if r[h.index("reference")].startswith("https://")))' "$T_TMP/s.csv")" "10 1 10" \
	"CSV: 10 findings, every row as wide as the header, each with a reference"

# ---- 1b. a set of two capture runs ----
M="$T_TMP/multi.db"
"$W" capture -q -r "$P/tls/tls10-ecdhe-rsa-aes128-sha.pcap" -r "$P/tls/tls12-self-signed.pcap" \
	-r "$P/plain/pgsql-prefer-refused.pcap" -d "$M" --sensor lab-a >&2
"$W" capture -q -r "$P/plain/redis-auth-cleartext.pcap" -r "$P/plain/http-basic-cleartext.pcap" \
	-r "$P/tls/tls12-dhe-rsa-1024.pcap" -d "$M" --sensor lab-b >&2
for fmt in html md json; do "$W" report -d "$M" -F "$fmt" -o "$T_TMP/m.$fmt"; done
want_multi="12.3.2 client_accepted_untrusted (high; certificate CN=server.wireaudit.test,O=wireaudit test PKI (SHA-256 028b1ecd31f92ead...)): a client completed the handshake with an untrusted or expired certificate: 1 server, 1 client, 2 flows; top server 10.99.11.2:443/tls
12.3.2 client_accepted_untrusted (high; certificate CN=server.wireaudit.test,O=wireaudit test PKI (self-signed) (SHA-256 1f5b54b6e630768b...)): a client completed the handshake with an untrusted or expired certificate: 1 server, 1 client, 1 flow; top server 10.99.11.2:443/tls
12.1.1 old_tls_version (high; configuration TLSv1.0 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA x25519): a connection negotiated a protocol version below TLS 1.2: 1 server, 1 client, 1 flow; top server 10.99.11.2:443/tls"
t_is "$(html_problems "$T_TMP/m.html")" "$want_multi" "two runs, HTML: the three worst problems in order"
t_is "$(md_problems "$T_TMP/m.md")" "$want_multi" "two runs, Markdown: the same three problems"
t_is "$(html_field "$T_TMP/m.html" verdict)" "FAIL 6 of 9 requirements fail at level 2 (exit status 6)" "two runs: verdict"
t_is "$(html_field "$T_TMP/m.html" coverage)" \
	"6 flows (3 TLS, 0 TLS 1.3) from 2 capture runs of 2 sensors, 2026-11-27T06:46:40.767163Z .. 2026-11-27T07:16:13.343364Z (30 min)" \
	"two runs: coverage names both runs, their sensors and the span"

# wire text in the summary is escaped: a hostile certificate subject (the
# cause of the worst problem) and a control byte
cp "$M" "$T_TMP/h.db"
sqlite3 "$T_TMP/h.db" "UPDATE certs SET subject = '<script>alert(1)</script>' || char(27) || '[2J' || subject" >/dev/null
"$W" report -d "$T_TMP/h.db" -F html -o "$T_TMP/h.html"
"$W" report -d "$T_TMP/h.db" -F md -o "$T_TMP/h.md"
t_is "$(grep -o '<ol class="problems"><li><a href="#r12.3.2">12.3.2</a> client_accepted_untrusted (high; certificate [^ ]*' "$T_TMP/h.html" | sed 's/.*certificate //')" \
	'&lt;script&gt;alert(1)&lt;/script&gt;\x1b[2JCN=server.wireaudit.test,O=wireaudit' "HTML: the subject in the summary is entity-escaped"
t_is "$(sed -n 's/^1\. 12\.3\.2 client\\_accepted\\_untrusted (high; certificate \([^ ]*\).*/\1/p' "$T_TMP/h.md")" \
	'\<script\>alert(1)\</script\>\\x1b\[2JCN=server.wireaudit.test,O=wireaudit' "Markdown: the subject in the summary is escaped where it could form markup"

# ---- 3. no failure ----
T13=$(t_capture "$P/tls/tls13-basic-nginx-curl.pcap")
"$W" report -d "$T13" -F html -o "$T_TMP/p.html"; rc=$?
"$W" report -d "$T13" -F md -o "$T_TMP/p.md"
t_is "$rc" 0 "TLS 1.3 capture: exit 0"
t_is "$(html_field "$T_TMP/p.html" verdict)" "PASS no requirement fails at level 2: 4 pass, 2 not observed, 3 not observable" \
	"no failure, HTML: PASS with the counts"
t_is "$(html_field "$T_TMP/p.html" problems)" "None: no requirement fails." "no failure, HTML: says there is no problem"
t_is "$(md_line "$T_TMP/p.md" 'Worst problems')" "Worst problems: none, no requirement fails." "no failure, Markdown: says so"
t_is "$(md_line "$T_TMP/p.md" '- 12.3.2')" "- 12.3.2 not observable: 1 relevant flow, but server certificates travel encrypted in TLS 1.3" \
	"no failure: a requirement not observable is a blind spot, with why"
ICMP=$(t_capture "$P/icmp/icmp-lab.pcap")
"$W" report -d "$ICMP" -F md -o "$T_TMP/n.md"
t_is "$(md_line "$T_TMP/n.md" '\*\*Verdict')" "**Verdict: NOT OBSERVED**: no requirement could be judged at level 2: 9 not observed, 0 not observable" \
	"nothing relevant: NOT OBSERVED"

# ---- 4. scale: copies with fresh addresses ----
C=20
python3 "$SRCDIR/tools/scale-store.py" "$T_TMP/x.db" --copies $C "$M" >/dev/null
"$W" report -d "$T_TMP/x.db" -F md -o "$T_TMP/x.md"
"$W" report -d "$T_TMP/x.db" -F json -o "$T_TMP/x.json"
# the problems without their top server (copies have fresh addresses), and
# with counts divided by C
shape() { sed 's/; top server .*//' | perl -pe 's/: (\d+) servers?, (\d+) clients?, (\d+) flows?$/": " . join("\/", $1, $2, $3)/e'; }
unscale() { perl -pe 's{: (\d+)/(\d+)/(\d+)$}{": " . join("/", map { $_ % '"$C"' ? "NOT A MULTIPLE $_" : $_ / '"$C"' } $1, $2, $3)}e'; }
t_is "$(md_problems "$T_TMP/x.md" | shape | unscale)" "$(echo "$want_multi" | shape)" \
	"${C}x: the same three problems in the same order, every count ${C} times"
t_is "$(jq -r '.summary.top_problems[] | "\(.requirement) \(.kind) \(.servers) \(.clients) \(.flows)"' "$T_TMP/x.json")" \
	"12.3.2 client_accepted_untrusted $C $C $((2 * C))
12.3.2 client_accepted_untrusted $C $C $C
12.1.1 old_tls_version $C $C $C" "${C}x, JSON: top_problems' counts multiplied"

t_done
