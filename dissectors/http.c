/* SPDX-License-Identifier: BSD-3-Clause */
/* http.c — HTTP/1.x in clear (RFC 9112 §3 request line, §4 status line,
 * RFC 9110 §11.6.2 Authorization, §11.7 proxy authentication, §9.3.6
 * CONNECT, RFC 6797 Strict-Transport-Security).
 *
 * Facts: the request line (method, target, version) and Host of the first
 * request, every request method seen, credentials sent in an Authorization
 * header (scheme only: Basic, Bearer, ...; the user name of Basic is kept,
 * the password never), the first response's status, whether a redirect's
 * Location is https (a listener that only redirects is not one serving
 * content), and a Strict-Transport-Security header.
 *
 *   request:  METHOD SP target SP HTTP/1.x CRLF *(field CRLF) CRLF [body]
 *   response: HTTP/1.x SP 3DIGIT SP reason CRLF *(field CRLF) CRLF [body]
 *
 * Bodies are not parsed: after the first request and first response heads
 * the flow is done (the security state is known: HTTP in clear).
 *
 * CONNECT (RFC 9110 §9.3.6, RFC 9112 §3.2.3 authority-form "host:port"):
 * the target is recorded (connect_host, connect_port) and the answer
 * (connect_status). A 2xx answer turns the connection into a tunnel: the
 * bytes after the response head (server) and after the CONNECT head
 * (client) are the tunnelled stream. When the client's first tunnel bytes
 * are a TLS ClientHello (the TLS dissector's own probe), the stream is
 * handed to the TLS dissector (dis_handoff), which records the inner TLS as
 * for any TLS flow; otherwise the flow stays http with connect_tunnel
 * "not_tls". A client may send its ClientHello before the 2xx arrives: the
 * bytes after a CONNECT are held, not parsed, until the answer decides
 * whether they are a tunnel or the next request.
 *
 *   client: CONNECT host:443 HTTP/1.1 CRLF Host: host:443 CRLF
 *           [Proxy-Authorization: Basic dXNlcjpwYXNz CRLF] CRLF  | TLS ...
 *   server: HTTP/1.1 200 Connection established CRLF CRLF       | TLS ...
 *
 * To find the answer to a CONNECT that follows a 407 on the same
 * connection, responses are followed while a CONNECT waits for its answer,
 * bodies skipped by Content-Length (RFC 9112 §6.3; a chunked or
 * close-delimited body ends the following).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"

#define HTTP_LINE_MAX 8192
#define HTTP_HEADERS_MAX 100

enum {
	HTTP_ANOM_LINE_TOO_LONG = 1,
	HTTP_ANOM_BAD_REQUEST_LINE,
	HTTP_ANOM_BAD_STATUS_LINE,
	HTTP_ANOM_TOO_MANY_HEADERS,
	HTTP_ANOM_BAD_BASIC,
	HTTP_ANOM_BAD_NTLM,
	HTTP_ANOM_BAD_CONNECT_TARGET,
};

static const struct anomaly_def http_anomalies[] = {
	{ HTTP_ANOM_LINE_TOO_LONG, "line_too_long" },
	{ HTTP_ANOM_BAD_REQUEST_LINE, "bad_request_line" },
	{ HTTP_ANOM_BAD_STATUS_LINE, "bad_status_line" },
	{ HTTP_ANOM_TOO_MANY_HEADERS, "too_many_headers" },
	{ HTTP_ANOM_BAD_BASIC, "bad_basic_credentials" },
	{ HTTP_ANOM_BAD_NTLM, "bad_ntlm_message" },
	{ HTTP_ANOM_BAD_CONNECT_TARGET, "bad_connect_target" },
	{ 0, NULL },
};

#define HTTP_REQS_MAX 8        /* requests followed after a 401/407 */
#define HTTP_BODY_SKIP_MAX (1u << 30)

struct http_state {
	bool req_done, resp_done;  /* first head of each direction parsed */
	bool challenged;           /* the first response was 401 or 407 */
	bool auth_done;            /* a later request answered the challenge */
	bool c2s_lost;             /* a request body of unknown length: stop following */
	unsigned requests;
	uint64_t body_left;        /* request body bytes before the next head */
	/* CONNECT */
	unsigned responses;        /* final (non-1xx) response heads parsed */
	unsigned connect_req;      /* number of the request (1-based) that is a
				    * CONNECT waiting for its answer; 0: none */
	bool connect_seen;         /* connect_host/connect_port recorded */
	bool tunnel;               /* a 2xx answered the CONNECT: tunnel bytes follow */
	bool c2s_held;             /* client bytes after the CONNECT, held */
	int8_t held_tls;           /* TLS probe of them: 1 match, -1 no match, 0 not known yet */
	bool s2c_lost;             /* a response body of unknown length: stop following */
	uint64_t s2c_body_left;    /* response body bytes before the next head */
};

static const char *const http_methods[] = {
	"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ",
	"TRACE ", "PROPFIND ", NULL,
};

static enum probe_res http_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	int i;

	if (dir == DIR_S2C) {
		int r = cur_peek_lit(&c, "HTTP/1.", 7);
		return r == 0 ? PROBE_MATCH : r == CUR_TRUNC ? PROBE_NEED_MORE : PROBE_NOMATCH;
	}
	for (i = 0; http_methods[i]; i++) {
		int r = cur_peek_lit(&c, http_methods[i], strlen(http_methods[i]));
		if (r == 0)
			return PROBE_MATCH;
		if (r == CUR_TRUNC)
			return PROBE_NEED_MORE;
	}
	return PROBE_NOMATCH;
}

/* Case-insensitive "Name:" match; *val and *vlen get the trimmed value. */
static bool http_header(const char *line, size_t len, const char *name, const char **val, size_t *vlen)
{
	size_t n = strlen(name);
	if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
		return false;
	line += n + 1;
	len -= n + 1;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	*val = line;
	*vlen = len;
	return true;
}

/* Authorization schemes (RFC 9110 §11.6.2; IANA "HTTP Authentication Scheme
 * Registry"). `secret`: what crosses the wire is itself the credential
 * (Basic: user-id:password in base64, RFC 7617 §2; Bearer: the token,
 * RFC 6750 §2.1), so credentials are in clear. Otherwise the header carries
 * a challenge-response or a signature that proves knowledge of a secret
 * without sending it (Digest RFC 7616 §3.4, NTLM [MS-NLMP] §3.1.5,
 * Negotiate RFC 4559 §4, SCRAM RFC 7804, HOBA RFC 7486, Mutual RFC 8120,
 * AWS Signature V4): the user name (when visible) and the mechanism are
 * recorded, credentials are not. A scheme not listed counts as a secret: a
 * token68 of unknown meaning is assumed to be replayable. */
static const struct {
	const char *scheme;
	bool secret;
} http_schemes[] = {
	{ "basic", true },
	{ "bearer", true },
	{ "digest", false },
	{ "ntlm", false },
	{ "negotiate", false },
	{ "scram-sha-1", false },
	{ "scram-sha-256", false },
	{ "hoba", false },
	{ "mutual", false },
	{ "aws4-hmac-sha256", false },
	{ NULL, false },
};

/* Request headers that carry an API key: the value is the credential
 * (OpenAPI 3.1 §4.8.27 apiKey "in: header"; the names in common use). */
static const char *const http_key_headers[] = { "X-API-Key", "Api-Key", "X-Auth-Token", NULL };

#define HTTP_TOKEN68_MAX 4096 /* base64 characters decoded (NTLM, Basic) */

/* RFC 9110 §11.4: auth-param = token BWS "=" BWS ( token / quoted-string ).
 * Finds `name` in a comma-separated parameter list; *val and *vlen_out get the
 * value without quotes (quoted-pair backslashes kept: user names rarely
 * hold them). false when absent or malformed. */
static bool http_auth_param(const char *v, size_t vlen, const char *name, const char **val, size_t *vlen_out)
{
	struct cur c = cur_make((const uint8_t *)v, vlen);
	size_t nl = strlen(name);

	while (cur_left(&c) > 0) {
		const char *k;
		size_t kl = 0;
		uint8_t ch;
		while (cur_left(&c) > 0 && (*c.p == ' ' || *c.p == '\t' || *c.p == ','))
			(void)cur_skip(&c, 1);
		k = (const char *)c.p;
		while (cur_left(&c) > 0 && *c.p != '=' && *c.p != ',' && *c.p != ' ' && *c.p != '\t') {
			(void)cur_skip(&c, 1);
			kl++;
		}
		while (cur_left(&c) > 0 && (*c.p == ' ' || *c.p == '\t'))
			(void)cur_skip(&c, 1);
		if (cur_u8(&c, &ch) != 0 || ch != '=')
			return false;
		while (cur_left(&c) > 0 && (*c.p == ' ' || *c.p == '\t'))
			(void)cur_skip(&c, 1);
		const char *s = (const char *)c.p;
		size_t sl = 0;
		if (cur_left(&c) > 0 && *c.p == '"') {
			(void)cur_skip(&c, 1);
			s = (const char *)c.p;
			while (cur_u8(&c, &ch) == 0 && ch != '"') {
				if (ch == '\\' && cur_skip(&c, 1) != 0)
					return false;
				sl = (size_t)((const char *)c.p - s);
			}
			if (ch != '"')
				return false;
		} else {
			while (cur_left(&c) > 0 && *c.p != ',' && *c.p != ' ' && *c.p != '\t') {
				(void)cur_skip(&c, 1);
				sl++;
			}
		}
		if (kl == nl && strncasecmp(k, name, nl) == 0) {
			*val = s;
			*vlen_out = sl;
			return true;
		}
	}
	return false;
}

/* UTF-16LE bytes of an NTLM field -> UTF-8 (BMP; others as U+FFFD). */
static size_t http_utf16le(struct cur f, char *out, size_t outsz)
{
	size_t o = 0;
	uint16_t u;
	while (cur_le16(&f, &u) == 0 && o + 3 < outsz) {
		if (u < 0x80) {
			out[o++] = (char)u;
		} else if (u < 0x800) {
			out[o++] = (char)(0xc0 | (u >> 6));
			out[o++] = (char)(0x80 | (u & 0x3f));
		} else {
			if (u >= 0xd800 && u <= 0xdfff)
				u = 0xfffd;
			out[o++] = (char)(0xe0 | (u >> 12));
			out[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (u & 0x3f));
		}
	}
	return o;
}

/* One NTLM security buffer ([MS-NLMP] §2.2.1.3: Len, MaxLen LE16, Offset
 * LE32, offset from the message start) as a sub-cursor of msg. */
static int http_ntlm_field(struct cur *hdr, struct cur msg, struct cur *f)
{
	uint16_t fl, fmax;
	uint32_t fo;
	int r;
	if ((r = cur_le16(hdr, &fl)) != 0 || (r = cur_le16(hdr, &fmax)) != 0 || (r = cur_le32(hdr, &fo)) != 0)
		return r;
	if ((r = cur_skip(&msg, fo)) != 0 || (r = cur_sub(&msg, fl, f)) != 0)
		return r;
	return 0;
}

/* An NTLM message ([MS-NLMP] §2.2.1): "NTLMSSP\0", MessageType LE32.
 * AUTHENTICATE (type 3, §2.2.1.3): LmChallengeResponse, NtChallengeResponse,
 * DomainName, UserName, Workstation, EncryptedRandomSessionKey security
 * buffers, NegotiateFlags (bit A: UNICODE). The user and domain names are
 * kept; the responses are not (only their kind: an NtChallengeResponse of 24
 * bytes is NTLMv1, longer is NTLMv2, §3.3). Returns the message type, 0 when
 * it is not NTLM, -1 when an AUTHENTICATE message is malformed. */
static int http_ntlm(struct dis_ctx *ctx, const uint8_t *p, size_t n)
{
	struct cur msg = cur_make(p, n), hdr = msg, lm, nt, dom, usr, wks;
	uint32_t type, flags;
	char out[OBS_STR_MAX];
	size_t o;

	if (cur_peek_lit(&hdr, "NTLMSSP\0", 8) != 0)
		return 0;
	(void)cur_skip(&hdr, 8);
	if (cur_le32(&hdr, &type) != 0)
		return -1;
	if (type == 1 || type == 2)
		return (int)type;
	if (type != 3)
		return -1;
	if (http_ntlm_field(&hdr, msg, &lm) != 0 || http_ntlm_field(&hdr, msg, &nt) != 0 ||
	    http_ntlm_field(&hdr, msg, &dom) != 0 || http_ntlm_field(&hdr, msg, &usr) != 0 ||
	    http_ntlm_field(&hdr, msg, &wks) != 0 || cur_skip(&hdr, 8) != 0 || cur_le32(&hdr, &flags) != 0)
		return -1;
	(void)lm;
	(void)wks;
	obs_detail_str(ctx, "ntlm_version", cur_left(&nt) > 24 ? "v2" : "v1", 2);
	if (flags & 0x1) {
		o = http_utf16le(dom, out, sizeof(out));
		if (o > 0)
			obs_detail_str(ctx, "ntlm_domain", out, o);
		o = http_utf16le(usr, out, sizeof(out));
	} else {
		if (cur_left(&dom) > 0)
			obs_detail_str(ctx, "ntlm_domain", dom.p, cur_left(&dom));
		o = cur_left(&usr) < sizeof(out) ? cur_left(&usr) : sizeof(out);
		memcpy(out, usr.p, o);
	}
	if (o > 0)
		obs_user(ctx, out, o);
	return 3;
}

/* First occurrence of needle in p[0..n), or NULL. */
static const unsigned char *http_find(const unsigned char *p, size_t n, const char *needle, size_t nl)
{
	size_t i;
	for (i = 0; nl <= n && i <= n - nl; i++)
		if (p[i] == (unsigned char)needle[0] && memcmp(p + i, needle, nl) == 0)
			return p + i;
	return NULL;
}

/* Authorization / Proxy-Authorization (RFC 9110 §11.6.2, §11.7.2):
 * credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]. Returns
 * true when the header completes an authentication (anything but an NTLM
 * NEGOTIATE message, which asks for a challenge first). */
static bool http_authorization(struct dis_ctx *ctx, const char *v, size_t vlen, bool proxy)
{
	size_t sl = 0, i;
	char scheme[32];
	const char *arg;
	size_t alen;
	bool secret = true, final = true;

	while (sl < vlen && v[sl] != ' ' && v[sl] != '\t')
		sl++;
	snprintf(scheme, sizeof(scheme), "%.*s", (int)(sl < 31 ? sl : 31), v);
	for (char *q = scheme; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	/* RFC 9110 §11.4: one or more SP (BWS, HTAB in practice) */
	arg = v + sl;
	alen = vlen - sl;
	while (alen > 0 && (*arg == ' ' || *arg == '\t')) {
		arg++;
		alen--;
	}
	for (i = 0; http_schemes[i].scheme; i++)
		if (strcmp(scheme, http_schemes[i].scheme) == 0) {
			secret = http_schemes[i].secret;
			break;
		}
	obs_auth_mechanism(ctx, scheme, strlen(scheme));
	if (proxy)
		obs_detail_str(ctx, "proxy_auth_scheme", scheme, strlen(scheme));
	if (secret)
		obs_credentials(ctx, scheme);
	if (strcmp(scheme, "basic") == 0) {
		unsigned char dec[HTTP_TOKEN68_MAX / 4 * 3];
		int n;
		if (alen == 0 || alen > HTTP_TOKEN68_MAX || alen % 4 != 0) {
			obs_anomaly(ctx, HTTP_ANOM_BAD_BASIC, "length %zu", alen);
			return final;
		}
		n = EVP_DecodeBlock(dec, (const unsigned char *)arg, (int)alen);
		if (n < 0) {
			obs_anomaly(ctx, HTTP_ANOM_BAD_BASIC, "not base64");
			return final;
		}
		/* user-id ":" password (RFC 7617 §2): keep only the user-id */
		unsigned char *colon = memchr(dec, ':', (size_t)n);
		if (colon)
			obs_user(ctx, dec, (size_t)(colon - dec));
		else
			obs_anomaly(ctx, HTTP_ANOM_BAD_BASIC, "no colon");
		OPENSSL_cleanse(dec, sizeof(dec));
	} else if (strcmp(scheme, "digest") == 0) {
		/* RFC 7616 §3.4: username (or username* RFC 8187; userhash=true
		 * makes it a hash, kept as sent) */
		const char *u;
		size_t ul;
		if (http_auth_param(arg, alen, "username", &u, &ul) && ul > 0)
			obs_user(ctx, u, ul);
	} else if (strcmp(scheme, "ntlm") == 0 || strcmp(scheme, "negotiate") == 0) {
		/* token68: raw NTLMSSP (NTLM, and Negotiate from clients that skip
		 * SPNEGO) or SPNEGO (RFC 4178) with an NTLMSSP mechToken inside */
		unsigned char dec[HTTP_TOKEN68_MAX / 4 * 3];
		const unsigned char *m;
		int n, t = 0;
		size_t bl = alen;
		while (bl > 0 && arg[bl - 1] == '=')
			bl--;
		if (alen > 0 && alen <= HTTP_TOKEN68_MAX && alen % 4 == 0 &&
		    (n = EVP_DecodeBlock(dec, (const unsigned char *)arg, (int)alen)) > 0) {
			n -= (int)(alen - bl); /* EVP_DecodeBlock counts padding as zero bytes */
			m = http_find(dec, (size_t)n, "NTLMSSP\0", 8);
			if (m != NULL)
				t = http_ntlm(ctx, m, (size_t)n - (size_t)(m - dec));
			if (t < 0)
				obs_anomaly(ctx, HTTP_ANOM_BAD_NTLM, "bad NTLM message");
			if (m != NULL) {
				obs_auth_mechanism(ctx, "ntlm", 4);
				if (strcmp(scheme, "negotiate") == 0)
					obs_detail_str(ctx, "auth_scheme", scheme, strlen(scheme));
			}
			OPENSSL_cleanse(dec, sizeof(dec));
		}
		final = t != 1; /* NEGOTIATE_MESSAGE: the challenge comes next */
	}
	return final;
}

/* WWW-Authenticate / Proxy-Authenticate of the first response: the schemes
 * offered (RFC 9110 §11.6.1), lower-cased, one list entry per challenge
 * that starts a header (several challenges in one header: the first). */
static void http_challenge(struct dis_ctx *ctx, const char *v, size_t vlen)
{
	char scheme[32];
	size_t sl = 0;
	while (sl < vlen && v[sl] != ' ' && v[sl] != '\t' && v[sl] != ',')
		sl++;
	if (sl == 0)
		return;
	snprintf(scheme, sizeof(scheme), "%.*s", (int)(sl < 31 ? sl : 31), v);
	for (char *q = scheme; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	obs_detail_list_str(ctx, "auth_challenge", scheme, strlen(scheme));
}

/* A CONNECT request target, authority-form (RFC 9112 §3.2.3: uri-host ":"
 * port; RFC 3986 §3.2.2: an IPv6 literal in brackets). The first CONNECT's
 * host and port are recorded. Returns false (after the anomaly) when the
 * target is not host:port with a port of 0-65535. */
static bool http_connect_target(struct dis_ctx *ctx, struct http_state *st, const char *t, size_t tl)
{
	size_t colon = tl, i;
	uint32_t port = 0;

	for (i = tl; i > 0; i--)
		if (t[i - 1] == ':') {
			colon = i - 1;
			break;
		}
	if (colon == tl || colon == 0 || tl - colon - 1 == 0 || tl - colon - 1 > 5 ||
	    (t[0] == '[' && (colon < 3 || t[colon - 1] != ']'))) {
		obs_anomaly(ctx, HTTP_ANOM_BAD_CONNECT_TARGET, "not host:port");
		return false;
	}
	for (i = colon + 1; i < tl; i++) {
		if (!isdigit((unsigned char)t[i])) {
			obs_anomaly(ctx, HTTP_ANOM_BAD_CONNECT_TARGET, "port not a number");
			return false;
		}
		port = port * 10 + (uint32_t)(t[i] - '0');
	}
	if (port > 65535) {
		obs_anomaly(ctx, HTTP_ANOM_BAD_CONNECT_TARGET, "port %u", port);
		return false;
	}
	if (!st->connect_seen) {
		st->connect_seen = true;
		if (t[0] == '[')
			obs_detail_str(ctx, "connect_host", t + 1, colon - 2);
		else
			obs_detail_str(ctx, "connect_host", t, colon);
		obs_detail_int(ctx, "connect_port", port);
	}
	return true;
}

/* Parse one message head. Returns bytes consumed (through the empty line),
 * 0 if incomplete, or -1 on error. */
static long http_head(struct dis_ctx *ctx, struct http_state *st, enum dir dir,
		      const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	const char *line, *v;
	size_t ll, vlen;
	int r, nh = 0, status = 0;
	bool first = dir == DIR_C2S ? !st->req_done : !st->resp_done;
	bool is_connect = false, answers_connect = false, chunked = false, cl_ok = false;
	uint64_t cl = 0;

	r = cur_line(&c, HTTP_LINE_MAX, &line, &ll);
	if (r == CUR_TRUNC)
		return 0;
	if (r != 0) {
		obs_anomaly(ctx, HTTP_ANOM_LINE_TOO_LONG, NULL);
		return -1;
	}
	if (dir == DIR_C2S) {
		const char *sp1 = memchr(line, ' ', ll);
		const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', ll - (size_t)(sp1 + 1 - line)) : NULL;
		if (sp1 == NULL || sp2 == NULL || (size_t)(line + ll - sp2) < 9 ||
		    memcmp(sp2 + 1, "HTTP/1.", 7) != 0) {
			obs_anomaly(ctx, HTTP_ANOM_BAD_REQUEST_LINE, NULL);
			return -1;
		}
		obs_detail_list_str(ctx, "methods", line, (size_t)(sp1 - line));
		if (first) {
			obs_detail_str(ctx, "method", line, (size_t)(sp1 - line));
			obs_detail_str(ctx, "target", sp1 + 1, (size_t)(sp2 - sp1 - 1));
			obs_detail_str(ctx, "version", sp2 + 1, (size_t)(line + ll - sp2 - 1));
		}
		st->requests++;
		if (sp1 - line == 7 && memcmp(line, "CONNECT", 7) == 0) {
			if (!http_connect_target(ctx, st, sp1 + 1, (size_t)(sp2 - sp1 - 1)))
				return -1;
			is_connect = true;
			st->connect_req = st->requests;
		}
	} else {
		if (ll < 12 || memcmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ' ||
		    !isdigit((unsigned char)line[9]) || !isdigit((unsigned char)line[10]) ||
		    !isdigit((unsigned char)line[11])) {
			obs_anomaly(ctx, HTTP_ANOM_BAD_STATUS_LINE, NULL);
			return -1;
		}
		status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
		if (first) {
			obs_detail_int(ctx, "status", status);
			st->challenged = status == 401 || status == 407;
		}
		/* RFC 9110 §15.2: a 1xx is interim, the final response follows */
		if (status >= 200 && ++st->responses == st->connect_req) {
			answers_connect = true;
			obs_detail_int(ctx, "connect_status", status);
		}
	}
	for (;;) {
		r = cur_line(&c, HTTP_LINE_MAX, &line, &ll);
		if (r == CUR_TRUNC)
			return 0;
		if (r != 0) {
			obs_anomaly(ctx, HTTP_ANOM_LINE_TOO_LONG, NULL);
			return -1;
		}
		if (ll == 0)
			break;
		if (++nh > HTTP_HEADERS_MAX) {
			obs_anomaly(ctx, HTTP_ANOM_TOO_MANY_HEADERS, NULL);
			return -1;
		}
		if (dir == DIR_C2S) {
			if (first && http_header(line, ll, "Host", &v, &vlen)) {
				obs_detail_str(ctx, "host", v, vlen);
			} else if (http_header(line, ll, "Authorization", &v, &vlen)) {
				if (http_authorization(ctx, v, vlen, false) && st->challenged)
					st->auth_done = true;
			} else if (http_header(line, ll, "Proxy-Authorization", &v, &vlen)) {
				if (http_authorization(ctx, v, vlen, true) && st->challenged)
					st->auth_done = true;
			} else if (first && http_header(line, ll, "User-Agent", &v, &vlen)) {
				obs_detail_str(ctx, "user_agent", v, vlen);
			} else if (!is_connect && http_header(line, ll, "Content-Length", &v, &vlen)) {
				/* RFC 9110 §9.3.6: a CONNECT has no content; what
				 * follows it is the tunnel or the next request */
				size_t i;
				cl = 0;
				for (i = 0; i < vlen && isdigit((unsigned char)v[i]) && cl <= HTTP_BODY_SKIP_MAX; i++)
					cl = cl * 10 + (uint64_t)(v[i] - '0');
				if (i != vlen || vlen == 0 || cl > HTTP_BODY_SKIP_MAX)
					st->c2s_lost = true;
				else
					st->body_left = cl;
			} else if (!is_connect && http_header(line, ll, "Transfer-Encoding", &v, &vlen)) {
				st->c2s_lost = true; /* chunked bodies are not followed */
			} else {
				int k;
				for (k = 0; http_key_headers[k]; k++)
					if (http_header(line, ll, http_key_headers[k], &v, &vlen)) {
						obs_credentials(ctx, "api_key");
						obs_auth_mechanism(ctx, "api_key", 7);
						break;
					}
			}
		} else if (http_header(line, ll, "Content-Length", &v, &vlen)) {
			size_t i;
			cl = 0;
			for (i = 0; i < vlen && isdigit((unsigned char)v[i]) && cl <= HTTP_BODY_SKIP_MAX; i++)
				cl = cl * 10 + (uint64_t)(v[i] - '0');
			cl_ok = i == vlen && vlen > 0 && cl <= HTTP_BODY_SKIP_MAX;
		} else if (http_header(line, ll, "Transfer-Encoding", &v, &vlen)) {
			chunked = true;
		} else if (first) {
			if (http_header(line, ll, "Location", &v, &vlen)) {
				obs_detail_str(ctx, "location", v, vlen);
				obs_detail_bool(ctx, "redirect_to_https",
						vlen >= 8 && strncasecmp(v, "https://", 8) == 0);
			} else if (http_header(line, ll, "Strict-Transport-Security", &v, &vlen)) {
				obs_detail_str(ctx, "hsts", v, vlen);
			} else if (http_header(line, ll, "Server", &v, &vlen)) {
				obs_detail_str(ctx, "server", v, vlen);
			} else if (http_header(line, ll, "WWW-Authenticate", &v, &vlen) ||
				   http_header(line, ll, "Proxy-Authenticate", &v, &vlen)) {
				http_challenge(ctx, v, vlen);
			}
		}
	}
	if (dir == DIR_C2S) {
		st->req_done = true;
	} else {
		st->resp_done = true;
		/* where the next response starts (RFC 9112 §6.3) */
		if (answers_connect && status / 100 == 2) {
			st->tunnel = true;
		} else {
			if (answers_connect) { /* refused: what the client holds is HTTP */
				st->connect_req = 0;
				st->c2s_held = false;
				st->held_tls = 0;
			}
			if (status < 200 || status == 204 || status == 304)
				st->s2c_body_left = 0;
			else if (chunked || !cl_ok)
				st->s2c_lost = true;
			else
				st->s2c_body_left = cl;
		}
	}
	return (long)cur_off(&c, p);
}

/* Later requests are followed only after a 401/407 first response, until
 * one answers the challenge (the Digest or NTLM AUTHENTICATE that the
 * retry carries on the same connection) or HTTP_REQS_MAX requests. Request
 * bodies are skipped by Content-Length (RFC 9112 §6.3: a request without
 * Content-Length or Transfer-Encoding has none); a chunked body ends the
 * following. Bytes of a next request that arrive before the first response
 * are kept (at most HTTP_HOLD_MAX) until it is known whether to read them. */
#define HTTP_HOLD_MAX (64 * 1024)

static bool http_follow_more(const struct http_state *st)
{
	/* what follows a CONNECT waits for its answer, unless the responses
	 * can no longer be followed to it (a chunked or close-delimited body
	 * before it): then nothing more can be known */
	if (st->connect_req)
		return !st->s2c_lost;
	return !st->auth_done && !st->c2s_lost && st->requests < HTTP_REQS_MAX &&
	       (!st->resp_done || st->challenged);
}

static struct dis_result http_parse_more(struct dis_ctx *ctx, struct http_state *st,
					 const uint8_t *p, size_t len)
{
	size_t off = 0;
	long n;

	for (;;) {
		if (!http_follow_more(st))
			return st->resp_done ? dis_done(len) : dis_ok(len);
		if (st->body_left > 0) {
			size_t k = st->body_left < len - off ? (size_t)st->body_left : len - off;
			st->body_left -= k;
			off += k;
		}
		if (off == len)
			return dis_ok(off);
		if (st->connect_req) {
			/* the tunnel, or the next request: held until the answer.
			 * Beyond the stream cap the framework stops (stream_cap). */
			const struct dissector *tls = dissector_find("tls");
			enum probe_res pr = tls ? tls->probe(DIR_C2S, p + off, len - off) : PROBE_NOMATCH;
			st->c2s_held = true;
			st->held_tls = pr == PROBE_MATCH ? 1 : pr == PROBE_NOMATCH ? -1 : 0;
			return dis_ok(off);
		}
		if (!st->resp_done) {
			if (len - off > HTTP_HOLD_MAX) {
				st->c2s_lost = true;
				return dis_ok(len);
			}
			return dis_ok(off);
		}
		n = http_head(ctx, st, DIR_C2S, p + off, len - off);
		if (n < 0)
			return dis_error(off);
		if (n == 0)
			return len - off >= HTTP_LINE_MAX * 4 ? dis_error(off) : dis_incomplete(off, len - off + 1);
		off += (size_t)n;
	}
}

/* The CONNECT was answered 2xx: the tunnel begins at `consumed` in this
 * direction and at the first unconsumed byte of the other. A TLS
 * ClientHello goes to the TLS dissector; anything else is recorded and the
 * flow ends as http in clear. */
static struct dis_result http_tunnel_start(struct dis_ctx *ctx, bool is_tls, size_t consumed)
{
	if (is_tls) {
		obs_detail_str(ctx, "connect_tunnel", "tls", 3);
		if (dis_handoff(ctx, "tls") == 0)
			return dis_ok(consumed);
		return dis_done(consumed);
	}
	obs_detail_str(ctx, "connect_tunnel", "not_tls", 7);
	return dis_done(consumed);
}

/* Client bytes once the tunnel is open: its first bytes decide. */
static struct dis_result http_tunnel_c2s(struct dis_ctx *ctx, const uint8_t *p, size_t len)
{
	const struct dissector *tls = dissector_find("tls");
	enum probe_res pr = tls ? tls->probe(DIR_C2S, p, len) : PROBE_NOMATCH;
	if (pr == PROBE_NEED_MORE)
		return dis_incomplete(0, len + 1);
	return http_tunnel_start(ctx, pr == PROBE_MATCH, 0);
}

/* Server bytes: response heads while a CONNECT waits for its answer (or
 * the first response), bodies skipped; once the tunnel is open, the
 * bytes from `off` on are the tunnel's. */
static struct dis_result http_parse_s2c(struct dis_ctx *ctx, struct http_state *st,
					const uint8_t *p, size_t len)
{
	size_t off = 0;
	long n;

	for (;;) {
		if (st->tunnel) {
			if (st->held_tls != 0)
				return http_tunnel_start(ctx, st->held_tls > 0, off);
			if (st->c2s_held || off == len)
				return dis_ok(off); /* the client's first bytes decide */
			/* the server spoke first: not TLS, whose client sends the
			 * first message (RFC 8446 §2) */
			return http_tunnel_start(ctx, false, off);
		}
		if (st->s2c_body_left > 0) {
			size_t k = st->s2c_body_left < len - off ? (size_t)st->s2c_body_left : len - off;
			st->s2c_body_left -= k;
			off += k;
		}
		if (off == len)
			return dis_ok(off);
		if (st->resp_done && (!st->connect_req || st->s2c_lost))
			return dis_ok(len); /* bodies and later responses: not parsed */
		n = http_head(ctx, st, DIR_S2C, p + off, len - off);
		if (n < 0)
			return dis_error(off);
		if (n == 0)
			return len - off >= HTTP_LINE_MAX * 4 ? dis_error(off) : dis_incomplete(off, len - off + 1);
		off += (size_t)n;
		if (!st->tunnel && st->req_done && !st->connect_req && !(st->challenged && http_follow_more(st)))
			return dis_done(off);
	}
}

static struct dis_result http_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				    const uint8_t *p, size_t len)
{
	struct http_state *st = state;
	long n;

	obs_protocol(ctx, "http");
	obs_security(ctx, SEC_CLEARTEXT);
	obs_tls_offered(ctx, false);
	if (dir == DIR_S2C)
		return http_parse_s2c(ctx, st, p, len);
	if (st->tunnel)
		return http_tunnel_c2s(ctx, p, len);
	if (st->req_done)
		return http_parse_more(ctx, st, p, len);
	n = http_head(ctx, st, dir, p, len);
	if (n < 0)
		return dis_error(0);
	if (n == 0)
		return len >= HTTP_LINE_MAX * 4 ? dis_error(0) : dis_incomplete(0, len + 1);
	if (st->req_done && st->resp_done && !st->connect_req && !(st->challenged && http_follow_more(st)))
		return dis_done((size_t)n);
	struct dis_result r = http_parse_more(ctx, st, p + n, len - (size_t)n);
	r.consumed += (size_t)n;
	return r;
}

static const uint16_t http_ports[] = { 80, 8080, 8000, 8008, 8888, 3128, 0 };

const struct dissector dissector_http = {
	.name = "http",
	.transport = DIS_TCP,
	.ports = http_ports,
	.probe = http_probe,
	.state_size = sizeof(struct http_state),
	.parse = http_parse,
	.anomalies = http_anomalies,
};
