# SPDX-License-Identifier: BSD-3-Clause
# valgrind.sh — memcheck over the whole pipeline: every capture under pcaps/
# (one capture run per folder) and the small variants of the hostile
# captures (tools/mkpcap-hostile-traffic.py), each through `capture`,
# `export` (jsonl, csv) and `report` (text, json, html, md, csv). Any invalid
# read/write, use of uninitialised memory, or definite/indirect leak fails
# (valgrind --error-exitcode=99). Not part of `make check` (about 3 minutes
# of CPU): `make check-valgrind` runs it, and .ci/run calls that.
# The fleet store too (docs/FLEET.md), against a private PostgreSQL 15
# (tests/pg-lib.sh; that job is skipped without it): a capture into
# PostgreSQL through a spool (the forwarder thread), export and report from
# it (the private copy), a forwarder whose every pass fails (a read-only
# database: the retry path, exit 4) and `wireaudit forward` then sending
# what it left, a refused connection (capture and export).
# Folders run in parallel (WA_VALGRIND_JOBS, default: the number of CPUs).
# Skipped when valgrind is missing or the binary is built with sanitizers.
set -u
VGOPTS="-q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30"

# ---- job mode: one folder (xargs runs these in parallel) ----
# valgrind.sh --job NAME EXPECTED_CAPTURE_EXIT FILE...; writes NAME.res
if [ "${1:-}" = "--job" ]; then
	n=$2 want=$3
	shift 3
	out=$VG_OUT
	args=()
	for f in "$@"; do args+=(-r "$f"); done
	res=$out/$n.res
	: > "$res"
	# step NAME EXPECTED_EXITS CMD...: one result line "rc|expected|name|log"
	step() {
		local s=$1 ok=$2 log=$out/$n.$1.vg
		shift 2
		valgrind $VGOPTS --log-file="$log" "$@" >/dev/null 2>"$out/$n.$s.err"
		echo "$?|$ok|$s|$log" >> "$res"
	}
	db=$out/$n.db
	if [ "$n" = fleet ]; then
		# the database URLs in VG_PG_URL (new) and VG_PG_RO (made
		# read-only), the password in PGPASSFILE (pg_start's)
		step capture "$want" "$WIREAUDIT" capture -q "${args[@]}" -d "$VG_PG_URL" --spool "$out/fleet.spool" \
			--sensor vg --checkpoint 1
		db=$VG_PG_URL
		step capture-failing 4 "$WIREAUDIT" capture -q -r "$1" -r "$2" -r "$3" -d "$VG_PG_RO" --spool "$out/ro.spool" \
			--sensor ro --spool-drain 3
		PGOPTIONS="-c default_transaction_read_only=off" "$PG_BIN/psql" -X -q -w -d "$VG_PG_RO" \
			-c "ALTER DATABASE ro RESET default_transaction_read_only" >/dev/null 2>&1
		step forward 0 "$WIREAUDIT" forward -d "$VG_PG_RO" --spool "$out/ro.spool" --timeout 120
		step refused-capture 4 "$WIREAUDIT" capture -q -r "$1" -d "postgresql://wa@127.0.0.1:1/wa" \
			--spool "$out/refused.spool"
		step refused-export 4 "$WIREAUDIT" export -d "postgresql://wa@127.0.0.1:1/wa"
	else
		step capture "$want" "$WIREAUDIT" capture -q "${args[@]}" -d "$db"
	fi
	step export-jsonl 0 "$WIREAUDIT" export -d "$db" -o "$out/$n.jsonl"
	step export-csv 0 "$WIREAUDIT" export -d "$db" --format csv -o "$out/$n.csv"
	for fmt in text json html md csv; do
		# 6: a requirement fails at the chosen level, an ordinary outcome
		step "report-$fmt" "0 6" "$WIREAUDIT" report -d "$db" --format "$fmt" -o "$out/$n.report.$fmt"
	done
	exit 0
fi

. "$SRCDIR/tests/lib.sh"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind not installed"
	exit 0
fi
if ldd "$WIREAUDIT" 2>/dev/null | grep -Eq 'libasan|libubsan'; then
	echo "1..0 # SKIP sanitizer build (valgrind cannot run ASan binaries)"
	exit 0
fi
export VG_OUT=$T_TMP WIREAUDIT VGOPTS
P=$SRCDIR/pcaps

# the jobs: NAME EXPECTED_CAPTURE_EXIT FILES...
jobs=$T_TMP/jobs
: > "$jobs"
for d in "$P"/*/; do
	n=$(basename "$d")
	files=$(find "$d" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.pcap.gz' \) \
		! -name 'truncated-*' | sort | tr '\n' ' ' | sed 's/ *$//')
	[ -n "$files" ] && echo "$n 0 $files" >> "$jobs"
done
# a file ending mid-record: exit 3, what was read is stored (and freed)
echo "truncated 3 $P/malformed/truncated-midrecord.pcap" >> "$jobs"
# the hostile captures, small: 2000 flows, 2 MiB per endless flow, 100 ooo flows
python3 "$SRCDIR/tools/mkpcap-hostile-traffic.py" "$T_TMP/hostile" --flows 2000 --bulk-mb 2 --ooo-flows 100 >&2
t_ok $? "generated the small hostile captures"
echo "hostile 0 $(ls "$T_TMP"/hostile/*.pcap | tr '\n' ' ' | sed 's/ *$//')" >> "$jobs"

# the fleet store: captures with certificates, clear text and hostile
# strings, into a private PostgreSQL 15
fleet_skip=
. "$SRCDIR/tests/pg-lib.sh"
if pg_available; then
	trap 'pg_cleanup; rm -rf "$T_TMP"' EXIT
	pg_start >/dev/null
	t_ok $? "PostgreSQL started for the fleet job"
	if [ -n "${PG_PORT:-}" ] && VG_PG_URL=$(pg_newdb fleet) && VG_PG_RO=$(pg_newdb ro); then
		# the schema made, then every write refused: each forwarding pass fails
		"$WIREAUDIT" schema --postgresql | pg_psql -d ro >/dev/null &&
			pg_psql -d ro -c "ALTER DATABASE ro SET default_transaction_read_only = on"
		t_ok $? "a read-only fleet database for the failing forwarder"
		export VG_PG_URL VG_PG_RO
		# first: the longest job
		{ echo "fleet 0 $(ls "$P"/escaping/*.pcap "$P"/tls/*.pcap "$P"/crafted-db/*.pcap "$P"/sample/*.pcap |
			tr '\n' ' ' | sed 's/ *$//')"; cat "$jobs"; } > "$jobs.new" && mv "$jobs.new" "$jobs"
	fi
else
	fleet_skip=$PG_SKIP_REASON
fi

start=$(date +%s)
# shellcheck disable=SC2086
# (lines carry no trailing blank: xargs -L would join the next line)
xargs -P "${WA_VALGRIND_JOBS:-$(nproc)}" -L 1 bash "$0" --job < "$jobs"
echo "# valgrind: $(wc -l < "$jobs") folders in $(( $(date +%s) - start )) s"

while read -r n _; do
	if [ ! -s "$T_TMP/$n.res" ]; then
		t_ok 1 "$n: no result"
		continue
	fi
	while IFS='|' read -r rc ok s log; do
		good=1
		for e in $ok; do [ "$rc" = "$e" ] && good=0; done
		t_ok $good "$n: $s under valgrind exits $rc (want ${ok// / or })"
		if [ $good -ne 0 ]; then
			sed 's/^/#   /' "$log" | head -40
			sed 's/^/#   stderr: /' "${log%.vg}.err" | head -5
		fi
	done < "$T_TMP/$n.res"
done < "$jobs"
if [ -n "$fleet_skip" ]; then
	T_N=$((T_N + 1))
	echo "ok $T_N - fleet: the fleet store under valgrind # SKIP $fleet_skip"
fi
t_done
