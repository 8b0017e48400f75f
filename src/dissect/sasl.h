/* SPDX-License-Identifier: BSD-3-Clause */
/* sasl.h — what the text-protocol dissectors (SMTP, IMAP, POP3) and the
 * binary ones (LDAP, AMQP) share about a SASL exchange (RFC 4422): which
 * mechanism, which user name, and whether a password crossed in clear.
 *
 * Mechanisms understood (the rest are recorded by name only):
 *   PLAIN (RFC 4616)       [authzid] NUL authcid NUL passwd -> user = authcid,
 *                          credentials ("PLAIN")
 *   LOGIN (draft-murchison-sasl-login) 1st response user name, 2nd password
 *                          -> user, credentials ("LOGIN") at the 2nd
 *   CRAM-MD5 (RFC 2195)    "user SP hex-digest" -> user; challenge-response,
 *                          not credentials
 *   SCRAM-* (RFC 5802 §7)  client-first "gs2-header n=user,r=nonce" -> user;
 *                          a proof follows, not credentials
 *   XOAUTH2, OAUTHBEARER (RFC 7628) -> user; a bearer token is a secret sent
 *                          in clear: credentials
 * Never passes a password or token to obs_*: decoded bytes are cleansed with
 * OPENSSL_cleanse before returning.
 */
#ifndef WA_SASL_H
#define WA_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dis_ctx;

#define SASL_MECH_MAX 32
#define SASL_B64_MAX 8192 /* base64 characters of one response we decode */

#define SASL_ERR_BASE64 (-1) /* response not base64, or over SASL_B64_MAX */
#define SASL_ERR_FORMAT (-2) /* decoded response malformed for the mechanism */

struct sasl_exch {
	char mech[SASL_MECH_MAX + 1]; /* upper-cased */
	unsigned responses;           /* client responses seen */
	bool user_seen;               /* LOGIN: the user name came */
	bool active;
};

/* Begins an exchange with mechanism `mech` (copied, upper-cased, capped) and
 * records it with obs_auth_mechanism. */
void sasl_begin(struct sasl_exch *x, struct dis_ctx *ctx, const char *mech, size_t len);

/* One client response as raw bytes (AMQP, LDAP). Records the user and
 * credentials per mechanism. Returns 0 or SASL_ERR_FORMAT. */
int sasl_response_raw(struct sasl_exch *x, struct dis_ctx *ctx, const uint8_t *p, size_t len);

/* One client response in base64 as on a text protocol's line ("=" is an
 * empty initial response, RFC 4954 §4). Returns 0, SASL_ERR_BASE64 or
 * SASL_ERR_FORMAT. */
int sasl_response_b64(struct sasl_exch *x, struct dis_ctx *ctx, const char *b64, size_t len);

/* Decodes base64 text into out (capacity cap >= 3 * len / 4), exact length
 * (padding removed) in *outlen. Returns 0 or SASL_ERR_BASE64. The caller
 * cleanses out. */
int sasl_b64_decode(const char *b64, size_t len, uint8_t *out, size_t cap, size_t *outlen);

/* PLAIN message: the authcid (RFC 4616 §2) within [p, p+len); 0 or
 * SASL_ERR_FORMAT. *user points into p. */
int sasl_plain_user(const uint8_t *p, size_t len, const uint8_t **user, size_t *ulen);

#endif
