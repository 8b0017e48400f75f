# SPDX-License-Identifier: BSD-3-Clause
# faults.sh — durability and faults (issue 7): SIGKILL mid-run (checkpoint
# snapshots), SIGINT flush, SIGHUP, a pipe that ends mid-record, disk full,
# read-only and locked databases, an interface that disappears, and a
# database written by an earlier version. docs/CLI.md has the behaviour and
# exit codes, docs/ARCHITECTURE.md the checkpoint design.
#
# The slow "offline" input is a generated capture replayed into a pipe at
# its own speed (tools/mkpcap-faults.py pace): 20 long HTTP connections that
# never end and one short connection every 50 ms, so what must be in the
# database at time K is known from the capture's schedule.
. "$SRCDIR/tests/lib.sh"
# mounts and the test interface go even if the test is interrupted
trap 'for m in full ro; do mountpoint -q "$T_TMP/$m" 2>/dev/null && umount "$T_TMP/$m"; done
ip link del "waf$$" 2>/dev/null; rm -rf "$T_TMP"' EXIT
W=$WIREAUDIT
GEN=$SRCDIR/tools/mkpcap-faults.py
SAMPLE=$SRCDIR/pcaps/sample/http-mixed.pcap
LONG=$T_TMP/long.pcap
python3 "$GEN" long "$LONG" 10
ROOT=false
[ "$(id -u)" -eq 0 ] && ROOT=true
q() { sqlite3 "$1" "$2"; }
skip() { T_N=$((T_N + 1)); echo "ok $T_N # SKIP $1"; }

# Starts a paced replay of $LONG into `wireaudit capture -r -`; sets PID
# (wireaudit's) and waits until the replay's time zero.
# paced_start DB ERRFILE SPEED [capture options]
paced_start() {
	local db=$1 err=$2 speed=$3
	shift 3
	rm -f "$T_TMP/started"
	python3 "$GEN" pace "$LONG" "$speed" "$T_TMP/started" | "$W" capture -r - -d "$db" "$@" 2>"$err" &
	PID=$!
	for _ in $(seq 100); do [ -e "$T_TMP/started" ] && break; sleep 0.1; done
}
# packets of the capture with a time up to T seconds (from its start)
pkts_upto() { awk -v t="$1" 'BEGIN { n = 0 } { if ($1 - 1767225600 <= t) n++ } END { print n }' "$T_TMP/times"; }
tshark -r "$LONG" -T fields -e frame.time_epoch > "$T_TMP/times" 2>/dev/null

# reference: the file read at once, no checkpoint
"$W" capture -q -r "$LONG" -d "$T_TMP/ref.db" --checkpoint 0
t_is "$(q "$T_TMP/ref.db" "SELECT count(*), sum(end_reason = 'capture_end'), sum(end_reason = 'closed') FROM flows")" \
	"218|20|198" "reference: 20 long flows open at the end, 198 short ones closed"
t_export_nouid -d "$T_TMP/ref.db" > "$T_TMP/ref.jsonl"

# 1. checkpoints leave no trace once flows end: a paced run (5 s, a
#    checkpoint every second) exports exactly what the direct read does
paced_start "$T_TMP/paced.db" "$T_TMP/paced.err" 2 --checkpoint 1 -v
wait $PID; t_is $? 0 "paced run with checkpoints exits 0"
n=$(sed -n 's/.*(\([0-9]*\) checkpoint rows, .*/\1/p' "$T_TMP/paced.err")
[ "${n:-0}" -gt 20 ]; t_ok $? "…wrote checkpoint snapshots of the open flows ($n rows)"
t_export_nouid -d "$T_TMP/paced.db" > "$T_TMP/paced.jsonl"
cmp -s "$T_TMP/ref.jsonl" "$T_TMP/paced.jsonl"; t_ok $? "…and its export equals the direct read's (snapshots replaced, no duplicate anomaly)"
t_is "$(q "$T_TMP/paced.db" "SELECT count(*) FROM anomalies")" "1" "…one anomaly row for the flow with a hole"

# 2. SIGKILL 8 s into the replay (default checkpoint every 2 s): the
#    database opens cleanly, holds what was seen up to 2 intervals + 1 s
#    of slack before the kill, open flows as snapshots ("open")
K=8
db=$T_TMP/kill.db
paced_start "$db" "$T_TMP/kill.err" 1
sleep $K
kill -KILL $PID
wait $PID; t_is $? 137 "SIGKILL during an offline capture (a pipe)"
t_is "$(q "$db" 'PRAGMA integrity_check')" "ok" "…database passes integrity_check"
want_short=$(awk -v t=$((K - 5)) 'BEGIN { n = 0; for (k = 0; 0.1 + 0.05 * k + 0.016 <= t; k++) n++; print n }')
got_short=$(q "$db" "SELECT count(*) FROM flows WHERE client_port >= 30000 AND packets_c2s + packets_s2c = 8")
[ "$got_short" -ge "$want_short" ]; t_ok $? "…every short connection that ended by t=$((K - 5)) s is stored whole ($got_short >= $want_short)"
max_short=$(awk -v t=$((K + 1)) 'BEGIN { n = 0; for (k = 0; 0.1 + 0.05 * k <= t; k++) n++; print n }')
[ "$(q "$db" "SELECT count(*) FROM flows WHERE client_port >= 30000")" -le "$max_short" ]; t_ok $? "…and none that had not started"
t_is "$(q "$db" "SELECT count(*), count(DISTINCT end_reason), min(end_reason) FROM flows WHERE client_port < 30000")" "20|1|open" \
	"…the 20 long connections are there as snapshots (end_reason open)"
minp=$(q "$db" "SELECT min(packets_s2c) FROM flows WHERE client_port < 30000")
# each long flow: 2 response packets at the start, then 1 per 0.1 s
[ "$minp" -ge $(( (K - 5) * 10 )) ]; t_ok $? "…with the packets of all but the last seconds ($minp >= $(( (K - 5) * 10 )) from the server)"
t_is "$(q "$db" "SELECT count(*) FROM anomalies")" "1" "…no anomaly written twice by successive snapshots"
rp=$(q "$db" "SELECT status || ' ' || (packets >= $(pkts_upto $((K - 5)))) FROM runs")
t_is "$rp" "running 1" "…run row: status running (never ended), progress as of the last checkpoint"
t_is "$("$W" export -d "$db" | jq -r 'select(.client_port == 20001) | .end_reason')" "open" "…export shows the snapshot as end_reason open"
"$W" report -d "$db" > /dev/null; t_is $? 6 "…report reads it (cleartext HTTP fails 12.3.1 as in the full run)"
maxid=$(q "$db" "SELECT max(flow_id) FROM flows")
"$W" capture -q -r "$SAMPLE" -d "$db"; t_is $? 0 "…a new run appends to the killed run's database"
t_is "$(q "$db" "SELECT count(*), min(flow_id) > $maxid FROM flows WHERE run_id = 2")" "8|1" "…with flow ids after the snapshots'"

# 3. SIGINT: everything flushed, snapshots replaced by final rows
db=$T_TMP/int.db
paced_start "$db" "$T_TMP/int.err" 1 --checkpoint 1 -v
sleep 3.5
kill -INT $PID
wait $PID; t_is $? 5 "SIGINT during an offline capture (a pipe) exits 5"
n=$(sed -n 's/.*(\([0-9]*\) checkpoint rows, .*/\1/p' "$T_TMP/int.err")
[ "${n:-0}" -gt 0 ]; t_ok $? "…after checkpoints were written ($n rows)"
t_is "$(q "$db" "SELECT status FROM runs")" "interrupted" "…run marked interrupted"
t_is "$(q "$db" "SELECT count(*) FROM flows WHERE end_reason = 'open'")" "0" "…no snapshot left: every flow has its final row"
t_is "$(q "$db" "SELECT count(*) FROM flows WHERE client_port < 30000 AND end_reason = 'capture_end'")" "20" "…the long flows end as capture_end"
t_is "$(q "$db" "SELECT count(*) FROM anomalies")" "1" "…one anomaly row"
grep -q "Interrupted system call" "$T_TMP/int.err"; t_is $? 1 "…a signal during a blocking read is not reported as an input error"

# 4. SIGHUP: checkpoint every open flow now, commit, one stats line; the
#    capture goes on (periodic checkpoints off to see HUP's own)
db=$T_TMP/hup.db
paced_start "$db" "$T_TMP/hup.err" 1 --checkpoint 0
sleep 2
kill -HUP $PID
sleep 1.5
kill -0 $PID; t_ok $? "SIGHUP does not stop the capture"
grep -q '^wireaudit: run 1: [0-9]* packets, 0 flows written, [0-9]* open ([0-9]* snapshot rows now) \[SIGHUP\]$' "$T_TMP/hup.err"
t_ok $? "…it logs a stats line"
kill -KILL $PID; wait $PID
t_is "$(q "$db" "SELECT count(*) >= 20 FROM flows WHERE end_reason = 'open'")" "1" "…and wrote every open flow (checkpoints off): they survive a SIGKILL"

# 5. a pipe that ends mid-record: exit 3, what was read is stored
#    (a file ending mid-record: tests/cli.sh)
head -c 300000 "$LONG" | "$W" capture -q -r - -d "$T_TMP/trunc.db" 2>"$T_TMP/trunc.err"
t_is $? 3 "input pipe ending mid-record exits 3"
grep -q "truncated dump file" "$T_TMP/trunc.err"; t_ok $? "…libpcap's reason on stderr"
[ "$(q "$T_TMP/trunc.db" "SELECT count(*) FROM flows")" -gt 50 ]; t_ok $? "…flows read before are stored"

# 6. disk full: a 2 MB tmpfs, a capture needing more
if $ROOT && mkdir -p "$T_TMP/full" && mount -t tmpfs -o size=2m tmpfs "$T_TMP/full" 2>/dev/null; then
	python3 "$GEN" udp "$T_TMP/udp.pcap" 40000
	"$W" capture -q -r "$T_TMP/udp.pcap" -d "$T_TMP/full/f.db" --max-flows 1000 2>"$T_TMP/full.err"
	t_is $? 4 "disk full: exit 4"
	grep -q "capture stopped: the database cannot be written (database or disk is full); what was committed before is kept" "$T_TMP/full.err"
	t_ok $? "…with a clear message"
	t_is "$(grep -c 'failed' "$T_TMP/full.err")" "1" "…said once, not once per flow"
	t_is "$(q "$T_TMP/full/f.db" 'PRAGMA integrity_check')" "ok" "…database intact"
	n=$("$W" export -d "$T_TMP/full/f.db" | wc -l)
	[ "$n" -gt 1000 ] && [ "$n" -lt 40000 ]; t_ok $? "…the flows committed before the disk filled are readable ($n)"
	umount "$T_TMP/full"
else
	skip "disk full needs root (tmpfs)"
fi

# 7. read-only database: the file or its directory cannot be written
mkdir -p "$T_TMP/ro"
"$W" capture -q -r "$SAMPLE" -d "$T_TMP/ro/r.db"
cp "$T_TMP/ro/r.db" "$T_TMP/r-copy.db"
if $ROOT && mount -t tmpfs -o size=8m tmpfs "$T_TMP/ro" 2>/dev/null; then
	cp "$T_TMP/r-copy.db" "$T_TMP/ro/r.db"
	mount -o remount,ro "$T_TMP/ro"
	how="a read-only mount"
else
	chmod 0400 "$T_TMP/ro/r.db"; chmod 0500 "$T_TMP/ro"
	how="mode 0500 directory, 0400 file"
fi
"$W" capture -q -r "$SAMPLE" -d "$T_TMP/ro/r.db" 2>"$T_TMP/ro.err"
t_is $? 4 "read-only database ($how): exit 4"
grep -Eq "cannot open .*r\.db: (Read-only file system|Permission denied)" "$T_TMP/ro.err"; t_ok $? "…with the reason"
t_is "$("$W" export -d "$T_TMP/ro/r.db" | wc -l)" "8" "…its flows can still be exported"
if mountpoint -q "$T_TMP/ro"; then umount "$T_TMP/ro"; else chmod 0700 "$T_TMP/ro"; fi

# 8. database locked by another writer: wait up to 5 s (busy timeout),
#    then exit 4; nothing stored is damaged
cp "$T_TMP/r-copy.db" "$T_TMP/lock.db"
hold() { # hold DB SECONDS: an exclusive write transaction for that long
	python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
c.execute("INSERT INTO runs (started_at, status) VALUES (\"x\", \"locker\")")
open(sys.argv[3], "w").close()
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")' "$1" "$2" "$T_TMP/locked" &
	HOLD=$!
	for _ in $(seq 100); do [ -e "$T_TMP/locked" ] && break; sleep 0.1; done
	rm -f "$T_TMP/locked"
}
hold "$T_TMP/lock.db" 1.5
"$W" capture -q -r "$SAMPLE" -d "$T_TMP/lock.db" 2>"$T_TMP/lock1.err"
t_is $? 0 "database locked for 1.5 s: the capture waits and succeeds"
wait $HOLD
hold "$T_TMP/lock.db" 9
start=$(date +%s)
"$W" capture -q -r "$SAMPLE" -d "$T_TMP/lock.db" 2>"$T_TMP/lock2.err"
rc=$?; waited=$(( $(date +%s) - start ))
t_is $rc 4 "database locked past the busy timeout: exit 4"
grep -q "database is locked" "$T_TMP/lock2.err"; t_ok $? "…with the reason"
[ "$waited" -ge 4 ] && [ "$waited" -le 8 ]; t_ok $? "…after waiting about 5 s ($waited s)"
wait $HOLD
t_is "$(q "$T_TMP/lock.db" "PRAGMA integrity_check; SELECT count(*), count(DISTINCT run_id) FROM flows; SELECT group_concat(status) FROM runs" | tr '\n' ' ')" \
	"ok 16|2 complete,complete " "…integrity ok, the two earlier runs intact, no half-written run"

# 9. the interface goes away during a live capture
IF=waf$$
if $ROOT && command -v ip >/dev/null && { ip link add "$IF" type dummy 2>/dev/null ||
	ip link add "$IF" type veth peer name "${IF}p" 2>/dev/null; }; then
	ip addr add 10.213.0.1/24 dev "$IF"; ip link set "$IF" up
	ip link set "${IF}p" up 2>/dev/null
	# no ARP wait: the datagrams leave at once
	ip neigh replace 10.213.0.2 lladdr 02:00:00:00:02:13 dev "$IF" nud permanent 2>/dev/null
	"$W" capture -q -i "$IF" -d "$T_TMP/live.db" 2>"$T_TMP/live.err" &
	pid=$!
	# capturing once its packet socket is open (startup is slow under ASan)
	for _ in $(seq 100); do
		ls -l /proc/$pid/fd 2>/dev/null | grep -q 'socket:' && break
		sleep 0.1
	done
	sleep 0.5
	for i in 1 2 3; do echo "probe $i" > /dev/udp/10.213.0.2/$((5000 + i)) 2>/dev/null || true; sleep 0.1; done
	sleep 0.7
	ip link del "$IF"
	for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	if kill -0 $pid 2>/dev/null; then kill -TERM $pid; fi
	wait $pid; t_is $? 3 "interface removed during a live capture: exit 3"
	grep -q "^wireaudit: $IF: .*; capture stopped, the flows seen are stored$" "$T_TMP/live.err"; t_ok $? "…with a clear message"
	# the UDP probes: the kernel's own ICMPv6 on the new link (MLD
	# reports, duplicate address detection) are flows too (issue 15)
	t_is "$(q "$T_TMP/live.db" "SELECT count(*), group_concat(server_port) FROM (SELECT server_port FROM flows WHERE transport = 'udp' ORDER BY 1); SELECT status FROM runs" | tr '\n' ' ')" \
		"3|5001,5002,5003 error " "…the three flows seen are stored, run marked error"
else
	ip link del "$IF" 2>/dev/null
	skip "interface removal needs root and a dummy or veth interface"
fi

# 10. a database written by schema version 1 (tests/data/store-v1.db) opens
#     with this version: migrated forward if needed, its flows unchanged
#     (a database from a newer version: tests/cli.sh)
cp "$SRCDIR/tests/data/store-v1.db" "$T_TMP/v1.db"
fields='[.flow_id, .client_port, .server_port, .packets_c2s, .packets_s2c, .protocol, .security, .cleartext.user, .end_reason]'
"$W" capture -q -r "$SAMPLE" -d "$T_TMP/fresh.db"
"$W" export -d "$T_TMP/v1.db" > /dev/null 2>"$T_TMP/v1.err"; rc=$?
if [ "$(sqlite3 "$SRCDIR/tests/data/store-v1.db" 'PRAGMA user_version')" = "$(q "$T_TMP/fresh.db" 'PRAGMA user_version')" ]; then
	t_is $rc 0 "v1 database: export reads it"
else # read-only export refuses an older schema until a capture migrates it
	t_is $rc 4 "v1 database: export asks for a migration first"
fi
"$W" capture -q -r "$SAMPLE" -d "$T_TMP/v1.db"; t_is $? 0 "v1 database: a capture opens (migrates) it and appends"
t_is "$(q "$T_TMP/v1.db" 'PRAGMA user_version')" "$(q "$T_TMP/fresh.db" 'PRAGMA user_version')" "…now at this version's schema"
t_is "$("$W" export -d "$T_TMP/v1.db" | jq -c "select(.run_id == 1) | $fields")" \
	"$("$W" export -d "$T_TMP/fresh.db" | jq -c "$fields")" "…the v1 run's flows read as a fresh capture's"
t_is "$("$W" export -d "$T_TMP/v1.db" | jq -c "select(.run_id == 2) | $fields" | jq -c '.[0] -= 8')" \
	"$("$W" export -d "$T_TMP/fresh.db" | jq -c "$fields")" "…and the new run's too"
"$W" report -d "$T_TMP/v1.db" > /dev/null; t_is $? 6 "…report judges it (cleartext HTTP fails)"

# 11. a schema-1 or -2 database holding TLS objects is refused, not half
#     converted (docs/SCHEMA.md, schema 3): exit 4, the version named, the
#     file untouched
cp "$SRCDIR/tests/data/store-v1.db" "$T_TMP/v1tls.db"
q "$T_TMP/v1tls.db" "INSERT INTO tls (flow_id, obj) VALUES (1, '{\"version\":\"TLSv1.2\"}')"
before=$(sha256sum < "$T_TMP/v1tls.db")
"$W" capture -q -r "$SAMPLE" -d "$T_TMP/v1tls.db" 2>"$T_TMP/v1tls.err"; t_is $? 4 "v1 database with TLS objects: capture refuses it"
grep -q "older wireaudit (schema 1) and holds TLS handshakes" "$T_TMP/v1tls.err"; t_ok $? "…and says why"
t_is "$(sha256sum < "$T_TMP/v1tls.db")" "$before" "…the file unchanged"
"$W" export -d "$T_TMP/v1tls.db" >/dev/null 2>&1; t_is $? 4 "…export refuses it too"

# 12. a schema-3 database (tests/data/store-v3.db: three TLS captures by
#     the schema-3 wireaudit, certificates as JSON objects, weak_key and
#     weak_signature judged at capture, and pcaps/escaping/ndpi-only-passwords
#     with nDPI risks as JSON arrays) migrates to typed certificate columns
#     and risk bits: its export is byte for byte a fresh capture's
cp "$SRCDIR/tests/data/store-v3.db" "$T_TMP/v3.db"
rm -f "$T_TMP/fresh3.db"
for p in tls/tls12-weak-rsa1024-leaf tls/tls12-sha1-signed-leaf tls/tls12-mtls-client-cert \
	escaping/ndpi-only-passwords; do
	"$W" capture -q -r "$SRCDIR/pcaps/$p.pcap" -d "$T_TMP/fresh3.db"
done
"$W" capture -q -r "$SAMPLE" -d "$T_TMP/v3.db"; t_is $? 0 "v3 database: a capture migrates it"
t_is "$(q "$T_TMP/v3.db" 'PRAGMA user_version')" "$(q "$T_TMP/fresh3.db" 'PRAGMA user_version')" "…to this version's schema"
t_is "$(q "$T_TMP/v3.db" "SELECT count(*), sum(key_bits), group_concat(DISTINCT sig_hash) FROM certs")" \
	"$(q "$T_TMP/fresh3.db" "SELECT count(*), sum(key_bits), group_concat(DISTINCT sig_hash) FROM certs")" \
	"…its certificates' typed columns as a fresh capture writes them"
t_export_nouid -d "$T_TMP/v3.db" | jq -c 'select(.run_id <= 4)' > "$T_TMP/v3.jsonl"
t_export_nouid -d "$T_TMP/fresh3.db" > "$T_TMP/fresh3.jsonl"
t_is "$(cmp "$T_TMP/v3.jsonl" "$T_TMP/fresh3.jsonl" 2>&1)" "" "…its export is a fresh capture's, byte for byte"
t_is "$(jq -c 'select(.tls) | [.tls.weak_key, .tls.weak_signature, (.tls.certs | length)]' "$T_TMP/v3.jsonl" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
	" 1 [false,false,2]; 1 [false,true,2]; 1 [true,false,2];" "…weak_key and weak_signature judged from the columns"
t_is "$(q "$T_TMP/v3.db" "SELECT count(ndpi_risks), count(ndpi_risk) FROM flows WHERE run_id <= 4") $(q "$T_TMP/fresh3.db" "SELECT count(ndpi_risks), count(ndpi_risk) FROM flows")" \
	"3|0 0|3" "…its nDPI risks kept as written, a fresh capture's as bits"
t_is "$(q "$T_TMP/fresh3.db" "SELECT group_concat(name, ';') FROM (SELECT name FROM ndpi_risk_names ORDER BY name)")" \
	"$(jq -r '.ndpi_risks // empty | .[]' "$T_TMP/fresh3.jsonl" | LC_ALL=C sort -u | tr '\n' ';' | sed 's/;$//')" \
	"…each risk's name stored once"
t_done
