#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# rdp-fields.sh — exact export fields of the RDP dissector (issue 17): the
# real xrdp / FreeRDP captures of pcaps/rdp/ (tools/lab/gen-rdp.sh:
# Standard RDP Security at three encryption levels, TLS, TLS by default
# negotiation, CredSSP against freerdp-shadow-cli, a server selecting
# PROTOCOL_RDP for an NLA client, a negotiation failure, an old client
# refused), the TLS dissector's facts after the hand-off, hand-built cases
# of tools/mkpcap-rdp.py (a routing token with correlation info, failures,
# ENCRYPTION_METHOD_NONE, a non-standard port, S7comm's ISO-TSAP request
# that is not RDP) and hostile ones (TPKT version and lengths, truncated
# and oversized TPKTs, X.224 LI, TPDU code, cookie, RDP_NEG_REQ length,
# unknown selected protocol, trailing bytes, non-BER MCS, bad T.124, a
# user data block past its parent, a short Client Info PDU): each ends in its anomaly, never in a
# crash, and the capture exits 0. Last, the lab password (it crosses only
# encrypted) and the crafted one (in clear in std-enc-none) are searched in
# every database and export, as ASCII and UTF-16LE. Run it in the
# sanitizer build too.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/rdp
C=$T_TMP/c
python3 "$SRCDIR/tools/mkpcap-rdp.py" "$SRCDIR" "$C" || { t_ok 1 "mkpcap-rdp.py"; t_done; exit 1; }
LAB_PASS=wa-lab-rdp-pa55 # tools/lab/gen-rdp.sh
CRAFTED_PASS=pw-rdp-crafted-7 # tools/mkpcap-rdp.py (std-enc-none: in clear)

# rdp PCAP JQ: JQ over every TCP flow's export record, one line per flow
rdp() {
	local key db
	key=$(basename "$1" .pcap)
	if [ ! -f "$T_TMP/$key.jsonl" ]; then
		db="$T_TMP/$key.db"
		"$WIREAUDIT" capture -q -r "$1" -d "$db" 2>"$T_TMP/$key.err"
		echo $? > "$T_TMP/$key.rc"
		"$WIREAUDIT" export -d "$db" > "$T_TMP/$key.jsonl" 2>/dev/null
	fi
	jq -c "select(.transport == \"tcp\") | $2" "$T_TMP/$key.jsonl"
}
D='.cleartext.details'
# what the negotiation said
NEG="[.server_port, .protocol, .security, .cleartext.user, $D.rdp_neg_request, $D.rdp_requested_protocols,
      $D.rdp_requested, $D.rdp_neg_request_flags, $D.rdp_negotiation, $D.rdp_selected_protocol,
      $D.rdp_neg_response_flags, $D.rdp_neg_failure, $D.rdp_neg_failure_code, .anomalies]"
# what Standard RDP Security's MCS phase said
MCS="[.security, $D.rdp_selected_protocol, $D.rdp_client_encryption_methods, $D.rdp_mcs_result,
      $D.rdp_encryption_method, $D.rdp_encryption_level, $D.rdp_mcs_disconnect, $D.rdp_security_exchange,
      $D.rdp_client_info_encrypted, .cleartext.credentials, .tls, .anomalies]"
# (TLS 1.3: the certificates travel encrypted, none is read)
TLS='[.security, .tls.version, .tls.cipher, .tls.established, (.tls.server_certs | length)]'

# --- real captures: Standard RDP Security (xrdp security_layer=rdp, /sec:rdp)
for lv in "high 128bit high" "low 40bit low" "fips fips fips"; do
	set -- $lv
	t_is "$(rdp "$S/rdp-std-$1.pcap" "$NEG")" \
		'[3389,"rdp","app_encrypted","wa-lab-rdpuser",false,null,null,null,"none","rdp",null,null,null,[]]' \
		"std-$1: no RDP_NEG_REQ, a CC without negotiation: Standard RDP Security, mstshash as the user"
	t_is "$(rdp "$S/rdp-std-$1.pcap" "$MCS")" \
		"[\"app_encrypted\",\"rdp\",27,0,\"$2\",\"$3\",null,true,true,false,null,[]]" \
		"std-$1: CS_SECURITY 0x1b, Connect Response rt-successful, SC_SECURITY $2 / $3, Security Exchange, Client Info encrypted"
done
# --- TLS selected: handed to the TLS dissector
t_is "$(rdp "$S/rdp-tls.pcap" "$NEG")" \
	'[3389,"rdp","starttls","wa-lab-rdpuser",true,1,["tls"],0,"response","tls",1,null,null,[]]' \
	"tls: requested TLS, selected TLS (EXTENDED_CLIENT_DATA_SUPPORTED)"
t_is "$(rdp "$S/rdp-tls.pcap" "$TLS")" '["starttls","TLSv1.3","TLS_AES_256_GCM_SHA384",true,0]' \
	"tls: the TLS dissector took the stream after the CC (TLS 1.3)"
t_is "$(rdp "$S/rdp-negotiate-auto.pcap" "$NEG")" \
	'[3389,"rdp","starttls","wa-lab-rdpuser",true,3,["tls","hybrid"],0,"response","tls",1,null,null,[]]' \
	"negotiate-auto: FreeRDP's default asks TLS+CredSSP, xrdp selects TLS"
t_is "$(rdp "$S/rdp-negotiate-auto.pcap" "$TLS")" '["starttls","TLSv1.3","TLS_AES_256_GCM_SHA384",true,0]' \
	"negotiate-auto: TLS facts"
t_is "$(rdp "$S/rdp-nla-shadow.pcap" "$NEG")" \
	'[3389,"rdp","starttls","wa-lab-rdpuser",true,3,["tls","hybrid"],0,"response","hybrid",3,null,null,[]]' \
	"nla-shadow: freerdp-shadow-cli selects CredSSP (HYBRID), flags 0x03"
t_is "$(rdp "$S/rdp-nla-shadow.pcap" "$TLS")" '["starttls","TLSv1.3","TLS_AES_256_GCM_SHA384",true,0]' \
	"nla-shadow: the TLS under CredSSP"
t_is "$(rdp "$S/rdp-nla-server-tls.pcap" "$NEG")" \
	'[3389,"rdp","starttls","wa-lab-rdpuser",true,3,["tls","hybrid"],0,"response","tls",1,null,null,[]]' \
	"nla-server-tls: TLS selected for an NLA client, which closes"
t_is "$(rdp "$S/rdp-nla-server-tls.pcap" '.tls')" 'null' "nla-server-tls: no TLS byte, no tls object"
# --- PROTOCOL_RDP selected, a failure, an old client refused
t_is "$(rdp "$S/rdp-nla-server-rdp.pcap" "$NEG")" \
	'[3389,"rdp","unknown","wa-lab-rdpuser",true,3,["tls","hybrid"],0,"response","rdp",1,null,null,[]]' \
	"nla-server-rdp: xrdp selects PROTOCOL_RDP for a TLS+CredSSP request; nothing more, security unknown"
t_is "$(rdp "$S/rdp-tls-shadow-nla.pcap" "$NEG")" \
	'[3389,"rdp","unknown","wa-lab-rdpuser",true,1,["tls"],0,"failure",null,null,"hybrid_required_by_server",5,[]]' \
	"tls-shadow-nla: RDP_NEG_FAILURE HYBRID_REQUIRED_BY_SERVER"
t_is "$(rdp "$S/rdp-rdp-server-tls.pcap" "$MCS" | tr '\n' ' ')" \
	'["unknown","rdp",27,null,null,null,true,null,null,false,null,[]] ["unknown","rdp",27,null,null,null,true,null,null,false,null,[]] ' \
	"rdp-server-tls: xrdp (TLS only) ends both tries with disconnectProviderUltimatum; the client's Connect Initial that the first one overtakes is still read"
for p in "$S"/*.pcap; do
	rdp "$p" . >/dev/null
	t_is "$(cat "$T_TMP/$(basename "$p" .pcap).rc")" 0 "$(basename "$p"): capture exits 0"
done

# --- hand-built
t_is "$(rdp "$C/token-tls.pcap" "[$D.rdp_routing_token, .cleartext.user, $D.rdp_neg_request_flags, $D.rdp_neg_response_flags, .security, .anomalies]")" \
	'["Cookie: msts=3640205228.15629.0000",null,8,31,"starttls",[]]' \
	"a routing token (kept as a detail, not a user), correlation info skipped"
t_is "$(rdp "$C/fail-ssl-not-allowed.pcap" "$NEG")" \
	'[3389,"rdp","unknown","wa-crafted",true,3,["tls","hybrid"],0,"failure",null,null,"ssl_not_allowed_by_server",2,[]]' \
	"SSL_NOT_ALLOWED_BY_SERVER"
t_is "$(rdp "$C/fail-unknown-code.pcap" "[$D.rdp_neg_failure, $D.rdp_neg_failure_code]")" '["0x00000063",99]' \
	"a failure code outside 2.2.1.2.2: named by its value"
t_is "$(rdp "$C/std-enc-none.pcap" "$MCS")" '["cleartext","rdp",27,0,"none","none",null,false,false,true,null,[]]' \
	"ENCRYPTION_METHOD_NONE: no Security Exchange, the Client Info PDU in clear with a password: cleartext, credentials"
t_is "$(rdp "$C/std-enc-none.pcap" '.cleartext.auth_mechanism')" '"password"' "the Client Info PDU's mechanism: password"
t_is "$(rdp "$C/std-port-13389.pcap" "[.server_port, .protocol, .security, $D.rdp_encryption_method]")" \
	'[13389,"rdp","unknown","128bit"]' \
	"port 13389: found by content (it stops at the Connect Response: no Client Info PDU seen, security unknown)"
t_is "$(rdp "$C/not-rdp-s7.pcap" '[.protocol, (.cleartext.details.rdp_negotiation)]')" '[null,null]' \
	"an S7comm ISO-TSAP Connection Request: TPKT and X.224, not RDP"

# --- hostile: [anomaly name, detail]
A='[.anomalies[] | select(.dissector == "rdp") | [.name, .detail]]'
t_is "$(rdp "$C/cc-tpkt-version-4.pcap" "$A")" '[["bad_tpkt_version","version 4"]]' "TPKT version 4"
t_is "$(rdp "$C/cc-tpkt-length-5.pcap" "$A")" '[["bad_tpkt_length","length 5 (at least 7)"]]' "TPKT length 5"
t_is "$(rdp "$C/cc-tpkt-oversized.pcap" "$A")" '[["truncated","a TPKT was incomplete when the stream ended"]]' \
	"TPKT length 65535 with 11 bytes, then FIN"
t_is "$(rdp "$C/cr-truncated.pcap" "$A")" '[["truncated","a TPKT was incomplete when the stream ended"]]' \
	"a CR cut short"
t_is "$(rdp "$C/cc-bad-li.pcap" "$A")" '[["bad_x224_length","LI 15 for 6 bytes"]]' "X.224 LI past the TPKT"
t_is "$(rdp "$C/cc-wrong-tpdu.pcap" "$A")" '[["unexpected_tpdu","code 0x80 where a Connection Confirm was expected"]]' \
	"a Disconnect Request instead of a CC"
t_is "$(rdp "$C/cr-cookie-no-crlf.pcap" "$A")" '[["bad_cookie","no CR LF after the routing token or cookie"]]' \
	"a cookie without CR LF"
t_is "$(rdp "$C/cr-cookie-no-crlf.pcap" '.cleartext.user')" 'null' "the unterminated cookie is not a user"
t_is "$(rdp "$C/cr-neg-req-len-9.pcap" "$A")" '[["bad_neg_req","not an RDP_NEG_REQ of 8 bytes"]]' "RDP_NEG_REQ length 9"
t_is "$(rdp "$C/cc-selected-0x40.pcap" "$A")" '[["unknown_selected_protocol","selectedProtocol 0x00000040"]]' \
	"selectedProtocol 0x40"
t_is "$(rdp "$C/cc-selected-0x40.pcap" '[.security, .tls]')" '["unknown",null]' "an unknown selection: no hand-off"
t_is "$(rdp "$C/cc-trailing.pcap" "$A")" '[["trailing_bytes","2 bytes after the negotiation"]]' "bytes after RDP_NEG_RSP"
t_is "$(rdp "$C/ci-not-ber.pcap" "$A")" '[["bad_mcs","no MCS Connect-Initial"]]' "a Data TPDU that is not MCS BER"
t_is "$(rdp "$C/ci-bad-t124.pcap" "$A")" '[["bad_gcc","no T.124 ConnectData"]]' "T.124 object identifier changed"
t_is "$(rdp "$C/cresp-block-overrun.pcap" "$A")" '[["bad_gcc","user data block header"]]' \
	"SC_SECURITY's length past the user data"
t_is "$(rdp "$C/cresp-block-overrun.pcap" "[.security, $D.rdp_encryption_method]")" '["unknown",null]' \
	"the overrun block states no encryption method"
t_is "$(rdp "$C/cinfo-short.pcap" "$A")" '[["bad_mcs","short TS_INFO_PACKET"]]' "a Client Info PDU in clear cut short"
t_is "$(rdp "$C/cinfo-short.pcap" '[.security, .cleartext.credentials]')" '["cleartext",false]' \
	"the short Client Info PDU: its header shows it in clear (no SEC_ENCRYPT), its body no password length: no credential"
for p in "$C"/*.pcap; do
	rdp "$p" . >/dev/null
	t_is "$(cat "$T_TMP/$(basename "$p" .pcap).rc")" 0 "$(basename "$p"): capture exits 0"
done

# --- the lab password is never kept (it crossed only encrypted): every
# database and export written above, and one database of all the real
# captures in its CSV form too
args=()
for p in "$S"/*.pcap; do args+=(-r "$p"); done
db=$T_TMP/all.db
"$WIREAUDIT" capture -q "${args[@]}" -d "$db" 2>/dev/null
t_is "$?" 0 "capture of every real RDP capture into one database"
t_is "$(jq -s '[.[] | select(.protocol == "rdp")] | length' <("$WIREAUDIT" export -d "$db"))" 11 \
	"11 RDP flows in the 10 real captures"
"$WIREAUDIT" export -d "$db" --format csv -o "$T_TMP/export.csv"
# the crafted password is on the wire in clear (UTF-16LE: TS_INFO_PACKET with INFO_UNICODE)
hex() { xxd -p | tr -d '\n'; }
u16hex() { printf %s "$1" | iconv -t UTF-16LE | hex; }
hex <"$C/std-enc-none.pcap" | grep -qF "$(u16hex "$CRAFTED_PASS")"
t_ok $? "positive control: the crafted password is in std-enc-none.pcap (UTF-16LE)"
# every database and export, as hex: each password as ASCII and as UTF-16LE
hits=$(for f in "$T_TMP"/*.db "$T_TMP"/*.jsonl "$T_TMP/export.csv"; do hex <"$f"; echo; done |
	grep -o -F -e "$(printf %s "$LAB_PASS" | hex)" -e "$(u16hex "$LAB_PASS")" \
		-e "$(printf %s "$CRAFTED_PASS" | hex)" -e "$(u16hex "$CRAFTED_PASS")" | sort -u | tr '\n' ' ')
t_is "$hits" "" "no password (ASCII or UTF-16LE) in any database or export ($(ls "$T_TMP"/*.db | wc -l) databases)"
t_done
