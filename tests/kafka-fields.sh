#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# kafka-fields.sh — exact export fields of the Kafka dissector (issue 18):
# the captures of pcaps/kafka/ (tools/lab/gen-kafka.sh: real kcat against
# the scripted broker tools/lab/kafka-peer.py: PLAINTEXT, SASL PLAIN right
# and wrong, SCRAM-SHA-256, a refused mechanism, the legacy SaslHandshake v0
# sequence, SSL on 9093), the hand-built cases of tools/mkpcap-kafka.py
# (flexible versions and OAUTHBEARER, a split stream on port 19092, KIP-511,
# the in-flight and request caps, legacy SCRAM) and hostile ones (negative
# and huge sizes, client ids past their message or negative, a mechanism
# past its message, an oversized SASL token, a negative response size, an
# unknown correlation id, too many api ranges): each ends in its anomaly or
# is ignored, never in a crash, and the capture exits 0. Run it in the
# sanitizer build too.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/kafka
python3 "$SRCDIR/tools/mkpcap-kafka.py" "$T_TMP/c" || { t_ok 1 "mkpcap-kafka.py"; t_done; exit 1; }
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
FIRST="$D | [.first_api_key, .first_api_version, .first_api, .correlation_id, .client_id, .client_software_name, .client_software_version, .api_keys, .requests, .responses]"
APIV="$D | [.api_versions_error, .api_versions_error_name, .api_versions_count]"
SASL="$D | [.sasl_mechanism, .sasl_handshake_error, .sasl_handshake_error_name, .sasl_mechanisms_enabled, .sasl_mechanisms_enabled_count, .sasl_authenticate_requests, .sasl_authenticate_error, .sasl_authenticate_error_name, .sasl_authenticate_error_message, .sasl_raw_tokens]"

# --- real kcat captures
t_is "$(rec "$S/kafka-plaintext.pcap" "$FLOW")" '[9092,"kafka","cleartext",false,false,null,false,null,[]]' \
	"PLAINTEXT: cleartext, no user, no credentials"
t_is "$(rec "$S/kafka-plaintext.pcap" "$FIRST")" \
	'[18,3,"ApiVersions",1,"wa-lab-kcat","librdkafka","2.0.2","3,18",3,3]' \
	"PLAINTEXT: ApiVersions v3 first (flexible header), client id, librdkafka 2.0.2, then Metadata"
t_is "$(rec "$S/kafka-plaintext.pcap" "$APIV")" '[0,"none",5]' "PLAINTEXT: ApiVersions answered, 5 api ranges"
t_is "$(rec "$S/kafka-plaintext.pcap" "$SASL")" '[null,null,null,null,null,null,null,null,null,null]' \
	"PLAINTEXT: no SASL"
t_is "$(rec "$S/kafka-sasl-plain.pcap" "$FLOW")" '[9092,"kafka","cleartext",false,false,"alice",true,"PLAIN",[]]' \
	"SASL PLAIN: user alice (the authcid), credentials in clear"
t_is "$(rec "$S/kafka-sasl-plain.pcap" "$SASL")" \
	'["PLAIN",0,"none",["PLAIN","SCRAM-SHA-256"],2,1,0,"none",null,null]' \
	"SASL PLAIN: handshake accepted, the broker's two mechanisms, one SaslAuthenticate, error 0"
t_is "$(rec "$S/kafka-sasl-plain.pcap" "$D | [.api_keys, .requests, .responses]")" '["3,17,18,36",5,5]' \
	"SASL PLAIN: ApiVersions, SaslHandshake, SaslAuthenticate, Metadata, all answered"
t_is "$(rec "$S/kafka-sasl-plain-wrong.pcap" "$FLOW")" '[9092,"kafka","cleartext",false,false,"alice",true,"PLAIN",[]]' \
	"SASL PLAIN wrong password: still credentials in clear"
t_is "$(rec "$S/kafka-sasl-plain-wrong.pcap" "$SASL")" \
	'["PLAIN",0,"none",["PLAIN","SCRAM-SHA-256"],2,1,58,"sasl_authentication_failed","Authentication failed: Invalid username or password",null]' \
	"SASL PLAIN wrong password: SaslAuthenticate error 58 and its message"
t_is "$(rec "$S/kafka-sasl-scram.pcap" "$FLOW")" '[9092,"kafka","cleartext",false,false,"alice",false,"SCRAM-SHA-256",[]]' \
	"SCRAM-SHA-256: mechanism and user only, no credentials (challenge-response)"
t_is "$(rec "$S/kafka-sasl-scram.pcap" "$SASL")" \
	'["SCRAM-SHA-256",0,"none",["PLAIN","SCRAM-SHA-256"],2,2,0,"none",null,null]' \
	"SCRAM-SHA-256: two SaslAuthenticate rounds, error 0"
t_is "$(rec "$S/kafka-sasl-refused.pcap" "$FLOW")" '[9092,"kafka","cleartext",false,false,null,false,"SCRAM-SHA-512",[]]' \
	"refused mechanism: the mechanism asked for, nothing else"
t_is "$(rec "$S/kafka-sasl-refused.pcap" "$SASL")" \
	'["SCRAM-SHA-512",33,"unsupported_sasl_mechanism",["PLAIN"],1,null,null,null,null,null]' \
	"refused mechanism: SaslHandshake error 33 and the broker's list"
t_is "$(rec "$S/kafka-sasl-legacy.pcap" "$FLOW")" '[9092,"kafka","cleartext",false,false,"alice",true,"PLAIN",[]]' \
	"legacy SaslHandshake v0: the raw PLAIN token is credentials, user alice"
t_is "$(rec "$S/kafka-sasl-legacy.pcap" "$SASL")" \
	'["PLAIN",0,"none",["PLAIN"],1,1,null,null,null,true]' "legacy: raw tokens, no SaslAuthenticate"
t_is "$(rec "$S/kafka-sasl-legacy.pcap" "$FIRST")" \
	'[18,0,"ApiVersions",1,"wa-lab-legacy",null,null,"17,18",2,2]' "legacy: ApiVersions v0, done at the raw token"
t_is "$(rec "$S/kafka-ssl-9093.pcap" '[.server_port, .protocol, .security, .tls.version, .tls.handshake, .cleartext]')" \
	'[9093,"tls","tls","TLSv1.3","complete",null]' "SSL on 9093: the TLS dissector's flow, nothing in clear"

# --- hand-built
t_is "$(rec "$C/oauthbearer.pcap" "$FLOW")" '[9092,"kafka","cleartext",false,false,null,true,"OAUTHBEARER",[]]' \
	"OAUTHBEARER: a bearer token in clear is credentials"
t_is "$(rec "$C/oauthbearer.pcap" "$FIRST")" '[18,3,"ApiVersions",1,"wa-crafted","wa-test","1.0","17,18,36",3,3]' \
	"flexible ApiVersions v3: compact strings after the header's tagged fields"
t_is "$(rec "$C/oauthbearer.pcap" "$SASL")" '["OAUTHBEARER",0,"none",["OAUTHBEARER"],1,1,0,"none",null,null]' \
	"SaslAuthenticate v2: compact bytes, the response's header v1 tagged field skipped"
t_is "$(rec "$C/port-19092-split.pcap" "$FLOW")" '[19092,"kafka","cleartext",false,false,"alice",true,"PLAIN",[]]' \
	"port 19092, by content; the SaslHandshake cut byte by byte"
t_is "$(rec "$C/port-19092-split.pcap" "$D | [.first_api, .client_id, .api_keys, .requests, .responses, .sasl_authenticate_error]")" \
	'["SaslHandshake","wa-split","0,17,36",3,3,0]' "port 19092: a 5000-byte Produce streamed past, its response matched"
t_is "$(rec "$C/api-versions-unsupported.pcap" "$APIV")" '[35,"unsupported_version",3]' \
	"ApiVersions v5 answered with error 35 in the v0 form (KIP-511)"
t_is "$(rec "$C/inflight-cap.pcap" "[$D.requests, $D.responses, $D.unmatched_responses, ([.anomalies[] | .name + \": \" + .detail])]")" \
	'[40,40,8,["inflight_cap: 32 requests awaiting a response"]]' \
	"40 pipelined requests: the in-flight table (32) bites once, 8 responses unmatched"
t_is "$(rec "$C/requests-cap.pcap" "[$D.requests, $D.responses, $D.requests_capped, [.anomalies[].name]]")" \
	'[64,63,true,[]]' "70 requests: done at 64, requests_capped"
t_is "$(rec "$C/legacy-scram.pcap" "$FLOW")" '[9092,"kafka","cleartext",false,false,"bob",false,"SCRAM-SHA-256",[]]' \
	"legacy SCRAM: the raw client-first-message names the user, no credentials"
t_is "$(rec "$C/reauth.pcap" "[.cleartext.user, .cleartext.credentials, $D.api_versions_count, $D.sasl_mechanisms_enabled, $D.sasl_authenticate_requests, $D.requests, $D.responses, (($D | keys) | length)]")" \
	'["alice",true,4,["PLAIN"],2,6,6,19]' "re-authentication: each fact once, both SaslAuthenticate requests counted"
t_is "$(grep -o '"api_versions_count"\|"sasl_mechanism"\|"sasl_handshake_error"\|"client_id"' "$T_TMP"/*_reauth_pcap.jsonl | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')" \
	"1 1 1 1 " "re-authentication: no detail key twice in the raw export"

# --- hostile input: an anomaly or nothing, exit 0, never a crash
anoms() { rec "$1" '[.protocol, ([.anomalies[] | .dissector + ":" + .name])]'; }
t_is "$(anoms "$C/negative-length.pcap")" '["kafka",["kafka:bad_length"]]' "size -16: bad_length"
t_is "$(anoms "$C/huge-length.pcap")" '["kafka",["kafka:message_too_long"]]' "size 0x7fffffff: message_too_long"
t_is "$(anoms "$C/client-id-overrun.pcap")" '[null,[]]' "first request's client id past its size: not Kafka, nothing claimed"
t_is "$(anoms "$C/second-client-id-overrun.pcap")" '["kafka",["kafka:bad_client_id"]]' \
	"second request's client id past its size: bad_client_id"
t_is "$(anoms "$C/negative-client-id.pcap")" '["kafka",["kafka:bad_client_id"]]' "client id length -5: bad_client_id"
t_is "$(anoms "$C/mechanism-overrun.pcap")" '["kafka",["kafka:bad_body"]]' "mechanism past the message: bad_body"
t_is "$(rec "$C/mechanism-overrun.pcap" '[.cleartext.auth_mechanism, .cleartext.details.sasl_mechanism]')" '[null,null]' \
	"no mechanism stated from a string past the message"
t_is "$(anoms "$C/sasl-too-long.pcap")" '["kafka",["kafka:sasl_too_long"]]' "SaslAuthenticate of 70000 bytes: sasl_too_long"
t_is "$(rec "$C/sasl-too-long.pcap" '[.cleartext.credentials, .cleartext.user]')" '[false,null]' \
	"an oversized token is not read"
t_is "$(anoms "$C/response-negative.pcap")" '["kafka",["kafka:bad_length"]]' "response size -1: bad_length"
t_is "$(rec "$C/unknown-correlation.pcap" "[$D.api_keys, $D.requests, $D.responses, $D.unmatched_responses, [.anomalies[].name]]")" \
	'["3,18",2,2,1,["unknown_correlation_id"]]' "a response to id 999: unknown_correlation_id, and the flow goes on"
t_is "$(anoms "$C/api-versions-count.pcap")" '["kafka",["kafka:bad_body"]]' "5000 api ranges: bad_body"
# the fake secrets (tools/mkpcap-kafka.py, pcaps/kafka/README.md) are on the
# wire of these captures and in no database or export
t_ok "$(grep -aqF pw-cr-kafka-5932 "$C/port-19092-split.pcap" && grep -aqF tok-cr-kafka-5931 "$C/oauthbearer.pcap" \
	&& echo 0 || echo 1)" "positive control: the crafted password and token are on the wire"
t_is "$(grep -alF -e pw-cr-kafka-5932 -e tok-cr-kafka-5931 -e wa-lab-kafka-pw-5921 -e wa-lab-kafka-wrong-5922 \
	"$T_TMP"/*.db "$T_TMP"/*.jsonl | wc -l)" 0 "no password or token in any database or export of this test"
rcs=$(cat "$T_TMP"/*.rc | sort -u | tr '\n' ' ')
t_is "$rcs" "0 " "every capture exits 0"
t_done
