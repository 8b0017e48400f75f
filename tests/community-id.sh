# SPDX-License-Identifier: BSD-3-Clause
# community-id.sh — every flow's Community ID v1 (issue 15;
# src/common/community_id.h) against tshark's own implementation
# (`--enable-protocol communityid`), on every capture in pcaps/: IPv4 and
# IPv6, TCP, UDP (QUIC), ICMP and ICMPv6, VLAN, QinQ, GRE, VXLAN, ERSPAN and the other
# link types. For each capture, every flow's value in the export must be
# one tshark computed for a packet of that capture (a SHA-1 of the
# ordered 5-tuple: equal values are the same flow); the export's field and
# the CSV column; a seed (`--community-id-seed`) as tshark's
# `communityid.seed`; a known value pinned.
# ICMP and ICMPv6 flows (pcaps/icmp/: echo, unreachable quoting UDP and
# TCP, time exceeded quoting an echo, redirects, neighbour discovery, MLD)
# are held to more: the packets tshark gives a value (the outer message's
# type and code, mapped as the specification says) must be exactly the
# packets of our flows with that value, and no ICMP message tshark
# computed one for may lack a flow.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark jq
tshark --enable-protocol communityid -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -c 1 -T fields -e communityid \
	>/dev/null 2>&1 || { echo "1..0 # SKIP this tshark has no communityid"; exit 0; }

flows=0 files=0 bad=0 nulls=0 icmp=0 icmp_bad=0
# fragments carry no flow (counted and skipped by decode): not tshark's
# reassembled message either
NOFRAG='not ip.flags.mf == 1 and not ip.frag_offset > 0 and not ipv6.fraghdr'

for f in $(cd "$SRCDIR" && find pcaps -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.pcap.gz' \) | sort); do
	db=$T_TMP/c.db
	rm -f "$db"*
	"$WIREAUDIT" capture -q -r "$SRCDIR/$f" -d "$db" 2>/dev/null
	"$WIREAUDIT" export -d "$db" | jq -r '.community_id // "null"' > "$T_TMP/w"
	tshark --enable-protocol communityid -r "$SRCDIR/$f" -T fields -e communityid 2>/dev/null |
		tr ',' '\n' | sort -u > "$T_TMP/t"
	n=$(wc -l < "$T_TMP/w")
	[ "$n" -gt 0 ] || continue
	files=$((files + 1))
	flows=$((flows + n))
	nulls=$((nulls + $(grep -c '^null$' "$T_TMP/w")))
	m=$(sort -u "$T_TMP/w" | comm -23 - "$T_TMP/t" | wc -l)
	if [ "$m" -gt 0 ]; then
		bad=$((bad + m))
		echo "# $f: $m value(s) tshark did not compute: $(sort -u "$T_TMP/w" | comm -23 - "$T_TMP/t" | head -3 | tr '\n' ' ')"
	fi
	# ICMP: "VALUE PACKETS" per value, ours summed over flows, tshark's
	# counted over the messages (one value per message: the outer one)
	"$WIREAUDIT" export -d "$db" |
		jq -r 'select(.transport == "icmp" or .transport == "icmp6") | "\(.community_id) \(.packets_c2s + .packets_s2c)"' |
		awk '{n[$1] += $2} END {for (v in n) print v, n[v]}' | sort > "$T_TMP/wi"
	tshark --enable-protocol communityid -r "$SRCDIR/$f" -Y "(icmp or icmpv6) and $NOFRAG" \
		-T fields -e communityid 2>/dev/null | awk '{n[$1]++} END {for (v in n) print v, n[v]}' | sort > "$T_TMP/ti"
	icmp=$((icmp + $(wc -l < "$T_TMP/wi")))
	if ! cmp -s "$T_TMP/wi" "$T_TMP/ti"; then
		icmp_bad=$((icmp_bad + 1))
		echo "# $f: ICMP values and packets differ from tshark's (ours <, tshark's >):"
		diff "$T_TMP/wi" "$T_TMP/ti" | grep '^[<>]' | head -6 | sed 's/^/#   /'
	fi
done
t_is "$bad" 0 "every flow's Community ID is tshark's ($flows flows in $files captures)"
t_is "$nulls" 0 "no flow without one"
t_ok $(( flows < 200 )) "at least 200 flows compared ($flows)"
t_is "$icmp_bad" 0 "ICMP/ICMPv6: each value's packets are tshark's, no message without a flow ($icmp values)"
t_ok $(( icmp < 15 )) "at least 15 ICMP/ICMPv6 flow values compared ($icmp)"

S=$SRCDIR/pcaps/sample/http-mixed.pcap
"$WIREAUDIT" capture -q -r "$S" -d "$T_TMP/s7.db" --community-id-seed 7
"$WIREAUDIT" export -d "$T_TMP/s7.db" | jq -r '.community_id' | sort -u > "$T_TMP/w7"
tshark --enable-protocol communityid -o communityid.seed:7 -r "$S" -T fields -e communityid 2>/dev/null | sort -u > "$T_TMP/t7"
t_is "$(comm -23 "$T_TMP/w7" "$T_TMP/t7" | wc -l)|$(wc -l < "$T_TMP/w7")" "0|$(sort -u "$T_TMP/w7" | wc -l)" \
	"--community-id-seed 7: tshark's values with communityid.seed 7"
"$WIREAUDIT" capture -q -r "$S" -d "$T_TMP/s0.db"
t_is "$(comm -12 "$T_TMP/w7" <("$WIREAUDIT" export -d "$T_TMP/s0.db" | jq -r '.community_id' | sort -u) | wc -l)" 0 \
	"…and none equal to the seed-0 values"
# a value pinned (tshark 4.0 computed it for this flow of the sample)
t_is "$("$WIREAUDIT" export -d "$T_TMP/s0.db" | jq -r 'select(.client_port == 60326) | .community_id')" \
	"1:f4L1yKQ+qNLkM3ERa7LJmv39elY=" "10.99.21.1:60326 -> 10.99.21.2:80 TCP"
t_is "$("$WIREAUDIT" export -d "$T_TMP/s0.db" --format csv | head -1 | tr -d '\r' | awk -F, '{print $(NF-1)}')" \
	"community_id" "CSV: the column before flow_uid, the last"
t_is "$("$WIREAUDIT" export -d "$T_TMP/s0.db" --format csv | sed -n 2p | tr -d '\r' | awk -F, '{print $(NF-1)}')" \
	"$("$WIREAUDIT" export -d "$T_TMP/s0.db" | head -1 | jq -r .community_id)" "CSV: the same value as the JSON record"
"$WIREAUDIT" capture -q -r "$S" -d "$T_TMP/x.db" --community-id-seed 65536 2>"$T_TMP/e"
t_is "$?" 2 "--community-id-seed 65536: exit 2"
t_done
