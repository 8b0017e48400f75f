#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-icmp.sh — regenerate the real-traffic ICMP/ICMPv6 capture
# pcaps/icmp/icmp-lab.pcap (issue 15: Community ID on ICMP flows, checked
# against tshark by tests/community-id.sh and tests/tshark-conv.sh).
#
# Two network namespaces made by tools/lab/lib.sh (LAB "wi", 10.99.51.0/24
# and fd00:99:51::/64); the server namespace also acts as a router for
# 10.99.52.0/24 and fd00:99:52::/64 (prohibit routes: every packet there is
# refused with a destination unreachable) and 10.99.53.0/24, fd00:99:53::/64
# (routed back out of the veth to a next hop nobody has, 10.99.51.99 and
# fd00:99:51::99: so forwarded, which costs a hop, and never delivered; the
# router tells the client so with a redirect, 5/1 and ICMPv6 137, and asks
# for the next hop in vain). tcpdump captures everything on
# the client veth (no filter: ARP, neighbour discovery and whatever the
# kernels send on their own are part of it). What the capture holds, in
# order:
#   ping -c 3 10.99.51.2              ICMP echo request/reply (8/0)
#   ping -6 -c 3 fd00:99:51::2        neighbour solicitation/advertisement
#                                     (135/136) then ICMPv6 echo (128/129)
#   UDP to 10.99.51.2:33434 (closed)  port unreachable (3/3) quoting IPv4+UDP
#   UDP to [fd00:99:51::2]:33434      ICMPv6 port unreachable (1/4)
#   TCP to 10.99.52.5:80              a SYN, refused by the router: 3/13
#                                     (communication administratively
#                                     prohibited) quoting the TCP header
#   TCP to [fd00:99:52::5]:80         ICMPv6 1/1 (administratively prohibited)
#   ping -c 1 -t 1 10.99.53.5         time exceeded (11/0) quoting the echo
#   ping -6 -c 1 -t 1 fd00:99:53::5   ICMPv6 time exceeded (3/0)
#   ping -c 2 10.99.53.5              echo requests that nobody answers
# The lab addresses exist only inside the namespaces; nothing leaves them.
#
# Usage: sudo tools/lab/gen-icmp.sh
# Needs: root, iproute2, ethtool, tcpdump, tshark, iputils-ping, timeout
#        (coreutils), bash's /dev/udp and /dev/tcp.

set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$ROOT/pcaps/icmp}
LAB_NET=51
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || { echo "gen-icmp.sh: must run as root" >&2; exit 1; }
for tool in ip ethtool tcpdump tshark ping timeout; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "gen-icmp.sh: missing $tool (see header for packages)" >&2; exit 1; }
done
trap 'lab_down 2>/dev/null || true' EXIT
export TZ=UTC LC_ALL=C

lab_up wi
# the server namespace routes for the two lab networks behind it
lab_s sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
lab_s ip route add 10.99.53.0/24 via 10.99.51.99
lab_s ip -6 route add fd00:99:53::/64 via fd00:99:51::99
lab_s ip route add prohibit 10.99.52.0/24
lab_s ip -6 route add prohibit fd00:99:52::/64
lab_c ip route add 10.99.52.0/23 via "$LAB_S_IP"
lab_c ip -6 route add fd00:99:52::/63 via "$LAB_S_IP6"
lab_c ip -6 route add fd00:99:53::/64 via "$LAB_S_IP6"
# nothing may answer on the UDP port: its unreachable is what we want
if lab_s ss -lunH 'sport = :33434' | grep -q .; then
	echo "gen-icmp.sh: something listens on UDP 33434 in $LAB_S" >&2
	exit 1
fi

mkdir -p "$OUT"
F=$OUT/icmp-lab.pcap
lab_capture_start "$F"
lab_c ping -n -q -c 3 -i 0.2 "$LAB_S_IP" >/dev/null
lab_c ping -6 -n -q -c 3 -i 0.2 "$LAB_S_IP6" >/dev/null
lab_c bash -c "echo probe > /dev/udp/$LAB_S_IP/33434"
sleep 0.3
lab_c bash -c "echo probe > /dev/udp/$LAB_S_IP6/33434"
sleep 0.3
lab_c timeout 3 bash -c 'exec 3<>/dev/tcp/10.99.52.5/80' 2>/dev/null || true
lab_c timeout 3 bash -c 'exec 3<>/dev/tcp/fd00:99:52::5/80' 2>/dev/null || true
lab_c ping -n -q -c 1 -t 1 -W 1 10.99.53.5 >/dev/null || true
lab_c ping -6 -n -q -c 1 -t 1 -W 1 fd00:99:53::5 >/dev/null || true
lab_c ping -n -q -c 2 -i 0.2 -W 1 10.99.53.5 >/dev/null || true
lab_capture_stop

# what must be in it, as tshark reads it
need() { # need FILTER WHAT
	[ "$(tshark -r "$F" -Y "$1" 2>/dev/null | wc -l)" -gt 0 ] ||
		{ echo "gen-icmp.sh: $F has no $2 ($1)" >&2; exit 1; }
}
need 'icmp.type == 8' 'ICMP echo request'
need 'icmp.type == 0' 'ICMP echo reply'
need 'icmp.type == 3 && icmp.code == 3 && udp' 'port unreachable quoting UDP'
need 'icmp.type == 3 && icmp.code == 13 && tcp' 'administratively prohibited quoting TCP'
need 'icmp.type == 11' 'time exceeded'
need 'icmpv6.type == 128' 'ICMPv6 echo request'
need 'icmpv6.type == 129' 'ICMPv6 echo reply'
need 'icmpv6.type == 135' 'neighbour solicitation'
need 'icmpv6.type == 136' 'neighbour advertisement'
need 'icmpv6.type == 1 && icmpv6.code == 4' 'ICMPv6 port unreachable'
need 'icmpv6.type == 1 && icmpv6.code == 1' 'ICMPv6 administratively prohibited'
need 'icmpv6.type == 3' 'ICMPv6 time exceeded'
echo "$(basename "$F"): $(tshark -r "$F" 2>/dev/null | wc -l) packets, $(stat -c %s "$F") bytes" >&2
