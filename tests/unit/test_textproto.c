/* SPDX-License-Identifier: BSD-3-Clause */
/* test_textproto.c — the shared security decision of the STARTTLS-style
 * line protocols (src/dissect/textproto.h): which client commands mean the
 * session went on in clear (named verbs, "all but" lists, a verb that
 * needs an argument, SMTP's colon), what state that sets after a refused,
 * an unused or no upgrade offer, that a state once set stays, and the
 * end-of-flow decision. Contexts come from dis_new with a bare dis_env and its pools. */
#include <stdlib.h>
#include <netinet/in.h>
#include "tap.h"
#include "dissect.h"
#include "textproto.h"

static int64_t now = 1700000000000000LL;
static struct dis_stats stats;
static struct dis_env env = { .now = &now, .stream_cap = 256 * 1024, .stats = &stats };
static struct flow flow;

static const char *const smtp_verbs[] = { "AUTH", "MAIL", "RCPT", "DATA", "BDAT", NULL };
static const struct textproto_clear_cmds smtp = { .verbs = smtp_verbs, .colon_ok = true };
static const char *const pop3_verbs[] = { "USER", "PASS", "APOP", "AUTH ", NULL };
static const struct textproto_clear_cmds pop3 = { .verbs = pop3_verbs };
static const char *const imap_verbs[] = { "STARTTLS", "CAPABILITY", "NOOP", "LOGOUT", "ID", NULL };
static const struct textproto_clear_cmds imap = { .verbs = imap_verbs, .all_but = true };

/* The state one command leaves on a fresh context. */
static enum sec_state went_on(const struct textproto_clear_cmds *t, const char *cmd, bool refused,
			      bool offered)
{
	struct dis_ctx *c = dis_new(&env, &flow);
	enum sec_state s;
	textproto_went_on_in_clear(c, t, cmd, strlen(cmd), refused, offered);
	s = obs_get_security(c);
	dis_free(c);
	return s;
}

static enum sec_state flow_end(unsigned cmds, bool refused, bool after, bool wait, bool offered)
{
	struct dis_ctx *c = dis_new(&env, &flow);
	enum sec_state s;
	textproto_flow_end(c, cmds, refused, after, wait, offered);
	s = obs_get_security(c);
	dis_free(c);
	return s;
}

int main(void)
{
	flow.key.proto = IPPROTO_TCP;
	if ((env.pools = dis_pools_new()) == NULL)
		return 99;

	is_int(went_on(&smtp, "MAIL FROM:<a@b>", false, false), SEC_CLEARTEXT, "SMTP MAIL, nothing offered: cleartext");
	is_int(went_on(&smtp, "mail from:<a@b>", false, true), SEC_STARTTLS_NOT_USED, "any case; offered: starttls_not_used");
	is_int(went_on(&smtp, "RCPT TO:<a@b>", true, true), SEC_TLS_REFUSED, "refused wins over offered");
	is_int(went_on(&smtp, "DATA", false, false), SEC_CLEARTEXT, "a verb alone on its line");
	is_int(went_on(&smtp, "EHLO client", false, true), SEC_UNKNOWN, "EHLO does not matter");
	is_int(went_on(&smtp, "MAILX", false, false), SEC_UNKNOWN, "a longer word is another verb");

	is_int(went_on(&pop3, "AUTH PLAIN", false, false), SEC_CLEARTEXT, "POP3 AUTH with a mechanism matters");
	is_int(went_on(&pop3, "AUTH", false, false), SEC_UNKNOWN, "a bare AUTH (the list) does not");
	is_int(went_on(&pop3, "AUTH ", false, false), SEC_UNKNOWN, "nor AUTH and a space");
	is_int(went_on(&pop3, "USER alice", false, true), SEC_STARTTLS_NOT_USED, "USER after an STLS offer");
	is_int(went_on(&pop3, "CAPA", true, false), SEC_UNKNOWN, "CAPA after a refusal does not");

	is_int(went_on(&imap, "SELECT", false, true), SEC_STARTTLS_NOT_USED, "IMAP: any command but the list matters");
	is_int(went_on(&imap, "LOGIN", true, false), SEC_TLS_REFUSED, "LOGIN after a refused STARTTLS");
	is_int(went_on(&imap, "noop", false, false), SEC_UNKNOWN, "NOOP (any case) does not");
	is_int(went_on(&imap, "IDLE", false, false), SEC_CLEARTEXT, "IDLE is not ID");

	struct dis_ctx *c = dis_new(&env, &flow);
	obs_security(c, SEC_STARTTLS);
	textproto_went_on_in_clear(c, &smtp, "MAIL FROM:<a@b>", 15, true, true);
	is_int(obs_get_security(c), SEC_STARTTLS, "a state already set stays");
	dis_free(c);

	is_int(flow_end(0, false, false, false, true), SEC_UNKNOWN, "end: no command, no state");
	is_int(flow_end(3, false, false, false, false), SEC_CLEARTEXT, "end: commands, nothing offered");
	is_int(flow_end(3, false, false, false, true), SEC_STARTTLS_NOT_USED, "end: offered, never asked");
	is_int(flow_end(3, false, false, true, true), SEC_UNKNOWN, "end: asked, no answer seen");
	is_int(flow_end(3, true, false, false, true), SEC_UNKNOWN, "end: refused, client gave up");
	is_int(flow_end(3, true, true, false, true), SEC_TLS_REFUSED, "end: refused, client went on");
	is_int(stats.dissector_calls + stats.probe_calls, 0, "no dissector ran");
	dis_pools_free(env.pools);
	return tap_done();
}
