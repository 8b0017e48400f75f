/* SPDX-License-Identifier: BSD-3-Clause */
/* out_csv.c — one CSV row per finding (RFC 4180, csv_field neutralises formulas). */
#include "report_int.h"

#include <string.h>

#include "config.h"
#include "export.h"

/* ---------------------------------------------------------------- CSV */

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
	return ferror(out) ? -1 : 0;
}

