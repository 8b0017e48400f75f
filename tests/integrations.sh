# SPDX-License-Identifier: BSD-3-Clause
# integrations.sh — the SIEM mapping files of tools/integrations/
# (docs/INTEGRATIONS.md, issue 15) against real exports, field by field.
#
# Captures of pcaps/ (TLS 1.0-1.3, mutual TLS, a fatal alert, QUIC, IPv6,
# HTTP with a user in clear, SMTP STARTTLS, QinQ VLAN tags) are exported and
# fed to each filter three ways: the export as it is; the export with a
# flow_uid added where it has none (so the flow_uid mappings are checked
# before and after the export gains the field); and the same records wrapped
# in the EVE envelope of `capture --eve`, with a stats event between them
# (and the real `capture --eve` output when this build has the option).
#
#   ecs.jq        every mapped value equals the export's (or its documented
#                 transform: tls.version "TLSv1.2" -> "1.2", hashes upper
#                 case, ...); no null in the ECS part; `wireaudit` is the
#                 record unchanged
#   zeek-*.jq     conn.log and ssl.log names and values, nothing the export
#                 does not have (conn_state, history, ... never written)
#   elastic-ingest-pipeline.json
#                 parses; reads only fields the export has; renames every
#                 top-level field of the export; run by tests/es-ingest-sim.py
#                 it gives ecs.jq's documents exactly (and a pipeline with one
#                 processor changed does not)
#   join-community-id.jq
#                 pairs by Community ID within the time window only
. "$SRCDIR/tests/lib.sh"

for t in jq python3; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t missing (tools/install-deps)"; exit 0; }
done

I=$SRCDIR/tools/integrations
P=$SRCDIR/pcaps
DB=$(t_capture "$P/tls/tls12-good-chain.pcap" "$P/tls/tls12-mtls-client-cert.pcap" \
	"$P/tls/tls12-client-rejects-untrusted.pcap" "$P/tls/tls10-ecdhe-rsa-aes128-sha.pcap" \
	"$P/tls/tls13-basic-nginx-curl.pcap" "$P/tls/tls13-ipv6.pcap" "$P/tls/quic-ngtcp2.pcap" \
	"$P/tls/tls12-resume-session-id.pcap" "$P/tls/tls12-wrong-host-curl.pcap")
DB2=$(t_capture "$P/sample/http-mixed.pcap" "$P/plain/smtp-starttls.pcap" "$P/encap/http-qinq.pcap" \
	"$P/icmp/icmp-lab.pcap")
E=$T_TMP/export.jsonl
{ "$WIREAUDIT" export -d "$DB"; "$WIREAUDIT" export -d "$DB2"; } >"$E"
N=$(wc -l <"$E")
t_ok $(( N < 20 )) "captures exported ($N flows)"

# the export with a flow_uid where it has none (16 hex digits, '-', flow_id)
U=$T_TMP/uid.jsonl
jq -c 'if has("flow_uid") then . else
	{flow_id, run_id, flow_uid: (("0000000000000000" + (.run_id | tostring))[-16:] + "-" + (.flow_id | tostring))} + .
	end' "$E" >"$U"
# the EVE envelope (docs/INTEGRATIONS.md), a stats event after the first flow
V=$T_TMP/eve.jsonl
jq -c '{timestamp: .ts_last, event_type: "flow", sensor: "sensor-a", flow_uid, community_id}
	+ (if .interface then {in_iface: .interface} else {} end)
	+ {src_ip: .client_ip, src_port: .client_port, dest_ip: .server_ip, dest_port: .server_port,
	proto: ({"tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "icmp6": "IPv6-ICMP"}[.transport])}
	+ (if .end_reason == "open" then {snapshot: true} else {} end) + {flow: .}' "$U" |
	awk 'NR == 2 { print "{\"timestamp\":\"2026-12-07T01:02:03.456789Z\",\"event_type\":\"stats\",\"sensor\":\"sensor-a\",\"stats\":{\"run_id\":1,\"packets\":10,\"eve\":{\"written\":1,\"dropped\":0}}}" } { print }' >"$V"
t_is "$(jq -c 'select(.event_type == "flow") | .flow' "$V" | cmp -s - "$U"; echo $?)" 0 \
	"EVE test input: the flow objects are the records"

# ---- checks: COND over $f (the record) and $d (the mapped document) ----
# pairs of the i-th flow record of RECORDS and the i-th line of DOCS
fails() { # RECORDS DOCS COND -> number of pairs where COND is not true
	jq -n --slurpfile r "$1" --slurpfile e "$2" "
		[\$r[] | select((.event_type // \"flow\") == \"flow\") | (.flow // .)] as \$rs
		| if (\$rs | length) != (\$e | length) then \"count \(\$rs | length) != \(\$e | length)\" else
		[range(0; \$rs | length) as \$i | \$rs[\$i] as \$f | \$e[\$i] as \$d
		 | select(($3) != true)] | length end"
}
us='(.[0:19] + "Z" | fromdate) * 1000000 + (.[20:26] | tonumber)'

# ================= ECS =================
ecs_checks() { # INPUT LABEL
	local in=$1 l=$2 d=$T_TMP/ecs.$2
	jq -c -f "$I/ecs.jq" "$in" >"$d" 2>"$T_TMP/err"
	t_is "$?|$(wc -l <"$d")|$(cat "$T_TMP/err")" "0|$N|" "ecs.jq ($l): one document per flow, no error"
	t_is "$(fails "$in" "$d" '$d.source.ip == $f.client_ip and $d.source.port == $f.client_port
		and $d.destination.ip == $f.server_ip and $d.destination.port == $f.server_port
		and $d.source.packets == $f.packets_c2s and $d.source.bytes == $f.bytes_c2s
		and $d.destination.packets == $f.packets_s2c and $d.destination.bytes == $f.bytes_s2c
		and $d.client == ($d.source | del(.domain)) and $d.server == ($d.destination | del(.domain))')" 0 \
		"ecs ($l): source/destination/client/server ip, port, packets, bytes = client_*/server_*, *_c2s/*_s2c"
	t_is "$(fails "$in" "$d" '$d.network.transport == ({"icmp6": "ipv6-icmp"}[$f.transport] // $f.transport)
		and $d.network.iana_number == {"tcp": "6", "udp": "17", "icmp": "1", "icmp6": "58"}[$f.transport]
		and $d.network.type == (if ($f.client_ip | test(":")) then "ipv6" else "ipv4" end)
		and $d.network.community_id == $f.community_id and ($f.community_id | startswith("1:"))
		and $d.network.packets == $f.packets_c2s + $f.packets_s2c
		and $d.network.bytes == $f.bytes_c2s + $f.bytes_s2c
		and $d.network.protocol == $f.protocol
		and $d.network.vlan.id == (if $f.vlan == 0 then null else ($f.vlan | tostring) end)
		and $d.network.inner.vlan.id == (if $f.vlan_inner == 0 then null else ($f.vlan_inner | tostring) end)
		and $d.related.ip == ([$f.client_ip, $f.server_ip] | unique | if length == 1 then . else [$f.client_ip, $f.server_ip] end)')" 0 \
		"ecs ($l): network.* (transport, iana_number, type, community_id, sums, protocol, vlan ids), related.ip"
	t_is "$(fails "$in" "$d" "\$d[\"@timestamp\"] == \$f.ts_first and \$d.event.start == \$f.ts_first
		and \$d.event.end == \$f.ts_last
		and \$d.event.duration == ((\$f.ts_last | $us) - (\$f.ts_first | $us)) * 1000
		and \$d.event.kind == \"event\" and \$d.event.category == [\"network\"]
		and \$d.event.type == (if \$f.end_reason == \"open\" then [\"connection\", \"info\"] else [\"connection\", \"end\"] end)
		and \$d.event.id == \$f.flow_uid
		and \$d.observer.ingress.interface.name == \$f.interface")" 0 \
		"ecs ($l): @timestamp, event.start/end/duration (ns), type, event.id = flow_uid (absent without)"
	t_is "$(fails "$in" "$d" '($f.tls == null and $d.tls == null) or ($f.tls != null and
		$d.tls.version == ({"TLSv1.0": "1.0", "TLSv1.1": "1.1", "TLSv1.2": "1.2", "TLSv1.3": "1.3", "SSLv3": "3.0"}[$f.tls.version])
		and $d.tls.version_protocol == (if $f.tls.version == null then null elif ($f.tls.version | startswith("SSL")) then "ssl" else "tls" end)
		and $d.tls.cipher == $f.tls.cipher and $d.tls.curve == $f.tls.kx_group
		and $d.tls.established == $f.tls.established and $d.tls.resumed == $f.tls.resumed
		and $d.tls.next_protocol == (if $f.tls.alpn_selected == "not_observable" then null else $f.tls.alpn_selected end)
		and $d.tls.client.server_name == $f.tls.sni and $d.destination.domain == $f.tls.sni
		and $d.related.hosts == (if $f.tls.sni then [$f.tls.sni] else null end)
		and $d.tls.client.ja3 == $f.tls.ja3 and $d.tls.server.ja3s == $f.tls.ja3s)')" 0 \
		"ecs ($l): tls.version (1.0..1.3), version_protocol, cipher, curve, established, resumed, next_protocol, server_name, ja3, ja3s"
	for side in server:certs client:client_certs; do
		t_is "$(fails "$in" "$d" "((\$f.tls.${side#*:} // [])[0]) as \$c | if \$c == null then \$d.tls.${side%:*}.hash == null and \$d.tls.${side%:*}.x509 == null else
			\$d.tls.${side%:*}.hash.sha256 == (\$c.sha256 | ascii_upcase) and \$d.tls.${side%:*}.hash.sha1 == (\$c.sha1 | ascii_upcase)
			and \$d.tls.${side%:*}.subject == \$c.subject and \$d.tls.${side%:*}.issuer == \$c.issuer
			and \$d.tls.${side%:*}.not_before == \$c.not_before and \$d.tls.${side%:*}.not_after == \$c.not_after
			and \$d.tls.${side%:*}.x509.serial_number == (\$c.serial | ascii_upcase)
			and \$d.tls.${side%:*}.x509.version_number == (\$c.version | tostring)
			and \$d.tls.${side%:*}.x509.subject.distinguished_name == \$c.subject
			and \$d.tls.${side%:*}.x509.subject.common_name == [\$c.subject_cn]
			and \$d.tls.${side%:*}.x509.issuer.distinguished_name == \$c.issuer
			and \$d.tls.${side%:*}.x509.public_key_algorithm == \$c.key_type
			and \$d.tls.${side%:*}.x509.public_key_size == \$c.key_bits
			and \$d.tls.${side%:*}.x509.public_key_curve == \$c.curve
			and \$d.tls.${side%:*}.x509.signature_algorithm == \$c.sig_alg
			and (\$d.tls.${side%:*}.x509.alternative_names // []) == \$c.sans end")" 0 \
			"ecs ($l): tls.${side%:*}.hash/subject/issuer/not_*/x509.* = the first of tls.${side#*:}"
	done
	t_is "$(fails "$in" "$d" '$d.user.name == $f.cleartext.user
		and $d.related.user == (if $f.cleartext.user then [$f.cleartext.user] else null end)
		and (if $f.protocol == "http" then
			$d.http.request.method == $f.cleartext.details.method
			and $d.http.version == ($f.cleartext.details.version | ltrimstr("HTTP/"))
			and $d.http.response.status_code == $f.cleartext.details.status
			and $d.url.original == $f.cleartext.details.target
			and $d.user_agent.original == $f.cleartext.details.user_agent
		else $d.http == null and $d.url == null end)')" 0 \
		"ecs ($l): user.name, related.user, http.*/url.original/user_agent.original (HTTP flows only)"
	t_is "$(fails "$in" "$d" '$d.wireaudit == $f and ([$d | del(.wireaudit) | .. | select(. == null or . == [] or . == {})] | length) == 0
		and $d.ecs.version == "8.11.0"')" 0 \
		"ecs ($l): wireaudit is the record unchanged; no null or empty value in the ECS fields"
}
ecs_checks "$E" export
ecs_checks "$U" uid
ecs_checks "$V" eve
D=$T_TMP/ecs.eve
t_is "$(jq -n --slurpfile r "$V" --slurpfile e "$D" '[$r[] | select(.event_type == "flow")] as $rs
	| [range(0; $rs | length) as $i | select($e[$i].observer.name != $rs[$i].sensor or $e[$i].event.end != $rs[$i].timestamp)] | length')" 0 \
	"ecs (eve): observer.name = sensor, event.end = the event's timestamp; the stats event gives nothing"
# the cases above must not be vacuous
t_is "$(jq -s '[(map(select(.tls.server.x509)) | length > 0), (map(select(.tls.client.x509)) | length > 0),
	(map(select(.tls.version == "1.0")) | length > 0), (map(select(.tls.version == "1.3")) | length > 0),
	(map(select(.network.type == "ipv6")) | length > 0), (map(select(.user.name)) | length > 0),
	(map(select(.http)) | length > 0), (map(select(.network.vlan.id and .network.inner.vlan.id)) | length > 0),
	(map(select(.wireaudit.tls.alert)) | length > 0), (map(select(.network.transport == "udp")) | length > 0),
	(map(select(.network.transport == "icmp")) | length > 0), (map(select(.network.transport == "ipv6-icmp")) | length > 0)] | all' "$D")" \
	true "ecs: the captures cover server and client certificates, TLS 1.0 and 1.3, IPv6, a user, HTTP, QinQ, an alert, UDP, ICMP, ICMPv6"
# version names that the captures do not have, through the same filter
t_is "$(head -1 "$E" | jq -c '. as $r | ["SSLv2", "SSLv3", "TLSv1.3-draft23", "0x0305"][] as $v | $r | .tls.version = $v' |
	jq -c -f "$I/ecs.jq" | jq -r '"\(.tls.version)/\(.tls.version_protocol)"' | tr '\n' ' ')" \
	"2.0/ssl 3.0/ssl 1.3-draft23/tls 0x0305/0x0305 " "ecs: SSLv2, SSLv3, a TLS 1.3 draft, an unnamed version"

# ================= Zeek conn.log =================
for in in "$E" "$U" "$V"; do
	l=$(basename "$in" .jsonl)
	d=$T_TMP/conn.$l
	jq -c -f "$I/zeek-conn.jq" "$in" >"$d"
	t_is "$?|$(wc -l <"$d")" "0|$N" "zeek-conn.jq ($l): one entry per flow"
	t_is "$(fails "$in" "$d" "\$d.ts == \$f.ts_first and \$d.uid == \$f.flow_uid
		and \$d[\"id.orig_h\"] == \$f.client_ip and \$d[\"id.orig_p\"] == \$f.client_port
		and \$d[\"id.resp_h\"] == \$f.server_ip and \$d[\"id.resp_p\"] == \$f.server_port
		and \$d.proto == ({\"icmp6\": \"icmp\"}[\$f.transport] // \$f.transport)
		and \$d.ip_proto == {\"tcp\": 6, \"udp\": 17, \"icmp\": 1, \"icmp6\": 58}[\$f.transport]
		and \$d.orig_bytes == \$f.payload_bytes_c2s and \$d.resp_bytes == \$f.payload_bytes_s2c
		and \$d.orig_pkts == \$f.packets_c2s and \$d.resp_pkts == \$f.packets_s2c
		and \$d.community_id == \$f.community_id
		and ((\$d.duration * 1000000 | round) == (\$f.ts_last | $us) - (\$f.ts_first | $us))
		and \$d.vlan == (if \$f.vlan == 0 then null else \$f.vlan end)
		and \$d.inner_vlan == (if \$f.vlan_inner == 0 then null else \$f.vlan_inner end)")" 0 \
		"zeek conn ($l): ts, uid = flow_uid, id.*, proto, ip_proto, orig/resp_bytes = payload, *_pkts, duration, community_id, vlan"
done
d=$T_TMP/conn.uid
t_is "$(fails "$U" "$d" '$d.service == (
		if $f.protocol == null then null
		elif $f.protocol == "tls" then (if $f.security == "tls" then "ssl" else null end)
		elif $f.security == "starttls" then $f.protocol + ",ssl"
		else $f.protocol end)')" 0 "zeek conn: service (tls -> ssl, STARTTLS -> PROTO,ssl, none without a dissector)"
t_is "$(jq -r ".service // empty" "$d" | sort -u | tr '\n' ' ')" "http quic redis smtp,ssl ssl " "zeek conn: the services of the captures"
t_is "$(jq -s '[.[] | keys[]] | unique - ["ts","uid","id.orig_h","id.orig_p","id.resp_h","id.resp_p","proto","service",
	"duration","orig_bytes","resp_bytes","orig_pkts","resp_pkts","ip_proto","community_id","vlan","inner_vlan"] | length' "$d")|$(
	jq -s '[.[] | keys[] | select(IN("conn_state","history","missed_bytes","orig_ip_bytes","resp_ip_bytes","local_orig","local_resp","tunnel_parents"))] | length' "$d")|$(
	jq -s '[.[] | .[] | select(. == null)] | length' "$d")" "0|0|0" \
	"zeek conn: only conn.log names; conn_state, history, missed_bytes, *_ip_bytes, local_* never; no null"

# ================= Zeek ssl.log =================
NT=$(jq -s 'map(select(.tls != null)) | length' "$E")
for in in "$E" "$U" "$V"; do
	l=$(basename "$in" .jsonl)
	d=$T_TMP/ssl.$l
	jq -c -f "$I/zeek-ssl.jq" "$in" >"$d"
	jq -c 'select((.event_type // "flow") == "flow") | (.flow // .) | select(.tls != null)' "$in" >"$T_TMP/tlsrec.$l"
	t_is "$?|$(wc -l <"$d")" "0|$NT" "zeek-ssl.jq ($l): one entry per flow with a tls object"
	t_is "$(fails "$T_TMP/tlsrec.$l" "$d" '$f.tls as $t | $d.ts == $f.ts_first and $d.uid == $f.flow_uid
		and $d["id.orig_h"] == $f.client_ip and $d["id.orig_p"] == $f.client_port
		and $d["id.resp_h"] == $f.server_ip and $d["id.resp_p"] == $f.server_port
		and $d.version == ({"TLSv1.0": "TLSv10", "TLSv1.1": "TLSv11", "TLSv1.2": "TLSv12", "TLSv1.3": "TLSv13", "SSLv3": "SSLv3"}[$t.version])
		and $d.cipher == $t.cipher and $d.curve == $t.kx_group and $d.server_name == $t.sni
		and $d.resumed == $t.resumed and $d.established == $t.established
		and $d.last_alert == $t.alert.description
		and $d.next_protocol == (if $t.alpn_selected == "not_observable" then null else $t.alpn_selected end)
		and ($d.cert_chain_fps // []) == [$t.certs[].sha256] and ($d.client_cert_chain_fps // []) == [$t.client_certs[].sha256]
		and $d.subject == $t.certs[0].subject and $d.issuer == $t.certs[0].issuer
		and $d.client_subject == $t.client_certs[0].subject and $d.client_issuer == $t.client_certs[0].issuer
		and $d.sni_matches_cert == $t.hostname_match
		and $d.validation_status == (if $t.chain_trusted == true then "ok" elif $t.chain_trusted == false then $t.trust_error else null end)
		and $d.ja3 == $t.ja3 and $d.ja3s == $t.ja3s')" 0 \
		"zeek ssl ($l): version, cipher, curve, server_name, resumed, established, last_alert, cert_chain_fps (SHA-256), subject, sni_matches_cert, validation_status, ja3, ja3s"
done
d=$T_TMP/ssl.export
t_is "$(jq -s '[(map(select(.client_cert_chain_fps)) | length > 0), (map(select(.last_alert)) | length > 0),
	(map(select(.sni_matches_cert == false)) | length > 0), (map(select(.version == "TLSv10")) | length > 0),
	(map(select(.cert_chain_fps | not)) | length > 0)] | all' "$d")" true \
	"zeek ssl: the captures cover a client chain, an alert, a name mismatch, TLS 1.0, TLS 1.3 without certificates"
t_is "$(head -1 "$E" | jq -c '. as $r | ["SSLv2", "TLSv1.3-draft23", "0x0305"][] as $v | $r | .tls.version = $v | .tls.cipher = "SSL_CK_RC4_128_WITH_MD5"' |
	jq -c -f "$I/zeek-ssl.jq" | jq -r '"\(.version)/\(.cipher)"' | tr '\n' ' ')" \
	"SSLv2/SSLv20_CK_RC4_128_WITH_MD5 TLSv13-draft23/SSLv20_CK_RC4_128_WITH_MD5 unknown-773/SSLv20_CK_RC4_128_WITH_MD5 " \
	"zeek ssl: SSLv2 names, a TLS 1.3 draft, an unnamed version as Zeek's unknown-<n>"

# ================= Elasticsearch ingest pipeline =================
PL=$I/elastic-ingest-pipeline.json
t_is "$(jq -r '.processors | length > 0' "$PL" 2>&1)" true "ingest pipeline: JSON with processors"
t_is "$(jq -r '[.processors[] | keys[]] | unique - ["append","convert","drop","gsub","lowercase","remove","rename","script","set","uppercase"] | length' "$PL")" 0 \
	"ingest pipeline: only rename, set, append, convert, gsub, lower/uppercase, remove, drop and one script"
# every field it reads: rename sources, copy_from, {{{templates}}}, ctx.wireaudit.* in conditions
jq -r '.processors[] | to_entries[] | .value as $o
	| (if .key == "rename" then $o.field else empty end),
	  ($o.copy_from // empty),
	  ($o.value | if type == "array" then .[] else . end | strings | scan("\\{\\{\\{([^}]*)\\}\\}\\}")[0]),
	  ($o.if // "" | scan("ctx\\.(wireaudit(?:\\??\\.[A-Za-z_0-9]+|\\[[0-9]+\\])+)") | .[0] | gsub("\\?"; "") | gsub("\\[(?<n>[0-9]+)\\]"; ".\(.n)") | sub("\\.(isEmpty|contains|size)$"; ""))' \
	"$PL" | sort -u >"$T_TMP/reads"
# a path is known when some record has it: wireaudit.X.Y = X.Y of a record (list
# index as a number); the EVE envelope's own names; flow_uid, which the export
# gains with issue 15 (present in the $U records); rollup_flows, which only a
# daily roll-up row has (docs/EXPORT.md)
jq -r 'paths | map(tostring) | join(".")' "$U" | sort -u | sed 's/^/wireaudit./' >"$T_TMP/known"
{ jq -r 'keys[]' "$V" | sort -u; jq -r 'keys[]' "$U" | sort -u; echo rollup_flows; echo wireaudit.rollup_flows; } >>"$T_TMP/known"
t_is "$(sort -u "$T_TMP/known" | comm -23 "$T_TMP/reads" - | tr '\n' ' ')" "" \
	"ingest pipeline: reads only fields the export (or the EVE envelope) has"
t_is "$(jq -r 'keys[]' "$U" | sort -u | comm -23 - <(jq -r '.processors[] | .rename // empty | select(.target_field == "wireaudit." + .field) | .field' "$PL" | sort -u) | tr '\n' ' ')" "" \
	"ingest pipeline: renames every top-level field of the export under wireaudit"
t_is "$(jq -r '[.processors[] | .rename // empty] | length' "$PL")|$(
	jq -r '[.processors[] | .rename // empty | select(.ignore_missing != true)] | length' "$PL")" "33|0" \
	"ingest pipeline: 31 field renames and 2 of the EVE envelope, all ignore_missing"
prune='walk(if type == "object" then with_entries(select(.value != null and .value != [] and .value != {})) else . end)'
for in in "$E" "$U" "$V"; do
	l=$(basename "$in" .jsonl)
	python3 "$SRCDIR/tests/es-ingest-sim.py" "$PL" <"$in" >"$T_TMP/es.$l" 2>"$T_TMP/err"
	t_is "$?|$(cat "$T_TMP/err")" "0|" "ingest pipeline ($l): every document goes through"
	t_is "$(cmp -s <(jq -cS "$prune" "$T_TMP/es.$l") <(jq -cS "$prune" "$T_TMP/ecs.$l"); echo $?)|$(wc -l <"$T_TMP/es.$l")" "0|$N" \
		"ingest pipeline ($l): the same documents as ecs.jq (null/empty left out on both sides)"
done
# ... and the comparison can fail: one gsub changed
jq '(.processors[] | .gsub // empty | select(.pattern == "^TLSv")).replacement = "v"' "$PL" >"$T_TMP/bad.json"
python3 "$SRCDIR/tests/es-ingest-sim.py" "$T_TMP/bad.json" <"$E" >"$T_TMP/es.bad"
t_ok $(cmp -s <(jq -cS "$prune" "$T_TMP/es.bad") <(jq -cS "$prune" "$T_TMP/ecs.export"); [ $? -ne 0 ]; echo $?) \
	"ingest pipeline: a pipeline with one processor changed does not give ecs.jq's documents"

# ================= join by Community ID =================
J=$T_TMP/join
jq -nc --slurpfile wa "$U" -f "$I/join-community-id.jq" "$T_TMP/conn.uid" >"$J"
t_is "$(wc -l <"$J")|$(jq -s '[.[] | . as $z | select(any(.wireaudit[]; .community_id == $z.community_id
	and .client_ip == $z["id.orig_h"] and .client_port == $z["id.orig_p"] and .server_ip == $z["id.resp_h"]
	and .server_port == $z["id.resp_p"] and .flow_uid == $z.uid) | not)] | length' "$J")" "$N|0" \
	"join: every conn.log entry made from the export pairs with its own flow"
F=$(head -1 "$U")
cid=$(jq -r .community_id <<<"$F")
sur() { jq -nc --arg c "$cid" --arg t "$1" '{timestamp: $t, event_type: "alert", community_id: $c, alert: {signature: "test"}}'; }
t0=$(jq -r .ts_first <<<"$F")
inside=$(jq -r '.ts_first | .[0:11] + ((.[11:13] | tonumber + 1 | tostring) | if length == 1 then "0" + . else . end) + .[13:26] + "+0100"' <<<"$F")
later=$(jq -r '.ts_first | .[0:11] + ((.[11:13] | tonumber + 3 | tostring) | if length == 1 then "0" + . else . end) + .[13:26] + "+0100"' <<<"$F")
t_is "$( { sur "$inside"; sur "$later"; sur "$t0"; } | jq -nc --slurpfile wa "$U" -f "$I/join-community-id.jq" |
	jq -r '"\(.timestamp):\(.wireaudit | length)"' | tr '\n' ' ')" "$inside:1 $t0:1 " \
	"join: a Suricata alert at the flow's time (+0100 offset) pairs, one two hours later does not"

# ================= the real EVE stream, when this build writes one =================
if "$WIREAUDIT" capture -q -r "$P/tls/tls12-mtls-client-cert.pcap" -r "$P/sample/http-mixed.pcap" \
	-d "$T_TMP/eve.db" --eve "$T_TMP/real-eve.json" >/dev/null 2>&1 && [ -s "$T_TMP/real-eve.json" ]; then
	R=$T_TMP/real-eve.json
	t_is "$(jq -c -f "$I/ecs.jq" "$R" | jq -s 'length')" "$(jq -s 'map(select(.event_type == "flow")) | length' "$R")" \
		"capture --eve: ecs.jq maps every flow event"
	t_is "$(jq -c -f "$I/ecs.jq" "$R" >"$T_TMP/ecs.real"; fails "$R" "$T_TMP/ecs.real" '$d.source.ip == $f.client_ip
		and $d.destination.port == $f.server_port and $d.event.id == $f.flow_uid and $d.wireaudit == $f')" 0 \
		"capture --eve: source/destination, event.id = flow_uid, wireaudit = the flow object"
	t_is "$(python3 "$SRCDIR/tests/es-ingest-sim.py" "$PL" <"$R" | jq -cS "$prune" | cmp -s - <(jq -cS "$prune" "$T_TMP/ecs.real"); echo $?)" 0 \
		"capture --eve: the ingest pipeline gives ecs.jq's documents"
else
	echo "# capture --eve not in this build: the EVE checks used the envelope made above"
fi
t_done
