# SPDX-License-Identifier: BSD-3-Clause
# report-text.sh — the report as an auditor hands it on (issue 20): the
# text report's short titles wrapped at the terminal's width (--width, a
# real pseudo-terminal through script(1)), plurals in every format, the
# coverage's capture list shortened to a count and the first names (all of
# them in JSON, however long: runs.source is no longer cut at 4096 bytes),
# and Markdown that escapes markup but not the punctuation of file names.
. "$SRCDIR/tests/lib.sh"
export SOURCE_DATE_EPOCH=1790000000   # a fixed "Generated" line: reports compared whole

# ---- a run of 300 files with long names: more than 4096 bytes of names ----
mkdir -p "$T_TMP/caps"
args=()
for i in $(seq -w 1 300); do
	f="$T_TMP/caps/monday-span-port-eth1-capture-segment-$i.pcap"
	cp "$SRCDIR/pcaps/sample/http-mixed.pcap" "$f"
	args+=(-r "$f")
done
"$WIREAUDIT" capture -q "${args[@]}" -d "$T_TMP/many.db" >&2
names=$(printf '%s\n' "$T_TMP"/caps/*.pcap)
t_is "$(sqlite3 "$T_TMP/many.db" "SELECT length(source) FROM runs")" "$(printf '%s' "$names" | tr '\n' ' ' | wc -c)" \
	"runs.source holds every one of the 300 names ($(printf '%s' "$names" | wc -c) bytes, no 4096-byte cut)"
"$WIREAUDIT" report -d "$T_TMP/many.db" -F json > "$T_TMP/many.json"
t_is "$(jq -r '.coverage.sources[0].files[]' "$T_TMP/many.json")" "$names" "json: sources[0].files lists all 300, in order"
t_is "$(jq -c '.coverage.sources[0].interfaces' "$T_TMP/many.json")" "[]" "json: an offline run has no interfaces"
"$WIREAUDIT" report -d "$T_TMP/many.db" --color never > "$T_TMP/many.txt"
c="$T_TMP/caps/monday-span-port-eth1-capture-segment"
t_is "$(grep '^  source run' "$T_TMP/many.txt")" \
	"  source run 1 (sensor $(sqlite3 "$T_TMP/many.db" "SELECT sensor FROM runs"), offline, complete): 300 files: $c-001.pcap, $c-002.pcap, $c-003.pcap and 297 more (the JSON report lists all); packets 24000" \
	"text: the count, the first three names, how many more"
"$WIREAUDIT" report -d "$T_TMP/many.db" -F md > "$T_TMP/many.md"
t_is "$(grep -c '^- Source run 1 (sensor .*, offline): 300 files: `'"$c"'-001.pcap`, `'"$c"'-002.pcap`, `'"$c"'-003.pcap` and 297 more (the JSON report lists all)$' "$T_TMP/many.md")" 1 \
	"md: the first names in code spans, verbatim (no \\/ or \\-)"
t_is "$(grep -c '\\[/-]' "$T_TMP/many.md")" 0 "md: no '/' or '-' backslash-escaped anywhere"
t_is "$(grep -oE '.{3}\\\.' "$T_TMP/many.md" | grep -vic '^www')" 0 "md: no '.' backslash-escaped but after www"
"$WIREAUDIT" report -d "$T_TMP/many.db" -F html > "$T_TMP/many.html"
t_is "$(grep -o '<dt>Source (run 1)</dt><dd>300 files: <span class="mono">[^<]*-001.pcap</span>' "$T_TMP/many.html" | wc -l)" 1 \
	"html: 300 files and the first name"
t_is "$(grep -o 'and 297 more' "$T_TMP/many.html" | wc -l)" 1 "html: and 297 more"

# ---- plurals: one of a thing is singular, in every format ----
db="$T_TMP/sample.db"
"$WIREAUDIT" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$db" >&2
for fmt in text md html; do
	"$WIREAUDIT" report -d "$db" -F "$fmt" --color never > "$T_TMP/s.$fmt"
	t_is "$(grep -oE '(^|[^0-9.,])1 (flows|clients|servers|findings|causes|files|runs)\b' "$T_TMP/s.$fmt" | wc -l)" 0 \
		"$fmt: no '1 flows', '1 clients', '1 servers' ..."
done
t_is "$(grep -c '^  \* medium cleartext: 1 server, 1 client, 1 flow: service redis cleartext' "$T_TMP/s.text")" 1 \
	"text: a rollup of one server, one client, one flow"
t_is "$(grep -c ' internal: 1 flow, 1 client, ' "$T_TMP/s.text")" 8 "text: eight findings of one flow and one client"
t_is "$(grep -c 'credentials in clear in 1 flow (basic)' "$T_TMP/s.text")" 2 "text: credentials in clear in 1 flow"
t_is "$(grep -c '3 flows, 1 client, ' "$T_TMP/s.text")" 2 "text: plural and singular side by side"

# ---- Markdown: GFM's extended autolinks and math cannot form from wire text ----
cp "$db" "$T_TMP/link.db"
sqlite3 "$T_TMP/link.db" "UPDATE cleartext_details SET sval = 'WWW.evil.example http://x.example/p u@evil.example \$x\$' WHERE key = 'host'" >/dev/null
"$WIREAUDIT" report -d "$T_TMP/link.db" -F md > "$T_TMP/link.md"
t_ok $(grep -qF 'host: WWW\.evil.example http\://x.example/p u\@evil.example \$x\$=' "$T_TMP/link.md"; echo $?) \
	"md: www\\., \\:// and \\@ broken, \\\$ escaped; the rest of the host verbatim"
t_is "$(grep -v '^- \*\*Fix:\*\*' "$T_TMP/link.md" | grep -cE '(^|[^\\])(www\.|://|[a-z]@)')" 0 \
	"md: no unescaped www., :// or user@ anywhere but the fix lines' own reference links"

# ---- short titles in text; the full wording in JSON, HTML and Markdown ----
t_is "$(grep -E '^\[' "$T_TMP/s.text" | sed 's/^\[[A-Z ]*\] //' | head -3)" \
"12.1.1 (L1) Only TLS 1.2 and 1.3 enabled, the latest preferred
12.1.2 (L2) Only recommended cipher suites, the strongest preferred
12.1.3 (L2) mTLS client certificates validated as trusted" "text: short titles"
t_is "$(grep -c 'Verify that' "$T_TMP/s.text")" 0 "text: no full ASVS wording"
"$WIREAUDIT" report -d "$db" -F json > "$T_TMP/s.json"
t_is "$(jq -r '.requirements[] | select(.id == "12.3.1") | .short_title + " | " + (.title | .[0:40])' "$T_TMP/s.json")" \
	"Encrypted protocols for every connection, no fallback | Verify that an encrypted protocol such a" "json: short_title and title"
t_is "$(grep -c '^> Verify that an encrypted protocol such as TLS is used for all inbound' "$T_TMP/s.md")" 1 "md: the full wording quoted"
t_is "$(grep -o '<p class="title">Verify that an encrypted protocol such as TLS' "$T_TMP/s.html" | wc -l)" 1 "html: the full wording"

# ---- wrapping ----
longest() { awk '{ n = length($0); if (n > m) m = n } END { print m + 0 }' "$1"; }
"$WIREAUDIT" report -d "$db" --color never > "$T_TMP/w0.txt"
t_ok $([ "$(longest "$T_TMP/w0.txt")" -gt 100 ]; echo $?) "not a terminal, no --width: lines as long as they are ($(longest "$T_TMP/w0.txt"))"
"$WIREAUDIT" report -d "$db" --color never --width 0 > "$T_TMP/w00.txt"
t_ok $(cmp -s "$T_TMP/w0.txt" "$T_TMP/w00.txt"; echo $?) "--width 0: the same"
for w in 60 80 132; do
	"$WIREAUDIT" report -d "$db" --color never --width $w > "$T_TMP/w.txt"
	# a longer line is an indent and one word that cannot be broken
	t_is "$(awk -v w=$w 'length($0) > w { s = $0; sub(/^ +/, "", s); if (index(s, " ")) n++ } END { print n + 0 }' "$T_TMP/w.txt")" 0 \
		"--width $w: no breakable line longer than $w (longest $(longest "$T_TMP/w.txt"))"
	t_is "$(tr -s ' \n' '\n\n' < "$T_TMP/w.txt" | md5sum)" "$(tr -s ' \n' '\n\n' < "$T_TMP/w0.txt" | md5sum)" \
		"--width $w: the same words in the same order"
done
"$WIREAUDIT" report -d "$db" --color never --width 60 > "$T_TMP/w.txt"
t_is "$(grep -A2 '^  \* medium cleartext: 4 servers' "$T_TMP/w.txt")" \
"  * medium cleartext: 4 servers, 2 clients, 6 flows: service
      http cleartext; top servers 10.99.21.2:80/http (3),
      10.99.21.2:8080/http (1), [fd00:99:21::2]:80/http (1)" "--width 60: continuation lines indented under the item"
t_is "$(grep -A1 '^\[FAIL\] 12.3.1' "$T_TMP/w.txt")" \
"[FAIL] 12.3.1 (L2) Encrypted protocols for every connection,
    no fallback" "--width 60: a heading continues under its reason"
# a real terminal: script(1) gives the report a pseudo-terminal of 72 columns
if command -v script >/dev/null 2>&1; then
	script -qec "stty cols 72 rows 50; '$WIREAUDIT' report -d '$db' --color never" /dev/null | tr -d '\r' > "$T_TMP/tty.txt"
	"$WIREAUDIT" report -d "$db" --color never --width 72 > "$T_TMP/w72.txt"
	t_is "$(grep -v '^Generated' "$T_TMP/tty.txt" | md5sum)" "$(grep -v '^Generated' "$T_TMP/w72.txt" | md5sum)" \
		"on a 72-column terminal: wrapped as --width 72 (longest line $(longest "$T_TMP/tty.txt"))"
else
	echo "ok $((T_N += 1)) # SKIP script(1) not installed"
fi
"$WIREAUDIT" report -d "$db" --width x > /dev/null 2> "$T_TMP/err"; rc=$?
t_is "$rc $(head -1 "$T_TMP/err")" "2 wireaudit: report: --width must be a number from 0 (no wrapping) to 10000" "--width x: a usage error"
t_done
