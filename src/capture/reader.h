/* SPDX-License-Identifier: BSD-3-Clause */
/* reader.h — a thread that reads a savefile with libpcap while the packet
 * thread analyses what it read before (docs/ARCHITECTURE.md, "Threads").
 *
 * Reading a capture (read(2), the copy out of the page cache, libpcap's
 * record parsing) was a fifth of the packet thread's time on a
 * handshake-heavy capture; with the store writer on the second core it was
 * the largest piece left that could run beside the analysis.
 *
 * The reader copies packets, headers included, into chunks of about 1 MB
 * and hands over each full chunk; the packet thread takes chunks in order
 * and gives them back. READER_CHUNKS chunks exist, so at most that much is
 * read ahead (the reader waits for a free chunk: memory stays bounded).
 * Packets come out exactly as pcap_loop would give them, in order.
 *
 * Only for savefiles that are regular files (gzip or not): a pipe's read
 * may block for ever, and a signal must be able to stop it, which it can
 * on the thread that reads (capture.c keeps pipes on one thread). */
#ifndef WA_READER_H
#define WA_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <pcap/pcap.h>

#define READER_CHUNKS 8
#define READER_CHUNK_BYTES (1u << 20)

struct reader;

/* A chunk: records of a struct pcap_pkthdr followed by its caplen bytes,
 * each record starting 8-byte aligned. */
struct reader_chunk {
	uint8_t *buf;
	size_t cap, used;
	uint32_t npkts;
	long pos;              /* ftell of the file after the chunk, or -1 */
};

/* Starts reading p (its FILE fp, for the position: may be NULL). 0, or -1
 * with err. The pcap_t is the reader's until reader_finish. */
int reader_start(struct reader **out, pcap_t *p, FILE *fp, char *err, size_t errlen);
/* The next chunk in order, NULL at the end of the file (or after
 * reader_abort). Give it back with reader_put before the next. */
const struct reader_chunk *reader_next(struct reader *r);
void reader_put(struct reader *r, const struct reader_chunk *c);
/* Stop reading at the next packet (count reached, a signal, the store
 * failed); chunks already read are dropped. */
void reader_abort(struct reader *r);
/* Waits for the reader and frees it: pcap_loop's return value (the error
 * text is pcap_geterr(p), as without the thread, unless the reader itself
 * failed: then err says why, else err is ""). */
int reader_finish(struct reader *r, char *err, size_t errlen);

/* Walk a chunk's records. */
static inline const struct pcap_pkthdr *reader_rec(const struct reader_chunk *c, size_t *off,
						    const uint8_t **data)
{
	const struct pcap_pkthdr *h;
	if (*off >= c->used)
		return NULL;
	h = (const struct pcap_pkthdr *)(const void *)(c->buf + *off);
	*data = c->buf + *off + sizeof(*h);
	*off += (sizeof(*h) + h->caplen + 7) & ~(size_t)7;
	return h;
}

#endif
