/* SPDX-License-Identifier: BSD-3-Clause */
/* forward.c — the spool forwarder (forward.h, docs/FLEET.md).
 *
 * One pass, in one PostgreSQL transaction:
 *   1. the spool's progress row (wa_spool, locked): the last seq and stats
 *      rowid PostgreSQL holds;
 *   2. the runs the pass needs, upserted by uid (a run's PostgreSQL id is
 *      its key: flow ids are key * 2^40 + the sensor's flow id);
 *   3. client/server profiles and chains the flows reference, inserted by
 *      digest (their certificates by SHA-256), ids remembered;
 *   4. up to FWD_BATCH records after that seq, COPY'd into temporary
 *      tables and upserted by flow id; each flow's observation rows
 *      replaced; the statistics rows after that rowid appended;
 *   5. the progress row moved on.
 * Progress and rows commit together, so a pass that fails (the network,
 * a restart of PostgreSQL) is simply done again: nothing is lost or taken
 * twice. After the commit, final records PostgreSQL holds leave the spool.
 * While PostgreSQL is away the spool grows; past --spool-max its oldest
 * final records not yet forwarded are dropped, and counted.
 */
#include "forward.h"
#include "pg.h"
#include "store.h"
#include "json.h"

/* a string literal, its length counted by the compiler */
#define JB_LIT(b, lit) jb_bytes((b), (lit), sizeof(lit) - 1)
#include "util.h"
#include "exitcodes.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libpq-fe.h>

#define WA_STR2(x) #x
#define WA_STR(x) WA_STR2(x)
#define FWD_BATCH 5000
#define FWD_STATS_BATCH 20000
#define FWD_IDLE_US 500000
#define FWD_RETRY_MAX_US (30 * 1000000LL)

/* local id -> PostgreSQL id */
struct idmap {
	int64_t *k, *v;
	size_t cap, n;
};

static int64_t idmap_get(const struct idmap *m, int64_t k)
{
	if (m->cap == 0)
		return 0;
	for (size_t i = (size_t)k * 0x9E3779B97F4A7C15ULL & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->k[i] == 0)
			return 0;
		if (m->k[i] == k)
			return m->v[i];
	}
}

static int idmap_put(struct idmap *m, int64_t k, int64_t v)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct idmap g = { 0 };
		g.cap = m->cap ? m->cap * 2 : 256;
		if ((g.k = calloc(g.cap, sizeof(*g.k))) == NULL || (g.v = calloc(g.cap, sizeof(*g.v))) == NULL) {
			free(g.k);
			return -1;
		}
		for (size_t i = 0; i < m->cap; i++)
			if (m->k[i])
				idmap_put(&g, m->k[i], m->v[i]);
		free(m->k);
		free(m->v);
		*m = g;
	}
	for (size_t i = (size_t)k * 0x9E3779B97F4A7C15ULL & (m->cap - 1);; i = (i + 1) & (m->cap - 1))
		if (m->k[i] == 0 || m->k[i] == k) {
			m->n += m->k[i] == 0;
			m->k[i] = k;
			m->v[i] = v;
			return 0;
		}
}

static void idmap_clear(struct idmap *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

enum { M_RUN, M_CPROF, M_SPROF, M_CHAIN, M_RUN_FINAL, M_N };

struct forwarder {
	struct fwd_opts o;
	struct store *sp;       /* the spool, this thread's own connection */
	struct pg *pg;
	char spool_uid[40];
	char sensor[256];       /* the spool's latest run's sensor */
	struct idmap map[M_N];
	int64_t *run_done;      /* local run ids forwarded with a final status */
	size_t nrun_done;
	/* this pass's flows: local id -> PostgreSQL id (sorted by local id) */
	int64_t (*batch)[2];
	size_t nbatch, batch_cap;
	struct jbuf copy;
	char err[600];
	bool staged;            /* temporary tables made on this connection */
	bool flows_partitioned; /* the DBA partitioned flows (by ts_first) */
	int runs_upserted;      /* this pass */
	int64_t final_pending[64]; /* runs to mark final once the pass commits */
	int nfinal_pending;

	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, finishing, started;
	int64_t deadline;
	struct fwd_stats st;
	int64_t dropped_unsaved;  /* drops not yet added to wa_spool */
	int64_t hwm_known;        /* PostgreSQL's progress mark, as last read */
	int cancel_at;            /* *o.cancel when fwd_finish began */
	struct store_schema desc; /* this version's tables (store_schema_desc) */
	bool down_said;
};

static const struct store_table *table(struct forwarder *f, const char *name)
{
	const struct store_schema *d = &f->desc;
	for (int i = 0; i < d->ntables; i++)
		if (strcmp(d->tables[i].name, name) == 0)
			return &d->tables[i];
	return NULL;
}

static bool has_col(const struct store_table *t, const char *c)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, c) == 0)
			return true;
	return false;
}

/* Tables written per flow (not flows itself, not the retention roll-ups
 * a spool never makes). */
static bool flow_child(const struct store_table *t)
{
	return strcmp(t->name, "flows") != 0 && strcmp(t->name, "rollups") != 0 && has_col(t, "flow_id");
}

static void cols_list(struct jbuf *b, const struct store_table *t, const char *prefix, const char *skip)
{
	bool first = true;
	for (int i = 0; i < t->ncols; i++) {
		if (skip && strcmp(t->cols[i].name, skip) == 0)
			continue;
		if (!first)
			JB_LIT(b, ",");
		first = false;
		if (prefix)
			jb_bytes(b, prefix, strlen(prefix));
		JB_LIT(b, "\"");
		jb_bytes(b, t->cols[i].name, strlen(t->cols[i].name));
		JB_LIT(b, "\"");
	}
}

static int pexec(struct forwarder *f, const char *sql)
{
	PGresult *r = PQexec(pg_conn(f->pg), sql);
	int st = PQresultStatus(r), rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		char m[400];
		snprintf(m, sizeof(m), "%s", PQresultErrorMessage(r));
		m[strcspn(m, "\n")] = '\0';
		snprintf(f->err, sizeof(f->err), "%s", m);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/* ---- building COPY rows from spool rows ---- */

static int64_t batch_lookup(const struct forwarder *f, int64_t local)
{
	size_t lo = 0, hi = f->nbatch;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->batch[mid][0] < local)
			lo = mid + 1;
		else if (f->batch[mid][0] > local)
			hi = mid;
		else
			return f->batch[mid][1];
	}
	return 0;
}

static int map_kind(const char *table, const char *col)
{
	if (strcmp(col, "run_id") == 0)
		return M_RUN;
	if (strcmp(col, "client_profile") == 0)
		return M_CPROF;
	if (strcmp(col, "server_profile") == 0)
		return M_SPROF;
	if (strcmp(col, "server_chain") == 0 || strcmp(col, "client_chain") == 0 ||
	    (strcmp(col, "chain_id") == 0 && strcmp(table, "chain_certs") == 0))
		return M_CHAIN;
	return -1;
}

struct rowctx {
	struct forwarder *f;
	const struct store_table *t;
	int first;          /* spool column of t->cols[0] */
	bool flows;         /* the flows table: flow ids computed here */
	int failed;
	int64_t last;       /* flows: the last seq; stats: the last rowid */
	size_t rows;
};

static int64_t pg_flow_id(int64_t pg_run, int64_t local)
{
	return ((pg_run - 1) << STORE_FLOW_LOCAL_BITS) | local;
}

static void put_int(struct jbuf *b, int64_t v)
{
	char n[24];
	jb_bytes(b, n, (size_t)snprintf(n, sizeof(n), "%lld", (long long)v));
}

static int copy_row_cb(const struct store_row *r, void *arg)
{
	struct rowctx *c = arg;
	struct forwarder *f = c->f;
	const struct store_table *t = c->t;
	int64_t run_pg = 0;

	if (c->flows) {
		for (int i = 0; i < t->ncols; i++)
			if (strcmp(t->cols[i].name, "run_id") == 0)
				run_pg = idmap_get(&f->map[M_RUN], store_col_int(r, c->first + i));
		if (run_pg <= 0 || run_pg >= (INT64_C(1) << (63 - STORE_FLOW_LOCAL_BITS))) {
			snprintf(f->err, sizeof(f->err), "a flow of a run PostgreSQL has no id for");
			c->failed = 1;
			return 1;
		}
	}
	for (int i = 0; i < t->ncols; i++) {
		const struct store_column *col = &t->cols[i];
		int ci = c->first + i, kind;
		if (i)
			JB_LIT(&f->copy, "\t");
		if (store_col_null(r, ci)) {
			JB_LIT(&f->copy, "\\N");
			continue;
		}
		if (strcmp(col->name, "flow_id") == 0) {
			int64_t local = store_col_int(r, ci), id;
			if (local <= 0 || local > STORE_FLOW_LOCAL_MASK) {
				snprintf(f->err, sizeof(f->err), "flow id %lld does not fit in %d bits",
					 (long long)local, STORE_FLOW_LOCAL_BITS);
				c->failed = 1;
				return 1;
			}
			if (c->flows) {
				id = pg_flow_id(run_pg, local);
				if (f->nbatch == f->batch_cap) {
					size_t nc = f->batch_cap ? f->batch_cap * 2 : 1024;
					void *nb = realloc(f->batch, nc * sizeof(*f->batch));
					if (nb == NULL) {
						c->failed = 1;
						return 1;
					}
					f->batch = nb;
					f->batch_cap = nc;
				}
				f->batch[f->nbatch][0] = local;
				f->batch[f->nbatch][1] = id;
				f->nbatch++;
			} else if ((id = batch_lookup(f, local)) == 0) {
				snprintf(f->err, sizeof(f->err), "%s row of flow %lld outside the batch", t->name,
					 (long long)local);
				c->failed = 1;
				return 1;
			}
			put_int(&f->copy, id);
			continue;
		}
		if ((kind = map_kind(t->name, col->name)) >= 0) {
			int64_t id = idmap_get(&f->map[kind], store_col_int(r, ci));
			if (id <= 0) {
				snprintf(f->err, sizeof(f->err), "%s.%s: %lld has no PostgreSQL id", t->name,
					 col->name, (long long)store_col_int(r, ci));
				c->failed = 1;
				return 1;
			}
			put_int(&f->copy, id);
			continue;
		}
		if (c->flows && strcmp(col->name, "seq") == 0)
			c->last = store_col_int(r, ci);
		switch (store_col_type(r, ci)) {
		case STORE_T_INT:
			put_int(&f->copy, store_col_int(r, ci));
			break;
		case STORE_T_BLOB: {
			size_t n;
			const void *v = store_col_blob(r, ci, &n);
			pg_copy_bytea(&f->copy, v, n);
			break;
		}
		default:
			pg_copy_text(&f->copy, store_col_text(r, ci));
		}
	}
	JB_LIT(&f->copy, "\n");
	c->rows++;
	if (!c->flows && c->first == 1)
		c->last = store_col_int(r, 0); /* stats: the rowid in column 0 */
	return 0;
}

/* COPY what f->copy holds into table (or its staging table) */
static int copy_in(struct forwarder *f, const char *dest, const struct store_table *t)
{
	PGconn *c = pg_conn(f->pg);
	struct jbuf q;
	PGresult *r;
	int rc = -1;

	jb_init(&q);
	JB_LIT(&q, "COPY \"");
	jb_bytes(&q, dest, strlen(dest));
	JB_LIT(&q, "\" (");
	cols_list(&q, t, NULL, NULL);
	JB_LIT(&q, ") FROM STDIN");
	r = PQexec(c, jb_str(&q));
	jb_free(&q);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		snprintf(f->err, sizeof(f->err), "COPY %s: %s", dest, PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	if ((f->copy.len && PQputCopyData(c, f->copy.s, (int)f->copy.len) != 1) || PQputCopyEnd(c, NULL) != 1) {
		snprintf(f->err, sizeof(f->err), "COPY %s: %s", dest, PQerrorMessage(c));
		goto out;
	}
	r = PQgetResult(c);
	if (PQresultStatus(r) == PGRES_COMMAND_OK)
		rc = 0;
	else
		snprintf(f->err, sizeof(f->err), "COPY %s: %s", dest, PQresultErrorMessage(r));
	PQclear(r);
out:
	while ((r = PQgetResult(c)) != NULL)
		PQclear(r);
	jb_reset(&f->copy);
	return rc;
}

/* SELECT the table's columns from the spool (after extra leading columns
 * in pre, with a WHERE clause) into f->copy */
static int spool_rows(struct forwarder *f, struct rowctx *c, const char *pre, const char *where,
		      const char *const *params, int np)
{
	struct jbuf q;
	int rc;
	jb_init(&q);
	JB_LIT(&q, "SELECT ");
	if (pre)
		jb_bytes(&q, pre, strlen(pre));
	cols_list(&q, c->t, NULL, NULL);
	JB_LIT(&q, " FROM \"");
	jb_bytes(&q, c->t->name, strlen(c->t->name));
	JB_LIT(&q, "\" ");
	jb_bytes(&q, where, strlen(where));
	jb_reset(&f->copy);
	rc = store_query_rows(f->sp, jb_str(&q), params, np, copy_row_cb, c);
	jb_free(&q);
	if (rc != 0 || c->failed) {
		if (!c->failed)
			snprintf(f->err, sizeof(f->err), "reading the spool's %s failed", c->t->name);
		return -1;
	}
	return 0;
}

/* ---- runs, profiles, chains ---- */

struct upsert_ctx {
	struct forwarder *f;
	const struct store_table *t;
	const char *sql;
	const char *update_sql; /* tried first (runs): UPDATE ... WHERE key = ... RETURNING id */
	const char *skip;    /* the local id column, not sent */
	int kind;            /* the map the returned id goes to */
	int failed;
	bool only_new;
	int upserted;
	int64_t final_ids[64]; /* runs sent with an ended status: once more is enough */
	int nfinal;
};

/* One spool row -> one INSERT ... RETURNING id (runs by uid, profiles
 * and chains by digest); column 0 of the row is the local id. */
static int upsert_cb(const struct store_row *r, void *arg)
{
	struct upsert_ctx *u = arg;
	struct forwarder *f = u->f;
	const char *vals[64];
	char *own[64];
	int n = 0;
	PGresult *res;
	int64_t local = store_col_int(r, 0);

	if (u->only_new && idmap_get(&f->map[u->kind], local) > 0)
		return 0;
	if (u->kind == M_RUN && idmap_get(&f->map[M_RUN_FINAL], local) > 0)
		return 0; /* forwarded with its last state */
	if (u->t->ncols > 64) {
		snprintf(f->err, sizeof(f->err), "%s has more than 64 columns", u->t->name);
		u->failed = 1;
		return 1;
	}
	for (int i = 0; i < u->t->ncols; i++) {
		int ci = i + 1;
		own[n] = NULL;
		if (strcmp(u->t->cols[i].name, u->skip) == 0)
			continue;
		if (store_col_null(r, ci))
			vals[n] = NULL;
		else if (store_col_type(r, ci) == STORE_T_BLOB) {
			struct jbuf b;
			size_t len;
			const void *v = store_col_blob(r, ci, &len);
			static const char hx[] = "0123456789abcdef";
			jb_init(&b);
			JB_LIT(&b, "\\x");
			for (size_t k = 0; k < len; k++) {
				char h[2] = { hx[((const unsigned char *)v)[k] >> 4], hx[((const unsigned char *)v)[k] & 15] };
				jb_bytes(&b, h, 2);
			}
			own[n] = jb_take(&b);
			vals[n] = own[n];
		} else
			vals[n] = store_col_text(r, ci);
		n++;
	}
	res = NULL;
	if (u->update_sql) {
		/* an UPDATE first: INSERT ... ON CONFLICT takes an identity
		 * value even when the row exists, and a run's id is its key */
		res = PQexecParams(pg_conn(f->pg), u->update_sql, n, NULL, vals, NULL, NULL, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 0) {
			PQclear(res);
			res = NULL;
		}
	}
	if (res == NULL)
		res = PQexecParams(pg_conn(f->pg), u->sql, n, NULL, vals, NULL, NULL, 0);
	for (int i = 0; i < n; i++)
		free(own[i]);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		snprintf(f->err, sizeof(f->err), "%s: %s", u->t->name, PQresultErrorMessage(res));
		PQclear(res);
		u->failed = 1;
		return 1;
	}
	if (idmap_put(&f->map[u->kind], local, strtoll(PQgetvalue(res, 0, 0), NULL, 10)) != 0)
		u->failed = 1;
	PQclear(res);
	if (u->kind == M_RUN) {
		u->upserted++;
		for (int i = 0; i < u->t->ncols; i++)
			if (strcmp(u->t->cols[i].name, "status") == 0 && store_col_text(r, i + 1) &&
			    strcmp(store_col_text(r, i + 1), "running") != 0)
				u->final_ids[u->nfinal < 64 ? u->nfinal++ : 63] = local;
	}
	return u->failed;
}

/* INSERT INTO t (cols but skip) VALUES ($1..) ON CONFLICT (key) DO UPDATE
 * SET ... RETURNING skip */
static char *upsert_sql(const struct store_table *t, const char *skip, const char *key, bool update_all)
{
	struct jbuf b;
	int n = 0;
	char num[16];
	jb_init(&b);
	JB_LIT(&b, "INSERT INTO \"");
	jb_bytes(&b, t->name, strlen(t->name));
	JB_LIT(&b, "\" (");
	cols_list(&b, t, NULL, skip);
	JB_LIT(&b, ") VALUES (");
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, skip) != 0) {
			jb_bytes(&b, num, (size_t)snprintf(num, sizeof(num), "%s$%d", n ? "," : "", n + 1));
			n++;
		}
	JB_LIT(&b, ") ON CONFLICT (\"");
	jb_bytes(&b, key, strlen(key));
	JB_LIT(&b, "\") DO UPDATE SET ");
	if (update_all) {
		bool first = true;
		for (int i = 0; i < t->ncols; i++) {
			const char *c = t->cols[i].name;
			if (strcmp(c, skip) == 0 || strcmp(c, key) == 0)
				continue;
			if (!first)
				JB_LIT(&b, ",");
			first = false;
			JB_LIT(&b, "\"");
			jb_bytes(&b, c, strlen(c));
			JB_LIT(&b, "\" = EXCLUDED.\"");
			jb_bytes(&b, c, strlen(c));
			JB_LIT(&b, "\"");
		}
	} else {
		JB_LIT(&b, "\"");
		jb_bytes(&b, key, strlen(key));
		JB_LIT(&b, "\" = EXCLUDED.\"");
		jb_bytes(&b, key, strlen(key));
		JB_LIT(&b, "\"");
	}
	JB_LIT(&b, " RETURNING \"");
	jb_bytes(&b, skip, strlen(skip));
	JB_LIT(&b, "\"");
	return jb_take(&b);
}

/* UPDATE t SET (cols but skip) = ($1..) WHERE key = $k RETURNING skip */
static char *update_sql(const struct store_table *t, const char *skip, const char *key)
{
	struct jbuf b;
	int n = 0, k = 0;
	char num[40];
	jb_init(&b);
	JB_LIT(&b, "UPDATE \"");
	jb_bytes(&b, t->name, strlen(t->name));
	JB_LIT(&b, "\" SET ");
	bool first = true;
	for (int i = 0; i < t->ncols; i++) {
		const char *c = t->cols[i].name;
		if (strcmp(c, skip) == 0)
			continue;
		n++;
		if (strcmp(c, key) == 0) {
			k = n;
			continue;
		}
		if (!first)
			JB_LIT(&b, ",");
		first = false;
		JB_LIT(&b, "\"");
		jb_bytes(&b, c, strlen(c));
		jb_bytes(&b, num, (size_t)snprintf(num, sizeof(num), "\" = $%d", n));
	}
	JB_LIT(&b, " WHERE \"");
	jb_bytes(&b, key, strlen(key));
	jb_bytes(&b, num, (size_t)snprintf(num, sizeof(num), "\" = $%d RETURNING \"", k));
	jb_bytes(&b, skip, strlen(skip));
	JB_LIT(&b, "\"");
	return jb_take(&b);
}

static int upsert_rows(struct forwarder *f, const char *tname, const char *idcol, const char *key,
		       bool update_all, bool only_new, int kind, const char *where,
		       const char *const *params, int np)
{
	const struct store_table *t = table(f, tname);
	struct upsert_ctx u = { .f = f, .t = t, .skip = idcol, .kind = kind, .only_new = only_new };
	struct jbuf q;
	int rc;

	if (t == NULL)
		return -1;
	u.sql = upsert_sql(t, idcol, key, update_all);
	u.update_sql = update_all ? update_sql(t, idcol, key) : NULL;
	jb_init(&q);
	JB_LIT(&q, "SELECT \"");
	jb_bytes(&q, idcol, strlen(idcol));
	JB_LIT(&q, "\",");
	cols_list(&q, t, NULL, NULL);
	JB_LIT(&q, " FROM \"");
	jb_bytes(&q, tname, strlen(tname));
	JB_LIT(&q, "\" ");
	jb_bytes(&q, where, strlen(where));
	rc = store_query_rows(f->sp, jb_str(&q), params, np, upsert_cb, &u);
	jb_free(&q);
	free((char *)u.sql);
	free((char *)u.update_sql);
	f->runs_upserted += u.upserted;
	for (int i = 0; i < u.nfinal; i++)
		f->final_pending[f->nfinal_pending < 64 ? f->nfinal_pending++ : 63] = u.final_ids[i];
	if (rc != 0 || u.failed) {
		if (!u.failed)
			snprintf(f->err, sizeof(f->err), "reading the spool's %s failed", tname);
		return -1;
	}
	return 0;
}

/* The chains this batch references that PostgreSQL has no id for: their
 * certificates (by SHA-256) and DNS names first, then the chain by digest,
 * then its list. */
struct chain_ctx {
	struct forwarder *f;
	int64_t *ids;
	size_t n, cap;
};

static int chain_need_cb(const struct store_row *r, void *arg)
{
	struct chain_ctx *c = arg;
	for (int i = 0; i < 4; i++) {
		int64_t id = store_col_int(r, i);
		int kind = i < 2 ? (i == 0 ? M_CPROF : M_SPROF) : M_CHAIN;
		if (store_col_null(r, i) || idmap_get(&c->f->map[kind], id) > 0)
			continue;
		if (c->n == c->cap) {
			size_t nc = c->cap ? c->cap * 2 : 64;
			int64_t *ni = realloc(c->ids, nc * 2 * sizeof(*ni));
			if (ni == NULL)
				return 1;
			c->ids = ni;
			c->cap = nc;
		}
		c->ids[2 * c->n] = kind;
		c->ids[2 * c->n + 1] = id;
		c->n++;
	}
	return 0;
}

/* Rows of a shared table (certificates, their names, chain lists, risk
 * names) inserted in key order: two sensors inserting overlapping sets in
 * different orders would wait on each other (a deadlock PostgreSQL breaks
 * by failing one) */
static int plain_insert(struct forwarder *f, const char *tname, const char *where, const char *const *params,
			int np, const char *conflict, const char *order)
{
	const struct store_table *t = table(f, tname);
	struct rowctx c = { f, t, 0, false, 0, 0, 0 };
	struct jbuf q;
	char stage[80];
	int rc;

	if (t == NULL || spool_rows(f, &c, NULL, where, params, np) != 0)
		return -1;
	if (c.rows == 0)
		return 0;
	snprintf(stage, sizeof(stage), "s_%s", tname);
	if (copy_in(f, stage, t) != 0)
		return -1;
	jb_init(&q);
	JB_LIT(&q, "INSERT INTO \"");
	jb_bytes(&q, tname, strlen(tname));
	JB_LIT(&q, "\" (");
	cols_list(&q, t, NULL, NULL);
	JB_LIT(&q, ") SELECT ");
	cols_list(&q, t, NULL, NULL);
	JB_LIT(&q, " FROM \"");
	jb_bytes(&q, stage, strlen(stage));
	JB_LIT(&q, "\" ORDER BY ");
	jb_bytes(&q, order, strlen(order));
	JB_LIT(&q, " ");
	jb_bytes(&q, conflict, strlen(conflict));
	JB_LIT(&q, ";TRUNCATE \"");
	jb_bytes(&q, stage, strlen(stage));
	JB_LIT(&q, "\"");
	rc = pexec(f, jb_str(&q));
	jb_free(&q);
	return rc;
}

static int need_refs(struct forwarder *f, const char *const *range)
{
	struct chain_ctx c = { f, NULL, 0, 0 };
	int rc = 0;

	if (store_query_rows(f->sp, "SELECT client_profile, server_profile, server_chain, client_chain FROM tls"
			     " WHERE flow_id IN (SELECT flow_id FROM flows WHERE seq > ?1 AND seq <= ?2)",
			     range, 2, chain_need_cb, &c) != 0) {
		snprintf(f->err, sizeof(f->err), "reading the spool's tls rows failed");
		free(c.ids);
		return -1;
	}
	for (size_t i = 0; i < c.n && rc == 0; i++) {
		char id[24];
		const char *p[1] = { id };
		int kind = (int)c.ids[2 * i];
		snprintf(id, sizeof(id), "%lld", (long long)c.ids[2 * i + 1]);
		if (idmap_get(&f->map[kind], c.ids[2 * i + 1]) > 0)
			continue; /* listed twice */
		if (kind == M_CPROF)
			rc = upsert_rows(f, "tls_client_profiles", "profile_id", "digest", false, false, M_CPROF,
					 "WHERE profile_id = ?1", p, 1);
		else if (kind == M_SPROF)
			rc = upsert_rows(f, "tls_server_profiles", "profile_id", "digest", false, false, M_SPROF,
					 "WHERE profile_id = ?1", p, 1);
		else {
			rc = plain_insert(f, "certs", "WHERE sha256 IN (SELECT sha256 FROM chain_certs WHERE chain_id = ?1)",
					  p, 1, "ON CONFLICT DO NOTHING", "sha256");
			if (rc == 0)
				rc = plain_insert(f, "cert_sans", "WHERE sha256 IN (SELECT sha256 FROM chain_certs"
						  " WHERE chain_id = ?1)", p, 1, "ON CONFLICT DO NOTHING", "sha256, idx");
			if (rc == 0)
				rc = upsert_rows(f, "chains", "chain_id", "digest", false, false, M_CHAIN,
						 "WHERE chain_id = ?1", p, 1);
			if (rc == 0)
				rc = plain_insert(f, "chain_certs", "WHERE chain_id = ?1", p, 1, "ON CONFLICT DO NOTHING",
						  "chain_id, idx");
		}
	}
	free(c.ids);
	return rc;
}

/* ---- one pass ---- */

static int cmp_batch(const void *a, const void *b)
{
	int64_t x = ((const int64_t *)a)[0], y = ((const int64_t *)b)[0];
	return x < y ? -1 : x > y;
}

static int stage_tables(struct forwarder *f)
{
	const struct store_schema *d = &f->desc;
	struct jbuf q;
	PGresult *r;
	int rc;
	if (f->staged)
		return 0;
	r = PQexec(pg_conn(f->pg), "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'flows'::regclass)");
	f->flows_partitioned = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
			       strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	jb_init(&q);
	for (int i = 0; i < d->ntables; i++) {
		const char *n = d->tables[i].name;
		if (strcmp(n, "seq_hwm") == 0)
			continue;
		JB_LIT(&q, "CREATE TEMP TABLE \"s_");
		jb_bytes(&q, n, strlen(n));
		JB_LIT(&q, "\" (LIKE \"");
		jb_bytes(&q, n, strlen(n));
		JB_LIT(&q, "\");");
	}
	rc = pexec(f, jb_str(&q));
	jb_free(&q);
	if (rc == 0)
		f->staged = true;
	return rc;
}

static void fwd_mark_final(struct forwarder *f)
{
	for (int i = 0; i < f->nfinal_pending; i++)
		idmap_put(&f->map[M_RUN_FINAL], f->final_pending[i], 1);
	f->nfinal_pending = 0;
}

/* Returns records forwarded (>= 0) or -1 (f->err says why). */
static int fwd_pass(struct forwarder *f)
{
	PGresult *r;
	char hwm_s[24], last_s[24], srow_s[24];
	const char *p2[2];
	const struct store_table *ft = table(f, "flows"), *stt = table(f, "stats");
	const struct store_schema *d = &f->desc;
	int64_t hwm, srow, last, prep_hwm, prep_last;
	struct rowctx c;
	struct jbuf q;
	int nflows, nstats = 0;

	if (stage_tables(f) != 0)
		return -1;
	/* The shared rows the next batch references (profiles, chains and
	 * their certificates, risk names) first, each statement its own
	 * transaction: content-addressed and idempotent, they need no
	 * rollback, and taken inside the pass's long transaction, two
	 * sensors' passes deadlocked on them. The pass below keeps to the
	 * batch prepared here. */
	{
		const char *pp[1] = { f->spool_uid };
		int64_t v;
		r = PQexecParams(pg_conn(f->pg), "SELECT seq FROM wa_spool WHERE spool_uid = $1", 1, NULL, pp, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			snprintf(f->err, sizeof(f->err), "wa_spool: %s", PQresultErrorMessage(r));
			PQclear(r);
			return -1;
		}
		hwm = PQntuples(r) ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
		PQclear(r);
		snprintf(hwm_s, sizeof(hwm_s), "%lld", (long long)hwm);
		pp[0] = hwm_s;
		if (store_scalar(f->sp, "SELECT max(seq) FROM (SELECT seq FROM flows WHERE seq > ?1 ORDER BY seq"
				 " LIMIT " WA_STR(FWD_BATCH) ")", pp, 1, &v) != 0) {
			snprintf(f->err, sizeof(f->err), "reading the spool failed");
			return -1;
		}
		prep_hwm = hwm;
		prep_last = v == INT64_MIN ? hwm : v;
		snprintf(last_s, sizeof(last_s), "%lld", (long long)prep_last);
		p2[0] = hwm_s;
		p2[1] = last_s;
		if (prep_last > hwm &&
		    (plain_insert(f, "ndpi_risk_names", "", NULL, 0, "ON CONFLICT DO NOTHING", "bit") != 0 ||
		     need_refs(f, p2) != 0))
			return -1;
	}
	if (pexec(f, "BEGIN") != 0)
		return -1;
	{
		const char *pp[2] = { f->spool_uid, f->sensor[0] ? f->sensor : NULL };
		r = PQexecParams(pg_conn(f->pg), "INSERT INTO wa_spool (spool_uid, sensor) VALUES ($1, $2)"
				 " ON CONFLICT (spool_uid) DO UPDATE SET sensor = EXCLUDED.sensor"
				 " WHERE wa_spool.sensor IS DISTINCT FROM EXCLUDED.sensor",
				 2, NULL, pp, NULL, NULL, 0);
		PQclear(r);
		r = PQexecParams(pg_conn(f->pg), "SELECT seq, stats_rowid FROM wa_spool WHERE spool_uid = $1 FOR UPDATE",
				 1, NULL, pp, NULL, NULL, 0);
	}
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		snprintf(f->err, sizeof(f->err), "wa_spool: %s", PQresultErrorMessage(r));
		PQclear(r);
		goto fail;
	}
	hwm = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	srow = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	PQclear(r);
	snprintf(hwm_s, sizeof(hwm_s), "%lld", (long long)hwm);
	snprintf(srow_s, sizeof(srow_s), "%lld", (long long)srow);

	/* one read snapshot of the spool for the whole pass */
	if (store_exec(f->sp, "BEGIN", NULL, 0, false) != 0) {
		snprintf(f->err, sizeof(f->err), "spool: %s", store_failed(f->sp) ? store_failed(f->sp) : "BEGIN");
		goto fail;
	}
	/* the last seq of this batch */
	{
		const char *p1[1] = { hwm_s };
		int64_t v;
		if (store_scalar(f->sp, "SELECT max(seq) FROM (SELECT seq FROM flows WHERE seq > ?1 ORDER BY seq"
				 " LIMIT " WA_STR(FWD_BATCH) ")", p1, 1, &v) != 0)
			goto fail_sp;
		last = v == INT64_MIN ? hwm : v;
		/* the batch whose shared rows were prepared, no more */
		if (hwm == prep_hwm && last > prep_last)
			last = prep_last;
	}
	snprintf(last_s, sizeof(last_s), "%lld", (long long)last);
	p2[0] = hwm_s;
	p2[1] = last_s;
	/* runs: every one not yet sent in its ended state (a running run's
	 * counters move at each checkpoint) */
	f->runs_upserted = 0;
	f->nfinal_pending = 0;
	if (upsert_rows(f, "runs", "run_id", "uid", true, false, M_RUN, "ORDER BY run_id", NULL, 0) != 0)
		goto fail_sp;
	if (last > hwm) {
		/* (another forwarder of this spool moved the mark: the shared
		 * rows of this batch may not all be there yet) */
		if (hwm != prep_hwm && need_refs(f, p2) != 0)
			goto fail_sp;
		/* flows into s_flows, flow ids computed */
		f->nbatch = 0;
		memset(&c, 0, sizeof(c));
		c.f = f;
		c.t = ft;
		c.flows = true;
		if (spool_rows(f, &c, NULL, "WHERE seq > ?1 AND seq <= ?2 ORDER BY seq", p2, 2) != 0 ||
		    copy_in(f, "s_flows", ft) != 0)
			goto fail_sp;
		nflows = (int)c.rows;
		/* (none at all when every row of the prepared range was a
		 * snapshot rewritten since, with a later seq: qsort's pointer
		 * must not be NULL even for no element, and UBSan stopped the
		 * capture there, exit 1, in the CI's sanitizer pass) */
		if (f->nbatch > 1)
			qsort(f->batch, f->nbatch, sizeof(*f->batch), cmp_batch);
		for (int i = 0; i < d->ntables; i++) {
			const struct store_table *t = &d->tables[i];
			if (!flow_child(t))
				continue;
			memset(&c, 0, sizeof(c));
			c.f = f;
			c.t = t;
			if (spool_rows(f, &c, NULL, "WHERE flow_id IN (SELECT flow_id FROM flows WHERE seq > ?1"
				       " AND seq <= ?2)", p2, 2) != 0)
				goto fail_sp;
			if (c.rows) {
				char stage[80];
				snprintf(stage, sizeof(stage), "s_%s", t->name);
				if (copy_in(f, stage, t) != 0)
					goto fail_sp;
			}
		}
		/* upsert the flows (each takes the fleet's next seq, in order),
		 * replace their observation rows */
		jb_init(&q);
		JB_LIT(&q, "INSERT INTO flows (");
		cols_list(&q, ft, NULL, NULL);
		JB_LIT(&q, ") SELECT ");
		for (int i = 0; i < ft->ncols; i++) {
			if (i)
				JB_LIT(&q, ",");
			if (strcmp(ft->cols[i].name, "seq") == 0)
				JB_LIT(&q, "nextval('wa_flow_seq')");
			else {
				JB_LIT(&q, "\"");
				jb_bytes(&q, ft->cols[i].name, strlen(ft->cols[i].name));
				JB_LIT(&q, "\"");
			}
		}
		/* a flows table the DBA partitioned by time (docs/FLEET.md) has
		 * its key on (flow_id, ts_first): a flow's ts_first never changes,
		 * so the two targets find the same row */
		if (f->flows_partitioned)
			JB_LIT(&q, " FROM (SELECT * FROM s_flows ORDER BY seq) o ON CONFLICT (flow_id, ts_first) DO UPDATE SET ");
		else
			JB_LIT(&q, " FROM (SELECT * FROM s_flows ORDER BY seq) o ON CONFLICT (flow_id) DO UPDATE SET ");
		for (int i = 0, first = 1; i < ft->ncols; i++) {
			const char *cn = ft->cols[i].name;
			if (strcmp(cn, "flow_id") == 0 || (f->flows_partitioned && strcmp(cn, "ts_first") == 0))
				continue;
			if (!first)
				JB_LIT(&q, ",");
			first = 0;
			JB_LIT(&q, "\"");
			jb_bytes(&q, cn, strlen(cn));
			JB_LIT(&q, "\" = EXCLUDED.\"");
			jb_bytes(&q, cn, strlen(cn));
			JB_LIT(&q, "\"");
		}
		JB_LIT(&q, ";");
		for (int i = 0; i < d->ntables; i++) {
			const struct store_table *t = &d->tables[i];
			if (!flow_child(t))
				continue;
			JB_LIT(&q, "DELETE FROM \"");
			jb_bytes(&q, t->name, strlen(t->name));
			JB_LIT(&q, "\" WHERE flow_id IN (SELECT flow_id FROM s_flows);INSERT INTO \"");
			jb_bytes(&q, t->name, strlen(t->name));
			JB_LIT(&q, "\" (");
			cols_list(&q, t, NULL, NULL);
			JB_LIT(&q, ") SELECT ");
			cols_list(&q, t, NULL, NULL);
			JB_LIT(&q, " FROM \"s_");
			jb_bytes(&q, t->name, strlen(t->name));
			JB_LIT(&q, "\";TRUNCATE \"s_");
			jb_bytes(&q, t->name, strlen(t->name));
			JB_LIT(&q, "\";");
		}
		JB_LIT(&q, "TRUNCATE s_flows");
		if (q.err || pexec(f, jb_str(&q)) != 0) {
			jb_free(&q);
			goto fail_sp;
		}
		jb_free(&q);
	} else
		nflows = 0;
	/* statistics rows, appended */
	memset(&c, 0, sizeof(c));
	c.f = f;
	c.t = stt;
	c.first = 1;
	c.last = srow;
	{
		const char *p1[1] = { srow_s };
		if (spool_rows(f, &c, "rowid,", "WHERE rowid > ?1 ORDER BY rowid LIMIT " WA_STR(FWD_STATS_BATCH), p1, 1) != 0)
			goto fail_sp;
	}
	if (c.rows && copy_in(f, "stats", stt) != 0)
		goto fail_sp;
	nstats = (int)c.rows;
	srow = c.last;
	store_exec(f->sp, "COMMIT", NULL, 0, false);
	if (nflows == 0 && nstats == 0 && f->dropped_unsaved == 0) {
		/* nothing but runs' counters: no progress row to move */
		if (pexec(f, "COMMIT") != 0)
			goto fail;
		fwd_mark_final(f);
		return f->runs_upserted > 0 ? 0 : 0;
	}
	/* progress, with the rows */
	{
		char fw[24], dr[24], sr[24], now[40];
		const char *pp[6] = { f->spool_uid, last_s, sr, fw, dr, now };
		snprintf(sr, sizeof(sr), "%lld", (long long)srow);
		snprintf(fw, sizeof(fw), "%d", nflows);
		snprintf(dr, sizeof(dr), "%lld", (long long)f->dropped_unsaved);
		ts_to_rfc3339(now_us(), now, sizeof(now));
		r = PQexecParams(pg_conn(f->pg), "UPDATE wa_spool SET seq = $2, stats_rowid = $3,"
				 " flows_forwarded = flows_forwarded + $4, flows_dropped = flows_dropped + $5,"
				 " updated_at = $6 WHERE spool_uid = $1", 6, NULL, pp, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			snprintf(f->err, sizeof(f->err), "wa_spool: %s", PQresultErrorMessage(r));
			PQclear(r);
			goto fail;
		}
		PQclear(r);
	}
	if (pexec(f, "COMMIT") != 0)
		goto fail;
	fwd_mark_final(f);
	f->hwm_known = last;
	pthread_mutex_lock(&f->mu);
	f->st.flows_forwarded += (uint64_t)nflows;
	f->st.stats_forwarded += (uint64_t)nstats;
	f->dropped_unsaved = 0;
	f->st.passes++;
	pthread_mutex_unlock(&f->mu);
	/* final records PostgreSQL now holds leave the spool (open flows stay:
	 * their next record is forwarded again); in one transaction, or not
	 * at all (busy: the next pass's trim takes these too) */
	{
		const char *pt[2] = { last_s, srow_s };
		int trc = 0;
		snprintf(srow_s, sizeof(srow_s), "%lld", (long long)srow);
		if (f->o.trim_limit) {
			int64_t lim = f->o.trim_limit(f->o.trim_arg);
			if (lim < last)
				snprintf(last_s, sizeof(last_s), "%lld", (long long)lim);
		}
		for (int i = 0; i < d->ntables && trc == 0; i++) {
			const struct store_table *t = &d->tables[i];
			char sql[300];
			if (!flow_child(t))
				continue;
			snprintf(sql, sizeof(sql), "DELETE FROM \"%s\" WHERE flow_id IN (SELECT flow_id FROM flows"
				 " WHERE seq <= ?1 AND end_reason IS NOT NULL AND end_reason <> 'open')", t->name);
			trc = store_exec(f->sp, sql, pt, 1, true);
		}
		if (trc == 0)
			trc = store_exec(f->sp, "DELETE FROM flows WHERE seq <= ?1 AND end_reason IS NOT NULL"
					 " AND end_reason <> 'open'", pt, 1, true);
		/* the last row stays: SQLite numbers a new row max(rowid) + 1, and
		 * the progress mark must never see a number again */
		if (trc == 0)
			trc = store_exec(f->sp, "DELETE FROM stats WHERE rowid <= ?2 AND rowid < (SELECT max(rowid)"
					 " FROM stats)", pt, 2, true);
		if (trc == 0)
			store_commit(f->sp);
	}
	return nflows + nstats;
fail_sp:
	store_exec(f->sp, "COMMIT", NULL, 0, false);
fail:
	r = PQexec(pg_conn(f->pg), "ROLLBACK");
	PQclear(r);
	return -1;
}

/* ---- the spool's bound ---- */

/* While PostgreSQL does not take them, the oldest final records past the
 * progress mark go, FWD_BATCH at a time, until the spool is back under
 * 90% of --spool-max; the count goes to wa_spool.flows_dropped with the
 * next pass that commits (and to the capture's statistics). */
static void enforce_max(struct forwarder *f, int64_t hwm)
{
	const struct store_schema *d;
	int64_t used, cut, n;
	int trc = 0;
	char hwm_s[24], cut_s[24];
	const char *p[2] = { hwm_s, cut_s };

	if (f->o.spool_max <= 0)
		return;
	d = &f->desc;
	snprintf(hwm_s, sizeof(hwm_s), "%lld", (long long)hwm);
	for (int rounds = 0; rounds < 1000; rounds++) {
		used = store_used_bytes(f->sp);
		if (used < 0 || used <= f->o.spool_max * 9 / 10 || (rounds == 0 && used <= f->o.spool_max))
			return;
		if (store_scalar(f->sp, "SELECT max(seq) FROM (SELECT seq FROM flows WHERE seq > ?1 AND end_reason"
				 " IS NOT NULL AND end_reason <> 'open' ORDER BY seq LIMIT " WA_STR(FWD_BATCH) ")",
				 p, 1, &cut) != 0 || cut == INT64_MIN)
			return;
		snprintf(cut_s, sizeof(cut_s), "%lld", (long long)cut);
		if (store_scalar(f->sp, "SELECT count(*) FROM flows WHERE seq > ?1 AND seq <= ?2 AND end_reason"
				 " IS NOT NULL AND end_reason <> 'open'", p, 2, &n) != 0)
			return;
		/* a flow and its rows go together, or not at all */
		for (int i = 0; i < d->ntables && trc == 0; i++) {
			const struct store_table *t = &d->tables[i];
			char sql[300];
			if (!flow_child(t))
				continue;
			snprintf(sql, sizeof(sql), "DELETE FROM \"%s\" WHERE flow_id IN (SELECT flow_id FROM flows"
				 " WHERE seq > ?1 AND seq <= ?2 AND end_reason IS NOT NULL AND end_reason <> 'open')",
				 t->name);
			trc = store_exec(f->sp, sql, p, 2, true);
		}
		if (trc == 0)
			trc = store_exec(f->sp, "DELETE FROM flows WHERE seq > ?1 AND seq <= ?2 AND end_reason IS NOT NULL"
					 " AND end_reason <> 'open'", p, 2, true);
		if (trc != 0 || store_commit(f->sp) != 0)
			return; /* busy: the next round */
		store_reclaim(f->sp);
		pthread_mutex_lock(&f->mu);
		f->st.flows_dropped += (uint64_t)n;
		f->dropped_unsaved += n;
		pthread_mutex_unlock(&f->mu);
		if (!f->o.quiet)
			fprintf(stderr, "wireaudit: spool %s is over --spool-max (%lld bytes) while PostgreSQL is "
				"away: dropped the %lld oldest flows not yet forwarded\n", f->o.spool,
				(long long)f->o.spool_max, (long long)n);
	}
}

/* ---- the thread ---- */

static int64_t pending(struct forwarder *f, int64_t hwm)
{
	char h[24];
	const char *p[1] = { h };
	int64_t n;
	snprintf(h, sizeof(h), "%lld", (long long)hwm);
	if (store_scalar(f->sp, "SELECT count(*) FROM flows WHERE seq > ?1", p, 1, &n) != 0)
		return -1;
	return n;
}

static int64_t pg_hwm(struct forwarder *f)
{
	const char *pp[1] = { f->spool_uid };
	PGresult *r;
	int64_t v = 0;
	if (!pg_ok(f->pg))
		return -1;
	r = PQexecParams(pg_conn(f->pg), "SELECT seq FROM wa_spool WHERE spool_uid = $1", 1, NULL, pp, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		v = PQntuples(r) ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	else
		v = -1;
	PQclear(r);
	return v;
}

static void drop_connection(struct forwarder *f)
{
	pg_close(f->pg);
	f->pg = NULL;
	f->staged = false;
	/* ids given inside a transaction that may not have committed */
	for (int i = 0; i < M_N; i++)
		idmap_clear(&f->map[i]);
}

/* Sleeps up to us, or until told to stop; true when stopping. */
static bool nap(struct forwarder *f, int64_t us)
{
	struct timespec ts;
	bool stop;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += us / 1000000;
	ts.tv_nsec += (us % 1000000) * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&f->mu);
	if (!f->stop)
		pthread_cond_timedwait(&f->cv, &f->mu, &ts);
	stop = f->stop;
	pthread_mutex_unlock(&f->mu);
	return stop;
}

static void *fwd_thread(void *arg)
{
	struct forwarder *f = arg;
	int64_t backoff = 1000000;
	char err[600];

	for (;;) {
		bool finishing;
		int n;

		pthread_mutex_lock(&f->mu);
		finishing = f->finishing;
		if (f->stop || (finishing && now_us() > f->deadline) ||
		    (finishing && f->o.cancel && __atomic_load_n(f->o.cancel, __ATOMIC_RELAXED) > f->cancel_at)) {
			pthread_mutex_unlock(&f->mu);
			break;
		}
		pthread_mutex_unlock(&f->mu);
		if (f->pg == NULL) {
			if (pg_open(&f->pg, f->o.conninfo, true, err, sizeof(err)) != 0) {
				f->pg = NULL;
				if (!f->down_said && !f->o.quiet)
					fprintf(stderr, "wireaudit: %s; keeping flows in the spool %s and trying again\n",
						err, f->o.spool);
				f->down_said = true;
				pthread_mutex_lock(&f->mu);
				f->st.failures++;
				f->st.connected = false;
				pthread_mutex_unlock(&f->mu);
				enforce_max(f, f->hwm_known);
				if (nap(f, backoff))
					break;
				backoff = backoff * 2 > FWD_RETRY_MAX_US ? FWD_RETRY_MAX_US : backoff * 2;
				if (finishing && backoff > 1000000)
					backoff = 1000000;
				continue;
			}

			pthread_mutex_lock(&f->mu);
			f->st.reconnects++;
			f->st.connected = true;
			pthread_mutex_unlock(&f->mu);
		}
		n = fwd_pass(f);
		if (n < 0) {
			if (!f->o.quiet && !f->down_said)
				fprintf(stderr, "wireaudit: forwarding to %s failed: %s; keeping flows in the spool "
					"%s and trying again\n", pg_target(f->pg), f->err, f->o.spool);
			pthread_mutex_lock(&f->mu);
			f->st.failures++;
			f->st.connected = false;
			pthread_mutex_unlock(&f->mu);
			drop_connection(f);
			f->down_said = true;
			enforce_max(f, f->hwm_known);
			if (nap(f, backoff))
				break;
			backoff = backoff * 2 > FWD_RETRY_MAX_US ? FWD_RETRY_MAX_US : backoff * 2;
			if (finishing && backoff > 1000000)
				backoff = 1000000; /* the run is over: try every second until --spool-drain */
			continue;
		}
		if (f->down_said && n >= 0) {
			/* said once a pass went through, not at every reconnect
			 * whose pass fails again */
			if (!f->o.quiet)
				fprintf(stderr, "wireaudit: %s is back: forwarding the spool\n", pg_target(f->pg));
			f->down_said = false;
			backoff = 1000000;
		}
		if (n == 0) {
			int64_t h = pg_hwm(f), p = h >= 0 ? pending(f, h) : -1;
			if (h >= 0)
				f->hwm_known = h;
			pthread_mutex_lock(&f->mu);
			f->st.pending = p;
			pthread_mutex_unlock(&f->mu);
			if (finishing && p == 0)
				break;
			if (nap(f, FWD_IDLE_US))
				break;
		}
	}
	return NULL;
}

/* ---- start, finish ---- */

static void fwd_free(struct forwarder *f)
{
	if (f == NULL)
		return;
	pg_close(f->pg);
	store_close(f->sp);
	for (int i = 0; i < M_N; i++)
		idmap_clear(&f->map[i]);
	free(f->batch);
	jb_free(&f->copy);
	store_schema_free(&f->desc);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	free(f);
}

static int uid_cb(const struct store_row *r, void *arg)
{
	snprintf(arg, 40, "%s", store_col_text(r, 0) ? store_col_text(r, 0) : "");
	return 1;
}

static int sensor_cb(const struct store_row *r, void *arg)
{
	snprintf(arg, 256, "%s", store_col_text(r, 0) ? store_col_text(r, 0) : "");
	return 1;
}

static struct forwarder *fwd_new(const struct fwd_opts *o, char *err, size_t errlen)
{
	struct forwarder *f = calloc(1, sizeof(*f));
	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->o = *o;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	jb_init(&f->copy);
	f->st.pending = -1;
	if (store_schema_desc(STORE_SCHEMA_VERSION, &f->desc, err, errlen) != 0 ||
	    store_open(&f->sp, o->spool, false, err, errlen) != 0) {
		fwd_free(f);
		return NULL;
	}
	/* the capture's writer holds the spool's write lock for a batch at a
	 * time: a trim that finds it busy is put off, not a failure */
	store_set_soft_busy(f->sp);
	/* the spool is named by its first run's uid (runs are never removed
	 * from a spool): the progress row in wa_spool is this spool's */
	store_query_rows(f->sp, "SELECT uid FROM runs ORDER BY run_id LIMIT 1", NULL, 0, uid_cb, f->spool_uid);
	store_query_rows(f->sp, "SELECT sensor FROM runs ORDER BY run_id DESC LIMIT 1", NULL, 0, sensor_cb, f->sensor);
	if (f->spool_uid[0] == '\0') {
		snprintf(err, errlen, "%s: no run in the spool yet", o->spool);
		fwd_free(f);
		return NULL;
	}
	return f;
}

int fwd_start(struct forwarder **out, const struct fwd_opts *o, char *err, size_t errlen)
{
	struct forwarder *f;
	*out = NULL;
	if ((f = fwd_new(o, err, errlen)) == NULL)
		return -1;
	if (pthread_create(&f->th, NULL, fwd_thread, f) != 0) {
		snprintf(err, errlen, "cannot start the forwarder thread");
		fwd_free(f);
		return -1;
	}
	f->started = true;
	*out = f;
	return 0;
}

void fwd_get_stats(struct forwarder *f, struct fwd_stats *st)
{
	pthread_mutex_lock(&f->mu);
	*st = f->st;
	pthread_mutex_unlock(&f->mu);
}

int64_t fwd_finish(struct forwarder *f, int64_t grace_us, struct fwd_stats *st)
{
	int64_t left;
	if (f == NULL)
		return 0;
	pthread_mutex_lock(&f->mu);
	f->finishing = true;
	f->deadline = now_us() + grace_us;
	f->cancel_at = f->o.cancel ? __atomic_load_n(f->o.cancel, __ATOMIC_RELAXED) : 0;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	if (f->started)
		pthread_join(f->th, NULL);
	if (f->o.run_id > 0 && f->st.flows_dropped > 0) {
		/* the run's statistics were written before its last drops may
		 * have happened: its spool object gets the final count now, and
		 * goes to PostgreSQL with one more pass (or with the next
		 * forwarder's first, which sends every run once) */
		char rid[24], nn[24];
		const char *pr[2] = { rid, nn };
		snprintf(rid, sizeof(rid), "%lld", (long long)f->o.run_id);
		snprintf(nn, sizeof(nn), "%llu", (unsigned long long)f->st.flows_dropped);
		if (store_exec(f->sp, "UPDATE runs SET stats = json_set(COALESCE(stats, '{}'), '$.spool.flows_dropped',"
			       " CAST(?2 AS INTEGER)) WHERE run_id = CAST(?1 AS INTEGER)", pr, 2, true) == 0 &&
		    store_commit(f->sp) == 0 && pg_ok(f->pg)) {
			idmap_put(&f->map[M_RUN_FINAL], f->o.run_id, 0);
			if (fwd_pass(f) < 0)
				drop_connection(f);
		}
	}
	left = pending(f, f->hwm_known);
	pthread_mutex_lock(&f->mu);
	f->st.pending = left;
	pthread_mutex_unlock(&f->mu);
	if (st)
		fwd_get_stats(f, st);
	fwd_free(f);
	return left;
}

int fwd_drain_command(const struct fwd_opts *o, int64_t timeout_us)
{
	char err[600];
	struct forwarder *f;
	struct fwd_stats st;
	int64_t left;

	if ((f = fwd_new(o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "wireaudit: forward: %s\n", err);
		return EXIT_STORE;
	}
	if (pg_open(&f->pg, o->conninfo, true, err, sizeof(err)) != 0) {
		f->pg = NULL;
		fprintf(stderr, "wireaudit: forward: %s\n", err);
		fwd_free(f);
		return EXIT_STORE;
	}
	f->finishing = true;
	f->deadline = now_us() + timeout_us;
	fwd_thread(f);
	left = pending(f, f->hwm_known);
	fwd_get_stats(f, &st);
	fprintf(stderr, "wireaudit: forward: %llu records and %llu statistics rows to %s; %lld wait in %s\n",
		(unsigned long long)st.flows_forwarded, (unsigned long long)st.stats_forwarded,
		f->pg ? pg_target(f->pg) : "PostgreSQL", (long long)left, o->spool);
	fwd_free(f);
	return left == 0 ? EXIT_OK : EXIT_STORE;
}
