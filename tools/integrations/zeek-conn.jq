# SPDX-License-Identifier: BSD-3-Clause
# zeek-conn.jq — a wireaudit flow record as a Zeek conn.log entry, in the
# shape of Zeek's JSON logs (LogAscii::use_json = T, with
# LogAscii::json_timestamps = JSON::TS_ISO8601 so that `ts` is the same
# RFC 3339 text as the export's ts_first). docs/INTEGRATIONS.md, "Zeek
# conn.log", has the field table and what cannot be derived.
#
#   wireaudit export -d wireaudit.db | jq -c -f tools/integrations/zeek-conn.jq
#
# Input: export records (docs/EXPORT.md) or `capture --eve` events (a "flow"
# event is mapped from its `flow` object; other event types give nothing).
# Only fields the export really has are written; Zeek leaves an unset
# optional field out of a JSON log, and so do we: conn_state, history,
# missed_bytes, orig_ip_bytes, resp_ip_bytes, local_orig, local_resp and
# tunnel_parents never appear. `uid` needs the export's flow_uid.
# Works with jq 1.6 and later.

# RFC 3339 UTC with microseconds -> integer microseconds since the epoch
def wa_us:
  capture("^(?<s>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(\\.(?<f>[0-9]{1,6}))?Z$")
  | ((.s + "Z") | fromdateiso8601) * 1000000 + (((.f // "") + "000000")[0:6] | tonumber);

# Zeek's conn.log service: the confirmed analyzers, lower case, joined by
# ","; Zeek calls its TLS analyzer "ssl" (named here only when the handshake
# was TLS: a "tls" flow whose server answered in clear text is not), and a
# STARTTLS session has both its protocol and "ssl"
def wa_service:
  . as $r
  | ([($r.protocol // empty)
      | if . != "tls" then . elif $r.security == "tls" then "ssl" else empty end]
     + (if $r.security == "starttls" then ["ssl"] else [] end))
  | if length == 0 then null else join(",") end;

select((.event_type // "flow") == "flow")
| (.flow // .) as $f
| {
    ts: $f.ts_first,
    uid: $f.flow_uid,
    "id.orig_h": $f.client_ip,
    "id.orig_p": $f.client_port,
    "id.resp_h": $f.server_ip,
    "id.resp_p": $f.server_port,
    proto: ({ "icmp6": "icmp" }[$f.transport] // $f.transport),
    service: ($f | wa_service),
    duration: ((($f.ts_last | wa_us) - ($f.ts_first | wa_us)) / 1000000),
    orig_bytes: $f.payload_bytes_c2s,
    resp_bytes: $f.payload_bytes_s2c,
    orig_pkts: $f.packets_c2s,
    resp_pkts: $f.packets_s2c,
    ip_proto: ({ "tcp": 6, "udp": 17, "icmp": 1, "icmp6": 58 }[$f.transport]),
    community_id: $f.community_id,
    vlan: (if $f.vlan != 0 then $f.vlan else null end),
    inner_vlan: (if $f.vlan_inner != 0 then $f.vlan_inner else null end)
  }
| with_entries(select(.value != null))
