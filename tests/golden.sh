# SPDX-License-Identifier: BSD-3-Clause
# golden.sh — every capture listed in tests/golden/TESTLIST is analysed and
# its export compared byte for byte with tests/golden/NAME.jsonl (tcpdump's
# TESTLIST/TESTrun habit). tools/regen-golden.sh rewrites the expected files
# for review. Line format: NAME PCAP [capture options...]; # comments.
# The last line of each golden file holds the run's cost counters.
. "$SRCDIR/tests/lib.sh"

while read -r name pcap opts; do
	case "$name" in ''|'#'*) continue ;; esac
	db="$T_TMP/$name.db"
	# shellcheck disable=SC2086
	# the capture and options name files relative to the source tree (the
	# path lands in input_errors, so it must not depend on the checkout)
	(cd "$SRCDIR" && "$WIREAUDIT" capture -q -r "$pcap" -d "$db" $opts) 2>"$T_TMP/$name.err"
	rc=$?
	if [ ! -e "$db" ]; then
		# a capture that read no packet leaves no database (issue 20):
		# the golden is what it said
		{ printf '#no database: '; head -1 "$T_TMP/$name.err"; } > "$T_TMP/$name.jsonl"
	else {
		# flow_uid holds the run's random id: checked in tests/eve.sh
		"$WIREAUDIT" export -d "$db" | sed -E 's/"flow_uid":"[0-9a-f]{16}-[0-9]+",//'
		# cost counters (packets, dissector calls and bytes, nDPI packets...)
		# so that a performance regression shows up in review
		# (without the store writer's queue figures: they depend on timing)
		printf '#stats '; sqlite3 "$db" "SELECT json_remove(stats, '\$.store_writer') FROM runs ORDER BY run_id DESC LIMIT 1"
	} > "$T_TMP/$name.jsonl" 2>>"$T_TMP/$name.err"
	fi
	if cmp -s "$T_TMP/$name.jsonl" "$SRCDIR/tests/golden/$name.jsonl"; then
		t_ok 0 "golden $name (capture exit $rc)"
	else
		t_ok 1 "golden $name (capture exit $rc)"
		diff -u "$SRCDIR/tests/golden/$name.jsonl" "$T_TMP/$name.jsonl" | head -40 | sed 's/^/#   /'
		sed 's/^/#   stderr: /' "$T_TMP/$name.err" | head -5
	fi
done < "$SRCDIR/tests/golden/TESTLIST"
# Every capture in pcaps/ is pinned: a new one without a golden file fails
# here (issue 12: no export may change unnoticed).
missing=$(cd "$SRCDIR" && find pcaps -name '*.pcap' -o -name '*.pcapng' | sort |
	while read -r p; do grep -q " $p\( \|$\)" tests/golden/TESTLIST || echo "$p"; done)
t_ok "$([ -z "$missing" ]; echo $?)" "every capture in pcaps/ has a golden export${missing:+ (missing: $(echo $missing))}"
t_done
