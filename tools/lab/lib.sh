# SPDX-License-Identifier: BSD-3-Clause
# lib.sh — shared helpers for the capture lab: two network namespaces joined
# by a veth pair, offloads off so every packet on the wire is MTU-sized, and
# tcpdump on the client side. Sourced by tools/lab/*.sh; needs root, iproute2,
# ethtool, tcpdump.
#
#   lab_up NAME            create namespaces ${NAME}c (client, 10.99.N.1) and
#                          ${NAME}s (server, 10.99.N.2); N from LAB_NET (default 7)
#   lab_c CMD...           run CMD in the client namespace
#   lab_s CMD...           run CMD in the server namespace
#   lab_capture_start FILE [BPF]   start tcpdump on the client veth
#   lab_capture_stop       stop it and wait until the file is complete
#   lab_down               kill everything in both namespaces and delete them
#
# Addresses are private and exist only inside the namespaces this script
# makes; nothing is sent anywhere else.

set -eu
LAB_NET=${LAB_NET:-7}
LAB_C_IP=10.99.${LAB_NET}.1
LAB_S_IP=10.99.${LAB_NET}.2
LAB_C_IP6=fd00:99:${LAB_NET}::1
LAB_S_IP6=fd00:99:${LAB_NET}::2

lab_up() {
	LAB_NAME=$1
	LAB_C=${LAB_NAME}c
	LAB_S=${LAB_NAME}s
	lab_down 2>/dev/null || true
	ip netns add "$LAB_C"
	ip netns add "$LAB_S"
	ip link add "${LAB_NAME}0" type veth peer name "${LAB_NAME}1"
	ip link set "${LAB_NAME}0" netns "$LAB_C"
	ip link set "${LAB_NAME}1" netns "$LAB_S"
	ip -n "$LAB_C" addr add "$LAB_C_IP/24" dev "${LAB_NAME}0"
	ip -n "$LAB_S" addr add "$LAB_S_IP/24" dev "${LAB_NAME}1"
	ip -n "$LAB_C" -6 addr add "$LAB_C_IP6/64" dev "${LAB_NAME}0" nodad
	ip -n "$LAB_S" -6 addr add "$LAB_S_IP6/64" dev "${LAB_NAME}1" nodad
	for ns in "$LAB_C" "$LAB_S"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$LAB_C" link set "${LAB_NAME}0" up
	ip -n "$LAB_S" link set "${LAB_NAME}1" up
	# Offloads off: with TSO/GRO on, tcpdump sees 64 KiB super-segments that
	# never cross a real wire.
	for pair in "$LAB_C ${LAB_NAME}0" "$LAB_S ${LAB_NAME}1"; do
		set -- $pair
		ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
	done
	# Fixed MAC addresses so regenerated captures differ only where traffic does.
	ip -n "$LAB_C" link set "${LAB_NAME}0" address 02:00:00:00:${LAB_NET}:01 2>/dev/null || true
	ip -n "$LAB_S" link set "${LAB_NAME}1" address 02:00:00:00:${LAB_NET}:02 2>/dev/null || true
	sleep 0.5
}

lab_c() { ip netns exec "$LAB_C" "$@"; }
lab_s() { ip netns exec "$LAB_S" "$@"; }

lab_capture_start() {
	LAB_PCAP=$1
	shift
	# A stale file would end the wait below at once.
	rm -f "$LAB_PCAP"
	# --immediate-mode: without it packets reach the file in blocks and the
	# block pending at stop time is lost (the last connection goes missing).
	ip netns exec "$LAB_C" tcpdump --immediate-mode -U -n -s 0 -i "${LAB_NAME}0" -w "$LAB_PCAP" "$@" >/dev/null 2>&1 &
	LAB_TCPDUMP_PID=$!
	# wait until tcpdump has the interface open
	for _ in $(seq 1 50); do
		[ -s "$LAB_PCAP" ] && break
		sleep 0.1
	done
	sleep 0.3
}

lab_capture_stop() {
	sleep 1.2
	kill -INT "$LAB_TCPDUMP_PID" 2>/dev/null || true
	wait "$LAB_TCPDUMP_PID" 2>/dev/null || true
}

lab_down() {
	for ns in "${LAB_C:-}" "${LAB_S:-}"; do
		[ -n "$ns" ] || continue
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}
