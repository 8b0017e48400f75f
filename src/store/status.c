/* SPDX-License-Identifier: BSD-3-Clause */
/* status.c — `wireaudit status`: the live statistics series (docs/SCHEMA.md
 * "stats") of the running (or last) capture, read from the store: latest
 * counters per interface, rates over the last 1, 5 and 15 minutes, drops in
 * percent, the database's size and time span (docs/CLI.md "status"). */
#include "status.h"
#include "pg.h"
#include "export.h"
#include "json.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The series' counters, in the order of the SELECTs below (every column of
 * stats but run_id). */
enum {
	SC_IFACE, SC_TS, SC_PKT_TS, SC_FINAL, SC_RECEIVED, SC_KDROPS, SC_IFDROPS, SC_PACKETS,
	SC_BYTES, SC_OPEN, SC_ENDED, SC_EVICTED, SC_ANOMS, SC_QWAITS, SC_QWAIT_US, SC_WORKERS,
	SC_N
};

struct srow {
	bool found;
	int64_t v[SC_N];
	bool null[SC_N];
};

static int take_row(const struct store_row *r, void *arg)
{
	struct srow *s = arg;
	s->found = true;
	for (int i = 1; i < SC_N; i++) {
		s->null[i] = store_col_null(r, i);
		s->v[i] = store_col_int(r, i);
	}
	return 1; /* one row */
}

/* One row of run/interface: the latest, or the latest at or before ts
 * (before < 0: the latest; none there: the first). 0 or -1. */
static int get_row(struct store *s, const char *run, const char *iface, int64_t before,
		   struct srow *out)
{
	char b[24];
	const char *p[3] = { run, iface, b };
	int rc;
	memset(out, 0, sizeof(*out));
	if (before < 0) {
		rc = store_query_rows(s, "SELECT interface, ts, pkt_ts, final, received, kernel_drops, if_drops, packets, bytes,"
				      " open_flows, flows_ended, flows_evicted, anomalies, queue_waits, queue_wait_us,"
				      " workers FROM stats WHERE run_id = ?1"
				      " AND interface IS ?2 ORDER BY ts DESC, final DESC LIMIT 1",
				      p, 2, take_row, out);
		return rc < 0 ? -1 : 0;
	}
	snprintf(b, sizeof(b), "%lld", (long long)before);
	rc = store_query_rows(s, "SELECT interface, ts, pkt_ts, final, received, kernel_drops, if_drops, packets, bytes,"
			      " open_flows, flows_ended, flows_evicted, anomalies, queue_waits, queue_wait_us,"
			      " workers FROM stats WHERE run_id = ?1"
			      " AND interface IS ?2 AND ts <= CAST(?3 AS INTEGER)"
			      " ORDER BY ts DESC, final DESC LIMIT 1", p, 3, take_row, out);
	if (rc < 0)
		return -1;
	if (!out->found)
		rc = store_query_rows(s, "SELECT interface, ts, pkt_ts, final, received, kernel_drops, if_drops, packets, bytes,"
				      " open_flows, flows_ended, flows_evicted, anomalies, queue_waits, queue_wait_us,"
				      " workers FROM stats WHERE run_id = ?1"
				      " AND interface IS ?2 ORDER BY ts, final LIMIT 1",
				      p, 2, take_row, out);
	return rc < 0 ? -1 : 0;
}

/* A growing list of strings (interfaces of a run; NULL is an entry). */
struct strlist {
	char **v;
	size_t n, cap;
	bool oom;
};

static int add_iface(const struct store_row *r, void *arg)
{
	struct strlist *l = arg;
	const char *t = store_col_text(r, 0);
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		char **nv = realloc(l->v, nc * sizeof(*nv));
		if (nv == NULL) {
			l->oom = true;
			return -1;
		}
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n] = t ? strdup(t) : NULL;
	if (t && l->v[l->n] == NULL) {
		l->oom = true;
		return -1;
	}
	l->n++;
	return 0;
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

struct run_row {
	char *id, *status, *mode, *source, *started, *ended;
};

struct runs {
	struct run_row *v;
	size_t n, cap;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int add_run(const struct store_row *r, void *arg)
{
	struct runs *l = arg;
	struct run_row *x;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 4;
		struct run_row *nv = realloc(l->v, nc * sizeof(*nv));
		if (nv == NULL)
			return -1;
		l->v = nv;
		l->cap = nc;
	}
	x = &l->v[l->n++];
	x->id = dup_or_null(store_col_text(r, 0));
	x->status = dup_or_null(store_col_text(r, 1));
	x->mode = dup_or_null(store_col_text(r, 2));
	x->source = dup_or_null(store_col_text(r, 3));
	x->started = dup_or_null(store_col_text(r, 4));
	x->ended = dup_or_null(store_col_text(r, 5));
	return 0;
}

static void runs_free(struct runs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].status);
		free(l->v[i].mode);
		free(l->v[i].source);
		free(l->v[i].started);
		free(l->v[i].ended);
	}
	free(l->v);
}

struct span {
	int64_t oldest, newest, flows;
	bool any;
};

static int take_span(const struct store_row *r, void *arg)
{
	struct span *sp = arg;
	sp->flows = store_col_int(r, 0);
	sp->any = !store_col_null(r, 1);
	sp->oldest = store_col_int(r, 1);
	sp->newest = store_col_int(r, 2);
	return 0;
}

static int64_t file_size(const char *path, const char *suffix)
{
	char p[4096];
	struct stat sb;
	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

/* The windows rates are given over (docs/CLI.md): 1, 5 and 15 minutes. */
static const int windows_s[] = { 60, 300, 900 };
#define NWINDOWS (sizeof(windows_s) / sizeof(windows_s[0]))

/* The rates of one window: from the row at or before latest - window (or
 * the run's first row when the run is younger) to the latest. */
struct rate {
	int window_s;
	double span_s;              /* 0: one row only, no rate */
	double packets, bytes, drops, flows;
};

static void rate_of(const struct srow *l, const struct srow *b, int window_s, struct rate *r)
{
	memset(r, 0, sizeof(*r));
	r->window_s = window_s;
	if (!b->found || l->v[SC_TS] <= b->v[SC_TS])
		return;
	r->span_s = (double)(l->v[SC_TS] - b->v[SC_TS]) / 1e6;
	r->packets = (double)(l->v[SC_PACKETS] - b->v[SC_PACKETS]) / r->span_s;
	r->bytes = (double)(l->v[SC_BYTES] - b->v[SC_BYTES]) / r->span_s;
	/* kernel and interface drops (NULL counts as 0: offline) */
	r->drops = (double)((l->v[SC_KDROPS] + l->v[SC_IFDROPS]) -
			    (b->v[SC_KDROPS] + b->v[SC_IFDROPS])) / r->span_s;
	r->flows = (double)(l->v[SC_ENDED] - b->v[SC_ENDED]) / r->span_s;
}

/* Drops in percent of what reached the sockets: (kernel + interface
 * drops) / (received + interface drops); received (ps_recv) already
 * counts the packets the kernel dropped (packet(7) PACKET_STATISTICS).
 * -1: unknown (offline, or nothing received). */
static double drops_pct(const struct srow *l)
{
	double den;
	if (l->null[SC_RECEIVED])
		return -1;
	den = (double)l->v[SC_RECEIVED] + (double)l->v[SC_IFDROPS];
	if (den <= 0)
		return -1;
	return 100.0 * (double)(l->v[SC_KDROPS] + l->v[SC_IFDROPS]) / den;
}

static void ts_str(int64_t us, char *b, size_t n)
{
	ts_to_rfc3339(us, b, n);
}

static void j_num(struct jbuf *jb, const char *k, double v)
{
	char b[48];
	snprintf(b, sizeof(b), "%.2f", v);
	if (k)
		jb_key(jb, k);
	jb_raw(jb, b);
}

static void j_int_or_null(struct jbuf *jb, const char *k, const struct srow *l, int c)
{
	jb_key(jb, k);
	if (l->null[c])
		jb_null(jb);
	else
		jb_int(jb, l->v[c]);
}

static void j_ts_or_null(struct jbuf *jb, const char *k, int64_t us, bool known)
{
	char b[TSSTR_MAX];
	jb_key(jb, k);
	if (!known) {
		jb_null(jb);
		return;
	}
	ts_str(us, b, sizeof(b));
	jb_string(jb, b);
}

/* "label N" (or "label -" for NULL), after ", " unless it opens the line */
static void t_count(FILE *out, const char *label, const struct srow *l, int c)
{
	bool first = c == SC_RECEIVED || c == SC_PACKETS;
	if (l->null[c])
		fprintf(out, "%s%s -", first ? "" : ", ", label);
	else
		fprintf(out, "%s%s %lld", first ? "" : ", ", label, (long long)l->v[c]);
}

int status_print(struct store *s, const char *db, const struct pg_fleet *fleet, bool json, FILE *out)
{
	struct runs runs = { 0 };
	struct span sp = { 0 };
	struct jbuf jb;
	int64_t dbsize = fleet ? fleet->db_bytes : file_size(db, ""), walsize = fleet ? 0 : file_size(db, "-wal");
	char b1[TSSTR_MAX], b2[TSSTR_MAX];
	int ret = 0;

	/* the runs still running (a killed capture stays "running": its
	 * last row's time says when it stopped), else the last one */
	if (store_query_rows(s, "SELECT run_id, status, mode, source, started_at, ended_at FROM runs"
			     " WHERE status = 'running' OR run_id = (SELECT max(run_id) FROM runs)"
			     " ORDER BY run_id", NULL, 0, add_run, &runs) != 0 ||
	    store_query_rows(s, "SELECT count(*), min(ts_first), max(ts_last) FROM flows", NULL, 0,
			     take_span, &sp) != 0) {
		runs_free(&runs);
		return -1;
	}
	jb_init(&jb);
	if (json) {
		jb_obj_open(&jb);
		jb_key(&jb, "database");
		jb_obj_open(&jb);
		jb_kv_str(&jb, "path", db);
		jb_kv_int(&jb, "size_bytes", dbsize + walsize);
		jb_kv_int(&jb, "file_bytes", dbsize);
		jb_kv_int(&jb, "wal_bytes", walsize);
		jb_kv_int(&jb, "flows", sp.flows);
		j_ts_or_null(&jb, "oldest_flow", sp.oldest, sp.any);
		j_ts_or_null(&jb, "newest_flow", sp.newest, sp.any);
		jb_obj_close(&jb);
		if (fleet) {
			/* each sensor's spool as the fleet database knows it */
			jb_key(&jb, "spools");
			jb_arr_open(&jb);
			for (int i = 0; i < fleet->nspools; i++) {
				const struct pg_spool_row *r = &fleet->spools[i];
				jb_obj_open(&jb);
				jb_kv_str(&jb, "spool", r->uid);
				jb_key(&jb, "sensor");
				jb_strn(&jb, r->sensor, strlen(r->sensor));
				jb_kv_int(&jb, "records_forwarded", r->forwarded);
				jb_kv_int(&jb, "flows_dropped", r->dropped);
				jb_kv_int(&jb, "last_seq", r->seq);
				jb_key(&jb, "updated_at");
				if (r->updated_at[0]) jb_string(&jb, r->updated_at); else jb_null(&jb);
				jb_obj_close(&jb);
			}
			jb_arr_close(&jb);
		}
		jb_key(&jb, "runs");
		jb_arr_open(&jb);
	} else {
		fputs("database ", out);
		term_escape(out, db);
		fprintf(out, ": %lld bytes (file %lld, WAL %lld), %lld flows", (long long)(dbsize + walsize),
			(long long)dbsize, (long long)walsize, (long long)sp.flows);
		if (sp.any) {
			ts_str(sp.oldest, b1, sizeof(b1));
			ts_str(sp.newest, b2, sizeof(b2));
			fprintf(out, " from %s to %s", b1, b2);
		}
		fputc('\n', out);
		for (int i = 0; fleet && i < fleet->nspools; i++) {
			const struct pg_spool_row *r = &fleet->spools[i];
			fputs("spool of sensor ", out);
			term_escape(out, r->sensor[0] ? r->sensor : "-");
			fprintf(out, " (%s): %lld records forwarded, %lld flows dropped from a full spool, "
				"last forward %s\n", r->uid, (long long)r->forwarded, (long long)r->dropped,
				r->updated_at[0] ? r->updated_at : "-");
		}
		if (runs.n == 0)
			fputs("no capture run\n", out);
	}
	for (size_t i = 0; i < runs.n && ret == 0; i++) {
		const struct run_row *ru = &runs.v[i];
		struct strlist ifs = { 0 };
		const char *p[1] = { ru->id };
		if (store_query_rows(s, "SELECT DISTINCT interface FROM stats WHERE run_id = ?1"
				     " ORDER BY interface", p, 1, add_iface, &ifs) != 0) {
			strlist_free(&ifs);
			ret = -1;
			break;
		}
		if (json) {
			jb_obj_open(&jb);
			jb_kv_int(&jb, "run_id", strtoll(ru->id, NULL, 10));
			jb_kv_str(&jb, "status", ru->status);
			jb_kv_str(&jb, "mode", ru->mode);
			jb_kv_str(&jb, "source", ru->source);
			jb_kv_str(&jb, "started_at", ru->started);
			jb_kv_str(&jb, "ended_at", ru->ended);
			jb_key(&jb, "interfaces");
			jb_arr_open(&jb);
		} else {
			/* every text from the store escaped: a run row is only as
			 * trustworthy as the file it is read from */
			fprintf(out, "run %s ", ru->id);
			term_escape(out, ru->status);
			fputc(' ', out);
			term_escape(out, ru->mode);
			fputc(' ', out);
			term_escape(out, ru->source);
			fputs(", started ", out);
			term_escape(out, ru->started);
			if (ru->ended) {
				fputs(", ended ", out);
				term_escape(out, ru->ended);
			}
			fputc('\n', out);
			if (ifs.n == 0)
				fputs("  no statistics yet (the first checkpoint writes them)\n", out);
		}
		for (size_t k = 0; k < ifs.n && ret == 0; k++) {
			struct srow l, base;
			struct rate rt[NWINDOWS];
			double pct;
			if (get_row(s, ru->id, ifs.v[k], -1, &l) != 0) {
				ret = -1;
				break;
			}
			for (size_t w = 0; w < NWINDOWS; w++) {
				if (get_row(s, ru->id, ifs.v[k], l.v[SC_TS] - windows_s[w] * 1000000LL,
					    &base) != 0) {
					ret = -1;
					break;
				}
				rate_of(&l, &base, windows_s[w], &rt[w]);
			}
			if (ret)
				break;
			pct = drops_pct(&l);
			if (json) {
				jb_obj_open(&jb);
				jb_kv_str(&jb, "interface", ifs.v[k]);
				j_ts_or_null(&jb, "updated", l.v[SC_TS], true);
				j_ts_or_null(&jb, "packet_time", l.v[SC_PKT_TS], !l.null[SC_PKT_TS]);
				jb_kv_bool(&jb, "final", l.v[SC_FINAL] != 0);
				j_int_or_null(&jb, "received", &l, SC_RECEIVED);
				j_int_or_null(&jb, "kernel_drops", &l, SC_KDROPS);
				j_int_or_null(&jb, "if_drops", &l, SC_IFDROPS);
				jb_key(&jb, "drops_pct");
				if (pct < 0)
					jb_null(&jb);
				else
					j_num(&jb, NULL, pct);
				j_int_or_null(&jb, "packets", &l, SC_PACKETS);
				j_int_or_null(&jb, "bytes", &l, SC_BYTES);
				j_int_or_null(&jb, "open_flows", &l, SC_OPEN);
				j_int_or_null(&jb, "flows_ended", &l, SC_ENDED);
				j_int_or_null(&jb, "flows_evicted", &l, SC_EVICTED);
				j_int_or_null(&jb, "anomalies", &l, SC_ANOMS);
				j_int_or_null(&jb, "queue_waits", &l, SC_QWAITS);
				j_int_or_null(&jb, "queue_wait_us", &l, SC_QWAIT_US);
				j_int_or_null(&jb, "workers", &l, SC_WORKERS);
				jb_key(&jb, "rates");
				jb_arr_open(&jb);
				for (size_t w = 0; w < NWINDOWS; w++) {
					jb_obj_open(&jb);
					jb_kv_int(&jb, "window_s", rt[w].window_s);
					if (rt[w].span_s > 0) {
						j_num(&jb, "span_s", rt[w].span_s);
						j_num(&jb, "packets_per_s", rt[w].packets);
						j_num(&jb, "bytes_per_s", rt[w].bytes);
						j_num(&jb, "drops_per_s", rt[w].drops);
						j_num(&jb, "flows_per_s", rt[w].flows);
					} else {
						/* one row: no rate yet */
						jb_key(&jb, "span_s");
						jb_null(&jb);
					}
					jb_obj_close(&jb);
				}
				jb_arr_close(&jb);
				jb_obj_close(&jb);
			} else {
				fputs("  ", out);
				if (ifs.v[k])
					term_escape(out, ifs.v[k]);
				else
					fputs("(files)", out);
				ts_str(l.v[SC_TS], b1, sizeof(b1));
				fprintf(out, ": updated %s%s", b1, l.v[SC_FINAL] ? " (final)" : "");
				if (!l.null[SC_PKT_TS]) {
					ts_str(l.v[SC_PKT_TS], b2, sizeof(b2));
					fprintf(out, ", packet time %s", b2);
				}
				fputc('\n', out);
				fputs("    ", out);
				t_count(out, "received", &l, SC_RECEIVED);
				t_count(out, "kernel drops", &l, SC_KDROPS);
				t_count(out, "interface drops", &l, SC_IFDROPS);
				if (pct >= 0)
					fprintf(out, ", drops %.2f%%", pct);
				else
					fputs(", drops -", out);
				fputc('\n', out);
				fputs("    ", out);
				t_count(out, "packets", &l, SC_PACKETS);
				t_count(out, "bytes", &l, SC_BYTES);
				t_count(out, "open flows", &l, SC_OPEN);
				t_count(out, "flows ended", &l, SC_ENDED);
				t_count(out, "evicted", &l, SC_EVICTED);
				t_count(out, "anomalies", &l, SC_ANOMS);
				t_count(out, "queue waits", &l, SC_QWAITS);
				t_count(out, "workers", &l, SC_WORKERS);
				fputc('\n', out);
				for (size_t w = 0; w < NWINDOWS; w++) {
					fprintf(out, "    last %2d min:", rt[w].window_s / 60);
					if (rt[w].span_s <= 0) {
						fputs(" - (one row)\n", out);
						continue;
					}
					fprintf(out, " %.2f packets/s, %.2f bytes/s, %.2f drops/s, "
						"%.2f flows/s (over %.2f s)\n", rt[w].packets, rt[w].bytes,
						rt[w].drops, rt[w].flows, rt[w].span_s);
				}
			}
		}
		strlist_free(&ifs);
		if (json) {
			jb_arr_close(&jb);
			jb_obj_close(&jb);
		}
	}
	if (json && ret == 0) {
		jb_arr_close(&jb);
		jb_obj_close(&jb);
		if (jb.err)
			ret = -1;
		else {
			fputs(jb_str(&jb), out);
			fputc('\n', out);
		}
	}
	jb_free(&jb);
	runs_free(&runs);
	return ret;
}
