# SPDX-License-Identifier: BSD-3-Clause
# hostile.sh — hostile traffic (issue 7): captures generated at test time by
# tools/mkpcap-hostile-traffic.py (a SYN flood, endless flows that never
# complete a handshake, out-of-order and overlapping segments, oversized TLS
# records and ClientHellos, deeply nested BER, megabyte SMTP lines, database
# length fields at their maximum). Each run must exit 0, record the exact
# anomalies, count flows and bytes exactly, and keep its peak RSS under a
# bound that does not grow with the input (docs/TESTING.md, "Hostile
# traffic", has the measured numbers).
#
# Sizes: WA_HOSTILE_FLOWS (flood flows) and WA_HOSTILE_BULK_MB (endless
# flows) override the defaults; a sanitizer build (WA_SANITIZER=1, or a
# binary linked with libasan/libubsan) gets small variants and no memory or
# throughput bound (ASan's quarantine and shadow memory dominate RSS there).
. "$SRCDIR/tests/lib.sh"
W=$WIREAUDIT
GEN=$SRCDIR/tools/mkpcap-hostile-traffic.py

san=${WA_SANITIZER:-}
if [ -z "$san" ]; then
	if ldd "$W" 2>/dev/null | grep -Eq 'libasan|libubsan'; then san=1; else san=0; fi
fi
if [ "$san" = 1 ]; then
	FLOWS=${WA_HOSTILE_FLOWS:-40000}
	BULK=${WA_HOSTILE_BULK_MB:-16}
	OOOF=200
else
	FLOWS=${WA_HOSTILE_FLOWS:-500000}
	BULK=${WA_HOSTILE_BULK_MB:-200}
	OOOF=1000
fi
MAXF=$((FLOWS / 10))
D=$T_TMP/cap
python3 "$GEN" "$D" --flows "$FLOWS" --bulk-mb "$BULK" --ooo-flows "$OOOF" >&2
t_ok $? "generated the hostile captures (flows $FLOWS, bulk $BULK MiB)"
M=$D/manifest.json
man() { jq -r "$1" "$M"; }

# run_cap NAME [OPTION]...: capture $D/NAME.pcap into $T_TMP/NAME.db; sets
# RC, SECS and RSS (peak resident set, KiB). GNU time when installed, else
# the kernel's VmHWM polled while the process runs (may miss the last ms;
# WA_HOSTILE_POLL=1 forces this way, to test it).
run_cap() {
	local n=$1 tf=$T_TMP/$1.time
	shift
	rm -f "$T_TMP/$n.db"
	if [ -x /usr/bin/time ] && [ -z "${WA_HOSTILE_POLL:-}" ]; then
		/usr/bin/time -f '%e %M' -o "$tf" "$W" capture -q -r "$D/$n.pcap" -d "$T_TMP/$n.db" "$@"
		RC=$?
		# a non-zero exit or a signal adds a line before the numbers
		read -r SECS RSS < <(tail -n 1 "$tf")
	else
		local t0 pid hwm v
		t0=$(date +%s.%N)
		"$W" capture -q -r "$D/$n.pcap" -d "$T_TMP/$n.db" "$@" &
		pid=$!
		hwm=0
		while kill -0 "$pid" 2>/dev/null; do
			v=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null)
			[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
			sleep 0.05
		done
		wait "$pid"
		RC=$?
		RSS=$hwm
		SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	fi
	echo "# $n: exit $RC, ${SECS}s, peak RSS ${RSS} KiB"
}
# one line per flow: client_port protocol dissector:anomaly...
flows_of() {
	"$W" export -d "$T_TMP/$1.db" | jq -r '[.client_port, (.protocol // "-"),
		(.anomalies | map("\(.dissector):\(.name)") | join(","))] | join(" ")'
}
stat_of() { sqlite3 "$T_TMP/$1.db" "SELECT json_extract(stats, '\$.$2') FROM runs"; }
# the memory bound: RSS of a small ordinary capture plus an allowance
rss_le() { # rss_le KIB DESCRIPTION
	if [ "$san" = 1 ]; then
		t_ok 0 "$2 (not asserted in a sanitizer build: ${RSS} KiB)"
	else
		[ "$RSS" -le "$1" ]; t_ok $? "$2: peak RSS ${RSS} KiB <= $1 KiB"
	fi
}

# baseline: an ordinary capture, for the memory bound and the throughput
cp "$SRCDIR/pcaps/sample/http-mixed.pcap" "$D/baseline.pcap"
run_cap baseline
BASE=$RSS
t_is "$RC" 0 "baseline capture exits 0"
SMALL=$((BASE + 24 * 1024))   # one flow of any size: at most 24 MiB over the baseline

# ---- SYN flood: FLOWS distinct flows, the table capped at MAXF ----
run_cap syn-flood --max-flows "$MAXF"
t_is "$RC" 0 "syn-flood: exit 0"
t_is "$(sqlite3 "$T_TMP/syn-flood.db" 'SELECT packets, flows FROM runs')" "$(man '.["syn-flood"].packets')|$FLOWS" \
	"syn-flood: every packet read, $FLOWS flows written"
t_is "$(sqlite3 "$T_TMP/syn-flood.db" "SELECT count(*), sum(end_reason = 'evicted'), sum(end_reason = 'capture_end') FROM flows")" \
	"$FLOWS|$((FLOWS - MAXF))|$MAXF" "syn-flood: $((FLOWS - MAXF)) evicted at --max-flows $MAXF, $MAXF left at the end"
t_is "$(stat_of syn-flood flows_evicted)" "$((FLOWS - MAXF))" "syn-flood: flows_evicted counted in the run's stats"
t_is "$(sqlite3 "$T_TMP/syn-flood.db" "SELECT (SELECT max(ts_first) FROM flows WHERE end_reason = 'evicted') <
	(SELECT min(ts_first) FROM flows WHERE end_reason = 'capture_end')")" "1" "syn-flood: the oldest flows were the ones evicted"
# ~1 KiB per flow in the table (nDPI's flow state included; measured 1.05 KiB
# at 65536 flows), 16 MiB for the hash table, SQLite's cache and nDPI
rss_le $((BASE + 16 * 1024 + MAXF * 2)) "syn-flood: memory bounded by --max-flows, not by the flood"
FLOOD_SECS=$SECS
# throughput: the first fifth of the flood alone, then compare packets/s
run_cap syn-flood --max-flows "$MAXF" -c $((FLOWS / 5))
t_is "$RC" 0 "syn-flood, first fifth: exit 0"
rate_all=$(awk -v n="$FLOWS" -v s="$FLOOD_SECS" 'BEGIN { printf "%d", n / (s + 0.01) }')
rate_5=$(awk -v n="$((FLOWS / 5))" -v s="$SECS" 'BEGIN { printf "%d", n / (s + 0.01) }')
echo "# syn-flood: $rate_all packets/s over $FLOWS flows, $rate_5 packets/s over the first fifth"
if [ "$san" = 1 ]; then
	t_ok 0 "syn-flood: throughput not asserted in a sanitizer build"
else
	# loose on purpose (shared CI cores): a cliff is a collapse, not 20%
	[ "$rate_all" -ge $((rate_5 / 4)) ]
	t_ok $? "syn-flood: no throughput cliff (whole flood at least 1/4 of the first fifth's packets/s)"
fi

# ---- a flow that never completes the handshake ----
run_cap tls-endless
t_is "$RC" 0 "tls-endless: exit 0"
t_is "$(flows_of tls-endless)" "40001 tls " "tls-endless: one tls flow, no anomaly"
t_is "$("$W" export -d "$T_TMP/tls-endless.db" | jq -r '[.payload_bytes_c2s, .tls.sni, .tls.app_records_c2s, .tls.server_hello_seen] | @tsv')" \
	"$(printf '%s\thostile.example\t%s\tfalse' "$(man '.["tls-endless"].payload_c2s')" "$(man '.["tls-endless"].app_records')")" \
	"tls-endless: every byte counted, every record header read, no ServerHello"
[ "$(stat_of tls-endless dissector_bytes)" -ge "$((BULK << 20))" ]
t_ok $? "tls-endless: the dissector stayed live over the whole flow"
rss_le "$SMALL" "tls-endless ($BULK MiB)"

run_cap tls-hs-16m
t_is "$RC" 0 "tls-hs-16m: exit 0"
t_is "$(flows_of tls-hs-16m)" "40002 tls tls:message_too_long" "tls-hs-16m: handshake claiming 2^24-1 bytes: message_too_long"
t_is "$("$W" export -d "$T_TMP/tls-hs-16m.db" | jq -r '.payload_bytes_c2s')" "$(man '.["tls-hs-16m"].payload_c2s')" \
	"tls-hs-16m: bytes counted after the dissector stopped"
rss_le "$SMALL" "tls-hs-16m"

run_cap pg-bulk
t_is "$RC" 0 "pg-bulk: exit 0"
t_is "$(flows_of pg-bulk)" "40060 postgresql postgresql:bad_length" "pg-bulk: startup length 0x7fffffff then garbage: bad_length"
t_is "$("$W" export -d "$T_TMP/pg-bulk.db" | jq -r '.payload_bytes_c2s')" "$(man '.["pg-bulk"].payload_c2s')" "pg-bulk: bytes counted"
rss_le "$SMALL" "pg-bulk"

run_cap mysql-bulk
t_is "$RC" 0 "mysql-bulk: exit 0"
t_is "$(flows_of mysql-bulk)" "40061 mysql mysql:packet_too_long" "mysql-bulk: greeting length 0xffffff then garbage: packet_too_long"
t_is "$("$W" export -d "$T_TMP/mysql-bulk.db" | jq -r '.payload_bytes_s2c')" "$(man '.["mysql-bulk"].payload_s2c')" "mysql-bulk: bytes counted"
rss_le "$SMALL" "mysql-bulk"

# ---- out of order, overlapping, different bytes ----
run_cap ooo-overlap
t_is "$RC" 0 "ooo-overlap: exit 0"
t_is "$(flows_of ooo-overlap)" "$(printf '40070 tls stream:stream_overlap_mismatch\n40071 - stream:stream_gap')" \
	"ooo-overlap: mismatching overlaps recorded; a 400-segment window overflows the queue: stream_gap"
t_is "$(stat_of ooo-overlap overlap_mismatches)" "$(man '.["ooo-overlap"].mismatched_segments')" \
	"ooo-overlap: every mismatching segment counted once"
t_is "$("$W" export -d "$T_TMP/ooo-overlap.db" --flow 1 | jq -r '[.payload_bytes_c2s, .tls.sni, .tls.client_ciphers[0]] | @tsv')" \
	"$(printf '%s\thostile.example\t4865' "$(man '.["ooo-overlap"].payload_c2s')")" \
	"ooo-overlap: first seen wins, the reassembled ClientHello is intact"
rss_le "$SMALL" "ooo-overlap"

# many flows, each with a hole and 63712 bytes queued behind it: the queue
# cap holds per flow, so memory grows with the flows held (up to
# --max-flows), not with the bytes sent; there is no global budget
# (docs/TESTING.md, "Hostile traffic")
OF=$(man '.["ooo-flood"].flows')
run_cap ooo-flood
t_is "$RC" 0 "ooo-flood: exit 0"
t_is "$("$W" export -d "$T_TMP/ooo-flood.db" | jq -r '[(.protocol // "-"), (.anomalies | map("\(.dissector):\(.name)") | join(","))] | join(" ")' | sort | uniq -c | sed 's/^ *//')" \
	"$OF - stream:stream_gap" \
	"ooo-flood: $OF flows, each ending with its hole recorded as stream_gap"
rss_le $((BASE + 16 * 1024 + OF * 80)) "ooo-flood: at most 80 KiB per flow holding 63712 queued bytes"

# ---- oversized TLS ----
run_cap tls-record-big
t_is "$RC" 0 "tls-record-big: exit 0"
t_is "$("$W" export -d "$T_TMP/tls-record-big.db" | jq -r '.anomalies[] | "\(.name) \(.detail)"')" \
	"$(printf 'record_too_long 65535 bytes\nrecord_too_long 18433 bytes')" "tls-record-big: 0xffff and 2^14+2048+1: record_too_long"
run_cap tls-many-exts
t_is "$RC" 0 "tls-many-exts: exit 0"
t_is "$(flows_of tls-many-exts)" "40020 tls tls:too_many_extensions" "tls-many-exts: 5000 extensions: too_many_extensions"
run_cap tls-ciphers-64k
t_is "$RC" 0 "tls-ciphers-64k: exit 0"
t_is "$(flows_of tls-ciphers-64k)" "$(printf '40030 tls tls:message_too_long\n40031 tls tls:too_many_ciphers')" \
	"tls-ciphers-64k: 65532-byte cipher list over the 64 KiB message cap; 8000 suites: too_many_ciphers"
rss_le "$SMALL" "tls-ciphers-64k"

# ---- recursion and lines ----
run_cap ldap-deep-ber
t_is "$RC" 0 "ldap-deep-ber: exit 0"
t_is "$(flows_of ldap-deep-ber)" "$(printf '40040 ldap ldap:too_deep\n40041 ldap ldap:indefinite_length')" \
	"ldap-deep-ber: 10000 nested filters: too_deep; indefinite lengths: indefinite_length"
run_cap smtp-long-lines
t_is "$RC" 0 "smtp-long-lines: exit 0"
t_is "$(flows_of smtp-long-lines)" "$(printf '40050 smtp smtp:line_too_long\n40051 smtp smtp:line_too_long')" \
	"smtp-long-lines: 4 MiB banner and 4 MiB EHLO: line_too_long"
rss_le "$SMALL" "smtp-long-lines"

# ---- database length fields at their maximum ----
run_cap db-lengths
t_is "$RC" 0 "db-lengths: exit 0"
t_is "$(flows_of db-lengths)" "41000 postgresql postgresql:bad_length
41001 postgresql postgresql:bad_length
41002 postgresql postgresql:bad_length
41003 mysql mysql:packet_too_long
41004 mysql mysql:packet_too_long
41005 tds tds:bad_packet_header
41006 redis redis:bad_header
41007 redis redis:bad_header
41008 mongodb mongodb:bad_header
41009 mongodb mongodb:bad_header
41010 amqp amqp:frame_too_large" "db-lengths: every maximal length field is an anomaly of its dissector"
t_is "$("$W" export -d "$T_TMP/db-lengths.db" | jq -r 'select(.server_port == 5432) | .anomalies[0].detail')" \
	"$(printf 'initial message length 4294967295\ninitial message length 2147483648\ninitial message length 2147483647')" \
	"db-lengths: PostgreSQL lengths 2^32-1, 2^31, 2^31-1 reported as sent"

t_done
