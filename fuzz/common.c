/* SPDX-License-Identifier: BSD-3-Clause */
/* common.c — the fuzz targets' shared engine, scratch store and packet
 * builders (fuzz.h). IPv4 (RFC 791), TCP (RFC 9293 §3.1) and UDP (RFC 768)
 * headers are written with zero checksums: the engine does not check them. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "store.h"
#include "x509.h"

static struct engine g_eng;
static struct store *g_store;
/* The harness's certificate context, kept across engine recycles: loading
 * the system anchors every FZ_RECYCLE inputs would cost more than the
 * inputs. Its caches are bounded (x509.h). */
static struct x509_ctx *g_x509;
static bool g_have;
static bool g_ndpi;
static unsigned g_inputs;
static char g_path[512];

static void fz_remove_files(void)
{
	char p[600];
	if (g_path[0] == 0)
		return;
	unlink(g_path);
	snprintf(p, sizeof(p), "%s-wal", g_path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", g_path);
	unlink(p);
}

/* A run killed by a crash, a timeout or libFuzzer's _Exit leaves its
 * store behind: remove those of processes that no longer exist. */
static void fz_remove_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[600];
	long pid;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (sscanf(de->d_name, "wireaudit-fuzz-%ld.db", &pid) != 1 || pid <= 0 ||
		    pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	closedir(d);
}

static void fz_close(void)
{
	if (!g_have)
		return;
	engine_free(&g_eng);
	store_close(g_store);
	g_store = NULL;
	g_have = false;
	fz_remove_files();
}

static void fz_x509_free(void)
{
	x509_ctx_free(g_x509);
	g_x509 = NULL;
}

struct x509_ctx *fz_x509(void)
{
	if (g_x509 == NULL) {
		if ((g_x509 = x509_ctx_new(NULL, NULL)) == NULL)
			abort();
		/* fz_open gets here before it registers fz_close, so at exit
		 * the engine (which borrows this) is freed first */
		atexit(fz_x509_free);
	}
	return g_x509;
}

static void fz_open(void)
{
	struct engine_config cfg;
	struct run_info ri = { 0 };
	char err[512];
	int64_t run_id;
	static bool registered;
	struct stat sb;

	if (g_path[0] == 0) {
		const char *dir = "/dev/shm";
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || access(dir, W_OK) != 0)
			dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(g_path, sizeof(g_path), "%s/wireaudit-fuzz-%ld.db", dir, (long)getpid());
		fz_remove_stale(dir);
	}
	fz_remove_files();
	if (store_open(&g_store, g_path, false, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
	memset(&ri, 0, sizeof(ri));
	ri.source = "fuzz";
	ri.mode = "offline";
	ri.snaplen = 65535;
	if (store_run_begin(g_store, &ri, &run_id) != 0)
		abort();
	engine_config_defaults(&cfg);
	cfg.max_flows = 64;
	cfg.ndpi = g_ndpi;
	if (engine_init(&g_eng, &cfg, g_store, run_id, fz_x509()) != 0)
		abort();
	g_have = true;
	if (!registered) {
		atexit(fz_close);
		registered = true;
	}
}

struct engine *fz_engine(bool ndpi)
{
	if (!g_have) {
		g_ndpi = ndpi;
		fz_open();
	}
	return &g_eng;
}

struct store *fz_store(void)
{
	fz_engine(false);
	return g_store;
}

void fz_end_input(struct engine *e)
{
	engine_flush_all(e);
	if (++g_inputs % FZ_RECYCLE == 0) {
		fz_close();
		fz_open();
	}
}

static void fz_ip4(uint8_t *b, bool from_client, uint8_t proto, size_t total)
{
	static const uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 0, 0, 2 };
	memset(b, 0, 20);
	b[0] = 0x45;
	b[2] = (uint8_t)(total >> 8);
	b[3] = (uint8_t)total;
	b[6] = 0x40;   /* DF */
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, from_client ? cli : srv, 4);
	memcpy(b + 16, from_client ? srv : cli, 4);
}

size_t fz_tcp4(uint8_t *buf, size_t cap, bool from_client, uint16_t cport, uint16_t sport,
	       uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *pl, size_t len)
{
	size_t total = 40 + len;
	uint8_t *t = buf + 20;
	uint16_t sp = from_client ? cport : sport, dp = from_client ? sport : cport;

	if (total > cap || total > FZ_PKT_MAX)
		return 0;
	fz_ip4(buf, from_client, 6, total);
	memset(t, 0, 20);
	t[0] = (uint8_t)(sp >> 8);
	t[1] = (uint8_t)sp;
	t[2] = (uint8_t)(dp >> 8);
	t[3] = (uint8_t)dp;
	t[4] = (uint8_t)(seq >> 24);
	t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8);
	t[7] = (uint8_t)seq;
	t[8] = (uint8_t)(ack >> 24);
	t[9] = (uint8_t)(ack >> 16);
	t[10] = (uint8_t)(ack >> 8);
	t[11] = (uint8_t)ack;
	t[12] = 5 << 4;
	t[13] = flags;
	t[14] = 0xff;
	t[15] = 0xff;
	if (len)
		memcpy(buf + 40, pl, len);
	return total;
}

size_t fz_udp4(uint8_t *buf, size_t cap, bool from_client, uint16_t cport, uint16_t sport,
	       const uint8_t *pl, size_t len)
{
	size_t total = 28 + len;
	uint8_t *u = buf + 20;
	uint16_t sp = from_client ? cport : sport, dp = from_client ? sport : cport;

	if (total > cap || total > FZ_PKT_MAX)
		return 0;
	fz_ip4(buf, from_client, 17, total);
	u[0] = (uint8_t)(sp >> 8);
	u[1] = (uint8_t)sp;
	u[2] = (uint8_t)(dp >> 8);
	u[3] = (uint8_t)dp;
	u[4] = (uint8_t)((len + 8) >> 8);
	u[5] = (uint8_t)(len + 8);
	u[6] = u[7] = 0;
	if (len)
		memcpy(buf + 28, pl, len);
	return total;
}
