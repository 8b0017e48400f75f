/* tls_json.h — the export's `tls` object built from typed facts. */
#ifndef WA_TLS_JSON_H
#define WA_TLS_JSON_H

#include "json.h"
#include "tls_facts.h"

/* Fingerprints stored with the profiles (NULL: absent). */
struct tls_json_fp {
	const char *ja3, *ja3_string, *ja4, *ja4_r, *ja3s, *ja3s_string;
};

/* Appends the object to jb. certs / client_certs: JSON arrays of the
 * certificate objects, leaf first (NULL: []). */
void tls_json_build(struct jbuf *jb, const struct tls_facts *t, const struct tls_json_fp *fp,
		    const char *certs, const char *client_certs);

#endif
