#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# report-syslog.sh — syslog in the report (issue 17; docs/REPORT-RULES.md
# "syslog"): syslog has a TLS form (RFC 5425), so the generic 12.3.1
# `cleartext` rule (src/report/rules.c rp_tls_form) judges every syslog flow
# in clear — no syslog-specific kind duplicates it. Exact findings, with the
# server, port and protocol, over the real rsyslogd + logger captures of
# pcaps/syslog/ (tools/lab/gen-syslog.sh); the TLS one on 6514 passes 12.3.1.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/syslog

# findings PCAP...: every finding of the report (default level 2) as
# "requirement kind severity flows server:port/protocol", in report order
findings() {
	local db
	db=$(t_capture "$@")
	"$WIREAUDIT" report -d "$db" -F json >"$T_TMP/r.json"
	echo "rc=$? $(jq -r '[.requirements[] | .id as $id | .findings[] |
		"\($id) \(.kind) \(.severity) \(.flows) \(.server_ip):\(.server_port)/\(.protocol)"] | join(";")' "$T_TMP/r.json")"
}
status() { jq -r --arg r "$1" '.requirements[] | select(.id == $r) | .status' "$T_TMP/r.json"; }

for p in syslog-udp-rfc3164:514 syslog-udp-rfc5424:514 syslog-tcp-nontransparent-rfc3164:514 \
	syslog-tcp-octet-rfc5424-601:601; do
	t_is "$(findings "$S/${p%:*}.pcap")" "rc=6 12.3.1 cleartext medium 1 10.99.24.2:${p#*:}/syslog" \
		"${p%:*}: 12.3.1 cleartext, server port ${p#*:}, protocol syslog"
done
t_is "$(jq -c '[.requirements[].findings[] | select(.kind == "cleartext")][0] | [.evidence.security, .top_clients[0].ip // .clients[0].ip // null]' "$T_TMP/r.json")" \
	'[{"cleartext":1},"10.99.24.1"]' "evidence: security cleartext, the sending client"
t_is "$(findings "$S/syslog-tls-6514.pcap")" "rc=0 " "TLS on 6514 (RFC 5425): no finding"
t_is "$(status 12.3.1)" "pass" "TLS on 6514: 12.3.1 passes"
t_is "$(findings "$S"/*.pcap | cut -d' ' -f1)" "rc=6" "all five: fails"
t_is "$(jq -r '[.requirements[] | select(.id == "12.3.1") | .findings[] | .kind] | unique | join(",")' "$T_TMP/r.json")" \
	"cleartext" "all five: only the generic cleartext kind, one per server endpoint"
t_is "$(jq -r '[.requirements[] | select(.id == "12.3.1") | .findings[] | .server_port] | sort | join(",")' "$T_TMP/r.json")" \
	"514,601" "all five: 514 (UDP and TCP flows share the endpoint) and 601"
t_done
