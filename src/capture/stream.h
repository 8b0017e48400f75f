/* SPDX-License-Identifier: BSD-3-Clause */
/* stream.h — per-direction TCP reassembly (RFC 9293 §3.4 sequence space).
 *
 * In-order bytes are appended to `buf` for the dissector; out-of-order
 * segments are copied into a sorted queue until the hole fills.
 *
 * Overlap policy: first seen wins. Bytes already accepted (delivered or
 * queued) are never replaced by a later segment covering the same sequence
 * numbers; when the later bytes differ from ones still buffered, the
 * stream counts an overlap mismatch (an evasion or corruption sign that the
 * framework records as the anomaly `stream_overlap_mismatch`).
 * Sequence numbers compare modulo 2^32, so wrap-around is transparent.
 * A stream first seen without its SYN starts at the first data segment.
 *
 * Caps: `buf` never holds more than the cap given to stream_add (unconsumed
 * bytes); the out-of-order queue holds at most STREAM_OOO_MAX_BYTES in at most
 * STREAM_OOO_MAX_SEGS segments. Past either, the stream is marked `gap` and
 * delivers nothing more.
 */
#ifndef WA_STREAM_H
#define WA_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"
#include <stdbool.h>

#define STREAM_OOO_MAX_BYTES (64u * 1024u)
#define STREAM_OOO_MAX_SEGS 256u

struct ooo_seg {
	struct ooo_seg *next;
	uint32_t seq, len;
	uint8_t data[];
};

struct stream {
	uint32_t next_seq;     /* sequence number of the next in-order byte */
	bool init;             /* next_seq is known */
	bool syn;              /* the SYN of this direction was seen */
	bool fin;              /* FIN seen */
	bool gap;              /* a hole that will never be filled */
	bool capped;           /* buffer reached the cap */
	uint8_t *buf;          /* unconsumed in-order bytes */
	uint32_t len, cap_alloc;
	uint64_t accepted;     /* in-order bytes accepted in total */
	struct ooo_seg *ooo;
	uint32_t ooo_bytes, ooo_segs;
	uint32_t retrans;      /* segments entirely below next_seq */
	uint32_t overlap_mismatch;
};

/* A SYN (or SYN+ACK) with sequence number isn of this direction. */
void stream_syn(struct stream *s, uint32_t isn);

/* Add a segment. Returns the number of bytes newly appended to s->buf, or
 * 0. `cap` bounds s->len; when the in-order bytes would exceed it the excess
 * is dropped and s->capped set. Allocates only to grow buf (amortised) and
 * to queue out-of-order segments. */
uint32_t stream_add(struct stream *s, struct pool *bufs, uint32_t seq, const uint8_t *data,
		    uint32_t len, uint32_t cap);

/* Drop the first n buffered bytes (the dissector consumed them). */
void stream_consume(struct stream *s, uint32_t n);

/* Free buffers and queued segments; the stream keeps its counters. */
void stream_release(struct stream *s, struct pool *bufs);
/* An empty buffer given back (the next bytes take one again): a flow
 * waiting between messages holds no reassembly buffer. With 10^6 open
 * flows that is most of them (docs/PERFORMANCE.md, "Cost versus scale"). */
void stream_trim(struct stream *s, struct pool *bufs);

/* bufs: the free list of first-size buffers, one per engine (not per
 * process: two engines, or threads with one engine each, share nothing).
 * Make it with STREAM_BUFS_INIT, drain it with pool_drain when every
 * stream made with it is released. */
#define STREAM_BUF0 2048u
#define STREAM_BUFS_INIT POOL_INIT(STREAM_BUF0, 4096, false)

#endif
