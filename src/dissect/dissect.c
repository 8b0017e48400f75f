/* SPDX-License-Identifier: BSD-3-Clause */
/* dissect.c — probing, buffered delivery, hand-off and observations; the
 * contract is in dissectors/dissector.h. */
#include "dissect.h"
#include "tls_facts.h"
#include "pool.h"
#include "x509.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

static const struct anomaly_def stream_anomalies[] = {
	{ STREAM_ANOM_GAP, "stream_gap" },
	{ STREAM_ANOM_CAP, "stream_cap" },
	{ STREAM_ANOM_OVERLAP_MISMATCH, "stream_overlap_mismatch" },
	{ STREAM_ANOM_PARSE_ERROR, "parse_error" },
	{ STREAM_ANOM_HANDOFF_UNKNOWN, "handoff_unknown" },
	{ STREAM_ANOM_MIDSTREAM, "midstream" },
	{ 0, NULL },
};

static const char *anom_name(const struct anomaly_def *t, int code)
{
	for (; t && t->name; t++)
		if (t->code == code)
			return t->name;
	return "unknown";
}

const char *sec_state_name(enum sec_state s)
{
	static const char *const n[] = { "unknown", "tls", "starttls", "tls_refused",
					 "starttls_not_used", "cleartext", "app_encrypted" };
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "unknown";
}

/* ---- the engine's dissection environment ----
 * Per-flow objects come from free lists (pool.h): a context per flow with
 * payload, a state per claimed dissector (one pool per registry entry, as
 * states differ in size) and the certificate records of TLS flows.
 * Certificates presented by several live flows are held once, in a table
 * keyed by their SHA-256 (obs_cert). All of it belongs to one engine, not
 * to the process: two engines share nothing, and dis_pools_free leaves
 * nothing behind. */
#define DIS_POOL_KEEP 1024
#define DIS_CERT_BUCKETS 4096
struct dis_cert {
	struct dis_cert *next;
	struct dis_cert *dnext;        /* in der_tab */
	uint32_t dhash;                /* dis_der_hash of der */
	uint32_t refs;
	char sha256[65];
	uint8_t *der;
	size_t der_len;
	struct x509_cert_facts *facts; /* NULL: the bytes do not parse */
};
struct dis_pools {
	struct pool ctx_pool, cert_pool, state_pool[64];
	struct dis_cert *cert_tab[DIS_CERT_BUCKETS];
	struct dis_cert *der_tab[DIS_CERT_BUCKETS]; /* the same entries by DER */
};

struct dis_pools *dis_pools_new(void)
{
	struct dis_pools *env = calloc(1, sizeof(*env));
	if (env == NULL)
		return NULL;
	env->ctx_pool = (struct pool)POOL_INIT(sizeof(struct dis_ctx), DIS_POOL_KEEP, true);
	env->cert_pool = (struct pool)POOL_INIT(sizeof(struct obs_cert_rec) * DIS_MAX_CERTS,
						DIS_POOL_KEEP, false);
	return env;
}

static struct dis_pools *dis_pools_of(const struct dis_ctx *c)
{
	return c->env->pools;
}

static struct pool *dis_state_pool_of(const struct dis_ctx *c)
{
	struct pool *p;
	if (c->cur_idx < 0 || c->cur_idx >= 64)
		return NULL;
	p = &dis_pools_of(c)->state_pool[c->cur_idx];
	if (p->size == 0) {
		size_t sz = c->cur->state_size ? c->cur->state_size : 1;
		p->size = sz < sizeof(void *) ? sizeof(void *) : sz;
		p->max_free = DIS_POOL_KEEP;
		p->zero = true;
	}
	return p;
}

static void dis_cert_unref(struct dis_pools *env, struct dis_cert *e);

static void dis_cert_free(struct dis_cert *e)
{
	free(e->der);
	free(e->facts);
	free(e);
}

void dis_pools_free(struct dis_pools *env)
{
	if (env == NULL)
		return;
	pool_drain(&env->ctx_pool);
	pool_drain(&env->cert_pool);
	for (size_t i = 0; i < 64; i++)
		pool_drain(&env->state_pool[i]);
	/* every context is freed by now (engine_free flushes its flows
	 * first), so the table is empty; were one leaked, its certificates
	 * would still go with the environment */
	for (size_t b = 0; b < DIS_CERT_BUCKETS; b++)
		while (env->cert_tab[b]) {
			struct dis_cert *e = env->cert_tab[b];
			env->cert_tab[b] = e->next;
			dis_cert_free(e);
		}
	free(env);
}

struct dis_ctx *dis_new(const struct dis_env *env, struct flow *f)
{
	struct dis_ctx *c = pool_get(&env->pools->ctx_pool);
	size_t i;
	unsigned want = f->key.proto == IPPROTO_TCP ? DIS_TCP : DIS_UDP;

	if (c == NULL)
		return NULL;
	c->flow = f;
	c->env = env;
	c->cur_idx = -1;
	c->tls_offered = c->tls_requested = -1;
	for (i = 0; i < n_dissectors && i < 64; i++)
		if (dissectors[i]->transport & want)
			c->cand |= (uint64_t)1 << i;
	if (c->cand == 0)
		c->finished = true;
	return c;
}

void dis_anomaly_raw(struct dis_ctx *c, const char *dissector, int code, const char *name,
		     const char *detail)
{
	struct obs_anom *a;
	if (c->nanoms >= DIS_MAX_ANOMALIES) {
		c->anoms_dropped++;
		return;
	}
	if (c->anoms == NULL && (c->anoms = calloc(DIS_MAX_ANOMALIES, sizeof(*c->anoms))) == NULL) {
		c->anoms_dropped++;
		return;
	}
	a = &c->anoms[c->nanoms++];
	a->dissector = dissector;
	a->code = code;
	a->name = name;
	snprintf(a->detail, sizeof(a->detail), "%s", detail ? detail : "");
}

static void stream_anomaly(struct dis_ctx *c, int code, const char *detail)
{
	dis_anomaly_raw(c, "stream", code, anom_name(stream_anomalies, code), detail);
}

/* End the current dissector: flow_end, free state, stop dissecting. */
static void dis_end_current(struct dis_ctx *c)
{
	if (c->cur) {
		if (c->cur->flow_end)
			c->cur->flow_end(c, c->state);
		if (c->cur->state_free && c->state)
			c->cur->state_free(c->state);
		struct pool *sp = dis_state_pool_of(c);
		if (sp)
			pool_put(sp, c->state);
		else
			free(c->state);
		c->state = NULL;
	}
}

static void dis_stop(struct dis_ctx *c)
{
	dis_end_current(c);
	c->finished = true;
	c->cand = 0;
	if (c->flow->key.proto == IPPROTO_TCP) {
		stream_release(&c->flow->st[0], c->env->stream_bufs);
		stream_release(&c->flow->st[1], c->env->stream_bufs);
	}
	c->flow->bypass = true;
}

static int dis_claim(struct dis_ctx *c, const struct dissector *d)
{
	c->cur = d;
	c->cur_idx = -1;
	for (size_t i = 0; i < n_dissectors && i < 64; i++)
		if (dissectors[i] == d)
			c->cur_idx = (int8_t)i;
	c->cand = 0;
	c->needed[0] = c->needed[1] = 0;
	c->state = c->cur_idx >= 0 ? pool_get(dis_state_pool_of(c))
				   : calloc(1, d->state_size ? d->state_size : 1);
	if (c->state == NULL) {
		dis_stop(c);
		return -1;
	}
	return 0;
}

/* Run the claimed dissector over direction d's buffer. */
static void dis_run(struct dis_ctx *c, int d)
{
	struct flow *f = c->flow;
	bool tcp = f->key.proto == IPPROTO_TCP;
	struct stream *s = &f->st[d];

	while (!c->finished && c->cur && s->len > 0 && s->len >= c->needed[d]) {
		struct dis_result r;
		size_t len = s->len;

		c->env->stats->dissector_calls++;
		c->env->stats->dissector_bytes += len;
		r = c->cur->parse(c, c->state, (enum dir)d, s->buf, len);
		if (r.consumed > len)
			r.consumed = len;
		stream_consume(s, (uint32_t)r.consumed);
		stream_trim(s, c->env->stream_bufs);

		if (c->handoff) {
			const struct dissector *nd = c->handoff;
			c->handoff = NULL;
			dis_end_current(c);
			c->cur = NULL;
			if (dis_claim(c, nd) != 0)
				return;
			/* deliver what is buffered in both directions to the new one */
			if (tcp) {
				dis_run(c, d);
				dis_run(c, !d);
			}
			return;
		}
		switch (r.status) {
		case DIS_OK:
			c->needed[d] = 0;
			if (r.consumed == 0)
				return; /* wait for more bytes */
			break;
		case DIS_INCOMPLETE:
			if (r.needed > c->env->stream_cap) {
				stream_anomaly(c, STREAM_ANOM_CAP, d == 0 ? "needed beyond cap c2s" : "needed beyond cap s2c");
				c->env->stats->stream_caps++;
				dis_stop(c);
				return;
			}
			c->needed[d] = (uint32_t)r.needed;
			if (s->len >= c->needed[d] && r.consumed == 0)
				return; /* dissector asked for what it has: avoid a loop */
			break;
		case DIS_ERROR:
			if (c->nanoms == 0 || strcmp(c->anoms[c->nanoms - 1].dissector, c->cur->name) != 0)
				dis_anomaly_raw(c, c->cur->name, 0, "parse_error", "");
			dis_stop(c);
			return;
		case DIS_DONE:
			dis_stop(c);
			return;
		}
	}
	if (!c->finished && c->cur && s->capped) {
		stream_anomaly(c, STREAM_ANOM_CAP, d == 0 ? "c2s" : "s2c");
		c->env->stats->stream_caps++;
		dis_stop(c);
	}
}

/* Probe live candidates with direction d's bytes. Returns the matching
 * dissector, or NULL. Port-hinted candidates go first. */
static const struct dissector *dis_probe(struct dis_ctx *c, int d, const uint8_t *p, size_t len,
					 bool final)
{
	uint16_t sport = flow_srv_port(c->flow);
	int pass;

	for (pass = 0; pass < 2; pass++) {
		size_t i;
		for (i = 0; i < n_dissectors && i < 64; i++) {
			const struct dissector *ds = dissectors[i];
			bool hinted = false;
			enum probe_res pr;
			if (!(c->cand & ((uint64_t)1 << i)))
				continue;
			if (ds->ports)
				for (const uint16_t *pp = ds->ports; *pp; pp++)
					if (*pp == sport)
						hinted = true;
			if (hinted != (pass == 0))
				continue;
			c->env->stats->probe_calls++;
			pr = ds->probe((enum dir)d, p, len);
			if (pr == PROBE_MATCH)
				return ds;
			if (pr == PROBE_NOMATCH || final)
				c->cand &= ~((uint64_t)1 << i);
		}
	}
	return NULL;
}

void dis_stream_data(struct dis_ctx *c, int d)
{
	struct flow *f = c->flow;
	struct stream *s = &f->st[d];

	if (c->finished)
		return;
	if (c->first_data_ts[d] == 0)
		c->first_data_ts[d] = *c->env->now;
	if (c->cur == NULL) {
		const struct dissector *m = dis_probe(c, d, s->buf, s->len, s->len >= PROBE_LIMIT);
		if (m == NULL) {
			if (c->cand == 0)
				dis_stop(c);
			return;
		}
		if (dis_claim(c, m) != 0)
			return;
		/* Deliver the direction whose bytes came first, then the other. */
		int o = !d;
		if (f->st[o].len > 0 && c->first_data_ts[o] != 0 && c->first_data_ts[o] <= c->first_data_ts[d]) {
			dis_run(c, o);
			dis_run(c, d);
		} else {
			dis_run(c, d);
			dis_run(c, o);
		}
		return;
	}
	dis_run(c, d);
}

void dis_datagram(struct dis_ctx *c, int d, const uint8_t *p, uint32_t len)
{
	struct dis_result r;

	if (c->finished || len == 0)
		return;
	if (c->cur == NULL) {
		const struct dissector *m = dis_probe(c, d, p, len, ++c->probe_dgrams >= 8);
		if (m == NULL) {
			if (c->cand == 0)
				dis_stop(c);
			return;
		}
		if (dis_claim(c, m) != 0)
			return;
	}
	c->env->stats->dissector_calls++;
	c->env->stats->dissector_bytes += len;
	r = c->cur->parse(c, c->state, (enum dir)d, p, len);
	c->handoff = NULL; /* no hand-off on datagrams */
	if (r.status == DIS_ERROR) {
		if (c->nanoms == 0 || strcmp(c->anoms[c->nanoms - 1].dissector, c->cur->name) != 0)
			dis_anomaly_raw(c, c->cur->name, 0, "parse_error", "");
		dis_stop(c);
	} else if (r.status == DIS_DONE) {
		dis_stop(c);
	}
}

void dis_stream_trouble(struct dis_ctx *c, int code, int d)
{
	if (c->finished)
		return;
	/* Recorded even before a dissector claimed the flow: the analyst must
	 * know why nothing was dissected (snaplen, loss, mid-stream start). */
	stream_anomaly(c, code, d == 0 ? "c2s" : "s2c");
	dis_stop(c);
}

void dis_finish(struct dis_ctx *c)
{
	if (!c->finished)
		dis_stop(c);
}

void dis_obs_free(struct dis_ctx *c)
{
	uint16_t i;
	for (i = 0; i < c->ndetails; i++)
		free(c->details[i].s);
	free(c->details);
	c->details = NULL;
	c->ndetails = c->details_cap = 0;
	/* certificate records exist only in contexts made by dis_new */
	if (c->certs) {
		for (i = 0; i < c->ncerts; i++)
			dis_cert_unref(dis_pools_of(c), c->certs[i].shared);
		pool_put(&dis_pools_of(c)->cert_pool, c->certs);
		c->certs = NULL;
	}
	c->ncerts = 0;
	free(c->anoms);
	c->anoms = NULL;
	c->nanoms = 0;
	free(c->tls);
	c->tls = NULL;
}

struct dis_ctx *dis_snapshot(const struct dis_ctx *c)
{
	struct dis_pools *pools = dis_pools_of(c);
	struct dis_ctx *s = pool_get(&pools->ctx_pool);
	uint16_t i;

	if (s == NULL)
		return NULL;
	/* no flow, no dissector, nothing to finish: observations only */
	s->env = c->env;
	s->finished = true;
	s->cur_idx = -1;
	s->protocol = c->protocol;
	s->security = c->security;
	s->has_clear = c->has_clear;
	s->credentials = c->credentials;
	s->tls_offered = c->tls_offered;
	s->tls_requested = c->tls_requested;
	memcpy(s->auth_mech, c->auth_mech, sizeof(s->auth_mech));
	memcpy(s->user, c->user, sizeof(s->user));
	s->has_user = c->has_user;
	s->details_dropped = c->details_dropped;
	s->certs_dropped = c->certs_dropped;
	s->anoms_dropped = c->anoms_dropped;
	if (c->ndetails) {
		if ((s->details = calloc(c->ndetails, sizeof(*s->details))) == NULL)
			goto fail;
		s->details_cap = c->ndetails;
		for (i = 0; i < c->ndetails; i++) {
			s->details[i] = c->details[i];
			s->details[i].s = NULL;
			if (c->details[i].s) {
				/* slen bytes, not necessarily NUL-free */
				if ((s->details[i].s = malloc((size_t)c->details[i].slen + 1)) == NULL)
					goto fail;
				memcpy(s->details[i].s, c->details[i].s, (size_t)c->details[i].slen + 1);
			}
			s->ndetails = (uint16_t)(i + 1);
		}
	}
	if (c->tls) {
		if ((s->tls = malloc(sizeof(*s->tls))) == NULL)
			goto fail;
		memcpy(s->tls, c->tls, sizeof(*s->tls));
	}
	if (c->ncerts) {
		if ((s->certs = pool_get(&pools->cert_pool)) == NULL)
			goto fail;
		for (i = 0; i < c->ncerts; i++) {
			s->certs[i] = c->certs[i];
			s->certs[i].shared->refs++; /* released by dis_obs_free */
			s->ncerts = (uint16_t)(i + 1);
		}
	}
	if (c->nanoms) {
		if ((s->anoms = calloc(DIS_MAX_ANOMALIES, sizeof(*s->anoms))) == NULL)
			goto fail;
		memcpy(s->anoms, c->anoms, c->nanoms * sizeof(*s->anoms));
		s->nanoms = c->nanoms;
	}
	return s;
fail:
	dis_obs_free(s);
	pool_put(&pools->ctx_pool, s);
	return NULL;
}

void dis_free(struct dis_ctx *c)
{
	if (c == NULL)
		return;
	dis_finish(c);
	dis_obs_free(c);
	pool_put(&dis_pools_of(c)->ctx_pool, c);
}

/* ---- observations (obs.h) ---- */

void obs_protocol(struct dis_ctx *c, const char *name)
{
	if (c->protocol == NULL)
		c->protocol = name;
}

void obs_security(struct dis_ctx *c, enum sec_state s)
{
	if (s == SEC_TLS && c->security == SEC_STARTTLS)
		return;
	c->security = s;
}

enum sec_state obs_get_security(const struct dis_ctx *c)
{
	return c->security;
}

void obs_anomaly(struct dis_ctx *c, int code, const char *fmt, ...)
{
	char detail[160] = "";
	const char *dname = c->cur ? c->cur->name : "stream";
	const struct anomaly_def *tab = c->cur ? c->cur->anomalies : stream_anomalies;
	if (c->anom_scope_name) {
		dname = c->anom_scope_name;
		tab = c->anom_scope_tab;
	}
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	dis_anomaly_raw(c, dname, code, anom_name(tab, code), detail);
}

void obs_anomaly_scope(struct dis_ctx *c, const char *name, const struct anomaly_def *tab)
{
	c->anom_scope_name = name;
	c->anom_scope_tab = tab;
}

void obs_credentials(struct dis_ctx *c, const char *mechanism)
{
	c->has_clear = true;
	c->credentials = true;
	if (mechanism && c->auth_mech[0] == 0)
		snprintf(c->auth_mech, sizeof(c->auth_mech), "%s", mechanism);
}

void obs_auth_mechanism(struct dis_ctx *c, const char *mechanism, size_t len)
{
	c->has_clear = true;
	if (len >= sizeof(c->auth_mech))
		len = sizeof(c->auth_mech) - 1;
	memcpy(c->auth_mech, mechanism, len);
	c->auth_mech[len] = 0;
}

void obs_user(struct dis_ctx *c, const void *user, size_t len)
{
	c->has_clear = true;
	if (len > OBS_STR_MAX)
		len = OBS_STR_MAX;
	memcpy(c->user, user, len);
	c->user[len] = 0;
	c->has_user = true;
}

void obs_tls_offered(struct dis_ctx *c, bool offered)
{
	c->has_clear = true;
	c->tls_offered = offered;
}

void obs_tls_requested(struct dis_ctx *c, bool requested)
{
	c->has_clear = true;
	c->tls_requested = requested;
}

static struct obs_detail *detail_slot(struct dis_ctx *c, const char *key, bool list)
{
	uint16_t i;
	if (!list)
		for (i = 0; i < c->ndetails; i++)
			if (!c->details[i].list && strcmp(c->details[i].key, key) == 0) {
				free(c->details[i].s);
				c->details[i].s = NULL;
				return &c->details[i];
			}
	if (c->ndetails >= OBS_DETAILS_MAX) {
		c->details_dropped++;
		return NULL;
	}
	if (c->ndetails >= c->details_cap) {
		/* grow 8, 16, 32, 64: most flows have a handful of details */
		uint16_t ncap = c->details_cap ? (uint16_t)(c->details_cap * 2) : 8;
		struct obs_detail *nd;
		if (ncap > OBS_DETAILS_MAX)
			ncap = OBS_DETAILS_MAX;
		nd = realloc(c->details, ncap * sizeof(*nd));
		if (nd == NULL)
			return NULL;
		c->details = nd;
		c->details_cap = ncap;
	}
	c->has_clear = true;
	struct obs_detail *o = &c->details[c->ndetails++];
	memset(o, 0, sizeof(*o));
	o->key = key;
	o->list = list;
	return o;
}

static void detail_set_str(struct obs_detail *o, const void *s, size_t len, size_t cap)
{
	if (len > cap)
		len = cap;
	o->type = 's';
	o->s = malloc(len + 1);
	if (o->s) {
		memcpy(o->s, s, len);
		o->s[len] = 0;
		o->slen = (uint16_t)len;
	}
}

void obs_detail_str(struct dis_ctx *c, const char *key, const void *s, size_t len)
{
	struct obs_detail *o = detail_slot(c, key, false);
	if (o)
		detail_set_str(o, s, len, OBS_STR_MAX);
}

void obs_detail_list_str(struct dis_ctx *c, const char *key, const void *s, size_t len)
{
	struct obs_detail *o = detail_slot(c, key, true);
	if (o)
		detail_set_str(o, s, len, OBS_STR_MAX);
}

bool obs_detail_text(struct dis_ctx *c, const char *key, const void *s, size_t len)
{
	struct obs_detail *o = detail_slot(c, key, false);
	if (o)
		detail_set_str(o, s, len, OBS_TEXT_MAX);
	return len <= OBS_TEXT_MAX;
}

void obs_detail_int(struct dis_ctx *c, const char *key, int64_t v)
{
	struct obs_detail *o = detail_slot(c, key, false);
	if (o) {
		o->type = 'i';
		o->i = v;
	}
}

void obs_detail_bool(struct dis_ctx *c, const char *key, bool v)
{
	struct obs_detail *o = detail_slot(c, key, false);
	if (o) {
		o->type = 'b';
		o->i = v;
	}
}

struct tls_facts *obs_tls_begin(struct dis_ctx *c)
{
	free(c->tls);
	c->tls = calloc(1, sizeof(*c->tls));
	return c->tls;
}

/* ---- certificates shared between flows ----
 * Keyed by the SHA-256 the TLS dissector computed of the DER bytes, counted
 * by reference; an entry lives while a live flow holds it. The table is the
 * engine's (struct dis_pools). */
static size_t dis_cert_bucket(const char *sha)
{
	size_t h = 0;
	for (int i = 0; i < 12 && sha[i]; i++)
		h = h * 31 + (unsigned char)sha[i];
	return h % DIS_CERT_BUCKETS;
}

/* The DER table's hash: FNV-1a over the length, the first 64 bytes and the
 * last 32 (the signature: what differs between two certificates of one
 * issuer). A lookup compares the whole DER, so a forged collision only
 * lengthens a chain, as it would in the SHA-256 table. */
static uint32_t dis_der_hash(const uint8_t *der, size_t len)
{
	uint32_t h = 2166136261u ^ (uint32_t)len;
	size_t i, n = len < 64 ? len : 64;
	for (i = 0; i < n; i++)
		h = (h ^ der[i]) * 16777619u;
	for (i = len > 96 ? len - 32 : n; i < len; i++)
		h = (h ^ der[i]) * 16777619u;
	return h;
}

static struct dis_cert *dis_cert_ref(struct dis_pools *env, const char *sha, const uint8_t *der,
				     size_t der_len, const struct x509_cert_facts *facts)
{
	size_t b = dis_cert_bucket(sha);
	struct dis_cert *e;

	for (e = env->cert_tab[b]; e; e = e->next)
		if (strcmp(e->sha256, sha) == 0 && e->der_len == der_len &&
		    memcmp(e->der, der, der_len) == 0) {
			e->refs++;
			return e;
		}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	snprintf(e->sha256, sizeof(e->sha256), "%s", sha);
	e->der = malloc(der_len ? der_len : 1);
	e->facts = facts ? x509_facts_dup(facts) : NULL;
	if (e->der == NULL || (facts && e->facts == NULL)) {
		free(e->der);
		free(e->facts);
		free(e);
		return NULL;
	}
	memcpy(e->der, der, der_len);
	e->der_len = der_len;
	e->refs = 1;
	e->next = env->cert_tab[b];
	env->cert_tab[b] = e;
	e->dhash = dis_der_hash(der, der_len);
	e->dnext = env->der_tab[e->dhash % DIS_CERT_BUCKETS];
	env->der_tab[e->dhash % DIS_CERT_BUCKETS] = e;
	return e;
}

static void dis_cert_unref(struct dis_pools *env, struct dis_cert *e)
{
	struct dis_cert **pp;
	if (e == NULL || --e->refs > 0)
		return;
	for (pp = &env->cert_tab[dis_cert_bucket(e->sha256)]; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	for (pp = &env->der_tab[e->dhash % DIS_CERT_BUCKETS]; *pp; pp = &(*pp)->dnext)
		if (*pp == e) {
			*pp = e->dnext;
			break;
		}
	dis_cert_free(e);
}

void obs_cert(struct dis_ctx *c, int side, int idx, const char *sha256_hex,
	      const uint8_t *der, size_t der_len, const struct x509_cert_facts *facts)
{
	struct obs_cert_rec *r;
	/* a context made by hand (a unit test) has no engine to share with */
	if (c->ncerts >= DIS_MAX_CERTS || c->env == NULL || c->env->pools == NULL) {
		c->certs_dropped++;
		return;
	}
	if (c->certs == NULL && (c->certs = pool_get(&dis_pools_of(c)->cert_pool)) == NULL) {
		c->certs_dropped++;
		return;
	}
	r = &c->certs[c->ncerts];
	memset(r, 0, sizeof(*r));
	r->side = side;
	r->idx = idx;
	snprintf(r->sha256, sizeof(r->sha256), "%s", sha256_hex);
	if ((r->shared = dis_cert_ref(dis_pools_of(c), r->sha256, der, der_len, facts)) == NULL) {
		c->certs_dropped++;
		return;
	}
	r->der = r->shared->der;
	r->der_len = r->shared->der_len;
	r->facts = r->shared->facts;
	c->ncerts++;
}

bool obs_cert_known(struct dis_ctx *c, int side, int idx, const uint8_t *der, size_t der_len,
		    char sha256_hex[65], bool *parses)
{
	struct dis_pools *env;
	struct dis_cert *e;
	uint32_t h;

	if (c->env == NULL || c->env->pools == NULL || der == NULL)
		return false;
	env = dis_pools_of(c);
	h = dis_der_hash(der, der_len);
	for (e = env->der_tab[h % DIS_CERT_BUCKETS]; e; e = e->dnext)
		if (e->dhash == h && e->der_len == der_len && memcmp(e->der, der, der_len) == 0)
			break;
	if (e == NULL)
		return false;
	memcpy(sha256_hex, e->sha256, 65);
	*parses = e->facts != NULL;
	/* as obs_cert: finds e again by its SHA-256 and DER, takes a reference */
	obs_cert(c, side, idx, e->sha256, e->der, e->der_len, e->facts);
	return true;
}

int64_t dis_ts(const struct dis_ctx *c) { return *c->env->now; }
struct x509_ctx *dis_x509(const struct dis_ctx *c) { return c->env ? c->env->x509 : NULL; }
uint16_t dis_server_port(const struct dis_ctx *c) { return flow_srv_port(c->flow); }
uint16_t dis_client_port(const struct dis_ctx *c) { return flow_cli_port(c->flow); }
bool dis_is_udp(const struct dis_ctx *c) { return c->flow->key.proto == IPPROTO_UDP; }

int dis_handoff(struct dis_ctx *c, const char *name)
{
	const struct dissector *d = dissector_find(name);
	if (d == NULL) {
		stream_anomaly(c, STREAM_ANOM_HANDOFF_UNKNOWN, name);
		return -1;
	}
	c->handoff = d;
	return 0;
}

bool dis_cleartext(const struct dis_ctx *c, struct obs_clear *out)
{
	if (!c->has_clear)
		return false;
	out->credentials = c->credentials;
	out->auth_mech = c->auth_mech[0] ? c->auth_mech : NULL;
	out->user = c->has_user ? c->user : NULL;
	out->tls_offered = c->tls_offered;
	out->tls_requested = c->tls_requested;
	out->details = c->details;
	out->ndetails = c->ndetails;
	out->details_dropped = c->details_dropped;
	return true;
}
