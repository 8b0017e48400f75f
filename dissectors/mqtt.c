/* SPDX-License-Identifier: BSD-3-Clause */
/* mqtt.c — MQTT connection set-up in clear: CONNECT and CONNACK of MQTT 3.1
 * (IBM MQIsdp, protocol level 3), 3.1.1 (OASIS MQTT Version 3.1.1 §2.2 fixed
 * header, §3.1 CONNECT, §3.2 CONNACK) and 5.0 (OASIS MQTT Version 5.0 §2.1.4
 * Variable Byte Integer, §2.2.2 properties, §3.1 CONNECT, §3.2 CONNACK,
 * §3.15 AUTH, §4.13 reason codes).
 *
 *   fixed header:  type<<4 | flags  u8 | Remaining Length (varint, 1..4 bytes)
 *   CONNECT (1):   Protocol Name (u16 len + "MQTT" | "MQIsdp") | Protocol
 *                  Level u8 (3, 4, 5) | Connect Flags u8 | Keep Alive u16 |
 *                  [5.0: Properties (varint len + properties)] |
 *                  Client Identifier | [Will: [5.0 Will Properties] Topic,
 *                  Payload] | [User Name] | [Password]
 *   Connect Flags: 7 user name | 6 password | 5 will retain | 4-3 will QoS |
 *                  2 will | 1 clean session (5.0: clean start) | 0 reserved
 *   CONNACK (2):   Acknowledge Flags u8 (bit 0 session present) | return code
 *                  (3.x: 0..5) or reason code (5.0) | [5.0: Properties]
 *
 * Facts (cleartext.details, docs/EXPORT.md "MQTT details"): the protocol
 * name and level and the version they name, the connect flags, keep-alive,
 * the client identifier; the user name (obs_user); a password field present
 * is credentials in clear, mechanism "password" (its bytes are skipped,
 * never read); a 5.0 Authentication Method property is obs_auth_mechanism
 * (its Authentication Data, a challenge-response, is not credentials);
 * the CONNACK code and its name, and session present. Done at the CONNACK;
 * the publish stream is not read. MQTT has no in-band TLS upgrade: TLS is a
 * different listener (8883, MQTT 5.0 §4.2), taken by the TLS dissector from
 * its first byte; these flows are cleartext.
 *
 * Selection: the client's first packet is a CONNECT (0x10) with a valid
 * Remaining Length and a protocol name of 4 or 6 bytes beginning "MQ"
 * ("MQTT", "MQIsdp"; another one is bad_protocol_name). A Remaining Length
 * over the cap still matches; parse() raises packet_too_long.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"

/* A CONNECT of 3.1.1 holds at most five u16-prefixed fields (about 320
 * KiB); real clients send a few hundred bytes. 64 KiB is far above any
 * set-up a broker sees in practice and below the stream cap. */
#define MQTT_PACKET_MAX 65536
#define MQTT_VARINT_MAX 4      /* §1.5.5 / 5.0 §1.5.5: at most four bytes */
#define MQTT_PROPS_MAX 64      /* properties read in one block before a cap */
#define MQTT_AUTH_PACKETS_MAX 8 /* 5.0 AUTH exchanges skipped before CONNACK */

enum {
	MQTT_ANOM_BAD_VARINT = 1,
	MQTT_ANOM_TOO_LONG,
	MQTT_ANOM_BAD_NAME,
	MQTT_ANOM_BAD_LEVEL,
	MQTT_ANOM_BAD_CONNECT,
	MQTT_ANOM_BAD_PROPERTIES,
	MQTT_ANOM_PASSWORD_NO_USER,
	MQTT_ANOM_BAD_CONNACK,
	MQTT_ANOM_UNEXPECTED,
};

static const struct anomaly_def mqtt_anomalies[] = {
	{ MQTT_ANOM_BAD_VARINT, "bad_remaining_length" },
	{ MQTT_ANOM_TOO_LONG, "packet_too_long" },
	{ MQTT_ANOM_BAD_NAME, "bad_protocol_name" },
	{ MQTT_ANOM_BAD_LEVEL, "bad_protocol_level" },
	{ MQTT_ANOM_BAD_CONNECT, "bad_connect" },
	{ MQTT_ANOM_BAD_PROPERTIES, "bad_properties" },
	{ MQTT_ANOM_PASSWORD_NO_USER, "password_without_user_name" },
	{ MQTT_ANOM_BAD_CONNACK, "bad_connack" },
	{ MQTT_ANOM_UNEXPECTED, "unexpected_packet" },
	{ 0, NULL },
};

/* CONNACK return codes of 3.1/3.1.1 (§3.2.2.3, Table 3.1); ends with a
 * sentinel. */
static const char *const mqtt_connack_v3[] = {
	"accepted", "unacceptable_protocol_version", "identifier_rejected",
	"server_unavailable", "bad_user_name_or_password", "not_authorized", NULL,
};

/* CONNACK reason codes of 5.0 (§3.2.2.2, Table 3-1). */
static const struct { uint8_t code; const char *name; } mqtt_connack_v5[] = {
	{ 0x00, "success" }, { 0x80, "unspecified_error" }, { 0x81, "malformed_packet" },
	{ 0x82, "protocol_error" }, { 0x83, "implementation_specific_error" },
	{ 0x84, "unsupported_protocol_version" }, { 0x85, "client_identifier_not_valid" },
	{ 0x86, "bad_user_name_or_password" }, { 0x87, "not_authorized" },
	{ 0x88, "server_unavailable" }, { 0x89, "server_busy" }, { 0x8A, "banned" },
	{ 0x8C, "bad_authentication_method" }, { 0x90, "topic_name_invalid" },
	{ 0x95, "packet_too_large" }, { 0x97, "quota_exceeded" },
	{ 0x99, "payload_format_invalid" }, { 0x9A, "retain_not_supported" },
	{ 0x9B, "qos_not_supported" }, { 0x9C, "use_another_server" },
	{ 0x9D, "server_moved" }, { 0x9F, "connection_rate_exceeded" },
	{ 0, NULL },
};

/* 5.0 property identifiers (§2.2.2.2, Table 2-4) and the shape of their
 * values: what skipping one needs. */
enum mqtt_ptype { PT_NONE = 0, PT_BYTE, PT_U16, PT_U32, PT_VARINT, PT_STR, PT_BIN, PT_PAIR };
static const struct { uint8_t id; uint8_t type; } mqtt_props[] = {
	{ 0x01, PT_BYTE }, { 0x02, PT_U32 }, { 0x03, PT_STR }, { 0x08, PT_STR },
	{ 0x09, PT_BIN }, { 0x0B, PT_VARINT }, { 0x11, PT_U32 }, { 0x12, PT_STR },
	{ 0x13, PT_U16 }, { 0x15, PT_STR }, { 0x16, PT_BIN }, { 0x17, PT_BYTE },
	{ 0x18, PT_U32 }, { 0x19, PT_BYTE }, { 0x1A, PT_STR }, { 0x1C, PT_STR },
	{ 0x1F, PT_STR }, { 0x21, PT_U16 }, { 0x22, PT_U16 }, { 0x23, PT_U16 },
	{ 0x24, PT_BYTE }, { 0x25, PT_BYTE }, { 0x26, PT_PAIR }, { 0x27, PT_U32 },
	{ 0x28, PT_BYTE }, { 0x29, PT_BYTE }, { 0x2A, PT_BYTE },
	{ 0, PT_NONE },
};
#define MQTT_PROP_AUTH_METHOD 0x15

enum mqtt_phase { MQ_CONNECT = 0, MQ_CONNACK };

struct mqtt_state {
	enum mqtt_phase phase;
	bool started;
	uint8_t level;      /* protocol level of the CONNECT */
	unsigned auth_packets;
};

/* Variable Byte Integer (5.0 §1.5.5; 3.1.1 §2.2.3's Remaining Length):
 * CUR_TRUNC when the bytes end inside it, CUR_INVALID when a fourth byte
 * still has its continuation bit. On failure the cursor has not moved. */
static int mqtt_varint(struct cur *c, uint32_t *v)
{
	struct cur save = *c;
	uint32_t mult = 1;
	unsigned i;
	uint8_t b;
	int r;

	*v = 0;
	for (i = 0; i < MQTT_VARINT_MAX; i++) {
		if ((r = cur_u8(c, &b)) != 0) {
			*c = save;
			*v = 0;
			return r;
		}
		*v += (uint32_t)(b & 0x7f) * mult;
		if (!(b & 0x80))
			return CUR_OK;
		mult <<= 7;
	}
	*c = save;
	*v = 0;
	return CUR_INVALID;
}

/* UTF-8 string or binary data (§1.5.3, §1.5.4 / 5.0 §1.5.4, §1.5.6): u16
 * length and the bytes, zero-copy. */
static int mqtt_str(struct cur *c, const uint8_t **s, size_t *n)
{
	struct cur sub;
	int r = cur_sub_len16(c, &sub);
	*s = r == 0 ? sub.p : NULL;
	*n = r == 0 ? cur_left(&sub) : 0;
	return r;
}

static enum probe_res mqtt_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	uint32_t rl;
	uint16_t nl;
	uint8_t t;
	int r;

	if (dir == DIR_S2C)
		return len == 0 ? PROBE_NEED_MORE : PROBE_NOMATCH; /* the client speaks first */
	if (cur_u8(&c, &t) != 0)
		return PROBE_NEED_MORE;
	if (t != 0x10)
		return PROBE_NOMATCH; /* CONNECT, flags 0 (§2.2.2) */
	if ((r = mqtt_varint(&c, &rl)) != 0)
		return r == CUR_TRUNC ? PROBE_NEED_MORE : PROBE_NOMATCH;
	/* a length over the cap still matches: parse() raises packet_too_long */
	if (cur_be16(&c, &nl) != 0)
		return PROBE_NEED_MORE;
	/* both names begin "MQ": a CONNECT with another name of length 4 or
	 * 6 after "MQ" is claimed, and parse() raises bad_protocol_name */
	if (nl != 4 && nl != 6)
		return PROBE_NOMATCH;
	r = cur_peek_lit(&c, "MQ", 2);
	return r == 0 ? PROBE_MATCH : r == CUR_TRUNC ? PROBE_NEED_MORE : PROBE_NOMATCH;
}

/* One block of 5.0 properties (c covers exactly the block): skipped, but
 * the Authentication Method is stated when `auth` is set. 0, or
 * CUR_INVALID / CUR_TRUNC / CUR_CAP for a malformed block. */
static int mqtt_properties(struct dis_ctx *ctx, struct cur c, bool auth)
{
	unsigned n = 0;

	while (cur_left(&c) > 0) {
		const uint8_t *s = NULL;
		size_t sl = 0;
		uint32_t id, v;
		unsigned i;
		int r;

		if (++n > MQTT_PROPS_MAX)
			return CUR_CAP;
		if ((r = mqtt_varint(&c, &id)) != 0)
			return r;
		for (i = 0; mqtt_props[i].id; i++)
			if (mqtt_props[i].id == id)
				break;
		switch (mqtt_props[i].type) {
		case PT_BYTE: r = cur_skip(&c, 1); break;
		case PT_U16: r = cur_skip(&c, 2); break;
		case PT_U32: r = cur_skip(&c, 4); break;
		case PT_VARINT: r = mqtt_varint(&c, &v); break;
		case PT_STR:
		case PT_BIN: r = mqtt_str(&c, &s, &sl); break;
		case PT_PAIR:
			if ((r = mqtt_str(&c, &s, &sl)) == 0)
				r = mqtt_str(&c, &s, &sl);
			break;
		default:
			return CUR_INVALID; /* unknown identifier: its size is unknown */
		}
		if (r != 0)
			return r;
		if (auth && id == MQTT_PROP_AUTH_METHOD)
			obs_auth_mechanism(ctx, (const char *)s, sl);
	}
	return 0;
}

/* A properties block at c: its varint length, then the block. */
static int mqtt_property_block(struct dis_ctx *ctx, struct cur *c, bool auth)
{
	struct cur save = *c, blk;
	uint32_t n;
	int r;

	if ((r = mqtt_varint(c, &n)) != 0 || (r = cur_sub(c, n, &blk)) != 0) {
		*c = save;
		return r;
	}
	return mqtt_properties(ctx, blk, auth);
}

/* The fixed header at c: type byte and Remaining Length, checked against
 * the cap. 0 and *body covering the packet; CUR_TRUNC with *needed bytes
 * of the packet; otherwise an anomaly was raised. */
static int mqtt_packet(struct dis_ctx *ctx, struct cur *c, uint8_t *type, struct cur *body,
		       size_t *needed)
{
	struct cur save = *c;
	uint32_t rl;
	int r;

	*needed = 0;
	if ((r = cur_u8(c, type)) != 0) {
		*needed = 1;
		return r;
	}
	if ((r = mqtt_varint(c, &rl)) == CUR_TRUNC) {
		*c = save;
		*needed = cur_left(c) + 1;
		return r;
	}
	if (r != 0) {
		obs_anomaly(ctx, MQTT_ANOM_BAD_VARINT, "packet type %u", *type >> 4);
		return CUR_INVALID;
	}
	if (rl > MQTT_PACKET_MAX) {
		obs_anomaly(ctx, MQTT_ANOM_TOO_LONG, "packet type %u: Remaining Length %u over %u",
			    *type >> 4, rl, MQTT_PACKET_MAX);
		return CUR_CAP;
	}
	if ((r = cur_sub(c, rl, body)) != 0) {
		*needed = cur_off(c, save.p) + rl;
		*c = save;
		return r;
	}
	return 0;
}

static const char *mqtt_version_name(uint8_t level)
{
	return level == 3 ? "3.1" : level == 4 ? "3.1.1" : "5.0";
}

/* The CONNECT body. 0, or -1 after an anomaly. */
static int mqtt_connect(struct dis_ctx *ctx, struct mqtt_state *st, struct cur c)
{
	const uint8_t *name, *s;
	size_t nl, sl;
	uint8_t level, flags;
	uint16_t keep;
	const char *ver;
	bool v5;

	if (mqtt_str(&c, &name, &nl) != 0 ||
	    !((nl == 4 && memcmp(name, "MQTT", 4) == 0) || (nl == 6 && memcmp(name, "MQIsdp", 6) == 0))) {
		obs_anomaly(ctx, MQTT_ANOM_BAD_NAME, "protocol name of %zu bytes", nl);
		return -1;
	}
	obs_detail_str(ctx, "protocol_name", name, nl);
	if (cur_u8(&c, &level) != 0 || cur_u8(&c, &flags) != 0 || cur_be16(&c, &keep) != 0)
		goto bad;
	/* 3.1 says MQIsdp with level 3; 3.1.1 and 5.0 say MQTT with 4 or 5 */
	if (nl == 6 ? level != 3 : (level != 4 && level != 5)) {
		obs_anomaly(ctx, MQTT_ANOM_BAD_LEVEL, "%.*s level %u", (int)nl, (const char *)name, level);
		return -1;
	}
	st->level = level;
	v5 = level == 5;
	ver = mqtt_version_name(level);
	obs_detail_int(ctx, "protocol_level", level);
	obs_detail_str(ctx, "version", ver, strlen(ver));
	/* §3.1.2.3: the reserved bit is 0; will QoS 3 is malformed (§3.1.2.6) */
	if ((flags & 0x01) || ((flags >> 3) & 3) == 3) {
		obs_anomaly(ctx, MQTT_ANOM_BAD_CONNECT, "connect flags 0x%02x", flags);
		return -1;
	}
	obs_detail_bool(ctx, "clean_session", (flags & 0x02) != 0);
	obs_detail_bool(ctx, "will", (flags & 0x04) != 0);
	if (flags & 0x04) {
		obs_detail_int(ctx, "will_qos", (flags >> 3) & 3);
		obs_detail_bool(ctx, "will_retain", (flags & 0x20) != 0);
	}
	obs_detail_bool(ctx, "username_flag", (flags & 0x80) != 0);
	obs_detail_bool(ctx, "password_flag", (flags & 0x40) != 0);
	obs_detail_int(ctx, "keep_alive", keep);
	if (v5 && mqtt_property_block(ctx, &c, true) != 0) {
		obs_anomaly(ctx, MQTT_ANOM_BAD_PROPERTIES, "CONNECT properties");
		return -1;
	}
	if (mqtt_str(&c, &s, &sl) != 0)
		goto bad;
	obs_detail_str(ctx, "client_id", s, sl);
	if (flags & 0x04) {
		if (v5 && mqtt_property_block(ctx, &c, false) != 0) {
			obs_anomaly(ctx, MQTT_ANOM_BAD_PROPERTIES, "will properties");
			return -1;
		}
		if (mqtt_str(&c, &s, &sl) != 0 || mqtt_str(&c, &s, &sl) != 0)
			goto bad;
	}
	if (flags & 0x80) {
		if (mqtt_str(&c, &s, &sl) != 0)
			goto bad;
		obs_user(ctx, s, sl);
	}
	if (flags & 0x40) {
		/* the password: its length is checked, its bytes are not read */
		struct cur pw;
		if (cur_sub_len16(&c, &pw) != 0)
			goto bad;
		obs_credentials(ctx, "password");
		/* §3.1.2.9 (3.1.1): no password without a user name; 5.0
		 * allows it (§3.1.2.9) */
		if (!v5 && !(flags & 0x80))
			obs_anomaly(ctx, MQTT_ANOM_PASSWORD_NO_USER, "level %u", level);
	}
	if (cur_expect_end(&c) != 0) {
		obs_anomaly(ctx, MQTT_ANOM_BAD_CONNECT, "%zu bytes after the payload", cur_left(&c));
		return -1;
	}
	return 0;
bad:
	obs_anomaly(ctx, MQTT_ANOM_BAD_CONNECT, "a field overruns the Remaining Length");
	return -1;
}

/* The CONNACK body. 0, or -1 after an anomaly. */
static int mqtt_connack(struct dis_ctx *ctx, struct mqtt_state *st, struct cur c)
{
	uint8_t ackf, code;
	const char *name = NULL;
	unsigned i;

	/* 3.1.1 §3.2.2.1 / 5.0 §3.2.2.1: bits 7-1 reserved; in 3.1 the byte
	 * was "reserved, not used" as a whole, so any value passes there */
	if (cur_u8(&c, &ackf) != 0 || cur_u8(&c, &code) != 0 || (st->level >= 4 && (ackf & 0xfe))) {
		obs_anomaly(ctx, MQTT_ANOM_BAD_CONNACK, "%zu bytes, acknowledge flags 0x%02x",
			    cur_left(&c), ackf);
		return -1;
	}
	obs_detail_int(ctx, "connack_code", code);
	if (st->level == 5) {
		for (i = 0; mqtt_connack_v5[i].name; i++)
			if (mqtt_connack_v5[i].code == code)
				name = mqtt_connack_v5[i].name;
	} else if (code < sizeof(mqtt_connack_v3) / sizeof(mqtt_connack_v3[0]) - 1) {
		name = mqtt_connack_v3[code];
	}
	if (name)
		obs_detail_str(ctx, "connack", name, strlen(name));
	if (st->level >= 4)
		obs_detail_bool(ctx, "session_present", (ackf & 1) != 0);
	/* 5.0 properties, when present: only checked (the broker's limits and
	 * an Assigned Client Identifier are not facts this report uses) */
	if (st->level == 5 && cur_left(&c) > 0 && mqtt_property_block(ctx, &c, false) != 0) {
		obs_anomaly(ctx, MQTT_ANOM_BAD_PROPERTIES, "CONNACK properties");
		return -1;
	}
	return 0;
}

static struct dis_result mqtt_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				    const uint8_t *p, size_t len)
{
	struct mqtt_state *st = state;
	struct cur c = cur_make(p, len), body;
	size_t needed;
	uint8_t type;
	int r;

	if (dir == DIR_C2S && st->phase != MQ_CONNECT)
		return dis_ok(len); /* publish stream, AUTH: not read */
	if (dir == DIR_C2S && !st->started) {
		/* the probe saw a CONNECT: the flow is MQTT even if it is cut */
		st->started = true;
		obs_protocol(ctx, "mqtt");
		obs_security(ctx, SEC_CLEARTEXT);
		obs_tls_offered(ctx, false);
		obs_tls_requested(ctx, false);
	}
	if (dir == DIR_S2C && st->phase == MQ_CONNECT) {
		obs_anomaly(ctx, MQTT_ANOM_UNEXPECTED, "server bytes before the CONNECT");
		return dis_error(0);
	}
	while (cur_left(&c) > 0) {
		size_t before = cur_off(&c, p);

		r = mqtt_packet(ctx, &c, &type, &body, &needed);
		if (r == CUR_TRUNC)
			return dis_incomplete(before, needed);
		if (r != 0)
			return dis_error(before);
		if (dir == DIR_C2S) {
			if (type != 0x10) {
				obs_anomaly(ctx, MQTT_ANOM_UNEXPECTED, "first packet 0x%02x", type);
				return dis_error(before);
			}
			if (mqtt_connect(ctx, st, body) != 0)
				return dis_error(before);
			st->phase = MQ_CONNACK;
			return dis_ok(len);
		}
		if (type == 0xF0 && st->level == 5 && ++st->auth_packets <= MQTT_AUTH_PACKETS_MAX)
			continue; /* 5.0 enhanced authentication (§4.12) before CONNACK */
		if (type != 0x20) {
			obs_anomaly(ctx, MQTT_ANOM_UNEXPECTED, "server packet 0x%02x before CONNACK", type);
			return dis_error(before);
		}
		if (mqtt_connack(ctx, st, body) != 0)
			return dis_error(before);
		return dis_done(cur_off(&c, p));
	}
	return dis_ok(len);
}

static const uint16_t mqtt_ports[] = { 1883, 0 };

const struct dissector dissector_mqtt = {
	.name = "mqtt",
	.transport = DIS_TCP,
	.ports = mqtt_ports,
	.probe = mqtt_probe,
	.state_size = sizeof(struct mqtt_state),
	.parse = mqtt_parse,
	.anomalies = mqtt_anomalies,
};
