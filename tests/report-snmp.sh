# SPDX-License-Identifier: BSD-3-Clause
# report-snmp.sh — the report's SNMP kinds (issue 17; docs/REPORT-RULES.md
# "12.3.1"): exact findings, severities, flow counts and evidence over the
# real Net-SNMP captures of pcaps/snmp/ (tools/lab/gen-snmp.sh) and the
# hand-built ones of tools/mkpcap-snmp.py. Each kind has a capture that
# fails it and one that passes: v1/v2c with a community fail
# snmp_community_in_clear, an empty community does not; v3 noAuthNoPriv and
# authNoPriv fail snmp_v3_no_privacy, authPriv passes 12.3.1; discovery
# only is relevant but not observable. The hostile captures must only not
# crash the report.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/snmp
C=$T_TMP/c
python3 "$SRCDIR/tools/mkpcap-snmp.py" "$C" || { t_ok 1 "mkpcap-snmp.py"; t_done; exit 1; }

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
A=10.99.24.2

# ---- snmp_community_in_clear: fail ----
t_is "$(findings "$S/snmp-v1-get.pcap")" \
	"rc=6 cleartext high 1 $A:161;snmp_community_in_clear high 1 $A:161" \
	"v1 get: the session in clear and the community in clear (medium, raised by the credential)"
t_is "$(evidence snmp_community_in_clear)" \
	'{"snmp_version":{"v1":1},"relevant_flows":1,"share":1,"credentials_in_clear":1,"auth_mechanisms":"community"}' \
	"v1: evidence names the version and the mechanism, never the community"
t_is "$(findings "$S/snmp-v2c-get.pcap")" \
	"rc=6 cleartext high 1 $A:161;snmp_community_in_clear high 1 $A:161" "v2c get"
t_is "$(findings "$S/snmp-v2c-trap.pcap")" \
	"rc=6 cleartext high 1 $A:162;snmp_community_in_clear high 1 $A:162" "v2c trap to 162"
t_is "$(findings "$C/v2c-port1161.pcap")" \
	"rc=6 cleartext high 1 10.67.0.2:1161;snmp_community_in_clear high 1 10.67.0.2:1161" \
	"v2c on port 1161 (found by content)"
# ---- snmp_community_in_clear: not raised ----
t_is "$(findings "$C/v1-empty-community.pcap")" "rc=6 cleartext medium 1 10.67.0.2:161" \
	"an empty community: the session in clear, no credential"

# ---- snmp_v3_no_privacy: fail ----
t_is "$(findings "$S/snmp-v3-noauthnopriv.pcap")" \
	"rc=6 cleartext medium 1 $A:161;snmp_v3_no_privacy medium 1 $A:161" "v3 noAuthNoPriv"
t_is "$(evidence snmp_v3_no_privacy)" '{"snmp_security_level":{"noAuthNoPriv":1},"relevant_flows":1,"share":1}' \
	"noAuthNoPriv: evidence the level"
t_is "$(findings "$S/snmp-v3-authnopriv-sha.pcap")" \
	"rc=6 cleartext medium 1 $A:161;snmp_v3_no_privacy medium 1 $A:161" "v3 authNoPriv (SHA)"
t_is "$(evidence snmp_v3_no_privacy)" '{"snmp_security_level":{"authNoPriv":1},"relevant_flows":1,"share":1}' \
	"authNoPriv: evidence the level"
t_is "$(findings "$C/v3-mixed-levels.pcap")" \
	"rc=6 cleartext medium 1 10.67.0.2:161;snmp_v3_no_privacy medium 1 10.67.0.2:161" \
	"authPriv then authNoPriv in one flow: the weakest level fails"
# ---- snmp_v3_no_privacy: pass ----
t_is "$(findings "$S/snmp-v3-authpriv-sha-aes.pcap")" "rc=0 " "v3 authPriv (SHA+AES): no finding"
t_is "$(status)" "pass|1 relevant flow observed, none violating" "authPriv: 12.3.1 passes on the SNMP flow"
t_is "$(findings "$C/v3-authpriv-nodisc.pcap")" "rc=0 " "v3 authPriv without discovery: no finding"
t_is "$(findings "$C/v3-discovery-only.pcap")" "rc=0 " "v3 discovery only: no finding"
t_is "$(status | cut -d'|' -f1)" "not_observable" "discovery only: relevant, security unknown, not observable"

# ---- one agent seen with v2c and v3 authPriv: the fallback 12.3.1 forbids ----
t_is "$(findings "$S"/*.pcap)" \
	"rc=6 service_encrypted_and_cleartext critical 6 $A:161;cleartext high 6 $A:161;snmp_community_in_clear high 4 $A:161;cleartext high 1 $A:162;snmp_community_in_clear high 1 $A:162;snmp_v3_no_privacy medium 2 $A:161" \
	"the eight lab captures in one store: the agent on 161 speaks v3 authPriv and in clear"
t_is "$(evidence snmp_community_in_clear)" \
	'{"snmp_version":{"v2c":3,"v1":1},"relevant_flows":7,"share":0.5714,"credentials_in_clear":4,"auth_mechanisms":"community"}' \
	"eight captures: community evidence by version"

# ---- hostile: the report runs ----
for p in indefinite-length truncated bad-version version-changed priv-without-auth user-too-long unknown-pdu trailing-bytes; do
	r=$(findings "$C/$p.pcap")
	t_ok "$(case "$r" in rc=0*|rc=6*) echo 0 ;; *) echo 1 ;; esac)" "$p: the report runs (${r%% *})"
done
t_done
