/* SPDX-License-Identifier: BSD-3-Clause */
/* ftp.c — FTP control connection in clear up to the login outcome (RFC 959
 * §4.1 commands, §4.2 replies incl. multi-line; RFC 2389 FEAT; RFC 4217 §4
 * AUTH TLS; RFC 1635 anonymous FTP).
 *
 *   S: 220 (vsFTPd 3.0.3)          C: FEAT
 *   S: 211-Features: / " AUTH TLS" / 211 End
 *   C: AUTH TLS     S: 234 ...     -> hand-off to "tls" after that line
 *   C: USER alice   S: 331         C: PASS ...   S: 230 / 530
 *
 * Facts: banner, FEAT listing AUTH TLS/SSL (tls_offered; null when the
 * client never asked FEAT: FTP has no other way to offer), AUTH TLS/SSL asked
 * for (tls_requested) and its reply code, the user, PASS in clear
 * (credentials, mechanism "password"), the login reply code. Data connections
 * are separate flows and not followed.
 *
 * Anonymous login (USER anonymous or ftp, RFC 1635): the "password" is by
 * convention an e-mail address, not a secret: credentials false, mechanism
 * "anonymous", user "anonymous", detail anonymous = true.
 *
 * RFC 2228 security extensions: AUTH names a mechanism. AUTH TLS/SSL/TLS-C/
 * TLS-P (RFC 4217 §4): 234 = TLS follows (hand-off). AUTH GSSAPI (RFC 2228
 * §3 AUTH/ADAT, RFC 2743 tokens in base64) or another non-TLS mechanism:
 * 334 = send ADAT, 234 = accepted without ADAT; then "ADAT base64" lines
 * answered 335 (more) or 235 (done) (§4 reply codes); after that every
 * command travels wrapped: ENC (private: confidentiality and integrity),
 * CONF (confidentiality) or MIC (integrity only: the command is readable
 * inside the token), answered 631/632/633. The first wrapped command
 * decides: ENC or CONF -> app_encrypted, MIC -> cleartext (detail
 * `protection`). A refusal of any AUTH (4yz/5yz: 504 mechanism not
 * understood, 534 denied for policy, 431 resource unavailable, 530 ...)
 * or of an ADAT (535, 5yz), followed by commands in clear -> tls_refused.
 * Only AUTH TLS/SSL sets tls_requested; AUTH GSSAPI records the mechanism
 * (auth_mechanism "GSSAPI": a challenge-response, credentials false).
 *
 * Security: 234 to AUTH TLS -> starttls; a refused AUTH then USER/PASS in
 * clear -> tls_refused; FEAT offered AUTH TLS but USER went in clear ->
 * starttls_not_used; else cleartext. Done at the login reply (230/530 or a
 * 230 straight after USER), at the hand-off, at the first wrapped command,
 * or after FTP_CMDS_MAX commands.
 *
 * Selection against SMTP (both greet with "220 "): the banner matches only
 * if it names FTP and not SMTP; otherwise the client decides (USER, AUTH
 * TLS/SSL, FEAT, SYST, OPTS match; EHLO/HELO are SMTP's).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"
#include "textproto.h"

#define FTP_LINE_MAX 8192
#define FTP_CMDS_MAX 64
#define FTP_PROBE_LINE 1024

enum {
	FTP_ANOM_LINE_TOO_LONG = 1,
	FTP_ANOM_BAD_REPLY,
};

static const struct anomaly_def ftp_anomalies[] = {
	{ FTP_ANOM_LINE_TOO_LONG, "line_too_long" },
	{ FTP_ANOM_BAD_REPLY, "bad_reply" },
	{ 0, NULL },
};

enum ftp_cmd { FTP_C_NONE = 0, FTP_C_OTHER, FTP_C_FEAT, FTP_C_AUTH, FTP_C_USER, FTP_C_PASS, FTP_C_ADAT };

/* RFC 2228 security exchange of a non-TLS mechanism */
enum ftp_sec { FTP_SEC_NONE = 0, FTP_SEC_ADAT, FTP_SEC_PROTECTED };

struct ftp_state {
	bool banner_seen, banner_line_done;
	int ml_code;           /* code of the multi-line reply being read, or 0 */
	uint8_t wait;          /* enum ftp_cmd awaiting its reply */
	uint8_t sec;           /* enum ftp_sec */
	unsigned cmds;
	bool offered, feat_seen, refused, after_refusal, tls_wait, anonymous;
	bool auth_tls;         /* the pending AUTH names TLS or SSL */
};

/* AUTH arguments that mean TLS (RFC 4217 §4; TLS-C and TLS-P from its
 * drafts, SSL from pre-RFC clients). */
static const char *const ftp_tls_mechs[] = { "TLS", "SSL", "TLS-C", "TLS-P", NULL };

static enum probe_res ftp_probe(enum dir dir, const uint8_t *p, size_t len)
{
	static const char *const verbs[] = { "USER ", "AUTH TLS", "AUTH SSL", "FEAT\r", "SYST\r",
					     "OPTS ", NULL };
	struct cur c = cur_make(p, len);
	const char *l;
	size_t n;
	int r, i;
	bool prefix = false;

	if (dir == DIR_C2S) {
		for (i = 0; verbs[i]; i++) {
			size_t w = strlen(verbs[i]);
			size_t k = len < w ? len : w;
			if (strncasecmp((const char *)p, verbs[i], k) == 0) {
				if (len >= w)
					return PROBE_MATCH;
				prefix = true;
			}
		}
		return prefix ? PROBE_NEED_MORE : PROBE_NOMATCH;
	}
	r = cur_line(&c, FTP_PROBE_LINE, &l, &n);
	if (r == CUR_TRUNC)
		return len >= 3 && memcmp(p, "220", 3) != 0 ? PROBE_NOMATCH : PROBE_NEED_MORE;
	if (r != 0 || n < 4 || memcmp(l, "220", 3) != 0 || (l[3] != ' ' && l[3] != '-'))
		return PROBE_NOMATCH;
	if (textproto_has_word(l, n, "SMTP"))
		return PROBE_NOMATCH;
	if (textproto_has_word(l, n, "FTP"))
		return PROBE_MATCH;
	return PROBE_NEED_MORE;
}

/* The client went on in clear with a login: USER or PASS. */
static const char *const ftp_clear_verbs[] = { "USER", "PASS", NULL };
static const struct textproto_clear_cmds ftp_clear = { .verbs = ftp_clear_verbs };

static int ftp_client_line(struct dis_ctx *ctx, struct ftp_state *st, const char *l, size_t n)
{
	if (st->cmds++ == 0)
		obs_tls_requested(ctx, false);
	if (st->cmds > FTP_CMDS_MAX)
		return 1;
	if (st->refused)
		st->after_refusal = true;
	st->wait = FTP_C_OTHER;
	if (st->sec == FTP_SEC_PROTECTED &&
	    (textproto_is_verb(l, n, "ENC", false) || textproto_is_verb(l, n, "CONF", false) ||
	     textproto_is_verb(l, n, "MIC", false))) {
		/* RFC 2228 §3: the first wrapped command says what protects the
		 * session; its content is not read */
		bool mic = textproto_is_verb(l, n, "MIC", false);
		obs_detail_str(ctx, "protection", textproto_is_verb(l, n, "ENC", false) ? "ENC" : mic ? "MIC" : "CONF",
			       textproto_is_verb(l, n, "CONF", false) ? 4 : 3);
		obs_security(ctx, mic ? SEC_CLEARTEXT : SEC_APP_ENCRYPTED);
		return 1;
	}
	textproto_went_on_in_clear(ctx, &ftp_clear, l, n, st->refused, st->offered);
	if (textproto_is_verb(l, n, "FEAT", false)) {
		st->wait = FTP_C_FEAT;
	} else if (textproto_is_verb(l, n, "AUTH", false)) {
		const char *m = n > 5 ? l + 5 : l + n;
		size_t ml = n > 5 ? n - 5 : 0, i;
		st->auth_tls = false;
		for (i = 0; ftp_tls_mechs[i]; i++)
			if (ml == strlen(ftp_tls_mechs[i]) && strncasecmp(m, ftp_tls_mechs[i], ml) == 0)
				st->auth_tls = true;
		if (st->auth_tls)
			obs_tls_requested(ctx, true);
		else if (ml > 0) {
			char up[32];
			size_t k;
			for (k = 0; k < ml && k < sizeof(up) - 1; k++)
				up[k] = (char)toupper((unsigned char)m[k]);
			obs_auth_mechanism(ctx, up, k);
		}
		if (ml > 0)
			obs_detail_str(ctx, "auth_command", m, ml);
		st->wait = FTP_C_AUTH;
		st->tls_wait = true;
	} else if (st->sec == FTP_SEC_ADAT && textproto_is_verb(l, n, "ADAT", false)) {
		st->wait = FTP_C_ADAT; /* the token itself is not read */
	} else if (textproto_is_verb(l, n, "USER", false)) {
		const char *u = n > 5 ? l + 5 : l + n;
		size_t ul = n > 5 ? n - 5 : 0;
		if ((ul == 9 && strncasecmp(u, "anonymous", 9) == 0) || (ul == 3 && strncasecmp(u, "ftp", 3) == 0)) {
			st->anonymous = true;
			obs_user(ctx, "anonymous", 9);
			obs_auth_mechanism(ctx, "anonymous", 9);
			obs_detail_bool(ctx, "anonymous", true);
		} else {
			st->anonymous = false;
			obs_user(ctx, u, ul);
		}
		st->wait = FTP_C_USER;
	} else if (textproto_is_verb(l, n, "PASS", false)) {
		if (!st->anonymous) {
			obs_auth_mechanism(ctx, "password", 8);
			obs_credentials(ctx, "password");
		}
		st->wait = FTP_C_PASS;
	}
	return 0;
}

/* Returns 1 to stop, 2 to hand off, -1 on error, 0 to go on. */
static int ftp_server_line(struct dis_ctx *ctx, struct ftp_state *st, const char *l, size_t n)
{
	int code;
	bool numbered = n >= 3 && isdigit((unsigned char)l[0]) && isdigit((unsigned char)l[1]) &&
			isdigit((unsigned char)l[2]) && (n == 3 || l[3] == ' ' || l[3] == '-');

	if (st->ml_code) {
		/* inside a multi-line reply (RFC 959 §4.2): ends at "code SP" */
		if (numbered && (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0') == st->ml_code &&
		    (n == 3 || l[3] == ' ')) {
			st->ml_code = 0;
			goto final;
		}
		if (st->wait == FTP_C_FEAT && n > 1 && l[0] == ' ') {
			const char *f = l + 1;
			size_t fl = n - 1;
			if (fl >= 4 && strncasecmp(f, "AUTH", 4) == 0 &&
			    (textproto_has_word(f, fl, "TLS") || textproto_has_word(f, fl, "SSL")))
				st->offered = true;
		}
		return 0;
	}
	if (!numbered) {
		obs_anomaly(ctx, FTP_ANOM_BAD_REPLY, "reply line of %zu bytes", n);
		return -1;
	}
	code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	if (!st->banner_line_done) {
		obs_detail_str(ctx, "banner", n > 4 ? l + 4 : l + n, n > 4 ? n - 4 : 0);
		if (code != 220)
			obs_detail_int(ctx, "banner_code", code);
		st->banner_line_done = true;
	}
	if (n > 3 && l[3] == '-') {
		st->ml_code = code;
		return 0;
	}
final:
	if (!st->banner_seen) {
		st->banner_seen = true;
		return 0;
	}
	code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	switch ((enum ftp_cmd)st->wait) {
	case FTP_C_FEAT:
		st->feat_seen = true;
		obs_tls_offered(ctx, st->offered);
		break;
	case FTP_C_AUTH:
		st->tls_wait = false;
		if (st->auth_tls) {
			obs_detail_int(ctx, "auth_tls_reply", code);
			if (code == 234) {
				obs_security(ctx, SEC_STARTTLS);
				st->wait = FTP_C_NONE;
				return 2;
			}
			st->refused = true;
			break;
		}
		obs_detail_int(ctx, "auth_reply", code);
		if (code == 334)
			st->sec = FTP_SEC_ADAT;
		else if (code == 234)
			st->sec = FTP_SEC_PROTECTED;
		else if (code >= 400)
			st->refused = true;
		break;
	case FTP_C_ADAT:
		obs_detail_int(ctx, "adat_reply", code);
		if (code == 235)
			st->sec = FTP_SEC_PROTECTED;
		else if (code >= 400) {
			st->sec = FTP_SEC_NONE;
			st->refused = true;
		}
		break;
	case FTP_C_USER:
		if (code == 230) { /* logged in without a password */
			obs_detail_int(ctx, "login_reply", code);
			return 1;
		}
		if (code >= 400) {
			obs_detail_int(ctx, "login_reply", code);
			return 1;
		}
		break;
	case FTP_C_PASS:
		obs_detail_int(ctx, "login_reply", code);
		return 1;
	default:
		break;
	}
	st->wait = FTP_C_NONE;
	return 0;
}

static int ftp_line(struct dis_ctx *ctx, void *state, enum dir dir, const char *l, size_t n)
{
	struct ftp_state *st = state;

	return dir == DIR_C2S ? ftp_client_line(ctx, st, l, n) : ftp_server_line(ctx, st, l, n);
}

static struct dis_result ftp_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				    const uint8_t *p, size_t len)
{
	struct ftp_state *st = state;

	obs_protocol(ctx, "ftp");
	return textproto_lines(ctx, st, dir, p, len, FTP_LINE_MAX, FTP_ANOM_LINE_TOO_LONG, &st->tls_wait, ftp_line);
}

static void ftp_flow_end(struct dis_ctx *ctx, void *state)
{
	struct ftp_state *st = state;

	if (st->sec == FTP_SEC_PROTECTED)
		return; /* security context set up, no command seen: unknown */
	textproto_flow_end(ctx, st->cmds, st->refused, st->after_refusal, st->tls_wait, st->offered);
}

static const uint16_t ftp_ports[] = { 21, 2121, 0 };

const struct dissector dissector_ftp = {
	.name = "ftp",
	.transport = DIS_TCP,
	.ports = ftp_ports,
	.probe = ftp_probe,
	.state_size = sizeof(struct ftp_state),
	.parse = ftp_parse,
	.flow_end = ftp_flow_end,
	.anomalies = ftp_anomalies,
};
