#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-tls.sh — regenerate the real-traffic TLS/QUIC captures in pcaps/tls/.
#
# Starts real servers and clients from Debian packages (openssl s_server /
# s_client, nginx + curl, gnutls-serv / gnutls-cli, ngtcp2 gtlsserver /
# gtlsclient) in a pair of network namespaces made by tools/lab/lib.sh and
# captures each scenario with tcpdump on the client side. Every run builds a
# fresh throwaway PKI (root CA, intermediate CA, leaves, OCSP responses) in a
# temporary directory; only the root CA certificate is kept, as
# pcaps/tls/test-ca.pem, so tests can give it to the analyzer as an extra
# trust anchor. Each capture is checked with tshark before it is installed.
#
# Usage: sudo tools/lab/gen-tls.sh [SCENARIO...]
#        With no argument every scenario is regenerated and installed in
#        pcaps/tls/ together with the new test-ca.pem (only after all of them
#        passed their checks). Naming scenarios (the sc_* function names
#        without "sc_") is for debugging: that run makes its own PKI, so its
#        captures go to $TLS_OUT (default /tmp/wireaudit-tls-partial), never
#        into pcaps/tls/ where they would not match the committed CA.
#        KEEP=1 keeps the temporary directory (PKI, logs, raw captures).
# Needs: root, iproute2, ethtool, tcpdump, tshark (editcap), openssl, nginx
#        (nginx-light is enough), curl, gnutls-bin, ngtcp2-client,
#        ngtcp2-server.
#
# Addresses are private (10.99.11.0/24, fd00:99:11::/64) and exist only inside
# the namespaces this script makes.

set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/pcaps/tls
LAB_NET=11
. "$HERE/lib.sh"

# Workaround for two problems in lib.sh's lab_capture_start (lib.sh is shared
# and left alone): (1) without --immediate-mode libpcap hands packets over in
# ring-buffer blocks (up to ~1 s late) and tcpdump drops the pending block on
# SIGINT, so the last connection of a capture could be missing; (2) the
# "file is non-empty" wait passes at once if FILE already exists.
lab_capture_start() {
	LAB_PCAP=$1
	shift
	rm -f "$LAB_PCAP"
	ip netns exec "$LAB_C" tcpdump --immediate-mode -U -n -s 0 -i "${LAB_NAME}0" \
		-w "$LAB_PCAP" "$@" >/dev/null 2>&1 &
	LAB_TCPDUMP_PID=$!
	for _ in $(seq 1 50); do
		[ -s "$LAB_PCAP" ] && break
		sleep 0.1
	done
	sleep 0.3
}

[ "$(id -u)" = 0 ] || { echo "gen-tls.sh: must run as root" >&2; exit 1; }
for tool in ip ethtool tcpdump tshark editcap openssl nginx curl gnutls-cli \
	gnutls-serv gtlsserver gtlsclient ss timeout unshare; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "gen-tls.sh: missing $tool (see header for packages)" >&2; exit 1; }
done

HOST=server.wireaudit.test
W=$(mktemp -d /tmp/wireaudit-gen-tls.XXXXXX)
chmod 755 "$W"   # nginx workers run as www-data
PKI=$W/pki
cleanup() {
	lab_down 2>/dev/null || true
	if [ -n "${KEEP:-}" ]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
STAGE=$W/out
mkdir -p "$STAGE" "$PKI"

log() { echo "gen-tls: $*" >&2; }
die() { echo "gen-tls: FAIL: $*" >&2; exit 1; }

# Quiet, reproducible OpenSSL environment: our own minimal config, so the
# system-wide CipherString/MinProtocol defaults do not leak in unnoticed.
cat >"$W/openssl.cnf" <<'EOF'
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
CipherString = DEFAULT:@SECLEVEL=2
EOF
export OPENSSL_CONF=$W/openssl.cnf

########################################################################
# Throwaway PKI
########################################################################

cat >"$PKI/ca.cnf" <<'EOF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir             = $ENV::CADIR
database        = $dir/index.txt
new_certs_dir   = $dir/newcerts
serial          = $dir/serial
default_md      = sha256
default_days    = 3650
policy          = policy_any
unique_subject  = no
copy_extensions = none
email_in_dn     = no
preserve        = yes
[ policy_any ]
organizationName = optional
commonName       = supplied
[ req ]
distinguished_name = req_dn
prompt             = no
[ req_dn ]
CN = unused
[ v3_root ]
basicConstraints       = critical,CA:true
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_int ]
basicConstraints       = critical,CA:true,pathlen:0
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_server ]
basicConstraints       = critical,CA:false
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = $ENV::SAN
[ v3_client ]
basicConstraints       = critical,CA:false
keyUsage               = critical,digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
[ v3_selfsigned ]
basicConstraints       = critical,CA:false
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
subjectAltName         = DNS:server.wireaudit.test
EOF

O="/O=wireaudit test PKI"

newkey() { # newkey FILE rsa:BITS|ec
	case $2 in
	rsa:*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa:}" -out "$1" 2>/dev/null ;;
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
	esac
}

cadir() { # cadir DIR FIRST_SERIAL
	mkdir -p "$1/newcerts"
	: >"$1/index.txt"
	echo "$2" >"$1/serial"
}

# issue CADIR CACERT CAKEY NAME SUBJECT EXT KEYSPEC [extra openssl-ca args]
issue() {
	local dir=$1 cacert=$2 cakey=$3 name=$4 subj=$5 ext=$6 keyspec=$7
	shift 7
	newkey "$PKI/$name.key" "$keyspec"
	openssl req -new -config "$PKI/ca.cnf" -key "$PKI/$name.key" -subj "$subj" \
		-out "$PKI/$name.csr"
	CADIR=$dir openssl ca -batch -notext -config "$PKI/ca.cnf" -cert "$cacert" \
		-keyfile "$cakey" -extensions "$ext" -in "$PKI/$name.csr" \
		-out "$PKI/$name.crt" "$@" 2>/dev/null
}

make_pki() {
	log "building test PKI in $PKI"
	export SAN="DNS:$HOST" CADIR=$PKI/intca   # read by ca.cnf
	cadir "$PKI/rootca" 1000
	cadir "$PKI/intca" 2000
	newkey "$PKI/root.key" rsa:2048
	openssl req -new -config "$PKI/ca.cnf" -key "$PKI/root.key" \
		-subj "$O/CN=wireaudit Test Root CA" -out "$PKI/root.csr"
	CADIR=$PKI/rootca openssl ca -batch -notext -selfsign -config "$PKI/ca.cnf" \
		-keyfile "$PKI/root.key" -extensions v3_root -days 7300 \
		-in "$PKI/root.csr" -out "$PKI/root.crt" 2>/dev/null
	issue "$PKI/rootca" "$PKI/root.crt" "$PKI/root.key" int \
		"$O/CN=wireaudit Test Intermediate CA" v3_int rsa:2048 -days 5000

	local I="$PKI/intca $PKI/int.crt $PKI/int.key"
	issue $I server   "$O/CN=$HOST" v3_server rsa:2048
	issue $I serverec "$O/CN=$HOST" v3_server ec
	issue $I expired  "$O/CN=$HOST" v3_server rsa:2048 \
		-startdate 20200101000000Z -enddate 20210101000000Z
	SAN=DNS:other.wireaudit.test \
	issue $I wronghost "$O/CN=other.wireaudit.test" v3_server rsa:2048
	issue $I weak1024 "$O/CN=$HOST" v3_server rsa:1024
	issue $I sha1sig  "$O/CN=$HOST" v3_server rsa:2048 -md sha1
	issue $I revoked  "$O/CN=$HOST" v3_server rsa:2048
	issue $I client   "$O/CN=client.wireaudit.test" v3_client rsa:2048
	CADIR=$PKI/intca openssl ca -batch -config "$PKI/ca.cnf" -cert "$PKI/int.crt" \
		-keyfile "$PKI/int.key" -revoke "$PKI/revoked.crt" \
		-crl_reason keyCompromise 2>/dev/null

	newkey "$PKI/selfsigned.key" rsa:2048
	openssl req -x509 -new -config "$PKI/ca.cnf" -key "$PKI/selfsigned.key" \
		-subj "$O/CN=$HOST" -extensions v3_selfsigned -days 3650 \
		-set_serial 0x5e1f -out "$PKI/selfsigned.crt"

	# chain files as servers send them: leaf + intermediate
	for n in server serverec expired wronghost weak1024 sha1sig revoked; do
		cat "$PKI/$n.crt" "$PKI/int.crt" >"$PKI/$n.chain.pem"
	done
	cat "$PKI/int.crt" "$PKI/root.crt" >"$PKI/cabundle.pem"

	# OCSP responses, made by the openssl ocsp responder from the
	# intermediate's index (good for "server", revoked for "revoked").
	for n in server revoked; do
		openssl ocsp -index "$PKI/intca/index.txt" -CA "$PKI/int.crt" \
			-rsigner "$PKI/int.crt" -rkey "$PKI/int.key" -ndays 30 \
			-issuer "$PKI/int.crt" -cert "$PKI/$n.crt" \
			-respout "$PKI/$n.ocsp.der" >/dev/null 2>&1
		openssl ocsp -respin "$PKI/$n.ocsp.der" -resp_text -noverify 2>/dev/null |
			grep -q "Cert Status: $([ $n = server ] && echo good || echo revoked)" ||
			die "OCSP response for $n"
	done

	openssl dhparam -out "$PKI/dh1024.pem" 1024 2>/dev/null

	openssl verify -CAfile "$PKI/root.crt" -untrusted "$PKI/int.crt" \
		"$PKI/server.crt" >/dev/null || die "PKI: server chain does not verify"
	cp "$PKI/root.crt" "$W/test-ca.pem"
}

########################################################################
# Lab helpers
########################################################################

S=$LAB_S_IP

# wait_listen tcp|udp PORT — until something in the server namespace listens
wait_listen() {
	local opt=-ltnH
	[ "$1" = udp ] && opt=-lunH
	for _ in $(seq 1 100); do
		lab_s ss $opt "sport = :$2" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	die "nothing listening on $1/$2 in the server namespace"
}

# bg_server LOGNAME CMD... — run CMD in the server namespace, in the background
bg_server() {
	local logf=$W/$1.server.log
	shift
	lab_s "$@" </dev/null >"$logf" 2>&1 &
}

# client LOGNAME CMD... — run CMD in the client namespace with a timeout;
# stdin comes from the caller. Failure is allowed (some scenarios fail on
# purpose); the exit status is stored in CLIENT_RC.
client() {
	local logf=$W/$1.client.log
	shift
	CLIENT_RC=0
	lab_c timeout 20 "$@" >>"$logf" 2>&1 || CLIENT_RC=$?
}

http_get() { printf 'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' "$HOST"; }

SC_NAME= SC_FILE=
# begin NAME [BPF] — fresh namespaces, start the capture
begin() {
	SC_NAME=$1
	SC_FILE=$W/$1.pcap
	rm -f "$SC_FILE"
	log "scenario $SC_NAME"
	lab_up wt
	lab_capture_start "$SC_FILE" "${2:-tcp port 443}"
}

# finish — stop the capture, tear the lab down, run generic checks
finish() {
	sleep 0.3
	lab_capture_stop
	lab_down
	[ -s "$SC_FILE" ] || die "$SC_NAME: empty capture"
	local maxlen
	maxlen=$(tshark -n -r "$SC_FILE" -T fields -e frame.len 2>/dev/null | sort -n | tail -1)
	[ -n "$maxlen" ] || die "$SC_NAME: no packets"
	[ "$maxlen" -le 1514 ] || die "$SC_NAME: frame of $maxlen bytes (offloads on?)"
	# every TCP connection captured from SYN to FIN/RST (nothing cut off)
	local syns ends
	syns=$(tshark -n -r "$SC_FILE" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' \
		-T fields -e tcp.stream 2>/dev/null | sort -u | wc -l)
	ends=$(tshark -n -r "$SC_FILE" -Y 'tcp.flags.fin == 1 || tcp.flags.reset == 1' \
		-T fields -e tcp.stream 2>/dev/null | sort -u | wc -l)
	[ "$syns" = "$ends" ] || die "$SC_NAME: $syns connections but $ends closed"
}

# expect FILTER [DECODE-AS] — at least one packet matches the display filter
expect() {
	local n
	n=$(tshark -n -r "$SC_FILE" ${2:+-d "$2"} -Y "$1" 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || {
		tshark -n -r "$SC_FILE" ${2:+-d "$2"} 2>/dev/null | sed 's/^/    /' >&2
		die "$SC_NAME: no packet matches: $1"
	}
}
# expect_none FILTER [DECODE-AS]
expect_none() {
	local n
	n=$(tshark -n -r "$SC_FILE" ${2:+-d "$2"} -Y "$1" 2>/dev/null | wc -l)
	[ "$n" -eq 0 ] || die "$SC_NAME: unexpected packet matches: $1"
}
# expect_count N FILTER [DECODE-AS]
expect_count() {
	local n
	n=$(tshark -n -r "$SC_FILE" ${3:+-d "$3"} -Y "$2" 2>/dev/null | wc -l)
	[ "$n" -eq "$1" ] || die "$SC_NAME: $n packets (want $1) match: $2"
}

install_capture() {
	cp "$SC_FILE" "$STAGE/$SC_NAME.pcap"
	INSTALLED="$INSTALLED $SC_NAME.pcap"
}

# common tshark checks
SH='tls.handshake.type == 2'                # ServerHello (also HRR)
CH='tls.handshake.type == 1'
V12='tls.handshake.version == 0x0303'
V13='tls.handshake.extensions.supported_version == 0x0304'
APPDATA='tls.app_data'
SNI="tls.handshake.extensions_server_name == \"$HOST\""

OSRV="openssl s_server -accept 443 -naccept 1"
OCLI="openssl s_client -connect $S:443 -servername $HOST -ign_eof"
CHAIN="-cert $PKI/server.crt -key $PKI/server.key -cert_chain $PKI/int.crt"

# ssl_pair NAME SERVER-ARGS -- CLIENT-ARGS : one s_server -www connection
ssl_pair() {
	local name=$1
	shift
	local sargs=() cargs=() seen=0
	for a in "$@"; do
		if [ "$seen" = 0 ] && [ "$a" = -- ]; then seen=1; continue; fi
		if [ "$seen" = 0 ]; then sargs+=("$a"); else cargs+=("$a"); fi
	done
	begin "$name"
	bg_server "$name" $OSRV -www "${sargs[@]}"
	wait_listen tcp 443
	client "$name" $OCLI "${cargs[@]}" < <(http_get)
	finish
}

########################################################################
# Scenarios
########################################################################

sc_tls13_basic_nginx_curl() {
	mkdir -p "$W/nginx/html"
	echo "hello from the wireaudit TLS lab" >"$W/nginx/html/index.html"
	cat >"$W/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $W/nginx/tmp;
	proxy_temp_path $W/nginx/tmp;
	fastcgi_temp_path $W/nginx/tmp;
	uwsgi_temp_path $W/nginx/tmp;
	scgi_temp_path $W/nginx/tmp;
	server {
		listen 443 ssl http2;
		listen 8443 ssl;
		server_name $HOST;
		ssl_certificate $PKI/server.chain.pem;
		ssl_certificate_key $PKI/server.key;
		ssl_certificate $PKI/serverec.chain.pem;
		ssl_certificate_key $PKI/serverec.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		root $W/nginx/html;
	}
	server {
		listen 4443 ssl;
		server_name $HOST;
		ssl_certificate $PKI/selfsigned.crt;
		ssl_certificate_key $PKI/selfsigned.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		root $W/nginx/html;
	}
}
EOF
	begin tls13-basic-nginx-curl
	bg_server nginx nginx -c "$W/nginx/nginx.conf" -g 'daemon off;'
	wait_listen tcp 443
	client curl curl -sS --http2 --cacert "$W/test-ca.pem" \
		--resolve "$HOST:443:$S" "https://$HOST/" "https://$HOST/index.html"
	finish
	[ "$CLIENT_RC" = 0 ] || die "$SC_NAME: curl failed"
	expect "$CH && $SNI && tls.handshake.extensions_alpn_str == \"h2\" && tls.handshake.extensions_alpn_str == \"http/1.1\""
	expect "$SH && $V13"   # the chosen ALPN is in EncryptedExtensions
	expect "$APPDATA"
	expect_count 1 "$CH"
	install_capture
	editcap -F pcapng "$STAGE/$SC_NAME.pcap" "$STAGE/$SC_NAME.pcapng"
	INSTALLED="$INSTALLED $SC_NAME.pcapng"

	# curl -k against a self-signed certificate: the client accepts an
	# untrusted chain and sends a request (TLS 1.2 so the chain is visible)
	begin tls12-client-accepts-untrusted-curl "tcp port 4443"
	bg_server nginx nginx -c "$W/nginx/nginx.conf" -g 'daemon off;'
	wait_listen tcp 4443
	client curl2 curl -sS -k --tls-max 1.2 --resolve "$HOST:4443:$S" "https://$HOST:4443/"
	finish
	[ "$CLIENT_RC" = 0 ] || die "$SC_NAME: curl -k failed"
	expect "$SH && $V12"
	expect "tls.handshake.type == 11 && x509sat.printableString == \"$HOST\" || tls.handshake.type == 11 && x509sat.uTF8String == \"$HOST\""
	expect "$APPDATA"
	expect_none "tls.alert_message.level"   # close_notify is encrypted
	install_capture

	# nginx + curl on 8443, TLS 1.2 ECDHE-ECDSA (nginx picks the EC cert)
	begin tls12-port8443-nginx-ecdsa "tcp port 8443"
	bg_server nginx nginx -c "$W/nginx/nginx.conf" -g 'daemon off;'
	wait_listen tcp 8443
	client curl3 curl -sS --tls-max 1.2 --cacert "$W/test-ca.pem" \
		--ciphers ECDHE-ECDSA-AES128-GCM-SHA256 \
		--resolve "$HOST:8443:$S" "https://$HOST:8443/"
	finish
	[ "$CLIENT_RC" = 0 ] || die "$SC_NAME: curl failed"
	expect "$SH && $V12 && tls.handshake.ciphersuite == 0xc02b" tcp.port==8443,tls
	expect "$APPDATA" tcp.port==8443,tls
	install_capture
}

sc_tls12_ecdhe_rsa_aesgcm() {
	ssl_pair tls12-ecdhe-rsa-aes128gcm $CHAIN -- -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
	expect "$SH && $V12 && tls.handshake.ciphersuite == 0xc02f"
	expect "tls.handshake.type == 12"
	expect "$APPDATA"
	install_capture
}

sc_tls12_rsa_kx() {
	ssl_pair tls12-rsa-kx-aes128gcm $CHAIN -- -tls1_2 -cipher AES128-GCM-SHA256
	expect "$SH && $V12 && tls.handshake.ciphersuite == 0x009c"
	expect_none "tls.handshake.type == 12"
	expect "$APPDATA"
	install_capture
}

sc_tls12_cbc() {
	ssl_pair tls12-ecdhe-rsa-aes128-cbc-sha $CHAIN -- -tls1_2 -cipher ECDHE-RSA-AES128-SHA
	expect "$SH && $V12 && tls.handshake.ciphersuite == 0xc013"
	expect "$APPDATA"
	install_capture
}

sc_tls12_null() {
	ssl_pair tls12-rsa-null-sha256 $CHAIN -cipher NULL-SHA256:@SECLEVEL=0 -- \
		-tls1_2 -cipher NULL-SHA256:@SECLEVEL=0
	expect "$SH && $V12 && tls.handshake.ciphersuite == 0x003b"
	expect "$APPDATA"
	install_capture
}

sc_tls10() {
	ssl_pair tls10-ecdhe-rsa-aes128-sha $CHAIN -cipher DEFAULT:@SECLEVEL=0 -- \
		-tls1 -cipher ECDHE-RSA-AES128-SHA:@SECLEVEL=0
	expect "$SH && tls.handshake.version == 0x0301 && tls.handshake.ciphersuite == 0xc013"
	expect "$APPDATA"
	install_capture
}

sc_tls11() {
	ssl_pair tls11-ecdhe-rsa-aes256-sha $CHAIN -cipher DEFAULT:@SECLEVEL=0 -- \
		-tls1_1 -cipher ECDHE-RSA-AES256-SHA:@SECLEVEL=0
	expect "$SH && tls.handshake.version == 0x0302 && tls.handshake.ciphersuite == 0xc014"
	expect "$APPDATA"
	install_capture
}

sc_dhe1024() {
	ssl_pair tls12-dhe-rsa-1024 $CHAIN -dhparam "$PKI/dh1024.pem" \
		-cipher DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0 -- \
		-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0
	expect "$SH && $V12 && tls.handshake.ciphersuite == 0x009e"
	expect "tls.handshake.type == 12 && tls.handshake.p_len == 128"
	expect "$APPDATA"
	install_capture
}

sc_3des_gnutls() {
	local prio='NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+3DES-CBC:-KX-ALL:+RSA:-MAC-ALL:+SHA1'
	begin tls12-rsa-3des-gnutls
	bg_server 3des gnutls-serv --http -p 443 --priority "$prio" \
		--x509certfile "$PKI/server.chain.pem" --x509keyfile "$PKI/server.key"
	wait_listen tcp 443
	client 3des gnutls-cli -p 443 --priority "$prio" \
		--x509cafile "$W/test-ca.pem" --sni-hostname "$HOST" --verify-hostname "$HOST" "$S" \
		< <(http_get; sleep 1)
	finish
	expect "$SH && $V12 && tls.handshake.ciphersuite == 0x000a"
	expect "$APPDATA"
	install_capture
}

sc_mtls() {
	ssl_pair tls12-mtls-client-cert $CHAIN -Verify 1 -CAfile "$PKI/root.crt" \
		-verify_return_error -- -tls1_2 -cert "$PKI/client.crt" -key "$PKI/client.key" \
		-cert_chain "$PKI/int.crt"
	expect "tls.handshake.type == 13"
	expect "tls.handshake.type == 11 && ip.src == $LAB_C_IP && tls.handshake.certificates_length > 0"
	expect "$APPDATA && ip.src == $LAB_C_IP"
	expect_none "tls.alert_message.level"   # close_notify is encrypted
	install_capture

	ssl_pair tls12-mtls-no-cert $CHAIN -verify 1 -CAfile "$PKI/root.crt" -- -tls1_2
	expect "tls.handshake.type == 13"
	expect "tls.handshake.type == 11 && ip.src == $LAB_C_IP && tls.handshake.certificates_length == 0"
	expect "$APPDATA && ip.src == $LAB_C_IP"
	install_capture

	# TLS 1.3 mTLS: CertificateRequest and the client certificate are encrypted
	ssl_pair tls13-mtls-client-cert $CHAIN -Verify 1 -CAfile "$PKI/root.crt" \
		-verify_return_error -- -tls1_3 -cert "$PKI/client.crt" -key "$PKI/client.key" \
		-cert_chain "$PKI/int.crt"
	expect "$SH && $V13"
	expect "$APPDATA && ip.src == $LAB_C_IP"
	# not visible on the wire: the server log shows the verified client chain
	[ "$(grep -c '^verify return:1' "$W/$SC_NAME.server.log")" -ge 2 ] ||
		die "$SC_NAME: server did not verify a client certificate"
	install_capture
}

sc_ocsp() {
	ssl_pair tls12-ocsp-stapled-good $CHAIN -status_file "$PKI/server.ocsp.der" -- \
		-tls1_2 -status
	expect "$CH && tls.handshake.extension.type == 5"
	expect "tls.handshake.type == 22 && ocsp.certStatus == 0"
	expect "$APPDATA"
	install_capture

	ssl_pair tls12-ocsp-stapled-revoked -cert "$PKI/revoked.crt" -key "$PKI/revoked.key" \
		-cert_chain "$PKI/int.crt" -status_file "$PKI/revoked.ocsp.der" -- -tls1_2 -status
	expect "tls.handshake.type == 22 && ocsp.certStatus == 1"
	grep -q 'Cert Status: revoked' "$W/$SC_NAME.client.log" || die "$SC_NAME: no revoked staple"
	install_capture

	ssl_pair tls12-status-request-no-staple $CHAIN -- -tls1_2 -status
	expect "$CH && tls.handshake.extension.type == 5"
	expect_none "tls.handshake.type == 22"
	expect "$APPDATA"
	install_capture

	# TLS 1.3: the staple travels inside the (encrypted) Certificate message
	ssl_pair tls13-ocsp-stapled $CHAIN -status_file "$PKI/server.ocsp.der" -- -status
	expect "$SH && $V13"
	expect "$CH && tls.handshake.extension.type == 5"
	grep -q 'Cert Status: good' "$W/$SC_NAME.client.log" || die "$SC_NAME: no staple received"
	install_capture
}

sc_certs() {
	# self-signed; s_client without -verify_return_error goes on and sends data
	ssl_pair tls12-self-signed -cert "$PKI/selfsigned.crt" -key "$PKI/selfsigned.key" -- -tls1_2
	expect "tls.handshake.type == 11 && tls.handshake.certificates_length > 0"
	expect "$APPDATA && ip.src == $LAB_C_IP"
	install_capture

	# the same server, but the client verifies: fatal unknown_ca (48)
	ssl_pair tls12-client-rejects-untrusted -cert "$PKI/selfsigned.crt" \
		-key "$PKI/selfsigned.key" -- -tls1_2 -verify_return_error -CAfile "$W/test-ca.pem" \
		-verify_hostname "$HOST"
	[ "$CLIENT_RC" != 0 ] || die "$SC_NAME: client should have failed"
	expect "tls.alert_message.level == 2 && tls.alert_message.desc == 48 && ip.src == $LAB_C_IP"
	expect_none "$APPDATA"
	install_capture

	# expired leaf, client verifies with the test CA: certificate_expired (45)
	ssl_pair tls12-expired-cert -cert "$PKI/expired.crt" -key "$PKI/expired.key" \
		-cert_chain "$PKI/int.crt" -- -tls1_2 -verify_return_error \
		-CAfile "$W/test-ca.pem" -verify_hostname "$HOST"
	[ "$CLIENT_RC" != 0 ] || die "$SC_NAME: client should have failed"
	expect "tls.alert_message.level == 2 && tls.alert_message.desc == 45"
	install_capture

	# wrong host: curl (hostname check) against other.wireaudit.test
	begin tls12-wrong-host-curl
	bg_server wronghost $OSRV -www -cert "$PKI/wronghost.crt" -key "$PKI/wronghost.key" \
		-cert_chain "$PKI/int.crt"
	wait_listen tcp 443
	client wronghost curl -sS --tls-max 1.2 --cacert "$W/test-ca.pem" \
		--resolve "$HOST:443:$S" "https://$HOST/"
	finish
	[ "$CLIENT_RC" != 0 ] || die "$SC_NAME: curl should have failed"
	# curl (OpenSSL backend) checks the name after the handshake: the
	# handshake completes, then the client closes (encrypted close_notify)
	# without sending a request
	expect "tls.handshake.type == 11"
	expect "tls.record.content_type == 20 && ip.src == $S"
	expect_none "$APPDATA"
	expect_none "tls.alert_message.level"
	install_capture

	# wrong host, s_client checks the name during the handshake: fatal alert
	ssl_pair tls12-wrong-host-openssl -cert "$PKI/wronghost.crt" -key "$PKI/wronghost.key" \
		-cert_chain "$PKI/int.crt" -- -tls1_2 -verify_return_error \
		-CAfile "$W/test-ca.pem" -verify_hostname "$HOST"
	[ "$CLIENT_RC" != 0 ] || die "$SC_NAME: client should have failed"
	expect "tls.alert_message.level == 2 && ip.src == $LAB_C_IP"
	expect_none "$APPDATA"
	install_capture

	# good chain: leaf + intermediate, verified up to the test root, data
	ssl_pair tls12-good-chain $CHAIN -- -tls1_2 -verify_return_error \
		-CAfile "$W/test-ca.pem" -verify_hostname "$HOST"
	[ "$CLIENT_RC" = 0 ] || die "$SC_NAME: client failed"
	expect "tls.handshake.type == 11 && tls.handshake.certificates_length > 0"
	expect "$APPDATA && ip.src == $LAB_C_IP"
	expect_none "tls.alert_message.level == 2"
	install_capture

	# weak key: RSA-1024 leaf (needs SECLEVEL=0 on both ends)
	ssl_pair tls12-weak-rsa1024-leaf -cert "$PKI/weak1024.crt" -key "$PKI/weak1024.key" \
		-cert_chain "$PKI/int.crt" -cipher DEFAULT:@SECLEVEL=0 -- -tls1_2 \
		-cipher DEFAULT:@SECLEVEL=0 -verify_return_error -CAfile "$W/test-ca.pem"
	expect "tls.handshake.type == 11"
	expect "$APPDATA"
	install_capture

	# weak signature: leaf signed with sha1WithRSAEncryption
	ssl_pair tls12-sha1-signed-leaf -cert "$PKI/sha1sig.crt" -key "$PKI/sha1sig.key" \
		-cert_chain "$PKI/int.crt" -cipher DEFAULT:@SECLEVEL=0 -- -tls1_2 \
		-cipher DEFAULT:@SECLEVEL=0
	expect "tls.handshake.type == 11 && x509af.algorithm.id == 1.2.840.113549.1.1.5"
	expect "$APPDATA"
	install_capture
}

# resume NAME SERVER-ARGS -- CLIENT-ARGS : two connections, second resumes
resume() {
	local name=$1
	shift
	local sargs=() cargs=() seen=0
	for a in "$@"; do
		if [ "$seen" = 0 ] && [ "$a" = -- ]; then seen=1; continue; fi
		if [ "$seen" = 0 ]; then sargs+=("$a"); else cargs+=("$a"); fi
	done
	begin "$name"
	bg_server "$name" openssl s_server -accept 443 -naccept 2 -www "${sargs[@]}"
	wait_listen tcp 443
	client "$name" $OCLI -sess_out "$W/$name.sess" "${cargs[@]}" < <(http_get)
	[ -s "$W/$name.sess" ] || die "$name: no session saved"
	client "$name" $OCLI -sess_in "$W/$name.sess" "${cargs[@]}" < <(http_get)
	finish
	grep -q '^Reused' "$W/$name.client.log" || die "$name: session not reused"
}

sc_resumption() {
	resume tls12-resume-session-id $CHAIN -no_ticket -- -tls1_2 -no_ticket
	expect_count 2 "$CH"
	# the second ClientHello offers the session id; no Certificate the 2nd time
	expect_count 1 "tls.handshake.type == 11"
	expect "$CH && tls.handshake.session_id_length == 32"
	install_capture

	resume tls12-resume-ticket $CHAIN -- -tls1_2
	expect_count 2 "$CH"
	expect "tls.handshake.type == 4"
	expect "$CH && tls.handshake.extension.type == 35"
	expect_count 1 "tls.handshake.type == 11"
	install_capture

	resume tls13-resume-psk $CHAIN -- -tls1_3
	expect_count 2 "$CH"
	expect "$CH && tls.handshake.extension.type == 41"
	expect "$SH && tls.handshake.extension.type == 41"
	install_capture
}

sc_hrr() {
	ssl_pair tls13-hrr $CHAIN -groups P-256 -- -tls1_3 -groups X25519:P-256
	expect_count 2 "$CH"
	expect "$SH && tls.handshake.random == cf:21:ad:74:e5:9a:61:11:be:1d:8c:02:1e:65:b8:91:c2:a2:11:16:7a:bb:8c:5e:07:9e:09:e2:c8:a8:33:9c"
	expect "$APPDATA"
	install_capture
}

sc_gnutls_cli() {
	begin tls13-gnutls-cli
	bg_server gnutls $OSRV -www $CHAIN
	wait_listen tcp 443
	client gnutls gnutls-cli -p 443 --x509cafile "$W/test-ca.pem" \
		--sni-hostname "$HOST" --verify-hostname "$HOST" --alpn http/1.1 "$S" < <(http_get; sleep 1)
	finish
	expect "$CH && $SNI && tls.handshake.extensions_alpn_str == \"http/1.1\""
	expect "$SH && $V13"
	expect "$APPDATA"
	install_capture
}

sc_ports() {
	begin tls13-port5433-openssl "tcp port 5433"
	bg_server p5433 openssl s_server -accept 5433 -naccept 1 -www $CHAIN
	wait_listen tcp 5433
	client p5433 openssl s_client -connect "$S:5433" -servername "$HOST" -ign_eof < <(http_get)
	finish
	expect "$SH && $V13" tcp.port==5433,tls
	expect "$APPDATA" tcp.port==5433,tls
	install_capture
}

sc_ipv6() {
	begin tls13-ipv6 "tcp port 443"
	bg_server v6 openssl s_server -6 -accept 443 -naccept 1 -www $CHAIN
	wait_listen tcp 443
	client v6 openssl s_client -connect "[$LAB_S_IP6]:443" -servername "$HOST" -ign_eof < <(http_get)
	finish
	expect "ipv6 && $SH && $V13"
	expect "$APPDATA"
	install_capture
}

sc_quic() {
	mkdir -p "$W/htdocs"
	echo "hello over QUIC from the wireaudit lab" >"$W/htdocs/index.html"
	begin quic-ngtcp2 "udp port 443"
	bg_server quic gtlsserver -q --no-pmtud -d "$W/htdocs" "$S" 443 \
		"$PKI/server.key" "$PKI/server.chain.pem"
	wait_listen udp 443
	# ngtcp2 0.12 sends SNI "localhost" for a numeric host and ignores --sni
	# then, so give the client a private /etc/hosts (own mount namespace;
	# the system file is not touched)
	echo "$S $HOST" >"$W/hosts"
	client quic unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh \
		"$W/hosts" gtlsclient -q --no-pmtud --exit-on-all-streams-close \
		"$HOST" 443 "https://$HOST/index.html"
	finish
	[ "$CLIENT_RC" = 0 ] || die "$SC_NAME: gtlsclient failed"
	expect "quic.long.packet_type == 0 && $CH && $SNI"
	expect "quic.long.packet_type == 0 && $SH"
	expect "quic.header_form == 0"
	install_capture
}

ALL="tls13_basic_nginx_curl tls12_ecdhe_rsa_aesgcm tls12_rsa_kx tls12_cbc
tls12_null tls10 tls11 dhe1024 3des_gnutls mtls ocsp certs resumption hrr
gnutls_cli ports ipv6 quic"

########################################################################

INSTALLED=
if [ $# -gt 0 ]; then
	OUT=${TLS_OUT:-/tmp/wireaudit-tls-partial}
	for sc in "$@"; do
		declare -F "sc_$sc" >/dev/null || die "unknown scenario $sc (one of: $(echo $ALL))"
	done
fi
make_pki
cp "$W/test-ca.pem" "$STAGE/test-ca.pem"
INSTALLED="test-ca.pem"
for sc in ${*:-$ALL}; do
	"sc_$sc"
done

mkdir -p "$OUT"
for f in $INSTALLED; do
	install -m 644 "$STAGE/$f" "$OUT/$f"
done
total=0
log "installed in $OUT:"
for f in $INSTALLED; do
	n=$(stat -c %s "$OUT/$f")
	total=$((total + n))
	printf '  %-44s %7d bytes\n' "$f" "$n" >&2
done
log "total $total bytes"
