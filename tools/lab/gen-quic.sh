#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-quic.sh — regenerate the real-traffic QUIC captures in pcaps/quic/.
#
# ngtcp2's example HTTP/3 client and server (Debian 12 packages
# ngtcp2-client and ngtcp2-server: gtlsclient, gtlsserver, GnuTLS backend)
# talk in two network namespaces made by tools/lab/lib.sh (LAB "wq",
# 10.99.41.0/24); tcpdump captures on the client side. Scenarios:
#   quic-v1          QUIC v1 (RFC 9000), HTTP/3 GET, SNI quic.wireaudit.test
#   quic-retry       server address validation: a Retry, then the client's
#                    second Initial with a new DCID (RFC 9000 §8.1.2)
#   quic-draft29     the client speaks draft-29 (0xff00001d), the last
#                    draft still seen in the field: its own Initial salt
#                    (draft-ietf-quic-tls-29 §5.2)
#   quic-vn          the client starts with a version the server does not
#                    know (0x1a2a3a4a, a reserved "greasing" version of RFC
#                    9000 §15): Version Negotiation, then QUIC v1
#   quic-0rtt        two connections: the second resumes the first's
#                    session and sends 0-RTT packets (RFC 9001 §4.6)
# No QUIC v2 scenario: ngtcp2 0.12.1 (Debian 12) knows only the v2 drafts,
# not RFC 9369's 0x6b3343cf ("preferred-versions: unsupported version"),
# and Debian 12 has no other QUIC peer. pcaps/quic/rfc9369-v2-initials.pcap
# is hand-built from the RFC's Appendix A instead (tools/mkpcap-quic.py).
# Every capture is checked with tshark (which decrypts Initials) before it
# is installed. A throwaway self-signed key and certificate are made in a
# temporary directory and deleted.
#
# Usage: sudo tools/lab/gen-quic.sh [SCENARIO...]     (default: all)
# Needs: root, iproute2, ethtool, tcpdump, tshark, openssl, ngtcp2-client,
#        ngtcp2-server, util-linux (unshare).

set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/pcaps/quic
LAB_NET=41
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || { echo "gen-quic.sh: must run as root" >&2; exit 1; }
for tool in ip ethtool tcpdump tshark openssl gtlsserver gtlsclient unshare timeout; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "gen-quic.sh: missing $tool (see header for packages)" >&2; exit 1; }
done

HOST=quic.wireaudit.test
W=$(mktemp -d /tmp/wireaudit-gen-quic.XXXXXX)
cleanup() {
	lab_down 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT" "$W/htdocs"
log() { echo "gen-quic: $*" >&2; }
die() { echo "gen-quic: FAIL: $*" >&2; exit 1; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
	-keyout "$W/server.key" -out "$W/server.crt" -subj "/CN=$HOST" \
	-addext "subjectAltName=DNS:$HOST" 2>/dev/null
echo "hello over QUIC from the wireaudit lab" >"$W/htdocs/index.html"
# ngtcp2 0.12 sends SNI "localhost" for a numeric host, so the client gets a
# private /etc/hosts in its own mount namespace (the system file is untouched)
echo "$LAB_S_IP $HOST" >"$W/hosts"

# run_scenario NAME "SERVER OPTIONS" "CLIENT OPTIONS" TSHARK-FILTER...
run_scenario() {
	local name=$1 sopts=$2 copts=$3 f rc
	shift 3
	log "$name"
	lab_up wq
	# shellcheck disable=SC2086
	lab_s gtlsserver -q --no-pmtud $sopts -d "$W/htdocs" "$LAB_S_IP" 443 \
		"$W/server.key" "$W/server.crt" >"$W/$name.server.log" 2>&1 &
	for _ in $(seq 1 50); do
		lab_s ss -uln | grep -q ":443 " && break
		sleep 0.1
	done
	rm -f "$W/$name.pcap"
	lab_capture_start "$W/$name.pcap" udp port 443
	rc=0
	if [ -n "${FIRST_CLIENT:-}" ]; then
		# a first connection whose session the scenario's client resumes
		# shellcheck disable=SC2086
		lab_c timeout 20 unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh \
			"$W/hosts" gtlsclient -q --no-pmtud --exit-on-all-streams-close $FIRST_CLIENT \
			"$HOST" 443 "https://$HOST/index.html" >"$W/$name.client0.log" 2>&1 || rc=$?
	fi
	# shellcheck disable=SC2086
	lab_c timeout 20 unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh \
		"$W/hosts" gtlsclient -q --no-pmtud --exit-on-all-streams-close $copts \
		"$HOST" 443 "https://$HOST/index.html" >"$W/$name.client.log" 2>&1 || rc=$?
	lab_capture_stop
	lab_down
	[ "$rc" = 0 ] || { cat "$W/$name.client.log" >&2; die "$name: gtlsclient exit $rc"; }
	for f in "$@"; do
		[ -n "$(tshark -r "$W/$name.pcap" -Y "$f" 2>/dev/null | head -1)" ] ||
			die "$name: tshark finds no packet matching: $f"
	done
	cp "$W/$name.pcap" "$OUT/$name.pcap"
	chmod 644 "$OUT/$name.pcap"
	log "  installed pcaps/quic/$name.pcap ($(stat -c %s "$OUT/$name.pcap") bytes)"
}

CH='tls.handshake.type == 1'
SH='tls.handshake.type == 2'
SNI="tls.handshake.extensions_server_name == \"$HOST\""

sc_v1() {
	run_scenario quic-v1 "" "" \
		"quic.version == 1 && quic.long.packet_type == 0 && $CH && $SNI" \
		"quic.version == 1 && quic.long.packet_type == 0 && $SH" \
		"quic.header_form == 0"
}

sc_retry() {
	run_scenario quic-retry "-V" "" \
		"quic.long.packet_type == 3" \
		"quic.long.packet_type == 0 && quic.token_length > 0" \
		"quic.long.packet_type == 0 && $SH"
}

sc_draft29() {
	run_scenario quic-draft29 "" "-v 0xff00001d" \
		"quic.version == 0xff00001d && quic.long.packet_type == 0 && $CH && $SNI" \
		"quic.version == 0xff00001d && quic.long.packet_type == 0 && $SH"
}

sc_vn() {
	run_scenario quic-vn "" "-v 0x1a2a3a4a --preferred-versions v1" \
		"quic.version == 0x1a2a3a4a && quic.long.packet_type == 0" \
		"quic.version == 0 && quic.supported_version == 1" \
		"quic.version == 1 && quic.long.packet_type == 0 && $SH"
}

sc_0rtt() {
	rm -f "$W/session.pem" "$W/tp.pem"
	FIRST_CLIENT="--session-file=$W/session.pem --tp-file=$W/tp.pem" \
		run_scenario quic-0rtt "" "--session-file=$W/session.pem --tp-file=$W/tp.pem" \
		"quic.long.packet_type == 1" \
		"quic.long.packet_type == 0 && $CH && tls.handshake.extension.type == 42" \
		"quic.long.packet_type == 0 && $SH && tls.handshake.extension.type == 41"
}

for sc in ${*:-v1 retry draft29 vn 0rtt}; do
	"sc_$sc"
done
