/* community_id.c — Community ID v1 (community_id.h). */
#include "community_id.h"
#include "digest.h"

#include <arpa/inet.h>
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
	uint16_t px = port1, py = port2;

	if (la == 0 || la != lb)
		return -1;
	c = memcmp(a, b, (size_t)la);
	if (c > 0 || (c == 0 && port1 > port2)) {
		x = b;
		y = a;
		px = port2;
		py = port1;
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
