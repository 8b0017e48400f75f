/* SPDX-License-Identifier: BSD-3-Clause */
/* flow.c — flow table; see flow.h. */
#include "flow.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <netinet/in.h>

const char *client_by_name(enum client_by b)
{
	static const char *const n[] = { "syn", "synack", "port", "first_packet", "icmp_type" };
	return (unsigned)b < sizeof(n) / sizeof(n[0]) ? n[b] : "?";
}

const char *flow_end_name(enum flow_end e)
{
	static const char *const n[] = { "closed", "idle", "evicted", "capture_end" };
	return (unsigned)e < 4 ? n[e] : "?";
}

#define LIFE(s) (1u << (s))
/* Per state, the states it may move to (the machine in flow.h). */
static const unsigned flow_life_next[FLOW_NLIFE] = {
	[FLOW_NEW] = LIFE(FLOW_MARKED) | LIFE(FLOW_SNAPSHOT) | LIFE(FLOW_SETTLED) |
		     LIFE(FLOW_CLOSED) | LIFE(FLOW_ENDED),
	[FLOW_MARKED] = LIFE(FLOW_SNAPSHOT) | LIFE(FLOW_SETTLED) | LIFE(FLOW_CLOSED) | LIFE(FLOW_ENDED),
	[FLOW_SNAPSHOT] = LIFE(FLOW_SNAPSHOT) | LIFE(FLOW_SETTLED) | LIFE(FLOW_CLOSED) | LIFE(FLOW_ENDED),
	[FLOW_SETTLED] = LIFE(FLOW_SETTLED) | LIFE(FLOW_CLOSED) | LIFE(FLOW_ENDED),
	[FLOW_CLOSED] = LIFE(FLOW_CLOSED) | LIFE(FLOW_ENDED),
	[FLOW_ENDED] = 0,
};

bool flow_life_may(enum flow_life from, enum flow_life to)
{
	return (unsigned)from < FLOW_NLIFE && (unsigned)to < FLOW_NLIFE &&
	       (flow_life_next[from] & LIFE(to)) != 0;
}

/* The bucket array follows the number of open flows (load factor at most
 * 1), not the flow cap: at 5,000 open flows 8,192 buckets (64 KB, in the
 * cache) instead of the cap's 262,144 (2 MB, a cache miss per packet:
 * flow_lookup was 8% of a handshake-heavy capture, docs/PERFORMANCE.md).
 * Grows by doubling, up to the cap's size; a failed grow keeps the table
 * as it is (longer chains, nothing lost). */
#define FLOW_BUCKETS_MIN 1024u
#define FLOW_BUCKETS_MAX (1u << 24)

static void flow_table_grow(struct flow_table *t)
{
	uint32_t nb = t->nbuckets * 2, i;
	struct flow **nbk;

	if (nb > t->max_buckets)
		return;
	if ((size_t)nb * sizeof(*nbk) >= (2u << 20)) {
		/* 2 MB and more (256 Ki buckets): on huge pages where the
		 * kernel gives them on request (transparent_hugepage=madvise):
		 * a random bucket per packet would otherwise miss the TLB too
		 * (docs/PERFORMANCE.md, "Cost versus scale") */
		void *m = NULL;
		if (posix_memalign(&m, 2u << 20, (size_t)nb * sizeof(*nbk)) != 0)
			return;
		(void)madvise(m, (size_t)nb * sizeof(*nbk), MADV_HUGEPAGE);
		memset(m, 0, (size_t)nb * sizeof(*nbk));
		nbk = m;
	} else if ((nbk = calloc(nb, sizeof(*nbk))) == NULL) {
		return;
	}
	for (i = 0; i < t->nbuckets; i++) {
		struct flow *f = t->buckets[i], *n;
		for (; f; f = n) {
			n = f->hnext;
			f->hnext = nbk[f->hash & (nb - 1)];
			nbk[f->hash & (nb - 1)] = f;
		}
	}
	free(t->buckets);
	t->buckets = nbk;
	t->nbuckets = nb;
	t->grows++;
}

int flow_table_init(struct flow_table *t, uint32_t max_flows, uint64_t first_id)
{
	uint32_t nb = FLOW_BUCKETS_MIN;
	memset(t, 0, sizeof(*t));
	t->max_buckets = FLOW_BUCKETS_MIN;
	while (t->max_buckets < max_flows && t->max_buckets < FLOW_BUCKETS_MAX)
		t->max_buckets <<= 1;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	if (t->buckets == NULL)
		return -1;
	t->nbuckets = nb;
	t->max = max_flows;
	t->next_id = first_id;
	t->id_step = 1;
	return 0;
}

void flow_table_free(struct flow_table *t)
{
	struct flow *f;
	int l;
	/* Flows still listed (the engine flushes them first; a bare table
	 * user may not) and then the free list. */
	for (l = 0; l < FL_NLISTS; l++) {
		f = t->head[l];
		while (f) {
			struct flow *n = f->next;
			free(f);
			f = n;
		}
		t->head[l] = t->tail[l] = NULL;
	}
	f = t->freelist;
	while (f) {
		struct flow *n = f->hnext;
		free(f);
		f = n;
	}
	free(t->buckets);
	t->buckets = NULL;
}

static int ep_cmp(const uint8_t *ia, uint16_t pa, const uint8_t *ib, uint16_t pb)
{
	int c = memcmp(ia, ib, 16);
	if (c != 0)
		return c;
	return (int)pa - (int)pb;
}

void flow_key_make(const struct pkt *p, struct flow_key *k, bool *a_is_src)
{
	uint16_t sp = p->sport, dp = p->dport;
	bool one_way = false;

	memset(k, 0, sizeof(*k));
	if (flow_proto_is_icmp(p->l4_proto))
		/* type and counterpart type, or type and code (flow.h) */
		one_way = icmp_port_equiv(p->l4_proto, p->sport, p->dport, &sp, &dp) == ICMP_ONE_WAY;
	if (one_way || ep_cmp(p->src, sp, p->dst, dp) <= 0) {
		memcpy(k->a, p->src, 16);
		memcpy(k->b, p->dst, 16);
		k->pa = sp;
		k->pb = dp;
		*a_is_src = true;
	} else {
		memcpy(k->a, p->dst, 16);
		memcpy(k->b, p->src, 16);
		k->pa = dp;
		k->pb = sp;
		*a_is_src = false;
	}
	k->vlan = p->vlan;
	k->vlan_inner = p->vlan_inner;
	k->proto = p->l4_proto;
	k->ipver = p->ip_version;
}

/* FNV-1a over the canonical key, then a final avalanche (murmur3 fmix32). */
uint32_t flow_key_hash(const struct flow_key *k)
{
	const uint8_t *b = (const uint8_t *)k;
	uint32_t h = 2166136261u;
	size_t i;
	for (i = 0; i < sizeof(*k); i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

struct flow *flow_lookup(struct flow_table *t, const struct flow_key *k, uint32_t h)
{
	struct flow *f = t->buckets[h & (t->nbuckets - 1)];
	while (f) {
		if (f->hash == h && memcmp(&f->key, k, sizeof(*k)) == 0)
			return f;
		f = f->hnext;
	}
	return NULL;
}

static void list_unlink(struct flow_table *t, struct flow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		t->head[f->list] = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		t->tail[f->list] = f->prev;
	f->prev = f->next = NULL;
}

static void list_append(struct flow_table *t, struct flow *f, enum flow_list l)
{
	f->list = (uint8_t)l;
	f->next = NULL;
	f->prev = t->tail[l];
	if (t->tail[l])
		t->tail[l]->next = f;
	else
		t->head[l] = f;
	t->tail[l] = f;
}

struct flow *flow_insert(struct flow_table *t, const struct flow_key *k, uint32_t h,
			 const struct pkt *p, bool a_is_src,
			 bool (*is_server_port)(uint16_t port, uint8_t proto))
{
	struct flow *f = t->freelist;
	uint32_t bi = h & (t->nbuckets - 1);
	bool src_is_client;

	if (f)
		t->freelist = f->hnext;
	else if ((f = malloc(sizeof(*f))) == NULL)
		return NULL;
	memset(f, 0, sizeof(*f));
	f->key = *k;
	f->hash = h;
	f->id = t->next_id;
	t->next_id += t->id_step;
	f->ts_first = f->ts_last = p->ts;

	if (flow_proto_is_icmp(p->l4_proto)) {
		/* the requester is the client; a one-way message's sender */
		uint16_t sp, dp;
		switch (icmp_port_equiv(p->l4_proto, p->sport, p->dport, &sp, &dp)) {
		case ICMP_REQUEST:
			src_is_client = true;
			f->client_by = CB_ICMP_TYPE;
			break;
		case ICMP_REPLY:
			src_is_client = false;
			f->client_by = CB_ICMP_TYPE;
			break;
		default:
			src_is_client = true;
			f->client_by = CB_FIRST;
			break;
		}
	} else if (p->l4_proto == IPPROTO_TCP && (p->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		src_is_client = true;
		f->client_by = CB_SYN;
	} else if (p->l4_proto == IPPROTO_TCP && (p->tcp_flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
		src_is_client = false;
		f->client_by = CB_SYNACK;
	} else {
		bool ss = is_server_port(p->sport, p->l4_proto);
		bool ds = is_server_port(p->dport, p->l4_proto);
		if (ss != ds) {
			src_is_client = ds;
			f->client_by = CB_PORT;
		} else {
			src_is_client = true;
			f->client_by = CB_FIRST;
		}
	}
	f->cli_is_a = (src_is_client == a_is_src);

	f->hnext = t->buckets[bi];
	t->buckets[bi] = f;
	list_append(t, f, p->l4_proto == IPPROTO_TCP ? FL_TCP : FL_UDP);
	t->count++;
	t->created++;
	if (t->count > t->nbuckets)
		flow_table_grow(t);
	return f;
}

void flow_touch(struct flow_table *t, struct flow *f, enum flow_list l)
{
	if (t->tail[f->list] == f && f->list == l)
		return;
	list_unlink(t, f);
	list_append(t, f, l);
}

void flow_unlink(struct flow_table *t, struct flow *f)
{
	struct flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	list_unlink(t, f);
	t->count--;
}

void flow_recycle(struct flow_table *t, struct flow *f)
{
	f->hnext = t->freelist;
	t->freelist = f;
}

struct flow *flow_next_expired(struct flow_table *t, int64_t now)
{
	int l;
	for (l = 0; l < FL_NLISTS; l++) {
		struct flow *f = t->head[l];
		if (f && now - f->ts_last > t->timeout[l])
			return f;
	}
	return NULL;
}

struct flow *flow_oldest(struct flow_table *t)
{
	struct flow *best = NULL;
	int l;
	for (l = 0; l < FL_NLISTS; l++) {
		struct flow *f = t->head[l];
		if (f && (best == NULL || f->ts_last < best->ts_last))
			best = f;
	}
	return best;
}

const char *flow_transport_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmp6";
	default: return "?";
	}
}

const uint8_t *flow_cli_ip(const struct flow *f) { return f->cli_is_a ? f->key.a : f->key.b; }
const uint8_t *flow_srv_ip(const struct flow *f) { return f->cli_is_a ? f->key.b : f->key.a; }
uint16_t flow_cli_port(const struct flow *f) { return f->cli_is_a ? f->key.pa : f->key.pb; }
uint16_t flow_srv_port(const struct flow *f) { return f->cli_is_a ? f->key.pb : f->key.pa; }
