# SPDX-License-Identifier: BSD-3-Clause
# escaping.sh — strings from the wire are escaped for their destination in
# every output (issue 7, "Output escaping"), end to end from captures:
# pcaps/escaping/*.pcap (tools/mkpcap-escaping.py) carry HTML/script, ANSI
# escapes, CSV formulas, control bytes and invalid UTF-8 in TLS SNI, the
# certificate subject, HTTP Host/User-Agent/Server, the SMTP and FTP banners
# and PostgreSQL/LDAP/FTP user names. tests/report.sh checks the report
# formats on a hand-written database; this test goes through capture.
#
#   JSON (export jsonl, report json): parses, valid UTF-8, every payload
#     round-trips exactly (control bytes as \u00XX, invalid bytes as U+00XX);
#   HTML: no tag or attribute from the wire, payloads present &lt;-escaped,
#     and Chromium's DOM of the page has no <script>/<img> element (when
#     chromium is installed);
#   text: no C0 control byte but \n, no DEL, no C1, no invalid UTF-8;
#   Markdown: no raw '<', no control byte, every table row has as many
#     unescaped '|' as its header;
#   CSV (export, report): RFC 4180 parse with the same field count on every
#     row, no cell starting with = + - @ TAB CR, no control byte in a cell,
#     formulas kept behind a leading apostrophe.
. "$SRCDIR/tests/lib.sh"

E=$SRCDIR/pcaps/escaping
db=$(t_capture "$E"/*.pcap)
for fmt in jsonl csv; do "$WIREAUDIT" export -d "$db" --format "$fmt" -o "$T_TMP/x.$fmt"; done
for fmt in text json html md csv; do "$WIREAUDIT" report -d "$db" --level 3 --top 10 -F "$fmt" -o "$T_TMP/r.$fmt"; done

# ---- the wire does carry the payloads (tshark as the oracle) ----
t_is "$(tshark -r "$E/tls-sni-cert.pcap" -Y tls.handshake.type==1 -T fields -e tls.handshake.extensions_server_name 2>/dev/null | head -6 | cat -v)" \
	"$(printf '%s\n' '<script>alert(1)</script>' '"><img src=x onerror=alert(1)>' "^[[31mRED^[]0;title^G=cmd|' /C calc'!A0" +1 -1 '@SUM(1)')" \
	"tshark reads the hostile SNIs"
t_is "$(tshark -r "$E/http-host-ua.pcap" -Y http.request -T fields -e http.host 2>/dev/null | head -3 | cat -v)" \
	"$(printf '%s\n' '<script>alert(1)</script>' '^[[31mRED^[]0;title^Gx' +1)" "tshark reads the hostile Host headers"

# ---- JSON: exact round trip ----
t_is "$(jq -c -s 'sort_by(.server_port, .client_port) | .[] | [.server_port, .protocol, .tls.sni,
	.tls.certs[0].subject_cn, .cleartext.user, .cleartext.details.host, .cleartext.details.user_agent,
	.cleartext.details.server, .cleartext.details.banner, .cleartext.details.database,
	.cleartext.details.application_name] | map(select(. != null))' "$T_TMP/x.jsonl")" "$(cat <<'EOF'
[21,"ftp","=cmd|' /C calc'!A0<\"u\u001b[2J","\u001b[31mRED\u001b]0;title\u0007<script>alert(1)</script>"]
[21]
[25,"smtp","mx\u001b[31mRED\u001b]0;title\u0007\b\u007f<script>alert(1)</script> ESMTP ÿþÀ¯"]
[80,"http","<script>alert(1)</script>","\"><img src=x onerror=alert(1)>","<script>alert(1)</script>"]
[80,"http","\u001b[31mRED\u001b]0;title\u0007x","=cmd|' /C calc'!A0","<script>alert(1)</script>"]
[80,"http","+1","-1","<script>alert(1)</script>"]
[80,"http","@SUM(1)","TABÿþÀ¯","<script>alert(1)</script>"]
[80,"http","-2+3","\rCR","<script>alert(1)</script>"]
[110]
[389,"ldap","cn==cmd|' /C calc'!A0<\"u\u001b[2JÿþÀ¯"]
[443,"tls","<script>alert(1)</script>","<script>alert(1)</script>\u001b[31mRED\u001b]0;title\u0007"]
[443,"tls","\"><img src=x onerror=alert(1)>","<script>alert(1)</script>\u001b[31mRED\u001b]0;title\u0007"]
[443,"tls","\u001b[31mRED\u001b]0;title\u0007=cmd|' /C calc'!A0","<script>alert(1)</script>\u001b[31mRED\u001b]0;title\u0007"]
[443,"tls","+1","<script>alert(1)</script>\u001b[31mRED\u001b]0;title\u0007"]
[443,"tls","-1","<script>alert(1)</script>\u001b[31mRED\u001b]0;title\u0007"]
[443,"tls","@SUM(1)","<script>alert(1)</script>\u001b[31mRED\u001b]0;title\u0007"]
[443,"tls","\t=1","<script>alert(1)</script>\u001b[31mRED\u001b]0;title\u0007"]
[443,"tls","\r=1","<script>alert(1)</script>\u001b[31mRED\u001b]0;title\u0007"]
[443,"tls","a;=1+1","<script>alert(1)</script>\u001b[31mRED\u001b]0;title\u0007"]
[5432,"postgresql","=cmd|' /C calc'!A0<\"u\u001b[2JÿþÀ¯","<script>alert(1)</script>","\u001b[31mRED\u001b]0;title\u0007"]
[6667]
EOF
)" "export jsonl: every hostile string kept exactly (invalid bytes as U+00XX)"
t_is "$(jq -r -s '.[0].tls.certs[0].subject // empty' "$T_TMP/x.jsonl" | head -c0; jq -r -s '[.[] | select(.tls.certs[0].subject)][0].tls.certs[0].subject' "$T_TMP/x.jsonl" | cat -v)" \
	"CN=\\<script\\>alert(1)\\</script\\>\\1B[31mRED\\1B]0\\;title\\07,O=\\\"\\>\\<img src=x onerror=alert(1)\\>,OU==cmd|' /C calc'!A0" \
	"certificate subject in RFC 4514 form (control bytes \\XX-escaped by OpenSSL)"
t_is "$(jq -c '.requirements[] | select(.id == "12.3.3") | .findings[0].evidence.host | keys' "$T_TMP/r.json")" \
	'["\u001b[31mRED\u001b]0;title\u0007x","+1","-2+3","<script>alert(1)</script>","@SUM(1)"]' \
	"report json: hosts kept exactly"
t_is "$(jq -c '.requirements[] | select(.id == "12.3.4") | .findings[0].sni' "$T_TMP/r.json")" \
	'["\t=1","\r=1","\u001b[31mRED\u001b]0;title\u0007=cmd|'"'"' /C calc'"'"'!A0","\"><img src=x onerror=alert(1)>","+1","-1","<script>alert(1)</script>","@SUM(1)","a;=1+1"]' \
	"report json: SNI list (--top 10) kept exactly"

python3 - "$T_TMP" >"$T_TMP/py.out" <<'PY'
import csv, io, json, re, sys
d = sys.argv[1]
def rd(n): return open("%s/%s" % (d, n), "rb").read()
def say(ok, msg): print("%s %s" % ("OK" if ok else "FAIL", msg))
# JSON: strict UTF-8, parses
for n in ("x.jsonl", "r.json"):
    b = rd(n)
    try:
        t = b.decode("utf-8")
        objs = [json.loads(l) for l in t.splitlines() if l]
        say(len(objs) > 0, "%s: valid UTF-8 and JSON (%d objects)" % (n, len(objs)))
    except Exception as e:
        say(False, "%s: %s" % (n, e))
    say(b.count(b"\x1b") == 0 and re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", b) is None,
        "%s: no raw control byte" % n)
# text: no C0 but \n, no DEL, no C1, valid UTF-8
b = rd("r.text")
bad = re.findall(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", b)
say(not bad, "report text: no control byte but \\n, no DEL, no C1 (%r)" % bad[:3])
try:
    b.decode("utf-8"); ok = True
except UnicodeDecodeError:
    ok = False
say(ok, "report text: valid UTF-8")
say(b"\\x1b[31mRED\\x1b]0;title\\x07" in b, "report text: ANSI payload shown as \\x1b...\\x07")
# HTML
h = rd("r.html")
say(re.search(rb"<\s*(script|img|iframe)", h, re.I) is None, "html: no <script, <img or <iframe")
say(re.search(rb"<[^>]*\bon[a-z]+\s*=", h, re.I) is None, "html: no on*= event attribute inside a tag")
say(h.count(b"&lt;script&gt;alert(1)&lt;/script&gt;") >= 3 and
    h.count(b"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;") >= 2, "html: payloads present, entity-escaped")
say(re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", h) is None, "html: no control byte")
try:
    h.decode("utf-8"); ok = True
except UnicodeDecodeError:
    ok = False
say(ok, "html: valid UTF-8")
# Markdown: no raw '<' (CommonMark inline HTML needs it), no control byte,
# table rows have the pipe count of their header
m = rd("r.md")
say(re.search(rb"(?<!\\)<", m) is None, "md: every '<' backslash-escaped")
say(re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", m) is None, "md: no control byte")
want, bad = None, 0
for line in m.decode("utf-8").splitlines():
    if not line.startswith("|"):
        want = None
        continue
    n = len(re.findall(r"(?<!\\)\|", line))
    if want is None:
        want = n
    elif n != want:
        bad += 1
say(bad == 0, "md: every table row has its header's number of cells (%d bad)" % bad)
say(b"\\<script\\>alert(1)\\</script\\>" in m, "md: payload present, markup punctuation escaped")
# CSV
for n, col, want_cell in (("x.csv", "user", "'=cmd|' /C calc'!A0<\"u\\x1b[2J"),
                          ("x.csv", "tls_sni", "'\\x09=1"),
                          ("r.csv", "sni", None)):
    b = rd(n)
    rows = list(csv.reader(io.StringIO(b.decode("utf-8"), newline="")))
    hdr = rows[0]
    say(all(len(r) == len(hdr) for r in rows), "%s: %d rows of %d fields" % (n, len(rows), len(hdr)))
    starts = [c for r in rows[1:] for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")
              and not re.fullmatch(r"-?\d+(\.\d+)?", c)]
    say(not starts, "%s: no cell starts with = + - @ TAB CR %r" % (n, starts[:3]))
    ctl = [c for r in rows for c in r if re.search(r"[\x00-\x1f\x7f\x80-\x9f]", c)]
    say(not ctl, "%s: no control character in a cell %r" % (n, ctl[:3]))
    i = hdr.index(col)
    cells = [r[i] for r in rows[1:]]
    if want_cell:
        say(want_cell in cells, "%s: %s cell neutralised as %s" % (n, col, want_cell))
    if n == "x.csv" and col == "tls_sni":
        say(sorted(c for c in cells if c) == sorted(
            ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
             "\\x1b[31mRED\\x1b]0;title\\x07=cmd|' /C calc'!A0", "'+1", "'-1", "'@SUM(1)",
             "'\\x09=1", "'\\x0d=1", "a;=1+1"]), "x.csv: every SNI cell as expected")
        say(b'"a;=1+1"' in b, "x.csv: a cell with ';' is quoted")
PY
while read -r st msg; do
	t_ok "$([ "$st" = OK ] && echo 0 || echo 1)" "$msg"
done <"$T_TMP/py.out"
t_ok "$([ "$(wc -l <"$T_TMP/py.out")" -eq 29 ] && echo 0 || echo 1)" "all checks of the formats ran ($(wc -l <"$T_TMP/py.out"))"

# ---- Chromium's DOM: the page builds no element from the wire ----
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROMIUM" ]; then
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --dump-dom "file://$T_TMP/r.html" \
		>"$T_TMP/dom.html" 2>/dev/null
	t_ok "$(grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$T_TMP/dom.html" && echo 0 || echo 1)" \
		"chromium: the DOM holds the payload as text"
	t_is "$(grep -o -i -E '<(script|img|iframe)[ >]' "$T_TMP/dom.html" | wc -l)" 0 "chromium: no script/img/iframe element in the DOM"
else
	echo "ok $((T_N += 1)) # SKIP chromium not installed"
	echo "ok $((T_N += 1)) # SKIP chromium not installed"
fi
t_done
