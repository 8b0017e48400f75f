# SPDX-License-Identifier: BSD-3-Clause
# cli.sh — the command line: options, exit codes, hostile and broken inputs,
# several files per run, gzip input, BPF, file modes, schema versioning,
# encapsulations, and a live capture stopped by a signal.
. "$SRCDIR/tests/lib.sh"
W=$WIREAUDIT
P=$SRCDIR/pcaps
SAMPLE=$P/sample/http-mixed.pcap

out=$("$W" --help); t_ok $? "--help exits 0"
case "$out" in *"Usage: wireaudit COMMAND"*) t_ok 0 "--help prints usage";; *) t_ok 1 "--help prints usage";; esac
t_is "$("$W" --version | head -1)" "wireaudit 0.1.0" "--version"
"$W" frobnicate 2>/dev/null; t_is $? 2 "unknown command exits 2"
"$W" capture 2>/dev/null; t_is $? 2 "capture without input exits 2"
"$W" capture -r "$SAMPLE" -i lo 2>/dev/null; t_is $? 2 "-r and -i together exit 2"
# several -i in one run (issue 14; tests/live-stats.sh captures on two):
# the same interface twice would count every packet twice
"$W" capture -i lo -i lo -d "$T_TMP/i2.db" 2>"$T_TMP/i2.err"; t_is $? 2 "the same -i twice exits 2"
t_is "$(cat "$T_TMP/i2.err")" "wireaudit: capture: interface lo given twice" "…saying so"
t_ok $([ ! -e "$T_TMP/i2.db" ]; echo $?) "…before any database is created"
"$W" capture $(for i in $(seq 17); do echo "-i if$i"; done) -d "$T_TMP/i17.db" 2>"$T_TMP/i17.err"; t_is $? 2 "17 interfaces exit 2"
t_is "$(cat "$T_TMP/i17.err")" "wireaudit: capture: too many -i (16 at most)" "…saying so"
"$W" capture -i a -i b -i c --workers 32 -d "$T_TMP/i3.db" 2>"$T_TMP/i3.err"; t_is $? 2 "3 interfaces x 32 workers exit 2"
t_is "$(cat "$T_TMP/i3.err")" "wireaudit: capture: 3 interfaces with 32 workers each: 64 workers in all at most" "…saying so"
"$W" capture -q -r "$SAMPLE" -B 64 -d "$T_TMP/b.db" 2>/dev/null; t_is $? 2 "-B with a file exits 2"
"$W" capture -q -i lo -B 0 -d "$T_TMP/b.db" 2>/dev/null; t_is $? 2 "-B 0 exits 2"
"$W" capture -r "$SAMPLE" -d "$T_TMP/f.db" -f "port (" 2>/dev/null; t_is $? 2 "bad BPF exits 2"
"$W" capture -r "$T_TMP/nope.pcap" -d "$T_TMP/n.db" 2>/dev/null; t_is $? 3 "missing file exits 3"
"$W" export -d "$T_TMP/none.db" 2>/dev/null; t_is $? 4 "export of a missing database exits 4"
"$W" capture -c 0 -r "$SAMPLE" 2>/dev/null; t_is $? 2 "count 0 rejected"

# a run: counts, mode 0600, several files
db=$T_TMP/a.db
"$W" capture -q -r "$SAMPLE" -d "$db"; t_is $? 0 "capture exits 0"
t_is "$(stat -c %a "$db")" "600" "database created 0600"
t_is "$(sqlite3 "$db" 'PRAGMA user_version')|$(sqlite3 "$db" 'PRAGMA auto_vacuum')" "9|2" "schema version 9, created with incremental auto_vacuum"
t_is "$(sqlite3 "$db" 'SELECT packets, flows, status FROM runs')" "80|8|complete" "run row: packets, flows, status"
t_is "$("$W" export -d "$db" | wc -l)" "8" "export: one line per flow"
t_is "$("$W" export -d "$db" --flow 2 | jq -r '[.flow_id, .cleartext.user, .cleartext.credentials] | @tsv')" \
	"$(printf '2\talice\ttrue')" "export --flow 2"
t_is "$("$W" export -d "$db" --format csv | head -1 | cut -d, -f1-5)" "flow_id,run_id,ts_first,ts_last,transport" "CSV header"
t_is "$("$W" export -d "$db" --format csv | wc -l)" "9" "CSV: header + 8 rows"
"$W" export -d "$db" -o "$T_TMP/out.jsonl"; t_is "$(stat -c %a "$T_TMP/out.jsonl")" "600" "export -o file created 0600"
# the sample's connections follow one another: flow 4's start splits them 3 / 5
t4=$("$W" export -d "$db" --flow 4 | jq -r .ts_first)
t_is "$("$W" export -d "$db" --since "$t4" | wc -l)" "5" "--since selects flows still open at T"
t_is "$("$W" export -d "$db" --until "$t4" | wc -l)" "3" "--until selects flows started before T"
t_is "$("$W" export -d "$db" --since "${t4%%T*}" --until 2100-01-01 | wc -l)" "8" "--since accepts a date"
"$W" capture -q -r "$SAMPLE" -d "$db"
t_is "$(sqlite3 "$db" 'SELECT count(*), min(flow_id), max(flow_id), count(DISTINCT run_id) FROM flows')" "16|1|16|2" \
	"a second run appends with new flow ids"
db2=$T_TMP/two.db
"$W" capture -q -r "$P/encap/http-vlan.pcap" -r "$P/encap/http-qinq.pcap" -d "$db2"
t_is "$(sqlite3 "$db2" 'SELECT group_concat(DISTINCT vlan || "/" || vlan_inner) FROM flows ORDER BY 1')" "42/0,100/200" \
	"two files in one run; VLAN and QinQ tags kept"

# an older file after a newer one: time goes back, flows must not split
"$W" capture -q -r "$P/tls/tls10-ecdhe-rsa-aes128-sha.pcap" -r "$P/tls/tls13-basic-nginx-curl.pcap" -d "$T_TMP/back.db"
t_is "$(sqlite3 "$T_TMP/back.db" 'SELECT count(*), sum(packets_c2s + packets_s2c) FROM flows')" \
	"2|$(( $(capinfos -c -M "$P/tls/tls10-ecdhe-rsa-aes128-sha.pcap" | awk '/Number of packets/ {print $NF}') + \
	      $(capinfos -c -M "$P/tls/tls13-basic-nginx-curl.pcap" | awk '/Number of packets/ {print $NF}') ))" \
	"files out of time order: one flow per connection, no split"

# gzip input gives the same export
gzip -c "$SAMPLE" > "$T_TMP/s.pcap.gz"
"$W" capture -q -r "$T_TMP/s.pcap.gz" -d "$T_TMP/gz.db"
"$W" capture -q -r "$SAMPLE" -d "$T_TMP/plain.db"
cmp -s <(t_export_nouid -d "$T_TMP/gz.db") <(t_export_nouid -d "$T_TMP/plain.db"); t_ok $? "gzip input: identical export"

# filter and count
"$W" capture -q -r "$SAMPLE" -d "$T_TMP/bpf.db" -f "tcp port 8080"
t_is "$(sqlite3 "$T_TMP/bpf.db" 'SELECT count(*), sum(server_port = 8080) FROM flows')" "2|2" "BPF filter"
"$W" capture -q -r "$SAMPLE" -d "$T_TMP/c.db" -c 15
t_is "$(sqlite3 "$T_TMP/c.db" 'SELECT packets FROM runs')" "15" "-c stops after 15 packets"

# broken inputs: a clear error, what was read is kept
"$W" capture -q -r "$P/malformed/truncated-header.pcap" -d "$T_TMP/th.db" 2>"$T_TMP/th.err"
t_is $? 3 "file shorter than its header exits 3"
grep -q "truncated dump file" "$T_TMP/th.err"; t_ok $? "…with libpcap's reason on stderr"
"$W" capture -q -r "$P/malformed/truncated-midrecord.pcap" -d "$T_TMP/tm.db" 2>/dev/null
t_is $? 3 "file ending mid-record exits 3"
t_is "$(sqlite3 "$T_TMP/tm.db" 'SELECT r.packets, r.status, (SELECT count(*) FROM flows) FROM runs r')" "2|error|1" \
	"…and keeps the 2 packets and the flow read before"
"$W" capture -q -r "$P/malformed/bad-headers.pcap" -d "$T_TMP/bh.db"; t_is $? 0 "invalid headers are counted, not fatal"
t_is "$(sqlite3 "$T_TMP/bh.db" "SELECT json_extract(stats, '\$.decode') FROM runs")" \
	'{"ok":1,"not_ip":1,"truncated":1,"invalid":4,"fragment":1,"unsupported":0,"other_l4":0}' "decode counters per reason"
"$W" capture -q -r "$P/malformed/snaplen-80.pcap" -d "$T_TMP/sl.db"
t_is "$("$W" export -d "$T_TMP/sl.db" | jq -c '.anomalies')" '[{"dissector":"stream","code":1,"name":"stream_gap","detail":"c2s"}]' \
	"payload cut by snaplen: stream_gap anomaly, no dissection on a hole"
head -c 3000 /dev/urandom > "$T_TMP/junk.pcap"
"$W" capture -q -r "$T_TMP/junk.pcap" -d "$T_TMP/j.db" 2>/dev/null; t_is $? 3 "random bytes: exit 3"
echo "not a database" > "$T_TMP/notdb.db"
"$W" capture -q -r "$SAMPLE" -d "$T_TMP/notdb.db" 2>/dev/null; t_is $? 4 "a file that is not a database: exit 4"

# schema versioning: a newer database is refused with a clear message
cp "$db" "$T_TMP/new.db"
sqlite3 "$T_TMP/new.db" 'PRAGMA user_version = 99'
"$W" export -d "$T_TMP/new.db" 2>"$T_TMP/new.err"; t_is $? 4 "database from a newer version refused"
grep -q "newer than this wireaudit" "$T_TMP/new.err"; t_ok $? "…with a clear message"

# every encapsulation yields the sample's flows with the same packet counts
want=$("$W" export -d "$T_TMP/plain.db" | jq -c '[.client_ip, .client_port, .server_ip, .server_port, .packets_c2s, .packets_s2c, .protocol, .cleartext.user]')
for e in vlan qinq sll sll2 raw null gre erspan2 vxlan; do
	"$W" capture -q -r "$P/encap/http-$e.pcap" -d "$T_TMP/e-$e.db"
	got=$("$W" export -d "$T_TMP/e-$e.db" | jq -c '[.client_ip, .client_port, .server_ip, .server_port, .packets_c2s, .packets_s2c, .protocol, .cleartext.user]')
	t_is "$got" "$want" "encapsulation $e: same flows, counts and facts as the plain capture"
done

# audit: capture + report in one step (tests/report.sh has the details);
# the sample's cleartext HTTP fails 12.3.1 and 12.3.3: exit 6
"$W" audit "$SAMPLE" > "$T_TMP/audit.txt"; t_is $? 6 "audit exits 6 (a requirement fails)"
t_is "$(grep -c '^\[FAIL\] 12\.3\.[13] ' "$T_TMP/audit.txt")" "2" "audit: 12.3.1 and 12.3.3 fail"
grep -q 'cleartext \[fd00:99:21::2\]:80/http internal' "$T_TMP/audit.txt"; t_ok $? "audit: IPv6 endpoint written [addr]:port"

# the command line as a newcomer meets it (issue 20)
# every command has its own help, the same through --help and `help COMMAND`
for c in capture export report audit status forward schema; do
	h1=$("$W" "$c" --help); r1=$?
	h2=$("$W" help "$c"); r2=$?
	t_is "$r1 $r2 $(printf '%s\n' "$h1" | head -1 | cut -d' ' -f1-3)" "0 0 Usage: wireaudit $c" "$c --help and help $c: exit 0, the command's own usage"
	t_is "$(printf '%s' "$h1" | md5sum)" "$(printf '%s' "$h2" | md5sum)" "…the same text both ways"
done
"$W" help nosuch 2>"$T_TMP/h.err"; t_is "$?|$(cat "$T_TMP/h.err")" "2|wireaudit: help: no command 'nosuch' (wireaudit --help lists them)" "help of an unknown command: exit 2, saying so"
# the overview lists the commands, not every option
t_is "$("$W" --help | grep -c -- '--eve-buffer')" "0" "--help: the overview, not capture's options"
t_is "$("$W" capture --help | grep -c -- '--eve-buffer SIZE')" "1" "capture --help: capture's options"
t_is "$("$W" audit --help | grep -c -- '--eve-buffer SIZE\|--baseline FILE')" "2" "audit --help: capture's and report's options"
# usage errors: the program's name, the command, and where to look
"$W" capture -X 2>"$T_TMP/u.err"; t_is "$?" 2 "an unknown option exits 2"
t_is "$(cat "$T_TMP/u.err")" "wireaudit capture: invalid option -- 'X'
Try 'wireaudit help capture' for more information." "…named after wireaudit, with a pointer to the help"
"$W" export --nope 2>"$T_TMP/u.err"; t_is "$(tail -1 "$T_TMP/u.err")" "Try 'wireaudit help export' for more information." "export: the same pointer"
# the same short options mean the same thing everywhere: -F is the format
t_is "$("$W" export -d "$db" -F csv | head -1 | cut -d, -f1-2)" "flow_id,run_id" "export -F csv as report -F"
t_is "$("$W" status -d "$db" -F json | jq -c keys)" "$("$W" status -d "$db" --format json | jq -c keys)" "status -F json as --format json"
# errors name the file they are about
echo "plain text" > "$T_TMP/passwd"
"$W" report -d "$T_TMP/passwd" 2>"$T_TMP/e.err"; t_is "$?|$(cat "$T_TMP/e.err")" "4|wireaudit: $T_TMP/passwd: file is not a database" "report of a non-database: exit 4, the file named"
# export of a flow that is not there: an error, not silence
"$W" export -d "$db" --flow 9999 >"$T_TMP/x.out" 2>"$T_TMP/x.err"; t_is "$?|$(wc -c <"$T_TMP/x.out")" "3|0" "export --flow 9999: exit 3, nothing on stdout"
t_is "$(cat "$T_TMP/x.err")" "wireaudit: export: $db has no flow 9999 (a flow rolled up by retention is no longer a flow of its own)" "…saying so"
t_is "$("$W" export -d "$db" --flow 1 | jq -r .flow_id)" "1" "export --flow 1 still gives flow 1"
if [ -w /dev/full ]; then
	"$W" export -d "$db" >/dev/full 2>"$T_TMP/full.err"; t_is "$?|$(cat "$T_TMP/full.err")" \
		"4|wireaudit: export: write error on standard output: No space left on device" "export to a full device: exit 4, write error"
else
	echo "ok $((T_N + 1)) # SKIP no /dev/full"; T_N=$((T_N + 1))
fi
# a capture that fails before its first packet leaves no database and no run
"$W" capture -r "$T_TMP/nope.pcap" -d "$T_TMP/fail1.db" 2>"$T_TMP/f1.err"; t_is "$?|$(ls "$T_TMP" | grep -c '^fail1\.db')" "3|0" "missing file: exit 3, no database left"
t_is "$(tail -1 "$T_TMP/f1.err")" "wireaudit: no packet was read: no database created" "…saying so"
"$W" capture -r "$SAMPLE" -f "port (" -d "$T_TMP/fail2.db" 2>/dev/null; t_is "$?|$(ls "$T_TMP" | grep -c '^fail2\.db')" "2|0" "bad filter: exit 2, no database left"
if [ "$(id -u)" -eq 0 ]; then
	"$W" capture -i wa-no-such0 -d "$T_TMP/fail3.db" 2>/dev/null; t_is "$?|$(ls "$T_TMP" | grep -c '^fail3\.db')" "3|0" "unknown interface: exit 3, no database left"
else
	echo "ok $((T_N + 1)) # SKIP needs root"; T_N=$((T_N + 1))
fi
cp "$db" "$T_TMP/keep.db"
runs0=$(sqlite3 "$T_TMP/keep.db" 'SELECT group_concat(run_id || status) FROM runs')
"$W" capture -r "$T_TMP/nope.pcap" -d "$T_TMP/keep.db" 2>"$T_TMP/f4.err"; t_is "$?|$(sqlite3 "$T_TMP/keep.db" 'SELECT group_concat(run_id || status) FROM runs')" "3|$runs0" "missing file into an existing database: exit 3, no run added"
t_is "$(tail -1 "$T_TMP/f4.err")" "wireaudit: no packet was read: no run recorded" "…saying so"
# a list with one good and one missing file keeps what it read (exit 3)
"$W" capture -q -r "$SAMPLE" -r "$T_TMP/nope.pcap" -d "$T_TMP/part.db" 2>/dev/null; t_is "$?|$(sqlite3 "$T_TMP/part.db" 'SELECT packets, status FROM runs')" "3|80|error" "one file read, one missing: exit 3, the run kept as an error"
# -D lists interfaces as tcpdump -D does
if [ "$(id -u)" -eq 0 ]; then
	"$W" capture -D >"$T_TMP/D.out"; t_is "$?|$(grep -c '^[0-9]*\.lo \[.*Loopback' "$T_TMP/D.out")" "0|1" "capture -D: exit 0, lo listed as a loopback"
	t_is "$("$W" capture --list-interfaces | md5sum)" "$(md5sum <"$T_TMP/D.out")" "…--list-interfaces the same"
else
	echo "ok $((T_N + 1)) # SKIP needs root"; T_N=$((T_N + 1)); echo "ok $((T_N + 1)) # SKIP needs root"; T_N=$((T_N + 1))
fi
# the summary line says what a user asks; the store's counters with -v
"$W" capture -r "$SAMPLE" -d "$T_TMP/sum.db" 2>"$T_TMP/sum.err"
t_is "$(sed -E 's/, [0-9.]+ s,/, T s,/' "$T_TMP/sum.err")" "wireaudit: run 1: 80 packets, 8 flows ($(sqlite3 "$T_TMP/sum.db" "SELECT sum(security IN ('tls','starttls','app_encrypted')) || ' encrypted, ' || sum(security IN ('cleartext','tls_refused','starttls_not_used')) FROM flows") in clear), T s, into $T_TMP/sum.db" "summary line: packets, flows, encrypted/in clear (as stored), time"
"$W" capture -v -r "$SAMPLE" -d "$T_TMP/sum.db" 2>"$T_TMP/sumv.err"
grep -q ' ([0-9]* checkpoint rows, [0-9.]*% of [0-9.]* s CPU)$' "$T_TMP/sumv.err"; t_ok $? "-v adds the store's counters"
# audit: the hint for sample flows names a database that exists
"$W" audit "$SAMPLE" >"$T_TMP/a1.txt"
t_is "$(grep -m1 -o 'sample flows ([^)]*)' "$T_TMP/a1.txt")" "sample flows (wireaudit audit -d FILE keeps the database for wireaudit export -d FILE --flow ID)" "audit without -d: the hint says how to keep the database"
"$W" audit -d "$T_TMP/kept.db" "$SAMPLE" >"$T_TMP/a2.txt"
t_is "$(grep -m1 -o 'sample flows ([^)]*)' "$T_TMP/a2.txt")" "sample flows (wireaudit export -d $T_TMP/kept.db --flow ID)" "audit -d: the hint names the database"
# audit: an input error wins over a failing requirement
"$W" audit "$SAMPLE" "$T_TMP/nope.pcap" >"$T_TMP/a3.txt" 2>/dev/null; t_is "$?|$(grep -c '^\[FAIL\] 12\.3\.[13] ' "$T_TMP/a3.txt")" "3|2" "audit with a missing file: exit 3, the report printed all the same"

# live capture on loopback, stopped by SIGTERM: exit 5, everything flushed
if [ "$(id -u)" -eq 0 ] && ip link show lo >/dev/null 2>&1; then
	"$W" capture -q -i lo -f "udp port 9" -d "$T_TMP/live.db" &
	pid=$!
	# capturing once its packet socket is open (start-up is slow on a
	# loaded machine or under ASan)
	for _ in $(seq 100); do
		ls -l /proc/$pid/fd 2>/dev/null | grep -q 'socket:' && break
		sleep 0.1
	done
	sleep 0.5
	for i in 1 2 3; do echo "probe $i" > /dev/udp/127.0.0.1/9 2>/dev/null || true; sleep 0.1; done
	sleep 0.5
	kill -TERM $pid
	wait $pid
	t_is $? 5 "live capture stopped by SIGTERM exits 5"
	t_is "$(sqlite3 "$T_TMP/live.db" 'SELECT status, mode FROM runs')" "interrupted|live" "run marked interrupted"
	t_is "$(sqlite3 "$T_TMP/live.db" 'SELECT count(*), sum(packets_c2s), min(server_port) FROM flows')" "3|3|9" \
		"the three UDP flows (one socket each) seen before the signal are stored"
	t_is "$(sqlite3 "$T_TMP/live.db" 'SELECT drops IS NOT NULL FROM runs')" "1" "pcap_stats drop counter recorded"
else
	echo "ok $((T_N + 1)) # SKIP live capture needs root"; T_N=$((T_N + 1))
fi
t_done
