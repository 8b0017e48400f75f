#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-smb.sh — regenerate the real-traffic SMB captures in pcaps/smb/
# (issue 18): Samba's smbd and smbclient, each scenario a fresh pair of
# network namespaces (tools/lab/lib.sh), captured on the client veth.
#
#   sudo tools/lab/gen-smb.sh                  # every scenario
#   sudo tools/lab/gen-smb.sh enc311 smb1      # a subset, by name
#   sudo tools/lab/gen-smb.sh --list
#
# smbd runs by hand in the server namespace (`smbd -F --no-process-group
# -s CONF`), with its own configuration, private, state, lock and cache
# directories under a temporary directory; no system service is used or
# left running. The passdb (tdbsam under the temporary directory) holds
# root's SMB password, set by `smbpasswd -c CONF -a -s root`; a `username
# map` maps the lab user `alice` to root, so no system account is made and
# the NTLM AUTHENTICATE on the wire names `alice`. `map to guest = Bad
# User` turns an unknown user into the guest account. The client is
# `smbclient -s CLIENT-CONF` with its own (empty) configuration and the
# protocol options of the scenario. Every client lists the share and reads
# one file (`hello.txt`), so a cleartext session shows the file contents.
# The password is fake (pcaps/smb/README.md, tests/secrets.sh).
# Needs root and the Debian packages samba smbclient tcpdump
# (tools/install-deps --lab).

LAB_NET=${LAB_NET:-33}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set -o pipefail

OUT=${OUT:-$ROOT/pcaps/smb}
LAB_PREFIX=wb
PW=wa-lab-smb-pw-7291

WB_TMP=$(mktemp -d /tmp/wb-lab.XXXXXX)
chmod 755 "$WB_TMP"
wb_cleanup() {
	lab_down 2>/dev/null || true
	[ -n "${WB_KEEP:-}" ] && echo "kept $WB_TMP" >&2 || rm -rf "$WB_TMP"
}
trap wb_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'gen-smb: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"
SMBD=$(command -v smbd || echo /usr/sbin/smbd)
[ -x "$SMBD" ] || die "no smbd: apt-get install samba"
command -v smbclient >/dev/null || die "no smbclient: apt-get install smbclient"
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8

D=$WB_TMP
mkdir -p "$D/share" "$D/private" "$D/state" "$D/lock" "$D/cache" "$D/run" "$D/log" "$D/ncalrpc"
chmod 777 "$D/share"
printf 'wireaudit lab file: readable on the wire unless the session is encrypted\n' > "$D/share/hello.txt"
chmod 644 "$D/share/hello.txt"
printf 'root = alice\n' > "$D/users.map"
: > "$D/client.conf"

# wb_conf EXTRA-GLOBAL-LINES [EXTRA-SHARE-LINES]: the server configuration
# of one scenario
wb_conf() {
	cat > "$D/smb.conf" <<EOF
[global]
	workgroup = WALAB
	netbios name = WASRV
	server role = standalone server
	security = user
	passdb backend = tdbsam:$D/private/passdb.tdb
	private dir = $D/private
	state directory = $D/state
	lock directory = $D/lock
	cache directory = $D/cache
	pid directory = $D/run
	ncalrpc dir = $D/ncalrpc
	log file = $D/log/smbd.log
	log level = 1
	interfaces = $LAB_S_IP
	bind interfaces only = yes
	smb ports = 445
	disable netbios = yes
	load printers = no
	printing = bsd
	printcap name = /dev/null
	disable spoolss = yes
	username map = $D/users.map
	map to guest = Bad User
	guest account = nobody
	restrict anonymous = 0
$1
[share]
	path = $D/share
	read only = no
	guest ok = yes
${2:-}
EOF
}

wb_server() {
	lab_s "$SMBD" -F --no-process-group -s "$D/smb.conf" >"$D/smbd.out" 2>&1 &
	for _ in $(seq 1 100); do
		lab_s ss -lntH | grep -q ":445 " && return 0
		sleep 0.1
	done
	die "smbd does not listen: $(cat "$D/smbd.out"; tail -20 "$D/log/smbd.log" 2>/dev/null)"
}

# wb_scenario NAME EXTRA-GLOBAL-LINES EXPECT CLIENT-ARGS...: one server, one
# capture; EXPECT is the client's exit status (0 success, else refused).
wb_scenario() {
	local name=$1 extra=$2 expect=$3 rc
	shift 3
	log "$name"
	wb_conf "$extra" "${WB_SHARE:-}"
	printf '%s\n%s\n' "$PW" "$PW" | smbpasswd -c "$D/smb.conf" -a -s root >/dev/null || die "smbpasswd"
	lab_up "${LAB_PREFIX}${name:4:6}"
	wb_server
	mkdir -p "$OUT"
	lab_capture_start "$OUT/$name.pcap" "tcp port 445"
	rc=0
	lab_c smbclient -s "$D/client.conf" "//$LAB_S_IP/share" "$@" -c 'ls; get hello.txt /dev/null' \
		>"$D/client.out" 2>&1 || rc=$?
	lab_capture_stop
	lab_down
	if [ "$expect" = 0 ] && [ "$rc" != 0 ]; then
		die "$name: client failed ($rc): $(cat "$D/client.out"; tail -20 "$D/log/smbd.log")"
	fi
	if [ "$expect" != 0 ] && [ "$rc" = 0 ]; then
		die "$name: client succeeded, a refusal was expected"
	fi
	cat "$D/client.out" >&2
}

USER=(-U "alice%$PW")

# SMB 3.1.1, the server requires encryption (smb encrypt = required): the
# tree connect and everything after it in transform headers
scn_enc311() { wb_scenario smb-311-encrypted $'\tsmb encrypt = required' 0 "${USER[@]}" -m SMB3_11; }
# SMB 3.0.2, the client asks for encryption (-e)
scn_enc302() { wb_scenario smb-302-encrypted '' 0 "${USER[@]}" -m SMB3_02 --client-protection=encrypt; }
# SMB 3.1.1, signing required by the server, no encryption
scn_signed() { wb_scenario smb-311-signed $'\tserver signing = mandatory\n\tsmb encrypt = off' 0 "${USER[@]}" -m SMB3_11; }
# SMB 3.1.1 with neither signing required nor encryption: file contents in clear
scn_plain() { wb_scenario smb-311-plain $'\tserver signing = auto\n\tsmb encrypt = off' 0 "${USER[@]}" -m SMB3_11 --client-protection=off; }
# SMB 2.0.2 only, NTLM, no encryption possible (2.0.2 has none)
scn_smb202() { wb_scenario smb-202-ntlm $'\tserver min protocol = SMB2_02\n\tsmb encrypt = off' 0 "${USER[@]}" -m SMB2_02; }
# SMB1 (NT1): the server allows it, the client offers only NT1
scn_smb1() {
	wb_scenario smb-smb1-nt1 $'\tserver min protocol = NT1\n\tsmb encrypt = off\n\tntlm auth = ntlmv2-only' 0 \
		"${USER[@]}" -m NT1 --option='client min protocol=NT1'
}
# an unknown user mapped to guest (map to guest = Bad User): IS_GUEST
scn_guest() { wb_scenario smb-311-guest $'\tsmb encrypt = off' 0 -U 'visitor%x' -m SMB3_11 --client-protection=off; }
# anonymous (-N, empty user name): a null session
scn_anon() { wb_scenario smb-311-anonymous $'\tsmb encrypt = off' 0 -U '%' -N -m SMB3_11 --client-protection=off; }

# SMB 3.1.1, encryption required on the share only ([share] smb encrypt =
# required): IPC$ in clear, the share's TREE_CONNECT answer says
# ENCRYPT_DATA, everything after it in transform headers
scn_shareenc() {
	WB_SHARE=$'\tsmb encrypt = required' wb_scenario smb-311-share-encrypted $'\tsmb encrypt = if_required' 0 \
		"${USER[@]}" -m SMB3_11 --client-protection=off
}
# an SMB1 NEGOTIATE offering "SMB 2.002" and "SMB 2.???" (client min
# protocol NT1), answered with the SMB2 wildcard dialect 0x02FF, then an
# SMB2 NEGOTIATE ([MS-SMB2] 3.3.5.3.1 multi-protocol negotiate)
scn_upgrade() {
	wb_scenario smb-smb1-to-smb3 $'\tsmb encrypt = off' 0 "${USER[@]}" --option='client min protocol=NT1' \
		--client-protection=off
}

SCENARIOS="enc311 enc302 signed plain smb202 smb1 guest anon shareenc upgrade"
if [ "${1:-}" = --list ]; then echo "$SCENARIOS"; exit 0; fi
# shellcheck disable=SC2086 # the default list splits into names
[ $# -gt 0 ] || set -- $SCENARIOS
for s in "$@"; do
	"scn_$s"
done
ls -l "$OUT"
