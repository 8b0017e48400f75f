#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
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
SUPPORT=$HERE/plain-support
LAB_PREFIX=wp

WP_TMP=$(mktemp -d /tmp/wp-lab.XXXXXX)
chmod 755 "$WP_TMP"
wp_cleanup() {
	lab_down 2>/dev/null || true
	rm -f /etc/pam.d/wp-lab-mariadb /etc/pam.d/wp-lab-ftp
	[ -n "${WP_KEEP:-}" ] && echo "kept $WP_TMP" >&2 || rm -rf "$WP_TMP"
}
trap wp_cleanup EXIT
trap 'exit 130' INT TERM
set -E
trap 'echo "gen-plain: command failed (status $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

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

# wp_cap_start FILE: tcpdump into FILE (pcap, full snaplen, TCP only so no
# stray neighbour discovery varies between runs) on the client veth.
wp_cap_start() {
	mkdir -p "$(dirname "$1")"
	rm -f "$1"
	lab_capture_start "$1" tcp
}

# wp_cap_stop: stop tcpdump and check the capture. lib.sh waits 0.5 s, but
# tcpdump's capture ring hands packets over in blocks retired after its 1 s
# buffer timeout, and SIGINT drops a block not yet retired: the last second of
# traffic went missing. Waiting past the timeout first keeps it.
wp_cap_stop() {
	sleep 1.2
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
	printf 'subjectAltName=DNS:server.lab.test,DNS:*.lab.test,IP:%s,IP:%s\nextendedKeyUsage=serverAuth\n' \
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

# http: cleartext variants for pcaps/plain/.
scn_http() {
	local d=$WP_TMP/http
	wp_up http
	wp_certs
	rm -rf "$d"
	mkdir -p "$d"
	wp_www "$d"
	printf 'bob:%s\n' "$(openssl passwd -apr1 'pw-http-basic-8101')" >"$d/htpasswd"
	{
		wp_nginx_head "$d"
		cat <<EOF
    # app.lab.test: content over plain HTTP (Basic, Bearer, form login)
    server {
        listen $LAB_S_IP:80;
        server_name app.lab.test;
        root $d/www;
        location / { index index.html; }
        location /private/ {
            auth_basic "lab";
            auth_basic_user_file $d/htpasswd;
        }
        location /api/ {
            if (\$http_authorization != "Bearer tok-http-bearer-8202") { return 401; }
            return 200 '{"status":"ok"}\n';
        }
        location = /login { return 302 /; }
    }
    # www.lab.test on 80: a listener that only redirects to https
    server {
        listen $LAB_S_IP:80;
        server_name www.lab.test;
        return 301 https://www.lab.test\$request_uri;
    }
    # legacy.lab.test on 8080: sends an HSTS header over plain HTTP
    server {
        listen $LAB_S_IP:8080;
        server_name legacy.lab.test;
        add_header Strict-Transport-Security "max-age=31536000" always;
        location / { return 200 "legacy\n"; }
    }
    server {
        listen $LAB_S_IP:443 ssl;
        server_name www.lab.test;
        ssl_certificate $WP_TMP/pki/server.crt;
        ssl_certificate_key $WP_TMP/pki/server.key;
        add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
        root $d/www;
        location / { index index.html; }
    }
}
EOF
	} >"$d/nginx.conf"
	wp_nginx_start "$d"
	wp_wait_listen 80
	wp_wait_listen 443
	wp_wait_listen 8080
	local c="curl -sS -o /dev/null --max-time 5 -A curl/wireaudit-lab --cacert $WP_TMP/pki/ca.crt"
	local r="--resolve app.lab.test:80:$LAB_S_IP --resolve www.lab.test:80:$LAB_S_IP --resolve www.lab.test:443:$LAB_S_IP --resolve legacy.lab.test:8080:$LAB_S_IP"

	wp_cap_start "$OUT/http-basic-cleartext.pcap"
	lab_c $c $r -u bob:pw-http-basic-8101 http://app.lab.test/private/
	wp_cap_stop

	wp_cap_start "$OUT/http-bearer-cleartext.pcap"
	lab_c $c $r -H 'Authorization: Bearer tok-http-bearer-8202' http://app.lab.test/api/orders
	wp_cap_stop

	wp_cap_start "$OUT/http-form-login-cleartext.pcap"
	lab_c $c $r -d 'username=carol&password=pw-http-form-8303' http://app.lab.test/login
	wp_cap_stop

	wp_cap_start "$OUT/http-plain-content.pcap"
	lab_c $c $r -o /dev/null http://app.lab.test/ http://app.lab.test/index.html
	wp_cap_stop

	# redirect-only listener, then the client follows to https (HSTS there)
	wp_cap_start "$OUT/http-redirect-to-https.pcap"
	lab_c $c $r -L http://www.lab.test/account
	wp_cap_stop

	wp_cap_start "$OUT/http-hsts-over-plain.pcap"
	lab_c $c $r http://legacy.lab.test:8080/
	wp_cap_stop
	lab_down
}

# ---------------------------------------------------------------- PostgreSQL

PG_BIN=/usr/lib/postgresql/15/bin

# wp_pg_ctl ARGS...: pg_ctl as user postgres in the server namespace
wp_pg_ctl() {
	lab_s runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WP_TMP/pg/data" \
		-l "$WP_TMP/pg/server.log" -w -t 30 "$@" >/dev/null
}

# wp_pg_psql CONNINFO PASSWORD: one psql session from the client.
wp_pg_psql() {
	local conn=$1 pw=$2
	lab_c env PGPASSWORD="$pw" PGCONNECT_TIMEOUT=5 psql -X -q "$conn" \
		-c "select current_user, inet_server_addr(), ssl from pg_stat_ssl where pid = pg_backend_pid()" \
		>/dev/null
}

scn_pgsql() {
	local d=$WP_TMP/pg ip=$LAB_S_IP
	wp_up pgsql
	wp_certs
	rm -rf "$d"
	mkdir -p "$d/sock"
	cp "$WP_TMP/pki/server.crt" "$WP_TMP/pki/server.key" "$d/"
	chmod 600 "$d/server.key"
	chown -R postgres:postgres "$d"
	runuser -u postgres -- "$PG_BIN/initdb" -D "$d/data" -U postgres \
		--auth-local=trust --auth-host=reject -E UTF8 --locale=C.UTF-8 >/dev/null
	cat >"$d/data/pg_hba.conf" <<'EOF'
# TYPE  DATABASE USER          ADDRESS  METHOD
local   all      all                    trust
hostssl all      app_tls       all      scram-sha-256
host    all      app_scram     all      scram-sha-256
host    all      app_md5       all      md5
host    all      app_clear     all      password
host    all      app_fallback  all      password
host    all      app_trust     all      trust
EOF
	cat >>"$d/data/postgresql.conf" <<EOF
listen_addresses = '$LAB_S_IP,$LAB_S_IP6'
port = 5432
unix_socket_directories = '$d/sock'
ssl_cert_file = '$d/server.crt'
ssl_key_file = '$d/server.key'
log_connections = on
EOF
	wp_pg_ctl -o "-c ssl=on" start
	wp_wait_listen 5432
	lab_s runuser -u postgres -- psql -X -q -h "$d/sock" -U postgres -d postgres >/dev/null <<'EOF'
SET password_encryption = 'scram-sha-256';
CREATE ROLE app_scram LOGIN PASSWORD 'pw-pg-scram-7731';
CREATE ROLE app_tls LOGIN PASSWORD 'pw-pg-tls-6120';
CREATE ROLE app_clear LOGIN PASSWORD 'pw-pg-cleartext-4402';
CREATE ROLE app_fallback LOGIN PASSWORD 'pw-pg-fallback-9034';
CREATE ROLE app_trust LOGIN;
SET password_encryption = 'md5';
CREATE ROLE app_md5 LOGIN PASSWORD 'pw-pg-md5-5813';
CREATE DATABASE appdb;
EOF
	local base="host=$ip port=5432 dbname=appdb gssencmode=disable"

	wp_cap_start "$OUT/pgsql-scram-cleartext.pcap"
	wp_pg_psql "$base user=app_scram sslmode=disable application_name=lab-scram" pw-pg-scram-7731
	wp_cap_stop

	wp_cap_start "$OUT/pgsql-password-cleartext.pcap"
	wp_pg_psql "$base user=app_clear sslmode=disable application_name=lab-password" pw-pg-cleartext-4402
	wp_cap_stop

	wp_cap_start "$OUT/pgsql-md5-cleartext.pcap"
	wp_pg_psql "$base user=app_md5 sslmode=disable application_name=lab-md5" pw-pg-md5-5813
	wp_cap_stop

	wp_cap_start "$OUT/pgsql-trust-cleartext.pcap"
	wp_pg_psql "$base user=app_trust sslmode=disable application_name=lab-trust" ''
	wp_cap_stop

	wp_cap_start "$OUT/pgsql-sslrequest-tls.pcap"
	wp_pg_psql "$base user=app_tls sslmode=require application_name=lab-tls" pw-pg-tls-6120
	wp_cap_stop

	# IPv6, TLS preferred and granted
	wp_cap_start "$OUT/pgsql-prefer-tls-ipv6.pcap"
	wp_pg_psql "host=$LAB_S_IP6 port=5432 dbname=appdb gssencmode=disable user=app_tls sslmode=prefer application_name=lab-prefer6" pw-pg-tls-6120
	wp_cap_stop

	# Same server with ssl=off: libpq's sslmode=prefer asks, gets 'N', and
	# carries on in clear (then sends the password in clear).
	wp_pg_ctl stop -m fast
	wp_pg_ctl -o "-c ssl=off" start
	wp_wait_listen 5432
	wp_cap_start "$OUT/pgsql-prefer-refused.pcap"
	wp_pg_psql "$base user=app_fallback sslmode=prefer application_name=lab-fallback" pw-pg-fallback-9034
	wp_cap_stop
	wp_pg_ctl stop -m fast
	lab_down
}

# ---------------------------------------------------------------- PostgreSQL + GSSAPI

# A Kerberos realm of its own (LAB.TEST): krb5kdc in the server namespace,
# configuration, database and keytab under $WP_TMP/krb (KRB5_CONFIG and
# KRB5_KDC_PROFILE point there; the system /etc/krb5.conf is not used).
# Packages: krb5-kdc krb5-admin-server (kadmin.local) krb5-user (kinit).
# libpq sends a GSSENCRequest only when the client holds Kerberos
# credentials, so the client runs kinit first. PostgreSQL built with GSSAPI
# (Debian's is) answers 'G' to every GSSENCRequest over TCP
# (postmaster.c ProcessStartupPacket); the GSSAPI-wrapped stream follows.
WP_KRB_REALM=LAB.TEST

wp_krb_env() {
	echo "KRB5_CONFIG=$WP_TMP/krb/krb5.conf KRB5_KDC_PROFILE=$WP_TMP/krb/kdc.conf KRB5CCNAME=FILE:$WP_TMP/krb/cc"
}

wp_krb_start() {
	local k=$WP_TMP/krb
	[ -n "$WP_TMP" ] || die "no WP_TMP"
	rm -rf "$k"
	mkdir -p "$k"
	cat >"$k/krb5.conf" <<EOF
[libdefaults]
	default_realm = $WP_KRB_REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
[realms]
	$WP_KRB_REALM = {
		kdc = $LAB_S_IP
	}
EOF
	cat >"$k/kdc.conf" <<EOF
[kdcdefaults]
	kdc_listen = $LAB_S_IP
	kdc_tcp_listen = $LAB_S_IP
[realms]
	$WP_KRB_REALM = {
		database_name = $k/principal
		key_stash_file = $k/stash
		acl_file = $k/kadm5.acl
		supported_enctypes = aes256-cts-hmac-sha1-96:normal
	}
[logging]
	kdc = FILE:$k/kdc.log
EOF
	: >"$k/kadm5.acl"
	env $(wp_krb_env) kdb5_util create -s -r "$WP_KRB_REALM" -P lab-master-unused >/dev/null
	env $(wp_krb_env) kadmin.local -r "$WP_KRB_REALM" -q "addprinc -pw pw-krb-gss-7701 app_gss" >/dev/null
	env $(wp_krb_env) kadmin.local -r "$WP_KRB_REALM" -q "addprinc -randkey postgres/$LAB_S_IP" >/dev/null
	env $(wp_krb_env) kadmin.local -r "$WP_KRB_REALM" -q "ktadd -k $k/pg.keytab postgres/$LAB_S_IP" >/dev/null
	chown postgres:postgres "$k/pg.keytab"
	chmod 755 "$k"
	lab_s env $(wp_krb_env) krb5kdc -P "$k/kdc.pid"
	wp_wait_listen 88
	echo pw-krb-gss-7701 | lab_c env $(wp_krb_env) kinit app_gss >/dev/null
}

scn_pggss() {
	local d=$WP_TMP/pg
	wp_up pggss
	wp_krb_start
	rm -rf "$d"
	mkdir -p "$d/sock"
	chown -R postgres:postgres "$d"
	runuser -u postgres -- "$PG_BIN/initdb" -D "$d/data" -U postgres \
		--auth-local=trust --auth-host=reject -E UTF8 --locale=C.UTF-8 >/dev/null
	cat >"$d/data/pg_hba.conf" <<'EOF'
# TYPE     DATABASE USER     ADDRESS  METHOD
local      all      all               trust
hostgssenc all      app_gss  all      gss include_realm=0
EOF
	cat >>"$d/data/postgresql.conf" <<EOF
listen_addresses = '$LAB_S_IP'
port = 5432
unix_socket_directories = '$d/sock'
krb_server_keyfile = '$WP_TMP/krb/pg.keytab'
log_connections = on
EOF
	lab_s env $(wp_krb_env) runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d/data" \
		-l "$d/server.log" -w -t 30 -o "-c ssl=off" start >/dev/null
	wp_wait_listen 5432
	lab_s runuser -u postgres -- psql -X -q -h "$d/sock" -U postgres -d postgres >/dev/null <<'EOF'
CREATE ROLE app_gss LOGIN;
CREATE DATABASE appdb;
EOF
	# gssencmode=require: GSSENCRequest, 'G', then GSSAPI-wrapped packets
	# (the Kerberos AP-REQ in the first token; the StartupMessage inside).
	wp_cap_start "$OUT/pgsql-gssenc.pcap"
	lab_c env $(wp_krb_env) PGCONNECT_TIMEOUT=5 psql -X -q \
		"host=$LAB_S_IP port=5432 dbname=appdb user=app_gss gssencmode=require sslmode=disable application_name=lab-gss" \
		-c "select current_user, encrypted from pg_stat_gssapi where pid = pg_backend_pid()" >/dev/null
	wp_cap_stop

	# The same client (credentials in its cache, gssencmode=prefer: libpq's
	# default) against PgBouncer, which has no GSSAPI encryption: it answers
	# 'N' to the GSSENCRequest and the session goes on in clear. PgBouncer
	# listens on 6432 and passes to the server's socket (trust both ways).
	mkdir -p "$d/pgb"
	printf '"app_gss" ""\n' >"$d/pgb/users.txt"
	cat >"$d/pgb/pgbouncer.ini" <<EOF
[databases]
appdb = host=$d/sock port=5432 dbname=appdb
[pgbouncer]
listen_addr = $LAB_S_IP
listen_port = 6432
unix_socket_dir =
auth_type = trust
auth_file = $d/pgb/users.txt
logfile = $d/pgb/pgbouncer.log
pidfile = $d/pgb/pgbouncer.pid
EOF
	chown -R postgres:postgres "$d/pgb"
	lab_s runuser -u postgres -- pgbouncer -d "$d/pgb/pgbouncer.ini"
	wp_wait_listen 6432
	wp_cap_start "$OUT/pgsql-gssenc-refused.pcap"
	lab_c env $(wp_krb_env) PGCONNECT_TIMEOUT=5 psql -X -q \
		"host=$LAB_S_IP port=6432 dbname=appdb user=app_gss gssencmode=prefer sslmode=disable application_name=lab-gss-refused" \
		-c "select current_user" >/dev/null
	wp_cap_stop
	lab_s pkill -F "$d/pgb/pgbouncer.pid" 2>/dev/null || true
	lab_s runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d/data" -w -t 30 stop -m fast >/dev/null
	lab_down
}

# ---------------------------------------------------------------- TDS 8.0 strict

# No SQL Server in Debian, but TDS 8.0 strict encryption ([MS-TDS] 2.2.1,
# 3.3.5.1: the client's first bytes are a TLS ClientHello, ALPN "tds/8.0";
# PRELOGIN and LOGIN7 travel inside the TLS session) is plain TLS on the
# wire up to the first application data: OpenSSL s_server on 1433 with ALPN
# tds/8.0 and s_client offering it make the real handshake; the application
# data records are opaque either way.
scn_tdsstrict() {
	wp_up tdsstrict
	wp_certs
	lab_s sh -c "openssl s_server -quiet -naccept 1 -accept $LAB_S_IP:1433 \
		-cert $WP_TMP/pki/server.crt -key $WP_TMP/pki/server.key -alpn tds/8.0 -rev \
		>/dev/null 2>&1 </dev/null &"
	wp_wait_listen 1433
	wp_cap_start "$OUT/tds8-strict-tls.pcap"
	# one line of application data each way (s_server -rev echoes it back
	# reversed), then s_client closes at the end of its input
	(printf 'stand-in for the PRELOGIN inside TLS\n'; sleep 1) | lab_c timeout 10 openssl s_client \
		-connect "$LAB_S_IP:1433" -servername server.lab.test -alpn tds/8.0 \
		-CAfile "$WP_TMP/pki/ca.crt" -verify_return_error -no_ign_eof >/dev/null 2>&1
	wp_cap_stop
	lab_down
}

# ---------------------------------------------------------------- MariaDB

# wp_my_start SSL(0|1): mariadbd by hand in the server namespace
wp_my_start() {
	local d=$WP_TMP/my ssl=()
	if [ "$1" = 1 ]; then
		ssl=(--ssl-cert="$d/server.crt" --ssl-key="$d/server.key" --ssl-ca="$d/ca.crt")
	else
		ssl=(--skip-ssl)
	fi
	lab_s /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$d/data" \
		--socket="$d/mysqld.sock" --pid-file="$d/mysqld.pid" \
		--bind-address="$LAB_S_IP" --port=3306 --skip-name-resolve \
		--log-error="$d/error.log" --plugin-load-add=auth_pam \
		--pam-use-cleartext-plugin --lc-messages-dir=/usr/share/mysql \
		"${ssl[@]}" >>"$d/stderr.log" 2>&1 &
	wp_wait_listen 3306
}

wp_my_stop() {
	local d=$WP_TMP/my pid
	pid=$(cat "$d/mysqld.pid" 2>/dev/null || true)
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

# wp_my_client USER PASSWORD ARGS...: one mariadb client session
wp_my_client() {
	local user=$1 pw=$2
	shift 2
	lab_c mariadb --no-defaults -h "$LAB_S_IP" -P 3306 -u "$user" -p"$pw" \
		--connect-timeout=5 "$@" -e 'SELECT CURRENT_USER(), @@version; SHOW STATUS LIKE "Ssl_cipher"' >/dev/null
}

WP_PAM_SVC=/etc/pam.d/wp-lab-mariadb

scn_mariadb() {
	local d=$WP_TMP/my
	wp_up mariadb
	wp_certs
	rm -rf "$d"
	mkdir -p "$d"
	cp "$WP_TMP/pki/server.crt" "$WP_TMP/pki/server.key" "$WP_TMP/pki/ca.crt" "$d/"
	chown -R mysql:mysql "$d"
	mariadb-install-db --no-defaults --user=mysql --datadir="$d/data" \
		--auth-root-authentication-method=socket --skip-test-db >/dev/null 2>&1 \
		|| die "mariadb-install-db failed"
	# A PAM service that accepts any password, only so that MariaDB's PAM
	# plugin asks the client for the password with mysql_clear_password.
	# Removed again at the end of the scenario.
	printf 'auth required pam_permit.so\naccount required pam_permit.so\n' >"$WP_PAM_SVC"
	wp_my_start 1
	lab_s mariadb --no-defaults -S "$d/mysqld.sock" -u root <<'EOF'
CREATE DATABASE appdb;
CREATE USER 'app_native'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('pw-my-native-2208');
CREATE USER 'app_tls'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('pw-my-tls-3319');
CREATE USER 'app_nossl'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('pw-my-nossl-4420');
CREATE USER 'app_clear'@'%' IDENTIFIED VIA pam USING 'wp-lab-mariadb';
GRANT ALL ON appdb.* TO 'app_native'@'%', 'app_tls'@'%', 'app_nossl'@'%', 'app_clear'@'%';
EOF

	wp_cap_start "$OUT/mysql-ssl-tls.pcap"
	wp_my_client app_tls pw-my-tls-3319 --ssl appdb
	wp_cap_stop

	wp_cap_start "$OUT/mysql-skip-ssl-not-used.pcap"
	wp_my_client app_native pw-my-native-2208 --skip-ssl appdb
	wp_cap_stop

	wp_cap_start "$OUT/mysql-clear-password.pcap"
	wp_my_client app_clear pw-my-clear-6642 --skip-ssl --enable-cleartext-plugin appdb \
		|| log "mysql_clear_password session failed"
	wp_cap_stop

	wp_my_stop
	wp_my_start 0
	wp_cap_start "$OUT/mysql-nossl-server-cleartext.pcap"
	wp_my_client app_nossl pw-my-nossl-4420 appdb
	wp_cap_stop
	# No mysql "tls_refused" capture: a client only sends the SSL request
	# when the greeting offers CLIENT_SSL, so "--ssl" against this server
	# (MariaDB 10.11 client, no server-cert verification) goes on in clear
	# and the wire is identical to the capture above.
	wp_my_stop
	rm -f "$WP_PAM_SVC"
	lab_down
}

# ---------------------------------------------------------------- Redis

scn_redis() {
	local d=$WP_TMP/redis
	wp_up redis
	wp_certs
	rm -rf "$d"
	mkdir -p "$d"
	cat >"$d/redis.conf" <<EOF
bind $LAB_S_IP $LAB_S_IP6
port 6379
tls-port 6380
tls-cert-file $WP_TMP/pki/server.crt
tls-key-file $WP_TMP/pki/server.key
tls-ca-cert-file $WP_TMP/pki/ca.crt
tls-auth-clients no
dir $d
save ""
appendonly no
daemonize yes
pidfile $d/redis.pid
logfile $d/redis.log
protected-mode no
requirepass pw-redis-auth-3317
user labuser on >pw-redis-hello-8850 ~* &* +@all
user tlsuser on >pw-redis-tls-9961 ~* &* +@all
EOF
	lab_s redis-server "$d/redis.conf"
	wp_wait_listen 6379
	wp_wait_listen 6380
	local r="redis-cli -h $LAB_S_IP"

	wp_cap_start "$OUT/redis-auth-cleartext.pcap"
	lab_c $r -p 6379 >/dev/null <<'EOF'
AUTH pw-redis-auth-3317
PING
SET lab:greeting hello
GET lab:greeting
INCR lab:counter
DEL lab:greeting
EOF
	wp_cap_stop

	wp_cap_start "$OUT/redis-hello-auth-cleartext.pcap"
	lab_c $r -p 6379 >/dev/null <<'EOF'
HELLO 3 AUTH labuser pw-redis-hello-8850 SETNAME lab-client
CLIENT INFO
HSET lab:user:1 name alice role admin
HGETALL lab:user:1
EOF
	wp_cap_stop

	wp_cap_start "$OUT/redis-noauth-cleartext.pcap"
	lab_c $r -p 6379 PING >/dev/null || true
	wp_cap_stop

	wp_cap_start "$OUT/redis-tls.pcap"
	lab_c $r -p 6380 --tls --cacert "$WP_TMP/pki/ca.crt" --sni server.lab.test \
		--user tlsuser --pass pw-redis-tls-9961 --no-auth-warning PING >/dev/null
	wp_cap_stop
	lab_down
}

# ---------------------------------------------------------------- LDAP

# wp_slapd_start TLS(0|1): slapd by hand from a slapd.conf, in the server
# namespace; with TLS it also listens for LDAPS on 636.
wp_slapd_start() {
	local d=$WP_TMP/ldap urls="ldap://$LAB_S_IP/"
	{
		cat <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $d/slapd.pid
argsfile $d/slapd.args
loglevel none
EOF
		if [ "$1" = 1 ]; then
			cat <<EOF
TLSCACertificateFile $WP_TMP/pki/ca.crt
TLSCertificateFile $WP_TMP/pki/server.crt
TLSCertificateKeyFile $WP_TMP/pki/server.key
EOF
			urls="$urls ldaps://$LAB_S_IP/"
		fi
		cat <<EOF
access to attrs=userPassword by anonymous auth by self read by * none
access to * by * read
database mdb
maxsize 10485760
suffix "dc=lab,dc=test"
rootdn "cn=admin,dc=lab,dc=test"
rootpw pw-ldap-rootdn-unused-0000
directory $d/db
EOF
	} >"$d/slapd.conf"
	if [ ! -f "$d/db/data.mdb" ]; then
		slapadd -q -f "$d/slapd.conf" -l "$d/base.ldif" >/dev/null 2>&1 \
			|| die "slapadd failed"
	fi
	lab_s /usr/sbin/slapd -f "$d/slapd.conf" -h "$urls"
	wp_wait_listen 389
	[ "$1" = 1 ] && wp_wait_listen 636
	return 0
}

wp_slapd_stop() {
	local pid
	pid=$(cat "$WP_TMP/ldap/slapd.pid" 2>/dev/null || true)
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

# wp_ldapsearch ARGS...: ldapsearch from the client, trusting the lab CA
wp_ldapsearch() {
	lab_c env LDAPTLS_CACERT="$WP_TMP/pki/ca.crt" LDAPTLS_REQCERT=demand \
		ldapsearch -LLL -o nettimeout=5 "$@" >/dev/null
}

scn_ldap() {
	local d=$WP_TMP/ldap u
	wp_up ldap
	wp_certs
	rm -rf "$d"
	mkdir -p "$d/db"
	{
		printf 'dn: dc=lab,dc=test\nobjectClass: dcObject\nobjectClass: organization\no: wireaudit lab\ndc: lab\n\n'
		printf 'dn: ou=people,dc=lab,dc=test\nobjectClass: organizationalUnit\nou: people\n\n'
		for u in ldapclear:pw-ldap-simple-1187 ldaptls:pw-ldap-starttls-2290 \
			ldapfall:pw-ldap-refused-3381 ldapsecure:pw-ldaps-4472; do
			printf 'dn: uid=%s,ou=people,dc=lab,dc=test\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: lab\nmail: %s@lab.test\nuserPassword: %s\n\n' \
				"${u%%:*}" "${u%%:*}" "${u%%:*}" "${u%%:*}" "${u#*:}"
		done
	} >"$d/base.ldif"
	wp_slapd_start 1
	local H="ldap://$LAB_S_IP" B="-b ou=people,dc=lab,dc=test"
	local P="ou=people,dc=lab,dc=test"

	wp_cap_start "$OUT/ldap-simple-bind-cleartext.pcap"
	wp_ldapsearch -x -H "$H" -D "uid=ldapclear,$P" -w pw-ldap-simple-1187 $B '(uid=ldapclear)' cn mail
	wp_cap_stop

	wp_cap_start "$OUT/ldap-anonymous-cleartext.pcap"
	wp_ldapsearch -x -H "$H" $B '(objectClass=inetOrgPerson)' cn
	wp_cap_stop

	wp_cap_start "$OUT/ldap-starttls.pcap"
	wp_ldapsearch -x -ZZ -H "$H" -D "uid=ldaptls,$P" -w pw-ldap-starttls-2290 $B '(uid=ldaptls)' cn mail
	wp_cap_stop

	wp_cap_start "$OUT/ldaps-636.pcap"
	wp_ldapsearch -x -H "ldaps://$LAB_S_IP" -D "uid=ldapsecure,$P" -w pw-ldaps-4472 $B '(uid=ldapsecure)' cn mail
	wp_cap_stop

	# Same directory, slapd without TLS: StartTLS is refused
	# (protocolError/unavailable) and "ldapsearch -Z" carries on in clear.
	wp_slapd_stop
	wp_slapd_start 0
	wp_cap_start "$OUT/ldap-starttls-refused.pcap"
	wp_ldapsearch -x -Z -H "$H" -D "uid=ldapfall,$P" -w pw-ldap-refused-3381 $B '(uid=ldapfall)' cn mail 2>/dev/null
	wp_cap_stop
	wp_slapd_stop
	lab_down
}

# ---------------------------------------------------------------- Dovecot

# wp_dovecot_start TLS(0|1) PROTOCOLS: a private Dovecot (config, state and
# mailboxes under $WP_TMP/dovecot) in the server namespace. Users come from a
# passwd-file; it also serves SASL authentication to Postfix through the
# socket run/auth-postfix. With TLS it offers STARTTLS/STLS and listens on
# 993/995; without, ssl = no and no upgrade is offered.
WP_MAIL_USERS="smtpplain:pw-smtp-plain-1661 smtplogin:pw-smtp-login-2772
smtpcram:pw-smtp-cram-7227 smtptls:pw-smtp-starttls-3883
smtpnotls:pw-smtp-notused-4994 smtps465:pw-smtps-5005
smtpsub:pw-smtp-submission-6116
imapclear:pw-imap-login-1201 imaptls:pw-imap-starttls-1302
imapnotls:pw-imap-notused-1403 imaps993:pw-imaps-1504
popclear:pw-pop3-user-2101 poptls:pw-pop3-stls-2202
popnotls:pw-pop3-notused-2303 pops995:pw-pop3s-2404"

wp_dovecot_start() {
	local d=$WP_TMP/dovecot ssl=no u protos=$2
	[ "$1" = 1 ] && ssl=yes
	mkdir -p "$d/run" "$d/state" "$d/home"
	chown nobody:nogroup "$d/home"
	for u in $WP_MAIL_USERS; do
		printf '%s:{PLAIN}%s\n' "${u%%:*}" "${u#*:}"
	done >"$d/users"
	chmod 644 "$d/users"
	cat >"$d/dovecot.conf" <<EOF
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = $protos
listen = $LAB_S_IP
ssl = $ssl
ssl_cert = <$WP_TMP/pki/server.crt
ssl_key = <$WP_TMP/pki/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5
login_greeting = Dovecot lab ready.
passdb {
  driver = passwd-file
  args = username_format=%n $d/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/home/%n
}
mail_location = maildir:~/Maildir
default_internal_user = dovecot
default_login_user = dovenull
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
EOF
	if [ "$1" = 0 ]; then
		# no imaps/pop3s listeners without TLS
		cat >>"$d/dovecot.conf" <<EOF
service imap-login {
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3s {
    port = 0
  }
}
EOF
	fi
	lab_s dovecot -c "$d/dovecot.conf" || { cat "$d/dovecot.log" >&2; die "dovecot did not start"; }
	for _ in $(seq 1 100); do [ -S "$d/run/auth-postfix" ] && break; sleep 0.1; done
}

wp_dovecot_stop() {
	lab_s dovecot -c "$WP_TMP/dovecot/dovecot.conf" stop 2>/dev/null || true
	sleep 1
}

# ---------------------------------------------------------------- SMTP

# wp_postfix_start TLS(0|1): a private Postfix instance (config, queue and
# SASL database under $WP_TMP/smtp) in the server namespace, listening on
# 25, 587 and (with TLS) 465. Mail is accepted and discarded.
wp_postfix_start() {
	local d=$WP_TMP/smtp tls=none
	[ "$1" = 1 ] && tls=may
	mkdir -p "$d/etc" "$d/spool" "$d/data"
	chown postfix "$d/data"
	cat >"$d/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
myhostname = mail.lab.test
mydomain = lab.test
myorigin = lab.test
mydestination = lab.test, mail.lab.test
inet_interfaces = $LAB_S_IP
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP lab
biff = no
alias_maps =
alias_database =
local_recipient_maps =
local_transport = discard:lab
default_transport = discard:lab
relay_transport = discard:lab
maillog_file = $d/maillog
maillog_file_prefixes = $d
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated reject_unauth_destination
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $WP_TMP/dovecot/run/auth-postfix
smtpd_sasl_security_options = noanonymous
cyrus_sasl_config_path = $d/sasl
smtpd_tls_security_level = $tls
smtpd_tls_auth_only = no
smtpd_tls_cert_file = $WP_TMP/pki/server.crt
smtpd_tls_key_file = $WP_TMP/pki/server.key
EOF
	{
		cat <<'EOF'
25        inet  n       -       n       -       -       smtpd
587       inet  n       -       n       -       -       smtpd
EOF
		[ "$1" = 1 ] && echo '465       inet  n       -       n       -       -       smtpd -o smtpd_tls_wrappermode=yes'
		cat <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	} >"$d/etc/master.cf"
	# postfix prints its errors only to a terminal (or to the maillog)
	lab_s script -qec "postfix -c $d/etc start" /dev/null >"$d/start.log" 2>&1 \
		|| { cat "$d/start.log" "$d/maillog" >&2; die "postfix did not start"; }
	wp_wait_listen 25
	wp_wait_listen 587
	[ "$1" = 1 ] && wp_wait_listen 465
	return 0
}

wp_postfix_stop() {
	lab_s postfix -c "$WP_TMP/smtp/etc" stop >/dev/null 2>&1 || true
	sleep 1
}

# wp_swaks FROM TO ARGS...: one message from the client
wp_swaks() {
	local from=$1 to=$2
	shift 2
	lab_c swaks --server "$LAB_S_IP" --helo client.lab.test --from "$from" --to "$to" \
		--header "Subject: wireaudit lab" --body "lab message" --timeout 10 \
		--hide-all "$@"
}

scn_smtp() {
	local d=$WP_TMP/smtp
	wp_up smtp
	wp_certs
	rm -rf "$d" "$WP_TMP/dovecot"
	wp_dovecot_start 0 none
	wp_postfix_start 0

	wp_cap_start "$OUT/smtp-cleartext.pcap"
	wp_swaks alice@client.lab.test bob@lab.test --port 25
	wp_cap_stop

	wp_cap_start "$OUT/smtp-auth-plain-cleartext.pcap"
	wp_swaks smtpplain@lab.test bob@lab.test --port 25 \
		--auth PLAIN --auth-user smtpplain --auth-password pw-smtp-plain-1661
	wp_cap_stop

	wp_cap_start "$OUT/smtp-auth-login-cleartext.pcap"
	wp_swaks smtplogin@lab.test bob@lab.test --port 587 \
		--auth LOGIN --auth-user smtplogin --auth-password pw-smtp-login-2772
	wp_cap_stop

	wp_cap_start "$OUT/smtp-auth-cram-md5-cleartext.pcap"
	wp_swaks smtpcram@lab.test bob@lab.test --port 25 \
		--auth CRAM-MD5 --auth-user smtpcram --auth-password pw-smtp-cram-7227
	wp_cap_stop

	wp_postfix_stop
	wp_postfix_start 1

	wp_cap_start "$OUT/smtp-starttls.pcap"
	wp_swaks smtptls@lab.test bob@lab.test --port 25 --tls \
		--auth PLAIN --auth-user smtptls --auth-password pw-smtp-starttls-3883
	wp_cap_stop

	wp_cap_start "$OUT/smtp-starttls-not-used.pcap"
	wp_swaks smtpnotls@lab.test bob@lab.test --port 25 \
		--auth LOGIN --auth-user smtpnotls --auth-password pw-smtp-notused-4994
	wp_cap_stop

	wp_cap_start "$OUT/smtp-submission-587-starttls.pcap"
	wp_swaks smtpsub@lab.test bob@lab.test --port 587 --tls \
		--auth LOGIN --auth-user smtpsub --auth-password pw-smtp-submission-6116
	wp_cap_stop

	wp_cap_start "$OUT/smtps-465.pcap"
	wp_swaks smtps465@lab.test bob@lab.test --port 465 --tls-on-connect \
		--auth PLAIN --auth-user smtps465 --auth-password pw-smtps-5005
	wp_cap_stop

	wp_postfix_stop
	lab_down
}

# ---------------------------------------------------------------- IMAP, POP3

# wp_mailpy MODE HOST PORT USER PASSWORD: one IMAP or POP3 session with
# Python's imaplib/poplib (the standard library clients), from the client.
# MODE: imap, imap-starttls, imaps, pop3, pop3-stls, pop3s.
wp_mailpy() {
	lab_c /usr/bin/python3 - "$@" "$WP_TMP/pki/ca.crt" <<'EOF'
import imaplib, poplib, ssl, sys
mode, host, port, user, pw, ca = sys.argv[1:7]
port = int(port)
ctx = ssl.create_default_context(cafile=ca)
if mode.startswith("imap"):
    if mode == "imaps":
        c = imaplib.IMAP4_SSL(host, port, ssl_context=ctx, timeout=10)
    else:
        c = imaplib.IMAP4(host, port, timeout=10)
        c.capability()
        if mode == "imap-starttls":
            c.starttls(ssl_context=ctx)
    c.login(user, pw)
    c.select("INBOX")
    c.search(None, "ALL")
    c.logout()
else:
    if mode == "pop3s":
        c = poplib.POP3_SSL(host, port, context=ctx, timeout=10)
    else:
        c = poplib.POP3(host, port, timeout=10)
        c.capa()
        if mode == "pop3-stls":
            c.stls(context=ctx)
    c.user(user)
    c.pass_(pw)
    c.stat()
    c.list()
    c.quit()
EOF
}

scn_imap() {
	wp_up imap
	wp_certs
	rm -rf "$WP_TMP/dovecot"
	wp_dovecot_start 0 imap
	wp_wait_listen 143

	wp_cap_start "$OUT/imap-login-cleartext.pcap"
	wp_mailpy imap "$LAB_S_IP" 143 imapclear pw-imap-login-1201
	wp_cap_stop

	wp_dovecot_stop
	wp_dovecot_start 1 imap
	wp_wait_listen 143
	wp_wait_listen 993

	wp_cap_start "$OUT/imap-starttls.pcap"
	wp_mailpy imap-starttls "$LAB_S_IP" 143 imaptls pw-imap-starttls-1302
	wp_cap_stop

	wp_cap_start "$OUT/imap-starttls-not-used.pcap"
	wp_mailpy imap "$LAB_S_IP" 143 imapnotls pw-imap-notused-1403
	wp_cap_stop

	wp_cap_start "$OUT/imaps-993.pcap"
	wp_mailpy imaps "$LAB_S_IP" 993 imaps993 pw-imaps-1504
	wp_cap_stop
	wp_dovecot_stop
	lab_down
}

scn_pop3() {
	wp_up pop3
	wp_certs
	rm -rf "$WP_TMP/dovecot"
	wp_dovecot_start 0 pop3
	wp_wait_listen 110

	wp_cap_start "$OUT/pop3-user-pass-cleartext.pcap"
	wp_mailpy pop3 "$LAB_S_IP" 110 popclear pw-pop3-user-2101
	wp_cap_stop

	wp_dovecot_stop
	wp_dovecot_start 1 pop3
	wp_wait_listen 110
	wp_wait_listen 995

	wp_cap_start "$OUT/pop3-stls.pcap"
	wp_mailpy pop3-stls "$LAB_S_IP" 110 poptls pw-pop3-stls-2202
	wp_cap_stop

	wp_cap_start "$OUT/pop3-stls-not-used.pcap"
	wp_mailpy pop3 "$LAB_S_IP" 110 popnotls pw-pop3-notused-2303
	wp_cap_stop

	wp_cap_start "$OUT/pop3s-995.pcap"
	wp_mailpy pop3s "$LAB_S_IP" 995 pops995 pw-pop3s-2404
	wp_cap_stop
	wp_dovecot_stop
	lab_down
}

# ---------------------------------------------------------------- FTP

# vsftpd maps every login to the guest account "ftp" and checks passwords
# through a PAM service that accepts any password (pam_permit), so no system
# account is needed. The PAM file exists only while the scenario runs.
WP_PAM_FTP=/etc/pam.d/wp-lab-ftp

wp_vsftpd_start() {
	local d=$WP_TMP/ftp ssl=NO
	[ "$1" = 1 ] && ssl=YES
	mkdir -p "$d/root" "$d/empty"
	echo "hello from the wireaudit lab" >"$d/root/hello.txt"
	chmod -R a+rX "$d"
	printf 'auth required pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\n' >"$WP_PAM_FTP"
	# ssl_tlsv1 must be YES for FEAT to list "AUTH TLS" (vsftpd 3.0.3
	# features.c: AUTH TLS is advertised only when TLS protocols are enabled);
	# with ssl_tlsv1=NO the server upgraded on AUTH TLS but never offered it.
	cat >"$d/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=$LAB_S_IP
background=YES
anonymous_enable=NO
local_enable=YES
guest_enable=YES
guest_username=ftp
pam_service_name=wp-lab-ftp
local_root=$d/root
write_enable=NO
secure_chroot_dir=$d/empty
xferlog_enable=YES
vsftpd_log_file=$d/vsftpd.log
pasv_enable=YES
pasv_min_port=40000
pasv_max_port=40010
seccomp_sandbox=NO
ftpd_banner=lab FTP ready.
ssl_enable=$ssl
rsa_cert_file=$WP_TMP/pki/server.crt
rsa_private_key_file=$WP_TMP/pki/server.key
allow_anon_ssl=NO
force_local_logins_ssl=NO
force_local_data_ssl=NO
require_ssl_reuse=NO
ssl_tlsv1=$ssl
ssl_sslv2=NO
ssl_sslv3=NO
EOF
	lab_s vsftpd "$d/vsftpd.conf"
	wp_wait_listen 21
}

wp_vsftpd_stop() {
	lab_s pkill -x vsftpd 2>/dev/null || true
	sleep 0.5
}

# wp_ftppy MODE USER PASSWORD: a Python ftplib session that asks FEAT (so the
# AUTH TLS offer is on the wire) and then logs in (MODE plain) or upgrades
# first (MODE tls).
wp_ftppy() {
	lab_c /usr/bin/python3 - "$LAB_S_IP" "$@" "$WP_TMP/pki/ca.crt" <<'EOF'
import ftplib, ssl, sys
host, mode, user, pw, ca = sys.argv[1:6]
if mode == "tls":
    c = ftplib.FTP_TLS(host, context=ssl.create_default_context(cafile=ca), timeout=10)
else:
    c = ftplib.FTP(host, timeout=10)
c.sendcmd("FEAT")
c.login(user, pw)
c.nlst()
c.quit()
EOF
}

scn_ftp() {
	local c="curl -sS -o /dev/null --max-time 10 --cacert $WP_TMP/pki/ca.crt"
	wp_up ftp
	wp_certs
	rm -rf "$WP_TMP/ftp"
	wp_vsftpd_start 0

	wp_cap_start "$OUT/ftp-cleartext.pcap"
	lab_c $c "ftp://ftpclear:pw-ftp-clear-3101@$LAB_S_IP/hello.txt"
	wp_cap_stop

	# curl --ssl: AUTH SSL, AUTH TLS, both refused, login in clear anyway
	wp_cap_start "$OUT/ftp-auth-tls-refused.pcap"
	lab_c $c --ssl "ftp://ftprefused:pw-ftp-refused-3202@$LAB_S_IP/hello.txt"
	wp_cap_stop

	wp_vsftpd_stop
	wp_vsftpd_start 1

	wp_cap_start "$OUT/ftp-auth-tls.pcap"
	lab_c $c --ssl-reqd "ftp://ftptls:pw-ftp-tls-3303@$LAB_S_IP/hello.txt"
	wp_cap_stop

	wp_cap_start "$OUT/ftp-auth-tls-not-used.pcap"
	wp_ftppy plain ftpnotls pw-ftp-notused-3404
	wp_cap_stop

	wp_vsftpd_stop
	rm -f "$WP_PAM_FTP"
	lab_down
}

# ---------------------------------------------------------------- AMQP

# wp_rmq ARGS...: run a RabbitMQ command (server or rabbitmqctl) in the
# server namespace with the lab node's environment (all state under
# $WP_TMP/amqp, node rabbit@localhost so no host name lookup is needed).
wp_rmq() {
	local d=$WP_TMP/amqp
	lab_s env HOME="$d" RABBITMQ_NODENAME=rabbit@localhost \
		RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf" \
		RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config" \
		RABBITMQ_CONF_ENV_FILE="$d/rabbitmq-env.conf" \
		RABBITMQ_MNESIA_BASE="$d/mnesia" RABBITMQ_LOG_BASE="$d/log" \
		RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" \
		RABBITMQ_ENABLED_PLUGINS= ERL_EPMD_ADDRESS=127.0.0.1 "$@"
}

scn_amqp() {
	local d=$WP_TMP/amqp
	wp_up amqp
	wp_certs
	rm -rf "$d"
	mkdir -p "$d/mnesia" "$d/log"
	echo '[].' >"$d/enabled_plugins"
	echo '[].' >"$d/advanced.config"
	: >"$d/rabbitmq-env.conf"
	printf 'wireaudit-lab-cookie\n' >"$d/.erlang.cookie"
	chmod 400 "$d/.erlang.cookie"
	cat >"$d/rabbitmq.conf" <<EOF
listeners.tcp.1 = $LAB_S_IP:5672
listeners.ssl.1 = $LAB_S_IP:5671
ssl_options.cacertfile = $WP_TMP/pki/ca.crt
ssl_options.certfile = $WP_TMP/pki/server.crt
ssl_options.keyfile = $WP_TMP/pki/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
loopback_users = none
log.file.level = warning
EOF
	wp_rmq /usr/lib/rabbitmq/bin/rabbitmq-server >"$d/server.out" 2>&1 &
	wp_wait_listen 5672 120
	wp_wait_listen 5671 30
	wp_rmq /usr/lib/rabbitmq/bin/rabbitmqctl -q await_startup >/dev/null
	local u
	wp_rmq /usr/lib/rabbitmq/bin/rabbitmqctl -q add_vhost /lab >/dev/null
	for u in amqpplain:pw-amqp-plain-5101 amqptls:pw-amqps-5202; do
		printf '%s\n' "${u#*:}" | wp_rmq /usr/lib/rabbitmq/bin/rabbitmqctl -q add_user "${u%%:*}" >/dev/null
		wp_rmq /usr/lib/rabbitmq/bin/rabbitmqctl -q set_permissions -p /lab "${u%%:*}" '.*' '.*' '.*' >/dev/null
	done

	wp_cap_start "$OUT/amqp-plain-cleartext.pcap"
	lab_c amqp-publish -u "amqp://amqpplain:pw-amqp-plain-5101@$LAB_S_IP:5672/%2flab" \
		-e amq.topic -r lab.orders -b '{"order":1}'
	wp_cap_stop

	wp_cap_start "$OUT/amqps-5671.pcap"
	# amqp-publish checks the certificate name against the IP address given
	# and has no way to pass a host name, so this one uses python3-pika
	lab_c /usr/bin/python3 - "$LAB_S_IP" "$WP_TMP/pki/ca.crt" <<'EOF'
import ssl, sys, pika
host, ca = sys.argv[1:3]
ctx = ssl.create_default_context(cafile=ca)
params = pika.ConnectionParameters(
    host=host, port=5671, virtual_host="/lab",
    credentials=pika.PlainCredentials("amqptls", "pw-amqps-5202"),
    ssl_options=pika.SSLOptions(ctx, server_hostname="server.lab.test"))
conn = pika.BlockingConnection(params)
ch = conn.channel()
ch.basic_publish(exchange="amq.topic", routing_key="lab.orders", body=b'{"order":2}')
conn.close()
EOF
	wp_cap_stop

	wp_rmq /usr/lib/rabbitmq/bin/rabbitmqctl -q stop >/dev/null 2>&1 || true
	lab_down
}

# ---------------------------------------------------------------- issue 21 peers
#
# Real clients against small servers of tools/lab/peers/ where Debian has no
# server for the case (see each server's header). PEERS is where they live.
PEERS=$HERE/peers

# wp_peer PORT SCRIPT ARGS...: start a peer server in the server namespace
wp_peer() {
	local port=$1 script=$2
	shift 2
	lab_s /usr/bin/python3 "$PEERS/$script" "$LAB_S_IP" "$port" "$@" >"$WP_TMP/$script.log" 2>&1 &
	wp_wait_listen "$port"
}

# HTTP authentication schemes: Digest and NTLM are challenge-response (no
# credentials in clear, the user name is); Basic with two spaces before the
# credentials (RFC 9110 §11.4 allows 1*SP) and an API key header are
# credentials in clear.
scn_httpauth() {
	wp_up httpauth
	wp_peer 80 http-auth-server.py
	local c="curl -sS -o /dev/null --max-time 5 -A curl/wireaudit-lab"

	wp_cap_start "$OUT/http-digest-challenge.pcap"
	lab_c $c --digest -u digestuser:pw-http-digest-8606 "http://$LAB_S_IP/digest/report"
	wp_cap_stop

	# the 401 closes the connection: the Digest response is the first
	# request of a second connection
	wp_cap_start "$OUT/http-digest-new-connection.pcap"
	lab_c $c --digest -u digestuser:pw-http-digest-8606 "http://$LAB_S_IP/digest/close/report"
	wp_cap_stop

	wp_cap_start "$OUT/http-ntlm-challenge.pcap"
	lab_c $c --ntlm -u 'LAB\ntlmuser:pw-http-ntlm-8707' "http://$LAB_S_IP/ntlm/share"
	wp_cap_stop

	wp_cap_start "$OUT/http-basic-two-spaces.pcap"
	lab_c $c -H "Authorization: Basic  $(printf 'basicuser:pw-http-basic2sp-8404' | base64 -w0)" \
		"http://$LAB_S_IP/basic/"
	wp_cap_stop

	wp_cap_start "$OUT/http-api-key-header.pcap"
	lab_c $c -H 'X-API-Key: key-http-apikey-8505' "http://$LAB_S_IP/api/items"
	wp_cap_stop
	lab_down
}

# A ClientHello to implicit-TLS port 465 answered by a cleartext SMTP banner.
scn_tlsport() {
	wp_up tlsport
	wp_peer 465 banner-server.py
	wp_cap_start "$OUT/smtps-465-cleartext-answer.pcap"
	lab_c timeout 10 openssl s_client -connect "$LAB_S_IP:465" -servername mail.lab.test \
		</dev/null >/dev/null 2>&1 || true
	wp_cap_stop
	lab_down
}

# TDS 5.0 (Sybase ASE's protocol, port 5000) and TDS 4.2 (old SQL Server,
# 1433) logins from FreeTDS's tsql: user and password in the LOGIN record
# in clear.
scn_tds5() {
	wp_up tds5
	wp_peer 5000 tds5-server.py
	wp_peer 1433 tds5-server.py
	wp_cap_start "$OUT/tds5-login-cleartext.pcap"
	echo quit | lab_c env TDSVER=5.0 timeout 10 tsql -H "$LAB_S_IP" -p 5000 -U sybuser \
		-P pw-tds5-login-9101 >/dev/null 2>&1 || true
	wp_cap_stop
	wp_cap_start "$OUT/tds42-login-cleartext.pcap"
	echo quit | lab_c env TDSVER=4.2 timeout 10 tsql -H "$LAB_S_IP" -p 1433 -U oldsql \
		-P pw-tds42-login-9102 >/dev/null 2>&1 || true
	wp_cap_stop
	lab_down
}

# ---------------------------------------------------------------- main

ALL_SCENARIOS="sample http pgsql pggss tdsstrict mariadb redis ldap smtp imap pop3 ftp amqp httpauth tlsport tds5"

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
