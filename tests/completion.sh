# SPDX-License-Identifier: BSD-3-Clause
# completion.sh — the bash completion (src/completion/wireaudit.bash) run the
# way bash runs it: the commands are those `wireaudit --help` lists, each
# command completes exactly the long options of its getopt_long table in
# the sources (audit: capture's and report's), and a few option values.
. "$SRCDIR/tests/lib.sh"
BC=/usr/share/bash-completion/bash_completion
[ -r "$BC" ] || { echo "1..0 # SKIP bash-completion missing (tools/install-deps)"; exit 0; }
C=$SRCDIR/src/completion/wireaudit.bash

# complete WORD...: what bash would offer for the last word, sorted, one line
complete_words() {
	bash -c '
		. "$1" >/dev/null 2>&1; . "$2"; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_wireaudit wireaudit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BC" "$C" "$@" | sort -u | tr '\n' ' '
}

find "$SRCDIR/src" -name '*.c' | sort | xargs awk '
	/struct option [A-Za-z_0-9]+\[\] *= *\{/ { t = $0; sub(/.*struct option /, "", t); sub(/\[.*/, "", t); next }
	t != "" && /^[ \t]*\{ *NULL/ { t = ""; next }
	t != "" && /^[ \t]*\{ *"/ { o = $0; sub(/^[ \t]*\{ *"/, "", o); sub(/".*/, "", o); print t, o }
' >"$T_TMP/tables"
opts_of() { awk -v t="$1" '$1 == t {print "--" $2}' "$T_TMP/tables" | sort -u | tr '\n' ' '; }

cmds=$("$WIREAUDIT" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 {print $1}' | sort | tr '\n' ' ')
t_is "$(complete_words wireaudit '' | sed 's/--help //; s/--version //')" "$cmds" "the commands are those of --help"
for pair in capture:capture_longopts export:export_longopts report:report_longopts \
	status:status_longopts forward:forward_longopts schema:lo; do
	c=${pair%%:*} t=${pair#*:}
	want=$(opts_of "$t")
	t_ok $([ -n "$want" ]; echo $?) "table $t found"
	t_is "$(complete_words wireaudit "$c" --)" "$want" "$c completes its options"
done
t_is "$(complete_words wireaudit audit --)" \
	"$( (opts_of capture_longopts; opts_of report_longopts) | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ')" \
	"audit completes capture's and report's options"
t_is "$(complete_words wireaudit capture -d x.db --no)" "--no-ndpi --no-promisc --no-read-thread --no-store-thread " \
	"a prefix narrows the options"
t_is "$(complete_words wireaudit report --format '')" "csv html json md text " "report --format values"
t_is "$(complete_words wireaudit export --format '')" "csv jsonl " "export --format values"
t_is "$(complete_words wireaudit capture --ndpi '')" "all classify unclaimed " "capture --ndpi values"
t_is "$(complete_words wireaudit report --level '')" "1 2 3 " "report --level values"
case " $(complete_words wireaudit capture -i l)" in *" lo "*) t_ok 0 "-i completes interface names";; *) t_ok 1 "-i completes interface names";; esac
t_done
