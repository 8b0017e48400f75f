# SPDX-License-Identifier: BSD-3-Clause
# pg-store.sh — the fleet store (issue 16; docs/FLEET.md) against a real
# PostgreSQL 15 the test starts itself (tests/pg-lib.sh: initdb and pg_ctl in
# a temporary directory, scram-sha-256, a pgpass file):
#   1. the schema: `wireaudit schema --postgresql` is what a capture makes;
#      its tables and columns are SQLite's, type for type (the one
#      description); a schema-7 database is migrated to 9 by the first
#      capture into it and then has exactly the catalog of a new one;
#   2. two backends, one answer: every capture in pcaps/ into SQLite and,
#      through a spool, into a new PostgreSQL database: the export (without
#      flow_uid) and the JSON report (without generated_at) are identical;
#   3. four concurrent captures (sensors) into one database: every flow
#      exactly once, per sensor and in all; report --sensor on each;
#   4. PostgreSQL killed in the middle of a capture (the packets fed through
#      a pipe, the rest sent once it is down), started again: after the
#      spool drains the database holds exactly what SQLite holds; with
#      --spool-max, the flows dropped are counted and the rest is there;
#      `wireaudit forward` sends a spool left behind;
#   5. a wrong password, an unreachable host, a database of a newer schema,
#      a password in the connection string: one message each, exit 4 (2 for
#      the last), no spool, nothing written; the password nowhere in any
#      output or file;
#   6. TLS: sslmode=verify-full with the server's CA works; another CA and a
#      name not in the certificate are refused (exit 4);
#   7. flows partitioned by time (the DBA's DDL from `schema --postgresql`):
#      captures and snapshots upsert into it, and retention by dropping a
#      month's partition leaves no orphan row and a report of the rest.
# WA_PG_QUICK=1: parts 3 and 4 only, part 3 with a quarter of its flows:
# the ThreadSanitizer slice of .ci/run, where the forwarder threads of four
# concurrent captures and of the outages run under TSan. How many flows the
# bounded spool drops depends on how fast the capture goes against the
# forwarder's retry times (a TSan build dropped none, or every flow, in
# turn): there the outage's exit status and the sums are checked (final +
# dropped = every flow, the same count everywhere), not that some went.
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/pg-lib.sh"

pg_available || { echo "1..0 # SKIP $PG_SKIP_REASON"; exit 0; }
trap 'pg_cleanup; [ -n "${WA_KEEP:-}" ] || rm -rf "$T_TMP"' EXIT
D=$T_TMP
W=$WIREAUDIT
q() { "$PG_BIN/psql" -X -q -A -t -w -v ON_ERROR_STOP=1 "$@"; }
pg_start >/dev/null || { echo "Bail out! PostgreSQL did not start"; exit 1; }
QUICK=${WA_PG_QUICK:-}
if [ -n "$QUICK" ]; then N3="500 125"; else N3="2000 500"; fi
if [ -z "$QUICK" ]; then # parts 1 and 2

# ---- 1. the schema ----
echo "# part 1 at ${SECONDS}s"
U=$(pg_newdb schema1)
"$W" schema --postgresql > "$D/schema.sql"
t_is "$?" 0 "schema --postgresql"
q "$U" -f "$D/schema.sql" >/dev/null
t_is "$?" 0 "the DDL runs on PostgreSQL 15"
# SQLite's tables and columns (a new store) against PostgreSQL's catalog,
# with the type map of docs/FLEET.md (INTEGER bigint, TEXT text, BLOB bytea)
"$W" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$D/s.db"
sqlite3 "$D/s.db" "SELECT m.name, p.name, CASE upper(p.type) WHEN 'INTEGER' THEN 'bigint' WHEN 'BLOB' THEN 'bytea'
	ELSE 'text' END, CASE WHEN p.\"notnull\" OR (p.pk AND upper(p.type) <> 'INTEGER') OR (p.pk AND
	(SELECT count(*) FROM pragma_table_info(m.name) WHERE pk > 0) > 1) OR
	(p.pk AND m.sql LIKE '%INTEGER PRIMARY KEY%') THEN 'NO' ELSE 'YES' END
	FROM sqlite_schema m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1, 2" > "$D/cols.sqlite"
q "$U" -F'|' -c "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
	WHERE table_schema = 'public' AND table_name NOT LIKE 'wa\_%' ORDER BY 1, 2" > "$D/cols.pg"
t_is "$(diff "$D/cols.sqlite" "$D/cols.pg" | head -5)" "" \
	"PostgreSQL's tables and columns are SQLite's ($(wc -l < "$D/cols.pg") columns, types and NOT NULL)"
t_is "$(q "$U" -c "SELECT value FROM wa_meta WHERE key = 'schema_version'")" \
	"$(sqlite3 "$D/s.db" 'PRAGMA user_version')" "wa_meta: the schema version is SQLite's"
# the migration path: a schema-7 database, then a capture
catalog() {
	q "$1" -F'|' -c "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '')
		FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"
	q "$1" -c "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname"
}
U7=$(pg_newdb schema7)
"$W" schema --postgresql --version 7 | q "$U7" >/dev/null
t_is "$(q "$U7" -c "SELECT value FROM wa_meta; SELECT count(*) FROM information_schema.columns WHERE table_name = 'flows' AND column_name = 'seq'")" \
	"7
0" "a schema-7 database (no flows.seq)"
"$W" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$U7" --spool "$D/m7.spool"
t_is "$?" 0 "a capture into it migrates it and forwards"
U8=$(pg_newdb schema8)
"$W" schema --postgresql | q "$U8" >/dev/null
t_is "$(diff <(catalog "$U7") <(catalog "$U8"))" "" "after the migration: the catalog of a new schema-9 database (columns, defaults, indexes)"
t_is "$(q "$U7" -c "SELECT value FROM wa_meta; SELECT count(*) FROM flows")" "9
8" "schema 9, the capture's 8 flows"
t_is "$("$W" schema --postgresql --version 6 2>&1 >/dev/null; echo "rc=$?")" \
	"wireaudit: schema: a fleet database has schema 7 to 9, not 6
rc=2" "schema --version 6: refused"

# ---- 2. every capture: SQLite and PostgreSQL say the same ----
echo "# part 2 at ${SECONDS}s"
# two workers (the machine's two cores), each its own database, emptied
# between captures (TRUNCATE ... RESTART IDENTITY: the first run is run 1,
# as in a new SQLite file, so flow ids agree too)
reset_sql="TRUNCATE $(q "$U" -c "SELECT string_agg(quote_ident(table_name), ', ') FROM information_schema.tables
	WHERE table_schema = 'public' AND table_name <> 'wa_meta'") RESTART IDENTITY;
	ALTER SEQUENCE wa_flow_seq RESTART;"
eq_worker() { # eq_worker SLOT: the captures of lines SLOT, SLOT+2, ... of $D/eq.list
	local slot=$1 u f n=0
	u=$(pg_newdb "eq$slot")
	"$W" schema --postgresql | q "$u" >/dev/null
	while read -r f; do
		n=$((n + 1))
		[ $((n % 2)) -eq "$slot" ] || continue
		q "$u" -c "$reset_sql"
		rm -f "$D/eq$slot.db" "$D/eq$slot.db-wal" "$D/eq$slot.db-shm" "$D/eq$slot.spool"*
		"$W" capture -q -r "$SRCDIR/$f" -d "$D/eq$slot.db" --sensor eq 2>/dev/null
		"$W" capture -q -r "$SRCDIR/$f" -d "$u" --spool "$D/eq$slot.spool" --sensor eq 2>/dev/null
		if [ ! -e "$D/eq$slot.db" ]; then
			# no packet read: SQLite keeps no database (issue 20), a
			# fleet sensor's run stays as an error (docs/CLI.md)
			echo "no-sqlite-db $f"
			continue
		fi
		if [ "$(t_export_nouid -d "$D/eq$slot.db" | md5sum)" = "$(t_export_nouid -d "$u" | md5sum)" ]; then
			echo "export-same $f"
		else
			echo "export-differs $f"
		fi
		# (a fleet sensor's spool_flows_dropped is 0, a SQLite one's null)
		if [ "$("$W" report -d "$D/eq$slot.db" --format json 2>/dev/null | jq -S 'del(.generated_at)' | md5sum)" = \
		     "$("$W" report -d "$u" --format json 2>/dev/null | jq -S 'del(.generated_at) |
			.coverage.sensors[].spool_flows_dropped |= if . == 0 then null else . end' | md5sum)" ]; then
			echo "report-same $f"
		else
			echo "report-differs $f"
		fi
	done < "$D/eq.list"
}
(cd "$SRCDIR" && find pcaps -name '*.pcap' -o -name '*.pcapng' | sort) > "$D/eq.list"
scope="every capture in pcaps/"
if ldd "$W" 2>/dev/null | grep -Eq 'libasan|libubsan|libtsan'; then
	# a sanitizer build (CI's ASan pass, where this part took 8 of its
	# minutes): every fourth capture, and every one that reads no packet
	# (the check below counts them); the build without runs them all
	(cd "$SRCDIR/tests/golden" && grep -l '^#no database' *.jsonl | sed 's/\.jsonl$//') |
		while read -r g; do awk -v g="$g" '$1 == g { print $2 }' "$SRCDIR/tests/golden/TESTLIST"; done > "$D/eq.nodb"
	{ awk 'NR % 4 == 1' "$D/eq.list"; cat "$D/eq.nodb"; } | sort -u > "$D/eq.sub" && mv "$D/eq.sub" "$D/eq.list"
	scope="every fourth capture in pcaps/ (a sanitizer build)"
fi
n=$(wc -l < "$D/eq.list")
eq_worker 0 > "$D/eq0.out" &
eq_worker 1 > "$D/eq1.out"
wait $!
# the captures that read no packet are those whose golden says so
nodb=$(cd "$SRCDIR/tests/golden" && grep -l '^#no database' *.jsonl | wc -l)
t_is "$(cat "$D"/eq?.out | grep -c '^no-sqlite-db')" "$nodb" "captures that read no packet: no SQLite database, as their goldens say ($nodb)"
n=$((n - nodb))
t_is "$(cat "$D"/eq?.out | grep -c '^export-same')/$n" "$n/$n" "$scope that reads a packet: the export from PostgreSQL is SQLite's"
t_is "$(cat "$D"/eq?.out | grep -c '^report-same')/$n" "$n/$n" "$scope that reads a packet: the JSON report from PostgreSQL is SQLite's"
grep -h 'differs' "$D"/eq?.out | sed 's/^/# /'

fi # parts 1 and 2

# ---- 3. four sensors at once ----
echo "# part 3 at ${SECONDS}s"
for i in 1 2 3 4; do
	python3 "$SRCDIR/tools/bench/gen-bench.py" --out "$D/g$i.pcap" --tls-flows "${N3% *}" --clear-flows "${N3#* }" \
		--bulk-flows 0 --seconds 10 --seed "$i" >/dev/null
	"$W" capture -q -r "$D/g$i.pcap" -d "$D/g$i.db" --sensor "sensor$i"
done
UF=$(pg_newdb fleet)
pids=""
for i in 1 2 3 4; do
	"$W" capture -q -r "$D/g$i.pcap" -d "$UF" --spool "$D/g$i.spool" --sensor "sensor$i" 2>"$D/g$i.err" &
	pids="$pids $!"
done
rcs=""
for p in $pids; do wait "$p"; rcs="$rcs $?"; done
# (say what a failing capture printed: an intermittent exit 1 under the
# sanitizers on a loaded machine was UBSan stopping the forwarder at
# qsort(NULL, 0), a pass whose prepared range held no row any more; fixed
# in src/store/forward.c)
[ "$rcs" = " 0 0 0 0" ] || for i in 1 2 3 4; do sed "s/^/# sensor$i: /" "$D/g$i.err" | head -20; done
t_is "$rcs" " 0 0 0 0" "four concurrent captures into one database: exit 0 each"
want=""; got=""
for i in 1 2 3 4; do
	want="$want sensor$i:$(sqlite3 "$D/g$i.db" 'SELECT count(*) FROM flows')"
	got="$got sensor$i:$(q "$UF" -c "SELECT count(*) FROM flows f JOIN runs r USING (run_id) WHERE r.sensor = 'sensor$i'")"
done
t_is "$got" "$want" "every sensor's flows, as many as its own SQLite capture holds"
t_is "$(q "$UF" -c "SELECT count(*) = count(DISTINCT (r.uid, f.flow_id & 1099511627775)) FROM flows f JOIN runs r USING (run_id)")" \
	t "no flow twice (one row per flow_uid)"
# (run and flow ids are the fleet's: flow id = run key * 2^40 + the sensor's)
noids() { jq -S 'del(.generated_at) | del(.. | .run_id?, .sample_flow_ids?) | .coverage.sensors[].spool_flows_dropped |= if . == 0 then null else . end'; }
for i in 1 4; do
	t_is "$("$W" report -d "$UF" --sensor "sensor$i" --format json | noids | md5sum)" \
		"$("$W" report -d "$D/g$i.db" --format json | noids | md5sum)" \
		"report --sensor sensor$i on the fleet database: that sensor's own report"
done
t_is "$("$W" report -d "$UF" --format json | jq -c '[.coverage.sensors[] | .name] | sort')" \
	'["sensor1","sensor2","sensor3","sensor4"]' "the fleet report names the four sensors"

# ---- 4. PostgreSQL away in the middle of a capture ----
echo "# part 4 at ${SECONDS}s"
python3 "$SRCDIR/tools/bench/gen-bench.py" --out "$D/big.pcap" --tls-flows 12000 --clear-flows 3000 \
	--bulk-flows 0 --seconds 30 --seed 7 >/dev/null
"$W" capture -q -r "$D/big.pcap" -d "$D/big.db" --sensor big
BIGN=$(sqlite3 "$D/big.db" 'SELECT count(*) FROM flows')
# the capture reads a pipe: feed.py PCAP pace:SEC writes the packets in 80
# chunks over SEC seconds (the capture checkpoints and forwards meanwhile);
# feed.py PCAP GOFILE writes a third, then waits for GOFILE
cat > "$D/feed.py" <<'PYEOF'
import os, struct, sys, time
data = open(sys.argv[1], "rb").read()
out = sys.stdout.buffer
recs = []
off = 24
while off < len(data):
    ln = struct.unpack("<I", data[off + 8:off + 12])[0]
    recs.append((off, off + 16 + ln)); off += 16 + ln
out.write(data[:24])
if sys.argv[2].startswith("pace:"):
    chunks = 80; per = max(1, len(recs) // chunks)
    for i in range(0, len(recs), per):
        out.write(data[recs[i][0]:recs[min(i + per, len(recs)) - 1][1]]); out.flush()
        time.sleep(float(sys.argv[2][5:]) / chunks)
else:
    cut = len(recs) // 3
    for i, (a, b) in enumerate(recs):
        if i == cut:
            out.flush()
            while not os.path.exists(sys.argv[2]):
                time.sleep(0.05)
        out.write(data[a:b])
out.flush()
PYEOF
outage() { # outage NAME SECONDS [capture options]: PostgreSQL away for SECONDS
	# in the middle of an 8-second capture; sets RC (its exit status) and OU
	local name=$1 away=$2 u; shift 2
	u=$(pg_newdb "$name")
	OU=$u
	# little to redo after the kill (the earlier parts wrote a lot of WAL:
	# on a busy machine its replay outlasted pg_restart_same's wait)
	q "$u" -c CHECKPOINT
	python3 "$D/feed.py" "$D/big.pcap" pace:8 |
		"$W" capture -r - -d "$u" --spool "$D/$name.spool" --sensor big --checkpoint 1 "$@" 2>"$D/$name.err" &
	for _ in $(seq 100); do
		[ "$(q "$u" -c 'SELECT count(*) FROM flows' 2>/dev/null || echo 0)" -gt 0 ] && break
		sleep 0.1
	done
	BEFORE=$(q "$u" -c 'SELECT count(*) FROM flows')
	pg_kill
	sleep "$away"
	pg_restart_same >/dev/null
	wait $!
	RC=$?
}
outage outage 2
t_is "$RC" 0 "PostgreSQL killed in the middle ($BEFORE records in) and started again: the capture ends with exit 0"
t_ok "$([ "$BEFORE" -gt 0 ] && [ "$BEFORE" -lt "$BIGN" ] && echo 0 || echo 1)" "... the kill came while flows were being forwarded"
UO=$OU
t_is "$(grep -c 'keeping flows in the spool' "$D/outage.err")" 1 "one message when PostgreSQL goes away"
t_is "$(grep -c 'WARNING\|NOTICE' "$D/outage.err")" 0 "no server notice printed"
t_is "$(grep -c 'is back: forwarding the spool' "$D/outage.err")" 1 "one when it is back"
t_is "$(q "$UO" -c 'SELECT count(*) FROM flows')" "$BIGN" "after the spool drains: all $BIGN flows"
t_is "$(t_export_nouid -d "$UO" | md5sum)" "$(t_export_nouid -d "$D/big.db" | md5sum)" \
	"... exactly what a capture without the outage holds (the export)"
# a window: the private copy holds the window's flows only, the report is SQLite's
t0=$(sqlite3 "$D/big.db" 'SELECT min(ts_first) FROM flows')
since=$(date -u -d "@$(( t0 / 1000000 + 10 ))" +%Y-%m-%dT%H:%M:%SZ)
until=$(date -u -d "@$(( t0 / 1000000 + 20 ))" +%Y-%m-%dT%H:%M:%SZ)
# (the outage's capture read a pipe: its source, and its files, are "-")
win() { "$W" report -d "$1" --since "$since" --until "$until" --format json | jq -S 'del(.generated_at) |
	del(.coverage.sources[].source, .coverage.sources[].files) | .coverage.sensors[].spool_flows_dropped |= if . == 0 then null else . end'; }
win "$D/big.db" > "$D/win.sqlite"
win "$UO" > "$D/win.pg"
t_is "$(cmp -s "$D/win.sqlite" "$D/win.pg" && echo same)|$(jq '.coverage.flows' "$D/win.pg")" \
	"same|$(jq '.coverage.flows' "$D/win.sqlite")" "report --since/--until on PostgreSQL: SQLite's ($(jq -c '.coverage.flows' "$D/win.pg" | cut -c1-60))"
t_is "$(q "$UO" -c 'SELECT flows_dropped FROM wa_spool')|$(sqlite3 "$D/outage.spool" 'SELECT count(*) FROM flows')" \
	"0|0" "nothing dropped; the spool emptied"
# the same with a spool bounded at 1M: the oldest flows not forwarded go
outage bounded 4 --spool-max 1M
UB=$OU
dropped=$(q "$UB" -c 'SELECT flows_dropped FROM wa_spool')
# (how many depends on how long the forwarder stays away after the restart:
# its retry interval doubles, so on a slow machine the whole run may pass)
if [ -z "$QUICK" ]; then # a TSan build may drop none at all: its checks that need a drop are here
t_ok "$([ "$dropped" -gt 0 ] && [ "$dropped" -le "$BIGN" ] && echo 0 || echo 1)" "--spool-max 1M while PostgreSQL is away: flows dropped ($dropped), counted in wa_spool"
else
t_is "$RC" 0 "--spool-max 1M while PostgreSQL is away: exit 0 ($dropped flows dropped)"
fi
# a dropped final record whose flow had a snapshot forwarded before leaves
# that snapshot (end_reason open): final records in the database + dropped
# = every flow
t_is "$(( $(q "$UB" -c "SELECT count(*) FROM flows WHERE end_reason <> 'open'") + dropped ))" "$BIGN" \
	"final records forwarded + dropped = every flow"
if [ -z "$QUICK" ] || [ "$dropped" -gt 0 ]; then
t_is "$(grep -c "dropped the .* oldest flows not yet forwarded" "$D/bounded.err" | awk '{print ($1 > 0)}')" 1 "the drops said on stderr"
fi
t_is "$(grep -o '[0-9]* dropped from the full spool' "$D/bounded.err")" "$dropped dropped from the full spool" \
	"the run's last line gives the same count"
t_is "$("$W" report -d "$UB" --format json | jq -c '[.coverage.sensors[] | .spool_flows_dropped]')" "[$dropped]" \
	"the report's sensor: spool_flows_dropped $dropped"
if [ -z "$QUICK" ] || [ "$dropped" -gt 0 ]; then
t_is "$("$W" report -d "$UB" | grep -c "$dropped flows lost from a full spool")" 1 "... and its text says so"
fi
t_is "$("$W" status -d "$UB" --format json | jq -c '[.spools[] | .sensor, .flows_dropped]')" "[\"big\",$dropped]" \
	"status on the fleet database: the spool's sensor and its drops"
t_is "$("$W" status -d "$UB" | grep -c "^spool of sensor big ([0-9a-f]*): [0-9]* records forwarded, $dropped flows dropped from a full spool")" 1 \
	"... in text too"
t_is "$("$W" report -d "$UO" --format json | jq -c '[.coverage.sensors[] | .spool_flows_dropped]')" "[0]" \
	"after an outage without a bound: 0 lost"
# a spool left behind (the database away when the capture ended): forward
UL=$(pg_newdb later)
pg_stop
"$W" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$UL" --spool "$D/later.spool" 2>"$D/later.err"
t_is "$?" 4 "capture with the database down at the start: exit 4"
pg_restart_same >/dev/null
rm -f "$D/go"
# (the default --spool-drain is 60 s: a SIGTERM while it waits ends the wait)
python3 "$D/feed.py" "$SRCDIR/pcaps/sample/http-mixed.pcap" "$D/go" |
	"$W" capture -q -r - -d "$UL" --spool "$D/later.spool" 2>"$D/later.err" &
cap=$!
sleep 1; pg_stop; touch "$D/go"; sleep 2
t0=$SECONDS
pkill -TERM -f "later.spool" 2>/dev/null
wait $cap
rc=$?
t_is "$rc|$(( SECONDS - t0 < 5 ))" "4|1" "the database gone at the end: a SIGTERM ends the drain's wait, exit 4, the rest left in the spool"
t_is "$(grep -c 'waiting in the spool' "$D/later.err")" 1 "... and said"
pg_restart_same >/dev/null
"$W" forward -d "$UL" --spool "$D/later.spool" 2>"$D/fwd.err"
t_is "$?" 0 "wireaudit forward sends it"
t_is "$(q "$UL" -c 'SELECT count(*) FROM flows')|$(sqlite3 "$D/later.spool" 'SELECT count(*) FROM flows')" "8|0" \
	"all 8 flows there, the spool empty"

# with the event stream too: the spool keeps what the stream has not read
UE=$(pg_newdb evedb)
"$W" capture -q -r "$D/g2.pcap" -d "$UE" --spool "$D/eve.spool" --eve "$D/eve.json" --sensor sensor2
t_is "$?|$(jq -c 'select(.event_type == "flow") | .flow_uid' "$D/eve.json" | sort -u | wc -l)|$(q "$UE" -c 'SELECT count(*) FROM flows')|$(sqlite3 "$D/eve.spool" 'SELECT count(*) FROM flows')" \
	"0|$(sqlite3 "$D/g2.db" 'SELECT count(*) FROM flows')|$(sqlite3 "$D/g2.db" 'SELECT count(*) FROM flows')|0" \
	"--eve and PostgreSQL: every flow an event and a row, the spool emptied"
t_is "$(jq -r 'select(.event_type == "flow") | .flow_uid' "$D/eve.json" | sort | md5sum)" \
	"$("$W" export -d "$UE" | jq -r '.flow_uid' | sort | md5sum)" "the events' flow_uid are the fleet database's"

# audit: capture through a spool, then the report from the fleet database
UA=$(pg_newdb auditdb)
"$W" audit -d "$UA" --spool "$D/audit.spool" --format json "$SRCDIR/pcaps/sample/http-mixed.pcap" > "$D/audit.json"
t_is "$?|$(jq -c '.coverage.flows' "$D/audit.json")|$(q "$UA" -c 'SELECT count(*) FROM flows')" "6|8|8" \
	"audit -d postgresql://... --spool: exit 6 (12.x fails), the report of the 8 flows the database holds"

# the configuration file's keys (docs/APPLIANCE.md)
UC=$(pg_newdb conf)
printf 'database = %s\nspool = %s\nspool_max = 20M\nspool_drain = 5s\nsensor = from-conf\n' "$UC" "$D/conf.spool" > "$D/fleet.conf"
"$W" capture -q --config "$D/fleet.conf" -r "$SRCDIR/pcaps/sample/http-mixed.pcap"
t_is "$?|$(q "$UC" -c "SELECT count(*) FROM flows JOIN runs USING (run_id) WHERE sensor = 'from-conf'")|$(test -e "$D/conf.spool"; echo $?)" \
	"0|8|0" "database, spool and sensor from the configuration file"
printf 'database = %s\nspool = %s\nspool_max = 10K\n' "$UC" "$D/conf.spool" > "$D/bad.conf"
t_is "$("$W" capture -q --config "$D/bad.conf" -r "$SRCDIR/pcaps/sample/http-mixed.pcap" 2>&1; echo "rc=$?")" \
	"wireaudit: $D/bad.conf:3: spool_max must be a size of 1M or more such as 10G
rc=2" "a spool_max under 1M: the file's line, exit 2"

if [ -z "$QUICK" ]; then # parts 5, 6 and 7

# ---- 5. refused before anything is written ----
echo "# part 5 at ${SECONDS}s"
printf '*:*:*:wa:not-%s\n' "$PG_PASSWORD" > "$D/pgpass.wrong"; chmod 600 "$D/pgpass.wrong"
before=$(q "$U" -c 'SELECT count(*) FROM flows')
err=$(PGPASSFILE=$D/pgpass.wrong "$W" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$U" --spool "$D/no1.spool" 2>&1)
t_is "$?|$(echo "$err" | wc -l)|$(test -e "$D/no1.spool"; echo $?)" "4|1|1" "a wrong password: exit 4, one line, no spool"
t_ok "$(echo "$err" | grep -q 'password authentication failed for user "wa"'; echo $?)" "... that says so: $err"
err=$("$W" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "postgresql://wa@127.0.0.1:1/wa" --spool "$D/no2.spool" 2>&1)
t_is "$?|$(echo "$err" | wc -l)|$(test -e "$D/no2.spool"; echo $?)" "4|1|1" "an unreachable host: exit 4, one line, no spool"
t_ok "$(echo "$err" | grep -q 'cannot connect to PostgreSQL: .*Connection refused'; echo $?)" "... that says so: $err"
UN=$(pg_newdb newer)
"$W" schema --postgresql | q "$UN" >/dev/null
q "$UN" -c "UPDATE wa_meta SET value = '99' WHERE key = 'schema_version'"
err=$("$W" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$UN" --spool "$D/no3.spool" 2>&1)
t_is "$?|$(test -e "$D/no3.spool"; echo $?)|$(q "$UN" -c 'SELECT count(*) FROM runs')" "4|1|0" "a newer schema: exit 4, no spool, nothing written"
t_is "$err" "wireaudit: postgresql://wa@127.0.0.1:$PG_PORT/newer: database schema version 99 is newer than this wireaudit understands (9); use a newer wireaudit" \
	"... one message"
q "$U" -c "CREATE DATABASE utf ENCODING 'UTF8' TEMPLATE template0"
err=$("$W" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "${PG_TCP_URL%/wa}/utf" --spool "$D/no6.spool" 2>&1)
t_is "$?|$(test -e "$D/no6.spool"; echo $?)" "4|1" "a UTF8 database: exit 4, no spool"
t_ok "$(echo "$err" | grep -q "encoding is UTF8: a fleet database keeps wire strings byte for byte and must be made with ENCODING 'SQL_ASCII'"; echo $?)" "... the message says why and how: $err"
for cmd in report export status; do
	"$W" $cmd -d "$UN" >/dev/null 2>"$D/cmd.err"
	t_is "$?|$(wc -l < "$D/cmd.err")" "4|1" "$cmd on the newer schema: exit 4, one line"
done
err=$(PGPASSFILE=$D/pgpass.wrong "$W" report -d "$U" 2>&1)
t_is "$?" 4 "report with a wrong password: exit 4"
err=$("$W" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "postgresql://wa:$PG_PASSWORD@127.0.0.1:$PG_PORT/wa" --spool "$D/no4.spool" 2>&1)
t_is "$?|$(test -e "$D/no4.spool"; echo $?)" "2|1" "a password in the connection string: exit 2, no spool"
t_is "$(echo "$err" | grep -c "$PG_PASSWORD")|$(echo "$err" | grep -c 'holds a password')" "0|1" "... the message does not repeat it"
err=$("$W" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "host=127.0.0.1 port=$PG_PORT user=wa dbname=wa password=$PG_PASSWORD" --spool "$D/no5.spool" 2>&1)
t_is "$?" 2 "a password= keyword: exit 2 too"
t_is "$(q "$U" -c 'SELECT count(*) FROM flows')" "$before" "none of these wrote a row"
# the password is in no output, no spool, no database row, no log line of ours
t_is "$(cat "$D"/*.err "$D"/*.spool* 2>/dev/null | grep -c "$PG_PASSWORD"; \
	q "$UO" -c "SELECT count(*) FROM runs WHERE source LIKE '%$PG_PASSWORD%' OR stats LIKE '%$PG_PASSWORD%'")" "0
0" "the password: in no message, spool or row"

# ---- 6. TLS (sslmode=verify-full) ----
echo "# part 6 at ${SECONDS}s"
pg_cleanup
pg_start --ssl >/dev/null || { echo "Bail out! PostgreSQL with TLS did not start"; exit 1; }
TLSU="host=localhost port=$PG_PORT user=wa dbname=wa sslmode=verify-full sslrootcert=$PG_CA"
"$W" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$TLSU" --spool "$D/tls.spool" 2>"$D/tls.err"
t_is "$?|$(q "$PG_TCP_URL" -c 'SELECT count(*) FROM flows')" "0|8" "sslmode=verify-full with the server's CA: captured and forwarded"
t_is "$("$W" export -d "$TLSU" | wc -l)" 8 "export over TLS"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/other.key" -out "$D/other.pem" -days 2 -subj /CN=other 2>/dev/null
err=$("$W" export -d "host=localhost port=$PG_PORT user=wa dbname=wa sslmode=verify-full sslrootcert=$D/other.pem" 2>&1 >/dev/null)
t_is "$?" 4 "another CA: exit 4"
t_ok "$(echo "$err" | grep -q 'certificate verify failed'; echo $?)" "... certificate verify failed: $err"
err=$("$W" export -d "host=wrong.example hostaddr=127.0.0.1 port=$PG_PORT user=wa dbname=wa sslmode=verify-full sslrootcert=$PG_CA" 2>&1 >/dev/null)
t_is "$?" 4 "a name not in the certificate: exit 4"
t_ok "$(echo "$err" | grep -q 'does not match host name "wrong.example"'; echo $?)" "... the name mismatch said: $err"
# ---- 7. flows partitioned by time, retention by dropping a partition ----
# (docs/FLEET.md "Scale": the DDL of `schema --postgresql` with flows
# partitioned by ts_first; PostgreSQL 15 has no identity column on a
# partitioned table and wants the partition key in the primary key)
UP=$(pg_newdb parted)
"$W" schema --postgresql | sed -E 's/^CREATE TABLE "flows" \("flow_id" BIGINT GENERATED BY DEFAULT AS IDENTITY, (.*), PRIMARY KEY \("flow_id"\)\);$/CREATE TABLE "flows" ("flow_id" BIGINT NOT NULL, \1, PRIMARY KEY ("flow_id","ts_first")) PARTITION BY RANGE ("ts_first");/' > "$D/parted.sql"
t_is "$(grep -c 'PARTITION BY RANGE ("ts_first")' "$D/parted.sql")" 1 "the DDL with flows partitioned by ts_first"
q "$UP" -f "$D/parted.sql" >/dev/null
q "$UP" -c "CREATE TABLE flows_2026_01 PARTITION OF flows FOR VALUES FROM (1767225600000000) TO (1769904000000000);
	CREATE TABLE flows_rest PARTITION OF flows DEFAULT"
# g1.pcap (January 2026) through a pipe, with checkpoints: its open flows'
# snapshots are forwarded, then their final records upsert over them
python3 "$D/feed.py" "$D/g1.pcap" pace:4 |
	"$W" capture -q -r - -d "$UP" --spool "$D/p1.spool" --sensor sensor1 --checkpoint 1
t_is "$?|$(q "$UP" -c "SELECT last_value > $(sqlite3 "$D/g1.db" 'SELECT count(*) FROM flows') FROM wa_flow_seq")" "0|t" \
	"a capture into the partitioned flows, snapshots forwarded before the final records (more records than flows)"
"$W" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$UP" --spool "$D/p2.spool" --sensor s2
G1N=$(sqlite3 "$D/g1.db" 'SELECT count(*) FROM flows')
t_is "$(q "$UP" -c "SELECT count(*) FROM flows_2026_01; SELECT count(*) FROM flows_rest;
	SELECT count(*) FROM flows WHERE end_reason = 'open'")" "$G1N
8
0" "January's $G1N flows in their partition, November's 8 in the default one, no snapshot left over"
t_is "$(t_export_nouid -d "$UP" | jq -c '.flow_id' | sort -n | head -"$G1N" | md5sum)" \
	"$(t_export_nouid -d "$D/g1.db" | jq -c '.flow_id' | sort -n | md5sum)" "... with the flow ids of a SQLite capture"
for t in tls quic tds_tls cleartext cleartext_details anomalies; do
	q "$UP" -c "DELETE FROM $t USING flows_2026_01 p WHERE $t.flow_id = p.flow_id" >/dev/null
done
q "$UP" -c "DROP TABLE flows_2026_01"
t_is "$(q "$UP" -c "SELECT count(*) FROM flows; SELECT count(*) FROM tls WHERE flow_id NOT IN (SELECT flow_id FROM flows)")" \
	"8
0" "retention: January's observation rows deleted, its partition dropped; 8 flows left, no orphan row"
t_is "$("$W" report -d "$UP" --format json | jq -c '.coverage.flows')" 8 "the report reads what is left"

fi # parts 5, 6 and 7
echo "# done at ${SECONDS}s"
t_done
