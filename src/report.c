/* report.c — the report pass's driver: options, network context (internal
 * networks with labels, the config file, GeoIP/ASN through libmaxminddb),
 * data loading from the store (grouping in SQL), waivers and the baseline.
 * Judging lives in report_rules.c, formats in report_out.c. The file
 * formats are documented in docs/REPORT.md.
 *
 * Data model: one temporary table `rf`, a row per flow in the window:
 *   flow_id run_id ts_first ts_last transport client_ip server_ip server_port
 *   protocol security client_by
 *   cz sz            index of the client's / server's internal network, -1 external
 *   senvname         environment label of the server's network (or NULL)
 *   has_tls ver vrank cmax c13 cipher_id cipher cclass cfs best_off sni ech sreq
 *   stapled ocsp_status ccert est trusted terr tbe hmatch cacc cctrusted ccterr
 *   dh_bits alpn_http leaf ncerts leaf_ss wildcard
 *   creds authm user redir http_host tlsform
 * Rules select flows from it into rp_hits; findings are GROUP BY queries over
 * rp_hits (SQLite does the sorting: 10^6 flows stay in the database).
 */
#define _GNU_SOURCE
#include "report_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <maxminddb.h>

#include "capture.h"
#include "json.h"

#define RP_FILE_MAX (64 << 20)  /* baseline / waiver / config file cap */
#define RP_WAIVERS_MAX 4096

/* ---- options ---- */

void report_opts_init(struct report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->db = "wireaudit.db";
	o->level = 2;
	o->format = RF_TEXT;
	o->since = o->until = -1;
	o->top = REPORT_TOP_DEFAULT;
	o->color = -1;
}

void report_usage(FILE *out)
{
	fputs("report: wireaudit report [-d DB] [OPTION]...\n"
	      "  -d, --db FILE          SQLite database (default wireaudit.db)\n"
	      "  -l, --level 1|2|3      ASVS level (default 2)\n"
	      "  -F, --format FMT       text (default), json, html, md, csv\n"
	      "  -o, --output FILE      write to FILE (created 0600)\n"
	      "      --since T          window start (RFC 3339 or YYYY-MM-DD)\n"
	      "      --until T          window end (exclusive)\n"
	      "      --internal CIDR,...  internal networks (default: RFC 1918, RFC 4193,\n"
	      "                         loopback, link-local, CGNAT 100.64.0.0/10)\n"
	      "      --config FILE      internal networks with env/owner labels (docs/REPORT.md)\n"
	      "      --geoip FILE.mmdb  country of external endpoints\n"
	      "      --asn FILE.mmdb    AS number and organisation of external endpoints\n"
	      "      --baseline FILE    previous JSON report: mark findings new/open/resolved\n"
	      "      --waivers FILE     accepted findings with owner and expiry\n"
	      "      --top N            clients and SNI names listed per finding (default 5)\n"
	      "      --color WHEN       auto (default), always, never\n"
	      "Exit status: 0 nothing fails at the level, 6 something fails, 2 usage,\n"
	      "4 database error.\n", out);
}

enum {
	RO_SINCE = 300, RO_UNTIL, RO_INTERNAL, RO_CONFIG, RO_GEOIP, RO_ASN, RO_BASELINE,
	RO_WAIVERS, RO_TOP, RO_COLOR,
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
	{ "color", required_argument, NULL, RO_COLOR },
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
	case RO_TOP:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 1 || v > REPORT_TOP_MAX) {
			fprintf(stderr, "wireaudit: report: --top must be 1..%d\n", REPORT_TOP_MAX);
			return EXIT_USAGE;
		}
		o->top = (int)v;
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
		if (ch == '?' || ch == ':')
			return EXIT_USAGE;
		if ((rc = report_apply(o, ch, optarg)) != 0)
			return rc;
	}
	if (optind < argc) {
		fprintf(stderr, "wireaudit: report: unexpected argument %s\n", argv[optind]);
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
				if (c == 'd' || c == 'h')
					continue; /* shared with capture */
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

/* ---- small helpers ---- */

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);
	if (p == NULL) {
		fprintf(stderr, "wireaudit: out of memory\n");
		exit(EXIT_STORE);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *d;
	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL) {
		fprintf(stderr, "wireaudit: out of memory\n");
		exit(EXIT_STORE);
	}
	return d;
}

static int64_t num(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

/* Whole file into memory (NUL-terminated), capped. NULL with a message. */
static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;
	if (fp == NULL) {
		fprintf(stderr, "wireaudit: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 65536;
			if (cap > RP_FILE_MAX + 4096 + 1) {
				fprintf(stderr, "wireaudit: %s: larger than %d bytes\n", path, RP_FILE_MAX);
				free(buf);
				fclose(fp);
				return NULL;
			}
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, 4096, fp);
		n += r;
		if (r < 4096)
			break;
	}
	fclose(fp);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* ---- line-oriented files: tokens are words, key=value or key="quoted" ---- */

#define RP_TOK_MAX 16
struct rp_tok {
	char *key;   /* NULL for a bare word */
	char *val;
};

/* Splits line in place. Returns token count or -1 with *why set. */
static int rp_tokenize(char *line, struct rp_tok *t, const char **why)
{
	int n = 0;
	char *p = line;
	for (;;) {
		char *w, *o;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == 0 || *p == '#')
			return n;
		if (n >= RP_TOK_MAX) {
			*why = "too many fields";
			return -1;
		}
		w = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '=' && *p != '"')
			p++;
		if (*p == '"') {
			*why = "quote in a word";
			return -1;
		}
		if (*p != '=') {
			t[n].key = NULL;
			t[n].val = w;
			if (*p)
				*p++ = 0;
			n++;
			continue;
		}
		*p++ = 0;
		if (*w == 0) {
			*why = "empty key";
			return -1;
		}
		t[n].key = w;
		if (*p == '"') {
			o = t[n].val = ++p;
			while (*p && *p != '"') {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				*o++ = *p++;
			}
			if (*p != '"') {
				*why = "unterminated quoted value";
				return -1;
			}
			p++;
			if (*p && *p != ' ' && *p != '\t') {
				*why = "text after a quoted value";
				return -1;
			}
			*o = 0;
			if (*p)
				p++;
		} else {
			t[n].val = p;
			while (*p && *p != ' ' && *p != '\t') {
				if (*p == '"' || *p == '=') {
					*why = "unquoted value with '\"' or '='";
					return -1;
				}
				p++;
			}
			if (*p)
				*p++ = 0;
		}
		n++;
	}
}

/* ---- network context ---- */

static const char *const rp_default_internal[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",   /* RFC 1918 */
	"100.64.0.0/10",                                   /* RFC 6598 CGNAT */
	"127.0.0.0/8", "::1/128",                          /* loopback */
	"169.254.0.0/16", "fe80::/10",                     /* link-local */
	"fc00::/7",                                        /* RFC 4193 */
	NULL,
};

static int rp_parse_cidr(const char *s, struct rp_net *n)
{
	char buf[64], *slash, *end;
	long pfx;
	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	memset(n->addr, 0, sizeof(n->addr));
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (inet_pton(AF_INET, buf, n->addr) == 1)
		n->family = 4;
	else if (inet_pton(AF_INET6, buf, n->addr) == 1)
		n->family = 6;
	else
		return -1;
	pfx = n->family == 4 ? 32 : 128;
	if (slash) {
		errno = 0;
		pfx = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || pfx < 0 || pfx > (n->family == 4 ? 32 : 128))
			return -1;
	}
	n->prefix = (int)pfx;
	snprintf(n->cidr, sizeof(n->cidr), "%.46s/%d", buf, (int)pfx);
	return 0;
}

static bool rp_net_match(const struct rp_net *n, const uint8_t *a, int family)
{
	int full = n->prefix / 8, rem = n->prefix % 8;
	if (n->family != family)
		return false;
	if (memcmp(n->addr, a, (size_t)full) != 0)
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));
		if ((n->addr[full] & mask) != (a[full] & mask))
			return false;
	}
	return true;
}

int rp_net_lookup(const struct rp_report *rep, const char *ip)
{
	uint8_t a[16];
	int fam, i, best = -1;
	if (inet_pton(AF_INET, ip, a) == 1)
		fam = 4;
	else if (inet_pton(AF_INET6, ip, a) == 1)
		fam = 6;
	else
		return -1;
	/* IPv4-mapped IPv6 is judged as IPv4. */
	if (fam == 6 && memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(a, a + 12, 4);
		fam = 4;
	}
	for (i = 0; i < rep->nnets; i++)
		if (rp_net_match(&rep->nets[i], a, fam) &&
		    (best < 0 || rep->nets[i].prefix > rep->nets[best].prefix ||
		     (rep->nets[i].prefix == rep->nets[best].prefix && rep->nets[i].env[0])))
			best = i;
	return best;
}

static int rp_add_net(struct rp_report *rep, const char *cidr, const char *env, const char *owner)
{
	struct rp_net *n;
	if (rep->nnets >= RP_MAX_NETS)
		return -1;
	n = &rep->nets[rep->nnets];
	memset(n, 0, sizeof(*n));
	if (rp_parse_cidr(cidr, n) != 0)
		return -1;
	if (env)
		snprintf(n->env, sizeof(n->env), "%s", env);
	if (owner)
		snprintf(n->owner, sizeof(n->owner), "%s", owner);
	rep->nnets++;
	return 0;
}

static bool rp_label_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= RP_LABEL_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

/* Config file (docs/REPORT.md "Config file"). Strict: unknown directives,
 * keys, bad CIDRs or labels are errors with the line number. */
static int rp_load_config(struct rp_report *rep, struct report_opts *o, const char *path)
{
	char *buf = read_file(path, NULL), *line, *next;
	int lineno = 0, rc = 0;
	if (buf == NULL)
		return -1;
	for (line = buf; line && rc == 0; line = next) {
		struct rp_tok t[RP_TOK_MAX];
		const char *why = NULL;
		int n, i;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		if (strchr(line, '\r'))
			*strchr(line, '\r') = 0;
		n = rp_tokenize(line, t, &why);
		if (n < 0)
			goto bad;
		if (n == 0)
			continue;
		if (t[0].key) {
			why = "a line starts with a directive (internal, geoip, asn)";
			goto bad;
		}
		if (strcmp(t[0].val, "internal") == 0) {
			const char *env = NULL, *owner = NULL;
			if (n < 2 || t[1].key) {
				why = "internal needs a CIDR";
				goto bad;
			}
			for (i = 2; i < n; i++) {
				if (t[i].key == NULL) {
					why = "expected key=value after the CIDR";
					goto bad;
				}
				if (strcmp(t[i].key, "env") == 0 && env == NULL)
					env = t[i].val;
				else if (strcmp(t[i].key, "owner") == 0 && owner == NULL)
					owner = t[i].val;
				else {
					why = "unknown or repeated key (env, owner)";
					goto bad;
				}
				if (!rp_label_ok(t[i].val)) {
					why = "labels are 1-63 characters of [A-Za-z0-9._-]";
					goto bad;
				}
			}
			if (rp_add_net(rep, t[1].val, env, owner) != 0) {
				why = "invalid CIDR (or more than 256 networks)";
				goto bad;
			}
		} else if (strcmp(t[0].val, "geoip") == 0 || strcmp(t[0].val, "asn") == 0) {
			char *v;
			if (n != 2 || t[1].key) {
				why = "expected one path";
				goto bad;
			}
			/* The command line wins over the file; the copy lives as
			 * long as the process (one report per run). */
			v = xstrdup(t[1].val);
			if (strcmp(t[0].val, "geoip") == 0 && !o->geoip)
				o->geoip = v;
			else if (strcmp(t[0].val, "asn") == 0 && !o->asn)
				o->asn = v;
			else
				free(v);
		} else {
			why = "unknown directive (internal, geoip, asn)";
			goto bad;
		}
		continue;
bad:
		fprintf(stderr, "wireaudit: %s:%d: %s\n", path, lineno, why);
		rc = -1;
	}
	free(buf);
	return rc;
}

static int rp_setup_nets(struct rp_report *rep, struct report_opts *o)
{
	int i;
	if (o->internal) {
		char *list = xstrdup(o->internal), *save = NULL, *c;
		for (c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save))
			if (rp_add_net(rep, c, NULL, NULL) != 0) {
				fprintf(stderr, "wireaudit: --internal: invalid CIDR %s\n", c);
				free(list);
				return -1;
			}
		free(list);
	} else {
		for (i = 0; rp_default_internal[i]; i++)
			rp_add_net(rep, rp_default_internal[i], NULL, NULL);
		rep->internal_default = true;
	}
	if (o->config && rp_load_config(rep, o, o->config) != 0)
		return -1;
	return 0;
}

static int fn_zone(const char *arg, void *user, int64_t *iv, const char **sv)
{
	(void)sv;
	*iv = rp_net_lookup(user, arg);
	return STORE_FN_INT;
}

static int fn_envname(const char *arg, void *user, int64_t *iv, const char **sv)
{
	const struct rp_report *rep = user;
	int i = rp_net_lookup(rep, arg);
	(void)iv;
	if (i < 0 || rep->nets[i].env[0] == 0)
		return STORE_FN_NULL;
	*sv = rep->nets[i].env;
	return STORE_FN_TEXT;
}

/* GeoLite2 / DB-IP lite layouts: country.iso_code (City/Country databases),
 * autonomous_system_number and autonomous_system_organization (ASN). */
void rp_geo_lookup(const struct rp_report *rep, const char *ip, struct rp_geo *g)
{
	int gai, mmerr;
	MMDB_lookup_result_s r;
	MMDB_entry_data_s d;

	memset(g, 0, sizeof(*g));
	if (rep->geo_db) {
		r = MMDB_lookup_string(rep->geo_db, ip, &gai, &mmerr);
		if (gai == 0 && mmerr == MMDB_SUCCESS && r.found_entry &&
		    MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL) == MMDB_SUCCESS &&
		    d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size < sizeof(g->country))
			snprintf(g->country, sizeof(g->country), "%.*s", (int)d.data_size, d.utf8_string);
	}
	if (rep->asn_db) {
		r = MMDB_lookup_string(rep->asn_db, ip, &gai, &mmerr);
		if (gai == 0 && mmerr == MMDB_SUCCESS && r.found_entry) {
			if (MMDB_get_value(&r.entry, &d, "autonomous_system_number", NULL) == MMDB_SUCCESS &&
			    d.has_data) {
				if (d.type == MMDB_DATA_TYPE_UINT32)
					g->asn = d.uint32;
				else if (d.type == MMDB_DATA_TYPE_UINT16)
					g->asn = d.uint16;
				else if (d.type == MMDB_DATA_TYPE_UINT64)
					g->asn = (int64_t)d.uint64;
			}
			if (MMDB_get_value(&r.entry, &d, "autonomous_system_organization", NULL) == MMDB_SUCCESS &&
			    d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING)
				snprintf(g->as_org, sizeof(g->as_org), "%.*s",
					 (int)(d.data_size < sizeof(g->as_org) ? d.data_size : sizeof(g->as_org) - 1),
					 d.utf8_string);
		}
	}
}

static int rp_open_mmdb(const char *path, void **out)
{
	MMDB_s *db = xcalloc(1, sizeof(*db));
	int rc = MMDB_open(path, MMDB_MODE_MMAP, db);
	if (rc != MMDB_SUCCESS) {
		fprintf(stderr, "wireaudit: %s: %s\n", path, MMDB_strerror(rc));
		free(db);
		return -1;
	}
	*out = db;
	return 0;
}

/* WIREAUDIT_TIMING=1 prints the time of each phase on stderr. */
static int rp_phase(struct rp_report *rep, const char *name)
{
	static int64_t last;
	static clock_t lastc;
	int64_t now = now_us();
	clock_t c = clock();
	(void)rep;
	if (name && getenv("WIREAUDIT_TIMING"))
		fprintf(stderr, "wireaudit: report %s: %.3f s (cpu %.3f s)\n", name,
			(double)(now - last) / 1e6, (double)(c - lastc) / CLOCKS_PER_SEC);
	last = now;
	lastc = c;
	return 0;
}

/* ---- queries ---- */

static int q(struct rp_report *rep, const char *sql, const char *const *p, int np,
	     int (*cb)(int, const char *const *, void *), void *arg)
{
	return store_query(rep->st, sql, p, np, cb, arg);
}

static int q_exec(struct rp_report *rep, const char *sql)
{
	return store_query(rep->st, sql, NULL, 0, NULL, NULL);
}

static int cb_noop(int n, const char *const *v, void *a)
{
	(void)n; (void)v; (void)a;
	return 0;
}

static int cb_int1(int n, const char *const *v, void *a)
{
	if (n > 0)
		*(int64_t *)a = num(v[0]);
	return 0;
}

/* Each stored object is parsed once: one multi-path json_extract() per
 * object returns a small array (tj / cj) that the outer query picks apart
 * (SQLite 3.40 caches a parse per call site only, and TLS objects are a few
 * kilobytes). */
static const char rf_sql[] =
	"CREATE TEMP TABLE rf AS WITH x AS MATERIALIZED (SELECT f.flow_id, f.run_id, f.ts_first,"
	"  f.ts_last, f.transport, f.client_ip,"
	"  f.server_ip, f.server_port, f.protocol, f.security, f.client_by,"
	"  wa_zone(f.client_ip) AS cz, wa_zone(f.server_ip) AS sz, wa_envname(f.server_ip) AS senvname,"
	"  (t.obj IS NOT NULL) AS has_tls,"
	"  CASE WHEN t.obj IS NOT NULL THEN json_extract(t.obj, '$.version', '$.client_versions',"
	"   '$.cipher_id', '$.cipher', '$.client_ciphers', '$.sni', '$.ech', '$.status_request',"
	"   '$.ocsp_stapled', '$.ocsp_status', '$.client_cert', '$.established', '$.chain_trusted',"
	"   '$.trust_error', '$.trusted_by_extra_ca', '$.hostname_match', '$.client_accepted_untrusted',"
	"   '$.client_chain_trusted', '$.client_trust_error', '$.dh_bits', '$.alpn',"
	"   '$.leaf_self_signed', '$.client_rejected_cert') END AS tj,"
	"  CASE WHEN ct.obj IS NOT NULL THEN json_extract(ct.obj, '$.credentials', '$.auth_mechanism',"
	"   '$.user', '$.details.redirect_to_https', '$.details.host') END AS cj,"
	"  CASE WHEN t.obj IS NOT NULL THEN (SELECT fc.sha256 FROM flow_certs fc WHERE fc.flow_id = f.flow_id"
	"   AND fc.side = 0 AND fc.idx = 0) END AS leaf,"
	"  CASE WHEN t.obj IS NOT NULL THEN (SELECT count(*) FROM flow_certs fc WHERE fc.flow_id = f.flow_id"
	"   AND fc.side = 0) ELSE 0 END AS ncerts,"
	"  wa_tlsform(f.protocol) AS tlsform"
	"  FROM flows f LEFT JOIN tls t ON t.flow_id = f.flow_id"
	"  LEFT JOIN cleartext ct ON ct.flow_id = f.flow_id"
	"  WHERE (CAST(?1 AS INTEGER) < 0 OR f.ts_last >= CAST(?1 AS INTEGER))"
	"  AND (CAST(?2 AS INTEGER) < 0 OR f.ts_first < CAST(?2 AS INTEGER)))"
	" SELECT x.flow_id, x.run_id, x.ts_first, x.ts_last, x.transport,"
	" x.client_ip, x.server_ip, x.server_port, x.protocol, x.security, x.client_by, x.cz, x.sz,"
	" x.senvname, x.has_tls,"
	" json_extract(tj, '$[0]') AS ver, wa_vrank(json_extract(tj, '$[0]')) AS vrank,"
	" (SELECT max(wa_vrank(value)) FROM json_each(tj, '$[1]')) AS cmax,"
	" (SELECT max(wa_vrank(value) = 5) FROM json_each(tj, '$[1]')) AS c13,"
	" json_extract(tj, '$[2]') AS cipher_id,"
	" COALESCE(json_extract(tj, '$[3]'), printf('0x%04X', json_extract(tj, '$[2]'))) AS cipher,"
	" wa_cclass(json_extract(tj, '$[2]')) AS cclass, wa_cfs(json_extract(tj, '$[2]')) AS cfs,"
	" wa_best_offered(json_extract(tj, '$[4]')) AS best_off,"
	" json_extract(tj, '$[5]') AS sni, json_extract(tj, '$[6]') AS ech,"
	" json_extract(tj, '$[7]') AS sreq, json_extract(tj, '$[8]') AS stapled,"
	" json_extract(tj, '$[9]') AS ocsp_status, json_extract(tj, '$[10]') AS ccert,"
	" json_extract(tj, '$[11]') AS est, json_extract(tj, '$[12]') AS trusted,"
	" json_extract(tj, '$[13]') AS terr, json_extract(tj, '$[14]') AS tbe,"
	" json_extract(tj, '$[15]') AS hmatch, json_extract(tj, '$[16]') AS cacc,"
	" json_extract(tj, '$[17]') AS cctrusted, json_extract(tj, '$[18]') AS ccterr,"
	" json_extract(tj, '$[19]') AS dh_bits,"
	" EXISTS (SELECT 1 FROM json_each(tj, '$[20]') WHERE value IN ('http/1.1', 'h2', 'http/1.0', 'h3'))"
	"  AS alpn_http,"
	" json_extract(tj, '$[22]') AS crej,"
	" x.leaf, x.ncerts,"
	" COALESCE(json_extract(tj, '$[21]'), (SELECT json_extract(c.obj, '$.self_signed') FROM certs c"
	"   WHERE c.sha256 = x.leaf)) AS leaf_ss,"
	" json_extract(cj, '$[0]') AS creds, json_extract(cj, '$[1]') AS authm,"
	" json_extract(cj, '$[2]') AS user, json_extract(cj, '$[3]') AS redir,"
	" json_extract(cj, '$[4]') AS http_host, x.tlsform"
	" FROM x";

static int rp_build_rf(struct rp_report *rep)
{
	char since[32], until[32];
	const char *p[2] = { since, until };
	snprintf(since, sizeof(since), "%lld", (long long)rep->o->since);
	snprintf(until, sizeof(until), "%lld", (long long)rep->o->until);
	if (store_add_function(rep->st, "wa_zone", fn_zone, rep) != 0 ||
	    store_add_function(rep->st, "wa_envname", fn_envname, rep) != 0 ||
	    rp_rules_register(rep->st) != 0)
		return -1;
	if (q(rep, rf_sql, p, 2, cb_noop, NULL) != 0)
		return -1;
	if (q_exec(rep,
		"CREATE TEMP TABLE rp_mixed AS SELECT server_ip, server_port, protocol FROM rf"
		" GROUP BY server_ip, server_port, protocol"
		" HAVING sum(security IN ('tls', 'starttls')) > 0"
		" AND sum(security IN ('cleartext', 'tls_refused', 'starttls_not_used')) > 0") != 0 ||
	    q_exec(rep,
		"CREATE TEMP TABLE rp_sharedleaf AS SELECT leaf FROM rf"
		" WHERE leaf IS NOT NULL AND senvname IS NOT NULL GROUP BY leaf"
		" HAVING count(DISTINCT senvname) > 1") != 0 ||
	    /* wildcard names per distinct leaf certificate, not per flow */
	    q_exec(rep,
		"CREATE TEMP TABLE rp_leafw AS SELECT c.sha256 AS leaf, (SELECT j.value FROM json_each(c.obj, '$.sans') j"
		" WHERE j.type = 'text' AND j.value LIKE '*.%' ORDER BY j.value LIMIT 1) AS wildcard"
		" FROM certs c WHERE c.sha256 IN (SELECT DISTINCT leaf FROM rf WHERE senvname IS NOT NULL)") != 0 ||
	    q_exec(rep,
		"CREATE TEMP TABLE rp_sharedwild AS SELECT w.wildcard FROM rf JOIN rp_leafw w ON w.leaf = rf.leaf"
		" WHERE w.wildcard IS NOT NULL AND rf.senvname IS NOT NULL GROUP BY w.wildcard"
		" HAVING count(DISTINCT rf.senvname) > 1") != 0 ||
	    q_exec(rep,
		"CREATE TEMP TABLE rp_hits (flow_id INTEGER, k INTEGER, ev TEXT, server_ip TEXT,"
		" server_port INTEGER, protocol TEXT, client_ip TEXT, ts_first INTEGER, ts_last INTEGER,"
		" sni TEXT, creds INTEGER, authm TEXT)") != 0)
		return -1;
	return 0;
}

/* ---- coverage ---- */

static int cb_cov(int n, const char *const *v, void *a)
{
	struct rp_report *rep = a;
	if (n < 10)
		return -1;
	rep->flows = num(v[0]);
	rep->win_first = num(v[1]);
	rep->win_last = num(v[2]);
	rep->flows_tcp = num(v[3]);
	rep->flows_handshake = num(v[4]);
	rep->flows_midstream = num(v[5]);
	rep->tls_flows = num(v[6]);
	rep->tls13_flows = num(v[7]);
	rep->tls_certs_seen = num(v[8]);
	rep->unknown_security = num(v[9]);
	rep->flows_udp = n > 10 ? num(v[10]) : 0;
	return 0;
}

static int cb_runs(int n, const char *const *v, void *a)
{
	struct rp_report *rep = a;
	struct rp_run_info *r, *nr;
	if (n < 8 || rep->nruns >= 10000)
		return 0;
	nr = realloc(rep->runs, sizeof(*nr) * (size_t)(rep->nruns + 1));
	if (nr == NULL)
		return -1;
	rep->runs = nr;
	r = &rep->runs[rep->nruns++];
	r->run_id = num(v[0]);
	r->source = xstrdup(v[1]);
	r->mode = xstrdup(v[2]);
	r->status = xstrdup(v[3]);
	r->started_at = xstrdup(v[4]);
	r->packets = v[5] ? num(v[5]) : -1;
	r->drops = v[6] ? num(v[6]) : -1;
	r->if_drops = v[7] ? num(v[7]) : -1;
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

struct rp_counts {
	struct rp_count **arr;
	int *n;
};

static int cb_count(int n, const char *const *v, void *a)
{
	struct rp_counts *c = a;
	struct rp_count *na;
	if (n < 2 || *c->n >= 64)
		return 0;
	na = realloc(*c->arr, sizeof(**c->arr) * (size_t)(*c->n + 1));
	if (na == NULL)
		return -1;
	*c->arr = na;
	na[*c->n].name = xstrdup(v[0] ? v[0] : "(unknown)");
	na[*c->n].n = num(v[1]);
	(*c->n)++;
	return 0;
}

static int rp_counts(struct rp_report *rep, const char *sql, struct rp_count **arr, int *n)
{
	struct rp_counts c = { arr, n };
	return q(rep, sql, NULL, 0, cb_count, &c);
}

static int rp_coverage(struct rp_report *rep)
{
	char since[32], until[32];
	const char *p[2] = { since, until };
	snprintf(since, sizeof(since), "%lld", (long long)rep->o->since);
	snprintf(until, sizeof(until), "%lld", (long long)rep->o->until);
	if (q(rep, "SELECT count(*), COALESCE(min(ts_first), 0), COALESCE(max(ts_last), 0),"
		   " COALESCE(sum(transport = 'tcp'), 0),"
		   " COALESCE(sum(transport = 'tcp' AND client_by IN ('syn', 'synack')), 0),"
		   " COALESCE(sum(transport = 'tcp' AND COALESCE(client_by, '') NOT IN ('syn', 'synack')), 0),"
		   " COALESCE(sum(has_tls), 0), COALESCE(sum(vrank = 5), 0),"
		   " COALESCE(sum(ncerts > 0), 0),"
		   " COALESCE(sum(COALESCE(security, 'unknown') = 'unknown'), 0),"
		   " COALESCE(sum(transport = 'udp'), 0) FROM rf", NULL, 0, cb_cov, rep) != 0)
		return -1;
	if (q(rep, "SELECT run_id, source, mode, status, started_at, packets, drops, if_drops FROM runs"
		   " WHERE run_id IN (SELECT DISTINCT run_id FROM rf)"
		   " OR ((CAST(?1 AS INTEGER) < 0 OR ts_last >= CAST(?1 AS INTEGER))"
		   " AND (CAST(?2 AS INTEGER) < 0 OR ts_first < CAST(?2 AS INTEGER)))"
		   " ORDER BY run_id", p, 2, cb_runs, rep) != 0)
		return -1;
	if (rp_counts(rep, "SELECT COALESCE(ver, '(no ServerHello)'), count(*) FROM rf WHERE has_tls = 1"
			   " GROUP BY 1 ORDER BY COALESCE(min(vrank), 99), 1", &rep->versions, &rep->nversions) != 0 ||
	    rp_counts(rep, "SELECT wa_cclass_name(cclass), count(*) FROM rf WHERE has_tls = 1"
			   " AND cipher_id IS NOT NULL GROUP BY 1 ORDER BY min(COALESCE(cclass, -1))",
		      &rep->classes, &rep->nclasses) != 0 ||
	    rp_counts(rep, "SELECT COALESCE(protocol, '(unnamed)'), count(*) FROM rf"
			   " WHERE security IN ('cleartext', 'tls_refused', 'starttls_not_used')"
			   " GROUP BY 1 ORDER BY 2 DESC, 1", &rep->clear_protos, &rep->nclear_protos) != 0 ||
	    rp_counts(rep, "SELECT COALESCE(security, 'unknown'), count(*) FROM rf GROUP BY 1 ORDER BY 2 DESC, 1",
		      &rep->security, &rep->nsecurity) != 0)
		return -1;
	return 0;
}

/* ---- findings ---- */

/* Open-addressing index of findings by "k|server|port|protocol". */
#define RP_HASH 16384
struct rp_index {
	struct rp_finding *slot[RP_HASH];
	int kidx[RP_HASH];
};

static uint64_t rp_fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void rp_gkey(char *buf, size_t len, const char *k, const char *ip, const char *port, const char *proto)
{
	snprintf(buf, len, "%s|%s|%s|%s", k ? k : "", ip ? ip : "", port ? port : "", proto ? proto : "\x01");
}

struct rp_load {
	struct rp_report *rep;
	struct rp_index *ix;
	char **keys;   /* parallel to slots: the group key */
};

static struct rp_finding *rp_find(struct rp_load *L, const char *const *v)
{
	char key[512];
	unsigned h, i;
	rp_gkey(key, sizeof(key), v[0], v[1], v[2], v[3]);
	h = (unsigned)(rp_fnv(key) % RP_HASH);
	for (i = 0; i < RP_HASH; i++, h = (h + 1) % RP_HASH) {
		if (L->ix->slot[h] == NULL)
			return NULL;
		if (strcmp(L->keys[h], key) == 0)
			return L->ix->slot[h];
	}
	return NULL;
}

static const char *const rp_sev[] = { "info", "low", "medium", "high", "critical", NULL };

static const char *rp_sev_bump(const char *s)
{
	int i;
	for (i = 0; rp_sev[i]; i++)
		if (strcmp(rp_sev[i], s) == 0)
			return rp_sev[i + 1] ? rp_sev[i + 1] : rp_sev[i];
	return s;
}

struct rp_fx {
	struct rp_finding f;
	const char *severity;
	int64_t creds;
	char *authm;
	struct jbuf ev;       /* evidence histogram under construction */
	int nev;
	char evt[400];        /* the same, one line */
	int64_t relevant;
};

static int cb_group(int n, const char *const *v, void *a)
{
	struct rp_load *L = a;
	struct rp_report *rep = L->rep;
	struct rp_fx *x;
	struct rp_req *r;
	char key[512];
	unsigned h;
	int k, i;

	if (n < 11)
		return -1;
	k = (int)num(v[0]);
	for (i = 0; i < rep->nreqs; i++)
		if (strcmp(rep->reqs[i].id, rp_kinds[k].req) == 0)
			break;
	if (i == rep->nreqs)
		return 0;
	r = &rep->reqs[i];
	if (r->nfindings >= RP_MAX_FINDINGS) {
		rep->findings_dropped++;
		return 0;
	}
	x = xcalloc(1, sizeof(*x));
	x->f.k = &rp_kinds[k];
	snprintf(x->f.server_ip, sizeof(x->f.server_ip), "%s", v[1] ? v[1] : "");
	x->f.server_port = (int)num(v[2]);
	x->f.protocol = xstrdup(v[3]);
	x->f.flows = num(v[4]);
	x->f.first_seen = num(v[5]);
	x->f.last_seen = num(v[6]);
	x->f.nclients = num(v[7]);
	x->creds = num(v[8]);
	x->authm = xstrdup(v[9]);
	x->severity = rp_kinds[k].severity;
	if (x->creds > 0 && (strcmp(r->id, "12.3.1") == 0 || strcmp(r->id, "12.2.1") == 0 ||
			     strcmp(r->id, "12.3.3") == 0))
		x->severity = rp_sev_bump(x->severity);
	x->f.top = xcalloc((size_t)rep->o->top, sizeof(*x->f.top));
	x->f.sni = xcalloc((size_t)rep->o->top, sizeof(char *));
	jb_init(&x->ev);
	jb_obj_open(&x->ev);
	jb_key(&x->ev, rp_kinds[k].evidence_name);
	jb_obj_open(&x->ev);
	{
		struct rp_finding **nf = realloc(r->findings, sizeof(*nf) * (size_t)(r->nfindings + 1));
		if (nf == NULL)
			return -1;
		r->findings = nf;
		r->findings[r->nfindings++] = &x->f;
	}
	rp_gkey(key, sizeof(key), v[0], v[1], v[2], v[3]);
	h = (unsigned)(rp_fnv(key) % RP_HASH);
	while (L->ix->slot[h])
		h = (h + 1) % RP_HASH;
	L->ix->slot[h] = &x->f;
	L->keys[h] = xstrdup(key);
	(void)v[10];
	return 0;
}

static int cb_clients(int n, const char *const *v, void *a)
{
	struct rp_load *L = a;
	struct rp_finding *f;
	if (n < 6 || (f = rp_find(L, v)) == NULL || f->ntop >= L->rep->o->top)
		return 0;
	snprintf(f->top[f->ntop].ip, sizeof(f->top[f->ntop].ip), "%s", v[4] ? v[4] : "");
	f->top[f->ntop].flows = num(v[5]);
	f->ntop++;
	return 0;
}

static int cb_sni(int n, const char *const *v, void *a)
{
	struct rp_load *L = a;
	struct rp_finding *f;
	if (n < 5 || (f = rp_find(L, v)) == NULL || f->nsni >= L->rep->o->top || v[4] == NULL)
		return 0;
	f->sni[f->nsni++] = xstrdup(v[4]);
	return 0;
}

static int cb_samples(int n, const char *const *v, void *a)
{
	struct rp_load *L = a;
	struct rp_finding *f;
	if (n < 5 || (f = rp_find(L, v)) == NULL || f->nsamples >= RP_SAMPLES)
		return 0;
	f->samples[f->nsamples++] = num(v[4]);
	return 0;
}

static int cb_evidence(int n, const char *const *v, void *a)
{
	struct rp_load *L = a;
	struct rp_fx *x;
	if (n < 6 || (x = (struct rp_fx *)rp_find(L, v)) == NULL || x->nev >= 16)
		return 0;
	jb_key(&x->ev, v[4] ? v[4] : "(none)");
	jb_int(&x->ev, num(v[5]));
	x->nev++;
	{
		size_t l = strlen(x->evt);
		if (l + 8 < sizeof(x->evt))
			snprintf(x->evt + l, sizeof(x->evt) - l, "%s%s=%s", l ? ", " : "",
				 v[4] ? v[4] : "(none)", v[5] ? v[5] : "0");
	}
	return 0;
}

struct rp_relctx {
	struct rp_load *L;
	const char *req;
};

static int cb_relevant(int n, const char *const *v, void *a)
{
	struct rp_relctx *c = a;
	const char *vv[4];
	char kbuf[16];
	struct rp_fx *x;
	int k;
	if (n < 4)
		return 0;
	vv[0] = kbuf;
	vv[1] = v[0];
	vv[2] = v[1];
	vv[3] = v[2];
	for (k = 0; rp_kinds[k].req; k++) {
		if (strcmp(rp_kinds[k].req, c->req) != 0)
			continue;
		snprintf(kbuf, sizeof(kbuf), "%d", k);
		if ((x = (struct rp_fx *)rp_find(c->L, vv)) != NULL)
			x->relevant = num(v[3]);
	}
	return 0;
}

static void rp_finish_evidence(struct rp_report *rep, struct rp_fx *x)
{
	struct rp_finding *f = &x->f;
	char line[512];
	size_t l;

	jb_obj_close(&x->ev);
	if (x->relevant > 0) {
		jb_kv_int(&x->ev, "relevant_flows", x->relevant);
		jb_key(&x->ev, "share");
		{
			char buf[32];
			snprintf(buf, sizeof(buf), "%.4f", (double)f->flows / (double)x->relevant);
			jb_raw(&x->ev, buf);
		}
	}
	if (x->creds > 0) {
		jb_kv_int(&x->ev, "credentials_in_clear", x->creds);
		jb_kv_str(&x->ev, "auth_mechanisms", x->authm);
	}
	jb_obj_close(&x->ev);
	f->evidence = jb_take(&x->ev);
	if (f->evidence == NULL)
		f->evidence = xstrdup("{}");
	l = (size_t)snprintf(line, sizeof(line), "%s: %s", f->k->evidence_name, x->evt);
	if (x->relevant > 0 && l < sizeof(line))
		l += (size_t)snprintf(line + l, sizeof(line) - l, "; %lld of %lld relevant flows",
				      (long long)f->flows, (long long)x->relevant);
	if (x->creds > 0 && l < sizeof(line))
		snprintf(line + l, sizeof(line) - l, "; credentials in clear in %lld flows (%s)",
			 (long long)x->creds, x->authm ? x->authm : "?");
	f->evidence_text = xstrdup(line);
	f->k = x->f.k;
	snprintf(f->key, sizeof(f->key), "%s|%s|%s|%d|%s", f->k->req, f->k->kind, f->server_ip,
		 f->server_port, f->protocol ? f->protocol : "");
	f->failing = f->k->violation;
	(void)rep;
}

static const char grp_cols[] = "k, server_ip, server_port, protocol";

static int rp_findings(struct rp_report *rep)
{
	struct rp_load L;
	char sql[2048], top[16];
	const char *p[1] = { top };
	int i, k;

	/* Select the hits, rule by rule, for the requirements in scope. */
	for (k = 0; rp_kinds[k].req; k++) {
		const struct rp_kind *kd = &rp_kinds[k];
		bool in_scope = false;
		for (i = 0; i < rep->nreqs; i++)
			if (strcmp(rep->reqs[i].id, kd->req) == 0)
				in_scope = true;
		if (!in_scope || kd->min_level > rep->o->level)
			continue;
		snprintf(sql, sizeof(sql),
			 "INSERT INTO rp_hits SELECT flow_id, %d, CAST(%s AS TEXT), server_ip, server_port,"
			 " protocol, client_ip, ts_first, ts_last, sni, creds, authm FROM rf WHERE %s",
			 k, kd->evidence, kd->where);
		if (q_exec(rep, sql) != 0)
			return -1;
	}
	/* Relevance and observability counts per requirement. */
	for (i = 0; i < rep->nreqs; i++) {
		struct rp_req *r = &rep->reqs[i];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM rf WHERE %s", r->relevant);
		if (q(rep, sql, NULL, 0, cb_int1, &r->n_relevant) != 0)
			return -1;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM rf WHERE %s", r->observable);
		if (q(rep, sql, NULL, 0, cb_int1, &r->n_observable) != 0)
			return -1;
	}
	rp_phase(rep, "findings: hits and counts");
	if (q_exec(rep, "CREATE INDEX temp.rp_hits_g ON rp_hits(k, server_ip, server_port, protocol)") != 0)
		return -1;
	memset(&L, 0, sizeof(L));
	L.rep = rep;
	L.ix = xcalloc(1, sizeof(*L.ix));
	L.keys = xcalloc(RP_HASH, sizeof(char *));
	snprintf(top, sizeof(top), "%d", rep->o->top);
	snprintf(sql, sizeof(sql),
		 "SELECT %s, count(*), min(ts_first), max(ts_last), count(DISTINCT client_ip),"
		 " COALESCE(sum(creds), 0), group_concat(DISTINCT authm), 0 FROM rp_hits"
		 " GROUP BY %s ORDER BY k, count(*) DESC, server_ip, server_port LIMIT %d",
		 grp_cols, grp_cols, RP_HASH / 2);
	if (q(rep, sql, NULL, 0, cb_group, &L) != 0)
		goto fail;
	rp_phase(rep, "findings: groups");
	snprintf(sql, sizeof(sql),
		 "SELECT %s, client_ip, n FROM (SELECT %s, client_ip, count(*) AS n,"
		 " row_number() OVER (PARTITION BY %s ORDER BY count(*) DESC, client_ip) AS rn"
		 " FROM rp_hits GROUP BY %s, client_ip) WHERE rn <= CAST(?1 AS INTEGER)",
		 grp_cols, grp_cols, grp_cols, grp_cols);
	if (q(rep, sql, p, 1, cb_clients, &L) != 0)
		goto fail;
	snprintf(sql, sizeof(sql),
		 "SELECT %s, sni FROM (SELECT %s, sni, row_number() OVER (PARTITION BY %s"
		 " ORDER BY count(*) DESC, sni) AS rn FROM rp_hits WHERE sni IS NOT NULL"
		 " GROUP BY %s, sni) WHERE rn <= CAST(?1 AS INTEGER)",
		 grp_cols, grp_cols, grp_cols, grp_cols);
	if (q(rep, sql, p, 1, cb_sni, &L) != 0)
		goto fail;
	snprintf(sql, sizeof(sql),
		 "SELECT %s, flow_id FROM (SELECT %s, flow_id, row_number() OVER (PARTITION BY %s"
		 " ORDER BY flow_id) AS rn FROM rp_hits) WHERE rn <= %d ORDER BY flow_id",
		 grp_cols, grp_cols, grp_cols, RP_SAMPLES);
	if (q(rep, sql, NULL, 0, cb_samples, &L) != 0)
		goto fail;
	snprintf(sql, sizeof(sql),
		 "SELECT %s, ev, n FROM (SELECT %s, ev, count(*) AS n, row_number() OVER (PARTITION BY %s"
		 " ORDER BY count(*) DESC, ev) AS rn FROM rp_hits GROUP BY %s, ev) WHERE rn <= 16"
		 " ORDER BY n DESC, ev",
		 grp_cols, grp_cols, grp_cols, grp_cols);
	if (q(rep, sql, NULL, 0, cb_evidence, &L) != 0)
		goto fail;
	rp_phase(rep, "findings: details");
	/* Relevant flows per server endpoint, for the share of each finding:
	 * one scan per requirement that has findings. */
	for (i = 0; i < rep->nreqs; i++) {
		struct rp_relctx c = { &L, rep->reqs[i].id };
		if (rep->reqs[i].nfindings == 0)
			continue;
		snprintf(sql, sizeof(sql),
			 "SELECT server_ip, server_port, protocol, count(*) FROM rf WHERE %s"
			 " GROUP BY server_ip, server_port, protocol", rep->reqs[i].relevant);
		if (q(rep, sql, NULL, 0, cb_relevant, &c) != 0)
			goto fail;
	}
	for (i = 0; i < rep->nreqs; i++) {
		int j;
		for (j = 0; j < rep->reqs[i].nfindings; j++) {
			struct rp_fx *x = (struct rp_fx *)rep->reqs[i].findings[j];
			struct rp_finding *f = &x->f;
			int c, ni;
			rp_finish_evidence(rep, x);
			/* the severity chosen in cb_group survives in x->severity */
			f->server_internal = (ni = rp_net_lookup(rep, f->server_ip)) >= 0;
			if (ni >= 0) {
				snprintf(f->env, sizeof(f->env), "%s", rep->nets[ni].env);
				snprintf(f->owner, sizeof(f->owner), "%s", rep->nets[ni].owner);
			} else {
				rp_geo_lookup(rep, f->server_ip, &f->geo);
			}
			for (c = 0; c < f->ntop; c++) {
				f->top[c].external = rp_net_lookup(rep, f->top[c].ip) < 0;
				if (f->top[c].external)
					rp_geo_lookup(rep, f->top[c].ip, &f->top[c].geo);
			}
			free(x->authm);
			x->authm = NULL;
		}
	}
	for (i = 0; i < RP_HASH; i++)
		free(L.keys[i]);
	free(L.keys);
	free(L.ix);
	return 0;
fail:
	for (i = 0; i < RP_HASH; i++)
		free(L.keys[i]);
	free(L.keys);
	free(L.ix);
	return -1;
}

/* Severity lives in the wrapper so that kinds stay const data. */
const char *rp_finding_severity(const struct rp_finding *f)
{
	return ((const struct rp_fx *)(const void *)f)->severity;
}

/* ---- waivers ---- */

struct rp_waiver {
	char *req, *kind, *server, *protocol, *reason, *owner;
	int port;               /* -1 any */
	char expires[11];
	int64_t expires_ts;     /* end of that day, UTC */
	int line;
};

static int rp_load_waivers(struct rp_report *rep, const char *path, struct rp_waiver **out, int *nout)
{
	char *buf = read_file(path, NULL), *line, *next;
	struct rp_waiver *w = NULL;
	int n = 0, lineno = 0, rc = 0;
	(void)rep;
	if (buf == NULL)
		return -1;
	for (line = buf; line && rc == 0; line = next) {
		struct rp_tok t[RP_TOK_MAX];
		struct rp_waiver cur;
		const char *why = NULL;
		int nt, i;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		if (strchr(line, '\r'))
			*strchr(line, '\r') = 0;
		nt = rp_tokenize(line, t, &why);
		if (nt < 0)
			goto bad;
		if (nt == 0)
			continue;
		memset(&cur, 0, sizeof(cur));
		cur.port = -1;
		cur.line = lineno;
		if (t[0].key || strcmp(t[0].val, "waive") != 0) {
			why = "a waiver line starts with the word waive";
			goto bad;
		}
		for (i = 1; i < nt; i++) {
			char **slot = NULL;
			const char *k = t[i].key;
			char *v = t[i].val;
			if (k == NULL) {
				why = "expected key=value";
				goto bad;
			}
			if (strcmp(k, "requirement") == 0) slot = &cur.req;
			else if (strcmp(k, "kind") == 0) slot = &cur.kind;
			else if (strcmp(k, "server") == 0) slot = &cur.server;
			else if (strcmp(k, "protocol") == 0) slot = &cur.protocol;
			else if (strcmp(k, "reason") == 0) slot = &cur.reason;
			else if (strcmp(k, "owner") == 0) slot = &cur.owner;
			else if (strcmp(k, "port") == 0) {
				char *end;
				long pv;
				if (cur.port != -1) { why = "repeated key port"; goto bad; }
				errno = 0;
				pv = strtol(v, &end, 10);
				if (errno || end == v || *end || pv < 0 || pv > 65535) {
					why = "port must be 0..65535";
					goto bad;
				}
				cur.port = (int)pv;
				continue;
			} else if (strcmp(k, "expires") == 0) {
				int64_t ts;
				if (cur.expires[0]) { why = "repeated key expires"; goto bad; }
				if (strlen(v) != 10 || v[4] != '-' || v[7] != '-' || (ts = rfc3339_to_ts(v)) < 0) {
					why = "expires must be a date YYYY-MM-DD";
					goto bad;
				}
				snprintf(cur.expires, sizeof(cur.expires), "%s", v);
				cur.expires_ts = ts + 86400LL * 1000000 - 1;
				continue;
			} else {
				why = "unknown key (requirement, kind, server, port, protocol, reason, owner, expires)";
				goto bad;
			}
			if (*slot) {
				why = "repeated key";
				goto bad;
			}
			if (*v == 0) {
				why = "empty value";
				goto bad;
			}
			*slot = v;
		}
		if (!cur.req || !cur.reason || !cur.owner || !cur.expires[0]) {
			why = "requirement, reason, owner and expires are required";
			goto bad;
		}
		for (i = 0; i < rp_nreqs; i++)
			if (strcmp(rp_reqs[i].id, cur.req) == 0)
				break;
		if (i == rp_nreqs) {
			why = "unknown requirement id";
			goto bad;
		}
		if (n >= RP_WAIVERS_MAX) {
			why = "too many waivers";
			goto bad;
		}
		{
			struct rp_waiver *nw = realloc(w, sizeof(*w) * (size_t)(n + 1));
			if (nw == NULL) {
				why = "out of memory";
				goto bad;
			}
			w = nw;
		}
		cur.req = xstrdup(cur.req);
		cur.kind = xstrdup(cur.kind);
		cur.server = xstrdup(cur.server);
		cur.protocol = xstrdup(cur.protocol);
		cur.reason = xstrdup(cur.reason);
		cur.owner = xstrdup(cur.owner);
		w[n++] = cur;
		continue;
bad:
		fprintf(stderr, "wireaudit: %s:%d: %s\n", path, lineno, why);
		rc = -1;
	}
	free(buf);
	*out = w;
	*nout = n;
	return rc;
}

static void rp_apply_waivers(struct rp_report *rep, struct rp_waiver *w, int nw)
{
	int i, j, k;
	for (i = 0; i < rep->nreqs; i++)
		for (j = 0; j < rep->reqs[i].nfindings; j++) {
			struct rp_finding *f = rep->reqs[i].findings[j];
			if (!f->k->violation)
				continue;
			for (k = 0; k < nw; k++) {
				if (strcmp(w[k].req, f->k->req) != 0 ||
				    (w[k].kind && strcmp(w[k].kind, f->k->kind) != 0) ||
				    (w[k].server && strcmp(w[k].server, f->server_ip) != 0) ||
				    (w[k].port >= 0 && w[k].port != f->server_port) ||
				    (w[k].protocol && (f->protocol == NULL || strcmp(w[k].protocol, f->protocol) != 0)))
					continue;
				snprintf(f->waiver_reason, sizeof(f->waiver_reason), "%s", w[k].reason);
				snprintf(f->waiver_owner, sizeof(f->waiver_owner), "%s", w[k].owner);
				snprintf(f->waiver_expires, sizeof(f->waiver_expires), "%s", w[k].expires);
				if (w[k].expires_ts < rep->generated_at) {
					f->waiver_expired = true;
					f->waived = false;
					f->failing = true;
					continue; /* a later, valid waiver may still match */
				}
				f->waived = true;
				f->waiver_expired = false;
				f->failing = false;
				break;
			}
		}
}

/* ---- baseline ---- */

struct rp_base {
	char **keys;
	char **reqs;
	int n;
};

static int cb_base(int n, const char *const *v, void *a)
{
	struct rp_base *b = a;
	char **nk, **nr;
	if (n < 2 || v[0] == NULL || v[1] == NULL || b->n >= 1000000)
		return 0;
	nk = realloc(b->keys, sizeof(char *) * (size_t)(b->n + 1));
	if (nk == NULL)
		return -1;
	b->keys = nk;
	nr = realloc(b->reqs, sizeof(char *) * (size_t)(b->n + 1));
	if (nr == NULL)
		return -1;
	b->reqs = nr;
	b->keys[b->n] = xstrdup(v[1]);
	b->reqs[b->n] = xstrdup(v[0]);
	b->n++;
	return 0;
}

static int rp_apply_baseline(struct rp_report *rep, const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	const char *p[1];
	int64_t ver = -1;
	struct rp_base b = { NULL, NULL, 0 };
	int i, j, k;

	if (text == NULL)
		return -1;
	p[0] = text;
	if (q(rep, "SELECT CASE WHEN json_valid(?1) THEN COALESCE(json_extract(?1, '$.schema_version'), -1)"
		   " ELSE -1 END", p, 1, cb_int1, &ver) != 0 || ver != REPORT_SCHEMA_VERSION) {
		fprintf(stderr, "wireaudit: %s: not a wireaudit JSON report (schema_version %d)\n",
			path, REPORT_SCHEMA_VERSION);
		free(text);
		return -1;
	}
	/* Only what was failing (or waived) before counts as open/resolved. */
	if (q(rep, "SELECT json_extract(r.value, '$.id'), json_extract(f.value, '$.key')"
		   " FROM json_each(?1, '$.requirements') r, json_each(r.value, '$.findings') f"
		   " WHERE json_extract(f.value, '$.severity') != 'info'", p, 1, cb_base, &b) != 0) {
		free(text);
		return -1;
	}
	free(text);
	for (i = 0; i < rep->nreqs; i++)
		for (j = 0; j < rep->reqs[i].nfindings; j++) {
			struct rp_finding *f = rep->reqs[i].findings[j];
			f->baseline = "new";
			for (k = 0; k < b.n; k++)
				if (strcmp(b.keys[k], f->key) == 0) {
					f->baseline = "open";
					break;
				}
		}
	for (k = 0; k < b.n; k++) {
		bool seen = false;
		for (i = 0; i < rep->nreqs && !seen; i++)
			for (j = 0; j < rep->reqs[i].nfindings; j++)
				if (strcmp(rep->reqs[i].findings[j]->key, b.keys[k]) == 0) {
					seen = true;
					break;
				}
		for (i = 0; i < rep->nreqs && !seen; i++)
			if (strcmp(rep->reqs[i].id, b.reqs[k]) == 0) {
				struct rp_req *r = &rep->reqs[i];
				char **nr = realloc(r->resolved, sizeof(char *) * (size_t)(r->nresolved + 1));
				if (nr != NULL) {
					r->resolved = nr;
					r->resolved[r->nresolved++] = xstrdup(b.keys[k]);
				}
				break;
			}
		free(b.keys[k]);
		free(b.reqs[k]);
	}
	free(b.keys);
	free(b.reqs);
	return 0;
}

/* ---- ordering ---- */

static int rp_sev_rank(const char *s)
{
	int i;
	for (i = 0; rp_sev[i]; i++)
		if (strcmp(rp_sev[i], s) == 0)
			return i;
	return 0;
}

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
	if (x->flows != y->flows)
		return x->flows > y->flows ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* ---- driver ---- */

static FILE *rp_open_output(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *fp;
	if (fd < 0) {
		fprintf(stderr, "wireaudit: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	fp = fdopen(fd, "w");
	if (fp == NULL)
		close(fd);
	return fp;
}

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
			free(f);
		}
		free(rep->reqs[i].findings);
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
	}
	free(rep->runs);
#define FREE_COUNTS(a, n) do { for (i = 0; i < (n); i++) free((a)[i].name); free(a); } while (0)
	FREE_COUNTS(rep->versions, rep->nversions);
	FREE_COUNTS(rep->classes, rep->nclasses);
	FREE_COUNTS(rep->clear_protos, rep->nclear_protos);
	FREE_COUNTS(rep->security, rep->nsecurity);
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
	struct rp_report *rep = xcalloc(1, sizeof(*rep));
	struct rp_waiver *wv = NULL;
	int nwv = 0, i, rc = EXIT_OK, n;
	char err[512];
	FILE *out = stdout;
	const char *sde = getenv("SOURCE_DATE_EPOCH");

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
	if (access(o.db, F_OK) != 0) {
		fprintf(stderr, "wireaudit: %s: no such database\n", o.db);
		rc = EXIT_STORE;
		goto out;
	}
	if (store_open(&rep->st, o.db, true, err, sizeof(err)) != 0) {
		fprintf(stderr, "wireaudit: %s\n", err);
		rc = EXIT_STORE;
		goto out;
	}
	/* Requirements in scope at the chosen level. */
	rep->reqs = xcalloc((size_t)rp_nreqs, sizeof(*rep->reqs));
	for (i = 0, n = 0; i < rp_nreqs; i++)
		if (rp_reqs[i].level <= o.level)
			rep->reqs[n++] = rp_reqs[i];
	rep->nreqs = n;
	/* Temporary tables in memory: the report's working set is a few
	 * columns per flow (about 100 MB for 10^6 flows). */
	if (q_exec(rep, "PRAGMA temp_store = MEMORY") != 0 ||
	    q_exec(rep, "PRAGMA cache_size = -262144") != 0) {
		rc = EXIT_STORE;
		goto out;
	}
	rp_phase(rep, NULL);
	if (rp_build_rf(rep) != 0 || rp_phase(rep, "load") || rp_coverage(rep) != 0 ||
	    rp_phase(rep, "coverage") || rp_findings(rep) != 0 || rp_phase(rep, "findings")) {
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
		if (strcmp(r->status, "fail") == 0)
			rep->any_fail = true;
	}
	if (rep->drops > 0 || rep->if_drops > 0)
		rp_note(rep, "packets were dropped during capture: results may be incomplete");
	if (o.output && (out = rp_open_output(o.output)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	switch (o.format) {
	case RF_JSON: n = rp_out_json(rep, out); break;
	case RF_HTML: n = rp_out_html(rep, out); break;
	case RF_MD: n = rp_out_md(rep, out); break;
	case RF_CSV: n = rp_out_csv(rep, out); break;
	default:
		n = rp_out_text(rep, out, o.color == 1 || (o.color < 0 && out == stdout && isatty(STDOUT_FILENO)));
		break;
	}
	if (fflush(out) != 0 || ferror(out))
		n = -1;
	if (out != stdout)
		fclose(out);
	if (n != 0) {
		fprintf(stderr, "wireaudit: cannot write the report\n");
		rc = EXIT_STORE;
		goto out;
	}
	rc = rep->any_fail ? REPORT_EXIT_FAIL : EXIT_OK;
out:
	for (i = 0; i < nwv; i++) {
		free(wv[i].req); free(wv[i].kind); free(wv[i].server);
		free(wv[i].protocol); free(wv[i].reason); free(wv[i].owner);
	}
	free(wv);
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
