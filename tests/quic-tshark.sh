# SPDX-License-Identifier: BSD-3-Clause
# quic-tshark.sh — tshark (which decrypts QUIC Initials itself) as an
# independent oracle for the QUIC dissector: for every capture in
# pcaps/quic/, each ClientHello and ServerHello tshark finds in an Initial
# packet must agree with wireaudit's export of that flow (keyed by the client
# port): SNI, ALPN list, offered cipher suites, negotiated cipher suite and
# QUIC version (drafts by their number, draft-29 = 0xff00001d); and each
# Version Negotiation tshark finds: the versions the server offered. Each capture must give at least one
# comparison.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark

for pcap in "$SRCDIR"/pcaps/quic/*.pcap; do
	name=$(basename "$pcap")
	db=$(t_capture "$pcap")
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl"
	tshark -r "$pcap" -T fields -E separator=/t -E occurrence=a -E aggregator=, \
		-e udp.srcport -e udp.dstport -e quic.version -e tls.handshake.type \
		-e tls.handshake.extensions_server_name -e tls.handshake.extensions_alpn_str \
		-e tls.handshake.ciphersuite \
		-Y "quic and (tls.handshake.type == 1 or tls.handshake.type == 2)" \
		> "$T_TMP/$name.tsv" 2>/dev/null
	tshark -r "$pcap" -T fields -E separator=/t -E occurrence=a -E aggregator=, \
		-e udp.srcport -e udp.dstport -e quic.version -e quic.supported_version \
		-Y "quic.version == 0" > "$T_TMP/$name.vn.tsv" 2>/dev/null
	out=$(python3 - "$T_TMP/$name.tsv" "$T_TMP/$name.jsonl" "$T_TMP/$name.vn.tsv" <<'PY'
import json, sys
flows = {}
for line in open(sys.argv[2]):
    if line.startswith("#"):
        continue
    r = json.loads(line)
    flows[r["client_port"]] = r
n, bad = 0, []
for line in open(sys.argv[1]):
    sport, dport, ver, types, sni, alpn, suites = (line.rstrip("\n").split("\t") + [""] * 7)[:7]
    hs = types.split(",")
    cport = int(dport) if sport == "443" else int(sport)
    t = (flows.get(cport) or {}).get("tls") or {}
    q = t.get("quic") or {}
    v0 = ver.split(",")[0]
    want_ver = {"0x00000001": "QUICv1", "0x6b3343cf": "QUICv2"}.get(v0, v0)
    if v0.startswith("0xff0000"):
        want_ver = "draft-%d" % int(v0[-2:], 16)
    if "1" in hs:
        n += 1
        got = (t.get("sni") or "", ",".join(t.get("alpn") or []),
               ",".join("0x%04x" % c for c in t.get("client_ciphers") or []), q.get("version"))
        want = (sni, alpn, suites, want_ver)
        if got != want:
            bad.append("port %d ClientHello: got %s want %s" % (cport, got, want))
    if "2" in hs:
        n += 1
        cid = t.get("cipher_id")
        got = ("0x%04x" % cid if cid is not None else None, q.get("server_version"))
        want = (suites.split(",")[-1], want_ver)
        if got != want:
            bad.append("port %d ServerHello: got %s want %s" % (cport, got, want))
# Version Negotiation: the server's list
for line in open(sys.argv[3]):
    sport, dport, ver, supported = (line.rstrip("\n").split("\t") + [""] * 4)[:4]
    if sport != "443":
        continue
    q = ((flows.get(int(dport)) or {}).get("tls") or {}).get("quic") or {}
    n += 1
    got = (q.get("version_negotiation"), ",".join(q.get("vn_versions") or []))
    want = (True, supported)
    if got != want:
        bad.append("port %s Version Negotiation: got %s want %s" % (dport, got, want))
print(n)
for b in bad:
    print("#   " + b)
PY
)
	count=$(echo "$out" | head -1)
	if [ "$count" -gt 0 ] && ! echo "$out" | grep -q '^#'; then
		t_ok 0 "$name: $count hellos agree with tshark"
	else
		t_ok 1 "$name: $count hellos compared"
		echo "$out" | tail -n +2
	fi
done
t_done
