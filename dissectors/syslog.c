/* SPDX-License-Identifier: BSD-3-Clause */
/* syslog.c — syslog in clear: the message header of RFC 5424 §6 (VERSION 1
 * after PRI) and of RFC 3164 §4.1 (BSD, no VERSION), over UDP (RFC 5426,
 * one message per datagram) and TCP (RFC 6587: octet counting §3.4.1 or
 * non-transparent framing §3.4.2, LF-terminated).
 *
 *   PRI        "<" 1*3DIGIT ">"      value = facility * 8 + severity, <= 191
 *   RFC 5424:  PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP
 *              MSGID SP STRUCTURED-DATA [SP MSG]       ("-" = NILVALUE)
 *   RFC 3164:  PRI "Mmm dd hh:mm:ss" SP HOSTNAME SP TAG ("[" pid "]")? ":" ...
 *   TCP octet counting:  MSG-LEN SP SYSLOG-MSG         (MSG-LEN decimal, no 0)
 *   TCP non-transparent: SYSLOG-MSG LF
 *
 * Facts (cleartext.details, docs/EXPORT.md "syslog details"): transport
 * framing (`udp`, `octet_counting`, `non_transparent`), the number of
 * messages seen, and of the first message: its format (`rfc5424` or
 * `rfc3164`), VERSION, PRI and the facility and severity names of RFC 5424
 * Table 1 and 2, HOSTNAME and APP-NAME (RFC 3164: the TAG, §4.1.3) when the
 * header holds them. Lines without a PRI inside a non-transparent stream
 * (a message's own LF, the ambiguity RFC 6587 §3.4.2 describes) are counted
 * apart, as `lines_without_pri`. Security is `cleartext`: these framings
 * have no upgrade; syslog over TLS (RFC 5425, port 6514) is a different
 * listener and is taken by the TLS dissector from its first byte.
 *
 * Selection: the client's first bytes are a PRI, or (TCP) MSG-LEN SP PRI.
 * The server sends nothing in syslog; bytes from it rule syslog out.
 * Never done: every message is counted (a memchr per line).
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"

#define SYSLOG_MSG_MAX 65536    /* RFC 5425 §4.3.1 asks for 2048, SHOULD 8192 */
#define SYSLOG_LEN_DIGITS 9     /* MSG-LEN digits read before it is too long */
#define SYSLOG_HOSTNAME_MAX 255 /* RFC 5424 §6 */
#define SYSLOG_APPNAME_MAX 48   /* RFC 5424 §6 */
#define SYSLOG_PRI_MAX 191      /* facility 23, severity 7 */

enum {
	SYSLOG_ANOM_BAD_PRI = 1,
	SYSLOG_ANOM_BAD_LENGTH,
	SYSLOG_ANOM_MSG_TOO_LONG,
};

static const struct anomaly_def syslog_anomalies[] = {
	{ SYSLOG_ANOM_BAD_PRI, "bad_pri" },
	{ SYSLOG_ANOM_BAD_LENGTH, "bad_length" },
	{ SYSLOG_ANOM_MSG_TOO_LONG, "message_too_long" },
	{ 0, NULL },
};

/* RFC 5424 Table 1 (facility) and Table 2 (severity); ends with a sentinel. */
static const char *const syslog_facilities[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2",
	"local3", "local4", "local5", "local6", "local7", NULL,
};
static const char *const syslog_severities[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug", NULL,
};

enum syslog_framing { SF_NONE = 0, SF_UDP, SF_OCTET, SF_NONTRANSPARENT };

struct syslog_state {
	enum syslog_framing framing;
	int64_t messages, lines_without_pri;
};

static bool syslog_digit(uint8_t b) { return b >= '0' && b <= '9'; }

/* PRI at p: 0 and *pri, *n (bytes of the PRI) when valid; CUR_TRUNC when the
 * bytes present are a valid prefix; CUR_INVALID otherwise. RFC 5424 §6.2.1:
 * 1 to 3 digits, no leading zero but "<0>". */
static int syslog_pri(const uint8_t *p, size_t len, unsigned *pri, size_t *n)
{
	size_t i;
	unsigned v = 0;

	*pri = 0;
	*n = 0;
	if (len == 0)
		return CUR_TRUNC;
	if (p[0] != '<')
		return CUR_INVALID;
	for (i = 1; i < len && i <= 4; i++) {
		if (p[i] == '>') {
			if (i == 1 || (i > 2 && p[1] == '0') || v > SYSLOG_PRI_MAX)
				return CUR_INVALID;
			*pri = v;
			*n = i + 1;
			return CUR_OK;
		}
		if (!syslog_digit(p[i]) || i == 4)
			return CUR_INVALID;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	return CUR_TRUNC;
}

static enum probe_res syslog_probe(enum dir dir, const uint8_t *p, size_t len)
{
	unsigned pri;
	size_t n, i = 0;

	if (dir == DIR_S2C)
		return len == 0 ? PROBE_NEED_MORE : PROBE_NOMATCH;
	if (len > 0 && p[0] >= '1' && p[0] <= '9') {
		/* MSG-LEN SP: a length over the cap still matches (parse() raises
		 * message_too_long), so only the shape is checked here */
		while (i < len && syslog_digit(p[i]))
			i++;
		if (i == len)
			return PROBE_NEED_MORE;
		if (p[i] != ' ')
			return PROBE_NOMATCH;
		i++;
	}
	switch (syslog_pri(p + i, len - i, &pri, &n)) {
	case CUR_OK:
		return PROBE_MATCH;
	case CUR_TRUNC:
		return PROBE_NEED_MORE;
	default:
		return PROBE_NOMATCH;
	}
}

/* The next SP-delimited token of at most max bytes: 0 and the cursor past
 * the SP (or at the end); CUR_INVALID when it is longer or empty. */
static int syslog_token(struct cur *c, size_t max, const uint8_t **tok, size_t *len)
{
	size_t n = cur_left(c), i;

	*tok = NULL;
	*len = 0;
	for (i = 0; i < n && c->p[i] != ' '; i++)
		if (i >= max || c->p[i] < 0x21 || c->p[i] > 0x7e)
			return CUR_INVALID;
	if (i == 0)
		return CUR_INVALID;
	*tok = c->p;
	*len = i;
	(void)cur_skip(c, i < n ? i + 1 : i);
	return CUR_OK;
}

/* RFC 3164 §4.1.2: "Mmm dd hh:mm:ss" with the day space-padded. */
static bool syslog_bsd_timestamp(const uint8_t *p, size_t len)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	size_t m;

	if (len < 16 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' || p[12] != ':' || p[15] != ' ')
		return false;
	for (m = 0; m < 12; m++)
		if (memcmp(p, months + 3 * m, 3) == 0)
			break;
	return m < 12 && (p[4] == ' ' || syslog_digit(p[4])) && syslog_digit(p[5]) &&
	       syslog_digit(p[7]) && syslog_digit(p[8]) && syslog_digit(p[10]) &&
	       syslog_digit(p[11]) && syslog_digit(p[13]) && syslog_digit(p[14]);
}

/* The header of the first message (after its PRI): format, HOSTNAME,
 * APP-NAME. What does not fit the grammar is simply not stated. */
static void syslog_first_header(struct dis_ctx *ctx, struct cur *c)
{
	const uint8_t *tok;
	size_t len;

	size_t d = 0;

	while (d < cur_left(c) && d < 4 && syslog_digit(c->p[d]))
		d++;
	if (d >= 1 && d <= 3 && c->p[0] != '0' && d < cur_left(c) && c->p[d] == ' ') {
		/* RFC 5424: VERSION TIMESTAMP HOSTNAME APP-NAME */
		if (syslog_token(c, 3, &tok, &len) != 0)
			return;
		obs_detail_str(ctx, "format", "rfc5424", 7);
		obs_detail_str(ctx, "version", tok, len);
		if (syslog_token(c, 64, &tok, &len) != 0)
			return;
		if (syslog_token(c, SYSLOG_HOSTNAME_MAX, &tok, &len) != 0)
			return;
		if (!(len == 1 && tok[0] == '-'))
			obs_detail_str(ctx, "hostname", tok, len);
		if (syslog_token(c, SYSLOG_APPNAME_MAX, &tok, &len) != 0)
			return;
		if (!(len == 1 && tok[0] == '-'))
			obs_detail_str(ctx, "app_name", tok, len);
		return;
	}
	obs_detail_str(ctx, "format", "rfc3164", 7);
	/* §4.3.2: without a valid TIMESTAMP the rest is CONTENT, no HOSTNAME */
	if (!syslog_bsd_timestamp(c->p, cur_left(c)))
		return;
	(void)cur_skip(c, 16);
	if (syslog_token(c, SYSLOG_HOSTNAME_MAX, &tok, &len) != 0)
		return;
	obs_detail_str(ctx, "hostname", tok, len);
	/* §4.1.3 TAG: up to the first non-alphanumeric character; real senders
	 * use '-', '.', '_' and '/' in it, so it runs to '[', ':' or SP */
	for (len = 0; len < cur_left(c) && len <= SYSLOG_APPNAME_MAX; len++)
		if (c->p[len] == '[' || c->p[len] == ':' || c->p[len] == ' ')
			break;
	if (len > 0 && len <= SYSLOG_APPNAME_MAX && len < cur_left(c) && c->p[len] != ' ')
		obs_detail_str(ctx, "app_name", c->p, len);
}

/* One whole message. false: no PRI (the caller decides what that means). */
static bool syslog_message(struct dis_ctx *ctx, struct syslog_state *st, const uint8_t *p, size_t len)
{
	unsigned pri;
	size_t n;
	struct cur c;

	if (syslog_pri(p, len, &pri, &n) != 0)
		return false;
	st->messages++;
	obs_detail_int(ctx, "messages", st->messages);
	if (st->messages > 1)
		return true;
	obs_detail_int(ctx, "pri", pri);
	obs_detail_str(ctx, "facility", syslog_facilities[pri / 8], strlen(syslog_facilities[pri / 8]));
	obs_detail_str(ctx, "severity", syslog_severities[pri % 8], strlen(syslog_severities[pri % 8]));
	c = cur_make(p + n, len - n);
	syslog_first_header(ctx, &c);
	return true;
}

static const char *const syslog_framing_names[] = { "", "udp", "octet_counting", "non_transparent" };

static struct dis_result syslog_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				      const uint8_t *p, size_t len)
{
	struct syslog_state *st = state;
	struct cur c = cur_make(p, len);

	if (dir == DIR_S2C)
		return dis_ok(len); /* nothing is expected; nothing is read */
	if (st->framing == SF_NONE) {
		obs_protocol(ctx, "syslog");
		obs_security(ctx, SEC_CLEARTEXT);
		obs_tls_offered(ctx, false);
		obs_tls_requested(ctx, false);
		st->framing = dis_is_udp(ctx) ? SF_UDP : len > 0 && p[0] != '<' ? SF_OCTET : SF_NONTRANSPARENT;
		obs_detail_str(ctx, "framing", syslog_framing_names[st->framing],
			       strlen(syslog_framing_names[st->framing]));
	}
	if (st->framing == SF_UDP) {
		/* RFC 5426 §3.1: one message per datagram; a trailing LF is common */
		size_t mlen = len > 0 && p[len - 1] == '\n' ? len - 1 : len;
		if (!syslog_message(ctx, st, p, mlen)) {
			obs_anomaly(ctx, SYSLOG_ANOM_BAD_PRI, "datagram %lld", (long long)st->messages + 1);
			return dis_error(0);
		}
		return dis_ok(len);
	}
	while (cur_left(&c) > 0) {
		size_t before = cur_off(&c, p);
		const uint8_t *msg;

		if (st->framing == SF_OCTET) {
			uint64_t mlen = 0;
			size_t digits = 0;
			uint8_t b;

			while (cur_left(&c) > 0 && syslog_digit(c.p[0])) {
				if (digits == 0 && c.p[0] == '0')
					break;
				if (++digits > SYSLOG_LEN_DIGITS) {
					obs_anomaly(ctx, SYSLOG_ANOM_MSG_TOO_LONG, "MSG-LEN of over %d digits",
						    SYSLOG_LEN_DIGITS);
					return dis_error(before);
				}
				(void)cur_u8(&c, &b);
				mlen = mlen * 10 + (uint64_t)(b - '0');
			}
			if (cur_left(&c) == 0)
				return dis_incomplete(before, len - before + 1);
			if (digits == 0 || c.p[0] != ' ') {
				obs_anomaly(ctx, SYSLOG_ANOM_BAD_LENGTH, "message %lld: no MSG-LEN SP",
					    (long long)st->messages + 1);
				return dis_error(before);
			}
			(void)cur_skip(&c, 1);
			if (mlen > SYSLOG_MSG_MAX) {
				obs_anomaly(ctx, SYSLOG_ANOM_MSG_TOO_LONG, "MSG-LEN %llu over %d",
					    (unsigned long long)mlen, SYSLOG_MSG_MAX);
				return dis_error(before);
			}
			if (cur_bytes(&c, (size_t)mlen, &msg) != 0)
				return dis_incomplete(before, digits + 1 + (size_t)mlen);
			if (!syslog_message(ctx, st, msg, (size_t)mlen)) {
				obs_anomaly(ctx, SYSLOG_ANOM_BAD_PRI, "message %lld",
					    (long long)st->messages + 1);
				return dis_error(before);
			}
		} else {
			const char *line;
			size_t llen;
			int r = cur_line(&c, SYSLOG_MSG_MAX + 1, &line, &llen);

			if (r == CUR_TRUNC)
				return dis_incomplete(before, len - before + 1);
			if (r != 0) {
				obs_anomaly(ctx, SYSLOG_ANOM_MSG_TOO_LONG, "no LF within %d bytes", SYSLOG_MSG_MAX);
				return dis_error(before);
			}
			if (!syslog_message(ctx, st, (const uint8_t *)line, llen)) {
				/* RFC 6587 §3.4.2: an LF inside a message looks like
				 * the end of one; the rest is not a message */
				st->lines_without_pri++;
				obs_detail_int(ctx, "lines_without_pri", st->lines_without_pri);
			}
		}
	}
	return dis_ok(len);
}

static const uint16_t syslog_ports[] = { 514, 601, 0 };

const struct dissector dissector_syslog = {
	.name = "syslog",
	.transport = DIS_TCP | DIS_UDP,
	.ports = syslog_ports,
	.probe = syslog_probe,
	.state_size = sizeof(struct syslog_state),
	.parse = syslog_parse,
	.anomalies = syslog_anomalies,
};
