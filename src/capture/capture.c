/* capture.c — the libpcap loop; see capture.h. */
#define _GNU_SOURCE
#include "capture.h"
#include "json.h"
#include "store.h"
#include "swq.h"
#include "reader.h"
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include <zlib.h>

static volatile sig_atomic_t stop_signal, hup_pending;
static pcap_t *active_pcap;
/* the store refused a write (disk full, read-only, locked): stop reading */
static bool store_broken;
/* checkpoints (docs/ARCHITECTURE.md, durability): wall-clock schedule */
static int64_t ckpt_usec, ckpt_next, ckpt_cpu, run_cpu0;
/* scheduled checkpoints, those whose next interval was stretched, the
 * longest interval used (µs) */
static int64_t ckpt_count, ckpt_stretched, ckpt_wait_max;
static int64_t wq_flushed; /* the last swq_flush, wall clock */

/* CPU time of this process, µs: what checkpoints cost, whatever the load */
static int64_t cpu_us(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
static int64_t cur_run_id;

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		hup_pending = 1;
		return;
	}
	stop_signal = sig;
	if (active_pcap)
		pcap_breakloop(active_pcap);
}

static bool is_regular(const char *path)
{
	struct stat sb;
	return strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Checkpoint open flows and commit: on schedule, or now (SIGHUP). */
static void capture_checkpoint(struct engine *e, const char *why)
{
	struct run_end re;
	int64_t t0 = cpu_us();
	uint64_t n;

	/* with the store writer, snapshots go to it as copies (dis_snapshot),
	 * in order: the packet thread does not wait for the store */
	n = engine_checkpoint(e, why != NULL);

	memset(&re, 0, sizeof(re));
	re.ts_first = e->st.ts_first;
	re.ts_last = e->st.ts_last;
	re.packets = e->st.packets;
	re.bytes = e->st.bytes;
	re.flows = e->st.flows_written;
	engine_run_progress(e, cur_run_id, &re);
	ckpt_cpu += cpu_us() - t0;
	if (why)
		fprintf(stderr, "wireaudit: run %lld: %llu packets, %llu flows written, %u open "
			"(%llu snapshot rows now) [%s]\n", (long long)cur_run_id,
			(unsigned long long)e->st.packets, (unsigned long long)e->st.flows_written,
			e->ft.count, (unsigned long long)n, why);
}

/* Every few packets and on every idle wake-up of a live capture. */
static void capture_tick(struct engine *e)
{
	int64_t now = now_us();
	if (hup_pending) {
		hup_pending = 0;
		capture_checkpoint(e, "SIGHUP");
		ckpt_next = now + ckpt_usec;
	} else if (ckpt_usec > 0 && now >= ckpt_next) {
		/* A checkpoint writes a row per open flow with news: with
		 * 10^5..10^6 open flows that takes longer than the interval,
		 * and checkpoints would follow each other without end (the
		 * 10^6-flow scale point: 27x slower than 10^3, docs/
		 * PERFORMANCE.md). So the next one waits at least nine times
		 * what this one took: checkpoints stay within a tenth of the
		 * time, and the interval stretches (counted in the run's
		 * statistics) only when the table is that large. */
		int64_t end, cost, wait;
		capture_checkpoint(e, NULL);
		end = now_us();
		cost = end - now;
		wait = ckpt_usec;
		if (cost * 9 > wait) {
			wait = cost * 9;
			ckpt_stretched++;
		}
		if (wait > ckpt_wait_max)
			ckpt_wait_max = wait;
		ckpt_count++;
		ckpt_next = end + wait;
	} else if (e->wq == NULL) {
		store_maybe_commit(e->store); /* else the writer commits on time */
	} else if (now - wq_flushed >= 200000) {
		/* records wait for a batch of their own (swq.c): on a quiet link,
		 * hand them over within 0.2 s */
		swq_flush(e->wq);
		wq_flushed = now;
	}
	if (engine_store_failed(e) && !store_broken) {
		store_broken = true;
		if (active_pcap)
			pcap_breakloop(active_pcap);
	}
}

struct loop_ctx {
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

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct loop_ctx *lc = (struct loop_ctx *)user;
	struct engine *e = lc->eng;
	int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;

	engine_packet(e, lc->dlt, ts, data, h->caplen, h->len);
	lc->file_packets++;
	if ((lc->file_packets & 63) == 0)
		capture_tick(e);
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
			if (lc->stop || stop_signal || store_broken) {
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

static int drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);
	if (pw == NULL) {
		fprintf(stderr, "wireaudit: -Z: no such user %s\n", user);
		return -1;
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

static char *stats_json(const struct engine *e, const char *const *errors, int nerr)
{
	struct jbuf jb;
	int i;
	jb_init(&jb);
	jb_obj_open(&jb);
	jb_key(&jb, "decode");
	jb_obj_open(&jb);
	for (i = 0; i < DEC_NRESULTS; i++)
		jb_kv_int(&jb, dec_result_name((enum dec_result)i), (int64_t)e->st.dec[i]);
	jb_obj_close(&jb);
	jb_kv_int(&jb, "flows_tcp", (int64_t)e->st.flows_tcp);
	jb_kv_int(&jb, "flows_udp", (int64_t)e->st.flows_udp);
	jb_kv_int(&jb, "flows_written", (int64_t)e->st.flows_written);
	jb_kv_int(&jb, "flows_closed", (int64_t)e->st.flows_closed);
	jb_kv_int(&jb, "flows_expired", (int64_t)e->st.flows_expired);
	jb_kv_int(&jb, "flows_evicted", (int64_t)e->st.flows_evicted);
	jb_kv_int(&jb, "dissector_calls", (int64_t)e->st.dis.dissector_calls);
	jb_kv_int(&jb, "dissector_bytes", (int64_t)e->st.dis.dissector_bytes);
	jb_kv_int(&jb, "probe_calls", (int64_t)e->st.dis.probe_calls);
	jb_kv_int(&jb, "ndpi_packets", (int64_t)e->st.ndpi_packets);
	jb_kv_int(&jb, "ndpi_stopped", (int64_t)e->st.ndpi_stopped);
	jb_kv_int(&jb, "bypassed_packets", (int64_t)e->st.bypassed_packets);
	jb_kv_int(&jb, "stream_gaps", (int64_t)e->st.stream_gaps);
	jb_kv_int(&jb, "stream_caps", (int64_t)e->st.dis.stream_caps);
	jb_kv_int(&jb, "retransmissions", (int64_t)e->st.retransmissions);
	jb_kv_int(&jb, "overlap_mismatches", (int64_t)e->st.overlap_mismatches);
	jb_kv_int(&jb, "store_errors", (int64_t)e->st.store_errors);
	if (ckpt_stretched) {
		/* checkpoints that took more than a tenth of their interval */
		jb_key(&jb, "checkpoints");
		jb_obj_open(&jb);
		jb_kv_int(&jb, "scheduled", ckpt_count);
		jb_kv_int(&jb, "stretched", ckpt_stretched);
		jb_kv_int(&jb, "longest_interval_ms", ckpt_wait_max / 1000);
		jb_obj_close(&jb);
	}
	if (e->wq_folded.slots) {
		/* the store writer thread (swq.h): back-pressure on the packet path */
		jb_key(&jb, "store_writer");
		jb_obj_open(&jb);
		jb_kv_int(&jb, "records", (int64_t)e->wq_folded.pushed);
		jb_kv_int(&jb, "slots", (int64_t)e->wq_folded.slots);
		jb_kv_int(&jb, "max_queued", (int64_t)e->wq_folded.max_depth);
		jb_kv_int(&jb, "full_waits", (int64_t)e->wq_folded.waits);
		jb_kv_int(&jb, "full_wait_us", (int64_t)e->wq_folded.wait_us);
		jb_kv_int(&jb, "syncs", (int64_t)e->wq_folded.syncs);
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

int capture_run(const struct capture_opts *o)
{
	struct store *st = NULL;
	struct engine eng;
	struct run_info ri;
	struct run_end re;
	char err[512], ebuf[PCAP_ERRBUF_SIZE], rerr[128];
	char source[4096];
	char *errors[64];
	int nerr = 0, rc = EXIT_OK, i;
	int64_t run_id = 0;
	int64_t drops = -1, if_drops = -1;
	struct sigaction sa;
	char *sj;

	if (store_open(&st, o->db, false, err, sizeof(err)) != 0) {
		fprintf(stderr, "wireaudit: %s\n", err);
		return EXIT_STORE;
	}
	source[0] = 0;
	if (o->iface) {
		snprintf(source, sizeof(source), "%s", o->iface);
	} else {
		size_t off = 0;
		for (i = 0; i < o->nfiles && off < sizeof(source); i++)
			off += (size_t)snprintf(source + off, sizeof(source) - off, "%s%s",
						i ? " " : "", o->files[i]);
	}
	ri.source = source;
	ri.filter = o->filter;
	ri.snaplen = o->snaplen;
	ri.mode = o->iface ? "live" : "offline";
	if (store_run_begin(st, &ri, &run_id) != 0) {
		store_close(st);
		return EXIT_STORE;
	}
	if (engine_init(&eng, &o->eng, st, run_id, o->x509) != 0) {
		store_close(st);
		return EXIT_STORE;
	}
	if (o->store_thread && engine_set_writer(&eng, o->store_slots, err, sizeof(err)) != 0)
		fprintf(stderr, "wireaudit: %s; writing the store on the packet thread\n", err);

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
	store_broken = false;
	cur_run_id = run_id;
	ckpt_usec = o->checkpoint_sec * 1000000LL;
	ckpt_next = now_us() + ckpt_usec;
	ckpt_cpu = 0;
	ckpt_count = ckpt_stretched = ckpt_wait_max = 0;
	run_cpu0 = cpu_us();

	if (o->iface) {
		pcap_t *p = pcap_create(o->iface, ebuf);
		struct loop_ctx lc;
		if (p == NULL) {
			fprintf(stderr, "wireaudit: %s: %s\n", o->iface, ebuf);
			rc = EXIT_INPUT;
			goto done;
		}
		pcap_set_snaplen(p, o->snaplen);
		pcap_set_promisc(p, o->promisc);
		pcap_set_timeout(p, 500);
		pcap_set_buffer_size(p, 64 * 1024 * 1024);
		if (pcap_activate(p) < 0) {
			fprintf(stderr, "wireaudit: %s: %s\n", o->iface, pcap_geterr(p));
			pcap_close(p);
			rc = EXIT_INPUT;
			goto done;
		}
		if (apply_filter(p, o->filter, o->iface) != 0) {
			pcap_close(p);
			rc = EXIT_USAGE;
			goto done;
		}
		if (o->drop_user && drop_privileges(o->drop_user) != 0) {
			pcap_close(p);
			rc = EXIT_USAGE;
			goto done;
		}
		memset(&lc, 0, sizeof(lc));
		lc.eng = &eng;
		lc.dlt = pcap_datalink(p);
		lc.o = o;
		lc.name = o->iface;
		lc.start_wall = now_us();
		active_pcap = p;
		while (!stop_signal && !store_broken) {
			int n = pcap_dispatch(p, -1, on_packet, (u_char *)&lc);
			if (n == PCAP_ERROR) {
				/* e.g. the interface went down or was removed */
				fprintf(stderr, "wireaudit: %s: %s; capture stopped, the flows seen "
					"are stored\n", o->iface, pcap_geterr(p));
				rc = EXIT_INPUT;
				break;
			}
			if (n == PCAP_ERROR_BREAK)
				break;
			/* idle link: expire by wall clock, checkpoint and commit on time */
			engine_expire(&eng, now_us() > eng.now ? now_us() : eng.now);
			capture_tick(&eng);
		}
		{
			struct pcap_stat ps;
			if (pcap_stats(p, &ps) == 0) {
				drops = ps.ps_drop;
				if_drops = ps.ps_ifdrop;
			}
		}
		active_pcap = NULL;
		pcap_close(p);
	} else {
		for (i = 0; i < o->nfiles && !stop_signal && !store_broken; i++) {
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
			lc.eng = &eng;
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
			if (o->count > 0 && (int64_t)eng.st.packets >= o->count)
				break;
		}
	}
done:
	engine_flush_all(&eng);
	engine_stop_writer(&eng); /* everything written; the store is ours again */
	if (stop_signal && rc == EXIT_OK)
		rc = EXIT_INTERRUPTED;
	if (store_failed(st)) {
		fprintf(stderr, "wireaudit: %s: capture stopped: the database cannot be written (%s); "
			"what was committed before is kept\n", o->db, store_failed(st));
		rc = EXIT_STORE;
	}
	sj = stats_json(&eng, (const char *const *)errors, nerr);
	memset(&re, 0, sizeof(re));
	re.ts_first = eng.st.ts_first;
	re.ts_last = eng.st.ts_last;
	re.packets = eng.st.packets;
	re.bytes = eng.st.bytes;
	re.flows = eng.st.flows_written;
	re.drops = drops;
	re.if_drops = if_drops;
	re.stats_json = sj;
	re.status = stop_signal ? "interrupted" : rc == EXIT_OK ? "complete" : "error";
	if (store_run_end(st, run_id, &re) != 0 && rc == EXIT_OK)
		rc = EXIT_STORE;
	if (eng.st.store_errors && rc == EXIT_OK)
		rc = EXIT_STORE;
	if (!o->quiet)
		fprintf(stderr, "wireaudit: run %lld: %llu packets, %llu flows written to %s "
			"(%llu checkpoint rows, %.1f%% of %.2f s CPU)\n",
			(long long)run_id, (unsigned long long)eng.st.packets,
			(unsigned long long)eng.st.flows_written, o->db,
			(unsigned long long)eng.st.checkpoint_rows,
			100.0 * (double)ckpt_cpu / (double)(cpu_us() - run_cpu0 + 1),
			(double)(cpu_us() - run_cpu0) / 1e6);
	free(sj);
	for (i = 0; i < nerr; i++)
		free(errors[i]);
	engine_free(&eng);
	store_close(st);
	return rc;
}
