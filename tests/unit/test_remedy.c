/* SPDX-License-Identifier: BSD-3-Clause */
/* test_remedy.c — every finding kind (rules.c rp_kinds, the TLS and the
 * SSH kinds alike) says what to change and where the guidance is (issue
 * 20): a remediation of one or two sentences and an https reference that
 * the formats can print as they are (no character that Markdown or HTML
 * would read: tests that too). docs/REPORT-RULES.md "Remediation per kind"
 * lists each kind's line exactly as this program prints it with
 * --markdown (the way to regenerate that table). */
#include "report_int.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define NKINDS 45   /* kinds in rules.c: a new kind needs its remediation */

static void md_line(const struct rp_kind *k, char *buf, size_t len)
{
	snprintf(buf, len, "| `%s` | %s | %s | <%s> |", k->kind, k->req, k->remediation, k->reference);
}

/* The reference: https, a host, then only unreserved characters and the
 * separators a path, a query or a fragment needs. */
static bool url_ok(const char *u)
{
	const char *p;
	if (strncmp(u, "https://", 8) != 0 || u[8] == 0 || u[8] == '/')
		return false;
	for (p = u + 8; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("-._~/#?=%", *p)))
			return false;
	return true;
}

/* One or two sentences of plain text: no Markdown emphasis, table or code
 * markup, no HTML, no line break; ends with a full stop. */
static bool text_ok(const char *t)
{
	size_t n = t ? strlen(t) : 0, dots = 0;
	if (n < 40 || n > 320 || t[n - 1] != '.' || strpbrk(t, "*|`<>\\\n\r\t") != NULL)
		return false;
	for (size_t i = 0; i + 1 < n; i++)
		if (t[i] == '.' && t[i + 1] == ' ')
			dots++;
	return dots <= 1;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (b)
		b[n] = 0;
	fclose(f);
	return b;
}

int main(int argc, char **argv)
{
	const char *src = getenv("SRCDIR");
	char path[4096], line[1024];
	char *doc = NULL;
	int n, bad_text = 0, bad_url = 0, dup = 0, undocumented = 0;

	if (argc > 1 && strcmp(argv[1], "--markdown") == 0) {
		puts("| kind | requirement | remediation | reference |\n|---|---|---|---|");
		for (n = 0; rp_kinds[n].req; n++) {
			md_line(&rp_kinds[n], line, sizeof(line));
			puts(line);
		}
		return 0;
	}
	if (src) {
		snprintf(path, sizeof(path), "%s/docs/REPORT-RULES.md", src);
		doc = read_all(path);
	}
	for (n = 0; rp_kinds[n].req; n++) {
		const struct rp_kind *k = &rp_kinds[n];
		if (!text_ok(k->remediation)) {
			bad_text++;
			printf("#   %s: remediation not one or two plain sentences: %s\n", k->kind,
			       k->remediation ? k->remediation : "(none)");
		}
		if (k->reference == NULL || !url_ok(k->reference)) {
			bad_url++;
			printf("#   %s: reference not a plain https URL: %s\n", k->kind,
			       k->reference ? k->reference : "(none)");
		}
		for (int j = 0; j < n; j++)
			if (strcmp(rp_kinds[j].kind, k->kind) == 0)
				dup++;
		md_line(k, line, sizeof(line));
		if (doc && strstr(doc, line) == NULL) {
			undocumented++;
			printf("#   docs/REPORT-RULES.md lacks: %s\n", line);
		}
	}
	is_int(n, NKINDS, "%d finding kinds (TLS, HTTP, cleartext, SNMP, VNC, RDP, SMB and SSH)", NKINDS);
	is_int(bad_text, 0, "every kind has a remediation of one or two plain sentences");
	is_int(bad_url, 0, "every kind has an https reference of plain URL characters");
	is_int(dup, 0, "kind names are unique");
	ok(doc != NULL, "docs/REPORT-RULES.md read (SRCDIR set by make check)");
	is_int(undocumented, 0, "docs/REPORT-RULES.md lists every kind's remediation and reference as rules.c has them");
	/* the negative cases of the checks themselves */
	ok(!url_ok("http://example.org/") && !url_ok("https://") && !url_ok("https://a b") &&
	   !url_ok("https://x/(y)") && url_ok("https://www.rfc-editor.org/rfc/rfc6066#section-8"),
	   "url_ok: http, an empty host, spaces and parentheses refused; a fragment accepted");
	ok(!text_ok("Short.") && !text_ok("One. Two. Three sentences are too many for a fix line here.") &&
	   !text_ok("Use TLS_RSA_WITH_* suites nowhere in any configuration file at all.") &&
	   text_ok("Enable TLS on the server, and require it from every client that connects."),
	   "text_ok: too short, three sentences and Markdown markup refused");
	free(doc);
	return tap_done();
}
