/* SPDX-License-Identifier: BSD-3-Clause */
/* pool.h — free lists for the fixed-size objects every flow allocates.
 *
 * A flow with payload takes a dissector context, a dissector state and
 * reassembly buffers, and gives them back when it ends; at 100,000 short
 * connections a minute, glibc's malloc spends more time sorting these
 * multi-kilobyte chunks through its bins than the dissectors spend parsing
 * (docs/PERFORMANCE.md). A pool keeps up to `max_free` released objects of
 * one size on a singly linked free list and hands them out again; past that
 * they go back to malloc, so an idle process holds at most
 * max_free * size bytes per pool beyond what its live flows use.
 *
 * Single-threaded, like the engine. Objects from pool_get are zeroed when
 * `zero` is set (dissector states, contexts), not otherwise (buffers).
 */
#ifndef WA_POOL_H
#define WA_POOL_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

struct pool {
	size_t size;          /* object size; at least sizeof(void *) */
	unsigned max_free;    /* free objects kept */
	bool zero;            /* pool_get returns zeroed memory */
	unsigned nfree;
	void *free;
	uint64_t gets, reuses; /* counters */
};

#define POOL_INIT(sz, maxf, z) { .size = (sz), .max_free = (maxf), .zero = (z) }

/* An object of p->size bytes, or NULL when out of memory. */
void *pool_get(struct pool *p);
/* Give an object from pool_get back (NULL is ignored). */
void pool_put(struct pool *p, void *o);
/* Free every kept object (at exit, for leak checkers). */
void pool_drain(struct pool *p);

#endif
