/* SPDX-License-Identifier: BSD-3-Clause */
/* json.c — JSON writer; see json.h. */
#include "json.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jb_init(struct jbuf *jb)
{
	memset(jb, 0, sizeof(*jb));
	jb->first[0] = true;
}

void jb_free(struct jbuf *jb)
{
	free(jb->s);
	jb_init(jb);
}

void jb_reset(struct jbuf *jb)
{
	char *s = jb->s;
	size_t cap = jb->cap;
	jb_init(jb);
	jb->s = s;
	jb->cap = cap;
	if (s)
		s[0] = 0;
}

const char *jb_str(const struct jbuf *jb)
{
	if (jb->err || jb->s == NULL)
		return "";
	return jb->s;
}

int jb_flush_to(struct jbuf *jb, FILE *out)
{
	if (jb->err)
		return -1;
	if (jb->len > 0 && fwrite(jb->s, 1, jb->len, out) != jb->len)
		return -1;
	jb->len = 0;
	if (jb->s)
		jb->s[0] = 0;
	return 0;
}

char *jb_take(struct jbuf *jb)
{
	char *s = jb->err ? NULL : jb->s;
	if (jb->err)
		free(jb->s);
	else if (s == NULL)
		s = strdup("");
	jb_init(jb);
	return s;
}

static void jb_grow_put(struct jbuf *jb, const char *p, size_t n)
{
	if (jb->err)
		return;
	{
		size_t ncap = jb->cap ? jb->cap : 256;
		while (n + 1 > ncap - jb->len) {
			if (ncap > ((size_t)1 << 30)) {
				jb->err = 1;
				return;
			}
			ncap *= 2;
		}
		char *ns = realloc(jb->s, ncap);
		if (ns == NULL) {
			jb->err = 1;
			return;
		}
		jb->s = ns;
		jb->cap = ncap;
	}
	memcpy(jb->s + jb->len, p, n);
	jb->len += n;
	jb->s[jb->len] = 0;
}

/* The common case inline: room in the buffer (jb->s is NULL only when cap
 * is 0, and err leaves cap as it was but is checked in the slow path). */
static inline void jb_put(struct jbuf *jb, const char *p, size_t n)
{
	if (n + 1 <= jb->cap - jb->len && !jb->err) {
		memcpy(jb->s + jb->len, p, n);
		jb->len += n;
		jb->s[jb->len] = 0;
		return;
	}
	jb_grow_put(jb, p, n);
}

static void jb_putc(struct jbuf *jb, char c)
{
	jb_put(jb, &c, 1);
}

/* Before any value: a comma unless it is the first in its container or
 * follows a key. */
static void jb_pre_value(struct jbuf *jb)
{
	if (jb->after_key) {
		jb->after_key = false;
		return;
	}
	if (!jb->first[jb->depth])
		jb_putc(jb, ',');
	jb->first[jb->depth] = false;
}

static void jb_open(struct jbuf *jb, char c)
{
	jb_pre_value(jb);
	jb_putc(jb, c);
	if (jb->depth + 1 >= JB_MAX_DEPTH) {
		jb->err = 1;
		return;
	}
	jb->depth++;
	jb->first[jb->depth] = true;
}

static void jb_close(struct jbuf *jb, char c)
{
	if (jb->depth == 0) {
		jb->err = 1;
		return;
	}
	jb->depth--;
	jb_putc(jb, c);
}

void jb_obj_open(struct jbuf *jb) { jb_open(jb, '{'); }
void jb_obj_close(struct jbuf *jb) { jb_close(jb, '}'); }
void jb_arr_open(struct jbuf *jb) { jb_open(jb, '['); }
void jb_arr_close(struct jbuf *jb) { jb_close(jb, ']'); }

size_t utf8_seq_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		if (n >= 2 && (p[1] & 0xc0) == 0x80)
			return 2;
		return 0;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0; /* surrogates */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

void jb_escape(struct jbuf *jb, const void *sv, size_t n)
{
	const uint8_t *s = sv;
	size_t i = 0, run = 0;
	char tmp[8];

	while (i < n) {
		uint8_t c = s[i];
		size_t l;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			run++;
			i++;
			continue;
		}
		if (c >= 0x80 && (l = utf8_seq_len(s + i, n - i)) > 0) {
			/* U+2028/2029 are valid JSON but break JavaScript embedding. */
			if (l == 3 && c == 0xe2 && s[i + 1] == 0x80 &&
			    (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
				jb_put(jb, (const char *)s + i - run, run);
				run = 0;
				snprintf(tmp, sizeof(tmp), "\\u%04x", 0x2000 | (s[i + 2] == 0xa8 ? 0x28 : 0x29));
				jb_put(jb, tmp, 6);
				i += 3;
				continue;
			}
			run += l;
			i += l;
			continue;
		}
		jb_put(jb, (const char *)s + i - run, run);
		run = 0;
		switch (c) {
		case '"': jb_put(jb, "\\\"", 2); break;
		case '\\': jb_put(jb, "\\\\", 2); break;
		case '\n': jb_put(jb, "\\n", 2); break;
		case '\r': jb_put(jb, "\\r", 2); break;
		case '\t': jb_put(jb, "\\t", 2); break;
		default:
			/* control characters, DEL, and invalid UTF-8 bytes */
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			jb_put(jb, tmp, 6);
		}
		i++;
	}
	jb_put(jb, (const char *)s + i - run, run);
}

void jb_key(struct jbuf *jb, const char *key)
{
	char tmp[80];
	size_t n = strlen(key), k = 0, i;

	/* keys are the program's own short ASCII names: one put for
	 * ,"key": when nothing in it needs escaping */
	if (n <= sizeof(tmp) - 5) {
		for (i = 0; i < n; i++)
			if (key[i] < 0x20 || key[i] >= 0x7f || key[i] == '"' || key[i] == '\\')
				break;
		if (i == n) {
			if (jb->after_key)
				jb->after_key = false;
			else {
				if (!jb->first[jb->depth])
					tmp[k++] = ',';
				jb->first[jb->depth] = false;
			}
			tmp[k++] = '"';
			memcpy(tmp + k, key, n);
			k += n;
			tmp[k++] = '"';
			tmp[k++] = ':';
			jb_put(jb, tmp, k);
			jb->after_key = true;
			return;
		}
	}
	jb_pre_value(jb);
	jb_putc(jb, '"');
	jb_escape(jb, key, n);
	jb_put(jb, "\":", 2);
	jb->after_key = true;
}

void jb_strn(struct jbuf *jb, const void *s, size_t n)
{
	jb_pre_value(jb);
	jb_putc(jb, '"');
	jb_escape(jb, s, n);
	jb_putc(jb, '"');
}

void jb_string(struct jbuf *jb, const char *s)
{
	if (s == NULL)
		jb_null(jb);
	else
		jb_strn(jb, s, strlen(s));
}

void jb_int(struct jbuf *jb, int64_t v)
{
	char tmp[24];
	size_t n = i64_to_dec(v, tmp);
	jb_pre_value(jb);
	jb_put(jb, tmp, n);
}

void jb_uint(struct jbuf *jb, uint64_t v)
{
	char tmp[24];
	size_t n = u64_to_dec(v, tmp);
	jb_pre_value(jb);
	jb_put(jb, tmp, n);
}

void jb_bool(struct jbuf *jb, bool v)
{
	jb_pre_value(jb);
	if (v)
		jb_put(jb, "true", 4);
	else
		jb_put(jb, "false", 5);
}

void jb_null(struct jbuf *jb)
{
	jb_pre_value(jb);
	jb_put(jb, "null", 4);
}

void jb_bytes(struct jbuf *jb, const void *p, size_t n)
{
	jb_put(jb, p, n);
}

void jb_raw(struct jbuf *jb, const char *json)
{
	jb_pre_value(jb);
	jb_put(jb, json, strlen(json));
}

void jb_kv_str(struct jbuf *jb, const char *k, const char *v)
{
	jb_key(jb, k);
	jb_string(jb, v);
}

void jb_kv_int(struct jbuf *jb, const char *k, int64_t v)
{
	jb_key(jb, k);
	jb_int(jb, v);
}

void jb_kv_bool(struct jbuf *jb, const char *k, bool v)
{
	jb_key(jb, k);
	jb_bool(jb, v);
}

void jb_kv_tri(struct jbuf *jb, const char *k, int v)
{
	jb_key(jb, k);
	if (v < 0)
		jb_null(jb);
	else
		jb_bool(jb, v != 0);
}

/* The text a JSON reader gets back from jb_strn(s, n), up to the first NUL
 * (what the store's json_extract() gave before issue 12, kept for the CSV
 * and text exports): valid UTF-8 stays, a byte jb_escape wrote as \u00XX
 * comes back as U+00XX (two bytes in UTF-8 from 0x80). malloc'd. */
char *jb_unescaped_copy(const void *sv, size_t n)
{
	const uint8_t *s = sv;
	char *o = malloc(2 * n + 1), *p = o;
	size_t i = 0, l;

	if (o == NULL)
		return NULL;
	while (i < n && s[i] != 0) {
		if (s[i] >= 0x80 && (l = utf8_seq_len(s + i, n - i)) > 0) {
			memcpy(p, s + i, l);
			p += l;
			i += l;
		} else if (s[i] >= 0x80) {
			*p++ = (char)(0xc0 | s[i] >> 6);
			*p++ = (char)(0x80 | (s[i] & 0x3f));
			i++;
		} else {
			*p++ = (char)s[i++];
		}
	}
	*p = 0;
	return o;
}
