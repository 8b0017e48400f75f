#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tshark-keylog.sh — tshark as an independent oracle for TLS 1.3 handshakes
# opened with a key log (issue 19 part 3, docs/TLS.md "Key logs"): for each
# capture of pcaps/keylog/, tshark given the same key log
# (-o tls.keylog_file:FILE) decodes the encrypted handshake; its server and
# client Certificate messages (the leaf's SHA-256 and subject, the number
# of certificates), whether a CertificateRequest was sent and the stapled
# OCSP status must be what `capture --keylog` exports. Without the key log
# tshark sees no Certificate either, and neither does the export. The QUIC
# captures (quic-*.pcap) check the same fields from the Handshake packets
# tshark opens with the key log (its QUIC dissector derives the Handshake
# keys from the same secrets).
. "$SRCDIR/tests/lib.sh"
t_oracle_needs tshark python3 openssl jq

K=$SRCDIR/pcaps/keylog
for f in "$K"/*.pcap; do
	n=$(basename "$f" .pcap)
	db="$T_TMP/$n.db"
	"$WIREAUDIT" capture -q -r "$f" --keylog "$K/$n.keys" -d "$db" 2>/dev/null
	"$WIREAUDIT" export -d "$db" >"$T_TMP/$n.jsonl" 2>/dev/null
	tshark -n -r "$f" -o "tls.keylog_file:$K/$n.keys" -Y "tls.handshake" -T fields -E separator='|' \
		-e ip.src -e tls.handshake.type -e tls.handshake.certificate -e ocsp.certStatus \
		-e tls.handshake.extensions_alpn_str \
		2>/dev/null >"$T_TMP/$n.t"
	# the lab subnet: 34 for gen-keylog.sh (TLS over TCP), 47 for
	# gen-keylog-quic.sh (QUIC, whose CRYPTO frames tshark decodes as TLS)
	case $n in quic-*) net=47 ;; *) net=34 ;; esac
	want=$(python3 - "$T_TMP/$n.t" "$net" <<'PY'
import hashlib, json, subprocess, sys
srv, cli = "10.99.%s.2" % sys.argv[2], "10.99.%s.1" % sys.argv[2]
types = {srv: set(), cli: set()}
certs = {srv: None, cli: None}
ocsp = alpn = None
for line in open(sys.argv[1]):
    ip, ht, cs, st, al = line.rstrip("\n").split("|")
    if ip == srv and al and alpn is None:
        alpn = al.split(",")[0]
    if ip not in types:
        continue
    types[ip] |= set(ht.split(",")) if ht else set()
    if cs and certs[ip] is None:
        certs[ip] = cs.split(",")
    if st and ocsp is None:
        ocsp = {"0": "good", "1": "revoked", "2": "unknown"}[st.split(",")[0]]
def leaf(c):
    if not c:
        return [None, None, 0]
    der = bytes.fromhex(c[0])
    subj = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-subject", "-nameopt", "RFC2253"],
                          input=der, capture_output=True).stdout.decode().strip()
    return [hashlib.sha256(der).hexdigest(), subj.removeprefix("subject="), len(c)]
s, c = leaf(certs[srv]), leaf(certs[cli])
print(json.dumps([s[0], s[1], s[2], c[0], c[1], c[2], "13" in types[srv], ocsp, alpn], separators=(",", ":")))
PY
)
	got=$(jq -c '[.tls.certs[0].sha256, .tls.certs[0].subject, .tls.chain_len, .tls.client_certs[0].sha256, .tls.client_certs[0].subject, .tls.client_chain_len, .tls.cert_request, .tls.ocsp_status, .tls.alpn_selected]' "$T_TMP/$n.jsonl")
	t_is "$got" "$want" "$n: leaf SHA-256 and subject, chain lengths, CertificateRequest, OCSP, ALPN as tshark decodes them"
	# without the key log neither sees a Certificate
	tn=$(tshark -n -r "$f" -Y "tls.handshake.type == 11" 2>/dev/null | wc -l)
	"$WIREAUDIT" capture -q -r "$f" -d "$T_TMP/$n-no.db" 2>/dev/null
	en=$("$WIREAUDIT" export -d "$T_TMP/$n-no.db" | jq -c '[.tls.chain_len, .tls.handshake_decrypted]')
	t_is "$tn|$en" "0|[0,false]" "$n without the key log: no Certificate for tshark, none exported"
done
t_done
