/* SPDX-License-Identifier: BSD-3-Clause */
/* pq.c — post-quantum readiness (issue 19, docs/REPORT.md "Post-quantum
 * readiness"): of the window's TLS and QUIC handshakes, how many clients
 * offered a post-quantum (hybrid ML-KEM or Kyber) key exchange group, sent
 * a key share for one, and how many servers selected one (the ServerHello's
 * key_share, or the group a HelloRetryRequest asked for); the share of
 * connections and of bytes a post-quantum key exchange protects; per
 * server, and per day.
 *
 * "Harvest now, decrypt later": traffic recorded today is exposed to a
 * future quantum computer through its key exchange, whatever the
 * certificate's algorithm, so the key exchange is what this section
 * measures. It states facts; it judges no ASVS requirement (V12 names no
 * post-quantum requirement; the profiles of issue 19 may).
 *
 * The groups: tls_group_is_pq (src/dissect/tls_tables.c, from the IANA
 * TLS Supported Groups registry). Three aggregate queries over the
 * window's tls rows (RP_IN_WINDOW), weighted by the flows a daily roll-up
 * row stands for, as every count of the report is; the lists grow, none
 * is capped here (the text, HTML and Markdown outputs cap what they list
 * with --list and say how many more). */
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One row per handshake of the window, made once (rp_pqx, a temporary
 * table in memory) so that the four sums read a narrow table instead of
 * each joining flows, tls and the profile tables again (the joins were
 * three quarters of the section's time). w: the flows the row stands
 * for; b: its bytes. */
#define PQ_ROWS \
	"CREATE TEMP TABLE rp_pqx AS SELECT f.server_ip AS ip, f.server_port AS port, t.sni AS sni," \
	" CAST(f.ts_first / 86400000000 AS INTEGER) AS day," \
	" COALESCE(ru.flows, 1) AS w, f.bytes_c2s + f.bytes_s2c AS b," \
	" COALESCE(c.pqo, 0) AS off," \
	/* a share in the first ClientHello, or in the second after a  \
	 * HelloRetryRequest for a PQ group (RFC 8446 §4.1.4: that share only) */ \
	" CASE WHEN COALESCE(c.pqks, 0) = 1 OR (t.hrr = 1 AND COALESCE(h.pq, 0) = 1" \
	"  AND ',' || t.retry_key_shares || ',' LIKE '%,' || t.hrr_group || ',%') THEN 1 ELSE 0 END AS ks," \
	" t.server_profile IS NOT NULL AS ans, COALESCE(g.pq, 0) AS sel, COALESCE(h.pq, 0) AS hrr," \
	" g.name AS gname" \
	" FROM flows f JOIN tls t ON t.flow_id = f.flow_id" \
	" LEFT JOIN rp_cp c ON c.profile_id = t.client_profile" \
	" LEFT JOIN rp_grp g ON g.id = t.kx_group" \
	" LEFT JOIN rp_grp h ON h.id = t.hrr_group" \
	" LEFT JOIN rollups ru ON ru.flow_id = f.flow_id" \
	" WHERE t.client_profile IS NOT NULL AND " RP_IN_WINDOW("f")
#define PQ_FROM " FROM rp_pqx"

/* the sums every query selects first, in struct rp_pq_counts' order */
#define PQ_SUMS \
	" SUM(w), SUM(w * off), SUM(w * ks), SUM(w * ans), SUM(w * off * ans), SUM(w * sel)," \
	" SUM(w * hrr), COALESCE(SUM(b), 0), COALESCE(SUM(CASE WHEN sel = 1 THEN b END), 0)"
#define PQ_NSUMS 9

/* The five statements (tests/sql-bound.sh allow-lists them: literals and
 * the macros above, which are literals and RP_IN_WINDOW's) */
static const char pq_rows_sql[] = PQ_ROWS;
static const char pq_all_sql[] = "SELECT" PQ_SUMS PQ_FROM;
/* servers: those that never selected PQ although their clients offered
 * it first (the ones a reader can act on), then those that selected it,
 * then those no client offered it to; by offers and handshakes within
 * each; a stable order for equal counts */
static const char pq_srv_sql[] = "SELECT" PQ_SUMS ", ip, port, MIN(sni), COUNT(DISTINCT sni)" PQ_FROM
	" GROUP BY ip, port ORDER BY CASE WHEN SUM(w * sel) > 0 THEN 1 WHEN SUM(w * off * ans) > 0 THEN 0"
	" ELSE 2 END, SUM(w * off * ans) DESC, SUM(w) DESC, ip, port";
static const char pq_day_sql[] = "SELECT" PQ_SUMS ", day" PQ_FROM " GROUP BY day ORDER BY day";
static const char pq_grp_sql[] = "SELECT gname, SUM(w)" PQ_FROM
	" WHERE sel = 1 GROUP BY gname ORDER BY SUM(w) DESC, gname";

static void pq_counts(struct rp_pq_counts *c, const char *const *v)
{
	c->hs = rp_num(v[0]);
	c->offered = rp_num(v[1]);
	c->ks = rp_num(v[2]);
	c->answered = rp_num(v[3]);
	c->offered_answered = rp_num(v[4]);
	c->selected = rp_num(v[5]);
	c->hrr = rp_num(v[6]);
	c->bytes = rp_num(v[7]);
	c->pq_bytes = rp_num(v[8]);
}

struct pq_fill {
	struct rp_pq *pq;
	size_t cap;
};

static int cb_all(int n, const char *const *v, void *a)
{
	struct pq_fill *F = a;
	if (n < PQ_NSUMS || v[0] == NULL) /* no row: every count stays 0 */
		return 0;
	pq_counts(&F->pq->all, v);
	return 0;
}

static int cb_srv(int n, const char *const *v, void *a)
{
	struct pq_fill *F = a;
	struct rp_pq_server *s;
	if (n < PQ_NSUMS + 4)
		return 0;
	F->pq->srv = rp_grow(F->pq->srv, &F->cap, (size_t)F->pq->nsrv, sizeof(*F->pq->srv));
	s = &F->pq->srv[F->pq->nsrv++];
	memset(s, 0, sizeof(*s));
	pq_counts(&s->c, v);
	s->ip = rp_xstrdup(v[PQ_NSUMS]);
	s->port = (int)rp_num(v[PQ_NSUMS + 1]);
	s->sni = rp_xstrdup(v[PQ_NSUMS + 2]);
	s->nsni = rp_num(v[PQ_NSUMS + 3]);
	if (s->c.selected > 0)
		F->pq->nsrv_select++;
	else if (s->c.offered_answered > 0)
		F->pq->nsrv_never++;
	return 0;
}

static int cb_day(int n, const char *const *v, void *a)
{
	struct pq_fill *F = a;
	struct rp_pq_day *d;
	if (n < PQ_NSUMS + 1)
		return 0;
	F->pq->days = rp_grow(F->pq->days, &F->cap, (size_t)F->pq->ndays, sizeof(*F->pq->days));
	d = &F->pq->days[F->pq->ndays++];
	pq_counts(&d->c, v);
	d->day = rp_num(v[PQ_NSUMS]);
	return 0;
}

static int cb_group(int n, const char *const *v, void *a)
{
	struct pq_fill *F = a;
	struct rp_count *g;
	if (n < 2 || v[0] == NULL)
		return 0;
	F->pq->groups = rp_grow(F->pq->groups, &F->cap, (size_t)F->pq->ngroups, sizeof(*F->pq->groups));
	g = &F->pq->groups[F->pq->ngroups++];
	g->name = rp_xstrdup(v[0]);
	g->n = rp_num(v[1]);
	return 0;
}

int rp_pq_load(struct rp_report *rep)
{
	struct rp_pq *pq = &rep->pq;
	struct pq_fill F = { pq, 0 };

	memset(pq, 0, sizeof(*pq));
	if (rp_q_exec(rep, pq_rows_sql) != 0 || rp_q(rep, pq_all_sql, NULL, 0, cb_all, &F) != 0)
		return -1;
	F.cap = 0;
	if (rp_q(rep, pq_srv_sql, NULL, 0, cb_srv, &F) != 0)
		return -1;
	F.cap = 0;
	if (rp_q(rep, pq_day_sql, NULL, 0, cb_day, &F) != 0)
		return -1;
	F.cap = 0;
	if (rp_q(rep, pq_grp_sql, NULL, 0, cb_group, &F) != 0)
		return -1;
	return rp_q_exec(rep, "DROP TABLE rp_pqx");
}

void rp_pq_free(struct rp_pq *pq)
{
	int i;
	for (i = 0; i < pq->nsrv; i++) {
		free(pq->srv[i].ip);
		free(pq->srv[i].sni);
	}
	free(pq->srv);
	free(pq->days);
	for (i = 0; i < pq->ngroups; i++)
		free(pq->groups[i].name);
	free(pq->groups);
	memset(pq, 0, sizeof(*pq));
}

const char *rp_pq_pct(int64_t part, int64_t whole, char *buf, size_t n)
{
	if (whole <= 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f%%", 100.0 * (double)part / (double)whole);
	return buf;
}

const char *rp_pq_day(int64_t day, char *buf, size_t n)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL || strftime(buf, n, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, n, "day %lld", (long long)day);
	return buf;
}
