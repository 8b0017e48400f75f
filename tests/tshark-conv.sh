# SPDX-License-Identifier: BSD-3-Clause
# tshark-conv.sh — tshark as an independent oracle for the flow table: for
# every capture under pcaps/, the set of TCP, UDP and ICMP conversations and
# each one's packet and byte counts per direction must equal wireaudit's
# export. tshark's per-frame fields are summed per tcp.stream / udp.stream
# rather than parsed from `-z conv,tcp`, whose byte columns switch to
# rounded "kB" units above 10 000 bytes. tshark has no ICMP stream: an ICMP
# or ICMPv6 message's conversation is its Community ID (the same request
# and reply pairs as our flow key, a one-way message per direction), its
# addresses those of the IP header right before the ICMP layer (an error
# message quotes another IP header after it).
# tshark's SNMP dissector is disabled here: it sets up a conversation of its
# own for the answer to a request (so that replies from another port are
# found), which gives the responses a new udp.stream, one 5-tuple counted as
# two conversations (pcaps/snmp/). The flow table is the question, not SNMP.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark

compare() { # compare PCAP
	local pcap=$1 name db
	name=$(basename "$pcap")
	db=$(t_capture "$pcap")
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl"
	tshark --enable-protocol communityid --disable-protocol snmp -r "$pcap" -T fields -E separator=/t -e frame.len \
		-e ip.src -e ipv6.src -e ip.dst -e ipv6.dst \
		-e tcp.stream -e tcp.srcport -e tcp.dstport \
		-e udp.stream -e udp.srcport -e udp.dstport \
		-e frame.protocols -e communityid \
		-Y "((tcp or udp) and not icmp and not icmpv6 or icmp or icmpv6) and not ip.flags.mf == 1 and not ip.frag_offset > 0 and not ipv6.fraghdr" \
		> "$T_TMP/$name.tsv" 2>/dev/null
	python3 - "$T_TMP/$name.tsv" "$T_TMP/$name.jsonl" <<'PY'
import json, sys
convs = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) < 11:
        continue
    flen, s4, s6, d4, d6, ts, tsp, tdp, us, usp, udp = f[:11]
    layers = f[11].split(":") if len(f) > 11 else []
    if "icmp" in layers or "icmpv6" in layers:
        # the ICMP message's own IP header: the last before the ICMP layer
        k = min(i for i, l in enumerate(layers) if l in ("icmp", "icmpv6"))
        ips = [l for l in layers[:k] if l in ("ip", "ipv6")]
        n = ips.count(ips[-1]) - 1
        sv, dv = (s6, d6) if ips[-1] == "ipv6" else (s4, d4)
        src, dst = sv.split(",")[n], dv.split(",")[n]
        c = convs.setdefault(("icmp", f[12]), {"tr": "icmp", "dirs": {}})
        d = c["dirs"].setdefault((src, dst), [0, 0])
        d[0] += 1
        d[1] += int(flen)
        continue
    # innermost header: the test tunnels carry IPv4 outside, so IPv6 wins
    src, dst = (s6 or s4).split(",")[-1], (d6 or d4).split(",")[-1]
    if ts:
        key, sp, dp, tr = ("tcp", ts), tsp, tdp, "tcp"
    elif us:
        key, sp, dp, tr = ("udp", us), usp, udp, "udp"
    else:
        continue
    c = convs.setdefault(key, {"tr": tr, "dirs": {}})
    d = c["dirs"].setdefault((src, int(sp.split(",")[-1]), dst, int(dp.split(",")[-1])), [0, 0])
    d[0] += 1
    d[1] += int(flen)
ours = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r["transport"] in ("icmp", "icmp6"):
        ours[("icmp", r["community_id"])] = r
        continue
    k = (r["transport"], r["client_ip"], r["client_port"], r["server_ip"], r["server_port"])
    ours[k] = r
bad = 0
for key, c in convs.items():
    dirs = c["dirs"]
    ends = list(dirs.keys())
    a = ends[0]
    if c["tr"] == "icmp":
        r = ours.get(key)
        if r is None:
            print("# tshark ICMP conversation %s not in export: %s" % (key, a)); bad += 1; continue
        c2s = dirs.get((r["client_ip"], r["server_ip"]), [0, 0])
        s2c = dirs.get((r["server_ip"], r["client_ip"]), [0, 0])
        got = [r["packets_c2s"], r["bytes_c2s"], r["packets_s2c"], r["bytes_s2c"]]
        want = [c2s[0], c2s[1], s2c[0], s2c[1]]
        if got != want:
            print("# flow %s: wireaudit %s tshark %s" % (r["flow_id"], got, want)); bad += 1
        continue
    cand = [(c["tr"], a[0], a[1], a[2], a[3]), (c["tr"], a[2], a[3], a[0], a[1])]
    r = next((ours[k] for k in cand if k in ours), None)
    if r is None:
        print("# tshark conversation %s not in export: %s" % (key, a)); bad += 1; continue
    c2s = dirs.get((r["client_ip"], r["client_port"], r["server_ip"], r["server_port"]), [0, 0])
    s2c = dirs.get((r["server_ip"], r["server_port"], r["client_ip"], r["client_port"]), [0, 0])
    got = [r["packets_c2s"], r["bytes_c2s"], r["packets_s2c"], r["bytes_s2c"]]
    want = [c2s[0], c2s[1], s2c[0], s2c[1]]
    if got != want:
        print("# flow %s: wireaudit %s tshark %s" % (r["flow_id"], got, want)); bad += 1
if len(ours) != len(convs):
    print("# flow count: wireaudit %d tshark %d" % (len(ours), len(convs))); bad += 1
print("# %d conversations compared" % len(convs))
sys.exit(1 if bad else 0)
PY
	t_ok $? "flows and per-direction counts equal tshark's: ${pcap#$SRCDIR/}"
}

find "$SRCDIR/pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' \) ! -path '*/malformed/*' | sort |
while read -r p; do compare "$p"; done > "$T_TMP/out"
cat "$T_TMP/out"
T_N=$(grep -c '^\(not \)\?ok ' "$T_TMP/out")
T_FAILED=$(grep -c '^not ok ' "$T_TMP/out")
t_done
