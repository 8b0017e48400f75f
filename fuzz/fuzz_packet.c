/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_packet.c — libFuzzer target: the whole packet path from raw
 * link-layer bytes (decode, flow table, reassembly, every dissector, nDPI,
 * the store), several packets per input so flows build up.
 *
 * Input: byte 0 picks the link type (low 3 bits: Ethernet, raw IP, Linux
 * SLL, BSD null, SLL2, IPv4, IPv6, BSD loop); then packets, each a 2-byte
 * big-endian header (bit 15: advance the clock by 400 s first, which passes
 * every idle timeout; bits 0-14: length) and that many bytes (fewer if the
 * input ends). Packets are 1 ms apart. At the end every flow is ended and
 * written, so each dissector's flow_end runs. Each packet is copied to a
 * buffer of its own size so that AddressSanitizer sees a read past its end
 * (in the input it would land in the next packet). */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <pcap/dlt.h>

static const int fz_dlts[8] = {
	DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL, DLT_NULL,
	DLT_LINUX_SLL2, DLT_IPV4, DLT_IPV6, DLT_LOOP,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine *e = fz_engine(true);
	int64_t ts = FZ_TS0;
	size_t off = 1;
	int dlt;
	uint8_t *pkt;

	if (size < 1)
		return 0;
	dlt = fz_dlts[data[0] & 7];
	while (size - off >= 2) {
		uint16_t h = fz_be16(data + off);
		size_t len = h & 0x7fff;
		off += 2;
		if (len > size - off)
			len = size - off;
		if (h & 0x8000)
			ts += 400LL * 1000000;
		ts += 1000;
		pkt = malloc(len ? len : 1);
		if (pkt == NULL)
			break;
		memcpy(pkt, data + off, len);
		engine_packet(e, dlt, ts, pkt, (uint32_t)len, (uint32_t)len);
		free(pkt);
		off += len;
	}
	fz_end_input(e);
	return 0;
}
