/* SPDX-License-Identifier: BSD-3-Clause */
/* test_flow.c — flow key symmetry (p0f's hash bug is the warning), client
 * heuristics, lookup, age lists, the flow life machine's allowed moves,
 * ICMP/ICMPv6 keys (request and reply meet, one-way messages keep their
 * direction) and their client rule. */
#include <stdlib.h>
#include <netinet/in.h>
#include "tap.h"
#include "flow.h"

static bool srv_port(uint16_t port, uint8_t proto) { (void)proto; return port < 1024 || port == 5432; }

static void mk(struct pkt *p, int v, uint32_t s, uint32_t d, uint16_t sp, uint16_t dp, uint8_t fl)
{
	memset(p, 0, sizeof(*p));
	p->ip_version = (uint8_t)v;
	p->l4_proto = IPPROTO_TCP;
	memcpy(p->src, &s, 4);
	memcpy(p->dst, &d, 4);
	p->sport = sp;
	p->dport = dp;
	p->tcp_flags = fl;
}

/* an ICMP (proto 1) or ICMPv6 (58) message of type and code from s to d */
static void mk_icmp(struct pkt *p, uint8_t proto, uint32_t s, uint32_t d, uint8_t type, uint8_t code)
{
	mk(p, proto == IPPROTO_ICMP ? 4 : 6, s, d, type, code, 0);
	p->l4_proto = proto;
}

/* ICMP: requests and replies, one-way messages, the client rule (flow.h) */
static void test_icmp(void)
{
	struct pkt a, b;
	struct flow_key ka, kb;
	bool sa, sb;
	struct flow_table t;
	struct flow *f;
	int asym = 0, merged = 0;

	/* every pair of the table, both directions, random endpoints: one key */
	static const uint8_t pairs[][3] = {
		{ IPPROTO_ICMP, 8, 0 }, { IPPROTO_ICMP, 10, 9 }, { IPPROTO_ICMP, 13, 14 },
		{ IPPROTO_ICMP, 15, 16 }, { IPPROTO_ICMP, 17, 18 }, { IPPROTO_ICMPV6, 128, 129 },
		{ IPPROTO_ICMPV6, 130, 131 }, { IPPROTO_ICMPV6, 133, 134 }, { IPPROTO_ICMPV6, 135, 136 },
		{ IPPROTO_ICMPV6, 139, 140 }, { IPPROTO_ICMPV6, 144, 145 },
	};
	for (int i = 0; i < 11000; i++) {
		const uint8_t *q = pairs[i % 11];
		uint32_t s = (uint32_t)rand(), d = i % 7 == 0 ? s : (uint32_t)rand();
		/* a reply's code is whatever the wire says: the key ignores it */
		mk_icmp(&a, q[0], s, d, q[1], (uint8_t)(i & 3));
		mk_icmp(&b, q[0], d, s, q[2], 0);
		flow_key_make(&a, &ka, &sa);
		flow_key_make(&b, &kb, &sb);
		if (memcmp(&ka, &kb, sizeof(ka)) != 0 || flow_key_hash(&ka) != flow_key_hash(&kb) ||
		    (sa == sb && s != d))
			asym++;
	}
	is_int(asym, 0, "11000 request/reply pairs: both directions give one key and hash");

	/* one-way messages: the key keeps the direction, so the same message
	 * the other way is another flow, and a swapped type/code never meets */
	for (int ty = 0; ty < 256; ty++) {
		bool paired = ty == 0 || ty == 8 || ty == 9 || ty == 10 || (ty >= 13 && ty <= 18);
		if (paired)
			continue;
		mk_icmp(&a, IPPROTO_ICMP, 0x0100000a, 0x0200000a, (uint8_t)ty, 3);
		mk_icmp(&b, IPPROTO_ICMP, 0x0200000a, 0x0100000a, (uint8_t)ty, 3);
		flow_key_make(&a, &ka, &sa);
		flow_key_make(&b, &kb, &sb);
		if (!sa || !sb || memcmp(&ka, &kb, sizeof(ka)) == 0)
			merged++;
	}
	is_int(merged, 0, "the 246 one-way ICMP types: the sender is endpoint a, a key per direction");
	mk_icmp(&a, IPPROTO_ICMP, 0x0100000a, 0x0200000a, 3, 11);
	mk_icmp(&b, IPPROTO_ICMP, 0x0200000a, 0x0100000a, 11, 3);
	flow_key_make(&a, &ka, &sa);
	flow_key_make(&b, &kb, &sb);
	ok(memcmp(&ka, &kb, sizeof(ka)) != 0, "3/11 one way and 11/3 the other are two flows");
	mk_icmp(&a, IPPROTO_ICMP, 0x0100000a, 0x0200000a, 8, 0);
	mk(&b, 4, 0x0100000a, 0x0200000a, 8, 0, 0);
	b.l4_proto = IPPROTO_UDP;
	flow_key_make(&a, &ka, &sa);
	flow_key_make(&b, &kb, &sb);
	ok(memcmp(&ka, &kb, sizeof(ka)) != 0, "ICMP 8/0 and UDP ports 8/0: the protocol tells them apart");
	mk_icmp(&b, IPPROTO_ICMPV6, 0x0100000a, 0x0200000a, 8, 0);
	flow_key_make(&b, &kb, &sb);
	ok(memcmp(&ka, &kb, sizeof(ka)) != 0, "…and ICMP from ICMPv6");

	ok(flow_table_init(&t, 16, 1) == 0, "table init (ICMP)");
	/* an echo request: its sender is the client, ports 8/0 */
	mk_icmp(&a, IPPROTO_ICMP, 0x0200000a, 0x0100000a, 8, 0);
	flow_key_make(&a, &ka, &sa);
	f = flow_insert(&t, &ka, flow_key_hash(&ka), &a, sa, srv_port);
	ok(f->client_by == CB_ICMP_TYPE && memcmp(flow_cli_ip(f), a.src, 4) == 0 &&
	   flow_cli_port(f) == 8 && flow_srv_port(f) == 0, "echo request: sender is client, 8 -> 0");
	is_int(f->list, FL_UDP, "ICMP flows age on the UDP list");
	mk_icmp(&b, IPPROTO_ICMP, 0x0100000a, 0x0200000a, 0, 0);
	flow_key_make(&b, &kb, &sb);
	ok(flow_lookup(&t, &kb, flow_key_hash(&kb)) == f && sb != sa, "its reply finds it, the other way");
	/* a reply seen first: its receiver asked, so is the client */
	mk_icmp(&a, IPPROTO_ICMPV6, 0x0300000a, 0x0400000a, 129, 0);
	flow_key_make(&a, &ka, &sa);
	f = flow_insert(&t, &ka, flow_key_hash(&ka), &a, sa, srv_port);
	ok(f->client_by == CB_ICMP_TYPE && memcmp(flow_cli_ip(f), a.dst, 4) == 0 &&
	   flow_cli_port(f) == 128 && flow_srv_port(f) == 129, "echo reply first: its receiver is client, 128 -> 129");
	/* a one-way message: its sender, type and code */
	mk_icmp(&a, IPPROTO_ICMP, 0x0500000a, 0x0600000a, 3, 3);
	flow_key_make(&a, &ka, &sa);
	f = flow_insert(&t, &ka, flow_key_hash(&ka), &a, sa, srv_port);
	ok(f->client_by == CB_FIRST && memcmp(flow_cli_ip(f), a.src, 4) == 0 &&
	   flow_cli_port(f) == 3 && flow_srv_port(f) == 3, "port unreachable: sender is client, 3 -> 3");
	ok(strcmp(flow_transport_name(IPPROTO_ICMP), "icmp") == 0 &&
	   strcmp(flow_transport_name(IPPROTO_ICMPV6), "icmp6") == 0 &&
	   strcmp(client_by_name(CB_ICMP_TYPE), "icmp_type") == 0, "names: icmp, icmp6, icmp_type");
	flow_table_free(&t);
}

int main(void)
{
	struct pkt a, b;
	struct flow_key ka, kb;
	bool sa, sb;
	int asym = 0;

	srand(7);
	for (int i = 0; i < 100000; i++) {
		uint32_t s = (uint32_t)rand(), d = (uint32_t)rand();
		uint16_t sp = (uint16_t)rand(), dp = (uint16_t)rand();
		if (i % 10 == 0)
			d = s; /* same address both ends: ports decide */
		mk(&a, 4, s, d, sp, dp, 0);
		mk(&b, 4, d, s, dp, sp, 0);
		a.vlan = b.vlan = (uint16_t)(i & 7);
		flow_key_make(&a, &ka, &sa);
		flow_key_make(&b, &kb, &sb);
		if (memcmp(&ka, &kb, sizeof(ka)) != 0 || flow_key_hash(&ka) != flow_key_hash(&kb) ||
		    (sa == sb && !(s == d && sp == dp)))
			asym++;
	}
	is_int(asym, 0, "100000 random tuples: both directions give one key and hash");

	mk(&a, 4, 1, 2, 1000, 2000, 0);
	a.vlan = 1;
	flow_key_make(&a, &ka, &sa);
	a.vlan = 2;
	flow_key_make(&a, &kb, &sb);
	ok(memcmp(&ka, &kb, sizeof(ka)) != 0, "VLAN is part of the key");

	struct flow_table t;
	ok(flow_table_init(&t, 16, 1) == 0, "table init");
	t.timeout[FL_TCP] = 100;
	t.timeout[FL_UDP] = 100;
	t.timeout[FL_CLOSING] = 10;

	/* SYN decides */
	mk(&a, 4, 0x0100000a, 0x0200000a, 50000, 443, TH_SYN);
	flow_key_make(&a, &ka, &sa);
	struct flow *f = flow_insert(&t, &ka, flow_key_hash(&ka), &a, sa, srv_port);
	is_int(f->client_by, CB_SYN, "SYN sender is client");
	is_int(flow_cli_port(f), 50000, "client port");
	is_int(flow_srv_port(f), 443, "server port");
	is_int(f->id, 1, "first id");
	ok(flow_lookup(&t, &ka, flow_key_hash(&ka)) == f, "lookup finds it");

	/* SYN+ACK seen first: its sender is the server */
	mk(&a, 4, 0x0300000a, 0x0400000a, 8443, 50001, TH_SYN | TH_ACK);
	flow_key_make(&a, &ka, &sa);
	f = flow_insert(&t, &ka, flow_key_hash(&ka), &a, sa, srv_port);
	is_int(f->client_by, CB_SYNACK, "SYN+ACK decides");
	is_int(flow_srv_port(f), 8443, "SYN+ACK sender is server");

	/* mid-stream: well-known port decides, even from the server side */
	mk(&a, 4, 0x0500000a, 0x0600000a, 5432, 40000, TH_ACK);
	flow_key_make(&a, &ka, &sa);
	f = flow_insert(&t, &ka, flow_key_hash(&ka), &a, sa, srv_port);
	is_int(f->client_by, CB_PORT, "port heuristic");
	is_int(flow_srv_port(f), 5432, "5432 is the server");

	/* neither port known: first packet's sender is client */
	mk(&a, 4, 0x0700000a, 0x0800000a, 30000, 40000, TH_ACK);
	a.ts = 50;
	flow_key_make(&a, &ka, &sa);
	f = flow_insert(&t, &ka, flow_key_hash(&ka), &a, sa, srv_port);
	is_int(f->client_by, CB_FIRST, "first-packet heuristic");
	is_int(flow_cli_port(f), 30000, "first sender is client");
	is_int(t.count, 4, "four flows");

	/* age lists: the oldest is first to expire */
	struct flow *old = flow_oldest(&t);
	is_int(old->id, 1, "oldest is the first inserted");
	ok(flow_next_expired(&t, 60) == NULL, "nothing idle yet at t=60");
	ok(flow_next_expired(&t, 101) == old, "first flow idle at t=101");
	flow_touch(&t, old, FL_CLOSING);
	old->ts_last = 85;
	ok(flow_next_expired(&t, 99) == old, "closing list has its own short timeout");
	old->life = FLOW_ENDED; /* as engine_flow_end leaves it */
	flow_unlink(&t, old);
	flow_recycle(&t, old);
	is_int(t.count, 3, "unlinked");
	ok(flow_lookup(&t, &old->key, old->hash) == NULL, "gone from the hash");

	/* a recycled flow starts its life again */
	mk(&a, 4, 0x0900000a, 0x0a00000a, 30001, 40001, TH_ACK);
	flow_key_make(&a, &ka, &sa);
	f = flow_insert(&t, &ka, flow_key_hash(&ka), &a, sa, srv_port);
	ok(f == old && f->life == FLOW_NEW, "a recycled flow starts again at NEW");
	flow_table_free(&t);

	test_icmp();

	/* the life machine of flow.h, whole: every pair decided */
	static const char *const lives[FLOW_NLIFE] = { "NEW", "MARKED", "SNAPSHOT", "SETTLED",
						       "CLOSED", "ENDED" };
	static const char *const legal[] = {
		"NEW>MARKED", "NEW>SNAPSHOT", "NEW>SETTLED", "NEW>CLOSED", "NEW>ENDED",
		"MARKED>SNAPSHOT", "MARKED>SETTLED", "MARKED>CLOSED", "MARKED>ENDED",
		"SNAPSHOT>SNAPSHOT", "SNAPSHOT>SETTLED", "SNAPSHOT>CLOSED", "SNAPSHOT>ENDED",
		"SETTLED>SETTLED", "SETTLED>CLOSED", "SETTLED>ENDED",
		"CLOSED>CLOSED", "CLOSED>ENDED", NULL,
	};
	int wrong = 0;
	for (int from = 0; from < FLOW_NLIFE; from++)
		for (int to = 0; to < FLOW_NLIFE; to++) {
			char pair[32];
			bool want = false;
			snprintf(pair, sizeof(pair), "%s>%s", lives[from], lives[to]);
			for (int i = 0; legal[i]; i++)
				want |= strcmp(legal[i], pair) == 0;
			if (flow_life_may((enum flow_life)from, (enum flow_life)to) != want) {
				printf("# %s: %s\n", pair, want ? "refused" : "allowed");
				wrong++;
			}
		}
	is_int(wrong, 0, "flow_life_may allows exactly the moves drawn in flow.h");
	ok(!flow_life_may(FLOW_SETTLED, FLOW_SNAPSHOT) && !flow_life_may(FLOW_CLOSED, FLOW_SETTLED),
	   "final observations never become provisional again");
	ok(!flow_life_may(FLOW_ENDED, FLOW_ENDED) && !flow_life_may(FLOW_NLIFE, FLOW_NEW),
	   "nothing ends twice; out-of-range states are refused");
	return tap_done();
}
