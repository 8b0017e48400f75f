#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tshark-syslog.sh — tshark as an independent oracle for the syslog
# dissector: for every syslog flow of pcaps/syslog/ (matched on the client
# port), compare with `wireaudit export`'s cleartext.details:
#   number of syslog PDUs    messages (each message of these captures is one
#                            datagram or one segment, as logger writes them)
#   first PDU's syslog.facility, syslog.level
#                            pri, facility and severity (RFC 5424 Tables 1, 2)
#   syslog.version           version, and format rfc5424 exactly when present
#   syslog.hostname          hostname
#   syslog.appname           app_name (tshark decodes it for RFC 5424 only)
# tshark decodes syslog on UDP 514; TCP ports are given with -d. It does not
# know RFC 6587 octet counting: such a PDU's syslog.msg starts with MSG-LEN,
# and no PRI is decoded, so for octet-counted flows only the count and
# MSG-LEN (equal to the bytes after it) are compared. The TLS capture must
# hold no syslog flow of ours and none of tshark's.
# Zero disagreements: one TAP line per capture, details on failure, and a
# last line with the number of facts compared.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark

total=0
for pcap in "$SRCDIR"/pcaps/syslog/*.pcap; do
	[ -f "$pcap" ] || continue
	name=$(basename "$pcap")
	db="$T_TMP/$name.db"
	"$WIREAUDIT" capture -q -r "$pcap" -d "$db" 2>/dev/null
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl" 2>/dev/null
	decode=()
	for port in $(jq -r 'select(.protocol == "syslog" and .transport == "tcp") | .server_port' "$T_TMP/$name.jsonl" | sort -u); do
		decode+=(-d "tcp.port==$port,syslog")
	done
	tshark -r "$pcap" "${decode[@]}" -Y syslog -T fields -E occurrence=f -E separator=/t \
		-e udp.srcport -e tcp.srcport -e syslog.facility -e syslog.level -e syslog.version \
		-e syslog.hostname -e syslog.appname -e syslog.msg \
		> "$T_TMP/$name.tshark" 2>/dev/null
	out=$(python3 - "$T_TMP/$name.jsonl" "$T_TMP/$name.tshark" <<'EOF'
import json, sys

FAC = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
       "authpriv", "ftp", "ntp", "audit", "alert", "clock"] + ["local%d" % i for i in range(8)]
SEV = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
ours = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["protocol"] == "syslog":
        ours[r["client_port"]] = (r.get("cleartext") or {}).get("details") or {}
theirs = {}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    port = int(f[0] or f[1])
    theirs.setdefault(port, []).append(f[2:])
problems, compared = [], 0
def cmp(what, got, want):
    global compared
    compared += 1
    if got != want:
        problems.append("%s: ours %r, tshark %r" % (what, got, want))
for port, pdus in theirs.items():
    if port not in ours:
        problems.append("client port %d: tshark sees syslog, we do not" % port)
        continue
    d = ours[port]
    cmp("%d messages" % port, d.get("messages"), len(pdus))
    fac, lev, ver, host, app, msg = pdus[0]
    if d.get("framing") == "octet_counting":
        for p in pdus:
            n, _, rest = p[5].partition(" ")
            cmp("%d MSG-LEN" % port, int(n), len(rest.encode()))
        continue
    cmp("%d pri" % port, d.get("pri"), int(fac) * 8 + int(lev))
    cmp("%d facility" % port, d.get("facility"), FAC[int(fac)])
    cmp("%d severity" % port, d.get("severity"), SEV[int(lev)])
    cmp("%d version" % port, d.get("version"), ver or None)
    cmp("%d format" % port, d.get("format"), "rfc5424" if ver else "rfc3164")
    cmp("%d hostname" % port, d.get("hostname"), host or None)
    if ver:
        cmp("%d app_name" % port, d.get("app_name"), app or None)
for port in ours:
    if port not in theirs:
        problems.append("client port %d: ours is syslog, tshark sees none" % port)
print(compared)
for p in problems:
    print(p)
EOF
)
	n=$(echo "$out" | head -1)
	total=$((total + ${n:-0}))
	if [ "$(echo "$out" | wc -l)" -eq 1 ]; then
		t_ok 0 "$name: $n facts agree with tshark"
	else
		echo "$out" | tail -n +2 | sed 's/^/# /'
		t_ok 1 "$name: disagreement with tshark"
	fi
done
echo "# $total facts compared"
t_done
