/* SPDX-License-Identifier: BSD-3-Clause */
/* report.h — the report pass (docs/REPORT.md, docs/REPORT-RULES.md): reads
 * the store only and judges what was observed against OWASP ASVS 5.0 V12
 * (12.1.1-12.1.5, 12.2.1-12.2.2, 12.3.1-12.3.5 and the V12.1 introduction's
 * certificate-sharing guidance), in text, JSON, HTML, Markdown or CSV.
 *
 * Exit status of report_run(): EXIT_OK (0) nothing fails at the chosen
 * level, REPORT_EXIT_FAIL (6) at least one requirement fails, EXIT_USAGE (2)
 * bad options or an unreadable config/waiver/baseline/GeoIP file,
 * EXIT_STORE (4) the database cannot be opened or queried.
 */
#ifndef WA_REPORT_H
#define WA_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define REPORT_SCHEMA_VERSION 3   /* 3 (issue 19): post_quantum; 2 (issue 20): guidance[] apart, short_title, sources[].files,
				    * remediation/reference, summary.top_problems; a baseline of 1 is read too */
#define REPORT_EXIT_FAIL 6
#define REPORT_TOP_DEFAULT 5
#define REPORT_TOP_MAX 100
#define REPORT_LIST_DEFAULT 20   /* findings listed per requirement in text, HTML, Markdown */

#define REPORT_SENSORS_MAX 64  /* --sensor given at most this often */

enum report_format { RF_TEXT, RF_JSON, RF_HTML, RF_MD, RF_CSV };

#define REPORT_PROFILES_MAX 16     /* --profile given more often: usage error */

struct report_opts {
	const char *db;          /* default wireaudit.db */
	int level;               /* 1..3, default 2 */
	enum report_format format;
	const char *output;      /* -o FILE (created 0600) or NULL: stdout */
	int64_t since, until;    /* microseconds, -1 open */
	const char *internal;    /* --internal CIDR,... replaces the defaults */
	const char *config;      /* --config FILE */
	const char *geoip, *asn; /* .mmdb files */
	const char *baseline;    /* previous JSON report */
	const char *waivers;     /* waiver file */
	int top;                 /* clients/SNI names listed per finding */
	int list;                /* findings and rollups listed per requirement in text/HTML/Markdown
				    (0: all); JSON and CSV always hold every finding */
	int color;               /* -1 auto (TTY), 0 never, 1 always */
	int width;               /* text wrap column: -1 auto (the TTY's), 0 none */
	const char *ca_file;     /* --ca-file: judge server chains again (trust.c) */
	const char *system_ca;   /* --system-ca PATH|none: likewise */
	const char *sensors[REPORT_SENSORS_MAX]; /* --sensor NAME: only these sensors' runs */
	int nsensors;            /* 0: every sensor */
	const char *profiles[REPORT_PROFILES_MAX]; /* --profile NAME|PATH, in order */
	int nprofiles;           /* 0: asvs5 alone */
	const char *sample_hint; /* text: how to look at the sample flows (NULL:
				    wireaudit export --flow ID; audit names its
				    database, or says how to keep it) */
};

void report_opts_init(struct report_opts *o);

/* Parses `wireaudit report` options into o (argv[0] is the command name).
 * Returns 0, or EXIT_USAGE after a message on stderr. */
int report_parse_opts(int argc, char **argv, struct report_opts *o);

/* For `wireaudit audit`: removes the report options (those not shared with
 * capture; -d stays for capture) from argv in place, updating *argc.
 * Returns 0 or EXIT_USAGE. */
int report_take_opts(int *argc, char **argv, struct report_opts *o);

/* Runs the report over o->db. Returns an exit status (see above). */
int report_run(const struct report_opts *o);

/* `wireaudit report ...` */
int report_main(int argc, char **argv);
/* The report options alone (audit --help lists them after capture's). */
void report_options(FILE *out);
void report_usage(FILE *out);

#endif
