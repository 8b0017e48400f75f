/* SPDX-License-Identifier: BSD-3-Clause */
/* status.h — `wireaudit status`: what the statistics series (docs/SCHEMA.md
 * "stats") says of the running or last capture (docs/CLI.md "status"). */
#ifndef WA_STATUS_H
#define WA_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#include "store.h"

/* Prints the status of the runs still running, or of the last run, from
 * the store s opened read-only on the file db (whose size, with its -wal,
 * is reported): text, or one JSON object. Every string from the store is
 * escaped for its format. 0, or -1 after a message (a store error). */
struct pg_fleet;
/* fleet: a fleet database's size and its spools' forwarding (pg.h), or NULL */
int status_print(struct store *s, const char *db, const struct pg_fleet *fleet, bool json, FILE *out);

#endif
