/* SPDX-License-Identifier: BSD-3-Clause */
/* digest.c — see digest.h. */
#include "digest.h"

static const char *const md_names[WA_NMD] = { "MD5", "SHA1", "SHA256" };
static _Thread_local EVP_MD *md_impl[WA_NMD];
static _Thread_local EVP_MD_CTX *md_ctx[WA_NMD];

EVP_MD_CTX *wa_md_begin(enum wa_md md)
{
	if ((unsigned)md >= WA_NMD)
		return NULL;
	if (md_impl[md] == NULL && (md_impl[md] = EVP_MD_fetch(NULL, md_names[md], NULL)) == NULL)
		return NULL;
	if (md_ctx[md] == NULL && (md_ctx[md] = EVP_MD_CTX_new()) == NULL)
		return NULL;
	if (EVP_DigestInit_ex(md_ctx[md], md_impl[md], NULL) != 1)
		return NULL;
	return md_ctx[md];
}

unsigned wa_md(enum wa_md md, const void *p, size_t len, uint8_t *out)
{
	EVP_MD_CTX *c = wa_md_begin(md);
	unsigned dl = 0;
	if (c == NULL || EVP_DigestUpdate(c, p ? p : "", p ? len : 0) != 1 ||
	    EVP_DigestFinal_ex(c, out, &dl) != 1)
		return 0;
	return dl;
}

void wa_md_thread_free(void)
{
	for (int i = 0; i < WA_NMD; i++) {
		EVP_MD_CTX_free(md_ctx[i]);
		EVP_MD_free(md_impl[i]);
		md_ctx[i] = NULL;
		md_impl[i] = NULL;
	}
}
