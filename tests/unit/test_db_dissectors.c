/* SPDX-License-Identifier: BSD-3-Clause */
/* test_db_dissectors.c — the database dissectors (postgresql, mysql, redis,
 * tds, mongodb) driven directly, without the engine: the TCP payloads of a
 * capture are replayed into probe() and parse() through a small driver that
 * keeps the framework's contract (buffering up to `needed`, consumed bytes
 * dropped, DONE/ERROR/hand-off end the flow). Each parse() call gets an
 * exact-size heap copy, so the sanitizer build catches any read past it.
 *
 * Per capture: (1) the probe never says NOMATCH on a prefix of the first
 * message and says MATCH on all of it; (2) the facts are the expected ones;
 * (3) the same facts when the bytes arrive one at a time; (4) every
 * truncation point runs without fault; (5) seeded random corruptions run
 * without fault, never consume more than given, and every DIS_ERROR comes
 * with an anomaly of the dissector's own table.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "tap.h"
#include "decode.h"
#include "dissect.h"

struct seg {
	int dir;
	size_t off, len; /* into the transcript bytes */
};

struct transcript {
	uint8_t *b;
	size_t n, cap;
	struct seg *s;
	size_t ns, scap;
};

static int load(const char *path, uint16_t sport, struct transcript *t)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc = pcap_open_offline(path, err);
	uint32_t next[2] = { 0, 0 };
	bool have[2] = { false, false };

	memset(t, 0, sizeof(*t));
	if (pc == NULL)
		return -1;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct pkt p;
		int d;
		memset(&p, 0, sizeof(p));
		if (decode_packet(pcap_datalink(pc), data, h->caplen, &p) != DEC_OK ||
		    p.l4_proto != IPPROTO_TCP)
			continue;
		d = p.dport == sport ? 0 : 1;
		if (p.tcp_flags & TH_SYN) {
			next[d] = p.seq + 1;
			have[d] = true;
			continue;
		}
		if (p.payload_len == 0)
			continue;
		if (have[d] && p.seq != next[d])
			continue; /* retransmission or reordering: not in these captures */
		next[d] = p.seq + p.payload_len;
		if (t->n + p.payload_len > t->cap) {
			t->cap = (t->n + p.payload_len) * 2;
			t->b = realloc(t->b, t->cap);
		}
		if (t->ns == t->scap) {
			t->scap = t->scap ? t->scap * 2 : 16;
			t->s = realloc(t->s, t->scap * sizeof(*t->s));
		}
		memcpy(t->b + t->n, p.payload, p.payload_len);
		t->s[t->ns].dir = d;
		t->s[t->ns].off = t->n;
		t->s[t->ns].len = p.payload_len;
		t->ns++;
		t->n += p.payload_len;
	}
	pcap_close(pc);
	return 0;
}

struct dbuf {
	uint8_t *p;
	size_t len, needed;
};

struct run {
	struct dis_ctx *ctx;
	void *state;
	const struct dissector *d;
	bool finished;
	struct dbuf buf[2];
	unsigned errors_without_anomaly, overconsumed;
};

static void run_init(struct run *r, const struct dissector *d)
{
	memset(r, 0, sizeof(*r));
	r->d = d;
	r->ctx = calloc(1, sizeof(*r->ctx));
	r->ctx->cur = d;
	r->ctx->tls_offered = r->ctx->tls_requested = -1;
	r->state = calloc(1, d->state_size ? d->state_size : 1);
}

static void run_free(struct run *r)
{
	if (r->d->state_free)
		r->d->state_free(r->state);
	dis_obs_free(r->ctx);
	free(r->ctx);
	free(r->state);
	free(r->buf[0].p);
	free(r->buf[1].p);
}

static void run_dir(struct run *r, int dir)
{
	struct dbuf *b = &r->buf[dir];

	while (!r->finished && b->len > 0 && b->len >= b->needed) {
		/* an exact-size copy: a read past it is a sanitizer error */
		uint8_t *copy = malloc(b->len);
		uint16_t na = r->ctx->nanoms;
		struct dis_result res;
		memcpy(copy, b->p, b->len);
		res = r->d->parse(r->ctx, r->state, (enum dir)dir, copy, b->len);
		free(copy);
		if (res.consumed > b->len) {
			r->overconsumed++;
			res.consumed = b->len;
		}
		memmove(b->p, b->p + res.consumed, b->len - res.consumed);
		b->len -= res.consumed;
		if (r->ctx->handoff) {
			r->ctx->handoff = NULL;
			r->finished = true;
			return;
		}
		switch (res.status) {
		case DIS_OK:
			b->needed = 0;
			if (res.consumed == 0)
				return;
			break;
		case DIS_INCOMPLETE:
			b->needed = res.needed;
			if (b->len >= b->needed && res.consumed == 0)
				return;
			break;
		case DIS_ERROR: {
			bool own = false;
			for (uint16_t i = na; i < r->ctx->nanoms; i++)
				if (strcmp(r->ctx->anoms[i].dissector, r->d->name) == 0)
					own = true;
			if (!own && r->ctx->nanoms < DIS_MAX_ANOMALIES)
				r->errors_without_anomaly++;
			r->finished = true;
			return;
		}
		case DIS_DONE:
			r->finished = true;
			return;
		}
	}
}

static void run_feed(struct run *r, int dir, const uint8_t *p, size_t n)
{
	struct dbuf *b = &r->buf[dir];
	if (r->finished || n == 0)
		return;
	b->p = realloc(b->p, b->len + n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
	run_dir(r, dir);
}

/* Replay t (first `limit` bytes) in segments of at most `chunk` bytes. */
static void replay(struct run *r, const struct transcript *t, const uint8_t *bytes, size_t limit,
		   size_t chunk)
{
	size_t i;
	for (i = 0; i < t->ns; i++) {
		size_t off = t->s[i].off, len = t->s[i].len, k;
		if (off >= limit)
			break;
		if (len > limit - off)
			len = limit - off;
		for (k = 0; k < len; k += chunk)
			run_feed(r, t->s[i].dir, bytes + off + k, len - k < chunk ? len - k : chunk);
	}
}

static void facts(const struct run *r, char *out, size_t n)
{
	snprintf(out, n, "%s|%s|%s|%s", sec_state_name(r->ctx->security),
		 r->ctx->credentials ? "creds" : "-", r->ctx->auth_mech[0] ? r->ctx->auth_mech : "-",
		 r->ctx->has_user ? r->ctx->user : "-");
}

struct tcase {
	const char *pcap, *dissector;
	uint16_t port;
	const char *want; /* security|creds|mechanism|user */
};

static const struct tcase cases[] = {
	{ "pcaps/plain/pgsql-trust-cleartext.pcap", "postgresql", 5432, "cleartext|-|trust|app_trust" },
	{ "pcaps/plain/pgsql-md5-cleartext.pcap", "postgresql", 5432, "cleartext|creds|md5|app_md5" },
	{ "pcaps/plain/pgsql-scram-cleartext.pcap", "postgresql", 5432, "cleartext|-|SCRAM-SHA-256|app_scram" },
	{ "pcaps/plain/pgsql-prefer-refused.pcap", "postgresql", 5432, "tls_refused|creds|password|app_fallback" },
	{ "pcaps/plain/pgsql-sslrequest-tls.pcap", "postgresql", 5432, "starttls|-|-|-" },
	{ "pcaps/plain/mysql-clear-password.pcap", "mysql", 3306, "starttls_not_used|creds|mysql_clear_password|app_clear" },
	{ "pcaps/plain/mysql-nossl-server-cleartext.pcap", "mysql", 3306, "cleartext|-|mysql_native_password|app_nossl" },
	{ "pcaps/plain/mysql-ssl-tls.pcap", "mysql", 3306, "starttls|-|-|-" },
	{ "pcaps/plain/redis-auth-cleartext.pcap", "redis", 6379, "cleartext|creds|AUTH|-" },
	{ "pcaps/plain/redis-hello-auth-cleartext.pcap", "redis", 6379, "cleartext|creds|AUTH|labuser" },
	{ "pcaps/crafted-db/redis-auth-port7000.pcap", "redis", 7000, "cleartext|creds|AUTH|admin" },
	{ "pcaps/crafted-db/tds-notsup-login7.pcap", "tds", 1433, "cleartext|creds|login7|sa_app" },
	{ "pcaps/crafted-db/tds-login-only.pcap", "tds", 1433, "cleartext|-|-|-" },
	{ "pcaps/crafted-db/tds-encrypt-on.pcap", "tds", 1433, "starttls|-|-|-" },
	{ "pcaps/crafted-db/tds-notsup-sspi.pcap", "tds", 1433, "cleartext|-|sspi|-" },
	{ "pcaps/crafted-db/mongodb-scram-cleartext.pcap", "mongodb", 27017, "cleartext|-|SCRAM-SHA-256|alice" },
	{ "pcaps/crafted-db/mongodb-plain-legacy.pcap", "mongodb", 27017, "cleartext|creds|PLAIN|bob" },
	{ "pcaps/crafted-db/mongodb-speculative-port27999.pcap", "mongodb", 27999, "cleartext|-|SCRAM-SHA-256|carol" },
};

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

int main(void)
{
	const char *srcdir = getenv("SRCDIR");
	size_t ci;

	if (srcdir == NULL)
		srcdir = ".";
	for (ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
		const struct tcase *tc = &cases[ci];
		const struct dissector *d = dissector_find(tc->dissector);
		struct transcript t;
		char path[1024], got[512];
		struct run r;
		size_t k, first_len, step;
		bool prefix_ok = true;
		unsigned bad = 0, overc = 0, runs = 0;
		int first_dir;

		snprintf(path, sizeof(path), "%s/%s", srcdir, tc->pcap);
		if (!ok(d != NULL && load(path, tc->port, &t) == 0 && t.ns > 0, "%s: loaded", tc->pcap))
			continue;

		/* (1) probe over every prefix of the first segment */
		first_dir = t.s[0].dir;
		first_len = t.s[0].len;
		for (k = 1; k < first_len && k <= 256; k++) {
			uint8_t *cp = malloc(k);
			memcpy(cp, t.b, k);
			if (d->probe((enum dir)first_dir, cp, k) == PROBE_NOMATCH)
				prefix_ok = false;
			free(cp);
		}
		ok(prefix_ok && d->probe((enum dir)first_dir, t.b, first_len) == PROBE_MATCH,
		   "%s: probe never NOMATCH on a prefix, MATCH on the first message", tc->pcap);

		/* (2) facts, segments as captured */
		run_init(&r, d);
		replay(&r, &t, t.b, t.n, SIZE_MAX);
		facts(&r, got, sizeof(got));
		is_str(got, tc->want, "%s: facts", tc->pcap);
		run_free(&r);

		/* (3) one byte at a time */
		run_init(&r, d);
		replay(&r, &t, t.b, t.n, 1);
		facts(&r, got, sizeof(got));
		is_str(got, tc->want, "%s: facts with 1-byte segments", tc->pcap);
		run_free(&r);

		/* (4) every truncation point */
		step = t.n > 3000 ? t.n / 3000 + 1 : 1;
		for (k = 0; k <= t.n; k += step) {
			run_init(&r, d);
			replay(&r, &t, t.b, k, SIZE_MAX);
			bad += r.errors_without_anomaly;
			overc += r.overconsumed;
			run_free(&r);
			runs++;
		}
		ok(bad == 0 && overc == 0, "%s: %u truncations, no fault", tc->pcap, runs);

		/* (5) seeded corruptions of the first 600 bytes */
		bad = overc = 0;
		for (runs = 0; runs < 400; runs++) {
			uint8_t *m = malloc(t.n);
			size_t span = t.n < 600 ? t.n : 600;
			int nflip = 1 + (int)(rng() % 4), f;
			memcpy(m, t.b, t.n);
			for (f = 0; f < nflip; f++) {
				size_t pos = rng() % span;
				uint32_t how = rng() % 4;
				m[pos] = how == 0 ? 0xff : how == 1 ? 0x00 : how == 2 ? (uint8_t)(m[pos] ^ (1u << (rng() % 8))) : (uint8_t)rng();
			}
			run_init(&r, d);
			replay(&r, &t, m, t.n, runs % 2 ? 7 : SIZE_MAX);
			bad += r.errors_without_anomaly;
			overc += r.overconsumed;
			run_free(&r);
			free(m);
		}
		ok(bad == 0 && overc == 0, "%s: 400 corruptions, no fault, every error has an anomaly (%u missing)",
		   tc->pcap, bad);
		free(t.b);
		free(t.s);
	}
	return tap_done();
}
