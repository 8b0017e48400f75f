# SPDX-License-Identifier: BSD-3-Clause
# workers.sh — live capture with --workers N (issue 13; docs/PERFORMANCE.md
# "Several packet workers"). As root only (skipped otherwise).
#
# Two network namespaces joined by a veth pair, offloads off, IPv6 and ARP
# off the wire (static neighbours), so the link carries only the test's
# traffic: Python's http.server and an OpenSSL TLS server (Python's ssl) in
# one namespace, a client in the other making 150 HTTP and 150 TLS
# connections and sending 60 UDP datagrams from 60 ports of its choosing (a
# random ephemeral port can repeat: two flows). On the server's
# end of the pair, at the same time: tcpdump (the oracle), `capture
# --workers 2` and `capture` with one worker. Then the tcpdump file is read
# offline. The three must store the same flows with the same counts and
# facts; the two workers must both have had flows, the flow ids must be
# unique; -c counts all workers exactly; SIGHUP reaches every worker.
. "$SRCDIR/tests/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root"
	exit 0
fi
for t in ip ethtool tcpdump capinfos jq sqlite3 openssl python3; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t missing (tools/install-deps)"; exit 0; }
done
A=wa_wk_a$$ B=wa_wk_b$$
cleanup() { ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; rm -rf "$T_TMP"; }
trap cleanup EXIT
if ! ip netns add $A 2>/dev/null || ! ip netns add $B 2>/dev/null; then
	echo "1..0 # SKIP cannot create network namespaces"
	exit 0
fi
ip link add wa0 netns $A type veth peer name wa1 netns $B || exit 1
MAC_A=02:00:00:00:13:0a MAC_B=02:00:00:00:13:0b
for x in "$A wa0 10.13.0.1 $MAC_A 10.13.0.2 $MAC_B" "$B wa1 10.13.0.2 $MAC_B 10.13.0.1 $MAC_A"; do
	set -- $x
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$1" link set "$2" address "$4"
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" link set "$2" arp off up
	ip -n "$1" link set lo up
	ip -n "$1" neigh replace "$5" lladdr "$6" dev "$2" nud permanent
	ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1
done

openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=workers.test" \
	-keyout "$T_TMP/key.pem" -out "$T_TMP/cert.pem" 2>/dev/null || exit 1

# the servers: HTTP on 8080, TLS on 8443 (one response each), UDP sink on 9999
ip netns exec $B python3 - "$T_TMP" <<'PY' &
import http.server, socket, socketserver, ssl, sys, threading
d = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    allow_reuse_address = True
    daemon_threads = True
plain = S(("10.13.0.2", 8080), H)
tls = S(("10.13.0.2", 8443), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(d + "/cert.pem", d + "/key.pem")
tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("10.13.0.2", 9999))
threading.Thread(target=plain.serve_forever, daemon=True).start()
threading.Thread(target=tls.serve_forever, daemon=True).start()
open(d + "/ready", "w").close()
while True:
    u.recvfrom(2048)
PY
srv=$!
for _ in $(seq 50); do [ -f "$T_TMP/ready" ] && break; sleep 0.1; done

# traffic N_HTTP N_TLS N_UDP: the client, in the other namespace
traffic() {
	ip netns exec $A python3 - "$@" <<'PY'
import socket, ssl, sys
nh, nt, nu = map(int, sys.argv[1:4])
req = b"GET /w HTTP/1.1\r\nHost: workers.test\r\nConnection: close\r\n\r\n"
def get(s):
    s.sendall(req)
    while s.recv(4096):
        pass
    s.close()
for i in range(nh):
    get(socket.create_connection(("10.13.0.2", 8080)))
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
# half of them TLS 1.2: the certificate on the wire, parsed by each worker
ctx12 = ssl.create_default_context(); ctx12.check_hostname = False; ctx12.verify_mode = ssl.CERT_NONE
ctx12.maximum_version = ssl.TLSVersion.TLSv1_2
for i in range(nt):
    get((ctx12 if i % 2 else ctx).wrap_socket(socket.create_connection(("10.13.0.2", 8443)), server_hostname="workers.test"))
for i in range(nu):
    # a port of its own: the kernel's random pick for an unbound socket
    # repeats one in 60 draws about one time in sixteen (two flows merged)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("10.13.0.1", 41000 + i))
    u.sendto(b"datagram %d" % i, ("10.13.0.2", 9999)); u.close()
PY
}

# the captures have opened the interface: libpcap's socket is bound before
# the first packet is sent
wait_ready() { sleep 2; }

ip netns exec $B tcpdump -i wa1 -s 0 -U -w "$T_TMP/ref.pcap" 2>/dev/null &
tcpd=$!
ip netns exec $B "$WIREAUDIT" capture -q -i wa1 --workers 2 --checkpoint 1 -d "$T_TMP/w2.db" 2>"$T_TMP/w2.err" &
w2=$!
ip netns exec $B "$WIREAUDIT" capture -q -i wa1 -d "$T_TMP/w1.db" 2>"$T_TMP/w1.err" &
w1=$!
wait_ready
traffic 150 150 60
sleep 1.5
kill -TERM $w2 $w1
wait $w2; rc2=$?
wait $w1; rc1=$?
kill -TERM $tcpd; wait $tcpd 2>/dev/null
t_is "$rc2" 5 "--workers 2: SIGTERM exits 5"
[ "$rc2" = 5 ] || sed 's/^/# /' "$T_TMP/w2.err" | head -60
t_is "$rc1" 5 "one worker: SIGTERM exits 5"
t_is "$(sqlite3 "$T_TMP/w2.db" 'SELECT mode, status, drops FROM runs')" "live|interrupted|0" \
	"--workers 2: run row live, interrupted, no kernel drop"
"$WIREAUDIT" capture -q -r "$T_TMP/ref.pcap" -d "$T_TMP/ref.db"
sent=$(capinfos -c -M "$T_TMP/ref.pcap" | sed -n 's/.*Number of packets: *//p')
t_ok $([ "$sent" -gt 2000 ]; echo $?) "tcpdump saw the traffic ($sent packets)"
t_is "$(sqlite3 "$T_TMP/w2.db" 'SELECT packets FROM runs')" "$sent" "--workers 2: every packet tcpdump saw"
t_is "$(sqlite3 "$T_TMP/w1.db" 'SELECT packets FROM runs')" "$sent" "one worker: every packet tcpdump saw"

# the workers' share: both had traffic, and the shares add up
stats="json_extract(stats, '\$.workers')"
t_is "$(sqlite3 "$T_TMP/w2.db" "SELECT json_array_length($stats) FROM runs")" 2 "stats: two workers"
t_is "$(sqlite3 "$T_TMP/w2.db" "SELECT sum(json_extract(value, '\$.packets')) = packets, sum(json_extract(value, '\$.flows_written')) = flows FROM runs, json_each($stats)")" \
	"1|1" "…their packets and flows add up to the run's"
t_is "$(sqlite3 "$T_TMP/w2.db" "SELECT min(json_extract(value, '\$.flows_written')) > 20 FROM runs, json_each($stats)")" \
	1 "…each worker had flows of its own (the kernel spread them by flow hash)"
echo "# the workers' flows and packets: $(sqlite3 "$T_TMP/w2.db" "SELECT group_concat(json_extract(value, '\$.flows_written') || ' flows ' || json_extract(value, '\$.packets') || ' packets', ', ') FROM runs, json_each($stats)")"
t_is "$(sqlite3 "$T_TMP/w1.db" "SELECT $stats IS NULL FROM runs")" 1 "one worker: no workers statistics"

# flow ids: unique in the run, from both workers
t_is "$(sqlite3 "$T_TMP/w2.db" 'SELECT count(*) = count(DISTINCT flow_id), count(DISTINCT flow_id % 2) FROM flows')" \
	"1|2" "flow ids unique, both workers' (odd and even)"

# the same flows, counts and facts: a key and all but ids, times, end and
# the interface (the live runs' wa1, null for the file)
t_is "$(sqlite3 "$T_TMP/w2.db" 'SELECT group_concat(DISTINCT interface) FROM flows') $(sqlite3 "$T_TMP/ref.db" 'SELECT count(*) FROM flows WHERE interface IS NOT NULL')" \
	"wa1 0" "each live flow records the interface (wa1), the file's none"
norm() {
	"$WIREAUDIT" export -d "$1" | jq -c 'del(.flow_id, .run_id, .flow_uid, .ts_first, .ts_last, .end_reason, .interface)' | sort
}
norm "$T_TMP/ref.db" >"$T_TMP/ref.n"
norm "$T_TMP/w1.db" >"$T_TMP/w1.n"
norm "$T_TMP/w2.db" >"$T_TMP/w2.n"
t_is "$(jq -s '[length, (map(select(.protocol == "http")) | length), (map(select(.tls != null and .server_port == 8443)) | length), (map(select(.tls.version == "TLSv1.2" and .tls.leaf_self_signed == true and (.tls.certs | length) == 1)) | length), (map(select(.transport == "udp")) | length)] | join(" ")' -r "$T_TMP/ref.n")" \
	"360 150 150 75 60" "the offline read of tcpdump's file: 150 HTTP, 150 TLS (75 TLS 1.2 with the certificate) and 60 UDP flows"
cmp -s "$T_TMP/ref.n" "$T_TMP/w2.n"
t_ok $? "--workers 2 stores what the offline read of tcpdump's file stores"
[ $? -eq 0 ] || diff "$T_TMP/ref.n" "$T_TMP/w2.n" | head -6 | sed 's/^/# /'
cmp -s "$T_TMP/ref.n" "$T_TMP/w1.n"
t_ok $? "one worker stores the same"

# -c over all workers: exactly that many packets
ip netns exec $B "$WIREAUDIT" capture -q -i wa1 --workers 2 -c 777 -d "$T_TMP/c.db" 2>"$T_TMP/c.err" &
wc=$!
wait_ready
traffic 100 0 0
for _ in $(seq 50); do kill -0 $wc 2>/dev/null || break; sleep 0.1; done
kill -TERM $wc 2>/dev/null
wait $wc
rc=$?
t_is "$rc" 0 "--workers 2 -c 777: exits 0 by itself"
[ "$rc" = 0 ] || sed 's/^/# /' "$T_TMP/c.err" | head -60
t_is "$(sqlite3 "$T_TMP/c.db" "SELECT packets, status, (SELECT sum(json_extract(value, '\$.packets')) FROM json_each(json_extract(stats, '\$.workers'))) FROM runs")" \
	"777|complete|777" "…777 packets analysed over both workers"

# SIGHUP: every worker writes its open flows and logs a line
ip netns exec $B "$WIREAUDIT" capture -i wa1 --workers 2 --checkpoint 0 -d "$T_TMP/h.db" 2>"$T_TMP/h.err" &
wh=$!
wait_ready
traffic 40 0 20
kill -HUP $wh
sleep 1.5
kill -0 $wh
t_ok $? "SIGHUP does not stop --workers 2"
t_is "$(grep -c '\[SIGHUP\]' "$T_TMP/h.err")" 2 "…each worker logs its checkpoint"
t_is "$(grep -o 'worker [01]:' "$T_TMP/h.err" | sort -u | tr '\n' ' ')" "worker 0: worker 1: " "…worker 0 and worker 1"
kill -TERM $wh
wait $wh
t_is "$?" 5 "…SIGTERM then exits 5"

# usage
"$WIREAUDIT" capture -q --workers 2 -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$T_TMP/u.db" 2>"$T_TMP/u.err"
t_is "$?" 2 "--workers with a file: usage error"
t_ok $(grep -q "live capture" "$T_TMP/u.err"; echo $?) "…saying it applies to live capture"
"$WIREAUDIT" capture -q --workers 65 -i lo -d "$T_TMP/u.db" 2>/dev/null
t_is "$?" 2 "--workers 65: usage error (64 at most)"

kill $srv 2>/dev/null
wait $srv 2>/dev/null
t_done
