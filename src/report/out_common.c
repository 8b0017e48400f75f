/* SPDX-License-Identifier: BSD-3-Clause */
/* out_common.c — what every report format shares: timestamps, counts,
 * the not-observable lines, numbers for people, rollup lines. Every string
 * from the wire is escaped by the format that prints it. */
#define _GNU_SOURCE
#include "report_int.h"

#include <limits.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"

double rp_blind_pct(int64_t drops, int64_t received)
{
	return received > 0 ? 100.0 * (double)drops / (double)received : 0.0;
}

int rp_sensors(const struct rp_report *rep, struct rp_sensor **out)
{
	struct rp_sensor *v = calloc(rep->nruns ? (size_t)rep->nruns : 1, sizeof(*v));
	int n = 0;
	*out = v;
	if (v == NULL)
		return -1;
	for (int i = 0; i < rep->nruns; i++) {
		const struct rp_run_info *r = &rep->runs[i];
		int k;
		for (k = 0; k < n; k++)
			if ((v[k].name == NULL && r->sensor == NULL) ||
			    (v[k].name && r->sensor && strcmp(v[k].name, r->sensor) == 0))
				break;
		if (k == n) {
			v[n].name = r->sensor;
			v[n].drops = -1;
			v[n].spool_dropped = -1;
			n++;
		}
		v[k].runs++;
		if (r->ts_first > 0 && (v[k].first == 0 || r->ts_first < v[k].first))
			v[k].first = r->ts_first;
		if (r->ts_last > v[k].last)
			v[k].last = r->ts_last;
		if (r->packets > 0)
			v[k].packets += r->packets;
		if (r->drops >= 0 || r->if_drops >= 0)
			v[k].drops = (v[k].drops < 0 ? 0 : v[k].drops) + (r->drops > 0 ? r->drops : 0) +
				     (r->if_drops > 0 ? r->if_drops : 0);
		if (r->spool_dropped >= 0)
			v[k].spool_dropped = (v[k].spool_dropped < 0 ? 0 : v[k].spool_dropped) + r->spool_dropped;
	}
	return n;
}

void rp_sensor_line(const struct rp_sensor *v, char *buf, size_t len)
{
	char a[TSSTR_MAX], b[TSSTR_MAX], d[128];
	if (v->drops >= 0)
		snprintf(d, sizeof(d), "drops %lld", (long long)v->drops);
	else
		snprintf(d, sizeof(d), "drops not reported (offline read)");
	if (v->spool_dropped > 0)
		snprintf(d + strlen(d), sizeof(d) - strlen(d), ", %lld flow%s lost from a full spool",
			 (long long)v->spool_dropped, v->spool_dropped == 1 ? "" : "s");
	snprintf(buf, len, "%d run%s, %s .. %s, packets %lld, %s", v->runs, v->runs == 1 ? "" : "s",
		 rp_ts(v->first, a, sizeof(a)), rp_ts(v->last, b, sizeof(b)), (long long)v->packets, d);
}

const char *rp_ts(int64_t us, char *buf, size_t len)
{
	if (us <= 0)
		snprintf(buf, len, "-");
	else
		ts_to_rfc3339(us, buf, len);
	return buf;
}

int rp_count_status(const struct rp_report *rep, const char *st)
{
	int i, n = 0;
	for (i = 0; i < rep->nreqs; i++)
		if (!rep->reqs[i].guidance && strcmp(rep->reqs[i].status, st) == 0)
			n++;
	return n;
}

/* The status as printed: the V12.1 introduction is advice, so its
 * findings mean it was not followed, not that a requirement fails. */
const char *rp_req_status(const struct rp_req *r)
{
	if (r->guidance && strcmp(r->status, "fail") == 0)
		return "not_followed";
	if (r->guidance && strcmp(r->status, "pass") == 0)
		return "followed";
	return r->status;
}

/* "1 flow", "2 flows": n formatted (rp_fmt_n) with the word's singular or
 * plural; buf holds both. */
const char *rp_plural(int64_t n, const char *one, const char *many, char *buf, size_t len)
{
	char num[32];
	snprintf(buf, len, "%s %s", rp_fmt_n(n, num, sizeof(num)), n == 1 ? one : many);
	return buf;
}

/* A run's source split at spaces: the files of an offline run or the
 * interfaces of a live one (capture stores them space-separated; a file
 * name with a space in it is split too: docs/REPORT.md). *items points
 * into a malloc'ed copy, freed with free((*items)[0]) and free(*items);
 * returns the count (0: nothing, *items NULL). */
int rp_source_items(const char *source, char ***items)
{
	char *copy, *p, *save = NULL;
	int n = 0, cap = 0;
	*items = NULL;
	if (source == NULL || (copy = strdup(source)) == NULL)
		return 0;
	for (p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		if (n == cap) {
			char **t = realloc(*items, (size_t)(cap = cap ? cap * 2 : 8) * sizeof(*t));
			if (t == NULL)
				break;
			*items = t;
		}
		(*items)[n++] = p;
	}
	if (n == 0) {
		free(copy);
		free(*items);
		*items = NULL;
	} else if ((*items)[0] != copy) {
		/* leading spaces: keep the copy reachable through item 0 */
		memmove(copy, (*items)[0], strlen((*items)[0]) + 1);
		(*items)[0] = copy;
	}
	return n;
}

int rp_count_guidance(const struct rp_report *rep)
{
	int i, n = 0;
	for (i = 0; i < rep->nreqs; i++)
		n += rep->reqs[i].guidance;
	return n;
}

double rp_handshake_share(const struct rp_report *rep)
{
	return rep->flows_tcp ? (double)rep->flows_handshake / (double)rep->flows_tcp : 0.0;
}

/* What a passive observer could not see in this window (one line each). */
int rp_not_observable_lines(const struct rp_report *rep, char lines[6][200])
{
	char b[48];
	int n = 0;
	if (rep->tls13_flows - rep->tls13_decrypted > 0)
		snprintf(lines[n++], 200, "%s: certificates, client certificates and stapled OCSP "
			 "responses are encrypted", rp_plural(rep->tls13_flows - rep->tls13_decrypted,
							      "TLS 1.3 flow", "TLS 1.3 flows", b, sizeof(b)));
	if (rep->flows_midstream > 0)
		snprintf(lines[n++], 200, "%s joined mid-stream: the handshake or session start was not "
			 "seen", rp_plural(rep->flows_midstream, "TCP flow", "TCP flows", b, sizeof(b)));
	if (rep->unknown_security > 0)
		snprintf(lines[n++], 200, "%s with an unknown security state (protocol not recognised or "
			 "start not seen)", rp_plural(rep->unknown_security, "flow", "flows", b, sizeof(b)));
	snprintf(lines[n++], 200, "server configuration not exercised by the observed clients "
		 "(versions and suites a server would accept but nobody offered)");
	snprintf(lines[n++], 200, "what applications do with certificates and data after the handshake");
	return n;
}

/* n with thousands separators ("17,500"), for people. */
const char *rp_fmt_n(int64_t n, char *buf, size_t len)
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
int rp_rollups_shown(const struct rp_report *rep, const struct rp_req *r)
{
	return rep->o->list == 0 || rep->o->list > r->nrollups ? r->nrollups : rep->o->list;
}

/* The cause of a rollup, one line for people (unescaped: wire text). */
void rp_cause_line(const struct rp_rollup *u, char *buf, size_t len)
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
	case RP_CAUSE_SSH:
		snprintf(buf, len, "SSH server profile HASSHServer %s", c);
		break;
	default:
		snprintf(buf, len, "configuration %s", c);
		break;
	}
}

/* "server:port/protocol" of a rollup's top server. */
void rp_srv_line(const struct rp_rollup_srv *s, char *buf, size_t len)
{
	bool v6 = strchr(s->ip, ':') != NULL;
	snprintf(buf, len, "%s%s%s:%d/%s", v6 ? "[" : "", s->ip, v6 ? "]" : "", s->port,
		 s->protocol ? s->protocol : "-");
}


/* Days as ranges: "2026-01-01..2026-01-05, 2026-02-01" (removed or rolled
 * up as asked). Only dates and digits: nothing to escape. */
static void rp_day_ranges(const struct rp_report *rep, bool removed, char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);
	int i = 0, n = 0;
	if (f == NULL) {
		*buf = NULL;
		return;
	}
	while (i < rep->nrolled_days) {
		int j;
		char a[TSSTR_MAX], b[TSSTR_MAX];
		if (rep->rolled_days[i].removed != removed) {
			i++;
			continue;
		}
		for (j = i; j + 1 < rep->nrolled_days && rep->rolled_days[j + 1].removed == removed &&
			    rep->rolled_days[j + 1].day == rep->rolled_days[j].day + 1; j++)
			;
		ts_to_rfc3339(rep->rolled_days[i].day * 86400000000LL, a, sizeof(a));
		ts_to_rfc3339(rep->rolled_days[j].day * 86400000000LL, b, sizeof(b));
		if (j > i)
			fprintf(f, "%s%.10s..%.10s", n++ ? ", " : "", a, b);
		else
			fprintf(f, "%s%.10s", n++ ? ", " : "", a);
		i = j + 1;
	}
	fclose(f);
}

bool rp_window_splits_days(const struct rp_report *rep)
{
	return (rep->o->since >= 0 && rep->o->since % 86400000000LL != 0) ||
	       (rep->o->until >= 0 && rep->o->until % 86400000000LL != 0);
}

/* The retention lines of the coverage (text, Markdown, HTML): NULL when
 * the window has nothing from roll-ups and nothing removed; else up to two
 * sentences, malloc'ed, the caller frees. */
char *rp_retention_note(const struct rp_report *rep, bool removed)
{
	char *days = NULL, *out = NULL;
	size_t dl = 0;
	int64_t flows = 0;
	const char *reason = "";
	int i, nd = 0;
	for (i = 0; i < rep->nrolled_days; i++)
		if (rep->rolled_days[i].removed == removed) {
			if (nd == 0)
				reason = rep->rolled_days[i].reason;
			nd++;
			flows += rep->rolled_days[i].flows;
		}
	if (!removed && rep->rolled_rows == 0)
		return NULL;
	if (removed && nd == 0)
		return NULL;
	rp_day_ranges(rep, removed, &days, &dl);
	if (!removed) {
		if (asprintf(&out, "%lld flows of this window come from daily roll-ups (%lld rows; days rolled up: %s)."
			     " Counts are exact for windows that start and end at 00:00 UTC%s",
			     (long long)rep->rolled_flows, (long long)rep->rolled_rows, days ? days : "",
			     rp_window_splits_days(rep) ? "; this window's edges fall inside a day, whose"
			     " rolled-up flows are counted whole" : "") < 0)
			out = NULL;
	} else if (asprintf(&out, "No observation is kept of %d day%s of this window (%s: %lld flows),"
			    " removed by retention (%s): the sensor's data for them is gone",
			    nd, nd == 1 ? "" : "s", days ? days : "", (long long)flows, reason) < 0) {
		out = NULL;
	}
	free(days);
	return out;
}

/* ---- the executive summary (HTML, Markdown; JSON's top_problems) ---- */

static const char *rp_pl(int64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Which kinds fail in r (a failing finding of theirs: not waived, not
 * informational), as flags indexed like rp_kinds. */
static void rp_failing_kinds(const struct rp_req *r, bool *flags, int nk)
{
	memset(flags, 0, (size_t)nk * sizeof(*flags));
	for (int i = 0; i < r->nfindings; i++)
		if (r->findings[i]->failing)
			flags[r->findings[i]->k - rp_kinds] = true;
}

int rp_top_problems(const struct rp_report *rep, struct rp_problem *out, int max)
{
	int nk = 0, n = 0;
	bool *flags;

	while (rp_kinds[nk].req)
		nk++;
	flags = rp_xcalloc((size_t)nk, sizeof(*flags));
	for (int i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		if (r->guidance)
			continue;   /* advice, not a requirement's problem */
		rp_failing_kinds(r, flags, nk);
		for (int j = 0; j < r->nrollups; j++) {
			const struct rp_rollup *u = &r->rollups[j];
			int p;
			if (!u->k->violation || !flags[u->k - rp_kinds])
				continue;
			/* insertion after its equals: earlier requirements win ties */
			for (p = n; p > 0 && rp_rollup_cmp(u, out[p - 1].u) < 0; p--)
				;
			if (p >= max)
				continue;
			if (n < max)
				n++;
			memmove(&out[p + 1], &out[p], (size_t)(n - 1 - p) * sizeof(*out));
			out[p].r = r;
			out[p].u = u;
		}
	}
	free(flags);
	return n;
}

void rp_problem_line(const struct rp_problem *p, char *buf, size_t len)
{
	const struct rp_rollup *u = p->u;
	char n1[32], n2[32], n3[32], srv[300] = "", cause[900];
	rp_cause_line(u, cause, sizeof(cause));
	if (u->ntop > 0) {
		char s[260];
		rp_srv_line(&u->top[0], s, sizeof(s));
		snprintf(srv, sizeof(srv), "; top server %s", s);
	}
	snprintf(buf, len, "%s %s (%s; %s): %s: %s %s, %s %s, %s %s%s", p->r->id, u->k->kind, u->k->severity,
		 cause, u->k->summary, rp_fmt_n(u->servers, n1, sizeof(n1)), rp_pl(u->servers, "server", "servers"),
		 rp_fmt_n(u->clients, n2, sizeof(n2)), rp_pl(u->clients, "client", "clients"),
		 rp_fmt_n(u->flows, n3, sizeof(n3)), rp_pl(u->flows, "flow", "flows"), srv);
}

int rp_fix_kinds(const struct rp_req *r, int nr, const struct rp_kind **out, int max)
{
	int n = 0;
	for (int j = 0; j < nr && j < r->nrollups; j++) {
		int k;
		for (k = 0; k < n && out[k] != r->rollups[j].k; k++)
			;
		if (k == n && n < max)
			out[n++] = r->rollups[j].k;
	}
	return n;
}

/* "0.3 s", "12 min", "5.2 h", "31 days": the window's length for people. */
static void rp_span(int64_t us, char *buf, size_t len)
{
	double s = (double)us / 1e6;
	if (s < 120)
		snprintf(buf, len, "%.1f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%.1f h", s / 3600);
	else
		snprintf(buf, len, "%.0f days", s / 86400);
}

static void rp_exec_verdict(const struct rp_report *rep, struct rp_exec *x)
{
	int nf = rp_count_status(rep, "fail"), np = rp_count_status(rep, "pass");
	int no = rp_count_status(rep, "not_observed"), nb = rp_count_status(rep, "not_observable");
	if (nf > 0) {
		x->verdict = "FAIL";
		x->status = "fail";
		snprintf(x->verdict_line, sizeof(x->verdict_line), "%d of %d requirements %s at level %d (exit status 6)",
			 nf, rep->nreqs - rp_count_guidance(rep), nf == 1 ? "fails" : "fail", rep->o->level);
	} else if (np > 0) {
		x->verdict = "PASS";
		x->status = "pass";
		snprintf(x->verdict_line, sizeof(x->verdict_line), "no requirement fails at level %d: %d pass, "
			 "%d not observed, %d not observable", rep->o->level, np, no, nb);
	} else {
		x->verdict = "NOT OBSERVED";
		x->status = "not_observed";
		snprintf(x->verdict_line, sizeof(x->verdict_line), "no requirement could be judged at level %d: "
			 "%d not observed, %d not observable", rep->o->level, no, nb);
	}
}

static void rp_exec_coverage(const struct rp_report *rep, struct rp_exec *x)
{
	char n1[32], n2[32], n3[32], n4[32], a[TSSTR_MAX], b[TSSTR_MAX], span[32];
	struct rp_sensor *sv;
	int ns = rp_sensors(rep, &sv);
	free(sv);
	rp_span(rep->win_last - rep->win_first, span, sizeof(span));
	snprintf(x->coverage, sizeof(x->coverage), "%s %s (%s TLS, %s TLS 1.3) from %d capture %s%s%s%s, "
		 "%s .. %s (%s)", rp_fmt_n(rep->flows, n1, sizeof(n1)), rp_pl(rep->flows, "flow", "flows"),
		 rp_fmt_n(rep->tls_flows, n2, sizeof(n2)), rp_fmt_n(rep->tls13_flows, n3, sizeof(n3)), rep->nruns,
		 rep->nruns == 1 ? "run" : "runs", ns > 1 ? " of " : "", ns > 1 ? rp_fmt_n(ns, n4, sizeof(n4)) : "",
		 ns > 1 ? " sensors" : "", rp_ts(rep->win_first, a, sizeof(a)), rp_ts(rep->win_last, b, sizeof(b)),
		 rep->flows ? span : "no flows");
}

static void rp_exec_blind(const struct rp_report *rep, struct rp_exec *x)
{
	char ids[200] = "";
	size_t l = 0;
	int no = 0;
	for (int i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		if (r->guidance)
			continue;
		if (strcmp(r->status, "not_observable") == 0 && x->nblind < RP_EXEC_BLIND - 4)
			snprintf(x->blind[x->nblind++], sizeof(x->blind[0]), "%s not observable: %s", r->id, r->reason);
		else if (strcmp(r->status, "not_observed") == 0 && l + 12 < sizeof(ids)) {
			l += (size_t)snprintf(ids + l, sizeof(ids) - l, "%s%s", no ? ", " : "", r->id);
			no++;
		}
	}
	if (no > 0)
		snprintf(x->blind[x->nblind++], sizeof(x->blind[0]), "not observed (no relevant traffic): %s", ids);
	if (rep->flows_midstream > 0)
		snprintf(x->blind[x->nblind++], sizeof(x->blind[0]), "%lld TCP %s joined mid-stream (start not seen)",
			 (long long)rep->flows_midstream, rp_pl(rep->flows_midstream, "flow", "flows"));
	if (rep->unknown_security > 0)
		snprintf(x->blind[x->nblind++], sizeof(x->blind[0]), "%lld %s with an unknown security state",
			 (long long)rep->unknown_security, rp_pl(rep->unknown_security, "flow", "flows"));
	if (rep->series_known)
		snprintf(x->blind[x->nblind++], sizeof(x->blind[0]), "drops in the window: %lld of %lld packets "
			 "received (%.2f%%), %d blind %s", (long long)rep->win_drops, (long long)rep->win_received,
			 rp_blind_pct(rep->win_drops, rep->win_received), rep->nblind,
			 rep->nblind == 1 ? "period" : "periods");
	else if (rep->drops_known)
		snprintf(x->blind[x->nblind++], sizeof(x->blind[0]), "drops: %lld packets%s",
			 (long long)(rep->drops + rep->if_drops),
			 rep->drops + rep->if_drops > 0 ? ": results may be incomplete" : "");
	else
		snprintf(x->blind[x->nblind++], sizeof(x->blind[0]), "drops: not reported (offline read)");
}

void rp_exec_summary(const struct rp_report *rep, struct rp_exec *x)
{
	memset(x, 0, sizeof(*x));
	rp_exec_verdict(rep, x);
	x->ntop = rp_top_problems(rep, x->top, RP_EXEC_TOP);
	rp_exec_coverage(rep, x);
	rp_exec_blind(rep, x);
}

/* --list N as a bound: N, or no bound at all for 0 ("0 lists all") */
int rp_list_max(const struct rp_report *rep)
{
	return rep->o->list > 0 ? rep->o->list : INT_MAX;
}
