/* report_out.c — the report's formats: text (terminal, colour only on a
 * TTY), JSON (the machine interface, schema in docs/REPORT.md), Markdown,
 * CSV (one row per finding) and one self-contained HTML page with inline CSS
 * and SVG charts. Every string that came from the wire (SNI, protocol
 * names, addresses, evidence values, user names) goes through the escaping
 * of its destination: term_escape, jb_* (JSON), csv_field, html_escape,
 * md_escape. */
#include "report_int.h"

#include <string.h>

#include "config.h"
#include "export.h"
#include "json.h"

static const char *ts(int64_t us, char *buf, size_t len)
{
	if (us <= 0)
		snprintf(buf, len, "-");
	else
		ts_to_rfc3339(us, buf, len);
	return buf;
}

static int count_status(const struct rp_report *rep, const char *st)
{
	int i, n = 0;
	for (i = 0; i < rep->nreqs; i++)
		if (strcmp(rep->reqs[i].status, st) == 0)
			n++;
	return n;
}

static double handshake_share(const struct rp_report *rep)
{
	return rep->flows_tcp ? (double)rep->flows_handshake / (double)rep->flows_tcp : 0.0;
}

/* What a passive observer could not see in this window (one line each). */
static int not_observable_lines(const struct rp_report *rep, char lines[6][200])
{
	int n = 0;
	if (rep->tls13_flows > 0)
		snprintf(lines[n++], 200, "%lld TLS 1.3 flows: certificates, client certificates and "
			 "stapled OCSP responses are encrypted", (long long)rep->tls13_flows);
	if (rep->flows_midstream > 0)
		snprintf(lines[n++], 200, "%lld TCP flows joined mid-stream: their handshake or session "
			 "start was not seen", (long long)rep->flows_midstream);
	if (rep->unknown_security > 0)
		snprintf(lines[n++], 200, "%lld flows with an unknown security state (protocol not "
			 "recognised or start not seen)", (long long)rep->unknown_security);
	snprintf(lines[n++], 200, "server configuration not exercised by the observed clients "
		 "(versions and suites a server would accept but nobody offered)");
	snprintf(lines[n++], 200, "what applications do with certificates and data after the handshake");
	return n;
}

/* n with thousands separators ("17,500"), for people. */
static const char *fmt_n(int64_t n, char *buf, size_t len)
{
	char t[32];
	int l, i, o = 0;
	snprintf(t, sizeof(t), "%lld", (long long)(n < 0 ? -n : n));
	l = (int)strlen(t);
	if (n < 0 && o + 1 < (int)len)
		buf[o++] = '-';
	for (i = 0; i < l && o + 2 < (int)len; i++) {
		if (i > 0 && (l - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = t[i];
	}
	buf[o] = 0;
	return buf;
}

/* How many rollups text/HTML/Markdown show for r. */
static int rollups_shown(const struct rp_report *rep, const struct rp_req *r)
{
	return rep->o->list == 0 || rep->o->list > r->nrollups ? r->nrollups : rep->o->list;
}

/* The cause of a rollup, one line for people (unescaped: wire text). */
static void cause_line(const struct rp_rollup *u, char *buf, size_t len)
{
	const char *c = u->cause[0] ? u->cause : "(none)";
	switch (u->k->cause) {
	case RP_CAUSE_CERT:
		if (u->cause[0])
			snprintf(buf, len, "certificate %s (SHA-256 %.16s...)", u->label ? u->label : "(not stored)", c);
		else
			snprintf(buf, len, "no certificate seen");
		break;
	case RP_CAUSE_CLIENT:
		snprintf(buf, len, "client profile JA4 %s", c);
		break;
	case RP_CAUSE_SERVICE:
		snprintf(buf, len, "service %s", c);
		break;
	default:
		snprintf(buf, len, "configuration %s", c);
		break;
	}
}

/* "server:port/protocol" of a rollup's top server. */
static void srv_line(const struct rp_rollup_srv *s, char *buf, size_t len)
{
	bool v6 = strchr(s->ip, ':') != NULL;
	snprintf(buf, len, "%s%s%s:%d/%s", v6 ? "[" : "", s->ip, v6 ? "]" : "", s->port,
		 s->protocol ? s->protocol : "-");
}

/* ---------------------------------------------------------------- text */

#define C_RESET "\033[0m"
static const char *status_color(const char *st)
{
	if (strcmp(st, "fail") == 0) return "\033[1;31m";
	if (strcmp(st, "pass") == 0) return "\033[1;32m";
	if (strcmp(st, "not_observable") == 0) return "\033[1;33m";
	return "\033[1;37m";
}

static void upper(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == '_' ? ' ' : (*s >= 'a' && *s <= 'z' ? *s - 32 : *s), out);
}

int rp_out_text(const struct rp_report *rep, FILE *out, bool color)
{
	char b1[TSSTR_MAX], b2[TSSTR_MAX], nol[6][200];
	int i, j, c, nn, nr;

	fprintf(out, "wireaudit %s report: OWASP ASVS 5.0 V12 Secure Communication, level %d\n",
		PACKAGE_VERSION, rep->o->level);
	fprintf(out, "Generated %s\n", ts(rep->generated_at, b1, sizeof(b1)));
	fprintf(out, "Window: %s .. %s", ts(rep->win_first, b1, sizeof(b1)), ts(rep->win_last, b2, sizeof(b2)));
	if (rep->o->since >= 0 || rep->o->until >= 0)
		fprintf(out, " (selected %s .. %s)", rep->o->since >= 0 ? ts(rep->o->since, b1, sizeof(b1)) : "start",
			rep->o->until >= 0 ? ts(rep->o->until, b2, sizeof(b2)) : "end");
	fputc('\n', out);
	fputs("\nCoverage\n", out);
	fprintf(out, "  flows %lld (tcp %lld, udp %lld); handshake or session start seen in %lld of %lld TCP flows (%.1f%%)\n",
		(long long)rep->flows, (long long)rep->flows_tcp, (long long)rep->flows_udp,
		(long long)rep->flows_handshake, (long long)rep->flows_tcp, 100.0 * handshake_share(rep));
	fprintf(out, "  TLS flows %lld (TLS 1.3: %lld, with a visible certificate chain: %lld)\n",
		(long long)rep->tls_flows, (long long)rep->tls13_flows, (long long)rep->tls_certs_seen);
	if (rep->drops_known)
		fprintf(out, "  packets %lld, drops %lld\n", (long long)rep->packets,
			(long long)(rep->drops + rep->if_drops));
	else
		fprintf(out, "  packets %lld, drops not reported (offline read)\n", (long long)rep->packets);
	for (i = 0; i < rep->nruns; i++) {
		const struct rp_run_info *r = &rep->runs[i];
		fprintf(out, "  source run %lld: ", (long long)r->run_id);
		term_escape(out, r->mode);
		fputc(' ', out);
		term_escape(out, r->source);
		fputs(" (", out);
		term_escape(out, r->status);
		fprintf(out, ") packets %lld", (long long)r->packets);
		if (r->drops >= 0 || r->if_drops >= 0)
			fprintf(out, " drops %lld/%lld", (long long)r->drops, (long long)r->if_drops);
		fputc('\n', out);
	}
	if (rep->drops > 0 || rep->if_drops > 0)
		fprintf(out, "  %sWARNING: %lld packets dropped: results may be incomplete%s\n",
			color ? "\033[1;31m" : "", (long long)(rep->drops + rep->if_drops), color ? C_RESET : "");
	nn = not_observable_lines(rep, nol);
	fputs("  not observable:\n", out);
	for (i = 0; i < nn; i++)
		fprintf(out, "    - %s\n", nol[i]);
	fputs("  internal networks:", out);
	for (i = 0; i < rep->nnets; i++) {
		fprintf(out, " %s", rep->nets[i].cidr);
		if (rep->nets[i].env[0])
			fprintf(out, "[env=%s]", rep->nets[i].env);
	}
	fputc('\n', out);
	for (i = 0; i < rep->nnotes; i++)
		fprintf(out, "  note: %s\n", rep->notes[i]);

	fprintf(out, "\nSummary: %d fail, %d pass, %d not observed, %d not observable\n",
		count_status(rep, "fail"), count_status(rep, "pass"), count_status(rep, "not_observed"),
		count_status(rep, "not_observable"));
	for (i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		fputc('\n', out);
		if (color)
			fputs(status_color(r->status), out);
		fputc('[', out);
		upper(out, r->status);
		fputc(']', out);
		if (color)
			fputs(C_RESET, out);
		fprintf(out, " %s (L%d) %s\n", r->id, r->level, r->title);
		fprintf(out, "    %s\n", r->reason);
		if (r->nfindings) {
			char n1[32], n2[32], n3[32], n4[32], n5[32], n6[32];
			fprintf(out, "    %s findings (%s failing) over %s servers; violating flows %s"
				" (%s servers, %s clients)\n", fmt_n(r->nfindings, n1, sizeof(n1)),
				fmt_n(r->nfailing, n2, sizeof(n2)), fmt_n(r->nservers, n3, sizeof(n3)),
				fmt_n(r->v_flows, n4, sizeof(n4)), fmt_n(r->v_servers, n5, sizeof(n5)),
				fmt_n(r->v_clients, n6, sizeof(n6)));
		}
		nr = rollups_shown(rep, r);
		if (nr > 0)
			fputs("    by cause:\n", out);
		for (j = 0; j < nr; j++) {
			const struct rp_rollup *u = &r->rollups[j];
			char line[900], n1[32], n2[32], n3[32];
			cause_line(u, line, sizeof(line));
			fprintf(out, "  * %s %s: %s servers, %s clients, %s flows: ", u->k->severity, u->k->kind,
				fmt_n(u->servers, n1, sizeof(n1)), fmt_n(u->clients, n2, sizeof(n2)),
				fmt_n(u->flows, n3, sizeof(n3)));
			term_escape(out, line);
			fputs("; top servers", out);
			for (c = 0; c < u->ntop; c++) {
				srv_line(&u->top[c], line, sizeof(line));
				fputs(c ? ", " : " ", out);
				term_escape(out, line);
				fprintf(out, " (%lld)", (long long)u->top[c].flows);
			}
			fputc('\n', out);
		}
		if (nr < r->nrollups)
			fprintf(out, "  * ... and %d more causes: see the JSON report\n", r->nrollups - nr);
		for (j = 0; j < r->nlisted; j++) {
			const struct rp_finding *f = r->findings[j];
			fprintf(out, "  - %s %s ", rp_finding_severity(f), f->k->kind);
			/* IPv6 endpoints bracketed, as in the export summary */
			fputs(strchr(f->server_ip, ':') ? "[" : "", out);
			term_escape(out, f->server_ip);
			fprintf(out, "%s:%d/", strchr(f->server_ip, ':') ? "]" : "", f->server_port);
			term_escape(out, f->protocol);
			fprintf(out, " %s: %lld flows, %lld clients, %s .. %s",
				f->server_internal ? "internal" : "external",
				(long long)f->flows, (long long)f->nclients,
				ts(f->first_seen, b1, sizeof(b1)), ts(f->last_seen, b2, sizeof(b2)));
			if (f->baseline)
				fprintf(out, " [%s]", f->baseline);
			if (!f->k->violation)
				fputs(" [informational]", out);
			fputc('\n', out);
			fprintf(out, "      %s\n      ", f->k->summary);
			term_escape(out, f->evidence_text);
			fputc('\n', out);
			if (f->env[0] || f->geo.country[0] || f->geo.asn) {
				fputs("      server:", out);
				if (f->env[0]) {
					fputs(" env=", out);
					term_escape(out, f->env);
				}
				if (f->owner[0]) {
					fputs(" owner=", out);
					term_escape(out, f->owner);
				}
				if (f->geo.country[0]) {
					fputs(" country=", out);
					term_escape(out, f->geo.country);
				}
				if (f->geo.asn) {
					fprintf(out, " AS%lld ", (long long)f->geo.asn);
					term_escape(out, f->geo.as_org);
				}
				fputc('\n', out);
			}
			fputs("      clients:", out);
			for (c = 0; c < f->ntop; c++) {
				fputc(' ', out);
				term_escape(out, f->top[c].ip);
				fprintf(out, " (%lld", (long long)f->top[c].flows);
				if (f->top[c].geo.country[0]) {
					fputc(' ', out);
					term_escape(out, f->top[c].geo.country);
				}
				if (f->top[c].geo.asn)
					fprintf(out, " AS%lld", (long long)f->top[c].geo.asn);
				fputc(')', out);
			}
			fputc('\n', out);
			if (f->nsni) {
				fputs("      sni:", out);
				for (c = 0; c < f->nsni; c++) {
					fputc(' ', out);
					term_escape(out, f->sni[c]);
				}
				fputc('\n', out);
			}
			fputs("      sample flows (wireaudit export --flow ID):", out);
			for (c = 0; c < f->nsamples; c++)
				fprintf(out, " %lld", (long long)f->samples[c]);
			fputc('\n', out);
			if (f->waiver_owner[0]) {
				fprintf(out, "      %s: ", f->waived ? "waived" : "EXPIRED waiver");
				term_escape(out, f->waiver_reason);
				fputs(" (owner ", out);
				term_escape(out, f->waiver_owner);
				fprintf(out, ", expires %s)\n", f->waiver_expires);
			}
		}
		if (r->nlisted < r->nfindings) {
			char n1[32], n2[32], n3[32];
			fprintf(out, "  - ... and %s more findings over %s servers and %s flows: see the JSON or CSV report\n",
				fmt_n(r->nfindings - r->nlisted, n1, sizeof(n1)), fmt_n(r->rest_servers, n2, sizeof(n2)),
				fmt_n(r->rest_flows, n3, sizeof(n3)));
		}
		for (j = 0; j < r->nresolved; j++) {
			fputs("  - resolved since the baseline: ", out);
			term_escape(out, r->resolved[j]);
			fputc('\n', out);
		}
	}
	fprintf(out, "\nResult: %s\n", rep->any_fail ? "FAIL (exit 6)" : "no failing requirement (exit 0)");
	return ferror(out) ? -1 : 0;
}

/* ---------------------------------------------------------------- JSON */

static void kv_ts(struct jbuf *jb, const char *k, int64_t us)
{
	char b[TSSTR_MAX];
	jb_key(jb, k);
	if (us <= 0)
		jb_null(jb);
	else
		jb_string(jb, ts(us, b, sizeof(b)));
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

int rp_out_json(const struct rp_report *rep, FILE *out)
{
	struct jbuf jb;
	char nol[6][200];
	int i, j, nn;

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
	jb_kv_int(&jb, "handshake_seen", rep->flows_handshake);
	jb_kv_int(&jb, "midstream", rep->flows_midstream);
	{
		char b[32];
		snprintf(b, sizeof(b), "%.4f", handshake_share(rep));
		jb_key(&jb, "handshake_seen_share");
		jb_raw(&jb, b);
	}
	jb_kv_int(&jb, "tls_flows", rep->tls_flows);
	jb_kv_int(&jb, "tls13_flows", rep->tls13_flows);
	jb_kv_int(&jb, "tls_flows_with_certificates", rep->tls_certs_seen);
	jb_kv_int(&jb, "unknown_security", rep->unknown_security);
	jb_kv_int(&jb, "packets", rep->packets);
	jb_key(&jb, "drops");
	if (rep->drops_known) jb_int(&jb, rep->drops + rep->if_drops); else jb_null(&jb);
	jb_kv_bool(&jb, "drops_warning", rep->drops + rep->if_drops > 0);
	jb_key(&jb, "sources");
	jb_arr_open(&jb);
	for (i = 0; i < rep->nruns; i++) {
		const struct rp_run_info *r = &rep->runs[i];
		jb_obj_open(&jb);
		jb_kv_int(&jb, "run_id", r->run_id);
		jb_key(&jb, "source");
		jb_strn(&jb, r->source ? r->source : "", r->source ? strlen(r->source) : 0);
		jb_kv_str(&jb, "mode", r->mode);
		jb_kv_str(&jb, "status", r->status);
		jb_kv_int(&jb, "packets", r->packets);
		jb_key(&jb, "drops");
		if (r->drops >= 0) jb_int(&jb, r->drops); else jb_null(&jb);
		jb_key(&jb, "if_drops");
		if (r->if_drops >= 0) jb_int(&jb, r->if_drops); else jb_null(&jb);
		jb_obj_close(&jb);
	}
	jb_arr_close(&jb);
	kv_counts(&jb, "security_states", rep->security, rep->nsecurity);
	kv_counts(&jb, "tls_versions", rep->versions, rep->nversions);
	kv_counts(&jb, "cipher_classes", rep->classes, rep->nclasses);
	kv_counts(&jb, "cleartext_protocols", rep->clear_protos, rep->nclear_protos);
	nn = not_observable_lines(rep, nol);
	jb_key(&jb, "not_observable");
	jb_arr_open(&jb);
	for (i = 0; i < nn; i++)
		jb_string(&jb, nol[i]);
	jb_arr_close(&jb);
	jb_obj_close(&jb);

	jb_key(&jb, "summary");
	jb_obj_open(&jb);
	jb_kv_int(&jb, "fail", count_status(rep, "fail"));
	jb_kv_int(&jb, "pass", count_status(rep, "pass"));
	jb_kv_int(&jb, "not_observed", count_status(rep, "not_observed"));
	jb_kv_int(&jb, "not_observable", count_status(rep, "not_observable"));
	jb_kv_str(&jb, "result", rep->any_fail ? "fail" : "pass");
	jb_obj_close(&jb);

	jb_key(&jb, "requirements");
	jb_arr_open(&jb);
	for (i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		jb_obj_open(&jb);
		jb_kv_str(&jb, "id", r->id);
		jb_kv_str(&jb, "section", r->section);
		jb_kv_int(&jb, "level", r->level);
		jb_kv_str(&jb, "title", r->title);
		jb_kv_str(&jb, "status", r->status);
		jb_kv_str(&jb, "reason", r->reason);
		jb_kv_int(&jb, "relevant_flows", r->n_relevant);
		jb_kv_int(&jb, "observable_flows", r->n_observable);
		jb_kv_int(&jb, "findings_total", r->nfindings);
		jb_kv_int(&jb, "findings_failing", r->nfailing);
		jb_kv_int(&jb, "findings_listed", r->nfindings);
		jb_kv_int(&jb, "servers", r->nservers);
		jb_kv_int(&jb, "violating_flows", r->v_flows);
		jb_kv_int(&jb, "violating_servers", r->v_servers);
		jb_kv_int(&jb, "violating_clients", r->v_clients);
		jb_key(&jb, "rollups");
		jb_arr_open(&jb);
		for (j = 0; j < r->nrollups; j++)
			rollup_json(&jb, &r->rollups[j]);
		jb_arr_close(&jb);
		jb_key(&jb, "findings");
		jb_arr_open(&jb);
		for (j = 0; j < r->nfindings; j++) {
			finding_json(&jb, rep, r->findings[j]);
			/* stream: the document is not held whole in memory */
			if (jb.len > (1 << 20) && jb_flush_to(&jb, out) != 0) {
				jb_free(&jb);
				return -1;
			}
		}
		jb_arr_close(&jb);
		jb_key(&jb, "resolved");
		jb_arr_open(&jb);
		for (j = 0; j < r->nresolved; j++)
			jb_strn(&jb, r->resolved[j], strlen(r->resolved[j]));
		jb_arr_close(&jb);
		jb_obj_close(&jb);
	}
	jb_arr_close(&jb);
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

/* ---------------------------------------------------------------- CSV */

int rp_out_csv(const struct rp_report *rep, FILE *out)
{
	char b1[TSSTR_MAX], b2[TSSTR_MAX], num[64];
	int i, j, c;

	fputs("requirement,level,status,kind,severity,failing,server_ip,server_port,protocol,"
	      "server_zone,server_env,server_country,server_asn,flows,first_seen,last_seen,clients,"
	      "top_clients,sni,sample_flow_ids,evidence,baseline,waived,waiver_owner,waiver_expires,key\r\n",
	      out);
	for (i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		for (j = 0; j < r->nfindings; j++) {
			const struct rp_finding *f = r->findings[j];
			char list[2048];
			size_t l;
			fprintf(out, "%s,%d,%s,%s,%s,%s,", r->id, r->level, r->status, f->k->kind,
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
			fprintf(out, ",%lld,%s,%s,%lld,", (long long)f->flows, ts(f->first_seen, b1, sizeof(b1)),
				ts(f->last_seen, b2, sizeof(b2)), (long long)f->nclients);
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
			fputs("\r\n", out);
		}
	}
	return ferror(out) ? -1 : 0;
}

/* ------------------------------------------------------------ Markdown */

/* Markdown: ASCII punctuation backslash-escaped (CommonMark 2.4: no inline
 * HTML, links or emphasis can form), control bytes, C1 and invalid UTF-8
 * shown as \xNN. */
static void md_escape(FILE *out, const char *s)
{
	const unsigned char *p;
	if (s == NULL) {
		fputs("-", out);
		return;
	}
	for (p = (const unsigned char *)s; *p;) {
		size_t n;
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\\\x%02x", *p++);
		} else if (*p < 0x80) {
			if (strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", *p))
				fputc('\\', out);
			fputc(*p++, out);
		} else if ((n = utf8_seq_len(p, strlen((const char *)p))) == 0 ||
			   (p[0] == 0xc2 && p[1] < 0xa0)) {
			fprintf(out, "\\\\x%02x", *p++);
		} else {
			fwrite(p, 1, n, out);
			p += n;
		}
	}
}

int rp_out_md(const struct rp_report *rep, FILE *out)
{
	char b1[TSSTR_MAX], b2[TSSTR_MAX], nol[6][200];
	int i, j, c, nn, nr;

	fprintf(out, "# wireaudit report: OWASP ASVS 5.0 V12, level %d\n\n", rep->o->level);
	fprintf(out, "Generated %s. ", ts(rep->generated_at, b1, sizeof(b1)));
	fprintf(out, "Window %s .. %s.\n\n", ts(rep->win_first, b1, sizeof(b1)), ts(rep->win_last, b2, sizeof(b2)));
	fprintf(out, "**Result: %s** (%d fail, %d pass, %d not observed, %d not observable)\n\n",
		rep->any_fail ? "FAIL" : "no failing requirement", count_status(rep, "fail"),
		count_status(rep, "pass"), count_status(rep, "not_observed"), count_status(rep, "not_observable"));
	fputs("## Coverage\n\n", out);
	fprintf(out, "- Flows: %lld (TCP %lld, UDP %lld); handshake or session start seen in %.1f%% of TCP flows\n",
		(long long)rep->flows, (long long)rep->flows_tcp, (long long)rep->flows_udp,
		100.0 * handshake_share(rep));
	fprintf(out, "- TLS flows: %lld (TLS 1.3: %lld)\n", (long long)rep->tls_flows, (long long)rep->tls13_flows);
	fprintf(out, "- Packets: %lld; drops: %lld\n", (long long)rep->packets, (long long)(rep->drops + rep->if_drops));
	if (rep->drops + rep->if_drops > 0)
		fputs("- **Warning: packets were dropped, results may be incomplete**\n", out);
	for (i = 0; i < rep->nruns; i++) {
		fprintf(out, "- Source run %lld: ", (long long)rep->runs[i].run_id);
		md_escape(out, rep->runs[i].source);
		fputc('\n', out);
	}
	nn = not_observable_lines(rep, nol);
	for (i = 0; i < nn; i++)
		fprintf(out, "- Not observable: %s\n", nol[i]);
	for (i = 0; i < rep->nnotes; i++)
		fprintf(out, "- Note: %s\n", rep->notes[i]);
	fputs("\n## Requirements\n\n| ID | Level | Status | Reason |\n|---|---|---|---|\n", out);
	for (i = 0; i < rep->nreqs; i++)
		fprintf(out, "| %s | L%d | %s | %s |\n", rep->reqs[i].id, rep->reqs[i].level,
			rep->reqs[i].status, rep->reqs[i].reason);
	for (i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		fprintf(out, "\n### %s (L%d): %s\n\n> %s\n\n%s\n", r->id, r->level, r->status, r->title, r->reason);
		if (r->nfindings == 0)
			continue;
		{
			char n1[32], n2[32], n3[32], n4[32], n5[32], n6[32];
			fprintf(out, "\n%s findings (%s failing) over %s servers; violating flows %s (%s servers, %s clients)\n",
				fmt_n(r->nfindings, n1, sizeof(n1)), fmt_n(r->nfailing, n2, sizeof(n2)),
				fmt_n(r->nservers, n3, sizeof(n3)), fmt_n(r->v_flows, n4, sizeof(n4)),
				fmt_n(r->v_servers, n5, sizeof(n5)), fmt_n(r->v_clients, n6, sizeof(n6)));
		}
		nr = rollups_shown(rep, r);
		if (nr > 0)
			fputs("\n| Severity | Kind | Cause | Servers | Clients | Flows | Top servers |\n"
			      "|---|---|---|---|---|---|---|\n", out);
		for (j = 0; j < nr; j++) {
			const struct rp_rollup *u = &r->rollups[j];
			char line[900];
			cause_line(u, line, sizeof(line));
			fprintf(out, "| %s | %s | ", u->k->severity, u->k->kind);
			md_escape(out, line);
			fprintf(out, " | %lld | %lld | %lld | ", (long long)u->servers, (long long)u->clients,
				(long long)u->flows);
			for (c = 0; c < u->ntop; c++) {
				if (c) fputs(", ", out);
				srv_line(&u->top[c], line, sizeof(line));
				md_escape(out, line);
				fprintf(out, " (%lld)", (long long)u->top[c].flows);
			}
			fputs(" |\n", out);
		}
		if (nr < r->nrollups)
			fprintf(out, "\n%d more causes: see the JSON report.\n", r->nrollups - nr);
		fputs("\n| Severity | Kind | Server | Protocol | Flows | Clients | First seen | Last seen | Top clients | SNI | Evidence | Samples | State |\n"
		      "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n", out);
		for (j = 0; j < r->nlisted; j++) {
			const struct rp_finding *f = r->findings[j];
			fprintf(out, "| %s | %s | ", rp_finding_severity(f), f->k->kind);
			fputs(strchr(f->server_ip, ':') ? "\\[" : "", out);
			md_escape(out, f->server_ip);
			fprintf(out, "%s:%d | ", strchr(f->server_ip, ':') ? "\\]" : "", f->server_port);
			md_escape(out, f->protocol);
			fprintf(out, " | %lld | %lld | %s | %s | ", (long long)f->flows, (long long)f->nclients,
				ts(f->first_seen, b1, sizeof(b1)), ts(f->last_seen, b2, sizeof(b2)));
			for (c = 0; c < f->ntop; c++) {
				if (c) fputs(", ", out);
				md_escape(out, f->top[c].ip);
				fprintf(out, " (%lld)", (long long)f->top[c].flows);
			}
			fputs(" | ", out);
			for (c = 0; c < f->nsni; c++) {
				if (c) fputs(", ", out);
				md_escape(out, f->sni[c]);
			}
			fputs(" | ", out);
			md_escape(out, f->evidence_text);
			fputs(" | ", out);
			for (c = 0; c < f->nsamples; c++)
				fprintf(out, "%s%lld", c ? " " : "", (long long)f->samples[c]);
			fputs(" | ", out);
			if (!f->k->violation)
				fputs("informational ", out);
			if (f->baseline)
				fprintf(out, "%s ", f->baseline);
			if (f->waiver_owner[0]) {
				fputs(f->waived ? "waived: " : "expired waiver: ", out);
				md_escape(out, f->waiver_reason);
			}
			fputs(" |\n", out);
		}
		if (r->nlisted < r->nfindings) {
			char n1[32], n2[32], n3[32];
			fprintf(out, "\n... and %s more findings over %s servers and %s flows: see the JSON or CSV report.\n",
				fmt_n(r->nfindings - r->nlisted, n1, sizeof(n1)), fmt_n(r->rest_servers, n2, sizeof(n2)),
				fmt_n(r->rest_flows, n3, sizeof(n3)));
		}
		for (j = 0; j < r->nresolved; j++) {
			fputs("\n- Resolved since the baseline: ", out);
			md_escape(out, r->resolved[j]);
		}
		if (r->nresolved)
			fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

/* ---------------------------------------------------------------- HTML */

void html_escape(FILE *out, const char *s)
{
	const unsigned char *p;
	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p;) {
		size_t n;
		switch (*p) {
		case '&': fputs("&amp;", out); p++; continue;
		case '<': fputs("&lt;", out); p++; continue;
		case '>': fputs("&gt;", out); p++; continue;
		case '"': fputs("&quot;", out); p++; continue;
		case '\'': fputs("&#39;", out); p++; continue;
		default: break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\x%02x", *p++);
		} else if (*p < 0x80) {
			fputc(*p++, out);
		} else if ((n = utf8_seq_len(p, strlen((const char *)p))) == 0 ||
			   (p[0] == 0xc2 && p[1] < 0xa0)) {
			fputs("\xef\xbf\xbd", out); /* U+FFFD */
			p++;
		} else {
			fwrite(p, 1, n, out);
			p += n;
		}
	}
}

static const char html_css[] =
	"*{box-sizing:border-box}"
	"body{margin:0;font:14px/1.5 -apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
	"color:#1f2933;background:#f4f6f8}"
	"header{background:#102a43;color:#fff;padding:24px 40px}"
	"header h1{margin:0 0 4px;font-size:22px;font-weight:600}"
	"header .sub{color:#bcccdc;font-size:13px}"
	"main{max-width:1200px;margin:0 auto;padding:24px 40px 60px}"
	"h2{font-size:17px;margin:32px 0 12px;color:#102a43;border-bottom:2px solid #d9e2ec;padding-bottom:6px}"
	".cards{display:flex;gap:14px;flex-wrap:wrap}"
	".card{flex:1;min-width:150px;background:#fff;border-radius:8px;padding:14px 18px;"
	"box-shadow:0 1px 3px rgba(16,42,67,.12);border-top:4px solid #829ab1}"
	".card .n{font-size:28px;font-weight:700}.card .l{color:#627d98;font-size:12px;text-transform:uppercase;letter-spacing:.05em}"
	".card.fail{border-color:#d64545}.card.pass{border-color:#3f9142}.card.nobs{border-color:#de911d}"
	".card.nob{border-color:#9fb3c8}"
	".result{margin-top:14px;padding:10px 16px;border-radius:6px;font-weight:600}"
	".result.fail{background:#ffe3e3;color:#a61b1b}.result.pass{background:#e3f9e5;color:#1d6b24}"
	".warn{background:#fff3c4;border-left:4px solid #de911d;padding:10px 14px;margin:10px 0;border-radius:4px}"
	"table{border-collapse:collapse;width:100%;background:#fff;border-radius:8px;overflow:hidden;"
	"box-shadow:0 1px 3px rgba(16,42,67,.12)}"
	"th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #e4e7eb;vertical-align:top}"
	"th{background:#f0f4f8;color:#334e68;font-size:12px;text-transform:uppercase;letter-spacing:.04em}"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}"
	".badge{display:inline-block;padding:2px 8px;border-radius:10px;font-size:11px;font-weight:700;"
	"text-transform:uppercase;white-space:nowrap}"
	".b-fail{background:#d64545;color:#fff}.b-pass{background:#3f9142;color:#fff}"
	".b-not_observed{background:#9fb3c8;color:#fff}.b-not_observable{background:#de911d;color:#fff}"
	".sev{font-size:11px;font-weight:700;text-transform:uppercase}"
	".sev-critical{color:#8a041a}.sev-high{color:#d64545}.sev-medium{color:#cb6e17}.sev-low{color:#2680c2}"
	".sev-info{color:#627d98}"
	".req{background:#fff;border-radius:8px;margin:14px 0;padding:14px 18px;"
	"box-shadow:0 1px 3px rgba(16,42,67,.12)}"
	".req h4{margin:10px 0 6px;font-size:13px;color:#334e68}.more{font-weight:600;color:#334e68}"
	".req h3{margin:0 0 6px;font-size:15px}.req .title{color:#486581;font-style:italic;margin:0 0 8px}"
	".req .reason{margin:0 0 8px}"
	".req table{box-shadow:none;border:1px solid #e4e7eb;font-size:13px}"
	"code,.mono{font-family:SFMono-Regular,Consolas,'Liberation Mono',monospace;font-size:12px}"
	".charts{display:flex;gap:14px;flex-wrap:wrap}"
	".chart{flex:1;min-width:300px;background:#fff;border-radius:8px;padding:12px 16px;"
	"box-shadow:0 1px 3px rgba(16,42,67,.12)}.chart h4{margin:0 0 8px;font-size:13px;color:#334e68}"
	"dl{display:grid;grid-template-columns:max-content auto;gap:4px 16px;margin:0}dt{color:#627d98}dd{margin:0}"
	".muted{color:#829ab1}.tag{display:inline-block;background:#e4e7eb;border-radius:4px;padding:0 6px;"
	"margin-left:4px;font-size:11px}"
	"footer{color:#829ab1;font-size:12px;text-align:center;padding:20px}";

static const char *bar_color(const char *name)
{
	if (strcmp(name, "broken") == 0 || strcmp(name, "SSLv2") == 0 || strcmp(name, "SSLv3") == 0 ||
	    strcmp(name, "TLSv1.0") == 0 || strcmp(name, "TLSv1.1") == 0)
		return "#d64545";
	if (strcmp(name, "not_recommended") == 0 || strcmp(name, "TLSv1.2") == 0)
		return "#de911d";
	if (strcmp(name, "recommended") == 0 || strcmp(name, "TLSv1.3") == 0)
		return "#3f9142";
	return "#486581";
}

static void svg_bars(FILE *out, const char *title, const struct rp_count *c, int n, bool neutral)
{
	int i, h = 28 * (n ? n : 1) + 8;
	int64_t max = 1;
	for (i = 0; i < n; i++)
		if (c[i].n > max)
			max = c[i].n;
	fprintf(out, "<div class=\"chart\"><h4>%s</h4>", title);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%%\" height=\"%d\" "
		"viewBox=\"0 0 380 %d\" role=\"img\" aria-label=\"%s\">", h, h, title);
	if (n == 0)
		fputs("<text x=\"0\" y=\"20\" font-size=\"12\" fill=\"#829ab1\">none observed</text>", out);
	for (i = 0; i < n; i++) {
		int y = 4 + 28 * i;
		double w = 200.0 * (double)c[i].n / (double)max;
		fprintf(out, "<text x=\"124\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" fill=\"#334e68\">", y + 15);
		html_escape(out, c[i].name);
		fprintf(out, "</text><rect x=\"132\" y=\"%d\" width=\"%.1f\" height=\"20\" rx=\"3\" fill=\"%s\"/>",
			y, w < 1 ? 1.0 : w, neutral ? "#2680c2" : bar_color(c[i].name));
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#102a43\">%lld</text>",
			132 + (w < 1 ? 1.0 : w) + 6, y + 15, (long long)c[i].n);
	}
	fputs("</svg></div>", out);
}

static void html_badge(FILE *out, const char *st)
{
	fprintf(out, "<span class=\"badge b-%s\">", st);
	for (; *st; st++)
		fputc(*st == '_' ? ' ' : *st, out);
	fputs("</span>", out);
}

int rp_out_html(const struct rp_report *rep, FILE *out)
{
	char b1[TSSTR_MAX], b2[TSSTR_MAX], nol[6][200];
	int i, j, c, nn, nr;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
	      "<title>wireaudit report: ASVS V12</title><style>", out);
	fputs(html_css, out);
	fputs("</style></head><body>\n<header><h1>Secure Communication audit: OWASP ASVS 5.0 V12</h1>", out);
	{
		char b3[TSSTR_MAX];
		fprintf(out, "<div class=\"sub\">wireaudit %s &middot; level %d &middot; generated %s &middot; window %s &ndash; %s</div></header>\n<main>",
			PACKAGE_VERSION, rep->o->level, ts(rep->generated_at, b1, sizeof(b1)),
			ts(rep->win_first, b2, sizeof(b2)), ts(rep->win_last, b3, sizeof(b3)));
	}

	fputs("<h2>Summary</h2><div class=\"cards\">", out);
	fprintf(out, "<div class=\"card fail\"><div class=\"n\">%d</div><div class=\"l\">fail</div></div>", count_status(rep, "fail"));
	fprintf(out, "<div class=\"card pass\"><div class=\"n\">%d</div><div class=\"l\">pass</div></div>", count_status(rep, "pass"));
	fprintf(out, "<div class=\"card nob\"><div class=\"n\">%d</div><div class=\"l\">not observed</div></div>", count_status(rep, "not_observed"));
	fprintf(out, "<div class=\"card nobs\"><div class=\"n\">%d</div><div class=\"l\">not observable</div></div>", count_status(rep, "not_observable"));
	fprintf(out, "<div class=\"card\"><div class=\"n\">%lld</div><div class=\"l\">flows analysed</div></div></div>", (long long)rep->flows);
	fprintf(out, "<div class=\"result %s\">%s</div>", rep->any_fail ? "fail" : "pass",
		rep->any_fail ? "At least one requirement fails at this level (exit status 6)."
			      : "No requirement fails at this level (exit status 0).");
	if (rep->drops + rep->if_drops > 0)
		fprintf(out, "<div class=\"warn\"><b>Warning:</b> %lld packets were dropped during capture; results may be incomplete.</div>",
			(long long)(rep->drops + rep->if_drops));

	fputs("<table><tr><th>ID</th><th>Level</th><th>Status</th><th>Reason</th><th>Findings</th></tr>", out);
	for (i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		fprintf(out, "<tr><td><a href=\"#r%s\">%s</a></td><td>L%d</td><td>", r->id, r->id, r->level);
		html_badge(out, r->status);
		fputs("</td><td>", out);
		html_escape(out, r->reason);
		fprintf(out, "</td><td class=\"num\">%d</td></tr>", r->nfindings);
	}
	fputs("</table>", out);

	fputs("<h2>Traffic</h2><div class=\"charts\">", out);
	svg_bars(out, "TLS versions (flows)", rep->versions, rep->nversions, false);
	svg_bars(out, "Cipher suite classes (flows)", rep->classes, rep->nclasses, false);
	svg_bars(out, "Cleartext protocols (flows)", rep->clear_protos, rep->nclear_protos, true);
	fputs("</div>", out);

	fputs("<h2>Coverage</h2><div class=\"req\"><dl>", out);
	fprintf(out, "<dt>Flows</dt><dd>%lld (TCP %lld, UDP %lld)</dd>", (long long)rep->flows,
		(long long)rep->flows_tcp, (long long)rep->flows_udp);
	fprintf(out, "<dt>Handshake / session start seen</dt><dd>%lld of %lld TCP flows (%.1f%%)</dd>",
		(long long)rep->flows_handshake, (long long)rep->flows_tcp, 100.0 * handshake_share(rep));
	fprintf(out, "<dt>TLS flows</dt><dd>%lld (TLS 1.3: %lld; certificate chain visible: %lld)</dd>",
		(long long)rep->tls_flows, (long long)rep->tls13_flows, (long long)rep->tls_certs_seen);
	fprintf(out, "<dt>Packets / drops</dt><dd>%lld / %lld%s</dd>", (long long)rep->packets,
		(long long)(rep->drops + rep->if_drops), rep->drops_known ? "" : " (not reported for offline reads)");
	for (i = 0; i < rep->nruns; i++) {
		fprintf(out, "<dt>Source (run %lld)</dt><dd><span class=\"mono\">", (long long)rep->runs[i].run_id);
		html_escape(out, rep->runs[i].source);
		fputs("</span> <span class=\"muted\">", out);
		html_escape(out, rep->runs[i].mode);
		fputs(", ", out);
		html_escape(out, rep->runs[i].status);
		fputs("</span></dd>", out);
	}
	fputs("<dt>Internal networks</dt><dd class=\"mono\">", out);
	for (i = 0; i < rep->nnets; i++) {
		html_escape(out, rep->nets[i].cidr);
		if (rep->nets[i].env[0]) {
			fputs(" <span class=\"tag\">", out);
			html_escape(out, rep->nets[i].env);
			fputs("</span>", out);
		}
		fputs(i + 1 < rep->nnets ? ", " : "", out);
	}
	fputs("</dd>", out);
	nn = not_observable_lines(rep, nol);
	fputs("<dt>Not observable</dt><dd><ul style=\"margin:0;padding-left:18px\">", out);
	for (i = 0; i < nn; i++) {
		fputs("<li>", out);
		html_escape(out, nol[i]);
		fputs("</li>", out);
	}
	fputs("</ul></dd>", out);
	for (i = 0; i < rep->nnotes; i++) {
		fputs("<dt>Note</dt><dd>", out);
		html_escape(out, rep->notes[i]);
		fputs("</dd>", out);
	}
	fputs("</dl></div>", out);

	fputs("<h2>Requirements and evidence</h2>", out);
	for (i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		fprintf(out, "<div class=\"req\" id=\"r%s\"><h3>", r->id);
		html_badge(out, r->status);
		fprintf(out, " %s <span class=\"muted\">(L%d)</span></h3><p class=\"title\">", r->id, r->level);
		html_escape(out, r->title);
		fputs("</p><p class=\"reason\">", out);
		html_escape(out, r->reason);
		fputs("</p>", out);
		if (r->nfindings) {
			char n1[32], n2[32], n3[32], n4[32], n5[32], n6[32];
			fprintf(out, "<p class=\"muted\">%s findings (%s failing) over %s servers; violating flows %s"
				" (%s servers, %s clients)</p>", fmt_n(r->nfindings, n1, sizeof(n1)),
				fmt_n(r->nfailing, n2, sizeof(n2)), fmt_n(r->nservers, n3, sizeof(n3)),
				fmt_n(r->v_flows, n4, sizeof(n4)), fmt_n(r->v_servers, n5, sizeof(n5)),
				fmt_n(r->v_clients, n6, sizeof(n6)));
		}
		nr = rollups_shown(rep, r);
		if (nr > 0)
			fputs("<h4>By cause</h4><table class=\"rollups\"><tr><th>Severity</th><th>Finding</th><th>Cause</th>"
			      "<th>Servers</th><th>Clients</th><th>Flows</th><th>Top servers</th></tr>", out);
		for (j = 0; j < nr; j++) {
			const struct rp_rollup *u = &r->rollups[j];
			char line[900], n1[32], n2[32], n3[32];
			cause_line(u, line, sizeof(line));
			fprintf(out, "<tr><td><span class=\"sev sev-%s\">%s</span></td><td><b>%s</b></td><td class=\"mono\">",
				u->k->severity, u->k->severity, u->k->kind);
			html_escape(out, line);
			fprintf(out, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
				"<td class=\"mono\">", fmt_n(u->servers, n1, sizeof(n1)), fmt_n(u->clients, n2, sizeof(n2)),
				fmt_n(u->flows, n3, sizeof(n3)));
			for (c = 0; c < u->ntop; c++) {
				if (c) fputs("<br>", out);
				srv_line(&u->top[c], line, sizeof(line));
				html_escape(out, line);
				fprintf(out, " (%lld)", (long long)u->top[c].flows);
			}
			fputs("</td></tr>", out);
		}
		if (nr > 0)
			fputs("</table>", out);
		if (nr < r->nrollups)
			fprintf(out, "<p class=\"muted\">%d more causes: see the JSON report.</p>", r->nrollups - nr);
		if (r->nfindings) {
			fputs("<table><tr><th>Severity</th><th>Finding</th><th>Server</th><th>Flows</th>"
			      "<th>Clients</th><th>Seen</th><th>Evidence</th></tr>", out);
			for (j = 0; j < r->nlisted; j++) {
				const struct rp_finding *f = r->findings[j];
				const char *sev = rp_finding_severity(f);
				fprintf(out, "<tr><td><span class=\"sev sev-%s\">%s</span></td><td><b>%s</b>",
					sev, sev, f->k->kind);
				if (!f->k->violation)
					fputs("<span class=\"tag\">informational</span>", out);
				if (f->baseline)
					fprintf(out, "<span class=\"tag\">%s</span>", f->baseline);
				if (f->waiver_owner[0]) {
					fprintf(out, "<span class=\"tag\">%s</span><br><span class=\"muted\">",
						f->waived ? "waived" : "waiver expired");
					html_escape(out, f->waiver_reason);
					fputs(" &mdash; ", out);
					html_escape(out, f->waiver_owner);
					fprintf(out, ", until %s</span>", f->waiver_expires);
				}
				fputs("<br><span class=\"muted\">", out);
				html_escape(out, f->k->summary);
				fputs("</span></td><td class=\"mono\">", out);
				fputs(strchr(f->server_ip, ':') ? "[" : "", out);
				html_escape(out, f->server_ip);
				fprintf(out, "%s:%d<br>", strchr(f->server_ip, ':') ? "]" : "", f->server_port);
				html_escape(out, f->protocol);
				fprintf(out, " <span class=\"tag\">%s</span>", f->server_internal ? "internal" : "external");
				if (f->env[0]) {
					fputs("<span class=\"tag\">", out);
					html_escape(out, f->env);
					fputs("</span>", out);
				}
				if (f->geo.country[0] || f->geo.asn) {
					fputs("<br>", out);
					html_escape(out, f->geo.country);
					if (f->geo.asn) {
						fprintf(out, " AS%lld ", (long long)f->geo.asn);
						html_escape(out, f->geo.as_org);
					}
				}
				fprintf(out, "</td><td class=\"num\">%lld</td><td class=\"mono\">%lld",
					(long long)f->flows, (long long)f->nclients);
				for (c = 0; c < f->ntop; c++) {
					fputs("<br>", out);
					html_escape(out, f->top[c].ip);
					fprintf(out, " (%lld)", (long long)f->top[c].flows);
					if (f->top[c].geo.country[0]) {
						fputc(' ', out);
						html_escape(out, f->top[c].geo.country);
					}
				}
				fprintf(out, "</td><td class=\"mono\">%s<br>%s</td><td>", ts(f->first_seen, b1, sizeof(b1)),
					ts(f->last_seen, b2, sizeof(b2)));
				html_escape(out, f->evidence_text);
				if (f->nsni) {
					fputs("<br>SNI: <span class=\"mono\">", out);
					for (c = 0; c < f->nsni; c++) {
						if (c) fputs(", ", out);
						html_escape(out, f->sni[c]);
					}
					fputs("</span>", out);
				}
				fputs("<br><span class=\"muted\">sample flows:</span> <span class=\"mono\">", out);
				for (c = 0; c < f->nsamples; c++)
					fprintf(out, "%s%lld", c ? " " : "", (long long)f->samples[c]);
				fputs("</span></td></tr>", out);
			}
			fputs("</table>", out);
		}
		if (r->nlisted < r->nfindings) {
			char n1[32], n2[32], n3[32];
			fprintf(out, "<p class=\"more\">&hellip; and %s more findings over %s servers and %s flows: "
				"see the JSON or CSV report.</p>", fmt_n(r->nfindings - r->nlisted, n1, sizeof(n1)),
				fmt_n(r->rest_servers, n2, sizeof(n2)), fmt_n(r->rest_flows, n3, sizeof(n3)));
		}
		for (j = 0; j < r->nresolved; j++) {
			fputs("<p class=\"muted\">Resolved since the baseline: <span class=\"mono\">", out);
			html_escape(out, r->resolved[j]);
			fputs("</span></p>", out);
		}
		fputs("</div>", out);
	}
	fputs("</main><footer>Passive observation only: see the coverage section for what could not be seen. "
	      "Sample flow ids can be shown in full with <code>wireaudit export --flow ID</code>.</footer>"
	      "</body></html>\n", out);
	return ferror(out) ? -1 : 0;
}
