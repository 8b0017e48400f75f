/* SPDX-License-Identifier: BSD-3-Clause */
/* quic.c — QUIC v1 (RFC 9000), v2 (RFC 9369) and drafts 23-32 over UDP: the TLS handshake
 * carried in Initial packets (RFC 9001 §4, §5.2).
 *
 * Initial packets are protected with keys anyone can derive from the
 * client's first Destination Connection ID (RFC 9001 §5.2), so a passive
 * observer can open them: src/quic.c removes header protection, decrypts,
 * walks the frames and reassembles each direction's CRYPTO stream (frames
 * out of order, split across packets and datagrams, retransmitted). The
 * contiguous stream is handed to the TLS dissector's handshake-message
 * level (dissectors/tls_hs.h), so the ClientHello and ServerHello are
 * recorded exactly like TLS over TCP, JA4 with transport 'q'.
 *
 *   datagram = packet *(packet)        coalesced packets, RFC 9000 §12.2;
 *                                      a short-header packet ends it
 *   long header: 1 1 TT xxxx | version(32) | DCID len(8) DCID | SCID len(8)
 *                SCID | [Initial: token len(i) token] | length(i) | pn | payload
 *
 * Keys: both directions' Initial keys come from the client's original DCID
 * (kept per flow); after a Retry (§17.2.5) from the DCID of the client's
 * next Initial. A server that switches to v2 (compatible version
 * negotiation, RFC 9368) gets v2 keys from the same DCID. Handshake
 * packets are opened only with a key log (`capture --keylog`, keylog.h):
 * each direction's Handshake keys from its handshake traffic secret (RFC
 * 9001 §5.1), its CRYPTO frames reassembled and handed to tls.c's
 * decrypted-handshake parser (tls_hs_feed_decrypted) up to its Finished,
 * then the keys are wiped. 0-RTT and 1-RTT packets are only counted,
 * never opened. The handshake is taken as complete
 * when 1-RTT (short-header) packets have gone both ways after the
 * ServerHello; the flow is then done.
 *
 * Versions: v1, v2 and the drafts 23-32 still met in the field (their own
 * Initial salts, quic_initial.c). A client's first packet of another
 * version is QUIC when it is a reserved version (RFC 9000 §15) or when the
 * server answers with a Version Negotiation; such a flow records the
 * version asked for and the versions offered, and nothing else.
 *
 * Facts: everything tls.c records (JA4 with 'q'), plus the object tls.quic:
 *   version, server_version   "QUICv1", "QUICv2", "draft-29" (or "0x%08x"); the server's
 *                             differs after compatible version negotiation
 *   dcid_len, scid_len        of the client's first Initial
 *   initial_token             the client's first Initial carried a token
 *   retry, version_negotiation (+ vn_versions), connection_close
 *                             ({from, error_code, frame_type} or null)
 *   initial_packets, initial_decrypted, handshake_packets, short_packets,
 *   crypto_bytes              {c2s, s2c} counts
 *   coalesced_datagrams       datagrams holding more than one packet
 * A flow whose Initials could not be decrypted gets no tls object, only
 * anomalies (decrypt_failed, no_client_initial, ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "tls_hs.h"
#include "tls_facts.h"
#include "cursor.h"
#include "json.h"
#include "obs.h"
#include "quic_initial.h"
#include "keylog.h"

#include <openssl/crypto.h>

#define QUIC_DGRAM_MAX 1000      /* datagrams read per flow before giving up */
#define QUIC_PKTS_PER_DGRAM 16   /* coalesced packets read per datagram */
#define QUIC_VN_MAX TF_MAX_VN          /* versions kept from a Version Negotiation */

enum {
	QUIC_ANOM_BAD_HEADER = 1,
	QUIC_ANOM_CID_TOO_LONG,
	QUIC_ANOM_UNKNOWN_VERSION,
	QUIC_ANOM_NO_CLIENT_INITIAL,
	QUIC_ANOM_DECRYPT_FAILED,
	QUIC_ANOM_RESERVED_BITS,
	QUIC_ANOM_BAD_FRAME,
	QUIC_ANOM_UNEXPECTED_FRAME,
	QUIC_ANOM_CRYPTO_CAP,
	QUIC_ANOM_TOO_MANY_PACKETS,
	QUIC_ANOM_BAD_VERSION_NEGOTIATION,
};

static const struct anomaly_def quic_anomalies[] = {
	{ QUIC_ANOM_BAD_HEADER, "bad_header" },
	{ QUIC_ANOM_CID_TOO_LONG, "cid_too_long" },
	{ QUIC_ANOM_UNKNOWN_VERSION, "unknown_version" },
	{ QUIC_ANOM_NO_CLIENT_INITIAL, "no_client_initial" },
	{ QUIC_ANOM_DECRYPT_FAILED, "decrypt_failed" },
	{ QUIC_ANOM_RESERVED_BITS, "reserved_bits_set" },
	{ QUIC_ANOM_BAD_FRAME, "bad_frame" },
	{ QUIC_ANOM_UNEXPECTED_FRAME, "unexpected_frame" },
	{ QUIC_ANOM_CRYPTO_CAP, "crypto_stream_cap" },
	{ QUIC_ANOM_TOO_MANY_PACKETS, "too_many_coalesced_packets" },
	{ QUIC_ANOM_BAD_VERSION_NEGOTIATION, "bad_version_negotiation" },
	{ 0, NULL },
};

struct quic_dir {
	int64_t largest_pn;             /* Initial space; -1 before the first */
	/* Handshake space, opened with a key log (keylog.h) until this
	 * direction's Finished; hk is malloc'd and wiped when dropped */
	struct quic_keys *hk;
	int64_t hs_largest_pn;          /* -1 before the first */
	uint32_t hs_decrypted;
	struct quic_crypto_stream hcs;
	uint64_t hs_fed;
	bool hcs_capped;
	uint32_t initials, decrypted, decrypt_failed, handshake, zero_rtt, short_pkts;
	uint64_t crypto_fed;            /* CRYPTO stream bytes handed to TLS */
	bool have_keys;
	uint32_t keys_version;
	struct quic_keys keys;
	struct quic_crypto_stream cs;
	bool cs_capped;
	uint32_t anomalies;             /* anomalies raised for this direction */
};

struct quic_state {
	bool have_odcid;
	uint8_t odcid[QUIC_CID_MAX], odcid_len;
	uint32_t version;               /* client's first Initial */
	uint32_t server_version;        /* server's first Initial, 0 if none */
	uint8_t dcid_len, scid_len;     /* client's first Initial */
	bool token;                     /* client's first Initial carried a token */
	bool retry, retry_pending;
	bool vn;
	uint32_t keys_as;               /* the keys that opened a version we cannot name */
	bool restarted;                 /* the client started again with a known version */
	uint32_t vn_versions[QUIC_VN_MAX];
	uint8_t n_vn;
	uint32_t datagrams, coalesced;
	bool closed;
	uint8_t close_from;
	uint64_t close_error, close_frame;
	struct quic_dir d[2];
	struct tls_state *tls;
	bool tls_failed;
	int kl;                         /* Handshake keys: 0 not asked, 1 ready, -1 none/failed */
	uint8_t *scratch;               /* decryption buffer, grown to the largest packet */
	size_t scratch_cap;
};

/* Raise an anomaly at most a few times per direction: a broken peer must
 * not fill the flow's anomaly list with one fact. */
#define quic_anom(ctx, st, dir, code, ...) do { \
	if ((st)->d[dir].anomalies++ < 4) \
		obs_anomaly(ctx, code, __VA_ARGS__); \
} while (0)

/* A reserved version (RFC 9000 §15: 0x?a?a?a?a), which a client sends to
 * make the server answer with Version Negotiation. */
static bool quic_version_reserved(uint32_t v)
{
	return (v & 0x0f0f0f0fu) == 0x0a0a0a0au;
}

/* A Version Negotiation packet's list of versions (RFC 9000 §17.2.1: the
 * first byte, version 0, both connection IDs, then a non-empty list of
 * 32-bit versions): 0 with *list on the versions, -1 when malformed. */
static int quic_vn_list(const uint8_t *p, size_t len, struct cur *list)
{
	struct cur c = cur_make(p, len), cid;
	if (cur_skip(&c, 5) != 0 || cur_sub_len8(&c, &cid) != 0 || cur_sub_len8(&c, &cid) != 0 ||
	    cur_left(&c) == 0 || cur_left(&c) % 4 != 0)
		return -1;
	*list = c;
	return 0;
}

static enum probe_res quic_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct quic_long_hdr h;
	int r = quic_parse_long_header(p, len, &h);

	if (dir == DIR_S2C) {
		/* a Version Negotiation answering a client's first Initial of a
		 * version we cannot open (RFC 9000 §17.2.1): version 0, both
		 * connection IDs, then a non-empty list of 32-bit versions */
		struct cur c;
		uint32_t v;
		if (r != QUIC_OK || h.type != QUIC_PT_VN || quic_vn_list(p, len, &c) != 0)
			return PROBE_NOMATCH;
		while (cur_be32(&c, &v) == 0)
			if (quic_version_known(v))
				return PROBE_MATCH;
		return PROBE_NOMATCH;
	}
	/* a client's first Initial: a version we can open, fixed bit, DCID of
	 * at least 8 bytes (RFC 9000 §7.2), datagram padded to 1200 bytes
	 * (§14.1). A long header of another version, same shape (RFC 8999's
	 * invariants: the DCID and SCID lengths): a reserved version is
	 * QUIC forcing Version Negotiation; any other waits for the server's
	 * answer (a Version Negotiation matches above). */
	if (len < 1200 || !(p[0] & 0x40))
		return PROBE_NOMATCH;
	if (r == QUIC_OK)
		return h.type == QUIC_PT_INITIAL && h.dcid_len >= 8 ? PROBE_MATCH : PROBE_NOMATCH;
	if (r == QUIC_E_VERSION) {
		/* (laid out as a v1 Initial: lengths and varints that fit) */
		struct quic_long_hdr h1;
		if (quic_parse_long_header_as(p, len, &h1, QUIC_V1) != QUIC_OK || h1.dcid_len < 8)
			return PROBE_NOMATCH;
		return quic_version_reserved(h.version) && h1.type == QUIC_PT_INITIAL ? PROBE_MATCH
										     : PROBE_NEED_MORE;
	}
	return PROBE_NOMATCH;
}

static int quic_get_keys(struct quic_state *st, enum dir dir, uint32_t version)
{
	struct quic_dir *d = &st->d[dir];
	if (d->have_keys && d->keys_version == version)
		return QUIC_OK;
	d->have_keys = false;
	if (quic_initial_keys(version, st->odcid, st->odcid_len, dir == DIR_S2C, &d->keys) != QUIC_OK)
		return QUIC_E_DECRYPT;
	d->have_keys = true;
	d->keys_version = version;
	return QUIC_OK;
}

/* Hand the newly contiguous part of the CRYPTO stream to TLS. */
static void quic_feed_tls(struct dis_ctx *ctx, struct quic_state *st, enum dir dir)
{
	struct quic_dir *d = &st->d[dir];
	size_t contig = quic_crypto_contig(&d->cs);

	if (contig <= d->crypto_fed || st->tls_failed)
		return;
	if (st->tls == NULL && (st->tls = tls_hs_new('q')) == NULL) {
		st->tls_failed = true;
		return;
	}
	if (tls_hs_feed(ctx, st->tls, dir, d->cs.buf + d->crypto_fed, contig - (size_t)d->crypto_fed) != 0)
		st->tls_failed = true;
	d->crypto_fed = contig;
}

static void quic_frames(struct dis_ctx *ctx, struct quic_state *st, enum dir dir,
			const struct quic_plain *pl)
{
	struct quic_dir *d = &st->d[dir];
	struct cur c = cur_make(pl->payload, pl->payload_len);
	struct quic_frame f;
	int r;

	while ((r = quic_next_frame(&c, &f)) == QUIC_OK) {
		if (f.type == 0x06) {
			if (!d->cs_capped && quic_crypto_add(&d->cs, f.offset, f.data, f.len) != QUIC_OK) {
				d->cs_capped = true;
				quic_anom(ctx, st, dir, QUIC_ANOM_CRYPTO_CAP, "offset %llu length %zu",
					  (unsigned long long)f.offset, f.len);
			}
		} else if (f.type == 0x1c || f.type == 0x1d) {
			if (!st->closed) {
				st->closed = true;
				st->close_from = (uint8_t)dir;
				st->close_error = f.error_code;
				st->close_frame = f.frame_type;
			}
		}
	}
	if (r == QUIC_E_FRAME)
		/* RFC 9000 §12.4 Table 3: not allowed in Initial packets */
		quic_anom(ctx, st, dir, QUIC_ANOM_UNEXPECTED_FRAME, "type 0x%llx in Initial",
			  (unsigned long long)f.type);
	else if (r != 1)
		quic_anom(ctx, st, dir, QUIC_ANOM_BAD_FRAME, "at offset %zu of %zu",
			  cur_off(&c, pl->payload), pl->payload_len);
}

/* ---- Handshake packets opened with a key log (keylog.h) ----
 * The client's and server's handshake traffic secrets give each
 * direction's Handshake keys (RFC 9001 §5.1); the CRYPTO frames of the
 * Handshake space carry the server's EncryptedExtensions ... Finished and
 * the client's Certificate ... Finished, which go to tls.c's parser as
 * the TCP key log path's records do. A direction's keys go at its
 * Finished; 1-RTT packets are never opened (no application secret is ever
 * read). */

static void quic_hk_drop(struct quic_dir *d)
{
	if (d->hk) {
		OPENSSL_cleanse(d->hk, sizeof(*d->hk));
		free(d->hk);
		d->hk = NULL;
	}
	if (d->hcs.buf)
		OPENSSL_cleanse(d->hcs.buf, d->hcs.cap); /* decrypted handshake bytes */
	quic_crypto_free(&d->hcs);
}

static void quic_kl_fail(struct dis_ctx *ctx, struct quic_state *st, const char *why)
{
	tls_hs_keylog_failed(ctx, st->tls, why);
	st->kl = -1;
	quic_hk_drop(&st->d[0]);
	quic_hk_drop(&st->d[1]);
}

/* Ask tls.c for the secrets once the ServerHello is read; keys for both
 * directions with the labels of the packet's version. */
static void quic_kl_keys(struct dis_ctx *ctx, struct quic_state *st, uint32_t version)
{
	uint8_t cs[KEYLOG_SECRET_MAX], ss[KEYLOG_SECRET_MAX];
	size_t sl = 0;
	uint16_t suite = 0;
	int r;

	if (st->tls == NULL || st->tls_failed || !tls_hs_seen(st->tls, DIR_S2C))
		return; /* not yet: a Handshake packet before the ServerHello */
	r = tls_hs_keylog_secrets(ctx, st->tls, cs, ss, &sl, &suite);
	if (r <= 0) {
		st->kl = -1;
		return;
	}
	st->kl = 1;
	st->d[DIR_C2S].hk = calloc(1, sizeof(struct quic_keys));
	st->d[DIR_S2C].hk = calloc(1, sizeof(struct quic_keys));
	if (st->d[DIR_C2S].hk == NULL || st->d[DIR_S2C].hk == NULL ||
	    quic_keys_from_secret(version, suite, cs, sl, st->d[DIR_C2S].hk) != QUIC_OK ||
	    quic_keys_from_secret(version, suite, ss, sl, st->d[DIR_S2C].hk) != QUIC_OK)
		quic_kl_fail(ctx, st, "secret does not fit the suite");
	OPENSSL_cleanse(cs, sizeof(cs));
	OPENSSL_cleanse(ss, sizeof(ss));
}

static void quic_handshake(struct dis_ctx *ctx, struct quic_state *st, enum dir dir,
			   const struct quic_long_hdr *h, const uint8_t *pkt)
{
	struct quic_dir *d = &st->d[dir];
	struct quic_plain pl;
	struct quic_frame f;
	struct cur c;
	size_t contig;
	int r;

	d->handshake++;
	if (st->kl == 0 && keylog_enabled())
		quic_kl_keys(ctx, st, h->version);
	if (st->kl != 1 || d->hk == NULL)
		return;
	if (h->pkt_len > st->scratch_cap) {
		uint8_t *nb = realloc(st->scratch, h->pkt_len);
		if (nb == NULL)
			return;
		st->scratch = nb;
		st->scratch_cap = h->pkt_len;
	}
	if (quic_decrypt(d->hk, h, pkt, d->hs_largest_pn, st->scratch, st->scratch_cap, &pl) != QUIC_OK) {
		quic_kl_fail(ctx, st, "Handshake packet tag mismatch");
		return;
	}
	d->hs_decrypted++;
	if ((int64_t)pl.pn > d->hs_largest_pn)
		d->hs_largest_pn = (int64_t)pl.pn;
	c = cur_make(pl.payload, pl.payload_len);
	while ((r = quic_next_frame(&c, &f)) == QUIC_OK) {
		if (f.type == 0x06 && !d->hcs_capped &&
		    quic_crypto_add(&d->hcs, f.offset, f.data, f.len) != QUIC_OK) {
			d->hcs_capped = true;
			quic_anom(ctx, st, dir, QUIC_ANOM_CRYPTO_CAP, "Handshake offset %llu length %zu",
				  (unsigned long long)f.offset, f.len);
		}
	}
	if (r == QUIC_E_FRAME)
		quic_anom(ctx, st, dir, QUIC_ANOM_UNEXPECTED_FRAME, "type 0x%llx in Handshake",
			  (unsigned long long)f.type);
	else if (r != 1)
		quic_anom(ctx, st, dir, QUIC_ANOM_BAD_FRAME, "Handshake at offset %zu of %zu",
			  cur_off(&c, pl.payload), pl.payload_len);
	OPENSSL_cleanse(st->scratch, h->pkt_len);
	contig = quic_crypto_contig(&d->hcs);
	if (contig > d->hs_fed) {
		if (tls_hs_feed_decrypted(ctx, st->tls, dir, d->hcs.buf + d->hs_fed,
					  contig - (size_t)d->hs_fed) != 0) {
			st->kl = -1;
			quic_hk_drop(&st->d[0]);
			quic_hk_drop(&st->d[1]);
			return;
		}
		d->hs_fed = contig;
	}
	if (tls_hs_finished(st->tls, dir))
		quic_hk_drop(d); /* this direction's handshake epoch is over */
}

static void quic_initial(struct dis_ctx *ctx, struct quic_state *st, enum dir dir,
			 const struct quic_long_hdr *h, const uint8_t *pkt)
{
	struct quic_dir *d = &st->d[dir];
	struct quic_plain pl;
	int r;

	d->initials++;
	if (dir == DIR_C2S && (!st->have_odcid || st->retry_pending)) {
		/* the DCID the keys derive from: the first Initial's, or after
		 * a Retry the next one's (RFC 9001 §5.2) */
		memcpy(st->odcid, h->dcid, h->dcid_len);
		st->odcid_len = h->dcid_len;
		st->d[0].have_keys = st->d[1].have_keys = false;
		if (!st->have_odcid) {
			st->version = h->version;
			st->dcid_len = h->dcid_len;
			st->scid_len = h->scid_len;
			st->token = h->token_len > 0;
		}
		st->have_odcid = true;
		st->retry_pending = false;
	}
	if (dir == DIR_S2C && st->server_version == 0)
		st->server_version = h->version;
	if (!st->have_odcid) {
		quic_anom(ctx, st, dir, QUIC_ANOM_NO_CLIENT_INITIAL, NULL);
		return;
	}
	if (h->pkt_len > st->scratch_cap) {
		uint8_t *nb = realloc(st->scratch, h->pkt_len);
		if (nb == NULL)
			return;
		st->scratch = nb;
		st->scratch_cap = h->pkt_len;
	}
	if ((r = quic_get_keys(st, dir, quic_version_known(h->version) ? h->version : st->keys_as)) == QUIC_OK)
		r = quic_decrypt(&d->keys, h, pkt, d->largest_pn, st->scratch, st->scratch_cap, &pl);
	if (r != QUIC_OK) {
		d->decrypt_failed++;
		quic_anom(ctx, st, dir, QUIC_ANOM_DECRYPT_FAILED, "%s Initial of %zu bytes",
			  dir == DIR_C2S ? "client" : "server", h->pkt_len);
		return;
	}
	d->decrypted++;
	if ((int64_t)pl.pn > d->largest_pn)
		d->largest_pn = (int64_t)pl.pn;
	if (pl.reserved_bits)
		quic_anom(ctx, st, dir, QUIC_ANOM_RESERVED_BITS, "packet %llu", (unsigned long long)pl.pn);
	quic_frames(ctx, st, dir, &pl);
	quic_feed_tls(ctx, st, dir);
}

/* Does a client Initial of a version we cannot open decrypt with the keys
 * of version `as` (its DCID, the scratch buffer; nothing else touched)? */
static bool quic_trial_open(struct quic_state *st, const struct quic_long_hdr *h, const uint8_t *pkt,
			    uint32_t as)
{
	struct quic_keys k;
	struct quic_plain pl;
	bool ok;

	if (h->pkt_len > st->scratch_cap) {
		uint8_t *nb = realloc(st->scratch, h->pkt_len);
		if (nb == NULL)
			return false;
		st->scratch = nb;
		st->scratch_cap = h->pkt_len;
	}
	ok = quic_initial_keys(as, h->dcid, h->dcid_len, false, &k) == QUIC_OK &&
	     quic_decrypt(&k, h, pkt, -1, st->scratch, st->scratch_cap, &pl) == QUIC_OK;
	memset(&k, 0, sizeof(k));
	return ok;
}

/* The client starts again with a version the server offered (RFC 9000
 * §6.2), from the same port: a new connection on the same flow. The
 * Initial keys, packet numbers, CRYPTO streams and the handshake read so
 * far go; the Version Negotiation stays, and `version` becomes the new
 * connection's. */
static void quic_restart(struct quic_state *st)
{
	for (int i = 0; i < 2; i++) {
		struct quic_dir *d = &st->d[i];
		quic_crypto_free(&d->cs);
		memset(&d->cs, 0, sizeof(d->cs));
		memset(&d->keys, 0, sizeof(d->keys));
		d->have_keys = false;
		d->cs_capped = false;
		d->crypto_fed = 0;
		d->largest_pn = -1;
		quic_hk_drop(d);
		d->hcs_capped = false;
		d->hs_fed = 0;
		d->hs_largest_pn = -1;
	}
	st->kl = 0;
	tls_hs_free(st->tls);
	st->tls = NULL;
	st->tls_failed = false;
	st->have_odcid = false;
	st->restarted = true;
}

/* Version Negotiation (RFC 9000 §17.2.1): the versions the server offers. */
static void quic_version_negotiation(struct dis_ctx *ctx, struct quic_state *st, enum dir dir,
				     const uint8_t *p, size_t len)
{
	struct cur c;
	uint32_t v;

	if (quic_vn_list(p, len, &c) != 0) {
		quic_anom(ctx, st, dir, QUIC_ANOM_BAD_VERSION_NEGOTIATION, "%zu bytes", len);
		return;
	}
	st->vn = true;
	while (cur_be32(&c, &v) == 0)
		if (st->n_vn < QUIC_VN_MAX)
			st->vn_versions[st->n_vn++] = v;
}

/* A long header of a version we do not know (quic_parse_long_header's
 * QUIC_E_VERSION). The client's first packet: the version it asked for,
 * which a Version Negotiation may answer; its Initial may be built as v1's
 * (tshark reads it so): keys tried on the side, v1's then draft-29's
 * (ngtcp2 uses draft-29's salt for a version it does not know), the flow's
 * state taken only when the AEAD tag verifies. The same client's next
 * Initial (the rest of a ClientHello in two packets) is read with the keys
 * that opened the first. A reserved version is a client asking for a
 * Version Negotiation (RFC 9000 §6.3), not an anomaly. */
static void quic_unknown_version(struct dis_ctx *ctx, struct quic_state *st, enum dir dir,
				 const struct quic_long_hdr *h, const uint8_t *pkt, size_t left)
{
	static const uint32_t as[] = { QUIC_V1, QUIC_DRAFT(29) };
	struct quic_long_hdr h1;

	if (dir == DIR_C2S && !st->have_odcid && st->version == 0) {
		st->version = h->version;
		for (size_t k = 0; k < sizeof(as) / sizeof(as[0]); k++) {
			if (quic_parse_long_header_as(pkt, left, &h1, as[k]) != QUIC_OK ||
			    h1.type != QUIC_PT_INITIAL || h1.dcid_len < 8)
				break;
			if (quic_trial_open(st, &h1, pkt, as[k])) {
				st->keys_as = as[k];
				quic_initial(ctx, st, dir, &h1, pkt);
				break;
			}
		}
	} else if (dir == DIR_C2S && st->have_odcid && st->keys_as != 0 && !st->restarted &&
		   h->version == st->version &&
		   quic_parse_long_header_as(pkt, left, &h1, st->keys_as) == QUIC_OK &&
		   h1.type == QUIC_PT_INITIAL) {
		quic_initial(ctx, st, dir, &h1, pkt);
	}
	if (!quic_version_reserved(h->version))
		quic_anom(ctx, st, dir, QUIC_ANOM_UNKNOWN_VERSION, "0x%08x", h->version);
}

static bool quic_all_zero(const uint8_t *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static struct dis_result quic_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				    const uint8_t *p, size_t len)
{
	struct quic_state *st = state;
	size_t off = 0;
	unsigned npkts = 0;

	obs_protocol(ctx, "quic");
	obs_security(ctx, SEC_TLS);
	if (st->datagrams == 0)
		st->d[0].largest_pn = st->d[1].largest_pn = st->d[0].hs_largest_pn =
			st->d[1].hs_largest_pn = -1;
	st->datagrams++;

	while (off < len) {
		struct quic_long_hdr h;
		int r = quic_parse_long_header(p + off, len - off, &h);

		if (r == QUIC_E_SHORT) {
			/* 1-RTT packet: the rest of the datagram. Zero bytes
			 * after coalesced packets are padding, not a packet;
			 * the fixed bit alone cannot tell, peers may grease it
			 * (RFC 9287). */
			if (!quic_all_zero(p + off, len - off))
				st->d[dir].short_pkts++;
			break;
		}
		if (++npkts > QUIC_PKTS_PER_DGRAM) {
			quic_anom(ctx, st, dir, QUIC_ANOM_TOO_MANY_PACKETS, NULL);
			break;
		}
		if (npkts == 2)
			st->coalesced++;
		if (r == QUIC_E_VERSION) {
			quic_unknown_version(ctx, st, dir, &h, p + off, len - off);
			break;
		}
		if (r == QUIC_E_CID_LEN) {
			quic_anom(ctx, st, dir, QUIC_ANOM_CID_TOO_LONG, NULL);
			break;
		}
		if (r != QUIC_OK) {
			quic_anom(ctx, st, dir, QUIC_ANOM_BAD_HEADER, "packet %u at offset %zu: %d",
				  npkts, off, r);
			break;
		}
		switch (h.type) {
		case QUIC_PT_VN:
			if (dir == DIR_S2C)
				quic_version_negotiation(ctx, st, dir, p + off, len - off);
			break;
		case QUIC_PT_RETRY:
			if (dir == DIR_S2C) {
				st->retry = true;
				st->retry_pending = true;
			}
			break;
		case QUIC_PT_INITIAL:
			if (dir == DIR_C2S && st->version != 0 && !quic_version_known(st->version) &&
			    !st->restarted)
				quic_restart(st);
			quic_initial(ctx, st, dir, &h, p + off);
			break;
		case QUIC_PT_HANDSHAKE:
			quic_handshake(ctx, st, dir, &h, p + off);
			break;
		case QUIC_PT_0RTT:
			st->d[dir].zero_rtt++;
			break;
		}
		off += h.pkt_len;
	}

	/* (with Handshake keys, not before both Finished are read: a client's
	 * Certificate may follow its first 1-RTT packet in another datagram) */
	if (st->tls && tls_hs_seen(st->tls, DIR_S2C) && st->d[DIR_C2S].short_pkts > 0 &&
	    st->d[DIR_S2C].short_pkts > 0 &&
	    (st->kl != 1 || (st->d[0].hk == NULL && st->d[1].hk == NULL))) {
		tls_hs_established(st->tls);
		return dis_done(len);
	}
	return st->datagrams >= QUIC_DGRAM_MAX ? dis_done(len) : dis_ok(len);
}

static void quic_flow_end(struct dis_ctx *ctx, void *state)
{
	struct quic_state *st = state;
	const struct quic_dir *c = &st->d[DIR_C2S], *s = &st->d[DIR_S2C];
	struct tls_carrier car;
	struct tls_quic_facts *q = &car.quic;

	if (st->tls == NULL && !(st->vn && st->n_vn > 0))
		return; /* nothing decrypted: the anomalies say why */
	if (st->tls == NULL && (st->tls = tls_hs_new('q')) == NULL)
		return;
	/* (a flow that is only a client's packet of a version we cannot open
	 * and the server's Version Negotiation: the QUIC facts alone) */
	memset(&car, 0, sizeof(car));
	car.kind = TLS_CARRIER_QUIC;
	q->version = st->version;
	q->server_version = st->server_version;
	q->dcid_len = st->dcid_len;
	q->scid_len = st->scid_len;
	q->initial_token = st->token;
	q->retry = st->retry;
	q->vn = st->vn;
	q->n_vn = st->n_vn;
	memcpy(q->vn_versions, st->vn_versions, sizeof(st->vn_versions[0]) * st->n_vn);
	q->initial_packets[0] = c->initials;
	q->initial_packets[1] = s->initials;
	q->initial_decrypted[0] = c->decrypted;
	q->initial_decrypted[1] = s->decrypted;
	q->handshake_packets[0] = c->handshake;
	q->handshake_packets[1] = s->handshake;
	q->short_packets[0] = c->short_pkts;
	q->short_packets[1] = s->short_pkts;
	q->crypto_bytes[0] = (uint32_t)c->crypto_fed;
	q->crypto_bytes[1] = (uint32_t)s->crypto_fed;
	q->coalesced = st->coalesced;
	q->closed = st->closed;
	q->close_from = st->close_from == DIR_C2S ? 0 : 1;
	q->close_error = st->close_error;
	q->close_frame = st->close_frame;
	if (st->vn && st->n_vn > 0)
		tls_hs_emit_always(ctx, st->tls, &car);
	else
		tls_hs_emit(ctx, st->tls, &car);
}

static void quic_state_free(void *state)
{
	struct quic_state *st = state;
	quic_crypto_free(&st->d[0].cs);
	quic_crypto_free(&st->d[1].cs);
	quic_hk_drop(&st->d[0]);
	quic_hk_drop(&st->d[1]);
	tls_hs_free(st->tls);
	st->tls = NULL;
	free(st->scratch);
	st->scratch = NULL;
	memset(&st->d[0].keys, 0, sizeof(st->d[0].keys));
	memset(&st->d[1].keys, 0, sizeof(st->d[1].keys));
}

static const uint16_t quic_ports[] = { 443, 8443, 4433, 0 };

const struct dissector dissector_quic = {
	.name = "quic",
	.transport = DIS_UDP,
	.ports = quic_ports,
	.probe = quic_probe,
	.state_size = sizeof(struct quic_state),
	.state_free = quic_state_free,
	.parse = quic_parse,
	.flow_end = quic_flow_end,
	.anomalies = quic_anomalies,
};
