/* SPDX-License-Identifier: BSD-3-Clause */
/* eve_syslog.c — the syslog destinations of the event stream (capture
 * --eve; eve.h): each event one RFC 5424 message, over a local datagram
 * socket, UDP (RFC 5426), TCP with octet counting (RFC 6587 §3.4.1) or TLS
 * (RFC 5425).
 *
 * Targets (anything else is not ours: eve_syslog_transport returns 1):
 *   syslog                    the local syslog socket /dev/log (AF_UNIX,
 *                             SOCK_DGRAM), one message per datagram
 *   syslog:PATH               the same at another AF_UNIX datagram socket
 *                             (a relay's own socket; the tests' receiver)
 *   syslog+udp://HOST[:PORT]  RFC 5426, one message per datagram; PORT 514
 *   syslog+tcp://HOST:PORT    RFC 6587 octet counting; PORT required (RFC
 *                             6587 assigns none; rsyslog's examples use 514)
 *   syslog+tls://HOST[:PORT]  RFC 5425, octet counting inside TLS 1.2 or
 *                             later; PORT 6514. The receiver's certificate
 *                             must chain to eve_opts.ca_file (required) and
 *                             name HOST: a DNS name of its subjectAltName
 *                             (the CN when it has none), or an IP address
 *                             of it when HOST is an address. A client
 *                             certificate is offered when eve_opts.cert is
 *                             set (eve_opts.key: its key, else in cert's
 *                             file).
 * HOST is a name, an IPv4 address or an IPv6 address in brackets
 * ([::1]:6514). It is resolved at every connect (getaddrinfo: the one call
 * that may wait); after a failed connection the next connect starts at the
 * next address.
 *
 * On a host where /dev/log is systemd-journald's (Debian 12 as installed),
 * journald does not parse RFC 5424 (systemd issue 19251): the journal keeps
 * the header as part of the message text. rsyslog's own socket (imuxsock
 * with useSpecialParser="off" parseHostname="on" ignoreTimestamp="off":
 * syslog:PATH) or syslog+tcp to a local rsyslog keeps the fields.
 *
 * The message (RFC 5424 §6):
 *
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG
 *   <134>1 2026-11-27T06:23:34.123456Z sensor-1 wireaudit 4242 flow - {"timestamp":...}
 *
 *   PRI        facility local0 (16): a facility of the stream's own, which
 *              a relay can route or drop without touching the host's
 *              daemons; severity informational (6) for "flow" (and any
 *              other event), notice (5) for "stats": <134>, <133>
 *   TIMESTAMP  the event's time (ts_us), UTC with microseconds (RFC 3339,
 *              §6.2.3); "-" when the event has none (ts_us <= 0)
 *   HOSTNAME   eve_opts.sensor, each byte outside PRINTUSASCII (33..126)
 *              made '_', at most 255 bytes; "-" when empty (§6.2.4)
 *   APP-NAME   wireaudit; PROCID the process id
 *   MSGID      the event_type ("flow", "stats"), sanitised as HOSTNAME, at
 *              most 32 bytes (§6.2.7)
 *   STRUCTURED-DATA  "-"
 *   MSG        the event's JSON object with every non-ASCII character
 *              written as a \u escape (RFC 8259 §7: the same JSON value),
 *              so MSG is plain ASCII and carries no BOM. §6.4 wants a BOM
 *              before a UTF-8 MSG; receivers differ on whether it stays in
 *              the text handed on, and a JSON parser downstream chokes on
 *              it. ASCII is read the same by all of them.
 *
 * Over tcp and tls each message goes as "LEN SP MESSAGE", LEN the bytes of
 * MESSAGE in decimal (RFC 6587 §3.4.1, RFC 5425 §4.3); over the datagram
 * targets the message is the datagram. Receivers cut messages at a limit of
 * their own (rsyslog: global(maxMessageSize), 8 KiB by default) and a UDP
 * datagram holds at most 65507 bytes (EMSGSIZE beyond): a flow record with
 * certificates can be longer than either.
 *
 * Nothing waits but getaddrinfo: connect starts a non-blocking connect,
 * send says EAGAIN until it is established, then drives the TLS handshake
 * (EAGAIN again until it is done). TLS runs over a BIO of our own that
 * sends with MSG_NOSIGNAL, so a receiver that went away is EPIPE, not
 * SIGPIPE. Why a TLS connection failed (an untrusted certificate, a name
 * that does not match, an alert from the receiver) is said once on stderr:
 * send can only return an errno (EPROTO).
 */
#define _GNU_SOURCE
#include "eve.h"
#include "json.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define SL_DEV_LOG "/dev/log"
#define SL_FACILITY 16       /* local0 */
#define SL_SEV_INFO 6
#define SL_SEV_NOTICE 5
#define SL_HOSTNAME_MAX 255  /* RFC 5424 §6.2.4 */
#define SL_MSGID_MAX 32      /* §6.2.7 */
#define SL_HOST_MAX 253      /* a DNS name; an IPv6 address is shorter */
#define SL_DRAIN_MAX 4       /* reads of what the receiver sent, per send */

enum sl_kind { SL_UNIX, SL_UDP, SL_TCP, SL_TLS };
/* IDLE -> (connect) CONNECTING -> HANDSHAKE (tls) -> READY; any -> IDLE */
enum sl_state { SL_IDLE, SL_CONNECTING, SL_HANDSHAKE, SL_READY };

struct sl_ctx {
	enum sl_kind kind;
	enum sl_state state;
	char *target;                      /* for messages */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char host[SL_HOST_MAX + 1], port[6];
	bool host_is_ip;
	char hostname[SL_HOSTNAME_MAX + 1]; /* the header's, sanitised */
	int fd;
	unsigned rot;                      /* the address tried first */
	SSL_CTX *sslctx;
	SSL *ssl;
	bool wpending;                     /* SSL_write said WANT_*: retry it first */
	char said[256];                    /* the TLS failure last said on stderr */
};

/* ---- the target ---- */

static bool sl_host_chars_ok(const char *h, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
		      (h[i] >= '0' && h[i] <= '9') || h[i] == '-' || h[i] == '.' || h[i] == '_'))
			return false;
	return true;
}

/* HOST[:PORT] or [IPV6][:PORT] after "scheme://" */
static int sl_parse_hostport(struct sl_ctx *c, const char *s, const char *defport, char *err,
			     size_t errlen)
{
	const char *h = s, *rest;
	size_t hn;
	struct in6_addr a6;
	struct in_addr a4;

	if (*s == '[') {
		const char *e = strchr(s, ']');
		if (e == NULL) {
			snprintf(err, errlen, "%s: no ']' after the IPv6 address", c->target);
			return -1;
		}
		h = s + 1;
		hn = (size_t)(e - h);
		rest = e + 1;
	} else {
		const char *colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {
			snprintf(err, errlen, "%s: an IPv6 address goes in brackets: [ADDRESS]:PORT",
				 c->target);
			return -1;
		}
		hn = colon ? (size_t)(colon - s) : strlen(s);
		rest = s + hn;
	}
	if (hn == 0 || hn > SL_HOST_MAX) {
		snprintf(err, errlen, "%s: %s host", c->target, hn ? "too long a" : "no");
		return -1;
	}
	memcpy(c->host, h, hn);
	c->host[hn] = 0;
	if (*s == '[') {
		if (inet_pton(AF_INET6, c->host, &a6) != 1) {
			snprintf(err, errlen, "%s: not an IPv6 address in the brackets", c->target);
			return -1;
		}
		c->host_is_ip = true;
	} else if (!sl_host_chars_ok(c->host, hn)) {
		snprintf(err, errlen, "%s: not a host name or address: %s", c->target, c->host);
		return -1;
	} else {
		c->host_is_ip = inet_pton(AF_INET, c->host, &a4) == 1;
	}
	if (*rest == 0) {
		if (defport == NULL) {
			snprintf(err, errlen, "%s: no port (HOST:PORT)", c->target);
			return -1;
		}
		snprintf(c->port, sizeof(c->port), "%s", defport);
		return 0;
	}
	if (*rest != ':') {
		snprintf(err, errlen, "%s: unexpected \"%s\" after the host", c->target, rest);
		return -1;
	}
	rest++;
	{
		size_t i, n = strlen(rest);
		unsigned long v = 0;
		for (i = 0; i < n && i < 6; i++) {
			if (rest[i] < '0' || rest[i] > '9')
				break;
			v = v * 10 + (unsigned long)(rest[i] - '0');
		}
		if (n == 0 || i != n || v == 0 || v > 65535) {
			snprintf(err, errlen, "%s: not a port (1..65535): \"%s\"", c->target, rest);
			return -1;
		}
		snprintf(c->port, sizeof(c->port), "%lu", v);
	}
	return 0;
}

/* 1: not a syslog target; 0; -1 with err */
static int sl_parse(struct sl_ctx *c, const char *t, char *err, size_t errlen)
{
	static const struct {
		const char *prefix;
		enum sl_kind kind;
		const char *defport;
	} schemes[] = {
		{ "syslog+udp://", SL_UDP, "514" },   /* RFC 5426 §3.3 */
		{ "syslog+tcp://", SL_TCP, NULL },
		{ "syslog+tls://", SL_TLS, "6514" },  /* RFC 5425 §4.1 */
		{ NULL, SL_UNIX, NULL },
	};
	size_t i;

	if (strcmp(t, "syslog") == 0 || strncmp(t, "syslog:", 7) == 0) {
		const char *p = t[6] ? t + 7 : SL_DEV_LOG;
		c->kind = SL_UNIX;
		if (*p == 0 || strlen(p) >= sizeof(c->path)) {
			snprintf(err, errlen, "%s: %s socket path", t, *p ? "too long a" : "no");
			return -1;
		}
		snprintf(c->path, sizeof(c->path), "%s", p);
		return 0;
	}
	if (strncmp(t, "syslog+", 7) != 0)
		return 1;
	for (i = 0; schemes[i].prefix; i++)
		if (strncmp(t, schemes[i].prefix, strlen(schemes[i].prefix)) == 0) {
			c->kind = schemes[i].kind;
			return sl_parse_hostport(c, t + strlen(schemes[i].prefix), schemes[i].defport, err,
						 errlen);
		}
	snprintf(err, errlen, "%s: not a syslog target (syslog, syslog:PATH, syslog+udp://, "
		 "syslog+tcp:// or syslog+tls://HOST:PORT)", t);
	return -1;
}

/* RFC 5424 PRINTUSASCII, at most max bytes, "-" (NILVALUE) when empty */
static void sl_header_field(char *out, size_t max, const char *s)
{
	size_t i = 0;
	for (; s && s[i] && i < max; i++)
		out[i] = (unsigned char)s[i] >= 33 && (unsigned char)s[i] <= 126 ? s[i] : '_';
	if (i == 0)
		out[i++] = '-';
	out[i] = 0;
}

/* ---- TLS ---- */

/* The socket BIO, with MSG_NOSIGNAL; its data is the sl_ctx (its fd). */
static int sl_bio_write(BIO *b, const char *buf, int n)
{
	struct sl_ctx *c = BIO_get_data(b);
	ssize_t r;

	BIO_clear_retry_flags(b);
	r = send(c->fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_write(b);
	return (int)r;
}

static int sl_bio_read(BIO *b, char *buf, int n)
{
	struct sl_ctx *c = BIO_get_data(b);
	ssize_t r;

	BIO_clear_retry_flags(b);
	r = recv(c->fd, buf, (size_t)n, MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_read(b);
	return (int)r;
}

static long sl_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b, (void)num, (void)ptr;
	return cmd == BIO_CTRL_FLUSH; /* send() has nothing to flush */
}

static int sl_bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static BIO_METHOD *sl_biom;
static pthread_once_t sl_biom_once = PTHREAD_ONCE_INIT;

/* made once and kept for the life of the process */
static void sl_biom_make(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "wireaudit syslog");
	if (m && BIO_meth_set_write(m, sl_bio_write) && BIO_meth_set_read(m, sl_bio_read) &&
	    BIO_meth_set_ctrl(m, sl_bio_ctrl) && BIO_meth_set_create(m, sl_bio_create))
		sl_biom = m;
	else
		BIO_meth_free(m);
}

/* The first reason on this thread's OpenSSL queue (the cause; what
 * follows it says which call failed), or dflt; the queue is cleared. */
static const char *sl_ssl_reason(char *buf, size_t n, const char *dflt)
{
	unsigned long first = ERR_get_error();
	bool sys = false;

	ERR_clear_error();
	if (first == 0)
		return dflt;
#ifdef ERR_SYSTEM_ERROR
	sys = ERR_SYSTEM_ERROR(first); /* OpenSSL 3 */
#endif
	if (sys || ERR_GET_LIB(first) == ERR_LIB_SYS) /* the reason is an errno */
		snprintf(buf, n, "%s", strerror(ERR_GET_REASON(first)));
	else if (ERR_reason_error_string(first))
		snprintf(buf, n, "%s", ERR_reason_error_string(first));
	else
		ERR_error_string_n(first, buf, n);
	return buf;
}

static int sl_tls_ctx(struct sl_ctx *c, const struct eve_opts *o, char *err, size_t errlen)
{
	char why[200];
	const char *key = o->key && *o->key ? o->key : o->cert;

	if (o->ca_file == NULL || *o->ca_file == 0) {
		snprintf(err, errlen, "%s: TLS needs a CA file to verify the receiver's certificate with",
			 c->target);
		return -1;
	}
	if ((o->cert == NULL || *o->cert == 0) && o->key && *o->key) {
		snprintf(err, errlen, "%s: a client key without its certificate", c->target);
		return -1;
	}
	pthread_once(&sl_biom_once, sl_biom_make);
	ERR_clear_error();
	if (sl_biom == NULL || (c->sslctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "%s: %s", c->target, sl_ssl_reason(why, sizeof(why), "out of memory"));
		return -1;
	}
	SSL_CTX_set_min_proto_version(c->sslctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(c->sslctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(c->sslctx, o->ca_file, NULL) != 1) {
		snprintf(err, errlen, "%s: CA file %s: %s", c->target, o->ca_file,
			 sl_ssl_reason(why, sizeof(why), "cannot be read"));
		return -1;
	}
	if (o->cert && *o->cert) {
		if (SSL_CTX_use_certificate_chain_file(c->sslctx, o->cert) != 1) {
			snprintf(err, errlen, "%s: client certificate %s: %s", c->target, o->cert,
				 sl_ssl_reason(why, sizeof(why), "cannot be read"));
			return -1;
		}
		if (SSL_CTX_use_PrivateKey_file(c->sslctx, key, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(c->sslctx) != 1) {
			snprintf(err, errlen, "%s: client key %s: %s", c->target, key,
				 sl_ssl_reason(why, sizeof(why), "does not match the certificate"));
			return -1;
		}
	}
	return 0;
}

static int sl_tls_new(struct sl_ctx *c, char *err, size_t errlen)
{
	char why[200];
	BIO *b;

	ERR_clear_error();
	if ((c->ssl = SSL_new(c->sslctx)) == NULL || (b = BIO_new(sl_biom)) == NULL)
		goto fail;
	BIO_set_data(b, c);
	SSL_set_bio(c->ssl, b, b);
	SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (c->host_is_ip) {
		/* an address is matched against the certificate's IP names */
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), c->host) != 1)
			goto fail;
	} else if (SSL_set1_host(c->ssl, c->host) != 1 ||
		   SSL_set_tlsext_host_name(c->ssl, c->host) != 1) { /* SNI: names only (RFC 6066 §3) */
		goto fail;
	}
	SSL_set_connect_state(c->ssl);
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", c->target, sl_ssl_reason(why, sizeof(why), "out of memory"));
	return -1;
}

/* A TLS call failed (SSL_get_error said e): says why on stderr, once per
 * distinct reason, and sets errno for send. */
static void sl_tls_fail(struct sl_ctx *c, const char *what, int e)
{
	char why[200], msg[sizeof(c->said)];
	int saved = errno;
	long v = SSL_get_verify_result(c->ssl);

	if (v != X509_V_OK) {
		ERR_clear_error();
		snprintf(msg, sizeof(msg), "%s: certificate verify failed: %s", what,
			 X509_verify_cert_error_string(v));
		saved = EPROTO;
	} else if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 &&
						   saved == 0)) {
		ERR_clear_error();
		snprintf(msg, sizeof(msg), "%s: the receiver closed the connection", what);
		saved = ECONNRESET;
	} else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
		snprintf(msg, sizeof(msg), "%s: %s", what, strerror(saved));
	} else {
		snprintf(msg, sizeof(msg), "%s: %s", what, sl_ssl_reason(why, sizeof(why), "failed"));
		saved = EPROTO;
	}
	if (strcmp(msg, c->said) != 0) {
		fprintf(stderr, "wireaudit: --eve %s: %s\n", c->target, msg);
		snprintf(c->said, sizeof(c->said), "%s", msg);
	}
	errno = saved;
}

/* ---- the transport ---- */

static int sl_drain(struct sl_ctx *c);

static void sl_disconnect(void *vc)
{
	struct sl_ctx *c = vc;

	/* unread bytes at close() make it a reset, which may cost the
	 * receiver what it had not read yet: read them first */
	if (c->state == SL_READY && (c->kind == SL_TCP || c->kind == SL_TLS) && sl_drain(c) != 0)
		c->state = SL_IDLE; /* no close_notify after an error */
	if (c->ssl) {
		/* close_notify if it fits now; the receiver's is not waited for */
		if (c->state == SL_READY && !c->wpending)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl); /* and the BIO */
		c->ssl = NULL;
		ERR_clear_error();
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = SL_IDLE;
	c->wpending = false;
}

static int sl_connect(void *vc, char *err, size_t errlen)
{
	struct sl_ctx *c = vc;
	struct addrinfo hints, *ai = NULL, *a;
	unsigned n = 0, i;
	int r, fd = -1, saved = 0;

	sl_disconnect(c);
	if (c->kind == SL_UNIX) {
		struct sockaddr_un sun;
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, c->path, strlen(c->path) + 1);
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
			snprintf(err, errlen, "%s%s: %s", c->target, strchr(c->target, ':') ? "" : " (" SL_DEV_LOG ")",
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		c->fd = fd;
		c->state = SL_READY;
		return 0;
	}

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = c->kind == SL_UDP ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (c->host_is_ip ? AI_NUMERICHOST : 0);
	r = getaddrinfo(c->host, c->port, &hints, &ai);
	if (r != 0) {
		snprintf(err, errlen, "%s: %s: %s", c->target, c->host,
			 r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return -1;
	}
	for (a = ai; a; a = a->ai_next)
		n++;
	for (i = 0; i < n && fd < 0; i++) {
		unsigned k = (c->rot + i) % n, j;
		for (a = ai, j = 0; j < k; j++)
			a = a->ai_next;
		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
			c->state = c->kind == SL_TLS ? SL_HANDSHAKE : SL_READY;
		} else if (errno == EINPROGRESS) {
			c->state = SL_CONNECTING;
		} else {
			saved = errno;
			close(fd);
			fd = -1;
			continue;
		}
		c->rot = k;
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		c->state = SL_IDLE;
		snprintf(err, errlen, "%s: %s", c->target, strerror(saved));
		return -1;
	}
	c->fd = fd;
	if (c->kind == SL_TLS && sl_tls_new(c, err, errlen) != 0) {
		sl_disconnect(c);
		return -1;
	}
	return 0;
}

/* A stream failed (errno says how): closed here, without a close_notify
 * after a TLS error; send says ENOTCONN until the next connect. */
static void sl_lost(struct sl_ctx *c)
{
	int saved = errno;
	c->state = SL_IDLE;
	sl_disconnect(c);
	errno = saved;
}

/* CONNECTING: 0 once established, else -1 with errno (EAGAIN: not yet) */
static int sl_established(struct sl_ctx *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLOUT };
	int e = 0;
	socklen_t el = sizeof(e);

	if (poll(&p, 1, 0) <= 0) { /* not yet (or EINTR: asked again later) */
		errno = EAGAIN;
		return -1;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
		e = errno;
	if (e != 0) {
		c->rot++; /* the next connect tries the next address first */
		errno = e;
		sl_lost(c);
		return -1;
	}
	c->state = c->kind == SL_TLS ? SL_HANDSHAKE : SL_READY;
	return 0;
}

static int sl_handshake(struct sl_ctx *c)
{
	int r, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_connect(c->ssl);
	if (r == 1) {
		c->state = SL_READY;
		c->said[0] = 0;
		return 0;
	}
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		errno = EAGAIN;
		return -1;
	}
	sl_tls_fail(c, "TLS handshake", e);
	sl_lost(c);
	return -1;
}

/* What a receiver sends on a stream (TLS session tickets, an alert, the
 * end) is read and dropped, so that a receiver that closed or refused us
 * is noticed before the next event goes into the void. 0, or -1 with
 * errno (the connection is lost). */
static int sl_drain(struct sl_ctx *c)
{
	char buf[4096];
	int i;

	for (i = 0; i < SL_DRAIN_MAX; i++) {
		if (c->kind == SL_TLS) {
			int r, e;
			if (c->wpending) /* a write to finish first */
				return 0;
			ERR_clear_error();
			errno = 0;
			r = SSL_read(c->ssl, buf, sizeof(buf));
			if (r > 0)
				continue;
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				return 0;
			sl_tls_fail(c, "TLS", e);
			return -1;
		} else {
			ssize_t r = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (r > 0)
				continue;
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return 0;
			if (r == 0)
				errno = ECONNRESET; /* the receiver closed its end */
			return -1;
		}
	}
	return 0;
}

static ssize_t sl_send(void *vc, const void *buf, size_t n)
{
	struct sl_ctx *c = vc;
	ssize_t r;
	int w, e;

	if (c->state == SL_IDLE) {
		errno = ENOTCONN;
		return -1;
	}
	if (c->state == SL_CONNECTING && sl_established(c) != 0)
		return -1;
	if (c->state == SL_HANDSHAKE && sl_handshake(c) != 0)
		return -1;
	if ((c->kind == SL_TCP || c->kind == SL_TLS) && sl_drain(c) != 0) {
		sl_lost(c);
		return -1;
	}
	if (n == 0)
		return 0;
	if (c->kind != SL_TLS) {
		r = send(c->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && (errno == EWOULDBLOCK || errno == EINTR))
			errno = EAGAIN;
		/* a datagram socket outlives a refused or oversized datagram */
		if (r < 0 && errno != EAGAIN && c->kind == SL_TCP)
			sl_lost(c);
		return r;
	}
	w = n > INT_MAX ? INT_MAX : (int)n;
	ERR_clear_error();
	errno = 0;
	r = SSL_write(c->ssl, buf, w);
	if (r > 0) {
		c->wpending = false;
		return r;
	}
	e = SSL_get_error(c->ssl, (int)r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		c->wpending = true;
		errno = EAGAIN;
		return -1;
	}
	sl_tls_fail(c, "TLS", e);
	sl_lost(c);
	return -1;
}

/* json as ASCII JSON: each non-ASCII character as \uXXXX (a surrogate
 * pair above U+FFFF; a byte that is not UTF-8 as U+FFFD, which jb_strn
 * never writes). Appended to out unless NULL; returns the length. */
static size_t sl_ascii_json(struct jbuf *out, const uint8_t *s, size_t n)
{
	size_t i = 0, run = 0, total = 0;

	while (i < n) {
		size_t l, k;
		uint32_t cp;
		char esc[16];
		if (s[i] < 0x80) {
			run++;
			i++;
			continue;
		}
		if (out && run)
			jb_bytes(out, s + i - run, run);
		total += run;
		run = 0;
		l = utf8_seq_len(s + i, n - i);
		switch (l) {
		case 2: cp = (uint32_t)(s[i] & 0x1f) << 6 | (s[i + 1] & 0x3f); break;
		case 3: cp = (uint32_t)(s[i] & 0x0f) << 12 | (uint32_t)(s[i + 1] & 0x3f) << 6 |
			     (s[i + 2] & 0x3f); break;
		case 4: cp = (uint32_t)(s[i] & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3f) << 12 |
			     (uint32_t)(s[i + 2] & 0x3f) << 6 | (s[i + 3] & 0x3f); break;
		default: cp = 0xfffd; l = 1;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			k = (size_t)snprintf(esc, sizeof(esc), "\\u%04x\\u%04x", 0xd800 | (cp >> 10),
					     0xdc00 | (cp & 0x3ff));
		} else {
			k = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", cp);
		}
		if (out)
			jb_bytes(out, esc, k);
		total += k;
		i += l;
	}
	if (out && run)
		jb_bytes(out, s + i - run, run);
	return total + run;
}

static void sl_frame(void *vc, struct jbuf *out, const char *json, size_t len, int64_t ts_us,
		     const char *event_type)
{
	struct sl_ctx *c = vc;
	char hdr[40 + TSSTR_MAX + SL_HOSTNAME_MAX + SL_MSGID_MAX], ts[TSSTR_MAX], msgid[SL_MSGID_MAX + 1];
	int sev = event_type && strcmp(event_type, "stats") == 0 ? SL_SEV_NOTICE : SL_SEV_INFO;
	int hl;
	size_t mlen;

	if (ts_us > 0)
		ts_to_rfc3339(ts_us, ts, sizeof(ts));
	else
		snprintf(ts, sizeof(ts), "-");
	sl_header_field(msgid, SL_MSGID_MAX, event_type);
	hl = snprintf(hdr, sizeof(hdr), "<%d>1 %s %s wireaudit %ld %s - ", SL_FACILITY * 8 + sev, ts,
		      c->hostname, (long)getpid(), msgid);
	if (hl < 0 || (size_t)hl >= sizeof(hdr)) { /* cannot happen: every field is capped */
		out->err = 1;
		return;
	}
	mlen = (size_t)hl + sl_ascii_json(NULL, (const uint8_t *)json, len);
	if (c->kind == SL_TCP || c->kind == SL_TLS) {
		char num[24];
		size_t k = u64_to_dec(mlen, num);
		num[k++] = ' ';
		jb_bytes(out, num, k);
	}
	jb_bytes(out, hdr, (size_t)hl);
	sl_ascii_json(out, (const uint8_t *)json, len);
}

static void sl_free(void *vc)
{
	struct sl_ctx *c = vc;

	if (c == NULL)
		return;
	sl_disconnect(c);
	SSL_CTX_free(c->sslctx);
	free(c->target);
	free(c);
}

#define SL_TRANSPORT(nm, dg) { .name = nm, .dgram = dg, .connect = sl_connect, .send = sl_send, \
	.disconnect = sl_disconnect, .free = sl_free, .frame = sl_frame }
static const struct eve_transport sl_transports[] = {
	[SL_UNIX] = SL_TRANSPORT("syslog", true),
	[SL_UDP] = SL_TRANSPORT("syslog+udp", true),
	[SL_TCP] = SL_TRANSPORT("syslog+tcp", false),
	[SL_TLS] = SL_TRANSPORT("syslog+tls", false),
};

int eve_syslog_transport(const char *target, const struct eve_opts *o,
			 const struct eve_transport **t, void **ctx, char *err, size_t errlen)
{
	struct sl_ctx *c;
	int r;

	*t = NULL;
	*ctx = NULL;
	if (target == NULL || strncmp(target, "syslog", 6) != 0 ||
	    (target[6] != 0 && target[6] != ':' && target[6] != '+'))
		return 1;
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->target = strdup(target)) == NULL) {
		free(c);
		snprintf(err, errlen, "%s: out of memory", target);
		return -1;
	}
	c->fd = -1;
	r = sl_parse(c, target, err, errlen);
	if (r == 0 && c->kind == SL_TLS)
		r = sl_tls_ctx(c, o, err, errlen);
	if (r != 0) {
		sl_free(c);
		return r;
	}
	sl_header_field(c->hostname, SL_HOSTNAME_MAX, o->sensor);
	*t = &sl_transports[c->kind];
	*ctx = c;
	return 0;
}
