/* SPDX-License-Identifier: BSD-3-Clause */
/* kafka.c — Apache Kafka wire protocol in clear (PLAINTEXT and
 * SASL_PLAINTEXT listeners), after https://kafka.apache.org/protocol:
 * "Protocol Primitive Types" (INT16/INT32, STRING, NULLABLE_STRING, BYTES,
 * UNSIGNED_VARINT, COMPACT_* forms), "Common Request and Response
 * Structure" (the size prefix), "Request Header" / "Response Header"
 * (v0-v2, tagged fields of flexible versions), "SASL Authentication
 * Sequence", and the ApiVersions (18), SaslHandshake (17) and
 * SaslAuthenticate (36) messages; error codes from "Error Codes".
 *
 *   request:   Size INT32 | api_key INT16 | api_version INT16 |
 *              correlation_id INT32 | client_id NULLABLE_STRING (INT16 len,
 *              -1 = null) | [header v2: TAG_BUFFER] | body
 *   response:  Size INT32 | correlation_id INT32 | [header v1: TAG_BUFFER] |
 *              body          (ApiVersions answers with header v0, always)
 *   ApiVersions request v3+:  client_software_name, _version COMPACT_STRING
 *   ApiVersions response:     error_code INT16 | api_keys ARRAY (v3+:
 *              COMPACT_ARRAY) of {api_key, min_version, max_version} | ...
 *   SaslHandshake request:    mechanism STRING
 *   SaslHandshake response:   error_code INT16 | mechanisms ARRAY(STRING)
 *   SaslAuthenticate request: auth_bytes BYTES (v2: COMPACT_BYTES)
 *   SaslAuthenticate response: error_code INT16 | error_message
 *              NULLABLE_STRING (v2: COMPACT_NULLABLE_STRING) | auth_bytes |..
 *
 * A SaslHandshake v0 that succeeds is followed by raw SASL tokens framed
 * only by an INT32 size ("SASL Authentication Sequence", step 3 of the
 * legacy sequence); v1 wraps them in SaslAuthenticate requests.
 *
 * Facts (cleartext.details, docs/EXPORT.md "Kafka details"): the first
 * request's api key, version, name and correlation id, the client id,
 * ApiVersions v3's client software name and version; the ApiVersions
 * response's error code and number of api ranges; the SASL mechanism the
 * client asked for (also obs_auth_mechanism), the mechanisms the broker
 * lists and the handshake's error code; SaslAuthenticate requests seen and
 * the last response's error code and message; at flow end the set of api
 * keys seen and the request/response counts. SASL PLAIN's token crossing
 * in clear is credentials ("PLAIN") with its authcid as obs_user (the
 * password is never read); an OAUTHBEARER token in clear is credentials
 * ("bearer"); SCRAM is challenge-response: mechanism and user (n=) only.
 *
 * Responses are matched to requests by correlation id in a bounded table
 * (KAFKA_INFLIGHT_MAX); a request that finds it full raises inflight_cap
 * once and is not tracked (its response is then counted as unmatched).
 * Kafka has no in-band TLS upgrade: SSL and SASL_SSL listeners speak TLS
 * from the first byte and are the TLS dissector's; these flows are
 * cleartext.
 *
 * Selection (probe, client side only): a size prefix and a request header
 * whose api key is one a client plausibly sends first (ApiVersions,
 * SaslHandshake, Metadata, Produce, Fetch, ...), with a version in range,
 * a non-negative correlation id and a client id that is null or printable
 * and fits the size. A size that is negative or over the cap still
 * matches when the rest does; parse() raises bad_length / message_too_long.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"

/* The broker's default socket.request.max.bytes (104857600): a larger
 * size prefix is refused by every stock broker. */
#define KAFKA_MSG_MAX 104857600u
/* Messages read whole (ApiVersions, SaslHandshake, SaslAuthenticate and
 * their responses): real ones are under 2 KiB; GSSAPI tokens stay under
 * 64 KiB. Anything else is skipped as it streams by, never buffered. */
#define KAFKA_PARSE_MAX 65536u
#define KAFKA_INFLIGHT_MAX 32    /* requests awaiting a response */
#define KAFKA_REQUESTS_MAX 64    /* requests read before DONE */
#define KAFKA_API_KEY_MAX 127    /* keys 0..127 (the spec lists fewer than 100) */
#define KAFKA_VERSION_MAX 63
#define KAFKA_ARRAY_MAX 1024     /* api ranges / mechanisms / tagged fields */
#define KAFKA_MECHS_LISTED 16    /* broker mechanisms kept as details */
#define KAFKA_MECH_MAX 32        /* RFC 4422 §3.1: names are at most 20 chars */
#define KAFKA_ERRMSG_MAX 200

enum {
	KAFKA_ANOM_BAD_LENGTH = 1,
	KAFKA_ANOM_TOO_LONG,
	KAFKA_ANOM_BAD_HEADER,
	KAFKA_ANOM_BAD_CLIENT_ID,
	KAFKA_ANOM_BAD_BODY,
	KAFKA_ANOM_SASL_TOO_LONG,
	KAFKA_ANOM_INFLIGHT_CAP,
	KAFKA_ANOM_UNKNOWN_CORRELATION,
	KAFKA_ANOM_UNEXPECTED,
};

static const struct anomaly_def kafka_anomalies[] = {
	{ KAFKA_ANOM_BAD_LENGTH, "bad_length" },
	{ KAFKA_ANOM_TOO_LONG, "message_too_long" },
	{ KAFKA_ANOM_BAD_HEADER, "bad_header" },
	{ KAFKA_ANOM_BAD_CLIENT_ID, "bad_client_id" },
	{ KAFKA_ANOM_BAD_BODY, "bad_body" },
	{ KAFKA_ANOM_SASL_TOO_LONG, "sasl_too_long" },
	{ KAFKA_ANOM_INFLIGHT_CAP, "inflight_cap" },
	{ KAFKA_ANOM_UNKNOWN_CORRELATION, "unknown_correlation_id" },
	{ KAFKA_ANOM_UNEXPECTED, "unexpected_message" },
	{ 0, NULL },
};

#define KAFKA_PRODUCE 0
#define KAFKA_CONTROLLED_SHUTDOWN 7
#define KAFKA_SASL_HANDSHAKE 17
#define KAFKA_API_VERSIONS 18
#define KAFKA_SASL_AUTHENTICATE 36
#define KAFKA_ERR_UNSUPPORTED_VERSION 35

/* Api keys a client plausibly opens a connection with, the highest
 * version of each the spec lists (with headroom for newer brokers), and
 * their names ("Api Keys"). Ends with a sentinel. */
static const struct { int16_t key; int16_t max_ver; const char *name; } kafka_first_apis[] = {
	{ 0, 15, "Produce" }, { 1, 20, "Fetch" }, { 2, 12, "ListOffsets" },
	{ 3, 16, "Metadata" }, { 8, 12, "OffsetCommit" }, { 9, 12, "OffsetFetch" },
	{ 10, 8, "FindCoordinator" }, { 11, 12, "JoinGroup" }, { 15, 8, "DescribeGroups" },
	{ 16, 8, "ListGroups" }, { 17, 1, "SaslHandshake" }, { 18, 6, "ApiVersions" },
	{ 19, 10, "CreateTopics" }, { 20, 8, "DeleteTopics" }, { 32, 6, "DescribeConfigs" },
	{ 60, 4, "DescribeCluster" },
	{ -1, 0, NULL },
};

/* "Error Codes": the ones these messages answer with. */
static const struct { int16_t code; const char *name; } kafka_errors[] = {
	{ 0, "none" }, { -1, "unknown_server_error" }, { 33, "unsupported_sasl_mechanism" },
	{ 34, "illegal_sasl_state" }, { 35, "unsupported_version" },
	{ 58, "sasl_authentication_failed" }, { 31, "cluster_authorization_failed" },
	{ 0, NULL },
};

enum kafka_mech { KM_NONE = 0, KM_PLAIN, KM_SCRAM, KM_OAUTHBEARER, KM_OTHER };

struct kafka_inflight {
	int32_t corr;
	int16_t key;
	int16_t ver;
};

struct kafka_state {
	bool started;
	bool raw_sasl;           /* SaslHandshake v0 succeeded: raw tokens next */
	bool inflight_full_seen; /* inflight_cap raised (once) */
	bool unknown_corr_seen;
	bool capped;             /* KAFKA_REQUESTS_MAX reached */
	/* facts stated once: a second ApiVersions or a re-authentication
	 * (KIP-368) repeats them, and details per flow are capped */
	bool apiv_req_seen, apiv_resp_seen, hs_req_seen, hs_resp_seen;
	uint32_t skip[2];        /* bytes of the current message still to skip */
	uint64_t keys[2];        /* api keys 0..127 seen, a bitmap */
	unsigned requests, responses, unmatched;
	unsigned sasl_auth_requests, sasl_auth_responses;
	enum kafka_mech mech;
	int sasl_auth_error;     /* last SaslAuthenticate response's error */
	char sasl_auth_msg[KAFKA_ERRMSG_MAX];
	size_t sasl_auth_msg_len;
	bool sasl_auth_msg_set;
	unsigned ninflight;
	struct kafka_inflight inflight[KAFKA_INFLIGHT_MAX];
};

static const char *kafka_error_name(int16_t code)
{
	unsigned i;

	for (i = 0; kafka_errors[i].name; i++)
		if (kafka_errors[i].code == code)
			return kafka_errors[i].name;
	return NULL;
}

static void kafka_error_detail(struct dis_ctx *ctx, const char *key, const char *name_key,
			       int16_t code)
{
	const char *n = kafka_error_name(code);

	obs_detail_int(ctx, key, code);
	if (n)
		obs_detail_str(ctx, name_key, n, strlen(n));
}

/* UNSIGNED_VARINT ("Protocol Primitive Types": unsigned LEB128, at most
 * five bytes for 32 bits). CUR_TRUNC / CUR_INVALID; the cursor does not
 * move on failure. */
static int kafka_uvarint(struct cur *c, uint32_t *v)
{
	struct cur save = *c;
	unsigned i;
	uint8_t b;
	int r;

	*v = 0;
	for (i = 0; i < 5; i++) {
		if ((r = cur_u8(c, &b)) != 0) {
			*c = save;
			*v = 0;
			return r;
		}
		if (i == 4 && (b & 0xf0)) /* over 32 bits */
			break;
		*v |= (uint32_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return CUR_OK;
	}
	*c = save;
	*v = 0;
	return CUR_INVALID;
}

/* TAG_BUFFER: a count of tagged fields, each tag, size and data; skipped. */
static int kafka_tagged_fields(struct cur *c)
{
	uint32_t n, tag, size, i;
	int r;

	if ((r = kafka_uvarint(c, &n)) != 0)
		return r;
	if (n > KAFKA_ARRAY_MAX)
		return CUR_CAP;
	for (i = 0; i < n; i++)
		if ((r = kafka_uvarint(c, &tag)) != 0 || (r = kafka_uvarint(c, &size)) != 0 ||
		    (r = cur_skip(c, size)) != 0)
			return r;
	return 0;
}

/* STRING / NULLABLE_STRING (INT16 length, -1 null), or with `compact`
 * COMPACT_(NULLABLE_)STRING (UNSIGNED_VARINT length + 1, 0 null).
 * *s is NULL for null. */
static int kafka_string(struct cur *c, bool compact, const uint8_t **s, size_t *n)
{
	struct cur save = *c;
	int r;

	*s = NULL;
	*n = 0;
	if (compact) {
		uint32_t l;
		if ((r = kafka_uvarint(c, &l)) != 0)
			return r;
		if (l == 0)
			return 0;
		*n = l - 1;
	} else {
		uint16_t l;
		if ((r = cur_be16(c, &l)) != 0)
			return r;
		if (l == 0xffff)
			return 0;
		if (l & 0x8000) {
			*c = save;
			return CUR_INVALID;
		}
		*n = l;
	}
	if ((r = cur_bytes(c, *n, s)) != 0) {
		*c = save;
		*s = NULL;
		*n = 0;
	}
	return r;
}

/* BYTES (INT32 length) or COMPACT_BYTES: zero-copy, never null here. */
static int kafka_bytes(struct cur *c, bool compact, const uint8_t **b, size_t *n)
{
	uint32_t l;
	int r;

	*b = NULL;
	*n = 0;
	if (compact) {
		if ((r = kafka_uvarint(c, &l)) != 0)
			return r;
		if (l == 0)
			return CUR_INVALID;
		l--;
	} else {
		if ((r = cur_be32(c, &l)) != 0)
			return r;
		if (l & 0x80000000u)
			return CUR_INVALID;
	}
	if ((r = cur_bytes(c, l, b)) == 0)
		*n = l;
	return r;
}

static bool kafka_printable(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static int kafka_first_api(int16_t key)
{
	int i;

	for (i = 0; kafka_first_apis[i].name; i++)
		if (kafka_first_apis[i].key == key)
			return i;
	return -1;
}

static enum probe_res kafka_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	uint32_t size, corr;
	uint16_t key, ver, cl;
	const uint8_t *s;
	size_t have;
	int i;

	if (dir == DIR_S2C)
		return len == 0 ? PROBE_NEED_MORE : PROBE_NOMATCH; /* the client speaks first */
	if (cur_be32(&c, &size) != 0 || cur_be16(&c, &key) != 0 || cur_be16(&c, &ver) != 0 ||
	    cur_be32(&c, &corr) != 0 || cur_be16(&c, &cl) != 0)
		return PROBE_NEED_MORE;
	/* a size under a request header's 10 bytes is no request; a negative
	 * size or one over the cap goes on (parse() raises the anomaly) */
	if (size < 10)
		return PROBE_NOMATCH;
	if ((i = kafka_first_api((int16_t)key)) < 0 || ver > (uint16_t)kafka_first_apis[i].max_ver)
		return PROBE_NOMATCH;
	if (corr & 0x80000000u)
		return PROBE_NOMATCH;
	if (cl == 0xffff)
		return PROBE_MATCH; /* null client id */
	if ((cl & 0x8000) || (size <= KAFKA_MSG_MAX && cl > size - 10))
		return PROBE_NOMATCH;
	have = cur_left(&c) < cl ? cur_left(&c) : cl;
	if (cur_bytes(&c, have, &s) != 0 || !kafka_printable(s, have))
		return PROBE_NOMATCH;
	return have < cl ? PROBE_NEED_MORE : PROBE_MATCH;
}

/* The SASL token of SaslAuthenticate or of the legacy raw exchange. */
static void kafka_sasl_token(struct dis_ctx *ctx, struct kafka_state *st, const uint8_t *b, size_t n)
{
	bool first = st->sasl_auth_requests++ == 0;

	if (!first || n == 0)
		return;
	if (st->mech == KM_PLAIN) {
		/* RFC 4616 §2: [authzid] NUL authcid NUL passwd; the password is
		 * not read, its presence is what crossed in clear */
		const uint8_t *z1 = memchr(b, 0, n), *z2;
		obs_credentials(ctx, "PLAIN");
		if (z1 == NULL)
			return;
		z2 = memchr(z1 + 1, 0, n - (size_t)(z1 + 1 - b));
		if (z2 != NULL)
			obs_user(ctx, z1 + 1, (size_t)(z2 - z1 - 1));
	} else if (st->mech == KM_SCRAM) {
		/* RFC 5802 §7: gs2-header "n,," (or "y,,", "p=..,"), then n=user */
		const uint8_t *q = b, *end = b + n, *comma;
		int commas = 0;
		while (q < end && commas < 2)
			if (*q++ == ',')
				commas++;
		if (commas == 2 && end - q > 2 && q[0] == 'n' && q[1] == '=') {
			comma = memchr(q + 2, ',', (size_t)(end - q - 2));
			obs_user(ctx, q + 2, comma ? (size_t)(comma - q - 2) : (size_t)(end - q - 2));
		}
	} else if (st->mech == KM_OAUTHBEARER) {
		/* RFC 7628 §3.1: "auth=Bearer <token>" in the client response: a
		 * bearer token is replayable */
		static const char lit[] = "auth=Bearer ";
		size_t i, ll = sizeof(lit) - 1;
		for (i = 0; i + ll <= n; i++)
			if (memcmp(b + i, lit, ll) == 0) {
				obs_credentials(ctx, "bearer");
				break;
			}
	}
}

static enum kafka_mech kafka_mech_of(const uint8_t *m, size_t n)
{
	if (n == 5 && memcmp(m, "PLAIN", 5) == 0)
		return KM_PLAIN;
	if (n >= 6 && memcmp(m, "SCRAM-", 6) == 0)
		return KM_SCRAM;
	if (n == 11 && memcmp(m, "OAUTHBEARER", 11) == 0)
		return KM_OAUTHBEARER;
	return KM_OTHER;
}

/* Body of a request read whole (after the header). 0, or -1 after an
 * anomaly. */
static int kafka_request_body(struct dis_ctx *ctx, struct kafka_state *st, int16_t key,
			      int16_t ver, struct cur b)
{
	const uint8_t *s;
	size_t n;

	switch (key) {
	case KAFKA_API_VERSIONS:
		if (ver >= 3) {
			const uint8_t *v;
			size_t vn;
			if (kafka_string(&b, true, &s, &n) != 0 || kafka_string(&b, true, &v, &vn) != 0)
				goto bad;
			if (st->apiv_req_seen)
				return 0;
			st->apiv_req_seen = true;
			if (s)
				obs_detail_str(ctx, "client_software_name", s, n);
			if (v)
				obs_detail_str(ctx, "client_software_version", v, vn);
		}
		return 0;
	case KAFKA_SASL_HANDSHAKE:
		if (kafka_string(&b, false, &s, &n) != 0 || s == NULL || n == 0 || n > KAFKA_MECH_MAX)
			goto bad;
		st->mech = kafka_mech_of(s, n);
		if (st->hs_req_seen)
			return 0;
		st->hs_req_seen = true;
		obs_detail_str(ctx, "sasl_mechanism", s, n);
		obs_auth_mechanism(ctx, (const char *)s, n);
		return 0;
	case KAFKA_SASL_AUTHENTICATE:
		if (kafka_bytes(&b, ver >= 2, &s, &n) != 0)
			goto bad;
		kafka_sasl_token(ctx, st, s, n);
		return 0;
	default:
		return 0;
	}
bad:
	obs_anomaly(ctx, KAFKA_ANOM_BAD_BODY, "api key %d version %d request", key, ver);
	return -1;
}

/* Body of a response read whole (after the correlation id). */
static int kafka_response_body(struct dis_ctx *ctx, struct kafka_state *st, int16_t key,
			       int16_t ver, struct cur b)
{
	uint16_t err;
	uint32_t n, i;
	const uint8_t *s;
	size_t sl;

	switch (key) {
	case KAFKA_API_VERSIONS:
		/* header v0 always; an unsupported version is answered in v0 */
		if (cur_be16(&b, &err) != 0)
			goto bad;
		if (ver >= 3 && err != KAFKA_ERR_UNSUPPORTED_VERSION) {
			if (kafka_uvarint(&b, &n) != 0 || n == 0)
				goto bad;
			n--;
		} else if (cur_be32(&b, &n) != 0 || (n & 0x80000000u)) {
			goto bad;
		}
		if (n > KAFKA_ARRAY_MAX)
			goto bad;
		for (i = 0; i < n; i++)
			if (cur_skip(&b, 6) != 0 ||
			    (ver >= 3 && err != KAFKA_ERR_UNSUPPORTED_VERSION && kafka_tagged_fields(&b) != 0))
				goto bad;
		if (!st->apiv_resp_seen) {
			st->apiv_resp_seen = true;
			kafka_error_detail(ctx, "api_versions_error", "api_versions_error_name", (int16_t)err);
			obs_detail_int(ctx, "api_versions_count", n);
		}
		return 0;
	case KAFKA_SASL_HANDSHAKE: {
		struct cur list;
		if (cur_be16(&b, &err) != 0 || cur_be32(&b, &n) != 0 || (n & 0x80000000u) ||
		    n > KAFKA_ARRAY_MAX)
			goto bad;
		list = b;
		for (i = 0; i < n; i++)
			if (kafka_string(&b, false, &s, &sl) != 0 || s == NULL)
				goto bad;
		if (err == 0 && ver == 0)
			st->raw_sasl = true;
		if (st->hs_resp_seen)
			return 0;
		st->hs_resp_seen = true;
		kafka_error_detail(ctx, "sasl_handshake_error", "sasl_handshake_error_name", (int16_t)err);
		for (i = 0; i < n && i < KAFKA_MECHS_LISTED; i++) {
			kafka_string(&list, false, &s, &sl);
			obs_detail_list_str(ctx, "sasl_mechanisms_enabled", s, sl);
		}
		obs_detail_int(ctx, "sasl_mechanisms_enabled_count", n);
		return 0;
	}
	case KAFKA_SASL_AUTHENTICATE:
		if ((ver >= 2 && kafka_tagged_fields(&b) != 0) || cur_be16(&b, &err) != 0 ||
		    kafka_string(&b, ver >= 2, &s, &sl) != 0)
			goto bad;
		st->sasl_auth_responses++;
		st->sasl_auth_error = (int16_t)err;
		st->sasl_auth_msg_set = s != NULL;
		st->sasl_auth_msg_len = sl < sizeof(st->sasl_auth_msg) ? sl : sizeof(st->sasl_auth_msg);
		if (s)
			memcpy(st->sasl_auth_msg, s, st->sasl_auth_msg_len);
		return 0; /* the server's auth bytes (a challenge) are not read */
	default:
		return 0;
	}
bad:
	obs_anomaly(ctx, KAFKA_ANOM_BAD_BODY, "api key %d version %d response", key, ver);
	return -1;
}

static bool kafka_read_whole(int16_t key)
{
	return key == KAFKA_API_VERSIONS || key == KAFKA_SASL_HANDSHAKE || key == KAFKA_SASL_AUTHENTICATE;
}

/* The INT32 size at c, checked: 0 with *size, CUR_TRUNC, or -1 after an
 * anomaly. `min` is the smallest size a header allows. */
static int kafka_size(struct dis_ctx *ctx, struct cur c, uint32_t min, const char *what,
		      uint32_t *size)
{
	if (cur_be32(&c, size) != 0)
		return CUR_TRUNC;
	if (*size & 0x80000000u) {
		obs_anomaly(ctx, KAFKA_ANOM_BAD_LENGTH, "%s size %d", what, (int32_t)*size);
		return -1;
	}
	if (*size > KAFKA_MSG_MAX) {
		obs_anomaly(ctx, KAFKA_ANOM_TOO_LONG, "%s size %u over %u", what, *size, KAFKA_MSG_MAX);
		return -1;
	}
	if (*size < min) {
		obs_anomaly(ctx, KAFKA_ANOM_BAD_LENGTH, "%s size %u under its header", what, *size);
		return -1;
	}
	return 0;
}

static void kafka_start(struct dis_ctx *ctx, struct kafka_state *st)
{
	st->started = true;
	obs_protocol(ctx, "kafka");
	obs_security(ctx, SEC_CLEARTEXT);
	obs_tls_offered(ctx, false);
	obs_tls_requested(ctx, false);
}

static struct dis_result kafka_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				     const uint8_t *p, size_t len)
{
	struct kafka_state *st = state;
	struct cur c = cur_make(p, len);

	if (!st->started) {
		if (dir == DIR_S2C) {
			obs_anomaly(ctx, KAFKA_ANOM_UNEXPECTED, "broker bytes before a request");
			return dis_error(0);
		}
		kafka_start(ctx, st);
	}
	while (cur_left(&c) > 0) {
		size_t before = cur_off(&c, p), avail = cur_left(&c), total, hlen;
		struct cur m = c, body;
		uint32_t size, corr;
		uint16_t key = 0, ver = 0, cl;
		int r;

		if (st->skip[dir] > 0) {
			size_t k = st->skip[dir] < avail ? st->skip[dir] : avail;
			cur_skip(&c, k);
			st->skip[dir] -= (uint32_t)k;
			continue;
		}
		if (dir == DIR_C2S && st->raw_sasl) {
			/* legacy SASL: INT32 size + the token, no header */
			const uint8_t *tok;
			r = cur_be32(&m, &size);
			if (r != 0)
				return dis_incomplete(before, 4);
			if ((size & 0x80000000u) || size > KAFKA_PARSE_MAX) {
				obs_anomaly(ctx, KAFKA_ANOM_SASL_TOO_LONG, "raw SASL token of %u bytes", size);
				return dis_error(before);
			}
			if (cur_bytes(&m, size, &tok) != 0)
				return dis_incomplete(before, 4 + (size_t)size);
			obs_detail_bool(ctx, "sasl_raw_tokens", true);
			kafka_sasl_token(ctx, st, tok, size);
			/* what follows is more raw tokens or requests, told apart only
			 * by the mechanism's own state machine: stop here */
			return dis_done(before + 4 + size);
		}
		r = kafka_size(ctx, m, dir == DIR_C2S ? 8 : 4, dir == DIR_C2S ? "request" : "response", &size);
		if (r == CUR_TRUNC)
			return dis_incomplete(before, 4);
		if (r != 0)
			return dis_error(before);
		total = 4 + (size_t)size;
		cur_skip(&m, 4);
		if (dir == DIR_C2S) {
			bool has_cid = true;
			const uint8_t *cid = NULL;
			int fi;

			if (avail < 12)
				return dis_incomplete(before, 12);
			cur_be16(&m, &key);
			cur_be16(&m, &ver);
			cur_be32(&m, &corr);
			if (key > KAFKA_API_KEY_MAX || ver > KAFKA_VERSION_MAX) {
				obs_anomaly(ctx, KAFKA_ANOM_BAD_HEADER, "api key %d version %d",
					    (int16_t)key, (int16_t)ver);
				return dis_error(before);
			}
			/* request header v0 (no client id) only for ControlledShutdown v0 */
			if (key == KAFKA_CONTROLLED_SHUTDOWN && ver == 0)
				has_cid = false;
			cl = 0xffff;
			if (has_cid) {
				if (size < 10) {
					obs_anomaly(ctx, KAFKA_ANOM_BAD_LENGTH, "request size %u under its header", size);
					return dis_error(before);
				}
				if (avail < 14)
					return dis_incomplete(before, 14);
				cur_be16(&m, &cl);
				if (cl != 0xffff && ((cl & 0x8000) || cl > size - 10)) {
					obs_anomaly(ctx, KAFKA_ANOM_BAD_CLIENT_ID,
						    "client id of %d bytes in a request of %u",
						    (int16_t)cl, size);
					return dis_error(before);
				}
				if (cl != 0xffff && cur_bytes(&m, cl, &cid) != 0)
					return dis_incomplete(before, 14 + (size_t)cl);
			}
			hlen = cur_off(&m, p) - before;
			if (st->requests++ == 0) {
				obs_detail_int(ctx, "first_api_key", key);
				obs_detail_int(ctx, "first_api_version", ver);
				fi = kafka_first_api((int16_t)key);
				if (fi >= 0)
					obs_detail_str(ctx, "first_api", kafka_first_apis[fi].name,
						       strlen(kafka_first_apis[fi].name));
				obs_detail_int(ctx, "correlation_id", (int32_t)corr);
				if (cid)
					obs_detail_str(ctx, "client_id", cid, cl);
			}
			st->keys[key / 64] |= (uint64_t)1 << (key % 64);
			if (st->ninflight < KAFKA_INFLIGHT_MAX) {
				struct kafka_inflight *e = &st->inflight[st->ninflight++];
				e->corr = (int32_t)corr;
				e->key = (int16_t)key;
				e->ver = (int16_t)ver;
			} else if (!st->inflight_full_seen) {
				/* caps are loud: once per flow, and the dissector goes on */
				st->inflight_full_seen = true;
				obs_anomaly(ctx, KAFKA_ANOM_INFLIGHT_CAP,
					    "%u requests awaiting a response", KAFKA_INFLIGHT_MAX);
			}
		} else {
			unsigned i;

			if (avail < 8)
				return dis_incomplete(before, 8);
			cur_be32(&m, &corr);
			hlen = 8;
			st->responses++;
			for (i = 0; i < st->ninflight; i++)
				if (st->inflight[i].corr == (int32_t)corr)
					break;
			if (i == st->ninflight) {
				st->unmatched++;
				if (!st->inflight_full_seen && !st->unknown_corr_seen) {
					st->unknown_corr_seen = true;
					obs_anomaly(ctx, KAFKA_ANOM_UNKNOWN_CORRELATION,
						    "response to correlation id %d", (int32_t)corr);
				}
				key = 0xffff;
			} else {
				key = (uint16_t)st->inflight[i].key;
				ver = (uint16_t)st->inflight[i].ver;
				memmove(&st->inflight[i], &st->inflight[i + 1],
					(st->ninflight - i - 1) * sizeof(st->inflight[0]));
				st->ninflight--;
			}
		}
		if (!kafka_read_whole((int16_t)key) || total < hlen) {
			if (total < hlen) {
				obs_anomaly(ctx, KAFKA_ANOM_BAD_LENGTH, "size %u under its header", size);
				return dis_error(before);
			}
			/* skipped as it streams by */
			cur_skip(&c, hlen);
			st->skip[dir] = (uint32_t)(total - hlen);
		} else {
			if (size > KAFKA_PARSE_MAX) {
				obs_anomaly(ctx, KAFKA_ANOM_SASL_TOO_LONG, "api key %d message of %u bytes over %u",
					    key, size, KAFKA_PARSE_MAX);
				return dis_error(before);
			}
			if (avail < total)
				return dis_incomplete(before, total);
			body = cur_make(p + before + hlen, total - hlen);
			if (dir == DIR_C2S) {
				/* request header v2 (flexible versions) ends in a TAG_BUFFER */
				bool flex = (key == KAFKA_API_VERSIONS && ver >= 3) ||
					    (key == KAFKA_SASL_AUTHENTICATE && ver >= 2);
				if (flex && kafka_tagged_fields(&body) != 0) {
					obs_anomaly(ctx, KAFKA_ANOM_BAD_HEADER, "request header tagged fields");
					return dis_error(before);
				}
				r = kafka_request_body(ctx, st, (int16_t)key, (int16_t)ver, body);
			} else {
				r = kafka_response_body(ctx, st, (int16_t)key, (int16_t)ver, body);
			}
			if (r != 0)
				return dis_error(before);
			cur_skip(&c, total);
		}
		if (st->requests >= KAFKA_REQUESTS_MAX) {
			/* enough of this connection is known; the rest is bypassed */
			st->capped = true;
			return dis_done(cur_off(&c, p));
		}
	}
	return dis_ok(len);
}

static void kafka_flow_end(struct dis_ctx *ctx, void *state)
{
	struct kafka_state *st = state;
	char buf[4 * (KAFKA_API_KEY_MAX + 1)];
	size_t n = 0;
	unsigned k;

	if (!st->started)
		return;
	for (k = 0; k <= KAFKA_API_KEY_MAX; k++)
		if (st->keys[k / 64] & ((uint64_t)1 << (k % 64)))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u", n ? "," : "", k);
	if (n)
		obs_detail_str(ctx, "api_keys", buf, n);
	obs_detail_int(ctx, "requests", st->requests);
	obs_detail_int(ctx, "responses", st->responses);
	if (st->unmatched)
		obs_detail_int(ctx, "unmatched_responses", st->unmatched);
	if (st->capped)
		obs_detail_bool(ctx, "requests_capped", true);
	if (st->sasl_auth_requests)
		obs_detail_int(ctx, "sasl_authenticate_requests", st->sasl_auth_requests);
	if (st->sasl_auth_responses) {
		kafka_error_detail(ctx, "sasl_authenticate_error", "sasl_authenticate_error_name",
				   (int16_t)st->sasl_auth_error);
		if (st->sasl_auth_msg_set)
			obs_detail_str(ctx, "sasl_authenticate_error_message", st->sasl_auth_msg,
				       st->sasl_auth_msg_len);
	}
}

static const uint16_t kafka_ports[] = { 9092, 0 };

const struct dissector dissector_kafka = {
	.name = "kafka",
	.transport = DIS_TCP,
	.ports = kafka_ports,
	.probe = kafka_probe,
	.state_size = sizeof(struct kafka_state),
	.parse = kafka_parse,
	.flow_end = kafka_flow_end,
	.anomalies = kafka_anomalies,
};
