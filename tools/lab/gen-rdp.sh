#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-rdp.sh — regenerate the real-traffic RDP captures in pcaps/rdp/
# (issue 17): xrdp (which has no NLA) or FreeRDP's freerdp-shadow-cli (the
# NLA server) as the server and FreeRDP's xfreerdp as the client, each
# scenario a fresh pair of network namespaces (tools/lab/lib.sh), captured
# on the client veth and stopped a few seconds after the handshake.
#
#   sudo tools/lab/gen-rdp.sh              # every scenario
#   sudo tools/lab/gen-rdp.sh tls nlafail  # a subset, by name
#   sudo tools/lab/gen-rdp.sh --list
#
# xrdp is started by hand in the server namespace (--nodaemon) with its own
# xrdp.ini (security_layer and crypt_level per scenario) and a self-signed
# certificate made for the run under a temporary directory; no system
# service is used or left running. freerdp-shadow-cli shares an Xvfb display
# of the server namespace, with /sec:nla or /sec:tls and +auth against an
# NTLM SAM file written for the run (the lab user's NT hash). xfreerdp runs headless under xvfb-run in
# the client namespace. The user and password below are lab values made up
# for these captures: no such account exists, the login never succeeds, and
# the password only ever crosses encrypted (RC4 or TLS).
# Needs root and the Debian packages xrdp freerdp2-x11 freerdp2-shadow-x11
# xvfb xauth openssl
# (tools/install-deps --lab).

LAB_NET=${LAB_NET:-61}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set -o pipefail

OUT=${OUT:-$ROOT/pcaps/rdp}
LAB_PREFIX=wr
WR_USER=wa-lab-rdpuser
WR_PASS=wa-lab-rdp-pa55

WR_TMP=$(mktemp -d /tmp/wr-lab.XXXXXX)
chmod 755 "$WR_TMP"
WR_XVFB=
# wr_xvfb_stop: end our Xvfb with TERM so that it removes its lock file
# (/tmp/.X$LAB_NET-lock; a killed one leaves it and the next start fails)
wr_xvfb_stop() {
	[ -n "$WR_XVFB" ] || return 0
	kill -TERM "$WR_XVFB" 2>/dev/null || true
	wait "$WR_XVFB" 2>/dev/null || true
	WR_XVFB=
}
wr_cleanup() {
	wr_xvfb_stop
	lab_down 2>/dev/null || true
	[ -n "${WR_KEEP:-}" ] && echo "kept $WR_TMP" >&2 || rm -rf "$WR_TMP"
}
trap wr_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'gen-rdp: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"
[ -x /usr/sbin/xrdp ] || die "no /usr/sbin/xrdp: apt-get install xrdp"
command -v xfreerdp >/dev/null || die "no xfreerdp: apt-get install freerdp2-x11"
command -v xvfb-run >/dev/null || die "no xvfb-run: apt-get install xvfb xauth"
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8 HOME=$WR_TMP

# a self-signed lab certificate for the TLS scenarios (CN = the server address)
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$LAB_S_IP/O=wireaudit lab" \
	-keyout "$WR_TMP/key.pem" -out "$WR_TMP/cert.pem" >/dev/null 2>&1 || die "openssl req"

# wr_xrdp SECURITY_LAYER CRYPT_LEVEL: xrdp in the server namespace
wr_xrdp() {
	local i
	cat > "$WR_TMP/xrdp.ini" <<CONF
[Globals]
ini_version=1
fork=false
port=tcp://$LAB_S_IP:3389
security_layer=$1
crypt_level=$2
certificate=$WR_TMP/cert.pem
key_file=$WR_TMP/key.pem
ssl_protocols=TLSv1.2, TLSv1.3
allow_channels=true
max_bpp=32
[Logging]
LogFile=$WR_TMP/xrdp.log
LogLevel=DEBUG
EnableSyslog=false
[Xorg]
name=Xorg
lib=libxup.so
username=ask
password=ask
ip=127.0.0.1
port=-1
code=20
CONF
	lab_s /usr/sbin/xrdp --nodaemon --config "$WR_TMP/xrdp.ini" >>"$WR_TMP/xrdp.out" 2>&1 &
	for i in $(seq 1 50); do
		lab_s ss -ltnH "sport = :3389" | grep -q . && return 0
		sleep 0.1
	done
	die "xrdp does not listen on 3389 (log: $WR_TMP/xrdp.log)"
}

# wr_shadow SEC: freerdp-shadow-cli /sec:SEC on an Xvfb of the server
# namespace (display :$LAB_NET, no TCP listener, no X authority needed)
wr_shadow() {
	local i nt
	nt=$(printf '%s' "$WR_PASS" | iconv -t UTF-16LE |
		openssl dgst -md4 -provider legacy -provider default -r | cut -d' ' -f1)
	[ -n "$nt" ] || die "no MD4 in openssl (legacy provider)"
	echo "$WR_USER::00000000000000000000000000000000:$nt:::" > "$WR_TMP/sam"
	# not through lab_s: $! must be Xvfb itself (ip netns exec execs it)
	ip netns exec "$LAB_S" Xvfb ":$LAB_NET" -screen 0 800x600x24 -nolisten tcp >"$WR_TMP/xvfb.log" 2>&1 &
	WR_XVFB=$!
	sleep 1
	DISPLAY=":$LAB_NET" lab_s freerdp-shadow-cli /bind-address:"$LAB_S_IP" /port:3389 /sec:"$1" +auth \
		/sam-file:"$WR_TMP/sam" >>"$WR_TMP/shadow.log" 2>&1 &
	for i in $(seq 1 50); do
		lab_s ss -ltnH "sport = :3389" | grep -q . && return 0
		sleep 0.1
	done
	die "freerdp-shadow-cli does not listen on 3389 (log: $WR_TMP/shadow.log)"
}

# wr_client SEC: xfreerdp /sec:SEC against the lab server, at most 8 s
# (SEC "auto": no /sec option, FreeRDP's default negotiation)
wr_client() {
	local sec=/sec:$1
	[ "$1" = auto ] && sec=
	lab_c xvfb-run -a -s "-screen 0 800x600x24" timeout -k 2 -s INT 6 \
		xfreerdp /v:"$LAB_S_IP" /u:"$WR_USER" /p:"$WR_PASS" /cert:ignore $sec \
		/size:800x600 -clipboard -themes -wallpaper >>"$WR_TMP/client.log" 2>&1 || true
}

# name server security_layer crypt_level client_sec (shadow: /sec:LAYER)
SCENARIOS="
rdp-std-high xrdp rdp high rdp
rdp-std-low xrdp rdp low rdp
rdp-std-fips xrdp rdp fips rdp
rdp-tls xrdp tls high tls
rdp-negotiate-auto xrdp negotiate high auto
rdp-nla-server-rdp xrdp rdp high nla
rdp-nla-server-tls xrdp tls high nla
rdp-rdp-server-tls xrdp tls high rdp
rdp-nla-shadow shadow nla - nla
rdp-tls-shadow-nla shadow nla - tls
"

run() {
	local name=$1 server=$2 layer=$3 level=$4 sec=$5
	log "$name: $server security $layer crypt_level $level, xfreerdp /sec:$sec"
	lab_up "${LAB_PREFIX}$(echo "${name#rdp-}" | tr -d -- - | cut -c1-10)"
	if [ "$server" = shadow ]; then
		wr_shadow "$layer"
	else
		wr_xrdp "$layer" "$level"
	fi
	lab_capture_start "$OUT/$name.pcap" tcp port 3389
	wr_client "$sec"
	lab_capture_stop
	wr_xvfb_stop
	lab_down
	ls -l "$OUT/$name.pcap" >&2
}

if [ "${1:-}" = --list ]; then
	echo "$SCENARIOS" | awk 'NF { print $1 }'
	exit 0
fi
mkdir -p "$OUT"
# not a pipe: run() must change this shell's LAB_* for the EXIT trap
while read -r name server layer level sec; do
	[ -n "$name" ] || continue
	if [ $# -gt 0 ]; then
		want=0
		for a in "$@"; do [ "$a" = "$name" ] || [ "rdp-$a" = "$name" ] && want=1; done
		[ $want = 1 ] || continue
	fi
	run "$name" "$server" "$layer" "$level" "$sec"
done <<<"$SCENARIOS"
