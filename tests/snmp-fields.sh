#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# snmp-fields.sh — exact export fields of the SNMP dissector (issue 17): the
# real Net-SNMP captures of pcaps/snmp/ (tools/lab/gen-snmp.sh: v1, v2c get,
# walk, bulkwalk, trap, v3 in its three security levels), hand-built ones
# from tools/mkpcap-snmp.py (a non-standard port, an empty community, v3
# without discovery, discovery only, mixed levels, bytes that are not SNMP)
# and hostile ones (indefinite length, truncated, version 2, a version
# change, priv without auth, a 40-byte user name, an unknown PDU, trailing
# bytes): each ends in its anomaly, never in a crash, and the capture exits
# 0. Last, the community strings (the lab's and the crafted one) are
# searched in the database, its dump and the export in both formats: only
# presence and length may be kept. Run it in the sanitizer build too.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/snmp
python3 "$SRCDIR/tools/mkpcap-snmp.py" "$T_TMP/c" || { t_ok 1 "mkpcap-snmp.py"; t_done; exit 1; }
C=$T_TMP/c
LAB_COMMUNITY=wa-lab-c0mmunity     # tools/lab/gen-snmp.sh
CRAFTED_COMMUNITY=pw-snmp-crafted-6601 # tools/mkpcap-snmp.py

# snmp PCAP JQ: JQ applied to the first UDP flow's export record
snmp() {
	local key db
	key=$(basename "$1" .pcap)
	if [ ! -f "$T_TMP/$key.jsonl" ]; then
		db="$T_TMP/$key.db"
		"$WIREAUDIT" capture -q -r "$1" -d "$db" 2>"$T_TMP/$key.err"
		echo $? > "$T_TMP/$key.rc"
		"$WIREAUDIT" export -d "$db" > "$T_TMP/$key.jsonl" 2>/dev/null
	fi
	jq -c 'select(.transport == "udp")' "$T_TMP/$key.jsonl" | head -1 | jq -c "$2"
}
D='.cleartext.details'
SEL="[.server_port, .protocol, .security, .cleartext.credentials, .cleartext.auth_mechanism, .cleartext.user,
      $D.snmp_version, $D.snmp_messages, $D.snmp_pdu_types, $D.snmp_community_present, $D.snmp_community_length,
      $D.snmp_security_model, $D.snmp_security_level, $D.snmp_discovery_only, .anomalies]"

# --- real captures
t_is "$(snmp "$S/snmp-v1-get.pcap" "$SEL")" \
	'[161,"snmp","cleartext",true,"community",null,"1",2,["get","response"],true,16,null,null,null,[]]' \
	"v1 get: community present (16 bytes), a credential in clear"
t_is "$(snmp "$S/snmp-v2c-get.pcap" "$SEL")" \
	'[161,"snmp","cleartext",true,"community",null,"2c",2,["get","response"],true,16,null,null,null,[]]' \
	"v2c get"
t_is "$(snmp "$S/snmp-v2c-walk.pcap" "$SEL")" \
	'[161,"snmp","cleartext",true,"community",null,"2c",64,["getnext","response"],true,16,null,null,null,[]]' \
	"v2c walk: getnext; the dissector stops after 64 of the 76 messages"
t_is "$(snmp "$S/snmp-v2c-bulkwalk.pcap" "$SEL")" \
	'[161,"snmp","cleartext",true,"community",null,"2c",8,["getbulk","response"],true,16,null,null,null,[]]' \
	"v2c bulkwalk: getbulk"
t_is "$(snmp "$S/snmp-v2c-trap.pcap" "$SEL")" \
	'[162,"snmp","cleartext",true,"community",null,"2c",1,["trapv2"],true,16,null,null,null,[]]' \
	"v2c trap to 162"
t_is "$(snmp "$S/snmp-v3-noauthnopriv.pcap" "$SEL")" \
	'[161,"snmp","cleartext",false,"usm","wa-noauth","3",4,["get","report","response"],false,null,3,"noAuthNoPriv",null,[]]' \
	"v3 noAuthNoPriv: discovery (get, report), then the user's get and response"
t_is "$(snmp "$S/snmp-v3-authnopriv-sha.pcap" "$SEL")" \
	'[161,"snmp","cleartext",false,"usm","wa-auth","3",4,["get","report","response"],false,null,3,"authNoPriv",null,[]]' \
	"v3 authNoPriv (SHA): cleartext, the PDU readable"
t_is "$(snmp "$S/snmp-v3-authpriv-sha-aes.pcap" "$SEL")" \
	'[161,"snmp","app_encrypted",false,"usm","wa-priv","3",4,["get","report"],false,null,3,"authPriv",null,[]]' \
	"v3 authPriv (SHA+AES): app_encrypted; the encrypted PDUs add no type"
for p in "$S"/*.pcap; do
	snmp "$p" . >/dev/null
	t_is "$(cat "$T_TMP/$(basename "$p" .pcap).rc")" 0 "$(basename "$p"): capture exits 0"
done

# --- hand-built
t_is "$(snmp "$C/v2c-port1161.pcap" "$SEL")" \
	'[1161,"snmp","cleartext",true,"community",null,"2c",2,["get","response"],true,20,null,null,null,[]]' \
	"port 1161: found by content"
t_is "$(snmp "$C/v1-empty-community.pcap" "$SEL")" \
	'[161,"snmp","cleartext",false,null,null,"1",2,["get","response"],true,0,null,null,null,[]]' \
	"an empty community is present but no credential"
t_is "$(snmp "$C/v3-authpriv-nodisc.pcap" "$SEL")" \
	'[161,"snmp","app_encrypted",false,"usm","wa-crafted","3",2,null,false,null,3,"authPriv",null,[]]' \
	"v3 authPriv without discovery: no PDU type readable"
t_is "$(snmp "$C/v3-discovery-only.pcap" "$SEL")" \
	'[161,"snmp","unknown",false,"usm",null,"3",2,["get","report"],false,null,3,null,true,[]]' \
	"v3 discovery only: no level, security unknown"
t_is "$(snmp "$C/v3-mixed-levels.pcap" "$SEL")" \
	'[161,"snmp","cleartext",false,"usm","mixer","3",4,["get","response"],false,null,3,"authNoPriv",null,[]]' \
	"v3 authPriv then authNoPriv: the weakest level counts, cleartext"
t_is "$(snmp "$C/not-snmp-161.pcap" '[.protocol, .security]')" '[null,null]' \
	"DNS-looking bytes on 161: not SNMP"

# --- hostile: [anomaly name, detail]
A='[.anomalies[] | select(.dissector == "snmp") | [.name, .detail]]'
t_is "$(snmp "$C/indefinite-length.pcap" "$A")" '[["indefinite_length","message"]]' "indefinite length"
t_is "$(snmp "$C/truncated.pcap" "$A")" '[["bad_message","message: runs past its parent"]]' "outer length past the datagram"
t_is "$(snmp "$C/bad-version.pcap" "$A")" '[["bad_version","version field"]]' "version 2 after a v2c message"
t_is "$(snmp "$C/version-changed.pcap" "$A")" '[["version_changed","2c then 3"]]' "v2c then v3 in one flow"
t_is "$(snmp "$C/priv-without-auth.pcap" "$A")" '[["bad_v3_header","msgFlags 0x06: priv without auth"]]' \
	"msgFlags priv without auth (RFC 3412 §7.2)"
t_is "$(snmp "$C/user-too-long.pcap" "$A")" '[["bad_usm_parameters","msgUserName of 40 bytes (RFC 3414: at most 32)"]]' \
	"a 40-byte user name"
t_is "$(snmp "$C/user-too-long.pcap" '.cleartext.user')" 'null' "the over-long user name is not kept"
t_is "$(snmp "$C/unknown-pdu.pcap" "$A")" '[["unknown_pdu","class 2 tag 9"]]' "PDU tag [9]"
t_is "$(snmp "$C/trailing-bytes.pcap" "$A")" '[["trailing_bytes","2 bytes after the message"]]' "bytes after the message"
for p in "$C"/*.pcap; do
	snmp "$p" . >/dev/null
	t_is "$(cat "$T_TMP/$(basename "$p" .pcap).rc")" 0 "$(basename "$p"): capture exits 0"
done

# --- the community never kept: one database with every capture above
args=()
for p in "$S"/*.pcap "$C"/*.pcap; do args+=(-r "$p"); done
db=$T_TMP/all.db
"$WIREAUDIT" capture -q "${args[@]}" -d "$db" 2>/dev/null
t_is "$?" 0 "capture of every SNMP capture into one database"
grep -aqF "$LAB_COMMUNITY" "$S/snmp-v2c-get.pcap"
t_ok $? "positive control: the lab community is on the wire"
grep -aqF "$CRAFTED_COMMUNITY" "$C/v2c-port1161.pcap"
t_ok $? "positive control: the crafted community is on the wire"
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
t_is "$(jq -s '[.[] | select(.protocol == "snmp" and .cleartext.details.snmp_community_present)] | length' "$T_TMP/export.jsonl")" 10 \
	"10 SNMP flows with a community in the export (5 real, 5 crafted)"
for f in "${outs[@]}"; do
	hits=$(grep -a -o -F -e "$LAB_COMMUNITY" -e "$CRAFTED_COMMUNITY" \
		-e "$(printf %s "$LAB_COMMUNITY" | xxd -p | tr -d '\n')" \
		-e "$(printf %s "$CRAFTED_COMMUNITY" | xxd -p | tr -d '\n')" "$f" | sort -u | tr '\n' ' ')
	t_is "$hits" "" "no community in $(basename "$f") ($(stat -c %s "$f") bytes)"
done
t_done
