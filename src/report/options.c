/* SPDX-License-Identifier: BSD-3-Clause */
/* options.c — `wireaudit report` options (docs/REPORT.md). */
#include "report_int.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- options ---- */

void report_opts_init(struct report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->db = "wireaudit.db";
	o->level = 2;
	o->format = RF_TEXT;
	o->since = o->until = -1;
	o->top = REPORT_TOP_DEFAULT;
	o->list = REPORT_LIST_DEFAULT;
	o->color = -1;
	o->width = -1;
}

void report_options(FILE *out);

void report_usage(FILE *out)
{
	fputs("Usage: wireaudit report [-d DB] [OPTION]...\n"
	      "Judge the stored observations against OWASP ASVS 5.0 V12 (docs/REPORT.md).\n"
	      "  -d, --db FILE          SQLite database (default wireaudit.db)\n", out);
	report_options(out);
	fputs("  -h, --help             this help\n"
	      "Exit status: 0 nothing fails at the level, 6 something fails, 2 usage,\n"
	      "4 database error.\n", out);
}

void report_options(FILE *out)
{
	fputs(
	      "  -l, --level 1|2|3      ASVS level (default 2)\n"
	      "  -F, --format FMT       text (default), json, html, md, csv\n"
	      "  -o, --output FILE      write to FILE (created 0600)\n"
	      "      --since T          window start (RFC 3339 or YYYY-MM-DD)\n"
	      "      --until T          window end (exclusive)\n"
	      "      --sensor NAME      only the runs of this sensor (runs.sensor, capture\n"
	      "                         --sensor); repeatable\n"
	      "      --internal CIDR,...  internal networks (default: RFC 1918, RFC 4193,\n"
	      "                         loopback, link-local, CGNAT 100.64.0.0/10)\n"
	      "      --config FILE      the configuration file: internal networks with env/owner\n"
	      "                         labels, GeoIP paths (docs/APPLIANCE.md, docs/REPORT.md)\n"
	      "      --geoip FILE.mmdb  country of external endpoints\n"
	      "      --asn FILE.mmdb    AS number and organisation of external endpoints\n"
	      "      --baseline FILE    previous JSON report: mark findings new/open/resolved\n"
	      "      --waivers FILE     accepted findings with owner and expiry\n"
	      "      --top N            clients and SNI names listed per finding (default 5)\n"
	      "      --list N           findings and rollups listed per requirement in text,\n"
	      "                         html and md (default 20, 0 all); json/csv hold all\n"
	      "      --color WHEN       auto (default), always, never\n"
	      "      --width N          wrap the text report at column N (default: the\n"
	      "                         terminal's width on a TTY, else no wrapping; 0: none)\n"
	      "      --ca-file FILE     judge server certificate chains again against these\n"
	      "                         anchors (PEM) at each connection's time, not the\n"
	      "                         capture host's (docs/CERTIFICATES.md)\n"
	      "      --system-ca PATH   with it, the system anchors (file, directory or \"none\")\n"
	      "      --profile NAME     judge against a compliance profile as well (repeatable;\n"
	      "                         default asvs5): asvs5, pci-dss-4, nist-800-52r2,\n"
	      "                         bsi-tr-02102-2, mozilla-modern, mozilla-intermediate,\n"
	      "                         mozilla-old, or a profile file's path (docs/PROFILES.md)\n", out);
}

enum {
	RO_SINCE = 300, RO_UNTIL, RO_INTERNAL, RO_CONFIG, RO_GEOIP, RO_ASN, RO_BASELINE,
	RO_WAIVERS, RO_TOP, RO_COLOR, RO_WIDTH, RO_LIST, RO_CA_FILE, RO_SYSTEM_CA, RO_SENSOR,
	RO_PROFILE,
};

static const struct option report_longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "level", required_argument, NULL, 'l' },
	{ "format", required_argument, NULL, 'F' },
	{ "output", required_argument, NULL, 'o' },
	{ "since", required_argument, NULL, RO_SINCE },
	{ "until", required_argument, NULL, RO_UNTIL },
	{ "internal", required_argument, NULL, RO_INTERNAL },
	{ "config", required_argument, NULL, RO_CONFIG },
	{ "geoip", required_argument, NULL, RO_GEOIP },
	{ "asn", required_argument, NULL, RO_ASN },
	{ "baseline", required_argument, NULL, RO_BASELINE },
	{ "waivers", required_argument, NULL, RO_WAIVERS },
	{ "top", required_argument, NULL, RO_TOP },
	{ "list", required_argument, NULL, RO_LIST },
	{ "color", required_argument, NULL, RO_COLOR },
	{ "width", required_argument, NULL, RO_WIDTH },
	{ "ca-file", required_argument, NULL, RO_CA_FILE },
	{ "system-ca", required_argument, NULL, RO_SYSTEM_CA },
	{ "sensor", required_argument, NULL, RO_SENSOR },
	{ "profile", required_argument, NULL, RO_PROFILE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Applies one option. Returns 0 or EXIT_USAGE. */
static int report_apply(struct report_opts *o, int ch, const char *arg)
{
	char *end;
	long v;
	int64_t t;

	switch (ch) {
	case 'd': o->db = arg; break;
	case 'o': o->output = arg; break;
	case 'l':
		if (strcmp(arg, "1") && strcmp(arg, "2") && strcmp(arg, "3")) {
			fprintf(stderr, "wireaudit: report: --level must be 1, 2 or 3\n");
			return EXIT_USAGE;
		}
		o->level = arg[0] - '0';
		break;
	case 'F':
		if (strcmp(arg, "text") == 0) o->format = RF_TEXT;
		else if (strcmp(arg, "json") == 0) o->format = RF_JSON;
		else if (strcmp(arg, "html") == 0) o->format = RF_HTML;
		else if (strcmp(arg, "md") == 0 || strcmp(arg, "markdown") == 0) o->format = RF_MD;
		else if (strcmp(arg, "csv") == 0) o->format = RF_CSV;
		else {
			fprintf(stderr, "wireaudit: report: unknown format %s (text, json, html, md, csv)\n", arg);
			return EXIT_USAGE;
		}
		break;
	case RO_SINCE:
	case RO_UNTIL:
		t = rfc3339_to_ts(arg);
		if (t < 0) {
			fprintf(stderr, "wireaudit: invalid time %s (RFC 3339 or YYYY-MM-DD)\n", arg);
			return EXIT_USAGE;
		}
		if (ch == RO_SINCE)
			o->since = t;
		else
			o->until = t;
		break;
	case RO_INTERNAL: o->internal = arg; break;
	case RO_CONFIG: o->config = arg; break;
	case RO_GEOIP: o->geoip = arg; break;
	case RO_ASN: o->asn = arg; break;
	case RO_BASELINE: o->baseline = arg; break;
	case RO_WAIVERS: o->waivers = arg; break;
	case RO_CA_FILE: o->ca_file = arg; break;
	case RO_SYSTEM_CA: o->system_ca = arg; break;
	case RO_SENSOR:
		if (o->nsensors >= REPORT_SENSORS_MAX) {
			fprintf(stderr, "wireaudit: report: --sensor given more than %d times\n", REPORT_SENSORS_MAX);
			return EXIT_USAGE;
		}
		o->sensors[o->nsensors++] = arg;
		break;
	case RO_PROFILE:
		if (o->nprofiles >= REPORT_PROFILES_MAX) {
			fprintf(stderr, "wireaudit: report: --profile given more than %d times\n", REPORT_PROFILES_MAX);
			return EXIT_USAGE;
		}
		o->profiles[o->nprofiles++] = arg;
		break;
	case RO_TOP:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 1 || v > REPORT_TOP_MAX) {
			fprintf(stderr, "wireaudit: report: --top must be 1..%d\n", REPORT_TOP_MAX);
			return EXIT_USAGE;
		}
		o->top = (int)v;
		break;
	case RO_LIST:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 0 || v > INT_MAX) {
			fprintf(stderr, "wireaudit: report: --list must be a number >= 0 (0: all)\n");
			return EXIT_USAGE;
		}
		o->list = (int)v;
		break;
	case RO_WIDTH:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 0 || v > 10000) {
			fprintf(stderr, "wireaudit: report: --width must be a number from 0 (no wrapping) to 10000\n");
			return EXIT_USAGE;
		}
		o->width = (int)v;
		break;
	case RO_COLOR:
		if (strcmp(arg, "auto") == 0) o->color = -1;
		else if (strcmp(arg, "always") == 0) o->color = 1;
		else if (strcmp(arg, "never") == 0) o->color = 0;
		else {
			fprintf(stderr, "wireaudit: report: --color must be auto, always or never\n");
			return EXIT_USAGE;
		}
		break;
	default:
		return EXIT_USAGE;
	}
	return 0;
}

int report_parse_opts(int argc, char **argv, struct report_opts *o)
{
	int ch, rc;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:l:F:o:h", report_longopts, NULL)) != -1) {
		if (ch == 'h') {
			report_usage(stdout);
			exit(EXIT_OK);
		}
		if (ch == '?' || ch == ':') {
			wa_usage_hint = 1;
			return EXIT_USAGE;
		}
		if ((rc = report_apply(o, ch, optarg)) != 0)
			return rc;
	}
	if (optind < argc) {
		fprintf(stderr, "wireaudit: report: unexpected argument %s\n", argv[optind]);
		wa_usage_hint = 1;
		return EXIT_USAGE;
	}
	return 0;
}

int report_take_opts(int *argc, char **argv, struct report_opts *o)
{
	int i, j = 1, k, rc;
	for (i = 1; i < *argc; i++) {
		const char *a = argv[i], *val = NULL;
		int ch = 0;
		if (strcmp(a, "--") == 0) {
			for (; i < *argc; i++)
				argv[j++] = argv[i];
			break;
		}
		if (strcmp(a, "-l") == 0 || strcmp(a, "-F") == 0 || strcmp(a, "-o") == 0) {
			ch = a[1];
		} else if (a[0] == '-' && (a[1] == 'l' || a[1] == 'F' || a[1] == 'o') && a[2]) {
			ch = a[1];
			val = a + 2;
		} else if (a[0] == '-' && a[1] == '-') {
			for (k = 0; report_longopts[k].name; k++) {
				size_t n = strlen(report_longopts[k].name);
				int c = report_longopts[k].val;
				if (c == 'd' || c == 'h' || c == RO_CA_FILE || c == RO_SYSTEM_CA)
					continue; /* shared with capture (audit: the capture
						   * judges with them) */
				if (strncmp(a + 2, report_longopts[k].name, n) == 0 &&
				    (a[2 + n] == 0 || a[2 + n] == '=')) {
					ch = c;
					if (a[2 + n] == '=')
						val = a + 3 + n;
					break;
				}
			}
		}
		if (ch == 0) {
			argv[j++] = argv[i];
			continue;
		}
		if (val == NULL) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "wireaudit: option %s needs an argument\n", a);
				return EXIT_USAGE;
			}
			val = argv[++i];
		}
		if ((rc = report_apply(o, ch, val)) != 0)
			return rc;
	}
	argv[j] = NULL;
	*argc = j;
	return 0;
}

