/* SPDX-License-Identifier: BSD-3-Clause */
/* load.c — what the report reads from the store: the view rf (a row per
 * flow of the window, the columns the rules use) and the servers seen both
 * encrypted and in clear.
 *
 * Data model: one temporary view `rf`, a row per flow in the window:
 *   flow_id run_id ts_first ts_last transport client_ip server_ip server_port
 *   protocol security client_by
 *   cz sz            index of the client's / server's internal network, -1 external
 *   senvname         environment label of the server's network (or NULL)
 *   has_tls ver vrank cmax c13 cipher_id cipher cclass cfs best_off sni ech sreq
 *   stapled ocsp_status ccert est trusted terr tbe hmatch cacc cctrusted ccterr
 *   dh_bits alpn_http leaf ncerts leaf_ss wildcard
 *   creds authm user redir http_host tlsform
 *   ja4 kxg          the client's JA4 and the key exchange group (rollup causes)
 *   mixed            a session in clear (or refused, or not upgraded) with a
 *                    service also seen encrypted (rp_mixed), else 0 or NULL
 *   ssh_kx ssh_wneg ssh_woff ssh_p1 ssh_nsk ssh_hsrv
 *                    an SSH flow's classification (rp_ssh: ssh_rules.c), NULL
 *                    for other flows
 *   snmp_ver snmp_lvl  an SNMP flow's snmp_version and snmp_security_level
 *                    details (dissectors/snmp.c), NULL for other flows
 *   vnc_sec          a VNC flow's security type, "/" and the VeNCrypt
 *                    sub-type when there is one ("VeNCrypt/Plain"), from
 *                    the vnc_security_type and vnc_vencrypt_subtype details
 *                    (dissectors/vnc.c), NULL for other flows
 *   rdp_sel rdp_neg rdp_enc rdp_fail  an RDP flow's rdp_selected_protocol,
 *                    rdp_negotiation, rdp_encryption_method and
 *                    rdp_neg_failure details (dissectors/rdp.c), NULL for
 *                    other flows
 *   smb_ver smb_dia smb_sig  an SMB flow's smb_version, smb_dialect and
 *                    smb_server_signing details (dissectors/smb.c), NULL
 *                    for other flows
 * in flow_id order. findings.c reads it once.
 */

#include "report_int.h"

#include <stdlib.h>
#include <string.h>

/* rf is a view, not a table: the findings scan reads it once, in one
 * pass over flows in flow_id order, each column once (the rules run on
 * distinct tuples of its columns, findings.c), so materialising it was a
 * copy of every flow for nothing (about 1.5 s per 10^6 flows).
 * STORE_SQL_NO_FLATTEN (SQLite: LIMIT -1 OFFSET 0) keeps the backend from
 * flattening it into the query that reads it.
 * The passes that need the window's flows before the scan (rp_mixed, the
 * shared-certificate tables) read the stored tables themselves. The window
 * is the one row of rp_win. A flow without a tls row gets what a TLS
 * expression gives for no TLS: has_tls 0, cipher '0x0000', alpn_http 0,
 * ncerts 0, NULL elsewhere. */
static int rp_build_mixed(struct rp_report *rep);


/* TLS columns: typed columns, and the profiles' classes computed once per
 * profile by the rules (rp_cp, rp_sp, rp_grp: rules.c). The expressions
 * give what the export's tls object says (docs/TLS.md): ocsp_stapled and
 * client_cert are not observable in TLS 1.3. */
static const char rf_view_sql[] =
	"CREATE TEMP VIEW rf AS SELECT f.flow_id AS flow_id, f.run_id AS run_id, f.ts_first AS ts_first,"
	" f.ts_last AS ts_last, f.transport AS transport, f.client_ip AS client_ip,"
	" f.server_ip AS server_ip, f.server_port AS server_port, f.protocol AS protocol,"
	" f.security AS security, f.client_by AS client_by, ru.flows AS n,"
	" wa_zone(f.client_ip) AS cz, wa_zone(f.server_ip) AS sz, wa_envname(f.server_ip) AS senvname,"
	" t.flow_id IS NOT NULL AS has_tls, s.ver AS ver, s.vrank AS vrank, c.cmax AS cmax, c.c13 AS c13,"
	" s.cipher_id AS cipher_id, COALESCE(s.cipher, '0x0000') AS cipher, s.cclass AS cclass, s.cfs AS cfs,"
	" c.best_off AS best_off, t.sni AS sni, c.ech AS ech, c.status_request AS sreq,"
	" CASE WHEN s.version = 772 AND NOT t.handshake_decrypted THEN NULL ELSE t.ocsp_stapled END AS stapled,"
	" CASE WHEN t.ocsp_stapled THEN t.ocsp_status END AS ocsp_status,"
	" CASE WHEN t.flow_id IS NULL THEN NULL WHEN s.version = 772 AND NOT t.handshake_decrypted"
	"  THEN 'not_observable'"
	"  WHEN t.client_cert_message AND NOT t.client_cert_empty THEN 'sent'"
	"  WHEN t.cert_request OR t.client_cert_message THEN 'requested' ELSE 'none' END AS ccert,"
	" t.established AS est,"
	/* the chain verdict: judged again at report time (trust.c, v.s = 1)
	 * or as the capture made it */
	" CASE WHEN v.s = 1 THEN v.trusted ELSE t.chain_trusted END AS trusted,"
	" CASE WHEN v.s = 1 THEN v.terr ELSE t.trust_error END AS terr,"
	" CASE WHEN v.s = 1 THEN v.tbe ELSE t.trusted_by_extra_ca END AS tbe,"
	" CASE WHEN v.s = 1 THEN v.hmatch ELSE t.hostname_match END AS hmatch,"
	/* the client went on after an invalid chain: the wire facts (fatal
	 * alert after Certificate; completed, application data) with the
	 * verdict in force, as dissectors/tls.c decides it */
	" CASE WHEN COALESCE(v.s, 0) = 0 THEN t.client_accepted_untrusted"
	"  WHEN v.bad = 1 THEN CASE WHEN t.client_rejected_cert THEN 0"
	"  WHEN t.established AND t.app_records_c2s > 0 THEN 1 END END AS cacc,"
	" CASE WHEN v.c = 1 THEN v.ctrusted ELSE t.client_chain_trusted END AS cctrusted,"
	" CASE WHEN v.c = 1 THEN v.cterr ELSE t.client_trust_error END AS ccterr, t.dh_bits AS dh_bits,"
	" COALESCE(c.alpn_http, 0) AS alpn_http, t.client_rejected_cert AS crej, ch.leaf AS leaf,"
	" COALESCE(ch.len, 0) AS ncerts, COALESCE(t.handshake_decrypted, 0) AS hsdec,"
	" COALESCE(t.leaf_self_signed, (SELECT ce.self_signed FROM certs ce WHERE ce.sha256 = ch.leaf)) AS leaf_ss,"
	" ct.credentials AS creds, ct.auth_mechanism AS authm, ct.user AS user,"
	/* HTTP details: only dissectors/http.c states them, so other flows
	 * (TLS, databases, mail...) skip the two lookups */
	" CASE WHEN f.protocol = 'http' THEN (SELECT d.ival FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'redirect_to_https' ORDER BY d.seq LIMIT 1) END AS redir,"
	" CASE WHEN f.protocol = 'http' THEN (SELECT d.sval FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'host' ORDER BY d.seq LIMIT 1) END AS http_host,"
	" (lower(f.protocol) IN (SELECT name FROM rp_tlsform)) AS tlsform, c.ja4 AS ja4, g.name AS kxg,"
	/* a session in clear with a service also seen encrypted (rp_mixed) */
	" CASE WHEN f.security IN ('cleartext', 'tls_refused', 'starttls_not_used') THEN EXISTS (SELECT 1"
	"  FROM rp_mixed m WHERE m.server_ip = f.server_ip AND m.server_port = f.server_port"
	"  AND m.protocol IS NOT DISTINCT FROM f.protocol) END AS mixed,"
	" sh.kx AS ssh_kx, sh.wneg AS ssh_wneg, sh.woff AS ssh_woff, sh.p1 AS ssh_p1, sh.nsk AS ssh_nsk,"
	" sh.hsrv AS ssh_hsrv,"
	/* SNMP details (dissectors/snmp.c): only SNMP flows look them up */
	" CASE WHEN f.protocol = 'snmp' THEN (SELECT d.sval FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'snmp_version' ORDER BY d.seq LIMIT 1) END AS snmp_ver,"
	" CASE WHEN f.protocol = 'snmp' THEN (SELECT d.sval FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'snmp_security_level' ORDER BY d.seq LIMIT 1) END AS snmp_lvl,"
	/* VNC details (dissectors/vnc.c): only VNC flows look them up */
	" CASE WHEN f.protocol = 'vnc' THEN (SELECT d.sval FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'vnc_security_type' ORDER BY d.seq LIMIT 1)"
	"  || COALESCE('/' || (SELECT d.sval FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'vnc_vencrypt_subtype' ORDER BY d.seq LIMIT 1), '') END AS vnc_sec,"
	/* RDP details (dissectors/rdp.c): only RDP flows look them up */
	" CASE WHEN f.protocol = 'rdp' THEN (SELECT d.sval FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'rdp_selected_protocol' ORDER BY d.seq LIMIT 1) END AS rdp_sel,"
	" CASE WHEN f.protocol = 'rdp' THEN (SELECT d.sval FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'rdp_negotiation' ORDER BY d.seq LIMIT 1) END AS rdp_neg,"
	" CASE WHEN f.protocol = 'rdp' THEN (SELECT d.sval FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'rdp_encryption_method' ORDER BY d.seq LIMIT 1) END AS rdp_enc,"
	" CASE WHEN f.protocol = 'rdp' THEN (SELECT d.sval FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'rdp_neg_failure' ORDER BY d.seq LIMIT 1) END AS rdp_fail,"
	/* SMB details (dissectors/smb.c): only SMB flows look them up */
	" CASE WHEN f.protocol = 'smb' THEN (SELECT d.sval FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'smb_version' ORDER BY d.seq LIMIT 1) END AS smb_ver,"
	" CASE WHEN f.protocol = 'smb' THEN (SELECT d.sval FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'smb_dialect' ORDER BY d.seq LIMIT 1) END AS smb_dia,"
	" CASE WHEN f.protocol = 'smb' THEN (SELECT d.sval FROM cleartext_details d"
	"  WHERE d.flow_id = f.flow_id AND d.key = 'smb_server_signing' ORDER BY d.seq LIMIT 1) END AS smb_sig"
	" FROM flows f"
	" LEFT JOIN tls t ON t.flow_id = f.flow_id"
	" LEFT JOIN rp_cp c ON c.profile_id = t.client_profile"
	" LEFT JOIN rp_sp s ON s.profile_id = t.server_profile"
	" LEFT JOIN rp_grp g ON g.id = t.kx_group"
	" LEFT JOIN chains ch ON ch.chain_id = t.server_chain"
	" LEFT JOIN rp_tv v ON v.flow_id = t.flow_id"
	" LEFT JOIN cleartext ct ON ct.flow_id = f.flow_id"
	" LEFT JOIN rollups ru ON ru.flow_id = f.flow_id"
	" LEFT JOIN rp_ssh sh ON sh.flow_id = f.flow_id"
	" WHERE " RP_IN_WINDOW("f") STORE_SQL_NO_FLATTEN;

/* The environment label of each TLS flow's server, with its leaf
 * certificate: what the shared-certificate rules (12.1) compare; only
 * when some network has an environment label (otherwise none can match). */
#define RP_TLS_ENV_FROM " FROM tls t JOIN flows f ON f.flow_id = t.flow_id" \
	" JOIN chains ch ON ch.chain_id = t.server_chain" \
	" WHERE wa_envname(f.server_ip) IS NOT NULL AND " RP_IN_WINDOW("f")

/* leaf certificates served in more than one environment */
static const char rp_sharedleaf_sql[] =
	"CREATE TEMP TABLE rp_sharedleaf AS SELECT ch.leaf AS leaf" RP_TLS_ENV_FROM
	" GROUP BY ch.leaf HAVING count(DISTINCT wa_envname(f.server_ip)) > 1";
/* wildcard names per distinct leaf certificate, not per flow */
static const char rp_leafw_sql[] =
	"CREATE TEMP TABLE rp_leafw AS SELECT c.sha256 AS leaf, (SELECT n.name FROM cert_sans n"
	" WHERE n.sha256 = c.sha256 AND n.name LIKE '*.%' ORDER BY n.name LIMIT 1) AS wildcard"
	" FROM certs c WHERE c.sha256 IN (SELECT DISTINCT ch.leaf" RP_TLS_ENV_FROM ")";
/* wildcard names whose certificates are served in more than one environment */
static const char rp_sharedwild_sql[] =
	"CREATE TEMP TABLE rp_sharedwild AS SELECT w.wildcard AS wildcard"
	" FROM tls t JOIN flows f ON f.flow_id = t.flow_id"
	" JOIN chains ch ON ch.chain_id = t.server_chain JOIN rp_leafw w ON w.leaf = ch.leaf"
	" WHERE w.wildcard IS NOT NULL AND wa_envname(f.server_ip) IS NOT NULL AND "
	RP_IN_WINDOW("f") " GROUP BY w.wildcard HAVING count(DISTINCT wa_envname(f.server_ip)) > 1";

static bool rp_any_env(const struct rp_report *rep)
{
	for (int i = 0; i < rep->nnets; i++)
		if (rep->nets[i].env[0])
			return true;
	return false;
}

/* --sensor (issue 16): rp_sel holds the runs of the sensors named, and
 * rp_win.sel says whether to keep to them (RP_IN_SEL); a name no run has
 * is a usage error (a typo would otherwise report on nothing). 0, -1, or
 * -3 after a message. */
static int rp_build_sel(struct rp_report *rep)
{
	if (rp_q_exec(rep, "CREATE TEMP TABLE rp_sel (run_id INTEGER PRIMARY KEY)") != 0)
		return -1;
	for (int i = 0; i < rep->o->nsensors; i++) {
		const char *p[1] = { rep->o->sensors[i] };
		int64_t n = 0;
		if (store_scalar(rep->st, "SELECT count(*) FROM runs WHERE sensor = ?1", p, 1, &n) != 0)
			return -1;
		if (n <= 0) {
			fprintf(stderr, "wireaudit: report: no run of sensor '%s' in %s (runs.sensor; "
				"`sqlite3 DB 'SELECT DISTINCT sensor FROM runs'` lists them)\n",
				rep->o->sensors[i], rep->o->db);
			return -3;
		}
		if (rp_q(rep, "INSERT INTO rp_sel SELECT run_id FROM runs WHERE sensor = ?1"
			 " ON CONFLICT (run_id) DO NOTHING", p, 1, rp_cb_noop, NULL) != 0)
			return -1;
	}
	return 0;
}

int rp_build_rf(struct rp_report *rep)
{
	char since[32], until[32], sel[4];
	const char *p[3] = { since, until, sel };
	bool env;
	int rc;
	snprintf(since, sizeof(since), "%lld", (long long)rep->o->since);
	snprintf(until, sizeof(until), "%lld", (long long)rep->o->until);
	snprintf(sel, sizeof(sel), "%d", rep->o->nsensors > 0);
	if (rp_net_register(rep) != 0 || rp_rules_register(rep) != 0 || rp_rules_profiles(rep) != 0)
		return -1;
	/* the window first: every pass below keeps to it */
	if ((rc = rp_build_sel(rep)) != 0)
		return rc;
	if (rp_q_exec(rep, "CREATE TEMP TABLE rp_win (since INTEGER, until INTEGER, sel INTEGER)") != 0 ||
	    rp_q(rep, "INSERT INTO rp_win VALUES (CAST(?1 AS INTEGER), CAST(?2 AS INTEGER), CAST(?3 AS INTEGER))",
		 p, 3, rp_cb_noop, NULL) != 0)
		return -1;
	if ((rc = rp_trust_build(rep)) != 0)
		return rc;
	if (rp_ssh_build(rep) != 0)
		return -1;
	if (rp_build_mixed(rep) != 0 || rp_q_exec(rep, rf_view_sql) != 0)
		return -1;
	env = rp_any_env(rep);
	if (env)
		rc = rp_q_exec(rep, rp_sharedleaf_sql) != 0 || rp_q_exec(rep, rp_leafw_sql) != 0 ||
		     rp_q_exec(rep, rp_sharedwild_sql) != 0;
	else
		rc = rp_q_exec(rep, "CREATE TEMP TABLE rp_sharedleaf (leaf TEXT)") != 0 ||
		     rp_q_exec(rep, "CREATE TEMP TABLE rp_leafw (leaf TEXT, wildcard TEXT)") != 0 ||
		     rp_q_exec(rep, "CREATE TEMP TABLE rp_sharedwild (wildcard TEXT)") != 0;
	if (rc || rp_q_exec(rep, "CREATE TEMP TABLE rp_runs (run_id INTEGER PRIMARY KEY)") != 0)
		return -1;
	return 0;
}

/* ---- coverage ---- */

static int cb_spool_dropped(int n, const char *const *v, void *a)
{
	if (n >= 1 && v[0])
		*(int64_t *)a = rp_num(v[0]);
	return 0;
}

static int cb_runs(int n, const char *const *v, void *a)
{
	struct rp_report *rep = a;
	struct rp_run_info *r, *nr;
	if (n < 11)
		return 0;
	nr = realloc(rep->runs, sizeof(*nr) * (size_t)(rep->nruns + 1));
	if (nr == NULL)
		return -1;
	rep->runs = nr;
	r = &rep->runs[rep->nruns++];
	r->run_id = rp_num(v[0]);
	r->source = rp_xstrdup(v[1]);
	r->mode = rp_xstrdup(v[2]);
	r->status = rp_xstrdup(v[3]);
	r->started_at = rp_xstrdup(v[4]);
	r->packets = v[5] ? rp_num(v[5]) : -1;
	r->drops = v[6] ? rp_num(v[6]) : -1;
	r->if_drops = v[7] ? rp_num(v[7]) : -1;
	r->sensor = v[8] ? rp_xstrdup(v[8]) : NULL;
	r->ts_first = v[9] ? rp_num(v[9]) : 0;
	r->ts_last = v[10] ? rp_num(v[10]) : 0;
	r->spool_dropped = -1;
	if (n > 11 && v[11])
		store_json_query(v[11], "SELECT json_extract(?1, '$.spool.flows_dropped') WHERE json_valid(?1)",
				 cb_spool_dropped, &r->spool_dropped);
	if (r->packets > 0)
		rep->packets += r->packets;
	if (r->drops >= 0 || r->if_drops >= 0)
		rep->drops_known = true;
	if (r->drops > 0)
		rep->drops += r->drops;
	if (r->if_drops > 0)
		rep->if_drops += r->if_drops;
	return 0;
}

static int cb_rolled(int n, const char *const *v, void *a)
{
	struct rp_report *rep = a;
	struct rp_rolled_day *d, *nd;
	if (n < 5)
		return 0;
	nd = realloc(rep->rolled_days, sizeof(*nd) * (size_t)(rep->nrolled_days + 1));
	if (nd == NULL)
		return -1;
	rep->rolled_days = nd;
	d = &rep->rolled_days[rep->nrolled_days++];
	d->day = rp_num(v[0]);
	d->removed = v[1] && rp_num(v[1]) != 0;
	d->flows = d->removed ? (v[2] ? rp_num(v[2]) : 0) : (v[4] ? rp_num(v[4]) : 0);
	snprintf(d->reason, sizeof(d->reason), "%s", v[3] ? v[3] : "");
	return 0;
}

/* One interval of the statistics series (rp_coverage): v = run_id,
 * interface, from (NULL: the first row), to, drops, received, received
 * known, the run's start. */
static int cb_blind(const struct store_row *r, void *a)
{
	struct rp_report *rep = a;
	int64_t run = store_col_int(r, 0), from, to = store_col_int(r, 3);
	int64_t d = store_col_int(r, 4), rcv = store_col_int(r, 5);
	const char *iface = store_col_text(r, 1);
	struct rp_blind *b;

	if (store_col_int(r, 6)) {
		rep->series_known = true;
		rep->win_received += rcv;
	}
	if (d <= 0)
		return 0;
	rep->win_drops += d;
	if (store_col_null(r, 2)) {
		const char *st = store_col_text(r, 7);
		from = st ? rfc3339_to_ts(st) : -1;
		if (from < 0 || from > to)
			from = to;
	} else {
		from = store_col_int(r, 2);
	}
	/* the next interval of the same run and interface: one period */
	if (rep->nblind > 0) {
		b = &rep->blind[rep->nblind - 1];
		if (b->run_id == run && b->to == from &&
		    ((b->iface == NULL && iface == NULL) ||
		     (b->iface && iface && strcmp(b->iface, iface) == 0))) {
			b->to = to;
			b->drops += d;
			b->received += rcv;
			return 0;
		}
	}
	if (rep->nblind == rep->blind_cap) {
		int nc = rep->blind_cap ? rep->blind_cap * 2 : 16;
		struct rp_blind *nb = realloc(rep->blind, sizeof(*nb) * (size_t)nc);
		if (nb == NULL)
			return -1;
		rep->blind = nb;
		rep->blind_cap = nc;
	}
	b = &rep->blind[rep->nblind];
	b->iface = NULL;
	if (iface && (b->iface = strdup(iface)) == NULL)
		return -1;
	rep->nblind++;
	b->run_id = run;
	b->from = from;
	b->to = to;
	b->drops = d;
	b->received = rcv;
	return 0;
}

/* One interface's flows in the window (name NULL: files). */
static int cb_iface(const struct store_row *r, void *a)
{
	struct rp_report *rep = a;
	const char *n = store_col_text(r, 0);
	struct rp_count *nc = realloc(rep->ifaces, sizeof(*nc) * (size_t)(rep->nifaces + 1));
	if (nc == NULL)
		return -1;
	rep->ifaces = nc;
	nc[rep->nifaces].name = NULL;
	if (n && (nc[rep->nifaces].name = strdup(n)) == NULL)
		return -1;
	nc[rep->nifaces++].n = store_col_int(r, 1);
	return 0;
}

/* The flow counts, the cleartext protocols, the security states, the TLS
 * version and cipher class histograms and the runs with flows in the
 * window come from the findings scan (rp_findings, which runs first). */
int rp_coverage(struct rp_report *rep)
{
	char since[32], until[32];
	const char *p[2] = { since, until };
	snprintf(since, sizeof(since), "%lld", (long long)rep->o->since);
	snprintf(until, sizeof(until), "%lld", (long long)rep->o->until);
	if (rp_q(rep, "SELECT run_id, source, mode, status, started_at, packets, drops, if_drops, sensor,"
		   " ts_first, ts_last, stats FROM runs"
		   " WHERE (run_id IN (SELECT run_id FROM rp_runs)"
		   " OR ((CAST(?1 AS INTEGER) < 0 OR ts_last >= CAST(?1 AS INTEGER))"
		   " AND (CAST(?2 AS INTEGER) < 0 OR ts_first < CAST(?2 AS INTEGER))))"
		   " AND " RP_IN_SEL("runs")
		   " ORDER BY run_id", p, 2, cb_runs, rep) != 0)
		return -1;
	/* days of the window that retention rolled up or removed: the report
	 * says which of its counts come from roll-ups, and where nothing is
	 * left (src/store/retention.c) */
	if (rp_q(rep, "SELECT day, max(action = 'drop'), sum(CASE WHEN action = 'drop' THEN flows END),"
		   " (SELECT l2.reason FROM retention_log l2 WHERE l2.day = l.day ORDER BY l2.id DESC LIMIT 1),"
		   " (SELECT l3.flows FROM retention_log l3 WHERE l3.day = l.day AND l3.action = 'rollup'"
		   "  ORDER BY l3.id DESC LIMIT 1)"
		   " FROM retention_log l"
		   " WHERE (CAST(?1 AS INTEGER) < 0 OR (day + 1) * 86400000000 > CAST(?1 AS INTEGER))"
		   " AND (CAST(?2 AS INTEGER) < 0 OR day * 86400000000 < CAST(?2 AS INTEGER))"
		   " GROUP BY day ORDER BY day", p, 2, cb_rolled, rep) != 0)
		return -1;
	/* When the sensor was blind inside the window: each interval between
	 * two rows of the statistics series of a run's interface (the first
	 * from the run's start) that overlaps the window, with the drops the
	 * kernel and the interface counted in it. Times are the rows' wall
	 * clock: for a live capture the clock packets are stamped with. */
	if (store_query_rows(rep->st,
		   "SELECT run_id, interface, t0, t1, d, rcv, known, started_at FROM ("
		   " SELECT s.run_id, s.interface, LAG(s.ts) OVER w AS t0, s.ts AS t1,"
		   "  COALESCE(s.kernel_drops, 0) + COALESCE(s.if_drops, 0)"
		   "  - COALESCE(LAG(COALESCE(s.kernel_drops, 0) + COALESCE(s.if_drops, 0)) OVER w, 0) AS d,"
		   "  COALESCE(s.received, 0) - COALESCE(LAG(s.received) OVER w, 0) AS rcv,"
		   "  s.received IS NOT NULL AS known, r.started_at"
		   " FROM stats s JOIN runs r ON r.run_id = s.run_id"
		   " WINDOW w AS (PARTITION BY s.run_id, s.interface ORDER BY s.ts)"
		   ") AS iv"
		   " WHERE (CAST(?1 AS INTEGER) < 0 OR t1 >= CAST(?1 AS INTEGER))"
		   " AND (CAST(?2 AS INTEGER) < 0 OR COALESCE(t0, t1) < CAST(?2 AS INTEGER))"
		   " AND " RP_IN_SEL("iv")
		   " ORDER BY run_id, interface, t1", p, 2, cb_blind, rep) != 0)
		return -1;
	/* the flows of the window per interface they were captured on */
	if (store_query_rows(rep->st, "SELECT interface, sum(COALESCE((SELECT ru.flows FROM rollups ru"
			     " WHERE ru.flow_id = flows.flow_id), 1)) FROM flows"
			     " WHERE (CAST(?1 AS INTEGER) < 0 OR ts_last >= CAST(?1 AS INTEGER))"
			     " AND (CAST(?2 AS INTEGER) < 0 OR ts_first < CAST(?2 AS INTEGER))"
			     " AND " RP_IN_SEL("flows")
			     " GROUP BY interface ORDER BY interface", p, 2, cb_iface, rep) != 0)
		return -1;
	return 0;
}

struct rp_mixctx {
	struct rp_strs keys;
	struct rp_map flags;    /* key id -> 1 encrypted seen | 2 cleartext seen */
	char **ip, **proto;
	int *port;
	size_t n, cap;
};

static int cb_mixed(const struct store_row *r, void *arg)
{
	struct rp_mixctx *M = arg;
	const char *ip = store_col_text(r, 0), *proto = store_col_text(r, 2), *sec = store_col_text(r, 3);
	int port = (int)store_col_int(r, 1), bit;
	char key[IPSTR_MAX + 80];
	uint32_t id;

	if (sec == NULL)
		return 0;
	if (strcmp(sec, "tls") == 0 || strcmp(sec, "starttls") == 0 || strcmp(sec, "app_encrypted") == 0)
		bit = 1;
	else
		bit = 2;   /* the query selects only these two families */
	rp_srv_key(key, sizeof(key), ip ? ip : "", port, proto);
	id = rp_str_id(&M->keys, key, true);
	if (id > M->n) {
		if (id >= M->cap) {
			size_t nc = M->cap ? M->cap * 2 : 256;
			char **ni = realloc(M->ip, nc * sizeof(*ni)), **np;
			int *npo;
			if (ni == NULL)
				return -1;
			M->ip = ni;
			if ((np = realloc(M->proto, nc * sizeof(*np))) == NULL)
				return -1;
			M->proto = np;
			if ((npo = realloc(M->port, nc * sizeof(*npo))) == NULL)
				return -1;
			M->port = npo;
			M->cap = nc;
		}
		M->ip[id] = rp_xstrdup(ip ? ip : "");
		M->proto[id] = rp_xstrdup(proto);
		M->port[id] = port;
		M->n = id;
	}
	*rp_map_at(&M->flags, id, NULL) |= bit;
	return 0;
}

/* rp_mixed: the server endpoints (address, port, protocol) seen both
 * encrypted and in clear, from one pass over the window's flows and a hash of endpoints
 * (a GROUP BY of every flow by three text columns was a sort of 10^6 rows).
 * An http flow with security tls is a CONNECT tunnel (dissectors/http.c
 * hands only a tunnel to the TLS dissector): its TLS is the origin's, end
 * to end through a forward proxy that speaks HTTP in clear to everyone, so
 * it does not make the proxy an encrypted service whose 407s and refusals
 * would be a fallback. */
static int rp_build_mixed(struct rp_report *rep)
{
	char since[32], until[32];
	const char *wp[2] = { since, until };
	struct rp_mixctx M;
	size_t i;
	int rc;

	memset(&M, 0, sizeof(M));
	snprintf(since, sizeof(since), "%lld", (long long)rep->o->since);
	snprintf(until, sizeof(until), "%lld", (long long)rep->o->until);
	/* indexed: the 12.3.1 fallback rule looks a flow's server up in it,
	 * and a scan of it per flow made the report quadratic in servers */
	rc = rp_q_exec(rep, "CREATE TEMP TABLE rp_mixed (server_ip TEXT, server_port INT, protocol TEXT)");
	if (rc == 0)
		rc = rp_q_exec(rep, "CREATE INDEX rp_mixed_ix ON rp_mixed (server_ip, server_port)");
	if (rc == 0)
		rc = store_query_rows(rep->st, "SELECT server_ip, server_port, protocol, security FROM flows"
				      " WHERE security IN ('tls', 'starttls', 'app_encrypted', 'cleartext', 'tls_refused',"
				      " 'starttls_not_used') AND NOT (protocol IS 'http' AND security = 'tls')"
				      " AND (CAST(?1 AS INTEGER) < 0 OR ts_last >= CAST(?1 AS INTEGER))"
				      " AND (CAST(?2 AS INTEGER) < 0 OR ts_first < CAST(?2 AS INTEGER))"
				      " AND " RP_IN_SEL("flows"),
				      wp, 2, cb_mixed, &M);
	for (i = 1; rc == 0 && i <= M.n; i++) {
		const int64_t *f = rp_map_get(&M.flags, i);
		char pb[16];
		const char *p[3];
		if (f == NULL || *f != 3)
			continue;
		snprintf(pb, sizeof(pb), "%d", M.port[i]);
		p[0] = M.ip[i];
		p[1] = pb;
		p[2] = M.proto[i];
		rc = rp_q(rep, "INSERT INTO rp_mixed VALUES (?1, CAST(?2 AS INTEGER), ?3)", p, 3, rp_cb_noop, NULL);
	}
	for (i = 1; i <= M.n; i++) {
		free(M.ip[i]);
		free(M.proto[i]);
	}
	free(M.ip);
	free(M.proto);
	free(M.port);
	rp_map_free(&M.flags);
	rp_strs_free(&M.keys);
	return rc;
}

