/* SPDX-License-Identifier: BSD-3-Clause */
/* sasl.c — SASL exchange facts shared by the mail, directory and broker
 * dissectors (RFC 4422, RFC 4616 PLAIN, RFC 2195 CRAM-MD5, RFC 7628
 * OAUTHBEARER); contracts in sasl.h. */
#include "sasl.h"

#include <ctype.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "obs.h"

void sasl_begin(struct sasl_exch *x, struct dis_ctx *ctx, const char *mech, size_t len)
{
	size_t i;
	memset(x, 0, sizeof(*x));
	if (len > SASL_MECH_MAX)
		len = SASL_MECH_MAX;
	for (i = 0; i < len; i++)
		x->mech[i] = (char)toupper((unsigned char)mech[i]);
	x->mech[len] = 0;
	x->active = true;
	obs_auth_mechanism(ctx, x->mech, len);
}

int sasl_b64_decode(const char *b64, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	int n;
	size_t pad = 0;

	*outlen = 0;
	if (len == 0)
		return 0;
	if (len > SASL_B64_MAX || len % 4 != 0 || cap < len / 4 * 3)
		return SASL_ERR_BASE64;
	if (b64[len - 1] == '=')
		pad++;
	if (b64[len - 2] == '=')
		pad++;
	n = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)len);
	if (n < 0 || (size_t)n < pad)
		return SASL_ERR_BASE64;
	*outlen = (size_t)n - pad;
	return 0;
}

int sasl_plain_user(const uint8_t *p, size_t len, const uint8_t **user, size_t *ulen)
{
	const uint8_t *z1, *z2;

	*user = NULL;
	*ulen = 0;
	z1 = memchr(p, 0, len);
	if (z1 == NULL)
		return SASL_ERR_FORMAT;
	z2 = memchr(z1 + 1, 0, len - (size_t)(z1 + 1 - p));
	if (z2 == NULL)
		return SASL_ERR_FORMAT;
	*user = z1 + 1;
	*ulen = (size_t)(z2 - z1 - 1);
	return 0;
}

/* "key=value" inside an RFC 7628 / XOAUTH2 message (fields split by ^A or
 * ','): the value of the first field starting with `key`. */
static bool sasl_field(const uint8_t *p, size_t len, const char *key, const uint8_t **v, size_t *vlen)
{
	size_t kl = strlen(key), i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && p[j] != 0x01 && p[j] != ',')
			j++;
		if (j - i >= kl && memcmp(p + i, key, kl) == 0) {
			*v = p + i + kl;
			*vlen = j - i - kl;
			return true;
		}
		i = j + 1;
	}
	return false;
}

int sasl_response_raw(struct sasl_exch *x, struct dis_ctx *ctx, const uint8_t *p, size_t len)
{
	const uint8_t *u;
	size_t ul;

	x->responses++;
	if (strcmp(x->mech, "PLAIN") == 0 && x->responses == 1) {
		if (len == 0)
			return 0; /* empty initial response: the real one follows */
		if (sasl_plain_user(p, len, &u, &ul) != 0)
			return SASL_ERR_FORMAT;
		obs_user(ctx, u, ul);
		obs_credentials(ctx, "PLAIN");
	} else if (strcmp(x->mech, "LOGIN") == 0) {
		/* draft-murchison-sasl-login: user name, then password */
		if (!x->user_seen) {
			if (len == 0)
				return 0;
			obs_user(ctx, p, len);
			x->user_seen = true;
		} else {
			obs_credentials(ctx, "LOGIN");
		}
	} else if (strcmp(x->mech, "CRAM-MD5") == 0 && x->responses == 1) {
		/* RFC 2195 §2: user SP 32 hex digits; the digest is not a secret
		 * that can be replayed, so no credentials */
		const uint8_t *sp = NULL;
		for (ul = len; ul > 0; ul--)
			if (p[ul - 1] == ' ') {
				sp = p + ul - 1;
				break;
			}
		if (sp == NULL)
			return SASL_ERR_FORMAT;
		obs_user(ctx, p, (size_t)(sp - p));
	} else if (strncmp(x->mech, "SCRAM-", 6) == 0 && x->responses == 1) {
		/* RFC 5802 §7 client-first-message: gs2-header (cbind flag ","
		 * [a=authzid] ",") then n=user,r=nonce. A proof follows, not a
		 * password: a user, no credentials. */
		size_t i = 0, commas = 0;
		while (i < len && commas < 2)
			if (p[i++] == ',')
				commas++;
		if (commas < 2 || !sasl_field(p + i, len - i, "n=", &u, &ul))
			return SASL_ERR_FORMAT;
		obs_user(ctx, u, ul);
	} else if ((strcmp(x->mech, "XOAUTH2") == 0 || strcmp(x->mech, "OAUTHBEARER") == 0) &&
		   x->responses == 1) {
		if (sasl_field(p, len, "user=", &u, &ul) || sasl_field(p, len, "a=", &u, &ul))
			obs_user(ctx, u, ul);
		if (sasl_field(p, len, "auth=", &u, &ul))
			obs_credentials(ctx, x->mech);
	}
	return 0;
}

int sasl_response_b64(struct sasl_exch *x, struct dis_ctx *ctx, const char *b64, size_t len)
{
	uint8_t buf[SASL_B64_MAX / 4 * 3];
	size_t n;
	int r;

	if (len == 1 && b64[0] == '=')
		len = 0;
	if ((r = sasl_b64_decode(b64, len, buf, sizeof(buf), &n)) != 0) {
		x->responses++;
		return r;
	}
	r = sasl_response_raw(x, ctx, buf, n);
	OPENSSL_cleanse(buf, sizeof(buf));
	return r;
}
