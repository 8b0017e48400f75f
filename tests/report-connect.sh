#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# report-connect.sh — HTTP CONNECT tunnels in the report (issue 18;
# docs/REPORT-RULES.md "CONNECT tunnels"): the TLS inside a tunnel is judged
# like any TLS flow (12.1.1 version, 12.1.2 suite, the chain rules, against
# the lab CA given with --ca-file); Basic proxy credentials before a TLS
# tunnel are 12.3.1 proxy_credentials_in_clear (high: credentials in
# clear); a proxy's 407s and refusals in clear are HTTP in clear (12.3.1
# cleartext, 12.3.3), not a fallback from its tunnels
# (service_encrypted_and_cleartext). Exact findings over the real tinyproxy
# + curl captures of pcaps/connect/ (tools/lab/gen-connect.sh).
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/connect

# findings PCAP...: every finding of the report (default level 2) as
# "requirement kind severity flows server:port/protocol", in report order
findings() {
	local db
	db=$(T_CAPTURE_OPTS="--ca-file $S/connect-ca.pem" t_capture "$@")
	"$WIREAUDIT" report -d "$db" -F json >"$T_TMP/r.json"
	echo "rc=$? $(jq -r '[.requirements[] | .id as $id | .findings[] |
		"\($id) \(.kind) \(.severity) \(.flows) \(.server_ip):\(.server_port)/\(.protocol)"] | join(";")' "$T_TMP/r.json")"
}
status() { jq -r --arg r "$1" '.requirements[] | select(.id == $r) | .status' "$T_TMP/r.json"; }
ev() { jq -c --arg k "$1" '[.requirements[].findings[] | select(.kind == $k)][0].evidence' "$T_TMP/r.json"; }

# an open proxy, TLS 1.3 to a good origin: nothing to say
t_is "$(findings "$S/connect-open-tls13.pcap")" "rc=0 " "open proxy, TLS 1.3 tunnel: no finding"
t_is "$(status 12.1.1)/$(status 12.1.2)/$(status 12.3.1)" "pass/pass/pass" \
	"open proxy, TLS 1.3 tunnel: the inner TLS passes 12.1.1, 12.1.2 and 12.3.1"

# Basic proxy credentials, then TLS 1.3: the password crossed in clear
t_is "$(findings "$S/connect-basic-tls13.pcap")" \
	"rc=6 12.3.1 proxy_credentials_in_clear high 1 10.99.64.2:3128/http" \
	"Basic proxy credentials before the tunnel: 12.3.1 proxy_credentials_in_clear, high"
t_is "$(ev proxy_credentials_in_clear)" \
	'{"auth_mechanism":{"basic":1},"relevant_flows":1,"share":1,"credentials_in_clear":1,"auth_mechanisms":"basic"}' \
	"evidence: the mechanism, credentials in clear"
t_is "$(status 12.1.1)/$(status 12.1.2)" "pass/pass" "Basic + TLS 1.3: the inner TLS still passes 12.1.1 and 12.1.2"
t_is "$(findings "$S/connect-basic-tls12.pcap")" \
	"rc=6 12.3.1 proxy_credentials_in_clear high 1 10.99.64.2:3128/http" \
	"Basic + TLS 1.2 (ECDHE, AES-GCM, chain to the lab CA): only the proxy credentials"

# a TLS 1.0-only origin with a static-RSA CBC suite through an open proxy:
# flagged as it would be on a direct connection
t_is "$(findings "$S/connect-open-tls10-weak.pcap")" \
	"rc=6 12.1.1 old_tls_version high 1 10.99.64.2:8888/http;12.1.1 client_max_below_tls12 medium 1 10.99.64.2:8888/http;12.1.2 cipher_not_recommended medium 1 10.99.64.2:8888/http" \
	"TLS 1.0 + TLS_RSA_WITH_AES_128_CBC_SHA in the tunnel: 12.1.1 and 12.1.2 as for a direct flow"
t_is "$(ev old_tls_version)" '{"negotiated_version":{"TLSv1.0":1},"relevant_flows":1,"share":1}' \
	"evidence: the negotiated version"
t_is "$(ev cipher_not_recommended)" '{"cipher":{"TLS_RSA_WITH_AES_128_CBC_SHA":1},"relevant_flows":1,"share":1}' \
	"evidence: the negotiated suite"
t_is "$(status 12.3.1)" "pass" "TLS 1.0 tunnel without proxy credentials: 12.3.1 passes (encrypted)"

# a 407 and a 403 in clear: HTTP in clear to the proxy
t_is "$(findings "$S/connect-noauth-407.pcap")" \
	"rc=6 12.3.1 cleartext medium 1 10.99.64.2:3128/http;12.3.3 internal_http_cleartext medium 1 10.99.64.2:3128/http" \
	"407 without credentials: HTTP in clear (12.3.1 cleartext, 12.3.3), no credentials"

# everything: the proxy endpoints are seen with tunnels and with 407s,
# 403s and plain HTTP in clear; that is not a fallback
t_is "$(findings "$S"/*.pcap)" \
	"rc=6 12.1.1 old_tls_version high 1 10.99.64.2:8888/http;12.1.1 client_max_below_tls12 medium 1 10.99.64.2:8888/http;12.1.2 cipher_not_recommended medium 1 10.99.64.2:8888/http;12.3.1 proxy_credentials_in_clear high 3 10.99.64.2:3128/http;12.3.1 cleartext medium 2 10.99.64.2:3128/http;12.3.1 cleartext medium 2 10.99.64.2:8888/http;12.3.3 internal_http_cleartext medium 2 10.99.64.2:3128/http;12.3.3 internal_http_cleartext medium 2 10.99.64.2:8888/http" \
	"all eight: the inner TLS kinds, the proxy credentials, HTTP in clear; no service_encrypted_and_cleartext"
t_is "$(jq -c '[.requirements[].findings[] | select(.kind == "cleartext")] | map(.evidence.security)' "$T_TMP/r.json")" \
	'[{"cleartext":2},{"cleartext":2}]' "the cleartext flows: 407 x2 on 3128; 403 and plain HTTP in the tunnel on 8888"

# without the lab CA, the chain seen in the TLS 1.2 tunnel is the origin's
# and fails the trust rules for the proxy's address, as a direct flow would
db=$(t_capture "$S/connect-basic-tls12.pcap")
"$WIREAUDIT" report -d "$db" -F json >"$T_TMP/r.json"
t_is "$(jq -r '[.requirements[] | .id as $id | .findings[] | "\($id) \(.kind)"] | join(";")' "$T_TMP/r.json")" \
	"12.3.1 proxy_credentials_in_clear;12.3.2 client_accepted_untrusted;12.3.4 internal_untrusted_chain" \
	"no CA given: the tunnel's chain is untrusted (12.3.2, 12.3.4) besides the proxy credentials"
t_done
