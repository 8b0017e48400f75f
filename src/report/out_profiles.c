/* SPDX-License-Identifier: BSD-3-Clause */
/* out_profiles.c — the compliance profiles' sections (profile.c,
 * docs/PROFILES.md) for the text, Markdown and HTML reports: the matrix
 * (topic x profile), each chosen profile's rules with their clause,
 * status and violating servers (the first --list; the JSON report holds
 * all), the servers' configuration classes and the certificate inventory.
 * One emitter; each format gives its markup and its escaping (every string
 * from the wire or a profile file goes through esc). */
#include "report_int.h"

#include <string.h>

static void lit(FILE *out, const char *s)
{
	if (s)
		fputs(s, out);
}

static void cell(const struct rp_pstyle *S, FILE *out, const char *s, bool head, int width)
{
	size_t n = s ? strlen(s) : 0;
	lit(out, head ? S->hcell_open : S->cell_open);
	S->esc(out, s ? s : "-");
	if (S->pad)
		for (; (int)n < width; n++)
			fputc(' ', out);
	lit(out, head ? S->hcell_close : S->cell_close);
}

/* A matrix cell: a status as the format shows one, or in capitals padded
 * (text); "-" when the profile has no rule on the topic. */
static void status_cell(const struct rp_pstyle *S, FILE *out, const char *st)
{
	char up[40];
	int k;
	if (st && S->status_cell) {
		lit(out, S->cell_open);
		S->status(out, st);
		lit(out, S->cell_close);
		return;
	}
	for (k = 0; st && st[k] && k < 39; k++)
		up[k] = st[k] == '_' ? ' ' : (char)(st[k] >= 'a' && st[k] <= 'z' ? st[k] - 32 : st[k]);
	up[k] = 0;
	cell(S, out, st ? up : "-", false, 22);
}

static void srvname(const struct rp_pstyle *S, FILE *out, const char *ip, int port, const char *proto)
{
	char b[32];
	S->esc(out, ip);
	snprintf(b, sizeof(b), ":%d", port);
	lit(out, b);
	if (proto) {
		lit(out, "/");
		S->esc(out, proto);
	}
}

void rp_out_profiles(const struct rp_report *rep, FILE *out, const struct rp_pstyle *S)
{
	char b[512], nb[48];
	int i, j, k, t, w0 = 32;

	if (!rep->prof_extra && !rep->inv_on)
		return;
	lit(out, S->sec_open);
	lit(out, "Compliance profiles");
	lit(out, S->sec_close);
	lit(out, S->par_open);
	lit(out, "The same observations judged against other rulebooks (docs/PROFILES.md). Each rule cites its "
		 "clause; a cell of the matrix is the worst status of the profile's rules on that topic "
		 "(fail, then not observable, then pass); - : the profile has no rule on it.");
	lit(out, S->par_close);
	/* the matrix */
	lit(out, S->tab_open);
	lit(out, S->row_open);
	cell(S, out, "Topic", true, w0);
	for (i = 0; i < rep->nprof_shown; i++)
		cell(S, out, rep->prof[i].name, true, 22);
	lit(out, S->row_close);
	if (S->head_sep) {
		lit(out, "|---");
		for (i = 0; i < rep->nprof_shown; i++)
			lit(out, "|---");
		lit(out, "|\n");
	}
	for (t = 0; t < RP_NTOPICS; t++) {
		lit(out, S->row_open);
		cell(S, out, rp_topics[t], false, w0);
		for (i = 0; i < rep->nprof_shown; i++) {
			const char *st = rp_profile_cell(&rep->prof[i], t);
			status_cell(S, out, st);
		}
		lit(out, S->row_close);
	}
	lit(out, S->row_open);
	cell(S, out, "Profile", false, w0);
	for (i = 0; i < rep->nprof_shown; i++) {
		status_cell(S, out, rep->prof[i].status);
	}
	lit(out, S->row_close);
	lit(out, S->tab_close);

	/* each chosen profile's rules (asvs5's are the V12 section's) */
	for (i = 0; i < rep->nprof_shown; i++) {
		const struct rp_profile *p = &rep->prof[i];
		lit(out, S->sub_open);
		S->esc(out, p->name);
		lit(out, ": ");
		S->esc(out, p->title);
		lit(out, S->sub_close);
		lit(out, S->par_open);
		S->status(out, p->status);
		snprintf(b, sizeof(b), " %d fail, %d pass, %d not observable, %d not observed", p->nfail, p->npass,
			 p->nnotobs, p->nnotseen);
		lit(out, b);
		if (p->version) {
			lit(out, "; edition ");
			S->esc(out, p->version);
		}
		if (p->source) {
			lit(out, "; source ");
			S->esc(out, p->source);
		}
		lit(out, S->par_close);
		if (strcmp(p->name, "asvs5") == 0) {
			lit(out, S->par_open);
			lit(out, "Its rules are the V12 requirements of this report, with the findings behind each.");
			lit(out, S->par_close);
			continue;
		}
		lit(out, S->list_open);
		for (j = 0; j < p->nnotes; j++) {
			lit(out, S->item_open);
			lit(out, "note: ");
			S->esc(out, p->notes[j]);
			lit(out, S->item_close);
		}
		for (j = 0; j < p->nrules; j++) {
			const struct rp_prule *r = &p->rules[j];
			int n = rep->o->list == 0 || rep->o->list > r->nviol ? r->nviol : rep->o->list;
			int64_t rest = 0;
			lit(out, S->item_open);
			S->status(out, r->status);
			lit(out, " ");
			S->esc(out, r->id);
			if (r->scope) {
				lit(out, " (scope ");
				lit(out, rp_scope_name(r->scope));
				lit(out, ")");
			}
			lit(out, ": ");
			S->esc(out, r->title);
			lit(out, S->br);
			lit(out, "clause: ");
			S->esc(out, r->clause);
			lit(out, S->br);
			lit(out, "check: ");
			S->esc(out, rp_prule_check(r));
			if (r->args && *r->args) {
				lit(out, " ");
				S->esc(out, r->args);
			}
			lit(out, S->br);
			S->esc(out, r->reason);
			if (r->ck && r->nviol == 0 && strcmp(rp_prule_check(r), "asvs") == 0 &&
			    strcmp(r->status, "fail") == 0)
				lit(out, " (the findings are in the V12 section)");
			for (k = 0; k < n; k++) {
				const struct rp_pviol *v = &r->viol[k];
				lit(out, S->br);
				lit(out, "  ");
				srvname(S, out, v->ip, v->port, v->protocol);
				lit(out, ": ");
				lit(out, rp_plural(v->flows, "flow", "flows", nb, sizeof(nb)));
				lit(out, ": ");
				S->esc(out, v->evidence);
			}
			for (k = n; k < r->nviol; k++)
				rest += r->viol[k].flows;
			if (n < r->nviol) {
				snprintf(b, sizeof(b), "  ... and %d more servers, %lld flows (the JSON report lists all)",
					 r->nviol - n, (long long)rest);
				lit(out, S->br);
				lit(out, b);
			}
			lit(out, S->item_close);
		}
		lit(out, S->list_close);
	}

	/* server classes */
	if (rep->pfamily) {
		int counts[10] = { 0 }, none = 0, n = 0;
		const struct rp_profile *byrank[10] = { NULL };
		for (i = 0; i < rep->nprof; i++)
			if (rep->prof[i].family && strcmp(rep->prof[i].family, rep->pfamily) == 0 &&
			    rep->prof[i].rank < 10)
				byrank[rep->prof[i].rank] = &rep->prof[i];
		for (i = 0; i < rep->npclass; i++) {
			if (rep->pclass[i].cls)
				counts[rep->pclass[i].cls->rank]++;
			else
				none++;
		}
		lit(out, S->sub_open);
		lit(out, "Server configuration classes (");
		S->esc(out, rep->pfamily);
		lit(out, ")");
		lit(out, S->sub_close);
		lit(out, S->par_open);
		lit(out, "Each TLS server is placed in the strictest class that none of its observed handshakes "
			 "violates (what its clients made it negotiate: a server may accept more than it was seen to).");
		snprintf(b, sizeof(b), " Servers %d:", rep->npclass);
		lit(out, b);
		for (i = 1; i < 10; i++)
			if (byrank[i]) {
				lit(out, " ");
				S->esc(out, byrank[i]->name);
				snprintf(b, sizeof(b), " %d,", counts[i]);
				lit(out, b);
			}
		snprintf(b, sizeof(b), " none %d.", none);
		lit(out, b);
		lit(out, S->par_close);
		lit(out, S->list_open);
		for (i = 0; i < rep->npclass; i++) {
			const struct rp_pclass *c = &rep->pclass[i];
			if (rep->o->list && n >= rep->o->list)
				break;
			n++;
			lit(out, S->item_open);
			srvname(S, out, c->ip, c->port, c->protocol);
			lit(out, ": ");
			S->esc(out, c->cls ? c->cls->name : "none");
			snprintf(b, sizeof(b), " (%s)", rp_plural(c->flows, "flow", "flows", nb, sizeof(nb)));
			lit(out, b);
			if (c->why) {
				lit(out, "; violates ");
				S->esc(out, c->why);
			}
			lit(out, S->item_close);
		}
		if (n < rep->npclass) {
			lit(out, S->item_open);
			snprintf(b, sizeof(b), "... and %d more servers (the JSON report lists all)", rep->npclass - n);
			lit(out, b);
			lit(out, S->item_close);
		}
		lit(out, S->list_close);
	}

	lit(out, S->par_open);
	snprintf(b, sizeof(b), "Exit status %d: ", (rep->asvs_on && rep->any_fail) || rep->prof_fail ? 6 : 0);
	lit(out, b);
	lit(out, rep->asvs_on ? "the V12 requirements at the level and the chosen profiles decide it."
		 : "asvs5 was not chosen, so only the chosen profiles decide it (the V12 section is shown all the same).");
	lit(out, S->par_close);

	/* the certificate inventory */
	if (rep->inv_on) {
		int n = 0;
		lit(out, S->sub_open);
		lit(out, "Certificate inventory");
		lit(out, S->sub_close);
		lit(out, S->par_open);
		for (i = 0, n = 0; i < rep->ninv; i++)
			n += rep->inv[i].client;
		snprintf(b, sizeof(b), "%d leaf certificate%s presented by servers and %d by clients (mutual TLS) in the "
			 "window, the soonest to expire first (TLS 1.3 certificates are seen only with a key log).",
			 rep->ninv - n, rep->ninv - n == 1 ? "" : "s", n);
		n = 0;
		lit(out, b);
		lit(out, S->par_close);
		lit(out, S->list_open);
		for (i = 0; i < rep->ninv; i++) {
			const struct rp_invcert *c = &rep->inv[i];
			char ts[TSSTR_MAX];
			if (rep->o->list && n >= rep->o->list)
				break;
			n++;
			lit(out, S->item_open);
			if (c->client)
				lit(out, "client certificate: ");
			S->esc(out, c->subject ? c->subject : "(unparsed)");
			lit(out, S->br);
			lit(out, "issuer ");
			S->esc(out, c->issuer);
			lit(out, "; valid until ");
			lit(out, c->not_after ? rp_ts(c->not_after * 1000000, ts, sizeof(ts)) : "-");
			if (c->not_after && c->not_after * 1000000 < rep->win_last)
				lit(out, " (EXPIRED before the window's end)");
			lit(out, "; key ");
			S->esc(out, c->key);
			lit(out, ", signature ");
			S->esc(out, c->sig_hash);
			lit(out, c->self_signed == 1 ? ", self-signed" : "");
			lit(out, c->trusted == 1 ? ", trusted" : c->trusted == 0 ? ", NOT trusted" : ", trust unknown");
			lit(out, S->br);
			if (c->client) {   /* "presented by 10.0.0.5 to 2 servers, " */
				lit(out, "presented by ");
				S->esc(out, c->first_server);
				lit(out, c->servers > 1 ? ", ..." : "");
				snprintf(b, sizeof(b), " to %lld server%s, ", (long long)c->servers, c->servers == 1 ? "" : "s");
				lit(out, b);
			} else {           /* "2 servers (10.0.0.2:443, ...), " */
				snprintf(b, sizeof(b), "%lld server%s (", (long long)c->servers, c->servers == 1 ? "" : "s");
				lit(out, b);
				S->esc(out, c->first_server);
				lit(out, c->servers > 1 ? ", ...), " : "), ");
			}
			lit(out, rp_plural(c->flows, "flow", "flows", nb, sizeof(nb)));
			lit(out, "; SHA-256 ");
			S->esc(out, c->sha256);
			lit(out, S->item_close);
		}
		if (n < rep->ninv) {
			lit(out, S->item_open);
			snprintf(b, sizeof(b), "... and %d more certificates (the JSON report lists all)", rep->ninv - n);
			lit(out, b);
			lit(out, S->item_close);
		}
		lit(out, S->list_close);
	}
}
