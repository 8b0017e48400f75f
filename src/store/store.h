/* SPDX-License-Identifier: BSD-3-Clause */
/* store.h — the embedded SQLite store behind one small interface: open,
 * batched writes of runs and flows with their observations, queries for
 * export and report, close. A second backend (PostgreSQL for a fleet of
 * sensors) would implement the same calls; nothing else includes sqlite3.h.
 *
 * Schema (docs/SCHEMA.md) is versioned with PRAGMA user_version and migrated
 * forward on open; a database from a newer version is refused.
 * Writes are batched: one transaction per STORE_BATCH_ROWS flows or
 * STORE_BATCH_USEC of wall time, whichever comes first, so a crash loses at
 * most that much. The file is created with mode 0600.
 */
#ifndef WA_STORE_H
#define WA_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "util.h"

struct obs_cert_rec;
struct obs_anom;
struct tls_facts;
struct obs_clear;
struct retention;

#define STORE_SCHEMA_VERSION 9
#define STORE_BATCH_ROWS 5000
#define STORE_BATCH_USEC (2 * 1000000LL)
/* How long a write waits for another process's write lock before failing. */
#define STORE_BUSY_TIMEOUT_MS 5000
#define STORE_BUSY_TIMEOUT_STR "5000"

struct store;

/* Exit-code-worthy failures come back as -1 with a message in err. */
int store_open(struct store **out, const char *path, bool readonly, char *err, size_t errlen);
void store_close(struct store *s);
/* Commit the current batch (if any) and start none. */
int store_commit(struct store *s);
/* Commit if the batch is old or large. */
void store_maybe_commit(struct store *s);
/* NULL while every write succeeded; after the first failed write (disk
 * full, read-only, locked past STORE_BUSY_TIMEOUT_MS, I/O error) SQLite's
 * reason, and every later write fails at once. The failure was reported on
 * stderr once; what was committed before stays in the database. */
const char *store_failed(const struct store *s);

/* For src/store/retention.c: statements inside the current batch (begun if
 * none; committed by store_commit), one-value queries, the bytes the pages
 * hold, free pages given back, and the retention stepped after each commit
 * with the latest flow time written as "now". */
#define STORE_BUSY (-2)  /* a soft-busy store's database is locked: try later */
int store_begin(struct store *s);
/* in_batch: inside the batch (begun if none, the write lock taken); else on
 * its own (a statement that writes only TEMP tables locks nothing) */
int store_exec(struct store *s, const char *sql, const char *const *params, int np, bool in_batch);
void store_set_soft_busy(struct store *s);
/* The seed of the flows' Community ID (capture --community-id-seed; 0). */
void store_set_community_seed(struct store *s, uint16_t seed);
int store_scalar(struct store *s, const char *sql, const char *const *params, int np, int64_t *out);
int64_t store_used_bytes(struct store *s);
void store_reclaim(struct store *s);
void store_set_retention(struct store *s, struct retention *r);
int64_t store_ts_max(const struct store *s);

struct run_info {
	const char *source;    /* files or interface */
	const char *filter;    /* BPF or NULL */
	int snaplen;
	const char *mode;      /* "offline" / "live" */
	const char *sensor;    /* --sensor (default: the host name), or NULL */
};

int store_run_begin(struct store *s, const struct run_info *ri, int64_t *run_id);
struct run_end {
	int64_t ts_first, ts_last;
	uint64_t packets, bytes, flows;
	int64_t drops, if_drops;   /* -1 unknown */
	const char *stats_json;    /* engine counters */
	const char *status;        /* "complete", "interrupted", "error" */
};
int store_run_end(struct store *s, int64_t run_id, const struct run_end *re);
/* Removes a run that recorded nothing (a capture that failed before its
 * first packet: a missing file, a bad filter, an unknown interface) with
 * its statistics rows. Returns 0, or -1 (the run holds flows, or SQLite
 * failed). */
int store_run_discard(struct store *s, int64_t run_id);
/* Progress of a running run (packets, bytes, flows, packet times; status
 * stays "running"), written into the current batch at each checkpoint: a
 * run killed by SIGKILL shows how far it got. Returns 0 or -1. */
int store_run_progress(struct store *s, int64_t run_id, const struct run_end *re);
/* One row of the live statistics time series (docs/SCHEMA.md "stats"):
 * an interface's (offline: the run's) counters so far, at a checkpoint or
 * at the end (final). Kernel counters -1: unknown (NULL; offline). */
struct stats_row {
	int64_t run_id;
	int64_t ts;                /* wall clock, µs */
	int64_t pkt_ts;            /* the last packet's time, µs (0: none yet) */
	const char *iface;         /* NULL offline */
	bool final;
	int64_t received, kernel_drops, if_drops;
	uint64_t packets, bytes, open_flows, flows_ended, flows_evicted, anomalies;
	uint64_t queue_waits, queue_wait_us;
	unsigned workers;
};
/* Appends the row to the current batch. 0 or -1 (store_failed). */
int store_stats_row(struct store *s, const struct stats_row *r);
/* First free flow id (flow ids are unique across runs in one database). */
uint64_t store_next_flow_id(struct store *s);

struct flow_rec {
	uint64_t flow_id;
	int64_t run_id;
	int64_t ts_first, ts_last;
	const char *transport;
	char client_ip[IPSTR_MAX], server_ip[IPSTR_MAX];
	uint16_t client_port, server_port, vlan, vlan_inner;
	uint64_t packets[2], bytes[2], payload[2];
	const char *client_by, *end_reason;
	const char *ndpi_protocol, *ndpi_category;
	/* nDPI's risk bits (ndpi_risk_enum) when nDPI looked at the flow
	 * (has_ndpi_risk), and the names of those bits (64 entries): the store
	 * keeps each bit's name once (ndpi_risk_names), not per flow */
	bool has_ndpi_risk;
	uint64_t ndpi_risk;
	const char *const *ndpi_risk_names;
	const char *protocol, *security;
	const char *iface;             /* the interface it was seen on (live), or NULL */
	const struct obs_clear *clear; /* cleartext-session facts, or NULL */
	const struct tls_facts *tls;   /* typed TLS facts, or NULL */
	const struct obs_cert_rec *certs;
	unsigned ncerts;
	const struct obs_anom *anoms;
	unsigned nanoms;
	bool rewrite;      /* rows of this flow_id may exist (a checkpoint
			    * snapshot): its observation rows are replaced */
	bool checkpoint;   /* a snapshot taken at a checkpoint (not the one
			    * written when a connection closes): it takes a
			    * seq, as a final record does (store_each_flow's
			    * after_seq) */
	bool keep_children; /* with rewrite: the row and its tls, cleartext and
			     * certificate rows written before are still right
			     * (observations final then): only ts_last, the
			     * counters, end_reason and the anomalies change */
};

int store_flow(struct store *s, const struct flow_rec *r);
/* Updates only ts_last, the packet/byte counters and (when r->end_reason
 * is set) end_reason of a flow already written: a checkpoint of a flow
 * whose observations are final, or the end of a closed connection written
 * when it closed. */
int store_flow_counters(struct store *s, const struct flow_rec *r);

/* ---- read side ---- */

struct flow_filter {
	int64_t flow_id;   /* -1: all */
	int64_t since, until; /* microseconds, -1: open */
	/* after_seq >= 0: only the records written after that point of the
	 * store's sequence (flows.seq), up to upto_seq, in that order: each
	 * flow's final record once (export --after, the event stream), and
	 * with snapshots its checkpoint snapshots too; -1: every flow in
	 * flow_id order. store_max_seq() gives upto_seq. */
	int64_t after_seq, upto_seq;
	bool snapshots;
};

/* One flow as the export sees it: flow columns plus observation JSON. All
 * strings valid until the callback returns. */
struct flow_view {
	int64_t flow_id, run_id, ts_first, ts_last;
	const char *transport, *client_ip, *server_ip;
	int client_port, server_port, vlan, vlan_inner;
	int64_t packets[2], bytes[2], payload[2];
	const char *client_by, *end_reason;
	const char *ndpi_protocol, *ndpi_category, *ndpi_risks_json;
	const char *protocol, *security;
	const char *iface;           /* flows.interface, NULL for files */
	const char *community_id;    /* flows.community_id, NULL before schema 7 */
	const char *tls_json;        /* with "certs" merged in, or NULL */
	const char *cleartext_json;  /* or NULL */
	const char *anomalies_json;  /* JSON array, never NULL */
	/* flat extracts for CSV and text */
	const char *tls_version, *tls_cipher, *tls_sni;
	int credentials;             /* -1: no cleartext object */
	const char *auth_mechanism, *user;
	const char *anomaly_names;   /* "dissector:name;..." or NULL */
	int64_t rollup_flows;        /* a daily roll-up row: the flows it stands for; 0: a flow */
	const char *flow_uid;        /* runs.uid "-" flow_id: unique across runs, stores and sensors */
	int64_t seq;                 /* flows.seq, 0: none */
};

/* Calls cb for each flow matching f, in flow_id order. Returns 0, -1 on a
 * store error, or the first non-zero value cb returned. */
/* The last flows.seq committed (0: none). */
int64_t store_max_seq(struct store *s);
int store_each_flow(struct store *s, const struct flow_filter *f,
		    int (*cb)(const struct flow_view *v, void *arg), void *arg);

/* A query over a JSON text bound as ?1, on a private in-memory SQLite
 * connection (SQLite's JSON functions as the JSON reader, whatever the
 * store's backend): one callback per row with column texts. */
int store_json_query(const char *json, const char *sql,
		     int (*cb)(int ncol, const char *const *vals, void *arg), void *arg);

/* Raw access for the report pass: run a read-only query, one callback per
 * row with column texts (NULL for SQL NULL). Parameters bound as text. */
int store_query(struct store *s, const char *sql, const char *const *params, int nparams,
		int (*cb)(int ncol, const char *const *vals, void *arg), void *arg);

/* The same for scans of many rows: the callback reads the columns it needs
 * through store_col_int / store_col_text / store_col_null (valid until it
 * returns), so integers stay integers and unread columns cost nothing. */
struct store_row;
int store_query_rows(struct store *s, const char *sql, const char *const *params, int nparams,
		     int (*cb)(const struct store_row *r, void *arg), void *arg);
int64_t store_col_int(const struct store_row *r, int i);      /* NULL: 0 */
int store_col_count(const struct store_row *r);                /* columns of the row */
const char *store_col_text(const struct store_row *r, int i); /* NULL: NULL */
bool store_col_null(const struct store_row *r, int i);
/* A BLOB (or text) column's bytes and length (NULL, 0 for SQL NULL). */
const void *store_col_blob(const struct store_row *r, int i, size_t *len);
/* A column's type: STORE_T_NULL, _INT, _FLOAT, _TEXT or _BLOB. */
enum { STORE_T_NULL, STORE_T_INT, STORE_T_FLOAT, STORE_T_TEXT, STORE_T_BLOB };
int store_col_type(const struct store_row *r, int i);

/* A query prepared once and run many times with the values of another
 * query's row as its parameters (?1.. get columns first.. of that row,
 * typed as they are): the report evaluates its rules once per distinct
 * combination of a flow's facts this way. store_stmt_run calls cb for
 * each result row; 0, the callback's non-zero value, or -1. */
struct store_stmt;
int store_stmt_prepare(struct store *s, const char *sql, struct store_stmt **out);
int store_stmt_run(struct store_stmt *st, const struct store_row *params, int first, int n,
		   int (*cb)(const struct store_row *r, void *arg), void *arg);
void store_stmt_free(struct store_stmt *st);

/* What the report's SQL needs of a backend beyond plain SQL over the typed
 * tables (docs/ARCHITECTURE.md, "The report's SQL"): the scalar functions
 * it registers here (wa_zone, wa_envname: an address's network zone and
 * environment label, from the report's own configuration), and
 * STORE_SQL_NO_FLATTEN, the clause that keeps a view from being merged
 * into the query that reads it (SQLite: LIMIT -1 OFFSET 0; PostgreSQL:
 * OFFSET 0). Everything else is standard SQL that PostgreSQL also runs:
 * TEMP tables and views, joins, CASE, COALESCE, EXISTS, count(DISTINCT),
 * IS NOT DISTINCT FROM, INSERT ... ON CONFLICT DO NOTHING. */
#define STORE_SQL_NO_FLATTEN " LIMIT -1 OFFSET 0"

/* Registers a deterministic SQL scalar function NAME(text) for queries on
 * this connection (the report pass classifies addresses and cipher suites
 * this way, inside GROUP BY queries). fn gets the argument's text (a NULL
 * argument yields NULL without calling fn) and answers STORE_FN_NULL,
 * STORE_FN_INT (*ival set) or STORE_FN_TEXT (*sval set; copied, may be
 * static). Returns 0 or -1. */
enum { STORE_FN_NULL, STORE_FN_INT, STORE_FN_TEXT };
int store_add_function(struct store *s, const char *name,
		       int (*fn)(const char *arg, void *user, int64_t *ival, const char **sval),
		       void *user);

/* A flow id in a fleet database (src/store/pg.c) is the run's key times
 * 2^40 plus the sensor's own flow id; flow_uid names the sensor's id
 * (runs.uid "-" flow_id & STORE_FLOW_LOCAL_MASK), so the uid a sensor's
 * event stream gave is the one the fleet database's export gives. */
#define STORE_FLOW_LOCAL_BITS 40
#define STORE_FLOW_LOCAL_MASK ((INT64_C(1) << STORE_FLOW_LOCAL_BITS) - 1)

/* The file is removed when the store closes (a private copy). */
void store_set_temporary(struct store *s);

/* The schema of a version as data, read back from an in-memory SQLite
 * database the migrations built: the one description the PostgreSQL
 * schema is derived from (src/store/pg.c, docs/FLEET.md). */
struct store_column {
	char *name, *type, *dflt;  /* type as declared: INTEGER, TEXT, BLOB, REAL */
	bool notnull;
	int pk;                    /* position in the primary key, 0: none */
	bool rowid;                /* INTEGER PRIMARY KEY of a rowid table */
};
struct store_table {
	char *name;
	int ncols;
	struct store_column *cols;
};
struct store_index {
	char *name, *table, *cols; /* cols: "a,b" */
	bool unique, constraint;   /* constraint: a UNIQUE column constraint */
};
struct store_schema {
	int version;
	int ntables, nindexes;
	struct store_table *tables;   /* by name */
	struct store_index *indexes;
};
int store_schema_desc(int version, struct store_schema *d, char *err, size_t errlen);
void store_schema_free(struct store_schema *d);

/* Rows into a table of a writable store, inside its batch (store_commit
 * ends it): vals[i] NULL for SQL NULL; lens NULL or lens[i] < 0: text
 * (INTEGER columns take the number it spells), else a BLOB of lens[i]. */
struct store_loader;
int store_loader_open(struct store *s, const struct store_table *t, struct store_loader **out);
int store_loader_row(struct store_loader *l, const char *const *vals, const int *lens);
void store_loader_close(struct store_loader *l);

#endif
