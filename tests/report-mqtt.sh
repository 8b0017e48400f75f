#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# report-mqtt.sh — MQTT in the report (issue 18; docs/REPORT-RULES.md
# "MQTT"): MQTT has a TLS form (MQTT 5.0 §4.2, port 8883), so the generic
# 12.3.1 `cleartext` rule (src/report/rules.c rp_tls_form) judges every MQTT
# flow in clear, and the generic credentials evidence (a password seen:
# `cleartext.credentials`, mechanism "password") raises it from medium to
# high — no MQTT-specific kind duplicates them. Exact findings, with the
# server, port, protocol and evidence, over the real mosquitto captures of
# pcaps/mqtt/ (tools/lab/gen-mqtt.sh); MQTT over TLS on 8883 passes 12.3.1.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/mqtt

# findings PCAP...: every finding of the report (default level 2) as
# "requirement kind severity flows server:port/protocol credentials", in report order
findings() {
	local db
	db=$(t_capture "$@")
	"$WIREAUDIT" report -d "$db" -F json >"$T_TMP/r.json"
	echo "rc=$? $(jq -r '[.requirements[] | .id as $id | .findings[] |
		"\($id) \(.kind) \(.severity) \(.flows) \(.server_ip):\(.server_port)/\(.protocol) \(.evidence.credentials_in_clear // 0)"] | join(";")' "$T_TMP/r.json")"
}
status() { jq -r --arg r "$1" '.requirements[] | select(.id == $r) | .status' "$T_TMP/r.json"; }
evidence() { jq -c '[.requirements[].findings[] | select(.kind == "cleartext")][0].evidence | [.security, .credentials_in_clear, .auth_mechanisms]' "$T_TMP/r.json"; }

t_is "$(findings "$S/mqtt-v31-anon.pcap")" "rc=6 12.3.1 cleartext medium 1 10.99.63.2:1883/mqtt 0" \
	"3.1 anonymous: 12.3.1 cleartext, medium (no credentials)"
t_is "$(evidence)" '[{"cleartext":1},null,null]' "3.1 anonymous: evidence security cleartext, no credentials"
for p in mqtt-v31-auth mqtt-v311-auth mqtt-v311-wrong-password mqtt-v5-wrong-password; do
	t_is "$(findings "$S/$p.pcap")" "rc=6 12.3.1 cleartext high 1 10.99.63.2:1883/mqtt 1" \
		"$p: 12.3.1 cleartext, high with the password in clear"
	t_is "$(evidence)" '[{"cleartext":1},1,"password"]' "$p: evidence: cleartext, one flow with credentials, mechanism password"
done
t_is "$(findings "$S/mqtt-v5-auth.pcap")" "rc=6 12.3.1 cleartext high 2 10.99.63.2:1883/mqtt 1" \
	"5.0: both flows on one endpoint, high since the publisher's password crossed"
t_is "$(findings "$S/mqtt-tls-8883.pcap")" "rc=0 " "TLS on 8883 (MQTT 5.0 4.2): no finding"
t_is "$(status 12.3.1)" "pass" "TLS on 8883: 12.3.1 passes"
t_is "$(findings "$S"/*.pcap)" "rc=6 12.3.1 cleartext high 7 10.99.63.2:1883/mqtt 5" \
	"all seven: one cleartext finding for the 1883 endpoint, 7 flows, 5 with credentials"
t_is "$(jq -r '[.requirements[] | select(.id == "12.3.1") | .findings[] | .kind] | unique | join(",")' "$T_TMP/r.json")" \
	"cleartext" "all seven: only the generic cleartext kind"
t_done
