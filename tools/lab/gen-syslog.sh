#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-syslog.sh — regenerate the real-traffic syslog captures in pcaps/syslog/
# (issue 17): rsyslogd as the receiver and util-linux `logger` as the sender,
# each scenario a fresh pair of network namespaces (tools/lab/lib.sh),
# captured on the client veth.
#
#   sudo tools/lab/gen-syslog.sh              # every scenario
#   sudo tools/lab/gen-syslog.sh udp3164 tls  # a subset, by name
#   sudo tools/lab/gen-syslog.sh --list
#
# rsyslogd runs by hand in the server namespace (`rsyslogd -n -f CONF -i
# PIDFILE`, its own work directory under a temporary directory; no system
# service is used or left running) and writes what it received to a file,
# which the script checks: every message sent must have arrived. For TLS
# (RFC 5425, port 6514) the sender is a second rsyslogd in the client
# namespace forwarding with omfwd over the ossl driver (logger speaks no
# TLS), fed by logger over the client's loopback (not captured); the CA and
# the server certificate (IP SAN) are made here with openssl.
# Each scenario sends the same three messages (the first with facility
# local4, severity notice; PRI 165).
# Needs root and the Debian packages rsyslog rsyslog-openssl bsdutils
# (logger) openssl tcpdump (tools/install-deps --lab).

LAB_NET=${LAB_NET:-24}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set -o pipefail

OUT=${OUT:-$ROOT/pcaps/syslog}
LAB_PREFIX=wl

WL_TMP=$(mktemp -d /tmp/wl-lab.XXXXXX)
chmod 755 "$WL_TMP"
wl_cleanup() {
	lab_down 2>/dev/null || true
	[ -n "${WL_KEEP:-}" ] && echo "kept $WL_TMP" >&2 || rm -rf "$WL_TMP"
}
trap wl_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'gen-syslog: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"
command -v rsyslogd >/dev/null || die "no rsyslogd: apt-get install rsyslog"
command -v logger >/dev/null || die "no logger: apt-get install bsdutils"
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8

# A CA and a server certificate for the server's address.
D=$WL_TMP
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=wireaudit lab syslog CA" \
	-keyout "$D/ca.key" -out "$D/ca.pem" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null || die "openssl: CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=syslog.lab.test" \
	-keyout "$D/srv.key" -out "$D/srv.csr" 2>/dev/null || die "openssl: server key"
printf 'subjectAltName=IP:%s,DNS:syslog.lab.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	"$LAB_S_IP" > "$D/srv.ext"
openssl x509 -req -in "$D/srv.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" -CAcreateserial -days 30 \
	-extfile "$D/srv.ext" -out "$D/srv.pem" 2>/dev/null || die "openssl: server certificate"

# wl_rsyslog SIDE NAME "config lines": start an rsyslogd in namespace SIDE
# (c or s) whose received messages go to $D/NAME.log, one line each.
wl_rsyslog() {
	local side=$1 name=$2 cfg=$3 i
	mkdir -p "$D/$name.work"
	: > "$D/$name.log"
	cat > "$D/$name.conf" <<EOF
global(workDirectory="$D/$name.work"
       defaultNetstreamDriverCAFile="$D/ca.pem"
       defaultNetstreamDriverCertFile="$D/srv.pem" defaultNetstreamDriverKeyFile="$D/srv.key")
template(name="fields" type="string" string="%pri%|%hostname%|%app-name%|%msg%\n")
$cfg
EOF
	rsyslogd -N1 -f "$D/$name.conf" >"$D/$name.check" 2>&1 || die "rsyslogd refuses $name.conf: $(cat "$D/$name.check")"
	"lab_$side" rsyslogd -n -f "$D/$name.conf" -i "$D/$name.pid" >"$D/$name.err" 2>&1 &
	sleep 0.5
	for i in $(seq 1 50); do
		"lab_$side" ss -lntuH | grep -q ":${4:-514} " && return 0
		sleep 0.1
	done
	die "rsyslogd $name does not listen"
}

# The three messages; logger reads them from stdin, one message a line.
MSGS=$'lab message one\nlab message two: user=alice\nlab message three'
# logger puts the host's name in HOSTNAME: a UTS namespace of its own names
# it sender.lab.test, the same on every machine.
wl_logger() { # logger options...
	printf '%s\n' "$MSGS" | lab_c unshare --uts sh -c 'hostname sender.lab.test && exec logger "$@"' logger \
		-p local4.notice -t wa-lab --id=4242 "$@"
}

# wl_expect NAME N: the receiver wrote N messages (5 s at most)
wl_expect() {
	local i
	for i in $(seq 1 50); do
		[ "$(wc -l < "$D/$1.log")" -ge "$2" ] && return 0
		sleep 0.1
	done
	die "$1: $(wc -l < "$D/$1.log") of $2 messages arrived ($(cat "$D/$1.err"))"
}

# wl_plain NAME PORT PROTO logger-options...: logger to an rsyslogd listening
# on PROTO (udp|tcp) PORT in the server namespace.
wl_plain() {
	local name=$1 port=$2 proto=$3 in
	shift 3
	log "$name"
	lab_up "${LAB_PREFIX}${name:7:6}"
	if [ "$proto" = udp ]; then
		in="module(load=\"imudp\")
input(type=\"imudp\" address=\"$LAB_S_IP\" port=\"$port\" ruleset=\"r\")"
	else
		in="module(load=\"imtcp\")
input(type=\"imtcp\" address=\"$LAB_S_IP\" port=\"$port\" ruleset=\"r\")"
	fi
	wl_rsyslog s srv "$in
ruleset(name=\"r\") { action(type=\"omfile\" file=\"$D/srv.log\" template=\"fields\") }" "$port"
	mkdir -p "$OUT"
	lab_capture_start "$OUT/$name.pcap" "$proto port $port"
	wl_logger -n "$LAB_S_IP" -P "$port" "$@" || die "$name: logger failed"
	wl_expect srv 3
	lab_capture_stop
	lab_down
}

scn_udp3164() { wl_plain syslog-udp-rfc3164 514 udp --udp --rfc3164; }
scn_udp5424() { wl_plain syslog-udp-rfc5424 514 udp --udp --rfc5424; }
# RFC 6587 §3.4.2: logger over TCP without --octet-count ends each message with LF
scn_tcpnl() { wl_plain syslog-tcp-nontransparent-rfc3164 514 tcp --tcp --rfc3164; }
# RFC 6587 §3.4.1 on port 601 (syslog-conn, RFC 3195's port, used for plain TCP)
scn_tcpoct() { wl_plain syslog-tcp-octet-rfc5424-601 601 tcp --tcp --rfc5424 --octet-count; }

# RFC 5425: a client rsyslogd forwards over TLS to the server's 6514.
scn_tls() {
	local name=syslog-tls-6514
	log "$name"
	lab_up "${LAB_PREFIX}tls"
	wl_rsyslog s srv "module(load=\"imtcp\" streamDriver.name=\"ossl\" streamDriver.mode=\"1\" streamDriver.authMode=\"anon\")
input(type=\"imtcp\" address=\"$LAB_S_IP\" port=\"6514\" ruleset=\"r\")
ruleset(name=\"r\") { action(type=\"omfile\" file=\"$D/srv.log\" template=\"fields\") }" 6514
	wl_rsyslog c cli "module(load=\"imudp\")
input(type=\"imudp\" address=\"127.0.0.1\" port=\"514\" ruleset=\"fwd\")
ruleset(name=\"fwd\") { action(type=\"omfwd\" target=\"$LAB_S_IP\" port=\"6514\" protocol=\"tcp\"
  StreamDriver=\"ossl\" StreamDriverMode=\"1\" StreamDriverAuthMode=\"x509/name\"
  StreamDriverPermittedPeers=\"syslog.lab.test\" template=\"RSYSLOG_SyslogProtocol23Format\") }" 514
	mkdir -p "$OUT"
	lab_capture_start "$OUT/$name.pcap" "tcp port 6514"
	wl_logger -n 127.0.0.1 -P 514 --udp --rfc5424 || die "$name: logger failed"
	wl_expect srv 3
	lab_capture_stop
	lab_down
}

SCENARIOS="udp3164 udp5424 tcpnl tcpoct tls"
if [ "${1:-}" = --list ]; then echo "$SCENARIOS"; exit 0; fi
for s in ${*:-$SCENARIOS}; do
	"scn_$s"
done
ls -l "$OUT"
