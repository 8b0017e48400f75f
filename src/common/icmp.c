/* SPDX-License-Identifier: BSD-3-Clause */
/* icmp.c — ICMP/ICMPv6 types as flow ports (icmp.h). */
#include "icmp.h"

#include <stddef.h>

/* Request/reply pairs: Zeek's ICMP4_counterpart and ICMP6_counterpart, the
 * Community ID specification's icmp.py and icmp6.py (identical lists). */
static const struct icmp_pair {
	uint8_t proto, request, reply;
} icmp_pairs[] = {
	{ ICMP_PROTO_V4, 8, 0 },     /* echo (RFC 792) */
	{ ICMP_PROTO_V4, 10, 9 },    /* router solicitation, advertisement (RFC 1256) */
	{ ICMP_PROTO_V4, 13, 14 },   /* timestamp (RFC 792) */
	{ ICMP_PROTO_V4, 15, 16 },   /* information (RFC 792) */
	{ ICMP_PROTO_V4, 17, 18 },   /* address mask (RFC 950) */
	{ ICMP_PROTO_V6, 128, 129 }, /* echo (RFC 4443 §4) */
	{ ICMP_PROTO_V6, 130, 131 }, /* multicast listener query, report (RFC 2710 §3) */
	{ ICMP_PROTO_V6, 133, 134 }, /* router solicitation, advertisement (RFC 4861 §4.1, §4.2) */
	{ ICMP_PROTO_V6, 135, 136 }, /* neighbour solicitation, advertisement (RFC 4861 §4.3, §4.4) */
	{ ICMP_PROTO_V6, 139, 140 }, /* node information query, reply (RFC 4620 §4) */
	{ ICMP_PROTO_V6, 144, 145 }, /* home agent address discovery (RFC 6275 §6.5, §6.6) */
	{ 0, 0, 0 },
};

enum icmp_role icmp_port_equiv(uint8_t proto, uint16_t type, uint16_t code, uint16_t *sport, uint16_t *dport)
{
	const struct icmp_pair *q;

	*sport = type;
	*dport = code;
	for (q = icmp_pairs; q->proto != 0; q++) {
		if (q->proto != proto)
			continue;
		if (type == q->request) {
			*dport = q->reply;
			return ICMP_REQUEST;
		}
		if (type == q->reply) {
			*dport = q->request;
			return ICMP_REPLY;
		}
	}
	return ICMP_ONE_WAY;
}
