/* SPDX-License-Identifier: BSD-3-Clause */
/* ssh_rules.c — the report's judging of SSH (issue 17): the facts the SSH
 * dissector stored (docs/EXPORT.md "ssh details": identification strings,
 * both KEXINIT name-lists, the RFC 4253 §7.1 selection, strict-KEX
 * markers) classified against src/report/ssh_algorithms.def into one row
 * per SSH flow of the window, temporary table
 *   rp_ssh (flow_id, kx, wneg, woff, p1, nsk, hsrv)
 * that the rf view joins (load.c). The rules of rules.c read its columns:
 *   kx    1 when the server's KEXINIT was seen, 2 when a selection was too
 *   wneg  the selected names in a weak class, "list=name(class)", or NULL
 *   woff  BROKEN names the server's KEXINIT offers, "list:name", or NULL
 *   p1    "client 1.5" / "server 1.99" ... for SSH-1 (see rp_ssh_p1), or NULL
 *   nsk   the Terrapin-exposed mode selected while the client offered strict
 *         KEX and the server did not, or NULL
 *   hsrv  HASSHServer (what the rollups gather by)
 * The judgement is here; the dissector states facts only. */
#include "report_int.h"

#include <stdlib.h>
#include <string.h>

enum rp_ssh_list { KEX, HOSTKEY, CIPHER, MAC };
enum rp_ssh_class { BROKEN, LEGACY };

static const struct rp_ssh_alg {
	enum rp_ssh_list list;
	const char *name;
	enum rp_ssh_class cls;
	const char *source;
} rp_ssh_algs[] = {
#define SSH_ALG(l, n, c, s) { l, n, c, s },
#include "ssh_algorithms.def"
#undef SSH_ALG
	{ KEX, NULL, BROKEN, NULL },
};

/* The details read, in this order (cleartext_details keys, EXPORT.md). */
enum { D_CPROTO, D_SPROTO, D_KEX, D_HOSTKEY, D_CC2S, D_CS2C, D_MC2S, D_MS2C, D_SKEX, D_SHOSTKEY,
       D_SCC2S, D_SCS2C, D_SMC2S, D_SMS2C, D_STRICTC, D_STRICTS, D_HSRV, D_N };
static const char *const rp_ssh_keys[D_N] = {
	"client_protocol", "server_protocol", "kex", "host_key", "cipher_c2s", "cipher_s2c",
	"mac_c2s", "mac_s2c", "server_kex_algorithms", "server_host_key_algorithms",
	"server_ciphers_c2s", "server_ciphers_s2c", "server_macs_c2s", "server_macs_s2c",
	"strict_kex_client", "strict_kex_server", "hassh_server",
};
/* which list each selected / offered detail is judged against */
static const struct { int d; enum rp_ssh_list l; } rp_ssh_sel[] = {
	{ D_KEX, KEX }, { D_HOSTKEY, HOSTKEY }, { D_CC2S, CIPHER }, { D_CS2C, CIPHER },
	{ D_MC2S, MAC }, { D_MS2C, MAC },
}, rp_ssh_off[] = {
	{ D_SKEX, KEX }, { D_SHOSTKEY, HOSTKEY }, { D_SCC2S, CIPHER }, { D_SCS2C, CIPHER },
	{ D_SMC2S, MAC }, { D_SMS2C, MAC },
};

#define RP_SSH_EV_MAX 1024   /* evidence text per column: longer is cut with "..." */

struct rp_sshflow {
	int64_t id;
	char *s[D_N];
	int64_t b[D_N];
	bool has[D_N];
};

/* The class entry of name in list l, or NULL. n: the name's length (it may
 * sit inside a comma-separated list). */
static const struct rp_ssh_alg *rp_ssh_lookup(enum rp_ssh_list l, const char *name, size_t n)
{
	for (const struct rp_ssh_alg *a = rp_ssh_algs; a->name; a++) {
		size_t al;
		if (a->list != l || a->name[0] != name[0])
			continue;
		al = strlen(a->name);
		if (a->name[al - 1] == '*' ? (n >= al - 1 && memcmp(a->name, name, al - 1) == 0)
					   : (n == al && memcmp(a->name, name, n) == 0))
			return a;
	}
	return NULL;
}

/* Appends "sep""a""b""c" to buf (cap RP_SSH_EV_MAX), "..." once when full. */
static void rp_ssh_cat(char *buf, const char *a, const char *b, size_t bl, const char *c)
{
	size_t l = strlen(buf), need = (l ? 1 : 0) + strlen(a) + bl + strlen(c);
	if (l >= RP_SSH_EV_MAX - 4 || (l >= 3 && strcmp(buf + l - 3, "...") == 0))
		return;   /* full: nothing after the "..." */
	if (l + need >= RP_SSH_EV_MAX - 4) {
		memcpy(buf + l, "...", 4);
		return;
	}
	if (l)
		buf[l++] = ' ';
	memcpy(buf + l, a, strlen(a));
	l += strlen(a);
	memcpy(buf + l, b, bl);
	l += bl;
	memcpy(buf + l, c, strlen(c) + 1);
}

/* SSH-1: an identification string of protocol 1.x (RFC 4253 §5 calls them
 * the old versions; SSH-1 has known integrity and insertion attacks), and a
 * server's 1.99 (§5.1: a server that also speaks 1.x, i.e. can fall back to
 * it). A client's 1.99 is not a defined value and is left alone. */
static void rp_ssh_p1(const struct rp_sshflow *F, char *out)
{
	const char *c = F->s[D_CPROTO], *s = F->s[D_SPROTO];
	out[0] = 0;
	if (c && strncmp(c, "1.", 2) == 0 && strcmp(c, "1.99") != 0)
		rp_ssh_cat(out, "client ", c, strlen(c), "");
	if (s && strncmp(s, "1.", 2) == 0)
		rp_ssh_cat(out, "server ", s, strlen(s), "");
}

/* Terrapin (CVE-2023-48795; Bäumer, Brinkmann, Schwenk, "Terrapin Attack:
 * Breaking SSH Channel Integrity By Sequence Number Manipulation", USENIX
 * Security 2024; terrapin-attack.com): the prefix truncation works on
 * chacha20-poly1305@openssh.com and on a CBC cipher with an encrypt-then-MAC
 * MAC (CBC-EtM); AES-GCM is not affected and CTR-EtM, though open to the
 * sequence number manipulation, is not practically exploitable (the
 * paper), so neither is flagged. Strict KEX stops it only when both sides
 * offer it. Appends to out the exposed mode of one direction (cipher, mac),
 * once. */
static void rp_ssh_terrapin(const char *cipher, const char *mac, char *out)
{
	size_t ml;
	if (cipher == NULL)
		return;
	if (strcmp(cipher, "chacha20-poly1305@openssh.com") == 0) {
		if (strstr(out, cipher) == NULL)
			rp_ssh_cat(out, "", cipher, strlen(cipher), "");
		return;
	}
	if (mac == NULL || (ml = strlen(mac)) < 16 || strcmp(mac + ml - 16, "-etm@openssh.com") != 0)
		return;
	/* aes128-cbc, 3des-cbc, rijndael-cbc@lysator.liu.se: the mode is in the name */
	if (strstr(cipher, "-cbc") != NULL) {
		char both[600];
		snprintf(both, sizeof(both), "%s+%s", cipher, mac);
		if (strstr(out, both) == NULL)
			rp_ssh_cat(out, "", both, strlen(both), "");
	}
}

static int rp_ssh_flush(struct rp_report *rep, struct rp_sshflow *F)
{
	char wneg[RP_SSH_EV_MAX] = "", woff[RP_SSH_EV_MAX] = "", p1[64], nsk[RP_SSH_EV_MAX] = "";
	char id[24], kx[4];
	const char *p[7];
	size_t i;
	int rc = 0;

	if (F->id <= 0)
		return 0;
	/* selected names in either class */
	for (i = 0; i < sizeof(rp_ssh_sel) / sizeof(rp_ssh_sel[0]); i++) {
		const char *v = F->s[rp_ssh_sel[i].d];
		const struct rp_ssh_alg *a = v ? rp_ssh_lookup(rp_ssh_sel[i].l, v, strlen(v)) : NULL;
		char lab[48];
		if (a == NULL)
			continue;
		snprintf(lab, sizeof(lab), "%s=", rp_ssh_keys[rp_ssh_sel[i].d]);
		rp_ssh_cat(wneg, lab, v, strlen(v), a->cls == BROKEN ? "(broken)" : "(legacy)");
	}
	/* the server's offered names of the BROKEN class, per list */
	for (i = 0; i < sizeof(rp_ssh_off) / sizeof(rp_ssh_off[0]); i++) {
		const char *v = F->s[rp_ssh_off[i].d], *e;
		while (v && *v) {
			const struct rp_ssh_alg *a;
			e = strchr(v, ',');
			if (e == NULL)
				e = v + strlen(v);
			if (e > v && (a = rp_ssh_lookup(rp_ssh_off[i].l, v, (size_t)(e - v))) && a->cls == BROKEN) {
				char lab[64];
				snprintf(lab, sizeof(lab), "%s:", rp_ssh_keys[rp_ssh_off[i].d]);
				rp_ssh_cat(woff, lab, v, (size_t)(e - v), "");
			}
			v = *e ? e + 1 : e;
		}
	}
	rp_ssh_p1(F, p1);
	if (F->has[D_STRICTC] && F->b[D_STRICTC] && F->has[D_STRICTS] && !F->b[D_STRICTS]) {
		rp_ssh_terrapin(F->s[D_CC2S], F->s[D_MC2S], nsk);
		rp_ssh_terrapin(F->s[D_CS2C], F->s[D_MS2C], nsk);
	}
	snprintf(id, sizeof(id), "%lld", (long long)F->id);
	snprintf(kx, sizeof(kx), "%d", F->s[D_KEX] ? 2 : F->s[D_SKEX] ? 1 : 0);
	p[0] = id;
	p[1] = strcmp(kx, "0") ? kx : NULL;
	p[2] = wneg[0] ? wneg : NULL;
	p[3] = woff[0] ? woff : NULL;
	p[4] = p1[0] ? p1 : NULL;
	p[5] = nsk[0] ? nsk : NULL;
	p[6] = F->s[D_HSRV];
	if (p[1] || p[4])
		rc = rp_q(rep, "INSERT INTO rp_ssh VALUES (CAST(?1 AS INTEGER), CAST(?2 AS INTEGER), ?3, ?4, ?5, ?6, ?7)",
			  p, 7, rp_cb_noop, NULL);
	for (i = 0; i < D_N; i++)
		free(F->s[i]);
	memset(F, 0, sizeof(*F));
	return rc;
}

struct rp_sshctx {
	struct rp_report *rep;
	struct rp_sshflow f;
	int rc;
};

static int cb_ssh(const struct store_row *r, void *arg)
{
	struct rp_sshctx *X = arg;
	int64_t id = store_col_int(r, 0);
	const char *key = store_col_text(r, 1), *sv = store_col_text(r, 2);
	int d;

	if (id != X->f.id) {
		if ((X->rc = rp_ssh_flush(X->rep, &X->f)) != 0)
			return X->rc;
		X->f.id = id;
	}
	for (d = 0; d < D_N; d++)
		if (key && strcmp(key, rp_ssh_keys[d]) == 0)
			break;
	if (d == D_N || X->f.has[d])   /* a detail stated twice: the first counts */
		return 0;
	X->f.has[d] = true;
	X->f.b[d] = store_col_int(r, 3);
	if (sv && (X->f.s[d] = strdup(sv)) == NULL)
		return -1;
	return 0;
}

/* The window's SSH flows with the details the rules read, in flow order.
 * The window bounds are those of RP_IN_WINDOW (load.c), spelt out. */
static const char rp_ssh_sql[] =
	"SELECT d.flow_id, d.key, d.sval, d.ival FROM flows f JOIN cleartext_details d ON d.flow_id = f.flow_id"
	" WHERE f.protocol = 'ssh' AND d.key IN ('client_protocol', 'server_protocol', 'kex', 'host_key',"
	" 'cipher_c2s', 'cipher_s2c', 'mac_c2s', 'mac_s2c', 'server_kex_algorithms',"
	" 'server_host_key_algorithms', 'server_ciphers_c2s', 'server_ciphers_s2c', 'server_macs_c2s',"
	" 'server_macs_s2c', 'strict_kex_client', 'strict_kex_server', 'hassh_server')"
	" AND ((SELECT since FROM rp_win) < 0 OR f.ts_last >= (SELECT since FROM rp_win))"
	" AND ((SELECT until FROM rp_win) < 0 OR f.ts_first < (SELECT until FROM rp_win))"
	" AND " RP_IN_SEL("f") " ORDER BY d.flow_id, d.seq";

int rp_ssh_build(struct rp_report *rep)
{
	struct rp_sshctx X;
	int rc;
	memset(&X, 0, sizeof(X));
	X.rep = rep;
	if (rp_q_exec(rep, "CREATE TEMP TABLE rp_ssh (flow_id INTEGER PRIMARY KEY, kx INTEGER, wneg TEXT,"
		      " woff TEXT, p1 TEXT, nsk TEXT, hsrv TEXT)") != 0)
		return -1;
	rc = store_query_rows(rep->st, rp_ssh_sql, NULL, 0, cb_ssh, &X);
	if (rc == 0)
		rc = rp_ssh_flush(rep, &X.f);
	for (int i = 0; i < D_N; i++)
		free(X.f.s[i]);
	return rc ? -1 : 0;
}
