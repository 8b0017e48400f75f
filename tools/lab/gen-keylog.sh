#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-keylog.sh — regenerate pcaps/keylog/: TLS 1.3 connections between real
# peers (openssl s_server, openssl s_client -keylogfile, curl with
# SSLKEYLOGFILE) with the NSS key logs the clients wrote, for
# `wireaudit capture --keylog` (docs/TLS.md "Key logs").
#
# A fresh throwaway PKI (root CA, intermediate, server and client leaves, an
# OCSP response for the server leaf) is made in a temporary directory; only
# the root certificate is kept (pcaps/keylog/test-ca.pem). The key logs are
# of these lab connections only and are committed next to their captures.
#
# Usage: sudo tools/lab/gen-keylog.sh      (KEEP=1 keeps the temporary dir)
# Needs: root, iproute2, ethtool, tcpdump, tshark, openssl, curl.
# Addresses are private (10.99.34.0/24) and exist only inside the
# namespaces this script makes.

set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/pcaps/keylog
LAB_NET=${LAB_NET:-34}
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || { echo "gen-keylog.sh: must run as root" >&2; exit 1; }
for tool in ip ethtool tcpdump tshark openssl curl ss timeout; do
	command -v "$tool" >/dev/null 2>&1 || { echo "gen-keylog.sh: missing $tool" >&2; exit 1; }
done

HOST=server.wireaudit.test
W=$(mktemp -d /tmp/wireaudit-gen-keylog.XXXXXX)
PKI=$W/pki
log() { echo "gen-keylog: $*" >&2; }
die() { echo "gen-keylog: FAIL: $*" >&2; exit 1; }
cleanup() {
	lab_down 2>/dev/null || true
	if [ -n "${KEEP:-}" ]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$PKI" "$W/out"

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

O="/O=wireaudit test PKI"
newkey() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }
cadir() { mkdir -p "$1/newcerts"; : >"$1/index.txt"; echo "$2" >"$1/serial"; }
# issue CADIR CACERT CAKEY NAME SUBJECT EXT [openssl-ca args]
issue() {
	local dir=$1 cacert=$2 cakey=$3 name=$4 subj=$5 ext=$6
	shift 6
	newkey "$PKI/$name.key"
	openssl req -new -config "$PKI/ca.cnf" -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr"
	CADIR=$dir openssl ca -batch -notext -config "$PKI/ca.cnf" -cert "$cacert" -keyfile "$cakey" \
		-extensions "$ext" -in "$PKI/$name.csr" -out "$PKI/$name.crt" "$@" 2>/dev/null
}

log "building the test PKI"
export SAN="DNS:$HOST" CADIR=$PKI/intca
cadir "$PKI/rootca" 3400
cadir "$PKI/intca" 3500
newkey "$PKI/root.key"
openssl req -new -config "$PKI/ca.cnf" -key "$PKI/root.key" -subj "$O/CN=wireaudit Key Log Root CA" \
	-out "$PKI/root.csr"
CADIR=$PKI/rootca openssl ca -batch -notext -selfsign -config "$PKI/ca.cnf" -keyfile "$PKI/root.key" \
	-extensions v3_root -days 7300 -in "$PKI/root.csr" -out "$PKI/root.crt" 2>/dev/null
issue "$PKI/rootca" "$PKI/root.crt" "$PKI/root.key" int "$O/CN=wireaudit Key Log Intermediate CA" \
	v3_int -days 5000
I=("$PKI/intca" "$PKI/int.crt" "$PKI/int.key")
issue "${I[@]}" server "$O/CN=$HOST" v3_server
issue "${I[@]}" client "$O/CN=client.wireaudit.test" v3_client
cat "$PKI/int.crt" "$PKI/root.crt" >"$PKI/cabundle.pem"
openssl ocsp -index "$PKI/intca/index.txt" -CA "$PKI/int.crt" -rsigner "$PKI/int.crt" \
	-rkey "$PKI/int.key" -ndays 30 -issuer "$PKI/int.crt" -cert "$PKI/server.crt" \
	-respout "$PKI/server.ocsp.der" >/dev/null 2>&1
openssl ocsp -respin "$PKI/server.ocsp.der" -resp_text -noverify 2>/dev/null |
	grep -q "Cert Status: good" || die "OCSP response"
openssl verify -CAfile "$PKI/root.crt" -untrusted "$PKI/int.crt" "$PKI/server.crt" >/dev/null ||
	die "server chain does not verify"

S=$LAB_S_IP
CHAIN="-cert $PKI/server.crt -key $PKI/server.key -cert_chain $PKI/int.crt"
SRV="openssl s_server -accept 443 -naccept 1 -tls1_3 -www"
CLI="openssl s_client -connect $S:443 -servername $HOST -tls1_3 -ign_eof"
http_get() { printf 'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' "$HOST"; }

wait_listen() {
	for _ in $(seq 1 100); do
		lab_s ss -ltnH "sport = :443" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	die "nothing listening on 443"
}

SC=
begin() {
	SC=$1
	log "scenario $SC"
	lab_up kl
	lab_capture_start "$W/out/$SC.pcap" "tcp port 443"
}
finish() {
	sleep 0.3
	lab_capture_stop
	lab_down
	[ -s "$W/out/$SC.pcap" ] || die "$SC: empty capture"
	[ -s "$W/out/$SC.keys" ] || die "$SC: no key log"
	grep -q '^SERVER_HANDSHAKE_TRAFFIC_SECRET ' "$W/out/$SC.keys" || die "$SC: key log without secrets"
}
# expect FILTER: tshark, given the key log, decodes a packet that matches
expect() {
	local n
	n=$(tshark -n -o "tls.keylog_file:$W/out/$SC.keys" -r "$W/out/$SC.pcap" -Y "$1" 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || die "$SC: no packet matches: $1"
}
# s_pair NAME SERVER-ARGS -- CLIENT-ARGS
s_pair() {
	local name=$1
	shift
	local sargs=() cargs=() seen=0
	for a in "$@"; do
		if [ "$seen" = 0 ] && [ "$a" = -- ]; then seen=1; continue; fi
		if [ "$seen" = 0 ]; then sargs+=("$a"); else cargs+=("$a"); fi
	done
	begin "$name"
	lab_s $SRV "${sargs[@]}" </dev/null >"$W/$name.server.log" 2>&1 &
	wait_listen
	lab_c timeout 20 $CLI -keylogfile "$W/out/$name.keys" "${cargs[@]}" < <(http_get) \
		>"$W/$name.client.log" 2>&1 || true
	finish
}

# 1. plain TLS 1.3, AES-128-GCM: the server's chain
s_pair tls13-aes128 $CHAIN -ciphersuites TLS_AES_128_GCM_SHA256 -alpn http/1.1 -- -CAfile "$PKI/root.crt" \
	-alpn h2,http/1.1
expect "tls.handshake.type == 11"
expect "tls.handshake.type == 8 && tls.handshake.extensions_alpn_str == \"http/1.1\""
expect "tls.handshake.type == 20"
# 2. mTLS: CertificateRequest, the client's chain (AES-256-GCM, SHA-384)
s_pair tls13-mtls $CHAIN -Verify 2 -CAfile "$PKI/cabundle.pem" -ciphersuites TLS_AES_256_GCM_SHA384 -- \
	-CAfile "$PKI/root.crt" -cert "$PKI/client.crt" -key "$PKI/client.key" -cert_chain "$PKI/int.crt"
expect "tls.handshake.type == 13"
expect "tls.handshake.type == 11 && ip.src == $LAB_C_IP"
# 3. the client is asked for a certificate and has none (-verify: optional)
s_pair tls13-certreq-none $CHAIN -verify 2 -CAfile "$PKI/cabundle.pem" -ciphersuites TLS_CHACHA20_POLY1305_SHA256 -- \
	-CAfile "$PKI/root.crt"
expect "tls.handshake.type == 13"
# 4. a stapled OCSP response in the leaf's CertificateEntry (status_request)
s_pair tls13-ocsp-stapled $CHAIN -status_file "$PKI/server.ocsp.der" -- -CAfile "$PKI/root.crt" -status
expect "tls.handshake.type == 11 && ocsp.certStatus == 0"
# 5. curl writing SSLKEYLOGFILE
SC=tls13-curl
begin "$SC"
lab_s $SRV $CHAIN </dev/null >"$W/$SC.server.log" 2>&1 &
wait_listen
lab_c env SSLKEYLOGFILE="$W/out/$SC.keys" timeout 20 curl -s --tlsv1.3 --cacert "$PKI/root.crt" \
	--resolve "$HOST:443:$S" -o /dev/null "https://$HOST/" >"$W/$SC.client.log" 2>&1 || true
finish
expect "tls.handshake.type == 11"

for f in "$W"/out/*; do
	# key logs: the handshake secrets only (the application secrets are
	# never read by wireaudit; keeping them out of the repository too)
	case $f in
	*.keys) grep -E '^(CLIENT|SERVER)_HANDSHAKE_TRAFFIC_SECRET ' "$f" >"$f.hs" && mv "$f.hs" "$f" ;;
	esac
done
mkdir -p "$OUT"
cp "$W"/out/*.pcap "$W"/out/*.keys "$OUT/"
cp "$PKI/root.crt" "$OUT/test-ca.pem"
log "installed in $OUT: $(cd "$W/out" && echo *)"
