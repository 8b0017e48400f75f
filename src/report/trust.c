/* SPDX-License-Identifier: BSD-3-Clause */
/* trust.c — server certificate chains judged again at report time (issue
 * 12: judgements belong to the rule layer). With `report --ca-file FILE`
 * and/or `--system-ca PATH|none`, each distinct (chain, SNI) of the TLS
 * flows in the window is validated against those anchors at the
 * connections' own times, with the same code the capture used
 * (src/dissect/x509.c), and the verdict replaces the one the capture made
 * against its host's anchors: an auditor can re-judge an old store with a
 * new internal CA without capturing again, and a central report can judge
 * every sensor's data with one trust configuration.
 *
 * Validity is an interval, so a chain that gets the same verdict at the
 * first and the last connection of a (chain, SNI) pair gets it for every
 * connection between (a certificate cannot expire and come back); a pair
 * whose two ends differ (a certificate expired during the window) is judged
 * per connection. What only the wire tells stays as captured: whether the
 * client sent a fatal alert after the Certificate message, whether the
 * handshake completed and application data followed; "the client accepted
 * an invalid chain" is recomputed from those facts and the new verdict, as
 * the TLS dissector computes it.
 *
 * Results go to one temporary table the rf query joins (load.c), a row
 * per connection judged again:
 *   rp_tv (flow_id, s, trusted, terr, tbe, hmatch, bad, c, ctrusted, cterr)
 * s = 1: the server chain's verdict is in trusted..bad; c = 1: the client
 * chain's in ctrusted, cterr. It exists (empty) without the options, so the
 * query is one text and costs one lookup a TLS flow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "store.h"
#include "x509.h"

#define RP_TRUST_MAX_CERTS 16

struct rp_pair {
	int64_t chain, ts_min, ts_max;
	char *sni;       /* NULL: none */
};

struct rp_trust {
	struct rp_report *rep;
	struct x509_ctx *xc;
	struct rp_pair *pairs;
	size_t n, cap;
	/* the chain being judged */
	const uint8_t *der[RP_TRUST_MAX_CERTS];
	size_t len[RP_TRUST_MAX_CERTS];
	uint8_t *copy[RP_TRUST_MAX_CERTS];
	int ncerts;
	int rc;
	bool client;     /* judging client chains (mTLS) */
	const struct rp_pair *cur;
	char since[32], until[32];
};

static int cb_pair(const struct store_row *r, void *arg)
{
	struct rp_trust *T = arg;
	struct rp_pair *p;
	const char *sni = store_col_text(r, 1);
	T->pairs = rp_grow(T->pairs, &T->cap, T->n, sizeof(*T->pairs));
	p = &T->pairs[T->n++];
	p->chain = store_col_int(r, 0);
	p->sni = sni ? rp_xstrdup(sni) : NULL;
	p->ts_min = store_col_int(r, 2);
	p->ts_max = store_col_int(r, 3);
	return 0;
}

static int cb_cert(const struct store_row *r, void *arg)
{
	struct rp_trust *T = arg;
	size_t len;
	const void *b = store_col_blob(r, 0, &len);
	if (T->ncerts >= RP_TRUST_MAX_CERTS || b == NULL)
		return 0;
	if ((T->copy[T->ncerts] = malloc(len ? len : 1)) == NULL)
		return -1;
	memcpy(T->copy[T->ncerts], b, len);
	T->der[T->ncerts] = T->copy[T->ncerts];
	T->len[T->ncerts] = len;
	T->ncerts++;
	return 0;
}

static void rp_chain_free(struct rp_trust *T)
{
	for (int i = 0; i < T->ncerts; i++)
		free(T->copy[i]);
	T->ncerts = 0;
}

static void judge(struct rp_trust *T, int64_t when, struct x509_verdict *v)
{
	x509_validate_chain(T->xc, T->der, T->len, T->ncerts, when, T->client ? NULL : T->cur->sni,
			    T->client, v);
}

static bool same(const struct x509_verdict *a, const struct x509_verdict *b)
{
	return a->trusted == b->trusted && a->hostname_match == b->hostname_match &&
	       a->trusted_by_extra == b->trusted_by_extra && strcmp(a->error, b->error) == 0;
}

/* The verdict as SQL parameters: trusted, terr, tbe, hmatch, bad (the
 * dissector's "invalid": untrusted or the name does not match). */
static void verdict_params(const struct x509_verdict *v, char b[4][8], const char *p[5])
{
	snprintf(b[0], sizeof(b[0]), "%d", v->trusted);
	snprintf(b[1], sizeof(b[1]), "%d", v->trusted_by_extra ? 1 : 0);
	snprintf(b[2], sizeof(b[2]), "%d", v->hostname_match);
	snprintf(b[3], sizeof(b[3]), "%d", v->trusted == 0 || v->hostname_match == 0);
	p[0] = v->trusted < 0 ? NULL : b[0];
	p[1] = v->error[0] ? v->error : NULL;
	p[2] = b[1];
	p[3] = v->hostname_match < 0 ? NULL : b[2];
	p[4] = b[3];
}

static int cb_flow(const struct store_row *r, void *arg)
{
	struct rp_trust *T = arg;
	struct x509_verdict v;
	char b[5][8], id[24];
	const char *p[6];
	judge(T, store_col_int(r, 1), &v);
	snprintf(id, sizeof(id), "%lld", (long long)store_col_int(r, 0));
	p[0] = id;
	verdict_params(&v, b, p + 1);
	T->rep->trust_flows++;
	if (T->client)
		return rp_q(T->rep, "INSERT INTO rp_tv (flow_id, c, ctrusted, cterr) VALUES (?1, 1, ?2, ?3)"
			    " ON CONFLICT (flow_id) DO UPDATE SET c = 1, ctrusted = excluded.ctrusted,"
			    " cterr = excluded.cterr", p, 3, rp_cb_noop, NULL);
	return rp_q(T->rep, "INSERT INTO rp_tv (flow_id, s, trusted, terr, tbe, hmatch, bad)"
		    " VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6)", p, 6, rp_cb_noop, NULL);
}

static int judge_pair(struct rp_trust *T, const struct rp_pair *pr)
{
	struct x509_verdict a, z;
	char cid[24], b[5][8];
	const char *p[7];

	snprintf(cid, sizeof(cid), "%lld", (long long)pr->chain);
	p[0] = cid;
	if (store_query_rows(T->rep->st, "SELECT c.der FROM chain_certs cc JOIN certs c ON c.sha256 = cc.sha256"
			     " WHERE cc.chain_id = ?1 ORDER BY cc.idx", p, 1, cb_cert, T) != 0)
		return -1;
	if (T->ncerts == 0)
		return 0; /* no certificate bytes stored: the capture's verdict stays */
	T->cur = pr;
	T->rep->trust_chains++;
	judge(T, pr->ts_min, &a);
	judge(T, pr->ts_max, &z);
	if (same(&a, &z)) {
		/* one verdict for every connection of the pair */
		const char *q[9];
		q[0] = cid;
		q[1] = T->since;
		q[2] = T->until;
		if (T->client) {
			verdict_params(&a, b, q + 3);
			return rp_q(T->rep, "INSERT INTO rp_tv (flow_id, c, ctrusted, cterr)"
				    " SELECT t.flow_id, 1, ?4, ?5 FROM tls t JOIN flows f ON f.flow_id = t.flow_id"
				    " WHERE t.client_chain = ?1"
				    " AND (CAST(?2 AS INTEGER) < 0 OR f.ts_last >= CAST(?2 AS INTEGER))"
				    " AND (CAST(?3 AS INTEGER) < 0 OR f.ts_first < CAST(?3 AS INTEGER))"
				" AND " RP_IN_SEL("f")
				    " ON CONFLICT (flow_id) DO UPDATE SET c = 1, ctrusted = excluded.ctrusted,"
				    " cterr = excluded.cterr", q, 5, rp_cb_noop, NULL);
		}
		q[3] = pr->sni;
		verdict_params(&a, b, q + 4);
		return rp_q(T->rep, "INSERT INTO rp_tv (flow_id, s, trusted, terr, tbe, hmatch, bad)"
			    " SELECT t.flow_id, 1, ?5, ?6, ?7, ?8, ?9 FROM tls t JOIN flows f ON f.flow_id = t.flow_id"
			    " WHERE t.server_chain = ?1 AND t.sni IS ?4"
			    " AND (CAST(?2 AS INTEGER) < 0 OR f.ts_last >= CAST(?2 AS INTEGER))"
			    " AND (CAST(?3 AS INTEGER) < 0 OR f.ts_first < CAST(?3 AS INTEGER))"
				" AND " RP_IN_SEL("f"),
			    q, 9, rp_cb_noop, NULL);
	}
	if (T->client) {
		p[1] = T->since;
		p[2] = T->until;
		return store_query_rows(T->rep->st, "SELECT t.flow_id, f.ts_first FROM tls t"
					" JOIN flows f ON f.flow_id = t.flow_id WHERE t.client_chain = ?1"
					" AND (CAST(?2 AS INTEGER) < 0 OR f.ts_last >= CAST(?2 AS INTEGER))"
					" AND (CAST(?3 AS INTEGER) < 0 OR f.ts_first < CAST(?3 AS INTEGER))"
				" AND " RP_IN_SEL("f"),
					p, 3, cb_flow, T);
	}
	/* the verdict changed within the window: each connection at its time */
	p[1] = pr->sni;
	p[2] = T->since;
	p[3] = T->until;
	return store_query_rows(T->rep->st, "SELECT t.flow_id, f.ts_first FROM tls t"
				" JOIN flows f ON f.flow_id = t.flow_id"
				" WHERE t.server_chain = ?1 AND t.sni IS ?2"
				" AND (CAST(?3 AS INTEGER) < 0 OR f.ts_last >= CAST(?3 AS INTEGER))"
				" AND (CAST(?4 AS INTEGER) < 0 OR f.ts_first < CAST(?4 AS INTEGER))"
				" AND " RP_IN_SEL("f"),
				p, 4, cb_flow, T);
}

/* Every distinct server (chain, SNI) pair, or client chain, of the window. */
static int judge_side(struct rp_trust *T, bool client)
{
	const char *p[2] = { T->since, T->until };
	int rc = 0;

	T->client = client;
	T->n = 0;
	if (store_query_rows(T->rep->st, client ?
			     "SELECT t.client_chain, NULL, min(f.ts_first), max(f.ts_first)"
			     " FROM tls t JOIN flows f ON f.flow_id = t.flow_id WHERE t.client_chain IS NOT NULL"
			     " AND (CAST(?1 AS INTEGER) < 0 OR f.ts_last >= CAST(?1 AS INTEGER))"
			     " AND (CAST(?2 AS INTEGER) < 0 OR f.ts_first < CAST(?2 AS INTEGER))"
				" AND " RP_IN_SEL("f")
			     " GROUP BY t.client_chain" :
			     "SELECT t.server_chain, t.sni, min(f.ts_first), max(f.ts_first)"
			     " FROM tls t JOIN flows f ON f.flow_id = t.flow_id WHERE t.server_chain IS NOT NULL"
			     " AND (CAST(?1 AS INTEGER) < 0 OR f.ts_last >= CAST(?1 AS INTEGER))"
			     " AND (CAST(?2 AS INTEGER) < 0 OR f.ts_first < CAST(?2 AS INTEGER))"
				" AND " RP_IN_SEL("f")
			     " GROUP BY t.server_chain, t.sni", p, 2, cb_pair, T) != 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < T->n; i++) {
		rc = judge_pair(T, &T->pairs[i]);
		rp_chain_free(T);
	}
	for (size_t i = 0; i < T->n; i++)
		free(T->pairs[i].sni);
	T->n = 0;
	return rc;
}

int rp_trust_build(struct rp_report *rep)
{
	const struct report_opts *o = rep->o;
	struct rp_trust T;
	int rc;

	if (rp_q_exec(rep, "CREATE TEMP TABLE rp_tv (flow_id INTEGER PRIMARY KEY, s INTEGER, trusted INTEGER,"
		      " terr TEXT, tbe INTEGER, hmatch INTEGER, bad INTEGER, c INTEGER, ctrusted INTEGER,"
		      " cterr TEXT)") != 0)
		return -1;
	if (o->ca_file == NULL && o->system_ca == NULL)
		return 0;
	memset(&T, 0, sizeof(T));
	T.rep = rep;
	if ((T.xc = x509_ctx_new(o->system_ca, o->ca_file)) == NULL)
		return -2; /* a bad path: said on stderr */
	snprintf(T.since, sizeof(T.since), "%lld", (long long)o->since);
	snprintf(T.until, sizeof(T.until), "%lld", (long long)o->until);
	rc = judge_side(&T, false);
	if (rc == 0)
		rc = judge_side(&T, true); /* client chains (mTLS, 12.1.3): no name */
	free(T.pairs);
	rp_chain_free(&T);
	x509_ctx_free(T.xc);
	return rc;
}
