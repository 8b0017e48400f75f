/* SPDX-License-Identifier: BSD-3-Clause */
/* out_text.c — the text report for a terminal (colour only on a TTY); wire strings through term_escape. */
#include "report_int.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "export.h"

/* ---------------------------------------------------------------- text */

#define C_RESET "\033[0m"
static const char *status_color(const char *st)
{
	if (strcmp(st, "not_followed") == 0) return "\033[1;33m";
	if (strcmp(st, "followed") == 0) return "\033[1;32m";
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

/* One requirement: status, reason, counts, rollups, the listed findings. */
static void text_requirement(const struct rp_report *rep, const struct rp_req *r, FILE *out, bool color)
{
	char b1[TSSTR_MAX], b2[TSSTR_MAX];
	int j, c, nr;

	fputc('\n', out);
	if (color)
		fputs(status_color(rp_req_status(r)), out);
	fputc('[', out);
	upper(out, rp_req_status(r));
	fputc(']', out);
	if (color)
		fputs(C_RESET, out);
	/* the short title: the full ASVS wording is in the JSON, HTML and
	 * Markdown reports (docs/REPORT.md) */
	fprintf(out, " %s (L%d) %s\n", r->id, r->level, r->short_title);
	fprintf(out, "    %s\n", r->reason);
	if (r->nfindings) {
		char n1[48], n2[32], n3[48], n4[48], n5[48], n6[48];
		fprintf(out, "    %s (%s failing) over %s; violating flows %s"
			" (%s, %s)\n", rp_plural(r->nfindings, "finding", "findings", n1, sizeof(n1)),
			rp_fmt_n(r->nfailing, n2, sizeof(n2)), rp_plural(r->nservers, "server", "servers", n3, sizeof(n3)),
			rp_fmt_n(r->v_flows, n4, sizeof(n4)), rp_plural(r->v_servers, "server", "servers", n5, sizeof(n5)),
			rp_plural(r->v_clients, "client", "clients", n6, sizeof(n6)));
	}
	nr = rp_rollups_shown(rep, r);
	if (nr > 0)
		fputs("    by cause:\n", out);
	for (j = 0; j < nr; j++) {
		const struct rp_rollup *u = &r->rollups[j];
		char line[900], n1[48], n2[48], n3[48];
		rp_cause_line(u, line, sizeof(line));
		fprintf(out, "  * %s %s: %s, %s, %s: ", u->k->severity, u->k->kind,
			rp_plural(u->servers, "server", "servers", n1, sizeof(n1)),
			rp_plural(u->clients, "client", "clients", n2, sizeof(n2)),
			rp_plural(u->flows, "flow", "flows", n3, sizeof(n3)));
		term_escape(out, line);
		fputs("; top servers", out);
		for (c = 0; c < u->ntop; c++) {
			rp_srv_line(&u->top[c], line, sizeof(line));
			fputs(c ? ", " : " ", out);
			term_escape(out, line);
			fprintf(out, " (%lld)", (long long)u->top[c].flows);
		}
		fputc('\n', out);
	}
	{
		/* one fix line per kind shown: what to change, where the guidance is */
		const struct rp_kind *ks[64];
		int nk = rp_fix_kinds(r, nr, ks, 64);
		for (j = 0; j < nk; j++)
			fprintf(out, "    fix: %s: %s See %s\n", ks[j]->kind, ks[j]->remediation, ks[j]->reference);
	}
	if (nr < r->nrollups)
		fprintf(out, "  * ... and %d more %s: see the JSON report\n", r->nrollups - nr,
			r->nrollups - nr == 1 ? "cause" : "causes");
	for (j = 0; j < r->nlisted; j++) {
		const struct rp_finding *f = r->findings[j];
		fprintf(out, "  - %s %s ", rp_finding_severity(f), f->k->kind);
		/* IPv6 endpoints bracketed, as in the export summary */
		fputs(strchr(f->server_ip, ':') ? "[" : "", out);
		term_escape(out, f->server_ip);
		fprintf(out, "%s:%d/", strchr(f->server_ip, ':') ? "]" : "", f->server_port);
		term_escape(out, f->protocol);
		char n1[48], n2[48];
		fprintf(out, " %s: %s, %s, %s .. %s",
			f->server_internal ? "internal" : "external",
			rp_plural(f->flows, "flow", "flows", n1, sizeof(n1)),
			rp_plural(f->nclients, "client", "clients", n2, sizeof(n2)),
			rp_ts(f->first_seen, b1, sizeof(b1)), rp_ts(f->last_seen, b2, sizeof(b2)));
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
		fputs("      sample flows (", out);
		if (rep->o->sample_hint)
			term_escape(out, rep->o->sample_hint);
		else
			fputs("wireaudit export --flow ID", out);
		fputs("):", out);
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
		char n1[48], n2[48], n3[48];
		fprintf(out, "  - ... and %s more %s over %s and %s: see the JSON or CSV report\n",
			rp_fmt_n(r->nfindings - r->nlisted, n1, sizeof(n1)),
			r->nfindings - r->nlisted == 1 ? "finding" : "findings",
			rp_plural(r->rest_servers, "server", "servers", n2, sizeof(n2)),
			rp_plural(r->rest_flows, "flow", "flows", n3, sizeof(n3)));
	}
	for (j = 0; j < r->nresolved; j++) {
		fputs("  - resolved since the baseline: ", out);
		term_escape(out, r->resolved[j]);
		fputc('\n', out);
	}
}

/* Display columns of s[0..n): UTF-8 sequences count one, the report's own
 * colour sequences (ESC [ ... m) none. */
static int text_cols(const char *s, size_t n)
{
	int w = 0;
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0x1b && i + 1 < n && s[i + 1] == '[') {
			for (i += 2; i < n && s[i] != 'm'; i++)
				;
			i++;
			continue;
		}
		if ((c & 0xc0) != 0x80)
			w++;
		i++;
	}
	return w;
}

/* One line wrapped at width: broken at spaces only (an address, a path or
 * a hash is never cut, a longer word overflows), continuation lines
 * indented two past the line's own indent and list marker ("* ", "- "). */
static void text_wrap_line(FILE *out, const char *s, size_t n, int width)
{
	size_t ind = 0, start, i, brk;
	int cont;
	while (ind < n && s[ind] == ' ')
		ind++;
	cont = (int)ind + ((ind + 1 < n && (s[ind] == '*' || s[ind] == '-') && s[ind + 1] == ' ') ? 2 : 0) + 2;
	if (ind == 0)
		cont = 4; /* a requirement's heading: under its reason */
	if (cont > width / 2)
		cont = width / 2;
	start = 0;
	/* the first line never breaks inside its own indent and marker */
	size_t lead = ind + ((ind + 1 < n && (s[ind] == '*' || s[ind] == '-') && s[ind + 1] == ' ') ? 2 : 0);
	for (bool first = true; start < n; first = false) {
		int avail = width - (first ? 0 : cont);
		if (text_cols(s + start, n - start) <= avail) {
			brk = n;
		} else {
			/* the last space at or before the column limit, else the first after */
			brk = 0;
			for (i = first ? lead + 1 : start + 1; i < n; i++) {
				if (s[i] != ' ')
					continue;
				if (text_cols(s + start, i - start) <= avail) {
					brk = i;
				} else {
					if (brk == 0)
						brk = i;
					break;
				}
			}
			if (brk == 0)
				brk = n;
		}
		if (!first)
			fprintf(out, "%*s", cont, "");
		fwrite(s + start, 1, brk - start, out);
		fputc('\n', out);
		start = brk;
		while (start < n && s[start] == ' ')
			start++;
	}
}

static int text_report(const struct rp_report *rep, FILE *out, bool color);

/* The text report, wrapped at width columns when width > 0. */
int rp_out_text(const struct rp_report *rep, FILE *out, bool color, int width)
{
	char *buf = NULL;
	size_t len = 0, i, j;
	FILE *m;
	int rc;
	if (width <= 0)
		return text_report(rep, out, color);
	if (width < 40)
		width = 40;
	if ((m = open_memstream(&buf, &len)) == NULL)
		return -1;
	rc = text_report(rep, m, color);
	if (fclose(m) != 0 || buf == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < len; i = j + 1) {
		for (j = i; j < len && buf[j] != '\n'; j++)
			;
		if (j == i)
			fputc('\n', out);
		else
			text_wrap_line(out, buf + i, j - i, width);
	}
	free(buf);
	return rc != 0 || ferror(out) ? -1 : 0;
}

/* Post-quantum readiness (pq.c): facts, no verdict. */
static void text_pq(const struct rp_report *rep, FILE *out)
{
	const struct rp_pq *pq = &rep->pq;
	const struct rp_pq_counts *a = &pq->all;
	char p1[16], p2[16], p3[16], d[32], nb[48];
	int i, listed = 0, first;

	fputs("\nPost-quantum readiness (the key exchange of TLS and QUIC handshakes; facts, not a V12 requirement)\n", out);
	if (a->hs == 0) {
		fputs("  no TLS or QUIC ClientHello in the window\n", out);
		return;
	}
	fprintf(out, "  handshakes %lld: a post-quantum group offered in %lld (%s), a key share for one sent in %lld\n",
		(long long)a->hs, (long long)a->offered, rp_pq_pct(a->offered, a->hs, p1, sizeof(p1)), (long long)a->ks);
	fprintf(out, "  selected by the server in %lld: %s of the %lld answered offers, %s of all handshakes,"
		" %s of their bytes (%lld of %lld)\n",
		(long long)a->selected, rp_pq_pct(a->selected, a->offered_answered, p1, sizeof(p1)),
		(long long)a->offered_answered, rp_pq_pct(a->selected, a->hs, p2, sizeof(p2)),
		rp_pq_pct(a->pq_bytes, a->bytes, p3, sizeof(p3)), (long long)a->pq_bytes, (long long)a->bytes);
	if (a->hrr > 0)
		fprintf(out, "  a HelloRetryRequest asked for a post-quantum group in %lld\n", (long long)a->hrr);
	if (pq->ngroups > 0) {
		fputs("  groups selected:", out);
		for (i = 0; i < pq->ngroups; i++) {
			fputs(i ? ", " : " ", out);
			term_escape(out, pq->groups[i].name);
			fprintf(out, " %lld", (long long)pq->groups[i].n);
		}
		fputc('\n', out);
	}
	fprintf(out, "  servers %d: %d selected a post-quantum group, %d never did although their clients offered one\n",
		pq->nsrv, pq->nsrv_select, pq->nsrv_never);
	for (i = 0; i < pq->nsrv; i++) {
		const struct rp_pq_server *s = &pq->srv[i];
		if (s->c.selected > 0 || s->c.offered_answered == 0)
			continue;
		if (listed++ >= rp_list_max(rep))
			continue;
		fputs("    ", out);
		term_escape(out, s->ip);
		fprintf(out, ":%d", s->port);
		if (s->sni) {
			fputs(" (", out);
			term_escape(out, s->sni);
			if (s->nsni > 1)
				fprintf(out, " and %lld more names", (long long)(s->nsni - 1));
			fputc(')', out);
		}
		fprintf(out, ": %s, %lld offered post-quantum, none selected\n",
			rp_plural(s->c.hs, "handshake", "handshakes", nb, sizeof(nb)), (long long)s->c.offered_answered);
	}
	if (listed > rp_list_max(rep))
		fprintf(out, "    ... and %d more such servers (the JSON report lists all)\n", listed - rp_list_max(rep));
	first = pq->ndays > RP_PQ_DAYS_LIST ? pq->ndays - RP_PQ_DAYS_LIST : 0;
	fputs("  per day (UTC): handshakes, post-quantum offered, selected, share selected\n", out);
	if (first > 0)
		fprintf(out, "    (the last %d days; %d earlier in the JSON report)\n", RP_PQ_DAYS_LIST, first);
	for (i = first; i < pq->ndays; i++) {
		const struct rp_pq_counts *c = &pq->days[i].c;
		fprintf(out, "    %s %lld %lld %lld %s\n", rp_pq_day(pq->days[i].day, d, sizeof(d)), (long long)c->hs,
			(long long)c->offered, (long long)c->selected, rp_pq_pct(c->selected, c->hs, p1, sizeof(p1)));
	}
}

static void text_status(FILE *out, const char *st)
{
	fputc('[', out);
	upper(out, st);
	fputc(']', out);
}

static const struct rp_pstyle text_pstyle = {
	.esc = term_escape, .status = text_status,
	.sec_open = "\n", .sec_close = "\n", .sub_open = "\n", .sub_close = "\n",
	.par_open = "  ", .par_close = "\n", .list_open = "", .list_close = "",
	.item_open = "  ", .item_close = "\n", .br = "\n      ",
	.tab_open = "", .tab_close = "", .row_open = "    ", .row_close = "\n", .cell_open = "",
	.cell_close = " ", .hcell_open = "", .hcell_close = " ", .pad = true,
};

static int text_report(const struct rp_report *rep, FILE *out, bool color)
{
	char b1[TSSTR_MAX], b2[TSSTR_MAX], nol[6][200];
	int i, nn;

	fprintf(out, "wireaudit %s report: OWASP ASVS 5.0 V12 Secure Communication, level %d\n",
		PACKAGE_VERSION, rep->o->level);
	fprintf(out, "Generated %s\n", rp_ts(rep->generated_at, b1, sizeof(b1)));
	fprintf(out, "Window: %s .. %s", rp_ts(rep->win_first, b1, sizeof(b1)), rp_ts(rep->win_last, b2, sizeof(b2)));
	if (rep->o->since >= 0 || rep->o->until >= 0)
		fprintf(out, " (selected %s .. %s)", rep->o->since >= 0 ? rp_ts(rep->o->since, b1, sizeof(b1)) : "start",
			rep->o->until >= 0 ? rp_ts(rep->o->until, b2, sizeof(b2)) : "end");
	fputc('\n', out);
	fputs("\nCoverage\n", out);
	fprintf(out, "  flows %lld (tcp %lld, udp %lld", (long long)rep->flows, (long long)rep->flows_tcp,
		(long long)rep->flows_udp);
	if (rep->flows_icmp > 0)
		fprintf(out, ", icmp %lld", (long long)rep->flows_icmp);
	fprintf(out, "); handshake or session start seen in %lld of %lld TCP flows (%.1f%%)\n",
		(long long)rep->flows_handshake, (long long)rep->flows_tcp, 100.0 * rp_handshake_share(rep));
	fprintf(out, "  TLS flows %lld (TLS 1.3: %lld, with a visible certificate chain: %lld",
		(long long)rep->tls_flows, (long long)rep->tls13_flows, (long long)rep->tls_certs_seen);
	if (rep->tls13_decrypted > 0) /* capture --keylog */
		fprintf(out, ", decrypted with a key log: %lld", (long long)rep->tls13_decrypted);
	fputs(")\n", out);
	if (rep->drops_known)
		fprintf(out, "  packets %lld, drops %lld\n", (long long)rep->packets,
			(long long)(rep->drops + rep->if_drops));
	else
		fprintf(out, "  packets %lld, drops not reported (offline read)\n", (long long)rep->packets);
	for (i = 0; i < rep->nruns; i++) {
		const struct rp_run_info *r = &rep->runs[i];
		char **items, nb[48];
		int k, n = rp_source_items(r->source, &items);
		bool live = strcmp(r->mode ? r->mode : "", "live") == 0;
		fprintf(out, "  source run %lld (", (long long)r->run_id);
		if (r->sensor) {
			fputs("sensor ", out);
			term_escape(out, r->sensor);
			fputs(", ", out);
		}
		term_escape(out, r->mode);
		fputs(", ", out);
		term_escape(out, r->status);
		fprintf(out, "): %s", rp_plural(n, live ? "interface" : "file", live ? "interfaces" : "files", nb, sizeof(nb)));
		for (k = 0; k < n && k < RP_SOURCE_LIST; k++) {
			fputs(k ? ", " : ": ", out);
			term_escape(out, items[k]);
		}
		if (n > RP_SOURCE_LIST)
			fprintf(out, " and %d more (the JSON report lists all)", n - RP_SOURCE_LIST);
		fprintf(out, "; packets %lld", (long long)r->packets);
		if (r->drops >= 0 || r->if_drops >= 0)
			fprintf(out, " drops %lld/%lld", (long long)r->drops, (long long)r->if_drops);
		fputc('\n', out);
		if (items)
			free(items[0]);
		free(items);
	}
	{
		struct rp_sensor *sv;
		char line[200];
		int ns = rp_sensors(rep, &sv);
		for (int k = 0; k < ns; k++) {
			fputs("  sensor ", out);
			term_escape(out, sv[k].name ? sv[k].name : "(unnamed: runs before schema 8)");
			rp_sensor_line(&sv[k], line, sizeof(line));
			fprintf(out, ": %s\n", line);
		}
		free(sv);
	}
	fputs("  flows per interface:", out);
	for (i = 0; i < rep->nifaces; i++) {
		fputs(i ? ", " : " ", out);
		term_escape(out, rep->ifaces[i].name ? rep->ifaces[i].name : "(files)");
		fprintf(out, " %lld", (long long)rep->ifaces[i].n);
	}
	fputs(rep->nifaces ? "\n" : " none\n", out);
	if (rep->series_known) {
		fprintf(out, "  drops in the window (statistics series): %lld of %lld packets received (%.2f%%)\n",
			(long long)rep->win_drops, (long long)rep->win_received,
			rp_blind_pct(rep->win_drops, rep->win_received));
		if (rep->nblind > 0)
			fputs("  blind periods (drops counted between two checkpoints):\n", out);
		for (i = 0; i < rep->nblind && i < RP_BLIND_LIST; i++) {
			const struct rp_blind *b = &rep->blind[i];
			char t1[TSSTR_MAX], t2[TSSTR_MAX];
			fprintf(out, "    run %lld ", (long long)b->run_id);
			term_escape(out, b->iface ? b->iface : "(files)");
			fprintf(out, " %s .. %s: %lld dropped of %lld received\n",
				rp_ts(b->from, t1, sizeof(t1)), rp_ts(b->to, t2, sizeof(t2)),
				(long long)b->drops, (long long)b->received);
		}
		if (rep->nblind > RP_BLIND_LIST)
			fprintf(out, "    ... and %d more blind periods (the JSON and CSV reports list all)\n",
				rep->nblind - RP_BLIND_LIST);
	} else {
		fputs("  drops in the window: not known (no live statistics series in the window)\n", out);
	}
	if (rep->drops > 0 || rep->if_drops > 0)
		fprintf(out, "  %sWARNING: %lld packets dropped: results may be incomplete%s\n",
			color ? "\033[1;31m" : "", (long long)(rep->drops + rep->if_drops), color ? C_RESET : "");
	for (i = 0; i < 2; i++) {
		char *note = rp_retention_note(rep, i == 1);
		if (note)
			fprintf(out, "  %s%s: %s%s\n", i == 1 && color ? "\033[1;31m" : "",
				i == 1 ? "WARNING" : "retention", note, i == 1 && color ? C_RESET : "");
		free(note);
	}
	nn = rp_not_observable_lines(rep, nol);
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
		rp_count_status(rep, "fail"), rp_count_status(rep, "pass"), rp_count_status(rep, "not_observed"),
		rp_count_status(rep, "not_observable"));
	for (i = 0; i < rep->nreqs; i++)
		if (!rep->reqs[i].guidance)
			text_requirement(rep, &rep->reqs[i], out, color);
	if (rp_count_guidance(rep) > 0) {
		fputs("\nGuidance (the V12.1 introduction: advice, not a numbered requirement; never fails the report)\n", out);
		for (i = 0; i < rep->nreqs; i++)
			if (rep->reqs[i].guidance)
				text_requirement(rep, &rep->reqs[i], out, color);
	}
	text_pq(rep, out);
	rp_out_profiles(rep, out, &text_pstyle);
	if (!rep->prof_extra) {
		fprintf(out, "\nResult: %s\n", rep->any_fail ? "FAIL (exit 6)" : "no failing requirement (exit 0)");
	} else {
		/* with profiles: what decides the exit status, named */
		bool fail = (rep->asvs_on && rep->any_fail) || rep->prof_fail;
		fprintf(out, "\nResult: %s (exit %d): V12 %s%s", fail ? "FAIL" : "no failing profile", fail ? 6 : 0,
			rep->any_fail ? "fails" : "does not fail", rep->asvs_on ? "" : " (asvs5 not chosen: not counted)");
		for (i = 0; i < rep->nprof_shown; i++)
			if (strcmp(rep->prof[i].name, "asvs5") != 0) {
				fputs("; ", out);
				term_escape(out, rep->prof[i].name);
				fputc(' ', out);
				fputs(rep->prof[i].status, out);
			}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

