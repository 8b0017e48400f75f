/* SPDX-License-Identifier: BSD-3-Clause */
/* test_cursor.c — the bounded cursor: exact reads, no half-consumed reads,
 * truncated vs invalid vs cap, sub-cursors that cannot escape their parent,
 * and a random-input sweep (after OpenSSH regress/unittests/sshbuf). */
#include <stdlib.h>
#include "tap.h"
#include "cursor.h"

int main(void)
{
	static const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };
	struct cur c = cur_make(b, sizeof(b)), s;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	const uint8_t *pp;
	const char *str;
	size_t len;

	is_int(cur_be16(&c, &u16), 0, "be16 ok");
	is_int(u16, 0x0102, "be16 value");
	is_int(cur_be24(&c, &u32), 0, "be24 ok");
	is_int(u32, 0x030405, "be24 value");
	is_int(cur_le32(&c, &u32), 0, "le32 ok");
	is_int(u32, 0x09080706, "le32 value");
	is_int(cur_left(&c), 0, "all consumed");
	is_int(cur_u8(&c, &u8), CUR_TRUNC, "u8 past end is truncated");
	is_int(u8, 0, "out-param cleared on failure");

	c = cur_make(b, 3);
	is_int(cur_be32(&c, &u32), CUR_TRUNC, "be32 on 3 bytes truncated");
	is_int(cur_left(&c), 3, "failed read did not move the cursor");
	is_int(cur_le24(&c, &u32), 0, "le24 ok");
	is_int(u32, 0x030201, "le24 value");

	c = cur_make(b, sizeof(b));
	is_int(cur_be64(&c, &u64), 0, "be64 ok");
	ok(u64 == 0x0102030405060708ULL, "be64 value");
	c = cur_make(b, sizeof(b));
	is_int(cur_le64(&c, &u64), 0, "le64 ok");
	ok(u64 == 0x0807060504030201ULL, "le64 value");

	/* length-prefixed vectors */
	static const uint8_t v[] = { 0x00, 0x03, 'a', 'b', 'c', 'z' };
	c = cur_make(v, sizeof(v));
	is_int(cur_sub_len16(&c, &s), 0, "sub16 ok");
	is_int(cur_left(&s), 3, "sub16 length");
	is_int(cur_left(&c), 1, "parent moved past the vector");
	is_int(cur_skip(&s, 4), CUR_TRUNC, "child cannot read past its end");
	static const uint8_t vbad[] = { 0x00, 0x09, 'a', 'b' };
	c = cur_make(vbad, sizeof(vbad));
	is_int(cur_sub_len16(&c, &s), CUR_TRUNC, "sub16 overrun is truncated");
	is_int(cur_left(&c), 4, "parent not moved on failure");
	static const uint8_t v24[] = { 0xff, 0xff, 0xff, 1 };
	c = cur_make(v24, sizeof(v24));
	is_int(cur_sub_len24(&c, &s), CUR_TRUNC, "16 MiB length on 1 byte is truncated");
	static const uint8_t v8[] = { 2, 'x', 'y' };
	c = cur_make(v8, sizeof(v8));
	is_int(cur_sub_len8(&c, &s), 0, "sub8 ok");
	is_int(cur_bytes(&s, 2, &pp), 0, "bytes ok");
	ok(pp == v8 + 1, "bytes is zero-copy");

	/* C strings and lines */
	static const char cs[] = "user\0postgres\0";
	c = cur_make(cs, sizeof(cs) - 1);
	is_int(cur_cstr(&c, 64, &str, &len), 0, "cstr ok");
	is_int(len, 4, "cstr length");
	ok(memcmp(str, "user", 4) == 0, "cstr text");
	is_int(cur_cstr(&c, 4, &str, &len), CUR_CAP, "cstr over cap");
	is_int(cur_cstr(&c, 64, &str, &len), 0, "cstr within cap");
	is_int(len, 8, "second cstr length");
	c = cur_make("abc", 3);
	is_int(cur_cstr(&c, 64, &str, &len), CUR_TRUNC, "cstr without NUL is truncated");
	static const char ln[] = "EHLO x\r\nQUIT\nrest";
	c = cur_make(ln, sizeof(ln) - 1);
	is_int(cur_line(&c, 100, &str, &len), 0, "line CRLF");
	is_int(len, 6, "line excludes CRLF");
	is_int(cur_line(&c, 100, &str, &len), 0, "line LF");
	is_int(len, 4, "line excludes LF");
	is_int(cur_line(&c, 100, &str, &len), CUR_TRUNC, "partial line truncated");
	is_int(cur_line(&c, 3, &str, &len), CUR_CAP, "line over cap");

	/* MySQL length-encoded integers */
	static const uint8_t le1[] = { 0xfa }, le2[] = { 0xfc, 0x34, 0x12 }, le3[] = { 0xfd, 1, 2, 3 },
		le8[] = { 0xfe, 1, 0, 0, 0, 0, 0, 0, 0x80 }, lebad[] = { 0xff }, letr[] = { 0xfd, 1 };
	c = cur_make(le1, 1);
	is_int(cur_lenenc(&c, &u64), 0, "lenenc 1 byte");
	is_int(u64, 250, "lenenc 250");
	c = cur_make(le2, 3);
	cur_lenenc(&c, &u64);
	is_int(u64, 0x1234, "lenenc 0xfc");
	c = cur_make(le3, 4);
	cur_lenenc(&c, &u64);
	is_int(u64, 0x030201, "lenenc 0xfd");
	c = cur_make(le8, 9);
	cur_lenenc(&c, &u64);
	ok(u64 == 0x8000000000000001ULL, "lenenc 0xfe");
	c = cur_make(lebad, 1);
	is_int(cur_lenenc(&c, &u64), CUR_INVALID, "lenenc 0xff invalid");
	c = cur_make(letr, 2);
	is_int(cur_lenenc(&c, &u64), CUR_TRUNC, "lenenc truncated");
	is_int(cur_left(&c), 2, "lenenc failure does not move");

	/* literal peeks */
	c = cur_make("HTT", 3);
	is_int(cur_peek_lit(&c, "HTTP/1.", 7), CUR_TRUNC, "peek prefix needs more");
	c = cur_make("SSH-2", 5);
	is_int(cur_peek_lit(&c, "HTTP/1.", 7), CUR_INVALID, "peek mismatch");
	c = cur_make("", 0);
	is_int(cur_expect_end(&c), 0, "expect_end at end");

	/* Random input: every getter sequence stays inside the buffer. The
	 * buffer is heap-allocated to its exact size, so ASan catches a read
	 * one past the end. */
	srand(12345);
	int violations = 0;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = (size_t)(rand() % 40);
		uint8_t *buf = malloc(n ? n : 1);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)rand();
		struct cur r = cur_make(buf, n), sub;
		for (int k = 0; k < 12; k++) {
			size_t before = cur_left(&r);
			int rr = 0;
			switch (rand() % 9) {
			case 0: rr = cur_u8(&r, &u8); break;
			case 1: rr = cur_be16(&r, &u16); break;
			case 2: rr = cur_be24(&r, &u32); break;
			case 3: rr = cur_le32(&r, &u32); break;
			case 4: rr = cur_sub_len8(&r, &sub); if (!rr) (void)cur_skip(&sub, cur_left(&sub)); break;
			case 5: rr = cur_sub_len16(&r, &sub); break;
			case 6: rr = cur_cstr(&r, 8, &str, &len); break;
			case 7: rr = cur_lenenc(&r, &u64); break;
			case 8: rr = cur_line(&r, 16, &str, &len); break;
			}
			if (rr != 0 && cur_left(&r) != before)
				violations++;
			if (cur_left(&r) > n)
				violations++;
		}
		free(buf);
	}
	is_int(violations, 0, "20000 random sequences: failed reads never move, never escape");
	return tap_done();
}
