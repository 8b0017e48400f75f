/* SPDX-License-Identifier: BSD-3-Clause */
/* json.h — a small JSON writer into a growable buffer (RFC 8259).
 *
 * Commas are placed by the writer: callers only open/close containers, write
 * keys and values. Strings from the wire go through jb_strn, which escapes
 * control characters and writes bytes that are not valid UTF-8 as the code
 * point of the same value (U+0080..U+00FF), so output is always valid UTF-8
 * JSON. Allocation failure or misuse sets jb->err; the text is then unusable.
 */
#ifndef WA_JSON_H
#define WA_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#define JB_MAX_DEPTH 32

struct jbuf {
	char *s;
	size_t len, cap;
	int err;
	int depth;
	bool first[JB_MAX_DEPTH]; /* next value at this depth is the first */
	bool after_key;
};

void jb_init(struct jbuf *jb);
void jb_free(struct jbuf *jb);
void jb_reset(struct jbuf *jb);
/* The NUL-terminated text; owned by jb (NULL-safe: returns "" on error). */
const char *jb_str(const struct jbuf *jb);
/* Hand the text to the caller (malloc'd, free() it); jb is reset. NULL on error. */
char *jb_take(struct jbuf *jb);
/* Streaming: writes the text so far to out and empties the buffer, keeping
 * the nesting state, so a large document is written piece by piece.
 * Returns 0, or -1 on an earlier error or a write error. */
int jb_flush_to(struct jbuf *jb, FILE *out);

void jb_obj_open(struct jbuf *jb);
void jb_obj_close(struct jbuf *jb);
void jb_arr_open(struct jbuf *jb);
void jb_arr_close(struct jbuf *jb);
void jb_key(struct jbuf *jb, const char *key);
void jb_string(struct jbuf *jb, const char *s);          /* NULL writes null */
void jb_strn(struct jbuf *jb, const void *s, size_t n);  /* any bytes */
void jb_int(struct jbuf *jb, int64_t v);
void jb_uint(struct jbuf *jb, uint64_t v);
void jb_bool(struct jbuf *jb, bool v);
void jb_null(struct jbuf *jb);
/* Splice already-valid JSON text as one value. */
void jb_raw(struct jbuf *jb, const char *json);
/* Bytes as they are, outside the JSON structure (framing a message that
 * holds JSON: a newline, a syslog header). */
void jb_bytes(struct jbuf *jb, const void *p, size_t n);
/* The text a JSON reader gets back from jb_strn(s, n), up to a NUL; malloc'd. */
char *jb_unescaped_copy(const void *s, size_t n);

/* key + value shorthands */
void jb_kv_str(struct jbuf *jb, const char *k, const char *v);
void jb_kv_int(struct jbuf *jb, const char *k, int64_t v);
void jb_kv_bool(struct jbuf *jb, const char *k, bool v);
/* a tri-state: v < 0 writes null, else a boolean */
void jb_kv_tri(struct jbuf *jb, const char *k, int v);

/* Append s (n bytes) escaped as the inside of a JSON string, no quotes. */
void jb_escape(struct jbuf *jb, const void *s, size_t n);

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if not valid. */
size_t utf8_seq_len(const uint8_t *p, size_t n);

#endif
