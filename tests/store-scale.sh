#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# store-scale.sh — the typed, normalised TLS store (schema 3, issue 12) at
# 20,000 handshakes: copies of the real TLS flows of pcaps/tls with fresh
# client addresses and ports (tools/bench/gen-bench.py), captured for real.
#  1. size: at most 500 bytes of database per flow (issue 12's target; the
#     JSON store of schema 2 needed 4.3 KB), because what repeats is stored
#     once: no more ClientHello profiles, server profiles or chains than
#     the real captures have;
#  2. references: every profile, chain and certificate a row points to
#     exists;
#  3. facts: every TLS object the 20,000 copies export is one the real
#     captures export (a profile or chain mixed up by the interning would
#     make a new one), and the copies cover the real ones;
#  4. the same for 20,000 copies of the real cleartext sessions (pcaps/plain,
#     pcaps/sample): typed rows and detail rows give back the very objects,
#     at most 500 bytes a flow.
. "$SRCDIR/tests/lib.sh"

W=$WIREAUDIT
q() { sqlite3 "$1" "$2"; }
N=20000
python3 "$SRCDIR/tools/bench/gen-bench.py" --out "$T_TMP/hs.pcap" --tls-flows $N --clear-flows 0 \
	--bulk-flows 0 --seconds 20 >&2 || { echo "Bail out! gen-bench failed"; exit 1; }
db=$T_TMP/hs.db
"$W" capture -q -r "$T_TMP/hs.pcap" -d "$db"; t_is $? 0 "capture of $N handshakes"
t_is "$(q "$db" 'SELECT count(*) FROM flows')" $N "$N flows"
t_is "$(q "$db" 'SELECT count(*) FROM tls')" $N "…each with a TLS row"

# the real captures the copies come from, in one store
args=()
for f in "$SRCDIR"/pcaps/tls/*.pcap; do args+=(-r "$f"); done
ref=$T_TMP/ref.db
"$W" capture -q "${args[@]}" -d "$ref" 2>/dev/null

# 1. size
bytes=$(stat -c %s "$db")
t_ok "$([ $((bytes / N)) -le 500 ]; echo $?)" "at most 500 bytes per flow (got $((bytes / N)))"
for t in tls_client_profiles tls_server_profiles chains; do
	got=$(q "$db" "SELECT count(*) FROM $t")
	max=$(q "$ref" "SELECT count(*) FROM $t")
	t_ok "$([ "$got" -ge 1 ] && [ "$got" -le "$max" ]; echo $?)" \
		"$t: $got rows, stored once (the real captures have $max)"
done

# 2. references
t_is "$(q "$db" 'SELECT count(*) FROM tls t LEFT JOIN tls_client_profiles p ON p.profile_id = t.client_profile
	WHERE t.client_profile IS NOT NULL AND p.profile_id IS NULL')" 0 "every client profile id exists"
t_is "$(q "$db" 'SELECT count(*) FROM tls t LEFT JOIN tls_server_profiles p ON p.profile_id = t.server_profile
	WHERE t.server_profile IS NOT NULL AND p.profile_id IS NULL')" 0 "every server profile id exists"
t_is "$(q "$db" 'SELECT count(*) FROM tls t LEFT JOIN chains c ON c.chain_id = t.server_chain
	WHERE t.server_chain IS NOT NULL AND c.chain_id IS NULL')" 0 "every server chain id exists"
t_is "$(q "$db" 'SELECT count(*) FROM chain_certs cc LEFT JOIN certs c ON c.sha256 = cc.sha256
	WHERE c.sha256 IS NULL')" 0 "every chain certificate exists"
t_is "$(q "$db" 'SELECT count(*) FROM chains c WHERE len != (SELECT count(*) FROM chain_certs cc
	WHERE cc.chain_id = c.chain_id)')" 0 "every chain holds len certificates"

# 3. facts
"$W" export -d "$db" | jq -c '.tls' | sort -u > "$T_TMP/copies.set"
"$W" export -d "$ref" | jq -c 'select(.tls != null) | .tls' | sort -u > "$T_TMP/real.set"
extra=$(comm -23 "$T_TMP/copies.set" "$T_TMP/real.set" | wc -l)
t_is "$extra" 0 "every TLS object of the copies is one of the real captures'"
n=$(wc -l < "$T_TMP/copies.set")
t_ok "$([ "$n" -ge 30 ]; echo $?)" "the copies show $n distinct TLS objects (at least 30 of the real captures' $(wc -l < "$T_TMP/real.set"))"

# 4. cleartext sessions
python3 "$SRCDIR/tools/bench/gen-bench.py" --out "$T_TMP/cl.pcap" --tls-flows 0 --clear-flows $N \
	--bulk-flows 0 --seconds 20 >&2 || { echo "Bail out! gen-bench failed"; exit 1; }
cdb=$T_TMP/cl.db
"$W" capture -q -r "$T_TMP/cl.pcap" -d "$cdb"; t_is $? 0 "capture of $N cleartext and STARTTLS sessions"
bytes=$(stat -c %s "$cdb")
t_ok "$([ $((bytes / N)) -le 500 ]; echo $?)" "cleartext: at most 500 bytes per flow (got $((bytes / N)))"
args=()
for f in "$SRCDIR"/pcaps/plain/*.pcap "$SRCDIR"/pcaps/sample/*.pcap; do args+=(-r "$f"); done
cref=$T_TMP/cref.db
"$W" capture -q "${args[@]}" -d "$cref" 2>/dev/null
"$W" export -d "$cdb" | jq -c 'select(.cleartext != null) | .cleartext' | sort -u > "$T_TMP/ccopies.set"
"$W" export -d "$cref" | jq -c 'select(.cleartext != null) | .cleartext' | sort -u > "$T_TMP/creal.set"
t_is "$(comm -23 "$T_TMP/ccopies.set" "$T_TMP/creal.set" | wc -l)" 0 \
	"every cleartext object of the copies is one of the real captures'"
n=$(wc -l < "$T_TMP/ccopies.set")
t_ok "$([ "$n" -ge 40 ]; echo $?)" "the copies show $n distinct cleartext objects (at least 40 of the real captures' $(wc -l < "$T_TMP/creal.set"))"
t_is "$("$W" export -d "$cdb" | jq -s '[.[] | select(.cleartext != null)] | length')" \
	"$(sqlite3 "$cdb" 'SELECT count(*) FROM cleartext')" "a cleartext object per cleartext row"
t_done
