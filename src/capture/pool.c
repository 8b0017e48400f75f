/* SPDX-License-Identifier: BSD-3-Clause */
/* pool.c — free lists for fixed-size per-flow objects; see pool.h. */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

void *pool_get(struct pool *p)
{
	void *o;
	p->gets++;
	if (p->free) {
		o = p->free;
		memcpy(&p->free, o, sizeof(void *));
		p->nfree--;
		p->reuses++;
		if (p->zero)
			memset(o, 0, p->size);
		return o;
	}
	return p->zero ? calloc(1, p->size) : malloc(p->size);
}

void pool_put(struct pool *p, void *o)
{
	if (o == NULL)
		return;
	if (p->nfree >= p->max_free || p->size < sizeof(void *)) {
		free(o);
		return;
	}
	memcpy(o, &p->free, sizeof(void *));
	p->free = o;
	p->nfree++;
}

void pool_drain(struct pool *p)
{
	while (p->free) {
		void *o = p->free;
		memcpy(&p->free, o, sizeof(void *));
		free(o);
	}
	p->nfree = 0;
}
