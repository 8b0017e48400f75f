/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_x509.c — libFuzzer target: certificates and chains as the TLS
 * dissector hands them to src/dissect/x509.c: parsing DER to typed facts
 * (x509_cert_facts) and those to the export's object (cert_json_build), chain validation with hostname matching against the
 * system anchors (x509_validate_chain), and stapled OCSP responses
 * (x509_ocsp_parse, x509_ocsp_status).
 *
 * Input: byte 0 flags (bit 0 validate as a client certificate; bit 1 a
 * hostname follows; bit 2 the last blob is also parsed as an OCSP
 * response); bytes 1-4 the connection time, big-endian seconds after
 * 2000-01-01; if bit 1, a length byte and the hostname (NUL-free: cut at the
 * first NUL); then DER blobs, each a 2-byte big-endian length and that
 * many bytes, leaf first, at most 16 (as in a TLS Certificate message). */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "x509.h"
#include "cert_json.h"

#define FZ_MAX_CERTS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x509_ctx *xc = fz_x509();
	uint8_t *ders[FZ_MAX_CERTS];
	size_t lens[FZ_MAX_CERTS];
	char host[256], sha[65];
	static struct cert_str sans[512];
	struct x509_cert_facts *fc;
	struct cert_view cv;
	struct jbuf jb;
	bool wk = false, ws = false;
	const char *hostname = NULL;
	struct x509_verdict v;
	struct x509_ocsp oc;
	char status[16];
	int64_t when, produced;
	size_t off = 5;
	int n = 0, i;

	if (size < 5)
		return 0;
	when = (946684800LL + (int64_t)(((uint32_t)data[1] << 24) | ((uint32_t)data[2] << 16) |
					((uint32_t)data[3] << 8) | data[4])) * 1000000;
	if (data[0] & 2) {
		size_t hl;
		if (off >= size)
			return 0;
		hl = data[off++];
		if (hl > size - off)
			hl = size - off;
		memcpy(host, data + off, hl);
		host[hl] = 0;
		hostname = host;
		off += hl;
	}
	while (size - off >= 2 && n < FZ_MAX_CERTS) {
		size_t len = fz_be16(data + off);
		off += 2;
		if (len > size - off)
			len = size - off;
		/* a buffer of its own: a read past its end is caught */
		ders[n] = malloc(len ? len : 1);
		if (ders[n] == NULL)
			break;
		memcpy(ders[n], data + off, len);
		lens[n] = len;
		off += len;
		fc = x509_cert_facts(xc, ders[n], len, sha);
		cert_view_of_facts(&cv, fc, sha, sans);
		jb_init(&jb);
		cert_json_build(&jb, &cv);
		cert_chain_weakness(&cv, &wk, &ws);
		jb_free(&jb);
		free(fc);
		n++;
	}
	if (n > 0) {
		x509_validate_chain(xc, (const uint8_t *const *)ders, lens, n, when, hostname,
				    (data[0] & 1) != 0, &v);
		if (data[0] & 4) {
			x509_ocsp_parse(xc, ders[n - 1], lens[n - 1], &oc);
			x509_ocsp_status(xc, ders[n - 1], lens[n - 1], status, sizeof(status), &produced);
		}
	}
	for (i = 0; i < n; i++)
		free(ders[i]);
	return 0;
}
