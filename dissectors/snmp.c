/* SPDX-License-Identifier: BSD-3-Clause */
/* snmp.c — SNMP over UDP: v1 (RFC 1157 §4), v2c (RFC 1901 §3, PDUs of
 * RFC 3416 §3) and v3 (RFC 3412 §6 message, RFC 3414 §2.4 USM security
 * parameters); BER per X.690 through src/dissect/ber.c.
 *
 *   v1/v2c Message ::= SEQUENCE { version INTEGER (0 = v1, 1 = v2c),
 *                                 community OCTET STRING, data PDUs }
 *   v3 SNMPv3Message ::= SEQUENCE { msgVersion INTEGER (3),
 *        msgGlobalData SEQUENCE { msgID, msgMaxSize INTEGER,
 *                                 msgFlags OCTET STRING (SIZE 1),
 *                                 msgSecurityModel INTEGER (3 = USM) },
 *        msgSecurityParameters OCTET STRING, -- USM: a BER SEQUENCE {
 *            engineID, engineBoots, engineTime, msgUserName OCTET STRING,
 *            authenticationParameters, privacyParameters }
 *        msgData CHOICE { plaintext ScopedPDU SEQUENCE { contextEngineID,
 *                           contextName, data PDUs },
 *                         encryptedPDU OCTET STRING } }
 *   PDUs: context-specific constructed tags [0] get, [1] getnext,
 *   [2] response, [3] set, [4] trap (v1 Trap-PDU), [5] getbulk,
 *   [6] inform, [7] trapv2 (SNMPv2-Trap-PDU), [8] report.
 *   msgFlags (RFC 3412 §6.4): 0x01 auth, 0x02 priv, 0x04 reportable.
 *
 * Facts (cleartext.details, emitted at flow_end in one fixed order):
 * snmp_version ("1", "2c", "3"), snmp_messages, snmp_pdu_types (distinct,
 * in order of first appearance; an encrypted v3 PDU is not readable and
 * adds none), snmp_community_present and snmp_community_length (the
 * longest seen) — never the community itself: it is a shared secret
 * (RFC 3410 §5 calls the v1/v2c community-based scheme insecure) —; for
 * v3 snmp_security_model, snmp_security_level (noAuthNoPriv, authNoPriv,
 * authPriv: the weakest among messages that carry a user name; RFC 3414
 * §4 discovery messages have an empty user name and are not counted),
 * snmp_discovery_only when only those were seen, and the USM user name
 * (obs_user; a name is not a secret).
 *
 * Credentials: a non-empty community is a secret sent in clear:
 * obs_credentials("community"). USM authentication is an HMAC over the
 * message (RFC 3414 §6/§7): mechanism "usm", not credentials.
 * Security: v1/v2c `cleartext`; v3 `app_encrypted` when the weakest
 * user-named level is authPriv and an encryptedPDU was on the wire,
 * `cleartext` for noAuthNoPriv/authNoPriv, `unknown` for discovery only.
 *
 * Selection: by content on any UDP port (161/162 are hints): SEQUENCE,
 * INTEGER version 0, 1 or 3, then an OCTET STRING (community) or a
 * SEQUENCE (v3 header). Done after SNMP_MSGS_MAX messages.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "ber.h"
#include "cursor.h"
#include "obs.h"

#define SNMP_MSGS_MAX 64
#define SNMP_USER_MAX 32 /* RFC 3414 §2.4: msgUserName SIZE(0..32) */

enum {
	SNMP_ANOM_BAD_MESSAGE = 1,
	SNMP_ANOM_INDEFINITE_LENGTH,
	SNMP_ANOM_BAD_VERSION,
	SNMP_ANOM_VERSION_CHANGED,
	SNMP_ANOM_BAD_V3_HEADER,
	SNMP_ANOM_BAD_USM,
	SNMP_ANOM_UNKNOWN_PDU,
	SNMP_ANOM_TRAILING_BYTES,
};

static const struct anomaly_def snmp_anomalies[] = {
	{ SNMP_ANOM_BAD_MESSAGE, "bad_message" },
	{ SNMP_ANOM_INDEFINITE_LENGTH, "indefinite_length" },
	{ SNMP_ANOM_BAD_VERSION, "bad_version" },
	{ SNMP_ANOM_VERSION_CHANGED, "version_changed" },
	{ SNMP_ANOM_BAD_V3_HEADER, "bad_v3_header" },
	{ SNMP_ANOM_BAD_USM, "bad_usm_parameters" },
	{ SNMP_ANOM_UNKNOWN_PDU, "unknown_pdu" },
	{ SNMP_ANOM_TRAILING_BYTES, "trailing_bytes" },
	{ 0, NULL },
};

static const char *const snmp_pdu_names[] = {
	"get", "getnext", "response", "set", "trap", "getbulk", "inform", "trapv2", "report",
};
#define SNMP_PDU_N (sizeof(snmp_pdu_names) / sizeof(snmp_pdu_names[0]))

#define SNMP_FLAG_AUTH 0x01
#define SNMP_FLAG_PRIV 0x02
#define SNMP_USM 3

/* msgVersion 0, 1, 3 as the export names them (2 is not read) */
static const char *const snmp_version_names[] = { "1", "2c", "?", "3" };

/* USM levels, weakest first (RFC 3411 §3.4.3 securityLevel) */
static const char *const snmp_level_names[] = { "noAuthNoPriv", "authNoPriv", "authPriv" };

struct snmp_state {
	int version;            /* -1 until the first message: 0, 1, 3 */
	unsigned messages;
	uint16_t pdu_order[SNMP_PDU_N];
	unsigned npdus;
	uint16_t pdu_seen;      /* bitmap over snmp_pdu_names */
	bool community;
	size_t community_len;
	int64_t model;          /* v3 msgSecurityModel of the first message */
	bool have_model;
	int level;              /* weakest user-named level, -1: none */
	bool discovery;         /* a v3 message with an empty user name */
	bool encrypted_pdu;     /* an encryptedPDU was on the wire */
	char user[SNMP_USER_MAX];
	size_t ulen;
	bool have_user;
};

static enum probe_res snmp_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	uint8_t b, lb, v;
	int i;

	(void)dir;
	if (cur_u8(&c, &b) != 0)
		return PROBE_NEED_MORE;
	if (b != 0x30)
		return PROBE_NOMATCH;
	if (cur_u8(&c, &lb) != 0)
		return PROBE_NEED_MORE;
	/* 0x80 (indefinite) is let through: parse() reports it */
	if (lb > 0x84)
		return PROBE_NOMATCH;
	if (lb & 0x80)
		for (i = 0; i < (lb & 0x7f); i++)
			if (cur_u8(&c, &b) != 0)
				return PROBE_NEED_MORE;
	/* version INTEGER of one octet: 0, 1 or 3 */
	if (cur_u8(&c, &b) != 0)
		return PROBE_NEED_MORE;
	if (b != 0x02)
		return PROBE_NOMATCH;
	if (cur_u8(&c, &b) != 0)
		return PROBE_NEED_MORE;
	if (b != 1)
		return PROBE_NOMATCH;
	if (cur_u8(&c, &v) != 0)
		return PROBE_NEED_MORE;
	if (v != 0 && v != 1 && v != 3)
		return PROBE_NOMATCH;
	if (cur_u8(&c, &b) != 0)
		return PROBE_NEED_MORE;
	if (v == 3 ? b != 0x30 : b != 0x04)
		return PROBE_NOMATCH;
	return PROBE_MATCH;
}

/* Reads one TLV; a BER error becomes the matching anomaly. 0 or -1. */
static int snmp_tlv(struct dis_ctx *ctx, struct cur *c, struct ber_tlv *t, const char *what)
{
	int r = ber_read(c, t);
	if (r == 0)
		return 0;
	if (r == BER_INDEFINITE)
		obs_anomaly(ctx, SNMP_ANOM_INDEFINITE_LENGTH, "%s", what);
	else
		obs_anomaly(ctx, SNMP_ANOM_BAD_MESSAGE, "%s: %s", what,
			    r == CUR_TRUNC ? "runs past its parent" : "malformed TLV");
	return -1;
}

static int snmp_pdu(struct dis_ctx *ctx, struct snmp_state *st, struct cur *c)
{
	struct ber_tlv pdu;

	if (snmp_tlv(ctx, c, &pdu, "PDU") != 0)
		return -1;
	if (pdu.cls != BER_CLASS_CONTEXT || !pdu.constructed || pdu.tag >= SNMP_PDU_N) {
		obs_anomaly(ctx, SNMP_ANOM_UNKNOWN_PDU, "class %u tag %u", pdu.cls, (unsigned)pdu.tag);
		return -1;
	}
	if (!(st->pdu_seen & (1u << pdu.tag))) {
		st->pdu_seen |= (uint16_t)(1u << pdu.tag);
		st->pdu_order[st->npdus++] = (uint16_t)pdu.tag;
	}
	return 0;
}

/* USM parameters (RFC 3414 §2.4): only the user name is kept. */
static int snmp_usm(struct dis_ctx *ctx, struct snmp_state *st, struct cur params, size_t *ulen)
{
	struct ber_tlv seq, eid, boots, etime, user;

	if (ber_expect(&params, BER_CLASS_UNIVERSAL, true, 16, &seq) != 0 ||
	    ber_expect(&seq.val, BER_CLASS_UNIVERSAL, false, 4, &eid) != 0 ||
	    ber_expect(&seq.val, BER_CLASS_UNIVERSAL, false, 2, &boots) != 0 ||
	    ber_expect(&seq.val, BER_CLASS_UNIVERSAL, false, 2, &etime) != 0 ||
	    ber_expect(&seq.val, BER_CLASS_UNIVERSAL, false, 4, &user) != 0) {
		obs_anomaly(ctx, SNMP_ANOM_BAD_USM, "structure");
		return -1;
	}
	*ulen = cur_left(&user.val);
	if (*ulen > SNMP_USER_MAX) {
		obs_anomaly(ctx, SNMP_ANOM_BAD_USM, "msgUserName of %zu bytes (RFC 3414: at most %d)",
			    *ulen, SNMP_USER_MAX);
		return -1;
	}
	if (*ulen > 0 && !st->have_user) {
		st->have_user = true;
		st->ulen = *ulen;
		memcpy(st->user, user.val.p, *ulen);
	}
	return 0;
}

static int snmp_v3(struct dis_ctx *ctx, struct snmp_state *st, struct cur *msg)
{
	struct ber_tlv hdr, id, maxsz, flags, model, sp, data;
	int64_t m;
	uint8_t f;
	size_t ulen = 0;
	int level;

	if (ber_expect(msg, BER_CLASS_UNIVERSAL, true, 16, &hdr) != 0 ||
	    ber_expect(&hdr.val, BER_CLASS_UNIVERSAL, false, 2, &id) != 0 ||
	    ber_expect(&hdr.val, BER_CLASS_UNIVERSAL, false, 2, &maxsz) != 0 ||
	    ber_expect(&hdr.val, BER_CLASS_UNIVERSAL, false, 4, &flags) != 0 ||
	    ber_expect(&hdr.val, BER_CLASS_UNIVERSAL, false, 2, &model) != 0 ||
	    cur_left(&flags.val) != 1 || ber_int(&model, &m) != 0 ||
	    ber_expect(msg, BER_CLASS_UNIVERSAL, false, 4, &sp) != 0) {
		obs_anomaly(ctx, SNMP_ANOM_BAD_V3_HEADER, "msgGlobalData or msgSecurityParameters");
		return -1;
	}
	(void)cur_u8(&flags.val, &f);
	if ((f & (SNMP_FLAG_AUTH | SNMP_FLAG_PRIV)) == SNMP_FLAG_PRIV) {
		/* RFC 3412 §7.2 (5)(d): privacy without authentication is invalid */
		obs_anomaly(ctx, SNMP_ANOM_BAD_V3_HEADER, "msgFlags 0x%02x: priv without auth", f);
		return -1;
	}
	level = (f & SNMP_FLAG_PRIV) ? 2 : (f & SNMP_FLAG_AUTH) ? 1 : 0;
	if (!st->have_model) {
		st->have_model = true;
		st->model = m;
	}
	if (m == SNMP_USM && snmp_usm(ctx, st, sp.val, &ulen) != 0)
		return -1;
	if (m == SNMP_USM && ulen == 0) {
		st->discovery = true;
	} else if (st->level < 0 || level < st->level) {
		st->level = level;
	}
	if (snmp_tlv(ctx, msg, &data, "msgData") != 0)
		return -1;
	if (data.cls == BER_CLASS_UNIVERSAL && !data.constructed && data.tag == 4) {
		st->encrypted_pdu = true; /* encryptedPDU: nothing more readable */
		return 0;
	}
	if (data.cls == BER_CLASS_UNIVERSAL && data.constructed && data.tag == 16) {
		struct ber_tlv ceid, cname;
		if (ber_expect(&data.val, BER_CLASS_UNIVERSAL, false, 4, &ceid) != 0 ||
		    ber_expect(&data.val, BER_CLASS_UNIVERSAL, false, 4, &cname) != 0) {
			obs_anomaly(ctx, SNMP_ANOM_BAD_MESSAGE, "ScopedPDU");
			return -1;
		}
		return snmp_pdu(ctx, st, &data.val);
	}
	obs_anomaly(ctx, SNMP_ANOM_BAD_MESSAGE, "msgData is neither ScopedPDU nor encryptedPDU");
	return -1;
}

static struct dis_result snmp_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				    const uint8_t *p, size_t len)
{
	struct snmp_state *st = state;
	struct cur c = cur_make(p, len), msg;
	struct ber_tlv outer, ver;
	int64_t v;

	(void)dir;
	if (st->messages == 0) {
		st->version = -1;
		st->level = -1;
	}
	obs_protocol(ctx, "snmp");
	if (snmp_tlv(ctx, &c, &outer, "message") != 0)
		return dis_error(len);
	if (outer.cls != BER_CLASS_UNIVERSAL || !outer.constructed || outer.tag != 16) {
		obs_anomaly(ctx, SNMP_ANOM_BAD_MESSAGE, "not a SEQUENCE");
		return dis_error(len);
	}
	if (cur_left(&c) > 0) {
		obs_anomaly(ctx, SNMP_ANOM_TRAILING_BYTES, "%zu bytes after the message", cur_left(&c));
		return dis_error(len);
	}
	msg = outer.val;
	if (ber_expect(&msg, BER_CLASS_UNIVERSAL, false, 2, &ver) != 0 || ber_int(&ver, &v) != 0 ||
	    (v != 0 && v != 1 && v != 3)) {
		obs_anomaly(ctx, SNMP_ANOM_BAD_VERSION, "version field");
		return dis_error(len);
	}
	if (st->version >= 0 && st->version != (int)v) {
		obs_anomaly(ctx, SNMP_ANOM_VERSION_CHANGED, "%s then %s", snmp_version_names[st->version],
			    snmp_version_names[v]);
		return dis_error(len);
	}
	st->version = (int)v;
	st->messages++;
	if (v == 3) {
		if (snmp_v3(ctx, st, &msg) != 0)
			return dis_error(len);
	} else {
		struct ber_tlv comm;
		if (ber_expect(&msg, BER_CLASS_UNIVERSAL, false, 4, &comm) != 0) {
			obs_anomaly(ctx, SNMP_ANOM_BAD_MESSAGE, "community");
			return dis_error(len);
		}
		/* only the fact and the length: the community is a secret */
		st->community = true;
		if (cur_left(&comm.val) > st->community_len)
			st->community_len = cur_left(&comm.val);
		if (snmp_pdu(ctx, st, &msg) != 0)
			return dis_error(len);
	}
	return st->messages >= SNMP_MSGS_MAX ? dis_done(len) : dis_ok(len);
}

static void snmp_flow_end(struct dis_ctx *ctx, void *state)
{
	struct snmp_state *st = state;
	unsigned i;

	if (st->messages == 0)
		return;
	obs_detail_str(ctx, "snmp_version", snmp_version_names[st->version], strlen(snmp_version_names[st->version]));
	obs_detail_int(ctx, "snmp_messages", st->messages);
	for (i = 0; i < st->npdus; i++) {
		const char *n = snmp_pdu_names[st->pdu_order[i]];
		obs_detail_list_str(ctx, "snmp_pdu_types", n, strlen(n));
	}
	if (st->version != 3) {
		obs_detail_bool(ctx, "snmp_community_present", st->community);
		obs_detail_int(ctx, "snmp_community_length", (int64_t)st->community_len);
		if (st->community_len > 0) {
			obs_credentials(ctx, "community");
			obs_auth_mechanism(ctx, "community", 9);
		}
		obs_security(ctx, SEC_CLEARTEXT);
		return;
	}
	obs_detail_bool(ctx, "snmp_community_present", false);
	if (st->have_model)
		obs_detail_int(ctx, "snmp_security_model", st->model);
	if (st->level >= 0) {
		const char *l = snmp_level_names[st->level];
		obs_detail_str(ctx, "snmp_security_level", l, strlen(l));
	} else if (st->discovery) {
		obs_detail_bool(ctx, "snmp_discovery_only", true);
	}
	if (st->have_model && st->model == SNMP_USM)
		obs_auth_mechanism(ctx, "usm", 3);
	if (st->have_user)
		obs_user(ctx, st->user, st->ulen);
	if (st->level == 2 && st->encrypted_pdu)
		obs_security(ctx, SEC_APP_ENCRYPTED);
	else if (st->level >= 0)
		obs_security(ctx, SEC_CLEARTEXT);
	else
		obs_security(ctx, SEC_UNKNOWN);
}

static const uint16_t snmp_ports[] = { 161, 162, 0 };

const struct dissector dissector_snmp = {
	.name = "snmp",
	.transport = DIS_UDP,
	.ports = snmp_ports,
	.probe = snmp_probe,
	.state_size = sizeof(struct snmp_state),
	.parse = snmp_parse,
	.flow_end = snmp_flow_end,
	.anomalies = snmp_anomalies,
};
