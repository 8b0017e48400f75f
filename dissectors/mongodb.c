/* SPDX-License-Identifier: BSD-3-Clause */
/* mongodb.c — MongoDB wire protocol in clear up to the end of authentication
 * (MongoDB Manual, "MongoDB Wire Protocol": Standard Message Header, OP_MSG,
 * OP_QUERY, OP_REPLY, OP_COMPRESSED; BSON specification 1.1; the
 * authentication commands hello/isMaster, saslStart, saslContinue,
 * authenticate and speculativeAuthenticate; RFC 4616 §2 PLAIN, RFC 5802 §7
 * SCRAM client-first-message).
 *
 *   +---------------+-----------+------------+--------+--------------+
 *   | int32 LE      | int32     | int32      | int32  | body         |
 *   | messageLength | requestID | responseTo | opCode |              |
 *   +---------------+-----------+------------+--------+--------------+
 *   OP_MSG 2013: uint32 flagBits, sections (kind 0: one BSON document,
 *                kind 1: int32 size, cstring id, documents), [crc32c]
 *   OP_QUERY 2004: int32 flags, cstring collection, int32 skip, int32
 *                return, document          OP_REPLY 1: int32 flags, int64
 *                cursor, int32 from, int32 count, documents
 *
 * Facts: the command names seen (first key of each command document; first
 * MONGO_NAMES_MAX), the driver and application of hello's client metadata,
 * the authentication mechanism of saslStart / authenticate / hello's
 * speculativeAuthenticate, the user (from saslSupportedMechs "db.user", the
 * SCRAM client-first-message n=, the PLAIN authcid, or authenticate's user;
 * never a password), credentials in clear for PLAIN (the payload is
 * authzid\0authcid\0password: only the authcid is read), the server's
 * maxWireVersion, version and SASL mechanisms, and the auth outcome (ok, or
 * the error code and codeName; never errmsg).
 *
 * MongoDB has no in-band upgrade (TLS is TLS from the first byte, the tls
 * dissector's), so a flow in clear is cleartext with tls_offered false.
 * Done when authentication has finished, or when the client goes on with an
 * ordinary command once its handshake is answered, or after MONGO_MSGS_MAX
 * messages.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"

#define MONGO_OP_REPLY 1
#define MONGO_OP_QUERY 2004
#define MONGO_OP_COMPRESSED 2012
#define MONGO_OP_MSG 2013

#define MONGO_MSG_LIMIT (48 * 1000 * 1000) /* maxMessageSizeBytes */
#define MONGO_MSG_PARSE 65536   /* larger messages are not handshake ones */
#define MONGO_DEPTH_MAX 16
#define MONGO_ELEMS_MAX 4096
#define MONGO_NAMES_MAX 16
#define MONGO_MSGS_MAX 32
#define MONGO_STR_MAX 256
#define MONGO_COLL_PROBE 128    /* fullCollectionName bytes the probe reads */

enum {
	MONGO_ANOM_BAD_HEADER = 1,
	MONGO_ANOM_BAD_BSON,
	MONGO_ANOM_TOO_DEEP,
	MONGO_ANOM_BAD_MESSAGE,
};

static const struct anomaly_def mongo_anomalies[] = {
	{ MONGO_ANOM_BAD_HEADER, "bad_header" },
	{ MONGO_ANOM_BAD_BSON, "bad_bson" },
	{ MONGO_ANOM_TOO_DEEP, "bson_too_deep" },
	{ MONGO_ANOM_BAD_MESSAGE, "bad_message" },
	{ 0, NULL },
};

struct mongo_state {
	unsigned msgs[2];
	unsigned nnames;
	char names[MONGO_NAMES_MAX][33];
	bool auth_pending;     /* an auth command awaits its reply */
	bool other_cmd;        /* an ordinary command was sent */
	bool plain;            /* PLAIN in progress */
};

/* ---- a minimal bounded BSON reader (bsonspec.org 1.1) ---- */

/* One element: type, key, and a cursor over exactly its value bytes. */
struct bson_el {
	uint8_t type;
	const char *key;
	size_t klen;
	struct cur val;
};

/* Open a document at c: *elems covers its elements (without the final
 * NUL); c moves past it. CUR_INVALID on a bad length or terminator. */
static int bson_open(struct cur *c, struct cur *elems)
{
	struct cur save = *c, d;
	uint32_t n;
	int r;

	if ((r = cur_le32(c, &n)) != 0)
		return r;
	if (n < 5 || n > MONGO_MSG_LIMIT) {
		*c = save;
		return CUR_INVALID;
	}
	if ((r = cur_sub(c, n - 4, &d)) != 0) {
		*c = save;
		return r == CUR_TRUNC ? CUR_INVALID : r; /* documents never span messages */
	}
	if (d.end[-1] != 0) {
		*c = save;
		return CUR_INVALID;
	}
	d.end--;
	*elems = d;
	return CUR_OK;
}

/* Size of a value of type t at v (not consumed), or -1. */
static long bson_value_size(uint8_t t, const struct cur *v)
{
	struct cur c = *v;
	uint32_t n;
	const char *s;
	size_t sl;

	switch (t) {
	case 0x01: case 0x09: case 0x11: case 0x12: return 8;
	case 0x07: return 12;
	case 0x08: return 1;
	case 0x10: return 4;
	case 0x13: return 16;
	case 0x06: case 0x0a: case 0xff: case 0x7f: return 0;
	case 0x02: case 0x0d: case 0x0e: /* string: int32 len, bytes, NUL */
		if (cur_le32(&c, &n) != 0 || n < 1 || n > cur_left(&c) || c.p[n - 1] != 0)
			return -1;
		return 4 + (long)n;
	case 0x0c: /* DBPointer: string + ObjectId */
		if (cur_le32(&c, &n) != 0 || n < 1 || n > cur_left(&c) || (size_t)n + 12 > cur_left(&c))
			return -1;
		return 4 + (long)n + 12;
	case 0x03: case 0x04: case 0x0f: /* document, array, code_w_s: int32 total */
		if (cur_le32(&c, &n) != 0 || n < 5 || n - 4 > cur_left(&c))
			return -1;
		return (long)n;
	case 0x05: /* binary: int32 len, subtype, bytes */
		if (cur_le32(&c, &n) != 0 || n > cur_left(&c) || (size_t)n + 1 > cur_left(&c))
			return -1;
		return 5 + (long)n;
	case 0x0b: { /* regex: two cstrings */
		size_t a;
		if (cur_cstr(&c, cur_left(&c), &s, &sl) != 0)
			return -1;
		a = sl + 1;
		if (cur_cstr(&c, cur_left(&c), &s, &sl) != 0)
			return -1;
		return (long)(a + sl + 1);
	}
	default:
		return -1;
	}
}

/* Next element of elems: 1 at the end, 0 with *el, CUR_INVALID. */
static int bson_next(struct cur *elems, struct bson_el *el)
{
	long sz;

	memset(el, 0, sizeof(*el));
	if (cur_left(elems) == 0)
		return 1;
	if (cur_u8(elems, &el->type) != 0 || el->type == 0 ||
	    cur_cstr(elems, cur_left(elems), &el->key, &el->klen) != 0)
		return CUR_INVALID;
	sz = bson_value_size(el->type, elems);
	if (sz < 0 || cur_sub(elems, (size_t)sz, &el->val) != 0)
		return CUR_INVALID;
	return 0;
}

/* Whole-document check with a depth cap: 0, or an anomaly code. */
static int bson_validate(struct cur elems, int depth)
{
	struct bson_el el;
	int r, n = 0;

	if (depth > MONGO_DEPTH_MAX)
		return MONGO_ANOM_TOO_DEEP;
	while ((r = bson_next(&elems, &el)) == 0) {
		if (++n > MONGO_ELEMS_MAX)
			return MONGO_ANOM_BAD_BSON;
		if (el.type == 0x03 || el.type == 0x04) {
			struct cur sub;
			int v;
			if (bson_open(&el.val, &sub) != 0 || cur_left(&el.val) != 0)
				return MONGO_ANOM_BAD_BSON;
			if ((v = bson_validate(sub, depth + 1)) != 0)
				return v;
		}
	}
	return r == 1 ? 0 : MONGO_ANOM_BAD_BSON;
}

static bool bson_key(const struct bson_el *el, const char *k)
{
	return el->klen == strlen(k) && memcmp(el->key, k, el->klen) == 0;
}

/* String value (type 2) without its NUL. */
static bool bson_str(const struct bson_el *el, const char **s, size_t *len)
{
	struct cur v = el->val;
	uint32_t n;
	if (el->type != 0x02 || cur_le32(&v, &n) != 0 || n < 1)
		return false;
	*s = (const char *)v.p;
	*len = n - 1;
	return true;
}

static bool bson_bin(const struct bson_el *el, const uint8_t **b, size_t *len)
{
	struct cur v = el->val;
	uint32_t n;
	if (el->type != 0x05 || cur_le32(&v, &n) != 0 || cur_skip(&v, 1) != 0)
		return false;
	*b = v.p;
	*len = n;
	return true;
}

static bool bson_num(const struct bson_el *el, int64_t *x)
{
	struct cur v = el->val;
	if (el->type == 0x10) {
		uint32_t u;
		(void)cur_le32(&v, &u);
		*x = (int32_t)u;
		return true;
	}
	if (el->type == 0x12) {
		uint64_t u;
		(void)cur_le64(&v, &u);
		*x = (int64_t)u;
		return true;
	}
	if (el->type == 0x01) {
		uint64_t u;
		double d;
		(void)cur_le64(&v, &u);
		memcpy(&d, &u, sizeof(d));
		*x = d >= -1e15 && d <= 1e15 ? (int64_t)d : 0;
		return true;
	}
	if (el->type == 0x08) {
		*x = el->val.p[0] != 0;
		return true;
	}
	return false;
}

/* Sub-document value: elems, or false. */
static bool bson_subdoc(const struct bson_el *el, struct cur *elems)
{
	struct cur v = el->val;
	return (el->type == 0x03 || el->type == 0x04) && bson_open(&v, elems) == 0;
}

/* ---- facts ---- */

static void mongo_add_name(struct dis_ctx *ctx, struct mongo_state *st, const char *s, size_t n)
{
	unsigned i;
	if (n > 32)
		n = 32;
	for (i = 0; i < st->nnames; i++)
		if (strlen(st->names[i]) == n && memcmp(st->names[i], s, n) == 0)
			return;
	if (st->nnames >= MONGO_NAMES_MAX)
		return;
	memcpy(st->names[st->nnames], s, n);
	st->names[st->nnames][n] = 0;
	st->nnames++;
	obs_detail_list_str(ctx, "commands", s, n);
}

/* SASL payload: the user of PLAIN (authcid) or SCRAM (n=); never more. */
static void mongo_sasl_user(struct dis_ctx *ctx, bool plain, const uint8_t *b, size_t n)
{
	if (plain) {
		const uint8_t *z1 = memchr(b, 0, n), *z2;
		if (z1 == NULL)
			return;
		z2 = memchr(z1 + 1, 0, n - (size_t)(z1 + 1 - b));
		if (z2 != NULL)
			obs_user(ctx, z1 + 1, (size_t)(z2 - z1 - 1));
		return;
	}
	/* gs2-header "n,," or "y,," or "p=...,", then "n=" saslname "," */
	const uint8_t *q = b, *end = b + n;
	int commas = 0;
	while (q < end && commas < 2) {
		if (*q == ',')
			commas++;
		q++;
	}
	if (commas == 2 && end - q > 2 && q[0] == 'n' && q[1] == '=') {
		const uint8_t *c = memchr(q + 2, ',', (size_t)(end - q - 2));
		obs_user(ctx, q + 2, c ? (size_t)(c - q - 2) : (size_t)(end - q - 2));
	}
}

/* An authentication document (saslStart, authenticate, speculative). */
static void mongo_auth_doc(struct dis_ctx *ctx, struct mongo_state *st, struct cur elems)
{
	struct bson_el el;
	const char *mech = NULL, *s;
	size_t ml = 0, sl;
	const uint8_t *payload = NULL;
	size_t pl = 0;
	bool pwd = false, key = false;

	while (bson_next(&elems, &el) == 0) {
		if (bson_key(&el, "mechanism") && bson_str(&el, &s, &sl)) {
			mech = s;
			ml = sl;
		} else if (bson_key(&el, "payload")) {
			if (!bson_bin(&el, &payload, &pl) && bson_str(&el, &s, &sl)) {
				payload = (const uint8_t *)s;
				pl = sl;
			}
		} else if (bson_key(&el, "user") && bson_str(&el, &s, &sl)) {
			obs_user(ctx, s, sl);
		} else if (bson_key(&el, "pwd")) {
			pwd = true; /* never read */
		} else if (bson_key(&el, "key")) {
			key = true; /* MONGODB-CR proof, never read */
		}
	}
	st->auth_pending = true;
	if (mech == NULL && key) {
		/* authenticate without a mechanism, with nonce and key: MONGODB-CR
		 * (key = md5(nonce + user + md5(user ":mongo:" password)), a
		 * challenge-response on getnonce's nonce; MongoDB Manual 3.0
		 * "MONGODB-CR") */
		mech = "MONGODB-CR";
		ml = 10;
	}
	if (mech == NULL)
		return;
	obs_auth_mechanism(ctx, mech, ml);
	st->plain = ml == 5 && memcmp(mech, "PLAIN", 5) == 0;
	if (st->plain || pwd)
		obs_credentials(ctx, "PLAIN");
	if (payload && pl > 0 && (st->plain || (ml >= 5 && memcmp(mech, "SCRAM", 5) == 0)))
		mongo_sasl_user(ctx, st->plain, payload, pl);
}

static bool mongo_is_handshake(const char *s, size_t n)
{
	static const char *const hs[] = { "hello", "isMaster", "ismaster", "saslStart",
					  "saslContinue", "authenticate", "getnonce", "buildInfo",
					  "buildinfo", "ping", "logout", NULL };
	for (int i = 0; hs[i]; i++)
		if (strlen(hs[i]) == n && memcmp(hs[i], s, n) == 0)
			return true;
	return false;
}

/* A client command document. */
static void mongo_command(struct dis_ctx *ctx, struct mongo_state *st, struct cur elems)
{
	struct cur all = elems, sub;
	struct bson_el el;
	const char *s;
	size_t sl;
	bool first = true, auth = false;

	while (bson_next(&elems, &el) == 0) {
		if (first) {
			first = false;
			mongo_add_name(ctx, st, el.key, el.klen);
			if (!mongo_is_handshake(el.key, el.klen))
				st->other_cmd = true;
			if (bson_key(&el, "saslStart") || bson_key(&el, "authenticate"))
				auth = true;
			else if (bson_key(&el, "saslContinue"))
				st->auth_pending = true;
			continue;
		}
		if (bson_key(&el, "client") && bson_subdoc(&el, &sub)) {
			struct bson_el e2;
			struct cur sub2;
			while (bson_next(&sub, &e2) == 0) {
				if (!bson_subdoc(&e2, &sub2))
					continue;
				bool app = bson_key(&e2, "application"), drv = bson_key(&e2, "driver");
				struct bson_el e3;
				while ((app || drv) && bson_next(&sub2, &e3) == 0) {
					if (!bson_str(&e3, &s, &sl))
						continue;
					if (app && bson_key(&e3, "name"))
						obs_detail_str(ctx, "application_name", s, sl);
					else if (drv && bson_key(&e3, "name"))
						obs_detail_str(ctx, "driver_name", s, sl);
					else if (drv && bson_key(&e3, "version"))
						obs_detail_str(ctx, "driver_version", s, sl);
				}
			}
		} else if (bson_key(&el, "saslSupportedMechs") && bson_str(&el, &s, &sl)) {
			const char *dot = memchr(s, '.', sl);
			if (dot) {
				obs_detail_str(ctx, "auth_db", s, (size_t)(dot - s));
				obs_user(ctx, dot + 1, sl - (size_t)(dot + 1 - s));
			}
		} else if (bson_key(&el, "speculativeAuthenticate") && bson_subdoc(&el, &sub)) {
			obs_detail_bool(ctx, "speculative_authentication", true);
			mongo_auth_doc(ctx, st, sub);
		} else if (bson_key(&el, "$db") && auth && bson_str(&el, &s, &sl)) {
			obs_detail_str(ctx, "auth_db", s, sl);
		}
	}
	if (auth)
		mongo_auth_doc(ctx, st, all);
}

/* A server reply document. Returns 1 when authentication has finished. */
static int mongo_reply(struct dis_ctx *ctx, struct mongo_state *st, struct cur elems)
{
	struct bson_el el;
	struct cur sub;
	const char *s;
	size_t sl;
	int64_t x, ok = 1, code = -1;
	bool done = false, have_done = false;

	while (bson_next(&elems, &el) == 0) {
		if (bson_key(&el, "maxWireVersion") && bson_num(&el, &x)) {
			obs_detail_int(ctx, "max_wire_version", x);
		} else if (bson_key(&el, "version") && bson_str(&el, &s, &sl)) {
			obs_detail_str(ctx, "server_version", s, sl);
		} else if (bson_key(&el, "saslSupportedMechs") && bson_subdoc(&el, &sub)) {
			struct bson_el e2;
			int n = 0;
			while (n++ < 8 && bson_next(&sub, &e2) == 0)
				if (bson_str(&e2, &s, &sl))
					obs_detail_list_str(ctx, "sasl_mechanisms", s, sl);
		} else if (bson_key(&el, "speculativeAuthenticate") && bson_subdoc(&el, &sub)) {
			struct bson_el e2;
			while (bson_next(&sub, &e2) == 0)
				if (bson_key(&e2, "done") && bson_num(&e2, &x)) {
					have_done = true;
					done = x != 0;
				}
		} else if (bson_key(&el, "ok") && bson_num(&el, &x)) {
			ok = x;
		} else if (bson_key(&el, "done") && bson_num(&el, &x)) {
			have_done = true;
			done = x != 0;
		} else if (bson_key(&el, "code") && bson_num(&el, &x)) {
			code = x;
		} else if (bson_key(&el, "codeName") && bson_str(&el, &s, &sl) && st->auth_pending) {
			obs_detail_str(ctx, "error_code_name", s, sl);
		}
	}
	if (!st->auth_pending)
		return 0;
	if (ok == 0) {
		obs_detail_str(ctx, "auth_result", "error", 5);
		if (code >= 0)
			obs_detail_int(ctx, "error_code", code);
		return 1;
	}
	if (have_done && done) {
		obs_detail_str(ctx, "auth_result", "ok", 2);
		return 1;
	}
	if (!have_done)
		st->auth_pending = false; /* authenticate (no conversation): answered */
	if (!have_done && ok == 1) {
		obs_detail_str(ctx, "auth_result", "ok", 2);
		return 1;
	}
	return 0;
}

static enum probe_res mongo_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	uint32_t mlen, rid, rto, op;

	if (dir != DIR_C2S)
		return PROBE_NOMATCH; /* the client speaks first */
	if (cur_le32(&c, &mlen) != 0 || cur_le32(&c, &rid) != 0 || cur_le32(&c, &rto) != 0 ||
	    cur_le32(&c, &op) != 0)
		return PROBE_NEED_MORE;
	/* responseTo 0 and a known opCode are the signature; a messageLength
	 * over the limit still matches, so that parse() records bad_header */
	if (mlen < 16 + 5)
		return PROBE_NOMATCH;
	if (rto == 0)
		return op == MONGO_OP_MSG || op == MONGO_OP_QUERY || op == MONGO_OP_COMPRESSED ?
			PROBE_MATCH : PROBE_NOMATCH;
	/* Legacy clients (the mongo shell before 3.0 and drivers of that age:
	 * getnonce, isMaster) send OP_QUERY with responseTo -1. Only OP_QUERY,
	 * and its body must look like one: flags with reserved bit 0 clear and
	 * no bit above 7 ("OP_QUERY" flags), then a fullCollectionName cstring
	 * of printable bytes holding a '.' ("db.collection"). */
	if (rto != 0xffffffffu || op != MONGO_OP_QUERY)
		return PROBE_NOMATCH;
	{
		uint32_t flags;
		const char *coll;
		size_t cl, i;
		int r;
		if (cur_le32(&c, &flags) != 0)
			return PROBE_NEED_MORE;
		if ((flags & ~0xfeu) != 0)
			return PROBE_NOMATCH;
		r = cur_cstr(&c, MONGO_COLL_PROBE, &coll, &cl);
		if (r == CUR_TRUNC)
			return mlen > 16 + 4 + cur_left(&c) ? PROBE_NEED_MORE : PROBE_NOMATCH;
		if (r != 0 || cl < 3 || memchr(coll, '.', cl) == NULL)
			return PROBE_NOMATCH;
		for (i = 0; i < cl; i++)
			if ((unsigned char)coll[i] <= 0x20 || (unsigned char)coll[i] >= 0x7f)
				return PROBE_NOMATCH;
	}
	return PROBE_MATCH;
}

/* The command/reply document of one message body; 0 with *doc, 1 when the
 * message has none we read, -1 malformed. */
static int mongo_body_doc(struct dis_ctx *ctx, uint32_t op, struct cur body, struct cur *doc)
{
	uint32_t flags, skip, ret, from, num;
	uint64_t cursor;
	const char *coll;
	size_t cl;
	uint8_t kind;

	switch (op) {
	case MONGO_OP_MSG:
		if (cur_le32(&body, &flags) != 0)
			return -1;
		if (flags & 1) { /* checksumPresent: crc32c at the end */
			if (cur_left(&body) < 4)
				return -1;
			body.end -= 4;
		}
		/* the kind 0 section holds the command */
		while (cur_left(&body) > 0) {
			if (cur_u8(&body, &kind) != 0)
				return -1;
			if (kind == 0)
				return bson_open(&body, doc) == 0 ? 0 : -1;
			if (kind == 1) {
				uint32_t sz;
				if (cur_le32(&body, &sz) != 0 || sz < 4 || cur_skip(&body, sz - 4) != 0)
					return -1;
				continue;
			}
			obs_anomaly(ctx, MONGO_ANOM_BAD_MESSAGE, "section kind %u", kind);
			return -2;
		}
		return 1;
	case MONGO_OP_QUERY:
		if (cur_le32(&body, &flags) != 0 || cur_cstr(&body, 512, &coll, &cl) != 0 ||
		    cur_le32(&body, &skip) != 0 || cur_le32(&body, &ret) != 0)
			return -1;
		if (cl < 5 || memcmp(coll + cl - 5, ".$cmd", 5) != 0)
			return 1; /* a legacy query on a collection */
		return bson_open(&body, doc) == 0 ? 0 : -1;
	case MONGO_OP_REPLY:
		if (cur_le32(&body, &flags) != 0 || cur_le64(&body, &cursor) != 0 ||
		    cur_le32(&body, &from) != 0 || cur_le32(&body, &num) != 0)
			return -1;
		if (num == 0)
			return 1;
		return bson_open(&body, doc) == 0 ? 0 : -1;
	default:
		return 1;
	}
}

static struct dis_result mongo_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				     const uint8_t *p, size_t len)
{
	struct mongo_state *st = state;
	struct cur c = cur_make(p, len);

	obs_protocol(ctx, "mongodb");
	obs_security(ctx, SEC_CLEARTEXT);
	obs_tls_offered(ctx, false);
	obs_tls_requested(ctx, false);
	while (cur_left(&c) > 0) {
		size_t off = cur_off(&c, p);
		uint32_t mlen, rid, rto, op;
		struct cur body, doc;
		int r, a;

		if (cur_le32(&c, &mlen) != 0 || cur_le32(&c, &rid) != 0 || cur_le32(&c, &rto) != 0 ||
		    cur_le32(&c, &op) != 0)
			return dis_incomplete(off, 16);
		if (mlen < 16 || mlen > MONGO_MSG_LIMIT) {
			obs_anomaly(ctx, MONGO_ANOM_BAD_HEADER, "messageLength %u", mlen);
			return dis_error(off);
		}
		if (mlen > MONGO_MSG_PARSE)
			return dis_done(off); /* bulk data: the handshake is over */
		if (cur_sub(&c, mlen - 16, &body) != 0)
			return dis_incomplete(off, mlen);
		if (++st->msgs[dir] > MONGO_MSGS_MAX)
			return dis_done(off);
		if (op == MONGO_OP_COMPRESSED) {
			obs_detail_bool(ctx, "compressed", true);
			if (dir == DIR_C2S)
				st->other_cmd = true;
			continue;
		}
		r = mongo_body_doc(ctx, op, body, &doc);
		if (r == -1) {
			obs_anomaly(ctx, MONGO_ANOM_BAD_BSON, "opCode %u document", op);
			return dis_error(off);
		}
		if (r < 0)
			return dis_error(off);
		if (r == 1) {
			if (dir == DIR_C2S)
				st->other_cmd = true;
			continue;
		}
		if ((a = bson_validate(doc, 0)) != 0) {
			obs_anomaly(ctx, a, "opCode %u document", op);
			return dis_error(off);
		}
		if (dir == DIR_C2S) {
			mongo_command(ctx, st, doc);
			continue;
		}
		if (mongo_reply(ctx, st, doc) == 1)
			return dis_done(cur_off(&c, p));
		if (st->other_cmd && !st->auth_pending)
			return dis_done(cur_off(&c, p));
	}
	return dis_ok(len);
}

static const uint16_t mongo_ports[] = { 27017, 27018, 27019, 0 };

const struct dissector dissector_mongodb = {
	.name = "mongodb",
	.transport = DIS_TCP,
	.ports = mongo_ports,
	.probe = mongo_probe,
	.state_size = sizeof(struct mongo_state),
	.parse = mongo_parse,
	.anomalies = mongo_anomalies,
};
