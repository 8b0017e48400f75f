#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tshark-xmpp.sh — tshark as an independent oracle for the XMPP dissector
# (issue 18): for every XMPP flow of pcaps/xmpp/ (matched on the client
# port), compare what tshark's xmpp dissector decodes (PDML) with
# `wireaudit export`:
#   the client's first xmpp.stream: xmpp.xmlns      details.namespace
#     its attributes to, from, version              details.to, from, version
#   the server's first xmpp.stream: from, version   details.server_from, server_version
#   the first features: an xmpp.xmlns ...xmpp-tls  cleartext.tls_offered
#     its non-empty xmpp.cdata (the mechanisms)     details.auth_offered
#   xmpp.starttls from the client                   cleartext.tls_requested
#   xmpp.proceed                                    details.starttls_response
#                                                   "proceed", security starttls
#   xmpp.auth's xmpp.attribute mechanism            cleartext.auth_mechanism
#   xmpp.success / xmpp.failure after xmpp.auth     details.auth_result
# plus every flow tshark sees as XMPP is ours and the reverse, and the
# handed-off (or direct, 5223) TLS handshake's negotiated version
# (supported_versions, else the ServerHello's) and cipher suite agree with
# tshark's ServerHello. tshark's xmpp dissector has no hint for 5269: it is
# given one (-d tcp.port==5269,xmpp). Zero disagreements: one TAP line per capture, a last
# line with the number of facts compared.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark

total=0
for pcap in "$SRCDIR"/pcaps/xmpp/*.pcap; do
	[ -f "$pcap" ] || continue
	name=$(basename "$pcap")
	db="$T_TMP/$name.db"
	"$WIREAUDIT" capture -q -r "$pcap" -d "$db" 2>/dev/null
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl" 2>/dev/null
	tshark -r "$pcap" -d tcp.port==5269,xmpp -Y xmpp -T pdml > "$T_TMP/$name.pdml" 2>/dev/null
	tshark -r "$pcap" -d tcp.port==5269,xmpp -Y 'tls.handshake.type == 2' -T fields -E occurrence=f -E separator=/t \
		-e tcp.dstport -e tls.handshake.version -e tls.handshake.extensions.supported_version \
		-e tls.handshake.ciphersuite > "$T_TMP/$name.tls" 2>/dev/null
	out=$(python3 - "$T_TMP/$name.jsonl" "$T_TMP/$name.pdml" "$T_TMP/$name.tls" <<'EOF'
import json, sys
import xml.etree.ElementTree as ET

VERS = {0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
ours, tls = {}, {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["protocol"] == "xmpp":
        ours[r["client_port"]] = r
    if r.get("tls"):
        tls[r["client_port"]] = r["tls"]

def attrs(el):
    """tshark's xmpp.unknown_attr children: 'name: value [UNKNOWN ATTR]'."""
    a = {}
    for f in el.findall("field"):
        if f.get("name") == "xmpp.unknown_attr":
            k = f.get("show")
            v = f.get("showname")[len(k) + 2:].rsplit(" [UNKNOWN ATTR]", 1)[0]
            a[k] = v
        elif f.get("name") == "xmpp.xmlns" and f.get("showname").startswith("xmlns: "):
            a["xmlns"] = f.get("show")
    return a

flows = {}
for pkt in ET.parse(sys.argv[2]).getroot():
    sport = dport = None
    x = None
    for proto in pkt.findall("proto"):
        if proto.get("name") == "tcp":
            for f in proto.findall("field"):
                if f.get("name") == "tcp.srcport":
                    sport = int(f.get("show"))
                elif f.get("name") == "tcp.dstport":
                    dport = int(f.get("show"))
        elif proto.get("name") == "xmpp":
            x = proto
    if x is None:
        continue
    out = dport in (5222, 5269)  # client to server
    cport = sport if out else dport
    fl = flows.setdefault(cport, {"cs": None, "ss": None, "feat": None, "starttls": False,
                                  "proceed": False, "mech": None, "result": None})
    for f in x.iter("field"):
        n = f.get("name")
        if n == "xmpp.stream":
            k = "cs" if out else "ss"
            if fl[k] is None:
                fl[k] = attrs(f)
        elif n == "xmpp.unknown" and f.get("show") == "features" and not out and fl["feat"] is None:
            xm = [g.get("show") for g in f.iter("field") if g.get("name") == "xmpp.xmlns"]
            cd = [g.get("show") for g in f.iter("field") if g.get("name") == "xmpp.cdata" and g.get("show")]
            fl["feat"] = ("urn:ietf:params:xml:ns:xmpp-tls" in xm, cd)
        elif n == "xmpp.starttls" and out:
            fl["starttls"] = True
        elif n == "xmpp.proceed" and not out:
            fl["proceed"] = True
        elif n == "xmpp.auth" and out and fl["mech"] is None:
            for g in f.findall("field"):
                if g.get("name") == "xmpp.attribute" and g.get("showname").startswith("mechanism: "):
                    fl["mech"] = g.get("show")
        elif n in ("xmpp.success", "xmpp.failure") and not out and fl["mech"] and fl["result"] is None:
            fl["result"] = n[5:]

problems, compared = [], 0
def cmp(what, got, want):
    global compared
    compared += 1
    if got != want:
        problems.append("%s: ours %r, tshark %r" % (what, got, want))
for port, fl in flows.items():
    if port not in ours:
        problems.append("client port %d: tshark sees XMPP, we do not" % port)
        continue
    r = ours[port]
    ct = r.get("cleartext") or {}
    d = ct.get("details") or {}
    cs, ss = fl["cs"] or {}, fl["ss"] or {}
    cmp("%d namespace" % port, d.get("namespace"), cs.get("xmlns"))
    for k in ("to", "from", "version"):
        cmp("%d %s" % (port, k), d.get(k), cs.get(k))
    cmp("%d server_from" % port, d.get("server_from"), ss.get("from"))
    cmp("%d server_version" % port, d.get("server_version"), ss.get("version"))
    if fl["feat"] is not None:
        cmp("%d tls_offered" % port, ct.get("tls_offered"), fl["feat"][0])
        cmp("%d auth_offered" % port, d.get("auth_offered"), fl["feat"][1] or None)
    cmp("%d tls_requested" % port, ct.get("tls_requested"), fl["starttls"])
    cmp("%d starttls_response" % port, d.get("starttls_response") == "proceed", fl["proceed"])
    if fl["proceed"]:
        cmp("%d security" % port, r.get("security"), "starttls")
    cmp("%d auth_mechanism" % port, ct.get("auth_mechanism"), fl["mech"])
    cmp("%d auth_result" % port, d.get("auth_result"), fl["result"])
for port in ours:
    if port not in flows:
        problems.append("client port %d: ours is XMPP, tshark sees none" % port)
for line in open(sys.argv[3]):
    port, legacy, sv, suite = line.rstrip("\n").split("\t")
    t = tls.get(int(port))
    if t is None:
        problems.append("client port %s: tshark sees a ServerHello, we see no TLS" % port)
        continue
    cmp("%s tls version" % port, t.get("version"), VERS.get(int(sv or legacy, 16)))
    cmp("%s cipher" % port, t.get("cipher_id"), int(suite, 16))
print(compared)
for p in problems:
    print(p)
EOF
)
	n=$(echo "$out" | head -1)
	total=$((total + ${n:-0}))
	if [ "$(echo "$out" | wc -l)" -eq 1 ] && [ "${n:-0}" -gt 0 ]; then
		t_ok 0 "$name: $n facts agree with tshark"
	else
		echo "$out" | tail -n +2 | sed 's/^/# /'
		t_ok 1 "$name: disagreement with tshark (or nothing compared)"
	fi
done
t_is "$(jq -r '.protocol' "$T_TMP/xmpp-direct-tls.pcap.jsonl" | sort -u | tr '\n' ' ')" "tls " \
	"5223 (XEP-0368): the TLS dissector's flow, no XMPP flow of ours"
t_is "$total" 120 "120 facts compared over the nine captures"
t_done
