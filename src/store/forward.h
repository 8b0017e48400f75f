/* SPDX-License-Identifier: BSD-3-Clause */
/* forward.h — ships a sensor's spool (its local SQLite store) to the fleet
 * database (PostgreSQL), in flows.seq order, exactly once, and keeps the
 * spool bounded. See pg.h and docs/FLEET.md. */
#ifndef WA_FORWARD_H
#define WA_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fwd_opts {
	const char *conninfo;  /* -d postgresql://... */
	const char *spool;     /* --spool PATH */
	int64_t spool_max;     /* --spool-max bytes (0: no bound) */
	bool quiet;
	int64_t run_id;        /* the capture's run in the spool (0: none): its
				* stats' spool object gets the final drop count */
	/* another reader of the spool (the event stream): records past
	 * trim_limit(trim_arg) stay in the spool until it has read them */
	int64_t (*trim_limit)(void *trim_arg);
	void *trim_arg;
	/* a count of stop signals (read atomically): one more after
	 * fwd_finish began ends its wait for the database */
	int *cancel;
};

struct fwd_stats {
	uint64_t flows_forwarded;  /* records (final and snapshots) taken by PostgreSQL */
	uint64_t stats_forwarded;
	uint64_t flows_dropped;    /* final records dropped from a full spool */
	uint64_t passes, failures, reconnects;
	int64_t pending;           /* records the spool still holds for PostgreSQL (-1: unknown) */
	bool connected;
};

struct forwarder;
/* Starts the thread. The spool must exist (the capture opened it). */
int fwd_start(struct forwarder **out, const struct fwd_opts *o, char *err, size_t errlen);
/* Forwards what is left, for up to grace_us while PostgreSQL takes it,
 * stops the thread, frees. Returns the records still waiting in the spool. */
int64_t fwd_finish(struct forwarder *f, int64_t grace_us, struct fwd_stats *st);
void fwd_get_stats(struct forwarder *f, struct fwd_stats *st);

/* `wireaudit forward`: drain a spool into PostgreSQL and return (no
 * capture): exit code. */
int fwd_drain_command(const struct fwd_opts *o, int64_t timeout_us);

#endif
