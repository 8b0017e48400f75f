/* out_common.c — what every report format shares: timestamps, counts,
 * the not-observable lines, numbers for people, rollup lines. Every string
 * from the wire is escaped by the format that prints it. */
#include "report_int.h"

double rp_blind_pct(int64_t drops, int64_t received)
{
	return received > 0 ? 100.0 * (double)drops / (double)received : 0.0;
}

#include <string.h>

#include "export.h"

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
		if (strcmp(rep->reqs[i].status, st) == 0)
			n++;
	return n;
}

double rp_handshake_share(const struct rp_report *rep)
{
	return rep->flows_tcp ? (double)rep->flows_handshake / (double)rep->flows_tcp : 0.0;
}

/* What a passive observer could not see in this window (one line each). */
int rp_not_observable_lines(const struct rp_report *rep, char lines[6][200])
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

