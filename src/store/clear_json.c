/* SPDX-License-Identifier: BSD-3-Clause */
/* clear_json.c — the export's cleartext object from typed facts (see
 * clear_json.h). The only place its layout is written: the capture path
 * stores rows, the export calls this. */
#include <stdlib.h>
#include <string.h>

#include "clear_json.h"

static void value(struct jbuf *jb, const struct obs_detail *o)
{
	if (o->type == 's') {
		if (o->s)
			jb_strn(jb, o->s, o->slen);
		else
			jb_null(jb);
	} else if (o->type == 'b') {
		jb_bool(jb, o->i != 0);
	} else {
		jb_int(jb, o->i);
	}
}

void clear_json_build(struct jbuf *jb, const struct obs_clear *c)
{
	uint16_t i, j;
	bool done_small[64], *done = done_small;

	jb_obj_open(jb);
	jb_kv_bool(jb, "credentials", c->credentials);
	jb_kv_str(jb, "auth_mechanism", c->auth_mech);
	jb_key(jb, "user");
	if (c->user)
		jb_strn(jb, c->user, strlen(c->user));
	else
		jb_null(jb);
	jb_kv_tri(jb, "tls_offered", c->tls_offered);
	jb_kv_tri(jb, "tls_requested", c->tls_requested);
	jb_key(jb, "details");
	jb_obj_open(jb);
	if (c->ndetails > sizeof(done_small) / sizeof(done_small[0]))
		done = calloc(c->ndetails, sizeof(bool));
	else
		memset(done_small, 0, sizeof(done_small));
	for (i = 0; done && i < c->ndetails; i++) {
		const struct obs_detail *o = &c->details[i];
		if (done[i])
			continue;
		done[i] = true;
		jb_key(jb, o->key);
		if (!o->list) {
			value(jb, o);
			continue;
		}
		jb_arr_open(jb);
		for (j = i; j < c->ndetails; j++) {
			const struct obs_detail *q = &c->details[j];
			if (!q->list || strcmp(q->key, o->key) != 0)
				continue;
			done[j] = true;
			if (q->s)
				jb_strn(jb, q->s, q->slen);
			else
				jb_null(jb);
		}
		jb_arr_close(jb);
	}
	if (done != done_small)
		free(done);
	if (c->details_dropped)
		jb_kv_int(jb, "details_dropped", c->details_dropped);
	jb_obj_close(jb);
	jb_obj_close(jb);
}
