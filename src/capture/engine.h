/* SPDX-License-Identifier: BSD-3-Clause */
/* engine.h — the per-packet path: decode -> flow table -> reassembly ->
 * dissectors and nDPI -> flows written to the store when they end. */
#ifndef WA_ENGINE_H
#define WA_ENGINE_H

#include <stdint.h>
#include <stdbool.h>

#include "decode.h"
#include "flow.h"
#include "dis_env.h"
#include "pool.h"
#include "swq.h"

struct store;
struct swq;
struct wa_ndpi;
struct x509_ctx;

struct engine_config {
	uint32_t max_flows;        /* flow cap; oldest idle evicted past it */
	uint32_t stream_cap;       /* per-direction reassembly bytes */
	int64_t tcp_timeout;       /* idle timeouts, microseconds */
	int64_t udp_timeout;
	int64_t closing_timeout;   /* after FIN both ways or RST */
	bool ndpi;                 /* classify with nDPI */
	uint16_t ndpi_max_pkts;    /* packets per flow given to nDPI at most */
	uint8_t ndpi_mode;         /* NDPI_MODE_*: how far nDPI follows claimed flows */
};

/* nDPI on flows one of our dissectors claimed (docs/PERFORMANCE.md):
 * UNCLAIMED (default): none — nDPI is dropped from a flow at the packet a
 * dissector claims it, and the flow's nDPI fields are null;
 * CLASSIFY: nDPI goes on until it has named the protocol (a second opinion
 * on the protocol, not on its risks);
 * ALL: nDPI dissects as far as it wants (certificate and credential risks).
 * Flows no dissector claims always get nDPI in full. */
enum { NDPI_MODE_UNCLAIMED = 0, NDPI_MODE_CLASSIFY, NDPI_MODE_ALL };

void engine_config_defaults(struct engine_config *c);

/* Cost and decode counters, stored with the run. */
struct engine_stats {
	uint64_t packets, bytes;
	uint64_t dec[DEC_NRESULTS];      /* per decode result */
	uint64_t flows_tcp, flows_udp, flows_icmp; /* flows_icmp: ICMP and ICMPv6 */
	uint64_t flows_written;
	uint64_t flows_evicted, flows_expired, flows_closed;
	struct dis_stats dis;            /* the dissection framework's (dis_env) */
	uint64_t ndpi_packets, ndpi_flows;
	uint64_t ndpi_stopped;           /* flows whose nDPI ended at a claim */
	uint64_t bypassed_packets;
	uint64_t stream_gaps, retransmissions, overlap_mismatches;
	uint64_t store_errors;
	uint64_t checkpoint_rows;        /* snapshot rows of open flows */
	uint64_t anomalies;              /* in flows' final rows (the stats series) */
	uint64_t flows_encrypted;        /* final rows: TLS, STARTTLS or the protocol's own */
	uint64_t flows_cleartext;        /* final rows: cleartext, TLS refused, STARTTLS not used */
	int64_t ts_first, ts_last;
};

struct engine {
	struct engine_config cfg;
	struct flow_table ft;
	struct store *store;
	struct wa_ndpi *ndpi;
	struct dis_pools *dis;     /* dissection pools and shared certificates (owned) */
	struct pool stream_bufs;   /* reassembly buffers of the first size (stream.h) */
	struct x509_ctx *x509;     /* trust anchors and certificate caches (the caller's) */
	int64_t run_id;
	int64_t now;               /* current packet time */
	uint32_t ckpt_pending[FL_NLISTS]; /* MARKED flows (flow.h), per list
					   * they were on when marked */
	struct engine_stats st;
	struct swq *wq;            /* the store writer thread, or NULL: the
				    * store is written on this thread */
	struct swq_stats wq_folded; /* its counters as of the last sync */
	const char *iface;         /* the interface its packets come from (each
				    * flow's), NULL for files; the caller's */
	struct dis_env denv;       /* given to every dissection context: the
				    * clock (now), stream_cap, st.dis, the
				    * pools (dis) and x509 */
};

/* Returns 0, or -1 with a message on stderr. The store must be open. x509
 * is the context certificates are validated against (dis_x509); it stays
 * the caller's and must outlive the engine. NULL: chains are not evaluated
 * (trusted -1, no_trust_store). The engine must not move afterwards: its
 * dissection contexts point at denv, which points into it. */
int engine_init(struct engine *e, const struct engine_config *cfg, struct store *s, int64_t run_id,
		struct x509_ctx *x509);
/* One captured packet. ts in microseconds. */
void engine_packet(struct engine *e, int dlt, int64_t ts, const uint8_t *data,
		   uint32_t caplen, uint32_t wire_len);
/* Expire idle flows as of time now (live capture when no packets come). */
void engine_expire(struct engine *e, int64_t now);
/* Write out every flow still open (end of capture, or signal). */
void engine_flush_all(struct engine *e);
/* Checkpoint (docs/ARCHITECTURE.md, durability): write a snapshot row
 * (end_reason "open") for every flow that was already open at the previous
 * checkpoint (every open flow if all: SIGHUP) and was never written or has
 * new packets since its last snapshot, from the observations so far.
 * Dissector and nDPI state are left as they are; the flow's final row
 * replaces the snapshot (same flow_id) when it ends. Rows go into the store's current batch: commit after.
 * Returns the number of rows written. Cost: a walk over the flows touched
 * in the last two intervals (not the whole table; SIGHUP walks it all), one
 * row per long-lived changed flow. */
uint64_t engine_checkpoint(struct engine *e, bool all);
void engine_free(struct engine *e);

/* The store writer (swq.h): from now on final rows go to a thread of their
 * own with slots records in flight at most; snapshots of live flows drain
 * it first. 0, or -1 with err. */
int engine_set_writer(struct engine *e, unsigned slots, char *err, size_t errlen);
/* Several engines (live --workers), one writer: each engine gets a lane
 * of its own (swq_start_shared); each stops its own (engine_stop_writer,
 * engine_free) and the last one stops the writer. 0, or -1 with err. */
#define ENGINE_MAX_WORKERS 64
int engine_set_writers(struct engine *const *es, unsigned n, unsigned slots, char *err, size_t errlen);
/* sum += w: counters added, the time span widened (the workers' totals) */
void engine_stats_add(struct engine_stats *sum, const struct engine_stats *w);
/* Waits for the writer to write everything pushed, releases what it
 * wrote, and folds its refused rows into st (flows_written,
 * checkpoint_rows, store_errors). Afterwards the caller may use the store
 * directly until the next packet. No-op without a writer. */
void engine_writer_sync(struct engine *e);
/* The run's progress row and a commit (a checkpoint's end), through the
 * writer when there is one (in order after the snapshot rows). */
struct run_end;
int engine_run_progress(struct engine *e, int64_t run_id, const struct run_end *re);
/* A row of the statistics series, through the writer when there is one (in
 * order, committed with the next progress row or batch). */
int engine_stats_row(struct engine *e, const struct stats_row *sr);
/* store_failed() as the thread that writes sees it. */
const char *engine_store_failed(struct engine *e);
/* Syncs and stops the writer (engine_free does it too). */
void engine_stop_writer(struct engine *e);

/* Server-port hint used by the client/server heuristic. */
bool engine_is_server_port(uint16_t port, uint8_t proto);

#endif
