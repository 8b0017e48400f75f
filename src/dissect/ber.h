/* SPDX-License-Identifier: BSD-3-Clause */
/* ber.h — a small bounded BER reader (ITU-T X.690 §8.1) on top of cursor.h,
 * for LDAP (RFC 4511 §5.1: definite lengths only).
 *
 *   +-----------------+------------------+-----------------+
 *   | identifier      | length           | contents        |
 *   | class|P/C|tag   | short / long form| (length bytes)  |
 *   +-----------------+------------------+-----------------+
 *
 * Every TLV is read into a child cursor covering its contents only, so a bad
 * inner length cannot read outside its parent. Caps: tag numbers up to
 * 2^21 (3 continuation bytes), long-form lengths of at most 4 octets and
 * BER_LEN_MAX bytes, nesting depth BER_DEPTH_MAX in ber_validate().
 */
#ifndef WA_BER_H
#define WA_BER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

/* Extra return codes beside the cursor's (CUR_TRUNC, CUR_INVALID, CUR_CAP). */
#define BER_INDEFINITE (-10) /* length octet 0x80: not allowed in LDAP */
#define BER_TOO_DEEP (-11)   /* nesting over the depth cap */

#define BER_LEN_MAX (16u << 20) /* 16 MiB: far above any LDAP PDU we parse */
#define BER_DEPTH_MAX 16

#define BER_CLASS_UNIVERSAL 0
#define BER_CLASS_APPLICATION 1
#define BER_CLASS_CONTEXT 2
#define BER_CLASS_PRIVATE 3

struct ber_tlv {
	uint8_t cls;        /* BER_CLASS_* */
	bool constructed;
	uint32_t tag;       /* tag number */
	size_t hdr_len;     /* identifier + length octets */
	struct cur val;     /* the contents */
};

/* Reads the identifier and length of the next TLV without needing its
 * contents: fills t (t->val is empty) and *total (header + contents).
 * Returns 0, CUR_TRUNC (header incomplete), CUR_INVALID (e.g. a length of
 * more than 4 octets or a non-minimal tag), CUR_CAP (length > BER_LEN_MAX),
 * BER_INDEFINITE. The cursor does not move. */
int ber_peek_header(const struct cur *c, struct ber_tlv *t, size_t *total);

/* Reads one whole TLV; t->val is a child cursor over the contents. Same
 * returns as ber_peek_header, plus CUR_TRUNC when the contents are not all
 * there. On failure the cursor has not moved. */
int ber_read(struct cur *c, struct ber_tlv *t);

/* Reads one TLV and checks its class, form and tag: CUR_INVALID if they
 * differ (the cursor does not move then). */
int ber_expect(struct cur *c, uint8_t cls, bool constructed, uint32_t tag, struct ber_tlv *t);

/* INTEGER / ENUMERATED contents (two's complement, 1..8 octets). */
int ber_int(const struct ber_tlv *t, int64_t *v);

/* Walks every TLV of [p, p+len) recursively (constructed ones are entered)
 * and checks that all of it is well formed and at most max_depth deep
 * (capped at BER_DEPTH_MAX). Returns 0, BER_TOO_DEEP, or a read error. */
int ber_validate(const uint8_t *p, size_t len, unsigned max_depth);

#endif
