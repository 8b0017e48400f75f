#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-connect.sh — regenerate the real-traffic HTTP CONNECT captures in
# pcaps/connect/ (issue 18): tinyproxy as the forward proxy and an
# `openssl s_server -www` HTTPS origin, both in the server namespace, curl
# with `-x http://PROXY:PORT` in the client namespace; each scenario a fresh
# pair of network namespaces (tools/lab/lib.sh), captured on the client veth
# (client <-> proxy only; the proxy -> origin leg runs over the server
# namespace's loopback and is not captured). The lab CA is written next to
# them as connect-ca.pem (a fresh one every run).
#
#   sudo tools/lab/gen-connect.sh              # every scenario
#   sudo tools/lab/gen-connect.sh basic13 r403 # a subset, by name
#   sudo tools/lab/gen-connect.sh --list
#
# tinyproxy runs by hand (`tinyproxy -d -c CONF`, its own configuration,
# log and pid file under a temporary directory; no system service is used
# or left running). Two instances: port 3128 with `BasicAuth wa-proxy-user
# PASSWORD` and port 8888 without authentication; both allow CONNECT to
# 8443, 8444 and 8080 only (ConnectPort), so a CONNECT to another port is
# refused with 403. The origin's name origin.lab.test resolves, for the
# proxy, through /etc/netns/NS/hosts (ip netns exec bind-mounts it over
# /etc/hosts in that namespace only; removed at the end). The CA and the
# origin's certificate are made here with openssl. The proxy password is
# the fixed lab value in CN_PASS below: tests/secrets.sh checks that no
# output of wireaudit ever holds it.
# Needs root and the Debian packages tinyproxy curl openssl python3 tcpdump
# (tools/install-deps --lab).

LAB_NET=${LAB_NET:-64}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set -o pipefail

OUT=${OUT:-$ROOT/pcaps/connect}
LAB_PREFIX=${LAB_PREFIX:-wx}
CN_USER=wa-proxy-user
CN_PASS=Tunnel-Lab-Pass-7731
ORIGIN=origin.lab.test

CN_TMP=$(mktemp -d /tmp/wx-lab.XXXXXX)
chmod 755 "$CN_TMP"
CN_NETNS_ETC=
[ -d /etc/netns ] && CN_NETNS_DIR_WAS=1 || CN_NETNS_DIR_WAS=
cn_cleanup() {
	lab_down 2>/dev/null || true
	[ -n "$CN_NETNS_ETC" ] && rm -rf "$CN_NETNS_ETC"
	[ -n "$CN_NETNS_DIR_WAS" ] || rmdir /etc/netns 2>/dev/null || true
	[ -n "${CN_KEEP:-}" ] && echo "kept $CN_TMP" >&2 || rm -rf "$CN_TMP"
}
trap cn_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'gen-connect: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"
command -v tinyproxy >/dev/null || die "no tinyproxy: apt-get install tinyproxy"
command -v curl >/dev/null || die "no curl: apt-get install curl"
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8

D=$CN_TMP
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=wireaudit lab connect CA" \
	-keyout "$D/ca.key" -out "$D/ca.pem" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null || die "openssl: CA"
# RSA, so that the TLS 1.0 origin can offer a plain-RSA suite
openssl req -newkey rsa:2048 -nodes -subj "/CN=$ORIGIN" \
	-keyout "$D/srv.key" -out "$D/srv.csr" 2>/dev/null || die "openssl: origin key"
printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$ORIGIN" > "$D/srv.ext"
openssl x509 -req -in "$D/srv.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" -CAcreateserial -days 30 \
	-extfile "$D/srv.ext" -out "$D/srv.pem" 2>/dev/null || die "openssl: origin certificate"
chmod 644 "$D"/*
# the CA goes with the captures: the tests judge the chains against it
mkdir -p "$OUT"
cp "$D/ca.pem" "$OUT/connect-ca.pem"

# cn_up NAME: namespaces, the origin name, both proxies and the origins.
cn_up() {
	local i
	lab_up "${LAB_PREFIX}$1"
	CN_NETNS_ETC=/etc/netns/$LAB_S
	mkdir -p "$CN_NETNS_ETC"
	printf '127.0.0.1 localhost\n127.0.0.1 %s\n' "$ORIGIN" > "$CN_NETNS_ETC/hosts"
	mkdir -p "$D/run"
	chmod 777 "$D/run"
	cn_proxy auth 3128 "BasicAuth $CN_USER $CN_PASS"
	cn_proxy open 8888 ""
	# TLS 1.2 and 1.3 origin (the OpenSSL defaults), and a TLS 1.0-only
	# origin with a plain-RSA CBC suite (SECLEVEL=0: OpenSSL 3 refuses
	# TLS 1.0 otherwise)
	lab_s openssl s_server -quiet -www -accept 127.0.0.1:8443 -cert "$D/srv.pem" -key "$D/srv.key" \
		>"$D/run/origin.log" 2>&1 </dev/null &
	lab_s openssl s_server -quiet -www -accept 127.0.0.1:8444 -cert "$D/srv.pem" -key "$D/srv.key" \
		-tls1 -cipher 'AES128-SHA@SECLEVEL=0' >"$D/run/origin10.log" 2>&1 </dev/null &
	# a plain HTTP origin (a tunnel that carries no TLS)
	mkdir -p "$D/www"
	echo "lab origin in clear" > "$D/www/index.html"
	lab_s python3 -m http.server --bind 127.0.0.1 --directory "$D/www" 8080 >"$D/run/www.log" 2>&1 </dev/null &
	for i in $(seq 1 50); do
		[ "$(lab_s ss -lntH | grep -cE ':(3128|8888|8443|8444|8080) ')" -ge 5 ] && return 0
		sleep 0.1
	done
	die "proxies or origins do not listen: $(lab_s ss -lntH)"
}

# cn_proxy NAME PORT EXTRA: a tinyproxy on LAB_S_IP:PORT.
cn_proxy() {
	cat > "$D/run/$1.conf" <<EOF
User nobody
Group nogroup
Port $2
Listen $LAB_S_IP
Timeout 30
LogFile "$D/run/$1.log"
LogLevel Info
PidFile "$D/run/$1.pid"
MaxClients 10
Allow $LAB_C_IP
ConnectPort 8443
ConnectPort 8444
ConnectPort 8080
DisableViaHeader Yes
$3
EOF
	lab_s tinyproxy -d -c "$D/run/$1.conf" >"$D/run/$1.err" 2>&1 </dev/null &
}

cn_down() {
	lab_down
	rm -rf "$CN_NETNS_ETC" "$D/run"
	CN_NETNS_ETC=
}

# cn_curl NAME PORT EXPECT curl-options... URL: one capture of one curl
# run through the proxy on PORT; EXPECT is the HTTP code curl must report
# for the CONNECT (curl's %{http_connect}: the proxy's answer).
cn_curl() {
	local name=$1 port=$2 expect=$3 code
	shift 3
	log "$name"
	cn_up "${name:8:5}"
	mkdir -p "$OUT"
	lab_capture_start "$OUT/$name.pcap" "tcp port $port"
	code=$(lab_c curl -sS -o /dev/null -w '%{http_connect}' --max-time 10 --cacert "$D/ca.pem" \
		-x "http://$LAB_S_IP:$port" "$@" 2>"$D/curl.err") || true
	lab_capture_stop
	[ "$code" = "$expect" ] || die "$name: curl said '$code', expected $expect ($(cat "$D/curl.err"))"
	cn_down
}

U=https://$ORIGIN:8443/
# Basic proxy credentials (curl sends them with the first CONNECT), TLS 1.3
scn_basic13() { cn_curl connect-basic-tls13 3128 200 --proxy-user "$CN_USER:$CN_PASS" "$U"; }
# the same, TLS 1.2 at most
scn_basic12() { cn_curl connect-basic-tls12 3128 200 --proxy-user "$CN_USER:$CN_PASS" --tls-max 1.2 "$U"; }
# --proxy-anyauth: a first CONNECT without credentials, 407, then the Basic
# retry on the same connection (tinyproxy keeps it open)
scn_anyauth() { cn_curl connect-anyauth-407-basic 3128 200 --proxy-anyauth --proxy-user "$CN_USER:$CN_PASS" "$U"; }
# no credentials at all: 407 and curl gives up
scn_r407() { cn_curl connect-noauth-407 3128 407 "$U"; }
# a proxy without authentication, TLS 1.3: nothing in clear but the CONNECT
scn_open13() { cn_curl connect-open-tls13 8888 200 "$U"; }
# CONNECT to a port tinyproxy does not allow (ConnectPort): 403
scn_r403() { cn_curl connect-refused-403 8888 403 "https://$ORIGIN:9443/"; }
# a TLS 1.0-only origin with TLS_RSA_WITH_AES_128_CBC_SHA behind the open proxy
scn_weak10() { cn_curl connect-open-tls10-weak 8888 200 --tlsv1.0 --tls-max 1.0 \
	--ciphers 'AES128-SHA@SECLEVEL=0' "https://$ORIGIN:8444/"; }
# -p (--proxytunnel) to a plain HTTP origin: the tunnel carries HTTP, not TLS
scn_plain() { cn_curl connect-open-not-tls 8888 200 -p "http://$ORIGIN:8080/"; }

SCENARIOS="basic13 basic12 anyauth r407 open13 r403 weak10 plain"
if [ "${1:-}" = --list ]; then echo "$SCENARIOS"; exit 0; fi
for s in ${*:-$SCENARIOS}; do
	"scn_$s"
done
ls -l "$OUT"
