/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz.h — what the libFuzzer targets in fuzz/ share: the libFuzzer entry
 * point, an engine writing to a scratch SQLite store, and builders of raw
 * IPv4 TCP/UDP packets for the targets that synthesise traffic.
 * docs/FUZZING.md describes each target's input format. */
#ifndef WA_FUZZ_H
#define WA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "engine.h"

struct store;
struct x509_ctx;

/* libFuzzer's entry point: each target defines it; fuzz/replay-main.c
 * calls it for regression inputs in the normal build. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The process's engine over a scratch store (in /dev/shm, else $TMPDIR),
 * created on first use with nDPI on or off, and a small flow cap (64) so
 * eviction runs. Never NULL (aborts if the store cannot be made). */
struct engine *fz_engine(bool ndpi);
/* The scratch store (opened by fz_engine). */
struct store *fz_store(void);
/* The process's certificate context (system anchors, no extra ones) that
 * fz_engine's engine validates against; made on first use, freed at exit.
 * Never NULL (aborts if it cannot be made). */
struct x509_ctx *fz_x509(void);
/* End of one input: every open flow is ended and written (dissector
 * flow_end paths run); every FZ_RECYCLE inputs the store is closed, removed
 * and made anew so it cannot grow for the life of a fuzzing run. */
void fz_end_input(struct engine *e);
#define FZ_RECYCLE 500

/* Start time of every synthesised capture (2023-11-14T22:13:20Z), µs. */
#define FZ_TS0 (1700000000LL * 1000000)

/* Raw IPv4 packets (DLT_RAW) into buf (cap bytes): a TCP segment with the
 * given flags, or a UDP datagram. Addresses are 10.0.0.1 (client side,
 * from_client true) and 10.0.0.2. Returns the packet length, or 0 if it
 * does not fit in cap or in an IPv4 packet. */
size_t fz_tcp4(uint8_t *buf, size_t cap, bool from_client, uint16_t cport, uint16_t sport,
	       uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *pl, size_t len);
size_t fz_udp4(uint8_t *buf, size_t cap, bool from_client, uint16_t cport, uint16_t sport,
	       const uint8_t *pl, size_t len);
#define FZ_PKT_MAX 65535

/* Big-endian 16 bits at p (caller checked two bytes are there). */
static inline uint16_t fz_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

#endif
