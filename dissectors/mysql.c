/* SPDX-License-Identifier: BSD-3-Clause */
/* mysql.c — MySQL / MariaDB client/server protocol up to the end of the
 * connection phase (MySQL Source Code Documentation, "Client/Server
 * Protocol": Protocol::Packet, Connection Phase, Protocol::HandshakeV10,
 * Protocol::SSLRequest, Protocol::HandshakeResponse41 and 320,
 * Protocol::AuthSwitchRequest, OK_Packet, ERR_Packet; MariaDB KB
 * "Connection" for the MariaDB capability extension).
 *
 * Every message is a packet (a payload of 0xffffff bytes continues in the
 * next packet; connection-phase packets are far smaller):
 *
 *   +-----------+--------+-------------------+
 *   | int<3> LE | int<1> | payload           |
 *   | length    | seq id | (length bytes)    |
 *   +-----------+--------+-------------------+
 *
 * The server speaks first (HandshakeV10: protocol 10, version, capability
 * flags with CLIENT_SSL 0x800, default auth plugin). The client answers
 * either with an SSLRequest (the 32-byte head of HandshakeResponse41 with
 * CLIENT_SSL set: TLS starts right after that packet, hand-off to "tls") or
 * with a HandshakeResponse in clear (user, auth response, database, auth
 * plugin, connection attributes). The server then sends OK, ERR,
 * AuthSwitchRequest (0xfe) or AuthMoreData (0x01).
 *
 * State: offered = server CLIENT_SSL; SSLRequest -> starttls; a response in
 * clear after an offer -> starttls_not_used; no offer -> cleartext.
 * Credentials in clear: the auth data of mysql_clear_password and of
 * MariaDB's dialog (PAM) plugin is the password itself. The scrambles of
 * mysql_native_password, caching_sha2_password (fast path), sha256_password
 * and client_ed25519 are challenge-responses and not counted; the auth data
 * itself is never read. Done at OK or ERR, or at the hand-off.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"

#define MY_PKT_MAX 65536        /* connection-phase packets are small */
#define MY_STR_MAX 256
#define MY_ATTRS_MAX 64

/* Capability flags (Capabilities Flags, include/mysql_com.h). */
#define CLIENT_CONNECT_WITH_DB 0x00000008u
#define CLIENT_PROTOCOL_41 0x00000200u
#define CLIENT_SSL 0x00000800u
#define CLIENT_SECURE_CONNECTION 0x00008000u
#define CLIENT_PLUGIN_AUTH 0x00080000u
#define CLIENT_CONNECT_ATTRS 0x00100000u
#define CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA 0x00200000u

enum {
	MY_ANOM_BAD_GREETING = 1,
	MY_ANOM_BAD_RESPONSE,
	MY_ANOM_BAD_SEQUENCE,
	MY_ANOM_PACKET_TOO_LONG,
	MY_ANOM_BAD_SERVER_PACKET,
};

static const struct anomaly_def my_anomalies[] = {
	{ MY_ANOM_BAD_GREETING, "bad_greeting" },
	{ MY_ANOM_BAD_RESPONSE, "bad_handshake_response" },
	{ MY_ANOM_BAD_SEQUENCE, "bad_sequence" },
	{ MY_ANOM_PACKET_TOO_LONG, "packet_too_long" },
	{ MY_ANOM_BAD_SERVER_PACKET, "bad_server_packet" },
	{ 0, NULL },
};

enum my_phase {
	MY_GREETING = 0,   /* waiting for the server's HandshakeV10 */
	MY_RESPONSE,       /* waiting for the client's SSLRequest / response */
	MY_AUTH,           /* response sent: waiting for OK/ERR/switch */
};

struct my_state {
	enum my_phase phase;
	uint32_t server_caps;
	bool offered;
	const char *clear_plugin; /* the plugin in use sends the password itself */
	unsigned auth_packets;  /* client packets after the response */
};

/* mysql_clear_password and MariaDB's dialog plugin carry the password:
 * returns the mechanism name to record, or NULL. */
static const char *my_plugin_clear(const char *s, size_t n)
{
	if (n == 20 && memcmp(s, "mysql_clear_password", 20) == 0)
		return "mysql_clear_password";
	if (n == 6 && memcmp(s, "dialog", 6) == 0)
		return "dialog";
	return NULL;
}

static enum probe_res my_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	uint32_t plen;
	uint8_t seq, proto;
	const char *v;
	size_t vl;
	int r;

	if (dir != DIR_S2C)
		return PROBE_NOMATCH; /* the server speaks first */
	if (cur_le24(&c, &plen) != 0 || cur_u8(&c, &seq) != 0 || cur_u8(&c, &proto) != 0)
		return PROBE_NEED_MORE;
	if (seq != 0 || plen < 2)
		return PROBE_NOMATCH;
	if (proto == 0xff)  /* ERR_Packet instead of a greeting (host blocked) */
		return plen >= 3 && plen <= MY_PKT_MAX ? PROBE_MATCH : PROBE_NOMATCH;
	/* a greeting over MY_PKT_MAX (up to 0xffffff) still matches on its
	 * protocol byte and version string: parse() records packet_too_long */
	if (proto != 10 || plen < 32)
		return PROBE_NOMATCH;
	/* a printable version string */
	r = cur_cstr(&c, 64, &v, &vl);
	if (r == CUR_TRUNC)
		return PROBE_NEED_MORE;
	if (r != 0 || vl == 0)
		return PROBE_NOMATCH;
	for (size_t i = 0; i < vl; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return PROBE_NOMATCH;
	return PROBE_MATCH;
}

static void my_err_packet(struct dis_ctx *ctx, struct cur *pl)
{
	uint16_t code;
	if (cur_le16(pl, &code) == 0)
		obs_detail_int(ctx, "error_code", code);
	/* '#' + SQLSTATE follows in 4.1; the message text is not kept */
	if (cur_left(pl) >= 6 && pl->p[0] == '#')
		obs_detail_str(ctx, "error_sqlstate", pl->p + 1, 5);
}

/* Protocol::HandshakeV10 (after the protocol byte). */
static int my_parse_greeting(struct dis_ctx *ctx, struct my_state *st, struct cur *pl)
{
	const char *ver, *plugin;
	size_t vl, pll;
	uint16_t lo, hi = 0, status;
	uint8_t charset, adlen = 0;
	uint32_t tid;

	if (cur_cstr(pl, MY_STR_MAX, &ver, &vl) != 0 || cur_le32(pl, &tid) != 0 ||
	    cur_skip(pl, 8 + 1) != 0 || cur_le16(pl, &lo) != 0)
		return -1;
	obs_detail_str(ctx, "server_version", ver, vl);
	st->server_caps = lo;
	if (cur_left(pl) > 0) {
		if (cur_u8(pl, &charset) != 0 || cur_le16(pl, &status) != 0 ||
		    cur_le16(pl, &hi) != 0 || cur_u8(pl, &adlen) != 0 || cur_skip(pl, 10) != 0)
			return -1;
		st->server_caps |= (uint32_t)hi << 16;
		if (st->server_caps & CLIENT_SECURE_CONNECTION) {
			size_t n = adlen > 8 ? (size_t)adlen - 8 : 0;
			if (n < 13)
				n = 13;
			if (cur_skip(pl, n) != 0)
				return -1;
		}
		if ((st->server_caps & CLIENT_PLUGIN_AUTH) && cur_left(pl) > 0) {
			int r = cur_cstr(pl, MY_STR_MAX, &plugin, &pll);
			if (r == CUR_TRUNC) { /* some servers omit the final NUL */
				plugin = (const char *)pl->p;
				pll = cur_left(pl);
			} else if (r != 0) {
				return -1;
			}
			obs_detail_str(ctx, "server_auth_plugin", plugin, pll);
		}
	}
	obs_detail_int(ctx, "server_capabilities", st->server_caps);
	st->offered = (st->server_caps & CLIENT_SSL) != 0;
	obs_tls_offered(ctx, st->offered);
	return 0;
}

/* Connection attributes: lenenc total, then lenenc key/value strings. */
static void my_parse_attrs(struct dis_ctx *ctx, struct cur *pl)
{
	uint64_t total;
	struct cur a;
	int n;

	if (cur_lenenc(pl, &total) != 0 || total > cur_left(pl) || cur_sub(pl, (size_t)total, &a) != 0)
		return;
	for (n = 0; n < MY_ATTRS_MAX && cur_left(&a) > 0; n++) {
		uint64_t kl, vl;
		const uint8_t *k, *v;
		if (cur_lenenc(&a, &kl) != 0 || kl > MY_STR_MAX || cur_bytes(&a, (size_t)kl, &k) != 0 ||
		    cur_lenenc(&a, &vl) != 0 || vl > MY_STR_MAX || cur_bytes(&a, (size_t)vl, &v) != 0)
			return;
		if (kl == 12 && memcmp(k, "_client_name", 12) == 0)
			obs_detail_str(ctx, "client_name", v, (size_t)vl);
		else if (kl == 15 && memcmp(k, "_client_version", 15) == 0)
			obs_detail_str(ctx, "client_version", v, (size_t)vl);
		else if (kl == 12 && memcmp(k, "program_name", 12) == 0)
			obs_detail_str(ctx, "program_name", v, (size_t)vl);
	}
}

/* SSLRequest or HandshakeResponse41/320. Returns 1 for SSLRequest, 0 for a
 * response in clear, -1 on error. */
static int my_parse_response(struct dis_ctx *ctx, struct my_state *st, struct cur *pl, uint32_t plen)
{
	uint32_t caps, maxpkt;
	uint16_t caps16;
	uint8_t charset;
	const char *user, *s;
	size_t ul, sl, alen = 0;

	if (cur_le16(pl, &caps16) != 0)
		return -1;
	caps = caps16;
	if (caps & CLIENT_PROTOCOL_41) {
		uint16_t hi;
		if (cur_le16(pl, &hi) != 0 || cur_le32(pl, &maxpkt) != 0 ||
		    cur_u8(pl, &charset) != 0 || cur_skip(pl, 23) != 0)
			return -1;
		caps |= (uint32_t)hi << 16;
		obs_detail_int(ctx, "client_capabilities", caps);
		if (plen == 32) {
			if (!(caps & CLIENT_SSL))
				return -1;
			return 1;
		}
	} else {
		uint32_t mp;
		obs_detail_int(ctx, "client_capabilities", caps);
		if (cur_le24(pl, &mp) != 0)
			return -1;
		if (plen == 5 && (caps & CLIENT_SSL))
			return 1; /* Protocol::SSLRequest for 3.20 clients */
		if (cur_cstr(pl, MY_STR_MAX, &user, &ul) != 0)
			return -1;
		obs_user(ctx, user, ul);
		obs_auth_mechanism(ctx, "mysql_old_password", 18);
		return 0;
	}
	if (cur_cstr(pl, MY_STR_MAX, &user, &ul) != 0)
		return -1;
	obs_user(ctx, user, ul);
	/* auth response: skipped, never read; only its length is used */
	if (caps & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) {
		uint64_t n;
		if (cur_lenenc(pl, &n) != 0 || n > cur_left(pl) || cur_skip(pl, (size_t)n) != 0)
			return -1;
		alen = (size_t)n;
	} else if (caps & CLIENT_SECURE_CONNECTION) {
		struct cur skip;
		if (cur_sub_len8(pl, &skip) != 0)
			return -1;
		alen = cur_left(&skip);
	} else {
		if (cur_cstr(pl, MY_PKT_MAX, &s, &sl) != 0)
			return -1;
		alen = sl;
	}
	if ((caps & CLIENT_CONNECT_WITH_DB) && cur_left(pl) > 0) {
		if (cur_cstr(pl, MY_STR_MAX, &s, &sl) != 0)
			return -1;
		obs_detail_str(ctx, "database", s, sl);
	}
	if ((caps & CLIENT_PLUGIN_AUTH) && cur_left(pl) > 0) {
		if (cur_cstr(pl, MY_STR_MAX, &s, &sl) != 0)
			return -1;
		obs_auth_mechanism(ctx, s, sl);
		st->clear_plugin = my_plugin_clear(s, sl);
		if (st->clear_plugin && alen > 0)
			obs_credentials(ctx, st->clear_plugin);
	}
	if ((caps & CLIENT_CONNECT_ATTRS) && cur_left(pl) > 0)
		my_parse_attrs(ctx, pl);
	return 0;
}

/* A server packet after the client's response. Returns 1 when done. */
static int my_server_auth(struct dis_ctx *ctx, struct my_state *st, struct cur *pl)
{
	uint8_t h;
	const char *plugin;
	size_t pll;

	if (cur_u8(pl, &h) != 0)
		return -1;
	switch (h) {
	case 0x00:
		obs_detail_str(ctx, "auth_result", "ok", 2);
		return 1;
	case 0xff:
		obs_detail_str(ctx, "auth_result", "error", 5);
		my_err_packet(ctx, pl);
		return 1;
	case 0xfe: /* AuthSwitchRequest: plugin name, plugin data */
		if (cur_left(pl) == 0) {
			/* old AuthSwitchRequest: use mysql_old_password */
			obs_detail_str(ctx, "auth_switch", "mysql_old_password", 18);
			return 0;
		}
		if (cur_cstr(pl, MY_STR_MAX, &plugin, &pll) != 0)
			return -1;
		obs_detail_str(ctx, "auth_switch", plugin, pll);
		obs_auth_mechanism(ctx, plugin, pll);
		st->clear_plugin = my_plugin_clear(plugin, pll);
		return 0;
	case 0x01: /* AuthMoreData: caching_sha2 fast (3) or full (4) auth */
		if (cur_left(pl) == 1) {
			if (pl->p[0] == 3)
				obs_detail_str(ctx, "caching_sha2", "fast_auth", 9);
			else if (pl->p[0] == 4)
				obs_detail_str(ctx, "caching_sha2", "full_auth", 9);
		}
		return 0;
	default:
		return 0;
	}
}

static struct dis_result my_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				  const uint8_t *p, size_t len)
{
	struct my_state *st = state;
	struct cur c = cur_make(p, len);

	obs_protocol(ctx, "mysql");
	while (cur_left(&c) > 0) {
		size_t off = cur_off(&c, p);
		uint32_t plen;
		uint8_t seq;
		struct cur pl;
		int r;

		if (dir == DIR_C2S && st->phase == MY_GREETING)
			return dis_ok(off); /* wait for the greeting */
		if (cur_le24(&c, &plen) != 0 || cur_u8(&c, &seq) != 0)
			return dis_incomplete(off, 4);
		if (plen > MY_PKT_MAX) {
			obs_anomaly(ctx, MY_ANOM_PACKET_TOO_LONG, "%u bytes", plen);
			return dis_error(off);
		}
		if (cur_sub(&c, plen, &pl) != 0)
			return dis_incomplete(off, (size_t)plen + 4);

		if (dir == DIR_S2C && st->phase == MY_GREETING) {
			uint8_t proto;
			if (seq != 0 || cur_u8(&pl, &proto) != 0) {
				obs_anomaly(ctx, MY_ANOM_BAD_GREETING, "seq %u", seq);
				return dis_error(off);
			}
			if (proto == 0xff) {
				obs_detail_str(ctx, "connection_result", "error", 5);
				my_err_packet(ctx, &pl);
				return dis_done(cur_off(&c, p));
			}
			if (proto != 10 || my_parse_greeting(ctx, st, &pl) != 0) {
				obs_anomaly(ctx, MY_ANOM_BAD_GREETING, "protocol %u", proto);
				return dis_error(off);
			}
			obs_detail_int(ctx, "protocol_version", proto);
			st->phase = MY_RESPONSE;
			continue;
		}
		if (dir == DIR_C2S && st->phase == MY_RESPONSE) {
			if (seq != 1) {
				obs_anomaly(ctx, MY_ANOM_BAD_SEQUENCE, "response seq %u", seq);
				return dis_error(off);
			}
			r = my_parse_response(ctx, st, &pl, plen);
			if (r < 0) {
				obs_anomaly(ctx, MY_ANOM_BAD_RESPONSE, "%u bytes", plen);
				return dis_error(off);
			}
			if (r == 1) {
				obs_tls_requested(ctx, true);
				obs_security(ctx, SEC_STARTTLS);
				dis_handoff(ctx, "tls");
				return dis_done(cur_off(&c, p));
			}
			obs_tls_requested(ctx, false);
			obs_security(ctx, st->offered ? SEC_STARTTLS_NOT_USED : SEC_CLEARTEXT);
			st->phase = MY_AUTH;
			continue;
		}
		if (dir == DIR_C2S && st->phase == MY_AUTH) {
			/* auth continuation data: only whether it is a password */
			if (st->clear_plugin && plen > 0)
				obs_credentials(ctx, st->clear_plugin);
			st->auth_packets++;
			continue;
		}
		if (dir == DIR_S2C && st->phase == MY_RESPONSE) {
			uint8_t h;
			/* a server error before the client's response */
			if (cur_u8(&pl, &h) == 0 && h == 0xff) {
				obs_detail_str(ctx, "auth_result", "error", 5);
				my_err_packet(ctx, &pl);
				return dis_done(cur_off(&c, p));
			}
			obs_anomaly(ctx, MY_ANOM_BAD_SERVER_PACKET, "before the client's response");
			return dis_error(off);
		}
		/* S2C, MY_AUTH */
		r = my_server_auth(ctx, st, &pl);
		if (r < 0) {
			obs_anomaly(ctx, MY_ANOM_BAD_SERVER_PACKET, "auth reply");
			return dis_error(off);
		}
		if (r > 0)
			return dis_done(cur_off(&c, p));
	}
	return dis_ok(len);
}

static const uint16_t my_ports[] = { 3306, 3307, 0 };

const struct dissector dissector_mysql = {
	.name = "mysql",
	.transport = DIS_TCP,
	.ports = my_ports,
	.probe = my_probe,
	.state_size = sizeof(struct my_state),
	.parse = my_parse,
	.anomalies = my_anomalies,
};
