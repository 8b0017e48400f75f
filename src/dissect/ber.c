/* SPDX-License-Identifier: BSD-3-Clause */
/* ber.c — bounded BER reader (X.690 §8.1.2 identifier, §8.1.3 length);
 * contracts in ber.h. */
#include "ber.h"

int ber_peek_header(const struct cur *c, struct ber_tlv *t, size_t *total)
{
	struct cur x = *c;
	uint8_t id, b, lb;
	uint32_t tag;
	size_t len = 0;
	int r, i;

	memset(t, 0, sizeof(*t));
	t->val = cur_make(c->p, 0);
	*total = 0;
	if ((r = cur_u8(&x, &id)) != 0)
		return r;
	tag = id & 0x1f;
	if (tag == 0x1f) {
		/* high tag number form (§8.1.2.4): base-128, at most 3 octets here */
		tag = 0;
		for (i = 0;; i++) {
			if (i == 3)
				return CUR_CAP;
			if ((r = cur_u8(&x, &b)) != 0)
				return r;
			if (i == 0 && b == 0x80)
				return CUR_INVALID; /* leading zero septet */
			tag = (tag << 7) | (b & 0x7f);
			if (!(b & 0x80))
				break;
		}
	}
	if ((r = cur_u8(&x, &lb)) != 0)
		return r;
	if (lb == 0x80)
		return BER_INDEFINITE;
	if (lb == 0xff)
		return CUR_INVALID; /* reserved (§8.1.3.5 c) */
	if (lb & 0x80) {
		int n = lb & 0x7f;
		if (n > 4)
			return CUR_INVALID;
		for (i = 0; i < n; i++) {
			if ((r = cur_u8(&x, &b)) != 0)
				return r;
			len = (len << 8) | b;
		}
	} else {
		len = lb;
	}
	if (len > BER_LEN_MAX)
		return CUR_CAP;
	t->cls = (uint8_t)(id >> 6);
	t->constructed = (id & 0x20) != 0;
	t->tag = tag;
	t->hdr_len = (size_t)(x.p - c->p);
	*total = t->hdr_len + len;
	return CUR_OK;
}

int ber_read(struct cur *c, struct ber_tlv *t)
{
	size_t total;
	struct cur x = *c;
	int r;

	if ((r = ber_peek_header(c, t, &total)) != 0)
		return r;
	if ((r = cur_skip(&x, t->hdr_len)) != 0 || (r = cur_sub(&x, total - t->hdr_len, &t->val)) != 0) {
		t->val = cur_make(c->p, 0);
		return r;
	}
	*c = x;
	return CUR_OK;
}

int ber_expect(struct cur *c, uint8_t cls, bool constructed, uint32_t tag, struct ber_tlv *t)
{
	struct cur save = *c;
	int r = ber_read(c, t);
	if (r != 0)
		return r;
	if (t->cls != cls || t->constructed != constructed || t->tag != tag) {
		*c = save;
		return CUR_INVALID;
	}
	return CUR_OK;
}

int ber_int(const struct ber_tlv *t, int64_t *v)
{
	size_t n = cur_left(&t->val), i;
	uint64_t u;

	*v = 0;
	if (n == 0 || n > 8)
		return CUR_INVALID;
	u = (t->val.p[0] & 0x80) ? UINT64_MAX : 0; /* sign extension */
	for (i = 0; i < n; i++)
		u = (u << 8) | t->val.p[i];
	*v = (int64_t)u;
	return CUR_OK;
}

static int ber_walk(struct cur c, unsigned depth, unsigned max_depth)
{
	while (cur_left(&c) > 0) {
		struct ber_tlv t;
		int r = ber_read(&c, &t);
		if (r != 0)
			return r;
		if (t.constructed) {
			if (depth + 1 > max_depth)
				return BER_TOO_DEEP;
			if ((r = ber_walk(t.val, depth + 1, max_depth)) != 0)
				return r;
		}
	}
	return CUR_OK;
}

int ber_validate(const uint8_t *p, size_t len, unsigned max_depth)
{
	if (max_depth > BER_DEPTH_MAX)
		max_depth = BER_DEPTH_MAX;
	return ber_walk(cur_make(p, len), 0, max_depth);
}
