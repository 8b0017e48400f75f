/* SPDX-License-Identifier: BSD-3-Clause */
/* fingerprint.c — JA3/JA3S (salesforce/ja3 README.md) and JA4 (FoxIO-LLC/ja4
 * technical_details/JA4.md); contracts in fingerprint.h, deviations from
 * the reference code in docs/FINGERPRINTS.md.
 *
 *   JA4 = a_b_c
 *   a = proto(t|q|d) version(2) sni(d|i) ciphers(2) extensions(2) alpn(2)
 *   b = sha256("cccc,cccc,...")[:12]     ciphers, sorted, GREASE removed
 *   c = sha256("eeee,...[_ssss,...]")[:12] extensions sorted without 0000
 *       and 0010, then signature algorithms in wire order, GREASE removed
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "fingerprint.h"
#include "digest.h"
#include "util.h"
#include "tls_tables.h"

/* A growable string; err sticks after an allocation failure. */
struct fp_str {
	char *s;
	size_t len, cap;
	int err;
};

static void fp_str_add(struct fp_str *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->cap - b->len <= n) {
		size_t nc = b->cap ? b->cap : 128;
		char *ns;
		while (nc - b->len <= n)
			nc *= 2;
		ns = realloc(b->s, nc);
		if (ns == NULL) {
			b->err = 1;
			return;
		}
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void fp_str_cat(struct fp_str *b, const char *s)
{
	fp_str_add(b, s, strlen(s));
}

/* Append v in decimal, after sep (may be ""). */
static void fp_str_dec(struct fp_str *b, const char *sep, unsigned v)
{
	char t[24];
	size_t k = strlen(sep);
	memcpy(t, sep, k); /* callers pass "" or one character */
	k += u64_to_dec(v, t + k);
	fp_str_add(b, t, k);
}

/* Append v as 4 lowercase hex digits, after sep. */
static void fp_str_hex4(struct fp_str *b, const char *sep, unsigned v)
{
	static const char hx[] = "0123456789abcdef";
	char t[8];
	size_t k = strlen(sep);
	memcpy(t, sep, k); /* callers pass "" or one character */
	t[k++] = hx[(v >> 12) & 15];
	t[k++] = hx[(v >> 8) & 15];
	t[k++] = hx[(v >> 4) & 15];
	t[k++] = hx[v & 15];
	fp_str_add(b, t, k);
}

/* Finish: the text (malloc'd) or NULL after an error. "" when empty. */
static char *fp_str_take(struct fp_str *b)
{
	if (b->err) {
		free(b->s);
		return NULL;
	}
	if (b->s == NULL)
		return strdup("");
	return b->s;
}

static void fp_hex(const unsigned char *d, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;
	for (i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = 0;
}

static int fp_digest(const EVP_MD *md, const char *s, char *hexout)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	hexout[0] = 0;
	/* this thread's context, the implementation fetched once (digest.h) */
	EVP_MD_CTX *c = wa_md_begin(md == EVP_md5() ? WA_MD5 : WA_SHA256);
	if (c == NULL || EVP_DigestUpdate(c, s, strlen(s)) != 1 || EVP_DigestFinal_ex(c, d, &dl) != 1)
		return -1;
	fp_hex(d, dl, hexout);
	return 0;
}

/* Decimal '-' joined list without GREASE. */
static void fp_dec_list(struct fp_str *b, const uint16_t *v, size_t n)
{
	size_t i;
	bool first = true;
	for (i = 0; i < n; i++) {
		if (tls_is_grease(v[i]))
			continue;
		fp_str_dec(b, first ? "" : "-", v[i]);
		first = false;
	}
}

int fp_ja3(const struct fp_hello *h, char **str, char md5hex[33])
{
	struct fp_str b = { 0 };
	size_t i;

	md5hex[0] = 0;
	fp_str_dec(&b, "", h->legacy_version);
	fp_str_cat(&b, ",");
	fp_dec_list(&b, h->ciphers, h->n_ciphers);
	fp_str_cat(&b, ",");
	fp_dec_list(&b, h->exts, h->n_exts);
	fp_str_cat(&b, ",");
	fp_dec_list(&b, h->groups, h->n_groups);
	fp_str_cat(&b, ",");
	for (i = 0; i < h->n_point_formats; i++)
		fp_str_dec(&b, i ? "-" : "", h->point_formats[i]);
	*str = fp_str_take(&b);
	if (*str == NULL)
		return -1;
	char full[2 * EVP_MAX_MD_SIZE + 1];
	if (fp_digest(EVP_md5(), *str, full) != 0) {
		free(*str);
		*str = NULL;
		return -1;
	}
	memcpy(md5hex, full, 33);
	md5hex[32] = 0;
	return 0;
}

int fp_ja3s(uint16_t version, uint16_t cipher, const uint16_t *exts, size_t n_exts,
	    char **str, char md5hex[33])
{
	struct fp_str b = { 0 };
	size_t i;
	char full[2 * EVP_MAX_MD_SIZE + 1];

	md5hex[0] = 0;
	fp_str_dec(&b, "", version);
	fp_str_dec(&b, ",", cipher);
	fp_str_cat(&b, ",");
	/* The JA3S README does not drop GREASE for the server (servers do not
	 * send it, RFC 8701 §4); we keep the list as sent. */
	for (i = 0; i < n_exts; i++)
		fp_str_dec(&b, i ? "-" : "", exts[i]);
	*str = fp_str_take(&b);
	if (*str == NULL)
		return -1;
	if (fp_digest(EVP_md5(), *str, full) != 0) {
		free(*str);
		*str = NULL;
		return -1;
	}
	memcpy(md5hex, full, 33);
	md5hex[32] = 0;
	return 0;
}

void fp_ja4_version(uint16_t v, char out[3])
{
	const char *s;
	switch (v) {
	case 0x0304: s = "13"; break;
	case 0x0303: s = "12"; break;
	case 0x0302: s = "11"; break;
	case 0x0301: s = "10"; break;
	case 0x0300: s = "s3"; break;
	case 0x0002: s = "s2"; break;
	case 0xfeff: s = "d1"; break;
	case 0xfefd: s = "d2"; break;
	case 0xfefc: s = "d3"; break;
	default: s = "00"; break;
	}
	memcpy(out, s, 3);
}

static bool fp_alnum(uint8_t c)
{
	return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

void fp_ja4_alpn(const uint8_t *v, size_t len, bool present, char out[3])
{
	static const char hx[] = "0123456789abcdef";
	if (!present || len == 0 || v == NULL) {
		memcpy(out, "00", 3);
		return;
	}
	/* JA4.md "ALPN Extension Value": one character is both first and last;
	 * a non-alphanumeric first or last byte switches to the first and last
	 * characters of the hex form of the whole value. */
	if (fp_alnum(v[0]) && fp_alnum(v[len - 1])) {
		out[0] = (char)v[0];
		out[1] = (char)v[len - 1];
	} else {
		out[0] = hx[v[0] >> 4];
		out[1] = hx[v[len - 1] & 15];
	}
	out[2] = 0;
}

static int fp_cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return x < y ? -1 : x > y;
}

/* Copy v without GREASE (and without SNI/ALPN when drop_sni_alpn) into a
 * malloc'd array, sorted when sort. Returns the count, or (size_t)-1. */
static size_t fp_filter(const uint16_t *v, size_t n, bool drop_sni_alpn, bool sort, uint16_t **out)
{
	size_t i, k = 0;
	*out = malloc((n ? n : 1) * sizeof(uint16_t));
	if (*out == NULL)
		return (size_t)-1;
	for (i = 0; i < n; i++) {
		if (tls_is_grease(v[i]))
			continue;
		if (drop_sni_alpn && (v[i] == 0x0000 || v[i] == 0x0010))
			continue;
		(*out)[k++] = v[i];
	}
	if (sort && k > 1)
		qsort(*out, k, sizeof(uint16_t), fp_cmp_u16);
	return k;
}

static void fp_hex_list(struct fp_str *b, const uint16_t *v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		fp_str_hex4(b, i ? "," : "", v[i]);
}

static size_t fp_count_nongrease(const uint16_t *v, size_t n)
{
	size_t i, k = 0;
	for (i = 0; i < n; i++)
		if (!tls_is_grease(v[i]))
			k++;
	return k;
}

/* The 12-char truncated SHA-256 of s, or 000000000000 when empty. */
static int fp_trunc12(const char *s, bool empty, char out[13])
{
	char full[2 * EVP_MAX_MD_SIZE + 1];
	if (empty) {
		memcpy(out, "000000000000", 13);
		return 0;
	}
	if (fp_digest(EVP_sha256(), s, full) != 0)
		return -1;
	memcpy(out, full, 12);
	out[12] = 0;
	return 0;
}

int fp_ja4(const struct fp_hello *h, char transport, bool original, char out[FP_JA4_LEN],
	   char **raw)
{
	uint16_t *c = NULL, *e = NULL, *s = NULL, ver = h->legacy_version;
	size_t nc, ne, ns, i, nce, nee;
	struct fp_str bs = { 0 }, es = { 0 };
	char a[11], ver2[3], alpn[3], hb[13], hc[13];
	int rc = -1;

	out[0] = 0;
	if (raw)
		*raw = NULL;
	/* Version: the highest non-GREASE supported_versions value, else
	 * legacy_version (JA4.md "TLS and DTLS Version"). */
	if (h->has_versions_ext) {
		uint16_t best = 0;
		bool any = false;
		for (i = 0; i < h->n_versions; i++)
			if (!tls_is_grease(h->versions[i]) && (!any || h->versions[i] > best)) {
				best = h->versions[i];
				any = true;
			}
		if (any)
			ver = best;
	}
	fp_ja4_version(ver, ver2);
	fp_ja4_alpn(h->alpn0, h->alpn0_len, h->has_alpn, alpn);
	nce = fp_count_nongrease(h->ciphers, h->n_ciphers);
	nee = fp_count_nongrease(h->exts, h->n_exts);
	snprintf(a, sizeof(a), "%c%s%c%02u%02u%s", transport, ver2, h->has_sni ? 'd' : 'i',
		 (unsigned)(nce > 99 ? 99 : nce), (unsigned)(nee > 99 ? 99 : nee), alpn);

	nc = fp_filter(h->ciphers, h->n_ciphers, false, !original, &c);
	ne = fp_filter(h->exts, h->n_exts, !original, !original, &e);
	/* GREASE is dropped from the signature algorithms too ("ignore GREASE
	 * values anywhere"), unlike the reference code: docs/FINGERPRINTS.md. */
	ns = fp_filter(h->sigalgs, h->n_sigalgs, false, false, &s);
	if (nc == (size_t)-1 || ne == (size_t)-1 || ns == (size_t)-1)
		goto out;
	fp_hex_list(&bs, c, nc);
	fp_hex_list(&es, e, ne);
	if (ns > 0) {
		fp_str_cat(&es, "_");
		fp_hex_list(&es, s, ns);
	}
	if (bs.err || es.err)
		goto out;
	if (fp_trunc12(bs.s ? bs.s : "", nc == 0, hb) != 0 ||
	    fp_trunc12(es.s ? es.s : "", ne == 0, hc) != 0)
		goto out;
	snprintf(out, FP_JA4_LEN, "%s_%s_%s", a, hb, hc);
	if (raw) {
		struct fp_str r = { 0 };
		fp_str_cat(&r, a);
		fp_str_cat(&r, "_");
		fp_str_cat(&r, bs.s ? bs.s : "");
		fp_str_cat(&r, "_");
		fp_str_cat(&r, es.s ? es.s : "");
		*raw = fp_str_take(&r);
		if (*raw == NULL)
			goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		out[0] = 0;
	free(c);
	free(e);
	free(s);
	free(bs.s);
	free(es.s);
	return rc;
}
