/* SPDX-License-Identifier: BSD-3-Clause */
/* swq.c — the store writer thread; see swq.h.
 *
 * The ring has four positions, all counting up (index = position % slots):
 *   rtail <= wtail <= pub <= head
 * [rtail, wtail): written, not yet reclaimed (the producer's to release);
 * [wtail, pub): published, not yet written (the writer's);
 * [pub, head): pushed, not yet published (the producer's still);
 * [head, rtail + slots): free. head and rtail move only on the producer
 * (no lock), pub on the producer under mu, wtail on the writer under mu.
 *
 * Records are published to the writer in batches of SWQ_PUBLISH_BATCH (or
 * at a sync, a full ring, or swq_flush from the capture's tick): one lock
 * and at most one wake-up per batch instead of per record. Per record, the
 * futex wake-ups cost more than the writes they moved (measured: the
 * packet thread's kernel time doubled; docs/PERFORMANCE.md). */
#include "swq.h"
#include "util.h"
#include "digest.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The writer and what its producers share. */
struct swq_hub {
	struct store *s;
	pthread_mutex_t mu;
	pthread_cond_t work;         /* producers -> writer: records, or stop */
	pthread_cond_t done;         /* writer -> producers: records written */
	pthread_t th;
	bool stop, writer_idle;
	const char *failed;          /* store_failed() after the last record */
	unsigned nlanes, open;       /* lanes, and those not yet stopped */
	struct swq **lanes;
};

/* One producer's ring (a lane of the hub). */
struct swq {
	struct swq_hub *h;
	struct swq_msg *ring;
	unsigned slots;
	uint64_t head, pub, wtail, rtail;
	bool direct;                 /* after swq_sync, until the next push: the
				      * producer may use the store itself (one
				      * lane only) */
	void (*release)(void *obj, void *arg);
	void *release_arg;
	struct swq_stats st;         /* under h->mu */
	uint64_t st_pushed;          /* the producer's, no lock */
	/* the writer's own: the records it is writing and their refusals */
	uint64_t w_from, w_to, w_ef, w_eo;
};

/* Idle writer: commit a batch older than the store's batch time (a quiet
 * live link) at this interval. */
#define SWQ_IDLE_COMMIT_NS 500000000L
#define SWQ_PUBLISH_BATCH 64

/* under mu */
static bool hub_has_work(const struct swq_hub *h)
{
	for (unsigned k = 0; k < h->nlanes; k++)
		if (h->lanes[k]->wtail != h->lanes[k]->pub)
			return true;
	return false;
}

static bool hub_direct(const struct swq_hub *h)
{
	for (unsigned k = 0; k < h->nlanes; k++)
		if (h->lanes[k]->direct)
			return true;
	return false;
}

static void *swq_main(void *arg)
{
	struct swq_hub *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		const char *failed;
		unsigned k;

		while (!hub_has_work(h) && !h->stop) {
			struct timespec ts;
			h->writer_idle = true;
			pthread_cond_broadcast(&h->done);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += SWQ_IDLE_COMMIT_NS;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&h->work, &h->mu, &ts) == ETIMEDOUT &&
			    !hub_has_work(h) && !h->stop && !hub_direct(h))
				store_maybe_commit(h->s); /* idle: the rings are empty, the store ours */
		}
		h->writer_idle = false;
		if (!hub_has_work(h) && h->stop)
			break;
		for (k = 0; k < h->nlanes; k++) {
			h->lanes[k]->w_from = h->lanes[k]->wtail;
			h->lanes[k]->w_to = h->lanes[k]->pub;
		}
		pthread_mutex_unlock(&h->mu);

		/* each lane's records [from, to) are the writer's: no lock
		 * while writing; a lane's records in its order */
		for (k = 0; k < h->nlanes; k++) {
			struct swq *q = h->lanes[k];
			q->w_ef = q->w_eo = 0;
			for (uint64_t i = q->w_from; i < q->w_to; i++) {
				struct swq_msg *m = &q->ring[i % q->slots];
				int rc;
				if (m->kind == SWQ_PROGRESS) {
					/* as on one thread: a failure shows in store_failed */
					store_run_progress(h->s, m->run_id, &m->re);
					store_commit(h->s);
					rc = 0;
				} else if (m->kind == SWQ_STATS) {
					/* not a flow: a failure shows in store_failed */
					store_stats_row(h->s, &m->sr);
					rc = 0;
				} else {
					rc = m->kind == SWQ_COUNTERS ? store_flow_counters(h->s, &m->r)
								     : store_flow(h->s, &m->r);
				}
				if (rc != 0) {
					if (m->final)
						q->w_ef++;
					else
						q->w_eo++;
				}
			}
		}
		failed = store_failed(h->s);

		pthread_mutex_lock(&h->mu);
		for (k = 0; k < h->nlanes; k++) {
			struct swq *q = h->lanes[k];
			if (q->wtail == q->w_to)
				continue;
			q->wtail = q->w_to;
			q->st.errors_final += q->w_ef;
			q->st.errors_other += q->w_eo;
		}
		h->failed = failed;
		pthread_cond_broadcast(&h->done);
	}
	h->writer_idle = true;
	pthread_cond_broadcast(&h->done);
	pthread_mutex_unlock(&h->mu);
	wa_md_thread_free(); /* this thread's digest contexts (store_tls) */
	return NULL;
}

static void hub_free(struct swq_hub *h)
{
	for (unsigned k = 0; k < h->nlanes; k++) {
		if (h->lanes[k])
			free(h->lanes[k]->ring);
		free(h->lanes[k]);
	}
	free(h->lanes);
	free(h);
}

int swq_start_shared(struct swq **out, unsigned n, struct store *s, unsigned slots,
		     void (*release)(void *obj, void *arg), void *const *release_args,
		     char *err, size_t errlen)
{
	struct swq_hub *h;
	int rc;

	for (unsigned k = 0; k < n; k++)
		out[k] = NULL;
	if (slots < 2)
		slots = 2;
	h = calloc(1, sizeof(*h));
	if (h == NULL || n == 0)
		goto oom;
	h->nlanes = h->open = n;
	if ((h->lanes = calloc(n, sizeof(*h->lanes))) == NULL)
		goto oom;
	for (unsigned k = 0; k < n; k++) {
		struct swq *q = calloc(1, sizeof(*q));
		if (q == NULL)
			goto oom;
		h->lanes[k] = q;
		if ((q->ring = calloc(slots, sizeof(*q->ring))) == NULL)
			goto oom;
		q->h = h;
		q->slots = slots;
		q->st.slots = slots;
		q->release = release;
		q->release_arg = release_args[k];
	}
	h->s = s;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->work, NULL);
	pthread_cond_init(&h->done, NULL);
	if ((rc = pthread_create(&h->th, NULL, swq_main, h)) != 0) {
		snprintf(err, errlen, "store writer: cannot start a thread: %s", strerror(rc));
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->work);
		pthread_cond_destroy(&h->done);
		hub_free(h);
		return -1;
	}
	for (unsigned k = 0; k < n; k++)
		out[k] = h->lanes[k];
	return 0;
oom:
	snprintf(err, errlen, "store writer: out of memory for %u x %u records", n, slots);
	if (h)
		hub_free(h);
	return -1;
}

int swq_start(struct swq **out, struct store *s, unsigned slots,
	      void (*release)(void *obj, void *arg), void *release_arg,
	      char *err, size_t errlen)
{
	return swq_start_shared(out, 1, s, slots, release, &release_arg, err, errlen);
}

bool swq_shared(const struct swq *q)
{
	return q->h->nlanes > 1;
}

/* Release the owned objects of written records [rtail, upto): producer only,
 * no lock needed (the writer is done with them). */
static void swq_reclaim(struct swq *q, uint64_t upto)
{
	for (; q->rtail < upto; q->rtail++) {
		struct swq_msg *m = &q->ring[q->rtail % q->slots];
		for (int k = 0; k < 2; k++)
			if (m->own[k]) {
				q->release(m->own[k], q->release_arg);
				m->own[k] = NULL;
			}
	}
}

/* Hand [pub, head) to the writer. */
static void swq_publish(struct swq *q)
{
	struct swq_hub *h = q->h;
	uint32_t depth;

	pthread_mutex_lock(&h->mu);
	q->pub = q->head;
	q->direct = false;
	depth = (uint32_t)(q->pub - q->wtail);
	if (depth > q->st.max_depth)
		q->st.max_depth = depth;
	if (h->writer_idle && q->wtail != q->pub)
		pthread_cond_signal(&h->work);
	pthread_mutex_unlock(&h->mu);
}

struct swq_msg *swq_slot(struct swq *q)
{
	struct swq_msg *m;

	if (q->head - q->rtail == q->slots) {
		struct swq_hub *h = q->h;
		uint64_t wt;
		if (q->pub != q->head)
			swq_publish(q);
		pthread_mutex_lock(&h->mu);
		if (q->wtail == q->rtail) {
			/* full, nothing written since: wait for the writer */
			int64_t t0 = now_us();
			q->st.waits++;
			while (q->wtail == q->rtail)
				pthread_cond_wait(&h->done, &h->mu);
			q->st.wait_us += (uint64_t)(now_us() - t0);
		}
		wt = q->wtail;
		pthread_mutex_unlock(&h->mu);
		swq_reclaim(q, wt);
	}
	m = &q->ring[q->head % q->slots];
	memset(m, 0, sizeof(*m));
	return m;
}

void swq_push(struct swq *q)
{
	q->head++;
	q->st_pushed++;
	if (q->head - q->pub >= SWQ_PUBLISH_BATCH)
		swq_publish(q);
}

void swq_flush(struct swq *q)
{
	if (q->pub != q->head)
		swq_publish(q);
}

void swq_sync(struct swq *q)
{
	struct swq_hub *h = q->h;
	bool alone = h->nlanes == 1;
	uint64_t wt;

	swq_flush(q);
	pthread_mutex_lock(&h->mu);
	/* one lane: also wait for the writer to be idle (then the store is
	 * the producer's until its next push); shared: only for this lane's
	 * records, the other producers go on */
	if (q->wtail != q->pub || (alone && !h->writer_idle)) {
		q->st.syncs++;
		pthread_cond_signal(&h->work);
		while (q->wtail != q->pub || (alone && !h->writer_idle))
			pthread_cond_wait(&h->done, &h->mu);
	}
	q->direct = alone;
	wt = q->wtail;
	pthread_mutex_unlock(&h->mu);
	swq_reclaim(q, wt);
}

const char *swq_failed(struct swq *q)
{
	const char *f;
	pthread_mutex_lock(&q->h->mu);
	f = q->h->failed;
	pthread_mutex_unlock(&q->h->mu);
	return f;
}

void swq_get_stats(struct swq *q, struct swq_stats *out)
{
	pthread_mutex_lock(&q->h->mu);
	*out = q->st;
	pthread_mutex_unlock(&q->h->mu);
	out->pushed = q->st_pushed; /* the producer's own counter */
}

void swq_stop(struct swq *q)
{
	struct swq_hub *h;
	uint64_t wt;
	bool last;

	if (q == NULL)
		return;
	h = q->h;
	swq_sync(q);
	pthread_mutex_lock(&h->mu);
	wt = q->wtail;
	pthread_mutex_unlock(&h->mu);
	/* before the lane closes: once it has, the last lane to close may
	 * free every ring */
	swq_reclaim(q, wt); /* nothing is left: swq_sync wrote it all */
	pthread_mutex_lock(&h->mu);
	q->direct = false;
	last = --h->open == 0;
	if (last) {
		h->stop = true;
		pthread_cond_signal(&h->work);
	}
	pthread_mutex_unlock(&h->mu);
	if (!last)
		return; /* the ring stays until the writer stops */
	pthread_join(h->th, NULL);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->work);
	pthread_cond_destroy(&h->done);
	hub_free(h);
}
