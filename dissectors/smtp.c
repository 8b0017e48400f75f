/* SPDX-License-Identifier: BSD-3-Clause */
/* smtp.c — SMTP in clear up to the envelope (RFC 5321 §4.1 commands, §4.2
 * replies, §4.5.3.1 line limits; RFC 3207 STARTTLS; RFC 4954 AUTH; RFC 2920
 * pipelining).
 *
 *   S: 220 mx.example ESMTP ...          banner
 *   C: EHLO client.example
 *   S: 250-mx.example / 250-STARTTLS / 250 AUTH PLAIN LOGIN
 *   C: STARTTLS             S: 220 ...   -> hand-off to "tls" after that line
 *   C: AUTH PLAIN <b64>     S: 235 / 535 (334 <challenge> in between)
 *   C: MAIL FROM:<...>  RCPT TO:<...>  DATA
 *
 * Facts: banner text, whether the EHLO reply offers STARTTLS (tls_offered)
 * and which AUTH mechanisms, STARTTLS asked for (tls_requested) and its reply
 * code, the AUTH mechanism and user (PLAIN/LOGIN: credentials in clear;
 * CRAM-MD5 is challenge-response: user only), and that the envelope crossed
 * in clear: mail_from_seen / rcpt_to_seen with counts. The addresses
 * themselves are personal data and are not recorded. Done at DATA/BDAT
 * (the envelope is complete; the message body is never parsed), at the TLS
 * hand-off, or after SMTP_CMDS_MAX commands.
 *
 * Security: 220 to STARTTLS -> starttls; any other reply -> refused, and a
 * client that then goes on (AUTH, MAIL, RCPT, ...) -> tls_refused; STARTTLS
 * offered but the client sent AUTH/MAIL/RCPT without it -> starttls_not_used;
 * neither -> cleartext.
 *
 * Selection against FTP (both greet with "220 "): the server's first line
 * matches only if it names (E)SMTP, never if it names FTP; otherwise the
 * probe waits (NEED_MORE) for the client, whose EHLO/HELO decides.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"
#include "textproto.h"
#include "sasl.h"

#define SMTP_LINE_MAX 16384 /* RFC 4954 §4: AUTH lines up to 12288 octets */
#define SMTP_PENDING_MAX 32
#define SMTP_CMDS_MAX 64
#define SMTP_PROBE_LINE 1024

enum {
	SMTP_ANOM_LINE_TOO_LONG = 1,
	SMTP_ANOM_BAD_REPLY,
	SMTP_ANOM_BAD_AUTH_RESPONSE,
	SMTP_ANOM_TOO_MANY_PENDING,
};

static const struct anomaly_def smtp_anomalies[] = {
	{ SMTP_ANOM_LINE_TOO_LONG, "line_too_long" },
	{ SMTP_ANOM_BAD_REPLY, "bad_reply" },
	{ SMTP_ANOM_BAD_AUTH_RESPONSE, "bad_auth_response" },
	{ SMTP_ANOM_TOO_MANY_PENDING, "too_many_pending" },
	{ 0, NULL },
};

enum smtp_cmd { SMTP_C_OTHER = 0, SMTP_C_EHLO, SMTP_C_HELO, SMTP_C_STARTTLS, SMTP_C_AUTH,
		SMTP_C_MAIL, SMTP_C_RCPT };

struct smtp_state {
	bool banner_seen, banner_line_done;
	uint8_t pending[SMTP_PENDING_MAX];
	unsigned npend;
	unsigned cmds, mail_from, rcpt_to;
	bool offered, requested, refused, after_refusal, tls_wait;
	bool ehlo_reply_first;  /* next EHLO reply line is the greeting line */
	bool in_auth, auth_listed;
	struct sasl_exch sasl;
};

/* Case-insensitive: does the line start with word, followed by end/space/':'? */
static enum probe_res smtp_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	const char *l;
	size_t n;
	int r;

	if (dir == DIR_C2S) {
		if (len < 5)
			return (len == 0 || cur_peek_lit(&c, "EHLO ", len) == 0 ||
				cur_peek_lit(&c, "HELO ", len) == 0 || cur_peek_lit(&c, "ehlo ", len) == 0 ||
				cur_peek_lit(&c, "helo ", len) == 0) ? PROBE_NEED_MORE : PROBE_NOMATCH;
		return (strncasecmp((const char *)p, "EHLO ", 5) == 0 ||
			strncasecmp((const char *)p, "HELO ", 5) == 0) ? PROBE_MATCH : PROBE_NOMATCH;
	}
	/* server: "220 " or "220-" (or the 554 refusal banner), then a word */
	r = cur_line(&c, SMTP_PROBE_LINE, &l, &n);
	if (r == CUR_CAP && memcmp(p, "220", 3) == 0 && (p[3] == ' ' || p[3] == '-')) {
		/* a 220 line longer than the probe looks: printable text makes
		 * it a (hostile) banner, and parse() records line_too_long */
		for (size_t i = 4; i < SMTP_PROBE_LINE; i++)
			if (p[i] < 0x20 || p[i] > 0x7e)
				return PROBE_NOMATCH;
		return PROBE_MATCH;
	}
	if (r == CUR_TRUNC) {
		if (len >= 4 && (memcmp(p, "220", 3) != 0 && memcmp(p, "554", 3) != 0))
			return PROBE_NOMATCH;
		return PROBE_NEED_MORE;
	}
	if (r != 0 || n < 4 || (memcmp(l, "220", 3) != 0 && memcmp(l, "554", 3) != 0) ||
	    (l[3] != ' ' && l[3] != '-'))
		return PROBE_NOMATCH;
	if (textproto_has_word(l, n, "SMTP"))
		return PROBE_MATCH;
	if (textproto_has_word(l, n, "FTP"))
		return PROBE_NOMATCH;
	return PROBE_NEED_MORE; /* a bare "220 host ready": the client decides */
}

/* The client went on in clear with something that matters: a login or
 * the envelope (EHLO/HELO and STARTTLS itself do not). */
static const char *const smtp_clear_verbs[] = { "AUTH", "MAIL", "RCPT", "DATA", "BDAT", NULL };
static const struct textproto_clear_cmds smtp_clear = { .verbs = smtp_clear_verbs, .colon_ok = true };

static int smtp_push(struct dis_ctx *ctx, struct smtp_state *st, enum smtp_cmd k)
{
	if (st->npend >= SMTP_PENDING_MAX) {
		obs_anomaly(ctx, SMTP_ANOM_TOO_MANY_PENDING, NULL);
		return -1;
	}
	st->pending[st->npend++] = (uint8_t)k;
	return 0;
}

static void smtp_pop(struct smtp_state *st)
{
	if (st->npend == 0)
		return;
	memmove(st->pending, st->pending + 1, --st->npend);
}

/* One client line. Returns 1 to stop (done), -1 on error, 0 to go on. */
static int smtp_client_line(struct dis_ctx *ctx, struct smtp_state *st, const char *l, size_t n)
{
	if (st->in_auth) {
		/* a SASL response to a 334 challenge (RFC 4954 §4); "*" cancels */
		if (n == 1 && l[0] == '*')
			return 0;
		if (sasl_response_b64(&st->sasl, ctx, l, n) != 0)
			obs_anomaly(ctx, SMTP_ANOM_BAD_AUTH_RESPONSE, "%s response %u", st->sasl.mech,
				    st->sasl.responses);
		return 0;
	}
	if (st->cmds++ == 0)
		obs_tls_requested(ctx, false);
	if (st->refused)
		st->after_refusal = true;
	textproto_went_on_in_clear(ctx, &smtp_clear, l, n, st->refused, st->offered);
	if (textproto_is_verb(l, n, "EHLO", true)) {
		st->ehlo_reply_first = true;
		obs_detail_bool(ctx, "esmtp", true);
		return smtp_push(ctx, st, SMTP_C_EHLO);
	}
	if (textproto_is_verb(l, n, "HELO", true)) {
		obs_detail_bool(ctx, "esmtp", false);
		return smtp_push(ctx, st, SMTP_C_HELO);
	}
	if (textproto_is_verb(l, n, "STARTTLS", true)) {
		st->requested = true;
		st->tls_wait = true;
		obs_tls_requested(ctx, true);
		return smtp_push(ctx, st, SMTP_C_STARTTLS);
	}
	if (textproto_is_verb(l, n, "AUTH", true)) {
		const char *m = l + 4, *e = l + n, *sp;
		while (m < e && *m == ' ')
			m++;
		sp = memchr(m, ' ', (size_t)(e - m));
		sasl_begin(&st->sasl, ctx, m, (size_t)((sp ? sp : e) - m));
		st->in_auth = true;
		if (sp && sp + 1 < e &&
		    sasl_response_b64(&st->sasl, ctx, sp + 1, (size_t)(e - sp - 1)) != 0)
			obs_anomaly(ctx, SMTP_ANOM_BAD_AUTH_RESPONSE, "%s initial response", st->sasl.mech);
		return smtp_push(ctx, st, SMTP_C_AUTH);
	}
	if (textproto_is_verb(l, n, "MAIL", true)) {
		obs_detail_bool(ctx, "mail_from_seen", true);
		obs_detail_int(ctx, "mail_from_count", ++st->mail_from);
		return smtp_push(ctx, st, SMTP_C_MAIL);
	}
	if (textproto_is_verb(l, n, "RCPT", true)) {
		obs_detail_bool(ctx, "rcpt_to_seen", true);
		obs_detail_int(ctx, "rcpt_to_count", ++st->rcpt_to);
		return smtp_push(ctx, st, SMTP_C_RCPT);
	}
	if (textproto_is_verb(l, n, "DATA", true) || textproto_is_verb(l, n, "BDAT", true)) {
		obs_detail_bool(ctx, "data_seen", true);
		return 1; /* envelope complete; the body is not parsed */
	}
	if (st->cmds >= SMTP_CMDS_MAX)
		return 1;
	return smtp_push(ctx, st, SMTP_C_OTHER);
}

/* One server reply line. Returns 1 to stop, 2 for hand-off, -1 on error, 0 to go on. */
static int smtp_server_line(struct dis_ctx *ctx, struct smtp_state *st, const char *l, size_t n)
{
	int code;
	bool last;
	const char *text = l + 4;
	size_t tlen = n >= 4 ? n - 4 : 0;

	if (n < 3 || !isdigit((unsigned char)l[0]) || !isdigit((unsigned char)l[1]) ||
	    !isdigit((unsigned char)l[2]) || (n > 3 && l[3] != ' ' && l[3] != '-')) {
		obs_anomaly(ctx, SMTP_ANOM_BAD_REPLY, "reply line of %zu bytes", n);
		return -1;
	}
	code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	last = n == 3 || l[3] == ' ';

	if (!st->banner_seen) {
		if (!st->banner_line_done) {
			obs_detail_str(ctx, "banner", text, tlen);
			if (code != 220)
				obs_detail_int(ctx, "banner_code", code);
			st->banner_line_done = true;
		}
		if (last)
			st->banner_seen = true;
		return 0;
	}
	if (st->npend == 0)
		return 0; /* unsolicited (e.g. 421 shutting down) */
	switch ((enum smtp_cmd)st->pending[0]) {
	case SMTP_C_EHLO:
		if (st->ehlo_reply_first) {
			st->ehlo_reply_first = false; /* "250-domain greeting" */
		} else if (code == 250) {
			if (tlen >= 8 && strncasecmp(text, "STARTTLS", 8) == 0 && (tlen == 8 || text[8] == ' ')) {
				st->offered = true;
			} else if (tlen > 5 && strncasecmp(text, "AUTH", 4) == 0 && (text[4] == ' ' || text[4] == '=') &&
				   !st->auth_listed) {
				st->auth_listed = true; /* the first EHLO reply's list is kept */
				const char *m = text + 5, *e = text + tlen;
				while (m < e) {
					const char *sp = memchr(m, ' ', (size_t)(e - m));
					const char *we = sp ? sp : e;
					if (we > m)
						obs_detail_list_str(ctx, "auth_offered", m, (size_t)(we - m));
					m = we + 1;
				}
			}
		}
		if (last)
			obs_tls_offered(ctx, st->offered);
		break;
	case SMTP_C_HELO:
		if (last)
			obs_tls_offered(ctx, false);
		break;
	case SMTP_C_STARTTLS:
		if (!last)
			return 0;
		obs_detail_int(ctx, "starttls_reply", code);
		smtp_pop(st);
		st->tls_wait = false;
		if (code == 220) {
			obs_security(ctx, SEC_STARTTLS);
			return 2;
		}
		st->refused = true; /* RFC 3207 §4: 454 TLS not available */
		return 0;
	case SMTP_C_AUTH:
		if (code == 334)
			return 0; /* challenge: the exchange goes on */
		if (!last)
			return 0;
		st->in_auth = false;
		obs_detail_int(ctx, "auth_result", code);
		break;
	default:
		break;
	}
	if (last)
		smtp_pop(st);
	return 0;
}

static int smtp_line(struct dis_ctx *ctx, void *state, enum dir dir, const char *l, size_t n)
{
	struct smtp_state *st = state;

	return dir == DIR_C2S ? smtp_client_line(ctx, st, l, n) : smtp_server_line(ctx, st, l, n);
}

static struct dis_result smtp_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				    const uint8_t *p, size_t len)
{
	struct smtp_state *st = state;

	obs_protocol(ctx, "smtp");
	return textproto_lines(ctx, st, dir, p, len, SMTP_LINE_MAX, SMTP_ANOM_LINE_TOO_LONG, &st->tls_wait, smtp_line);
}

static void smtp_flow_end(struct dis_ctx *ctx, void *state)
{
	struct smtp_state *st = state;

	textproto_flow_end(ctx, st->cmds, st->refused, st->after_refusal, st->tls_wait, st->offered);
}

static const uint16_t smtp_ports[] = { 25, 587, 2525, 0 };

const struct dissector dissector_smtp = {
	.name = "smtp",
	.transport = DIS_TCP,
	.ports = smtp_ports,
	.probe = smtp_probe,
	.state_size = sizeof(struct smtp_state),
	.parse = smtp_parse,
	.flow_end = smtp_flow_end,
	.anomalies = smtp_anomalies,
};
