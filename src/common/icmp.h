/* SPDX-License-Identifier: BSD-3-Clause */
/* icmp.h — ICMP (RFC 792) and ICMPv6 (RFC 4443) messages as a flow's
 * "ports", the way Zeek keys an ICMP connection (ICMP4_counterpart and
 * ICMP6_counterpart in src/analyzer/protocol/icmp/ICMP.cc) and the Community
 * ID specification adopts it (github.com/corelight/community-id-spec, whose
 * reference tables are pycommunityid's icmp.py and icmp6.py; Wireshark's
 * packet-communityid.c has the same):
 *
 *   source "port"       the message type
 *   destination "port"  the other type of its request/reply pair (echo 8
 *                       and echo reply 0 ...), so that a request and its
 *                       reply make one conversation; for any other type
 *                       the code, and the message is one-way: it has no
 *                       reply, and its Community ID keeps its direction
 *
 * The pairs (request first, as the table in icmp.c lists them):
 *   ICMP    echo 8/0, router solicitation 10/advertisement 9, timestamp
 *           13/14, information 15/16, address mask 17/18
 *   ICMPv6  echo 128/129, MLD query 130/report 131, router solicitation
 *           133/advertisement 134, neighbour solicitation 135/advertisement
 *           136, node information ("who are you") 139/140, home agent
 *           address discovery 144/145
 *
 * Nothing here reads the wire: decode.c takes the type and code. */
#ifndef WA_ICMP_H
#define WA_ICMP_H

#include <stdint.h>

#define ICMP_PROTO_V4 1   /* IPPROTO_ICMP */
#define ICMP_PROTO_V6 58  /* IPPROTO_ICMPV6 */

enum icmp_role {
	ICMP_ONE_WAY = 0, /* no counterpart: errors, redirects, MLDv2 reports, ... */
	ICMP_REQUEST,     /* the first type of a pair: its sender initiates */
	ICMP_REPLY,       /* the second type: its receiver initiated */
};

/* The port equivalents of a message of `type` and `code` (types and codes
 * are one byte on the wire; a larger value is simply not a type of a pair)
 * of protocol `proto` (ICMP_PROTO_V4 or ICMP_PROTO_V6; another proto has no
 * pairs): *sport = type, *dport = the counterpart type or the code. Returns
 * the message's role. */
enum icmp_role icmp_port_equiv(uint8_t proto, uint16_t type, uint16_t code, uint16_t *sport, uint16_t *dport);

#endif
