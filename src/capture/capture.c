/* SPDX-License-Identifier: BSD-3-Clause */
/* capture.c — the libpcap loop; see capture.h. */
#define _GNU_SOURCE
#include "capture.h"
#include "pg.h"
#include "forward.h"
#include "retention.h"
#include "json.h"
#include "store.h"
#include "swq.h"
#include "reader.h"
#include "service.h"
#include "digest.h"
#include "x509.h"
#include "util.h"

#include <errno.h>
#include <sys/file.h>
#include <grp.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <pthread.h>
#include <malloc.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include <zlib.h>

static volatile sig_atomic_t stop_signal, hup_pending;
/* SIGINT/SIGTERM received so far: one more while the end of a run waits
 * for PostgreSQL (--spool-drain) ends the wait (forward.h cancel) */
static int stop_count;
static pcap_t *active_pcap;  /* one worker: the handler breaks its loop */
/* Stop, seen by every thread (atomic): a signal, the store failed, -c or
 * --duration reached by any worker. */
static int stop_all;
/* the store refused a write (disk full, read-only, locked): stop reading */
static int store_broken;
/* checkpoints (docs/ARCHITECTURE.md, durability): the interval */
static int64_t ckpt_usec, run_cpu0; /* ckpt_usec: atomic (SIGHUP changes it) */
static int64_t cur_run_id;
static const struct capture_opts *run_opts;
static struct eve *run_eve; /* --eve: the event stream (eve.h), or NULL */

/* The service manager (service.h): READY once set up, then WATCHDOG and
 * STATUS from the packet path (the one worker's ticks, or, with several,
 * the main thread when every worker has ticked since the last ping), so
 * that a wedged packet loop stops the pings and systemd restarts us. */
static struct {
	bool on;                    /* NOTIFY_SOCKET set, READY sent */
	int64_t wd_period;          /* µs between pings: half of WATCHDOG_USEC; 0 off */
	int64_t wd_last;            /* the last ping, wall clock µs */
	int64_t st_last;            /* the last STATUS */
	uint64_t st_packets;        /* packets at the last STATUS */
} svc;

/* One packet loop: the only one (files, or -i with one worker), or one of
 * --workers N on a live interface (AF_PACKET fanout), each with an engine
 * of its own (flow table, dissectors, nDPI, certificate caches) and a lane
 * of the one store writer. */
struct worker {
	struct engine eng;          /* must not move (engine_init) */
	unsigned idx;
	bool solo;                  /* the only worker: on the main thread */
	const char *iface;          /* its interface (NULL: files) */
	unsigned ifi;               /* that interface's index in the run */
	bool if_first;              /* the interface's first worker (its
				     * ps_ifdrop stands for the interface) */
	pcap_t *p;
	pthread_t th;
	struct x509_ctx *own_x509;  /* workers after the first: their own */
	/* checkpoints: the wall-clock schedule; scheduled ones, those whose
	 * next interval was stretched, the longest interval used (µs) */
	int64_t ckpt_next, ckpt_cpu;
	int64_t ckpt_count, ckpt_stretched, ckpt_wait_max;
	int64_t wq_flushed;         /* the last swq_flush, wall clock */
	int hup;                    /* atomic: SIGHUP, passed on by the main thread */
	int finished;               /* atomic: its loop has ended */
	/* published at each tick (atomics) for the others' progress rows */
	uint64_t pub_packets, pub_bytes, pub_flows;
	int64_t pub_ts_first, pub_ts_last;
	/* for the statistics series (docs/SCHEMA.md "stats"), also atomics:
	 * open flows, evicted, anomalies, store queue waits; the kernel's
	 * counters (pcap_stats, -1 unknown) at most KSTATS_USEC old */
	uint64_t pub_open, pub_evicted, pub_anoms, pub_qwaits, pub_qwait_us;
	int64_t pub_recv, pub_drops, pub_ifdrops;
	int64_t kstats_at;          /* wall clock of the last pcap_stats */
	int64_t recv, drops, if_drops; /* pcap_stats at the end, -1 unknown */
	/* for the service manager (atomics): the last tick, open flows,
	 * kernel drops so far (pcap_stats once a second, -1 unknown) */
	int64_t beat;
	int64_t pub_kdrops, kdrops_next;
	int rc;                     /* EXIT_OK or EXIT_INPUT (interface error) */
};
static struct worker **workers;
static unsigned nworkers;
/* the run's interfaces (none: files) */
static const char *const *run_ifaces;
static unsigned run_nifaces;
/* how often a worker asks the kernel for its socket's counters: cheap
 * (a getsockopt, and /proc/net/dev for the interface's drops), not per
 * packet */
#define KSTATS_USEC 250000
/* a live worker's longest wait for packets: idle ticks, and how soon a
 * worker notices a stop asked by another thread */
#define LIVE_IDLE_MS 250
/* -c and --duration over all workers */
static uint64_t total_packets;
static struct retention *run_ret; /* --retain-*, --max-db-size: or NULL */
static struct forwarder *run_fwd; /* -d postgresql://: the spool's forwarder, or NULL */
static int64_t ts_start_all;

/* CPU time of this process, µs: the run's total */
static int64_t cpu_us(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* CPU time of this thread, µs: what its checkpoints cost, whatever the
 * other threads do */
static int64_t thread_cpu_us(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool stopping(void)
{
	return __atomic_load_n(&stop_all, __ATOMIC_RELAXED) != 0;
}

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		hup_pending = 1;
		return;
	}
	stop_signal = sig;
	__atomic_store_n(&stop_all, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&stop_count, 1, __ATOMIC_RELAXED);
	if (active_pcap)
		pcap_breakloop(active_pcap);
}

static bool is_regular(const char *path)
{
	struct stat sb;
	return strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* What this worker has done so far, for the progress rows of all. */
static void worker_publish(struct worker *w)
{
	const struct engine_stats *st = &w->eng.st;
	__atomic_store_n(&w->pub_packets, st->packets, __ATOMIC_RELAXED);
	__atomic_store_n(&w->pub_bytes, st->bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&w->pub_flows, st->flows_written, __ATOMIC_RELAXED);
	__atomic_store_n(&w->pub_ts_first, st->ts_first, __ATOMIC_RELAXED);
	__atomic_store_n(&w->pub_ts_last, st->ts_last, __ATOMIC_RELAXED);
	__atomic_store_n(&w->pub_open, (uint64_t)w->eng.ft.count, __ATOMIC_RELAXED);
	__atomic_store_n(&w->pub_evicted, st->flows_evicted, __ATOMIC_RELAXED);
	__atomic_store_n(&w->pub_anoms, st->anomalies, __ATOMIC_RELAXED);
}

/* The kernel's counters of this worker's socket and the store queue's
 * waits, published (a live worker, on its own thread: pcap_stats is not
 * called on another thread's handle). */
static void worker_kstats(struct worker *w, int64_t now)
{
	struct pcap_stat ps;
	w->kstats_at = now;
	if (w->eng.wq) {
		struct swq_stats q;
		swq_get_stats(w->eng.wq, &q);
		__atomic_store_n(&w->pub_qwaits, q.waits, __ATOMIC_RELAXED);
		__atomic_store_n(&w->pub_qwait_us, q.wait_us, __ATOMIC_RELAXED);
	}
	if (w->iface == NULL || w->p == NULL || pcap_stats(w->p, &ps) != 0)
		return;
	__atomic_store_n(&w->pub_recv, (int64_t)ps.ps_recv, __ATOMIC_RELAXED);
	__atomic_store_n(&w->pub_drops, (int64_t)ps.ps_drop, __ATOMIC_RELAXED);
	__atomic_store_n(&w->pub_ifdrops, (int64_t)ps.ps_ifdrop, __ATOMIC_RELAXED);
}

static void add_known(int64_t *sum, int64_t v)
{
	if (v >= 0)
		*sum = (*sum < 0 ? 0 : *sum) + v;
}

/* Interface ifi's row of the statistics series (offline: the run's, ifi
 * 0): its workers' counters summed, from what they published (final:
 * their exact counters, after they stopped). */
static void stats_row_fill(struct stats_row *sr, unsigned ifi, bool final)
{
	memset(sr, 0, sizeof(*sr));
	sr->run_id = cur_run_id;
	sr->ts = now_us();
	sr->final = final;
	sr->iface = run_nifaces ? run_ifaces[ifi] : NULL;
	sr->received = sr->kernel_drops = sr->if_drops = -1;
	for (unsigned k = 0; k < nworkers; k++) {
		struct worker *w = workers[k];
		int64_t last;
		if (run_nifaces && w->ifi != ifi)
			continue;
		sr->workers++;
		if (final) {
			const struct engine_stats *st = &w->eng.st;
			sr->packets += st->packets;
			sr->bytes += st->bytes;
			sr->flows_ended += st->flows_written;
			sr->flows_evicted += st->flows_evicted;
			sr->anomalies += st->anomalies;
			sr->open_flows += w->eng.ft.count;
			sr->queue_waits += w->eng.wq_folded.waits;
			sr->queue_wait_us += w->eng.wq_folded.wait_us;
			last = st->ts_last;
			add_known(&sr->received, w->recv);
			add_known(&sr->kernel_drops, w->drops);
			if (w->if_first)
				add_known(&sr->if_drops, w->if_drops);
		} else {
			sr->packets += __atomic_load_n(&w->pub_packets, __ATOMIC_RELAXED);
			sr->bytes += __atomic_load_n(&w->pub_bytes, __ATOMIC_RELAXED);
			sr->flows_ended += __atomic_load_n(&w->pub_flows, __ATOMIC_RELAXED);
			sr->flows_evicted += __atomic_load_n(&w->pub_evicted, __ATOMIC_RELAXED);
			sr->anomalies += __atomic_load_n(&w->pub_anoms, __ATOMIC_RELAXED);
			sr->open_flows += __atomic_load_n(&w->pub_open, __ATOMIC_RELAXED);
			sr->queue_waits += __atomic_load_n(&w->pub_qwaits, __ATOMIC_RELAXED);
			sr->queue_wait_us += __atomic_load_n(&w->pub_qwait_us, __ATOMIC_RELAXED);
			last = __atomic_load_n(&w->pub_ts_last, __ATOMIC_RELAXED);
			add_known(&sr->received, __atomic_load_n(&w->pub_recv, __ATOMIC_RELAXED));
			add_known(&sr->kernel_drops, __atomic_load_n(&w->pub_drops, __ATOMIC_RELAXED));
			if (w->if_first)
				add_known(&sr->if_drops,
					  __atomic_load_n(&w->pub_ifdrops, __ATOMIC_RELAXED));
		}
		if (last > sr->pkt_ts)
			sr->pkt_ts = last;
	}
}

/* STATUS=IFACE: R packets/s, D kernel drops, O open flows, P packets, F
 * flows written (docs/APPLIANCE.md "Watch"): the workers' published
 * counts, the rate since the last line. */
static void service_status(int64_t now)
{
	uint64_t pk = 0, open = 0, flows = 0;
	int64_t drops = -1;
	char line[256], dr[32];
	double rate;
	for (unsigned k = 0; k < nworkers; k++) {
		const struct worker *o = workers[k];
		int64_t d = __atomic_load_n(&o->pub_kdrops, __ATOMIC_RELAXED);
		pk += __atomic_load_n(&o->pub_packets, __ATOMIC_RELAXED);
		open += __atomic_load_n(&o->pub_open, __ATOMIC_RELAXED);
		flows += __atomic_load_n(&o->pub_flows, __ATOMIC_RELAXED);
		if (d >= 0)
			drops = (drops < 0 ? 0 : drops) + d;
	}
	rate = now > svc.st_last ? (double)(pk - svc.st_packets) * 1e6 / (double)(now - svc.st_last) : 0;
	if (drops >= 0)
		snprintf(dr, sizeof(dr), "%lld", (long long)drops);
	else
		snprintf(dr, sizeof(dr), "unknown");
	snprintf(line, sizeof(line), "%.64s: %.0f packets/s, %s kernel drops, %llu open flows, "
		 "%llu packets, %llu flows written", run_opts->iface ? run_opts->iface : "files",
		 rate, dr, (unsigned long long)open, (unsigned long long)pk, (unsigned long long)flows);
	svc_status(line);
	svc.st_last = now;
	svc.st_packets = pk;
}

/* The watchdog ping and the STATUS line, each on time: called by the one
 * worker's tick, or by the main thread with several workers. A ping
 * needs every worker to have ticked since the last one. */
static void service_tick(int64_t now)
{
	if (!svc.on)
		return;
	if (svc.wd_period && now - svc.wd_last >= svc.wd_period) {
		unsigned k;
		for (k = 0; k < nworkers; k++)
			if (__atomic_load_n(&workers[k]->beat, __ATOMIC_RELAXED) < svc.wd_last)
				break;
		if (k == nworkers) {
			svc_watchdog();
			svc.wd_last = now;
		}
	}
	if (now - svc.st_last >= 1000000)
		service_status(now);
}

static bool str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

/* SIGHUP with --config: the file again (with the same command line over
 * it). What can change without reopening the interfaces is applied (the
 * checkpoint interval); what cannot is named, and the run goes on with
 * what it has. One line on stderr either way. */
static void capture_reload(void)
{
	const struct capture_opts *o = run_opts;
	struct capture_opts *n;
	char applied[128] = "none", restart[512] = "";
	size_t rl = 0;
	int64_t cur;

	if (o == NULL || o->reload == NULL)
		return;
	if ((n = o->reload()) == NULL) {
		fprintf(stderr, "wireaudit: %s: not reloaded; the settings in use are kept\n", o->config);
		return;
	}
	cur = __atomic_load_n(&ckpt_usec, __ATOMIC_RELAXED);
	if (n->checkpoint_sec * 1000000LL != cur) {
		snprintf(applied, sizeof(applied), "checkpoint %lld -> %d", (long long)(cur / 1000000),
			 n->checkpoint_sec);
		__atomic_store_n(&ckpt_usec, n->checkpoint_sec * 1000000LL, __ATOMIC_RELAXED);
	}
#define RESTART_IF(cond, name) \
	do { \
		if ((cond) && rl < sizeof(restart)) \
			rl += (size_t)snprintf(restart + rl, sizeof(restart) - rl, "%s%s", \
					       rl ? ", " : "", name); \
	} while (0)
	{
		bool ifs = n->nifaces != o->nifaces || str_differs(n->iface, o->iface);
		for (int i = 0; !ifs && i < n->nifaces && n->ifaces && o->ifaces; i++)
			ifs = str_differs(n->ifaces[i], o->ifaces[i]);
		RESTART_IF(ifs, "interface");
	}
	RESTART_IF(str_differs(n->filter, o->filter), "filter");
	RESTART_IF(str_differs(n->db, o->db), "database");
	RESTART_IF(str_differs(n->spool, o->spool) || n->spool_max != o->spool_max, "spool");
	RESTART_IF(str_differs(n->drop_user, o->drop_user), "user");
	RESTART_IF(n->snaplen != o->snaplen, "snaplen");
	RESTART_IF(n->promisc != o->promisc, "promisc");
	RESTART_IF(n->workers != o->workers, "workers");
	RESTART_IF(n->eng.max_flows != o->eng.max_flows, "max_flows");
	RESTART_IF(n->eng.stream_cap != o->eng.stream_cap, "stream_cap");
	RESTART_IF(n->eng.ndpi != o->eng.ndpi || n->eng.ndpi_mode != o->eng.ndpi_mode, "ndpi");
	RESTART_IF(str_differs(n->ca_file, o->ca_file), "ca_file");
	RESTART_IF(str_differs(n->system_ca, o->system_ca), "system_ca");
	RESTART_IF(n->retain_flows_us != o->retain_flows_us, "retain_flows");
	RESTART_IF(n->max_db_bytes != o->max_db_bytes, "max_db_size");
	RESTART_IF(n->retain_rollups_us != o->retain_rollups_us, "retain_rollups");
	RESTART_IF(str_differs(n->eve.sensor, o->eve.sensor), "sensor");
	RESTART_IF(str_differs(n->eve.target, o->eve.target) || n->eve.snapshots != o->eve.snapshots ||
		   n->eve.stats_sec != o->eve.stats_sec || n->eve.buffer != o->eve.buffer ||
		   str_differs(n->eve.ca_file, o->eve.ca_file) || str_differs(n->eve.cert, o->eve.cert) ||
		   str_differs(n->eve.key, o->eve.key), "eve");
#undef RESTART_IF
	fprintf(stderr, "wireaudit: %s reloaded: applied: %s%s%s\n", o->config, applied,
		rl ? "; needs a restart: " : "", restart);
	o->reload_done(n);
}

/* Checkpoint open flows and commit: on schedule, or now (SIGHUP). */
static void capture_checkpoint(struct worker *w, const char *why)
{
	struct engine *e = &w->eng;
	struct run_end re;
	int64_t t0 = thread_cpu_us();
	uint64_t n;

	/* with the store writer, snapshots go to it as copies (dis_snapshot),
	 * in order: the packet thread does not wait for the store */
	n = engine_checkpoint(e, why != NULL);

	memset(&re, 0, sizeof(re));
	re.drops = re.if_drops = -1;
	worker_publish(w);
	worker_kstats(w, now_us());
	/* the run so far: every worker's last published counts (with several,
	 * each checkpoint's row sums them; the others' are at most a tick old) */
	for (unsigned k = 0; k < nworkers; k++) {
		const struct worker *o = workers[k];
		int64_t a = __atomic_load_n(&o->pub_ts_first, __ATOMIC_RELAXED);
		int64_t b = __atomic_load_n(&o->pub_ts_last, __ATOMIC_RELAXED);
		uint64_t pk = __atomic_load_n(&o->pub_packets, __ATOMIC_RELAXED);
		re.packets += (int64_t)pk;
		re.bytes += (int64_t)__atomic_load_n(&o->pub_bytes, __ATOMIC_RELAXED);
		re.flows += (int64_t)__atomic_load_n(&o->pub_flows, __ATOMIC_RELAXED);
		if (pk && a && (re.ts_first == 0 || a < re.ts_first))
			re.ts_first = a;
		if (b > re.ts_last)
			re.ts_last = b;
		add_known(&re.drops, __atomic_load_n(&o->pub_drops, __ATOMIC_RELAXED));
		if (o->if_first)
			add_known(&re.if_drops, __atomic_load_n(&o->pub_ifdrops, __ATOMIC_RELAXED));
	}
	/* the statistics series: one row per interface (offline: one), by
	 * the first worker only, so that the rows of one checkpoint share
	 * its time; committed with the progress row */
	if (w->idx == 0)
		for (unsigned i = 0; i < (run_nifaces ? run_nifaces : 1); i++) {
			struct stats_row sr;
			stats_row_fill(&sr, i, false);
			engine_stats_row(e, &sr);
		}
	engine_run_progress(e, cur_run_id, &re);
	w->ckpt_cpu += thread_cpu_us() - t0;
	if (why && w->solo)
		fprintf(stderr, "wireaudit: run %lld: %llu packets, %llu flows written, %u open "
			"(%llu snapshot rows now) [%s]\n", (long long)cur_run_id,
			(unsigned long long)e->st.packets, (unsigned long long)e->st.flows_written,
			e->ft.count, (unsigned long long)n, why);
	else if (why)
		fprintf(stderr, "wireaudit: run %lld worker %u: %llu packets, %llu flows written, "
			"%u open (%llu snapshot rows now) [%s]\n", (long long)cur_run_id, w->idx,
			(unsigned long long)e->st.packets, (unsigned long long)e->st.flows_written,
			e->ft.count, (unsigned long long)n, why);
}

/* Huge pages for the flow state once the table is large (docs/
 * PERFORMANCE.md, "Cost versus scale"). With 10^6 open flows the packet
 * thread's heap holds 4 GB, and every packet's flow, context and buffers
 * miss the TLB as well as the cache: on 4 KB pages the page walks cost more
 * than the work (30% of the user time at 10^6). Debian's kernels give a
 * region huge pages when it asks (transparent_hugepage=madvise) or always;
 * glibc's main heap does not ask unless told at start
 * (GLIBC_TUNABLES=glibc.malloc.hugetlb=1). So from HEAP_THP_FLOWS open
 * flows on, the heap is advised (MADV_HUGEPAGE) up to its end, again as it
 * grows, and grows in 64 MB steps (M_TOP_PAD) so that little of each step
 * is touched before it is advised. Below that, nothing changes: a small
 * capture keeps small pages and a small RSS. The main heap is the packet
 * thread's (offline, and one worker); --workers' threads allocate from
 * arenas of their own, which are not advised. */
#define HEAP_THP_FLOWS (1u << 15)
static uintptr_t heap_advised; /* the heap is advised up to here */

static void heap_hugepages(void)
{
	uintptr_t end = (uintptr_t)sbrk(0), start;
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	if (end == (uintptr_t)-1 || end < heap_advised + (2u << 20))
		return;
	if (heap_advised == 0) {
		/* the first time: the whole heap (what it holds already
		 * stays on small pages until khugepaged collapses it) */
		mallopt(M_TOP_PAD, 64 << 20);
		start = (uintptr_t)sbrk(0) - (uintptr_t)mallinfo2().arena;
	} else {
		start = heap_advised;
	}
	start &= ~(pg - 1);
	end = (end + pg - 1) & ~(pg - 1);
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
	heap_advised = end;
}

/* Every few packets and on every idle wake-up of a live capture. */
static void capture_tick(struct worker *w)
{
	struct engine *e = &w->eng;
	int64_t now = now_us(), ckpt = __atomic_load_n(&ckpt_usec, __ATOMIC_RELAXED);
	bool hup;
	__atomic_store_n(&w->beat, now, __ATOMIC_RELAXED);
	if (svc.on && w->p && now >= w->kdrops_next) {
		/* kernel drops so far, for STATUS (libpcap sums the kernel's
		 * counters, which reset at each read) */
		struct pcap_stat ps;
		if (pcap_stats(w->p, &ps) == 0)
			__atomic_store_n(&w->pub_kdrops, (int64_t)ps.ps_drop, __ATOMIC_RELAXED);
		w->kdrops_next = now + 1000000;
	}
	if (w->solo && e->ft.count >= HEAP_THP_FLOWS)
		heap_hugepages();
	if (w->solo) {
		hup = hup_pending != 0;
		hup_pending = 0;
	} else {
		hup = __atomic_exchange_n(&w->hup, 0, __ATOMIC_RELAXED) != 0;
		worker_publish(w);
	}
	if (w->iface && now - w->kstats_at >= KSTATS_USEC)
		worker_kstats(w, now);
	if (hup) {
		if (w->solo) {
			/* with several workers the main thread reloads */
			if (svc.on)
				svc_reloading();
			capture_reload();
			eve_reopen(run_eve);
			ckpt = __atomic_load_n(&ckpt_usec, __ATOMIC_RELAXED);
		}
		capture_checkpoint(w, "SIGHUP");
		w->ckpt_next = now + ckpt;
		if (w->solo && svc.on)
			svc_ready(NULL);
	} else if (ckpt > 0 && now >= w->ckpt_next) {
		/* A checkpoint writes a row per open flow with news: with
		 * 10^5..10^6 open flows that takes longer than the interval,
		 * and checkpoints would follow each other without end (the
		 * 10^6-flow scale point: 27x slower than 10^3, docs/
		 * PERFORMANCE.md). So the next one waits at least nine times
		 * what this one took: checkpoints stay within a tenth of the
		 * time, and the interval stretches (counted in the run's
		 * statistics) only when the table is that large. */
		int64_t end, cost, wait;
		capture_checkpoint(w, NULL);
		end = now_us();
		cost = end - now;
		wait = ckpt;
		if (cost * 9 > wait) {
			wait = cost * 9;
			w->ckpt_stretched++;
		}
		if (wait > w->ckpt_wait_max)
			w->ckpt_wait_max = wait;
		w->ckpt_count++;
		w->ckpt_next = end + wait;
	} else if (e->wq == NULL) {
		store_maybe_commit(e->store); /* else the writer commits on time */
	} else if (now - w->wq_flushed >= 200000) {
		/* records wait for a batch of their own (swq.c): on a quiet link,
		 * hand them over within 0.2 s */
		swq_flush(e->wq);
		w->wq_flushed = now;
	}
	if (engine_store_failed(e) && !__atomic_load_n(&store_broken, __ATOMIC_RELAXED)) {
		__atomic_store_n(&store_broken, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&stop_all, 1, __ATOMIC_RELAXED);
		if (w->solo && active_pcap)
			pcap_breakloop(active_pcap);
	}
	if (w->solo && svc.on) {
		worker_publish(w);
		service_tick(now);
	}
}

struct loop_ctx {
	struct worker *w;
	struct engine *eng;
	int dlt;
	const struct capture_opts *o;
	int64_t start_wall;
	int64_t last_progress;
	int64_t file_size;
	FILE *fp;
	const char *name;
	uint64_t file_packets;
	int64_t ts_start;
	/* with a reader thread (reader.h): the file position after the chunk
	 * being analysed (the FILE is the reader's), and a stop asked by a
	 * packet (count, duration) */
	bool threaded;
	long pos;
	bool stop;
};

static void progress(struct loop_ctx *lc, bool final)
{
	int64_t now = now_us();
	double secs;
	long pos;
	if (!final && now - lc->last_progress < 500000)
		return;
	lc->last_progress = now;
	secs = (double)(now - lc->start_wall) / 1e6;
	pos = lc->threaded ? lc->pos : lc->fp ? ftell(lc->fp) : -1;
	if (lc->file_size > 0 && pos >= 0)
		fprintf(stderr, "\r%s: %5.1f%% %llu packets %.0f pkt/s   ", lc->name,
			100.0 * (double)pos / (double)lc->file_size,
			(unsigned long long)lc->file_packets,
			secs > 0 ? (double)lc->file_packets / secs : 0.0);
	else
		fprintf(stderr, "\r%s: %llu packets %.0f pkt/s   ", lc->name,
			(unsigned long long)lc->file_packets,
			secs > 0 ? (double)lc->file_packets / secs : 0.0);
	if (final)
		fputc('\n', stderr);
}

/* A packet of one of several workers: -c and --duration count all of
 * them (exactly: the packet past the count is not analysed; as with one
 * worker, the packet that reaches the duration is the last analysed). */
static void on_packet_shared(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct loop_ctx *lc = (struct loop_ctx *)user;
	struct engine *e = lc->eng;
	int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
	bool last = false;

	if (lc->o->count > 0) {
		uint64_t n = __atomic_add_fetch(&total_packets, 1, __ATOMIC_RELAXED);
		if ((int64_t)n > lc->o->count) {
			__atomic_store_n(&stop_all, 1, __ATOMIC_RELAXED);
			pcap_breakloop(lc->w->p);
			return;
		}
		last = (int64_t)n == lc->o->count;
	}
	if (lc->o->duration > 0) {
		int64_t t0 = 0;
		if (!__atomic_compare_exchange_n(&ts_start_all, &t0, ts, false, __ATOMIC_RELAXED,
						 __ATOMIC_RELAXED) && ts - t0 >= lc->o->duration * 1000000)
			last = true;
	}
	engine_packet(e, lc->dlt, ts, data, h->caplen, h->len);
	lc->file_packets++;
	if ((lc->file_packets & 63) == 0)
		capture_tick(lc->w);
	if (last) {
		__atomic_store_n(&stop_all, 1, __ATOMIC_RELAXED);
		pcap_breakloop(lc->w->p);
	}
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct loop_ctx *lc = (struct loop_ctx *)user;
	struct engine *e = lc->eng;
	int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;

	engine_packet(e, lc->dlt, ts, data, h->caplen, h->len);
	lc->file_packets++;
	if ((lc->file_packets & 63) == 0)
		capture_tick(lc->w);
	if ((lc->file_packets & 1023) == 0 && lc->o->progress)
		progress(lc, false);
	if (lc->o->count > 0 && (int64_t)e->st.packets >= lc->o->count) {
		lc->stop = true;
		if (!lc->threaded)
			pcap_breakloop(active_pcap);
	}
	if (lc->o->duration > 0) {
		if (lc->ts_start == 0)
			lc->ts_start = ts;
		if (ts - lc->ts_start >= lc->o->duration * 1000000) {
			lc->stop = true;
			if (!lc->threaded)
				pcap_breakloop(active_pcap);
		}
	}
}

/* A savefile read by a reader thread (reader.h): the packets of each chunk
 * through on_packet, in order, until the end or a stop (count, duration, a
 * signal, the store failed). pcap_loop's result, as without the thread. */
static int consume_threaded(struct loop_ctx *lc, pcap_t *p, FILE *fp, char *err, size_t errlen)
{
	struct reader *r;
	const struct reader_chunk *c;
	bool stopped = false;
	int rc;

	if (reader_start(&r, p, fp, err, errlen) != 0)
		return -3;
	lc->threaded = true;
	while (!stopped && (c = reader_next(r)) != NULL) {
		const struct pcap_pkthdr *h;
		const uint8_t *data;
		size_t off = 0;
		while ((h = reader_rec(c, &off, &data)) != NULL) {
			on_packet((u_char *)lc, h, data);
			if (lc->stop || stopping()) {
				stopped = true;
				break;
			}
		}
		lc->pos = c->pos;
		reader_put(r, c);
	}
	if (stopped)
		reader_abort(r);
	rc = reader_finish(r, err, errlen);
	if (stopped && rc != PCAP_ERROR)
		rc = PCAP_ERROR_BREAK; /* as pcap_breakloop makes pcap_loop return */
	return rc;
}

/* gzip input: a FILE* whose reads inflate (pcap_fopen_offline takes it). */
static ssize_t gz_read(void *cookie, char *buf, size_t n)
{
	int r = gzread((gzFile)cookie, buf, (unsigned)(n > (1u << 30) ? (1u << 30) : n));
	return r < 0 ? -1 : r;
}

static int gz_close(void *cookie)
{
	return gzclose((gzFile)cookie) == Z_OK ? 0 : -1;
}

static FILE *open_input(const char *path, bool *is_gz, char *err, size_t errlen)
{
	FILE *fp;
	unsigned char magic[2] = { 0, 0 };
	struct stat sb;
	int fd;

	*is_gz = false;
	if (strcmp(path, "-") == 0) {
		fd = dup(STDIN_FILENO);
		fp = fd < 0 ? NULL : fdopen(fd, "rb");
		if (fp == NULL && fd >= 0)
			close(fd);
	} else {
		fp = fopen(path, "rb");
	}
	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* libpcap reads a savefile through stdio, record by record: with
	 * stdio's default 4 KB buffer, one read(2) per 4 KB, 8% of a capture's
	 * time on a virtual machine (docs/PERFORMANCE.md). 1 MB: one per MB.
	 * Before the first read, as setvbuf requires. */
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	if (fstat(fileno(fp), &sb) == 0 && !S_ISREG(sb.st_mode)) {
		/* A pipe (tcpdump -w - | wireaudit capture -r -) cannot be
		 * rewound: peek at the magic and push it back. */
		int c0 = getc(fp), c1 = c0 == EOF ? EOF : getc(fp);
		if (c0 == 0x1f && c1 == 0x8b) {
			fclose(fp);
			snprintf(err, errlen, "%s: gzip input must be a regular file "
				 "(decompress into the pipe: zcat FILE |)", path);
			return NULL;
		}
		if (c1 != EOF)
			ungetc(c1, fp);
		if (c0 != EOF)
			ungetc(c0, fp);
		return fp;
	}
	if (fread(magic, 1, 2, fp) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		gzFile gz;
		cookie_io_functions_t io = { .read = gz_read, .close = gz_close };
		fclose(fp);
		gz = gzopen(path, "rb");
		if (gz == NULL) {
			snprintf(err, errlen, "%s: cannot open gzip stream", path);
			return NULL;
		}
		*is_gz = true;
		fp = fopencookie(gz, "rb", io);
		if (fp == NULL) {
			gzclose(gz);
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		}
		return fp;
	}
	rewind(fp);
	return fp;
}

/* Every capability given up: permitted, effective, inheritable and
 * ambient (a service started as its own user with AmbientCapabilities=
 * CAP_NET_RAW CAP_NET_ADMIN, docs/APPLIANCE.md). Reducing needs no
 * privilege; the result is checked. 0, or -1 after a message. */
static int drop_capabilities(const char *user)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
		fprintf(stderr, "wireaudit: -Z %s: cannot clear the ambient capabilities: %s\n", user,
			strerror(errno));
		return -1;
	}
	if (syscall(SYS_capset, &h, d) != 0) {
		fprintf(stderr, "wireaudit: -Z %s: cannot give up capabilities: %s\n", user, strerror(errno));
		return -1;
	}
	memset(d, 0xff, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0 || d[0].permitted || d[1].permitted || d[0].effective ||
	    d[1].effective || d[0].inheritable || d[1].inheritable) {
		fprintf(stderr, "wireaudit: -Z %s: capabilities left, refusing to go on\n", user);
		return -1;
	}
	return 0;
}

static int drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);
	if (pw == NULL) {
		fprintf(stderr, "wireaudit: -Z: no such user %s\n", user);
		return -1;
	}
	if (pw->pw_uid != 0 && getuid() == pw->pw_uid && geteuid() == pw->pw_uid) {
		/* already USER (with capabilities to open the interface):
		 * nothing to switch, the capabilities go */
		return drop_capabilities(user);
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		fprintf(stderr, "wireaudit: -Z %s: %s\n", user, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		fprintf(stderr, "wireaudit: -Z %s: could regain root, refusing to go on\n", user);
		return -1;
	}
	return 0;
}

static int apply_filter(pcap_t *p, const char *filter, const char *what)
{
	struct bpf_program prog;
	if (filter == NULL)
		return 0;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		fprintf(stderr, "wireaudit: %s: bad filter \"%s\": %s\n", what, filter, pcap_geterr(p));
		return -1;
	}
	if (pcap_setfilter(p, &prog) != 0) {
		fprintf(stderr, "wireaudit: %s: %s\n", what, pcap_geterr(p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

/* The run's totals: every worker's counters summed (one worker: its own). */
struct run_totals {
	struct engine_stats st;
	struct swq_stats wq;        /* the store writer's lanes, summed */
	int64_t ckpt_count, ckpt_stretched, ckpt_wait_max, ckpt_cpu;
	int64_t drops, if_drops;    /* -1: unknown */
};

static void run_totals(struct run_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->drops = t->if_drops = -1;
	for (unsigned k = 0; k < nworkers; k++) {
		const struct worker *w = workers[k];
		const struct swq_stats *q = &w->eng.wq_folded;
		engine_stats_add(&t->st, &w->eng.st);
		t->wq.pushed += q->pushed;
		t->wq.waits += q->waits;
		t->wq.wait_us += q->wait_us;
		t->wq.syncs += q->syncs;
		if (q->max_depth > t->wq.max_depth)
			t->wq.max_depth = q->max_depth;
		if (q->slots > t->wq.slots)
			t->wq.slots = q->slots;
		t->ckpt_count += w->ckpt_count;
		t->ckpt_stretched += w->ckpt_stretched;
		t->ckpt_cpu += w->ckpt_cpu;
		if (w->ckpt_wait_max > t->ckpt_wait_max)
			t->ckpt_wait_max = w->ckpt_wait_max;
		/* each fanout socket counts the packets it dropped; an
		 * interface's own drops are the same on each of its sockets:
		 * its first's, summed over the interfaces */
		add_known(&t->drops, w->drops);
		if (w->if_first)
			add_known(&t->if_drops, w->if_drops);
	}
}

static char *stats_json(const struct run_totals *t, const char *const *errors, int nerr)
{
	const struct engine_stats *st = &t->st;
	struct jbuf jb;
	int i;
	jb_init(&jb);
	jb_obj_open(&jb);
	jb_key(&jb, "decode");
	jb_obj_open(&jb);
	for (i = 0; i < DEC_NRESULTS; i++)
		jb_kv_int(&jb, dec_result_name((enum dec_result)i), (int64_t)st->dec[i]);
	jb_obj_close(&jb);
	jb_kv_int(&jb, "flows_tcp", (int64_t)st->flows_tcp);
	jb_kv_int(&jb, "flows_udp", (int64_t)st->flows_udp);
	jb_kv_int(&jb, "flows_icmp", (int64_t)st->flows_icmp);
	jb_kv_int(&jb, "flows_written", (int64_t)st->flows_written);
	jb_kv_int(&jb, "flows_closed", (int64_t)st->flows_closed);
	jb_kv_int(&jb, "flows_expired", (int64_t)st->flows_expired);
	jb_kv_int(&jb, "flows_evicted", (int64_t)st->flows_evicted);
	jb_kv_int(&jb, "dissector_calls", (int64_t)st->dis.dissector_calls);
	jb_kv_int(&jb, "dissector_bytes", (int64_t)st->dis.dissector_bytes);
	jb_kv_int(&jb, "probe_calls", (int64_t)st->dis.probe_calls);
	jb_kv_int(&jb, "ndpi_packets", (int64_t)st->ndpi_packets);
	jb_kv_int(&jb, "ndpi_stopped", (int64_t)st->ndpi_stopped);
	jb_kv_int(&jb, "bypassed_packets", (int64_t)st->bypassed_packets);
	jb_kv_int(&jb, "stream_gaps", (int64_t)st->stream_gaps);
	jb_kv_int(&jb, "stream_caps", (int64_t)st->dis.stream_caps);
	jb_kv_int(&jb, "retransmissions", (int64_t)st->retransmissions);
	jb_kv_int(&jb, "overlap_mismatches", (int64_t)st->overlap_mismatches);
	jb_kv_int(&jb, "store_errors", (int64_t)st->store_errors);
	if (t->ckpt_stretched) {
		/* checkpoints that took more than a tenth of their interval */
		jb_key(&jb, "checkpoints");
		jb_obj_open(&jb);
		jb_kv_int(&jb, "scheduled", t->ckpt_count);
		jb_kv_int(&jb, "stretched", t->ckpt_stretched);
		jb_kv_int(&jb, "longest_interval_ms", t->ckpt_wait_max / 1000);
		jb_obj_close(&jb);
	}
	if (t->wq.slots) {
		/* the store writer thread (swq.h): back-pressure on the packet
		 * path (with several workers: their lanes summed, the deepest) */
		jb_key(&jb, "store_writer");
		jb_obj_open(&jb);
		jb_kv_int(&jb, "records", (int64_t)t->wq.pushed);
		jb_kv_int(&jb, "slots", (int64_t)t->wq.slots);
		jb_kv_int(&jb, "max_queued", (int64_t)t->wq.max_depth);
		jb_kv_int(&jb, "full_waits", (int64_t)t->wq.waits);
		jb_kv_int(&jb, "full_wait_us", (int64_t)t->wq.wait_us);
		jb_kv_int(&jb, "syncs", (int64_t)t->wq.syncs);
		jb_obj_close(&jb);
	}
	if (nworkers > 1) {
		/* --workers: how the kernel spread the traffic */
		jb_key(&jb, "workers");
		jb_arr_open(&jb);
		for (unsigned k = 0; k < nworkers; k++) {
			const struct worker *w = workers[k];
			jb_obj_open(&jb);
			jb_kv_int(&jb, "packets", (int64_t)w->eng.st.packets);
			jb_kv_int(&jb, "flows_written", (int64_t)w->eng.st.flows_written);
			jb_kv_int(&jb, "drops", w->drops);
			if (run_nifaces > 1)
				jb_kv_str(&jb, "interface", w->iface);
			jb_obj_close(&jb);
		}
		jb_arr_close(&jb);
	}
	if (run_nifaces) {
		/* per interface (issue 14): its workers' counters summed, the
		 * kernel's for its sockets, the interface's own drops */
		jb_key(&jb, "interfaces");
		jb_arr_open(&jb);
		for (unsigned n = 0; n < run_nifaces; n++) {
			struct stats_row sr;
			stats_row_fill(&sr, n, true);
			jb_obj_open(&jb);
			jb_kv_str(&jb, "name", sr.iface);
			jb_kv_int(&jb, "workers", sr.workers);
			jb_kv_int(&jb, "packets", (int64_t)sr.packets);
			jb_kv_int(&jb, "bytes", (int64_t)sr.bytes);
			jb_kv_int(&jb, "flows_written", (int64_t)sr.flows_ended);
			jb_key(&jb, "received");
			if (sr.received >= 0) jb_int(&jb, sr.received); else jb_null(&jb);
			jb_key(&jb, "drops");
			if (sr.kernel_drops >= 0) jb_int(&jb, sr.kernel_drops); else jb_null(&jb);
			jb_key(&jb, "if_drops");
			if (sr.if_drops >= 0) jb_int(&jb, sr.if_drops); else jb_null(&jb);
			jb_obj_close(&jb);
		}
		jb_arr_close(&jb);
	}
	if (run_ret) {
		/* --retain-flows / --retain-rollups / --max-db-size: what
		 * retention did in this run (src/store/retention.c) */
		struct retention_stats rs;
		retention_get_stats(run_ret, &rs);
		jb_key(&jb, "retention");
		jb_obj_open(&jb);
		jb_kv_int(&jb, "days_rolled_up", rs.days_rolled);
		jb_kv_int(&jb, "flows_rolled_up", rs.flows_rolled);
		jb_kv_int(&jb, "rows_before", rs.rows_before);
		jb_kv_int(&jb, "rows_after", rs.rows_after);
		jb_kv_int(&jb, "days_removed", rs.days_dropped);
		jb_kv_int(&jb, "days_removed_for_size", rs.days_dropped_size);
		jb_kv_int(&jb, "flows_removed", rs.flows_dropped);
		jb_kv_int(&jb, "steps", rs.steps);
		jb_kv_int(&jb, "busy_ms", rs.busy_us / 1000);
		jb_kv_int(&jb, "longest_step_ms", rs.longest_step_us / 1000);
		jb_kv_int(&jb, "put_off_busy", rs.busy);
		jb_kv_int(&jb, "stats_rows_thinned", rs.stats_thinned);
		jb_obj_close(&jb);
	}
	if (run_fwd) {
		/* a fleet sensor's spool (forward.h): flows dropped from it
		 * while PostgreSQL was away (the report's sensors say them);
		 * drops after this, while the end of the run waits for the
		 * database, are added to this object by the forwarder */
		struct fwd_stats fs;
		fwd_get_stats(run_fwd, &fs);
		jb_key(&jb, "spool");
		jb_obj_open(&jb);
		jb_kv_int(&jb, "flows_dropped", (int64_t)fs.flows_dropped);
		jb_kv_int(&jb, "records_forwarded", (int64_t)fs.flows_forwarded);
		jb_obj_close(&jb);
	}
	if (run_eve) {
		uint64_t ew, ed;
		eve_counts(run_eve, &ew, &ed);
		jb_key(&jb, "eve");
		jb_obj_open(&jb);
		jb_kv_int(&jb, "written", (int64_t)ew);
		jb_kv_int(&jb, "dropped", (int64_t)ed);
		jb_obj_close(&jb);
	}
	if (run_opts && run_opts->config) {
		/* a run started with --config: the file and the settings the
		 * run used (the file's, under the command line's), at its end
		 * (a SIGHUP may have changed the checkpoint interval) */
		const struct capture_opts *o = run_opts;
		const struct engine_config *ec = &o->eng;
		jb_key(&jb, "config");
		jb_obj_open(&jb);
		jb_kv_str(&jb, "file", o->config);
		jb_kv_int(&jb, "checkpoint", __atomic_load_n(&ckpt_usec, __ATOMIC_RELAXED) / 1000000);
		jb_kv_int(&jb, "snaplen", o->snaplen);
		jb_kv_bool(&jb, "promisc", o->promisc);
		jb_kv_int(&jb, "workers", o->workers);
		jb_kv_int(&jb, "max_flows", ec->max_flows);
		jb_kv_int(&jb, "stream_cap", ec->stream_cap);
		jb_kv_str(&jb, "ndpi", !ec->ndpi ? "off" : ec->ndpi_mode == NDPI_MODE_CLASSIFY ? "classify"
			  : ec->ndpi_mode == NDPI_MODE_ALL ? "all" : "unclaimed");
		jb_kv_str(&jb, "user", o->drop_user);
		jb_kv_str(&jb, "ca_file", o->ca_file);
		jb_kv_str(&jb, "system_ca", o->system_ca);
		jb_kv_int(&jb, "retain_flows_s", o->retain_flows_us / 1000000);
		jb_kv_int(&jb, "max_db_bytes", o->max_db_bytes);
		jb_kv_int(&jb, "retain_rollups_s", o->retain_rollups_us / 1000000);
		jb_obj_close(&jb);
	}
	jb_key(&jb, "input_errors");
	jb_arr_open(&jb);
	for (i = 0; i < nerr; i++)
		jb_string(&jb, errors[i]);
	jb_arr_close(&jb);
	jb_obj_close(&jb);
	return jb_take(&jb);
}

/* An interface opened for capture: NULL after a message (rc set). */
static pcap_t *open_live(const struct capture_opts *o, const char *iface, int *rc)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_create(iface, ebuf);
	if (p == NULL) {
		fprintf(stderr, "wireaudit: %s: %s\n", iface, ebuf);
		*rc = EXIT_INPUT;
		return NULL;
	}
	pcap_set_snaplen(p, o->snaplen);
	pcap_set_promisc(p, o->promisc);
	pcap_set_timeout(p, 500);
	/* -B: the kernel's ring per socket (a small one drops under load:
	 * tests/live-stats.sh makes it drop on purpose) */
	pcap_set_buffer_size(p, (int)(o->buffer_kib ? o->buffer_kib : 65536) * 1024);
	if (pcap_activate(p) < 0) {
		fprintf(stderr, "wireaudit: %s: %s\n", iface, pcap_geterr(p));
		pcap_close(p);
		*rc = EXIT_INPUT;
		return NULL;
	}
	/* With TPACKET_V3 libpcap's poll() waits without a timeout (the
	 * kernel retires a block after the read timeout only once it holds a
	 * packet): on a quiet link pcap_dispatch would not return, and no
	 * checkpoint, statistics row or idle expiry would happen. So the
	 * socket is non-blocking and live_loop waits itself, LIVE_IDLE_MS at
	 * most. */
	if (pcap_setnonblock(p, 1, ebuf) != 0) {
		fprintf(stderr, "wireaudit: %s: %s\n", iface, ebuf);
		pcap_close(p);
		*rc = EXIT_INPUT;
		return NULL;
	}
	if (apply_filter(p, o->filter, iface) != 0) {
		pcap_close(p);
		*rc = EXIT_USAGE;
		return NULL;
	}
	return p;
}

/* The sockets of --workers N in one AF_PACKET fanout group, by flow hash
 * (packet(7)): the kernel hands each packet to one of them, both
 * directions of a connection to the same one (the hash is symmetric), IP
 * fragments reassembled first so they follow their flow (FLAG_DEFRAG).
 * The first socket asks for a group id no one else uses (FLAG_UNIQUEID,
 * Linux 4.20), the others join it. 0, or -1 after a message. */
static int join_fanout(struct worker **ws, unsigned n, const char *iface)
{
	/* the option's value: group id in the low 16 bits, mode and flags in
	 * the high 16 (FLAG_DEFRAG sets the top bit: unsigned arithmetic) */
	const uint32_t mode = PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG;
	uint32_t id, val;

#ifdef PACKET_FANOUT_FLAG_UNIQUEID
	socklen_t len = sizeof(val);
	val = (mode | PACKET_FANOUT_FLAG_UNIQUEID) << 16;
	if (setsockopt(pcap_fileno(ws[0]->p), SOL_PACKET, PACKET_FANOUT, &val, sizeof(val)) != 0 ||
	    getsockopt(pcap_fileno(ws[0]->p), SOL_PACKET, PACKET_FANOUT, &val, &len) != 0) {
		fprintf(stderr, "wireaudit: %s: --workers: cannot create a fanout group: %s\n",
			iface, strerror(errno));
		return -1;
	}
	id = val & 0xffff;
#else
	id = (uint32_t)getpid() & 0xffff;
	val = id | mode << 16;
	if (setsockopt(pcap_fileno(ws[0]->p), SOL_PACKET, PACKET_FANOUT, &val, sizeof(val)) != 0) {
		fprintf(stderr, "wireaudit: %s: --workers: cannot create fanout group %u: %s\n",
			iface, id, strerror(errno));
		return -1;
	}
#endif
	for (unsigned k = 1; k < n; k++) {
		val = id | mode << 16;
		if (setsockopt(pcap_fileno(ws[k]->p), SOL_PACKET, PACKET_FANOUT, &val, sizeof(val)) != 0) {
			fprintf(stderr, "wireaudit: %s: --workers: cannot join fanout group %u: %s\n",
				iface, id, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* A live interface until a stop: the only worker (on the main thread), or
 * one of several (on a thread of its own, its callback counting -c and
 * --duration over all). */
static void live_loop(struct worker *w, const struct capture_opts *o)
{
	struct engine *e = &w->eng;
	struct loop_ctx lc;
	pcap_handler cb = w->solo ? on_packet : on_packet_shared;

	memset(&lc, 0, sizeof(lc));
	lc.w = w;
	lc.eng = e;
	lc.dlt = pcap_datalink(w->p);
	lc.o = o;
	lc.name = w->iface;
	lc.start_wall = now_us();
	while (!stopping()) {
		/* non-blocking (open_live): what the ring holds now, then a
		 * wait of our own, so that a quiet link still ticks */
		int n = pcap_dispatch(w->p, -1, cb, (u_char *)&lc);
		if (n == 0) {
			struct pollfd pfd = { pcap_get_selectable_fd(w->p), POLLIN, 0 };
			(void)poll(&pfd, 1, LIVE_IDLE_MS); /* EINTR: a signal, looked at below */
		}
		if (n == PCAP_ERROR) {
			/* e.g. the interface went down or was removed */
			fprintf(stderr, "wireaudit: %s: %s; capture stopped, the flows seen "
				"are stored\n", w->iface, pcap_geterr(w->p));
			w->rc = EXIT_INPUT;
			__atomic_store_n(&stop_all, 1, __ATOMIC_RELAXED);
			break;
		}
		if (n == PCAP_ERROR_BREAK || lc.stop)
			break;
		/* idle link: expire by wall clock, checkpoint and commit on time */
		engine_expire(e, now_us() > e->now ? now_us() : e->now);
		capture_tick(w);
	}
	{
		struct pcap_stat ps;
		if (pcap_stats(w->p, &ps) == 0) {
			w->recv = ps.ps_recv;
			w->drops = ps.ps_drop;
			w->if_drops = ps.ps_ifdrop;
		}
	}
}

struct worker_arg {
	struct worker *w;
	const struct capture_opts *o;
};

static void *worker_main(void *arg)
{
	struct worker_arg *a = arg;
	struct worker *w = a->w;
	live_loop(w, a->o);
	/* its open flows to the writer; its lane closed (the last one stops
	 * the writer) */
	engine_flush_all(&w->eng);
	engine_stop_writer(&w->eng);
	wa_md_thread_free();
	__atomic_store_n(&w->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* --workers N: a thread per worker; this thread passes signals on (they
 * are blocked in the workers) and wakes them to stop. 0, or -1 when not
 * all could start. */
static int run_workers(const struct capture_opts *o)
{
	struct worker_arg args[ENGINE_MAX_WORKERS];
	sigset_t all, old;
	unsigned k, started = 0;
	bool broke = false;
	int rc = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (k = 0; k < nworkers; k++) {
		args[k].w = workers[k];
		args[k].o = o;
		if ((rc = pthread_create(&workers[k]->th, NULL, worker_main, &args[k])) != 0)
			break;
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started < nworkers) {
		fprintf(stderr, "wireaudit: --workers: cannot start thread %u: %s\n", started,
			strerror(rc));
		__atomic_store_n(&stop_all, 1, __ATOMIC_RELAXED);
	}
	for (;;) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		unsigned done = 0;
		if (hup_pending) {
			hup_pending = 0;
			if (svc.on)
				svc_reloading();
			capture_reload();
			eve_reopen(run_eve);
			for (k = 0; k < started; k++)
				__atomic_store_n(&workers[k]->hup, 1, __ATOMIC_RELAXED);
			if (svc.on)
				svc_ready(NULL);
		}
		service_tick(now_us());
		if (stopping() && !broke) {
			/* wake the workers blocked in poll (libpcap's eventfd) */
			for (k = 0; k < started; k++)
				pcap_breakloop(workers[k]->p);
			broke = true;
		}
		for (k = 0; k < started; k++)
			done += (unsigned)__atomic_load_n(&workers[k]->finished, __ATOMIC_ACQUIRE);
		if (done == started)
			break;
		nanosleep(&ts, NULL);
	}
	for (k = 0; k < started; k++)
		pthread_join(workers[k]->th, NULL);
	/* lanes of threads that never started: closed here */
	for (k = started; k < nworkers; k++)
		engine_stop_writer(&workers[k]->eng);
	return started < nworkers ? -1 : 0;
}

/* --workers by default: the cores this process may run on, less one for
 * the store writer and the kernel's receive path (with two cores: one
 * worker; docs/PERFORMANCE.md measures why), at most 8 (the one store
 * writer takes every worker's records: more than 8 is not measured). */
static unsigned default_workers(void)
{
	cpu_set_t cs;
	int n = 1;
	if (sched_getaffinity(0, sizeof(cs), &cs) == 0)
		n = CPU_COUNT(&cs);
	n -= 1;
	return n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
}

/* A database this run created and did not use: the file and SQLite's
 * companions */
static void remove_db_files(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[4200];
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if ((size_t)snprintf(p, sizeof(p), "%s%s", path, sfx[i]) < sizeof(p))
			unlink(p);
}

int capture_run(const struct capture_opts *o)
{
	const char *dbp = o->db, *fleet = NULL; /* the store's file; the fleet database or NULL */
	struct store *st = NULL;
	struct run_info ri = { 0 };
	struct run_end re;
	struct run_totals tot;
	struct worker *ws[ENGINE_MAX_WORKERS];
	char err[512], ebuf[PCAP_ERRBUF_SIZE], rerr[128];
	char *source = NULL; /* every file or interface, space-separated (no cap) */
	size_t source_len = 0;
	char *errors[64];
	int nerr = 0, rc = EXIT_OK, i;
	/* the interfaces: -i (several), or the one o->iface names */
	const char *const *ifl = o->nifaces > 0 ? o->ifaces : o->iface ? &o->iface : NULL;
	unsigned nif = o->nifaces > 0 ? (unsigned)o->nifaces : o->iface ? 1 : 0;
	/* --workers is per interface: each interface needs a socket (a worker)
	 * of its own, and one interface's load says nothing about another's
	 * (Suricata's af-packet threads are per interface too); by default
	 * the cores less one, shared among the interfaces, at least one each */
	unsigned wpi = 1, nw = 1, k, ninit = 0;
	int64_t run_id = 0;
	struct sigaction sa;
	char *sj;
	int db_lock = -1;
	int64_t run_wall0 = now_us();
	/* a run that fails before its first packet leaves nothing behind:
	 * no run row, and no database file it created (issue 20) */
	bool db_new = false, discard = false;

	if (nif > 0) {
		unsigned dw = default_workers();
		wpi = o->workers ? o->workers : dw / nif > 0 ? dw / nif : 1;
		if ((uint64_t)wpi * nif > ENGINE_MAX_WORKERS) {
			fprintf(stderr, "wireaudit: capture: %u interfaces with %u workers each: %d "
				"workers in all at most\n", nif, wpi, ENGINE_MAX_WORKERS);
			return EXIT_USAGE;
		}
		nw = wpi * nif;
	}
	/* a reader of the event stream that goes away (a pipe, a socket, a
	 * TLS connection OpenSSL writes to) is an error to handle, not the end
	 * of the capture; set before any thread starts */
	signal(SIGPIPE, SIG_IGN);
	if (pg_is_conninfo(o->db)) {
		/* a fleet sensor: the database is checked (and its schema made
		 * or migrated) now, so that a wrong password, an unreachable
		 * host or a newer schema stops the run before anything is
		 * written; the run then writes its spool, which a thread
		 * forwards (src/store/forward.c) */
		struct pg *pg;
		int prc;
		if (o->spool == NULL) {
			fprintf(stderr, "wireaudit: capture into PostgreSQL needs --spool FILE: the local "
				"SQLite file that holds what the database has not taken yet (docs/FLEET.md)\n");
			return EXIT_USAGE;
		}
		if (o->retain_flows_us > 0 || o->retain_rollups_us > 0 || o->max_db_bytes > 0) {
			fprintf(stderr, "wireaudit: --retain-flows, --retain-rollups and --max-db-size apply to "
				"a SQLite database; a fleet database keeps by time partitions (docs/FLEET.md), "
				"its spool by --spool-max\n");
			return EXIT_USAGE;
		}
		if ((prc = pg_open(&pg, o->db, true, err, sizeof(err))) != 0) {
			fprintf(stderr, "wireaudit: %s\n", err);
			return prc == -2 ? EXIT_USAGE : EXIT_STORE;
		}
		if (!o->quiet)
			fprintf(stderr, "wireaudit: writing to %s through the spool %s\n", pg_target(pg), o->spool);
		pg_close(pg);
		fleet = o->db;
		dbp = o->spool;
	}
	db_new = access(dbp, F_OK) != 0 && errno == ENOENT;
	if (store_open(&st, dbp, false, err, sizeof(err)) != 0) {
		fprintf(stderr, "wireaudit: %s\n", err);
		if (db_new)
			remove_db_files(dbp);
		return EXIT_STORE;
	}
	/* one capture at a time into a database: flow ids are taken from the
	 * store when the run starts (a second writer would reuse them); the
	 * lock goes with the process */
	if ((db_lock = open(dbp, O_RDONLY | O_CLOEXEC)) < 0 || flock(db_lock, LOCK_EX | LOCK_NB) != 0) {
		fprintf(stderr, "wireaudit: %s: %s\n", dbp, errno == EWOULDBLOCK ?
			"another capture is writing this database (one capture per database)" : strerror(errno));
		if (db_lock >= 0)
			close(db_lock);
		store_close(st);
		return EXIT_STORE;
	}
	store_set_community_seed(st, o->cid_seed);
	if (o->retain_flows_us > 0 || o->retain_rollups_us > 0 || o->max_db_bytes > 0) {
		struct retention_policy pol = { o->retain_flows_us, o->retain_rollups_us, o->max_db_bytes };
		if ((run_ret = retention_start(o->db, &pol, o->quiet, true, err, sizeof(err))) == NULL) {
			fprintf(stderr, "wireaudit: retention: %s\n", err);
			store_close(st);
			close(db_lock);
			return EXIT_STORE;
		}
		/* its own thread and connection; the store tells it the newest
		 * flow time at each commit */
		store_set_retention(st, run_ret);
	}
	for (k = 0; k < nw; k++) {
		/* an engine is large and must not move: each worker on its own */
		if ((ws[k] = calloc(1, sizeof(*ws[k]))) == NULL) {
			fprintf(stderr, "wireaudit: out of memory for %u workers\n", nw);
			while (k > 0)
				free(ws[--k]);
			store_close(st);
			close(db_lock);
			return EXIT_STORE;
		}
		ws[k]->idx = k;
		ws[k]->solo = nw == 1;
		ws[k]->recv = ws[k]->drops = ws[k]->if_drops = -1;
		ws[k]->pub_recv = ws[k]->pub_drops = ws[k]->pub_ifdrops = -1;
		ws[k]->pub_kdrops = -1;
		ws[k]->rc = EXIT_OK;
		if (nif > 0) {
			/* interface i's workers are i*wpi .. i*wpi+wpi-1 */
			ws[k]->ifi = k / wpi;
			ws[k]->iface = ifl[k / wpi];
			ws[k]->if_first = k % wpi == 0;
		}
	}
	workers = ws;
	nworkers = nw;
	run_ifaces = ifl;
	run_nifaces = nif;
	{
		/* every interface or file, space-separated (runs.source): built
		 * whole, however many files a week of captures has */
		FILE *sf = open_memstream(&source, &source_len);
		if (sf == NULL) {
			fprintf(stderr, "wireaudit: capture: out of memory\n");
			rc = EXIT_STORE;
			goto out;
		}
		if (nif > 0)
			for (k = 0; k < nif; k++)
				fprintf(sf, "%s%s", k ? " " : "", ifl[k]);
		else
			for (i = 0; i < o->nfiles; i++)
				fprintf(sf, "%s%s", i ? " " : "", o->files[i]);
		if (fclose(sf) != 0 || source == NULL) {
			fprintf(stderr, "wireaudit: capture: out of memory\n");
			rc = EXIT_STORE;
			goto out;
		}
	}
	ri.source = source;
	ri.filter = o->filter;
	ri.snaplen = o->snaplen;
	ri.mode = nif ? "live" : "offline";
	ri.sensor = o->eve.sensor;
	if (store_run_begin(st, &ri, &run_id) != 0) {
		rc = EXIT_STORE;
		goto out;
	}
	if (o->eve.target) {
		/* from the store's end: the run's records, as they commit */
		if (store_commit(st) != 0 || eve_start(&run_eve, dbp, &o->eve, run_id, err, sizeof(err)) != 0) {
			fprintf(stderr, "wireaudit: %s\n", err);
			rc = store_failed(st) ? EXIT_STORE : EXIT_USAGE;
			goto finish;
		}
	}
	if (fleet) {
		/* after the stream: the spool keeps what it has not read */
		struct fwd_opts fo = { fleet, dbp, o->spool_max, o->quiet, run_id,
				       run_eve ? eve_read_seq : NULL, run_eve, &stop_count };
		if (store_commit(st) != 0 || fwd_start(&run_fwd, &fo, err, sizeof(err)) != 0) {
			fprintf(stderr, "wireaudit: %s\n", err);
			rc = EXIT_STORE;
			goto finish;
		}
	}
	/* the interface, once per worker, opened before the engines: an
	 * interface that cannot be opened costs no engine */
	if (nif) {
		for (k = 0; k < nw; k++)
			if ((ws[k]->p = open_live(o, ws[k]->iface, &rc)) == NULL)
				goto finish;
		/* one fanout group per interface: a group spans one device */
		for (k = 0; k < nif && wpi > 1; k++)
			if (join_fanout(ws + k * wpi, wpi, ifl[k]) != 0) {
				rc = EXIT_INPUT;
				goto finish;
			}
	}
	for (k = 0; k < nw; k++) {
		struct engine_config cfg = o->eng;
		struct x509_ctx *x = o->x509;
		if (k > 0 && (x = ws[k]->own_x509 = x509_ctx_new(o->system_ca, o->ca_file)) == NULL) {
			rc = EXIT_USAGE;
			goto finish;
		}
		/* --max-flows is the run's: each worker holds its share */
		cfg.max_flows = (o->eng.max_flows + nw - 1) / nw;
		if (engine_init(&ws[k]->eng, &cfg, st, run_id, x) != 0) {
			rc = EXIT_STORE;
			goto finish;
		}
		ninit++;
		ws[k]->eng.iface = ws[k]->iface;
		/* flow ids unique in the run: worker k (of all interfaces')
		 * takes first+k, +N, ... */
		ws[k]->eng.ft.next_id += k;
		ws[k]->eng.ft.id_step = nw;
	}
	/* after the interfaces and the anchors (x509_ctx_new reads --ca-file) */
	if (nif && o->drop_user && drop_privileges(o->drop_user) != 0) {
		rc = EXIT_USAGE;
		goto finish;
	}
	if (nw > 1) {
		struct engine *es[ENGINE_MAX_WORKERS];
		for (k = 0; k < nw; k++)
			es[k] = &ws[k]->eng;
		/* the store is written by one thread in any case: the workers
		 * must not share the connection */
		if (engine_set_writers(es, nw, o->store_slots, err, sizeof(err)) != 0) {
			fprintf(stderr, "wireaudit: --workers: %s\n", err);
			rc = EXIT_STORE;
			goto finish;
		}
	} else if (o->store_thread &&
		   engine_set_writer(&ws[0]->eng, o->store_slots, err, sizeof(err)) != 0) {
		fprintf(stderr, "wireaudit: %s; writing the store on the packet thread\n", err);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* SIGHUP must not abort a blocking read: restarted, acted on at the
	 * next tick (a few packets, or 0.5 s of a quiet live link) */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	stop_signal = 0;
	hup_pending = 0;
	__atomic_store_n(&stop_all, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&store_broken, 0, __ATOMIC_RELAXED);
	total_packets = 0;
	ts_start_all = 0;
	cur_run_id = run_id;
	ckpt_usec = o->checkpoint_sec * 1000000LL;
	for (k = 0; k < nw; k++) {
		ws[k]->ckpt_next = now_us() + ckpt_usec;
		ws[k]->wq_flushed = now_us();
	}
	run_cpu0 = cpu_us();
	run_opts = o;

	/* set up: the interfaces are open, privileges dropped, the engines
	 * and the store writer ready */
	memset(&svc, 0, sizeof(svc));
	if (svc_enabled()) {
		char status[160];
		int64_t now = now_us();
		svc.on = true;
		svc.wd_period = svc_watchdog_usec() / 2;
		svc.wd_last = svc.st_last = now;
		for (k = 0; k < nw; k++)
			ws[k]->beat = now;
		snprintf(status, sizeof(status), "run %lld: capturing on %.64s", (long long)run_id,
			 o->iface ? o->iface : "files");
		svc_ready(status);
	}

	if (nif && nw > 1) {
		if (run_workers(o) != 0 && rc == EXIT_OK)
			rc = EXIT_INPUT;
		for (k = 0; k < nw; k++)
			if (ws[k]->rc != EXIT_OK && rc == EXIT_OK)
				rc = ws[k]->rc;
	} else if (nif) {
		active_pcap = ws[0]->p;
		live_loop(ws[0], o);
		active_pcap = NULL;
		rc = ws[0]->rc;
	} else {
		struct engine *eng = &ws[0]->eng;
		for (i = 0; i < o->nfiles && !stopping(); i++) {
			struct loop_ctx lc;
			bool gz;
			FILE *fp;
			pcap_t *p;
			struct stat sb;
			int n;

			fp = open_input(o->files[i], &gz, err, sizeof(err));
			if (fp == NULL) {
				fprintf(stderr, "wireaudit: %s\n", err);
				if (nerr < 64)
					errors[nerr++] = strdup(err);
				rc = EXIT_INPUT;
				continue;
			}
			p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
			if (p == NULL) {
				fprintf(stderr, "wireaudit: %s: %s\n", o->files[i], ebuf);
				snprintf(err, sizeof(err), "%s: %s", o->files[i], ebuf);
				if (nerr < 64)
					errors[nerr++] = strdup(err);
				fclose(fp);
				rc = EXIT_INPUT;
				continue;
			}
			if (apply_filter(p, o->filter, o->files[i]) != 0) {
				pcap_close(p);
				rc = EXIT_USAGE;
				break;
			}
			memset(&lc, 0, sizeof(lc));
			lc.w = ws[0];
			lc.eng = eng;
			lc.dlt = pcap_datalink(p);
			lc.o = o;
			lc.name = o->files[i];
			lc.fp = gz ? NULL : fp;
			lc.file_size = (!gz && stat(o->files[i], &sb) == 0) ? (int64_t)sb.st_size : -1;
			lc.start_wall = now_us();
			active_pcap = p;
			rerr[0] = 0;
			/* a regular file (gzip or not) is read by a thread of its
			 * own; a pipe stays on this thread, where a signal can
			 * interrupt a read that waits */
			if (o->read_thread && is_regular(o->files[i]))
				n = consume_threaded(&lc, p, gz ? NULL : fp, rerr, sizeof(rerr));
			else
				n = -3;
			if (n == -3) {
				if (rerr[0])
					fprintf(stderr, "wireaudit: %s; reading on the packet thread\n", rerr);
				rerr[0] = 0;
				lc.threaded = false;
				n = pcap_loop(p, -1, on_packet, (u_char *)&lc);
			}
			active_pcap = NULL;
			if (o->progress)
				progress(&lc, true);
			if (n == PCAP_ERROR && stop_signal) {
				/* a signal interrupted a blocking read (a pipe): not
				 * an input error */
			} else if (n == PCAP_ERROR) {
				/* e.g. a file that ends mid-record: keep what was read */
				const char *why = rerr[0] ? rerr : pcap_geterr(p);
				fprintf(stderr, "wireaudit: %s: %s (after %llu packets)\n", o->files[i],
					why, (unsigned long long)lc.file_packets);
				snprintf(err, sizeof(err), "%s: %s", o->files[i], why);
				if (nerr < 64)
					errors[nerr++] = strdup(err);
				rc = EXIT_INPUT;
			}
			pcap_close(p); /* closes fp */
			if (o->count > 0 && (int64_t)eng->st.packets >= o->count)
				break;
		}
	}
finish:
	if (svc.on)
		svc_stopping();
	svc.on = false;
	/* (also after a failed set-up: the run is closed as an error) */
	for (k = 0; k < ninit; k++) {
		engine_flush_all(&ws[k]->eng);
		engine_stop_writer(&ws[k]->eng); /* everything written; the store is ours again */
	}
	if (stop_signal && rc == EXIT_OK)
		rc = EXIT_INTERRUPTED;
	/* what retention has left to do at the run's last packet time, so a
	 * run leaves its store within the policy */
	if (run_ret) {
		store_set_retention(st, NULL);
		retention_note(run_ret, store_ts_max(st), INT64_MAX);
		if (store_commit(st) != 0 || retention_finish(run_ret) != 0) {
			if (rc == EXIT_OK)
				rc = EXIT_STORE;
		}
	}
	if (store_failed(st)) {
		fprintf(stderr, "wireaudit: %s: capture stopped: the database cannot be written (%s); "
			"what was committed before is kept\n", dbp, store_failed(st));
		rc = EXIT_STORE;
	}
	run_totals(&tot);
	/* failed before the first packet (a missing file, a bad filter, an
	 * unknown interface): not a run. A fleet sensor's run may have been
	 * forwarded already; it stays, as an error. */
	discard = rc != EXIT_OK && rc != EXIT_INTERRUPTED && !stop_signal && !fleet &&
		  tot.st.packets == 0 && tot.st.flows_written == 0 && !store_failed(st);
	/* the series' last rows: exact, the workers stopped (not after a
	 * set-up that failed before any engine existed) */
	if (ninit == nw && !discard)
		for (k = 0; k < (nif ? nif : 1); k++) {
			struct stats_row sr;
			stats_row_fill(&sr, k, true);
			sr.run_id = run_id;
			store_stats_row(st, &sr);
		}
	if (run_eve) {
		/* the stream's last events: every record and the final stats
		 * rows committed; a reader gets up to a second to take them */
		uint64_t ew, ed;
		int c1 = store_commit(st), c2 = eve_finish(run_eve, 1000000);
		if (c1 != 0 || c2 != 0)
			fprintf(stderr, "wireaudit: --eve: the last records could not be read back\n");
		eve_counts(run_eve, &ew, &ed);
		if (!o->quiet || ed)
			fprintf(stderr, "wireaudit: --eve %s: %llu events written, %llu dropped%s\n",
				o->eve.target, (unsigned long long)ew, (unsigned long long)ed,
				ed ? " (the reader was too slow, absent or gone)" : "");
	}
	sj = stats_json(&tot, (const char *const *)errors, nerr);
	memset(&re, 0, sizeof(re));
	re.ts_first = tot.st.ts_first;
	re.ts_last = tot.st.ts_last;
	re.packets = (int64_t)tot.st.packets;
	re.bytes = (int64_t)tot.st.bytes;
	re.flows = (int64_t)tot.st.flows_written;
	re.drops = tot.drops;
	re.if_drops = tot.if_drops;
	re.stats_json = sj;
	re.status = stop_signal ? "interrupted" : rc == EXIT_OK ? "complete" : "error";
	if (discard) {
		if (store_run_discard(st, run_id) != 0)
			discard = false; /* then it is kept, as an error */
		else if (!o->quiet)
			fprintf(stderr, "wireaudit: no packet was read: %s\n",
				db_new ? "no database created" : "no run recorded");
	}
	if (!discard && store_run_end(st, run_id, &re) != 0 && rc == EXIT_OK)
		rc = EXIT_STORE;
	if (tot.st.store_errors && rc == EXIT_OK)
		rc = EXIT_STORE;
	if (run_fwd) {
		/* the run's last rows are in the spool: PostgreSQL gets up to
		 * --spool-drain to take what is left */
		struct fwd_stats fs;
		int64_t left;
		store_commit(st);
		left = fwd_finish(run_fwd, o->spool_drain_us, &fs);
		run_fwd = NULL;
		if (!o->quiet || left || fs.flows_dropped)
			fprintf(stderr, "wireaudit: %s: %llu records forwarded, %llu dropped from the full spool, "
				"%lld waiting in the spool %s%s\n", fleet, (unsigned long long)fs.flows_forwarded,
				(unsigned long long)fs.flows_dropped, (long long)left, dbp,
				left ? " (the next capture, or `wireaudit forward`, sends them)" : "");
		if (left && rc == EXIT_OK)
			rc = EXIT_STORE;
	}
	if (!o->quiet && !discard) {
		/* what a user asks of a run; the store's own counters with -v */
		unsigned long long np = tot.st.packets, nf = tot.st.flows_written;
		fprintf(stderr, "wireaudit: run %lld: %llu packet%s, %llu flow%s (%llu encrypted, %llu in clear)",
			(long long)run_id, np, np == 1 ? "" : "s", nf, nf == 1 ? "" : "s",
			(unsigned long long)tot.st.flows_encrypted, (unsigned long long)tot.st.flows_cleartext);
		if (tot.drops >= 0 || tot.if_drops >= 0)
			fprintf(stderr, ", %lld dropped", (long long)((tot.drops > 0 ? tot.drops : 0) +
								  (tot.if_drops > 0 ? tot.if_drops : 0)));
		fprintf(stderr, ", %.1f s, into %s", (double)(now_us() - run_wall0) / 1e6, dbp);
		if (o->verbose)
			fprintf(stderr, " (%llu checkpoint rows, %.1f%% of %.2f s CPU)",
				(unsigned long long)tot.st.checkpoint_rows,
				100.0 * (double)tot.ckpt_cpu / (double)(cpu_us() - run_cpu0 + 1),
				(double)(cpu_us() - run_cpu0) / 1e6);
		fputc('\n', stderr);
	}
	free(sj);
out:
	for (k = 0; k < nw; k++) {
		if (k < ninit)
			engine_free(&ws[k]->eng);
		if (ws[k]->p)
			pcap_close(ws[k]->p);
		if (ws[k]->own_x509)
			x509_ctx_free(ws[k]->own_x509);
		free(ws[k]);
	}
	workers = NULL;
	nworkers = 0;
	run_ifaces = NULL;
	run_nifaces = 0;
	run_opts = NULL;
	for (i = 0; i < nerr; i++)
		free(errors[i]);
	store_set_retention(st, NULL);
	if (run_fwd) {
		/* (before the stream: the forwarder asks it how far it read) */
		fwd_finish(run_fwd, 0, NULL);
		run_fwd = NULL;
	}
	eve_free(run_eve);
	run_eve = NULL;
	store_close(st);
	close(db_lock);
	retention_free(run_ret);
	run_ret = NULL;
	if (discard && db_new)
		remove_db_files(dbp);
	free(source);
	return rc;
}
