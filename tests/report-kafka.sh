#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# report-kafka.sh — Kafka in the report (issue 18; docs/REPORT-RULES.md
# "Kafka"): Kafka has a TLS form (the SSL and SASL_SSL security protocols of
# the broker's listeners, Apache Kafka documentation #security_ssl "Encryption and
# Authentication using SSL"), so the generic 12.3.1 `cleartext` rule
# (src/report/rules.c rp_tls_form, which lists "kafka") judges every Kafka
# flow in clear (PLAINTEXT and SASL_PLAINTEXT alike), and the generic
# credentials evidence (SASL PLAIN seen: `cleartext.credentials`) raises it
# from medium to high; SCRAM is a challenge-response and stays medium. No
# Kafka-specific kind duplicates them. Exact findings over the captures of
# pcaps/kafka/ (tools/lab/gen-kafka.sh); the SSL listener on 9093 passes.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/kafka

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
evidence() { jq -c '[.requirements[].findings[] | select(.kind == "cleartext")][0].evidence | [.security, .credentials_in_clear, .auth_mechanisms]' "$T_TMP/r.json"; }

for p in kafka-plaintext kafka-sasl-scram kafka-sasl-refused; do
	t_is "$(findings "$S/$p.pcap")" "rc=6 12.3.1 cleartext medium 1 10.99.32.2:9092/kafka 0" \
		"$p: 12.3.1 cleartext, medium (no credentials in clear)"
	t_is "$(evidence)" '[{"cleartext":1},null,null]' "$p: evidence security cleartext, no credentials"
done
for p in kafka-sasl-plain kafka-sasl-plain-wrong kafka-sasl-legacy; do
	t_is "$(findings "$S/$p.pcap")" "rc=6 12.3.1 cleartext high 1 10.99.32.2:9092/kafka 1" \
		"$p: 12.3.1 cleartext, high with SASL PLAIN in clear"
	t_is "$(evidence)" '[{"cleartext":1},1,"PLAIN"]' "$p: evidence: cleartext, one flow with credentials, mechanism PLAIN"
done
t_is "$(findings "$S/kafka-ssl-9093.pcap")" "rc=0 " "SSL on 9093: no finding"
t_is "$(status 12.3.1)" "pass" "SSL on 9093: 12.3.1 passes"
t_is "$(findings "$S"/*.pcap)" "rc=6 12.3.1 cleartext high 6 10.99.32.2:9092/kafka 3" \
	"all seven: one cleartext finding for the 9092 endpoint, 6 flows, 3 with credentials"
t_is "$(jq -r '[.requirements[] | select(.id == "12.3.1") | .findings[] | .kind] | unique | join(",")' "$T_TMP/r.json")" \
	"cleartext" "all seven: only the generic cleartext kind"
t_done
