#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# keylog.sh — TLS 1.3 handshakes opened with a key log (issue 19 part 3,
# docs/TLS.md "Key logs"): the real openssl s_server / s_client / curl
# captures of pcaps/keylog/ (tools/lab/gen-keylog.sh) with and without
# `capture --keylog`: exact export fields (chain and verdicts, the
# CertificateRequest, the client's chain, the stapled OCSP response,
# tls.handshake_decrypted), a wrong key, a key log that is garbage, empty,
# missing or truncated, application secrets present in the file (ignored),
# a key log that grows while the capture reads (re-read on a miss), QUIC
# Handshake packets opened with the same key logs (ngtcp2 gtlsclient /
# gtlsserver captures, tools/lab/gen-keylog-quic.sh), no
# secret anywhere in the database, the export or the report, and the
# report's coverage line and TLS 1.3 verdicts.
. "$SRCDIR/tests/lib.sh"

K=$SRCDIR/pcaps/keylog
CA=$K/test-ca.pem
# cap NAME PCAP [KEYLOG]: capture into $T_TMP/NAME.db, export to NAME.jsonl
cap() {
	local kl=()
	[ -n "${3:-}" ] && kl=(--keylog "$3")
	"$WIREAUDIT" capture -q -r "$2" "${kl[@]}" --ca-file "${CAF:-$CA}" -d "$T_TMP/$1.db" 2>"$T_TMP/$1.err"
	echo $? >"$T_TMP/$1.rc"
	"$WIREAUDIT" export -d "$T_TMP/$1.db" >"$T_TMP/$1.jsonl" 2>/dev/null
}
F='[.tls.version, .tls.cipher, .tls.handshake_decrypted, .tls.certs_observable, .tls.chain_len, .tls.chain_trusted, .tls.hostname_match, .tls.cert_request, .tls.client_cert, .tls.client_cert_message, .tls.client_chain_len, .tls.client_chain_trusted, .tls.ocsp_stapled, .tls.ocsp_status, .tls.established, ([.anomalies[].name])]'
j() { jq -c "$2" "$T_TMP/$1.jsonl"; }

for n in tls13-aes128 tls13-mtls tls13-certreq-none tls13-ocsp-stapled tls13-curl; do
	cap "$n" "$K/$n.pcap" "$K/$n.keys"
	cap "$n-nokl" "$K/$n.pcap"
	t_is "$(cat "$T_TMP/$n.rc")|$(wc -l <"$T_TMP/$n.jsonl")" "0|1" "$n: capture --keylog exits 0, one flow"
done

# --- with the key log: what a cleartext handshake would have given
t_is "$(j tls13-aes128 "$F")" '["TLSv1.3","TLS_AES_128_GCM_SHA256",true,true,2,true,true,false,"none",null,0,null,false,null,true,[]]' \
	"AES-128-GCM: server chain trusted, name matches, no CertificateRequest"
t_is "$(j tls13-aes128 '.tls.alpn_selected')|$(j tls13-aes128-nokl '.tls.alpn_selected')|$(j tls13-curl '.tls.alpn_selected')" \
	'"http/1.1"|"not_observable"|null' "ALPN from EncryptedExtensions; none selected: null, not not_observable"
t_is "$(j tls13-mtls "$F")" '["TLSv1.3","TLS_AES_256_GCM_SHA384",true,true,2,true,true,true,"sent","sent",2,true,false,null,true,[]]' \
	"AES-256-GCM/SHA-384, -Verify: CertificateRequest and the client's trusted chain of 2"
t_is "$(j tls13-mtls '[.tls.certs[0].subject, .tls.client_certs[0].subject, .tls.client_certs[1].subject]')" \
	'["CN=server.wireaudit.test,O=wireaudit test PKI","CN=client.wireaudit.test,O=wireaudit test PKI","CN=wireaudit Key Log Intermediate CA,O=wireaudit test PKI"]' \
	"mTLS: leaf and client certificate subjects"
t_is "$(j tls13-certreq-none "$F")" '["TLSv1.3","TLS_CHACHA20_POLY1305_SHA256",true,true,2,true,true,true,"requested","empty",0,null,false,null,true,[]]' \
	"ChaCha20-Poly1305, -verify: requested, the client's Certificate empty"
t_is "$(j tls13-ocsp-stapled "$F")" '["TLSv1.3","TLS_AES_256_GCM_SHA384",true,true,2,true,true,false,"none",null,0,null,true,"good",true,[]]' \
	"stapled OCSP in the leaf's CertificateEntry: good"
t_is "$(j tls13-ocsp-stapled '.tls.ocsp_produced_at | type')" '"number"' "OCSP producedAt read"
t_is "$(j tls13-curl "$F")" '["TLSv1.3","TLS_AES_256_GCM_SHA384",true,true,2,true,true,false,"none",null,0,null,false,null,true,[]]' \
	"curl SSLKEYLOGFILE: server chain"

# --- without: as before, nothing encrypted is claimed
for n in tls13-aes128 tls13-mtls tls13-ocsp-stapled; do
	t_is "$(j "$n-nokl" '[.tls.handshake_decrypted, .tls.certs_observable, .tls.chain_len, .tls.cert_request, .tls.client_cert, .tls.client_cert_message, .tls.ocsp_stapled, (.tls.certs | length), ([.anomalies[].name])]')" \
		'[false,false,0,null,"not_observable","not_observable",null,0,[]]' "$n without --keylog: not observable, no note"
done
# application records counted the same with and without (none opened)
t_is "$(j tls13-curl '[.tls.records_c2s, .tls.records_s2c, .tls.app_records_c2s, .tls.app_records_s2c, .tls.client_cert_inferred]')" \
	"$(j tls13-curl-nokl '[.tls.records_c2s, .tls.records_s2c, .tls.app_records_c2s, .tls.app_records_s2c, .tls.client_cert_inferred]')" \
	"record counts and the size heuristic unchanged by the key log"

# --- hostile key logs: the flow as without, a note, exit 0
NODEC='[.tls.handshake_decrypted, .tls.certs_observable, .tls.chain_len, .tls.client_cert, .tls.established]'
sed -E '/^SERVER_HANDSHAKE/ s/.$/x/; /^SERVER_HANDSHAKE/ s/x$/0/' "$K/tls13-aes128.keys" >"$T_TMP/wrong.keys"
grep -q "$(grep ^SERVER "$K/tls13-aes128.keys" | cut -d' ' -f3)" "$T_TMP/wrong.keys" &&
	sed -i -E '/^SERVER_HANDSHAKE/ s/.$/1/' "$T_TMP/wrong.keys"
cap wrong "$K/tls13-aes128.pcap" "$T_TMP/wrong.keys"
t_is "$(cat "$T_TMP/wrong.rc")|$(j wrong "$NODEC")|$(j wrong '[.anomalies[] | [.name, .detail]]')" \
	'0|[false,false,0,"not_observable",true]|[["keylog_decrypt_failed","keylog: handshake records did not decrypt (record tag mismatch)"]]' \
	"a wrong server secret: tag mismatch noted, flow as without"
# another connection's secrets
cap other "$K/tls13-aes128.pcap" "$K/tls13-curl.keys"
t_is "$(j other "$NODEC")|$(j other '[.anomalies[].name]')" '[false,false,0,"not_observable",true]|["keylog_no_secrets"]' \
	"secrets of another ClientHello: noted as missing"
# a secret of the wrong length for the suite (SHA-256 suite, 48 bytes)
awk '{ print $1, $2, $3 "00000000000000000000000000000000" }' "$K/tls13-aes128.keys" >"$T_TMP/len.keys"
cap len "$K/tls13-aes128.pcap" "$T_TMP/len.keys"
t_is "$(cat "$T_TMP/len.rc")|$(j len "$NODEC")|$(j len '[.anomalies[].name]')" '0|[false,false,0,"not_observable",true]|["keylog_decrypt_failed"]' \
	"a 48-byte secret for a SHA-256 suite: noted"
# garbage: random bytes, broken lines, a line cut in the middle
{ head -c 4096 /dev/urandom; printf '\nCLIENT_HANDSHAKE_TRAFFIC_SECRET zz 11\nSERVER_HANDSHAKE_TRAFFIC_SECRET\n# comment\n\n'
  printf 'CLIENT_HANDSHAKE_TRAFFIC_SECRET %0200d %0100d\n' 0 0; head -c 70 "$K/tls13-aes128.keys"; } >"$T_TMP/garbage.keys"
cap garbage "$K/tls13-aes128.pcap" "$T_TMP/garbage.keys"
t_is "$(cat "$T_TMP/garbage.rc")|$(j garbage "$NODEC")|$(j garbage '[.anomalies[].name]')" '0|[false,false,0,"not_observable",true]|["keylog_no_secrets"]' \
	"garbage and a truncated line: nothing read from them"
# the client secret alone (server line truncated away)
grep ^CLIENT "$K/tls13-aes128.keys" >"$T_TMP/half.keys"
grep ^SERVER "$K/tls13-aes128.keys" | head -c 60 >>"$T_TMP/half.keys"
cap half "$K/tls13-aes128.pcap" "$T_TMP/half.keys"
t_is "$(j half "$NODEC")|$(j half '[.anomalies[].name]')" '[false,false,0,"not_observable",true]|["keylog_no_secrets"]' \
	"only one of the two secrets: noted as missing"
: >"$T_TMP/empty.keys"
cap empty "$K/tls13-aes128.pcap" "$T_TMP/empty.keys"
t_is "$(cat "$T_TMP/empty.rc")|$(j empty "$NODEC")" '0|[false,false,0,"not_observable",true]' "an empty key log"
# CRLF line ends, comments and application secrets beside the handshake ones
{ echo "# SSL/TLS secrets log file, generated by a test"; sed 's/$/\r/' "$K/tls13-mtls.keys"
  cr=$(cut -d' ' -f2 "$K/tls13-mtls.keys" | head -1)
  echo "CLIENT_TRAFFIC_SECRET_0 $cr $(printf '%096d' 7)"; echo "SERVER_TRAFFIC_SECRET_0 $cr $(printf '%096d' 8)"
  echo "EXPORTER_SECRET $cr $(printf '%096d' 9)"; } >"$T_TMP/crlf.keys"
cap crlf "$K/tls13-mtls.pcap" "$T_TMP/crlf.keys"
t_is "$(j crlf "$F")" "$(j tls13-mtls "$F")" "CRLF, comments and application secrets in the file: the same facts"
# a missing file: a usage error naming the path only
"$WIREAUDIT" capture -q -r "$K/tls13-aes128.pcap" --keylog "$T_TMP/none.keys" -d "$T_TMP/none.db" 2>"$T_TMP/none.err"
t_is "$?|$(cat "$T_TMP/none.err")" "2|wireaudit: capture: cannot read the key log $T_TMP/none.keys: No such file or directory" \
	"a missing key log: exit 2"
# audit passes --keylog through
"$WIREAUDIT" audit --keylog "$K/tls13-mtls.keys" --ca-file "$CA" -d "$T_TMP/audit.db" "$K/tls13-mtls.pcap" >"$T_TMP/audit.txt" 2>&1
t_is "$("$WIREAUDIT" export -d "$T_TMP/audit.db" | jq -c '[.tls.handshake_decrypted, .tls.client_chain_len]')" '[true,2]' \
	"audit --keylog"

# --- a key log that grows while the capture reads (re-read on a miss, at
# most once a second): the second connection's secrets are appended after
# its first packets were read
grow() { # grow NAME APPEND(0|1)
	rm -f "$T_TMP/fifo"
	mkfifo "$T_TMP/fifo"
	cp "$K/tls13-aes128.keys" "$T_TMP/$1.keys"
	( cat "$K/tls13-aes128.pcap"; sleep 1.5
	  [ "$2" = 1 ] && cat "$K/tls13-curl.keys" >>"$T_TMP/$1.keys"
	  tail -c +25 "$K/tls13-curl.pcap" ) >"$T_TMP/fifo" &
	"$WIREAUDIT" capture -q -r "$T_TMP/fifo" --keylog "$T_TMP/$1.keys" --ca-file "$CA" -d "$T_TMP/$1.db"
	wait
	"$WIREAUDIT" export -d "$T_TMP/$1.db" | jq -c '.tls.handshake_decrypted' | tr '\n' ' '
}
t_is "$(grow grown 1)" "true true " "a key log appended to during the capture is re-read"
t_is "$(grow notgrown 0)" "true false " "…and without the append the second flow stays encrypted"

# --- QUIC: Handshake packets opened with the key log (RFC 9001 §5.1),
# the same facts as TLS over TCP; ngtcp2 gtlsclient/gtlsserver (GnuTLS
# SSLKEYLOGFILE), leaf from pcaps/keylog/quic-test-ca.pem's root
QCA=$K/quic-test-ca.pem
for n in quic-aes128 quic-aes256 quic-mtls; do
	CAF=$QCA cap "$n" "$K/$n.pcap" "$K/$n.keys"
	CAF=$QCA cap "$n-nokl" "$K/$n.pcap"
	t_is "$(cat "$T_TMP/$n.rc")|$(wc -l <"$T_TMP/$n.jsonl")|$(j "$n" '[.protocol, .tls.quic.version]')" '0|1|["quic","QUICv1"]' \
		"$n: capture --keylog exits 0, one QUIC v1 flow"
done
QF='[.tls.cipher, .tls.handshake_decrypted, .tls.certs_observable, .tls.chain_len, .tls.chain_trusted, .tls.hostname_match, .tls.cert_request, .tls.client_cert, .tls.client_cert_message, .tls.client_chain_len, .tls.client_chain_trusted, .tls.alpn_selected, .tls.established, ([.anomalies[].name])]'
QLEAF='[.tls.certs[0].subject, .tls.certs[0].sha256, .tls.certs[0].issuer]'
LEAF='["CN=quic.wireaudit.test","605c6b54283394e3e65cafe179425dfc25375ae232dbc98db4c9c70fe93e85ee","CN=wireaudit QUIC test root,O=wireaudit lab"]'
t_is "$(j quic-aes128 "$QF")" '["TLS_AES_128_GCM_SHA256",true,true,1,true,true,false,"none",null,0,null,"h3",true,[]]' \
	"QUIC AES-128-GCM (AES-128 header protection): the server's leaf trusted, name matches, ALPN h3"
t_is "$(j quic-aes256 "$QF")" '["TLS_AES_256_GCM_SHA384",true,true,1,true,true,false,"none",null,0,null,"h3",true,[]]' \
	"QUIC AES-256-GCM/SHA-384 (AES-256 header protection): the same"
t_is "$(j quic-mtls "$QF")" '["TLS_CHACHA20_POLY1305_SHA256",true,true,1,true,true,true,"sent","sent",1,true,"h3",true,[]]' \
	"QUIC ChaCha20-Poly1305 (ChaCha20 header protection), --verify-client: CertificateRequest, the client's trusted certificate"
t_is "$(j quic-aes128 "$QLEAF")|$(j quic-aes256 "$QLEAF")|$(j quic-mtls "$QLEAF")" "$LEAF|$LEAF|$LEAF" \
	"QUIC: leaf subject, SHA-256 and issuer"
t_is "$(j quic-mtls '[.tls.client_certs[0].subject, .tls.client_certs[0].sha256]')" \
	'["CN=client.wireaudit.test","12135070662a0268173a657e1cbadb711259a273f532c418a5f66d7baf0b3b60"]' \
	"QUIC mTLS: the client certificate's subject and SHA-256"
# Handshake packets counted as before; 1-RTT packets never opened
QP='[.tls.quic.handshake_packets, .tls.quic.short_packets, .tls.quic.crypto_bytes, .tls.quic.initial_decrypted]'
for n in quic-aes128 quic-aes256 quic-mtls; do
	t_is "$(j "$n" "$QP")" "$(j "$n-nokl" "$QP")" "$n: QUIC packet counts the same with and without the key log"
	t_is "$(j "$n-nokl" '[.tls.handshake_decrypted, .tls.certs_observable, .tls.chain_len, .tls.client_cert, .tls.alpn_selected, (.tls.certs | length), ([.anomalies[].name])]')" \
		'[false,false,0,"not_observable","not_observable",0,[]]' "$n without --keylog: as before, not observable"
done
# a wrong server secret: the flow as without the key log, and the TCP anomaly
flip() { awk -v l="$1" '$1==l { c = substr($3, length($3)); $3 = substr($3, 1, length($3) - 1) (c == "0" ? "1" : "0") } { print }' "$2"; }
flip SERVER_HANDSHAKE_TRAFFIC_SECRET "$K/quic-aes128.keys" >"$T_TMP/qwrong.keys"
t_is "$(cmp -s "$T_TMP/qwrong.keys" "$K/quic-aes128.keys"; echo $?)" 1 "the wrong QUIC key log differs"
CAF=$QCA cap qwrong "$K/quic-aes128.pcap" "$T_TMP/qwrong.keys"
QNODEC='[.tls.handshake_decrypted, .tls.certs_observable, .tls.chain_len, .tls.client_cert, .tls.alpn_selected, .tls.established, .tls.quic]'
t_is "$(cat "$T_TMP/qwrong.rc")|$(j qwrong "$QNODEC")|$(j qwrong '[.anomalies[] | [.name, .detail]]')" \
	"0|$(j quic-aes128-nokl "$QNODEC")|[[\"keylog_decrypt_failed\",\"keylog: handshake records did not decrypt (Handshake packet tag mismatch)\"]]" \
	"QUIC, a wrong server secret: tag mismatch noted, the flow as without the key log"
# another connection's secrets: missing, as for TCP
CAF=$QCA cap qother "$K/quic-aes128.pcap" "$K/quic-mtls.keys"
t_is "$(j qother "$QNODEC")|$(j qother '[.anomalies[].name]')" "$(j quic-aes128-nokl "$QNODEC")|[\"keylog_no_secrets\"]" \
	"QUIC, secrets of another ClientHello: noted as missing, the flow as without"
# a SHA-384 suite given SHA-256-sized secrets
awk '{ print $1, $2, substr($3, 1, 64) }' "$K/quic-aes256.keys" >"$T_TMP/qlen.keys"
CAF=$QCA cap qlen "$K/quic-aes256.pcap" "$T_TMP/qlen.keys"
t_is "$(j qlen '[.tls.handshake_decrypted, .tls.chain_len]')|$(j qlen '[.anomalies[].name]')" '[false,0]|["keylog_decrypt_failed"]' \
	"QUIC, a 32-byte secret for a SHA-384 suite: noted"
# all the key logs in one file, all captures in one run
cat "$K"/*.keys >"$T_TMP/qall.keys"
"$WIREAUDIT" capture -q --ca-file "$QCA" --keylog "$T_TMP/qall.keys" -d "$T_TMP/qall.db" \
	-r "$K/quic-aes128.pcap" -r "$K/quic-aes256.pcap" -r "$K/quic-mtls.pcap" 2>"$T_TMP/qall.err"
"$WIREAUDIT" export -d "$T_TMP/qall.db" >"$T_TMP/qall.jsonl" 2>/dev/null
t_is "$("$WIREAUDIT" export -d "$T_TMP/qall.db" | jq -c '[.tls.handshake_decrypted, .tls.chain_trusted, .tls.client_cert]' | tr '\n' ' ')" \
	'[true,true,"none"] [true,true,"none"] [true,true,"sent"] ' "QUIC: one key log for several connections"

# --- the secrets appear nowhere: database, export, report, stderr
mapfile -t secrets < <(cut -d' ' -f3 "$K"/*.keys | sort -u)
leak=0
for n in tls13-aes128 tls13-mtls tls13-certreq-none tls13-ocsp-stapled tls13-curl crlf \
	quic-aes128 quic-aes256 quic-mtls qwrong qall; do
	"$WIREAUDIT" report -d "$T_TMP/$n.db" --format json >"$T_TMP/$n.rep" 2>&1
	sqlite3 "$T_TMP/$n.db" .dump >"$T_TMP/$n.dump"
	for s in "${secrets[@]}"; do
		for f in "$T_TMP/$n.db" "$T_TMP/$n.dump" "$T_TMP/$n.jsonl" "$T_TMP/$n.rep" "$T_TMP/$n.err"; do
			grep -qi "$s" "$f" && { leak=1; echo "# $s in $f"; }
		done
	done
done
t_is "$leak" 0 "no key log secret in a database, its dump, the export, the report or stderr"
# raw bytes: the first 16 bytes of each secret are not in any database
python3 - "$T_TMP" "${secrets[@]}" <<'PY' >"$T_TMP/raw.txt"
import glob, sys
d = sys.argv[1]
secs = [bytes.fromhex(s)[:16] for s in sys.argv[2:]]
for f in glob.glob(d + "/*.db"):
    b = open(f, "rb").read()
    for s in secs:
        if s in b:
            print(f, s.hex())
PY
t_is "$(cat "$T_TMP/raw.txt")" "" "no secret's bytes in any database file"

# --- the report: coverage and the decrypted TLS 1.3 verdicts
cat "$K"/*.keys >"$T_TMP/all.keys"
"$WIREAUDIT" capture -q --ca-file "$CA" --keylog "$T_TMP/all.keys" -d "$T_TMP/all.db" \
	-r "$K/tls13-aes128.pcap" -r "$K/tls13-mtls.pcap" -r "$K/tls13-certreq-none.pcap" \
	-r "$K/tls13-ocsp-stapled.pcap" -r "$K/tls13-curl.pcap"
"$WIREAUDIT" capture -q --ca-file "$CA" -d "$T_TMP/none5.db" \
	-r "$K/tls13-aes128.pcap" -r "$K/tls13-mtls.pcap" -r "$K/tls13-certreq-none.pcap" \
	-r "$K/tls13-ocsp-stapled.pcap" -r "$K/tls13-curl.pcap"
"$WIREAUDIT" report -d "$T_TMP/all.db" --ca-file "$CA" >"$T_TMP/all.txt" 2>&1
"$WIREAUDIT" report -d "$T_TMP/none5.db" --ca-file "$CA" >"$T_TMP/none5.txt" 2>&1
t_is "$(grep -o 'TLS flows [0-9]* (.*)' "$T_TMP/all.txt")" \
	"TLS flows 5 (TLS 1.3: 5, with a visible certificate chain: 5, decrypted with a key log: 5)" \
	"text coverage counts the decrypted flows"
t_is "$(grep -o 'TLS flows [0-9]* (.*)' "$T_TMP/none5.txt")" \
	"TLS flows 5 (TLS 1.3: 5, with a visible certificate chain: 0)" "…and without, no such count"
"$WIREAUDIT" report -d "$T_TMP/all.db" --ca-file "$CA" --level 3 --format json >"$T_TMP/all.json" 2>/dev/null
"$WIREAUDIT" report -d "$T_TMP/none5.db" --ca-file "$CA" --level 3 --format json >"$T_TMP/none5.json" 2>/dev/null
t_is "$(jq -c '[.coverage.tls13_flows, .coverage.tls13_decrypted_with_keylog, .coverage.tls_flows_with_certificates]' "$T_TMP/all.json")|$(jq -c '.coverage.tls13_decrypted_with_keylog' "$T_TMP/none5.json")" \
	'[5,5,5]|0' "JSON coverage: 5 decrypted (0 without the key log)"
# the requirements TLS 1.3 hides: [id, status, relevant, observable, violating, finding kinds]
RS='[.requirements[] | select(.id | test("^12\\.(1\\.3|1\\.4|2\\.2|3\\.2|3\\.4|3\\.5)$")) | [.id, .status, .relevant_flows, .observable_flows, .violating_flows, ([.findings[]?.kind])]]'
t_is "$(jq -c "$RS" "$T_TMP/none5.json")" \
	'[["12.1.3","not_observable",5,0,0,[]],["12.1.4","not_observable",1,0,0,[]],["12.2.2","not_observed",0,0,0,[]],["12.3.2","not_observable",5,0,0,[]],["12.3.4","not_observable",5,0,0,[]],["12.3.5","not_observable",5,0,0,[]]]' \
	"without the key log: the TLS 1.3 certificate requirements not observable"
t_is "$(jq -c "$RS" "$T_TMP/all.json")" \
	'[["12.1.3","pass",2,2,0,[]],["12.1.4","pass",1,1,0,[]],["12.2.2","not_observed",0,0,0,[]],["12.3.2","pass",5,5,0,[]],["12.3.4","pass",5,5,0,[]],["12.3.5","fail",5,5,4,["internal_no_client_cert"]]]' \
	"with it: judged on the decrypted chains, CertificateRequest, client certificates and OCSP"
# the decrypted chain judged untrusted (no --ca-file): the failures a TLS 1.2 flow would give
"$WIREAUDIT" capture -q --keylog "$T_TMP/all.keys" -d "$T_TMP/untr.db" -r "$K/tls13-aes128.pcap"
t_is "$("$WIREAUDIT" report -d "$T_TMP/untr.db" --level 3 --format json 2>/dev/null | jq -c "$RS")" \
	'[["12.1.3","not_observed",0,0,0,[]],["12.1.4","not_observed",0,0,0,[]],["12.2.2","not_observed",0,0,0,[]],["12.3.2","fail",1,1,1,["client_accepted_untrusted"]],["12.3.4","fail",1,1,1,["internal_untrusted_chain"]],["12.3.5","fail",1,1,1,["internal_no_client_cert"]]]' \
	"a decrypted chain from an unknown CA fails 12.3.2 and 12.3.4"
md=$("$WIREAUDIT" report -d "$T_TMP/all.db" --ca-file "$CA" --format md 2>/dev/null | grep -c 'decrypted with a key log: 5')
html=$("$WIREAUDIT" report -d "$T_TMP/all.db" --ca-file "$CA" --format html 2>/dev/null | grep -c 'decrypted with a key log: 5')
t_is "$md|$html" "1|1" "Markdown and HTML coverage say it too"

# ---- a key log at scale: a busy proxy's file of 200,000 connections ----
# (the lookup was a linear search per line and per flow: quadratic in the
# connections; now an index by client random) with the real lines last
python3 - "$K/tls13-aes128.keys" >"$T_TMP/big.keys" <<'PY'
import random, sys
r = random.Random(19)
out = sys.stdout
for i in range(200000):
    cr = "%064x" % r.getrandbits(256)
    out.write("CLIENT_HANDSHAKE_TRAFFIC_SECRET %s %064x\n" % (cr, r.getrandbits(256)))
    out.write("SERVER_HANDSHAKE_TRAFFIC_SECRET %s %064x\n" % (cr, r.getrandbits(256)))
out.write(open(sys.argv[1]).read())
PY
"$WIREAUDIT" capture -q --keylog "$T_TMP/big.keys" -d "$T_TMP/big.db" -r "$K/tls13-aes128.pcap"
t_is "$(j0=$("$WIREAUDIT" export -d "$T_TMP/big.db"); echo "$j0" | jq -c 'select(.tls) | [.tls.handshake_decrypted, .tls.chain_len]')" \
	"[true,2]" "a key log of 200,000 other connections: the flow's secrets found after them"

t_done
