#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# report-xmpp.sh — XMPP in the report (issue 18; docs/REPORT-RULES.md
# "XMPP"): XMPP has a TLS form (RFC 6120 §5 STARTTLS, XEP-0368 direct TLS),
# so the generic 12.3.1 rules (src/report/rules.c rp_tls_form) judge every
# XMPP flow that went on in clear: `cleartext` (no STARTTLS offered),
# `starttls_not_used` (offered, ignored), `tls_refused`; the generic
# credentials evidence (a SASL PLAIN payload seen: `cleartext.credentials`)
# raises them to high. No XMPP-specific kind duplicates them. Exact findings,
# with server, port, protocol and evidence, over the real prosody captures
# of pcaps/xmpp/ (tools/lab/gen-xmpp.sh); STARTTLS and direct TLS pass.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/xmpp

# findings PCAP...: every finding of the report (default level 2) as
# "requirement kind severity flows server:port/protocol credentials", in report order
findings() {
	local db
	db=$(t_capture "$@")
	"$WIREAUDIT" report -d "$db" -F json >"$T_TMP/r.json"
	echo "rc=$? $(jq -r '[.requirements[] | .id as $id | .findings[] |
		"\($id) \(.kind) \(.severity) \(.flows) \(.server_ip):\(.server_port)/\(.protocol) \(.evidence.credentials_in_clear // 0)"] | join(";")' "$T_TMP/r.json")"
}
status() { jq -r --arg r "$1" '.requirements[] | select(.id == $r) | .status' "$T_TMP/r.json"; }
evidence() { jq -c --arg k "$1" '[.requirements[].findings[] | select(.kind == $k)][0].evidence | [.security, .credentials_in_clear, .auth_mechanisms]' "$T_TMP/r.json"; }

t_is "$(findings "$S/xmpp-plain-no-tls.pcap")" "rc=6 12.3.1 cleartext high 1 10.99.31.2:5222/xmpp 1" \
	"no STARTTLS offered, PLAIN in clear: 12.3.1 cleartext, high"
t_is "$(evidence cleartext)" '[{"cleartext":1},1,"PLAIN"]' "cleartext evidence: one flow with credentials, PLAIN"
t_is "$(findings "$S/xmpp-plain-in-clear.pcap")" "rc=6 12.3.1 starttls_not_used high 1 10.99.31.2:5222/xmpp 1" \
	"(b) STARTTLS offered and ignored, PLAIN in clear: starttls_not_used, high with the password"
t_is "$(evidence starttls_not_used)" '[{"starttls_not_used":1},1,"PLAIN"]' "(b) evidence"
t_is "$(findings "$S/xmpp-scram-in-clear.pcap")" "rc=6 12.3.1 starttls_not_used medium 1 10.99.31.2:5222/xmpp 0" \
	"(d) SCRAM-SHA-1 in clear: starttls_not_used, medium (no password crossed)"
t_is "$(findings "$S/xmpp-required.pcap")" \
	"rc=6 12.3.1 service_encrypted_and_cleartext critical 1 10.99.31.2:5222/xmpp 1;12.3.1 starttls_not_used high 1 10.99.31.2:5222/xmpp 1" \
	"(c) STARTTLS required, one client upgrades, one sends PLAIN in clear: the mixed service and the clear flow"
for p in xmpp-starttls-plain xmpp-s2s-starttls xmpp-direct-tls; do
	t_is "$(findings "$S/$p.pcap")" "rc=0 " "$p: no finding"
	t_is "$(status 12.3.1)" "pass" "$p: 12.3.1 passes"
done
t_is "$(findings "$S/xmpp-starttls-no-tls.pcap")" "rc=0 " \
	"STARTTLS refused by a stream error, nothing in clear after it: no finding"
t_is "$(findings "$S"/xmpp-plain-no-tls.pcap "$S"/xmpp-plain-in-clear.pcap "$S"/xmpp-scram-in-clear.pcap)" \
	"rc=6 12.3.1 starttls_not_used high 2 10.99.31.2:5222/xmpp 1;12.3.1 cleartext high 1 10.99.31.2:5222/xmpp 1" \
	"three clear captures on one endpoint: one finding per state, high with the password"
t_is "$(jq -r '[.requirements[] | select(.id == "12.3.1") | .findings[] | .kind] | unique | join(",")' "$T_TMP/r.json")" \
	"cleartext,starttls_not_used" "only generic kinds"
# hand-built (tools/mkpcap-xmpp.py): STARTTLS answered <failure/>, PLAIN in clear after it
python3 "$SRCDIR/tools/mkpcap-xmpp.py" "$T_TMP/c" >/dev/null
t_is "$(findings "$T_TMP/c/tls-failure.pcap")" "rc=6 12.3.1 tls_refused critical 1 10.68.1.2:5222/xmpp 1" \
	"STARTTLS refused, then PLAIN in clear: tls_refused (high), critical with the password"
t_done
