# SPDX-License-Identifier: BSD-3-Clause
# eve.sh — the event stream (capture --eve), flow_uid and export --after
# (issue 15; docs/INTEGRATIONS.md):
#   * for every capture in pcaps/, the "flow" events equal the export's
#     records, one per flow, with the envelope's fields taken from them;
#   * flow_uid is unique across runs and databases;
#   * export --cursor-file run again and again during a capture that
#     checkpoints: the union is every flow exactly once, never a snapshot;
#   * a unix-socket reader that stops reading: the capture keeps its speed
#     and the dropped count is exactly the events not delivered;
#   * logrotate's rename + SIGHUP: no line lost or repeated;
#   * unix-dgram, snapshots and the stats series.
. "$SRCDIR/tests/lib.sh"
export TZ=UTC LC_ALL=C
W=$WIREAUDIT
PY=python3
READER="$SRCDIR/tests/eve-reader.py"

# bytes of FILE to stdout over about SEC seconds (a capture that lasts)
pace() {
	$PY - "$1" "$2" <<'EOF'
import sys, time
data = open(sys.argv[1], "rb").read()
sec = float(sys.argv[2]); n = 200
step = max(1, len(data) // n)
out = sys.stdout.buffer
for i in range(0, len(data), step):
    out.write(data[i:i + step]); out.flush(); time.sleep(sec / n)
EOF
}

eve_flows() { jq -c 'select(.event_type == "flow") | .flow' "$@"; }

# ---- 1. every capture in pcaps/: stream == export ----
nf=0; bad=""; envbad=""
while read -r name pcap opts; do
	case "$name" in ''|'#'*) continue ;; esac
	db="$T_TMP/g-$name.db"; ev="$T_TMP/g-$name.eve"
	# shellcheck disable=SC2086
	(cd "$SRCDIR" && "$W" capture -q -r "$pcap" -d "$db" --eve "$ev" $opts) 2>/dev/null
	# the stream is in the order records became final, the export in
	# flow_id order
	"$W" export -d "$db" | jq -c . > "$T_TMP/g.exp"
	eve_flows "$ev" | jq -s -c 'sort_by(.flow_id) | .[]' > "$T_TMP/g.ev"
	cmp -s "$T_TMP/g.exp" "$T_TMP/g.ev" || bad="$bad $name"
	# the envelope says what the record says
	n=$(jq -c 'select(.event_type == "flow") | select(.flow_uid != .flow.flow_uid
		or .community_id != .flow.community_id or .src_ip != .flow.client_ip
		or .src_port != .flow.client_port or .dest_ip != .flow.server_ip
		or .dest_port != .flow.server_port
		or .proto != ({"tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "icmp6": "IPv6-ICMP"}[.flow.transport])
		or .timestamp != .flow.ts_last or .snapshot != null)' "$ev" | wc -l)
	[ "$n" -eq 0 ] || envbad="$envbad $name"
	nf=$((nf + $(wc -l < "$T_TMP/g.exp")))
	rm -f "$db" "$db-wal" "$db-shm"
done < "$SRCDIR/tests/golden/TESTLIST"
t_ok "$([ -z "$bad" ] && [ "$nf" -gt 200 ]; echo $?)" \
	"every capture in pcaps/: the flow events are the export's records, one per flow ($nf flows)${bad:+; differ:$bad}"
t_ok "$([ -z "$envbad" ]; echo $?)" "the envelope's flow_uid, community_id, src/dest, proto and timestamp are the record's${envbad:+; not:$envbad}"

# ---- 2. flow_uid ----
S=$(cd "$SRCDIR" && ls pcaps/sample/*.pcap | head -1)
db1=$T_TMP/u1.db; db2=$T_TMP/u2.db
"$W" capture -q -r "$SRCDIR/$S" -d "$db1"
"$W" capture -q -r "$SRCDIR/$S" -d "$db1"
"$W" capture -q -r "$SRCDIR/$S" -d "$db2"
{ "$W" export -d "$db1"; "$W" export -d "$db2"; } | jq -r .flow_uid > "$T_TMP/uids"
t_is "$(grep -cE '^[0-9a-f]{16}-[0-9]+$' "$T_TMP/uids")|$(sort -u "$T_TMP/uids" | wc -l)" \
	"$(wc -l < "$T_TMP/uids")|$(wc -l < "$T_TMP/uids")" "flow_uid: run uid and flow id, unique over two runs and two databases"
t_is "$("$W" export -d "$db1" | jq -r 'select(.run_id == 2) | .flow_uid' | sed 's/-.*//' | sort -u)" \
	"$(sqlite3 "$db1" 'SELECT uid FROM runs WHERE run_id = 2')" "flow_uid's prefix is its run's uid"
t_is "$(sqlite3 "$db1" 'SELECT sensor FROM runs LIMIT 1')" "$(hostname)" "runs.sensor: the host name by default"

# ---- a capture that lasts: 6000 flows fed over ~8 s, checkpoints every second ----
$PY "$SRCDIR/tools/bench/gen-bench.py" --out "$T_TMP/big.pcap" --tls-flows 4500 --clear-flows 1500 \
	--bulk-flows 4 --bulk-packets 3000 --seconds 20 --flow-seconds 4 >/dev/null 2>&1 ||
	{ echo "Bail out! gen-bench failed"; exit 1; }

# ---- 3. export --cursor-file during the capture ----
db=$T_TMP/inc.db; cur=$T_TMP/inc.cursor; : > "$T_TMP/inc.all"
pace "$T_TMP/big.pcap" 8 | "$W" capture -q -r - -d "$db" --checkpoint 1 2>"$T_TMP/inc.err" &
cpid=$!
chunks=0
while kill -0 $cpid 2>/dev/null; do
	sleep 0.7
	[ -f "$db" ] || continue
	"$W" export -d "$db" --cursor-file "$cur" > "$T_TMP/inc.part" 2>>"$T_TMP/inc.err" || continue
	[ -s "$T_TMP/inc.part" ] && chunks=$((chunks + 1))
	cat "$T_TMP/inc.part" >> "$T_TMP/inc.all"
done
wait $cpid
"$W" export -d "$db" --cursor-file "$cur" >> "$T_TMP/inc.all"
"$W" export -d "$db" --cursor-file "$cur" > "$T_TMP/inc.none"
total=$("$W" export -d "$db" | wc -l)
t_ok "$([ "$chunks" -ge 3 ]; echo $?)" "export --cursor-file returned flows $chunks times while the capture ran"
t_is "$(jq -r .flow_id "$T_TMP/inc.all" | sort -n | uniq | wc -l)|$(wc -l < "$T_TMP/inc.all")|$total" \
	"$total|$total|$total" "the union of the incremental exports: every flow exactly once"
t_is "$(jq -r 'select(.end_reason == "open")' "$T_TMP/inc.all" | wc -l)" "0" "no checkpoint snapshot in the incremental export"
t_is "$(cmp -s <(jq -c . "$T_TMP/inc.all" | sort) <("$W" export -d "$db" | jq -c . | sort); echo $?)" "0" \
	"each record shipped is the flow's final one, as export prints it after the run"
t_is "$(wc -c < "$T_TMP/inc.none")|$(cat "$cur")" "0|$(sqlite3 "$db" 'SELECT max(seq) FROM flows')" \
	"nothing new: no output; the cursor file holds the last record's position"
"$W" export -d "$T_TMP/u2.db" --cursor-file "$cur" >/dev/null 2>"$T_TMP/inc.other"
t_is "$?|$(grep -c 'belongs to another database' "$T_TMP/inc.other")" "2|1" "a cursor past the database's end is refused"
t_is "$(sqlite3 "$db" "SELECT count(*) FROM flows WHERE seq IS NOT NULL AND end_reason <> 'open'")" "$total" \
	"every final record has its place in the sequence"

# ---- 4. a reader that stops reading ----
t0=$(date +%s.%N)
"$W" capture -q -r "$T_TMP/big.pcap" -d "$T_TMP/plain.db"
tplain=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
sock=$T_TMP/eve.sock; rm -f "$T_TMP/ended"
$PY "$READER" stream "$sock" "$T_TMP/stall.out" --stall-after 100 --until-file "$T_TMP/ended" &
rpid=$!
while [ ! -e "$sock.ready" ]; do sleep 0.05; done
t0=$(date +%s.%N)
"$W" capture -q -r "$T_TMP/big.pcap" -d "$T_TMP/stall.db" --eve "unix:$sock" --eve-buffer 64K 2>"$T_TMP/stall.err"
teve=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
touch "$T_TMP/ended"; wait $rpid
nflows=$("$W" export -d "$T_TMP/stall.db" | wc -l)
got=$(tr -cd '\n' < "$T_TMP/stall.out" | wc -c) # whole lines: a last one cut short has no newline
read -r w d < <(sqlite3 "$T_TMP/stall.db" "SELECT json_extract(stats, '\$.eve.written'), json_extract(stats, '\$.eve.dropped') FROM runs" | tr '|' ' ')
# flows + the last stats event
t_is "$((w + d))|$w" "$((nflows + 1))|$got" "a stalled reader: written + dropped = every event, written = lines received ($got of $((nflows + 1)))"
t_ok "$([ "$d" -gt 1000 ]; echo $?)" "a stalled reader: events dropped ($d), not packets"
t_is "$(grep -c "events written, $d dropped" "$T_TMP/stall.err")" "1" "the dropped count is said at exit"
t_ok "$(awk -v a="$teve" -v b="$tplain" 'BEGIN { exit !(a < 2 * b + 3) }'; echo $?)" \
	"a stalled reader does not slow the capture (${teve}s, ${tplain}s without --eve)"
t_is "$(jq -c 'select(.event_type == "flow") | .flow' "$T_TMP/stall.out" 2>/dev/null | head -50 |
	while read -r l; do id=$(echo "$l" | jq .flow_id); "$W" export -d "$T_TMP/stall.db" --flow "$id" | jq -c . | cmp -s - <(echo "$l") || echo x; done | wc -l)" \
	"0" "what the stalled reader got are whole, exact records"

# ---- 5. logrotate: rename, SIGHUP, no line lost or repeated ----
ev=$T_TMP/rot.eve
cat > "$T_TMP/rot.conf" <<EOF
$ev {
	rotate 3
	nocompress
	missingok
	postrotate
		kill -HUP \$(cat $T_TMP/rot.pid)
	endscript
}
EOF
pace "$T_TMP/big.pcap" 7 | "$W" capture -q -r - -d "$T_TMP/rot.db" --eve "$ev" --eve-stats 1 --checkpoint 1 2>"$T_TMP/rot.err" &
echo $! > "$T_TMP/rot.pid"
# ($! of a pipeline: its last command, the capture) rotated once the file
# has events, and again once the new one has
wait_events() { for _ in $(seq 100); do [ -s "$1" ] && return; sleep 0.05; done; }
wait_events "$ev"
logrotate -s "$T_TMP/rot.state" -f "$T_TMP/rot.conf"
sleep 0.5; wait_events "$ev"
logrotate -s "$T_TMP/rot.state" -f "$T_TMP/rot.conf"
wait
n=$("$W" export -d "$T_TMP/rot.db" | wc -l)
cat "$ev.2" "$ev.1" "$ev" 2>/dev/null | jq -r 'select(.event_type == "flow") | .flow.flow_id' > "$T_TMP/rot.ids"
t_is "$(ls "$ev".* | wc -l)|$(sort -n "$T_TMP/rot.ids" | uniq | wc -l)|$(wc -l < "$T_TMP/rot.ids")" "2|$n|$n" \
	"logrotate twice during the capture: three files, every flow once ($n)"
t_ok "$([ -s "$ev.2" ] && [ -s "$ev.1" ] && [ -s "$ev" ]; echo $?)" "each of the three files holds events"
t_is "$(cat "$ev.2" "$ev.1" "$ev" | jq -c . >/dev/null 2>&1; echo $?)" "0" "every line of every file is whole JSON"

# ---- 6. unix-dgram, snapshots, the stats series ----
sock=$T_TMP/dg.sock; rm -f "$T_TMP/dg.end"
$PY "$READER" dgram "$sock" "$T_TMP/dg.out" --until-file "$T_TMP/dg.end" &
rpid=$!
while [ ! -e "$sock.ready" ]; do sleep 0.05; done
# (a buffer that holds the whole stream, ~15 MB: this part is about the
# datagrams, not the rate; under a loaded CI machine the Python reader fell
# behind the 4 MB default and 428 events were counted as dropped)
pace "$T_TMP/big.pcap" 5 | "$W" capture -q -r - -d "$T_TMP/dg.db" --eve "unix-dgram:$sock" \
	--eve-snapshots --eve-stats 1 --checkpoint 1 --sensor "probe-7" --eve-buffer 64M 2>"$T_TMP/dg.err"
touch "$T_TMP/dg.end"; wait $rpid
n=$("$W" export -d "$T_TMP/dg.db" | wc -l)
read -r w d < <(sqlite3 "$T_TMP/dg.db" "SELECT json_extract(stats, '\$.eve.written'), json_extract(stats, '\$.eve.dropped') FROM runs" | tr '|' ' ')
t_is "$(wc -l < "$T_TMP/dg.out")|$d" "$w|0" "unix-dgram: every event a datagram, none dropped ($w)"
t_is "$(jq -r 'select(.event_type == "flow" and .snapshot != true) | .flow.flow_id' "$T_TMP/dg.out" | sort -u | wc -l)|$(jq -r 'select(.event_type == "flow" and .snapshot != true)' "$T_TMP/dg.out" | jq -s length)" \
	"$n|$n" "--eve-snapshots: still one final event per flow"
t_is "$(jq -r 'select(.snapshot == true) | .flow.end_reason' "$T_TMP/dg.out" | sort -u)" "open" "snapshot events carry the snapshot (end_reason open)"
t_ok "$([ "$(jq -r 'select(.snapshot == true)' "$T_TMP/dg.out" | jq -s length)" -gt 0 ]; echo $?)" "long flows gave snapshot events"
ns=$(jq -r 'select(.event_type == "stats")' "$T_TMP/dg.out" | jq -s length)
t_ok "$([ "$ns" -ge 3 ]; echo $?)" "--eve-stats 1 over ~5 s: $ns stats events"
t_is "$(jq -r 'select(.event_type == "stats") | .stats.final' "$T_TMP/dg.out" | tail -1)|$(jq -r 'select(.event_type == "stats" and .stats.final) | .stats.packets' "$T_TMP/dg.out")" \
	"true|$(sqlite3 "$T_TMP/dg.db" 'SELECT packets FROM runs')" "the last stats event is the run's final row"
t_is "$(jq -r .sensor "$T_TMP/dg.out" | sort -u)|$(sqlite3 "$T_TMP/dg.db" 'SELECT sensor FROM runs')" "probe-7|probe-7" "--sensor names the events and the run"

# ---- 7. destinations that cannot be used ----
"$W" capture -q -r "$SRCDIR/$S" -d "$T_TMP/x.db" --eve /nonexistent/dir/e.json 2>"$T_TMP/x.err"
t_is "$?|$(grep -c 'nonexistent' "$T_TMP/x.err")" "2|1" "--eve into a directory that does not exist: refused, named"
"$W" capture -q -r "$SRCDIR/$S" -d "$T_TMP/y.db" --eve "unix:$T_TMP/nobody.sock" 2>"$T_TMP/y.err"
t_is "$?|$(sqlite3 "$T_TMP/y.db" "SELECT json_extract(stats, '\$.eve.written') || '/' || json_extract(stats, '\$.eve.dropped') FROM runs")" \
	"0|0/$(( $("$W" export -d "$T_TMP/y.db" | wc -l) + 1 ))" "no reader on the socket: the capture runs, every event counted as dropped"
# ---- 8. the configuration file's keys ----
cat > "$T_TMP/c.conf" <<EOF
sensor = conf-sensor
eve = $T_TMP/conf.eve
eve_stats = 0
eve_buffer = 128K
EOF
"$W" capture -q --config "$T_TMP/c.conf" -r "$SRCDIR/$S" -d "$T_TMP/c.db" 2>"$T_TMP/c.err"
t_is "$?|$(jq -r .sensor "$T_TMP/conf.eve" | sort -u)|$(jq -r 'select(.event_type == "flow")' "$T_TMP/conf.eve" | jq -s length)" \
	"0|conf-sensor|$("$W" export -d "$T_TMP/c.db" | wc -l)" "sensor and eve from the configuration file"
printf 'eve_buffer = 1K\n' > "$T_TMP/bad.conf"
"$W" capture -q --config "$T_TMP/bad.conf" -r "$SRCDIR/$S" -d "$T_TMP/bad.db" 2>"$T_TMP/bad.err"
t_is "$?|$(grep -c 'bad.conf:1: eve_buffer must be 64K..1G' "$T_TMP/bad.err")" "2|1" "a bad eve_buffer: FILE:LINE and exit 2"
# ---- 9. at scale: 30,000 flows to a unix socket with a reader that keeps up ----
# (3,000 in the sanitizer passes of .ci/run, which set WA_SKIP_ORACLES:
# the same code, ten to twenty times slower)
K=10; [ -n "${WA_SKIP_ORACLES:-}" ] && K=1
$PY "$SRCDIR/tools/bench/gen-bench.py" --out "$T_TMP/scale.pcap" --tls-flows $((K * 2400)) --clear-flows $((K * 600)) \
	--bulk-flows 0 --seconds 30 >/dev/null 2>&1 || { echo "Bail out! gen-bench failed"; exit 1; }
sock=$T_TMP/sc.sock
$PY "$READER" stream "$sock" "$T_TMP/sc.out" &
rpid=$!
while [ ! -e "$sock.ready" ]; do sleep 0.05; done
"$W" capture -q -r "$T_TMP/scale.pcap" -d "$T_TMP/sc.db" --eve "unix:$sock" 2>"$T_TMP/sc.err"
wait $rpid
n=$("$W" export -d "$T_TMP/sc.db" | wc -l)
read -r w d < <(sqlite3 "$T_TMP/sc.db" "SELECT json_extract(stats, '\$.eve.written'), json_extract(stats, '\$.eve.dropped') FROM runs" | tr '|' ' ')
t_is "$n|$w|$d|$(wc -l < "$T_TMP/sc.out")" "$((K * 3000))|$((K * 3000 + 1))|0|$((K * 3000 + 1))" "$((K * 3000)) flows: every event delivered to a reader that keeps up, none dropped"
t_is "$(cmp -s <(jq -c 'select(.event_type == "flow") | .flow' "$T_TMP/sc.out" | sort) <("$W" export -d "$T_TMP/sc.db" | jq -c . | sort); echo $?)" \
	"0" "$((K * 3000)) flows: the stream is the export, record for record"
# ---- 10. the stream's file on a full disk (root: a 64 KB tmpfs) ----
if [ "$(id -u)" -eq 0 ] && mkdir -p "$T_TMP/full" && mount -t tmpfs -o size=64k tmpfs "$T_TMP/full" 2>/dev/null; then
	"$W" capture -q -r "$T_TMP/big.pcap" -d "$T_TMP/full.db" --eve "$T_TMP/full/eve.json" 2>"$T_TMP/full.err"
	rc=$?
	n=$("$W" export -d "$T_TMP/full.db" | wc -l)
	lines=$(wc -l < "$T_TMP/full/eve.json")
	read -r w d < <(sqlite3 "$T_TMP/full.db" "SELECT json_extract(stats, '\$.eve.written'), json_extract(stats, '\$.eve.dropped') FROM runs" | tr '|' ' ')
	t_is "$rc|$n|$((w + d))|$w|$(jq -c . "$T_TMP/full/eve.json" >/dev/null 2>&1; echo $?)|$(tail -c 1 "$T_TMP/full/eve.json" | od -An -c | tr -d ' ')" \
		"0|$n|$((n + 1))|$lines|0|\\n" "a full disk under the stream's file: the capture goes on, whole lines only, the rest counted as dropped ($d)"
	t_is "$(grep -c 'No space left on device; events are dropped' "$T_TMP/full.err")" "1" "…said once"
	umount "$T_TMP/full"
else
	echo "ok $((T_N + 1)) # SKIP a full disk needs root (tmpfs)"; T_N=$((T_N + 1))
fi
# ---- 11. the sequence never goes back (seq_hwm) ----
db=$T_TMP/hwm.db; cur=$T_TMP/hwm.cursor
"$W" capture -q -r "$SRCDIR/$S" -d "$db"
"$W" export -d "$db" --cursor-file "$cur" >/dev/null
c1=$(cat "$cur")
# the row holding the largest number loses it (as a closing snapshot's
# rewrite did before seq_hwm; retention may remove such a row)
sqlite3 "$db" "UPDATE flows SET seq = NULL WHERE seq = (SELECT max(seq) FROM flows)"
"$W" export -d "$db" --cursor-file "$cur" > "$T_TMP/hwm.none"; rc=$?
t_is "$rc|$(wc -c < "$T_TMP/hwm.none")|$(cat "$cur")" "0|0|$c1" "the largest number gone from flows: the cursor is still valid, nothing new"
"$W" capture -q -r "$SRCDIR/$S" -d "$db"
n2=$("$W" export -d "$db" --cursor-file "$cur" | jq -r .run_id | sort -u | tr '\n' ' ')
t_is "$n2|$(sqlite3 "$db" "SELECT min(seq) > $c1 FROM flows WHERE run_id = 2")" "2 |1" \
	"the next run's records take numbers past the cursor, and are exported"

# ---- 12. a FIFO as the file; a second capture into the same database ----
mkfifo "$T_TMP/e.fifo"
( head -c 20000 "$T_TMP/e.fifo" > "$T_TMP/fifo.part" ) &
hp=$!
timeout 60 "$W" capture -q -r "$T_TMP/big.pcap" -d "$T_TMP/fifo.db" --eve "$T_TMP/e.fifo" 2>"$T_TMP/fifo.err"
rc=$?
wait $hp
read -r w d < <(sqlite3 "$T_TMP/fifo.db" "SELECT json_extract(stats, '\$.eve.written'), json_extract(stats, '\$.eve.dropped') FROM runs" | tr '|' ' ')
t_is "$rc|$((w + d))" "0|$(( $("$W" export -d "$T_TMP/fifo.db" | wc -l) + 1 ))" \
	"a FIFO whose reader goes away: the capture ends normally (no SIGPIPE), every event written or dropped"
pace "$T_TMP/big.pcap" 4 | "$W" capture -q -r - -d "$T_TMP/two.db" --checkpoint 1 2>/dev/null &
cp1=$!
for _ in $(seq 100); do [ -s "$T_TMP/two.db" ] && break; sleep 0.05; done
"$W" capture -q -r "$SRCDIR/$S" -d "$T_TMP/two.db" 2>"$T_TMP/two.err"
t_is "$?|$(grep -c 'another capture is writing this database' "$T_TMP/two.err")" "4|1" \
	"a second capture into a database being written: exit 4, said"
wait $cp1
t_is "$?" "0" "…the first one is unharmed"
t_done
