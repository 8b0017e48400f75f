/* SPDX-License-Identifier: BSD-3-Clause */
/* retention.h — bounded storage for an always-on capture (issue 14):
 * per-flow rows past --retain-flows are rolled up by day into rows that
 * stand for many flows, roll-ups past --retain-rollups are removed, and
 * --max-db-size rolls up or removes the oldest days first. Work is done in
 * small transactions after the store's commits, on the thread that owns
 * the store (the store writer), never on the packet path. docs/APPLIANCE.md
 * and docs/SCHEMA.md ("Retention") say what a roll-up keeps. */
#ifndef WA_RETENTION_H
#define WA_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

#define RET_DAY_US (86400LL * 1000000LL)

struct retention_policy {
	int64_t flows_us;     /* roll up flows older than this (packet time); 0: never */
	int64_t rollups_us;   /* remove roll-ups older than this; 0: never */
	int64_t max_bytes;    /* keep the database's pages under this; 0: no cap */
};

struct retention_stats {
	int64_t days_rolled;      /* roll-up passes over a day */
	int64_t flows_rolled;     /* flows those days held (rows they stood for) */
	int64_t rows_before, rows_after;
	int64_t days_dropped;     /* roll-up days removed (age) */
	int64_t days_dropped_size; /* days removed by --max-db-size */
	int64_t flows_dropped;    /* flows those removed days stood for */
	int64_t steps, busy_us, longest_step_us;
	int64_t busy;             /* chunks put off: the write lock was not free */
	int64_t stats_thinned;    /* rows of the statistics series removed */
};

/* Opens its own connection to the database at path (a statement that takes
 * seconds, grouping a big day, then holds no lock the capture's writer
 * waits for; each chunk of deletes is a short write transaction) and, with
 * thread, a thread that looks for due work every second. NULL after a
 * message in err. */
struct retention *retention_start(const char *path, const struct retention_policy *p, bool quiet,
				  bool thread, char *err, size_t errlen);
/* The newest flow time written and the oldest start of an ended flow just
 * committed (INT64_MAX: none) (any thread; the capture's store calls it
 * after each commit, and lets the retention thread take the write lock if
 * it waits for it). */
void retention_note(struct retention *r, int64_t now, int64_t oldest);
/* Stops the thread, does all the work due, 0 or -1. */
int retention_finish(struct retention *r);
void retention_get_stats(const struct retention *r, struct retention_stats *st);
void retention_free(struct retention *r);

#endif
