#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# mqtt-fields.sh — exact export fields of the MQTT dissector (issue 18): the
# real mosquitto captures of pcaps/mqtt/ (tools/lab/gen-mqtt.sh: 3.1, 3.1.1
# and 5.0, anonymous and with user name and password, a wrong password
# refused, TLS on 8883), the hand-built cases of tools/mkpcap-mqtt.py (5.0
# Authentication Method with AUTH packets, a port no hint names with the
# CONNECT cut inside its Remaining Length, a password without a user name)
# and hostile ones (a Remaining Length over the cap or of five bytes, a bad
# protocol name or level, the reserved flag, fields past the packet, bytes
# after it, bad 5.0 properties, a bad CONNACK or its reserved bits, PUBLISH before
# CONNACK): each
# ends in its anomaly or is ignored, never in a crash, and the capture exits
# 0. Run it in the sanitizer build too.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/mqtt
python3 "$SRCDIR/tools/mkpcap-mqtt.py" "$T_TMP/c" || { t_ok 1 "mkpcap-mqtt.py"; t_done; exit 1; }
C=$T_TMP/c

# rec PCAP JQ [N]: JQ applied to the Nth flow's export record (default 1)
rec() {
	local key db
	key=$(echo "$1" | tr '/.' '__')
	if [ ! -f "$T_TMP/$key.jsonl" ]; then
		db="$T_TMP/$key.db"
		"$WIREAUDIT" capture -q -r "$1" -d "$db" 2>"$T_TMP/$key.err"
		echo $? > "$T_TMP/$key.rc"
		"$WIREAUDIT" export -d "$db" > "$T_TMP/$key.jsonl" 2>/dev/null
	fi
	sed -n "${3:-1}p" "$T_TMP/$key.jsonl" | jq -c "$2"
}
D='.cleartext.details'
# the flow as a whole: who, what, security, the user and whether credentials crossed
FLOW='[.server_port, .protocol, .security, .cleartext.tls_offered, .cleartext.tls_requested, .cleartext.user, .cleartext.credentials, .cleartext.auth_mechanism, ([.anomalies[].name])]'
DET="$D | [.protocol_name, .protocol_level, .version, .clean_session, .will, .will_qos, .will_retain, .username_flag, .password_flag, .keep_alive, .client_id, .connack_code, .connack, .session_present]"

# --- real captures
t_is "$(rec "$S/mqtt-v31-anon.pcap" "$FLOW")" '[1883,"mqtt","cleartext",false,false,null,false,null,[]]' \
	"3.1 anonymous: cleartext, no user, no credentials"
t_is "$(rec "$S/mqtt-v31-anon.pcap" "$DET")" \
	'["MQIsdp",3,"3.1",true,false,null,null,false,false,60,"wa-lab-v31",0,"accepted",null]' \
	"3.1 anonymous: MQIsdp level 3, clean session, keep-alive 60, accepted (3.1 has no session present)"
t_is "$(rec "$S/mqtt-v31-auth.pcap" "$FLOW")" '[1883,"mqtt","cleartext",false,false,"alice",true,"password",[]]' \
	"3.1 with -u/-P: user alice, a password in clear"
t_is "$(rec "$S/mqtt-v31-auth.pcap" "$DET")" \
	'["MQIsdp",3,"3.1",true,false,null,null,true,true,60,"wa-lab-v31a",0,"accepted",null]' \
	"3.1 with -u/-P: both flags, accepted"
t_is "$(rec "$S/mqtt-v311-auth.pcap" "$FLOW")" '[1883,"mqtt","cleartext",false,false,"alice",true,"password",[]]' \
	"3.1.1 with -u/-P: user alice, a password in clear"
t_is "$(rec "$S/mqtt-v311-auth.pcap" "$DET")" \
	'["MQTT",4,"3.1.1",true,true,1,true,true,true,30,"wa-lab-v311",0,"accepted",false]' \
	"3.1.1: MQTT level 4, a will of QoS 1 retained, keep-alive 30, accepted"
t_is "$(rec "$S/mqtt-v311-wrong-password.pcap" "$FLOW")" '[1883,"mqtt","cleartext",false,false,"alice",true,"password",[]]' \
	"3.1.1 wrong password: still a password in clear"
t_is "$(rec "$S/mqtt-v311-wrong-password.pcap" "$D | [.connack_code, .connack]")" '[5,"not_authorized"]' \
	"3.1.1 wrong password: CONNACK 5 (mosquitto 2.0's answer)"
t_is "$(rec "$S/mqtt-v5-auth.pcap" "$FLOW")" '[1883,"mqtt","cleartext",false,false,null,false,null,[]]' \
	"5.0 subscriber: anonymous"
t_is "$(rec "$S/mqtt-v5-auth.pcap" "$DET")" \
	'["MQTT",5,"5.0",false,false,null,null,false,false,60,"wa-lab-sub5",0,"success",false]' \
	"5.0 subscriber: clean start off (-c), success"
t_is "$(rec "$S/mqtt-v5-auth.pcap" "$FLOW" 2)" '[1883,"mqtt","cleartext",false,false,"alice",true,"password",[]]' \
	"5.0 publisher: user alice, a password in clear (past CONNECT and will properties)"
t_is "$(rec "$S/mqtt-v5-auth.pcap" "$DET" 2)" \
	'["MQTT",5,"5.0",true,true,0,false,true,true,60,"wa-lab-v5",0,"success",false]' \
	"5.0 publisher: a will, success"
t_is "$(rec "$S/mqtt-v5-wrong-password.pcap" "$D | [.protocol_level, .connack_code, .connack]")" '[5,135,"not_authorized"]' \
	"5.0 wrong password: reason code 0x87"
t_is "$(rec "$S/mqtt-tls-8883.pcap" '[.server_port, .protocol, .security, .tls.version, .tls.handshake, .cleartext]')" \
	'[8883,"tls","tls","TLSv1.3","complete",null]' \
	"TLS on 8883 (MQTT 5.0 4.2): the TLS dissector's flow, nothing in clear"
t_is "$(cat "$T_TMP"/*_mqtt-v5-auth_pcap.jsonl | wc -l)" 2 "5.0 capture: two flows (subscriber, publisher)"

# --- hand-built
t_is "$(rec "$C/v5-auth-method.pcap" "$FLOW")" '[1883,"mqtt","cleartext",false,false,null,false,"SCRAM-SHA-1",[]]' \
	"5.0 Authentication Method: the mechanism, not credentials (a challenge-response)"
t_is "$(rec "$C/v5-auth-method.pcap" "$D | [.client_id, .connack_code, .connack]")" '["wa-scram",0,"success"]' \
	"5.0 AUTH packets before the CONNACK are skipped; CONNACK properties read"
t_is "$(rec "$C/port-11883-split.pcap" "$FLOW")" '[11883,"mqtt","cleartext",false,false,"bob",true,"password",[]]' \
	"port 11883, by content; the CONNECT cut inside its Remaining Length and payload"
t_is "$(rec "$C/port-11883-split.pcap" "$D | [.client_id, .connack_code, .session_present]")" '["wa-split",0,true]' \
	"port 11883: the PUBLISH behind the CONNECT is not read; session present"
t_is "$(rec "$C/password-no-user.pcap" "$FLOW")" \
	'[1883,"mqtt","cleartext",false,false,null,true,"password",["password_without_user_name"]]' \
	"3.1.1 password flag without user name: the password crossed all the same"

# --- hostile input: an anomaly or nothing, exit 0, never a crash
anoms() { rec "$1" '[.protocol, ([.anomalies[] | .dissector + ":" + .name])]'; }
t_is "$(anoms "$C/too-long.pcap")" '["mqtt",["mqtt:packet_too_long"]]' "Remaining Length 268435455: packet_too_long"
t_is "$(anoms "$C/bad-name.pcap")" '["mqtt",["mqtt:bad_protocol_name"]]' "name MQXX: bad_protocol_name"
t_is "$(anoms "$C/bad-level.pcap")" '["mqtt",["mqtt:bad_protocol_level"]]' "MQTT level 9: bad_protocol_level"
t_is "$(anoms "$C/bad-level-mqisdp.pcap")" '["mqtt",["mqtt:bad_protocol_level"]]' "MQIsdp level 4: bad_protocol_level"
t_is "$(anoms "$C/reserved-flag.pcap")" '["mqtt",["mqtt:bad_connect"]]' "reserved connect flag: bad_connect"
t_is "$(anoms "$C/overrun.pcap")" '["mqtt",["mqtt:bad_connect"]]' "user name past the packet: bad_connect"
t_is "$(rec "$C/overrun.pcap" '.cleartext.user')" 'null' "no user name stated from a field past the packet"
t_is "$(anoms "$C/trailing.pcap")" '["mqtt",["mqtt:bad_connect"]]' "bytes after the payload: bad_connect"
t_is "$(anoms "$C/v5-bad-property.pcap")" '["mqtt",["mqtt:bad_properties"]]' "property 0x7f: bad_properties"
t_is "$(anoms "$C/v5-props-overrun.pcap")" '["mqtt",["mqtt:bad_properties"]]' "property block past the packet: bad_properties"
t_is "$(anoms "$C/connack-bad-varint.pcap")" '["mqtt",["mqtt:bad_remaining_length"]]' "CONNACK length of five bytes: bad_remaining_length"
t_is "$(anoms "$C/publish-first.pcap")" '["mqtt",["mqtt:unexpected_packet"]]' "PUBLISH before CONNACK: unexpected_packet"
t_is "$(anoms "$C/connack-short.pcap")" '["mqtt",["mqtt:bad_connack"]]' "CONNACK of one byte: bad_connack"
t_is "$(anoms "$C/connack-reserved-bits.pcap")" '["mqtt",["mqtt:bad_connack"]]' "3.1.1 CONNACK reserved flag bits: bad_connack"
t_is "$(rec "$C/v31-connack-byte.pcap" "[$D.version, $D.connack, $D.session_present, [.anomalies[].name]]")" '["3.1","accepted",null,[]]' \
	"3.1 CONNACK: its first byte is not read (reserved in 3.1)"
t_is "$(anoms "$C/varint-5-bytes.pcap")" '[null,[]]' "CONNECT length of five bytes: not MQTT, nothing claimed"
t_is "$(rec "$C/connack-bad-varint.pcap" "$D.client_id")" '"wa-crafted"' "the CONNECT before a bad CONNACK is kept"
# the fake passwords (tools/mkpcap-mqtt.py, pcaps/mqtt/README.md) are on the
# wire of these captures and in no database or export
t_ok $(grep -aqF pw-cr-mqtt-5901 "$C/port-11883-split.pcap" && echo 0 || echo 1) "positive control: the crafted password is on the wire"
t_is "$(grep -alF -e pw-cr-mqtt-5901 -e wa-lab-mqtt-pw-5813 -e wa-lab-mqtt-wrong-5814 "$T_TMP"/*.db "$T_TMP"/*.jsonl | wc -l)" 0 \
	"no password in any database or export of this test"
rcs=$(cat "$T_TMP"/*.rc | sort -u | tr '\n' ' ')
t_is "$rcs" "0 " "every capture exits 0"
t_done
