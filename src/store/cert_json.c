/* SPDX-License-Identifier: BSD-3-Clause */
/* cert_json.c — see cert_json.h. The keys and their order are the export
 * contract (docs/EXPORT.md, docs/CERTIFICATES.md); every string is written
 * through jb_strn, which escapes wire bytes. */
#define _GNU_SOURCE
#include "cert_json.h"
#include "certpolicy.h"
#include "x509.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void cj_str(struct jbuf *jb, const char *k, struct cert_str s)
{
	jb_key(jb, k);
	if (s.p)
		jb_strn(jb, s.p, s.n);
	else
		jb_null(jb);
}

static void cj_time(struct jbuf *jb, const char *k, bool has, int64_t secs)
{
	time_t tt = (time_t)secs;
	struct tm tm;
	char buf[40];
	jb_key(jb, k);
	if (!has) {
		jb_null(jb);
		return;
	}
	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sizeof(buf), "?");
	jb_string(jb, buf);
}

static void cj_int(struct jbuf *jb, const char *k, int64_t v)
{
	jb_key(jb, k);
	if (v >= 0)
		jb_int(jb, v);
	else
		jb_null(jb);
}

/* a column's text as a NUL-terminated string for certpolicy (the names it
 * compares are short; a longer one is no match) */
static const char *cj_cstr(struct cert_str s, char *buf, size_t cap)
{
	if (s.p == NULL)
		return NULL;
	if (s.n >= cap || memchr(s.p, 0, s.n))
		return "";
	memcpy(buf, s.p, s.n);
	buf[s.n] = 0;
	return buf;
}

static bool cj_key_weak(const struct cert_view *c)
{
	char b[32];
	return cert_key_weak(cj_cstr(c->key_type, b, sizeof(b)), (int)c->key_bits);
}

static bool cj_sig_weak(const struct cert_view *c)
{
	char b[32];
	return cert_sig_hash_weak(cj_cstr(c->sig_hash, b, sizeof(b)));
}

void cert_chain_weakness(const struct cert_view *c, bool *weak_key, bool *weak_signature)
{
	if (!c->parsed)
		return;
	if (cj_key_weak(c))
		*weak_key = true;
	if (cj_sig_weak(c) && !c->self_signed)
		*weak_signature = true;
}

void cert_json_build(struct jbuf *jb, const struct cert_view *c)
{
	jb_obj_open(jb);
	if (!c->parsed) {
		jb_obj_close(jb);
		return;
	}
	cj_str(jb, "sha256", c->sha256);
	cj_str(jb, "sha1", c->sha1);
	jb_kv_int(jb, "version", c->version);
	cj_str(jb, "serial", c->serial);
	cj_str(jb, "subject", c->subject);
	cj_str(jb, "subject_cn", c->subject_cn);
	cj_str(jb, "issuer", c->issuer);
	jb_key(jb, "sans");
	jb_arr_open(jb);
	for (size_t i = 0; i < c->nsans; i++)
		jb_strn(jb, c->sans[i].p ? c->sans[i].p : "", c->sans[i].n);
	jb_arr_close(jb);
	if (c->sans_truncated)
		jb_kv_bool(jb, "sans_truncated", true);
	cj_time(jb, "not_before", c->has_not_before, c->not_before);
	cj_time(jb, "not_after", c->has_not_after, c->not_after);
	cj_str(jb, "key_type", c->key_type);
	cj_int(jb, "key_bits", c->key_bits);
	cj_str(jb, "curve", c->curve);
	cj_str(jb, "sig_alg", c->sig_alg);
	cj_str(jb, "sig_alg_oid", c->sig_alg_oid);
	cj_str(jb, "sig_hash", c->sig_hash);
	jb_kv_bool(jb, "self_signed", c->self_signed);
	jb_kv_bool(jb, "is_ca", c->is_ca);
	cj_int(jb, "path_len", c->path_len);
	jb_kv_bool(jb, "weak_key", cj_key_weak(c));
	jb_kv_bool(jb, "weak_signature", cj_sig_weak(c));
	jb_obj_close(jb);
}

static struct cert_str cj_fs(const struct x509_cert_facts *f, struct x509_str v)
{
	struct cert_str s = { x509_fs(f, v), v.len };
	return s;
}

void cert_view_of_facts(struct cert_view *v, const struct x509_cert_facts *f, const char *sha,
			struct cert_str *sans)
{
	memset(v, 0, sizeof(*v));
	v->parsed = f != NULL;
	if (f == NULL)
		return;
	v->sha256.p = sha;
	v->sha256.n = strlen(sha);
	v->sha1 = cj_fs(f, f->sha1);
	v->version = f->version;
	v->serial = cj_fs(f, f->serial);
	v->subject = cj_fs(f, f->subject);
	v->subject_cn = cj_fs(f, f->subject_cn);
	v->issuer = cj_fs(f, f->issuer);
	v->has_not_before = f->has_not_before;
	v->not_before = f->not_before;
	v->has_not_after = f->has_not_after;
	v->not_after = f->not_after;
	v->key_type = cj_fs(f, f->key_type);
	v->key_bits = f->key_bits;
	v->curve = cj_fs(f, f->curve);
	v->sig_alg = cj_fs(f, f->sig_alg);
	v->sig_alg_oid = cj_fs(f, f->sig_alg_oid);
	v->sig_hash = cj_fs(f, f->sig_hash);
	v->self_signed = f->self_signed;
	v->is_ca = f->is_ca;
	v->path_len = f->path_len;
	v->sans_truncated = f->sans_truncated;
	for (uint32_t i = 0; i < f->nsans; i++)
		sans[i] = cj_fs(f, f->sans[i]);
	v->sans = sans;
	v->nsans = f->nsans;
}
