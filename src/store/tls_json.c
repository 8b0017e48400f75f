/* SPDX-License-Identifier: BSD-3-Clause */
/* tls_json.c — the export's `tls` object (docs/TLS.md), built from the
 * typed facts the store read back (tls_facts.h). The key order and every
 * value are the export contract: tests/golden pins them byte for byte.
 * Names (versions, suites, groups, signature schemes, alerts) and the
 * cipher-suite table's columns are looked up here, at export time, so the
 * store keeps numbers only. */
#include "tls_json.h"
#include "tls_tables.h"
#include "quic_initial.h"

#include <stdio.h>
#include <string.h>

static void tj_version(struct jbuf *jb, const char *key, uint16_t v)
{
	char b[24];
	tls_version_name(v, b, sizeof(b));
	jb_kv_str(jb, key, b);
}

static void tj_name(struct jbuf *jb, const char *name, uint16_t v)
{
	char b[8];
	if (name) {
		jb_string(jb, name);
	} else {
		snprintf(b, sizeof(b), "0x%04x", v);
		jb_string(jb, b);
	}
}

/* Non-GREASE values of a list as numbers. */
static void tj_u16_list(struct jbuf *jb, const char *key, const uint16_t *v, size_t n)
{
	size_t i;
	jb_key(jb, key);
	jb_arr_open(jb);
	for (i = 0; i < n; i++)
		if (!tls_is_grease(v[i]))
			jb_uint(jb, v[i]);
	jb_arr_close(jb);
}

static void tj_names(struct jbuf *jb, const char *key, const uint16_t *v, size_t n,
		     const char *(*name)(uint16_t))
{
	size_t i;
	jb_key(jb, key);
	jb_arr_open(jb);
	for (i = 0; i < n; i++)
		if (!tls_is_grease(v[i]))
			tj_name(jb, name(v[i]), v[i]);
	jb_arr_close(jb);
}

static void tj_grease(struct jbuf *jb, const char *key, const uint16_t *v, size_t n)
{
	size_t i;
	jb_key(jb, key);
	jb_arr_open(jb);
	for (i = 0; i < n; i++)
		if (tls_is_grease(v[i]))
			jb_uint(jb, v[i]);
	jb_arr_close(jb);
}

static void tj_client(struct jbuf *jb, const struct tls_facts *t)
{
	const struct tls_cprof *h = &t->c;
	size_t i;
	char b[24];
	bool pq = false;

	jb_kv_str(jb, "client_hello_format", h->sslv2 ? "sslv2" : "tls");
	tj_version(jb, "client_legacy_version", h->legacy_version);
	jb_key(jb, "client_versions");
	jb_arr_open(jb);
	if (h->has_versions) {
		for (i = 0; i < h->n_versions; i++)
			if (!tls_is_grease(h->versions[i])) {
				tls_version_name(h->versions[i], b, sizeof(b));
				jb_string(jb, b);
			}
	} else {
		tls_version_name(h->legacy_version, b, sizeof(b));
		jb_string(jb, b);
	}
	jb_arr_close(jb);
	tj_u16_list(jb, "client_ciphers", h->ciphers, h->n_ciphers);
	if (h->sslv2) {
		jb_key(jb, "sslv2_cipher_specs");
		jb_arr_open(jb);
		for (i = 0; i < h->n_sslv2_specs; i++)
			jb_uint(jb, h->sslv2_specs[i]);
		jb_arr_close(jb);
	}
	jb_key(jb, "compression_methods");
	jb_arr_open(jb);
	for (i = 0; i < h->n_comp; i++)
		jb_uint(jb, h->comp[i]);
	jb_arr_close(jb);
	tj_u16_list(jb, "client_extensions", h->exts, h->n_exts);
	jb_key(jb, "sni");
	if (t->f.has_sni)
		jb_strn(jb, t->f.sni, t->f.sni_len);
	else
		jb_null(jb);
	jb_key(jb, "alpn");
	if (h->has_alpn) {
		jb_arr_open(jb);
		for (i = 0; i < h->n_alpn; i++)
			jb_strn(jb, h->alpn[i], h->alpn_len[i]);
		jb_arr_close(jb);
	} else {
		jb_null(jb);
	}
	tj_names(jb, "groups", h->groups, h->n_groups, tls_group_name);
	jb_key(jb, "pq_groups_offered");
	for (i = 0; i < h->n_groups; i++)
		pq = pq || tls_group_is_pq(h->groups[i]);
	jb_bool(jb, pq);
	tj_names(jb, "key_share_groups", h->ks, h->n_ks, tls_group_name);
	tj_names(jb, "sig_algs", h->sigalgs, h->n_sigalgs, tls_sigscheme_name);
	jb_key(jb, "ec_point_formats");
	jb_arr_open(jb);
	for (i = 0; i < h->n_pf; i++)
		jb_uint(jb, h->pf[i]);
	jb_arr_close(jb);
	jb_key(jb, "grease");
	jb_obj_open(jb);
	tj_grease(jb, "ciphers", h->ciphers, h->n_ciphers);
	tj_grease(jb, "extensions", h->exts, h->n_exts);
	tj_grease(jb, "groups", h->groups, h->n_groups);
	tj_grease(jb, "versions", h->versions, h->n_versions);
	tj_grease(jb, "sig_algs", h->sigalgs, h->n_sigalgs);
	tj_grease(jb, "key_shares", h->ks, h->n_ks);
	jb_obj_close(jb);
	jb_kv_bool(jb, "ech", h->ech);
	jb_key(jb, "ech_type");
	if (h->ech_type < 0)
		jb_null(jb);
	else
		jb_string(jb, h->ech_type == 0 ? "outer" : h->ech_type == 1 ? "inner" : "unknown");
	jb_kv_bool(jb, "status_request", h->status_request);
	jb_kv_bool(jb, "session_ticket_offered", h->ticket_ext);
	jb_kv_bool(jb, "psk_offered", h->psk);
	jb_kv_bool(jb, "early_data_offered", h->early_data);
	jb_kv_int(jb, "client_session_id_len", t->f.session_id_len);
	jb_kv_bool(jb, "resumption_offered", t->f.resumption_offered);
	jb_kv_bool(jb, "renegotiation_info_offered", h->reneg);
	jb_kv_bool(jb, "fallback_scsv", h->fallback_scsv);
	jb_kv_bool(jb, "extended_master_secret_offered", h->ems);
	jb_kv_bool(jb, "encrypt_then_mac_offered", h->etm);
}

/* The post-quantum object (docs/TLS.md "pq"): the hybrid / ML-KEM groups
 * (tls_group_is_pq) of each step of the key exchange, by name. */
static void tj_pq_list(struct jbuf *jb, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tls_group_is_pq(v[i]))
			tj_name(jb, tls_group_name(v[i]), v[i]);
}

static void tj_pq(struct jbuf *jb, const struct tls_facts *t)
{
	const struct tls_flowfacts *f = &t->f;
	bool sel = f->kx_group >= 0 && tls_group_is_pq((uint16_t)f->kx_group);
	jb_key(jb, "pq");
	jb_obj_open(jb);
	jb_key(jb, "groups_offered");
	jb_arr_open(jb);
	if (t->has_cprof)
		tj_pq_list(jb, t->c.groups, t->c.n_groups);
	jb_arr_close(jb);
	jb_key(jb, "key_shares_sent");
	jb_arr_open(jb);
	if (t->has_cprof)
		tj_pq_list(jb, t->c.ks, t->c.n_ks);
	if (f->hrr)
		tj_pq_list(jb, f->retry_ks, f->n_retry_ks);
	jb_arr_close(jb);
	jb_key(jb, "hrr_requested");
	if (f->hrr && tls_group_is_pq(f->hrr_group))
		tj_name(jb, tls_group_name(f->hrr_group), f->hrr_group);
	else
		jb_null(jb);
	jb_key(jb, "selected");
	if (sel)
		tj_name(jb, tls_group_name((uint16_t)f->kx_group), (uint16_t)f->kx_group);
	else
		jb_null(jb);
	jb_obj_close(jb);
}

static void tj_fingerprints(struct jbuf *jb, const struct tls_facts *t, const struct tls_json_fp *fp)
{
	if (t->has_cprof && !t->c.sslv2 && !t->c.lists_capped) {
		if (fp->ja3) {
			jb_kv_str(jb, "ja3", fp->ja3);
			jb_kv_str(jb, "ja3_string", fp->ja3_string);
		}
		if (fp->ja4) {
			jb_kv_str(jb, "ja4", fp->ja4);
			jb_kv_str(jb, "ja4_r", fp->ja4_r);
		}
	} else {
		jb_kv_str(jb, "ja3", NULL);
		jb_kv_str(jb, "ja4", NULL);
	}
	if (t->has_sprof && !t->s.sslv2 && fp->ja3s) {
		jb_kv_str(jb, "ja3s", fp->ja3s);
		jb_kv_str(jb, "ja3s_string", fp->ja3s_string);
	} else {
		jb_kv_str(jb, "ja3s", NULL);
	}
}

static void tj_verdict(struct jbuf *jb, const char *prefix, const struct tls_verdict *v,
		       const struct tls_json_chain *ch)
{
	char k[48];
	bool has = v->has;
	snprintf(k, sizeof(k), "%schain_trusted", prefix);
	jb_kv_tri(jb, k, has ? v->trusted : -1);
	snprintf(k, sizeof(k), "%strust_error", prefix);
	jb_kv_str(jb, k, has && v->error[0] ? v->error : NULL);
	if (prefix[0] == 0) {
		jb_kv_tri(jb, "hostname_match", has ? v->hostname_match : -1);
		jb_key(jb, "leaf_self_signed");
		has ? jb_bool(jb, v->leaf_self_signed) : jb_null(jb);
		jb_key(jb, "weak_key");
		has ? jb_bool(jb, ch && ch->weak_key) : jb_null(jb);
		jb_key(jb, "weak_signature");
		has ? jb_bool(jb, ch && ch->weak_signature) : jb_null(jb);
		jb_key(jb, "trusted_by_extra_ca");
		has ? jb_bool(jb, v->trusted_by_extra) : jb_null(jb);
	}
}

static void tj_dir(struct jbuf *jb, const char *key, const uint32_t v[2])
{
	jb_key(jb, key);
	jb_obj_open(jb);
	jb_kv_int(jb, "c2s", v[0]);
	jb_kv_int(jb, "s2c", v[1]);
	jb_obj_close(jb);
}

static void tj_quic_version(struct jbuf *jb, const char *key, uint32_t v)
{
	char b[16];
	jb_kv_str(jb, key, v == 0 ? NULL : quic_version_name(v, b));
}

static void tj_carrier(struct jbuf *jb, const struct tls_carrier *c)
{
	const struct tls_quic_facts *q = &c->quic;
	uint8_t i;

	if (c->kind == TLS_CARRIER_TDS) {
		jb_key(jb, "tds");
		jb_obj_open(jb);
		jb_kv_int(jb, "prelogin_tls_packets_c2s", c->tds_packets[0]);
		jb_kv_int(jb, "prelogin_tls_packets_s2c", c->tds_packets[1]);
		jb_obj_close(jb);
		return;
	}
	if (c->kind != TLS_CARRIER_QUIC)
		return;
	jb_key(jb, "quic");
	jb_obj_open(jb);
	tj_quic_version(jb, "version", q->version);
	tj_quic_version(jb, "server_version", q->server_version);
	jb_kv_int(jb, "dcid_len", q->dcid_len);
	jb_kv_int(jb, "scid_len", q->scid_len);
	jb_kv_bool(jb, "initial_token", q->initial_token);
	jb_kv_bool(jb, "retry", q->retry);
	jb_kv_bool(jb, "version_negotiation", q->vn);
	if (q->vn) {
		jb_key(jb, "vn_versions");
		jb_arr_open(jb);
		for (i = 0; i < q->n_vn && i < TF_MAX_VN; i++) {
			char b[16];
			snprintf(b, sizeof(b), "0x%08x", q->vn_versions[i]);
			jb_string(jb, b);
		}
		jb_arr_close(jb);
	}
	tj_dir(jb, "initial_packets", q->initial_packets);
	tj_dir(jb, "initial_decrypted", q->initial_decrypted);
	tj_dir(jb, "handshake_packets", q->handshake_packets);
	tj_dir(jb, "short_packets", q->short_packets);
	tj_dir(jb, "crypto_bytes", q->crypto_bytes);
	jb_kv_int(jb, "coalesced_datagrams", q->coalesced);
	jb_key(jb, "connection_close");
	if (q->closed) {
		jb_obj_open(jb);
		jb_kv_str(jb, "from", q->close_from == 0 ? "client" : "server");
		jb_kv_int(jb, "error_code", (int64_t)q->close_error);
		jb_kv_int(jb, "frame_type", (int64_t)q->close_frame);
		jb_obj_close(jb);
	} else {
		jb_null(jb);
	}
	jb_obj_close(jb);
}

void tls_json_build(struct jbuf *jb, const struct tls_facts *t, const struct tls_json_fp *fp,
		    const struct tls_json_chain *server, const struct tls_json_chain *client)
{
	const struct tls_sprof *s = &t->s;
	const struct tls_flowfacts *f = &t->f;
	bool t13 = t->has_sprof && s->version == 0x0304;
	/* TLS 1.3's encrypted handshake, unless a key log opened it */
	bool hid = t13 && !f->handshake_decrypted;
	bool est = f->established;
	char b[24];

	jb_obj_open(jb);
	/* negotiated */
	if (t->has_sprof) {
		tj_version(jb, "version", s->version);
		if (s->sslv2) {
			jb_kv_str(jb, "cipher", tls_sslv2_cipher_name(s->cipher));
			jb_kv_int(jb, "cipher_id", s->cipher);
			jb_kv_str(jb, "cipher_class", "broken");
		} else {
			const struct tls_cipher_info *ci = tls_cipher_lookup((uint16_t)s->cipher);
			if (ci) {
				jb_kv_str(jb, "cipher", ci->name);
			} else {
				snprintf(b, sizeof(b), "0x%04x", s->cipher);
				jb_kv_str(jb, "cipher", b);
			}
			jb_kv_int(jb, "cipher_id", s->cipher);
			jb_kv_str(jb, "cipher_class", ci ? ci->cls : NULL);
			jb_kv_str(jb, "cipher_kx", ci ? ci->kx : NULL);
			jb_key(jb, "forward_secrecy");
			ci ? jb_bool(jb, ci->forward_secrecy) : jb_null(jb);
			jb_key(jb, "aead");
			ci ? jb_bool(jb, ci->aead) : jb_null(jb);
			jb_kv_str(jb, "cipher_mozilla", ci ? ci->mozilla : NULL);
			jb_key(jb, "cipher_iana_recommended");
			if (ci && ci->iana_recommended != '-') {
				char r[2] = { ci->iana_recommended, 0 };
				jb_string(jb, r);
			} else {
				jb_null(jb);
			}
			tj_version(jb, "server_legacy_version", s->legacy_version);
			jb_kv_int(jb, "compression", s->comp);
			tj_u16_list(jb, "server_extensions", s->exts, s->n_exts);
		}
	} else {
		jb_kv_str(jb, "version", NULL);
		jb_kv_str(jb, "cipher", NULL);
		jb_kv_str(jb, "cipher_id", NULL);
	}
	jb_kv_bool(jb, "server_hello_seen", t->has_sprof);
	jb_kv_bool(jb, "hrr", f->hrr);
	if (f->hrr) {
		jb_key(jb, "hrr_group");
		tj_name(jb, tls_group_name(f->hrr_group), f->hrr_group);
		tj_names(jb, "retry_key_share_groups", f->retry_ks, f->n_retry_ks, tls_group_name);
	}
	jb_key(jb, "kx_group");
	if (f->kx_group >= 0)
		tj_name(jb, tls_group_name((uint16_t)f->kx_group), (uint16_t)f->kx_group);
	else
		jb_null(jb);
	jb_key(jb, "dh_bits");
	f->dh_bits ? jb_uint(jb, f->dh_bits) : jb_null(jb);
	if (f->rsa_export_bits)
		jb_kv_int(jb, "rsa_export_bits", f->rsa_export_bits);
	jb_key(jb, "alpn_selected");
	if (f->has_alpn_selected)
		jb_strn(jb, f->alpn_selected, f->alpn_selected_len);
	else if (hid)
		jb_string(jb, "not_observable");
	else
		jb_null(jb);
	jb_kv_str(jb, "downgrade_sentinel", f->downgrade[0] ? f->downgrade : NULL);
	if (t->has_sprof && !s->sslv2) {
		jb_kv_bool(jb, "extended_master_secret", s->ems);
		jb_kv_bool(jb, "encrypt_then_mac", s->etm);
		jb_kv_bool(jb, "secure_renegotiation", s->reneg);
	}

	/* client */
	jb_kv_bool(jb, "client_hello_seen", t->has_cprof);
	if (t->has_cprof)
		tj_client(jb, t);
	tj_pq(jb, t);
	tj_fingerprints(jb, t, fp);

	/* resumption */
	jb_kv_bool(jb, "resumed", f->resumption != NULL);
	jb_kv_str(jb, "resumption", f->resumption);

	/* OCSP stapling: TLS 1.3 staples inside the encrypted Certificate */
	jb_key(jb, "ocsp_stapled");
	if (hid)
		jb_null(jb);
	else
		jb_bool(jb, f->ocsp_stapled);
	jb_kv_str(jb, "ocsp_status", f->ocsp_stapled && f->ocsp_status[0] ? f->ocsp_status : NULL);
	jb_key(jb, "ocsp_produced_at");
	if (f->ocsp_stapled && f->ocsp_produced_at)
		jb_int(jb, f->ocsp_produced_at / 1000000);
	else
		jb_null(jb);
	jb_kv_bool(jb, "server_status_request_ack", t->has_sprof && s->status_request);

	/* certificates */
	jb_key(jb, "certs_observable");
	jb_bool(jb, !hid);
	jb_kv_bool(jb, "handshake_decrypted", f->handshake_decrypted);
	jb_kv_int(jb, "chain_len", f->chain_len);
	tj_verdict(jb, "", &f->verdict, server);

	/* client certificate */
	{
		const char *cc;
		if (hid)
			cc = "not_observable";
		else if (f->client_cert_msg && !f->client_cert_empty)
			cc = "sent";
		else if (f->cert_request || f->client_cert_msg)
			cc = "requested";
		else
			cc = "none";
		jb_kv_str(jb, "client_cert", cc);
		jb_kv_str(jb, "client_cert_message", hid ? "not_observable" :
			  f->client_cert_msg ? (f->client_cert_empty ? "empty" : "sent") :
			  f->cert_request ? "absent" : NULL);
		jb_key(jb, "cert_request");
		if (hid)
			jb_null(jb);
		else
			jb_bool(jb, f->cert_request);
		jb_key(jb, "client_cert_inferred");
		if (f->client_cert_inferred >= 0)
			jb_string(jb, f->client_cert_inferred ? "likely_sent" : "likely_none");
		else
			jb_null(jb);
		jb_kv_int(jb, "client_chain_len", f->client_chain_len);
		tj_verdict(jb, "client_", &f->client_verdict, client);
	}

	/* completion and alerts */
	jb_kv_bool(jb, "established", est);
	jb_kv_bool(jb, "established_inferred", t13 && est);
	jb_kv_str(jb, "handshake", f->handshake);
	jb_key(jb, "alert");
	if (f->alert_seen) {
		const char *an = tls_alert_name(f->alert_desc);
		jb_obj_open(jb);
		jb_kv_str(jb, "level", f->alert_level == 2 ? "fatal" : f->alert_level == 1 ? "warning" : "unknown");
		if (an) {
			jb_kv_str(jb, "description", an);
		} else {
			snprintf(b, sizeof(b), "%u", f->alert_desc);
			jb_kv_str(jb, "description", b);
		}
		jb_kv_int(jb, "code", f->alert_desc);
		jb_kv_str(jb, "from", f->alert_from == 0 ? "client" : "server");
		jb_obj_close(jb);
	} else {
		jb_null(jb);
	}
	jb_key(jb, "encrypted_alert_from");
	jb_arr_open(jb);
	if (f->enc_alert_client)
		jb_string(jb, "client");
	if (f->enc_alert_server)
		jb_string(jb, "server");
	jb_arr_close(jb);
	jb_kv_tri(jb, "client_accepted_untrusted", f->client_accepted_untrusted);
	jb_kv_bool(jb, "client_rejected_cert", f->client_rejected_cert);
	jb_kv_int(jb, "records_c2s", f->records_c2s);
	jb_kv_int(jb, "records_s2c", f->records_s2c);
	jb_kv_int(jb, "app_records_c2s", f->app_records_c2s);
	jb_kv_int(jb, "app_records_s2c", f->app_records_s2c);
	jb_kv_bool(jb, "malformed", f->malformed);
	tj_carrier(jb, &t->carrier);
	/* the certificate objects (docs/CERTIFICATES.md), leaf first */
	jb_key(jb, "certs");
	jb_raw(jb, server && server->json ? server->json : "[]");
	jb_key(jb, "client_certs");
	jb_raw(jb, client && client->json ? client->json : "[]");
	jb_obj_close(jb);
}
