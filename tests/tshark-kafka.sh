#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tshark-kafka.sh — tshark as an independent oracle for the Kafka dissector
# (issue 18): for every Kafka flow of pcaps/kafka/ (matched on the client
# port), compare what tshark's kafka dissector decodes (`-d
# tcp.port==9092,kafka`) with `wireaudit export`'s cleartext fields:
#   first request's kafka.api_key / .api_version / .correlation_id /
#   .client_id                      details.first_api_key, first_api_version,
#                                   correlation_id, client_id
#   every request's kafka.api_key   details.api_keys (the set), requests
#   responses                       details.responses
#   kafka.error of the ApiVersions, SaslHandshake and last SaslAuthenticate
#   response                        details.api_versions_error,
#                                   sasl_handshake_error, sasl_authenticate_error
#   kafka.api_versions.api_key      details.api_versions_count (how many)
#   kafka.sasl_mechanism            details.sasl_mechanism (request),
#                                   sasl_mechanisms_enabled (response)
# After a SaslHandshake v0 the raw SASL token has no Kafka header: tshark
# reads it as a request of api key 97 and we stop there (sasl_raw_tokens),
# so such a flow is compared up to the handshake's response.
# The SSL capture on 9093 holds no Kafka flow of ours or tshark's, and its
# negotiated version and suite agree with tshark's ServerHello.
# Zero disagreements: one TAP line per capture, details on failure, and a
# last line with the number of facts compared.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark

total=0
for pcap in "$SRCDIR"/pcaps/kafka/*.pcap; do
	[ -f "$pcap" ] || continue
	name=$(basename "$pcap")
	db="$T_TMP/$name.db"
	"$WIREAUDIT" capture -q -r "$pcap" -d "$db" 2>/dev/null
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl" 2>/dev/null
	tshark -r "$pcap" -d tcp.port==9092,kafka -Y kafka -T fields -E occurrence=a -E aggregator=, \
		-E separator=/t -e tcp.srcport -e tcp.dstport -e kafka.api_key -e kafka.api_version \
		-e kafka.correlation_id -e kafka.client_id -e kafka.error -e kafka.sasl_mechanism \
		-e kafka.api_versions.api_key > "$T_TMP/$name.tshark" 2>/dev/null
	tshark -r "$pcap" -Y 'tls.handshake.type == 2' -T fields -E occurrence=f -E separator=/t \
		-e tcp.dstport -e tls.handshake.version -e tls.handshake.extensions.supported_version \
		-e tls.handshake.ciphersuite > "$T_TMP/$name.tls" 2>/dev/null
	out=$(python3 - "$T_TMP/$name.jsonl" "$T_TMP/$name.tshark" "$T_TMP/$name.tls" <<'EOF'
import json, sys

VERS = {0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
ours, tls = {}, {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["protocol"] == "kafka":
        ours[r["client_port"]] = (r.get("cleartext") or {}).get("details") or {}
    if r.get("tls"):
        tls[r["client_port"]] = r["tls"]
msgs = {}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    f += [""] * (9 - len(f))
    if not f[2]:
        continue  # a segment tshark could not read as a message (the raw SASL token's rest)
    req = f[1] == "9092"
    port = int(f[0] if req else f[1])
    msgs.setdefault(port, []).append(dict(req=req, key=int(f[2]), ver=f[3], corr=int(f[4]),
                                          cid=f[5], err=f[6], mech=f[7], avk=f[8]))
n, bad = 0, []
def eq(what, a, b):
    global n
    n += 1
    if a != b:
        bad.append("%s: ours %r tshark %r" % (what, a, b))
eq("kafka flows (client ports)", sorted(ours), sorted(msgs))
for port, d in sorted(ours.items()):
    ms = msgs.get(port, [])
    if d.get("sasl_raw_tokens"):
        i = next(i for i, m in enumerate(ms) if not m["req"] and m["key"] == 17)
        ms = ms[:i + 1]
    reqs = [m for m in ms if m["req"]]
    resps = [m for m in ms if not m["req"]]
    p = "port %d " % port
    if not reqs:
        bad.append(p + "no request in tshark")
        continue
    r0 = reqs[0]
    eq(p + "first api key", d.get("first_api_key"), r0["key"])
    eq(p + "first api version", d.get("first_api_version"), int(r0["ver"]))
    eq(p + "correlation id", d.get("correlation_id"), r0["corr"])
    eq(p + "client id", d.get("client_id"), r0["cid"] or None)
    eq(p + "api keys", d.get("api_keys"), ",".join(str(k) for k in sorted({m["key"] for m in reqs})))
    eq(p + "requests", d.get("requests"), len(reqs))
    eq(p + "responses", d.get("responses"), len(resps))
    for key, fld in ((18, "api_versions_error"), (17, "sasl_handshake_error"), (36, "sasl_authenticate_error")):
        rs = [m for m in resps if m["key"] == key]
        eq(p + fld, d.get(fld), int(rs[-1]["err"]) if rs else None)
    rs = [m for m in resps if m["key"] == 18]
    eq(p + "api_versions_count", d.get("api_versions_count"),
       len(rs[0]["avk"].split(",")) if rs and rs[0]["avk"] else None)
    hs = [m for m in reqs if m["key"] == 17]
    eq(p + "sasl_mechanism", d.get("sasl_mechanism"), hs[0]["mech"] if hs else None)
    hs = [m for m in resps if m["key"] == 17]
    eq(p + "sasl_mechanisms_enabled", d.get("sasl_mechanisms_enabled"),
       hs[0]["mech"].split(",") if hs else None)
for line in open(sys.argv[3]):
    f = line.rstrip("\n").split("\t")
    port = int(f[0])
    want_v = VERS.get(int(f[2] or f[1], 16))
    t = tls.get(port) or {}
    eq("tls port %d version" % port, t.get("version"), want_v)
    eq("tls port %d suite" % port, t.get("cipher_id"), int(f[3], 16))
print(n)
for b in bad:
    print(b)
EOF
)
	facts=$(echo "$out" | head -1)
	rest=$(echo "$out" | tail -n +2)
	total=$((total + ${facts:-0}))
	if [ -z "$rest" ] && [ "${facts:-0}" -gt 0 ]; then
		t_ok 0 "$name: $facts facts agree with tshark"
	else
		t_ok 1 "$name: disagreements"
		echo "$rest" | sed 's/^/# /'
	fi
done
t_is "$([ "$total" -ge 70 ] && echo yes)" yes "facts compared: $total"
t_done
