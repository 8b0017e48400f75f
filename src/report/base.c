/* SPDX-License-Identifier: BSD-3-Clause */
/* base.c — the report's small shared pieces: allocation that cannot fail
 * quietly, files read whole, the tokenizer of the line-oriented files
 * (config, waivers), queries with WIREAUDIT_TIMING, severities, and the
 * hash maps and interned strings the scan and the listings use. */
#define _GNU_SOURCE
#include "report_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- small helpers ---- */

void *rp_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);
	if (p == NULL) {
		fprintf(stderr, "wireaudit: out of memory\n");
		exit(EXIT_STORE);
	}
	return p;
}

char *rp_xstrdup(const char *s)
{
	char *d;
	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL) {
		fprintf(stderr, "wireaudit: out of memory\n");
		exit(EXIT_STORE);
	}
	return d;
}

int64_t rp_num(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

/* Whole file into memory (NUL-terminated), capped. NULL with a message. */
char *rp_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;
	if (fp == NULL) {
		fprintf(stderr, "wireaudit: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 65536;
			if (cap > RP_FILE_MAX + 4096 + 1) {
				fprintf(stderr, "wireaudit: %s: larger than %d bytes\n", path, RP_FILE_MAX);
				free(buf);
				fclose(fp);
				return NULL;
			}
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, 4096, fp);
		n += r;
		if (r < 4096)
			break;
	}
	fclose(fp);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}


/* WIREAUDIT_TIMING=1 prints the time of each phase on stderr. */
int rp_phase(struct rp_report *rep, const char *name)
{
	int64_t now = now_us();
	clock_t c = clock();
	if (name && getenv("WIREAUDIT_TIMING")) {
		/* resident memory now, from /proc (Linux; 0 elsewhere) */
		long rss = 0;
		FILE *f = fopen("/proc/self/statm", "r");
		if (f) {
			long size;
			if (fscanf(f, "%ld %ld", &size, &rss) != 2)
				rss = 0;
			fclose(f);
		}
		fprintf(stderr, "wireaudit: report %s: %.3f s (cpu %.3f s), RSS %ld MB\n", name,
			(double)(now - rep->phase_us) / 1e6, (double)(c - rep->phase_clock) / CLOCKS_PER_SEC,
			rss * (sysconf(_SC_PAGESIZE) / 1024) / 1024);
	}
	rep->phase_us = now;
	rep->phase_clock = c;
	return 0;
}

/* ---- queries ---- */

/* WIREAUDIT_TIMING=2 also prints the time of each query. */
int rp_q(struct rp_report *rep, const char *sql, const char *const *p, int np,
	     int (*cb)(int, const char *const *, void *), void *arg)
{
	const char *t = getenv("WIREAUDIT_TIMING");
	int64_t t0 = now_us();
	clock_t c0 = clock();
	int rc = store_query(rep->st, sql, p, np, cb, arg);
	if (t && strcmp(t, "2") == 0)
		fprintf(stderr, "wireaudit: query %.3f s (cpu %.3f s): %.100s\n",
			(double)(now_us() - t0) / 1e6, (double)(clock() - c0) / CLOCKS_PER_SEC, sql);
	return rc;
}

int rp_q_exec(struct rp_report *rep, const char *sql)
{
	return rp_q(rep, sql, NULL, 0, NULL, NULL);
}

int rp_cb_noop(int n, const char *const *v, void *a)
{
	(void)n; (void)v; (void)a;
	return 0;
}

int rp_cb_int1(int n, const char *const *v, void *a)
{
	if (n > 0)
		*(int64_t *)a = rp_num(v[0]);
	return 0;
}

/* ---- severities ---- */

const char *const rp_sev[] = { "info", "low", "medium", "high", "critical", NULL };

const char *rp_sev_bump(const char *s)
{
	int i;
	for (i = 0; rp_sev[i]; i++)
		if (strcmp(rp_sev[i], s) == 0)
			return rp_sev[i + 1] ? rp_sev[i + 1] : rp_sev[i];
	return s;
}

int rp_sev_rank(const char *s)
{
	int i;
	for (i = 0; rp_sev[i]; i++)
		if (strcmp(rp_sev[i], s) == 0)
			return i;
	return 0;
}

/* ---- hash maps and interned strings ---- */

uint64_t rp_fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}



static uint64_t rp_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

void rp_map_grow(struct rp_map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 4096, i, j;
	struct rp_ent *ne = rp_xcalloc(ncap, sizeof(*ne));
	for (i = 0; i < m->cap; i++) {
		if (m->e[i].key == 0)
			continue;
		for (j = rp_mix(m->e[i].key) & (ncap - 1); ne[j].key; j = (j + 1) & (ncap - 1))
			;
		ne[j] = m->e[i];
	}
	free(m->e);
	m->e = ne;
	m->cap = ncap;
}

/* The value slot of key, created as 0 when absent (*fresh set). */
int64_t *rp_map_at(struct rp_map *m, uint64_t key, bool *fresh)
{
	size_t j;
	if ((m->n + 1) * 2 > m->cap)
		rp_map_grow(m);
	for (j = rp_mix(key) & (m->cap - 1); m->e[j].key; j = (j + 1) & (m->cap - 1))
		if (m->e[j].key == key) {
			if (fresh)
				*fresh = false;
			return &m->e[j].val;
		}
	m->e[j].key = key;
	m->e[j].val = 0;
	m->n++;
	if (fresh)
		*fresh = true;
	return &m->e[j].val;
}

const int64_t *rp_map_get(const struct rp_map *m, uint64_t key)
{
	size_t j;
	if (m->cap == 0)
		return NULL;
	for (j = rp_mix(key) & (m->cap - 1); m->e[j].key; j = (j + 1) & (m->cap - 1))
		if (m->e[j].key == key)
			return &m->e[j].val;
	return NULL;
}

void rp_map_free(struct rp_map *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}


uint32_t rp_str_id(struct rp_strs *t, const char *s, bool add)
{
	uint64_t h;
	size_t j;
	if (s == NULL)
		return 0;
	h = rp_fnv(s) | 1;
	if (t->ix.cap == 0 || (t->ix.n + 1) * 2 > t->ix.cap) {
		if (!add && t->ix.cap == 0)
			return UINT32_MAX;
		rp_map_grow(&t->ix);
	}
	/* the map is keyed by the hash; equal hashes of different strings
	 * probe on (values are ids, compared by text) */
	for (j = rp_mix(h) & (t->ix.cap - 1); t->ix.e[j].key; j = (j + 1) & (t->ix.cap - 1))
		if (t->ix.e[j].key == h && strcmp(t->s[t->ix.e[j].val], s) == 0)
			return (uint32_t)t->ix.e[j].val;
	if (!add)
		return UINT32_MAX;
	if (t->n + 1 >= t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 1024;
		char **ns = realloc(t->s, nc * sizeof(*ns));
		if (ns == NULL) {
			fprintf(stderr, "wireaudit: out of memory\n");
			exit(EXIT_STORE);
		}
		t->s = ns;
		t->cap = nc;
		if (t->n == 0)
			t->s[t->n++] = NULL; /* id 0 */
	}
	t->s[t->n] = rp_xstrdup(s);
	t->ix.e[j].key = h;
	t->ix.e[j].val = (int64_t)t->n;
	t->ix.n++;
	return (uint32_t)t->n++;
}

const char *rp_str(const struct rp_strs *t, uint32_t id)
{
	return id == 0 ? NULL : t->s[id];
}

void rp_strs_free(struct rp_strs *t)
{
	size_t i;
	for (i = 1; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	rp_map_free(&t->ix);
}

static void rp_gkey(char *buf, size_t len, const char *k, const char *ip, const char *port, const char *proto)
{
	snprintf(buf, len, "%s|%s|%s|%s", k ? k : "", ip ? ip : "", port ? port : "", proto ? proto : "\x01");
}

/* The key of a server endpoint in rp_strs: "|ip||protocol|port". */
void rp_srv_key(char *key, size_t len, const char *ip, int port, const char *proto)
{
	size_t l = 0, n;
	char num[16], *d = num + sizeof(num);
	unsigned u = (unsigned)port;

	/* per flow: no snprintf */
	if (proto == NULL)
		proto = "\x01";
	*--d = 0;
	do
		*--d = (char)('0' + u % 10);
	while ((u /= 10) != 0 && d > num);
	n = strlen(ip);
	if (n + strlen(proto) + strlen(d) + 5 > len) {
		rp_gkey(key, len, "", ip, d, proto);
		return;
	}
	key[l++] = '|';
	memcpy(key + l, ip, n);
	l += n;
	key[l++] = '|';
	key[l++] = '|';
	n = strlen(proto);
	memcpy(key + l, proto, n);
	l += n;
	key[l++] = '|';
	n = strlen(d);
	memcpy(key + l, d, n + 1);
}
/* Grows an array of n elements of size sz to hold one more. */
void *rp_grow(void *a, size_t *cap, size_t n, size_t sz)
{
	void *na;
	size_t nc;
	if (n < *cap)
		return a;
	nc = *cap ? *cap * 2 : 64;
	while (nc <= n)
		nc *= 2;
	na = realloc(a, nc * sz);
	if (na == NULL) {
		fprintf(stderr, "wireaudit: out of memory\n");
		exit(EXIT_STORE);
	}
	*cap = nc;
	return na;
}

