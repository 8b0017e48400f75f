/* SPDX-License-Identifier: BSD-3-Clause */
/* conf.c — the configuration file; see conf.h and docs/APPLIANCE.md
 * "Configuration file". Lines are parsed from a copy of each line of any
 * length (no fixed buffer); every value is checked here, with its line. */
#define _GNU_SOURCE
#include "conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>
#include <pcap/pcap.h>

static const char *const conf_key_names[WA_K_N] = {
	[WA_K_INTERFACE] = "interface", [WA_K_FILTER] = "filter", [WA_K_DATABASE] = "database",
	[WA_K_USER] = "user", [WA_K_SNAPLEN] = "snaplen", [WA_K_PROMISC] = "promisc",
	[WA_K_WORKERS] = "workers", [WA_K_CHECKPOINT] = "checkpoint",
	[WA_K_MAX_FLOWS] = "max_flows", [WA_K_STREAM_CAP] = "stream_cap", [WA_K_NDPI] = "ndpi",
	[WA_K_CA_FILE] = "ca_file", [WA_K_SYSTEM_CA] = "system_ca",
	[WA_K_RETAIN_FLOWS] = "retain_flows", [WA_K_MAX_DB_SIZE] = "max_db_size",
	[WA_K_RETAIN_ROLLUPS] = "retain_rollups", [WA_K_SENSOR] = "sensor", [WA_K_EVE] = "eve",
	[WA_K_EVE_SNAPSHOTS] = "eve_snapshots", [WA_K_EVE_STATS] = "eve_stats",
	[WA_K_EVE_BUFFER] = "eve_buffer", [WA_K_EVE_CA_FILE] = "eve_ca_file", [WA_K_EVE_CERT] = "eve_cert",
	[WA_K_EVE_KEY] = "eve_key", [WA_K_INTERNAL] = "internal",
	[WA_K_GEOIP] = "geoip", [WA_K_ASN] = "asn",
	[WA_K_SPOOL] = "spool", [WA_K_SPOOL_MAX] = "spool_max", [WA_K_SPOOL_DRAIN] = "spool_drain",
};

const char *wa_conf_key_name(enum wa_conf_key k)
{
	return (unsigned)k < WA_K_N ? conf_key_names[k] : "?";
}

/* ---- values ---- */

static int conf_uint(const char *s, int64_t max, int64_t *out);

/* yes/true/on/1: 1, no/false/off/0: 0, else -1 */
static int conf_bool(const char *v)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		return 1;
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		return 0;
	return -1;
}

/* 0..86400 plain seconds, or a whole-second duration (30s, 5m, 1h); -1 */
static int conf_seconds(const char *v)
{
	int64_t n;
	if (conf_uint(v, 86400, &n) == 0)
		return (int)n;
	n = wa_parse_duration(v);
	if (n < 0 || n > 86400LL * 1000000 || n % 1000000)
		return -1;
	return (int)(n / 1000000);
}

/* A decimal number of digits only (no sign, no blanks), at most max. */
static int conf_uint(const char *s, int64_t max, int64_t *out)
{
	int64_t v = 0;
	if (*s == 0)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

/* digits, then one unit letter from units with its multiplier */
static int64_t conf_scaled(const char *s, const char *units, const int64_t *mult, bool unit_needed)
{
	size_t n = strlen(s);
	const char *u;
	char digits[32];
	int64_t v;
	if (n == 0 || n >= sizeof(digits))
		return -1;
	if (strcmp(s, "0") == 0)
		return 0;
	u = strchr(units, s[n - 1]);
	if (u == NULL) {
		if (unit_needed)
			return -1;
		return conf_uint(s, INT64_MAX, &v) == 0 ? v : -1;
	}
	memcpy(digits, s, n - 1);
	digits[n - 1] = 0;
	if (conf_uint(digits, INT64_MAX / mult[u - units], &v) != 0)
		return -1;
	return v * mult[u - units];
}

int64_t wa_parse_duration(const char *s)
{
	static const int64_t m[] = { 1000000LL, 60000000LL, 3600000000LL, 86400000000LL,
				     604800000000LL };
	return conf_scaled(s, "smhdw", m, true);
}

int64_t wa_parse_size(const char *s)
{
	static const int64_t m[] = { 1LL << 10, 1LL << 20, 1LL << 30, 1LL << 40 };
	return conf_scaled(s, "KMGT", m, false);
}

bool wa_conf_label_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static bool conf_cidr_ok(const char *s)
{
	char buf[64];
	unsigned char a[16];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int64_t pfx, max;
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (inet_pton(AF_INET, buf, a) == 1)
		max = 32;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		max = 128;
	else
		return false;
	return slash == NULL || conf_uint(slash + 1, max, &pfx) == 0;
}

/* ---- lines ---- */

static bool conf_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The value after `key =`: "quoted" (\" and \\ inside) or bare text up
 * to a `#` that starts a word, trimmed. In place; NULL and *why on error. */
static char *conf_value(char *v, const char **why)
{
	char *o, *p;
	if (*v == '"') {
		o = p = ++v;
		while (*p && *p != '"') {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			*o++ = *p++;
		}
		if (*p != '"') {
			*why = "unterminated quoted value";
			return NULL;
		}
		for (p++; conf_blank(*p); p++)
			;
		if (*p && *p != '#') {
			*why = "text after a quoted value";
			return NULL;
		}
		*o = 0;
		return v;
	}
	for (p = v; *p; p++)
		if (*p == '#' && (p == v || conf_blank(p[-1]))) {
			*p = 0;
			break;
		}
	for (p = v + strlen(v); p > v && conf_blank(p[-1]); p--)
		;
	*p = 0;
	if (*v == 0) {
		*why = "empty value";
		return NULL;
	}
	return v;
}

int wa_conf_words(char *p, struct wa_conf_word *t, const char **why)
{
	int n = 0;
	for (;;) {
		char *w, *o;
		while (conf_blank(*p))
			p++;
		if (*p == 0 || *p == '#')
			return n;
		if (n >= WA_CONF_WORDS_MAX) {
			*why = "too many fields";
			return -1;
		}
		w = p;
		while (*p && !conf_blank(*p) && *p != '=' && *p != '"')
			p++;
		if (*p == '"') {
			*why = "quote in a word";
			return -1;
		}
		if (*p != '=') {
			t[n].key = NULL;
			t[n++].val = w;
			if (*p)
				*p++ = 0;
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
			if (*p && !conf_blank(*p)) {
				*why = "text after a quoted value";
				return -1;
			}
			*o = 0;
		} else {
			t[n].val = p;
			while (*p && !conf_blank(*p)) {
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

static char *conf_strdup(const char *s)
{
	char *d = strdup(s);
	if (d == NULL) {
		fputs("wireaudit: out of memory\n", stderr);
		exit(1);
	}
	return d;
}

/* internal CIDR [env=LABEL] [owner=LABEL] (the report's messages) */
static const char *conf_internal(struct wa_conf *c, char *v, int lineno)
{
	struct wa_conf_word t[WA_CONF_WORDS_MAX];
	const char *why = NULL, *env = NULL, *owner = NULL;
	struct wa_conf_net *net;
	int n = wa_conf_words(v, t, &why), i;
	if (n < 0)
		return why;
	if (n < 1 || t[0].key)
		return "internal needs a CIDR";
	for (i = 1; i < n; i++) {
		if (t[i].key == NULL)
			return "expected key=value after the CIDR";
		if (strcmp(t[i].key, "env") == 0 && env == NULL)
			env = t[i].val;
		else if (strcmp(t[i].key, "owner") == 0 && owner == NULL)
			owner = t[i].val;
		else
			return "unknown or repeated key (env, owner)";
		if (!wa_conf_label_ok(t[i].val, 63))
			return "labels are 1-63 characters of [A-Za-z0-9._-]";
	}
	if (!conf_cidr_ok(t[0].val) || c->nnets >= WA_CONF_NETS_MAX)
		return "invalid CIDR (or more than 256 networks)";
	net = &c->nets[c->nnets++];
	net->cidr = conf_strdup(t[0].val);
	net->env = env ? conf_strdup(env) : NULL;
	net->owner = owner ? conf_strdup(owner) : NULL;
	net->line = lineno;
	return NULL;
}

/* One value for key k, checked and stored. NULL, or why it is refused. */
static const char *conf_set(struct wa_conf *c, enum wa_conf_key k, const char *v)
{
	int64_t n;
	switch (k) {
	case WA_K_INTERFACE:
		/* what Linux takes (dev_valid_name: no '/', ':' or blank, below
		 * IFNAMSIZ), narrowed to printable ASCII */
		if (strlen(v) > 15 || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789._@-") != strlen(v) || !strcmp(v, ".") || !strcmp(v, ".."))
			return "an interface name is 1-15 characters of [A-Za-z0-9._@-]";
		for (int i = 0; i < c->nifaces; i++)
			if (strcmp(c->ifaces[i], v) == 0)
				return "interface given twice";
		if (c->nifaces >= WA_CONF_IFACES_MAX)
			return "more than 16 interfaces";
		c->ifaces[c->nifaces++] = conf_strdup(v);
		return NULL;
	case WA_K_FILTER: {
		/* compiled as the capture will (Ethernet): a bad filter is the
		 * file's error, with its line, for the report too */
		static char why[PCAP_ERRBUF_SIZE + 256];
		struct bpf_program prog;
		pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);
		if (p && pcap_compile(p, &prog, v, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			/* (a long filter is not echoed whole: the line says where) */
			snprintf(why, sizeof(why), "bad filter \"%.200s%s\": %s", v,
				 strlen(v) > 200 ? "..." : "", pcap_geterr(p));
			pcap_close(p);
			return why;
		}
		if (p) {
			pcap_freecode(&prog);
			pcap_close(p);
		}
		c->filter = conf_strdup(v);
		return NULL;
	}
	case WA_K_DATABASE: c->database = conf_strdup(v); return NULL;
	case WA_K_SPOOL: c->spool = conf_strdup(v); return NULL;
	case WA_K_SPOOL_MAX:
		if ((c->spool_max = wa_parse_size(v)) < (1LL << 20))
			return "spool_max must be a size of 1M or more such as 10G";
		return NULL;
	case WA_K_SPOOL_DRAIN:
		if ((c->spool_drain = conf_seconds(v)) < 0)
			return "spool_drain must be 0..86400 seconds (or 30s, 5m, 1h)";
		return NULL;
	case WA_K_CA_FILE: c->ca_file = conf_strdup(v); return NULL;
	case WA_K_EVE: c->eve = conf_strdup(v); return NULL;
	case WA_K_EVE_CA_FILE: c->eve_ca_file = conf_strdup(v); return NULL;
	case WA_K_EVE_CERT: c->eve_cert = conf_strdup(v); return NULL;
	case WA_K_EVE_KEY: c->eve_key = conf_strdup(v); return NULL;
	case WA_K_SENSOR:
		if (!wa_conf_label_ok(v, 255))
			return "sensor is a name of 1-255 characters of [A-Za-z0-9._-]";
		c->sensor = conf_strdup(v);
		return NULL;
	case WA_K_EVE_SNAPSHOTS:
		if ((c->eve_snapshots = conf_bool(v)) < 0)
			return "eve_snapshots must be yes or no";
		return NULL;
	case WA_K_EVE_STATS:
		if ((c->eve_stats = conf_seconds(v)) < 0)
			return "eve_stats must be 0..86400 seconds (or 30s, 5m, 1h)";
		return NULL;
	case WA_K_EVE_BUFFER:
		n = wa_parse_size(v);
		if (n < 65536 || n > (1LL << 30))
			return "eve_buffer must be 64K..1G";
		c->eve_buffer = n;
		return NULL;
	case WA_K_SYSTEM_CA: c->system_ca = conf_strdup(v); return NULL;
	case WA_K_GEOIP: c->geoip = conf_strdup(v); return NULL;
	case WA_K_ASN: c->asn = conf_strdup(v); return NULL;
	case WA_K_USER:
		if (!wa_conf_label_ok(v, 32) || *v == '-')
			return "a user name is 1-32 characters of [A-Za-z0-9._-]";
		c->user = conf_strdup(v);
		return NULL;
	case WA_K_SNAPLEN:
		if (conf_uint(v, 262144, &n) != 0 || n < 64)
			return "snaplen must be 64..262144";
		c->snaplen = (int)n;
		return NULL;
	case WA_K_PROMISC:
		if ((c->promisc = conf_bool(v)) < 0)
			return "promisc must be yes or no";
		return NULL;
	case WA_K_WORKERS:
		if (strcmp(v, "auto") == 0)
			n = 0;
		else if (conf_uint(v, 64, &n) != 0 || n < 1)
			return "workers must be auto or 1..64";
		c->workers = (int)n;
		return NULL;
	case WA_K_CHECKPOINT:
		if ((c->checkpoint_sec = conf_seconds(v)) < 0)
			return "checkpoint must be 0..86400 seconds (or 30s, 5m, 1h)";
		return NULL;
	case WA_K_MAX_FLOWS:
		if (conf_uint(v, 1 << 26, &n) != 0 || n < 1)
			return "max_flows must be 1..67108864";
		c->max_flows = n;
		return NULL;
	case WA_K_STREAM_CAP:
		n = wa_parse_size(v);
		if (n < 4096 || n > (64 << 20))
			return "stream_cap must be 4096..67108864 bytes (or 4K..64M)";
		c->stream_cap = n;
		return NULL;
	case WA_K_NDPI:
		if (strcmp(v, "off") == 0) c->ndpi = WA_NDPI_OFF;
		else if (strcmp(v, "unclaimed") == 0) c->ndpi = WA_NDPI_UNCLAIMED;
		else if (strcmp(v, "classify") == 0) c->ndpi = WA_NDPI_CLASSIFY;
		else if (strcmp(v, "all") == 0) c->ndpi = WA_NDPI_ALL;
		else return "ndpi must be off, unclaimed, classify or all";
		return NULL;
	case WA_K_RETAIN_FLOWS:
	case WA_K_RETAIN_ROLLUPS:
		/* 0: keep everything; else a minute to 100 years */
		n = wa_parse_duration(v);
		if (n < 0 || (n > 0 && n < 60000000LL) || n > 36500LL * 86400000000LL)
			return k == WA_K_RETAIN_FLOWS
				? "retain_flows must be a duration such as 14d, 12h or 30m (0: keep everything)"
				: "retain_rollups must be a duration such as 400d or 12w (0: keep everything)";
		if (k == WA_K_RETAIN_FLOWS)
			c->retain_flows_us = n;
		else
			c->retain_rollups_us = n;
		return NULL;
	case WA_K_MAX_DB_SIZE:
		n = wa_parse_size(v);
		if (n < 0 || (n > 0 && n < (1 << 20)))
			return "max_db_size must be a size such as 20G or 500M, at least 1M (0: no limit)";
		c->max_db_bytes = n;
		return NULL;
	case WA_K_INTERNAL:
	case WA_K_N:
		break;
	}
	return "internal error";
}

/* One line (a NUL-terminated copy). NULL, or why it is refused. *first:
 * -1 when why is an unknown key's name, the key's first line when it is
 * given twice (*kk the key). */
static const char *conf_line(struct wa_conf *c, char *s, int lineno, int *first, int *kk)
{
	char *key, *p, *v;
	size_t klen;
	int k;
	bool legacy;
	const char *why = NULL;

	while (conf_blank(*s))
		s++;
	if (*s == 0 || *s == '#')
		return NULL;
	key = s;
	while ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')
		s++;
	klen = (size_t)(s - key);
	if (klen == 0)
		return "expected a key (lowercase letters, digits, _) at the start of the line";
	p = s;
	while (conf_blank(*p))
		p++;
	legacy = *p != '=';
	*s = 0;
	for (k = 0; k < WA_K_N; k++)
		if (strcmp(key, conf_key_names[k]) == 0)
			break;
	if (k == WA_K_N) {
		/* the word as far as it is a key: a long line is not echoed */
		*first = -1;
		return key;
	}
	if (legacy) {
		/* the report's directive lines: internal, geoip, asn */
		if (k != WA_K_INTERNAL && k != WA_K_GEOIP && k != WA_K_ASN)
			return "expected key = value";
		if (p == s && *p) /* e.g. internal/x: the key runs into the value */
			return "expected key = value";
		v = p;
	} else {
		v = p + 1;
		while (conf_blank(*v))
			v++;
	}
	if (k == WA_K_INTERNAL) {
		why = conf_internal(c, v, lineno);
		if (why == NULL)
			c->line[k] = lineno;
		return why;
	}
	if (k != WA_K_INTERFACE && c->line[k]) {
		*first = c->line[k];
		*kk = k;
		return "given twice";
	}
	if (legacy) {
		/* geoip PATH, asn PATH: one word */
		struct wa_conf_word t[WA_CONF_WORDS_MAX];
		int n = wa_conf_words(v, t, &why);
		if (n < 0)
			return why;
		if (n != 1 || t[0].key)
			return "expected one path";
		v = t[0].val;
	} else if ((v = conf_value(v, &why)) == NULL) {
		return why;
	}
	if ((why = conf_set(c, (enum wa_conf_key)k, v)) != NULL)
		return why;
	c->line[k] = lineno;
	return NULL;
}

int wa_conf_parse(const char *path, const char *buf, size_t len, struct wa_conf *c)
{
	const char *p = buf, *end = buf + len;
	int lineno = 0;

	memset(c, 0, sizeof(*c));
	c->path = conf_strdup(path);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *why = NULL;
		char *line, bad[64];
		int first = 0, kk = 0;
		size_t i;

		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		for (i = 0; i < n && why == NULL; i++) {
			unsigned char ch = (unsigned char)p[i];
			if (ch == 0)
				why = "a NUL byte in the line";
			else if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
				snprintf(bad, sizeof(bad), "a control character (0x%02x) in the line", ch);
				why = bad;
			}
		}
		if (why == NULL) {
			if ((line = malloc(n + 1)) == NULL) {
				fputs("wireaudit: out of memory\n", stderr);
				exit(1);
			}
			memcpy(line, p, n);
			line[n] = 0;
			why = conf_line(c, line, lineno, &first, &kk);
			if (why && first == -1)
				fprintf(stderr, "wireaudit: %s:%d: unknown key %.64s%s\n", path, lineno, why,
					strlen(why) > 64 ? "..." : "");
			else if (why && first > 0)
				fprintf(stderr, "wireaudit: %s:%d: %s %s (first on line %d)\n", path, lineno,
					conf_key_names[kk], why, first);
			else if (why)
				fprintf(stderr, "wireaudit: %s:%d: %s\n", path, lineno, why);
			free(line);
		} else {
			fprintf(stderr, "wireaudit: %s:%d: %s\n", path, lineno, why);
		}
		if (why) {
			wa_conf_free(c);
			return -1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int wa_conf_load(const char *path, struct wa_conf *c)
{
	struct stat sb;
	char *buf = NULL;
	size_t n = 0;
	int fd, rc;

	memset(c, 0, sizeof(*c));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		fprintf(stderr, "wireaudit: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		fprintf(stderr, "wireaudit: %s: not a regular file\n", path);
		close(fd);
		return -1;
	}
	if (sb.st_size > WA_CONF_FILE_MAX) {
		fprintf(stderr, "wireaudit: %s: larger than %d bytes\n", path, WA_CONF_FILE_MAX);
		close(fd);
		return -1;
	}
	/* the size may change while we read: read up to one byte past the cap */
	if ((buf = malloc(WA_CONF_FILE_MAX + 1)) == NULL) {
		close(fd);
		fputs("wireaudit: out of memory\n", stderr);
		return -1;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, WA_CONF_FILE_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "wireaudit: %s: %s\n", path, strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > WA_CONF_FILE_MAX) {
			fprintf(stderr, "wireaudit: %s: larger than %d bytes\n", path, WA_CONF_FILE_MAX);
			free(buf);
			close(fd);
			return -1;
		}
	}
	close(fd);
	rc = wa_conf_parse(path, buf, n, c);
	free(buf);
	return rc;
}

void wa_conf_free(struct wa_conf *c)
{
	int i;
	for (i = 0; i < c->nifaces; i++)
		free(c->ifaces[i]);
	for (i = 0; i < c->nnets; i++) {
		free(c->nets[i].cidr);
		free(c->nets[i].env);
		free(c->nets[i].owner);
	}
	free(c->path);
	free(c->filter);
	free(c->database);
	free(c->user);
	free(c->ca_file);
	free(c->system_ca);
	free(c->geoip);
	free(c->asn);
	free(c->sensor);
	free(c->eve);
	free(c->eve_ca_file);
	free(c->eve_cert);
	free(c->eve_key);
	free(c->spool);
	memset(c, 0, sizeof(*c));
}
