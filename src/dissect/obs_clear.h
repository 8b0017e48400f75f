/* SPDX-License-Identifier: BSD-3-Clause */
/* obs_clear.h — a flow's cleartext-session facts as the store takes them
 * (schema 3: typed columns and one row per detail, docs/SCHEMA.md). The
 * framework fills the view from a dissection context (dis_cleartext); the
 * store writes it; the export builds the contract's cleartext object from
 * the rows (src/store/clear_json.c). */
#ifndef WA_OBS_CLEAR_H
#define WA_OBS_CLEAR_H

#include <stdint.h>
#include <stdbool.h>

/* One detail a dissector stated (obs_detail_str/int/bool/list). Entries
 * with list set and the same key form one JSON array, at the position of
 * the first. */
struct obs_detail {
	const char *key;
	uint8_t type;     /* 's', 'i', 'b' */
	bool list;
	int64_t i;
	char *s;          /* type 's': NULL is JSON null */
	uint16_t slen;
};

/* The facts; pointers into the context, valid until it is freed. */
struct obs_clear {
	bool credentials;
	const char *auth_mech;        /* NULL: none */
	const char *user;             /* NULL: none */
	int tls_offered, tls_requested; /* -1 unknown */
	const struct obs_detail *details;
	uint16_t ndetails, details_dropped;
};

#endif
