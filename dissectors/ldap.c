/* SPDX-License-Identifier: BSD-3-Clause */
/* ldap.c — LDAPv3 in clear up to the bind outcome (RFC 4511 §4.1.1
 * LDAPMessage, §4.2 BindRequest, §4.2.2 BindResponse, §4.5.1 SearchRequest,
 * §4.12 ExtendedRequest/Response, §4.14 StartTLS; BER per X.690 via
 * src/ber.c, definite lengths only, RFC 4511 §5.1).
 *
 *   LDAPMessage ::= SEQUENCE { messageID INTEGER, protocolOp CHOICE {
 *       bindRequest [APPLICATION 0] { version, name, authentication CHOICE {
 *           simple [0] OCTET STRING, sasl [3] { mechanism, credentials } } },
 *       bindResponse [APPLICATION 1], searchRequest [APPLICATION 3],
 *       extendedReq [APPLICATION 23] { requestName [0] LDAPOID, ... },
 *       extendedResp [APPLICATION 24] { LDAPResult, responseName [10] ... } },
 *     controls [0] OPTIONAL }
 *
 * Facts: BindRequest simple — bind_type "anonymous" (empty name and
 * password), "unauthenticated" (name, empty password: RFC 4513 §5.1.2), or
 * "simple" with a password in clear (credentials, mechanism "simple", user =
 * the bind DN); SASL — the mechanism (PLAIN credentials in clear -> user and
 * credentials via src/sasl.c; EXTERNAL, GSSAPI, DIGEST-MD5 are not
 * credentials in clear); the bind result code; StartTLS requested
 * (tls_requested) and its resultCode; a SearchRequest in clear
 * (search_in_clear). LDAP offers StartTLS only through the root DSE
 * (supportedExtension), which is not followed: tls_offered stays null.
 *
 * Security: StartTLS resultCode 0 -> starttls, hand-off to "tls" right after
 * that ExtendedResponse; another resultCode then a bind or search in clear ->
 * tls_refused; a bind or search in clear without StartTLS -> cleartext.
 * Done at the first SearchRequest or other operation after the bind, at the
 * hand-off, or after LDAP_MSGS_MAX messages. LDAPS (636) is TLS from byte 0:
 * the tls dissector's.
 *
 * Caps: one LDAPMessage at most LDAP_MSG_MAX bytes while negotiating;
 * nesting at most BER_DEPTH_MAX; indefinite lengths are an anomaly.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "ber.h"
#include "cursor.h"
#include "obs.h"
#include "sasl.h"

#define LDAP_MSG_MAX (1u << 20)
#define LDAP_MSGS_MAX 64
#define LDAP_STARTTLS_OID "1.3.6.1.4.1.1466.20037"

enum {
	LDAP_ANOM_BAD_MESSAGE = 1,
	LDAP_ANOM_INDEFINITE_LENGTH,
	LDAP_ANOM_TOO_DEEP,
	LDAP_ANOM_TOO_LARGE,
	LDAP_ANOM_BAD_BIND,
};

static const struct anomaly_def ldap_anomalies[] = {
	{ LDAP_ANOM_BAD_MESSAGE, "bad_message" },
	{ LDAP_ANOM_INDEFINITE_LENGTH, "indefinite_length" },
	{ LDAP_ANOM_TOO_DEEP, "too_deep" },
	{ LDAP_ANOM_TOO_LARGE, "message_too_large" },
	{ LDAP_ANOM_BAD_BIND, "bad_bind_request" },
	{ 0, NULL },
};

/* protocolOp application tags (RFC 4511 Appendix B) */
enum {
	LDAP_OP_BIND_REQ = 0, LDAP_OP_BIND_RESP = 1, LDAP_OP_UNBIND = 2, LDAP_OP_SEARCH_REQ = 3,
	LDAP_OP_SEARCH_ENTRY = 4, LDAP_OP_SEARCH_DONE = 5, LDAP_OP_SEARCH_REF = 19,
	LDAP_OP_ABANDON = 16, LDAP_OP_EXT_REQ = 23, LDAP_OP_EXT_RESP = 24, LDAP_OP_INTERMEDIATE = 25,
};

struct ldap_state {
	unsigned msgs;
	bool tls_wait, refused, after_refusal, bound;
	int64_t tls_msgid;
	struct sasl_exch sasl;
};

static enum probe_res ldap_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	uint8_t b, lb, il;
	int i;

	/* SEQUENCE, definite length (short or 1..4 long-form octets) */
	if (cur_u8(&c, &b) != 0)
		return PROBE_NEED_MORE;
	if (b != 0x30)
		return PROBE_NOMATCH;
	if (cur_u8(&c, &lb) != 0)
		return PROBE_NEED_MORE;
	/* 0x80 (indefinite) is let through: the dissector reports it */
	if (lb > 0x84)
		return PROBE_NOMATCH;
	if (lb & 0x80)
		for (i = 0; i < (lb & 0x7f); i++)
			if (cur_u8(&c, &b) != 0)
				return PROBE_NEED_MORE;
	/* messageID INTEGER of 1..4 octets */
	if (cur_u8(&c, &b) != 0)
		return PROBE_NEED_MORE;
	if (b != 0x02)
		return PROBE_NOMATCH;
	if (cur_u8(&c, &il) != 0)
		return PROBE_NEED_MORE;
	if (il < 1 || il > 4)
		return PROBE_NOMATCH;
	if (cur_skip(&c, il) != 0)
		return PROBE_NEED_MORE;
	/* protocolOp: APPLICATION class, low tag number 0..25 */
	if (cur_u8(&c, &b) != 0)
		return PROBE_NEED_MORE;
	if ((b & 0xc0) != 0x40 || (b & 0x1f) > 25)
		return PROBE_NOMATCH;
	return PROBE_MATCH;
}

static void ldap_went_on(struct dis_ctx *ctx, struct ldap_state *st)
{
	if (st->refused)
		st->after_refusal = true;
	if (obs_get_security(ctx) != SEC_UNKNOWN)
		return;
	obs_security(ctx, st->refused ? SEC_TLS_REFUSED : SEC_CLEARTEXT);
}

static int ldap_bind_request(struct dis_ctx *ctx, struct ldap_state *st, struct cur op)
{
	struct ber_tlv ver, name, auth;
	int64_t v;

	if (ber_expect(&op, BER_CLASS_UNIVERSAL, false, 2, &ver) != 0 || ber_int(&ver, &v) != 0 ||
	    ber_expect(&op, BER_CLASS_UNIVERSAL, false, 4, &name) != 0 || ber_read(&op, &auth) != 0 ||
	    auth.cls != BER_CLASS_CONTEXT) {
		obs_anomaly(ctx, LDAP_ANOM_BAD_BIND, "structure");
		return -1;
	}
	ldap_went_on(ctx, st);
	obs_detail_int(ctx, "ldap_version", v);
	if (cur_left(&name.val) > 0)
		obs_user(ctx, name.val.p, cur_left(&name.val));
	if (auth.tag == 0 && !auth.constructed) {
		obs_auth_mechanism(ctx, "simple", 6);
		if (cur_left(&auth.val) > 0) {
			obs_detail_str(ctx, "bind_type", "simple", 6);
			obs_credentials(ctx, "simple");
		} else if (cur_left(&name.val) > 0) {
			obs_detail_str(ctx, "bind_type", "unauthenticated", 15);
		} else {
			obs_detail_str(ctx, "bind_type", "anonymous", 9);
		}
		return 0;
	}
	if (auth.tag == 3 && auth.constructed) {
		struct ber_tlv mech, cred;
		struct cur sc = auth.val;
		if (ber_expect(&sc, BER_CLASS_UNIVERSAL, false, 4, &mech) != 0) {
			obs_anomaly(ctx, LDAP_ANOM_BAD_BIND, "SASL mechanism");
			return -1;
		}
		obs_detail_str(ctx, "bind_type", "sasl", 4);
		/* a SASL bind continues with the same mechanism: begin once */
		if (!st->sasl.active || cur_left(&mech.val) != strlen(st->sasl.mech) ||
		    strncasecmp((const char *)mech.val.p, st->sasl.mech, strlen(st->sasl.mech)) != 0)
			sasl_begin(&st->sasl, ctx, (const char *)mech.val.p, cur_left(&mech.val));
		if (ber_expect(&sc, BER_CLASS_UNIVERSAL, false, 4, &cred) == 0 &&
		    sasl_response_raw(&st->sasl, ctx, cred.val.p, cur_left(&cred.val)) != 0)
			obs_anomaly(ctx, LDAP_ANOM_BAD_BIND, "%s credentials", st->sasl.mech);
		return 0;
	}
	obs_anomaly(ctx, LDAP_ANOM_BAD_BIND, "authentication choice [%u]", auth.tag);
	return -1;
}

/* LDAPResult's resultCode (the first element of the op). */
static int ldap_result_code(struct cur op, int64_t *code)
{
	struct ber_tlv rc;
	if (ber_expect(&op, BER_CLASS_UNIVERSAL, false, 10, &rc) != 0)
		return CUR_INVALID;
	return ber_int(&rc, code);
}

/* One whole LDAPMessage. Returns 1 done, 2 hand-off, -1 error, 0 go on. */
static int ldap_message(struct dis_ctx *ctx, struct ldap_state *st, enum dir dir, struct cur m)
{
	struct ber_tlv id, op;
	int64_t msgid, code;

	if (ber_expect(&m, BER_CLASS_UNIVERSAL, false, 2, &id) != 0 || ber_int(&id, &msgid) != 0 ||
	    ber_read(&m, &op) != 0 || op.cls != BER_CLASS_APPLICATION) {
		obs_anomaly(ctx, LDAP_ANOM_BAD_MESSAGE, "LDAPMessage structure");
		return -1;
	}
	if (++st->msgs > LDAP_MSGS_MAX)
		return 1;
	if (st->msgs == 1) {
		obs_tls_requested(ctx, false);
	}
	if (dir == DIR_C2S) {
		switch (op.tag) {
		case LDAP_OP_BIND_REQ:
			return ldap_bind_request(ctx, st, op.val) < 0 ? -1 : 0;
		case LDAP_OP_EXT_REQ: {
			struct ber_tlv name;
			struct cur v = op.val;
			if (ber_expect(&v, BER_CLASS_CONTEXT, false, 0, &name) != 0) {
				obs_anomaly(ctx, LDAP_ANOM_BAD_MESSAGE, "ExtendedRequest without requestName");
				return -1;
			}
			obs_detail_list_str(ctx, "extended_requests", name.val.p, cur_left(&name.val));
			if (cur_left(&name.val) == strlen(LDAP_STARTTLS_OID) &&
			    memcmp(name.val.p, LDAP_STARTTLS_OID, strlen(LDAP_STARTTLS_OID)) == 0) {
				obs_tls_requested(ctx, true);
				st->tls_wait = true;
				st->tls_msgid = msgid;
			} else {
				ldap_went_on(ctx, st);
			}
			return 0;
		}
		case LDAP_OP_UNBIND:
		case LDAP_OP_ABANDON:
			return 0;
		case LDAP_OP_SEARCH_REQ:
			ldap_went_on(ctx, st);
			obs_detail_bool(ctx, "search_in_clear", true);
			return 1;
		default:
			ldap_went_on(ctx, st);
			obs_detail_int(ctx, "operation", op.tag);
			return 1;
		}
	}
	switch (op.tag) {
	case LDAP_OP_BIND_RESP:
		if (ldap_result_code(op.val, &code) != 0) {
			obs_anomaly(ctx, LDAP_ANOM_BAD_MESSAGE, "BindResponse");
			return -1;
		}
		obs_detail_int(ctx, "bind_result", code);
		return 0;
	case LDAP_OP_EXT_RESP:
		if (ldap_result_code(op.val, &code) != 0) {
			obs_anomaly(ctx, LDAP_ANOM_BAD_MESSAGE, "ExtendedResponse");
			return -1;
		}
		if (st->tls_wait && msgid == st->tls_msgid) {
			st->tls_wait = false;
			obs_detail_int(ctx, "starttls_result", code);
			if (code == 0) {
				obs_security(ctx, SEC_STARTTLS);
				return 2;
			}
			st->refused = true; /* RFC 4511 §4.14.2: e.g. protocolError, unavailable */
		}
		return 0;
	default:
		return 0;
	}
}

static struct dis_result ldap_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				    const uint8_t *p, size_t len)
{
	struct ldap_state *st = state;
	struct cur c = cur_make(p, len);

	obs_protocol(ctx, "ldap");
	for (;;) {
		size_t before = cur_off(&c, p), total;
		struct ber_tlv msg;
		int r;

		if (dir == DIR_C2S && st->tls_wait)
			return dis_ok(before); /* TLS follows StartTLS: wait for the response */
		if (cur_left(&c) == 0)
			return dis_ok(before);
		r = ber_peek_header(&c, &msg, &total);
		if (r == CUR_TRUNC)
			return dis_incomplete(before, len - before + 1);
		if (r == 0 && (msg.cls != BER_CLASS_UNIVERSAL || !msg.constructed || msg.tag != 16))
			r = CUR_INVALID;
		if (r == 0 && total > LDAP_MSG_MAX) {
			obs_anomaly(ctx, LDAP_ANOM_TOO_LARGE, "%zu bytes", total);
			return dis_error(before);
		}
		if (r == 0 && total > cur_left(&c))
			return dis_incomplete(before, total);
		if (r == 0)
			r = ber_read(&c, &msg);
		if (r == 0)
			r = ber_validate(msg.val.p, cur_left(&msg.val), BER_DEPTH_MAX);
		if (r != 0) {
			if (r == BER_INDEFINITE)
				obs_anomaly(ctx, LDAP_ANOM_INDEFINITE_LENGTH, NULL);
			else if (r == BER_TOO_DEEP)
				obs_anomaly(ctx, LDAP_ANOM_TOO_DEEP, "over %d levels", BER_DEPTH_MAX);
			else
				obs_anomaly(ctx, LDAP_ANOM_BAD_MESSAGE, "BER error %d", r);
			return dis_error(before);
		}
		r = ldap_message(ctx, st, dir, msg.val);
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

static void ldap_flow_end(struct dis_ctx *ctx, void *state)
{
	struct ldap_state *st = state;
	if (obs_get_security(ctx) != SEC_UNKNOWN || st->msgs == 0 || st->tls_wait || st->refused)
		return;
	obs_security(ctx, SEC_CLEARTEXT);
}

static const uint16_t ldap_ports[] = { 389, 3268, 0 };

const struct dissector dissector_ldap = {
	.name = "ldap",
	.transport = DIS_TCP,
	.ports = ldap_ports,
	.probe = ldap_probe,
	.state_size = sizeof(struct ldap_state),
	.parse = ldap_parse,
	.flow_end = ldap_flow_end,
	.anomalies = ldap_anomalies,
};
