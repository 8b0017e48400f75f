#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# smb-fields.sh — exact export fields of the SMB dissector (issue 18): the
# real Samba captures of pcaps/smb/ (tools/lab/gen-smb.sh: SMB 3.1.1 with
# encryption required by the server or by the share, 3.0.2 encrypted by the
# client, 3.1.1 signed and unsigned, 2.0.2, SMB1 NT1, an SMB1 NEGOTIATE that
# ends in SMB 3.1.1, guest and anonymous), the hand-built cases of
# tools/mkpcap-smb.py (Kerberos, 3.1.1 contexts with unknown ids, NTLMv1 with
# OEM names on a port no hint names, a keep-alive and a split NEGOTIATE, a
# compound, RFC 1002 session request on 139 then SMB 3.0 encryption, SMB1
# legacy session set-up with a password in clear and with NTLMv1, a large
# READ skipped) and
# hostile ones: each ends in its anomaly or is ignored, never in a crash,
# and the capture exits 0. Run it in the sanitizer build too.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/smb
python3 "$SRCDIR/tools/mkpcap-smb.py" "$T_TMP/c" || { t_ok 1 "mkpcap-smb.py"; t_done; exit 1; }
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
# the flow: port, protocol, security, user, credentials, mechanism, anomalies
FLOW='[.server_port, .protocol, .security, .cleartext.user, .cleartext.credentials, .cleartext.auth_mechanism, ([.anomalies[].name])]'
# the NEGOTIATE: version, dialect, SMB1 offered, each side's signing and
# encryption capability, the 3.1.1 cipher and signing algorithm
NEG='.cleartext.details | [.smb_version, .smb_dialect, .smb1_negotiate, .smb_client_signing, .smb_server_signing, .smb_client_encryption_capable, .smb_server_encryption_capable, .smb_cipher, .smb_signing_algorithm]'
# the session: NTLMSSP messages, NTLM names and version, SessionFlags, trees,
# ShareFlags ENCRYPT_DATA, transform (encrypted) and signed message counts
SES='.cleartext.details | [.ntlmssp_messages, .ntlm_domain, .ntlm_workstation, .ntlm_version, .ntlm_anonymous, .smb_session_status, .smb_session_guest, .smb_session_null, .smb_session_encrypt, .smb_trees, .smb_share_encrypt, .smb_encrypted_messages, .smb_signed_messages]'
OFF311='["2.0.2","2.1","3.0","3.0.2","3.1.1"]'
NTLM3='["negotiate","challenge","authenticate"]'
IPC='"\\\\10.99.33.2\\IPC$"'
SHARE='"\\\\10.99.33.2\\share"'

# --- real captures
t_is "$(rec "$S/smb-311-encrypted.pcap" "$FLOW")" '[445,"smb","app_encrypted","alice",false,"ntlm",[]]' \
	"3.1.1 smb encrypt = required: app_encrypted, NTLM user alice, no credentials (a challenge-response)"
t_is "$(rec "$S/smb-311-encrypted.pcap" "$NEG")" '["SMB3","3.1.1",false,"enabled","enabled",true,false,"AES-128-GCM","AES-GMAC"]' \
	"3.1.1 encrypted: dialect 3.1.1, AES-128-GCM and AES-GMAC selected by negotiate contexts"
t_is "$(rec "$S/smb-311-encrypted.pcap" "$SES")" \
	"[$NTLM3,\"WORKGROUP\",\"VM\",\"v2\",null,\"0x00000000\",false,false,true,null,null,2,1]" \
	"3.1.1 encrypted: SessionFlags ENCRYPT_DATA, the tree connect inside transform headers (none stated), one transform each way"
t_is "$(rec "$S/smb-311-encrypted.pcap" '.cleartext.details | [.smb_dialects_offered, .smb_ciphers_offered, .smb_signing_algorithms_offered]')" \
	"[$OFF311,[\"AES-128-GCM\",\"AES-128-CCM\",\"AES-256-GCM\",\"AES-256-CCM\"],[\"AES-GMAC\",\"AES-CMAC\",\"HMAC-SHA256\"]]" \
	"3.1.1: smbclient's dialects, ciphers and signing algorithms offered, in its order"
t_is "$(rec "$S/smb-302-encrypted.pcap" "$FLOW")" '[445,"smb","app_encrypted","alice",false,"ntlm",[]]' \
	"3.0.2 --client-protection=encrypt: app_encrypted"
t_is "$(rec "$S/smb-302-encrypted.pcap" "$NEG")" '["SMB3","3.0.2",false,"required","enabled",true,true,"AES-128-CCM",null]' \
	"3.0.2: the client requires signing, both encryption-capable, AES-128-CCM from the transform header"
t_is "$(rec "$S/smb-302-encrypted.pcap" "$SES")" \
	"[$NTLM3,\"WORKGROUP\",\"VM\",\"v2\",null,\"0x00000000\",false,false,false,null,null,2,1]" \
	"3.0.2: the client encrypts without SessionFlags ENCRYPT_DATA"
t_is "$(rec "$S/smb-311-share-encrypted.pcap" "$FLOW")" '[445,"smb","app_encrypted","alice",false,"ntlm",[]]' \
	"share-level encryption: app_encrypted"
t_is "$(rec "$S/smb-311-share-encrypted.pcap" "$SES")" \
	"[$NTLM3,\"WORKGROUP\",\"VM\",\"v2\",null,\"0x00000000\",false,false,false,[$IPC,$SHARE],true,2,5]" \
	"share-level encryption: IPC\$ in clear, the share's ShareFlags ENCRYPT_DATA, then transform headers"
t_is "$(rec "$S/smb-311-signed.pcap" "$FLOW")" '[445,"smb","cleartext","alice",false,"ntlm",[]]' \
	"3.1.1 server signing = mandatory, no encryption: cleartext"
t_is "$(rec "$S/smb-311-signed.pcap" "$NEG")" '["SMB3","3.1.1",false,"enabled","required",true,false,null,"AES-GMAC"]' \
	"3.1.1 signed: the server requires signing; no cipher selected"
t_is "$(rec "$S/smb-311-signed.pcap" "$SES")" \
	"[$NTLM3,\"WORKGROUP\",\"VM\",\"v2\",null,\"0x00000000\",false,false,false,[$IPC,$SHARE],false,0,9]" \
	"3.1.1 signed: two trees, no encryption, nine signed messages up to the share's tree connect"
t_is "$(rec "$S/smb-311-plain.pcap" "$NEG")" '["SMB3","3.1.1",false,"enabled","enabled",true,false,null,"AES-GMAC"]' \
	"3.1.1 plain: signing enabled, not required, on both sides"
t_is "$(rec "$S/smb-311-plain.pcap" "$SES")" \
	"[$NTLM3,\"WORKGROUP\",\"VM\",\"v2\",null,\"0x00000000\",false,false,false,[$IPC,$SHARE],false,0,5]" \
	"3.1.1 plain: fewer signed messages (the session set-up's only)"
t_is "$(rec "$S/smb-202-ntlm.pcap" "$NEG")" '["SMB2","2.0.2",false,"enabled","enabled",false,false,null,null]' \
	"2.0.2: SMB2, no encryption capability on either side"
t_is "$(rec "$S/smb-202-ntlm.pcap" '.cleartext.details.smb_dialects_offered')" '["2.0.2"]' "2.0.2: the only dialect offered"
t_is "$(rec "$S/smb-smb1-nt1.pcap" "$FLOW")" '[445,"smb","cleartext","alice",false,"ntlm",[]]' \
	"SMB1: cleartext, NTLM in SESSION_SETUP_ANDX's extended security blob"
t_is "$(rec "$S/smb-smb1-nt1.pcap" "$NEG")" '["SMB1","NT LANMAN 1.0",true,null,"disabled",null,null,null,null]' \
	"SMB1: Samba picks NT LANMAN 1.0 (DialectIndex 0), SecurityMode 0x03 (no signatures)"
t_is "$(rec "$S/smb-smb1-nt1.pcap" '.cleartext.details | [.smb1_dialects_offered, .smb_trees]')" \
	'[["NT LANMAN 1.0","NT LM 0.12"],["\\\\10.99.33.2\\IPC$","\\\\10.99.33.2\\SHARE"]]' \
	"SMB1: the dialect strings offered; TREE_CONNECT_ANDX paths (Unicode)"
t_is "$(rec "$S/smb-smb1-to-smb3.pcap" "$NEG")" '["SMB3","3.1.1",true,"enabled","enabled",true,false,null,"AES-GMAC"]' \
	"SMB1 NEGOTIATE answered with 2.??? then an SMB2 NEGOTIATE: SMB1 offered, 3.1.1 negotiated"
t_is "$(rec "$S/smb-smb1-to-smb3.pcap" '.cleartext.details.smb1_dialects_offered')" \
	'["NT LANMAN 1.0","NT LM 0.12","SMB 2.002","SMB 2.???"]' "multi-protocol NEGOTIATE: the SMB1 strings offered"
t_is "$(rec "$S/smb-311-guest.pcap" "$FLOW")" '[445,"smb","cleartext","visitor",false,"ntlm",[]]' \
	"unknown user mapped to guest: the NTLM user visitor"
t_is "$(rec "$S/smb-311-guest.pcap" "$SES")" \
	"[$NTLM3,\"WORKGROUP\",\"VM\",\"v2\",null,\"0x00000000\",true,false,false,[$IPC,$SHARE],false,0,0]" \
	"guest: SessionFlags IS_GUEST, nothing signed"
t_is "$(rec "$S/smb-311-anonymous.pcap" "$FLOW")" '[445,"smb","cleartext",null,false,"anonymous",[]]' \
	"anonymous: no user, mechanism anonymous (no challenge-response)"
t_is "$(rec "$S/smb-311-anonymous.pcap" "$SES")" \
	"[$NTLM3,null,\"VM\",null,true,\"0x00000000\",false,false,false,[$IPC,$SHARE],false,0,0]" \
	"anonymous: ntlm_anonymous, no NTLM version (Samba answers SessionFlags 0)"

# --- hand-built
t_is "$(rec "$C/kerberos.pcap" "$FLOW")" '[445,"smb","cleartext",null,false,"kerberos",[]]' \
	"SPNEGO with the Kerberos OID and no NTLMSSP: kerberos"
t_is "$(rec "$C/kerberos.pcap" "$NEG")" '["SMB3","3.1.1",false,"enabled","required",true,false,"AES-256-GCM","HMAC-SHA256"]' \
	"3.1.1 contexts after a preauth context: AES-256-GCM and HMAC-SHA256 selected"
t_is "$(rec "$C/kerberos.pcap" '.cleartext.details | [.smb_dialects_offered, .smb_ciphers_offered, .smb_session_null, .smb_trees]')" \
	'[["3.1.1","0x0399"],["AES-256-GCM","0x0009"],true,["\\\\srv\\data"]]' \
	"unknown dialect and cipher ids in hex; SessionFlags IS_NULL"
t_is "$(rec "$C/ntlmv1-oem.pcap" "$FLOW")" '[10445,"smb","cleartext","bob",false,"ntlm",[]]' \
	"port 10445 by content, after a keep-alive and a NEGOTIATE in three segments"
t_is "$(rec "$C/ntlmv1-oem.pcap" "$SES")" \
	"[$NTLM3,\"LAB\",\"WS1\",\"v1\",null,\"0x00000000\",true,false,false,[\"\\\\\\\\srv\\\\IPC\$\",\"\\\\\\\\srv\\\\data\"],false,0,0]" \
	"NTLMv1 (24-byte NT response), OEM names; the IPC\$ tree of a compound, then the share"
t_is "$(rec "$C/nbss-139.pcap" "$FLOW")" '[139,"smb","app_encrypted","carol",false,"ntlm",[]]' \
	"139: RFC 1002 session request and positive response skipped; SMB 3.0 encrypted"
t_is "$(rec "$C/nbss-139.pcap" "$NEG")" '["SMB3","3.0",false,"enabled","enabled",true,true,"AES-128-CCM",null]' \
	"3.0: cipher from the transform header's EncryptionAlgorithm"

t_is "$(rec "$C/smb1-plaintext.pcap" "$FLOW")" '[445,"smb","cleartext","dave",true,"password",[]]' \
	"SMB1 with unencrypted passwords (SecurityMode 0x01): the password in clear is credentials"
t_is "$(rec "$C/smb1-plaintext.pcap" '.cleartext.details | [.smb_version, .smb_dialect, .smb1_session_setup, .ntlm_version]')" \
	'["SMB1","NT LM 0.12","legacy",null]' "SMB1 legacy SESSION_SETUP_ANDX (WordCount 13)"
t_is "$(rec "$C/smb1-legacy-ntlm.pcap" "$FLOW")" '[445,"smb","cleartext","erin",false,"ntlm",[]]' \
	"SMB1 with encrypted passwords: 24-byte LM/NT responses are NTLM, not credentials"
t_is "$(rec "$C/smb1-legacy-ntlm.pcap" '.cleartext.details.ntlm_version')" '"v1"' "SMB1 legacy: NTLMv1"
t_is "$(rec "$C/big-read.pcap" '[([.anomalies[].name]), .cleartext.details.smb_trees]')" '[[],["\\\\srv\\after"]]' \
	"a 100000-byte READ response is skipped without an anomaly; the TREE_CONNECT after it is read"

# --- hostile input: an anomaly or nothing, exit 0, never a crash
anoms() { rec "$1" '[.protocol, ([.anomalies[] | .dissector + ":" + .name])]'; }
t_is "$(anoms "$C/too-long.pcap")" '["smb",["smb:message_too_long"]]' "NBSS length 0xFFFFFF: message_too_long"
t_is "$(anoms "$C/bad-nbss-type.pcap")" '["smb",["smb:bad_nbss_header"]]' "NBSS type 0x42: bad_nbss_header"
t_is "$(anoms "$C/bad-structure.pcap")" '["smb",["smb:bad_header"]]' "StructureSize 63: bad_header"
t_is "$(anoms "$C/bad-protocol.pcap")" '["smb",["smb:bad_protocol_id"]]' "0xFE XYZ: bad_protocol_id"
t_is "$(anoms "$C/dialects-over-cap.pcap")" '["smb",["smb:count_over_cap"]]' "DialectCount 1000: count_over_cap"
t_is "$(anoms "$C/dialects-short.pcap")" '["smb",["smb:bad_negotiate"]]' "DialectCount past the message: bad_negotiate"
t_is "$(anoms "$C/context-overrun.pcap")" '["smb",["smb:bad_negotiate_context"]]' "negotiate context past the message"
t_is "$(anoms "$C/ntlm-bad-offset.pcap")" '["smb",["smb:bad_ntlm_message"]]' "AUTHENTICATE user offset past the blob"
t_is "$(rec "$C/ntlm-bad-offset.pcap" '.cleartext.user')" 'null' "no user stated from a field past the blob"
t_is "$(anoms "$C/ntlm-type-9.pcap")" '["smb",["smb:bad_ntlm_message"]]' "NTLMSSP type 9: bad_ntlm_message"
t_is "$(anoms "$C/next-unaligned.pcap")" '["smb",["smb:bad_next_command"]]' "NextCommand 70: bad_next_command"
t_is "$(anoms "$C/transform-short.pcap")" '["smb",["smb:bad_transform_header"]]' "transform of 20 bytes: bad_transform_header"
t_is "$(rec "$C/transform-short.pcap" '.security')" '"cleartext"' "a malformed transform is not encryption"
t_is "$(anoms "$C/blob-overrun.pcap")" '["smb",["smb:bad_session_setup"]]' "security blob past the message"
t_is "$(anoms "$C/tree-overrun.pcap")" '["smb",["smb:bad_tree_connect"]]' "tree path past the message"
t_is "$(anoms "$C/smb1-bad-dialects.pcap")" '["smb",["smb:bad_negotiate"]]' "SMB1 BufferFormat 0x03: bad_negotiate"
t_is "$(anoms "$C/not-smb.pcap")" '[null,[]]' "0xFE SMX: not SMB, nothing claimed"
# the NT response (tools/mkpcap-smb.py NT_SECRET) is on the wire and in no
# database or export; nor the lab password (pcaps/smb/README.md)
t_ok $(grep -aqF ntlmv1-resp-secret-4417 "$C/ntlmv1-oem.pcap" && echo 0 || echo 1) "positive control: the NT response is on the wire"
t_ok $(grep -aqF pw-cr-smb1-plain-6603 "$C/smb1-plaintext.pcap" && echo 0 || echo 1) "positive control: the SMB1 password is on the wire"
t_is "$(grep -alF -e ntlmv1-resp-secret-4417 -e pw-cr-smb1-plain-6603 -e wa-lab-smb-pw-7291 "$T_TMP"/*.db "$T_TMP"/*.jsonl | wc -l)" 0 \
	"no NT response or password in any database or export of this test"
rcs=$(cat "$T_TMP"/*.rc | sort -u | tr '\n' ' ')
t_is "$rcs" "0 " "every capture exits 0"
t_done
