/* SPDX-License-Identifier: BSD-3-Clause */
/* keylog.h — TLS 1.3 handshake secrets from an NSS key log file
 * (`capture --keylog FILE`, the format SSLKEYLOGFILE and
 * `openssl s_client -keylogfile` write: lines
 * "LABEL <client_random hex> <secret hex>", '#' comments), and the TLS 1.3
 * record protection needed to open handshake records (RFC 8446 §5.2-§5.3,
 * §7.1, §7.3).
 *
 * Only CLIENT_HANDSHAKE_TRAFFIC_SECRET and SERVER_HANDSHAKE_TRAFFIC_SECRET
 * are kept; every other label (the application traffic secrets included) is
 * skipped unread, so application data can never be decrypted. The secrets
 * live in memory only: never stored, never logged, never in a message.
 *
 * One key log per process (a capture run); lookups are thread-safe. A miss
 * re-reads the file, at most once per second, so a file that grows while
 * the capture runs is followed.
 */
#ifndef WA_KEYLOG_H
#define WA_KEYLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define KEYLOG_SECRET_MAX 48      /* SHA-384 */

/* Open and read the key log at path. 0, or -1 with a message (naming the
 * path and errno, never the content) in err. */
int keylog_open(const char *path, char *err, size_t errlen);
/* Forget the secrets (cleansed) and the path. */
void keylog_close(void);
bool keylog_enabled(void);

/* The handshake traffic secrets of the connection whose ClientHello random
 * is cr: true with both copied (len bytes each), false when the key log has
 * not both (yet). */
bool keylog_lookup(const uint8_t cr[32], uint8_t chts[KEYLOG_SECRET_MAX],
		   uint8_t shts[KEYLOG_SECRET_MAX], size_t *len);

/* HKDF-Expand-Label(secret, label, "", out_len) of RFC 8446 §7.1 with
 * SHA-256 (secret_len 32) or SHA-384 (48). 0 or -1. */
int tls13_expand_label(const uint8_t *secret, size_t secret_len, const char *label, uint8_t *out,
		       size_t out_len);

/* Record protection of one direction (RFC 8446 §5.3). */
struct tls13_keys {
	uint16_t suite;           /* 0x1301, 0x1302 or 0x1303 */
	uint8_t key[32], iv[12];
	size_t key_len;
	uint64_t seq;
};

/* Suites whose record protection tls13_open handles. */
bool tls13_suite_known(uint16_t suite);
/* key/iv from a traffic secret (RFC 8446 §7.3). 0, or -1 for an unknown
 * suite, a secret of the wrong length for the suite's hash, or a library
 * failure. */
int tls13_keys_from_secret(uint16_t suite, const uint8_t *secret, size_t len, struct tls13_keys *k);
/* The AEAD of a TLS 1.3 suite (RFC 8446 §5.2, App. B.4; also QUIC packet
 * protection, RFC 9001 §5.3): AES-128-GCM, AES-256-GCM or
 * ChaCha20-Poly1305 with a 12-byte nonce. Opens ct[0..ct_len) (tag last)
 * into out (>= ct_len - 16 bytes; out == ct is allowed) authenticating
 * aad. Returns the plaintext length, or -1 (unknown suite, tag mismatch,
 * too short or over 65536 bytes, library failure; out is then wiped). */
int tls13_aead_open(uint16_t suite, const uint8_t *key, const uint8_t nonce[12], const uint8_t *aad,
		    size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *out);
/* Open one TLSCiphertext (hdr: the 5-byte record header, the AAD; ct: the
 * encrypted_record, tag last) into out (cap >= ct_len - 16) with nonce
 * iv XOR seq; seq advances on success. Returns the TLSInnerPlaintext
 * length, or -1 (tag mismatch, too short, library failure). */
int tls13_open(struct tls13_keys *k, const uint8_t hdr[5], const uint8_t *ct, size_t ct_len,
	       uint8_t *out, size_t cap);

#endif
