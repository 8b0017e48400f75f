/* SPDX-License-Identifier: BSD-3-Clause */
/* x509.c — X.509 certificates (RFC 5280) and OCSP responses (RFC 6960)
 * through OpenSSL libcrypto: a certificate's typed facts, chain
 * validation at the connection's time against the system store plus extra
 * anchors, hostname matching (RFC 6125 via X509_check_host), and caches
 * bounded in entries and bytes. See docs/CERTIFICATES.md.
 *
 * Certificate bytes are untrusted: they are only handed to OpenSSL's DER
 * decoder (d2i_X509, d2i_OCSP_RESPONSE) with an explicit length; strings
 * taken from a certificate are kept as bytes with their length, bounded
 * (X509_NAME_MAX, X509_SANS_MAX), and escaped by whoever writes them out
 * (the export's JSON writer). Nothing here judges: whether a key is too
 * short or a signature hash broken is decided from the facts by
 * certpolicy.h, outside the capture path.
 */
#define _GNU_SOURCE
#include "x509.h"
#include "digest.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* ---- caps and thresholds (the one place) ---- */
#define X509_DER_MAX        (256u * 1024)   /* larger "certificates" are refused */
#define X509_SANS_MAX       512             /* names written per certificate */
#define X509_CHAIN_MAX      16              /* certificates validated per chain */
#define X509_NAME_MAX       4096            /* bytes of one printed DN */
#define X509_HOST_MAX       255             /* DNS name length (RFC 1035) */
#define CERT_CACHE_ENTRIES  4096
#define CERT_CACHE_BYTES    (16u << 20)
#define VERD_CACHE_ENTRIES  4096

/* ---- the context: trust configuration and caches ---- */
struct cert_slot {
	uint8_t key[32];
	struct x509_cert_facts *f;  /* NULL: empty slot */
};

struct verd_slot {
	uint8_t key[32];
	bool used;
	int64_t lo, hi;       /* the verdict holds for lo <= when(s) < hi */
	struct x509_verdict v;
};

#define OCSP_CACHE_ENTRIES 256
struct ocsp_slot {
	bool used;
	int rc;
	uint8_t key[32];
	struct x509_ocsp o;
};

/* Everything a lookup or a validation remembers lives here, not in statics,
 * so that two contexts in one process (a test comparing trust
 * configurations, two captures) share nothing, and freeing one leaves
 * nothing behind. The trust configuration is fixed for the context's life:
 * its verdicts never need to be told apart from another configuration's.
 *
 * One store: system anchors + extra anchors. Loading Debian's bundle costs
 * tens to hundreds of milliseconds, so the default paths are loaded on the
 * first validation (x509_ready), not by x509_ctx_new: a capture without a
 * TLS certificate never pays for it. Explicit --system-ca paths are loaded
 * by x509_ctx_new, so a bad path is reported at once.
 *
 * The certificate and OCSP tables are arrays in the struct (about 380 KiB,
 * calloc'd: pages are touched only as slots fill, as the statics were). */
struct x509_ctx {
	X509_STORE *store;
	bool ready;                 /* system anchors loaded, extra ones added */
	bool defaults_pending;      /* OpenSSL default paths still to load */
	STACK_OF(X509) *extra;      /* the extra anchors, to tell trusted_by_extra */
	bool *extra_in_sys;         /* per extra anchor: the system store has it too */
	/* certificate facts by SHA-256 of the DER */
	struct cert_slot certs[CERT_CACHE_ENTRIES * 2];
	size_t certs_n, certs_bytes;
	uint64_t cert_hits, cert_misses;
	/* verdicts by chain, hostname and purpose */
	struct verd_slot *verd;     /* VERD_CACHE_ENTRIES * 2, allocated on first use */
	size_t verd_n;
	uint64_t verd_hits, verd_misses;
	/* stapled OCSP responses by SHA-256 of the bytes, direct-mapped */
	struct ocsp_slot ocsp[OCSP_CACHE_ENTRIES];
	uint64_t ocsp_hits, ocsp_misses;
};

/* ---- helpers ---- */
static void x509_hex(const uint8_t *b, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = 0;
}

/* ASN1_TIME to seconds since the epoch; 0 with *ok false if unparsable. */
static int64_t x509_asn1_time_secs(const ASN1_TIME *t, bool *ok)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		*ok = false;
		return 0;
	}
	*ok = true;
	return (int64_t)timegm(&tm);
}

/* ---- a facts block under construction (x509.h, struct x509_cert_facts):
 * strings are appended to one buffer, their offsets made absolute when the
 * block is allocated ---- */
struct fbuild {
	struct x509_cert_facts h;   /* string offsets: 1 + position in s; 0 null */
	struct x509_str sans[X509_SANS_MAX];
	char *s;
	size_t n, cap;
	bool oom;
};

static struct x509_str fb_put(struct fbuild *b, const void *p, size_t n)
{
	struct x509_str r = { 0, 0 };
	if (b->oom)
		return r;
	if (b->n + n + 1 > b->cap) {
		size_t c = b->cap ? b->cap : 512;
		char *ns;
		while (c < b->n + n + 1)
			c *= 2;
		if ((ns = realloc(b->s, c)) == NULL) {
			b->oom = true;
			return r;
		}
		b->s = ns;
		b->cap = c;
	}
	if (n)
		memcpy(b->s + b->n, p, n);
	b->s[b->n + n] = 0;
	r.off = (uint32_t)b->n + 1;
	r.len = (uint32_t)n;
	b->n += n + 1;
	return r;
}

static struct x509_str fb_str(struct fbuild *b, const char *p)
{
	struct x509_str r = { 0, 0 };
	return p ? fb_put(b, p, strlen(p)) : r;
}

static void fb_fix(struct x509_str *x, size_t base)
{
	if (x->off)
		x->off = (uint32_t)(base + x->off - 1);
}

static struct x509_cert_facts *fb_finish(struct fbuild *b)
{
	size_t base = sizeof(struct x509_cert_facts) + b->h.nsans * sizeof(struct x509_str);
	struct x509_cert_facts *f;
	if (b->oom || (f = malloc(base + b->n)) == NULL)
		return NULL;
	*f = b->h;
	f->size = base + b->n;
	fb_fix(&f->sha1, base);
	fb_fix(&f->serial, base);
	fb_fix(&f->subject, base);
	fb_fix(&f->subject_cn, base);
	fb_fix(&f->issuer, base);
	fb_fix(&f->key_type, base);
	fb_fix(&f->curve, base);
	fb_fix(&f->sig_alg, base);
	fb_fix(&f->sig_alg_oid, base);
	fb_fix(&f->sig_hash, base);
	for (uint32_t i = 0; i < b->h.nsans; i++) {
		f->sans[i] = b->sans[i];
		fb_fix(&f->sans[i], base);
	}
	if (b->n)
		memcpy((char *)f + base, b->s, b->n);
	return f;
}

struct x509_cert_facts *x509_facts_dup(const struct x509_cert_facts *f)
{
	struct x509_cert_facts *c;
	if (f == NULL || (c = malloc(f->size)) == NULL)
		return NULL;
	memcpy(c, f, f->size);
	return c;
}

/* RFC 4514 one-line form (most specific RDN first, comma separated), with
 * OpenSSL's RFC 2253 escaping except that UTF-8 is kept as UTF-8 rather than
 * \XX-escaped, so names read as they do in browsers and in tshark. */
static struct x509_str x509_put_name(struct fbuild *fb, const X509_NAME *nm)
{
	struct x509_str r = { 0, 0 };
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	if (b == NULL || nm == NULL ||
	    X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
		BIO_free(b);
		return r;
	}
	n = BIO_get_mem_data(b, &p);
	if (n < 0)
		n = 0;
	if ((size_t)n > X509_NAME_MAX)
		n = X509_NAME_MAX;
	r = fb_put(fb, p, (size_t)n);
	BIO_free(b);
	return r;
}

/* The most specific (last) commonName of the subject, as UTF-8. */
static struct x509_str x509_put_cn(struct fbuild *fb, const X509_NAME *nm)
{
	struct x509_str r = { 0, 0 };
	int i = -1, last = -1;
	unsigned char *u = NULL;
	int n;
	while ((i = X509_NAME_get_index_by_NID(nm, NID_commonName, i)) >= 0)
		last = i;
	if (last < 0)
		return r;
	n = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, last)));
	if (n < 0)
		return r;
	r = fb_put(fb, u, (size_t)n > X509_NAME_MAX ? X509_NAME_MAX : (size_t)n);
	OPENSSL_free(u);
	return r;
}

/* An INTEGER as the hex of its DER content octets (two's complement, so a
 * leading 00 is kept when the high bit is set). 0, or -1 if it does not fit
 * outlen (2 characters per octet plus the NUL). */
static int x509_int_hex(const ASN1_INTEGER *ai, char *out, size_t outlen)
{
	unsigned char *der = NULL;
	int n = ai ? i2d_ASN1_INTEGER(ai, &der) : -1;
	size_t hl, clen, i;
	int r = -1;
	if (n < 2)
		goto out;
	/* tag, then a short or long form length */
	if (der[1] < 0x80) {
		hl = 2;
		clen = der[1];
	} else {
		size_t ll = der[1] & 0x7f;
		if (ll == 0 || ll > 4 || (size_t)n < 2 + ll)
			goto out;
		for (clen = 0, i = 0; i < ll; i++)
			clen = clen << 8 | der[2 + i];
		hl = 2 + ll;
	}
	if (clen > (size_t)n - hl || clen > (outlen - 1) / 2)
		goto out;
	x509_hex(der + hl, clen, out);
	r = 0;
out:
	OPENSSL_free(der);
	return r;
}

/* The serial as x509_int_hex: what tshark prints for x509af.serialNumber
 * (an FT_BYTES field), so the two compare as strings. RFC 5280 caps serials
 * at 20 octets; up to 64 are shown. */
static struct x509_str x509_put_serial(struct fbuild *fb, const X509 *x)
{
	struct x509_str r = { 0, 0 };
	char hex[129];
	if (x509_int_hex(X509_get0_serialNumber(x), hex, sizeof(hex)) == 0)
		r = fb_str(fb, hex);
	return r;
}

/* DNS names and IP addresses of subjectAltName, in order, at most
 * X509_SANS_MAX (sans_truncated says more were there). */
static void x509_put_sans(struct fbuild *fb, X509 *x)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int i, n;
	n = gens ? sk_GENERAL_NAME_num(gens) : 0;
	for (i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (fb->h.nsans >= X509_SANS_MAX) {
			fb->h.sans_truncated = true;
			break;
		}
		if (g->type == GEN_DNS) {
			const ASN1_IA5STRING *s = g->d.dNSName;
			fb->sans[fb->h.nsans++] = fb_put(fb, ASN1_STRING_get0_data(s),
							  (size_t)ASN1_STRING_length(s));
		} else if (g->type == GEN_IPADD) {
			const ASN1_OCTET_STRING *s = g->d.iPAddress;
			char buf[INET6_ADDRSTRLEN];
			int l = ASN1_STRING_length(s);
			if ((l == 4 && inet_ntop(AF_INET, ASN1_STRING_get0_data(s), buf, sizeof(buf))) ||
			    (l == 16 && inet_ntop(AF_INET6, ASN1_STRING_get0_data(s), buf, sizeof(buf))))
				fb->sans[fb->h.nsans++] = fb_str(fb, buf);
		}
	}
	GENERAL_NAMES_free(gens);
}

/* Key type name, size in bits and (EC) curve. */
static const char *x509_key_type(EVP_PKEY *pk)
{
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA: return "RSA";
	case EVP_PKEY_RSA_PSS: return "RSA-PSS";
	case EVP_PKEY_EC: return "EC";
	case EVP_PKEY_ED25519: return "Ed25519";
	case EVP_PKEY_ED448: return "Ed448";
	case EVP_PKEY_DSA: return "DSA";
	case EVP_PKEY_DH: return "DH";
	case EVP_PKEY_DHX: return "DH";
	case EVP_PKEY_X25519: return "X25519";
	case EVP_PKEY_X448: return "X448";
	default: return NULL;
	}
}

/* EC group name: the NIST name when there is one (P-256), else OpenSSL's
 * short name (brainpoolP256r1); "" if none. */
static void x509_ec_curve(EVP_PKEY *pk, char *out, size_t outlen)
{
	char gname[80];
	size_t gl = 0;
	out[0] = 0;
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC)
		return;
	if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, gname, sizeof(gname), &gl) != 1) {
		ERR_clear_error();
		snprintf(out, outlen, "explicit");
		return;
	}
	int nid = OBJ_sn2nid(gname);
	const char *nist = nid != NID_undef ? EC_curve_nid2nist(nid) : NULL;
	snprintf(out, outlen, "%s", nist ? nist : gname);
}

/* The signature's digest NID (NID_undef for Ed25519/Ed448, RSA-PSS, unknown). */
static int x509_sig_md_nid(const X509 *x)
{
	int mdnid = NID_undef, pknid = NID_undef;
	if (!OBJ_find_sigid_algs(X509_get_signature_nid(x), &mdnid, &pknid))
		return NID_undef;
	return mdnid;
}

/* Self-signed: issuer name equals subject name and the signature verifies
 * with the certificate's own key. */
static bool x509_is_self_signed(X509 *x)
{
	EVP_PKEY *pk;
	int r;
	if (X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) != 0)
		return false;
	pk = X509_get0_pubkey(x);
	if (pk == NULL) {
		ERR_clear_error();
		return false;
	}
	r = X509_verify(x, pk);
	ERR_clear_error();
	return r == 1;
}

/* d2i_X509 over exactly len bytes: trailing bytes make it "not a certificate". */
static X509 *x509_parse(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;
	if (der == NULL || len == 0 || len > X509_DER_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL) {
		ERR_clear_error();
		return NULL;
	}
	if ((size_t)(p - der) != len) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* ---- certificate facts cache: SHA-256 -> facts, cleared when full ---- */
static size_t x509_slot_hash(const uint8_t *key, size_t nslots)
{
	uint64_t h;
	memcpy(&h, key, sizeof(h)); /* a SHA-256 prefix is already uniform */
	return (size_t)(h % nslots);
}

static void x509_cert_cache_clear(struct x509_ctx *xc)
{
	for (size_t i = 0; i < CERT_CACHE_ENTRIES * 2; i++) {
		free(xc->certs[i].f);
		xc->certs[i].f = NULL;
	}
	xc->certs_n = xc->certs_bytes = 0;
}

static struct cert_slot *x509_cert_cache_find(struct x509_ctx *xc, const uint8_t *key, bool *found)
{
	const size_t ns = CERT_CACHE_ENTRIES * 2;
	size_t i = x509_slot_hash(key, ns);
	for (size_t k = 0; k < ns; k++, i = (i + 1) % ns) {
		if (xc->certs[i].f == NULL) {
			*found = false;
			return &xc->certs[i];
		}
		if (memcmp(xc->certs[i].key, key, 32) == 0) {
			*found = true;
			return &xc->certs[i];
		}
	}
	*found = false;
	return NULL;
}

static void x509_cert_cache_put(struct x509_ctx *xc, const uint8_t *key,
				const struct x509_cert_facts *f)
{
	size_t l = f->size;
	struct cert_slot *s;
	bool found;
	if (xc->certs_n >= CERT_CACHE_ENTRIES || xc->certs_bytes + l > CERT_CACHE_BYTES)
		x509_cert_cache_clear(xc);
	s = x509_cert_cache_find(xc, key, &found);
	if (s == NULL || found)
		return;
	if ((s->f = x509_facts_dup(f)) == NULL)
		return;
	memcpy(s->key, key, 32);
	xc->certs_n++;
	xc->certs_bytes += l;
}

static struct x509_cert_facts *x509_build_facts(X509 *x, const uint8_t *der, size_t len)
{
	struct fbuild *fb = calloc(1, sizeof(*fb));
	struct x509_cert_facts *f;
	uint8_t sha1[SHA_DIGEST_LENGTH];
	char hex[65], curve[80];
	EVP_PKEY *pk;
	BASIC_CONSTRAINTS *bc;
	const char *kt;

	if (fb == NULL)
		return NULL;
	wa_md(WA_SHA1, der, len, sha1);
	x509_hex(sha1, sizeof(sha1), hex);
	fb->h.sha1 = fb_str(fb, hex);
	fb->h.version = (int)X509_get_version(x) + 1;
	fb->h.serial = x509_put_serial(fb, x);
	fb->h.subject = x509_put_name(fb, X509_get_subject_name(x));
	fb->h.subject_cn = x509_put_cn(fb, X509_get_subject_name(x));
	fb->h.issuer = x509_put_name(fb, X509_get_issuer_name(x));
	x509_put_sans(fb, x);
	fb->h.not_before = x509_asn1_time_secs(X509_get0_notBefore(x), &fb->h.has_not_before);
	fb->h.not_after = x509_asn1_time_secs(X509_get0_notAfter(x), &fb->h.has_not_after);

	pk = X509_get0_pubkey(x);
	if (pk == NULL)
		ERR_clear_error();
	kt = pk ? x509_key_type(pk) : NULL;
	if (kt) {
		fb->h.key_type = fb_str(fb, kt);
	} else {
		/* an algorithm OpenSSL has no key type for: its OID's name */
		ASN1_OBJECT *alg = NULL;
		char oid[128];
		X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, X509_get_X509_PUBKEY(x));
		if (alg && OBJ_obj2txt(oid, sizeof(oid), alg, 0) > 0)
			fb->h.key_type = fb_str(fb, oid);
	}
	fb->h.key_bits = pk && EVP_PKEY_get_bits(pk) > 0 ? EVP_PKEY_get_bits(pk) : -1;
	curve[0] = 0;
	if (pk)
		x509_ec_curve(pk, curve, sizeof(curve));
	if (curve[0])
		fb->h.curve = fb_str(fb, curve);

	/* sig_alg: OpenSSL's long name (sha256WithRSAEncryption,
	 * ecdsa-with-SHA256, ED25519), the dotted OID when unknown */
	{
		const X509_ALGOR *alg = NULL;
		const ASN1_OBJECT *obj = NULL;
		char name[128], oid[128];
		int signid, md;
		X509_get0_signature(NULL, &alg, x);
		if (alg)
			X509_ALGOR_get0(&obj, NULL, NULL, alg);
		signid = obj ? OBJ_obj2nid(obj) : NID_undef;
		oid[0] = name[0] = 0;
		if (obj)
			OBJ_obj2txt(oid, sizeof(oid), obj, 1);
		if (signid != NID_undef && OBJ_nid2ln(signid))
			snprintf(name, sizeof(name), "%s", OBJ_nid2ln(signid));
		else
			snprintf(name, sizeof(name), "%s", oid);
		if (name[0])
			fb->h.sig_alg = fb_str(fb, name);
		if (oid[0])
			fb->h.sig_alg_oid = fb_str(fb, oid);
		md = x509_sig_md_nid(x);
		if (md != NID_undef)
			fb->h.sig_hash = fb_str(fb, OBJ_nid2ln(md));
	}
	fb->h.self_signed = x509_is_self_signed(x);
	bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
	fb->h.is_ca = bc != NULL && bc->ca;
	fb->h.path_len = bc && bc->ca && bc->pathlen ? (int)ASN1_INTEGER_get(bc->pathlen) : -1;
	BASIC_CONSTRAINTS_free(bc);
	ERR_clear_error();
	f = fb_finish(fb);
	free(fb->s);
	free(fb);
	return f;
}

/* 64 hex digits to 32 bytes; -1 if s is not exactly that. */
static int x509_unhex32(const char *s, uint8_t out[32])
{
	for (int i = 0; i < 64; i++) {
		char ch = s[i];
		int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
		if (v < 0)
			return -1;
		if (i & 1)
			out[i / 2] = (uint8_t)(out[i / 2] | v);
		else
			out[i / 2] = (uint8_t)(v << 4);
	}
	return s[64] == 0 ? 0 : -1;
}

struct x509_cert_facts *x509_cert_facts(struct x509_ctx *xc, const uint8_t *der, size_t len,
					char sha256_hex[65])
{
	uint8_t h[32];
	struct cert_slot *s = NULL;
	bool found = false;
	struct x509_cert_facts *f;
	X509 *x;

	wa_md(WA_SHA256, der, der ? len : 0, h);
	x509_hex(h, 32, sha256_hex);
	if (xc) {
		s = x509_cert_cache_find(xc, h, &found);
		if (s && found) {
			xc->cert_hits++;
			return x509_facts_dup(s->f);
		}
		xc->cert_misses++;
	}
	if ((x = x509_parse(der, len)) == NULL)
		return NULL;
	f = x509_build_facts(x, der, len);
	X509_free(x);
	if (f && xc)
		x509_cert_cache_put(xc, h, f);
	return f;
}

/* ---- trust configuration ---- */
/* system_ca: NULL for OpenSSL's default paths; "" or "none" for no system
 * anchors at all; else a PEM bundle file or a hashed directory. */
static int x509_load_system(X509_STORE *st, const char *system_ca)
{
	struct stat sb;
	if (system_ca == NULL)
		return X509_STORE_set_default_paths(st) == 1 ? 0 : -1;
	if (system_ca[0] == 0 || strcmp(system_ca, "none") == 0)
		return 0;
	if (stat(system_ca, &sb) != 0) {
		fprintf(stderr, "wireaudit: system CA %s: not found\n", system_ca);
		return -1;
	}
	if (S_ISDIR(sb.st_mode))
		return X509_STORE_load_path(st, system_ca) == 1 ? 0 : -1;
	return X509_STORE_load_file(st, system_ca) == 1 ? 0 : -1;
}

static STACK_OF(X509) *x509_load_pem_bundle(const char *path)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	BIO *b = BIO_new_file(path, "r");
	X509 *x;
	if (b == NULL || sk == NULL) {
		fprintf(stderr, "wireaudit: CA file %s: cannot open\n", path);
		BIO_free(b);
		sk_X509_free(sk);
		return NULL;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(sk, x))
			X509_free(x);
	ERR_clear_error(); /* the end of the file reads as "no start line" */
	BIO_free(b);
	if (sk_X509_num(sk) == 0) {
		fprintf(stderr, "wireaudit: CA file %s: no PEM certificate in it\n", path);
		sk_X509_free(sk);
		return NULL;
	}
	return sk;
}

struct x509_ctx *x509_ctx_new(const char *system_ca, const char *extra_ca)
{
	struct x509_ctx *xc = calloc(1, sizeof(*xc));
	if (xc == NULL) {
		fprintf(stderr, "wireaudit: out of memory for the certificate caches\n");
		return NULL;
	}
	if ((xc->store = X509_STORE_new()) == NULL)
		goto fail;
	if (system_ca == NULL) {
		xc->defaults_pending = true;
	} else if (x509_load_system(xc->store, system_ca) != 0) {
		fprintf(stderr, "wireaudit: cannot load the system trust store %s\n", system_ca);
		goto fail;
	}
	if (extra_ca && extra_ca[0]) {
		if ((xc->extra = x509_load_pem_bundle(extra_ca)) == NULL)
			goto fail;
		if ((xc->extra_in_sys = calloc((size_t)sk_X509_num(xc->extra), sizeof(bool))) == NULL)
			goto fail;
	}
	ERR_clear_error();
	return xc;
fail:
	ERR_clear_error();
	x509_ctx_free(xc);
	return NULL;
}

void x509_ctx_free(struct x509_ctx *xc)
{
	if (xc == NULL)
		return;
	X509_STORE_free(xc->store);
	sk_X509_pop_free(xc->extra, X509_free);
	free(xc->extra_in_sys);
	x509_cert_cache_clear(xc);
	free(xc->verd);
	free(xc);
}

/* Is x among the store's certificates (looked up by subject, which also
 * searches hashed directories)? */
static bool x509_store_has(X509_STORE *st, X509 *x)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *sk = NULL;
	bool has = false;
	if (ctx && X509_STORE_CTX_init(ctx, st, NULL, NULL) == 1)
		sk = X509_STORE_CTX_get1_certs(ctx, X509_get_subject_name(x));
	for (int i = 0; sk && i < sk_X509_num(sk) && !has; i++)
		has = X509_cmp(x, sk_X509_value(sk, i)) == 0;
	sk_X509_pop_free(sk, X509_free);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return has;
}

/* Finish the trust configuration before the first validation: load the
 * default paths if pending, note which extra anchors the system store
 * already has (they do not make a chain "trusted_by_extra"), then add the
 * extra anchors. 0, or -1 (no usable store). */
static int x509_ready(struct x509_ctx *xc)
{
	int i;
	if (xc == NULL || xc->store == NULL)
		return -1;
	if (xc->ready)
		return 0;
	if (xc->defaults_pending) {
		if (X509_STORE_set_default_paths(xc->store) != 1)
			fprintf(stderr, "wireaudit: cannot load OpenSSL's default trust store\n");
		xc->defaults_pending = false;
	}
	for (i = 0; xc->extra && i < sk_X509_num(xc->extra); i++) {
		X509 *x = sk_X509_value(xc->extra, i);
		xc->extra_in_sys[i] = x509_store_has(xc->store, x);
		if (!xc->extra_in_sys[i] && X509_STORE_add_cert(xc->store, x) != 1)
			ERR_clear_error();
	}
	ERR_clear_error();
	xc->ready = true;
	return 0;
}

/* ---- verdict cache: (chain, hostname, purpose) -> verdict, valid for the
 * time interval around the first evaluation in which no certificate of the
 * chain changes between not-yet-valid / valid / expired ---- */
static struct verd_slot *x509_verdict_find(struct x509_ctx *xc, const uint8_t *key, bool *found)
{
	const size_t ns = VERD_CACHE_ENTRIES * 2;
	size_t i;
	*found = false;
	if (xc->verd == NULL && (xc->verd = calloc(ns, sizeof(*xc->verd))) == NULL)
		return NULL;
	i = x509_slot_hash(key, ns);
	for (size_t k = 0; k < ns; k++, i = (i + 1) % ns) {
		if (!xc->verd[i].used)
			return &xc->verd[i];
		if (memcmp(xc->verd[i].key, key, 32) == 0) {
			*found = true;
			return &xc->verd[i];
		}
	}
	return NULL;
}

/* Narrow [lo, hi) around t by the instants at which x's validity changes:
 * OpenSSL treats x as valid for not_before <= t <= not_after. */
static void x509_narrow(const X509 *x, int64_t t, int64_t *lo, int64_t *hi)
{
	bool ok1, ok2;
	int64_t nb = x509_asn1_time_secs(X509_get0_notBefore(x), &ok1);
	int64_t na = x509_asn1_time_secs(X509_get0_notAfter(x), &ok2);
	int64_t pts[2] = { nb, na + 1 };
	if (!ok1 || !ok2) {
		/* unparsable times: cache for this second only */
		*lo = t;
		*hi = t + 1;
		return;
	}
	for (int i = 0; i < 2; i++) {
		if (pts[i] <= t && pts[i] > *lo)
			*lo = pts[i];
		if (pts[i] > t && pts[i] < *hi)
			*hi = pts[i];
	}
}

static const char *x509_reason(int err)
{
	switch (err) {
	case X509_V_OK: return "";
	case X509_V_ERR_CERT_HAS_EXPIRED: return "expired";
	case X509_V_ERR_CERT_NOT_YET_VALID: return "not_yet_valid";
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return "self_signed";
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: return "self_signed_in_chain";
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return "unknown_issuer";
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
		return "bad_signature";
	case X509_V_ERR_INVALID_CA: return "invalid_ca";
	case X509_V_ERR_INVALID_PURPOSE: return "invalid_purpose";
	case X509_V_ERR_PATH_LENGTH_EXCEEDED: return "path_length";
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
		return "untrusted_anchor";
	case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
	case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
		return "bad_time_field";
	case X509_V_ERR_INVALID_EXTENSION:
	case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
		return "bad_extension";
	default: return NULL;
	}
}

/* x is an extra anchor the system store does not have. */
static bool x509_only_extra(const struct x509_ctx *xc, X509 *x)
{
	for (int i = 0; xc->extra && i < sk_X509_num(xc->extra); i++)
		if (X509_cmp(x, sk_X509_value(xc->extra, i)) == 0)
			return !xc->extra_in_sys[i];
	return false;
}

/* One X509_verify_cert run. Returns 1 trusted, 0 not; *err the error,
 * *depth where; *anchor (if wanted) gets a reference to the chain's top. */
static int x509_verify_once(X509_STORE *st, X509 *leaf, STACK_OF(X509) *untrusted, int64_t t,
			    bool purpose_client, int *err, int *depth, X509 **anchor,
			    int64_t *lo, int64_t *hi)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *chain;
	int r, i;
	*err = X509_V_ERR_UNSPECIFIED;
	*depth = 0;
	if (anchor)
		*anchor = NULL;
	if (ctx == NULL || X509_STORE_CTX_init(ctx, st, leaf, untrusted) != 1) {
		X509_STORE_CTX_free(ctx);
		ERR_clear_error();
		return 0;
	}
	X509_STORE_CTX_set_purpose(ctx, purpose_client ? X509_PURPOSE_SSL_CLIENT : X509_PURPOSE_SSL_SERVER);
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)t);
	r = X509_verify_cert(ctx);
	*err = r == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	*depth = X509_STORE_CTX_get_error_depth(ctx);
	if (r == 1 && *err != X509_V_OK)
		r = 0;
	chain = X509_STORE_CTX_get0_chain(ctx);
	for (i = 0; chain && i < sk_X509_num(chain); i++)
		if (lo && hi)
			x509_narrow(sk_X509_value(chain, i), t, lo, hi);
	if (anchor && r == 1 && chain && sk_X509_num(chain) > 0) {
		*anchor = sk_X509_value(chain, sk_X509_num(chain) - 1);
		X509_up_ref(*anchor);
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return r == 1;
}

static void x509_match_host(X509 *leaf, const char *host, struct x509_verdict *out)
{
	unsigned char ip[16];
	size_t hl;
	if (host == NULL || host[0] == 0) {
		out->hostname_match = -1;
		return;
	}
	hl = strnlen(host, X509_HOST_MAX + 1);
	if (hl > X509_HOST_MAX) {
		out->hostname_match = 0;
		return;
	}
	if (inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1)
		out->hostname_match = X509_check_ip_asc(leaf, host, 0) == 1;
	else
		out->hostname_match = X509_check_host(leaf, host, hl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
	ERR_clear_error();
}

static void x509_verdict_compute(const struct x509_ctx *xc, X509 **certs, int n, int64_t t,
				 const char *hostname, bool purpose_client, struct x509_verdict *out,
				 int64_t *lo, int64_t *hi)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509 *anchor = NULL;
	int err = 0, depth = 0, i;
	const char *why;

	for (i = 0; i < n; i++) {
		x509_narrow(certs[i], t, lo, hi);
		if (i > 0 && untrusted)
			sk_X509_push(untrusted, certs[i]);
	}
	ERR_clear_error();
	out->leaf_self_signed = x509_is_self_signed(certs[0]);
	x509_match_host(certs[0], hostname, out);
	if (xc->store == NULL) {
		out->trusted = -1;
		snprintf(out->error, sizeof(out->error), "no_trust_store");
		sk_X509_free(untrusted);
		return;
	}
	out->trusted = x509_verify_once(xc->store, certs[0], untrusted, t, purpose_client,
					&err, &depth, &anchor, lo, hi);
	out->error_depth = out->trusted ? -1 : depth;
	why = x509_reason(err);
	if (why)
		snprintf(out->error, sizeof(out->error), "%s", why);
	else
		snprintf(out->error, sizeof(out->error), "other:%d", err);
	/* the path ends at an anchor only --ca-file gave. (A second path to a
	 * system anchor, e.g. cross-signed, is not searched for.) */
	out->trusted_by_extra = out->trusted == 1 && anchor && x509_only_extra(xc, anchor);
	X509_free(anchor);
	sk_X509_free(untrusted);
}

void x509_validate_chain(struct x509_ctx *xc, const uint8_t *const *ders, const size_t *lens,
			 int n, int64_t when, const char *hostname, bool purpose_client,
			 struct x509_verdict *out)
{
	x509_validate_chain_sha(xc, ders, lens, NULL, n, when, hostname, purpose_client, out);
}

void x509_validate_chain_sha(struct x509_ctx *xc, const uint8_t *const *ders, const size_t *lens,
			     const char (*sha256_hex)[65], int n, int64_t when,
			     const char *hostname, bool purpose_client, struct x509_verdict *out)
{
	X509 *certs[X509_CHAIN_MAX];
	uint8_t key[32], hs[X509_CHAIN_MAX][32];
	int64_t t, lo = INT64_MIN, hi = INT64_MAX;
	struct verd_slot *slot;
	bool found;
	int i, m;
	EVP_MD_CTX *md;

	memset(out, 0, sizeof(*out));
	out->trusted = -1;
	out->hostname_match = -1;
	out->error_depth = -1;
	if (n <= 0 || ders == NULL || lens == NULL)
		return;
	/* the default anchors are loaded lazily (x509_ctx_new); no context: no
	 * store to validate against */
	if (x509_ready(xc) != 0) {
		snprintf(out->error, sizeof(out->error), "no_trust_store");
		return;
	}
	m = n > X509_CHAIN_MAX ? X509_CHAIN_MAX : n;
	/* floor division: a time before 1970 stays in the right second */
	t = when >= 0 ? when / 1000000 : -((-when + 999999) / 1000000);

	/* the cache key: SHA-256 over the purpose, hostname and each
	 * certificate's SHA-256 (the trust configuration is the context's, for
	 * its whole life) */
	{
		/* each certificate's digest first: the key's own context is
		 * this thread's SHA-256 one (digest.h), as wa_md's is */
		bool ok = true;
		for (i = 0; i < m && ok; i++)
			if (!(sha256_hex && x509_unhex32(sha256_hex[i], hs[i]) == 0))
				ok = wa_md(WA_SHA256, ders[i], ders[i] ? lens[i] : 0, hs[i]) == 32;
		md = ok ? wa_md_begin(WA_SHA256) : NULL;
	}
	if (md) {
		uint8_t pre[2] = { purpose_client, (uint8_t)m };
		size_t hl = hostname ? strnlen(hostname, X509_HOST_MAX + 1) : 0;
		EVP_DigestUpdate(md, pre, sizeof(pre));
		EVP_DigestUpdate(md, hostname ? hostname : "", hl);
		EVP_DigestUpdate(md, "", 1);
		for (i = 0; i < m; i++)
			EVP_DigestUpdate(md, hs[i], sizeof(hs[i]));
		EVP_DigestFinal_ex(md, key, NULL);
		slot = x509_verdict_find(xc, key, &found);
		if (slot && found && t >= slot->lo && t < slot->hi) {
			xc->verd_hits++;
			*out = slot->v;
			return;
		}
	} else {
		slot = NULL;
		found = false;
	}
	xc->verd_misses++;

	for (i = 0; i < m; i++) {
		if ((certs[i] = x509_parse(ders[i], lens[i])) == NULL) {
			/* an unparsable certificate: the chain cannot validate */
			out->trusted = 0;
			out->error_depth = i;
			snprintf(out->error, sizeof(out->error), "malformed");
			while (i-- > 0)
				X509_free(certs[i]);
			return;
		}
	}
	x509_verdict_compute(xc, certs, m, t, hostname, purpose_client, out, &lo, &hi);
	for (i = 0; i < m; i++)
		X509_free(certs[i]);

	if (md && slot) {
		if (!found && xc->verd_n >= VERD_CACHE_ENTRIES) {
			memset(xc->verd, 0, VERD_CACHE_ENTRIES * 2 * sizeof(*xc->verd));
			xc->verd_n = 0;
			slot = x509_verdict_find(xc, key, &found);
			if (slot == NULL)
				return;
		}
		if (!found)
			xc->verd_n++;
		memcpy(slot->key, key, 32);
		slot->used = true;
		slot->lo = lo;
		slot->hi = hi;
		slot->v = *out;
	}
}

void x509_cache_stats(const struct x509_ctx *xc, struct x509_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (xc == NULL)
		return;
	st->cert_hits = xc->cert_hits;
	st->cert_misses = xc->cert_misses;
	st->cert_entries = xc->certs_n;
	st->verdict_hits = xc->verd_hits;
	st->verdict_misses = xc->verd_misses;
	st->verdict_entries = xc->verd_n;
	st->ocsp_hits = xc->ocsp_hits;
	st->ocsp_misses = xc->ocsp_misses;
}

/* ---- OCSP (RFC 6960 section 4.2) ---- */
static int64_t x509_gt_us(const ASN1_GENERALIZEDTIME *t)
{
	bool ok;
	int64_t s = x509_asn1_time_secs(t, &ok);
	return ok ? s * 1000000 : 0;
}

static int x509_ocsp_parse_uncached(const uint8_t *der, size_t len, struct x509_ocsp *out)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *resp;
	OCSP_BASICRESP *bs = NULL;
	OCSP_SINGLERESP *single;
	ASN1_GENERALIZEDTIME *rev = NULL, *thisu = NULL, *nextu = NULL;
	int st, reason = -1;

	memset(out, 0, sizeof(*out));
	out->revocation_reason = -1;
	snprintf(out->status, sizeof(out->status), "malformed");
	if (der == NULL || len == 0 || len > X509_DER_MAX)
		return -1;
	resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
	if (resp == NULL) {
		ERR_clear_error();
		return -1;
	}
	out->response_status = OCSP_response_status(resp);
	if (out->response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		snprintf(out->status, sizeof(out->status), "unsuccessful");
		OCSP_RESPONSE_free(resp);
		return 0;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
		OCSP_RESPONSE_free(resp);
		ERR_clear_error();
		return -1;
	}
	out->produced_at = x509_gt_us(OCSP_resp_get0_produced_at(bs));
	out->count = OCSP_resp_count(bs);
	if (out->count <= 0 || (single = OCSP_resp_get0(bs, 0)) == NULL) {
		OCSP_BASICRESP_free(bs);
		OCSP_RESPONSE_free(resp);
		ERR_clear_error();
		return -1;
	}
	st = OCSP_single_get0_status(single, &reason, &rev, &thisu, &nextu);
	switch (st) {
	case V_OCSP_CERTSTATUS_GOOD: snprintf(out->status, sizeof(out->status), "good"); break;
	case V_OCSP_CERTSTATUS_REVOKED: snprintf(out->status, sizeof(out->status), "revoked"); break;
	case V_OCSP_CERTSTATUS_UNKNOWN: snprintf(out->status, sizeof(out->status), "unknown"); break;
	default:
		OCSP_BASICRESP_free(bs);
		OCSP_RESPONSE_free(resp);
		ERR_clear_error();
		return -1;
	}
	out->this_update = x509_gt_us(thisu);
	out->next_update = nextu ? x509_gt_us(nextu) : 0;
	out->revoked_at = rev ? x509_gt_us(rev) : 0;
	out->revocation_reason = st == V_OCSP_CERTSTATUS_REVOKED ? reason : -1;
	{
		ASN1_INTEGER *ser = NULL;
		OCSP_CERTID *cid = (OCSP_CERTID *)OCSP_SINGLERESP_get0_id(single);
		if (cid && OCSP_id_get0_info(NULL, NULL, NULL, &ser, cid) == 1 && ser)
			x509_int_hex(ser, out->serial, sizeof(out->serial));
	}
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
	return 0;
}

/* Stapled OCSP responses repeat on every connection to a server until the
 * server fetches a new one, and decoding one with OpenSSL costs more than
 * the rest of the handshake: results are cached in a direct-mapped table
 * keyed by the SHA-256 of the response bytes (parsing does not depend on
 * time or configuration, so an entry never goes stale). The table,
 * OCSP_CACHE_ENTRIES slots, is the context's (ocsp_slot above). */
int x509_ocsp_parse(struct x509_ctx *xc, const uint8_t *der, size_t len, struct x509_ocsp *out)
{
	uint8_t key[32];
	struct ocsp_slot *s;

	if (xc == NULL || der == NULL || len == 0 || len > X509_DER_MAX)
		return x509_ocsp_parse_uncached(der, len, out);
	wa_md(WA_SHA256, der, len, key);
	s = &xc->ocsp[x509_slot_hash(key, OCSP_CACHE_ENTRIES)];
	if (s->used && memcmp(s->key, key, sizeof(key)) == 0) {
		xc->ocsp_hits++;
		*out = s->o;
		return s->rc;
	}
	xc->ocsp_misses++;
	s->rc = x509_ocsp_parse_uncached(der, len, out);
	s->o = *out;
	memcpy(s->key, key, sizeof(key));
	s->used = true;
	return s->rc;
}

int x509_ocsp_status(struct x509_ctx *xc, const uint8_t *der, size_t len, char *status,
		     size_t status_len, int64_t *produced_at)
{
	struct x509_ocsp o;
	int r = x509_ocsp_parse(xc, der, len, &o);
	if (status && status_len)
		snprintf(status, status_len, "%s", o.status);
	if (produced_at)
		*produced_at = o.produced_at;
	return r;
}
