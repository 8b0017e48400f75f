# SPDX-License-Identifier: BSD-3-Clause
# tshark-auth.sh — tshark as an independent oracle for the authentication
# and security facts of issue 21 (docs/DISSECTORS.md): per capture, the
# field tshark dissects and wireaudit's export must agree.
#   HTTP   Authorization scheme (http.authorization), Digest username,
#          NTLM AUTHENTICATE user and domain (ntlmssp.auth.*), Basic user
#          (http.authbasic, user part only)
#   TDS    4.2/5.0 LOGIN record: user, whether a password is present,
#          version, application (tds.login.*)
#   FTP    AUTH mechanism, the 334/235 replies, the first wrapped command
#          (ftp.request.*, ftp.response.code)
#   MongoDB responseTo -1 OP_QUERY claimed, command names (mongo.*)
#   TLS    a ClientHello answered without a ServerHello, by the text line
#          wireaudit records (tls.handshake.type, tcp.payload)
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark
P=$SRCDIR/pcaps/plain
C=$SRCDIR/pcaps/crafted-text
D=$SRCDIR/pcaps/crafted-db

ex() { # ex PCAP JQ: wireaudit's export of the claimed flows, filtered
	local db
	db=$(t_capture "$1")
	"$WIREAUDIT" export -d "$db" | jq -c "select(.protocol != null) | $2" | paste -sd' '
}
ts() { # ts PCAP [tshark options] -- FIELDS...: one line per frame
	local pcap=$1
	shift
	tshark -r "$pcap" "$@" 2>/dev/null
}

# ---- HTTP
for f in http-digest-challenge http-digest-new-connection http-ntlm-challenge http-basic-two-spaces \
	 http-basic-cleartext http-bearer-cleartext; do
	pcap=$P/$f.pcap
	# tshark: per TCP stream, the scheme of its last Authorization header,
	# and the user it names (Digest username=, NTLM AUTHENTICATE, Basic user)
	want=$(ts "$pcap" -Y 'http.request' -T fields -E separator='|' -e tcp.stream -e http.authorization \
		-e ntlmssp.auth.username -e http.authbasic | python3 -c '
import json, re, sys
last = {}
for line in sys.stdin:
    s, auth, nu, basic = (line.rstrip("\n").split("|") + ["", "", ""])[:4]
    last.setdefault(s, [None, None])
    if not auth:
        continue
    scheme = auth.split(None, 1)[0].lower()
    user = None
    m = re.search(r"username=\"([^\"]*)\"", auth)
    if scheme == "digest" and m:
        user = m.group(1)
    elif scheme in ("ntlm", "negotiate") and nu and nu != "NULL":
        user = nu
    elif scheme == "basic" and basic:
        user = basic.split(":", 1)[0]
    elif scheme in ("ntlm", "negotiate"):
        user = last[s][1]
    last[s] = [scheme, user]
print(" ".join(json.dumps(last[k], separators=(",", ":")) for k in sorted(last, key=int)))
')
	got=$(ex "$pcap" '[.cleartext.auth_mechanism, .cleartext.user]')
	t_is "$got" "$want" "$f: scheme and user agree with tshark"
done
t_is "$(ts "$P/http-ntlm-challenge.pcap" -Y ntlmssp.auth.domain -T fields -e ntlmssp.auth.domain)" \
	"$(ex "$P/http-ntlm-challenge.pcap" '.cleartext.details.ntlm_domain' | tr -d '"')" "http-ntlm-challenge: NTLM domain agrees with tshark"

# ---- TDS 4.2/5.0 LOGIN record
for f in tds5-login-cleartext:5000 tds42-login-cleartext:1433; do
	pcap=$P/${f%%:*}.pcap
	want=$(ts "$pcap" -d "tcp.port==${f##*:},tds" -Y tds.login -T fields -E separator='|' \
		-e tds.login.username -e tds.login.password_length -e tds.login.protoversion -e tds.login.appname |
		awk -F'|' '{print $1 "|" ($2 > 0 ? "true" : "false") "|" $3 "|" $4}')
	got=$(ex "$pcap" '[.cleartext.user, .cleartext.credentials, .cleartext.details.tds_version,
		.cleartext.details.application_name] | map(tostring) | join("|")' | tr -d '"')
	t_is "$got" "$want" "${f%%:*}: user, password present, version, application agree with tshark"
done

# ---- FTP RFC 2228
pcap=$C/ftp-auth-gssapi-enc.pcap
want=$(ts "$pcap" -Y 'ftp.request.command == "AUTH"' -T fields -e ftp.request.arg)
want="$want|$(ts "$pcap" -Y 'ftp.response.code == 334 || ftp.response.code == 235' -T fields -e ftp.response.code | paste -sd,)"
want="$want|$(ts "$pcap" -Y 'ftp.request.command == "ENC" || ftp.request.command == "MIC" || ftp.request.command == "CONF"' \
	-T fields -e ftp.request.command | head -1)"
got=$(ex "$pcap" '.cleartext.details | [.auth_command, ([.auth_reply, .adat_reply] | map(tostring) | join(",")), .protection] | join("|")' | tr -d '"')
t_is "$got" "$want" "ftp-auth-gssapi-enc: AUTH mechanism, 334/235, first wrapped command agree with tshark"

# ---- MongoDB: responseTo -1 OP_QUERY
pcap=$D/mongodb-getnonce-cr.pcap
t_is "$(ts "$pcap" -d tcp.port==27017,mongo -Y 'mongo.opcode == 2004' -T fields -e mongo.response_to | sort -u)" "0xffffffff" \
	"mongodb-getnonce-cr: tshark reads responseTo -1 on the OP_QUERYs"
t_is "$(ex "$pcap" '[.protocol, (.cleartext.details.commands | join(","))] | join("|")' | tr -d '"')" \
	"mongodb|$(ts "$pcap" -d tcp.port==27017,mongo -Y 'mongo.opcode == 2004' -T fields -e mongo.element.name | cut -d, -f1 | paste -sd,)" \
	"mongodb-getnonce-cr: claimed, command names agree with tshark"

# ---- TLS port answered in clear
pcap=$P/smtps-465-cleartext-answer.pcap
t_is "$(ts "$pcap" -Y 'tls.handshake.type == 1 || tls.handshake.type == 2' -T fields -e tls.handshake.type | paste -sd,)" \
	"1" "smtps-465-cleartext-answer: tshark sees a ClientHello and no ServerHello"
want=$(ts "$pcap" -Y 'tcp.srcport == 465 && tcp.len > 0' -T fields -e tcp.payload | head -1 |
	python3 -c 'import sys; print(bytes.fromhex(sys.stdin.read().strip()).split(b"\r\n")[0].decode())')
t_is "$(ex "$pcap" '.cleartext.details.server_banner' | tr -d '"')" "$want" \
	"smtps-465-cleartext-answer: the server's first line agrees with tshark's payload"
t_done
