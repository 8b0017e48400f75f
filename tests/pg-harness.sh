# SPDX-License-Identifier: BSD-3-Clause
# pg-harness.sh — tests/pg-lib.sh, the private PostgreSQL 15 server of the
# tests that need one, checked by itself:
#   1. pg_start: the exported URLs and files; psql over TCP and over the
#      socket with the pgpass password; scram-sha-256 everywhere (a wrong
#      password fails over TCP and over the socket, none at all too); the
#      settings asked for; the server not running as root.
#   2. pg_kill (immediate shutdown) and pg_restart_same: same port, the
#      committed rows there; pg_stop and pg_restart_same too.
#   3. pg_newdb: a fresh database each time, even with a session open on it.
#   4. pg_cleanup: no process, no directory, no SysV segment left; twice.
#   5. pg_start --ssl: verify-full by name (localhost) and by address
#      (127.0.0.1) with PG_CA; another CA, a name not in the certificate:
#      refused; sslmode=disable still allowed (host lines).
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/pg-lib.sh"

pg_available || { echo "1..0 # SKIP $PG_SKIP_REASON"; exit 0; }
trap 'pg_cleanup; rm -rf "$T_TMP"' EXIT
D=$T_TMP
q() { "$PG_BIN/psql" -X -q -A -t -w "$@"; }
# a process there and not a zombie (a PID 1 may be slow to reap what it inherits)
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
if [ "$(id -u)" -eq 0 ]; then RUNAS=$PG_RUNAS; else RUNAS=$(id -un); fi

# ---- 1. start, connect, authentication ----
pg_start
t_is "$?" 0 "pg_start"
t_is "$PG_TCP_URL|$PG_SOCK_URL|$PG_HOST|$PG_DATA" \
	"postgresql://wa@127.0.0.1:$PG_PORT/wa|postgresql://wa@/wa?host=$PG_DIR/run&port=$PG_PORT|$PG_DIR/run|$PG_DIR/data" \
	"the exported URLs and directories"
t_is "$(stat -c '%a %u' "$PGPASSFILE")|$(cat "$PGPASSFILE")" "600 $(id -u)|*:$PG_PORT:*:wa:$PG_PASSWORD" \
	"PGPASSFILE: 0600, the caller's, wa's password for the port"
t_is "$(pg_psql -c 'select 1')" 1 "pg_psql: select 1"
t_is "$(q "$PG_TCP_URL" -c "select host(inet_server_addr()) || '|' || current_user || '|' || current_database()")" \
	"127.0.0.1|wa|wa" "PG_TCP_URL with the pgpass password: TCP to 127.0.0.1, user wa, database wa"
t_is "$(q "$PG_SOCK_URL" -c "select coalesce(host(inet_server_addr()), 'socket') || '|' || current_user || '|' || current_database()")" \
	"socket|wa|wa" "PG_SOCK_URL with the pgpass password: the Unix socket, user wa, database wa"

printf '*:*:*:wa:wrong%s\n' "$PG_PASSWORD" > "$D/pgpass.wrong"
chmod 0600 "$D/pgpass.wrong"
: > "$D/pgpass.none"
chmod 0600 "$D/pgpass.none"
PGPASSFILE=$D/pgpass.wrong q "$PG_TCP_URL" -c 'select 1' >"$D/out" 2>"$D/err"
t_is "$?|$(cat "$D/out")|$(grep -c 'password authentication failed for user "wa"' "$D/err")" "2||1" \
	"TCP, a wrong password: psql exits 2, password authentication failed"
PGPASSFILE=$D/pgpass.wrong q "$PG_SOCK_URL" -c 'select 1' >"$D/out" 2>"$D/err"
t_is "$?|$(cat "$D/out")|$(grep -c 'password authentication failed for user "wa"' "$D/err")" "2||1" \
	"the socket, a wrong password: psql exits 2, password authentication failed"
PGPASSFILE=$D/pgpass.none q "$PG_SOCK_URL" -c 'select 1' >"$D/out" 2>"$D/err"
t_is "$?|$(cat "$D/out")|$(grep -c 'no password supplied' "$D/err")" "2||1" \
	"the socket, no password: refused (neither trust nor peer)"
t_is "$(pg_psql -c "select string_agg(type || ' ' || coalesce(address, '-') || ' ' || auth_method, ',' order by line_number) from pg_hba_file_rules")" \
	"host 127.0.0.1 scram-sha-256,host ::1 scram-sha-256,local - scram-sha-256" "pg_hba: scram-sha-256 only"
t_is "$(pg_psql -c "select string_agg(name || '=' || setting, ',' order by name) from pg_settings where name in
	('fsync', 'full_page_writes', 'synchronous_commit', 'listen_addresses', 'ssl', 'password_encryption', 'port')")" \
	"fsync=off,full_page_writes=off,listen_addresses=127.0.0.1,password_encryption=scram-sha-256,port=$PG_PORT,ssl=off,synchronous_commit=on" \
	"the settings: fsync and full_page_writes off, loopback only, the port"
PID=$(head -1 "$PG_DATA/postmaster.pid")
t_is "$(ps -o user= -p "$PID")|$(stat -c %U "$PG_DATA")|$(stat -c %U "$PG_HOST")" "$RUNAS|$RUNAS|$RUNAS" \
	"the postmaster, the data and socket directories: $RUNAS's"

# ---- 2. kill, restart ----
pg_psql -c 'create table k (x int)' -c 'insert into k values (1), (2), (3)'
PORT=$PG_PORT
pg_kill
t_is "$?" 0 "pg_kill"
"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2
t_is "$?|$(alive "$PID"; echo $?)" "2|1" "after pg_kill: no answer, no postmaster"
pg_restart_same
t_is "$?|$PG_PORT" "0|$PORT" "pg_restart_same: on the same port"
t_is "$(pg_psql -c 'select count(*) from k')" 3 "after the crash: the 3 committed rows"
grep -q 'database system was interrupted\|was not properly shut down' "$PG_LOG"
t_is "$?" 0 "the server log tells of crash recovery"
pg_psql -c 'insert into k values (4)'
pg_stop
t_is "$?" 0 "pg_stop"
pg_restart_same
t_is "$?|$(pg_psql -c 'select count(*) from k')" "0|4" "pg_stop, pg_restart_same: 4 rows"
pg_restart_same 2>"$D/err"
t_is "$?|$(grep -c 'still running' "$D/err")" "1|1" "pg_restart_same while running: an error"

# ---- 3. pg_newdb ----
URL=$(pg_newdb foo 2>"$D/err")
t_is "$?|$URL|$(cat "$D/err")" "0|postgresql://wa@127.0.0.1:$PG_PORT/foo|" "pg_newdb foo: its URL, nothing on stderr"
q "$URL" -c 'create table f (x int)'
q "$URL" -c 'select pg_sleep(60)' >/dev/null 2>&1 &
SLEEPER=$!
for i in $(seq 50); do
	[ "$(pg_psql -c "select count(*) from pg_stat_activity where datname = 'foo'")" = 1 ] && break
	sleep 0.1
done
URL2=$(pg_newdb foo 2>"$D/err")
t_is "$?|$URL2|$(cat "$D/err")" "0|$URL|" "pg_newdb foo again, with a session open on it"
wait "$SLEEPER" 2>/dev/null
t_is "$(q "$URL" -c "select count(*) from pg_tables where tablename = 'f'")" 0 "a fresh database: the table is gone"
pg_newdb 'a;b' >/dev/null 2>&1
t_is "$?" 2 "pg_newdb: a name that is not an identifier is refused"

# ---- 4. cleanup ----
DIR=$PG_DIR
SHM=$(sed -n 7p "$PG_DATA/postmaster.pid" | awk '{ print $2 }')
PID=$(head -1 "$PG_DATA/postmaster.pid")
pg_cleanup
t_is "$?|$([ -e "$DIR" ]; echo $?)|$(alive "$PID"; echo $?)" "0|1|1" \
	"pg_cleanup: the directory removed, the postmaster gone"
if [ -n "$SHM" ] && command -v ipcs >/dev/null; then
	ipcs -m | awk '{ print $2 }' | grep -qx "$SHM"
	t_is "$?" 1 "pg_cleanup: the SysV segment gone"
fi
pg_cleanup
t_is "$?|${PG_DIR:-unset}" "0|unset" "pg_cleanup twice"

# ---- 5. --ssl ----
if ! command -v openssl >/dev/null; then
	echo "ok $((T_N += 1)) # SKIP openssl missing"
	t_done
	exit
fi
pg_start --ssl
t_is "$?|$PG_CA" "0|$PG_DIR/ssl/ca.pem" "pg_start --ssl: PG_CA"
SEL="select ssl from pg_stat_ssl where pid = pg_backend_pid()"
t_is "$(q "host=localhost port=$PG_PORT user=wa dbname=wa sslmode=verify-full sslrootcert=$PG_CA" -c "$SEL")" t \
	"verify-full, host=localhost, PG_CA: TLS"
t_is "$(q "host=127.0.0.1 port=$PG_PORT user=wa dbname=wa sslmode=verify-full sslrootcert=$PG_CA" -c "$SEL")" t \
	"verify-full, host=127.0.0.1 (the IP SAN), PG_CA: TLS"
t_is "$(q "host=127.0.0.1 port=$PG_PORT user=wa dbname=wa sslmode=disable" -c "$SEL")" f \
	"sslmode=disable: allowed, without TLS"
t_is "$(q "$PG_SOCK_URL" -c "$SEL")" f "the socket: no TLS"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=localhost" \
	-keyout "$D/other.key" -out "$D/other.pem" >/dev/null 2>&1
q "host=localhost port=$PG_PORT user=wa dbname=wa sslmode=verify-full sslrootcert=$D/other.pem" -c "$SEL" >"$D/out" 2>"$D/err"
t_is "$?|$(cat "$D/out")|$(grep -c 'certificate verify failed' "$D/err")" "2||1" \
	"verify-full with another CA: certificate verify failed"
q "host=wrong.example hostaddr=127.0.0.1 port=$PG_PORT user=wa dbname=wa sslmode=verify-full sslrootcert=$PG_CA" \
	-c "$SEL" >"$D/out" 2>"$D/err"
t_is "$?|$(cat "$D/out")|$(grep -c 'server certificate for "localhost" (and 1 other name) does not match host name "wrong.example"' "$D/err")" \
	"2||1" "verify-full, a name not in the certificate: refused"
t_is "$(pg_psql -c "select string_agg(type || ' ' || auth_method, ',' order by line_number) from pg_hba_file_rules")|$(pg_psql -c 'show ssl')" \
	"host scram-sha-256,host scram-sha-256,local scram-sha-256,hostssl scram-sha-256,hostssl scram-sha-256|on" \
	"--ssl: ssl=on, hostssl lines"
DIR=$PG_DIR
pg_cleanup
t_is "$?|$([ -e "$DIR" ]; echo $?)" "0|1" "pg_cleanup after --ssl"
t_done
