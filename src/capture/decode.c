/* SPDX-License-Identifier: BSD-3-Clause */
/* decode.c — packet decoding; see decode.h for the layers and RFCs.
 *
 * Every header is read through the bounded cursor (src/cursor.h).
 *
 *   IPv4 (RFC 791 §3.1)         IPv6 (RFC 8200 §3)
 *   |ver|ihl|tos| total len |    |ver| tc | flow label      |
 *   | id        |flg| frag off|  | payload len | next | hop  |
 *   | ttl | proto | checksum  |  | source (16) | dest (16)    |
 *   | src | dst | options...  |
 *
 *   ICMP (RFC 792), ICMPv6 (RFC 4443 §2.1)
 *   | type | code | checksum  |   every message has 4 more bytes (RFC 792:
 *   | message body ...        |   identifier/sequence, unused, pointer,
 *                                 gateway; RFC 4443 §3, §4 likewise)
 */
#include "decode.h"
#include "cursor.h"

#include <string.h>
#include <netinet/in.h>
#include <pcap/dlt.h>

#define MAX_TUNNEL_DEPTH 4
#define MAX_VLAN_TAGS 4
#define MAX_IPV6_EXT 8

static const char *const dec_names[DEC_NRESULTS] = {
	"ok", "not_ip", "truncated", "invalid", "fragment", "unsupported", "other_l4",
};

const char *dec_result_name(enum dec_result r)
{
	return (unsigned)r < DEC_NRESULTS ? dec_names[r] : "?";
}

static enum dec_result dec_ether(struct cur c, struct pkt *p);
static enum dec_result dec_ip(struct cur c, struct pkt *p);

static enum dec_result trunc_or(int r)
{
	return r == CUR_TRUNC ? DEC_TRUNC : DEC_INVALID;
}

/* Dispatch on an EtherType once link headers are gone. */
static enum dec_result dec_ethertype(uint16_t et, struct cur c, struct pkt *p)
{
	switch (et) {
	case 0x0800:
	case 0x86dd:
		return dec_ip(c, p);
	case 0x6558: /* transparent Ethernet bridging (GRE) */
		return dec_ether(c, p);
	default:
		return DEC_NOT_IP;
	}
}

static enum dec_result dec_ether(struct cur c, struct pkt *p)
{
	uint16_t et;
	int r, tags = 0;

	if ((r = cur_skip(&c, 12)) != 0 || (r = cur_be16(&c, &et)) != 0)
		return trunc_or(r);
	while (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
		uint16_t tci;
		if (++tags > MAX_VLAN_TAGS)
			return DEC_INVALID;
		if ((r = cur_be16(&c, &tci)) != 0 || (r = cur_be16(&c, &et)) != 0)
			return trunc_or(r);
		/* Keep the tags of the outermost Ethernet header only. */
		if (p->tunnel_depth == 0) {
			if (tags == 1)
				p->vlan = tci & 0x0fff;
			else if (tags == 2)
				p->vlan_inner = tci & 0x0fff;
		}
	}
	if (et < 0x0600) /* 802.3 length field: LLC, not IP */
		return DEC_NOT_IP;
	return dec_ethertype(et, c, p);
}

/* GRE (RFC 2784, keys/sequence RFC 2890) with ERSPAN II/III payloads. */
static enum dec_result dec_gre(struct cur c, struct pkt *p)
{
	uint16_t flags, proto;
	int r;

	if (++p->tunnel_depth > MAX_TUNNEL_DEPTH)
		return DEC_UNSUPPORTED;
	if ((r = cur_be16(&c, &flags)) != 0 || (r = cur_be16(&c, &proto)) != 0)
		return trunc_or(r);
	if ((flags & 0x0007) != 0) /* version 0 only (1 is PPTP's enhanced GRE) */
		return DEC_UNSUPPORTED;
	if (flags & 0x8000) /* checksum present: checksum + reserved1 */
		if ((r = cur_skip(&c, 4)) != 0)
			return trunc_or(r);
	if (flags & 0x2000) /* key */
		if ((r = cur_skip(&c, 4)) != 0)
			return trunc_or(r);
	if (flags & 0x1000) /* sequence number */
		if ((r = cur_skip(&c, 4)) != 0)
			return trunc_or(r);
	switch (proto) {
	case 0x88be: /* ERSPAN type II: 8-byte header (type I has no S bit and no header) */
		if (flags & 0x1000)
			if ((r = cur_skip(&c, 8)) != 0)
				return trunc_or(r);
		return dec_ether(c, p);
	case 0x22eb: { /* ERSPAN type III: 12-byte header, optional 8-byte subheader */
		const uint8_t *h;
		if ((r = cur_bytes(&c, 12, &h)) != 0)
			return trunc_or(r);
		if (h[11] & 0x01) /* O bit: platform-specific subheader follows */
			if ((r = cur_skip(&c, 8)) != 0)
				return trunc_or(r);
		return dec_ether(c, p);
	}
	default:
		return dec_ethertype(proto, c, p);
	}
}

static enum dec_result dec_l4(struct cur c, struct pkt *p, uint8_t proto, uint32_t wire_left)
{
	int r;

	p->l4_proto = proto;
	if (proto == IPPROTO_TCP) {
		uint8_t off_flags[2];
		uint32_t hl;
		if ((r = cur_be16(&c, &p->sport)) != 0 || (r = cur_be16(&c, &p->dport)) != 0 ||
		    (r = cur_be32(&c, &p->seq)) != 0 || (r = cur_be32(&c, &p->ack)) != 0 ||
		    (r = cur_copy(&c, off_flags, 2)) != 0)
			return trunc_or(r);
		hl = (uint32_t)(off_flags[0] >> 4) * 4;
		if (hl < 20)
			return DEC_INVALID;
		p->tcp_flags = off_flags[1];
		if ((r = cur_skip(&c, hl - 14)) != 0)
			return trunc_or(r);
		p->payload = c.p;
		p->payload_len = (uint32_t)cur_left(&c);
		p->payload_wire = wire_left >= hl ? wire_left - hl : 0;
		if (p->payload_len > p->payload_wire)
			p->payload_len = p->payload_wire;
		return DEC_OK;
	}
	if (proto == IPPROTO_UDP) {
		uint16_t ulen;
		if ((r = cur_be16(&c, &p->sport)) != 0 || (r = cur_be16(&c, &p->dport)) != 0 ||
		    (r = cur_be16(&c, &ulen)) != 0 || (r = cur_skip(&c, 2)) != 0)
			return trunc_or(r);
		if (ulen < 8 && ulen != 0) /* 0 is legal for IPv6 jumbograms only */
			return DEC_INVALID;
		p->payload = c.p;
		p->payload_wire = wire_left >= 8 ? wire_left - 8 : 0;
		if (ulen >= 8 && ulen - 8u < p->payload_wire)
			p->payload_wire = ulen - 8u;
		p->payload_len = (uint32_t)cur_left(&c);
		if (p->payload_len > p->payload_wire)
			p->payload_len = p->payload_wire;
		/* VXLAN (RFC 7348): 8-byte header with the I flag, then Ethernet. */
		if (p->dport == 4789 && p->tunnel_depth < MAX_TUNNEL_DEPTH) {
			struct cur v = cur_make(p->payload, p->payload_len);
			uint8_t fl;
			if (cur_u8(&v, &fl) == 0 && (fl & 0x08) && cur_skip(&v, 7) == 0) {
				struct pkt inner = *p;
				enum dec_result ir;
				inner.tunnel_depth++;
				ir = dec_ether(v, &inner);
				if (ir == DEC_OK || ir == DEC_OTHER_L4 || ir == DEC_FRAGMENT) {
					*p = inner;
					return ir;
				}
			}
		}
		return DEC_OK;
	}
	if ((proto == IPPROTO_ICMP && p->ip_version == 4) || (proto == IPPROTO_ICMPV6 && p->ip_version == 6)) {
		/* Type and code are all a flow needs (icmp.h); the checksum and
		 * the body are not read. Fewer than the 4 bytes of the common
		 * header per the IP length cannot be a message; fewer captured
		 * (snaplen) still give type and code from 2. */
		uint8_t type, code;
		if (wire_left < 4)
			return DEC_INVALID;
		if ((r = cur_u8(&c, &type)) != 0 || (r = cur_u8(&c, &code)) != 0)
			return trunc_or(r);
		p->sport = type;
		p->dport = code;
		p->payload_wire = wire_left > 8 ? wire_left - 8 : 0;
		return DEC_OK;
	}
	if (proto == IPPROTO_GRE)
		return dec_gre(c, p);
	return DEC_OTHER_L4;
}

static enum dec_result dec_ipv4(struct cur c, struct pkt *p)
{
	const uint8_t *h = c.p;
	uint8_t vihl, proto;
	uint16_t tot, frag;
	uint32_t hl;
	struct cur body;
	int r;

	if ((r = cur_u8(&c, &vihl)) != 0 || (r = cur_skip(&c, 1)) != 0 ||
	    (r = cur_be16(&c, &tot)) != 0 || (r = cur_skip(&c, 2)) != 0 ||
	    (r = cur_be16(&c, &frag)) != 0 || (r = cur_skip(&c, 1)) != 0 ||
	    (r = cur_u8(&c, &proto)) != 0 || (r = cur_skip(&c, 2)) != 0)
		return trunc_or(r);
	hl = (uint32_t)(vihl & 0x0f) * 4;
	if (hl < 20 || tot < hl)
		return DEC_INVALID;
	p->ip_version = 4;
	memset(p->src, 0, sizeof(p->src));
	memset(p->dst, 0, sizeof(p->dst));
	if ((r = cur_copy(&c, p->src, 4)) != 0 || (r = cur_copy(&c, p->dst, 4)) != 0 ||
	    (r = cur_skip(&c, hl - 20)) != 0)
		return trunc_or(r);
	p->l3 = h;
	/* Trim link-layer padding: the IP total length is authoritative. */
	body = c;
	if ((size_t)(tot - hl) < cur_left(&body))
		body.end = body.p + (tot - hl);
	p->l3_len = (uint32_t)(body.end - h);
	p->l4_proto = proto;
	if ((frag & 0x3fff) != 0) /* MF set or offset non-zero */
		return DEC_FRAGMENT;
	return dec_l4(body, p, proto, (uint32_t)(tot - hl));
}

static enum dec_result dec_ipv6(struct cur c, struct pkt *p)
{
	const uint8_t *h = c.p;
	uint16_t plen;
	uint8_t nh;
	struct cur body;
	int r, i;

	if ((r = cur_skip(&c, 4)) != 0 || (r = cur_be16(&c, &plen)) != 0 ||
	    (r = cur_u8(&c, &nh)) != 0 || (r = cur_skip(&c, 1)) != 0 ||
	    (r = cur_copy(&c, p->src, 16)) != 0 || (r = cur_copy(&c, p->dst, 16)) != 0)
		return trunc_or(r);
	p->ip_version = 6;
	p->l3 = h;
	body = c;
	if (plen < cur_left(&body))
		body.end = body.p + plen;
	p->l3_len = (uint32_t)(body.end - h);
	uint32_t wire_left = plen;
	for (i = 0; i < MAX_IPV6_EXT; i++) {
		uint8_t next, len8;
		size_t elen;
		switch (nh) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
			if ((r = cur_u8(&body, &next)) != 0 || (r = cur_u8(&body, &len8)) != 0)
				return trunc_or(r);
			elen = ((size_t)len8 + 1) * 8;
			break;
		case 51: /* AH: length in 4-octet units minus 2 */
			if ((r = cur_u8(&body, &next)) != 0 || (r = cur_u8(&body, &len8)) != 0)
				return trunc_or(r);
			elen = ((size_t)len8 + 2) * 4;
			break;
		case 44: { /* fragment */
			p->l4_proto = 44;
			return DEC_FRAGMENT;
		}
		case 59: /* no next header */
			p->l4_proto = 59;
			return DEC_OTHER_L4;
		default:
			return dec_l4(body, p, nh, wire_left);
		}
		if ((r = cur_skip(&body, elen - 2)) != 0)
			return trunc_or(r);
		if (elen > wire_left)
			return DEC_INVALID;
		wire_left -= (uint32_t)elen;
		nh = next;
	}
	return DEC_UNSUPPORTED; /* too many extension headers */
}

static enum dec_result dec_ip(struct cur c, struct pkt *p)
{
	uint8_t v;
	if (cur_left(&c) < 1)
		return DEC_TRUNC;
	v = c.p[0] >> 4;
	if (v == 4)
		return dec_ipv4(c, p);
	if (v == 6)
		return dec_ipv6(c, p);
	return DEC_INVALID;
}

enum dec_result decode_packet(int dlt, const uint8_t *data, uint32_t caplen, struct pkt *p)
{
	struct cur c = cur_make(data, caplen);
	uint16_t et;
	uint32_t fam;
	int r;

	p->vlan = p->vlan_inner = 0;
	p->tunnel_depth = 0;
	p->ip_version = 0;
	p->l4_proto = 0;
	p->l3 = p->payload = NULL;
	p->l3_len = p->payload_len = p->payload_wire = 0;
	p->sport = p->dport = 0;
	p->tcp_flags = 0;
	p->seq = p->ack = 0;

	switch (dlt) {
	case DLT_EN10MB:
		return dec_ether(c, p);
	case DLT_LINUX_SLL: /* 16-byte header, protocol at offset 14 */
		if ((r = cur_skip(&c, 14)) != 0 || (r = cur_be16(&c, &et)) != 0)
			return trunc_or(r);
		return dec_ethertype(et, c, p);
	case DLT_LINUX_SLL2: /* 20-byte header, protocol at offset 0 */
		if ((r = cur_be16(&c, &et)) != 0 || (r = cur_skip(&c, 18)) != 0)
			return trunc_or(r);
		return dec_ethertype(et, c, p);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
#ifdef DLT_RAW_ALT
	case DLT_RAW_ALT:
#endif
		return dec_ip(c, p);
	case DLT_NULL:
	case DLT_LOOP: {
		/* 4-byte address family, host order for NULL, network for LOOP */
		const uint8_t *f;
		if ((r = cur_bytes(&c, 4, &f)) != 0)
			return trunc_or(r);
		if (dlt == DLT_LOOP)
			fam = ((uint32_t)f[0] << 24) | ((uint32_t)f[1] << 16) | ((uint32_t)f[2] << 8) | f[3];
		else
			memcpy(&fam, f, 4);
		/* AF_INET is 2 everywhere; AF_INET6 differs by OS (10, 24, 28, 30).
		 * The version nibble decides, both byte orders accepted. */
		(void)fam;
		return dec_ip(c, p);
	}
	default:
		return DEC_UNSUPPORTED;
	}
}
