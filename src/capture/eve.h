/* SPDX-License-Identifier: BSD-3-Clause */
/* eve.h — the event stream (capture --eve; docs/INTEGRATIONS.md): one JSON
 * object per line, in Suricata's EVE envelope, for each flow record that
 * has become final (and, with --eve-snapshots, each checkpoint snapshot)
 * and for the statistics series once a minute.
 *
 * The stream is read back from the store by a thread of its own, on a
 * connection of its own, in the order of flows.seq (store_each_flow's
 * after_seq, the same walk as export --after): a "flow" event holds the
 * export record, made by the export's own function, so the stream and the
 * export cannot disagree. The packet path never waits for it: the thread
 * is behind the store's commits, and a reader that is slow or absent
 * costs events (counted: eve_counts, the stats events, the run's stats),
 * never packets.
 *
 * Destinations (eve_opts.target):
 *   FILE            appended; reopened on SIGHUP (logrotate's rename, then
 *                   SIGHUP: no line lost or repeated)
 *   unix:PATH       a SOCK_STREAM listener, non-blocking with a bounded
 *                   buffer (eve_opts.buffer); reconnected every second
 *   unix-dgram:PATH a SOCK_DGRAM socket, one event per datagram
 *   syslog...       RFC 5424 (eve_syslog.c)
 */
#ifndef WA_EVE_H
#define WA_EVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct jbuf;

struct eve_opts {
	const char *target;  /* see above */
	bool snapshots;      /* --eve-snapshots: checkpoint snapshots too */
	int stats_sec;       /* --eve-stats SEC: a stats event at most this often (0: only the last) */
	size_t buffer;       /* --eve-buffer: bytes waiting for a stream reader at most */
	const char *sensor;  /* the envelope's "sensor" */
	const char *ca_file, *cert, *key; /* syslog over TLS (eve_syslog.c) */
};

/* A destination other than a file: how bytes reach it. eve.c keeps the
 * buffer, the framing of events into it and the counts; a transport only
 * moves bytes (or datagrams). */
struct eve_transport {
	const char *name;
	bool dgram; /* one event per send(); else a byte stream */
	/* Connect (again). 0: connected or connecting (send says EAGAIN
	 * until it is); -1: not now, err says why (tried again in a second) */
	int (*connect)(void *ctx, char *err, size_t errlen);
	/* Like send(2) with MSG_DONTWAIT: the bytes taken, or -1 with errno
	 * (EAGAIN: later; anything else: the connection is lost) */
	ssize_t (*send)(void *ctx, const void *buf, size_t n);
	void (*disconnect)(void *ctx);
	void (*free)(void *ctx);
	/* One event (json: one object, no newline) as it goes on the wire,
	 * appended to out; NULL: the JSON and a newline */
	void (*frame)(void *ctx, struct jbuf *out, const char *json, size_t len, int64_t ts_us,
		      const char *event_type);
};

struct eve;

/* Starts the thread, reading db from its current end (records already
 * there are not sent). 0, or -1 with err set (a target that cannot be
 * used at all: a file that cannot be opened, a bad syslog address). */
int eve_start(struct eve **out, const char *db, const struct eve_opts *o, int64_t run_id,
	      char *err, size_t errlen);
/* SIGHUP: a file target is reopened before the next event (any thread). */
void eve_reopen(struct eve *e);
/* The store's flows.seq the stream has read up to (any thread): a fleet
 * sensor's forwarder trims its spool no further (forward.h). */
int64_t eve_read_seq(void *e);
/* Events sent so far, and dropped (a reader too slow, absent, or gone). */
void eve_counts(struct eve *e, uint64_t *written, uint64_t *dropped);
/* A last pass over everything committed by now (the caller has committed
 * its last rows): a reader that keeps taking events gets them all (for up
 * to 10 × grace_us), one that takes nothing for grace_us is given up on;
 * what it did not take is dropped (counted). Returns 0, or -1 if the store
 * could not be read. */
int eve_finish(struct eve *e, int64_t grace_us);
void eve_free(struct eve *e);

/* eve_syslog.c: 1 if target is not a syslog one; 0 with *t and *ctx set;
 * -1 with err set. */
int eve_syslog_transport(const char *target, const struct eve_opts *o,
			 const struct eve_transport **t, void **ctx, char *err, size_t errlen);

#endif
