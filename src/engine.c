/* engine.c — the per-packet path (see engine.h). */
#include "engine.h"
#include "dissect.h"
#include "ndpi_glue.h"
#include "store.h"
#include "util.h"

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

int engine_init(struct engine *e, const struct engine_config *cfg, struct store *s, int64_t run_id)
{
	memset(e, 0, sizeof(*e));
	e->cfg = *cfg;
	e->store = s;
	e->run_id = run_id;
	if (flow_table_init(&e->ft, cfg->max_flows, store_next_flow_id(s)) != 0) {
		fprintf(stderr, "wireaudit: out of memory for the flow table\n");
		return -1;
	}
	e->ft.timeout[FL_TCP] = cfg->tcp_timeout;
	e->ft.timeout[FL_UDP] = cfg->udp_timeout;
	e->ft.timeout[FL_CLOSING] = cfg->closing_timeout;
	if (cfg->ndpi) {
		e->ndpi = wa_ndpi_new();
		if (e->ndpi == NULL) {
			fprintf(stderr, "wireaudit: nDPI initialisation failed\n");
			return -1;
		}
	}
	return 0;
}

/* Write the flow to the store and free everything it holds. */
static void engine_flow_end(struct engine *e, struct flow *f, enum flow_end why)
{
	struct flow_rec r;
	struct dis_ctx *c = f->dis;
	char ndpi_proto[64] = "", ndpi_cat[64] = "";
	char *risks = NULL, *clear = NULL;

	if (c) {
		/* stream trouble the dissector never saw */
		for (int d = 0; d < 2; d++) {
			if (f->st[d].overlap_mismatch)
				dis_anomaly_raw(c, "stream", STREAM_ANOM_OVERLAP_MISMATCH,
						"stream_overlap_mismatch", d == 0 ? "c2s" : "s2c");
			if (!c->finished && c->cur && f->st[d].ooo_segs > 0)
				dis_stream_trouble(c, STREAM_ANOM_GAP, d);
		}
		dis_finish(c);
	}
	for (int d = 0; d < 2; d++) {
		e->st.retransmissions += f->st[d].retrans;
		e->st.overlap_mismatches += f->st[d].overlap_mismatch;
		stream_release(&f->st[d]);
	}
	if (e->ndpi) {
		wa_ndpi_finish(e->ndpi, f);
		wa_ndpi_names(e->ndpi, f, ndpi_proto, sizeof(ndpi_proto), ndpi_cat, sizeof(ndpi_cat));
		risks = wa_ndpi_risks_json(f->ndpi_risk);
	}

	memset(&r, 0, sizeof(r));
	r.flow_id = f->id;
	r.run_id = e->run_id;
	r.ts_first = f->ts_first;
	r.ts_last = f->ts_last;
	r.transport = f->key.proto == IPPROTO_TCP ? "tcp" : "udp";
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
	r.end_reason = flow_end_name(why);
	r.ndpi_protocol = e->ndpi ? ndpi_proto : NULL;
	r.ndpi_category = e->ndpi ? ndpi_cat : NULL;
	r.ndpi_risks_json = risks;
	/* No dissector of ours spoke, but nDPI names a protocol it knows to be
	 * unencrypted: a generic cleartext observation, marked as nDPI's. */
	if (e->ndpi && (c == NULL || (c->protocol == NULL && c->security == SEC_UNKNOWN))) {
		bool cred = false;
		if (wa_ndpi_cleartext(e->ndpi, f, &cred)) {
			if (c == NULL)
				c = f->dis = dis_new(e, f);
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
		clear = dis_cleartext_json(c);
		r.cleartext_json = clear;
		r.tls_json = c->tls_json;
		r.certs = c->certs;
		r.ncerts = c->ncerts;
		r.anoms = c->anoms;
		r.nanoms = c->nanoms;
	}
	if (store_flow(e->store, &r) != 0)
		e->st.store_errors++;
	else
		e->st.flows_written++;
	free(risks);
	free(clear);
	dis_free(c);
	f->dis = NULL;
	wa_ndpi_release(f);
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
		engine_flow_end(e, f, f->list == FL_CLOSING ? FE_CLOSED : FE_IDLE);
}

static void engine_tcp(struct engine *e, struct flow *f, const struct pkt *p, int d)
{
	struct stream *s = &f->st[d];
	uint8_t fl = p->tcp_flags;

	if (fl & TH_SYN)
		stream_syn(s, p->seq);
	if (f->dis && !f->dis->finished && p->payload_len > 0) {
		uint32_t added;
		added = stream_add(s, p->seq, p->payload, p->payload_len, e->cfg.stream_cap);
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
		else
			e->st.flows_udp++;
	}
	d = (a_is_src == f->cli_is_a) ? FLOW_DIR_C2S : FLOW_DIR_S2C;
	f->pkts[d]++;
	f->bytes[d] += wire_len;
	f->payload[d] += p.payload_wire;
	if (ts > f->ts_last)
		f->ts_last = ts;

	if (e->ndpi && !f->ndpi_done) {
		e->st.ndpi_packets++;
		wa_ndpi_packet(e->ndpi, f, &p, e->cfg.ndpi_max_pkts);
	}

	if (!f->bypass && p.payload_len > 0 && f->dis == NULL) {
		f->dis = dis_new(e, f);
		if (f->dis == NULL || f->dis->finished)
			f->bypass = true;
	}
	if (p.l4_proto == IPPROTO_TCP) {
		if (!f->bypass || (p.tcp_flags & (TH_FIN | TH_RST | TH_SYN)))
			engine_tcp(e, f, &p, d);
		else
			e->st.bypassed_packets++;
		if ((f->tcp_state & FLOW_RST) ||
		    (f->tcp_state & (FLOW_FIN_C | FLOW_FIN_S)) == (FLOW_FIN_C | FLOW_FIN_S))
			flow_touch(&e->ft, f, FL_CLOSING);
		else
			flow_touch(&e->ft, f, FL_TCP);
	} else {
		if (!f->bypass && f->dis && p.payload_len > 0)
			dis_datagram(f->dis, d, p.payload, p.payload_len);
		else
			e->st.bypassed_packets++;
		flow_touch(&e->ft, f, FL_UDP);
	}
}

void engine_flush_all(struct engine *e)
{
	struct flow *f;
	while ((f = flow_oldest(&e->ft)) != NULL)
		engine_flow_end(e, f, f->list == FL_CLOSING ? FE_CLOSED : FE_CAPTURE_END);
}

void engine_free(struct engine *e)
{
	engine_flush_all(e);
	flow_table_free(&e->ft);
	if (e->ndpi)
		wa_ndpi_free(e->ndpi);
	e->ndpi = NULL;
}
