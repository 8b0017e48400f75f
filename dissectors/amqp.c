/* SPDX-License-Identifier: BSD-3-Clause */
/* amqp.c — AMQP 0-9-1 connection negotiation (AMQP 0-9-1 specification
 * §4.2.2 protocol header, §4.2.3 frames, §4.2.5 field types, class
 * "connection" methods start/start-ok/open/close) and AMQP 1.0 protocol
 * headers and SASL (OASIS AMQP 1.0 §2.2 protocol header, §2.3.1 frame
 * layout, §5.2 TLS, §5.3 SASL, part 1 §1.6 type encodings).
 *
 *   0-9-1 header: "AMQP" 0 0 9 1        1.0 header: "AMQP" id 1 0 0
 *                                            id 0 AMQP, 2 TLS, 3 SASL
 *   0-9-1 frame:  type u8 | channel u16 | size u32 | payload | 0xCE
 *   method:       class u16 | method u16 | arguments
 *   1.0 frame:    size u32 | doff u8 | type u8 (0 AMQP, 1 SASL) | channel u16
 *
 * Facts (0-9-1): protocol header, Connection.Start's mechanisms
 * (auth_offered) and server product, Start-Ok's mechanism; PLAIN's response
 * ("\0user\0pass", src/sasl.c) and AMQPLAIN's (a field table: LOGIN is the
 * user, PASSWORD is never read) are credentials in clear; EXTERNAL is not;
 * Connection.Open's virtual host; a Connection.Close reply code. Done at Open
 * or Close. AMQP 0-9-1 has no in-band TLS upgrade: tls_offered and
 * tls_requested are false, the session is cleartext.
 *
 * Facts (1.0): the protocol id of each header; SASL sasl-mechanisms (list),
 * sasl-init mechanism and hostname (PLAIN initial response -> user,
 * credentials), sasl-outcome code. Done at the outcome. A TLS header
 * (id 2) from the client is tls_requested; the server echoing id 2 starts TLS
 * on that connection (starttls: the cleartext part was only the two headers)
 * and hands off to "tls" after the 8 header bytes in each direction; another
 * header back is a refusal.
 *
 * Caps: frames during negotiation are small (frame-max is only agreed after
 * Tune): AMQP_FRAME_MAX; field tables are walked flat (nested tables and
 * arrays skipped by their length), at most AMQP_TABLE_ENTRIES entries.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"
#include "sasl.h"

#define AMQP_FRAME_MAX (1u << 20)
#define AMQP_TABLE_ENTRIES 256
#define AMQP_MECHS_MAX 16
#define AMQP_FRAME_END 0xCE

enum {
	AMQP_ANOM_FRAME_TOO_LARGE = 1,
	AMQP_ANOM_BAD_FRAME_END,
	AMQP_ANOM_BAD_METHOD,
	AMQP_ANOM_BAD_TABLE,
	AMQP_ANOM_BAD_HEADER,
	AMQP_ANOM_BAD_SASL,
};

static const struct anomaly_def amqp_anomalies[] = {
	{ AMQP_ANOM_FRAME_TOO_LARGE, "frame_too_large" },
	{ AMQP_ANOM_BAD_FRAME_END, "bad_frame_end" },
	{ AMQP_ANOM_BAD_METHOD, "bad_method" },
	{ AMQP_ANOM_BAD_TABLE, "bad_field_table" },
	{ AMQP_ANOM_BAD_HEADER, "bad_protocol_header" },
	{ AMQP_ANOM_BAD_SASL, "bad_sasl_frame" },
	{ 0, NULL },
};

struct amqp_state {
	bool hdr[2];        /* protocol header seen in this direction */
	uint8_t v1_id[2];   /* AMQP 1.0 protocol id per direction */
	bool v1;            /* AMQP 1.0 (else 0-9-1) */
	bool tls_wait;      /* client sent the TLS header: wait for the server's */
	bool started;
	struct sasl_exch sasl;
};

static enum probe_res amqp_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	int r = cur_peek_lit(&c, "AMQP", 4);
	if (r == CUR_TRUNC)
		return PROBE_NEED_MORE;
	if (r == 0) {
		if (len < 8)
			return PROBE_NEED_MORE;
		/* 0-9-1: 0 0 9 1; 0-8/0-9 1 1 x x; 1.0: id(0,2,3) 1 0 0 */
		if ((p[4] == 0 && p[5] == 0 && p[6] == 9) || (p[4] == 1 && p[5] == 1) ||
		    ((p[4] == 0 || p[4] == 2 || p[4] == 3) && p[5] == 1 && p[6] == 0 && p[7] == 0))
			return PROBE_MATCH;
		return PROBE_NOMATCH;
	}
	if (dir == DIR_S2C) {
		/* Connection.Start: method frame on channel 0, class 10 method 10 */
		static const uint8_t start[] = { 1, 0, 0 };
		static const uint8_t cm[] = { 0, 10, 0, 10 };
		size_t k = len < 3 ? len : 3;
		if (memcmp(p, start, k) != 0)
			return PROBE_NOMATCH;
		if (len < 11)
			return PROBE_NEED_MORE;
		return memcmp(p + 7, cm, 4) == 0 ? PROBE_MATCH : PROBE_NOMATCH;
	}
	return PROBE_NOMATCH;
}

static int amqp_shortstr(struct cur *c, const uint8_t **s, size_t *n)
{
	struct cur sub = cur_make(c->p, 0);
	int r = cur_sub_len8(c, &sub);
	*s = sub.p;
	*n = r == 0 ? cur_left(&sub) : 0;
	return r;
}

static int amqp_longstr(struct cur *c, const uint8_t **s, size_t *n)
{
	struct cur save = *c;
	uint32_t l;
	int r;
	*s = NULL;
	*n = 0;
	if ((r = cur_be32(c, &l)) != 0 || (r = cur_bytes(c, l, s)) != 0) {
		*c = save;
		return r;
	}
	*n = l;
	return 0;
}

/* Walks field-table entries in c (without the table's own length) and finds
 * key whose value is a long string ('S'). Returns 1 found, 0 not found,
 * negative on a malformed table. */
static int amqp_table_find(struct cur c, const char *key, const uint8_t **v, size_t *vlen)
{
	static const struct { char t; uint8_t n; } fixed[] = {
		{ 't', 1 }, { 'b', 1 }, { 'B', 1 }, { 's', 2 }, { 'u', 2 }, { 'I', 4 }, { 'i', 4 },
		{ 'l', 8 }, { 'L', 8 }, { 'f', 4 }, { 'd', 8 }, { 'D', 5 }, { 'T', 8 }, { 'V', 0 },
		{ 0, 0 },
	};
	unsigned entries = 0;
	size_t kl = strlen(key);

	*v = NULL;
	*vlen = 0;
	while (cur_left(&c) > 0) {
		const uint8_t *k, *s;
		size_t n, sl;
		uint8_t t;
		int r, i;

		if (++entries > AMQP_TABLE_ENTRIES)
			return CUR_CAP;
		if ((r = amqp_shortstr(&c, &k, &n)) != 0 || (r = cur_u8(&c, &t)) != 0)
			return r;
		if (t == 'S' || t == 'x' || t == 'F' || t == 'A') {
			/* long string, byte array, nested table, array: u32 length */
			if ((r = amqp_longstr(&c, &s, &sl)) != 0)
				return r;
			if (t == 'S' && n == kl && memcmp(k, key, kl) == 0) {
				*v = s;
				*vlen = sl;
				return 1;
			}
			continue;
		}
		for (i = 0; fixed[i].t; i++)
			if (fixed[i].t == (char)t)
				break;
		if (!fixed[i].t)
			return CUR_INVALID; /* unknown type: its size is unknown */
		if ((r = cur_skip(&c, fixed[i].n)) != 0)
			return r;
	}
	return 0;
}

static void amqp_words(struct dis_ctx *ctx, const char *key, const uint8_t *s, size_t n)
{
	size_t i = 0, count = 0;
	while (i < n && count < AMQP_MECHS_MAX) {
		size_t j = i;
		while (j < n && s[j] != ' ')
			j++;
		if (j > i) {
			obs_detail_list_str(ctx, key, s + i, j - i);
			count++;
		}
		i = j + 1;
	}
}

/* A field table: u32 length, then entries; *t covers the entries. */
static int amqp_table(struct cur *c, struct cur *t)
{
	struct cur save = *c;
	uint32_t l;
	int r;
	if ((r = cur_be32(c, &l)) != 0 || (r = cur_sub(c, l, t)) != 0) {
		*c = save;
		return r;
	}
	return 0;
}

/* Start-Ok response for mechanism mech. */
static void amqp_start_ok_response(struct dis_ctx *ctx, struct amqp_state *st,
				   const uint8_t *resp, size_t rn)
{
	if (strcmp(st->sasl.mech, "AMQPLAIN") == 0) {
		/* RabbitMQ AMQPLAIN: the response is field-table entries
		 * LOGIN (S) and PASSWORD (S), without the table length */
		const uint8_t *u;
		size_t ul;
		int r = amqp_table_find(cur_make(resp, rn), "LOGIN", &u, &ul);
		if (r < 0) {
			obs_anomaly(ctx, AMQP_ANOM_BAD_TABLE, "AMQPLAIN response");
			return;
		}
		if (r == 1)
			obs_user(ctx, u, ul);
		obs_credentials(ctx, "AMQPLAIN");
		return;
	}
	if (sasl_response_raw(&st->sasl, ctx, resp, rn) != 0)
		obs_anomaly(ctx, AMQP_ANOM_BAD_SASL, "%s response", st->sasl.mech);
}

/* One 0-9-1 method frame payload. Returns 1 when done, -1 on a malformed
 * method, 0 to go on. */
static int amqp_method(struct dis_ctx *ctx, struct amqp_state *st, enum dir dir, struct cur c)
{
	uint16_t cls = 0, mth = 0;
	struct cur tab;
	const uint8_t *s;
	size_t n;

	if (cur_be16(&c, &cls) != 0 || cur_be16(&c, &mth) != 0)
		goto bad;
	if (cls != 10)
		return 0; /* channel, basic...: past the connection negotiation */
	if (mth == 10 && dir == DIR_S2C) { /* Connection.Start */
		uint8_t maj, min;
		char ver[16];
		const uint8_t *v;
		size_t vl;
		if (cur_u8(&c, &maj) != 0 || cur_u8(&c, &min) != 0 || amqp_table(&c, &tab) != 0 ||
		    amqp_longstr(&c, &s, &n) != 0)
			goto bad;
		snprintf(ver, sizeof(ver), "%u-%u", maj, min);
		obs_detail_str(ctx, "server_version", ver, strlen(ver));
		if (amqp_table_find(tab, "product", &v, &vl) == 1)
			obs_detail_str(ctx, "server_product", v, vl);
		if (amqp_table_find(tab, "version", &v, &vl) == 1)
			obs_detail_str(ctx, "server_product_version", v, vl);
		amqp_words(ctx, "auth_offered", s, n);
		return 0;
	}
	if (mth == 11 && dir == DIR_C2S) { /* Connection.Start-Ok */
		const uint8_t *resp, *v;
		size_t rn, vl;
		if (amqp_table(&c, &tab) != 0 || amqp_shortstr(&c, &s, &n) != 0 ||
		    amqp_longstr(&c, &resp, &rn) != 0)
			goto bad;
		if (amqp_table_find(tab, "product", &v, &vl) == 1)
			obs_detail_str(ctx, "client_product", v, vl);
		obs_security(ctx, SEC_CLEARTEXT);
		sasl_begin(&st->sasl, ctx, (const char *)s, n);
		amqp_start_ok_response(ctx, st, resp, rn);
		return 0;
	}
	if (mth == 40 && dir == DIR_C2S) { /* Connection.Open */
		if (amqp_shortstr(&c, &s, &n) != 0)
			goto bad;
		obs_detail_str(ctx, "virtual_host", s, n);
		return 1;
	}
	if (mth == 50) { /* Connection.Close: reply-code, reply-text */
		uint16_t code;
		if (cur_be16(&c, &code) != 0)
			goto bad;
		obs_detail_int(ctx, "close_code", code);
		return 1;
	}
	return 0;
bad:
	obs_anomaly(ctx, AMQP_ANOM_BAD_METHOD, "class %u method %u", cls, mth);
	return -1;
}

/* --- AMQP 1.0 (OASIS AMQP 1.0 part 1 §1.6 encodings) --- */

/* A descriptor "0x00 0x53 code" or "0x00 0x80 u64". */
static int amqp1_descriptor(struct cur *c, uint64_t *code)
{
	uint8_t b, t;
	*code = 0;
	if (cur_u8(c, &b) != 0 || b != 0x00 || cur_u8(c, &t) != 0)
		return CUR_INVALID;
	if (t == 0x53) {
		uint8_t v;
		if (cur_u8(c, &v) != 0)
			return CUR_INVALID;
		*code = v;
		return 0;
	}
	if (t == 0x80)
		return cur_be64(c, code) == 0 ? 0 : CUR_INVALID;
	return CUR_INVALID;
}

/* A list: list0 (0x45), list8 (0xc0 size count), list32 (0xd0). *items
 * covers the encoded items. */
static int amqp1_list(struct cur *c, struct cur *items, uint32_t *count)
{
	uint8_t t, s8, n8;
	uint32_t s32;
	*count = 0;
	*items = cur_make(c->p, 0);
	if (cur_u8(c, &t) != 0)
		return CUR_INVALID;
	if (t == 0x45)
		return 0;
	if (t == 0xc0) {
		if (cur_u8(c, &s8) != 0 || cur_sub(c, s8, items) != 0 || cur_u8(items, &n8) != 0)
			return CUR_INVALID;
		*count = n8;
		return 0;
	}
	if (t == 0xd0) {
		if (cur_be32(c, &s32) != 0 || cur_sub(c, s32, items) != 0 || cur_be32(items, count) != 0)
			return CUR_INVALID;
		return 0;
	}
	return CUR_INVALID;
}

/* A symbol, string or binary (or null: *s NULL, 0 returned). */
static int amqp1_bytes(struct cur *c, const uint8_t **s, size_t *n)
{
	uint8_t t;
	*s = NULL;
	*n = 0;
	if (cur_u8(c, &t) != 0)
		return CUR_INVALID;
	if (t == 0x40)
		return 0;
	if (t == 0xa0 || t == 0xa1 || t == 0xa3) {
		struct cur sub;
		if (cur_sub_len8(c, &sub) != 0)
			return CUR_INVALID;
		*s = sub.p;
		*n = cur_left(&sub);
		return 0;
	}
	if (t == 0xb0 || t == 0xb1 || t == 0xb3)
		return amqp_longstr(c, s, n) == 0 ? 0 : CUR_INVALID;
	return CUR_INVALID;
}

/* sasl-server-mechanisms: one symbol or an array of symbols. */
static int amqp1_mechanisms(struct dis_ctx *ctx, struct cur *c)
{
	uint8_t t, ctor;
	uint32_t size, count, i;
	struct cur arr;

	if (cur_left(c) > 0 && (c->p[0] == 0xa3 || c->p[0] == 0xb3)) {
		const uint8_t *s;
		size_t n;
		if (amqp1_bytes(c, &s, &n) != 0)
			return CUR_INVALID;
		obs_detail_list_str(ctx, "auth_offered", s, n);
		return 0;
	}
	if (cur_u8(c, &t) != 0)
		return CUR_INVALID;
	if (t == 0xe0) {
		uint8_t s8, n8;
		if (cur_u8(c, &s8) != 0 || cur_sub(c, s8, &arr) != 0 || cur_u8(&arr, &n8) != 0)
			return CUR_INVALID;
		count = n8;
	} else if (t == 0xf0) {
		if (cur_be32(c, &size) != 0 || cur_sub(c, size, &arr) != 0 || cur_be32(&arr, &count) != 0)
			return CUR_INVALID;
	} else {
		return CUR_INVALID;
	}
	if (cur_u8(&arr, &ctor) != 0 || (ctor != 0xa3 && ctor != 0xb3))
		return CUR_INVALID;
	for (i = 0; i < count && i < AMQP_MECHS_MAX; i++) {
		const uint8_t *s;
		size_t n;
		struct cur sub;
		if (ctor == 0xa3) {
			if (cur_sub_len8(&arr, &sub) != 0)
				return CUR_INVALID;
			s = sub.p;
			n = cur_left(&sub);
		} else if (amqp_longstr(&arr, &s, &n) != 0) {
			return CUR_INVALID;
		}
		obs_detail_list_str(ctx, "auth_offered", s, n);
	}
	return 0;
}

/* One AMQP 1.0 SASL frame body. Returns 1 when done, -1 malformed, 0 go on. */
static int amqp1_sasl(struct dis_ctx *ctx, struct amqp_state *st, struct cur body)
{
	uint64_t code;
	struct cur items;
	uint32_t count;
	const uint8_t *s, *ir, *h;
	size_t n, irn, hn;

	if (amqp1_descriptor(&body, &code) != 0 || amqp1_list(&body, &items, &count) != 0)
		goto bad;
	switch (code) {
	case 0x40: /* sasl-mechanisms */
		if (count >= 1 && amqp1_mechanisms(ctx, &items) != 0)
			goto bad;
		return 0;
	case 0x41: /* sasl-init: mechanism, initial-response, hostname */
		if (count < 1 || amqp1_bytes(&items, &s, &n) != 0 || s == NULL)
			goto bad;
		obs_security(ctx, SEC_CLEARTEXT);
		sasl_begin(&st->sasl, ctx, (const char *)s, n);
		if (count >= 2) {
			if (amqp1_bytes(&items, &ir, &irn) != 0)
				goto bad;
			if (ir && sasl_response_raw(&st->sasl, ctx, ir, irn) != 0)
				obs_anomaly(ctx, AMQP_ANOM_BAD_SASL, "%s initial response", st->sasl.mech);
		}
		if (count >= 3 && amqp1_bytes(&items, &h, &hn) == 0 && h)
			obs_detail_str(ctx, "hostname", h, hn);
		return 0;
	case 0x43: /* sasl-response */
		return 0;
	case 0x44: /* sasl-outcome: code ubyte */
		if (count >= 1 && cur_left(&items) >= 2 && items.p[0] == 0x50)
			obs_detail_int(ctx, "sasl_outcome", items.p[1]);
		return 1;
	default:
		return 0;
	}
bad:
	obs_anomaly(ctx, AMQP_ANOM_BAD_SASL, "performative");
	return -1;
}

static const char *amqp1_id_name(uint8_t id)
{
	return id == 0 ? "amqp" : id == 2 ? "tls" : id == 3 ? "sasl" : "other";
}

static struct dis_result amqp_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				    const uint8_t *p, size_t len)
{
	struct amqp_state *st = state;
	struct cur c = cur_make(p, len);

	obs_protocol(ctx, "amqp");
	if (!st->started) {
		st->started = true;
		obs_tls_offered(ctx, false);
		obs_tls_requested(ctx, false);
	}
	for (;;) {
		size_t before = cur_off(&c, p);

		if (dir == DIR_C2S && st->tls_wait)
			return dis_ok(before);
		if (cur_left(&c) == 0)
			return dis_ok(before);
		if (cur_left(&c) >= 1 && c.p[0] == 'A') {
			/* a protocol header (again, in AMQP 1.0 after SASL) */
			const uint8_t *h;
			if (cur_left(&c) < 8)
				return dis_incomplete(before, 8);
			(void)cur_bytes(&c, 8, &h);
			if (memcmp(h, "AMQP", 4) != 0) {
				obs_anomaly(ctx, AMQP_ANOM_BAD_HEADER, NULL);
				return dis_error(before);
			}
			if (h[5] == 1 && h[6] == 0 && h[7] == 0) {
				st->v1 = true;
				st->v1_id[dir] = h[4];
				if (!st->hdr[dir])
					obs_detail_list_str(ctx, dir == DIR_C2S ? "client_protocol_ids"
									   : "server_protocol_ids",
							    amqp1_id_name(h[4]), strlen(amqp1_id_name(h[4])));
				if (!st->hdr[0] && !st->hdr[1])
					obs_detail_str(ctx, "protocol_version", "1.0", 3);
			} else if (!st->hdr[0] && !st->hdr[1]) {
				char v[16];
				if (h[4] == 0)
					snprintf(v, sizeof(v), "%u-%u-%u", h[5], h[6], h[7]);
				else
					snprintf(v, sizeof(v), "%u-%u", h[6], h[7]);
				obs_detail_str(ctx, "protocol_version", v, strlen(v));
			}
			if (dir == DIR_S2C && st->hdr[0] && !st->v1)
				obs_detail_bool(ctx, "version_mismatch", true); /* §4.2.2 */
			st->hdr[dir] = true;
			if (st->v1 && h[4] == 2) {
				if (dir == DIR_C2S) {
					obs_tls_requested(ctx, true);
					st->tls_wait = true;
					return dis_ok(cur_off(&c, p));
				}
				if (st->tls_wait) {
					obs_tls_offered(ctx, true);
					obs_security(ctx, SEC_STARTTLS);
					if (dis_handoff(ctx, "tls") != 0)
						return dis_done(cur_off(&c, p));
					return dis_ok(cur_off(&c, p));
				}
			} else if (dir == DIR_S2C && st->tls_wait) {
				st->tls_wait = false; /* the server answered with another protocol */
				obs_detail_bool(ctx, "tls_refused_by_header", true);
				return dis_done(cur_off(&c, p));
			}
			continue;
		}
		if (st->v1) {
			uint32_t size;
			uint8_t doff, type;
			struct cur fr, body;
			struct cur peek = c;
			if (cur_left(&c) < 8)
				return dis_incomplete(before, 8);
			(void)cur_be32(&peek, &size);
			if (size < 8 || size > AMQP_FRAME_MAX) {
				obs_anomaly(ctx, AMQP_ANOM_FRAME_TOO_LARGE, "1.0 frame size %u", size);
				return dis_error(before);
			}
			if (cur_sub(&c, size, &fr) != 0)
				return dis_incomplete(before, size);
			(void)cur_skip(&fr, 4);
			(void)cur_u8(&fr, &doff);
			(void)cur_u8(&fr, &type);
			if (doff < 2 || cur_skip(&fr, (size_t)doff * 4 - 6) != 0) {
				obs_anomaly(ctx, AMQP_ANOM_BAD_SASL, "data offset %u", doff);
				return dis_error(before);
			}
			body = fr;
			if (cur_left(&body) == 0)
				continue; /* empty frame: heartbeat */
			if (type == 1) {
				int r = amqp1_sasl(ctx, st, body);
				if (r < 0)
					return dis_error(before);
				if (r == 1)
					return dis_done(cur_off(&c, p));
			} else {
				if (obs_get_security(ctx) == SEC_UNKNOWN)
					obs_security(ctx, SEC_CLEARTEXT);
				return dis_done(cur_off(&c, p)); /* open: past negotiation */
			}
			continue;
		} else {
			uint8_t type, end;
			uint16_t ch;
			uint32_t size;
			struct cur pl;
			int r;
			if (cur_left(&c) < 7)
				return dis_incomplete(before, 7);
			(void)cur_u8(&c, &type);
			(void)cur_be16(&c, &ch);
			(void)cur_be32(&c, &size);
			if (size > AMQP_FRAME_MAX) {
				obs_anomaly(ctx, AMQP_ANOM_FRAME_TOO_LARGE, "frame size %u", size);
				return dis_error(before);
			}
			if (cur_sub(&c, size, &pl) != 0 || cur_u8(&c, &end) != 0)
				return dis_incomplete(before, 7 + (size_t)size + 1);
			if (end != AMQP_FRAME_END) {
				obs_anomaly(ctx, AMQP_ANOM_BAD_FRAME_END, "0x%02x", end);
				return dis_error(before);
			}
			if (type != 1 || ch != 0)
				continue; /* heartbeat, or content past negotiation */
			r = amqp_method(ctx, st, dir, pl);
			if (r < 0)
				return dis_error(before);
			if (r == 1)
				return dis_done(cur_off(&c, p));
		}
	}
}

static const uint16_t amqp_ports[] = { 5672, 0 };

const struct dissector dissector_amqp = {
	.name = "amqp",
	.transport = DIS_TCP,
	.ports = amqp_ports,
	.probe = amqp_probe,
	.state_size = sizeof(struct amqp_state),
	.parse = amqp_parse,
	.anomalies = amqp_anomalies,
};
