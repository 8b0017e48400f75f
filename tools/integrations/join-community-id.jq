# SPDX-License-Identifier: BSD-3-Clause
# join-community-id.jq — pair another sensor's events with wireaudit flows by
# Community ID (docs/INTEGRATIONS.md, "Joining with Suricata and Zeek").
#
#   jq -nc --slurpfile wa flows.jsonl -f tools/integrations/join-community-id.jq eve.json
#   jq -nc --slurpfile wa flows.jsonl --arg slack 30 -f tools/integrations/join-community-id.jq conn.log
#
# flows.jsonl: `wireaudit export` records or `capture --eve` events.
# Inputs: any JSON Lines with a top-level `community_id` (Suricata EVE with
# community-id enabled, Zeek's JSON conn.log with community-id-logging).
# A Community ID names a 5-tuple, not a connection: the same tuple comes back
# (DNS over UDP, a client reusing its port), so an event is paired only with
# the flows whose [ts_first - slack, ts_last + slack] holds its time
# (Suricata `timestamp`, Zeek `ts` as epoch seconds or ISO 8601); slack is
# in seconds, default 5. Each input that matches comes out once, with the
# matching flows in `wireaudit` (an array). Both sides must use the same
# Community ID seed. Works with jq 1.6 and later.

# a time -> seconds since the epoch (number), or null when not understood
def wa_epoch:
  if type == "number" then .
  elif type == "string" then
    (capture("^(?<d>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?<t>[0-9]{2}:[0-9]{2}:[0-9]{2})(\\.(?<f>[0-9]+))?(?<z>Z|[+-][0-9]{2}:?[0-9]{2})$")
     // null)
    | if . == null then null else
        ((.d + "T" + .t + "Z") | fromdateiso8601)
        + (if .f then ("0." + .f | tonumber) else 0 end)
        - (if .z == "Z" then 0 else
             (.z | sub(":"; "")) as $z
             | ($z[0:1] | if . == "-" then -1 else 1 end)
               * (($z[1:3] | tonumber) * 3600 + ($z[3:5] | tonumber) * 60)
           end)
      end
  else null end;

(($ARGS.named.slack // 5) | tonumber) as $slack
| (reduce ($wa[] | (.flow // .) | select(type == "object" and .community_id != null)) as $r
     ({}; .[$r.community_id] += [$r])) as $by
| inputs
| select(type == "object" and .community_id != null and $by[.community_id] != null)
| . as $o
| (($o.timestamp // $o.ts) | wa_epoch) as $t
| [ $by[$o.community_id][]
    | select($t == null
             or (((.ts_first | wa_epoch) - $slack) <= $t and $t <= ((.ts_last | wa_epoch) + $slack))) ]
  as $m
| select($m | length > 0)
| $o + { wireaudit: $m }
