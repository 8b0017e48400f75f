/* SPDX-License-Identifier: BSD-3-Clause */
/* capture.h — reading packets with libpcap (files or a live interface) into
 * the engine, with the run recorded in the store. */
#ifndef WA_CAPTURE_H
#define WA_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "eve.h"
#include "exitcodes.h"

/* -i given at most this often in one run (each interface has a worker at
 * least, ENGINE_MAX_WORKERS in all) */
#define CAPTURE_MAX_IFACES 16

struct capture_opts {
	const char **files;     /* -r, several allowed */
	int nfiles;
	const char *iface;      /* -i: the first interface (ifaces[0]) */
	const char **ifaces;    /* -i, several allowed: each its own workers
				 * and fanout group (capture.c); NULL with
				 * nifaces 0 and iface set: that one */
	int nifaces;
	unsigned buffer_kib;    /* -B: the kernel buffer per socket, KiB
				 * (0: 65536, libpcap's pcap_set_buffer_size) */
	const char *filter;     /* -f BPF */
	const char *db;         /* -d: a SQLite file, or a PostgreSQL connection
				 * string (pg.h): then the store is the spool */
	const char *spool;      /* --spool: the local SQLite file a fleet
				 * sensor writes and forwards from (forward.h) */
	int64_t spool_max;      /* --spool-max bytes (0: no bound) */
	int64_t spool_drain_us; /* --spool-drain: how long the end of a run
				 * waits for PostgreSQL to take the rest */
	int snaplen;
	int64_t count;          /* -c: stop after this many packets (0: no limit) */
	int64_t duration;       /* --duration seconds (0: no limit) */
	bool promisc;
	bool progress;          /* progress on stderr (only if a terminal) */
	bool quiet;
	bool verbose;            /* -v: the summary line with internal counters */
	const char *drop_user;  /* -Z: user to switch to after opening the interface */
	int checkpoint_sec;     /* --checkpoint: snapshot open flows and commit
				 * every SEC wall-clock seconds (0: never) */
	bool store_thread;      /* the store written by a thread of its own
				 * (swq.h); --no-store-thread: inline */
	unsigned store_slots;   /* --store-queue: records in flight at most */
	bool read_thread;       /* savefiles read by a thread of their own
				 * (reader.h); --no-read-thread: inline */
	unsigned workers;       /* --workers: packet workers per live interface
				 * (AF_PACKET fanout); 0: by the cores, shared
				 * among the interfaces (capture.c
				 * default_workers) */
	/* retention (src/store/retention.h; --retain-flows, --retain-rollups,
	 * --max-db-size or the configuration file's retain_flows,
	 * retain_rollups, max_db_size): 0 each, off */
	int64_t retain_flows_us;   /* --retain-flows: roll up flows older than this */
	int64_t retain_rollups_us; /* --retain-rollups: remove roll-ups older than this */
	int64_t max_db_bytes;      /* --max-db-size */
	uint16_t cid_seed;      /* --community-id-seed: the flows' Community ID seed */
	struct eve_opts eve;    /* --eve (target NULL: off), --eve-*, --sensor */
	struct engine_config eng;
	struct x509_ctx *x509;  /* --ca-file / --system-ca anchors and certificate
				 * caches (the caller's: x509_ctx_new, _free);
				 * the first worker's */
	const char *system_ca, *ca_file; /* for the other workers' own */
	const char *keylog;     /* --keylog FILE (keylog.h; opened by the caller) */
	const char *config;     /* --config FILE: re-read on SIGHUP */
	/* SIGHUP with --config: the settings the file and the command line
	 * give now (a new parse, the caller's), NULL after a message when the
	 * file is bad; reload_done frees it. Called on the main thread. */
	struct capture_opts *(*reload)(void);
	void (*reload_done)(struct capture_opts *);
};


/* Returns an exit code; everything observed is in the store on return. */
int capture_run(const struct capture_opts *o);

#endif
