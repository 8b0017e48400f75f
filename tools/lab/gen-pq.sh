#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-pq.sh — regenerate the real-traffic post-quantum captures in pcaps/pq/
# (issue 19, post-quantum readiness): Debian 12's Chromium (156, which offers
# the hybrid group X25519MLKEM768, 0x11EC, with a key share by default)
# against Debian 12's OpenSSL 3.0 s_server, which knows no ML-KEM group and
# so never selects one. Each scenario a fresh pair of network namespaces
# (tools/lab/lib.sh), captured on the client veth.
#
#   sudo tools/lab/gen-pq.sh                 # every scenario
#   sudo tools/lab/gen-pq.sh chromium-hrr    # a subset, by name
#   sudo tools/lab/gen-pq.sh --list
#
# Scenarios:
#   chromium-openssl  s_server with its default groups: the server takes
#                     Chromium's x25519 share (PQ offered, not selected)
#   chromium-hrr      s_server -groups P-256: neither share fits, the server
#                     sends a HelloRetryRequest for secp256r1 (not PQ) and
#                     Chromium's second ClientHello carries that share
# (Chromium 156 ignores --disable-features=PostQuantumKyber: it offers the
# group anyway, so a client without PQ comes from the other captures,
# curl and openssl s_client, whose OpenSSL 3.0 has no ML-KEM.)
# No Debian 12 package selects a post-quantum group as a server (OpenSSL 3.0,
# GnuTLS 3.7, NSS 3.87 as a server: none has ML-KEM), so the server side of
# a PQ key exchange is hand-built (tools/mkpcap-tls.py, tls13-pq-*).
# Chromium runs headless as root (--no-sandbox), with a throw-away profile,
# and fetches one page; it may open a second connection (a preconnect).
# Needs root and chromium openssl tcpdump (tools/install-deps --lab).

LAB_NET=${LAB_NET:-41}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set -o pipefail

OUT=${OUT:-$ROOT/pcaps/pq}
SCENARIOS=(chromium-openssl chromium-hrr)
if [ "${1:-}" = "--list" ]; then
	printf '%s\n' "${SCENARIOS[@]}"
	exit 0
fi
[ $# -gt 0 ] && SCENARIOS=("$@")

PQ_TMP=$(mktemp -d /tmp/wq-lab.XXXXXX)
chmod 755 "$PQ_TMP"
pq_cleanup() {
	lab_down 2>/dev/null || true
	rm -rf "$PQ_TMP"
}
trap pq_cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PQ_TMP/key.pem" \
	-out "$PQ_TMP/cert.pem" -days 3650 -subj /CN=pq.lab.test \
	-addext "subjectAltName=DNS:pq.lab.test,IP:$LAB_S_IP" 2>/dev/null

scenario() {
	local name=$1 sargs=() cargs=()
	case $name in
	chromium-openssl) ;;
	chromium-hrr) sargs=(-groups P-256) ;;
	*) echo "gen-pq: unknown scenario $name" >&2; return 1 ;;
	esac
	lab_up wq
	lab_s openssl s_server -accept 443 -www -cert "$PQ_TMP/cert.pem" -key "$PQ_TMP/key.pem" \
		"${sargs[@]}" >"$PQ_TMP/$name.srv" 2>&1 &
	sleep 1
	lab_capture_start "$OUT/$name.pcap" tcp port 443
	rm -rf "$PQ_TMP/profile"
	timeout 60 ip netns exec "$LAB_C" chromium --headless=new --no-sandbox --disable-gpu \
		--ignore-certificate-errors --no-first-run --user-data-dir="$PQ_TMP/profile" \
		"${cargs[@]}" --dump-dom "https://$LAB_S_IP/" >"$PQ_TMP/$name.dom" 2>/dev/null
	local rc=$?
	lab_capture_stop
	lab_down
	if [ $rc -ne 0 ] || ! grep -q "s_server" "$PQ_TMP/$name.dom"; then
		echo "gen-pq: $name: chromium exit $rc, page not fetched" >&2
		return 1
	fi
	echo "gen-pq: $name -> $OUT/$name.pcap"
}

mkdir -p "$OUT"
for s in "${SCENARIOS[@]}"; do
	scenario "$s" || exit 1
done
