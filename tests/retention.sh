# SPDX-License-Identifier: BSD-3-Clause
# retention.sh — bounded storage (issue 14; docs/APPLIANCE.md "Retention").
#
# The soak: 60 simulated days of traffic (tools/mksoak.py: copies of the
# real flows of pcaps/ with their clients and servers, WA_SOAK_FLOWS a day,
# packet times spread over 60 days, generated while the test runs, one
# file a day) go through `capture` a day at a time into two databases: A
# with --retain-flows 7d, B with no retention. A must stop growing after
# the first week (its size at day 60 within 20% of day 10) and hold raw
# flows for the last 7 days only; every report over a 30-day window that
# starts at a midnight must say the same thing from A as from B (every
# status, count, finding, server and client; only sample flow ids and the
# retention note may differ), in JSON and in text. Then: a day captured
# again after it was rolled up is merged (still the same reports);
# --retain-rollups removes old roll-ups and the report says the days are
# gone; --max-db-size keeps the pages under the cap, loudly; bad values
# exit 2.
. "$SRCDIR/tests/lib.sh"

for t in sqlite3 python3 jq; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t missing (tools/install-deps)"; exit 0; }
done
DAYS=60
F=${WA_SOAK_FLOWS:-8000}
# The sanitizer pass of .ci/run (WA_SKIP_ORACLES) runs the same 60 days
# with 1,000 flows a day: every path of the retention code, in a few
# minutes under ASan; the database sizes are checked at 8,000 a day, in
# the normal build (at 1,000 a day the roll-ups are a larger share).
SIZES=1
if [ -n "${WA_SKIP_ORACLES:-}" ] && [ -z "${WA_SOAK_FLOWS:-}" ]; then
	F=1000
	SIZES=0
fi
SOAK=$T_TMP/soak
mkdir -p "$SOAK"
python3 "$SRCDIR/tools/mksoak.py" "$SOAK" --days $DAYS --flows-per-day "$F" > "$T_TMP/gen.out" 2>&1 &
GEN=$!
A=$T_TMP/a.db B=$T_TMP/b.db
: > "$T_TMP/sizes"
ok=0
for d in $(seq 0 $((DAYS - 1))); do
	f=$(printf '%s/day-%03d.pcap' "$SOAK" "$d")
	while [ ! -e "$f" ]; do
		kill -0 $GEN 2>/dev/null || [ -e "$f" ] || { echo "# mksoak stopped: $(cat "$T_TMP/gen.out")"; ok=1; break 2; }
		sleep 0.1
	done
	"$WIREAUDIT" capture -q -r "$f" -d "$A" --retain-flows 7d 2>>"$T_TMP/a.err" || ok=1
	"$WIREAUDIT" capture -q -r "$f" -d "$B" 2>>"$T_TMP/b.err" || ok=1
	echo "$((d + 1)) $(stat -c %s "$A") $(stat -c %s "$B")" >> "$T_TMP/sizes"
	[ "$d" = 0 ] && cp "$f" "$T_TMP/day0.pcap"
	rm -f "$f"
done
wait $GEN
t_ok $ok "60 days of $F flows a day captured into both databases"
read -r _ s10 _ < <(sed -n 10p "$T_TMP/sizes")
read -r _ s60 b60 < <(sed -n 60p "$T_TMP/sizes")
sed 's/^/# day, size A, size B: /' "$T_TMP/sizes" | sed -n '1p;7p;8p;10p;20p;30p;45p;60p'
if [ $SIZES = 1 ]; then
	t_ok $(( s60 * 10 > s10 * 12 || s60 * 10 < s10 * 8 )) "A at day 60 within 20% of day 10 ($s60 / $s10 bytes; B without retention: $b60)"
	t_ok $(( b60 < 4 * s60 )) "B (no retention) is much bigger than A at day 60 ($b60 / $s60)"
else
	T_N=$((T_N + 2))
	echo "ok $((T_N - 1)) - database sizes # SKIP checked at 8,000 flows a day in the normal build"
	echo "ok $T_N - database sizes # SKIP checked at 8,000 flows a day in the normal build"
fi

day0=$(head -1 "$SOAK/days.txt" | cut -d' ' -f2)
DAY=86400000000
q() { sqlite3 "$1" "$2"; }
# what is left raw: the last 7 days (the run's last packet is day 60 00:00:20)
t_is "$(q "$A" "SELECT count(*) FROM retention_log WHERE action = 'rollup'")|$(q "$A" "SELECT min(day) - $day0 / $DAY, max(day) - $day0 / $DAY FROM retention_log")" \
	"53|0|52" "days 0 to 52 rolled up, once each"
t_is "$(q "$A" "SELECT count(*) FROM flows f WHERE NOT EXISTS (SELECT 1 FROM rollups r WHERE r.flow_id = f.flow_id) AND f.ts_first < $day0 + 53 * $DAY")" \
	"0" "no raw flow older than the last 7 days"
t_is "$(q "$A" "SELECT sum(flows) FROM rollups") $(q "$A" "SELECT count(*) FROM flows f WHERE f.ts_first >= $day0 + 53 * $DAY")" \
	"$((53 * F)) $((7 * F))" "roll-ups stand for every flow of days 0-52; days 53-59 raw"
t_is "$(jq -r '.retention.days_rolled_up' < <(q "$A" "SELECT stats FROM runs ORDER BY run_id DESC LIMIT 1"))" \
	"1" "the last run's statistics: one day rolled up"

# the reports: JSON equal but for sample ids and the retention note
cat > "$T_TMP/cmp.py" <<'PY'
import json, sys
def norm(o):
    if isinstance(o, dict):
        return {k: norm(v) for k, v in o.items() if k not in ("generated_at", "sample_flow_ids", "retention")}
    if isinstance(o, list):
        return [norm(v) for v in o]
    return o
a, b = (norm(json.load(open(p))) for p in sys.argv[1:3])
def diff(x, y, p=""):
    if type(x) != type(y) or (not isinstance(x, (dict, list)) and x != y):
        print("#  ", p, repr(x)[:80], repr(y)[:80]); return 1
    if isinstance(x, dict):
        return sum(diff(x.get(k), y.get(k), p + "." + k) for k in sorted(set(x) | set(y)))
    if isinstance(x, list):
        return (len(x) != len(y) and print("#  ", p, "length", len(x), len(y)) is None) + \
            sum(diff(u, v, "%s[%d]" % (p, i)) for i, (u, v) in enumerate(zip(x, y)))
    return 0
n = diff(a, b)
sys.exit(1 if n else 0)
PY
iso() { date -u -d "@$(( $1 / 1000000 ))" +%Y-%m-%dT%H:%M:%SZ; }
rep_same() { # rep_same SINCE UNTIL -> 0 if A's and B's reports agree
	local s=$1 u=$2 rc=0
	"$WIREAUDIT" report -d "$A" -F json --since "$s" --until "$u" > "$T_TMP/ra.json"; local ea=$?
	"$WIREAUDIT" report -d "$B" -F json --since "$s" --until "$u" > "$T_TMP/rb.json"; local eb=$?
	[ $ea = $eb ] || { echo "#   exit $ea / $eb"; rc=1; }
	python3 "$T_TMP/cmp.py" "$T_TMP/ra.json" "$T_TMP/rb.json" | head -5 || rc=1
	python3 "$T_TMP/cmp.py" "$T_TMP/ra.json" "$T_TMP/rb.json" >/dev/null || rc=1
	return $rc
}
bad=0 nw=0 rolled_seen=0
for w in $(seq 0 30); do
	s=$(iso $((day0 + w * DAY))) u=$(iso $((day0 + (w + 30) * DAY)))
	rep_same "$s" "$u" || { bad=$((bad + 1)); echo "# window $s .. $u differs"; }
	[ "$(jq '.coverage.retention.rolled_up_flows // 0' "$T_TMP/ra.json")" -gt 0 ] && rolled_seen=$((rolled_seen + 1))
	nw=$((nw + 1))
done
t_is "$bad of $nw" "0 of 31" "every 30-day window from a midnight: the same report from A as from B"
t_is "$rolled_seen" "31" "…and every one of them read roll-ups from A"
t_is "$(jq -c '[.summary.fail, .summary.pass, .coverage.flows]' "$T_TMP/ra.json")" \
	"$(jq -c '[.summary.fail, .summary.pass, .coverage.flows]' "$T_TMP/rb.json")" "the last window: same summary"
t_is "$(jq -c '.coverage.retention | [.rolled_up_flows, .window_splits_days, (.days | length), .days[0].state]' "$T_TMP/ra.json")" \
	"[$((23 * F + 1)),false,23,\"rolled_up\"]" "the report says which days and flows came from roll-ups (and day 29's flow across midnight)"
s=$(iso "$day0") u=$(iso $((day0 + 30 * DAY)))
"$WIREAUDIT" report -d "$A" --since "$s" --until "$u" > "$T_TMP/ra.txt"
"$WIREAUDIT" report -d "$B" --since "$s" --until "$u" > "$T_TMP/rb.txt"
t_is "$(grep -E '^ *[0-9]+\.[0-9.]+ ' "$T_TMP/ra.txt" | md5sum)" "$(grep -E '^ *[0-9]+\.[0-9.]+ ' "$T_TMP/rb.txt" | md5sum)" \
	"text: the same requirement lines"
t_ok "$(grep -q "retention: $((30 * F)) flows of this window come from daily roll-ups" "$T_TMP/ra.txt"; echo $?)" \
	"text: the retention line says so"
s=$(iso $((day0 + 2 * DAY + 43200000000)))
"$WIREAUDIT" report -d "$A" -F json --since "$s" > "$T_TMP/split.json"
t_is "$(jq '.coverage.retention.window_splits_days' "$T_TMP/split.json")" "true" "a window edge inside a rolled-up day is flagged"

# a rolled-up day captured again: merged into its roll-ups, reports still agree
"$WIREAUDIT" capture -q -r "$T_TMP/day0.pcap" -d "$A" --retain-flows 7d 2>>"$T_TMP/a.err"
"$WIREAUDIT" capture -q -r "$T_TMP/day0.pcap" -d "$B" 2>>"$T_TMP/b.err"
t_is "$(q "$A" "SELECT count(*) >= 2, (SELECT flows FROM retention_log WHERE action = 'rollup' AND day = $day0 / $DAY ORDER BY id DESC LIMIT 1) FROM retention_log WHERE action = 'rollup' AND day = $day0 / $DAY")" \
	"1|$((2 * F))" "day 0 captured again: rolled up again, now $((2 * F)) flows"
t_is "$(q "$A" "SELECT count(*) FROM flows f WHERE NOT EXISTS (SELECT 1 FROM rollups r WHERE r.flow_id = f.flow_id) AND f.ts_first < $day0 + 53 * $DAY")" \
	"0" "…none of them left raw"
rep_same "$(iso "$day0")" "$(iso $((day0 + 30 * DAY)))"
t_ok $? "…and the report over days 0-29 is still B's"

# --retain-rollups: roll-ups older than 40 days removed; the report says so
cp "$A" "$T_TMP/c.db"
python3 "$SRCDIR/tools/mksoak.py" "$T_TMP/late" --first 59 --days 60 --flows-per-day 50 >/dev/null
"$WIREAUDIT" capture -r "$T_TMP/late/day-059.pcap" -d "$T_TMP/c.db" --retain-flows 7d --retain-rollups 40d \
	-q 2> "$T_TMP/c.err"
t_is "$(q "$T_TMP/c.db" "SELECT count(*), min(day) - $day0 / $DAY, max(day) - $day0 / $DAY FROM retention_log WHERE action = 'drop' AND reason = 'retain-rollups'")" \
	"20|0|19" "--retain-rollups 40d at day 60: days 0-19 removed"
t_is "$(q "$T_TMP/c.db" "SELECT count(*) FROM rollups WHERE day < $day0 / $DAY + 20")" "0" "…no row of them left"
"$WIREAUDIT" report -d "$T_TMP/c.db" -F json --since "$(iso "$day0")" --until "$(iso $((day0 + 30 * DAY)))" > "$T_TMP/c.json"
t_is "$(jq -c '[.coverage.retention.days[] | select(.state == "removed")] | [length, .[0].reason, .[0].flows]' "$T_TMP/c.json")" \
	"[20,\"retain-rollups\",$((2 * F))]" "the report lists the 20 removed days"
"$WIREAUDIT" report -d "$T_TMP/c.db" --since "$(iso "$day0")" --until "$(iso $((day0 + 30 * DAY)))" > "$T_TMP/c.txt"
t_ok "$(grep -q 'WARNING: No observation is kept of 20 days of this window' "$T_TMP/c.txt"; echo $?)" \
	"text: a warning that the sensor's data for them is gone"

# --max-db-size: first the days not yet rolled up are, then the oldest
# roll-up days go, loudly, until the pages fit
cp "$A" "$T_TMP/d.db"
CAP=2; [ $SIZES = 1 ] || CAP=1
"$WIREAUDIT" capture -r "$T_TMP/late/day-059.pcap" -d "$T_TMP/d.db" --retain-flows 7d --max-db-size ${CAP}M \
	-q 2> "$T_TMP/d.err"
used=$(q "$T_TMP/d.db" "SELECT (page_count - freelist_count) * page_size FROM pragma_page_count, pragma_freelist_count, pragma_page_size")
t_ok $(( used > CAP * 1048576 )) "--max-db-size ${CAP}M: the pages hold $used bytes"
t_is "$(q "$T_TMP/d.db" "SELECT group_concat(day - $day0 / $DAY) FROM (SELECT day FROM retention_log WHERE reason = 'max-db-size' AND action = 'rollup' ORDER BY id)")" \
	"53,54,55,56,57,58,59" "…the raw days before today (day 60: the run's last packet) rolled up first"
nd=$(q "$T_TMP/d.db" "SELECT count(*) FROM retention_log WHERE reason = 'max-db-size' AND action = 'drop'")
t_is "$(q "$T_TMP/d.db" "SELECT min(day) - $day0 / $DAY, max(day) - $day0 / $DAY, count(*) FROM retention_log WHERE reason = 'max-db-size' AND action = 'drop'")" \
	"0|$((nd - 1))|$nd" "…then the oldest $nd roll-up days removed, oldest first"
t_ok $(( nd < 5 || nd > 55 )) "…some days removed, not all ($nd)"
t_is "$(grep -c 'retention: .* removed (max-db-size)' "$T_TMP/d.err")" "$nd" "…each removed day said on stderr, even with -q"
# the statistics series thinned: 2 hours of rows every 2 s, 20 days old,
# become the last row of each hour; the drops a report computes stay
e2=$T_TMP/e2.db
"$WIREAUDIT" capture -q -r "$T_TMP/late/day-059.pcap" -d "$e2"
h0=$(( ($(date +%s) - 20 * 86400) / 3600 * 3600 * 1000000 ))
python3 - "$e2" "$h0" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); h0 = int(sys.argv[2])
db.executemany("INSERT INTO stats (run_id, ts, pkt_ts, interface, final, received, kernel_drops, if_drops, packets,"
               " bytes, open_flows, flows_ended, flows_evicted, anomalies, queue_waits, queue_wait_us, workers)"
               " VALUES (1, ?, ?, 'eth9', ?, ?, ?, 0, ?, ?, 0, 0, 0, 0, 0, 0, 1)",
               [(h0 + i * 2000000, h0 + i * 2000000, 1 if i == 3599 else 0, 100 * i, i // 10, 90 * i, 9000 * i)
                for i in range(3600)])
db.commit()
PY
w0=$(iso "$h0") w1=$(iso $((h0 + 2 * 3600000000)))
"$WIREAUDIT" report -d "$e2" -F json --since "$w0" --until "$w1" | jq -c '.coverage.window_drops | [.drops, .received]' > "$T_TMP/wd.before"
"$WIREAUDIT" capture -q -r "$T_TMP/late/day-059.pcap" -d "$e2" --retain-flows 7d
t_is "$(q "$e2" "SELECT count(*), group_concat((ts - $h0) / 2000000) FROM (SELECT ts FROM stats WHERE interface = 'eth9' ORDER BY ts)")" \
	"2|1799,3599" "stats rows older than --retain-flows thinned to the last of each hour"
t_is "$("$WIREAUDIT" report -d "$e2" -F json --since "$w0" --until "$w1" | jq -c '.coverage.window_drops | [.drops, .received]')" \
	"$(cat "$T_TMP/wd.before")" "…the report's drops and received over those hours unchanged ($(cat "$T_TMP/wd.before"))"

# bad values
"$WIREAUDIT" capture -r "$T_TMP/day0.pcap" -d "$T_TMP/e.db" --retain-flows 7x 2> "$T_TMP/e.err"
t_is "$?|$(cat "$T_TMP/e.err")" "2|wireaudit: --retain-flows: a duration from 1m to 36500d such as 14d, 36h or 90m, not '7x'" "--retain-flows 7x: exit 2"
"$WIREAUDIT" capture -r "$T_TMP/day0.pcap" -d "$T_TMP/e.db" --max-db-size 10K 2> "$T_TMP/e.err"
t_is "$?|$(cat "$T_TMP/e.err")" "2|wireaudit: --max-db-size: a size of 1M or more such as 20G or 500M, not '10K'" "--max-db-size 10K: exit 2"
t_is "$(grep -c -v '^wireaudit: retention: ' "$T_TMP/a.err")" "0" "A's runs said nothing but retention lines"
t_done
