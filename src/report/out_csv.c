/* SPDX-License-Identifier: BSD-3-Clause */
/* out_csv.c — one CSV row per finding (RFC 4180, csv_field neutralises formulas). */
#include "report_int.h"

#include <string.h>

#include "config.h"
#include "export.h"

/* ---------------------------------------------------------------- CSV */

/* A row of the 28 columns, each through csv_field. */
enum { C_REQ, C_LEVEL, C_STATUS, C_KIND, C_SEV, C_FAILING, C_IP, C_PORT, C_PROTO, C_ZONE, C_ENV, C_COUNTRY,
       C_ASN, C_FLOWS, C_FIRST, C_LAST, C_CLIENTS, C_TOP, C_SNI, C_SAMPLES, C_EVIDENCE, C_BASELINE, C_WAIVED,
       C_WOWNER, C_WEXPIRES, C_KEY, C_REMEDY, C_REF, C_N };

static void csv_row(FILE *out, const char *const *v)
{
	int i;
	for (i = 0; i < C_N; i++) {
		if (i)
			fputc(',', out);
		if (v[i])
			csv_field(out, v[i], 1);
	}
	fputs("\r\n", out);
}

/* the compliance profiles (profile.c, docs/PROFILES.md): a row per matrix
 * cell (kind profile_matrix), per rule (profile_rule), per violating
 * server of a rule (profile_violation), per placed server (server_class)
 * and per inventoried certificate (certificate) */
static void csv_profiles(const struct rp_report *rep, FILE *out)
{
	char n1[32], n2[32], key[600], ev[1200], b1[TSSTR_MAX], b2[TSSTR_MAX];
	int i, j, k, t;
	for (i = 0; i < rep->nprof_shown; i++) {
		const struct rp_profile *p = &rep->prof[i];
		for (t = 0; t < RP_NTOPICS; t++) {
			const char *v[C_N] = { 0 };
			const char *st = rp_profile_cell(p, t);
			if (st == NULL)
				continue;
			v[C_REQ] = p->name;
			v[C_STATUS] = st;
			v[C_KIND] = "profile_matrix";
			v[C_FAILING] = strcmp(st, "fail") == 0 ? "true" : "false";
			v[C_EVIDENCE] = rp_topics[t];
			snprintf(key, sizeof(key), "profile_matrix:%s:%s", p->name, rp_topics[t]);
			v[C_KEY] = key;
			csv_row(out, v);
		}
		for (j = 0; j < p->nrules; j++) {
			const struct rp_prule *r = &p->rules[j];
			const char *v[C_N] = { 0 };
			char req[300];
			snprintf(req, sizeof(req), "%s:%s", p->name, r->id);
			snprintf(n1, sizeof(n1), "%lld", (long long)r->n_violating);
			snprintf(ev, sizeof(ev), "%s; clause: %s; check: %s%s%s; scope %s", r->reason, r->clause,
				 rp_prule_check(r), r->args && *r->args ? " " : "", r->args ? r->args : "",
				 rp_scope_name(r->scope));
			v[C_REQ] = req;
			v[C_STATUS] = r->status;
			v[C_KIND] = "profile_rule";
			v[C_FAILING] = strcmp(r->status, "fail") == 0 ? "true" : "false";
			v[C_FLOWS] = n1;
			v[C_EVIDENCE] = ev;
			snprintf(key, sizeof(key), "profile_rule:%s", req);
			v[C_KEY] = key;
			v[C_REF] = p->source;
			csv_row(out, v);
			for (k = 0; k < r->nviol; k++) {
				const struct rp_pviol *x = &r->viol[k];
				const char *w[C_N] = { 0 };
				snprintf(n1, sizeof(n1), "%d", x->port);
				snprintf(n2, sizeof(n2), "%lld", (long long)x->flows);
				w[C_REQ] = req;
				w[C_STATUS] = r->status;
				w[C_KIND] = "profile_violation";
				w[C_FAILING] = "true";
				w[C_IP] = x->ip;
				w[C_PORT] = n1;
				w[C_PROTO] = x->protocol;
				w[C_FLOWS] = n2;
				w[C_EVIDENCE] = x->evidence;
				snprintf(key, sizeof(key), "profile_violation:%s:%s:%d", req, x->ip, x->port);
				w[C_KEY] = key;
				csv_row(out, w);
			}
		}
	}
	for (i = 0; i < rep->npclass; i++) {
		const struct rp_pclass *c = &rep->pclass[i];
		const char *v[C_N] = { 0 };
		snprintf(n1, sizeof(n1), "%d", c->port);
		snprintf(n2, sizeof(n2), "%lld", (long long)c->flows);
		v[C_REQ] = rep->pfamily;
		v[C_STATUS] = c->cls ? c->cls->name : "none";
		v[C_KIND] = "server_class";
		v[C_FAILING] = "false";
		v[C_IP] = c->ip;
		v[C_PORT] = n1;
		v[C_PROTO] = c->protocol;
		v[C_FLOWS] = n2;
		v[C_EVIDENCE] = c->why;
		snprintf(key, sizeof(key), "server_class:%s:%d", c->ip, c->port);
		v[C_KEY] = key;
		csv_row(out, v);
	}
	for (i = 0; i < rep->ninv; i++) {
		const struct rp_invcert *c = &rep->inv[i];
		const char *v[C_N] = { 0 };
		bool expired = c->not_after && c->not_after * 1000000 < rep->win_last;
		snprintf(n2, sizeof(n2), "%lld", (long long)c->flows);
		snprintf(ev, sizeof(ev), "%s%s; issuer %s; not before %s; not after %s; key %s; signature %s; %s; servers %lld (%s)",
			 c->client ? "client certificate: " : "", c->subject ? c->subject : "(unparsed)", c->issuer ? c->issuer : "-",
			 rp_ts(c->not_before * 1000000, b1, sizeof(b1)), rp_ts(c->not_after * 1000000, b2, sizeof(b2)),
			 c->key ? c->key : "-", c->sig_hash ? c->sig_hash : "-",
			 c->trusted == 1 ? "trusted" : c->trusted == 0 ? "not trusted" : "trust unknown",
			 (long long)c->servers, c->first_server ? c->first_server : "-");
		v[C_REQ] = "certificate_inventory";
		v[C_PROTO] = c->client ? "client" : "server";   /* protocol column: the role */
		v[C_STATUS] = expired ? "expired" : "valid";
		v[C_KIND] = "certificate";
		v[C_FAILING] = "false";
		v[C_FLOWS] = n2;
		v[C_FIRST] = rp_ts(c->first_seen, b1, sizeof(b1));
		v[C_LAST] = rp_ts(c->last_seen, b2, sizeof(b2));
		v[C_EVIDENCE] = ev;
		v[C_KEY] = c->sha256;
		csv_row(out, v);
	}
}

int rp_out_csv(const struct rp_report *rep, FILE *out)
{
	char b1[TSSTR_MAX], b2[TSSTR_MAX], num[64];
	int i, j, c;

	fputs("requirement,level,status,kind,severity,failing,server_ip,server_port,protocol,"
	      "server_zone,server_env,server_country,server_asn,flows,first_seen,last_seen,clients,"
	      "top_clients,sni,sample_flow_ids,evidence,baseline,waived,waiver_owner,waiver_expires,key,"
	      "remediation,reference\r\n",
	      out);
	for (i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		for (j = 0; j < r->nfindings; j++) {
			const struct rp_finding *f = r->findings[j];
			char list[2048];
			size_t l;
			fprintf(out, "%s,%d,%s,%s,%s,%s,", r->id, r->level, rp_req_status(r), f->k->kind,
				rp_finding_severity(f), f->failing ? "true" : "false");
			csv_field(out, f->server_ip, 1);
			fprintf(out, ",%d,", f->server_port);
			csv_field(out, f->protocol, 1);
			fprintf(out, ",%s,", f->server_internal ? "internal" : "external");
			csv_field(out, f->env, 1);
			fputc(',', out);
			csv_field(out, f->geo.country, 1);
			fputc(',', out);
			if (f->geo.asn)
				fprintf(out, "%lld", (long long)f->geo.asn);
			fprintf(out, ",%lld,%s,%s,%lld,", (long long)f->flows, rp_ts(f->first_seen, b1, sizeof(b1)),
				rp_ts(f->last_seen, b2, sizeof(b2)), (long long)f->nclients);
			list[0] = 0;
			for (c = 0, l = 0; c < f->ntop && l < sizeof(list); c++)
				l += (size_t)snprintf(list + l, sizeof(list) - l, "%s%s(%lld)", c ? " " : "",
						      f->top[c].ip, (long long)f->top[c].flows);
			csv_field(out, list, 1);
			fputc(',', out);
			list[0] = 0;
			for (c = 0, l = 0; c < f->nsni && l < sizeof(list); c++)
				l += (size_t)snprintf(list + l, sizeof(list) - l, "%s%s", c ? " " : "", f->sni[c]);
			csv_field(out, list, 1);
			fputc(',', out);
			for (c = 0; c < f->nsamples; c++) {
				snprintf(num, sizeof(num), "%s%lld", c ? " " : "", (long long)f->samples[c]);
				fputs(num, out);
			}
			fputc(',', out);
			csv_field(out, f->evidence_text, 1);
			fprintf(out, ",%s,%s,", f->baseline ? f->baseline : "", f->waived ? "true" : "false");
			csv_field(out, f->waiver_owner, 1);
			fprintf(out, ",%s,", f->waiver_expires);
			csv_field(out, f->key, 1);
			/* the kind's fix, last: older readers keep their columns */
			fputc(',', out);
			csv_field(out, f->k->remediation, 1);
			fputc(',', out);
			csv_field(out, f->k->reference, 1);
			fputs("\r\n", out);
		}
	}
	/* the blind periods of the window (issue 14): one row each, as
	 * requirement "coverage", kind "sensor_drops" (docs/REPORT.md) */
	for (i = 0; i < rep->nblind; i++) {
		const struct rp_blind *b = &rep->blind[i];
		char ev[512], key[256];
		const char *ifn = b->iface ? b->iface : "(files)";
		snprintf(ev, sizeof(ev), "%lld packets dropped of %lld received on %s (run %lld)",
			 (long long)b->drops, (long long)b->received, ifn, (long long)b->run_id);
		snprintf(key, sizeof(key), "sensor_drops:%lld:%s:%lld", (long long)b->run_id, ifn,
			 (long long)b->from);
		fprintf(out, "coverage,,blind,sensor_drops,,false,,,,,,,,,%s,%s,,,,,",
			rp_ts(b->from, b1, sizeof(b1)), rp_ts(b->to, b2, sizeof(b2)));
		csv_field(out, ev, 1);
		fputs(",,false,,,", out);
		csv_field(out, key, 1);
		fputs(",,\r\n", out);   /* no remediation, no reference */
	}
	/* post-quantum readiness (pq.c, issue 19): a row per server with a
	 * handshake (kind pq_server; status selects / never_selects /
	 * not_offered; flows = its handshakes) and per day (kind pq_day;
	 * first_seen/last_seen the day's bounds), as requirement
	 * "post_quantum": facts, never failing (docs/REPORT.md) */
	for (i = 0; i < rep->pq.nsrv; i++) {
		const struct rp_pq_server *s = &rep->pq.srv[i];
		char ev[512], key[256], nb[48];
		snprintf(ev, sizeof(ev), "%s: a post-quantum group offered in %lld, a key share sent in %lld,"
			 " %lld answered offers, selected in %lld, a HelloRetryRequest for one in %lld; bytes %lld,"
			 " %lld under a post-quantum key exchange", rp_plural(s->c.hs, "handshake", "handshakes", nb, sizeof(nb)),
			 (long long)s->c.offered,
			 (long long)s->c.ks, (long long)s->c.offered_answered, (long long)s->c.selected,
			 (long long)s->c.hrr, (long long)s->c.bytes, (long long)s->c.pq_bytes);
		snprintf(key, sizeof(key), "pq_server:%s:%d", s->ip, s->port);
		fprintf(out, "post_quantum,,%s,pq_server,,false,", s->c.selected > 0 ? "selects" :
			s->c.offered_answered > 0 ? "never_selects" : "not_offered");
		csv_field(out, s->ip, 1);
		fprintf(out, ",%d,tls,,,,,%lld,,,,,", s->port, (long long)s->c.hs);
		csv_field(out, s->sni, 1);
		fputc(',', out);
		fputc(',', out);
		csv_field(out, ev, 1);
		fputs(",,false,,,", out);
		csv_field(out, key, 1);
		fputs(",,\r\n", out);
	}
	for (i = 0; i < rep->pq.ndays; i++) {
		const struct rp_pq_day *d = &rep->pq.days[i];
		char ev[512], key[64], day[32], nb[48];
		snprintf(ev, sizeof(ev), "%s: a post-quantum group offered in %lld, selected in %lld;"
			 " bytes %lld, %lld under a post-quantum key exchange",
			 rp_plural(d->c.hs, "handshake", "handshakes", nb, sizeof(nb)),
			 (long long)d->c.offered, (long long)d->c.selected, (long long)d->c.bytes,
			 (long long)d->c.pq_bytes);
		snprintf(key, sizeof(key), "pq_day:%s", rp_pq_day(d->day, day, sizeof(day)));
		fprintf(out, "post_quantum,,day,pq_day,,false,,,,,,,,%lld,%s,%s,,,,,", (long long)d->c.hs,
			rp_ts(d->day * 86400 * 1000000LL, b1, sizeof(b1)),
			rp_ts((d->day + 1) * 86400 * 1000000LL - 1, b2, sizeof(b2)));
		csv_field(out, ev, 1);
		fputs(",,false,,,", out);
		csv_field(out, key, 1);
		fputs(",,\r\n", out);
	}
	if (rep->prof_extra || rep->inv_on)
		csv_profiles(rep, out);
	return ferror(out) ? -1 : 0;
}

