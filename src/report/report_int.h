/* SPDX-License-Identifier: BSD-3-Clause */
/* report_int.h — the report pass's internal model, shared by the files of
 * src/report/ (docs/ARCHITECTURE.md): report.c (driver), options.c, base.c
 * (shared pieces), netctx.c, load.c, findings.c, waivers.c, rules.c (the
 * judging: rule table, classification data, statuses) and out_*.c (the
 * formats). Not a public interface. */
#ifndef WA_REPORT_INT_H
#define WA_REPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "exitcodes.h"
#include "report.h"
#include "store.h"
#include "util.h"

#define RP_SAMPLES 5          /* sample flow ids per finding */
#define RP_EVIDENCE_MAX 16    /* evidence values kept per finding (top by flows) */
#define RP_ROLLUP_TOP 3       /* servers named per rollup line */
#define RP_MAX_NETS 256       /* internal networks (defaults + options + config) */
#define RP_LABEL_MAX 64

/* ---- network context ---- */

struct rp_net {
	uint8_t addr[16];
	int family;               /* 4 or 6 */
	int prefix;
	char cidr[64];
	char env[RP_LABEL_MAX];   /* "" unless labelled */
	char owner[RP_LABEL_MAX];
};

struct rp_geo {
	char country[8];          /* ISO 3166-1 alpha-2 or "" */
	int64_t asn;              /* 0 unknown */
	char as_org[128];
};

/* ---- findings ---- */

struct rp_client {
	char ip[IPSTR_MAX];
	int64_t flows;
	struct rp_geo geo;
	bool external;
};

struct rp_finding {
	const struct rp_kind *k;
	char server_ip[IPSTR_MAX];
	int server_port;
	char *protocol;           /* from the wire (dissector name); may be NULL */
	int64_t flows, first_seen, last_seen, nclients;
	struct rp_client *top;    /* top clients by flow count */
	int ntop;
	char **sni;               /* distinct SNI names (top by flows) */
	int nsni;
	int64_t samples[RP_SAMPLES];
	int nsamples;
	char *evidence;           /* JSON object text (kind-specific) */
	char *evidence_text;      /* one line for text/md/csv (escaped on output) */
	/* server context */
	bool server_internal;
	const char *env, *owner;  /* labels of the server's network ("" none) */
	struct rp_geo geo;        /* external servers when enrichment is on */
	/* periodic */
	char *key;                /* requirement|kind|server|port|protocol */
	const char *baseline;     /* "new", "open", or NULL without --baseline */
	bool waived, waiver_expired;
	/* the matching waiver's fields ("" when none; owned by the waiver list) */
	const char *waiver_reason, *waiver_owner, *waiver_expires;
	bool failing;             /* counts toward the requirement's fail */
};

/* What a rollup groups a requirement's findings by (one cause shared by
 * many servers), per finding kind: see rp_cause_sql in rules.c. */
enum rp_cause { RP_CAUSE_CONFIG, RP_CAUSE_CERT, RP_CAUSE_CLIENT, RP_CAUSE_SERVICE, RP_CAUSE_SSH,
		 RP_CAUSE_N /* how many: sizes the scan's table of cause expressions */ };

struct rp_rollup_srv {
	char ip[IPSTR_MAX];
	int port;
	char *protocol;
	int64_t flows;
};

/* One line of "findings by cause": every flow of the window that hits
 * kind k with the same cause value, whatever its server. */
struct rp_rollup {
	const struct rp_kind *k;
	char *cause;              /* the value (certificate SHA-256, JA4, configuration, protocol state) */
	char *label;              /* what it is, for people ("CN=..., self-signed") or NULL */
	int64_t flows, servers, clients;
	struct rp_rollup_srv top[RP_ROLLUP_TOP];
	int ntop;
};

/* One rule: flows matching `where` (SQL over the temporary table rf, see
 * report.c) become findings of this kind, grouped by server endpoint and
 * protocol. Defined as data in rules.c. */
struct rp_kind {
	const char *req;          /* "12.1.1" */
	const char *kind;         /* stable identifier */
	const char *severity;     /* "high", "medium", "low", "info" */
	int min_level;            /* fails from this level on (info kinds: never) */
	bool violation;           /* false: reported, never fails */
	const char *where;        /* SQL predicate over rf */
	const char *evidence;     /* SQL expression over rf: the evidence value */
	const char *evidence_name;/* key of the evidence histogram */
	const char *summary;      /* what the finding means, one line */
	enum rp_cause cause;      /* what its findings roll up by */
	const char *remediation;  /* what to change on the server or client, one or two sentences */
	const char *reference;    /* an https URL of the guidance (Mozilla, OWASP, an RFC, vendor docs) */
};

struct rp_req {
	const char *id;
	int level;
	const char *section;      /* "V12.1" ... */
	const char *title;        /* verbatim requirement text */
	const char *relevant;     /* SQL predicate over rf: relevant traffic */
	const char *observable;   /* SQL predicate over rf: deciding facts visible */
	const char *not_observable_why;
	const char *short_title;  /* a few words, for the text report and headings */
	bool guidance;            /* the V12.1 introduction's advice: shown apart,
				   * never counted in the summary nor the result */
	/* filled in by the run */
	int64_t n_relevant, n_observable;
	const char *status;       /* "fail", "pass", "not_observed", "not_observable" */
	char reason[320];
	struct rp_finding **findings;   /* every finding (none is dropped) */
	int nfindings;
	int nfailing;             /* findings that count toward fail */
	int64_t nservers;         /* distinct server endpoints among the findings */
	/* flows that hit a failing rule (before waivers), and their distinct
	 * server endpoints and client addresses: counted over every flow */
	int64_t v_flows, v_servers, v_clients;
	struct rp_rollup *rollups;      /* sorted: severity, servers, clients, flows */
	int nrollups;
	/* text/HTML/Markdown list the first nlisted findings (--list); the
	 * rest are summed: how many, over how many servers and flows */
	int nlisted;
	int64_t rest_servers, rest_flows;
	char **resolved;          /* baseline keys no longer seen */
	int nresolved;
};

/* --sensor: a row's run is one of the sensors' (rp_sel), or no --sensor
 * was given (rp_win.sel 0); load.c creates both before any pass */
#define RP_IN_SEL(f) "((SELECT sel FROM rp_win) = 0 OR " f ".run_id IN (SELECT run_id FROM rp_sel))"
/* a flow (alias f) of the window: overlaps --since/--until, of a --sensor */
#define RP_IN_WINDOW(f) "((SELECT since FROM rp_win) < 0 OR " f ".ts_last >= (SELECT since FROM rp_win))" \
	" AND ((SELECT until FROM rp_win) < 0 OR " f ".ts_first < (SELECT until FROM rp_win))" \
	" AND " RP_IN_SEL(f)

struct rp_run_info {
	int64_t run_id;
	char *source, *mode, *status, *started_at;
	char *sensor;                       /* runs.sensor (schema 8), NULL before */
	int64_t ts_first, ts_last;          /* its packets' times, µs; 0 none */
	int64_t packets, drops, if_drops;   /* -1 unknown */
	int64_t spool_dropped;              /* flows a fleet sensor's full spool dropped
					     * (runs.stats spool.flows_dropped); -1: no spool */
};

/* A period the sensor was blind (issue 14): drops the statistics series
 * (docs/SCHEMA.md "stats") counted between two of its rows, for one run's
 * interface; consecutive intervals with drops merged into one period. */
struct rp_blind {
	int64_t run_id;
	char *iface;              /* NULL: the run's (files) */
	int64_t from, to;         /* wall clock µs: the previous row (or the
				   * run's start) and the row that counted them */
	int64_t drops;            /* kernel + interface drops in it */
	int64_t received;         /* packets that reached the sockets in it */
};

struct rp_count {
	char *name;
	int64_t n;
};

struct rp_zmemo;

/* A day of the window that retention rolled up or removed (retention_log). */
struct rp_rolled_day {
	int64_t day;              /* days since 1970-01-01 (UTC) */
	bool removed;             /* no flow of the day is kept (else: rolled up) */
	int64_t flows;            /* flows the log says the day held (removed: that stood for) */
	char reason[16];          /* retain-flows, retain-rollups, max-db-size */
};

/* Post-quantum readiness (pq.c, docs/REPORT.md): TLS and QUIC handshakes
 * of the window whose ClientHello was seen, weighted by the flows a
 * roll-up row stands for. */
struct rp_pq_counts {
	int64_t hs;               /* handshakes (a ClientHello seen) */
	int64_t offered;          /* a post-quantum group in supported_groups */
	int64_t ks;               /* a key share sent for one */
	int64_t answered;         /* a ServerHello seen */
	int64_t offered_answered; /* both: the server could have chosen PQ */
	int64_t selected;         /* the server's key exchange group is PQ */
	int64_t hrr;              /* a HelloRetryRequest asked for a PQ group */
	int64_t bytes, pq_bytes;  /* bytes of the flows, of those with PQ selected */
};

struct rp_pq_server {
	char *ip, *sni;           /* sni: the smallest name seen, NULL if none */
	int port;
	int64_t nsni;             /* distinct SNI names */
	struct rp_pq_counts c;
};

struct rp_pq_day {
	int64_t day;              /* days since 1970-01-01 (UTC), by first packet */
	struct rp_pq_counts c;
};

struct rp_pq {
	struct rp_pq_counts all;
	struct rp_pq_server *srv; /* every server with a handshake: offered first */
	int nsrv;
	int nsrv_select;          /* servers that selected PQ at least once */
	int nsrv_never;           /* offered PQ, answered, never selected it */
	struct rp_pq_day *days;
	int ndays;
	struct rp_count *groups;  /* the PQ groups selected, with their handshakes */
	int ngroups;
};

/* ---- compliance profiles (profile.c, docs/PROFILES.md) ---- */

struct rp_check;

/* A violating server endpoint of a profile rule: its flows and the
 * distinct evidence values ("TLSv1.0=3, TLSv1.1=1"). */
struct rp_pviol {
	char ip[IPSTR_MAX];
	int port;
	char *protocol;
	int64_t flows;
	char *evidence;
};

struct rp_prule {
	char *id, *clause, *title, *args;   /* args: the check's arguments as written */
	const struct rp_check *ck;
	int scope;                /* 0 all, 1 external, 2 internal */
	int64_t *ivals;           /* the check's numeric arguments (versions: ranks, suites: ids) */
	int nivals;
	char **svals;             /* its names (groups, hashes, the ASVS requirement) */
	int nsvals;
	int line;
	/* filled in by the run */
	int sqlno;                /* its number in rp_pfset */
	int64_t n_relevant, n_observable, n_violating;
	const char *status;
	char reason[320];
	struct rp_pviol *viol;    /* every violating server, most flows first */
	int nviol;
};

struct rp_profile {
	char *name, *title, *version, *source;
	char **notes;
	int nnotes;
	char *family;             /* class family ("mozilla") or NULL */
	int rank;                 /* its class rank in the family (1 strictest) */
	bool inventory;           /* adds the certificate inventory */
	bool shown;               /* selected with --profile (else only placed servers) */
	struct rp_prule *rules;
	int nrules;
	int nfail, npass, nnotobs, nnotseen;
	const char *status;       /* fail, pass, not_observable, not_observed */
};

/* A server placed in a class family (Mozilla): the strictest class whose
 * rules none of its observed handshakes violates, or none. */
struct rp_pclass {
	char ip[IPSTR_MAX];
	int port;
	char *protocol;
	int64_t flows;
	const struct rp_profile *cls;   /* NULL: no class of the family fits */
	char *why;                /* the first violated rule of the loosest class, or NULL */
};

/* A leaf certificate of the window (the certificate inventory): a
 * server's, or a client's (mutual TLS). */
struct rp_invcert {
	bool client;              /* presented by a client (its first_server: the client's address) */
	char *sha256, *subject, *issuer, *key, *sig_hash, *first_server;
	int64_t not_before, not_after;   /* seconds */
	int self_signed;          /* -1 unknown */
	int trusted;              /* 1, 0 some connection did not validate, -1 unknown */
	int64_t servers, flows, first_seen, last_seen;
};

/* The matrix's rows: what a rule is about. */
#define RP_NTOPICS 9
extern const char *const rp_topics[RP_NTOPICS];

struct rp_report {
	char *cfg_geoip, *cfg_asn;       /* --config's geoip/asn paths (o->geoip, o->asn point here) */
	const struct report_opts *o;
	struct store *st;
	struct rp_zmemo *zmemo;   /* zone lookups memoised (netctx.c) */
	int64_t trust_chains, trust_flows; /* judged again at report time (trust.c) */
	int64_t phase_us;         /* WIREAUDIT_TIMING: start of the current phase */
	long phase_clock;
	int64_t generated_at;
	/* network context */
	struct rp_net nets[RP_MAX_NETS];
	int nnets;
	bool internal_default;    /* the built-in list is in use */
	void *geo_db, *asn_db;    /* MMDB_s * or NULL */
	/* coverage */
	int64_t win_first, win_last;     /* observed, microseconds; 0 if no flows */
	int64_t flows, flows_tcp, flows_handshake, flows_midstream, flows_udp;
	int64_t flows_icmp;      /* ICMP and ICMPv6: counted, never judged, no security state */
	int64_t rolled_flows, rolled_rows; /* flows of the window read from daily roll-ups, in rows */
	struct rp_rolled_day *rolled_days; /* the window's days rolled up or removed (retention_log) */
	int nrolled_days;
	int64_t tls_flows, tls13_flows, tls_certs_seen, unknown_security;
	int64_t tls13_decrypted;    /* TLS 1.3 handshakes opened with a key log */
	int64_t packets, drops, if_drops;
	bool drops_known;
	struct rp_run_info *runs;
	int nruns;
	/* drops inside the window, from the statistics series: the periods
	 * with drops (all of them), the drops and received packets of every
	 * interval that overlaps the window (counted whole) */
	struct rp_blind *blind;
	int nblind, blind_cap;
	int64_t win_drops, win_received;
	bool series_known;        /* a live run's rows overlap the window */
	/* flows of the window per interface (name NULL: read from files) */
	struct rp_count *ifaces;
	int nifaces;
	struct rp_count *versions, *classes, *clear_protos, *security;
	int nversions, nclasses, nclear_protos, nsecurity;
	struct rp_pq pq;          /* post-quantum readiness (pq.c) */
	/* verdicts */
	struct rp_req *reqs;
	int nreqs;
	bool any_fail;            /* a V12 requirement fails at the level */
	bool asvs_on;             /* asvs5 chosen (the default): any_fail decides the exit status */
	bool prof_fail;           /* a chosen profile other than asvs5 fails: exit 6 as well */
	/* compliance profiles (profile.c): those of --profile in order, then
	 * the rest of a class family they need; nprof_shown are shown */
	struct rp_profile *prof;
	int nprof, nprof_shown;
	bool prof_extra;          /* a profile other than asvs5 was chosen: the sections print */
	struct rp_pclass *pclass;
	int npclass;
	const char *pfamily;      /* the class family placed, or NULL */
	struct rp_invcert *inv;
	int ninv;
	bool inv_on;
	char notes[8][256];       /* report-level notes (enrichment off, ...) */
	int nnotes;
};

/* ---- base.c: shared pieces ---- */
#define RP_FILE_MAX (64 << 20)  /* baseline / waiver / config file cap */
#define RP_WAIVERS_MAX 4096

/* Out of memory is fatal (exit 4 with a message), as in OpenSSH's xmalloc. */
void *rp_xcalloc(size_t n, size_t sz);
char *rp_xstrdup(const char *s);          /* NULL stays NULL */
int64_t rp_num(const char *s);
/* The whole file, NUL-terminated (at most RP_FILE_MAX); NULL after a message. */
char *rp_read_file(const char *path, size_t *len);
/* WIREAUDIT_TIMING: the time and resident memory of the phase just ended. */
int rp_phase(struct rp_report *rep, const char *name);
/* Queries with bound text parameters; WIREAUDIT_TIMING=2 times each. */
int rp_q(struct rp_report *rep, const char *sql, const char *const *p, int np,
	 int (*cb)(int, const char *const *, void *), void *arg);
int rp_q_exec(struct rp_report *rep, const char *sql);
int rp_cb_noop(int n, const char *const *v, void *a);
int rp_cb_int1(int n, const char *const *v, void *a);
/* Severities, lowest first; NULL terminated. */
extern const char *const rp_sev[];
const char *rp_sev_bump(const char *s);
int rp_sev_rank(const char *s);
/* Hash maps (64-bit key, never 0, to a 64-bit value) and interned strings
 * (id 0 is NULL): they grow; nothing is ever dropped. */
/* Open-addressing map, 64-bit key (never 0) to a 64-bit value. */
struct rp_ent {
	uint64_t key;
	int64_t val;
};

struct rp_map {
	struct rp_ent *e;       /* key and value side by side: one cache miss */
	size_t cap, n;
};

/* Interned strings: id 0 is SQL NULL. */
struct rp_strs {
	char **s;
	size_t n, cap;
	struct rp_map ix;    /* fnv(string) chained through probing: key hash, value id */
};

uint64_t rp_fnv(const char *s);
void rp_map_grow(struct rp_map *m);
int64_t *rp_map_at(struct rp_map *m, uint64_t key, bool *fresh);
const int64_t *rp_map_get(const struct rp_map *m, uint64_t key);
void rp_map_free(struct rp_map *m);
/* The id of s (added when add; UINT32_MAX when absent and !add). */
uint32_t rp_str_id(struct rp_strs *t, const char *s, bool add);
const char *rp_str(const struct rp_strs *t, uint32_t id);
void rp_strs_free(struct rp_strs *t);
/* "|ip||protocol|port": the key of a server endpoint. */
void rp_srv_key(char *key, size_t len, const char *ip, int port, const char *proto);
/* a, grown (doubling) to hold element n; fatal when out of memory. */
void *rp_grow(void *a, size_t *cap, size_t n, size_t sz);

/* ---- netctx.c ---- */
int rp_setup_nets(struct rp_report *rep, struct report_opts *o);
int rp_parse_config(struct rp_report *rep, struct report_opts *o, const char *path,
		    const char *buf, size_t len);
int rp_open_mmdb(const char *path, void **out);
/* Registers wa_zone(ip) and wa_envname(ip) on the store. */
int rp_net_register(struct rp_report *rep);

/* ---- load.c ---- */
int rp_build_rf(struct rp_report *rep);
int rp_coverage(struct rp_report *rep);
/* ---- pq.c: post-quantum readiness ---- */
int rp_pq_load(struct rp_report *rep);
void rp_pq_free(struct rp_pq *pq);
/* "12.5%" of part in whole, "-" when whole is 0 */
const char *rp_pq_pct(int64_t part, int64_t whole, char *buf, size_t n);
/* "2026-12-07" of a day since 1970-01-01 (UTC) */
const char *rp_pq_day(int64_t day, char *buf, size_t n);
/* the text and Markdown lists: at most this many days, the latest */
#define RP_PQ_DAYS_LIST 31
/* How many blind periods the text, HTML and Markdown outputs list (JSON
 * and CSV: all); the rest is counted in a line that says so. */
#define RP_BLIND_LIST 20
/* drops in percent of the packets that reached the sensor (received
 * counts the kernel's drops, docs/SCHEMA.md "stats"); 0 when none did */
double rp_blind_pct(int64_t drops, int64_t received);

/* ---- profile.c: compliance profiles ---- */
/* Loads the --profile names (built in, or a path with a '/') into rep;
 * 0, or -1 after a message on stderr (usage). */
int rp_profiles_load(struct rp_report *rep);
/* Judges the loaded profiles after the V12 requirements are judged;
 * 0 or -1 (store error). */
int rp_profiles_run(struct rp_report *rep);
void rp_profiles_free(struct rp_report *rep);
/* The matrix cell of profile p for topic t: "fail", "not_observable",
 * "pass", "not_observed", or NULL when p has no rule about t. */
const char *rp_profile_cell(const struct rp_profile *p, int t);
/* A rule's topic index, its check's name. */
int rp_prule_topic(const struct rp_prule *r);
const char *rp_prule_check(const struct rp_prule *r);
const char *rp_scope_name(int scope);
/* The names of the built-in profiles, NULL terminated. */
extern const char *const rp_builtin_profile_names[];
/* For fuzz/tests: parse a profile text; 0 ok, -1 rejected (message on stderr). */
int rp_profile_parse_buffer(const char *name, const char *text, size_t len);

/* ---- out_profiles.c: the profiles' sections in text, Markdown, HTML ---- */
struct rp_pstyle {
	void (*esc)(FILE *out, const char *s);     /* data: wire and profile-file strings */
	void (*status)(FILE *out, const char *st); /* a status, as the format shows one */
	const char *sec_open, *sec_close, *sub_open, *sub_close, *par_open, *par_close;
	const char *list_open, *list_close, *item_open, *item_close, *br;
	const char *tab_open, *tab_close, *row_open, *row_close, *cell_open, *cell_close;
	const char *hcell_open, *hcell_close;
	bool head_sep;            /* Markdown: the |---| line after the header row */
	bool pad;                 /* text: cells padded to columns */
	bool status_cell;         /* matrix cells through status() */
};
void rp_out_profiles(const struct rp_report *rep, FILE *out, const struct rp_pstyle *S);

/* ---- findings.c ---- */
struct rp_scan;
/* Scans rf into S: every finding of every requirement, the rollups and
 * the counts; details come later (rp_details), for what is listed. */
int rp_findings(struct rp_report *rep, struct rp_scan *S);
struct rp_scan *rp_scan_new(void);
/* The rollups' order (qsort): violations first, then severity, servers,
 * clients, flows, kind, cause. The executive summary ranks by it too. */
int rp_rollup_cmp(const void *a, const void *b);
void rp_details(struct rp_report *rep, struct rp_scan *S);
void rp_scan_free(struct rp_scan *S);

/* ---- waivers.c ---- */
struct rp_waiver {
	char *req, *kind, *server, *protocol, *reason, *owner;
	int port;               /* -1 any */
	char expires[11];
	int64_t expires_ts;     /* end of that day, UTC */
	int line;
};
int rp_load_waivers(struct rp_report *rep, const char *path, struct rp_waiver **out, int *nout);
void rp_free_waivers(struct rp_waiver *w, int n);
void rp_apply_waivers(struct rp_report *rep, struct rp_waiver *w, int nw);
int rp_apply_baseline(struct rp_report *rep, const char *path);

/* ---- rules.c ---- */
extern struct rp_req rp_reqs[];
extern const int rp_nreqs;
extern const struct rp_kind rp_kinds[];   /* {NULL} terminated */
extern const char rp_intro_title[];
/* The rules' SQL needs no function of its own any more: what it derives is
 * computed in C per distinct profile (rp_rules_profiles). Kept as the hook
 * for one; returns 0. */
int rp_rules_register(struct rp_report *rep);
/* Classifies the stored TLS profiles once each (temporary tables rp_cp,
 * rp_sp, rp_grp: rules.c). */
int rp_rules_profiles(struct rp_report *rep);
/* Classifies the window's SSH flows against ssh_algorithms.def into the
 * temporary table rp_ssh (ssh_rules.c; rp_win must exist). 0 or -1. */
int rp_ssh_build(struct rp_report *rep);
/* Server chains judged again against the report's anchors (trust.c): fills
 * rp_tvg / rp_tvf (empty without --ca-file/--system-ca). 0, -1 store
 * error, -2 a bad anchor path (said on stderr). */
int rp_trust_build(struct rp_report *rep);
/* Fills status and reason of r from its counts and findings. */
void rp_rules_judge(struct rp_req *r, int level);
/* The SQL expression over rf that gives a cause's value. */
const char *rp_cause_sql(enum rp_cause c);
/* "configuration", "certificate", "client_profile", "service". */
const char *rp_cause_name(enum rp_cause c);
/* Name of a cipher class rank (0 broken, 1 not_recommended, 2 recommended). */
const char *rp_class_name(int rank);

/* ---- report.c ---- */
/* Client/server zone of an address: index into rep->nets, or -1 external. */
int rp_net_lookup(const struct rp_report *rep, const char *ip);
void rp_geo_lookup(const struct rp_report *rep, const char *ip, struct rp_geo *g);
/* Severity of a finding ("info" .. "critical"): the kind's, raised one step
 * when credentials crossed in clear. */
const char *rp_finding_severity(const struct rp_finding *f);
/* For the fuzz targets (fuzz/fuzz_config.c): parses data[0..len) as a
 * --config file, a --waivers file, a --baseline report or a --profile file
 * (which: RP_BUF_*)
 * with the same code report_run uses on a file's contents, then frees
 * everything. The baseline needs a store (its JSON is read by SQLite); st
 * may be NULL for the others. Returns 0 if the text is accepted, -1 if not
 * (with the message report_run would print on stderr). */
enum { RP_BUF_CONFIG, RP_BUF_WAIVERS, RP_BUF_BASELINE, RP_BUF_PROFILE };
int rp_parse_buffer(struct store *st, int which, const uint8_t *data, size_t len);

/* ---- out_common.c: shared by the formats ---- */
const char *rp_ts(int64_t us, char *buf, size_t len);          /* RFC 3339 or "-" */
bool rp_window_splits_days(const struct rp_report *rep);
char *rp_retention_note(const struct rp_report *rep, bool removed); /* NULL or malloc'ed */
const char *rp_req_status(const struct rp_req *r);
const char *rp_plural(int64_t n, const char *one, const char *many, char *buf, size_t len);
int rp_count_guidance(const struct rp_report *rep);
int rp_source_items(const char *source, char ***items);
#define RP_SOURCE_LIST 3   /* names of a run's files shown in text/HTML/MD; JSON: all */
int rp_count_status(const struct rp_report *rep, const char *st);
double rp_handshake_share(const struct rp_report *rep);
int rp_not_observable_lines(const struct rp_report *rep, char lines[6][200]);
const char *rp_fmt_n(int64_t n, char *buf, size_t len);        /* "17,500" */
int rp_list_max(const struct rp_report *rep);  /* --list as a bound: 0 is none (INT_MAX) */
int rp_rollups_shown(const struct rp_report *rep, const struct rp_req *r);
void rp_cause_line(const struct rp_rollup *u, char *buf, size_t len);
void rp_srv_line(const struct rp_rollup_srv *s, char *buf, size_t len);
/* The sensors that contributed runs to the report (issue 16: runs.sensor,
 * NULL for runs before schema 8), in order of first appearance: each with
 * its runs, the time its packets span, its packets and drops (kernel and
 * interface; -1 when no run of it reported any: files). malloc'ed array
 * (*out), its length returned; -1 out of memory. */
struct rp_sensor {
	const char *name;           /* the runs' string, or NULL: unnamed */
	int runs;
	int64_t first, last;        /* µs, 0: none */
	int64_t packets, drops;     /* drops -1: unknown */
	int64_t spool_dropped;      /* -1: not a fleet sensor (no spool) */
};
int rp_sensors(const struct rp_report *rep, struct rp_sensor **out);
/* "2 runs, FIRST .. LAST, packets N, drops D" (or "drops not reported
 * (offline read)"), and ", N flows lost from a full spool" when a fleet
 * sensor's spool dropped some: every format's line for a sensor, after
 * its name. */
void rp_sensor_line(const struct rp_sensor *v, char *buf, size_t len);

/* The executive summary of HTML and Markdown (and the JSON's
 * summary.top_problems): the verdict, the worst problems, coverage and
 * blind spots. Every string here is the report's own but the top server
 * (rp_srv_line: wire text), which the formats escape with the rest. */
#define RP_EXEC_TOP 3
#define RP_EXEC_BLIND 16
struct rp_problem {
	const struct rp_req *r;
	const struct rp_rollup *u;
};
struct rp_exec {
	const char *verdict;          /* "FAIL", "PASS", "NOT OBSERVED" */
	const char *status;           /* its badge: "fail", "pass", "not_observed" */
	char verdict_line[160];       /* "2 of 10 requirements fail at level 2 (exit status 6)" */
	struct rp_problem top[RP_EXEC_TOP];
	int ntop;
	char coverage[320];
	char blind[RP_EXEC_BLIND][360];
	int nblind;
};
void rp_exec_summary(const struct rp_report *rep, struct rp_exec *x);
/* The worst failing rollups over every requirement (at most max, worst
 * first): rollups of violation kinds that have a failing finding in their
 * requirement, in rp_rollup_cmp order, requirement order on ties. */
int rp_top_problems(const struct rp_report *rep, struct rp_problem *out, int max);
/* "12.3.1 cleartext (medium; service http cleartext): a protocol ...: 4
 * servers, 2 clients, 6 flows; top server 10.0.0.1:80/http" (wire text
 * inside: escape it). */
void rp_problem_line(const struct rp_problem *p, char *buf, size_t len);
/* The distinct kinds of r's first nr rollups, in their order: the kinds
 * that get a "fix" line. Returns how many (at most max). */
int rp_fix_kinds(const struct rp_req *r, int nr, const struct rp_kind **out, int max);

/* ---- out_text.c, out_json.c, out_md.c, out_csv.c, out_html.c ---- */
int rp_out_text(const struct rp_report *rep, FILE *out, bool color, int width);
int rp_out_json(const struct rp_report *rep, FILE *out);
int rp_out_md(const struct rp_report *rep, FILE *out);
int rp_out_csv(const struct rp_report *rep, FILE *out);
int rp_out_html(const struct rp_report *rep, FILE *out);
/* HTML-escapes s (&<>"' and control characters; invalid UTF-8 bytes as
 * U+FFFD so the page stays well-formed). NULL prints nothing. */
void html_escape(FILE *out, const char *s);

#endif
