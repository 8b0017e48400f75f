/* SPDX-License-Identifier: BSD-3-Clause */
/* out_md.c — the Markdown report; wire strings backslash-escaped. */
#include "report_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "export.h"
#include "json.h"

/* ------------------------------------------------------------ Markdown */

/* Markdown: the punctuation that can start inline markup backslash-escaped
 * (CommonMark 2.4 and GFM: backslash, code span, emphasis and
 * strikethrough, link brackets, inline HTML and autolinks, table cells,
 * entities, math in renderers that have it; GFM's extended autolinks
 * broken at "www\.", "\://" and "\@") and nothing else, so file names and
 * addresses stay readable;
 * no escaped string starts a line, so block markers (#, -, 1.) need
 * nothing. Control bytes, C1 and invalid UTF-8 shown as \xNN. */
static void md_write(FILE *out, const char *s, bool code)
{
	/* a shown byte: "\\xNN" in text (the backslash itself escaped),
	 * "\xNN" in a code span (verbatim there) */
	const unsigned char *p;
	for (p = (const unsigned char *)s; *p;) {
		size_t n;
		if (*p < 0x20 || *p == 0x7f || (code && (*p == '`' || *p == '|'))) {
			fprintf(out, code ? "\\x%02x" : "\\\\x%02x", *p++);
		} else if (*p < 0x80) {
			/* GFM extended autolinks: "www.", "scheme://", "user@host" */
			if (!code && (strchr("\\`*_[]<>|&~$@", *p) ||
				      (*p == ':' && p[1] == '/' && p[2] == '/') ||
				      (*p == '.' && p - (const unsigned char *)s >= 3 &&
				       strncasecmp((const char *)p - 3, "www", 3) == 0)))
				fputc('\\', out);
			fputc(*p++, out);
		} else if ((n = utf8_seq_len(p, strlen((const char *)p))) == 0 ||
			   (p[0] == 0xc2 && p[1] < 0xa0)) {
			fprintf(out, code ? "\\x%02x" : "\\\\x%02x", *p++);
		} else {
			fwrite(p, 1, n, out);
			p += n;
		}
	}
}

static void md_escape(FILE *out, const char *s)
{
	if (s == NULL)
		fputs("-", out);
	else
		md_write(out, s, false);
}

/* A file name or interface in a code span: shown verbatim (nothing is
 * markup inside one, CommonMark 6.1); a backtick in it cannot close the
 * span because the span is written with one backtick and every backtick,
 * '|' (a table cell's end) or control byte in the name is shown as \xNN. */
static void md_code(FILE *out, const char *s)
{
	md_write(out, s, true);
}

/* GitHub's heading anchor of a requirement: "### 12.3.1 (L2): fail — ..." */
static const char *md_anchor(const struct rp_req *r, char *buf, size_t len)
{
	size_t o = 0;
	const char *p;
	char head[400];
	snprintf(head, sizeof(head), "%s l%d %s  %s", r->id, r->level, rp_req_status(r), r->short_title);
	for (p = head; *p && o + 1 < len; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
			buf[o++] = (char)c;
		else if (c >= 'A' && c <= 'Z')
			buf[o++] = (char)(c + 32);
		else if (c == ' ')
			buf[o++] = '-';
	}
	buf[o] = 0;
	return buf;
}

static void md_requirement(const struct rp_report *rep, const struct rp_req *r, FILE *out);

/* The executive summary: verdict, the worst problems, coverage, blind
 * spots (out_common.c rp_exec_summary), before everything else. */
static void md_exec(const struct rp_report *rep, FILE *out)
{
	struct rp_exec x;
	char line[2048];   /* cause (900) + summary + counts + server (300): whole */
	int i;

	rp_exec_summary(rep, &x);
	fprintf(out, "## Executive summary\n\n**Verdict: %s**: ", x.verdict);
	md_escape(out, x.verdict_line);
	fputs("\n\nWorst problems:", out);
	if (x.ntop == 0)
		fputs(" none, no requirement fails.\n", out);
	else
		fputs("\n\n", out);
	for (i = 0; i < x.ntop; i++) {
		rp_problem_line(&x.top[i], line, sizeof(line));
		fprintf(out, "%d. ", i + 1);
		md_escape(out, line);
		fputc('\n', out);
	}
	fputs("\nCoverage: ", out);
	md_escape(out, x.coverage);
	fputs("\n\nBlind spots:\n\n", out);
	for (i = 0; i < x.nblind; i++) {
		fputs("- ", out);
		md_escape(out, x.blind[i]);
		fputc('\n', out);
	}
	fputc('\n', out);
}

/* One "Fix" line per kind of the rollups shown: what to change, and the
 * guidance as a link (constant text, escaped all the same; the URL is a
 * plain https URL without Markdown punctuation: tests/unit/test_remedy.c). */
static void md_fixes(const struct rp_req *r, int nr, FILE *out)
{
	const struct rp_kind *ks[64];
	int n = rp_fix_kinds(r, nr, ks, 64);
	if (n > 0)
		fputc('\n', out);
	for (int i = 0; i < n; i++) {
		fprintf(out, "- **Fix:** %s: ", ks[i]->kind);
		md_escape(out, ks[i]->remediation);
		fprintf(out, " See [%s](%s)\n", ks[i]->reference, ks[i]->reference);
	}
}

/* Post-quantum readiness (pq.c): totals, the servers that never selected
 * a PQ group although clients offered one, a table per day. */
static void md_status(FILE *out, const char *st)
{
	fputs("**", out);
	for (; *st; st++)
		fputc(*st == '_' ? ' ' : (*st >= 'a' && *st <= 'z' ? *st - 32 : *st), out);
	fputs("**", out);
}

static const struct rp_pstyle md_pstyle = {
	.esc = md_escape, .status = md_status,
	.sec_open = "\n## ", .sec_close = "\n\n", .sub_open = "\n### ", .sub_close = "\n\n",
	.par_open = "", .par_close = "\n\n", .list_open = "", .list_close = "\n",
	.item_open = "- ", .item_close = "\n", .br = "\\\n  ",
	.tab_open = "", .tab_close = "\n", .row_open = "|", .row_close = "\n", .cell_open = " ",
	.cell_close = " |", .hcell_open = " ", .hcell_close = " |", .head_sep = true, .status_cell = true,
};

static void md_pq(const struct rp_report *rep, FILE *out)
{
	const struct rp_pq *pq = &rep->pq;
	const struct rp_pq_counts *a = &pq->all;
	char p1[16], p2[16], p3[16], d[32];
	int i, listed = 0, first;

	fputs("\n## Post-quantum readiness\n\nThe key exchange of TLS and QUIC handshakes (facts, not a V12 "
	      "requirement).\n\n", out);
	if (a->hs == 0) {
		fputs("No TLS or QUIC ClientHello in the window.\n", out);
		return;
	}
	fprintf(out, "- Handshakes: %lld; a post-quantum group offered in %lld (%s), a key share for one sent in %lld\n",
		(long long)a->hs, (long long)a->offered, rp_pq_pct(a->offered, a->hs, p1, sizeof(p1)), (long long)a->ks);
	fprintf(out, "- Selected by the server: %lld (%s of the %lld answered offers, %s of all handshakes, %s of their bytes)\n",
		(long long)a->selected, rp_pq_pct(a->selected, a->offered_answered, p1, sizeof(p1)),
		(long long)a->offered_answered, rp_pq_pct(a->selected, a->hs, p2, sizeof(p2)),
		rp_pq_pct(a->pq_bytes, a->bytes, p3, sizeof(p3)));
	fprintf(out, "- HelloRetryRequest for a post-quantum group: %lld\n", (long long)a->hrr);
	if (pq->ngroups > 0) {
		fputs("- Groups selected:", out);
		for (i = 0; i < pq->ngroups; i++) {
			fputs(i ? ", " : " ", out);
			md_escape(out, pq->groups[i].name);
			fprintf(out, " %lld", (long long)pq->groups[i].n);
		}
		fputc('\n', out);
	}
	fprintf(out, "- Servers: %d; %d selected a post-quantum group, %d never did although their clients offered one\n",
		pq->nsrv, pq->nsrv_select, pq->nsrv_never);
	for (i = 0; i < pq->nsrv; i++) {
		const struct rp_pq_server *s = &pq->srv[i];
		if (s->c.selected > 0 || s->c.offered_answered == 0)
			continue;
		if (listed++ == 0)
			fputs("\n| Server | SNI | Handshakes | Offered post-quantum | Selected |\n|---|---|---|---|---|\n", out);
		if (listed > rp_list_max(rep))
			continue;
		fputs("| `", out);
		md_code(out, s->ip);
		fprintf(out, ":%d` | ", s->port);
		if (s->sni) {
			fputc('`', out);
			md_code(out, s->sni);
			fputc('`', out);
		}
		if (s->nsni > 1)
			fprintf(out, " and %lld more", (long long)(s->nsni - 1));
		fprintf(out, " | %lld | %lld | 0 |\n", (long long)s->c.hs, (long long)s->c.offered_answered);
	}
	if (listed > rp_list_max(rep))
		fprintf(out, "\nand %d more such servers (the JSON report lists all)\n", listed - rp_list_max(rep));
	first = pq->ndays > RP_PQ_DAYS_LIST ? pq->ndays - RP_PQ_DAYS_LIST : 0;
	fputs("\n| Day (UTC) | Handshakes | Offered | Selected | Share selected |\n|---|---|---|---|---|\n", out);
	for (i = first; i < pq->ndays; i++) {
		const struct rp_pq_counts *c = &pq->days[i].c;
		fprintf(out, "| %s | %lld | %lld | %lld | %s |\n", rp_pq_day(pq->days[i].day, d, sizeof(d)),
			(long long)c->hs, (long long)c->offered, (long long)c->selected,
			rp_pq_pct(c->selected, c->hs, p1, sizeof(p1)));
	}
	if (first > 0)
		fprintf(out, "\nThe last %d days; %d earlier in the JSON report.\n", RP_PQ_DAYS_LIST, first);
}

int rp_out_md(const struct rp_report *rep, FILE *out)
{
	char b1[TSSTR_MAX], b2[TSSTR_MAX], nol[6][200], nb[200];
	int i, gi, nn;

	fprintf(out, "# wireaudit report: OWASP ASVS 5.0 V12, level %d\n\n", rep->o->level);
	fprintf(out, "Generated %s. ", rp_ts(rep->generated_at, b1, sizeof(b1)));
	fprintf(out, "Window %s .. %s.\n\n", rp_ts(rep->win_first, b1, sizeof(b1)), rp_ts(rep->win_last, b2, sizeof(b2)));
	fprintf(out, "**Result: %s** (%d fail, %d pass, %d not observed, %d not observable)\n\n",
		rep->any_fail ? "FAIL" : "no failing requirement", rp_count_status(rep, "fail"),
		rp_count_status(rep, "pass"), rp_count_status(rep, "not_observed"), rp_count_status(rep, "not_observable"));
	md_exec(rep, out);
	fputs("## Coverage\n\n", out);
	fprintf(out, "- Flows: %lld (TCP %lld, UDP %lld", (long long)rep->flows, (long long)rep->flows_tcp,
		(long long)rep->flows_udp);
	if (rep->flows_icmp > 0)
		fprintf(out, ", ICMP %lld", (long long)rep->flows_icmp);
	fprintf(out, "); handshake or session start seen in %.1f%% of TCP flows\n", 100.0 * rp_handshake_share(rep));
	fprintf(out, "- TLS flows: %lld (TLS 1.3: %lld", (long long)rep->tls_flows, (long long)rep->tls13_flows);
	if (rep->tls13_decrypted > 0) /* capture --keylog */
		fprintf(out, "; decrypted with a key log: %lld", (long long)rep->tls13_decrypted);
	fputs(")\n", out);
	if (rep->drops_known)
		fprintf(out, "- Packets: %lld; drops: %lld\n", (long long)rep->packets, (long long)(rep->drops + rep->if_drops));
	else
		fprintf(out, "- Packets: %lld; drops not reported (offline read)\n", (long long)rep->packets);
	if (rep->drops + rep->if_drops > 0)
		fputs("- **Warning: packets were dropped, results may be incomplete**\n", out);
	for (i = 0; i < 2; i++) {
		char *note = rp_retention_note(rep, i == 1);
		if (note)
			fprintf(out, i == 1 ? "- **Warning: %s**\n" : "- Retention: %s\n", note);
		free(note);
	}
	for (i = 0; i < rep->nruns; i++) {
		const struct rp_run_info *r = &rep->runs[i];
		char **items, nf[48];
		int k, n = rp_source_items(r->source, &items);
		bool live = strcmp(r->mode ? r->mode : "", "live") == 0;
		fprintf(out, "- Source run %lld (", (long long)r->run_id);
		if (r->sensor) {
			fputs("sensor ", out);
			md_escape(out, r->sensor);
			fputs(", ", out);
		}
		md_escape(out, r->mode);
		fprintf(out, "): %s", rp_plural(n, live ? "interface" : "file", live ? "interfaces" : "files", nf, sizeof(nf)));
		for (k = 0; k < n && k < RP_SOURCE_LIST; k++) {
			fputs(k ? ", `" : ": `", out);
			md_code(out, items[k]);
			fputc('`', out);
		}
		if (n > RP_SOURCE_LIST)
			fprintf(out, " and %d more (the JSON report lists all)", n - RP_SOURCE_LIST);
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
			fputs("- Sensor ", out);
			md_escape(out, sv[k].name ? sv[k].name : "(unnamed)");
			rp_sensor_line(&sv[k], line, sizeof(line));
			fprintf(out, ": %s\n", line);
		}
		free(sv);
	}
	fputs("- Flows per interface:", out);
	for (i = 0; i < rep->nifaces; i++) {
		fputs(i ? ", " : " ", out);
		md_escape(out, rep->ifaces[i].name ? rep->ifaces[i].name : "(files)");
		fprintf(out, " %lld", (long long)rep->ifaces[i].n);
	}
	fputs(rep->nifaces ? "\n" : " none\n", out);
	if (rep->series_known)
		fprintf(out, "- Drops in the window (statistics series): %lld of %lld packets received (%.2f%%)\n",
			(long long)rep->win_drops, (long long)rep->win_received,
			rp_blind_pct(rep->win_drops, rep->win_received));
	else
		fputs("- Drops in the window: not known (no live statistics series in the window)\n", out);
	for (i = 0; i < rep->nblind && i < RP_BLIND_LIST; i++) {
		const struct rp_blind *b = &rep->blind[i];
		char t1[TSSTR_MAX], t2[TSSTR_MAX];
		fprintf(out, "- Blind period: run %lld ", (long long)b->run_id);
		md_escape(out, b->iface ? b->iface : "(files)");
		fprintf(out, " %s .. %s: %lld dropped of %lld received\n", rp_ts(b->from, t1, sizeof(t1)),
			rp_ts(b->to, t2, sizeof(t2)), (long long)b->drops, (long long)b->received);
	}
	if (rep->nblind > RP_BLIND_LIST)
		fprintf(out, "- ... and %d more blind periods (the JSON and CSV reports list all)\n",
			rep->nblind - RP_BLIND_LIST);
	nn = rp_not_observable_lines(rep, nol);
	for (i = 0; i < nn; i++)
		fprintf(out, "- Not observable: %s\n", nol[i]);
	for (i = 0; i < rep->nnotes; i++)
		fprintf(out, "- Note: %s\n", rep->notes[i]);
	fputs("\n## Requirements\n\n| ID | Level | Requirement | Status | Reason |\n|---|---|---|---|---|\n", out);
	for (i = 0; i < rep->nreqs; i++)
		if (!rep->reqs[i].guidance)
			fprintf(out, "| [%s](#%s) | L%d | %s | %s | %s |\n", rep->reqs[i].id, md_anchor(&rep->reqs[i], nb, sizeof(nb)),
				rep->reqs[i].level, rep->reqs[i].short_title, rp_req_status(&rep->reqs[i]), rep->reqs[i].reason);
	for (i = 0, gi = 0; i < rep->nreqs; i++) {
		if (!rep->reqs[i].guidance) {
			md_requirement(rep, &rep->reqs[i], out);
		}
	}
	for (i = 0; i < rep->nreqs; i++) {
		if (rep->reqs[i].guidance) {
			if (gi++ == 0)
				fputs("\n## Guidance\n\nThe V12.1 introduction's advice: not a numbered requirement, so it "
				      "never fails the report; judged on the same evidence.\n", out);
			md_requirement(rep, &rep->reqs[i], out);
		}
	}
	md_pq(rep, out);
	rp_out_profiles(rep, out, &md_pstyle);
	return ferror(out) ? -1 : 0;
}

/* One requirement: heading, full wording, reason, rollups, findings. */
static void md_requirement(const struct rp_report *rep, const struct rp_req *r, FILE *out)
{
	char b1[TSSTR_MAX], b2[TSSTR_MAX];
	int j, c, nr;
	{
		fprintf(out, "\n### %s (L%d): %s — %s\n\n> %s\n\n%s\n", r->id, r->level, rp_req_status(r),
			r->short_title, r->title, r->reason);
		if (r->nfindings == 0)
			return;
		{
			char n1[48], n2[32], n3[48], n4[32], n5[48], n6[48];
			fprintf(out, "\n%s (%s failing) over %s; violating flows %s (%s, %s)\n",
				rp_plural(r->nfindings, "finding", "findings", n1, sizeof(n1)), rp_fmt_n(r->nfailing, n2, sizeof(n2)),
				rp_plural(r->nservers, "server", "servers", n3, sizeof(n3)), rp_fmt_n(r->v_flows, n4, sizeof(n4)),
				rp_plural(r->v_servers, "server", "servers", n5, sizeof(n5)),
				rp_plural(r->v_clients, "client", "clients", n6, sizeof(n6)));
		}
		nr = rp_rollups_shown(rep, r);
		if (nr > 0)
			fputs("\n| Severity | Kind | Cause | Servers | Clients | Flows | Top servers |\n"
			      "|---|---|---|---|---|---|---|\n", out);
		for (j = 0; j < nr; j++) {
			const struct rp_rollup *u = &r->rollups[j];
			char line[900];
			rp_cause_line(u, line, sizeof(line));
			fprintf(out, "| %s | %s | ", u->k->severity, u->k->kind);
			md_escape(out, line);
			fprintf(out, " | %lld | %lld | %lld | ", (long long)u->servers, (long long)u->clients,
				(long long)u->flows);
			for (c = 0; c < u->ntop; c++) {
				if (c) fputs(", ", out);
				rp_srv_line(&u->top[c], line, sizeof(line));
				md_escape(out, line);
				fprintf(out, " (%lld)", (long long)u->top[c].flows);
			}
			fputs(" |\n", out);
		}
		md_fixes(r, nr, out);
		if (nr < r->nrollups)
			fprintf(out, "\n%d more %s: see the JSON report.\n", r->nrollups - nr,
				r->nrollups - nr == 1 ? "cause" : "causes");
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
				rp_ts(f->first_seen, b1, sizeof(b1)), rp_ts(f->last_seen, b2, sizeof(b2)));
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
			char n1[32], n2[48], n3[48];
			fprintf(out, "\n... and %s more %s over %s and %s: see the JSON or CSV report.\n",
				rp_fmt_n(r->nfindings - r->nlisted, n1, sizeof(n1)),
				r->nfindings - r->nlisted == 1 ? "finding" : "findings",
				rp_plural(r->rest_servers, "server", "servers", n2, sizeof(n2)),
				rp_plural(r->rest_flows, "flow", "flows", n3, sizeof(n3)));
		}
		for (j = 0; j < r->nresolved; j++) {
			fputs("\n- Resolved since the baseline: ", out);
			md_escape(out, r->resolved[j]);
		}
		if (r->nresolved)
			fputc('\n', out);
	}
}

