#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-mqtt.sh — regenerate the real-traffic MQTT captures in pcaps/mqtt/
# (issue 18): the mosquitto broker and the mosquitto_pub / mosquitto_sub
# clients, each scenario a fresh pair of network namespaces
# (tools/lab/lib.sh), captured on the client veth.
#
#   sudo tools/lab/gen-mqtt.sh                # every scenario
#   sudo tools/lab/gen-mqtt.sh v311auth tls   # a subset, by name
#   sudo tools/lab/gen-mqtt.sh --list
#
# mosquitto runs by hand in the server namespace (`mosquitto -c CONF`, its
# own configuration, password file, CA and certificate under a temporary
# directory; no system service is used or left running). Its configuration:
# listener 1883 with allow_anonymous true and a password_file made by
# mosquitto_passwd (user alice), so anonymous clients are accepted, alice
# with her password too, and alice with a wrong password is refused;
# listener 8883 the same behind TLS with a lab CA and a server certificate
# (IP SAN) made here with openssl. Every client names its client id (-i) so
# the captures are the same on every run but for times, ports and TLS
# randomness. The passwords are fake (pcaps/mqtt/README.md, tests/secrets.sh).
# Needs root and the Debian packages mosquitto mosquitto-clients openssl
# tcpdump (tools/install-deps --lab).

LAB_NET=${LAB_NET:-63}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set -o pipefail

OUT=${OUT:-$ROOT/pcaps/mqtt}
LAB_PREFIX=wm
PW=wa-lab-mqtt-pw-5813
WRONG=wa-lab-mqtt-wrong-5814

WM_TMP=$(mktemp -d /tmp/wm-lab.XXXXXX)
chmod 755 "$WM_TMP"
wm_cleanup() {
	lab_down 2>/dev/null || true
	[ -n "${WM_KEEP:-}" ] && echo "kept $WM_TMP" >&2 || rm -rf "$WM_TMP"
}
trap wm_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'gen-mqtt: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"
command -v mosquitto >/dev/null || MOSQ=/usr/sbin/mosquitto
MOSQ=${MOSQ:-mosquitto}
[ -x "$(command -v "$MOSQ")" ] || die "no mosquitto: apt-get install mosquitto"
command -v mosquitto_pub >/dev/null || die "no mosquitto_pub: apt-get install mosquitto-clients"
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8

D=$WM_TMP
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=wireaudit lab MQTT CA" \
	-keyout "$D/ca.key" -out "$D/ca.pem" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null || die "openssl: CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=mqtt.lab.test" \
	-keyout "$D/srv.key" -out "$D/srv.csr" 2>/dev/null || die "openssl: server key"
printf 'subjectAltName=IP:%s,DNS:mqtt.lab.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	"$LAB_S_IP" > "$D/srv.ext"
openssl x509 -req -in "$D/srv.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" -CAcreateserial -days 30 \
	-extfile "$D/srv.ext" -out "$D/srv.pem" 2>/dev/null || die "openssl: server certificate"
: > "$D/passwd"
mosquitto_passwd -b "$D/passwd" alice "$PW" || die "mosquitto_passwd"
# mosquitto runs as the user "mosquitto" when started as root: it must read these
chmod 644 "$D"/*.pem "$D"/*.key "$D/passwd"

cat > "$D/mosquitto.conf" <<EOF
per_listener_settings true
persistence false
log_dest stderr
log_type error
log_type warning
log_type notice
user root
listener 1883 $LAB_S_IP
allow_anonymous true
password_file $D/passwd
listener 8883 $LAB_S_IP
allow_anonymous true
password_file $D/passwd
cafile $D/ca.pem
certfile $D/srv.pem
keyfile $D/srv.key
EOF

wm_broker() {
	lab_s "$MOSQ" -c "$D/mosquitto.conf" >"$D/broker.log" 2>&1 &
	for _ in $(seq 1 50); do
		lab_s ss -lntH | grep -q ":8883 " && lab_s ss -lntH | grep -q ":1883 " && return 0
		sleep 0.1
	done
	die "mosquitto does not listen: $(cat "$D/broker.log")"
}

# wm_scenario NAME PORT EXPECT CLIENT-COMMAND...: one broker, one capture;
# EXPECT is the client's exit status (0 accepted, non-zero refused).
wm_scenario() {
	local name=$1 port=$2 expect=$3 rc
	shift 3
	log "$name"
	lab_up "${LAB_PREFIX}${name:5:6}"
	wm_broker
	mkdir -p "$OUT"
	lab_capture_start "$OUT/$name.pcap" "tcp port $port"
	rc=0
	lab_c "$@" >"$D/client.out" 2>&1 || rc=$?
	lab_capture_stop
	lab_down
	if [ "$expect" = 0 ] && [ "$rc" != 0 ]; then
		die "$name: client failed ($rc): $(cat "$D/client.out")"
	fi
	if [ "$expect" != 0 ] && [ "$rc" = 0 ]; then
		die "$name: client was accepted, a refusal was expected"
	fi
	cat "$D/client.out" >&2
}

PUB=(mosquitto_pub -h "$LAB_S_IP" -t lab/temp -m 21.5)

# MQTT 3.1 (MQIsdp, level 3), anonymous
scn_v31anon() { wm_scenario mqtt-v31-anon 1883 0 "${PUB[@]}" -V mqttv31 -i wa-lab-v31; }
# MQTT 3.1 with a user name and password
scn_v31auth() { wm_scenario mqtt-v31-auth 1883 0 "${PUB[@]}" -V mqttv31 -i wa-lab-v31a -u alice -P "$PW"; }
# MQTT 3.1.1, user name and password, with a will (QoS 1, retained)
scn_v311auth() {
	wm_scenario mqtt-v311-auth 1883 0 "${PUB[@]}" -V mqttv311 -i wa-lab-v311 -u alice -P "$PW" \
		--will-topic lab/will --will-payload gone --will-qos 1 --will-retain -k 30
}
# MQTT 3.1.1, the wrong password: CONNACK refuses
scn_v311wrong() { wm_scenario mqtt-v311-wrong-password 1883 1 "${PUB[@]}" -V mqttv311 -i wa-lab-bad -u alice -P "$WRONG"; }
# MQTT 5.0, user name and password, CONNECT and will properties, a
# subscriber (mosquitto_sub, anonymous, clean start off) receiving one message
scn_v5auth() {
	wm_scenario mqtt-v5-auth 1883 0 sh -c "
		mosquitto_sub -h $LAB_S_IP -V mqttv5 -i wa-lab-sub5 -c -x 60 -t lab/temp -C 1 -W 5 &
		sleep 0.5
		mosquitto_pub -h $LAB_S_IP -V mqttv5 -i wa-lab-v5 -u alice -P '$PW' -t lab/temp -m 21.5 \
			-D connect session-expiry-interval 60 -D connect user-property site lab \
			--will-topic lab/will --will-payload gone -D will will-delay-interval 5
		wait"
}
# MQTT 5.0, the wrong password: CONNACK reason code Bad User Name or Password
scn_v5wrong() { wm_scenario mqtt-v5-wrong-password 1883 1 "${PUB[@]}" -V mqttv5 -i wa-lab-bad5 -u alice -P "$WRONG"; }
# MQTT 3.1.1 over TLS on 8883 (MQTT 5.0 §4.2), user name and password inside
scn_tls() {
	wm_scenario mqtt-tls-8883 8883 0 "${PUB[@]}" -p 8883 --cafile "$D/ca.pem" -V mqttv311 -i wa-lab-tls -u alice -P "$PW"
}

SCENARIOS="v31anon v31auth v311auth v311wrong v5auth v5wrong tls"
if [ "${1:-}" = --list ]; then echo "$SCENARIOS"; exit 0; fi
# shellcheck disable=SC2086 # the default list splits into names
[ $# -gt 0 ] || set -- $SCENARIOS
for s in "$@"; do
	"scn_$s"
done
ls -l "$OUT"
