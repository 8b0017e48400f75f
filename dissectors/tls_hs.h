/* SPDX-License-Identifier: BSD-3-Clause */
/* tls_hs.h — the handshake-message level of dissectors/tls.c, for carriers
 * of TLS handshake messages other than the TLS record layer: QUIC CRYPTO
 * frames (RFC 9001 §4: no records, messages straight in the CRYPTO stream).
 * Used by dissectors/quic.c, and by dissectors/tds.c at the record level
 * (tls_hs_feed_records); the TLS parsing, facts and `tls` export object
 * are tls.c's own, so a QUIC handshake is recorded exactly like a TCP one.
 */
#ifndef WA_TLS_HS_H
#define WA_TLS_HS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissector.h"

struct tls_state;

/* A fresh TLS handshake state (malloc'd; free with tls_hs_free). transport
 * is JA4's first character: 't' TCP, 'q' QUIC. NULL if out of memory. */
struct tls_state *tls_hs_new(char transport);
void tls_hs_free(struct tls_state *st);

/* Handshake-message bytes of one direction, in stream order, in pieces of
 * any size (a partial message is kept until the rest arrives, capped as in
 * tls.c). Anomalies are filed under "tls". Returns 0, or -1 when the
 * handshake is malformed (then every later call returns -1 too). */
int tls_hs_feed(struct dis_ctx *ctx, struct tls_state *st, enum dir dir, const uint8_t *p,
		size_t n);

/* Record-layer bytes of one direction (TLS records with their 5-byte
 * headers, RFC 8446 §5.1) for a carrier that wraps or interleaves them with
 * its own framing (TDS: the handshake inside PRELOGIN packets, [MS-TDS]
 * §3.2.5.2; then raw records). Same contract as a dissector's parse(): the
 * result says how many bytes of p were consumed; the carrier keeps the rest
 * and calls again with it followed by more bytes. DIS_ERROR: malformed
 * (anomaly filed under "tls"); DIS_DONE: every fact is known (the handshake
 * completed and data flows, or it failed). p is not kept after the call. */
struct dis_result tls_hs_feed_records(struct dis_ctx *ctx, struct tls_state *st, enum dir dir,
				      const uint8_t *p, size_t n);

/* TLS 1.3 handshake opened with a key log (keylog.h, `capture --keylog`)
 * by a carrier that protects the handshake itself (QUIC Handshake
 * packets, RFC 9001 §5.1). The key log state is tls.c's, so the anomalies
 * (keylog_no_secrets, keylog_decrypt_failed, filed under "tls") and the
 * facts (handshake_decrypted, chains, client certificate) are exactly the
 * TCP record path's. */
/* The handshake traffic secrets of the flow's ClientHello, asked once,
 * after the ServerHello: 1 with both copied (*len bytes each, 32 or 48)
 * and the suite, which the caller turns into keys and wipes; 0 when not
 * wanted (no key log, not TLS 1.3, a suite not opened, already asked); -1
 * when the key log has not both (anomaly keylog_no_secrets). */
int tls_hs_keylog_secrets(struct dis_ctx *ctx, struct tls_state *st, uint8_t cs[48], uint8_t ss[48],
			  size_t *len, uint16_t *suite);
/* The carrier could not open a protected packet with those keys: anomaly
 * keylog_decrypt_failed (once), nothing more is fed; the flow's facts are
 * those without a key log. */
void tls_hs_keylog_failed(struct dis_ctx *ctx, struct tls_state *st, const char *why);
/* Decrypted handshake-message bytes of one direction in stream order
 * (EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify,
 * Finished; RFC 8446 §4.3-§4.4), parsed as the TCP key log path parses
 * them. 0, or -1 (malformed, or not in that state: nothing kept). */
int tls_hs_feed_decrypted(struct dis_ctx *ctx, struct tls_state *st, enum dir dir, const uint8_t *p,
			  size_t n);
/* That direction's decrypted Finished was read: its handshake epoch is over
 * and its keys can go. */
bool tls_hs_finished(const struct tls_state *st, enum dir dir);

/* ClientHello (DIR_C2S) or ServerHello/HelloRetryRequest (DIR_S2C) parsed. */
bool tls_hs_seen(const struct tls_state *st, enum dir dir);

/* The carrier saw the handshake complete (QUIC: 1-RTT packets both ways),
 * which tls.c would otherwise infer from encrypted records. */
void tls_hs_established(struct tls_state *st);

/* State the flow's TLS facts (obs_tls) if a hello was seen, with the
 * carrier's own facts (the QUIC header facts, TDS PRELOGIN counts; NULL:
 * none). Nothing is kept after the call. */
struct tls_carrier;
void tls_hs_emit(struct dis_ctx *ctx, struct tls_state *st, const struct tls_carrier *carrier);
/* The same with no hello seen: the carrier's facts are the flow's only
 * TLS facts (QUIC: a Version Negotiation and nothing after it). */
void tls_hs_emit_always(struct dis_ctx *ctx, struct tls_state *st, const struct tls_carrier *carrier);

#endif
