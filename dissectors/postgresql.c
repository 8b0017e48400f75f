/* SPDX-License-Identifier: BSD-3-Clause */
/* postgresql.c — PostgreSQL frontend/backend protocol v3 up to the end of
 * authentication (PostgreSQL 16 docs, ch. 55 "Frontend/Backend Protocol":
 * §55.2.1 Start-up, §55.2.10 SSL Session Encryption, §55.2.11 GSSAPI Session
 * Encryption, §55.3 SASL Authentication, §55.7 Message Formats).
 *
 * The first client message has no type byte:
 *
 *   +--------+--------+------------------------------------+
 *   | int32  | int32  | payload                            |
 *   | length | code   | (StartupMessage: name\0value\0...\0)|
 *   +--------+--------+------------------------------------+
 *   code 196608 (3.0) StartupMessage, 80877103 SSLRequest,
 *        80877104 GSSENCRequest, 80877102 CancelRequest
 *
 * The server answers SSLRequest/GSSENCRequest with one byte: 'S' (go on with
 * TLS: hand-off to "tls" right after that byte), 'G' (GSSAPI encryption),
 * 'N' (refused; libpq with sslmode=prefer then sends its StartupMessage in
 * clear on the same connection: tls_refused). Every later message is
 *
 *   +------+--------+----------------+
 *   | type | int32  | body           |
 *   | byte | length | (length - 4)   |
 *   +------+--------+----------------+
 *
 * Facts: user, database, application_name (StartupMessage), the server's
 * authentication request (ok/trust, cleartext password, MD5, SASL with the
 * offered mechanisms, GSS, SSPI), the SASL mechanism chosen, whether a
 * password crossed in clear (PasswordMessage after cleartext -> "password";
 * after MD5 -> "md5": the MD5 response is a password-equivalent hash sent in
 * clear, replayable against the same salt and crackable offline, so it counts
 * as credentials; SCRAM never does), the auth outcome (ok, or an
 * ErrorResponse's severity and SQLSTATE — never its message text) and the
 * server_version ParameterStatus. Done at ReadyForQuery after
 * AuthenticationOk, at an ErrorResponse during start-up, or at the TLS
 * hand-off. PostgreSQL 17 direct TLS (sslnegotiation=direct) starts with a
 * TLS record: that flow is the tls dissector's.
 *
 * Decisions: 'N' followed by a client close (sslmode=require against a server
 * without TLS) is `unknown` with ssl_response "N" (nothing went on in clear);
 * 'G' is GSSAPI encryption, not TLS, but an encrypted upgrade all the same
 * (ASVS 12.3.1: "an encrypted protocol such as TLS"): `starttls` with
 * encryption "gssapi" and no tls object (the rest is opaque); 'N' to a
 * GSSENCRequest followed by a session in clear (libpq gssencmode=prefer, the
 * default when the client holds Kerberos credentials, against a server or
 * pooler without GSSAPI encryption) is a refused request for encryption:
 * `tls_refused` with gssenc_response "N", like 'N' to an SSLRequest.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"

#define PG_CODE_V3 196608u
#define PG_CODE_SSL 80877103u
#define PG_CODE_GSSENC 80877104u
#define PG_CODE_CANCEL 80877102u

#define PG_STARTUP_MAX 10000u   /* the server's own MAX_STARTUP_PACKET_LENGTH */
#define PG_MSG_MAX (1u << 20)   /* start-up/auth messages are small */
#define PG_PARAMS_MAX 64
#define PG_STR_MAX 1024

enum {
	PG_ANOM_BAD_LENGTH = 1,
	PG_ANOM_BAD_STARTUP,
	PG_ANOM_BAD_SSL_RESPONSE,
	PG_ANOM_BAD_AUTH,
	PG_ANOM_BAD_MESSAGE,
	PG_ANOM_UNEXPECTED,
	PG_ANOM_TOO_MANY_PARAMS,
};

static const struct anomaly_def pg_anomalies[] = {
	{ PG_ANOM_BAD_LENGTH, "bad_length" },
	{ PG_ANOM_BAD_STARTUP, "bad_startup" },
	{ PG_ANOM_BAD_SSL_RESPONSE, "bad_ssl_response" },
	{ PG_ANOM_BAD_AUTH, "bad_auth_request" },
	{ PG_ANOM_BAD_MESSAGE, "bad_message" },
	{ PG_ANOM_UNEXPECTED, "unexpected_message" },
	{ PG_ANOM_TOO_MANY_PARAMS, "too_many_params" },
	{ 0, NULL },
};

enum pg_phase {
	PG_INIT = 0,      /* waiting for the first untyped client message */
	PG_WAIT_SSL,      /* SSLRequest sent, waiting for 'S'/'N' */
	PG_WAIT_GSS,      /* GSSENCRequest sent, waiting for 'G'/'N' */
	PG_STARTUP,       /* StartupMessage sent: typed messages both ways */
	PG_AUTHED,        /* AuthenticationOk seen: wait for ReadyForQuery */
};

/* Authentication request codes (§55.7 AuthenticationXXX). */
enum {
	PG_AUTH_OK = 0, PG_AUTH_KRB5 = 2, PG_AUTH_CLEAR = 3, PG_AUTH_MD5 = 5,
	PG_AUTH_GSS = 7, PG_AUTH_GSS_CONT = 8, PG_AUTH_SSPI = 9,
	PG_AUTH_SASL = 10, PG_AUTH_SASL_CONT = 11, PG_AUTH_SASL_FINAL = 12,
};

struct pg_state {
	enum pg_phase phase;
	int auth_req;          /* last authentication request (3, 5, 10...), 0 none */
	bool ssl_refused;      /* 'N' to SSLRequest */
	bool gss_refused;      /* 'N' to GSSENCRequest */
	bool auth_seen;        /* any authentication request */
	bool password_sent;
	bool sasl_sent;        /* SASLInitialResponse seen */
};

static enum probe_res pg_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	uint32_t mlen, code;

	if (dir != DIR_C2S)
		return PROBE_NOMATCH; /* the server never speaks first */
	if (cur_be32(&c, &mlen) != 0 || cur_be32(&c, &code) != 0)
		return len >= 4 && (p[0] != 0 || p[1] > 0x27) ? PROBE_NOMATCH : PROBE_NEED_MORE;
	if (mlen < 8)
		return PROBE_NOMATCH;
	/* protocol 3.0 with an absurd length (up to 2^32-1): still a
	 * StartupMessage, so that parse() records bad_length */
	if (mlen > PG_STARTUP_MAX)
		return code == 0x00030000u ? PROBE_MATCH : PROBE_NOMATCH;
	if ((code == PG_CODE_SSL || code == PG_CODE_GSSENC) && mlen == 8)
		return PROBE_MATCH;
	if (code == PG_CODE_CANCEL && mlen == 16)
		return PROBE_MATCH;
	if (code >> 16 == 3 && mlen >= 9) {
		/* StartupMessage: the body is name\0value\0 pairs; its first
		 * byte is a parameter name letter or the final NUL */
		uint8_t b;
		if (cur_u8(&c, &b) != 0)
			return PROBE_NEED_MORE;
		return (b == 0 || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_') ?
			PROBE_MATCH : PROBE_NOMATCH;
	}
	return PROBE_NOMATCH;
}

/* The security state once the session goes on in clear. */
static void pg_set_clear(struct dis_ctx *ctx, const struct pg_state *st)
{
	/* a refused GSSENCRequest is a refused request for encryption too */
	obs_security(ctx, st->ssl_refused || st->gss_refused ? SEC_TLS_REFUSED : SEC_CLEARTEXT);
}

/* StartupMessage parameters (after the 8-byte header). */
static int pg_parse_startup(struct dis_ctx *ctx, struct cur *body, uint32_t code)
{
	int n = 0;
	char ver[16];

	snprintf(ver, sizeof(ver), "%u.%u", code >> 16, code & 0xffff);
	obs_detail_str(ctx, "protocol_version", ver, strlen(ver));
	for (;;) {
		const char *k, *v;
		size_t kl, vl;
		if (cur_cstr(body, PG_STR_MAX, &k, &kl) != 0) {
			obs_anomaly(ctx, PG_ANOM_BAD_STARTUP, "parameter name");
			return -1;
		}
		if (kl == 0)
			break;
		if (cur_cstr(body, PG_STR_MAX, &v, &vl) != 0) {
			obs_anomaly(ctx, PG_ANOM_BAD_STARTUP, "parameter value");
			return -1;
		}
		if (++n > PG_PARAMS_MAX) {
			obs_anomaly(ctx, PG_ANOM_TOO_MANY_PARAMS, NULL);
			return -1;
		}
		if (kl == 4 && memcmp(k, "user", 4) == 0)
			obs_user(ctx, v, vl);
		else if (kl == 8 && memcmp(k, "database", 8) == 0)
			obs_detail_str(ctx, "database", v, vl);
		else if (kl == 16 && memcmp(k, "application_name", 16) == 0)
			obs_detail_str(ctx, "application_name", v, vl);
		else if (kl == 11 && memcmp(k, "replication", 11) == 0)
			obs_detail_str(ctx, "replication", v, vl);
	}
	return 0;
}

/* First (untyped) client message at c. Returns bytes consumed, 0 when
 * incomplete (*need set), -1 on error, and sets *done for CancelRequest. */
static long pg_parse_initial(struct dis_ctx *ctx, struct pg_state *st, struct cur *c,
			     size_t *need, bool *done)
{
	const uint8_t *start = c->p;
	uint32_t mlen, code;
	struct cur body;

	if (cur_be32(c, &mlen) != 0 || cur_be32(c, &code) != 0) {
		*need = 8;
		return 0;
	}
	if (mlen < 8 || mlen > PG_STARTUP_MAX) {
		obs_anomaly(ctx, PG_ANOM_BAD_LENGTH, "initial message length %u", mlen);
		return -1;
	}
	if (cur_sub(c, mlen - 8, &body) != 0) {
		*need = mlen;
		return 0;
	}
	if (code == PG_CODE_SSL || code == PG_CODE_GSSENC) {
		if (mlen != 8) {
			obs_anomaly(ctx, PG_ANOM_BAD_LENGTH, "SSL/GSSENC request length %u", mlen);
			return -1;
		}
		if (code == PG_CODE_SSL) {
			obs_tls_requested(ctx, true);
			st->phase = PG_WAIT_SSL;
		} else {
			obs_detail_bool(ctx, "gssenc_requested", true);
			st->phase = PG_WAIT_GSS;
		}
	} else if (code == PG_CODE_CANCEL) {
		/* process id and secret key: the key is a secret, not kept */
		obs_detail_str(ctx, "request", "cancel", 6);
		pg_set_clear(ctx, st);
		*done = true;
	} else if (code >> 16 == 3) {
		if (pg_parse_startup(ctx, &body, code) != 0)
			return -1;
		st->phase = PG_STARTUP;
		pg_set_clear(ctx, st);
		if (!st->ssl_refused)
			obs_tls_requested(ctx, false);
	} else {
		obs_anomaly(ctx, PG_ANOM_BAD_STARTUP, "request code %u", code);
		return -1;
	}
	return (long)(c->p - start);
}

static const char *pg_auth_name(int t)
{
	switch (t) {
	case PG_AUTH_OK: return "trust";
	case PG_AUTH_KRB5: return "kerberos_v5";
	case PG_AUTH_CLEAR: return "password";
	case PG_AUTH_MD5: return "md5";
	case PG_AUTH_GSS: return "gss";
	case PG_AUTH_SSPI: return "sspi";
	case PG_AUTH_SASL: return "sasl";
	default: return NULL;
	}
}

/* One typed client message after the StartupMessage. */
static int pg_client_msg(struct dis_ctx *ctx, struct pg_state *st, uint8_t type, struct cur *body)
{
	if (type != 'p')
		return 0; /* Terminate, Query...: nothing to learn before auth */
	if (st->auth_req == PG_AUTH_CLEAR || st->auth_req == PG_AUTH_MD5) {
		/* PasswordMessage: the password (or its MD5) is never read */
		obs_credentials(ctx, st->auth_req == PG_AUTH_CLEAR ? "password" : "md5");
		st->password_sent = true;
	} else if (st->auth_req == PG_AUTH_SASL && !st->sasl_sent) {
		/* SASLInitialResponse (later 'p' messages are SASLResponse): mechanism\0 int32 len, data (not read) */
		const char *m;
		size_t ml;
		if (cur_cstr(body, 64, &m, &ml) != 0) {
			obs_anomaly(ctx, PG_ANOM_BAD_MESSAGE, "SASLInitialResponse mechanism");
			return -1;
		}
		st->sasl_sent = true;
		obs_auth_mechanism(ctx, m, ml);
		if (ml == 5 && memcmp(m, "PLAIN", 5) == 0)
			obs_credentials(ctx, "PLAIN");
	}
	return 0;
}

/* ErrorResponse (§55.8 fields): severity and SQLSTATE only. */
static int pg_error_fields(struct dis_ctx *ctx, struct cur *body)
{
	int n;
	for (n = 0; n < 32; n++) {
		uint8_t f;
		const char *v;
		size_t vl;
		if (cur_u8(body, &f) != 0)
			break;
		if (f == 0)
			return 0;
		if (cur_cstr(body, PG_STR_MAX * 4, &v, &vl) != 0)
			break;
		if (f == 'V' || (f == 'S' && vl > 0))
			obs_detail_str(ctx, "error_severity", v, vl);
		else if (f == 'C')
			obs_detail_str(ctx, "error_sqlstate", v, vl);
	}
	obs_anomaly(ctx, PG_ANOM_BAD_MESSAGE, "ErrorResponse fields");
	return -1;
}

/* One typed server message. Returns 1 when done, 0 to go on, -1 on error. */
static int pg_server_msg(struct dis_ctx *ctx, struct pg_state *st, uint8_t type, struct cur *body)
{
	uint32_t at;

	switch (type) {
	case 'R': {
		const char *name;
		if (cur_be32(body, &at) != 0 || at > 0xffff) {
			obs_anomaly(ctx, PG_ANOM_BAD_AUTH, NULL);
			return -1;
		}
		if (at == PG_AUTH_OK) {
			obs_detail_str(ctx, "auth_result", "ok", 2);
			if (!st->auth_seen)
				obs_auth_mechanism(ctx, "trust", 5);
			st->phase = PG_AUTHED;
			return 0;
		}
		st->auth_seen = true;
		if (at == PG_AUTH_SASL_CONT || at == PG_AUTH_SASL_FINAL || at == PG_AUTH_GSS_CONT)
			return 0; /* continuation of the exchange */
		st->auth_req = (int)at;
		name = pg_auth_name((int)at);
		if (name == NULL) {
			obs_anomaly(ctx, PG_ANOM_BAD_AUTH, "type %u", at);
			return -1;
		}
		obs_auth_mechanism(ctx, name, strlen(name));
		if (at == PG_AUTH_SASL) {
			int n;
			for (n = 0; n < 8; n++) {
				const char *m;
				size_t ml;
				if (cur_cstr(body, 64, &m, &ml) != 0) {
					obs_anomaly(ctx, PG_ANOM_BAD_AUTH, "SASL mechanism list");
					return -1;
				}
				if (ml == 0)
					break;
				obs_detail_list_str(ctx, "sasl_mechanisms", m, ml);
			}
		}
		return 0;
	}
	case 'E':
		if (pg_error_fields(ctx, body) != 0)
			return -1;
		if (st->phase != PG_AUTHED)
			obs_detail_str(ctx, "auth_result", "error", 5);
		return 1;
	case 'S': {
		const char *k, *v;
		size_t kl, vl;
		if (cur_cstr(body, PG_STR_MAX, &k, &kl) != 0 ||
		    cur_cstr(body, PG_STR_MAX, &v, &vl) != 0) {
			obs_anomaly(ctx, PG_ANOM_BAD_MESSAGE, "ParameterStatus");
			return -1;
		}
		if (kl == 14 && memcmp(k, "server_version", 14) == 0)
			obs_detail_str(ctx, "server_version", v, vl);
		return 0;
	}
	case 'v': { /* NegotiateProtocolVersion: newest minor supported */
		uint32_t minor;
		if (cur_be32(body, &minor) == 0)
			obs_detail_int(ctx, "negotiated_minor_version", minor);
		return 0;
	}
	case 'Z':
		return st->phase == PG_AUTHED ? 1 : 0;
	case 'K': case 'N':
		return 0;
	default:
		if (st->phase != PG_AUTHED) {
			obs_anomaly(ctx, PG_ANOM_UNEXPECTED, "server message 0x%02x before auth", type);
			return -1;
		}
		return 0;
	}
}

static struct dis_result pg_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				  const uint8_t *p, size_t len)
{
	struct pg_state *st = state;
	struct cur c = cur_make(p, len);

	obs_protocol(ctx, "postgresql");

	while (cur_left(&c) > 0) {
		size_t off = cur_off(&c, p);

		if (dir == DIR_C2S && st->phase == PG_INIT) {
			size_t need = 0;
			bool done = false;
			long n = pg_parse_initial(ctx, st, &c, &need, &done);
			if (n < 0)
				return dis_error(off);
			if (n == 0)
				return dis_incomplete(off, need);
			if (done)
				return dis_done(cur_off(&c, p));
			continue;
		}
		if (dir == DIR_C2S && (st->phase == PG_WAIT_SSL || st->phase == PG_WAIT_GSS))
			return dis_ok(off); /* wait for the server's answer */
		if (dir == DIR_S2C && (st->phase == PG_WAIT_SSL || st->phase == PG_WAIT_GSS)) {
			uint8_t b;
			bool ssl = st->phase == PG_WAIT_SSL;
			(void)cur_u8(&c, &b);
			if (b == 'S' && ssl) {
				obs_tls_offered(ctx, true);
				obs_security(ctx, SEC_STARTTLS);
				obs_detail_str(ctx, "ssl_response", "S", 1);
				dis_handoff(ctx, "tls");
				return dis_done(cur_off(&c, p));
			}
			if (b == 'G' && !ssl) {
				/* upgraded in band to GSSAPI encryption (§55.2.11):
				 * encrypted, not TLS, so no tls object */
				obs_detail_str(ctx, "gssenc_response", "G", 1);
				obs_detail_str(ctx, "encryption", "gssapi", 6);
				if (!st->ssl_refused)
					obs_tls_requested(ctx, false);
				obs_security(ctx, SEC_STARTTLS);
				return dis_done(cur_off(&c, p));
			}
			if (b == 'N') {
				if (ssl) {
					obs_tls_offered(ctx, false);
					obs_detail_str(ctx, "ssl_response", "N", 1);
					st->ssl_refused = true;
				} else {
					obs_detail_str(ctx, "gssenc_response", "N", 1);
					st->gss_refused = true;
				}
				st->phase = PG_INIT;
				return dis_ok(cur_off(&c, p));
			}
			if (b == 'E') {
				/* pre-7.0 style refusal: an ErrorResponse follows */
				c.p--;
				st->phase = PG_STARTUP;
				continue;
			}
			obs_anomaly(ctx, PG_ANOM_BAD_SSL_RESPONSE, "0x%02x", b);
			return dis_error(off);
		}
		if (dir == DIR_S2C && st->phase == PG_INIT) {
			obs_anomaly(ctx, PG_ANOM_UNEXPECTED, "server spoke before the client");
			return dis_error(off);
		}
		if (dir == DIR_C2S && st->phase == PG_AUTHED)
			return dis_ok(len); /* queries: not parsed */

		/* typed message */
		uint8_t type;
		uint32_t mlen;
		struct cur body;
		int r;
		if (cur_u8(&c, &type) != 0 || cur_be32(&c, &mlen) != 0)
			return dis_incomplete(off, 5);
		if (mlen < 4 || mlen > PG_MSG_MAX) {
			obs_anomaly(ctx, PG_ANOM_BAD_LENGTH, "message 0x%02x length %u", type, mlen);
			return dis_error(off);
		}
		if (cur_sub(&c, mlen - 4, &body) != 0)
			return dis_incomplete(off, (size_t)mlen + 1);
		if (dir == DIR_C2S) {
			if (pg_client_msg(ctx, st, type, &body) != 0)
				return dis_error(off);
			continue;
		}
		r = pg_server_msg(ctx, st, type, &body);
		if (r < 0)
			return dis_error(off);
		if (r > 0)
			return dis_done(cur_off(&c, p));
	}
	return dis_ok(len);
}

static const uint16_t pg_ports[] = { 5432, 5433, 0 };

const struct dissector dissector_postgresql = {
	.name = "postgresql",
	.transport = DIS_TCP,
	.ports = pg_ports,
	.probe = pg_probe,
	.state_size = sizeof(struct pg_state),
	.parse = pg_parse,
	.anomalies = pg_anomalies,
};
