/* SPDX-License-Identifier: BSD-3-Clause */
/* digest.h — SHA-256, SHA-1 and MD5 through libcrypto with the
 * implementation fetched once per thread and one context reused per
 * thread. In OpenSSL 3 the one-shot SHA256()/EVP_Digest() and
 * EVP_DigestInit_ex(EVP_sha256()) look the provider up (a locked table
 * walk) on every call, which costs more than hashing the short inputs the
 * capture path digests (profiles, certificates, chain keys, fingerprints):
 * 4.6% of the handshake-heavy capture (docs/PERFORMANCE.md, issue 13).
 *
 * Thread-local, so two engines (or an engine and the store writer) on two
 * threads never share a context. */
#ifndef WA_DIGEST_H
#define WA_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

enum wa_md { WA_MD5 = 0, WA_SHA1, WA_SHA256, WA_NMD };

/* A context of this thread, initialised for md; NULL if libcrypto failed.
 * Feed it with EVP_DigestUpdate and end with EVP_DigestFinal_ex; valid
 * until the next wa_md_begin of the same md on this thread. */
EVP_MD_CTX *wa_md_begin(enum wa_md md);
/* One-shot digest of len bytes at p into out (16, 20 or 32 bytes); the
 * digest length, or 0 if libcrypto failed. */
unsigned wa_md(enum wa_md md, const void *p, size_t len, uint8_t *out);
/* Frees this thread's contexts and fetched implementations (a thread that
 * ends; valgrind's leak check at exit). */
void wa_md_thread_free(void);

#endif
