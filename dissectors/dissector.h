/* SPDX-License-Identifier: BSD-3-Clause */
/* dissector.h — the contract between the stream framework and a protocol
 * dissector (after Suricata's AppLayerParser and Zeek's DeliverStream).
 *
 * A dissector is one file in dissectors/ exporting one `const struct
 * dissector`, listed once in dissectors/registry.c. The framework (src/dissect.c)
 * owns reassembly and buffering; a dissector only parses the bytes it is given
 * and states facts through the obs_* calls of src/obs.h. It never reassembles,
 * never touches the store, and keeps its per-flow state private.
 *
 * Selection. For each new flow every dissector of the right transport is a
 * candidate. When a direction has new bytes the framework calls probe() of
 * each live candidate (those whose ports[] hint matches the server port first)
 * with all bytes buffered so far in that direction. NOMATCH drops the
 * candidate for this flow, NEED_MORE keeps it, MATCH gives it the flow. After
 * PROBE_LIMIT bytes in a direction with no match the flow is left to nDPI.
 * A port hint alone never claims a flow: the bytes must match.
 *
 * Delivery. parse() gets, per direction, every in-order byte not yet consumed
 * (TCP: reassembled; UDP: one datagram per call). It returns
 *   DIS_OK          consumed bytes are dropped; call again when more arrive
 *   DIS_INCOMPLETE  consumed bytes dropped; do not call again for this
 *                   direction until `needed` bytes (counted from the first
 *                   unconsumed byte) are buffered
 *   DIS_ERROR       protocol violation: the framework records the anomaly
 *                   the dissector raised (or a generic one), calls flow_end,
 *                   and stops dissecting this flow
 *   DIS_DONE        all facts are known: flow_end is called and the flow is
 *                   bypassed (only counters are kept from now on)
 * Buffering per direction is capped (--stream-cap, default 256 KiB): when a
 * dissector asks for more than the cap, or the buffer reaches it, the framework
 * records `stream_cap` and ends the dissector as with DIS_DONE.
 * A hole that reassembly cannot fill (lost segments beyond the out-of-order
 * cap, or capture started mid-stream) ends the dissector with `stream_gap`.
 *
 * Hand-off (STARTTLS). dis_handoff(ctx, "tls") inside parse(): once parse()
 * returns, the current dissector's flow_end runs, and the bytes after
 * `consumed` in this direction, plus every unconsumed byte of the other
 * direction, go to the named dissector as if the stream began there. The
 * flow keeps the first dissector's protocol name.
 *
 * End. flow_end() is called exactly once per dissector instance that was
 * given the flow: at DONE, ERROR, hand-off, cap, gap, or when the flow closes
 * or expires (including at the end of the capture). It may emit observations.
 */
#ifndef WA_DISSECTOR_H
#define WA_DISSECTOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum dir { DIR_C2S = 0, DIR_S2C = 1 };

enum probe_res { PROBE_NOMATCH = 0, PROBE_MATCH = 1, PROBE_NEED_MORE = 2 };

enum dis_status { DIS_OK = 0, DIS_INCOMPLETE, DIS_ERROR, DIS_DONE };

struct dis_result {
	enum dis_status status;
	size_t consumed; /* bytes of this call's input the dissector is done with */
	size_t needed;   /* DIS_INCOMPLETE: bytes needed from the first unconsumed */
};

#define DIS_TCP 0x1
#define DIS_UDP 0x2

/* One anomaly a dissector can raise: code > 0, stable snake_case name.
 * Tables end with {0, NULL}. */
struct anomaly_def {
	int code;
	const char *name;
};

struct dis_ctx; /* the framework's per-flow context, opaque to dissectors */

struct dissector {
	const char *name;       /* export `protocol` value, e.g. "http" */
	unsigned transport;     /* DIS_TCP | DIS_UDP */
	const uint16_t *ports;  /* server-port hints, 0-terminated; may be NULL */
	/* Bounded, allocation-free look at the first bytes of one direction. */
	enum probe_res (*probe)(enum dir dir, const uint8_t *p, size_t len);
	size_t state_size;      /* framework calloc()s this much per flow */
	void (*state_free)(void *state); /* frees what the state points to; may be NULL */
	struct dis_result (*parse)(struct dis_ctx *ctx, void *state, enum dir dir,
				   const uint8_t *p, size_t len);
	void (*flow_end)(struct dis_ctx *ctx, void *state); /* may be NULL */
	const struct anomaly_def *anomalies;
};

/* The registry (dissectors/registry.c). */
extern const struct dissector *const dissectors[];
extern const size_t n_dissectors;
const struct dissector *dissector_find(const char *name);

/* Bytes of one direction probed without a match before giving up. */
#define PROBE_LIMIT 2048

static inline struct dis_result dis_ok(size_t consumed)
{
	struct dis_result r = { DIS_OK, consumed, 0 };
	return r;
}

static inline struct dis_result dis_incomplete(size_t consumed, size_t needed)
{
	struct dis_result r = { DIS_INCOMPLETE, consumed, needed };
	return r;
}

static inline struct dis_result dis_error(size_t consumed)
{
	struct dis_result r = { DIS_ERROR, consumed, 0 };
	return r;
}

static inline struct dis_result dis_done(size_t consumed)
{
	struct dis_result r = { DIS_DONE, consumed, 0 };
	return r;
}

#endif
