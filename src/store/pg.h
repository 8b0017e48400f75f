/* SPDX-License-Identifier: BSD-3-Clause */
/* pg.h — the fleet store: PostgreSQL through libpq (docs/FLEET.md).
 *
 * Sensors never write PostgreSQL on their packet path: `capture -d URL`
 * writes its local SQLite spool as always and a forwarder thread
 * (src/store/forward.c) ships what was committed there, in flows.seq order,
 * exactly once (the progress is kept in the same PostgreSQL transaction as
 * the rows). Commands that read (report, export, status, audit) read a
 * private SQLite copy of the database (pg_mirror_open), so every rule and
 * every output runs unchanged on both backends.
 *
 * The PostgreSQL schema is derived from the one description there is, the
 * SQLite migrations (store_schema_desc): tables, columns, keys and indexes
 * read back from an in-memory database of that version and written as
 * PostgreSQL DDL; a newer version is reached by the difference of the two
 * descriptions. Passwords come from libpq's own places (PGPASSFILE,
 * ~/.pgpass, passfile=); a connection string holding one is refused.
 */
#ifndef WA_PG_H
#define WA_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_schema;

/* postgresql://, postgres://, or a libpq keyword string (host=... dbname=...) */
bool pg_is_conninfo(const char *s);

struct pg;
/* Connects and checks (writable: creates or migrates) the schema. -1 with
 * a one-line message in err (never the password), or -2 (err set) when the
 * connection string itself is refused (a password in it: exit 2). */
int pg_open(struct pg **out, const char *conninfo, bool writable, char *err, size_t errlen);
void pg_close(struct pg *p);
/* host:port/db as user, for messages */
const char *pg_target(const struct pg *p);
/* the libpq connection (PGconn *) for forward.c */
void *pg_conn(struct pg *p);
/* Whether the connection is still good (libpq's status). */
bool pg_ok(struct pg *p);
/* One line of libpq's last error (no password is ever in it). */
const char *pg_error(struct pg *p);
const struct store_schema *pg_schema(const struct pg *p);

/* What to copy: the flows of these sensors (NULL: all) whose time overlaps
 * [since, until] (-1: open). Everything else a report needs (runs, stats,
 * profiles, chains, certificates) is copied whole. */
struct pg_pull {
	int64_t since, until;
	const char *const *sensors;
	int nsensors;
};
/* A read-only store on a private SQLite copy of the fleet database (in
 * $TMPDIR, removed on close): what report, export, status and audit read. */
int pg_mirror_open(struct store **out, const char *conninfo, const struct pg_pull *pull,
		   char *err, size_t errlen);

/* The PostgreSQL DDL of a schema version (7 to the current one): the
 * fleet's own tables, the derived tables and indexes, the version row.
 * `wireaudit schema --postgresql` prints it (a DBA's review, partitions
 * made beforehand: docs/FLEET.md). */
struct jbuf;
int pg_schema_sql(int version, struct jbuf *b, char *err, size_t errlen);

/* `wireaudit status` on a fleet database: its size and each spool's
 * forwarding progress (wa_spool). */
struct pg_spool_row {
	char uid[40], sensor[256], updated_at[40];
	int64_t seq, forwarded, dropped;
};
struct pg_fleet {
	int64_t db_bytes;
	int nspools;
	struct pg_spool_row *spools;
};
int pg_fleet_info(const char *conninfo, struct pg_fleet *out, char *err, size_t errlen);
void pg_fleet_free(struct pg_fleet *f);

/* The COPY text format (PostgreSQL "COPY", text format): a value escaped
 * into b, or \N; bytea as \\x hex. Exposed for forward.c and the tests. */
struct jbuf;
void pg_copy_text(struct jbuf *b, const char *v);
void pg_copy_bytea(struct jbuf *b, const void *v, size_t n);
/* Splits one COPY text row in place: fields[i] (NULL for \N), unescaped;
 * returns the number of fields or -1. */
int pg_copy_split(char *line, size_t len, char **fields, int max);

#endif
