/* SPDX-License-Identifier: BSD-3-Clause */
/* xmpp.c — XMPP streams in clear up to the SASL outcome or the STARTTLS
 * hand-off (RFC 6120 §4.2-4.3 stream header and features, §5.4 STARTTLS,
 * §6.4 SASL, §11 restricted XML; XEP-0368 direct TLS on 5223 is the TLS
 * dissector's, tls_ports[]).
 *
 *   C: <?xml version='1.0'?><stream:stream to='example.org' version='1.0'
 *        xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>
 *   S: <?xml ...?><stream:stream from='example.org' id='..' version='1.0' ...>
 *      <stream:features>
 *        <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>
 *        <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>
 *          <mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism>
 *        </mechanisms>
 *      </stream:features>
 *   C: <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>
 *   S: <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>  -> hand-off to "tls"
 *      (or <failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>, stream closed)
 *   C: <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>b64</auth>
 *      [S: <challenge>b64</challenge>  C: <response>b64</response>]...
 *   S: <success .../>  |  <failure ...><not-authorized/></failure>
 *
 * No XML library: a small scanner reads one markup tag (`<...>`, quotes
 * respected, at most XMPP_TAG_MAX bytes) or one run of character data (at
 * most XMPP_TEXT_MAX bytes) at a time from the cursor and keeps a depth per
 * direction (at most XMPP_DEPTH_MAX); end tags are not matched against
 * their start tags, but for the stream's own. Only the elements below are looked at;
 * stanzas are skipped. Comments, DOCTYPE and processing instructions other
 * than the XML declaration are forbidden (RFC 6120 §11.1): an anomaly.
 *
 * Facts: `namespace` (jabber:client or jabber:server) and the client's
 * stream header `to`, `from`, `version`; the server's `server_from`,
 * `server_version`; the first features in clear: STARTTLS offered
 * (tls_offered) and `starttls_required`, `auth_offered` (the SASL
 * mechanisms); the client's <starttls/> (tls_requested), the answer
 * `starttls_response` (proceed or failure); <auth mechanism=...> through
 * src/dissect/sasl.c (PLAIN: user and credentials, never the payload),
 * <response/> the same way; `auth_result` (success or failure) and
 * `auth_failure` (the SASL condition, §6.5); `stream_error` (§4.9.3).
 *
 * Security: <proceed/> -> starttls; else a SASL <auth> or a stanza in clear
 * -> tls_refused (after a <failure/> to STARTTLS), starttls_not_used (when
 * offered), cleartext (src/dissect/textproto.c decides, as for IMAP). Done at
 * the SASL outcome, the hand-off, the end of the stream or after
 * XMPP_ELEMS_MAX client elements.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dissector.h"
#include "cursor.h"
#include "obs.h"
#include "textproto.h"
#include "sasl.h"

#define XMPP_TAG_MAX 4096
#define XMPP_TEXT_MAX (SASL_B64_MAX + 64)
#define XMPP_DEPTH_MAX 32
#define XMPP_ELEMS_MAX 256
#define XMPP_ATTR_MAX 16 /* attributes read (and checked) per tag */

enum {
	XMPP_ANOM_TAG_TOO_LONG = 1,
	XMPP_ANOM_TEXT_TOO_LONG,
	XMPP_ANOM_BAD_XML,
	XMPP_ANOM_RESTRICTED_XML,
	XMPP_ANOM_BAD_STREAM,
	XMPP_ANOM_TOO_DEEP,
	XMPP_ANOM_BAD_AUTH_RESPONSE,
};

static const struct anomaly_def xmpp_anomalies[] = {
	{ XMPP_ANOM_TAG_TOO_LONG, "tag_too_long" },
	{ XMPP_ANOM_TEXT_TOO_LONG, "text_too_long" },
	{ XMPP_ANOM_BAD_XML, "bad_xml" },
	{ XMPP_ANOM_RESTRICTED_XML, "restricted_xml" },
	{ XMPP_ANOM_BAD_STREAM, "bad_stream" },
	{ XMPP_ANOM_TOO_DEEP, "too_deep" },
	{ XMPP_ANOM_BAD_AUTH_RESPONSE, "bad_auth_response" },
	{ 0, NULL },
};

/* What the character data of the element being read means. */
enum xmpp_text { XT_NONE = 0, XT_MECHANISM, XT_AUTH, XT_RESPONSE };

struct xmpp_dir {
	unsigned depth;
	bool header_seen;
	enum xmpp_text text;       /* of the element open at text_depth */
	unsigned text_depth;
	bool in_features, in_starttls, in_failure, in_error;
	bool pending;              /* <starttls> / <proceed> as a start tag: act at its end */
};

struct xmpp_state {
	struct xmpp_dir d[2];
	bool ns_seen, features_done, auth_listed;
	bool offered, required, refused, after_refusal, tls_wait, in_auth;
	unsigned elems;
	struct sasl_exch sasl;
};

/* One tag: kind, name (prefix included) and its attribute bytes. */
enum xmpp_tag_kind { TAG_START, TAG_END, TAG_EMPTY, TAG_DECL };

struct xmpp_tag {
	enum xmpp_tag_kind kind;
	const char *name;
	size_t nlen;
	const char *attrs, *aend; /* between the name and '>' or '/>' */
};

static bool xmpp_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* XML NameChar, ASCII part; every byte >= 0x80 is let through (UTF-8). */
static bool xmpp_name_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == ':' || ch == '-' || ch == '_' || ch == '.' || ch >= 0x80;
}

/* The local part of a prefixed name ("stream:features" -> "features"). */
static bool xmpp_local_is(const char *n, size_t len, const char *lit)
{
	const char *colon = memchr(n, ':', len);
	size_t w = strlen(lit);
	if (colon) {
		len -= (size_t)(colon + 1 - n);
		n = colon + 1;
	}
	return len == w && memcmp(n, lit, w) == 0;
}

static bool xmpp_name_is(const char *n, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(n, lit, len) == 0;
}

/* Finds the end of the markup at c->p ('<'), quotes respected: returns 0
 * with *len covering '<' to '>', CUR_TRUNC, or CUR_CAP past XMPP_TAG_MAX. */
static int xmpp_tag_len(const struct cur *c, size_t *len)
{
	size_t n = cur_left(c), i, lim = n < XMPP_TAG_MAX ? n : XMPP_TAG_MAX;
	char q = 0;

	*len = 0;
	for (i = 1; i < lim; i++) {
		char ch = (char)c->p[i];
		if (q) {
			if (ch == q)
				q = 0;
		} else if (ch == '\'' || ch == '"') {
			q = ch;
		} else if (ch == '>') {
			*len = i + 1;
			return 0;
		}
	}
	return n < XMPP_TAG_MAX ? CUR_TRUNC : CUR_CAP;
}

/* Splits a whole tag t[0..n) ('<' .. '>'). Returns 0, CUR_INVALID (not
 * well-formed) or 1 (markup XMPP forbids: comment, DOCTYPE, CDATA, a
 * processing instruction other than the XML declaration). */
static int xmpp_tag_split(const char *t, size_t n, struct xmpp_tag *tag)
{
	const char *p = t + 1, *e = t + n - 1; /* inside '<' and '>' */

	memset(tag, 0, sizeof(*tag));
	tag->kind = TAG_START;
	if (p < e && *p == '!')
		return 1;
	if (p < e && *p == '?') {
		if (e - p < 4 || memcmp(p, "?xml", 4) != 0 || e[-1] != '?' ||
		    (e - p > 4 && !xmpp_ws(p[4]) && p[4] != '?'))
			return 1;
		tag->kind = TAG_DECL;
		tag->name = p + 1;
		tag->nlen = 3;
		return 0;
	}
	if (p < e && *p == '/') {
		tag->kind = TAG_END;
		p++;
	} else if (p < e && e[-1] == '/') {
		tag->kind = TAG_EMPTY;
		e--;
	}
	tag->name = p;
	while (p < e && xmpp_name_char((unsigned char)*p))
		p++;
	tag->nlen = (size_t)(p - tag->name);
	if (tag->nlen == 0 || (p < e && !xmpp_ws(*p)))
		return CUR_INVALID;
	tag->attrs = p;
	tag->aend = e;
	if (tag->kind == TAG_END) {
		while (p < e && xmpp_ws(*p))
			p++;
		if (p != e)
			return CUR_INVALID;
	}
	return 0;
}

/* The value of attribute `want` of a tag (raw, entities not expanded).
 * Returns 1 found, 0 not there, CUR_INVALID when the attribute list is not
 * well-formed (checked up to XMPP_ATTR_MAX attributes). */
static int xmpp_attr(const struct xmpp_tag *tag, const char *want, const char **v, size_t *vlen)
{
	const char *p = tag->attrs, *e = tag->aend;
	unsigned k;

	*v = NULL;
	*vlen = 0;
	for (k = 0; k < XMPP_ATTR_MAX; k++) {
		const char *an, *q;
		size_t al;
		while (p < e && xmpp_ws(*p))
			p++;
		if (p >= e)
			return 0;
		an = p;
		while (p < e && xmpp_name_char((unsigned char)*p))
			p++;
		al = (size_t)(p - an);
		while (p < e && xmpp_ws(*p))
			p++;
		if (al == 0 || p >= e || *p != '=')
			return CUR_INVALID;
		p++;
		while (p < e && xmpp_ws(*p))
			p++;
		if (p >= e || (*p != '\'' && *p != '"'))
			return CUR_INVALID;
		q = memchr(p + 1, *p, (size_t)(e - p - 1));
		if (!q)
			return CUR_INVALID;
		if (al == strlen(want) && memcmp(an, want, al) == 0) {
			*v = p + 1;
			*vlen = (size_t)(q - p - 1);
			return 1;
		}
		p = q + 1;
		if (p < e && !xmpp_ws(*p))
			return CUR_INVALID;
	}
	return 0;
}

static bool xmpp_attr_is(const struct xmpp_tag *tag, const char *want, const char *lit)
{
	const char *v;
	size_t n;
	return xmpp_attr(tag, want, &v, &n) == 1 && n == strlen(lit) && memcmp(v, lit, n) == 0;
}

/* Probe: optional whitespace, an optional XML declaration, then a
 * <stream:stream ...> start tag whose default namespace is jabber:client or
 * jabber:server (RFC 6120 §4.8.2; jabber:server also for §4.8.3 s2s). */
static enum probe_res xmpp_probe(enum dir dir, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	struct xmpp_tag tag;
	size_t n;
	int r;

	(void)dir;
	for (int step = 0; step < 2; step++) {
		while (cur_left(&c) > 0 && xmpp_ws((char)*c.p))
			c.p++;
		if (cur_left(&c) == 0)
			return PROBE_NEED_MORE;
		if (*c.p != '<')
			return PROBE_NOMATCH;
		if (step == 0) {
			r = cur_peek_lit(&c, "<?xml", 5);
			if (r == CUR_TRUNC)
				return PROBE_NEED_MORE;
			if (r != 0) {
				step = 1;
			} else {
				r = xmpp_tag_len(&c, &n);
				if (r != 0)
					return r == CUR_TRUNC ? PROBE_NEED_MORE : PROBE_NOMATCH;
				c.p += n;
				continue;
			}
		}
		r = cur_peek_lit(&c, "<stream:stream", 14);
		if (r != 0)
			return r == CUR_TRUNC ? PROBE_NEED_MORE : PROBE_NOMATCH;
		r = xmpp_tag_len(&c, &n);
		if (r != 0)
			return r == CUR_TRUNC ? PROBE_NEED_MORE : PROBE_NOMATCH;
		if (xmpp_tag_split((const char *)c.p, n, &tag) != 0 || tag.kind != TAG_START ||
		    !xmpp_name_is(tag.name, tag.nlen, "stream:stream"))
			return PROBE_NOMATCH;
		return xmpp_attr_is(&tag, "xmlns", "jabber:client") ||
				       xmpp_attr_is(&tag, "xmlns", "jabber:server")
			       ? PROBE_MATCH
			       : PROBE_NOMATCH;
	}
	return PROBE_NOMATCH;
}

/* A client element that means the session went on in clear: SASL, stanzas,
 * and s2s dialback. */
static const char *const xmpp_clear_elems[] = { "auth", "iq", "message", "presence", "db:result",
						"db:verify", NULL };
static const struct textproto_clear_cmds xmpp_clear = { .verbs = xmpp_clear_elems };

static void xmpp_str_attr(struct dis_ctx *ctx, const struct xmpp_tag *tag, const char *attr,
			  const char *key)
{
	const char *v;
	size_t n;
	if (xmpp_attr(tag, attr, &v, &n) == 1)
		obs_detail_str(ctx, key, v, n);
}

/* The stream header of either side. Returns -1 on error, 0 to go on. */
static int xmpp_stream_header(struct dis_ctx *ctx, struct xmpp_state *st, enum dir dir,
			      const struct xmpp_tag *tag)
{
	struct xmpp_dir *d = &st->d[dir];
	const char *v;
	size_t n;

	if (d->header_seen)
		return 0; /* a restart: not seen in clear before the end */
	d->header_seen = true;
	if (!st->ns_seen && xmpp_attr(tag, "xmlns", &v, &n) == 1) {
		st->ns_seen = true;
		obs_detail_str(ctx, "namespace", v, n);
	}
	if (dir == DIR_C2S) {
		xmpp_str_attr(ctx, tag, "to", "to");
		xmpp_str_attr(ctx, tag, "from", "from");
		xmpp_str_attr(ctx, tag, "version", "version");
	} else {
		xmpp_str_attr(ctx, tag, "from", "server_from");
		xmpp_str_attr(ctx, tag, "version", "server_version");
	}
	return 0;
}

/* A client start/empty tag at depth 2 (a child of the stream). Returns 2 to
 * pause (STARTTLS asked), -1 on error, 0 to go on. */
static int xmpp_client_elem(struct dis_ctx *ctx, struct xmpp_state *st, const struct xmpp_tag *tag)
{
	struct xmpp_dir *d = &st->d[DIR_C2S];
	const char *v;
	size_t n;

	if (st->elems++ == 0)
		obs_tls_requested(ctx, false);
	if (st->refused)
		st->after_refusal = true;
	textproto_went_on_in_clear(ctx, &xmpp_clear, tag->name, tag->nlen, st->refused, st->offered);
	if (xmpp_local_is(tag->name, tag->nlen, "starttls")) {
		obs_tls_requested(ctx, true);
		if (tag->kind == TAG_START) {
			d->pending = true; /* TLS follows its end tag */
			return 0;
		}
		st->tls_wait = true;
		return 2;
	}
	if (xmpp_local_is(tag->name, tag->nlen, "auth")) {
		if (xmpp_attr(tag, "mechanism", &v, &n) != 1) {
			obs_anomaly(ctx, XMPP_ANOM_BAD_STREAM, "auth without mechanism");
			return -1;
		}
		sasl_begin(&st->sasl, ctx, v, n);
		st->in_auth = true;
		if (tag->kind == TAG_START)
			d->text = XT_AUTH;
	} else if (xmpp_local_is(tag->name, tag->nlen, "response") && st->in_auth &&
		   tag->kind == TAG_START) {
		d->text = XT_RESPONSE;
	}
	return 0;
}

/* Character data c[0..n) of a client <auth> or <response>. */
static void xmpp_client_text(struct dis_ctx *ctx, struct xmpp_state *st, const char *s, size_t n)
{
	while (n > 0 && xmpp_ws(s[0])) {
		s++;
		n--;
	}
	while (n > 0 && xmpp_ws(s[n - 1]))
		n--;
	if (n == 0)
		return;
	if (sasl_response_b64(&st->sasl, ctx, s, n) != 0)
		obs_anomaly(ctx, XMPP_ANOM_BAD_AUTH_RESPONSE, "%s response %u", st->sasl.mech,
			    st->sasl.responses);
}

/* A server start/empty tag. Returns 1 done, 2 hand off, -1 error, 0 go on. */
static int xmpp_server_elem(struct dis_ctx *ctx, struct xmpp_state *st, const struct xmpp_tag *tag,
			    unsigned depth)
{
	struct xmpp_dir *d = &st->d[DIR_S2C];
	const char *nm = tag->name;
	size_t nl = tag->nlen;

	if (depth == 2) {
		d->in_features = d->in_starttls = d->in_failure = d->in_error = false;
		if (xmpp_name_is(nm, nl, "stream:features")) {
			d->in_features = !st->features_done;
			if (tag->kind == TAG_EMPTY && !st->features_done) {
				st->features_done = true;
				obs_tls_offered(ctx, false);
			}
		} else if (xmpp_name_is(nm, nl, "stream:error")) {
			d->in_error = true;
			if (st->tls_wait) {
				/* a server without TLS may close the stream instead
				 * of answering <failure/> (prosody 0.12 without
				 * mod_tls: unsupported-stanza-type) */
				st->tls_wait = false;
				st->refused = true;
				obs_detail_str(ctx, "starttls_response", "stream_error", 12);
			}
		} else if (xmpp_local_is(nm, nl, "proceed") && st->tls_wait) {
			obs_detail_str(ctx, "starttls_response", "proceed", 7);
			if (tag->kind == TAG_START) {
				d->pending = true; /* TLS follows its end tag */
				return 0;
			}
			obs_security(ctx, SEC_STARTTLS);
			return 2;
		} else if (xmpp_local_is(nm, nl, "failure")) {
			const char *v;
			size_t n;
			bool tls = st->tls_wait ||
				   (xmpp_attr(tag, "xmlns", &v, &n) == 1 && n >= 8 &&
				    memcmp(v + n - 8, "xmpp-tls", 8) == 0);
			if (tls) {
				st->tls_wait = false;
				st->refused = true;
				obs_detail_str(ctx, "starttls_response", "failure", 7);
				return 0;
			}
			if (st->in_auth) {
				obs_detail_str(ctx, "auth_result", "failure", 7);
				if (tag->kind == TAG_EMPTY)
					return 1;
				d->in_failure = true;
			}
		} else if (xmpp_name_is(nm, nl, "db:result")) {
			/* XEP-0220 §2.1.3: the receiving server's verdict on dialback */
			const char *v;
			size_t n;
			if (xmpp_attr(tag, "type", &v, &n) == 1) {
				obs_detail_str(ctx, "dialback_result", v, n);
				return 1;
			}
		} else if (xmpp_local_is(nm, nl, "success") && st->in_auth) {
			obs_detail_str(ctx, "auth_result", "success", 7);
			return 1;
		}
		return 0;
	}
	if (depth == 3 && (d->in_failure || d->in_error)) {
		/* the defined condition (RFC 6120 §6.5, §4.9.3); <text/> is prose */
		if (!xmpp_local_is(nm, nl, "text"))
			obs_detail_str(ctx, d->in_failure ? "auth_failure" : "stream_error", nm, nl);
		return 0;
	}
	if (!d->in_features)
		return 0;
	if (depth == 3) {
		d->in_starttls = false;
		if (xmpp_local_is(nm, nl, "starttls")) {
			st->offered = true;
			d->in_starttls = tag->kind == TAG_START;
			obs_tls_offered(ctx, true);
			if (tag->kind == TAG_EMPTY)
				obs_detail_bool(ctx, "starttls_required", false);
		}
	} else if (depth == 4 && d->in_starttls && xmpp_local_is(nm, nl, "required")) {
		st->required = true;
	} else if (depth == 4 && xmpp_local_is(nm, nl, "mechanism") && tag->kind == TAG_START &&
		   !st->auth_listed) {
		d->text = XT_MECHANISM;
	}
	return 0;
}

static struct dis_result xmpp_parse(struct dis_ctx *ctx, void *state, enum dir dir,
				    const uint8_t *p, size_t len)
{
	struct xmpp_state *st = state;
	struct xmpp_dir *d = &st->d[dir];
	struct cur c = cur_make(p, len);

	obs_protocol(ctx, "xmpp");
	for (;;) {
		size_t before = cur_off(&c, p), n;
		struct xmpp_tag tag;
		unsigned depth;
		int r, k = 0;

		if (dir == DIR_C2S && st->tls_wait)
			return dis_ok(before);
		if (cur_left(&c) == 0)
			return dis_ok(before);
		if (*c.p != '<') {
			/* character data up to the next tag */
			const uint8_t *lt = memchr(c.p, '<', cur_left(&c));
			const char *s = (const char *)c.p;
			bool wanted = d->text != XT_NONE && d->depth == d->text_depth;
			n = lt ? (size_t)(lt - c.p) : cur_left(&c);
			/* text we read is taken whole (capped); other text is skipped
			 * as it comes, whatever its length (a message body) */
			if (wanted && n >= XMPP_TEXT_MAX) {
				obs_anomaly(ctx, XMPP_ANOM_TEXT_TOO_LONG, "%s", dir == DIR_C2S ? "client" : "server");
				return dis_error(before);
			}
			if (wanted && !lt)
				return dis_incomplete(before, n + 1);
			if (d->depth <= 1) {
				for (size_t i = 0; i < n; i++)
					if (!xmpp_ws(s[i])) {
						obs_anomaly(ctx, XMPP_ANOM_BAD_XML, "%s: text outside an element",
							    dir == DIR_C2S ? "client" : "server");
						return dis_error(before);
					}
			} else if (wanted && d->text == XT_MECHANISM) {
				obs_detail_list_str(ctx, "auth_offered", s, n);
			} else if (wanted) {
				xmpp_client_text(ctx, st, s, n);
			}
			c.p += n;
			continue;
		}
		r = xmpp_tag_len(&c, &n);
		if (r == CUR_TRUNC)
			return dis_incomplete(before, cur_left(&c) + 1);
		if (r != 0) {
			obs_anomaly(ctx, XMPP_ANOM_TAG_TOO_LONG, "%s", dir == DIR_C2S ? "client" : "server");
			return dis_error(before);
		}
		r = xmpp_tag_split((const char *)c.p, n, &tag);
		if (r == 1) {
			obs_anomaly(ctx, XMPP_ANOM_RESTRICTED_XML, "%s: %.2s", dir == DIR_C2S ? "client" : "server",
				    (const char *)c.p + 1);
			return dis_error(before);
		}
		if (r != 0) {
			obs_anomaly(ctx, XMPP_ANOM_BAD_XML, "%s: malformed tag", dir == DIR_C2S ? "client" : "server");
			return dis_error(before);
		}
		if (tag.kind == TAG_START || tag.kind == TAG_EMPTY) {
			/* every attribute well-formed ("" matches none) */
			const char *v;
			size_t vl;
			if (xmpp_attr(&tag, "", &v, &vl) < 0) {
				obs_anomaly(ctx, XMPP_ANOM_BAD_XML, "%s: malformed attribute",
					    dir == DIR_C2S ? "client" : "server");
				return dis_error(before);
			}
		}
		c.p += n;
		if (tag.kind == TAG_DECL) {
			if (d->header_seen) {
				obs_anomaly(ctx, XMPP_ANOM_RESTRICTED_XML, "XML declaration inside the stream");
				return dis_error(before);
			}
			continue;
		}
		if (tag.kind == TAG_END) {
			/* end tags are not matched against their start tags (no name
			 * stack), except the stream's own */
			if (d->depth == 0 ||
			    (d->depth == 1 && !xmpp_name_is(tag.name, tag.nlen, "stream:stream"))) {
				obs_anomaly(ctx, XMPP_ANOM_BAD_XML, "%s: end tag without start",
					    dir == DIR_C2S ? "client" : "server");
				return dis_error(before);
			}
			if (d->text != XT_NONE && d->depth == d->text_depth) {
				/* <auth .../> with no text: no initial response */
				d->text = XT_NONE;
			}
			if (dir == DIR_S2C && d->depth == 2) {
				if (d->in_features && !st->features_done) {
					st->features_done = true;
					if (!st->offered)
						obs_tls_offered(ctx, false);
				}
				if (d->in_features)
					st->auth_listed = true; /* the first list in clear is kept */
				if (d->in_failure && st->in_auth)
					return dis_done(cur_off(&c, p));
			}
			if (dir == DIR_S2C && d->depth == 3 && d->in_starttls) {
				/* </starttls> of the features: required or not (§5.3.1) */
				d->in_starttls = false;
				obs_detail_bool(ctx, "starttls_required", st->required);
			}
			if (d->pending && d->depth == 2) {
				/* </starttls> or </proceed> */
				d->pending = false;
				d->depth--;
				if (dir == DIR_C2S) {
					st->tls_wait = true;
					return dis_ok(cur_off(&c, p));
				}
				obs_security(ctx, SEC_STARTTLS);
				if (dis_handoff(ctx, "tls") != 0)
					return dis_done(cur_off(&c, p));
				return dis_ok(cur_off(&c, p));
			}
			d->depth--;
			if (d->depth == 0) /* </stream:stream> */
				return dis_done(cur_off(&c, p));
			continue;
		}
		/* a start or empty tag */
		depth = d->depth + 1;
		if (!d->header_seen && depth != 1) {
			obs_anomaly(ctx, XMPP_ANOM_BAD_STREAM, "no stream header");
			return dis_error(before);
		}
		if (depth == 1) {
			if (!xmpp_name_is(tag.name, tag.nlen, "stream:stream") || tag.kind != TAG_START) {
				obs_anomaly(ctx, XMPP_ANOM_BAD_STREAM, "first element is not <stream:stream>");
				return dis_error(before);
			}
			const char *v;
			if (xmpp_attr(&tag, "xmlns", &v, &n) < 0) {
				obs_anomaly(ctx, XMPP_ANOM_BAD_XML, "stream header attributes");
				return dis_error(before);
			}
			xmpp_stream_header(ctx, st, dir, &tag);
		} else if (dir == DIR_C2S && depth == 2) {
			k = xmpp_client_elem(ctx, st, &tag);
			if (tag.kind == TAG_START && st->d[DIR_C2S].text != XT_NONE)
				st->d[DIR_C2S].text_depth = depth;
		} else if (dir == DIR_S2C) {
			enum xmpp_text before_text = d->text;
			k = xmpp_server_elem(ctx, st, &tag, depth);
			if (d->text != before_text)
				d->text_depth = depth;
		}
		if (k < 0)
			return dis_error(before);
		if (k == 1)
			return dis_done(cur_off(&c, p));
		if (k == 2 && dir == DIR_S2C) {
			if (dis_handoff(ctx, "tls") != 0)
				return dis_done(cur_off(&c, p));
			return dis_ok(cur_off(&c, p));
		}
		if (k == 2) /* the client's <starttls/>: TLS may follow it */
			return dis_ok(cur_off(&c, p));
		if (tag.kind == TAG_START) {
			if (depth > XMPP_DEPTH_MAX) {
				obs_anomaly(ctx, XMPP_ANOM_TOO_DEEP, "%s", dir == DIR_C2S ? "client" : "server");
				return dis_error(before);
			}
			d->depth = depth;
		}
		if (st->elems > XMPP_ELEMS_MAX)
			return dis_done(cur_off(&c, p));
	}
}

static void xmpp_flow_end(struct dis_ctx *ctx, void *state)
{
	struct xmpp_state *st = state;

	textproto_flow_end(ctx, st->elems, st->refused, st->after_refusal, st->tls_wait, st->offered);
}

/* 5223 (XEP-0368 direct TLS) is in the TLS dissector's hints. */
static const uint16_t xmpp_ports[] = { 5222, 5269, 0 };

const struct dissector dissector_xmpp = {
	.name = "xmpp",
	.transport = DIS_TCP,
	.ports = xmpp_ports,
	.probe = xmpp_probe,
	.state_size = sizeof(struct xmpp_state),
	.parse = xmpp_parse,
	.flow_end = xmpp_flow_end,
	.anomalies = xmpp_anomalies,
};
