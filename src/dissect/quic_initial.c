/* SPDX-License-Identifier: BSD-3-Clause */
/* quic.c — QUIC Initial (and, with a key log, Handshake) packet protection
 * and parsing: RFC 9001 §5.1 (keys from a traffic secret); RFC 9000 §16
 * (variable-length integers), §17.2 (long header), §19 (frames), §A.3
 * (packet number decoding); RFC 9001 §5.2 (Initial secrets), §5.3 (AEAD),
 * §5.4 (header protection); RFC 9369 §3 (QUIC v2 salt, labels, types);
 * RFC 8446 §7.1 (HKDF-Expand-Label); the Internet-Drafts still met in the
 * field: draft-ietf-quic-tls-23 §5.2 (salt of drafts 23-28) and
 * draft-ietf-quic-tls-29 §5.2 (salt of drafts 29-32); their packet
 * layout and labels are v1's. Contracts in quic.h.
 *
 *   Long Header Packet {                   Initial: Token Length (i),
 *     Header Form (1) = 1,                          Token (..),
 *     Fixed Bit (1) = 1,                   Length (i),
 *     Long Packet Type (2),                Packet Number (8..32),
 *     Type-Specific Bits (4),              Packet Payload (8..)
 *     Version (32),
 *     Destination Connection ID Length (8), Destination Connection ID (0..160),
 *     Source Connection ID Length (8),      Source Connection ID (0..160),
 *     Type-Specific Payload (..),
 *   }
 */
#include "quic_initial.h"
#include "keylog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

/* RFC 9001 §5.2 */
static const uint8_t quic_salt_v1[20] = {
	0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
};
/* RFC 9369 §3.3.1 */
static const uint8_t quic_salt_v2[20] = {
	0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
	0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
};

/* draft-ietf-quic-tls-23 §5.2 (drafts 23-28) */
static const uint8_t quic_salt_d23[20] = {
	0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
	0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02,
};
/* draft-ietf-quic-tls-29 §5.2 (drafts 29-32) */
static const uint8_t quic_salt_d29[20] = {
	0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
	0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99,
};

/* The salt of a version whose Initials can be opened, NULL otherwise. */
static const uint8_t *quic_salt(uint32_t version)
{
	if (version == QUIC_V1)
		return quic_salt_v1;
	if (version == QUIC_V2)
		return quic_salt_v2;
	if (version >= QUIC_DRAFT(29) && version <= QUIC_DRAFT(32))
		return quic_salt_d29;
	if (version >= QUIC_DRAFT(23) && version <= QUIC_DRAFT(28))
		return quic_salt_d23;
	return NULL;
}

bool quic_version_known(uint32_t version)
{
	return quic_salt(version) != NULL;
}

const char *quic_version_name(uint32_t version, char buf[16])
{
	if (version == QUIC_V1)
		return "QUICv1";
	if (version == QUIC_V2)
		return "QUICv2";
	if (version >= QUIC_DRAFT(1) && version <= QUIC_DRAFT(34))
		snprintf(buf, 16, "draft-%u", (unsigned)(version & 0xff));
	else
		snprintf(buf, 16, "0x%08x", version);
	return buf;
}

int quic_varint(struct cur *c, uint64_t *v)
{
	struct cur save = *c;
	uint8_t b;
	size_t n, i;
	int r;

	*v = 0;
	if ((r = cur_u8(c, &b)) != 0)
		return r;
	n = (size_t)1 << (b >> 6); /* 1, 2, 4 or 8 bytes in all */
	if (cur_need(c, n - 1) != 0) {
		*c = save;
		return CUR_TRUNC;
	}
	*v = b & 0x3f;
	for (i = 1; i < n; i++) {
		uint8_t x;
		(void)cur_u8(c, &x);
		*v = (*v << 8) | x;
	}
	return CUR_OK;
}

static int quic_map_cur(int r)
{
	return r == CUR_TRUNC ? QUIC_E_TRUNC : r == CUR_CAP ? QUIC_E_CAP : QUIC_E_INVALID;
}

/* v1 types are 0..3 in wire order; v2 rotates them (RFC 9369 §3.2):
 * Initial 0b01, 0-RTT 0b10, Handshake 0b11, Retry 0b00. */
static enum quic_ptype quic_decode_type(uint32_t version, uint8_t first)
{
	unsigned t = (first >> 4) & 3;
	if (version == QUIC_V2)
		t = (t + 3) & 3;
	return (enum quic_ptype)t;
}

int quic_parse_long_header(const uint8_t *p, size_t len, struct quic_long_hdr *h)
{
	return quic_parse_long_header_as(p, len, h, 0);
}

int quic_parse_long_header_as(const uint8_t *p, size_t len, struct quic_long_hdr *h, uint32_t as)
{
	struct cur c = cur_make(p, len);
	const uint8_t *b;
	uint64_t v;
	int r;

	memset(h, 0, sizeof(*h));
	if ((r = cur_u8(&c, &h->first)) != 0)
		return QUIC_E_TRUNC;
	if (!(h->first & 0x80))
		return QUIC_E_SHORT;
	if ((r = cur_be32(&c, &h->version)) != 0)
		return QUIC_E_TRUNC;
	if (h->version == 0) {
		/* Version Negotiation (RFC 9000 §17.2.1): the rest of the
		 * datagram; its CIDs may be up to 255 bytes (RFC 8999) and are
		 * not needed here. */
		h->type = QUIC_PT_VN;
		h->pkt_len = len;
		return QUIC_OK;
	}
	if (as == 0 && !quic_version_known(h->version))
		return QUIC_E_VERSION;
	h->type = quic_decode_type(as != 0 ? as : h->version, h->first);
	if ((r = cur_u8(&c, &h->dcid_len)) != 0)
		return QUIC_E_TRUNC;
	if (h->dcid_len > QUIC_CID_MAX)
		return QUIC_E_CID_LEN;
	if ((r = cur_copy(&c, h->dcid, h->dcid_len)) != 0)
		return QUIC_E_TRUNC;
	if ((r = cur_u8(&c, &h->scid_len)) != 0)
		return QUIC_E_TRUNC;
	if (h->scid_len > QUIC_CID_MAX)
		return QUIC_E_CID_LEN;
	if ((r = cur_copy(&c, h->scid, h->scid_len)) != 0)
		return QUIC_E_TRUNC;

	if (h->type == QUIC_PT_RETRY) {
		/* Retry Token (..) + Retry Integrity Tag (128): no Length */
		if (cur_left(&c) < QUIC_TAG_LEN)
			return QUIC_E_TRUNC;
		h->pkt_len = len;
		return QUIC_OK;
	}
	if (h->type == QUIC_PT_INITIAL) {
		if ((r = quic_varint(&c, &v)) != 0)
			return quic_map_cur(r);
		if (v > QUIC_TOKEN_MAX)
			return QUIC_E_CAP;
		if ((r = cur_bytes(&c, (size_t)v, &b)) != 0)
			return QUIC_E_TRUNC;
		h->token_len = v;
	}
	if ((r = quic_varint(&c, &h->length)) != 0)
		return quic_map_cur(r);
	h->pn_offset = cur_off(&c, p);
	if (h->length > cur_left(&c))
		return QUIC_E_TRUNC;
	/* room for the 4-byte sample offset and the 16-byte sample (§5.4.2) */
	if (h->length < 4 + 16)
		return QUIC_E_INVALID;
	h->pkt_len = h->pn_offset + (size_t)h->length;
	return QUIC_OK;
}

/* ---- key schedule ---- */

/* HKDF (RFC 5869) through EVP_PKEY_HKDF; mode EXTRACT_ONLY (ikm, salt) or
 * EXPAND_ONLY (prk in ikm, info). */
static int quic_hkdf(int mode, const uint8_t *ikm, size_t ikm_len, const uint8_t *salt,
		     size_t salt_len, const uint8_t *info, size_t info_len, uint8_t *out,
		     size_t out_len)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	size_t n = out_len;
	int ok;

	if (pc == NULL)
		return QUIC_E_DECRYPT;
	ok = EVP_PKEY_derive_init(pc) > 0 &&
	     EVP_PKEY_CTX_hkdf_mode(pc, mode) > 0 &&
	     EVP_PKEY_CTX_set_hkdf_md(pc, EVP_sha256()) > 0 &&
	     EVP_PKEY_CTX_set1_hkdf_key(pc, ikm, (int)ikm_len) > 0 &&
	     (salt == NULL || EVP_PKEY_CTX_set1_hkdf_salt(pc, salt, (int)salt_len) > 0) &&
	     (info == NULL || EVP_PKEY_CTX_add1_hkdf_info(pc, info, (int)info_len) > 0) &&
	     EVP_PKEY_derive(pc, out, &n) > 0 && n == out_len;
	EVP_PKEY_CTX_free(pc);
	return ok ? QUIC_OK : QUIC_E_DECRYPT;
}

/* HKDF-Expand-Label (RFC 8446 §7.1) with SHA-256: keylog.h's, shared with
 * the TLS 1.3 key log decryption. */
static int quic_expand_label(const uint8_t secret[32], const char *label, uint8_t *out,
			     size_t out_len)
{
	return tls13_expand_label(secret, 32, label, out, out_len) == 0 ? QUIC_OK : QUIC_E_DECRYPT;
}

int quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool server,
		      struct quic_keys *k)
{
	uint8_t initial[32], secret[32];
	const uint8_t *salt = quic_salt(version);
	bool v2 = version == QUIC_V2;
	int r;

	memset(k, 0, sizeof(*k));
	if (salt == NULL)
		return QUIC_E_VERSION;
	if (dcid_len > QUIC_CID_MAX)
		return QUIC_E_CID_LEN;
	if ((r = quic_hkdf(EVP_PKEY_HKDEF_MODE_EXTRACT_ONLY, dcid, dcid_len, salt, 20, NULL, 0,
			   initial, 32)) != 0 ||
	    (r = quic_expand_label(initial, server ? "server in" : "client in", secret, 32)) != 0 ||
	    (r = quic_expand_label(secret, v2 ? "quicv2 key" : "quic key", k->key, 16)) != 0 ||
	    (r = quic_expand_label(secret, v2 ? "quicv2 iv" : "quic iv", k->iv, 12)) != 0 ||
	    (r = quic_expand_label(secret, v2 ? "quicv2 hp" : "quic hp", k->hp, 16)) != 0)
		OPENSSL_cleanse(k, sizeof(*k));
	else {
		k->suite = 0x1301; /* AEAD_AES_128_GCM (RFC 9001 §5.3) */
		k->key_len = 16;
	}
	OPENSSL_cleanse(initial, sizeof(initial));
	OPENSSL_cleanse(secret, sizeof(secret));
	return r;
}

int quic_keys_from_secret(uint32_t version, uint16_t suite, const uint8_t *secret,
			  size_t secret_len, struct quic_keys *k)
{
	bool v2 = version == QUIC_V2;
	size_t kl = suite == 0x1301 ? 16 : 32;

	memset(k, 0, sizeof(*k));
	if (!tls13_suite_known(suite) || secret_len != (suite == 0x1302 ? 48u : 32u))
		return QUIC_E_DECRYPT;
	if (tls13_expand_label(secret, secret_len, v2 ? "quicv2 key" : "quic key", k->key, kl) != 0 ||
	    tls13_expand_label(secret, secret_len, v2 ? "quicv2 iv" : "quic iv", k->iv, 12) != 0 ||
	    tls13_expand_label(secret, secret_len, v2 ? "quicv2 hp" : "quic hp", k->hp, kl) != 0) {
		OPENSSL_cleanse(k, sizeof(*k));
		return QUIC_E_DECRYPT;
	}
	k->suite = suite;
	k->key_len = (uint8_t)kl;
	return QUIC_OK;
}

int quic_hp_mask_suite(const struct quic_keys *k, const uint8_t sample[16], uint8_t mask[5])
{
	static const uint8_t zero[5];
	const EVP_CIPHER *ciph = k->suite == 0x1303 ? EVP_chacha20() :
				 k->key_len == 32 ? EVP_aes_256_ecb() : EVP_aes_128_ecb();
	EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
	uint8_t out[32];
	int n = 0, ok;

	memset(mask, 0, 5);
	if (cc == NULL)
		return QUIC_E_DECRYPT;
	if (k->suite == 0x1303)
		/* §5.4.4: counter = sample[0..3] (little-endian), nonce =
		 * sample[4..15]: OpenSSL's 16-byte ChaCha20 IV is exactly that */
		ok = EVP_EncryptInit_ex(cc, ciph, NULL, k->hp, sample) > 0 &&
		     EVP_EncryptUpdate(cc, out, &n, zero, 5) > 0 && n == 5;
	else
		ok = EVP_EncryptInit_ex(cc, ciph, NULL, k->hp, NULL) > 0 &&
		     EVP_CIPHER_CTX_set_padding(cc, 0) > 0 &&
		     EVP_EncryptUpdate(cc, out, &n, sample, 16) > 0 && n == 16;
	EVP_CIPHER_CTX_free(cc);
	if (!ok)
		return QUIC_E_DECRYPT;
	memcpy(mask, out, 5);
	return QUIC_OK;
}

int quic_hp_mask(const uint8_t hp[16], const uint8_t sample[16], uint8_t mask[5])
{
	struct quic_keys k;
	int r;

	memset(&k, 0, sizeof(k));
	k.suite = 0x1301;
	k.key_len = 16;
	memcpy(k.hp, hp, 16);
	r = quic_hp_mask_suite(&k, sample, mask);
	OPENSSL_cleanse(&k, sizeof(k));
	return r;
}

/* RFC 9000 §A.3 */
static uint64_t quic_decode_pn(int64_t largest, uint64_t truncated, unsigned nbits)
{
	uint64_t expected = (uint64_t)(largest + 1);
	uint64_t win = (uint64_t)1 << nbits, hwin = win / 2, mask = win - 1;
	uint64_t cand = (expected & ~mask) | truncated;

	if (cand + hwin <= expected && cand < ((uint64_t)1 << 62) - win)
		return cand + win;
	if (cand > expected + hwin && cand >= win)
		return cand - win;
	return cand;
}

int quic_decrypt(const struct quic_keys *k, const struct quic_long_hdr *h, const uint8_t *pkt,
		 int64_t largest_pn, uint8_t *buf, size_t cap, struct quic_plain *out)
{
	uint8_t mask[5], nonce[12];
	size_t i, hdr_len, ct_len;
	uint64_t tpn = 0;

	memset(out, 0, sizeof(*out));
	if (h->type == QUIC_PT_RETRY || h->type == QUIC_PT_VN)
		return QUIC_E_INVALID;
	if (h->pkt_len > cap)
		return QUIC_E_CAP;
	if (h->pn_offset > h->pkt_len || h->pkt_len - h->pn_offset < 4 + 16)
		return QUIC_E_TRUNC;
	memcpy(buf, pkt, h->pkt_len);
	if (quic_hp_mask_suite(k, buf + h->pn_offset + 4, mask) != 0)
		return QUIC_E_DECRYPT;
	buf[0] ^= mask[0] & 0x0f; /* long header: low 4 bits */
	out->first = buf[0];
	out->pn_len = (uint8_t)((buf[0] & 3) + 1);
	out->reserved_bits = (buf[0] & 0x0c) != 0;
	for (i = 0; i < out->pn_len; i++) {
		buf[h->pn_offset + i] ^= mask[1 + i];
		tpn = (tpn << 8) | buf[h->pn_offset + i];
	}
	out->pn = quic_decode_pn(largest_pn, tpn, 8u * out->pn_len);
	hdr_len = h->pn_offset + out->pn_len;
	/* pkt_len - pn_offset >= 20 and pn_len <= 4: at least the tag remains */
	ct_len = h->pkt_len - hdr_len - QUIC_TAG_LEN;

	/* nonce = iv XOR packet number, left-padded (RFC 9001 §5.3) */
	memcpy(nonce, k->iv, 12);
	for (i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(out->pn >> (8 * i));

	/* the AEAD shared with TLS 1.3 records (keylog.h), in place */
	if (tls13_aead_open(k->suite, k->key, nonce, buf, hdr_len, buf + hdr_len,
			    ct_len + QUIC_TAG_LEN, buf + hdr_len) < 0) {
		memset(out, 0, sizeof(*out));
		return QUIC_E_DECRYPT;
	}
	out->payload = buf + hdr_len;
	out->payload_len = ct_len;
	return QUIC_OK;
}

/* ---- frames ---- */

int quic_next_frame(struct cur *c, struct quic_frame *f)
{
	struct cur save = *c;
	uint64_t a, n, i;
	int r;

	memset(f, 0, sizeof(*f));
	if (cur_left(c) == 0)
		return 1;
	if ((r = quic_varint(c, &f->type)) != 0)
		return quic_map_cur(r);
	switch (f->type) {
	case 0x00: /* PADDING: fold the whole run into one frame */
		f->len = 1;
		while (cur_left(c) > 0 && c->p[0] == 0) {
			c->p++;
			f->len++;
		}
		return QUIC_OK;
	case 0x01: /* PING */
		return QUIC_OK;
	case 0x02:
	case 0x03: /* ACK (§19.3): Largest, Delay, Range Count, First Range, Ranges, [ECN] */
		if ((r = quic_varint(c, &a)) != 0 || (r = quic_varint(c, &a)) != 0 ||
		    (r = quic_varint(c, &n)) != 0 || (r = quic_varint(c, &a)) != 0)
			goto fail;
		if (n > QUIC_ACK_RANGES_MAX) {
			*c = save;
			return QUIC_E_CAP;
		}
		for (i = 0; i < n; i++)
			if ((r = quic_varint(c, &a)) != 0 || (r = quic_varint(c, &a)) != 0)
				goto fail;
		if (f->type == 0x03)
			for (i = 0; i < 3; i++)
				if ((r = quic_varint(c, &a)) != 0)
					goto fail;
		return QUIC_OK;
	case 0x06: /* CRYPTO (§19.6): Offset, Length, Data */
		if ((r = quic_varint(c, &f->offset)) != 0 || (r = quic_varint(c, &n)) != 0)
			goto fail;
		if (n > ((uint64_t)1 << 62) - 1 - f->offset) {
			*c = save;
			return QUIC_E_INVALID;
		}
		if (n > cur_left(c)) {
			r = CUR_TRUNC;
			goto fail;
		}
		(void)cur_bytes(c, (size_t)n, &f->data);
		f->len = (size_t)n;
		return QUIC_OK;
	case 0x1c:
	case 0x1d: /* CONNECTION_CLOSE (§19.19) */
		if ((r = quic_varint(c, &f->error_code)) != 0)
			goto fail;
		if (f->type == 0x1c && (r = quic_varint(c, &f->frame_type)) != 0)
			goto fail;
		if ((r = quic_varint(c, &n)) != 0)
			goto fail;
		if (n > cur_left(c)) {
			r = CUR_TRUNC;
			goto fail;
		}
		(void)cur_bytes(c, (size_t)n, &f->data);
		f->len = (size_t)n;
		return QUIC_OK;
	default:
		return QUIC_E_FRAME;
	}
fail:
	*c = save;
	return quic_map_cur(r);
}

/* ---- CRYPTO stream reassembly ---- */

static int quic_crypto_reserve(struct quic_crypto_stream *s, size_t end)
{
	size_t ncap;
	uint8_t *nb;

	if (end <= s->cap)
		return QUIC_OK;
	ncap = s->cap ? s->cap : 4096;
	while (ncap < end)
		ncap *= 2;
	if (ncap > QUIC_CRYPTO_MAX)
		ncap = QUIC_CRYPTO_MAX;
	nb = realloc(s->buf, ncap);
	if (nb == NULL)
		return QUIC_E_CAP;
	s->buf = nb;
	s->cap = ncap;
	return QUIC_OK;
}

int quic_crypto_add(struct quic_crypto_stream *s, uint64_t off, const uint8_t *data, size_t len)
{
	uint64_t end, ns, ne, pos;
	uint32_t i, kept = 0, at;

	if (len == 0)
		return QUIC_OK;
	if (off > QUIC_CRYPTO_MAX || len > QUIC_CRYPTO_MAX - off)
		return QUIC_E_CAP;
	end = off + len;
	/* the merged range list, computed before anything changes */
	ns = off;
	ne = end;
	for (i = 0; i < s->nranges; i++) {
		if (s->r[i].end < off || s->r[i].start > end)
			kept++;
		else {
			if (s->r[i].start < ns)
				ns = s->r[i].start;
			if (s->r[i].end > ne)
				ne = s->r[i].end;
		}
	}
	if (kept + 1 > QUIC_RANGES_MAX)
		return QUIC_E_CAP;
	if (quic_crypto_reserve(s, (size_t)end) != 0)
		return QUIC_E_CAP;
	/* copy only what no earlier frame supplied (the first copy wins) */
	pos = off;
	for (i = 0; i < s->nranges && pos < end; i++) {
		if (s->r[i].end <= pos || s->r[i].start >= end)
			continue;
		if (s->r[i].start > pos)
			memcpy(s->buf + pos, data + (pos - off), (size_t)(s->r[i].start - pos));
		pos = s->r[i].end;
	}
	if (pos < end)
		memcpy(s->buf + pos, data + (pos - off), (size_t)(end - pos));
	/* rewrite the ranges: drop the merged ones, insert [ns, ne) in order */
	for (i = 0, kept = 0, at = 0; i < s->nranges; i++) {
		if (s->r[i].end < off || s->r[i].start > end) {
			if (s->r[i].end < ns)
				at = kept + 1;
			s->r[kept++] = s->r[i];
		}
	}
	memmove(&s->r[at + 1], &s->r[at], (kept - at) * sizeof(s->r[0]));
	s->r[at].start = ns;
	s->r[at].end = ne;
	s->nranges = kept + 1;
	return QUIC_OK;
}

size_t quic_crypto_contig(const struct quic_crypto_stream *s)
{
	return s->nranges > 0 && s->r[0].start == 0 ? (size_t)s->r[0].end : 0;
}

void quic_crypto_free(struct quic_crypto_stream *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}
