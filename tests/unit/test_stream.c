/* SPDX-License-Identifier: BSD-3-Clause */
/* test_stream.c — TCP reassembly: in order, out of order, retransmission,
 * overlaps (first seen wins), sequence wrap-around, caps. */
#include <stdlib.h>
#include "tap.h"
#include "stream.h"

/* the free list of first-size buffers an engine would own (stream.h) */
static struct pool bufs = STREAM_BUFS_INIT;

static int buf_is(const struct stream *s, const char *want)
{
	return s->len == strlen(want) && memcmp(s->buf, want, s->len) == 0;
}

int main(void)
{
	struct stream s;
	uint32_t n;

	memset(&s, 0, sizeof(s));
	stream_syn(&s, 1000);
	is_int(s.next_seq, 1001, "SYN takes one sequence number");
	n = stream_add(&s, &bufs, 1001, (const uint8_t *)"hello", 5, 1024);
	is_int(n, 5, "in order appended");
	n = stream_add(&s, &bufs, 1011, (const uint8_t *)"world", 5, 1024);
	is_int(n, 0, "out of order queued");
	is_int(s.ooo_segs, 1, "one queued segment");
	n = stream_add(&s, &bufs, 1006, (const uint8_t *)", ", 2, 1024);
	is_int(n, 2, "still a hole of 3");
	n = stream_add(&s, &bufs, 1008, (const uint8_t *)"my ", 3, 1024);
	is_int(n, 8, "hole filled: queued bytes delivered too");
	ok(buf_is(&s, "hello, my world"), "bytes in order");
	is_int(s.ooo_segs, 0, "queue empty");

	/* retransmission of old bytes */
	n = stream_add(&s, &bufs, 1001, (const uint8_t *)"hello", 5, 1024);
	is_int(n, 0, "retransmission adds nothing");
	is_int(s.retrans, 1, "counted");
	is_int(s.overlap_mismatch, 0, "same bytes: no mismatch");
	n = stream_add(&s, &bufs, 1001, (const uint8_t *)"HELLO", 5, 1024);
	is_int(s.overlap_mismatch, 1, "different bytes over buffered ones: mismatch");
	ok(buf_is(&s, "hello, my world"), "first seen wins");

	/* partial overlap with new bytes at the end */
	n = stream_add(&s, &bufs, 1014, (const uint8_t *)"ld!!", 4, 1024);
	is_int(n, 2, "only the new tail is appended");
	ok(buf_is(&s, "hello, my world!!"), "tail appended");

	stream_consume(&s, 7);
	ok(buf_is(&s, "my world!!"), "consume drops from the front");
	stream_release(&s, &bufs);

	/* overlapping out-of-order segments: first seen wins in the queue */
	memset(&s, 0, sizeof(s));
	stream_syn(&s, 0);
	stream_add(&s, &bufs, 5, (const uint8_t *)"EFGH", 4, 1024);
	stream_add(&s, &bufs, 3, (const uint8_t *)"CDxxxxIJ", 8, 1024);
	is_int(s.overlap_mismatch, 1, "queued overlap with different bytes counted");
	n = stream_add(&s, &bufs, 1, (const uint8_t *)"AB", 2, 1024);
	is_int(n, 10, "all delivered");
	ok(buf_is(&s, "ABCDEFGHIJ"), "queue kept first-seen bytes");
	stream_release(&s, &bufs);

	/* in-order segment overlapping a queued one */
	memset(&s, 0, sizeof(s));
	stream_syn(&s, 99);
	stream_add(&s, &bufs, 103, (const uint8_t *)"de", 2, 1024);
	n = stream_add(&s, &bufs, 100, (const uint8_t *)"abcXY", 5, 1024);
	ok(buf_is(&s, "abcde"), "in-order bytes do not replace queued ones");
	is_int(s.overlap_mismatch, 1, "and the difference is counted");
	stream_release(&s, &bufs);

	/* wrap-around */
	memset(&s, 0, sizeof(s));
	stream_syn(&s, 0xfffffffd);
	n = stream_add(&s, &bufs, 0xfffffffe, (const uint8_t *)"abcd", 4, 1024);
	is_int(n, 4, "segment across 2^32");
	is_int(s.next_seq, 2, "next sequence wrapped");
	n = stream_add(&s, &bufs, 4, (const uint8_t *)"gh", 2, 1024);
	n = stream_add(&s, &bufs, 2, (const uint8_t *)"ef", 2, 1024);
	is_int(n, 4, "out of order after the wrap");
	ok(buf_is(&s, "abcdefgh"), "bytes across the wrap");
	n = stream_add(&s, &bufs, 0xfffffffe, (const uint8_t *)"ab", 2, 1024);
	is_int(n, 0, "old bytes before the wrap are a retransmission");
	stream_release(&s, &bufs);

	/* mid-stream pickup: no SYN */
	memset(&s, 0, sizeof(s));
	n = stream_add(&s, &bufs, 777, (const uint8_t *)"mid", 3, 1024);
	is_int(n, 3, "first data segment starts the stream");
	stream_release(&s, &bufs);

	/* cap */
	memset(&s, 0, sizeof(s));
	stream_syn(&s, 0);
	n = stream_add(&s, &bufs, 1, (const uint8_t *)"0123456789", 10, 8);
	is_int(n, 8, "cap limits buffered bytes");
	ok(s.capped, "capped flag");
	n = stream_add(&s, &bufs, 11, (const uint8_t *)"zz", 2, 8);
	is_int(n, 0, "nothing more after the cap");
	is_int(s.next_seq, 13, "sequence still tracked");
	stream_release(&s, &bufs);

	/* out-of-order overflow is a gap */
	memset(&s, 0, sizeof(s));
	stream_syn(&s, 0);
	static uint8_t big[1400];
	memset(big, 'x', sizeof(big));
	uint32_t seq = 10000;
	for (int i = 0; i < 60 && !s.gap; i++, seq += sizeof(big))
		stream_add(&s, &bufs, seq, big, sizeof(big), 1 << 20);
	ok(s.gap, "more than 64 KiB queued behind a hole is a gap");
	ok(s.ooo_bytes <= STREAM_OOO_MAX_BYTES, "queue never beyond its cap");
	n = stream_add(&s, &bufs, 1, big, 10, 1 << 20);
	is_int(n, 0, "a gapped stream delivers nothing");
	stream_release(&s, &bufs);
	pool_drain(&bufs);
	return tap_done();
}
