#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tshark-snmp.sh — tshark as an independent oracle for the SNMP dissector:
# for every SNMP flow of pcaps/snmp/ (matched on the client port), compare
# with `wireaudit export`:
#   snmp.version / snmp.msgVersion   cleartext.details.snmp_version
#   snmp.community                   snmp_community_present and
#                                    snmp_community_length (the longest);
#                                    the value itself is piped through and
#                                    never written anywhere
#   snmp.data (the PDU choice)       snmp_pdu_types, distinct, in order
#   number of messages               snmp_messages (the dissector reads 64)
#   snmp.msgFlags & 3, snmp.msgUserName   snmp_security_level (weakest among
#                                    messages with a user name) and user
#   security                         app_encrypted exactly for authPriv
# tshark decodes 161 and 162 as SNMP by itself. Zero disagreements: one TAP
# line per capture, details on failure, a last line with the facts compared.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark

total=0
for pcap in "$SRCDIR"/pcaps/snmp/*.pcap; do
	[ -f "$pcap" ] || continue
	name=$(basename "$pcap")
	db="$T_TMP/$name.db"
	"$WIREAUDIT" capture -q -r "$pcap" -d "$db" 2>/dev/null
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl" 2>/dev/null
	out=$(tshark -r "$pcap" -Y snmp -T fields -E occurrence=f -E separator=/t \
		-e udp.srcport -e udp.dstport -e snmp.version -e snmp.msgVersion -e snmp.community \
		-e snmp.data -e snmp.msgFlags -e snmp.msgUserName 2>/dev/null |
		python3 -c '
import json, sys

PDUS = ["get", "getnext", "response", "set", "trap", "getbulk", "inform", "trapv2", "report"]
LEVELS = ["noAuthNoPriv", "authNoPriv", "authPriv"]
MAX = 64
ours = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["protocol"] == "snmp":
        ours[r["client_port"]] = r
theirs = {}
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    sport, dport = int(f[0]), int(f[1])
    cport = sport if sport in ours else dport if dport in ours else None
    if cport is None:
        cport = dport if sport in (161, 162) else sport
    t = theirs.setdefault(cport, {"n": 0, "ver": None, "comm": False, "clen": 0, "pdus": [],
                                  "level": None, "user": None})
    t["n"] += 1
    if t["n"] > MAX:
        continue
    v = f[2] or f[3]
    t["ver"] = t["ver"] or {"0": "1", "1": "2c", "3": "3"}.get(v, v)
    if f[2] != "":
        t["comm"] = True
        t["clen"] = max(t["clen"], len(f[4].encode()))
    if f[5] != "" and PDUS[int(f[5])] not in t["pdus"]:
        t["pdus"].append(PDUS[int(f[5])])
    if f[6] != "" and f[7] != "":
        lvl = 2 if int(f[6], 16) & 2 else 1 if int(f[6], 16) & 1 else 0
        t["level"] = lvl if t["level"] is None else min(t["level"], lvl)
        t["user"] = t["user"] or f[7]
problems, compared = [], 0
def cmp(what, got, want):
    global compared
    compared += 1
    if got != want:
        problems.append("%s: ours %r, tshark %r" % (what, got, want))
for cport, t in theirs.items():
    if cport not in ours:
        problems.append("flow of client port %d: tshark sees SNMP, we do not" % cport)
        continue
    r = ours[cport]
    d = (r.get("cleartext") or {}).get("details") or {}
    cmp("%d version" % cport, d.get("snmp_version"), t["ver"])
    cmp("%d messages" % cport, d.get("snmp_messages"), min(t["n"], MAX))
    cmp("%d community_present" % cport, d.get("snmp_community_present"), t["comm"])
    cmp("%d community_length" % cport, d.get("snmp_community_length"), t["clen"] if t["comm"] else None)
    cmp("%d pdu_types" % cport, d.get("snmp_pdu_types"), t["pdus"] or None)
    lvl = LEVELS[t["level"]] if t["level"] is not None else None
    cmp("%d security_level" % cport, d.get("snmp_security_level"), lvl)
    cmp("%d user" % cport, (r.get("cleartext") or {}).get("user"), t["user"])
    cmp("%d security" % cport, r["security"] == "app_encrypted", lvl == "authPriv")
for cport in ours:
    if cport not in theirs:
        problems.append("flow of client port %d: ours is snmp, tshark sees no SNMP" % cport)
print("%d %d" % (len(theirs), compared))
for p in problems:
    print(p)
' "$T_TMP/$name.jsonl")
	counts=$(printf '%s\n' "$out" | head -1)
	rest=$(printf '%s\n' "$out" | sed 1d)
	total=$((total + ${counts#* }))
	t_ok "$([ -z "$rest" ] && [ "${counts% *}" -gt 0 ]; echo $?)" \
		"$name: tshark agrees on ${counts% *} SNMP flow(s), ${counts#* } facts"
	[ -n "$rest" ] && printf '%s\n' "$rest" | head -20 | sed 's/^/#   /'
done
t_ok "$([ "$total" -gt 0 ]; echo $?)" "tshark agreed on $total SNMP facts in all"
t_done
