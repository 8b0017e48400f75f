#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tshark-vnc.sh — tshark (4.0) as an independent oracle for the VNC / RFB
# dissector: for every VNC flow of pcaps/vnc/ (matched on the client port),
# compare with `wireaudit export`:
#   vnc.server_proto_ver / client_proto_ver   vnc_server_version / _client_
#   vnc.security_type (the 3.7+ list)          vnc_security_types (names,
#                                              turned back into numbers)
#   vnc.client_security_type (3.7+) or
#   vnc.server_security_type (3.3)             vnc_security_type_id
#   vnc.auth_result, vnc.auth_error            vnc_security_result, _reason
#   vnc.vencrypt_server_major/minor_ver        vnc_vencrypt_version
#   vnc.vencrypt_auth_type (server list,       vnc_vencrypt_subtypes,
#                           client choice)     vnc_vencrypt_subtype
#   vnc.desktop_name                           vnc_desktop_name
#   ServerHello after a VeNCrypt TLS/X509 sub-type: the negotiated version
#   (supported_versions, else the legacy one) and the cipher suite against
#   tls.version / tls.cipher_id (tshark hands off to TLS as we do)
# tshark 4.0 expects a u8 acknowledgement after every VeNCrypt sub-type;
# TigerVNC sends none after Plain (pcaps/vnc/README.md), so after a Plain
# choice tshark reads the SecurityResult's first byte as that ack and
# decodes no result: the result is compared only where tshark has one.
# Zero disagreements: one TAP line per capture, details on failure, a last
# line with the facts compared.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark

total=0
for pcap in "$SRCDIR"/pcaps/vnc/*.pcap; do
	[ -f "$pcap" ] || continue
	name=$(basename "$pcap")
	db="$T_TMP/$name.db"
	"$WIREAUDIT" capture -q -r "$pcap" -d "$db" 2>/dev/null
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl" 2>/dev/null
	out=$(tshark -r "$pcap" -Y 'vnc or tls.handshake.type == 2' -T fields -E separator=/t -E aggregator=, \
		-E occurrence=a -e tcp.srcport -e tcp.dstport -e vnc.server_proto_ver -e vnc.client_proto_ver \
		-e vnc.security_type -e vnc.server_security_type -e vnc.client_security_type -e vnc.auth_result \
		-e vnc.auth_error -e vnc.vencrypt_server_major_ver -e vnc.vencrypt_server_minor_ver \
		-e vnc.vencrypt_auth_type -e vnc.desktop_name -e tls.handshake.type -e tls.handshake.version \
		-e tls.handshake.extensions.supported_version -e tls.handshake.ciphersuite 2>/dev/null |
		python3 -c '
import json, sys

# numbers of the names the export uses (IANA RFB registry; VeNCrypt sub-types)
NUM = {"None": 1, "VNC Authentication": 2, "Tight": 16, "VeNCrypt": 19, "Plain": 256, "TLSNone": 257,
       "TLSVnc": 258, "TLSPlain": 259, "X509None": 260, "X509Vnc": 261, "X509Plain": 262}
TLSV = {"0x0303": "TLSv1.2", "0x0304": "TLSv1.3"}
ours = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["protocol"] == "vnc":
        ours[r["client_port"]] = r
theirs = {}
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    sport, dport = int(f[0]), int(f[1])
    cport, s2c = (dport, True) if sport in (5900, 5901) else (sport, False)
    t = theirs.setdefault(cport, {})
    if f[2]: t.setdefault("sver", f[2])
    if f[3]: t.setdefault("cver", f[3])
    if f[4]: t.setdefault("types", [int(x) for x in f[4].split(",")])
    if f[5]: t.setdefault("chosen", int(f[5]))
    if f[6]: t.setdefault("chosen", int(f[6]))
    if f[7]: t.setdefault("result", "ok" if f[7] in ("0", "False") else "failed")
    if f[8]: t.setdefault("reason", f[8])
    if f[9] and f[10]: t.setdefault("vver", "%s.%s" % (f[9], f[10]))
    if f[11]:
        v = [int(x) for x in f[11].split(",")]
        t.setdefault("subtypes" if s2c else "subtype", v if s2c else v[0])
    if f[12]: t.setdefault("name", f[12])
    if "2" in f[13].split(","):
        t["tlsver"] = TLSV.get(f[15] or f[14].split(",")[0])
        t["cipher"] = int(f[16], 16)
problems, compared = [], 0
def cmp(what, got, want):
    global compared
    compared += 1
    if got != want:
        problems.append("%s: ours %r, tshark %r" % (what, got, want))
for cport, t in theirs.items():
    if cport not in ours:
        problems.append("flow of client port %d: tshark sees VNC, we do not" % cport)
        continue
    r = ours[cport]
    d = (r.get("cleartext") or {}).get("details") or {}
    tls = r.get("tls") or {}
    cmp("%d server version" % cport, d.get("vnc_server_version"), t.get("sver"))
    cmp("%d client version" % cport, d.get("vnc_client_version"), t.get("cver"))
    cmp("%d types offered" % cport, [NUM.get(x, x) for x in d.get("vnc_security_types") or []] or None,
        t.get("types"))
    cmp("%d type chosen" % cport, d.get("vnc_security_type_id"), t.get("chosen"))
    if "result" in t:
        cmp("%d security result" % cport, d.get("vnc_security_result"), t["result"])
        cmp("%d failure reason" % cport, d.get("vnc_failure_reason"), t.get("reason"))
    cmp("%d VeNCrypt version" % cport, d.get("vnc_vencrypt_version"), t.get("vver"))
    cmp("%d VeNCrypt sub-types" % cport,
        [NUM.get(x, x) for x in d.get("vnc_vencrypt_subtypes") or []] or None, t.get("subtypes"))
    cmp("%d VeNCrypt sub-type" % cport, NUM.get(d.get("vnc_vencrypt_subtype")), t.get("subtype"))
    cmp("%d desktop name" % cport, d.get("vnc_desktop_name"), t.get("name"))
    cmp("%d TLS version" % cport, tls.get("version"), t.get("tlsver"))
    cmp("%d TLS cipher" % cport, tls.get("cipher_id"), t.get("cipher"))
for cport in ours:
    if cport not in theirs:
        problems.append("flow of client port %d: ours is vnc, tshark sees no VNC" % cport)
print("%d %d" % (len(theirs), compared))
for p in problems:
    print(p)
' "$T_TMP/$name.jsonl")
	counts=$(printf '%s\n' "$out" | head -1)
	rest=$(printf '%s\n' "$out" | sed 1d)
	total=$((total + ${counts#* }))
	t_ok "$([ -z "$rest" ] && [ "${counts% *}" -gt 0 ]; echo $?)" \
		"$name: tshark agrees on ${counts% *} VNC flow(s), ${counts#* } facts"
	[ -n "$rest" ] && printf '%s\n' "$rest" | head -20 | sed 's/^/#   /'
done
t_ok "$([ "$total" -gt 0 ]; echo $?)" "tshark agreed on $total VNC facts in all"
t_done
