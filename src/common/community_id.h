/* community_id.h — Community ID flow hashing, version 1 (Corelight's
 * specification, github.com/corelight/community-id-spec; as Zeek,
 * Suricata and Wireshark compute it): "1:" and the base64 of
 * SHA-1(seed (2 bytes, network order) . address A . address B . protocol
 * (1 byte) . 0 (1 byte) . port A . port B (2 bytes each, network order)),
 * the endpoints ordered so that A is the smaller address, or with equal
 * addresses the smaller port: both directions of a flow give one value. */
#ifndef WA_COMMUNITY_ID_H
#define WA_COMMUNITY_ID_H

#include <stdint.h>

#define COMMUNITY_ID_LEN 32   /* "1:" + 28 base64 characters + NUL, rounded */

/* proto: the IP protocol number (6 TCP, 17 UDP); addresses as text (IPv4
 * or IPv6, both the same family). 0 and the value in out, -1 when an
 * address does not parse or the families differ. */
int community_id_v1(uint16_t seed, int proto, const char *ip1, uint16_t port1,
		    const char *ip2, uint16_t port2, char out[COMMUNITY_ID_LEN]);

#endif
