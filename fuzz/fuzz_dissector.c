/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_dissector.c — libFuzzer target: one dissector at a time, fed a
 * conversation whose two directions interleave and whose segments are cut
 * where the input says.
 *
 * The conversation is synthesised as IPv4 packets into the engine (not
 * handed to parse() directly), so that the framework's probing, buffering
 * up to `needed`, caps, hand-off (STARTTLS to tls) and flow_end, the stream
 * reassembly and the obs_* calls all run as they do on real traffic; the
 * server port is the dissector's first port hint, so its probe is tried
 * first. nDPI is off (fuzz_packet covers it) to spend the time in the
 * dissectors.
 *
 * Input: the dissector's name and a NUL byte (by name, so that adding a
 * dissector never retargets a saved input; an unknown name is ignored);
 * then a flags byte: bit 0 no three-way handshake (the flow starts
 * mid-stream), bit 1 end with RST instead of FIN both ways. Then chunks:
 * a 2-byte big-endian header (bit 15: server to client; bits 0-14: length)
 * and that many bytes, one TCP segment (or UDP datagram, for a UDP-only
 * dissector) each, in order. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "decode.h"

#include <pcap/dlt.h>

#define FZ_CPORT 45678

static void fz_send(struct engine *e, int64_t *ts, uint8_t *pkt, size_t n)
{
	if (n == 0)
		return;
	*ts += 1000;
	engine_packet(e, DLT_RAW, *ts, pkt, (uint32_t)n, (uint32_t)n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine *e = fz_engine(false);
	const struct dissector *d;
	uint32_t seq[2] = { 1000, 5000000 };
	int64_t ts = FZ_TS0;
	uint16_t sport;
	bool udp;
	size_t off, n;
	uint8_t hdr[64], *pkt, flags;
	char name[32];
	const uint8_t *nul = memchr(data, 0, size < sizeof(name) ? size : sizeof(name));

	if (nul == NULL || (size_t)(nul - data) + 2 > size)
		return 0;
	memcpy(name, data, (size_t)(nul - data) + 1);
	if ((d = dissector_find(name)) == NULL)
		return 0;
	flags = nul[1];
	off = (size_t)(nul - data) + 2;
	sport = d->ports && d->ports[0] ? d->ports[0] : 999;
	udp = !(d->transport & DIS_TCP);
	if (!udp && !(flags & 1)) {
		fz_send(e, &ts, hdr, fz_tcp4(hdr, sizeof(hdr), true, FZ_CPORT, sport, seq[0]++, 0,
					     TH_SYN, NULL, 0));
		fz_send(e, &ts, hdr, fz_tcp4(hdr, sizeof(hdr), false, FZ_CPORT, sport, seq[1]++, seq[0],
					     TH_SYN | TH_ACK, NULL, 0));
		fz_send(e, &ts, hdr, fz_tcp4(hdr, sizeof(hdr), true, FZ_CPORT, sport, seq[0], seq[1],
					     TH_ACK, NULL, 0));
	}
	while (size - off >= 2) {
		uint16_t h = fz_be16(data + off);
		size_t len = h & 0x7fff;
		bool cli = !(h & 0x8000);
		off += 2;
		if (len > size - off)
			len = size - off;
		/* exactly the packet's size: a read past a datagram's end is
		 * caught by AddressSanitizer */
		pkt = malloc(len + 40);
		if (pkt == NULL)
			break;
		if (udp)
			n = fz_udp4(pkt, len + 40, cli, FZ_CPORT, sport, data + off, len);
		else
			n = fz_tcp4(pkt, len + 40, cli, FZ_CPORT, sport, seq[!cli], seq[cli],
				    TH_ACK | TH_PSH, data + off, len);
		fz_send(e, &ts, pkt, n);
		free(pkt);
		seq[!cli] += (uint32_t)len;
		off += len;
	}
	if (!udp) {
		if (flags & 2) {
			fz_send(e, &ts, hdr, fz_tcp4(hdr, sizeof(hdr), true, FZ_CPORT, sport, seq[0], seq[1],
						     TH_RST | TH_ACK, NULL, 0));
		} else {
			fz_send(e, &ts, hdr, fz_tcp4(hdr, sizeof(hdr), true, FZ_CPORT, sport, seq[0], seq[1],
						     TH_FIN | TH_ACK, NULL, 0));
			fz_send(e, &ts, hdr, fz_tcp4(hdr, sizeof(hdr), false, FZ_CPORT, sport, seq[1], seq[0] + 1,
						     TH_FIN | TH_ACK, NULL, 0));
		}
	}
	fz_end_input(e);
	return 0;
}
