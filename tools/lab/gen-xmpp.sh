#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-xmpp.sh — regenerate the real-traffic XMPP captures in pcaps/xmpp/
# (issue 18): prosody as the server, the scripted client
# tools/lab/xmpp-client.py (python3 socket + ssl) as the client; each
# scenario a fresh pair of network namespaces (tools/lab/lib.sh), captured
# on the client veth.
#
#   sudo tools/lab/gen-xmpp.sh              # every scenario
#   sudo tools/lab/gen-xmpp.sh xmpp-scram   # a subset, by name
#   sudo tools/lab/gen-xmpp.sh --list
#
# prosody runs in the foreground in the server namespace with its own
# configuration file, data directory (user alice registered with
# prosodyctl) and a self-signed certificate made here by openssl; no system
# service is used and nothing is left running. Alice's password is a lab
# value made up for these captures; tests/secrets.sh checks that it never
# reaches the database or the export. Needs root and the Debian packages
# prosody, python3, openssl (tools/install-deps --lab).

LAB_NET=${LAB_NET:-31}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set -o pipefail

OUT=${OUT:-$ROOT/pcaps/xmpp}
LAB_PREFIX=wx
WX_DOMAIN=lab.example
WX_USER=alice
WX_PASS=wa-lab-xmpp-pw-3117

WX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/wx-lab.XXXXXX")
chmod 755 "$WX_TMP"
wx_cleanup() {
	lab_down 2>/dev/null || true
	[ -n "${WX_KEEP:-}" ] && echo "kept $WX_TMP" >&2 || rm -rf "$WX_TMP"
}
trap wx_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'gen-xmpp: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"
command -v prosody >/dev/null || die "no prosody: apt-get install prosody"
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
	-subj "/CN=$WX_DOMAIN" -addext "subjectAltName=DNS:$WX_DOMAIN" \
	-keyout "$WX_TMP/key.pem" -out "$WX_TMP/cert.pem" 2>/dev/null || die "openssl req failed"

# wx_config NAME TLS REQUIRE PLAIN_IN_CLEAR: a prosody configuration
#   TLS yes|no|none: a certificate for c2s/s2s; no: no certificate, mod_tls
#   loaded (it offers STARTTLS, then fails the handshake); none: mod_tls off
#   REQUIRE true|false: c2s_require_encryption
#   PLAIN_IN_CLEAR true|false: allow_unencrypted_plain_auth
wx_config() {
	local d=$WX_TMP/$1 ssl="" tls='"tls"; '

	mkdir -p "$d/data" "$d/certs"
	# no: mod_tls off too (loaded without a certificate it still offers STARTTLS)
	[ "$2" = none ] && tls=""
	[ "$2" = yes ] && ssl="ssl = { key = \"$WX_TMP/key.pem\"; certificate = \"$WX_TMP/cert.pem\"; }"
	cat > "$d/prosody.cfg.lua" <<EOF
run_as_root = true
certificates = "$d/certs"
pidfile = "$d/prosody.pid"
data_path = "$d/data"
log = { { levels = { min = "debug" }, to = "file", filename = "$d/prosody.log" } }
interfaces = { "$LAB_S_IP" }
c2s_ports = { 5222 }
c2s_direct_tls_ports = { 5223 }
s2s_ports = { 5269 }
modules_enabled = { "roster"; "saslauth"; $tls"disco"; "ping"; "dialback" }
authentication = "internal_hashed"
c2s_require_encryption = $3
s2s_require_encryption = true
allow_unencrypted_plain_auth = $4
$ssl
VirtualHost "$WX_DOMAIN"
EOF
	prosodyctl --config "$d/prosody.cfg.lua" register "$WX_USER" "$WX_DOMAIN" "$WX_PASS" \
		>"$d/register.log" 2>&1 || die "prosodyctl register failed ($d/register.log)"
	WX_CONF=$d
}

wx_prosody() {
	local i
	lab_s prosody -F --config "$WX_CONF/prosody.cfg.lua" >"$WX_CONF/stdout.log" 2>&1 &
	for i in $(seq 1 50); do
		lab_s ss -ltnH "sport = :5222" | grep -q . && return 0
		sleep 0.1
	done
	die "prosody does not listen (log: $WX_CONF/prosody.log)"
}

# wx_run NAME PORT "TLS REQUIRE PLAIN" MODE...: one capture; each MODE one
# connection of the client to PORT.
wx_run() {
	local name=$1 port=$2 conf=$3 mode
	shift 3
	log "$name"
	# shellcheck disable=SC2086
	wx_config "$name" $conf
	lab_up "${LAB_PREFIX}${name:5:6}"
	wx_prosody
	mkdir -p "$OUT"
	lab_capture_start "$OUT/$name.pcap" "tcp port $port"
	for mode in "$@"; do
		lab_c python3 "$HERE/xmpp-client.py" "$LAB_S_IP" "$port" "$mode" "$WX_DOMAIN" \
			"$WX_USER" "$WX_PASS" >>"$WX_CONF/client.log" 2>&1 ||
			die "$name: $mode failed (logs: $WX_CONF/client.log $WX_CONF/prosody.log)"
	done
	lab_capture_stop
	lab_down
}

SCENARIOS="xmpp-starttls-plain xmpp-plain-in-clear xmpp-plain-no-tls xmpp-required
xmpp-scram-in-clear xmpp-starttls-no-cert xmpp-starttls-no-tls xmpp-direct-tls xmpp-s2s-starttls"

run_one() {
	case $1 in
	# (a) STARTTLS offered and used, PLAIN inside TLS
	xmpp-starttls-plain) wx_run "$1" 5222 "yes false false" starttls-plain ;;
	# (b) STARTTLS offered, the client ignores it: PLAIN in clear
	xmpp-plain-in-clear) wx_run "$1" 5222 "yes false true" plain ;;
	# no certificate: no STARTTLS offered at all, PLAIN in clear
	xmpp-plain-no-tls) wx_run "$1" 5222 "none false true" plain ;;
	# (c) STARTTLS required: a client that upgrades, then one that tries PLAIN in clear
	xmpp-required) wx_run "$1" 5222 "yes true true" starttls-plain plain ;;
	# (d) STARTTLS offered and ignored, SCRAM-SHA-1 in clear
	xmpp-scram-in-clear) wx_run "$1" 5222 "yes false false" scram ;;
	# no certificate, the client asks for STARTTLS anyway: prosody 0.12 answers
	# <proceed/>, then fails the TLS handshake
	xmpp-starttls-no-cert) wx_run "$1" 5222 "no false false" starttls-only ;;
	# mod_tls off, the client asks for STARTTLS anyway
	xmpp-starttls-no-tls) wx_run "$1" 5222 "none false false" starttls-only ;;
	# (e) XEP-0368 direct TLS on 5223
	xmpp-direct-tls) wx_run "$1" 5223 "yes false false" direct-tls ;;
	# server-to-server: a jabber:server stream to 5269, STARTTLS
	xmpp-s2s-starttls) wx_run "$1" 5269 "yes false false" s2s-starttls ;;
	*) die "unknown scenario $1 (--list)" ;;
	esac
}

if [ "${1:-}" = --list ]; then
	echo $SCENARIOS | tr ' ' '\n'
	exit 0
fi
for s in ${@:-$SCENARIOS}; do
	run_one "$s"
done
