/* SPDX-License-Identifier: BSD-3-Clause */
/* keylog.c — the NSS key log format (NSS "Key Log Format": one
 * "<label> <client_random hex> <secret hex>" per line, '#' comments) and
 * TLS 1.3 record protection: HKDF-Expand-Label (RFC 8446 §7.1), traffic
 * keys (§7.3), AEAD open with the per-record nonce (§5.3). Contracts in
 * keylog.h. Only handshake traffic secrets are ever kept.
 */
#include "keylog.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#define KEYLOG_FILE_MAX (256u << 20) /* bytes of key log read (our cap) */
#define KEYLOG_LINE_MAX 1024

struct kl_entry {
	uint8_t cr[32];
	uint8_t c[KEYLOG_SECRET_MAX], s[KEYLOG_SECRET_MAX];
	uint8_t clen, slen;
};

static pthread_mutex_t kl_lock = PTHREAD_MUTEX_INITIALIZER;
static char *kl_path;
static atomic_bool kl_on;           /* read without the lock: every TLS 1.3 record asks */
static struct kl_entry *kl_tab;
static size_t kl_n, kl_cap;
/* An index of kl_tab by client random (open addressing, slot = entry + 1,
 * 0 empty; a power of two at most half full): a key log of a busy proxy
 * holds 10^5-10^6 connections, and a linear search per line and per flow
 * was quadratic in them. */
static uint32_t *kl_ix;
static size_t kl_ixcap;
static long kl_offset;            /* bytes of the file read so far (whole lines) */
static int64_t kl_last_read;      /* monotonic ms of the last read */

static int64_t kl_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int kl_hex(const char *h, size_t hl, uint8_t *out, size_t cap)
{
	size_t i;
	if (hl % 2 != 0 || hl / 2 > cap)
		return -1;
	for (i = 0; i < hl; i++) {
		char ch = h[i];
		int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
			ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
		if (v < 0)
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(v << 4);
		else
			out[i / 2] |= (uint8_t)v;
	}
	return (int)(hl / 2);
}

static size_t kl_hash(const uint8_t cr[32])
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a over the whole random */
	for (int i = 0; i < 32; i++) {
		h ^= cr[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

static struct kl_entry *kl_find(const uint8_t cr[32])
{
	size_t m, j;
	if (kl_ix == NULL)
		return NULL;
	m = kl_ixcap - 1;
	for (j = kl_hash(cr) & m; kl_ix[j] != 0; j = (j + 1) & m)
		if (memcmp(kl_tab[kl_ix[j] - 1].cr, cr, 32) == 0)
			return &kl_tab[kl_ix[j] - 1];
	return NULL;
}

/* Index entry i (kl_tab[i] filled); the index grows to stay at most half
 * full. -1 when out of memory (the entry is then not kept). */
static int kl_index(size_t i)
{
	size_t m, j;
	if ((i + 1) * 2 > kl_ixcap) {
		size_t nc = kl_ixcap ? kl_ixcap * 2 : 256, k;
		uint32_t *ni;
		while ((i + 1) * 2 > nc)
			nc *= 2;
		if (nc > UINT32_MAX || (ni = calloc(nc, sizeof(*ni))) == NULL)
			return -1;
		free(kl_ix);
		kl_ix = ni;
		kl_ixcap = nc;
		for (k = 0; k < i; k++) {
			for (j = kl_hash(kl_tab[k].cr) & (nc - 1); kl_ix[j] != 0; j = (j + 1) & (nc - 1))
				;
			kl_ix[j] = (uint32_t)(k + 1);
		}
	}
	m = kl_ixcap - 1;
	for (j = kl_hash(kl_tab[i].cr) & m; kl_ix[j] != 0; j = (j + 1) & m)
		;
	kl_ix[j] = (uint32_t)(i + 1);
	return 0;
}

/* One line; anything not understood is skipped silently (a key log is
 * the operator's file, and its content is never echoed). */
static void kl_line(char *l, size_t n)
{
	char *f[3];
	size_t fl[3];
	int nf = 0, client;
	size_t i = 0;
	uint8_t cr[32], sec[KEYLOG_SECRET_MAX];
	int sl;
	struct kl_entry *e;

	while (n > 0 && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	if (n == 0 || l[0] == '#')
		return;
	while (i < n && nf < 3) {
		while (i < n && l[i] == ' ')
			i++;
		if (i >= n)
			break;
		f[nf] = l + i;
		while (i < n && l[i] != ' ')
			i++;
		fl[nf] = (size_t)(l + i - f[nf]);
		nf++;
	}
	if (nf != 3 || i < n)
		return;
	if (fl[0] == 31 && memcmp(f[0], "CLIENT_HANDSHAKE_TRAFFIC_SECRET", 31) == 0)
		client = 1;
	else if (fl[0] == 31 && memcmp(f[0], "SERVER_HANDSHAKE_TRAFFIC_SECRET", 31) == 0)
		client = 0;
	else
		return; /* other labels (application secrets included): never read */
	if (kl_hex(f[1], fl[1], cr, 32) != 32)
		return;
	sl = kl_hex(f[2], fl[2], sec, sizeof(sec));
	if (sl != 32 && sl != 48) {
		OPENSSL_cleanse(sec, sizeof(sec));
		return;
	}
	if ((e = kl_find(cr)) == NULL) {
		if (kl_n == kl_cap) {
			size_t nc = kl_cap ? kl_cap * 2 : 64;
			struct kl_entry *nt = calloc(nc, sizeof(*nt));
			if (nt == NULL) {
				OPENSSL_cleanse(sec, sizeof(sec));
				return;
			}
			if (kl_tab) {
				memcpy(nt, kl_tab, kl_n * sizeof(*nt));
				OPENSSL_cleanse(kl_tab, kl_cap * sizeof(*kl_tab));
				free(kl_tab);
			}
			kl_tab = nt;
			kl_cap = nc;
		}
		e = &kl_tab[kl_n];
		memset(e, 0, sizeof(*e));
		memcpy(e->cr, cr, 32);
		if (kl_index(kl_n) != 0) {
			OPENSSL_cleanse(sec, sizeof(sec));
			memset(e, 0, sizeof(*e));
			return;
		}
		kl_n++;
	}
	if (client) {
		memcpy(e->c, sec, (size_t)sl);
		e->clen = (uint8_t)sl;
	} else {
		memcpy(e->s, sec, (size_t)sl);
		e->slen = (uint8_t)sl;
	}
	OPENSSL_cleanse(sec, sizeof(sec));
}

/* Read the lines added since the last read (a file that shrank, e.g.
 * rewritten, is read again from the start). Under kl_lock. */
static int kl_read(char *err, size_t errlen)
{
	FILE *fp = fopen(kl_path, "r");
	char line[KEYLOG_LINE_MAX];
	static char iobuf[16384];   /* stdio's buffer, ours to wipe (under kl_lock) */
	long end;

	kl_last_read = kl_now_ms();
	if (fp == NULL) {
		if (err)
			snprintf(err, errlen, "cannot read the key log %s: %s", kl_path, strerror(errno));
		return -1;
	}
	setvbuf(fp, iobuf, _IOFBF, sizeof(iobuf));
	if (fseek(fp, 0, SEEK_END) == 0 && (end = ftell(fp)) >= 0 && end < kl_offset)
		kl_offset = 0;
	if (fseek(fp, kl_offset, SEEK_SET) != 0)
		kl_offset = 0, rewind(fp);
	for (;;) {
		long at = ftell(fp);
		size_t n;
		if (at < 0)
			break;
		if ((unsigned long)at >= KEYLOG_FILE_MAX) {
			static bool warned;
			if (!warned)
				fprintf(stderr, "wireaudit: %s: only the first %u MB of the key log are read\n",
					kl_path, KEYLOG_FILE_MAX >> 20);
			warned = true;
			break;
		}
		if (fgets(line, sizeof(line), fp) == NULL)
			break;
		n = strlen(line);
		if (n == 0 || line[n - 1] != '\n') {
			if (feof(fp))
				break; /* a line still being written: read it next time */
			/* an over-long line: skip to its end */
			int ch;
			while ((ch = fgetc(fp)) != EOF && ch != '\n')
				;
			kl_offset = ftell(fp);
			continue;
		}
		kl_line(line, n - 1);
		kl_offset = ftell(fp);
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(fp);
	OPENSSL_cleanse(iobuf, sizeof(iobuf));
	return 0;
}

int keylog_open(const char *path, char *err, size_t errlen)
{
	int r;
	keylog_close();
	pthread_mutex_lock(&kl_lock);
	kl_path = strdup(path);
	if (kl_path == NULL) {
		pthread_mutex_unlock(&kl_lock);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r = kl_read(err, errlen);
	if (r != 0) {
		free(kl_path);
		kl_path = NULL;
	}
	atomic_store(&kl_on, r == 0);
	pthread_mutex_unlock(&kl_lock);
	return r;
}

void keylog_close(void)
{
	pthread_mutex_lock(&kl_lock);
	if (kl_tab) {
		OPENSSL_cleanse(kl_tab, kl_cap * sizeof(*kl_tab));
		free(kl_tab);
	}
	kl_tab = NULL;
	kl_n = kl_cap = 0;
	free(kl_ix);
	kl_ix = NULL;
	kl_ixcap = 0;
	kl_offset = 0;
	atomic_store(&kl_on, false);
	free(kl_path);
	kl_path = NULL;
	pthread_mutex_unlock(&kl_lock);
}

bool keylog_enabled(void)
{
	return atomic_load(&kl_on);
}

bool keylog_lookup(const uint8_t cr[32], uint8_t chts[KEYLOG_SECRET_MAX],
		   uint8_t shts[KEYLOG_SECRET_MAX], size_t *len)
{
	struct kl_entry *e;
	bool ok = false;

	pthread_mutex_lock(&kl_lock);
	if (kl_path == NULL)
		goto out;
	e = kl_find(cr);
	if ((e == NULL || e->clen == 0 || e->slen == 0) && kl_now_ms() - kl_last_read >= 1000) {
		(void)kl_read(NULL, 0);
		e = kl_find(cr);
	}
	if (e && e->clen != 0 && e->clen == e->slen) {
		memcpy(chts, e->c, e->clen);
		memcpy(shts, e->s, e->slen);
		*len = e->clen;
		ok = true;
	}
out:
	pthread_mutex_unlock(&kl_lock);
	return ok;
}

/* ---- RFC 8446 record protection ---- */

int tls13_expand_label(const uint8_t *secret, size_t secret_len, const char *label, uint8_t *out,
		       size_t out_len)
{
	uint8_t info[2 + 1 + 255 + 1];
	size_t ll = strlen(label), n = 0;
	EVP_PKEY_CTX *pc;
	size_t got = out_len;
	int ok;

	if (6 + ll > 255 || (secret_len != 32 && secret_len != 48))
		return -1;
	/* struct { uint16 length; opaque label<7..255> = "tls13 " + label;
	 *          opaque context<0..255>; } HkdfLabel; */
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0; /* empty context */
	if ((pc = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL)) == NULL)
		return -1;
	ok = EVP_PKEY_derive_init(pc) > 0 &&
	     EVP_PKEY_CTX_hkdf_mode(pc, EVP_PKEY_HKDEF_MODE_EXPAND_ONLY) > 0 &&
	     EVP_PKEY_CTX_set_hkdf_md(pc, secret_len == 48 ? EVP_sha384() : EVP_sha256()) > 0 &&
	     EVP_PKEY_CTX_set1_hkdf_key(pc, secret, (int)secret_len) > 0 &&
	     EVP_PKEY_CTX_add1_hkdf_info(pc, info, (int)n) > 0 &&
	     EVP_PKEY_derive(pc, out, &got) > 0 && got == out_len;
	EVP_PKEY_CTX_free(pc);
	return ok ? 0 : -1;
}

bool tls13_suite_known(uint16_t suite)
{
	return suite == 0x1301 || suite == 0x1302 || suite == 0x1303;
}

int tls13_keys_from_secret(uint16_t suite, const uint8_t *secret, size_t len, struct tls13_keys *k)
{
	size_t want_hash = suite == 0x1302 ? 48 : 32;
	memset(k, 0, sizeof(*k));
	if (!tls13_suite_known(suite) || len != want_hash)
		return -1;
	k->suite = suite;
	k->key_len = suite == 0x1301 ? 16 : 32;
	if (tls13_expand_label(secret, len, "key", k->key, k->key_len) != 0 ||
	    tls13_expand_label(secret, len, "iv", k->iv, 12) != 0) {
		OPENSSL_cleanse(k, sizeof(*k));
		return -1;
	}
	return 0;
}

int tls13_aead_open(uint16_t suite, const uint8_t *key, const uint8_t nonce[12], const uint8_t *aad,
		    size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *out)
{
	const EVP_CIPHER *ciph = suite == 0x1301 ? EVP_aes_128_gcm() :
				 suite == 0x1302 ? EVP_aes_256_gcm() :
				 suite == 0x1303 ? EVP_chacha20_poly1305() : NULL;
	uint8_t tag[16];
	size_t pl;
	EVP_CIPHER_CTX *cc;
	int n, ok;

	if (ciph == NULL || ct_len < 16 || ct_len > 65536 || aad_len > 65536)
		return -1;
	pl = ct_len - 16;
	memcpy(tag, ct + pl, 16); /* before an in-place open overwrites nothing of it */
	if ((cc = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_DecryptInit_ex(cc, ciph, NULL, NULL, NULL) > 0 &&
	     EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) > 0 &&
	     EVP_DecryptInit_ex(cc, NULL, NULL, key, nonce) > 0 &&
	     (aad_len == 0 || EVP_DecryptUpdate(cc, NULL, &n, aad, (int)aad_len) > 0) &&
	     (pl == 0 || EVP_DecryptUpdate(cc, out, &n, ct, (int)pl) > 0) &&
	     EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_AEAD_SET_TAG, 16, tag) > 0 &&
	     EVP_DecryptFinal_ex(cc, out + pl, &n) > 0;
	EVP_CIPHER_CTX_free(cc);
	if (!ok) {
		OPENSSL_cleanse(out, pl);
		return -1;
	}
	return (int)pl;
}

int tls13_open(struct tls13_keys *k, const uint8_t hdr[5], const uint8_t *ct, size_t ct_len,
	       uint8_t *out, size_t cap)
{
	uint8_t nonce[12];
	int n;

	if (ct_len < 16 || ct_len - 16 > cap || ct_len > 65536)
		return -1;
	memcpy(nonce, k->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(k->seq >> (8 * i));
	if ((n = tls13_aead_open(k->suite, k->key, nonce, hdr, 5, ct, ct_len, out)) < 0)
		return -1;
	k->seq++;
	return n;
}
