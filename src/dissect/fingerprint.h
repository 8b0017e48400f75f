/* SPDX-License-Identifier: BSD-3-Clause */
/* fingerprint.h — TLS client/server fingerprints: JA3 and JA3S
 * (salesforce/ja3 README) and JA4 (FoxIO technical_details/JA4.md), computed
 * from the fields of a parsed ClientHello / ServerHello. JA4S, JA4X and the
 * other JA4+ methods are deliberately not implemented (FoxIO License).
 * Where FoxIO's reference code and its specification disagree we follow the
 * specification: see docs/FINGERPRINTS.md.
 */
#ifndef WA_FINGERPRINT_H
#define WA_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The ClientHello fields the fingerprints read, in wire order and with
 * GREASE values still present (each method removes them itself). The
 * arrays are the caller's. */
struct fp_hello {
	uint16_t legacy_version;          /* ClientHello.legacy_version */
	const uint16_t *ciphers;
	size_t n_ciphers;
	const uint16_t *exts;             /* extension types */
	size_t n_exts;
	const uint16_t *groups;           /* supported_groups */
	size_t n_groups;
	const uint8_t *point_formats;     /* ec_point_formats */
	size_t n_point_formats;
	const uint16_t *sigalgs;          /* signature_algorithms */
	size_t n_sigalgs;
	const uint16_t *versions;         /* supported_versions (may be absent) */
	size_t n_versions;
	bool has_versions_ext;
	bool has_sni;                     /* server_name extension present */
	bool has_alpn;                    /* ALPN extension with a first value */
	const uint8_t *alpn0;             /* the first ALPN protocol name */
	size_t alpn0_len;
};

/* JA3: "SSLVersion,Ciphers,Extensions,EllipticCurves,EcPointFormats" in
 * decimal, '-' joined, GREASE removed; md5hex gets its MD5 (32 lowercase hex
 * digits + NUL). *str is malloc'd (caller frees). Returns 0, -1 on allocation
 * failure (*str NULL, md5hex ""). */
int fp_ja3(const struct fp_hello *h, char **str, char md5hex[33]);

/* JA3S: "SSLVersion,Cipher,Extensions" of a ServerHello. Same ownership and
 * return convention as fp_ja3. */
int fp_ja3s(uint16_t version, uint16_t cipher, const uint16_t *exts, size_t n_exts,
	    char **str, char md5hex[33]);

/* JA4 ("t13d1516h2_8daaf6152771_e5627efa2ab1"). transport: 't' TLS over TCP,
 * 'q' QUIC, 'd' DTLS. original=false gives JA4 / JA4_r (sorted, SNI and ALPN
 * left out of part c); original=true gives JA4_o / JA4_ro (wire order, SNI
 * and ALPN kept). out gets the fingerprint (at most 36 chars + NUL); *raw,
 * if raw is not NULL, the malloc'd raw form. Returns 0 or -1 (allocation). */
#define FP_JA4_LEN 37
int fp_ja4(const struct fp_hello *h, char transport, bool original, char out[FP_JA4_LEN],
	   char **raw);

/* The two ALPN characters of JA4_a from the first ALPN value (absent or
 * empty: "00"). out gets 2 chars + NUL. */
void fp_ja4_alpn(const uint8_t *v, size_t len, bool present, char out[3]);

/* The two version characters of JA4_a for a protocol version ("13", "s3",
 * "d2", "00" if unknown). out gets 2 chars + NUL. */
void fp_ja4_version(uint16_t v, char out[3]);

#endif
