/* SPDX-License-Identifier: BSD-3-Clause */
/* util.h — small helpers: address and time formatting. */
#ifndef WA_UTIL_H
#define WA_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define IPSTR_MAX 46
#define TSSTR_MAX 40

/* IPv4 (first 4 bytes) or IPv6 address to text. */
void ip_to_str(const uint8_t *a, int ipver, char *out, size_t outlen);
/* Microseconds since the epoch to RFC 3339 UTC with microseconds:
 * 2026-11-27T06:23:34.123456Z */
void ts_to_rfc3339(int64_t us, char *out, size_t outlen);
/* Parse RFC 3339 (or YYYY-MM-DD) to microseconds; -1 on error. */
int64_t rfc3339_to_ts(const char *s);
/* Wall-clock now in microseconds. */
int64_t now_us(void);
/* v in decimal into out (room for 21 bytes), NUL-terminated; returns the
 * length. The hot paths (JSON numbers, JA3 lists) use these instead of
 * snprintf, which costs ten times as much. */
size_t u64_to_dec(uint64_t v, char *out);
size_t i64_to_dec(int64_t v, char *out);

/* Opens path for writing, created or truncated with mode 0600 (an output
 * holds what the network carried); NULL after a message on stderr. */
FILE *wa_open_output(const char *path);

/* Set by a command's option parser when the command line itself is wrong
 * (an unknown option, a missing argument, a stray argument): main() then
 * points to the command's help. */
extern int wa_usage_hint;
/* The terminal's width in columns when fd is a terminal (TIOCGWINSZ, else
 * $COLUMNS, else 80); 0 when fd is not a terminal. */
int wa_tty_columns(int fd);

#endif
