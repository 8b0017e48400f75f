/* SPDX-License-Identifier: BSD-3-Clause */
/* tds.c — Microsoft SQL Server Tabular Data Stream up to the end of login
 * ([MS-TDS] v20240423: §2.2.3.1 packet header, §2.2.6.5 PRELOGIN and its
 * ENCRYPTION negotiation table, §2.2.6.4 LOGIN7, §2.2.7.14 LOGINACK,
 * §2.2.7.10 ERROR, §3.2.5.2/3.3.5.2 TLS inside PRELOGIN packets).
 *
 *   +------+--------+-----------+------+----------+--------+
 *   | Type | Status | Length BE | SPID | PacketID | Window |  then payload
 *   +------+--------+-----------+------+----------+--------+
 *   Type 0x12 PRELOGIN (also carries the TLS handshake), 0x10 LOGIN7,
 *   0x04 tabular result (server); Status bit 0x01 = end of message.
 *
 * PRELOGIN option table: (token, offset BE16, length BE16)... 0xFF, offsets
 * from the payload start. ENCRYPTION: 0 OFF, 1 ON, 2 NOT_SUP, 3 REQ. The
 * server's answer decides:
 *   server ON or REQ          full encryption: the TLS handshake follows
 *                             in PRELOGIN packets -> starttls
 *   server OFF (client OFF)   login-only encryption: only LOGIN7 travels in
 *                             TLS, the session is in clear -> cleartext,
 *                             encryption "login_only", tls_offered true
 *   server NOT_SUP            no encryption: LOGIN7 (obfuscated password,
 *                             trivially reversible) in clear -> cleartext;
 *                             if the client had asked (ON/REQ) and still
 *                             goes on -> tls_refused; if it closes -> unknown
 * Full encryption ([MS-TDS] §2.2.6.5: "this message stream is also used to
 * wrap the SSL handshake payload ... the packet data is simply the raw bytes
 * of the SSL handshake payload"; the "TLS/SSL Negotiation" states of
 * §3.2.5/§3.3.5): each side's TLS records travel as the payload of TDS
 * packets of type 0x12 until the handshake is over; after it, TLS records
 * flow raw, without TDS headers (a byte of 0x14..0x17 where a TDS header
 * was expected). A record may span PRELOGIN packets:
 * the payloads are gathered per direction (TDS_TLSBUF_MAX) and fed at the
 * record level to tls.c (tls_hs.h, tls_hs_feed_records), then the raw
 * records straight from the stream. The flow stays "tds" and gets the
 * `tls` object (with tls.tds: how many PRELOGIN packets carried TLS). TDS
 * 8.0 strict encryption starts with a TLS record (ALPN "tds/8.0"): that
 * flow is the tls dissector's.
 *
 * TDS 4.2 and 5.0 (Sybase ASE, SQL Server before 7.0): no PRELOGIN; the
 * client opens with a LOGIN message (packet type 0x02) holding a fixed
 * LOGIN record (Sybase "TDS 5.0 Functional Specification" 3.0, LOGIN;
 * FreeTDS doc "Login Packet"), its first 568 bytes gathered across packets
 * (TDS5_REC_LEN; a 512-byte packet size splits it):
 *
 *   off  size  field            off  size  field
 *     0   30   lhostname         140   30   lappname
 *    30    1   lhostnlen         170    1   lappnlen
 *    31   30   lusername         171   30   lservname
 *    61    1   lusernlen         201    1   lservnlen
 *    62   30   lpw (in clear)    202  255   lrempw  457 1 lrempwlen
 *    92    1   lpwnlen           458    4   ltds_version (5.0.0.0, 4.2.0.0)
 *    93   30   lhostproc         462   10   lprogname  472 1 lprognlen
 *   123    1   lhplen            480   30   llanguage  510 1 llanglen
 *   124    6   lint2 lint4 lchar lflt ldate lusedb      514 1 lseclogin
 *
 * A non-empty lpw is a password in clear (credentials "password"); an empty
 * one with lseclogin asking for password encryption (0x01, 0x20, 0x80) is
 * the negotiated encrypted login (credentials false). The user name and
 * the host, application, server, library and language names are kept, the
 * password never read. The answer is a TDS 5.0 token stream: LOGINACK
 * (status 5 succeeded, 6 failed, 7 negotiate), EED (0xE5) errors. There is
 * no in-band TLS before TDS 7 (Sybase SSL is TLS from the first byte: the
 * tls dissector's), so the flow is cleartext.
 *
 * LOGIN7 facts: user name (UTF-16LE, converted to UTF-8), that a password
 * was present (credentials "login7"; the password is never decoded), host,
 * application, server, client library and database names, integrated
 * security (SSPI). The server's LOGINACK (program version) or ERROR
 * (number, state, class; never the text) ends the flow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"
#include "json.h"
#include "tls_hs.h"
#include "tls_facts.h"

#define TDS_PKT_MAX 32768      /* packet size is negotiated up to 32767 */
#define TDS_OPTS_MAX 16
#define TDS_NAME_MAX 128       /* characters of a LOGIN7 name kept */
#define TDS_TOKENS_MAX 64
/* unwrapped TLS bytes kept per direction: one partial record (RFC 5246
 * §6.2.3: 2^14 + 2048) plus one PRELOGIN payload */
#define TDS_TLSBUF_MAX (16384 + 2048 + 5 + TDS_PKT_MAX)

#define TDS_PRELOGIN 0x12
#define TDS_LOGIN5 0x02        /* TDS 4.2/5.0 LOGIN */
#define TDS5_REC_LEN 568       /* LOGIN record through lpacketsize and ldummy */
#define TDS_LOGIN7 0x10
#define TDS_REPLY 0x04

enum { ENC_OFF = 0, ENC_ON = 1, ENC_NOT_SUP = 2, ENC_REQ = 3 };

enum {
	TDS_ANOM_BAD_HEADER = 1,
	TDS_ANOM_BAD_PRELOGIN,
	TDS_ANOM_BAD_LOGIN7,
	TDS_ANOM_UNEXPECTED,
	TDS_ANOM_BAD_ENCRYPTION,
	TDS_ANOM_BAD_TLS_CARRIER,
	TDS_ANOM_BAD_LOGIN_RECORD,
};

static const struct anomaly_def tds_anomalies[] = {
	{ TDS_ANOM_BAD_HEADER, "bad_packet_header" },
	{ TDS_ANOM_BAD_PRELOGIN, "bad_prelogin" },
	{ TDS_ANOM_BAD_LOGIN7, "bad_login7" },
	{ TDS_ANOM_UNEXPECTED, "unexpected_packet" },
	{ TDS_ANOM_BAD_ENCRYPTION, "bad_encryption_value" },
	{ TDS_ANOM_BAD_TLS_CARRIER, "bad_tls_carrier" },
	{ TDS_ANOM_BAD_LOGIN_RECORD, "bad_login_record" },
	{ 0, NULL },
};

enum tds_phase {
	TDS_P_PRELOGIN = 0,   /* waiting for the client's PRELOGIN */
	TDS_P_PRELOGIN_RESP,  /* waiting for the server's PRELOGIN response */
	TDS_P_LOGIN,          /* no encryption: waiting for LOGIN7 */
	TDS_P_LOGIN_RESP,     /* LOGIN7 seen: waiting for LOGINACK/ERROR */
	TDS_P_TLS,            /* full encryption: TLS in PRELOGIN packets, then raw */
	TDS_P_LOGIN5,         /* TDS 4.2/5.0: gathering the LOGIN record */
};

struct tds_state {
	enum tds_phase phase;
	int client_enc;       /* client ENCRYPTION (absent = OFF, §2.2.6.5) */
	bool client_asked;    /* client ON or REQ */
	/* TDS_P_TLS */
	struct tls_state *tls;
	uint8_t *tb[2];       /* unwrapped TLS bytes not yet consumed by tls.c */
	size_t tb_len[2];
	bool raw[2];          /* this direction now sends raw TLS records */
	unsigned wrapped[2];  /* PRELOGIN packets that carried TLS */
	/* TDS 4.2/5.0 */
	bool tds5;            /* the login was a pre-TDS 7 LOGIN record */
	uint16_t l5_len;
	uint8_t l5[TDS5_REC_LEN];
};

static const char *const tds_enc_names[] = { "off", "on", "not_supported", "required" };

/* TDS 4.2/5.0 LOGIN: the header, then the LOGIN record's first fixed
 * fields. Name lengths of at most 30 and the byte-order/format option
 * bytes (lint2 2|3, lint4 0|1, lchar 6|7, ldate 8|9) are the signature. */
static enum probe_res tds5_probe(const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	uint8_t type, status, l_host, l_user, l_pw, l_proc, i2, i4, ch, fl, dt;
	uint16_t plen;

	if (cur_u8(&c, &type) != 0 || cur_u8(&c, &status) != 0 || cur_be16(&c, &plen) != 0 ||
	    cur_skip(&c, 4) != 0)
		return PROBE_NEED_MORE;
	if ((status & ~0x01) != 0 || plen < 8 + 129)
		return PROBE_NOMATCH;
	if (cur_skip(&c, 30) != 0 || cur_u8(&c, &l_host) != 0 || cur_skip(&c, 30) != 0 ||
	    cur_u8(&c, &l_user) != 0 || cur_skip(&c, 30) != 0 || cur_u8(&c, &l_pw) != 0 ||
	    cur_skip(&c, 30) != 0 || cur_u8(&c, &l_proc) != 0 || cur_u8(&c, &i2) != 0 ||
	    cur_u8(&c, &i4) != 0 || cur_u8(&c, &ch) != 0 || cur_u8(&c, &fl) != 0 || cur_u8(&c, &dt) != 0)
		return PROBE_NEED_MORE;
	if (l_host > 30 || l_user > 30 || l_pw > 30 || l_proc > 30)
		return PROBE_NOMATCH;
	(void)fl;
	return (i2 == 2 || i2 == 3) && i4 <= 1 && (ch == 6 || ch == 7) && (dt == 8 || dt == 9) ?
		PROBE_MATCH : PROBE_NOMATCH;
}

static enum probe_res tds_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	uint8_t type, status, tok;
	uint16_t plen;

	if (dir != DIR_C2S)
		return PROBE_NOMATCH; /* the client speaks first */
	if (cur_u8(&c, &type) != 0)
		return PROBE_NEED_MORE;
	if (type == TDS_LOGIN5)
		return tds5_probe(p, len);
	if (type != TDS_PRELOGIN)
		return PROBE_NOMATCH;
	if (cur_u8(&c, &status) != 0 || cur_be16(&c, &plen) != 0 || cur_skip(&c, 4) != 0 ||
	    cur_u8(&c, &tok) != 0)
		return PROBE_NEED_MORE;
	/* plen over TDS_PKT_MAX (up to 0xffff) still matches on the rest of
	 * the signature: parse() records bad_packet_header */
	if ((status & ~0x01) != 0 || plen < 8 + 6)
		return PROBE_NOMATCH;
	/* the option table starts with VERSION (token 0) in every client */
	return tok == 0 ? PROBE_MATCH : PROBE_NOMATCH;
}

/* PRELOGIN option table over the payload pl. Returns the ENCRYPTION value
 * (0..3; an absent option counts as OFF), or -1 if malformed. */
static int tds_parse_prelogin(struct dis_ctx *ctx, struct tds_state *st, const uint8_t *pl,
			      size_t plen, bool server)
{
	struct cur c = cur_make(pl, plen);
	int n, enc = -1;

	for (n = 0; n < TDS_OPTS_MAX; n++) {
		uint8_t tok;
		uint16_t off, olen;
		struct cur all = cur_make(pl, plen), v;
		if (cur_u8(&c, &tok) != 0) {
			obs_anomaly(ctx, TDS_ANOM_BAD_PRELOGIN, "no terminator");
			return -1;
		}
		if (tok == 0xff)
			break;
		if (cur_be16(&c, &off) != 0 || cur_be16(&c, &olen) != 0 ||
		    cur_skip(&all, off) != 0 || cur_sub(&all, olen, &v) != 0) {
			obs_anomaly(ctx, TDS_ANOM_BAD_PRELOGIN, "option %u outside the payload", tok);
			return -1;
		}
		if (tok == 0 && olen >= 4) { /* VERSION: major, minor, build BE16 */
			uint8_t ma, mi;
			uint16_t b;
			char ver[24];
			(void)cur_u8(&v, &ma);
			(void)cur_u8(&v, &mi);
			(void)cur_be16(&v, &b);
			snprintf(ver, sizeof(ver), "%u.%u.%u", ma, mi, b);
			obs_detail_str(ctx, server ? "server_version" : "client_version", ver, strlen(ver));
		} else if (tok == 1 && olen >= 1) {
			uint8_t e;
			(void)cur_u8(&v, &e);
			enc = e;
		} else if (tok == 2 && olen > 1 && !server) {
			const char *inst;
			size_t il;
			if (cur_cstr(&v, TDS_NAME_MAX, &inst, &il) == 0 && il > 0)
				obs_detail_str(ctx, "instance", inst, il);
		}
	}
	if (n == TDS_OPTS_MAX) {
		obs_anomaly(ctx, TDS_ANOM_BAD_PRELOGIN, "no terminator in %d options", n);
		return -1;
	}
	if (enc < 0)
		return ENC_OFF;
	/* the low bits carry the value; 0x80 is ENCRYPT_CLIENT_CERT (TDS 7.4+) */
	if ((enc & 0x7f) > ENC_REQ) {
		obs_anomaly(ctx, TDS_ANOM_BAD_ENCRYPTION, "0x%02x", enc);
		return -1;
	}
	if (enc & 0x80)
		obs_detail_bool(ctx, "client_cert", true);
	enc &= 0x7f;
	if (server) {
		obs_detail_str(ctx, "server_encryption", tds_enc_names[enc], strlen(tds_enc_names[enc]));
	} else {
		obs_detail_str(ctx, "client_encryption", tds_enc_names[enc], strlen(tds_enc_names[enc]));
		st->client_enc = enc;
	}
	return enc;
}

/* The security state from the server's ENCRYPTION (MS-TDS §2.2.6.5 table). */
static bool tds_negotiated(struct dis_ctx *ctx, struct tds_state *st, int senc)
{
	int cenc = st->client_enc;

	st->client_asked = cenc == ENC_ON || cenc == ENC_REQ;
	obs_tls_requested(ctx, st->client_asked);
	if (senc == ENC_NOT_SUP || cenc == ENC_NOT_SUP) {
		obs_tls_offered(ctx, senc != ENC_NOT_SUP);
		obs_detail_str(ctx, "encryption", "none", 4);
		if (!st->client_asked)
			obs_security(ctx, SEC_CLEARTEXT);
		st->phase = TDS_P_LOGIN;
		return false;
	}
	obs_tls_offered(ctx, true);
	if (senc == ENC_ON || senc == ENC_REQ || cenc == ENC_ON || cenc == ENC_REQ) {
		obs_detail_str(ctx, "encryption", "full", 4);
		obs_security(ctx, SEC_STARTTLS);
		return true;
	}
	obs_detail_str(ctx, "encryption", "login_only", 10);
	obs_security(ctx, SEC_CLEARTEXT);
	return true;
}

/* Append a PRELOGIN payload of the handshake to direction d's TLS bytes and
 * feed them to tls.c. Returns the tls.c status (OK when it wants more). */
static enum dis_status tds_tls_wrapped(struct dis_ctx *ctx, struct tds_state *st, enum dir d,
				       const uint8_t *pl, size_t plen)
{
	struct dis_result r;

	if (plen > TDS_TLSBUF_MAX - st->tb_len[d]) {
		obs_anomaly(ctx, TDS_ANOM_BAD_TLS_CARRIER, "more than %d unparsed TLS bytes",
			    TDS_TLSBUF_MAX);
		return DIS_ERROR;
	}
	if (st->tb[d] == NULL && (st->tb[d] = malloc(TDS_TLSBUF_MAX)) == NULL)
		return DIS_ERROR;
	memcpy(st->tb[d] + st->tb_len[d], pl, plen);
	st->tb_len[d] += plen;
	st->wrapped[d]++;
	r = tls_hs_feed_records(ctx, st->tls, d, st->tb[d], st->tb_len[d]);
	if (r.consumed > st->tb_len[d])
		r.consumed = st->tb_len[d];
	memmove(st->tb[d], st->tb[d] + r.consumed, st->tb_len[d] - r.consumed);
	st->tb_len[d] -= r.consumed;
	return r.status == DIS_INCOMPLETE ? DIS_OK : r.status;
}

/* Full encryption after the PRELOGIN exchange: PRELOGIN packets carrying
 * the TLS handshake, then raw TLS records ([MS-TDS] §3.2.5.2). */
static struct dis_result tds_parse_tls(struct dis_ctx *ctx, struct tds_state *st, enum dir dir,
				       const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);

	while (!st->raw[dir] && cur_left(&c) > 0) {
		size_t off = cur_off(&c, p);
		uint8_t type, status;
		uint16_t plen;
		const uint8_t *pl;
		enum dis_status ts;

		if (*c.p >= 20 && *c.p <= 23) {
			/* TLS content type where a TDS header would be: the
			 * handshake is over and records flow raw */
			if (st->tb_len[dir] > 0) {
				obs_anomaly(ctx, TDS_ANOM_BAD_TLS_CARRIER,
					    "raw TLS after %zu bytes of a wrapped record", st->tb_len[dir]);
				return dis_done(off);
			}
			st->raw[dir] = true;
			break;
		}
		if (cur_u8(&c, &type) != 0 || cur_u8(&c, &status) != 0 || cur_be16(&c, &plen) != 0 ||
		    cur_skip(&c, 4) != 0)
			return dis_incomplete(off, 8);
		/* servers before TDS 7.2 wrap their side in type 0x04 (still
		 * seen from some endpoints; go-mssqldb accepts it too) */
		if (type != TDS_PRELOGIN && !(dir == DIR_S2C && type == TDS_REPLY)) {
			obs_anomaly(ctx, TDS_ANOM_UNEXPECTED, "type 0x%02x during the TLS handshake", type);
			return dis_error(off);
		}
		if (plen < 8 || plen > TDS_PKT_MAX) {
			obs_anomaly(ctx, TDS_ANOM_BAD_HEADER, "length %u", plen);
			return dis_error(off);
		}
		if (cur_bytes(&c, (size_t)plen - 8, &pl) != 0)
			return dis_incomplete(off, plen);
		ts = tds_tls_wrapped(ctx, st, dir, pl, plen - 8u);
		if (ts == DIS_ERROR)
			return dis_done(cur_off(&c, p)); /* the anomaly is tls's (or ours) */
		if (ts == DIS_DONE)
			return dis_done(cur_off(&c, p));
	}
	if (st->raw[dir]) {
		size_t off = cur_off(&c, p);
		struct dis_result r = tls_hs_feed_records(ctx, st->tls, dir, p + off, len - off);
		r.consumed += off;
		if (r.status == DIS_ERROR)
			r.status = DIS_DONE;
		return r;
	}
	return dis_ok(len);
}

/* UTF-16LE field of LOGIN7 (offset, characters) -> UTF-8 detail or user. */
static int tds_login_str(struct dis_ctx *ctx, const uint8_t *base, size_t blen, uint16_t off,
			 uint16_t cch, const char *key)
{
	struct cur c = cur_make(base, blen), f;
	char out[TDS_NAME_MAX * 3 + 1];
	size_t o = 0;

	if (cch == 0)
		return 0;
	if (cur_skip(&c, off) != 0 || cur_sub(&c, (size_t)cch * 2, &f) != 0) {
		obs_anomaly(ctx, TDS_ANOM_BAD_LOGIN7, "%s outside the message", key ? key : "user");
		return -1;
	}
	while (cur_left(&f) >= 2 && o + 4 <= sizeof(out) - 1) {
		uint16_t u;
		uint32_t cp;
		(void)cur_le16(&f, &u);
		cp = u;
		if (u >= 0xd800 && u <= 0xdbff) {
			uint16_t lo;
			if (cur_le16(&f, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
				cp = 0xfffd;
			else
				cp = 0x10000 + (((uint32_t)u - 0xd800) << 10) + (lo - 0xdc00);
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			cp = 0xfffd;
		}
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xc0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[o++] = (char)(0xe0 | (cp >> 12));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | (cp >> 18));
			out[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	if (key)
		obs_detail_str(ctx, key, out, o);
	else
		obs_user(ctx, out, o);
	return 0;
}

/* LOGIN7 (§2.2.6.4) over its payload. */
static int tds_parse_login7(struct dis_ctx *ctx, const uint8_t *pl, size_t plen)
{
	struct cur c = cur_make(pl, plen);
	uint32_t len, ver;
	uint8_t of1, of2, tf, of3;
	uint16_t ol[9][2], sspi_off, sspi_len;
	static const char *const keys[9] = {
		"client_host", NULL, "", "application_name", "server_name", "", "client_library",
		"language", "database",
	};
	int i;

	if (cur_le32(&c, &len) != 0 || cur_le32(&c, &ver) != 0 || cur_skip(&c, 16) != 0 ||
	    cur_u8(&c, &of1) != 0 || cur_u8(&c, &of2) != 0 || cur_u8(&c, &tf) != 0 ||
	    cur_u8(&c, &of3) != 0 || cur_skip(&c, 8) != 0) {
		obs_anomaly(ctx, TDS_ANOM_BAD_LOGIN7, "fixed part truncated");
		return -1;
	}
	for (i = 0; i < 9; i++)
		if (cur_le16(&c, &ol[i][0]) != 0 || cur_le16(&c, &ol[i][1]) != 0) {
			obs_anomaly(ctx, TDS_ANOM_BAD_LOGIN7, "offset table truncated");
			return -1;
		}
	if (cur_skip(&c, 6) != 0 || cur_le16(&c, &sspi_off) != 0 || cur_le16(&c, &sspi_len) != 0) {
		obs_anomaly(ctx, TDS_ANOM_BAD_LOGIN7, "offset table truncated");
		return -1;
	}
	(void)sspi_off;
	if (len != plen)
		obs_anomaly(ctx, TDS_ANOM_BAD_LOGIN7, "length %u in a %zu-byte message", len, plen);
	{
		char tv[12];
		snprintf(tv, sizeof(tv), "0x%08x", ver); /* 0x74000004 = TDS 7.4 */
		obs_detail_str(ctx, "tds_version", tv, strlen(tv));
	}
	for (i = 0; i < 9; i++) {
		if (i == 2 || i == 5)
			continue; /* password (never decoded), extension */
		if (tds_login_str(ctx, pl, plen, ol[i][0], ol[i][1] > TDS_NAME_MAX ? TDS_NAME_MAX : ol[i][1],
				  keys[i]) != 0)
			return -1;
	}
	if ((of2 & 0x80) || sspi_len > 0) { /* fIntSecurity */
		obs_auth_mechanism(ctx, "sspi", 4);
		obs_detail_bool(ctx, "integrated_security", true);
	}
	if (ol[2][1] > 0) {
		obs_credentials(ctx, "login7");
		obs_auth_mechanism(ctx, "login7", 6);
	} else if (!((of2 & 0x80) || sspi_len > 0)) {
		obs_auth_mechanism(ctx, "login7", 6);
	}
	return 0;
}

/* One fixed-size name of the LOGIN record: `size` bytes at off, its
 * length byte right after them (capped at size). */
static void tds5_name(struct dis_ctx *ctx, const struct tds_state *st, size_t off, size_t size,
		      const char *key)
{
	struct cur c = cur_make(st->l5, st->l5_len), f;
	uint8_t n;
	if (cur_skip(&c, off) != 0 || cur_sub(&c, size, &f) != 0 || cur_u8(&c, &n) != 0 || n == 0)
		return;
	if (n > size)
		n = (uint8_t)size;
	if (key)
		obs_detail_str(ctx, key, f.p, n);
	else
		obs_user(ctx, f.p, n);
}

/* The gathered TDS 4.2/5.0 LOGIN record (see the file header). */
static void tds5_parse_login(struct dis_ctx *ctx, struct tds_state *st)
{
	struct cur c = cur_make(st->l5, st->l5_len);
	uint8_t pwlen = 0, sec = 0;
	uint32_t ver;

	st->tds5 = true;
	tds5_name(ctx, st, 31, 30, NULL);
	tds5_name(ctx, st, 0, 30, "client_host");
	tds5_name(ctx, st, 140, 30, "application_name");
	tds5_name(ctx, st, 171, 30, "server_name");
	tds5_name(ctx, st, 462, 10, "client_library");
	tds5_name(ctx, st, 480, 30, "language");
	if (cur_skip(&c, 92) == 0)
		(void)cur_u8(&c, &pwlen);
	c = cur_make(st->l5, st->l5_len);
	if (cur_skip(&c, 458) == 0 && cur_be32(&c, &ver) == 0) {
		char tv[12];
		snprintf(tv, sizeof(tv), "0x%08x", ver); /* 0x05000000 = TDS 5.0 */
		obs_detail_str(ctx, "tds_version", tv, strlen(tv));
	}
	c = cur_make(st->l5, st->l5_len);
	if (cur_skip(&c, 514) == 0)
		(void)cur_u8(&c, &sec);
	if (st->l5_len < TDS5_REC_LEN)
		obs_anomaly(ctx, TDS_ANOM_BAD_LOGIN_RECORD, "LOGIN record of %u bytes", st->l5_len);
	obs_tls_offered(ctx, false);
	obs_tls_requested(ctx, false);
	obs_security(ctx, SEC_CLEARTEXT);
	if (pwlen > 0) {
		obs_credentials(ctx, "password");
		obs_auth_mechanism(ctx, "password", 8);
	} else if (sec & (0x01 | 0x20 | 0x80)) { /* TDS_SEC_LOG_ENCRYPT, 2, 3 */
		obs_auth_mechanism(ctx, "encrypted_password", 18);
	}
}

/* TDS 5.0 token stream of the login response: LOGINACK (status 5 ok, 6
 * failed, 7 negotiate: the encrypted-password exchange follows), EED
 * (0xE5) errors, CAPABILITY, ENVCHANGE, DONE (8 bytes). 1 when decided. */
static int tds5_parse_login_reply(struct dis_ctx *ctx, const uint8_t *pl, size_t plen)
{
	struct cur c = cur_make(pl, plen);
	int n;

	for (n = 0; n < TDS_TOKENS_MAX && cur_left(&c) > 0; n++) {
		uint8_t tok;
		uint16_t tlen;
		struct cur t;
		(void)cur_u8(&c, &tok);
		if (tok == 0xfd || tok == 0xfe || tok == 0xff) { /* DONE*: status, transtate, count */
			if (cur_skip(&c, 8) != 0)
				return 0;
			continue;
		}
		if (tok != 0xad && tok != 0xe5 && tok != 0xe2 && tok != 0xe3)
			return 0;
		if (cur_le16(&c, &tlen) != 0 || cur_sub(&c, tlen, &t) != 0)
			return 0;
		if (tok == 0xe5) { /* EED: msgnumber, state, class, ... */
			uint32_t num;
			uint8_t state, cls;
			if (cur_le32(&t, &num) == 0 && cur_u8(&t, &state) == 0 && cur_u8(&t, &cls) == 0 &&
			    cls > 10) {
				obs_detail_int(ctx, "error_number", num);
				obs_detail_int(ctx, "error_class", cls);
			}
			continue;
		}
		if (tok == 0xad) {
			uint8_t st, nl, ma, mi, bh, bl;
			if (cur_u8(&t, &st) != 0)
				return 0;
			if (cur_skip(&t, 4) == 0 && cur_u8(&t, &nl) == 0 && cur_skip(&t, nl) == 0 &&
			    cur_u8(&t, &ma) == 0 && cur_u8(&t, &mi) == 0 && cur_u8(&t, &bh) == 0 &&
			    cur_u8(&t, &bl) == 0) {
				char ver[24];
				snprintf(ver, sizeof(ver), "%u.%u.%u", ma, mi, (bh << 8) | bl);
				obs_detail_str(ctx, "server_program_version", ver, strlen(ver));
			}
			obs_detail_str(ctx, "auth_result", st == 5 ? "ok" : st == 7 ? "negotiate" : "error",
				       st == 5 ? 2 : st == 7 ? 9 : 5);
			return 1;
		}
	}
	return 0;
}

/* Token stream of the login response: LOGINACK or ERROR. 1 when seen. */
static int tds_parse_login_reply(struct dis_ctx *ctx, const uint8_t *pl, size_t plen)
{
	struct cur c = cur_make(pl, plen);
	int n;

	for (n = 0; n < TDS_TOKENS_MAX && cur_left(&c) > 0; n++) {
		uint8_t tok;
		uint16_t tlen;
		struct cur t;
		(void)cur_u8(&c, &tok);
		if (tok == 0xfd || tok == 0xfe || tok == 0xff) { /* DONE*: fixed 12 bytes */
			if (cur_skip(&c, 12) != 0)
				return 0;
			continue;
		}
		/* LOGINACK, ERROR, INFO, ENVCHANGE: USHORT length */
		if (tok != 0xad && tok != 0xaa && tok != 0xab && tok != 0xe3)
			return 0;
		if (cur_le16(&c, &tlen) != 0 || cur_sub(&c, tlen, &t) != 0)
			return 0;
		if (tok == 0xad) {
			uint8_t iface, nl, ma, mi, bh, bl;
			uint32_t tv;
			char ver[24];
			if (cur_u8(&t, &iface) == 0 && cur_be32(&t, &tv) == 0 && cur_u8(&t, &nl) == 0 &&
			    cur_skip(&t, (size_t)nl * 2) == 0 && cur_u8(&t, &ma) == 0 &&
			    cur_u8(&t, &mi) == 0 && cur_u8(&t, &bh) == 0 && cur_u8(&t, &bl) == 0) {
				snprintf(ver, sizeof(ver), "%u.%u.%u", ma, mi, (bh << 8) | bl);
				obs_detail_str(ctx, "server_program_version", ver, strlen(ver));
			}
			obs_detail_str(ctx, "auth_result", "ok", 2);
			return 1;
		}
		if (tok == 0xaa) {
			uint32_t num;
			uint8_t state, cls;
			if (cur_le32(&t, &num) == 0 && cur_u8(&t, &state) == 0 && cur_u8(&t, &cls) == 0) {
				obs_detail_int(ctx, "error_number", num);
				obs_detail_int(ctx, "error_class", cls);
			}
			obs_detail_str(ctx, "auth_result", "error", 5);
			return 1;
		}
	}
	return 0;
}

static struct dis_result tds_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				   const uint8_t *p, size_t len)
{
	struct tds_state *st = state;
	struct cur c = cur_make(p, len);

	obs_protocol(ctx, "tds");
	while (cur_left(&c) > 0) {
		if (st->phase == TDS_P_TLS) {
			size_t off = cur_off(&c, p);
			struct dis_result r = tds_parse_tls(ctx, st, dir, p + off, len - off);
			r.consumed += off;
			return r;
		}

		size_t off = cur_off(&c, p);
		uint8_t type, status;
		uint16_t plen;
		const uint8_t *pl;

		if (dir == DIR_C2S && st->phase == TDS_P_PRELOGIN_RESP)
			return dis_ok(off); /* wait for the server */
		if (cur_u8(&c, &type) != 0 || cur_u8(&c, &status) != 0 || cur_be16(&c, &plen) != 0 ||
		    cur_skip(&c, 4) != 0)
			return dis_incomplete(off, 8);
		if (plen < 8 || plen > TDS_PKT_MAX) {
			obs_anomaly(ctx, TDS_ANOM_BAD_HEADER, "length %u", plen);
			return dis_error(off);
		}
		if (cur_bytes(&c, (size_t)plen - 8, &pl) != 0)
			return dis_incomplete(off, plen);

		switch (st->phase) {
		case TDS_P_PRELOGIN:
			if (dir == DIR_C2S && type == TDS_LOGIN5) {
				st->phase = TDS_P_LOGIN5;
				goto login5;
			}
			if (dir != DIR_C2S || type != TDS_PRELOGIN) {
				obs_anomaly(ctx, TDS_ANOM_UNEXPECTED, "type 0x%02x before PRELOGIN", type);
				return dis_error(off);
			}
			if (tds_parse_prelogin(ctx, st, pl, plen - 8u, false) < 0)
				return dis_error(off);
			st->phase = TDS_P_PRELOGIN_RESP;
			continue;
		case TDS_P_PRELOGIN_RESP: { /* S2C */
			int senc;
			if (type != TDS_REPLY) {
				obs_anomaly(ctx, TDS_ANOM_UNEXPECTED, "server type 0x%02x", type);
				return dis_error(off);
			}
			senc = tds_parse_prelogin(ctx, st, pl, plen - 8u, true);
			if (senc < 0)
				return dis_error(off);
			if (tds_negotiated(ctx, st, senc)) {
				if (obs_get_security(ctx) != SEC_STARTTLS)
					return dis_done(cur_off(&c, p)); /* login-only */
				if ((st->tls = tls_hs_new('t')) == NULL)
					return dis_done(cur_off(&c, p));
				st->phase = TDS_P_TLS;
			}
			continue;
		}
		case TDS_P_LOGIN:
			if (dir == DIR_S2C) {
				obs_anomaly(ctx, TDS_ANOM_UNEXPECTED, "server type 0x%02x before LOGIN7", type);
				return dis_error(off);
			}
			if (type == TDS_PRELOGIN && st->client_asked) {
				/* a TLS handshake after NOT_SUP: not expected */
				obs_anomaly(ctx, TDS_ANOM_UNEXPECTED, "PRELOGIN after NOT_SUP");
				return dis_error(off);
			}
			if (type != TDS_LOGIN7) {
				obs_anomaly(ctx, TDS_ANOM_UNEXPECTED, "type 0x%02x instead of LOGIN7", type);
				return dis_error(off);
			}
			if (st->client_asked)
				obs_security(ctx, SEC_TLS_REFUSED);
			if (!(status & 0x01))
				obs_anomaly(ctx, TDS_ANOM_BAD_LOGIN7, "LOGIN7 spans packets");
			if (tds_parse_login7(ctx, pl, plen - 8u) != 0)
				return dis_error(off);
			st->phase = TDS_P_LOGIN_RESP;
			continue;
		case TDS_P_LOGIN5:
		login5:
			if (dir == DIR_S2C || type != TDS_LOGIN5) {
				obs_anomaly(ctx, TDS_ANOM_UNEXPECTED, "type 0x%02x inside the LOGIN message", type);
				return dis_error(off);
			}
			{
				size_t k = plen - 8u, room = TDS5_REC_LEN - st->l5_len;
				if (k > room)
					k = room;
				memcpy(st->l5 + st->l5_len, pl, k);
				st->l5_len = (uint16_t)(st->l5_len + k);
			}
			if (status & 0x01) {
				tds5_parse_login(ctx, st);
				st->phase = TDS_P_LOGIN_RESP;
			}
			continue;
		case TDS_P_LOGIN_RESP:
			if (dir == DIR_C2S)
				continue; /* later client packets: not parsed */
			if (type == TDS_REPLY && (st->tds5 ? tds5_parse_login_reply(ctx, pl, plen - 8u) :
						  tds_parse_login_reply(ctx, pl, plen - 8u)) == 1)
				return dis_done(cur_off(&c, p));
			continue;
		case TDS_P_TLS:
			break; /* handled above */
		}
	}
	return dis_ok(len);
}

static void tds_flow_end(struct dis_ctx *ctx, void *state)
{
	struct tds_state *st = state;
	struct tls_carrier car;

	if (st->tls == NULL)
		return;
	memset(&car, 0, sizeof(car));
	car.kind = TLS_CARRIER_TDS;
	car.tds_packets[0] = st->wrapped[DIR_C2S];
	car.tds_packets[1] = st->wrapped[DIR_S2C];
	tls_hs_emit(ctx, st->tls, &car);
}

static void tds_state_free(void *state)
{
	struct tds_state *st = state;
	tls_hs_free(st->tls);
	free(st->tb[0]);
	free(st->tb[1]);
	st->tls = NULL;
	st->tb[0] = st->tb[1] = NULL;
}

static const uint16_t tds_ports[] = { 1433, 1434, 0 };

const struct dissector dissector_tds = {
	.name = "tds",
	.transport = DIS_TCP,
	.ports = tds_ports,
	.probe = tds_probe,
	.state_size = sizeof(struct tds_state),
	.state_free = tds_state_free,
	.parse = tds_parse,
	.flow_end = tds_flow_end,
	.anomalies = tds_anomalies,
};
