/* SPDX-License-Identifier: BSD-3-Clause */
/* retention.c — bounded storage (issue 14); the policy is in retention.h.
 *
 * A roll-up of a UTC day (by a flow's first packet) groups the day's ended
 * flows by every fact the report reads (load.c's rf view: run, transport,
 * client and server address, server port, protocol, security state, how
 * the client was decided, the day of the last packet, the TLS profile,
 * chain, SNI and per-flow TLS facts, the cleartext credentials facts and
 * the HTTP facts) and keeps one row per group: the flows row with the
 * group's smallest flow_id, with its tls, cleartext and details rows, its
 * first and last times made the group's, its packet and byte counters the
 * group's sums, and a rollups row saying how many flows it stands for.
 * The other rows of the group are deleted. So the report, which reads the
 * same tables and weighs each row by its rollups count, gives the same
 * statuses and counts (flows, servers, clients) for any window that starts
 * and ends at a UTC midnight; inside a rolled-up day a window edge counts
 * the day's groups whole (the report says so). What a rolled-up flow loses:
 * its own flow_id, ports, times, counters, its nDPI labels and its record
 * counters; the kept row keeps its own of those, but not its anomalies nor
 * its cleartext details other than the two the report reads (HTTP
 * redirect_to_https and host): they were one flow's, not the group's.
 *
 * Rolling up a day again (a flow that ended after its day was rolled up)
 * merges into the rows already there: it is idempotent.
 *
 * The work runs on a thread and a database connection of its own, never
 * on the packet threads nor the store writer. Grouping a day (one
 * statement, seconds for 10^5 flows: docs/APPLIANCE.md) reads the database
 * into TEMP tables and holds no lock the writer waits for; the changes are
 * made in chunks of at most RET_CHUNK groups, each a short write
 * transaction. The writer lets the thread take the write lock between two
 * of its batches (retention_note), so a busy writer does not starve it. */
#define _GNU_SOURCE
#include "retention.h"
#include "store.h"
#include "util.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RET_CHUNK 2000           /* groups (or removed rows) per transaction */
#define RET_EVERY_US 1000000     /* the thread looks for work this often */
#define RET_YIELD_US 500000      /* the writer waits this long at most to let it in */
#define RET_RESCAN_US (60 * 1000000LL) /* a full look for late flows this often */

enum ret_phase { RP_IDLE, RP_ROLL, RP_DROP };

struct retention {
	struct store *s;
	struct retention_policy p;
	bool quiet;
	enum ret_phase phase;
	int64_t day;             /* the day being rolled up or removed */
	const char *reason;      /* "retain-flows", "retain-rollups", "max-db-size" */
	int64_t cursor;          /* last representative done */
	int64_t acc_flows, acc_rows; /* of the day being removed */
	int64_t hint_day;        /* no raw flow before this day (rescanned each new day) */
	int64_t scan_day;        /* the packet day of the last full rescan */
	int64_t scan_at;         /* and its wall-clock time */
	int64_t store_now;       /* the newest flow start in the store when opened */
	int64_t wm_hour, wm_day; /* stats rows before these are thinned */
	bool size_warned, failed_said, in_tx, threaded;
	struct retention_stats st;
	/* shared with the capture's store writer (retention_note) */
	_Atomic int64_t note;    /* the newest flow time written */
	_Atomic int64_t oldest;  /* the oldest start of an ended flow written since looked at */
	atomic_int want_lock;    /* waiting for the write lock */
	atomic_int stop;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

void retention_get_stats(const struct retention *r, struct retention_stats *st)
{
	*st = r->st;
}

static int64_t day_of(int64_t us)
{
	return us >= 0 ? us / RET_DAY_US : -((-us + RET_DAY_US - 1) / RET_DAY_US);
}

static void fmt_i64(char *b, size_t n, int64_t v)
{
	snprintf(b, n, "%" PRId64, v);
}

static void day_str(int64_t day, char *b, size_t n)
{
	char ts[TSSTR_MAX];
	ts_to_rfc3339(day * RET_DAY_US, ts, sizeof(ts));
	snprintf(b, n, "%.10s", ts);
}

/* One SSH detail of a flow (the report's SSH rules read these:
 * src/report/ssh_rules.c), NULL for other protocols. */
#define RET_SSH(k) " CASE WHEN f.protocol = 'ssh' THEN (SELECT COALESCE(d.sval, CAST(d.ival AS TEXT))" \
	" FROM cleartext_details d WHERE d.flow_id = f.flow_id AND d.key = '" k "' ORDER BY d.seq LIMIT 1) END"

/* One SNMP detail of a flow (the report's SNMP kinds read these:
 * src/report/rules.c), NULL for other protocols. */
#define RET_SNMP(k) " CASE WHEN f.protocol = 'snmp' THEN (SELECT d.sval" \
	" FROM cleartext_details d WHERE d.flow_id = f.flow_id AND d.key = '" k "' ORDER BY d.seq LIMIT 1) END"

/* One VNC detail of a flow (the report's vnc_unencrypted reads these:
 * src/report/rules.c), NULL for other protocols. */
#define RET_VNC(k) " CASE WHEN f.protocol = 'vnc' THEN (SELECT d.sval" \
	" FROM cleartext_details d WHERE d.flow_id = f.flow_id AND d.key = '" k "' ORDER BY d.seq LIMIT 1) END"
/* One RDP detail of a flow (the report's RDP kind reads these:
 * src/report/rules.c), NULL for other protocols. */
#define RET_RDP(k) " CASE WHEN f.protocol = 'rdp' THEN (SELECT d.sval" \
	" FROM cleartext_details d WHERE d.flow_id = f.flow_id AND d.key = '" k "' ORDER BY d.seq LIMIT 1) END"

/* The facts a roll-up keeps apart: every column the report's rf view
 * (src/report/load.c) reads, or computes from, per flow. A column added
 * there must be added here (tests/retention.sh compares reports). */
#define RET_KEY \
	"f.run_id, f.interface, f.transport, f.client_ip, f.server_ip, f.server_port, f.protocol, f.security," \
	" f.client_by, f.ts_last / 86400000000," \
	" t.flow_id IS NULL, t.client_profile, t.server_profile, t.server_chain, t.client_chain," \
	" t.kx_group, t.sni, t.ocsp_stapled, t.ocsp_status, t.cert_request, t.client_cert_message," \
	" t.client_cert_empty, t.established, t.chain_trusted, t.trust_error, t.trusted_by_extra_ca," \
	" t.hostname_match, t.client_accepted_untrusted, t.client_rejected_cert, t.app_records_c2s > 0," \
	" t.client_chain_trusted, t.client_trust_error, t.dh_bits, t.leaf_self_signed," \
	" ct.flow_id IS NULL, ct.credentials, ct.auth_mechanism, ct.user," \
	" CASE WHEN f.protocol = 'http' THEN (SELECT d.ival FROM cleartext_details d" \
	"  WHERE d.flow_id = f.flow_id AND d.key = 'redirect_to_https' ORDER BY d.seq LIMIT 1) END," \
	" CASE WHEN f.protocol = 'http' THEN (SELECT d.sval FROM cleartext_details d" \
	"  WHERE d.flow_id = f.flow_id AND d.key = 'host' ORDER BY d.seq LIMIT 1) END," \
	RET_SSH("client_protocol") "," RET_SSH("server_protocol") "," RET_SSH("kex") "," \
	RET_SSH("host_key") "," RET_SSH("cipher_c2s") "," RET_SSH("cipher_s2c") "," RET_SSH("mac_c2s") "," \
	RET_SSH("mac_s2c") "," RET_SSH("server_kex_algorithms") "," RET_SSH("server_host_key_algorithms") "," \
	RET_SSH("server_ciphers_c2s") "," RET_SSH("server_ciphers_s2c") "," RET_SSH("server_macs_c2s") "," \
	RET_SSH("server_macs_s2c") "," RET_SSH("strict_kex_client") "," RET_SSH("strict_kex_server") "," \
	RET_SSH("hassh_server") "," RET_SNMP("snmp_version") "," RET_SNMP("snmp_security_level") "," \
	RET_VNC("vnc_security_type") "," RET_VNC("vnc_vencrypt_subtype") "," \
	RET_RDP("rdp_selected_protocol") "," RET_RDP("rdp_negotiation") "," RET_RDP("rdp_encryption_method") "," \
	RET_RDP("rdp_neg_failure")

/* Each ended flow of a day and its group's representative (the smallest
 * flow_id of the flows that agree on RET_KEY), weighed by what it already
 * stands for. */
static const char ret_group_sql[] =
	"INSERT INTO ret_m SELECT f.flow_id, min(f.flow_id) OVER (PARTITION BY " RET_KEY "),"
	" COALESCE(r.flows, 1) FROM flows f LEFT JOIN tls t ON t.flow_id = f.flow_id"
	" LEFT JOIN cleartext ct ON ct.flow_id = f.flow_id"
	" LEFT JOIN rollups r ON r.flow_id = f.flow_id"
	" WHERE f.ts_first >= CAST(?1 AS INTEGER) AND f.ts_first < CAST(?2 AS INTEGER)"
	" AND f.end_reason IS NOT 'open'";

static const char *const ret_children[] = {
	"tls", "cleartext", "cleartext_details", "quic", "tds_tls", "anomalies", "rollups", "flows", NULL,
};

/* A statement of a write transaction (the write lock taken, waiting for
 * the capture's writer to commit its batch); STORE_BUSY: try later. */
static int ret_exec(struct retention *r, const char *sql, const char *const *p, int np)
{
	int rc;
	if (!r->in_tx) {
		atomic_store(&r->want_lock, 1);  /* the writer lets us in (retention_note) */
		rc = store_begin(r->s);
		atomic_store(&r->want_lock, 0);
		if (rc != 0)
			return rc;
		r->in_tx = true;
	}
	rc = store_exec(r->s, sql, p, np, true);
	if (rc != 0)
		r->in_tx = false;    /* rolled back */
	return rc;
}

static int ret_commit(struct retention *r)
{
	r->in_tx = false;
	return store_commit(r->s);
}

/* A statement on TEMP tables only (reading the database): no lock the
 * capture's writer waits for, however long it takes. */
static int ret_tmp(struct retention *r, const char *sql, const char *const *p, int np)
{
	return store_exec(r->s, sql, p, np, false);
}

static void ret_drop_temps(struct retention *r)
{
	ret_tmp(r, "DROP TABLE IF EXISTS temp.ret_m", NULL, 0);
	ret_tmp(r, "DROP TABLE IF EXISTS temp.ret_g", NULL, 0);
	ret_tmp(r, "DROP TABLE IF EXISTS temp.ret_d", NULL, 0);
}

/* Group a day's ended flows (ret_m: each flow and its group's
 * representative; ret_g: per group the weight, times and counter sums). */
static int ret_roll_prepare(struct retention *r, int64_t day, const char *reason)
{
	char a[24], b[24];
	const char *p[2] = { a, b };
	fmt_i64(a, sizeof(a), day * RET_DAY_US);
	fmt_i64(b, sizeof(b), (day + 1) * RET_DAY_US);
	ret_drop_temps(r);
	if (ret_tmp(r, "CREATE TEMP TABLE ret_m (flow_id INTEGER PRIMARY KEY, rep INTEGER NOT NULL,"
		     " n INTEGER NOT NULL)", NULL, 0) != 0 ||
	    ret_tmp(r, ret_group_sql, p, 2) != 0 ||
	    ret_tmp(r, "CREATE INDEX temp.ret_m_rep ON ret_m (rep)", NULL, 0) != 0 ||
	    ret_tmp(r, "CREATE TEMP TABLE ret_g (rep INTEGER PRIMARY KEY, n INTEGER, nrows INTEGER,"
		     " tf INTEGER, tl INTEGER, p0 INTEGER, p1 INTEGER, b0 INTEGER, b1 INTEGER,"
		     " y0 INTEGER, y1 INTEGER)", NULL, 0) != 0 ||
	    ret_tmp(r, "INSERT INTO ret_g SELECT m.rep, sum(m.n), count(*), min(f.ts_first), max(f.ts_last),"
		     " sum(f.packets_c2s), sum(f.packets_s2c), sum(f.bytes_c2s), sum(f.bytes_s2c),"
		     " sum(f.payload_c2s), sum(f.payload_s2c)"
		     " FROM ret_m m JOIN flows f ON f.flow_id = m.flow_id GROUP BY m.rep", NULL, 0) != 0)
		return -1;
	r->phase = RP_ROLL;
	r->day = day;
	r->reason = reason;
	r->cursor = INT64_MIN;
	return 0;
}

/* One chunk of the day being rolled up; 1: more to do, 0: the day done. */
static int ret_roll_chunk(struct retention *r)
{
	char c[24], h[24], d[24], sql[512], lim[16];
	const char *p[4] = { c, h, d, lim };
	int64_t hi;
	int i, rc;

	fmt_i64(c, sizeof(c), r->cursor);
	fmt_i64(lim, sizeof(lim), RET_CHUNK);
	p[1] = lim;
	if (store_scalar(r->s, "SELECT max(rep) FROM (SELECT rep FROM ret_g WHERE rep > CAST(?1 AS INTEGER)"
			 " ORDER BY rep LIMIT CAST(?2 AS INTEGER))", p, 2, &hi) != 0)
		return -1;
	p[1] = h;
	if (hi == INT64_MIN) {
		/* the day is done: say what it became */
		char now[TSSTR_MAX];
		int64_t flows = 0, before = 0, after = 0;
		const char *lp[6];
		char fl[24], bf[24], af[24];
		if (store_scalar(r->s, "SELECT sum(n) FROM ret_g", NULL, 0, &flows) != 0 ||
		    store_scalar(r->s, "SELECT count(*) FROM ret_m", NULL, 0, &before) != 0 ||
		    store_scalar(r->s, "SELECT count(*) FROM ret_g", NULL, 0, &after) != 0)
			return -1;
		if (flows == INT64_MIN)
			flows = 0;
		ts_to_rfc3339(now_us(), now, sizeof(now));
		fmt_i64(d, sizeof(d), r->day);
		fmt_i64(fl, sizeof(fl), flows);
		fmt_i64(bf, sizeof(bf), before);
		fmt_i64(af, sizeof(af), after);
		lp[0] = now; lp[1] = d; lp[2] = fl; lp[3] = bf; lp[4] = af; lp[5] = r->reason;
		if ((rc = ret_exec(r, "INSERT INTO retention_log (at, action, day, flows, rows_before, rows_after,"
				   " reason) VALUES (?1, 'rollup', CAST(?2 AS INTEGER), CAST(?3 AS INTEGER),"
				   " CAST(?4 AS INTEGER), CAST(?5 AS INTEGER), ?6)", lp, 6)) != 0)
			return rc;
		if (ret_commit(r) != 0)
			return -1;
		ret_drop_temps(r);
		store_reclaim(r->s);
		r->st.days_rolled++;
		r->st.flows_rolled += flows;
		r->st.rows_before += before;
		r->st.rows_after += after;
		r->phase = RP_IDLE;
		if (!r->quiet) {
			char ds[16];
			day_str(r->day, ds, sizeof(ds));
			fprintf(stderr, "wireaudit: retention: %s rolled up (%s): %" PRId64 " flows in %" PRId64
				" rows, now %" PRId64 " rows\n", ds, r->reason, flows, before, after);
		}
		return 0;
	}
	fmt_i64(h, sizeof(h), hi);
	fmt_i64(d, sizeof(d), r->day);
	if ((rc = ret_exec(r, "UPDATE flows SET ts_first = g.tf, ts_last = g.tl, packets_c2s = g.p0, packets_s2c = g.p1,"
		     " bytes_c2s = g.b0, bytes_s2c = g.b1, payload_c2s = g.y0, payload_s2c = g.y1"
		     " FROM ret_g g WHERE g.rep > CAST(?1 AS INTEGER) AND g.rep <= CAST(?2 AS INTEGER)"
		     " AND flows.flow_id = g.rep AND g.nrows > 1", p, 2)) != 0)
		return rc;
	for (i = 0; ret_children[i]; i++) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE flow_id IN (SELECT flow_id FROM ret_m"
			 " WHERE rep > CAST(?1 AS INTEGER) AND rep <= CAST(?2 AS INTEGER) AND flow_id <> rep)",
			 ret_children[i]);
		if ((rc = ret_exec(r, sql, p, 2)) != 0)
			return rc;
	}
	/* the kept row keeps what the report reads (HTTP's redirect and host;
	 * the SSH details of RET_SSH, which src/report/ssh_rules.c judges; the
	 * SNMP details of RET_SNMP; the VNC ones of RET_VNC; the RDP ones of
	 * RET_RDP):
	 * the other cleartext details (banners, user agents, ...) and the
	 * anomalies were one flow's, not the group's */
	if ((rc = ret_exec(r, "DELETE FROM cleartext_details WHERE flow_id IN (SELECT rep FROM ret_g"
			   " WHERE rep > CAST(?1 AS INTEGER) AND rep <= CAST(?2 AS INTEGER))"
			   " AND key NOT IN ('redirect_to_https', 'host', 'client_protocol', 'server_protocol',"
			   " 'kex', 'host_key', 'cipher_c2s', 'cipher_s2c', 'mac_c2s', 'mac_s2c',"
			   " 'server_kex_algorithms', 'server_host_key_algorithms', 'server_ciphers_c2s',"
			   " 'server_ciphers_s2c', 'server_macs_c2s', 'server_macs_s2c', 'strict_kex_client',"
			   " 'strict_kex_server', 'hassh_server', 'snmp_version', 'snmp_security_level',"
			   " 'vnc_security_type', 'vnc_vencrypt_subtype',"
			   " 'rdp_selected_protocol', 'rdp_negotiation', 'rdp_encryption_method', 'rdp_neg_failure')",
			   p, 2)) != 0 ||
	    (rc = ret_exec(r, "DELETE FROM anomalies WHERE flow_id IN (SELECT rep FROM ret_g"
			   " WHERE rep > CAST(?1 AS INTEGER) AND rep <= CAST(?2 AS INTEGER))", p, 2)) != 0)
		return rc;
	if ((rc = ret_exec(r, "INSERT OR REPLACE INTO rollups (flow_id, flows, day) SELECT rep, n,"
			   " CAST(?3 AS INTEGER) FROM ret_g WHERE rep > CAST(?1 AS INTEGER)"
			   " AND rep <= CAST(?2 AS INTEGER)", p, 3)) != 0)
		return rc;
	if (ret_commit(r) != 0)
		return -1;
	r->cursor = hi;
	return 1;
}

/* One chunk of a roll-up day being removed; 1: more, 0: the day done. */
static int ret_drop_chunk(struct retention *r)
{
	char d[24], sql[256], now[TSSTR_MAX], fl[24], rw[24], lim[16];
	const char *p[2] = { d, lim };
	int64_t n = 0, flows = 0;
	int i, rc;

	fmt_i64(d, sizeof(d), r->day);
	fmt_i64(lim, sizeof(lim), RET_CHUNK);
	if (ret_tmp(r, "DROP TABLE IF EXISTS temp.ret_d", NULL, 0) != 0 ||
	    ret_tmp(r, "CREATE TEMP TABLE ret_d AS SELECT flow_id, flows FROM rollups"
		     " WHERE day = CAST(?1 AS INTEGER) LIMIT CAST(?2 AS INTEGER)", p, 2) != 0 ||
	    store_scalar(r->s, "SELECT count(*) FROM ret_d", NULL, 0, &n) != 0 ||
	    store_scalar(r->s, "SELECT COALESCE(sum(flows), 0) FROM ret_d", NULL, 0, &flows) != 0)
		return -1;
	for (i = 0; n > 0 && ret_children[i]; i++) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE flow_id IN (SELECT flow_id FROM ret_d)",
			 ret_children[i]);
		if ((rc = ret_exec(r, sql, NULL, 0)) != 0)
			return rc;
	}
	if (n > 0) {
		if (ret_commit(r) != 0)
			return -1;
		r->acc_flows += flows;
		r->acc_rows += n;
		return 1;
	}
	{
		const char *lp[5] = { now, d, fl, rw, r->reason };
		ts_to_rfc3339(now_us(), now, sizeof(now));
		fmt_i64(fl, sizeof(fl), r->acc_flows);
		fmt_i64(rw, sizeof(rw), r->acc_rows);
		if ((rc = ret_exec(r, "INSERT INTO retention_log (at, action, day, flows, rows_before, rows_after,"
				   " reason) VALUES (?1, 'drop', CAST(?2 AS INTEGER), CAST(?3 AS INTEGER),"
				   " CAST(?4 AS INTEGER), 0, ?5)", lp, 5)) != 0)
			return rc;
		if (ret_commit(r) != 0)
			return -1;
	}
	store_reclaim(r->s);
	if (strcmp(r->reason, "max-db-size") == 0)
		r->st.days_dropped_size++;
	else
		r->st.days_dropped++;
	r->st.flows_dropped += r->acc_flows;
	/* a day removed for the size cap is said even with -q: a cap that
	 * bites is never silent */
	if (!r->quiet || strcmp(r->reason, "max-db-size") == 0) {
		char ds[16];
		day_str(r->day, ds, sizeof(ds));
		fprintf(stderr, "wireaudit: retention: %s removed (%s): %" PRId64 " rows standing for %" PRId64
			" flows\n", ds, r->reason, r->acc_rows, r->acc_flows);
	}
	r->phase = RP_IDLE;
	return 0;
}

/* The oldest day before `before` with ended flows not rolled up, or
 * INT64_MIN. Scans from hint_day (rescanned from the start once per new
 * packet day: a flow ending late lands in a day already rolled up). */
static int ret_oldest_raw(struct retention *r, int64_t before, int64_t *day)
{
	char a[24], b[24];
	const char *p[2] = { a, b };
	int64_t ts;
	*day = INT64_MIN;
	fmt_i64(a, sizeof(a), r->hint_day == INT64_MIN ? INT64_MIN : r->hint_day * RET_DAY_US);
	fmt_i64(b, sizeof(b), before * RET_DAY_US);
	if (store_scalar(r->s, "SELECT min(f.ts_first) FROM flows f WHERE f.ts_first >= CAST(?1 AS INTEGER)"
			 " AND f.ts_first < CAST(?2 AS INTEGER) AND f.end_reason IS NOT 'open'"
			 " AND NOT EXISTS (SELECT 1 FROM rollups r WHERE r.flow_id = f.flow_id)", p, 2, &ts) != 0)
		return -1;
	if (ts != INT64_MIN)
		*day = day_of(ts);
	r->hint_day = *day != INT64_MIN ? *day : before;
	return 0;
}

/* The statistics series (one row per interface and checkpoint, every 2 s
 * by default) thinned: past --retain-flows to the last row of each hour,
 * past --retain-rollups to the last row of each day, and a run's final
 * rows kept. Its counters are cumulative within a run, so what a report
 * computes between two kept rows (the drops of a blind period) is exact,
 * only coarser in time. Wall-clock time, as the rows'. 1: rows removed
 * (more may be due), 0: none, <0 as ret_exec. */
static int ret_thin_stats(struct retention *r, int64_t age, int64_t bucket, int64_t *wm)
{
	char c[24], b[24], w[24], lim[16];
	const char *p[4] = { c, b, w, lim };
	int64_t cut = now_us() - age, n = 0;
	int rc;
	if (age <= 0 || cut <= *wm)
		return 0;
	fmt_i64(c, sizeof(c), cut);
	fmt_i64(b, sizeof(b), bucket);
	fmt_i64(w, sizeof(w), *wm);
	fmt_i64(lim, sizeof(lim), RET_CHUNK);
	if ((rc = ret_exec(r, "DELETE FROM stats WHERE rowid IN (SELECT s.rowid FROM stats s"
			   " WHERE s.ts < CAST(?1 AS INTEGER) AND s.ts >= CAST(?3 AS INTEGER) AND s.final = 0"
			   " AND EXISTS (SELECT 1 FROM stats t WHERE t.run_id = s.run_id AND t.interface IS s.interface"
			   " AND t.ts > s.ts AND t.ts < (s.ts / CAST(?2 AS INTEGER) + 1) * CAST(?2 AS INTEGER))"
			   " LIMIT CAST(?4 AS INTEGER))", p, 4)) != 0)
		return rc;
	if (store_scalar(r->s, "SELECT changes()", NULL, 0, &n) != 0 || ret_commit(r) != 0)
		return -1;
	if (n == 0) {
		/* rows before the bucket that holds cut are done */
		*wm = cut / bucket * bucket;
		return 0;
	}
	r->st.stats_thinned += n;
	return 1;
}

static int ret_oldest_rollup(struct retention *r, int64_t before, int64_t *day)
{
	char b[24];
	const char *p[1] = { b };
	fmt_i64(b, sizeof(b), before);
	return store_scalar(r->s, "SELECT min(day) FROM rollups WHERE day < CAST(?1 AS INTEGER)", p, 1, day);
}

static void ret_start_drop(struct retention *r, int64_t day, const char *reason)
{
	r->phase = RP_DROP;
	r->day = day;
	r->reason = reason;
	r->acc_flows = r->acc_rows = 0;
}

/* One step: 1 if work was done (more may be due), 0 if none is, -1. */
static int ret_step(struct retention *r, int64_t now)
{
	int64_t today = day_of(now), day, used;

	int rc;
	if (r->phase == RP_ROLL || r->phase == RP_DROP) {
		rc = r->phase == RP_ROLL ? ret_roll_chunk(r) : ret_drop_chunk(r);
		if (rc == STORE_BUSY) {
			r->st.busy++;
			return 0;     /* the writer held the lock too long: later */
		}
		return rc < 0 ? -1 : 1;
	}
	{
		/* flows just written that began before where the look starts */
		int64_t old = atomic_exchange(&r->oldest, INT64_MAX);
		if (old != INT64_MAX && r->hint_day != INT64_MIN && day_of(old) < r->hint_day)
			r->hint_day = day_of(old);
	}
	if (today != r->scan_day || now_us() - r->scan_at >= RET_RESCAN_US) {
		/* a flow that ended late lands in a day already rolled up:
		 * look again from the oldest day now and then */
		r->scan_day = today;
		r->scan_at = now_us();
		r->hint_day = INT64_MIN;
	}
	if (r->p.flows_us > 0) {
		if (ret_oldest_raw(r, day_of(now - r->p.flows_us), &day) != 0)
			return -1;
		if (day != INT64_MIN)
			return ret_roll_prepare(r, day, "retain-flows") < 0 ? -1 : 1;
	}
	if (r->p.rollups_us > 0) {
		if (ret_oldest_rollup(r, day_of(now - r->p.rollups_us), &day) != 0)
			return -1;
		if (day != INT64_MIN) {
			ret_start_drop(r, day, "retain-rollups");
			return 1;
		}
	}
	if ((rc = ret_thin_stats(r, r->p.flows_us, 3600LL * 1000000LL, &r->wm_hour)) != 0 ||
	    (rc = ret_thin_stats(r, r->p.rollups_us, RET_DAY_US, &r->wm_day)) != 0)
		return rc == STORE_BUSY ? 0 : rc;
	if (r->p.max_bytes > 0 && (used = store_used_bytes(r->s)) > r->p.max_bytes) {
		/* the oldest complete day first: rolled up, then removed */
		int64_t save = r->hint_day;
		r->hint_day = INT64_MIN;
		if (ret_oldest_raw(r, today, &day) != 0)
			return -1;
		r->hint_day = save;
		if (day != INT64_MIN)
			return ret_roll_prepare(r, day, "max-db-size") < 0 ? -1 : 1;
		if (ret_oldest_rollup(r, today, &day) != 0)
			return -1;
		if (day != INT64_MIN) {
			ret_start_drop(r, day, "max-db-size");
			return 1;
		}
		if (!r->size_warned) {
			fprintf(stderr, "wireaudit: retention: the database holds %" PRId64 " bytes, over --max-db-size"
				" %" PRId64 ", and only today's flows are left to remove: the cap is too small for"
				" one day of this traffic (docs/APPLIANCE.md, sizing)\n", used, r->p.max_bytes);
			r->size_warned = true;
		}
	}
	return 0;
}

static int ret_work(struct retention *r, int64_t now)
{
	int64_t t0 = now_us(), t;
	int rc;
	do {
		int64_t s0 = now_us();
		rc = ret_step(r, now);
		t = now_us();
		if (rc > 0) {
			r->st.steps++;
			if (t - s0 > r->st.longest_step_us)
				r->st.longest_step_us = t - s0;
		}
	} while (rc > 0 && !atomic_load(&r->stop));
	r->st.busy_us += t - t0;
	if (rc < 0 && !r->failed_said) {
		fprintf(stderr, "wireaudit: retention stopped: the database cannot be written (%s); the capture"
			" goes on without it\n", store_failed(r->s) ? store_failed(r->s) : "error");
		r->failed_said = true;
	}
	return rc < 0 ? -1 : 0;
}

static int64_t ret_now(struct retention *r)
{
	int64_t now = atomic_load(&r->note);
	return now < r->store_now ? r->store_now : now;
}

static void *ret_thread(void *arg)
{
	struct retention *r = arg;
	pthread_mutex_lock(&r->mu);
	while (!atomic_load(&r->stop)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += RET_EVERY_US / 1000000;
		ts.tv_nsec += (RET_EVERY_US % 1000000) * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&r->cv, &r->mu, &ts);
		if (atomic_load(&r->stop) || r->failed_said)
			continue;
		pthread_mutex_unlock(&r->mu);
		if (ret_now(r) > 0)
			ret_work(r, ret_now(r));
		pthread_mutex_lock(&r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

void retention_note(struct retention *r, int64_t now, int64_t oldest)
{
	int64_t cur = atomic_load(&r->note);
	int64_t t0;
	while (now > cur && !atomic_compare_exchange_weak(&r->note, &cur, now))
		;
	cur = atomic_load(&r->oldest);
	while (oldest < cur && !atomic_compare_exchange_weak(&r->oldest, &cur, oldest))
		;
	/* the retention thread waits for the write lock: let it in before
	 * the writer's next batch takes it again (a busy writer would starve
	 * it); it holds the lock for one chunk */
	if (!atomic_load(&r->want_lock))
		return;
	t0 = now_us();
	while (atomic_load(&r->want_lock) && now_us() - t0 < RET_YIELD_US) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
}

struct retention *retention_start(const char *path, const struct retention_policy *p, bool quiet,
				  bool thread, char *err, size_t errlen)
{
	struct retention *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (store_open(&r->s, path, false, err, errlen) != 0) {
		free(r);
		return NULL;
	}
	store_set_soft_busy(r->s);
	r->p = *p;
	r->quiet = quiet;
	r->hint_day = INT64_MIN;
	r->scan_day = INT64_MIN;
	/* "now" is the newest packet time the store has seen: a run that
	 * reads an old capture into an appliance's store is judged by the
	 * store's present, not by its own packets' */
	if (store_scalar(r->s, "SELECT max(ts_first) FROM flows", NULL, 0, &r->store_now) != 0 ||
	    r->store_now == INT64_MIN)
		r->store_now = 0;
	atomic_store(&r->oldest, INT64_MAX);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	if (thread) {
		if (pthread_create(&r->th, NULL, ret_thread, r) != 0) {
			snprintf(err, errlen, "cannot start the retention thread");
			store_close(r->s);
			free(r);
			return NULL;
		}
		r->threaded = true;
	}
	return r;
}

int retention_finish(struct retention *r)
{
	int rc;
	if (r->threaded) {
		pthread_mutex_lock(&r->mu);
		atomic_store(&r->stop, 1);
		pthread_cond_signal(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->th, NULL);
		r->threaded = false;
		atomic_store(&r->stop, 0);
	}
	if (r->failed_said)
		return -1;
	if (ret_now(r) <= 0)
		return 0;
	r->hint_day = INT64_MIN;   /* every day, late flows too */
	r->scan_at = now_us();
	rc = ret_work(r, ret_now(r));
	return rc;
}

void retention_free(struct retention *r)
{
	if (r == NULL)
		return;
	if (r->threaded)
		retention_finish(r);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	store_close(r->s);
	free(r);
}
