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

struct swq {
	struct store *s;
	struct swq_msg *ring;
	unsigned slots;
	uint64_t head, pub, wtail, rtail;
	bool stop, writer_idle;
	bool direct;                 /* after swq_sync, until the next push: the
				      * producer may use the store itself */
	const char *failed;          /* store_failed() after the last record */
	pthread_mutex_t mu;
	pthread_cond_t work;         /* producer -> writer: records, or stop */
	pthread_cond_t done;         /* writer -> producer: records written */
	pthread_t th;
	void (*release)(void *obj, void *arg);
	void *release_arg;
	struct swq_stats st;         /* under mu */
	uint64_t st_pushed;          /* the producer's, no lock */
};

/* Idle writer: commit a batch older than the store's batch time (a quiet
 * live link) at this interval. */
#define SWQ_IDLE_COMMIT_NS 500000000L
#define SWQ_PUBLISH_BATCH 64

static void *swq_main(void *arg)
{
	struct swq *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		uint64_t from, to, i;
		uint64_t ef = 0, eo = 0;
		const char *failed;

		while (q->wtail == q->pub && !q->stop) {
			struct timespec ts;
			q->writer_idle = true;
			pthread_cond_broadcast(&q->done);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += SWQ_IDLE_COMMIT_NS;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&q->work, &q->mu, &ts) == ETIMEDOUT &&
			    q->wtail == q->pub && !q->stop && !q->direct)
				store_maybe_commit(q->s); /* idle: the ring is empty, the store ours */
		}
		q->writer_idle = false;
		if (q->wtail == q->pub && q->stop)
			break;
		from = q->wtail;
		to = q->pub;
		pthread_mutex_unlock(&q->mu);

		/* the records [from, to) are the writer's: no lock while writing */
		for (i = from; i < to; i++) {
			struct swq_msg *m = &q->ring[i % q->slots];
			int rc;
			if (m->kind == SWQ_PROGRESS) {
				/* as on one thread: a failure shows in store_failed */
				store_run_progress(q->s, m->run_id, &m->re);
				store_commit(q->s);
				rc = 0;
			} else {
				rc = m->kind == SWQ_COUNTERS ? store_flow_counters(q->s, &m->r)
							     : store_flow(q->s, &m->r);
			}
			if (rc != 0) {
				if (m->final)
					ef++;
				else
					eo++;
			}
		}
		failed = store_failed(q->s);

		pthread_mutex_lock(&q->mu);
		q->wtail = to;
		q->st.errors_final += ef;
		q->st.errors_other += eo;
		q->failed = failed;
		pthread_cond_broadcast(&q->done);
	}
	q->writer_idle = true;
	pthread_cond_broadcast(&q->done);
	pthread_mutex_unlock(&q->mu);
	wa_md_thread_free(); /* this thread's digest contexts (store_tls) */
	return NULL;
}

int swq_start(struct swq **out, struct store *s, unsigned slots,
	      void (*release)(void *obj, void *arg), void *release_arg,
	      char *err, size_t errlen)
{
	struct swq *q;
	int rc;

	*out = NULL;
	if (slots < 2)
		slots = 2;
	q = calloc(1, sizeof(*q));
	if (q == NULL || (q->ring = calloc(slots, sizeof(*q->ring))) == NULL) {
		free(q);
		snprintf(err, errlen, "store writer: out of memory for %u records", slots);
		return -1;
	}
	q->s = s;
	q->slots = slots;
	q->st.slots = slots;
	q->release = release;
	q->release_arg = release_arg;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->done, NULL);
	if ((rc = pthread_create(&q->th, NULL, swq_main, q)) != 0) {
		snprintf(err, errlen, "store writer: cannot start a thread: %s", strerror(rc));
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->work);
		pthread_cond_destroy(&q->done);
		free(q->ring);
		free(q);
		return -1;
	}
	*out = q;
	return 0;
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
	uint32_t depth;

	pthread_mutex_lock(&q->mu);
	q->pub = q->head;
	q->direct = false;
	depth = (uint32_t)(q->pub - q->wtail);
	if (depth > q->st.max_depth)
		q->st.max_depth = depth;
	if (q->writer_idle && q->wtail != q->pub)
		pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
}

struct swq_msg *swq_slot(struct swq *q)
{
	struct swq_msg *m;

	if (q->head - q->rtail == q->slots) {
		uint64_t wt;
		if (q->pub != q->head)
			swq_publish(q);
		pthread_mutex_lock(&q->mu);
		if (q->wtail == q->rtail) {
			/* full, nothing written since: wait for the writer */
			int64_t t0 = now_us();
			q->st.waits++;
			while (q->wtail == q->rtail)
				pthread_cond_wait(&q->done, &q->mu);
			q->st.wait_us += (uint64_t)(now_us() - t0);
		}
		wt = q->wtail;
		pthread_mutex_unlock(&q->mu);
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
	uint64_t wt;

	swq_flush(q);
	pthread_mutex_lock(&q->mu);
	if (q->wtail != q->pub || !q->writer_idle) {
		q->st.syncs++;
		pthread_cond_signal(&q->work);
		while (q->wtail != q->pub || !q->writer_idle)
			pthread_cond_wait(&q->done, &q->mu);
	}
	q->direct = true;
	wt = q->wtail;
	pthread_mutex_unlock(&q->mu);
	swq_reclaim(q, wt);
}

const char *swq_failed(struct swq *q)
{
	const char *f;
	pthread_mutex_lock(&q->mu);
	f = q->failed;
	pthread_mutex_unlock(&q->mu);
	return f;
}

void swq_get_stats(struct swq *q, struct swq_stats *out)
{
	pthread_mutex_lock(&q->mu);
	*out = q->st;
	pthread_mutex_unlock(&q->mu);
	out->pushed = q->st_pushed; /* the producer's own counter */
}

void swq_stop(struct swq *q)
{
	if (q == NULL)
		return;
	swq_sync(q);
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->th, NULL);
	swq_reclaim(q, q->wtail);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->done);
	free(q->ring);
	free(q);
}
