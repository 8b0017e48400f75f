/* SPDX-License-Identifier: BSD-3-Clause */
/* cert_json.h — the export's certificate object (docs/CERTIFICATES.md)
 * from a certificate's typed facts as the store holds them (docs/SCHEMA.md,
 * certs and cert_sans). Built at export, never at capture.
 */
#ifndef WA_CERT_JSON_H
#define WA_CERT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

struct cert_str {
	const char *p;   /* NULL: null */
	size_t n;
};

struct cert_view {
	bool parsed;                 /* false: not a certificate, written as {} */
	struct cert_str sha256, sha1, serial, subject, subject_cn, issuer;
	struct cert_str key_type, curve, sig_alg, sig_alg_oid, sig_hash;
	int64_t version;
	int64_t not_before, not_after;   /* seconds since the epoch */
	bool has_not_before, has_not_after;
	int64_t key_bits, path_len;      /* -1: null */
	bool self_signed, is_ca, sans_truncated;
	const struct cert_str *sans;
	size_t nsans;
};

/* Appends the certificate's object to jb. */
void cert_json_build(struct jbuf *jb, const struct cert_view *c);

/* The judgements the export states beside a chain (certpolicy.h): a key
 * too short in any certificate; a broken signature hash on any certificate
 * that is not self-signed (a root sent along protects nothing by its
 * self-signature). Accumulates into *weak_key / *weak_signature. */
void cert_chain_weakness(const struct cert_view *c, bool *weak_key, bool *weak_signature);

/* The view of facts as x509_cert_facts parsed them (NULL: not a
 * certificate), with sha256 (hex) beside them; sans: room for f->nsans
 * names (512 at most). What the export reads back from the columns the
 * store writes those facts to: a fuzzer or a test builds the same object
 * without a store. */
struct x509_cert_facts;
void cert_view_of_facts(struct cert_view *v, const struct x509_cert_facts *f, const char *sha,
			struct cert_str *sans);

#endif
