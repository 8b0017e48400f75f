/* SPDX-License-Identifier: BSD-3-Clause */
/* report.c — the report pass's driver: opens the store, loads the window
 * (load.c), scans it into findings (findings.c), applies the baseline and
 * waivers (waivers.c), sorts and judges (rules.c), gives the listed
 * findings their details and prints one format (out_*.c). Options are in
 * options.c, the network context in netctx.c. The file formats are
 * documented in docs/REPORT.md, the rules in docs/REPORT-RULES.md.
 */
#define _GNU_SOURCE
#include "report_int.h"
#include "pg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <maxminddb.h>

/* ---- ordering ---- */

static int rp_cmp_finding(const void *a, const void *b)
{
	const struct rp_finding *x = *(const struct rp_finding *const *)a;
	const struct rp_finding *y = *(const struct rp_finding *const *)b;
	int c;
	if (x->failing != y->failing)
		return x->failing ? -1 : 1;
	c = rp_sev_rank(rp_finding_severity(y)) - rp_sev_rank(rp_finding_severity(x));
	if (c)
		return c;
	/* then reach: a finding is one server, so its clients, then its flows */
	if (x->nclients != y->nclients)
		return x->nclients > y->nclients ? -1 : 1;
	if (x->flows != y->flows)
		return x->flows > y->flows ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* What text, HTML and Markdown leave out of a requirement's list: the
 * findings after the first `list`, their distinct servers and flows. */
static void rp_listing(struct rp_req *r, int list)
{
	struct rp_strs srv;
	char key[IPSTR_MAX + 80];
	int j;

	r->nlisted = list == 0 || list > r->nfindings ? r->nfindings : list;
	r->rest_servers = r->rest_flows = 0;
	memset(&srv, 0, sizeof(srv));
	for (j = r->nlisted; j < r->nfindings; j++) {
		const struct rp_finding *f = r->findings[j];
		rp_srv_key(key, sizeof(key), f->server_ip, f->server_port, f->protocol);
		rp_str_id(&srv, key, true);
		r->rest_flows += f->flows;
	}
	r->rest_servers = srv.n > 0 ? (int64_t)srv.n - 1 : 0;   /* id 0 is NULL */
	rp_strs_free(&srv);
}

/* ---- driver ---- */

static void rp_note(struct rp_report *rep, const char *s)
{
	if (rep->nnotes < 8)
		snprintf(rep->notes[rep->nnotes++], sizeof(rep->notes[0]), "%s", s);
}

static void rp_free(struct rp_report *rep)
{
	int i, j, c;
	for (i = 0; i < rep->nreqs; i++) {
		for (j = 0; j < rep->reqs[i].nfindings; j++) {
			struct rp_finding *f = rep->reqs[i].findings[j];
			for (c = 0; c < f->nsni; c++)
				free(f->sni[c]);
			free(f->sni);
			free(f->top);
			free(f->protocol);
			free(f->evidence);
			free(f->evidence_text);
			free(f->key);
			free(f);
		}
		free(rep->reqs[i].findings);
		for (j = 0; j < rep->reqs[i].nrollups; j++) {
			struct rp_rollup *u = &rep->reqs[i].rollups[j];
			free(u->cause);
			free(u->label);
			for (c = 0; c < u->ntop; c++)
				free(u->top[c].protocol);
		}
		free(rep->reqs[i].rollups);
		for (j = 0; j < rep->reqs[i].nresolved; j++)
			free(rep->reqs[i].resolved[j]);
		free(rep->reqs[i].resolved);
	}
	free(rep->reqs);
	for (i = 0; i < rep->nruns; i++) {
		free(rep->runs[i].source);
		free(rep->runs[i].mode);
		free(rep->runs[i].status);
		free(rep->runs[i].started_at);
		free(rep->runs[i].sensor);
	}
	free(rep->runs);
	free(rep->rolled_days);
	free(rep->cfg_geoip);
	free(rep->cfg_asn);
	for (i = 0; i < rep->nblind; i++)
		free(rep->blind[i].iface);
	free(rep->blind);
	for (i = 0; i < rep->nifaces; i++)
		free(rep->ifaces[i].name);
	free(rep->ifaces);
#define FREE_COUNTS(a, n) do { for (i = 0; i < (n); i++) free((a)[i].name); free(a); } while (0)
	FREE_COUNTS(rep->versions, rep->nversions);
	rp_pq_free(&rep->pq);
	rp_profiles_free(rep);
	FREE_COUNTS(rep->classes, rep->nclasses);
	FREE_COUNTS(rep->clear_protos, rep->nclear_protos);
	FREE_COUNTS(rep->security, rep->nsecurity);
	free(rep->zmemo);
	if (rep->geo_db) {
		MMDB_close(rep->geo_db);
		free(rep->geo_db);
	}
	if (rep->asn_db) {
		MMDB_close(rep->asn_db);
		free(rep->asn_db);
	}
}

int report_run(const struct report_opts *oin)
{
	struct report_opts o = *oin;
	struct rp_report *rep = rp_xcalloc(1, sizeof(*rep));
	struct rp_waiver *wv = NULL;
	int nwv = 0, i, rc = EXIT_OK, n;
	char err[512];
	FILE *out = stdout;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct rp_scan *scan = NULL;
	bool asvs_on = false;

	rep->o = &o;
	rep->generated_at = now_us();
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (*end == 0 && v >= 0)
			rep->generated_at = (int64_t)v * 1000000;
	}
	if (rp_setup_nets(rep, &o) != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if ((o.geoip && rp_open_mmdb(o.geoip, &rep->geo_db) != 0) ||
	    (o.asn && rp_open_mmdb(o.asn, &rep->asn_db) != 0)) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (!rep->geo_db && !rep->asn_db)
		rp_note(rep, "GeoIP/ASN enrichment is off (no --geoip/--asn database)");
	if (o.waivers && rp_load_waivers(rep, o.waivers, &wv, &nwv) != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (rp_profiles_load(rep) != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < rep->nprof_shown; i++)
		if (strcmp(rep->prof[i].name, "asvs5") == 0)
			asvs_on = true;
	if (!pg_is_conninfo(o.db) && access(o.db, F_OK) != 0) {
		fprintf(stderr, "wireaudit: %s: no such database\n", o.db);
		rc = EXIT_STORE;
		goto out;
	}
	if (pg_is_conninfo(o.db)) {
		/* a fleet database: the private copy holds the window's flows
		 * of the chosen sensors (a superset of what RP_IN_WINDOW and
		 * RP_IN_SEL keep) and everything else whole */
		struct pg_pull pull = { o.since, o.until, o.sensors, o.nsensors };
		if (pg_mirror_open(&rep->st, o.db, &pull, err, sizeof(err)) != 0) {
			fprintf(stderr, "wireaudit: %s\n", err);
			rc = EXIT_STORE;
			goto out;
		}
	} else if (store_open(&rep->st, o.db, true, err, sizeof(err)) != 0) {
		fprintf(stderr, "wireaudit: %s\n", err);
		rc = EXIT_STORE;
		goto out;
	}
	/* Requirements in scope at the chosen level. */
	rep->reqs = rp_xcalloc((size_t)rp_nreqs, sizeof(*rep->reqs));
	for (i = 0, n = 0; i < rp_nreqs; i++)
		if (rp_reqs[i].level <= o.level)
			rep->reqs[n++] = rp_reqs[i];
	rep->nreqs = n;
	/* Temporary tables in memory: the report's working set is a few
	 * columns per flow (about 150 MB for 10^6 flows). The database itself
	 * is read once, so the connection keeps SQLite's default small page
	 * cache: a 256 MB cache filled with pages read once was half the peak
	 * RSS (745 MB on 10^6 flows) and a tenth of the time, in malloc.
	 * (mmap_size was tried: no faster, and the mapped file counts in RSS.) */
	if (rp_q_exec(rep, "PRAGMA temp_store = MEMORY") != 0) {
		rc = EXIT_STORE;
		goto out;
	}
	rp_phase(rep, NULL);
	scan = rp_scan_new();
	if ((rc = rp_build_rf(rep)) == -2 || rc == -3) {
		rc = EXIT_USAGE; /* a bad --ca-file / --system-ca, an unknown --sensor: said on stderr */
		goto out;
	}
	if (o.ca_file || o.system_ca) {
		char note[200];
		snprintf(note, sizeof(note), "server certificate chains judged again at report time against "
			 "--ca-file/--system-ca: %lld chain and name pairs, %lld connections one by one",
			 (long long)rep->trust_chains, (long long)rep->trust_flows);
		rp_note(rep, note);
	}
	if (rc != 0 || rp_phase(rep, "load") || rp_findings(rep, scan) != 0 ||
	    rp_phase(rep, "findings") || rp_coverage(rep) != 0 || rp_phase(rep, "coverage") ||
	    rp_pq_load(rep) != 0 || rp_phase(rep, "pq")) {
		rc = EXIT_STORE;
		goto out;
	}
	if (o.baseline && rp_apply_baseline(rep, o.baseline) != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	rp_apply_waivers(rep, wv, nwv);
	for (i = 0; i < rep->nreqs; i++) {
		struct rp_req *r = &rep->reqs[i];
		if (r->nfindings > 1)
			qsort(r->findings, (size_t)r->nfindings, sizeof(*r->findings), rp_cmp_finding);
		rp_rules_judge(r, o.level);
		/* the V12 verdicts decide the exit status when asvs5 is
		 * among the chosen profiles (the default) */
		if (!r->guidance && strcmp(r->status, "fail") == 0)
			rep->any_fail = true;
		rp_listing(r, o.list);
	}
	rep->asvs_on = asvs_on;
	if (rp_profiles_run(rep) != 0 || rp_phase(rep, "profiles")) {
		rc = EXIT_STORE;
		goto out;
	}
	rp_details(rep, scan);
	rp_scan_free(scan);
	scan = NULL;
	if (rep->drops > 0 || rep->if_drops > 0)
		rp_note(rep, "packets were dropped during capture: results may be incomplete");
	if (o.output && (out = wa_open_output(o.output)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	switch (o.format) {
	case RF_JSON: n = rp_out_json(rep, out); break;
	case RF_HTML: n = rp_out_html(rep, out); break;
	case RF_MD: n = rp_out_md(rep, out); break;
	case RF_CSV: n = rp_out_csv(rep, out); break;
	default:
		n = rp_out_text(rep, out, o.color == 1 || (o.color < 0 && out == stdout && isatty(STDOUT_FILENO)),
				o.width >= 0 ? o.width : out == stdout ? wa_tty_columns(STDOUT_FILENO) : 0);
		break;
	}
	errno = 0;
	if (fflush(out) != 0 || ferror(out))
		n = -1;
	{
		int e = errno;
		if (out != stdout && fclose(out) != 0 && n == 0) {
			n = -1;
			e = errno;
		}
		if (n != 0)
			fprintf(stderr, "wireaudit: report: write error on %s%s%s\n",
				o.output ? o.output : "standard output", e ? ": " : "", e ? strerror(e) : "");
	}
	if (n != 0) {
		rc = EXIT_STORE;
		goto out;
	}
	rc = (asvs_on && rep->any_fail) || rep->prof_fail ? REPORT_EXIT_FAIL : EXIT_OK;
out:
	rp_scan_free(scan);
	rp_free_waivers(wv, nwv);
	if (rep->st)
		store_close(rep->st);
	rp_free(rep);
	free(rep);
	return rc;
}

int report_main(int argc, char **argv)
{
	struct report_opts o;
	int rc;
	report_opts_init(&o);
	if ((rc = report_parse_opts(argc, argv, &o)) != 0)
		return rc;
	return report_run(&o);
}
