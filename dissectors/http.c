/* http.c — HTTP/1.x in clear (RFC 9112 §3 request line, §4 status line,
 * RFC 9110 §11.6.2 Authorization, RFC 6797 Strict-Transport-Security).
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
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include "dissector.h"
#include "../src/cursor.h"
#include "../src/obs.h"

#define HTTP_LINE_MAX 8192
#define HTTP_HEADERS_MAX 100

enum {
	HTTP_ANOM_LINE_TOO_LONG = 1,
	HTTP_ANOM_BAD_REQUEST_LINE,
	HTTP_ANOM_BAD_STATUS_LINE,
	HTTP_ANOM_TOO_MANY_HEADERS,
	HTTP_ANOM_BAD_BASIC,
};

static const struct anomaly_def http_anomalies[] = {
	{ HTTP_ANOM_LINE_TOO_LONG, "line_too_long" },
	{ HTTP_ANOM_BAD_REQUEST_LINE, "bad_request_line" },
	{ HTTP_ANOM_BAD_STATUS_LINE, "bad_status_line" },
	{ HTTP_ANOM_TOO_MANY_HEADERS, "too_many_headers" },
	{ HTTP_ANOM_BAD_BASIC, "bad_basic_credentials" },
	{ 0, NULL },
};

struct http_state {
	bool req_done, resp_done;  /* first head of each direction parsed */
	unsigned requests;
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

/* Authorization: record the scheme, and for Basic the user name only. */
static void http_authorization(struct dis_ctx *ctx, const char *v, size_t vlen)
{
	size_t sl = 0;
	char scheme[32];
	while (sl < vlen && v[sl] != ' ')
		sl++;
	snprintf(scheme, sizeof(scheme), "%.*s", (int)(sl < 31 ? sl : 31), v);
	for (char *q = scheme; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	obs_credentials(ctx, scheme);
	obs_auth_mechanism(ctx, scheme, strlen(scheme));
	if (strcmp(scheme, "basic") == 0 && sl < vlen) {
		unsigned char dec[768];
		const char *b64 = v + sl + 1;
		size_t blen = vlen - sl - 1;
		int n;
		if (blen == 0 || blen > 1000 || blen % 4 != 0) {
			obs_anomaly(ctx, HTTP_ANOM_BAD_BASIC, "length %zu", blen);
			return;
		}
		n = EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)blen);
		if (n < 0) {
			obs_anomaly(ctx, HTTP_ANOM_BAD_BASIC, "not base64");
			return;
		}
		/* user-id ":" password (RFC 7617 §2): keep only the user-id */
		unsigned char *colon = memchr(dec, ':', (size_t)n);
		if (colon)
			obs_user(ctx, dec, (size_t)(colon - dec));
		else
			obs_anomaly(ctx, HTTP_ANOM_BAD_BASIC, "no colon");
		OPENSSL_cleanse(dec, sizeof(dec));
	}
}

/* Parse one message head. Returns bytes consumed (through the empty line),
 * 0 if incomplete, or -1 on error. */
static long http_head(struct dis_ctx *ctx, struct http_state *st, enum dir dir,
		      const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	const char *line, *v;
	size_t ll, vlen;
	int r, nh = 0;
	bool first = dir == DIR_C2S ? !st->req_done : !st->resp_done;

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
	} else {
		if (ll < 12 || memcmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ' ||
		    !isdigit((unsigned char)line[9]) || !isdigit((unsigned char)line[10]) ||
		    !isdigit((unsigned char)line[11])) {
			obs_anomaly(ctx, HTTP_ANOM_BAD_STATUS_LINE, NULL);
			return -1;
		}
		if (first)
			obs_detail_int(ctx, "status", (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
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
			if (first && http_header(line, ll, "Host", &v, &vlen))
				obs_detail_str(ctx, "host", v, vlen);
			else if (http_header(line, ll, "Authorization", &v, &vlen))
				http_authorization(ctx, v, vlen);
			else if (first && http_header(line, ll, "User-Agent", &v, &vlen))
				obs_detail_str(ctx, "user_agent", v, vlen);
		} else if (first) {
			if (http_header(line, ll, "Location", &v, &vlen)) {
				obs_detail_str(ctx, "location", v, vlen);
				obs_detail_bool(ctx, "redirect_to_https",
						vlen >= 8 && strncasecmp(v, "https://", 8) == 0);
			} else if (http_header(line, ll, "Strict-Transport-Security", &v, &vlen)) {
				obs_detail_str(ctx, "hsts", v, vlen);
			} else if (http_header(line, ll, "Server", &v, &vlen)) {
				obs_detail_str(ctx, "server", v, vlen);
			}
		}
	}
	if (dir == DIR_C2S)
		st->req_done = true;
	else
		st->resp_done = true;
	return (long)cur_off(&c, p);
}

static struct dis_result http_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				    const uint8_t *p, size_t len)
{
	struct http_state *st = state;
	long n;

	obs_protocol(ctx, "http");
	obs_security(ctx, SEC_CLEARTEXT);
	obs_tls_offered(ctx, false);
	if ((dir == DIR_C2S && st->req_done) || (dir == DIR_S2C && st->resp_done))
		return dis_ok(len); /* bodies and later messages: not parsed */
	n = http_head(ctx, st, dir, p, len);
	if (n < 0)
		return dis_error(0);
	if (n == 0)
		return len >= HTTP_LINE_MAX * 4 ? dis_error(0) : dis_incomplete(0, len + 1);
	if (st->req_done && st->resp_done)
		return dis_done((size_t)n);
	return dis_ok(len); /* rest of this direction: body, not parsed */
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
