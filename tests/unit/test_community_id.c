/* SPDX-License-Identifier: BSD-3-Clause */
/* test_community_id.c — Community ID v1 (src/common/community_id.h) on the
 * specification's reference values (community-id-spec baseline/
 * baseline_deflt.json, seed 0: its ICMP rows give the port equivalents,
 * its one-way rows type and code) and on values tshark 4.0 computed for
 * pcaps/icmp/icmp-lab.pcap: the ICMP mapping, the one-way messages that
 * keep their direction, and a flow record's ports (server_port the
 * counterpart type) giving the packet's value. */
#include "tap.h"
#include "community_id.h"

static const struct {
	int proto;
	const char *sa;
	uint16_t sp;
	const char *da;
	uint16_t dp;
	const char *want;
	const char *what;
} cases[] = {
	/* the specification's baseline */
	{ 58, "fe80::200:86ff:fe05:80da", 135, "fe80::260:97ff:fe07:69ea", 136,
	  "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "ICMPv6 neighbour solicitation" },
	{ 58, "fe80::260:97ff:fe07:69ea", 136, "fe80::200:86ff:fe05:80da", 135,
	  "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "…and its advertisement, the other way: the same" },
	{ 58, "3ffe:501:1800:2345::2", 3, "3ffe:507:0:1:200:86ff:fe05:80da", 0,
	  "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=", "ICMPv6 time exceeded (one-way)" },
	{ 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", 1, "3ffe:507:0:1:200:86ff:fe05:80da", 4,
	  "1:hLZd0XGWojozrvxqE0dWB1iM6R0=", "ICMPv6 port unreachable (one-way)" },
	{ 58, "3ffe:507:0:1:200:86ff:fe05:80da", 128, "3ffe:501:0:1001::2", 129,
	  "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "ICMPv6 echo request" },
	{ 58, "3ffe:501:0:1001::2", 129, "3ffe:507:0:1:200:86ff:fe05:80da", 128,
	  "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "ICMPv6 echo reply" },
	{ 58, "fe80::200:86ff:fe05:80da", 133, "ff02::2", 134,
	  "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=", "ICMPv6 router solicitation" },
	{ 58, "fe80::260:97ff:fe07:69ea", 134, "ff02::1", 133,
	  "1:pkvHqCL88/tg1k4cPigmZXUtL00=", "ICMPv6 router advertisement" },
	{ 1, "192.168.0.89", 8, "192.168.0.1", 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "ICMP echo" },
	{ 1, "192.168.0.1", 0, "192.168.0.89", 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "ICMP echo reply" },
	{ 1, "10.0.0.1", 11, "10.0.0.2", 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM=", "ICMP time exceeded" },
	{ 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943, "2607:f8b0:400c:c03::1a", 25,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "TCP over IPv6" },
	{ 6, "66.35.250.204", 80, "128.232.110.120", 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "TCP, server first" },
	{ 17, "192.168.1.52", 54585, "8.8.8.8", 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "UDP" },
	/* tshark 4.0 on pcaps/icmp/icmp-lab.pcap */
	{ 1, "10.99.51.2", 3, "10.99.51.1", 3, "1:wOWYjR0m1DA56dbh9iySG0BLDB8=",
	  "port unreachable quoting UDP: the outer message, from its sender" },
	{ 1, "10.99.51.2", 11, "10.99.51.1", 0, "1:ZFvZ381oeGLjrgL7LAZH6hl7TFc=",
	  "time exceeded quoting an echo: the outer type" },
	{ 58, "fd00:99:51::1", 135, "ff02::1:ff00:2", 0, "1:ek+mPyjITqH32s03tqLJE1zgas4=",
	  "neighbour solicitation as it crossed (code 0)" },
	{ 58, "fd00:99:51::1", 135, "ff02::1:ff00:2", 136, "1:ek+mPyjITqH32s03tqLJE1zgas4=",
	  "…and as its flow record has it (server_port 136)" },
	{ 1, "10.99.51.1", 8, "10.99.51.2", 7, "1:6NrzVE2M6EqRvpFJHU9StWzfRmI=",
	  "an echo request's code does not count (its pair's counterpart does)" },
};

int main(void)
{
	char out[COMMUNITY_ID_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = community_id_v1(0, cases[i].proto, cases[i].sa, cases[i].sp, cases[i].da, cases[i].dp, out);
		ok(rc == 0 && strcmp(out, cases[i].want) == 0, "%s (%s)", cases[i].what, rc == 0 ? out : "error");
	}
	ok(community_id_v1(0, 1, "10.99.51.1", 3, "10.99.51.2", 3, out) == 0 &&
	   strcmp(out, "1:wOWYjR0m1DA56dbh9iySG0BLDB8=") != 0,
	   "a one-way message the other way is another value (%s)", out);
	ok(community_id_v1(0, 1, "10.0.0.1", 8, "::1", 0, out) == -1, "mixed families: -1");
	ok(community_id_proto("tcp") == 6 && community_id_proto("udp") == 17 && community_id_proto("icmp") == 1 &&
	   community_id_proto("icmp6") == 58 && community_id_proto("sctp") == -1 && community_id_proto(NULL) == -1,
	   "transport names: tcp 6, udp 17, icmp 1, icmp6 58, others -1");
	return tap_done();
}
