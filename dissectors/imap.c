/* SPDX-License-Identifier: BSD-3-Clause */
/* imap.c — IMAP4 in clear up to the login outcome (RFC 9051 §6.2 STARTTLS,
 * LOGIN, AUTHENTICATE, §7.1 responses, §4.3 strings: atom, quoted, literal
 * {n} and non-synchronizing {n+} (RFC 7888); RFC 2595 §3.1 STARTTLS;
 * RFC 4959 SASL-IR).
 *
 *   S: * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN LOGINDISABLED] ready
 *   C: a1 STARTTLS          S: a1 OK Begin TLS  -> hand-off to "tls"
 *   C: a2 LOGIN alice "secret"   |  a2 LOGIN {5}CRLF alice {6}CRLF secret
 *   C: a3 AUTHENTICATE PLAIN [b64]   S: + / a3 OK|NO|BAD
 *
 * Facts: the greeting, CAPABILITY lists (greeting response code or an
 * untagged CAPABILITY): STARTTLS (tls_offered; null when none was seen),
 * LOGINDISABLED, AUTH= mechanisms; STARTTLS asked for (tls_requested) and its
 * tagged answer; LOGIN user (credentials, mechanism "login"); AUTHENTICATE
 * through src/sasl.c; the tagged answer to the login (auth_result).
 *
 * A command spans literals: it is read whole first (every {n} literal
 * skipped, each at most IMAP_LITERAL_MAX bytes, at most IMAP_LITERALS_MAX of
 * them), then its arguments are parsed from that complete span.
 *
 * Security: tagged OK to STARTTLS -> starttls; NO/BAD then a login in clear
 * -> tls_refused; STARTTLS offered but LOGIN/AUTHENTICATE or another
 * mailbox command in clear -> starttls_not_used; else cleartext. Done at the
 * login answer, at the hand-off, or after IMAP_CMDS_MAX commands.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"
#include "textproto.h"
#include "sasl.h"

#define IMAP_LINE_MAX 16384
#define IMAP_LITERAL_MAX 65536
#define IMAP_LITERALS_MAX 16
#define IMAP_CMDS_MAX 64
#define IMAP_TAG_MAX 32

enum {
	IMAP_ANOM_LINE_TOO_LONG = 1,
	IMAP_ANOM_BAD_RESPONSE,
	IMAP_ANOM_BAD_COMMAND,
	IMAP_ANOM_LITERAL_TOO_LONG,
	IMAP_ANOM_BAD_AUTH_RESPONSE,
};

static const struct anomaly_def imap_anomalies[] = {
	{ IMAP_ANOM_LINE_TOO_LONG, "line_too_long" },
	{ IMAP_ANOM_BAD_RESPONSE, "bad_response" },
	{ IMAP_ANOM_BAD_COMMAND, "bad_command" },
	{ IMAP_ANOM_LITERAL_TOO_LONG, "literal_too_long" },
	{ IMAP_ANOM_BAD_AUTH_RESPONSE, "bad_auth_response" },
	{ 0, NULL },
};

struct imap_state {
	bool greeting_seen, caps_seen, auth_listed;
	unsigned cmds;
	bool offered, refused, after_refusal, tls_wait, in_auth;
	char tls_tag[IMAP_TAG_MAX + 1];
	char auth_tag[IMAP_TAG_MAX + 1];
	struct sasl_exch sasl;
};

static bool imap_word_eq(const char *w, size_t n, const char *lit)
{
	return n == strlen(lit) && strncasecmp(w, lit, n) == 0;
}

/* Next space-separated word of [*p, e); false at the end. */
static bool imap_next_word(const char **p, const char *e, const char **w, size_t *n)
{
	const char *s = *p, *sp;
	while (s < e && *s == ' ')
		s++;
	if (s >= e)
		return false;
	sp = memchr(s, ' ', (size_t)(e - s));
	*w = s;
	*n = (size_t)((sp ? sp : e) - s);
	*p = sp ? sp : e;
	return true;
}

static enum probe_res imap_probe(enum dir dir, const uint8_t *p, size_t len)
{
	static const char *const greet[] = { "* OK ", "* PREAUTH ", "* BYE ", NULL };
	static const char *const cmds[] = { "CAPABILITY", "LOGIN ", "STARTTLS", "AUTHENTICATE ",
					    "ID ", NULL };
	const char *s = (const char *)p;
	bool prefix = false;
	size_t i;
	int k;

	if (dir == DIR_S2C) {
		for (k = 0; greet[k]; k++) {
			size_t w = strlen(greet[k]), m = len < w ? len : w;
			if (strncasecmp(s, greet[k], m) == 0) {
				if (len >= w)
					return PROBE_MATCH;
				prefix = true;
			}
		}
		return prefix ? PROBE_NEED_MORE : PROBE_NOMATCH;
	}
	/* tag SP command: the tag is an atom (RFC 9051 §9 "tag") */
	for (i = 0; i < len && i < IMAP_TAG_MAX; i++) {
		unsigned char ch = p[i];
		if (ch == ' ')
			break;
		if (ch <= 0x20 || ch >= 0x7f || strchr("(){%*\"\\+", ch))
			return PROBE_NOMATCH;
	}
	if (i == len)
		return i < IMAP_TAG_MAX ? PROBE_NEED_MORE : PROBE_NOMATCH;
	if (i == 0 || p[i] != ' ')
		return PROBE_NOMATCH;
	s += i + 1;
	len -= i + 1;
	for (k = 0; cmds[k]; k++) {
		size_t w = strlen(cmds[k]), m = len < w ? len : w;
		if (strncasecmp(s, cmds[k], m) == 0) {
			if (len >= w)
				return PROBE_MATCH;
			prefix = true;
		}
	}
	return prefix ? PROBE_NEED_MORE : PROBE_NOMATCH;
}

/* Every client command but these means the session went on in clear:
 * LOGIN and AUTHENTICATE, and SELECT and the like (a PREAUTH session reads
 * mail without a login). */
static const char *const imap_harmless_verbs[] = { "STARTTLS", "CAPABILITY", "NOOP", "LOGOUT", "ID",
						   NULL };
static const struct textproto_clear_cmds imap_clear = { .verbs = imap_harmless_verbs, .all_but = true };

/* Capability words in [p, e) (RFC 9051 §7.2.2). */
static void imap_caps(struct dis_ctx *ctx, struct imap_state *st, const char *p, const char *e)
{
	const char *w;
	size_t n;
	bool listed = false;
	while (imap_next_word(&p, e, &w, &n)) {
		if (n > 0 && w[n - 1] == ']')
			n--;
		if (imap_word_eq(w, n, "STARTTLS"))
			st->offered = true;
		else if (imap_word_eq(w, n, "LOGINDISABLED"))
			obs_detail_bool(ctx, "login_disabled", true);
		else if (n > 5 && strncasecmp(w, "AUTH=", 5) == 0 && !st->auth_listed) {
			obs_detail_list_str(ctx, "auth_offered", w + 5, n - 5);
			listed = true;
		}
	}
	if (listed)
		st->auth_listed = true; /* the first list in clear is the one kept */
	st->caps_seen = true;
	obs_tls_offered(ctx, st->offered);
}

/* Finds the end of one whole command starting at c (lines joined by
 * literals). Returns 0 with *cmd over the command (the last CRLF excluded),
 * CUR_TRUNC, CUR_CAP (a line over its cap) or CUR_INVALID (a literal, or the
 * number of literals, over its cap). */
static int imap_read_command(struct cur *c, struct cur *cmd)
{
	struct cur x = *c;
	const char *l;
	size_t n;
	int r, lits = 0;

	for (;;) {
		size_t k, num = 0, digits = 0;
		if ((r = cur_line(&x, IMAP_LINE_MAX, &l, &n)) != 0)
			return r;
		/* does the line end with {n} or {n+}? */
		if (n < 3 || l[n - 1] != '}')
			break;
		k = n - 2;
		if (l[k] == '+')
			k--;
		while (k > 0 && isdigit((unsigned char)l[k]) && digits < 10) {
			k--;
			digits++;
		}
		if (digits == 0 || l[k] != '{')
			break;
		for (size_t d = k + 1; d < k + 1 + digits; d++)
			num = num * 10 + (size_t)(l[d] - '0');
		if (num > IMAP_LITERAL_MAX || ++lits > IMAP_LITERALS_MAX)
			return CUR_INVALID;
		if ((r = cur_skip(&x, num)) != 0)
			return r;
	}
	/* the command spans [c->p, l + n) */
	*cmd = cur_make(c->p, (size_t)((const uint8_t *)l + n - c->p));
	*c = x;
	return 0;
}

/* One astring argument (atom, "quoted" or {n}literal) of a complete command.
 * Copies at most cap-1 bytes of its value into out (unescaped). Returns 0 or
 * CUR_INVALID. */
static int imap_astring(struct cur *c, char *out, size_t cap, size_t *outlen)
{
	uint8_t ch;
	size_t o = 0;

	*outlen = 0;
	while (cur_left(c) > 0 && *c->p == ' ')
		c->p++;
	if (cur_u8(c, &ch) != 0)
		return CUR_INVALID;
	if (ch == '"') {
		for (;;) {
			if (cur_u8(c, &ch) != 0)
				return CUR_INVALID;
			if (ch == '"')
				break;
			if (ch == '\\' && cur_u8(c, &ch) != 0)
				return CUR_INVALID;
			if (o + 1 < cap)
				out[o++] = (char)ch;
		}
	} else if (ch == '{') {
		size_t num = 0, digits = 0;
		const uint8_t *lit;
		while (cur_u8(c, &ch) == 0 && isdigit(ch) && digits < 10) {
			num = num * 10 + (size_t)(ch - '0');
			digits++;
		}
		if (ch == '+' && cur_u8(c, &ch) != 0)
			return CUR_INVALID;
		if (digits == 0 || ch != '}')
			return CUR_INVALID;
		if (cur_u8(c, &ch) == 0 && ch == '\r' && cur_u8(c, &ch) != 0)
			return CUR_INVALID;
		if (ch != '\n' || cur_bytes(c, num, &lit) != 0)
			return CUR_INVALID;
		o = num < cap - 1 ? num : cap - 1;
		memcpy(out, lit, o);
	} else {
		out[o++] = (char)ch;
		while (cur_left(c) > 0 && *c->p != ' ') {
			if (o + 1 < cap)
				out[o++] = (char)*c->p;
			c->p++;
		}
	}
	*outlen = o;
	return 0;
}

static void imap_copy_tag(char *dst, const char *tag, size_t n)
{
	if (n > IMAP_TAG_MAX)
		n = IMAP_TAG_MAX;
	memcpy(dst, tag, n);
	dst[n] = 0;
}

/* One complete client command. Returns 1 to stop, -1 on error, 0 to go on. */
static int imap_client_command(struct dis_ctx *ctx, struct imap_state *st, struct cur cmd)
{
	const char *s = (const char *)cmd.p, *e = (const char *)cmd.end, *p = s, *tag, *verb;
	size_t tl, vl;

	if (st->in_auth) {
		size_t n = cur_left(&cmd);
		if (n == 1 && s[0] == '*')
			return 0;
		if (sasl_response_b64(&st->sasl, ctx, s, n) != 0)
			obs_anomaly(ctx, IMAP_ANOM_BAD_AUTH_RESPONSE, "%s response %u", st->sasl.mech,
				    st->sasl.responses);
		return 0;
	}
	if (!imap_next_word(&p, e, &tag, &tl) || !imap_next_word(&p, e, &verb, &vl)) {
		obs_anomaly(ctx, IMAP_ANOM_BAD_COMMAND, "no tag or command");
		return -1;
	}
	if (st->cmds++ == 0)
		obs_tls_requested(ctx, false);
	if (st->cmds > IMAP_CMDS_MAX)
		return 1;
	if (st->refused)
		st->after_refusal = true;
	textproto_went_on_in_clear(ctx, &imap_clear, verb, vl, st->refused, st->offered);
	if (imap_word_eq(verb, vl, "STARTTLS")) {
		obs_tls_requested(ctx, true);
		imap_copy_tag(st->tls_tag, tag, tl);
		st->tls_wait = true;
	} else if (imap_word_eq(verb, vl, "LOGIN")) {
		char user[OBS_STR_MAX + 1];
		size_t ul;
		struct cur a = cur_make(p, (size_t)(e - p));
		imap_copy_tag(st->auth_tag, tag, tl);
		if (imap_astring(&a, user, sizeof(user), &ul) != 0) {
			obs_anomaly(ctx, IMAP_ANOM_BAD_COMMAND, "LOGIN arguments");
			return -1;
		}
		obs_user(ctx, user, ul);
		obs_auth_mechanism(ctx, "login", 5);
		obs_credentials(ctx, "login");
	} else if (imap_word_eq(verb, vl, "AUTHENTICATE")) {
		const char *m, *ir;
		size_t ml, il;
		imap_copy_tag(st->auth_tag, tag, tl);
		if (!imap_next_word(&p, e, &m, &ml)) {
			obs_anomaly(ctx, IMAP_ANOM_BAD_COMMAND, "AUTHENTICATE without mechanism");
			return -1;
		}
		sasl_begin(&st->sasl, ctx, m, ml);
		st->in_auth = true;
		if (imap_next_word(&p, e, &ir, &il) &&
		    sasl_response_b64(&st->sasl, ctx, ir, il) != 0) /* RFC 4959 SASL-IR */
			obs_anomaly(ctx, IMAP_ANOM_BAD_AUTH_RESPONSE, "%s initial response", st->sasl.mech);
	}
	return 0;
}

/* Returns 1 to stop, 2 to hand off, -1 on error, 0 to go on. */
static int imap_server_line(struct dis_ctx *ctx, struct imap_state *st, const char *l, size_t n)
{
	const char *p = l, *e = l + n, *tag, *st_w;
	size_t tl, sl;

	if (!imap_next_word(&p, e, &tag, &tl)) {
		obs_anomaly(ctx, IMAP_ANOM_BAD_RESPONSE, "empty line");
		return -1;
	}
	if (imap_word_eq(tag, tl, "+"))
		return 0; /* continuation request */
	if (!imap_next_word(&p, e, &st_w, &sl)) {
		obs_anomaly(ctx, IMAP_ANOM_BAD_RESPONSE, "response without status");
		return -1;
	}
	if (imap_word_eq(tag, tl, "*")) {
		if (!st->greeting_seen) {
			st->greeting_seen = true;
			obs_detail_str(ctx, "greeting", st_w, (size_t)(e - st_w));
			if (imap_word_eq(st_w, sl, "PREAUTH"))
				obs_detail_bool(ctx, "preauth", true);
		}
		if (imap_word_eq(st_w, sl, "CAPABILITY")) {
			imap_caps(ctx, st, p, e);
		} else if (p < e) {
			/* "* OK [CAPABILITY ...] text" response code */
			const char *w;
			size_t wl;
			const char *q = p;
			if (imap_next_word(&q, e, &w, &wl) && imap_word_eq(w, wl, "[CAPABILITY")) {
				const char *rb = memchr(q, ']', (size_t)(e - q));
				imap_caps(ctx, st, q, rb ? rb : e);
			}
		}
		return 0;
	}
	/* tagged */
	if (st->tls_tag[0] && imap_word_eq(tag, tl, st->tls_tag)) {
		st->tls_tag[0] = 0;
		st->tls_wait = false;
		obs_detail_str(ctx, "starttls_response", st_w, sl);
		if (imap_word_eq(st_w, sl, "OK")) {
			obs_security(ctx, SEC_STARTTLS);
			return 2;
		}
		st->refused = true;
		return 0;
	}
	if (st->auth_tag[0] && imap_word_eq(tag, tl, st->auth_tag)) {
		st->in_auth = false;
		obs_detail_str(ctx, "auth_result", st_w, sl);
		return 1;
	}
	return 0;
}

static struct dis_result imap_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				    const uint8_t *p, size_t len)
{
	struct imap_state *st = state;
	struct cur c = cur_make(p, len);

	obs_protocol(ctx, "imap");
	for (;;) {
		size_t before = cur_off(&c, p);
		int r;

		if (dir == DIR_C2S && st->tls_wait)
			return dis_ok(before);
		if (dir == DIR_C2S && !st->in_auth) {
			struct cur cmd;
			r = imap_read_command(&c, &cmd);
			if (r == 0)
				r = imap_client_command(ctx, st, cmd) < 0 ? -100 : 0;
		} else {
			const char *l;
			size_t n;
			r = cur_line(&c, IMAP_LINE_MAX, &l, &n);
			if (r == 0) {
				struct cur one = cur_make(l, n);
				int k = dir == DIR_C2S ? imap_client_command(ctx, st, one)
						       : imap_server_line(ctx, st, l, n);
				if (k < 0)
					return dis_error(before);
				if (k == 1)
					return dis_done(cur_off(&c, p));
				if (k == 2) {
					if (dis_handoff(ctx, "tls") != 0)
						return dis_done(cur_off(&c, p));
					return dis_ok(cur_off(&c, p));
				}
				continue;
			}
		}
		if (r == -100)
			return dis_error(before);
		if (r == CUR_TRUNC)
			return dis_incomplete(before, len - before + 1);
		if (r != 0) {
			obs_anomaly(ctx, r == CUR_INVALID ? IMAP_ANOM_LITERAL_TOO_LONG
							  : IMAP_ANOM_LINE_TOO_LONG,
				    "%s", dir == DIR_C2S ? "client" : "server");
			return dis_error(before);
		}
		if (st->cmds > IMAP_CMDS_MAX)
			return dis_done(cur_off(&c, p));
	}
}

static void imap_flow_end(struct dis_ctx *ctx, void *state)
{
	struct imap_state *st = state;

	textproto_flow_end(ctx, st->cmds, st->refused, st->after_refusal, st->tls_wait, st->offered);
}

static const uint16_t imap_ports[] = { 143, 0 };

const struct dissector dissector_imap = {
	.name = "imap",
	.transport = DIS_TCP,
	.ports = imap_ports,
	.probe = imap_probe,
	.state_size = sizeof(struct imap_state),
	.parse = imap_parse,
	.flow_end = imap_flow_end,
	.anomalies = imap_anomalies,
};
