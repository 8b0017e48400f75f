/* SPDX-License-Identifier: BSD-3-Clause */
/* quic.h — QUIC Initial packets: long header parsing (RFC 9000 §17.2,
 * variable-length integers §16), Initial secrets and packet protection
 * (RFC 9001 §5.2-§5.4, QUIC v2: RFC 9369 §3), frames of an Initial payload
 * (RFC 9000 §19.1-19.3, §19.6, §19.19) and reassembly of the CRYPTO stream.
 *
 * Only what a passive observer can open is handled: Initial packets, whose
 * keys derive from the client's Destination Connection ID and a published
 * salt; and Handshake packets when a TLS key log gives the handshake
 * traffic secrets (quic_keys_from_secret). 0-RTT and 1-RTT packets are
 * recognised, never decrypted.
 * Every byte from the wire is read through src/cursor.h.
 */
#ifndef WA_QUIC_H
#define WA_QUIC_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "cursor.h"

#define QUIC_V1 0x00000001u
#define QUIC_V2 0x6b3343cfu       /* RFC 9369 §3.1 */
#define QUIC_DRAFT(n) (0xff000000u | (n)) /* draft-ietf-quic-transport-n §15 */
#define QUIC_CID_MAX 20           /* RFC 9000 §17.2: v1 (and v2) CIDs <= 20 bytes */
#define QUIC_TOKEN_MAX 4096       /* cap on an Initial token we step over */
#define QUIC_PKT_MAX 65535        /* largest packet we decrypt (UDP payload bound) */
#define QUIC_CRYPTO_MAX 65536     /* per-direction CRYPTO stream bytes kept */
#define QUIC_RANGES_MAX 32        /* disjoint received ranges kept per stream */
#define QUIC_ACK_RANGES_MAX 256   /* ACK Range Count cap */
#define QUIC_TAG_LEN 16

/* Results: 0 or one of these (negative). */
#define QUIC_OK 0
#define QUIC_E_TRUNC (-1)      /* bytes end before the item (a datagram will not grow) */
#define QUIC_E_INVALID (-2)    /* protocol violation: bad length, bad field value */
#define QUIC_E_CID_LEN (-3)    /* connection ID over 20 bytes */
#define QUIC_E_VERSION (-4)    /* not v1, v2 or drafts 23-32: header not understood */
#define QUIC_E_SHORT (-5)      /* short-header packet: rest of the datagram */
#define QUIC_E_DECRYPT (-6)    /* AEAD tag mismatch (or crypto library failure) */
#define QUIC_E_CAP (-7)        /* over one of the caps above */
#define QUIC_E_FRAME (-8)      /* frame type not parsed in Initial packets */

/* Long-header packet types, normalised across versions (RFC 9369 §3.2
 * renumbers them on the wire). */
enum quic_ptype {
	QUIC_PT_INITIAL = 0,
	QUIC_PT_0RTT,
	QUIC_PT_HANDSHAKE,
	QUIC_PT_RETRY,
	QUIC_PT_VN,           /* Version Negotiation (version 0) */
};

struct quic_long_hdr {
	uint8_t first;            /* first byte as on the wire (still protected) */
	uint32_t version;
	enum quic_ptype type;
	uint8_t dcid_len, scid_len;
	uint8_t dcid[QUIC_CID_MAX], scid[QUIC_CID_MAX];
	uint64_t token_len;       /* Initial only */
	uint64_t length;          /* Length field: packet number + payload */
	size_t pn_offset;         /* offset of the packet number in the packet */
	size_t pkt_len;           /* bytes of this packet in the datagram */
};

/* Packet protection of one direction and packet number space. Initial
 * keys: suite 0x1301 (AEAD_AES_128_GCM, AES-128 header protection); keys
 * from a key log's handshake traffic secret: the negotiated suite. */
struct quic_keys {
	uint16_t suite;           /* TLS 1.3 cipher suite: 0x1301, 0x1302, 0x1303 */
	uint8_t key_len;          /* 16 or 32 (key and hp) */
	uint8_t key[32], iv[12], hp[32];
};

/* One variable-length integer (RFC 9000 §16). 0 or a cursor error
 * (CUR_TRUNC); the cursor does not move on failure. */
int quic_varint(struct cur *c, uint64_t *v);

/* Parse the long header at the start of p[0..len) (one datagram's rest).
 * Returns QUIC_OK with *h filled, QUIC_E_SHORT for a short header,
 * QUIC_E_VERSION for a version other than 1/2 (h->version is set; the
 * packet's extent is unknown), QUIC_E_CID_LEN, QUIC_E_TRUNC or
 * QUIC_E_INVALID. For Version Negotiation and Retry pkt_len is len (no
 * Length field); for the others pn_offset + length, which must fit in len.
 * Nothing is allocated; nothing points into p after return. */
int quic_parse_long_header(const uint8_t *p, size_t len, struct quic_long_hdr *h);
/* The same, read with the layout of version `as` (a known one) whatever
 * the packet's version says (h->version is still the packet's): a client
 * that asks for a version the server does not know may still build its
 * first Initial as v1 (ngtcp2 does; so does tshark's reading of it). */
int quic_parse_long_header_as(const uint8_t *p, size_t len, struct quic_long_hdr *h, uint32_t as);

/* v1, v2 and drafts 23-32: the versions whose Initials can be opened. */
bool quic_version_known(uint32_t version);

/* "QUICv1", "QUICv2", "draft-29" (0xff00001d; drafts 1-34), else
 * "0x%08x"; written into buf when not a constant. */
const char *quic_version_name(uint32_t version, char buf[16]);

/* Initial keys (RFC 9001 §5.2; v2: RFC 9369 §3.3) from the client's
 * original Destination Connection ID: `server` false gives the client's
 * ("client in"), true the server's ("server in"). Returns QUIC_OK,
 * QUIC_E_VERSION, QUIC_E_CID_LEN or QUIC_E_DECRYPT (library failure). */
int quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool server,
		      struct quic_keys *k);

/* The 5-byte header protection mask: AES-128-ECB of the 16-byte sample
 * (RFC 9001 §5.4.3). Returns QUIC_OK or QUIC_E_DECRYPT. */
int quic_hp_mask(const uint8_t hp[16], const uint8_t sample[16], uint8_t mask[5]);

/* Packet protection keys from a TLS 1.3 traffic secret (RFC 9001 §5.1:
 * HKDF-Expand-Label "quic key", "quic iv", "quic hp"; v2: "quicv2 key",
 * "quicv2 iv", "quicv2 hp", RFC 9369 §3.3.2; drafts 23-32 use v1's) for the
 * suite negotiated (0x1301-0x1303; secret_len the suite hash's, 32 or 48).
 * Used for the Handshake space with a key log's handshake secrets.
 * Returns QUIC_OK, or QUIC_E_DECRYPT (unknown suite, wrong secret length,
 * library failure; *k is then zero). The caller wipes *k after use. */
int quic_keys_from_secret(uint32_t version, uint16_t suite, const uint8_t *secret,
			  size_t secret_len, struct quic_keys *k);

/* The 5-byte header protection mask of a suite (RFC 9001 §5.4.3 AES-ECB of
 * the sample with a 16- or 32-byte hp key; §5.4.4 ChaCha20 with the sample
 * as counter and nonce). QUIC_OK or QUIC_E_DECRYPT. */
int quic_hp_mask_suite(const struct quic_keys *k, const uint8_t sample[16], uint8_t mask[5]);

struct quic_plain {
	uint64_t pn;              /* full packet number (RFC 9000 §A.3) */
	uint8_t pn_len;
	uint8_t first;            /* first byte after header protection removal */
	bool reserved_bits;       /* reserved bits (0x0c) set: a protocol violation */
	const uint8_t *payload;   /* decrypted frames, inside the caller's buffer */
	size_t payload_len;
};

/* Remove header protection and decrypt one long-header packet with the
 * keys' suite (RFC 9001 §5.3-5.4). `pkt` is the packet (h->pkt_len bytes, h from
 * quic_parse_long_header); `buf` (cap bytes, >= h->pkt_len) receives a copy
 * that is unmasked and decrypted in place, so pkt is never written.
 * `largest_pn` is the largest packet number decrypted so far in this
 * space, or -1. Returns QUIC_OK with *out pointing into buf, QUIC_E_TRUNC
 * (too short to sample), QUIC_E_CAP (buf too small) or QUIC_E_DECRYPT. */
int quic_decrypt(const struct quic_keys *k, const struct quic_long_hdr *h, const uint8_t *pkt,
		 int64_t largest_pn, uint8_t *buf, size_t cap, struct quic_plain *out);

/* One frame of a decrypted Initial/Handshake payload. */
struct quic_frame {
	uint64_t type;            /* 0x00 PADDING (a run), 0x01 PING, 0x02/0x03 ACK,
				   * 0x06 CRYPTO, 0x1c/0x1d CONNECTION_CLOSE */
	uint64_t offset;          /* CRYPTO */
	const uint8_t *data;      /* CRYPTO data / CONNECTION_CLOSE reason, into the payload */
	size_t len;
	uint64_t error_code;      /* CONNECTION_CLOSE */
	uint64_t frame_type;      /* CONNECTION_CLOSE 0x1c */
};

/* Read the next frame. Returns QUIC_OK, 1 at the end of the payload,
 * QUIC_E_FRAME for a frame type not listed above (f->type is set; the rest
 * of the payload cannot be walked), QUIC_E_TRUNC, QUIC_E_INVALID (CRYPTO
 * offset+length beyond 2^62-1) or QUIC_E_CAP (ACK ranges). */
int quic_next_frame(struct cur *c, struct quic_frame *f);

/* A CRYPTO stream under reassembly: data at any offset below QUIC_CRYPTO_MAX
 * in any order, duplicates and overlaps allowed (first copy wins). */
struct quic_crypto_stream {
	uint8_t *buf;             /* grows to at most QUIC_CRYPTO_MAX; free with quic_crypto_free */
	size_t cap;
	uint32_t nranges;
	struct { uint64_t start, end; } r[QUIC_RANGES_MAX]; /* sorted, disjoint, not adjacent */
};

/* Add CRYPTO data (copied). Returns QUIC_OK, or QUIC_E_CAP when the data
 * reaches beyond QUIC_CRYPTO_MAX, would leave more than QUIC_RANGES_MAX
 * holes, or memory runs out; then nothing is added. */
int quic_crypto_add(struct quic_crypto_stream *s, uint64_t off, const uint8_t *data, size_t len);
/* Bytes available contiguously from offset 0; they are at s->buf. */
size_t quic_crypto_contig(const struct quic_crypto_stream *s);
void quic_crypto_free(struct quic_crypto_stream *s);

#endif /* WA_QUIC_H */
