#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-keylog-quic.sh — regenerate the QUIC captures of pcaps/keylog/: QUIC v1
# handshakes between real peers (ngtcp2's GnuTLS examples, Debian 12
# packages ngtcp2-client and ngtcp2-server: gtlsclient, gtlsserver) with
# the NSS key log GnuTLS writes for the client (SSLKEYLOGFILE), for
# `wireaudit capture --keylog` (docs/TLS.md "Key logs", QUIC).
#
# A fresh throwaway PKI (root CA, server leaf quic.wireaudit.test, client
# leaf client.wireaudit.test) is made in a temporary directory; only the
# root certificate is kept (pcaps/keylog/quic-test-ca.pem). Scenarios:
#   quic-aes128   TLS_AES_128_GCM_SHA256, server certificate, ALPN h3
#   quic-aes256   TLS_AES_256_GCM_SHA384 (SHA-384 key schedule, AES-256 hp)
#   quic-mtls     TLS_CHACHA20_POLY1305_SHA256 (ChaCha20 header protection),
#                 gtlsserver --verify-client: CertificateRequest, the
#                 client's certificate (gtlsclient --key/--cert)
# Each key log is reduced to the two handshake traffic secret lines
# wireaudit reads; tshark, given it, must decode the server's Certificate
# before a capture is installed.
#
# Usage: sudo tools/lab/gen-keylog-quic.sh [SCENARIO...]  (KEEP=1 keeps the dir)
# Needs: root, iproute2, ethtool, tcpdump, tshark, openssl, ngtcp2-client,
#        ngtcp2-server, util-linux (unshare). Addresses: 10.99.47.0/24,
#        inside the namespaces this script makes only.

set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/pcaps/keylog
LAB_NET=${LAB_NET:-47}
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || { echo "gen-keylog-quic.sh: must run as root" >&2; exit 1; }
for tool in ip ethtool tcpdump tshark openssl gtlsserver gtlsclient unshare timeout; do
	command -v "$tool" >/dev/null 2>&1 || { echo "gen-keylog-quic.sh: missing $tool" >&2; exit 1; }
done

HOST=quic.wireaudit.test
W=$(mktemp -d /tmp/wireaudit-gen-keylog-quic.XXXXXX)
PKI=$W/pki
log() { echo "gen-keylog-quic: $*" >&2; }
die() { echo "gen-keylog-quic: FAIL: $*" >&2; exit 1; }
cleanup() {
	lab_down 2>/dev/null || true
	if [ -n "${KEEP:-}" ]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$PKI" "$W/out" "$W/htdocs"

# Throwaway PKI: root -> server leaf, root -> client leaf (P-256)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
	-keyout "$PKI/root.key" -out "$PKI/root.crt" -subj "/O=wireaudit lab/CN=wireaudit QUIC test root" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
leaf() { # NAME CN EKU
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/$1.key" \
		-out "$PKI/$1.csr" -subj "/CN=$2" 2>/dev/null
	openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/root.crt" -CAkey "$PKI/root.key" \
		-CAcreateserial -days 3650 -sha256 -out "$PKI/$1.crt" -extfile <(printf '%s\n' \
		"basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=$3" "subjectAltName=DNS:$2") 2>/dev/null
}
leaf server "$HOST" serverAuth
leaf client client.wireaudit.test clientAuth
echo "hello over QUIC from the wireaudit lab" >"$W/htdocs/index.html"
# ngtcp2 0.12 sends SNI "localhost" for a numeric host: the client gets a
# private /etc/hosts in its own mount namespace
echo "$LAB_S_IP $HOST" >"$W/hosts"

# run NAME CIPHERS "SERVER OPTIONS" "CLIENT OPTIONS"
run() {
	local name=$1 ciphers=$2 sopts=$3 copts=$4 rc=0 n
	log "$name"
	lab_up wk
	# shellcheck disable=SC2086
	lab_s gtlsserver -q --no-pmtud --ciphers="$ciphers" $sopts -d "$W/htdocs" "$LAB_S_IP" 443 \
		"$PKI/server.key" "$PKI/server.crt" >"$W/$name.server.log" 2>&1 &
	for _ in $(seq 1 50); do
		lab_s ss -uln | grep -q ":443 " && break
		sleep 0.1
	done
	rm -f "$W/out/$name.keys"
	lab_capture_start "$W/out/$name.pcap" udp port 443
	# shellcheck disable=SC2086
	lab_c env SSLKEYLOGFILE="$W/out/$name.keys" timeout 20 unshare -m sh -c \
		'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh "$W/hosts" \
		gtlsclient -q --no-pmtud --exit-on-all-streams-close --ciphers="$ciphers" $copts \
		"$HOST" 443 "https://$HOST/index.html" >"$W/$name.client.log" 2>&1 || rc=$?
	lab_capture_stop
	lab_down
	[ "$rc" = 0 ] || { cat "$W/$name.client.log" >&2; die "$name: gtlsclient exit $rc"; }
	[ -s "$W/out/$name.keys" ] || die "$name: no key log"
	grep -q '^SERVER_HANDSHAKE_TRAFFIC_SECRET ' "$W/out/$name.keys" || die "$name: no handshake secrets"
	n=$(tshark -n -o "tls.keylog_file:$W/out/$name.keys" -r "$W/out/$name.pcap" \
		-Y "quic.long.packet_type == 2 && tls.handshake.type == 11" 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || die "$name: tshark does not decode a Certificate with the key log"
	grep -E '^(CLIENT|SERVER)_HANDSHAKE_TRAFFIC_SECRET ' "$W/out/$name.keys" >"$W/out/$name.hs"
	mv "$W/out/$name.hs" "$W/out/$name.keys"
	cp "$W/out/$name.pcap" "$W/out/$name.keys" "$OUT/"
	chmod 644 "$OUT/$name.pcap" "$OUT/$name.keys"
	log "  installed pcaps/keylog/$name.pcap"
}

TLS13="NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL"
sc_aes128() { run quic-aes128 "$TLS13:+AES-128-GCM" "" ""; }
sc_aes256() { run quic-aes256 "$TLS13:+AES-256-GCM" "" ""; }
sc_mtls() {
	run quic-mtls "$TLS13:+CHACHA20-POLY1305" "--verify-client" \
		"--key=$PKI/client.key --cert=$PKI/client.crt"
}

for sc in ${*:-aes128 aes256 mtls}; do
	"sc_$sc"
done
cp "$PKI/root.crt" "$OUT/quic-test-ca.pem"
chmod 644 "$OUT/quic-test-ca.pem"
