/* SPDX-License-Identifier: BSD-3-Clause */
/* tls_facts.c — digests, fingerprints, names and list forms of the typed
 * TLS facts (tls_facts.h). Pure functions: no state. */
#include "tls_facts.h"
#include "fingerprint.h"
#include "digest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

/* ---- digests ---- */

struct tf_hash {
	EVP_MD_CTX *md;
	int err;
};

static void th_bytes(struct tf_hash *h, const void *p, size_t n)
{
	uint8_t len[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
	/* length-prefixed: ("ab","c") and ("a","bc") differ */
	if (EVP_DigestUpdate(h->md, len, 4) != 1 || (n && EVP_DigestUpdate(h->md, p, n) != 1))
		h->err = 1;
}

static void th_u32(struct tf_hash *h, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	th_bytes(h, b, 4);
}

static void th_u16s(struct tf_hash *h, const uint16_t *v, size_t n)
{
	uint8_t b[2 * TF_MAX_CIPHERS];
	size_t i;
	if (n > TF_MAX_CIPHERS)
		n = TF_MAX_CIPHERS;
	for (i = 0; i < n; i++) {
		b[2 * i] = (uint8_t)(v[i] >> 8);
		b[2 * i + 1] = (uint8_t)v[i];
	}
	th_bytes(h, b, 2 * n);
}

static int th_begin(struct tf_hash *h, const char *domain)
{
	h->err = 0;
	h->md = wa_md_begin(WA_SHA256); /* this thread's, reused */
	if (h->md == NULL)
		return -1;
	th_bytes(h, domain, strlen(domain));
	return 0;
}

static int th_end(struct tf_hash *h, uint8_t out[TF_DIGEST_LEN])
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	if (EVP_DigestFinal_ex(h->md, d, &dl) != 1 || dl < TF_DIGEST_LEN)
		h->err = 1;
	if (h->err)
		return -1;
	memcpy(out, d, TF_DIGEST_LEN);
	return 0;
}

int tls_cprof_digest(const struct tls_cprof *p, uint8_t out[TF_DIGEST_LEN])
{
	struct tf_hash h;
	uint32_t flags;
	size_t i;

	if (th_begin(&h, "wireaudit tls_cprof 1") != 0)
		return -1;
	flags = (uint32_t)p->sslv2 | (uint32_t)p->lists_capped << 1 | (uint32_t)p->has_versions << 2 |
		(uint32_t)p->has_alpn << 3 | (uint32_t)p->has_sni_ext << 4 | (uint32_t)p->ech << 5 |
		(uint32_t)p->status_request << 6 | (uint32_t)p->ticket_ext << 7 |
		(uint32_t)p->psk << 8 | (uint32_t)p->early_data << 9 | (uint32_t)p->reneg << 10 |
		(uint32_t)p->fallback_scsv << 11 | (uint32_t)p->ems << 12 | (uint32_t)p->etm << 13;
	th_u32(&h, flags);
	th_u32(&h, (uint32_t)(uint8_t)p->transport);
	th_u32(&h, p->legacy_version);
	th_u32(&h, (uint32_t)(int32_t)p->ech_type);
	th_u16s(&h, p->versions, p->n_versions);
	th_u16s(&h, p->ciphers, p->n_ciphers);
	th_u32(&h, p->n_sslv2_specs);
	for (i = 0; i < p->n_sslv2_specs && i < TF_MAX_SSLV2_SPECS; i++)
		th_u32(&h, p->sslv2_specs[i]);
	th_bytes(&h, p->comp, p->n_comp);
	th_u16s(&h, p->exts, p->n_exts);
	th_u16s(&h, p->groups, p->n_groups);
	th_u16s(&h, p->ks, p->n_ks);
	th_u16s(&h, p->sigalgs, p->n_sigalgs);
	th_bytes(&h, p->pf, p->n_pf);
	th_u32(&h, p->n_alpn);
	for (i = 0; i < p->n_alpn && i < TF_MAX_ALPN; i++)
		th_bytes(&h, p->alpn[i], p->alpn_len[i]);
	th_bytes(&h, p->alpn0_full, p->alpn0_full_len);
	return th_end(&h, out);
}

int tls_sprof_digest(const struct tls_sprof *p, uint8_t out[TF_DIGEST_LEN])
{
	struct tf_hash h;
	if (th_begin(&h, "wireaudit tls_sprof 1") != 0)
		return -1;
	th_u32(&h, (uint32_t)p->sslv2 | (uint32_t)p->ems << 1 | (uint32_t)p->etm << 2 |
		   (uint32_t)p->reneg << 3 | (uint32_t)p->status_request << 4);
	th_u32(&h, p->version);
	th_u32(&h, p->legacy_version);
	th_u32(&h, p->cipher);
	th_u32(&h, p->comp);
	th_u16s(&h, p->exts, p->n_exts);
	return th_end(&h, out);
}

/* ---- fingerprints ---- */

void tls_cprof_fingerprints(const struct tls_cprof *p, struct tls_cprof_fp *out)
{
	struct fp_hello f;
	char md5[33], ja4[FP_JA4_LEN];

	memset(out, 0, sizeof(*out));
	if (p->sslv2 || p->lists_capped)
		return;
	memset(&f, 0, sizeof(f));
	f.legacy_version = p->legacy_version;
	f.ciphers = p->ciphers;
	f.n_ciphers = p->n_ciphers;
	f.exts = p->exts;
	f.n_exts = p->n_exts;
	f.groups = p->groups;
	f.n_groups = p->n_groups;
	f.point_formats = p->pf;
	f.n_point_formats = p->n_pf;
	f.sigalgs = p->sigalgs;
	f.n_sigalgs = p->n_sigalgs;
	f.versions = p->versions;
	f.n_versions = p->n_versions;
	f.has_versions_ext = p->has_versions;
	f.has_sni = p->has_sni_ext;
	f.has_alpn = p->has_alpn && p->n_alpn > 0;
	f.alpn0 = p->alpn0_full;
	f.alpn0_len = p->alpn0_full_len;
	if (fp_ja3(&f, &out->ja3_string, md5) == 0 && (out->ja3 = strdup(md5)) == NULL) {
		free(out->ja3_string);
		out->ja3_string = NULL;
	}
	if (fp_ja4(&f, p->transport ? p->transport : 't', false, ja4, &out->ja4_r) == 0 &&
	    (out->ja4 = strdup(ja4)) == NULL) {
		free(out->ja4_r);
		out->ja4_r = NULL;
	}
}

void tls_cprof_fp_free(struct tls_cprof_fp *fp)
{
	free(fp->ja3);
	free(fp->ja3_string);
	free(fp->ja4);
	free(fp->ja4_r);
	memset(fp, 0, sizeof(*fp));
}

void tls_sprof_ja3s(const struct tls_sprof *p, char **ja3s, char **ja3s_string)
{
	char md5[33];
	*ja3s = *ja3s_string = NULL;
	if (p->sslv2)
		return;
	if (fp_ja3s(p->legacy_version, (uint16_t)p->cipher, p->exts, p->n_exts, ja3s_string, md5) == 0 &&
	    (*ja3s = strdup(md5)) == NULL) {
		free(*ja3s_string);
		*ja3s_string = NULL;
	}
}

/* ---- list forms ---- */

static char *tf_join(const void *v, size_t n, int width)
{
	char *s = malloc(n * 11 + 1), *o = s;
	size_t i;
	if (s == NULL)
		return NULL;
	*o = 0;
	for (i = 0; i < n; i++) {
		unsigned long x = width == 1 ? ((const uint8_t *)v)[i] :
				  width == 2 ? ((const uint16_t *)v)[i] : ((const uint32_t *)v)[i];
		o += sprintf(o, i ? ",%lu" : "%lu", x);
	}
	return s;
}

char *tf_u16_join(const uint16_t *v, size_t n) { return tf_join(v, n, 2); }
char *tf_u8_join(const uint8_t *v, size_t n) { return tf_join(v, n, 1); }
char *tf_u32_join(const uint32_t *v, size_t n) { return tf_join(v, n, 4); }

/* The store reads back what it wrote; anything else is a damaged database. */
static int tf_split(const char *s, unsigned long maxval, size_t max, unsigned long *out, size_t *n)
{
	*n = 0;
	if (s == NULL || *s == 0)
		return 0;
	for (;;) {
		unsigned long x = 0;
		const char *d = s;
		while (*s >= '0' && *s <= '9') {
			x = x * 10 + (unsigned long)(*s - '0');
			if (x > maxval)
				return -1;
			s++;
		}
		if (s == d || *n >= max)
			return -1;
		out[(*n)++] = x;
		if (*s == 0)
			return 0;
		if (*s++ != ',')
			return -1;
	}
}

int tf_u16_split(const char *s, uint16_t *v, size_t max, uint16_t *n)
{
	unsigned long t[TF_MAX_CIPHERS];
	size_t i, k;
	if (max > TF_MAX_CIPHERS || tf_split(s, 0xffff, max, t, &k) != 0)
		return -1;
	for (i = 0; i < k; i++)
		v[i] = (uint16_t)t[i];
	*n = (uint16_t)k;
	return 0;
}

int tf_u8_split(const char *s, uint8_t *v, size_t max, uint8_t *n)
{
	unsigned long t[256];
	size_t i, k;
	if (max > 255 || tf_split(s, 0xff, max, t, &k) != 0)
		return -1;
	for (i = 0; i < k; i++)
		v[i] = (uint8_t)t[i];
	*n = (uint8_t)k;
	return 0;
}

int tf_u32_split(const char *s, uint32_t *v, size_t max, uint16_t *n)
{
	unsigned long t[TF_MAX_SSLV2_SPECS];
	size_t i, k;
	if (max > TF_MAX_SSLV2_SPECS || tf_split(s, 0xffffffffUL, max, t, &k) != 0)
		return -1;
	for (i = 0; i < k; i++)
		v[i] = (uint32_t)t[i];
	*n = (uint16_t)k;
	return 0;
}

/* ---- names ---- */

void tls_version_name(uint16_t v, char *buf, size_t n)
{
	switch (v) {
	case 0x0002: snprintf(buf, n, "SSLv2"); break;
	case 0x0300: snprintf(buf, n, "SSLv3"); break;
	case 0x0301: snprintf(buf, n, "TLSv1.0"); break;
	case 0x0302: snprintf(buf, n, "TLSv1.1"); break;
	case 0x0303: snprintf(buf, n, "TLSv1.2"); break;
	case 0x0304: snprintf(buf, n, "TLSv1.3"); break;
	default:
		if ((v & 0xff00) == 0x7f00)
			snprintf(buf, n, "TLSv1.3-draft%u", v & 0xff);
		else
			snprintf(buf, n, "0x%04x", v);
	}
}

const char *tls_alert_name(uint8_t d)
{
	static const struct { uint8_t v; const char *n; } t[] = {
		{ 0, "close_notify" }, { 10, "unexpected_message" }, { 20, "bad_record_mac" },
		{ 21, "decryption_failed" }, { 22, "record_overflow" }, { 30, "decompression_failure" },
		{ 40, "handshake_failure" }, { 41, "no_certificate" }, { 42, "bad_certificate" },
		{ 43, "unsupported_certificate" }, { 44, "certificate_revoked" },
		{ 45, "certificate_expired" }, { 46, "certificate_unknown" }, { 47, "illegal_parameter" },
		{ 48, "unknown_ca" }, { 49, "access_denied" }, { 50, "decode_error" },
		{ 51, "decrypt_error" }, { 60, "export_restriction" }, { 70, "protocol_version" },
		{ 71, "insufficient_security" }, { 80, "internal_error" },
		{ 86, "inappropriate_fallback" }, { 90, "user_canceled" }, { 100, "no_renegotiation" },
		{ 109, "missing_extension" }, { 110, "unsupported_extension" },
		{ 111, "certificate_unobtainable" }, { 112, "unrecognized_name" },
		{ 113, "bad_certificate_status_response" }, { 114, "bad_certificate_hash_value" },
		{ 115, "unknown_psk_identity" }, { 116, "certificate_required" },
		{ 120, "no_application_protocol" }, { 121, "ech_required" },
	};
	size_t i;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].v == d)
			return t[i].n;
	return NULL;
}

const char *tls_sslv2_cipher_name(uint32_t v)
{
	/* RFC 6101 App. E / the SSL 2.0 draft: CIPHER-KIND values */
	switch (v) {
	case 0x010080: return "SSL_CK_RC4_128_WITH_MD5";
	case 0x020080: return "SSL_CK_RC4_128_EXPORT40_WITH_MD5";
	case 0x030080: return "SSL_CK_RC2_128_CBC_WITH_MD5";
	case 0x040080: return "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5";
	case 0x050080: return "SSL_CK_IDEA_128_CBC_WITH_MD5";
	case 0x060040: return "SSL_CK_DES_64_CBC_WITH_MD5";
	case 0x0700C0: return "SSL_CK_DES_192_EDE3_CBC_WITH_MD5";
	default: return NULL;
	}
}
