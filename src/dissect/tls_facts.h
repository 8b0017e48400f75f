/* SPDX-License-Identifier: BSD-3-Clause */
/* tls_facts.h — the typed facts of one TLS (or QUIC, or TDS-wrapped TLS)
 * handshake, as the TLS dissector states them and the store writes them
 * (docs/SCHEMA.md): no JSON on the capture path, no judgement.
 *
 * Three parts, because two of them repeat across connections:
 *  - struct tls_cprof, the ClientHello profile: what a client software and
 *    configuration sends every time (versions, suites, extensions, groups,
 *    key shares, signature algorithms, ALPN, ...). Stored once per distinct
 *    profile (table tls_client_profiles) and referenced by id.
 *  - struct tls_sprof, the server's choice profile (version, suite,
 *    extensions of the ServerHello). Stored once per distinct profile.
 *  - struct tls_flowfacts, what belongs to this connection only (SNI,
 *    resumption, certificates' verdicts, completion, alerts, counters).
 * The certificate chains are references to the certs table (chains,
 * chain_certs), interned by the store from the flow's obs_cert records.
 *
 * Lists keep the wire order and GREASE values (the export and the
 * fingerprints filter them); each list is capped by the dissector at the
 * sizes below (a capped list sets lists_capped and an anomaly).
 */
#ifndef WA_TLS_FACTS_H
#define WA_TLS_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TF_MAX_CIPHERS 512
#define TF_MAX_EXTS 128
#define TF_MAX_LIST 64               /* groups, sigalgs, key shares */
#define TF_MAX_VERSIONS 16
#define TF_MAX_COMP 16
#define TF_MAX_PF 16
#define TF_MAX_ALPN 8
#define TF_ALPN_LEN 64               /* each offered protocol name, cut */
#define TF_MAX_SSLV2_SPECS 64
#define TF_MAX_VN 16                 /* QUIC Version Negotiation versions */
#define TF_DIGEST_LEN 16             /* profile digests: SHA-256, first 16 bytes */

struct tls_cprof {
	bool sslv2;                     /* SSLv2-compatible CLIENT-HELLO */
	bool lists_capped;              /* a list hit its cap: no fingerprints */
	char transport;                 /* JA4 transport: 't' TCP, 'q' QUIC */
	uint16_t legacy_version;
	bool has_versions;              /* supported_versions present */
	uint16_t n_versions, versions[TF_MAX_VERSIONS];
	uint16_t n_ciphers, ciphers[TF_MAX_CIPHERS];
	uint16_t n_sslv2_specs;
	uint32_t sslv2_specs[TF_MAX_SSLV2_SPECS];
	uint8_t n_comp, comp[TF_MAX_COMP];
	uint16_t n_exts, exts[TF_MAX_EXTS];
	uint16_t n_groups, groups[TF_MAX_LIST];
	uint16_t n_ks, ks[TF_MAX_LIST];
	uint16_t n_sigalgs, sigalgs[TF_MAX_LIST];
	uint8_t n_pf, pf[TF_MAX_PF];
	bool has_alpn;                  /* the ALPN extension was sent */
	uint8_t n_alpn;
	uint8_t alpn_len[TF_MAX_ALPN];
	uint8_t alpn[TF_MAX_ALPN][TF_ALPN_LEN];
	uint8_t alpn0_full_len;         /* the first name uncut, for JA4 */
	uint8_t alpn0_full[255];
	bool has_sni_ext;               /* server_name sent (JA4 'd'/'i') */
	bool ech;
	int8_t ech_type;                /* -1 none, 0 outer, 1 inner, 2 other */
	bool status_request, ticket_ext, psk, early_data, reneg, fallback_scsv, ems, etm;
};

struct tls_sprof {
	bool sslv2;                     /* SSLv2 SERVER-HELLO */
	uint16_t version;               /* negotiated (supported_versions or legacy) */
	uint16_t legacy_version;
	uint32_t cipher;                /* suite; SSLv2: 24-bit CIPHER-KIND */
	uint8_t comp;
	uint16_t n_exts, exts[TF_MAX_EXTS];
	bool ems, etm, reneg, status_request;
};

/* x509 verdict as the flow carries it (docs/TLS.md); trusted/hostname_match
 * -1 when not evaluated. */
struct tls_verdict {
	bool has;
	int8_t trusted, hostname_match;
	bool leaf_self_signed, trusted_by_extra;
	char error[64];
};

struct tls_flowfacts {
	bool hrr;
	uint16_t hrr_group;
	uint16_t n_retry_ks, retry_ks[TF_MAX_LIST];
	int32_t kx_group;               /* -1: none */
	uint32_t dh_bits, rsa_export_bits;   /* 0: none */
	bool has_alpn_selected;
	uint8_t alpn_selected_len;
	char alpn_selected[TF_ALPN_LEN];
	char downgrade[8];              /* "", "tls12", "tls11" */
	bool has_sni;
	uint16_t sni_len;
	char sni[256];
	uint8_t session_id_len;
	bool resumption_offered;
	const char *resumption;         /* static: NULL, "psk", "ticket", "session_id" */
	bool ocsp_stapled;
	char ocsp_status[24];
	int64_t ocsp_produced_at;       /* microseconds; 0 none */
	int chain_len, client_chain_len;
	struct tls_verdict verdict, client_verdict;
	bool cert_request, client_cert_msg, client_cert_empty;
	bool handshake_decrypted;       /* TLS 1.3 handshake opened with a key log */
	int8_t client_cert_inferred;    /* -1 null, 0 likely_none, 1 likely_sent */
	bool established;
	const char *handshake;          /* static: complete, failed, ... */
	bool alert_seen;
	uint8_t alert_level, alert_desc, alert_from;  /* from: 0 client, 1 server */
	bool enc_alert_client, enc_alert_server;
	int8_t client_accepted_untrusted; /* -1 null */
	bool client_rejected_cert;
	uint32_t records_c2s, records_s2c, app_records_c2s, app_records_s2c;
	bool malformed;
};

/* The carrier of a handshake that did not come in TLS records over TCP. */
enum tls_carrier_kind { TLS_CARRIER_NONE = 0, TLS_CARRIER_QUIC, TLS_CARRIER_TDS };

struct tls_quic_facts {
	uint32_t version, server_version;     /* 0: none */
	uint8_t dcid_len, scid_len;
	bool initial_token, retry, vn;
	uint8_t n_vn;
	uint32_t vn_versions[TF_MAX_VN];
	uint32_t initial_packets[2], initial_decrypted[2], handshake_packets[2],
		 short_packets[2], crypto_bytes[2];    /* [0] c2s, [1] s2c */
	uint32_t coalesced;
	bool closed;
	uint8_t close_from;                   /* 0 client, 1 server */
	uint64_t close_error, close_frame;
};

struct tls_carrier {
	enum tls_carrier_kind kind;
	struct tls_quic_facts quic;
	uint32_t tds_packets[2];              /* PRELOGIN packets carrying TLS */
};

struct tls_facts {
	bool has_cprof, has_sprof;            /* ClientHello / ServerHello seen */
	struct tls_cprof c;
	struct tls_sprof s;
	struct tls_flowfacts f;
	struct tls_carrier carrier;
};

/* Digests that key the profile tables: SHA-256 (first TF_DIGEST_LEN bytes)
 * over every field of the profile, length-prefixed. A hostile client cannot
 * make two profiles share a row. Returns 0, -1 if libcrypto failed. */
int tls_cprof_digest(const struct tls_cprof *p, uint8_t out[TF_DIGEST_LEN]);
int tls_sprof_digest(const struct tls_sprof *p, uint8_t out[TF_DIGEST_LEN]);

/* Fingerprints of a profile (docs/FINGERPRINTS.md): JA3 and JA4 of a
 * ClientHello profile, JA3S of a server profile. The strings are malloc'd
 * (caller frees); each is NULL when the method does not apply (SSLv2, a
 * capped list) or allocation failed. */
struct tls_cprof_fp {
	char *ja3, *ja3_string, *ja4, *ja4_r;
};
void tls_cprof_fingerprints(const struct tls_cprof *p, struct tls_cprof_fp *out);
void tls_cprof_fp_free(struct tls_cprof_fp *fp);
/* JA3S md5 and string, or both NULL. */
void tls_sprof_ja3s(const struct tls_sprof *p, char **ja3s, char **ja3s_string);

/* Lists as the store keeps them: decimal numbers joined by ','. The text
 * form of n values is written into a malloc'd string (NULL on allocation
 * failure); parsing accepts at most max values and fails (-1) on anything
 * else than that form. */
char *tf_u16_join(const uint16_t *v, size_t n);
char *tf_u8_join(const uint8_t *v, size_t n);
char *tf_u32_join(const uint32_t *v, size_t n);
int tf_u16_split(const char *s, uint16_t *v, size_t max, uint16_t *n);
int tf_u8_split(const char *s, uint8_t *v, size_t max, uint8_t *n);
int tf_u32_split(const char *s, uint32_t *v, size_t max, uint16_t *n);

/* "SSLv2", "SSLv3", "TLSv1.0" ... "TLSv1.3", "TLSv1.3-draftN", "0x%04x". */
void tls_version_name(uint16_t v, char *buf, size_t n);
/* Alert description name (RFC 8446 §6), NULL if not in the registry. */
const char *tls_alert_name(uint8_t d);
/* SSLv2 CIPHER-KIND name (SSL_CK_*), NULL if unknown. */
const char *tls_sslv2_cipher_name(uint32_t v);

#endif
