#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-ssh.sh — regenerate the real-traffic SSH captures in pcaps/ssh/
# (issue 17): OpenSSH's sshd and ssh, each scenario a fresh pair of network
# namespaces (tools/lab/lib.sh), captured on the client veth.
#
#   sudo tools/lab/gen-ssh.sh              # every scenario
#   sudo tools/lab/gen-ssh.sh modern old   # a subset, by name
#   sudo tools/lab/gen-ssh.sh --list
#
# sshd is started by hand in the server namespace with its own sshd_config
# and fresh host keys under a temporary directory (no system service is used
# or left running); the client logs in as root with a key made by this
# script (BatchMode, no password anywhere), runs `true` and leaves.
# Needs root and the Debian packages openssh-server openssh-client
# (tools/install-deps --lab).

LAB_NET=${LAB_NET:-23}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set -o pipefail

OUT=${OUT:-$ROOT/pcaps/ssh}
LAB_PREFIX=ws

WS_TMP=$(mktemp -d /tmp/ws-lab.XXXXXX)
chmod 755 "$WS_TMP"
ws_cleanup() {
	lab_down 2>/dev/null || true
	[ -n "${WS_KEEP:-}" ] && echo "kept $WS_TMP" >&2 || rm -rf "$WS_TMP"
}
trap ws_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'gen-ssh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"
[ -x /usr/sbin/sshd ] || die "no /usr/sbin/sshd: apt-get install openssh-server"
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8

# Keys: host keys of three types (the server offers all), the client's key.
mkdir -p "$WS_TMP/keys" /run/sshd
for t in ed25519 ecdsa rsa; do
	ssh-keygen -q -t "$t" -N '' -C "wireaudit-lab-host-$t" -f "$WS_TMP/keys/host_$t"
done
ssh-keygen -q -t ed25519 -N '' -C wireaudit-lab-client -f "$WS_TMP/keys/client"
cp "$WS_TMP/keys/client.pub" "$WS_TMP/keys/authorized_keys"

# ws_sshd PORT [sshd_config lines...]: start sshd in the server namespace.
ws_sshd() {
	local port=$1 i
	shift
	{
		echo "Port $port"
		echo "ListenAddress $LAB_S_IP"
		for t in ed25519 ecdsa rsa; do echo "HostKey $WS_TMP/keys/host_$t"; done
		echo "AuthorizedKeysFile $WS_TMP/keys/authorized_keys"
		echo "PermitRootLogin prohibit-password"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "UsePAM no"
		echo "StrictModes no"
		echo "PidFile none"
		echo "LogLevel VERBOSE"
		for l in "$@"; do echo "$l"; done
	} > "$WS_TMP/sshd_config"
	/usr/sbin/sshd -t -f "$WS_TMP/sshd_config" || die "sshd refuses the config: $*"
	lab_s /usr/sbin/sshd -D -e -f "$WS_TMP/sshd_config" 2>>"$WS_TMP/sshd.log" &
	for i in $(seq 1 50); do
		lab_s ss -ltnH "sport = :$port" | grep -q . && return 0
		sleep 0.1
	done
	die "sshd does not listen on $port"
}

# ws_ssh PORT [ssh -o options...]: log in, run `true`, leave.
ws_ssh() {
	local port=$1
	shift
	lab_c ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -i "$WS_TMP/keys/client" \
		-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR \
		-p "$port" "$@" "root@$LAB_S_IP" true
}

# ws_run NAME PORT "sshd lines" ssh-options...: one capture, one connection.
ws_run() {
	local name=$1 port=$2 cfg=$3
	shift 3
	log "$name"
	lab_up "${LAB_PREFIX}${name:0:6}"
	local -a lines=()
	[ -n "$cfg" ] && mapfile -t lines <<<"$cfg"
	ws_sshd "$port" "${lines[@]}"
	mkdir -p "$OUT"
	lab_capture_start "$OUT/$name.pcap" tcp
	ws_ssh "$port" "$@" || die "$name: ssh failed (sshd log: $WS_TMP/sshd.log)"
	lab_capture_stop
	lab_down
}

# (a) Debian 12 defaults on both sides: sntrup761x25519 / curve25519,
# chacha20-poly1305, kex-strict markers.
scn_modern() { ws_run ssh-modern-defaults 22 ""; }

# (b) a server held to old algorithms; the client has to re-enable them.
scn_old() {
	ws_run ssh-server-old-algorithms 22 \
"KexAlgorithms diffie-hellman-group1-sha1,diffie-hellman-group14-sha1
Ciphers aes128-cbc,3des-cbc
MACs hmac-sha1,hmac-md5" \
		-o KexAlgorithms=+diffie-hellman-group1-sha1,diffie-hellman-group14-sha1 \
		-o Ciphers=+aes128-cbc,3des-cbc -o MACs=+hmac-md5
}

# (c) a client that puts weak algorithms first, against a server that still
# accepts them next to its defaults ("+" syntax): the weak ones are selected.
scn_weakclient() {
	ws_run ssh-client-weak-first 22 \
"KexAlgorithms +diffie-hellman-group14-sha1
Ciphers +aes128-cbc
MACs +hmac-md5" \
		-o KexAlgorithms=diffie-hellman-group14-sha1,curve25519-sha256 \
		-o Ciphers=aes128-cbc,aes256-gcm@openssh.com \
		-o MACs=hmac-md5,hmac-sha2-256-etm@openssh.com
}

# (d) defaults on a non-standard port: found by the identification string.
scn_port2222() { ws_run ssh-port2222 2222 ""; }

# (e) AES-GCM chosen by the client (the MAC is implicit in one direction
# only: the client asks aes256-gcm c2s... both lists are the same in
# OpenSSH, so both directions), and an RSA host key.
scn_gcm() {
	ws_run ssh-aes-gcm-rsa-hostkey 22 "" \
		-o Ciphers=aes256-gcm@openssh.com,aes128-ctr -o HostKeyAlgorithms=rsa-sha2-512
}

SCENARIOS="modern old weakclient port2222 gcm"
if [ "${1:-}" = --list ]; then echo "$SCENARIOS"; exit 0; fi
for s in ${*:-$SCENARIOS}; do
	"scn_$s"
done
ls -l "$OUT"
