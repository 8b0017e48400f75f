/* SPDX-License-Identifier: BSD-3-Clause */
/* certpolicy.h — when a certificate's key is too short or its signature's
 * hash is broken. A judgement, so it is made where the store is read (the
 * export's weak_key / weak_signature, the rules), never at capture: the
 * capture keeps the facts it is made from (key_type, key_bits, sig_hash;
 * docs/SCHEMA.md, certs). The thresholds live here, in one place.
 */
#ifndef WA_CERTPOLICY_H
#define WA_CERTPOLICY_H

#include <stdbool.h>
#include <string.h>

/* RSA and DSA moduli below 2048 bits: NIST SP 800-131A rev 2 and ASVS 5.0
 * V11.2; EC keys below 224 bits: SP 800-57 part 1 rev 5, table 2. */
#define CERT_WEAK_RSA_BITS 2048
#define CERT_WEAK_EC_BITS  224

/* key_type as x509.c names it (RSA, RSA-PSS, DSA, EC, Ed25519, ...);
 * bits < 0: unknown, never weak. */
static inline bool cert_key_weak(const char *key_type, int bits)
{
	if (key_type == NULL || bits <= 0)
		return false;
	if (strcmp(key_type, "RSA") == 0 || strcmp(key_type, "RSA-PSS") == 0 ||
	    strcmp(key_type, "DSA") == 0)
		return bits < CERT_WEAK_RSA_BITS;
	if (strcmp(key_type, "EC") == 0)
		return bits < CERT_WEAK_EC_BITS;
	return false;
}

/* sig_hash: OpenSSL's long name of the signature's digest (sha256, sha1,
 * md5, ...); MD2, MD4, MD5 and SHA-1 are broken for signatures (RFC 6151,
 * SHAttered; CA/Browser Forum Baseline Requirements 7.1.3). NULL (no
 * separate digest: Ed25519, RSA-PSS, unknown) is not weak. */
static inline bool cert_sig_hash_weak(const char *sig_hash)
{
	static const char *const weak[] = { "md5", "sha1", "md5-sha1", "md4", "md2" };
	if (sig_hash == NULL)
		return false;
	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
		if (strcmp(sig_hash, weak[i]) == 0)
			return true;
	return false;
}

#endif
