/* SPDX-License-Identifier: BSD-3-Clause */
/* community_id.h — Community ID flow hashing, version 1 (Corelight's
 * specification, github.com/corelight/community-id-spec; as Zeek,
 * Suricata and Wireshark compute it): "1:" and the base64 of
 * SHA-1(seed (2 bytes, network order) . address A . address B . protocol
 * (1 byte) . 0 (1 byte) . port A . port B (2 bytes each, network order)),
 * the endpoints ordered so that A is the smaller address, or with equal
 * addresses the smaller port: both directions of a flow give one value.
 *
 * ICMP (1) and ICMPv6 (58) have the specification's port equivalents
 * (icmp.h): port A/B are the message type and the counterpart type of its
 * request/reply pair, or the code of a one-way message; a one-way message
 * is not reordered (the sender is A), so its value keeps its direction. */
#ifndef WA_COMMUNITY_ID_H
#define WA_COMMUNITY_ID_H

#include <stdint.h>

#define COMMUNITY_ID_LEN 32   /* "1:" + 28 base64 characters + NUL, rounded */

/* proto: the IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6);
 * addresses as text (IPv4 or IPv6, both the same family). For ICMP and
 * ICMPv6, ip1 sent a message of type port1 and code port2 to ip2, as the
 * specification's community_id_icmp() takes them; a port2 that is already
 * the counterpart type (a flow record's server_port, flow.h) gives the same
 * value, since the pair's counterpart replaces the code. 0 and the value in
 * out, -1 when an address does not parse or the families differ. */
int community_id_v1(uint16_t seed, int proto, const char *ip1, uint16_t port1,
		    const char *ip2, uint16_t port2, char out[COMMUNITY_ID_LEN]);

/* The IP protocol number of a flow record's transport (`tcp` 6, `udp` 17,
 * `icmp` 1, `icmp6` 58), or -1 (NULL or another name). */
int community_id_proto(const char *transport);

#endif
