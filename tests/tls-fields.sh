# SPDX-License-Identifier: BSD-3-Clause
# tls-fields.sh — exact values of the `tls` export object, per capture in
# pcaps/tls/ (real traffic, tools/lab/gen-tls.sh; the test CA is the extra
# trust anchor) and pcaps/tls-crafted/ (tools/mkpcap-tls.py). Field-level
# checks that survive schema growth, next to the whole-file golden diffs.
. "$SRCDIR/tests/lib.sh"

command -v jq >/dev/null 2>&1 || { echo "1..0 # SKIP jq not installed"; exit 0; }

CA="$SRCDIR/pcaps/tls/test-ca.pem"
cur=""
# use PCAP: capture it (with the test CA) and make it the current export
use() {
	local db="$T_TMP/$(basename "$1").db"
	cur="$T_TMP/$(basename "$1").jsonl"
	if [ ! -f "$SRCDIR/$1" ]; then
		: > "$cur"
		return
	fi
	"$WIREAUDIT" capture -q -r "$SRCDIR/$1" -d "$db" --ca-file "$CA" 2>/dev/null
	"$WIREAUDIT" export -d "$db" > "$cur" 2>/dev/null
}
# f N JQ WANT — JQ applied to the N-th TLS flow (0-based) of the current export
f() {
	local got
	got=$(jq -c -s "[.[] | select(.tls != null)] | .[$1] | $2" "$cur" 2>/dev/null)
	t_is "$got" "$3" "$(basename "$cur" .jsonl) #$1 $2"
}

use pcaps/tls/tls13-basic-nginx-curl.pcap
f 0 .protocol '"tls"'
f 0 .security '"tls"'
f 0 .tls.version '"TLSv1.3"'
f 0 .tls.sni '"server.wireaudit.test"'
f 0 .tls.alpn '["h2","http/1.1"]'
f 0 .tls.alpn_selected '"not_observable"'
f 0 .tls.client_cert '"not_observable"'
f 0 .tls.ocsp_stapled 'null'
f 0 .tls.certs_observable 'false'
f 0 .tls.established 'true'
f 0 .tls.established_inferred 'true'
f 0 .tls.certs '[]'

use pcaps/tls/tls12-ecdhe-rsa-aes128gcm.pcap
f 0 .tls.version '"TLSv1.2"'
f 0 .tls.cipher '"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"'
f 0 .tls.cipher_id '49199'
f 0 .tls.cipher_class '"recommended"'
f 0 .tls.forward_secrecy 'true'
f 0 '.tls.kx_group | type' '"string"'
f 0 .tls.established 'true'
f 0 .tls.established_inferred 'false'
f 0 .tls.client_cert '"none"'
f 0 .tls.chain_trusted 'true'
f 0 .tls.trust_error 'null'
f 0 .tls.hostname_match 'true'
f 0 '.tls.certs | length' '2'
f 0 '.tls.certs[0].subject' '"CN=server.wireaudit.test,O=wireaudit test PKI"'
f 0 .tls.resumed 'false'

use pcaps/tls/tls12-rsa-kx-aes128gcm.pcap
f 0 .tls.cipher '"TLS_RSA_WITH_AES_128_GCM_SHA256"'
f 0 .tls.cipher_class '"not_recommended"'
f 0 .tls.forward_secrecy 'false'
f 0 .tls.kx_group 'null'

use pcaps/tls/tls12-ecdhe-rsa-aes128-cbc-sha.pcap
f 0 .tls.cipher '"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"'
f 0 .tls.aead 'false'
f 0 .tls.cipher_class '"not_recommended"'

use pcaps/tls/tls12-rsa-null-sha256.pcap
f 0 .tls.cipher '"TLS_RSA_WITH_NULL_SHA256"'
# the close_notify alerts come after the flow was bypassed (handshake understood)
f 0 .tls.alert 'null'
f 0 .tls.established 'true'
f 0 .tls.cipher_class '"broken"'

use pcaps/tls/tls10-ecdhe-rsa-aes128-sha.pcap
f 0 .tls.version '"TLSv1.0"'
f 0 .tls.cipher_id '49171'

use pcaps/tls/tls11-ecdhe-rsa-aes256-sha.pcap
f 0 .tls.version '"TLSv1.1"'
f 0 .tls.cipher_id '49172'

use pcaps/tls/tls12-dhe-rsa-1024.pcap
f 0 .tls.cipher '"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"'
f 0 .tls.dh_bits '1024'

use pcaps/tls/tls12-rsa-3des-gnutls.pcap
f 0 .tls.cipher '"TLS_RSA_WITH_3DES_EDE_CBC_SHA"'
f 0 .tls.client_ciphers '[10]'
f 0 .tls.client_cert '"requested"'
f 0 .tls.cipher_class '"broken"'

use pcaps/tls/tls12-port8443-nginx-ecdsa.pcap
f 0 .server_port '8443'
f 0 .tls.cipher '"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"'

use pcaps/tls/tls12-mtls-client-cert.pcap
f 0 .tls.cert_request 'true'
f 0 .tls.client_cert '"sent"'
f 0 '.tls.client_certs | length > 0' 'true'
f 0 .tls.established 'true'

use pcaps/tls/tls12-mtls-no-cert.pcap
f 0 .tls.cert_request 'true'
f 0 .tls.client_cert '"requested"'
f 0 .tls.client_cert_message '"empty"'
f 0 .tls.client_certs '[]'

use pcaps/tls/tls13-mtls-client-cert.pcap
f 0 .tls.client_cert '"not_observable"'
f 0 .tls.client_cert_inferred '"likely_sent"'

use pcaps/tls/tls12-ocsp-stapled-good.pcap
f 0 .tls.status_request 'true'
f 0 .tls.ocsp_stapled 'true'
f 0 .tls.ocsp_status '"good"'
f 0 '.tls.ocsp_produced_at > 0' 'true'

use pcaps/tls/tls12-ocsp-stapled-revoked.pcap
f 0 .tls.ocsp_stapled 'true'
f 0 .tls.ocsp_status '"revoked"'

use pcaps/tls/tls12-status-request-no-staple.pcap
f 0 .tls.status_request 'true'
f 0 .tls.ocsp_stapled 'false'
f 0 .tls.ocsp_status 'null'

use pcaps/tls/tls13-ocsp-stapled.pcap
f 0 .tls.status_request 'true'
f 0 .tls.ocsp_stapled 'null'

use pcaps/tls/tls12-self-signed.pcap
f 0 .tls.chain_trusted 'false'
f 0 .tls.leaf_self_signed 'true'
f 0 .tls.established 'true'
f 0 .tls.client_accepted_untrusted 'true'

use pcaps/tls/tls12-client-accepts-untrusted-curl.pcap
f 0 .tls.chain_trusted 'false'
f 0 .tls.client_accepted_untrusted 'true'

use pcaps/tls/tls12-client-rejects-untrusted.pcap
f 0 .tls.chain_trusted 'false'
f 0 .tls.established 'false'
f 0 .tls.handshake '"failed"'
f 0 .tls.alert '{"level":"fatal","description":"unknown_ca","code":48,"from":"client"}'
f 0 .tls.client_accepted_untrusted 'false'
f 0 .tls.client_rejected_cert 'true'

use pcaps/tls/tls12-expired-cert.pcap
f 0 .tls.chain_trusted 'false'
f 0 .tls.trust_error '"expired"'
f 0 .tls.alert.description '"certificate_expired"'
f 0 .tls.client_accepted_untrusted 'false'

use pcaps/tls/tls12-wrong-host-curl.pcap
f 0 .tls.chain_trusted 'true'
f 0 .tls.hostname_match 'false'
f 0 .tls.established 'true'
f 0 .tls.app_records_c2s '0'
f 0 .tls.client_accepted_untrusted 'null'

use pcaps/tls/tls12-wrong-host-openssl.pcap
f 0 .tls.hostname_match 'false'
f 0 .tls.alert.level '"fatal"'
f 0 .tls.alert.from '"client"'
f 0 .tls.established 'false'

use pcaps/tls/tls12-good-chain.pcap
f 0 .tls.chain_trusted 'true'
f 0 .tls.trusted_by_extra_ca 'true'
f 0 .tls.chain_len '2'

use pcaps/tls/tls12-weak-rsa1024-leaf.pcap
f 0 .tls.weak_key 'true'
f 0 '.tls.certs[0].key_bits' '1024'

use pcaps/tls/tls12-sha1-signed-leaf.pcap
f 0 .tls.weak_signature 'true'

use pcaps/tls/tls12-resume-session-id.pcap
f 0 .tls.resumed 'false'
f 1 .tls.resumed 'true'
f 1 .tls.resumption '"session_id"'
f 1 .tls.chain_len '0'

use pcaps/tls/tls12-resume-ticket.pcap
f 0 .tls.session_ticket_offered 'true'
f 1 .tls.resumption '"ticket"'

use pcaps/tls/tls13-resume-psk.pcap
f 0 .tls.resumed 'false'
f 1 .tls.psk_offered 'true'
f 1 .tls.resumption '"psk"'

use pcaps/tls/tls13-hrr.pcap
f 0 .tls.hrr 'true'
f 0 .tls.hrr_group '"secp256r1"'
f 0 .tls.version '"TLSv1.3"'
f 0 .tls.key_share_groups '["x25519"]'
f 0 .tls.retry_key_share_groups '["secp256r1"]'
f 0 .tls.kx_group '"secp256r1"'

use pcaps/tls/tls13-ipv6.pcap
f 0 .tls.version '"TLSv1.3"'
f 0 '.server_ip | test(":")' 'true'

use pcaps/tls/tls13-gnutls-cli.pcap
f 0 .tls.version '"TLSv1.3"'
f 0 .tls.established 'true'

# hand-built captures (no real peer)
use pcaps/tls-crafted/sslv2-hello.pcap
f 0 .tls.version '"SSLv2"'
f 0 .tls.client_hello_format '"sslv2"'
f 0 .tls.client_versions '["SSLv2"]'
f 0 .tls.cipher '"SSL_CK_RC4_128_WITH_MD5"'
f 0 .tls.cipher_class '"broken"'
f 0 .tls.sslv2_cipher_specs '[65664,131200,458944,393280]'
f 0 .tls.ja3 'null'

use pcaps/tls-crafted/sslv2-compat-hello-tls10.pcap
f 0 .tls.client_hello_format '"sslv2"'
f 0 .tls.version '"TLSv1.0"'
f 0 .tls.client_ciphers '[47,53,10,255]'
f 0 .tls.renegotiation_info_offered 'true'
f 0 .tls.established 'true'

use pcaps/tls-crafted/sslv3-rc4.pcap
f 0 .tls.version '"SSLv3"'
f 0 .tls.client_versions '["SSLv3"]'
f 0 .tls.cipher '"TLS_RSA_WITH_RC4_128_SHA"'
f 0 .tls.cipher_class '"broken"'
f 0 .tls.ja4 '"ts3i040000_b50b69922db6_000000000000"'
f 0 .tls.established 'true'

use pcaps/tls-crafted/tls10-export-rc4-40.pcap
f 0 .tls.cipher '"TLS_RSA_EXPORT_WITH_RC4_40_MD5"'
f 0 .tls.cipher_class '"broken"'
f 0 .tls.rsa_export_bits '512'
f 0 .tls.sni '"export.wireaudit.test"'

use pcaps/tls-crafted/tls13-ech-outer.pcap
f 0 .tls.ech 'true'
f 0 .tls.ech_type '"outer"'
f 0 .tls.sni '"public.wireaudit.test"'
f 0 .tls.groups '["X25519MLKEM768","x25519","secp256r1"]'
f 0 .tls.pq_groups_offered 'true'
f 0 .tls.version '"TLSv1.3"'
f 0 .tls.established 'true'
f 0 .tls.client_cert_inferred '"likely_none"'

t_done
