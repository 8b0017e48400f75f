/* SPDX-License-Identifier: BSD-3-Clause */
/* vnc.c — VNC / RFB handshake: RFC 6143 §7.1 (ProtocolVersion, §7.1.1;
 * security handshake, §7.1.2, with 3.3's server-chosen type in Appendix
 * A; SecurityResult, §7.1.3), §7.2 (security types None
 * and VNC Authentication), §7.3 (ClientInit, ServerInit); VeNCrypt (type
 * 19) as in the community RFB specification (rfbproto.rst, "VeNCrypt"),
 * which RFC 6143 leaves to the IANA registry. Security type numbers and
 * names: IANA "Remote Framebuffer (RFB)" registry, "RFB Security Types"
 * (https://www.iana.org/assignments/rfb/rfb.xhtml).
 *
 *   S: "RFB 003.008\n"                       ProtocolVersion (12 bytes)
 *   C: "RFB 003.008\n"                       the version the client uses
 *   3.7+  S: u8 count, count x u8 type       (count 0: u32 len, reason)
 *         C: u8 type                         the client's choice
 *   3.3   S: u32 type                        the server decides (0: u32
 *                                            len, reason)
 *   type 2 (VNC Authentication): S: 16-byte challenge, C: 16-byte DES
 *         response (a challenge-response: the password does not cross)
 *   S: u32 SecurityResult (0 ok, 1 failed; 3.8: failed + u32 len, reason)
 *         (not sent for None before 3.8)
 *   C: u8 shared-flag (ClientInit)
 *   S: u16 width, u16 height, 16-byte PIXEL_FORMAT, u32 len, desktop name
 *
 *   type 19 (VeNCrypt 0.2):
 *   S: u8 major, u8 minor   C: u8 major, u8 minor
 *   S: u8 status (0 ok), u8 count, count x u32 sub-type
 *   C: u32 sub-type
 *   Plain (256): C: u32 user len, u32 password len, user, password, then
 *         SecurityResult and the session in clear; None (1) and VNC
 *         Authentication (2) as sub-types go on as the types do;
 *   TLS*, X509* (257-264): S: u8 1 (0: refused), then a TLS handshake
 *         from the next byte in both directions: hand-off to "tls".
 *   TigerVNC (pcaps/vnc/) sends that u8 only for the TLS sub-types
 *   (SSecurityTLS); LibVNCClient and tshark expect it after every
 *   sub-type, Plain included. So a u8 1 from the server after a Plain
 *   choice, before the SecurityResult (whose first byte is always 0), is
 *   read as that acknowledgement.
 *
 * Facts (cleartext.details, in wire order): vnc_server_version,
 * vnc_client_version (the 7 characters after "RFB "), vnc_security_types
 * (3.7+: names of the offered types), vnc_security_type and
 * vnc_security_type_id (the client's choice; 3.3: the server's),
 * vnc_vencrypt_version, vnc_vencrypt_subtypes, vnc_vencrypt_subtype,
 * vnc_security_result ("ok", "failed", "failed_too_many"), vnc_failure_reason
 * (a string from the wire; the output layer escapes it), vnc_desktop_name
 * (ServerInit). Auth: None "none"; VNC Authentication "vnc" (no
 * credentials); VeNCrypt Plain "plain" + obs_user + obs_credentials —
 * the password is skipped, never copied. Security: `cleartext` once a
 * type that leaves the session in clear is chosen (None, VNC
 * Authentication, VeNCrypt Plain); `starttls` and a hand-off when a
 * VeNCrypt TLS/X509 sub-type is accepted; other types (Tight, RA2, Apple,
 * ...) are named and the dissector stops, security left unknown. Nothing
 * after ServerInit (the framebuffer) is parsed: DONE.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"

#define VNC_VERSION_LEN 12
#define VNC_REASON_MAX 4096   /* a failure reason longer than this is hostile */
#define VNC_NAME_MAX 4096     /* ServerInit desktop name */
#define VNC_PLAIN_MAX 1024    /* VeNCrypt Plain user / password length */

enum {
	VNC_ANOM_BAD_VERSION = 1,
	VNC_ANOM_REASON_TOO_LONG,
	VNC_ANOM_CHOICE_NOT_OFFERED,
	VNC_ANOM_BAD_RESULT,
	VNC_ANOM_NAME_TOO_LONG,
	VNC_ANOM_PLAIN_TOO_LONG,
};

static const struct anomaly_def vnc_anomalies[] = {
	{ VNC_ANOM_BAD_VERSION, "bad_version" },
	{ VNC_ANOM_REASON_TOO_LONG, "reason_too_long" },
	{ VNC_ANOM_CHOICE_NOT_OFFERED, "choice_not_offered" },
	{ VNC_ANOM_BAD_RESULT, "bad_security_result" },
	{ VNC_ANOM_NAME_TOO_LONG, "name_too_long" },
	{ VNC_ANOM_PLAIN_TOO_LONG, "plain_too_long" },
	{ 0, NULL },
};

struct vnc_tok {
	uint32_t v;
	const char *name;
};

/* IANA RFB Security Types (rfb.xhtml#rfb-2) for 0-2 and 16-24; inside
 * the ranges IANA gives to RealVNC (3-15, 128-255) and Apple (30-35), the
 * names of the community specification (rfbproto.rst) and TigerVNC 1.13+:
 * 5/6 RA2/RA2ne, 129/130 RA2_256/RA2ne_256, 30 Diffie-Hellman
 * Authentication (Apple Remote Desktop). */
static const struct vnc_tok vnc_sec_names[] = {
	{ 0, "Invalid" },
	{ 1, "None" },
	{ 2, "VNC Authentication" },
	{ 5, "RA2" },
	{ 6, "RA2ne" },
	{ 16, "Tight" },
	{ 17, "Ultra" },
	{ 18, "TLS" },
	{ 19, "VeNCrypt" },
	{ 20, "GTK-VNC SASL" },
	{ 21, "MD5 hash authentication" },
	{ 22, "Colin Dean xvp" },
	{ 23, "Secure Tunnel" },
	{ 24, "Integrated SSH" },
	{ 30, "Diffie-Hellman Authentication" },
	{ 129, "RA2_256" },
	{ 130, "RA2ne_256" },
	{ 0, NULL },
};

/* VeNCrypt sub-types (rfbproto.rst, "VeNCrypt"); values below 256 are
 * the security types of vnc_sec_names (TigerVNC lists None and VNC
 * Authentication among its sub-types). */
#define VNC_VEN_PLAIN 256
#define VNC_VEN_TLS_LAST 264
static const struct vnc_tok vnc_ven_names[] = {
	{ 256, "Plain" },
	{ 257, "TLSNone" },
	{ 258, "TLSVnc" },
	{ 259, "TLSPlain" },
	{ 260, "X509None" },
	{ 261, "X509Vnc" },
	{ 262, "X509Plain" },
	{ 263, "TLSSASL" },
	{ 264, "X509SASL" },
	{ 0, NULL },
};

/* The name of v in tab, or its decimal number in buf. */
static const char *vnc_tok_name(const struct vnc_tok *tab, uint32_t v, char *buf, size_t n)
{
	if (tab == vnc_ven_names && v < 256)
		tab = vnc_sec_names;
	for (; tab->name; tab++)
		if (tab->v == v)
			return tab->name;
	snprintf(buf, n, "%u", v);
	return buf;
}

/* Who speaks next, in RFC 6143 §7 order. */
enum vnc_phase {
	VP_VERSIONS = 0,   /* both ProtocolVersion lines */
	VP_SEC_S,          /* server: types (3.7+) or the u32 type (3.3) */
	VP_CHOICE_C,       /* client: the chosen type */
	VP_CHAL_S,         /* VNC auth: challenge */
	VP_RESP_C,         /* VNC auth: response */
	VP_RESULT_S,       /* SecurityResult */
	VP_CLIENTINIT_C,
	VP_SERVERINIT_S,
	VP_VEN_VER_S,      /* VeNCrypt: server version */
	VP_VEN_VER_C,
	VP_VEN_TYPES_S,    /* status, count, sub-types */
	VP_VEN_CHOICE_C,
	VP_VEN_ACK_S,
	VP_PLAIN_C,        /* VeNCrypt Plain: user and password */
	VP_END,
};

struct vnc_state {
	enum vnc_phase phase;
	bool have_ver[2];
	int minor;              /* the client's version class: 3, 7 or 8 */
	uint8_t offered[256];   /* offered[t] != 0: type t was offered */
	uint32_t ven_offered[255];
	unsigned nven;
	bool plain_ack;         /* a u8 1 after the Plain choice was read */
};

static bool vnc_version_ok(const uint8_t *p)
{
	static const char pat[] = "RFB 999.999\n";
	size_t i;
	for (i = 0; i < VNC_VERSION_LEN; i++) {
		if (pat[i] == '9') {
			if (p[i] < '0' || p[i] > '9')
				return false;
		} else if (p[i] != (uint8_t)pat[i]) {
			return false;
		}
	}
	return true;
}

/* Either side's ProtocolVersion: "RFB xxx.yyy\n", checked on as many of
 * its 12 bytes as are here. */
static enum probe_res vnc_probe(enum dir dir, const uint8_t *p, size_t len)
{
	uint8_t b[VNC_VERSION_LEN];
	size_t n = len < VNC_VERSION_LEN ? len : VNC_VERSION_LEN;

	(void)dir;
	memcpy(b, "RFB 000.000\n", VNC_VERSION_LEN);
	memcpy(b, p, n);
	if (!vnc_version_ok(b))
		return PROBE_NOMATCH;
	return n < VNC_VERSION_LEN ? PROBE_NEED_MORE : PROBE_MATCH;
}

static void vnc_type_detail(struct dis_ctx *ctx, const char *key, const char *key_id, uint32_t t)
{
	char buf[16];
	const char *n = vnc_tok_name(vnc_sec_names, t, buf, sizeof(buf));
	if (key_id == NULL) {
		obs_detail_list_str(ctx, key, n, strlen(n));
		return;
	}
	obs_detail_str(ctx, key, n, strlen(n));
	obs_detail_int(ctx, key_id, t);
}

/* What follows a security type (or a VeNCrypt sub-type below 256): the
 * client's choice (3.7+) or the server's (3.3). Returns 0, or 1 when the
 * dissector stops here (a type it does not follow). */
static int vnc_chosen_auth(struct dis_ctx *ctx, struct vnc_state *st, uint32_t t)
{
	switch (t) {
	case 1: /* None: §7.2.1; a SecurityResult follows only in 3.8 */
		obs_auth_mechanism(ctx, "none", 4);
		obs_security(ctx, SEC_CLEARTEXT);
		st->phase = st->minor >= 8 ? VP_RESULT_S : VP_CLIENTINIT_C;
		return 0;
	case 2: /* VNC Authentication: §7.2.2, DES challenge-response */
		obs_auth_mechanism(ctx, "vnc", 3);
		obs_security(ctx, SEC_CLEARTEXT);
		st->phase = VP_CHAL_S;
		return 0;
	case 19:
		st->phase = VP_VEN_VER_S;
		return 0;
	default:
		st->phase = VP_END;
		return 1;
	}
}

static int vnc_chosen(struct dis_ctx *ctx, struct vnc_state *st, uint32_t t)
{
	vnc_type_detail(ctx, "vnc_security_type", "vnc_security_type_id", t);
	return vnc_chosen_auth(ctx, st, t);
}

/* A u32 length and that many bytes of reason (§7.1.2, §7.1.3). 0, a
 * cursor code, or -100 after an anomaly. */
static int vnc_reason(struct dis_ctx *ctx, struct cur *c)
{
	uint32_t n;
	const uint8_t *s;
	int r;
	struct cur save = *c;

	if ((r = cur_be32(c, &n)) != 0)
		return r;
	if (n > VNC_REASON_MAX) {
		obs_anomaly(ctx, VNC_ANOM_REASON_TOO_LONG, "reason length %u", n);
		return -100;
	}
	if ((r = cur_bytes(c, n, &s)) != 0) {
		*c = save;
		return r;
	}
	obs_detail_str(ctx, "vnc_failure_reason", s, n);
	return 0;
}

/* One step of the server's side. 0 went on, 1 the dissector is done,
 * 2 hand-off, CUR_TRUNC need more, -100 anomaly raised. */
static int vnc_server_step(struct dis_ctx *ctx, struct vnc_state *st, struct cur *c)
{
	struct cur save = *c;
	uint8_t b, cnt;
	uint32_t v, i;
	int r;

	switch (st->phase) {
	case VP_SEC_S:
		if (st->minor < 7) { /* 3.3: the server decides */
			if ((r = cur_be32(c, &v)) != 0)
				return r;
			if (v == 0) { /* connection failed: a reason follows */
				if ((r = vnc_reason(ctx, c)) != 0) {
					*c = save;
					return r;
				}
				vnc_type_detail(ctx, "vnc_security_type", "vnc_security_type_id", 0);
				st->phase = VP_END;
				return 1;
			}
			return vnc_chosen(ctx, st, v);
		}
		if ((r = cur_u8(c, &cnt)) != 0)
			return r;
		if (cnt == 0) { /* connection failed: a reason follows */
			if ((r = vnc_reason(ctx, c)) != 0) {
				*c = save;
				return r;
			}
			st->phase = VP_END;
			return 1;
		}
		if (cur_left(c) < cnt) {
			*c = save;
			return CUR_TRUNC;
		}
		for (i = 0; i < cnt; i++) {
			(void)cur_u8(c, &b);
			st->offered[b] = 1;
			vnc_type_detail(ctx, "vnc_security_types", NULL, b);
		}
		st->phase = VP_CHOICE_C;
		return 0;
	case VP_CHAL_S:
		if ((r = cur_skip(c, 16)) != 0)
			return r;
		st->phase = VP_RESP_C;
		return 0;
	case VP_RESULT_S: {
		static const char *const res[] = { "ok", "failed", "failed_too_many" };
		if ((r = cur_be32(c, &v)) != 0)
			return r;
		if (v > 2) {
			obs_anomaly(ctx, VNC_ANOM_BAD_RESULT, "SecurityResult %u", v);
			return -100;
		}
		if (v != 0 && st->minor >= 8 && (r = vnc_reason(ctx, c)) != 0) {
			*c = save;
			return r;
		}
		obs_detail_str(ctx, "vnc_security_result", res[v], strlen(res[v]));
		if (v != 0) {
			st->phase = VP_END;
			return 1;
		}
		st->phase = VP_CLIENTINIT_C;
		return 0;
	}
	case VP_SERVERINIT_S: {
		const uint8_t *s;
		if ((r = cur_skip(c, 2 + 2 + 16)) != 0 || (r = cur_be32(c, &v)) != 0) {
			*c = save;
			return r;
		}
		if (v > VNC_NAME_MAX) {
			obs_anomaly(ctx, VNC_ANOM_NAME_TOO_LONG, "desktop name length %u", v);
			return -100;
		}
		if ((r = cur_bytes(c, v, &s)) != 0) {
			*c = save;
			return r;
		}
		obs_detail_str(ctx, "vnc_desktop_name", s, v);
		st->phase = VP_END;
		return 1;
	}
	case VP_VEN_VER_S: {
		uint8_t mj, mn;
		char vb[8];
		if ((r = cur_u8(c, &mj)) != 0 || (r = cur_u8(c, &mn)) != 0) {
			*c = save;
			return r;
		}
		snprintf(vb, sizeof(vb), "%u.%u", mj, mn);
		obs_detail_str(ctx, "vnc_vencrypt_version", vb, strlen(vb));
		st->phase = VP_VEN_VER_C;
		return 0;
	}
	case VP_VEN_TYPES_S:
		if ((r = cur_u8(c, &b)) != 0)
			return r;
		if (b != 0) { /* the server refused the client's version */
			obs_detail_int(ctx, "vnc_vencrypt_status", b);
			st->phase = VP_END;
			return 1;
		}
		if ((r = cur_u8(c, &cnt)) != 0 || cur_left(c) / 4 < cnt) {
			*c = save;
			return CUR_TRUNC;
		}
		for (i = 0; i < cnt; i++) {
			char buf[16];
			const char *n;
			(void)cur_be32(c, &v);
			st->ven_offered[st->nven++] = v;
			n = vnc_tok_name(vnc_ven_names, v, buf, sizeof(buf));
			obs_detail_list_str(ctx, "vnc_vencrypt_subtypes", n, strlen(n));
		}
		st->phase = VP_VEN_CHOICE_C;
		return 0;
	case VP_VEN_ACK_S:
		if ((r = cur_u8(c, &b)) != 0)
			return r;
		if (b != 1) {
			obs_detail_bool(ctx, "vnc_vencrypt_subtype_accepted", false);
			st->phase = VP_END;
			return 1;
		}
		/* TLS from the next byte on in both directions */
		obs_tls_offered(ctx, true);
		obs_tls_requested(ctx, true);
		obs_security(ctx, SEC_STARTTLS);
		st->phase = VP_END;
		return 2;
	case VP_PLAIN_C: /* the client's turn, but an acknowledgement may come */
		if (!st->plain_ack && cur_u8(c, &b) == 0 && b == 1) {
			st->plain_ack = true;
			return 0;
		}
		*c = save;
		return 3;
	default:
		return 3; /* the client's turn */
	}
}

/* One step of the client's side; same returns as vnc_server_step. */
static int vnc_client_step(struct dis_ctx *ctx, struct vnc_state *st, struct cur *c)
{
	struct cur save = *c;
	uint8_t b;
	uint32_t v, i;
	int r;

	switch (st->phase) {
	case VP_CHOICE_C:
		if ((r = cur_u8(c, &b)) != 0)
			return r;
		if (!st->offered[b]) {
			obs_anomaly(ctx, VNC_ANOM_CHOICE_NOT_OFFERED, "type %u", b);
			return -100;
		}
		return vnc_chosen(ctx, st, b);
	case VP_RESP_C:
		if ((r = cur_skip(c, 16)) != 0)
			return r;
		st->phase = VP_RESULT_S;
		return 0;
	case VP_CLIENTINIT_C:
		if ((r = cur_u8(c, &b)) != 0)
			return r;
		st->phase = VP_SERVERINIT_S;
		return 0;
	case VP_VEN_VER_C: {
		uint8_t mj, mn;
		if ((r = cur_u8(c, &mj)) != 0 || (r = cur_u8(c, &mn)) != 0) {
			*c = save;
			return r;
		}
		if (mj != 0 || mn != 2) {
			/* 0.1 sends u8 sub-types: not followed */
			char vb[8];
			snprintf(vb, sizeof(vb), "%u.%u", mj, mn);
			obs_detail_str(ctx, "vnc_vencrypt_client_version", vb, strlen(vb));
			st->phase = VP_END;
			return 1;
		}
		st->phase = VP_VEN_TYPES_S;
		return 0;
	}
	case VP_VEN_CHOICE_C: {
		char buf[16];
		const char *n;
		bool ok = false;
		if ((r = cur_be32(c, &v)) != 0)
			return r;
		for (i = 0; i < st->nven; i++)
			ok |= st->ven_offered[i] == v;
		if (!ok) {
			obs_anomaly(ctx, VNC_ANOM_CHOICE_NOT_OFFERED, "VeNCrypt sub-type %u", v);
			return -100;
		}
		n = vnc_tok_name(vnc_ven_names, v, buf, sizeof(buf));
		obs_detail_str(ctx, "vnc_vencrypt_subtype", n, strlen(n));
		switch (v) {
		case VNC_VEN_PLAIN: /* no acknowledgement: the credentials follow */
			obs_auth_mechanism(ctx, "plain", 5);
			obs_security(ctx, SEC_CLEARTEXT);
			st->phase = VP_PLAIN_C;
			return 0;
		case 1:
		case 2:
			return vnc_chosen_auth(ctx, st, v);
		default:
			if (v > VNC_VEN_PLAIN && v <= VNC_VEN_TLS_LAST) {
				st->phase = VP_VEN_ACK_S;
				return 0;
			}
			st->phase = VP_END; /* not followed */
			return 1;
		}
	}
	case VP_PLAIN_C: {
		uint32_t ul, pl;
		const uint8_t *u;
		if ((r = cur_be32(c, &ul)) != 0 || (r = cur_be32(c, &pl)) != 0) {
			*c = save;
			return r;
		}
		if (ul > VNC_PLAIN_MAX || pl > VNC_PLAIN_MAX) {
			obs_anomaly(ctx, VNC_ANOM_PLAIN_TOO_LONG, "user length %u, password length %u", ul, pl);
			return -100;
		}
		/* the password is skipped, never copied */
		st->plain_ack = true; /* no acknowledgement after this */
		if ((r = cur_bytes(c, ul, &u)) != 0 || (r = cur_skip(c, pl)) != 0) {
			*c = save;
			return r;
		}
		obs_user(ctx, u, ul);
		obs_credentials(ctx, "plain");
		st->phase = VP_RESULT_S;
		return 0;
	}
	default:
		return 3; /* the server's turn */
	}
}

static struct dis_result vnc_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				   const uint8_t *p, size_t len)
{
	struct vnc_state *st = state;
	struct cur c = cur_make(p, len);

	obs_protocol(ctx, "vnc");
	if (!st->have_ver[dir]) {
		const uint8_t *v;
		if (cur_bytes(&c, VNC_VERSION_LEN, &v) != 0)
			return dis_incomplete(0, VNC_VERSION_LEN);
		if (!vnc_version_ok(v)) {
			obs_anomaly(ctx, VNC_ANOM_BAD_VERSION, "%s", dir == DIR_C2S ? "client" : "server");
			return dis_error(0);
		}
		obs_detail_str(ctx, dir == DIR_C2S ? "vnc_client_version" : "vnc_server_version", v + 4, 7);
		st->have_ver[dir] = true;
		if (dir == DIR_C2S) {
			/* §7.1.1: 3.3, 3.7, 3.8; any other version is 3.3, but
			 * Apple's 3.889 behaves as 3.8 */
			unsigned mj = (v[4] - '0') * 100u + (v[5] - '0') * 10u + (v[6] - '0');
			unsigned mn = (v[8] - '0') * 100u + (v[9] - '0') * 10u + (v[10] - '0');
			st->minor = mj == 3 && mn >= 8 ? 8 : mj == 3 && mn == 7 ? 7 : 3;
		}
		if (st->have_ver[0] && st->have_ver[1])
			st->phase = VP_SEC_S;
	}
	for (;;) {
		size_t before = cur_off(&c, p);
		int r;

		if (st->phase == VP_VERSIONS || cur_left(&c) == 0)
			return dis_ok(before);
		r = dir == DIR_S2C ? vnc_server_step(ctx, st, &c) : vnc_client_step(ctx, st, &c);
		if (r == 3) /* the other side's turn: keep these bytes */
			return dis_ok(before);
		if (r == 1)
			return dis_done(cur_off(&c, p));
		if (r == 2) {
			if (dis_handoff(ctx, "tls") != 0)
				return dis_done(cur_off(&c, p));
			return dis_ok(cur_off(&c, p));
		}
		if (r == CUR_TRUNC)
			return dis_incomplete(before, len - before + 1);
		if (r != 0)
			return dis_error(before);
	}
}

static const uint16_t vnc_ports[] = { 5900, 5901, 5902, 5903, 0 };

const struct dissector dissector_vnc = {
	.name = "vnc",
	.transport = DIS_TCP,
	.ports = vnc_ports,
	.probe = vnc_probe,
	.state_size = sizeof(struct vnc_state),
	.parse = vnc_parse,
	.anomalies = vnc_anomalies,
};
