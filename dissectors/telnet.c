/* SPDX-License-Identifier: BSD-3-Clause */
/* telnet.c — Telnet sessions (RFC 854 NVT and IAC commands, RFC 855 option
 * negotiation; option 46 START_TLS from draft-altman-telnet-starttls).
 *
 *   IAC (255) WILL 251 | WONT 252 | DO 253 | DONT 254  option
 *   IAC SB option ... IAC SE (240)      IAC IAC = a data byte 255
 *
 * Telnet is cleartext by construction. Facts: option negotiations (count,
 * and the distinct option numbers in order of first appearance, at most
 * TELNET_OPTS_MAX), whether the server's
 * text shows a "login:" prompt (login_prompt_seen) and the user the client
 * typed after it (printable bytes up to CR/LF), and — inferred, not parsed —
 * credentials: a "password:" prompt from the server followed by client
 * bytes is taken to be a password typed in clear (obs_credentials("telnet"),
 * detail credentials_inferred = true). There is no framing for a login in
 * Telnet, so this is a heuristic over the server's first TELNET_SCAN_MAX
 * bytes of text. Done once the password is inferred or the scan budget is
 * spent.
 *
 * Selection: either side starting with IAC followed by a negotiation verb
 * (WILL/WONT/DO/DONT) or SB.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"

#define TEL_IAC 255
#define TEL_DONT 254
#define TEL_DO 253
#define TEL_WONT 252
#define TEL_WILL 251
#define TEL_SB 250
#define TEL_SE 240
#define TEL_OPT_START_TLS 46

#define TELNET_SCAN_MAX 16384 /* server text bytes searched for prompts */
#define TELNET_SB_MAX 1024
#define TELNET_OPTS_MAX 32
#define TELNET_USER_MAX 64
#define TELNET_WIN 16

enum {
	TELNET_ANOM_SB_TOO_LONG = 1,
};

static const struct anomaly_def telnet_anomalies[] = {
	{ TELNET_ANOM_SB_TOO_LONG, "subnegotiation_too_long" },
	{ 0, NULL },
};

struct telnet_state {
	unsigned negotiations, opts_listed;
	uint8_t opt_seen[32]; /* bitmap of option numbers listed */
	size_t scanned;
	char win[TELNET_WIN]; /* last server text bytes, lower-cased */
	bool login_prompt, reading_user, user_done, pw_prompt;
	char user[TELNET_USER_MAX];
	size_t ulen;
	bool started;
};

static enum probe_res telnet_probe(enum dir dir, const uint8_t *p, size_t len)
{
	if (len == 0)
		return PROBE_NEED_MORE;
	if (p[0] != TEL_IAC)
		return PROBE_NOMATCH;
	if (len < 2)
		return PROBE_NEED_MORE;
	if (p[1] < TEL_SB || p[1] == TEL_IAC)
		return PROBE_NOMATCH;
	return len < 3 ? PROBE_NEED_MORE : PROBE_MATCH;
}

static bool telnet_win_ends(const struct telnet_state *st, const char *s)
{
	size_t n = strlen(s);
	return memcmp(st->win + TELNET_WIN - n, s, n) == 0;
}

static void telnet_server_text(struct dis_ctx *ctx, struct telnet_state *st, uint8_t b)
{
	if (st->scanned >= TELNET_SCAN_MAX)
		return;
	st->scanned++;
	memmove(st->win, st->win + 1, TELNET_WIN - 1);
	st->win[TELNET_WIN - 1] = (char)tolower(b);
	if (telnet_win_ends(st, "login:") || telnet_win_ends(st, "username:")) {
		if (!st->login_prompt)
			obs_detail_bool(ctx, "login_prompt_seen", true);
		st->login_prompt = true;
		if (!st->user_done) {
			st->reading_user = true;
			st->ulen = 0;
		}
	} else if (telnet_win_ends(st, "password:")) {
		st->pw_prompt = true;
		st->reading_user = false;
	}
}

/* Returns true when the flow is done. */
static bool telnet_client_text(struct dis_ctx *ctx, struct telnet_state *st, uint8_t b)
{
	if (st->pw_prompt) {
		if (b == '\r' || b == '\n' || b == 0)
			return false;
		obs_credentials(ctx, "telnet");
		obs_auth_mechanism(ctx, "telnet", 6);
		obs_detail_bool(ctx, "credentials_inferred", true);
		return true;
	}
	if (st->reading_user) {
		if (b == '\r' || b == '\n') {
			if (st->ulen > 0) {
				obs_user(ctx, st->user, st->ulen);
				st->user_done = true;
				st->reading_user = false;
			}
		} else if (b >= 0x20 && b < 0x7f && st->ulen < TELNET_USER_MAX) {
			st->user[st->ulen++] = (char)b;
		}
	}
	return false;
}

static struct dis_result telnet_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				      const uint8_t *p, size_t len)
{
	struct telnet_state *st = state;
	struct cur c = cur_make(p, len);

	obs_protocol(ctx, "telnet");
	if (!st->started) {
		st->started = true;
		obs_security(ctx, SEC_CLEARTEXT);
		obs_tls_offered(ctx, false);
		obs_tls_requested(ctx, false);
	}
	while (cur_left(&c) > 0) {
		size_t before = cur_off(&c, p);
		uint8_t b, verb, opt;

		(void)cur_u8(&c, &b);
		if (b != TEL_IAC) {
			if (dir == DIR_S2C)
				telnet_server_text(ctx, st, b);
			else if (telnet_client_text(ctx, st, b))
				return dis_done(cur_off(&c, p));
			continue;
		}
		if (cur_u8(&c, &verb) != 0)
			return dis_incomplete(before, len - before + 1);
		if (verb == TEL_IAC) {
			if (dir == DIR_S2C)
				telnet_server_text(ctx, st, b);
			continue;
		}
		if (verb >= TEL_WILL) {
			if (cur_u8(&c, &opt) != 0)
				return dis_incomplete(before, len - before + 1);
			st->negotiations++;
			obs_detail_int(ctx, "negotiations", st->negotiations);
			if (!(st->opt_seen[opt / 8] & (1u << (opt % 8))) &&
			    st->opts_listed < TELNET_OPTS_MAX) {
				char num[4];
				st->opt_seen[opt / 8] |= (uint8_t)(1u << (opt % 8));
				st->opts_listed++;
				snprintf(num, sizeof(num), "%u", opt);
				obs_detail_list_str(ctx, "options", num, strlen(num));
			}
			if (opt == TEL_OPT_START_TLS) {
				/* the server asks (DO) or the client offers (WILL) START_TLS */
				if (dir == DIR_S2C && (verb == TEL_DO || verb == TEL_WILL))
					obs_tls_offered(ctx, true);
				if (dir == DIR_C2S && verb == TEL_WILL)
					obs_tls_requested(ctx, true);
			}
		} else if (verb == TEL_SB) {
			/* skip to IAC SE, bounded */
			size_t k = 0;
			bool closed = false;
			while (k < TELNET_SB_MAX) {
				uint8_t x;
				if (cur_u8(&c, &x) != 0)
					break;
				k++;
				if (x == TEL_IAC) {
					uint8_t y;
					if (cur_u8(&c, &y) != 0)
						break;
					k++;
					if (y == TEL_SE) {
						closed = true;
						break;
					}
				}
			}
			if (!closed) {
				if (k >= TELNET_SB_MAX) {
					obs_anomaly(ctx, TELNET_ANOM_SB_TOO_LONG, "over %d bytes", TELNET_SB_MAX);
					return dis_error(before);
				}
				return dis_incomplete(before, len - before + 1);
			}
		}
		/* other commands (NOP, GA, AYT...) are two bytes */
	}
	if (st->scanned >= TELNET_SCAN_MAX && !st->pw_prompt)
		return dis_done(len);
	return dis_ok(len);
}

static const uint16_t telnet_ports[] = { 23, 0 };

const struct dissector dissector_telnet = {
	.name = "telnet",
	.transport = DIS_TCP,
	.ports = telnet_ports,
	.probe = telnet_probe,
	.state_size = sizeof(struct telnet_state),
	.parse = telnet_parse,
	.anomalies = telnet_anomalies,
};
