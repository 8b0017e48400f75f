/* SPDX-License-Identifier: BSD-3-Clause */
/* test_fingerprint.c — JA3, JA3S and JA4 against every vector in
 * ../shared/refdata/fingerprints/ja4-ja3-spec-vectors.json (derived from
 * FoxIO-LLC/ja4 technical_details/JA4.md and salesforce/ja3 README.md); the
 * vectors are embedded literally below, exact expected strings. The JA4S and
 * JA4X vectors of that file are not used: those methods are not implemented
 * (FoxIO License). */
#include <stdlib.h>
#include "tap.h"
#include "fingerprint.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_ja3(void)
{
	/* vector ja3[0] */
	static const uint16_t c1[] = { 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4 };
	static const uint16_t e1[] = { 0, 10, 11 };
	static const uint16_t g1[] = { 23, 24, 25 };
	static const uint8_t pf1[] = { 0 };
	/* the same with GREASE sprinkled in: must give the same string */
	static const uint16_t c1g[] = { 0x0a0a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4 };
	static const uint16_t e1g[] = { 0xdada, 0, 10, 11, 0xfafa };
	static const uint16_t g1g[] = { 0x3a3a, 23, 24, 25 };
	/* vector ja3[1] */
	static const uint16_t c2[] = { 4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99 };
	struct fp_hello h = { 0 };
	char *s = NULL, md5[33];

	h.legacy_version = 769;
	h.ciphers = c1; h.n_ciphers = N(c1);
	h.exts = e1; h.n_exts = N(e1);
	h.groups = g1; h.n_groups = N(g1);
	h.point_formats = pf1; h.n_point_formats = N(pf1);
	is_int(fp_ja3(&h, &s, md5), 0, "ja3[0] computed");
	is_str(s, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0", "ja3[0] string");
	is_str(md5, "ada70206e40642a3e4461f35503241d5", "ja3[0] md5");
	free(s);

	h.ciphers = c1g; h.n_ciphers = N(c1g);
	h.exts = e1g; h.n_exts = N(e1g);
	h.groups = g1g; h.n_groups = N(g1g);
	is_int(fp_ja3(&h, &s, md5), 0, "ja3[0] with GREASE computed");
	is_str(s, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0", "ja3 drops GREASE");
	is_str(md5, "ada70206e40642a3e4461f35503241d5", "ja3 md5 with GREASE dropped");
	free(s);

	memset(&h, 0, sizeof(h));
	h.legacy_version = 769;
	h.ciphers = c2; h.n_ciphers = N(c2);
	is_int(fp_ja3(&h, &s, md5), 0, "ja3[1] computed");
	is_str(s, "769,4-5-10-9-100-98-3-6-19-18-99,,,", "ja3[1] string (empty fields)");
	is_str(md5, "de350869b8c85de67a350c8d186f11e6", "ja3[1] md5");
	free(s);
}

static void test_ja3s(void)
{
	/* No JA3S vector in the file: check the format against the README's
	 * definition "SSLVersion,Cipher,SSLExtension" and its MD5 computed with
	 * `printf '771,49199,65281-0-11-35-23' | md5sum`. */
	static const uint16_t e[] = { 65281, 0, 11, 35, 23 };
	char *s = NULL, md5[33];
	is_int(fp_ja3s(771, 49199, e, N(e), &s, md5), 0, "ja3s computed");
	is_str(s, "771,49199,65281-0-11-35-23", "ja3s string");
	is_str(md5, "098e26e2609212ac1bfac552fbe04127", "ja3s md5");
	free(s);
	is_int(fp_ja3s(769, 47, NULL, 0, &s, md5), 0, "ja3s without extensions");
	is_str(s, "769,47,", "ja3s empty extension field");
	free(s);
}

static const uint16_t ja4_ciphers[] = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
					0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035 };
static const uint16_t ja4_exts[] = { 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
				     0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015 };
static const uint16_t ja4_sigalgs[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601 };
static const uint16_t ja4_versions[] = { 0x0304, 0x0303 };

static void ja4_hello(struct fp_hello *h)
{
	memset(h, 0, sizeof(*h));
	h->legacy_version = 0x0303;
	h->ciphers = ja4_ciphers; h->n_ciphers = N(ja4_ciphers);
	h->exts = ja4_exts; h->n_exts = N(ja4_exts);
	h->sigalgs = ja4_sigalgs; h->n_sigalgs = N(ja4_sigalgs);
	h->versions = ja4_versions; h->n_versions = N(ja4_versions);
	h->has_versions_ext = true;
	h->has_sni = true;
	h->has_alpn = true;
	h->alpn0 = (const uint8_t *)"h2";
	h->alpn0_len = 2;
}

static void test_ja4(void)
{
	struct fp_hello h;
	char out[FP_JA4_LEN], *raw = NULL;

	ja4_hello(&h);
	is_int(fp_ja4(&h, 't', false, out, &raw), 0, "ja4 computed");
	is_str(out, "t13d1516h2_8daaf6152771_e5627efa2ab1", "ja4 (spec example)");
	is_str(raw, "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
		    "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
		    "0403,0804,0401,0503,0805,0501,0806,0601", "ja4_r (spec example)");
	free(raw);
	is_int(fp_ja4(&h, 't', true, out, &raw), 0, "ja4_o computed");
	is_str(out, "t13d1516h2_acb858a92679_18f69afefd3d", "ja4_o (spec example)");
	is_str(raw, "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_"
		    "001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_"
		    "0403,0804,0401,0503,0805,0501,0806,0601", "ja4_ro (spec example)");
	free(raw);

	/* no signature algorithms: part c hashes the extension list alone */
	h.n_sigalgs = 0;
	fp_ja4(&h, 't', false, out, NULL);
	is_str(out, "t13d1516h2_8daaf6152771_6d807ffa2a79", "ja4_c without sigalgs (spec: 6d807ffa2a79)");

	/* GREASE everywhere, including signature algorithms, is ignored */
	{
		static const uint16_t cg[] = { 0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
					       0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035 };
		static const uint16_t eg[] = { 0x8a8a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
					       0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015, 0x1a1a };
		static const uint16_t sg[] = { 0x0a0a, 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601 };
		static const uint16_t vg[] = { 0x7a7a, 0x0304, 0x0303 };
		ja4_hello(&h);
		h.ciphers = cg; h.n_ciphers = N(cg);
		h.exts = eg; h.n_exts = N(eg);
		h.sigalgs = sg; h.n_sigalgs = N(sg);
		h.versions = vg; h.n_versions = N(vg);
		fp_ja4(&h, 't', false, out, NULL);
		is_str(out, "t13d1516h2_8daaf6152771_e5627efa2ab1", "ja4 ignores GREASE (ciphers, exts, sigalgs, versions)");
	}

	/* empty lists: 000000000000 (spec empty_list_value) */
	memset(&h, 0, sizeof(h));
	h.legacy_version = 0x0303;
	fp_ja4(&h, 't', false, out, &raw);
	is_str(out, "t12i000000_000000000000_000000000000", "ja4 of an empty hello");
	is_str(raw, "t12i000000__", "ja4_r of an empty hello");
	free(raw);

	/* only SNI and ALPN: the sorted list without them is empty */
	{
		static const uint16_t e2[] = { 0x0000, 0x0010 };
		ja4_hello(&h);
		h.exts = e2; h.n_exts = N(e2);
		h.has_versions_ext = false;
		fp_ja4(&h, 'q', false, out, NULL);
		is_str(out, "q12d1502h2_8daaf6152771_000000000000", "ja4: QUIC, legacy version, only SNI+ALPN");
	}

	/* more than 99 ciphers counts as 99 */
	{
		static uint16_t many[150];
		for (unsigned i = 0; i < N(many); i++)
			many[i] = (uint16_t)(0x0100 + i);
		ja4_hello(&h);
		h.ciphers = many; h.n_ciphers = N(many);
		fp_ja4(&h, 't', false, out, NULL);
		ok(strncmp(out, "t13d9916h2_", 11) == 0, "ja4 cipher count capped at 99 (%s)", out);
	}
}

static void test_alpn(void)
{
	/* alpn_hex_rule_examples: key = hex of the first ALPN value */
	static const struct { const char *bytes; size_t len; const char *want; } v[] = {
		{ "\xab", 1, "ab" },
		{ "\x20", 1, "20" },
		{ "\xab\xcd", 2, "ad" },
		{ "\x20\x61", 2, "21" },
		{ "\x30\xab", 2, "3b" },
		{ "\x61\x20", 2, "60" },
		{ "\x30\x31\xab\xcd", 4, "3d" },
		{ "\x30\xab\xcd\x31", 4, "01" },
		/* JA4.md prose */
		{ "h2", 2, "h2" },
		{ "http/1.1", 8, "h1" },
		{ "h", 1, "hh" },  /* one character: both first and last */
	};
	char out[3];
	for (size_t i = 0; i < N(v); i++) {
		fp_ja4_alpn((const uint8_t *)v[i].bytes, v[i].len, true, out);
		is_str(out, v[i].want, "alpn rule example %zu", i);
	}
	fp_ja4_alpn(NULL, 0, false, out);
	is_str(out, "00", "no ALPN -> 00");
	fp_ja4_alpn((const uint8_t *)"", 0, true, out);
	is_str(out, "00", "empty first ALPN -> 00");
}

static void test_versions(void)
{
	static const struct { uint16_t v; const char *s; } t[] = {
		{ 0x0304, "13" }, { 0x0303, "12" }, { 0x0302, "11" }, { 0x0301, "10" }, { 0x0300, "s3" },
		{ 0x0002, "s2" }, { 0xfeff, "d1" }, { 0xfefd, "d2" }, { 0xfefc, "d3" }, { 0x1234, "00" },
	};
	char out[3];
	for (size_t i = 0; i < N(t); i++) {
		fp_ja4_version(t[i].v, out);
		is_str(out, t[i].s, "ja4 version 0x%04x", t[i].v);
	}
}

int main(void)
{
	test_ja3();
	test_ja3s();
	test_ja4();
	test_alpn();
	test_versions();
	return tap_done();
}
