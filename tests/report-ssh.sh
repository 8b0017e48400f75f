# SPDX-License-Identifier: BSD-3-Clause
# report-ssh.sh — the report's SSH rules (issue 17; docs/REPORT-RULES.md
# "SSH"): exact findings, severities, flow counts and evidence over the real
# OpenSSH captures of pcaps/ssh/ (tools/lab/gen-ssh.sh) and the hand-built
# conversations of tools/mkpcap-ssh.py (offered-weak, Terrapin exposure,
# SSH-1, and the hostile ones, which must only not crash the report).
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/ssh
C=$T_TMP/c
python3 "$SRCDIR/tools/mkpcap-ssh.py" "$C" || { t_ok 1 "mkpcap-ssh.py"; t_done; exit 1; }

# findings PCAP...: every finding of the report (default level 2) as
# "requirement kind severity flows server:port", in report order, ';'-joined
findings() {
	local db
	db=$(t_capture "$@")
	"$WIREAUDIT" report -d "$db" -F json >"$T_TMP/r.json"
	echo "rc=$? $(jq -r '[.requirements[] | .id as $id | .findings[] |
		"\($id) \(.kind) \(.severity) \(.flows) \(.server_ip):\(.server_port)"] | join(";")' "$T_TMP/r.json")"
}
# evidence KIND: the evidence object of the first finding of KIND in r.json
evidence() {
	jq -c --arg k "$1" '[.requirements[].findings[] | select(.kind == $k)][0].evidence' "$T_TMP/r.json"
}

# ---- real captures ----
t_is "$(findings "$S/ssh-modern-defaults.pcap")" "rc=0 " \
	"modern OpenSSH defaults: no finding (umac-64/hmac-sha1 in the server's default MACs are legacy, not held against it)"
t_is "$(jq -r '.requirements[] | select(.id == "12.1.2") | .status + "|" + .reason' "$T_TMP/r.json")" \
	"pass|1 relevant flow observed, none violating" "modern defaults: 12.1.2 passes on the SSH flow"
t_is "$(findings "$S/ssh-port2222.pcap")" "rc=0 " "modern defaults on port 2222: no finding"
t_is "$(findings "$S/ssh-aes-gcm-rsa-hostkey.pcap")" "rc=0 " \
	"aes256-gcm with rsa-sha2-512 host key: no finding (GCM is not Terrapin-exposed; rsa-sha2 is not ssh-rsa)"
t_is "$(findings "$S/ssh-server-old-algorithms.pcap")" \
	"rc=6 12.1.2 ssh_weak_algorithms_negotiated high 1 10.99.23.2:22" "server forced to old algorithms: negotiated-weak"
t_is "$(evidence ssh_weak_algorithms_negotiated)" \
	'{"ssh_selected_weak":{"kex=diffie-hellman-group1-sha1(broken) cipher_c2s=aes128-cbc(legacy) cipher_s2c=aes128-cbc(legacy) mac_c2s=hmac-sha1(legacy) mac_s2c=hmac-sha1(legacy)":1},"relevant_flows":1,"share":1}' \
	"old server: the weak selected names, their list and class"
t_is "$(jq -r '.requirements[] | select(.id == "12.1.2") | .rollups[0].cause_type + " " + .rollups[0].cause' "$T_TMP/r.json")" \
	"ssh_server_profile d78de5fb0102e2b9c6faeace863b73f2" "old server: rolled up by HASSHServer"
t_is "$(findings "$S/ssh-client-weak-first.pcap")" \
	"rc=6 12.1.2 ssh_weak_algorithms_negotiated high 1 10.99.23.2:22" \
	"client offering weak first to a server that still accepts them: negotiated-weak"
t_is "$(evidence ssh_weak_algorithms_negotiated)" \
	'{"ssh_selected_weak":{"kex=diffie-hellman-group14-sha1(legacy) cipher_c2s=aes128-cbc(legacy) cipher_s2c=aes128-cbc(legacy) mac_c2s=hmac-md5(broken) mac_s2c=hmac-md5(broken)":1},"relevant_flows":1,"share":1}' \
	"client-weak-first: the weak selected names"
# counts over several connections: one store of the five captures
t_is "$(findings "$S"/*.pcap)" \
	"rc=6 12.1.2 ssh_weak_algorithms_negotiated high 2 10.99.23.2:22" "five captures: one finding, 2 flows"
t_is "$(evidence ssh_weak_algorithms_negotiated | jq -c '[.relevant_flows, .share, (.ssh_selected_weak | length)]')" \
	"[4,0.5,2]" "five captures: 2 of the server's 4 connections, 2 distinct selections"

# ---- retention: a rolled-up day keeps each SSH configuration apart ----
# (src/store/retention.c RET_SSH: the details the rules read are part of the
# roll-up key and stay on the kept row). Day 0: the four configurations and
# the old one again a minute later, in one run; ten days later one more
# connection makes --retain-flows 7d roll day 0 up.
if command -v editcap >/dev/null; then
	editcap -t 60 "$S/ssh-server-old-algorithms.pcap" "$T_TMP/old2.pcap" >/dev/null
	editcap -t 864000 "$S/ssh-modern-defaults.pcap" "$T_TMP/late.pcap" >/dev/null
	day0=(-r "$S/ssh-modern-defaults.pcap" -r "$S/ssh-server-old-algorithms.pcap" -r "$S/ssh-client-weak-first.pcap"
	      -r "$S/ssh-aes-gcm-rsa-hostkey.pcap" -r "$T_TMP/old2.pcap")
	"$WIREAUDIT" capture -q "${day0[@]}" -d "$T_TMP/ra.db" --retain-flows 7d
	"$WIREAUDIT" capture -q -r "$T_TMP/late.pcap" -d "$T_TMP/ra.db" --retain-flows 7d 2>/dev/null
	"$WIREAUDIT" capture -q "${day0[@]}" -d "$T_TMP/rb.db"
	"$WIREAUDIT" capture -q -r "$T_TMP/late.pcap" -d "$T_TMP/rb.db"
	t_is "$(sqlite3 "$T_TMP/ra.db" "SELECT count(*) || ' ' || sum(flows) FROM rollups")" "4 5" \
		"retention: day 0's five SSH flows rolled up into four rows (the two identical old ones merged)"
	sum() { "$WIREAUDIT" report -d "$1" -F json | jq -c '[.requirements[] | [.id, .status, .reason,
		[.findings[] | [.kind, .flows, .evidence]]]]'; }
	t_is "$(sum "$T_TMP/ra.db")" "$(sum "$T_TMP/rb.db")" "retention: the rolled-up store reports what the raw one does"
else
	echo "# editcap missing (tshark package): retention case skipped"
fi

# ---- hand-built conversations ----
t_is "$(findings "$C/weak-offered.pcap")" \
	"rc=6 12.1.2 ssh_weak_algorithms_offered medium 1 10.66.0.2:22" "modern selection, server still offers broken names: offered-weak"
t_is "$(evidence ssh_weak_algorithms_offered | jq -r '.ssh_server_offers | keys[]')" \
	"server_kex_algorithms:diffie-hellman-group1-sha1 server_host_key_algorithms:ssh-dss server_ciphers_c2s:3des-cbc server_ciphers_c2s:arcfour server_ciphers_s2c:3des-cbc server_macs_c2s:hmac-md5 server_macs_s2c:hmac-md5" \
	"offered-weak: every broken name with its list (umac-64, hmac-sha1: legacy, left out)"
t_is "$(findings "$C/terrapin-chacha.pcap")" \
	"rc=6 12.1.2 ssh_weak_algorithms_negotiated high 1 10.66.0.2:22;12.1.2 ssh_no_strict_kex medium 1 10.66.0.2:22" \
	"client strict KEX, server none, chacha20-poly1305 and CBC-EtM selected: Terrapin exposure"
t_is "$(evidence ssh_no_strict_kex | jq -r '.ssh_terrapin_mode | keys[]')" \
	"chacha20-poly1305@openssh.com aes128-cbc+hmac-sha2-256-etm@openssh.com" "Terrapin: both exposed modes named"
t_is "$(findings "$C/terrapin-ctr-etm.pcap")" "rc=0 " "no strict KEX on the server, but CTR-EtM and GCM: not flagged"
t_is "$(findings "$C/server-1.99.pcap")" \
	"rc=6 12.1.2 ssh_weak_algorithms_offered medium 1 10.66.0.2:22;12.3.1 ssh_protocol_1 high 1 10.66.0.2:22" \
	"server announcing 1.99: protocol 1 offered (and its group1 kex offered)"
t_is "$(evidence ssh_protocol_1)" '{"ssh_protocol":{"server 1.99":1},"relevant_flows":1,"share":1}' "1.99: evidence"
t_is "$(findings "$C/ssh1.pcap")" "rc=6 12.3.1 ssh_protocol_1 high 1 10.66.0.2:22" "SSH-1.5 both sides: protocol 1"
t_is "$(jq -r '.requirements[] | select(.id == "12.3.1") | .status + "|" + .reason' "$T_TMP/r.json")" \
	"fail|1 finding over 1 flow: ssh_protocol_1" "SSH-1 (security unknown) still makes 12.3.1 fail"
# hostile and malformed conversations: the report runs, every format
for p in "$C"/*.pcap; do
	db=$(t_capture "$p")
	bad=0
	for f in json text md csv html; do
		"$WIREAUDIT" report -d "$db" -F "$f" >/dev/null 2>"$T_TMP/err"
		rc=$?
		[ "$rc" -eq 0 ] || [ "$rc" -eq 6 ] || bad=$rc
	done
	t_is "$bad" 0 "$(basename "$p"): report in every format exits 0 or 6"
done
# all of them in one store: one run of the rules over every case
t_ok $(db=$(t_capture "$C"/*.pcap "$S"/*.pcap); "$WIREAUDIT" report -d "$db" -F json >/dev/null; rc=$?; [ $rc -eq 6 ] && echo 0 || echo 1) \
	"every SSH case in one store: the report runs (exit 6)"
t_done
