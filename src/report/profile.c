/* SPDX-License-Identifier: BSD-3-Clause */
/* profile.c — compliance profiles (issue 19, docs/PROFILES.md): the same
 * stored facts judged against other rulebooks than ASVS V12. A profile is
 * a data file (src/report/profiles/NAME.profile, compiled in; or a path
 * given to --profile) whose rules each cite the clause behind them and
 * name one check of the vocabulary below with its arguments.
 *
 * The checks are SQL predicates over one temporary table, rp_pfx (a row
 * per flow of the window: the columns of rf the checks read, and the leaf
 * certificate's key, signature hash and dates), made once. The SQL text is
 * constant (this file's rp_checks[] and scopes); a check's arguments go
 * into the temporary table rp_pfset through bound parameters, and a
 * predicate names its rule's rows by number ('@' in the text below is
 * replaced by the rule's number while the statement is assembled), so
 * nothing from a profile file becomes SQL text (tests/sql-bound.sh).
 *
 * One aggregate query counts, for every rule, the relevant, observable and
 * violating flows (weighted by the flows a roll-up row stands for); a
 * rule that has violations gets one grouped query for its servers and
 * evidence. Statuses as for the V12 requirements (rp_rules_judge): fail
 * when a flow violates, not_observed without relevant traffic,
 * not_observable when the deciding facts were never visible, else pass.
 *
 * Class families (Mozilla's modern, intermediate, old): each server with
 * a TLS handshake is placed in the strictest class whose rules none of its
 * flows violates (one query grouped by server, every class at once).
 */
#include "report_int.h"
#include "tls_tables.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profiles_data.h"   /* rp_builtin_profiles[]: made by Makefile.am from src/report/profiles/ */

/* ---- the check vocabulary ---- */

enum { PA_NONE, PA_VERSIONS, PA_SUITES, PA_GROUPS, PA_INT, PA_INT2, PA_HASHES, PA_REQ };

enum { T_VERSIONS, T_SUITES, T_KX, T_CERTS, T_CERTKEY, T_REVOCATION, T_CLEAR, T_CLIENTAUTH, T_META };

const char *const rp_topics[RP_NTOPICS] = {
	"Protocol versions", "Cipher suites", "Key exchange", "Certificate validity and trust",
	"Certificate keys and signatures", "Revocation (OCSP)", "Encryption of every connection",
	"Client authentication (mTLS)", "Metadata protection (ECH)",
};

struct rp_check {
	const char *name;
	int topic;
	int args;
	const char *relevant, *observable, *violation;  /* SQL over rp_pfx; '@': the rule's number */
	const char *evidence;                           /* SQL expression: the evidence value */
};

#define P_TLS "(has_tls = 1 AND (ver IS NOT NULL OR cmax IS NOT NULL))"
#define P_SUITE_REL "(has_tls = 1 AND (cipher_id IS NOT NULL OR cmax IS NOT NULL))"
#define P_CERT_REL "(has_tls = 1 AND vrank IS NOT NULL)"
#define P_CLEAR "('cleartext','tls_refused','starttls_not_used')"

static const struct rp_check rp_checks[] = {
	/* the V12 requirement's status as rules.c judges it: no SQL */
	{ "asvs", -1, PA_REQ, NULL, NULL, NULL, NULL },
	{ "versions", T_VERSIONS, PA_VERSIONS, P_TLS, "(ver IS NOT NULL)",
	  "(vrank NOT IN (SELECT ival FROM rp_pfset WHERE rule = @))", "ver" },
	{ "tls13_supported", T_VERSIONS, PA_NONE, "(has_tls = 1 AND c13 = 1)", "(c13 = 1 AND vrank IS NOT NULL)",
	  "(c13 = 1 AND vrank < 5)", "ver" },
	{ "suites", T_SUITES, PA_SUITES, P_SUITE_REL, "(cipher_id IS NOT NULL)",
	  "(cipher_id NOT IN (SELECT ival FROM rp_pfset WHERE rule = @))", "cipher" },
	{ "forward_secrecy", T_SUITES, PA_NONE, P_SUITE_REL, "(cfs IS NOT NULL)", "(cfs = 0)", "cipher" },
	{ "dh_min_bits", T_KX, PA_INT, P_SUITE_REL, "(cipher_id IS NOT NULL)",
	  "(dh_bits > 0 AND dh_bits < (SELECT ival FROM rp_pfset WHERE rule = @))",
	  "'ffdhe ' || CAST(dh_bits AS TEXT) || ' bits'" },
	{ "groups", T_KX, PA_GROUPS, P_SUITE_REL, "(kxg IS NOT NULL)",
	  "(kxg NOT IN (SELECT sval FROM rp_pfset WHERE rule = @))", "kxg" },
	{ "cert_trusted", T_CERTS, PA_NONE, P_CERT_REL, "(ncerts > 0 AND trusted IS NOT NULL)", "(trusted = 0)",
	  "COALESCE(terr, 'untrusted')" },
	{ "cert_dates", T_CERTS, PA_NONE, P_CERT_REL, "(ncerts > 0 AND dates IS NOT NULL)",
	  "(dates IN ('expired', 'not_yet_valid'))", "dates" },
	{ "cert_hostname", T_CERTS, PA_NONE, P_CERT_REL, "(ncerts > 0 AND sni IS NOT NULL AND hmatch IS NOT NULL)",
	  "(hmatch = 0)", "COALESCE(sni, '')" },
	{ "cert_key_min", T_CERTKEY, PA_INT2, P_CERT_REL, "(ncerts > 0 AND kt IS NOT NULL AND kb IS NOT NULL)",
	  "((kt IN ('RSA','DSA','DH') AND kb < (SELECT ival FROM rp_pfset WHERE rule = @ AND sval = 'rsa'))"
	  " OR (kt = 'EC' AND kb < (SELECT ival FROM rp_pfset WHERE rule = @ AND sval = 'ec')))",
	  "kt || ' ' || CAST(kb AS TEXT) || ' bits'" },
	{ "cert_sig_hash", T_CERTKEY, PA_HASHES, P_CERT_REL, "(ncerts > 0 AND kh IS NOT NULL)",
	  "(kh NOT IN (SELECT sval FROM rp_pfset WHERE rule = @))", "kh" },
	{ "ocsp_stapling", T_REVOCATION, PA_NONE, "(has_tls = 1 AND sreq = 1 AND vrank IS NOT NULL)",
	  "(sreq = 1 AND (vrank <= 4 OR hsdec = 1))", "(sreq = 1 AND (vrank <= 4 OR hsdec = 1) AND stapled = 0)",
	  "'no stapled response'" },
	{ "not_revoked", T_REVOCATION, PA_NONE, "(has_tls = 1 AND vrank IS NOT NULL)", "(stapled = 1)",
	  "(ocsp_status = 'revoked')", "ocsp_status" },
	{ "encrypted_transport", T_CLEAR, PA_NONE,
	  "(tlsform = 1 OR has_tls = 1 OR security IN ('tls','starttls','app_encrypted') OR ssh_p1 IS NOT NULL)",
	  "(COALESCE(security,'unknown') != 'unknown' OR ssh_p1 IS NOT NULL)",
	  "((tlsform = 1 AND security IN " P_CLEAR " AND COALESCE(redir, 0) = 0)"
	  " OR (has_tls = 1 AND protocol = 'tls' AND security = 'cleartext'))",
	  "COALESCE(protocol, '?') || ' ' || COALESCE(security, '?')" },
	{ "no_cleartext_credentials", T_CLEAR, PA_NONE, "(creds IS NOT NULL OR security IS NOT NULL)",
	  "(COALESCE(security,'unknown') != 'unknown')",
	  "(creds = 1 AND (COALESCE(security,'') NOT IN ('tls','starttls','app_encrypted') OR protocol = 'http'))",
	  "COALESCE(protocol, '?') || ' ' || COALESCE(authm, 'credentials')" },
	{ "client_cert", T_CLIENTAUTH, PA_NONE, P_CERT_REL, "(ccert IN ('none','requested','empty','sent'))",
	  "(ccert IN ('none','requested','empty'))", "ccert" },
	{ "ech", T_META, PA_NONE, "(has_tls = 1 AND ech IS NOT NULL)", "(has_tls = 1 AND ech IS NOT NULL)",
	  "(ech = 0)", "'no_ech'" },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL },
};

/* the V12 requirements' topics, for the asvs check's matrix row */
static const struct { const char *req; int topic; } rp_asvs_topic[] = {
	{ "12.1.1", T_VERSIONS }, { "12.1.2", T_SUITES }, { "12.1.3", T_CLIENTAUTH },
	{ "12.1.4", T_REVOCATION }, { "12.1.5", T_META }, { "12.1", T_CERTS }, { "12.2.1", T_CLEAR },
	{ "12.2.2", T_CERTS }, { "12.3.1", T_CLEAR }, { "12.3.2", T_CERTS }, { "12.3.3", T_CLEAR },
	{ "12.3.4", T_CERTS }, { "12.3.5", T_CLIENTAUTH }, { NULL, 0 },
};

/* scope predicates: external = the client or the server outside the
 * internal networks (open, public networks) */
static const char *const rp_scope_sql[] = { "1 = 1", "(cz < 0 OR sz < 0)", "(cz >= 0 AND sz >= 0)" };
static const char *const rp_scope_names[] = { "all", "external", "internal" };

const char *rp_scope_name(int scope)
{
	return scope >= 0 && scope <= 2 ? rp_scope_names[scope] : "all";
}

const char *rp_prule_check(const struct rp_prule *r)
{
	return r->ck->name;
}

int rp_prule_topic(const struct rp_prule *r)
{
	int i;
	if (r->ck->topic >= 0)
		return r->ck->topic;
	for (i = 0; r->nsvals > 0 && rp_asvs_topic[i].req; i++)
		if (strcmp(rp_asvs_topic[i].req, r->svals[0]) == 0)
			return rp_asvs_topic[i].topic;
	return T_CERTS;
}

/* ---- parsing ---- */

struct rp_pp {
	const char *name, *where;   /* the profile's name, the file for messages */
	int line;
};

static int pp_err(const struct rp_pp *pp, const char *msg, const char *what)
{
	fprintf(stderr, "wireaudit: report: profile %s, line %d: %s%s%s\n", pp->where, pp->line, msg,
		what ? ": " : "", what ? what : "");
	return -1;
}

static bool pp_name_ok(const char *s, bool upper)
{
	if (*s == 0)
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' ||
		      (upper && (isupper((unsigned char)*s) || *s == '.' || *s == '_'))))
			return false;
	return true;
}

static const struct {
	const char *name;
	int rank;
} pp_versions[] = {
	{ "SSLv2", 0 }, { "SSLv3", 1 }, { "TLSv1.0", 2 }, { "TLSv1.1", 3 }, { "TLSv1.2", 4 }, { "TLSv1.3", 5 },
	{ NULL, 0 },
};

static const char *const pp_hashes[] = { "md5", "sha1", "sha224", "sha256", "sha384", "sha512", NULL };

static long pp_suite_id(const char *s)
{
	long id;
	for (id = 0; id <= 0xffff; id++) {
		const struct tls_cipher_info *ci = tls_cipher_lookup((uint16_t)id);
		if (ci && ci->name && strcmp(ci->name, s) == 0)
			return id;
	}
	return -1;
}

static bool pp_group_ok(const char *s)
{
	long id;
	for (id = 0; id <= 0xffff; id++) {
		const char *n = tls_group_name((uint16_t)id);
		if (n && strcmp(n, s) == 0)
			return true;
	}
	return false;
}

static void pr_add_i(struct rp_prule *r, int64_t v)
{
	r->ivals = realloc(r->ivals, (size_t)(r->nivals + 1) * sizeof(*r->ivals));
	if (r->ivals == NULL) {
		fprintf(stderr, "wireaudit: out of memory\n");
		exit(EXIT_STORE);
	}
	r->ivals[r->nivals++] = v;
}

static void pr_add_s(struct rp_prule *r, const char *s)
{
	r->svals = realloc(r->svals, (size_t)(r->nsvals + 1) * sizeof(*r->svals));
	if (r->svals == NULL) {
		fprintf(stderr, "wireaudit: out of memory\n");
		exit(EXIT_STORE);
	}
	r->svals[r->nsvals++] = rp_xstrdup(s);
}

/* The arguments of r's check, words of args (modified). */
static int pp_check_args(const struct rp_pp *pp, struct rp_prule *r, char *args)
{
	char *w, *save = NULL;
	int n = 0, i;
	for (w = strtok_r(args, " \t", &save); w; w = strtok_r(NULL, " \t", &save), n++) {
		char *end;
		long v;
		switch (r->ck->args) {
		case PA_NONE:
			return pp_err(pp, "this check takes no argument", w);
		case PA_VERSIONS:
			for (i = 0; pp_versions[i].name && strcmp(pp_versions[i].name, w) != 0; i++)
				;
			if (pp_versions[i].name == NULL)
				return pp_err(pp, "not a protocol version (SSLv2 SSLv3 TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3)", w);
			pr_add_i(r, pp_versions[i].rank);
			break;
		case PA_SUITES:
			if ((v = pp_suite_id(w)) < 0)
				return pp_err(pp, "not a cipher suite of the IANA registry", w);
			pr_add_i(r, v);
			break;
		case PA_GROUPS:
			if (!pp_group_ok(w))
				return pp_err(pp, "not a group of the IANA TLS Supported Groups registry", w);
			pr_add_s(r, w);
			break;
		case PA_HASHES:
			for (i = 0; pp_hashes[i] && strcmp(pp_hashes[i], w) != 0; i++)
				;
			if (pp_hashes[i] == NULL)
				return pp_err(pp, "not a hash name (md5 sha1 sha224 sha256 sha384 sha512)", w);
			pr_add_s(r, w);
			break;
		case PA_INT:
		case PA_INT2:
			v = strtol(w, &end, 10);
			/* cert_key_min: 0 for a key type the rulebook does not
			 * allow at all (Mozilla modern: ECDSA only) */
			if (r->ck->args == PA_INT2 && v == 0 && *end == 0 && w[0] == '0')
				v = 1L << 30;
			if (*end || v < 1 || v > (r->ck->args == PA_INT2 ? 1L << 30 : 65536) || n >= (r->ck->args == PA_INT ? 1 : 2))
				return pp_err(pp, r->ck->args == PA_INT ? "expects one number of bits" :
					      "expects two numbers of bits (RSA, EC)", w);
			pr_add_i(r, v);
			pr_add_s(r, n == 0 ? "rsa" : "ec");
			break;
		case PA_REQ:
			for (i = 0; rp_asvs_topic[i].req && strcmp(rp_asvs_topic[i].req, w) != 0; i++)
				;
			if (rp_asvs_topic[i].req == NULL || n > 0)
				return pp_err(pp, "expects one ASVS 5.0 V12 requirement (12.1.1 ... 12.3.5)", w);
			pr_add_s(r, w);
			break;
		}
	}
	if (r->ck->args != PA_NONE && n == 0)
		return pp_err(pp, "this check needs arguments", r->ck->name);
	if (r->ck->args == PA_INT2 && n != 2)
		return pp_err(pp, "expects two numbers of bits (RSA, EC)", r->ck->name);
	return 0;
}

static void rp_prule_free(struct rp_prule *r)
{
	int i;
	free(r->id);
	free(r->clause);
	free(r->title);
	free(r->args);
	free(r->ivals);
	for (i = 0; i < r->nsvals; i++)
		free(r->svals[i]);
	free(r->svals);
	for (i = 0; i < r->nviol; i++) {
		free(r->viol[i].protocol);
		free(r->viol[i].evidence);
	}
	free(r->viol);
}

static void rp_profile_free(struct rp_profile *p)
{
	int i;
	free(p->name);
	free(p->title);
	free(p->version);
	free(p->source);
	free(p->family);
	for (i = 0; i < p->nnotes; i++)
		free(p->notes[i]);
	free(p->notes);
	for (i = 0; i < p->nrules; i++)
		rp_prule_free(&p->rules[i]);
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

/* Parses text (len bytes) into p; where names it in messages, name (or
 * NULL: any) is what its `profile` line must say. */
static int rp_profile_parse(struct rp_profile *p, const char *name, const char *where, const char *text,
			    size_t len)
{
	struct rp_pp pp = { name, where, 0 };
	size_t o = 0;
	struct rp_prule *r = NULL;
	char line[8192];
	int i;

	memset(p, 0, sizeof(*p));
	while (o < len) {
		size_t e = o, l;
		char *s, *v, *end;
		while (e < len && text[e] != '\n')
			e++;
		pp.line++;
		l = e - o;
		if (l >= sizeof(line))
			return pp_err(&pp, "line too long (at most 8191 bytes)", NULL);
		memcpy(line, text + o, l);
		line[l] = 0;
		o = e + 1;
		if (memchr(line, 0, l) != NULL)
			return pp_err(&pp, "a NUL byte in the text", NULL);
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = 0;
		if (*s == 0 || *s == '#')
			continue;
		for (v = s; *v && *v != ' ' && *v != '\t'; v++)
			;
		if (*v)
			*v++ = 0;
		while (*v == ' ' || *v == '\t')
			v++;
		if (p->name == NULL && strcmp(s, "profile") != 0)
			return pp_err(&pp, "the first directive must be `profile NAME`", s);
		if (strcmp(s, "profile") == 0) {
			if (p->name)
				return pp_err(&pp, "a second `profile` line", v);
			if (!pp_name_ok(v, false) || (name && strcmp(v, name) != 0))
				return pp_err(&pp, name ? "the profile's name must be its file's" :
					      "a profile name is lower-case letters, digits and '-'", v);
			p->name = rp_xstrdup(v);
		} else if (strcmp(s, "rule") == 0) {
			if (!pp_name_ok(v, true))
				return pp_err(&pp, "a rule ID is letters, digits, '.', '_' and '-'", v);
			for (i = 0; i < p->nrules; i++)
				if (strcmp(p->rules[i].id, v) == 0)
					return pp_err(&pp, "a second rule with this ID", v);
			if (r && r->ck == NULL)
				return pp_err(&pp, "the rule before has no `check`", r->id);
			p->rules = realloc(p->rules, (size_t)(p->nrules + 1) * sizeof(*p->rules));
			if (p->rules == NULL) {
				fprintf(stderr, "wireaudit: out of memory\n");
				exit(EXIT_STORE);
			}
			r = &p->rules[p->nrules++];
			memset(r, 0, sizeof(*r));
			r->id = rp_xstrdup(v);
			r->line = pp.line;
		} else if (*v == 0) {
			return pp_err(&pp, "a directive without a value", s);
		} else if (r == NULL) {
			char **slot = strcmp(s, "title") == 0 ? &p->title : strcmp(s, "version") == 0 ? &p->version :
				      strcmp(s, "source") == 0 ? &p->source : NULL;
			if (slot) {
				if (*slot)
					return pp_err(&pp, "given twice", s);
				*slot = rp_xstrdup(v);
			} else if (strcmp(s, "note") == 0) {
				p->notes = realloc(p->notes, (size_t)(p->nnotes + 1) * sizeof(*p->notes));
				if (p->notes == NULL) {
					fprintf(stderr, "wireaudit: out of memory\n");
					exit(EXIT_STORE);
				}
				p->notes[p->nnotes++] = rp_xstrdup(v);
			} else if (strcmp(s, "class") == 0) {
				char *rk = strchr(v, ' ');
				long n;
				if (rk == NULL || p->family)
					return pp_err(&pp, "expects `class FAMILY RANK`, once", v);
				*rk++ = 0;
				n = strtol(rk, &end, 10);
				if (*end || n < 1 || n > 9 || !pp_name_ok(v, false))
					return pp_err(&pp, "expects `class FAMILY RANK` (RANK 1..9, 1 strictest)", rk);
				p->family = rp_xstrdup(v);
				p->rank = (int)n;
			} else if (strcmp(s, "inventory") == 0) {
				if (strcmp(v, "certificates") != 0)
					return pp_err(&pp, "the only inventory is `inventory certificates`", v);
				p->inventory = true;
			} else {
				return pp_err(&pp, "not a profile directive (title version source note class inventory rule)", s);
			}
		} else {
			if (strcmp(s, "clause") == 0 || strcmp(s, "title") == 0) {
				char **slot = s[0] == 'c' ? &r->clause : &r->title;
				if (*slot)
					return pp_err(&pp, "given twice", s);
				*slot = rp_xstrdup(v);
			} else if (strcmp(s, "scope") == 0) {
				for (i = 0; i < 3 && strcmp(rp_scope_names[i], v) != 0; i++)
					;
				if (i == 3)
					return pp_err(&pp, "the scope is all, external or internal", v);
				r->scope = i;
			} else if (strcmp(s, "check") == 0) {
				char *a = v, *args;
				if (r->ck)
					return pp_err(&pp, "a rule has one `check`", v);
				while (*a && *a != ' ' && *a != '\t')
					a++;
				if (*a)
					*a++ = 0;
				for (i = 0; rp_checks[i].name && strcmp(rp_checks[i].name, v) != 0; i++)
					;
				if (rp_checks[i].name == NULL)
					return pp_err(&pp, "not a check (docs/PROFILES.md lists them)", v);
				r->ck = &rp_checks[i];
				while (*a == ' ' || *a == '\t')
					a++;
				r->args = rp_xstrdup(a);
				args = rp_xstrdup(a);
				i = pp_check_args(&pp, r, args);
				free(args);
				if (i != 0)
					return -1;
			} else {
				return pp_err(&pp, "not a rule directive (clause title check scope)", s);
			}
		}
	}
	pp.line++;
	if (p->name == NULL)
		return pp_err(&pp, "no `profile NAME` line", NULL);
	if (p->title == NULL)
		return pp_err(&pp, "no `title`", NULL);
	if (p->nrules == 0)
		return pp_err(&pp, "no rule", NULL);
	for (i = 0; i < p->nrules; i++) {
		pp.line = p->rules[i].line;
		if (p->rules[i].ck == NULL || p->rules[i].clause == NULL || p->rules[i].title == NULL)
			return pp_err(&pp, "a rule needs `clause`, `title` and `check`", p->rules[i].id);
	}
	return 0;
}

const char *const rp_builtin_profile_names[] = {
#define RP_PROFILE(n, t) n,
	RP_PROFILES_LIST
#undef RP_PROFILE
	NULL,
};

static const char *const rp_builtin_profile_texts[] = {
#define RP_PROFILE(n, t) t,
	RP_PROFILES_LIST
#undef RP_PROFILE
	NULL,
};

int rp_profile_parse_buffer(const char *name, const char *text, size_t len)
{
	struct rp_profile p;
	int rc = rp_profile_parse(&p, name, name ? name : "(buffer)", text, len);
	rp_profile_free(&p);
	return rc;
}

static int rp_profile_add(struct rp_report *rep, const char *arg, bool shown)
{
	struct rp_profile p;
	int i, rc;
	char *buf = NULL;
	const char *text = NULL, *name = NULL;
	size_t len = 0;

	if (strchr(arg, '/') != NULL) {
		if ((buf = rp_read_file(arg, &len)) == NULL)
			return -1;
		text = buf;
	} else {
		for (i = 0; rp_builtin_profile_names[i] && strcmp(rp_builtin_profile_names[i], arg) != 0; i++)
			;
		if (rp_builtin_profile_names[i] == NULL) {
			fprintf(stderr, "wireaudit: report: --profile %s: no such profile (", arg);
			for (i = 0; rp_builtin_profile_names[i]; i++)
				fprintf(stderr, "%s%s", i ? " " : "", rp_builtin_profile_names[i]);
			fprintf(stderr, "; or a file's path with a '/')\n");
			return -1;
		}
		name = arg;
		text = rp_builtin_profile_texts[i];
		len = strlen(text);
	}
	rc = rp_profile_parse(&p, name, arg, text, len);
	free(buf);
	if (rc != 0) {
		rp_profile_free(&p);
		return -1;
	}
	for (i = 0; i < rep->nprof; i++)
		if (strcmp(rep->prof[i].name, p.name) == 0) {
			rep->prof[i].shown |= shown;
			rp_profile_free(&p);
			return 0;   /* given twice, or a class family member already loaded */
		}
	p.shown = shown;
	rep->prof = realloc(rep->prof, (size_t)(rep->nprof + 1) * sizeof(*rep->prof));
	if (rep->prof == NULL) {
		fprintf(stderr, "wireaudit: out of memory\n");
		exit(EXIT_STORE);
	}
	rep->prof[rep->nprof++] = p;
	return 0;
}

int rp_profiles_load(struct rp_report *rep)
{
	const struct report_opts *o = rep->o;
	int i, j, n;

	if (o->nprofiles == 0 && rp_profile_add(rep, "asvs5", true) != 0)
		return -1;
	for (i = 0; i < o->nprofiles; i++)
		if (rp_profile_add(rep, o->profiles[i], true) != 0)
			return -1;
	/* a class family's other members, to place servers (not shown) */
	n = rep->nprof;
	for (i = 0; i < n; i++) {
		char fam[64];
		if (rep->prof[i].family == NULL)
			continue;
		snprintf(fam, sizeof(fam), "%s-", rep->prof[i].family);
		for (j = 0; rp_builtin_profile_names[j]; j++)
			if (strncmp(rp_builtin_profile_names[j], fam, strlen(fam)) == 0 &&
			    rp_profile_add(rep, rp_builtin_profile_names[j], false) != 0)
				return -1;
	}
	/* shown ones first, in the order given */
	for (i = 0, n = 0; i < rep->nprof; i++)
		if (rep->prof[i].shown) {
			struct rp_profile t = rep->prof[i];
			memmove(&rep->prof[n + 1], &rep->prof[n], (size_t)(i - n) * sizeof(*rep->prof));
			rep->prof[n++] = t;
		}
	rep->nprof_shown = n;
	for (i = 0; i < rep->nprof; i++) {
		if (strcmp(rep->prof[i].name, "asvs5") != 0 && rep->prof[i].shown)
			rep->prof_extra = true;
		if (rep->prof[i].shown && rep->prof[i].inventory)
			rep->inv_on = true;
		if (rep->prof[i].family && !rep->pfamily)
			rep->pfamily = rep->prof[i].family;
	}
	/* asvs5 alone, or more than one profile: the sections print when
	 * anything but asvs5 is chosen */
	if (rep->nprof_shown > 1)
		rep->prof_extra = true;
	return 0;
}

void rp_profiles_free(struct rp_report *rep)
{
	int i;
	for (i = 0; i < rep->nprof; i++)
		rp_profile_free(&rep->prof[i]);
	free(rep->prof);
	for (i = 0; i < rep->npclass; i++) {
		free(rep->pclass[i].protocol);
		free(rep->pclass[i].why);
	}
	free(rep->pclass);
	for (i = 0; i < rep->ninv; i++) {
		struct rp_invcert *c = &rep->inv[i];
		free(c->sha256);
		free(c->subject);
		free(c->issuer);
		free(c->key);
		free(c->sig_hash);
		free(c->first_server);
	}
	free(rep->inv);
}

/* ---- the statements ---- */

/* A growing SQL text: constants of this file, and numbers. */
struct pf_sb {
	char *s;
	size_t len, cap;
};

static void pf_add(struct pf_sb *b, const char *t)
{
	size_t n = strlen(t);
	b->s = rp_grow(b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, t, n + 1);
	b->len += n;
}

static void pf_num(struct pf_sb *b, int64_t v)
{
	char num[32];
	snprintf(num, sizeof(num), "%lld", (long long)v);
	pf_add(b, num);
}

/* pred with '@' replaced by the rule's number */
static void pf_pred(struct pf_sb *b, const char *pred, int ruleno)
{
	const char *a;
	char piece[2048];
	while ((a = strchr(pred, '@')) != NULL) {
		size_t l = (size_t)(a - pred);
		if (l >= sizeof(piece))
			l = sizeof(piece) - 1;
		memcpy(piece, pred, l);
		piece[l] = 0;
		pf_add(b, piece);
		pf_num(b, ruleno);
		pred = a + 1;
	}
	pf_add(b, pred);
}

/* "(scope AND pred)" */
static void pf_scoped(struct pf_sb *b, const struct rp_prule *r, const char *pred)
{
	pf_add(b, "(");
	pf_add(b, rp_scope_sql[r->scope]);
	pf_add(b, " AND ");
	pf_pred(b, pred, r->sqlno);
	pf_add(b, ")");
}

/* The table the checks read: the window's flows (rf) with the leaf
 * certificate's facts, a row per distinct tuple of what the checks read
 * (server endpoint and facts), n the flows it stands for (roll-up rows
 * weighted), t0/t1 the first and last flow start. A server's flows that
 * negotiate the same way collapse into one row, so the per-rule queries
 * read tuples, not flows (findings.c does the same for the V12 rules).
 * The leaf's validity is decided per flow, at the flow's start, before
 * the grouping (dates: valid, expired, not_yet_valid). */
#define PF_COLS "ip, port, protocol, cz, sz, has_tls, ver, vrank, cmax, c13, cipher_id, cipher, cfs, dh_bits," \
	" kxg, sni, ncerts, trusted, terr, hmatch, sreq, stapled, ocsp_status, hsdec, ccert, security, tlsform," \
	" redir, creds, authm, ssh_p1, ech, leaf, kt, kb, kh, dates"
static const char pf_rows_sql[] =
	"CREATE TEMP TABLE rp_pfx AS SELECT " PF_COLS ", SUM(n) AS n, MIN(ts_first) AS t0, MAX(ts_first) AS t1"
	" FROM (SELECT r.server_ip AS ip, r.server_port AS port, r.protocol AS protocol,"
	" COALESCE(r.n, 1) AS n, r.ts_first AS ts_first, r.cz AS cz, r.sz AS sz, r.has_tls AS has_tls,"
	" r.ver AS ver, r.vrank AS vrank, r.cmax AS cmax, r.c13 AS c13, r.cipher_id AS cipher_id,"
	" r.cipher AS cipher, r.cfs AS cfs, r.dh_bits AS dh_bits, r.kxg AS kxg, r.sni AS sni,"
	" r.ncerts AS ncerts, r.trusted AS trusted, r.terr AS terr, r.hmatch AS hmatch, r.sreq AS sreq,"
	" r.stapled AS stapled, r.ocsp_status AS ocsp_status, r.hsdec AS hsdec, r.ccert AS ccert,"
	" r.security AS security, r.tlsform AS tlsform, r.redir AS redir, r.creds AS creds,"
	" r.authm AS authm, r.ssh_p1 AS ssh_p1, r.ech AS ech, r.leaf AS leaf,"
	" ce.key_type AS kt, ce.key_bits AS kb, ce.sig_hash AS kh,"
	" CASE WHEN ce.not_after IS NULL THEN NULL WHEN ce.not_after * 1000000 < r.ts_first THEN 'expired'"
	"  WHEN ce.not_before * 1000000 > r.ts_first THEN 'not_yet_valid' ELSE 'valid' END AS dates"
	" FROM rf r LEFT JOIN certs ce ON ce.sha256 = r.leaf) x GROUP BY " PF_COLS;

/* ---- the run ---- */

/* store_query_rows (more than store_query's 64 columns), timed as rp_q
 * times its queries (WIREAUDIT_TIMING=2) */
static int pf_rows(struct rp_report *rep, const char *sql, int (*cb)(const struct store_row *r, void *arg),
		   void *arg)
{
	const char *t = getenv("WIREAUDIT_TIMING");
	int64_t t0 = now_us();
	clock_t c0 = clock();
	int rc = store_query_rows(rep->st, sql, NULL, 0, cb, arg);
	if (t && strcmp(t, "2") == 0)
		fprintf(stderr, "wireaudit: query %.3f s (cpu %.3f s): %.100s\n",
			(double)(now_us() - t0) / 1e6, (double)(clock() - c0) / CLOCKS_PER_SEC, sql);
	return rc;
}

/* (store_query_rows: more columns than store_query's 64) */
static int cb_sums(const struct store_row *row, void *arg)
{
	struct rp_report *rep = arg;
	int i, j, c = 0, n = store_col_count(row);
	for (i = 0; i < rep->nprof; i++)
		for (j = 0; j < rep->prof[i].nrules; j++) {
			struct rp_prule *r = &rep->prof[i].rules[j];
			if (r->ck->relevant == NULL)
				continue;
			if (c + 2 >= n)
				return 0;
			r->n_relevant = store_col_int(row, c);
			r->n_observable = store_col_int(row, c + 1);
			r->n_violating = store_col_int(row, c + 2);
			c += 3;
		}
	return 0;
}

struct pf_vacc {
	struct rp_prule *r;
	size_t cap;
	struct rp_strs keys;      /* server endpoint -> index + 1 */
	char **ev;                /* evidence lists being built */
	size_t evcap;
};

static int cb_viol(int n, const char *const *v, void *arg)
{
	struct pf_vacc *A = arg;
	struct rp_prule *r = A->r;
	char key[IPSTR_MAX + 80], part[300];
	uint32_t id, before;
	struct rp_pviol *x;
	int64_t flows;
	if (n < 5)
		return 0;
	rp_srv_key(key, sizeof(key), v[0] ? v[0] : "", v[1] ? (int)rp_num(v[1]) : 0, v[2]);
	before = (uint32_t)A->keys.n;
	id = rp_str_id(&A->keys, key, true);
	flows = v[4] ? rp_num(v[4]) : 0;
	if (A->keys.n > before) {   /* a new server */
		r->viol = rp_grow(r->viol, &A->cap, (size_t)r->nviol + 1, sizeof(*r->viol));
		x = &r->viol[r->nviol++];
		memset(x, 0, sizeof(*x));
		snprintf(x->ip, sizeof(x->ip), "%s", v[0] ? v[0] : "");
		x->port = v[1] ? (int)rp_num(v[1]) : 0;
		x->protocol = rp_xstrdup(v[2]);
	}
	(void)id;
	/* servers come in order (ORDER BY), so the last one is this one */
	x = &r->viol[r->nviol - 1];
	x->flows += flows;
	snprintf(part, sizeof(part), "%s=%lld", v[3] ? v[3] : "?", (long long)flows);
	{
		size_t ol = x->evidence ? strlen(x->evidence) : 0, pl = strlen(part);
		/* at most 8 values named per server; the rest as "..." */
		if (ol > 0 && ol < 2000 && strstr(x->evidence, ", ...") == NULL) {
			size_t k = 0;
			const char *q;
			for (q = x->evidence; (q = strstr(q, ", ")) != NULL; q += 2)
				k++;
			if (k >= 7)
				pl = 3, snprintf(part, sizeof(part), "...");
		} else if (ol >= 2000) {
			return 0;
		}
		x->evidence = realloc(x->evidence, ol + pl + 3);
		if (x->evidence == NULL) {
			fprintf(stderr, "wireaudit: out of memory\n");
			exit(EXIT_STORE);
		}
		snprintf(x->evidence + ol, pl + 3, "%s%s", ol ? ", " : "", part);
	}
	return 0;
}

static int pf_cmp_viol(const void *a, const void *b)
{
	const struct rp_pviol *x = a, *y = b;
	int c;
	if (x->flows != y->flows)
		return x->flows > y->flows ? -1 : 1;
	if ((c = strcmp(x->ip, y->ip)) != 0)
		return c;
	return x->port - y->port;
}

static void pf_judge(struct rp_prule *r)
{
	char a[48], b[48];
	if (r->n_violating > 0) {
		r->status = "fail";
		snprintf(r->reason, sizeof(r->reason), "%s violating, at %s",
			 rp_plural(r->n_violating, "flow", "flows", a, sizeof(a)),
			 rp_plural(r->nviol, "server", "servers", b, sizeof(b)));
	} else if (r->n_relevant == 0) {
		r->status = "not_observed";
		snprintf(r->reason, sizeof(r->reason), "no relevant traffic in the window%s",
			 r->scope ? (r->scope == 1 ? " (scope: external)" : " (scope: internal)") : "");
	} else if (r->n_observable == 0) {
		r->status = "not_observable";
		snprintf(r->reason, sizeof(r->reason), "%s relevant, but the deciding facts were not visible",
			 rp_plural(r->n_relevant, "flow", "flows", a, sizeof(a)));
	} else {
		r->status = "pass";
		snprintf(r->reason, sizeof(r->reason), "%s observed, none violating",
			 rp_plural(r->n_observable, "relevant flow", "relevant flows", a, sizeof(a)));
		if (r->n_observable < r->n_relevant) {
			size_t l = strlen(r->reason);
			snprintf(r->reason + l, sizeof(r->reason) - l, " (%lld not observable)",
				 (long long)(r->n_relevant - r->n_observable));
		}
	}
}

static void pf_asvs(struct rp_report *rep, struct rp_prule *r)
{
	int i;
	for (i = 0; i < rep->nreqs; i++)
		if (strcmp(rep->reqs[i].id, r->svals[0]) == 0) {
			const struct rp_req *q = &rep->reqs[i];
			r->status = rp_req_status(q);
			r->n_relevant = q->n_relevant;
			r->n_observable = q->n_observable;
			r->n_violating = q->v_flows;
			snprintf(r->reason, sizeof(r->reason), "%s", q->reason);
			return;
		}
	r->status = "not_observed";
	snprintf(r->reason, sizeof(r->reason), "not judged at ASVS level %d (the report's --level)", rep->o->level);
}

/* the profile's status: fail if a rule fails, else not_observable if one
 * is, else pass if one passes, else not_observed */
static const char *pf_worst(const char *a, const char *b)
{
	static const char *const order[] = { "fail", "not_observable", "pass", "not_observed", NULL };
	int i, ia = 4, ib = 4;
	for (i = 0; order[i]; i++) {
		if (a && strcmp(a, order[i]) == 0)
			ia = i;
		if (b && strcmp(b, order[i]) == 0)
			ib = i;
	}
	if (ia == 4)
		return b;
	if (ib == 4)
		return a;
	return ia <= ib ? a : b;
}

const char *rp_profile_cell(const struct rp_profile *p, int t)
{
	const char *s = NULL;
	int i;
	for (i = 0; i < p->nrules; i++)
		if (rp_prule_topic(&p->rules[i]) == t)
			s = s ? pf_worst(s, p->rules[i].status) : p->rules[i].status;
	return s;
}

/* ---- Mozilla-style classes ---- */

struct pf_cls {
	struct rp_report *rep;
	int *fam;                 /* the family's profiles, strictest first */
	int nfam;
	size_t cap;
};

static int cb_class(const struct store_row *row, void *arg)
{
	struct pf_cls *C = arg;
	struct rp_report *rep = C->rep;
	struct rp_pclass *x;
	int f, c = 4, j, n = store_col_count(row);
	if (n < 4)
		return 0;
	rep->pclass = rp_grow(rep->pclass, &C->cap, (size_t)rep->npclass + 1, sizeof(*rep->pclass));
	x = &rep->pclass[rep->npclass++];
	memset(x, 0, sizeof(*x));
	snprintf(x->ip, sizeof(x->ip), "%s", store_col_text(row, 0) ? store_col_text(row, 0) : "");
	x->port = (int)store_col_int(row, 1);
	x->protocol = rp_xstrdup(store_col_text(row, 2));
	x->flows = store_col_int(row, 3);
	for (f = 0; f < C->nfam; f++) {
		const struct rp_profile *p = &rep->prof[C->fam[f]];
		int bad = -1;
		for (j = 0; j < p->nrules; j++, c++)
			if (c < n && store_col_int(row, c) > 0 && bad < 0)
				bad = j;
		if (bad < 0 && x->cls == NULL)
			x->cls = p;
		if (f == C->nfam - 1 && x->cls == NULL && bad >= 0) {
			char why[400];
			snprintf(why, sizeof(why), "%s %s: %s", p->name, p->rules[bad].id, p->rules[bad].title);
			x->why = rp_xstrdup(why);
		}
	}
	return 0;
}

static int pf_cmp_class(const void *a, const void *b)
{
	const struct rp_pclass *x = a, *y = b;
	int rx = x->cls ? x->cls->rank : 99, ry = y->cls ? y->cls->rank : 99, c;
	if (rx != ry)
		return rx > ry ? -1 : 1;   /* weakest first: what needs work */
	if (x->flows != y->flows)
		return x->flows > y->flows ? -1 : 1;
	if ((c = strcmp(x->ip, y->ip)) != 0)
		return c;
	return x->port - y->port;
}

static int pf_classes(struct rp_report *rep)
{
	struct pf_cls C = { rep, NULL, 0, 0 };
	struct pf_sb sql = { NULL, 0, 0 };
	int i, j, k, rc;

	C.fam = rp_xcalloc((size_t)rep->nprof, sizeof(*C.fam));
	for (i = 0; i < rep->nprof; i++)
		if (rep->prof[i].family && strcmp(rep->prof[i].family, rep->pfamily) == 0)
			C.fam[C.nfam++] = i;
	for (i = 1; i < C.nfam; i++)   /* by rank, strictest first */
		for (j = i; j > 0 && rep->prof[C.fam[j]].rank < rep->prof[C.fam[j - 1]].rank; j--) {
			k = C.fam[j];
			C.fam[j] = C.fam[j - 1];
			C.fam[j - 1] = k;
		}
	pf_add(&sql, "SELECT ip, port, protocol, SUM(n)");
	for (i = 0; i < C.nfam; i++) {
		const struct rp_profile *p = &rep->prof[C.fam[i]];
		for (j = 0; j < p->nrules; j++) {
			pf_add(&sql, ", SUM(CASE WHEN ");
			if (p->rules[j].ck->violation)
				pf_scoped(&sql, &p->rules[j], p->rules[j].ck->violation);
			else
				pf_add(&sql, "0 = 1");
			pf_add(&sql, " THEN n ELSE 0 END)");
		}
	}
	pf_add(&sql, " FROM rp_pfx WHERE has_tls = 1 AND ver IS NOT NULL GROUP BY ip, port, protocol");
	rc = pf_rows(rep, sql.s, cb_class, &C);
	free(sql.s);
	free(C.fam);
	if (rc == 0 && rep->npclass > 1)
		qsort(rep->pclass, (size_t)rep->npclass, sizeof(*rep->pclass), pf_cmp_class);
	return rc;
}

/* ---- the certificate inventory ---- */

struct pf_inv {
	struct rp_report *rep;
	size_t cap;
};

static int cb_inv(int n, const char *const *v, void *arg)
{
	struct pf_inv *I = arg;
	struct rp_report *rep = I->rep;
	struct rp_invcert *c;
	char key[96];
	if (n < 16)
		return 0;
	rep->inv = rp_grow(rep->inv, &I->cap, (size_t)rep->ninv + 1, sizeof(*rep->inv));
	c = &rep->inv[rep->ninv++];
	memset(c, 0, sizeof(*c));
	c->sha256 = rp_xstrdup(v[0]);
	c->subject = rp_xstrdup(v[1]);
	c->issuer = rp_xstrdup(v[2]);
	c->not_before = v[3] ? rp_num(v[3]) : 0;
	c->not_after = v[4] ? rp_num(v[4]) : 0;
	if (v[5]) {
		snprintf(key, sizeof(key), "%s%s%s%s%s", v[5], v[6] ? " " : "", v[6] ? v[6] : "",
			 v[7] ? " " : "", v[7] ? v[7] : "");
		c->key = rp_xstrdup(key);
	}
	c->sig_hash = rp_xstrdup(v[8]);
	c->self_signed = v[9] ? (int)rp_num(v[9]) : -1;
	c->servers = v[10] ? rp_num(v[10]) : 0;
	c->flows = v[11] ? rp_num(v[11]) : 0;
	c->trusted = v[12] == NULL ? -1 : rp_num(v[12]) == 0 ? 0 : 1;
	c->first_seen = v[13] ? rp_num(v[13]) : 0;
	c->last_seen = v[14] ? rp_num(v[14]) : 0;
	c->first_server = rp_xstrdup(v[15]);
	c->client = n > 16 && v[16] && strcmp(v[16], "1") == 0;
	return 0;
}

/* every leaf certificate a server presented in the window, then every
 * client certificate (mutual TLS; the trust verdict as the report judged
 * it, rp_tv, or as the capture did), each soonest expiry first. A server
 * certificate names the first server that presented it, a client
 * certificate the first client. */
static const char pf_inv_sql[] =
	"SELECT x.leaf, ce.subject, ce.issuer, ce.not_before, ce.not_after, ce.key_type, ce.key_bits, ce.curve,"
	" ce.sig_hash, ce.self_signed, x.servers, x.flows, x.trusted, x.t0, x.t1, x.srv, x.cl"
	" FROM (SELECT leaf, 0 AS cl, COUNT(DISTINCT ip || ' ' || CAST(port AS TEXT)) AS servers, SUM(n) AS flows,"
	" MIN(trusted) AS trusted, MIN(t0) AS t0, MAX(t1) AS t1,"
	" MIN(ip || ':' || CAST(port AS TEXT)) AS srv"
	" FROM rp_pfx WHERE leaf IS NOT NULL GROUP BY leaf"
	" UNION ALL SELECT ch.leaf, 1, COUNT(DISTINCT f.server_ip || ' ' || CAST(f.server_port AS TEXT)),"
	" SUM(COALESCE(ru.flows, 1)),"
	" MIN(CASE WHEN v.c = 1 THEN v.ctrusted ELSE t.client_chain_trusted END), MIN(f.ts_first), MAX(f.ts_first),"
	" MIN(f.client_ip)"
	" FROM flows f JOIN tls t ON t.flow_id = f.flow_id JOIN chains ch ON ch.chain_id = t.client_chain"
	" LEFT JOIN rollups ru ON ru.flow_id = f.flow_id LEFT JOIN rp_tv v ON v.flow_id = t.flow_id"
	" WHERE ch.leaf IS NOT NULL AND " RP_IN_WINDOW("f") " GROUP BY ch.leaf) x"
	" LEFT JOIN certs ce ON ce.sha256 = x.leaf"
	" ORDER BY x.cl, ce.not_after IS NULL, ce.not_after, x.leaf";

/* ---- driver ---- */

int rp_profiles_run(struct rp_report *rep)
{
	struct pf_sb sql = { NULL, 0, 0 };
	int i, j, k, nsql = 0, rc = 0;

	if (!rep->prof_extra && !rep->inv_on)
		return 0;
	if (rp_q_exec(rep, pf_rows_sql) != 0 ||
	    rp_q_exec(rep, "CREATE TEMP TABLE rp_pfset (rule INTEGER, ival INTEGER, sval TEXT)") != 0)
		return -1;
	/* number the rules, their arguments into rp_pfset */
	for (i = 0; i < rep->nprof; i++)
		for (j = 0; j < rep->prof[i].nrules; j++) {
			struct rp_prule *r = &rep->prof[i].rules[j];
			r->sqlno = ++nsql;
			for (k = 0; k < r->nivals || k < r->nsvals; k++) {
				char b[2][32];
				const char *p[3];
				snprintf(b[0], sizeof(b[0]), "%d", r->sqlno);
				snprintf(b[1], sizeof(b[1]), "%lld", (long long)(k < r->nivals ? r->ivals[k] : 0));
				p[0] = b[0];
				p[1] = k < r->nivals ? b[1] : NULL;
				p[2] = k < r->nsvals ? r->svals[k] : NULL;
				if (r->ck->args == PA_REQ)
					break;
				if (rp_q(rep, "INSERT INTO rp_pfset VALUES (CAST(?1 AS INTEGER), CAST(?2 AS INTEGER), ?3)",
					 p, 3, rp_cb_noop, NULL) != 0)
					return -1;
			}
		}
	/* one scan: every rule's relevant, observable and violating flows */
	for (i = 0; i < rep->nprof; i++)
		for (j = 0; j < rep->prof[i].nrules; j++) {
			const struct rp_prule *r = &rep->prof[i].rules[j];
			if (r->ck->relevant == NULL)
				continue;
			pf_add(&sql, sql.len ? ", SUM(CASE WHEN " : "SELECT SUM(CASE WHEN ");
			pf_scoped(&sql, r, r->ck->relevant);
			pf_add(&sql, " THEN n ELSE 0 END), SUM(CASE WHEN ");
			pf_scoped(&sql, r, r->ck->relevant);
			pf_add(&sql, " AND ");
			pf_pred(&sql, r->ck->observable, r->sqlno);
			pf_add(&sql, " THEN n ELSE 0 END), SUM(CASE WHEN ");
			pf_scoped(&sql, r, r->ck->violation);
			pf_add(&sql, " THEN n ELSE 0 END)");
		}
	if (sql.len)
		pf_add(&sql, " FROM rp_pfx");
	if (sql.s && pf_rows(rep, sql.s, cb_sums, rep) != 0)
		rc = -1;
	free(sql.s);
	if (rc)
		return rc;
	/* the violating servers of each rule that has any */
	for (i = 0; i < rep->nprof; i++)
		for (j = 0; j < rep->prof[i].nrules; j++) {
			struct rp_prule *r = &rep->prof[i].rules[j];
			struct pf_vacc A;
			if (r->ck->relevant == NULL) {
				pf_asvs(rep, r);
				continue;
			}
			if (r->n_violating > 0) {
				memset(&A, 0, sizeof(A));
				A.r = r;
				memset(&sql, 0, sizeof(sql));
				pf_add(&sql, "SELECT ip, port, protocol, ");
				pf_add(&sql, r->ck->evidence);
				pf_add(&sql, " AS ev, SUM(n) AS w FROM rp_pfx WHERE ");
				pf_scoped(&sql, r, r->ck->violation);
				pf_add(&sql, " GROUP BY ip, port, protocol, ev ORDER BY ip, port, protocol, w DESC, ev");
				rc = rp_q(rep, sql.s, NULL, 0, cb_viol, &A);
				free(sql.s);
				rp_strs_free(&A.keys);
				if (rc)
					return -1;
				if (r->nviol > 1)
					qsort(r->viol, (size_t)r->nviol, sizeof(*r->viol), pf_cmp_viol);
			}
			pf_judge(r);
		}
	for (i = 0; i < rep->nprof; i++) {
		struct rp_profile *p = &rep->prof[i];
		p->status = NULL;
		for (j = 0; j < p->nrules; j++) {
			const char *s = p->rules[j].status;
			p->nfail += strcmp(s, "fail") == 0;
			p->npass += strcmp(s, "pass") == 0;
			p->nnotobs += strcmp(s, "not_observable") == 0;
			p->nnotseen += strcmp(s, "not_observed") == 0;
			p->status = p->status ? pf_worst(p->status, s) : s;
		}
		/* a chosen profile that fails fails the run (exit 6), as a
		 * V12 requirement does at the chosen level */
		if (p->shown && p->nfail > 0 && strcmp(p->name, "asvs5") != 0)
			rep->prof_fail = true;
	}
	if (rep->pfamily && pf_classes(rep) != 0)
		return -1;
	if (rep->inv_on) {
		struct pf_inv I = { rep, 0 };
		if (rp_q(rep, pf_inv_sql, NULL, 0, cb_inv, &I) != 0)
			return -1;
	}
	return 0;
}
