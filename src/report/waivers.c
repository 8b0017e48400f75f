/* SPDX-License-Identifier: BSD-3-Clause */
/* waivers.c — accepted findings (--waivers) and the comparison with a
 * previous report (--baseline), and the fuzzing entry that parses those
 * files and the config with the code the report uses. */
#include "report_int.h"
#include "conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- waivers ---- */


static int rp_parse_waivers(const char *path, char *buf, struct rp_waiver **out, int *nout)
{
	char *line, *next;
	struct rp_waiver *w = NULL;
	int n = 0, lineno = 0, rc = 0;
	for (line = buf; line && rc == 0; line = next) {
		struct wa_conf_word t[WA_CONF_WORDS_MAX];
		struct rp_waiver cur;
		const char *why = NULL;
		int nt, i;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		if (strchr(line, '\r'))
			*strchr(line, '\r') = 0;
		nt = wa_conf_words(line, t, &why);
		if (nt < 0)
			goto bad;
		if (nt == 0)
			continue;
		memset(&cur, 0, sizeof(cur));
		cur.port = -1;
		cur.line = lineno;
		if (t[0].key || strcmp(t[0].val, "waive") != 0) {
			why = "a waiver line starts with the word waive";
			goto bad;
		}
		for (i = 1; i < nt; i++) {
			char **slot = NULL;
			const char *k = t[i].key;
			char *v = t[i].val;
			if (k == NULL) {
				why = "expected key=value";
				goto bad;
			}
			if (strcmp(k, "requirement") == 0) slot = &cur.req;
			else if (strcmp(k, "kind") == 0) slot = &cur.kind;
			else if (strcmp(k, "server") == 0) slot = &cur.server;
			else if (strcmp(k, "protocol") == 0) slot = &cur.protocol;
			else if (strcmp(k, "reason") == 0) slot = &cur.reason;
			else if (strcmp(k, "owner") == 0) slot = &cur.owner;
			else if (strcmp(k, "port") == 0) {
				char *end;
				long pv;
				if (cur.port != -1) { why = "repeated key port"; goto bad; }
				errno = 0;
				pv = strtol(v, &end, 10);
				if (errno || end == v || *end || pv < 0 || pv > 65535) {
					why = "port must be 0..65535";
					goto bad;
				}
				cur.port = (int)pv;
				continue;
			} else if (strcmp(k, "expires") == 0) {
				int64_t ts;
				if (cur.expires[0]) { why = "repeated key expires"; goto bad; }
				if (strlen(v) != 10 || v[4] != '-' || v[7] != '-' || (ts = rfc3339_to_ts(v)) < 0) {
					why = "expires must be a date YYYY-MM-DD";
					goto bad;
				}
				snprintf(cur.expires, sizeof(cur.expires), "%s", v);
				cur.expires_ts = ts + 86400LL * 1000000 - 1;
				continue;
			} else {
				why = "unknown key (requirement, kind, server, port, protocol, reason, owner, expires)";
				goto bad;
			}
			if (*slot) {
				why = "repeated key";
				goto bad;
			}
			if (*v == 0) {
				why = "empty value";
				goto bad;
			}
			*slot = v;
		}
		if (!cur.req || !cur.reason || !cur.owner || !cur.expires[0]) {
			why = "requirement, reason, owner and expires are required";
			goto bad;
		}
		for (i = 0; i < rp_nreqs; i++)
			if (strcmp(rp_reqs[i].id, cur.req) == 0)
				break;
		if (i == rp_nreqs) {
			why = "unknown requirement id";
			goto bad;
		}
		if (n >= RP_WAIVERS_MAX) {
			why = "too many waivers";
			goto bad;
		}
		{
			struct rp_waiver *nw = realloc(w, sizeof(*w) * (size_t)(n + 1));
			if (nw == NULL) {
				why = "out of memory";
				goto bad;
			}
			w = nw;
		}
		cur.req = rp_xstrdup(cur.req);
		cur.kind = rp_xstrdup(cur.kind);
		cur.server = rp_xstrdup(cur.server);
		cur.protocol = rp_xstrdup(cur.protocol);
		cur.reason = rp_xstrdup(cur.reason);
		cur.owner = rp_xstrdup(cur.owner);
		w[n++] = cur;
		continue;
bad:
		fprintf(stderr, "wireaudit: %s:%d: %s\n", path, lineno, why);
		rc = -1;
	}
	*out = w;
	*nout = n;
	return rc;
}

int rp_load_waivers(struct rp_report *rep, const char *path, struct rp_waiver **out, int *nout)
{
	char *buf = rp_read_file(path, NULL);
	int rc;
	(void)rep;
	if (buf == NULL)
		return -1;
	rc = rp_parse_waivers(path, buf, out, nout);
	free(buf);
	return rc;
}

void rp_free_waivers(struct rp_waiver *w, int n)
{
	int i;
	for (i = 0; i < n; i++) {
		free(w[i].req); free(w[i].kind); free(w[i].server);
		free(w[i].protocol); free(w[i].reason); free(w[i].owner);
	}
	free(w);
}

void rp_apply_waivers(struct rp_report *rep, struct rp_waiver *w, int nw)
{
	int i, j, k;
	for (i = 0; i < rep->nreqs; i++)
		for (j = 0; j < rep->reqs[i].nfindings; j++) {
			struct rp_finding *f = rep->reqs[i].findings[j];
			if (!f->k->violation)
				continue;
			for (k = 0; k < nw; k++) {
				if (strcmp(w[k].req, f->k->req) != 0 ||
				    (w[k].kind && strcmp(w[k].kind, f->k->kind) != 0) ||
				    (w[k].server && strcmp(w[k].server, f->server_ip) != 0) ||
				    (w[k].port >= 0 && w[k].port != f->server_port) ||
				    (w[k].protocol && (f->protocol == NULL || strcmp(w[k].protocol, f->protocol) != 0)))
					continue;
				f->waiver_reason = w[k].reason;
				f->waiver_owner = w[k].owner;
				f->waiver_expires = w[k].expires;
				if (w[k].expires_ts < rep->generated_at) {
					f->waiver_expired = true;
					f->waived = false;
					f->failing = true;
					continue; /* a later, valid waiver may still match */
				}
				f->waived = true;
				f->waiver_expired = false;
				f->failing = false;
				break;
			}
		}
}

/* ---- baseline ---- */

struct rp_base {
	char **keys;
	char **reqs;
	size_t n, cap;
};

static int cb_base(int n, const char *const *v, void *a)
{
	struct rp_base *b = a;
	size_t c2;
	if (n < 2 || v[0] == NULL || v[1] == NULL)
		return 0;
	c2 = b->cap;
	b->keys = rp_grow(b->keys, &b->cap, b->n, sizeof(char *));
	b->reqs = rp_grow(b->reqs, &c2, b->n, sizeof(char *));
	b->keys[b->n] = rp_xstrdup(v[1]);
	b->reqs[b->n] = rp_xstrdup(v[0]);
	b->n++;
	return 0;
}

/* Marks findings new/open and collects resolved keys from the baseline
 * report's text (NUL-terminated; not kept). Both sides are every finding
 * (nothing is left out of a report), matched through hash sets. */
static int rp_baseline_text(struct rp_report *rep, const char *path, const char *text)
{
	int64_t ver = -1;
	struct rp_base b = { NULL, NULL, 0, 0 };
	struct rp_strs prev, cur;
	size_t k;
	int i, j, rc = 0;

	memset(&prev, 0, sizeof(prev));
	memset(&cur, 0, sizeof(cur));
	/* the baseline is a file, not the store: read on a connection of its
	 * own (store_json_query), so the store's backend needs no JSON */
	if (store_json_query(text, "SELECT CASE WHEN json_valid(?1) THEN COALESCE(json_extract(?1, '$.schema_version'), -1)"
			     " ELSE -1 END", rp_cb_int1, &ver) != 0 || ver < 1 || ver > REPORT_SCHEMA_VERSION) {
		fprintf(stderr, "wireaudit: %s: not a wireaudit JSON report (schema_version 1 to %d)\n",
			path, REPORT_SCHEMA_VERSION);
		return -1;
	}
	/* Only what was failing (or waived) before counts as open/resolved;
	 * the V12.1 guidance is in "guidance" (in "requirements" before
	 * issue 20: an older baseline is read the same). */
	if (store_json_query(text, "SELECT json_extract(r.value, '$.id'), json_extract(f.value, '$.key')"
			     " FROM (SELECT value FROM json_each(?1, '$.requirements')"
			     " UNION ALL SELECT value FROM json_each(?1, '$.guidance')) r,"
			     " json_each(r.value, '$.findings') f"
			     " WHERE json_extract(f.value, '$.severity') != 'info'", cb_base, &b) != 0) {
		rc = -1;
		goto out;
	}
	for (k = 0; k < b.n; k++)
		rp_str_id(&prev, b.keys[k], true);
	for (i = 0; i < rep->nreqs; i++)
		for (j = 0; j < rep->reqs[i].nfindings; j++) {
			struct rp_finding *f = rep->reqs[i].findings[j];
			f->baseline = rp_str_id(&prev, f->key, false) != UINT32_MAX ? "open" : "new";
			rp_str_id(&cur, f->key, true);
		}
	for (k = 0; k < b.n; k++) {
		if (rp_str_id(&cur, b.keys[k], false) != UINT32_MAX)
			continue;
		for (i = 0; i < rep->nreqs; i++)
			if (strcmp(rep->reqs[i].id, b.reqs[k]) == 0) {
				struct rp_req *r = &rep->reqs[i];
				char **nr = realloc(r->resolved, sizeof(char *) * (size_t)(r->nresolved + 1));
				if (nr == NULL) {
					rc = -1;
					goto out;
				}
				r->resolved = nr;
				r->resolved[r->nresolved++] = rp_xstrdup(b.keys[k]);
				break;
			}
	}
out:
	for (k = 0; k < b.n; k++) {
		free(b.keys[k]);
		free(b.reqs[k]);
	}
	free(b.keys);
	free(b.reqs);
	rp_strs_free(&prev);
	rp_strs_free(&cur);
	return rc;
}

int rp_apply_baseline(struct rp_report *rep, const char *path)
{
	char *text = rp_read_file(path, NULL);
	int rc;
	if (text == NULL)
		return -1;
	rc = rp_baseline_text(rep, path, text);
	free(text);
	return rc;
}

/* ---- fuzzing entry (fuzz/fuzz_config.c) ---- */

int rp_parse_buffer(struct store *st, int which, const uint8_t *data, size_t len)
{
	struct report_opts o;
	struct rp_report *rep;
	struct rp_waiver *w = NULL;
	char *buf;
	int nw = 0, rc = -1;

	if (len > RP_FILE_MAX)
		return -1;
	buf = rp_xcalloc(1, len + 1);
	memcpy(buf, data, len);
	report_opts_init(&o);
	rep = rp_xcalloc(1, sizeof(*rep));
	rep->o = &o;
	rep->st = st;
	switch (which) {
	case RP_BUF_CONFIG:
		rc = rp_parse_config(rep, &o, "fuzz-config", buf, len);
		/* report_run keeps these for the process's life; here they go */
		free((char *)o.geoip);
		free((char *)o.asn);
		break;
	case RP_BUF_WAIVERS:
		rc = rp_parse_waivers("fuzz-waivers", buf, &w, &nw);
		rp_free_waivers(w, nw);
		break;
	case RP_BUF_BASELINE:
		if (st != NULL)
			rc = rp_baseline_text(rep, "fuzz-baseline", buf);
		break;
	case RP_BUF_PROFILE:
		rc = rp_profile_parse_buffer(NULL, buf, len);
		break;
	default:
		break;
	}
	free(rep);
	free(buf);
	return rc;
}

