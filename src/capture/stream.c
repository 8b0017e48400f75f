/* SPDX-License-Identifier: BSD-3-Clause */
/* stream.c — TCP reassembly; see stream.h for the policy. */
#include "stream.h"
#include "pool.h"

#include <stdlib.h>
#include <string.h>

static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

void stream_syn(struct stream *s, uint32_t isn)
{
	if (s->init && s->syn)
		return; /* retransmitted SYN */
	if (s->init && !s->syn)
		return; /* data seen before the SYN (reordered capture): keep */
	s->next_seq = isn + 1;
	s->init = true;
	s->syn = true;
}

/* STREAM_BUF0 (stream.h): the first buffer size of a direction; most
 * handshakes fit. Buffers of this size are recycled through the caller's
 * free list (pool.h). */

/* Append in-order bytes, honouring the cap. */
static uint32_t stream_append(struct stream *s, struct pool *bufs, const uint8_t *data, uint32_t len,
			      uint32_t cap)
{
	uint32_t room, take;

	s->next_seq += len;
	s->accepted += len;
	if (s->capped)
		return 0;
	room = cap > s->len ? cap - s->len : 0;
	take = len < room ? len : room;
	if (take < len)
		s->capped = true;
	if (take == 0)
		return 0;
	if (s->len + take > s->cap_alloc) {
		uint32_t ncap = s->cap_alloc ? s->cap_alloc : STREAM_BUF0;
		uint8_t *nb;
		while (ncap < s->len + take)
			ncap *= 2;
		if (ncap > cap && cap >= s->len + take)
			ncap = cap;
		if (ncap == STREAM_BUF0 && s->buf == NULL) {
			nb = pool_get(bufs);
		} else if (s->cap_alloc == STREAM_BUF0) {
			/* leaving the pooled size: copy out, give the small one back */
			if ((nb = malloc(ncap)) != NULL) {
				memcpy(nb, s->buf, s->len);
				pool_put(bufs, s->buf);
			}
		} else {
			nb = realloc(s->buf, ncap);
		}
		if (nb == NULL) {
			s->capped = true;
			return 0;
		}
		s->buf = nb;
		s->cap_alloc = ncap;
	}
	memcpy(s->buf + s->len, data, take);
	s->len += take;
	return take;
}

/* Compare bytes of a retransmission against what is still buffered. The
 * buffer holds the s->len bytes just below next_seq. */
static void stream_check_overlap(struct stream *s, uint32_t seq, const uint8_t *data, uint32_t len)
{
	uint32_t buf_start = s->next_seq - s->len;
	int32_t off = seq_diff(seq, buf_start);
	uint32_t skip = 0, n;

	if (s->capped || s->len == 0)
		return;
	if (off < 0) {
		skip = 0u - (uint32_t)off; /* off may be INT32_MIN */
		if (skip >= len)
			return;
		off = 0;
	}
	if ((uint32_t)off >= s->len)
		return;
	n = len - skip;
	if (n > s->len - (uint32_t)off)
		n = s->len - (uint32_t)off;
	if (memcmp(s->buf + off, data + skip, n) != 0)
		s->overlap_mismatch++;
}

/* Move queued segments that are now in order into the buffer. */
static uint32_t stream_drain(struct stream *s, struct pool *bufs, uint32_t cap)
{
	uint32_t added = 0;

	while (s->ooo && seq_diff(s->ooo->seq, s->next_seq) <= 0) {
		struct ooo_seg *g = s->ooo;
		int32_t d = seq_diff(s->next_seq, g->seq);
		s->ooo = g->next;
		s->ooo_bytes -= g->len;
		s->ooo_segs--;
		if ((uint32_t)d < g->len)
			added += stream_append(s, bufs, g->data + d, g->len - (uint32_t)d, cap);
		free(g);
	}
	return added;
}

static struct ooo_seg *seg_new(uint32_t seq, const uint8_t *data, uint32_t len)
{
	struct ooo_seg *g = malloc(sizeof(*g) + len);
	if (g == NULL)
		return NULL;
	g->next = NULL;
	g->seq = seq;
	g->len = len;
	memcpy(g->data, data, len);
	return g;
}

/* Queue [seq, seq+len) keeping only the parts no queued segment covers. */
static void stream_queue(struct stream *s, uint32_t seq, const uint8_t *data, uint32_t len)
{
	struct ooo_seg **pp = &s->ooo;

	while (len > 0) {
		struct ooo_seg *e = *pp;
		uint32_t piece;
		if (e == NULL || seq_diff(seq, e->seq) < 0) {
			/* part before e (or all, at the tail) */
			piece = len;
			if (e != NULL && seq_diff(e->seq, seq) < (int32_t)len)
				piece = (uint32_t)seq_diff(e->seq, seq);
			if (s->ooo_bytes + piece > STREAM_OOO_MAX_BYTES ||
			    s->ooo_segs + 1 > STREAM_OOO_MAX_SEGS) {
				s->gap = true;
				return;
			}
			struct ooo_seg *g = seg_new(seq, data, piece);
			if (g == NULL) {
				s->gap = true;
				return;
			}
			g->next = e;
			*pp = g;
			s->ooo_bytes += piece;
			s->ooo_segs++;
			pp = &g->next;
			seq += piece;
			data += piece;
			len -= piece;
			continue;
		}
		/* seq is at or after e->seq */
		int32_t into = seq_diff(seq, e->seq);
		if ((uint32_t)into < e->len) {
			uint32_t ov = e->len - (uint32_t)into;
			if (ov > len)
				ov = len;
			if (memcmp(e->data + into, data, ov) != 0)
				s->overlap_mismatch++;
			seq += ov;
			data += ov;
			len -= ov;
		}
		pp = &e->next;
	}
}

uint32_t stream_add(struct stream *s, struct pool *bufs, uint32_t seq, const uint8_t *data,
		    uint32_t len, uint32_t cap)
{
	int32_t off;
	uint32_t added = 0;

	if (len == 0 || s->gap)
		return 0;
	if (!s->init) {
		s->next_seq = seq;
		s->init = true;
	}
	off = seq_diff(seq, s->next_seq);
	if (off < 0) {
		uint32_t old = 0u - (uint32_t)off; /* off may be INT32_MIN */
		stream_check_overlap(s, seq, data, len);
		if (old >= len) {
			s->retrans++;
			return 0;
		}
		seq += old;
		data += old;
		len -= old;
		off = 0;
	}
	if (off == 0) {
		/* Bytes past here may also be queued already: first seen wins, so
		 * append only up to the first queued segment, then drain. */
		uint32_t take = len;
		if (s->ooo && seq_diff(s->ooo->seq, seq) < (int32_t)len)
			take = (uint32_t)seq_diff(s->ooo->seq, seq);
		added += stream_append(s, bufs, data, take, cap);
		if (take < len)
			stream_queue(s, seq + take, data + take, len - take);
		added += stream_drain(s, bufs, cap);
		return added;
	}
	stream_queue(s, seq, data, len);
	return 0;
}

void stream_consume(struct stream *s, uint32_t n)
{
	if (n >= s->len) {
		s->len = 0;
		return;
	}
	memmove(s->buf, s->buf + n, s->len - n);
	s->len -= n;
}

void stream_trim(struct stream *s, struct pool *bufs)
{
	if (s->len != 0 || s->buf == NULL)
		return;
	if (s->cap_alloc == STREAM_BUF0)
		pool_put(bufs, s->buf);
	else
		free(s->buf);
	s->buf = NULL;
	s->cap_alloc = 0;
}

void stream_release(struct stream *s, struct pool *bufs)
{
	struct ooo_seg *g = s->ooo;
	while (g) {
		struct ooo_seg *n = g->next;
		free(g);
		g = n;
	}
	s->ooo = NULL;
	s->ooo_bytes = s->ooo_segs = 0;
	if (s->cap_alloc == STREAM_BUF0)
		pool_put(bufs, s->buf);
	else
		free(s->buf);
	s->buf = NULL;
	s->len = s->cap_alloc = 0;
}
