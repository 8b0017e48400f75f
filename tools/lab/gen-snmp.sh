#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-snmp.sh — regenerate the real-traffic SNMP captures in pcaps/snmp/
# (issue 17): Net-SNMP's snmpd and its command-line tools, each scenario a
# fresh pair of network namespaces (tools/lab/lib.sh), captured on the
# client veth.
#
#   sudo tools/lab/gen-snmp.sh              # every scenario
#   sudo tools/lab/gen-snmp.sh v1get v3priv # a subset, by name
#   sudo tools/lab/gen-snmp.sh --list
#
# snmpd is started by hand in the server namespace with its own snmpd.conf
# and persistent directory under a temporary directory (no system service
# is used or left running). The community and the USM passphrases below
# are lab values made up for these captures; tests/snmp-fields.sh checks
# that the community never reaches the database or the export.
# Needs root and the Debian packages snmpd snmp (tools/install-deps --lab).

LAB_NET=${LAB_NET:-24}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set -o pipefail

OUT=${OUT:-$ROOT/pcaps/snmp}
LAB_PREFIX=wn
# lab secrets (the tests grep for this community)
WN_COMMUNITY=wa-lab-c0mmunity
WN_AUTH=wa-lab-authpass-1
WN_PRIV=wa-lab-privpass-2

WN_TMP=$(mktemp -d /tmp/wn-lab.XXXXXX)
chmod 755 "$WN_TMP"
wn_cleanup() {
	lab_down 2>/dev/null || true
	[ -n "${WN_KEEP:-}" ] && echo "kept $WN_TMP" >&2 || rm -rf "$WN_TMP"
}
trap wn_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'gen-snmp: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"
[ -x /usr/sbin/snmpd ] || die "no /usr/sbin/snmpd: apt-get install snmpd"
command -v snmpget >/dev/null || die "no snmpget: apt-get install snmp"
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8
# the tools read no user or system configuration, and no MIB files
export SNMPCONFPATH=$WN_TMP/conf MIBS= MIBDIRS=$WN_TMP/nomibs
mkdir -p "$WN_TMP/conf" "$WN_TMP/nomibs"

# wn_snmpd: start snmpd in the server namespace, with a fresh persistent
# directory (USM users are created from createUser lines at start).
wn_snmpd() {
	local i
	rm -rf "$WN_TMP/persist"
	mkdir -p "$WN_TMP/persist"
	cat > "$WN_TMP/snmpd.conf" <<CONF
agentAddress udp:$LAB_S_IP:161
rocommunity $WN_COMMUNITY 10.99.$LAB_NET.0/24
createUser wa-noauth
createUser wa-auth SHA "$WN_AUTH"
createUser wa-priv SHA "$WN_AUTH" AES "$WN_PRIV"
rouser wa-noauth noauth
rouser wa-auth auth
rouser wa-priv priv
sysDescr wireaudit lab agent (Net-SNMP snmpd)
sysLocation wireaudit lab
sysContact lab@example.invalid
CONF
	SNMP_PERSISTENT_DIR=$WN_TMP/persist lab_s /usr/sbin/snmpd -f -Lf "$WN_TMP/snmpd.log" \
		-C -c "$WN_TMP/snmpd.conf" -p "$WN_TMP/snmpd.pid" &
	for i in $(seq 1 50); do
		lab_s ss -lunH "sport = :161" | grep -q . && return 0
		sleep 0.1
	done
	die "snmpd does not listen on 161 (log: $WN_TMP/snmpd.log)"
}

# wn_c TOOL ARGS...: a Net-SNMP tool in the client namespace, numeric OIDs
wn_c() {
	local tool=$1
	shift
	SNMP_PERSISTENT_DIR=$WN_TMP/cpersist lab_c "$tool" -On -r 0 -t 2 "$@"
}

# wn_run NAME FILTER COMMAND...: one capture around one command.
wn_run() {
	local name=$1 filter=$2
	shift 2
	log "$name"
	lab_up "${LAB_PREFIX}${name:5:6}"
	wn_snmpd
	mkdir -p "$OUT"
	rm -rf "$WN_TMP/cpersist"
	lab_capture_start "$OUT/$name.pcap" "$filter"
	"$@" || die "$name: $* failed (snmpd log: $WN_TMP/snmpd.log)"
	lab_capture_stop
	lab_down
}

SYS=1.3.6.1.2.1.1
scn_v1get() { wn_run snmp-v1-get udp wn_c snmpget -v 1 -c "$WN_COMMUNITY" "$LAB_S_IP" $SYS.1.0 $SYS.5.0; }
scn_v2cget() { wn_run snmp-v2c-get udp wn_c snmpget -v 2c -c "$WN_COMMUNITY" "$LAB_S_IP" $SYS.1.0; }
scn_v2cwalk() { wn_run snmp-v2c-walk udp wn_c snmpwalk -v 2c -c "$WN_COMMUNITY" "$LAB_S_IP" $SYS; }
scn_v2cbulk() { wn_run snmp-v2c-bulkwalk udp wn_c snmpbulkwalk -v 2c -c "$WN_COMMUNITY" "$LAB_S_IP" $SYS; }
scn_v3noauth() { wn_run snmp-v3-noauthnopriv udp wn_c snmpget -v 3 -l noAuthNoPriv -u wa-noauth "$LAB_S_IP" $SYS.1.0; }
scn_v3auth() {
	wn_run snmp-v3-authnopriv-sha udp wn_c snmpget -v 3 -l authNoPriv -u wa-auth -a SHA -A "$WN_AUTH" \
		"$LAB_S_IP" $SYS.1.0
}
scn_v3priv() {
	wn_run snmp-v3-authpriv-sha-aes udp wn_c snmpget -v 3 -l authPriv -u wa-priv -a SHA -A "$WN_AUTH" \
		-x AES -X "$WN_PRIV" "$LAB_S_IP" $SYS.1.0
}
# a v2c trap from the client namespace to port 162 (nobody listens there:
# a trap is not answered; the ICMP port unreachable is outside the filter)
scn_trap() {
	wn_run snmp-v2c-trap 'udp port 162' wn_c snmptrap -v 2c -c "$WN_COMMUNITY" "$LAB_S_IP:162" '' \
		1.3.6.1.6.3.1.1.5.1 $SYS.5.0 s wireaudit-lab
}

SCENARIOS="v1get v2cget v2cwalk v2cbulk v3noauth v3auth v3priv trap"
if [ "${1:-}" = --list ]; then echo "$SCENARIOS"; exit 0; fi
for s in ${*:-$SCENARIOS}; do
	"scn_$s"
done
ls -l "$OUT"
