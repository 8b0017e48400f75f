# SPDX-License-Identifier: BSD-3-Clause
# pg-lib.sh — a private PostgreSQL 15 server for tests (sourced, after
# tests/lib.sh or alone). Nothing of the system's: no service, no fixed port,
# no /dev/shm; everything lives in one directory that pg_cleanup removes.
#
#   pg_available        0 if PostgreSQL 15 is installed (and, as root, a user
#                       to run it as can be switched to); else 1, with the
#                       reason in PG_SKIP_REASON
#   pg_start [--ssl]    initdb + start; exports the PG_* variables below
#   pg_stop             fast shutdown            pg_kill   immediate (a crash)
#   pg_restart_same     start again: same data directory, port and socket
#   pg_cleanup          stop if running, remove everything (idempotent; call
#                       it from the EXIT trap; pg_start turns INT, TERM and
#                       HUP into an exit, unless trapped already, so that
#                       trap runs when the test is killed too)
#   pg_psql ARGS...     psql as wa over TCP to database wa (-d URL or a
#                       database name in ARGS overrides), -X -q -A -t -w
#                       -v ON_ERROR_STOP=1
#   pg_newdb NAME       drop NAME if it exists, create it; prints its TCP URL
#
# Exported by pg_start:
#   PG_DIR       the temporary directory (under ${TMPDIR:-/tmp}, or /tmp)
#   PG_DATA      the data directory          PG_LOG   the server's log
#   PG_HOST      the Unix socket directory   PG_PORT  the TCP port
#   PG_TCP_URL   postgresql://wa@127.0.0.1:PORT/wa
#   PG_SOCK_URL  postgresql://wa@/wa?host=SOCKDIR&port=PORT
#   PG_PASSWORD  wa's password (random hex)  PGPASSFILE  a pgpass file with it
#   PG_CA        (--ssl) the CA that signed the server certificate
#                (CN localhost, SAN DNS:localhost and IP:127.0.0.1)
#   PG_BIN       /usr/lib/postgresql/15/bin (call psql as "$PG_BIN/psql")
#
# Authentication is scram-sha-256 for local (socket) and host connections
# alike, so a wrong password really fails. As root (PostgreSQL refuses to
# run as root) initdb, pg_ctl and postgres run as PG_RUNAS (default:
# postgres if that user exists, else nobody) through runuser, or setpriv;
# the data and socket directories are that user's, PG_DIR is 0711, the
# pgpass file stays the caller's (0600).
#
# The cluster is SQL_ASCII (initdb -E SQL_ASCII): a fleet database keeps wire
# strings byte for byte, as SQLite does, and wireaudit refuses any other
# encoding (docs/FLEET.md).
#
# synchronous_commit is ON although fsync=off: with fsync off a synchronous
# commit costs one write(2), and an acknowledged commit must survive pg_kill
# (with it off, an immediate shutdown loses up to 3 x wal_writer_delay of
# acknowledged commits still in wal_buffers). PG_SYNC_COMMIT=off before
# pg_start to have it off anyway.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
export PG_BIN
PG__UP=0      # 1 while pg_start's directory exists
PG__ASUSER=   # set by pg__pick_user: runuser | setpriv | "" (not root)

pg__err() { echo "pg-lib: $*" >&2; }

# the server's log (and the last pg_ctl output), as TAP comments, to stderr
pg__dump_log() {
	local f
	for f in "${PG_DIR:-}/pg_ctl.out" "${PG_LOG:-}"; do
		if [ -z "$f" ] || [ ! -s "$f" ]; then continue; fi
		echo "# ---- $f (last 40 lines) ----" >&2
		tail -n 40 "$f" | sed 's/^/#   /' >&2
	done
}

# pg__as CMD ARGS...: CMD as the server's user, in PG_DIR, with a clean
# environment (no PG* variable of the caller's leaks into initdb or postgres)
pg__as() {
	local envv=(env -i PATH=/usr/bin:/bin LC_ALL=C TZ="${TZ:-UTC}" HOME="${PG_DIR:-/}")
	case $PG__ASUSER in
	runuser) (cd "$PG_DIR" && runuser -u "$PG_RUNAS" -- "${envv[@]}" "$@") ;;
	setpriv) (cd "$PG_DIR" && setpriv --reuid="$PG_RUNAS" --regid="$(id -g "$PG_RUNAS")" --clear-groups \
		-- "${envv[@]}" "$@") ;;
	*) (cd "$PG_DIR" && "${envv[@]}" "$@") ;;
	esac
}

# as root: choose the user to run PostgreSQL as, and how to become it
pg__pick_user() {
	PG__ASUSER=
	[ "$(id -u)" -eq 0 ] || return 0
	if [ -z "${PG_RUNAS:-}" ]; then
		if id -u postgres >/dev/null 2>&1; then PG_RUNAS=postgres; else PG_RUNAS=nobody; fi
	fi
	id -u "$PG_RUNAS" >/dev/null 2>&1 || { PG_SKIP_REASON="no user $PG_RUNAS to run PostgreSQL as"; return 1; }
	[ "$(id -u "$PG_RUNAS")" -ne 0 ] || { PG_SKIP_REASON="PG_RUNAS=$PG_RUNAS is root"; return 1; }
	if command -v runuser >/dev/null 2>&1 && (cd / && runuser -u "$PG_RUNAS" -- /bin/true) >/dev/null 2>&1; then
		PG__ASUSER=runuser
	elif command -v setpriv >/dev/null 2>&1 && (cd / && setpriv --reuid="$PG_RUNAS" \
		--regid="$(id -g "$PG_RUNAS")" --clear-groups -- /bin/true) >/dev/null 2>&1; then
		PG__ASUSER=setpriv
	else
		PG_SKIP_REASON="running as root and cannot switch to $PG_RUNAS (runuser/setpriv)"
		return 1
	fi
}

pg_available() {
	PG_SKIP_REASON=
	if [ ! -x "$PG_BIN/initdb" ]; then
		PG_SKIP_REASON="PostgreSQL 15 missing ($PG_BIN/initdb; tools/install-deps)"
		return 1
	fi
	pg__pick_user
}

# a TCP port on 127.0.0.1 that nothing listens on now (pg__start_server
# retries with another if someone takes it first); below the ephemeral range
pg__free_port() {
	local p i used
	used=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A" { split($2, a, ":"); print a[2] }')
	for i in $(seq 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		printf '%s\n' "$used" | grep -qix "$(printf '%04X' "$p")" || { echo "$p"; return 0; }
	done
	return 1
}

# a single-quoted value for postgresql.conf
pg__q() { printf "'%s'" "${1//\'/\'\'}"; }

# percent-encoding of a URL query value (keeps / and the unreserved set)
pg__urlenc() {
	local s=$1 out='' c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9/._~-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

# wait until the server answers on TCP and on the socket (30 s at most)
pg__wait_ready() {
	local i
	for i in $(seq 150); do
		"$PG_BIN/pg_isready" -q -t 2 -h 127.0.0.1 -p "$PG_PORT" &&
			"$PG_BIN/pg_isready" -q -t 2 -h "$PG_HOST" -p "$PG_PORT" && return 0
		sleep 0.2
	done
	return 1
}

# the postmaster's pid (while postmaster.pid is there)
pg__pid() { sed -n 1p "$PG_DATA/postmaster.pid" 2>/dev/null; }

# pg_ctl stop -w returns once postmaster.pid is gone, a moment before the
# process is: wait (10 s at most) until it is gone too (or a zombie that a
# PID 1 that reaps nothing leaves)
pg__wait_gone() {
	local i
	[ -n "${1:-}" ] || return 0
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ] || return 0
		sleep 0.1
	done
	return 1
}

pg__running() {
	[ "$PG__UP" = 1 ] && [ -f "$PG_DATA/postmaster.pid" ] &&
		pg__as "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

# start the postmaster on PG_DATA; 0 when ready, 1 on failure, 98 when the
# port was taken
pg__start_server() {
	if ! pg__as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 120 start >"$PG_DIR/pg_ctl.out" 2>&1; then
		grep -q 'could not bind IPv4 address "127.0.0.1": Address already in use\|could not create lock file.*s.PGSQL' \
			"$PG_LOG" 2>/dev/null && return 98
		pg__err "the server did not start (port $PG_PORT, $PG_DIR)"
		pg__dump_log
		return 1
	fi
	if ! pg__wait_ready; then
		pg__err "the server does not accept connections after 30 s (port $PG_PORT, socket $PG_HOST)"
		pg__dump_log
		return 1
	fi
}

# CA and server certificate (openssl CLI), in $PG_DIR/ssl
pg__make_certs() {
	local d=$PG_DIR/ssl
	mkdir -m 0755 "$d" || return 1
	command -v openssl >/dev/null 2>&1 || { pg__err "--ssl needs the openssl CLI"; return 1; }
	if ! { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
		-subj "/CN=wireaudit test CA" -keyout "$d/ca.key" -out "$d/ca.pem" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
			-keyout "$d/server.key" -out "$d/server.csr" &&
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
			>"$d/server.ext" &&
		openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 30 \
			-extfile "$d/server.ext" -out "$d/server.pem"; } >"$d/openssl.out" 2>&1 || [ ! -s "$d/server.pem" ]; then
		pg__err "openssl could not make the certificates:"
		sed 's/^/#   /' "$d/openssl.out" >&2
		return 1
	fi
	# PostgreSQL wants the key owned by its user (or root) and 0600
	chmod 0600 "$d/server.key" "$d/ca.key"
	chmod 0644 "$d/ca.pem" "$d/server.pem"
	[ -z "$PG__ASUSER" ] || chown "$PG_RUNAS:" "$d/server.key"
}

pg_start() {
	local ssl=0 pw owner try rc pgtmp
	while [ $# -gt 0 ]; do
		case $1 in
		--ssl) ssl=1 ;;
		*) pg__err "pg_start: unknown option $1"; return 2 ;;
		esac
		shift
	done
	if [ "$PG__UP" = 1 ]; then
		pg__err "pg_start: a server is already set up in $PG_DIR (pg_cleanup first)"
		return 1
	fi
	pg_available || { pg__err "$PG_SKIP_REASON"; return 1; }
	# bash runs no EXIT trap when a signal ends it: make INT, TERM and HUP
	# an exit (unless the caller traps them), so pg_cleanup runs
	local sig
	for sig in INT TERM HUP; do
		# shellcheck disable=SC2064 # the number, now
		[ -n "$(trap -p "$sig")" ] || trap "exit $((128 + $(kill -l "$sig")))" "$sig"
	done

	# the directory: the server's user must reach it (as root), and
	# SOCKDIR/.s.PGSQL.PORT must fit in sun_path (107 bytes): else /tmp
	for pgtmp in "${TMPDIR:-/tmp}" /tmp; do
		PG_DIR=$(mktemp -d "$pgtmp/wa-pg.XXXXXX") || return 1
		PG__UP=1
		if [ $((${#PG_DIR} + 19)) -gt 107 ]; then # + /run/.s.PGSQL.65535
			pg__err "$PG_DIR is too long for a Unix socket path, trying /tmp"
		elif [ -n "$PG__ASUSER" ]; then
			chmod 0711 "$PG_DIR"
			pg__as /usr/bin/test -x "$PG_DIR" && break
			pg__err "$PG_RUNAS cannot reach $PG_DIR, trying /tmp"
		else
			break
		fi
		rm -rf "$PG_DIR"
		PG__UP=0
		[ "$pgtmp" != /tmp ] || return 1
	done
	PG_DATA=$PG_DIR/data
	PG_HOST=$PG_DIR/run
	PG_LOG=$PG_HOST/server.log
	mkdir -m 0700 "$PG_DATA" && mkdir -m 0755 "$PG_HOST" || return 1
	owner=
	[ -z "$PG__ASUSER" ] || owner=$PG_RUNAS
	[ -z "$owner" ] || chown "$owner:" "$PG_DATA" "$PG_HOST" || return 1

	# wa's password: hex, so nothing to escape in pgpass or a URL
	pw=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
	[ ${#pw} -eq 32 ] || { pg__err "no random password"; return 1; }
	(umask 077 && printf '%s\n' "$pw" > "$PG_HOST/pw") || return 1
	[ -z "$owner" ] || chown "$owner:" "$PG_HOST/pw"
	if ! pg__as "$PG_BIN/initdb" -D "$PG_DATA" -U wa --pwfile="$PG_HOST/pw" -A scram-sha-256 \
		-E SQL_ASCII --no-locale -N --no-instructions >"$PG_DIR/initdb.out" 2>&1; then
		pg__err "initdb failed:"
		sed 's/^/#   /' "$PG_DIR/initdb.out" >&2
		rm -f "$PG_HOST/pw"
		return 1
	fi
	rm -f "$PG_HOST/pw"

	if [ "$ssl" = 1 ]; then
		pg__make_certs || return 1
		PG_CA=$PG_DIR/ssl/ca.pem
		export PG_CA
	fi
	{
		echo "host all all 127.0.0.1/32 scram-sha-256"
		echo "host all all ::1/128 scram-sha-256"
		echo "local all all scram-sha-256"
		if [ "$ssl" = 1 ]; then
			echo "hostssl all all 127.0.0.1/32 scram-sha-256"
			echo "hostssl all all ::1/128 scram-sha-256"
		fi
	} > "$PG_DATA/pg_hba.conf"
	cat >> "$PG_DATA/postgresql.conf" <<-EOF

		# ---- tests/pg-lib.sh ----
		listen_addresses = '127.0.0.1'
		unix_socket_directories = $(pg__q "$PG_HOST")
		unix_socket_permissions = 0777
		fsync = off
		full_page_writes = off
		synchronous_commit = ${PG_SYNC_COMMIT:-on}
		dynamic_shared_memory_type = mmap
		shared_buffers = 32MB
		max_connections = 100
		logging_collector = off
		log_min_messages = warning
		password_encryption = 'scram-sha-256'
		include_if_exists = 'wa-port.conf'
	EOF
	if [ "$ssl" = 1 ]; then
		cat >> "$PG_DATA/postgresql.conf" <<-EOF
			ssl = on
			ssl_cert_file = $(pg__q "$PG_DIR/ssl/server.pem")
			ssl_key_file = $(pg__q "$PG_DIR/ssl/server.key")
		EOF
	fi

	# a free port: another test may take it between the look and the bind
	rc=98
	for try in 1 2 3 4 5 6 7 8; do
		PG_PORT=$(pg__free_port) || { pg__err "no free TCP port"; return 1; }
		echo "port = $PG_PORT" > "$PG_DATA/wa-port.conf"
		[ -z "$owner" ] || chown "$owner:" "$PG_DATA/wa-port.conf"
		rm -f "$PG_LOG"
		pg__start_server
		rc=$?
		[ $rc -eq 98 ] || break
	done
	if [ $rc -ne 0 ]; then
		[ $rc -ne 98 ] || { pg__err "no port could be bound after $try tries"; pg__dump_log; }
		return 1
	fi

	PG_PASSWORD=$pw
	PGPASSFILE=$PG_DIR/pgpass
	(umask 077 && printf '*:%s:*:wa:%s\n' "$PG_PORT" "$pw" > "$PGPASSFILE") || return 1
	chmod 0600 "$PGPASSFILE"
	PG_TCP_URL=postgresql://wa@127.0.0.1:$PG_PORT/wa
	PG_SOCK_URL="postgresql://wa@/wa?host=$(pg__urlenc "$PG_HOST")&port=$PG_PORT"
	export PG_DIR PG_DATA PG_LOG PG_HOST PG_PORT PG_TCP_URL PG_SOCK_URL PG_PASSWORD PGPASSFILE

	if ! pg_psql -d postgres -c 'CREATE DATABASE wa' >"$PG_DIR/createdb.out" 2>&1; then
		pg__err "CREATE DATABASE wa failed:"
		sed 's/^/#   /' "$PG_DIR/createdb.out" >&2
		pg__dump_log
		return 1
	fi
}

pg_psql() {
	PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=wa PGDATABASE=wa PGCONNECT_TIMEOUT=10 \
		"$PG_BIN/psql" -X -q -A -t -w -v ON_ERROR_STOP=1 "$@"
}

pg_newdb() {
	local name=${1:-}
	case $name in
	[A-Za-z_]*) ;;
	*) pg__err "pg_newdb: a database name [A-Za-z_][A-Za-z0-9_]* please, not '$name'"; return 2 ;;
	esac
	case $name in
	*[!A-Za-z0-9_]*) pg__err "pg_newdb: a database name [A-Za-z_][A-Za-z0-9_]* please, not '$name'"; return 2 ;;
	esac
	printf 'DROP DATABASE IF EXISTS :"n" WITH (FORCE);\nCREATE DATABASE :"n";\n' |
		PGOPTIONS="-c client_min_messages=warning" pg_psql -d postgres -v n="$name" -f - || return 1
	echo "postgresql://wa@127.0.0.1:$PG_PORT/$name"
}

pg_stop() {
	local pid
	[ "$PG__UP" = 1 ] || { pg__err "pg_stop: no server"; return 1; }
	pid=$(pg__pid)
	pg__as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >"$PG_DIR/pg_ctl.out" 2>&1 || {
		pg__err "pg_stop: pg_ctl stop -m fast failed"
		pg__dump_log
		return 1
	}
	pg__wait_gone "$pid"
}

pg_kill() {
	local pid
	[ "$PG__UP" = 1 ] || { pg__err "pg_kill: no server"; return 1; }
	pid=$(pg__pid)
	pg__as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >"$PG_DIR/pg_ctl.out" 2>&1 || {
		pg__err "pg_kill: pg_ctl stop -m immediate failed"
		pg__dump_log
		return 1
	}
	pg__wait_gone "$pid"
}

pg_restart_same() {
	local rc
	[ "$PG__UP" = 1 ] || { pg__err "pg_restart_same: no server set up"; return 1; }
	if pg__running; then
		pg__err "pg_restart_same: the server is still running (pg_stop or pg_kill first)"
		return 1
	fi
	pg__start_server
	rc=$?
	[ $rc -ne 98 ] || { pg__err "pg_restart_same: port $PG_PORT is taken now"; pg__dump_log; }
	[ $rc -eq 0 ]
}

pg_cleanup() {
	local pid shm
	[ "$PG__UP" = 1 ] || return 0
	if [ -n "${PG_DATA:-}" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
		pid=$(pg__pid)
		shm=$(sed -n 7p "$PG_DATA/postmaster.pid" 2>/dev/null | awk '{ print $2 }')
		pg__as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 20 stop >/dev/null 2>&1
		# last resort: the postmaster did not go; its SysV segment with it
		if ! pg__wait_gone "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ]; then
			pg__err "pg_cleanup: the postmaster $pid did not stop: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			pg__wait_gone "$pid"
			[ -z "$shm" ] || ipcrm -m "$shm" 2>/dev/null
		fi
	fi
	rm -rf "$PG_DIR"
	PG__UP=0
	unset PG_DIR PG_DATA PG_LOG PG_HOST PG_PORT PG_TCP_URL PG_SOCK_URL PG_PASSWORD PGPASSFILE PG_CA
	return 0
}
