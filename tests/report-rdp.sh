#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# report-rdp.sh — the report's RDP kind (issue 17; docs/REPORT-RULES.md
# "12.3.1"): exact findings, severities, flow counts and evidence over the
# real xrdp / FreeRDP captures of pcaps/rdp/ (tools/lab/gen-rdp.sh) and the
# hand-built ones of tools/mkpcap-rdp.py. rdp_standard_security fails
# Standard RDP Security at every encryption level, a server that selects
# PROTOCOL_RDP for a client asking TLS+CredSSP, and a server refusing TLS
# (SSL_NOT_ALLOWED_BY_SERVER); ENCRYPTION_METHOD_NONE is also the generic
# cleartext kind. TLS and CredSSP pass 12.3.1; a failure by which the
# server demands more (HYBRID_REQUIRED_BY_SERVER) and a CC without
# negotiation followed by the server's disconnect are not observable. The
# hostile captures must only not crash the report.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/rdp
C=$T_TMP/c
python3 "$SRCDIR/tools/mkpcap-rdp.py" "$SRCDIR" "$C" || { t_ok 1 "mkpcap-rdp.py"; t_done; exit 1; }

# findings PCAP...: every 12.3.1 finding of the report (level 2) as
# "kind severity flows server:port", in report order, ';'-joined
findings() {
	local db
	db=$(t_capture "$@")
	"$WIREAUDIT" report -d "$db" -F json >"$T_TMP/r.json"
	echo "rc=$? $(jq -r '[.requirements[] | select(.id == "12.3.1") | .findings[] |
		"\(.kind) \(.severity) \(.flows) \(.server_ip):\(.server_port)"] | join(";")' "$T_TMP/r.json")"
}
# evidence KIND: the evidence object of the first finding of KIND in r.json
evidence() {
	jq -c --arg k "$1" '[.requirements[].findings[] | select(.kind == $k)][0].evidence' "$T_TMP/r.json"
}
status() {
	jq -r '.requirements[] | select(.id == "12.3.1") | .status + "|" + .reason' "$T_TMP/r.json"
}
A=10.99.61.2
X=10.67.0.2

# ---- rdp_standard_security: fail ----
for lv in "high 128bit" "low 40bit" "fips fips"; do
	set -- $lv
	t_is "$(findings "$S/rdp-std-$1.pcap")" "rc=6 rdp_standard_security high 1 $A:3389" \
		"std-$1: Standard RDP Security is a finding"
	t_is "$(evidence rdp_standard_security)" \
		"{\"rdp_standard_security\":{\"$2\":1},\"relevant_flows\":1,\"share\":1}" \
		"std-$1: evidence the encryption method ($2)"
	t_is "$(status)" "fail|1 finding over 1 flow: rdp_standard_security" "std-$1: 12.3.1 fails"
done
t_is "$(findings "$S/rdp-nla-server-rdp.pcap")" "rc=6 rdp_standard_security high 1 $A:3389" \
	"nla-server-rdp: the server selected PROTOCOL_RDP for a TLS+CredSSP request"
t_is "$(evidence rdp_standard_security)" '{"rdp_standard_security":{"selected":1},"relevant_flows":1,"share":1}' \
	"nla-server-rdp: evidence 'selected' (no MCS phase seen)"
t_is "$(findings "$C/fail-ssl-not-allowed.pcap")" "rc=6 rdp_standard_security high 1 $X:3389" \
	"SSL_NOT_ALLOWED_BY_SERVER: the server refuses TLS"
t_is "$(evidence rdp_standard_security)" \
	'{"rdp_standard_security":{"ssl_not_allowed_by_server":1},"relevant_flows":1,"share":1}' \
	"the failure as evidence"
t_is "$(findings "$C/std-enc-none.pcap")" \
	"rc=6 rdp_standard_security critical 1 $X:3389;cleartext high 1 $X:3389" \
	"ENCRYPTION_METHOD_NONE, Client Info in clear: Standard RDP Security and the generic kind, both raised by the password"
t_is "$(evidence rdp_standard_security)" \
	'{"rdp_standard_security":{"none":1},"relevant_flows":1,"share":1,"credentials_in_clear":1,"auth_mechanisms":"password"}' \
	"method none and the password in clear as evidence"
t_is "$(findings "$C/std-port-13389.pcap")" "rc=6 rdp_standard_security high 1 $X:13389" \
	"port 13389 (found by content)"

# ---- pass: TLS, CredSSP ----
for p in tls negotiate-auto nla-shadow nla-server-tls; do
	t_is "$(findings "$S/rdp-$p.pcap")" "rc=0 " "$p: no 12.3.1 finding"
	t_is "$(status)" "pass|1 relevant flow observed, none violating" "$p: 12.3.1 passes"
done
t_is "$(findings "$C/token-tls.pcap")" "rc=0 " "routing token, TLS selected: no finding"

# ---- not observable: no session, nothing chosen by the server ----
t_is "$(findings "$S/rdp-tls-shadow-nla.pcap")" "rc=0 " "HYBRID_REQUIRED_BY_SERVER: the server asks for more, no finding"
t_is "$(status | cut -d'|' -f1)" "not_observable" "HYBRID_REQUIRED_BY_SERVER: relevant, not observable"
t_is "$(findings "$S/rdp-rdp-server-tls.pcap")" "rc=0 " \
	"a CC without negotiation then the server's disconnect: no Standard RDP Security session, no finding"
t_is "$(status | cut -d'|' -f1)" "not_observable" "rdp-server-tls: not observable"
t_is "$(findings "$C/fail-unknown-code.pcap")" "rc=0 " "an unknown failure code: no finding"

# ---- one server seen with TLS and Standard RDP Security ----
t_is "$(findings "$S/rdp-tls.pcap" "$S/rdp-std-high.pcap")" \
	"rc=6 rdp_standard_security high 1 $A:3389" \
	"TLS and Standard RDP Security to one server: the RDP flow is the finding (app_encrypted is not 'in clear', so no fallback kind)"
t_is "$(evidence rdp_standard_security)" \
	'{"rdp_standard_security":{"128bit":1},"relevant_flows":2,"share":0.5}' "two relevant flows, one violating"

# ---- hostile: the report runs ----
for p in cc-tpkt-version-4 cc-tpkt-length-5 cc-tpkt-oversized cr-truncated cc-bad-li cc-wrong-tpdu \
	cr-cookie-no-crlf cr-neg-req-len-9 cc-selected-0x40 cc-trailing ci-not-ber ci-bad-t124 cresp-block-overrun cinfo-short; do
	r=$(findings "$C/$p.pcap")
	t_ok "$(case "$r" in rc=0*|rc=6*) echo 0 ;; *) echo 1 ;; esac)" "$p: the report runs (${r%% *})"
done
t_done
