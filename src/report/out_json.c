/* SPDX-License-Identifier: BSD-3-Clause */
/* out_json.c — the JSON report (schema in docs/REPORT.md), streamed to the output. */
#include "report_int.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "export.h"
#include "json.h"

/* ---------------------------------------------------------------- JSON */

static void kv_ts(struct jbuf *jb, const char *k, int64_t us)
{
	char b[TSSTR_MAX];
	jb_key(jb, k);
	if (us <= 0)
		jb_null(jb);
	else
		jb_string(jb, rp_ts(us, b, sizeof(b)));
}

static void kv_counts(struct jbuf *jb, const char *k, const struct rp_count *c, int n)
{
	int i;
	jb_key(jb, k);
	jb_obj_open(jb);
	for (i = 0; i < n; i++) {
		jb_key(jb, c[i].name);
		jb_int(jb, c[i].n);
	}
	jb_obj_close(jb);
}

static void geo_json(struct jbuf *jb, const struct rp_report *rep, const char *k, const struct rp_geo *g,
		     bool external)
{
	jb_key(jb, k);
	if (!external || (!rep->geo_db && !rep->asn_db)) {
		jb_null(jb);
		return;
	}
	jb_obj_open(jb);
	jb_key(jb, "country");
	if (g->country[0])
		jb_string(jb, g->country);
	else
		jb_null(jb);
	jb_key(jb, "asn");
	if (g->asn)
		jb_int(jb, g->asn);
	else
		jb_null(jb);
	jb_key(jb, "as_org");
	if (g->as_org[0])
		jb_strn(jb, g->as_org, strlen(g->as_org));
	else
		jb_null(jb);
	jb_obj_close(jb);
}

static void finding_json(struct jbuf *jb, const struct rp_report *rep, const struct rp_finding *f)
{
	int c;
	jb_obj_open(jb);
	jb_kv_str(jb, "key", f->key);
	jb_kv_str(jb, "kind", f->k->kind);
	jb_kv_str(jb, "summary", f->k->summary);
	jb_kv_str(jb, "severity", rp_finding_severity(f));
	jb_kv_bool(jb, "failing", f->failing);
	jb_kv_str(jb, "server_ip", f->server_ip);
	jb_kv_int(jb, "server_port", f->server_port);
	jb_key(jb, "protocol");
	if (f->protocol)
		jb_strn(jb, f->protocol, strlen(f->protocol));
	else
		jb_null(jb);
	jb_kv_str(jb, "server_zone", f->server_internal ? "internal" : "external");
	jb_key(jb, "server_env");
	if (f->env[0]) jb_string(jb, f->env); else jb_null(jb);
	jb_key(jb, "server_owner");
	if (f->owner[0]) jb_string(jb, f->owner); else jb_null(jb);
	geo_json(jb, rep, "server_geo", &f->geo, !f->server_internal);
	jb_kv_int(jb, "flows", f->flows);
	kv_ts(jb, "first_seen", f->first_seen);
	kv_ts(jb, "last_seen", f->last_seen);
	jb_kv_int(jb, "clients", f->nclients);
	jb_key(jb, "top_clients");
	jb_arr_open(jb);
	for (c = 0; c < f->ntop; c++) {
		jb_obj_open(jb);
		jb_kv_str(jb, "ip", f->top[c].ip);
		jb_kv_int(jb, "flows", f->top[c].flows);
		jb_kv_str(jb, "zone", f->top[c].external ? "external" : "internal");
		geo_json(jb, rep, "geo", &f->top[c].geo, f->top[c].external);
		jb_obj_close(jb);
	}
	jb_arr_close(jb);
	jb_key(jb, "sni");
	jb_arr_open(jb);
	for (c = 0; c < f->nsni; c++)
		jb_strn(jb, f->sni[c], strlen(f->sni[c]));
	jb_arr_close(jb);
	jb_key(jb, "sample_flow_ids");
	jb_arr_open(jb);
	for (c = 0; c < f->nsamples; c++)
		jb_int(jb, f->samples[c]);
	jb_arr_close(jb);
	jb_key(jb, "evidence");
	jb_raw(jb, f->evidence);
	jb_key(jb, "baseline");
	if (f->baseline) jb_string(jb, f->baseline); else jb_null(jb);
	jb_key(jb, "waiver");
	if (f->waiver_owner[0]) {
		jb_obj_open(jb);
		jb_kv_str(jb, "reason", f->waiver_reason);
		jb_kv_str(jb, "owner", f->waiver_owner);
		jb_kv_str(jb, "expires", f->waiver_expires);
		jb_kv_bool(jb, "expired", f->waiver_expired);
		jb_obj_close(jb);
	} else {
		jb_null(jb);
	}
	jb_obj_close(jb);
}

static void rollup_json(struct jbuf *jb, const struct rp_rollup *u)
{
	int c;
	jb_obj_open(jb);
	jb_kv_str(jb, "kind", u->k->kind);
	jb_kv_str(jb, "severity", u->k->severity);
	jb_kv_bool(jb, "violation", u->k->violation);
	jb_kv_str(jb, "cause_type", rp_cause_name(u->k->cause));
	jb_kv_str(jb, "remediation", u->k->remediation);
	jb_kv_str(jb, "reference", u->k->reference);
	jb_key(jb, "cause");
	jb_strn(jb, u->cause, strlen(u->cause));
	jb_key(jb, "label");
	if (u->label)
		jb_strn(jb, u->label, strlen(u->label));
	else
		jb_null(jb);
	jb_kv_int(jb, "servers", u->servers);
	jb_kv_int(jb, "clients", u->clients);
	jb_kv_int(jb, "flows", u->flows);
	jb_key(jb, "top_servers");
	jb_arr_open(jb);
	for (c = 0; c < u->ntop; c++) {
		jb_obj_open(jb);
		jb_kv_str(jb, "ip", u->top[c].ip);
		jb_kv_int(jb, "port", u->top[c].port);
		jb_key(jb, "protocol");
		if (u->top[c].protocol)
			jb_strn(jb, u->top[c].protocol, strlen(u->top[c].protocol));
		else
			jb_null(jb);
		jb_kv_int(jb, "flows", u->top[c].flows);
		jb_obj_close(jb);
	}
	jb_arr_close(jb);
	jb_obj_close(jb);
}

/* One requirement object; the findings are streamed to out as they grow. */
static int json_requirement(const struct rp_report *rep, const struct rp_req *r, struct jbuf *jb,
			    FILE *out)
{
	int j;

	jb_obj_open(jb);
	jb_kv_str(jb, "id", r->id);
	jb_kv_str(jb, "section", r->section);
	jb_kv_int(jb, "level", r->level);
	jb_kv_str(jb, "title", r->title);
	jb_kv_str(jb, "short_title", r->short_title);
	jb_kv_str(jb, "status", rp_req_status(r));
	jb_kv_str(jb, "reason", r->reason);
	jb_kv_int(jb, "relevant_flows", r->n_relevant);
	jb_kv_int(jb, "observable_flows", r->n_observable);
	jb_kv_int(jb, "findings_total", r->nfindings);
	jb_kv_int(jb, "findings_failing", r->nfailing);
	jb_kv_int(jb, "findings_listed", r->nfindings);
	jb_kv_int(jb, "servers", r->nservers);
	jb_kv_int(jb, "violating_flows", r->v_flows);
	jb_kv_int(jb, "violating_servers", r->v_servers);
	jb_kv_int(jb, "violating_clients", r->v_clients);
	jb_key(jb, "rollups");
	jb_arr_open(jb);
	for (j = 0; j < r->nrollups; j++)
		rollup_json(jb, &r->rollups[j]);
	jb_arr_close(jb);
	jb_key(jb, "findings");
	jb_arr_open(jb);
	for (j = 0; j < r->nfindings; j++) {
		finding_json(jb, rep, r->findings[j]);
		/* stream: the document is not held whole in memory */
		if (jb->len > (1 << 20) && jb_flush_to(jb, out) != 0)
			return -1;
	}
	jb_arr_close(jb);
	jb_key(jb, "resolved");
	jb_arr_open(jb);
	for (j = 0; j < r->nresolved; j++)
		jb_strn(jb, r->resolved[j], strlen(r->resolved[j]));
	jb_arr_close(jb);
	jb_obj_close(jb);
	return 0;
}

/* post_quantum (pq.c): the counts of struct rp_pq_counts */
static void pq_counts_json(struct jbuf *jb, const struct rp_pq_counts *c)
{
	jb_kv_int(jb, "handshakes", c->hs);
	jb_kv_int(jb, "offered", c->offered);
	jb_kv_int(jb, "key_share_sent", c->ks);
	jb_kv_int(jb, "answered", c->answered);
	jb_kv_int(jb, "offered_answered", c->offered_answered);
	jb_kv_int(jb, "selected", c->selected);
	jb_kv_int(jb, "hrr_requested", c->hrr);
	jb_kv_int(jb, "bytes", c->bytes);
	jb_kv_int(jb, "pq_bytes", c->pq_bytes);
}

static void pq_json(struct jbuf *jb, const struct rp_pq *pq)
{
	char d[32];
	int i;
	jb_key(jb, "post_quantum");
	jb_obj_open(jb);
	pq_counts_json(jb, &pq->all);
	jb_kv_int(jb, "servers_selecting", pq->nsrv_select);
	jb_kv_int(jb, "servers_never_selecting", pq->nsrv_never);
	kv_counts(jb, "groups_selected", pq->groups, pq->ngroups);
	jb_key(jb, "servers");
	jb_arr_open(jb);
	for (i = 0; i < pq->nsrv; i++) {
		const struct rp_pq_server *s = &pq->srv[i];
		jb_obj_open(jb);
		jb_kv_str(jb, "ip", s->ip);
		jb_kv_int(jb, "port", s->port);
		jb_key(jb, "sni");
		if (s->sni)
			jb_strn(jb, s->sni, strlen(s->sni));
		else
			jb_null(jb);
		jb_kv_int(jb, "sni_names", s->nsni);
		jb_kv_str(jb, "status", s->c.selected > 0 ? "selects" :
			  s->c.offered_answered > 0 ? "never_selects" : "not_offered");
		pq_counts_json(jb, &s->c);
		jb_obj_close(jb);
	}
	jb_arr_close(jb);
	jb_key(jb, "days");
	jb_arr_open(jb);
	for (i = 0; i < pq->ndays; i++) {
		jb_obj_open(jb);
		jb_kv_str(jb, "date", rp_pq_day(pq->days[i].day, d, sizeof(d)));
		pq_counts_json(jb, &pq->days[i].c);
		jb_obj_close(jb);
	}
	jb_arr_close(jb);
	jb_obj_close(jb);
}

/* profiles (profile.c, docs/PROFILES.md): present when a profile other
 * than asvs5 was chosen */
static void profiles_json(struct jbuf *jb, const struct rp_report *rep)
{
	int i, j, k, t;
	jb_key(jb, "profiles");
	jb_obj_open(jb);
	jb_key(jb, "selected");
	jb_arr_open(jb);
	for (i = 0; i < rep->nprof_shown; i++)
		jb_string(jb, rep->prof[i].name);
	jb_arr_close(jb);
	/* what the command exits with: the chosen profiles decide, and the
	 * V12 requirements (summary.result) when asvs5 is among them */
	jb_kv_int(jb, "exit_status", (rep->asvs_on && rep->any_fail) || rep->prof_fail ? 6 : 0);
	/* the matrix: a row per topic, a cell per profile (null: no rule) */
	jb_key(jb, "matrix");
	jb_arr_open(jb);
	for (t = 0; t < RP_NTOPICS; t++) {
		jb_obj_open(jb);
		jb_kv_str(jb, "topic", rp_topics[t]);
		jb_key(jb, "cells");
		jb_obj_open(jb);
		for (i = 0; i < rep->nprof_shown; i++)
			jb_kv_str(jb, rep->prof[i].name, rp_profile_cell(&rep->prof[i], t));
		jb_obj_close(jb);
		jb_obj_close(jb);
	}
	jb_arr_close(jb);
	jb_key(jb, "results");
	jb_arr_open(jb);
	for (i = 0; i < rep->nprof_shown; i++) {
		const struct rp_profile *p = &rep->prof[i];
		jb_obj_open(jb);
		jb_kv_str(jb, "name", p->name);
		jb_kv_str(jb, "title", p->title);
		jb_kv_str(jb, "version", p->version);
		jb_kv_str(jb, "source", p->source);
		jb_kv_str(jb, "status", p->status);
		jb_kv_int(jb, "fail", p->nfail);
		jb_kv_int(jb, "pass", p->npass);
		jb_kv_int(jb, "not_observable", p->nnotobs);
		jb_kv_int(jb, "not_observed", p->nnotseen);
		jb_key(jb, "notes");
		jb_arr_open(jb);
		for (j = 0; j < p->nnotes; j++)
			jb_string(jb, p->notes[j]);
		jb_arr_close(jb);
		jb_key(jb, "rules");
		jb_arr_open(jb);
		for (j = 0; j < p->nrules; j++) {
			const struct rp_prule *r = &p->rules[j];
			jb_obj_open(jb);
			jb_kv_str(jb, "id", r->id);
			jb_kv_str(jb, "title", r->title);
			jb_kv_str(jb, "clause", r->clause);
			jb_kv_str(jb, "check", rp_prule_check(r));
			jb_kv_str(jb, "arguments", r->args);
			jb_kv_str(jb, "scope", rp_scope_name(r->scope));
			jb_kv_str(jb, "topic", rp_topics[rp_prule_topic(r)]);
			jb_kv_str(jb, "status", r->status);
			jb_kv_str(jb, "reason", r->reason);
			jb_kv_int(jb, "relevant_flows", r->n_relevant);
			jb_kv_int(jb, "observable_flows", r->n_observable);
			jb_kv_int(jb, "violating_flows", r->n_violating);
			jb_kv_int(jb, "violating_servers", r->nviol);
			jb_key(jb, "servers");
			jb_arr_open(jb);
			for (k = 0; k < r->nviol; k++) {
				jb_obj_open(jb);
				jb_kv_str(jb, "ip", r->viol[k].ip);
				jb_kv_int(jb, "port", r->viol[k].port);
				jb_kv_str(jb, "protocol", r->viol[k].protocol);
				jb_kv_int(jb, "flows", r->viol[k].flows);
				jb_kv_str(jb, "evidence", r->viol[k].evidence);
				jb_obj_close(jb);
			}
			jb_arr_close(jb);
			jb_obj_close(jb);
		}
		jb_arr_close(jb);
		jb_obj_close(jb);
	}
	jb_arr_close(jb);
	if (rep->pfamily) {
		jb_key(jb, "server_classes");
		jb_obj_open(jb);
		jb_kv_str(jb, "family", rep->pfamily);
		jb_key(jb, "servers");
		jb_arr_open(jb);
		for (i = 0; i < rep->npclass; i++) {
			const struct rp_pclass *c = &rep->pclass[i];
			jb_obj_open(jb);
			jb_kv_str(jb, "ip", c->ip);
			jb_kv_int(jb, "port", c->port);
			jb_kv_str(jb, "protocol", c->protocol);
			jb_kv_int(jb, "flows", c->flows);
			jb_kv_str(jb, "class", c->cls ? c->cls->name : NULL);
			jb_kv_str(jb, "why_not_weakest", c->why);
			jb_obj_close(jb);
		}
		jb_arr_close(jb);
		jb_obj_close(jb);
	}
	if (rep->inv_on) {
		jb_key(jb, "certificate_inventory");
		jb_arr_open(jb);
		for (i = 0; i < rep->ninv; i++) {
			const struct rp_invcert *c = &rep->inv[i];
			jb_obj_open(jb);
			jb_kv_str(jb, "role", c->client ? "client" : "server");
			jb_kv_str(jb, "sha256", c->sha256);
			jb_kv_str(jb, "subject", c->subject);
			jb_kv_str(jb, "issuer", c->issuer);
			kv_ts(jb, "not_before", c->not_before * 1000000);
			kv_ts(jb, "not_after", c->not_after * 1000000);
			jb_kv_tri(jb, "expired_at_window_end", c->not_after ? c->not_after * 1000000 < rep->win_last : -1);
			jb_kv_str(jb, "key", c->key);
			jb_kv_str(jb, "signature_hash", c->sig_hash);
			jb_kv_tri(jb, "self_signed", c->self_signed);
			jb_kv_tri(jb, "trusted", c->trusted);
			jb_kv_int(jb, "servers", c->servers);
			/* a server certificate: the first server (ip:port) that
			 * presented it; a client's: the first client address */
			jb_kv_str(jb, c->client ? "first_client" : "first_server", c->first_server);
			jb_kv_int(jb, "flows", c->flows);
			kv_ts(jb, "first_seen", c->first_seen);
			kv_ts(jb, "last_seen", c->last_seen);
			jb_obj_close(jb);
		}
		jb_arr_close(jb);
	}
	jb_obj_close(jb);
}

int rp_out_json(const struct rp_report *rep, FILE *out)
{
	struct jbuf jb;
	char nol[6][200];
	int i, nn;

	jb_init(&jb);
	jb_obj_open(&jb);
	jb_kv_int(&jb, "schema_version", REPORT_SCHEMA_VERSION);
	jb_key(&jb, "generator");
	jb_obj_open(&jb);
	jb_kv_str(&jb, "name", "wireaudit");
	jb_kv_str(&jb, "version", PACKAGE_VERSION);
	jb_kv_str(&jb, "standard", "OWASP ASVS 5.0.0 V12");
	jb_obj_close(&jb);
	kv_ts(&jb, "generated_at", rep->generated_at);
	jb_kv_int(&jb, "level", rep->o->level);
	jb_key(&jb, "window");
	jb_obj_open(&jb);
	kv_ts(&jb, "since", rep->o->since);
	kv_ts(&jb, "until", rep->o->until);
	kv_ts(&jb, "first_seen", rep->win_first);
	kv_ts(&jb, "last_seen", rep->win_last);
	jb_obj_close(&jb);

	jb_key(&jb, "network");
	jb_obj_open(&jb);
	jb_kv_bool(&jb, "internal_default", rep->internal_default);
	jb_key(&jb, "internal");
	jb_arr_open(&jb);
	for (i = 0; i < rep->nnets; i++) {
		jb_obj_open(&jb);
		jb_kv_str(&jb, "cidr", rep->nets[i].cidr);
		jb_key(&jb, "env");
		if (rep->nets[i].env[0]) jb_string(&jb, rep->nets[i].env); else jb_null(&jb);
		jb_key(&jb, "owner");
		if (rep->nets[i].owner[0]) jb_string(&jb, rep->nets[i].owner); else jb_null(&jb);
		jb_obj_close(&jb);
	}
	jb_arr_close(&jb);
	jb_key(&jb, "enrichment");
	jb_obj_open(&jb);
	jb_kv_bool(&jb, "geoip", rep->geo_db != NULL);
	jb_kv_bool(&jb, "asn", rep->asn_db != NULL);
	jb_obj_close(&jb);
	jb_obj_close(&jb);

	jb_key(&jb, "coverage");
	jb_obj_open(&jb);
	jb_kv_int(&jb, "flows", rep->flows);
	jb_kv_int(&jb, "tcp_flows", rep->flows_tcp);
	jb_kv_int(&jb, "udp_flows", rep->flows_udp);
	jb_kv_int(&jb, "icmp_flows", rep->flows_icmp);
	jb_kv_int(&jb, "handshake_seen", rep->flows_handshake);
	jb_kv_int(&jb, "midstream", rep->flows_midstream);
	{
		char b[32];
		snprintf(b, sizeof(b), "%.4f", rp_handshake_share(rep));
		jb_key(&jb, "handshake_seen_share");
		jb_raw(&jb, b);
	}
	jb_kv_int(&jb, "tls_flows", rep->tls_flows);
	jb_kv_int(&jb, "tls13_flows", rep->tls13_flows);
	jb_kv_int(&jb, "tls_flows_with_certificates", rep->tls_certs_seen);
	jb_kv_int(&jb, "tls13_decrypted_with_keylog", rep->tls13_decrypted);
	jb_kv_int(&jb, "unknown_security", rep->unknown_security);
	jb_kv_int(&jb, "packets", rep->packets);
	jb_key(&jb, "drops");
	if (rep->drops_known) jb_int(&jb, rep->drops + rep->if_drops); else jb_null(&jb);
	jb_kv_bool(&jb, "drops_warning", rep->drops + rep->if_drops > 0);
	if (rep->rolled_rows > 0 || rep->nrolled_days > 0) {
		/* retention (docs/APPLIANCE.md): what of the window comes from
		 * daily roll-ups, and which days nothing is kept of */
		jb_key(&jb, "retention");
		jb_obj_open(&jb);
		jb_kv_int(&jb, "rolled_up_flows", rep->rolled_flows);
		jb_kv_int(&jb, "rolled_up_rows", rep->rolled_rows);
		jb_kv_bool(&jb, "window_splits_days", rp_window_splits_days(rep));
		jb_key(&jb, "days");
		jb_arr_open(&jb);
		for (i = 0; i < rep->nrolled_days; i++) {
			const struct rp_rolled_day *d = &rep->rolled_days[i];
			char ts[TSSTR_MAX], day[11];
			ts_to_rfc3339(d->day * 86400000000LL, ts, sizeof(ts));
			snprintf(day, sizeof(day), "%.10s", ts);
			jb_obj_open(&jb);
			jb_kv_str(&jb, "day", day);
			jb_kv_str(&jb, "state", d->removed ? "removed" : "rolled_up");
			jb_kv_int(&jb, "flows", d->flows);
			jb_kv_str(&jb, "reason", d->reason);
			jb_obj_close(&jb);
		}
		jb_arr_close(&jb);
		jb_obj_close(&jb);
	}
	jb_key(&jb, "sources");
	jb_arr_open(&jb);
	for (i = 0; i < rep->nruns; i++) {
		const struct rp_run_info *r = &rep->runs[i];
		jb_obj_open(&jb);
		jb_kv_int(&jb, "run_id", r->run_id);
		jb_key(&jb, "source");
		jb_strn(&jb, r->source ? r->source : "", r->source ? strlen(r->source) : 0);
		jb_kv_str(&jb, "mode", r->mode);
		{
			/* the source split: every file (offline) or interface (live) */
			char **items;
			int k, n = rp_source_items(r->source, &items);
			bool live = strcmp(r->mode ? r->mode : "", "live") == 0;
			jb_key(&jb, "files");
			jb_arr_open(&jb);
			for (k = 0; !live && k < n; k++)
				jb_strn(&jb, items[k], strlen(items[k]));
			jb_arr_close(&jb);
			jb_key(&jb, "interfaces");
			jb_arr_open(&jb);
			for (k = 0; live && k < n; k++)
				jb_strn(&jb, items[k], strlen(items[k]));
			jb_arr_close(&jb);
			if (items)
				free(items[0]);
			free(items);
		}
		jb_kv_str(&jb, "status", r->status);
		jb_key(&jb, "sensor");
		if (r->sensor) jb_strn(&jb, r->sensor, strlen(r->sensor)); else jb_null(&jb);
		jb_kv_int(&jb, "packets", r->packets);
		jb_key(&jb, "drops");
		if (r->drops >= 0) jb_int(&jb, r->drops); else jb_null(&jb);
		jb_key(&jb, "if_drops");
		if (r->if_drops >= 0) jb_int(&jb, r->if_drops); else jb_null(&jb);
		jb_obj_close(&jb);
	}
	jb_arr_close(&jb);
	{
		/* the sensors whose runs the report covers: over which period,
		 * with how many drops (issue 16) */
		struct rp_sensor *sv;
		char t[TSSTR_MAX];
		int ns = rp_sensors(rep, &sv);
		jb_key(&jb, "sensors");
		jb_arr_open(&jb);
		for (int k = 0; k < ns; k++) {
			jb_obj_open(&jb);
			jb_key(&jb, "name");
			if (sv[k].name) jb_strn(&jb, sv[k].name, strlen(sv[k].name)); else jb_null(&jb);
			jb_kv_int(&jb, "runs", sv[k].runs);
			jb_key(&jb, "first");
			if (sv[k].first > 0) jb_string(&jb, rp_ts(sv[k].first, t, sizeof(t))); else jb_null(&jb);
			jb_key(&jb, "last");
			if (sv[k].last > 0) jb_string(&jb, rp_ts(sv[k].last, t, sizeof(t))); else jb_null(&jb);
			jb_kv_int(&jb, "packets", sv[k].packets);
			jb_key(&jb, "drops");
			if (sv[k].drops >= 0) jb_int(&jb, sv[k].drops); else jb_null(&jb);
			/* a fleet sensor's flows its full spool dropped while
			 * PostgreSQL was away (null: no spool) */
			jb_key(&jb, "spool_flows_dropped");
			if (sv[k].spool_dropped >= 0) jb_int(&jb, sv[k].spool_dropped); else jb_null(&jb);
			jb_obj_close(&jb);
		}
		jb_arr_close(&jb);
		free(sv);
	}
	/* the window's flows per interface (null: read from files) */
	jb_key(&jb, "interfaces");
	jb_arr_open(&jb);
	for (i = 0; i < rep->nifaces; i++) {
		jb_obj_open(&jb);
		jb_kv_str(&jb, "interface", rep->ifaces[i].name);
		jb_kv_int(&jb, "flows", rep->ifaces[i].n);
		jb_obj_close(&jb);
	}
	jb_arr_close(&jb);
	/* drops inside the window, from the statistics series (issue 14) */
	jb_key(&jb, "window_drops");
	jb_obj_open(&jb);
	jb_kv_bool(&jb, "known", rep->series_known);
	jb_key(&jb, "drops");
	if (rep->series_known) jb_int(&jb, rep->win_drops); else jb_null(&jb);
	jb_key(&jb, "received");
	if (rep->series_known) jb_int(&jb, rep->win_received); else jb_null(&jb);
	jb_key(&jb, "blind_periods");
	jb_arr_open(&jb);
	for (i = 0; i < rep->nblind; i++) {
		const struct rp_blind *b = &rep->blind[i];
		char t1[TSSTR_MAX], t2[TSSTR_MAX];
		jb_obj_open(&jb);
		jb_kv_int(&jb, "run_id", b->run_id);
		jb_kv_str(&jb, "interface", b->iface);
		jb_kv_str(&jb, "from", rp_ts(b->from, t1, sizeof(t1)));
		jb_kv_str(&jb, "to", rp_ts(b->to, t2, sizeof(t2)));
		jb_kv_int(&jb, "drops", b->drops);
		jb_kv_int(&jb, "received", b->received);
		jb_obj_close(&jb);
	}
	jb_arr_close(&jb);
	jb_obj_close(&jb);
	kv_counts(&jb, "security_states", rep->security, rep->nsecurity);
	kv_counts(&jb, "tls_versions", rep->versions, rep->nversions);
	kv_counts(&jb, "cipher_classes", rep->classes, rep->nclasses);
	kv_counts(&jb, "cleartext_protocols", rep->clear_protos, rep->nclear_protos);
	nn = rp_not_observable_lines(rep, nol);
	jb_key(&jb, "not_observable");
	jb_arr_open(&jb);
	for (i = 0; i < nn; i++)
		jb_string(&jb, nol[i]);
	jb_arr_close(&jb);
	jb_obj_close(&jb);

	jb_key(&jb, "summary");
	jb_obj_open(&jb);
	jb_kv_int(&jb, "fail", rp_count_status(rep, "fail"));
	jb_kv_int(&jb, "pass", rp_count_status(rep, "pass"));
	jb_kv_int(&jb, "not_observed", rp_count_status(rep, "not_observed"));
	jb_kv_int(&jb, "not_observable", rp_count_status(rep, "not_observable"));
	jb_kv_str(&jb, "result", rep->any_fail ? "fail" : "pass");
	{
		/* the executive summary's worst problems (HTML, Markdown) */
		struct rp_problem top[RP_EXEC_TOP];
		int nt = rp_top_problems(rep, top, RP_EXEC_TOP);
		jb_key(&jb, "top_problems");
		jb_arr_open(&jb);
		for (i = 0; i < nt; i++) {
			const struct rp_rollup *u = top[i].u;
			jb_obj_open(&jb);
			jb_kv_str(&jb, "requirement", top[i].r->id);
			jb_kv_str(&jb, "kind", u->k->kind);
			jb_kv_str(&jb, "severity", u->k->severity);
			jb_key(&jb, "cause");
			jb_strn(&jb, u->cause, strlen(u->cause));
			jb_kv_int(&jb, "servers", u->servers);
			jb_kv_int(&jb, "clients", u->clients);
			jb_kv_int(&jb, "flows", u->flows);
			jb_key(&jb, "top_server");
			if (u->ntop > 0) {
				jb_obj_open(&jb);
				jb_kv_str(&jb, "ip", u->top[0].ip);
				jb_kv_int(&jb, "port", u->top[0].port);
				jb_key(&jb, "protocol");
				if (u->top[0].protocol)
					jb_strn(&jb, u->top[0].protocol, strlen(u->top[0].protocol));
				else
					jb_null(&jb);
				jb_obj_close(&jb);
			} else {
				jb_null(&jb);
			}
			jb_obj_close(&jb);
		}
		jb_arr_close(&jb);
	}
	jb_obj_close(&jb);

	jb_key(&jb, "requirements");
	jb_arr_open(&jb);
	for (i = 0; i < rep->nreqs; i++) {
		if (!rep->reqs[i].guidance && json_requirement(rep, &rep->reqs[i], &jb, out) != 0) {
			jb_free(&jb);
			return -1;
		}
	}
	jb_arr_close(&jb);
	/* the V12.1 introduction's advice: the same object, apart, with
	 * status followed / not_followed / not_observed / not_observable;
	 * never counted in summary nor result */
	jb_key(&jb, "guidance");
	jb_arr_open(&jb);
	for (i = 0; i < rep->nreqs; i++) {
		if (rep->reqs[i].guidance && json_requirement(rep, &rep->reqs[i], &jb, out) != 0) {
			jb_free(&jb);
			return -1;
		}
	}
	jb_arr_close(&jb);
	pq_json(&jb, &rep->pq);
	if (rep->prof_extra)
		profiles_json(&jb, rep);
	jb_kv_int(&jb, "findings_dropped", 0);   /* schema 1: nothing is dropped any more */
	jb_key(&jb, "notes");
	jb_arr_open(&jb);
	for (i = 0; i < rep->nnotes; i++)
		jb_string(&jb, rep->notes[i]);
	jb_arr_close(&jb);
	jb_obj_close(&jb);
	if (jb_flush_to(&jb, out) != 0) {
		jb_free(&jb);
		return -1;
	}
	fputc('\n', out);
	jb_free(&jb);
	return ferror(out) ? -1 : 0;
}

