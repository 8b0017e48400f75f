#!/bin/bash
# gen-plain.sh — regenerate the real-traffic captures of plaintext and
# STARTTLS protocols in pcaps/plain/ (and the README sample in pcaps/sample/).
#
#   sudo tools/lab/gen-plain.sh                 # every scenario
#   sudo tools/lab/gen-plain.sh pgsql redis     # a subset, by name
#   sudo tools/lab/gen-plain.sh --list          # scenario names
#
# Each scenario starts a real server from its Debian package by hand, inside
# the server network namespace made by tools/lab/lib.sh, with its config and
# data under a temporary directory (no system service is used or left
# running), runs real clients from the client namespace, and captures the
# veth with tcpdump. Certificates are made fresh by the script (a throw-away
# lab CA and one server certificate). All passwords are fake, unique per
# capture, and listed in pcaps/plain/README.md so tests can prove that none
# of them is ever stored by wireaudit.
#
# Needs root and the Debian packages listed in pcaps/plain/README.md.

LAB_NET=${LAB_NET:-21}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set -o pipefail

OUT=${OUT:-$ROOT/pcaps/plain}
SAMPLE_OUT=${SAMPLE_OUT:-$ROOT/pcaps/sample}
SUPPORT=$HERE/plain
LAB_PREFIX=wp

WP_TMP=$(mktemp -d /tmp/wp-lab.XXXXXX)
chmod 755 "$WP_TMP"
wp_cleanup() {
	lab_down 2>/dev/null || true
	rm -rf "$WP_TMP"
}
trap wp_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'gen-plain: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"

# Fixed TZ/locale so server banners and dates are formatted the same way.
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8

# ---------------------------------------------------------------- helpers

# wp_up NAME: fresh pair of namespaces for one scenario. Every scenario gets
# its own namespaces so no daemon survives into the next one.
wp_up() {
	lab_up "${LAB_PREFIX}$1"
}

# wp_wait_listen PORT [SECONDS]: wait until a TCP socket listens on PORT in
# the server namespace.
wp_wait_listen() {
	local port=$1 secs=${2:-30} i
	for i in $(seq 1 $((secs * 10))); do
		if lab_s ss -ltnH "sport = :$port" | grep -q .; then
			return 0
		fi
		sleep 0.1
	done
	die "nothing listens on port $port in $LAB_S after ${secs}s"
}

# wp_cap_start FILE: tcpdump into FILE (pcap, full snaplen) on the client veth.
# lib.sh waits up to 5 s for the file to be non-empty, which tcpdump may not
# do before the first packet (the pcap header sits in stdio's buffer); a
# short wait for the process to open the interface is enough, so poke it.
wp_cap_start() {
	mkdir -p "$(dirname "$1")"
	rm -f "$1"
	lab_capture_start "$1" tcp
}

# wp_cap_stop: stop tcpdump and check the capture.
wp_cap_stop() {
	lab_capture_stop
	local f=$LAB_PCAP max n
	[ -s "$f" ] || die "$f is empty"
	n=$(tshark -r "$f" -T fields -e frame.number 2>/dev/null | wc -l)
	max=$(tshark -r "$f" -T fields -e frame.len 2>/dev/null | sort -n | tail -1)
	[ "$n" -gt 0 ] || die "$f has no packets"
	[ "$max" -le 1514 ] || die "$f has a $max-byte frame (offloads not off?)"
	log "$(basename "$f"): $n packets, largest frame $max, $(stat -c %s "$f") bytes"
}

# wp_certs: a lab CA and one server certificate for the server address, in
# $WP_TMP/pki (ca.crt, server.crt, server.key, combined server.pem).
wp_certs() {
	local d=$WP_TMP/pki
	[ -f "$d/server.crt" ] && return 0
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -sha256 \
		-subj "/O=wireaudit lab/CN=wireaudit lab CA" \
		-keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -sha256 \
		-subj "/O=wireaudit lab/CN=server.lab.test" \
		-keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=DNS:server.lab.test,IP:%s,IP:%s\nextendedKeyUsage=serverAuth\n' \
		"$LAB_S_IP" "$LAB_S_IP6" >"$d/ext.cnf"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -days 30 -sha256 -extfile "$d/ext.cnf" \
		-out "$d/server.crt" 2>/dev/null
	cat "$d/server.crt" "$d/server.key" >"$d/server.pem"
	chmod 644 "$d"/*
	chmod 755 "$d"
}

# ---------------------------------------------------------------- nginx

# wp_nginx_start DIR: nginx with the config DIR/nginx.conf, in the server
# namespace, prefix DIR.
wp_nginx_start() {
	local d=$1
	mkdir -p "$d/tmp"
	chmod -R a+rX "$d"
	chown www-data "$d/tmp"
	lab_s nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log"
}

# common http{} preamble for the lab's nginx configs
wp_nginx_head() {
	local d=$1
	cat <<EOF
user www-data;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 64; }
http {
    access_log $d/access.log;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    default_type text/plain;
    server_tokens on;
EOF
}

wp_www() {
	local d=$1
	mkdir -p "$d/www/private"
	cat >"$d/www/index.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>wireaudit lab</title></head>
<body><h1>wireaudit lab</h1><p>A small page served over plain HTTP.</p></body></html>
EOF
	echo "members only" >"$d/www/private/index.html"
}

# ---------------------------------------------------------------- scenarios

# sample: the README's sample capture, pcaps/sample/http-mixed.pcap.
scn_sample() {
	local d=$WP_TMP/sample
	wp_up sample
	mkdir -p "$d"
	wp_www "$d"
	printf 'alice:%s\n' "$(openssl passwd -apr1 's3cret-http')" >"$d/htpasswd"
	{
		wp_nginx_head "$d"
		cat <<EOF
    server {
        listen $LAB_S_IP:80;
        listen [$LAB_S_IP6]:80;
        server_name www.lab.test;
        root $d/www;
        location / { index index.html; }
        location /private/ {
            auth_basic "lab";
            auth_basic_user_file $d/htpasswd;
        }
        location /account/ { return 301 https://\$host\$request_uri; }
        location = /submit { return 200 "received\n"; }
    }
    server {
        listen $LAB_S_IP:8080;
        listen [$LAB_S_IP6]:8080;
        server_name alt.lab.test;
        location / { return 200 "alternate listener\n"; }
    }
}
EOF
	} >"$d/nginx.conf"
	wp_nginx_start "$d"
	wp_wait_listen 80
	wp_wait_listen 8080
	local have_redis=0
	if command -v redis-server >/dev/null 2>&1; then
		have_redis=1
		mkdir -p "$d/redis"
		lab_s redis-server --bind "$LAB_S_IP" --port 6379 --dir "$d/redis" \
			--save '' --appendonly no --daemonize yes \
			--logfile "$d/redis/redis.log" --protected-mode no >/dev/null
		wp_wait_listen 6379
	fi

	wp_cap_start "$SAMPLE_OUT/http-mixed.pcap"
	local c="curl -sS -o /dev/null --max-time 5 -A curl/wireaudit-lab"
	lab_c $c -H 'Host: www.lab.test' "http://$LAB_S_IP/"
	lab_c $c -u 'alice:s3cret-http' "http://www.lab.test/private/" \
		--resolve "www.lab.test:80:$LAB_S_IP"
	lab_c $c "http://www.lab.test/account/login" --resolve "www.lab.test:80:$LAB_S_IP"
	lab_c $c -d 'name=bob&comment=hello' "http://www.lab.test/submit" \
		--resolve "www.lab.test:80:$LAB_S_IP"
	lab_c $c -g "http://[$LAB_S_IP6]/" -H 'Host: www.lab.test'
	lab_c $c -g "http://[$LAB_S_IP6]:8080/status" -H 'Host: alt.lab.test'
	lab_c $c "http://$LAB_S_IP:8080/" -H 'Host: alt.lab.test'
	if [ $have_redis = 1 ]; then
		lab_c redis-cli -h "$LAB_S_IP" -p 6379 PING >/dev/null
	fi
	wp_cap_stop
	lab_down
}

# ---------------------------------------------------------------- main

ALL_SCENARIOS="sample http pgsql mariadb redis ldap smtp imap pop3 ftp telnet amqp"

if [ "${1:-}" = --list ]; then
	echo $ALL_SCENARIOS
	exit 0
fi
want=${*:-$ALL_SCENARIOS}
for s in $want; do
	type "scn_$s" >/dev/null 2>&1 || die "unknown scenario '$s' (try --list)"
done
for s in $want; do
	log "scenario $s"
	"scn_$s"
done
log "done"
