# SPDX-License-Identifier: BSD-3-Clause
# report-pdf.sh — the HTML report printed to PDF by headless Chromium (issue
# 20, "a print stylesheet"): the print rules give a clean PDF, nothing cut.
#
#   Reports: "big" over every capture of pcaps/ but malformed/ (hundreds of
#   findings, long cipher names, SSH algorithm lists, SNI, IPv6 servers),
#   printed on Letter (Chromium's default) and on A4 (an @page size rule added
#   to a copy), and with the print rules switched off in a copy (the screen
#   stylesheet alone must not cut either), with every finding listed (--list
#   0) and with --list 5; "small" over one capture.
#   For each PDF (tests/report-pdf.py):
#     - every word's box lies on its page and inside the @page margins;
#     - no two words' boxes overlap (text run out of a narrow cell);
#     - no character is missing: the multiset of the PDF's characters
#       (pdftotext, whitespace removed, case folded: CSS upper-cases some
#       labels) equals the HTML's visible text's, once the table header rows
#       the print repeats on continuation pages are taken out; a cell cut
#       by an overflowing table loses characters here;
#     - every word of every table cell, every server endpoint and every
#       finding kind of the findings tables occurs in the PDF's text as often
#       as in the HTML's (words compared with whitespace removed, since a long
#       token is wrapped over lines);
#   and page counts: the small report's exact count (measured with Debian
#   12's chromium and fonts), the big one's bounds (more listed findings,
#   more pages; at most one page per 3 listed rows plus a constant), and
#   header rows that repeat on continuation pages (<thead>).
#   A self-test puts the old defects back into a copy and sees the checks fail.
# Before the print stylesheet (overflow:hidden tables wider than their card)
# the character and word checks failed on the big reports: 1830 characters
# missing on Letter, 2652 on A4.
# Skipped without chromium or poppler-utils (pdfinfo, pdftotext).
. "$SRCDIR/tests/lib.sh"

# The sanitizer pass of .ci/run skips it (WA_SKIP_ORACLES): there it is
# Chromium's minutes, not the report's code, which tests/report.sh and
# tests/report-pq.sh run under the sanitizers on the same HTML paths.
if [ -n "${WA_SKIP_ORACLES:-}" ]; then
	echo "1..0 # SKIP printing runs in the normal build (Chromium's time, not the report's code)"
	exit 0
fi
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "1..0 # SKIP chromium missing (tools/install-deps)"; exit 0; }
for t in pdfinfo pdftotext python3; do
	command -v "$t" >/dev/null 2>&1 || { echo "1..0 # SKIP $t missing (tools/install-deps)"; exit 0; }
done

# render HTML PDF: print to PDF without the date/title/URL header and footer
# lines Chromium adds by default (they are not the report's text).
# --print-to-pdf-no-header is the older spelling of --no-pdf-header-footer;
# Chromium ignores the switch it does not know.
render() {
	timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$T_TMP/chromium" --no-pdf-header-footer --print-to-pdf-no-header \
		--print-to-pdf="$2" "file://$1" >/dev/null 2>&1
	[ -s "$2" ]
}
pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ { print $2 }'; }

# check NAME HTML PDF: the clipping checks, one TAP line each
check() {
	pdftotext -raw "$3" "$T_TMP/$1.txt" && pdftotext -bbox "$3" "$T_TMP/$1.bbox" &&
		python3 "$SRCDIR/tests/report-pdf.py" "$1" "$2" "$T_TMP/$1.txt" "$T_TMP/$1.bbox" >"$T_TMP/$1.out"
	t_ok $? "$1: the checker ran"
	while read -r st msg; do
		case $st in
		OK | FAIL) t_ok "$([ "$st" = OK ] && echo 0 || echo 1)" "$msg" ;;
		REPEATS) echo "$msg" >"$T_TMP/$1.repeats" ;;
		*) echo "$st $msg" ;;
		esac
	done <"$T_TMP/$1.out"
}

P=$SRCDIR/pcaps
caps=()
for f in "$P"/*/*.pcap*; do
	case $f in */malformed/*) continue ;; esac
	caps+=("$f")
done
big=$(t_capture "${caps[@]}")
small=$(t_capture "$P/tls/tls12-rsa-null-sha256.pcap")
R() { "$WIREAUDIT" report --level 3 --until 2030-01-01 -F html "$@"; }
R -d "$big" --list 0 -o "$T_TMP/all.html"
R -d "$big" --list 5 -o "$T_TMP/list5.html"
R -d "$small" -o "$T_TMP/small.html"
# the same page on A4: an @page size rule of our own in a copy (the CSP
# allows inline style; the report itself leaves the paper to the printer)
sed 's|</head>|<style>@page{size:A4}</style></head>|' "$T_TMP/all.html" >"$T_TMP/all-a4.html"
# the screen rules alone (the print block switched off) must not cut either
sed 's|@media print{|@media not all{|' "$T_TMP/all.html" >"$T_TMP/all-screen.html"
t_is "$(grep -c '@media not all{' "$T_TMP/all-screen.html")" 1 "all-screen.html: the print rules switched off"
rows=$(grep -o '<tr><td><span class="sev' "$T_TMP/all.html" | wc -l)
t_ok "$([ "$rows" -ge 300 ] && echo 0 || echo 1)" "the big report lists many findings and causes ($rows rows)"

for n in all all-a4 all-screen list5 small; do
	render "$T_TMP/$n.html" "$T_TMP/$n.pdf"
	t_ok $? "chromium prints $n.html to PDF"
done

# ---- paper ----
t_is "$(pdfinfo "$T_TMP/all.pdf" | grep '^Page size:' | tr -s ' ')" "Page size: 612 x 792 pts (letter)" "all.pdf: Letter"
# (Chromium's A4 is 594.96 x 841.92 pts, a hair under 210 x 297 mm)
t_is "$(pdfinfo "$T_TMP/all-a4.pdf" | grep '^Page size:' | tr -s ' ')" "Page size: 594.96 x 841.92 pts (A4)" "all-a4.pdf: A4"

# ---- nothing clipped ----
for n in all all-a4 all-screen list5 small; do
	check "$n" "$T_TMP/$n.html" "$T_TMP/$n.pdf"
done

# ---- the checker can fail: a copy with the old defects put back ----
# (the screen rules with auto-layout tables cut by overflow:hidden and long
# tokens not wrapped, so tables run past the paper; and a status column too
# narrow for its badges)
sed -e 's|@media print{|@media not all{|' \
	-e 's|</head>|<style>.req table{table-layout:auto;overflow:hidden}main{overflow-wrap:normal}.reqs th:nth-child(3){width:3%}</style></head>|' \
	"$T_TMP/all.html" >"$T_TMP/broken.html"
render "$T_TMP/broken.html" "$T_TMP/broken.pdf" && pdftotext -raw "$T_TMP/broken.pdf" "$T_TMP/broken.txt" &&
	pdftotext -bbox "$T_TMP/broken.pdf" "$T_TMP/broken.bbox" &&
	python3 "$SRCDIR/tests/report-pdf.py" broken "$T_TMP/broken.html" "$T_TMP/broken.txt" "$T_TMP/broken.bbox" >"$T_TMP/broken.out"
t_is "$(grep -c '^FAIL broken: no two words overlap' "$T_TMP/broken.out")|$(grep -c "^FAIL broken: the PDF's [0-9]* characters are the HTML's ([1-9]" "$T_TMP/broken.out")|$(grep -c '^FAIL broken: [0-9]* distinct table cell words' "$T_TMP/broken.out")" \
	"1|1|1" "self-test: with the old defects put back the overlap, character and word checks fail"

# ---- long tables break over pages and repeat their header row ----
t_ok "$([ "$(cat "$T_TMP/all.repeats")" -ge 5 ] && [ "$(cat "$T_TMP/all-a4.repeats")" -ge 5 ] && echo 0 || echo 1)" \
	"header rows repeated on continuation pages: $(cat "$T_TMP/all.repeats") (Letter), $(cat "$T_TMP/all-a4.repeats") (A4)"

# ---- page counts ----
p_all=$(pages "$T_TMP/all.pdf") p_a4=$(pages "$T_TMP/all-a4.pdf")
p_5=$(pages "$T_TMP/list5.pdf") p_small=$(pages "$T_TMP/small.pdf")
rows5=$(grep -o '<tr><td><span class="sev' "$T_TMP/list5.html" | wc -l)
rows_small=$(grep -o '<tr><td><span class="sev' "$T_TMP/small.html" | wc -l)
# 10 pages since the post-quantum readiness section (issue 19: a chart per
# day, the groups chart and its facts after the coverage); 9 before
t_is "$p_small|$rows_small" "10|10" "small report (one capture, 10 rows; a card per requirement, the executive summary, the guidance, post-quantum readiness): 10 pages"
t_ok "$([ "$p_5" -gt "$p_small" ] && [ "$p_all" -gt "$p_5" ] && echo 0 || echo 1)" \
	"more listed findings, more pages: small $p_small < --list 5 $p_5 < --list 0 $p_all"
t_ok "$([ "$p_all" -le $((rows / 3 + 4)) ] && [ "$p_5" -le $((rows5 / 3 + 4)) ] && [ "$p_a4" -le $((rows / 3 + 4)) ] && echo 0 || echo 1)" \
	"pages bounded by the rows: $p_all (Letter), $p_a4 (A4) for $rows rows, $p_5 for $rows5 rows: at least 3 rows a page"
t_done
