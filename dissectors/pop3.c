/* SPDX-License-Identifier: BSD-3-Clause */
/* pop3.c — POP3 in clear up to the login outcome (RFC 1939 §4-§7 USER/PASS,
 * APOP; RFC 2449 CAPA; RFC 2595 §4 STLS; RFC 5034 AUTH).
 *
 *   S: +OK Dovecot ready.          C: CAPA
 *   S: +OK / STLS / SASL PLAIN LOGIN / USER / .
 *   C: STLS         S: +OK ...     -> hand-off to "tls" after that line
 *   C: USER alice   S: +OK         C: PASS ...   S: +OK / -ERR
 *
 * Facts: greeting text, CAPA listing STLS (tls_offered; null when the client
 * never asked CAPA) and the SASL mechanisms, STLS asked for (tls_requested)
 * and its answer, the user; USER/PASS is a password in clear (credentials,
 * mechanism "password"); APOP is challenge-response (RFC 1939 §7: user and
 * mechanism "APOP", no credentials); AUTH goes through src/sasl.c (PLAIN and
 * LOGIN in clear are credentials). The login answer is detail auth_result.
 *
 * Security: +OK to STLS -> starttls; -ERR then a login in clear ->
 * tls_refused; CAPA offered STLS but USER/APOP/AUTH went in clear ->
 * starttls_not_used; else cleartext. Done at the login answer, at the
 * hand-off, or after POP3_CMDS_MAX commands.
 *
 * Selection: the server's greeting "+OK " (with the space: Redis answers a
 * bare "+OK\r\n"), or a client's CAPA/STLS/APOP.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"
#include "textproto.h"
#include "sasl.h"

#define POP3_LINE_MAX 8192 /* RFC 2449 §4: 512 octets; AUTH lines are longer */
#define POP3_CMDS_MAX 64
#define POP3_PENDING_MAX 16

enum {
	POP3_ANOM_LINE_TOO_LONG = 1,
	POP3_ANOM_BAD_RESPONSE,
	POP3_ANOM_BAD_AUTH_RESPONSE,
	POP3_ANOM_TOO_MANY_PENDING,
};

static const struct anomaly_def pop3_anomalies[] = {
	{ POP3_ANOM_LINE_TOO_LONG, "line_too_long" },
	{ POP3_ANOM_BAD_RESPONSE, "bad_response" },
	{ POP3_ANOM_BAD_AUTH_RESPONSE, "bad_auth_response" },
	{ POP3_ANOM_TOO_MANY_PENDING, "too_many_pending" },
	{ 0, NULL },
};

enum pop3_cmd { POP3_C_OTHER = 0, POP3_C_CAPA, POP3_C_STLS, POP3_C_USER, POP3_C_LOGIN, POP3_C_AUTH };

struct pop3_state {
	bool greeting_seen, in_capa, capa_auth, auth_listed;
	uint8_t pending[POP3_PENDING_MAX];
	unsigned npend, cmds;
	bool offered, refused, after_refusal, tls_wait, in_auth;
	struct sasl_exch sasl;
};

static enum probe_res pop3_probe(enum dir dir, const uint8_t *p, size_t len)
{
	static const char *const verbs[] = { "CAPA\r\n", "STLS\r\n", "APOP ", NULL };
	const char *const *v = dir == DIR_S2C ? (const char *const[]){ "+OK ", NULL } : verbs;
	bool prefix = false;

	for (; *v; v++) {
		size_t w = strlen(*v), k = len < w ? len : w;
		if (strncasecmp((const char *)p, *v, k) == 0) {
			if (len >= w)
				return PROBE_MATCH;
			prefix = true;
		}
	}
	return prefix ? PROBE_NEED_MORE : PROBE_NOMATCH;
}

/* The client went on in clear with a login: USER, PASS, APOP, or AUTH
 * with a mechanism (a bare AUTH only asks for the list). */
static const char *const pop3_clear_verbs[] = { "USER", "PASS", "APOP", "AUTH ", NULL };
static const struct textproto_clear_cmds pop3_clear = { .verbs = pop3_clear_verbs };

static int pop3_push(struct dis_ctx *ctx, struct pop3_state *st, enum pop3_cmd k)
{
	if (st->npend >= POP3_PENDING_MAX) {
		obs_anomaly(ctx, POP3_ANOM_TOO_MANY_PENDING, NULL);
		return -1;
	}
	st->pending[st->npend++] = (uint8_t)k;
	return 0;
}

static int pop3_client_line(struct dis_ctx *ctx, struct pop3_state *st, const char *l, size_t n)
{
	if (st->in_auth) {
		/* RFC 5034 §4: base64 response to "+ challenge"; "*" cancels */
		if (n == 1 && l[0] == '*')
			return 0;
		if (sasl_response_b64(&st->sasl, ctx, l, n) != 0)
			obs_anomaly(ctx, POP3_ANOM_BAD_AUTH_RESPONSE, "%s response %u", st->sasl.mech,
				    st->sasl.responses);
		return 0;
	}
	if (st->cmds++ == 0)
		obs_tls_requested(ctx, false);
	if (st->cmds > POP3_CMDS_MAX)
		return 1;
	if (st->refused)
		st->after_refusal = true;
	textproto_went_on_in_clear(ctx, &pop3_clear, l, n, st->refused, st->offered);
	if (textproto_is_verb(l, n, "CAPA", false))
		return pop3_push(ctx, st, POP3_C_CAPA);
	if (textproto_is_verb(l, n, "STLS", false)) {
		obs_tls_requested(ctx, true);
		st->tls_wait = true;
		return pop3_push(ctx, st, POP3_C_STLS);
	}
	if (textproto_is_verb(l, n, "USER", false)) {
		obs_user(ctx, n > 5 ? l + 5 : l + n, n > 5 ? n - 5 : 0);
		return pop3_push(ctx, st, POP3_C_USER);
	}
	if (textproto_is_verb(l, n, "PASS", false)) {
		obs_auth_mechanism(ctx, "password", 8);
		obs_credentials(ctx, "password");
		return pop3_push(ctx, st, POP3_C_LOGIN);
	}
	if (textproto_is_verb(l, n, "APOP", false)) {
		/* APOP name digest: MD5 over the greeting's timestamp and the secret */
		const char *u = n > 5 ? l + 5 : l + n, *e = l + n, *sp;
		sp = memchr(u, ' ', (size_t)(e - u));
		obs_user(ctx, u, (size_t)((sp ? sp : e) - u));
		obs_auth_mechanism(ctx, "APOP", 4);
		return pop3_push(ctx, st, POP3_C_LOGIN);
	}
	if (textproto_is_verb(l, n, "AUTH", false) && n > 5) {
		const char *m = l + 5, *e = l + n, *sp = memchr(m, ' ', (size_t)(e - m));
		sasl_begin(&st->sasl, ctx, m, (size_t)((sp ? sp : e) - m));
		st->in_auth = true;
		if (sp && sp + 1 < e && sasl_response_b64(&st->sasl, ctx, sp + 1, (size_t)(e - sp - 1)) != 0)
			obs_anomaly(ctx, POP3_ANOM_BAD_AUTH_RESPONSE, "%s initial response", st->sasl.mech);
		return pop3_push(ctx, st, POP3_C_AUTH);
	}
	return pop3_push(ctx, st, POP3_C_OTHER);
}

static void pop3_pop(struct pop3_state *st)
{
	if (st->npend > 0)
		memmove(st->pending, st->pending + 1, --st->npend);
}

/* Returns 1 to stop, 2 to hand off, -1 on error, 0 to go on. */
static int pop3_server_line(struct dis_ctx *ctx, struct pop3_state *st, const char *l, size_t n)
{
	bool okr = n >= 3 && memcmp(l, "+OK", 3) == 0 && (n == 3 || l[3] == ' ');
	bool err = n >= 4 && memcmp(l, "-ERR", 4) == 0 && (n == 4 || l[4] == ' ');

	if (st->in_capa) {
		/* RFC 2449 §5: one capability per line, ends with "." */
		if (n == 1 && l[0] == '.') {
			st->in_capa = false;
			if (st->capa_auth)
				st->auth_listed = true; /* the first list in clear is the one kept */
			obs_tls_offered(ctx, st->offered);
			return 0;
		}
		if (textproto_is_verb(l, n, "STLS", false))
			st->offered = true;
		else if (textproto_is_verb(l, n, "SASL", false) && !st->auth_listed) {
			st->capa_auth = true;
			const char *m = l + 4, *e = l + n;
			while (m < e) {
				const char *sp, *we;
				while (m < e && *m == ' ')
					m++;
				if (m >= e)
					break;
				sp = memchr(m, ' ', (size_t)(e - m));
				we = sp ? sp : e;
				if (we > m)
					obs_detail_list_str(ctx, "auth_offered", m, (size_t)(we - m));
				m = we;
			}
		}
		return 0;
	}
	if (!st->greeting_seen) {
		if (!okr && !err) {
			obs_anomaly(ctx, POP3_ANOM_BAD_RESPONSE, "greeting");
			return -1;
		}
		st->greeting_seen = true;
		obs_detail_str(ctx, "greeting", n > 4 ? l + 4 : l + n, n > 4 ? n - 4 : 0);
		return 0;
	}
	if (n >= 1 && l[0] == '+' && !okr && st->in_auth)
		return 0; /* "+ challenge" (RFC 5034 §4) */
	if (!okr && !err) {
		obs_anomaly(ctx, POP3_ANOM_BAD_RESPONSE, "response line of %zu bytes", n);
		return -1;
	}
	if (st->npend == 0)
		return 0;
	switch ((enum pop3_cmd)st->pending[0]) {
	case POP3_C_CAPA:
		if (okr)
			st->in_capa = true;
		break;
	case POP3_C_STLS:
		st->tls_wait = false;
		obs_detail_str(ctx, "stls_response", okr ? "+OK" : "-ERR", okr ? 3 : 4);
		pop3_pop(st);
		if (okr) {
			obs_security(ctx, SEC_STARTTLS);
			return 2;
		}
		st->refused = true;
		return 0;
	case POP3_C_LOGIN:
	case POP3_C_AUTH:
		st->in_auth = false;
		obs_detail_str(ctx, "auth_result", okr ? "+OK" : "-ERR", okr ? 3 : 4);
		pop3_pop(st);
		return 1;
	default:
		break;
	}
	pop3_pop(st);
	return 0;
}

static int pop3_line(struct dis_ctx *ctx, void *state, enum dir dir, const char *l, size_t n)
{
	struct pop3_state *st = state;

	return dir == DIR_C2S ? pop3_client_line(ctx, st, l, n) : pop3_server_line(ctx, st, l, n);
}

static struct dis_result pop3_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				    const uint8_t *p, size_t len)
{
	struct pop3_state *st = state;

	obs_protocol(ctx, "pop3");
	return textproto_lines(ctx, st, dir, p, len, POP3_LINE_MAX, POP3_ANOM_LINE_TOO_LONG, &st->tls_wait, pop3_line);
}

static void pop3_flow_end(struct dis_ctx *ctx, void *state)
{
	struct pop3_state *st = state;

	textproto_flow_end(ctx, st->cmds, st->refused, st->after_refusal, st->tls_wait, st->offered);
}

static const uint16_t pop3_ports[] = { 110, 0 };

const struct dissector dissector_pop3 = {
	.name = "pop3",
	.transport = DIS_TCP,
	.ports = pop3_ports,
	.probe = pop3_probe,
	.state_size = sizeof(struct pop3_state),
	.parse = pop3_parse,
	.flow_end = pop3_flow_end,
	.anomalies = pop3_anomalies,
};
