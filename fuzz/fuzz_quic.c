/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_quic.c — libFuzzer target: QUIC Initial packets (src/dissect/quic_initial.c header
 * parsing, Initial keys, header protection, AEAD, frames, CRYPTO
 * reassembly) and the quic dissector with the TLS handshake inside
 * (dissectors/quic.c, dissectors/tls.c), through the engine as UDP 443.
 *
 * A fuzzer cannot forge an AES-GCM tag, so most records are protected
 * here, as a peer would (RFC 9001 §5.3-5.4; v2 RFC 9369 §3): the input
 * supplies the plaintext frames and this target builds a valid Initial
 * around them with the keys of the client's Destination Connection ID.
 * Other records are raw datagram bytes, for the header parser and the
 * decryption failures.
 *
 * Input: records of a flags byte, a 2-byte big-endian length and that many
 * bytes. Flags: bit 0 server to client; bit 1 protect (the bytes are an
 * Initial's plaintext payload) or raw (the bytes are the packet); bit 2
 * QUIC v2 instead of v1; bit 3 set the reserved header bits; bit 4 coalesce
 * with the previous packet of the same direction into one datagram; bit 5
 * do not pad a client datagram to 1200 bytes (RFC 9000 §14.1). */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <pcap/dlt.h>

#include "quic_initial.h"

#define FZ_CPORT 50000
#define FZ_SPORT 443
#define FZ_DGRAM_MAX 65507

static const uint8_t fz_dcid[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };
static const uint8_t fz_scid[8] = { 0xc1, 0x01, 0xc1, 0x01, 0xc1, 0x01, 0xc1, 0x01 };
static const uint8_t fz_srv_cid[8] = { 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x01 };

struct fz_dgram {
	uint8_t *b;
	size_t len;
	int dir;       /* -1 none pending */
	bool nopad;
};

/* Protect one Initial with plaintext pl[0..len) into out (cap bytes).
 * Returns its length or 0. */
static size_t fz_protect(uint8_t *out, size_t cap, bool server, bool v2, bool reserved,
			 uint32_t pn, const uint8_t *pl, size_t len)
{
	struct quic_keys k;
	uint32_t version = v2 ? QUIC_V2 : QUIC_V1;
	const uint8_t *dcid = server ? fz_scid : fz_dcid, *scid = server ? fz_srv_cid : fz_scid;
	size_t n = 0, pn_off, hdr_len, i, plen = 4 + len + QUIC_TAG_LEN;
	uint8_t nonce[12], mask[5];
	EVP_CIPHER_CTX *cc;
	int m = 0, ok;

	if (plen > 0x3fff || 1 + 4 + 1 + 8 + 1 + 8 + 1 + 2 + plen > cap)
		return 0;
	if (quic_initial_keys(version, fz_dcid, sizeof(fz_dcid), server, &k) != QUIC_OK)
		return 0;
	out[n++] = (uint8_t)(0xc0 | ((v2 ? 1 : 0) << 4) | (reserved ? 0x0c : 0) | 3);
	out[n++] = (uint8_t)(version >> 24);
	out[n++] = (uint8_t)(version >> 16);
	out[n++] = (uint8_t)(version >> 8);
	out[n++] = (uint8_t)version;
	out[n++] = 8;
	memcpy(out + n, dcid, 8);
	n += 8;
	out[n++] = 8;
	memcpy(out + n, scid, 8);
	n += 8;
	out[n++] = 0;                             /* token length */
	out[n++] = (uint8_t)(0x40 | (plen >> 8)); /* 2-byte varint */
	out[n++] = (uint8_t)plen;
	pn_off = n;
	out[n++] = (uint8_t)(pn >> 24);
	out[n++] = (uint8_t)(pn >> 16);
	out[n++] = (uint8_t)(pn >> 8);
	out[n++] = (uint8_t)pn;
	hdr_len = n;
	memcpy(nonce, k.iv, 12);
	for (i = 0; i < 4; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	cc = EVP_CIPHER_CTX_new();
	if (cc == NULL)
		return 0;
	ok = EVP_EncryptInit_ex(cc, EVP_aes_128_gcm(), NULL, NULL, NULL) > 0 &&
	     EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) > 0 &&
	     EVP_EncryptInit_ex(cc, NULL, NULL, k.key, nonce) > 0 &&
	     EVP_EncryptUpdate(cc, NULL, &m, out, (int)hdr_len) > 0 &&
	     (len == 0 || EVP_EncryptUpdate(cc, out + hdr_len, &m, pl, (int)len) > 0) &&
	     EVP_EncryptFinal_ex(cc, out + hdr_len + len, &m) > 0 &&
	     EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_GCM_GET_TAG, QUIC_TAG_LEN, out + hdr_len + len) > 0;
	EVP_CIPHER_CTX_free(cc);
	if (!ok)
		return 0;
	n = hdr_len + len + QUIC_TAG_LEN;
	if (quic_hp_mask(k.hp, out + pn_off + 4, mask) != QUIC_OK)
		return 0;
	out[0] ^= mask[0] & 0x0f;
	for (i = 0; i < 4; i++)
		out[pn_off + i] ^= mask[1 + i];
	return n;
}

static void fz_flush(struct engine *e, int64_t *ts, struct fz_dgram *g)
{
	uint8_t *pkt;
	size_t n;

	if (g->dir < 0)
		return;
	if (g->dir == 0 && !g->nopad && g->len < 1200) {
		memset(g->b + g->len, 0, 1200 - g->len);
		g->len = 1200;
	}
	pkt = malloc(g->len + 28);
	if (pkt != NULL) {
		n = fz_udp4(pkt, g->len + 28, g->dir == 0, FZ_CPORT, FZ_SPORT, g->b, g->len);
		*ts += 1000;
		if (n)
			engine_packet(e, DLT_RAW, *ts, pkt, (uint32_t)n, (uint32_t)n);
		free(pkt);
	}
	g->dir = -1;
	g->len = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine *e = fz_engine(false);
	static uint8_t dbuf[FZ_DGRAM_MAX];
	struct fz_dgram g = { dbuf, 0, -1, false };
	uint8_t one[FZ_DGRAM_MAX];
	uint32_t pn[2] = { 0, 0 };
	int64_t ts = FZ_TS0;
	size_t off = 0;

	while (size - off >= 3) {
		uint8_t fl = data[off];
		size_t len = fz_be16(data + off + 1), n;
		int dir = fl & 1;
		off += 3;
		if (len > size - off)
			len = size - off;
		if (fl & 2)
			n = fz_protect(one, sizeof(one), dir == 1, (fl & 4) != 0, (fl & 8) != 0,
				       pn[dir]++, data + off, len);
		else if (len <= sizeof(one))
			memcpy(one, data + off, n = len);
		else
			n = 0;
		off += len;
		if (!(fl & 0x10) || g.dir != dir || g.len + n > FZ_DGRAM_MAX)
			fz_flush(e, &ts, &g);
		if (n == 0)
			continue;
		if (g.dir < 0) {
			g.dir = dir;
			g.nopad = (fl & 0x20) != 0;
		}
		memcpy(g.b + g.len, one, n);
		g.len += n;
	}
	fz_flush(e, &ts, &g);
	fz_end_input(e);
	return 0;
}
