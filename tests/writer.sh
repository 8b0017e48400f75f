#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# writer.sh — the capture's threads (issue 13): a reader thread reads the
# savefile (src/capture/reader.c) and a store writer thread
# (src/store/swq.c) owns the store, around the packet thread. The promise is
# that the store is the same as a single-threaded capture writes, whatever
# the queues' sizes and timing:
#  1. a generated capture of 12,000 flows (copies of the real TLS, cleartext
#     and bulk flows of pcaps/ with fresh addresses; tools/bench/gen-bench.py)
#     captured with the writer, with a 2-record queue (the packet thread waits
#     on almost every record) and with --no-store-thread: the same export,
#     byte for byte, the same report, the same flow count in the run;
#  2. the run's statistics state the writer's work and back-pressure: every
#     flow's records counted, waits counted with the 2-record queue;
#  3. every real capture in pcaps/ (all 170-odd) exports the same with and
#     without the thread;
#  4. the reader thread: -c N analyses exactly N packets and exports as on
#     one thread; gzip input goes through it, a pipe does not, same export;
#  5. options: --store-queue out of range is a usage error (exit 2).
. "$SRCDIR/tests/lib.sh"

W=$WIREAUDIT
q() { sqlite3 "$1" "$2"; }

python3 "$SRCDIR/tools/bench/gen-bench.py" --out "$T_TMP/mix.pcap" --tls-flows 10000 --clear-flows 2000 \
	--bulk-flows 4 --bulk-packets 2000 --seconds 20 >&2 || { echo "Bail out! gen-bench failed"; exit 1; }

for mode in thread tiny inline; do
	case $mode in
	thread) opts="" ;;
	tiny) opts="--store-queue 2" ;;
	inline) opts="--no-store-thread --no-read-thread" ;;
	esac
	# shellcheck disable=SC2086
	"$W" capture -q $opts -r "$T_TMP/mix.pcap" -d "$T_TMP/$mode.db"
	t_is $? 0 "capture ($mode)"
	t_export_nouid -d "$T_TMP/$mode.db" > "$T_TMP/$mode.jsonl"
	"$W" report -d "$T_TMP/$mode.db" -F json -l 3 -o "$T_TMP/$mode.rj"
	jq -S 'del(.generated_at)' "$T_TMP/$mode.rj" > "$T_TMP/$mode.report"
done
n=$(wc -l < "$T_TMP/inline.jsonl")
t_is "$(jq '.coverage.flows' "$T_TMP/inline.report")" 12004 "the report covers 12,004 flows"
t_is "$(jq '[.requirements[] | select(.findings_total > 0)] | length > 0' "$T_TMP/inline.report")" true \
	"…with findings (the comparison below compares something)"
t_is "$n" 12004 "12,004 flows exported (single-threaded)"
for mode in thread tiny; do
	cmp -s "$T_TMP/inline.jsonl" "$T_TMP/$mode.jsonl"
	t_ok $? "export with the writer ($mode) is byte-identical to the single-threaded one"
	cmp -s "$T_TMP/inline.report" "$T_TMP/$mode.report"
	t_ok $? "report with the writer ($mode) is identical"
	t_is "$(q "$T_TMP/$mode.db" 'SELECT flows FROM runs')" 12004 "run row: 12,004 flows written ($mode)"
	t_is "$(q "$T_TMP/$mode.db" "SELECT json_extract(stats, '\$.store_errors') FROM runs")" 0 \
		"no store errors ($mode)"
done
t_is "$(q "$T_TMP/inline.db" "SELECT json_type(stats, '\$.store_writer') IS NULL FROM runs")" 1 \
	"--no-store-thread: no writer statistics"

# 2. the writer's statistics: every generated connection closes (its
# observations: a record) and then ends (its counters: a record); checkpoint
# snapshots (every 2 s of wall-clock time) add records, so the exact count
# is taken without checkpoints
"$W" capture -q --checkpoint 0 --store-queue 2 -r "$T_TMP/mix.pcap" -d "$T_TMP/nock.db"
t_is "$(q "$T_TMP/nock.db" "SELECT json_extract(stats, '\$.store_writer.records') FROM runs")" 24008 \
	"--checkpoint 0: exactly two records per flow handed to the writer"
cmp -s <(t_export_nouid -d "$T_TMP/nock.db") "$T_TMP/inline.jsonl"
t_ok $? "--checkpoint 0: the same export"
for mode in thread tiny; do
	rec=$(q "$T_TMP/$mode.db" "SELECT json_extract(stats, '\$.store_writer.records') FROM runs")
	t_ok "$([ "$rec" -ge 24008 ]; echo $?)" "$mode: $rec records (two per flow, plus checkpoint snapshots)"
done
t_is "$(q "$T_TMP/tiny.db" "SELECT json_extract(stats, '\$.store_writer.slots') FROM runs")" 2 "tiny: 2 slots"
t_is "$(q "$T_TMP/tiny.db" "SELECT json_extract(stats, '\$.store_writer.max_queued') <= 2 FROM runs")" 1 \
	"tiny: never more than 2 records queued"
t_is "$(q "$T_TMP/tiny.db" "SELECT json_extract(stats, '\$.store_writer.full_waits') > 0 FROM runs")" 1 \
	"tiny: the packet thread waited for the writer, and it is counted"
t_is "$(q "$T_TMP/thread.db" "SELECT json_extract(stats, '\$.store_writer.slots') FROM runs")" 1024 \
	"default queue: 1024 slots"

# 3. every real capture, with and without the thread
diffs=0 n=0
while IFS= read -r p; do
	n=$((n + 1))
	rm -f "$T_TMP"/r[ab].db*
	"$W" capture -q -r "$p" -d "$T_TMP/ra.db" 2>"$T_TMP/ra.err"
	ra=$?
	"$W" capture -q --no-store-thread -r "$p" -d "$T_TMP/rb.db" 2>/dev/null
	rb=$?
	# the same exit status too (a sanitizer's report would change it)
	if [ "$ra" != "$rb" ] || ! cmp -s <(t_export_nouid -d "$T_TMP/ra.db") <(t_export_nouid -d "$T_TMP/rb.db"); then
		sed 's/^/#   /' "$T_TMP/ra.err" | head -20
		diffs=$((diffs + 1))
		echo "# differs: $p"
	fi
done < <(find "$SRCDIR/pcaps" -name '*.pcap' -o -name '*.pcapng' | sort)
t_ok "$([ "$n" -ge 170 ]; echo $?)" "$n real captures tried"
t_is "$diffs" 0 "every real capture exports the same with and without the writer thread"

# 4. the reader thread stops where it is told: -c N analyses exactly N
# packets, as on one thread; a gzip file is read by the thread as well
for c in 1 1000 123457; do
	"$W" capture -q -c $c -r "$T_TMP/mix.pcap" -d "$T_TMP/c$c.db"
	"$W" capture -q -c $c --no-read-thread --no-store-thread -r "$T_TMP/mix.pcap" -d "$T_TMP/c$c-1.db"
	t_is "$(q "$T_TMP/c$c.db" 'SELECT packets FROM runs')" $c "-c $c: $c packets analysed with the reader thread"
	cmp -s <(t_export_nouid -d "$T_TMP/c$c.db") <(t_export_nouid -d "$T_TMP/c$c-1.db")
	t_ok $? "-c $c: the same export as on one thread"
done
gzip -c "$T_TMP/mix.pcap" > "$T_TMP/mix.pcap.gz"
"$W" capture -q -r "$T_TMP/mix.pcap.gz" -d "$T_TMP/gz.db"
t_is $? 0 "gzip input read by the reader thread"
t_export_nouid -d "$T_TMP/gz.db" | cmp -s - "$T_TMP/inline.jsonl"
t_ok $? "…and the same export"
cat "$T_TMP/mix.pcap" | "$W" capture -q -r - -d "$T_TMP/pipe.db"
t_is $? 0 "a pipe (read on the packet thread)"
t_export_nouid -d "$T_TMP/pipe.db" | cmp -s - "$T_TMP/inline.jsonl"
t_ok $? "…the same export"

# 5. options
"$W" capture -q --store-queue 1 -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$T_TMP/o.db" 2>/dev/null
t_is $? 2 "--store-queue 1: usage error"
"$W" capture -q --store-queue 2 -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$T_TMP/o.db"
t_is $? 0 "--store-queue 2 accepted"

t_done
