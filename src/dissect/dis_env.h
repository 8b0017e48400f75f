/* SPDX-License-Identifier: BSD-3-Clause */
/* dis_env.h — what the dissection framework (dissect.c) needs from whoever
 * drives it: a clock, one option and a place to count its work. The engine
 * makes one (struct engine, engine_init) and passes it to dis_new(); the
 * framework never sees the engine, so it can be driven by a unit test with
 * nothing but this struct. */
#ifndef WA_DIS_ENV_H
#define WA_DIS_ENV_H

#include <stdint.h>

struct dis_pools;
struct pool;
struct x509_ctx;

/* The framework's cost counters, stored with the run (engine_stats). */
struct dis_stats {
	uint64_t dissector_calls;   /* parse() calls */
	uint64_t dissector_bytes;   /* bytes offered to parse() */
	uint64_t probe_calls;       /* probe() calls */
	uint64_t stream_caps;       /* dissectors stopped by the reassembly cap */
};

/* Owned by the driver, read-only to the framework except for the counters
 * *stats points to; it must outlive every context made with it. */
struct dis_env {
	const int64_t *now;         /* time of the packet being handled, µs
				     * (dis_ts, first data per direction) */
	uint32_t stream_cap;        /* per-direction reassembly cap: a dissector
				     * needing more is stopped (stream_cap) */
	struct dis_stats *stats;    /* bumped per probe and parse call */
	struct dis_pools *pools;    /* free lists and the shared certificate
				     * table (dis_pools_new); NULL: no
				     * certificate is kept (obs_cert) */
	struct pool *stream_bufs;   /* the driver's reassembly buffers, for
				     * releasing a stopped flow's (stream.h) */
	struct x509_ctx *x509;      /* trust anchors and caches certificates
				     * are judged with (dis_x509); NULL: chains
				     * are not evaluated */
};

#endif
