/* SPDX-License-Identifier: BSD-3-Clause */
/* engine.c — the per-packet path (see engine.h) and the life of a flow
 * (the state machine is drawn in flow.h, enum flow_life):
 *
 *   engine_flow_life()    the one place the state moves; asserts the move
 *   engine_ckpt_flow()    a checkpoint: NEW -> MARKED, or a snapshot row
 *                         (-> SNAPSHOT / SETTLED; counters only from
 *                         SETTLED and CLOSED)
 *   engine_flow_close()   TCP close: -> CLOSED (final observations written)
 *   engine_flow_end()     close timeout, idle, eviction, capture end:
 *                         the final row, -> ENDED, recycled
 *
 * Which row a write makes follows from the state alone: a full row (a
 * rewrite once one is in the store), or counters only once the row holds
 * the final observations. */
#include "engine.h"
#include "dissect.h"
#include "ndpi_glue.h"
#include "store.h"
#include "swq.h"
#include "util.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

void engine_config_defaults(struct engine_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_flows = 262144;
	c->stream_cap = 256 * 1024;
	c->tcp_timeout = 300LL * 1000000;
	c->udp_timeout = 60LL * 1000000;
	c->closing_timeout = 10LL * 1000000;
	c->ndpi = true;
	c->ndpi_max_pkts = 32;
}

/* Ports a server listens on: below 1024, or a dissector's hint. */
bool engine_is_server_port(uint16_t port, uint8_t proto)
{
	size_t i;
	unsigned want = proto == IPPROTO_TCP ? DIS_TCP : DIS_UDP;
	if (port == 0)
		return false;
	if (port < 1024)
		return true;
	for (i = 0; i < n_dissectors; i++) {
		const uint16_t *pp = dissectors[i]->ports;
		if (!(dissectors[i]->transport & want) || pp == NULL)
			continue;
		for (; *pp; pp++)
			if (*pp == port)
				return true;
	}
	return false;
}

int engine_init(struct engine *e, const struct engine_config *cfg, struct store *s, int64_t run_id,
		struct x509_ctx *x509)
{
	memset(e, 0, sizeof(*e));
	e->cfg = *cfg;
	e->store = s;
	e->run_id = run_id;
	e->x509 = x509;
	e->denv.now = &e->now;
	e->denv.stream_cap = cfg->stream_cap;
	e->denv.stats = &e->st.dis;
	if (flow_table_init(&e->ft, cfg->max_flows, store_next_flow_id(s)) != 0) {
		fprintf(stderr, "wireaudit: out of memory for the flow table\n");
		return -1;
	}
	if ((e->dis = dis_pools_new()) == NULL) {
		fprintf(stderr, "wireaudit: out of memory for the dissectors\n");
		flow_table_free(&e->ft);
		return -1;
	}
	e->denv.pools = e->dis;
	e->stream_bufs = (struct pool)STREAM_BUFS_INIT;
	e->denv.stream_bufs = &e->stream_bufs;
	e->denv.x509 = x509;
	e->ft.timeout[FL_TCP] = cfg->tcp_timeout;
	e->ft.timeout[FL_UDP] = cfg->udp_timeout;
	e->ft.timeout[FL_CLOSING] = cfg->closing_timeout;
	if (cfg->ndpi) {
		e->ndpi = wa_ndpi_new();
		if (e->ndpi == NULL) {
			fprintf(stderr, "wireaudit: nDPI initialisation failed\n");
			dis_pools_free(e->dis);
			e->dis = NULL;
			flow_table_free(&e->ft);
			return -1;
		}
	}
	return 0;
}

/* The one place a flow's life moves (flow.h draws the machine). Called
 * after the write the move stands for, since the write reads the state it
 * leaves. Leaving MARKED takes the flow off the checkpoint's count of
 * flows it still owes a row. */
static void engine_flow_life(struct engine *e, struct flow *f, enum flow_life to)
{
	assert(flow_life_may((enum flow_life)f->life, to));
	if (f->life == FLOW_MARKED && e->ckpt_pending[f->ckpt_list] > 0)
		e->ckpt_pending[f->ckpt_list]--;
	f->life = (uint8_t)to;
}

/* Build the flow's record from what its observations say now and write it
 * (end_reason "open": a checkpoint snapshot, final false). A snapshot leaves
 * the flow, its dissector and nDPI state untouched; the final write may
 * attach the nDPI cleartext facts to f->dis (created if needed). The state
 * says whether a row is replaced, and whether a SETTLED row's observation
 * rows are kept.
 *
 * With a store writer (engine_set_writer) the record goes to the writer
 * with the contexts it points into, freed on this thread once written.
 * handoff: the caller frees f->dis right after this write (the flow closed
 * or ended), so f->dis itself goes (finished here; NULL on return). A
 * snapshot of a live flow, whose context goes on changing, sends a copy of
 * its observations instead (dis_snapshot). */
static void engine_flow_write(struct engine *e, struct flow *f, const char *end_reason, bool final,
			      bool handoff)
{
	struct flow_rec r;
	struct dis_ctx *c = f->dis, *tmp = NULL;
	char ndpi_proto[64] = "", ndpi_cat[64] = "";
	struct obs_clear clr;

	/* nDPI left out of a flow our dissector claimed (--ndpi unclaimed):
	 * no label at all rather than a port guess */
	bool ndpi_on = e->ndpi && !f->ndpi_skipped;
	if (ndpi_on) {
		wa_ndpi_names(e->ndpi, f, ndpi_proto, sizeof(ndpi_proto), ndpi_cat, sizeof(ndpi_cat));
	}

	memset(&r, 0, sizeof(r));
	r.flow_id = f->id;
	r.rewrite = flow_life_has_row((enum flow_life)f->life);
	/* settled: no dissector or nDPI news since that snapshot */
	r.keep_children = final && f->life == FLOW_SETTLED;
	r.checkpoint = !final && !handoff; /* not the snapshot of a closing connection */
	r.run_id = e->run_id;
	r.ts_first = f->ts_first;
	r.ts_last = f->ts_last;
	r.transport = flow_transport_name(f->key.proto);
	ip_to_str(flow_cli_ip(f), f->key.ipver, r.client_ip, sizeof(r.client_ip));
	ip_to_str(flow_srv_ip(f), f->key.ipver, r.server_ip, sizeof(r.server_ip));
	r.client_port = flow_cli_port(f);
	r.server_port = flow_srv_port(f);
	r.vlan = f->key.vlan;
	r.vlan_inner = f->key.vlan_inner;
	for (int d = 0; d < 2; d++) {
		r.packets[d] = f->pkts[d];
		r.bytes[d] = f->bytes[d];
		r.payload[d] = f->payload[d];
	}
	r.client_by = client_by_name((enum client_by)f->client_by);
	r.end_reason = end_reason;
	r.ndpi_protocol = ndpi_on ? ndpi_proto : NULL;
	r.ndpi_category = ndpi_on ? ndpi_cat : NULL;
	r.has_ndpi_risk = ndpi_on;
	r.ndpi_risk = ndpi_on ? f->ndpi_risk : 0;
	r.ndpi_risk_names = wa_ndpi_risk_names();
	/* No dissector of ours spoke, but nDPI names a protocol it knows to be
	 * unencrypted: a generic cleartext observation, marked as nDPI's. A
	 * snapshot states it through a throw-away context instead. Not for
	 * ICMP: nDPI's "ICMP" is not an encrypted protocol, but ICMP carries no
	 * application session that could have been encrypted (its flows keep
	 * nDPI's labels and risks, and no security state). */
	if (e->ndpi && !flow_proto_is_icmp(f->key.proto) &&
	    (c == NULL || (c->protocol == NULL && c->security == SEC_UNKNOWN))) {
		bool cred = false;
		if (wa_ndpi_cleartext(e->ndpi, f, &cred)) {
			if (!final)
				c = tmp = dis_new(&e->denv, f);
			else if (c == NULL)
				c = f->dis = dis_new(&e->denv, f);
			if (c) {
				obs_security(c, SEC_CLEARTEXT);
				if (cred)
					obs_credentials(c, NULL);
				obs_detail_str(c, "classified_by", "ndpi", 4);
				obs_detail_str(c, "ndpi_protocol", ndpi_proto, strlen(ndpi_proto));
			}
		}
	}
	if (c) {
		r.protocol = c->protocol;
		r.security = c->protocol || c->security != SEC_UNKNOWN ? sec_state_name(c->security) : NULL;
		if (dis_cleartext(c, &clr))
			r.clear = &clr;
		r.tls = c->tls;
		r.certs = c->certs;
		r.ncerts = c->ncerts;
		r.anoms = c->anoms;
		r.nanoms = c->nanoms;
	}
	if (tmp && f->dis) {
		/* the anomalies the flow's own context recorded so far */
		r.anoms = f->dis->anoms;
		r.nanoms = f->dis->nanoms;
	}
	r.iface = e->iface;
	if (final)
		e->st.anomalies += r.nanoms;
	if (handoff) {
		/* the summary line's counts (capture.c): a flow's observations
		 * are handed off once, when its connection closes or it ends */
		if (c && r.security) {
			switch (c->security) {
			case SEC_TLS: case SEC_STARTTLS: case SEC_APP_ENCRYPTED:
				e->st.flows_encrypted++;
				break;
			case SEC_CLEARTEXT: case SEC_TLS_REFUSED: case SEC_STARTTLS_NOT_USED:
				e->st.flows_cleartext++;
				break;
			default:
				break;
			}
		}
	}
	if (e->wq) {
		/* a snapshot of a live flow: the writer gets a copy of its
		 * observations (dis_snapshot), the flow keeps its context */
		struct dis_ctx *snap = NULL;
		if (!handoff && f->dis) {
			if ((snap = dis_snapshot(f->dis)) == NULL) {
				/* out of memory: write it here, or (a shared
				 * writer: the store is not ours) count it and
				 * leave the row to the next checkpoint or the
				 * flow's end */
				if (!swq_shared(e->wq))
					goto inline_write;
				if (tmp) {
					tmp->finished = true;
					dis_free(tmp);
				}
				e->st.store_errors++;
				return;
			}
			if (c == f->dis) {
				r.tls = snap->tls;
				r.certs = snap->certs;
				r.ncerts = snap->ncerts;
				if (r.clear)
					dis_cleartext(snap, &clr);
			}
			r.anoms = snap->anoms; /* the flow's own anomalies, both cases */
			r.nanoms = snap->nanoms;
		}
		struct swq_msg *m = swq_slot(e->wq);
		m->kind = SWQ_FLOW;
		m->final = final;
		m->r = r;
		if (r.clear) {
			m->clr = clr;
			m->r.clear = &m->clr;
		}
		if (r.ndpi_protocol) {
			memcpy(m->ndpi_proto, ndpi_proto, sizeof(m->ndpi_proto));
			m->r.ndpi_protocol = m->ndpi_proto;
		}
		if (r.ndpi_category) {
			memcpy(m->ndpi_cat, ndpi_cat, sizeof(m->ndpi_cat));
			m->r.ndpi_category = m->ndpi_cat;
		}
		if (tmp)
			tmp->finished = true; /* nothing to end: keeps dis_free off the flow */
		if (handoff) {
			/* what dis_free would do first, done now while the flow
			 * is there: the writer only reads the observations */
			if (f->dis)
				dis_finish(f->dis);
			m->own[0] = f->dis;
			f->dis = NULL;
		} else {
			m->own[0] = snap;
		}
		m->own[1] = tmp;
		swq_push(e->wq);
		/* refused rows are taken back at the next sync (engine_writer_fold) */
		if (final)
			e->st.flows_written++;
		else
			e->st.checkpoint_rows++;
		return;
	}
inline_write:
	if (e->wq)
		swq_sync(e->wq);
	if (store_flow(e->store, &r) != 0)
		e->st.store_errors++;
	else if (final)
		e->st.flows_written++;
	else
		e->st.checkpoint_rows++;
	if (tmp) {
		tmp->finished = true; /* nothing to end: keeps dis_free off the flow */
		dis_free(tmp);
	}
}

/* End dissection of a flow: its dissector's flow_end runs, its state,
 * reassembly buffers and nDPI state are freed; its observations and
 * counters stay. Once per flow, on its way out of the open states: at its
 * end, or as soon as a TCP connection is closed (both FINs or a RST): no
 * payload can follow, and a closed connection lingers closing_timeout for
 * its last ACKs — without this, thousands of closed connections would hold
 * their parsing state for 10 s each. */
static void engine_flow_quiesce(struct engine *e, struct flow *f)
{
	struct dis_ctx *c = f->dis;

	if (c) {
		/* stream trouble the dissector never saw */
		for (int d = 0; d < 2; d++) {
			if (f->st[d].overlap_mismatch)
				dis_anomaly_raw(c, "stream", STREAM_ANOM_OVERLAP_MISMATCH,
						"stream_overlap_mismatch", d == 0 ? "c2s" : "s2c");
			/* also before any dissector claimed the flow: the hole
			 * is why nothing was dissected (dis_stream_trouble) */
			if (!c->finished && f->st[d].ooo_segs > 0)
				dis_stream_trouble(c, STREAM_ANOM_GAP, d);
		}
		dis_finish(c);
	}
	for (int d = 0; d < 2; d++)
		stream_release(&f->st[d], &e->stream_bufs);
	if (e->ndpi)
		wa_ndpi_finish(e->ndpi, f);
	f->bypass = true;
}

/* A flow whose row holds its final observations (SETTLED, CLOSED): only
 * ts_last, the counters and (when end_reason is not NULL) end_reason are
 * updated. */
static int engine_flow_write_counters(struct engine *e, struct flow *f, const char *end_reason,
				      bool final)
{
	struct flow_rec r;
	if (e->wq) {
		struct swq_msg *m = swq_slot(e->wq);
		m->kind = SWQ_COUNTERS;
		m->final = final;
		m->r.flow_id = f->id;
		m->r.ts_last = f->ts_last;
		for (int d = 0; d < 2; d++) {
			m->r.packets[d] = f->pkts[d];
			m->r.bytes[d] = f->bytes[d];
			m->r.payload[d] = f->payload[d];
		}
		m->r.end_reason = end_reason;
		m->r.checkpoint = !final; /* a slot is reused: every field read is set */
		swq_push(e->wq);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.checkpoint = !final;
	r.flow_id = f->id;
	r.ts_last = f->ts_last;
	for (int d = 0; d < 2; d++) {
		r.packets[d] = f->pkts[d];
		r.bytes[d] = f->bytes[d];
		r.payload[d] = f->payload[d];
	}
	r.end_reason = end_reason;
	return store_flow_counters(e->store, &r);
}

/* An open flow whose TCP connection just closed (both FINs or a RST) ->
 * CLOSED: nothing it carries can change its observations any more, so
 * write them now (a snapshot row) and free them. The connection stays in
 * the table for closing_timeout to count its last ACKs; its end is then a
 * counters-only UPDATE. Without this, every closed connection held its TLS
 * object and context for 10 s: at 1,700 new connections a second, most of
 * the process's memory. */
static void engine_flow_close(struct engine *e, struct flow *f)
{
	engine_flow_quiesce(e, f);
	engine_flow_write(e, f, "open", false, true);
	engine_flow_life(e, f, FLOW_CLOSED);
	dis_free(f->dis);
	f->dis = NULL;
}

/* Any flow not ENDED -> ENDED: write its final row (counters and
 * end_reason only when CLOSED), free everything it holds, recycle it. */
static void engine_flow_end(struct engine *e, struct flow *f, enum flow_end why)
{
	bool closed = f->life == FLOW_CLOSED;

	if (!closed)
		engine_flow_quiesce(e, f);
	for (int d = 0; d < 2; d++) {
		e->st.retransmissions += f->st[d].retrans;
		e->st.overlap_mismatches += f->st[d].overlap_mismatch;
	}
	if (closed) {
		if (engine_flow_write_counters(e, f, flow_end_name(why), true) != 0)
			e->st.store_errors++;
		else
			e->st.flows_written++;
	} else {
		engine_flow_write(e, f, flow_end_name(why), true, true);
		dis_free(f->dis); /* the write may have created it */
		f->dis = NULL;
	}
	engine_flow_life(e, f, FLOW_ENDED);
	wa_ndpi_release(e->ndpi, f);
	switch (why) {
	case FE_EVICTED: e->st.flows_evicted++; break;
	case FE_IDLE: e->st.flows_expired++; break;
	case FE_CLOSED: e->st.flows_closed++; break;
	default: break;
	}
	flow_unlink(&e->ft, f);
	flow_recycle(&e->ft, f);
}

void engine_expire(struct engine *e, int64_t now)
{
	struct flow *f;
	while ((f = flow_next_expired(&e->ft, now)) != NULL)
		engine_flow_end(e, f, f->life == FLOW_CLOSED ? FE_CLOSED : FE_IDLE);
}

static void engine_tcp(struct engine *e, struct flow *f, const struct pkt *p, int d)
{
	struct stream *s = &f->st[d];
	uint8_t fl = p->tcp_flags;

	if (fl & TH_SYN)
		stream_syn(s, p->seq);
	if (f->dis && !f->dis->finished && p->payload_len > 0) {
		uint32_t added;
		added = stream_add(s, &e->stream_bufs, p->seq, p->payload, p->payload_len, e->cfg.stream_cap);
		if (s->gap) {
			e->st.stream_gaps++;
			dis_stream_trouble(f->dis, STREAM_ANOM_GAP, d);
		} else if (p->payload_len < p->payload_wire) {
			/* snaplen cut the payload: the stream has a hole from here */
			s->gap = true;
			e->st.stream_gaps++;
			dis_stream_trouble(f->dis, STREAM_ANOM_GAP, d);
		} else if (added > 0 || s->capped) {
			dis_stream_data(f->dis, d);
		}
	}
	if (fl & TH_RST)
		f->tcp_state |= FLOW_RST;
	if (fl & TH_FIN) {
		s->fin = true;
		f->tcp_state |= d == FLOW_DIR_C2S ? FLOW_FIN_C : FLOW_FIN_S;
	}
}

void engine_packet(struct engine *e, int dlt, int64_t ts, const uint8_t *data,
		   uint32_t caplen, uint32_t wire_len)
{
	struct pkt p;
	struct flow_key k;
	struct flow *f;
	bool a_is_src;
	uint32_t h;
	int d;
	enum dec_result dr;

	e->st.packets++;
	e->st.bytes += wire_len;
	if (e->st.ts_first == 0 || ts < e->st.ts_first)
		e->st.ts_first = ts;
	if (ts > e->st.ts_last)
		e->st.ts_last = ts;
	/* Expiry runs on the packet's own time. Several files in one run may go
	 * back in time (an older file after a newer one): keeping the newest
	 * time instead would expire every flow of the older file at its next
	 * packet. Flows whose last packet lies "ahead" simply wait. */
	e->now = ts;
	p.ts = ts;
	p.wire_len = wire_len;
	dr = decode_packet(dlt, data, caplen, &p);
	e->st.dec[dr]++;
	if (dr != DEC_OK)
		return;

	engine_expire(e, e->now);

	flow_key_make(&p, &k, &a_is_src);
	h = flow_key_hash(&k);
	f = flow_lookup(&e->ft, &k, h);
	if (f == NULL) {
		/* A closing flow whose tuple is reused by a new SYN was removed
		 * above only if expired; otherwise the SYN joins it (rare). */
		while (e->ft.count >= e->ft.max) {
			struct flow *v = flow_oldest(&e->ft);
			if (v == NULL)
				break;
			engine_flow_end(e, v, FE_EVICTED);
		}
		f = flow_insert(&e->ft, &k, h, &p, a_is_src, engine_is_server_port);
		if (f == NULL) {
			e->st.store_errors++;
			return;
		}
		if (p.l4_proto == IPPROTO_TCP)
			e->st.flows_tcp++;
		else if (p.l4_proto == IPPROTO_UDP)
			e->st.flows_udp++;
		else {
			/* ICMP: no dissector, no reassembly; counters and nDPI */
			e->st.flows_icmp++;
			f->bypass = true;
		}
	}
	d = (a_is_src == f->cli_is_a) ? FLOW_DIR_C2S : FLOW_DIR_S2C;
	f->pkts[d]++;
	f->bytes[d] += wire_len;
	f->payload[d] += p.payload_wire;
	if (ts > f->ts_last)
		f->ts_last = ts;

	if (!f->bypass && p.payload_len > 0 && f->dis == NULL) {
		f->dis = dis_new(&e->denv, f);
		if (f->dis == NULL || f->dis->finished)
			f->bypass = true;
	}
	if (p.l4_proto == IPPROTO_TCP) {
		if (!f->bypass || (p.tcp_flags & (TH_FIN | TH_RST | TH_SYN)))
			engine_tcp(e, f, &p, d);
		else
			e->st.bypassed_packets++;
		if ((f->tcp_state & FLOW_RST) ||
		    (f->tcp_state & (FLOW_FIN_C | FLOW_FIN_S)) == (FLOW_FIN_C | FLOW_FIN_S)) {
			flow_touch(&e->ft, f, FL_CLOSING);
			if (f->life != FLOW_CLOSED) /* its last ACKs change nothing */
				engine_flow_close(e, f);
		}
		else
			flow_touch(&e->ft, f, FL_TCP);
	} else {
		if (!f->bypass && f->dis && p.payload_len > 0)
			dis_datagram(f->dis, d, p.payload, p.payload_len);
		else
			e->st.bypassed_packets++;
		flow_touch(&e->ft, f, FL_UDP);
	}

	if (e->ndpi && !f->ndpi_done) {
		/* After our dissectors, so that a flow claimed by this very
		 * packet can skip nDPI (NDPI_MODE_UNCLAIMED). A flow our
		 * dissector claimed keeps nDPI's second opinion on the protocol
		 * (CLASSIFY) but not its deeper dissection. */
		if (f->dis && f->dis->cur && e->cfg.ndpi_mode == NDPI_MODE_UNCLAIMED) {
			wa_ndpi_release(e->ndpi, f);
			f->ndpi_done = true;
			f->ndpi_skipped = true;
			e->st.ndpi_stopped++;
		} else if (f->dis && f->dis->cur && e->cfg.ndpi_mode == NDPI_MODE_CLASSIFY &&
			   (f->ndpi_app != 0 || f->ndpi_master != 0)) {
			wa_ndpi_finish(e->ndpi, f);
			e->st.ndpi_stopped++;
		} else {
			e->st.ndpi_packets++;
			wa_ndpi_packet(e->ndpi, f, &p, e->cfg.ndpi_max_pkts);
		}
	}
}

void engine_flush_all(struct engine *e)
{
	struct flow *f;
	while ((f = flow_oldest(&e->ft)) != NULL)
		engine_flow_end(e, f, f->life == FLOW_CLOSED ? FE_CLOSED : FE_CAPTURE_END);
}

/* One flow at a checkpoint: a NEW one is only marked (unless all), the
 * others are written. A flow whose row holds its final observations
 * (SETTLED, CLOSED) gets only its counters updated and stays as it is;
 * another gets a snapshot row and becomes SETTLED if its observations are
 * now final (no live dissector, nDPI done), else SNAPSHOT. Marks are
 * counted in marked[] and join ckpt_pending after the walk, so that this
 * checkpoint's pass 2 does not look for them. */
static uint64_t engine_ckpt_flow(struct engine *e, struct flow *f, uint32_t pk, bool all,
				 uint32_t *marked)
{
	bool settled;

	if (f->life == FLOW_NEW && !all) {
		f->ckpt_list = f->list;
		engine_flow_life(e, f, FLOW_MARKED);
		f->ckpt_pkts = pk;
		marked[f->list]++;
		return 0;
	}
	/* no payload yet (no context) is not final: one may come */
	settled = (f->dis ? f->dis->finished : f->bypass) && (e->ndpi == NULL || f->ndpi_done);
	if (f->life == FLOW_SETTLED || f->life == FLOW_CLOSED) {
		if (engine_flow_write_counters(e, f, NULL, false) != 0)
			e->st.store_errors++;
		else
			e->st.checkpoint_rows++;
	} else {
		engine_flow_write(e, f, "open", false, false);
	}
	engine_flow_life(e, f, f->life == FLOW_CLOSED ? FLOW_CLOSED : settled ? FLOW_SETTLED : FLOW_SNAPSHOT);
	f->ckpt_pkts = pk;
	return 1;
}

#define FLOW_PKTS32(f) ((uint32_t)((f)->pkts[0] + (f)->pkts[1]))

/* A flow is written from its second checkpoint on: one that starts and ends
 * between two checkpoints (most do) costs nothing, and one still open at a
 * SIGKILL loses at most two intervals. No walk over the whole table: a packet
 * moves its flow to the tail of its age list, so pass 1 walks each list from
 * the tail through the flows with packets since the last checkpoint; pass 2
 * goes on, only as far as needed, to the flows marked at the previous
 * checkpoint and idle since (ckpt_pending counts them per list). */
uint64_t engine_checkpoint(struct engine *e, bool all)
{
	uint64_t n = 0;
	uint32_t marked[FL_NLISTS] = { 0 };
	struct flow *stop[FL_NLISTS];
	struct flow *f;
	int l;

	if (all) { /* SIGHUP: every flow not written as it is now */
		for (l = 0; l < FL_NLISTS; l++)
			for (f = e->ft.head[l]; f != NULL; f = f->next)
				if (!flow_life_has_row((enum flow_life)f->life) || f->ckpt_pkts != FLOW_PKTS32(f))
					n += engine_ckpt_flow(e, f, FLOW_PKTS32(f), true, marked);
		return n;
	}
	for (l = 0; l < FL_NLISTS; l++) {
		for (f = e->ft.tail[l]; f != NULL; f = f->prev) {
			if (f->life != FLOW_NEW && f->ckpt_pkts == FLOW_PKTS32(f))
				break;
			n += engine_ckpt_flow(e, f, FLOW_PKTS32(f), false, marked);
		}
		stop[l] = f;
	}
	for (l = 0; l < FL_NLISTS; l++)
		for (f = stop[l]; f != NULL && e->ckpt_pending[l] > 0; f = f->prev)
			if (f->life == FLOW_MARKED)
				n += engine_ckpt_flow(e, f, FLOW_PKTS32(f), false, marked);
	for (l = 0; l < FL_NLISTS; l++)
		e->ckpt_pending[l] += marked[l];
	return n;
}

/* A context the writer is done with (swq release callback): this thread. */
static void engine_release_ctx(void *obj, void *arg)
{
	(void)arg;
	dis_free(obj);
}

int engine_set_writer(struct engine *e, unsigned slots, char *err, size_t errlen)
{
	memset(&e->wq_folded, 0, sizeof(e->wq_folded));
	return swq_start(&e->wq, e->store, slots, engine_release_ctx, e, err, errlen);
}

int engine_set_writers(struct engine *const *es, unsigned n, unsigned slots, char *err, size_t errlen)
{
	struct swq *lanes[ENGINE_MAX_WORKERS];
	void *args[ENGINE_MAX_WORKERS];
	unsigned k;

	if (n == 0 || n > ENGINE_MAX_WORKERS) {
		snprintf(err, errlen, "store writer: %u producers (1 to %d)", n, ENGINE_MAX_WORKERS);
		return -1;
	}
	for (k = 0; k < n; k++)
		args[k] = es[k];
	if (swq_start_shared(lanes, n, es[0]->store, slots, engine_release_ctx, args, err, errlen) != 0)
		return -1;
	for (k = 0; k < n; k++) {
		memset(&es[k]->wq_folded, 0, sizeof(es[k]->wq_folded));
		es[k]->wq = lanes[k];
	}
	return 0;
}

void engine_stats_add(struct engine_stats *sum, const struct engine_stats *w)
{
	int i;
	sum->packets += w->packets;
	sum->bytes += w->bytes;
	for (i = 0; i < DEC_NRESULTS; i++)
		sum->dec[i] += w->dec[i];
	sum->flows_tcp += w->flows_tcp;
	sum->flows_udp += w->flows_udp;
	sum->flows_icmp += w->flows_icmp;
	sum->flows_written += w->flows_written;
	sum->flows_encrypted += w->flows_encrypted;
	sum->flows_cleartext += w->flows_cleartext;
	sum->flows_evicted += w->flows_evicted;
	sum->flows_expired += w->flows_expired;
	sum->flows_closed += w->flows_closed;
	sum->dis.dissector_calls += w->dis.dissector_calls;
	sum->dis.dissector_bytes += w->dis.dissector_bytes;
	sum->dis.probe_calls += w->dis.probe_calls;
	sum->dis.stream_caps += w->dis.stream_caps;
	sum->ndpi_packets += w->ndpi_packets;
	sum->ndpi_flows += w->ndpi_flows;
	sum->ndpi_stopped += w->ndpi_stopped;
	sum->bypassed_packets += w->bypassed_packets;
	sum->stream_gaps += w->stream_gaps;
	sum->retransmissions += w->retransmissions;
	sum->overlap_mismatches += w->overlap_mismatches;
	sum->store_errors += w->store_errors;
	sum->checkpoint_rows += w->checkpoint_rows;
	sum->anomalies += w->anomalies;
	if (w->packets) {
		if (sum->ts_first == 0 || (w->ts_first && w->ts_first < sum->ts_first))
			sum->ts_first = w->ts_first;
		if (w->ts_last > sum->ts_last)
			sum->ts_last = w->ts_last;
	}
}

void engine_writer_sync(struct engine *e)
{
	struct swq_stats ws;
	uint64_t ef, eo;

	if (e->wq == NULL)
		return;
	swq_sync(e->wq);
	swq_get_stats(e->wq, &ws);
	/* rows the writer's store refused since the last fold: counted as
	 * written when pushed, taken back here */
	ef = ws.errors_final - e->wq_folded.errors_final;
	eo = ws.errors_other - e->wq_folded.errors_other;
	e->st.flows_written -= ef;
	e->st.checkpoint_rows -= eo;
	e->st.store_errors += ef + eo;
	e->wq_folded = ws;
}

int engine_run_progress(struct engine *e, int64_t run_id, const struct run_end *re)
{
	int rc;
	if (e->wq) {
		struct swq_msg *m = swq_slot(e->wq);
		m->kind = SWQ_PROGRESS;
		m->run_id = run_id;
		m->re = *re;
		m->re.stats_json = NULL;
		m->re.status = NULL;
		swq_push(e->wq);
		swq_flush(e->wq); /* the commit goes now, not with the next batch */
		return 0;
	}
	rc = store_run_progress(e->store, run_id, re);
	store_commit(e->store);
	return rc;
}

int engine_stats_row(struct engine *e, const struct stats_row *sr)
{
	if (e->wq) {
		struct swq_msg *m = swq_slot(e->wq);
		m->kind = SWQ_STATS;
		m->sr = *sr;
		swq_push(e->wq);
		return 0;
	}
	return store_stats_row(e->store, sr);
}

const char *engine_store_failed(struct engine *e)
{
	return e->wq ? swq_failed(e->wq) : store_failed(e->store);
}

void engine_stop_writer(struct engine *e)
{
	if (e->wq == NULL)
		return;
	engine_writer_sync(e);
	swq_stop(e->wq);
	e->wq = NULL;
}

void engine_free(struct engine *e)
{
	engine_flush_all(e);
	engine_stop_writer(e); /* its records' contexts go back to the pools */
	flow_table_free(&e->ft);
	if (e->ndpi)
		wa_ndpi_free(e->ndpi);
	e->ndpi = NULL;
	dis_pools_free(e->dis); /* after the flow table: no context is left */
	e->dis = NULL;
	pool_drain(&e->stream_bufs);
}
