# SPDX-License-Identifier: BSD-3-Clause
# live-stats.sh — live statistics and several interfaces (issue 14). As root
# only (skipped otherwise).
#
# Two network namespaces joined by two veth pairs (offloads, IPv6 and ARP
# off: only the test's traffic on the links), tcpdump as the oracle on the
# capturing side of each pair.
#
# (a) Drops while the capture runs: `capture -i wa1 -B 64 -s 256` (a 64 KiB
#     ring) is stopped (SIGSTOP) while 20,000 UDP datagrams cross the link,
#     then continued: the kernel must have dropped most of them. While the
#     capture still runs, the stats table and runs.drops hold the kernel's
#     drops, `status` prints them, and the counts match the oracle:
#     received = what tcpdump (a 64 MiB ring, no drop) saw, packets
#     analysed + kernel drops = received.
# (b) Two interfaces in one run, two workers each: every flow labelled with
#     the interface it crossed, the same flows as the offline read of each
#     interface's tcpdump file, per-interface statistics equal to tcpdump's
#     counts and adding up to the run's.
# (c) The report of (a)'s database shows the blind period.
. "$SRCDIR/tests/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root"
	exit 0
fi
for t in ip ethtool tcpdump capinfos jq sqlite3 python3; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t missing (tools/install-deps)"; exit 0; }
done
A=wa_ls_a$$ B=wa_ls_b$$
pids=""
cleanup() {
	for p in $pids; do kill -CONT "$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; done
	ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; rm -rf "$T_TMP"
}
trap cleanup EXIT
if ! ip netns add $A 2>/dev/null || ! ip netns add $B 2>/dev/null; then
	echo "1..0 # SKIP cannot create network namespaces"
	exit 0
fi
ip link add wa0 netns $A type veth peer name wa1 netns $B || exit 1
ip link add wb0 netns $A type veth peer name wb1 netns $B || exit 1
for x in "$A wa0 10.14.0.1 02:00:00:00:14:0a 10.14.0.2 02:00:00:00:14:0b" \
	 "$B wa1 10.14.0.2 02:00:00:00:14:0b 10.14.0.1 02:00:00:00:14:0a" \
	 "$A wb0 10.14.1.1 02:00:00:00:14:1a 10.14.1.2 02:00:00:00:14:1b" \
	 "$B wb1 10.14.1.2 02:00:00:00:14:1b 10.14.1.1 02:00:00:00:14:1a"; do
	set -- $x
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$1" link set "$2" address "$4"
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" link set "$2" arp off up
	ip -n "$1" link set lo up
	ip -n "$1" neigh replace "$5" lladdr "$6" dev "$2" nud permanent
	ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1
done

# the peers in B: HTTP on 8080 and a UDP sink on 9999 (bound, never read:
# no ICMP port unreachable on the wire) on both addresses
ip netns exec $B python3 - "$T_TMP" <<'PY' &
import http.server, socket, socketserver, sys, threading, time
d = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    allow_reuse_address = True
    daemon_threads = True
socks = []
for ip in ("10.14.0.2", "10.14.1.2"):
    s = S((ip, 8080), H)
    threading.Thread(target=s.serve_forever, daemon=True).start()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind((ip, 9999)); socks.append(u)
open(d + "/ready", "w").close()
while True:
    time.sleep(3600)
PY
srv=$!
pids="$srv"
for _ in $(seq 50); do [ -f "$T_TMP/ready" ] && break; sleep 0.1; done

# traffic NET N_HTTP N_UDP [N_FLOOD]: from A to 10.14.NET.2; UDP datagrams
# each from a port of its own; the flood from one port
traffic() {
	ip netns exec $A python3 - "$@" <<'PY'
import socket, sys
net, nh, nu = map(int, sys.argv[1:4])
nf = int(sys.argv[4]) if len(sys.argv) > 4 else 0
dst, src = "10.14.%d.2" % net, "10.14.%d.1" % net
req = b"GET /s HTTP/1.1\r\nHost: stats.test\r\nConnection: close\r\n\r\n"
for i in range(nh):
    s = socket.create_connection((dst, 8080), source_address=(src, 0))
    s.sendall(req)
    while s.recv(4096):
        pass
    s.close()
for i in range(nu):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((src, 41000 + i))
    u.sendto(b"datagram %d" % i, (dst, 9999)); u.close()
if nf:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((src, 40000))
    for i in range(nf):
        u.sendto(b"x" * 64, (dst, 9999))
PY
}

# a capture has its packet sockets open (start-up is slow under ASan)
wait_sockets() { # PID N
	for _ in $(seq 100); do
		[ "$(ls -l /proc/$1/fd 2>/dev/null | grep -c 'socket:')" -ge "$2" ] && break
		sleep 0.1
	done
	sleep 0.5
}
count() { capinfos -c -M "$1" | sed -n 's/.*Number of packets: *//p'; }

# ---- (a) kernel drops, seen while the capture runs
ip netns exec $B tcpdump -i wa1 -B 65536 -s 0 -U -w "$T_TMP/a.pcap" 2>"$T_TMP/a.tcpdump" &
tcpd=$!
pids="$pids $tcpd"
ip netns exec $B "$WIREAUDIT" capture -q -i wa1 -B 64 -s 256 --checkpoint 1 -d "$T_TMP/a.db" 2>"$T_TMP/a.err" &
wa=$!
pids="$pids $wa"
wait_sockets $wa 1
wait_sockets $tcpd 1
kill -STOP $wa
traffic 0 0 0 20000
kill -CONT $wa
sleep 3 # the ring read, then a checkpoint (1 s) with nothing new
kill -0 $wa; t_ok $? "(a) the capture still runs"
t_is "$(sqlite3 "$T_TMP/a.db" 'SELECT status, mode, source, drops > 10000, if_drops FROM runs')" "running|live|wa1|1|0" \
	"(a) while it runs: runs.drops holds the kernel's drops (most of the flood), status running"
row() { sqlite3 "$T_TMP/a.db" "SELECT $1 FROM stats WHERE final = 0 ORDER BY ts DESC LIMIT 1"; }
t_is "$(sqlite3 "$T_TMP/a.db" 'SELECT count(*) >= 2, sum(final), count(DISTINCT interface), min(interface) FROM stats')" "1|0|1|wa1" \
	"(a) the stats series: rows every checkpoint, none final yet, for wa1"
read -r rcv kd ifd pk <<<"$(row "received, kernel_drops, if_drops, packets" | tr '|' ' ')"
echo "# while running: received $rcv, kernel drops $kd, interface drops $ifd, packets $pk"
t_is "$(row 'kernel_drops > 10000 AND kernel_drops = (SELECT drops FROM runs)')" 1 \
	"(a) the latest row's kernel drops: most of the flood, as runs.drops"
t_is "$((pk + kd))" "$rcv" "(a) packets analysed + kernel drops = received"
t_is "$(sqlite3 "$T_TMP/a.db" 'SELECT count(*) FROM stats WHERE final = 0 AND kernel_drops > 0 AND kernel_drops <> (SELECT max(kernel_drops) FROM stats)')" 0 \
	"(a) the drops counted once, in the rows after the flood (no row between two values)"
st=$("$WIREAUDIT" status -d "$T_TMP/a.db" --format json); t_is $? 0 "(a) status while the capture runs exits 0"
pct=$(awk -v d="$kd" -v r="$rcv" 'BEGIN { printf "%.2f", 100 * d / r }')
t_is "$(jq -c '[.runs[0].run_id, .runs[0].status, .runs[0].interfaces[0].interface, .runs[0].interfaces[0].final, .runs[0].interfaces[0].received, .runs[0].interfaces[0].kernel_drops, .runs[0].interfaces[0].if_drops, .runs[0].interfaces[0].packets]' <<<"$st")" \
	"[1,\"running\",\"wa1\",false,$rcv,$kd,0,$pk]" "(a) status --format json: the latest values, exact"
t_is "$(grep -o '"drops_pct":[0-9.]*' <<<"$st")" "\"drops_pct\":$pct" "(a) …drops in percent of received ($pct)"
"$WIREAUDIT" status -d "$T_TMP/a.db" >"$T_TMP/a.status"
t_is "$(grep -c "^    received $rcv, kernel drops $kd, interface drops 0, drops $pct%\$" "$T_TMP/a.status")" 1 \
	"(a) status text prints them"
t_is "$(grep -c '^run 1 running live wa1, started ' "$T_TMP/a.status")" 1 "(a) …for the running run"
kill -TERM $wa; wait $wa; t_is $? 5 "(a) SIGTERM exits 5"
kill -INT $tcpd; wait $tcpd 2>/dev/null
t_is "$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$T_TMP/a.tcpdump")" 0 "(a) the oracle (tcpdump, 64 MiB ring) dropped nothing"
seen=$(count "$T_TMP/a.pcap")
t_is "$rcv" "$seen" "(a) received = the packets tcpdump saw on wa1 ($seen)"
t_is "$(sqlite3 "$T_TMP/a.db" 'SELECT s.received, s.kernel_drops, s.packets, s.packets + s.kernel_drops = s.received, r.drops, r.packets FROM stats s, runs r WHERE s.final = 1')" \
	"$seen|$kd|$pk|1|$kd|$pk" "(a) the final row and the run row agree"
t_is "$(sqlite3 "$T_TMP/a.db" "SELECT json_extract(stats, '\$.interfaces') FROM runs")" \
	"[{\"name\":\"wa1\",\"workers\":1,\"packets\":$pk,\"bytes\":$(sqlite3 "$T_TMP/a.db" 'SELECT bytes FROM runs'),\"flows_written\":1,\"received\":$seen,\"drops\":$kd,\"if_drops\":0}]" \
	"(a) the run's stats JSON: per interface"

# ---- (c) the report of (a): the blind period in its coverage
"$WIREAUDIT" report -d "$T_TMP/a.db" --format json >"$T_TMP/a.report.json"
t_is "$(jq -c '.coverage.window_drops | [.known, .drops, .received, (.blind_periods | length), .blind_periods[0].interface, .blind_periods[0].drops]' "$T_TMP/a.report.json")" \
	"[true,$kd,$seen,1,\"wa1\",$kd]" "(c) report: the drops of the window, one blind period on wa1"
"$WIREAUDIT" report -d "$T_TMP/a.db" --format text | grep -q "^  drops in the window (statistics series): $kd of $seen packets received ($pct%)\$"
t_ok $? "(c) report text: drops in the window"

# ---- (b) two interfaces, two workers each
for i in wa1 wb1; do
	ip netns exec $B tcpdump -i $i -B 65536 -s 0 -U -w "$T_TMP/b-$i.pcap" 2>"$T_TMP/b-$i.tcpdump" &
	eval "tcpd_$i=\$!"
	pids="$pids $!"
done
ip netns exec $B "$WIREAUDIT" capture -q -i wa1 -i wb1 --workers 2 --checkpoint 1 -d "$T_TMP/b.db" 2>"$T_TMP/b.err" &
wb=$!
pids="$pids $wb"
wait_sockets $wb 4
wait_sockets $tcpd_wa1 1
wait_sockets $tcpd_wb1 1
traffic 0 20 15
traffic 1 10 25
sleep 2
# a loaded machine (a sanitizer build) reads the rings later: SIGTERM only
# once the checkpoints hold all 70 flows (or after 20 s), so that no flow
# is still in a ring when the workers stop
for _ in $(seq 40); do
	[ "$(sqlite3 "$T_TMP/b.db" 'SELECT count(*) FROM flows' 2>/dev/null || echo 0)" -ge 70 ] && break
	sleep 0.5
done
t_is "$(sqlite3 "$T_TMP/b.db" 'SELECT group_concat(interface, " ") FROM (SELECT DISTINCT interface FROM stats WHERE final = 0 ORDER BY 1)')" "wa1 wb1" \
	"(b) while it runs: stats rows for each interface"
kill -TERM $wb; wait $wb; rc=$?
t_is "$rc" 5 "(b) SIGTERM exits 5"
[ "$rc" = 5 ] || sed 's/^/# /' "$T_TMP/b.err" | head -20
kill -INT $tcpd_wa1 $tcpd_wb1; wait $tcpd_wa1 $tcpd_wb1 2>/dev/null
t_is "$(sqlite3 "$T_TMP/b.db" 'SELECT mode, source, status, drops FROM runs')" "live|wa1 wb1|interrupted|0" "(b) the run: live, both interfaces in its source, no drop"
t_is "$(sqlite3 "$T_TMP/b.db" 'SELECT interface, server_ip, transport, count(*) FROM flows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3' | tr '\n' ' ')" \
	"wa1|10.14.0.2|tcp|20 wa1|10.14.0.2|udp|15 wb1|10.14.1.2|tcp|10 wb1|10.14.1.2|udp|25 " \
	"(b) every flow labelled with the interface it crossed"
t_is "$("$WIREAUDIT" export -d "$T_TMP/b.db" | jq -r .interface | sort | uniq -c | awk '{ printf "%s %s, ", $1, $2 }')" "35 wa1, 35 wb1, " \
	"(b) the export's interface field"
t_is "$(sqlite3 "$T_TMP/b.db" 'SELECT count(*) = count(DISTINCT flow_id) FROM flows')" 1 "(b) flow ids unique over the four workers"
t_is "$(sqlite3 "$T_TMP/b.db" "SELECT group_concat(json_extract(value, '\$.interface'), ' ') FROM runs, json_each(json_extract(stats, '\$.workers'))")" \
	"wa1 wa1 wb1 wb1" "(b) two workers per interface"
for i in wa1 wb1; do
	n=$(count "$T_TMP/b-$i.pcap")
	t_is "$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$T_TMP/b-$i.tcpdump")" 0 "(b) $i: the oracle dropped nothing"
	t_is "$(sqlite3 "$T_TMP/b.db" "SELECT json_extract(value, '\$.packets') || '|' || json_extract(value, '\$.received') || '|' || json_extract(value, '\$.drops') || '|' || json_extract(value, '\$.workers') FROM runs, json_each(json_extract(stats, '\$.interfaces')) WHERE json_extract(value, '\$.name') = '$i'")" \
		"$n|$n|0|2" "(b) $i: the run's per-interface statistics: every packet tcpdump saw ($n), received as many, no drop"
	t_is "$(sqlite3 "$T_TMP/b.db" "SELECT packets, received, kernel_drops FROM stats WHERE final = 1 AND interface = '$i'")" \
		"$n|$n|0" "(b) $i: its final stats row"
	# the oracle: tcpdump's file of that interface read offline stores the
	# same flows as the live capture labelled with that interface
	"$WIREAUDIT" capture -q -r "$T_TMP/b-$i.pcap" -d "$T_TMP/ref-$i.db"
	norm() { "$WIREAUDIT" export -d "$1" | jq -c "select(.interface == $2) | del(.flow_id, .run_id, .flow_uid, .ts_first, .ts_last, .end_reason, .interface)" | sort; }
	norm "$T_TMP/ref-$i.db" null >"$T_TMP/ref-$i.n"
	norm "$T_TMP/b.db" "\"$i\"" >"$T_TMP/b-$i.n"
	cmp -s "$T_TMP/ref-$i.n" "$T_TMP/b-$i.n"; t_ok $? "(b) $i: the flows labelled $i are those of the offline read of tcpdump's file ($(wc -l <"$T_TMP/ref-$i.n") flows)"
	[ $? -eq 0 ] || diff "$T_TMP/ref-$i.n" "$T_TMP/b-$i.n" | head -4 | sed 's/^/# /'
done
t_is "$(sqlite3 "$T_TMP/b.db" "SELECT (SELECT sum(packets) FROM stats WHERE final = 1) = packets, (SELECT sum(bytes) FROM stats WHERE final = 1) = bytes, (SELECT sum(flows_ended) FROM stats WHERE final = 1) = flows, (SELECT sum(json_extract(value, '\$.packets')) FROM json_each(json_extract(stats, '\$.interfaces'))) = packets FROM runs")" \
	"1|1|1|1" "(b) the interfaces' packets, bytes and flows add up to the run's"
"$WIREAUDIT" report -d "$T_TMP/b.db" --format json >"$T_TMP/b.report.json"
t_is "$(jq -c '.coverage.interfaces' "$T_TMP/b.report.json")" '[{"interface":"wa1","flows":35},{"interface":"wb1","flows":35}]' \
	"(b) report json: the window's flows per interface"
"$WIREAUDIT" report -d "$T_TMP/b.db" --format text | grep -q '^  flows per interface: wa1 35, wb1 35$'
t_ok $? "(b) report text: the same"
"$WIREAUDIT" report -d "$T_TMP/b.db" --format md | grep -q '^- Flows per interface: wa1 35, wb1 35$'
t_ok $? "(b) report md: the same"
"$WIREAUDIT" report -d "$T_TMP/b.db" --format html | grep -q '<dt>Flows per interface</dt><dd><span class="mono">wa1</span> 35, <span class="mono">wb1</span> 35</dd>'
t_ok $? "(b) report html: the same"
"$WIREAUDIT" status -d "$T_TMP/b.db" --format json >"$T_TMP/b.status"
t_is "$(jq -c '[.runs[0].interfaces[] | [.interface, .final, .kernel_drops, .workers]]' "$T_TMP/b.status")" \
	'[["wa1",true,0,2],["wb1",true,0,2]]' "(b) status: one entry per interface, from the final rows"

kill $srv 2>/dev/null
wait $srv 2>/dev/null
t_done
