/* SPDX-License-Identifier: BSD-3-Clause */
/* textproto.h — what the line-based STARTTLS protocols (SMTP, FTP, POP3,
 * IMAP) share: the loop that reads CRLF lines and applies a protocol's line
 * handler, and the security decision from their upgrade facts, both when
 * the client goes on in clear and at the end of the flow. */
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

/* A protocol's client commands that mean its session went on in clear
 * (a login, the mail envelope, a mailbox command): the ones in `verbs`, or
 * with all_but every command except those. A name ending in a space
 * matches only with something after it ("AUTH " is AUTH with a mechanism).
 * One static table per dissector. */
struct textproto_clear_cmds {
	const char *const *verbs;   /* NULL-terminated, any case on the wire */
	bool colon_ok;              /* as textproto_is_verb: "MAIL FROM:" */
	bool all_but;               /* verbs lists the commands that do not matter */
};

/* The client sent the command cmd[0..n) (a whole line, or IMAP's command
 * word after its tag) before any upgrade took effect. When `cmds` says it
 * matters, the session's security state is decided, unless one is already
 * set: tls_refused after a refused upgrade (refused), else
 * starttls_not_used when the server offered one (offered), else cleartext.
 * Reads cmd only. */
void textproto_went_on_in_clear(struct dis_ctx *ctx, const struct textproto_clear_cmds *cmds,
				const char *cmd, size_t n, bool refused, bool offered);

/* End-of-flow security state of a session that never upgraded, the same
 * decision as textproto_went_on_in_clear: nothing if a state is already
 * set or no command was seen, nor when the client gave up after a refusal
 * (!after_refusal: nothing went in clear) or its upgrade request is still
 * unanswered (tls_wait). */
void textproto_flow_end(struct dis_ctx *ctx, unsigned cmds, bool refused, bool after_refusal,
			bool tls_wait, bool offered);

#endif
