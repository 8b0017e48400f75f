/* SPDX-License-Identifier: BSD-3-Clause */
/* ssh.c — SSH transport layer up to the end of the first key exchange
 * (RFC 4253 §4.2 protocol version exchange, §6 binary packet protocol,
 * §7.1 algorithm negotiation, §7.3 NEWKEYS; RFC 4251 §5 name-lists;
 * RFC 8308 §2.1 ext-info-c/-s; OpenSSH PROTOCOL "kex-strict-*-v00" (the
 * Terrapin countermeasure, CVE-2023-48795); HASSH from
 * github.com/salesforce/hassh).
 *
 *   each side:  [server only: other lines CR LF]*
 *               SSH-protoversion-softwareversion[ SP comments] CR LF
 *   then packets, in clear until that side's NEWKEYS:
 *
 *     uint32  packet_length      (bytes after this field, MAC excluded)
 *     byte    padding_length
 *     byte[n1] payload           n1 = packet_length - padding_length - 1
 *     byte[n2] random padding    n2 = padding_length
 *
 *   KEXINIT (payload):
 *     byte      SSH_MSG_KEXINIT (20)
 *     byte[16]  cookie
 *     name-list kex_algorithms, server_host_key_algorithms,
 *               encryption c2s, encryption s2c, mac c2s, mac s2c,
 *               compression c2s, compression s2c, languages c2s, s2c
 *     boolean   first_kex_packet_follows
 *     uint32    0 (reserved)
 *   name-list = uint32 length, comma-separated names (no NUL)
 *
 * Facts (cleartext.details, docs/EXPORT.md "ssh details"): both
 * identification strings split into protocol / software / comments; the
 * number of lines the server sent before its own; both sides' first KEXINIT
 * name-lists as sent (languages left out) and first_kex_packet_follows;
 * what a standard negotiation selects (§7.1: per list the first client name
 * the server also lists; ciphers, MACs and compression per direction; for
 * the AEAD ciphers of OpenSSH the MAC is implicit, `mac_*_implicit`);
 * HASSH = MD5("kex;ciphers;macs;compression") of the client's c2s lists and
 * HASSHServer the same of the server's s2c lists; the kex-strict-c/s and
 * ext-info-c/s markers. Only the first KEXINIT of each side is read, before
 * its NEWKEYS. All are emitted at flow_end in one fixed order, so the export
 * does not depend on which side's packets came first.
 *
 * Security: app_encrypted once both sides have sent NEWKEYS and bytes
 * followed one of them (the wire shows the protected form,
 * docs/DISSECTORS.md); otherwise unknown (no completed key exchange seen, or
 * SSH-1, whose packets are not read). No judgement: which algorithm is weak
 * is the rule layer's business.
 *
 * Done once both sides are past NEWKEYS and protected bytes were seen, or
 * both sides speak SSH-1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"
#include "digest.h"

#define SSH_LINE_MAX 1024        /* any line before and including the ident */
#define SSH_IDENT_MAX 255        /* §4.2: 255 characters including CR LF */
#define SSH_PRE_LINES_MAX 32     /* server lines before its ident */
#define SSH_PACKET_MAX 65536     /* §6.1 asks for 35000; room for PQ kex */
#define SSH_CLEAR_PACKETS_MAX 32 /* clear packets per side before NEWKEYS */
#define SSH_NLISTS 10
#define SSH_NKEPT 8              /* the languages lists are not kept */

#define SSH_MSG_KEXINIT 20
#define SSH_MSG_NEWKEYS 21

enum {
	SSH_ANOM_IDENT_TOO_LONG = 1,
	SSH_ANOM_BAD_IDENT,
	SSH_ANOM_TOO_MANY_LINES,
	SSH_ANOM_PACKET_TOO_LONG,
	SSH_ANOM_BAD_PADDING,
	SSH_ANOM_BAD_KEXINIT,
	SSH_ANOM_LIST_CAPPED,
	SSH_ANOM_TOO_MANY_PACKETS,
};

static const struct anomaly_def ssh_anomalies[] = {
	{ SSH_ANOM_IDENT_TOO_LONG, "ident_too_long" },
	{ SSH_ANOM_BAD_IDENT, "bad_ident" },
	{ SSH_ANOM_TOO_MANY_LINES, "too_many_pre_ident_lines" },
	{ SSH_ANOM_PACKET_TOO_LONG, "packet_too_long" },
	{ SSH_ANOM_BAD_PADDING, "bad_padding" },
	{ SSH_ANOM_BAD_KEXINIT, "bad_kexinit" },
	{ SSH_ANOM_LIST_CAPPED, "name_list_capped" },
	{ SSH_ANOM_TOO_MANY_PACKETS, "too_many_clear_packets" },
	{ 0, NULL },
};

/* Index of each name-list in a KEXINIT, in wire order. */
enum { L_KEX = 0, L_HOSTKEY, L_ENC_C2S, L_ENC_S2C, L_MAC_C2S, L_MAC_S2C, L_COMP_C2S, L_COMP_S2C };

/* Detail keys per side (static strings: obs_detail_* keeps the pointer). */
static const char *const ssh_list_keys[2][SSH_NKEPT] = {
	{ "client_kex_algorithms", "client_host_key_algorithms", "client_ciphers_c2s",
	  "client_ciphers_s2c", "client_macs_c2s", "client_macs_s2c",
	  "client_compression_c2s", "client_compression_s2c" },
	{ "server_kex_algorithms", "server_host_key_algorithms", "server_ciphers_c2s",
	  "server_ciphers_s2c", "server_macs_c2s", "server_macs_s2c",
	  "server_compression_c2s", "server_compression_s2c" },
};
static const char *const ssh_sel_keys[SSH_NKEPT] = {
	"kex", "host_key", "cipher_c2s", "cipher_s2c", "mac_c2s", "mac_s2c",
	"compression_c2s", "compression_s2c",
};

/* OpenSSH's AEAD ciphers: the MAC negotiated beside them is not used
 * (OpenSSH cipher.c, CFLAG_AESGCM / CFLAG_CHACHAPOLY; PROTOCOL.chacha20poly1305). */
static const char *const ssh_aead[] = {
	"chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", NULL,
};

enum ssh_phase { SP_IDENT = 0, SP_CLEAR, SP_ENCRYPTED, SP_STOP };

struct ssh_side {
	enum ssh_phase phase;
	unsigned pre_lines, packets;
	bool have_ident, have_kexinit, newkeys, enc_bytes;
	char proto[16], software[SSH_IDENT_MAX + 1], comments[SSH_IDENT_MAX + 1];
	size_t proto_len, software_len, comments_len;
	bool has_comments;
	uint8_t *kexinit;             /* copy of the KEXINIT payload (malloc) */
	uint32_t off[SSH_NLISTS], len[SSH_NLISTS];
	bool first_kex_follows;
};

struct ssh_state {
	struct ssh_side side[2];
};

static void ssh_state_free(void *state)
{
	struct ssh_state *st = state;
	free(st->side[0].kexinit);
	free(st->side[1].kexinit);
}

/* The probe: a side whose first bytes are "SSH-"; a server may send other
 * text lines first (§4.2), so its side also matches on a later line that
 * starts with "SSH-", and waits while it sends at most a few text lines. */
static enum probe_res ssh_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	const char *l;
	size_t n;
	unsigned lines = 0;
	int r;

	r = cur_peek_lit(&c, "SSH-", 4);
	if (r == CUR_OK)
		return PROBE_MATCH;
	if (r == CUR_TRUNC)
		return PROBE_NEED_MORE;
	if (dir == DIR_C2S)
		return PROBE_NOMATCH;
	/* Server lines before the ident: text only (a binary greeting is
	 * another protocol). */
	for (n = 0; n < len; n++)
		if (p[n] < 0x20 && p[n] != '\r' && p[n] != '\n' && p[n] != '\t')
			return PROBE_NOMATCH;
	while ((r = cur_line(&c, SSH_LINE_MAX, &l, &n)) == CUR_OK) {
		if (++lines > 4)
			return PROBE_NOMATCH;
		r = cur_peek_lit(&c, "SSH-", 4);
		if (r == CUR_OK)
			return PROBE_MATCH;
		if (r == CUR_TRUNC)
			return PROBE_NEED_MORE;
	}
	return r == CUR_TRUNC ? PROBE_NEED_MORE : PROBE_NOMATCH;
}

static void ssh_copy(char *dst, size_t cap, size_t *dlen, const char *s, size_t n)
{
	if (n > cap)
		n = cap;
	memcpy(dst, s, n);
	dst[n] = 0;
	*dlen = n;
}

/* "SSH-protoversion-softwareversion[ SP comments]": 0, or -1 when the
 * line has no softwareversion (§4.2 requires one). */
static int ssh_parse_ident(struct ssh_side *sd, const char *l, size_t n)
{
	struct cur c = cur_make(l, n);
	const uint8_t *s, *dash, *sp;
	size_t pl, sl;

	(void)cur_skip(&c, 4); /* "SSH-", checked by the caller */
	dash = memchr(c.p, '-', cur_left(&c));
	if (dash == NULL)
		return -1;
	pl = (size_t)(dash - c.p);
	(void)cur_bytes(&c, pl, &s);
	ssh_copy(sd->proto, sizeof(sd->proto) - 1, &sd->proto_len, (const char *)s, pl);
	(void)cur_skip(&c, 1);
	sp = memchr(c.p, ' ', cur_left(&c));
	sl = sp ? (size_t)(sp - c.p) : cur_left(&c);
	(void)cur_bytes(&c, sl, &s);
	ssh_copy(sd->software, SSH_IDENT_MAX, &sd->software_len, (const char *)s, sl);
	if (sp) {
		(void)cur_skip(&c, 1);
		sd->has_comments = true;
		ssh_copy(sd->comments, SSH_IDENT_MAX, &sd->comments_len, (const char *)c.p,
			 cur_left(&c));
	}
	sd->have_ident = true;
	return pl == 0 || sl == 0 ? -1 : 0;
}

/* SSH-1 (protoversion 1.x but not 1.99, which also speaks 2.0): its packets
 * are another format, not read. */
static bool ssh_is_v1(const struct ssh_side *sd)
{
	return sd->proto_len >= 2 && sd->proto[0] == '1' && sd->proto[1] == '.' &&
	       !(sd->proto_len == 4 && memcmp(sd->proto, "1.99", 4) == 0);
}

/* The first KEXINIT of a side: the ten name-lists and the boolean, copied
 * (the selection needs both sides'). 0, or a cursor error. */
static int ssh_parse_kexinit(struct ssh_side *sd, struct cur *pl)
{
	struct cur c = *pl, lst;
	const uint8_t *base = pl->p;
	uint8_t b;
	uint32_t len;
	int r, i;

	if ((r = cur_skip(&c, 1 + 16)) != 0)
		return r;
	for (i = 0; i < SSH_NLISTS; i++) {
		if ((r = cur_be32(&c, &len)) != 0 || (r = cur_sub(&c, len, &lst)) != 0)
			return r;
		sd->off[i] = (uint32_t)(lst.p - base);
		sd->len[i] = len;
	}
	if ((r = cur_u8(&c, &b)) != 0 || (r = cur_be32(&c, &len)) != 0)
		return r;
	sd->first_kex_follows = b != 0;
	if ((sd->kexinit = malloc(cur_left(pl) ? cur_left(pl) : 1)) == NULL)
		return CUR_CAP;
	memcpy(sd->kexinit, pl->p, cur_left(pl));
	sd->have_kexinit = true;
	return CUR_OK;
}

/* Next name of a name-list: *name and *n point into the list, the cursor moves
 * past it and its comma. CUR_TRUNC at the end of the list. */
static int ssh_next_name(struct cur *c, const uint8_t **name, size_t *n)
{
	const uint8_t *comma;
	int r;

	*name = NULL;
	*n = 0;
	if (cur_left(c) == 0)
		return CUR_TRUNC;
	comma = memchr(c->p, ',', cur_left(c));
	*n = comma ? (size_t)(comma - c->p) : cur_left(c);
	if ((r = cur_bytes(c, *n, name)) != 0)
		return r;
	if (comma)
		(void)cur_skip(c, 1);
	return CUR_OK;
}

static struct cur ssh_list(const struct ssh_side *sd, int i)
{
	return cur_make(sd->kexinit + sd->off[i], sd->len[i]);
}

static bool ssh_list_has(struct cur lst, const uint8_t *name, size_t n)
{
	const uint8_t *s;
	size_t sn;
	while (ssh_next_name(&lst, &s, &sn) == CUR_OK)
		if (sn == n && memcmp(s, name, n) == 0)
			return true;
	return false;
}

/* §7.1: the first name of the client's list that the server's also has. */
static bool ssh_select(const struct ssh_side *cl, const struct ssh_side *sv, int i,
		       const uint8_t **name, size_t *n)
{
	struct cur lc = ssh_list(cl, i);
	while (ssh_next_name(&lc, name, n) == CUR_OK)
		if (ssh_list_has(ssh_list(sv, i), *name, *n))
			return true;
	*name = NULL;
	*n = 0;
	return false;
}

static bool ssh_is_aead(const uint8_t *name, size_t n)
{
	int i;
	for (i = 0; ssh_aead[i]; i++)
		if (strlen(ssh_aead[i]) == n && memcmp(ssh_aead[i], name, n) == 0)
			return true;
	return false;
}

/* HASSH (side 0: client's kex;enc c2s;mac c2s;comp c2s) or HASSHServer
 * (side 1: server's kex;enc s2c;mac s2c;comp s2c), lower-case hex. */
static bool ssh_hassh(const struct ssh_side *sd, int side, char hex[33])
{
	const int idx[2][4] = { { L_KEX, L_ENC_C2S, L_MAC_C2S, L_COMP_C2S },
				{ L_KEX, L_ENC_S2C, L_MAC_S2C, L_COMP_S2C } };
	EVP_MD_CTX *m = wa_md_begin(WA_MD5);
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned dl = 0, k;

	if (m == NULL)
		return false;
	for (k = 0; k < 4; k++) {
		if (k > 0 && EVP_DigestUpdate(m, ";", 1) != 1)
			return false;
		if (EVP_DigestUpdate(m, sd->kexinit + sd->off[idx[side][k]], sd->len[idx[side][k]]) != 1)
			return false;
	}
	if (EVP_DigestFinal_ex(m, d, &dl) != 1 || dl != 16)
		return false;
	for (k = 0; k < 16; k++)
		snprintf(hex + 2 * k, 3, "%02x", d[k]);
	return true;
}

static void ssh_emit(struct dis_ctx *ctx, struct ssh_state *st)
{
	static const char *const pk[2] = { "client_protocol", "server_protocol" };
	static const char *const sk[2] = { "client_software", "server_software" };
	static const char *const ck[2] = { "client_comments", "server_comments" };
	static const char *const fk[2] = { "client_first_kex_follows", "server_first_kex_follows" };
	static const char *const hk[2] = { "hassh", "hassh_server" };
	static const char *const strict_name[2] = { "kex-strict-c-v00@openssh.com",
						    "kex-strict-s-v00@openssh.com" };
	static const char *const strict_key[2] = { "strict_kex_client", "strict_kex_server" };
	static const char *const ext_name[2] = { "ext-info-c", "ext-info-s" };
	static const char *const ext_key[2] = { "ext_info_client", "ext_info_server" };
	struct ssh_side *cl = &st->side[DIR_C2S], *sv = &st->side[DIR_S2C];
	char hex[33];
	int d, i;

	for (d = 0; d < 2; d++) {
		const struct ssh_side *sd = &st->side[d];
		if (!sd->have_ident)
			continue;
		obs_detail_str(ctx, pk[d], sd->proto, sd->proto_len);
		obs_detail_str(ctx, sk[d], sd->software, sd->software_len);
		if (sd->has_comments)
			obs_detail_str(ctx, ck[d], sd->comments, sd->comments_len);
	}
	if (sv->pre_lines)
		obs_detail_int(ctx, "server_pre_ident_lines", sv->pre_lines);
	for (d = 0; d < 2; d++) {
		const struct ssh_side *sd = &st->side[d];
		if (!sd->have_kexinit)
			continue;
		for (i = 0; i < SSH_NKEPT; i++)
			if (!obs_detail_text(ctx, ssh_list_keys[d][i], sd->kexinit + sd->off[i],
					     sd->len[i]))
				obs_anomaly(ctx, SSH_ANOM_LIST_CAPPED, "%s: %u bytes",
					    ssh_list_keys[d][i], (unsigned)sd->len[i]);
		obs_detail_bool(ctx, fk[d], sd->first_kex_follows);
		obs_detail_bool(ctx, strict_key[d],
				ssh_list_has(ssh_list(sd, L_KEX), (const uint8_t *)strict_name[d],
					     strlen(strict_name[d])));
		obs_detail_bool(ctx, ext_key[d],
				ssh_list_has(ssh_list(sd, L_KEX), (const uint8_t *)ext_name[d],
					     strlen(ext_name[d])));
		if (ssh_hassh(sd, d, hex))
			obs_detail_str(ctx, hk[d], hex, 32);
	}
	if (cl->have_kexinit && sv->have_kexinit) {
		bool aead[2] = { false, false };
		for (i = 0; i < SSH_NKEPT; i++) {
			const uint8_t *name;
			size_t n;
			if (i == L_MAC_C2S && aead[0]) {
				obs_detail_bool(ctx, "mac_c2s_implicit", true);
				continue;
			}
			if (i == L_MAC_S2C && aead[1]) {
				obs_detail_bool(ctx, "mac_s2c_implicit", true);
				continue;
			}
			if (!ssh_select(cl, sv, i, &name, &n))
				continue; /* no name in common: the key exchange fails */
			obs_detail_str(ctx, ssh_sel_keys[i], name, n);
			if (i == L_ENC_C2S || i == L_ENC_S2C)
				aead[i - L_ENC_C2S] = ssh_is_aead(name, n);
		}
	}
}

/* Identification phase of one side: 0 when the ident line was read (the
 * cursor is past it), CUR_TRUNC for more bytes, CUR_INVALID when an anomaly
 * was raised. */
static int ssh_read_ident(struct dis_ctx *ctx, struct ssh_side *sd, enum dir dir, struct cur *c)
{
	const char *l;
	size_t n;
	int r;

	for (;;) {
		struct cur save = *c;
		r = cur_line(c, SSH_LINE_MAX, &l, &n);
		if (r == CUR_TRUNC)
			return CUR_TRUNC;
		if (r != CUR_OK) {
			obs_anomaly(ctx, SSH_ANOM_IDENT_TOO_LONG, "%s: no line end in %d bytes",
				    dir == DIR_C2S ? "c2s" : "s2c", SSH_LINE_MAX);
			return CUR_INVALID;
		}
		if (n >= 4 && memcmp(l, "SSH-", 4) == 0) {
			/* §4.2: 255 characters including CR LF */
			if ((size_t)(c->p - save.p) > SSH_IDENT_MAX)
				obs_anomaly(ctx, SSH_ANOM_IDENT_TOO_LONG, "%s: %zu bytes",
					    dir == DIR_C2S ? "c2s" : "s2c", (size_t)(c->p - save.p));
			if (ssh_parse_ident(sd, l, n) != 0) {
				obs_anomaly(ctx, SSH_ANOM_BAD_IDENT, "%s: no softwareversion",
					    dir == DIR_C2S ? "c2s" : "s2c");
				return CUR_INVALID;
			}
			return 0;
		}
		/* §4.2: only the server may send other lines first */
		if (dir == DIR_C2S) {
			obs_anomaly(ctx, SSH_ANOM_BAD_IDENT, "c2s: first line is not SSH-");
			return CUR_INVALID;
		}
		if (++sd->pre_lines > SSH_PRE_LINES_MAX) {
			obs_anomaly(ctx, SSH_ANOM_TOO_MANY_LINES, "%u lines", sd->pre_lines);
			return CUR_INVALID;
		}
	}
}

static bool ssh_done(const struct ssh_state *st)
{
	const struct ssh_side *a = &st->side[0], *b = &st->side[1];
	if (a->phase == SP_STOP && b->phase == SP_STOP)
		return true;
	return a->phase >= SP_ENCRYPTED && b->phase >= SP_ENCRYPTED &&
	       (a->enc_bytes || b->enc_bytes);
}

static struct dis_result ssh_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				   const uint8_t *p, size_t len)
{
	struct ssh_state *st = state;
	struct ssh_side *sd = &st->side[dir];
	struct cur c = cur_make(p, len);
	int r;

	obs_protocol(ctx, "ssh");
	if (sd->phase == SP_IDENT) {
		r = ssh_read_ident(ctx, sd, dir, &c);
		if (r == CUR_TRUNC)
			return dis_incomplete(cur_off(&c, p), cur_left(&c) + 1);
		if (r != 0)
			return dis_error(cur_off(&c, p));
		sd->phase = ssh_is_v1(sd) ? SP_STOP : SP_CLEAR;
	}
	while (sd->phase == SP_CLEAR) {
		struct cur pkt = c, body, payload, kex;
		uint32_t plen;
		uint8_t padlen, msg;

		if ((r = cur_be32(&pkt, &plen)) != 0 || (r = cur_u8(&pkt, &padlen)) != 0)
			return dis_incomplete(cur_off(&c, p), 5);
		if (plen > SSH_PACKET_MAX) {
			obs_anomaly(ctx, SSH_ANOM_PACKET_TOO_LONG, "%s: packet_length %u",
				    dir == DIR_C2S ? "c2s" : "s2c", (unsigned)plen);
			return dis_error(cur_off(&c, p));
		}
		if ((uint32_t)padlen + 1 >= plen) {
			/* no room for the message number */
			obs_anomaly(ctx, SSH_ANOM_BAD_PADDING, "%s: packet_length %u padding_length %u",
				    dir == DIR_C2S ? "c2s" : "s2c", (unsigned)plen, padlen);
			return dis_error(cur_off(&c, p));
		}
		pkt = c;
		(void)cur_skip(&pkt, 4);
		if (cur_sub(&pkt, plen, &body) != 0)
			return dis_incomplete(cur_off(&c, p), 4 + (size_t)plen);
		(void)cur_skip(&body, 1);
		(void)cur_sub(&body, plen - padlen - 1, &payload);
		c = pkt; /* the whole packet is consumed */
		kex = payload; /* the KEXINIT parser reads from the message number */
		(void)cur_u8(&payload, &msg);
		if (msg == SSH_MSG_KEXINIT && !sd->have_kexinit) {
			r = ssh_parse_kexinit(sd, &kex);
			if (r == CUR_CAP)
				return dis_error(cur_off(&c, p)); /* out of memory */
			if (r != 0) {
				obs_anomaly(ctx, SSH_ANOM_BAD_KEXINIT,
					    "%s: a name-list or field runs past the %zu-byte payload",
					    dir == DIR_C2S ? "c2s" : "s2c", cur_left(&payload));
				return dis_error(cur_off(&c, p));
			}
		} else if (msg == SSH_MSG_NEWKEYS) {
			sd->newkeys = true;
			sd->phase = SP_ENCRYPTED;
		} else if (++sd->packets > SSH_CLEAR_PACKETS_MAX) {
			obs_anomaly(ctx, SSH_ANOM_TOO_MANY_PACKETS, "%s: %u packets before NEWKEYS",
				    dir == DIR_C2S ? "c2s" : "s2c", sd->packets);
			sd->phase = SP_STOP;
		}
	}
	if (sd->phase == SP_ENCRYPTED && cur_left(&c) > 0)
		sd->enc_bytes = true;
	if (sd->phase >= SP_ENCRYPTED)
		c.p = c.end; /* protected or unread: nothing more to learn here */
	if (st->side[0].newkeys && st->side[1].newkeys &&
	    (st->side[0].enc_bytes || st->side[1].enc_bytes))
		obs_security(ctx, SEC_APP_ENCRYPTED);
	return ssh_done(st) ? dis_done(cur_off(&c, p)) : dis_ok(cur_off(&c, p));
}

static void ssh_flow_end(struct dis_ctx *ctx, void *state)
{
	ssh_emit(ctx, state);
}

static const uint16_t ssh_ports[] = { 22, 0 };

const struct dissector dissector_ssh = {
	.name = "ssh",
	.transport = DIS_TCP,
	.ports = ssh_ports,
	.probe = ssh_probe,
	.state_size = sizeof(struct ssh_state),
	.state_free = ssh_state_free,
	.parse = ssh_parse,
	.flow_end = ssh_flow_end,
	.anomalies = ssh_anomalies,
};
