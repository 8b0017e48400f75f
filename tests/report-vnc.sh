#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# report-vnc.sh — the report's VNC kind (issue 17; docs/REPORT-RULES.md
# "12.3.1"): exact findings, severities, flow counts and evidence over the
# real TigerVNC captures of pcaps/vnc/ (tools/lab/gen-vnc.sh) and the
# hand-built ones of tools/mkpcap-vnc.py. A session whose security type
# leaves it in clear (None, VNC Authentication, VeNCrypt Plain) fails
# vnc_unencrypted with the type as evidence, next to the generic cleartext
# kind; Plain's password in clear raises both to high. The VeNCrypt TLS and
# X509 sub-types are TLS sessions: no 12.3.1 finding; the anonymous suites
# of TLSNone / TLSVnc / TLSPlain are the TLS kinds' (cipher_broken, 12.1.2); X509Vnc /
# X509Plain pass 12.3.1. A type the dissector does not follow (Tight) is
# relevant but not observable. The hostile captures must only not crash
# the report.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/vnc
C=$T_TMP/c
python3 "$SRCDIR/tools/mkpcap-vnc.py" "$C" || { t_ok 1 "mkpcap-vnc.py"; t_done; exit 1; }

# findings [REQ] PCAP...: every finding of requirement REQ (default 12.3.1)
# of the report (level 2) as "kind severity flows server:port", in report
# order, ';'-joined
findings() {
	local db req=12.3.1
	case "$1" in 12.*) req=$1; shift ;; esac
	db=$(t_capture "$@")
	"$WIREAUDIT" report -d "$db" -F json >"$T_TMP/r.json"
	echo "rc=$? $(jq -r --arg r "$req" '[.requirements[] | select(.id == $r) | .findings[] |
		"\(.kind) \(.severity) \(.flows) \(.server_ip):\(.server_port)"] | join(";")' "$T_TMP/r.json")"
}
# evidence KIND: the evidence object of the first finding of KIND in r.json
evidence() {
	jq -c --arg k "$1" '[.requirements[].findings[] | select(.kind == $k)][0].evidence' "$T_TMP/r.json"
}
status() {
	jq -r '.requirements[] | select(.id == "12.3.1") | .status + "|" + .reason' "$T_TMP/r.json"
}
A=10.99.62.2

# ---- vnc_unencrypted: fail ----
t_is "$(findings "$S/vnc-none.pcap")" \
	"rc=6 cleartext medium 1 $A:5900;vnc_unencrypted medium 1 $A:5900" "None: the session in clear, no authentication"
t_is "$(evidence vnc_unencrypted)" '{"vnc_security_type":{"None":1},"relevant_flows":1,"share":1}' \
	"None: evidence the security type"
t_is "$(findings "$S/vnc-vncauth.pcap")" \
	"rc=6 cleartext medium 1 $A:5900;vnc_unencrypted medium 1 $A:5900" "VNC Authentication"
t_is "$(evidence vnc_unencrypted)" \
	'{"vnc_security_type":{"VNC Authentication":1},"relevant_flows":1,"share":1}' \
	"VNC Authentication: evidence the type, no credentials"
t_is "$(findings "$S/vnc-vncauth-wrong-response.pcap")" \
	"rc=6 cleartext medium 1 $A:5900;vnc_unencrypted medium 1 $A:5900" "a failed VNC Authentication: still in clear"
t_is "$(findings "$S/vnc-vencrypt-plain.pcap")" \
	"rc=6 cleartext high 1 $A:5900;vnc_unencrypted high 1 $A:5900" "VeNCrypt Plain: raised to high by the credential"
t_is "$(evidence vnc_unencrypted)" \
	'{"vnc_security_type":{"VeNCrypt/Plain":1},"relevant_flows":1,"share":1,"credentials_in_clear":1,"auth_mechanisms":"plain"}' \
	"Plain: evidence VeNCrypt/Plain and the credential"
t_is "$(findings "$C/vencrypt-plain-ok.pcap")" \
	"rc=6 cleartext high 1 10.62.0.2:5999;vnc_unencrypted high 1 10.62.0.2:5999" "a successful Plain on port 5999"
t_is "$(findings "$S/vnc-rfb33-none.pcap")" \
	"rc=6 cleartext medium 1 $A:5900;vnc_unencrypted medium 1 $A:5900" "RFB 3.3, None"
t_is "$(findings "$S/vnc-rfb37-none.pcap")" \
	"rc=6 cleartext medium 1 $A:5900;vnc_unencrypted medium 1 $A:5900" "RFB 3.7, None"

# ---- VeNCrypt over TLS: no 12.3.1 finding ----
for p in vnc-vencrypt-tlsnone vnc-vencrypt-tlsvnc vnc-vencrypt-tlsplain vnc-offer-several; do
	t_is "$(findings "$S/$p.pcap")" "rc=6 " "$p: TLS, no 12.3.1 finding"
	t_is "$(status)" "pass|1 relevant flow observed, none violating" "$p: 12.3.1 passes"
	t_is "$(findings 12.1.2 "$S/$p.pcap")" \
		"rc=6 cipher_broken high 1 $A:5900;strongest_not_preferred medium 1 $A:5900" \
		"$p: the anonymous suite is the TLS kinds' finding"
	t_is "$(evidence cipher_broken)" '{"cipher":{"TLS_ECDH_anon_WITH_AES_256_CBC_SHA":1},"relevant_flows":1,"share":1}' \
		"$p: evidence the anon suite"
done
for p in vnc-vencrypt-x509vnc vnc-vencrypt-x509plain; do
	t_is "$(findings "$S/$p.pcap")" "rc=0 " "$p: TLS 1.3 with a certificate, no finding"
	t_is "$(status)" "pass|1 relevant flow observed, none violating" "$p: 12.3.1 passes"
done

# ---- not followed, refused: no VNC finding ----
t_is "$(findings "$C/tight-chosen.pcap")" "rc=0 " "Tight chosen: no finding"
t_is "$(status | cut -d'|' -f1)" "not_observable" "Tight: relevant, security unknown, not observable"
t_is "$(findings "$C/vencrypt-tls-refused.pcap")" "rc=0 " "a refused TLS sub-type: no session, no finding"

# ---- one server seen with TLS and in clear: the fallback 12.3.1 forbids ----
t_is "$(findings "$S"/*.pcap)" \
	"rc=6 service_encrypted_and_cleartext critical 6 $A:5900;cleartext high 6 $A:5900;vnc_unencrypted high 6 $A:5900" \
	"the twelve lab captures in one store: the server on 5900 is seen in clear and over TLS"
t_is "$(evidence vnc_unencrypted)" \
	'{"vnc_security_type":{"None":3,"VNC Authentication":2,"VeNCrypt/Plain":1},"relevant_flows":12,"share":0.5,"credentials_in_clear":1,"auth_mechanisms":"none,plain,vnc"}' \
	"twelve captures: evidence by security type"

# ---- hostile: the report runs ----
for p in bad-client-version reason-too-long name-too-long plain-too-long choice-not-offered bad-result \
	vencrypt-not-offered truncated-challenge absurd-subtype-count rfb37-failed rfb33-invalid; do
	r=$(findings "$C/$p.pcap")
	t_ok "$(case "$r" in rc=0*|rc=6*) echo 0 ;; *) echo 1 ;; esac)" "$p: the report runs (${r%% *})"
done
t_done
