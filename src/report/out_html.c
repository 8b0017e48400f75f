/* SPDX-License-Identifier: BSD-3-Clause */
/* out_html.c — one self-contained HTML page (inline CSS and SVG, a CSP that forbids any external resource); wire strings HTML-escaped. */
#include "report_int.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "export.h"
#include "json.h"

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
	/* Tables fit their card whatever the wire put in a cell: a fixed layout
	 * (the header row's widths, the rest shared by the other columns) and
	 * long tokens (cipher and algorithm lists, paths) wrapped anywhere. No
	 * overflow:hidden, which cut such cells: the header's corners are
	 * rounded instead, which needs separate borders. */
	"main{overflow-wrap:anywhere}"
	"table{table-layout:fixed;border-collapse:separate;border-spacing:0;width:100%;background:#fff;border-radius:8px;"
	"box-shadow:0 1px 3px rgba(16,42,67,.12)}"
	"th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #e4e7eb;vertical-align:top}"
	"th{background:#f0f4f8;color:#334e68;font-size:12px;text-transform:uppercase;letter-spacing:.04em}"
	"th:first-child{border-top-left-radius:8px}th:last-child{border-top-right-radius:8px}"
	"tbody tr:last-child td{border-bottom:0}"
	/* paged media only (print, PDF): a row stays on one page */
	"tr{break-inside:avoid}"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}"
	".reqs th:nth-child(1){width:9%}.reqs th:nth-child(2){width:7%}.reqs th:nth-child(3){width:20%}"
	".reqs th:nth-child(5){width:11%}"
	".rollups th:nth-child(1),.findings th:nth-child(1){width:10%}.rollups th:nth-child(2){width:19%}"
	".rollups th:nth-child(n+4):nth-child(-n+6){width:8%}.rollups th:nth-child(7){width:22%}"
	".findings th:nth-child(2){width:19%}.findings th:nth-child(3){width:16%}"
	".findings th:nth-child(4){width:7%}.findings th:nth-child(5){width:11%}.findings th:nth-child(6){width:15%}"
	".blind th:nth-child(1){width:8%}.blind th:nth-child(3),.blind th:nth-child(4){width:24%}"
	".blind th:nth-child(5),.blind th:nth-child(6){width:13%}"
	".badge{display:inline-block;padding:2px 8px;border-radius:10px;font-size:11px;font-weight:700;"
	"text-transform:uppercase;white-space:nowrap}"
	".b-fail{background:#d64545;color:#fff}.b-pass{background:#3f9142;color:#fff}"
	".b-not_followed{background:#de911d;color:#fff}.b-followed{background:#3f9142;color:#fff}"
	".b-not_observed{background:#9fb3c8;color:#fff}.b-not_observable{background:#de911d;color:#fff}"
	".sev{font-size:11px;font-weight:700;text-transform:uppercase;white-space:nowrap}"
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
	"dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 16px;margin:0}dt{color:#627d98}"
	"dd{margin:0}"
	".muted{color:#829ab1}.tag{display:inline-block;background:#e4e7eb;border-radius:4px;padding:0 6px;"
	"margin-left:4px;font-size:11px}"
	"footer{color:#829ab1;font-size:12px;text-align:center;padding:20px}"
	/* Print (docs/REPORT.md): the paper's own margins, no dark header or
	 * shadows, badges keep their colours (white text on nothing otherwise);
	 * small blocks stay whole (and rows, above), long tables run over pages
	 * with their header row repeated; a heading stays with what follows. */
	"@page{margin:12mm}"
	"@media print{"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"body{background:#fff;font-size:12px}"
	"header{background:none;color:#102a43;padding:0 0 8px;border-bottom:2px solid #102a43}"
	"header .sub{color:#486581}"
	"main{max-width:none;padding:0 0 12px}"
	"h2{margin:20px 0 10px}"
	".card,.chart,.req,table{box-shadow:none}"
	".chart,.req{border:1px solid #d9e2ec}"
	".card{min-width:110px;border:1px solid #d9e2ec;border-top:4px solid #829ab1}"
	".req table{border-color:#d9e2ec}"
	"a{color:inherit;text-decoration:none}"
	"thead{display:table-header-group}"
	"th,td{padding:4px 6px}th{font-size:10px;letter-spacing:.02em}.req table{font-size:11px}"
	"td.mono{font-size:10px}"
	"h2,h3,h4,.req>.title,.req>.reason,.req>p.muted{break-after:avoid}"
	/* the coverage card (a dl) and cards with tables may be long: they break */
	".cards,.card,.chart,.result,.warn,.req:not(:has(table,dl)){break-inside:avoid}"
	"footer{padding:8px 0 0}"
	"}";

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
	/* the label column: 124 units, wider for a long name (about 6.5 units
	 * a character at font-size 11) so that no label runs off the chart's
	 * left edge; the viewBox grows with it, the bars keep 200 units */
	size_t longest = 0;
	int lx, vw;
	for (i = 0; i < n; i++) {
		if (c[i].n > max)
			max = c[i].n;
		if (c[i].name && strlen(c[i].name) > longest)
			longest = strlen(c[i].name);
	}
	lx = longest > 18 ? (int)(longest * 13 / 2) + 4 : 124;
	if (lx > 400)
		lx = 400;
	vw = lx + 256;
	fprintf(out, "<div class=\"chart\"><h4>%s</h4>", title);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%%\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", h, vw, h, title);
	if (n == 0)
		fputs("<text x=\"0\" y=\"20\" font-size=\"12\" fill=\"#829ab1\">none observed</text>", out);
	for (i = 0; i < n; i++) {
		int y = 4 + 28 * i;
		double w = 200.0 * (double)c[i].n / (double)max;
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" fill=\"#334e68\">", lx, y + 15);
		html_escape(out, c[i].name);
		fprintf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"20\" rx=\"3\" fill=\"%s\"/>",
			lx + 8, y, w < 1 ? 1.0 : w, neutral ? "#2680c2" : bar_color(c[i].name));
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#102a43\">%lld</text>",
			lx + 8 + (w < 1 ? 1.0 : w) + 6, y + 15, (long long)c[i].n);
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

/* One "Fix" line per kind of the rollups shown: what to change and a link
 * to the guidance (a navigation link: the CSP forbids loading external
 * resources, not following links). */
static void html_fixes(const struct rp_req *r, int nr, FILE *out)
{
	const struct rp_kind *ks[64];
	int n = rp_fix_kinds(r, nr, ks, 64);
	for (int i = 0; i < n; i++) {
		fprintf(out, "<p class=\"fix\"><b>Fix:</b> <b>%s</b>: ", ks[i]->kind);
		html_escape(out, ks[i]->remediation);
		fputs(" See <a href=\"", out);
		html_escape(out, ks[i]->reference);
		fputs("\" rel=\"noreferrer\">", out);
		html_escape(out, ks[i]->reference);
		fputs("</a></p>", out);
	}
}

/* The executive summary (rp_exec_summary): verdict, the worst problems
 * linked to their requirement, coverage in a line, blind spots. */
static void html_exec(const struct rp_report *rep, FILE *out)
{
	struct rp_exec x;
	char line[2048];   /* cause (900) + summary + counts + server (300): whole */
	int i;

	rp_exec_summary(rep, &x);
	fputs("<h2>Executive summary</h2><div class=\"req\" id=\"executive-summary\"><p class=\"verdict\">", out);
	fprintf(out, "<span class=\"badge b-%s\">%s</span> ", x.status, x.verdict);
	html_escape(out, x.verdict_line);
	fputs("</p><h4>Worst problems</h4>", out);
	if (x.ntop == 0)
		fputs("<p class=\"problems\">None: no requirement fails.</p>", out);
	else
		fputs("<ol class=\"problems\">", out);
	for (i = 0; i < x.ntop; i++) {
		size_t il = strlen(x.top[i].r->id);
		rp_problem_line(&x.top[i], line, sizeof(line));
		/* the line starts with the requirement's id: that links to it */
		fprintf(out, "<li><a href=\"#r%s\">%s</a>", x.top[i].r->id, x.top[i].r->id);
		html_escape(out, strncmp(line, x.top[i].r->id, il) == 0 ? line + il : line);
		fputs("</li>", out);
	}
	if (x.ntop > 0)
		fputs("</ol>", out);
	fputs("<h4>Coverage</h4><p class=\"coverage\">", out);
	html_escape(out, x.coverage);
	fputs("</p><h4>Blind spots</h4><ul class=\"blind\">", out);
	for (i = 0; i < x.nblind; i++) {
		fputs("<li>", out);
		html_escape(out, x.blind[i]);
		fputs("</li>", out);
	}
	fputs("</ul></div>", out);
}

/* One requirement: its card with counts, rollups and listed findings. */
static void html_requirement(const struct rp_report *rep, const struct rp_req *r, FILE *out)
{
	char b1[TSSTR_MAX], b2[TSSTR_MAX];
	int j, c, nr;

	fprintf(out, "<div class=\"req\" id=\"r%s\"><h3>", r->id);
	html_badge(out, rp_req_status(r));
	fprintf(out, " %s <span class=\"muted\">(L%d)</span> ", r->id, r->level);
	html_escape(out, r->short_title);
	fputs("</h3><p class=\"title\">", out);
	html_escape(out, r->title);
	fputs("</p><p class=\"reason\">", out);
	html_escape(out, r->reason);
	fputs("</p>", out);
	if (r->nfindings) {
		char n1[48], n2[32], n3[48], n4[32], n5[48], n6[48];
		fprintf(out, "<p class=\"muted\">%s (%s failing) over %s; violating flows %s"
			" (%s, %s)</p>", rp_plural(r->nfindings, "finding", "findings", n1, sizeof(n1)),
			rp_fmt_n(r->nfailing, n2, sizeof(n2)), rp_plural(r->nservers, "server", "servers", n3, sizeof(n3)),
			rp_fmt_n(r->v_flows, n4, sizeof(n4)), rp_plural(r->v_servers, "server", "servers", n5, sizeof(n5)),
			rp_plural(r->v_clients, "client", "clients", n6, sizeof(n6)));
	}
	nr = rp_rollups_shown(rep, r);
	if (nr > 0)
		fputs("<h4>By cause</h4><table class=\"rollups\"><thead><tr><th>Severity</th><th>Finding</th><th>Cause</th>"
		      "<th>Servers</th><th>Clients</th><th>Flows</th><th>Top servers</th></tr></thead><tbody>", out);
	for (j = 0; j < nr; j++) {
		const struct rp_rollup *u = &r->rollups[j];
		char line[900], n1[32], n2[32], n3[32];
		rp_cause_line(u, line, sizeof(line));
		fprintf(out, "<tr><td><span class=\"sev sev-%s\">%s</span></td><td><b>%s</b></td><td class=\"mono\">",
			u->k->severity, u->k->severity, u->k->kind);
		html_escape(out, line);
		fprintf(out, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
			"<td class=\"mono\">", rp_fmt_n(u->servers, n1, sizeof(n1)), rp_fmt_n(u->clients, n2, sizeof(n2)),
			rp_fmt_n(u->flows, n3, sizeof(n3)));
		for (c = 0; c < u->ntop; c++) {
			if (c) fputs("<br>", out);
			rp_srv_line(&u->top[c], line, sizeof(line));
			html_escape(out, line);
			fprintf(out, " (%lld)", (long long)u->top[c].flows);
		}
		fputs("</td></tr>", out);
	}
	if (nr > 0)
		fputs("</tbody></table>", out);
	html_fixes(r, nr, out);
	if (nr < r->nrollups)
		fprintf(out, "<p class=\"muted\">%d more %s: see the JSON report.</p>", r->nrollups - nr,
			r->nrollups - nr == 1 ? "cause" : "causes");
	if (r->nfindings) {
		fputs("<table class=\"findings\"><thead><tr><th>Severity</th><th>Finding</th><th>Server</th><th>Flows</th>"
		      "<th>Clients</th><th>Seen</th><th>Evidence</th></tr></thead><tbody>", out);
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
			fprintf(out, "</td><td class=\"mono\">%s<br>%s</td><td>", rp_ts(f->first_seen, b1, sizeof(b1)),
				rp_ts(f->last_seen, b2, sizeof(b2)));
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
		fputs("</tbody></table>", out);
	}
	if (r->nlisted < r->nfindings) {
		char n1[32], n2[48], n3[48];
		fprintf(out, "<p class=\"more\">&hellip; and %s more %s over %s and %s: "
			"see the JSON or CSV report.</p>", rp_fmt_n(r->nfindings - r->nlisted, n1, sizeof(n1)),
			r->nfindings - r->nlisted == 1 ? "finding" : "findings",
			rp_plural(r->rest_servers, "server", "servers", n2, sizeof(n2)),
			rp_plural(r->rest_flows, "flow", "flows", n3, sizeof(n3)));
	}
	for (j = 0; j < r->nresolved; j++) {
		fputs("<p class=\"muted\">Resolved since the baseline: <span class=\"mono\">", out);
		html_escape(out, r->resolved[j]);
		fputs("</span></p>", out);
	}
	fputs("</div>", out);
}

/* Post-quantum readiness (pq.c): totals, a chart per day (share of the
 * day's handshakes that offered / selected a PQ group), the servers that
 * never selected one although clients offered it. */
static void svg_pq_days(FILE *out, const struct rp_pq *pq)
{
	int i, n = pq->ndays, h = 150;
	/* one slot per calendar day from the first to the last: a day
	 * without handshakes is a gap, not a missing bar */
	int64_t span = n > 0 ? pq->days[n - 1].day - pq->days[0].day + 1 : 1;
	double bw = 340.0 / (double)span;
	char d1[32], d2[32];
	fputs("<div class=\"chart\"><h4>Handshakes per day (UTC): share with a post-quantum group offered "
	      "(light) and selected (dark)</h4>", out);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%%\" height=\"%d\" viewBox=\"0 0 380 %d\" "
		"role=\"img\" aria-label=\"post-quantum key exchange per day\">", h, h);
	fputs("<text x=\"0\" y=\"14\" font-size=\"10\" fill=\"#829ab1\">100%</text>"
	      "<text x=\"0\" y=\"124\" font-size=\"10\" fill=\"#829ab1\">0%</text>"
	      "<line x1=\"36\" y1=\"120\" x2=\"378\" y2=\"120\" stroke=\"#bcccdc\"/>", out);
	for (i = 0; i < n; i++) {
		const struct rp_pq_counts *c = &pq->days[i].c;
		double x = 38 + bw * (double)(pq->days[i].day - pq->days[0].day), w = bw > 3 ? bw - 2 : bw;
		double ho = c->hs > 0 ? 110.0 * (double)c->offered / (double)c->hs : 0;
		double hsel = c->hs > 0 ? 110.0 * (double)c->selected / (double)c->hs : 0;
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#9fb3c8\"><title>%s: "
			"%lld handshakes, %lld offered, %lld selected</title></rect>", x, 120 - ho, w, ho,
			rp_pq_day(pq->days[i].day, d1, sizeof(d1)), (long long)c->hs, (long long)c->offered,
			(long long)c->selected);
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3f9142\"/>",
			x, 120 - hsel, w, hsel);
	}
	if (n > 0)
		fprintf(out, "<text x=\"38\" y=\"140\" font-size=\"10\" fill=\"#334e68\">%s</text>"
			"<text x=\"378\" y=\"140\" font-size=\"10\" text-anchor=\"end\" fill=\"#334e68\">%s</text>",
			rp_pq_day(pq->days[0].day, d1, sizeof(d1)), rp_pq_day(pq->days[n - 1].day, d2, sizeof(d2)));
	else
		fputs("<text x=\"40\" y=\"60\" font-size=\"12\" fill=\"#829ab1\">no handshake observed</text>", out);
	fputs("</svg></div>", out);
}

static const struct rp_pstyle html_pstyle = {
	.esc = html_escape, .status = html_badge,
	.sec_open = "<h2 id=\"profiles\">", .sec_close = "</h2>", .sub_open = "<h3>", .sub_close = "</h3>",
	.par_open = "<p>", .par_close = "</p>", .list_open = "<ul>", .list_close = "</ul>",
	.item_open = "<li>", .item_close = "</li>", .br = "<br>",
	.tab_open = "<table class=\"matrix\">", .tab_close = "</table>", .row_open = "<tr>", .row_close = "</tr>",
	.cell_open = "<td>", .cell_close = "</td>", .hcell_open = "<th>", .hcell_close = "</th>",
	.status_cell = true,
};

static void html_pq(const struct rp_report *rep, FILE *out)
{
	const struct rp_pq *pq = &rep->pq;
	const struct rp_pq_counts *a = &pq->all;
	char p1[16], p2[16], p3[16];
	int i, listed = 0;

	fputs("<h2 id=\"pq\">Post-quantum readiness</h2><p class=\"muted\">The key exchange of TLS and QUIC "
	      "handshakes: traffic recorded today can be decrypted later unless a post-quantum (hybrid ML-KEM) "
	      "group protects it. Facts, not a V12 requirement.</p><div class=\"charts\">", out);
	svg_pq_days(out, pq);
	svg_bars(out, "Post-quantum groups selected (handshakes)", pq->groups, pq->ngroups, true);
	fputs("</div><div class=\"req\"><dl>", out);
	fprintf(out, "<dt>Handshakes</dt><dd>%lld (a ClientHello seen)</dd>", (long long)a->hs);
	fprintf(out, "<dt>Post-quantum group offered</dt><dd>%lld (%s); a key share for one sent: %lld</dd>",
		(long long)a->offered, rp_pq_pct(a->offered, a->hs, p1, sizeof(p1)), (long long)a->ks);
	fprintf(out, "<dt>Selected by the server</dt><dd>%lld: %s of the %lld answered offers, %s of all handshakes, "
		"%s of their bytes</dd>", (long long)a->selected, rp_pq_pct(a->selected, a->offered_answered, p1, sizeof(p1)),
		(long long)a->offered_answered, rp_pq_pct(a->selected, a->hs, p2, sizeof(p2)),
		rp_pq_pct(a->pq_bytes, a->bytes, p3, sizeof(p3)));
	fprintf(out, "<dt>HelloRetryRequest for a post-quantum group</dt><dd>%lld</dd>", (long long)a->hrr);
	fprintf(out, "<dt>Servers</dt><dd>%d: %d selected a post-quantum group, %d never did although their "
		"clients offered one", pq->nsrv, pq->nsrv_select, pq->nsrv_never);
	for (i = 0; i < pq->nsrv; i++) {
		const struct rp_pq_server *s = &pq->srv[i];
		if (s->c.selected > 0 || s->c.offered_answered == 0)
			continue;
		if (listed++ == 0)
			fputs("<table class=\"pq\"><thead><tr><th>Server</th><th>SNI</th><th>Handshakes</th>"
			      "<th>Offered post-quantum</th><th>Selected</th></tr></thead><tbody>", out);
		if (listed > rp_list_max(rep))
			continue;
		fputs("<tr><td class=\"mono\">", out);
		html_escape(out, s->ip);
		fprintf(out, ":%d</td><td class=\"mono\">", s->port);
		if (s->sni)
			html_escape(out, s->sni);
		if (s->nsni > 1)
			fprintf(out, " and %lld more", (long long)(s->nsni - 1));
		fprintf(out, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td><td class=\"num\">0</td></tr>",
			(long long)s->c.hs, (long long)s->c.offered_answered);
	}
	if (listed > 0)
		fputs("</tbody></table>", out);
	if (listed > rp_list_max(rep))
		fprintf(out, "<p class=\"muted\">and %d more such servers (the JSON report lists all)</p>",
			listed - rp_list_max(rep));
	fputs("</dd></dl></div>", out);
}

int rp_out_html(const struct rp_report *rep, FILE *out)
{
	char b1[TSSTR_MAX], b2[TSSTR_MAX], nol[6][200];
	int i, nn;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
	      "<title>wireaudit report: ASVS V12</title><style>", out);
	fputs(html_css, out);
	fputs("</style></head><body>\n<header><h1>Secure Communication audit: OWASP ASVS 5.0 V12</h1>", out);
	{
		char b3[TSSTR_MAX];
		fprintf(out, "<div class=\"sub\">wireaudit %s &middot; level %d &middot; generated %s &middot; window %s &ndash; %s</div></header>\n<main>",
			PACKAGE_VERSION, rep->o->level, rp_ts(rep->generated_at, b1, sizeof(b1)),
			rp_ts(rep->win_first, b2, sizeof(b2)), rp_ts(rep->win_last, b3, sizeof(b3)));
	}

	html_exec(rep, out);
	fputs("<h2>Summary</h2><div class=\"cards\">", out);
	fprintf(out, "<div class=\"card fail\"><div class=\"n\">%d</div><div class=\"l\">fail</div></div>", rp_count_status(rep, "fail"));
	fprintf(out, "<div class=\"card pass\"><div class=\"n\">%d</div><div class=\"l\">pass</div></div>", rp_count_status(rep, "pass"));
	fprintf(out, "<div class=\"card nob\"><div class=\"n\">%d</div><div class=\"l\">not observed</div></div>", rp_count_status(rep, "not_observed"));
	fprintf(out, "<div class=\"card nobs\"><div class=\"n\">%d</div><div class=\"l\">not observable</div></div>", rp_count_status(rep, "not_observable"));
	fprintf(out, "<div class=\"card\"><div class=\"n\">%lld</div><div class=\"l\">flows analysed</div></div></div>", (long long)rep->flows);
	fprintf(out, "<div class=\"result %s\">%s</div>", rep->any_fail ? "fail" : "pass",
		rep->any_fail ? "At least one requirement fails at this level (exit status 6)."
			      : "No requirement fails at this level (exit status 0).");
	if (rep->drops + rep->if_drops > 0)
		fprintf(out, "<div class=\"warn\"><b>Warning:</b> %lld packets were dropped during capture; results may be incomplete.</div>",
			(long long)(rep->drops + rep->if_drops));

	fputs("<table class=\"reqs\"><thead><tr><th>ID</th><th>Level</th><th>Status</th><th>Reason</th><th>Findings</th></tr></thead><tbody>", out);
	for (i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		if (r->guidance)
			continue;
		fprintf(out, "<tr><td><a href=\"#r%s\">%s</a> ", r->id, r->id);
		html_escape(out, r->short_title);
		fprintf(out, "</td><td>L%d</td><td>", r->level);
		html_badge(out, rp_req_status(r));
		fputs("</td><td>", out);
		html_escape(out, r->reason);
		fprintf(out, "</td><td class=\"num\">%d</td></tr>", r->nfindings);
	}
	fputs("</tbody></table>", out);

	fputs("<h2>Traffic</h2><div class=\"charts\">", out);
	svg_bars(out, "TLS versions (flows)", rep->versions, rep->nversions, false);
	svg_bars(out, "Cipher suite classes (flows)", rep->classes, rep->nclasses, false);
	svg_bars(out, "Cleartext protocols (flows)", rep->clear_protos, rep->nclear_protos, true);
	fputs("</div>", out);

	fputs("<h2>Coverage</h2><div class=\"req\"><dl>", out);
	fprintf(out, "<dt>Flows</dt><dd>%lld (TCP %lld, UDP %lld", (long long)rep->flows,
		(long long)rep->flows_tcp, (long long)rep->flows_udp);
	if (rep->flows_icmp > 0)
		fprintf(out, ", ICMP %lld", (long long)rep->flows_icmp);
	fputs(")</dd>", out);
	fprintf(out, "<dt>Handshake / session start seen</dt><dd>%lld of %lld TCP flows (%.1f%%)</dd>",
		(long long)rep->flows_handshake, (long long)rep->flows_tcp, 100.0 * rp_handshake_share(rep));
	fprintf(out, "<dt>TLS flows</dt><dd>%lld (TLS 1.3: %lld; certificate chain visible: %lld",
		(long long)rep->tls_flows, (long long)rep->tls13_flows, (long long)rep->tls_certs_seen);
	if (rep->tls13_decrypted > 0) /* capture --keylog */
		fprintf(out, "; decrypted with a key log: %lld", (long long)rep->tls13_decrypted);
	fputs(")</dd>", out);
	fprintf(out, "<dt>Packets / drops</dt><dd>%lld / %lld%s</dd>", (long long)rep->packets,
		(long long)(rep->drops + rep->if_drops), rep->drops_known ? "" : " (not reported for offline reads)");
	for (i = 0; i < 2; i++) {
		char *note = rp_retention_note(rep, i == 1);
		if (note) {
			fprintf(out, "<dt>%s</dt><dd>", i == 1 ? "Removed by retention" : "Retention");
			html_escape(out, note);
			fputs("</dd>", out);
		}
		free(note);
	}
	for (i = 0; i < rep->nruns; i++) {
		const struct rp_run_info *r = &rep->runs[i];
		char **items, nf[48];
		int k, n = rp_source_items(r->source, &items);
		bool live = strcmp(r->mode ? r->mode : "", "live") == 0;
		fprintf(out, "<dt>Source (run %lld)</dt><dd>%s", (long long)r->run_id,
			rp_plural(n, live ? "interface" : "file", live ? "interfaces" : "files", nf, sizeof(nf)));
		for (k = 0; k < n && k < RP_SOURCE_LIST; k++) {
			fputs(k ? ", <span class=\"mono\">" : ": <span class=\"mono\">", out);
			html_escape(out, items[k]);
			fputs("</span>", out);
		}
		if (n > RP_SOURCE_LIST)
			fprintf(out, " and %d more <span class=\"muted\">(the JSON report lists all)</span>", n - RP_SOURCE_LIST);
		fputs(" <span class=\"muted\">", out);
		html_escape(out, r->mode);
		fputs(", ", out);
		html_escape(out, r->status);
		if (r->sensor) {
			fputs(", sensor ", out);
			html_escape(out, r->sensor);
		}
		fputs("</span></dd>", out);
		if (items)
			free(items[0]);
		free(items);
	}
	{
		struct rp_sensor *sv;
		char line[200];
		int ns = rp_sensors(rep, &sv);
		for (int k = 0; k < ns; k++) {
			fputs("<dt>Sensor</dt><dd><span class=\"mono\">", out);
			html_escape(out, sv[k].name ? sv[k].name : "(unnamed)");
			rp_sensor_line(&sv[k], line, sizeof(line));
			fprintf(out, "</span> <span class=\"muted\">%s</span></dd>", line);
		}
		free(sv);
	}
	fputs("<dt>Flows per interface</dt><dd>", out);
	for (i = 0; i < rep->nifaces; i++) {
		fputs(i ? ", <span class=\"mono\">" : "<span class=\"mono\">", out);
		html_escape(out, rep->ifaces[i].name ? rep->ifaces[i].name : "(files)");
		fprintf(out, "</span> %lld", (long long)rep->ifaces[i].n);
	}
	fputs(rep->nifaces ? "</dd>" : "none</dd>", out);
	fputs("<dt>Drops in the window</dt><dd>", out);
	if (rep->series_known)
		fprintf(out, "%lld of %lld packets received (%.2f%%), from the statistics series", (long long)rep->win_drops,
			(long long)rep->win_received, rp_blind_pct(rep->win_drops, rep->win_received));
	else
		fputs("not known (no live statistics series in the window)", out);
	fputs("</dd>", out);
	if (rep->nblind > 0) {
		fputs("<dt>Blind periods</dt><dd><table class=\"blind\"><thead><tr><th>Run</th><th>Interface</th><th>From</th><th>To</th>"
		      "<th>Dropped</th><th>Received</th></tr></thead><tbody>", out);
		for (i = 0; i < rep->nblind && i < RP_BLIND_LIST; i++) {
			const struct rp_blind *b = &rep->blind[i];
			char t1[TSSTR_MAX], t2[TSSTR_MAX];
			fprintf(out, "<tr><td class=\"num\">%lld</td><td class=\"mono\">", (long long)b->run_id);
			html_escape(out, b->iface ? b->iface : "(files)");
			fprintf(out, "</td><td>%s</td><td>%s</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td></tr>",
				rp_ts(b->from, t1, sizeof(t1)), rp_ts(b->to, t2, sizeof(t2)), (long long)b->drops,
				(long long)b->received);
		}
		fputs("</tbody></table>", out);
		if (rep->nblind > RP_BLIND_LIST)
			fprintf(out, "<p class=\"muted\">and %d more blind periods (the JSON and CSV reports list all)</p>",
				rep->nblind - RP_BLIND_LIST);
		fputs("</dd>", out);
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
	nn = rp_not_observable_lines(rep, nol);
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

	html_pq(rep, out);
	rp_out_profiles(rep, out, &html_pstyle);

	fputs("<h2>Requirements and evidence</h2>", out);
	for (i = 0; i < rep->nreqs; i++)
		if (!rep->reqs[i].guidance)
			html_requirement(rep, &rep->reqs[i], out);
	if (rp_count_guidance(rep) > 0) {
		fputs("<h2 id=\"guidance\">Guidance</h2><p class=\"muted\">The V12.1 introduction's advice: not a "
		      "numbered requirement, so it never fails the report; judged on the same evidence.</p>", out);
		for (i = 0; i < rep->nreqs; i++)
			if (rep->reqs[i].guidance)
				html_requirement(rep, &rep->reqs[i], out);
	}
	fputs("</main><footer>Passive observation only: see the coverage section for what could not be seen. "
	      "Sample flow ids can be shown in full with <code>wireaudit export --flow ID</code>.</footer>"
	      "</body></html>\n", out);
	return ferror(out) ? -1 : 0;
}
