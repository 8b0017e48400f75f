/* SPDX-License-Identifier: BSD-3-Clause */
/* test_x509.c — src/dissect/x509.c against the committed fixtures in tests/data/x509
 * (made by tools/mk-x509-fixtures.sh: a fixture root and intermediate CA,
 * valid 2020-01-01..2049-12-31, and leaves of every kind). Exact JSON and
 * exact verdicts, at fixed connection times, so results do not depend on
 * the day the test runs. */
#include "tap.h"
#include "x509.h"
#include "cert_json.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static const char *srcdir;

struct der {
	uint8_t *p;
	size_t n;
};

static struct der load_pem(const char *name)
{
	char path[1024];
	struct der d = { NULL, 0 };
	FILE *f;
	X509 *x;
	unsigned char *p = NULL;
	int n;
	snprintf(path, sizeof(path), "%s/tests/data/x509/%s.pem", srcdir, name);
	if ((f = fopen(path, "r")) == NULL) {
		printf("# cannot open %s\n", path);
		return d;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL)
		return d;
	n = i2d_X509(x, &p);
	X509_free(x);
	if (n <= 0)
		return d;
	d.p = malloc((size_t)n);
	memcpy(d.p, p, (size_t)n);
	d.n = (size_t)n;
	OPENSSL_free(p);
	return d;
}

static struct der load_file(const char *name)
{
	char path[1024];
	struct der d = { NULL, 0 };
	FILE *f;
	snprintf(path, sizeof(path), "%s/tests/data/x509/%s", srcdir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return d;
	d.p = malloc(65536);
	d.n = fread(d.p, 1, 65536, f);
	fclose(f);
	return d;
}

static char *path_of(const char *name)
{
	static char bufs[4][1024];
	static int k;
	char *b = bufs[k++ % 4];
	snprintf(b, 1024, "%s/tests/data/x509/%s", srcdir, name);
	return b;
}

/* Connection times used below. */
#define T_2019 ((int64_t)1559347200 * 1000000)  /* 2019-06-01: before the PKI */
#define T_2020 ((int64_t)1590969600 * 1000000)  /* 2020-06-01 */
#define T_2030 ((int64_t)1893456000 * 1000000)  /* 2030-01-01 */
#define T_2046 ((int64_t)2398291200 * 1000000)  /* 2046-01-01 */

static struct x509_verdict V;
static struct x509_ctx *X;  /* the context under test */

/* Replace X with a context of another trust configuration (what a new run
 * with other --system-ca / --ca-file options gets). */
static bool renew(const char *system_ca, const char *extra_ca)
{
	x509_ctx_free(X);
	X = x509_ctx_new(system_ca, extra_ca);
	return X != NULL;
}

/* A configuration that must be refused; X is left alone. */
static bool refused(const char *system_ca, const char *extra_ca)
{
	struct x509_ctx *x = x509_ctx_new(system_ca, extra_ca);
	x509_ctx_free(x);
	return x == NULL;
}

/* The export's certificate object from x509_cert_facts, as the store's
 * export builds it from the columns those facts are written to: the facts
 * and cert_json.c checked together. NULL when the bytes are not a
 * certificate, as x509_cert_facts. */
static char *cert_json_of(struct x509_ctx *xc, const uint8_t *der, size_t len, char h[65])
{
	struct x509_cert_facts *f = x509_cert_facts(xc, der, len, h);
	static struct cert_str sans[512];
	struct cert_view v;
	struct jbuf jb;
	if (f == NULL)
		return NULL;
	cert_view_of_facts(&v, f, h, sans);
	jb_init(&jb);
	cert_json_build(&jb, &v);
	free(f);
	return jb_take(&jb);
}

/* The chain's weak_key / weak_signature as the export states them. */
static void chain_weak(const struct der *c, int n, bool *wk, bool *ws)
{
	static struct cert_str sans[512];
	char h[65];
	*wk = *ws = false;
	for (int i = 0; i < n; i++) {
		struct x509_cert_facts *f = x509_cert_facts(NULL, c[i].p, c[i].n, h);
		struct cert_view v;
		cert_view_of_facts(&v, f, h, sans);
		cert_chain_weakness(&v, wk, ws);
		free(f);
	}
}

static void validate(const struct der *chain, int n, int64_t when, const char *host, bool client)
{
	const uint8_t *ders[8];
	size_t lens[8];
	for (int i = 0; i < n; i++) {
		ders[i] = chain[i].p;
		lens[i] = chain[i].n;
	}
	x509_validate_chain(X, ders, lens, n, when, host, client, &V);
}

#define verdict(trusted_, error_, host_, what) do { \
	is_int(V.trusted, trusted_, "%s: trusted", what); \
	is_str(V.error, error_, "%s: error", what); \
	is_int(V.hostname_match, host_, "%s: hostname_match", what); \
} while (0)

static int has(const char *json, const char *frag)
{
	return json && strstr(json, frag) != NULL;
}

#define has_field(json, frag, what) do { \
	if (!ok(has(json, frag), "%s: %s", what, frag)) printf("#   in %s\n", json ? json : "(null)"); \
} while (0)

static void test_json(void)
{
	struct der leaf = load_pem("leaf"), ec = load_pem("ec256"), ed = load_pem("ed25519");
	struct der rsa1024 = load_pem("rsa1024"), sha1 = load_pem("sha1"), utf8 = load_pem("utf8");
	struct der root = load_pem("root"), inter = load_pem("inter"), ss = load_pem("selfsigned");
	char h[65], *j;

	j = cert_json_of(X, leaf.p, leaf.n, h);
	is_str(h, "80d25e94b8dbf1beda67cc467e7afd18874f7077cc244d344a6a0a9fdc455dd0", "leaf sha256 out-param");
	is_str(j, "{\"sha256\":\"80d25e94b8dbf1beda67cc467e7afd18874f7077cc244d344a6a0a9fdc455dd0\","
		  "\"sha1\":\"2eb0b165bb5b1982f07a2e379749bc57a04474b8\",\"version\":3,"
		  "\"serial\":\"00c0ffee01\","
		  "\"subject\":\"CN=server.wireaudit.test,O=wireaudit fixtures\","
		  "\"subject_cn\":\"server.wireaudit.test\","
		  "\"issuer\":\"CN=wireaudit Fixture Intermediate CA,O=wireaudit fixtures\","
		  "\"sans\":[\"server.wireaudit.test\",\"*.wild.wireaudit.test\",\"192.0.2.10\",\"2001:db8::10\"],"
		  "\"not_before\":\"2020-01-01T00:00:00Z\",\"not_after\":\"2049-12-31T23:59:59Z\","
		  "\"key_type\":\"RSA\",\"key_bits\":2048,\"curve\":null,"
		  "\"sig_alg\":\"sha256WithRSAEncryption\",\"sig_alg_oid\":\"1.2.840.113549.1.1.11\","
		  "\"sig_hash\":\"sha256\",\"self_signed\":false,\"is_ca\":false,\"path_len\":null,"
		  "\"weak_key\":false,\"weak_signature\":false}", "leaf JSON, every field");
	free(j);
	/* second call: from the cache, same text */
	j = cert_json_of(X, leaf.p, leaf.n, h);
	has_field(j, "\"serial\":\"00c0ffee01\"", "leaf from cache");
	free(j);

	j = cert_json_of(X, ec.p, ec.n, h);
	has_field(j, "\"sha256\":\"d47af747c4f21a03f05ff044962ddf0d761d66c9116dd792bcde5e83c44cad73\"", "ec256");
	has_field(j, "\"key_type\":\"EC\",\"key_bits\":256,\"curve\":\"P-256\"", "ec256");
	has_field(j, "\"serial\":\"2006\"", "ec256");
	free(j);

	j = cert_json_of(X, ed.p, ed.n, h);
	has_field(j, "\"key_type\":\"Ed25519\",\"key_bits\":256,\"curve\":null", "ed25519");
	free(j);

	j = cert_json_of(X, rsa1024.p, rsa1024.n, h);
	has_field(j, "\"key_type\":\"RSA\",\"key_bits\":1024,", "rsa1024");
	has_field(j, "\"weak_key\":true,\"weak_signature\":false", "rsa1024");
	free(j);

	j = cert_json_of(X, sha1.p, sha1.n, h);
	has_field(j, "\"sig_alg\":\"sha1WithRSAEncryption\",\"sig_alg_oid\":\"1.2.840.113549.1.1.5\",\"sig_hash\":\"sha1\"", "sha1");
	has_field(j, "\"weak_key\":false,\"weak_signature\":true", "sha1");
	free(j);

	/* RFC 4514 escaping of " and , with UTF-8 kept; then JSON escaping */
	j = cert_json_of(X, utf8.p, utf8.n, h);
	has_field(j, "\"subject\":\"CN=server.wireaudit.test,O=M\xc3\xbcller \\\\\\\"Quoted\\\\\\\"\\\\, Inc.\"", "utf8 subject");
	has_field(j, "\"key_type\":\"EC\",\"key_bits\":384,\"curve\":\"P-384\"", "utf8 (P-384)");
	free(j);

	j = cert_json_of(X, root.p, root.n, h);
	has_field(j, "\"subject\":\"CN=wireaudit Fixture Root CA,O=wireaudit fixtures\"", "root");
	has_field(j, "\"issuer\":\"CN=wireaudit Fixture Root CA,O=wireaudit fixtures\"", "root");
	has_field(j, "\"sans\":[]", "root");
	has_field(j, "\"self_signed\":true,\"is_ca\":true,\"path_len\":null", "root");
	has_field(j, "\"serial\":\"1000\"", "root");
	free(j);

	j = cert_json_of(X, inter.p, inter.n, h);
	has_field(j, "\"self_signed\":false,\"is_ca\":true,\"path_len\":0", "intermediate");
	free(j);

	j = cert_json_of(X, ss.p, ss.n, h);
	has_field(j, "\"self_signed\":true,\"is_ca\":false", "self-signed leaf");
	free(j);

	/* not certificates: NULL, with the hash of the bytes all the same */
	j = cert_json_of(X, leaf.p, leaf.n - 1, h);
	ok(j == NULL, "truncated DER is not a certificate");
	ok(strlen(h) == 64 && strcmp(h, "80d25e94b8dbf1beda67cc467e7afd18874f7077cc244d344a6a0a9fdc455dd0") != 0,
	   "sha256 of the truncated bytes still given");
	{
		uint8_t *p = malloc(leaf.n + 1);
		memcpy(p, leaf.p, leaf.n);
		p[leaf.n] = 0;
		j = cert_json_of(X, p, leaf.n + 1, h);
		ok(j == NULL, "trailing byte after the certificate: refused");
		free(p);
	}
	j = cert_json_of(X, (const uint8_t *)"", 0, h);
	ok(j == NULL, "empty input");
	is_str(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of nothing");
	j = cert_json_of(X, (const uint8_t *)"\x30\x84\xff\xff\xff\xff", 6, h);
	ok(j == NULL, "4 GiB length on 6 bytes");

	free(leaf.p); free(ec.p); free(ed.p); free(rsa1024.p); free(sha1.p); free(utf8.p);
	free(root.p); free(inter.p); free(ss.p);
}

static void test_trust(void)
{
	struct der leaf = load_pem("leaf"), inter = load_pem("inter"), root = load_pem("root");
	struct der expired = load_pem("expired"), notyet = load_pem("notyet");
	struct der wrong = load_pem("wronghost"), ss = load_pem("selfsigned");
	struct der rsa1024 = load_pem("rsa1024"), sha1 = load_pem("sha1"), ec = load_pem("ec256");
	struct der ed = load_pem("ed25519"), client = load_pem("client"), notca = load_pem("notca");
	struct der c[4];
	bool wk, ws;
	struct x509_cache_stats st0, st1;

	/* the system store (Debian ca-certificates) knows nothing of the fixture CA */
	ok(renew(NULL, NULL), "init with the system store");
	c[0] = leaf; c[1] = inter;
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(0, "unknown_issuer", 1, "system store only");
	is_int(V.error_depth, 1, "the intermediate's issuer is unknown");
	ok(!V.trusted_by_extra, "not trusted by extra");

	/* with --ca-file root.pem it validates, thanks to the extra anchor */
	ok(renew(NULL, path_of("root.pem")), "init with --ca-file");
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(1, "", 1, "system + extra");
	ok(V.trusted_by_extra, "trusted_by_extra");
	is_int(V.error_depth, -1, "no error depth");
	chain_weak(c, 2, &wk, &ws);
	ok(!wk && !ws && !V.leaf_self_signed, "no weak facts");

	/* the fixture root as the "system" store: trusted, not by extra */
	ok(renew(path_of("root.pem"), NULL), "init with --system-ca FILE");
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(1, "", 1, "fixture root as the system store");
	ok(!V.trusted_by_extra, "trusted by the system store, not extra");
	ok(renew(path_of("root.pem"), path_of("root.pem")), "the same root as system and extra");
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(1, "", 1, "root in both stores");
	ok(!V.trusted_by_extra, "an extra anchor the system has too: not trusted_by_extra");
	ok(renew("none", path_of("root.pem")), "init with --system-ca none");
	validate(c, 2, T_2030, NULL, false);
	verdict(1, "", -1, "no system anchors, extra root");
	ok(V.trusted_by_extra, "trusted_by_extra with no system anchors");
	ok(refused("/nonexistent/ca.pem", NULL), "missing --system-ca refused");
	ok(refused(NULL, "/nonexistent/ca.pem"), "missing --ca-file refused");
	ok(refused(NULL, path_of("ocsp-good.der")), "a --ca-file without PEM certificates refused");
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(1, "", 1, "a refused configuration leaves the context in use alone");

	ok(renew(NULL, path_of("root.pem")), "init again");

	/* hostname matching (RFC 6125 via X509_check_host / X509_check_ip_asc) */
	validate(c, 2, T_2030, "SERVER.wireaudit.TEST", false);
	is_int(V.hostname_match, 1, "host match is case-insensitive");
	validate(c, 2, T_2030, "a.wild.wireaudit.test", false);
	is_int(V.hostname_match, 1, "wildcard SAN matches one label");
	validate(c, 2, T_2030, "a.b.wild.wireaudit.test", false);
	is_int(V.hostname_match, 0, "wildcard does not match two labels");
	validate(c, 2, T_2030, "wild.wireaudit.test", false);
	is_int(V.hostname_match, 0, "wildcard does not match the bare parent");
	validate(c, 2, T_2030, "192.0.2.10", false);
	is_int(V.hostname_match, 1, "IPv4 SAN");
	validate(c, 2, T_2030, "192.0.2.11", false);
	is_int(V.hostname_match, 0, "other IPv4");
	validate(c, 2, T_2030, "2001:db8::10", false);
	is_int(V.hostname_match, 1, "IPv6 SAN");
	validate(c, 2, T_2030, "other.wireaudit.test", false);
	is_int(V.hostname_match, 0, "other name");
	validate(c, 2, T_2030, "", false);
	is_int(V.hostname_match, -1, "empty SNI: not evaluated");
	is_int(V.trusted, 1, "empty SNI: chain still validated");

	/* the leaf alone: the intermediate is missing */
	validate(c, 1, T_2030, "server.wireaudit.test", false);
	verdict(0, "unknown_issuer", 1, "leaf without its intermediate");
	is_int(V.error_depth, 0, "error at the leaf");

	/* root sent along: fine with the anchor, self_signed_in_chain without */
	c[2] = root;
	validate(c, 3, T_2030, "server.wireaudit.test", false);
	verdict(1, "", 1, "leaf, intermediate and root sent");
	ok(renew(NULL, NULL), "init without extra");
	validate(c, 3, T_2030, "server.wireaudit.test", false);
	verdict(0, "self_signed_in_chain", 1, "root sent, not an anchor");
	is_int(V.error_depth, 2, "at the root");
	ok(renew(NULL, path_of("root.pem")), "init again");

	/* time: the connection's time, not now; the cache must not leak a
	 * verdict across the expiry instant */
	x509_cache_stats(X, &st0);
	c[0] = expired;
	validate(c, 2, T_2020, "server.wireaudit.test", false);
	verdict(1, "", 1, "expired today, valid at the connection time (2020-06)");
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(0, "expired", 1, "expired at the connection time (2030)");
	is_int(V.error_depth, 0, "expired leaf");
	validate(c, 2, T_2020 + 3600 * (int64_t)1000000, "server.wireaudit.test", false);
	verdict(1, "", 1, "valid again an hour after 2020-06-01 (cached)");
	validate(c, 2, (int64_t)1609459200 * 1000000, "server.wireaudit.test", false);
	verdict(1, "", 1, "at not_after exactly: still valid");
	validate(c, 2, (int64_t)1609459201 * 1000000, "server.wireaudit.test", false);
	verdict(0, "expired", 1, "one second after not_after");
	x509_cache_stats(X, &st1);
	is_int(st1.verdict_hits - st0.verdict_hits, 1, "one verdict cache hit");
	is_int(st1.verdict_misses - st0.verdict_misses, 4, "four verdict cache misses");

	c[0] = notyet;
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(0, "not_yet_valid", 1, "not yet valid in 2030");
	validate(c, 2, T_2046, "server.wireaudit.test", false);
	verdict(1, "", 1, "valid in 2046");
	c[0] = leaf;
	validate(c, 2, T_2019, "server.wireaudit.test", false);
	verdict(0, "not_yet_valid", 1, "2019: the whole PKI not yet valid");

	c[0] = wrong;
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(1, "", 0, "wrong host: trusted chain, name mismatch");

	c[0] = ss;
	validate(c, 1, T_2030, "server.wireaudit.test", false);
	verdict(0, "self_signed", 1, "self-signed leaf");
	ok(V.leaf_self_signed, "leaf_self_signed");
	ok(renew(NULL, path_of("selfsigned.pem")), "self-signed leaf as an extra anchor");
	validate(c, 1, T_2030, "server.wireaudit.test", false);
	verdict(1, "", 1, "pinned self-signed leaf");
	ok(V.trusted_by_extra && V.leaf_self_signed, "trusted by extra, still self-signed");
	ok(renew(NULL, path_of("root.pem")), "init again");

	c[0] = rsa1024;
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(1, "", 1, "RSA-1024 leaf validates");
	chain_weak(c, 2, &wk, &ws);
	ok(wk && !ws, "RSA-1024: weak_key");
	c[0] = sha1;
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(1, "", 1, "SHA-1-signed leaf validates");
	chain_weak(c, 2, &wk, &ws);
	ok(!wk && ws, "SHA-1: weak_signature");
	c[0] = ec;
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(1, "", 1, "EC P-256 leaf");
	chain_weak(c, 2, &wk, &ws);
	ok(!wk && !ws, "P-256: not weak");
	c[0] = ed;
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(1, "", 1, "Ed25519 leaf");

	/* purposes: the client certificate (clientAuth) */
	c[0] = client;
	validate(c, 2, T_2030, NULL, true);
	verdict(1, "", -1, "client certificate as a client");
	validate(c, 2, T_2030, NULL, false);
	verdict(0, "invalid_purpose", -1, "client certificate as a server");
	c[0] = leaf;
	validate(c, 2, T_2030, NULL, true);
	verdict(0, "invalid_purpose", -1, "server certificate as a client");

	/* a leaf issued by a leaf */
	c[0] = notca; c[1] = leaf; c[2] = inter;
	validate(c, 3, T_2030, "server.wireaudit.test", false);
	verdict(0, "invalid_ca", 1, "issued by a non-CA");
	is_int(V.error_depth, 1, "at the non-CA issuer");

	/* bytes that are not a certificate */
	c[0] = leaf; c[1] = inter;
	c[1].n -= 10;
	validate(c, 2, T_2030, "server.wireaudit.test", false);
	verdict(0, "malformed", -1, "truncated intermediate");
	is_int(V.error_depth, 1, "malformed at depth 1");
	validate(c, 0, T_2030, "server.wireaudit.test", false);
	verdict(-1, "", -1, "empty chain: not evaluated");

	free(leaf.p); free(inter.p); free(root.p); free(expired.p); free(notyet.p); free(wrong.p);
	free(ss.p); free(rsa1024.p); free(sha1.p); free(ec.p); free(ed.p); free(client.p); free(notca.p);
}

static void test_ocsp(void)
{
	struct der good = load_file("ocsp-good.der"), rev = load_file("ocsp-revoked.der");
	struct der unk = load_file("ocsp-unknown.der");
	struct x509_ocsp o;
	char status[16], ts[TSSTR_MAX];
	int64_t pat = -1;

	is_int(x509_ocsp_status(X, good.p, good.n, status, sizeof(status), &pat), 0, "good parses");
	is_str(status, "good", "good");
	ts_to_rfc3339(pat, ts, sizeof(ts));
	is_str(ts, "2026-11-27T07:24:37.000000Z", "good: produced_at");
	is_int(x509_ocsp_parse(X, good.p, good.n, &o), 0, "good: full parse");
	is_str(o.serial, "00c0ffee01", "good: the leaf's serial");
	is_int(o.count, 1, "one SingleResponse");
	is_int(o.revocation_reason, -1, "no reason");
	ok(o.next_update > o.this_update && o.this_update > 0, "this/next update present");

	is_int(x509_ocsp_parse(X, rev.p, rev.n, &o), 0, "revoked parses");
	is_str(o.status, "revoked", "revoked");
	is_str(o.serial, "2003", "revoked: the wrong-host leaf");
	is_int(o.revocation_reason, 1, "keyCompromise");
	ok(o.revoked_at > 0, "revocation time present");

	is_int(x509_ocsp_status(X, unk.p, unk.n, status, sizeof(status), &pat), 0, "unknown parses");
	is_str(status, "unknown", "unknown");

	/* an OCSPResponse with status tryLater (3) and no body */
	is_int(x509_ocsp_status(X, (const uint8_t *)"\x30\x03\x0a\x01\x03", 5, status, sizeof(status), &pat), 0,
	       "tryLater parses");
	is_str(status, "unsuccessful", "tryLater: unsuccessful");
	is_int(pat, 0, "no produced_at");

	is_int(x509_ocsp_status(X, good.p, good.n - 1, status, sizeof(status), &pat), -1, "truncated: -1");
	is_str(status, "malformed", "truncated: malformed");
	is_int(x509_ocsp_status(X, (const uint8_t *)"junk", 4, status, sizeof(status), &pat), -1, "junk: -1");
	is_int(x509_ocsp_status(X, NULL, 0, status, sizeof(status), &pat), -1, "empty: -1");

	/* the cache: the same response again is a hit with the same answer;
	 * a truncated one misses, and a malformed answer is cached too */
	{
		struct x509_cache_stats a, b;
		struct x509_ocsp o2;
		x509_cache_stats(X, &a);
		is_int(x509_ocsp_parse(X, rev.p, rev.n, &o2), 0, "revoked again (cached)");
		is_str(o2.status, "revoked", "cached: revoked");
		is_str(o2.serial, "2003", "cached: serial");
		is_int(o2.revocation_reason, 1, "cached: reason");
		is_int(x509_ocsp_status(X, good.p, good.n - 1, status, sizeof(status), &pat), -1,
		       "truncated again: -1");
		is_str(status, "malformed", "truncated again: malformed");
		x509_cache_stats(X, &b);
		is_int((int)(b.ocsp_hits - a.ocsp_hits), 2, "two OCSP cache hits");
		is_int((int)(b.ocsp_misses - a.ocsp_misses), 0, "no OCSP cache miss");
	}
	free(good.p); free(rev.p); free(unk.p);
}

int main(void)
{
	srcdir = getenv("SRCDIR");
	if (srcdir == NULL)
		srcdir = ".";
	X = x509_ctx_new(NULL, NULL);
	test_json();
	test_trust();
	test_ocsp();
	x509_ctx_free(X);
	return tap_done();
}
