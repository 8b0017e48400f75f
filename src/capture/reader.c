/* SPDX-License-Identifier: BSD-3-Clause */
/* reader.c — the savefile reader thread; see reader.h.
 *
 * Chunks move between two FIFO queues under one mutex: free (the reader
 * takes from it) and full (the packet thread takes from it). The chunk
 * being filled belongs to the reader, the chunk being analysed to the
 * packet thread; nothing else is shared. */
#include "reader.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	pcap_t *p;
	FILE *fp;
	struct reader_chunk chunks[READER_CHUNKS];
	/* ring queues of chunk indices */
	unsigned freeq[READER_CHUNKS], fullq[READER_CHUNKS];
	unsigned free_h, free_n, full_h, full_n;
	bool eof, stop;
	int rc;                      /* pcap_loop's */
	struct reader_chunk *cur;    /* the reader's, being filled */
	pthread_mutex_t mu;
	pthread_cond_t cv;           /* any change of the queues or flags */
	pthread_t th;
	bool oom;
};

static void q_push(unsigned *q, unsigned *h, unsigned *n, unsigned v)
{
	q[(*h + *n) % READER_CHUNKS] = v;
	(*n)++;
}

static unsigned q_pop(unsigned *q, unsigned *h, unsigned *n)
{
	unsigned v = q[*h];
	*h = (*h + 1) % READER_CHUNKS;
	(*n)--;
	return v;
}

/* Hand the chunk being filled to the packet thread and take a free one
 * (waiting for it). false: stop. */
static bool rd_next_chunk(struct reader *r)
{
	bool ok;
	pthread_mutex_lock(&r->mu);
	if (r->cur) {
		r->cur->pos = r->fp ? ftell(r->fp) : -1;
		q_push(r->fullq, &r->full_h, &r->full_n, (unsigned)(r->cur - r->chunks));
		r->cur = NULL;
		pthread_cond_broadcast(&r->cv);
	}
	while (r->free_n == 0 && !r->stop)
		pthread_cond_wait(&r->cv, &r->mu);
	ok = !r->stop;
	if (ok) {
		r->cur = &r->chunks[q_pop(r->freeq, &r->free_h, &r->free_n)];
		r->cur->used = 0;
		r->cur->npkts = 0;
	}
	pthread_mutex_unlock(&r->mu);
	return ok;
}

static void rd_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct reader *r = (struct reader *)user;
	size_t need = (sizeof(*h) + h->caplen + 7) & ~(size_t)7;
	struct reader_chunk *c = r->cur;

	/* a full chunk goes to the packet thread (an empty one is kept) */
	if ((c == NULL || (c->used > 0 && c->used + need > c->cap)) && !rd_next_chunk(r)) {
		pcap_breakloop(r->p);
		return;
	}
	c = r->cur;
	if (need > c->cap) {
		/* one packet larger than a chunk: grow this (empty) chunk */
		uint8_t *nb = realloc(c->buf, need);
		if (nb == NULL) {
			r->oom = true;
			pcap_breakloop(r->p);
			return;
		}
		c->buf = nb;
		c->cap = need;
	}
	memcpy(c->buf + c->used, h, sizeof(*h));
	memcpy(c->buf + c->used + sizeof(*h), data, h->caplen);
	c->used += need;
	c->npkts++;
}

static void *rd_main(void *arg)
{
	struct reader *r = arg;
	sigset_t all;
	int rc;

	/* signals are the packet thread's (capture.c's handlers) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (rd_next_chunk(r))
		rc = pcap_loop(r->p, -1, rd_packet, (u_char *)r);
	else
		rc = PCAP_ERROR_BREAK;
	pthread_mutex_lock(&r->mu);
	if (r->cur && r->cur->used > 0) {
		r->cur->pos = r->fp ? ftell(r->fp) : -1;
		q_push(r->fullq, &r->full_h, &r->full_n, (unsigned)(r->cur - r->chunks));
	} else if (r->cur) {
		q_push(r->freeq, &r->free_h, &r->free_n, (unsigned)(r->cur - r->chunks));
	}
	r->cur = NULL;
	r->rc = r->oom ? PCAP_ERROR : rc;
	r->eof = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

int reader_start(struct reader **out, pcap_t *p, FILE *fp, char *err, size_t errlen)
{
	struct reader *r = calloc(1, sizeof(*r));
	int i, e;

	*out = NULL;
	if (r == NULL) {
		snprintf(err, errlen, "reader: out of memory");
		return -1;
	}
	r->p = p;
	r->fp = fp;
	for (i = 0; i < READER_CHUNKS; i++) {
		r->chunks[i].cap = READER_CHUNK_BYTES;
		if ((r->chunks[i].buf = malloc(READER_CHUNK_BYTES)) == NULL) {
			while (i-- > 0)
				free(r->chunks[i].buf);
			free(r);
			snprintf(err, errlen, "reader: out of memory for %d chunks", READER_CHUNKS);
			return -1;
		}
		q_push(r->freeq, &r->free_h, &r->free_n, (unsigned)i);
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	if ((e = pthread_create(&r->th, NULL, rd_main, r)) != 0) {
		snprintf(err, errlen, "reader: cannot start a thread: %s", strerror(e));
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
		for (i = 0; i < READER_CHUNKS; i++)
			free(r->chunks[i].buf);
		free(r);
		return -1;
	}
	*out = r;
	return 0;
}

const struct reader_chunk *reader_next(struct reader *r)
{
	const struct reader_chunk *c = NULL;
	pthread_mutex_lock(&r->mu);
	while (r->full_n == 0 && !r->eof && !r->stop)
		pthread_cond_wait(&r->cv, &r->mu);
	if (r->full_n > 0 && !r->stop)
		c = &r->chunks[q_pop(r->fullq, &r->full_h, &r->full_n)];
	pthread_mutex_unlock(&r->mu);
	return c;
}

void reader_put(struct reader *r, const struct reader_chunk *c)
{
	pthread_mutex_lock(&r->mu);
	q_push(r->freeq, &r->free_h, &r->free_n, (unsigned)(c - r->chunks));
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void reader_abort(struct reader *r)
{
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

int reader_finish(struct reader *r, char *err, size_t errlen)
{
	int rc, i;
	reader_abort(r); /* a reader still reading (an early stop) stops now */
	pthread_join(r->th, NULL);
	rc = r->rc;
	if (err && errlen)
		snprintf(err, errlen, "%s", r->oom ? "out of memory for a packet" : "");
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	for (i = 0; i < READER_CHUNKS; i++)
		free(r->chunks[i].buf);
	free(r);
	return rc;
}
