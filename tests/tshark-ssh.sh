# SPDX-License-Identifier: BSD-3-Clause
# tshark-ssh.sh — tshark as an independent oracle for the SSH dissector: for
# every SSH flow of pcaps/ssh/ (matched on the client port), compare with
# `wireaudit export`'s cleartext.details:
#   ssh.protocol           both identification strings ("SSH-" proto "-"
#                          software [" " comments], rebuilt from ours)
#   ssh.kex_algorithms ... the ten name-lists of each side's KEXINIT but the
#                          languages (ours: client_* / server_*)
#   ssh.first_kex_packet_follows
#   ssh.kex.hassh, ssh.kex.hasshserver
# tshark is told each server port is SSH (-d): it finds SSH on 22 only.
# Zero disagreements: one TAP line per capture, details on failure, and a
# last line with the number of facts compared.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark

total=0
for pcap in "$SRCDIR"/pcaps/ssh/*.pcap; do
	[ -f "$pcap" ] || continue
	name=$(basename "$pcap")
	db="$T_TMP/$name.db"
	"$WIREAUDIT" capture -q -r "$pcap" -d "$db" 2>/dev/null
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl" 2>/dev/null
	decode=()
	for port in $(jq -r 'select(.protocol == "ssh") | .server_port' "$T_TMP/$name.jsonl" | sort -u); do
		decode+=(-d "tcp.port==$port,ssh")
	done
	tshark -r "$pcap" "${decode[@]}" -Y "ssh.protocol || ssh.kex_algorithms" -T fields \
		-E occurrence=f -E separator=/t -e tcp.srcport -e tcp.dstport -e ssh.protocol \
		-e ssh.kex_algorithms -e ssh.server_host_key_algorithms \
		-e ssh.encryption_algorithms_client_to_server -e ssh.encryption_algorithms_server_to_client \
		-e ssh.mac_algorithms_client_to_server -e ssh.mac_algorithms_server_to_client \
		-e ssh.compression_algorithms_client_to_server -e ssh.compression_algorithms_server_to_client \
		-e ssh.first_kex_packet_follows -e ssh.kex.hassh -e ssh.kex.hasshserver \
		> "$T_TMP/$name.tshark" 2>/dev/null
	out=$(python3 - "$T_TMP/$name.jsonl" "$T_TMP/$name.tshark" <<'EOF'
import json, sys

LISTS = ["kex_algorithms", "host_key_algorithms", "ciphers_c2s", "ciphers_s2c",
         "macs_c2s", "macs_s2c", "compression_c2s", "compression_s2c"]
ours = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["protocol"] == "ssh":
        ours[r["client_port"]] = (r["server_port"], (r.get("cleartext") or {}).get("details") or {})
problems, compared, flows = [], 0, set()
def cmp(what, got, want):
    global compared
    compared += 1
    if got != want:
        problems.append("%s: ours %r, tshark %r" % (what, got, want))
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    sport, dport = int(f[0]), int(f[1])
    if sport in ours:
        cport, side = sport, "client"
    elif dport in ours:
        cport, side = dport, "server"
    else:
        problems.append("flow of client port %d/%d: tshark sees SSH, we do not" % (sport, dport))
        continue
    flows.add(cport)
    d = ours[cport][1]
    if f[2]:
        ident = "SSH-%s-%s" % (d.get(side + "_protocol"), d.get(side + "_software"))
        if side + "_comments" in d:
            ident += " " + d[side + "_comments"]
        cmp("%d %s ident" % (cport, side), ident, f[2])
    if f[3]:
        for i, k in enumerate(LISTS):
            cmp("%d %s_%s" % (cport, side, k), d.get(side + "_" + k), f[3 + i])
        cmp("%d %s first_kex_follows" % (cport, side), d.get(side + "_first_kex_follows"),
            f[11] in ("1", "True", "true"))
        if side == "client":
            cmp("%d hassh" % cport, d.get("hassh"), f[12])
        else:
            cmp("%d hassh_server" % cport, d.get("hassh_server"), f[13])
for cport in ours:
    if cport not in flows:
        problems.append("flow of client port %d: ours is ssh, tshark sees no SSH" % cport)
print("%d %d" % (len(flows), compared))
for p in problems:
    print(p)
EOF
)
	counts=$(printf '%s\n' "$out" | head -1)
	rest=$(printf '%s\n' "$out" | sed 1d)
	total=$((total + ${counts#* }))
	t_ok "$([ -z "$rest" ] && [ "${counts% *}" -gt 0 ]; echo $?)" \
		"$name: tshark agrees on ${counts% *} SSH flow(s), ${counts#* } facts"
	[ -n "$rest" ] && printf '%s\n' "$rest" | head -20 | sed 's/^/#   /'
done
t_ok "$([ "$total" -gt 0 ]; echo $?)" "tshark agreed on $total SSH facts in all"
t_done
