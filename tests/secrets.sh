# SPDX-License-Identifier: BSD-3-Clause
# secrets.sh — no password or secret seen on the wire is ever kept (issue 7,
# "Security"): every committed capture goes into one database; the database
# file with its -wal (kept alive by a second connection), a `sqlite3 .dump`,
# the export in every format and the report in every format are searched for
# every fake secret the lab scripts and generators put on the wire.
#
# Secrets: pcaps/plain/README.md ("Fake secrets"), pcaps/crafted-db/README.md,
# tools/mkpcap-text.py --passwords, tools/mkpcap-escaping.py --passwords,
# the anonymous FTP password of crafted-text/ftp-bare-banner-anonymous, and
# the SNMP community of pcaps/snmp/README.md and the VeNCrypt Plain
# password of pcaps/vnc/README.md (issue 17), and the MQTT passwords of
# pcaps/mqtt/README.md and the proxy password of pcaps/connect/README.md
# (issue 18: Proxy-Authorization Basic), and the Kafka SASL PLAIN passwords
# of pcaps/kafka/README.md (issue 18), and the SMB lab password of
# pcaps/smb/README.md (never on the wire: NTLM sends a response to a
# challenge); the NT challenge-responses of pcaps/smb/ (issue 18) are
# binary: their bytes are read from the captures' NTLMSSP AUTHENTICATE
# messages and searched raw and in hex below; and the XMPP password of
# pcaps/xmpp/README.md (issue 18: SASL PLAIN in clear).
# Each is searched in the forms it could be stored in: as is, base64 at the
# three byte alignments (so base64 of "\0user\0pass" for SASL PLAIN and AUTH
# PLAIN, of the password alone for AUTH LOGIN, of "user:pass" for HTTP Basic
# are all found), hex, UTF-16LE, and the TDS LOGIN7 obfuscation
# ([MS-TDS] 2.2.6.4: nibble swap, XOR 0xA5). Challenge-response material
# (MD5, SCRAM, CRAM-MD5, APOP) is not a password: only the raw forms above
# must not appear.
#
# The test could not fail if the secrets were not in the input: it first
# asserts which capture carries which secret (the list below), so a capture
# regenerated without its secret, or a secret renamed, breaks the test.
# ndpi-only-passwords.pcap holds flows no dissector of ours claims (IRC, FTP
# and POP3 joined after the greeting) where nDPI alone sees the password:
# the generic nDPI cleartext observation must not carry it either.
. "$SRCDIR/tests/lib.sh"

cd "$SRCDIR" || exit 1
secrets=$T_TMP/secrets
{
	sed -n '/^### Fake secrets/,/^Note/p' pcaps/plain/README.md | sed -n 's/^    \([^ ]\{1,\}\)$/\1/p'
	grep -o 'pw-[a-z0-9-]*[0-9]' pcaps/crafted-db/README.md | sort -u
	python3 tools/mkpcap-text.py --passwords
	python3 tools/mkpcap-escaping.py --passwords
	echo guest@crafted.test
	# the SNMP community of tools/lab/gen-snmp.sh (pcaps/snmp/README.md)
	grep -o 'wa-lab-c0mmunity' pcaps/snmp/README.md | sort -u
	# alice's MQTT password and the wrong one of tools/lab/gen-mqtt.sh
	grep -o 'wa-lab-mqtt-[a-z]*-[0-9]*' pcaps/mqtt/README.md | sort -u
	# the VeNCrypt Plain password of tools/lab/gen-vnc.sh (pcaps/vnc/README.md)
	grep -o 'wa-lab-vnc-Pl4in-pw' pcaps/vnc/README.md | sort -u
	# the proxy password of tools/lab/gen-connect.sh (pcaps/connect/README.md)
	grep -o 'Tunnel-Lab-Pass-7731' pcaps/connect/README.md | sort -u
	# alice's Kafka password and the wrong one of tools/lab/gen-kafka.sh
	grep -o 'wa-lab-kafka-[a-z]*-[0-9]*' pcaps/kafka/README.md | sort -u
	# the SMB password of tools/lab/gen-smb.sh (pcaps/smb/README.md)
	grep -o 'wa-lab-smb-pw-[0-9]*' pcaps/smb/README.md | sort -u
	# alice's XMPP password of tools/lab/gen-xmpp.sh (pcaps/xmpp/README.md)
	grep -o 'wa-lab-xmpp-pw-3117' pcaps/xmpp/README.md | sort -u
} >"$secrets"
n=$(sort -u "$secrets" | wc -l)
t_ok $([ "$n" -ge 60 ] && echo 0 || echo 1) "secrets listed ($n)"

# needles: one a line, every form of every secret; carriers: "capture secret"
# for every capture that holds a secret in one of those forms.
python3 - "$secrets" "$T_TMP/needles" "$T_TMP/carriers" $(find pcaps -name '*.pcap' -o -name '*.pcapng' | sort) <<'PY'
import base64, sys
def forms(p):
    b = p.encode()
    f = [b, b.hex().encode(), p.encode("utf-16-le"),
         bytes((((c >> 4) | (c << 4)) & 0xff) ^ 0xA5 for c in p.encode("utf-16-le"))]
    for k in range(3):
        s = base64.b64encode(b"\0" * k + b)
        s = (s[4:] if k else s)[:-4]
        if len(s) >= 8:
            f.append(s)
    return f
secrets = sorted(set(l.strip() for l in open(sys.argv[1]) if l.strip()))
with open(sys.argv[2], "wb") as out:
    for s in secrets:
        for n in forms(s):
            out.write(n + b"\n")
with open(sys.argv[3], "w") as out:
    for path in sys.argv[4:]:
        data = open(path, "rb").read()
        for s in secrets:
            if any(n in data for n in forms(s)):
                out.write("%s %s\n" % (path, s))
PY

# ---- the input does carry them (else nothing below could fail) ----
t_is "$(cat "$T_TMP/carriers")" "$(cat <<'EOF'
pcaps/connect/connect-anyauth-407-basic.pcap Tunnel-Lab-Pass-7731
pcaps/connect/connect-basic-tls12.pcap Tunnel-Lab-Pass-7731
pcaps/connect/connect-basic-tls13.pcap Tunnel-Lab-Pass-7731
pcaps/crafted-db/mongodb-plain-legacy.pcap pw-mongo-plain-4471
pcaps/crafted-db/redis-auth-port7000.pcap pw-redis-port-7781
pcaps/crafted-db/tds-notsup-login7.pcap pw-tds-9931
pcaps/crafted-db/tds-notsup-port14330-failed.pcap pw-tds-port-5120
pcaps/crafted-text/amqp091-amqplain.pcap pw-cr-amqplain-5602
pcaps/crafted-text/amqp091-plain.pcap pw-cr-amqp-plain-5601
pcaps/crafted-text/amqp10-sasl-plain.pcap pw-cr-amqp1-5603
pcaps/crafted-text/ftp-auth-gssapi-refused.pcap pw-cr-ftp-gssfallback-5403
pcaps/crafted-text/ftp-bare-banner-anonymous.pcap guest@crafted.test
pcaps/crafted-text/ftp-feat-auth-tls-not-used.pcap pw-cr-ftp-notused-5401
pcaps/crafted-text/imap-authenticate-plain-ir.pcap pw-cr-imap-plain-5203
pcaps/crafted-text/imap-starttls-refused-literal.pcap pw-cr-imap-refused-5202
pcaps/crafted-text/ldap-sasl-plain-bind.pcap pw-cr-ldap-sasl-5501
pcaps/crafted-text/pop3-stls-refused.pcap pw-cr-pop3-refused-5301
pcaps/crafted-text/smtp-bare-banner-port2526.pcap pw-cr-smtp-login-5102
pcaps/crafted-text/smtp-starttls-refused.pcap pw-cr-smtp-refused-5101
pcaps/crafted-text/telnet-login.pcap pw-cr-telnet-5701
pcaps/encap/http-erspan2.pcap s3cret-http
pcaps/encap/http-gre.pcap s3cret-http
pcaps/encap/http-null.pcap s3cret-http
pcaps/encap/http-qinq.pcap s3cret-http
pcaps/encap/http-raw.pcap s3cret-http
pcaps/encap/http-sll.pcap s3cret-http
pcaps/encap/http-sll2.pcap s3cret-http
pcaps/encap/http-vlan.pcap s3cret-http
pcaps/encap/http-vxlan.pcap s3cret-http
pcaps/escaping/ftp-user.pcap pw-esc-ftp-7102
pcaps/escaping/ldap-bind-dn.pcap pw-esc-ldap-7101
pcaps/escaping/ndpi-only-passwords.pcap pw-esc-irc-7103
pcaps/escaping/ndpi-only-passwords.pcap pw-esc-midftp-7104
pcaps/escaping/ndpi-only-passwords.pcap pw-esc-midpop-7105
pcaps/kafka/kafka-sasl-legacy.pcap wa-lab-kafka-pw-5921
pcaps/kafka/kafka-sasl-plain-wrong.pcap wa-lab-kafka-wrong-5922
pcaps/kafka/kafka-sasl-plain.pcap wa-lab-kafka-pw-5921
pcaps/mqtt/mqtt-v31-auth.pcap wa-lab-mqtt-pw-5813
pcaps/mqtt/mqtt-v311-auth.pcap wa-lab-mqtt-pw-5813
pcaps/mqtt/mqtt-v311-wrong-password.pcap wa-lab-mqtt-wrong-5814
pcaps/mqtt/mqtt-v5-auth.pcap wa-lab-mqtt-pw-5813
pcaps/mqtt/mqtt-v5-wrong-password.pcap wa-lab-mqtt-wrong-5814
pcaps/plain/amqp-plain-cleartext.pcap pw-amqp-plain-5101
pcaps/plain/ftp-auth-tls-not-used.pcap pw-ftp-notused-3404
pcaps/plain/ftp-auth-tls-refused.pcap pw-ftp-refused-3202
pcaps/plain/ftp-cleartext.pcap pw-ftp-clear-3101
pcaps/plain/http-api-key-header.pcap key-http-apikey-8505
pcaps/plain/http-basic-cleartext.pcap pw-http-basic-8101
pcaps/plain/http-basic-two-spaces.pcap pw-http-basic2sp-8404
pcaps/plain/http-bearer-cleartext.pcap tok-http-bearer-8202
pcaps/plain/http-form-login-cleartext.pcap pw-http-form-8303
pcaps/plain/imap-login-cleartext.pcap pw-imap-login-1201
pcaps/plain/imap-starttls-not-used.pcap pw-imap-notused-1403
pcaps/plain/ldap-simple-bind-cleartext.pcap pw-ldap-simple-1187
pcaps/plain/ldap-starttls-refused.pcap pw-ldap-refused-3381
pcaps/plain/mysql-clear-password.pcap pw-my-clear-6642
pcaps/plain/pgsql-password-cleartext.pcap pw-pg-cleartext-4402
pcaps/plain/pgsql-prefer-refused.pcap pw-pg-fallback-9034
pcaps/plain/pop3-stls-not-used.pcap pw-pop3-notused-2303
pcaps/plain/pop3-user-pass-cleartext.pcap pw-pop3-user-2101
pcaps/plain/redis-auth-cleartext.pcap pw-redis-auth-3317
pcaps/plain/redis-hello-auth-cleartext.pcap pw-redis-hello-8850
pcaps/plain/smtp-auth-login-cleartext.pcap pw-smtp-login-2772
pcaps/plain/smtp-auth-plain-cleartext.pcap pw-smtp-plain-1661
pcaps/plain/smtp-starttls-not-used.pcap pw-smtp-notused-4994
pcaps/plain/tds42-login-cleartext.pcap pw-tds42-login-9102
pcaps/plain/tds5-login-cleartext.pcap pw-tds5-login-9101
pcaps/sample/http-mixed.pcap s3cret-http
pcaps/snmp/snmp-v1-get.pcap wa-lab-c0mmunity
pcaps/snmp/snmp-v2c-bulkwalk.pcap wa-lab-c0mmunity
pcaps/snmp/snmp-v2c-get.pcap wa-lab-c0mmunity
pcaps/snmp/snmp-v2c-trap.pcap wa-lab-c0mmunity
pcaps/snmp/snmp-v2c-walk.pcap wa-lab-c0mmunity
pcaps/vnc/vnc-vencrypt-plain.pcap wa-lab-vnc-Pl4in-pw
pcaps/xmpp/xmpp-plain-in-clear.pcap wa-lab-xmpp-pw-3117
pcaps/xmpp/xmpp-plain-no-tls.pcap wa-lab-xmpp-pw-3117
pcaps/xmpp/xmpp-required.pcap wa-lab-xmpp-pw-3117
EOF
)" "every capture that carries a fake secret, and only those, found with the needles"
# the three encodings the issue names, explicitly
b64() { printf "$1" | base64 -w0; }
grep -aqF "$(b64 '\0smtpplain\0pw-smtp-plain-1661')" pcaps/plain/smtp-auth-plain-cleartext.pcap
t_ok $? "positive control: base64(\\\\0user\\\\0pass) of SMTP AUTH PLAIN is in its capture"
grep -aqF "$(b64 'pw-smtp-login-2772')" pcaps/plain/smtp-auth-login-cleartext.pcap
t_ok $? "positive control: base64(pass) of SMTP AUTH LOGIN is in its capture"
grep -aqF "$(b64 'bob:pw-http-basic-8101')" pcaps/plain/http-basic-cleartext.pcap
t_ok $? "positive control: base64(user:pass) of HTTP Basic is in its capture"

# ---- one database with every capture; a reader keeps the -wal alive ----
db=$T_TMP/all.db
"$WIREAUDIT" capture -q -r pcaps/sample/http-mixed.pcap -d "$db" >&2
mkfifo "$T_TMP/hold"
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("select count(*) from flows").fetchall()
print("open", flush=True); sys.stdin.read()' "$db" <"$T_TMP/hold" >"$T_TMP/hold.out" &
holder=$!
exec 9>"$T_TMP/hold"
for _ in $(seq 50); do grep -q open "$T_TMP/hold.out" 2>/dev/null && break; sleep 0.1; done
args=()
for f in $(find pcaps -name '*.pcap' -o -name '*.pcapng' | sort); do args+=(-r "$f"); done
"$WIREAUDIT" capture -q "${args[@]}" -d "$db" 2>/dev/null
t_is "$?" 3 "capture of every committed pcap (exit 3: pcaps/malformed holds truncated files)"
cp "$db-wal" "$T_TMP/all.wal" 2>/dev/null
t_ok $([ -s "$T_TMP/all.wal" ] && echo 0 || echo 1) "the -wal file was kept by the second connection ($(stat -c %s "$T_TMP/all.wal" 2>/dev/null) bytes)"
exec 9>&-
wait "$holder"

# ---- every output ----
outs=("$db" "$T_TMP/all.wal")
for fmt in jsonl csv; do
	"$WIREAUDIT" export -d "$db" --format "$fmt" -o "$T_TMP/export.$fmt"
	outs+=("$T_TMP/export.$fmt")
done
for fmt in text json html md csv; do
	"$WIREAUDIT" report -d "$db" --level 3 -F "$fmt" -o "$T_TMP/report.$fmt"
	outs+=("$T_TMP/report.$fmt")
done
"$WIREAUDIT" audit --level 3 -F json pcaps/plain/*.pcap pcaps/escaping/*.pcap >"$T_TMP/audit.json"
outs+=("$T_TMP/audit.json")
if command -v sqlite3 >/dev/null; then
	sqlite3 "$db" .dump >"$T_TMP/dump.sql"
	outs+=("$T_TMP/dump.sql")
	t_ok $([ "$(grep -c '^INSERT INTO' "$T_TMP/dump.sql")" -ge 100 ] && echo 0 || echo 1) "sqlite3 .dump of the database"
else
	echo "ok $((T_N += 1)) # SKIP sqlite3 CLI not installed"
fi
t_is "$(jq -s '[.[] | select(.cleartext.credentials == true)] | length >= 45' "$T_TMP/export.jsonl")" true \
	"credentials were seen (>= 45 flows with cleartext.credentials)"
t_is "$(jq -c -s '[.[] | select(.cleartext.details.classified_by == "ndpi" and .cleartext.credentials) |
	[.server_port, .protocol, .ndpi_protocol]] | sort' "$T_TMP/export.jsonl")" \
	'[[21,null,"FTP_CONTROL"],[110,null,"POP3"]]' "nDPI path: flows only nDPI saw credentials in"
for fmt in text html md csv; do
	t_ok $([ "$(grep -o 'credentials in clear' "$T_TMP/report.$fmt" | wc -l)" -ge 5 ] && echo 0 || echo 1) \
		"report.$fmt speaks of credentials in clear"
done
t_is "$(jq '[.requirements[].findings[].evidence.credentials_in_clear // 0] | add >= 45' "$T_TMP/report.json")" true \
	"report.json counts the credentials in clear"
for f in "${outs[@]}"; do
	hits=$(grep -a -o -F -f "$T_TMP/needles" "$f" | sort -u | tr '\n' ' ')
	t_is "$hits" "" "no secret in $(basename "$f") ($(stat -c %s "$f") bytes)"
done
# SMB (issue 18): every NT challenge-response of pcaps/smb/ ([MS-NLMP]
# 2.2.1.3 NtChallengeResponseFields of each AUTHENTICATE), its first 16
# bytes (the NTProofStr of NTLMv2) raw and in hex, in no output
smbnt=$(python3 - "${outs[@]}" <<'PY'
import glob, struct, sys
resp = set()
for path in sorted(glob.glob("pcaps/smb/*.pcap")):
    data = open(path, "rb").read()
    i = data.find(b"NTLMSSP\0\x03\0\0\0")
    while i >= 0:
        ln, _, off = struct.unpack_from("<HHI", data, i + 20)
        if ln >= 16:
            resp.add(data[i + off:i + off + 16])
        i = data.find(b"NTLMSSP\0\x03\0\0\0", i + 1)
hits = 0
for out in sys.argv[1:]:
    blob = open(out, "rb").read()
    for r in resp:
        for n in (r, r.hex().encode(), r.hex().upper().encode()):
            hits += n in blob
print(len(resp), hits)
PY
)
t_is "$smbnt" "9 0" "the 9 NT responses of pcaps/smb/ (NTProofStr raw and hex) in no output"
t_done
