/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c — the wireaudit command line (docs/CLI.md): capture, export, audit. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>

#include "config.h"
#include "digest.h"
#include "capture.h"
#include "pg.h"
#include "forward.h"
#include "retention.h"
#include "conf.h"
#include "export.h"
#include "status.h"
#include "ndpi_glue.h"
#include "report.h"
#include "keylog.h"
#include "store.h"
#include "json.h"
#include "util.h"
#include "x509.h"

#include <pcap/pcap.h>
#include <sqlite3.h>
#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <maxminddb.h>

static void print_commands(FILE *out);

static void usage(FILE *out)
{
	fputs("Usage: wireaudit COMMAND [OPTION]...\n"
	      "Passive network traffic analyzer: evidence for OWASP ASVS 5.0 V12 (Secure Communication).\n"
	      "\n"
	      "Commands:\n", out);
	print_commands(out);
	fputs("\n"
	      "Each command's options: wireaudit help COMMAND (or wireaudit COMMAND --help);\n"
	      "all of them: man wireaudit, docs/CLI.md.\n"
	      "  wireaudit audit FILE.pcap       capture a file into a temporary database and report\n"
	      "  wireaudit capture -i eth0       capture live into wireaudit.db (Ctrl-C stops)\n"
	      "  wireaudit report -F html -o r.html   the report of wireaudit.db as HTML\n"
	      "\n"
	      "  -h, --help     this help      -V, --version  versions of wireaudit and its libraries\n"
	      "\n"
	      "Exit status: 0 ok, 2 usage, 3 input unreadable (partly read input is kept),\n"
	      "4 database error, 5 interrupted by a signal (everything observed was stored),\n"
	      "6 report/audit: a requirement fails at the chosen level.\n", out);
}

/* capture's options, also audit's */
static void capture_options(FILE *out)
{
	fputs(
	      "  -r, --read FILE        pcap or pcapng file (gzip-compressed accepted), - for\n"
	      "                         standard input; repeatable\n"
	      "  -i, --interface IFACE  live capture (promiscuous unless -p); repeatable: several\n"
	      "                         interfaces in one run\n"
	      "  -B, --buffer-size KIB  live: kernel capture buffer per socket (default 65536)\n"
	      "  -f, --filter BPF       capture filter (tcpdump syntax)\n"
	      "  -d, --db FILE|URL      SQLite database (default wireaudit.db), or a fleet's\n"
	      "                         PostgreSQL: postgresql://USER@HOST/DB or a libpq\n"
	      "                         keyword string; the password from ~/.pgpass or\n"
	      "                         PGPASSFILE, never the command line (docs/FLEET.md)\n"
	      "      --spool FILE       with PostgreSQL: the local SQLite file the capture\n"
	      "                         writes and a thread forwards from, exactly once; it\n"
	      "                         keeps everything while the database is away\n"
	      "      --spool-max SIZE   bound the spool (10G): past it, the oldest flows not\n"
	      "                         yet forwarded are dropped and counted\n"
	      "      --spool-drain SEC  at the end of a run, wait up to SEC for PostgreSQL to\n"
	      "                         take the rest (default 60)\n"
	      "  -s, --snaplen N        live snapshot length (default 262144)\n"
	      "  -c, --count N          stop after N packets\n"
	      "      --duration SEC     stop after SEC seconds of traffic\n"
	      "  -p, --no-promisc       do not put the interface in promiscuous mode\n"
	      "  -Z, --user USER        drop privileges to USER after opening the interface\n"
	      "      --max-flows N      flow table cap; oldest idle evicted (default 262144)\n"
	      "      --stream-cap BYTES reassembly cap per direction (default 262144)\n"
	      "      --no-ndpi          skip nDPI classification\n"
	      "      --ndpi MODE        nDPI on flows a dissector of ours claimed: unclaimed\n"
	      "                         (default: none), classify (until nDPI names the\n"
	      "                         protocol) or all (nDPI's full dissection and risks)\n"
	      "      --checkpoint SEC   write open flows (end_reason \"open\") and commit every\n"
	      "                         SEC seconds, so a SIGKILL loses at most that (default 2;\n"
	      "                         0: only when flows end)\n"
	      "      --no-store-thread  write the store on the packet thread (default: a thread\n"
	      "                         of its own; docs/PERFORMANCE.md)\n"
	      "      --store-queue N    flow records in flight to the store thread at most; the\n"
	      "                         packet thread waits when they are (default 1024)\n"
	      "      --workers N        live capture: N packet workers per interface, the\n"
	      "                         kernel spreading flows over them (AF_PACKET fanout;\n"
	      "                         default: the cores less one shared among the\n"
	      "                         interfaces, 1 to 8 each; 64 in all at most;\n"
	      "                         docs/PERFORMANCE.md)\n"
	      "      --retain-flows DUR roll up flows older than DUR (14d, 36h, 2w) by day into\n"
	      "                         rows that stand for many; reports say the same from them\n"
	      "      --retain-rollups DUR  remove roll-ups older than DUR (default: keep)\n"
	      "      --max-db-size SIZE keep the database under SIZE (20G, 500M): oldest days\n"
	      "                         rolled up, then removed (docs/APPLIANCE.md)\n"
	      "      --community-id-seed N  the seed of the flows' Community ID v1 (0..65535,\n"
	      "                         default 0)\n"
	      "      --no-read-thread   read savefiles on the packet thread (default: a thread of\n"
	      "                         its own for regular files)\n"
	      "      --progress         progress on stderr (default: when stderr is a terminal)\n"
	      "  -q, --quiet            no summary line on stderr\n"
	      "      --ca-file FILE     extra trust anchors (PEM bundle, e.g. an internal CA)\n"
	      "      --keylog FILE      TLS 1.3 handshake secrets (NSS key log, SSLKEYLOGFILE):\n"
	      "                         the encrypted handshake (certificates, CertificateRequest,\n"
	      "                         client certificate, OCSP) is opened, never application\n"
	      "                         data; the file is re-read as it grows, never stored\n"
	      "      --system-ca PATH   system anchors: a PEM file, a hashed directory or \"none\"\n"
	      "                         (default: OpenSSL's default paths, Debian ca-certificates)\n"
	      "      --config FILE      settings from FILE (key = value; docs/APPLIANCE.md); the\n"
	      "                         command line overrides them; SIGHUP re-reads FILE\n"
	      "      --sensor NAME      this sensor's name in the runs table and the events\n"
	      "                         (default: the host name)\n"
	      "      --eve TARGET       stream events, one JSON object per line (Suricata's EVE\n"
	      "                         envelope; docs/INTEGRATIONS.md): each flow as its\n"
	      "                         record becomes final, and the statistics. TARGET: a\n"
	      "                         FILE (reopened on SIGHUP), unix:PATH, unix-dgram:PATH,\n"
	      "                         syslog, syslog:PATH, syslog+udp://HOST[:PORT],\n"
	      "                         syslog+tcp://HOST:PORT or syslog+tls://HOST[:PORT]\n"
	      "                         (RFC 5424). A slow or absent reader costs\n"
	      "                         events (counted), never packets\n"
	      "      --eve-snapshots    also each checkpoint's snapshot of a long flow\n"
	      "      --eve-stats SEC    a stats event at most every SEC seconds (default 60;\n"
	      "                         0: only the run's last)\n"
	      "      --eve-buffer SIZE  bytes held for a slow stream reader (default 4M)\n"
	      "      --eve-ca-file FILE, --eve-cert FILE, --eve-key FILE  syslog+tls: the\n"
	      "                         collector's CA, and a client certificate\n", out);
}

static void capture_usage(FILE *out)
{
	fputs("Usage: wireaudit capture -r FILE [-r FILE]... | -i IFACE [-i IFACE]... [OPTION]...\n"
	      "Read packets from capture files or live interfaces and store what they show\n"
	      "(flows, TLS handshakes, certificates, cleartext protocols) in a database.\n"
	      "\n", out);
	capture_options(out);
	fputs("  -D, --list-interfaces  the interfaces a live capture can open, then exit\n"
	      "  -v, --verbose          the summary line with the store's internal counters\n"
	      "  -h, --help             this help\n"
	      "\n"
	      "Exit status: 0 ok, 2 usage, 3 input unreadable (partly read input is kept),\n"
	      "4 database error, 5 interrupted by a signal (everything observed was stored).\n"
	      "A capture that fails before its first packet leaves no run behind (and no\n"
	      "database it created).\n", out);
}

static void export_usage(FILE *out)
{
	fputs("Usage: wireaudit export [-d DB] [-F jsonl|csv] [--flow ID] [--since T] [--until T] [-o FILE]\n"
	      "Print stored flows with their observations, one record per flow (docs/EXPORT.md).\n"
	      "  -d, --db FILE|URL      database (default wireaudit.db)\n"
	      "  -F, --format FMT       jsonl (default) or csv\n"
	      "      --flow ID          only this flow (an error if there is none)\n"
	      "      --since T          flows seen at or after T (RFC 3339 or YYYY-MM-DD)\n"
	      "      --until T          flows seen before T\n"
	      "  -o, --output FILE      write to FILE (created 0600)\n"
	      "      --after CURSOR     only the flows that ended since CURSOR (0: all), each\n"
	      "                         final record once; the next cursor goes to stderr\n"
	      "      --cursor-file FILE the cursor read from FILE (none: 0) and, once the\n"
	      "                         output is written, the next one saved there\n"
	      "  -h, --help             this help\n"
	      "Exit status: 0 ok, 2 usage, 3 no such flow (--flow), 4 database or write error.\n", out);
}

static void audit_usage(FILE *out)
{
	fputs("Usage: wireaudit audit [-d DB] [capture options] [report options] FILE...\n"
	      "Capture the files, then report on them, in one step. Without -d the database is\n"
	      "a temporary one, removed afterwards; -d DB keeps it (for wireaudit export).\n"
	      "An input error (a file missing or unreadable) decides the exit status (3) even\n"
	      "when a requirement fails; the report is printed in any case.\n"
	      "\n"
	      "Capture options:\n", out);
	capture_options(out);
	fputs("\nReport options:\n", out);
	report_options(out);
	fputs("  -h, --help             this help\n"
	      "\n"
	      "Exit status: 0 nothing fails at the level, 2 usage, 3 input unreadable (the\n"
	      "report is of what was read), 4 database error, 6 a requirement fails.\n", out);
}

static void forward_usage(FILE *out)
{
	fputs("Usage: wireaudit forward -d URL --spool FILE [--timeout SEC]\n"
	      "Send what a spool holds (a capture that ended while its PostgreSQL database was\n"
	      "away) to the database, then exit (docs/FLEET.md).\n"
	      "  -d, --db URL           the fleet database: postgresql://USER@HOST/DB\n"
	      "      --spool FILE       the spool a capture --spool left\n"
	      "      --timeout SEC      give up after SEC seconds (default 600)\n"
	      "  -h, --help             this help\n"
	      "Exit status: 0 the spool is empty, 2 usage, 4 database error or time out.\n", out);
}

static void schema_usage(FILE *out)
{
	fputs("Usage: wireaudit schema --postgresql [--version N]\n"
	      "Print the PostgreSQL DDL a first capture into an empty fleet database runs\n"
	      "(docs/FLEET.md); the SQLite schema: sqlite3 FILE .schema.\n"
	      "      --postgresql       the fleet database's schema\n"
	      "      --version N        that schema version (default: the current one)\n"
	      "  -h, --help             this help\n", out);
}

static void version(void)
{
	printf("wireaudit %s\n", PACKAGE_VERSION);
	printf("libpcap: %s\n", pcap_lib_version());
	printf("nDPI: %s\n", wa_ndpi_version());
	printf("SQLite: %s\n", sqlite3_libversion());
	printf("OpenSSL: %s\n", OpenSSL_version(OPENSSL_VERSION));
	printf("libmaxminddb: %s\n", MMDB_lib_version());
#ifdef HAVE_SYSTEMD
	printf("systemd notify: yes (libsystemd)\n");
#else
	printf("systemd notify: no (built without libsystemd)\n");
#endif
}

static int parse_num(const char *s, long long min, long long max, long long *out, const char *what)
{
	char *end;
	long long v;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "wireaudit: invalid %s: %s\n", what, s);
		return -1;
	}
	*out = v;
	return 0;
}

enum {
	OPT_DURATION = 256, OPT_MAX_FLOWS, OPT_STREAM_CAP, OPT_NO_NDPI, OPT_PROGRESS,
	OPT_FORMAT, OPT_FLOW, OPT_SINCE, OPT_UNTIL, OPT_CA_FILE, OPT_SYSTEM_CA, OPT_KEYLOG,
	OPT_CHECKPOINT, OPT_NDPI_MODE, OPT_NO_STORE_THREAD, OPT_STORE_QUEUE, OPT_NO_READ_THREAD,
	OPT_WORKERS, OPT_RETAIN_FLOWS, OPT_RETAIN_ROLLUPS, OPT_MAX_DB_SIZE, OPT_CONFIG, OPT_CID_SEED,
	OPT_AFTER, OPT_CURSOR_FILE, OPT_EVE, OPT_EVE_SNAPSHOTS, OPT_EVE_STATS, OPT_EVE_BUFFER, OPT_SENSOR,
	OPT_EVE_CA, OPT_EVE_CERT, OPT_EVE_KEY, OPT_SPOOL, OPT_SPOOL_MAX, OPT_SPOOL_DRAIN,
};

static const struct option status_longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "format", required_argument, NULL, 'F' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void status_usage(FILE *out)
{
	fputs("Usage: wireaudit status [-d DB] [--format text|json]\n"
	      "The running capture (or the last one) from its statistics series: the latest\n"
	      "counters per interface, rates over the last 1, 5 and 15 minutes, drops in\n"
	      "percent, the database's size and its oldest and newest flow (docs/CLI.md).\n"
	      "  -d, --db FILE      SQLite database (default wireaudit.db)\n"
	      "  -F, --format FMT   text (default) or json\n"
	      "  -h, --help         this help\n"
	      "Exit status: 0 ok, 2 usage, 4 the database cannot be read.\n", out);
}

static int cmd_status(int argc, char **argv)
{
	const char *db = "wireaudit.db", *format = "text";
	struct store *st;
	char err[512];
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:F:h", status_longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'F': format = optarg; break;
		case 'h': status_usage(stdout); return EXIT_OK;
		default: wa_usage_hint = 1; return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "wireaudit: status: unexpected argument %s\n", argv[optind]);
		wa_usage_hint = 1;
		return EXIT_USAGE;
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "wireaudit: status: unknown format %s (text or json)\n", format);
		return EXIT_USAGE;
	}
	if (!pg_is_conninfo(db) && access(db, F_OK) != 0) {
		fprintf(stderr, "wireaudit: %s: no such database\n", db);
		return EXIT_STORE;
	}
	/* read-only: never blocks the capture writing it (WAL) */
	if (store_open(&st, db, true, err, sizeof(err)) != 0) {
		fprintf(stderr, "wireaudit: %s\n", err);
		return EXIT_STORE;
	}
	if (pg_is_conninfo(db)) {
		struct pg_fleet fl;
		if (pg_fleet_info(db, &fl, err, sizeof(err)) != 0) {
			fprintf(stderr, "wireaudit: %s\n", err);
			store_close(st);
			return EXIT_STORE;
		}
		rc = status_print(st, db, &fl, strcmp(format, "json") == 0, stdout);
		pg_fleet_free(&fl);
	} else
		rc = status_print(st, db, NULL, strcmp(format, "json") == 0, stdout);
	fflush(stdout);
	store_close(st);
	return rc == 0 ? EXIT_OK : EXIT_STORE;
}

static const struct option forward_longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "spool", required_argument, NULL, OPT_SPOOL },
	{ "timeout", required_argument, NULL, OPT_SPOOL_DRAIN },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* wireaudit forward: a spool left behind (a capture that ended while the
 * database was away) sent now, without capturing */
static int cmd_forward(int argc, char **argv)
{
	struct fwd_opts fo = { 0 };
	long long v;
	int64_t timeout = 600 * 1000000LL;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:h", forward_longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': fo.conninfo = optarg; break;
		case OPT_SPOOL: fo.spool = optarg; break;
		case OPT_SPOOL_DRAIN:
			if (parse_num(optarg, 1, 86400 * 7, &v, "timeout seconds")) return EXIT_USAGE;
			timeout = v * 1000000LL;
			break;
		case 'h':
			forward_usage(stdout);
			return EXIT_OK;
		default: wa_usage_hint = 1; return EXIT_USAGE;
		}
	}
	if (!fo.conninfo || !pg_is_conninfo(fo.conninfo) || !fo.spool || optind < argc) {
		fprintf(stderr, "wireaudit: forward: give -d postgresql://... and --spool FILE\n");
		return EXIT_USAGE;
	}
	if (access(fo.spool, F_OK) != 0) {
		fprintf(stderr, "wireaudit: forward: %s: no such spool\n", fo.spool);
		return EXIT_STORE;
	}
	return fwd_drain_command(&fo, timeout);
}

/* wireaudit schema --postgresql [--version N]: the DDL a first capture
 * into an empty database runs, derived from the SQLite migrations */
static int cmd_schema(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "postgresql", no_argument, NULL, 'P' },
		{ "version", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long long v = STORE_SCHEMA_VERSION;
	bool pgsql = false;
	struct jbuf b;
	char err[300];
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 'P': pgsql = true; break;
		case 'v':
			if (parse_num(optarg, 1, 1000, &v, "schema version")) return EXIT_USAGE;
			break;
		case 'h':
			schema_usage(stdout);
			return EXIT_OK;
		default: wa_usage_hint = 1; return EXIT_USAGE;
		}
	}
	if (!pgsql || optind < argc) {
		fprintf(stderr, "wireaudit: schema: --postgresql (the SQLite schema: sqlite3 FILE .schema)\n");
		return EXIT_USAGE;
	}
	jb_init(&b);
	if (pg_schema_sql((int)v, &b, err, sizeof(err)) != 0) {
		fprintf(stderr, "wireaudit: schema: %s\n", err);
		jb_free(&b);
		return EXIT_USAGE;
	}
	fputs(jb_str(&b), stdout);
	jb_free(&b);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_STORE;
}

static const struct option capture_longopts[] = {
	{ "read", required_argument, NULL, 'r' },
	{ "interface", required_argument, NULL, 'i' },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "filter", required_argument, NULL, 'f' },
	{ "db", required_argument, NULL, 'd' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "count", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "no-promisc", no_argument, NULL, 'p' },
	{ "user", required_argument, NULL, 'Z' },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "stream-cap", required_argument, NULL, OPT_STREAM_CAP },
	{ "no-ndpi", no_argument, NULL, OPT_NO_NDPI },
	{ "ndpi", required_argument, NULL, OPT_NDPI_MODE },
	{ "checkpoint", required_argument, NULL, OPT_CHECKPOINT },
	{ "no-store-thread", no_argument, NULL, OPT_NO_STORE_THREAD },
	{ "store-queue", required_argument, NULL, OPT_STORE_QUEUE },
	{ "no-read-thread", no_argument, NULL, OPT_NO_READ_THREAD },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "retain-flows", required_argument, NULL, OPT_RETAIN_FLOWS },
	{ "retain-rollups", required_argument, NULL, OPT_RETAIN_ROLLUPS },
	{ "max-db-size", required_argument, NULL, OPT_MAX_DB_SIZE },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "keylog", required_argument, NULL, OPT_KEYLOG },
	{ "system-ca", required_argument, NULL, OPT_SYSTEM_CA },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "eve", required_argument, NULL, OPT_EVE },
	{ "eve-snapshots", no_argument, NULL, OPT_EVE_SNAPSHOTS },
	{ "eve-stats", required_argument, NULL, OPT_EVE_STATS },
	{ "eve-buffer", required_argument, NULL, OPT_EVE_BUFFER },
	{ "eve-ca-file", required_argument, NULL, OPT_EVE_CA },
	{ "eve-cert", required_argument, NULL, OPT_EVE_CERT },
	{ "eve-key", required_argument, NULL, OPT_EVE_KEY },
	{ "sensor", required_argument, NULL, OPT_SENSOR },
	{ "spool", required_argument, NULL, OPT_SPOOL },
	{ "spool-max", required_argument, NULL, OPT_SPOOL_MAX },
	{ "spool-drain", required_argument, NULL, OPT_SPOOL_DRAIN },
	{ "community-id-seed", required_argument, NULL, OPT_CID_SEED },
	{ "list-interfaces", no_argument, NULL, 'D' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define CAPTURE_OPTSTRING "r:i:f:d:s:c:pZ:qB:hDv"

/* One parse of the capture's settings: the defaults, then the --config
 * file, then the command line (which wins). Everything the options point
 * at lives here (or in argv): SIGHUP makes a second one and compares. */
struct capture_parse {
	struct capture_opts o;
	struct wa_conf conf;
	char host[256];  /* the default --sensor */
	const char *files[1024];
	const char *ifaces[CAPTURE_MAX_IFACES];
	bool audit;        /* parsed for audit: its help, no -D */
	bool list_ifaces;  /* -D */
};

/* The file's capture keys into o (the report's keys are checked by the
 * parser and not used here). */
static int conf_to_capture(struct capture_parse *cp)
{
	const struct wa_conf *c = &cp->conf;
	struct capture_opts *o = &cp->o;
	int i;

	for (i = 0; i < c->nifaces; i++)
		cp->ifaces[i] = c->ifaces[i];
	o->nifaces = c->nifaces;
	o->iface = c->nifaces ? cp->ifaces[0] : NULL;
	if (c->line[WA_K_FILTER]) o->filter = c->filter;
	if (c->line[WA_K_DATABASE]) o->db = c->database;
	if (c->line[WA_K_SPOOL]) o->spool = c->spool;
	if (c->line[WA_K_SPOOL_MAX]) o->spool_max = c->spool_max;
	if (c->line[WA_K_SPOOL_DRAIN]) o->spool_drain_us = c->spool_drain * 1000000LL;
	if (c->line[WA_K_USER]) o->drop_user = c->user;
	if (c->line[WA_K_SNAPLEN]) o->snaplen = c->snaplen;
	if (c->line[WA_K_PROMISC]) o->promisc = c->promisc != 0;
	if (c->line[WA_K_WORKERS]) o->workers = (unsigned)c->workers;
	if (c->line[WA_K_CHECKPOINT]) o->checkpoint_sec = c->checkpoint_sec;
	if (c->line[WA_K_MAX_FLOWS]) o->eng.max_flows = (uint32_t)c->max_flows;
	if (c->line[WA_K_STREAM_CAP]) o->eng.stream_cap = (uint32_t)c->stream_cap;
	if (c->line[WA_K_NDPI]) {
		o->eng.ndpi = c->ndpi != WA_NDPI_OFF;
		o->eng.ndpi_mode = c->ndpi == WA_NDPI_CLASSIFY ? NDPI_MODE_CLASSIFY
				 : c->ndpi == WA_NDPI_ALL ? NDPI_MODE_ALL : NDPI_MODE_UNCLAIMED;
	}
	if (c->line[WA_K_CA_FILE]) o->ca_file = c->ca_file;
	if (c->line[WA_K_SENSOR]) o->eve.sensor = c->sensor;
	if (c->line[WA_K_EVE]) o->eve.target = c->eve;
	if (c->line[WA_K_EVE_SNAPSHOTS]) o->eve.snapshots = c->eve_snapshots != 0;
	if (c->line[WA_K_EVE_STATS]) o->eve.stats_sec = c->eve_stats;
	if (c->line[WA_K_EVE_BUFFER]) o->eve.buffer = (size_t)c->eve_buffer;
	if (c->line[WA_K_EVE_CA_FILE]) o->eve.ca_file = c->eve_ca_file;
	if (c->line[WA_K_EVE_CERT]) o->eve.cert = c->eve_cert;
	if (c->line[WA_K_EVE_KEY]) o->eve.key = c->eve_key;
	if (c->line[WA_K_SYSTEM_CA]) o->system_ca = c->system_ca;
	o->retain_flows_us = c->retain_flows_us;
	o->max_db_bytes = c->max_db_bytes;
	o->retain_rollups_us = c->retain_rollups_us;
	return 0;
}

/* Parses capture options (shared by capture and audit). Returns 0, or an
 * exit code. Non-option arguments are left in argv[optind..]. */
static int parse_capture_opts(int argc, char **argv, struct capture_parse *cp)
{
	struct capture_opts *o = &cp->o;
	const char **files = cp->files, *config = NULL;
	bool cli_iface = false, cli_workers = false;
	int ch, rc;
	long long v;

	memset(o, 0, sizeof(*o));
	o->files = files;
	o->ifaces = cp->ifaces;
	o->db = "wireaudit.db";
	o->snaplen = 262144;
	o->promisc = true;
	o->progress = isatty(STDERR_FILENO);
	o->checkpoint_sec = 2;
	o->store_thread = true;
	o->store_slots = SWQ_DEFAULT_SLOTS;
	o->read_thread = true;
	o->eve.stats_sec = 60;
	o->eve.buffer = 4u << 20;
	o->spool_drain_us = 60 * 1000000LL;
	if (gethostname(cp->host, sizeof(cp->host) - 1) == 0)
		o->eve.sensor = cp->host;
	engine_config_defaults(&o->eng);
	/* the file first (the command line overrides it): a quiet pass for
	 * --config alone */
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, CAPTURE_OPTSTRING, capture_longopts, NULL)) != -1)
		if (ch == OPT_CONFIG)
			config = optarg;
	opterr = 1;
	if (config) {
		if (wa_conf_load(config, &cp->conf) != 0)
			return EXIT_USAGE;
		o->config = config;
		if ((rc = conf_to_capture(cp)) != 0)
			return rc;
	}
	optind = 0;
	while ((ch = getopt_long(argc, argv, CAPTURE_OPTSTRING, capture_longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (o->nfiles >= 1024) {
				fprintf(stderr, "wireaudit: too many -r files (1024 at most)\n");
				return EXIT_USAGE;
			}
			files[o->nfiles++] = optarg;
			break;
		case 'i':
			if (!cli_iface) {
				/* the command line's interfaces replace the file's */
				cli_iface = true;
				o->nifaces = 0;
				o->iface = NULL;
			}
			/* several interfaces in one run (issue 14): each with
			 * its own workers; the same one twice would count every
			 * packet twice */
			if (o->nifaces >= CAPTURE_MAX_IFACES) {
				fprintf(stderr, "wireaudit: capture: too many -i (%d at most)\n",
					CAPTURE_MAX_IFACES);
				return EXIT_USAGE;
			}
			for (int k = 0; k < o->nifaces; k++)
				if (strcmp(cp->ifaces[k], optarg) == 0) {
					fprintf(stderr, "wireaudit: capture: interface %s given twice\n",
						optarg);
					return EXIT_USAGE;
				}
			cp->ifaces[o->nifaces++] = optarg;
			o->iface = cp->ifaces[0];
			break;
		case 'B':
			if (parse_num(optarg, 1, 4 << 20, &v, "buffer size (KiB)")) return EXIT_USAGE;
			o->buffer_kib = (unsigned)v;
			break;
		case 'f': o->filter = optarg; break;
		case 'd': o->db = optarg; break;
		case 's':
			if (parse_num(optarg, 64, 262144, &v, "snaplen")) return EXIT_USAGE;
			o->snaplen = (int)v;
			break;
		case 'c':
			if (parse_num(optarg, 1, LLONG_MAX, &v, "count")) return EXIT_USAGE;
			o->count = v;
			break;
		case OPT_DURATION:
			if (parse_num(optarg, 1, 100LL * 365 * 86400, &v, "duration")) return EXIT_USAGE;
			o->duration = v;
			break;
		case 'p': o->promisc = false; break;
		case 'Z': o->drop_user = optarg; break;
		case OPT_MAX_FLOWS:
			if (parse_num(optarg, 1, 1 << 26, &v, "max-flows")) return EXIT_USAGE;
			o->eng.max_flows = (uint32_t)v;
			break;
		case OPT_STREAM_CAP:
			if (parse_num(optarg, 4096, 64 << 20, &v, "stream-cap")) return EXIT_USAGE;
			o->eng.stream_cap = (uint32_t)v;
			break;
		case OPT_NO_NDPI: o->eng.ndpi = false; break;
		case OPT_NDPI_MODE:
			if (strcmp(optarg, "classify") == 0)
				o->eng.ndpi_mode = NDPI_MODE_CLASSIFY;
			else if (strcmp(optarg, "all") == 0)
				o->eng.ndpi_mode = NDPI_MODE_ALL;
			else if (strcmp(optarg, "unclaimed") == 0)
				o->eng.ndpi_mode = NDPI_MODE_UNCLAIMED;
			else {
				fprintf(stderr, "wireaudit: --ndpi: classify, all or unclaimed\n");
				return EXIT_USAGE;
			}
			o->eng.ndpi = true; /* over the file's ndpi = off */
			break;
		case OPT_CHECKPOINT:
			if (parse_num(optarg, 0, 86400, &v, "checkpoint interval")) return EXIT_USAGE;
			o->checkpoint_sec = (int)v;
			break;
		case OPT_NO_STORE_THREAD: o->store_thread = false; break;
		case OPT_NO_READ_THREAD: o->read_thread = false; break;
		case OPT_STORE_QUEUE:
			if (parse_num(optarg, 2, 1 << 20, &v, "store-queue")) return EXIT_USAGE;
			o->store_slots = (unsigned)v;
			break;
		case OPT_WORKERS:
			if (parse_num(optarg, 1, ENGINE_MAX_WORKERS, &v, "workers")) return EXIT_USAGE;
			o->workers = (unsigned)v;
			cli_workers = true;
			break;
		case OPT_CID_SEED:
			if (parse_num(optarg, 0, 65535, &v, "community-id-seed")) return EXIT_USAGE;
			o->cid_seed = (uint16_t)v;
			break;
		case OPT_RETAIN_FLOWS:
		case OPT_RETAIN_ROLLUPS:
			/* as the configuration file's retain_flows (conf.c) */
			v = wa_parse_duration(optarg);
			if (v < 60000000LL || v > 36500LL * 86400000000LL) {
				fprintf(stderr, "wireaudit: --%s: a duration from 1m to 36500d such as 14d, 36h or 90m, not '%s'\n",
					ch == OPT_RETAIN_FLOWS ? "retain-flows" : "retain-rollups", optarg);
				return EXIT_USAGE;
			}
			*(ch == OPT_RETAIN_FLOWS ? &o->retain_flows_us : &o->retain_rollups_us) = v;
			break;
		case OPT_MAX_DB_SIZE:
			v = wa_parse_size(optarg);
			if (v < (1LL << 20)) {
				fprintf(stderr, "wireaudit: --max-db-size: a size of 1M or more such as 20G or 500M,"
					" not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o->max_db_bytes = v;
			break;
		case OPT_PROGRESS: o->progress = true; break;
		case 'q': o->quiet = true; o->progress = false; break;
		case 'v': o->verbose = true; break;
		case 'D':
			if (cp->audit) {
				fprintf(stderr, "wireaudit: audit: -D lists the interfaces of a live capture: "
					"wireaudit capture -D\n");
				return EXIT_USAGE;
			}
			cp->list_ifaces = true;
			break;
		case OPT_CA_FILE: o->ca_file = optarg; break;
		case OPT_KEYLOG: o->keylog = optarg; break;
		case OPT_SYSTEM_CA: o->system_ca = optarg; break;
		case OPT_CONFIG: break; /* read above */
		case OPT_EVE: o->eve.target = optarg; break;
		case OPT_EVE_SNAPSHOTS: o->eve.snapshots = true; break;
		case OPT_EVE_STATS:
			if (parse_num(optarg, 0, 86400, &v, "eve-stats interval")) return EXIT_USAGE;
			o->eve.stats_sec = (int)v;
			break;
		case OPT_EVE_BUFFER:
			v = wa_parse_size(optarg);
			if (v < 65536 || v > (1LL << 30)) {
				fprintf(stderr, "wireaudit: --eve-buffer: a size from 64K to 1G such as 4M, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			o->eve.buffer = (size_t)v;
			break;
		case OPT_SPOOL: o->spool = optarg; break;
		case OPT_SPOOL_MAX:
			v = wa_parse_size(optarg);
			if (v < (1LL << 20)) {
				fprintf(stderr, "wireaudit: --spool-max: a size of 1M or more such as 10G, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			o->spool_max = v;
			break;
		case OPT_SPOOL_DRAIN:
			if (parse_num(optarg, 0, 86400, &v, "spool-drain seconds")) return EXIT_USAGE;
			o->spool_drain_us = v * 1000000;
			break;
		case OPT_EVE_CA: o->eve.ca_file = optarg; break;
		case OPT_EVE_CERT: o->eve.cert = optarg; break;
		case OPT_EVE_KEY: o->eve.key = optarg; break;
		case OPT_SENSOR:
			if (!wa_conf_label_ok(optarg, 255)) {
				fprintf(stderr, "wireaudit: --sensor: a name of 1 to 255 characters of "
					"[A-Za-z0-9._-], as the configuration file's sensor\n");
				return EXIT_USAGE;
			}
			o->eve.sensor = optarg;
			break;
		case 'h':
			if (cp->audit)
				audit_usage(stdout);
			else
				capture_usage(stdout);
			exit(EXIT_OK);
		default: wa_usage_hint = 1; return EXIT_USAGE;
		}
	}
	/* files on the command line: the file's interfaces (and its live
	 * capture's workers) do not apply */
	if (o->nfiles && !cli_iface) {
		o->nifaces = 0;
		o->iface = NULL;
		if (!cli_workers)
			o->workers = 0;
	}
	return 0;
}

/* SIGHUP (capture.h reload): the same command line over the file as it
 * is now. */
static int reload_argc;
static char **reload_argv;

static void capture_parse_free(struct capture_parse *cp)
{
	if (cp == NULL)
		return;
	wa_conf_free(&cp->conf);
	free(cp);
}

static void capture_reload_done(struct capture_opts *o)
{
	/* o is the first member */
	capture_parse_free((struct capture_parse *)(void *)o);
}

static struct capture_opts *capture_reload(void)
{
	struct capture_parse *cp = calloc(1, sizeof(*cp));
	if (cp == NULL)
		return NULL;
	if (parse_capture_opts(reload_argc, reload_argv, cp) != 0) {
		capture_parse_free(cp);
		return NULL;
	}
	return &cp->o;
}

/* -D: the devices libpcap can open, numbered, as tcpdump -D prints them
 * (the number is not an -i argument here: the name is) */
static int list_interfaces(void)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all = NULL, *d;
	int n = 0;

	if (pcap_findalldevs(&all, ebuf) != 0) {
		fprintf(stderr, "wireaudit: capture -D: %s\n", ebuf);
		return EXIT_INPUT;
	}
	for (d = all; d; d = d->next) {
		const char *sep = "";
		printf("%d.%s", ++n, d->name);
		if (d->description)
			printf(" (%s)", d->description);
		fputs(" [", stdout);
#define FLAG(cond, name) do { if (cond) { printf("%s%s", sep, name); sep = ", "; } } while (0)
		FLAG(d->flags & PCAP_IF_UP, "Up");
		FLAG(d->flags & PCAP_IF_RUNNING, "Running");
		FLAG(d->flags & PCAP_IF_WIRELESS, "Wireless");
		FLAG(d->flags & PCAP_IF_LOOPBACK, "Loopback");
		switch (d->flags & PCAP_IF_CONNECTION_STATUS) {
		case PCAP_IF_CONNECTION_STATUS_CONNECTED: FLAG(1, "Connected"); break;
		case PCAP_IF_CONNECTION_STATUS_DISCONNECTED: FLAG(1, "Disconnected"); break;
		default: break;
		}
#undef FLAG
		fputs("]\n", stdout);
	}
	pcap_freealldevs(all);
	if (n == 0) {
		fprintf(stderr, "wireaudit: capture -D: no interface can be opened (root or CAP_NET_RAW "
			"may be needed)\n");
		return EXIT_INPUT;
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_STORE;
}

static int cmd_capture(int argc, char **argv)
{
	struct capture_parse *cp = calloc(1, sizeof(*cp));
	struct capture_opts *o;
	int rc;

	if (cp == NULL)
		return EXIT_STORE;
	o = &cp->o;
	if ((rc = parse_capture_opts(argc, argv, cp)) != 0)
		goto out;
	if (cp->list_ifaces) {
		rc = list_interfaces();
		goto out;
	}
	rc = EXIT_USAGE;
	if (optind < argc) {
		fprintf(stderr, "wireaudit: capture: unexpected argument %s (files go with -r)\n", argv[optind]);
		wa_usage_hint = 1;
		goto out;
	}
	if ((o->nfiles == 0) == (o->iface == NULL)) {
		if (o->config && o->nfiles == 0)
			fprintf(stderr, "wireaudit: capture: give -r FILE... or -i IFACE (one of them; "
				"%s has no interface line)\n", o->config);
		else
			fprintf(stderr, "wireaudit: capture: give -r FILE... or -i IFACE (one of them)\n");
		goto out;
	}
	for (int i = 0; i < o->nifaces; i++)
		for (int k = 0; k < i; k++)
			if (strcmp(o->ifaces[i], o->ifaces[k]) == 0) {
				/* the file's interfaces: the same one twice would
				 * count every packet twice */
				fprintf(stderr, "wireaudit: capture: interface %s given twice (%s)\n",
					o->ifaces[i], o->config ? o->config : "-i");
				goto out;
			}
	if (o->buffer_kib && o->iface == NULL) {
		fprintf(stderr, "wireaudit: capture: -B applies to live capture (-i)\n");
		goto out;
	}
	if (o->workers > 1 && o->iface == NULL) {
		fprintf(stderr, "wireaudit: capture: --workers applies to live capture (-i); a file is "
			"read by one packet thread\n");
		goto out;
	}
	if (o->iface && o->progress && !isatty(STDERR_FILENO))
		o->progress = false;
	if ((o->x509 = x509_ctx_new(o->system_ca, o->ca_file)) == NULL)
		goto out;
	if (o->keylog) {
		char kerr[512];
		if (keylog_open(o->keylog, kerr, sizeof(kerr)) != 0) {
			fprintf(stderr, "wireaudit: capture: %s\n", kerr);
			x509_ctx_free(o->x509);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (o->config) {
		reload_argc = argc;
		reload_argv = argv;
		o->reload = capture_reload;
		o->reload_done = capture_reload_done;
	}
	rc = capture_run(o);
	keylog_close();
	x509_ctx_free(o->x509);
out:
	capture_parse_free(cp);
	return rc;
}

static const struct option export_longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "format", required_argument, NULL, 'F' },
	{ "flow", required_argument, NULL, OPT_FLOW },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "output", required_argument, NULL, 'o' },
	{ "after", required_argument, NULL, OPT_AFTER },
	{ "cursor-file", required_argument, NULL, OPT_CURSOR_FILE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* export --cursor-file: the cursor kept between runs (a number and a
 * newline). Returns 0 (a missing file: 0), or -1 after a message. */
static int cursor_read(const char *path, int64_t *out)
{
	FILE *f = fopen(path, "r");
	char line[64], *end;
	long long v;
	if (f == NULL) {
		if (errno == ENOENT) {
			*out = 0;
			return 0;
		}
		fprintf(stderr, "wireaudit: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	errno = 0;
	v = strtoll(line, &end, 10);
	while (*end == '\n' || *end == '\r' || *end == ' ')
		end++;
	if (errno || end == line || *end || v < 0) {
		fprintf(stderr, "wireaudit: %s: not an export cursor (a number from an earlier "
			"export --cursor-file)\n", path);
		return -1;
	}
	*out = v;
	return 0;
}

/* Written to FILE.tmp, synced and renamed over FILE: a crash leaves the
 * old cursor or the new one, never half of one. */
static int cursor_write(const char *path, int64_t v)
{
	char tmp[4096];
	FILE *f;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		fprintf(stderr, "wireaudit: %s: path too long\n", path);
		return -1;
	}
	if ((f = fopen(tmp, "w")) == NULL || fprintf(f, "%lld\n", (long long)v) < 0 ||
	    fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "wireaudit: %s: cannot save the cursor: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int cmd_export(int argc, char **argv)
{
	const char *db = "wireaudit.db", *format = "jsonl", *outpath = NULL, *cursor_file = NULL;
	struct flow_filter flt = { -1, -1, -1, -1, 0, false };
	int64_t after = -1;
	struct store *st;
	char err[512];
	FILE *out = stdout;
	int ch, rc;
	long long v;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:o:F:h", export_longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'o': outpath = optarg; break;
		case 'F': format = optarg; break;
		case OPT_FLOW:
			if (parse_num(optarg, 1, LLONG_MAX, &v, "flow id")) return EXIT_USAGE;
			flt.flow_id = v;
			break;
		case OPT_SINCE:
		case OPT_UNTIL: {
			int64_t t = rfc3339_to_ts(optarg);
			if (t < 0) {
				fprintf(stderr, "wireaudit: invalid time %s (RFC 3339 or YYYY-MM-DD)\n", optarg);
				return EXIT_USAGE;
			}
			if (ch == OPT_SINCE)
				flt.since = t;
			else
				flt.until = t;
			break;
		}
		case OPT_AFTER:
			if (parse_num(optarg, 0, LLONG_MAX, &v, "export cursor")) return EXIT_USAGE;
			after = v;
			break;
		case OPT_CURSOR_FILE: cursor_file = optarg; break;
		case 'h': export_usage(stdout); return EXIT_OK;
		default: wa_usage_hint = 1; return EXIT_USAGE;
		}
	}
	if (cursor_file && after < 0 && cursor_read(cursor_file, &after) != 0)
		return EXIT_USAGE;
	if (optind < argc) {
		fprintf(stderr, "wireaudit: export: unexpected argument %s\n", argv[optind]);
		wa_usage_hint = 1;
		return EXIT_USAGE;
	}
	if (strcmp(format, "jsonl") != 0 && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
		fprintf(stderr, "wireaudit: export: unknown format %s (jsonl or csv)\n", format);
		return EXIT_USAGE;
	}
	if (!pg_is_conninfo(db) && access(db, F_OK) != 0) {
		fprintf(stderr, "wireaudit: %s: no such database\n", db);
		return EXIT_STORE;
	}
	if (store_open(&st, db, true, err, sizeof(err)) != 0) {
		fprintf(stderr, "wireaudit: %s\n", err);
		return EXIT_STORE;
	}
	if (after >= 0) {
		/* the records committed up to now, in the order they were
		 * written; what commits while we read waits for the next cursor */
		if ((flt.upto_seq = store_max_seq(st)) < 0) {
			store_close(st);
			return EXIT_STORE;
		}
		if (after > flt.upto_seq) {
			fprintf(stderr, "wireaudit: export: cursor %lld is past the last record of %s (%lld): "
				"it belongs to another database, or this one was recreated; start again with "
				"--after 0\n", (long long)after, db, (long long)flt.upto_seq);
			store_close(st);
			return EXIT_USAGE;
		}
		flt.after_seq = after;
	}
	if (flt.flow_id > 0) {
		/* a flow that is not there is an answer, not an empty one */
		char idb[24];
		const char *pp[1] = { idb };
		int64_t n = 0;
		snprintf(idb, sizeof(idb), "%lld", (long long)flt.flow_id);
		if (store_scalar(st, "SELECT count(*) FROM flows WHERE flow_id = ?", pp, 1, &n) != 0) {
			store_close(st);
			return EXIT_STORE;
		}
		if (n == 0) {
			fprintf(stderr, "wireaudit: export: %s has no flow %lld%s\n", db, (long long)flt.flow_id,
				flt.since >= 0 || flt.until >= 0 || after >= 0 ? "" :
				" (a flow rolled up by retention is no longer a flow of its own)");
			store_close(st);
			return EXIT_INPUT;
		}
	}
	if (outpath && (out = wa_open_output(outpath)) == NULL) {
		store_close(st);
		return EXIT_USAGE;
	}
	rc = strcmp(format, "csv") == 0 ? export_csv(st, &flt, out) : export_jsonl(st, &flt, out);
	{
		int werr, e;
		errno = 0;
		werr = fflush(out) != 0 || ferror(out);
		e = errno;
		if (out != stdout && fclose(out) != 0 && !werr) {
			werr = 1;
			e = errno;
		}
		if (werr) {
			fprintf(stderr, "wireaudit: export: write error on %s%s%s\n",
				outpath ? outpath : "standard output", e ? ": " : "", e ? strerror(e) : "");
			rc = -2;
		}
	}
	store_close(st);
	if (rc != 0)
		return EXIT_STORE;
	/* the cursor moves only once the records are out */
	if (after >= 0) {
		if (cursor_file) {
			if (cursor_write(cursor_file, flt.upto_seq) != 0)
				return EXIT_STORE;
		} else {
			fprintf(stderr, "wireaudit: export: next cursor %lld\n", (long long)flt.upto_seq);
		}
	}
	return EXIT_OK;
}

static int cmd_audit(int argc, char **argv)
{
	struct capture_parse *cp = calloc(1, sizeof(*cp));
	struct capture_opts o;
	struct report_opts ro;
	char tmpdb[] = "/tmp/wireaudit-XXXXXX";
	bool own_db = false;
	int rc, i;

	if (cp == NULL)
		return EXIT_STORE;
	report_opts_init(&ro);
	if ((rc = report_take_opts(&argc, argv, &ro)) != 0)
		return rc;
	/* (--config is the report's here: report_take_opts took it) */
	cp->audit = true;
	rc = parse_capture_opts(argc, argv, cp);
	if (rc)
		return rc;
	o = cp->o;
	for (i = optind; i < argc; i++) {
		if (o.nfiles >= 1024)
			return EXIT_USAGE;
		o.files[o.nfiles++] = argv[i];
	}
	if (o.nfiles == 0 || o.iface) {
		fprintf(stderr, "wireaudit: audit: give one or more capture files\n");
		return EXIT_USAGE;
	}
	if (o.workers > 1 || o.buffer_kib) {
		fprintf(stderr, "wireaudit: audit: --workers and -B apply to live capture (-i)\n");
		return EXIT_USAGE;
	}
	/* Without -d, a private temporary database. */
	bool db_given = false;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "-d") == 0 || strncmp(argv[i], "--db", 4) == 0 ||
		    (strncmp(argv[i], "-d", 2) == 0 && argv[i][2]))
			db_given = true;
	if (!db_given) {
		char *dir = mkdtemp(tmpdb);
		static char path[64];
		if (dir == NULL) {
			fprintf(stderr, "wireaudit: cannot create a temporary directory: %s\n", strerror(errno));
			return EXIT_STORE;
		}
		snprintf(path, sizeof(path), "%s/audit.db", dir);
		o.db = path;
		own_db = true;
		/* the sample flows' hint: this database is gone when they read it */
		ro.sample_hint = "wireaudit audit -d FILE keeps the database for wireaudit export -d FILE --flow ID";
	}
	if (!own_db) {
		static char hint[4200];
		snprintf(hint, sizeof(hint), "wireaudit export -d %s --flow ID", o.db);
		ro.sample_hint = hint;
	}
	o.quiet = true;
	if ((o.x509 = x509_ctx_new(o.system_ca, o.ca_file)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (o.keylog) {
		char kerr[512];
		if (keylog_open(o.keylog, kerr, sizeof(kerr)) != 0) {
			fprintf(stderr, "wireaudit: audit: %s\n", kerr);
			x509_ctx_free(o.x509);
			o.x509 = NULL;
			rc = EXIT_USAGE;
			goto out;
		}
	}
	rc = capture_run(&o);
	keylog_close();
	x509_ctx_free(o.x509);
	o.x509 = NULL;
	if (rc != EXIT_OK && rc != EXIT_INPUT)
		goto out;
	/* The report decides the exit status (0, 6 fail, 4 store error),
	 * except that an input error wins over a failing requirement: a
	 * missing file must not pass for a finding (docs/CLI.md) */
	ro.db = o.db;
	{
		int crc = rc;
		rc = report_run(&ro);
		if ((rc == EXIT_OK || rc == REPORT_EXIT_FAIL) && crc == EXIT_INPUT)
			rc = EXIT_INPUT;
	}
out:
	if (own_db) {
		char p[128];
		static const char *const sfx[] = { "", "-wal", "-shm" };
		for (i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s%s", o.db, sfx[i]);
			unlink(p);
		}
		rmdir(tmpdb);
	}
	capture_parse_free(cp);
	return rc;
}

/* The commands: the overview's list, `help COMMAND` and the dispatch,
 * from one table */
static const struct command {
	const char *name, *what;
	int (*fn)(int, char **);
	void (*usage)(FILE *);
	const char *prog; /* getopt's messages: "wireaudit capture: invalid option" */
} commands[] = {
	{ "capture", "read packets (files or interfaces) and store observations",
	  cmd_capture, capture_usage, "wireaudit capture" },
	{ "export", "print stored flows with their observations (JSON Lines or CSV)",
	  cmd_export, export_usage, "wireaudit export" },
	{ "report", "judge the stored observations against ASVS V12 (docs/REPORT.md)",
	  report_main, report_usage, "wireaudit report" },
	{ "audit", "capture FILE... then report, in one step", cmd_audit, audit_usage, "wireaudit audit" },
	{ "status", "the running (or last) capture: counters, rates, drops, database size",
	  cmd_status, status_usage, "wireaudit status" },
	{ "forward", "send what a spool holds to its PostgreSQL database, then exit",
	  cmd_forward, forward_usage, "wireaudit forward" },
	{ "schema", "print the fleet database's PostgreSQL schema (DDL)", cmd_schema, schema_usage,
	  "wireaudit schema" },
	{ "help", "the help of a command: wireaudit help COMMAND", NULL, usage, NULL },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_commands(FILE *out)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].what);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* `wireaudit help [COMMAND]` and COMMAND --help: one text per command */
static int help_command(const char *cmd, FILE *out)
{
	const struct command *c = find_command(cmd ? cmd : "help");
	if (c == NULL) {
		fprintf(stderr, "wireaudit: help: no command '%s' (wireaudit --help lists them)\n", cmd);
		return EXIT_USAGE;
	}
	c->usage(out);
	return fflush(out) == 0 ? EXIT_OK : EXIT_STORE;
}

int main(int argc, char **argv)
{
	const struct command *c;
	const char *cmd;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	atexit(wa_md_thread_free); /* the main thread's digest contexts */
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0)
		return help_command(NULL, stdout);
	if (strcmp(cmd, "help") == 0) {
		if (argc > 3) {
			fprintf(stderr, "wireaudit: help: one command at most\n");
			return EXIT_USAGE;
		}
		return help_command(argc == 3 ? argv[2] : NULL, stdout);
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		version();
		return EXIT_OK;
	}
	if ((c = find_command(cmd)) != NULL && c->fn) {
		int rc;
		argv[1] = (char *)c->prog;
		rc = c->fn(argc - 1, argv + 1);
		/* every usage error, wherever it was found: where to look */
		if (rc == EXIT_USAGE && wa_usage_hint)
			fprintf(stderr, "Try 'wireaudit help %s' for more information.\n", c->name);
		return rc;
	}
	fprintf(stderr, "wireaudit: unknown command '%s' (wireaudit --help lists them)\n", cmd);
	return EXIT_USAGE;
}
