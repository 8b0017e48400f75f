/* SPDX-License-Identifier: BSD-3-Clause */
/* decode.h — link, network and transport header decoding of one packet.
 *
 * Link layers: Ethernet II (DLT_EN10MB) with 802.1Q/802.1ad tags (any depth
 * up to 4), Linux cooked v1/v2 (DLT_LINUX_SLL, DLT_LINUX_SLL2), raw IP
 * (DLT_RAW, DLT_IPV4, DLT_IPV6), BSD loopback (DLT_NULL, DLT_LOOP).
 * Network: IPv4 with options (RFC 791), IPv6 with extension headers walked
 * (RFC 8200 §4). Fragments are counted and skipped, never parsed as L4.
 * Tunnels decoded to the inner packet: GRE (RFC 2784/2890) carrying IP or
 * Ethernet (0x6558), ERSPAN type II (0x88be) and III (0x22eb), VXLAN
 * (RFC 7348, UDP 4789).
 * Transport: TCP (RFC 9293) and UDP (RFC 768); ICMP (RFC 792) over IPv4
 * and ICMPv6 (RFC 4443) over IPv6, their type and code only (an error
 * message's quoted packet is not decoded: the flow is the ICMP message's
 * own, as Zeek and the Community ID specification have it); other IP
 * protocols, and ICMP over the other IP version, are decoded to L3 only.
 */
#ifndef WA_DECODE_H
#define WA_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum dec_result {
	DEC_OK = 0,
	DEC_NOT_IP,       /* ARP, LLDP, ... */
	DEC_TRUNC,        /* a header is cut by snaplen or a short packet */
	DEC_INVALID,      /* a header that can never be valid */
	DEC_FRAGMENT,     /* IP fragment: counted, skipped */
	DEC_UNSUPPORTED,  /* link type or encapsulation we do not decode */
	DEC_OTHER_L4,     /* IP, but not TCP, UDP, ICMP (IPv4) or ICMPv6 (IPv6) */
	DEC_NRESULTS
};
const char *dec_result_name(enum dec_result r);

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

struct pkt {
	/* filled by the caller */
	int64_t ts;            /* microseconds since the epoch */
	uint32_t wire_len;     /* original length on the wire */
	/* filled by decode */
	uint16_t vlan;         /* outermost 802.1Q id, 0 if none */
	uint16_t vlan_inner;   /* second tag (QinQ), 0 if none */
	uint8_t ip_version;    /* 4 or 6 */
	uint8_t l4_proto;      /* IPPROTO_TCP, IPPROTO_UDP, ... */
	uint8_t tunnel_depth;
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes, rest zero */
	const uint8_t *l3;     /* inner IP header (what nDPI is fed) */
	uint32_t l3_len;       /* captured bytes from l3 on, trimmed to IP length */
	uint16_t sport, dport;    /* ICMP/ICMPv6: the message type and code */
	uint8_t tcp_flags;
	uint32_t seq, ack;
	const uint8_t *payload;
	uint32_t payload_len;  /* captured payload bytes (ICMP: none, nothing dissects it) */
	uint32_t payload_wire; /* payload bytes per the IP length (>= captured);
				* ICMP: what follows the 8-byte header, as Zeek counts it */
};

/* Decode one packet of link type `dlt`. Pointers in p point into data.
 * Returns DEC_OK with l3..payload filled for TCP/UDP, and l3, sport (type),
 * dport (code) and payload_wire for ICMP/ICMPv6; other results leave p
 * partly filled. Never reads beyond data+caplen. */
enum dec_result decode_packet(int dlt, const uint8_t *data, uint32_t caplen, struct pkt *p);

#endif
