/* SPDX-License-Identifier: BSD-3-Clause */
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
 * ICMP and ICMPv6 (issue 15) follow Zeek's connections and the Community
 * ID's port equivalents (src/common/icmp.h): the "ports" are the message
 * type and the counterpart type of its request/reply pair, so an echo
 * request (8) and its reply (0) are one flow, with the requester as the
 * client (the sender of the request type, or the receiver of a reply seen
 * first: client_by `icmp_type`) and client_port/server_port 8/0. A one-way
 * message (unreachable, time exceeded, redirect, ...) has type and code as
 * its ports and a key that keeps the packet's direction, as its Community
 * ID does: its sender is the client (`first_packet`), and the same message
 * the other way is another flow. Ports of TCP/UDP and ICMP never meet: the
 * protocol is in the key. ICMP flows idle out like UDP and are never
 * dissected.
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
#include "icmp.h"
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

/* FL_UDP: UDP and ICMP/ICMPv6 flows (the UDP idle timeout) */
enum flow_list { FL_TCP = 0, FL_UDP, FL_CLOSING, FL_NLISTS };

enum client_by { CB_SYN = 0, CB_SYNACK, CB_PORT, CB_FIRST, CB_ICMP_TYPE };
const char *client_by_name(enum client_by b);

enum flow_end { FE_CLOSED = 0, FE_IDLE, FE_EVICTED, FE_CAPTURE_END };
const char *flow_end_name(enum flow_end e);

/* The life of a flow: one state, moved only by engine_flow_life() in
 * engine.c, which asserts each move against flow_life_may(). A state says
 * what the store holds of the flow and what the flow still holds itself:
 *
 *   NEW       open; no checkpoint has seen it; nothing in the store
 *   MARKED    open; seen by the last checkpoint (counted in ckpt_pending
 *             under ckpt_list) and not written: the next checkpoint writes
 *             it even if it stays idle
 *   SNAPSHOT  open; a snapshot row (end_reason "open") is in the store and
 *             the observations may still change: the next write replaces
 *             the row and its observation rows
 *   SETTLED   open; the snapshot row holds the final observations (no live
 *             dissector, nDPI done): later snapshots update counters only,
 *             and the final row keeps the tls/cleartext/certificate rows
 *   CLOSED    a TCP connection closed (both FINs or a RST): dissection
 *             ended, the final observations were written as a snapshot row
 *             and freed; the flow lingers closing_timeout on FL_CLOSING for
 *             its last ACKs, and every later write is counters only
 *   ENDED     the final row is written (end_reason closed, idle, evicted or
 *             capture_end); the flow is being unlinked and recycled
 *
 *   NEW ──────────────────────────── checkpoint marks ──▶ MARKED
 *   NEW (SIGHUP), MARKED, SNAPSHOT ─ checkpoint writes ─▶ SNAPSHOT or SETTLED
 *   SETTLED ──────────────────────── checkpoint ────────▶ SETTLED (counters)
 *   CLOSED ───────────────────────── checkpoint ────────▶ CLOSED (counters)
 *   NEW, MARKED, SNAPSHOT, SETTLED ─ TCP close ─────────▶ CLOSED
 *   any but ENDED ─ close timeout, idle, eviction, capture end ─▶ ENDED
 *
 * Observations only ever become final, never the reverse: SETTLED and
 * CLOSED do not go back to SNAPSHOT. A recycled flow starts again at NEW
 * (flow_insert zeroes it). */
enum flow_life { FLOW_NEW = 0, FLOW_MARKED, FLOW_SNAPSHOT, FLOW_SETTLED, FLOW_CLOSED,
		 FLOW_ENDED, FLOW_NLIFE };

/* Whether the machine above allows from -> to. */
bool flow_life_may(enum flow_life from, enum flow_life to);
/* A row of the flow is in the store: a full write replaces it (rewrite). */
static inline bool flow_life_has_row(enum flow_life l)
{
	return l == FLOW_SNAPSHOT || l == FLOW_SETTLED || l == FLOW_CLOSED;
}

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
	uint8_t life;             /* enum flow_life */
	uint8_t ckpt_list;        /* MARKED: its list when marked (ckpt_pending) */
};

#define FLOW_FIN_C 0x01
#define FLOW_FIN_S 0x02
#define FLOW_RST 0x04

struct flow_table {
	struct flow **buckets;
	uint32_t nbuckets;        /* power of two, grows with count (flow.c) */
	uint32_t max_buckets;     /* what max flows needs, at most 2^24 */
	uint32_t grows;           /* times the bucket array doubled */
	uint32_t count, max;
	struct flow *head[FL_NLISTS], *tail[FL_NLISTS];
	int64_t timeout[FL_NLISTS];
	struct flow *freelist;
	uint64_t next_id;
	uint32_t id_step;          /* ids go up by this (1; the number of
				    * workers with --workers, each starting
				    * at its own offset: unique in the run) */
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
 * the packet's source is endpoint a of the key (always, for a one-way ICMP
 * message: its key is not reordered). */
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

/* The transport's name in a flow record: `tcp`, `udp`, `icmp`, `icmp6`
 * (the flow table holds no other). */
const char *flow_transport_name(uint8_t proto);
static inline bool flow_proto_is_icmp(uint8_t proto)
{
	return proto == ICMP_PROTO_V4 || proto == ICMP_PROTO_V6;
}

/* Client/server addresses of a flow. */
const uint8_t *flow_cli_ip(const struct flow *f);
const uint8_t *flow_srv_ip(const struct flow *f);
uint16_t flow_cli_port(const struct flow *f);
uint16_t flow_srv_port(const struct flow *f);

#endif
