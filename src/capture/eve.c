/* SPDX-License-Identifier: BSD-3-Clause */
/* eve.c — the event stream; see eve.h. */
#include "eve.h"
#include "export.h"
#include "json.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* how often the thread looks for new records (and drives a slow reader) */
#define EVE_POLL_US 200000
#define EVE_RECONNECT_US 1000000
/* ... and, while a reader is behind, how often it is offered more */
#define EVE_BEHIND_US 20000
/* a connection that takes no byte this long after it was made (a TCP or
 * TLS peer that accepts and then stalls) is given up and made again */
#define EVE_STALL_US 10000000

enum eve_kind { EVE_FILE, EVE_NET };

struct unix_ctx {
	int fd;
	int type; /* SOCK_STREAM, SOCK_DGRAM */
	struct sockaddr_un sa;
};

struct eve {
	struct eve_opts o;
	char *target, *sensor, *path;
	enum eve_kind kind;
	int64_t run_id;
	struct store *rd;          /* the thread's own read connection */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, started;
	int reopen;                /* atomic: SIGHUP */
	int64_t last_seq;          /* flows read up to here */
	int64_t last_stats_rowid;
	int64_t next_stats_ts;     /* a stats event from here on */
	int64_t stats_emitted_ts;  /* the last stats event's rows' time, 0: none */
	/* a file */
	int fd;
	/* a transport (eve.h) */
	const struct eve_transport *t;
	void *tctx;
	bool connected, flowing;   /* flowing: a byte went since connecting */
	int64_t retry_at, connect_at;
	bool warned;
	/* a stream's bytes not yet taken: buf[0..len), of which the first
	 * `off` went; ends[] the end offset of each event in it, so that what
	 * is dropped is counted in events */
	char *buf;
	size_t len, off, cap;
	size_t *ends;
	size_t nends, hend, ends_cap; /* ends[hend..nends) pending */
	struct jbuf ev, frame;
	uint64_t written, dropped;  /* atomic for eve_counts */
	bool read_failed;
};

static void count(uint64_t *c, uint64_t n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

/* ---- unix: and unix-dgram: ---- */

/* The transports' contexts start with their descriptor (-1: none). */
static void fd_disconnect(void *ctx)
{
	int *fd = ctx;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int unix_connect(void *ctx, char *err, size_t errlen)
{
	struct unix_ctx *u = ctx;
	fd_disconnect(u);
	u->fd = socket(AF_UNIX, u->type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (u->fd < 0 || connect(u->fd, (struct sockaddr *)&u->sa, sizeof(u->sa)) != 0) {
		snprintf(err, errlen, "%s: %s", u->sa.sun_path, strerror(errno));
		if (u->fd >= 0)
			close(u->fd);
		u->fd = -1;
		return -1;
	}
	return 0;
}

static ssize_t unix_send(void *ctx, const void *b, size_t n)
{
	struct unix_ctx *u = ctx;
	return send(u->fd, b, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void unix_free(void *ctx)
{
	fd_disconnect(ctx);
	free(ctx);
}

static const struct eve_transport unix_stream_t = {
	"unix", false, unix_connect, unix_send, fd_disconnect, unix_free, NULL,
};
static const struct eve_transport unix_dgram_t = {
	"unix-dgram", true, unix_connect, unix_send, fd_disconnect, unix_free, NULL,
};

/* ---- a FIFO or a character device given as the file ---- */

/* Written like a socket: non-blocking, through the buffer, so a reader
 * that stalls or goes away costs events, not the capture (a blocking
 * write would hold the stream's thread, and with it the end of the run;
 * SIGPIPE is ignored by the capture). Opened again a second after the
 * reader went: a FIFO with no reader cannot be opened (ENXIO). */
struct pipe_ctx {
	int fd;
	char *path;
};

static int pipe_connect(void *ctx, char *err, size_t errlen)
{
	struct pipe_ctx *p = ctx;
	fd_disconnect(p);
	p->fd = open(p->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (p->fd < 0) {
		snprintf(err, errlen, "%s: %s", p->path, errno == ENXIO ? "no reader" : strerror(errno));
		return -1;
	}
	return 0;
}

static ssize_t pipe_send(void *ctx, const void *b, size_t n)
{
	return write(((struct pipe_ctx *)ctx)->fd, b, n);
}

static void pipe_free(void *ctx)
{
	struct pipe_ctx *p = ctx;
	fd_disconnect(p);
	free(p->path);
	free(p);
}

static const struct eve_transport pipe_t = {
	"pipe", false, pipe_connect, pipe_send, fd_disconnect, pipe_free, NULL,
};

static int unix_transport(const char *path, int type, void **ctx, char *err, size_t errlen)
{
	struct unix_ctx *u = calloc(1, sizeof(*u));
	if (u == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (strlen(path) == 0 || strlen(path) >= sizeof(u->sa.sun_path)) {
		snprintf(err, errlen, "--eve: a socket path of 1 to %zu bytes, not '%s'",
			 sizeof(u->sa.sun_path) - 1, path);
		free(u);
		return -1;
	}
	u->fd = -1;
	u->type = type;
	u->sa.sun_family = AF_UNIX;
	strcpy(u->sa.sun_path, path);
	*ctx = u;
	return 0;
}

/* ---- the file ---- */

static int file_open(struct eve *e, char *err, size_t errlen)
{
	int fd = open(e->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "--eve %s: %s", e->path, strerror(errno));
		return -1;
	}
	e->fd = fd;
	return 0;
}

/* Whole lines only: a short write (a full disk) is finished or the line
 * is counted as dropped, and the file keeps whole lines before it. */
static void file_write(struct eve *e, const char *s, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(e->fd, s + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!e->warned)
				fprintf(stderr, "wireaudit: --eve %s: %s; events are dropped\n", e->path,
					strerror(errno));
			e->warned = true;
			count(&e->dropped, 1);
			if (done > 0) {
				/* the part that went: taken back, so that the
				 * next line does not continue a broken one */
				off_t end = lseek(e->fd, 0, SEEK_END);
				if (end >= (off_t)done && ftruncate(e->fd, end - (off_t)done) != 0)
					e->warned = true;
			}
			return;
		}
		done += (size_t)w;
	}
	count(&e->written, 1);
}

static void file_reopen(struct eve *e)
{
	char err[256];
	int old = e->fd;
	/* the renamed file has every line written so far (no buffer here);
	 * the new one starts with the next */
	if (file_open(e, err, sizeof(err)) != 0) {
		fprintf(stderr, "wireaudit: %s; writing on to the file as it was\n", err);
		e->fd = old;
		return;
	}
	close(old);
}

/* ---- a transport's buffer ---- */

static void net_drop_pending(struct eve *e)
{
	count(&e->dropped, e->nends - e->hend);
	e->len = e->off = 0;
	e->nends = e->hend = 0;
}

static void net_lost(struct eve *e, const char *why)
{
	if (!e->warned)
		fprintf(stderr, "wireaudit: --eve %s: %s; events are dropped until it is back\n",
			e->target, why);
	e->warned = true;
	e->t->disconnect(e->tctx);
	e->connected = false;
	e->retry_at = now_us() + EVE_RECONNECT_US;
	net_drop_pending(e);
}

static void net_try_connect(struct eve *e)
{
	char err[256];
	if (e->connected || now_us() < e->retry_at)
		return;
	if (e->t->connect(e->tctx, err, sizeof(err)) == 0) {
		/* said once bytes go (net_pump): a connection still being
		 * made (TCP, TLS) may yet fail */
		e->connected = true;
		e->flowing = false;
		e->connect_at = now_us();
		return;
	}
	if (!e->warned)
		fprintf(stderr, "wireaudit: --eve %s: %s; events are dropped until it is there\n",
			e->target, err);
	e->warned = true;
	e->retry_at = now_us() + EVE_RECONNECT_US;
}

/* The bytes still to go to the front of the buffer. */
static void net_compact(struct eve *e)
{
	if (e->off == 0)
		return;
	memmove(e->buf, e->buf + e->off, e->len - e->off);
	for (size_t i = e->hend; i < e->nends; i++)
		e->ends[i - e->hend] = e->ends[i] - e->off;
	e->nends -= e->hend;
	e->hend = 0;
	e->len -= e->off;
	e->off = 0;
}

/* Moves what the reader takes now; never waits. A datagram transport
 * sends the buffer's events one by one (a full queue, EAGAIN, keeps them
 * for the next try: a unix datagram socket queues only
 * net.unix.max_dgram_qlen of them); a stream sends bytes. */
static void net_pump(struct eve *e)
{
	net_try_connect(e);
	while (e->connected && e->off < e->len) {
		size_t n = e->t->dgram ? e->ends[e->hend] - e->off : e->len - e->off;
		ssize_t w = e->t->send(e->tctx, e->buf + e->off, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
				break;
			if (e->t->dgram && errno == EMSGSIZE) {
				/* this one cannot go as one datagram */
				count(&e->dropped, 1);
				e->off = e->ends[e->hend++];
				continue;
			}
			net_lost(e, strerror(errno));
			break;
		}
		if (w > 0 && e->warned) {
			fprintf(stderr, "wireaudit: --eve %s: connected, events flow again\n", e->target);
			e->warned = false;
		}
		if (w > 0)
			e->flowing = true;
		e->off += e->t->dgram ? n : (size_t)w;
		while (e->hend < e->nends && e->ends[e->hend] <= e->off) {
			e->hend++;
			count(&e->written, 1);
		}
	}
	if (e->connected && !e->flowing && e->off < e->len && now_us() - e->connect_at > EVE_STALL_US)
		net_lost(e, "no byte taken in the 10 s since connecting");
	if (e->off == e->len) {
		e->off = e->len = 0;
		e->hend = e->nends = 0;
	} else if (e->off > e->cap / 2) {
		net_compact(e); /* keep the room at the end */
	}
}

/* 0: the event is buffered (or dropped: no reader connected, counted);
 * 1: no room now, the reader is behind: the caller offers it again later
 * (the store keeps it meanwhile, so a slow reader costs nothing but lag
 * until the run ends) */
static int net_event(struct eve *e, const char *s, size_t n)
{
	net_pump(e);
	if (!e->connected) {
		count(&e->dropped, 1);
		return 0;
	}
	if (n > e->cap) {
		count(&e->dropped, 1); /* larger than the whole buffer */
		return 0;
	}
	if (e->len - e->off + n > e->cap)
		return 1;
	if (e->len + n > e->cap)
		net_compact(e);
	if (e->nends == e->ends_cap) {
		size_t nc = e->ends_cap ? e->ends_cap * 2 : 1024;
		size_t *ne = realloc(e->ends, nc * sizeof(*ne));
		if (ne == NULL) {
			count(&e->dropped, 1);
			return 0;
		}
		e->ends = ne;
		e->ends_cap = nc;
	}
	memcpy(e->buf + e->len, s, n);
	e->len += n;
	e->ends[e->nends++] = e->len;
	net_pump(e);
	return 0;
}

/* ---- events ---- */

/* 0: written, buffered or dropped (counted); 1: not now (net_event) */
static int emit(struct eve *e, const char *json, size_t n, int64_t ts, const char *type)
{
	jb_reset(&e->frame);
	if (e->kind == EVE_NET && e->t->frame) {
		e->t->frame(e->tctx, &e->frame, json, n, ts, type);
	} else {
		jb_bytes(&e->frame, json, n);
		jb_bytes(&e->frame, "\n", 1);
	}
	if (e->frame.err) {
		count(&e->dropped, 1);
		return 0;
	}
	if (e->kind == EVE_FILE) {
		file_write(e, jb_str(&e->frame), e->frame.len);
		return 0;
	}
	return net_event(e, jb_str(&e->frame), e->frame.len);
}

static void envelope(struct eve *e, int64_t ts, const char *type)
{
	char t[TSSTR_MAX];
	jb_reset(&e->ev);
	jb_obj_open(&e->ev);
	ts_to_rfc3339(ts, t, sizeof(t));
	jb_kv_str(&e->ev, "timestamp", t);
	jb_kv_str(&e->ev, "event_type", type);
	jb_kv_str(&e->ev, "sensor", e->sensor);
}

static int flow_cb(const struct flow_view *v, void *arg)
{
	struct eve *e = arg;
	bool snap = v->end_reason && strcmp(v->end_reason, "open") == 0;
	/* Suricata's names (its proto field: the IANA keyword) */
	const char *proto = strcmp(v->transport, "tcp") == 0 ? "TCP" :
			    strcmp(v->transport, "udp") == 0 ? "UDP" :
			    strcmp(v->transport, "icmp") == 0 ? "ICMP" :
			    strcmp(v->transport, "icmp6") == 0 ? "IPv6-ICMP" : v->transport;

	/* Suricata's EVE names at the top, our record inside */
	envelope(e, v->ts_last, "flow");
	if (v->flow_uid)
		jb_kv_str(&e->ev, "flow_uid", v->flow_uid);
	if (v->community_id)
		jb_kv_str(&e->ev, "community_id", v->community_id);
	if (v->iface)
		jb_kv_str(&e->ev, "in_iface", v->iface);
	jb_kv_str(&e->ev, "src_ip", v->client_ip);
	jb_kv_int(&e->ev, "src_port", v->client_port);
	jb_kv_str(&e->ev, "dest_ip", v->server_ip);
	jb_kv_int(&e->ev, "dest_port", v->server_port);
	jb_kv_str(&e->ev, "proto", proto);
	if (snap)
		jb_kv_bool(&e->ev, "snapshot", true);
	jb_key(&e->ev, "flow");
	export_record_json(&e->ev, v);
	jb_obj_close(&e->ev);
	if (e->ev.err) {
		count(&e->dropped, 1);
	} else if (emit(e, jb_str(&e->ev), e->ev.len, v->ts_last, "flow") != 0) {
		return 1; /* this record again at the next pass */
	}
	__atomic_store_n(&e->last_seq, v->seq, __ATOMIC_RELEASE);
	return 0;
}

static void kv_int_or_null(struct jbuf *jb, const struct store_row *r, int i, const char *k)
{
	if (store_col_null(r, i)) {
		jb_key(jb, k);
		jb_null(jb);
	} else {
		jb_kv_int(jb, k, store_col_int(r, i));
	}
}

static int stats_cb(const struct store_row *r, void *arg)
{
	struct eve *e = arg;
	int64_t ts = store_col_int(r, 1);
	bool final = store_col_int(r, 4) != 0;
	char t[TSSTR_MAX];
	static const char *const cols[] = {
		NULL, NULL, NULL, NULL, NULL, "received", "kernel_drops", "if_drops", "packets",
		"bytes", "open_flows", "flows_ended", "flows_evicted", "anomalies", "queue_waits",
		"queue_wait_us", "workers",
	};

	/* the rows of one checkpoint share its time: all or none */
	if (!final && ts != e->stats_emitted_ts && ts < e->next_stats_ts) {
		e->last_stats_rowid = store_col_int(r, 0);
		return 0;
	}
	envelope(e, ts, "stats");
	jb_key(&e->ev, "stats");
	jb_obj_open(&e->ev);
	jb_kv_int(&e->ev, "run_id", e->run_id);
	jb_kv_str(&e->ev, "interface", store_col_text(r, 3));
	jb_kv_bool(&e->ev, "final", final);
	if (store_col_null(r, 2)) {
		jb_key(&e->ev, "pkt_ts");
		jb_null(&e->ev);
	} else {
		ts_to_rfc3339(store_col_int(r, 2), t, sizeof(t));
		jb_kv_str(&e->ev, "pkt_ts", t);
	}
	for (int i = 5; i < (int)(sizeof(cols) / sizeof(cols[0])); i++)
		kv_int_or_null(&e->ev, r, i, cols[i]);
	jb_key(&e->ev, "eve");
	jb_obj_open(&e->ev);
	jb_kv_int(&e->ev, "written", (int64_t)__atomic_load_n(&e->written, __ATOMIC_RELAXED));
	jb_kv_int(&e->ev, "dropped", (int64_t)__atomic_load_n(&e->dropped, __ATOMIC_RELAXED));
	jb_obj_close(&e->ev);
	jb_obj_close(&e->ev);
	jb_obj_close(&e->ev);
	if (e->ev.err) {
		count(&e->dropped, 1);
	} else if (emit(e, jb_str(&e->ev), e->ev.len, ts, "stats") != 0) {
		return 1;
	}
	if (ts != e->stats_emitted_ts && e->o.stats_sec > 0) {
		/* the next point an interval after this one's, by the rows'
		 * own clock: rows come at checkpoints, a little late or early */
		int64_t iv = (int64_t)e->o.stats_sec * 1000000;
		e->next_stats_ts = ts + iv - (iv / 2 < 500000 ? iv / 2 : 500000);
	}
	e->stats_emitted_ts = ts;
	e->last_stats_rowid = store_col_int(r, 0);
	return 0;
}

/* Everything committed since the last pass. 0: all of it went out; 1:
 * the reader is behind (the rest waits in the store); -1: a store error. */
static int eve_pass(struct eve *e)
{
	char a[24], b[24];
	const char *p[2] = { a, b };
	struct flow_filter f = { -1, -1, -1, e->last_seq, 0, e->o.snapshots };
	int64_t upto = store_max_seq(e->rd);
	int rc;

	if (upto < 0)
		return -1;
	if (upto > e->last_seq) {
		f.upto_seq = upto;
		if ((rc = store_each_flow(e->rd, &f, flow_cb, e)) != 0)
			return rc < 0 ? -1 : 1;
		__atomic_store_n(&e->last_seq, upto, __ATOMIC_RELEASE); /* past the snapshots not streamed too */
	}
	snprintf(a, sizeof(a), "%lld", (long long)e->run_id);
	snprintf(b, sizeof(b), "%lld", (long long)e->last_stats_rowid);
	rc = store_query_rows(e->rd, "SELECT rowid, ts, pkt_ts, interface, final, received, kernel_drops,"
			      " if_drops, packets, bytes, open_flows, flows_ended, flows_evicted, anomalies,"
			      " queue_waits, queue_wait_us, workers FROM stats"
			      " WHERE run_id = ?1 AND rowid > ?2 ORDER BY rowid", p, 2, stats_cb, e);
	return rc < 0 ? -1 : rc > 0 ? 1 : 0;
}

/* At the end, what a reader that stayed behind never got: the records
 * still in the store past the stream's position, and the run's final
 * statistics rows. */
static void eve_count_unsent(struct eve *e)
{
	char a[24], b[24], c[24];
	const char *p[3] = { a, b, c };
	int64_t n = 0, m = 0;

	snprintf(a, sizeof(a), "%lld", (long long)e->last_seq);
	snprintf(b, sizeof(b), "%d", e->o.snapshots ? 1 : 0);
	snprintf(c, sizeof(c), "%lld", (long long)e->run_id);
	if (store_scalar(e->rd, "SELECT count(*) FROM flows WHERE seq > ?1"
			 " AND (?2 = '1' OR end_reason <> 'open')", p, 2, &n) == 0 && n > 0)
		count(&e->dropped, (uint64_t)n);
	snprintf(a, sizeof(a), "%lld", (long long)e->last_stats_rowid);
	p[1] = c;
	if (store_scalar(e->rd, "SELECT count(*) FROM stats WHERE rowid > ?1 AND run_id = ?2 AND final = 1",
			 p, 2, &m) == 0 && m > 0)
		count(&e->dropped, (uint64_t)m);
}

static void *eve_main(void *arg)
{
	struct eve *e = arg;
	struct timespec ts;

	int behind = 0;

	pthread_mutex_lock(&e->mu);
	while (!e->stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (behind == 1 ? EVE_BEHIND_US : EVE_POLL_US) * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&e->cv, &e->mu, &ts);
		if (e->stop)
			break;
		pthread_mutex_unlock(&e->mu);
		if (__atomic_exchange_n(&e->reopen, 0, __ATOMIC_RELAXED) && e->kind == EVE_FILE)
			file_reopen(e);
		if ((behind = eve_pass(e)) < 0 && !e->read_failed) {
			fprintf(stderr, "wireaudit: --eve: the store cannot be read; events wait\n");
			e->read_failed = true;
		}
		if (e->kind == EVE_NET)
			net_pump(e);
		pthread_mutex_lock(&e->mu);
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

int eve_start(struct eve **out, const char *db, const struct eve_opts *o, int64_t run_id,
	      char *err, size_t errlen)
{
	struct eve *e = calloc(1, sizeof(*e));
	struct stat sb;
	int r;

	*out = NULL;
	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	e->o = *o;
	e->fd = -1;
	pthread_mutex_init(&e->mu, NULL);
	pthread_cond_init(&e->cv, NULL);
	e->run_id = run_id;
	e->target = strdup(o->target);
	e->sensor = strdup(o->sensor ? o->sensor : "");
	jb_init(&e->ev);
	jb_init(&e->frame);
	if (e->target == NULL || e->sensor == NULL)
		goto oom;
	if (strncmp(o->target, "unix:", 5) == 0 || strncmp(o->target, "unix-dgram:", 11) == 0) {
		bool dg = o->target[4] == '-';
		e->kind = EVE_NET;
		e->t = dg ? &unix_dgram_t : &unix_stream_t;
		if (unix_transport(o->target + (dg ? 11 : 5), dg ? SOCK_DGRAM : SOCK_STREAM, &e->tctx,
				   err, errlen) != 0)
			goto fail;
	} else if ((r = eve_syslog_transport(o->target, o, &e->t, &e->tctx, err, errlen)) <= 0) {
		if (r < 0)
			goto fail;
		e->kind = EVE_NET;
	} else if (stat(o->target, &sb) == 0 && (S_ISFIFO(sb.st_mode) || S_ISCHR(sb.st_mode) ||
						 S_ISSOCK(sb.st_mode))) {
		struct pipe_ctx *pc;
		if (S_ISSOCK(sb.st_mode)) {
			snprintf(err, errlen, "--eve %s is a socket: unix:%s or unix-dgram:%s", o->target,
				 o->target, o->target);
			goto fail;
		}
		if ((pc = calloc(1, sizeof(*pc))) == NULL || (pc->path = strdup(o->target)) == NULL) {
			free(pc);
			goto oom;
		}
		pc->fd = -1;
		e->kind = EVE_NET;
		e->t = &pipe_t;
		e->tctx = pc;
	} else {
		e->kind = EVE_FILE;
		if ((e->path = strdup(o->target)) == NULL)
			goto oom;
		if (file_open(e, err, errlen) != 0)
			goto fail;
	}
	if (e->kind == EVE_NET) {
		e->cap = o->buffer ? o->buffer : 4u << 20;
		if ((e->buf = malloc(e->cap)) == NULL)
			goto oom;
	}
	if (store_open(&e->rd, db, true, err, errlen) != 0)
		goto fail;
	/* from the store's end now: what is there was before this run */
	if ((e->last_seq = store_max_seq(e->rd)) < 0) {
		snprintf(err, errlen, "--eve: cannot read %s", db);
		goto fail;
	}
	e->next_stats_ts = now_us() + (int64_t)o->stats_sec * 1000000;
	if (o->stats_sec <= 0)
		e->next_stats_ts = INT64_MAX;
	if (e->kind == EVE_NET)
		net_try_connect(e);
	if (pthread_create(&e->th, NULL, eve_main, e) != 0) {
		snprintf(err, errlen, "--eve: cannot start its thread");
		goto fail;
	}
	e->started = true;
	*out = e;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	e->started = false;
	eve_free(e);
	return -1;
}

int64_t eve_read_seq(void *arg)
{
	struct eve *e = arg;
	return __atomic_load_n(&e->last_seq, __ATOMIC_ACQUIRE);
}

void eve_reopen(struct eve *e)
{
	if (e)
		__atomic_store_n(&e->reopen, 1, __ATOMIC_RELAXED);
}

void eve_counts(struct eve *e, uint64_t *written, uint64_t *dropped)
{
	*written = e ? __atomic_load_n(&e->written, __ATOMIC_RELAXED) : 0;
	*dropped = e ? __atomic_load_n(&e->dropped, __ATOMIC_RELAXED) : 0;
}

int eve_finish(struct eve *e, int64_t grace_us)
{
	int rc;
	int64_t start, until;

	if (e == NULL || !e->started)
		return 0;
	pthread_mutex_lock(&e->mu);
	e->stop = true;
	pthread_cond_signal(&e->cv);
	pthread_mutex_unlock(&e->mu);
	pthread_join(e->th, NULL);
	e->started = false;
	if (__atomic_exchange_n(&e->reopen, 0, __ATOMIC_RELAXED) && e->kind == EVE_FILE)
		file_reopen(e);
	/* a reader that keeps taking events gets the rest (for up to ten
	 * times grace_us); one that takes nothing for grace_us costs that
	 * much here, and what it did not get is counted */
	start = now_us();
	until = start + grace_us;
	for (;;) {
		uint64_t w0 = __atomic_load_n(&e->written, __ATOMIC_RELAXED);
		int64_t s0 = e->last_seq;
		rc = eve_pass(e);
		if (e->kind == EVE_NET)
			net_pump(e);
		if (rc < 0 || (rc == 0 && (e->kind != EVE_NET || e->len == e->off || !e->connected)))
			break;
		if (__atomic_load_n(&e->written, __ATOMIC_RELAXED) != w0 || e->last_seq != s0) {
			until = now_us() + grace_us;
			if (until > start + 10 * grace_us)
				until = start + 10 * grace_us;
		}
		if (now_us() >= until)
			break;
		usleep(10000);
	}
	if (rc == 1)
		eve_count_unsent(e);
	if (e->kind == EVE_NET)
		net_drop_pending(e);
	rc = rc < 0 ? -1 : 0;
	return rc;
}

void eve_free(struct eve *e)
{
	if (e == NULL)
		return;
	if (e->started)
		eve_finish(e, 0);
	if (e->t && e->tctx)
		e->t->free(e->tctx);
	if (e->fd >= 0)
		close(e->fd);
	store_close(e->rd);
	jb_free(&e->ev);
	jb_free(&e->frame);
	pthread_mutex_destroy(&e->mu);
	pthread_cond_destroy(&e->cv);
	free(e->buf);
	free(e->ends);
	free(e->target);
	free(e->sensor);
	free(e->path);
	free(e);
}
