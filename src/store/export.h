/* SPDX-License-Identifier: BSD-3-Clause */
/* export.h — the per-flow machine interface (docs/EXPORT.md) and the
 * per-flow text summary. Every string from the wire is escaped for its
 * destination: JSON escaping, CSV quoting with formula neutralisation, and
 * control/escape characters made visible on a terminal. */
#ifndef WA_EXPORT_H
#define WA_EXPORT_H

#include <stdio.h>

#include "store.h"

#define EXPORT_SCHEMA_VERSION 1

int export_jsonl(struct store *s, const struct flow_filter *f, FILE *out);
int export_csv(struct store *s, const struct flow_filter *f, FILE *out);
int export_summary(struct store *s, const struct flow_filter *f, FILE *out);

/* One flow's export record (docs/EXPORT.md) as a JSON object appended to
 * jb: the export's lines and the event stream's "flow" (src/capture/eve.c)
 * are this one function. */
struct jbuf;
void export_record_json(struct jbuf *jb, const struct flow_view *v);

/* Escapes for the destinations (also used by the report pass). */
void csv_field(FILE *out, const char *s, int is_text);
void term_escape(FILE *out, const char *s);

#endif
