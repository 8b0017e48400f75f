/* SPDX-License-Identifier: BSD-3-Clause */
/* ndpi_glue.c — nDPI classification; see ndpi_glue.h. */
#include "ndpi_glue.h"
#include "pool.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <ndpi_api.h>

struct wa_ndpi {
	struct ndpi_detection_module_struct *mod;
	struct pool flows;   /* nDPI's per-flow structs, recycled (pool.h) */
};

struct wa_ndpi *wa_ndpi_new(void)
{
	struct wa_ndpi *n = calloc(1, sizeof(*n));
	NDPI_PROTOCOL_BITMASK all;

	if (n == NULL)
		return NULL;
#if NDPI_MAJOR > 4 || (NDPI_MAJOR == 4 && NDPI_MINOR >= 8)
	/* 4.8 replaced the prefs argument by a global context. */
	n->mod = ndpi_init_detection_module(NULL);
#else
	n->mod = ndpi_init_detection_module(ndpi_no_prefs);
#endif
	if (n->mod == NULL) {
		free(n);
		return NULL;
	}
#if NDPI_MAJOR < 4 || (NDPI_MAJOR == 4 && NDPI_MINOR < 10)
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(n->mod, &all);
#else
	(void)all; /* 4.10 enables every protocol by default */
#endif
	ndpi_finalize_initialization(n->mod);
	return n;
}

void wa_ndpi_free(struct wa_ndpi *n)
{
	if (n == NULL)
		return;
	ndpi_exit_detection_module(n->mod);
	pool_drain(&n->flows);
	free(n);
}

static void keep_result(struct flow *f, ndpi_protocol pr)
{
#if NDPI_MAJOR > 4 || (NDPI_MAJOR == 4 && NDPI_MINOR >= 10)
	f->ndpi_master = pr.proto.master_protocol;
	f->ndpi_app = pr.proto.app_protocol;
#else
	f->ndpi_master = pr.master_protocol;
	f->ndpi_app = pr.app_protocol;
#endif
	f->ndpi_category = (uint16_t)pr.category;
	if (f->ndpi)
		f->ndpi_risk = f->ndpi->risk;
}

void wa_ndpi_release(struct wa_ndpi *n, struct flow *f)
{
	if (f->ndpi) {
		ndpi_free_flow_data(f->ndpi);
		pool_put(&n->flows, f->ndpi);
		f->ndpi = NULL;
	}
}

void wa_ndpi_packet(struct wa_ndpi *n, struct flow *f, const struct pkt *p, uint16_t max_pkts)
{
	ndpi_protocol pr;
	uint32_t len = p->l3_len;

	if (f->ndpi_done)
		return;
	if (f->ndpi == NULL) {
		if (n->flows.size == 0)
			n->flows = (struct pool)POOL_INIT(ndpi_detection_get_sizeof_ndpi_flow_struct(), 1024, true);
		f->ndpi = pool_get(&n->flows);
		if (f->ndpi == NULL) {
			f->ndpi_done = true;
			return;
		}
	}
	if (len > 65535)
		len = 65535;
	pr = ndpi_detection_process_packet(n->mod, f->ndpi, p->l3, (unsigned short)len,
					   (uint64_t)(p->ts / 1000));
	keep_result(f, pr);
	f->ndpi_pkts++;
	if ((f->ndpi_app != NDPI_PROTOCOL_UNKNOWN || f->ndpi_master != NDPI_PROTOCOL_UNKNOWN) &&
	    !ndpi_extra_dissection_possible(n->mod, f->ndpi)) {
		f->ndpi_done = true;
		wa_ndpi_release(n, f);
		return;
	}
	if (f->ndpi_pkts >= max_pkts)
		wa_ndpi_finish(n, f);
}

void wa_ndpi_finish(struct wa_ndpi *n, struct flow *f)
{
	if (f->ndpi_done || f->ndpi == NULL) {
		f->ndpi_done = true;
		return;
	}
	if (f->ndpi_app == NDPI_PROTOCOL_UNKNOWN && f->ndpi_master == NDPI_PROTOCOL_UNKNOWN) {
		uint8_t guessed = 0;
		ndpi_protocol pr = ndpi_detection_giveup(n->mod, f->ndpi, 1, &guessed);
		keep_result(f, pr);
		f->ndpi_guessed = guessed != 0;
	} else {
		f->ndpi_risk = f->ndpi->risk;
	}
	f->ndpi_done = true;
	wa_ndpi_release(n, f);
}

void wa_ndpi_names(struct wa_ndpi *n, const struct flow *f, char *proto, size_t plen,
		   char *cat, size_t clen)
{
	ndpi_protocol pr;
	const char *cn;
	memset(&pr, 0, sizeof(pr));
#if NDPI_MAJOR > 4 || (NDPI_MAJOR == 4 && NDPI_MINOR >= 10)
	pr.proto.master_protocol = f->ndpi_master;
	pr.proto.app_protocol = f->ndpi_app;
#else
	pr.master_protocol = f->ndpi_master;
	pr.app_protocol = f->ndpi_app;
#endif
	pr.category = (ndpi_protocol_category_t)f->ndpi_category;
	ndpi_protocol2name(n->mod, pr, proto, (u_int)plen);
	cn = ndpi_category_get_name(n->mod, pr.category);
	snprintf(cat, clen, "%s", cn ? cn : "");
}

/* nDPI's constant risk names, filled once per process (workers of
 * --workers ask at the same time: pthread_once) */
static const char *risk_names[64];
static pthread_once_t risk_names_once = PTHREAD_ONCE_INIT;

static void risk_names_fill(void)
{
	for (int i = 1; i < NDPI_MAX_RISK && i < 64; i++)
		risk_names[i] = ndpi_risk2str((ndpi_risk_enum)i);
}

const char *const *wa_ndpi_risk_names(void)
{
	pthread_once(&risk_names_once, risk_names_fill);
	return risk_names;
}

bool wa_ndpi_cleartext(struct wa_ndpi *n, const struct flow *f, bool *credentials)
{
	ndpi_protocol pr;
	memset(&pr, 0, sizeof(pr));
#if NDPI_MAJOR > 4 || (NDPI_MAJOR == 4 && NDPI_MINOR >= 10)
	pr.proto.master_protocol = f->ndpi_master;
	pr.proto.app_protocol = f->ndpi_app;
#else
	pr.master_protocol = f->ndpi_master;
	pr.app_protocol = f->ndpi_app;
#endif
	*credentials = (f->ndpi_risk & ((uint64_t)1 << NDPI_CLEAR_TEXT_CREDENTIALS)) != 0;
	/* A guess from the port alone is not evidence of a cleartext session. */
	if (f->ndpi_guessed ||
	    (f->ndpi_master == NDPI_PROTOCOL_UNKNOWN && f->ndpi_app == NDPI_PROTOCOL_UNKNOWN))
		return false;
	return !ndpi_is_encrypted_proto(n->mod, pr);
}

const char *wa_ndpi_version(void)
{
	return ndpi_revision();
}
