/* SPDX-License-Identifier: BSD-3-Clause */
/* x509.h — certificates seen on the wire, through OpenSSL: parsing to typed
 * facts, chain validation against the system trust
 * store plus configured extra anchors at the time of the connection, and
 * stapled OCSP responses. Results are cached by certificate / chain hash so
 * a popular server's chain is parsed and verified once.
 *
 * The trust configuration and the caches live in a context (struct
 * x509_ctx), never in statics: two contexts in one process are independent
 * (a test can compare trust configurations; each capture has its own). A
 * context is single-threaded, like the engine that uses it.
 */
#ifndef WA_X509_H
#define WA_X509_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct x509_ctx;

/* A context with its trust configuration. system_ca: a CA bundle file or
 * directory, "none" (or "") for no system anchors, NULL for OpenSSL's
 * default paths (Debian's ca-certificates; loaded on the first validation,
 * not here); extra_ca: an optional PEM bundle of extra (internal) anchors
 * (NULL or "": none). Files are read now, so a bad path fails here: NULL
 * with a message on stderr. The configuration is fixed for the context's
 * life; make another context for another one. Caches start empty and are
 * bounded (docs/CERTIFICATES.md, "Caching": at most 4096 certificates and
 * 16 MiB of their facts, 4096 verdicts, 256 OCSP responses; the tables take
 * 0.4 MiB with the context and 1.1 MiB more at the first validation). The
 * caller frees it with x509_ctx_free. */
struct x509_ctx *x509_ctx_new(const char *system_ca, const char *extra_ca);
/* Frees the context, its anchors and its caches. NULL is ignored. */
void x509_ctx_free(struct x509_ctx *xc);

/* In the functions below, xc is the context whose caches and anchors are
 * used. It may be NULL: parsing then goes uncached, and a chain is not
 * evaluated (trusted -1, error "no_trust_store"). */

/* What one certificate states, as parsed: the typed facts the store keeps
 * in its certs and cert_sans tables and the export turns into the
 * certificate object (docs/EXPORT.md). No judgement: whether a key is short
 * or a signature hash broken is decided from key_type, key_bits and
 * sig_hash by the rule layer and the export (certpolicy.h).
 *
 * One malloc'd block: the strings live inside it and are referenced by
 * offset from its start (x509_fs), so a copy is one memcpy of `size` bytes
 * and free() releases it. Every string is NUL-terminated after its `len`
 * bytes (which may themselves hold a NUL: a dNSName is raw IA5 octets). */
struct x509_str {
	uint32_t off;         /* from the block's start; 0: absent (null) */
	uint32_t len;
};
struct x509_cert_facts {
	size_t size;               /* bytes of the whole block */
	int version;               /* 1..3 */
	int key_bits;              /* -1: unknown */
	int path_len;              /* basicConstraints pathLenConstraint, -1: none */
	int64_t not_before, not_after; /* seconds since the epoch */
	bool has_not_before, has_not_after, self_signed, is_ca, sans_truncated;
	struct x509_str sha1, serial, subject, subject_cn, issuer;
	struct x509_str key_type, curve, sig_alg, sig_alg_oid, sig_hash;
	uint32_t nsans;            /* DNS and IP names, at most 512 */
	struct x509_str sans[];
};
static inline const char *x509_fs(const struct x509_cert_facts *f, struct x509_str s)
{
	return s.off ? (const char *)f + s.off : NULL;
}

/* Parse one DER certificate. On success returns its facts (malloc'd, the
 * caller frees) and writes the lowercase hex SHA-256 to sha256_hex. NULL if
 * the bytes are not a certificate (sha256_hex is still filled). */
struct x509_cert_facts *x509_cert_facts(struct x509_ctx *xc, const uint8_t *der, size_t len,
					char sha256_hex[65]);
/* A copy of f (NULL stays NULL, or on allocation failure). */
struct x509_cert_facts *x509_facts_dup(const struct x509_cert_facts *f);

struct x509_verdict {
	int trusted;          /* 1 chain validates, 0 does not, -1 not evaluated */
	char error[64];       /* "" or a stable reason: expired, not_yet_valid,
			       * self_signed, self_signed_in_chain,
			       * unknown_issuer, bad_signature, invalid_ca, ... */
	int hostname_match;   /* 1/0, -1 when no hostname was given */
	bool leaf_self_signed;
	bool trusted_by_extra;/* validated only thanks to the extra anchors */
	int error_depth;      /* chain position (0 = leaf) of the error, -1 none */
};

/* Validate a chain as presented (leaf first) at time `when` (microseconds
 * since the epoch: the connection's time, not now) against xc's anchors,
 * and match `hostname` (SNI; NULL or "" to skip) against the leaf.
 * purpose_client: validate as a TLS client certificate instead of server. */
void x509_validate_chain(struct x509_ctx *xc, const uint8_t *const *ders, const size_t *lens,
			 int n, int64_t when, const char *hostname, bool purpose_client,
			 struct x509_verdict *out);
/* The same, given each certificate's SHA-256 in lowercase hex as
 * x509_cert_facts returned it (sha256_hex[i] for ders[i], or NULL): saves
 * hashing every certificate twice per connection. The caller vouches that
 * each hash is of those bytes: the verdict cache is keyed by them. */
void x509_validate_chain_sha(struct x509_ctx *xc, const uint8_t *const *ders, const size_t *lens,
			     const char (*sha256_hex)[65], int n, int64_t when,
			     const char *hostname, bool purpose_client, struct x509_verdict *out);

/* A stapled OCSP response (RFC 6960 OCSPResponse DER). status gets "good",
 * "revoked", "unknown" (for the first SingleResponse) or "malformed" /
 * "unsuccessful"; produced_at in microseconds (0 if absent). Returns 0 if
 * the response parsed, -1 otherwise. */
int x509_ocsp_status(struct x509_ctx *xc, const uint8_t *der, size_t len, char *status,
		     size_t status_len, int64_t *produced_at);

/* The same with every field of the first SingleResponse (times in
 * microseconds, 0 when absent). Returns as x509_ocsp_status. */
struct x509_ocsp {
	char status[16];          /* good, revoked, unknown, unsuccessful, malformed */
	int response_status;      /* OCSPResponseStatus (0 successful) */
	int count;                /* SingleResponses in the response */
	int64_t produced_at, this_update, next_update, revoked_at;
	int revocation_reason;    /* CRLReason, -1 when absent or not revoked */
	char serial[129];         /* certificate serial, hex as in the cert JSON */
};
int x509_ocsp_parse(struct x509_ctx *xc, const uint8_t *der, size_t len, struct x509_ocsp *out);

/* Cache counters of one context since it was made (all 0 for NULL). */
struct x509_cache_stats {
	uint64_t cert_hits, cert_misses, verdict_hits, verdict_misses;
	uint64_t ocsp_hits, ocsp_misses;
	size_t cert_entries, verdict_entries;
};
void x509_cache_stats(const struct x509_ctx *xc, struct x509_cache_stats *st);

#endif
