# SPDX-License-Identifier: BSD-3-Clause
# manpages.sh — the manual pages (docs/man/) match the program: every long
# option of every getopt_long table in the sources is in the page of its
# command, every option `--help` prints is there too, no page names an
# option the program does not accept, and the pages are clean for
# `mandoc -T lint` (or `groff -ww` where mandoc is missing).
. "$SRCDIR/tests/lib.sh"
M=$SRCDIR/docs/man
PAGES="$M/wireaudit.8 $M/wireaudit-export.1 $M/wireaudit-report.1"

# the tables: "TABLE OPTION" per line, from every `struct option X[] = {`
find "$SRCDIR/src" -name '*.c' | sort | xargs awk '
	/struct option [A-Za-z_0-9]+\[\] *= *\{/ { t = $0; sub(/.*struct option /, "", t); sub(/\[.*/, "", t); next }
	t != "" && /^[ \t]*\{ *NULL/ { t = ""; next }
	t != "" && /^[ \t]*\{ *"/ { o = $0; sub(/^[ \t]*\{ *"/, "", o); sub(/".*/, "", o); print t, o }
' >"$T_TMP/tables"
t_ok $([ "$(wc -l <"$T_TMP/tables")" -gt 60 ]; echo $?) "getopt_long tables found in the sources ($(wc -l <"$T_TMP/tables") options)"
grep -v ' help$' "$T_TMP/tables" | awk '{print $2}' | sort -u >"$T_TMP/accepted"

# the options a page documents (mdoc: `Fl -name`)
page_opts() { grep -o 'Fl -[a-z0-9][a-z0-9-]*' "$@" | sed 's/.*Fl -//' | sort -u; }
# missing PAGE < OPTIONS: the options not in PAGE
missing() { page_opts "$1" >"$T_TMP/in-page"; sort -u | comm -23 - "$T_TMP/in-page" | tr '\n' ' '; }

# each command's table into its page; a table this list does not know (a
# new command) must be given a page here
for t in $(awk '{print $1}' "$T_TMP/tables" | sort -u); do
	case "$t" in
	capture_longopts|status_longopts|forward_longopts|lo) page=$M/wireaudit.8 ;;
	export_longopts) page=$M/wireaudit-export.1 ;;
	report_longopts) page=$M/wireaudit-report.1 ;;
	*) t_ok 1 "getopt table $t has a page in tests/manpages.sh"; continue ;;
	esac
	t_is "$(awk -v t="$t" '$1 == t && $2 != "help" {print $2}' "$T_TMP/tables" | missing "$page")" "" \
		"table $t: every option in $(basename "$page")"
done
page_opts $PAGES >"$T_TMP/documented"
t_is "$(comm -23 "$T_TMP/accepted" "$T_TMP/documented" | tr '\n' ' ')" "" "every accepted long option is in a page"

# what --help prints (the program's usage covers every command)
cat $PAGES >"$T_TMP/all-pages"
help_opts() { grep -o -- '--[a-z][a-z0-9-]*' | sed 's/^--//' | sort -u; }
t_is "$("$WIREAUDIT" --help | help_opts | grep -vx 'help\|version' | missing "$T_TMP/all-pages")" "" \
	"every option of wireaudit --help is in a page"
# each command's own help (wireaudit help COMMAND) in the command's page
for c in capture export report audit status forward schema; do
	case $c in
	report) pg=$M/wireaudit-report.1 ;;
	export) pg=$M/wireaudit-export.1 ;;
	audit) pg=$T_TMP/all-pages ;;
	*) pg=$M/wireaudit.8 ;;
	esac
	t_is "$("$WIREAUDIT" help "$c" | help_opts | grep -vx help | missing "$pg")" "" \
		"every option of wireaudit help $c is in $(basename "$pg")"
done

# no stale option: what the pages name, the program accepts (--help and
# --version are the program's own, outside the tables)
t_is "$(page_opts $PAGES | grep -vx 'help\|version' | comm -23 - "$T_TMP/accepted" | tr '\n' ' ')" "" \
	"every option the pages name is accepted by the program"
# the check catches a missing option: a page without --spool-drain
grep -v 'spool-drain' "$M/wireaudit.8" >"$T_TMP/cut.8"
t_is "$(echo spool-drain | missing "$T_TMP/cut.8")" "spool-drain " "a page lacking an option is caught"

# the commands --help lists each have their section or page
for c in $("$WIREAUDIT" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 {print $1}'); do
	t_ok $(grep -q "^\.It Cm $c\b\|^\.Sh .*$(echo "$c" | tr a-z A-Z)\|^\.Nm wireaudit $c\$" $PAGES; echo $?) \
		"command $c is documented in a page"
done

# lint
for p in $PAGES; do
	if command -v mandoc >/dev/null 2>&1; then
		t_is "$(mandoc -T lint -W warning "$p" 2>&1)" "" "mandoc -T lint $(basename "$p")"
	else
		t_is "$(groff -ww -mandoc -z "$p" 2>&1)" "" "groff -ww $(basename "$p")"
	fi
done
t_done
