# SPDX-License-Identifier: BSD-3-Clause
# ecs.jq — a wireaudit flow record as an Elastic Common Schema (ECS 8.x)
# document. docs/INTEGRATIONS.md has the field table and the reasons.
#
#   wireaudit export -d wireaudit.db | jq -c -f tools/integrations/ecs.jq
#   jq -c -f tools/integrations/ecs.jq /var/log/wireaudit/eve.json
#
# Input, one JSON value per line: a record of `wireaudit export`
# (docs/EXPORT.md) or an event of `capture --eve` (docs/INTEGRATIONS.md,
# "The EVE envelope"): a "flow" event is mapped from its `flow` object, any
# other event type (stats) gives no output.
#
# Output: the ECS fields, with null and empty values left out (ECS: absent,
# not null), and the record itself, unchanged, under `wireaudit`.
# tools/integrations/elastic-ingest-pipeline.json does the same inside
# Elasticsearch; tests/integrations.sh checks the two against each other and
# against the export, field by field. Works with jq 1.6 and later.

# RFC 3339 UTC with microseconds (the export's ts_first/ts_last) -> integer
# microseconds since the epoch
def wa_us:
  capture("^(?<s>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(\\.(?<f>[0-9]{1,6}))?Z$")
  | ((.s + "Z") | fromdateiso8601) * 1000000 + (((.f // "") + "000000")[0:6] | tonumber);

# the Elasticsearch `set` processor's copy_from with ignore_empty_value: an
# empty string is no value
def wa_nz: if . == "" then null else . end;

def wa_up: if type == "string" then ascii_upcase else . end;

# TLS version name -> ECS tls.version ("TLSv1.2" -> "1.2", "SSLv3" -> "3.0")
# and tls.version_protocol ("tls", "ssl")
def wa_ecs_version:
  if test("^SSLv[0-9]$") then sub("^SSLv(?<d>[0-9])$"; "\(.d).0") else sub("^TLSv"; "") end;
def wa_ecs_version_protocol: sub("^(?<p>TLS|SSL)v.*$"; "\(.p)") | ascii_downcase;

# a certificate object (docs/CERTIFICATES.md) -> ECS tls.server.* / tls.client.*
def wa_cert:
  if . == null then {} else {
    hash: { sha256: (.sha256 | wa_nz | wa_up), sha1: (.sha1 | wa_nz | wa_up) },
    subject: (.subject | wa_nz),
    issuer: (.issuer | wa_nz),
    not_before: (.not_before | wa_nz),
    not_after: (.not_after | wa_nz),
    x509: {
      version_number: (.version | if . == null then null else tostring end),
      serial_number: (.serial | wa_nz | wa_up),
      subject: {
        distinguished_name: (.subject | wa_nz),
        common_name: (if .subject_cn != null then [.subject_cn] else null end)
      },
      issuer: { distinguished_name: (.issuer | wa_nz) },
      not_before: (.not_before | wa_nz),
      not_after: (.not_after | wa_nz),
      public_key_algorithm: (.key_type | wa_nz),
      public_key_size: .key_bits,
      public_key_curve: (.curve | wa_nz),
      signature_algorithm: (.sig_alg | wa_nz),
      alternative_names: .sans
    }
  } end;

def wa_prune:
  walk(if type == "object"
       then with_entries(select(.value != null and .value != [] and .value != {}))
       else . end);

select((.event_type // "flow") == "flow")
| . as $in
| (.flow // .) as $f
| $f.tls as $t
| $f.cleartext as $c
| ({
    "@timestamp": ($f.ts_first | wa_nz),
    ecs: { version: "8.11.0" },
    event: {
      kind: "event",
      category: ["network"],
      type: (if $f.end_reason == "open" then ["connection", "info"] else ["connection", "end"] end),
      module: "wireaudit",
      dataset: "wireaudit.flow",
      id: ($f.flow_uid | wa_nz),
      start: ($f.ts_first | wa_nz),
      end: ($f.ts_last | wa_nz),
      duration: ((($f.ts_last | wa_us) - ($f.ts_first | wa_us)) * 1000)
    },
    observer: {
      type: "sensor",
      product: "wireaudit",
      name: $in.sensor,
      ingress: { interface: { name: ($f.interface | wa_nz) } }
    },
    source: { ip: $f.client_ip, port: $f.client_port, packets: $f.packets_c2s, bytes: $f.bytes_c2s },
    destination: {
      ip: $f.server_ip, port: $f.server_port, packets: $f.packets_s2c, bytes: $f.bytes_s2c,
      domain: ($t.sni | wa_nz)
    },
    client: { ip: $f.client_ip, port: $f.client_port, packets: $f.packets_c2s, bytes: $f.bytes_c2s },
    server: { ip: $f.server_ip, port: $f.server_port, packets: $f.packets_s2c, bytes: $f.bytes_s2c },
    network: {
      transport: (({ "icmp6": "ipv6-icmp" }[$f.transport] // $f.transport) | wa_nz),
      iana_number: ({ "tcp": "6", "udp": "17", "icmp": "1", "icmp6": "58" }[$f.transport]),
      type: (if ($f.client_ip | contains(":")) then "ipv6" else "ipv4" end),
      community_id: ($f.community_id | wa_nz),
      protocol: ($f.protocol | wa_nz),
      packets: ($f.packets_c2s + $f.packets_s2c),
      bytes: ($f.bytes_c2s + $f.bytes_s2c),
      vlan: { id: (if $f.vlan != 0 then ($f.vlan | tostring) else null end) },
      inner: { vlan: { id: (if $f.vlan_inner != 0 then ($f.vlan_inner | tostring) else null end) } }
    },
    related: {
      ip: ([$f.client_ip] + (if $f.server_ip != $f.client_ip then [$f.server_ip] else [] end)),
      hosts: (if $t.sni != null then [$t.sni] else null end),
      user: (if $c.user != null then [$c.user] else null end)
    },
    user: { name: ($c.user | wa_nz) },
    tls: (if $t == null then null else {
      version: ($t.version | if . == null then null else wa_ecs_version end),
      version_protocol: ($t.version | if . == null then null else wa_ecs_version_protocol end),
      cipher: ($t.cipher | wa_nz),
      curve: ($t.kx_group | wa_nz),
      established: $t.established,
      resumed: $t.resumed,
      next_protocol: ($t.alpn_selected | if . == "not_observable" then null else wa_nz end),
      client: ({ server_name: ($t.sni | wa_nz), ja3: ($t.ja3 | wa_nz) }
               + (($t.client_certs // [])[0] | wa_cert)),
      server: ({ ja3s: ($t.ja3s | wa_nz) } + (($t.certs // [])[0] | wa_cert))
    } end)
  }
  + (if $f.protocol == "http" then ($c.details // {}) as $d | {
      http: {
        request: { method: ($d.method | wa_nz) },
        version: ($d.version | wa_nz | if type == "string" then sub("^HTTP/"; "") else . end),
        response: { status_code: $d.status }
      },
      url: { original: ($d.target | wa_nz) },
      user_agent: { original: ($d.user_agent | wa_nz) }
    } else {} end)
  | wa_prune)
  + { wireaudit: $f }
