/* SPDX-License-Identifier: BSD-3-Clause */
/* tls_json.h — the export's `tls` object built from typed facts. */
#ifndef WA_TLS_JSON_H
#define WA_TLS_JSON_H

#include "json.h"
#include "tls_facts.h"

/* Fingerprints stored with the profiles (NULL: absent). */
struct tls_json_fp {
	const char *ja3, *ja3_string, *ja4, *ja4_r, *ja3s, *ja3s_string;
};

/* A certificate chain as the export states it: the certificate objects,
 * leaf first, as a JSON array (NULL: []), and the judgements made from
 * them (cert_json.h, cert_chain_weakness). */
struct tls_json_chain {
	const char *json;
	bool weak_key, weak_signature;
};

/* Appends the object to jb. server / client: the flow's chains (NULL:
 * none). */
void tls_json_build(struct jbuf *jb, const struct tls_facts *t, const struct tls_json_fp *fp,
		    const struct tls_json_chain *server, const struct tls_json_chain *client);

#endif
