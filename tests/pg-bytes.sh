# SPDX-License-Identifier: BSD-3-Clause
# pg-bytes.sh — wire strings byte for byte through the fleet store (issue 16;
# docs/FLEET.md "a fleet database keeps wire strings byte for byte"), against
# a real PostgreSQL 15 (tests/pg-lib.sh). tests/pg-store.sh compares the
# export of every capture; an export cannot tell a raw byte 0xe9 from the
# UTF-8 "é" a conversion would make (both are U+00E9 in JSON), so here the
# stored bytes themselves are compared, in hex, PostgreSQL's against SQLite's:
#   1. a capture made here (a PostgreSQL StartupMessage whose user is every
#      byte 0x01..0xff and whose database and application_name carry quotes,
#      backslashes, \N, \., tab, newline, CR; a TLS ClientHello whose
#      server_name is every byte 0x01..0xff) and pcaps/escaping/*.pcap,
#      captured into SQLite and, through a spool, into PostgreSQL;
#   2. the export from PostgreSQL (the private copy: COPY TO and
#      pg_copy_split) is SQLite's, byte for byte but flow_uid;
#   3. in psql, the stored columns (cleartext user and details, TLS SNI,
#      the certificate's names and DER) are the wire bytes: every byte
#      0x01..0xff in order, high bytes and control bytes unchanged, the
#      same hex as sqlite3's hex() of the same column;
#   4. the session settings a DBA or the environment may set do not change
#      a byte: PGCLIENTENCODING=UTF8, and a database with ALTER DATABASE
#      SET client_encoding = 'UTF8', bytea_output = 'escape'.
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/pg-lib.sh"

pg_available || { echo "1..0 # SKIP $PG_SKIP_REASON"; exit 0; }
trap 'pg_cleanup; rm -rf "$T_TMP"' EXIT
D=$T_TMP
W=$WIREAUDIT
q() { "$PG_BIN/psql" -X -q -A -t -w -v ON_ERROR_STOP=1 "$@"; }
pg_start >/dev/null || { echo "Bail out! PostgreSQL did not start"; exit 1; }

# ---- 1. the captures ----
cat > "$D/gen.py" <<'PYEOF'
import os, struct, sys
sys.path.insert(0, os.path.join(os.environ["SRCDIR"], "tools"))
import pcaplib
ALL = bytes(range(1, 256))
MAC_C, MAC_S = bytes.fromhex("020000007801"), bytes.fromhex("020000007802")
IP_C, IP_S = bytes([10, 78, 0, 1]), bytes([10, 78, 0, 2])
def conn(sport, dport, t0):
    return pcaplib.TcpConn(IP_C, IP_S, sport, dport, MAC_C, MAC_S, t0=t0, step=0.001, mss=1400,
                           ack_data=True, handshake=True)
def u8(v): return struct.pack("!B", v)
def u16(v): return struct.pack("!H", v)
def vec8(b): return u8(len(b)) + b
def vec16(b): return u16(len(b)) + b
def vec24(b): return struct.pack("!I", len(b))[1:] + b
frames = []
# PostgreSQL protocol 3.0 StartupMessage: Int32 length, Int32 196608,
# (String name, String value)*, \0 (a String holds any byte but NUL)
params = (b"user\0" + ALL +
          b"\0database\0" + b"it's \"q\" \\N \\. \\\\ C:\\x41\\101 $$;--" +
          b"\0application_name\0" + b"tab\there nl\nthere cr\rthere \\t\x1b[0m" + b"\0\0")
c = conn(45001, 5432, 1796200000)
c.c(struct.pack("!II", 8 + len(params), 196608) + params)
c.s(b"R" + struct.pack("!II", 8, 0))      # AuthenticationOk
c.s(b"Z" + struct.pack("!I", 5) + b"I")   # ReadyForQuery
c.c(b"X" + struct.pack("!I", 4))          # Terminate
c.close()
frames += c.frames
# TLS 1.2 ClientHello (RFC 5246 §7.4.1.2) whose server_name (RFC 6066 §3,
# opaque on the wire) is every byte 0x01..0xff
exts = u16(0) + vec16(vec16(u8(0) + vec16(ALL)))
body = u16(0x0303) + bytes(range(32)) + vec8(b"") + vec16(u16(0xc02f)) + vec8(b"\0") + vec16(exts)
c = conn(45002, 443, 1796200001)
c.c(u8(22) + u16(0x0301) + vec16(u8(1) + vec24(body)))
c.close()
frames += c.frames
pcaplib.write_frames(sys.argv[1], frames)
PYEOF
python3 "$D/gen.py" "$D/bytes.pcap"
t_is "$?" 0 "made the capture of every byte"
ins=(-r "$D/bytes.pcap")
for f in "$SRCDIR"/pcaps/escaping/*.pcap; do ins+=(-r "$f"); done
"$W" capture -q "${ins[@]}" -d "$D/s.db" --sensor bytes
t_is "$?" 0 "captured into SQLite"
U=$(pg_newdb bytes)
"$W" schema --postgresql | q "$U" >/dev/null
"$W" capture -q "${ins[@]}" -d "$U" --spool "$D/b.spool" --sensor bytes 2>"$D/b.err"
t_is "$?|$(cat "$D/b.err")" "0|" "captured into PostgreSQL through a spool, nothing said"
t_is "$(q "$U" -c 'SELECT count(*) FROM flows')" "$(sqlite3 "$D/s.db" 'SELECT count(*) FROM flows')" \
	"as many flows in PostgreSQL as in SQLite"

# ---- 2. the export ----
t_export_nouid -d "$D/s.db" > "$D/s.jsonl"
t_export_nouid -d "$U" > "$D/p.jsonl"
t_ok "$(cmp -s "$D/s.jsonl" "$D/p.jsonl"; echo $?)" \
	"export from PostgreSQL is SQLite's, byte for byte ($(wc -l < "$D/s.jsonl") records, $(wc -c < "$D/s.jsonl") bytes)"
diff "$D/s.jsonl" "$D/p.jsonl" | head -4 | cut -c1-200 | sed 's/^/# /'

# ---- 3. the stored bytes ----
ALLHEX=$(python3 -c 'print(bytes(range(1, 256)).hex().upper())')
t_is "$(sqlite3 "$D/s.db" "SELECT hex(user) FROM cleartext WHERE length(CAST(user AS BLOB)) = 255")" \
	"$ALLHEX" "SQLite: the user is every byte 0x01..0xff (the oracle is right)"
t_is "$(q "$U" -c "SELECT octet_length(\"user\") || ' ' || upper(encode(convert_to(\"user\", 'SQL_ASCII'), 'hex'))
	FROM cleartext WHERE octet_length(\"user\") = 255")" "255 $ALLHEX" \
	"PostgreSQL: cleartext.user holds every byte 0x01..0xff, 255 octets, in order"
t_is "$(q "$U" -c "SELECT octet_length(sni) || ' ' || upper(encode(convert_to(sni, 'SQL_ASCII'), 'hex'))
	FROM tls WHERE octet_length(sni) = 255")" "255 $ALLHEX" \
	"PostgreSQL: tls.sni holds every byte 0x01..0xff"
# pcaps/escaping: the user of pgsql-user.pcap ends in ff fe c0 af (not
# UTF-8), its application_name is ESC [31m RED ESC ]0;title BEL
t_is "$(q "$U" -c "SELECT upper(encode(convert_to(\"user\", 'SQL_ASCII'), 'hex')) FROM cleartext
	WHERE \"user\" LIKE '=cmd|%'")" "$(sqlite3 "$D/s.db" "SELECT hex(user) FROM cleartext WHERE user LIKE '=cmd|%'")" \
	"a user with bytes >= 0x80 (ff fe c0 af): PostgreSQL's bytes are SQLite's"
t_is "$(q "$U" -c "SELECT upper(encode(convert_to(\"user\", 'SQL_ASCII'), 'hex')) FROM cleartext
	WHERE \"user\" LIKE '=cmd|%'" | grep -c 'FFFEC0AF$')" 1 "... and end ff fe c0 af, unconverted"
t_is "$(q "$U" -c "SELECT upper(encode(convert_to(sval, 'SQL_ASCII'), 'hex')) FROM cleartext_details
	WHERE key = 'application_name' ORDER BY 1")" \
	"$(printf '%s\n' 1B5B33316D5245441B5D303B7469746C6507 \
		"$(printf 'tab\there nl\nthere cr\rthere \\t\033[0m' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)")" \
	"application_name with ESC, BEL, tab, newline, CR, backslash: the wire bytes in PostgreSQL"
# every wire-string column, each row, PostgreSQL's hex against SQLite's
# (flow ids: the fleet's are run key * 2^40 + the sensor's, run key 1 here)
cols="cleartext:flow_id:user cleartext:flow_id:auth_mechanism cleartext_details:flow_id,seq:key
	cleartext_details:flow_id,seq:sval tls:flow_id:sni certs:sha256:subject certs:sha256:issuer
	certs:sha256:subject_cn certs:sha256:serial"
sep="||' '||"
for spec in $cols; do
	IFS=: read -r t k c <<< "$spec"
	pk=${k//flow_id/flow_id % 1099511627776}
	sq=$(sqlite3 "$D/s.db" "SELECT ${k//,/$sep}, hex(\"$c\") FROM \"$t\" ORDER BY $k" 2>&1)
	pq=$(q "$U" -F'|' -c "SELECT ${pk//,/$sep}, coalesce(upper(encode(convert_to(\"$c\", 'SQL_ASCII'), 'hex')), '')
		FROM \"$t\" ORDER BY $pk" 2>&1)
	n=$(printf '%s' "$sq" | grep -c '|.')
	t_is "$pq" "$sq" "$t.$c: every row's bytes in PostgreSQL are SQLite's ($n non-empty)"
done
t_is "$(q "$U" -c "SELECT upper(encode(der, 'hex')) FROM certs ORDER BY sha256")" \
	"$(sqlite3 "$D/s.db" 'SELECT hex(der) FROM certs ORDER BY sha256')" "certs.der (bytea): the DER as SQLite has it"
t_is "$(q "$U" -c "SELECT count(*) FROM certs WHERE encode(sha256(der), 'hex') = sha256")" \
	"$(sqlite3 "$D/s.db" 'SELECT count(*) FROM certs')" "... its SHA-256 is the key"

# ---- 4. session settings ----
# libpq sends PGCLIENTENCODING, and a database or role can have its own
# client_encoding and bytea_output: a fleet session is SQL_ASCII and hex
U2=$(pg_newdb bytesenv)
"$W" schema --postgresql | q "$U2" >/dev/null
PGCLIENTENCODING=UTF8 "$W" capture -q "${ins[@]}" -d "$U2" --spool "$D/env.spool" --sensor bytes --spool-drain 5 \
	2>"$D/env.err"
t_is "$?|$(q "$U2" -c 'SELECT count(*) FROM flows')" "0|$(sqlite3 "$D/s.db" 'SELECT count(*) FROM flows')" \
	"PGCLIENTENCODING=UTF8: the capture forwards every flow, exit 0"
head -3 "$D/env.err" | cut -c1-200 | sed 's/^/# /'
t_ok "$(PGCLIENTENCODING=UTF8 t_export_nouid -d "$U2" 2>"$D/env.err" | cmp -s - "$D/s.jsonl"; echo $?)" \
	"PGCLIENTENCODING=UTF8: export is SQLite's"
head -3 "$D/env.err" | cut -c1-200 | sed 's/^/# /'
U3=$(pg_newdb bytesdb)
"$W" schema --postgresql | q "$U3" >/dev/null
q "$U3" -c "ALTER DATABASE bytesdb SET client_encoding = 'UTF8'; ALTER DATABASE bytesdb SET bytea_output = 'escape'"
t_is "$(q "$U3" -c 'SHOW bytea_output')" escape "a database with client_encoding UTF8 and bytea_output escape"
"$W" capture -q "${ins[@]}" -d "$U3" --spool "$D/db.spool" --sensor bytes --spool-drain 5 2>"$D/db.err"
t_is "$?|$(q "$U3" -c 'SELECT count(*) FROM flows')" "0|$(sqlite3 "$D/s.db" 'SELECT count(*) FROM flows')" \
	"... the capture forwards every flow, exit 0"
head -3 "$D/db.err" | cut -c1-200 | sed 's/^/# /'
t_ok "$(t_export_nouid -d "$U3" 2>"$D/db.err" | cmp -s - "$D/s.jsonl"; echo $?)" "... export is SQLite's"
head -3 "$D/db.err" | cut -c1-200 | sed 's/^/# /'
echo "# done at ${SECONDS}s"
t_done
