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
 *   ja4 kxg          the client's JA4 and the key exchange group (rollup causes)
 * (flow_id is its rowid). One scan of rf evaluates every rule, relevance and
 * observability predicate per flow as bit masks and aggregates the hits in
 * hash tables here (rp_findings): memory grows with what is distinct (finding
 * groups, their clients, SNI and evidence values), not with flows.
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
	o->list = REPORT_LIST_DEFAULT;
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
	      "      --list N           findings and rollups listed per requirement in text,\n"
	      "                         html and md (default 20, 0 all); json/csv hold all\n"
	      "      --color WHEN       auto (default), always, never\n"
	      "Exit status: 0 nothing fails at the level, 6 something fails, 2 usage,\n"
	      "4 database error.\n", out);
}

enum {
	RO_SINCE = 300, RO_UNTIL, RO_INTERNAL, RO_CONFIG, RO_GEOIP, RO_ASN, RO_BASELINE,
	RO_WAIVERS, RO_TOP, RO_COLOR, RO_LIST,
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
	case RO_LIST:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 0 || v > INT_MAX) {
			fprintf(stderr, "wireaudit: report: --list must be a number >= 0 (0: all)\n");
			return EXIT_USAGE;
		}
		o->list = (int)v;
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
static int rp_parse_config(struct rp_report *rep, struct report_opts *o, const char *path,
			   char *buf)
{
	char *line, *next;
	int lineno = 0, rc = 0;
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
	return rc;
}

static int rp_load_config(struct rp_report *rep, struct report_opts *o, const char *path)
{
	char *buf = read_file(path, NULL);
	int rc;
	if (buf == NULL)
		return -1;
	rc = rp_parse_config(rep, o, path, buf);
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

/* Zone lookups memoised by address text: wa_zone and wa_envname run three
 * times per flow, and servers (and many clients) repeat. Direct-mapped. */
#define RP_ZMEMO 4096
static struct rp_zmemo {
	char ip[IPSTR_MAX];
	int idx;
} rp_zmemo[RP_ZMEMO];

static int rp_zone_memo(const struct rp_report *rep, const char *ip)
{
	uint64_t h = 1469598103934665603ULL;
	const char *p;
	struct rp_zmemo *m;
	for (p = ip; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	m = &rp_zmemo[h % RP_ZMEMO];
	if (m->ip[0] && strcmp(m->ip, ip) == 0)
		return m->idx;
	m->idx = rp_net_lookup(rep, ip);
	if ((size_t)(p - ip) < sizeof(m->ip))
		memcpy(m->ip, ip, (size_t)(p - ip) + 1);
	else
		m->ip[0] = 0;
	return m->idx;
}

static int fn_zone(const char *arg, void *user, int64_t *iv, const char **sv)
{
	(void)sv;
	*iv = rp_zone_memo(user, arg);
	return STORE_FN_INT;
}

static int fn_envname(const char *arg, void *user, int64_t *iv, const char **sv)
{
	const struct rp_report *rep = user;
	int i = rp_zone_memo(rep, arg);
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
	if (name && getenv("WIREAUDIT_TIMING")) {
		/* resident memory now, from /proc (Linux; 0 elsewhere) */
		long rss = 0;
		FILE *f = fopen("/proc/self/statm", "r");
		if (f) {
			long size;
			if (fscanf(f, "%ld %ld", &size, &rss) != 2)
				rss = 0;
			fclose(f);
		}
		fprintf(stderr, "wireaudit: report %s: %.3f s (cpu %.3f s), RSS %ld MB\n", name,
			(double)(now - last) / 1e6, (double)(c - lastc) / CLOCKS_PER_SEC,
			rss * (sysconf(_SC_PAGESIZE) / 1024) / 1024);
	}
	last = now;
	lastc = c;
	return 0;
}

/* ---- queries ---- */

/* WIREAUDIT_TIMING=2 also prints the time of each query. */
static int q(struct rp_report *rep, const char *sql, const char *const *p, int np,
	     int (*cb)(int, const char *const *, void *), void *arg)
{
	const char *t = getenv("WIREAUDIT_TIMING");
	int64_t t0 = now_us();
	clock_t c0 = clock();
	int rc = store_query(rep->st, sql, p, np, cb, arg);
	if (t && strcmp(t, "2") == 0)
		fprintf(stderr, "wireaudit: query %.3f s (cpu %.3f s): %.100s\n",
			(double)(now_us() - t0) / 1e6, (double)(clock() - c0) / CLOCKS_PER_SEC, sql);
	return rc;
}

static int q_exec(struct rp_report *rep, const char *sql)
{
	return q(rep, sql, NULL, 0, NULL, NULL);
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

/* rf is built in two statements: flows with a TLS object, then the others,
 * which need no TLS extraction at all (their TLS columns are the constants
 * the TLS expressions give for a NULL object: has_tls 0, cipher '0x0000',
 * alpn_http 0, ncerts 0, NULL elsewhere). flow_id is rf's rowid, so rf is
 * scanned in flow_id order whatever the order of insertion. */
static const char rf_create_sql[] =
	"CREATE TEMP TABLE rf (flow_id INTEGER PRIMARY KEY, run_id INT, ts_first INT, ts_last INT,"
	" transport TEXT, client_ip TEXT, server_ip TEXT, server_port INT, protocol TEXT, security TEXT,"
	" client_by TEXT, cz, sz, senvname, has_tls, ver, vrank, cmax, c13, cipher_id, cipher, cclass, cfs,"
	" best_off, sni, ech, sreq, stapled, ocsp_status, ccert, est, trusted, terr, tbe, hmatch, cacc,"
	" cctrusted, ccterr, dh_bits, alpn_http, crej, leaf TEXT, ncerts, leaf_ss, creds, authm, user, redir,"
	" http_host, tlsform, ja4, kxg)";

/* Each stored object is parsed once: one multi-path json_extract() per
 * object returns a small array (tj / cj) that the outer query picks apart
 * (SQLite 3.40 caches a parse per call site only, and TLS objects are a few
 * kilobytes). */
static const char rf_tls_sql[] =
	"INSERT INTO rf WITH x AS MATERIALIZED (SELECT f.flow_id, f.run_id, f.ts_first,"
	"  f.ts_last, f.transport, f.client_ip,"
	"  f.server_ip, f.server_port, f.protocol, f.security, f.client_by,"
	"  wa_zone(f.client_ip) AS cz, wa_zone(f.server_ip) AS sz, wa_envname(f.server_ip) AS senvname,"
	"  (t.obj IS NOT NULL) AS has_tls,"
	"  CASE WHEN t.obj IS NOT NULL THEN json_extract(t.obj, '$.version', '$.client_versions',"
	"   '$.cipher_id', '$.cipher', '$.client_ciphers', '$.sni', '$.ech', '$.status_request',"
	"   '$.ocsp_stapled', '$.ocsp_status', '$.client_cert', '$.established', '$.chain_trusted',"
	"   '$.trust_error', '$.trusted_by_extra_ca', '$.hostname_match', '$.client_accepted_untrusted',"
	"   '$.client_chain_trusted', '$.client_trust_error', '$.dh_bits', '$.alpn',"
	"   '$.leaf_self_signed', '$.client_rejected_cert', '$.ja4', '$.kx_group') END AS tj,"
	"  CASE WHEN ct.obj IS NOT NULL THEN json_extract(ct.obj, '$.credentials', '$.auth_mechanism',"
	"   '$.user', '$.details.redirect_to_https', '$.details.host') END AS cj,"
	"  CASE WHEN t.obj IS NOT NULL THEN (SELECT fc.sha256 FROM flow_certs fc WHERE fc.flow_id = f.flow_id"
	"   AND fc.side = 0 AND fc.idx = 0) END AS leaf,"
	"  CASE WHEN t.obj IS NOT NULL THEN (SELECT count(*) FROM flow_certs fc WHERE fc.flow_id = f.flow_id"
	"   AND fc.side = 0) ELSE 0 END AS ncerts,"
	"  wa_tlsform(f.protocol) AS tlsform"
	"  FROM tls t CROSS JOIN flows f ON f.flow_id = t.flow_id"
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
	" json_extract(cj, '$[4]') AS http_host, x.tlsform,"
	" json_extract(tj, '$[23]') AS ja4, json_extract(tj, '$[24]') AS kxg"
	" FROM x";


/* Cleartext objects are small: SQLite 3.40 parses one once per row for the
 * five paths (measured: five single-path calls cost what one multi-path
 * call does), so no materialised array here. */
static const char rf_other_sql[] =
	"INSERT INTO rf SELECT f.flow_id, f.run_id, f.ts_first, f.ts_last, f.transport, f.client_ip,"
	" f.server_ip, f.server_port, f.protocol, f.security, f.client_by,"
	" wa_zone(f.client_ip), wa_zone(f.server_ip), wa_envname(f.server_ip),"
	" 0, NULL, NULL, NULL, NULL, NULL, '0x0000', NULL, NULL, NULL,"
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
	" 0, NULL, NULL, 0, NULL,"
	" json_extract(ct.obj, '$.credentials'), json_extract(ct.obj, '$.auth_mechanism'),"
	" json_extract(ct.obj, '$.user'), json_extract(ct.obj, '$.details.redirect_to_https'),"
	" json_extract(ct.obj, '$.details.host'), wa_tlsform(f.protocol), NULL, NULL"
	" FROM flows f LEFT JOIN cleartext ct ON ct.flow_id = f.flow_id"
	" WHERE NOT EXISTS (SELECT 1 FROM tls t WHERE t.flow_id = f.flow_id)"
	" AND (CAST(?1 AS INTEGER) < 0 OR f.ts_last >= CAST(?1 AS INTEGER))"
	" AND (CAST(?2 AS INTEGER) < 0 OR f.ts_first < CAST(?2 AS INTEGER))";

static int rp_build_mixed(struct rp_report *rep);

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
	memset(rp_zmemo, 0, sizeof(rp_zmemo));
	if (q_exec(rep, rf_create_sql) != 0 || q(rep, rf_tls_sql, p, 2, cb_noop, NULL) != 0 ||
	    q(rep, rf_other_sql, p, 2, cb_noop, NULL) != 0)
		return -1;
	if (rp_build_mixed(rep) != 0 ||
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
	    q_exec(rep, "CREATE TEMP TABLE rp_runs (run_id INTEGER PRIMARY KEY)") != 0)
		return -1;
	return 0;
}

/* ---- coverage ---- */

static int cb_runs(int n, const char *const *v, void *a)
{
	struct rp_report *rep = a;
	struct rp_run_info *r, *nr;
	if (n < 8)
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
	if (n < 2)
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

/* The flow counts, the cleartext protocols, the security states and the
 * runs with flows in the window come from the findings scan (rp_findings,
 * which runs first); the TLS version and cipher class histograms are GROUP
 * BY queries over the TLS flows only. */
static int rp_coverage(struct rp_report *rep)
{
	char since[32], until[32];
	const char *p[2] = { since, until };
	snprintf(since, sizeof(since), "%lld", (long long)rep->o->since);
	snprintf(until, sizeof(until), "%lld", (long long)rep->o->until);
	if (q(rep, "SELECT run_id, source, mode, status, started_at, packets, drops, if_drops FROM runs"
		   " WHERE run_id IN (SELECT run_id FROM rp_runs)"
		   " OR ((CAST(?1 AS INTEGER) < 0 OR ts_last >= CAST(?1 AS INTEGER))"
		   " AND (CAST(?2 AS INTEGER) < 0 OR ts_first < CAST(?2 AS INTEGER)))"
		   " ORDER BY run_id", p, 2, cb_runs, rep) != 0)
		return -1;
	if (rp_counts(rep, "SELECT COALESCE(ver, '(no ServerHello)'), count(*) FROM rf WHERE has_tls = 1"
			   " GROUP BY 1 ORDER BY COALESCE(min(vrank), 99), 1", &rep->versions, &rep->nversions) != 0 ||
	    rp_counts(rep, "SELECT wa_cclass_name(cclass), count(*) FROM rf WHERE has_tls = 1"
			   " AND cipher_id IS NOT NULL GROUP BY 1 ORDER BY min(COALESCE(cclass, -1))",
		      &rep->classes, &rep->nclasses) != 0)
		return -1;
	return 0;
}

/* ---- findings ---- */

static const char *const rp_sev[] = { "info", "low", "medium", "high", "critical", NULL };

static const char *rp_sev_bump(const char *s)
{
	int i;
	for (i = 0; rp_sev[i]; i++)
		if (strcmp(rp_sev[i], s) == 0)
			return rp_sev[i + 1] ? rp_sev[i + 1] : rp_sev[i];
	return s;
}

static int rp_sev_rank(const char *s)
{
	int i;
	for (i = 0; rp_sev[i]; i++)
		if (strcmp(rp_sev[i], s) == 0)
			return i;
	return 0;
}

/* A finding and what only the report pass needs of it. */
struct rp_fx {
	struct rp_finding f;
	const char *severity;
	int64_t creds;
	size_t gi;              /* its group in the scan (details are filled from it) */
};

static uint64_t rp_fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* One scan of rf evaluates every rule, relevance and observability
 * predicate per flow (one SELECT with a bit mask per family) and the
 * aggregation happens here, in hash tables that grow with what is distinct
 * (servers, finding groups, (group, client) pairs, SNI, evidence and cause
 * values), not with flows. Nothing here has a fixed size: every table
 * grows, and the only limit (RP_MAX_GROUPS) stops the report with an error
 * rather than dropping anything. Every group becomes a finding, so a
 * requirement's status never depends on how many findings there are. */

/* A growing string for the scan's SQL text. */
struct rp_sb {
	char *s;
	size_t len, cap;
};

static void rp_sb_add(struct rp_sb *b, const char *t)
{
	size_t n = strlen(t);
	if (b->len + n + 1 > b->cap) {
		size_t nc = (b->len + n + 1) * 2;
		char *ns = realloc(b->s, nc);
		if (ns == NULL) {
			fprintf(stderr, "wireaudit: out of memory\n");
			exit(EXIT_STORE);
		}
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->len, t, n + 1);
	b->len += n;
}

#define RP_AUTHM_MAX 8       /* distinct auth mechanisms named per finding (all are counted) */
#define RP_MAX_GROUPS (1 << 26)   /* finding groups and rollups: 28-bit map keys; beyond, exit 4 */

/* Open-addressing map, 64-bit key (never 0) to a 64-bit value. */
struct rp_ent {
	uint64_t key;
	int64_t val;
};

struct rp_map {
	struct rp_ent *e;       /* key and value side by side: one cache miss */
	size_t cap, n;
};

static uint64_t rp_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static void rp_map_grow(struct rp_map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 4096, i, j;
	struct rp_ent *ne = xcalloc(ncap, sizeof(*ne));
	for (i = 0; i < m->cap; i++) {
		if (m->e[i].key == 0)
			continue;
		for (j = rp_mix(m->e[i].key) & (ncap - 1); ne[j].key; j = (j + 1) & (ncap - 1))
			;
		ne[j] = m->e[i];
	}
	free(m->e);
	m->e = ne;
	m->cap = ncap;
}

/* The value slot of key, created as 0 when absent (*fresh set). */
static int64_t *rp_map_at(struct rp_map *m, uint64_t key, bool *fresh)
{
	size_t j;
	if ((m->n + 1) * 2 > m->cap)
		rp_map_grow(m);
	for (j = rp_mix(key) & (m->cap - 1); m->e[j].key; j = (j + 1) & (m->cap - 1))
		if (m->e[j].key == key) {
			if (fresh)
				*fresh = false;
			return &m->e[j].val;
		}
	m->e[j].key = key;
	m->e[j].val = 0;
	m->n++;
	if (fresh)
		*fresh = true;
	return &m->e[j].val;
}

static const int64_t *rp_map_get(const struct rp_map *m, uint64_t key)
{
	size_t j;
	if (m->cap == 0)
		return NULL;
	for (j = rp_mix(key) & (m->cap - 1); m->e[j].key; j = (j + 1) & (m->cap - 1))
		if (m->e[j].key == key)
			return &m->e[j].val;
	return NULL;
}

static void rp_map_free(struct rp_map *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}

/* Interned strings: id 0 is SQL NULL. */
struct rp_strs {
	char **s;
	size_t n, cap;
	struct rp_map ix;    /* fnv(string) chained through probing: key hash, value id */
};

static uint32_t rp_str_id(struct rp_strs *t, const char *s, bool add)
{
	uint64_t h;
	size_t j;
	if (s == NULL)
		return 0;
	h = rp_fnv(s) | 1;
	if (t->ix.cap == 0 || (t->ix.n + 1) * 2 > t->ix.cap) {
		if (!add && t->ix.cap == 0)
			return UINT32_MAX;
		rp_map_grow(&t->ix);
	}
	/* the map is keyed by the hash; equal hashes of different strings
	 * probe on (values are ids, compared by text) */
	for (j = rp_mix(h) & (t->ix.cap - 1); t->ix.e[j].key; j = (j + 1) & (t->ix.cap - 1))
		if (t->ix.e[j].key == h && strcmp(t->s[t->ix.e[j].val], s) == 0)
			return (uint32_t)t->ix.e[j].val;
	if (!add)
		return UINT32_MAX;
	if (t->n + 1 >= t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 1024;
		char **ns = realloc(t->s, nc * sizeof(*ns));
		if (ns == NULL) {
			fprintf(stderr, "wireaudit: out of memory\n");
			exit(EXIT_STORE);
		}
		t->s = ns;
		t->cap = nc;
		if (t->n == 0)
			t->s[t->n++] = NULL; /* id 0 */
	}
	t->s[t->n] = xstrdup(s);
	t->ix.e[j].key = h;
	t->ix.e[j].val = (int64_t)t->n;
	t->ix.n++;
	return (uint32_t)t->n++;
}

static const char *rp_str(const struct rp_strs *t, uint32_t id)
{
	return id == 0 ? NULL : t->s[id];
}

static void rp_strs_free(struct rp_strs *t)
{
	size_t i;
	for (i = 1; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	rp_map_free(&t->ix);
}

static void rp_gkey(char *buf, size_t len, const char *k, const char *ip, const char *port, const char *proto)
{
	snprintf(buf, len, "%s|%s|%s|%s", k ? k : "", ip ? ip : "", port ? port : "", proto ? proto : "\x01");
}

/* The key of a server endpoint in rp_strs: "|ip||protocol|port". */
static void rp_srv_key(char *key, size_t len, const char *ip, int port, const char *proto)
{
	size_t l = 0, n;
	char num[16], *d = num + sizeof(num);
	unsigned u = (unsigned)port;

	/* per flow: no snprintf */
	if (proto == NULL)
		proto = "\x01";
	*--d = 0;
	do
		*--d = (char)('0' + u % 10);
	while ((u /= 10) != 0 && d > num);
	n = strlen(ip);
	if (n + strlen(proto) + strlen(d) + 5 > len) {
		rp_gkey(key, len, "", ip, d, proto);
		return;
	}
	key[l++] = '|';
	memcpy(key + l, ip, n);
	l += n;
	key[l++] = '|';
	key[l++] = '|';
	n = strlen(proto);
	memcpy(key + l, proto, n);
	l += n;
	key[l++] = '|';
	n = strlen(d);
	memcpy(key + l, d, n + 1);
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
		M->ip[id] = xstrdup(ip ? ip : "");
		M->proto[id] = xstrdup(proto);
		M->port[id] = port;
		M->n = id;
	}
	*rp_map_at(&M->flags, id, NULL) |= bit;
	return 0;
}

/* rp_mixed: the server endpoints (address, port, protocol) seen both
 * encrypted and in clear, from one pass over rf and a hash of endpoints
 * (a GROUP BY of every flow by three text columns was a sort of 10^6 rows). */
static int rp_build_mixed(struct rp_report *rep)
{
	struct rp_mixctx M;
	size_t i;
	int rc;

	memset(&M, 0, sizeof(M));
	/* indexed: the 12.3.1 fallback rule looks a flow's server up in it,
	 * and a scan of it per flow made the report quadratic in servers */
	rc = q_exec(rep, "CREATE TEMP TABLE rp_mixed (server_ip TEXT, server_port INT, protocol TEXT)");
	if (rc == 0)
		rc = q_exec(rep, "CREATE INDEX rp_mixed_ix ON rp_mixed (server_ip, server_port)");
	if (rc == 0)
		rc = store_query_rows(rep->st, "SELECT server_ip, server_port, protocol, security FROM rf"
				      " WHERE security IN ('tls', 'starttls', 'app_encrypted', 'cleartext', 'tls_refused',"
				      " 'starttls_not_used')", NULL, 0, cb_mixed, &M);
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
		rc = q(rep, "INSERT INTO rp_mixed VALUES (?1, CAST(?2 AS INTEGER), ?3)", p, 3, cb_noop, NULL);
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

struct rp_srv {
	uint32_t ip, proto;     /* ids in strs (proto 0: NULL) */
	int port;
};

/* One finding group: a rule kind at one server endpoint. */
struct rp_grp {
	int k;
	uint32_t sid;
	int64_t flows, tf, tl, creds, nclients;
	int64_t samples[RP_SAMPLES];
	int nsamples;
	uint32_t authm[RP_AUTHM_MAX];
	int nauthm;
	bool authm_more;        /* more distinct mechanisms than RP_AUTHM_MAX */
	int64_t sel;            /* index among the findings given details, -1 none */
};

/* One rollup: a rule kind with one cause value, across servers. */
struct rp_roll {
	int k;
	uint32_t cause;         /* id in strs */
	int64_t flows, nservers, nclients;
};

/* A top list entry (count, interned string), kept sorted. */
struct rp_top {
	int64_t n;
	uint32_t id;
};

enum { RP_T_CLIENT = 1, RP_T_SNI = 2, RP_T_EV = 3, RP_T_REL = 4, RP_T_GRP = 5, RP_T_SEC = 6,
       RP_T_CPROTO = 7, RP_T_RUN = 8, RP_T_ROLL = 9, RP_T_RSRV = 10, RP_T_RCLI = 11,
       RP_T_VSRV = 12, RP_T_VCLI = 13, RP_T_FSRV = 14 };
#define RP_COL_EV 16   /* first evidence column of the scan; cause columns follow */

struct rp_scan {
	struct rp_report *rep;
	struct rp_strs strs;    /* clients, SNI, evidence, causes, servers, protocols, auth mechanisms */
	struct rp_strs srvkeys; /* "|ip||proto|port" */
	struct rp_srv *srv;
	size_t nsrv, capsrv;
	struct rp_grp *grp;
	size_t ngrp, capgrp;
	struct rp_roll *roll;
	size_t nroll, caproll;
	struct rp_map m;        /* (tag, group/rollup/requirement, id) -> count; (GRP, k, sid) -> group */
	int evcol[64];          /* kind -> evidence column */
	int causecol[64];       /* kind -> cause column */
	int kreq[64];           /* kind -> requirement index (in scope) */
	int nreq;
	int64_t last_run;
	bool overflow;
};

static uint64_t rp_key(int tag, uint64_t a, uint64_t b)
{
	return ((uint64_t)tag << 60) | (a << 32) | b;
}

/* Coverage counters of one flow (the columns after the masks). */
static void rp_scan_coverage(struct rp_scan *S, const struct store_row *r)
{
	struct rp_report *rep = S->rep;
	int64_t cov = store_col_int(r, 13), tf = store_col_int(r, 2), tl = store_col_int(r, 3);
	const char *sec = store_col_text(r, 14);
	uint32_t id;

	if (rep->flows == 0 || tf < rep->win_first)
		rep->win_first = tf;
	if (rep->flows == 0 || tl > rep->win_last)
		rep->win_last = tl;
	rep->flows++;
	rep->flows_tcp += (cov & 1) != 0;
	rep->flows_handshake += (cov & 2) != 0;
	rep->flows_midstream += (cov & 4) != 0;
	rep->tls_flows += (cov & 8) != 0;
	rep->tls13_flows += (cov & 16) != 0;
	rep->tls_certs_seen += (cov & 32) != 0;
	rep->unknown_security += (cov & 64) != 0;
	rep->flows_udp += (cov & 128) != 0;
	id = rp_str_id(&S->strs, sec ? sec : "unknown", true);
	(*rp_map_at(&S->m, rp_key(RP_T_SEC, 0, id), NULL))++;
	if (cov & 256) {
		const char *pr = store_col_text(r, 9);
		id = rp_str_id(&S->strs, pr ? pr : "(unnamed)", true);
		(*rp_map_at(&S->m, rp_key(RP_T_CPROTO, 0, id), NULL))++;
	}
	if (!store_col_null(r, 15) && store_col_int(r, 15) != S->last_run) {
		S->last_run = store_col_int(r, 15);
		*rp_map_at(&S->m, rp_key(RP_T_RUN, 0, (uint64_t)S->last_run & 0xffffffffULL), NULL) =
			S->last_run;
	}
}

/* Grows an array of n elements of size sz to hold one more. */
static void *rp_grow(void *a, size_t *cap, size_t n, size_t sz)
{
	void *na;
	size_t nc;
	if (n < *cap)
		return a;
	nc = *cap ? *cap * 2 : 64;
	na = realloc(a, nc * sz);
	if (na == NULL) {
		fprintf(stderr, "wireaudit: out of memory\n");
		exit(EXIT_STORE);
	}
	*cap = nc;
	return na;
}

/* The index stored under key, numbered 0.. in order of first use (*n
 * counts them; *fresh says this call made it); -1 past RP_MAX_GROUPS. */
static int64_t rp_scan_index(struct rp_scan *S, uint64_t key, size_t *n, bool *fresh)
{
	int64_t *ix = rp_map_at(&S->m, key, fresh);
	if (*fresh) {
		if (*n >= RP_MAX_GROUPS) {
			S->overflow = true;
			return -1;
		}
		*ix = (int64_t)(*n)++;
	}
	return *ix;
}

/* The group of kind k at server sid, created on first use; -1 at the cap. */
static int64_t rp_scan_group(struct rp_scan *S, int k, uint32_t sid)
{
	bool fresh;
	int64_t gi = rp_scan_index(S, rp_key(RP_T_GRP, (uint64_t)k, sid), &S->ngrp, &fresh);
	if (gi >= 0 && fresh) {
		S->grp = rp_grow(S->grp, &S->capgrp, (size_t)gi, sizeof(*S->grp));
		memset(&S->grp[gi], 0, sizeof(S->grp[0]));
		S->grp[gi].k = k;
		S->grp[gi].sid = sid;
	}
	return gi;
}

/* The rollup of kind k with cause id c, created on first use; -1 at the cap. */
static int64_t rp_scan_rollup(struct rp_scan *S, int k, uint32_t c)
{
	bool fresh;
	int64_t ri = rp_scan_index(S, rp_key(RP_T_ROLL, (uint64_t)k, c), &S->nroll, &fresh);
	if (ri >= 0 && fresh) {
		S->roll = rp_grow(S->roll, &S->caproll, (size_t)ri, sizeof(*S->roll));
		memset(&S->roll[ri], 0, sizeof(S->roll[0]));
		S->roll[ri].k = k;
		S->roll[ri].cause = c;
	}
	return ri;
}

static int cb_scan(const struct store_row *r, void *arg)
{
	struct rp_scan *S = arg;
	struct rp_report *rep = S->rep;
	int64_t flow_id = store_col_int(r, 0);
	const char *cip = store_col_text(r, 1);
	uint64_t relm = (uint64_t)store_col_int(r, 10), obsm = (uint64_t)store_col_int(r, 11);
	uint64_t hitm = (uint64_t)store_col_int(r, 12), vm = 0;
	const char *sip, *proto;
	char key[IPSTR_MAX + 80];
	uint32_t sid, id, cid;
	int port, i, k;

	rp_scan_coverage(S, r);
	if ((relm | hitm) == 0) {
		for (i = 0; i < S->nreq; i++)
			if (obsm & (1ULL << i))
				rep->reqs[i].n_observable++;
		return 0;
	}
	sip = store_col_text(r, 7);
	port = (int)store_col_int(r, 8);
	proto = store_col_text(r, 9);
	rp_srv_key(key, sizeof(key), sip ? sip : "", port, proto);
	id = rp_str_id(&S->srvkeys, key, true);
	if (id >= S->nsrv + 1) {
		/* new server endpoint: ids of srvkeys are 1.. in order */
		S->srv = rp_grow(S->srv, &S->capsrv, S->nsrv + 1, sizeof(*S->srv));
		S->srv[id].ip = rp_str_id(&S->strs, sip ? sip : "", true);
		S->srv[id].proto = rp_str_id(&S->strs, proto, true);
		S->srv[id].port = port;
		S->nsrv = id;
	}
	sid = id;
	for (i = 0; i < S->nreq; i++) {
		if (obsm & (1ULL << i))
			rep->reqs[i].n_observable++;
		if (relm & (1ULL << i)) {
			rep->reqs[i].n_relevant++;
			(*rp_map_at(&S->m, rp_key(RP_T_REL, (uint64_t)i, sid), NULL))++;
		}
	}
	if (hitm == 0)
		return 0;
	cid = rp_str_id(&S->strs, cip ? cip : "", true);
	for (k = 0; hitm; k++, hitm >>= 1) {
		struct rp_grp *g;
		struct rp_roll *ro;
		int64_t gid, rid, tf, tl;
		const char *authm;
		int j;
		if (!(hitm & 1))
			continue;
		if ((gid = rp_scan_group(S, k, sid)) < 0)
			return -1;
		g = &S->grp[gid];
		tf = store_col_int(r, 2);
		tl = store_col_int(r, 3);
		if (g->flows == 0 || tf < g->tf)
			g->tf = tf;
		if (g->flows == 0 || tl > g->tl)
			g->tl = tl;
		g->flows++;
		g->creds += store_col_int(r, 5);
		if ((authm = store_col_text(r, 6)) != NULL) {
			id = rp_str_id(&S->strs, authm, true);
			for (j = 0; j < g->nauthm && g->authm[j] != id; j++)
				;
			if (j == g->nauthm) {
				if (g->nauthm < RP_AUTHM_MAX)
					g->authm[g->nauthm++] = id;
				else
					g->authm_more = true;
			}
		}
		/* the RP_SAMPLES smallest flow ids */
		if (g->nsamples < RP_SAMPLES || flow_id < g->samples[RP_SAMPLES - 1]) {
			j = g->nsamples < RP_SAMPLES ? g->nsamples++ : RP_SAMPLES - 1;
			for (; j > 0 && g->samples[j - 1] > flow_id; j--)
				g->samples[j] = g->samples[j - 1];
			g->samples[j] = flow_id;
		}
		if (++*rp_map_at(&S->m, rp_key(RP_T_CLIENT, (uint64_t)gid, cid), NULL) == 1)
			g->nclients++;
		if (!store_col_null(r, 4)) {
			id = rp_str_id(&S->strs, store_col_text(r, 4), true);
			(*rp_map_at(&S->m, rp_key(RP_T_SNI, (uint64_t)gid, id), NULL))++;
		}
		id = rp_str_id(&S->strs, store_col_text(r, RP_COL_EV + S->evcol[k]), true);
		(*rp_map_at(&S->m, rp_key(RP_T_EV, (uint64_t)gid, id), NULL))++;
		/* the rollup by cause */
		id = rp_str_id(&S->strs, store_col_text(r, S->causecol[k]), true);
		if ((rid = rp_scan_rollup(S, k, id)) < 0)
			return -1;
		ro = &S->roll[rid];
		ro->flows++;
		if (++*rp_map_at(&S->m, rp_key(RP_T_RSRV, (uint64_t)rid, sid), NULL) == 1)
			ro->nservers++;
		if (++*rp_map_at(&S->m, rp_key(RP_T_RCLI, (uint64_t)rid, cid), NULL) == 1)
			ro->nclients++;
		if (rp_kinds[k].violation)
			vm |= 1ULL << S->kreq[k];
	}
	/* the requirements this flow violates (before waivers) */
	for (i = 0; vm; i++, vm >>= 1) {
		struct rp_req *q = &rep->reqs[i];
		bool fresh;
		if (!(vm & 1))
			continue;
		q->v_flows++;
		rp_map_at(&S->m, rp_key(RP_T_VSRV, (uint64_t)i, sid), &fresh);
		q->v_servers += fresh;
		rp_map_at(&S->m, rp_key(RP_T_VCLI, (uint64_t)i, cid), &fresh);
		q->v_clients += fresh;
	}
	return 0;
}

/* Strings compare as SQLite's BINARY collation does, NULL first. */
static int rp_strcmp_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static struct rp_scan *rp_sort_ctx;

/* ORDER BY k, count(*) DESC, server_ip, server_port (then protocol) */
static int rp_cmp_grp(const void *a, const void *b)
{
	const struct rp_scan *S = rp_sort_ctx;
	const struct rp_grp *x = &S->grp[*(const size_t *)a], *y = &S->grp[*(const size_t *)b];
	const struct rp_srv *sx = &S->srv[x->sid], *sy = &S->srv[y->sid];
	int c;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	if (x->flows != y->flows)
		return x->flows > y->flows ? -1 : 1;
	if ((c = strcmp(rp_str(&S->strs, sx->ip), rp_str(&S->strs, sy->ip))) != 0)
		return c;
	if (sx->port != sy->port)
		return sx->port < sy->port ? -1 : 1;
	return rp_strcmp_null(rp_str(&S->strs, sx->proto), rp_str(&S->strs, sy->proto));
}

/* Inserts (n, id) into a top list of at most max entries ordered by count
 * descending, then string ascending (NULL first). */
static void rp_top_add(const struct rp_strs *t, struct rp_top *top, int *ntop, int max,
		       int64_t n, uint32_t id)
{
	int j = *ntop;
	if (j == max) {
		const struct rp_top *w = &top[max - 1];
		if (n < w->n || (n == w->n && rp_strcmp_null(rp_str(t, id), rp_str(t, w->id)) > 0))
			return;
		j = max - 1;
	} else {
		(*ntop)++;
	}
	for (; j > 0 && (top[j - 1].n < n || (top[j - 1].n == n &&
		rp_strcmp_null(rp_str(t, top[j - 1].id), rp_str(t, id)) > 0)); j--)
		top[j] = top[j - 1];
	top[j].n = n;
	top[j].id = id;
}

static int rp_cmp_count(const void *a, const void *b)
{
	const struct rp_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* A histogram of the scan as rp_counts would load "GROUP BY 1 ORDER BY 2
 * DESC, 1": count descending, then name; every value. */
static int rp_scan_counts(struct rp_scan *S, int tag, struct rp_count **arr, int *n)
{
	struct rp_count *all = NULL;
	size_t na = 0, cap = 0, j;
	for (j = 0; j < S->m.cap; j++) {
		if (S->m.e[j].key == 0 || (int)(S->m.e[j].key >> 60) != tag)
			continue;
		all = rp_grow(all, &cap, na, sizeof(*all));
		all[na].name = S->strs.s[S->m.e[j].key & 0xffffffffULL];
		all[na].n = S->m.e[j].val;
		na++;
	}
	if (na > 1)
		qsort(all, na, sizeof(*all), rp_cmp_count);
	*arr = xcalloc(na ? na : 1, sizeof(**arr));
	for (j = 0; j < na; j++) {
		(*arr)[j].name = xstrdup(all[j].name);
		(*arr)[j].n = all[j].n;
	}
	*n = (int)na;
	free(all);
	return 0;
}

/* Per selected group (sel >= 0), the top lists of its clients (top), SNI
 * names (top) and evidence values (RP_EVIDENCE_MAX), laid out exactly: a
 * first pass over the map counts the entries each list will hold. */
struct rp_tops {
	struct rp_top *t;
	size_t *off;            /* [3 * group + list] -> first entry */
	int *n;                 /* [3 * group + list] -> entries */
};

static void rp_build_tops(struct rp_scan *S, int top, size_t nsel, struct rp_tops *T)
{
	size_t j, total = 0, nl = 3 * nsel;
	int max[3];
	max[0] = top;
	max[1] = top;
	max[2] = RP_EVIDENCE_MAX;
	T->off = xcalloc(nl + 1, sizeof(*T->off));
	T->n = xcalloc(nl ? nl : 1, sizeof(*T->n));
	for (j = 0; j < S->m.cap; j++) {
		uint64_t key = S->m.e[j].key;
		int tag = (int)(key >> 60);
		size_t l;
		if (key == 0 || tag < RP_T_CLIENT || tag > RP_T_EV ||
		    S->grp[(key >> 32) & 0x0fffffffULL].sel < 0)
			continue;
		l = 3 * (size_t)S->grp[(key >> 32) & 0x0fffffffULL].sel + (size_t)(tag - 1);
		if (T->n[l] < max[tag - 1])
			T->n[l]++;
	}
	for (j = 0; j < nl; j++) {
		T->off[j] = total;
		total += (size_t)T->n[j];
		T->n[j] = 0;
	}
	T->off[nl] = total;
	T->t = xcalloc(total ? total : 1, sizeof(*T->t));
	for (j = 0; j < S->m.cap; j++) {
		uint64_t key = S->m.e[j].key;
		int tag = (int)(key >> 60);
		size_t l;
		if (key == 0 || tag < RP_T_CLIENT || tag > RP_T_EV ||
		    S->grp[(key >> 32) & 0x0fffffffULL].sel < 0)
			continue;
		l = 3 * (size_t)S->grp[(key >> 32) & 0x0fffffffULL].sel + (size_t)(tag - 1);
		rp_top_add(&S->strs, T->t + T->off[l], &T->n[l], max[tag - 1], S->m.e[j].val,
			   (uint32_t)(key & 0xffffffffULL));
	}
}

/* The finding of group gi: what statuses, waivers, the baseline and
 * sorting need. Its details (rp_fill_details) come later, and only for the
 * findings a format lists. */
static struct rp_fx *rp_make_finding(struct rp_scan *S, size_t gi)
{
	struct rp_report *rep = S->rep;
	const struct rp_grp *g = &S->grp[gi];
	const struct rp_srv *sv = &S->srv[g->sid];
	const struct rp_kind *kd = &rp_kinds[g->k];
	struct rp_fx *x = xcalloc(1, sizeof(*x));
	struct rp_finding *f = &x->f;
	size_t kl;
	int ni;

	x->gi = gi;
	f->k = kd;
	snprintf(f->server_ip, sizeof(f->server_ip), "%s", rp_str(&S->strs, sv->ip));
	f->server_port = sv->port;
	f->protocol = xstrdup(rp_str(&S->strs, sv->proto));
	f->flows = g->flows;
	f->first_seen = g->tf;
	f->last_seen = g->tl;
	f->nclients = g->nclients;
	x->creds = g->creds;
	x->severity = kd->severity;
	if (x->creds > 0 && (strcmp(kd->req, "12.3.1") == 0 || strcmp(kd->req, "12.2.1") == 0 ||
			     strcmp(kd->req, "12.3.3") == 0))
		x->severity = rp_sev_bump(x->severity);
	kl = strlen(kd->req) + strlen(kd->kind) + strlen(f->server_ip) +
	     (f->protocol ? strlen(f->protocol) : 0) + 16;
	f->key = xcalloc(1, kl);
	snprintf(f->key, kl, "%s|%s|%s|%d|%s", kd->req, kd->kind, f->server_ip, f->server_port,
		 f->protocol ? f->protocol : "");
	f->failing = kd->violation;
	f->env = f->owner = "";
	f->waiver_reason = f->waiver_owner = f->waiver_expires = "";
	f->server_internal = (ni = rp_net_lookup(rep, f->server_ip)) >= 0;
	if (ni >= 0) {
		f->env = rep->nets[ni].env;
		f->owner = rep->nets[ni].owner;
	}
	return x;
}

/* The details of a finding: top clients, SNI names, sample flows, the
 * evidence (JSON and one line), GeoIP of external endpoints. */
static void rp_fill_details(struct rp_scan *S, const struct rp_tops *T, struct rp_fx *x)
{
	struct rp_report *rep = S->rep;
	const struct rp_grp *g = &S->grp[x->gi];
	const struct rp_kind *kd = x->f.k;
	struct rp_finding *f = &x->f;
	size_t sl = 3 * (size_t)g->sel;
	int ri = S->kreq[g->k], c;
	const struct rp_top *t;
	const int64_t *rel;
	int64_t relevant = 0;
	struct jbuf ev;
	char evt[400] = "", line[512], *am = NULL;
	size_t l;

	if ((rel = rp_map_get(&S->m, rp_key(RP_T_REL, (uint64_t)ri, g->sid))) != NULL)
		relevant = *rel;
	/* clients, SNI names, sample flows */
	t = T->t + T->off[sl];
	f->ntop = T->n[sl];
	f->top = xcalloc((size_t)(f->ntop ? f->ntop : 1), sizeof(*f->top));
	for (c = 0; c < f->ntop; c++) {
		snprintf(f->top[c].ip, sizeof(f->top[c].ip), "%s", rp_str(&S->strs, t[c].id));
		f->top[c].flows = t[c].n;
	}
	t = T->t + T->off[sl + 1];
	f->sni = xcalloc((size_t)(T->n[sl + 1] ? T->n[sl + 1] : 1), sizeof(char *));
	for (c = 0; c < T->n[sl + 1]; c++)
		if (t[c].id != 0)
			f->sni[f->nsni++] = xstrdup(rp_str(&S->strs, t[c].id));
	memcpy(f->samples, g->samples, sizeof(f->samples));
	f->nsamples = g->nsamples;
	/* evidence: a histogram of the kind's evidence value, as JSON and as a line */
	jb_init(&ev);
	jb_obj_open(&ev);
	jb_key(&ev, kd->evidence_name);
	jb_obj_open(&ev);
	t = T->t + T->off[sl + 2];
	for (c = 0; c < T->n[sl + 2]; c++) {
		const char *v = rp_str(&S->strs, t[c].id);
		jb_key(&ev, v ? v : "(none)");
		jb_int(&ev, t[c].n);
		l = strlen(evt);
		if (l + 8 < sizeof(evt))
			snprintf(evt + l, sizeof(evt) - l, "%s%s=%lld", l ? ", " : "", v ? v : "(none)",
				 (long long)t[c].n);
	}
	jb_obj_close(&ev);
	if (relevant > 0) {
		char buf[32];
		jb_kv_int(&ev, "relevant_flows", relevant);
		jb_key(&ev, "share");
		snprintf(buf, sizeof(buf), "%.4f", (double)f->flows / (double)relevant);
		jb_raw(&ev, buf);
	}
	if (x->creds > 0) {
		size_t len = 8;
		for (c = 0; c < g->nauthm; c++)
			len += strlen(rp_str(&S->strs, g->authm[c])) + 1;
		am = xcalloc(1, len);
		for (c = 0; c < g->nauthm; c++) {
			if (c)
				strcat(am, ",");
			strcat(am, rp_str(&S->strs, g->authm[c]));
		}
		if (g->authm_more)
			strcat(am, ",...");
		jb_kv_int(&ev, "credentials_in_clear", x->creds);
		jb_kv_str(&ev, "auth_mechanisms", g->nauthm ? am : NULL);
	}
	jb_obj_close(&ev);
	f->evidence = jb_take(&ev);
	if (f->evidence == NULL)
		f->evidence = xstrdup("{}");
	l = (size_t)snprintf(line, sizeof(line), "%s: %s", kd->evidence_name, evt);
	if (relevant > 0 && l < sizeof(line))
		l += (size_t)snprintf(line + l, sizeof(line) - l, "; %lld of %lld relevant flows",
				      (long long)f->flows, (long long)relevant);
	if (x->creds > 0 && l < sizeof(line))
		snprintf(line + l, sizeof(line) - l, "; credentials in clear in %lld flows (%s)",
			 (long long)x->creds, g->nauthm ? am : "?");
	free(am);
	f->evidence_text = xstrdup(line);
	if (!f->server_internal)
		rp_geo_lookup(rep, f->server_ip, &f->geo);
	for (c = 0; c < f->ntop; c++) {
		f->top[c].external = rp_net_lookup(rep, f->top[c].ip) < 0;
		if (f->top[c].external)
			rp_geo_lookup(rep, f->top[c].ip, &f->top[c].geo);
	}
}

static int cb_cert_label(int n, const char *const *v, void *a)
{
	char **out = a;
	char buf[600];
	if (n < 2 || v[0] == NULL || *out != NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%s%s", v[0], v[1] && strcmp(v[1], "1") == 0 ? " (self-signed)" : "");
	*out = xstrdup(buf);
	return 0;
}

static int rp_cmp_srvtop(const struct rp_scan *S, int64_t n1, uint32_t s1, int64_t n2, uint32_t s2)
{
	if (n1 != n2)
		return n1 > n2 ? -1 : 1;
	return strcmp(rp_str(&S->srvkeys, s1), rp_str(&S->srvkeys, s2));
}

static int rp_cmp_rollup(const void *a, const void *b)
{
	const struct rp_rollup *x = a, *y = b;
	int c;
	if (x->k->violation != y->k->violation)
		return x->k->violation ? -1 : 1;
	c = rp_sev_rank(y->k->severity) - rp_sev_rank(x->k->severity);
	if (c)
		return c;
	if (x->servers != y->servers)
		return x->servers > y->servers ? -1 : 1;
	if (x->clients != y->clients)
		return x->clients > y->clients ? -1 : 1;
	if (x->flows != y->flows)
		return x->flows > y->flows ? -1 : 1;
	if ((c = strcmp(x->k->kind, y->k->kind)) != 0)
		return c;
	return strcmp(x->cause, y->cause);
}

/* The rollups of every requirement, with their top servers. */
static int rp_build_rollups(struct rp_report *rep, struct rp_scan *S)
{
	struct rp_top *tops = xcalloc(S->nroll ? S->nroll * RP_ROLLUP_TOP : 1, sizeof(*tops));
	int *ntops = xcalloc(S->nroll ? S->nroll : 1, sizeof(*ntops));
	size_t *rcap = xcalloc((size_t)rep->nreqs, sizeof(*rcap));
	size_t j, ri;
	int i, c;

	/* top servers per rollup, by flows then endpoint */
	for (j = 0; j < S->m.cap; j++) {
		uint64_t key = S->m.e[j].key;
		struct rp_top *t;
		int *nt, p;
		uint32_t sid;
		int64_t n;
		if (key == 0 || (int)(key >> 60) != RP_T_RSRV)
			continue;
		ri = (key >> 32) & 0x0fffffffULL;
		sid = (uint32_t)(key & 0xffffffffULL);
		n = S->m.e[j].val;
		t = tops + ri * RP_ROLLUP_TOP;
		nt = &ntops[ri];
		if (*nt == RP_ROLLUP_TOP && rp_cmp_srvtop(S, n, sid, t[RP_ROLLUP_TOP - 1].n,
							   t[RP_ROLLUP_TOP - 1].id) >= 0)
			continue;
		p = *nt < RP_ROLLUP_TOP ? (*nt)++ : RP_ROLLUP_TOP - 1;
		for (; p > 0 && rp_cmp_srvtop(S, n, sid, t[p - 1].n, t[p - 1].id) < 0; p--)
			t[p] = t[p - 1];
		t[p].n = n;
		t[p].id = sid;
	}
	for (ri = 0; ri < S->nroll; ri++) {
		const struct rp_roll *ro = &S->roll[ri];
		struct rp_req *r = &rep->reqs[S->kreq[ro->k]];
		struct rp_rollup *u;
		const char *cause = rp_str(&S->strs, ro->cause);
		r->rollups = rp_grow(r->rollups, &rcap[S->kreq[ro->k]], (size_t)r->nrollups,
				     sizeof(*r->rollups));
		u = &r->rollups[r->nrollups++];
		memset(u, 0, sizeof(*u));
		u->k = &rp_kinds[ro->k];
		u->cause = xstrdup(cause ? cause : "");
		u->flows = ro->flows;
		u->servers = ro->nservers;
		u->clients = ro->nclients;
		if (u->k->cause == RP_CAUSE_CERT && u->cause[0]) {
			const char *p[1] = { u->cause };
			if (q(rep, "SELECT json_extract(obj, '$.subject'), json_extract(obj, '$.self_signed')"
				   " FROM certs WHERE sha256 = ?1", p, 1, cb_cert_label, &u->label) != 0)
				goto fail;
		}
		for (c = 0; c < ntops[ri]; c++) {
			const struct rp_top *t = &tops[ri * RP_ROLLUP_TOP + (size_t)c];
			const struct rp_srv *sv = &S->srv[t->id];
			snprintf(u->top[c].ip, sizeof(u->top[c].ip), "%s", rp_str(&S->strs, sv->ip));
			u->top[c].port = sv->port;
			u->top[c].protocol = xstrdup(rp_str(&S->strs, sv->proto));
			u->top[c].flows = t->n;
		}
		u->ntop = ntops[ri];
	}
	for (i = 0; i < rep->nreqs; i++)
		if (rep->reqs[i].nrollups > 1)
			qsort(rep->reqs[i].rollups, (size_t)rep->reqs[i].nrollups, sizeof(struct rp_rollup),
			      rp_cmp_rollup);
	free(tops);
	free(ntops);
	free(rcap);
	return 0;
fail:
	free(tops);
	free(ntops);
	free(rcap);
	return -1;
}

static int rp_findings(struct rp_report *rep, struct rp_scan *S)
{
	struct rp_sb sql = { NULL, 0, 0 };
	const char *evexpr[64], *causeexpr[4];
	int nev = 0, ncause = 0, i, k, rc = -1;
	size_t *order = NULL, gi, j;
	size_t *cap = NULL;
	char *text;

	S->rep = rep;
	S->nreq = rep->nreqs;
	S->last_run = INT64_MIN;
	if (rep->nreqs > 62) {
		fprintf(stderr, "wireaudit: report: too many requirements\n");
		return -1;
	}
	/* The scan: masks of relevant / observable requirements and of the
	 * rules a flow hits, then one column per distinct evidence expression
	 * and one per distinct cause expression. */
	rp_sb_add(&sql, "SELECT flow_id, client_ip, ts_first, ts_last, sni, creds, authm, server_ip,"
		     " server_port, protocol, 0");
	for (i = 0; i < rep->nreqs; i++) {
		char buf[64];
		rp_sb_add(&sql, " | (CASE WHEN (");
		rp_sb_add(&sql, rep->reqs[i].relevant);
		snprintf(buf, sizeof(buf), ") THEN %llu ELSE 0 END)", 1ULL << i);
		rp_sb_add(&sql, buf);
	}
	rp_sb_add(&sql, ", 0");
	for (i = 0; i < rep->nreqs; i++) {
		char buf[64];
		rp_sb_add(&sql, " | (CASE WHEN (");
		rp_sb_add(&sql, rep->reqs[i].observable);
		snprintf(buf, sizeof(buf), ") THEN %llu ELSE 0 END)", 1ULL << i);
		rp_sb_add(&sql, buf);
	}
	rp_sb_add(&sql, ", 0");
	for (k = 0; rp_kinds[k].req; k++) {
		const struct rp_kind *kd = &rp_kinds[k];
		const char *ce = rp_cause_sql(kd->cause);
		char buf[64];
		if (k >= 62) {
			fprintf(stderr, "wireaudit: report: too many rule kinds\n");
			free(sql.s);
			return -1;
		}
		S->evcol[k] = 0;
		S->causecol[k] = 0;
		S->kreq[k] = -1;
		for (i = 0; i < rep->nreqs; i++)
			if (strcmp(rep->reqs[i].id, kd->req) == 0)
				S->kreq[k] = i;
		if (S->kreq[k] < 0 || kd->min_level > rep->o->level)
			continue;
		rp_sb_add(&sql, " | (CASE WHEN (");
		rp_sb_add(&sql, kd->where);
		snprintf(buf, sizeof(buf), ") THEN %llu ELSE 0 END)", 1ULL << k);
		rp_sb_add(&sql, buf);
		for (i = 0; i < nev && strcmp(evexpr[i], kd->evidence) != 0; i++)
			;
		if (i == nev)
			evexpr[nev++] = kd->evidence;
		S->evcol[k] = i;
		for (i = 0; i < ncause && strcmp(causeexpr[i], ce) != 0; i++)
			;
		if (i == ncause)
			causeexpr[ncause++] = ce;
		S->causecol[k] = i;   /* made absolute below */
	}
	/* coverage: bits for the flow counts, the security state, the run */
	rp_sb_add(&sql, ", (CASE WHEN transport = 'tcp' THEN 1 ELSE 0 END)"
		  " | (CASE WHEN transport = 'tcp' AND client_by IN ('syn', 'synack') THEN 2 ELSE 0 END)"
		  " | (CASE WHEN transport = 'tcp' AND COALESCE(client_by, '') NOT IN ('syn', 'synack')"
		  " THEN 4 ELSE 0 END)"
		  " | (CASE WHEN has_tls THEN 8 ELSE 0 END) | (CASE WHEN vrank = 5 THEN 16 ELSE 0 END)"
		  " | (CASE WHEN ncerts > 0 THEN 32 ELSE 0 END)"
		  " | (CASE WHEN COALESCE(security, 'unknown') = 'unknown' THEN 64 ELSE 0 END)"
		  " | (CASE WHEN transport = 'udp' THEN 128 ELSE 0 END)"
		  " | (CASE WHEN security IN ('cleartext', 'tls_refused', 'starttls_not_used')"
		  " THEN 256 ELSE 0 END), security, run_id");
	for (i = 0; i < nev; i++) {
		rp_sb_add(&sql, ", CAST(");
		rp_sb_add(&sql, evexpr[i]);
		rp_sb_add(&sql, " AS TEXT)");
	}
	if (nev == 0)
		rp_sb_add(&sql, ", NULL");
	for (i = 0; i < ncause; i++) {
		rp_sb_add(&sql, ", CAST(");
		rp_sb_add(&sql, causeexpr[i]);
		rp_sb_add(&sql, " AS TEXT)");
	}
	for (k = 0; rp_kinds[k].req; k++)
		S->causecol[k] += RP_COL_EV + (nev ? nev : 1);
	rp_sb_add(&sql, " FROM rf");
	text = sql.s;
	sql.s = NULL;
	{
		int64_t t0 = now_us();
		const char *tm = getenv("WIREAUDIT_TIMING");
		rc = store_query_rows(rep->st, text, NULL, 0, cb_scan, S);
		if (tm && strcmp(tm, "2") == 0)
			fprintf(stderr, "wireaudit: scan %.3f s: %zu groups, %zu rollups, %zu map entries\n",
				(double)(now_us() - t0) / 1e6, S->ngrp, S->nroll, S->m.n);
	}
	free(text);
	if (rc != 0) {
		if (S->overflow)
			fprintf(stderr, "wireaudit: report: more than %d finding groups or rollups: "
				"narrow the window (--since/--until)\n", RP_MAX_GROUPS);
		rc = -1;
		goto out;
	}
	rc = -1;
	if (rp_scan_counts(S, RP_T_SEC, &rep->security, &rep->nsecurity) != 0 ||
	    rp_scan_counts(S, RP_T_CPROTO, &rep->clear_protos, &rep->nclear_protos) != 0)
		goto out;
	for (j = 0; j < S->m.cap; j++) {
		char rb[24];
		const char *rp[1] = { rb };
		if (S->m.e[j].key == 0 || (int)(S->m.e[j].key >> 60) != RP_T_RUN)
			continue;
		snprintf(rb, sizeof(rb), "%lld", (long long)S->m.e[j].val);
		if (q(rep, "INSERT OR IGNORE INTO rp_runs VALUES (CAST(?1 AS INTEGER))", rp, 1, cb_noop, NULL) != 0)
			goto out;
	}
	rp_phase(rep, "findings: scan");

	/* Every group becomes a finding, in the order of rp_cmp_grp. */
	order = xcalloc(S->ngrp ? S->ngrp : 1, sizeof(*order));
	for (gi = 0; gi < S->ngrp; gi++)
		order[gi] = gi;
	rp_sort_ctx = S;
	if (S->ngrp > 1)
		qsort(order, S->ngrp, sizeof(*order), rp_cmp_grp);
	cap = xcalloc((size_t)rep->nreqs, sizeof(*cap));
	for (j = 0; j < S->ngrp; j++) {
		const struct rp_grp *g = &S->grp[order[j]];
		struct rp_req *r = &rep->reqs[S->kreq[g->k]];
		struct rp_fx *x = rp_make_finding(S, order[j]);
		bool fresh;
		r->findings = rp_grow(r->findings, &cap[S->kreq[g->k]], (size_t)r->nfindings,
				      sizeof(*r->findings));
		r->findings[r->nfindings++] = &x->f;
		rp_map_at(&S->m, rp_key(RP_T_FSRV, (uint64_t)S->kreq[g->k], g->sid), &fresh);
		r->nservers += fresh;
	}
	rp_phase(rep, "findings: all");
	if (rp_build_rollups(rep, S) != 0)
		goto out;
	rp_phase(rep, "findings: rollups");
	rc = 0;
out:
	free(cap);
	free(order);
	return rc;
}

static void rp_scan_free(struct rp_scan *S)
{
	if (S == NULL)
		return;
	free(S->grp);
	free(S->srv);
	free(S->roll);
	rp_map_free(&S->m);
	rp_strs_free(&S->strs);
	rp_strs_free(&S->srvkeys);
	free(S);
}

/* Details for the findings a format lists: every finding in JSON and CSV,
 * the first --list of each requirement in text, HTML and Markdown (after
 * waivers and sorting), so memory for details follows what is printed. */
static void rp_details(struct rp_report *rep, struct rp_scan *S)
{
	struct rp_tops T;
	bool all = rep->o->format == RF_JSON || rep->o->format == RF_CSV;
	size_t nsel = 0, gi;
	int i, j;

	memset(&T, 0, sizeof(T));
	for (gi = 0; gi < S->ngrp; gi++)
		S->grp[gi].sel = -1;
	for (i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		int n = all ? r->nfindings : r->nlisted;
		for (j = 0; j < n; j++)
			S->grp[((struct rp_fx *)r->findings[j])->gi].sel = (int64_t)nsel++;
	}
	rp_build_tops(S, rep->o->top, nsel, &T);
	for (i = 0; i < rep->nreqs; i++) {
		const struct rp_req *r = &rep->reqs[i];
		int n = all ? r->nfindings : r->nlisted;
		for (j = 0; j < n; j++)
			rp_fill_details(S, &T, (struct rp_fx *)r->findings[j]);
	}
	free(T.t);
	free(T.off);
	free(T.n);
	rp_phase(rep, "findings: details");
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

static int rp_parse_waivers(const char *path, char *buf, struct rp_waiver **out, int *nout)
{
	char *line, *next;
	struct rp_waiver *w = NULL;
	int n = 0, lineno = 0, rc = 0;
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
	*out = w;
	*nout = n;
	return rc;
}

static int rp_load_waivers(struct rp_report *rep, const char *path, struct rp_waiver **out, int *nout)
{
	char *buf = read_file(path, NULL);
	int rc;
	(void)rep;
	if (buf == NULL)
		return -1;
	rc = rp_parse_waivers(path, buf, out, nout);
	free(buf);
	return rc;
}

static void rp_free_waivers(struct rp_waiver *w, int n)
{
	int i;
	for (i = 0; i < n; i++) {
		free(w[i].req); free(w[i].kind); free(w[i].server);
		free(w[i].protocol); free(w[i].reason); free(w[i].owner);
	}
	free(w);
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
				f->waiver_reason = w[k].reason;
				f->waiver_owner = w[k].owner;
				f->waiver_expires = w[k].expires;
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
	size_t n, cap;
};

static int cb_base(int n, const char *const *v, void *a)
{
	struct rp_base *b = a;
	size_t c2;
	if (n < 2 || v[0] == NULL || v[1] == NULL)
		return 0;
	c2 = b->cap;
	b->keys = rp_grow(b->keys, &b->cap, b->n, sizeof(char *));
	b->reqs = rp_grow(b->reqs, &c2, b->n, sizeof(char *));
	b->keys[b->n] = xstrdup(v[1]);
	b->reqs[b->n] = xstrdup(v[0]);
	b->n++;
	return 0;
}

/* Marks findings new/open and collects resolved keys from the baseline
 * report's text (NUL-terminated; not kept). Both sides are every finding
 * (nothing is left out of a report), matched through hash sets. */
static int rp_baseline_text(struct rp_report *rep, const char *path, const char *text)
{
	const char *p[1];
	int64_t ver = -1;
	struct rp_base b = { NULL, NULL, 0, 0 };
	struct rp_strs prev, cur;
	size_t k;
	int i, j, rc = 0;

	memset(&prev, 0, sizeof(prev));
	memset(&cur, 0, sizeof(cur));
	p[0] = text;
	if (q(rep, "SELECT CASE WHEN json_valid(?1) THEN COALESCE(json_extract(?1, '$.schema_version'), -1)"
		   " ELSE -1 END", p, 1, cb_int1, &ver) != 0 || ver != REPORT_SCHEMA_VERSION) {
		fprintf(stderr, "wireaudit: %s: not a wireaudit JSON report (schema_version %d)\n",
			path, REPORT_SCHEMA_VERSION);
		return -1;
	}
	/* Only what was failing (or waived) before counts as open/resolved. */
	if (q(rep, "SELECT json_extract(r.value, '$.id'), json_extract(f.value, '$.key')"
		   " FROM json_each(?1, '$.requirements') r, json_each(r.value, '$.findings') f"
		   " WHERE json_extract(f.value, '$.severity') != 'info'", p, 1, cb_base, &b) != 0) {
		rc = -1;
		goto out;
	}
	for (k = 0; k < b.n; k++)
		rp_str_id(&prev, b.keys[k], true);
	for (i = 0; i < rep->nreqs; i++)
		for (j = 0; j < rep->reqs[i].nfindings; j++) {
			struct rp_finding *f = rep->reqs[i].findings[j];
			f->baseline = rp_str_id(&prev, f->key, false) != UINT32_MAX ? "open" : "new";
			rp_str_id(&cur, f->key, true);
		}
	for (k = 0; k < b.n; k++) {
		if (rp_str_id(&cur, b.keys[k], false) != UINT32_MAX)
			continue;
		for (i = 0; i < rep->nreqs; i++)
			if (strcmp(rep->reqs[i].id, b.reqs[k]) == 0) {
				struct rp_req *r = &rep->reqs[i];
				char **nr = realloc(r->resolved, sizeof(char *) * (size_t)(r->nresolved + 1));
				if (nr == NULL) {
					rc = -1;
					goto out;
				}
				r->resolved = nr;
				r->resolved[r->nresolved++] = xstrdup(b.keys[k]);
				break;
			}
	}
out:
	for (k = 0; k < b.n; k++) {
		free(b.keys[k]);
		free(b.reqs[k]);
	}
	free(b.keys);
	free(b.reqs);
	rp_strs_free(&prev);
	rp_strs_free(&cur);
	return rc;
}

static int rp_apply_baseline(struct rp_report *rep, const char *path)
{
	char *text = read_file(path, NULL);
	int rc;
	if (text == NULL)
		return -1;
	rc = rp_baseline_text(rep, path, text);
	free(text);
	return rc;
}

/* ---- fuzzing entry (fuzz/fuzz_config.c) ---- */

int rp_parse_buffer(struct store *st, int which, const uint8_t *data, size_t len)
{
	struct report_opts o;
	struct rp_report *rep;
	struct rp_waiver *w = NULL;
	char *buf;
	int nw = 0, rc = -1;

	if (len > RP_FILE_MAX)
		return -1;
	buf = xcalloc(1, len + 1);
	memcpy(buf, data, len);
	report_opts_init(&o);
	rep = xcalloc(1, sizeof(*rep));
	rep->o = &o;
	rep->st = st;
	switch (which) {
	case RP_BUF_CONFIG:
		rc = rp_parse_config(rep, &o, "fuzz-config", buf);
		/* report_run keeps these for the process's life; here they go */
		free((char *)o.geoip);
		free((char *)o.asn);
		break;
	case RP_BUF_WAIVERS:
		rc = rp_parse_waivers("fuzz-waivers", buf, &w, &nw);
		rp_free_waivers(w, nw);
		break;
	case RP_BUF_BASELINE:
		if (st != NULL)
			rc = rp_baseline_text(rep, "fuzz-baseline", buf);
		break;
	default:
		break;
	}
	free(rep);
	free(buf);
	return rc;
}

/* ---- ordering ---- */

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
	/* then reach: a finding is one server, so its clients, then its flows */
	if (x->nclients != y->nclients)
		return x->nclients > y->nclients ? -1 : 1;
	if (x->flows != y->flows)
		return x->flows > y->flows ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* What text, HTML and Markdown leave out of a requirement's list: the
 * findings after the first `list`, their distinct servers and flows. */
static void rp_listing(struct rp_req *r, int list)
{
	struct rp_strs srv;
	char key[IPSTR_MAX + 80];
	int j;

	r->nlisted = list == 0 || list > r->nfindings ? r->nfindings : list;
	r->rest_servers = r->rest_flows = 0;
	memset(&srv, 0, sizeof(srv));
	for (j = r->nlisted; j < r->nfindings; j++) {
		const struct rp_finding *f = r->findings[j];
		rp_srv_key(key, sizeof(key), f->server_ip, f->server_port, f->protocol);
		rp_str_id(&srv, key, true);
		r->rest_flows += f->flows;
	}
	r->rest_servers = srv.n > 0 ? (int64_t)srv.n - 1 : 0;   /* id 0 is NULL */
	rp_strs_free(&srv);
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
			free(f->key);
			free(f);
		}
		free(rep->reqs[i].findings);
		for (j = 0; j < rep->reqs[i].nrollups; j++) {
			struct rp_rollup *u = &rep->reqs[i].rollups[j];
			free(u->cause);
			free(u->label);
			for (c = 0; c < u->ntop; c++)
				free(u->top[c].protocol);
		}
		free(rep->reqs[i].rollups);
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
	struct rp_scan *scan = NULL;

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
	 * columns per flow (about 150 MB for 10^6 flows). The database itself
	 * is read once, so the connection keeps SQLite's default small page
	 * cache: a 256 MB cache filled with pages read once was half the peak
	 * RSS (745 MB on 10^6 flows) and a tenth of the time, in malloc.
	 * (mmap_size was tried: no faster, and the mapped file counts in RSS.) */
	if (q_exec(rep, "PRAGMA temp_store = MEMORY") != 0) {
		rc = EXIT_STORE;
		goto out;
	}
	rp_phase(rep, NULL);
	scan = xcalloc(1, sizeof(*scan));
	if (rp_build_rf(rep) != 0 || rp_phase(rep, "load") || rp_findings(rep, scan) != 0 ||
	    rp_phase(rep, "findings") || rp_coverage(rep) != 0 || rp_phase(rep, "coverage")) {
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
		rp_listing(r, o.list);
	}
	rp_details(rep, scan);
	rp_scan_free(scan);
	scan = NULL;
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
	rp_scan_free(scan);
	rp_free_waivers(wv, nwv);
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
