/* SPDX-License-Identifier: BSD-3-Clause */
/* test_ber.c — the bounded BER reader (src/dissect/ber.c): exact TLV reads, long-form
 * lengths, high tag numbers, truncated vs invalid vs cap, indefinite lengths
 * refused, nesting depth capped, child cursors that cannot escape their
 * parent; plus the SASL helpers of src/dissect/sasl.c (base64 with exact padding,
 * PLAIN authcid extraction). */
#include <stdlib.h>
#include "tap.h"
#include "ber.h"
#include "sasl.h"

static size_t nest(uint8_t *buf, size_t cap, unsigned depth)
{
	/* depth constructed SEQUENCEs around an empty OCTET STRING, built from
	 * the inside out with short-form lengths only (depth <= 60) */
	size_t len = 2;
	unsigned i;
	buf[cap - 2] = 0x04;
	buf[cap - 1] = 0x00;
	for (i = 0; i < depth; i++) {
		buf[cap - len - 1] = (uint8_t)len;
		buf[cap - len - 2] = 0x30;
		len += 2;
	}
	memmove(buf, buf + cap - len, len);
	return len;
}

int main(void)
{
	struct ber_tlv t;
	struct cur c;
	int64_t v;
	size_t total;
	uint8_t buf[256];

	/* INTEGER 5 then OCTET STRING "ab" */
	static const uint8_t a[] = { 0x02, 0x01, 0x05, 0x04, 0x02, 'a', 'b' };
	c = cur_make(a, sizeof(a));
	is_int(ber_read(&c, &t), 0, "read INTEGER");
	is_int(t.cls, BER_CLASS_UNIVERSAL, "universal class");
	is_int(t.tag, 2, "tag 2");
	is_int(t.constructed, 0, "primitive");
	is_int(ber_int(&t, &v), 0, "integer decodes");
	is_int(v, 5, "integer value");
	is_int(ber_expect(&c, BER_CLASS_UNIVERSAL, false, 2, &t), CUR_INVALID, "expect wrong tag");
	is_int(cur_left(&c), 4, "failed expect did not move");
	is_int(ber_expect(&c, BER_CLASS_UNIVERSAL, false, 4, &t), 0, "expect OCTET STRING");
	is_int(cur_left(&t.val), 2, "contents length");
	is_int(cur_left(&c), 0, "all consumed");

	/* negative integer, 8-octet max, 9 octets refused */
	static const uint8_t neg[] = { 0x02, 0x02, 0xff, 0x7f };
	c = cur_make(neg, sizeof(neg));
	ber_read(&c, &t);
	ber_int(&t, &v);
	is_int(v, -129, "negative integer sign-extended");
	static const uint8_t big[] = { 0x02, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	c = cur_make(big, sizeof(big));
	ber_read(&c, &t);
	is_int(ber_int(&t, &v), CUR_INVALID, "9-octet integer refused");

	/* long-form length 0x81 0x80 = 128 bytes; truncated contents */
	static const uint8_t lf[] = { 0x04, 0x81, 0x80, 'x' };
	c = cur_make(lf, sizeof(lf));
	is_int(ber_peek_header(&c, &t, &total), 0, "long-form header");
	is_int(total, 131, "total = header + 128");
	is_int(ber_read(&c, &t), CUR_TRUNC, "contents truncated");
	is_int(cur_left(&c), 4, "truncated read did not move");

	/* header truncated inside the length octets */
	static const uint8_t ht[] = { 0x30, 0x84, 0x00, 0x00 };
	c = cur_make(ht, sizeof(ht));
	is_int(ber_read(&c, &t), CUR_TRUNC, "length octets truncated");

	/* 5 length octets: invalid; 0xff reserved; over the cap */
	static const uint8_t l5[] = { 0x04, 0x85, 0, 0, 0, 0, 1 };
	c = cur_make(l5, sizeof(l5));
	is_int(ber_read(&c, &t), CUR_INVALID, "5-octet length refused");
	static const uint8_t lff[] = { 0x04, 0xff };
	c = cur_make(lff, sizeof(lff));
	is_int(ber_read(&c, &t), CUR_INVALID, "0xff length reserved");
	static const uint8_t lcap[] = { 0x04, 0x84, 0xff, 0xff, 0xff, 0xf0 };
	c = cur_make(lcap, sizeof(lcap));
	is_int(ber_read(&c, &t), CUR_CAP, "4 GiB length over the cap");

	/* indefinite length */
	static const uint8_t ind[] = { 0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00 };
	c = cur_make(ind, sizeof(ind));
	is_int(ber_read(&c, &t), BER_INDEFINITE, "indefinite length refused");
	is_int(ber_validate(ind, sizeof(ind), 16), BER_INDEFINITE, "validate reports indefinite");

	/* high tag number [APPLICATION 200] (0x5f 0x81 0x48), and a too-long tag */
	static const uint8_t hi[] = { 0x5f, 0x81, 0x48, 0x00 };
	c = cur_make(hi, sizeof(hi));
	is_int(ber_read(&c, &t), 0, "high tag number");
	is_int(t.tag, 200, "tag 200");
	is_int(t.cls, BER_CLASS_APPLICATION, "application class");
	static const uint8_t hlong[] = { 0x1f, 0x81, 0x81, 0x81, 0x01, 0x00 };
	c = cur_make(hlong, sizeof(hlong));
	is_int(ber_read(&c, &t), CUR_CAP, "4-octet tag number over the cap");
	static const uint8_t hzero[] = { 0x1f, 0x80, 0x01, 0x00 };
	c = cur_make(hzero, sizeof(hzero));
	is_int(ber_read(&c, &t), CUR_INVALID, "non-minimal tag refused");

	/* child cursor cannot escape: inner length larger than the parent */
	static const uint8_t esc[] = { 0x30, 0x03, 0x04, 0x05, 'a', 'b', 'c', 'd', 'e' };
	c = cur_make(esc, sizeof(esc));
	is_int(ber_read(&c, &t), 0, "outer SEQUENCE");
	is_int(cur_left(&t.val), 3, "child covers 3 bytes");
	{
		struct ber_tlv in;
		struct cur ch = t.val;
		is_int(ber_read(&ch, &in), CUR_TRUNC, "inner TLV cannot read past its parent");
	}
	is_int(ber_validate(esc, 5, 16), CUR_TRUNC, "validate finds the bad inner length");

	/* depth: 16 levels pass, 17 fail, deep nesting capped */
	total = nest(buf, sizeof(buf), 16);
	is_int(ber_validate(buf, total, BER_DEPTH_MAX), 0, "16 levels of nesting pass");
	total = nest(buf, sizeof(buf), 17);
	is_int(ber_validate(buf, total, BER_DEPTH_MAX), BER_TOO_DEEP, "17 levels are too deep");
	total = nest(buf, sizeof(buf), 60);
	is_int(ber_validate(buf, total, 1000), BER_TOO_DEEP, "cap cannot be raised past BER_DEPTH_MAX");

	/* random bytes: never crash, never read outside (run under ASan) */
	srand(4);
	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)(rand() % 64);
		uint8_t *r = malloc(n ? n : 1);
		for (size_t j = 0; j < n; j++)
			r[j] = (uint8_t)(rand() % 4 == 0 ? 0x30 : rand());
		(void)ber_validate(r, n, 16);
		free(r);
	}
	ok(1, "20000 random inputs validated without a crash");

	/* SASL helpers */
	{
		uint8_t out[64];
		size_t n;
		const uint8_t *u;
		size_t ul;
		is_int(sasl_b64_decode("AGFsaWNlAHNlY3JldA==", 20, out, sizeof(out), &n), 0, "base64 decodes");
		is_int(n, 13, "padding removed from the length");
		is_int(sasl_plain_user(out, n, &u, &ul), 0, "PLAIN message parsed");
		ok(ul == 5 && memcmp(u, "alice", 5) == 0, "authcid is alice");
		is_int(sasl_b64_decode("AGFsaWNl*", 9, out, sizeof(out), &n), SASL_ERR_BASE64, "bad length refused");
		is_int(sasl_b64_decode("AG!saWNl", 8, out, sizeof(out), &n), SASL_ERR_BASE64, "bad character refused");
		is_int(sasl_plain_user((const uint8_t *)"nonul", 5, &u, &ul), SASL_ERR_FORMAT, "PLAIN without NUL");
		is_int(sasl_plain_user((const uint8_t *)"\0user", 5, &u, &ul), SASL_ERR_FORMAT, "PLAIN with one NUL");
	}

	return tap_done();
}
