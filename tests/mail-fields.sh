#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# mail-fields.sh — exact export fields of the directory, mail, broker and
# classic text dissectors (ldap, smtp, amqp, ftp, imap, pop3, telnet), one
# check per security state per protocol over real captures (pcaps/plain/,
# tools/lab/gen-plain.sh) and hand-built ones (pcaps/crafted-text/,
# tools/mkpcap-text.py); malformed and megabyte inputs end in an anomaly;
# and no fake password of either set ever reaches the database or the
# export (plain, or base64 at any alignment as AUTH PLAIN/LOGIN carry it).
. "$SRCDIR/tests/lib.sh"

P=$SRCDIR/pcaps/plain
C=$SRCDIR/pcaps/crafted-text

# flow PCAP PROTO: the export line of the first flow with that protocol
flow() {
	local key db
	key=$(echo "$1" | tr '/.' '__')
	if [ ! -f "$T_TMP/$key.jsonl" ]; then
		db=$(t_capture "$1")
		"$WIREAUDIT" export -d "$db" >"$T_TMP/$key.jsonl" 2>/dev/null
	fi
	jq -c --arg p "$2" 'select(.protocol == $p)' "$T_TMP/$key.jsonl" | head -1
}

# state PCAP PROTO 'JSON': [security, credentials, auth_mechanism, user,
# tls_offered, tls_requested]
state() {
	local got
	got=$(flow "$1" "$2" | jq -c '[.security, .cleartext.credentials, .cleartext.auth_mechanism,
		.cleartext.user, .cleartext.tls_offered, .cleartext.tls_requested]')
	t_is "$got" "$3" "$2 $(basename "$1" .pcap): state"
}

# detail PCAP PROTO JQ-FILTER EXPECTED
detail() {
	local got
	got=$(flow "$1" "$2" | jq -c "$3")
	t_is "$got" "$4" "$2 $(basename "$1" .pcap): $3"
}

# handed PCAP PROTO: the stream went to the tls dissector (a tls object,
# no handoff_unknown)
handed() {
	local got
	got=$(flow "$1" "$2" | jq -c '[(.tls != null), ([.anomalies[]?.name] | index("handoff_unknown"))]')
	t_is "$got" '[true,null]' "$2 $(basename "$1" .pcap): handed off to tls"
}

# ---- LDAP (RFC 4511)
state "$P/ldap-anonymous-cleartext.pcap" ldap '["cleartext",false,"simple",null,null,false]'
detail "$P/ldap-anonymous-cleartext.pcap" ldap '.cleartext.details | [.bind_type, .bind_result, .search_in_clear]' '["anonymous",0,true]'
state "$P/ldap-simple-bind-cleartext.pcap" ldap '["cleartext",true,"simple","uid=ldapclear,ou=people,dc=lab,dc=test",null,false]'
state "$P/ldap-starttls.pcap" ldap '["starttls",false,null,null,null,true]'
detail "$P/ldap-starttls.pcap" ldap '.cleartext.details.starttls_result' '0'
handed "$P/ldap-starttls.pcap" ldap
state "$P/ldap-starttls-refused.pcap" ldap '["tls_refused",true,"simple","uid=ldapfall,ou=people,dc=lab,dc=test",null,true]'
detail "$P/ldap-starttls-refused.pcap" ldap '.cleartext.details.starttls_result' '2'
detail "$P/ldaps-636.pcap" tls '.security' '"tls"'
state "$C/ldap-sasl-plain-bind.pcap" ldap '["cleartext",true,"PLAIN","sasluser",null,false]'
detail "$C/ldap-sasl-plain-bind.pcap" ldap '.cleartext.details | [.bind_type, .bind_result]' '["sasl",0]'
state "$C/ldap-unauthenticated-bind.pcap" ldap '["cleartext",false,"simple","cn=nobody,dc=crafted,dc=test",null,false]'
detail "$C/ldap-unauthenticated-bind.pcap" ldap '.cleartext.details | [.bind_type, .bind_result]' '["unauthenticated",53]'
detail "$C/ldap-deep-nesting.pcap" ldap '[.anomalies[] | .name]' '["too_deep"]'
detail "$C/ldap-indefinite-length.pcap" ldap '[.anomalies[] | .name]' '["indefinite_length"]'

# ---- SMTP (RFC 5321, 3207, 4954)
state "$P/smtp-cleartext.pcap" smtp '["cleartext",false,null,null,false,false]'
detail "$P/smtp-cleartext.pcap" smtp '.cleartext.details | [.auth_offered, .mail_from_seen, .mail_from_count, .rcpt_to_seen, .rcpt_to_count]' '[["PLAIN","LOGIN","CRAM-MD5"],true,1,true,1]'
state "$P/smtp-auth-plain-cleartext.pcap" smtp '["cleartext",true,"PLAIN","smtpplain",false,false]'
state "$P/smtp-auth-login-cleartext.pcap" smtp '["cleartext",true,"LOGIN","smtplogin",false,false]'
state "$P/smtp-auth-cram-md5-cleartext.pcap" smtp '["cleartext",false,"CRAM-MD5","smtpcram",false,false]'
state "$P/smtp-starttls.pcap" smtp '["starttls",false,null,null,true,true]'
detail "$P/smtp-starttls.pcap" smtp '.cleartext.details.starttls_reply' '220'
handed "$P/smtp-starttls.pcap" smtp
state "$P/smtp-submission-587-starttls.pcap" smtp '["starttls",false,null,null,true,true]'
handed "$P/smtp-submission-587-starttls.pcap" smtp
state "$P/smtp-starttls-not-used.pcap" smtp '["starttls_not_used",true,"LOGIN","smtpnotls",true,false]'
detail "$P/smtps-465.pcap" tls '.security' '"tls"'
state "$C/smtp-starttls-refused.pcap" smtp '["tls_refused",true,"PLAIN","crafteduser",true,true]'
detail "$C/smtp-starttls-refused.pcap" smtp '.cleartext.details | [.starttls_reply, .auth_result, .rcpt_to_count]' '[454,235,2]'
state "$C/smtp-bare-banner-port2526.pcap" smtp '["cleartext",true,"LOGIN","loginuser",false,false]'
detail "$C/smtp-bare-banner-port2526.pcap" smtp '.cleartext.details | [.esmtp, .auth_result]' '[false,535]'

# ---- FTP (RFC 959, 4217)
state "$P/ftp-cleartext.pcap" ftp '["cleartext",true,"password","ftpclear",null,false]'
detail "$P/ftp-cleartext.pcap" ftp '.cleartext.details.login_reply' '230'
state "$P/ftp-auth-tls-refused.pcap" ftp '["tls_refused",true,"password","ftprefused",null,true]'
state "$P/ftp-auth-tls.pcap" ftp '["starttls",false,null,null,null,true]'
detail "$P/ftp-auth-tls.pcap" ftp '.cleartext.details.auth_tls_reply' '234'
handed "$P/ftp-auth-tls.pcap" ftp
# vsftpd with ssl_enable=YES, ssl_tlsv1=YES: FEAT lists AUTH TLS, the client
# logs in without it.
state "$P/ftp-auth-tls-not-used.pcap" ftp '["starttls_not_used",true,"password","ftpnotls",true,false]'
state "$C/ftp-feat-auth-tls-not-used.pcap" ftp '["starttls_not_used",true,"password","ftpuser",true,false]'
state "$C/ftp-bare-banner-anonymous.pcap" ftp '["cleartext",false,"anonymous","anonymous",null,false]'
detail "$C/ftp-bare-banner-anonymous.pcap" ftp '.cleartext.details.anonymous' 'true'
# RFC 2228 AUTH GSSAPI: 334, ADAT, 235, then ENC-wrapped commands: encrypted
# by the protocol's own mechanism (issue 21 item 1; was tls_refused)
state "$C/ftp-auth-gssapi-enc.pcap" ftp '["app_encrypted",false,"GSSAPI",null,null,false]'
detail "$C/ftp-auth-gssapi-enc.pcap" ftp '.cleartext.details | [.auth_command, .auth_reply, .adat_reply, .protection, .auth_tls_reply]' '["GSSAPI",334,235,"ENC",null]'
# AUTH GSSAPI refused (504), then USER/PASS in clear: protection asked, refused
state "$C/ftp-auth-gssapi-refused.pcap" ftp '["tls_refused",true,"password","gssfallback",null,false]'
detail "$C/ftp-auth-gssapi-refused.pcap" ftp '.cleartext.details | [.auth_command, .auth_reply, .login_reply]' '["GSSAPI",504,230]'

# ---- HTTP authentication (RFC 9110 §11; issue 21 items 2 and 3): real curl
# against tools/lab/peers/http-auth-server.py
# cstate PCAP PORT 'JSON': the flow of that client port
cflow() {
	local key db
	key=$(echo "$1" | tr '/.' '__')
	if [ ! -f "$T_TMP/$key.jsonl" ]; then
		db=$(t_capture "$1")
		"$WIREAUDIT" export -d "$db" >"$T_TMP/$key.jsonl" 2>/dev/null
	fi
	jq -c "select(.protocol == \"http\") | $2" "$T_TMP/$key.jsonl" | paste -sd' '
}
hq='[.security, .cleartext.credentials, .cleartext.auth_mechanism, .cleartext.user, [.anomalies[].name]]'
# Digest: the retry after the 401 on the same connection carries the
# response: challenge-response, user in clear, no credentials
t_is "$(cflow "$P/http-digest-challenge.pcap" "$hq")" '["cleartext",false,"digest","digestuser",[]]' "http digest (same connection): not credentials, user kept"
t_is "$(cflow "$P/http-digest-challenge.pcap" '.cleartext.details | [.status, .auth_challenge, .methods]')" '[401,["digest"],["GET","GET"]]' "http digest: the challenge and the retry seen"
# the 401 closes the connection: the Digest response opens the second one
t_is "$(cflow "$P/http-digest-new-connection.pcap" "$hq")" \
	'["cleartext",false,null,null,[]] ["cleartext",false,"digest","digestuser",[]]' "http digest (new connection): first request carries Digest: not credentials"
# NTLM: NEGOTIATE, CHALLENGE, AUTHENTICATE (NTLMv2, domain LAB)
t_is "$(cflow "$P/http-ntlm-challenge.pcap" "$hq")" '["cleartext",false,"ntlm","ntlmuser",[]]' "http ntlm: challenge-response, user from AUTHENTICATE"
t_is "$(cflow "$P/http-ntlm-challenge.pcap" '.cleartext.details | [.ntlm_version, .ntlm_domain, .auth_challenge]')" '["v2","LAB",["ntlm"]]' "http ntlm: version and domain"
# Basic with two spaces (RFC 9110 §11.4: 1*SP): no anomaly, the user kept
t_is "$(cflow "$P/http-basic-two-spaces.pcap" "$hq")" '["cleartext",true,"basic","basicuser",[]]' "http basic with two spaces: user kept, no anomaly"
t_is "$(cflow "$P/http-basic-cleartext.pcap" "$hq")" '["cleartext",true,"basic","bob",[]]' "http basic (one space) unchanged"
t_is "$(cflow "$P/http-bearer-cleartext.pcap" "$hq")" '["cleartext",true,"bearer",null,[]]' "http bearer: credentials"
t_is "$(cflow "$P/http-api-key-header.pcap" "$hq")" '["cleartext",true,"api_key",null,[]]' "http X-API-Key header: credentials"

# ---- a ClientHello to 465 answered by a cleartext 220 (issue 21 item 6):
# real openssl s_client against tools/lab/peers/banner-server.py
state "$P/smtps-465-cleartext-answer.pcap" tls '["cleartext",false,null,null,null,null]'
detail "$P/smtps-465-cleartext-answer.pcap" tls '[.tls.handshake, .tls.client_hello_seen, .tls.server_hello_seen, .tls.malformed, .cleartext.details.server_banner, [.anomalies[].name]]' '["server_not_tls",true,false,false,"220 mail.lab.test ESMTP lab",[]]'

# ---- IMAP (RFC 9051, 2595)
state "$P/imap-login-cleartext.pcap" imap '["cleartext",true,"login","imapclear",false,false]'
detail "$P/imap-login-cleartext.pcap" imap '.cleartext.details | [.auth_offered, .auth_result]' '[["PLAIN","LOGIN","CRAM-MD5"],"OK"]'
state "$P/imap-starttls.pcap" imap '["starttls",false,null,null,true,true]'
handed "$P/imap-starttls.pcap" imap
state "$P/imap-starttls-not-used.pcap" imap '["starttls_not_used",true,"login","imapnotls",true,false]'
detail "$P/imaps-993.pcap" tls '.security' '"tls"'
state "$C/imap-starttls-refused-literal.pcap" imap '["tls_refused",true,"login","imap user",true,true]'
state "$C/imap-authenticate-plain-ir.pcap" imap '["cleartext",true,"PLAIN","plainuser",false,false]'
detail "$C/imap-authenticate-plain-ir.pcap" imap '.cleartext.details | [.login_disabled, .auth_result]' '[true,"NO"]'

# ---- POP3 (RFC 1939, 2449, 2595)
state "$P/pop3-user-pass-cleartext.pcap" pop3 '["cleartext",true,"password","popclear",false,false]'
state "$P/pop3-stls.pcap" pop3 '["starttls",false,null,null,true,true]'
handed "$P/pop3-stls.pcap" pop3
state "$P/pop3-stls-not-used.pcap" pop3 '["starttls_not_used",true,"password","popnotls",true,false]'
detail "$P/pop3s-995.pcap" tls '.security' '"tls"'
state "$C/pop3-stls-refused.pcap" pop3 '["tls_refused",true,"password","popuser",true,true]'
state "$C/pop3-apop.pcap" pop3 '["cleartext",false,"APOP","mrose",null,false]'

# ---- AMQP (0-9-1 §4.2; OASIS AMQP 1.0 §2.2, §5.2, §5.3)
state "$C/amqp091-plain.pcap" amqp '["cleartext",true,"PLAIN","amqpuser",false,false]'
detail "$C/amqp091-plain.pcap" amqp '.cleartext.details | [.protocol_version, .auth_offered, .virtual_host]' '["0-9-1",["AMQPLAIN","PLAIN"],"/crafted"]'
state "$C/amqp091-amqplain.pcap" amqp '["cleartext",true,"AMQPLAIN","amqplainuser",false,false]'
state "$C/amqp10-sasl-plain.pcap" amqp '["cleartext",true,"PLAIN","amqp1user",false,false]'
detail "$C/amqp10-sasl-plain.pcap" amqp '.cleartext.details | [.protocol_version, .auth_offered, .sasl_outcome]' '["1.0",["PLAIN","ANONYMOUS"],0]'
state "$C/amqp10-tls-header.pcap" amqp '["starttls",false,null,null,true,true]'
detail "$C/amqp091-huge-frame.pcap" amqp '[.anomalies[] | .name]' '["frame_too_large"]'
state "$P/amqp-plain-cleartext.pcap" amqp '["cleartext",true,"PLAIN","amqpplain",false,false]'
detail "$P/amqp-plain-cleartext.pcap" amqp '.cleartext.details | [.auth_offered, .virtual_host, .server_product]' '[["AMQPLAIN","PLAIN"],"/lab","RabbitMQ"]'
detail "$P/amqps-5671.pcap" tls '.security' '"tls"'

# ---- Telnet (RFC 854/855)
state "$C/telnet-login.pcap" telnet '["cleartext",true,"telnet","telnetuser",false,false]'
detail "$C/telnet-login.pcap" telnet '.cleartext.details | [.login_prompt_seen, .credentials_inferred, .options]' '[true,true,["24","32","3","1"]]'

# ---- megabyte lines, made at test time (not committed)
python3 "$SRCDIR/tools/mkpcap-text.py" huge "$T_TMP" >/dev/null
detail "$T_TMP/smtp-megabyte-line.pcap" smtp '[.anomalies[] | .name]' '["line_too_long"]'
detail "$T_TMP/ftp-megabyte-reply.pcap" ftp '[.anomalies[] | .name]' '["line_too_long"]'

# ---- no fake password ever stored: every capture of both sets in one
# database; the database file and the export are searched for each secret
# (plain, and base64 at the three alignments).
secrets=$T_TMP/secrets
{
	sed -n '/^### Fake secrets/,/^Note/p' "$P/README.md" | sed -n 's/^    \([^ ]\{1,\}\)$/\1/p'
	python3 "$SRCDIR/tools/mkpcap-text.py" --passwords
} >"$secrets"
n=$(wc -l <"$secrets")
t_ok $([ "$n" -ge 40 ] && echo 0 || echo 1) "fake secrets listed ($n)"
python3 - "$secrets" >"$T_TMP/needles" <<'PY'
import base64, sys
for p in open(sys.argv[1]).read().split():
    print(p)
    for k in range(3):
        s = base64.b64encode(b"\0" * k + p.encode()).decode()
        s = s[4:] if k else s
        s = s[:-4]
        if len(s) >= 8:
            print(s)
PY
# positive control: the needles do find the secrets in the raw captures,
# both in plain (FTP PASS) and only base64-encoded (SMTP AUTH LOGIN)
t_is "$(grep -a -c -F -f "$T_TMP/needles" "$P/ftp-cleartext.pcap")" 1 "needles find the FTP password in the raw capture"
b=$(python3 -c 'import base64; print(base64.b64encode(b"pw-cr-smtp-login-5102").decode())')
t_is "$(grep -a -o -F -f "$T_TMP/needles" "$C/smtp-bare-banner-port2526.pcap" | grep -c -F "${b%????}")" 1 \
	"needles find the base64 AUTH LOGIN password in the raw capture"
all=()
for f in "$P"/*.pcap "$C"/*.pcap; do all+=("$f"); done
db=$(t_capture "${all[@]}")
"$WIREAUDIT" export -d "$db" >"$T_TMP/all.jsonl" 2>/dev/null
nflows=$(wc -l <"$T_TMP/all.jsonl")
t_ok $([ "$nflows" -ge 40 ] && echo 0 || echo 1) "all captures exported ($nflows flows)"
hits=$(cat "$db" "$T_TMP/all.jsonl" | grep -a -o -F -f "$T_TMP/needles" | sort -u | tr '\n' ' ')
t_is "$hits" "" "no fake password (plain or base64) in the database or the export"
t_done
