/* SPDX-License-Identifier: BSD-3-Clause */
/* textproto.c — see textproto.h. */
#include "textproto.h"

#include <string.h>
#include <strings.h>

#include "cursor.h"
#include "obs.h"

bool textproto_is_verb(const char *l, size_t n, const char *word, bool colon_ok)
{
	size_t w = strlen(word);
	if (n < w || strncasecmp(l, word, w) != 0)
		return false;
	return n == w || l[w] == ' ' || (colon_ok && l[w] == ':');
}

bool textproto_has_word(const void *p, size_t n, const char *word)
{
	const char *s = p;
	size_t w = strlen(word), i;
	for (i = 0; i + w <= n; i++)
		if (strncasecmp(s + i, word, w) == 0)
			return true;
	return false;
}

struct dis_result textproto_lines(struct dis_ctx *ctx, void *state, enum dir dir,
				  const uint8_t *p, size_t len, size_t line_max,
				  int anom_too_long, const bool *tls_wait, textproto_line_fn line)
{
	struct cur c = cur_make(p, len);

	for (;;) {
		const char *l;
		size_t n, before = cur_off(&c, p);
		int r;

		if (dir == DIR_C2S && *tls_wait)
			return dis_ok(before);
		r = cur_line(&c, line_max, &l, &n);
		if (r == CUR_TRUNC)
			return dis_incomplete(before, len - before + 1);
		if (r != 0) {
			obs_anomaly(ctx, anom_too_long, "%s line over %zu bytes",
				    dir == DIR_C2S ? "client" : "server", line_max);
			return dis_error(before);
		}
		r = line(ctx, state, dir, l, n);
		if (r < 0)
			return dis_error(before);
		if (r == 1)
			return dis_done(cur_off(&c, p));
		if (r == 2) {
			if (dis_handoff(ctx, "tls") != 0)
				return dis_done(cur_off(&c, p));
			return dis_ok(cur_off(&c, p));
		}
	}
}

/* Something went in clear: say why it was not protected. Never overrides
 * a state already set (starttls, or the first decision). */
static void textproto_in_clear(struct dis_ctx *ctx, bool refused, bool offered)
{
	if (obs_get_security(ctx) != SEC_UNKNOWN)
		return;
	obs_security(ctx, refused ? SEC_TLS_REFUSED : offered ? SEC_STARTTLS_NOT_USED : SEC_CLEARTEXT);
}

/* Whether command l[0..n) is one that matters under cmds. */
static bool textproto_clear_cmd(const struct textproto_clear_cmds *cmds, const char *l, size_t n)
{
	for (const char *const *v = cmds->verbs; *v; v++) {
		size_t w = strlen(*v);
		bool hit = w > 0 && (*v)[w - 1] == ' ' ? n > w && strncasecmp(l, *v, w) == 0
						       : textproto_is_verb(l, n, *v, cmds->colon_ok);
		if (hit)
			return !cmds->all_but;
	}
	return cmds->all_but;
}

void textproto_went_on_in_clear(struct dis_ctx *ctx, const struct textproto_clear_cmds *cmds,
				const char *cmd, size_t n, bool refused, bool offered)
{
	if (textproto_clear_cmd(cmds, cmd, n))
		textproto_in_clear(ctx, refused, offered);
}

void textproto_flow_end(struct dis_ctx *ctx, unsigned cmds, bool refused, bool after_refusal,
			bool tls_wait, bool offered)
{
	if (cmds == 0)
		return;
	/* refused, then the client gave up: nothing went in clear; asked
	 * for an upgrade and no answer seen: nothing known */
	if (refused ? !after_refusal : tls_wait)
		return;
	textproto_in_clear(ctx, refused, offered);
}
