/* SPDX-License-Identifier: BSD-3-Clause */
/* swq.h — the store writer: a thread that owns the store's connection while
 * the capture runs, fed by the packet thread through a bounded ring of flow
 * records (docs/ARCHITECTURE.md, "Two threads"; docs/PERFORMANCE.md).
 *
 * Why: writing a flow to SQLite (binding, the VDBE, the B-trees, pwrite) was
 * 45% of a handshake-heavy capture's time, all of it on the packet path.
 * With the writer, the packet thread builds the record and goes on.
 *
 * One writer, one or several producers (live capture with --workers: one
 * engine per worker), each with a ring of its own (a lane): no lock is
 * shared per record, one per batch. A lane's records are written in the
 * order they were pushed, so with one producer the store receives exactly
 * the sequence of calls a synchronous capture makes: same rows, same ids,
 * same commits. Lanes are written one after the other, each batch whole.
 *
 * A record may carry up to two objects the producer owns (a flow's
 * dissection context, which the record's pointers reach into): they stay
 * alive until the writer is done with the record, and the producer releases
 * them itself (swq_slot / swq_sync reclaim written records and call the
 * release callback on the producer's thread), so that the dissection pools
 * are only ever touched by the thread that owns them.
 *
 * Back-pressure: when the ring is full the producer waits for the writer
 * (the packet path stalls rather than dropping a record); every wait and
 * its length are counted (swq_stats) and stored with the run.
 *
 * Direct access (one producer only): after swq_sync() returns, the writer
 * is idle and the ring empty; the producer may call the store itself (checkpoints, the run's
 * progress row) until its next swq_push() (the writer's idle commit waits
 * for that too). The mutex orders the two threads' accesses.
 */
#ifndef WA_SWQ_H
#define WA_SWQ_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"
#include "obs_clear.h"

#define SWQ_DEFAULT_SLOTS 1024

enum swq_kind {
	SWQ_FLOW,       /* store_flow(&r) */
	SWQ_COUNTERS,   /* store_flow_counters(&r) */
	SWQ_PROGRESS,   /* store_run_progress(run_id, &re), then store_commit */
	SWQ_STATS,      /* store_stats_row(&sr): a row of the statistics series */
};

struct swq_msg {
	enum swq_kind kind;
	bool final;                 /* the flow's last row (counts as written) */
	struct flow_rec r;          /* pointers into own[] or into this message */
	struct obs_clear clr;       /* r.clear points here when set */
	char ndpi_proto[64], ndpi_cat[64];
	void *own[2];               /* released on the producer's thread */
	int64_t run_id;             /* SWQ_PROGRESS */
	struct run_end re;          /* SWQ_PROGRESS (no stats_json, status) */
	struct stats_row sr;        /* SWQ_STATS (sr.iface lives for the run) */
};

struct swq_stats {
	uint64_t pushed;            /* records handed to the writer */
	uint64_t errors_final;      /* final rows the store refused */
	uint64_t errors_other;      /* snapshot or counter rows refused */
	uint64_t waits;             /* times the producer found the ring full */
	uint64_t wait_us;           /* and waited for the writer, in all */
	uint64_t syncs;             /* swq_sync calls that had to wait */
	uint32_t max_depth;         /* most records queued at once */
	uint32_t slots;
};

struct swq;

/* Starts the writer thread on s (which it uses until swq_stop). release
 * frees an owned object (called on the producer's thread). 0, or -1 with a
 * message in err. */
int swq_start(struct swq **out, struct store *s, unsigned slots,
	      void (*release)(void *obj, void *arg), void *release_arg,
	      char *err, size_t errlen);
/* The same with n producers (n lanes, out[0..n-1]) sharing one writer;
 * release_args[k] is lane k's. Direct access is not allowed: swq_sync
 * waits only for the lane's own records. Each lane is stopped by its
 * producer (swq_stop); the last stop ends the writer. */
int swq_start_shared(struct swq **out, unsigned n, struct store *s, unsigned slots,
		     void (*release)(void *obj, void *arg), void *const *release_args,
		     char *err, size_t errlen);
/* Whether the lane shares its writer (no direct access to the store). */
bool swq_shared(const struct swq *q);
/* The next free record (zeroed), after reclaiming written ones; waits while
 * the ring is full. Fill it, then swq_push. */
struct swq_msg *swq_slot(struct swq *q);
void swq_push(struct swq *q);
/* Hands the records pushed so far to the writer now (they otherwise go in
 * batches): the capture's tick calls it, so a quiet live link's records
 * are written within the writer's idle interval. Cheap when none wait. */
void swq_flush(struct swq *q);
/* Waits until every record pushed to this lane is written, and reclaims
 * them. */
void swq_sync(struct swq *q);
/* The store failed (store_failed), as the writer last saw it: NULL or why.
 * Safe to call at any time from the producer. */
const char *swq_failed(struct swq *q);
/* Statistics so far (consistent after swq_sync). */
void swq_get_stats(struct swq *q, struct swq_stats *out);
/* Syncs and closes the lane; the last lane stopped stops and joins the
 * writer and frees the rings. NULL is a no-op. */
void swq_stop(struct swq *q);

#endif
