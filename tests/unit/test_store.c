/* SPDX-License-Identifier: BSD-3-Clause */
/* test_store.c — the schema-3 store's interning of TLS profiles past its
 * cache (issue 12). The store keeps ClientHello and server profiles once per
 * distinct content, found through a 4096-slot direct-mapped cache of
 * digests and, on a miss, the UNIQUE index. 12,000 flows with 6,000
 * distinct ClientHello profiles (each written by two flows far apart) and
 * 3 server profiles: the cache collides and evicts, and every flow must
 * still reference the profile with its own content, each profile stored
 * once. A database left from a previous transaction (store reopened) must
 * resolve the same profile to the same row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "store.h"
#include "tls_facts.h"

#define NPROF 6000
#define NFLOW (2 * NPROF)

static void facts(struct tls_facts *t, int prof)
{
	memset(t, 0, sizeof(*t));
	t->has_cprof = t->has_sprof = true;
	t->c.transport = 't';
	t->c.legacy_version = 0x0303;
	/* the content that tells the profiles apart: two suites from prof */
	t->c.n_ciphers = 2;
	t->c.ciphers[0] = (uint16_t)(0x1000 + prof);
	t->c.ciphers[1] = (uint16_t)(0x1000 + prof / 7);
	t->s.version = t->s.legacy_version = 0x0303;
	t->s.cipher = (uint32_t)(0xc02f + prof % 3);
	t->f.kx_group = -1;
	t->f.verdict.trusted = t->f.verdict.hostname_match = -1;
	t->f.established = true;
}

static int write_flows(struct store *s, int64_t run, int from, int to, struct tls_facts *t)
{
	for (int i = from; i < to; i++) {
		struct flow_rec r;
		memset(&r, 0, sizeof(r));
		r.flow_id = (uint64_t)i + 1;
		r.run_id = run;
		r.ts_first = 1700000000000000LL + i;
		r.ts_last = r.ts_first + 1;
		r.transport = "tcp";
		snprintf(r.client_ip, sizeof(r.client_ip), "10.1.%d.%d", i / 250, i % 250 + 1);
		snprintf(r.server_ip, sizeof(r.server_ip), "10.2.0.1");
		r.client_port = 40000;
		r.server_port = 443;
		r.protocol = "tls";
		r.security = "tls";
		r.end_reason = "closed";
		r.client_by = "syn";
		facts(t, i % NPROF);
		r.tls = t;
		if (store_flow(s, &r) != 0)
			return -1;
	}
	return store_commit(s);
}

struct check {
	int rows, wrong;
};

static int cb_check(const struct store_row *r, void *arg)
{
	struct check *c = arg;
	int64_t flow = store_col_int(r, 0);
	int prof = (int)((flow - 1) % NPROF);
	char want[32];
	snprintf(want, sizeof(want), "%d,%d", 0x1000 + prof, 0x1000 + prof / 7);
	c->rows++;
	if (store_col_text(r, 1) == NULL || strcmp(store_col_text(r, 1), want) != 0 ||
	    store_col_int(r, 2) != 0xc02f + prof % 3)
		c->wrong++;
	return 0;
}

static int cb_int(int n, const char *const *v, void *arg)
{
	if (n > 0 && v[0])
		*(long *)arg = atol(v[0]);
	return 0;
}

static long count(struct store *s, const char *sql)
{
	long n = -1;
	store_query(s, sql, NULL, 0, cb_int, &n);
	return n;
}

int main(void)
{
	char path[] = "/tmp/wa-test-store-XXXXXX", db[64], err[256];
	struct tls_facts *t = malloc(sizeof(*t));
	struct store *s;
	struct run_info ri = { "unit", NULL, 65535, "offline" };
	int64_t run;
	struct check c = { 0, 0 };
	int fd = mkstemp(path);

	if (fd < 0 || t == NULL)
		return 99;
	close(fd);
	unlink(path);
	snprintf(db, sizeof(db), "%s.db", path);
	ok(store_open(&s, db, false, err, sizeof(err)) == 0, "store opens");
	ok(store_run_begin(s, &ri, &run) == 0, "run begins");
	/* the first half in one store session, the second after reopening:
	 * the second finds the first's profiles through the index */
	ok(write_flows(s, run, 0, NPROF + NPROF / 2, t) == 0, "%d flows written", NPROF + NPROF / 2);
	store_close(s);
	ok(store_open(&s, db, false, err, sizeof(err)) == 0, "store reopens");
	ok(write_flows(s, run, NPROF + NPROF / 2, NFLOW, t) == 0, "%d more after reopening", NFLOW - NPROF - NPROF / 2);
	is_int(count(s, "SELECT count(*) FROM tls"), NFLOW, "a tls row per flow");
	is_int(count(s, "SELECT count(*) FROM tls_client_profiles"), NPROF, "each ClientHello profile once");
	is_int(count(s, "SELECT count(*) FROM tls_server_profiles"), 3, "each server profile once");
	store_query_rows(s, "SELECT t.flow_id, c.ciphers, s.cipher FROM tls t"
			 " JOIN tls_client_profiles c ON c.profile_id = t.client_profile"
			 " JOIN tls_server_profiles s ON s.profile_id = t.server_profile", NULL, 0, cb_check, &c);
	is_int(c.rows, NFLOW, "every flow references existing profiles");
	is_int(c.wrong, 0, "every flow references the profiles of its own content");
	store_close(s);
	unlink(db);
	free(t);
	return tap_done();
}
