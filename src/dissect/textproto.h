/* textproto.h — what the line-based STARTTLS protocols (SMTP, FTP, POP3,
 * IMAP) share: the loop that reads CRLF lines and applies a protocol's line
 * handler, and the end-of-flow security decision from their upgrade facts. */
#ifndef WA_TEXTPROTO_H
#define WA_TEXTPROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "dissector.h"

/* A protocol's handler for one line (without CRLF) of direction dir.
 * Returns <0 protocol error (anomaly already raised), 0 go on, 1 all facts
 * known (DONE), 2 the server accepted the upgrade: TLS starts after this
 * line (hand-off). */
typedef int (*textproto_line_fn)(struct dis_ctx *ctx, void *state, enum dir dir,
				 const char *line, size_t len);

/* Runs `line` over every complete line of p[0..len), lines capped at
 * line_max bytes (over the cap: anomaly `anom_too_long`, DIS_ERROR). While
 * *tls_wait is set the client direction is not read (after STARTTLS the
 * next client bytes may be TLS, decided by the server's reply). */
struct dis_result textproto_lines(struct dis_ctx *ctx, void *state, enum dir dir,
				  const uint8_t *p, size_t len, size_t line_max,
				  int anom_too_long, const bool *tls_wait, textproto_line_fn line);

/* The line l[0..n) starts with the command `word` (ASCII, any case),
 * followed by its end, a space, or (colon_ok) a colon ("MAIL FROM:"). */
bool textproto_is_verb(const char *l, size_t n, const char *word, bool colon_ok);

/* `word` (ASCII, any case) occurs in p[0..n). */
bool textproto_has_word(const void *p, size_t n, const char *word);

/* End-of-flow security state of a session that never upgraded: nothing if
 * a state is already set or no command was seen; after a refused upgrade,
 * tls_refused only if the client went on; else starttls_not_used when the
 * server offered an upgrade, cleartext when not. */
void textproto_flow_end(struct dis_ctx *ctx, unsigned cmds, bool refused, bool after_refusal,
			bool tls_wait, bool offered);

#endif
