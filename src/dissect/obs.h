/* SPDX-License-Identifier: BSD-3-Clause */
/* obs.h — how dissectors state facts (observations) about a flow.
 *
 * Facts are attached to the flow in memory and written to the store with the
 * flow when it ends (close, expiry, eviction or end of capture), in the
 * store's batched transaction. A dissector never judges: "negotiated
 * TLSv1.0", not "weak". Never pass a password or secret to any of these:
 * obs_credentials() records only that one was seen.
 *
 * Strings from the wire are copied (capped at OBS_STR_MAX bytes) and may
 * hold any bytes; they are escaped for each output format downstream.
 */
#ifndef WA_OBS_H
#define WA_OBS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "dissector.h"
#include "json.h"

struct x509_ctx;

#define OBS_STR_MAX 256
/* obs_detail_text: one long value a protocol sends as a single string (an
 * SSH name-list, RFC 4251 §5: OpenSSH's host key list alone is ~600 bytes). */
#define OBS_TEXT_MAX 4096
#define OBS_DETAILS_MAX 64

/* Security state of a flow (export field `security`). */
enum sec_state {
	SEC_UNKNOWN = 0,        /* not enough seen to say */
	SEC_TLS,                /* TLS from the first byte */
	SEC_STARTTLS,           /* began in clear, upgraded */
	SEC_TLS_REFUSED,        /* client asked for TLS, server refused, went on in clear */
	SEC_STARTTLS_NOT_USED,  /* server offered an upgrade, client went on in clear */
	SEC_CLEARTEXT,          /* no upgrade offered or asked for */
	SEC_APP_ENCRYPTED,      /* encrypted by the application protocol's own
				 * mechanism, not TLS (FTP RFC 2228 ENC/CONF
				 * after AUTH GSSAPI; SSH after both NEWKEYS);
				 * export `app_encrypted` */
};
const char *sec_state_name(enum sec_state s);

/* --- flow facts --- */

/* Names the protocol of the flow (a static string). The first name set
 * sticks: after a STARTTLS hand-off the flow stays "smtp". */
void obs_protocol(struct dis_ctx *c, const char *name);
/* Sets the security state. SEC_TLS does not overwrite SEC_STARTTLS. */
void obs_security(struct dis_ctx *c, enum sec_state s);
enum sec_state obs_get_security(const struct dis_ctx *c);
/* Records anomaly `code` of the current dissector's table, with an optional
 * printf-style detail (capped; never put payload secrets in it). */
void obs_anomaly(struct dis_ctx *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* For a dissector that runs another dissector's parser inside it (QUIC
 * feeding TLS handshake messages): until called again with NULL, NULL,
 * obs_anomaly() files anomalies under `name` and looks codes up in `tab`. */
void obs_anomaly_scope(struct dis_ctx *c, const char *name, const struct anomaly_def *tab);

/* --- cleartext-session facts (export object `cleartext`) --- */

/* Credentials crossed the wire in clear with this mechanism ("PLAIN",
 * "LOGIN", "password", "basic", ...). Only the fact is kept. */
void obs_credentials(struct dis_ctx *c, const char *mechanism);
/* Authentication mechanism used or negotiated, even if not in clear. */
void obs_auth_mechanism(struct dis_ctx *c, const char *mechanism, size_t len);
/* User name seen on the wire (never a password). */
void obs_user(struct dis_ctx *c, const void *user, size_t len);
void obs_tls_offered(struct dis_ctx *c, bool offered);
void obs_tls_requested(struct dis_ctx *c, bool requested);
/* Per-protocol details under cleartext.details. `key` is a static string.
 * The _list_ forms append to an array under key (at most OBS_DETAILS_MAX
 * detail entries per flow; further ones are dropped and counted). */
void obs_detail_str(struct dis_ctx *c, const char *key, const void *s, size_t len);
void obs_detail_int(struct dis_ctx *c, const char *key, int64_t v);
void obs_detail_bool(struct dis_ctx *c, const char *key, bool v);
void obs_detail_list_str(struct dis_ctx *c, const char *key, const void *s, size_t len);
/* As obs_detail_str, capped at OBS_TEXT_MAX bytes instead of OBS_STR_MAX;
 * returns false when the value was cut (the caller raises its anomaly:
 * caps are loud). */
bool obs_detail_text(struct dis_ctx *c, const char *key, const void *s, size_t len);

/* --- TLS facts (export object `tls`) --- */

/* The flow's TLS facts (tls_facts.h), zeroed, for the TLS dissector to
 * fill: kept by the flow until it is written (the store interns the
 * profiles, the export names them). A second call replaces the first.
 * NULL when out of memory. */
struct tls_facts;
struct tls_facts *obs_tls_begin(struct dis_ctx *c);
/* A certificate seen in this flow: `side` 0 = server chain, 1 = client
 * chain; `idx` 0 = leaf. `sha256_hex` (64 chars) keys the certs table,
 * `facts` what x509_cert_facts parsed (NULL: the bytes are not a
 * certificate); `der` is stored once per certificate (certificates are
 * public). Copies everything. */
struct x509_cert_facts;
void obs_cert(struct dis_ctx *c, int side, int idx, const char *sha256_hex,
	      const uint8_t *der, size_t der_len, const struct x509_cert_facts *facts);
/* The same certificate as one a live flow already holds (the very DER
 * bytes, compared in full): records it as obs_cert would, copies its
 * SHA-256 to sha256_hex and returns true; *parses says whether its facts
 * exist. false: not held, call x509_cert_facts and obs_cert. Spares the
 * SHA-256 and the facts' copy of every repeated certificate (a popular
 * server's chain): 3% of a handshake-heavy capture (docs/PERFORMANCE.md). */
bool obs_cert_known(struct dis_ctx *c, int side, int idx, const uint8_t *der, size_t der_len,
		    char sha256_hex[65], bool *parses);

/* --- context for dissectors --- */

/* Timestamp of the packet being processed, microseconds since the epoch. */
int64_t dis_ts(const struct dis_ctx *c);
/* The engine's certificate context (trust anchors and caches, x509.h), to
 * pass to the x509_* functions; NULL when there is none (they accept it). */
struct x509_ctx *dis_x509(const struct dis_ctx *c);
uint16_t dis_server_port(const struct dis_ctx *c);
uint16_t dis_client_port(const struct dis_ctx *c);
bool dis_is_udp(const struct dis_ctx *c);
/* Switch the rest of the stream to another dissector (see dissector.h).
 * Returns 0, or -1 if no dissector has that name. */
int dis_handoff(struct dis_ctx *c, const char *name);

#endif
