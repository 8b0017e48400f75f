/* SPDX-License-Identifier: BSD-3-Clause */
/* tls.c — TLS over TCP: the cleartext part of the handshake (RFC 8446 §4,
 * §5.1; RFC 5246 §6.2, §7.4; RFC 6101 (SSLv3) §5.6; SSLv2-compatible
 * ClientHello: RFC 6101 App. E, RFC 5246 App. E.2), after STARTTLS too.
 *
 *   record:    type(1) version(2) length(2) fragment[length]     RFC 8446 §5.1
 *   handshake: msg_type(1) length(3) body[length]                RFC 8446 §4
 *              (a message may span records; a record may hold several)
 *   SSLv2:     [1|len:15] msg_type(1) ...                        RFC 6101 App. E
 *
 * Facts: ClientHello (versions, suites, compression, extensions in wire
 * order, SNI, ALPN, groups, signature algorithms, key shares, status_request,
 * ECH, resumption attempts, renegotiation_info, EMS, EtM, GREASE apart),
 * ServerHello / HelloRetryRequest, and for TLS <= 1.2 the certificate chains
 * (through src/x509.h), ServerKeyExchange, CertificateRequest, client
 * Certificate, CertificateStatus, alerts and completion. TLS 1.3 completion
 * is inferred from encrypted records (RFC 8446 §2: after the server's first
 * flight everything is encrypted); what is encrypted is reported as
 * "not_observable". JA3/JA3S/JA4 via src/fingerprint.h. Export fields:
 * docs/EXPORT.md ("tls"), docs/TLS.md.
 *
 * The framework reassembles TCP; handshake messages spanning records are
 * this dissector's own message layer: a per-direction buffer holding at most
 * one partial message (TLS_MSG_MAX).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"
#include "json.h"
#include "x509.h"
#include "tls_tables.h"
#include "fingerprint.h"
#include "tls_hs.h"
#include "tls_facts.h"
#include "keylog.h"

#define TLS_RECORD_MAX (16384 + 2048) /* TLSCiphertext limit, RFC 5246 §6.2.3 */
#define TLS_MSG_MAX (64 * 1024)       /* one handshake message (our cap) */
#define TLS_HSBUF_MAX (4 + TLS_MSG_MAX + TLS_RECORD_MAX)
#define TLS_MAX_CIPHERS TF_MAX_CIPHERS
#define TLS_MAX_EXTS TF_MAX_EXTS
#define TLS_MAX_LIST TF_MAX_LIST              /* groups, sigalgs, key shares */
#define TLS_MAX_VERSIONS TF_MAX_VERSIONS
#define TLS_MAX_COMP TF_MAX_COMP
#define TLS_MAX_PF TF_MAX_PF
#define TLS_MAX_ALPN TF_MAX_ALPN
#define TLS_ALPN_LEN TF_ALPN_LEN
#define TLS_MAX_CHAIN 10
#define TLS_MAX_SSLV2_SPECS TF_MAX_SSLV2_SPECS
#define TLS_MAX_GREASE 16

enum {
	TLS_ANOM_NOT_TLS = 1,
	TLS_ANOM_RECORD_TOO_LONG,
	TLS_ANOM_BAD_RECORD_TYPE,
	TLS_ANOM_BAD_HANDSHAKE_LENGTH,
	TLS_ANOM_MESSAGE_TOO_LONG,
	TLS_ANOM_TRUNCATED_EXTENSION,
	TLS_ANOM_TOO_MANY_EXTENSIONS,
	TLS_ANOM_TOO_MANY_CIPHERS,
	TLS_ANOM_BAD_EXTENSION,
	TLS_ANOM_BAD_CLIENT_HELLO,
	TLS_ANOM_BAD_SERVER_HELLO,
	TLS_ANOM_BAD_CERTIFICATE_MSG,
	TLS_ANOM_TOO_MANY_CERTS,
	TLS_ANOM_BAD_CERTIFICATE,
	TLS_ANOM_BAD_KEY_EXCHANGE,
	TLS_ANOM_BAD_ALERT,
	TLS_ANOM_BAD_SSLV2,
	TLS_ANOM_EMPTY_RECORD,
	TLS_ANOM_DUPLICATE_EXTENSION,
	TLS_ANOM_BAD_OCSP,
	TLS_ANOM_KEYLOG_MISSING,
	TLS_ANOM_KEYLOG_DECRYPT,
};

static const struct anomaly_def tls_anomalies[] = {
	{ TLS_ANOM_NOT_TLS, "not_tls" },
	{ TLS_ANOM_RECORD_TOO_LONG, "record_too_long" },
	{ TLS_ANOM_BAD_RECORD_TYPE, "bad_record_type" },
	{ TLS_ANOM_BAD_HANDSHAKE_LENGTH, "bad_handshake_length" },
	{ TLS_ANOM_MESSAGE_TOO_LONG, "message_too_long" },
	{ TLS_ANOM_TRUNCATED_EXTENSION, "truncated_extension" },
	{ TLS_ANOM_TOO_MANY_EXTENSIONS, "too_many_extensions" },
	{ TLS_ANOM_TOO_MANY_CIPHERS, "too_many_ciphers" },
	{ TLS_ANOM_BAD_EXTENSION, "bad_extension" },
	{ TLS_ANOM_BAD_CLIENT_HELLO, "bad_client_hello" },
	{ TLS_ANOM_BAD_SERVER_HELLO, "bad_server_hello" },
	{ TLS_ANOM_BAD_CERTIFICATE_MSG, "bad_certificate_msg" },
	{ TLS_ANOM_TOO_MANY_CERTS, "too_many_certs" },
	{ TLS_ANOM_BAD_CERTIFICATE, "bad_certificate" },
	{ TLS_ANOM_BAD_KEY_EXCHANGE, "bad_key_exchange" },
	{ TLS_ANOM_BAD_ALERT, "bad_alert" },
	{ TLS_ANOM_BAD_SSLV2, "bad_sslv2" },
	{ TLS_ANOM_EMPTY_RECORD, "empty_record" },
	{ TLS_ANOM_DUPLICATE_EXTENSION, "duplicate_extension" },
	{ TLS_ANOM_BAD_OCSP, "bad_ocsp_response" },
	{ TLS_ANOM_KEYLOG_MISSING, "keylog_no_secrets" },
	{ TLS_ANOM_KEYLOG_DECRYPT, "keylog_decrypt_failed" },
	{ 0, NULL },
};

/* RFC 8446 §4.1.3: ServerHello.random of a HelloRetryRequest. */
static const uint8_t tls_hrr_random[32] = {
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

struct tls_hello {
	bool seen;
	bool sslv2;                     /* SSLv2-compatible CLIENT-HELLO */
	bool lists_capped;              /* a list hit our cap: fingerprints unreliable */
	uint16_t legacy_version;
	uint8_t random[32];             /* for the key log (keylog.h) */
	uint16_t ciphers[TLS_MAX_CIPHERS];
	uint16_t n_ciphers;
	uint32_t sslv2_specs[TLS_MAX_SSLV2_SPECS];
	uint16_t n_sslv2_specs;
	uint8_t comp[TLS_MAX_COMP];
	uint8_t n_comp;
	uint16_t exts[TLS_MAX_EXTS];
	uint16_t n_exts;
	uint16_t groups[TLS_MAX_LIST];
	uint16_t n_groups;
	uint8_t pf[TLS_MAX_PF];
	uint8_t n_pf;
	uint16_t sigalgs[TLS_MAX_LIST];
	uint16_t n_sigalgs;
	uint16_t versions[TLS_MAX_VERSIONS];
	uint16_t n_versions;
	bool has_versions;
	uint16_t ks[TLS_MAX_LIST];
	uint16_t n_ks;
	bool has_ks;
	char sni[256];
	uint16_t sni_len;
	bool has_sni_ext, has_sni;
	uint8_t alpn[TLS_MAX_ALPN][TLS_ALPN_LEN];
	uint8_t alpn_len[TLS_MAX_ALPN];
	uint8_t alpn0_full[255];        /* first protocol, uncut, for JA4 */
	uint8_t alpn0_full_len;
	uint8_t n_alpn;
	bool has_alpn_ext;
	uint8_t session_id_len;
	bool status_request, ech, ems, etm, reneg_ext, reneg_scsv, fallback_scsv;
	bool ticket_ext, ticket_nonempty, psk, early_data, post_handshake_auth;
	int ech_type;                   /* -1, 0 outer, 1 inner */
};

struct tls_server {
	bool seen;
	bool sslv2;
	uint16_t legacy_version, version, cipher;
	uint32_t sslv2_cipher;
	uint8_t comp;
	uint16_t exts[TLS_MAX_EXTS];
	uint16_t n_exts;
	uint8_t session_id[32];
	uint8_t sid_len;
	bool has_version_ext, has_ks, psk, has_alpn, ems, etm, reneg, status_request, ticket_ext;
	bool ech;
	uint16_t ks_group;
	char alpn[TLS_ALPN_LEN];
	uint8_t alpn_len;
	char downgrade[8];              /* "", "tls12", "tls11" (RFC 8446 §4.1.3) */
};

struct tls_dir {
	uint8_t *hs;                    /* partial handshake message */
	size_t hs_len, hs_cap;
	size_t skip;                    /* body bytes of an unparsed record left */
	unsigned records;
	bool ccs;                       /* sent ChangeCipherSpec */
	bool fin;                       /* a handshake record after its CCS (Finished) */
	unsigned app;                   /* application_data records */
	unsigned app_after_sh;          /* TLS 1.3: type-23 records after ServerHello */
	uint32_t first_enc_len;         /* TLS 1.3: length of the first such record */
	bool enc_alert;                 /* alert record after CCS (encrypted) */
	bool sslv2;
};

struct tls_state {
	struct tls_hello ch;
	uint8_t client_sid[32];
	unsigned n_client_hellos;
	uint16_t retry_ks[TLS_MAX_LIST]; /* key shares of the ClientHello after HRR */
	uint16_t n_retry_ks;
	struct tls_server sh;
	bool hrr;
	uint16_t hrr_group;
	struct tls_dir d[2];
	/* TLS <= 1.2 cleartext messages */
	int chain_n, cchain_n;
	bool server_cert_msg, cert_request, client_cert_msg, client_cert_empty;
	struct x509_verdict verdict, cverdict;
	bool has_verdict, has_cverdict;
	bool ske;
	bool has_kx_group;
	uint16_t kx_group;
	unsigned dh_bits, rsa_export_bits;
	bool ocsp_stapled;
	char ocsp_status[24];
	int64_t ocsp_produced_at;
	bool server_after_client_enc;   /* TLS 1.3: server record after client's first */
	/* alerts */
	bool alert_seen;
	uint8_t alert_level, alert_desc, alert_from;
	bool client_cert_alert;         /* client sent a fatal certificate alert */
	bool failed, malformed, done;
	bool server_not_tls;            /* the server answered the ClientHello in clear text */
	/* tls_hs.h (QUIC): JA4 transport (0 = 't') and completion seen by the carrier */
	char transport;
	bool carrier_established;
	/* TLS 1.3 handshake records opened with a key log (keylog.h) */
	int kl;                         /* 0 not tried, 1 keys ready, -1 none/failed */
	struct tls13_keys *hk[2];       /* per direction until its Finished */
	bool dec_mode;                  /* handshake data being fed is decrypted */
	bool dec_fin[2];                /* that direction's Finished was decrypted */
	bool dec_failed;
};

static bool tls_tls13(const struct tls_state *st)
{
	return st->sh.seen && st->sh.version == 0x0304;
}

/* Alerts a client sends when it does not accept the server's certificate
 * (RFC 8446 §6.2). */
static bool tls_alert_is_cert(uint8_t d)
{
	return d == 42 || d == 43 || d == 44 || d == 45 || d == 46 || d == 48 || d == 113 || d == 114;
}

/* ------------------------------------------------------------------ probe */

static enum probe_res tls_probe_sslv2(enum dir dir, const uint8_t *p, size_t len)
{
	size_t rlen;
	if (len < 3)
		return PROBE_NEED_MORE;
	rlen = ((size_t)(p[0] & 0x7f) << 8) | p[1];
	if (dir == DIR_C2S) {
		/* CLIENT-HELLO: type 1, version, 3 lengths (RFC 6101 App. E.1) */
		uint16_t v, cs, sid, ch;
		if (p[2] != 1 || rlen < 9)
			return PROBE_NOMATCH;
		if (len < 11)
			return PROBE_NEED_MORE;
		v = (uint16_t)(p[3] << 8 | p[4]);
		cs = (uint16_t)(p[5] << 8 | p[6]);
		sid = (uint16_t)(p[7] << 8 | p[8]);
		ch = (uint16_t)(p[9] << 8 | p[10]);
		if (v != 0x0002 && (v < 0x0300 || v > 0x0303))
			return PROBE_NOMATCH;
		if (cs == 0 || cs % 3 != 0 || (sid != 0 && sid != 16) || ch < 16 || ch > 32 ||
		    (size_t)9 + cs + sid + ch != rlen)
			return PROBE_NOMATCH;
		return PROBE_MATCH;
	}
	/* SERVER-HELLO: type 4, hit, cert type, version 0x0002 */
	if (p[2] != 4 || rlen < 11)
		return PROBE_NOMATCH;
	if (len < 7)
		return PROBE_NEED_MORE;
	return (p[5] == 0x00 && p[6] == 0x02) ? PROBE_MATCH : PROBE_NOMATCH;
}

static enum probe_res tls_probe(enum dir dir, const uint8_t *p, size_t len)
{
	size_t rlen;
	if (len < 1)
		return PROBE_NEED_MORE;
	if (p[0] & 0x80)
		return tls_probe_sslv2(dir, p, len);
	if (p[0] != 22)
		return PROBE_NOMATCH;
	if (len >= 2 && p[1] != 3)
		return PROBE_NOMATCH;
	if (len >= 3 && p[2] > 4)
		return PROBE_NOMATCH;
	if (len < 6)
		return PROBE_NEED_MORE;
	rlen = (size_t)p[3] << 8 | p[4];
	if (rlen < 4)
		return PROBE_NOMATCH;
	/* handshake type: ClientHello from the client, ServerHello from the
	 * server (a capture that starts after the ClientHello) */
	if (p[5] != (dir == DIR_C2S ? 1 : 2))
		return PROBE_NOMATCH;
	/* A record or handshake length over our caps still matches (the
	 * header bytes are TLS's): tls_parse() records record_too_long or
	 * message_too_long instead of the flow passing silently. */
	if (rlen > TLS_RECORD_MAX)
		return PROBE_MATCH;
	if (len < 10)
		return PROBE_NEED_MORE;
	if (p[9] != 3)
		return PROBE_NOMATCH;
	return PROBE_MATCH;
}

/* ------------------------------------------------------------ ClientHello */

/* Parse the extensions of a ClientHello into h. Returns 0, or -1 after an
 * anomaly that stops the flow. */
static int tls_parse_ch_ext(struct dis_ctx *ctx, struct tls_hello *h, uint16_t type, struct cur *e)
{
	struct cur l, n;
	uint16_t v;
	uint8_t b;

	switch (type) {
	case 0x0000: /* server_name, RFC 6066 §3 */
		h->has_sni_ext = true;
		if (cur_left(e) == 0)
			break;
		if (cur_sub_len16(e, &l) != 0)
			goto bad;
		while (cur_left(&l) > 0) {
			if (cur_u8(&l, &b) != 0 || cur_sub_len16(&l, &n) != 0)
				goto bad;
			if (b == 0 && !h->has_sni) {
				size_t sl = cur_left(&n);
				if (sl > sizeof(h->sni))
					sl = sizeof(h->sni);
				memcpy(h->sni, n.p, sl);
				h->sni_len = (uint16_t)sl;
				h->has_sni = true;
			}
		}
		break;
	case 0x0005: /* status_request, RFC 6066 §8 */
		h->status_request = true;
		break;
	case 0x000a: /* supported_groups, RFC 8446 §4.2.7 */
		if (cur_sub_len16(e, &l) != 0 || cur_left(&l) % 2 != 0)
			goto bad;
		while (cur_be16(&l, &v) == 0)
			if (h->n_groups < TLS_MAX_LIST)
				h->groups[h->n_groups++] = v;
			else
				h->lists_capped = true;
		break;
	case 0x000b: /* ec_point_formats, RFC 8422 §5.1.2 */
		if (cur_sub_len8(e, &l) != 0)
			goto bad;
		while (cur_u8(&l, &b) == 0)
			if (h->n_pf < TLS_MAX_PF)
				h->pf[h->n_pf++] = b;
			else
				h->lists_capped = true;
		break;
	case 0x000d: /* signature_algorithms, RFC 8446 §4.2.3 */
		if (cur_sub_len16(e, &l) != 0 || cur_left(&l) % 2 != 0)
			goto bad;
		while (cur_be16(&l, &v) == 0)
			if (h->n_sigalgs < TLS_MAX_LIST)
				h->sigalgs[h->n_sigalgs++] = v;
			else
				h->lists_capped = true;
		break;
	case 0x0010: /* ALPN, RFC 7301 §3.1 */
		h->has_alpn_ext = true;
		if (cur_sub_len16(e, &l) != 0)
			goto bad;
		while (cur_left(&l) > 0) {
			size_t al;
			if (cur_sub_len8(&l, &n) != 0)
				goto bad;
			al = cur_left(&n);
			if (h->n_alpn == 0) {
				memcpy(h->alpn0_full, n.p, al);
				h->alpn0_full_len = (uint8_t)al;
			}
			if (h->n_alpn < TLS_MAX_ALPN) {
				if (al > TLS_ALPN_LEN)
					al = TLS_ALPN_LEN;
				memcpy(h->alpn[h->n_alpn], n.p, al);
				h->alpn_len[h->n_alpn] = (uint8_t)al;
				h->n_alpn++;
			}
		}
		break;
	case 0x0016:
		h->etm = true;
		break;
	case 0x0017:
		h->ems = true;
		break;
	case 0x0023: /* session_ticket, RFC 5077 §3.2 */
		h->ticket_ext = true;
		h->ticket_nonempty = cur_left(e) > 0;
		break;
	case 0x0029:
		h->psk = true;
		break;
	case 0x002a:
		h->early_data = true;
		break;
	case 0x002b: /* supported_versions, RFC 8446 §4.2.1 */
		h->has_versions = true;
		if (cur_sub_len8(e, &l) != 0 || cur_left(&l) % 2 != 0)
			goto bad;
		while (cur_be16(&l, &v) == 0)
			if (h->n_versions < TLS_MAX_VERSIONS)
				h->versions[h->n_versions++] = v;
			else
				h->lists_capped = true;
		break;
	case 0x0031:
		h->post_handshake_auth = true;
		break;
	case 0x0033: /* key_share, RFC 8446 §4.2.8 */
		h->has_ks = true;
		if (cur_sub_len16(e, &l) != 0)
			goto bad;
		while (cur_left(&l) > 0) {
			if (cur_be16(&l, &v) != 0 || cur_sub_len16(&l, &n) != 0)
				goto bad;
			if (h->n_ks < TLS_MAX_LIST)
				h->ks[h->n_ks++] = v;
			else
				h->lists_capped = true;
		}
		break;
	case 0xfe0d: /* encrypted_client_hello, RFC 9849 §5 */
		h->ech = true;
		if (cur_u8(e, &b) == 0)
			h->ech_type = b;
		break;
	case 0xff01: /* renegotiation_info, RFC 5746 §3.2 */
		h->reneg_ext = true;
		break;
	default:
		break;
	}
	return 0;
bad:
	obs_anomaly(ctx, TLS_ANOM_BAD_EXTENSION, "client extension 0x%04x", type);
	return 0; /* the list is unusable but the hello structure held */
}

/* ClientHello, RFC 8446 §4.1.2 / RFC 5246 §7.4.1.2. */
static int tls_parse_client_hello(struct dis_ctx *ctx, struct tls_state *st, struct tls_hello *h,
				  struct cur *c)
{
	struct cur sid, cs, comp, exts;
	uint16_t v;
	uint8_t b;
	bool cap_anom = false;

	memset(h, 0, sizeof(*h));
	h->ech_type = -1;
	if (cur_be16(c, &h->legacy_version) != 0 || cur_copy(c, h->random, 32) != 0 ||
	    cur_sub_len8(c, &sid) != 0 || cur_left(&sid) > 32 ||
	    cur_sub_len16(c, &cs) != 0 || cur_left(&cs) % 2 != 0 ||
	    cur_sub_len8(c, &comp) != 0) {
		obs_anomaly(ctx, TLS_ANOM_BAD_CLIENT_HELLO, "fixed part");
		return -1;
	}
	h->session_id_len = (uint8_t)cur_left(&sid);
	if (h == &st->ch)
		memcpy(st->client_sid, sid.p, cur_left(&sid));
	while (cur_be16(&cs, &v) == 0) {
		if (v == 0x00ff)
			h->reneg_scsv = true;
		if (v == 0x5600)
			h->fallback_scsv = true;
		if (h->n_ciphers < TLS_MAX_CIPHERS) {
			h->ciphers[h->n_ciphers++] = v;
		} else if (!cap_anom) {
			obs_anomaly(ctx, TLS_ANOM_TOO_MANY_CIPHERS, "more than %d", TLS_MAX_CIPHERS);
			h->lists_capped = cap_anom = true;
		}
	}
	while (cur_u8(&comp, &b) == 0)
		if (h->n_comp < TLS_MAX_COMP)
			h->comp[h->n_comp++] = b;
	h->seen = true;
	if (cur_left(c) == 0)
		return 0; /* no extensions (SSLv3, old TLS 1.0 clients) */
	if (cur_sub_len16(c, &exts) != 0) {
		obs_anomaly(ctx, TLS_ANOM_TRUNCATED_EXTENSION, "extensions block");
		return -1;
	}
	if (cur_left(c) != 0) {
		obs_anomaly(ctx, TLS_ANOM_BAD_HANDSHAKE_LENGTH, "%zu bytes after extensions", cur_left(c));
		return -1;
	}
	cap_anom = false;
	while (cur_left(&exts) > 0) {
		uint16_t t;
		struct cur e;
		if (cur_be16(&exts, &t) != 0 || cur_sub_len16(&exts, &e) != 0) {
			obs_anomaly(ctx, TLS_ANOM_TRUNCATED_EXTENSION, "client extension");
			return -1;
		}
		if (h->n_exts >= TLS_MAX_EXTS) {
			if (!cap_anom)
				obs_anomaly(ctx, TLS_ANOM_TOO_MANY_EXTENSIONS, "more than %d", TLS_MAX_EXTS);
			h->lists_capped = cap_anom = true;
			continue;
		}
		for (unsigned i = 0; i < h->n_exts; i++)
			if (h->exts[i] == t && !tls_is_grease(t)) {
				obs_anomaly(ctx, TLS_ANOM_DUPLICATE_EXTENSION, "0x%04x", t);
				break;
			}
		h->exts[h->n_exts++] = t;
		if (tls_parse_ch_ext(ctx, h, t, &e) != 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ ServerHello */

static int tls_parse_server_hello(struct dis_ctx *ctx, struct tls_state *st, struct cur *c)
{
	struct tls_server *s = &st->sh;
	const uint8_t *random;
	struct cur sid, exts;
	uint16_t legacy, cipher;
	uint8_t comp;
	bool hrr;

	if (cur_be16(c, &legacy) != 0 || cur_bytes(c, 32, &random) != 0 ||
	    cur_sub_len8(c, &sid) != 0 || cur_left(&sid) > 32 ||
	    cur_be16(c, &cipher) != 0 || cur_u8(c, &comp) != 0) {
		obs_anomaly(ctx, TLS_ANOM_BAD_SERVER_HELLO, "fixed part");
		return -1;
	}
	hrr = memcmp(random, tls_hrr_random, 32) == 0;
	if (hrr) {
		st->hrr = true;
		/* HelloRetryRequest: only the selected group matters to us; the
		 * real ServerHello follows the client's second hello. */
		if (cur_left(c) > 0 && cur_sub_len16(c, &exts) == 0) {
			while (cur_left(&exts) >= 4) {
				uint16_t t;
				struct cur e;
				if (cur_be16(&exts, &t) != 0 || cur_sub_len16(&exts, &e) != 0)
					break;
				if (t == 0x0033)
					(void)cur_be16(&e, &st->hrr_group);
			}
		}
		return 0;
	}
	memset(s, 0, sizeof(*s));
	s->seen = true;
	s->legacy_version = s->version = legacy;
	s->cipher = cipher;
	s->comp = comp;
	s->sid_len = (uint8_t)cur_left(&sid);
	memcpy(s->session_id, sid.p, cur_left(&sid));
	/* RFC 8446 §4.1.3 downgrade sentinel "DOWNGRD" + 01 / 00 */
	if (memcmp(random + 24, "DOWNGRD\x01", 8) == 0)
		snprintf(s->downgrade, sizeof(s->downgrade), "tls12");
	else if (memcmp(random + 24, "DOWNGRD\x00", 8) == 0)
		snprintf(s->downgrade, sizeof(s->downgrade), "tls11");
	if (cur_left(c) == 0)
		return 0;
	if (cur_sub_len16(c, &exts) != 0) {
		obs_anomaly(ctx, TLS_ANOM_TRUNCATED_EXTENSION, "server extensions block");
		return -1;
	}
	if (cur_left(c) != 0) {
		obs_anomaly(ctx, TLS_ANOM_BAD_HANDSHAKE_LENGTH, "%zu bytes after server extensions", cur_left(c));
		return -1;
	}
	while (cur_left(&exts) > 0) {
		uint16_t t, v;
		struct cur e, l, n;
		if (cur_be16(&exts, &t) != 0 || cur_sub_len16(&exts, &e) != 0) {
			obs_anomaly(ctx, TLS_ANOM_TRUNCATED_EXTENSION, "server extension");
			return -1;
		}
		if (s->n_exts >= TLS_MAX_EXTS) {
			obs_anomaly(ctx, TLS_ANOM_TOO_MANY_EXTENSIONS, "server, more than %d", TLS_MAX_EXTS);
			return -1;
		}
		s->exts[s->n_exts++] = t;
		switch (t) {
		case 0x002b:
			if (cur_be16(&e, &v) == 0) {
				s->version = v;
				s->has_version_ext = true;
			}
			break;
		case 0x0033:
			if (cur_be16(&e, &v) == 0) {
				s->ks_group = v;
				s->has_ks = true;
			}
			break;
		case 0x0029:
			s->psk = true;
			break;
		case 0x0010:
			if (cur_sub_len16(&e, &l) == 0 && cur_sub_len8(&l, &n) == 0) {
				size_t al = cur_left(&n) < TLS_ALPN_LEN ? cur_left(&n) : TLS_ALPN_LEN;
				memcpy(s->alpn, n.p, al);
				s->alpn_len = (uint8_t)al;
				s->has_alpn = true;
			} else {
				obs_anomaly(ctx, TLS_ANOM_BAD_EXTENSION, "server extension 0x0010");
			}
			break;
		case 0x0005: s->status_request = true; break;
		case 0x0016: s->etm = true; break;
		case 0x0017: s->ems = true; break;
		case 0x0023: s->ticket_ext = true; break;
		case 0xff01: s->reneg = true; break;
		case 0xfe0d: s->ech = true; break;
		default: break;
		}
	}
	return 0;
}

/* ---------------------------------------------- Certificate & friends */

static void tls_parse_cert_status(struct dis_ctx *ctx, struct tls_state *st, struct cur *c);

/* TLS <= 1.2 Certificate (RFC 5246 §7.4.2): certificate_list<0..2^24-1>
 * of ASN.1Cert<1..2^24-1>. TLS 1.3 (RFC 8446 §4.4.2), only when opened
 * with a key log: certificate_request_context<0..2^8-1> first, and each
 * CertificateEntry is cert_data<1..2^24-1> extensions<0..2^16-1>; the
 * leaf's status_request extension holds a CertificateStatus (RFC 8446
 * §4.4.2.1). side 0 = server, 1 = client. */
static int tls_parse_certificate(struct dis_ctx *ctx, struct tls_state *st, int side, struct cur *c)
{
	struct cur list, rctx;
	const uint8_t *ders[TLS_MAX_CHAIN];
	size_t lens[TLS_MAX_CHAIN];
	char shas[TLS_MAX_CHAIN][65];
	int n = 0;
	bool t13 = tls_tls13(st);

	if (t13 && !st->dec_mode) /* a cleartext TLS 1.3 Certificate cannot be: ignore */
		return 0;
	if (t13 && cur_sub_len8(c, &rctx) != 0) {
		obs_anomaly(ctx, TLS_ANOM_BAD_CERTIFICATE_MSG, "certificate_request_context length");
		return -1;
	}
	if (cur_sub_len24(c, &list) != 0 || cur_left(c) != 0) {
		obs_anomaly(ctx, TLS_ANOM_BAD_CERTIFICATE_MSG, "certificate_list length");
		return -1;
	}
	while (cur_left(&list) > 0) {
		struct cur one;
		char *sha;
		struct x509_cert_facts *facts;
		if (cur_sub_len24(&list, &one) != 0 || cur_left(&one) == 0) {
			obs_anomaly(ctx, TLS_ANOM_BAD_CERTIFICATE_MSG, "certificate %d length", n);
			return -1;
		}
		if (n >= TLS_MAX_CHAIN) {
			obs_anomaly(ctx, TLS_ANOM_TOO_MANY_CERTS, "more than %d", TLS_MAX_CHAIN);
			break;
		}
		if (t13) {
			struct cur exts;
			if (cur_sub_len16(&list, &exts) != 0) {
				obs_anomaly(ctx, TLS_ANOM_BAD_CERTIFICATE_MSG, "certificate %d extensions", n);
				return -1;
			}
			while (cur_left(&exts) > 0) {
				uint16_t et;
				struct cur ed;
				if (cur_be16(&exts, &et) != 0 || cur_sub_len16(&exts, &ed) != 0) {
					obs_anomaly(ctx, TLS_ANOM_TRUNCATED_EXTENSION, "certificate %d", n);
					break;
				}
				if (et == 0x0005 && side == 0 && n == 0) /* status_request: OCSP */
					tls_parse_cert_status(ctx, st, &ed);
			}
		}
		ders[n] = one.p;
		lens[n] = cur_left(&one);
		sha = shas[n];
		sha[0] = 0;
		bool parses;
		if (obs_cert_known(ctx, side, n, ders[n], lens[n], sha, &parses)) {
			/* held by a live flow: its SHA-256 and facts are known */
			if (!parses)
				obs_anomaly(ctx, TLS_ANOM_BAD_CERTIFICATE, "certificate %d does not parse", n);
			n++;
			continue;
		}
		facts = x509_cert_facts(dis_x509(ctx), ders[n], lens[n], sha);
		if (facts == NULL)
			obs_anomaly(ctx, TLS_ANOM_BAD_CERTIFICATE, "certificate %d does not parse", n);
		obs_cert(ctx, side, n, sha, ders[n], lens[n], facts);
		free(facts);
		n++;
	}
	if (side == 0) {
		st->server_cert_msg = true;
		st->chain_n = n;
		if (n > 0) {
			x509_validate_chain_sha(dis_x509(ctx), ders, lens, (const char (*)[65])shas, n,
						dis_ts(ctx), st->ch.has_sni ? st->ch.sni : NULL, false,
						&st->verdict);
			st->has_verdict = true;
		}
	} else {
		st->client_cert_msg = true;
		st->client_cert_empty = n == 0;
		st->cchain_n = n;
		if (n > 0) {
			x509_validate_chain_sha(dis_x509(ctx), ders, lens, (const char (*)[65])shas, n,
						dis_ts(ctx), NULL, true, &st->cverdict);
			st->has_cverdict = true;
		}
	}
	return 0;
}

/* ServerKeyExchange, RFC 5246 §7.4.3, RFC 8422 §5.4, RFC 4279 §2-4. The
 * layout depends on the negotiated suite's key exchange. */
static int tls_parse_ske(struct dis_ctx *ctx, struct tls_state *st, struct cur *c)
{
	const struct tls_cipher_info *ci = tls_cipher_lookup(st->sh.cipher);
	struct cur v;
	uint8_t ctype;
	uint16_t grp;

	st->ske = true;
	if (ci == NULL)
		return 0;
	if (strcmp(ci->auth, "PSK") == 0 && cur_sub_len16(c, &v) != 0) /* psk_identity_hint */
		goto bad;
	if (strcmp(ci->kx, "ECDHE") == 0 || strcmp(ci->kx, "ECDH") == 0) {
		if (cur_u8(c, &ctype) != 0)
			goto bad;
		if (ctype == 3) { /* named_curve */
			if (cur_be16(c, &grp) != 0)
				goto bad;
			st->kx_group = grp;
			st->has_kx_group = true;
		}
	} else if (strcmp(ci->kx, "DHE") == 0 || strcmp(ci->kx, "DH") == 0) {
		const uint8_t *q;
		size_t n, i;
		if (cur_sub_len16(c, &v) != 0)
			goto bad;
		q = v.p;
		n = cur_left(&v);
		for (i = 0; i < n && q[i] == 0; i++)
			;
		if (i < n) {
			unsigned top = q[i], bits = 0;
			while (top) {
				bits++;
				top >>= 1;
			}
			st->dh_bits = (unsigned)((n - i - 1) * 8) + bits;
		}
	} else if (ci->export_grade && strcmp(ci->kx, "RSA") == 0) {
		/* RSA_EXPORT: ServerRSAParams rsa_modulus<1..2^16-1> (RFC 2246 §7.4.3) */
		if (cur_sub_len16(c, &v) != 0)
			goto bad;
		size_t n = cur_left(&v), i;
		for (i = 0; i < n && v.p[i] == 0; i++)
			;
		if (i < n) {
			unsigned top = v.p[i], bits = 0;
			while (top) {
				bits++;
				top >>= 1;
			}
			st->rsa_export_bits = (unsigned)((n - i - 1) * 8) + bits;
		}
	}
	return 0;
bad:
	obs_anomaly(ctx, TLS_ANOM_BAD_KEY_EXCHANGE, "ServerKeyExchange for 0x%04x", st->sh.cipher);
	return 0;
}

/* CertificateStatus, RFC 6066 §8: status_type(1) = ocsp(1), OCSPResponse<1..2^24-1>. */
static void tls_parse_cert_status(struct dis_ctx *ctx, struct tls_state *st, struct cur *c)
{
	uint8_t t;
	struct cur r;
	if (cur_u8(c, &t) != 0 || t != 1 || cur_sub_len24(c, &r) != 0) {
		obs_anomaly(ctx, TLS_ANOM_BAD_OCSP, "CertificateStatus");
		return;
	}
	st->ocsp_stapled = true;
	if (x509_ocsp_status(dis_x509(ctx), r.p, cur_left(&r), st->ocsp_status,
			     sizeof(st->ocsp_status), &st->ocsp_produced_at) != 0)
		obs_anomaly(ctx, TLS_ANOM_BAD_OCSP, "OCSPResponse does not parse");
}

/* TLS 1.3 EncryptedExtensions (RFC 8446 §4.3.1), opened with a key log:
 * extensions<0..2^16-1>; the ALPN protocol the server selected (RFC 7301
 * §3.1) is the one fact taken from it. */
static void tls_parse_ee(struct dis_ctx *ctx, struct tls_state *st, struct cur *c)
{
	struct cur exts;
	if (cur_sub_len16(c, &exts) != 0) {
		obs_anomaly(ctx, TLS_ANOM_BAD_EXTENSION, "EncryptedExtensions length");
		return;
	}
	while (cur_left(&exts) > 0) {
		uint16_t et;
		struct cur e, l, n;
		if (cur_be16(&exts, &et) != 0 || cur_sub_len16(&exts, &e) != 0) {
			obs_anomaly(ctx, TLS_ANOM_TRUNCATED_EXTENSION, "EncryptedExtensions");
			return;
		}
		if (et != 0x0010)
			continue;
		if (cur_sub_len16(&e, &l) == 0 && cur_sub_len8(&l, &n) == 0) {
			size_t al = cur_left(&n) < TLS_ALPN_LEN ? cur_left(&n) : TLS_ALPN_LEN;
			memcpy(st->sh.alpn, n.p, al);
			st->sh.alpn_len = (uint8_t)al;
			st->sh.has_alpn = true;
		} else {
			obs_anomaly(ctx, TLS_ANOM_BAD_EXTENSION, "EncryptedExtensions 0x0010");
		}
	}
}

/* One complete handshake message in cleartext. */
static int tls_handshake_msg(struct dis_ctx *ctx, struct tls_state *st, enum dir dir, uint8_t type,
			     struct cur *body)
{
	if (st->dec_mode) {
		/* TLS 1.3 encrypted handshake (RFC 8446 §4.3-§4.4): EncryptedExtensions (8),
		 * CertificateRequest (13), Certificate (11), CertificateVerify (15),
		 * Finished (20), which ends this direction's handshake epoch */
		switch (type) {
		case 8:
			if (dir == DIR_S2C)
				tls_parse_ee(ctx, st, body);
			return 0;
		case 11:
			return tls_parse_certificate(ctx, st, dir == DIR_C2S ? 1 : 0, body);
		case 13:
			if (dir == DIR_S2C)
				st->cert_request = true;
			return 0;
		case 20:
			st->dec_fin[dir] = true;
			return 0;
		default:
			return 0;
		}
	}
	if (dir == DIR_C2S) {
		switch (type) {
		case 1:
			st->n_client_hellos++;
			if (!st->ch.seen)
				return tls_parse_client_hello(ctx, st, &st->ch, body);
			if (st->hrr) {
				/* the second ClientHello after a HelloRetryRequest */
				struct tls_hello *h2 = malloc(sizeof(*h2));
				int r;
				if (h2 == NULL)
					return 0;
				r = tls_parse_client_hello(ctx, st, h2, body);
				memcpy(st->retry_ks, h2->ks, sizeof(st->retry_ks));
				st->n_retry_ks = h2->n_ks;
				free(h2);
				return r;
			}
			return 0;
		case 11:
			return tls_parse_certificate(ctx, st, 1, body);
		default:
			return 0;
		}
	}
	switch (type) {
	case 2:
		return tls_parse_server_hello(ctx, st, body);
	case 11:
		return tls_parse_certificate(ctx, st, 0, body);
	case 12:
		return tls_parse_ske(ctx, st, body);
	case 13:
		st->cert_request = true;
		return 0;
	case 22:
		tls_parse_cert_status(ctx, st, body);
		return 0;
	default:
		return 0;
	}
}

/* Handshake-protocol bytes of one record: reassemble messages across
 * records (at most one partial message is kept). */
static int tls_handshake_data(struct dis_ctx *ctx, struct tls_state *st, enum dir dir,
			      const uint8_t *p, size_t n)
{
	struct tls_dir *d = &st->d[dir];
	struct cur c;
	size_t rem;

	if (d->hs_len > 0) {
		if (n > TLS_HSBUF_MAX - d->hs_len) {
			obs_anomaly(ctx, TLS_ANOM_MESSAGE_TOO_LONG, "handshake buffer");
			return -1;
		}
		if (d->hs_len + n > d->hs_cap) {
			size_t nc = d->hs_len + n;
			uint8_t *nb = realloc(d->hs, nc);
			if (nb == NULL)
				return -1;
			d->hs = nb;
			d->hs_cap = nc;
		}
		memcpy(d->hs + d->hs_len, p, n);
		d->hs_len += n;
		c = cur_make(d->hs, d->hs_len);
	} else {
		c = cur_make(p, n);
	}
	while (cur_left(&c) >= 4) {
		struct cur save = c, body;
		uint8_t t;
		uint32_t l;
		(void)cur_u8(&c, &t);
		(void)cur_be24(&c, &l);
		if (l > TLS_MSG_MAX) {
			obs_anomaly(ctx, TLS_ANOM_MESSAGE_TOO_LONG, "type %u length %u", t, l);
			return -1;
		}
		if (cur_sub(&c, l, &body) != 0) {
			c = save;
			break;
		}
		if (tls_handshake_msg(ctx, st, dir, t, &body) != 0)
			return -1;
	}
	rem = cur_left(&c);
	if (rem > 0) {
		if (d->hs_len > 0) {
			memmove(d->hs, c.p, rem);
		} else {
			if (rem > d->hs_cap) {
				uint8_t *nb = realloc(d->hs, rem);
				if (nb == NULL)
					return -1;
				d->hs = nb;
				d->hs_cap = rem;
			}
			memcpy(d->hs, c.p, rem);
		}
	}
	d->hs_len = rem;
	return 0;
}

static void tls_alert(struct dis_ctx *ctx, struct tls_state *st, enum dir dir, struct cur *c)
{
	uint8_t level, desc;
	while (cur_left(c) >= 2) {
		(void)cur_u8(c, &level);
		(void)cur_u8(c, &desc);
		/* keep the first alert, unless a fatal one follows a warning */
		if (!st->alert_seen || (st->alert_level != 2 && level == 2)) {
			st->alert_seen = true;
			st->alert_level = level;
			st->alert_desc = desc;
			st->alert_from = (uint8_t)dir;
		}
		if (level == 2)
			st->failed = true;
		if (dir == DIR_C2S && level == 2 && tls_alert_is_cert(desc))
			st->client_cert_alert = true;
	}
	if (cur_left(c) != 0)
		obs_anomaly(ctx, TLS_ANOM_BAD_ALERT, "odd alert length");
}

/* --------------------------------------------------------------- SSLv2 */

/* SSLv2 CLIENT-HELLO (RFC 6101 App. E.1) and SERVER-HELLO. body starts at
 * msg_type. Returns 0 or -1. */
static int tls_parse_sslv2(struct dis_ctx *ctx, struct tls_state *st, enum dir dir, struct cur *c)
{
	uint8_t type;
	uint16_t v, cs_len, sid_len, ch_len;

	if (cur_u8(c, &type) != 0)
		goto bad;
	if (dir == DIR_C2S && type == 1 && !st->ch.seen) {
		struct tls_hello *h = &st->ch;
		struct cur cs;
		if (cur_be16(c, &v) != 0 || cur_be16(c, &cs_len) != 0 || cur_be16(c, &sid_len) != 0 ||
		    cur_be16(c, &ch_len) != 0 || cs_len % 3 != 0 || cur_sub(c, cs_len, &cs) != 0 ||
		    cur_skip(c, sid_len) != 0 || cur_skip(c, ch_len) != 0)
			goto bad;
		memset(h, 0, sizeof(*h));
		h->ech_type = -1;
		h->seen = h->sslv2 = true;
		h->legacy_version = v;
		h->session_id_len = (uint8_t)(sid_len > 255 ? 255 : sid_len);
		while (cur_left(&cs) >= 3) {
			uint8_t a, b2, c3;
			uint32_t spec;
			(void)cur_u8(&cs, &a);
			(void)cur_u8(&cs, &b2);
			(void)cur_u8(&cs, &c3);
			spec = (uint32_t)a << 16 | (uint32_t)b2 << 8 | c3;
			if (h->n_sslv2_specs < TLS_MAX_SSLV2_SPECS)
				h->sslv2_specs[h->n_sslv2_specs++] = spec;
			/* V2CipherSpec {0x00, x, y} is TLS suite {x, y} (RFC 5246 E.2) */
			if (a == 0 && h->n_ciphers < TLS_MAX_CIPHERS) {
				h->ciphers[h->n_ciphers++] = (uint16_t)spec;
				if (spec == 0x00ff)
					h->reneg_scsv = true;
			}
		}
		return 0;
	}
	if (dir == DIR_S2C && type == 4) {
		/* SERVER-HELLO: session-id-hit, certificate-type, version,
		 * certificate-length, cipher-specs-length, connection-id-length */
		uint8_t hit, ctype;
		uint16_t cert_len;
		struct cur cert, cs;
		if (cur_u8(c, &hit) != 0 || cur_u8(c, &ctype) != 0 || cur_be16(c, &v) != 0 ||
		    cur_be16(c, &cert_len) != 0 || cur_be16(c, &cs_len) != 0 || cur_be16(c, &sid_len) != 0 ||
		    cur_sub(c, cert_len, &cert) != 0 || cur_sub(c, cs_len, &cs) != 0)
			goto bad;
		memset(&st->sh, 0, sizeof(st->sh));
		st->sh.seen = st->sh.sslv2 = true;
		st->sh.version = st->sh.legacy_version = v;
		if (cur_left(&cs) >= 3)
			st->sh.sslv2_cipher = (uint32_t)cs.p[0] << 16 | (uint32_t)cs.p[1] << 8 | cs.p[2];
		if (cert_len > 0 && ctype == 1) { /* SSL_CT_X509_CERTIFICATE */
			const uint8_t *ders[1] = { cert.p };
			size_t lens[1] = { cur_left(&cert) };
			char sha[65] = "";
			struct x509_cert_facts *facts = x509_cert_facts(dis_x509(ctx), cert.p,
									cur_left(&cert), sha);
			obs_cert(ctx, 0, 0, sha, cert.p, cur_left(&cert), facts);
			free(facts);
			st->server_cert_msg = true;
			st->chain_n = 1;
			x509_validate_chain(dis_x509(ctx), ders, lens, 1, dis_ts(ctx), NULL, false,
					    &st->verdict);
			st->has_verdict = true;
		}
		st->done = true; /* the rest of SSLv2 is encrypted */
		return 0;
	}
	return 0;
bad:
	obs_anomaly(ctx, TLS_ANOM_BAD_SSLV2, "SSLv2 message type %u", type);
	return -1;
}

/* ------------------------------------------------------------- records */

static bool tls_established(const struct tls_state *st)
{
	const struct tls_dir *c = &st->d[DIR_C2S], *s = &st->d[DIR_S2C];
	if (st->carrier_established)
		return true;
	if (st->sh.sslv2)
		return false;
	if (tls_tls13(st))
		/* the client's Finished is its first encrypted record; a second
		 * client record, or a server record after it (NewSessionTicket,
		 * data), means the handshake completed */
		return c->app_after_sh >= 2 || (c->app_after_sh >= 1 && st->server_after_client_enc);
	return (c->ccs && c->fin && s->ccs && s->fin) || (c->app > 0 && s->app > 0);
}

static void tls_check_done(struct tls_state *st)
{
	if (st->failed || st->malformed)
		st->done = true;
	else if (tls_established(st) && (tls_tls13(st) || st->d[DIR_C2S].app > 0))
		st->done = true;
}

/* The negotiated suite encrypts nothing (TLS_*_WITH_NULL_*): records after
 * CCS are plaintext + MAC. */
static bool tls_null_cipher(const struct tls_state *st)
{
	const struct tls_cipher_info *ci = tls_cipher_lookup(st->sh.cipher);
	return st->sh.seen && !st->sh.sslv2 && ci != NULL && strcmp(ci->enc, "NULL") == 0;
}

/* One complete record of a type we read (handshake, alert, CCS). */
static int tls_record(struct dis_ctx *ctx, struct tls_state *st, enum dir dir, uint8_t type,
		      const uint8_t *frag, size_t flen)
{
	struct tls_dir *d = &st->d[dir];
	struct cur c = cur_make(frag, flen);
	/* TLS <= 1.2: after a side's ChangeCipherSpec its records are
	 * encrypted. A TLS 1.3 CCS (middlebox compatibility, RFC 8446 D.4,
	 * also sent right after a HelloRetryRequest) changes nothing: 1.3
	 * encrypted records are always of outer type 23. */
	bool encrypted = d->ccs && st->sh.seen && !tls_tls13(st);

	switch (type) {
	case 20: /* change_cipher_spec */
		d->ccs = true;
		return 0;
	case 21:
		if (encrypted && !tls_null_cipher(st)) {
			d->enc_alert = true;
			return 0;
		}
		if (encrypted) {
			/* NULL encryption: the alert is in clear, followed by its MAC */
			struct cur a;
			if (cur_sub(&c, 2, &a) == 0)
				tls_alert(ctx, st, dir, &a);
			return 0;
		}
		tls_alert(ctx, st, dir, &c);
		return 0;
	case 22:
		if (encrypted) {
			d->fin = true; /* Finished (or renegotiation), encrypted */
			return 0;
		}
		if (flen == 0) {
			obs_anomaly(ctx, TLS_ANOM_EMPTY_RECORD, "handshake");
			return -1;
		}
		return tls_handshake_data(ctx, st, dir, frag, flen);
	default:
		return 0;
	}
}

/* ---- TLS 1.3 handshake records opened with a key log (keylog.h) ----
 * Only the handshake epoch: the keys come from the handshake traffic
 * secrets (RFC 8446 §7.1, §7.3) and are dropped at that direction's
 * Finished; the application secrets are never read, so application data
 * cannot be opened. */

static void tls_kl_drop(struct tls_state *st, int dir)
{
	if (st->hk[dir]) {
		OPENSSL_cleanse(st->hk[dir], sizeof(*st->hk[dir]));
		free(st->hk[dir]);
		st->hk[dir] = NULL;
	}
}

/* Wants the record: a TLS 1.3 flow, a key log, and this direction still
 * in its handshake epoch. */
static bool tls_kl_wanted(const struct tls_state *st, enum dir dir)
{
	return st->dec_fin[dir] == false && st->kl >= 0 && !st->dec_failed && tls_tls13(st) &&
	       st->ch.seen && !st->ch.sslv2 && st->sh.seen && keylog_enabled();
}

static void tls_kl_fail(struct dis_ctx *ctx, struct tls_state *st, const char *why)
{
	obs_anomaly(ctx, st->kl > 0 ? TLS_ANOM_KEYLOG_DECRYPT : TLS_ANOM_KEYLOG_MISSING,
		    "keylog: handshake records did not decrypt (%s)", why);
	st->dec_failed = true;
	st->kl = -1;
	tls_kl_drop(st, 0);
	tls_kl_drop(st, 1);
}

/* The handshake traffic secrets of this flow's ClientHello (st->kl 0, a
 * TLS 1.3 suite we open): 1 with both copied (st->kl becomes 1; the caller
 * wipes them), 0 for a suite we do not open (CCM: as without a key log),
 * -1 when the key log has not both (anomaly keylog_no_secrets). Shared by
 * the record path below and QUIC's Handshake packets (tls_hs.h). */
static int tls_kl_secrets(struct dis_ctx *ctx, struct tls_state *st, uint8_t cs[KEYLOG_SECRET_MAX],
			  uint8_t ss[KEYLOG_SECRET_MAX], size_t *sl)
{
	if (!tls13_suite_known(st->sh.cipher)) {
		st->kl = -1;
		return 0;
	}
	if (!keylog_lookup(st->ch.random, cs, ss, sl)) {
		tls_kl_fail(ctx, st, "no handshake secrets for this ClientHello");
		return -1;
	}
	st->kl = 1;
	return 1;
}

/* One encrypted record (outer type 23) of direction dir. */
static void tls_kl_record(struct dis_ctx *ctx, struct tls_state *st, enum dir dir,
			  const uint8_t *rec, size_t rlen)
{
	uint8_t *pt;
	int n;

	if (st->kl == 0) {
		uint8_t cs[KEYLOG_SECRET_MAX], ss[KEYLOG_SECRET_MAX];
		size_t sl = 0;
		if (tls_kl_secrets(ctx, st, cs, ss, &sl) <= 0)
			return;
		st->hk[0] = calloc(1, sizeof(struct tls13_keys));
		st->hk[1] = calloc(1, sizeof(struct tls13_keys));
		if (st->hk[0] == NULL || st->hk[1] == NULL ||
		    tls13_keys_from_secret(st->sh.cipher, cs, sl, st->hk[DIR_C2S]) != 0 ||
		    tls13_keys_from_secret(st->sh.cipher, ss, sl, st->hk[DIR_S2C]) != 0) {
			OPENSSL_cleanse(cs, sizeof(cs));
			OPENSSL_cleanse(ss, sizeof(ss));
			tls_kl_fail(ctx, st, "secret does not fit the suite");
			return;
		}
		OPENSSL_cleanse(cs, sizeof(cs));
		OPENSSL_cleanse(ss, sizeof(ss));
	}
	if (st->hk[dir] == NULL)
		return;
	if ((pt = malloc(rlen > 16 ? rlen - 16 : 1)) == NULL)
		return;
	n = tls13_open(st->hk[dir], rec, rec + 5, rlen, pt, rlen > 16 ? rlen - 16 : 1);
	if (n < 0) {
		free(pt);
		tls_kl_fail(ctx, st, "record tag mismatch");
		return;
	}
	/* TLSInnerPlaintext (RFC 8446 §5.2): content, the real type, zeros */
	while (n > 0 && pt[n - 1] == 0)
		n--;
	if (n == 0) {
		free(pt);
		tls_kl_fail(ctx, st, "no content type");
		return;
	}
	uint8_t ctype = pt[n - 1];
	n--;
	if (ctype == 22 && n > 0) {
		st->dec_mode = true;
		if (tls_handshake_data(ctx, st, dir, pt, (size_t)n) != 0)
			st->dec_failed = true;
		st->dec_mode = false;
	} else if (ctype == 21) {
		struct cur a = cur_make(pt, (size_t)n);
		tls_alert(ctx, st, dir, &a);
	}
	OPENSSL_cleanse(pt, (size_t)n);
	free(pt);
	if (st->dec_fin[dir])
		tls_kl_drop(st, dir);
}

/* The server answered a ClientHello with something that is not a TLS
 * record. A line of printable text (an SMTP "220" banner on 465, an HTTP
 * error page, "-ERR" ...) means the listener speaks its protocol in clear:
 * the ClientHello failed and nothing was encrypted, so the flow's security
 * is what the wire shows, cleartext, with the server's first line under
 * cleartext.details.server_banner and handshake "server_not_tls" (no
 * anomaly: nothing is malformed). Not after STARTTLS: there the upgrade
 * was agreed in clear and a non-TLS answer stays an anomaly. Returns 1
 * when recorded, 0 when the line is not complete yet (at most
 * TLS_TEXT_LINE_MAX bytes are waited for), -1 when it is not text. */
#define TLS_TEXT_LINE_MAX 512
static int tls_server_text(struct dis_ctx *ctx, struct tls_state *st, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	const char *l;
	size_t n, i;
	int r;

	if (obs_get_security(ctx) != SEC_TLS)
		return -1;
	r = cur_line(&c, TLS_TEXT_LINE_MAX, &l, &n);
	if (r == CUR_TRUNC)
		return 0;
	if (r != 0 || n == 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((l[i] < 0x20 && l[i] != '\t') || (unsigned char)l[i] >= 0x7f)
			return -1;
	st->server_not_tls = true;
	st->done = true;
	obs_security(ctx, SEC_CLEARTEXT);
	obs_detail_str(ctx, "server_banner", l, n);
	return 1;
}

static struct dis_result tls_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				   const uint8_t *p, size_t len)
{
	struct tls_state *st = state;
	struct tls_dir *d = &st->d[dir];
	size_t off = 0;

	obs_protocol(ctx, "tls");
	obs_security(ctx, SEC_TLS);
	if (st->done)
		return dis_done(len);
	if (d->skip > 0) {
		size_t n = d->skip < len ? d->skip : len;
		d->skip -= n;
		off = n;
	}
	while (off < len && !st->done) {
		struct cur c = cur_make(p + off, len - off);
		uint8_t type;
		uint16_t ver, rlen;

		if (d->records == 0 && (p[off] & 0x80)) {
			/* SSLv2 record header: 2 bytes, length in the low 15 bits */
			uint16_t h;
			struct cur body;
			if (cur_be16(&c, &h) != 0)
				return dis_incomplete(off, 2);
			if (cur_sub(&c, h & 0x7fff, &body) != 0)
				return dis_incomplete(off, 2 + (size_t)(h & 0x7fff));
			d->records++;
			d->sslv2 = true;
			if (tls_parse_sslv2(ctx, st, dir, &body) != 0) {
				st->malformed = true;
				return dis_error(off);
			}
			off += 2 + (size_t)(h & 0x7fff);
			continue;
		}
		if (d->sslv2 && d->records > 0 && (p[off] & 0x80)) {
			/* further SSLv2 records (encrypted): skip */
			uint16_t h;
			if (cur_be16(&c, &h) != 0)
				return dis_incomplete(off, 2);
			d->records++;
			off += 2;
			d->skip = h & 0x7fff;
			size_t n = d->skip < len - off ? d->skip : len - off;
			d->skip -= n;
			off += n;
			continue;
		}
		if (cur_u8(&c, &type) != 0 || cur_be16(&c, &ver) != 0 || cur_be16(&c, &rlen) != 0)
			return dis_incomplete(off, 5);
		if (type < 20 || type > 24 || (ver >> 8) != 3) {
			if (dir == DIR_S2C && d->records == 0 && st->ch.seen) {
				int t = tls_server_text(ctx, st, p + off, len - off);
				if (t == 0)
					return dis_incomplete(off, len - off + 1);
				if (t > 0)
					return dis_done(len);
			}
			obs_anomaly(ctx, d->records == 0 ? TLS_ANOM_NOT_TLS : TLS_ANOM_BAD_RECORD_TYPE,
				    "type %u version 0x%04x", type, ver);
			st->malformed = true;
			return dis_error(off);
		}
		if (rlen > TLS_RECORD_MAX) {
			obs_anomaly(ctx, TLS_ANOM_RECORD_TOO_LONG, "%u bytes", rlen);
			st->malformed = true;
			return dis_error(off);
		}
		/* TLS 1.3 handshake epoch with a key log: the whole record
		 * (before it is counted: an incomplete one comes back) */
		if (type == 23 && tls_kl_wanted(st, dir) && cur_need(&c, rlen) != 0)
			return dis_incomplete(off, 5 + (size_t)rlen);
		d->records++;
		if (type == 23 && tls_kl_wanted(st, dir))
			tls_kl_record(ctx, st, dir, p + off, rlen);
		if (type == 23 || type == 24) {
			/* application data (or heartbeat): not read, only counted */
			d->app++;
			if (st->sh.seen && !st->sh.sslv2) {
				d->app_after_sh++;
				if (d->app_after_sh == 1)
					d->first_enc_len = rlen;
				if (dir == DIR_S2C && st->d[DIR_C2S].app_after_sh > 0)
					st->server_after_client_enc = true;
			}
			off += 5;
			d->skip = rlen;
			size_t n = d->skip < len - off ? d->skip : len - off;
			d->skip -= n;
			off += n;
			tls_check_done(st);
			continue;
		}
		if (cur_need(&c, rlen) != 0)
			return dis_incomplete(off, 5 + (size_t)rlen);
		if (tls_record(ctx, st, dir, type, c.p, rlen) != 0) {
			st->malformed = true;
			return dis_error(off);
		}
		off += 5 + (size_t)rlen;
		tls_check_done(st);
	}
	return st->done ? dis_done(off) : dis_ok(off);
}

/* ------------------------------------------------------------- facts */

/* The typed facts (tls_facts.h) of what was seen: the store writes them,
 * the export names them (src/store/tls_json.c). */
static void tls_fill_cprof(struct tls_cprof *p, const struct tls_state *st)
{
	const struct tls_hello *h = &st->ch;
	p->sslv2 = h->sslv2;
	p->lists_capped = h->lists_capped;
	p->transport = st->transport ? st->transport : 't';
	p->legacy_version = h->legacy_version;
	p->has_versions = h->has_versions;
	p->n_versions = h->n_versions;
	memcpy(p->versions, h->versions, sizeof(h->versions[0]) * h->n_versions);
	p->n_ciphers = h->n_ciphers;
	memcpy(p->ciphers, h->ciphers, sizeof(h->ciphers[0]) * h->n_ciphers);
	p->n_sslv2_specs = h->n_sslv2_specs;
	memcpy(p->sslv2_specs, h->sslv2_specs, sizeof(h->sslv2_specs[0]) * h->n_sslv2_specs);
	p->n_comp = h->n_comp;
	memcpy(p->comp, h->comp, h->n_comp);
	p->n_exts = h->n_exts;
	memcpy(p->exts, h->exts, sizeof(h->exts[0]) * h->n_exts);
	p->n_groups = h->n_groups;
	memcpy(p->groups, h->groups, sizeof(h->groups[0]) * h->n_groups);
	p->n_ks = h->n_ks;
	memcpy(p->ks, h->ks, sizeof(h->ks[0]) * h->n_ks);
	p->n_sigalgs = h->n_sigalgs;
	memcpy(p->sigalgs, h->sigalgs, sizeof(h->sigalgs[0]) * h->n_sigalgs);
	p->n_pf = h->n_pf;
	memcpy(p->pf, h->pf, h->n_pf);
	p->has_alpn = h->has_alpn_ext;
	p->n_alpn = h->n_alpn;
	memcpy(p->alpn_len, h->alpn_len, sizeof(h->alpn_len));
	memcpy(p->alpn, h->alpn, sizeof(h->alpn));
	p->alpn0_full_len = h->alpn0_full_len;
	memcpy(p->alpn0_full, h->alpn0_full, h->alpn0_full_len);
	p->has_sni_ext = h->has_sni_ext;
	p->ech = h->ech;
	p->ech_type = (int8_t)(h->ech_type < 0 ? -1 : h->ech_type > 1 ? 2 : h->ech_type);
	p->status_request = h->status_request;
	p->ticket_ext = h->ticket_ext;
	p->psk = h->psk;
	p->early_data = h->early_data;
	p->reneg = h->reneg_ext || h->reneg_scsv;
	p->fallback_scsv = h->fallback_scsv;
	p->ems = h->ems;
	p->etm = h->etm;
}

static void tls_fill_sprof(struct tls_sprof *p, const struct tls_server *s)
{
	p->sslv2 = s->sslv2;
	p->version = s->version;
	p->legacy_version = s->legacy_version;
	p->cipher = s->sslv2 ? s->sslv2_cipher : s->cipher;
	p->comp = s->comp;
	p->n_exts = s->n_exts;
	memcpy(p->exts, s->exts, sizeof(s->exts[0]) * s->n_exts);
	p->ems = s->ems;
	p->etm = s->etm;
	p->reneg = s->reneg;
	p->status_request = s->status_request;
}

static void tls_fill_verdict(struct tls_verdict *o, const struct x509_verdict *v, bool has)
{
	o->has = has;
	if (!has)
		return;
	o->trusted = (int8_t)(v->trusted < 0 ? -1 : v->trusted != 0);
	o->hostname_match = (int8_t)(v->hostname_match < 0 ? -1 : v->hostname_match != 0);
	o->leaf_self_signed = v->leaf_self_signed;
	o->trusted_by_extra = v->trusted_by_extra;
	snprintf(o->error, sizeof(o->error), "%s", v->error);
}

static void tls_emit(struct dis_ctx *ctx, struct tls_state *st, const struct tls_carrier *carrier)
{
	struct tls_facts *t = obs_tls_begin(ctx);
	struct tls_server *s = &st->sh;
	struct tls_flowfacts *f;
	bool t13 = tls_tls13(st);
	bool est = tls_established(st);

	if (t == NULL)
		return; /* out of memory: the flow goes without TLS facts */
	f = &t->f;
	t->has_sprof = s->seen;
	if (s->seen)
		tls_fill_sprof(&t->s, s);
	t->has_cprof = st->ch.seen;
	if (st->ch.seen)
		tls_fill_cprof(&t->c, st);
	f->hrr = st->hrr;
	f->hrr_group = st->hrr_group;
	f->n_retry_ks = st->n_retry_ks;
	memcpy(f->retry_ks, st->retry_ks, sizeof(st->retry_ks[0]) * st->n_retry_ks);
	f->kx_group = s->has_ks ? s->ks_group : st->has_kx_group ? st->kx_group : -1;
	f->dh_bits = st->dh_bits;
	f->rsa_export_bits = st->rsa_export_bits;
	f->has_alpn_selected = s->has_alpn;
	f->alpn_selected_len = s->alpn_len;
	memcpy(f->alpn_selected, s->alpn, s->alpn_len);
	memcpy(f->downgrade, s->downgrade, sizeof(f->downgrade));
	f->has_sni = st->ch.has_sni;
	f->sni_len = st->ch.sni_len;
	memcpy(f->sni, st->ch.sni, st->ch.sni_len);
	f->session_id_len = st->ch.session_id_len;
	f->resumption_offered = st->ch.ticket_nonempty || st->ch.psk ||
				(st->ch.session_id_len > 0 && !st->ch.has_versions);
	f->resumption = NULL;
	if (s->seen && !s->sslv2) {
		if (t13) {
			if (s->psk)
				f->resumption = "psk";
		} else {
			bool echo = s->sid_len > 0 && s->sid_len == st->ch.session_id_len &&
				    memcmp(s->session_id, st->client_sid, s->sid_len) == 0;
			/* abbreviated handshake: the server's CCS comes with
			 * no Certificate before it (RFC 5246 §7.3 fig. 2) */
			bool abbrev = !st->server_cert_msg && !st->ske && st->d[DIR_S2C].ccs;
			if (st->ch.ticket_nonempty && (echo || abbrev) && !st->server_cert_msg)
				f->resumption = "ticket"; /* RFC 5077 §3.4: session id echoed too */
			else if (echo)
				f->resumption = "session_id";
		}
	}
	f->ocsp_stapled = st->ocsp_stapled;
	memcpy(f->ocsp_status, st->ocsp_status, sizeof(f->ocsp_status));
	f->ocsp_produced_at = st->ocsp_produced_at;
	f->chain_len = st->chain_n;
	f->client_chain_len = st->cchain_n;
	tls_fill_verdict(&f->verdict, &st->verdict, st->has_verdict);
	tls_fill_verdict(&f->client_verdict, &st->cverdict, st->has_cverdict);
	f->cert_request = st->cert_request;
	f->client_cert_msg = st->client_cert_msg;
	f->client_cert_empty = st->client_cert_empty;
	/* the server's encrypted flight was read through its Finished */
	f->handshake_decrypted = t13 && st->dec_fin[DIR_S2C];
	/* TLS 1.3 size heuristic (docs/TLS.md): a client's first encrypted
	 * record of 200 bytes or more carries more than a Finished (at most
	 * 64 + 4 + 1 + 16 = 85 bytes with SHA-384): a Certificate. Labelled as
	 * inferred. */
	f->client_cert_inferred = (int8_t)(t13 && st->d[DIR_C2S].app_after_sh > 0 ?
					   st->d[DIR_C2S].first_enc_len >= 200 : -1);
	f->established = est;
	f->handshake = est ? "complete" : st->server_not_tls ? "server_not_tls" : st->failed ? "failed" :
		       st->malformed ? "malformed" : s->sslv2 ? "not_observable" : "incomplete";
	f->alert_seen = st->alert_seen;
	f->alert_level = st->alert_level;
	f->alert_desc = st->alert_desc;
	f->alert_from = st->alert_from == DIR_C2S ? 0 : 1;
	f->enc_alert_client = st->d[DIR_C2S].enc_alert;
	f->enc_alert_server = st->d[DIR_S2C].enc_alert;
	/* ASVS 12.3.2 evidence: "invalid" = the chain does not validate, or the
	 * leaf does not match the name the client asked for (SNI) */
	f->client_accepted_untrusted = -1;
	if (st->has_verdict && (st->verdict.trusted == 0 || st->verdict.hostname_match == 0)) {
		if (st->client_cert_alert)
			f->client_accepted_untrusted = 0;
		else if (est && st->d[DIR_C2S].app > 0)
			f->client_accepted_untrusted = 1;
	}
	f->client_rejected_cert = st->client_cert_alert;
	f->records_c2s = st->d[DIR_C2S].records;
	f->records_s2c = st->d[DIR_S2C].records;
	f->app_records_c2s = st->d[DIR_C2S].app;
	f->app_records_s2c = st->d[DIR_S2C].app;
	f->malformed = st->malformed;
	if (carrier)
		t->carrier = *carrier;
}

static void tls_flow_end(struct dis_ctx *ctx, void *state)
{
	struct tls_state *st = state;
	if (st->ch.seen || st->sh.seen || st->malformed)
		tls_emit(ctx, st, NULL);
}

static void tls_state_free(void *state)
{
	struct tls_state *st = state;
	tls_kl_drop(st, 0);
	tls_kl_drop(st, 1);
	free(st->d[0].hs);
	free(st->d[1].hs);
	st->d[0].hs = st->d[1].hs = NULL;
}

/* ---- handshake-message level for other carriers (tls_hs.h), added for
 * QUIC (dissectors/quic.c): CRYPTO frames carry handshake messages without
 * the record layer (RFC 9001 §4). ---- */

struct tls_state *tls_hs_new(char transport)
{
	struct tls_state *st = calloc(1, sizeof(*st));
	if (st)
		st->transport = transport;
	return st;
}

void tls_hs_free(struct tls_state *st)
{
	if (st == NULL)
		return;
	tls_state_free(st);
	free(st);
}

int tls_hs_feed(struct dis_ctx *ctx, struct tls_state *st, enum dir dir, const uint8_t *p, size_t n)
{
	int r;
	if (st->malformed)
		return -1;
	obs_anomaly_scope(ctx, "tls", tls_anomalies);
	r = tls_handshake_data(ctx, st, dir, p, n);
	obs_anomaly_scope(ctx, NULL, NULL);
	if (r != 0)
		st->malformed = true;
	return r;
}

struct dis_result tls_hs_feed_records(struct dis_ctx *ctx, struct tls_state *st, enum dir dir,
				      const uint8_t *p, size_t n)
{
	struct dis_result r;
	obs_anomaly_scope(ctx, "tls", tls_anomalies);
	r = tls_parse(ctx, st, dir, p, n);
	obs_anomaly_scope(ctx, NULL, NULL);
	return r;
}

int tls_hs_keylog_secrets(struct dis_ctx *ctx, struct tls_state *st, uint8_t cs[KEYLOG_SECRET_MAX],
			  uint8_t ss[KEYLOG_SECRET_MAX], size_t *len, uint16_t *suite)
{
	int r;
	*len = 0;
	*suite = 0;
	if (st->kl != 0 || st->malformed || !tls_kl_wanted(st, DIR_S2C))
		return 0;
	obs_anomaly_scope(ctx, "tls", tls_anomalies);
	r = tls_kl_secrets(ctx, st, cs, ss, len);
	obs_anomaly_scope(ctx, NULL, NULL);
	if (r > 0)
		*suite = st->sh.cipher;
	return r;
}

void tls_hs_keylog_failed(struct dis_ctx *ctx, struct tls_state *st, const char *why)
{
	if (st->dec_failed)
		return;
	obs_anomaly_scope(ctx, "tls", tls_anomalies);
	tls_kl_fail(ctx, st, why);
	obs_anomaly_scope(ctx, NULL, NULL);
}

int tls_hs_feed_decrypted(struct dis_ctx *ctx, struct tls_state *st, enum dir dir, const uint8_t *p,
			  size_t n)
{
	int r;
	if (st->malformed || st->dec_failed || st->kl != 1 || st->dec_fin[dir])
		return -1;
	obs_anomaly_scope(ctx, "tls", tls_anomalies);
	st->dec_mode = true;
	r = tls_handshake_data(ctx, st, dir, p, n);
	st->dec_mode = false;
	obs_anomaly_scope(ctx, NULL, NULL);
	if (r != 0)
		st->dec_failed = true;
	return r;
}

bool tls_hs_finished(const struct tls_state *st, enum dir dir)
{
	return st->dec_fin[dir];
}

bool tls_hs_seen(const struct tls_state *st, enum dir dir)
{
	return dir == DIR_C2S ? st->ch.seen : st->sh.seen;
}

void tls_hs_established(struct tls_state *st)
{
	st->carrier_established = true;
}

void tls_hs_emit(struct dis_ctx *ctx, struct tls_state *st, const struct tls_carrier *carrier)
{
	if (!(st->ch.seen || st->sh.seen || st->malformed))
		return;
	tls_emit(ctx, st, carrier);
}

void tls_hs_emit_always(struct dis_ctx *ctx, struct tls_state *st, const struct tls_carrier *carrier)
{
	tls_emit(ctx, st, carrier);
}

static const uint16_t tls_ports[] = {
	443, 465, 563, 585, 614, 636, 853, 989, 990, 992, 993, 994, 995, 2083, 2087, 3269, 5061,
	5223, 5671, 6379, 6380, 6514, 6697, 8443, 8883, 9443, 0,
};

const struct dissector dissector_tls = {
	.name = "tls",
	.transport = DIS_TCP,
	.ports = tls_ports,
	.probe = tls_probe,
	.state_size = sizeof(struct tls_state),
	.state_free = tls_state_free,
	.parse = tls_parse,
	.flow_end = tls_flow_end,
	.anomalies = tls_anomalies,
};
