/* SPDX-License-Identifier: BSD-3-Clause */
/* test_eve_syslog.c — the syslog transport of the event stream
 * (src/capture/eve_syslog.c), and the driver tests/eve-syslog.sh uses
 * against a real rsyslogd.
 *
 * Without arguments (make check): targets accepted and refused, the RFC
 * 5424 header and the octet-counting frame byte for byte, the ASCII-only
 * MSG, and the transports against receivers made here on loopback: a unix
 * datagram socket, UDP, a TCP listener (the receiver closing its end is
 * noticed; a port nobody listens on fails cleanly).
 *
 * As a driver:
 *   test_eve_syslog send [--sensor S] [--ca F] [--cert F] [--key F]
 *                        [--timeout SEC] TARGET < EVENTS
 * EVENTS: one event a line, "EVENT_TYPE TS_US JSON". Connects (once: a
 * driver, not eve.c's reconnecting loop), frames and sends every event,
 * waiting out EAGAIN (2 ms apart over UDP), then gives the receiver 300 ms to object (a TLS
 * alert, a close) before it disconnects. Prints "sent N"; exits 0, 2 when
 * connect fails (its error on stderr), 3 when send fails (strerror on
 * stderr, and the transport's own TLS message before it).
 */
#define _GNU_SOURCE
#include "tap.h"
#include "eve.h"
#include "json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Sends all of buf, waiting out EAGAIN until deadline. 0, or -1 with errno. */
static int send_all(const struct eve_transport *t, void *ctx, const char *buf, size_t n,
		    int64_t deadline)
{
	size_t off = 0;
	while (off < n || n == 0) {
		ssize_t r = t->send(ctx, buf + off, n - off);
		if (r >= 0) {
			off += (size_t)r;
			if (n == 0)
				return 0;
			continue;
		}
		if (errno != EAGAIN)
			return -1;
		if (mono_ms() > deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		nap_ms(5);
	}
	return 0;
}

/* ---- driver ---- */

static int drive(int argc, char **argv)
{
	struct eve_opts o;
	const struct eve_transport *t;
	void *ctx;
	char err[512], *line = NULL;
	size_t cap = 0;
	ssize_t ll;
	int i, rc = 0, timeout = 10;
	unsigned long nsent = 0;
	struct jbuf out;
	int64_t deadline;

	memset(&o, 0, sizeof(o));
	o.sensor = "-";
	for (i = 2; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--sensor") == 0)
			o.sensor = argv[i + 1];
		else if (strcmp(argv[i], "--ca") == 0)
			o.ca_file = argv[i + 1];
		else if (strcmp(argv[i], "--cert") == 0)
			o.cert = argv[i + 1];
		else if (strcmp(argv[i], "--key") == 0)
			o.key = argv[i + 1];
		else if (strcmp(argv[i], "--timeout") == 0)
			timeout = atoi(argv[i + 1]);
		else
			break;
	}
	if (i + 1 != argc) {
		fprintf(stderr, "usage: %s send [--sensor S] [--ca F] [--cert F] [--key F] [--timeout SEC] TARGET\n",
			argv[0]);
		return 64;
	}
	o.target = argv[i];
	if (eve_syslog_transport(o.target, &o, &t, &ctx, err, sizeof(err)) != 0) {
		fprintf(stderr, "transport: %s\n", err);
		return 2;
	}
	if (t->connect(ctx, err, sizeof(err)) != 0) {
		fprintf(stderr, "connect: %s\n", err);
		t->free(ctx);
		return 2;
	}
	deadline = mono_ms() + timeout * 1000;
	jb_init(&out);
	while ((ll = getline(&line, &cap, stdin)) > 0) {
		char *type = line, *sp1, *sp2;
		if (line[ll - 1] == '\n')
			line[--ll] = 0;
		if ((sp1 = strchr(line, ' ')) == NULL || (sp2 = strchr(sp1 + 1, ' ')) == NULL)
			continue;
		*sp1 = *sp2 = 0;
		jb_reset(&out);
		t->frame(ctx, &out, sp2 + 1, strlen(sp2 + 1), strtoll(sp1 + 1, NULL, 10), type);
		if (send_all(t, ctx, out.s, out.len, deadline) != 0) {
			fprintf(stderr, "send: %s\n", strerror(errno));
			rc = 3;
			break;
		}
		nsent++;
		/* UDP has no flow control: a burst overruns the receiver's
		 * socket buffer (RFC 5426 §3.5). A driver paces itself. */
		if (strcmp(t->name, "syslog+udp") == 0)
			nap_ms(2);
	}
	if (rc == 0) {
		/* the receiver's objection, if any, comes within this */
		nap_ms(300);
		if (send_all(t, ctx, "", 0, deadline) != 0) {
			fprintf(stderr, "send: %s\n", strerror(errno));
			rc = 3;
		}
	}
	printf("sent %lu\n", nsent);
	t->disconnect(ctx);
	t->free(ctx);
	jb_free(&out);
	free(line);
	return rc;
}

/* ---- unit tests ---- */

static const char *frame_str(const struct eve_transport *t, void *ctx, const char *json, int64_t ts,
			     const char *type, struct jbuf *out)
{
	jb_reset(out);
	t->frame(ctx, out, json, strlen(json), ts, type);
	return jb_str(out);
}

static void test_targets(void)
{
	static const struct {
		const char *target;
		int rc;
		const char *name; /* or what err holds */
	} cases[] = {
		{ "syslog", 0, "syslog" },
		{ "syslog:/run/relay.sock", 0, "syslog" },
		{ "syslog+udp://127.0.0.1:5514", 0, "syslog+udp" },
		{ "syslog+udp://logs.example", 0, "syslog+udp" },
		{ "syslog+tcp://logs.example:601", 0, "syslog+tcp" },
		{ "syslog+tcp://[::1]:514", 0, "syslog+tcp" },
		{ "eve.json", 1, NULL },
		{ "/var/log/syslog.json", 1, NULL },
		{ "syslogs.json", 1, NULL },
		{ "unix:/run/x", 1, NULL },
		{ "syslog:", -1, "no socket path" },
		{ "syslog+tcp://logs.example", -1, "no port" },
		{ "syslog+tcp://::1:514", -1, "brackets" },
		{ "syslog+tcp://[::1:514", -1, "no ']'" },
		{ "syslog+tcp://[127.0.0.1]:514", -1, "not an IPv6 address" },
		{ "syslog+tcp://:514", -1, "no host" },
		{ "syslog+tcp://h:0", -1, "not a port" },
		{ "syslog+tcp://h:65536", -1, "not a port" },
		{ "syslog+tcp://h:51x", -1, "not a port" },
		{ "syslog+tcp://h:", -1, "not a port" },
		{ "syslog+tcp://h:514/x", -1, "not a port" },
		{ "syslog+tcp://h/x:514", -1, "not a host name" },
		{ "syslog+tcp://[::1]x", -1, "unexpected" },
		{ "syslog+sctp://h:514", -1, "not a syslog target" },
		{ "syslog+tls://h:6514", -1, "needs a CA file" },
	};
	size_t i;
	struct eve_opts o;

	memset(&o, 0, sizeof(o));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct eve_transport *t = (void *)1;
		void *ctx = (void *)1;
		char err[256] = "";
		int r = eve_syslog_transport(cases[i].target, &o, &t, &ctx, err, sizeof(err));
		if (cases[i].rc == 0)
			ok(r == 0 && t && ctx && strcmp(t->name, cases[i].name) == 0, "%s: %s", cases[i].target,
			   cases[i].name);
		else if (cases[i].rc == 1)
			ok(r == 1 && t == NULL && ctx == NULL, "%s: not a syslog target", cases[i].target);
		else
			ok(r == -1 && t == NULL && ctx == NULL && strstr(err, cases[i].name), "%s: refused (%s)",
			   cases[i].target, err);
		if (r == 0)
			t->free(ctx);
	}
	{
		const struct eve_transport *t;
		void *ctx;
		char err[256] = "";
		o.ca_file = "/nonexistent/ca.pem";
		ok(eve_syslog_transport("syslog+tls://h", &o, &t, &ctx, err, sizeof(err)) == -1 &&
		   strstr(err, "/nonexistent/ca.pem: No such file"), "a CA file that cannot be read: refused (%s)", err);
		o.ca_file = NULL;
		o.key = "k.pem";
		ok(eve_syslog_transport("syslog+tls://h", &o, &t, &ctx, err, sizeof(err)) == -1,
		   "a client key without a certificate: refused");
	}
}

static void test_frames(void)
{
	struct eve_opts o;
	const struct eve_transport *t, *tt;
	void *ctx, *tctx;
	char err[256], want[1024], big[400];
	struct jbuf out;
	const int64_t ts = 1795760614123456LL; /* 2026-11-27T06:23:34.123456Z */
	long pid = (long)getpid();

	memset(&o, 0, sizeof(o));
	jb_init(&out);
	o.sensor = "sensor-1";
	if (eve_syslog_transport("syslog:/nonexistent", &o, &t, &ctx, err, sizeof(err)) != 0 ||
	    eve_syslog_transport("syslog+tcp://127.0.0.1:9", &o, &tt, &tctx, err, sizeof(err)) != 0) {
		ok(0, "transports: %s", err);
		return;
	}
	ok(t->dgram && !tt->dgram, "syslog is datagrams, syslog+tcp a stream");
	snprintf(want, sizeof(want), "<134>1 2026-11-27T06:23:34.123456Z sensor-1 wireaudit %ld flow - {\"a\":1}", pid);
	is_str(frame_str(t, ctx, "{\"a\":1}", ts, "flow", &out), want, "flow: local0.info, RFC 3339 UTC with microseconds");
	snprintf(want, sizeof(want), "<133>1 2026-11-27T06:23:34.123456Z sensor-1 wireaudit %ld stats - {}", pid);
	is_str(frame_str(t, ctx, "{}", ts, "stats", &out), want, "stats: local0.notice");
	snprintf(want, sizeof(want), "<134>1 - sensor-1 wireaudit %ld flow - {}", pid);
	is_str(frame_str(t, ctx, "{}", 0, "flow", &out), want, "no time: NILVALUE");
	snprintf(want, sizeof(want), "<134>1 2026-11-27T06:23:34.123456Z sensor-1 wireaudit %ld a_b_c - {}", pid);
	is_str(frame_str(t, ctx, "{}", ts, "a b\tc", &out), want, "MSGID sanitised");
	frame_str(t, ctx, "{}", ts, "0123456789012345678901234567890123456789", &out);
	ok(strstr(out.s, " 01234567890123456789012345678901 - {}") != NULL, "MSGID cut at 32");

	/* the JSON as ASCII: the same value */
	snprintf(want, sizeof(want), "<134>1 2026-11-27T06:23:34.123456Z sensor-1 wireaudit %ld flow - "
		 "{\"s\":\"caf\\u00e9 \\u20ac \\ud83d\\ude00 \\ufffd\"}", pid);
	is_str(frame_str(t, ctx, "{\"s\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xff\"}", ts, "flow", &out),
	       want, "non-ASCII as \\u escapes (a surrogate pair above U+FFFF; a stray byte U+FFFD)");

	/* octet counting: LEN SP and exactly LEN bytes */
	{
		const char *s = frame_str(tt, tctx, "{\"s\":\"\xc3\xa9\"}", ts, "flow", &out);
		char *sp;
		long len = strtol(s, &sp, 10);
		ok(*sp == ' ' && len > 0 && (size_t)len == strlen(sp + 1) && strncmp(sp + 1, "<134>1 ", 7) == 0,
		   "syslog+tcp: \"LEN SP MSG\" with LEN the bytes of MSG (%ld)", len);
	}
	t->free(ctx);
	tt->free(tctx);

	/* HOSTNAME: PRINTUSASCII, at most 255, NILVALUE when empty */
	o.sensor = "a b\xc3\xa9";
	eve_syslog_transport("syslog", &o, &t, &ctx, err, sizeof(err));
	ok(strstr(frame_str(t, ctx, "{}", ts, "flow", &out), "Z a_b__ wireaudit ") != NULL, "HOSTNAME sanitised");
	t->free(ctx);
	o.sensor = "";
	eve_syslog_transport("syslog", &o, &t, &ctx, err, sizeof(err));
	ok(strstr(frame_str(t, ctx, "{}", ts, "flow", &out), "Z - wireaudit ") != NULL, "empty sensor: NILVALUE");
	t->free(ctx);
	o.sensor = NULL;
	eve_syslog_transport("syslog", &o, &t, &ctx, err, sizeof(err));
	ok(strstr(frame_str(t, ctx, "{}", ts, "flow", &out), "Z - wireaudit ") != NULL, "no sensor: NILVALUE");
	t->free(ctx);
	memset(big, 'h', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	o.sensor = big;
	eve_syslog_transport("syslog", &o, &t, &ctx, err, sizeof(err));
	frame_str(t, ctx, "{}", ts, "flow", &out);
	{
		const char *h = strchr(out.s + 8, ' ') + 1, *e = strchr(h, ' ');
		is_int(e - h, 255, "HOSTNAME cut at 255");
	}
	t->free(ctx);

	/* appended: what was in out stays */
	eve_syslog_transport("syslog+tcp://h:1", &o, &t, &ctx, err, sizeof(err));
	jb_reset(&out);
	jb_bytes(&out, "x", 1);
	t->frame(ctx, &out, "{}", 2, ts, "flow");
	ok(out.s[0] == 'x' && out.s[1] >= '1' && out.s[1] <= '9', "frame appends to out");
	t->free(ctx);
	jb_free(&out);
}

/* a receiver socket bound on loopback (type SOCK_STREAM listens) */
static int loopback_socket(int type, int *port, bool listen_too)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	int one = 1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    (listen_too && listen(fd, 4) != 0) || getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
		perror("loopback socket");
		exit(99);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static void test_wire(void)
{
	struct eve_opts o;
	const struct eve_transport *t;
	void *ctx;
	char err[512], target[200], buf[2048], path[108];
	struct jbuf out;
	int port, fd, cfd;
	ssize_t r;
	const char *ev = "{\"event_type\":\"flow\",\"flow\":{\"n\":\"\xc3\xa9\"}}";

	memset(&o, 0, sizeof(o));
	o.sensor = "s1";
	jb_init(&out);

	/* syslog:PATH: one datagram each */
	{
		struct sockaddr_un sun;
		char dir[] = "/tmp/wa-syslog.XXXXXX";
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			exit(99);
		}
		snprintf(path, sizeof(path), "%s/log", dir);
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		snprintf(target, sizeof(target), "syslog:%s", path);
		eve_syslog_transport(target, &o, &t, &ctx, err, sizeof(err));
		ok(t->connect(ctx, err, sizeof(err)) == -1 && strstr(err, path) && strstr(err, ": No such file"),
		   "syslog:PATH with no socket there: connect fails (%s)", err);
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		bind(fd, (struct sockaddr *)&sun, sizeof(sun));
		ok(t->connect(ctx, err, sizeof(err)) == 0, "syslog:PATH: connected");
		frame_str(t, ctx, ev, 1000000, "flow", &out);
		ok(send_all(t, ctx, out.s, out.len, mono_ms() + 2000) == 0, "syslog:PATH: sent");
		r = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		buf[r > 0 ? r : 0] = 0;
		is_str(buf, out.s, "syslog:PATH: the datagram is the message");
		close(fd);
		unlink(path);
		errno = 0;
		r = t->send(ctx, out.s, out.len);
		ok(r == -1 && errno != EAGAIN, "syslog:PATH: the receiver gone: send fails (%s)", strerror(errno));
		t->free(ctx);
		rmdir(dir);
	}

	/* syslog+udp */
	fd = loopback_socket(SOCK_DGRAM, &port, false);
	snprintf(target, sizeof(target), "syslog+udp://127.0.0.1:%d", port);
	eve_syslog_transport(target, &o, &t, &ctx, err, sizeof(err));
	ok(t->connect(ctx, err, sizeof(err)) == 0, "syslog+udp: connected");
	frame_str(t, ctx, ev, 1000000, "flow", &out);
	ok(send_all(t, ctx, out.s, out.len, mono_ms() + 2000) == 0, "syslog+udp: sent");
	{
		struct pollfd p = { .fd = fd, .events = POLLIN };
		poll(&p, 1, 2000);
	}
	r = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[r > 0 ? r : 0] = 0;
	is_str(buf, out.s, "syslog+udp: the datagram is the message");
	t->free(ctx);
	close(fd);

	/* syslog+tcp: the stream, then the receiver closing its end */
	fd = loopback_socket(SOCK_STREAM, &port, true);
	snprintf(target, sizeof(target), "syslog+tcp://localhost:%d", port);
	eve_syslog_transport(target, &o, &t, &ctx, err, sizeof(err));
	{
		/* localhost may be ::1 first: the next connect takes the next address */
		int tries = 0, ok_ = -1;
		while (tries++ < 3 && ok_ != 0) {
			if (t->connect(ctx, err, sizeof(err)) != 0)
				continue;
			ok_ = send_all(t, ctx, "", 0, mono_ms() + 2000);
		}
		ok(ok_ == 0, "syslog+tcp://localhost: connected (after %d tries)", tries - 1);
	}
	cfd = accept(fd, NULL, NULL);
	jb_reset(&out);
	t->frame(ctx, &out, ev, strlen(ev), 1000000, "flow");
	t->frame(ctx, &out, "{}", 2, 1000000, "stats");
	ok(send_all(t, ctx, out.s, out.len, mono_ms() + 2000) == 0, "syslog+tcp: two events sent");
	{
		size_t got = 0;
		while (got < out.len) {
			struct pollfd p = { .fd = cfd, .events = POLLIN };
			if (poll(&p, 1, 2000) <= 0 || (r = recv(cfd, buf + got, sizeof(buf) - 1 - got, 0)) <= 0)
				break;
			got += (size_t)r;
		}
		buf[got] = 0;
	}
	is_str(buf, out.s, "syslog+tcp: the bytes are the two frames");
	close(cfd);
	nap_ms(50);
	errno = 0;
	r = t->send(ctx, out.s, out.len);
	ok(r == -1 && errno == ECONNRESET, "syslog+tcp: the receiver closed: the next send fails (%s)",
	   strerror(errno));
	t->free(ctx);
	close(fd);

	/* a port bound but not listening: refused, cleanly */
	fd = loopback_socket(SOCK_STREAM, &port, false);
	snprintf(target, sizeof(target), "syslog+tcp://127.0.0.1:%d", port);
	eve_syslog_transport(target, &o, &t, &ctx, err, sizeof(err));
	if (t->connect(ctx, err, sizeof(err)) == 0) {
		int rr = send_all(t, ctx, "x", 1, mono_ms() + 2000);
		ok(rr == -1 && errno == ECONNREFUSED, "syslog+tcp, nobody listening: send says %s", strerror(errno));
		errno = 0;
		rr = (int)t->send(ctx, "x", 1);
		ok(rr == -1 && errno == ENOTCONN, "…and again without a connect: ENOTCONN (%s)", strerror(errno));
	} else {
		ok(strstr(err, "refused") != NULL, "syslog+tcp, nobody listening: connect says %s", err);
		ok(1, "…");
	}
	t->disconnect(ctx);
	errno = 0;
	r = t->send(ctx, "x", 1);
	ok(r == -1 && errno == ENOTCONN, "send after disconnect: ENOTCONN");
	t->free(ctx);
	close(fd);

	/* a name that does not resolve */
	eve_syslog_transport("syslog+tcp://no-such-host.invalid:514", &o, &t, &ctx, err, sizeof(err));
	ok(t->connect(ctx, err, sizeof(err)) == -1 && strstr(err, "no-such-host.invalid"),
	   "a name that does not resolve: connect fails (%s)", err);
	t->free(ctx);
	jb_free(&out);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "send") == 0)
		return drive(argc, argv);
	test_targets();
	test_frames();
	test_wire();
	return tap_done();
}
