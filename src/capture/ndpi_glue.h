/* SPDX-License-Identifier: BSD-3-Clause */
/* ndpi_glue.h — nDPI as an independent second opinion on every flow.
 *
 * nDPI is fed the L3 packet for the first packets of a flow only: until it
 * has classified the flow and says no extra dissection is possible, or
 * `max_pkts` packets, after which ndpi_detection_giveup() is called once and
 * nDPI's per-flow memory is freed. Written against nDPI 4.2 (Debian 12); the
 * version-dependent calls are isolated in ndpi_glue.c behind NDPI_MAJOR /
 * NDPI_MINOR checks.
 */
#ifndef WA_NDPI_GLUE_H
#define WA_NDPI_GLUE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "decode.h"
#include "flow.h"

struct wa_ndpi;

struct wa_ndpi *wa_ndpi_new(void);
void wa_ndpi_free(struct wa_ndpi *n);
void wa_ndpi_packet(struct wa_ndpi *n, struct flow *f, const struct pkt *p, uint16_t max_pkts);
/* Give up on a flow still being classified (flow end). */
void wa_ndpi_finish(struct wa_ndpi *n, struct flow *f);
/* Free nDPI's per-flow memory, if any. */
void wa_ndpi_release(struct wa_ndpi *n, struct flow *f);
void wa_ndpi_names(struct wa_ndpi *n, const struct flow *f, char *proto, size_t plen,
		   char *cat, size_t clen);
/* nDPI's name of each risk bit (ndpi_risk_enum; NULL where it has none,
 * and for bit 0, NDPI_NO_RISK): 64 entries, nDPI's static strings. The
 * store records the names of the bits it is given (store.h, flow_rec). */
const char *const *wa_ndpi_risk_names(void);
const char *wa_ndpi_version(void);
/* nDPI classified the flow as a protocol it does not consider encrypted;
 * *credentials: nDPI saw clear-text credentials (its risk flag). */
bool wa_ndpi_cleartext(struct wa_ndpi *n, const struct flow *f, bool *credentials);

#endif
