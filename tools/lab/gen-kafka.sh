#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-kafka.sh — regenerate the Kafka captures in pcaps/kafka/ (issue 18).
# No Kafka broker is packaged for Debian: the broker is the scripted
# tools/lab/kafka-peer.py, which speaks the framing of
# https://kafka.apache.org/protocol ("Common Request and Response
# Structure", "Request Header", "Response Header", "SASL Authentication
# Sequence", ApiVersions / Metadata / SaslHandshake / SaslAuthenticate); the
# client is the real kcat (librdkafka, Debian package kcat) listing metadata
# (-L), and for the legacy SASL sequence (SaslHandshake v0 and a raw PLAIN
# token, which librdkafka no longer sends to a broker that lists
# SaslAuthenticate) kafka-peer.py's own client. Each scenario is a fresh pair
# of network namespaces (tools/lab/lib.sh), captured on the client veth.
#
#   sudo tools/lab/gen-kafka.sh                 # every scenario
#   sudo tools/lab/gen-kafka.sh plain scram     # a subset, by name
#   sudo tools/lab/gen-kafka.sh --list
#
# The passwords are fake (pcaps/kafka/README.md, tests/secrets.sh).
# Needs root, python3, kcat, openssl, tcpdump (tools/install-deps --lab).

LAB_NET=${LAB_NET:-32}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set -o pipefail

OUT=${OUT:-$ROOT/pcaps/kafka}
LAB_PREFIX=wk
PW=wa-lab-kafka-pw-5921
WRONG=wa-lab-kafka-wrong-5922
PEER=$HERE/kafka-peer.py

WK_TMP=$(mktemp -d /tmp/wk-lab.XXXXXX)
wk_cleanup() {
	lab_down 2>/dev/null || true
	if [ -n "${WK_KEEP:-}" ]; then echo "kept $WK_TMP" >&2; else rm -rf "$WK_TMP"; fi
}
trap wk_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'gen-kafka: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"
command -v kcat >/dev/null || die "no kcat: apt-get install kcat"
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8

D=$WK_TMP
# a self-signed broker certificate for the SSL listener (9093)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj "/CN=kafka.lab.test" -addext "subjectAltName=IP:$LAB_S_IP,DNS:kafka.lab.test" \
	-keyout "$D/srv.key" -out "$D/srv.pem" 2>/dev/null || die "openssl: certificate"

# wk_scenario NAME PORT EXPECT BROKER-ARGS -- CLIENT-COMMAND...: one broker,
# one capture; EXPECT is the client's exit status class (0 ok, 1 failure).
wk_scenario() {
	local name=$1 port=$2 expect=$3 rc
	local -a bargs=()
	shift 3
	while [ "$1" != -- ]; do bargs+=("$1"); shift; done
	shift
	log "$name"
	lab_up "${LAB_PREFIX}${name:6:6}"
	lab_s python3 "$PEER" broker --host "$LAB_S_IP" --port "$port" "${bargs[@]}" >"$D/broker.log" 2>&1 &
	for _ in $(seq 1 50); do
		lab_s ss -lntH | grep -q ":$port " && break
		sleep 0.1
	done
	mkdir -p "$OUT"
	lab_capture_start "$OUT/$name.pcap" "tcp port $port"
	rc=0
	lab_c "$@" >"$D/client.out" 2>&1 || rc=$?
	lab_capture_stop
	lab_down
	if [ "$expect" = 0 ] && [ "$rc" != 0 ]; then
		die "$name: client failed ($rc): $(cat "$D/client.out") $(cat "$D/broker.log")"
	fi
	if [ "$expect" != 0 ] && [ "$rc" = 0 ]; then
		die "$name: client succeeded, a failure was expected"
	fi
	cat "$D/client.out" >&2
}

# one connection attempt in the time given: no reconnect inside it
KCAT=(timeout 6 kcat -b "$LAB_S_IP:9092" -L -m 3 -X client.id=wa-lab-kcat -X reconnect.backoff.ms=10000
	-X reconnect.backoff.max.ms=10000)

# PLAINTEXT: ApiVersions, then Metadata
scn_plain() { wk_scenario kafka-plaintext 9092 0 -- "${KCAT[@]}"; }
# SASL_PLAINTEXT with PLAIN: the password crosses in clear
scn_saslplain() {
	wk_scenario kafka-sasl-plain 9092 0 --sasl PLAIN,SCRAM-SHA-256 --user "alice:$PW" -- \
		"${KCAT[@]}" -X security.protocol=sasl_plaintext -X sasl.mechanisms=PLAIN \
		-X sasl.username=alice -X sasl.password="$PW"
}
# SASL_PLAINTEXT with PLAIN and a wrong password: error 58
scn_saslwrong() {
	wk_scenario kafka-sasl-plain-wrong 9092 1 --sasl PLAIN,SCRAM-SHA-256 --user "alice:$PW" -- \
		"${KCAT[@]}" -X security.protocol=sasl_plaintext -X sasl.mechanisms=PLAIN \
		-X sasl.username=alice -X sasl.password="$WRONG"
}
# SASL_PLAINTEXT with SCRAM-SHA-256 (RFC 7677): challenge-response
scn_scram() {
	wk_scenario kafka-sasl-scram 9092 0 --sasl PLAIN,SCRAM-SHA-256 --user "alice:$PW" -- \
		"${KCAT[@]}" -X security.protocol=sasl_plaintext -X sasl.mechanisms=SCRAM-SHA-256 \
		-X sasl.username=alice -X sasl.password="$PW"
}
# a mechanism the broker does not enable: SaslHandshake error 33 and its list
scn_refused() {
	wk_scenario kafka-sasl-refused 9092 1 --sasl PLAIN --user "alice:$PW" -- \
		"${KCAT[@]}" -X security.protocol=sasl_plaintext -X sasl.mechanisms=SCRAM-SHA-512 \
		-X sasl.username=alice -X sasl.password="$PW"
}
# legacy sequence: SaslHandshake v0, then the raw PLAIN token
scn_legacy() {
	wk_scenario kafka-sasl-legacy 9092 0 --sasl PLAIN --user "alice:$PW" -- \
		python3 "$PEER" legacy-client --host "$LAB_S_IP" --port 9092 --user "alice:$PW"
}
# SSL listener on 9093: TLS from the first byte (python ssl, self-signed)
scn_ssl() {
	wk_scenario kafka-ssl-9093 9093 0 --tls "$D/srv.pem" "$D/srv.key" -- \
		timeout 6 kcat -b "$LAB_S_IP:9093" -L -m 3 -X client.id=wa-lab-kcat -X security.protocol=ssl \
		-X ssl.ca.location="$D/srv.pem" -X reconnect.backoff.ms=10000 -X reconnect.backoff.max.ms=10000
}

SCENARIOS="plain saslplain saslwrong scram refused legacy ssl"
if [ "${1:-}" = --list ]; then echo "$SCENARIOS"; exit 0; fi
# shellcheck disable=SC2086 # the default list splits into names
[ $# -gt 0 ] || set -- $SCENARIOS
for s in "$@"; do
	"scn_$s"
done
ls -l "$OUT"
