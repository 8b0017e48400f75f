/* SPDX-License-Identifier: BSD-3-Clause */
/* registry.c — the one list of dissectors. Adding a protocol: one file in
 * dissectors/ exporting `const struct dissector dissector_NAME`, one extern
 * line and one array entry here, one line in Makefile.am. Order matters
 * only when two probes match the same bytes: earlier wins. */
#include <string.h>

#include "dissector.h"

extern const struct dissector dissector_http;
extern const struct dissector dissector_tls;
extern const struct dissector dissector_postgresql;
extern const struct dissector dissector_mysql;
extern const struct dissector dissector_redis;
extern const struct dissector dissector_tds;
extern const struct dissector dissector_mongodb;
extern const struct dissector dissector_ldap;
extern const struct dissector dissector_smtp;
extern const struct dissector dissector_ftp;
extern const struct dissector dissector_imap;
extern const struct dissector dissector_pop3;
extern const struct dissector dissector_amqp;
extern const struct dissector dissector_telnet;
extern const struct dissector dissector_quic;
extern const struct dissector dissector_ssh;
extern const struct dissector dissector_syslog;
extern const struct dissector dissector_snmp;
extern const struct dissector dissector_mqtt;
extern const struct dissector dissector_vnc;
extern const struct dissector dissector_rdp;
extern const struct dissector dissector_kafka;
extern const struct dissector dissector_smb;
extern const struct dissector dissector_xmpp;

const struct dissector *const dissectors[] = {
	&dissector_http,
	&dissector_tls,
	&dissector_postgresql,
	&dissector_mysql,
	&dissector_redis,
	&dissector_tds,
	&dissector_mongodb,
	/* mail/directory/broker text protocols (issue 4): smtp before ftp —
	 * both greet "220 "; their probes exclude each other (banner words,
	 * then the client's first command), smtp listed first. */
	&dissector_ldap,
	&dissector_smtp,
	&dissector_ftp,
	&dissector_imap,
	&dissector_pop3,
	&dissector_amqp,
	&dissector_telnet,
	&dissector_quic,
	/* SSH (issue 17): any port, by its identification string */
	&dissector_ssh,
	/* syslog (issue 17): a PRI first, or MSG-LEN SP PRI (RFC 6587) */
	&dissector_syslog,
	/* SNMP (issue 17): UDP, any port, by its BER header */
	&dissector_snmp,
	/* MQTT (issue 18): a CONNECT with protocol name MQTT or MQIsdp */
	&dissector_mqtt,
	/* VNC / RFB (issue 17): TCP, by either side's ProtocolVersion */
	&dissector_vnc,
	/* RDP (issue 17): TPKT + X.224 CR/CC with RDP's negotiation */
	&dissector_rdp,
	/* Kafka (issue 18): TCP, any port, by a size-prefixed request header */
	&dissector_kafka,
	/* SMB (issue 18): NBSS framing with an SMB1/SMB2/transform header */
	&dissector_smb,
	/* XMPP (issue 18): <stream:stream> in jabber:client / jabber:server */
	&dissector_xmpp,
};

const size_t n_dissectors = sizeof(dissectors) / sizeof(dissectors[0]);

/* The framework keeps a flow's live candidates in a 64-bit mask
 * (src/dissect/dissect.c): a 65th dissector must widen it, not be skipped. */
_Static_assert(sizeof(dissectors) / sizeof(dissectors[0]) <= 64,
	       "more than 64 dissectors: widen struct dis_ctx's candidate mask");

const struct dissector *dissector_find(const char *name)
{
	size_t i;
	for (i = 0; i < n_dissectors; i++)
		if (strcmp(dissectors[i]->name, name) == 0)
			return dissectors[i];
	return NULL;
}
