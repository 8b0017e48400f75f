/* SPDX-License-Identifier: BSD-3-Clause */
/* test_tls.c — the TLS dissector on hand-built records (RFC 8446 §4.1.2,
 * §5.1; RFC 5246 §7.4; RFC 6101 App. E): messages split across records and
 * segments, several messages per record, truncated and oversized lengths,
 * zero-length lists, caps on ciphers and extensions, SSLv2 hello, alerts,
 * and probing. Drives dissector_tls through a minimal copy of the
 * framework's delivery loop (consumed / needed), so it runs under ASan. */
#include <stdlib.h>
#include <netinet/in.h>
#include "tap.h"
#include "dissect.h"
#include "tls_facts.h"
#include "tls_json.h"
#include "x509.h"

extern const struct dissector dissector_tls;

/* ---- a byte builder ---- */
struct bb {
	uint8_t *p;
	size_t len, cap;
};

static void bb_put(struct bb *b, const void *s, size_t n)
{
	if (n == 0)
		return;
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}
static void bb_u8(struct bb *b, unsigned v) { uint8_t x = (uint8_t)v; bb_put(b, &x, 1); }
static void bb_u16(struct bb *b, unsigned v) { bb_u8(b, v >> 8); bb_u8(b, v); }
static void bb_u24(struct bb *b, unsigned v) { bb_u8(b, v >> 16); bb_u16(b, v & 0xffff); }
static void bb_zero(struct bb *b, size_t n) { while (n--) bb_u8(b, 0); }
static void bb_free(struct bb *b) { free(b->p); memset(b, 0, sizeof(*b)); }

static void ext(struct bb *b, unsigned type, const struct bb *data)
{
	bb_u16(b, type);
	bb_u16(b, (unsigned)data->len);
	bb_put(b, data->p, data->len);
}

/* A ClientHello body: TLS 1.3 style, with GREASE, SNI, ALPN h2+http/1.1,
 * groups incl. X25519MLKEM768, sigalgs, versions, key_share, status_request
 * and ECH (outer). */
static void client_hello_body(struct bb *m)
{
	struct bb e = { 0 }, x = { 0 };
	static const unsigned ciphers[] = { 0x0a0a, 0x1301, 0x1302, 0xc02f, 0x00ff };
	bb_u16(m, 0x0303);
	bb_zero(m, 32);
	bb_u8(m, 32);
	bb_zero(m, 32);
	bb_u16(m, sizeof(ciphers) / sizeof(ciphers[0]) * 2);
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		bb_u16(m, ciphers[i]);
	bb_u8(m, 1);
	bb_u8(m, 0);
	/* extensions */
	bb_u16(&e, 0x1a1a); bb_u16(&e, 0);                          /* GREASE */
	bb_u16(&x, 14); bb_u8(&x, 0); bb_u16(&x, 11); bb_put(&x, "example.com", 11);
	ext(&e, 0x0000, &x); bb_free(&x);
	bb_u16(&x, 12); bb_u8(&x, 2); bb_put(&x, "h2", 2); bb_u8(&x, 8); bb_put(&x, "http/1.1", 8);
	ext(&e, 0x0010, &x); bb_free(&x);
	bb_u16(&x, 8); bb_u16(&x, 0x2a2a); bb_u16(&x, 0x11ec); bb_u16(&x, 0x001d); bb_u16(&x, 0x0017);
	ext(&e, 0x000a, &x); bb_free(&x);
	bb_u16(&x, 4); bb_u16(&x, 0x0403); bb_u16(&x, 0x0804);
	ext(&e, 0x000d, &x); bb_free(&x);
	bb_u8(&x, 4); bb_u16(&x, 0x0304); bb_u16(&x, 0x0303);
	ext(&e, 0x002b, &x); bb_free(&x);
	bb_u16(&x, 5); bb_u16(&x, 0x001d); bb_u16(&x, 1); bb_u8(&x, 0x42);
	ext(&e, 0x0033, &x); bb_free(&x);
	bb_u8(&x, 1); bb_u16(&x, 0); bb_u16(&x, 0);
	ext(&e, 0x0005, &x); bb_free(&x);
	bb_u8(&x, 0); bb_u16(&x, 0x0001); bb_u16(&x, 0x0001); bb_u8(&x, 7);
	ext(&e, 0xfe0d, &x); bb_free(&x);
	bb_u16(m, (unsigned)e.len);
	bb_put(m, e.p, e.len);
	bb_free(&e);
}

static void hs_msg(struct bb *out, unsigned type, const struct bb *body)
{
	bb_u8(out, type);
	bb_u24(out, (unsigned)body->len);
	bb_put(out, body->p, body->len);
}

/* Wrap handshake bytes in records of at most frag bytes each. */
static void records(struct bb *out, unsigned type, const struct bb *data, size_t frag)
{
	size_t off = 0;
	while (off < data->len) {
		size_t n = data->len - off < frag ? data->len - off : frag;
		bb_u8(out, type);
		bb_u16(out, 0x0301);
		bb_u16(out, (unsigned)n);
		bb_put(out, data->p + off, n);
		off += n;
	}
}

static void server_hello_body(struct bb *m, unsigned version, unsigned cipher, bool v13)
{
	struct bb e = { 0 }, x = { 0 };
	bb_u16(m, version);
	bb_zero(m, 32);
	bb_u8(m, 0);
	bb_u16(m, cipher);
	bb_u8(m, 0);
	if (v13) {
		bb_u16(&x, 0x0304);
		ext(&e, 0x002b, &x); bb_free(&x);
		bb_u16(&x, 0x001d); bb_u16(&x, 1); bb_u8(&x, 1);
		ext(&e, 0x0033, &x); bb_free(&x);
	} else {
		ext(&e, 0xff01, &(struct bb){ (uint8_t *)"\0", 1, 1 });
	}
	bb_u16(m, (unsigned)e.len);
	bb_put(m, e.p, e.len);
	bb_free(&e);
}

/* ---- a miniature of src/dissect/dissect.c's delivery loop ---- */
struct run {
	int64_t now;
	struct dis_stats stats;
	struct dis_env env;
	struct flow flow;
	struct dis_ctx *ctx;
	void *state;
	struct bb buf[2];
	size_t needed[2];
	bool stopped;
	enum dis_status last;
	char *json;      /* run_end(): the export's tls object */
};

static void run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->now = 1700000000000000LL;
	r->env.now = &r->now;
	r->env.stream_cap = 256 * 1024;
	r->env.stats = &r->stats;
	/* what engine_init gives the dissectors: pools and certificate table,
	 * and a certificate context (no anchors: nothing here needs them) */
	r->env.pools = dis_pools_new();
	r->env.x509 = x509_ctx_new("none", NULL);
	r->flow.key.proto = IPPROTO_TCP;
	r->ctx = dis_new(&r->env, &r->flow);
	r->ctx->cur = &dissector_tls;
	r->state = calloc(1, dissector_tls.state_size);
}

/* Feed bytes in segments of seg bytes. */
static void run_feed(struct run *r, int d, const struct bb *data, size_t seg)
{
	size_t off = 0;
	while (off < data->len && !r->stopped) {
		size_t n = data->len - off < seg ? data->len - off : seg;
		bb_put(&r->buf[d], data->p + off, n);
		off += n;
		while (!r->stopped && r->buf[d].len > 0 && r->buf[d].len >= r->needed[d]) {
			struct dis_result res = dissector_tls.parse(r->ctx, r->state, (enum dir)d,
								    r->buf[d].p, r->buf[d].len);
			memmove(r->buf[d].p, r->buf[d].p + res.consumed, r->buf[d].len - res.consumed);
			r->buf[d].len -= res.consumed;
			r->last = res.status;
			if (res.status == DIS_ERROR || res.status == DIS_DONE) {
				r->stopped = true;
				break;
			}
			if (res.status == DIS_INCOMPLETE) {
				r->needed[d] = res.needed;
				if (r->buf[d].len >= res.needed && res.consumed == 0)
					break;
				continue;
			}
			r->needed[d] = 0;
			if (res.consumed == 0)
				break;
		}
	}
}

/* End the flow: flow_end, then the facts as the export writes them
 * (src/store/tls_json.c, with the fingerprints the store would keep with
 * the profiles); owned by the run. */
static const char *run_end(struct run *r)
{
	const struct tls_facts *t;
	struct tls_cprof_fp cfp = { 0 };
	struct tls_json_fp fp = { 0 };
	char *ja3s = NULL, *ja3s_string = NULL;
	struct jbuf jb;

	dissector_tls.flow_end(r->ctx, r->state);
	dissector_tls.state_free(r->state);
	free(r->state);
	r->state = NULL;
	free(r->json);
	r->json = NULL;
	if ((t = r->ctx->tls) == NULL)
		return "";
	if (t->has_cprof)
		tls_cprof_fingerprints(&t->c, &cfp);
	if (t->has_sprof)
		tls_sprof_ja3s(&t->s, &ja3s, &ja3s_string);
	fp.ja3 = cfp.ja3;
	fp.ja3_string = cfp.ja3_string;
	fp.ja4 = cfp.ja4;
	fp.ja4_r = cfp.ja4_r;
	fp.ja3s = ja3s;
	fp.ja3s_string = ja3s_string;
	jb_init(&jb);
	tls_json_build(&jb, t, &fp, NULL, NULL);
	r->json = jb_take(&jb);
	tls_cprof_fp_free(&cfp);
	free(ja3s);
	free(ja3s_string);
	return r->json ? r->json : "";
}

static bool run_has_anomaly(const struct run *r, const char *name)
{
	for (unsigned i = 0; i < r->ctx->nanoms; i++)
		if (strcmp(r->ctx->anoms[i].name, name) == 0)
			return true;
	return false;
}

static void run_free(struct run *r)
{
	r->ctx->cur = NULL;
	r->ctx->finished = true;
	dis_free(r->ctx);
	dis_pools_free(r->env.pools);
	x509_ctx_free(r->env.x509);
	bb_free(&r->buf[0]);
	free(r->json);
	r->json = NULL;
	bb_free(&r->buf[1]);
}

#define has(json, frag, ...) ok(strstr((json), (frag)) != NULL, __VA_ARGS__)

static void test_basic_and_split(void)
{
	struct bb body = { 0 }, hs = { 0 }, wire = { 0 }, sh = { 0 }, shs = { 0 }, swire = { 0 };
	struct run r;
	const char *j;
	char ja4_whole[64] = "";

	client_hello_body(&body);
	hs_msg(&hs, 1, &body);
	records(&wire, 22, &hs, 16384);
	server_hello_body(&sh, 0x0303, 0x1301, true);
	hs_msg(&shs, 2, &sh);
	records(&swire, 22, &shs, 16384);

	run_init(&r);
	run_feed(&r, 0, &wire, wire.len);
	run_feed(&r, 1, &swire, swire.len);
	j = run_end(&r);
	has(j, "\"sni\":\"example.com\"", "SNI");
	has(j, "\"alpn\":[\"h2\",\"http/1.1\"]", "ALPN list");
	has(j, "\"groups\":[\"X25519MLKEM768\",\"x25519\",\"secp256r1\"]", "groups with the hybrid PQ group, GREASE apart");
	has(j, "\"pq_groups_offered\":true", "PQ group offered");
	has(j, "\"client_ciphers\":[4865,4866,49199,255]", "client ciphers without GREASE, wire order");
	has(j, "\"grease\":{\"ciphers\":[2570],\"extensions\":[6682],\"groups\":[10794]", "GREASE kept apart");
	has(j, "\"client_extensions\":[0,16,10,13,43,51,5,65037]", "extensions in wire order");
	has(j, "\"client_versions\":[\"TLSv1.3\",\"TLSv1.2\"]", "offered versions");
	has(j, "\"key_share_groups\":[\"x25519\"]", "key share groups");
	has(j, "\"sig_algs\":[\"ecdsa_secp256r1_sha256\",\"rsa_pss_rsae_sha256\"]", "signature algorithms");
	has(j, "\"ech\":true,\"ech_type\":\"outer\"", "ECH outer");
	has(j, "\"status_request\":true", "status_request");
	has(j, "\"renegotiation_info_offered\":true", "SCSV counts as renegotiation_info");
	has(j, "\"version\":\"TLSv1.3\"", "version from supported_versions");
	has(j, "\"cipher\":\"TLS_AES_128_GCM_SHA256\",\"cipher_id\":4865", "cipher name and id");
	has(j, "\"kx_group\":\"x25519\"", "key exchange group");
	has(j, "\"client_cert\":\"not_observable\"", "TLS 1.3 client cert not observable");
	has(j, "\"established\":false", "not established without encrypted records");
	has(j, "\"handshake\":\"incomplete\"", "handshake incomplete");
	{
		const char *p = strstr(j, "\"ja4\":\"");
		ok(p != NULL, "ja4 present");
		if (p)
			snprintf(ja4_whole, sizeof(ja4_whole), "%.36s", p + 7);
	}
	ok(strncmp(ja4_whole, "t13d", 4) == 0, "ja4 prefix t13d (%s)", ja4_whole);
	run_free(&r);

	/* same hello split across 7-byte records and fed in 1-byte segments */
	bb_free(&wire);
	records(&wire, 22, &hs, 7);
	run_init(&r);
	run_feed(&r, 0, &wire, 1);
	run_feed(&r, 1, &swire, 3);
	j = run_end(&r);
	has(j, "\"sni\":\"example.com\"", "split: SNI");
	has(j, ja4_whole, "split: same ja4");
	has(j, "\"version\":\"TLSv1.3\"", "split: version");
	ok(r.ctx->nanoms == 0, "split: no anomaly");
	run_free(&r);

	/* TLS 1.3 completion inferred: client Finished + data after the server flight */
	{
		struct bb enc = { 0 }, srv = { 0 };
		bb_put(&srv, swire.p, swire.len);
		bb_u8(&srv, 23); bb_u16(&srv, 0x0303); bb_u16(&srv, 40); bb_zero(&srv, 40);
		bb_u8(&enc, 20); bb_u16(&enc, 0x0303); bb_u16(&enc, 1); bb_u8(&enc, 1);  /* compat CCS */
		bb_u8(&enc, 23); bb_u16(&enc, 0x0303); bb_u16(&enc, 53); bb_zero(&enc, 53);
		bb_u8(&enc, 23); bb_u16(&enc, 0x0303); bb_u16(&enc, 30); bb_zero(&enc, 30);
		run_init(&r);
		run_feed(&r, 0, &wire, wire.len);
		run_feed(&r, 1, &srv, srv.len);
		run_feed(&r, 0, &enc, enc.len);
		is_int(r.last, DIS_DONE, "TLS 1.3: DONE once completion is inferred");
		j = run_end(&r);
		has(j, "\"established\":true,\"established_inferred\":true", "TLS 1.3 established (inferred)");
		has(j, "\"client_cert_inferred\":\"likely_none\"", "size heuristic: 53-byte first record is a Finished");
		run_free(&r);
		bb_free(&enc);
		bb_free(&srv);
	}
	bb_free(&body); bb_free(&hs); bb_free(&wire); bb_free(&sh); bb_free(&shs); bb_free(&swire);
}

static void test_tls12_flight(void)
{
	/* ServerHello + Certificate (empty list) + CertificateRequest +
	 * ServerHelloDone in ONE record; then CCS/Finished both ways, app data. */
	struct bb body = { 0 }, hs = { 0 }, cw = { 0 }, sh = { 0 }, flight = { 0 }, sw = { 0 }, m = { 0 };
	struct run r;
	const char *j;

	client_hello_body(&body);
	hs_msg(&hs, 1, &body);
	records(&cw, 22, &hs, 16384);
	server_hello_body(&sh, 0x0303, 0xc02f, false);
	hs_msg(&flight, 2, &sh);
	bb_u24(&m, 0);
	hs_msg(&flight, 11, &m); bb_free(&m);
	bb_u8(&m, 1); bb_u8(&m, 1); bb_u16(&m, 0); bb_u16(&m, 0);
	hs_msg(&flight, 13, &m); bb_free(&m);
	hs_msg(&flight, 14, &m);
	records(&sw, 22, &flight, 16384);

	run_init(&r);
	run_feed(&r, 0, &cw, cw.len);
	run_feed(&r, 1, &sw, sw.len);
	{
		struct bb c2 = { 0 }, s2 = { 0 };
		/* client: Certificate (empty), CCS, Finished (encrypted), app data */
		bb_free(&hs);
		bb_u24(&m, 0);
		hs_msg(&hs, 11, &m); bb_free(&m);
		records(&c2, 22, &hs, 100);
		bb_u8(&c2, 20); bb_u16(&c2, 0x0303); bb_u16(&c2, 1); bb_u8(&c2, 1);
		bb_u8(&c2, 22); bb_u16(&c2, 0x0303); bb_u16(&c2, 40); bb_zero(&c2, 40);
		bb_u8(&s2, 20); bb_u16(&s2, 0x0303); bb_u16(&s2, 1); bb_u8(&s2, 1);
		bb_u8(&s2, 22); bb_u16(&s2, 0x0303); bb_u16(&s2, 40); bb_zero(&s2, 40);
		run_feed(&r, 0, &c2, c2.len);
		run_feed(&r, 1, &s2, s2.len);
		bb_free(&c2);
		bb_u8(&c2, 23); bb_u16(&c2, 0x0303); bb_u16(&c2, 3000); bb_zero(&c2, 1000); /* partial */
		run_feed(&r, 0, &c2, c2.len);
		is_int(r.last, DIS_DONE, "TLS 1.2: DONE after both Finished and client data");
		bb_free(&c2);
		bb_free(&s2);
	}
	j = run_end(&r);
	has(j, "\"version\":\"TLSv1.2\"", "1.2 version");
	has(j, "\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"", "1.2 cipher");
	has(j, "\"cipher_class\":\"recommended\"", "cipher class from tls_tables");
	has(j, "\"client_cert\":\"requested\"", "requested, empty answer: client_cert requested");
	has(j, "\"client_cert_message\":\"empty\"", "client sent an empty Certificate");
	has(j, "\"cert_request\":true", "CertificateRequest seen in a multi-message record");
	has(j, "\"chain_len\":0", "empty server chain");
	has(j, "\"established\":true,\"established_inferred\":false", "established by CCS+Finished both ways");
	has(j, "\"secure_renegotiation\":true", "server renegotiation_info");
	has(j, "\"alpn_selected\":null", "no ALPN selected");
	ok(r.ctx->nanoms == 0, "no anomaly");
	run_free(&r);
	bb_free(&body); bb_free(&hs); bb_free(&cw); bb_free(&sh); bb_free(&flight); bb_free(&sw);
}

/* A raw client stream; returns the run (caller frees). */
static void run_client_bytes(struct run *r, const struct bb *wire)
{
	run_init(r);
	run_feed(r, 0, wire, wire->len);
}

static void test_malformed(void)
{
	struct bb w = { 0 }, m = { 0 }, h = { 0 };
	struct run r;
	const char *j;

	/* truncated extension: the extension's length runs past the block */
	bb_u16(&m, 0x0303); bb_zero(&m, 32); bb_u8(&m, 0);
	bb_u16(&m, 2); bb_u16(&m, 0x1301); bb_u8(&m, 1); bb_u8(&m, 0);
	bb_u16(&m, 6); bb_u16(&m, 0x0000); bb_u16(&m, 200); bb_u16(&m, 0);
	hs_msg(&h, 1, &m);
	records(&w, 22, &h, 16384);
	run_client_bytes(&r, &w);
	is_int(r.last, DIS_ERROR, "truncated extension: ERROR");
	ok(run_has_anomaly(&r, "truncated_extension"), "truncated_extension anomaly");
	j = run_end(&r);
	has(j, "\"malformed\":true", "flow marked malformed");
	run_free(&r);
	bb_free(&w); bb_free(&m); bb_free(&h);

	/* 16 MiB handshake length */
	bb_u8(&w, 22); bb_u16(&w, 0x0301); bb_u16(&w, 8);
	bb_u8(&w, 1); bb_u24(&w, 0xffffff);
	bb_u16(&w, 0x0303); bb_u16(&w, 0);
	run_client_bytes(&r, &w);
	is_int(r.last, DIS_ERROR, "16 MiB handshake length: ERROR");
	ok(run_has_anomaly(&r, "message_too_long"), "message_too_long anomaly");
	run_end(&r);
	run_free(&r);
	bb_free(&w);

	/* record length over 2^14 + 2048 */
	bb_u8(&w, 22); bb_u16(&w, 0x0301); bb_u16(&w, 0xffff); bb_zero(&w, 16);
	run_client_bytes(&r, &w);
	is_int(r.last, DIS_ERROR, "record too long: ERROR");
	ok(run_has_anomaly(&r, "record_too_long"), "record_too_long anomaly");
	run_end(&r);
	run_free(&r);
	bb_free(&w);

	/* not TLS at all after a good first record boundary */
	bb_u8(&w, 99); bb_u16(&w, 0x0301); bb_u16(&w, 4); bb_zero(&w, 4);
	run_client_bytes(&r, &w);
	ok(run_has_anomaly(&r, "not_tls"), "not_tls anomaly");
	run_end(&r);
	run_free(&r);
	bb_free(&w);

	/* a 64 KiB cipher list: the message is over the 64 KiB cap */
	bb_u16(&m, 0x0303); bb_zero(&m, 32); bb_u8(&m, 0);
	bb_u16(&m, 0xfffe);
	for (unsigned i = 0; i < 0x7fff; i++)
		bb_u16(&m, 0x0100 + (i & 0xff));
	bb_u8(&m, 1); bb_u8(&m, 0);
	hs_msg(&h, 1, &m);
	records(&w, 22, &h, 16384);
	run_client_bytes(&r, &w);
	is_int(r.last, DIS_ERROR, "64 KiB cipher list: ERROR");
	ok(run_has_anomaly(&r, "message_too_long"), "64 KiB cipher list: message_too_long");
	run_end(&r);
	run_free(&r);
	bb_free(&w); bb_free(&m); bb_free(&h);

	/* 1000 ciphers: stored up to the cap, anomaly, fingerprints withheld */
	bb_u16(&m, 0x0303); bb_zero(&m, 32); bb_u8(&m, 0);
	bb_u16(&m, 2000);
	for (unsigned i = 0; i < 1000; i++)
		bb_u16(&m, 0x0100 + i);
	bb_u8(&m, 1); bb_u8(&m, 0);
	hs_msg(&h, 1, &m);
	records(&w, 22, &h, 16384);
	run_client_bytes(&r, &w);
	ok(r.last != DIS_ERROR, "1000 ciphers: not an error");
	ok(run_has_anomaly(&r, "too_many_ciphers"), "too_many_ciphers anomaly");
	j = run_end(&r);
	has(j, "\"ja3\":null", "capped lists: no JA3");
	run_free(&r);
	bb_free(&w); bb_free(&m); bb_free(&h);

	/* thousands of extensions: bounded */
	{
		struct bb e = { 0 };
		for (unsigned i = 0; i < 3000; i++) {
			bb_u16(&e, 0x3000 + i);
			bb_u16(&e, 0);
		}
		bb_u16(&m, 0x0303); bb_zero(&m, 32); bb_u8(&m, 0);
		bb_u16(&m, 2); bb_u16(&m, 0x1301); bb_u8(&m, 1); bb_u8(&m, 0);
		bb_u16(&m, (unsigned)e.len);
		bb_put(&m, e.p, e.len);
		hs_msg(&h, 1, &m);
		records(&w, 22, &h, 16384);
		run_client_bytes(&r, &w);
		ok(r.last != DIS_ERROR, "3000 extensions: parsed, bounded");
		ok(run_has_anomaly(&r, "too_many_extensions"), "too_many_extensions anomaly");
		j = run_end(&r);
		has(j, "\"client_hello_seen\":true", "hello kept");
		run_free(&r);
		bb_free(&w); bb_free(&m); bb_free(&h); bb_free(&e);
	}

	/* zero-length lists everywhere */
	{
		struct bb e = { 0 }, x = { 0 };
		bb_u16(&x, 0);
		ext(&e, 0x0010, &x);        /* ALPN with an empty list */
		ext(&e, 0x000a, &x);        /* supported_groups empty */
		ext(&e, 0x000d, &x);        /* signature_algorithms empty */
		bb_free(&x);
		bb_u8(&x, 0);
		ext(&e, 0x002b, &x);        /* supported_versions empty */
		bb_free(&x);
		ext(&e, 0x0000, &x);        /* server_name empty (as a server acks) */
		bb_u16(&m, 0x0303); bb_zero(&m, 32); bb_u8(&m, 0);
		bb_u16(&m, 0); bb_u8(&m, 0);
		bb_u16(&m, (unsigned)e.len);
		bb_put(&m, e.p, e.len);
		hs_msg(&h, 1, &m);
		records(&w, 22, &h, 16384);
		run_client_bytes(&r, &w);
		ok(r.last != DIS_ERROR, "zero-length lists: no error");
		j = run_end(&r);
		has(j, "\"client_ciphers\":[]", "empty cipher list");
		has(j, "\"alpn\":[]", "empty ALPN list");
		has(j, "\"client_versions\":[]", "empty supported_versions");
		has(j, "\"ja4\":\"t12d000500_000000000000_", "ja4 of an empty cipher list (000000000000), SNI ext present");
		run_free(&r);
		bb_free(&w); bb_free(&m); bb_free(&h); bb_free(&e);
	}

	/* handshake message length larger than its record, then EOF */
	bb_u8(&w, 22); bb_u16(&w, 0x0301); bb_u16(&w, 10);
	bb_u8(&w, 1); bb_u24(&w, 5000); bb_zero(&w, 6);
	run_client_bytes(&r, &w);
	ok(r.last == DIS_OK, "partial message kept for the next record");
	j = run_end(&r);
	ok(strcmp(j, "") == 0, "no TLS object without a hello");
	run_free(&r);
	bb_free(&w);
}

static void test_sslv2_and_alert(void)
{
	struct bb w = { 0 }, m = { 0 };
	struct run r;
	const char *j;
	/* SSLv2-compatible CLIENT-HELLO, RFC 5246 E.2: version 3.1, 3 specs */
	bb_u8(&m, 1); bb_u16(&m, 0x0301); bb_u16(&m, 9); bb_u16(&m, 0); bb_u16(&m, 16);
	bb_u8(&m, 0); bb_u16(&m, 0x002f);
	bb_u8(&m, 0x01); bb_u16(&m, 0x0080);
	bb_u8(&m, 0); bb_u16(&m, 0x00ff);
	bb_zero(&m, 16);
	bb_u16(&w, 0x8000 | (unsigned)m.len);
	bb_put(&w, m.p, m.len);
	ok(dissector_tls.probe(DIR_C2S, w.p, w.len) == PROBE_MATCH, "probe: SSLv2 CLIENT-HELLO");
	run_client_bytes(&r, &w);
	j = run_end(&r);
	has(j, "\"client_hello_format\":\"sslv2\"", "SSLv2 hello format");
	has(j, "\"client_versions\":[\"TLSv1.0\"]", "SSLv2-compatible hello offering TLS 1.0");
	has(j, "\"client_ciphers\":[47,255]", "V2CipherSpecs mapped to TLS suites");
	has(j, "\"sslv2_cipher_specs\":[47,65664,255]", "all V2CipherSpecs kept");
	run_free(&r);
	bb_free(&w); bb_free(&m);

	/* client fatal alert unknown_ca after the server flight */
	{
		struct bb body = { 0 }, hs = { 0 }, cw = { 0 }, sh = { 0 }, shs = { 0 }, sw = { 0 }, a = { 0 };
		client_hello_body(&body);
		hs_msg(&hs, 1, &body);
		records(&cw, 22, &hs, 16384);
		server_hello_body(&sh, 0x0303, 0xc02f, false);
		hs_msg(&shs, 2, &sh);
		records(&sw, 22, &shs, 16384);
		bb_u8(&a, 21); bb_u16(&a, 0x0303); bb_u16(&a, 2); bb_u8(&a, 2); bb_u8(&a, 48);
		run_init(&r);
		run_feed(&r, 0, &cw, cw.len);
		run_feed(&r, 1, &sw, sw.len);
		run_feed(&r, 0, &a, a.len);
		is_int(r.last, DIS_DONE, "fatal alert: DONE");
		j = run_end(&r);
		has(j, "\"alert\":{\"level\":\"fatal\",\"description\":\"unknown_ca\",\"code\":48,\"from\":\"client\"}",
		    "alert level, description, sender");
		has(j, "\"handshake\":\"failed\"", "handshake failed");
		has(j, "\"client_rejected_cert\":true", "client rejected the certificate");
		run_free(&r);
		bb_free(&body); bb_free(&hs); bb_free(&cw); bb_free(&sh); bb_free(&shs); bb_free(&sw); bb_free(&a);
	}
}

static void test_probe(void)
{
	static const uint8_t ch[] = { 22, 3, 1, 0, 100, 1, 0, 0, 96, 3, 3 };
	static const uint8_t sh[] = { 22, 3, 3, 0, 80, 2, 0, 0, 76, 3, 3 };
	ok(dissector_tls.probe(DIR_C2S, ch, sizeof(ch)) == PROBE_MATCH, "probe: ClientHello record");
	ok(dissector_tls.probe(DIR_S2C, sh, sizeof(sh)) == PROBE_MATCH, "probe: ServerHello record (mid-capture)");
	ok(dissector_tls.probe(DIR_S2C, ch, sizeof(ch)) == PROBE_NOMATCH, "probe: ClientHello from the server side");
	ok(dissector_tls.probe(DIR_C2S, ch, 3) == PROBE_NEED_MORE, "probe: partial header");
	ok(dissector_tls.probe(DIR_C2S, (const uint8_t *)"GET / HTTP/1.1\r\n", 16) == PROBE_NOMATCH, "probe: HTTP");
	ok(dissector_tls.probe(DIR_C2S, (const uint8_t *)"\x16\x03\x05", 3) == PROBE_NOMATCH, "probe: bad minor version");
	{
		/* over the length cap but TLS's header: matched, so that parse()
		 * records record_too_long (tests/hostile.sh) */
		static const uint8_t big[] = { 22, 3, 1, 0xff, 0xff, 1, 0, 0, 96, 3, 3 };
		static const uint8_t big_not_ch[] = { 22, 3, 1, 0xff, 0xff, 7, 0, 0, 96, 3, 3 };
		ok(dissector_tls.probe(DIR_C2S, big, sizeof(big)) == PROBE_MATCH, "probe: record too long still matches");
		ok(dissector_tls.probe(DIR_C2S, big_not_ch, sizeof(big_not_ch)) == PROBE_NOMATCH,
		   "probe: record too long, not a ClientHello: no match");
	}
}

int main(void)
{
	test_probe();
	test_basic_and_split();
	test_tls12_flight();
	test_malformed();
	test_sslv2_and_alert();
	return tap_done();
}
