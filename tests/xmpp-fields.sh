#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# xmpp-fields.sh — exact export fields of the XMPP dissector (issue 18): the
# real prosody captures of pcaps/xmpp/ (tools/lab/gen-xmpp.sh: STARTTLS then
# PLAIN inside TLS, PLAIN in clear with STARTTLS offered and without it,
# STARTTLS required (a client that upgrades, one that tries PLAIN in
# clear), SCRAM-SHA-1 in clear, STARTTLS to a server without a certificate
# or without mod_tls, XEP-0368 direct TLS on 5223, a server-to-server
# stream), the hand-built edge cases of tools/mkpcap-xmpp.py (a refused
# STARTTLS then PLAIN in clear, a port no hint names with segments cut
# inside tags, s2s dialback, long-form <starttls></starttls>) and hostile
# ones (restricted XML, caps, malformed tags, depth, bad SASL payloads): each
# ends in its anomaly or is not claimed, never in a crash, and the capture
# exits 0. Run it in the sanitizer build too.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/xmpp
python3 "$SRCDIR/tools/mkpcap-xmpp.py" "$T_TMP/c" || { t_ok 1 "mkpcap-xmpp.py"; t_done; exit 1; }
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
# the flow as a whole: who, what, security, the upgrade, the user and whether credentials crossed
FLOW='[.server_port, .protocol, .security, .cleartext.tls_offered, .cleartext.tls_requested, .cleartext.user, .cleartext.credentials, .cleartext.auth_mechanism, ([.anomalies[].name])]'
DET="$D | [.namespace, .to, .from, .version, .server_from, .server_version, .starttls_required, .auth_offered, .starttls_response, .auth_result, .auth_failure, .stream_error]"
TLSF='[.tls.version, .tls.cipher, .tls.handshake, .tls.sni]'

# --- real captures
t_is "$(rec "$S/xmpp-starttls-plain.pcap" "$FLOW")" '[5222,"xmpp","starttls",true,true,null,false,null,[]]' \
	"(a) STARTTLS then PLAIN inside TLS: starttls, nothing in clear"
t_is "$(rec "$S/xmpp-starttls-plain.pcap" "$DET")" \
	'["jabber:client","lab.example",null,"1.0","lab.example","1.0",false,["SCRAM-SHA-1"],"proceed",null,null,null]' \
	"(a) stream headers, STARTTLS offered not required, only SCRAM before TLS, proceed"
t_is "$(rec "$S/xmpp-starttls-plain.pcap" "$TLSF")" '["TLSv1.3","TLS_AES_256_GCM_SHA384","complete","lab.example"]' \
	"(a) the handed-off TLS handshake: TLS 1.3, the suite, SNI"
t_is "$(rec "$S/xmpp-plain-in-clear.pcap" "$FLOW")" '[5222,"xmpp","starttls_not_used",true,false,"alice",true,"PLAIN",[]]' \
	"(b) STARTTLS offered and ignored, PLAIN in clear: user alice, credentials"
t_is "$(rec "$S/xmpp-plain-in-clear.pcap" "$DET")" \
	'["jabber:client","lab.example",null,"1.0","lab.example","1.0",false,["SCRAM-SHA-1","PLAIN"],null,"success",null,null]' \
	"(b) PLAIN offered in clear (allow_unencrypted_plain_auth), success"
t_is "$(rec "$S/xmpp-plain-in-clear.pcap" '.tls')" 'null' "(b) no TLS"
t_is "$(rec "$S/xmpp-plain-no-tls.pcap" "$FLOW")" '[5222,"xmpp","cleartext",false,false,"alice",true,"PLAIN",[]]' \
	"no STARTTLS offered (mod_tls off): cleartext, credentials"
t_is "$(rec "$S/xmpp-plain-no-tls.pcap" "$D | [.starttls_required, .auth_result]")" '[null,"success"]' \
	"no STARTTLS offered: no starttls_required, success"
t_is "$(rec "$S/xmpp-required.pcap" "$FLOW")" '[5222,"xmpp","starttls",true,true,null,false,null,[]]' \
	"(c) STARTTLS required, the client upgrades: starttls"
t_is "$(rec "$S/xmpp-required.pcap" "$D | [.starttls_required, .auth_offered, .starttls_response]")" '[true,null,"proceed"]' \
	"(c) <required/> read, no mechanism offered before TLS"
t_is "$(rec "$S/xmpp-required.pcap" "$FLOW" 2)" '[5222,"xmpp","starttls_not_used",true,false,"alice",true,"PLAIN",[]]' \
	"(c) a client that tries PLAIN in clear anyway: the password crossed"
t_is "$(rec "$S/xmpp-required.pcap" "$D | [.starttls_required, .auth_result, .auth_failure]" 2)" '[true,"failure","encryption-required"]' \
	"(c) ... and prosody refuses it: failure, encryption-required"
t_is "$(rec "$S/xmpp-scram-in-clear.pcap" "$FLOW")" '[5222,"xmpp","starttls_not_used",true,false,"alice",false,"SCRAM-SHA-1",[]]' \
	"(d) SCRAM-SHA-1 in clear: the user from client-first, no credentials (a proof)"
t_is "$(rec "$S/xmpp-scram-in-clear.pcap" "$D.auth_result")" '"success"' "(d) SCRAM success"
t_is "$(rec "$S/xmpp-starttls-no-cert.pcap" "$FLOW")" '[5222,"xmpp","starttls",true,true,null,false,null,[]]' \
	"no certificate: prosody still says proceed"
t_is "$(rec "$S/xmpp-starttls-no-cert.pcap" '[.tls.version, .tls.handshake, .tls.alert != null]')" '[null,"failed",true]' \
	"no certificate: the handed-off handshake fails with an alert"
t_is "$(rec "$S/xmpp-starttls-no-tls.pcap" "$FLOW")" '[5222,"xmpp","unknown",false,true,null,false,null,[]]' \
	"mod_tls off, STARTTLS asked: nothing went in clear after it (unknown)"
t_is "$(rec "$S/xmpp-starttls-no-tls.pcap" "$D | [.starttls_response, .stream_error]")" '["stream_error","unsupported-stanza-type"]' \
	"mod_tls off: a stream error answers STARTTLS"
t_is "$(rec "$S/xmpp-direct-tls.pcap" '[.server_port, .protocol, .security, .tls.version, .tls.handshake, .tls.alpn, .cleartext]')" \
	'[5223,"tls","tls","TLSv1.3","complete",["xmpp-client"],null]' \
	"(e) XEP-0368 direct TLS on 5223: the TLS dissector's flow, ALPN xmpp-client"
t_is "$(rec "$S/xmpp-s2s-starttls.pcap" "$FLOW")" '[5269,"xmpp","starttls",true,true,null,false,null,[]]' \
	"s2s: STARTTLS on 5269"
t_is "$(rec "$S/xmpp-s2s-starttls.pcap" "$DET")" \
	'["jabber:server","lab.example","peer.lab.example","1.0","lab.example","1.0",true,null,"proceed",null,null,null]' \
	"s2s: jabber:server, the initiating server's from, s2s STARTTLS required"

# --- hand-built
t_is "$(rec "$C/tls-failure.pcap" "$FLOW")" '[5222,"xmpp","tls_refused",true,true,"bob",true,"PLAIN",[]]' \
	"STARTTLS answered <failure/>, then PLAIN in clear: tls_refused, credentials"
t_is "$(rec "$C/tls-failure.pcap" "$D | [.starttls_response, .auth_result]")" '["failure","success"]' \
	"the refusal and the SASL outcome"
t_is "$(rec "$C/port-15222-split.pcap" "$FLOW")" '[15222,"xmpp","cleartext",false,false,"carol",true,"PLAIN",[]]' \
	"port 15222 by content, cut inside tags and the payload, double quotes, keepalives"
t_is "$(rec "$C/port-15222-split.pcap" "$D | [.auth_offered, .auth_result]")" '[["PLAIN","SCRAM-SHA-1"],"success"]' \
	"port 15222: mechanisms and outcome"
t_is "$(rec "$C/s2s-dialback.pcap" "$FLOW")" '[5269,"xmpp","cleartext",false,false,null,false,null,[]]' \
	"s2s dialback without STARTTLS: cleartext"
t_is "$(rec "$C/s2s-dialback.pcap" "$D | [.namespace, .from, .dialback_result]")" '["jabber:server","peer.example","valid"]' \
	"s2s dialback: namespace, the peer, the receiving server's verdict (done there)"
t_is "$(rec "$C/long-form.pcap" "$FLOW")" '[5222,"xmpp","starttls",true,true,null,false,null,[]]' \
	"<starttls></starttls> and <proceed></proceed>: the hand-off after the end tags"

# --- hostile input: an anomaly or nothing, exit 0, never a crash
anoms() { rec "$1" '[.protocol, ([.anomalies[] | .dissector + ":" + .name])]'; }
t_is "$(anoms "$C/comment.pcap")" '["xmpp",["xmpp:restricted_xml"]]' "comment: restricted_xml"
t_is "$(anoms "$C/inner-decl.pcap")" '["xmpp",["xmpp:restricted_xml"]]' "XML declaration inside the stream: restricted_xml"
t_is "$(anoms "$C/tag-too-long.pcap")" '["xmpp",["xmpp:tag_too_long"]]' "tag of 5000 bytes: tag_too_long"
t_is "$(anoms "$C/text-too-long.pcap")" '["xmpp",["xmpp:text_too_long"]]' "auth payload of 9000 characters: text_too_long"
t_is "$(rec "$C/text-too-long.pcap" '[.cleartext.auth_mechanism, .cleartext.credentials]')" '["PLAIN",false]' \
	"text_too_long: the mechanism, no credentials claimed from an unread payload"
t_is "$(anoms "$C/garbage.pcap")" '["xmpp",["xmpp:bad_xml"]]' "text outside a stanza: bad_xml"
t_is "$(anoms "$C/bad-tag.pcap")" '["xmpp",["xmpp:bad_xml"]]' "attribute without a value: bad_xml"
t_is "$(anoms "$C/stray-end.pcap")" '["xmpp",["xmpp:bad_xml"]]' "stray end tag at the stream's level: bad_xml"
t_is "$(anoms "$C/too-deep.pcap")" '["xmpp",["xmpp:too_deep"]]' "41 levels: too_deep"
t_is "$(anoms "$C/bad-b64.pcap")" '["xmpp",["xmpp:bad_auth_response"]]' "PLAIN payload not base64: bad_auth_response"
t_is "$(rec "$C/bad-b64.pcap" '[.cleartext.user, .cleartext.credentials]')" '[null,false]' "bad base64: no user, no credentials"
t_is "$(anoms "$C/auth-no-mech.pcap")" '["xmpp",["xmpp:bad_stream"]]' "<auth/> without mechanism: bad_stream"
t_is "$(anoms "$C/not-stream-first.pcap")" '["xmpp",["xmpp:bad_stream"]]' "server's <iq> before its stream header: bad_stream"
t_is "$(rec "$C/component.pcap" '[.protocol, .cleartext.details.ndpi_protocol, [.anomalies[].name]]')" '[null,"Jabber",[]]' \
	"jabber:component:accept (XEP-0114): not claimed (nDPI names it)"
# the fake passwords (tools/mkpcap-xmpp.py, pcaps/xmpp/README.md) are on the
# wire of these captures and in no database or export
t_ok $(grep -aqF pw-cr-xmpp-6120 "$C/tls-failure.pcap" || grep -aqF "$(printf '\0bob\0pw-cr-xmpp-6120' | base64)" "$C/tls-failure.pcap" && echo 0 || echo 1) \
	"positive control: the crafted password is on the wire (base64)"
b64s=$(for u in alice bob carol; do printf '\0%s\0%s' $u wa-lab-xmpp-pw-3117 | base64; printf '\0%s\0%s' $u pw-cr-xmpp-6120 | base64; done)
t_is "$(grep -alF -e pw-cr-xmpp-6120 -e wa-lab-xmpp-pw-3117 $(printf -- '-e %s ' $b64s) "$T_TMP"/*.db "$T_TMP"/*.jsonl | wc -l)" 0 \
	"no password, nor its base64 PLAIN payload, in any database or export of this test"
rcs=$(cat "$T_TMP"/*.rc | sort -u | tr '\n' ' ')
t_is "$rcs" "0 " "every capture exits 0"
t_done
