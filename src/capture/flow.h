/* flow.h — the bidirectional flow table.
 *
 * Key: both addresses, both ports, transport, IP version and the VLAN tags,
 * stored canonically (lower endpoint first) so that both directions of a
 * connection hash and compare equal. Chained hash buckets, a fixed bucket
 * array sized from the flow cap, and one age list per timeout class (p0f's
 * flow_by_age) so that expiry is amortised O(1): each packet moves its flow
 * to the tail of its list, and only list heads are checked for idleness.
 *
 * Who is the client: the sender of a SYN without ACK; else the receiver of a
 * SYN+ACK; else the side whose port is not a well-known service port while
 * the other's is (< 1024 or a port hint of a dissector); else the sender of
 * the first packet seen. The rule used is kept (`client_by`).
 *
 * Memory: one malloc per flow (recycled through a free list), none per
 * packet. Reassembly buffers and dissector state are allocated only for
 * flows that carry payload and only until the flow is bypassed.
 */
#ifndef WA_FLOW_H
#define WA_FLOW_H

#include <stdint.h>
#include <stdbool.h>

#include "decode.h"
#include "stream.h"

struct dis_ctx;
struct ndpi_flow_struct;

struct flow_key {
	uint8_t a[16], b[16];
	uint16_t pa, pb;
	uint16_t vlan, vlan_inner;
	uint8_t proto, ipver;
	uint8_t pad[2];
};

enum flow_list { FL_TCP = 0, FL_UDP, FL_CLOSING, FL_NLISTS };

enum client_by { CB_SYN = 0, CB_SYNACK, CB_PORT, CB_FIRST };
const char *client_by_name(enum client_by b);

enum flow_end { FE_CLOSED = 0, FE_IDLE, FE_EVICTED, FE_CAPTURE_END };
const char *flow_end_name(enum flow_end e);

struct flow {
	struct flow *hnext;
	struct flow *prev, *next; /* age list */
	uint32_t hash;
	uint8_t list;             /* enum flow_list */
	uint8_t client_by;        /* enum client_by */
	bool cli_is_a;            /* client is key.a/pa */
	uint8_t tcp_state;        /* FLOW_* bits */
	struct flow_key key;
	uint32_t ckpt_pkts;       /* packets (mod 2^32) at the last checkpoint
				   * (here: fills the hole before id) */
	uint64_t id;
	int64_t ts_first, ts_last;
	uint64_t pkts[2], bytes[2], payload[2]; /* [dir] */
	struct stream st[2];      /* TCP only */
	struct dis_ctx *dis;      /* NULL until payload; kept until flow end */
	/* nDPI: the flow struct lives only while classification runs */
	struct ndpi_flow_struct *ndpi;
	uint16_t ndpi_master, ndpi_app;
	uint16_t ndpi_category;
	uint16_t ndpi_pkts;
	uint64_t ndpi_risk;
	bool ndpi_done;
	bool ndpi_guessed;        /* nDPI's answer is a guess (port), not a detection */
	bool ndpi_skipped;        /* nDPI left out: a dissector claimed the flow */
	bool bypass;              /* no dissector left: counters only */
	bool quiesced;            /* closed: dissector finished, buffers freed */
	bool frozen_closed;       /* closed and written: observations freed */
	uint8_t ckpt;             /* FLOW_CKPT_*: engine_checkpoint() */
};

#define FLOW_FIN_C 0x01
#define FLOW_FIN_S 0x02
#define FLOW_RST 0x04

/* Checkpoint state of a flow (engine_checkpoint), in the low two bits of
 * ckpt: not yet seen by one, seen (open at one checkpoint; bits 2-3 hold
 * its list then), a snapshot row of it is in the store, and that row holds
 * its final observations (later snapshots update counters). */
#define FLOW_CKPT_NEW 0
#define FLOW_CKPT_SEEN 1
#define FLOW_CKPT_WRITTEN 2
#define FLOW_CKPT_FROZEN 3
#define FLOW_CKPT_STATE(f) ((f)->ckpt & 3)

struct flow_table {
	struct flow **buckets;
	uint32_t nbuckets;        /* power of two */
	uint32_t count, max;
	struct flow *head[FL_NLISTS], *tail[FL_NLISTS];
	int64_t timeout[FL_NLISTS];
	struct flow *freelist;
	uint64_t next_id;
	/* counters */
	uint64_t created, evicted, expired;
};

/* Direction of a packet within its flow. */
#define FLOW_DIR_C2S 0
#define FLOW_DIR_S2C 1

/* max_flows > 0. Timeouts in microseconds. Returns 0 or -1 (no memory). */
int flow_table_init(struct flow_table *t, uint32_t max_flows, uint64_t first_id);
void flow_table_free(struct flow_table *t);

/* Canonical key and its hash for a decoded packet; *a_is_src tells whether
 * the packet's source is endpoint a of the key. */
void flow_key_make(const struct pkt *p, struct flow_key *k, bool *a_is_src);
uint32_t flow_key_hash(const struct flow_key *k);

/* Find the packet's flow. NULL if none. */
struct flow *flow_lookup(struct flow_table *t, const struct flow_key *k, uint32_t h);

/* Insert a new flow for packet p (the caller checked it is absent and made
 * room below max). `is_server_port` decides the port heuristic. */
struct flow *flow_insert(struct flow_table *t, const struct flow_key *k, uint32_t h,
			 const struct pkt *p, bool a_is_src,
			 bool (*is_server_port)(uint16_t port, uint8_t proto));

/* Move f to the tail of list l, marking it seen now. */
void flow_touch(struct flow_table *t, struct flow *f, enum flow_list l);

/* Unlink f from the table and its list (the caller then finishes and
 * recycles it with flow_recycle). */
void flow_unlink(struct flow_table *t, struct flow *f);
void flow_recycle(struct flow_table *t, struct flow *f);

/* The flow that should go first: the idle head of a list whose timeout has
 * passed at time now, or NULL. */
struct flow *flow_next_expired(struct flow_table *t, int64_t now);
/* The least recently seen flow of all lists (eviction victim), or NULL. */
struct flow *flow_oldest(struct flow_table *t);

/* Client/server addresses of a flow. */
const uint8_t *flow_cli_ip(const struct flow *f);
const uint8_t *flow_srv_ip(const struct flow *f);
uint16_t flow_cli_port(const struct flow *f);
uint16_t flow_srv_port(const struct flow *f);

#endif
