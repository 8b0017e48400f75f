/* SPDX-License-Identifier: BSD-3-Clause */
/* floor.c — the benchmark floor: the least a libpcap reader can do. Reads
 * every packet of a capture and touches its Ethernet and IP headers (sums
 * the EtherType and IP protocol bytes so the compiler cannot drop the
 * reads). wireaudit's speed is reported as a ratio to this.
 *
 * The file is read through a 1 MB stdio buffer, as wireaudit reads it
 * (capture.c, open_input): with stdio's default 4 KB the floor itself
 * would pay one read(2) per 4 KB, and the ratio would flatter wireaudit. */
#include <stdio.h>
#include <stdint.h>
#include <pcap/pcap.h>

struct acc {
	uint64_t pkts, bytes, sum;
};

static void on_pkt(u_char *u, const struct pcap_pkthdr *h, const u_char *d)
{
	struct acc *a = (struct acc *)u;
	a->pkts++;
	a->bytes += h->len;
	if (h->caplen >= 34)
		a->sum += (uint64_t)((d[12] << 8) | d[13]) + d[23] + d[14];
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct acc a = { 0, 0, 0 };
	pcap_t *p;
	if (argc != 2) {
		fprintf(stderr, "usage: floor FILE\n");
		return 2;
	}
	FILE *fp = fopen(argv[1], "rb");
	if (fp == NULL) {
		perror(argv[1]);
		return 1;
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	p = pcap_fopen_offline(fp, err);
	if (p == NULL) {
		fprintf(stderr, "floor: %s\n", err);
		return 1;
	}
	pcap_loop(p, -1, on_pkt, (u_char *)&a);
	pcap_close(p);
	printf("%llu packets %llu bytes (checksum %llu)\n", (unsigned long long)a.pkts,
	       (unsigned long long)a.bytes, (unsigned long long)a.sum);
	return 0;
}
