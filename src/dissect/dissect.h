/* SPDX-License-Identifier: BSD-3-Clause */
/* dissect.h — the stream framework between the flow table and dissectors:
 * probing, buffered delivery, hand-off, and the per-flow observations that
 * obs.h fills. Internal to the engine; dissectors see only obs.h. */
#ifndef WA_DISSECT_H
#define WA_DISSECT_H

#include <stdint.h>
#include <stdbool.h>

#include "dissector.h"
#include "obs.h"
#include "flow.h"
#include "dis_env.h"
#include "obs_clear.h"

/* A certificate a flow presented. der and json point into an entry shared
 * by every live flow that presented the same certificate (a popular
 * server's chain is held once, not once per connection). */
struct obs_cert_rec {
	int side, idx;
	char sha256[65];
	const uint8_t *der;
	size_t der_len;
	const struct x509_cert_facts *facts; /* NULL: does not parse */
	struct dis_cert *shared;
};

struct obs_anom {
	const char *dissector;
	int code;
	const char *name;
	char detail[160];
};

#define DIS_MAX_ANOMALIES 16
#define DIS_MAX_CERTS 16

struct dis_ctx {
	struct flow *flow;
	const struct dis_env *env;
	uint64_t cand;                 /* live candidates, bit i = dissectors[i] */
	const struct dissector *cur;   /* the dissector that claimed the flow */
	void *state;
	const struct dissector *handoff;
	bool finished;                 /* no more dissection for this flow */
	uint8_t probe_dgrams;          /* UDP datagrams probed without a match */
	uint32_t needed[2];
	int64_t first_data_ts[2];
	/* observations */
	const char *protocol;
	enum sec_state security;
	bool has_clear;
	bool credentials;
	int8_t tls_offered, tls_requested; /* -1 unknown */
	char auth_mech[48];
	char user[OBS_STR_MAX + 1];
	bool has_user;
	struct obs_detail *details;
	uint16_t ndetails, details_dropped;
	struct tls_facts *tls;         /* obs_tls_begin(), or NULL */
	/* allocated on first use: most flows have no certificate and no
	 * anomaly, and a context is allocated per flow */
	struct obs_cert_rec *certs;    /* DIS_MAX_CERTS entries */
	uint16_t ncerts, certs_dropped;
	struct obs_anom *anoms;        /* DIS_MAX_ANOMALIES entries */
	uint16_t nanoms, anoms_dropped;
	uint16_t details_cap;
	int8_t cur_idx;                /* index of cur in the registry, -1 none */
	/* obs_anomaly_scope(): a nested parser's name and table, or NULL */
	const char *anom_scope_name;
	const struct anomaly_def *anom_scope_tab;
};

/* Framework anomalies (dissector name "stream"). */
enum {
	STREAM_ANOM_GAP = 1,
	STREAM_ANOM_CAP,
	STREAM_ANOM_OVERLAP_MISMATCH,
	STREAM_ANOM_PARSE_ERROR,
	STREAM_ANOM_HANDOFF_UNKNOWN,
	STREAM_ANOM_MIDSTREAM,
};

/* A context for flow f, or NULL (no memory). env must outlive it. */
struct dis_ctx *dis_new(const struct dis_env *env, struct flow *f);
/* New in-order bytes in direction d (TCP) are in f->st[d]. */
void dis_stream_data(struct dis_ctx *c, int d);
/* A UDP datagram in direction d. */
void dis_datagram(struct dis_ctx *c, int d, const uint8_t *p, uint32_t len);
/* Stream trouble seen by the engine (gap, cap): ends the dissector. */
void dis_stream_trouble(struct dis_ctx *c, int code, int d);
/* End of flow: runs flow_end of a live dissector, frees its state. The
 * observations stay until dis_free. */
void dis_finish(struct dis_ctx *c);
void dis_free(struct dis_ctx *c);
/* A copy of c's observations (protocol, security, cleartext facts and
 * details, TLS facts, certificates by reference, anomalies) in a finished
 * context of the same pools, with no flow and no dissector: what a
 * checkpoint snapshot hands to the store writer while c goes on (swq.h).
 * dis_free it on the pools' thread. NULL when out of memory. */
struct dis_ctx *dis_snapshot(const struct dis_ctx *c);
/* Free a context's observations (details, certificates, anomalies, TLS
 * object) but not the context: for callers that made the context
 * themselves, such as the dissector unit tests. */
void dis_obs_free(struct dis_ctx *c);
/* The dissection state an engine owns besides its flows: the free lists
 * of contexts, dissector states and certificate records, and the table of
 * certificates shared between the engine's flows (struct dis_env's pools).
 * dis_pools_new returns NULL when out of memory. dis_pools_free releases the free lists and the table
 * (NULL is ignored); free every context made with it first (dis_free). */
struct dis_pools *dis_pools_new(void);
void dis_pools_free(struct dis_pools *pools);

/* The context's cleartext facts into *out (pointers into c); false when it
 * has none. */
bool dis_cleartext(const struct dis_ctx *c, struct obs_clear *out);

void dis_anomaly_raw(struct dis_ctx *c, const char *dissector, int code, const char *name,
		     const char *detail);

#endif
