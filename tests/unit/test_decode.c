/* SPDX-License-Identifier: BSD-3-Clause */
/* test_decode.c — link/network/transport decoding on hand-built packets
 * (header layouts from IEEE 802.3/802.1Q, RFC 791, RFC 8200, RFC 9293,
 * RFC 768, RFC 792, RFC 4443, RFC 2784, RFC 7348, libpcap's
 * LINKTYPE_LINUX_SLL/SLL2 pages). */
#include <stdlib.h>
#include <netinet/in.h>
#include <pcap/dlt.h>
#include "tap.h"
#include "decode.h"

static size_t put16(uint8_t *b, uint16_t v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; return 2; }

/* IPv4 header (20 + optlen) + TCP header (20) + payload */
static size_t ipv4_tcp(uint8_t *b, size_t optlen, uint16_t frag, const char *payload)
{
	size_t pl = strlen(payload), hl = 20 + optlen, n = 0;
	b[n++] = (uint8_t)(0x40 | (hl / 4));
	b[n++] = 0;
	n += put16(b + n, (uint16_t)(hl + 20 + pl));
	n += put16(b + n, 1);
	n += put16(b + n, frag);
	b[n++] = 64;
	b[n++] = IPPROTO_TCP;
	n += put16(b + n, 0);
	b[n++] = 10; b[n++] = 0; b[n++] = 0; b[n++] = 1;
	b[n++] = 10; b[n++] = 0; b[n++] = 0; b[n++] = 2;
	for (size_t i = 0; i < optlen; i++)
		b[n++] = 1; /* NOP options */
	n += put16(b + n, 40000);
	n += put16(b + n, 443);
	b[n++] = 0; b[n++] = 0; b[n++] = 0x10; b[n++] = 0x00; /* seq 4096 */
	b[n++] = 0; b[n++] = 0; b[n++] = 0; b[n++] = 1;
	b[n++] = 0x50;
	b[n++] = 0x18; /* PSH|ACK */
	n += put16(b + n, 65535);
	n += put16(b + n, 0);
	n += put16(b + n, 0);
	memcpy(b + n, payload, pl);
	return n + pl;
}

/* IPv4 header (20) + ICMP message of `len` bytes (type, code, then zeros) */
static size_t ipv4_icmp(uint8_t *b, uint8_t proto, uint8_t type, uint8_t code, size_t len)
{
	size_t n = 0;
	b[n++] = 0x45;
	b[n++] = 0;
	n += put16(b + n, (uint16_t)(20 + len));
	n += put16(b + n, 1);
	n += put16(b + n, 0x4000);
	b[n++] = 64;
	b[n++] = proto;
	n += put16(b + n, 0);
	b[n++] = 10; b[n++] = 0; b[n++] = 0; b[n++] = 1;
	b[n++] = 10; b[n++] = 0; b[n++] = 0; b[n++] = 2;
	memset(b + n, 0, len);
	if (len > 0)
		b[n] = type;
	if (len > 1)
		b[n + 1] = code;
	return n + len;
}

/* IPv6 header (40) + a message of `len` bytes with next header nh */
static size_t ipv6_icmp(uint8_t *b, uint8_t nh, uint8_t type, uint8_t code, size_t len)
{
	size_t n = 0;
	b[n++] = 0x60; b[n++] = 0; b[n++] = 0; b[n++] = 0;
	n += put16(b + n, (uint16_t)len);
	b[n++] = nh;
	b[n++] = 255;
	memset(b + n, 0, 32); b[n] = 0xfe; b[n + 1] = 0x80; b[n + 15] = 1;
	b[n + 16] = 0xff; b[n + 17] = 0x02; b[n + 31] = 1; n += 32;
	memset(b + n, 0, len);
	if (len > 0)
		b[n] = type;
	if (len > 1)
		b[n + 1] = code;
	return n + len;
}

static size_t ether(uint8_t *b, const uint16_t *tags, int ntags, uint16_t et)
{
	size_t n = 12;
	memset(b, 0xaa, 12);
	for (int i = 0; i < ntags; i++) {
		n += put16(b + n, i == 0 && ntags > 1 ? 0x88a8 : 0x8100);
		n += put16(b + n, tags[i]);
	}
	n += put16(b + n, et);
	return n;
}

int main(void)
{
	uint8_t b[512];
	struct pkt p;
	size_t n;

	/* Ethernet + IPv4 + TCP */
	n = ether(b, NULL, 0, 0x0800);
	n += ipv4_tcp(b + n, 0, 0x4000, "hello");
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "eth/ipv4/tcp");
	is_int(p.ip_version, 4, "ip version");
	is_int(p.sport, 40000, "sport");
	is_int(p.dport, 443, "dport");
	is_int(p.seq, 4096, "seq");
	is_int(p.tcp_flags, 0x18, "flags");
	is_int(p.payload_len, 5, "payload length");
	ok(memcmp(p.payload, "hello", 5) == 0, "payload bytes");
	is_int(p.src[0], 10, "src addr");
	is_int(p.dst[3], 2, "dst addr");
	is_int(p.vlan, 0, "no vlan");

	/* Ethernet padding is not payload: IP total length decides */
	memset(b + n, 0, 10);
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n + 10, &p), DEC_OK, "padded frame");
	is_int(p.payload_len, 5, "padding trimmed");

	/* IPv4 options */
	n = ether(b, NULL, 0, 0x0800);
	n += ipv4_tcp(b + n, 8, 0, "opt");
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "ipv4 with options");
	is_int(p.payload_len, 3, "payload after options");

	/* 802.1Q and QinQ */
	uint16_t t1[] = { 100 };
	n = ether(b, t1, 1, 0x0800);
	n += ipv4_tcp(b + n, 0, 0, "v");
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "802.1Q");
	is_int(p.vlan, 100, "vlan id");
	uint16_t t2[] = { 0x2000 | 200, 300 };
	n = ether(b, t2, 2, 0x0800);
	n += ipv4_tcp(b + n, 0, 0, "v");
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "QinQ");
	is_int(p.vlan, 200, "outer vlan without PCP bits");
	is_int(p.vlan_inner, 300, "inner vlan");

	/* fragments are never parsed as TCP */
	n = ether(b, NULL, 0, 0x0800);
	n += ipv4_tcp(b + n, 0, 0x2000, "frag"); /* MF */
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_FRAGMENT, "first fragment skipped");
	n = ether(b, NULL, 0, 0x0800);
	n += ipv4_tcp(b + n, 0, 0x0010, "frag"); /* offset 16*8 */
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_FRAGMENT, "later fragment skipped");
	is_int(p.sport, 0, "no ports from a fragment");

	/* truncation at every length gives TRUNC, never a read past the end */
	n = ether(b, NULL, 0, 0x0800);
	n += ipv4_tcp(b + n, 0, 0, "");
	int bad = 0;
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *h = malloc(cut ? cut : 1);
		memcpy(h, b, cut);
		enum dec_result r = decode_packet(DLT_EN10MB, h, (uint32_t)cut, &p);
		if (r != DEC_TRUNC)
			bad++;
		free(h);
	}
	is_int(bad, 0, "every truncated prefix is DEC_TRUNC");

	/* ARP */
	n = ether(b, NULL, 0, 0x0806);
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n + 28, &p), DEC_NOT_IP, "ARP is not IP");

	/* IPv6 + hop-by-hop + TCP */
	n = ether(b, NULL, 0, 0x86dd);
	size_t ip6 = n;
	b[n++] = 0x60; b[n++] = 0; b[n++] = 0; b[n++] = 0;
	n += put16(b + n, 8 + 20 + 2);
	b[n++] = 0; /* hop-by-hop */
	b[n++] = 64;
	memset(b + n, 0, 32); b[n + 15] = 1; b[n + 31] = 2; n += 32;
	b[n++] = IPPROTO_TCP; b[n++] = 0; memset(b + n, 1, 6); n += 6; /* HBH, 8 bytes */
	n += put16(b + n, 5000); n += put16(b + n, 5432);
	memset(b + n, 0, 8); n += 8;
	b[n++] = 0x50; b[n++] = 0x02; n += put16(b + n, 1000); n += put16(b + n, 0); n += put16(b + n, 0);
	b[n++] = 'h'; b[n++] = 'i';
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "ipv6 with extension header");
	is_int(p.ip_version, 6, "v6");
	is_int(p.dport, 5432, "v6 dport");
	is_int(p.payload_len, 2, "v6 payload");
	is_int(p.src[15], 1, "v6 src");
	/* raw IPv6 (DLT_RAW) */
	is_int(decode_packet(DLT_RAW, b + ip6, (uint32_t)(n - ip6), &p), DEC_OK, "raw ipv6");
	/* IPv6 fragment header */
	b[ip6 + 6] = 44;
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_FRAGMENT, "ipv6 fragment skipped");

	/* Linux cooked v1 and v2, BSD null */
	uint8_t ipb[128];
	size_t ipn = ipv4_tcp(ipb, 0, 0, "sll");
	memset(b, 0, 16); put16(b + 14, 0x0800); memcpy(b + 16, ipb, ipn);
	is_int(decode_packet(DLT_LINUX_SLL, b, (uint32_t)(16 + ipn), &p), DEC_OK, "SLL");
	is_int(p.payload_len, 3, "SLL payload");
	memset(b, 0, 20); put16(b, 0x0800); memcpy(b + 20, ipb, ipn);
	is_int(decode_packet(DLT_LINUX_SLL2, b, (uint32_t)(20 + ipn), &p), DEC_OK, "SLL2");
	b[0] = 2; b[1] = b[2] = b[3] = 0; memcpy(b + 4, ipb, ipn);
	is_int(decode_packet(DLT_NULL, b, (uint32_t)(4 + ipn), &p), DEC_OK, "BSD null");
	is_int(decode_packet(12345, b, 40, &p), DEC_UNSUPPORTED, "unknown link type");

	/* GRE carrying IPv4 inside IPv4 */
	uint8_t inner[128];
	size_t in_n = ipv4_tcp(inner, 0, 0, "gre");
	n = ether(b, NULL, 0, 0x0800);
	size_t o = n;
	n += ipv4_tcp(b + n, 0, 0, ""); /* reuse then patch to GRE */
	n = o + 20;
	b[o + 9] = IPPROTO_GRE;
	n += put16(b + n, 0x0000); n += put16(b + n, 0x0800);
	memcpy(b + n, inner, in_n); n += in_n;
	put16(b + o + 2, (uint16_t)(n - o));
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "GRE/IPv4");
	is_int(p.payload_len, 3, "GRE inner payload");
	ok(memcmp(p.payload, "gre", 3) == 0, "GRE inner bytes");
	is_int(p.tunnel_depth, 1, "one tunnel");

	/* ERSPAN type II: GRE with sequence bit, proto 0x88be, 8-byte header, Ethernet */
	n = o + 20;
	n += put16(b + n, 0x1000); n += put16(b + n, 0x88be);
	n += put16(b + n, 0); n += put16(b + n, 7); /* GRE sequence */
	memset(b + n, 0, 8); b[n] = 0x10; n += 8;   /* ERSPAN II header, version 1 */
	n += ether(b + n, t1, 1, 0x0800);
	memcpy(b + n, inner, in_n); n += in_n;
	put16(b + o + 2, (uint16_t)(n - o));
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "ERSPAN II");
	is_int(p.payload_len, 3, "ERSPAN inner payload");
	is_int(p.vlan, 0, "mirrored frame's VLAN does not replace the outer one");

	/* VXLAN: UDP 4789, 8-byte header with I flag, Ethernet */
	n = ether(b, NULL, 0, 0x0800);
	o = n;
	b[n++] = 0x45; b[n++] = 0; n += 2; n += put16(b + n, 0); n += put16(b + n, 0);
	b[n++] = 64; b[n++] = IPPROTO_UDP; n += 2;
	memset(b + n, 9, 8); n += 8;
	size_t udp = n;
	n += put16(b + n, 55555); n += put16(b + n, 4789); n += 2; n += 2;
	b[n++] = 0x08; memset(b + n, 0, 7); n += 7;
	n += ether(b + n, NULL, 0, 0x0800);
	memcpy(b + n, inner, in_n); n += in_n;
	put16(b + o + 2, (uint16_t)(n - o));
	put16(b + udp + 4, (uint16_t)(n - udp));
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "VXLAN");
	is_int(p.dport, 443, "VXLAN inner dport");
	is_int(p.l4_proto, IPPROTO_TCP, "VXLAN inner TCP");

	/* ICMP echo request (RFC 792): type and code as the ports, the data
	 * after the 8-byte header as payload_wire, nothing to dissect */
	n = ether(b, NULL, 0, 0x0800);
	n += ipv4_icmp(b + n, IPPROTO_ICMP, 8, 0, 64);
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "eth/ipv4/icmp");
	is_int(p.l4_proto, IPPROTO_ICMP, "icmp proto");
	is_int(p.sport, 8, "icmp type in sport");
	is_int(p.dport, 0, "icmp code in dport");
	is_int(p.payload_len, 0, "icmp: no payload bytes for dissectors");
	is_int(p.payload_wire, 56, "icmp: payload_wire is what follows the 8-byte header");
	/* destination unreachable quoting a TCP header: the outer message only */
	n = ether(b, NULL, 0, 0x0800);
	o = n;
	n += ipv4_icmp(b + n, IPPROTO_ICMP, 3, 13, 8 + 28);
	memcpy(b + o + 28, ipb, 28); /* the quoted IPv4 header and 8 TCP bytes */
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "icmp unreachable");
	ok(p.sport == 3 && p.dport == 13 && p.l4_proto == IPPROTO_ICMP && p.src[3] == 1,
	   "unreachable: outer type 3 code 13 from the outer source, the quoted TCP not decoded");
	/* over 802.1Q */
	n = ether(b, t1, 1, 0x0800);
	n += ipv4_icmp(b + n, IPPROTO_ICMP, 0, 0, 8);
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "802.1Q/icmp");
	ok(p.vlan == 100 && p.sport == 0 && p.payload_wire == 0, "echo reply over VLAN 100, 8 bytes: no data");
	/* ICMPv6 neighbour solicitation (RFC 4861 §4.3) after a hop-by-hop header */
	n = ether(b, NULL, 0, 0x86dd);
	o = n;
	n += ipv6_icmp(b + n, 0, 0, 0, 8 + 24);
	b[o + 40] = IPPROTO_ICMPV6; b[o + 41] = 0; /* HBH: next ICMPv6, 8 bytes */
	b[o + 48] = 135; b[o + 49] = 0;
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "eth/ipv6/hbh/icmpv6");
	ok(p.l4_proto == IPPROTO_ICMPV6 && p.sport == 135 && p.dport == 0 && p.payload_wire == 16,
	   "neighbour solicitation: type 135, 16 bytes after the header");
	/* ICMPv6 over IPv4 and ICMP over IPv6 are not ICMP flows */
	n = ether(b, NULL, 0, 0x0800);
	n += ipv4_icmp(b + n, IPPROTO_ICMPV6, 128, 0, 8);
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OTHER_L4, "proto 58 over IPv4: other_l4");
	n = ether(b, NULL, 0, 0x86dd);
	n += ipv6_icmp(b + n, IPPROTO_ICMP, 8, 0, 8);
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OTHER_L4, "proto 1 over IPv6: other_l4");
	/* fewer than 4 bytes per the IP length can never be a message */
	n = ether(b, NULL, 0, 0x0800);
	n += ipv4_icmp(b + n, IPPROTO_ICMP, 8, 0, 3);
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_INVALID, "icmp of 3 bytes: invalid");
	n = ether(b, NULL, 0, 0x86dd);
	n += ipv6_icmp(b + n, IPPROTO_ICMPV6, 128, 0, 0);
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_INVALID, "icmpv6 of 0 bytes: invalid");
	/* every snaplen cut: TRUNC before the code byte, OK from it on (type
	 * and code are all a flow needs), never a read past the end */
	n = ether(b, NULL, 0, 0x0800);
	n += ipv4_icmp(b + n, IPPROTO_ICMP, 8, 0, 16);
	bad = 0;
	for (size_t cut = 0; cut <= n; cut++) {
		uint8_t *h = malloc(cut ? cut : 1);
		memcpy(h, b, cut);
		enum dec_result r = decode_packet(DLT_EN10MB, h, (uint32_t)cut, &p);
		if (r != (cut < 14 + 20 + 2 ? DEC_TRUNC : DEC_OK) ||
		    (r == DEC_OK && (p.sport != 8 || p.payload_wire != 8)))
			bad++;
		free(h);
	}
	is_int(bad, 0, "every snaplen cut of an ICMP echo: TRUNC before the code, then OK");
	n = ether(b, NULL, 0, 0x86dd);
	n += ipv6_icmp(b + n, IPPROTO_ICMPV6, 129, 0, 8);
	bad = 0;
	for (size_t cut = 0; cut <= n; cut++) {
		uint8_t *h = malloc(cut ? cut : 1);
		memcpy(h, b, cut);
		enum dec_result r = decode_packet(DLT_EN10MB, h, (uint32_t)cut, &p);
		if (r != (cut < 14 + 40 + 2 ? DEC_TRUNC : DEC_OK))
			bad++;
		free(h);
	}
	is_int(bad, 0, "every snaplen cut of an ICMPv6 echo reply: TRUNC before the code, then OK");
	/* GRE carrying ICMP: the inner message */
	n = ether(b, NULL, 0, 0x0800);
	o = n;
	n += ipv4_icmp(b + n, IPPROTO_GRE, 0, 0, 0);
	n += put16(b + n, 0x0000); n += put16(b + n, 0x0800);
	n += ipv4_icmp(b + n, IPPROTO_ICMP, 13, 0, 20);
	put16(b + o + 2, (uint16_t)(n - o));
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_OK, "GRE/IPv4/icmp");
	ok(p.tunnel_depth == 1 && p.l4_proto == IPPROTO_ICMP && p.sport == 13, "the inner timestamp request");

	/* invalid: IHL < 5, TCP data offset < 5 */
	n = ether(b, NULL, 0, 0x0800);
	n += ipv4_tcp(b + n, 0, 0, "x");
	b[14] = 0x44;
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_INVALID, "IHL 4 is invalid");
	b[14] = 0x45;
	b[14 + 20 + 12] = 0x40;
	is_int(decode_packet(DLT_EN10MB, b, (uint32_t)n, &p), DEC_INVALID, "TCP offset 4 is invalid");
	return tap_done();
}
