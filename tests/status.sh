# SPDX-License-Identifier: BSD-3-Clause
# status.sh — `wireaudit status` and the report's drops in the window
# (issue 14) on a deterministic database: an offline capture of the sample
# (its statistics row's clock fixed afterwards), then a live run written
# row by row as a capture on two interfaces would write it (eth1: a row a
# minute for 15 minutes, the kernel dropping from minute 10 on; eth2: one
# row with interface drops), so that every printed number is known in
# advance. The live path that writes such rows is tests/live-stats.sh.
. "$SRCDIR/tests/lib.sh"
W=$WIREAUDIT
SAMPLE=pcaps/sample/http-mixed.pcap
T0=1796083200 # 2026-12-01T00:00:00Z

cd "$T_TMP" || exit 1
cp "$SRCDIR/$SAMPLE" sample.pcap
"$W" capture -q --checkpoint 0 -r sample.pcap -d s.db; t_is $? 0 "offline capture"
t_is "$(sqlite3 s.db 'SELECT count(*), final, interface IS NULL, received IS NULL, kernel_drops IS NULL, if_drops IS NULL, packets, bytes, flows_ended, open_flows FROM stats')" \
	"1|1|1|1|1|1|80|8472|8|0" "offline: one final row, kernel counters NULL, the run's counts"
t_is "$(sqlite3 s.db 'SELECT s.packets = r.packets AND s.bytes = r.bytes AND s.flows_ended = r.flows AND s.pkt_ts = r.ts_last FROM stats s JOIN runs r USING (run_id)')" \
	1 "…equal to the run row's"
sqlite3 s.db "UPDATE runs SET started_at = '2026-12-01T00:00:00.000000Z', ended_at = '2026-12-01T00:00:01.000000Z';
	UPDATE stats SET ts = ($T0 + 1) * 1000000"
size() { echo $(( $(stat -c %s s.db) + $( [ -e s.db-wal ] && stat -c %s s.db-wal || echo 0) )); }

"$W" status -d s.db >st1.txt; t_is $? 0 "status exits 0"
sz=$(size)
cat >st1.want <<EOF
database s.db: $sz bytes (file $sz, WAL 0), 8 flows from 2026-11-27T06:43:07.888801Z to 2026-11-27T06:43:08.180265Z
run 1 complete offline sample.pcap, started 2026-12-01T00:00:00.000000Z, ended 2026-12-01T00:00:01.000000Z
  (files): updated 2026-12-01T00:00:01.000000Z (final), packet time 2026-11-27T06:43:08.180265Z
    received -, kernel drops -, interface drops -, drops -
    packets 80, bytes 8472, open flows 0, flows ended 8, evicted 0, anomalies 0, queue waits 0, workers 1
    last  1 min: - (one row)
    last  5 min: - (one row)
    last 15 min: - (one row)
EOF
diff st1.want st1.txt >/dev/null; t_ok $? "status of the offline run, text, exact"
diff st1.want st1.txt | sed 's/^/# /'

# run 2: live, still running, on eth1 and eth2 (and a name to escape)
{
	echo "INSERT INTO runs (run_id, started_at, mode, source, status) VALUES (2, '2026-12-01T00:00:00.000000Z', 'live', 'eth1 eth2', 'running');"
	for k in $(seq 0 15); do
		kd=$(( k > 10 ? 600 * (k - 10) : 0 ))
		echo "INSERT INTO stats VALUES (2, ($T0 + 60 * $k) * 1000000, ($T0 + 60 * $k) * 1000000 - 5, 'eth1', 0, $((6000 * k)), $kd, 0, $((6000 * k - kd)), $((600000 * k)), 5, $((60 * k)), 0, $k, 0, 0, 2);"
	done
	echo "INSERT INTO stats VALUES (2, ($T0 + 900) * 1000000, NULL, 'eth2', 0, 500, 0, 5, 495, 49500, 1, 3, 0, 0, 7, 1500, 2);"
} | sqlite3 s.db
"$W" status -d s.db >st2.txt; t_is $? 0 "status exits 0 (a running run)"
sz=$(size)
cat >st2.want <<EOF
database s.db: $sz bytes (file $sz, WAL 0), 8 flows from 2026-11-27T06:43:07.888801Z to 2026-11-27T06:43:08.180265Z
run 2 running live eth1 eth2, started 2026-12-01T00:00:00.000000Z
  eth1: updated 2026-12-01T00:15:00.000000Z, packet time 2026-12-01T00:14:59.999995Z
    received 90000, kernel drops 3000, interface drops 0, drops 3.33%
    packets 87000, bytes 9000000, open flows 5, flows ended 900, evicted 0, anomalies 15, queue waits 0, workers 2
    last  1 min: 90.00 packets/s, 10000.00 bytes/s, 10.00 drops/s, 1.00 flows/s (over 60.00 s)
    last  5 min: 90.00 packets/s, 10000.00 bytes/s, 10.00 drops/s, 1.00 flows/s (over 300.00 s)
    last 15 min: 96.67 packets/s, 10000.00 bytes/s, 3.33 drops/s, 1.00 flows/s (over 900.00 s)
  eth2: updated 2026-12-01T00:15:00.000000Z
    received 500, kernel drops 0, interface drops 5, drops 0.99%
    packets 495, bytes 49500, open flows 1, flows ended 3, evicted 0, anomalies 0, queue waits 7, workers 2
    last  1 min: - (one row)
    last  5 min: - (one row)
    last 15 min: - (one row)
EOF
diff st2.want st2.txt >/dev/null; t_ok $? "status of the running live run: latest values per interface, drops in percent, rates over 1, 5, 15 min, text, exact"
diff st2.want st2.txt | sed 's/^/# /'

"$W" status -d s.db --format json >st2.json; t_is $? 0 "status --format json exits 0"
t_is "$(jq -c '[.database.size_bytes == .database.file_bytes + .database.wal_bytes, .database.flows, .database.oldest_flow, .database.newest_flow, (.runs | length), .runs[0].run_id, .runs[0].status, .runs[0].source, .runs[0].ended_at]' st2.json)" \
	"[true,8,\"2026-11-27T06:43:07.888801Z\",\"2026-11-27T06:43:08.180265Z\",1,2,\"running\",\"eth1 eth2\",null]" "json: database and run"
t_is "$(jq -c '.runs[0].interfaces[0] | del(.rates)' st2.json)" \
	'{"interface":"eth1","updated":"2026-12-01T00:15:00.000000Z","packet_time":"2026-12-01T00:14:59.999995Z","final":false,"received":90000,"kernel_drops":3000,"if_drops":0,"drops_pct":3.33,"packets":87000,"bytes":9000000,"open_flows":5,"flows_ended":900,"flows_evicted":0,"anomalies":15,"queue_waits":0,"queue_wait_us":0,"workers":2}' \
	"json: eth1's latest values, exact"
t_is "$(grep -o '"rates":\[[^]]*\]' st2.json | head -1 | sed 's/^"rates"://')" \
	'[{"window_s":60,"span_s":60.00,"packets_per_s":90.00,"bytes_per_s":10000.00,"drops_per_s":10.00,"flows_per_s":1.00},{"window_s":300,"span_s":300.00,"packets_per_s":90.00,"bytes_per_s":10000.00,"drops_per_s":10.00,"flows_per_s":1.00},{"window_s":900,"span_s":900.00,"packets_per_s":96.67,"bytes_per_s":10000.00,"drops_per_s":3.33,"flows_per_s":1.00}]' \
	"json: eth1's rates, exact"
t_is "$(jq -c '.runs[0].interfaces[1] | [.interface, .packet_time, .if_drops, .drops_pct, .queue_wait_us, .rates[0]]' st2.json)" \
	'["eth2",null,5,0.99,1500,{"window_s":60,"span_s":null}]' "json: eth2, one row: no rate"

# the report's coverage: drops in the window and the blind periods, in
# every format (the live run has no flows: the sensor's blindness is
# reported all the same)
"$W" report -d s.db --format text >r.txt; rc=$?
t_ok $([ $rc = 0 ] || [ $rc = 6 ]; echo $?) "report runs (exit $rc)"
t_is "$(grep -A3 'drops in the window' r.txt)" \
"  drops in the window (statistics series): 3005 of 90500 packets received (3.32%)
  blind periods (drops counted between two checkpoints):
    run 2 eth1 2026-12-01T00:10:00.000000Z .. 2026-12-01T00:15:00.000000Z: 3000 dropped of 30000 received
    run 2 eth2 2026-12-01T00:00:00.000000Z .. 2026-12-01T00:15:00.000000Z: 5 dropped of 500 received" \
	"report text: drops in the window and each blind period (consecutive intervals merged), exact"
"$W" report -d s.db --format json >r.json
t_is "$(jq -c '.coverage.window_drops' r.json)" \
	'{"known":true,"drops":3005,"received":90500,"blind_periods":[{"run_id":2,"interface":"eth1","from":"2026-12-01T00:10:00.000000Z","to":"2026-12-01T00:15:00.000000Z","drops":3000,"received":30000},{"run_id":2,"interface":"eth2","from":"2026-12-01T00:00:00.000000Z","to":"2026-12-01T00:15:00.000000Z","drops":5,"received":500}]}' \
	"report json: coverage.window_drops, exact"
"$W" report -d s.db --format md >r.md
t_is "$(grep -e '^- Drops in the window' -e '^- Blind period' r.md)" \
"- Drops in the window (statistics series): 3005 of 90500 packets received (3.32%)
- Blind period: run 2 eth1 2026-12-01T00:10:00.000000Z .. 2026-12-01T00:15:00.000000Z: 3000 dropped of 30000 received
- Blind period: run 2 eth2 2026-12-01T00:00:00.000000Z .. 2026-12-01T00:15:00.000000Z: 5 dropped of 500 received" \
	"report md: the same"
t_is "$(grep '^- drops in the window' r.md | sed 's/\\\(.\)/\1/g')" \
	"- drops in the window: 3005 of 90500 packets received (3.32%), 2 blind periods" \
	"report md: the executive summary's blind spots name the drops and the blind periods"
"$W" report -d s.db --format csv >r.csv
t_is "$(grep '^coverage,' r.csv | tr -d '\r')" \
'coverage,,blind,sensor_drops,,false,,,,,,,,,2026-12-01T00:10:00.000000Z,2026-12-01T00:15:00.000000Z,,,,,3000 packets dropped of 30000 received on eth1 (run 2),,false,,,sensor_drops:2:eth1:1796083800000000,,
coverage,,blind,sensor_drops,,false,,,,,,,,,2026-12-01T00:00:00.000000Z,2026-12-01T00:15:00.000000Z,,,,,5 packets dropped of 500 received on eth2 (run 2),,false,,,sensor_drops:2:eth2:1796083200000000,,' \
	"report csv: one row per blind period (no remediation, no reference)"
t_is "$(python3 -c 'import csv,sys; print(sorted(set(len(r) for r in csv.reader(open(sys.argv[1])))))' r.csv)" "[28]" "…every CSV row has the header's 28 cells"
"$W" report -d s.db --format html >r.html
t_is "$(grep -o '<dt>Drops in the window</dt><dd>[^<]*</dd>' r.html)" \
	'<dt>Drops in the window</dt><dd>3005 of 90500 packets received (3.32%), from the statistics series</dd>' "report html: drops in the window"
t_is "$(grep -o '<tr><td class="num">2</td><td class="mono">eth[12]</td><td>[^<]*</td><td>[^<]*</td><td class="num">[0-9]*</td>' r.html | tr '\n' ' ')" \
	'<tr><td class="num">2</td><td class="mono">eth1</td><td>2026-12-01T00:10:00.000000Z</td><td>2026-12-01T00:15:00.000000Z</td><td class="num">3000</td> <tr><td class="num">2</td><td class="mono">eth2</td><td>2026-12-01T00:00:00.000000Z</td><td>2026-12-01T00:15:00.000000Z</td><td class="num">5</td> ' \
	"report html: the blind periods"
# a window from minute 11 on: only the intervals that overlap it
"$W" report -d s.db --format json --since 2026-12-01T00:11:40Z >r2.json
t_is "$(jq -c '.coverage.window_drops | [.drops, .received, (.blind_periods | map([.interface, .from, .drops]))]' r2.json)" \
	'[2405,24500,[["eth1","2026-12-01T00:11:00.000000Z",2400],["eth2","2026-12-01T00:00:00.000000Z",5]]]' \
	"report --since: only the intervals overlapping the window (counted whole)"
# an offline-only database: not known, said so
"$W" capture -q -r sample.pcap -d off.db
"$W" report -d off.db --format json >r3.json
t_is "$(jq -c '.coverage.window_drops' r3.json)" '{"known":false,"drops":null,"received":null,"blind_periods":[]}' "report of files only: drops in the window not known"
t_is "$(jq -c '.coverage.interfaces' r3.json)" '[{"interface":null,"flows":8}]' "report of files only: the flows per interface, null for files"
"$W" report -d off.db --format text | grep -q '^  drops in the window: not known (no live statistics series in the window)$'
t_ok $? "…and the text says so"

# wire and configuration strings escaped: an interface name with an escape
# sequence, quotes and markup
sqlite3 s.db "INSERT INTO stats VALUES (2, ($T0 + 900) * 1000000, NULL, 'e' || char(27) || '[31m\"<b>', 0, 10, 2, 0, 8, 800, 0, 0, 0, 0, 0, 0, 1)"
"$W" status -d s.db >st3.txt
grep -q "$(printf '\033')" st3.txt; t_is $? 1 "status text: no raw ESC byte from an interface name"
t_is "$(grep -c '^  e\\x1b\[31m"<b>: updated' st3.txt)" 1 "…shown as \\x1b"
t_is "$("$W" status -d s.db --format json | jq -r '.runs[0].interfaces[0].interface' | od -An -c | tr -s ' ' | head -1)" \
	" e 033 [ 3 1 m \" < b > \\n" "status json: the name round-trips"
"$W" report -d s.db --format html >r4.html
t_is "$(grep -o '<td class="mono">e[^<]*&lt;b&gt;<' r4.html)" '<td class="mono">e\x1b[31m&quot;&lt;b&gt;<' "report html: the name escaped"

# usage and exit codes
"$W" status --help | grep -q '^Usage: wireaudit status'; t_ok $? "status --help"
"$W" status -d s.db --format xml 2>/dev/null; t_is $? 2 "status --format xml exits 2"
"$W" status -d s.db extra 2>/dev/null; t_is $? 2 "status with an extra argument exits 2"
"$W" status -d nope.db 2>/dev/null; t_is $? 4 "status of a missing database exits 4"
echo "not a database" > bad.db
"$W" status -d bad.db 2>/dev/null; t_is $? 4 "status of a file that is not a database exits 4"
sqlite3 empty.db 'PRAGMA user_version = 0' && "$W" capture -q -r sample.pcap -c 1 -d empty.db && sqlite3 empty.db 'DELETE FROM runs; DELETE FROM stats'
t_is "$("$W" status -d empty.db | tail -1)" "no capture run" "a database without runs: said so"
t_done
