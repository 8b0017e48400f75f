/* SPDX-License-Identifier: BSD-3-Clause */
/* netctx.c — the report's network context: internal networks (defaults,
 * --internal, the --config file with env/owner labels), the zone of an
 * address, and GeoIP/ASN through libmaxminddb. */
#include "report_int.h"
#include "conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <maxminddb.h>

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

/* The configuration file (docs/REPORT.md "Config file", docs/APPLIANCE.md
 * "Configuration file"): the one the capture reads too, parsed and checked
 * whole by conf.c (a capture key with a bad value is an error here as
 * well); the report takes the internal networks and geoip/asn. */
static int rp_apply_config(struct rp_report *rep, struct report_opts *o, struct wa_conf *c)
{
	int i, rc = 0;
	for (i = 0; i < c->nnets && rc == 0; i++)
		if (rp_add_net(rep, c->nets[i].cidr, c->nets[i].env, c->nets[i].owner) != 0) {
			fprintf(stderr, "wireaudit: %s:%d: invalid CIDR (or more than 256 networks)\n",
				c->path, c->nets[i].line);
			rc = -1;
		}
	/* The command line wins over the file; the copies are the report's
	 * (rp_free frees them) */
	if (rc == 0 && c->geoip && !o->geoip)
		o->geoip = rep->cfg_geoip = rp_xstrdup(c->geoip);
	if (rc == 0 && c->asn && !o->asn)
		o->asn = rep->cfg_asn = rp_xstrdup(c->asn);
	wa_conf_free(c);
	return rc;
}

int rp_parse_config(struct rp_report *rep, struct report_opts *o, const char *path,
		    const char *buf, size_t len)
{
	struct wa_conf c;
	if (wa_conf_parse(path, buf, len, &c) != 0)
		return -1;
	return rp_apply_config(rep, o, &c);
}

static int rp_load_config(struct rp_report *rep, struct report_opts *o, const char *path)
{
	struct wa_conf c;
	if (wa_conf_load(path, &c) != 0)
		return -1;
	return rp_apply_config(rep, o, &c);
}

int rp_setup_nets(struct rp_report *rep, struct report_opts *o)
{
	int i;
	if (o->internal) {
		char *list = rp_xstrdup(o->internal), *save = NULL, *c;
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
struct rp_zmemo {
	char ip[IPSTR_MAX];
	int idx;
};

static int rp_zone_memo(const struct rp_report *rep, const char *ip)
{
	uint64_t h = 1469598103934665603ULL;
	const char *p;
	struct rp_zmemo *m;
	for (p = ip; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	m = &rep->zmemo[h % RP_ZMEMO];
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

int rp_net_register(struct rp_report *rep)
{
	free(rep->zmemo);
	rep->zmemo = rp_xcalloc(RP_ZMEMO, sizeof(*rep->zmemo));
	if (store_add_function(rep->st, "wa_zone", fn_zone, rep) != 0 ||
	    store_add_function(rep->st, "wa_envname", fn_envname, rep) != 0)
		return -1;
	return 0;
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

int rp_open_mmdb(const char *path, void **out)
{
	MMDB_s *db = rp_xcalloc(1, sizeof(*db));
	int rc = MMDB_open(path, MMDB_MODE_MMAP, db);
	if (rc != MMDB_SUCCESS) {
		fprintf(stderr, "wireaudit: %s: %s\n", path, MMDB_strerror(rc));
		free(db);
		return -1;
	}
	*out = db;
	return 0;
}

