# SPDX-License-Identifier: BSD-3-Clause
# eve-syslog.sh — the syslog destinations of the event stream (issue 15;
# src/capture/eve_syslog.c) against a real receiver: an rsyslogd of the
# test's own (`rsyslogd -n -f CONF -i PIDFILE`, no system service, nothing
# but loopback and a socket in the test's directory), with a CA and server
# certificates made here by `openssl req`:
#   tcp    imtcp, RFC 6587 octet counting;
#   tls    imtcp + ossl, certificate for IP:127.0.0.1 and DNS:localhost;
#   other  imtcp + ossl, certificate for DNS:other.example only;
#   mtls   imtcp + ossl, authMode x509/certvalid (a client certificate);
#   udp    imudp (RFC 5426);   ux  imuxsock on a socket here (syslog:PATH).
# Each writes MSGID|HOSTNAME|APP-NAME|PROCID|PRI|TIMESTAMP|MSG per message,
# as rsyslog's RFC 5424 parser read them.
#
# 1. tests/unit/test_eve_syslog as a driver (the transport alone: connect,
#    frame, send): the export records of pcaps/sample, pcaps/tls and
#    pcaps/escaping, a non-ASCII event, a 20 KB one and a stats event, over
#    each destination: exactly those messages arrive, in order, with the
#    MSGID, HOSTNAME, APP-NAME, PRI and timestamp sent and a MSG that is the
#    same JSON (jq -c). TLS with the wrong CA, a name or address the
#    certificate does not hold, and a listener that wants a client
#    certificate not given: a clear error, nothing delivered. Nobody
#    listening: connect or send fails cleanly.
# 2. wireaudit capture --eve (tcp, tls, syslog:PATH; udp with a small
#    capture, as UDP drops what overruns the receiver): the "flow"
#    object of the messages received equals the export, one per flow; the
#    run's stats event arrives as notice; with the wrong CA nothing arrives
#    and every event is counted as dropped.
# 3. valgrind: the driver over TLS and a capture streaming over TLS, no
#    error or leak.
. "$SRCDIR/tests/lib.sh"

for t in rsyslogd openssl jq python3; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t missing (tools/install-deps)"; exit 0; }
done
W=$WIREAUDIT
BUILD=$(cd "$(dirname "$W")/.." && pwd)
DRV=$BUILD/tests/unit/test_eve_syslog
D=$T_TMP
SENSOR=sensor-1
trap 'kill "$RS" 2>/dev/null; wait "$RS" 2>/dev/null; rm -rf "$T_TMP"' EXIT

# ---- certificates ----
mkca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=$1" \
		-keyout "$D/$1.key" -out "$D/$1.pem" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
mkcert() { # NAME SUBJECT_ALT_NAMES (signed by ca)
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
		-keyout "$D/$1.key" -out "$D/$1.csr" 2>/dev/null &&
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n' "$2" > "$D/$1.ext" &&
	openssl x509 -req -in "$D/$1.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" -CAcreateserial -days 30 \
		-extfile "$D/$1.ext" -out "$D/$1.pem" 2>/dev/null
}
mkca ca && mkca wrongca && mkcert srv "IP:127.0.0.1,DNS:localhost" && mkcert other "DNS:other.example" &&
	mkcert client "DNS:$SENSOR"
t_is "$?" 0 "a CA, a wrong CA, server certificates and a client certificate"

# ---- the receiver ----
UDP=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$D/rs.conf" <<EOF
global(workDirectory="$D" maxMessageSize="64k"
       defaultNetstreamDriverCAFile="$D/ca.pem"
       defaultNetstreamDriverCertFile="$D/srv.pem" defaultNetstreamDriverKeyFile="$D/srv.key")
module(load="imtcp")
module(load="imudp")
module(load="imuxsock" sysSock.use="off")
template(name="fields" type="string"
         string="%msgid%|%hostname%|%app-name%|%procid%|%pri%|%timereported:::date-rfc3339%|%msg%\n")
input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="$D/tcp.port" ruleset="tcp")
input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="$D/tls.port" ruleset="tls"
      streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon")
input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="$D/other.port" ruleset="other"
      streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon"
      streamDriver.certFile="$D/other.pem" streamDriver.keyFile="$D/other.key")
input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="$D/mtls.port" ruleset="mtls"
      streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="x509/certvalid")
input(type="imudp" address="127.0.0.1" port="$UDP" ruleset="udp" rateLimit.interval="0" rcvBufSize="4m")
input(type="imuxsock" socket="$D/log.sock" useSpecialParser="off" parseHostname="on"
      ignoreTimestamp="off" rateLimit.interval="0" ruleset="ux")
EOF
for r in tcp tls other mtls udp ux; do
	echo "ruleset(name=\"$r\") { action(type=\"omfile\" file=\"$D/$r.log\" template=\"fields\") }" >> "$D/rs.conf"
	: > "$D/$r.log"
done
if ! rsyslogd -N1 -f "$D/rs.conf" >"$D/rs.check" 2>&1; then
	sed 's/^/# /' "$D/rs.check"
	echo "1..0 # SKIP rsyslogd does not take the configuration (rsyslog-openssl missing? tools/install-deps)"
	exit 0
fi
rsyslogd -n -f "$D/rs.conf" -i "$D/rs.pid" >"$D/rs.err" 2>&1 &
RS=$!
for i in $(seq 100); do
	[ -s "$D/tcp.port" ] && [ -s "$D/tls.port" ] && [ -s "$D/other.port" ] && [ -s "$D/mtls.port" ] &&
		[ -S "$D/log.sock" ] && break
	sleep 0.1
done
t_ok "$([ -S "$D/log.sock" ] && [ -s "$D/mtls.port" ]; echo $?)" "rsyslogd listening: tcp, tls, tls for other.example, mtls, udp, unix socket"
TCP=$(cat "$D/tcp.port") TLS=$(cat "$D/tls.port") OTHER=$(cat "$D/other.port") MTLS=$(cat "$D/mtls.port")

lines() { wc -l < "$1"; }
# wait_lines FILE N: until FILE has N lines (10 s at most)
wait_lines() {
	local i
	for i in $(seq 100); do
		[ "$(lines "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# the headers (PROCID left out) and the MSGs as jq -c, of FILE's lines after the first SKIP
got_headers() { tail -n +$(($2 + 1)) "$1" | cut -d'|' -f1-3,5-6; }
got_msgs() { tail -n +$(($2 + 1)) "$1" | cut -d'|' -f7- | jq -c .; }

# ---- the events: "TYPE TS_US JSON" and what the receiver should say ----
"$W" capture -q -r "$SRCDIR"/pcaps/sample/http-mixed.pcap $(for f in "$SRCDIR"/pcaps/tls/*.pcap "$SRCDIR"/pcaps/escaping/*.pcap; do echo "-r $f"; done) \
	-d "$D/src.db" 2>/dev/null
"$W" export -d "$D/src.db" > "$D/src.jsonl"
python3 - "$D/src.jsonl" "$D/events" "$D/want.headers" "$D/want.json" "$SENSOR" <<'EOF'
import datetime, json, sys
src, ev, wh, wj, sensor = sys.argv[1:]
lines = [l.rstrip("\n") for l in open(src, encoding="utf-8")]
lines.append(json.dumps({"s": "caf\u00e9 \u20ac \U0001f600", "n": 1}, ensure_ascii=False))
lines.append(json.dumps({"big": "x" * 20000}))
base = 1795760614123456  # 2026-11-27T06:23:34.123456Z
with open(ev, "w", encoding="utf-8") as e, open(wh, "w") as h, open(wj, "w", encoding="utf-8") as j:
    events = [("flow", l) for l in lines] + [("stats", json.dumps({"stats": {"final": True}}))]
    for i, (t, l) in enumerate(events):
        ts = base + i * 1000001
        e.write("%s %d %s\n" % (t, ts, l))
        when = datetime.datetime.fromtimestamp(ts // 10**6, datetime.timezone.utc)
        h.write("%s|%s|wireaudit|%d|%s.%06dZ\n" % (t, sensor, 16 * 8 + (5 if t == "stats" else 6),
                                                   when.strftime("%Y-%m-%dT%H:%M:%S"), ts % 10**6))
        j.write(l + "\n")
EOF
N=$(lines "$D/events")
jq -c . "$D/want.json" > "$D/want.msgs"
t_ok "$([ "$N" -gt 60 ] && [ "$(lines "$D/want.msgs")" -eq "$N" ]; echo $?)" "$N events: the export of pcaps/sample, tls, escaping, non-ASCII, 20 KB, stats"

# ---- 1. the transport alone, each destination ----
# deliver NAME LOG TARGET [DRIVER OPTIONS]: N messages, exactly the ones sent
deliver() {
	local name=$1 log=$2 target=$3 base
	shift 3
	base=$(lines "$D/$log.log")
	"$DRV" send --sensor "$SENSOR" "$@" "$target" < "$D/events" >"$D/drv.out" 2>"$D/drv.err"
	t_is "$?|$(cat "$D/drv.out")|$(cat "$D/drv.err")" "0|sent $N|" "$name: the driver sends $N events"
	wait_lines "$D/$log.log" $((base + N))
	sleep 0.2 # nothing more
	t_is "$(lines "$D/$log.log")" $((base + N)) "$name: rsyslog received $N messages"
	got_headers "$D/$log.log" "$base" > "$D/got.headers"
	t_ok "$(cmp -s "$D/got.headers" "$D/want.headers"; echo $?)" "$name: MSGID, HOSTNAME, APP-NAME, PRI, TIMESTAMP as sent"
	[ "$(tail -n +$((base + 1)) "$D/$log.log" | cut -d'|' -f4 | sort -u | grep -cE '^[0-9]+$')" = 1 ] ||
		echo "# $name: PROCID not one number"
	got_msgs "$D/$log.log" "$base" > "$D/got.msgs"
	t_ok "$(cmp -s "$D/got.msgs" "$D/want.msgs"; echo $?)" "$name: each MSG is the event's JSON (jq -c)"
	cmp "$D/got.headers" "$D/want.headers" 2>&1 | head -3 | sed 's/^/#   /'
}
deliver "syslog+tcp" tcp "syslog+tcp://127.0.0.1:$TCP"
deliver "syslog+tls by address" tls "syslog+tls://127.0.0.1:$TLS" --ca "$D/ca.pem"
deliver "syslog+tls by name" tls "syslog+tls://localhost:$TLS" --ca "$D/ca.pem"
deliver "syslog+tls with a client certificate" mtls "syslog+tls://127.0.0.1:$MTLS" --ca "$D/ca.pem" \
	--cert "$D/client.pem" --key "$D/client.key"
deliver "syslog:PATH" ux "syslog:$D/log.sock"
deliver "syslog+udp" udp "syslog+udp://127.0.0.1:$UDP"
t_ok "$(grep -q '^stats|' "$D/tcp.log" && grep '^stats|' "$D/tcp.log" | cut -d'|' -f5 | grep -qx 133; echo $?)" \
	"the stats event: MSGID stats, PRI 133 (local0.notice); flows 134 (local0.info)"

# refused FAILURE_NAME LOG WANT_EXIT WANT_STDERR TARGET [OPTIONS]: an error, nothing delivered
refused() {
	local name=$1 log=$2 rc=$3 want=$4 target=$5 base
	shift 5
	base=$(lines "$D/$log.log")
	"$DRV" send --sensor "$SENSOR" --timeout 5 "$@" "$target" < "$D/events" >"$D/drv.out" 2>"$D/drv.err"
	local got=$?
	t_ok "$([ $got = "$rc" ] && grep -q "$want" "$D/drv.err"; echo $?)" "$name: exit $got, \"$(head -1 "$D/drv.err")\""
	sleep 0.5
	t_is "$(lines "$D/$log.log")" "$base" "$name: nothing delivered"
}
refused "TLS, the wrong CA" tls 3 "certificate verify failed" "syslog+tls://127.0.0.1:$TLS" --ca "$D/wrongca.pem"
refused "TLS, a name not in the certificate" other 3 "certificate verify failed: hostname mismatch" \
	"syslog+tls://localhost:$OTHER" --ca "$D/ca.pem"
refused "TLS, an address not in the certificate" other 3 "certificate verify failed: IP address mismatch" \
	"syslog+tls://127.0.0.1:$OTHER" --ca "$D/ca.pem"
refused "TLS, no client certificate for a receiver that wants one" mtls 3 "alert certificate required" \
	"syslog+tls://127.0.0.1:$MTLS" --ca "$D/ca.pem"
grep -q "wireaudit: --eve syslog+tls://127.0.0.1:$MTLS: TLS: tlsv13 alert certificate required" "$D/drv.err" ||
	echo "# (the alert's wording: $(head -1 "$D/drv.err"))"

# a loopback port nobody listens on (one the kernel just gave out, freed)
FREE=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for target in "syslog+tcp://127.0.0.1:$FREE" "syslog+tls://127.0.0.1:$FREE"; do
	"$DRV" send --ca "$D/ca.pem" --timeout 5 "$target" < "$D/events" >"$D/drv.out" 2>"$D/drv.err"
	rc=$?
	t_ok "$({ [ $rc = 2 ] || [ $rc = 3 ]; } && grep -q "refused" "$D/drv.err"; echo $?)" \
		"$target, nobody listening: fails cleanly (exit $rc, $(head -1 "$D/drv.err"))"
done
"$DRV" send "syslog:$D/nothing.sock" < "$D/events" >"$D/drv.out" 2>"$D/drv.err"
t_is "$?|$(cat "$D/drv.err")" "2|connect: syslog:$D/nothing.sock: No such file or directory" "syslog:PATH, no socket: connect fails"

# ---- 2. capture --eve: the flows received are the export ----
if ! "$W" capture --help 2>&1 | grep -q -- '--eve '; then
	echo "ok $((T_N += 1)) # SKIP this wireaudit has no --eve"
else
	PC=$(for f in "$SRCDIR"/pcaps/sample/http-mixed.pcap "$SRCDIR"/pcaps/tls/*.pcap "$SRCDIR"/pcaps/escaping/*.pcap; do echo "-r $f"; done)
	# stream NAME LOG TARGET [CAPTURE OPTIONS]
	stream() {
		local name=$1 log=$2 target=$3 base db nf
		shift 3
		db=$D/e-$log.db
		base=$(lines "$D/$log.log")
		# shellcheck disable=SC2086
		"$W" capture -q $PC -d "$db" --sensor "$SENSOR" --eve "$target" "$@" 2>"$D/cap.err"
		t_is "$?|$(cat "$D/cap.err")" "0|" "$name: capture --eve exits 0, nothing dropped"
		"$W" export -d "$db" | jq -c . > "$D/exp"
		nf=$(lines "$D/exp")
		wait_lines "$D/$log.log" $((base + nf + 1))
		sleep 0.3
		tail -n +$((base + 1)) "$D/$log.log" > "$D/got"
		grep '^flow|' "$D/got" | cut -d'|' -f7- | jq -c .flow | jq -s -c 'sort_by(.flow_id) | .[]' > "$D/got.flows"
		t_ok "$(cmp -s "$D/got.flows" "$D/exp"; echo $?)" "$name: the flows received are the export's records, one per flow ($nf)"
		t_is "$(grep -c '^stats|' "$D/got")|$(grep -v '^flow|' "$D/got" | grep -v '^stats|' | wc -l)|$(cut -d'|' -f2,3 "$D/got" | sort -u)" \
			"1|0|$SENSOR|wireaudit" "$name: one stats event and nothing else; HOSTNAME the sensor"
	}
	stream "capture --eve syslog+tcp" tcp "syslog+tcp://127.0.0.1:$TCP"
	stream "capture --eve syslog+tls" tls "syslog+tls://localhost:$TLS" --eve-ca-file "$D/ca.pem"
	stream "capture --eve syslog:PATH" ux "syslog:$D/log.sock"
	# UDP loses what overruns the receiver's buffer: the small capture
	PC="-r $SRCDIR/pcaps/sample/http-mixed.pcap"
	stream "capture --eve syslog+udp" udp "syslog+udp://127.0.0.1:$UDP"
	PC=$(for f in "$SRCDIR"/pcaps/sample/http-mixed.pcap "$SRCDIR"/pcaps/tls/*.pcap "$SRCDIR"/pcaps/escaping/*.pcap; do echo "-r $f"; done)

	base=$(lines "$D/tls.log")
	"$W" capture $PC -d "$D/e-bad.db" --eve "syslog+tls://127.0.0.1:$TLS" --eve-ca-file "$D/wrongca.pem" 2>"$D/cap.err"
	rc=$?
	nf=$("$W" export -d "$D/e-bad.db" | wc -l)
	sleep 0.5
	t_ok "$([ $rc = 0 ] && grep -q "certificate verify failed" "$D/cap.err" &&
		grep -q "events written, $((nf + 1)) dropped" "$D/cap.err" && [ "$(lines "$D/tls.log")" = "$base" ]; echo $?)" \
		"capture --eve syslog+tls, the wrong CA: the reason said, all $((nf + 1)) events dropped, nothing delivered"
	grep -- '--eve' "$D/cap.err" | sort | uniq -c | sed 's/^/#   /'
fi

# ---- 3. valgrind ----
if ! command -v valgrind >/dev/null || ldd "$W" 2>/dev/null | grep -Eq 'libasan|libubsan'; then
	echo "ok $((T_N += 1)) # SKIP valgrind missing or a sanitizer build"
else
	VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30"
	base=$(lines "$D/tls.log")
	$VG --log-file="$D/vg.drv" "$DRV" send --sensor "$SENSOR" --ca "$D/ca.pem" --cert "$D/client.pem" \
		--key "$D/client.key" "syslog+tls://localhost:$MTLS" < "$D/events" >/dev/null 2>&1
	t_is "$?|$(cat "$D/vg.drv")" "0|" "valgrind: the driver over TLS with a client certificate"
	$VG --log-file="$D/vg.drv2" "$DRV" send --ca "$D/wrongca.pem" "syslog+tls://127.0.0.1:$TLS" < "$D/events" >/dev/null 2>&1
	t_is "$?|$(cat "$D/vg.drv2")" "3|" "valgrind: the driver, TLS refused"
	$VG --log-file="$D/vg.cap" "$W" capture -q -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$D/vg.db" \
		--eve "syslog+tls://127.0.0.1:$TLS" --eve-ca-file "$D/ca.pem" >/dev/null 2>&1
	t_is "$?|$(cat "$D/vg.cap")" "0|" "valgrind: capture --eve syslog+tls"
fi
t_done
