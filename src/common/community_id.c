/* SPDX-License-Identifier: BSD-3-Clause */
/* community_id.c — Community ID v1 (community_id.h). */
#include "community_id.h"
#include "digest.h"
#include "icmp.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include <openssl/evp.h>

/* an address as network-order bytes: 4 (IPv4), 16 (IPv6), 0 (neither) */
static int addr_bytes(const char *s, uint8_t b[16])
{
	if (inet_pton(AF_INET, s, b) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, b) == 1)
		return 16;
	return 0;
}

int community_id_v1(uint16_t seed, int proto, const char *ip1, uint16_t port1,
		    const char *ip2, uint16_t port2, char out[COMMUNITY_ID_LEN])
{
	uint8_t a[16], b[16], buf[2 + 16 + 16 + 2 + 4], sha[20];
	int la = addr_bytes(ip1, a), lb = addr_bytes(ip2, b), c;
	size_t n = 0;
	const uint8_t *x = a, *y = b;
	uint16_t p1 = port1, p2 = port2, px, py;
	bool one_way = false;

	if (la == 0 || la != lb)
		return -1;
	if (proto == ICMP_PROTO_V4 || proto == ICMP_PROTO_V6)
		one_way = icmp_port_equiv((uint8_t)proto, port1, port2, &p1, &p2) == ICMP_ONE_WAY;
	px = p1;
	py = p2;
	c = memcmp(a, b, (size_t)la);
	if (!one_way && (c > 0 || (c == 0 && p1 > p2))) {
		x = b;
		y = a;
		px = p2;
		py = p1;
	}
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, x, (size_t)la);
	n += (size_t)la;
	memcpy(buf + n, y, (size_t)la);
	n += (size_t)la;
	buf[n++] = (uint8_t)proto;
	buf[n++] = 0;
	buf[n++] = (uint8_t)(px >> 8);
	buf[n++] = (uint8_t)px;
	buf[n++] = (uint8_t)(py >> 8);
	buf[n++] = (uint8_t)py;
	if (wa_md(WA_SHA1, buf, n, sha) != sizeof(sha))
		return -1;
	memcpy(out, "1:", 2);
	EVP_EncodeBlock((unsigned char *)out + 2, sha, (int)sizeof(sha)); /* 28 characters and a NUL */
	return 0;
}

int community_id_proto(const char *transport)
{
	static const struct { const char *name; int proto; } t[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", ICMP_PROTO_V4 }, { "icmp6", ICMP_PROTO_V6 }, { NULL, 0 },
	};
	for (int i = 0; transport && t[i].name; i++)
		if (strcmp(transport, t[i].name) == 0)
			return t[i].proto;
	return -1;
}
