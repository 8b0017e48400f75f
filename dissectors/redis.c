/* SPDX-License-Identifier: BSD-3-Clause */
/* redis.c — Redis serialization protocol in clear (RESP2 and RESP3,
 * redis.io/docs/reference/protocol-spec: "Sending commands to a Redis
 * server", "RESP protocol description", "Inline commands"; commands AUTH and
 * HELLO from redis.io/commands).
 *
 * A command is an array of bulk strings, or an inline line:
 *
 *   *<n>\r\n  then n times  $<len>\r\n<len bytes>\r\n
 *   PING\r\n
 *
 * Replies are typed by their first byte: + simple, - error, : integer,
 * $ bulk, * array; RESP3 adds % map, ~ set, > push, | attribute, _ null,
 * # boolean, , double, ( big number, ! blob error, = verbatim string.
 *
 * Facts: the distinct command names seen (first REDIS_NAMES_MAX, upper-cased;
 * never an argument), AUTH [user] pass and HELLO ... AUTH user pass
 * (credentials in clear; the user name when given; the password is skipped
 * without being read), the result of that authentication, HELLO's protocol
 * version and SETNAME, the server version from a HELLO reply, and the codes
 * of error replies (the first word: NOAUTH, WRONGPASS, ERR...; never the
 * text). Redis has no in-band upgrade: TLS is TLS from the first byte (the
 * tls dissector's), so a RESP flow is cleartext with tls_offered false.
 *
 * Both directions are parsed as streams, element by element, so large
 * values are skipped without buffering. Done after REDIS_CMDS_MAX commands
 * and their replies.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"

#define REDIS_HDR_MAX 64          /* "*123\r\n", "$512\r\n", ":1\r\n" */
#define REDIS_LINE_MAX 4096       /* simple strings, errors, inline commands */
#define REDIS_BULK_MAX (512LL * 1024 * 1024) /* proto-max-bulk-len default */
#define REDIS_ARGS_MAX (1024LL * 1024)
#define REDIS_NAME_MAX 32
#define REDIS_NAMES_MAX 16
#define REDIS_ERRORS_MAX 8
#define REDIS_CMDS_MAX 64
#define REDIS_DEPTH_MAX 8
#define REDIS_ARG_KEEP 256        /* user names, client names */

enum {
	REDIS_ANOM_BAD_HEADER = 1,
	REDIS_ANOM_LINE_TOO_LONG,
	REDIS_ANOM_BAD_LENGTH,
	REDIS_ANOM_TOO_DEEP,
	REDIS_ANOM_BAD_TYPE,
};

static const struct anomaly_def redis_anomalies[] = {
	{ REDIS_ANOM_BAD_HEADER, "bad_header" },
	{ REDIS_ANOM_LINE_TOO_LONG, "line_too_long" },
	{ REDIS_ANOM_BAD_LENGTH, "bad_length" },
	{ REDIS_ANOM_TOO_DEEP, "nesting_too_deep" },
	{ REDIS_ANOM_BAD_TYPE, "bad_type" },
	{ 0, NULL },
};

enum redis_cmd { RC_OTHER = 0, RC_AUTH, RC_HELLO };

/* What the next HELLO argument is. */
enum redis_hello_next { RH_NONE = 0, RH_USER, RH_PASS, RH_SETNAME };

struct redis_agg {
	int64_t left;
	bool attr;  /* RESP3 attribute: not an element of its parent */
};

struct redis_state {
	int64_t skip[2];            /* bytes to discard before parsing on */
	/* client side: the command being read */
	int64_t args_left, nargs, arg_idx;
	enum redis_cmd cmd;
	enum redis_hello_next hello_next;
	bool hello_auth;            /* HELLO carried AUTH */
	unsigned ncmds;
	unsigned nnames;
	char names[REDIS_NAMES_MAX][REDIS_NAME_MAX + 1];
	unsigned auth_cmd, hello_cmd; /* 1-based command numbers, 0 none */
	/* server side */
	struct redis_agg stack[REDIS_DEPTH_MAX];
	unsigned depth;
	uint8_t top_type;           /* type byte of the current top-level reply */
	bool prev_version;          /* the last leaf was the key "version" */
	unsigned nreplies;
	unsigned nerrors;
	char errors[REDIS_ERRORS_MAX][REDIS_NAME_MAX + 1];
};

static const char *const redis_inline_cmds[] = {
	"PING", "AUTH", "HELLO", "INFO", "QUIT", "SELECT", "ECHO", "DBSIZE", "MONITOR",
	"KEYS", "CONFIG", "CLIENT", "COMMAND", "FLUSHALL", "SHUTDOWN", NULL,
};

/* Probe a client's first bytes: "*<n>\r\n$<len>\r\n<letter>" or an inline
 * command from a short list (not GET/SET: HTTP's GET would match). */
static enum probe_res redis_probe(enum dir dir, const uint8_t *p, size_t len)
{
	size_t i = 0, d;
	int k;

	if (dir != DIR_C2S)
		return PROBE_NOMATCH; /* the server never speaks first */
	if (len == 0)
		return PROBE_NEED_MORE;
	if (p[0] == '*') {
		const char *shape = "*#\r\n$#\r\nA";
		for (k = 0; shape[k]; k++) {
			if (i >= len)
				return PROBE_NEED_MORE;
			if (shape[k] == '#') {
				/* up to 10 digits: a count near 2^32 is still RESP's
				 * shape, and parse() records bad_length */
				for (d = 0; i < len && isdigit(p[i]) && d < 10; i++, d++)
					;
				if (d == 0 && i < len)
					return PROBE_NOMATCH;
				if (i >= len)
					return PROBE_NEED_MORE;
			} else if (shape[k] == 'A') {
				return isalpha(p[i]) ? PROBE_MATCH : PROBE_NOMATCH;
			} else if (p[i++] != (uint8_t)shape[k]) {
				return PROBE_NOMATCH;
			}
		}
		return PROBE_NOMATCH;
	}
	for (k = 0; redis_inline_cmds[k]; k++) {
		size_t n = strlen(redis_inline_cmds[k]);
		size_t m = len < n ? len : n;
		if (strncasecmp((const char *)p, redis_inline_cmds[k], m) != 0)
			continue;
		if (len <= n)
			return PROBE_NEED_MORE;
		if (p[n] == ' ' || p[n] == '\r' || p[n] == '\n')
			return PROBE_MATCH;
	}
	return PROBE_NOMATCH;
}

/* Signed decimal of at most 19 digits. */
static int redis_num(const char *s, size_t n, int64_t *v)
{
	bool neg = false;
	int64_t x = 0;
	size_t i = 0;

	*v = 0;
	if (n > 0 && s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n || n - i > 18)
		return -1;
	for (; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = neg ? -x : x;
	return 0;
}

static bool redis_eq(const void *s, size_t n, const char *lit)
{
	return n == strlen(lit) && strncasecmp(s, lit, n) == 0;
}

/* Record a distinct name (upper-cased) in a small table and a detail list. */
static void redis_add_name(struct dis_ctx *ctx, char tab[][REDIS_NAME_MAX + 1], unsigned *n,
			   unsigned max, const char *key, const char *s, size_t len)
{
	char up[REDIS_NAME_MAX + 1];
	unsigned i;

	if (len > REDIS_NAME_MAX)
		len = REDIS_NAME_MAX;
	for (i = 0; i < len; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	up[len] = 0;
	for (i = 0; i < *n; i++)
		if (strcmp(tab[i], up) == 0)
			return;
	if (*n >= max)
		return;
	memcpy(tab[(*n)++], up, len + 1);
	obs_detail_list_str(ctx, key, up, len);
}

static void redis_set_auth(struct dis_ctx *ctx, struct redis_state *st)
{
	obs_credentials(ctx, "AUTH");
	st->auth_cmd = st->ncmds + 1;
}

/* The command name (argument 0) of a command with nargs arguments. */
static void redis_command_name(struct dis_ctx *ctx, struct redis_state *st, const char *s, size_t n)
{
	redis_add_name(ctx, st->names, &st->nnames, REDIS_NAMES_MAX, "commands", s, n);
	st->cmd = RC_OTHER;
	st->hello_next = RH_NONE;
	st->hello_auth = false;
	if (redis_eq(s, n, "AUTH")) {
		st->cmd = RC_AUTH;
		if (st->nargs == 2 || st->nargs == 3)
			redis_set_auth(ctx, st);
	} else if (redis_eq(s, n, "HELLO")) {
		st->cmd = RC_HELLO;
		st->hello_cmd = st->ncmds + 1;
	}
}

/* Whether argument idx of the current command is read (else skipped). The
 * password of AUTH is never read. */
static bool redis_arg_wanted(const struct redis_state *st, int64_t idx)
{
	if (idx == 0)
		return true;
	if (st->cmd == RC_AUTH)
		return idx == 1 && st->nargs == 3; /* AUTH user pass */
	if (st->cmd == RC_HELLO)
		return st->hello_next != RH_PASS;
	return false;
}

static void redis_command_arg(struct dis_ctx *ctx, struct redis_state *st, int64_t idx,
			      const char *s, size_t n)
{
	if (st->cmd == RC_AUTH) {
		obs_user(ctx, s, n);
		return;
	}
	/* HELLO [protover [AUTH username password] [SETNAME clientname]] */
	switch (st->hello_next) {
	case RH_USER:
		obs_user(ctx, s, n);
		st->hello_next = RH_PASS;
		return;
	case RH_SETNAME:
		obs_detail_str(ctx, "client_name", s, n);
		st->hello_next = RH_NONE;
		return;
	default:
		break;
	}
	if (idx == 1 && n > 0 && isdigit((unsigned char)s[0])) {
		int64_t v;
		if (redis_num(s, n, &v) == 0)
			obs_detail_int(ctx, "resp_version", v);
	} else if (redis_eq(s, n, "AUTH")) {
		if (st->args_left >= 3) { /* AUTH user pass; not yet counted down */
			st->hello_next = RH_USER;
			st->hello_auth = true;
			redis_set_auth(ctx, st);
		}
	} else if (redis_eq(s, n, "SETNAME")) {
		st->hello_next = RH_SETNAME;
	}
}

/* Inline command: words separated by spaces; the password is never read. */
static void redis_inline(struct dis_ctx *ctx, struct redis_state *st, const char *line, size_t n)
{
	const char *w[4];
	size_t wl[4];
	int nw = 0;
	size_t i = 0;

	while (i < n && nw < 4) {
		while (i < n && line[i] == ' ')
			i++;
		if (i == n)
			break;
		w[nw] = line + i;
		while (i < n && line[i] != ' ')
			i++;
		wl[nw] = (size_t)(line + i - w[nw]);
		nw++;
	}
	if (nw == 0)
		return;
	while (i < n && line[i] == ' ')
		i++;
	st->nargs = nw + (i < n ? 1 : 0); /* 4+ means "more than three" */
	redis_command_name(ctx, st, w[0], wl[0]);
	if (st->cmd == RC_AUTH && st->nargs == 3)
		obs_user(ctx, w[1], wl[1]);
	st->ncmds++;
}

static struct dis_result redis_parse_c2s(struct dis_ctx *ctx, struct redis_state *st,
					 const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);

	while (cur_left(&c) > 0) {
		size_t off = cur_off(&c, p);
		const char *line;
		size_t ll;
		int64_t v;
		int r;

		if (st->skip[0] > 0) {
			size_t n = cur_left(&c);
			if ((uint64_t)st->skip[0] < n)
				n = (size_t)st->skip[0];
			(void)cur_skip(&c, n);
			st->skip[0] -= (int64_t)n;
			continue;
		}
		if (st->ncmds >= REDIS_CMDS_MAX)
			return dis_ok(len);
		if (st->args_left == 0) {
			/* a new command */
			if (c.p[0] != '*') {
				r = cur_line(&c, REDIS_LINE_MAX, &line, &ll);
				if (r == CUR_TRUNC)
					return dis_incomplete(off, cur_left(&c) + 1);
				if (r != 0) {
					obs_anomaly(ctx, REDIS_ANOM_LINE_TOO_LONG, "inline command");
					return dis_error(off);
				}
				redis_inline(ctx, st, line, ll);
				continue;
			}
			r = cur_line(&c, REDIS_HDR_MAX, &line, &ll);
			if (r == CUR_TRUNC)
				return dis_incomplete(off, cur_left(&c) + 1);
			if (r != 0 || redis_num(line + 1, ll - 1, &v) != 0 || v > REDIS_ARGS_MAX) {
				obs_anomaly(ctx, REDIS_ANOM_BAD_HEADER, "array header");
				return dis_error(off);
			}
			if (v <= 0)
				continue; /* empty or null array: nothing */
			st->args_left = st->nargs = v;
			st->arg_idx = 0;
			st->cmd = RC_OTHER;
			continue;
		}
		/* an argument: $<len>\r\n<bytes>\r\n */
		r = cur_line(&c, REDIS_HDR_MAX, &line, &ll);
		if (r == CUR_TRUNC)
			return dis_incomplete(off, cur_left(&c) + 1);
		if (r != 0 || ll < 2 || line[0] != '$' || redis_num(line + 1, ll - 1, &v) != 0 ||
		    v < 0 || v > REDIS_BULK_MAX) {
			obs_anomaly(ctx, REDIS_ANOM_BAD_HEADER, "bulk string header");
			return dis_error(off);
		}
		if (redis_arg_wanted(st, st->arg_idx) && v <= REDIS_ARG_KEEP) {
			const uint8_t *b, *crlf;
			size_t hdr = cur_off(&c, p) - off;
			if (cur_bytes(&c, (size_t)v, &b) != 0 || cur_bytes(&c, 2, &crlf) != 0)
				return dis_incomplete(off, hdr + (size_t)v + 2);
			if (crlf[0] != '\r' || crlf[1] != '\n') {
				obs_anomaly(ctx, REDIS_ANOM_BAD_LENGTH, "bulk string not followed by CRLF");
				return dis_error(off);
			}
			if (st->arg_idx == 0)
				redis_command_name(ctx, st, (const char *)b, (size_t)v);
			else
				redis_command_arg(ctx, st, st->arg_idx, (const char *)b, (size_t)v);
		} else {
			if (st->cmd == RC_HELLO && st->hello_next == RH_PASS)
				st->hello_next = RH_NONE;
			st->skip[0] = v + 2;
		}
		st->arg_idx++;
		if (--st->args_left == 0)
			st->ncmds++;
	}
	return dis_ok(len);
}

/* A complete server element at the current depth. */
static void redis_element_done(struct dis_ctx *ctx, struct redis_state *st)
{
	while (st->depth > 0) {
		struct redis_agg *top = &st->stack[st->depth - 1];
		if (--top->left > 0)
			return;
		st->depth--;
		if (top->attr)
			return;
	}
	if (st->top_type == '>')
		return; /* RESP3 push: not a reply */
	st->nreplies++;
	if (st->auth_cmd != 0 && st->nreplies == st->auth_cmd) {
		bool err = st->top_type == '-' || st->top_type == '!';
		obs_detail_str(ctx, "auth_result", err ? "error" : "ok", err ? 5 : 2);
	}
}

/* A string leaf: HELLO's reply carries "version" then the version. */
static void redis_reply_string(struct dis_ctx *ctx, struct redis_state *st, const char *s, size_t n)
{
	bool in_hello = st->hello_cmd != 0 && st->nreplies + 1 == st->hello_cmd && st->depth == 1;
	if (in_hello && st->prev_version)
		obs_detail_str(ctx, "server_version", s, n);
	st->prev_version = in_hello && redis_eq(s, n, "version");
}

static void redis_reply_error(struct dis_ctx *ctx, struct redis_state *st, const char *s, size_t n)
{
	size_t w = 0;
	while (w < n && w < REDIS_NAME_MAX && s[w] != ' ')
		w++;
	if (w > 0)
		redis_add_name(ctx, st->errors, &st->nerrors, REDIS_ERRORS_MAX, "errors", s, w);
}

static struct dis_result redis_parse_s2c(struct dis_ctx *ctx, struct redis_state *st,
					 const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);

	while (cur_left(&c) > 0) {
		size_t off = cur_off(&c, p);
		const char *line;
		size_t ll;
		int64_t v;
		uint8_t t;
		int r;

		if (st->skip[1] > 0) {
			size_t n = cur_left(&c);
			if ((uint64_t)st->skip[1] < n)
				n = (size_t)st->skip[1];
			(void)cur_skip(&c, n);
			st->skip[1] -= (int64_t)n;
			if (st->skip[1] == 0)
				redis_element_done(ctx, st);
			continue;
		}
		if (st->nreplies >= REDIS_CMDS_MAX)
			return dis_ok(len);
		t = c.p[0];
		r = cur_line(&c, (t == '-' || t == '+') ? REDIS_LINE_MAX : REDIS_HDR_MAX, &line, &ll);
		if (r == CUR_TRUNC)
			return dis_incomplete(off, cur_left(&c) + 1);
		if (r != 0) {
			obs_anomaly(ctx, REDIS_ANOM_LINE_TOO_LONG, "reply type 0x%02x", t);
			return dis_error(off);
		}
		if (st->depth == 0)
			st->top_type = t;
		line++;
		ll--;
		switch (t) {
		case '+':
			redis_reply_string(ctx, st, line, ll);
			redis_element_done(ctx, st);
			break;
		case '-':
			redis_reply_error(ctx, st, line, ll);
			redis_element_done(ctx, st);
			break;
		case ':': case '_': case '#': case ',': case '(':
			st->prev_version = false;
			redis_element_done(ctx, st);
			break;
		case '$': case '=': case '!': {
			const uint8_t *b, *crlf;
			if (redis_num(line, ll, &v) != 0 || v < -1 || v > REDIS_BULK_MAX) {
				obs_anomaly(ctx, REDIS_ANOM_BAD_HEADER, "bulk reply header");
				return dis_error(off);
			}
			if (v == -1) {
				redis_element_done(ctx, st);
				break;
			}
			if (v > REDIS_ARG_KEEP) {
				st->prev_version = false;
				st->skip[1] = v + 2;
				break;
			}
			size_t hdr = cur_off(&c, p) - off;
			if (cur_bytes(&c, (size_t)v, &b) != 0 || cur_bytes(&c, 2, &crlf) != 0)
				return dis_incomplete(off, hdr + (size_t)v + 2);
			if (t == '!')
				redis_reply_error(ctx, st, (const char *)b, (size_t)v);
			else
				redis_reply_string(ctx, st, (const char *)b, (size_t)v);
			redis_element_done(ctx, st);
			break;
		}
		case '*': case '%': case '~': case '>': case '|':
			if (redis_num(line, ll, &v) != 0 || v < -1 || v > REDIS_ARGS_MAX) {
				obs_anomaly(ctx, REDIS_ANOM_BAD_HEADER, "aggregate header");
				return dis_error(off);
			}
			if (t == '%' || t == '|')
				v *= 2;
			if (v <= 0) {
				redis_element_done(ctx, st);
				break;
			}
			if (st->depth >= REDIS_DEPTH_MAX) {
				obs_anomaly(ctx, REDIS_ANOM_TOO_DEEP, NULL);
				return dis_error(off);
			}
			st->stack[st->depth].left = v;
			st->stack[st->depth].attr = t == '|';
			st->depth++;
			st->prev_version = false;
			break;
		default:
			obs_anomaly(ctx, REDIS_ANOM_BAD_TYPE, "0x%02x", t);
			return dis_error(off);
		}
	}
	return dis_ok(len);
}

static struct dis_result redis_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				     const uint8_t *p, size_t len)
{
	struct redis_state *st = state;
	struct dis_result r;

	obs_protocol(ctx, "redis");
	obs_security(ctx, SEC_CLEARTEXT);
	obs_tls_offered(ctx, false);
	obs_tls_requested(ctx, false);
	r = dir == DIR_C2S ? redis_parse_c2s(ctx, st, p, len) : redis_parse_s2c(ctx, st, p, len);
	if (r.status == DIS_OK && st->ncmds >= REDIS_CMDS_MAX && st->nreplies >= REDIS_CMDS_MAX)
		r.status = DIS_DONE;
	return r;
}

static const uint16_t redis_ports[] = { 6379, 6380, 26379, 0 };

const struct dissector dissector_redis = {
	.name = "redis",
	.transport = DIS_TCP,
	.ports = redis_ports,
	.probe = redis_probe,
	.state_size = sizeof(struct redis_state),
	.parse = redis_parse,
	.anomalies = redis_anomalies,
};
