/* SPDX-License-Identifier: BSD-3-Clause */
/* test_contexts.c — issue 12, "no hidden process-wide caches": the state
 * that used to be file-scope statics lives in contexts a process can have
 * two of. Two certificate contexts (src/dissect/x509.h) with different
 * extra anchors give different verdicts for the same chain, keep their
 * caches and counters apart, and can be freed and made again; two
 * dissection environments (src/dissect/dissect.h, one per engine) do not
 * share certificates. Fixtures from tests/data/x509 (tools/mk-x509-fixtures.sh),
 * no system anchors ("none"), fixed connection times: the results do not
 * depend on the machine or the day. Runs under ASan and valgrind as is. */
#include "tap.h"
#include "x509.h"
#include "dissect.h"
#include "dis_env.h"

#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static const char *srcdir;

struct der {
	uint8_t *p;
	size_t n;
};

static struct der load_pem(const char *name)
{
	char path[1024];
	struct der d = { NULL, 0 };
	unsigned char *p = NULL;
	FILE *f;
	X509 *x;
	int n;
	snprintf(path, sizeof(path), "%s/tests/data/x509/%s.pem", srcdir, name);
	if ((f = fopen(path, "r")) == NULL) {
		printf("# cannot open %s\n", path);
		return d;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL || (n = i2d_X509(x, &p)) <= 0) {
		X509_free(x);
		return d;
	}
	X509_free(x);
	d.p = malloc((size_t)n);
	memcpy(d.p, p, (size_t)n);
	d.n = (size_t)n;
	OPENSSL_free(p);
	return d;
}

static const char *path_of(const char *name)
{
	static char bufs[2][1024];
	static int k;
	char *b = bufs[k++ % 2];
	snprintf(b, 1024, "%s/tests/data/x509/%s", srcdir, name);
	return b;
}

#define T_2030 ((int64_t)1893456000 * 1000000)  /* 2030-01-01: the fixture PKI is valid */
#define HOST "server.wireaudit.test"

static struct der leaf, inter, ss;

/* leaf + intermediate, as a server presents them */
static struct x509_verdict chain(struct x509_ctx *x)
{
	const uint8_t *ders[2] = { leaf.p, inter.p };
	size_t lens[2] = { leaf.n, inter.n };
	struct x509_verdict v;
	x509_validate_chain(x, ders, lens, 2, T_2030, HOST, false, &v);
	return v;
}

/* the self-signed leaf alone */
static struct x509_verdict pinned(struct x509_ctx *x)
{
	const uint8_t *ders[1] = { ss.p };
	size_t lens[1] = { ss.n };
	struct x509_verdict v;
	x509_validate_chain(x, ders, lens, 1, T_2030, HOST, false, &v);
	return v;
}

static void test_two_x509_contexts(void)
{
	struct x509_ctx *a = x509_ctx_new("none", path_of("root.pem"));
	struct x509_ctx *b = x509_ctx_new("none", path_of("selfsigned.pem"));
	struct x509_cache_stats sa, sb;
	struct x509_verdict v;
	char h[65];
	struct x509_cert_facts *fa;

	ok(a != NULL && b != NULL, "two contexts: extra anchor root.pem, extra anchor selfsigned.pem");
	if (a == NULL || b == NULL) {
		x509_ctx_free(a);
		x509_ctx_free(b);
		return;
	}
	/* the same chain, each context's own anchors; interleaved, so a
	 * shared verdict cache or store would show */
	v = chain(a);
	is_int(v.trusted, 1, "a: leaf + intermediate validate up to the fixture root");
	ok(v.trusted_by_extra, "a: trusted by the extra anchor");
	v = chain(b);
	is_int(v.trusted, 0, "b: the same chain does not validate");
	is_str(v.error, "unknown_issuer", "b: unknown issuer");
	v = pinned(b);
	is_int(v.trusted, 1, "b: the pinned self-signed leaf validates");
	v = pinned(a);
	is_int(v.trusted, 0, "a: the self-signed leaf does not");
	is_str(v.error, "self_signed", "a: self_signed");
	v = chain(a);
	is_int(v.trusted, 1, "a again (from a's cache): still trusted");
	v = chain(b);
	is_int(v.trusted, 0, "b again (from b's cache): still not");

	/* each context counts its own lookups */
	x509_cache_stats(a, &sa);
	x509_cache_stats(b, &sb);
	is_int(sa.verdict_misses, 2, "a: two verdicts computed");
	is_int(sa.verdict_hits, 1, "a: one verdict from its cache");
	is_int(sa.verdict_entries, 2, "a: two verdicts kept");
	is_int(sb.verdict_misses, 2, "b: two verdicts computed");
	is_int(sb.verdict_hits, 1, "b: one verdict from its cache");
	fa = x509_cert_facts(a, leaf.p, leaf.n, h);
	free(fa);
	fa = x509_cert_facts(a, leaf.p, leaf.n, h);
	ok(fa != NULL && x509_fs(fa, fa->serial) && strcmp(x509_fs(fa, fa->serial), "00c0ffee01") == 0,
	   "a: the leaf's facts, cached");
	free(fa);
	x509_cache_stats(a, &sa);
	x509_cache_stats(b, &sb);
	is_int(sa.cert_misses, 1, "a: one certificate parsed");
	is_int(sa.cert_hits, 1, "a: one from its cache");
	is_int(sb.cert_misses + sb.cert_hits + sb.cert_entries, 0, "b: its certificate cache untouched");

	/* free one, the other goes on; make it again: a fresh context */
	x509_ctx_free(a);
	v = chain(b);
	is_int(v.trusted, 0, "b after a is freed: unchanged");
	v = pinned(b);
	is_int(v.trusted, 1, "b after a is freed: the pinned leaf still validates");
	a = x509_ctx_new("none", path_of("root.pem"));
	ok(a != NULL, "a made again");
	x509_cache_stats(a, &sa);
	is_int(sa.verdict_hits + sa.verdict_misses + sa.cert_hits + sa.cert_misses, 0,
	       "a made again: counters start at 0");
	v = chain(a);
	is_int(v.trusted, 1, "a made again: the chain validates");
	x509_ctx_free(a);
	x509_ctx_free(b);

	/* several rounds of make, use, free: nothing left behind (ASan,
	 * valgrind) and nothing carried over */
	for (int i = 0; i < 3; i++) {
		struct x509_ctx *x = x509_ctx_new("none", i % 2 ? path_of("selfsigned.pem") : path_of("root.pem"));
		v = chain(x);
		if (!ok(x != NULL && v.trusted == (i % 2 ? 0 : 1), "round %d: the verdict of its own anchors", i))
			printf("#   trusted %d error %s\n", v.trusted, v.error);
		x509_ctx_free(x);
	}

	/* no context: parsing still works, uncached; no chain is evaluated */
	fa = x509_cert_facts(NULL, leaf.p, leaf.n, h);
	ok(fa != NULL && strcmp(h, "80d25e94b8dbf1beda67cc467e7afd18874f7077cc244d344a6a0a9fdc455dd0") == 0,
	   "no context: the certificate still parses");
	free(fa);
	v = chain(NULL);
	is_int(v.trusted, -1, "no context: chain not evaluated");
	is_str(v.error, "no_trust_store", "no context: no_trust_store");
	x509_ctx_free(NULL);
}

/* obs_cert through dis_new contexts of two engines: within one engine the
 * flows share the certificate's entry, across engines they do not. */
static void test_two_dissect_envs(void)
{
	int64_t now = 1700000000000000LL;
	struct dis_stats st;
	struct dis_env e1, e2;
	struct flow f;
	struct dis_ctx *a1, *a2, *b1;
	char h[65];
	struct x509_cert_facts *j;

	memset(&e1, 0, sizeof(e1));
	memset(&e2, 0, sizeof(e2));
	memset(&f, 0, sizeof(f));
	memset(&st, 0, sizeof(st));
	e1.now = e2.now = &now;
	e1.stats = e2.stats = &st;
	e1.stream_cap = e2.stream_cap = 256 * 1024;
	f.key.proto = IPPROTO_TCP;
	e1.pools = dis_pools_new();
	e2.pools = dis_pools_new();
	ok(e1.pools != NULL && e2.pools != NULL, "two dissection environments");
	a1 = dis_new(&e1, &f);
	a2 = dis_new(&e1, &f);
	b1 = dis_new(&e2, &f);
	j = x509_cert_facts(NULL, leaf.p, leaf.n, h);
	obs_cert(a1, 0, 0, h, leaf.p, leaf.n, j);
	obs_cert(a2, 0, 0, h, leaf.p, leaf.n, j);
	obs_cert(b1, 0, 0, h, leaf.p, leaf.n, j);
	free(j);
	ok(a1->ncerts == 1 && a2->ncerts == 1 && b1->ncerts == 1, "each flow holds the certificate");
	ok(a1->certs[0].shared == a2->certs[0].shared, "one engine: its flows share one entry");
	ok(a1->certs[0].shared != b1->certs[0].shared, "two engines: an entry each");
	e2.x509 = x509_ctx_new("none", NULL);
	ok(dis_x509(a1) == NULL && dis_x509(b1) == e2.x509, "dis_x509: the flow's environment's context");

	/* the framework's end of a flow, without running a dissector */
	a1->finished = a2->finished = b1->finished = true;
	dis_free(a1);
	ok(a2->certs[0].der_len == leaf.n && memcmp(a2->certs[0].der, leaf.p, leaf.n) == 0,
	   "the other flow of the engine keeps the entry");
	dis_free(a2);
	dis_pools_free(e1.pools);
	ok(b1->certs[0].der_len == leaf.n && memcmp(b1->certs[0].der, leaf.p, leaf.n) == 0,
	   "the first engine's environment freed: the second engine's flow unaffected");
	dis_free(b1);
	dis_pools_free(e2.pools);
	x509_ctx_free(e2.x509);
}

int main(void)
{
	srcdir = getenv("SRCDIR");
	if (srcdir == NULL)
		srcdir = ".";
	leaf = load_pem("leaf");
	inter = load_pem("inter");
	ss = load_pem("selfsigned");
	test_two_x509_contexts();
	test_two_dissect_envs();
	free(leaf.p);
	free(inter.p);
	free(ss.p);
	return tap_done();
}
