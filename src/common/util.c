/* SPDX-License-Identifier: BSD-3-Clause */
/* util.c — see util.h. */
#define _GNU_SOURCE
#include "util.h"

#include <stdlib.h>
#include <sys/ioctl.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

void ip_to_str(const uint8_t *a, int ipver, char *out, size_t outlen)
{
	if (inet_ntop(ipver == 6 ? AF_INET6 : AF_INET, a, out, (socklen_t)outlen) == NULL)
		snprintf(out, outlen, "?");
}

void ts_to_rfc3339(int64_t us, char *out, size_t outlen)
{
	time_t s = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
	int64_t frac = us - (int64_t)s * 1000000;
	struct tm tm;
	char buf[32];
	gmtime_r(&s, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outlen, "%s.%06lldZ", buf, (long long)frac);
}

int64_t rfc3339_to_ts(const char *s)
{
	struct tm tm;
	const char *e;
	long usec = 0;
	memset(&tm, 0, sizeof(tm));
	e = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (e == NULL) {
		memset(&tm, 0, sizeof(tm));
		e = strptime(s, "%Y-%m-%d", &tm);
		if (e == NULL)
			return -1;
	} else if (*e == '.') {
		int digits = 0;
		e++;
		while (*e >= '0' && *e <= '9') {
			if (digits < 6) {
				usec = usec * 10 + (*e - '0');
				digits++;
			}
			e++;
		}
		while (digits++ < 6)
			usec *= 10;
	}
	if (*e == 'Z')
		e++;
	if (*e != 0)
		return -1;
	return (int64_t)timegm(&tm) * 1000000 + usec;
}

int64_t now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

size_t u64_to_dec(uint64_t v, char *out)
{
	char t[20];
	size_t n = 0, i;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = t[n - 1 - i];
	out[n] = 0;
	return n;
}

size_t i64_to_dec(int64_t v, char *out)
{
	if (v < 0) {
		out[0] = '-';
		/* negate in unsigned arithmetic: INT64_MIN has no positive twin */
		return 1 + u64_to_dec(0 - (uint64_t)v, out + 1);
	}
	return u64_to_dec((uint64_t)v, out);
}

FILE *wa_open_output(const char *path)
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

int wa_usage_hint;

int wa_tty_columns(int fd)
{
	struct winsize ws;
	const char *c;
	long v;
	if (!isatty(fd))
		return 0;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if ((c = getenv("COLUMNS")) != NULL && (v = strtol(c, NULL, 10)) > 0 && v < 10000)
		return (int)v;
	return 80;
}
