#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-vnc.sh — regenerate the real-traffic VNC / RFB captures in pcaps/vnc/
# (issue 17): TigerVNC's Xvnc as the server, TigerVNC's vncviewer (under
# xvfb-run) or the scripted client tools/lab/rfb-client.py (RFB 3.3 / 3.7,
# which vncviewer never speaks) as the client; each scenario a fresh pair
# of network namespaces (tools/lab/lib.sh), captured on the client veth.
#
#   sudo tools/lab/gen-vnc.sh              # every scenario
#   sudo tools/lab/gen-vnc.sh none tlsvnc  # a subset, by name
#   sudo tools/lab/gen-vnc.sh --list
#
# Xvnc is started by hand in the server namespace (display :62 and up, a
# 64x48 desktop so the framebuffer after the handshake stays small), with
# its own password file (vncpasswd -f) and an X.509 key and self-signed
# certificate made here by openssl; nothing is left running. The VNC
# password and the VeNCrypt Plain user/password below are lab values made
# up for these captures; tests/secrets.sh checks that the Plain password
# never reaches the database or the export. Plain is checked by PAM on the
# server: the user does not exist there, so the server answers "failed" —
# after the password crossed in clear, which is the fact these captures are
# for. Needs root and the Debian packages tigervnc-standalone-server
# tigervnc-viewer tigervnc-tools xvfb xauth openssl (tools/install-deps --lab).

LAB_NET=${LAB_NET:-62}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set -o pipefail

OUT=${OUT:-$ROOT/pcaps/vnc}
LAB_PREFIX=wv
# lab secrets (tests/secrets.sh greps for the Plain password)
WV_VNCPASS=wa-lab-vncpw
WV_PLAIN_USER=wa-lab-vncuser
WV_PLAIN_PASS=wa-lab-vnc-Pl4in-pw
WV_PORT=5900

WV_TMP=$(mktemp -d "${TMPDIR:-/tmp}/wv-lab.XXXXXX")
chmod 755 "$WV_TMP"
wv_cleanup() {
	lab_down 2>/dev/null || true
	[ -n "${WV_KEEP:-}" ] && echo "kept $WV_TMP" >&2 || rm -rf "$WV_TMP"
}
trap wv_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'gen-vnc: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump)"
command -v Xvnc >/dev/null || die "no Xvnc: apt-get install tigervnc-standalone-server"
command -v vncviewer >/dev/null || die "no vncviewer: apt-get install tigervnc-viewer"
command -v vncpasswd >/dev/null || die "no vncpasswd: apt-get install tigervnc-tools"
command -v xvfb-run >/dev/null || die "no xvfb-run: apt-get install xvfb xauth"
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8
export HOME=$WV_TMP/home
mkdir -p "$HOME"

# the VNC password file (DES-obfuscated, as Xvnc and vncviewer read it)
printf '%s\n' "$WV_VNCPASS" | vncpasswd -f > "$WV_TMP/passwd"
chmod 600 "$WV_TMP/passwd"
# an X.509 key and self-signed certificate for the X509* sub-types
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=vnc.lab.example" \
	-addext "subjectAltName=IP:10.99.$LAB_NET.2" \
	-keyout "$WV_TMP/key.pem" -out "$WV_TMP/cert.pem" 2>/dev/null || die "openssl req failed"

WV_DISPLAY=62
# wv_xvnc ARGS...: start Xvnc in the server namespace on WV_PORT.
wv_xvnc() {
	local i
	WV_DISPLAY=$((WV_DISPLAY + 1))
	rm -f "/tmp/.X$WV_DISPLAY-lock"
	lab_s Xvnc ":$WV_DISPLAY" -rfbport "$WV_PORT" -interface "$LAB_S_IP" -nolisten tcp \
		-geometry 64x48 -depth 16 -desktop "wa-lab desktop" -AlwaysShared \
		"$@" >"$WV_TMP/xvnc.log" 2>&1 &
	for i in $(seq 1 50); do
		lab_s ss -ltnH "sport = :$WV_PORT" | grep -q . && return 0
		sleep 0.1
	done
	die "Xvnc does not listen on $WV_PORT (log: $WV_TMP/xvnc.log)"
}

# wv_viewer SECONDS ARGS...: vncviewer in the client namespace for a moment
# (it would stay connected: the timeout ends it).
wv_viewer() {
	local t=$1
	shift
	lab_c timeout "$t" xvfb-run -a -s "-screen 0 320x240x16" \
		vncviewer -Shared -AlertOnFatalError=0 -ReconnectOnError=0 "$@" "$LAB_S_IP::$WV_PORT" \
		>>"$WV_TMP/viewer.log" 2>&1 || true
}

# wv_viewer_plain SECONDS ARGS...: the viewer with the Plain user and
# password in VNC_USERNAME / VNC_PASSWORD (TigerVNC's UserDialog reads them
# instead of asking)
wv_viewer_plain() {
	VNC_USERNAME=$WV_PLAIN_USER VNC_PASSWORD=$WV_PLAIN_PASS wv_viewer "$@"
}

# wv_script ARGS...: the scripted client
wv_script() {
	lab_c python3 "$HERE/rfb-client.py" "$LAB_S_IP" "$WV_PORT" "$@" >>"$WV_TMP/viewer.log" 2>&1
}

# wv_run NAME "Xvnc args" CLIENT-COMMAND...: one capture, one connection.
wv_run() {
	local name=$1 sargs=$2
	shift 2
	log "$name"
	lab_up "${LAB_PREFIX}${name:4:6}"
	# shellcheck disable=SC2086
	wv_xvnc $sargs
	mkdir -p "$OUT"
	lab_capture_start "$OUT/$name.pcap" "tcp port $WV_PORT"
	"$@" || die "$name: $* failed (logs: $WV_TMP/xvnc.log $WV_TMP/viewer.log)"
	lab_capture_stop
	lab_down
	# lab_down kills Xvnc with SIGKILL: its lock file and socket stay
	rm -f "/tmp/.X$WV_DISPLAY-lock" "/tmp/.X11-unix/X$WV_DISPLAY"
}

X509="-X509Cert $WV_TMP/cert.pem -X509Key $WV_TMP/key.pem"
# RFB 3.8 with vncviewer
scn_none() { wv_run vnc-none "-SecurityTypes None" wv_viewer 3 -SecurityTypes None; }
scn_vncauth() {
	wv_run vnc-vncauth "-SecurityTypes VncAuth -PasswordFile $WV_TMP/passwd" \
		wv_viewer 3 -SecurityTypes VncAuth -passwd "$WV_TMP/passwd"
}
scn_plain() {
	wv_run vnc-vencrypt-plain "-SecurityTypes Plain -PlainUsers $WV_PLAIN_USER" \
		wv_viewer_plain 3 -SecurityTypes Plain
}
scn_tlsnone() { wv_run vnc-vencrypt-tlsnone "-SecurityTypes TLSNone" wv_viewer 3 -SecurityTypes TLSNone; }
scn_tlsvnc() {
	wv_run vnc-vencrypt-tlsvnc "-SecurityTypes TLSVnc -PasswordFile $WV_TMP/passwd" \
		wv_viewer 3 -SecurityTypes TLSVnc -passwd "$WV_TMP/passwd"
}
scn_tlsplain() {
	wv_run vnc-vencrypt-tlsplain "-SecurityTypes TLSPlain -PlainUsers $WV_PLAIN_USER" \
		wv_viewer_plain 3 -SecurityTypes TLSPlain
}
scn_x509vnc() {
	wv_run vnc-vencrypt-x509vnc "-SecurityTypes X509Vnc -PasswordFile $WV_TMP/passwd $X509" \
		wv_viewer 3 -SecurityTypes X509Vnc -passwd "$WV_TMP/passwd" -X509CA "$WV_TMP/cert.pem"
}
scn_x509plain() {
	wv_run vnc-vencrypt-x509plain "-SecurityTypes X509Plain -PlainUsers $WV_PLAIN_USER $X509" \
		wv_viewer_plain 3 -SecurityTypes X509Plain -X509CA "$WV_TMP/cert.pem"
}
# the server offers several types; the viewer prefers VeNCrypt TLSVnc
scn_multi() {
	wv_run vnc-offer-several "-SecurityTypes TLSVnc,VncAuth,None -PasswordFile $WV_TMP/passwd" \
		wv_viewer 3 -SecurityTypes TLSVnc,VncAuth -passwd "$WV_TMP/passwd"
}
# the scripted client: RFB 3.3 (the server decides), 3.7 (no
# SecurityResult after None), a wrong VNC Authentication response (3.8:
# "failed" and a reason from the server)
scn_rfb33() { wv_run vnc-rfb33-none "-SecurityTypes None" wv_script 3.3 1; }
scn_rfb37() { wv_run vnc-rfb37-none "-SecurityTypes None" wv_script 3.7 1; }
scn_badpw() {
	wv_run vnc-vncauth-wrong-response "-SecurityTypes VncAuth -PasswordFile $WV_TMP/passwd" \
		wv_script 3.8 2 00112233445566778899aabbccddeeff
}

SCENARIOS="none vncauth plain tlsnone tlsvnc tlsplain x509vnc x509plain multi rfb33 rfb37 badpw"
if [ "${1:-}" = --list ]; then echo "$SCENARIOS"; exit 0; fi
for s in ${*:-$SCENARIOS}; do
	"scn_$s"
done
ls -l "$OUT"
