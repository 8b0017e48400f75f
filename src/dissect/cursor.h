/* SPDX-License-Identifier: BSD-3-Clause */
/* cursor.h — the one bounded reader for untrusted bytes (after OpenSSH's sshbuf).
 *
 * A `struct cur` is a (pointer, end) window over bytes the caller owns; it
 * never allocates and never copies. Every getter returns 0 on success or a
 * negative code and writes its result through an out-parameter that is
 * cleared first; on failure the cursor has not moved (no half-consumed reads).
 *
 *   CUR_TRUNC   the bytes end before the item does: more data may fix it
 *   CUR_INVALID the bytes can never be valid (protocol violation)
 *   CUR_CAP     a length or count is over a cap the caller set
 *
 * Bounds are checked in subtraction form, `n > (size_t)(end - p)`, never as
 * `p + n > end` (pointer overflow is undefined; CERT VU#162289).
 *
 * Length-prefixed units are read with cur_sub*: the child cursor covers the
 * unit only, so a bad inner length cannot read past its parent.
 */
#ifndef WA_CURSOR_H
#define WA_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CUR_OK 0
#define CUR_TRUNC (-1)
#define CUR_INVALID (-2)
#define CUR_CAP (-3)

struct cur {
	const uint8_t *p;
	const uint8_t *end;
};

static inline struct cur cur_make(const void *p, size_t len)
{
	struct cur c;
	c.p = (const uint8_t *)p;
	c.end = c.p + len;
	return c;
}

/* Bytes left. */
static inline size_t cur_left(const struct cur *c)
{
	return (size_t)(c->end - c->p);
}

/* Offset of the cursor from `base` (the start of the buffer it was made on). */
static inline size_t cur_off(const struct cur *c, const void *base)
{
	return (size_t)(c->p - (const uint8_t *)base);
}

static inline int cur_need(const struct cur *c, size_t n)
{
	return n > (size_t)(c->end - c->p) ? CUR_TRUNC : CUR_OK;
}

static inline int cur_skip(struct cur *c, size_t n)
{
	if (n > cur_left(c))
		return CUR_TRUNC;
	c->p += n;
	return CUR_OK;
}

static inline int cur_u8(struct cur *c, uint8_t *v)
{
	*v = 0;
	if (cur_left(c) < 1)
		return CUR_TRUNC;
	*v = c->p[0];
	c->p += 1;
	return CUR_OK;
}

static inline int cur_be16(struct cur *c, uint16_t *v)
{
	*v = 0;
	if (cur_left(c) < 2)
		return CUR_TRUNC;
	*v = (uint16_t)((c->p[0] << 8) | c->p[1]);
	c->p += 2;
	return CUR_OK;
}

static inline int cur_be24(struct cur *c, uint32_t *v)
{
	*v = 0;
	if (cur_left(c) < 3)
		return CUR_TRUNC;
	*v = ((uint32_t)c->p[0] << 16) | ((uint32_t)c->p[1] << 8) | c->p[2];
	c->p += 3;
	return CUR_OK;
}

static inline int cur_be32(struct cur *c, uint32_t *v)
{
	*v = 0;
	if (cur_left(c) < 4)
		return CUR_TRUNC;
	*v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) |
	     ((uint32_t)c->p[2] << 8) | c->p[3];
	c->p += 4;
	return CUR_OK;
}

static inline int cur_be64(struct cur *c, uint64_t *v)
{
	uint32_t hi, lo;
	*v = 0;
	if (cur_left(c) < 8)
		return CUR_TRUNC;
	(void)cur_be32(c, &hi);
	(void)cur_be32(c, &lo);
	*v = ((uint64_t)hi << 32) | lo;
	return CUR_OK;
}

static inline int cur_le16(struct cur *c, uint16_t *v)
{
	*v = 0;
	if (cur_left(c) < 2)
		return CUR_TRUNC;
	*v = (uint16_t)(c->p[0] | (c->p[1] << 8));
	c->p += 2;
	return CUR_OK;
}

static inline int cur_le24(struct cur *c, uint32_t *v)
{
	*v = 0;
	if (cur_left(c) < 3)
		return CUR_TRUNC;
	*v = (uint32_t)c->p[0] | ((uint32_t)c->p[1] << 8) | ((uint32_t)c->p[2] << 16);
	c->p += 3;
	return CUR_OK;
}

static inline int cur_le32(struct cur *c, uint32_t *v)
{
	*v = 0;
	if (cur_left(c) < 4)
		return CUR_TRUNC;
	*v = (uint32_t)c->p[0] | ((uint32_t)c->p[1] << 8) |
	     ((uint32_t)c->p[2] << 16) | ((uint32_t)c->p[3] << 24);
	c->p += 4;
	return CUR_OK;
}

static inline int cur_le64(struct cur *c, uint64_t *v)
{
	uint32_t lo, hi;
	*v = 0;
	if (cur_left(c) < 8)
		return CUR_TRUNC;
	(void)cur_le32(c, &lo);
	(void)cur_le32(c, &hi);
	*v = ((uint64_t)hi << 32) | lo;
	return CUR_OK;
}

/* Zero-copy: *out points into the buffer, valid as long as the buffer is. */
static inline int cur_bytes(struct cur *c, size_t n, const uint8_t **out)
{
	*out = NULL;
	if (n > cur_left(c))
		return CUR_TRUNC;
	*out = c->p;
	c->p += n;
	return CUR_OK;
}

/* Copy n bytes out. */
static inline int cur_copy(struct cur *c, void *dst, size_t n)
{
	if (n > cur_left(c))
		return CUR_TRUNC;
	memcpy(dst, c->p, n);
	c->p += n;
	return CUR_OK;
}

/* Child cursor over the next n bytes; the parent moves past them. */
static inline int cur_sub(struct cur *c, size_t n, struct cur *sub)
{
	sub->p = sub->end = c->p;
	if (n > cur_left(c))
		return CUR_TRUNC;
	sub->p = c->p;
	sub->end = c->p + n;
	c->p += n;
	return CUR_OK;
}

/* Length-prefixed vectors (TLS style). On failure the parent has not moved. */
static inline int cur_sub_len8(struct cur *c, struct cur *sub)
{
	struct cur save = *c;
	uint8_t n;
	int r;
	if ((r = cur_u8(c, &n)) != 0 || (r = cur_sub(c, n, sub)) != 0) {
		*c = save;
		return r;
	}
	return CUR_OK;
}

static inline int cur_sub_len16(struct cur *c, struct cur *sub)
{
	struct cur save = *c;
	uint16_t n;
	int r;
	if ((r = cur_be16(c, &n)) != 0 || (r = cur_sub(c, n, sub)) != 0) {
		*c = save;
		return r;
	}
	return CUR_OK;
}

static inline int cur_sub_len24(struct cur *c, struct cur *sub)
{
	struct cur save = *c;
	uint32_t n;
	int r;
	if ((r = cur_be24(c, &n)) != 0 || (r = cur_sub(c, n, sub)) != 0) {
		*c = save;
		return r;
	}
	return CUR_OK;
}

/* NUL-terminated string of at most max bytes (not counting the NUL).
 * *s points into the buffer, *len excludes the NUL; the cursor moves past
 * the NUL. No NUL within max bytes: CUR_CAP if max bytes are present,
 * CUR_TRUNC otherwise. */
static inline int cur_cstr(struct cur *c, size_t max, const char **s, size_t *len)
{
	size_t n = cur_left(c);
	const uint8_t *z;
	*s = NULL;
	*len = 0;
	if (n > max + 1)
		n = max + 1;
	z = (const uint8_t *)memchr(c->p, 0, n);
	if (z == NULL)
		return cur_left(c) > max ? CUR_CAP : CUR_TRUNC;
	*s = (const char *)c->p;
	*len = (size_t)(z - c->p);
	c->p = z + 1;
	return CUR_OK;
}

/* A text line ending in LF (CRLF or bare LF), at most max bytes including the
 * terminator. *line and *len exclude the CR/LF; the cursor moves past the LF. */
static inline int cur_line(struct cur *c, size_t max, const char **line, size_t *len)
{
	size_t n = cur_left(c);
	const uint8_t *nl;
	*line = NULL;
	*len = 0;
	if (n > max)
		n = max;
	nl = (const uint8_t *)memchr(c->p, '\n', n);
	if (nl == NULL)
		return cur_left(c) >= max ? CUR_CAP : CUR_TRUNC;
	*line = (const char *)c->p;
	*len = (size_t)(nl - c->p);
	if (*len > 0 && c->p[*len - 1] == '\r')
		(*len)--;
	c->p = nl + 1;
	return CUR_OK;
}

/* MySQL length-encoded integer (protocol::LengthEncodedInteger). 0xfb (NULL)
 * and 0xff (error marker) are CUR_INVALID here; the caller checks first when
 * they mean something. */
static inline int cur_lenenc(struct cur *c, uint64_t *v)
{
	struct cur save = *c;
	uint8_t b;
	int r;
	*v = 0;
	if ((r = cur_u8(c, &b)) != 0)
		return r;
	if (b < 0xfb) {
		*v = b;
		return CUR_OK;
	}
	if (b == 0xfc) {
		uint16_t x;
		r = cur_le16(c, &x);
		*v = x;
	} else if (b == 0xfd) {
		uint32_t x;
		r = cur_le24(c, &x);
		*v = x;
	} else if (b == 0xfe) {
		r = cur_le64(c, v);
	} else {
		r = CUR_INVALID;
	}
	if (r != 0)
		*c = save;
	return r;
}

/* 0 when the cursor is exactly at its end, CUR_INVALID when bytes remain. */
static inline int cur_expect_end(const struct cur *c)
{
	return c->p == c->end ? CUR_OK : CUR_INVALID;
}

/* Match a literal prefix without consuming: 0 on match, CUR_TRUNC when the
 * bytes present are a prefix of lit, CUR_INVALID otherwise. */
static inline int cur_peek_lit(const struct cur *c, const void *lit, size_t n)
{
	size_t have = cur_left(c);
	if (have >= n)
		return memcmp(c->p, lit, n) == 0 ? CUR_OK : CUR_INVALID;
	return memcmp(c->p, lit, have) == 0 ? CUR_TRUNC : CUR_INVALID;
}

#endif /* WA_CURSOR_H */
