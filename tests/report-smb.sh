#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# report-smb.sh — SMB in the report (issue 18; docs/REPORT-RULES.md
# 12.3.1): exact findings, with server, port, protocol and evidence, over
# the real Samba captures of pcaps/smb/ (tools/lab/gen-smb.sh) and a
# hand-built Kerberos session (tools/mkpcap-smb.py):
#   smb1_negotiated (high)         SMB1 chosen; evidence the dialect string
#   smb_unencrypted (medium)       SMB2/3 without transform headers; evidence
#                                  the dialect and the server's signing
#   smb_ntlm_authentication (low)  an NTLM challenge-response in the
#                                  SESSION_SETUP of a session in clear
#   smb_ntlm_before_encryption (info, passes)  the same in an encrypted one
# plus the generic `cleartext` kind (smb is in rp_tls_form: SMB over QUIC);
# an encrypted session (app_encrypted) passes 12.3.1, and `ntlm_in_clear` leaves SMB flows to smb_ntlm_authentication.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/smb
python3 "$SRCDIR/tools/mkpcap-smb.py" "$T_TMP/c" || { t_ok 1 "mkpcap-smb.py"; t_done; exit 1; }
C=$T_TMP/c

# findings PCAP...: every finding of the report (default level 2) as
# "requirement kind severity flows server:port/protocol evidence", in report order
findings() {
	local db
	db=$(t_capture "$@")
	"$WIREAUDIT" report -d "$db" -F json >"$T_TMP/r.json"
	echo "rc=$? $(jq -r '[.requirements[] | .id as $id | .findings[] |
		"\($id) \(.kind) \(.severity) \(.flows) \(.server_ip):\(.server_port)/\(.protocol) \(.evidence | del(.relevant_flows, .share) | tostring)"] | join(";")' "$T_TMP/r.json")"
}
status() { jq -r --arg r "$1" '.requirements[] | select(.id == $r) | .status' "$T_TMP/r.json"; }
EP=10.99.33.2:445/smb
CLEAR="12.3.1 cleartext medium 1 $EP {\"security\":{\"cleartext\":1}}"
NTLM="12.3.1 smb_ntlm_authentication low 1 $EP {\"auth_mechanism\":{\"ntlm\":1}}"
NTLMENC="12.3.1 smb_ntlm_before_encryption info 1 $EP {\"auth_mechanism\":{\"ntlm\":1}}"

t_is "$(findings "$S/smb-smb1-nt1.pcap")" \
	"rc=6 12.3.1 smb1_negotiated high 1 $EP {\"smb_dialect\":{\"NT LANMAN 1.0\":1}};$CLEAR;$NTLM" \
	"SMB1: smb1_negotiated (high, the dialect string), cleartext, NTLM"
t_is "$(findings "$S/smb-311-plain.pcap")" \
	"rc=6 $CLEAR;12.3.1 smb_unencrypted medium 1 $EP {\"smb_dialect_signing\":{\"3.1.1/signing enabled\":1}};$NTLM" \
	"3.1.1 unsigned, unencrypted: cleartext, smb_unencrypted (signing enabled, not required), NTLM"
t_is "$(findings "$S/smb-311-signed.pcap")" \
	"rc=6 $CLEAR;12.3.1 smb_unencrypted medium 1 $EP {\"smb_dialect_signing\":{\"3.1.1/signing required\":1}};$NTLM" \
	"3.1.1 signed only: still unencrypted (signing required in the evidence)"
t_is "$(findings "$S/smb-202-ntlm.pcap")" \
	"rc=6 $CLEAR;12.3.1 smb_unencrypted medium 1 $EP {\"smb_dialect_signing\":{\"2.0.2/signing enabled\":1}};$NTLM" \
	"2.0.2: smb_unencrypted"
t_is "$(findings "$S/smb-smb1-to-smb3.pcap")" \
	"rc=6 $CLEAR;12.3.1 smb_unencrypted medium 1 $EP {\"smb_dialect_signing\":{\"3.1.1/signing enabled\":1}};$NTLM" \
	"SMB1 NEGOTIATE ending in 3.1.1: no smb1_negotiated"
t_is "$(findings "$S/smb-311-anonymous.pcap")" \
	"rc=6 $CLEAR;12.3.1 smb_unencrypted medium 1 $EP {\"smb_dialect_signing\":{\"3.1.1/signing enabled\":1}}" \
	"anonymous: no NTLM challenge-response, no NTLM kind"
for p in smb-311-encrypted smb-302-encrypted smb-311-share-encrypted; do
	t_is "$(findings "$S/$p.pcap")" "rc=0 $NTLMENC" "$p: app_encrypted, the NTLM set-up as info only"
	t_is "$(status 12.3.1)" "pass" "$p: 12.3.1 passes"
done
t_is "$(findings "$C/kerberos.pcap")" \
	"rc=6 12.3.1 cleartext medium 1 10.69.0.2:445/smb {\"security\":{\"cleartext\":1}};12.3.1 smb_unencrypted medium 1 10.69.0.2:445/smb {\"smb_dialect_signing\":{\"3.1.1/signing required\":1}}" \
	"Kerberos: no NTLM kind"
t_is "$(findings "$C/smb1-plaintext.pcap")" \
	"rc=6 12.3.1 smb1_negotiated critical 1 10.69.0.2:445/smb {\"smb_dialect\":{\"NT LM 0.12\":1},\"credentials_in_clear\":1,\"auth_mechanisms\":\"password\"};12.3.1 cleartext high 1 10.69.0.2:445/smb {\"security\":{\"cleartext\":1},\"credentials_in_clear\":1,\"auth_mechanisms\":\"password\"}" \
	"SMB1 with the password in clear: smb1_negotiated raised to critical, cleartext to high"
t_is "$(findings "$S"/*.pcap | sed 's/^rc=[0-9]* //' | tr ';' '\n' | cut -d' ' -f1-4 | sort | tr '\n' ';')" \
	"12.3.1 cleartext medium 7;12.3.1 service_encrypted_and_cleartext high 7;12.3.1 smb1_negotiated high 1;12.3.1 smb_ntlm_authentication low 6;12.3.1 smb_ntlm_before_encryption info 3;12.3.1 smb_unencrypted medium 6;" \
	"all ten: the server seen encrypted and in clear on 445 is also service_encrypted_and_cleartext"
t_is "$(jq -r '[.requirements[].findings[] | .kind] | map(select(. == "ntlm_in_clear")) | length' "$T_TMP/r.json")" 0 \
	"ntlm_in_clear leaves SMB flows to smb_ntlm_authentication"
t_done
