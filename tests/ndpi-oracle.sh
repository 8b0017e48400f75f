# SPDX-License-Identifier: BSD-3-Clause
# ndpi-oracle.sh — nDPI as an independent oracle for our dissectors' claims.
# By default nDPI is left out of flows a dissector of ours claims (capture
# --ndpi unclaimed, docs/PERFORMANCE.md); here every real capture is read
# again with --ndpi classify, so that nDPI names each flow's protocol on its
# own, and the table (our protocol, nDPI's, number of flows) must be exactly
# the one below. Agreement is the rule; each disagreement is listed with why,
# so that a new one (a dissector claiming what it should not, or nDPI
# changing) fails the test.
. "$SRCDIR/tests/lib.sh"

files=()
for f in "$SRCDIR"/pcaps/tls/*.pcap "$SRCDIR"/pcaps/plain/*.pcap "$SRCDIR"/pcaps/quic/*.pcap* \
	"$SRCDIR"/pcaps/connect/*.pcap "$SRCDIR"/pcaps/xmpp/*.pcap; do
	files+=("$f")
done
db=$(T_CAPTURE_OPTS="--ndpi classify" t_capture "${files[@]}")

got=$(sqlite3 "$db" "SELECT COALESCE(protocol, '-') || ' ' || ndpi_protocol || ' ' || count(*)
	FROM flows GROUP BY COALESCE(protocol, '-'), ndpi_protocol ORDER BY 1" | paste -sd';')
# Disagreements, with the reason:
#   - Unknown x3: the FTP data connections (EPSV, ports 40005-40009) of the
#     pcaps/plain FTP runs; no dissector of ours claims them and nDPI 4.2
#     does not tie them to their control connection.
#   - Kerberos: the KDC exchange of the GSSAPI PostgreSQL lab run
#     (pgsql-gssenc.pcap); we have no Kerberos dissector.
#   - ldap/MQTT x3: nDPI 4.2 labels the LDAP exchanges on 389 of the three
#     ldap-*.pcap captures MQTT; tshark dissects them as LDAP (bind and the
#     StartTLS extended operation, protocolOp 0/1 and 23/24).
#   - postgresql/Unknown: pgsql-gssenc-refused.pcap, PostgreSQL on port
#     6432 opening with a GSSENCRequest, which nDPI 4.2 does not classify.
#   - quic/Unknown: rfc9369-v2-initials.pcap, QUIC version 2 (RFC 9369),
#     newer than nDPI 4.2.
#   - tls/IMAPS, POPS, SMTPS: nDPI names implicit TLS by its port service
#     (SMTPS twice: smtps-465-cleartext-answer.pcap too, a ClientHello to
#     465 answered in clear, which we record as cleartext).
#   - tds/Unknown: tds5-login-cleartext.pcap, a TDS 5.0 LOGIN on port 5000
#     (Sybase ASE's), which nDPI 4.2 does not classify; the TDS 4.2 one on
#     1433 it names MsSQL-TDS.
#   - http/HTTP_Connect x9: not a disagreement: nDPI's name for an HTTP
#     CONNECT (pcaps/connect, issue 18), tunnels and refusals alike.
#   - xmpp/Jabber x9: not a disagreement: nDPI's name for XMPP (pcaps/xmpp,
#     issue 18); the XEP-0368 direct TLS flow on 5223 is one of tls/TLS.
want='- Kerberos 1;- Unknown 3;amqp AMQP 1;ftp FTP_CONTROL 4;http HTTP 12;http HTTP_Connect 9;imap IMAP 3;ldap LDAP 1;ldap MQTT 3;mysql MySQL 4;pop3 POP3 3;postgresql PostgreSQL 8;postgresql Unknown 1;quic QUIC 15;quic Unknown 1;redis Redis 3;smtp SMTP 7;tds MsSQL-TDS 1;tds Unknown 1;tls IMAPS 1;tls POPS 1;tls SMTPS 2;tls TLS 43;xmpp Jabber 9'
t_is "$got" "$want" "our protocol vs nDPI's, per flow, over pcaps/tls, plain, quic, connect and xmpp"

# The default mode leaves nDPI out of claimed flows: their nDPI fields are null.
db2=$(t_capture "$SRCDIR/pcaps/plain/redis-auth-cleartext.pcap")
t_is "$(sqlite3 "$db2" "SELECT protocol || ' ' || COALESCE(ndpi_protocol, 'null') FROM flows")" \
	"redis null" "default --ndpi unclaimed: no nDPI label on a claimed flow"
t_is "$(sqlite3 "$db2" "SELECT json_extract(stats, '$.ndpi_stopped') FROM runs")" "1" \
	"ndpi_stopped counts it"
t_done
