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
	return ferror(out) ? -1 : 0;
}

