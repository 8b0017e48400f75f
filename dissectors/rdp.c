/* SPDX-License-Identifier: BSD-3-Clause */
/* rdp.c — RDP connection start over TCP: TPKT (RFC 1006 §6), the X.224
 * Connection Request / Confirm (ITU-T X.224 §13.3/§13.4) with the RDP
 * negotiation structures of [MS-RDPBCGR] 2.2.1.1 / 2.2.1.2, and, when
 * Standard RDP Security is selected, the MCS Connect Initial / Response
 * (T.125 §11.1/§11.2, BER) with the GCC user data blocks of [MS-RDPBCGR]
 * 2.2.1.3 / 2.2.1.4 (CS_SECURITY 2.2.1.3.3, SC_SECURITY 2.2.1.4.3).
 *
 *   TPKT        03 00 LL LL            version 3, reserved, length (BE,
 *                                      header included)
 *   X.224 CR    LI E0 dst(2) src(2) class(1) [variable part]
 *   X.224 CC    LI D0 dst(2) src(2) class(1) [variable part]
 *   X.224 DT    02 F0 80                (LI 2, data, EOT) + MCS PDU
 *     LI = bytes of the X.224 header after LI = TPKT length - 5 for CR/CC.
 *   CR variable part ([MS-RDPBCGR] 2.2.1.1):
 *     routingToken or "Cookie: mstshash=NAME" CR LF   (both optional)
 *     RDP_NEG_REQ   01 flags len=0008(LE) requestedProtocols(LE32)
 *     RDP_NEG_CORRELATION_INFO  06 flags len=0024(LE) id(16) reserved(16)
 *   CC variable part ([MS-RDPBCGR] 2.2.1.2):
 *     RDP_NEG_RSP     02 flags len=0008 selectedProtocol(LE32)
 *     RDP_NEG_FAILURE 03 flags len=0008 failureCode(LE32)
 *     none at all: an old server, Standard RDP Security (2.2.1.2).
 *   Protocols (2.2.1.1.1): 0 PROTOCOL_RDP (Standard RDP Security), 0x1
 *   PROTOCOL_SSL (TLS), 0x2 PROTOCOL_HYBRID (CredSSP, NLA), 0x4
 *   PROTOCOL_RDSTLS, 0x8 PROTOCOL_HYBRID_EX (CredSSP with Early User
 *   Authorization), 0x10 PROTOCOL_RDSAAD.
 *
 * After a TLS-based selection (every protocol but PROTOCOL_RDP) both sides
 * start a TLS handshake right after the CC ([MS-RDPBCGR] 5.4.5): the stream
 * is handed to the TLS dissector there, each direction at the byte after
 * the CR / CC (the client sends nothing between them). After PROTOCOL_RDP
 * the client's MCS Connect Initial and the server's Connect Response carry
 * the GCC Conference Create Request / Response (T.124, PER) whose user data
 * follow the H.221 key "Duca" / "McDn"; the key is looked for in the first
 * RDP_GCC_KEY_SCAN bytes of the connect PDU (FreeRDP's gcc.c reads the same
 * fixed PER prefix), then the TS_UD_HEADER blocks (type LE16, length LE16)
 * are walked. Then the client's MCS domain PDUs are read up to its Client
 * Info PDU (2.2.1.11, an MCS Send Data Request whose security header has
 * SEC_INFO_PKT; T.125 §11 PER for the MCS header), noting a Security
 * Exchange PDU (SEC_EXCHANGE_PKT) on the way; whether the Client Info PDU
 * carries SEC_ENCRYPT is the one fact taken from it, and, only when it is
 * in clear (ENCRYPTION_LEVEL_NONE), whether TS_INFO_PACKET's cbPassword is
 * non-zero — never the password itself. Nothing after it is read.
 *
 * Facts (cleartext.details, at flow_end in this order): rdp_routing_token,
 * rdp_neg_request, rdp_requested_protocols (bitmask), rdp_requested (names),
 * rdp_neg_request_flags, rdp_negotiation (response / failure / none),
 * rdp_selected_protocol (name), rdp_neg_response_flags, rdp_neg_failure and
 * rdp_neg_failure_code, rdp_client_encryption_methods (CS_SECURITY
 * bitmask), rdp_mcs_result, rdp_encryption_method and rdp_encryption_level
 * (SC_SECURITY), rdp_mcs_disconnect, rdp_security_exchange,
 * rdp_client_info_encrypted. The mstshash cookie is a user name in clear:
 * obs_user (a name, never a secret). Security: `starttls` once a TLS-based
 * protocol is selected (negotiated in clear, then TLS: the TLS dissector
 * adds the tls object); Standard RDP Security `app_encrypted` once the
 * Client Info PDU is seen encrypted, `cleartext` when it is seen in clear
 * (then a password in it is obs_credentials "password"); otherwise
 * `unknown` (what the wire shows, not what SC_SECURITY promises).
 *
 * Selection: TPKT version 3 whose X.224 TPDU is a CR (client) or CC
 * (server) with LI = length - 5 and a variable part that starts like
 * RDP's (cookie / routing token text, or a negotiation structure), so
 * ISO-TSAP users such as S7comm (whose CR parameters start 0xC0..0xC2) are
 * not claimed. Port 3389 is a hint.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "ber.h"
#include "cursor.h"
#include "obs.h"

#define RDP_TPKT_MIN 7        /* TPKT header + the smallest X.224 header (DT) */
#define RDP_TOKEN_MAX 256     /* routing token / cookie line kept (OBS_STR_MAX) */
#define RDP_GCC_KEY_SCAN 24   /* bytes of the connect PDU searched for the H.221 key */
#define RDP_UD_BLOCKS_MAX 32  /* user data blocks walked */

#define X224_CR 0xE0
#define X224_CC 0xD0
#define X224_DT 0xF0

#define NEG_REQ 0x01
#define NEG_RSP 0x02
#define NEG_FAILURE 0x03
#define NEG_CORRELATION 0x06
#define NEG_REQ_CORRELATION_INFO_PRESENT 0x08

#define CS_SECURITY 0xC002
#define SC_SECURITY 0x0C02

/* TS_SECURITY_HEADER flags ([MS-RDPBCGR] 2.2.8.1.1.2.1) */
#define SEC_EXCHANGE_PKT 0x0001
#define SEC_ENCRYPT 0x0008
#define SEC_INFO_PKT 0x0040

#define MCS_SEND_DATA_REQUEST 25 /* T.125 DomainMCSPDU choice, PER: byte >> 2 */
#define MCS_DISCONNECT_PROVIDER_ULTIMATUM 8
#define RDP_CLIENT_PDUS_MAX 64   /* client PDUs read after the Connect Initial */

enum {
	RDP_ANOM_BAD_TPKT_VERSION = 1,
	RDP_ANOM_BAD_TPKT_LENGTH,
	RDP_ANOM_BAD_X224_LENGTH,
	RDP_ANOM_UNEXPECTED_TPDU,
	RDP_ANOM_BAD_COOKIE,
	RDP_ANOM_BAD_NEG_REQ,
	RDP_ANOM_BAD_NEG_RSP,
	RDP_ANOM_TRAILING_BYTES,
	RDP_ANOM_BAD_MCS,
	RDP_ANOM_BAD_GCC,
	RDP_ANOM_UNKNOWN_SELECTED,
	RDP_ANOM_TRUNCATED,
	RDP_ANOM_NO_CLIENT_INFO,
};

static const struct anomaly_def rdp_anomalies[] = {
	{ RDP_ANOM_BAD_TPKT_VERSION, "bad_tpkt_version" },
	{ RDP_ANOM_BAD_TPKT_LENGTH, "bad_tpkt_length" },
	{ RDP_ANOM_BAD_X224_LENGTH, "bad_x224_length" },
	{ RDP_ANOM_UNEXPECTED_TPDU, "unexpected_tpdu" },
	{ RDP_ANOM_BAD_COOKIE, "bad_cookie" },
	{ RDP_ANOM_BAD_NEG_REQ, "bad_neg_req" },
	{ RDP_ANOM_BAD_NEG_RSP, "bad_neg_rsp" },
	{ RDP_ANOM_TRAILING_BYTES, "trailing_bytes" },
	{ RDP_ANOM_BAD_MCS, "bad_mcs" },
	{ RDP_ANOM_BAD_GCC, "bad_gcc" },
	{ RDP_ANOM_UNKNOWN_SELECTED, "unknown_selected_protocol" },
	{ RDP_ANOM_TRUNCATED, "truncated" },
	{ RDP_ANOM_NO_CLIENT_INFO, "no_client_info" },
	{ 0, NULL },
};

/* requestedProtocols / selectedProtocol bits ([MS-RDPBCGR] 2.2.1.1.1) */
static const struct { uint32_t bit; const char *name; } rdp_protocols[] = {
	{ 0x01, "tls" }, { 0x02, "hybrid" }, { 0x04, "rdstls" }, { 0x08, "hybrid_ex" },
	{ 0x10, "rdsaad" }, { 0, NULL },
};

/* failureCode ([MS-RDPBCGR] 2.2.1.2.2), index = code */
static const char *const rdp_failures[] = {
	NULL, "ssl_required_by_server", "ssl_not_allowed_by_server", "ssl_cert_not_on_server",
	"inconsistent_flags", "hybrid_required_by_server", "ssl_with_user_auth_required_by_server",
};
#define RDP_FAILURES_N (sizeof(rdp_failures) / sizeof(rdp_failures[0]))

/* encryptionMethod ([MS-RDPBCGR] 2.2.1.4.3) */
static const struct { uint32_t v; const char *name; } rdp_methods[] = {
	{ 0x00, "none" }, { 0x01, "40bit" }, { 0x02, "128bit" }, { 0x08, "56bit" },
	{ 0x10, "fips" }, { 0, NULL },
};

/* encryptionLevel ([MS-RDPBCGR] 2.2.1.4.3), index = level */
static const char *const rdp_levels[] = { "none", "low", "client_compatible", "high", "fips" };
#define RDP_LEVELS_N (sizeof(rdp_levels) / sizeof(rdp_levels[0]))

enum rdp_phase { RDP_WAIT_CR = 0, RDP_WAIT_CC, RDP_MCS, RDP_END };
enum rdp_neg { RDP_NEG_UNSEEN = 0, RDP_NEG_RESPONSE, RDP_NEG_FAILURE, RDP_NEG_NONE };

struct rdp_state {
	enum rdp_phase phase;
	bool cr_seen;
	char token[RDP_TOKEN_MAX];
	size_t token_len;
	bool neg_req;
	uint8_t req_flags;
	uint32_t requested;
	enum rdp_neg neg;
	uint8_t rsp_flags;
	uint32_t selected;
	uint32_t failure;
	bool ci_seen;            /* Connect Initial read */
	bool cs_security;
	uint32_t client_methods;
	bool cresp_seen;         /* Connect Response read */
	int64_t mcs_result;
	bool sc_security;
	uint32_t method, level;
	bool disconnect;         /* the server answered the CI with a DPU */
	unsigned client_pdus;    /* client PDUs read after the Connect Initial */
	bool exchange;           /* a Security Exchange PDU was sent */
	bool info_seen;          /* the Client Info PDU was read */
	bool info_encrypted;     /* ... with SEC_ENCRYPT */
	bool info_password;      /* ... in clear, with a password (cbPassword > 0) */
	bool pending[2];         /* per direction: a TPKT was incomplete when last called */
};

static enum probe_res rdp_probe(enum dir dir, const uint8_t *p, size_t len)
{
	uint16_t tlen;

	if (len >= 1 && p[0] != 3)
		return PROBE_NOMATCH;
	if (len >= 2 && p[1] != 0)
		return PROBE_NOMATCH;
	if (len < 6)
		return PROBE_NEED_MORE;
	tlen = (uint16_t)((p[2] << 8) | p[3]);
	/* the CR/CC fixed part is 7 bytes after the TPKT header */
	if (tlen < 11 || p[4] != tlen - 5)
		return PROBE_NOMATCH;
	if (p[5] != (dir == DIR_C2S ? X224_CR : X224_CC))
		return PROBE_NOMATCH;
	if (tlen == 11)
		return PROBE_MATCH;
	if (len < 12)
		return PROBE_NEED_MORE;
	if (dir == DIR_C2S)
		return p[11] == NEG_REQ || (p[11] >= 0x20 && p[11] < 0x7f) ? PROBE_MATCH : PROBE_NOMATCH;
	return p[11] == NEG_RSP || p[11] == NEG_FAILURE ? PROBE_MATCH : PROBE_NOMATCH;
}

/* One TPKT: 1 with *pdu over the whole TPKT (header included) and *len its
 * length, 0 when more bytes are needed (*len: how many), -1 on a bad header
 * (anomaly raised). */
static int rdp_tpkt(struct dis_ctx *ctx, struct rdp_state *st, enum dir dir, struct cur *c,
		    struct cur *pdu, size_t *len)
{
	uint8_t ver, rsv;
	uint16_t tlen;
	struct cur h = *c;

	*len = 4;
	if (cur_u8(&h, &ver) != 0 || cur_u8(&h, &rsv) != 0 || cur_be16(&h, &tlen) != 0) {
		st->pending[dir] = true;
		return 0;
	}
	if (ver != 3) {
		obs_anomaly(ctx, RDP_ANOM_BAD_TPKT_VERSION, "version %u", ver);
		return -1;
	}
	if (tlen < RDP_TPKT_MIN) {
		obs_anomaly(ctx, RDP_ANOM_BAD_TPKT_LENGTH, "length %u (at least %d)", tlen, RDP_TPKT_MIN);
		return -1;
	}
	*len = tlen;
	if (cur_sub(c, tlen, pdu) != 0) {
		st->pending[dir] = true;
		return 0;
	}
	st->pending[dir] = false;
	return 1;
}

/* The X.224 header of a CR or CC: checks LI and the code, leaves *x at the
 * variable part. 0 or -1 (anomaly raised). */
static int rdp_x224_conn(struct dis_ctx *ctx, struct cur *x, uint8_t want)
{
	uint8_t li, code;

	(void)cur_skip(x, 4);
	if (cur_u8(x, &li) != 0 || cur_u8(x, &code) != 0) {
		obs_anomaly(ctx, RDP_ANOM_BAD_TPKT_LENGTH, "no X.224 header");
		return -1;
	}
	if ((code & 0xF0) != want) {
		obs_anomaly(ctx, RDP_ANOM_UNEXPECTED_TPDU, "code 0x%02x where %s was expected", code,
			    want == X224_CR ? "a Connection Request" : "a Connection Confirm");
		return -1;
	}
	if (li != cur_left(x) + 1 || cur_skip(x, 5) != 0) {
		obs_anomaly(ctx, RDP_ANOM_BAD_X224_LENGTH, "LI %u for %zu bytes", li, cur_left(x) + 1);
		return -1;
	}
	return 0;
}

/* Type, flags and length of a negotiation structure: 0 or -1. */
static int rdp_neg_hdr(struct cur *x, uint8_t *type, uint8_t *flags, uint16_t want_len)
{
	uint16_t l;
	if (cur_u8(x, type) != 0 || cur_u8(x, flags) != 0 || cur_le16(x, &l) != 0 || l != want_len ||
	    cur_need(x, (size_t)want_len - 4) != 0)
		return -1;
	return 0;
}

static int rdp_parse_cr(struct dis_ctx *ctx, struct rdp_state *st, struct cur x)
{
	uint8_t type, flags;

	if (rdp_x224_conn(ctx, &x, X224_CR) != 0)
		return -1;
	st->cr_seen = true;
	/* routingToken or cookie: text up to CR LF ([MS-RDPBCGR] 2.2.1.1) */
	if (cur_left(&x) > 0 && x.p[0] != NEG_REQ) {
		const char *line;
		size_t n;
		static const char ck[] = "Cookie: mstshash=";
		if (cur_line(&x, cur_left(&x), &line, &n) != 0 || n == 0 || line[n] != '\r') {
			obs_anomaly(ctx, RDP_ANOM_BAD_COOKIE, "no CR LF after the routing token or cookie");
			return -1;
		}
		if (n >= sizeof(ck) - 1 && memcmp(line, ck, sizeof(ck) - 1) == 0) {
			obs_user(ctx, line + sizeof(ck) - 1, n - (sizeof(ck) - 1));
		} else {
			st->token_len = n < sizeof(st->token) ? n : sizeof(st->token);
			memcpy(st->token, line, st->token_len);
		}
	}
	if (cur_left(&x) == 0)
		return 0;
	if (rdp_neg_hdr(&x, &type, &flags, 8) != 0 || type != NEG_REQ) {
		obs_anomaly(ctx, RDP_ANOM_BAD_NEG_REQ, "not an RDP_NEG_REQ of 8 bytes");
		return -1;
	}
	st->neg_req = true;
	st->req_flags = flags;
	(void)cur_le32(&x, &st->requested);
	if ((flags & NEG_REQ_CORRELATION_INFO_PRESENT) && cur_left(&x) > 0) {
		if (rdp_neg_hdr(&x, &type, &flags, 36) != 0 || type != NEG_CORRELATION) {
			obs_anomaly(ctx, RDP_ANOM_BAD_NEG_REQ, "bad RDP_NEG_CORRELATION_INFO");
			return -1;
		}
		(void)cur_skip(&x, 32);
	}
	if (cur_left(&x) > 0) {
		obs_anomaly(ctx, RDP_ANOM_TRAILING_BYTES, "%zu bytes after the RDP_NEG_REQ", cur_left(&x));
		return -1;
	}
	return 0;
}

static bool rdp_tls_based(uint32_t sel)
{
	return sel == 0x01 || sel == 0x02 || sel == 0x04 || sel == 0x08 || sel == 0x10;
}

/* 0 after a negotiation failure or a TLS-based selection (no more RDP
 * bytes), 1 when Standard RDP Security goes on to MCS, -1 on error. */
static int rdp_parse_cc(struct dis_ctx *ctx, struct rdp_state *st, struct cur x)
{
	uint8_t type, flags;
	uint32_t v;

	if (rdp_x224_conn(ctx, &x, X224_CC) != 0)
		return -1;
	if (cur_left(&x) == 0) {
		/* an old server: no negotiation, Standard RDP Security */
		st->neg = RDP_NEG_NONE;
		st->selected = 0;
		return 1;
	}
	if (rdp_neg_hdr(&x, &type, &flags, 8) != 0 || (type != NEG_RSP && type != NEG_FAILURE)) {
		obs_anomaly(ctx, RDP_ANOM_BAD_NEG_RSP, "neither RDP_NEG_RSP nor RDP_NEG_FAILURE of 8 bytes");
		return -1;
	}
	(void)cur_le32(&x, &v);
	if (cur_left(&x) > 0) {
		obs_anomaly(ctx, RDP_ANOM_TRAILING_BYTES, "%zu bytes after the negotiation", cur_left(&x));
		return -1;
	}
	if (type == NEG_FAILURE) {
		st->neg = RDP_NEG_FAILURE;
		st->failure = v;
		return 0;
	}
	st->neg = RDP_NEG_RESPONSE;
	st->rsp_flags = flags;
	st->selected = v;
	if (v == 0)
		return 1;
	if (!rdp_tls_based(v)) {
		obs_anomaly(ctx, RDP_ANOM_UNKNOWN_SELECTED, "selectedProtocol 0x%08x", v);
		return -1;
	}
	return 0;
}

/* PER length (X.691 §10.9, no fragments): 0 or -1. */
static int rdp_per_len(struct cur *c, size_t *n)
{
	uint8_t a, b;
	*n = 0;
	if (cur_u8(c, &a) != 0)
		return -1;
	if (!(a & 0x80)) {
		*n = a;
		return 0;
	}
	if ((a & 0xC0) == 0xC0 || cur_u8(c, &b) != 0)
		return -1;
	*n = ((size_t)(a & 0x3F) << 8) | b;
	return 0;
}

/* GCC Conference Create Request / Response in an MCS userData: walks the
 * user data blocks after the H.221 key. 0 or -1 (anomaly raised). */
static int rdp_gcc(struct dis_ctx *ctx, struct rdp_state *st, struct cur ud, bool server)
{
	static const uint8_t t124[] = { 0x00, 0x05, 0x00, 0x14, 0x7c, 0x00, 0x01 };
	const char *key = server ? "McDn" : "Duca";
	const uint8_t *oid;
	struct cur pdu, blocks;
	size_t n, i, scan;
	unsigned nb = 0;

	/* The connectPDU length is not a bound: Windows and xrdp send 0x2a (42)
	 * for a Connect Response of hundreds of bytes ([MS-RDPBCGR] 4.1.4 shows
	 * it too), and FreeRDP's gcc.c reads and ignores it. The userData
	 * OCTET STRING is the bound. */
	if (cur_bytes(&ud, sizeof(t124), &oid) != 0 || memcmp(oid, t124, sizeof(t124)) != 0 ||
	    rdp_per_len(&ud, &n) != 0) {
		obs_anomaly(ctx, RDP_ANOM_BAD_GCC, "no T.124 ConnectData");
		return -1;
	}
	pdu = ud;
	scan = cur_left(&pdu) < RDP_GCC_KEY_SCAN ? cur_left(&pdu) : RDP_GCC_KEY_SCAN;
	for (i = 0; i + 4 <= scan; i++)
		if (memcmp(pdu.p + i, key, 4) == 0)
			break;
	if (i + 4 > scan) {
		obs_anomaly(ctx, RDP_ANOM_BAD_GCC, "no H.221 key %s", key);
		return -1;
	}
	(void)cur_skip(&pdu, i + 4);
	if (rdp_per_len(&pdu, &n) != 0 || cur_sub(&pdu, n, &blocks) != 0) {
		obs_anomaly(ctx, RDP_ANOM_BAD_GCC, "user data length");
		return -1;
	}
	while (cur_left(&blocks) > 0) {
		uint16_t type, blen;
		struct cur b;
		uint32_t a, z;
		if (++nb > RDP_UD_BLOCKS_MAX) {
			obs_anomaly(ctx, RDP_ANOM_BAD_GCC, "more than %d user data blocks", RDP_UD_BLOCKS_MAX);
			return -1;
		}
		if (cur_le16(&blocks, &type) != 0 || cur_le16(&blocks, &blen) != 0 || blen < 4 ||
		    cur_sub(&blocks, (size_t)blen - 4, &b) != 0) {
			obs_anomaly(ctx, RDP_ANOM_BAD_GCC, "user data block header");
			return -1;
		}
		if (!server && type == CS_SECURITY) {
			if (cur_le32(&b, &a) != 0) {
				obs_anomaly(ctx, RDP_ANOM_BAD_GCC, "short CS_SECURITY");
				return -1;
			}
			st->cs_security = true;
			st->client_methods = a;
		} else if (server && type == SC_SECURITY) {
			if (cur_le32(&b, &a) != 0 || cur_le32(&b, &z) != 0) {
				obs_anomaly(ctx, RDP_ANOM_BAD_GCC, "short SC_SECURITY");
				return -1;
			}
			st->sc_security = true;
			st->method = a;
			st->level = z;
		}
	}
	return 0;
}

/* One X.224 DT TPDU with an MCS connect PDU (client: Connect-Initial,
 * APPLICATION 101; server: Connect-Response, APPLICATION 102). 1: read, 0:
 * the server sent an MCS domain PDU instead (a disconnect), -1: error. */
static int rdp_parse_mcs(struct dis_ctx *ctx, struct rdp_state *st, struct cur x, bool server)
{
	uint8_t li, code, eot;
	struct ber_tlv app, t;
	int r;

	(void)cur_skip(&x, 4);
	if (cur_u8(&x, &li) != 0 || cur_u8(&x, &code) != 0) {
		obs_anomaly(ctx, RDP_ANOM_BAD_TPKT_LENGTH, "no X.224 header");
		return -1;
	}
	if (code != X224_DT || li != 2 || cur_u8(&x, &eot) != 0) {
		obs_anomaly(ctx, RDP_ANOM_UNEXPECTED_TPDU, "code 0x%02x LI %u where a Data TPDU was expected",
			    code, li);
		return -1;
	}
	if (server && cur_left(&x) > 0 && x.p[0] >> 2 == MCS_DISCONNECT_PROVIDER_ULTIMATUM) {
		/* PER DomainMCSPDU choice 8: disconnectProviderUltimatum (T.125 §11.15) */
		st->disconnect = true;
		return 0;
	}
	r = ber_expect(&x, BER_CLASS_APPLICATION, true, server ? 102 : 101, &app);
	if (r != 0) {
		obs_anomaly(ctx, RDP_ANOM_BAD_MCS, "no MCS %s", server ? "Connect-Response" : "Connect-Initial");
		return -1;
	}
	if (server) {
		struct ber_tlv res;
		if (ber_expect(&app.val, BER_CLASS_UNIVERSAL, false, 10, &res) != 0 ||
		    ber_int(&res, &st->mcs_result) != 0 ||
		    ber_expect(&app.val, BER_CLASS_UNIVERSAL, false, 2, &t) != 0 ||
		    ber_expect(&app.val, BER_CLASS_UNIVERSAL, true, 16, &t) != 0 ||
		    ber_expect(&app.val, BER_CLASS_UNIVERSAL, false, 4, &t) != 0) {
			obs_anomaly(ctx, RDP_ANOM_BAD_MCS, "Connect-Response fields");
			return -1;
		}
		st->cresp_seen = true;
	} else {
		if (ber_expect(&app.val, BER_CLASS_UNIVERSAL, false, 4, &t) != 0 ||
		    ber_expect(&app.val, BER_CLASS_UNIVERSAL, false, 4, &t) != 0 ||
		    ber_expect(&app.val, BER_CLASS_UNIVERSAL, false, 1, &t) != 0 ||
		    ber_expect(&app.val, BER_CLASS_UNIVERSAL, true, 16, &t) != 0 ||
		    ber_expect(&app.val, BER_CLASS_UNIVERSAL, true, 16, &t) != 0 ||
		    ber_expect(&app.val, BER_CLASS_UNIVERSAL, true, 16, &t) != 0 ||
		    ber_expect(&app.val, BER_CLASS_UNIVERSAL, false, 4, &t) != 0) {
			obs_anomaly(ctx, RDP_ANOM_BAD_MCS, "Connect-Initial fields");
			return -1;
		}
		st->ci_seen = true;
	}
	if (rdp_gcc(ctx, st, t.val, server) != 0)
		return -1;
	return 1;
}

/* One client PDU after the Connect Initial: MCS domain PDUs (PER, T.125
 * §11) until the Client Info PDU ([MS-RDPBCGR] 2.2.1.11), an MCS Send Data
 * Request whose security header (2.2.8.1.1.2.1) has SEC_INFO_PKT. Erect
 * Domain, Attach User and Channel Join requests are passed over; a Security
 * Exchange PDU (SEC_EXCHANGE_PKT) is noted. Of a Client Info PDU in clear
 * only cbPassword of TS_INFO_PACKET (2.2.1.11.1.1) is read, never the
 * password. 1: the Client Info PDU was read, 0: another PDU, -1: error. */
static int rdp_parse_client_pdu(struct dis_ctx *ctx, struct rdp_state *st, struct cur x)
{
	uint8_t li = 0, code = 0, eot, b;
	uint16_t flags, hi, cb_domain, cb_user, cb_pass;
	struct cur data;
	size_t n;

	(void)cur_skip(&x, 4);
	if (cur_u8(&x, &li) != 0 || cur_u8(&x, &code) != 0 || code != X224_DT || li != 2 ||
	    cur_u8(&x, &eot) != 0) {
		obs_anomaly(ctx, RDP_ANOM_UNEXPECTED_TPDU, "code 0x%02x LI %u where a Data TPDU was expected",
			    code, li);
		return -1;
	}
	if (cur_u8(&x, &b) != 0) {
		obs_anomaly(ctx, RDP_ANOM_BAD_MCS, "an empty Data TPDU");
		return -1;
	}
	if (b >> 2 != MCS_SEND_DATA_REQUEST)
		return 0;
	/* initiator, channelId, dataPriority + segmentation, userData length */
	if (cur_skip(&x, 5) != 0 || rdp_per_len(&x, &n) != 0 || cur_sub(&x, n, &data) != 0) {
		obs_anomaly(ctx, RDP_ANOM_BAD_MCS, "sendDataRequest header");
		return -1;
	}
	if (cur_le16(&data, &flags) != 0 || cur_le16(&data, &hi) != 0) {
		obs_anomaly(ctx, RDP_ANOM_BAD_MCS, "no security header");
		return -1;
	}
	if (flags & SEC_EXCHANGE_PKT)
		st->exchange = true;
	if (!(flags & SEC_INFO_PKT))
		return 0;
	st->info_seen = true;
	st->info_encrypted = (flags & SEC_ENCRYPT) != 0;
	if (st->info_encrypted)
		return 1;
	/* CodePage, flags, cbDomain, cbUserName, cbPassword */
	if (cur_skip(&data, 8) != 0 || cur_le16(&data, &cb_domain) != 0 || cur_le16(&data, &cb_user) != 0 ||
	    cur_le16(&data, &cb_pass) != 0) {
		obs_anomaly(ctx, RDP_ANOM_BAD_MCS, "short TS_INFO_PACKET");
		return -1;
	}
	st->info_password = cb_pass > 0;
	return 1;
}

static struct dis_result rdp_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				   const uint8_t *p, size_t len)
{
	struct rdp_state *st = state;
	struct cur c = cur_make(p, len), pdu;
	size_t need;
	int r;

	obs_protocol(ctx, "rdp");
	if (st->phase == RDP_END)
		return dis_done(0);
	/* the client says nothing between its CR and the server's CC (what it
	 * sends after the CC may be TLS: left for the hand-off) */
	if (dir == DIR_C2S && st->phase == RDP_WAIT_CC)
		return dis_ok(0);
	/* the server speaks only after the CR */
	if (dir == DIR_S2C && st->phase == RDP_WAIT_CR)
		return dis_ok(0);
	/* after its Connect Response or disconnect the server has nothing
	 * more to tell */
	if (dir == DIR_S2C && (st->disconnect || st->cresp_seen))
		return dis_ok(len);
	r = rdp_tpkt(ctx, st, dir, &c, &pdu, &need);
	if (r < 0)
		return dis_error(len);
	if (r == 0)
		return dis_incomplete(0, need);

	switch (st->phase) {
	case RDP_WAIT_CR:
		if (rdp_parse_cr(ctx, st, pdu) != 0)
			return dis_error(len);
		st->phase = RDP_WAIT_CC;
		return dis_ok(cur_off(&c, p));
	case RDP_WAIT_CC:
		r = rdp_parse_cc(ctx, st, pdu);
		if (r < 0)
			return dis_error(len);
		if (r == 1) {
			st->phase = RDP_MCS;
			return dis_ok(cur_off(&c, p));
		}
		st->phase = RDP_END;
		if (st->neg == RDP_NEG_RESPONSE) {
			/* TLS from the next byte of each direction ([MS-RDPBCGR] 5.4.5.1) */
			obs_security(ctx, SEC_STARTTLS);
			dis_handoff(ctx, "tls");
		}
		return dis_done(cur_off(&c, p));
	case RDP_MCS:
		if (dir == DIR_C2S && st->ci_seen) {
			r = rdp_parse_client_pdu(ctx, st, pdu);
			if (r < 0)
				return dis_error(len);
			if (r == 0 && ++st->client_pdus >= RDP_CLIENT_PDUS_MAX) {
				obs_anomaly(ctx, RDP_ANOM_NO_CLIENT_INFO, "%d client PDUs without a Client Info PDU",
					    RDP_CLIENT_PDUS_MAX);
				r = 1;
			}
			if (r == 1) {
				st->phase = RDP_END;
				return dis_done(cur_off(&c, p));
			}
			return dis_ok(cur_off(&c, p));
		}
		if (rdp_parse_mcs(ctx, st, pdu, dir == DIR_S2C) < 0)
			return dis_error(len);
		/* a disconnect ends it once the Connect Initial is read (xrdp
		 * set to TLS may answer an old client's CC that way before the
		 * client's Connect Initial, which is still read); otherwise the
		 * client's PDUs are read up to its Client Info PDU */
		if (st->disconnect && st->ci_seen) {
			st->phase = RDP_END;
			return dis_done(cur_off(&c, p));
		}
		return dis_ok(cur_off(&c, p));
	case RDP_END:
		break;
	}
	return dis_done(len);
}

static void rdp_detail_name(struct dis_ctx *ctx, const char *key, const char *name, uint32_t v)
{
	char b[16];
	if (name != NULL) {
		obs_detail_str(ctx, key, name, strlen(name));
		return;
	}
	snprintf(b, sizeof(b), "0x%08x", (unsigned)v);
	obs_detail_str(ctx, key, b, strlen(b));
}

static const char *rdp_protocol_name(uint32_t v)
{
	unsigned i;
	if (v == 0)
		return "rdp";
	for (i = 0; rdp_protocols[i].name; i++)
		if (rdp_protocols[i].bit == v)
			return rdp_protocols[i].name;
	return NULL;
}

static void rdp_flow_end(struct dis_ctx *ctx, void *state)
{
	struct rdp_state *st = state;
	unsigned i;

	if ((st->pending[0] || st->pending[1]) && st->phase != RDP_END)
		obs_anomaly(ctx, RDP_ANOM_TRUNCATED, "a TPKT was incomplete when the stream ended");
	if (!st->cr_seen)
		return;
	if (st->token_len > 0)
		obs_detail_str(ctx, "rdp_routing_token", st->token, st->token_len);
	obs_detail_bool(ctx, "rdp_neg_request", st->neg_req);
	if (st->neg_req) {
		obs_detail_int(ctx, "rdp_requested_protocols", st->requested);
		if (st->requested == 0)
			obs_detail_list_str(ctx, "rdp_requested", "rdp", 3);
		for (i = 0; rdp_protocols[i].name; i++)
			if (st->requested & rdp_protocols[i].bit)
				obs_detail_list_str(ctx, "rdp_requested", rdp_protocols[i].name,
						    strlen(rdp_protocols[i].name));
		obs_detail_int(ctx, "rdp_neg_request_flags", st->req_flags);
	}
	switch (st->neg) {
	case RDP_NEG_UNSEEN:
		break;
	case RDP_NEG_NONE:
		obs_detail_str(ctx, "rdp_negotiation", "none", 4);
		obs_detail_str(ctx, "rdp_selected_protocol", "rdp", 3);
		break;
	case RDP_NEG_RESPONSE:
		obs_detail_str(ctx, "rdp_negotiation", "response", 8);
		rdp_detail_name(ctx, "rdp_selected_protocol", rdp_protocol_name(st->selected), st->selected);
		obs_detail_int(ctx, "rdp_neg_response_flags", st->rsp_flags);
		break;
	case RDP_NEG_FAILURE:
		obs_detail_str(ctx, "rdp_negotiation", "failure", 7);
		rdp_detail_name(ctx, "rdp_neg_failure",
				st->failure < RDP_FAILURES_N ? rdp_failures[st->failure] : NULL, st->failure);
		obs_detail_int(ctx, "rdp_neg_failure_code", st->failure);
		break;
	}
	if (st->cs_security)
		obs_detail_int(ctx, "rdp_client_encryption_methods", st->client_methods);
	if (st->cresp_seen)
		obs_detail_int(ctx, "rdp_mcs_result", st->mcs_result);
	if (st->sc_security) {
		const char *m = NULL;
		for (i = 0; rdp_methods[i].name; i++)
			if (rdp_methods[i].v == st->method)
				m = rdp_methods[i].name;
		rdp_detail_name(ctx, "rdp_encryption_method", m, st->method);
		rdp_detail_name(ctx, "rdp_encryption_level",
				st->level < RDP_LEVELS_N ? rdp_levels[st->level] : NULL, st->level);
	}
	if (st->disconnect)
		obs_detail_bool(ctx, "rdp_mcs_disconnect", true);
	if (st->cresp_seen)
		obs_detail_bool(ctx, "rdp_security_exchange", st->exchange);
	if (st->info_seen) {
		obs_detail_bool(ctx, "rdp_client_info_encrypted", st->info_encrypted);
		/* what the wire shows: the Client Info PDU (user name and
		 * password) encrypted or not */
		obs_security(ctx, st->info_encrypted ? SEC_APP_ENCRYPTED : SEC_CLEARTEXT);
		if (!st->info_encrypted && st->info_password) {
			obs_credentials(ctx, "password");
			obs_auth_mechanism(ctx, "password", 8);
		}
	}
}

static const uint16_t rdp_ports[] = { 3389, 0 };

const struct dissector dissector_rdp = {
	.name = "rdp",
	.transport = DIS_TCP,
	.ports = rdp_ports,
	.probe = rdp_probe,
	.state_size = sizeof(struct rdp_state),
	.parse = rdp_parse,
	.flow_end = rdp_flow_end,
	.anomalies = rdp_anomalies,
};
