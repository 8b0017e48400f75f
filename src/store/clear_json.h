/* SPDX-License-Identifier: BSD-3-Clause */
/* clear_json.h — the export's `cleartext` object (docs/EXPORT.md) built
 * from typed facts. */
#ifndef WA_CLEAR_JSON_H
#define WA_CLEAR_JSON_H

#include "json.h"
#include "obs_clear.h"

/* Appends the object to jb: credentials, auth_mechanism, user,
 * tls_offered, tls_requested, then details in the order stated, the list
 * entries of one key gathered into an array where the first stood, and
 * details_dropped last when some were. */
void clear_json_build(struct jbuf *jb, const struct obs_clear *c);

#endif
