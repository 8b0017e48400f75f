#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vnc-fields.sh — exact export fields of the VNC / RFB dissector (issue 17):
# the real TigerVNC captures of pcaps/vnc/ (tools/lab/gen-vnc.sh: None, VNC
# Authentication ok and failed, VeNCrypt Plain, TLSNone, TLSVnc, TLSPlain, X509Vnc,
# X509Plain, several types offered, RFB 3.3 and 3.7), hand-built ones from
# tools/mkpcap-vnc.py (3.7 / 3.3 connection failure, a successful Plain on
# port 5999 with a desktop name that needs escaping, Plain with the
# acknowledgement byte TigerVNC does not send, Tight, a refused TLS
# sub-type) and hostile ones (a bad version line, absurd reason / name /
# Plain lengths, a choice not offered, a bad SecurityResult, truncation):
# each ends in its anomaly or waits, never crashes, and the capture exits
# 0. Last, the VeNCrypt Plain passwords (the lab's and the crafted one) are
# searched in the database, its dump, both export formats and the report.
# Run it in the sanitizer build too.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/vnc
C=$T_TMP/c
python3 "$SRCDIR/tools/mkpcap-vnc.py" "$C" || { t_ok 1 "mkpcap-vnc.py"; t_done; exit 1; }
LAB_PASS=wa-lab-vnc-Pl4in-pw        # tools/lab/gen-vnc.sh
CRAFTED_PASS=pw-vnc-crafted-7701    # tools/mkpcap-vnc.py

# vnc PCAP JQ: JQ applied to the first TCP flow's export record
vnc() {
	local key db
	key=$(basename "$1" .pcap)
	if [ ! -f "$T_TMP/$key.jsonl" ]; then
		db="$T_TMP/$key.db"
		"$WIREAUDIT" capture -q -r "$1" -d "$db" 2>"$T_TMP/$key.err"
		echo $? > "$T_TMP/$key.rc"
		"$WIREAUDIT" export -d "$db" > "$T_TMP/$key.jsonl" 2>/dev/null
	fi
	jq -c 'select(.transport == "tcp")' "$T_TMP/$key.jsonl" | head -1 | jq -c "$2"
}
D='.cleartext.details'
# the flow, then the handshake
SEL="[.server_port, .protocol, .security, .cleartext.credentials, .cleartext.auth_mechanism, .cleartext.user,
      $D.vnc_server_version, $D.vnc_client_version, $D.vnc_security_types, $D.vnc_security_type,
      $D.vnc_security_type_id, $D.vnc_security_result, $D.vnc_failure_reason, $D.vnc_desktop_name, .anomalies]"
# VeNCrypt, and the TLS the hand-off found
VEN="[.security, $D.vnc_vencrypt_version, $D.vnc_vencrypt_subtypes, $D.vnc_vencrypt_subtype,
      $D.vnc_vencrypt_subtype_accepted, .cleartext.auth_mechanism, .cleartext.user, .tls.version, .tls.cipher,
      .tls.handshake, .anomalies]"

# --- real captures: the session in clear
t_is "$(vnc "$S/vnc-none.pcap" "$SEL")" \
	'[5900,"vnc","cleartext",false,"none",null,"003.008","003.008",["None"],"None",1,"ok",null,"wa-lab desktop",[]]' \
	"None (3.8): SecurityResult ok, ServerInit's desktop name"
t_is "$(vnc "$S/vnc-vncauth.pcap" "$SEL")" \
	'[5900,"vnc","cleartext",false,"vnc",null,"003.008","003.008",["VNC Authentication"],"VNC Authentication",2,"ok",null,"wa-lab desktop",[]]' \
	"VNC Authentication: a challenge-response, mechanism vnc, no credentials"
t_is "$(vnc "$S/vnc-vncauth-wrong-response.pcap" "$SEL")" \
	'[5900,"vnc","cleartext",false,"vnc",null,"003.008","003.008",["VNC Authentication"],"VNC Authentication",2,"failed","Authentication failure",null,[]]' \
	"a wrong VNC auth response: failed, the 3.8 reason from the wire"
t_is "$(vnc "$S/vnc-rfb33-none.pcap" "$SEL")" \
	'[5900,"vnc","cleartext",false,"none",null,"003.008","003.003",null,"None",1,null,null,"wa-lab desktop",[]]' \
	"RFB 3.3: no list, the server's u32 choice, no SecurityResult"
t_is "$(vnc "$S/vnc-rfb37-none.pcap" "$SEL")" \
	'[5900,"vnc","cleartext",false,"none",null,"003.008","003.007",["None"],"None",1,null,null,"wa-lab desktop",[]]' \
	"RFB 3.7: a list, no SecurityResult after None"
t_is "$(vnc "$S/vnc-vencrypt-plain.pcap" "$SEL")" \
	'[5900,"vnc","cleartext",true,"plain","wa-lab-vncuser","003.008","003.008",["VeNCrypt"],"VeNCrypt",19,"failed","Authentication failure: invalid password or username",null,[]]' \
	"VeNCrypt Plain: the user and a credential in clear, PAM's refusal"
t_is "$(vnc "$S/vnc-vencrypt-plain.pcap" "$VEN")" \
	'["cleartext","0.2",["Plain"],"Plain",null,"plain","wa-lab-vncuser",null,null,null,[]]' \
	"VeNCrypt Plain: version 0.2, the sub-type, no TLS"

# --- real captures: VeNCrypt TLS sub-types, handed off to TLS
t_is "$(vnc "$S/vnc-vencrypt-tlsnone.pcap" "$VEN")" \
	'["starttls","0.2",["TLSNone"],"TLSNone",null,null,null,"TLSv1.2","TLS_ECDH_anon_WITH_AES_256_CBC_SHA","complete",[]]' \
	"TLSNone: starttls, anonymous ECDH suite found by the TLS dissector"
t_is "$(vnc "$S/vnc-vencrypt-tlsvnc.pcap" "$VEN")" \
	'["starttls","0.2",["TLSVnc"],"TLSVnc",null,null,null,"TLSv1.2","TLS_ECDH_anon_WITH_AES_256_CBC_SHA","complete",[]]' \
	"TLSVnc: the VNC auth inside TLS is not seen"
t_is "$(vnc "$S/vnc-vencrypt-tlsplain.pcap" "$VEN")" \
	'["starttls","0.2",["TLSPlain"],"TLSPlain",null,null,null,"TLSv1.2","TLS_ECDH_anon_WITH_AES_256_CBC_SHA","complete",[]]' \
	"TLSPlain: the Plain credentials inside anonymous TLS are not seen"
t_is "$(vnc "$S/vnc-vencrypt-x509vnc.pcap" "$VEN")" \
	'["starttls","0.2",["X509Vnc"],"X509Vnc",null,null,null,"TLSv1.3","TLS_AES_256_GCM_SHA384","complete",[]]' \
	"X509Vnc: TLS 1.3"
t_is "$(vnc "$S/vnc-vencrypt-x509plain.pcap" "$VEN")" \
	'["starttls","0.2",["X509Plain"],"X509Plain",null,null,null,"TLSv1.3","TLS_AES_256_GCM_SHA384","complete",[]]' \
	"X509Plain: the Plain credentials inside TLS are not seen"
t_is "$(vnc "$S/vnc-vencrypt-x509plain.pcap" '[.protocol, .cleartext.credentials, .tls.server_cert.subject]')" \
	'["vnc",false,null]' "X509Plain: the flow stays vnc, no credential seen, the certificate encrypted (TLS 1.3)"
t_is "$(vnc "$S/vnc-offer-several.pcap" "[$D.vnc_security_types, $D.vnc_security_type, $VEN]")" \
	'[["VeNCrypt","VNC Authentication","None"],"VeNCrypt",["starttls","0.2",["TLSVnc","VNC Authentication","None"],"TLSVnc",null,null,null,"TLSv1.2","TLS_ECDH_anon_WITH_AES_256_CBC_SHA","complete",[]]]' \
	"three types offered, sub-types below 256 named as types, TLSVnc chosen"
for p in "$S"/*.pcap; do
	vnc "$p" . >/dev/null
	t_is "$(cat "$T_TMP/$(basename "$p" .pcap).rc")" 0 "$(basename "$p"): capture exits 0"
done

# --- hand-built
t_is "$(vnc "$C/rfb37-failed.pcap" "$SEL")" \
	'[5900,"vnc","unknown",false,null,null,"003.007","003.007",null,null,null,null,"too many connections\n",null,[]]' \
	"3.7: no types, the reason"
t_is "$(vnc "$C/rfb33-invalid.pcap" "$SEL")" \
	'[5900,"vnc","unknown",false,null,null,"003.008","003.003",null,"Invalid",0,null,"go away, 3.3",null,[]]' \
	"3.3: type 0 (Invalid) and the reason"
t_is "$(vnc "$C/vencrypt-plain-ok.pcap" "$SEL")" \
	'[5999,"vnc","cleartext",true,"plain","crafted-vnc-user","003.008","003.008",["None","VeNCrypt"],"VeNCrypt",19,"ok",null,"lab \"desk\"\\\u0001",[]]' \
	"Plain accepted on port 5999: the session goes on in clear, the name escaped by the export"
t_is "$(vnc "$C/vencrypt-plain-acked.pcap" "$SEL")" \
	'[5900,"vnc","cleartext",true,"plain","crafted-vnc-user","003.008","003.008",["None","VeNCrypt"],"VeNCrypt",19,"failed","denied",null,[]]' \
	"Plain with the u8 1 LibVNCClient and tshark expect after the choice: the same facts"
t_is "$(vnc "$C/tight-chosen.pcap" "$SEL")" \
	'[5900,"vnc","unknown",false,null,null,"003.008","003.008",["Tight","VNC Authentication"],"Tight",16,null,null,null,[]]' \
	"Tight chosen: named, not followed, security unknown"
t_is "$(vnc "$C/vencrypt-tls-refused.pcap" "$VEN")" \
	'["unknown","0.2",["TLSVnc"],"TLSVnc",false,null,null,null,null,null,[]]' \
	"a TLS sub-type refused by the server's u8 0: no hand-off"

# --- hostile: [anomaly name, detail]
A='[.anomalies[] | select(.dissector == "vnc") | [.name, .detail]]'
t_is "$(vnc "$C/bad-client-version.pcap" "$A")" '[["bad_version","client"]]' "a client version line that is not RFB"
t_is "$(vnc "$C/reason-too-long.pcap" "$A")" '[["reason_too_long","reason length 2147483647"]]' \
	"a reason length of 0x7fffffff"
t_is "$(vnc "$C/name-too-long.pcap" "$A")" '[["name_too_long","desktop name length 1000000000"]]' \
	"a desktop name length of 1e9"
t_is "$(vnc "$C/plain-too-long.pcap" "$A")" '[["plain_too_long","user length 4294967295, password length 4"]]' \
	"a Plain user length of 0xffffffff"
t_is "$(vnc "$C/plain-too-long.pcap" '[.cleartext.credentials, .cleartext.user]')" '[false,null]' \
	"an over-long Plain user: nothing kept"
t_is "$(vnc "$C/choice-not-offered.pcap" "$A")" '[["choice_not_offered","type 2"]]' "VNC auth chosen, None offered"
t_is "$(vnc "$C/bad-result.pcap" "$A")" '[["bad_security_result","SecurityResult 7"]]' "SecurityResult 7"
t_is "$(vnc "$C/vencrypt-not-offered.pcap" "$A")" '[["choice_not_offered","VeNCrypt sub-type 256"]]' \
	"a VeNCrypt sub-type not in the list"
t_is "$(vnc "$C/truncated-challenge.pcap" "[$D.vnc_security_type, $D.vnc_security_result, .anomalies]")" \
	'["VNC Authentication",null,[]]' "the capture ends inside the challenge: the dissector waits, no SecurityResult, no anomaly"
t_is "$(vnc "$C/absurd-subtype-count.pcap" "[$D.vnc_vencrypt_subtypes, .anomalies]")" '[null,[]]' \
	"255 sub-types announced, 2 sent: waits for the rest (at most 1020 bytes), none named"
for p in "$C"/*.pcap; do
	vnc "$p" . >/dev/null
	t_is "$(cat "$T_TMP/$(basename "$p" .pcap).rc")" 0 "$(basename "$p"): capture exits 0"
done

# --- the Plain password never kept: one database with every capture above
args=()
for p in "$S"/*.pcap "$C"/*.pcap; do args+=(-r "$p"); done
db=$T_TMP/all.db
"$WIREAUDIT" capture -q "${args[@]}" -d "$db" 2>/dev/null
t_is "$?" 0 "capture of every VNC capture into one database"
grep -aqF "$LAB_PASS" "$S/vnc-vencrypt-plain.pcap"
t_ok $? "positive control: the lab Plain password is on the wire"
grep -aqF "$CRAFTED_PASS" "$C/vencrypt-plain-ok.pcap"
t_ok $? "positive control: the crafted Plain password is on the wire"
outs=("$db")
for fmt in jsonl csv; do
	"$WIREAUDIT" export -d "$db" --format "$fmt" -o "$T_TMP/export.$fmt"
	outs+=("$T_TMP/export.$fmt")
done
"$WIREAUDIT" report -d "$db" --level 3 -F json -o "$T_TMP/report.json"
outs+=("$T_TMP/report.json")
if command -v sqlite3 >/dev/null; then
	sqlite3 "$db" .dump >"$T_TMP/dump.sql"
	outs+=("$T_TMP/dump.sql")
fi
t_is "$(jq -s '[.[] | select(.protocol == "vnc" and .cleartext.credentials)] | length' "$T_TMP/export.jsonl")" 3 \
	"3 VNC flows with credentials in the export (the lab's Plain, two crafted ones)"
for f in "${outs[@]}"; do
	hits=$(grep -a -o -F -e "$LAB_PASS" -e "$CRAFTED_PASS" \
		-e "$(printf %s "$LAB_PASS" | xxd -p | tr -d '\n')" \
		-e "$(printf %s "$CRAFTED_PASS" | xxd -p | tr -d '\n')" "$f" | sort -u | tr '\n' ' ')
	t_is "$hits" "" "no Plain password in $(basename "$f") ($(stat -c %s "$f") bytes)"
done
t_done
