/* SPDX-License-Identifier: BSD-3-Clause */
/* smb.c — SMB session set-up over TCP 445: the NetBIOS session service
 * framing (RFC 1002 §4.3.1, [MS-SMB2] 2.1 Direct TCP: a zero byte and a
 * 24-bit length), SMB1 NEGOTIATE / SESSION_SETUP_ANDX / TREE_CONNECT_ANDX
 * ([MS-CIFS] 2.2.4.52, 2.2.4.53, 2.2.4.55; [MS-SMB] 2.2.4.5, 2.2.4.6),
 * SMB2/3 NEGOTIATE ([MS-SMB2] 2.2.3, 2.2.4, negotiate contexts 2.2.3.1),
 * SESSION_SETUP (2.2.5, 2.2.6), TREE_CONNECT (2.2.9, 2.2.10), the
 * TRANSFORM_HEADER of SMB 3.x encryption (2.2.41) and the compression
 * transform header (2.2.42); NTLMSSP messages inside the security blobs
 * ([MS-NLMP] 2.2.1.1-2.2.1.3) and Kerberos by its mechanism OID (RFC 4178
 * SPNEGO, RFC 4121 §1.1: 1.2.840.113554.1.2.2 and Microsoft's
 * 1.2.840.48018.1.2.2).
 *
 *   NBSS:       type u8 (0x00 message, 0x85 keep-alive, 0x81-0x84 session
 *               service) | length 24-bit BE (RFC 1002: flags u8 + 16 bits)
 *   SMB2 header (64 bytes, LE): 0xFE 'SMB' | StructureSize 64 | CreditCharge
 *               | Status u32 | Command u16 | Credits u16 | Flags u32 (0x1
 *               response, 0x8 signed) | NextCommand u32 | MessageId u64 |
 *               AsyncId/Reserved+TreeId | SessionId u64 | Signature 16
 *   SMB1 header (32 bytes): 0xFF 'SMB' | Command u8 | Status u32 | Flags u8
 *               (0x80 reply) | Flags2 u16 (0x8000 Unicode) | ... | then
 *               WordCount u8, Words, ByteCount u16, Bytes
 *   TRANSFORM:  0xFD 'SMB' | Signature 16 | Nonce 16 | OriginalMessageSize
 *               u32 | Reserved u16 | Flags/EncryptionAlgorithm u16 |
 *               SessionId u64 | encrypted message
 *
 * Facts (cleartext.details, docs/EXPORT.md "SMB details"), stated at the
 * flow's end from what was seen: the SMB1 dialect strings offered and
 * chosen; the SMB2 dialects offered and the DialectRevision; each side's
 * SecurityMode (signing enabled / required) and encryption capability;
 * 3.1.1 ciphers and signing algorithms offered and selected; the session's
 * authentication (NTLMSSP message types, the NTLM user, domain and
 * workstation and the NTLM version from the NT response's length — never
 * its bytes — or Kerberos); SessionFlags (guest, null, encrypt); the tree
 * paths and ShareFlags ENCRYPT_DATA; counts of transform (encrypted) and
 * signed messages. Security: cleartext, app_encrypted once a transform
 * header is on the wire (docs/DISSECTORS.md rule 5). An NTLM
 * AUTHENTICATE with an NT response is obs_auth_mechanism "ntlm" (a
 * challenge-response, not credentials: the report judges it); an
 * anonymous one (no user, no NT response) is "anonymous".
 *
 * Bounds: messages read only until the first tree connect to a share other
 * than IPC$ is answered, the transform headers of both directions were
 * seen, or SMB_MSGS_MAX messages per direction; a message the dissector
 * reads is at most SMB_MSG_MAX bytes; later ones are skipped unbuffered.
 *
 * Selection: either direction's first bytes are an NBSS message (type 0)
 * holding 0xFE/0xFF/0xFD/0xFC 'SMB', or an NBSS session request (0x81,
 * port 139 style) with its first encoded name. A length over the cap still
 * matches; parse() raises message_too_long.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"

#define SMB_MSG_MAX 65536      /* set-up messages are a few KiB; NTLM blobs < 2 KiB */
#define SMB_MSGS_MAX 64        /* messages per direction before DONE */
#define SMB_COMPOUND_MAX 32    /* SMB2 messages chained in one NBSS message */
#define SMB_DIALECTS_MAX 64    /* SMB2 DialectCount read */
#define SMB_CONTEXTS_MAX 32    /* negotiate contexts read */
#define SMB_IDS_MAX 16         /* cipher / signing ids read per context */
#define SMB1_DIALECTS_MAX 16   /* SMB1 dialect strings kept */
#define SMB1_DIALECT_LEN 24    /* longest SMB1 dialect string kept */
#define SMB_TREES_MAX 4        /* tree paths stated */
#define SMB_NAME_MAX 128       /* UTF-8 bytes of a user, domain, path */

enum {
	SMB_ANOM_BAD_NBSS = 1,
	SMB_ANOM_TOO_LONG,
	SMB_ANOM_BAD_PROTOCOL,
	SMB_ANOM_BAD_HEADER,
	SMB_ANOM_BAD_NEGOTIATE,
	SMB_ANOM_BAD_CONTEXT,
	SMB_ANOM_BAD_SESSION_SETUP,
	SMB_ANOM_BAD_NTLM,
	SMB_ANOM_BAD_TREE_CONNECT,
	SMB_ANOM_BAD_TRANSFORM,
	SMB_ANOM_BAD_COMPOUND,
	SMB_ANOM_CAP,
};

static const struct anomaly_def smb_anomalies[] = {
	{ SMB_ANOM_BAD_NBSS, "bad_nbss_header" },
	{ SMB_ANOM_TOO_LONG, "message_too_long" },
	{ SMB_ANOM_BAD_PROTOCOL, "bad_protocol_id" },
	{ SMB_ANOM_BAD_HEADER, "bad_header" },
	{ SMB_ANOM_BAD_NEGOTIATE, "bad_negotiate" },
	{ SMB_ANOM_BAD_CONTEXT, "bad_negotiate_context" },
	{ SMB_ANOM_BAD_SESSION_SETUP, "bad_session_setup" },
	{ SMB_ANOM_BAD_NTLM, "bad_ntlm_message" },
	{ SMB_ANOM_BAD_TREE_CONNECT, "bad_tree_connect" },
	{ SMB_ANOM_BAD_TRANSFORM, "bad_transform_header" },
	{ SMB_ANOM_BAD_COMPOUND, "bad_next_command" },
	{ SMB_ANOM_CAP, "count_over_cap" },
	{ 0, NULL },
};

/* [MS-SMB2] 2.2.3 Dialects; 0x02FF is the wildcard answer to an SMB1
 * NEGOTIATE offering "SMB 2.???" (3.3.5.3.1). Ends with a sentinel. */
struct smb_tok {
	uint16_t id;
	const char *name;
};

static const struct smb_tok smb_dialects[] = {
	{ 0x0202, "2.0.2" }, { 0x0210, "2.1" }, { 0x0222, "2.2.2" }, { 0x0224, "2.2.4" },
	{ 0x02FF, "2.???" }, { 0x0300, "3.0" }, { 0x0302, "3.0.2" }, { 0x0310, "3.1" },
	{ 0x0311, "3.1.1" }, { 0, NULL },
};

/* 2.2.3.1.2 Ciphers; 2.2.41 EncryptionAlgorithm of SMB 3.0 / 3.0.2 */
static const struct smb_tok smb_ciphers[] = {
	{ 0x0000, "none" }, { 0x0001, "AES-128-CCM" }, { 0x0002, "AES-128-GCM" },
	{ 0x0003, "AES-256-CCM" }, { 0x0004, "AES-256-GCM" }, { 0xFFFF, NULL },
};

/* 2.2.3.1.7 SigningAlgorithms */
static const struct smb_tok smb_signing_algs[] = {
	{ 0x0000, "HMAC-SHA256" }, { 0x0001, "AES-CMAC" }, { 0x0002, "AES-GMAC" }, { 0xFFFF, NULL },
};

#define SMB2_NEGOTIATE 0x0000
#define SMB2_SESSION_SETUP 0x0001
#define SMB2_TREE_CONNECT 0x0003
#define SMB2_FLAGS_RESPONSE 0x00000001u
#define SMB2_FLAGS_SIGNED 0x00000008u
#define SMB2_SIGNING_ENABLED 0x0001
#define SMB2_SIGNING_REQUIRED 0x0002
#define SMB2_CAP_ENCRYPTION 0x00000040u
#define SMB2_SESSION_IS_GUEST 0x0001
#define SMB2_SESSION_IS_NULL 0x0002
#define SMB2_SESSION_ENCRYPT 0x0004
#define SMB2_SHAREFLAG_ENCRYPT 0x00008000u
#define SMB2_CTX_ENCRYPTION 0x0002
#define SMB2_CTX_SIGNING 0x0008
#define SMB2_STATUS_MORE_PROCESSING 0xC0000016u
#define SMB1_NEGOTIATE 0x72
#define SMB1_SESSION_SETUP_ANDX 0x73
#define SMB1_TREE_CONNECT_ANDX 0x75
#define SMB1_FLAGS_REPLY 0x80
#define SMB1_FLAGS2_UNICODE 0x8000
#define SMB1_SEC_ENCRYPT_PASSWORDS 0x02
#define SMB1_SEC_SIGNATURES_ENABLED 0x04
#define SMB1_SEC_SIGNATURES_REQUIRED 0x08
#define NTLM_NEGOTIATE_UNICODE 0x00000001u

/* RFC 4121 §1.1 (Kerberos V5 GSS-API, 1.2.840.113554.1.2.2) and the
 * Microsoft variant 1.2.840.48018.1.2.2 that Windows lists in SPNEGO
 * mechTypes ([MS-SPNG]); DER: tag, length, value */
static const uint8_t smb_oid_krb5[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02 };
static const uint8_t smb_oid_mskrb5[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02 };

/* What one side said in NEGOTIATE; -1 = not seen */
struct smb_side {
	int sec_mode;       /* SecurityMode (SMB2) or mapped SMB1 bits */
	int enc_cap;        /* Capabilities ENCRYPTION bit */
};

struct smb_state {
	bool started, done;
	size_t skip[2];               /* bytes of a message skipped unbuffered */
	unsigned msgs[2];             /* messages read per direction */
	unsigned transforms[2];       /* TRANSFORM_HEADER messages per direction */
	unsigned signed_msgs;         /* SMB2 headers with SMB2_FLAGS_SIGNED */
	unsigned compressed;          /* compression transform headers */
	const char *version;          /* "SMB1", "SMB2", "SMB3" */
	int dialect;                  /* SMB2 DialectRevision, -1 none */
	struct smb_side side[2];      /* by direction of the sender */
	int cipher, signing_alg;      /* 3.1.1 selected, or 3.0 transform; -1 */
	int session_flags;            /* last successful SESSION_SETUP, -1 */
	int64_t session_status;       /* last final SESSION_SETUP status, -1 */
	bool share_encrypt;           /* a tree connect answered ENCRYPT_DATA */
	unsigned trees;               /* tree connect requests stated */
	bool tree_pending_share;      /* last request was not IPC$ */
	bool smb1_offered;            /* client sent an SMB1 NEGOTIATE */
	bool neg_seen;                /* a NEGOTIATE request (SMB1 or SMB2) */
	int smb1_mode;                /* SMB1 server SecurityMode byte, -1 */
	unsigned smb1_ndialects;
	char smb1_dialects[SMB1_DIALECTS_MAX][SMB1_DIALECT_LEN + 1];
	int smb1_chosen;              /* DialectIndex, -1 */
};

static const char *smb_name16(const struct smb_tok *tab, uint16_t id)
{
	for (; tab->name; tab++)
		if (tab->id == id)
			return tab->name;
	return NULL;
}

static const char *smb_dialect_name(uint16_t d)
{
	return smb_name16(smb_dialects, d);
}

/* UTF-16LE -> UTF-8 (BMP; a surrogate or a code point that needs more as
 * U+FFFD), at most cap-1 bytes out, NUL-terminated. Returns the length. */
static size_t smb_utf16(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i + 1 < n; i += 2) {
		unsigned u = (unsigned)p[i] | (unsigned)p[i + 1] << 8;
		if (u >= 0xD800 && u <= 0xDFFF)
			u = 0xFFFD;
		if (u < 0x80) {
			if (o + 1 >= cap)
				break;
			out[o++] = (char)u;
		} else if (u < 0x800) {
			if (o + 2 >= cap)
				break;
			out[o++] = (char)(0xC0 | u >> 6);
			out[o++] = (char)(0x80 | (u & 0x3F));
		} else {
			if (o + 3 >= cap)
				break;
			out[o++] = (char)(0xE0 | u >> 12);
			out[o++] = (char)(0x80 | ((u >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (u & 0x3F));
		}
	}
	out[o] = '\0';
	return o;
}

/* First occurrence of needle in [p, p+n), or NULL. Bounded by n. */
static const uint8_t *smb_find(const uint8_t *p, size_t n, const void *needle, size_t nl)
{
	size_t i;

	if (nl == 0 || n < nl)
		return NULL;
	for (i = 0; i + nl <= n; i++)
		if (p[i] == *(const uint8_t *)needle && memcmp(p + i, needle, nl) == 0)
			return p + i;
	return NULL;
}

static enum probe_res smb_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	uint8_t t, b;
	uint16_t l16;
	unsigned i;
	int r;

	(void)dir; /* a capture that starts mid-session shows the server first */
	/* RFC 1002 §4.3.7 SESSION KEEP ALIVE (0x85, length 0) may come first */
	for (i = 0; i < 4 && cur_peek_lit(&c, "\x85\0\0\0", 4) == 0; i++)
		(void)cur_skip(&c, 4);
	if (cur_u8(&c, &t) != 0)
		return PROBE_NEED_MORE;
	if (t == 0x81) {
		/* RFC 1002 §4.3.2 SESSION REQUEST: flags 0, two encoded names
		 * of 34 bytes each (length byte 0x20, 32 half-ASCII letters, 0) */
		if (cur_u8(&c, &b) != 0 || cur_be16(&c, &l16) != 0)
			return PROBE_NEED_MORE;
		if (b != 0 || l16 < 68 || l16 > 256)
			return PROBE_NOMATCH;
		if (cur_u8(&c, &b) != 0)
			return PROBE_NEED_MORE;
		return b == 0x20 ? PROBE_MATCH : PROBE_NOMATCH;
	}
	if (t != 0x00)
		return PROBE_NOMATCH;
	/* a length over the cap still matches: parse() raises message_too_long */
	if ((r = cur_skip(&c, 3)) != 0)
		return PROBE_NEED_MORE;
	if (cur_u8(&c, &b) != 0)
		return PROBE_NEED_MORE;
	if (b != 0xFE && b != 0xFF && b != 0xFD && b != 0xFC)
		return PROBE_NOMATCH;
	r = cur_peek_lit(&c, "SMB", 3);
	return r == 0 ? PROBE_MATCH : r == CUR_TRUNC ? PROBE_NEED_MORE : PROBE_NOMATCH;
}

/* An NTLMSSP message at p (n bytes to the end of its blob): its type as a
 * fact; a type 3 AUTHENTICATE's user, domain, workstation and NT response
 * length. The responses' bytes are never read. 0, or -1 after an anomaly. */
static int smb_ntlm(struct dis_ctx *ctx, const uint8_t *p, size_t n)
{
	static const char *const types[] = { NULL, "negotiate", "challenge", "authenticate" };
	struct cur c = cur_make(p, n);
	uint32_t type, flags;
	uint16_t flen[6];
	uint32_t foff[6];
	char out[SMB_NAME_MAX];
	unsigned i;

	if (cur_skip(&c, 8) != 0 || cur_le32(&c, &type) != 0 || type < 1 || type > 3) {
		obs_anomaly(ctx, SMB_ANOM_BAD_NTLM, "NTLMSSP message type");
		return -1;
	}
	obs_detail_list_str(ctx, "ntlmssp_messages", types[type], strlen(types[type]));
	if (type != 3)
		return 0;
	/* [MS-NLMP] 2.2.1.3: Lm, Nt, Domain, User, Workstation,
	 * EncryptedRandomSessionKey fields (Len u16, MaxLen u16, Offset u32),
	 * then NegotiateFlags */
	for (i = 0; i < 6; i++) {
		uint16_t maxl;
		if (cur_le16(&c, &flen[i]) != 0 || cur_le16(&c, &maxl) != 0 || cur_le32(&c, &foff[i]) != 0)
			goto bad;
		if (foff[i] > n || flen[i] > n - foff[i])
			goto bad;
	}
	if (cur_le32(&c, &flags) != 0)
		goto bad;
	for (i = 2; i <= 4; i++) {
		static const char *const keys[] = { "ntlm_domain", NULL, "ntlm_workstation" };
		const uint8_t *s = p + foff[i];
		size_t sl = flen[i], ol;
		if (flags & NTLM_NEGOTIATE_UNICODE) {
			ol = smb_utf16(s, sl, out, sizeof(out));
		} else {
			ol = sl < sizeof(out) - 1 ? sl : sizeof(out) - 1;
			memcpy(out, s, ol);
		}
		if (i == 3) {
			if (ol > 0)
				obs_user(ctx, out, ol);
		} else if (ol > 0) {
			obs_detail_str(ctx, keys[i - 2], out, ol);
		}
	}
	/* [MS-NLMP] 3.3.1 / 3.3.2: a 24-byte NtChallengeResponse is NTLMv1,
	 * longer is an NTLMv2_RESPONSE; none with no user is anonymous
	 * (3.2.5.1.2) */
	if (flen[1] == 0 && flen[3] == 0) {
		obs_detail_bool(ctx, "ntlm_anonymous", true);
		obs_auth_mechanism(ctx, "anonymous", 9);
	} else {
		obs_detail_str(ctx, "ntlm_version", flen[1] > 24 ? "v2" : "v1", 2);
		obs_auth_mechanism(ctx, "ntlm", 4);
	}
	return 0;
bad:
	obs_anomaly(ctx, SMB_ANOM_BAD_NTLM, "AUTHENTICATE field outside the message");
	return -1;
}

/* A security blob (SPNEGO or raw NTLMSSP) of a session set-up. The
 * client's names the mechanism; the server's carries the CHALLENGE. */
static int smb_blob(struct dis_ctx *ctx, enum dir dir, const uint8_t *p, size_t n)
{
	const uint8_t *m = smb_find(p, n, "NTLMSSP\0", 8);

	if (m)
		return smb_ntlm(ctx, m, n - (size_t)(m - p));
	if (dir == DIR_C2S && n > 0 &&
	    (smb_find(p, n, smb_oid_krb5, sizeof(smb_oid_krb5)) ||
	     smb_find(p, n, smb_oid_mskrb5, sizeof(smb_oid_mskrb5))))
		obs_auth_mechanism(ctx, "kerberos", 8);
	return 0;
}

/* The blob at Offset/Length (both from the SMB2 header start) inside msg. */
static int smb2_blob_at(struct cur msg, uint32_t off, uint32_t len, const uint8_t **p)
{
	struct cur b;
	if (len == 0) {
		*p = NULL;
		return 0;
	}
	if (cur_skip(&msg, off) != 0 || cur_sub(&msg, len, &b) != 0)
		return CUR_INVALID;
	*p = b.p;
	return 0;
}

/* Negotiate contexts ([MS-SMB2] 2.2.3.1): at off from the header, 8-byte
 * aligned, count of them. Encryption and signing ids stated; the rest
 * skipped. `resp`: the server's (selected) or the client's (offered). */
static int smb2_contexts(struct dis_ctx *ctx, struct smb_state *st, struct cur msg, uint32_t off,
			 unsigned count, bool resp)
{
	unsigned i, j;

	if (count > SMB_CONTEXTS_MAX) {
		obs_anomaly(ctx, SMB_ANOM_CAP, "%u negotiate contexts", count);
		return -1;
	}
	if (count == 0)
		return 0;
	if (cur_skip(&msg, off) != 0)
		goto bad;
	for (i = 0; i < count; i++) {
		uint16_t type, dlen, n, id;
		struct cur d;
		/* padding to 8 between contexts (offsets from the header) */
		if (i > 0) {
			size_t pad = (8 - ((off) & 7)) & 7;
			if (cur_skip(&msg, pad) != 0)
				goto bad;
			off += (uint32_t)pad;
		}
		if (cur_le16(&msg, &type) != 0 || cur_le16(&msg, &dlen) != 0 || cur_skip(&msg, 4) != 0 ||
		    cur_sub(&msg, dlen, &d) != 0)
			goto bad;
		off += 8u + dlen;
		if (type != SMB2_CTX_ENCRYPTION && type != SMB2_CTX_SIGNING)
			continue;
		if (cur_le16(&d, &n) != 0)
			goto bad;
		if (n > SMB_IDS_MAX) {
			obs_anomaly(ctx, SMB_ANOM_CAP, "%u ids in negotiate context %u", n, type);
			return -1;
		}
		for (j = 0; j < n; j++) {
			const char *name;
			if (cur_le16(&d, &id) != 0)
				goto bad;
			name = type == SMB2_CTX_ENCRYPTION ? smb_name16(smb_ciphers, id)
							   : smb_name16(smb_signing_algs, id);
			if (resp) {
				if (type == SMB2_CTX_ENCRYPTION)
					st->cipher = id;
				else
					st->signing_alg = id;
			} else if (name) {
				obs_detail_list_str(ctx, type == SMB2_CTX_ENCRYPTION ? "smb_ciphers_offered"
							: "smb_signing_algorithms_offered", name, strlen(name));
			} else {
				char hex[12];
				int hl = snprintf(hex, sizeof(hex), "0x%04x", id);
				obs_detail_list_str(ctx, type == SMB2_CTX_ENCRYPTION ? "smb_ciphers_offered"
							: "smb_signing_algorithms_offered", hex, (size_t)hl);
			}
		}
	}
	return 0;
bad:
	obs_anomaly(ctx, SMB_ANOM_BAD_CONTEXT, "a negotiate context overruns the message");
	return -1;
}

static int smb2_negotiate(struct dis_ctx *ctx, struct smb_state *st, enum dir dir, struct cur msg,
			  struct cur body, bool resp)
{
	uint16_t ss, mode, n, d;
	uint32_t caps, ctxoff;
	unsigned i;
	bool has311 = false;

	if (!resp) {
		uint16_t nctx;
		if (cur_le16(&body, &ss) != 0 || cur_le16(&body, &n) != 0 || cur_le16(&body, &mode) != 0 ||
		    cur_skip(&body, 2) != 0 || cur_le32(&body, &caps) != 0 || cur_skip(&body, 16) != 0 ||
		    cur_le32(&body, &ctxoff) != 0 || cur_le16(&body, &nctx) != 0 || cur_skip(&body, 2) != 0)
			goto bad;
		if (ss != 36)
			goto bad;
		if (n > SMB_DIALECTS_MAX) {
			obs_anomaly(ctx, SMB_ANOM_CAP, "DialectCount %u", n);
			return -1;
		}
		for (i = 0; i < n; i++) {
			const char *name;
			char hex[12];
			if (cur_le16(&body, &d) != 0)
				goto bad;
			name = smb_dialect_name(d);
			if (!name) {
				snprintf(hex, sizeof(hex), "0x%04x", d);
				name = hex;
			}
			obs_detail_list_str(ctx, "smb_dialects_offered", name, strlen(name));
			has311 |= d == 0x0311;
		}
		st->side[dir].sec_mode = mode;
		st->side[dir].enc_cap = (caps & SMB2_CAP_ENCRYPTION) != 0;
		st->neg_seen = true;
		return has311 ? smb2_contexts(ctx, st, msg, ctxoff, nctx, false) : 0;
	} else {
		uint16_t nctx;
		if (cur_le16(&body, &ss) != 0 || cur_le16(&body, &mode) != 0 || cur_le16(&body, &d) != 0 ||
		    cur_le16(&body, &nctx) != 0 || cur_skip(&body, 16) != 0 || cur_le32(&body, &caps) != 0 ||
		    cur_skip(&body, 12 + 16 + 4) != 0 || cur_le32(&body, &ctxoff) != 0)
			goto bad;
		if (ss != 65)
			goto bad;
		st->dialect = d;
		st->version = d >= 0x0300 && d != 0x02FF ? "SMB3" : "SMB2";
		st->side[dir].sec_mode = mode;
		st->side[dir].enc_cap = (caps & SMB2_CAP_ENCRYPTION) != 0;
		return d == 0x0311 ? smb2_contexts(ctx, st, msg, ctxoff, nctx, true) : 0;
	}
bad:
	obs_anomaly(ctx, SMB_ANOM_BAD_NEGOTIATE, "%s of %zu bytes", resp ? "response" : "request",
		    cur_left(&body));
	return -1;
}

static int smb2_session_setup(struct dis_ctx *ctx, struct smb_state *st, enum dir dir, struct cur msg,
			      struct cur body, bool resp, uint32_t status)
{
	uint16_t ss, flags, off, len;
	const uint8_t *blob;

	if (!resp) {
		if (cur_le16(&body, &ss) != 0 || cur_skip(&body, 1 + 1 + 4 + 4) != 0 ||
		    cur_le16(&body, &off) != 0 || cur_le16(&body, &len) != 0 || ss != 25)
			goto bad;
	} else {
		if (cur_le16(&body, &ss) != 0 || cur_le16(&body, &flags) != 0 || cur_le16(&body, &off) != 0 ||
		    cur_le16(&body, &len) != 0 || ss != 9)
			goto bad;
		if (status != SMB2_STATUS_MORE_PROCESSING) {
			st->session_status = status;
			if (status == 0)
				st->session_flags = flags;
		}
	}
	if (smb2_blob_at(msg, off, len, &blob) != 0)
		goto bad;
	return blob ? smb_blob(ctx, dir, blob, len) : 0;
bad:
	obs_anomaly(ctx, SMB_ANOM_BAD_SESSION_SETUP, "%s", resp ? "response" : "request");
	return -1;
}

/* A tree path (UTF-8): stated (at most SMB_TREES_MAX); whether it is IPC$ */
static void smb_tree_path(struct dis_ctx *ctx, struct smb_state *st, const char *s, size_t n)
{
	if (st->trees < SMB_TREES_MAX)
		obs_detail_list_str(ctx, "smb_trees", s, n);
	st->trees++;
	st->tree_pending_share = !(n >= 4 && strncmp(s + n - 4, "IPC$", 4) == 0);
}

static int smb2_tree_connect(struct dis_ctx *ctx, struct smb_state *st, struct cur msg, struct cur body,
			     bool resp, uint32_t status)
{
	uint16_t ss, off, len;
	uint32_t flags;
	uint8_t type;
	const uint8_t *p;
	char out[SMB_NAME_MAX];

	if (!resp) {
		size_t ol;
		if (cur_le16(&body, &ss) != 0 || cur_skip(&body, 2) != 0 || cur_le16(&body, &off) != 0 ||
		    cur_le16(&body, &len) != 0 || ss != 9 || smb2_blob_at(msg, off, len, &p) != 0)
			goto bad;
		ol = p ? smb_utf16(p, len, out, sizeof(out)) : 0;
		smb_tree_path(ctx, st, out, ol);
		return 0;
	}
	if (status != 0)
		return 0; /* an error response (2.2.2): the tree is refused */
	if (cur_le16(&body, &ss) != 0 || cur_u8(&body, &type) != 0 || cur_skip(&body, 1) != 0 ||
	    cur_le32(&body, &flags) != 0 || ss != 16)
		goto bad;
	if (flags & SMB2_SHAREFLAG_ENCRYPT)
		st->share_encrypt = true;
	/* the first share other than IPC$ answered in clear: set-up done */
	if (st->tree_pending_share && !(flags & SMB2_SHAREFLAG_ENCRYPT))
		st->done = true;
	return 0;
bad:
	obs_anomaly(ctx, SMB_ANOM_BAD_TREE_CONNECT, "%s", resp ? "response" : "request");
	return -1;
}

/* One SMB2 message chain (msg covers the NBSS payload from a header). */
static int smb2_message(struct dis_ctx *ctx, struct smb_state *st, enum dir dir, struct cur all)
{
	unsigned k;

	for (k = 0; k < SMB_COMPOUND_MAX; k++) {
		struct cur hdr = all, msg = all, body;
		uint16_t ss, cmd;
		uint32_t status, flags, next;
		bool resp;
		int r = 0;

		if (cur_skip(&hdr, 4) != 0 || cur_le16(&hdr, &ss) != 0 || cur_skip(&hdr, 2) != 0 ||
		    cur_le32(&hdr, &status) != 0 || cur_le16(&hdr, &cmd) != 0 || cur_skip(&hdr, 2) != 0 ||
		    cur_le32(&hdr, &flags) != 0 || cur_le32(&hdr, &next) != 0 || cur_skip(&hdr, 40) != 0 ||
		    ss != 64 || cur_peek_lit(&all, "\xfeSMB", 4) != 0) {
			obs_anomaly(ctx, SMB_ANOM_BAD_HEADER, "SMB2 header of %zu bytes", cur_left(&all));
			return -1;
		}
		if (next != 0) {
			if (next < 64 || (next & 7) || next > cur_left(&all)) {
				obs_anomaly(ctx, SMB_ANOM_BAD_COMPOUND, "NextCommand %u of %zu", next,
					    cur_left(&all));
				return -1;
			}
			msg = cur_make(all.p, next);
		}
		body = cur_make(hdr.p, cur_left(&msg) - 64);
		resp = (flags & SMB2_FLAGS_RESPONSE) != 0;
		if (flags & SMB2_FLAGS_SIGNED)
			st->signed_msgs++;
		if (!st->version)
			st->version = "SMB2";
		switch (cmd) {
		case SMB2_NEGOTIATE:
			if (!resp || status == 0)
				r = smb2_negotiate(ctx, st, dir, msg, body, resp);
			break;
		case SMB2_SESSION_SETUP:
			if (!resp || status == 0 || status == SMB2_STATUS_MORE_PROCESSING)
				r = smb2_session_setup(ctx, st, dir, msg, body, resp, status);
			else
				st->session_status = status;
			break;
		case SMB2_TREE_CONNECT:
			r = smb2_tree_connect(ctx, st, msg, body, resp, status);
			break;
		default:
			break;
		}
		if (r != 0)
			return -1;
		if (next == 0)
			return 0;
		if (cur_skip(&all, next) != 0)
			return -1; /* checked above: next <= cur_left(&all) */
	}
	obs_anomaly(ctx, SMB_ANOM_CAP, "more than %u compounded messages", SMB_COMPOUND_MAX);
	return -1;
}

/* SMB1 SESSION_SETUP_ANDX without extended security ([MS-CIFS]
 * 2.2.4.53.1, WordCount 13): OEMPassword and UnicodePassword, then the
 * AccountName. When the server's NEGOTIATE said the passwords are not
 * encrypted (SecurityMode bit 0x02 clear, 2.2.4.52.2) they are the
 * password itself: credentials in clear, mechanism "password" (their
 * bytes are skipped, never read). Otherwise they are LM / NTLM responses
 * ([MS-NLMP] 3.3.1: 24 bytes is NTLMv1): mechanism "ntlm". */
static int smb1_session_setup_legacy(struct dis_ctx *ctx, struct smb_state *st, const uint8_t *base,
				     uint16_t flags2, struct cur words, struct cur bytes)
{
	uint16_t oemlen = 0, unilen = 0;
	char out[SMB_NAME_MAX];
	size_t ol;

	if (cur_skip(&words, 14) != 0 || cur_le16(&words, &oemlen) != 0 || cur_le16(&words, &unilen) != 0 ||
	    cur_skip(&bytes, oemlen) != 0 || cur_skip(&bytes, unilen) != 0) {
		obs_anomaly(ctx, SMB_ANOM_BAD_SESSION_SETUP, "SMB1 password lengths %u/%u past the message",
			    oemlen, unilen);
		return -1;
	}
	if (flags2 & SMB1_FLAGS2_UNICODE) {
		const uint8_t *q = bytes.p, *e = bytes.p + cur_left(&bytes), *z;
		if (q < e && ((size_t)(q - base) & 1))
			q++;
		for (z = q; (size_t)(e - z) >= 2 && (z[0] | z[1]); z += 2)
			;
		ol = smb_utf16(q, (size_t)(z - q), out, sizeof(out));
	} else {
		const char *a;
		size_t al;
		if (cur_cstr(&bytes, cur_left(&bytes), &a, &al) != 0)
			al = 0, a = "";
		ol = al < sizeof(out) - 1 ? al : sizeof(out) - 1;
		memcpy(out, a, ol);
		out[ol] = '\0';
	}
	if (ol > 0)
		obs_user(ctx, out, ol);
	obs_detail_str(ctx, "smb1_session_setup", "legacy", 6);
	if (oemlen == 0 && unilen == 0) {
		obs_auth_mechanism(ctx, "anonymous", 9);
	} else if (st->smb1_mode >= 0 && !(st->smb1_mode & SMB1_SEC_ENCRYPT_PASSWORDS)) {
		obs_credentials(ctx, "password");
	} else {
		obs_detail_str(ctx, "ntlm_version", unilen > 24 ? "v2" : "v1", 2);
		obs_auth_mechanism(ctx, "ntlm", 4);
	}
	return 0;
}

/* SMB1 ([MS-CIFS] 2.2.3.1 header, 2.2.4.52 NEGOTIATE, 2.2.4.53
 * SESSION_SETUP_ANDX, 2.2.4.55 TREE_CONNECT_ANDX). */
static int smb1_message(struct dis_ctx *ctx, struct smb_state *st, enum dir dir, struct cur msg)
{
	const uint8_t *base = msg.p;
	struct cur words, bytes;
	uint8_t cmd, flags, wc;
	uint16_t flags2, bc;
	uint32_t status;
	bool reply;

	if (cur_skip(&msg, 4) != 0 || cur_u8(&msg, &cmd) != 0 || cur_le32(&msg, &status) != 0 ||
	    cur_u8(&msg, &flags) != 0 || cur_le16(&msg, &flags2) != 0 || cur_skip(&msg, 20) != 0 ||
	    cur_u8(&msg, &wc) != 0 || cur_sub(&msg, (size_t)wc * 2, &words) != 0 ||
	    cur_le16(&msg, &bc) != 0 || cur_sub(&msg, bc, &bytes) != 0) {
		obs_anomaly(ctx, SMB_ANOM_BAD_HEADER, "SMB1 message of %zu bytes", cur_left(&msg));
		return -1;
	}
	reply = (flags & SMB1_FLAGS_REPLY) != 0;
	if (cmd == SMB1_NEGOTIATE && !reply) {
		st->smb1_offered = st->neg_seen = true;
		/* dialect strings: 0x02 BufferFormat then an OEM string */
		while (cur_left(&bytes) > 0) {
			const char *s;
			size_t sl;
			uint8_t fmt;
			if (cur_u8(&bytes, &fmt) != 0 || fmt != 0x02 ||
			    cur_cstr(&bytes, cur_left(&bytes), &s, &sl) != 0) {
				obs_anomaly(ctx, SMB_ANOM_BAD_NEGOTIATE, "SMB1 dialect list");
				return -1;
			}
			if (st->smb1_ndialects < SMB1_DIALECTS_MAX) {
				size_t kl = sl < SMB1_DIALECT_LEN ? sl : SMB1_DIALECT_LEN;
				memcpy(st->smb1_dialects[st->smb1_ndialects], s, kl);
				st->smb1_dialects[st->smb1_ndialects][kl] = '\0';
				obs_detail_list_str(ctx, "smb1_dialects_offered", s, sl);
			}
			st->smb1_ndialects++;
		}
		return 0;
	}
	if (cmd == SMB1_NEGOTIATE && reply) {
		uint16_t idx;
		uint8_t mode;
		if (cur_le16(&words, &idx) != 0) {
			obs_anomaly(ctx, SMB_ANOM_BAD_NEGOTIATE, "SMB1 response without DialectIndex");
			return -1;
		}
		st->smb1_chosen = idx == 0xFFFF ? -1 : idx;
		if (idx != 0xFFFF)
			st->version = "SMB1";
		/* NT LM 0.12 response (WordCount 17): SecurityMode u8 */
		if (wc == 17 && cur_u8(&words, &mode) == 0) {
			st->smb1_mode = mode;
			st->side[dir].sec_mode = ((mode & SMB1_SEC_SIGNATURES_ENABLED) ? SMB2_SIGNING_ENABLED : 0) |
						 ((mode & SMB1_SEC_SIGNATURES_REQUIRED) ? SMB2_SIGNING_REQUIRED : 0);
		}
		return 0;
	}
	if (cmd == SMB1_SESSION_SETUP_ANDX && !reply && wc == 13)
		return smb1_session_setup_legacy(ctx, st, base, flags2, words, bytes);
	if (cmd == SMB1_SESSION_SETUP_ANDX) {
		/* the extended-security blob ([MS-SMB] 2.2.4.6): found by its
		 * NTLMSSP signature or the Kerberos OID in the parameters and
		 * data; a reply's status 0 ends the set-up */
		if (reply && status != SMB2_STATUS_MORE_PROCESSING)
			st->session_status = status;
		return smb_blob(ctx, dir, bytes.p, cur_left(&bytes));
	}
	if (cmd == SMB1_TREE_CONNECT_ANDX && !reply) {
		uint16_t pwlen;
		const char *s;
		size_t sl;
		char out[SMB_NAME_MAX];
		/* words: AndX (4 bytes), Flags u16, PasswordLength u16 */
		if (cur_skip(&words, 6) != 0 || cur_le16(&words, &pwlen) != 0 || cur_skip(&bytes, pwlen) != 0)
			goto badtree;
		if (flags2 & SMB1_FLAGS2_UNICODE) {
			const uint8_t *q = bytes.p, *e = bytes.p + cur_left(&bytes);
			/* Pad to 2 from the header start, then a NUL-ended UTF-16LE path */
			if (((size_t)(q - base)) & 1)
				q++;
			{
				const uint8_t *z = q;
				while (z < e && (size_t)(e - z) >= 2 && (z[0] | z[1]))
					z += 2;
				if (z >= e || (size_t)(e - z) < 2)
					goto badtree;
				sl = smb_utf16(q, (size_t)(z - q), out, sizeof(out));
			}
			smb_tree_path(ctx, st, out, sl);
		} else {
			if (cur_cstr(&bytes, cur_left(&bytes), &s, &sl) != 0)
				goto badtree;
			smb_tree_path(ctx, st, s, sl);
		}
		return 0;
	}
	if (cmd == SMB1_TREE_CONNECT_ANDX && reply && status == 0 && st->tree_pending_share)
		st->done = true;
	return 0;
badtree:
	obs_anomaly(ctx, SMB_ANOM_BAD_TREE_CONNECT, "SMB1 request");
	return -1;
}

/* TRANSFORM_HEADER (2.2.41): counted; the session is encrypted. */
static int smb_transform(struct dis_ctx *ctx, struct smb_state *st, enum dir dir, struct cur msg,
			 uint32_t len)
{
	uint32_t osize;
	uint16_t alg;

	if (cur_skip(&msg, 4 + 16 + 16) != 0 || cur_le32(&msg, &osize) != 0 || cur_skip(&msg, 2) != 0 ||
	    cur_le16(&msg, &alg) != 0 || cur_skip(&msg, 8) != 0 || len < 52 || osize > len - 52) {
		obs_anomaly(ctx, SMB_ANOM_BAD_TRANSFORM, "%u bytes", len);
		return -1;
	}
	st->transforms[dir]++;
	/* 3.0 / 3.0.2 name the cipher here (1 = AES-128-CCM); 3.1.1 says
	 * Flags 1 = Encrypted and the cipher came from the negotiate context */
	if (st->dialect != 0x0311 && st->cipher < 0)
		st->cipher = alg;
	obs_security(ctx, SEC_APP_ENCRYPTED);
	if (st->transforms[0] > 0 && st->transforms[1] > 0)
		st->done = true;
	return 0;
}

static void smb_emit_signing(struct dis_ctx *ctx, const char *key, int mode)
{
	const char *v;
	if (mode < 0)
		return;
	v = (mode & SMB2_SIGNING_REQUIRED) ? "required" : (mode & SMB2_SIGNING_ENABLED) ? "enabled" : "disabled";
	obs_detail_str(ctx, key, v, strlen(v));
}

static void smb_flow_end(struct dis_ctx *ctx, void *state)
{
	struct smb_state *st = state;
	const char *s;

	if (!st->started)
		return;
	if (st->version)
		obs_detail_str(ctx, "smb_version", st->version, strlen(st->version));
	if (st->smb1_chosen >= 0 && (unsigned)st->smb1_chosen < st->smb1_ndialects &&
	    st->smb1_chosen < SMB1_DIALECTS_MAX) {
		s = st->smb1_dialects[st->smb1_chosen];
		obs_detail_str(ctx, "smb_dialect", s, strlen(s));
	} else if (st->dialect >= 0) {
		char hex[12];
		s = smb_dialect_name((uint16_t)st->dialect);
		if (!s) {
			snprintf(hex, sizeof(hex), "0x%04x", st->dialect);
			s = hex;
		}
		obs_detail_str(ctx, "smb_dialect", s, strlen(s));
	}
	if (st->neg_seen)
		obs_detail_bool(ctx, "smb1_negotiate", st->smb1_offered);
	smb_emit_signing(ctx, "smb_client_signing", st->side[DIR_C2S].sec_mode);
	smb_emit_signing(ctx, "smb_server_signing", st->side[DIR_S2C].sec_mode);
	if (st->side[DIR_C2S].enc_cap >= 0 && st->version && strcmp(st->version, "SMB1") != 0)
		obs_detail_bool(ctx, "smb_client_encryption_capable", st->side[DIR_C2S].enc_cap);
	if (st->side[DIR_S2C].enc_cap >= 0 && st->version && strcmp(st->version, "SMB1") != 0)
		obs_detail_bool(ctx, "smb_server_encryption_capable", st->side[DIR_S2C].enc_cap);
	if (st->cipher >= 0) {
		char hex[12];
		s = smb_name16(smb_ciphers, (uint16_t)st->cipher);
		if (!s) {
			snprintf(hex, sizeof(hex), "0x%04x", st->cipher);
			s = hex;
		}
		obs_detail_str(ctx, "smb_cipher", s, strlen(s));
	}
	if (st->signing_alg >= 0) {
		char hex[12];
		s = smb_name16(smb_signing_algs, (uint16_t)st->signing_alg);
		if (!s) {
			snprintf(hex, sizeof(hex), "0x%04x", st->signing_alg);
			s = hex;
		}
		obs_detail_str(ctx, "smb_signing_algorithm", s, strlen(s));
	}
	if (st->session_status >= 0) {
		char hex[12];
		int hl = snprintf(hex, sizeof(hex), "0x%08x", (unsigned)st->session_status);
		obs_detail_str(ctx, "smb_session_status", hex, (size_t)hl);
	}
	if (st->session_flags >= 0) {
		obs_detail_bool(ctx, "smb_session_guest", (st->session_flags & SMB2_SESSION_IS_GUEST) != 0);
		obs_detail_bool(ctx, "smb_session_null", (st->session_flags & SMB2_SESSION_IS_NULL) != 0);
		obs_detail_bool(ctx, "smb_session_encrypt", (st->session_flags & SMB2_SESSION_ENCRYPT) != 0);
	}
	if (st->trees > 0 && st->version && strcmp(st->version, "SMB1") != 0)
		obs_detail_bool(ctx, "smb_share_encrypt", st->share_encrypt);
	obs_detail_int(ctx, "smb_encrypted_messages", st->transforms[0] + st->transforms[1]);
	obs_detail_int(ctx, "smb_signed_messages", st->signed_msgs);
	if (st->compressed)
		obs_detail_int(ctx, "smb_compressed_messages", st->compressed);
}

static struct dis_result smb_parse(struct dis_ctx *ctx, void *state, enum dir dir, const uint8_t *p,
				   size_t len)
{
	struct smb_state *st = state;
	struct cur c = cur_make(p, len);

	if (!st->started) {
		st->started = true;
		st->dialect = st->cipher = st->signing_alg = st->session_flags = -1;
		st->smb1_chosen = st->smb1_mode = -1;
		st->session_status = -1;
		st->side[0].sec_mode = st->side[1].sec_mode = -1;
		st->side[0].enc_cap = st->side[1].enc_cap = -1;
		obs_protocol(ctx, "smb");
		obs_security(ctx, SEC_CLEARTEXT);
		obs_tls_offered(ctx, false);
		obs_tls_requested(ctx, false);
	}
	while (cur_left(&c) > 0) {
		size_t before = cur_off(&c, p);
		struct cur msg;
		uint32_t mlen;
		uint8_t type, id;
		int r = 0;

		if (st->done)
			return dis_done(before);
		if (st->skip[dir] > 0) {
			size_t n = st->skip[dir] < cur_left(&c) ? st->skip[dir] : cur_left(&c);
			(void)cur_skip(&c, n);
			st->skip[dir] -= n;
			continue;
		}
		if (cur_u8(&c, &type) != 0 || cur_be24(&c, &mlen) != 0)
			return dis_incomplete(before, 4);
		if (type >= 0x81 && type <= 0x85) {
			/* RFC 1002 §4.3: session service packets, a 17-bit length */
			st->skip[dir] = mlen & 0x1FFFF;
			continue;
		}
		if (type != 0x00) {
			obs_anomaly(ctx, SMB_ANOM_BAD_NBSS, "type 0x%02x", type);
			return dis_error(before);
		}
		if (mlen < 4) {
			obs_anomaly(ctx, SMB_ANOM_BAD_PROTOCOL, "message of %u bytes", mlen);
			return dis_error(before);
		}
		if (cur_u8(&c, &id) != 0)
			return dis_incomplete(before, 5);
		if (id == 0xFD || id == 0xFC) {
			/* transform: its 52-byte header read, the rest skipped */
			size_t hl = id == 0xFD ? 52 : 16;
			struct cur h;
			if (cur_left(&c) + 1 < hl && mlen >= hl)
				return dis_incomplete(before, 4 + hl);
			if (id == 0xFC) {
				st->compressed++;
				st->skip[dir] = mlen - 1;
			} else {
				h = cur_make(c.p - 1, cur_left(&c) + 1 < mlen ? cur_left(&c) + 1 : mlen);
				if (smb_transform(ctx, st, dir, h, mlen) != 0)
					return dis_error(before);
				st->skip[dir] = mlen - 1;
			}
			if (++st->msgs[dir] >= SMB_MSGS_MAX)
				st->done = true;
			continue;
		}
		if (mlen > SMB_MSG_MAX) {
			/* a large READ or WRITE (after the set-up, or in a capture
			 * that starts mid-session) is skipped unbuffered; only a
			 * set-up command this long is an anomaly */
			uint16_t cmd2 = 0xFFFF;
			uint8_t cmd1 = 0;
			struct cur pk = c;
			if (cur_left(&c) < 15)
				return dis_incomplete(before, 4 + 16);
			if (id == 0xFE) {
				(void)cur_skip(&pk, 11);
				(void)cur_le16(&pk, &cmd2);
			} else if (id == 0xFF) {
				(void)cur_skip(&pk, 3);
				(void)cur_u8(&pk, &cmd1);
			}
			if ((id == 0xFE && cmd2 > SMB2_TREE_CONNECT) ||
			    (id == 0xFF && cmd1 != SMB1_NEGOTIATE && cmd1 != SMB1_SESSION_SETUP_ANDX &&
			     cmd1 != SMB1_TREE_CONNECT_ANDX)) {
				st->skip[dir] = mlen - 1;
				if (++st->msgs[dir] >= SMB_MSGS_MAX)
					st->done = true;
				continue;
			}
			obs_anomaly(ctx, SMB_ANOM_TOO_LONG, "%u bytes over %u", mlen, SMB_MSG_MAX);
			return dis_error(before);
		}
		c = cur_make(p + before + 4, len - before - 4);
		if (cur_sub(&c, mlen, &msg) != 0)
			return dis_incomplete(before, 4 + (size_t)mlen);
		if (id == 0xFE && cur_peek_lit(&msg, "\xfeSMB", 4) == 0)
			r = smb2_message(ctx, st, dir, msg);
		else if (id == 0xFF && cur_peek_lit(&msg, "\xffSMB", 4) == 0)
			r = smb1_message(ctx, st, dir, msg);
		else {
			obs_anomaly(ctx, SMB_ANOM_BAD_PROTOCOL, "protocol id 0x%02x", id);
			return dis_error(before);
		}
		if (r != 0)
			return dis_error(before);
		if (++st->msgs[dir] >= SMB_MSGS_MAX)
			st->done = true;
		if (st->done)
			return dis_done(cur_off(&c, p));
	}
	return dis_ok(len);
}

static const uint16_t smb_ports[] = { 445, 139, 0 };

const struct dissector dissector_smb = {
	.name = "smb",
	.transport = DIS_TCP,
	.ports = smb_ports,
	.probe = smb_probe,
	.state_size = sizeof(struct smb_state),
	.parse = smb_parse,
	.flow_end = smb_flow_end,
	.anomalies = smb_anomalies,
};
