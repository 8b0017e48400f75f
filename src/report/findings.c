/* SPDX-License-Identifier: BSD-3-Clause */
/* findings.c — the report's judging pass over the flows: one scan of rf
 * evaluates every rule, relevance and observability predicate per flow,
 * aggregates the hits into finding groups (a rule kind at a server
 * endpoint), rollups by cause and per-requirement counts, then gives the
 * listed findings their details (top clients, SNI, evidence). */
#define _GNU_SOURCE
#include "report_int.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"

/* A finding and what only the report pass needs of it. */
struct rp_fx {
	struct rp_finding f;
	const char *severity;
	int64_t creds;
	size_t gi;              /* its group in the scan (details are filled from it) */
};

/* One scan of rf evaluates every rule, relevance and observability
 * predicate per flow (one SELECT with a bit mask per family) and the
 * aggregation happens here, in hash tables that grow with what is distinct
 * (servers, finding groups, (group, client) pairs, SNI, evidence and cause
 * values), not with flows. Nothing here has a fixed size: every table
 * grows, and the only limit (RP_MAX_GROUPS) stops the report with an error
 * rather than dropping anything. Every group becomes a finding, so a
 * requirement's status never depends on how many findings there are. */

/* A growing string for the scan's SQL text. */
struct rp_sb {
	char *s;
	size_t len, cap;
};

static void rp_sb_add(struct rp_sb *b, const char *t)
{
	size_t n = strlen(t);
	if (b->len + n + 1 > b->cap) {
		size_t nc = (b->len + n + 1) * 2;
		char *ns = realloc(b->s, nc);
		if (ns == NULL) {
			fprintf(stderr, "wireaudit: out of memory\n");
			exit(EXIT_STORE);
		}
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->len, t, n + 1);
	b->len += n;
}

#define RP_AUTHM_MAX 8       /* distinct auth mechanisms named per finding (all are counted) */
#define RP_MAX_GROUPS (1 << 26)   /* finding groups and rollups: 28-bit map keys; beyond, exit 4 */

struct rp_srv {
	uint32_t ip, proto;     /* ids in strs (proto 0: NULL) */
	int port;
};

/* One finding group: a rule kind at one server endpoint. */
struct rp_grp {
	int k;
	uint32_t sid;
	int64_t flows, tf, tl, creds, nclients;
	int64_t samples[RP_SAMPLES];
	int nsamples;
	uint32_t authm[RP_AUTHM_MAX];
	int nauthm;
	bool authm_more;        /* more distinct mechanisms than RP_AUTHM_MAX */
	int64_t sel;            /* index among the findings given details, -1 none */
};

/* One rollup: a rule kind with one cause value, across servers. */
struct rp_roll {
	int k;
	uint32_t cause;         /* id in strs */
	int64_t flows, nservers, nclients;
};

/* A top list entry (count, interned string), kept sorted. */
struct rp_top {
	int64_t n;
	uint32_t id;
};

enum { RP_T_CLIENT = 1, RP_T_SNI = 2, RP_T_EV = 3, RP_T_REL = 4, RP_T_GRP = 5, RP_T_SEC = 6,
       RP_T_CPROTO = 7, RP_T_RUN = 8, RP_T_ROLL = 9, RP_T_RSRV = 10, RP_T_RCLI = 11,
       RP_T_VSRV = 12, RP_T_VCLI = 13, RP_T_FSRV = 14, RP_T_TLSH = 15 };
/* RP_T_TLSH sub-keys: the TLS version and cipher class histograms */
enum { RP_H_VER_N, RP_H_VER_RANK, RP_H_CLS_N, RP_H_CLS_ORD };

/* The flow query's columns: the flow's own, then the key columns. */
enum { RP_F_ID, RP_F_CLIENT, RP_F_TF, RP_F_TL, RP_F_SNI, RP_F_CREDS, RP_F_AUTHM, RP_F_SIP, RP_F_PORT,
       RP_F_PROTO, RP_F_RUN, RP_F_N, RP_F_KEY };
/* The rule query's columns: masks, coverage, histograms, then evidence and causes. */
enum { RP_R_REL, RP_R_OBS, RP_R_HIT, RP_R_COV, RP_R_SEC, RP_R_PROTO, RP_R_VER, RP_R_VRANK, RP_R_CIPH, RP_R_CLS,
       RP_R_EV };

/* rf's columns the rules read: everything but a flow's identity, times,
 * addresses, run and the counters only the aggregation uses. A flow's
 * verdicts are a function of these, so the scan evaluates the rules once
 * per distinct combination of them (a "tuple") and reuses the result for
 * every flow that has the same. A rule that reads another column fails
 * to prepare (no such column): loud, not wrong. */
static const char *const rp_key_cols[] = {
	"transport", "server_port", "protocol", "security", "client_by", "cz", "sz", "senvname",
	"has_tls", "ver", "vrank", "cmax", "c13", "cipher_id", "cipher", "cclass", "cfs", "best_off",
	"sni", "ech", "sreq", "stapled", "ocsp_status", "ccert", "est", "trusted", "terr", "tbe",
	"hmatch", "cacc", "cctrusted", "ccterr", "dh_bits", "alpn_http", "crej", "leaf", "ncerts",
	"leaf_ss", "hsdec", "creds", "authm", "redir", "http_host", "tlsform", "ja4", "kxg", "mixed",
	"ssh_kx", "ssh_wneg", "ssh_woff", "ssh_p1", "ssh_nsk", "ssh_hsrv", "snmp_ver", "snmp_lvl",
	"vnc_sec",
	"rdp_sel", "rdp_neg", "rdp_enc", "rdp_fail",
	"smb_ver", "smb_dia", "smb_sig", NULL,
};

/* What the rules say of one tuple: the masks, the coverage facts and the
 * interned evidence and cause values (ids in strs). */
struct rp_tup {
	uint64_t relm, obsm, hitm, cov;
	uint32_t sec, proto;    /* security state ("unknown" for NULL); protocol if cov & 256 */
	uint32_t ver, cls;      /* histogram names (0: not a TLS flow / no suite) */
	int64_t vrank, cord;
	uint64_t nflows;        /* flows with this tuple not yet counted (rp_tup_fold) */
};

/* Evaluated tuples by their key bytes. Past RP_TUP_MAX the cache starts
 * again empty (results are the same; only memory is bounded). */
#define RP_TUP_MAX (1 << 18)
struct rp_tupcache {
	struct rp_map ix;       /* key hash | 1 -> tuple index (probing on for equal hashes) */
	struct rp_tup *t;
	size_t n, cap;
	unsigned char *kb;      /* key bytes of every tuple, back to back */
	size_t *koff;           /* [n + 1] offsets into kb */
	size_t kbl, kbcap, koffcap;
	unsigned char *cur;     /* the flow's key being looked up */
	size_t curl, curcap;
	uint32_t *ids;          /* per tuple nids ids: nev evidence values, then ncause cause values */
	size_t idscap;
	int nids;
	struct store_stmt *rules;
	uint64_t evals, resets;
	size_t max;             /* RP_TUP_MAX; WIREAUDIT_TUPLE_CACHE in tests */
};

/* A client's (group, client), (rollup, client) and (requirement, client)
 * pairs: most clients have a few, kept side by side in the scan's pool
 * (one cache miss per flow, not one per pair); past RP_CLI_SMALL pairs, or
 * a count past 32 bits, they move to the map mc for good. */
#define RP_CLI_SMALL 16
struct rp_cli {
	uint32_t off, n, cap;   /* cap == 0 and n == 0: none yet; spilled: in mc */
	bool spilled;
};

struct rp_scan {
	struct rp_report *rep;
	struct rp_strs strs;    /* clients, SNI, evidence, causes, servers, protocols, auth mechanisms */
	struct rp_strs srvkeys; /* "|ip||proto|port" */
	struct rp_srv *srv;
	size_t nsrv, capsrv;
	struct rp_grp *grp;
	size_t ngrp, capgrp;
	struct rp_roll *roll;
	size_t nroll, caproll;
	struct rp_map m;        /* (tag, group/rollup/requirement, id) -> count; (GRP, k, sid) -> group */
	/* What grows with distinct clients lives apart, so the tables above
	 * stay small and in cache: client addresses, and the (group, client),
	 * (rollup, client) and (requirement, client) pairs that count them. */
	struct rp_strs cstrs;
	struct rp_cli *cli;     /* [client id]: its pairs, in cpool while few */
	size_t capcli;
	uint64_t *cpool;        /* pair key (tag << 28 | id) << 32 | count */
	size_t cpooln, cpoolcap;
	struct rp_map mc;       /* the pairs of clients with many (spilled) */
	int evcol[64];          /* kind -> evidence column */
	int causecol[64];       /* kind -> cause column */
	int kreq[64];           /* kind -> requirement index (in scope) */
	int nreq;
	int64_t last_run;
	bool overflow;
	int nev, ncause, nkey;
	struct rp_tupcache tc;
};

static uint64_t rp_key(int tag, uint64_t a, uint64_t b)
{
	return ((uint64_t)tag << 60) | (a << 32) | b;
}

/* The coverage counters of the cached tuples' flows (their nflows): what
 * depends on the tuple only is counted once per tuple, at the end of the
 * scan and before the cache starts again. */
static void rp_tup_fold(struct rp_scan *S)
{
	struct rp_report *rep = S->rep;
	size_t i;
	for (i = 0; i < S->tc.n; i++) {
		struct rp_tup *t = &S->tc.t[i];
		uint64_t cov = t->cov;
		int64_t n = (int64_t)t->nflows;
		if (n == 0)
			continue;
		t->nflows = 0;
		rep->flows_tcp += (cov & 1) ? n : 0;
		rep->flows_handshake += (cov & 2) ? n : 0;
		rep->flows_midstream += (cov & 4) ? n : 0;
		rep->tls_flows += (cov & 8) ? n : 0;
		rep->tls13_flows += (cov & 16) ? n : 0;
		rep->tls13_decrypted += (cov & 1024) ? n : 0;
		rep->tls_certs_seen += (cov & 32) ? n : 0;
		rep->unknown_security += (cov & 64) ? n : 0;
		rep->flows_udp += (cov & 128) ? n : 0;
		rep->flows_icmp += (cov & 512) ? n : 0;
		/* an ICMP flow has no security state to know: it carries no
		 * session (its flows have neither dissector nor nDPI's
		 * cleartext fallback, engine.c) */
		if (!(cov & 512))
			*rp_map_at(&S->m, rp_key(RP_T_SEC, 0, t->sec), NULL) += n;
		if (cov & 256)
			*rp_map_at(&S->m, rp_key(RP_T_CPROTO, 0, t->proto), NULL) += n;
		/* TLS flows: negotiated version (with its rank) and suite class */
		if (t->ver != 0) {
			bool fresh;
			int64_t *mr;
			*rp_map_at(&S->m, rp_key(RP_T_TLSH, RP_H_VER_N, t->ver), NULL) += n;
			mr = rp_map_at(&S->m, rp_key(RP_T_TLSH, RP_H_VER_RANK, t->ver), &fresh);
			if (fresh || t->vrank < *mr)
				*mr = t->vrank;
		}
		if (t->cls != 0) {
			bool fresh;
			int64_t *mo;
			*rp_map_at(&S->m, rp_key(RP_T_TLSH, RP_H_CLS_N, t->cls), NULL) += n;
			mo = rp_map_at(&S->m, rp_key(RP_T_TLSH, RP_H_CLS_ORD, t->cls), &fresh);
			if (fresh || t->cord < *mo)
				*mo = t->cord;
		}
	}
}

/* Coverage counters of one flow: its times and run; its tuple's counters
 * wait in the tuple (rp_tup_fold). */
static void rp_scan_coverage(struct rp_scan *S, const struct store_row *r, struct rp_tup *t, int64_t n)
{
	struct rp_report *rep = S->rep;
	int64_t tf = store_col_int(r, RP_F_TF), tl = store_col_int(r, RP_F_TL);

	if (rep->flows == 0 || tf < rep->win_first)
		rep->win_first = tf;
	if (rep->flows == 0 || tl > rep->win_last)
		rep->win_last = tl;
	rep->flows += n;
	t->nflows += (uint64_t)n;
	if (!store_col_null(r, RP_F_N)) {
		rep->rolled_flows += n;
		rep->rolled_rows++;
	}
	if (!store_col_null(r, RP_F_RUN) && store_col_int(r, RP_F_RUN) != S->last_run) {
		S->last_run = store_col_int(r, RP_F_RUN);
		*rp_map_at(&S->m, rp_key(RP_T_RUN, 0, (uint64_t)S->last_run & 0xffffffffULL), NULL) =
			S->last_run;
	}
}

/* ---- the tuple cache ---- */

static void rp_kb_put(struct rp_tupcache *C, const void *p, size_t n)
{
	C->cur = rp_grow(C->cur, &C->curcap, C->curl + n, 1);
	memcpy(C->cur + C->curl, p, n);
	C->curl += n;
}

/* The key bytes of the flow's tuple: per column a type byte and the value
 * (8 bytes, or a length and the bytes). */
static void rp_tup_key(struct rp_tupcache *C, const struct store_row *r, int nkey)
{
	int i;
	C->curl = 0;
	for (i = 0; i < nkey; i++) {
		unsigned char ty = (unsigned char)store_col_type(r, RP_F_KEY + i);
		rp_kb_put(C, &ty, 1);
		if (ty == STORE_T_INT) {
			int64_t v = store_col_int(r, RP_F_KEY + i);
			rp_kb_put(C, &v, sizeof(v));
		} else if (ty != STORE_T_NULL) {
			size_t l;
			const void *b = store_col_blob(r, RP_F_KEY + i, &l);
			uint32_t l32 = (uint32_t)l;
			rp_kb_put(C, &l32, sizeof(l32));
			if (l)
				rp_kb_put(C, b, l);
		}
	}
}

static uint64_t rp_bytes_hash(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
	size_t i;
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, p + i, n - i);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 32;
	return h | 1;
}

struct rp_tupeval {
	struct rp_scan *S;
	struct rp_tup *t;
	uint32_t *ids;
	int rows;
};

static uint32_t rp_text_id(struct rp_scan *S, const struct store_row *r, int col)
{
	const char *v = store_col_text(r, col);
	return rp_str_id(&S->strs, v, true);
}

static int cb_tup(const struct store_row *r, void *arg)
{
	struct rp_tupeval *E = arg;
	struct rp_scan *S = E->S;
	struct rp_tup *t = E->t;
	int i;

	E->rows++;
	t->relm = (uint64_t)store_col_int(r, RP_R_REL);
	t->obsm = (uint64_t)store_col_int(r, RP_R_OBS);
	t->hitm = (uint64_t)store_col_int(r, RP_R_HIT);
	t->cov = (uint64_t)store_col_int(r, RP_R_COV);
	t->sec = rp_str_id(&S->strs, store_col_null(r, RP_R_SEC) ? "unknown" : store_col_text(r, RP_R_SEC), true);
	t->proto = 0;
	if (t->cov & 256)
		t->proto = rp_str_id(&S->strs, store_col_null(r, RP_R_PROTO) ? "(unnamed)" :
				     store_col_text(r, RP_R_PROTO), true);
	t->ver = store_col_null(r, RP_R_VER) ? 0 : rp_text_id(S, r, RP_R_VER);
	t->vrank = store_col_null(r, RP_R_VRANK) ? 99 : store_col_int(r, RP_R_VRANK);
	t->cls = 0;
	t->cord = -1;
	if (!store_col_null(r, RP_R_CIPH)) {
		t->cord = store_col_null(r, RP_R_CLS) ? -1 : store_col_int(r, RP_R_CLS);
		t->cls = rp_str_id(&S->strs, store_col_null(r, RP_R_CLS) ? "(unknown)" : rp_class_name((int)t->cord),
				   true);
	}
	for (i = 0; i < S->tc.nids; i++)
		E->ids[i] = rp_text_id(S, r, RP_R_EV + i);
	return 0;
}

/* The rules' verdicts on the flow r's tuple: from the cache, or evaluated
 * now (one run of the rule query with the key columns as parameters). */
static int64_t rp_tuple(struct rp_scan *S, const struct store_row *r, int nkey)
{
	struct rp_tupcache *C = &S->tc;
	struct rp_tupeval E;
	struct rp_tup *t;
	uint64_t h;
	size_t j, ix;

	rp_tup_key(C, r, nkey);
	h = rp_bytes_hash(C->cur, C->curl);
	if (C->ix.cap == 0 || (C->ix.n + 1) * 2 > C->ix.cap)
		rp_map_grow(&C->ix);
	for (j = h & (C->ix.cap - 1); C->ix.e[j].key; j = (j + 1) & (C->ix.cap - 1)) {
		size_t k = (size_t)C->ix.e[j].val;
		if (C->ix.e[j].key == h && C->koff[k + 1] - C->koff[k] == C->curl &&
		    memcmp(C->kb + C->koff[k], C->cur, C->curl) == 0)
			return (int64_t)k;
	}
	if (C->n >= C->max) {
		/* start again: memory stays bounded whatever the variety */
		rp_tup_fold(S);
		rp_map_free(&C->ix);
		C->n = 0;
		C->kbl = 0;
		C->resets++;
		rp_map_grow(&C->ix);
		j = h & (C->ix.cap - 1);
	}
	ix = C->n;
	C->t = rp_grow(C->t, &C->cap, ix, sizeof(*C->t));
	C->koff = rp_grow(C->koff, &C->koffcap, ix + 1, sizeof(*C->koff));
	C->kb = rp_grow(C->kb, &C->kbcap, C->kbl + C->curl, 1);
	C->koff[ix] = C->kbl;
	memcpy(C->kb + C->kbl, C->cur, C->curl);
	C->kbl += C->curl;
	C->koff[ix + 1] = C->kbl;
	t = &C->t[ix];
	memset(t, 0, sizeof(*t));
	C->ids = rp_grow(C->ids, &C->idscap, (ix + 1) * (size_t)(C->nids ? C->nids : 1), sizeof(*C->ids));
	E.S = S;
	E.t = t;
	E.ids = C->ids + ix * (size_t)C->nids;
	E.rows = 0;
	if (store_stmt_run(C->rules, r, RP_F_KEY, nkey, cb_tup, &E) != 0 || E.rows != 1)
		return -1;
	C->ix.e[j].key = h;
	C->ix.e[j].val = (int64_t)ix;
	C->ix.n++;
	C->n++;
	C->evals++;
	return (int64_t)ix;
}

/* Count n more flows of client cid for the pair (tag, id) (n > 1: a
 * roll-up row); the count before (0: the client's first for the pair). */
static int64_t rp_cli_inc(struct rp_scan *S, uint32_t cid, int tag, uint32_t id, int64_t n)
{
	struct rp_cli *c;
	uint64_t k32 = ((uint64_t)tag << 28) | id, *e;
	uint32_t i;

	if (cid >= S->capcli) {
		size_t old = S->capcli;
		S->cli = rp_grow(S->cli, &S->capcli, cid, sizeof(*S->cli));
		memset(S->cli + old, 0, (S->capcli - old) * sizeof(*S->cli));
	}
	c = &S->cli[cid];
	if (!c->spilled) {
		e = S->cpool + c->off;
		for (i = 0; i < c->n; i++)
			if ((e[i] >> 32) == k32) {
				if (n < UINT32_MAX && (uint32_t)e[i] < UINT32_MAX - (uint32_t)n) {
					int64_t before = (int64_t)(uint32_t)e[i];
					e[i] += (uint64_t)n;
					return before;
				}
				break;  /* the count needs 64 bits: spill */
			}
		if (i == c->n && c->n < c->cap && n < UINT32_MAX) {
			e[c->n++] = (k32 << 32) | (uint64_t)n;
			return 0;
		}
		if (i == c->n && c->n < RP_CLI_SMALL && n < UINT32_MAX &&
		    S->cpooln + (size_t)c->n * 2 + 4 <= UINT32_MAX) {
			/* move to a place twice the size at the end of the pool */
			uint32_t ncap = c->cap ? c->cap * 2 : 4;
			S->cpool = rp_grow(S->cpool, &S->cpoolcap, S->cpooln + ncap - 1, sizeof(*S->cpool));
			memcpy(S->cpool + S->cpooln, S->cpool + c->off, (size_t)c->n * sizeof(*S->cpool));
			c->off = (uint32_t)S->cpooln;
			c->cap = ncap;
			S->cpooln += ncap;
			S->cpool[c->off + c->n++] = (k32 << 32) | (uint64_t)n;
			return 0;
		}
		/* spill: the client's pairs go to mc */
		e = S->cpool + c->off;
		for (i = 0; i < c->n; i++)
			*rp_map_at(&S->mc, rp_key((int)(e[i] >> 60), (e[i] >> 32) & 0x0fffffffULL, cid), NULL) =
				(int64_t)(uint32_t)e[i];
		c->spilled = true;
		c->n = 0;
	}
	{
		int64_t *v = rp_map_at(&S->mc, rp_key(tag, id, cid), NULL), before = *v;
		*v += n;
		return before;
	}
}

/* The index stored under key, numbered 0.. in order of first use (*n
 * counts them; *fresh says this call made it); -1 past RP_MAX_GROUPS. */
static int64_t rp_scan_index(struct rp_scan *S, uint64_t key, size_t *n, bool *fresh)
{
	int64_t *ix = rp_map_at(&S->m, key, fresh);
	if (*fresh) {
		if (*n >= RP_MAX_GROUPS) {
			S->overflow = true;
			return -1;
		}
		*ix = (int64_t)(*n)++;
	}
	return *ix;
}

/* The group of kind k at server sid, created on first use; -1 at the cap. */
static int64_t rp_scan_group(struct rp_scan *S, int k, uint32_t sid)
{
	bool fresh;
	int64_t gi = rp_scan_index(S, rp_key(RP_T_GRP, (uint64_t)k, sid), &S->ngrp, &fresh);
	if (gi >= 0 && fresh) {
		S->grp = rp_grow(S->grp, &S->capgrp, (size_t)gi, sizeof(*S->grp));
		memset(&S->grp[gi], 0, sizeof(S->grp[0]));
		S->grp[gi].k = k;
		S->grp[gi].sid = sid;
	}
	return gi;
}

/* The rollup of kind k with cause id c, created on first use; -1 at the cap. */
static int64_t rp_scan_rollup(struct rp_scan *S, int k, uint32_t c)
{
	bool fresh;
	int64_t ri = rp_scan_index(S, rp_key(RP_T_ROLL, (uint64_t)k, c), &S->nroll, &fresh);
	if (ri >= 0 && fresh) {
		S->roll = rp_grow(S->roll, &S->caproll, (size_t)ri, sizeof(*S->roll));
		memset(&S->roll[ri], 0, sizeof(S->roll[0]));
		S->roll[ri].k = k;
		S->roll[ri].cause = c;
	}
	return ri;
}

static int cb_scan(const struct store_row *r, void *arg)
{
	struct rp_scan *S = arg;
	struct rp_report *rep = S->rep;
	int64_t flow_id = store_col_int(r, RP_F_ID), ti = rp_tuple(S, r, S->nkey);
	/* a roll-up row stands for n flows (src/store/retention.c) */
	int64_t n = store_col_null(r, RP_F_N) ? 1 : store_col_int(r, RP_F_N);
	const char *cip = store_col_text(r, RP_F_CLIENT);
	struct rp_tup *t;
	const uint32_t *tids;
	uint64_t relm, obsm, hitm, vm = 0;
	const char *sip, *proto;
	char key[IPSTR_MAX + 80];
	uint32_t sid, id, cid;
	int port, i, k;

	if (ti < 0)
		return -1;
	t = &S->tc.t[ti];
	tids = S->tc.ids + (size_t)ti * (size_t)S->tc.nids;
	relm = t->relm;
	obsm = t->obsm;
	hitm = t->hitm;
	rp_scan_coverage(S, r, t, n);
	if ((relm | hitm) == 0) {
		for (i = 0; i < S->nreq; i++)
			if (obsm & (1ULL << i))
				rep->reqs[i].n_observable += n;
		return 0;
	}
	sip = store_col_text(r, RP_F_SIP);
	port = (int)store_col_int(r, RP_F_PORT);
	proto = store_col_text(r, RP_F_PROTO);
	rp_srv_key(key, sizeof(key), sip ? sip : "", port, proto);
	id = rp_str_id(&S->srvkeys, key, true);
	if (id >= S->nsrv + 1) {
		/* new server endpoint: ids of srvkeys are 1.. in order */
		S->srv = rp_grow(S->srv, &S->capsrv, S->nsrv + 1, sizeof(*S->srv));
		S->srv[id].ip = rp_str_id(&S->strs, sip ? sip : "", true);
		S->srv[id].proto = rp_str_id(&S->strs, proto, true);
		S->srv[id].port = port;
		S->nsrv = id;
	}
	sid = id;
	for (i = 0; i < S->nreq; i++) {
		if (obsm & (1ULL << i))
			rep->reqs[i].n_observable += n;
		if (relm & (1ULL << i)) {
			rep->reqs[i].n_relevant += n;
			*rp_map_at(&S->m, rp_key(RP_T_REL, (uint64_t)i, sid), NULL) += n;
		}
	}
	if (hitm == 0)
		return 0;
	cid = rp_str_id(&S->cstrs, cip ? cip : "", true);
	for (k = 0; hitm; k++, hitm >>= 1) {
		struct rp_grp *g;
		struct rp_roll *ro;
		int64_t gid, rid, tf, tl;
		const char *authm;
		int j;
		if (!(hitm & 1))
			continue;
		if ((gid = rp_scan_group(S, k, sid)) < 0)
			return -1;
		g = &S->grp[gid];
		tf = store_col_int(r, RP_F_TF);
		tl = store_col_int(r, RP_F_TL);
		if (g->flows == 0 || tf < g->tf)
			g->tf = tf;
		if (g->flows == 0 || tl > g->tl)
			g->tl = tl;
		g->flows += n;
		g->creds += store_col_int(r, RP_F_CREDS) * n;
		if ((authm = store_col_text(r, RP_F_AUTHM)) != NULL) {
			id = rp_str_id(&S->strs, authm, true);
			for (j = 0; j < g->nauthm && g->authm[j] != id; j++)
				;
			if (j == g->nauthm) {
				if (g->nauthm < RP_AUTHM_MAX)
					g->authm[g->nauthm++] = id;
				else
					g->authm_more = true;
			}
		}
		/* the RP_SAMPLES smallest flow ids */
		if (g->nsamples < RP_SAMPLES || flow_id < g->samples[RP_SAMPLES - 1]) {
			j = g->nsamples < RP_SAMPLES ? g->nsamples++ : RP_SAMPLES - 1;
			for (; j > 0 && g->samples[j - 1] > flow_id; j--)
				g->samples[j] = g->samples[j - 1];
			g->samples[j] = flow_id;
		}
		if (rp_cli_inc(S, cid, RP_T_CLIENT, (uint32_t)gid, n) == 0)
			g->nclients++;
		if (!store_col_null(r, RP_F_SNI)) {
			id = rp_str_id(&S->strs, store_col_text(r, RP_F_SNI), true);
			*rp_map_at(&S->m, rp_key(RP_T_SNI, (uint64_t)gid, id), NULL) += n;
		}
		id = tids[S->evcol[k]];
		*rp_map_at(&S->m, rp_key(RP_T_EV, (uint64_t)gid, id), NULL) += n;
		/* the rollup by cause */
		id = tids[S->nev + S->causecol[k]];
		if ((rid = rp_scan_rollup(S, k, id)) < 0)
			return -1;
		ro = &S->roll[rid];
		ro->flows += n;
		{
			bool fresh;
			*rp_map_at(&S->m, rp_key(RP_T_RSRV, (uint64_t)rid, sid), &fresh) += n;
			ro->nservers += fresh;
		}
		if (rp_cli_inc(S, cid, RP_T_RCLI, (uint32_t)rid, n) == 0)
			ro->nclients++;
		if (rp_kinds[k].violation)
			vm |= 1ULL << S->kreq[k];
	}
	/* the requirements this flow violates (before waivers) */
	for (i = 0; vm; i++, vm >>= 1) {
		struct rp_req *rq = &rep->reqs[i];
		bool fresh;
		if (!(vm & 1))
			continue;
		rq->v_flows += n;
		rp_map_at(&S->m, rp_key(RP_T_VSRV, (uint64_t)i, sid), &fresh);
		rq->v_servers += fresh;
		rq->v_clients += rp_cli_inc(S, cid, RP_T_VCLI, (uint32_t)i, n) == 0;
	}
	return 0;
}

/* Strings compare as SQLite's BINARY collation does, NULL first. */
static int rp_strcmp_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* ORDER BY k, count(*) DESC, server_ip, server_port (then protocol) */
static int rp_cmp_grp(const void *a, const void *b, void *ctx)
{
	const struct rp_scan *S = ctx;
	const struct rp_grp *x = &S->grp[*(const size_t *)a], *y = &S->grp[*(const size_t *)b];
	const struct rp_srv *sx = &S->srv[x->sid], *sy = &S->srv[y->sid];
	int c;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	if (x->flows != y->flows)
		return x->flows > y->flows ? -1 : 1;
	if ((c = strcmp(rp_str(&S->strs, sx->ip), rp_str(&S->strs, sy->ip))) != 0)
		return c;
	if (sx->port != sy->port)
		return sx->port < sy->port ? -1 : 1;
	return rp_strcmp_null(rp_str(&S->strs, sx->proto), rp_str(&S->strs, sy->proto));
}

/* Inserts (n, id) into a top list of at most max entries ordered by count
 * descending, then string ascending (NULL first). */
static void rp_top_add(const struct rp_strs *t, struct rp_top *top, int *ntop, int max,
		       int64_t n, uint32_t id)
{
	int j = *ntop;
	if (j == max) {
		const struct rp_top *w = &top[max - 1];
		if (n < w->n || (n == w->n && rp_strcmp_null(rp_str(t, id), rp_str(t, w->id)) > 0))
			return;
		j = max - 1;
	} else {
		(*ntop)++;
	}
	for (; j > 0 && (top[j - 1].n < n || (top[j - 1].n == n &&
		rp_strcmp_null(rp_str(t, top[j - 1].id), rp_str(t, id)) > 0)); j--)
		top[j] = top[j - 1];
	top[j].n = n;
	top[j].id = id;
}

static int rp_cmp_count(const void *a, const void *b)
{
	const struct rp_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* A histogram of the scan as rp_counts would load "GROUP BY 1 ORDER BY 2
 * DESC, 1": count descending, then name; every value. */
static int rp_scan_counts(struct rp_scan *S, int tag, struct rp_count **arr, int *n)
{
	struct rp_count *all = NULL;
	size_t na = 0, cap = 0, j;
	for (j = 0; j < S->m.cap; j++) {
		if (S->m.e[j].key == 0 || (int)(S->m.e[j].key >> 60) != tag)
			continue;
		all = rp_grow(all, &cap, na, sizeof(*all));
		all[na].name = S->strs.s[S->m.e[j].key & 0xffffffffULL];
		all[na].n = S->m.e[j].val;
		na++;
	}
	if (na > 1)
		qsort(all, na, sizeof(*all), rp_cmp_count);
	*arr = rp_xcalloc(na ? na : 1, sizeof(**arr));
	for (j = 0; j < na; j++) {
		(*arr)[j].name = rp_xstrdup(all[j].name);
		(*arr)[j].n = all[j].n;
	}
	*n = (int)na;
	free(all);
	return 0;
}

/* The TLS version histogram (ordered by version rank, then name) or the
 * cipher class one (by class), as GROUP BY queries over rf gave them. */
struct rp_hcount {
	const char *name;
	int64_t n, ord;
};

static int rp_cmp_hcount(const void *a, const void *b)
{
	const struct rp_hcount *x = a, *y = b;
	if (x->ord != y->ord)
		return x->ord < y->ord ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void rp_scan_tls_counts(struct rp_scan *S, int sub_n, int sub_ord, struct rp_count **arr, int *n)
{
	struct rp_hcount *all = NULL;
	size_t na = 0, cap = 0, j;
	for (j = 0; j < S->m.cap; j++) {
		uint64_t key = S->m.e[j].key;
		const int64_t *o;
		if (key == 0 || (int)(key >> 60) != RP_T_TLSH || (int)((key >> 32) & 0x0fffffffULL) != sub_n)
			continue;
		all = rp_grow(all, &cap, na, sizeof(*all));
		all[na].name = S->strs.s[key & 0xffffffffULL];
		all[na].n = S->m.e[j].val;
		o = rp_map_get(&S->m, rp_key(RP_T_TLSH, (uint64_t)sub_ord, key & 0xffffffffULL));
		all[na].ord = o ? *o : 0;
		na++;
	}
	if (na > 1)
		qsort(all, na, sizeof(*all), rp_cmp_hcount);
	*arr = rp_xcalloc(na ? na : 1, sizeof(**arr));
	for (j = 0; j < na; j++) {
		(*arr)[j].name = rp_xstrdup(all[j].name);
		(*arr)[j].n = all[j].n;
	}
	*n = (int)na;
	free(all);
}

/* Per selected group (sel >= 0), the top lists of its clients (top), SNI
 * names (top) and evidence values (RP_EVIDENCE_MAX), laid out exactly: a
 * first pass over the map counts the entries each list will hold. */
struct rp_tops {
	struct rp_top *t;
	size_t *off;            /* [3 * group + list] -> first entry */
	int *n;                 /* [3 * group + list] -> entries */
};

/* One entry of the map or of a client's pairs for rp_build_tops: count
 * (pass 0) or fill (pass 1) the top lists of the selected groups. */
static void rp_tops_one(struct rp_scan *S, const struct rp_strs *names, const int *max,
			struct rp_tops *T, int pass, uint64_t key, int64_t val)
{
	int tag = (int)(key >> 60);
	size_t l;
	if (key == 0 || tag < RP_T_CLIENT || tag > RP_T_EV ||
	    S->grp[(key >> 32) & 0x0fffffffULL].sel < 0)
		return;
	l = 3 * (size_t)S->grp[(key >> 32) & 0x0fffffffULL].sel + (size_t)(tag - 1);
	if (pass == 0) {
		if (T->n[l] < max[tag - 1])
			T->n[l]++;
	} else {
		rp_top_add(names, T->t + T->off[l], &T->n[l], max[tag - 1], val,
			   (uint32_t)(key & 0xffffffffULL));
	}
}

static void rp_tops_pass(struct rp_scan *S, const struct rp_map *m, const struct rp_strs *names,
			 const int *max, struct rp_tops *T, int pass)
{
	size_t j;
	for (j = 0; j < m->cap; j++)
		rp_tops_one(S, names, max, T, pass, m->e[j].key, m->e[j].val);
}

/* The clients' pairs still in the pool (the spilled ones are in mc). */
static void rp_tops_clients(struct rp_scan *S, const int *max, struct rp_tops *T, int pass)
{
	size_t cid;
	uint32_t i;
	for (cid = 0; cid < S->capcli; cid++) {
		const struct rp_cli *c = &S->cli[cid];
		if (c->spilled)
			continue;
		for (i = 0; i < c->n; i++) {
			uint64_t e = S->cpool[c->off + i];
			rp_tops_one(S, &S->cstrs, max, T, pass,
				    rp_key((int)(e >> 60), (e >> 32) & 0x0fffffffULL, cid), (int64_t)(uint32_t)e);
		}
	}
	rp_tops_pass(S, &S->mc, &S->cstrs, max, T, pass);
}

static void rp_build_tops(struct rp_scan *S, int top, size_t nsel, struct rp_tops *T)
{
	size_t j, total = 0, nl = 3 * nsel;
	int max[3];
	max[0] = top;
	max[1] = top;
	max[2] = RP_EVIDENCE_MAX;
	T->off = rp_xcalloc(nl + 1, sizeof(*T->off));
	T->n = rp_xcalloc(nl ? nl : 1, sizeof(*T->n));
	rp_tops_clients(S, max, T, 0);

	rp_tops_pass(S, &S->m, &S->strs, max, T, 0);     /* SNI, evidence */
	for (j = 0; j < nl; j++) {
		T->off[j] = total;
		total += (size_t)T->n[j];
		T->n[j] = 0;
	}
	T->off[nl] = total;
	T->t = rp_xcalloc(total ? total : 1, sizeof(*T->t));
	rp_tops_clients(S, max, T, 1);
	rp_tops_pass(S, &S->m, &S->strs, max, T, 1);
}

/* The finding of group gi: what statuses, waivers, the baseline and
 * sorting need. Its details (rp_fill_details) come later, and only for the
 * findings a format lists. */
static struct rp_fx *rp_make_finding(struct rp_scan *S, size_t gi)
{
	struct rp_report *rep = S->rep;
	const struct rp_grp *g = &S->grp[gi];
	const struct rp_srv *sv = &S->srv[g->sid];
	const struct rp_kind *kd = &rp_kinds[g->k];
	struct rp_fx *x = rp_xcalloc(1, sizeof(*x));
	struct rp_finding *f = &x->f;
	size_t kl;
	int ni;

	x->gi = gi;
	f->k = kd;
	snprintf(f->server_ip, sizeof(f->server_ip), "%s", rp_str(&S->strs, sv->ip));
	f->server_port = sv->port;
	f->protocol = rp_xstrdup(rp_str(&S->strs, sv->proto));
	f->flows = g->flows;
	f->first_seen = g->tf;
	f->last_seen = g->tl;
	f->nclients = g->nclients;
	x->creds = g->creds;
	x->severity = kd->severity;
	if (x->creds > 0 && (strcmp(kd->req, "12.3.1") == 0 || strcmp(kd->req, "12.2.1") == 0 ||
			     strcmp(kd->req, "12.3.3") == 0))
		x->severity = rp_sev_bump(x->severity);
	kl = strlen(kd->req) + strlen(kd->kind) + strlen(f->server_ip) +
	     (f->protocol ? strlen(f->protocol) : 0) + 16;
	f->key = rp_xcalloc(1, kl);
	snprintf(f->key, kl, "%s|%s|%s|%d|%s", kd->req, kd->kind, f->server_ip, f->server_port,
		 f->protocol ? f->protocol : "");
	f->failing = kd->violation;
	f->env = f->owner = "";
	f->waiver_reason = f->waiver_owner = f->waiver_expires = "";
	f->server_internal = (ni = rp_net_lookup(rep, f->server_ip)) >= 0;
	if (ni >= 0) {
		f->env = rep->nets[ni].env;
		f->owner = rep->nets[ni].owner;
	}
	return x;
}

/* The details of a finding: top clients, SNI names, sample flows, the
 * evidence (JSON and one line), GeoIP of external endpoints. */
static void rp_fill_details(struct rp_scan *S, const struct rp_tops *T, struct rp_fx *x)
{
	struct rp_report *rep = S->rep;
	const struct rp_grp *g = &S->grp[x->gi];
	const struct rp_kind *kd = x->f.k;
	struct rp_finding *f = &x->f;
	size_t sl = 3 * (size_t)g->sel;
	int ri = S->kreq[g->k], c;
	const struct rp_top *t;
	const int64_t *rel;
	int64_t relevant = 0;
	struct jbuf ev;
	char evt[400] = "", line[512], *am = NULL;
	size_t l;

	if ((rel = rp_map_get(&S->m, rp_key(RP_T_REL, (uint64_t)ri, g->sid))) != NULL)
		relevant = *rel;
	/* clients, SNI names, sample flows */
	t = T->t + T->off[sl];
	f->ntop = T->n[sl];
	f->top = rp_xcalloc((size_t)(f->ntop ? f->ntop : 1), sizeof(*f->top));
	for (c = 0; c < f->ntop; c++) {
		snprintf(f->top[c].ip, sizeof(f->top[c].ip), "%s", rp_str(&S->cstrs, t[c].id));
		f->top[c].flows = t[c].n;
	}
	t = T->t + T->off[sl + 1];
	f->sni = rp_xcalloc((size_t)(T->n[sl + 1] ? T->n[sl + 1] : 1), sizeof(char *));
	for (c = 0; c < T->n[sl + 1]; c++)
		if (t[c].id != 0)
			f->sni[f->nsni++] = rp_xstrdup(rp_str(&S->strs, t[c].id));
	memcpy(f->samples, g->samples, sizeof(f->samples));
	f->nsamples = g->nsamples;
	/* evidence: a histogram of the kind's evidence value, as JSON and as a line */
	jb_init(&ev);
	jb_obj_open(&ev);
	jb_key(&ev, kd->evidence_name);
	jb_obj_open(&ev);
	t = T->t + T->off[sl + 2];
	for (c = 0; c < T->n[sl + 2]; c++) {
		const char *v = rp_str(&S->strs, t[c].id);
		jb_key(&ev, v ? v : "(none)");
		jb_int(&ev, t[c].n);
		l = strlen(evt);
		if (l + 8 < sizeof(evt))
			snprintf(evt + l, sizeof(evt) - l, "%s%s=%lld", l ? ", " : "", v ? v : "(none)",
				 (long long)t[c].n);
	}
	jb_obj_close(&ev);
	if (relevant > 0) {
		char buf[32];
		jb_kv_int(&ev, "relevant_flows", relevant);
		jb_key(&ev, "share");
		snprintf(buf, sizeof(buf), "%.4f", (double)f->flows / (double)relevant);
		jb_raw(&ev, buf);
	}
	if (x->creds > 0) {
		size_t len = 8;
		for (c = 0; c < g->nauthm; c++)
			len += strlen(rp_str(&S->strs, g->authm[c])) + 1;
		am = rp_xcalloc(1, len);
		for (c = 0; c < g->nauthm; c++) {
			if (c)
				strcat(am, ",");
			strcat(am, rp_str(&S->strs, g->authm[c]));
		}
		if (g->authm_more)
			strcat(am, ",...");
		jb_kv_int(&ev, "credentials_in_clear", x->creds);
		jb_kv_str(&ev, "auth_mechanisms", g->nauthm ? am : NULL);
	}
	jb_obj_close(&ev);
	f->evidence = jb_take(&ev);
	if (f->evidence == NULL)
		f->evidence = rp_xstrdup("{}");
	l = (size_t)snprintf(line, sizeof(line), "%s: %s", kd->evidence_name, evt);
	if (relevant > 0 && l < sizeof(line))
		l += (size_t)snprintf(line + l, sizeof(line) - l, "; %lld of %lld relevant flows",
				      (long long)f->flows, (long long)relevant);
	if (x->creds > 0 && l < sizeof(line))
		snprintf(line + l, sizeof(line) - l, "; credentials in clear in %lld flow%s (%s)",
			 (long long)x->creds, x->creds == 1 ? "" : "s", g->nauthm ? am : "?");
	free(am);
	f->evidence_text = rp_xstrdup(line);
	if (!f->server_internal)
		rp_geo_lookup(rep, f->server_ip, &f->geo);
	for (c = 0; c < f->ntop; c++) {
		f->top[c].external = rp_net_lookup(rep, f->top[c].ip) < 0;
		if (f->top[c].external)
			rp_geo_lookup(rep, f->top[c].ip, &f->top[c].geo);
	}
}

static int cb_cert_label(int n, const char *const *v, void *a)
{
	char **out = a;
	char buf[600];
	if (n < 2 || v[0] == NULL || *out != NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%s%s", v[0], v[1] && strcmp(v[1], "1") == 0 ? " (self-signed)" : "");
	*out = rp_xstrdup(buf);
	return 0;
}

static int rp_cmp_srvtop(const struct rp_scan *S, int64_t n1, uint32_t s1, int64_t n2, uint32_t s2)
{
	if (n1 != n2)
		return n1 > n2 ? -1 : 1;
	return strcmp(rp_str(&S->srvkeys, s1), rp_str(&S->srvkeys, s2));
}

int rp_rollup_cmp(const void *a, const void *b)
{
	const struct rp_rollup *x = a, *y = b;
	int c;
	if (x->k->violation != y->k->violation)
		return x->k->violation ? -1 : 1;
	c = rp_sev_rank(y->k->severity) - rp_sev_rank(x->k->severity);
	if (c)
		return c;
	if (x->servers != y->servers)
		return x->servers > y->servers ? -1 : 1;
	if (x->clients != y->clients)
		return x->clients > y->clients ? -1 : 1;
	if (x->flows != y->flows)
		return x->flows > y->flows ? -1 : 1;
	if ((c = strcmp(x->k->kind, y->k->kind)) != 0)
		return c;
	return strcmp(x->cause, y->cause);
}

/* The rollups of every requirement, with their top servers. */
static int rp_build_rollups(struct rp_report *rep, struct rp_scan *S)
{
	struct rp_top *tops = rp_xcalloc(S->nroll ? S->nroll * RP_ROLLUP_TOP : 1, sizeof(*tops));
	int *ntops = rp_xcalloc(S->nroll ? S->nroll : 1, sizeof(*ntops));
	size_t *rcap = rp_xcalloc((size_t)rep->nreqs, sizeof(*rcap));
	size_t j, ri;
	int i, c;

	/* top servers per rollup, by flows then endpoint */
	for (j = 0; j < S->m.cap; j++) {
		uint64_t key = S->m.e[j].key;
		struct rp_top *t;
		int *nt, p;
		uint32_t sid;
		int64_t n;
		if (key == 0 || (int)(key >> 60) != RP_T_RSRV)
			continue;
		ri = (key >> 32) & 0x0fffffffULL;
		sid = (uint32_t)(key & 0xffffffffULL);
		n = S->m.e[j].val;
		t = tops + ri * RP_ROLLUP_TOP;
		nt = &ntops[ri];
		if (*nt == RP_ROLLUP_TOP && rp_cmp_srvtop(S, n, sid, t[RP_ROLLUP_TOP - 1].n,
							   t[RP_ROLLUP_TOP - 1].id) >= 0)
			continue;
		p = *nt < RP_ROLLUP_TOP ? (*nt)++ : RP_ROLLUP_TOP - 1;
		for (; p > 0 && rp_cmp_srvtop(S, n, sid, t[p - 1].n, t[p - 1].id) < 0; p--)
			t[p] = t[p - 1];
		t[p].n = n;
		t[p].id = sid;
	}
	for (ri = 0; ri < S->nroll; ri++) {
		const struct rp_roll *ro = &S->roll[ri];
		struct rp_req *r = &rep->reqs[S->kreq[ro->k]];
		struct rp_rollup *u;
		const char *cause = rp_str(&S->strs, ro->cause);
		r->rollups = rp_grow(r->rollups, &rcap[S->kreq[ro->k]], (size_t)r->nrollups,
				     sizeof(*r->rollups));
		u = &r->rollups[r->nrollups++];
		memset(u, 0, sizeof(*u));
		u->k = &rp_kinds[ro->k];
		u->cause = rp_xstrdup(cause ? cause : "");
		u->flows = ro->flows;
		u->servers = ro->nservers;
		u->clients = ro->nclients;
		if (u->k->cause == RP_CAUSE_CERT && u->cause[0]) {
			const char *p[1] = { u->cause };
			if (rp_q(rep, "SELECT subject, self_signed FROM certs WHERE sha256 = ?1", p, 1,
				 cb_cert_label, &u->label) != 0)
				goto fail;
		}
		for (c = 0; c < ntops[ri]; c++) {
			const struct rp_top *t = &tops[ri * RP_ROLLUP_TOP + (size_t)c];
			const struct rp_srv *sv = &S->srv[t->id];
			snprintf(u->top[c].ip, sizeof(u->top[c].ip), "%s", rp_str(&S->strs, sv->ip));
			u->top[c].port = sv->port;
			u->top[c].protocol = rp_xstrdup(rp_str(&S->strs, sv->proto));
			u->top[c].flows = t->n;
		}
		u->ntop = ntops[ri];
	}
	for (i = 0; i < rep->nreqs; i++)
		if (rep->reqs[i].nrollups > 1)
			qsort(rep->reqs[i].rollups, (size_t)rep->reqs[i].nrollups, sizeof(struct rp_rollup),
			      rp_rollup_cmp);
	free(tops);
	free(ntops);
	free(rcap);
	return 0;
fail:
	free(tops);
	free(ntops);
	free(rcap);
	return -1;
}

/* The scan's SELECT over rf: the masks of relevant and observable
 * requirements and of the rules each flow hits, the coverage bits, then
 * one column per distinct evidence expression and one per distinct cause
 * expression (their columns noted in S). NULL when the tables are too big
 * for the masks. */
/* The rule query: every predicate, evidence and cause expression over one
 * tuple, bound as parameters ?1.. named as rf's columns (rp_key_cols). */
static char *rp_rules_sql(struct rp_report *rep, struct rp_scan *S)
{
	struct rp_sb sql = { NULL, 0, 0 };
	const char *evexpr[64], *causeexpr[RP_CAUSE_N];
	int nev = 0, ncause = 0, i, k;

	rp_sb_add(&sql, "SELECT 0");
	for (i = 0; i < rep->nreqs; i++) {
		char buf[64];
		rp_sb_add(&sql, " | (CASE WHEN (");
		rp_sb_add(&sql, rep->reqs[i].relevant);
		snprintf(buf, sizeof(buf), ") THEN %llu ELSE 0 END)", 1ULL << i);
		rp_sb_add(&sql, buf);
	}
	rp_sb_add(&sql, ", 0");
	for (i = 0; i < rep->nreqs; i++) {
		char buf[64];
		rp_sb_add(&sql, " | (CASE WHEN (");
		rp_sb_add(&sql, rep->reqs[i].observable);
		snprintf(buf, sizeof(buf), ") THEN %llu ELSE 0 END)", 1ULL << i);
		rp_sb_add(&sql, buf);
	}
	rp_sb_add(&sql, ", 0");
	for (k = 0; rp_kinds[k].req; k++) {
		const struct rp_kind *kd = &rp_kinds[k];
		const char *ce = rp_cause_sql(kd->cause);
		char buf[64];
		if (k >= 62) {
			fprintf(stderr, "wireaudit: report: too many rule kinds\n");
			free(sql.s);
			return NULL;
		}
		S->evcol[k] = 0;
		S->causecol[k] = 0;
		S->kreq[k] = -1;
		for (i = 0; i < rep->nreqs; i++)
			if (strcmp(rep->reqs[i].id, kd->req) == 0)
				S->kreq[k] = i;
		if (S->kreq[k] < 0 || kd->min_level > rep->o->level)
			continue;
		rp_sb_add(&sql, " | (CASE WHEN (");
		rp_sb_add(&sql, kd->where);
		snprintf(buf, sizeof(buf), ") THEN %llu ELSE 0 END)", 1ULL << k);
		rp_sb_add(&sql, buf);
		for (i = 0; i < nev && strcmp(evexpr[i], kd->evidence) != 0; i++)
			;
		if (i == nev)
			evexpr[nev++] = kd->evidence;
		S->evcol[k] = i;
		for (i = 0; i < ncause && strcmp(causeexpr[i], ce) != 0; i++)
			;
		if (i == ncause)
			causeexpr[ncause++] = ce;
		S->causecol[k] = i;   /* among the causes, after the evidence ids */
	}
	/* coverage: bits for the flow counts, the security state, the run */
	rp_sb_add(&sql, ", (CASE WHEN transport = 'tcp' THEN 1 ELSE 0 END)"
		  " | (CASE WHEN transport = 'tcp' AND client_by IN ('syn', 'synack') THEN 2 ELSE 0 END)"
		  " | (CASE WHEN transport = 'tcp' AND COALESCE(client_by, '') NOT IN ('syn', 'synack')"
		  " THEN 4 ELSE 0 END)"
		  " | (CASE WHEN has_tls THEN 8 ELSE 0 END) | (CASE WHEN vrank = 5 THEN 16 ELSE 0 END)"
		  " | (CASE WHEN ncerts > 0 THEN 32 ELSE 0 END)"
		  " | (CASE WHEN COALESCE(security, 'unknown') = 'unknown' AND transport IN ('tcp', 'udp')"
		  " THEN 64 ELSE 0 END)"
		  " | (CASE WHEN transport = 'udp' THEN 128 ELSE 0 END)"
		  " | (CASE WHEN transport IN ('icmp', 'icmp6') THEN 512 ELSE 0 END)"
		  " | (CASE WHEN hsdec = 1 THEN 1024 ELSE 0 END)"
		  " | (CASE WHEN security IN ('cleartext', 'tls_refused', 'starttls_not_used')"
		  " THEN 256 ELSE 0 END), security, protocol,"
		  /* the coverage histograms of TLS flows (rp_scan_tls_counts) */
		  " CASE WHEN has_tls = 1 THEN COALESCE(ver, '(no ServerHello)') END,"
		  " CASE WHEN has_tls = 1 THEN vrank END,"
		  " CASE WHEN has_tls = 1 AND cipher_id IS NOT NULL THEN 1 END, cclass");
	for (i = 0; i < nev; i++) {
		rp_sb_add(&sql, ", CAST(");
		rp_sb_add(&sql, evexpr[i]);
		rp_sb_add(&sql, " AS TEXT)");
	}
	if (nev == 0)
		rp_sb_add(&sql, ", NULL");
	for (i = 0; i < ncause; i++) {
		rp_sb_add(&sql, ", CAST(");
		rp_sb_add(&sql, causeexpr[i]);
		rp_sb_add(&sql, " AS TEXT)");
	}
	S->nev = nev ? nev : 1;
	S->ncause = ncause;
	S->tc.nids = S->nev + ncause;
	rp_sb_add(&sql, " FROM (SELECT");
	for (i = 0; rp_key_cols[i]; i++) {
		char buf[32];
		if (i)
			rp_sb_add(&sql, ",");
		snprintf(buf, sizeof(buf), " ?%d AS ", i + 1);
		rp_sb_add(&sql, buf);
		rp_sb_add(&sql, rp_key_cols[i]);
	}
	S->nkey = i;
	rp_sb_add(&sql, ") AS rf");
	return sql.s;
}

/* The flow query: a flow's own columns (RP_F_*), then its tuple's. */
static char *rp_flows_sql(void)
{
	struct rp_sb sql = { NULL, 0, 0 };
	int i;
	rp_sb_add(&sql, "SELECT flow_id, client_ip, ts_first, ts_last, sni, creds, authm, server_ip,"
		  " server_port, protocol, run_id, n");
	for (i = 0; rp_key_cols[i]; i++) {
		rp_sb_add(&sql, ", ");
		rp_sb_add(&sql, rp_key_cols[i]);
	}
	rp_sb_add(&sql, " FROM rf");
	return sql.s;
}

int rp_findings(struct rp_report *rep, struct rp_scan *S)
{
	size_t *order = NULL, gi, j;
	size_t *cap = NULL;
	char *scan_sql, *rules_sql;
	int rc;

	S->rep = rep;
	S->nreq = rep->nreqs;
	S->last_run = INT64_MIN;
	if (rep->nreqs > 62) {
		fprintf(stderr, "wireaudit: report: too many requirements\n");
		return -1;
	}
	if ((rules_sql = rp_rules_sql(rep, S)) == NULL)
		return -1;
	rc = store_stmt_prepare(rep->st, rules_sql, &S->tc.rules);
	free(rules_sql);
	if (rc != 0)
		return -1;
	scan_sql = rp_flows_sql();
	S->tc.max = RP_TUP_MAX;
	{
		/* a test knob: a smaller cache restarts often (same results) */
		const char *tcm = getenv("WIREAUDIT_TUPLE_CACHE");
		if (tcm && atoi(tcm) > 0)
			S->tc.max = (size_t)atoi(tcm);
	}
	{
		int64_t t0 = now_us();
		const char *tm = getenv("WIREAUDIT_TIMING");
		rc = store_query_rows(rep->st, scan_sql, NULL, 0, cb_scan, S);
		rp_tup_fold(S);
		if (tm && strcmp(tm, "2") == 0)
			fprintf(stderr, "wireaudit: scan %.3f s: %zu groups, %zu rollups, %zu map entries,"
				" %llu tuples evaluated, %llu cache restarts\n",
				(double)(now_us() - t0) / 1e6, S->ngrp, S->nroll, S->m.n,
				(unsigned long long)S->tc.evals, (unsigned long long)S->tc.resets);
	}
	free(scan_sql);
	if (rc != 0) {
		if (S->overflow)
			fprintf(stderr, "wireaudit: report: more than %d finding groups or rollups: "
				"narrow the window (--since/--until)\n", RP_MAX_GROUPS);
		rc = -1;
		goto out;
	}
	rc = -1;
	if (rp_scan_counts(S, RP_T_SEC, &rep->security, &rep->nsecurity) != 0 ||
	    rp_scan_counts(S, RP_T_CPROTO, &rep->clear_protos, &rep->nclear_protos) != 0)
		goto out;
	rp_scan_tls_counts(S, RP_H_VER_N, RP_H_VER_RANK, &rep->versions, &rep->nversions);
	rp_scan_tls_counts(S, RP_H_CLS_N, RP_H_CLS_ORD, &rep->classes, &rep->nclasses);
	for (j = 0; j < S->m.cap; j++) {
		char rb[24];
		const char *rp[1] = { rb };
		if (S->m.e[j].key == 0 || (int)(S->m.e[j].key >> 60) != RP_T_RUN)
			continue;
		snprintf(rb, sizeof(rb), "%lld", (long long)S->m.e[j].val);
		if (rp_q(rep, "INSERT INTO rp_runs VALUES (CAST(?1 AS INTEGER)) ON CONFLICT DO NOTHING", rp, 1, rp_cb_noop, NULL) != 0)
			goto out;
	}
	rp_phase(rep, "findings: scan");

	/* Every group becomes a finding, in the order of rp_cmp_grp. */
	order = rp_xcalloc(S->ngrp ? S->ngrp : 1, sizeof(*order));
	for (gi = 0; gi < S->ngrp; gi++)
		order[gi] = gi;
	if (S->ngrp > 1)
		qsort_r(order, S->ngrp, sizeof(*order), rp_cmp_grp, S);
	cap = rp_xcalloc((size_t)rep->nreqs, sizeof(*cap));
	for (j = 0; j < S->ngrp; j++) {
		const struct rp_grp *g = &S->grp[order[j]];
		struct rp_req *r = &rep->reqs[S->kreq[g->k]];
		struct rp_fx *x = rp_make_finding(S, order[j]);
		bool fresh;
		r->findings = rp_grow(r->findings, &cap[S->kreq[g->k]], (size_t)r->nfindings,
				      sizeof(*r->findings));
		r->findings[r->nfindings++] = &x->f;
		rp_map_at(&S->m, rp_key(RP_T_FSRV, (uint64_t)S->kreq[g->k], g->sid), &fresh);
		r->nservers += fresh;
	}
	rp_phase(rep, "findings: all");
	if (rp_build_rollups(rep, S) != 0)
		goto out;
	rp_phase(rep, "findings: rollups");
	rc = 0;
out:
	free(cap);
	free(order);
	return rc;
}

struct rp_scan *rp_scan_new(void)
{
	return rp_xcalloc(1, sizeof(struct rp_scan));
}

void rp_scan_free(struct rp_scan *S)
{
	if (S == NULL)
		return;
	free(S->grp);
	free(S->srv);
	free(S->roll);
	rp_map_free(&S->m);
	rp_map_free(&S->mc);
	free(S->cli);
	free(S->cpool);
	rp_map_free(&S->tc.ix);
	free(S->tc.t);
	free(S->tc.kb);
	free(S->tc.koff);
	free(S->tc.cur);
	free(S->tc.ids);
	store_stmt_free(S->tc.rules);
	rp_strs_free(&S->strs);
	rp_strs_free(&S->cstrs);
	rp_strs_free(&S->srvkeys);
	free(S);
}

/* Details for the findings a format lists: every finding in JSON and CSV,
 * the first --list of each requirement in text, HTML and Markdown (after
 * waivers and sorting), so memory for details follows what is printed. */
void rp_details(struct rp_report *rep, struct rp_scan *S)
{
	struct rp_tops T;
	bool all = rep->o->format == RF_JSON || rep->o->format == RF_CSV;
	size_t nsel = 0, gi;
	int i, j;

	memset(&T, 0, sizeof(T));
	for (gi = 0; gi < S->ngrp; gi++)
		S->grp[gi].sel = -1;
	for (i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		int n = all ? r->nfindings : r->nlisted;
		for (j = 0; j < n; j++)
			S->grp[((struct rp_fx *)r->findings[j])->gi].sel = (int64_t)nsel++;
	}
	rp_build_tops(S, rep->o->top, nsel, &T);
	for (i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		int n = all ? r->nfindings : r->nlisted;
		for (j = 0; j < n; j++)
			rp_fill_details(S, &T, (struct rp_fx *)r->findings[j]);
	}
	free(T.t);
	free(T.off);
	free(T.n);
	rp_phase(rep, "findings: details");
}

/* Severity lives in the wrapper so that kinds stay const data. */
const char *rp_finding_severity(const struct rp_finding *f)
{
	return ((const struct rp_fx *)(const void *)f)->severity;
}

