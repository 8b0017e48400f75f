#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# live.sh — the live drop-free rate, behind `make bench-live` (root; not in
# make check; docs/PERFORMANCE.md, issue 13).
#
# Two network namespaces joined by a veth pair (offloads off); tcpreplay
# sends a slice of the benchmark capture into one end at a fixed packet rate
# and the tool under test captures on the other end. The drop-free rate is
# the highest rate at which the capture's kernel drop counter (pcap_stats
# ps_drop, stored by wireaudit as runs.drops) stays 0 and every packet sent
# was seen (ndpiReader 4.2 prints no drop counter: its packet total is
# compared with what was sent). Rates double from --start
# until a run drops, then bisect between the last clean and the first
# dropping rate (--steps times).
#
# Usage: live.sh WIREAUDIT [PCAP] [PACKETS]
#   PCAP     default /tmp/wireaudit-bench.pcap (make bench makes it)
#   PACKETS  the slice replayed per trial (default 0: the whole file). It
#            must be much larger than the capture buffers (wireaudit's 64 MB
#            ring), or every rate looks drop-free: a burst that fits the
#            buffer is never dropped.
# Environment: START (pps, default 200000), STEPS (default 4), TOOLS
# (default "wireaudit wireaudit-2workers wireaudit-1thread ndpiReader";
# wireaudit is the default, wireaudit-1worker and -2workers `capture
# --workers 1` and `--workers 2`, wireaudit-1thread one worker without the
# store writer thread); CPU_ONLY=1 skips the search for the drop-free rate
# and prints only the CPU table (CPU_RATE below). tcpreplay loads the slice
# into memory first (--preload-pcap): reading the file would slow the
# sender, not the capture.
set -u
W=$(readlink -f "${1:?usage: live.sh WIREAUDIT [PCAP] [PACKETS]}")
PCAP=${2:-/tmp/wireaudit-bench.pcap}
N=${3:-0}
START=${START:-200000}
STEPS=${STEPS:-4}
TOOLS=${TOOLS:-"wireaudit wireaudit-2workers wireaudit-1thread ndpiReader"}
[ "$(id -u)" -eq 0 ] || { echo "live.sh: needs root (network namespaces)"; exit 77; }
for t in tcpreplay editcap ip ethtool; do
	command -v $t >/dev/null || { echo "live.sh: $t missing (tools/install-deps)"; exit 77; }
done
[ -f "$PCAP" ] || { echo "live.sh: $PCAP missing: run make bench first"; exit 2; }

TX=wa_live_tx RX=wa_live_rx
TMP=$(mktemp -d /tmp/wa-live.XXXXXX)
cleanup() { ip netns del $TX 2>/dev/null; ip netns del $RX 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
cleanup 2>/dev/null; TMP=$(mktemp -d /tmp/wa-live.XXXXXX)
ip netns add $TX && ip netns add $RX || exit 1
ip link add va netns $TX type veth peer name vb netns $RX || exit 1
for ns in $TX:va $RX:vb; do
	n=${ns%%:*} d=${ns##*:}
	ip -n "$n" link set "$d" mtu 9000 up
	ip netns exec "$n" ethtool -K "$d" tso off gso off gro off tx off rx off >/dev/null 2>&1
done
if [ "$N" -gt 0 ]; then
	editcap -F pcap -r "$PCAP" "$TMP/slice.pcap" "1-$N" || exit 1
else
	ln -s "$(readlink -f "$PCAP")" "$TMP/slice.pcap"
fi
SENT=$(capinfos -c -M "$TMP/slice.pcap" | sed -n "s/.*Number of packets: *//p")

# one trial: TOOL RATE -> prints "seen dropped"
trial() {
	local tool=$1 rate=$2 pid seen drops
	rm -f "$TMP"/t.db* "$TMP/n.out"
	case $tool in
	wireaudit) ip netns exec $RX "$W" capture -q -i vb -d "$TMP/t.db" & pid=$! ;;
	wireaudit-1worker) ip netns exec $RX "$W" capture -q --workers 1 -i vb -d "$TMP/t.db" & pid=$! ;;
	wireaudit-2workers) ip netns exec $RX "$W" capture -q --workers 2 -i vb -d "$TMP/t.db" & pid=$! ;;
	wireaudit-1thread) ip netns exec $RX "$W" capture -q --no-store-thread -i vb -d "$TMP/t.db" & pid=$! ;;
	ndpiReader) ip netns exec $RX ndpiReader -i vb > "$TMP/n.out" 2>&1 & pid=$! ;;
	esac
	sleep 1.5
	ip netns exec $TX tcpreplay --preload-pcap -i va --pps "$rate" "$TMP/slice.pcap" > "$TMP/r.out" 2>&1
	sleep 1.5
	# the tool's CPU time so far, all threads (utime + stime, in ticks;
	# ip netns exec execs the tool: same pid)
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$pid/stat" > "$TMP/cpu" 2>/dev/null
	kill -INT $pid; wait $pid 2>/dev/null
	case $tool in
	wireaudit*) seen=$(sqlite3 "$TMP/t.db" 'SELECT packets FROM runs'); drops=$(sqlite3 "$TMP/t.db" 'SELECT drops FROM runs') ;;
	ndpiReader)
		# ndpiReader 4.2 prints no kernel drop counter: a packet it did
		# not count ("IP packets: N of M packets total") was dropped
		seen=$(sed -n 's/.* of \([0-9]*\) *packets total.*/\1/p' "$TMP/n.out" | head -1)
		drops=0 ;;
	esac
	# the rate tcpreplay reached (it may fall short of the one asked)
	got=$(sed -n 's/.*Mbps, *\([0-9.]*\) pps.*/\1/p' "$TMP/r.out" | head -1)
	echo "${seen:-0} ${drops:--1} ${got:-0}"
}

maxf() { python3 -c "print(max(float('$1'), float('$2')))"; }

clean() { # seen drops
	[ "$2" = 0 ] && [ "$1" -ge "$SENT" ]
}

# "highest clean rate reached": the fastest tcpreplay actually sent in a
# trial with no drop; when no rate dropped, the tool's drop-free rate is at
# least that (the sender, not the capture, was the limit)
echo "| tool | drop-free rate asked (packets/s) | highest clean rate reached by tcpreplay | first dropping rate asked | Mbit/s at that rate |"
echo "|---|---:|---:|---:|---:|"
BYTES=$(stat -L -c %s "$TMP/slice.pcap")
for tool in $TOOLS; do
	[ -n "${CPU_ONLY:-}" ] && break
	good=0 bad=0 r=$START reached=0
	while :; do
		set -- $(trial $tool $r)
		echo "# $tool $r pps asked, $3 reached: seen $1 of $SENT, dropped $2" >&2
		if clean "$1" "$2"; then good=$r; reached=$(maxf "$reached" "$3"); r=$((r * 2)); else bad=$r; break; fi
		[ $r -gt 4000000 ] && break
	done
	for _ in $(seq 1 "$STEPS"); do
		[ "$bad" -gt 0 ] || break
		r=$(((good + bad) / 2))
		set -- $(trial $tool $r)
		echo "# $tool $r pps asked, $3 reached: seen $1 of $SENT, dropped $2" >&2
		if clean "$1" "$2"; then good=$r; reached=$(maxf "$reached" "$3"); else bad=$r; fi
	done
	mbps=$(python3 -c "print(round($BYTES * 8 / ($SENT / max(float('$reached' or 0), 1)) / 1e6))")
	echo "| $tool | $good | $reached | $([ "$bad" -gt 0 ] && echo "$bad" || echo none) | $mbps |"
done

# What each tool's packet work costs, at one rate every tool keeps up with
# (CPU_RATE, default 150000 packets/s): CPU seconds of the tool (all its
# threads) for the whole slice, and per packet. On a machine whose sender
# shares the cores, this is the figure that says how far each would go
# with the cores to itself: cores needed = rate x CPU per packet.
CPU_RATE=${CPU_RATE:-150000}
echo
echo "| tool | CPU s for $SENT packets at $CPU_RATE packets/s | CPU µs per packet | packets seen | drops |"
echo "|---|---:|---:|---:|---:|"
for tool in $TOOLS; do
	set -- $(trial $tool $CPU_RATE)
	cpu=$(cat "$TMP/cpu" 2>/dev/null || echo 0)
	echo "# $tool at $CPU_RATE pps: $cpu CPU s, seen $1, dropped $2" >&2
	echo "| $tool | $cpu | $(python3 -c "print(round($cpu * 1e6 / max($1, 1), 2))") | $1 | $2 |"
done