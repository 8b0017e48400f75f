/* SPDX-License-Identifier: BSD-3-Clause */
/* test_pg_copy.c — the COPY text-format helpers of the fleet store
 * (src/store/pg.h: pg_copy_text, pg_copy_bytea, pg_copy_split) against
 * PostgreSQL 15's documented format (sql-copy.html, "Text Format"):
 *
 *   - COPY FROM must see backslash, newline, carriage return and the
 *     delimiter (tab) behind a backslash; \N is NULL, and the null string is
 *     matched before any backslash is removed, so data "\N" is sent "\\N";
 *   - COPY FROM reads \b \f \n \r \t \v, \ and one to three octal digits
 *     (the byte with that code), \x and one or two hex digits, and any other
 *     backslashed character as itself;
 *   - COPY TO emits \b \f \n \r \t \v \\ for those bytes, never an octal or
 *     hex sequence, every other byte as it is, each row ended by "\n";
 *   - bytea's text form is "\x" and two hex digits a byte, so in COPY data
 *     "\\x...".
 *
 * pg_copy_split reads what the server's COPY TO sends (pg_mirror_open);
 * pg_copy_text and pg_copy_bytea write what forward.c sends to COPY FROM.
 * Exact values first, then seeded random round trips (text -> split, and
 * COPY TO's own escaping, as documented, -> split).
 *
 * pg_copy_split writes a NUL at the end of the last field, which is
 * line[len] when the row has no trailing newline: the buffer must have
 * len + 1 bytes (PQgetCopyData's always has); split_of() below gives it
 * exactly that much, so ASan or valgrind would see one byte more. */
#include <stdlib.h>
#include "tap.h"
#include "json.h"
#include "pg.h"

#define MAXF 16

/* the text written for v, as a malloc'd string */
static char *text_of(const char *v)
{
	struct jbuf b;
	jb_init(&b);
	pg_copy_text(&b, v);
	return jb_take(&b);
}

static char *bytea_of(const void *v, size_t n)
{
	struct jbuf b;
	jb_init(&b);
	pg_copy_bytea(&b, v, n);
	return jb_take(&b);
}

/* splits a copy of line[0..len) held in exactly len + 1 bytes; *buf is
 * the copy (the fields point into it: free it) */
static int split_of(const char *line, size_t len, char **fields, int max, char **buf)
{
	*buf = malloc(len + 1);
	memcpy(*buf, line, len);
	(*buf)[len] = '\0';
	return pg_copy_split(*buf, len, fields, max);
}

/* one split, its fields compared with want (NULL: \N) */
static void split_is(const char *line, int want_n, const char *const *want, const char *what)
{
	char *fields[MAXF], *buf;
	int n = split_of(line, strlen(line), fields, MAXF, &buf), same = n == want_n;
	for (int i = 0; same && i < n; i++)
		same = (fields[i] == NULL && want[i] == NULL) ||
		       (fields[i] && want[i] && strcmp(fields[i], want[i]) == 0);
	if (!ok(same, "split: %s", what)) {
		printf("#   got %d fields, want %d\n", n, want_n);
		for (int i = 0; i < n && i < MAXF; i++)
			printf("#   [%d] %s%s%s\n", i, fields[i] ? "\"" : "", fields[i] ? fields[i] : "NULL",
			       fields[i] ? "\"" : "");
	}
	free(buf);
}


/* COPY TO's escaping of a text value, as the documentation gives it
 * (src/backend/commands/copyto.c CopyAttributeOutText does the same):
 * \b \f \n \r \t \v and \\, every other byte as it is */
static void copy_to_emit(struct jbuf *b, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *e = NULL;
		switch (s[i]) {
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		case '\v': e = "\\v"; break;
		case '\\': e = "\\\\"; break;
		default: break;
		}
		if (e)
			jb_bytes(b, e, 2);
		else
			jb_bytes(b, &s[i], 1);
	}
}

/* xorshift64*: the same cases on every run */
static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

/* a random string of 0..max bytes, no NUL, weighted towards the bytes the
 * format cares about */
static size_t rnd_bytes(unsigned char *s, size_t max)
{
	static const unsigned char special[] = { '\\', '\t', '\n', '\r', '\b', '\f', '\v', 'N', '.',
						 '0', '7', '8', 'x', 'F', 0x80, 0xff };
	size_t n = (size_t)(rnd() % (max + 1));
	for (size_t i = 0; i < n; i++) {
		uint64_t r = rnd();
		s[i] = (r & 3) == 0 ? special[(r >> 2) % sizeof(special)] : (unsigned char)(1 + (r >> 8) % 255);
	}
	s[n] = '\0';
	return n;
}

int main(void)
{
	char *s, *buf, *fields[MAXF];
	int n;

	/* ---- pg_copy_text: what COPY FROM is sent ---- */
	static const struct {
		const char *in, *want, *what;
	} texts[] = {
		{ "plain", "plain", "no special byte: as it is" },
		{ "", "", "the empty string: nothing (not \\N)" },
		{ "a\tb", "a\\tb", "a tab (the delimiter): \\t" },
		{ "a\nb", "a\\nb", "a newline: \\n" },
		{ "a\rb", "a\\rb", "a carriage return: \\r" },
		{ "a\\b", "a\\\\b", "a backslash: doubled" },
		{ "\\N", "\\\\N", "the text \\N: \\\\N, never the null marker" },
		{ "\\.", "\\\\.", "the text \\.: \\\\., never the end-of-data marker" },
		{ "\\", "\\\\", "a lone backslash" },
		{ "\b\f\v\a\x1b", "\b\f\v\a\x1b", "other control bytes as they are (COPY FROM takes them raw)" },
		{ "\\\\\t\t\n\r\r\n", "\\\\\\\\\\t\\t\\n\\r\\r\\n", "runs of escapes" },
		{ "'\"$$;--", "'\"$$;--", "quotes and SQL punctuation: nothing to escape in COPY data" },
		{ "\xc3\x28\xff\x80", "\xc3\x28\xff\x80", "invalid UTF-8 and high bytes as they are" },
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		s = text_of(texts[i].in);
		is_str(s, texts[i].want, "text: %s", texts[i].what);
		free(s);
	}
	s = text_of(NULL);
	is_str(s, "\\N", "text: NULL is \\N");
	free(s);
	{
		/* every byte 0x01..0xff in one string */
		char in[256], want[512];
		size_t w = 0;
		for (int c = 1; c < 256; c++)
			in[c - 1] = (char)c;
		in[255] = '\0';
		memcpy(want + w, in, 8), w += 8;              /* 0x01..0x08 */
		memcpy(want + w, "\\t\\n", 4), w += 4;        /* 0x09 0x0a */
		memcpy(want + w, in + 10, 2), w += 2;         /* 0x0b 0x0c */
		memcpy(want + w, "\\r", 2), w += 2;           /* 0x0d */
		memcpy(want + w, in + 13, 0x5c - 0x0e), w += 0x5c - 0x0e; /* 0x0e..0x5b */
		memcpy(want + w, "\\\\", 2), w += 2;          /* 0x5c */
		memcpy(want + w, in + 0x5c, 0xff - 0x5c), w += 0xff - 0x5c; /* 0x5d..0xff */
		want[w] = '\0';
		s = text_of(in);
		ok(strlen(s) == w && memcmp(s, want, w) == 0,
		   "text: every byte 0x01..0xff: 255 bytes, 4 of them escaped (%zu bytes out)", strlen(s));
		{
			/* the format's own rule: no raw tab, newline or CR; every
			 * backslash starts one of \t \n \r \\ */
			int bad = 0;
			for (size_t i = 0; s[i]; i++) {
				if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
					bad++;
				if (s[i] == '\\') {
					if (!strchr("tnr\\", s[i + 1]) || s[i + 1] == '\0')
						bad++;
					i++;
				}
			}
			is_int(bad, 0, "text: every byte: no raw delimiter or line end, no stray backslash");
		}
		n = split_of(s, strlen(s), fields, MAXF, &buf);
		ok(n == 1 && fields[0] && strcmp(fields[0], in) == 0, "text -> split: every byte 0x01..0xff comes back");
		free(buf);
		free(s);
	}

	/* ---- pg_copy_bytea: \\x and the hex digits ---- */
	{
		static const unsigned char b1[] = { 0x00, 0x01, 0x09, 0x0a, 0x5c, 0x7f, 0x80, 0xff };
		s = bytea_of(b1, sizeof(b1));
		is_str(s, "\\\\x0001090a5c7f80ff", "bytea: NUL, tab, newline, backslash, DEL, high bytes: \\\\x hex");
		free(s);
		s = bytea_of(b1, 0);
		is_str(s, "\\\\x", "bytea: zero bytes: \\\\x (an empty bytea, not NULL)");
		free(s);
		s = bytea_of(NULL, 0);
		is_str(s, "\\N", "bytea: NULL: \\N");
		free(s);
		s = bytea_of("\0", 1);
		is_str(s, "\\\\x00", "bytea: one NUL byte");
		free(s);
	}
	{
		/* past the 128 bytes that fill the function's own buffer */
		unsigned char big[300];
		char want[3 + 600 + 1];
		static const char hx[] = "0123456789abcdef";
		memcpy(want, "\\\\x", 3);
		for (int i = 0; i < 300; i++) {
			big[i] = (unsigned char)(i * 7 + 3);
			want[3 + 2 * i] = hx[big[i] >> 4];
			want[3 + 2 * i + 1] = hx[big[i] & 15];
		}
		want[603] = '\0';
		s = bytea_of(big, sizeof(big));
		is_str(s, want, "bytea: 300 bytes (across the internal 256-character buffer)");
		/* what COPY FROM makes of it: bytea's hex input */
		n = split_of(s, strlen(s), fields, MAXF, &buf);
		ok(n == 1 && fields[0] && strcmp(fields[0], want + 1) == 0,
		   "bytea -> split: \\x and 600 hex digits, bytea's input format");
		free(buf);
		free(s);
	}

	/* ---- pg_copy_split: what COPY TO sends ---- */
	{
		const char *w3[] = { "a", "b", "c" };
		split_is("a\tb\tc\n", 3, w3, "three fields, the row's newline dropped");
		split_is("a\tb\tc", 3, w3, "no trailing newline");
	}
	{
		const char *w[] = { "" };
		split_is("", 1, w, "an empty line: one empty field");
		split_is("\n", 1, w, "a newline only: one empty field");
	}
	{
		const char *w[] = { "", "", "" };
		split_is("\t\t\n", 3, w, "empty fields: empty strings, not NULL");
	}
	{
		const char *w[] = { NULL, "\\N", "xN", "Nx", NULL };
		split_is("\\N\t\\\\N\tx\\N\t\\Nx\t\\N\n", 5, w,
			 "\\N is NULL; \\\\N the text \\N; \\N inside a field the letter N");
	}
	{
		const char *w[] = { NULL };
		split_is("\\N", 1, w, "\\N alone, no newline: NULL");
		split_is("\\N\n", 1, w, "\\N alone: NULL");
	}
	{
		const char *w[] = { "", NULL, "" };
		split_is("\t\\N\t\n", 3, w, "NULL between empty fields");
	}
	{
		const char *w[] = { "\b\f\n\r\t\v\\" };
		split_is("\\b\\f\\n\\r\\t\\v\\\\\n", 1, w, "the documented escapes \\b \\f \\n \\r \\t \\v \\\\");
	}
	{
		const char *w[] = { "a\tb", "c" };
		split_is("a\\\tb\tc\n", 2, w, "a backslash before the delimiter: a tab in the data");
	}
	{
		const char *w[] = { "q\"'.N" };
		split_is("\\q\\\"\\'\\.N\n", 1, w, "any other backslashed character: itself");
	}
	{
		const char *w[] = { "A", "01", "\a", "\xff", "\nx", "A8", "8", "A" };
		split_is("\\101\t\\0601\t\\7\t\\377\t\\12x\t\\1018\t\\8\t\\501\n", 8, w,
			 "octal: 1 to 3 digits, no more; \\8 is not octal; \\501 is 0x141 & 0xff");
	}
	{
		const char *w[] = { "a\n" };
		split_is("a\\n\n", 1, w, "an escaped newline before the row's: kept");
	}
	{
		const char *w[] = { "\xc3\x28\xff\x80\x01\x1b" };
		split_is("\xc3\x28\xff\x80\x01\x1b\n", 1, w, "high and raw control bytes as they are");
	}
	{
		/* \x and one or two hex digits: the text format's documented
		 * escape (COPY TO does not emit it; the split reads it anyway) */
		char *f2[MAXF];
		n = split_of("\\x41\t\\x4\t\\x4g\n", 13, f2, MAXF, &buf);
		ok(n == 3 && f2[0] && strcmp(f2[0], "A") == 0 && f2[1] && strcmp(f2[1], "\x04") == 0 &&
		   f2[2] && strcmp(f2[2], "\x04g") == 0,
		   "split: \\x41 \\x4 \\x4g (hex escapes) are A, 0x04, 0x04 g");
		free(buf);
	}
	/* too many fields */
	n = split_of("a\tb\tc\n", 6, fields, 2, &buf);
	is_int(n, -1, "split: three fields, room for two: -1");
	free(buf);
	n = split_of("a\tb\t\n", 5, fields, 2, &buf);
	is_int(n, -1, "split: a trailing empty third field, room for two: -1");
	free(buf);
	n = split_of("a\tb\n", 4, fields, 2, &buf);
	is_int(n, 2, "split: exactly as many fields as room");
	free(buf);
	n = split_of("\n", 1, fields, 0, &buf);
	is_int(n, -1, "split: no room at all: -1");
	free(buf);

	/* ---- round trips, seeded ---- */
	{
		/* text -> split: rows of 1..8 fields, some NULL */
		unsigned char vals[8][130];
		int nulls[8], failures = 0, cases = 4000, nnull = 0, nbs = 0;
		struct jbuf row;
		jb_init(&row);
		for (int k = 0; k < cases; k++) {
			int nf = 1 + (int)(rnd() % 8);
			jb_reset(&row);
			for (int i = 0; i < nf; i++) {
				/* now and then a value the format treats specially */
				static const char *const tricky[] = { "\\N", "\\", "N", "\\.", "", "\\\\N", "\t",
								      "\\t", "\\101", "\\x41" };
				uint64_t r = rnd();
				if (r % 8 == 0)
					strcpy((char *)vals[i], tricky[(r >> 8) % (sizeof(tricky) / sizeof(tricky[0]))]);
				else
					rnd_bytes(vals[i], 128);
				nulls[i] = rnd() % 10 == 0;
				nnull += nulls[i];
				nbs += strchr((char *)vals[i], '\\') != NULL;
				if (i)
					jb_bytes(&row, "\t", 1);
				pg_copy_text(&row, nulls[i] ? NULL : (const char *)vals[i]);
			}
			jb_bytes(&row, "\n", 1);
			n = split_of(row.s, row.len, fields, nf, &buf);
			int bad = n != nf;
			for (int i = 0; !bad && i < nf; i++)
				bad = nulls[i] ? fields[i] != NULL
					       : (fields[i] == NULL || strcmp(fields[i], (char *)vals[i]) != 0);
			if (bad && failures++ == 0)
				printf("#   first failure at case %d: %d fields, want %d\n", k, n, nf);
			free(buf);
		}
		jb_free(&row);
		is_int(failures, 0, "round trip text -> split: %d random rows (%d NULLs, %d values with a backslash)",
		       cases, nnull, nbs);
	}
	{
		/* COPY TO's escaping (as documented) -> split: what the mirror
		 * reads from the server, byte for byte */
		unsigned char v[258];
		int failures = 0, cases = 4000;
		struct jbuf row;
		jb_init(&row);
		for (int k = 0; k < cases; k++) {
			size_t len = rnd_bytes(v, 256);
			jb_reset(&row);
			copy_to_emit(&row, v, len);
			jb_bytes(&row, "\n", 1);
			n = split_of(row.s, row.len, fields, 1, &buf);
			if (n != 1 || fields[0] == NULL || strlen(fields[0]) != len || memcmp(fields[0], v, len) != 0) {
				if (failures++ == 0)
					printf("#   first failure at case %d (%zu bytes)\n", k, len);
			}
			free(buf);
		}
		jb_free(&row);
		is_int(failures, 0, "round trip COPY TO's escaping -> split: %d random values", cases);
	}
	return tap_done();
}
