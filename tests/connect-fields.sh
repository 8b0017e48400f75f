#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# connect-fields.sh — exact export fields of HTTP CONNECT tunnels (issue 18,
# dissectors/http.c): the real tinyproxy + curl captures of pcaps/connect/
# (tools/lab/gen-connect.sh: Basic proxy credentials with TLS 1.3 and 1.2, a
# 407 then a new connection, a 407 alone, an open proxy with TLS 1.3 and with
# a TLS 1.0-only origin, a 403, plain HTTP in the tunnel) and the orderings
# of tools/mkpcap-connect.py (ClientHello before the 200, a 407 with a body
# on a kept connection then the retry, the server speaking first in the
# tunnel, a GET pipelined behind the CONNECT, a target without a port, an
# IPv6 literal target, a chunked 407 body that ends the following). The
# proxy facts are the http dissector's, the inner TLS facts the TLS
# dissector's after the hand-off; the password never appears. Run it in the
# sanitizer build too.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/connect
python3 "$SRCDIR/tools/mkpcap-connect.py" "$SRCDIR" "$T_TMP/c" || { t_ok 1 "mkpcap-connect.py"; t_done; exit 1; }
C=$T_TMP/c

# rec PCAP JQ [N]: JQ applied to the Nth (default 1st) flow's export record
rec() {
	local key db
	key=$(echo "$1" | tr '/.' '__')
	if [ ! -f "$T_TMP/$key.jsonl" ]; then
		db="$T_TMP/$key.db"
		"$WIREAUDIT" capture -q -r "$1" -d "$db" --ca-file "$S/connect-ca.pem" 2>"$T_TMP/$key.err"
		echo $? > "$T_TMP/$key.rc"
		"$WIREAUDIT" export -d "$db" > "$T_TMP/$key.jsonl" 2>/dev/null
	fi
	sed -n "${3:-1}p" "$T_TMP/$key.jsonl" | jq -c "$2"
}
D='.cleartext.details'
# the proxy facts
P="[.server_port, .protocol, .security, .cleartext.credentials, .cleartext.auth_mechanism, .cleartext.user, $D.method, $D.connect_host, $D.connect_port, $D.status, $D.connect_status, $D.proxy_auth_scheme, $D.auth_challenge, $D.connect_tunnel, ([.anomalies[].name])]"
# the inner TLS
T="[.tls.version, .tls.cipher, .tls.sni, .tls.handshake, .tls.chain_trusted, .tls.hostname_match]"

# --- real captures
t_is "$(rec "$S/connect-basic-tls13.pcap" "$P")" \
	'[3128,"http","tls",true,"basic","wa-proxy-user","CONNECT","origin.lab.test",8443,200,200,"basic",null,"tls",[]]' \
	"Basic CONNECT, 200: target, scheme, user, credentials in clear, tunnel handed to TLS"
t_is "$(rec "$S/connect-basic-tls13.pcap" "$T")" \
	'["TLSv1.3","TLS_AES_256_GCM_SHA384","origin.lab.test","complete",null,null]' \
	"Basic CONNECT: the inner TLS 1.3 (certificate encrypted)"
t_is "$(rec "$S/connect-basic-tls12.pcap" "$P")" \
	'[3128,"http","tls",true,"basic","wa-proxy-user","CONNECT","origin.lab.test",8443,200,200,"basic",null,"tls",[]]' \
	"Basic CONNECT, --tls-max 1.2: the same proxy facts"
t_is "$(rec "$S/connect-basic-tls12.pcap" "$T")" \
	'["TLSv1.2","TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384","origin.lab.test","complete",true,true]' \
	"TLS 1.2 in the tunnel: suite, and the origin's chain judged as for a direct flow"
t_is "$(rec "$S/connect-basic-tls12.pcap" '[.tls.certs[0].subject, .tls.certs[0].sans]')" \
	'["CN=origin.lab.test",["origin.lab.test"]]' "TLS 1.2 in the tunnel: the origin's certificate, not the proxy's"
t_is "$(rec "$S/connect-anyauth-407-basic.pcap" "$P" 1)" \
	'[3128,"http","cleartext",false,null,null,"CONNECT","origin.lab.test",8443,407,407,null,["basic"],null,[]]' \
	"--proxy-anyauth, first connection: 407 with Proxy-Authenticate Basic, no tunnel"
t_is "$(rec "$S/connect-anyauth-407-basic.pcap" "$P" 2)" \
	'[3128,"http","tls",true,"basic","wa-proxy-user","CONNECT","origin.lab.test",8443,200,200,"basic",null,"tls",[]]' \
	"--proxy-anyauth, second connection: the Basic retry and the tunnel"
t_is "$(rec "$S/connect-anyauth-407-basic.pcap" "$T" 2)" \
	'["TLSv1.3","TLS_AES_256_GCM_SHA384","origin.lab.test","complete",null,null]' \
	"--proxy-anyauth: the inner TLS"
t_is "$(rec "$S/connect-noauth-407.pcap" "$P")" \
	'[3128,"http","cleartext",false,null,null,"CONNECT","origin.lab.test",8443,407,407,null,["basic"],null,[]]' \
	"no credentials: 407, the challenge scheme, nothing handed off"
t_is "$(rec "$S/connect-noauth-407.pcap" '[.tls, .cleartext.details.server]')" '[null,"tinyproxy/1.11.1"]' \
	"407: no tls object; the proxy's Server header"
t_is "$(rec "$S/connect-open-tls13.pcap" "$P")" \
	'[8888,"http","tls",false,null,null,"CONNECT","origin.lab.test",8443,200,200,null,null,"tls",[]]' \
	"open proxy: no proxy credentials"
t_is "$(rec "$S/connect-open-tls13.pcap" "$T")" \
	'["TLSv1.3","TLS_AES_256_GCM_SHA384","origin.lab.test","complete",null,null]' "open proxy: the inner TLS 1.3"
t_is "$(rec "$S/connect-open-tls10-weak.pcap" "$T")" \
	'["TLSv1.0","TLS_RSA_WITH_AES_128_CBC_SHA","origin.lab.test","complete",true,true]' \
	"TLS 1.0-only origin: version and suite through the tunnel"
t_is "$(rec "$S/connect-open-tls10-weak.pcap" '[.tls.client_versions, .tls.cipher_class, .tls.forward_secrecy]')" \
	'[["TLSv1.0"],"not_recommended",false]' "TLS 1.0-only origin: the client offered 1.0 only; the suite's class"
t_is "$(rec "$S/connect-refused-403.pcap" "$P")" \
	'[8888,"http","cleartext",false,null,null,"CONNECT","origin.lab.test",9443,403,403,null,null,null,[]]' \
	"403: the refused target and the answer, no hand-off"
t_is "$(rec "$S/connect-open-not-tls.pcap" "$P")" \
	'[8888,"http","cleartext",false,null,null,"CONNECT","origin.lab.test",8080,200,200,null,null,"not_tls",[]]' \
	"curl -p to plain HTTP: the tunnel carries no TLS, the flow stays http in clear"
t_is "$(rec "$S/connect-open-not-tls.pcap" '[.tls, .cleartext.details.methods]')" '[null,["CONNECT"]]' \
	"plain HTTP in the tunnel: no tls object, the tunnelled GET is not read as a request of the proxy"
for f in "$S"/*.pcap; do
	k=$(echo "$f" | tr '/.' '__')
	rec "$f" '.protocol' >/dev/null
	t_is "$(cat "$T_TMP/$k.rc")" 0 "$(basename "$f"): capture exits 0"
done
t_is "$(cat "$T_TMP"/*.jsonl | grep -c 'Tunnel-Lab-Pass-7731\|VHVubmVsLUxhYi1QYXNzLTc3MzE\|d2EtcHJveHktdXNlcjpUdW5uZWwtTGFiLVBhc3MtNzczMQ')" 0 \
	"the proxy password is in no export record, as is or base64"

# --- orderings (tools/mkpcap-connect.py)
t_is "$(rec "$C/pipelined-hello.pcap" "$P")" \
	'[8888,"http","tls",false,null,null,"CONNECT","origin.lab.test",8443,200,200,null,null,"tls",[]]' \
	"ClientHello before the 200: held until the answer, then handed off"
t_is "$(rec "$C/pipelined-hello.pcap" "$T")" \
	'["TLSv1.3","TLS_AES_256_GCM_SHA384","origin.lab.test","complete",null,null]' \
	"ClientHello before the 200: the inner TLS, as with curl's ordering"
t_is "$(rec "$C/keepalive-407.pcap" "$P")" \
	'[3128,"http","tls",true,"basic","wa-proxy-user","CONNECT","origin.lab.test",8443,407,200,"basic",["basic"],"tls",[]]' \
	"407 with a body on a kept connection, the Basic retry, 200: the body is skipped, the retry's answer found"
t_is "$(rec "$C/keepalive-407.pcap" "[$T, $D.methods]")" \
	'[["TLSv1.3","TLS_AES_256_GCM_SHA384","origin.lab.test","complete",null,null],["CONNECT","CONNECT"]]' \
	"kept connection: two CONNECTs, the inner TLS after the second"
t_is "$(rec "$C/server-first.pcap" "[$D.connect_tunnel, .security, .tls]")" '["not_tls","cleartext",null]' \
	"the server speaks first in the tunnel: not TLS"
t_is "$(rec "$C/pipelined-http.pcap" "[$D.connect_tunnel, .security, .tls, $D.methods]")" \
	'["not_tls","cleartext",null,["CONNECT"]]' "a GET pipelined behind the CONNECT, then 200: tunnel bytes, not TLS, not a request"
t_is "$(rec "$C/bad-target.pcap" "[$D.method, $D.target, $D.connect_host, [.anomalies[] | .dissector + \"/\" + .name]]")" \
	'["CONNECT","origin.lab.test",null,["http/bad_connect_target"]]' "CONNECT without a port: bad_connect_target"
t_is "$(rec "$C/bad-target-brackets.pcap" "[$D.connect_host, [.anomalies[].name]]")" \
	'[null,["bad_connect_target"]]' "CONNECT []:443: an empty IP literal is no host"
t_is "$(rec "$C/ipv6-target.pcap" "[$D.connect_host, $D.connect_port, $D.connect_status, $D.connect_tunnel]")" \
	'["2001:db8::443",443,403,null]' "IPv6 literal target: host without brackets, port, the 403"
# a chunked 407 body cannot be skipped: the retry's answer is not looked
# for, so the client's bytes after it are not held and handed again to the
# dissector at each segment (the cost counters say so: 3 calls over 505
# bytes, the two CONNECT heads and the 407's head; holding them was 16
# calls over 29 838 bytes)
"$WIREAUDIT" capture -q -r "$C/chunked-407.pcap" -d "$T_TMP/chunked.db" 2>/dev/null
t_is "$("$WIREAUDIT" export -d "$T_TMP/chunked.db" | jq -c "[$D.methods, $D.status, $D.connect_status, $D.connect_tunnel, .tls, [.anomalies[].name]]")" \
	'[["CONNECT","CONNECT"],407,407,null,null,[]]' "chunked 407 then the retry: the first answer only"
t_is "$(sqlite3 "$T_TMP/chunked.db" "SELECT json_extract(stats, '$.dissector_calls') || ' ' || json_extract(stats, '$.dissector_bytes') FROM runs")" \
	"3 505" "chunked 407 then the retry: nothing held after the retry (dissector calls and bytes)"
for f in "$C"/*.pcap; do
	k=$(echo "$f" | tr '/.' '__')
	rec "$f" '.protocol' >/dev/null
	t_is "$(cat "$T_TMP/$k.rc")" 0 "$(basename "$f"): capture exits 0"
done
t_done
