/* SPDX-License-Identifier: BSD-3-Clause */
/* export.c — JSON Lines / CSV export and the text summary; see export.h. */
#include "export.h"
#include "json.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static void kv_ts(struct jbuf *jb, const char *k, int64_t ts)
{
	char buf[TSSTR_MAX];
	ts_to_rfc3339(ts, buf, sizeof(buf));
	jb_kv_str(jb, k, buf);
}

static void kv_raw_or_null(struct jbuf *jb, const char *k, const char *json)
{
	jb_key(jb, k);
	if (json)
		jb_raw(jb, json);
	else
		jb_null(jb);
}

void export_record_json(struct jbuf *jb_, const struct flow_view *v)
{
#define jb (*jb_)
	jb_obj_open(&jb);
	jb_kv_int(&jb, "flow_id", v->flow_id);
	jb_kv_int(&jb, "run_id", v->run_id);
	if (v->flow_uid)
		jb_kv_str(&jb, "flow_uid", v->flow_uid);
	kv_ts(&jb, "ts_first", v->ts_first);
	kv_ts(&jb, "ts_last", v->ts_last);
	jb_kv_str(&jb, "transport", v->transport);
	jb_kv_str(&jb, "client_ip", v->client_ip);
	jb_kv_int(&jb, "client_port", v->client_port);
	jb_kv_str(&jb, "server_ip", v->server_ip);
	jb_kv_int(&jb, "server_port", v->server_port);
	jb_kv_int(&jb, "vlan", v->vlan);
	jb_kv_int(&jb, "vlan_inner", v->vlan_inner);
	jb_kv_str(&jb, "interface", v->iface);
	jb_kv_str(&jb, "community_id", v->community_id);
	jb_kv_int(&jb, "packets_c2s", v->packets[0]);
	jb_kv_int(&jb, "packets_s2c", v->packets[1]);
	jb_kv_int(&jb, "bytes_c2s", v->bytes[0]);
	jb_kv_int(&jb, "bytes_s2c", v->bytes[1]);
	jb_kv_int(&jb, "payload_bytes_c2s", v->payload[0]);
	jb_kv_int(&jb, "payload_bytes_s2c", v->payload[1]);
	jb_kv_str(&jb, "client_by", v->client_by);
	jb_kv_str(&jb, "end_reason", v->end_reason);
	jb_kv_str(&jb, "ndpi_protocol", v->ndpi_protocol);
	jb_kv_str(&jb, "ndpi_category", v->ndpi_category);
	kv_raw_or_null(&jb, "ndpi_risks", v->ndpi_risks_json);
	jb_kv_str(&jb, "protocol", v->protocol);
	jb_kv_str(&jb, "security", v->security);
	if (v->rollup_flows > 0)
		jb_kv_int(&jb, "rollup_flows", v->rollup_flows); /* retention: a row for many */
	kv_raw_or_null(&jb, "anomalies", v->anomalies_json);
	kv_raw_or_null(&jb, "tls", v->tls_json);
	kv_raw_or_null(&jb, "cleartext", v->cleartext_json);
	jb_obj_close(&jb);
#undef jb
}

static int jsonl_cb(const struct flow_view *v, void *arg)
{
	FILE *out = arg;
	struct jbuf jb;

	jb_init(&jb);
	export_record_json(&jb, v);
	if (jb.err) {
		jb_free(&jb);
		return -1;
	}
	fputs(jb_str(&jb), out);
	fputc('\n', out);
	jb_free(&jb);
	return ferror(out) ? -1 : 0;
}

int export_jsonl(struct store *s, const struct flow_filter *f, FILE *out)
{
	return store_each_flow(s, f, jsonl_cb, out);
}

/* RFC 4180 quoting; text cells that a spreadsheet would take for a formula
 * (= + - @, tab, CR at the start) get a leading apostrophe (OWASP CSV
 * injection guidance). A cell holding ';' or a tab is quoted too: a
 * spreadsheet that splits on them must not see a new cell (OWASP: "take
 * care of the field separator"). Control characters (C0, DEL, C1 in UTF-8)
 * are written as \xNN, as term_escape does: RFC 4180 text has none, and
 * the file is often read on a terminal. */
void csv_field(FILE *out, const char *s, int is_text)
{
	const unsigned char *p;
	if (s == NULL)
		return;
	bool quote = strpbrk(s, ",;\"\t\r\n") != NULL;
	bool formula = is_text && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
				   s[0] == '\t' || s[0] == '\r');
	if (formula)
		quote = true;
	if (quote)
		fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\x%02x", *p);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fprintf(out, "\\xc2\\x%02x", p[1]); /* C1 controls in UTF-8 */
			p++;
		} else {
			fputc(*p, out);
		}
	}
	if (quote)
		fputc('"', out);
}

static void csv_int(FILE *out, long long v)
{
	fprintf(out, "%lld", v);
}

static const char *const csv_cols[] = {
	"flow_id", "run_id", "ts_first", "ts_last", "transport", "client_ip", "client_port",
	"server_ip", "server_port", "vlan", "packets_c2s", "packets_s2c", "bytes_c2s",
	"bytes_s2c", "ndpi_protocol", "ndpi_category", "ndpi_risks", "protocol", "security",
	"tls_version", "tls_cipher", "tls_sni", "credentials", "auth_mechanism", "user",
	"anomalies", "interface", "community_id", "flow_uid", NULL,
};

static int csv_cb(const struct flow_view *v, void *arg)
{
	FILE *out = arg;
	char t1[TSSTR_MAX], t2[TSSTR_MAX];
	ts_to_rfc3339(v->ts_first, t1, sizeof(t1));
	ts_to_rfc3339(v->ts_last, t2, sizeof(t2));
	csv_int(out, v->flow_id); fputc(',', out);
	csv_int(out, v->run_id); fputc(',', out);
	csv_field(out, t1, 0); fputc(',', out);
	csv_field(out, t2, 0); fputc(',', out);
	csv_field(out, v->transport, 0); fputc(',', out);
	csv_field(out, v->client_ip, 0); fputc(',', out);
	csv_int(out, v->client_port); fputc(',', out);
	csv_field(out, v->server_ip, 0); fputc(',', out);
	csv_int(out, v->server_port); fputc(',', out);
	csv_int(out, v->vlan); fputc(',', out);
	csv_int(out, v->packets[0]); fputc(',', out);
	csv_int(out, v->packets[1]); fputc(',', out);
	csv_int(out, v->bytes[0]); fputc(',', out);
	csv_int(out, v->bytes[1]); fputc(',', out);
	csv_field(out, v->ndpi_protocol, 1); fputc(',', out);
	csv_field(out, v->ndpi_category, 1); fputc(',', out);
	csv_field(out, v->ndpi_risks_json, 1); fputc(',', out);
	csv_field(out, v->protocol, 1); fputc(',', out);
	csv_field(out, v->security, 1); fputc(',', out);
	csv_field(out, v->tls_version, 1); fputc(',', out);
	csv_field(out, v->tls_cipher, 1); fputc(',', out);
	csv_field(out, v->tls_sni, 1); fputc(',', out);
	if (v->credentials >= 0)
		fputs(v->credentials ? "true" : "false", out);
	fputc(',', out);
	csv_field(out, v->auth_mechanism, 1); fputc(',', out);
	csv_field(out, v->user, 1); fputc(',', out);
	csv_field(out, v->anomaly_names, 1); fputc(',', out);
	csv_field(out, v->iface, 1); fputc(',', out);
	csv_field(out, v->community_id, 1); fputc(',', out);
	csv_field(out, v->flow_uid, 0);
	fputs("\r\n", out);
	return ferror(out) ? -1 : 0;
}

int export_csv(struct store *s, const struct flow_filter *f, FILE *out)
{
	int i;
	for (i = 0; csv_cols[i]; i++) {
		if (i)
			fputc(',', out);
		fputs(csv_cols[i], out);
	}
	fputs("\r\n", out);
	return store_each_flow(s, f, csv_cb, out);
}

/* Control characters, DEL, ESC and C1 bytes shown as \xNN so that a string
 * from the wire cannot move the cursor or recolour a terminal; so is a byte
 * that does not start valid UTF-8 (a lone 0x9b is CSI on an 8-bit
 * terminal). */
void term_escape(FILE *out, const char *s)
{
	const unsigned char *p;
	size_t n;
	if (s == NULL) {
		fputc('-', out);
		return;
	}
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			fprintf(out, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fprintf(out, "\\xc2\\x%02x", p[1]); /* C1 controls in UTF-8 */
			p++;
		} else if (*p >= 0x80 && (n = utf8_seq_len(p, strlen((const char *)p))) > 0) {
			fwrite(p, 1, n, out);
			p += n - 1;
		} else if (*p >= 0x80)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
}

static int summary_cb(const struct flow_view *v, void *arg)
{
	FILE *out = arg;
	char t1[TSSTR_MAX];
	ts_to_rfc3339(v->ts_first, t1, sizeof(t1));
	bool v6 = v->client_ip && strchr(v->client_ip, ':');
	fprintf(out, "%lld %s %s %s", (long long)v->flow_id, t1, v->transport, v6 ? "[" : "");
	term_escape(out, v->client_ip);
	fprintf(out, "%s:%d -> %s", v6 ? "]" : "", v->client_port, v6 ? "[" : "");
	term_escape(out, v->server_ip);
	fprintf(out, "%s:%d pkts=%lld/%lld bytes=%lld/%lld protocol=", v6 ? "]" : "", v->server_port,
		(long long)v->packets[0], (long long)v->packets[1],
		(long long)v->bytes[0], (long long)v->bytes[1]);
	term_escape(out, v->protocol);
	fputs(" security=", out);
	term_escape(out, v->security);
	fputs(" ndpi=", out);
	term_escape(out, v->ndpi_protocol);
	if (v->tls_version) {
		fputs(" tls=", out);
		term_escape(out, v->tls_version);
		fputc('/', out);
		term_escape(out, v->tls_cipher);
		fputs(" sni=", out);
		term_escape(out, v->tls_sni);
	}
	if (v->credentials > 0) {
		fputs(" credentials_in_clear=", out);
		term_escape(out, v->auth_mechanism);
		if (v->user) {
			fputs(" user=", out);
			term_escape(out, v->user);
		}
	}
	if (v->anomaly_names) {
		fputs(" anomalies=", out);
		term_escape(out, v->anomaly_names);
	}
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}

int export_summary(struct store *s, const struct flow_filter *f, FILE *out)
{
	return store_each_flow(s, f, summary_cb, out);
}
