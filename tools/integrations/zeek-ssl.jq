# SPDX-License-Identifier: BSD-3-Clause
# zeek-ssl.jq — the TLS handshake of a wireaudit flow record as a Zeek
# ssl.log entry, in the shape of Zeek's JSON logs (LogAscii::use_json = T,
# LogAscii::json_timestamps = JSON::TS_ISO8601). docs/INTEGRATIONS.md,
# "Zeek ssl.log", has the field table and the differences in meaning.
#
#   wireaudit export -d wireaudit.db | jq -c -f tools/integrations/zeek-ssl.jq
#
# Input: export records or `capture --eve` "flow" events; a flow without a
# `tls` object (no handshake seen) gives nothing. Fields beyond base ssl.log
# are named as the Zeek scripts that add them: cert_chain_fps,
# client_cert_chain_fps, subject, issuer, client_subject, client_issuer,
# sni_matches_cert (base/protocols/ssl/files.zeek; subject and issuer are
# off by default there), validation_status
# (policy/protocols/ssl/validate-certs.zeek), ja3 and ja3s (the ja3
# package). Unset values are left out, as Zeek does. Works with jq 1.6+.

# our version names -> Zeek's version_strings (base/protocols/ssl/consts.zeek):
# TLSv1.2 -> TLSv12, TLSv1.3-draft23 -> TLSv13-draft23, SSLv3 stays,
# an unnamed 0xNNNN -> unknown-<decimal>
def wa_zeek_version:
  if startswith("0x") then
    "unknown-" + (ltrimstr("0x") | ascii_downcase | explode
                  | map(if . >= 97 then . - 87 else . - 48 end)
                  | reduce .[] as $d (0; . * 16 + $d) | tostring)
  else gsub("\\."; "") end;

# Zeek's SSLv2 cipher names are SSLv20_CK_*, ours SSL_CK_* (the same kinds)
def wa_zeek_cipher: if type == "string" then sub("^SSL_CK_"; "SSLv20_CK_") else . end;

def wa_nonempty: if . == [] then null else . end;

select((.event_type // "flow") == "flow")
| (.flow // .) as $f
| select($f.tls != null)
| $f.tls as $t
| (($t.certs // [])[0] // {}) as $leaf
| (($t.client_certs // [])[0] // {}) as $cleaf
| {
    ts: $f.ts_first,
    uid: $f.flow_uid,
    "id.orig_h": $f.client_ip,
    "id.orig_p": $f.client_port,
    "id.resp_h": $f.server_ip,
    "id.resp_p": $f.server_port,
    version: ($t.version | if . == null then null else wa_zeek_version end),
    cipher: ($t.cipher | wa_zeek_cipher),
    curve: $t.kx_group,
    server_name: $t.sni,
    resumed: $t.resumed,
    last_alert: $t.alert.description,
    next_protocol: ($t.alpn_selected | if . == "not_observable" then null else . end),
    established: $t.established,
    cert_chain_fps: ([($t.certs // [])[] | .sha256 // empty] | wa_nonempty),
    client_cert_chain_fps: ([($t.client_certs // [])[] | .sha256 // empty] | wa_nonempty),
    subject: $leaf.subject,
    issuer: $leaf.issuer,
    client_subject: $cleaf.subject,
    client_issuer: $cleaf.issuer,
    sni_matches_cert: $t.hostname_match,
    validation_status: (if $t.chain_trusted == true then "ok"
                        elif $t.chain_trusted == false then $t.trust_error
                        else null end),
    ja3: $t.ja3,
    ja3s: $t.ja3s
  }
| with_entries(select(.value != null))
