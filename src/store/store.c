/* SPDX-License-Identifier: BSD-3-Clause */
/* store.c — SQLite store; see store.h and docs/SCHEMA.md. */
#include "store.h"
#include "pg.h"
#include "retention.h"
#include "community_id.h"
#include "digest.h"
#include "dissect.h"
#include "json.h"
#include "tls_facts.h"
#include "tls_json.h"
#include "clear_json.h"
#include "obs_clear.h"
#include "tls_tables.h"
#include "x509.h"
#include "cert_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include <openssl/evp.h>

#include "config.h"

/* migrations[i] takes a database from user_version i to i+1. */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema */
	"CREATE TABLE runs ("
	"  run_id INTEGER PRIMARY KEY,"
	"  started_at TEXT NOT NULL,"
	"  ended_at TEXT,"
	"  mode TEXT,"
	"  source TEXT,"
	"  filter TEXT,"
	"  snaplen INTEGER,"
	"  wireaudit_version TEXT,"
	"  ndpi_version TEXT,"
	"  pcap_version TEXT,"
	"  ts_first INTEGER,"
	"  ts_last INTEGER,"
	"  packets INTEGER,"
	"  bytes INTEGER,"
	"  flows INTEGER,"
	"  drops INTEGER,"
	"  if_drops INTEGER,"
	"  status TEXT,"
	"  stats TEXT"
	");"
	"CREATE TABLE flows ("
	"  flow_id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL,"
	"  ts_first INTEGER NOT NULL,"
	"  ts_last INTEGER NOT NULL,"
	"  transport TEXT NOT NULL,"
	"  client_ip TEXT NOT NULL,"
	"  client_port INTEGER NOT NULL,"
	"  server_ip TEXT NOT NULL,"
	"  server_port INTEGER NOT NULL,"
	"  vlan INTEGER NOT NULL,"
	"  vlan_inner INTEGER NOT NULL,"
	"  packets_c2s INTEGER NOT NULL,"
	"  packets_s2c INTEGER NOT NULL,"
	"  bytes_c2s INTEGER NOT NULL,"
	"  bytes_s2c INTEGER NOT NULL,"
	"  payload_c2s INTEGER NOT NULL,"
	"  payload_s2c INTEGER NOT NULL,"
	"  client_by TEXT,"
	"  end_reason TEXT,"
	"  ndpi_protocol TEXT,"
	"  ndpi_category TEXT,"
	"  ndpi_risks TEXT,"
	"  protocol TEXT,"
	"  security TEXT"
	");"
	"CREATE INDEX flows_ts ON flows(ts_first);"
	"CREATE INDEX flows_server ON flows(server_ip, server_port);"
	"CREATE TABLE tls ("
	"  flow_id INTEGER PRIMARY KEY,"
	"  obj TEXT NOT NULL,"
	"  version TEXT GENERATED ALWAYS AS (json_extract(obj, '$.version')) VIRTUAL,"
	"  cipher_id INTEGER GENERATED ALWAYS AS (json_extract(obj, '$.cipher_id')) VIRTUAL,"
	"  sni TEXT GENERATED ALWAYS AS (json_extract(obj, '$.sni')) VIRTUAL,"
	"  established INTEGER GENERATED ALWAYS AS (json_extract(obj, '$.established')) VIRTUAL"
	");"
	"CREATE TABLE cleartext ("
	"  flow_id INTEGER PRIMARY KEY,"
	"  obj TEXT NOT NULL,"
	"  credentials INTEGER GENERATED ALWAYS AS (json_extract(obj, '$.credentials')) VIRTUAL,"
	"  auth_mechanism TEXT GENERATED ALWAYS AS (json_extract(obj, '$.auth_mechanism')) VIRTUAL,"
	"  user TEXT GENERATED ALWAYS AS (json_extract(obj, '$.user')) VIRTUAL"
	");"
	"CREATE TABLE certs ("
	"  sha256 TEXT PRIMARY KEY,"
	"  der BLOB NOT NULL,"
	"  obj TEXT NOT NULL,"
	"  first_seen INTEGER"
	");"
	"CREATE TABLE flow_certs ("
	"  flow_id INTEGER NOT NULL,"
	"  side INTEGER NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  PRIMARY KEY (flow_id, side, idx)"
	") WITHOUT ROWID;"
	"CREATE TABLE anomalies ("
	"  flow_id INTEGER NOT NULL,"
	"  dissector TEXT NOT NULL,"
	"  code INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  detail TEXT"
	");"
	"CREATE INDEX anomalies_flow ON anomalies(flow_id);",
	/* 1 -> 2: the generated columns of tls and cleartext go. SQLite
	 * evaluates VIRTUAL generated columns on every INSERT, so their
	 * json_extract calls cost about 9% of capture time
	 * (docs/PERFORMANCE.md). The same fields, for SQL users, come from
	 * two views. */
	"ALTER TABLE tls DROP COLUMN version;"
	"ALTER TABLE tls DROP COLUMN cipher_id;"
	"ALTER TABLE tls DROP COLUMN sni;"
	"ALTER TABLE tls DROP COLUMN established;"
	"ALTER TABLE cleartext DROP COLUMN credentials;"
	"ALTER TABLE cleartext DROP COLUMN auth_mechanism;"
	"ALTER TABLE cleartext DROP COLUMN user;"
	"CREATE VIEW tls_fields AS SELECT flow_id,"
	"  json_extract(obj, '$.version') AS version,"
	"  json_extract(obj, '$.cipher_id') AS cipher_id,"
	"  json_extract(obj, '$.sni') AS sni,"
	"  json_extract(obj, '$.established') AS established FROM tls;"
	"CREATE VIEW cleartext_fields AS SELECT flow_id,"
	"  json_extract(obj, '$.credentials') AS credentials,"
	"  json_extract(obj, '$.auth_mechanism') AS auth_mechanism,"
	"  json_extract(obj, '$.user') AS user FROM cleartext;",
	/* 2 -> 3: typed, normalised TLS facts (issue 12, docs/SCHEMA.md). The
	 * per-flow JSON object goes; a ClientHello profile, a server choice
	 * profile and a certificate chain are stored once each and referenced
	 * by id; the flow's own facts are typed columns. A database holding
	 * schema-2 TLS objects is refused before this runs (migrate()). */
	"DROP VIEW tls_fields;"
	"DROP TABLE tls;"
	"DROP TABLE flow_certs;"
	"CREATE TABLE tls_client_profiles ("
	"  profile_id INTEGER PRIMARY KEY,"
	"  digest BLOB NOT NULL UNIQUE,"
	"  hello_format TEXT NOT NULL,"
	"  transport TEXT NOT NULL,"
	"  lists_capped INTEGER NOT NULL,"
	"  legacy_version INTEGER NOT NULL,"
	"  versions TEXT,"
	"  ciphers TEXT NOT NULL,"
	"  sslv2_specs TEXT,"
	"  compression TEXT NOT NULL,"
	"  extensions TEXT NOT NULL,"
	"  groups TEXT NOT NULL,"
	"  key_shares TEXT NOT NULL,"
	"  sig_algs TEXT NOT NULL,"
	"  point_formats TEXT NOT NULL,"
	"  alpn BLOB,"
	"  sni_ext INTEGER NOT NULL,"
	"  ech INTEGER NOT NULL,"
	"  ech_type INTEGER,"
	"  status_request INTEGER NOT NULL,"
	"  session_ticket INTEGER NOT NULL,"
	"  psk INTEGER NOT NULL,"
	"  early_data INTEGER NOT NULL,"
	"  renegotiation_info INTEGER NOT NULL,"
	"  fallback_scsv INTEGER NOT NULL,"
	"  extended_master_secret INTEGER NOT NULL,"
	"  encrypt_then_mac INTEGER NOT NULL,"
	"  ja3 TEXT, ja3_string TEXT, ja4 TEXT, ja4_r TEXT,"
	"  first_seen INTEGER"
	");"
	"CREATE TABLE tls_server_profiles ("
	"  profile_id INTEGER PRIMARY KEY,"
	"  digest BLOB NOT NULL UNIQUE,"
	"  hello_format TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  legacy_version INTEGER NOT NULL,"
	"  cipher INTEGER NOT NULL,"
	"  compression INTEGER NOT NULL,"
	"  extensions TEXT NOT NULL,"
	"  extended_master_secret INTEGER NOT NULL,"
	"  encrypt_then_mac INTEGER NOT NULL,"
	"  secure_renegotiation INTEGER NOT NULL,"
	"  status_request_ack INTEGER NOT NULL,"
	"  ja3s TEXT, ja3s_string TEXT,"
	"  first_seen INTEGER"
	");"
	"CREATE TABLE chains ("
	"  chain_id INTEGER PRIMARY KEY,"
	"  digest BLOB NOT NULL UNIQUE,"
	"  len INTEGER NOT NULL,"
	"  leaf TEXT"
	");"
	"CREATE TABLE chain_certs ("
	"  chain_id INTEGER NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  PRIMARY KEY (chain_id, idx)"
	") WITHOUT ROWID;"
	"CREATE TABLE tls ("
	"  flow_id INTEGER PRIMARY KEY,"
	"  client_profile INTEGER,"
	"  server_profile INTEGER,"
	"  server_chain INTEGER,"
	"  client_chain INTEGER,"
	"  sni TEXT,"
	"  session_id_len INTEGER,"
	"  resumption_offered INTEGER,"
	"  hrr INTEGER NOT NULL,"
	"  hrr_group INTEGER,"
	"  retry_key_shares TEXT,"
	"  kx_group INTEGER,"
	"  dh_bits INTEGER,"
	"  rsa_export_bits INTEGER,"
	"  alpn_selected TEXT,"
	"  downgrade_sentinel TEXT,"
	"  resumption TEXT,"
	"  ocsp_stapled INTEGER NOT NULL,"
	"  ocsp_status TEXT,"
	"  ocsp_produced_at INTEGER,"
	"  chain_len INTEGER NOT NULL,"
	"  chain_trusted INTEGER,"
	"  trust_error TEXT,"
	"  hostname_match INTEGER,"
	"  leaf_self_signed INTEGER,"
	"  weak_key INTEGER,"
	"  weak_signature INTEGER,"
	"  trusted_by_extra_ca INTEGER,"
	"  cert_request INTEGER NOT NULL,"
	"  client_cert_message INTEGER NOT NULL,"
	"  client_cert_empty INTEGER NOT NULL,"
	"  client_cert_inferred INTEGER,"
	"  client_chain_len INTEGER NOT NULL,"
	"  client_verdict INTEGER NOT NULL,"
	"  client_chain_trusted INTEGER,"
	"  client_trust_error TEXT,"
	"  established INTEGER NOT NULL,"
	"  handshake TEXT NOT NULL,"
	"  alert_level INTEGER,"
	"  alert_code INTEGER,"
	"  alert_from INTEGER,"
	"  encrypted_alert_from INTEGER NOT NULL,"
	"  client_accepted_untrusted INTEGER,"
	"  client_rejected_cert INTEGER NOT NULL,"
	"  records_c2s INTEGER NOT NULL,"
	"  records_s2c INTEGER NOT NULL,"
	"  app_records_c2s INTEGER NOT NULL,"
	"  app_records_s2c INTEGER NOT NULL,"
	"  malformed INTEGER NOT NULL"
	");"
	"CREATE TABLE quic ("
	"  flow_id INTEGER PRIMARY KEY,"
	"  version INTEGER, server_version INTEGER,"
	"  dcid_len INTEGER, scid_len INTEGER,"
	"  initial_token INTEGER, retry INTEGER, version_negotiation INTEGER, vn_versions TEXT,"
	"  initial_packets_c2s INTEGER, initial_packets_s2c INTEGER,"
	"  initial_decrypted_c2s INTEGER, initial_decrypted_s2c INTEGER,"
	"  handshake_packets_c2s INTEGER, handshake_packets_s2c INTEGER,"
	"  short_packets_c2s INTEGER, short_packets_s2c INTEGER,"
	"  crypto_bytes_c2s INTEGER, crypto_bytes_s2c INTEGER,"
	"  coalesced_datagrams INTEGER,"
	"  close_from INTEGER, close_error INTEGER, close_frame INTEGER"
	");"
	"CREATE TABLE tds_tls ("
	"  flow_id INTEGER PRIMARY KEY,"
	"  prelogin_tls_packets_c2s INTEGER, prelogin_tls_packets_s2c INTEGER"
	");"
	"CREATE VIEW tls_fields AS SELECT t.flow_id,"
	"  CASE sp.version WHEN 2 THEN 'SSLv2' WHEN 768 THEN 'SSLv3' WHEN 769 THEN 'TLSv1.0'"
	"   WHEN 770 THEN 'TLSv1.1' WHEN 771 THEN 'TLSv1.2' WHEN 772 THEN 'TLSv1.3'"
	"   ELSE printf('0x%04x', sp.version) END AS version,"
	"  sp.cipher AS cipher_id, t.sni, t.established, cp.ja3, cp.ja4, sp.ja3s"
	"  FROM tls t LEFT JOIN tls_server_profiles sp ON sp.profile_id = t.server_profile"
	"  LEFT JOIN tls_client_profiles cp ON cp.profile_id = t.client_profile;"
	/* the cleartext object becomes typed columns and one row per detail
	 * (in the order stated; the entries of a list one row each, list = 1);
	 * objects already stored are converted, value for value */
	"DROP VIEW cleartext_fields;"
	"ALTER TABLE cleartext RENAME TO cleartext_v2;"
	"CREATE TABLE cleartext ("
	"  flow_id INTEGER PRIMARY KEY,"
	"  credentials INTEGER NOT NULL,"
	"  auth_mechanism TEXT,"
	"  user TEXT,"
	"  tls_offered INTEGER,"
	"  tls_requested INTEGER,"
	"  details_dropped INTEGER NOT NULL"
	");"
	"CREATE TABLE cleartext_details ("
	"  flow_id INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  key TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  list INTEGER NOT NULL,"
	"  ival INTEGER,"
	"  sval TEXT,"
	"  PRIMARY KEY (flow_id, seq)"
	") WITHOUT ROWID;"
	"INSERT INTO cleartext SELECT flow_id, COALESCE(json_extract(obj, '$.credentials'), 0),"
	"  json_extract(obj, '$.auth_mechanism'), json_extract(obj, '$.user'),"
	"  json_extract(obj, '$.tls_offered'), json_extract(obj, '$.tls_requested'),"
	"  COALESCE(json_extract(obj, '$.details.details_dropped'), 0) FROM cleartext_v2;"
	"INSERT INTO cleartext_details SELECT flow_id,"
	"  row_number() OVER (PARTITION BY flow_id ORDER BY did, eid) - 1, key,"
	"  CASE WHEN vt IN ('true', 'false') THEN 'b' WHEN vt = 'integer' THEN 'i' ELSE 's' END,"
	"  list, CASE WHEN vt IN ('true', 'false', 'integer') THEN v END,"
	"  CASE WHEN vt = 'text' THEN v END"
	"  FROM (SELECT c.flow_id, d.id AS did, COALESCE(e.id, 0) AS eid, d.key,"
	"    d.type = 'array' AS list, COALESCE(e.type, d.type) AS vt, COALESCE(e.value, d.value) AS v"
	"    FROM cleartext_v2 c, json_each(c.obj, '$.details') d"
	"    LEFT JOIN json_each(CASE WHEN d.type = 'array' THEN d.value ELSE '[]' END) e"
	"    WHERE d.key != 'details_dropped');"
	"DROP TABLE cleartext_v2;"
	"CREATE VIEW cleartext_fields AS SELECT flow_id, credentials, auth_mechanism, user FROM cleartext;"
	/* what the report reads of a certificate, typed: its subject, whether
	 * it is self-signed, its DNS names (once per distinct certificate) */
	"ALTER TABLE certs ADD COLUMN subject TEXT;"
	"ALTER TABLE certs ADD COLUMN self_signed INTEGER;"
	"UPDATE certs SET subject = json_extract(obj, '$.subject'),"
	"  self_signed = json_extract(obj, '$.self_signed');"
	"CREATE TABLE cert_sans ("
	"  sha256 TEXT NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  PRIMARY KEY (sha256, idx)"
	") WITHOUT ROWID;"
	"INSERT INTO cert_sans SELECT c.sha256, j.key, j.value FROM certs c, json_each(c.obj, '$.sans') j"
	"  WHERE j.type = 'text';",
	/* schema 4: a certificate's facts as typed columns, not a JSON object
	 * built at capture (the export builds it); weak_key / weak_signature
	 * are judged from key_type, key_bits and sig_hash where they are read
	 * (certpolicy.h), so the flow row no longer holds them */
	"ALTER TABLE certs ADD COLUMN parsed INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE certs ADD COLUMN sha1 TEXT;"
	"ALTER TABLE certs ADD COLUMN version INTEGER;"
	"ALTER TABLE certs ADD COLUMN serial TEXT;"
	"ALTER TABLE certs ADD COLUMN subject_cn TEXT;"
	"ALTER TABLE certs ADD COLUMN issuer TEXT;"
	"ALTER TABLE certs ADD COLUMN not_before INTEGER;"
	"ALTER TABLE certs ADD COLUMN not_after INTEGER;"
	"ALTER TABLE certs ADD COLUMN key_type TEXT;"
	"ALTER TABLE certs ADD COLUMN key_bits INTEGER;"
	"ALTER TABLE certs ADD COLUMN curve TEXT;"
	"ALTER TABLE certs ADD COLUMN sig_alg TEXT;"
	"ALTER TABLE certs ADD COLUMN sig_alg_oid TEXT;"
	"ALTER TABLE certs ADD COLUMN sig_hash TEXT;"
	"ALTER TABLE certs ADD COLUMN is_ca INTEGER;"
	"ALTER TABLE certs ADD COLUMN path_len INTEGER;"
	"ALTER TABLE certs ADD COLUMN sans_truncated INTEGER NOT NULL DEFAULT 0;"
	"UPDATE certs SET parsed = json_extract(obj, '$.sha256') IS NOT NULL,"
	"  sha1 = json_extract(obj, '$.sha1'), version = json_extract(obj, '$.version'),"
	"  serial = json_extract(obj, '$.serial'), subject_cn = json_extract(obj, '$.subject_cn'),"
	"  issuer = json_extract(obj, '$.issuer'),"
	"  not_before = CAST(strftime('%s', json_extract(obj, '$.not_before')) AS INTEGER),"
	"  not_after = CAST(strftime('%s', json_extract(obj, '$.not_after')) AS INTEGER),"
	"  key_type = json_extract(obj, '$.key_type'), key_bits = json_extract(obj, '$.key_bits'),"
	"  curve = json_extract(obj, '$.curve'), sig_alg = json_extract(obj, '$.sig_alg'),"
	"  sig_alg_oid = json_extract(obj, '$.sig_alg_oid'), sig_hash = json_extract(obj, '$.sig_hash'),"
	"  is_ca = json_extract(obj, '$.is_ca'), path_len = json_extract(obj, '$.path_len'),"
	"  sans_truncated = COALESCE(json_extract(obj, '$.sans_truncated'), 0);"
	"ALTER TABLE certs DROP COLUMN obj;"
	"ALTER TABLE tls DROP COLUMN weak_key;"
	"ALTER TABLE tls DROP COLUMN weak_signature;"
	/* nDPI's risks as its bitmask and each bit's name once, not a JSON
	 * array of names per flow; rows written before keep their array in
	 * ndpi_risks, which the export prints as it is */
	"ALTER TABLE flows ADD COLUMN ndpi_risk INTEGER;"
	"CREATE TABLE ndpi_risk_names ("
	"  bit INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL"
	");",
	/* 4 -> 5 (issue 14): the interface a flow was seen on (several -i in
	 * one run; NULL for files), and the live statistics time series: one
	 * row per interface (offline: per run) at every checkpoint and at the
	 * end, so that drops are known while the capture runs and over time */
	"ALTER TABLE flows ADD COLUMN interface TEXT;"
	"CREATE TABLE stats ("
	"  run_id INTEGER NOT NULL,"
	"  ts INTEGER NOT NULL,"
	"  pkt_ts INTEGER,"
	"  interface TEXT,"
	"  final INTEGER NOT NULL,"
	"  received INTEGER,"
	"  kernel_drops INTEGER,"
	"  if_drops INTEGER,"
	"  packets INTEGER NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  open_flows INTEGER NOT NULL,"
	"  flows_ended INTEGER NOT NULL,"
	"  flows_evicted INTEGER NOT NULL,"
	"  anomalies INTEGER NOT NULL,"
	"  queue_waits INTEGER NOT NULL,"
	"  queue_wait_us INTEGER NOT NULL,"
	"  workers INTEGER NOT NULL"
	");"
	"CREATE INDEX stats_run ON stats(run_id, interface, ts);",
	/* 5 -> 6: retention (issue 14). A day's flows past --retain-flows are
	 * rolled up: the flows that agree on every fact the report reads
	 * become one flows row (the smallest flow_id; first/last times and
	 * counters over all of them) with a rollups row saying how many it
	 * stands for (src/store/retention.c); retention_log says what was
	 * rolled up or dropped, and when */
	"CREATE TABLE rollups ("
	"  flow_id INTEGER PRIMARY KEY,"
	"  flows INTEGER NOT NULL,"
	"  day INTEGER NOT NULL"
	");"
	"CREATE INDEX rollups_day ON rollups(day);"
	"CREATE TABLE retention_log ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  flows INTEGER NOT NULL,"
	"  rows_before INTEGER NOT NULL,"
	"  rows_after INTEGER NOT NULL,"
	"  reason TEXT NOT NULL"
	");",
	/* 6 -> 7 (issue 15): the flow's Community ID v1 (community_id.h),
	 * computed when the flow is written with the capture's seed; NULL for
	 * rows written before */
	"ALTER TABLE flows ADD COLUMN community_id TEXT;",
	/* 7 -> 8 (issue 15): seq orders the records a reader has not had
	 * yet (export --after, the event stream): a final record, or a
	 * checkpoint snapshot, takes the next number when it is written, so
	 * each final record is read exactly once (store_each_flow); the
	 * flows final before get their flow_id. runs.uid (random, 64 bits)
	 * makes flow_uid = uid-flow_id unique across runs, databases and
	 * sensors; runs.sensor names the sensor (--sensor). seq_hwm keeps the
	 * last number given, committed with the rows that took it: rows are
	 * rewritten and removed (a closing snapshot, retention), so MAX(seq)
	 * could go back and numbers be given twice */
	"ALTER TABLE flows ADD COLUMN seq INTEGER;"
	"UPDATE flows SET seq = flow_id WHERE end_reason IS NOT NULL AND end_reason <> 'open';"
	"CREATE INDEX flows_seq ON flows(seq);"
	"ALTER TABLE runs ADD COLUMN uid TEXT;"
	"ALTER TABLE runs ADD COLUMN sensor TEXT;"
	"UPDATE runs SET uid = lower(hex(randomblob(8))) WHERE uid IS NULL;"
	"CREATE TABLE seq_hwm (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);"
	"INSERT INTO seq_hwm SELECT 1, COALESCE(MAX(seq), 0) FROM flows;",
	/* 8 -> 9 (issue 19): a TLS 1.3 handshake opened with a key log
	 * (capture --keylog, dissectors/tls.c): its certificates, client
	 * certificate, CertificateRequest and stapled OCSP are observed facts;
	 * 0 for every row before */
	"ALTER TABLE tls ADD COLUMN handshake_decrypted INTEGER NOT NULL DEFAULT 0;",
};

#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))
#define WA_STR2(x) #x
#define WA_STR(x) WA_STR2(x)
#define STORE_CACHE_KIB 16384
#define STORE_CERT_SEEN 8192
#define STORE_INTERN_SLOTS 4096

/* A profile or chain id remembered by digest (store_intern). */
struct intern_slot {
	uint8_t digest[TF_DIGEST_LEN];
	int64_t id;      /* 0: empty */
};
enum { IN_CPROF, IN_SPROF, IN_CHAIN };
_Static_assert(N_MIGRATIONS == STORE_SCHEMA_VERSION,
	       "a new migration must bump STORE_SCHEMA_VERSION (store.h) and docs/SCHEMA.md");

enum {
	ST_FLOW, ST_TLS, ST_CLEAR, ST_CERT, ST_ANOM,
	ST_DEL_TLS, ST_DEL_CLEAR, ST_DEL_CLEAR_DET, ST_DEL_QUIC, ST_DEL_TDS, ST_DEL_ANOM, ST_COUNTERS,
	ST_CPROF_GET, ST_CPROF_PUT, ST_SPROF_GET, ST_SPROF_PUT, ST_CHAIN_GET, ST_CHAIN_PUT,
	ST_CHAIN_CERT, ST_QUIC, ST_TDS, ST_CLEAR_DET, ST_CERT_SANS, ST_RISK_NAME, ST_STATS, ST_SEQ_MAX,
	ST_SEQ_PUT, ST_N
};

static const char *const stmt_sql[ST_N] = {
	/* seq (28): a write that takes no number keeps the row's (the
	 * snapshot written when a connection closes replaces a checkpoint's) */
	"INSERT OR REPLACE INTO flows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
	"COALESCE(?28, (SELECT seq FROM flows WHERE flow_id = ?1)))",
	"INSERT OR REPLACE INTO tls VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
	"?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"INSERT OR REPLACE INTO cleartext VALUES (?,?,?,?,?,?,?)",
	"INSERT OR IGNORE INTO certs (sha256, der, first_seen, parsed, sha1, version, serial,"
	" subject, subject_cn, issuer, not_before, not_after, key_type, key_bits, curve, sig_alg,"
	" sig_alg_oid, sig_hash, self_signed, is_ca, path_len, sans_truncated)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"INSERT INTO anomalies VALUES (?,?,?,?,?)",
	/* a flow written again (checkpoint snapshot, then final): its
	 * observation rows are replaced, never duplicated */
	"DELETE FROM tls WHERE flow_id = ?",
	"DELETE FROM cleartext WHERE flow_id = ?",
	"DELETE FROM cleartext_details WHERE flow_id = ?",
	"DELETE FROM quic WHERE flow_id = ?",
	"DELETE FROM tds_tls WHERE flow_id = ?",
	"DELETE FROM anomalies WHERE flow_id = ?",
	"UPDATE flows SET ts_last = ?2, packets_c2s = ?3, packets_s2c = ?4, bytes_c2s = ?5,"
	" bytes_s2c = ?6, payload_c2s = ?7, payload_s2c = ?8,"
	" end_reason = COALESCE(?9, end_reason), seq = COALESCE(?10, seq) WHERE flow_id = ?1",
	/* profiles and chains, interned (store_intern) */
	"SELECT profile_id FROM tls_client_profiles WHERE digest = ?",
	"INSERT INTO tls_client_profiles VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"SELECT profile_id FROM tls_server_profiles WHERE digest = ?",
	"INSERT INTO tls_server_profiles VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"SELECT chain_id FROM chains WHERE digest = ?",
	"INSERT INTO chains VALUES (NULL,?,?,?)",
	"INSERT INTO chain_certs VALUES (?,?,?)",
	"INSERT OR REPLACE INTO quic VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"INSERT OR REPLACE INTO tds_tls VALUES (?,?,?)",
	"INSERT INTO cleartext_details VALUES (?,?,?,?,?,?,?)",
	"INSERT OR IGNORE INTO cert_sans VALUES (?,?,?)",
	"INSERT OR REPLACE INTO ndpi_risk_names VALUES (?,?)",
	"INSERT INTO stats VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"SELECT seq FROM seq_hwm",
	"UPDATE seq_hwm SET seq = ?1 WHERE seq < ?1",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_N];
	bool readonly;
	bool in_tx;
	unsigned batch_rows;
	int64_t batch_start;
	int failed;          /* SQLite code of the first failed write, 0: none */
	unsigned cert_seen_n;
	char cert_seen[STORE_CERT_SEEN][64]; /* store_cert_known() */
	struct intern_slot intern[3][STORE_INTERN_SLOTS]; /* store_intern() */
	uint64_t risk_named;  /* nDPI risk bits whose name this session wrote */
	char *path;
	int64_t ts_max;       /* latest ts_last of a flow written (retention's "now") */
	int64_t ts_min_batch; /* earliest ts_first of an ended flow since the last commit */
	struct retention *ret; /* store_set_retention: told the newest flow time at each commit */
	bool soft_busy;       /* store_set_soft_busy: a busy database is not a failure */
	uint16_t cid_seed;    /* store_set_community_seed: the Community ID seed */
	int64_t seq;          /* the last flows.seq given (store_seq_due) */
	int64_t seq_saved;    /* seq_hwm as this batch found it */
	bool unlink_on_close; /* store_set_temporary: a private copy (pg.c's mirror) */
};

/* The first write failure is reported once, with the database's name, and
 * sticks: every later write is refused (store_failed), so that a full disk
 * or a lock held by another writer stops the capture with one clear message
 * instead of one line per flow. */
static void store_fail(struct store *s, int rc, const char *what)
{
	if (s->failed)
		return;
	s->failed = rc ? rc : SQLITE_ERROR;
	fprintf(stderr, "wireaudit: %s: %s failed: %s%s\n", s->path ? s->path : "database", what,
		sqlite3_errmsg(s->db),
		(rc & 0xff) == SQLITE_BUSY ? " (another process holds the write lock; "
		"waited " STORE_BUSY_TIMEOUT_STR " ms)" : "");
}

const char *store_failed(const struct store *s)
{
	return s->failed ? sqlite3_errstr(s->failed) : NULL;
}

static int exec(struct store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (err)
			snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int user_version(struct store *s)
{
	sqlite3_stmt *q;
	int v = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* Whether a schema 1 or 2 store holds TLS objects (the tls table). */
static bool store_has_tls_rows(struct store *s)
{
	sqlite3_stmt *q;
	bool any = false;
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM tls LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		return false;
	any = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return any;
}

/* Schema 7: the flows written before get their Community ID (seed 0),
 * in the migration's transaction, so an old store exports as a fresh
 * capture of the same traffic does. */
static int fill_community_ids(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *q = NULL, *u = NULL;
	int rc;
	if (sqlite3_prepare_v2(s->db, "SELECT flow_id, transport, client_ip, client_port, server_ip, server_port"
			       " FROM flows WHERE community_id IS NULL", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE flows SET community_id = ?2 WHERE flow_id = ?1", -1, &u, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "migration to schema 7: %s", sqlite3_errmsg(s->db));
		sqlite3_finalize(q);
		return -1;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, 1);
		const char *c = (const char *)sqlite3_column_text(q, 2), *v = (const char *)sqlite3_column_text(q, 4);
		int proto = community_id_proto(t);
		char cid[COMMUNITY_ID_LEN];
		if (proto < 0 || !c || !v || community_id_v1(0, proto, c, (uint16_t)sqlite3_column_int(q, 3), v,
							      (uint16_t)sqlite3_column_int(q, 5), cid) != 0)
			continue;
		sqlite3_bind_int64(u, 1, sqlite3_column_int64(q, 0));
		sqlite3_bind_text(u, 2, cid, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(u) != SQLITE_DONE) {
			rc = SQLITE_ERROR;
			break;
		}
		sqlite3_reset(u);
	}
	if (rc != SQLITE_DONE)
		snprintf(err, errlen, "migration to schema 7: %s", sqlite3_errmsg(s->db));
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int migrate(struct store *s, char *err, size_t errlen)
{
	int v = user_version(s);
	char sql[64];

	if (v < 0) {
		snprintf(err, errlen, "cannot read the schema version: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	if (v > (int)N_MIGRATIONS) {
		snprintf(err, errlen,
			 "database schema version %d is newer than this wireaudit understands (%d); "
			 "use a newer wireaudit", v, (int)N_MIGRATIONS);
		return -1;
	}
	if (v == (int)N_MIGRATIONS)
		return 0;
	if (v >= 1 && v < 3 && store_has_tls_rows(s)) {
		/* schema 3 keeps typed TLS facts; the JSON objects of schemas 1
		 * and 2 name values that cannot be turned back into the wire
		 * numbers the new tables keep (docs/SCHEMA.md) */
		snprintf(err, errlen, "this database was written by an older wireaudit (schema %d) and holds "
			 "TLS handshakes in a form this version no longer reads: export it with the wireaudit "
			 "that wrote it, or capture again into a new database", v);
		return -1;
	}
	if (s->readonly) {
		snprintf(err, errlen, "database schema version %d is older than %d: open it once "
			 "with `wireaudit capture` to migrate it", v, (int)N_MIGRATIONS);
		return -1;
	}
	if (exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	for (; v < (int)N_MIGRATIONS; v++) {
		if (exec(s, migrations[v], err, errlen) != 0) {
			exec(s, "ROLLBACK", NULL, 0);
			return -1;
		}
		if (v == 6 && fill_community_ids(s, err, errlen) != 0) {
			exec(s, "ROLLBACK", NULL, 0);
			return -1;
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", (int)N_MIGRATIONS);
	if (exec(s, sql, err, errlen) != 0 || exec(s, "COMMIT", err, errlen) != 0) {
		exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	return 0;
}

/* A WAL database in a place that cannot be written (a read-only mount, an
 * evidence copy) cannot be opened read-only the normal way: SQLite must
 * create its -shm file. Reopened as immutable (no locks, no WAL): safe only
 * because nobody can write there either; a -wal file left next to it (a
 * killed writer) would be ignored, hence the note. Returns 0 or -1. */
static int store_reopen_immutable(struct store *s, const char *path)
{
	char uri[8192], wal[4096];
	size_t o = 0;
	const unsigned char *p;

	o = (size_t)snprintf(uri, sizeof(uri), "file:");
	for (p = (const unsigned char *)path; *p && o + 4 < sizeof(uri); p++) {
		if (*p == '?' || *p == '#' || *p == '%' || *p < 0x20 || *p >= 0x7f)
			o += (size_t)snprintf(uri + o, sizeof(uri) - o, "%%%02X", *p);
		else
			uri[o++] = (char)*p;
	}
	if (*p || (size_t)snprintf(uri + o, sizeof(uri) - o, "?immutable=1") >= sizeof(uri) - o)
		return -1;
	sqlite3_close(s->db);
	s->db = NULL;
	if (sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
		return -1;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (access(wal, F_OK) == 0)
		fprintf(stderr, "wireaudit: note: %s is in a read-only place; read without its "
			"write-ahead log %s (transactions not yet checkpointed are not seen)\n", path, wal);
	return 0;
}

int store_open(struct store **out, const char *path, bool readonly, char *err, size_t errlen)
{
	struct store *s;
	int flags, i;

	*out = NULL;
	if (pg_is_conninfo(path)) {
		/* a fleet database: the read commands read a private copy
		 * (pg.c); the capture writes its spool, never this */
		if (!readonly) {
			snprintf(err, errlen, "a PostgreSQL database is written through a spool (capture --spool)");
			return -1;
		}
		return pg_mirror_open(out, path, NULL, err, errlen);
	}
	if (!readonly) {
		/* Create the file 0600 ourselves: SQLite would use 0644 & umask,
		 * and its -wal/-shm files copy the main file's mode. */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
			return -1;
		}
		close(fd);
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->ts_min_batch = INT64_MAX;
	s->readonly = readonly;
	/* one thread uses a handle at a time: SQLite's per-connection
	 * mutex is pure cost (about 2% of a report) */
	flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close(s->db);
		free(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	s->path = strdup(path);
	if (!readonly) {
		/* a new database reclaims the pages retention frees
		 * (store_reclaim); one made before keeps reusing them from
		 * SQLite's free list, which bounds its size but does not
		 * shrink the file (docs/APPLIANCE.md). Before the journal mode:
		 * switching to WAL writes the header, after which the setting
		 * no longer changes. */
		if (exec(s, "PRAGMA auto_vacuum = INCREMENTAL", err, errlen) != 0 ||
		    exec(s, "PRAGMA journal_mode=WAL", err, errlen) != 0 ||
		    exec(s, "PRAGMA synchronous=NORMAL", err, errlen) != 0 ||
		    /* a batch of 5,000 flows must fit in the page cache, or
		     * SQLite spills and re-reads pages mid-transaction
		     * (docs/PERFORMANCE.md) */
		    exec(s, "PRAGMA cache_size=-" WA_STR(STORE_CACHE_KIB), err, errlen) != 0)
			goto fail;
	}
	/* A file that is not a database fails here with a clear message. */
	if (exec(s, "SELECT count(*) FROM sqlite_master", err, errlen) != 0 &&
	    (!readonly || sqlite3_errcode(s->db) != SQLITE_CANTOPEN ||
	     store_reopen_immutable(s, path) != 0 ||
	     exec(s, "SELECT count(*) FROM sqlite_master", err, errlen) != 0))
		goto fail;
	if (migrate(s, err, errlen) != 0)
		goto fail;
	if (!readonly) {
		for (i = 0; i < ST_N; i++)
			if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					       &s->st[i], NULL) != SQLITE_OK) {
				snprintf(err, errlen, "prepare: %s", sqlite3_errmsg(s->db));
				goto fail;
			}
	}
	*out = s;
	return 0;
fail:
	if (strstr(err, path) == NULL && strlen(path) < errlen / 2) {
		/* "file is not a database": which file */
		size_t n = strlen(err), pl = strlen(path);
		if (n + pl + 3 >= errlen)
			n = errlen - pl - 3;
		memmove(err + pl + 2, err, n);
		memcpy(err, path, pl);
		err[pl] = ':';
		err[pl + 1] = ' ';
		err[pl + 2 + n] = '\0';
	}
	for (i = 0; i < ST_N; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
	return -1;
}

int store_commit(struct store *s)
{
	int rc;
	if (!s->in_tx)
		return s->failed ? -1 : 0;
	s->in_tx = false;
	s->batch_rows = 0;
	if (s->failed) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (s->seq > s->seq_saved && s->st[ST_SEQ_PUT]) {
		/* the numbers this batch gave, kept with its rows */
		sqlite3_bind_int64(s->st[ST_SEQ_PUT], 1, s->seq);
		if (sqlite3_step(s->st[ST_SEQ_PUT]) != SQLITE_DONE) {
			sqlite3_reset(s->st[ST_SEQ_PUT]);
			store_fail(s, sqlite3_extended_errcode(s->db), "seq_hwm");
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		sqlite3_reset(s->st[ST_SEQ_PUT]);
		s->seq_saved = s->seq;
	}
	if ((rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
		store_fail(s, sqlite3_extended_errcode(s->db), "commit");
		/* an error may leave the transaction open (SQLITE_BUSY does) */
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (s->ret)
	{
		/* its thread does the work; the oldest flow of the batch tells it
		 * where to look (a flow that ended now may have begun in a day
		 * it has rolled up, or an old capture is being read) */
		retention_note(s->ret, s->ts_max, s->ts_min_batch);
		s->ts_min_batch = INT64_MAX;
	}
	return s->failed ? -1 : 0;
}

static int begin(struct store *s)
{
	if (s->failed)
		return -1;
	if (s->in_tx)
		return 0;
	/* IMMEDIATE: the write lock now (waiting up to the busy timeout),
	 * not at the first write: another connection (the retention thread's)
	 * may commit between a batch's first read and its first write, and a
	 * deferred transaction could then not write at all (SQLITE_BUSY_SNAPSHOT) */
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		if (s->soft_busy && (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_BUSY)
			return STORE_BUSY;
		store_fail(s, sqlite3_extended_errcode(s->db), "begin");
		return -1;
	}
	s->in_tx = true;
	s->batch_rows = 0;
	s->batch_start = now_us();
	/* seq: the last number given (seq_hwm), read under the write lock,
	 * so numbers commit in order whoever wrote last (one row per batch) */
	if (s->st[ST_SEQ_MAX] && sqlite3_step(s->st[ST_SEQ_MAX]) == SQLITE_ROW) {
		int64_t m = sqlite3_column_int64(s->st[ST_SEQ_MAX], 0);
		if (m > s->seq)
			s->seq = m;
		s->seq_saved = m;
	}
	if (s->st[ST_SEQ_MAX])
		sqlite3_reset(s->st[ST_SEQ_MAX]);
	return 0;
}

void store_maybe_commit(struct store *s)
{
	if (s->in_tx && (s->batch_rows >= STORE_BATCH_ROWS ||
			 now_us() - s->batch_start >= STORE_BATCH_USEC))
		store_commit(s);
}

void store_close(struct store *s)
{
	int i;
	if (s == NULL)
		return;
	store_commit(s);
	for (i = 0; i < ST_N; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	if (s->unlink_on_close && s->path) {
		char side[4200];
		unlink(s->path);
		snprintf(side, sizeof(side), "%s-wal", s->path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", s->path);
		unlink(side);
	}
	free(s->path);
	free(s);
}

void store_set_temporary(struct store *s)
{
	s->unlink_on_close = true;
}

int store_run_begin(struct store *s, const struct run_info *ri, int64_t *run_id)
{
	sqlite3_stmt *q;
	char now[TSSTR_MAX];
	int rc;

	ts_to_rfc3339(now_us(), now, sizeof(now));
	if (store_commit(s) != 0)
		return -1;
	rc = sqlite3_prepare_v2(s->db,
		"INSERT INTO runs (started_at, mode, source, filter, snaplen, wireaudit_version,"
		" ndpi_version, pcap_version, status, uid, sensor)"
		" VALUES (?,?,?,?,?,?,?,?, 'running', lower(hex(randomblob(8))), ?9)", -1, &q, NULL);
	if (rc != SQLITE_OK)
		goto err;
	sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, ri->mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, ri->source, -1, SQLITE_STATIC);
	if (ri->filter)
		sqlite3_bind_text(q, 4, ri->filter, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, ri->snaplen);
	sqlite3_bind_text(q, 6, PACKAGE_VERSION, -1, SQLITE_STATIC);
	extern const char *wa_ndpi_version(void);
	extern const char *pcap_lib_version(void);
	sqlite3_bind_text(q, 7, wa_ndpi_version(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 8, pcap_lib_version(), -1, SQLITE_TRANSIENT);
	if (ri->sensor)
		sqlite3_bind_text(q, 9, ri->sensor, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		goto err;
	*run_id = sqlite3_last_insert_rowid(s->db);
	return 0;
err:
	fprintf(stderr, "wireaudit: cannot record the run: %s\n", sqlite3_errmsg(s->db));
	return -1;
}

int store_run_end(struct store *s, int64_t run_id, const struct run_end *re)
{
	sqlite3_stmt *q;
	char now[TSSTR_MAX];
	int rc;

	ts_to_rfc3339(now_us(), now, sizeof(now));
	if (begin(s) != 0)
		return -1;
	rc = sqlite3_prepare_v2(s->db,
		"UPDATE runs SET ended_at=?, ts_first=?, ts_last=?, packets=?, bytes=?, flows=?,"
		" drops=?, if_drops=?, stats=?, status=? WHERE run_id=?", -1, &q, NULL);
	if (rc != SQLITE_OK)
		goto err;
	sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
	if (re->ts_first)
		sqlite3_bind_int64(q, 2, re->ts_first);
	if (re->ts_last)
		sqlite3_bind_int64(q, 3, re->ts_last);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)re->packets);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)re->bytes);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)re->flows);
	if (re->drops >= 0)
		sqlite3_bind_int64(q, 7, re->drops);
	if (re->if_drops >= 0)
		sqlite3_bind_int64(q, 8, re->if_drops);
	sqlite3_bind_text(q, 9, re->stats_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 10, re->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 11, run_id);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		goto err;
	return store_commit(s);
err:
	fprintf(stderr, "wireaudit: cannot update the run: %s\n", sqlite3_errmsg(s->db));
	return -1;
}

int store_run_discard(struct store *s, int64_t run_id)
{
	char id[24];
	const char *pp[1] = { id };
	int64_t n = 0;

	snprintf(id, sizeof(id), "%lld", (long long)run_id);
	if (store_commit(s) != 0)
		return -1;
	/* only a run that holds nothing: its flows would lose their run */
	if (store_scalar(s, "SELECT count(*) FROM flows WHERE run_id = ?", pp, 1, &n) != 0 || n != 0 ||
	    store_exec(s, "DELETE FROM stats WHERE run_id = ?", pp, 1, true) != 0 ||
	    store_exec(s, "DELETE FROM runs WHERE run_id = ?", pp, 1, true) != 0)
		return -1;
	return store_commit(s);
}

int store_run_progress(struct store *s, int64_t run_id, const struct run_end *re)
{
	sqlite3_stmt *q;
	int rc;

	if (begin(s) != 0)
		return -1;
	rc = sqlite3_prepare_v2(s->db,
		"UPDATE runs SET ts_first=?, ts_last=?, packets=?, bytes=?, flows=?, drops=?, if_drops=?"
		" WHERE run_id=?",
		-1, &q, NULL);
	if (rc != SQLITE_OK) {
		store_fail(s, rc, "run update");
		return -1;
	}
	if (re->ts_first)
		sqlite3_bind_int64(q, 1, re->ts_first);
	if (re->ts_last)
		sqlite3_bind_int64(q, 2, re->ts_last);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)re->packets);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)re->bytes);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)re->flows);
	/* the kernel's and the interface's drops so far (live; NULL offline):
	 * current while the capture runs, not only at its end (issue 14) */
	if (re->drops >= 0)
		sqlite3_bind_int64(q, 6, re->drops);
	if (re->if_drops >= 0)
		sqlite3_bind_int64(q, 7, re->if_drops);
	sqlite3_bind_int64(q, 8, run_id);
	rc = sqlite3_step(q);
	if (rc != SQLITE_DONE)
		store_fail(s, sqlite3_extended_errcode(s->db), "run update");
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

uint64_t store_next_flow_id(struct store *s)
{
	sqlite3_stmt *q;
	uint64_t id = 1;
	if (sqlite3_prepare_v2(s->db, "SELECT max(flow_id) FROM flows", -1, &q, NULL) != SQLITE_OK)
		return 1;
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		id = (uint64_t)sqlite3_column_int64(q, 0) + 1;
	sqlite3_finalize(q);
	return id;
}

static void bind_text_or_null(sqlite3_stmt *q, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
}

static int step_reset(struct store *s, sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);
	if (rc != SQLITE_DONE)
		store_fail(s, sqlite3_extended_errcode(s->db), "write");
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Certificates this process has already inserted (INSERT OR IGNORE would
 * ignore them, after binding and a B-tree lookup on a 64-character key
 * per certificate per connection). Open addressing over the hex SHA-256,
 * cleared when three quarters full: a miss only costs the INSERT. A
 * certificate is remembered once written in a transaction; a failed
 * transaction stops all writing (store_fail), so none is remembered
 * wrongly. */
static bool store_cert_known(struct store *s, const char *sha256)
{
	size_t i, k;
	uint64_t h = 0;

	if (strlen(sha256) != 64)
		return false;
	for (k = 0; k < 16; k++) {
		char ch = sha256[k];
		h = h << 4 | (uint64_t)(ch >= 'a' ? ch - 'a' + 10 : ch >= 'A' ? ch - 'A' + 10 : ch - '0');
	}
	i = (size_t)(h % STORE_CERT_SEEN);
	for (k = 0; k < STORE_CERT_SEEN; k++, i = (i + 1) % STORE_CERT_SEEN) {
		if (s->cert_seen[i][0] == 0)
			break;
		if (memcmp(s->cert_seen[i], sha256, 64) == 0)
			return true;
	}
	if (s->cert_seen_n >= STORE_CERT_SEEN / 4 * 3) {
		memset(s->cert_seen, 0, sizeof(s->cert_seen));
		s->cert_seen_n = 0;
		i = (size_t)(h % STORE_CERT_SEEN);
	}
	memcpy(s->cert_seen[i], sha256, 64);
	s->cert_seen_n++;
	return false;
}

/* ---- interned profiles and chains ----
 * A ClientHello profile, a server profile or a certificate chain is stored
 * once, keyed by its digest; flows reference its id. Ids are remembered in
 * a direct-mapped cache (a miss costs one indexed SELECT, never a wrong id:
 * the digest is compared whole). A failed transaction stops all writing
 * (store_fail), so no id of a rolled-back row is used afterwards. */
static struct intern_slot *intern_slot(struct store *s, int kind, const uint8_t *d)
{
	size_t i = ((size_t)d[0] << 8 | d[1]) % STORE_INTERN_SLOTS;
	return &s->intern[kind][i];
}

/* Looks the digest up; returns its id, 0 if not stored yet, -1 on error. */
static int64_t intern_lookup(struct store *s, int kind, int st, const uint8_t *d)
{
	struct intern_slot *sl = intern_slot(s, kind, d);
	sqlite3_stmt *q = s->st[st];
	int64_t id = 0;
	int rc;

	if (sl->id && memcmp(sl->digest, d, TF_DIGEST_LEN) == 0)
		return sl->id;
	sqlite3_bind_blob(q, 1, d, TF_DIGEST_LEN, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	else if (rc != SQLITE_DONE) {
		store_fail(s, sqlite3_extended_errcode(s->db), "profile lookup");
		id = -1;
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (id > 0) {
		memcpy(sl->digest, d, TF_DIGEST_LEN);
		sl->id = id;
	}
	return id;
}

static int64_t intern_inserted(struct store *s, int kind, const uint8_t *d, int rc)
{
	struct intern_slot *sl = intern_slot(s, kind, d);
	if (rc != 0)
		return -1;
	memcpy(sl->digest, d, TF_DIGEST_LEN);
	sl->id = sqlite3_last_insert_rowid(s->db);
	return sl->id;
}

static void bind_list(sqlite3_stmt *q, int i, char *text)
{
	/* text is malloc'd (NULL: allocation failed or no list): SQLite frees it */
	if (text)
		sqlite3_bind_text(q, i, text, -1, free);
	else
		sqlite3_bind_null(q, i);
}


static int64_t store_cprof(struct store *s, const struct tls_cprof *p, int64_t ts)
{
	uint8_t d[TF_DIGEST_LEN];
	sqlite3_stmt *q = s->st[ST_CPROF_PUT];
	struct tls_cprof_fp fp;
	int64_t id;
	int rc;

	if (tls_cprof_digest(p, d) != 0) {
		store_fail(s, SQLITE_NOMEM, "profile digest");
		return -1;
	}
	if ((id = intern_lookup(s, IN_CPROF, ST_CPROF_GET, d)) != 0)
		return id;
	tls_cprof_fingerprints(p, &fp);
	sqlite3_bind_blob(q, 1, d, TF_DIGEST_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, p->sslv2 ? "sslv2" : "tls", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, p->transport == 'q' ? "q" : "t", -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, p->lists_capped);
	sqlite3_bind_int(q, 5, p->legacy_version);
	bind_list(q, 6, p->has_versions ? tf_u16_join(p->versions, p->n_versions) : NULL);
	bind_list(q, 7, tf_u16_join(p->ciphers, p->n_ciphers));
	bind_list(q, 8, p->sslv2 ? tf_u32_join(p->sslv2_specs, p->n_sslv2_specs) : NULL);
	bind_list(q, 9, tf_u8_join(p->comp, p->n_comp));
	bind_list(q, 10, tf_u16_join(p->exts, p->n_exts));
	bind_list(q, 11, tf_u16_join(p->groups, p->n_groups));
	bind_list(q, 12, tf_u16_join(p->ks, p->n_ks));
	bind_list(q, 13, tf_u16_join(p->sigalgs, p->n_sigalgs));
	bind_list(q, 14, tf_u8_join(p->pf, p->n_pf));
	if (p->has_alpn) {
		/* RFC 7301 ProtocolNameList body: a length byte, then the name
		 * (as kept: cut at TF_ALPN_LEN bytes) */
		uint8_t b[TF_MAX_ALPN * (TF_ALPN_LEN + 1)];
		size_t n = 0;
		for (unsigned i = 0; i < p->n_alpn && i < TF_MAX_ALPN; i++) {
			size_t l = p->alpn_len[i] < TF_ALPN_LEN ? p->alpn_len[i] : TF_ALPN_LEN;
			b[n++] = (uint8_t)l;
			memcpy(b + n, p->alpn[i], l);
			n += l;
		}
		sqlite3_bind_blob(q, 15, b, (int)n, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int(q, 16, p->has_sni_ext);
	sqlite3_bind_int(q, 17, p->ech);
	if (p->ech_type >= 0)
		sqlite3_bind_int(q, 18, p->ech_type);
	sqlite3_bind_int(q, 19, p->status_request);
	sqlite3_bind_int(q, 20, p->ticket_ext);
	sqlite3_bind_int(q, 21, p->psk);
	sqlite3_bind_int(q, 22, p->early_data);
	sqlite3_bind_int(q, 23, p->reneg);
	sqlite3_bind_int(q, 24, p->fallback_scsv);
	sqlite3_bind_int(q, 25, p->ems);
	sqlite3_bind_int(q, 26, p->etm);
	bind_list(q, 27, fp.ja3);
	bind_list(q, 28, fp.ja3_string);
	bind_list(q, 29, fp.ja4);
	bind_list(q, 30, fp.ja4_r);
	sqlite3_bind_int64(q, 31, ts);
	rc = step_reset(s, q);
	return intern_inserted(s, IN_CPROF, d, rc);
}

static int64_t store_sprof(struct store *s, const struct tls_sprof *p, int64_t ts)
{
	uint8_t d[TF_DIGEST_LEN];
	sqlite3_stmt *q = s->st[ST_SPROF_PUT];
	char *ja3s, *ja3s_string;
	int64_t id;
	int rc;

	if (tls_sprof_digest(p, d) != 0) {
		store_fail(s, SQLITE_NOMEM, "profile digest");
		return -1;
	}
	if ((id = intern_lookup(s, IN_SPROF, ST_SPROF_GET, d)) != 0)
		return id;
	tls_sprof_ja3s(p, &ja3s, &ja3s_string);
	sqlite3_bind_blob(q, 1, d, TF_DIGEST_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, p->sslv2 ? "sslv2" : "tls", -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, p->version);
	sqlite3_bind_int(q, 4, p->legacy_version);
	sqlite3_bind_int64(q, 5, p->cipher);
	sqlite3_bind_int(q, 6, p->comp);
	bind_list(q, 7, tf_u16_join(p->exts, p->n_exts));
	sqlite3_bind_int(q, 8, p->ems);
	sqlite3_bind_int(q, 9, p->etm);
	sqlite3_bind_int(q, 10, p->reneg);
	sqlite3_bind_int(q, 11, p->status_request);
	bind_list(q, 12, ja3s);
	bind_list(q, 13, ja3s_string);
	sqlite3_bind_int64(q, 14, ts);
	rc = step_reset(s, q);
	return intern_inserted(s, IN_SPROF, d, rc);
}

/* The flow's chain on `side` (0 server, 1 client) from its certificate
 * records: leaf first, by idx (a later record of the same idx replaces an
 * earlier one). Returns the chain id, 0 when the side has none, -1. */
static int64_t store_chain(struct store *s, const struct flow_rec *r, int side)
{
	const char *sha[DIS_MAX_CERTS];
	int idx[DIS_MAX_CERTS];
	unsigned i, j, n = 0;
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	EVP_MD_CTX *md;
	sqlite3_stmt *q;
	int64_t id;
	int rc;

	for (i = 0; i < r->ncerts; i++) {
		const struct obs_cert_rec *c = &r->certs[i];
		if (c->side != side)
			continue;
		for (j = 0; j < n && idx[j] != c->idx; j++)
			;
		if (j == n) {
			if (n >= DIS_MAX_CERTS)
				continue;
			n++;
		}
		idx[j] = c->idx;
		sha[j] = c->sha256;
	}
	if (n == 0)
		return 0;
	for (i = 1; i < n; i++) /* insertion sort by idx: chains are short */
		for (j = i; j > 0 && idx[j - 1] > idx[j]; j--) {
			int ti = idx[j]; const char *ts = sha[j];
			idx[j] = idx[j - 1]; sha[j] = sha[j - 1];
			idx[j - 1] = ti; sha[j - 1] = ts;
		}
	md = wa_md_begin(WA_SHA256);
	rc = md != NULL;
	for (i = 0; rc && i < n; i++)
		rc = EVP_DigestUpdate(md, sha[i], 65) == 1; /* with the NUL: a separator */
	rc = rc && EVP_DigestFinal_ex(md, d, &dl) == 1 && dl >= TF_DIGEST_LEN;
	if (!rc) {
		store_fail(s, SQLITE_NOMEM, "chain digest");
		return -1;
	}
	if ((id = intern_lookup(s, IN_CHAIN, ST_CHAIN_GET, d)) != 0)
		return id;
	q = s->st[ST_CHAIN_PUT];
	sqlite3_bind_blob(q, 1, d, TF_DIGEST_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 2, (int)n);
	if (idx[0] == 0) /* the leaf: as presented, idx 0 */
		sqlite3_bind_text(q, 3, sha[0], -1, SQLITE_STATIC);
	if ((id = intern_inserted(s, IN_CHAIN, d, step_reset(s, q))) < 0)
		return -1;
	q = s->st[ST_CHAIN_CERT];
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_int(q, 2, (int)i);
		sqlite3_bind_text(q, 3, sha[i], -1, SQLITE_STATIC);
		if (step_reset(s, q) != 0)
			return -1;
	}
	return id;
}

/* The cleartext facts of a flow: one row, and one row per detail in the
 * order the dissector stated them. */
static int store_clear(struct store *s, uint64_t flow_id, const struct obs_clear *c)
{
	sqlite3_stmt *q = s->st[ST_CLEAR];
	int rc;
	uint16_t i;

	sqlite3_bind_int64(q, 1, (sqlite3_int64)flow_id);
	sqlite3_bind_int(q, 2, c->credentials);
	bind_text_or_null(q, 3, c->auth_mech);
	bind_text_or_null(q, 4, c->user);
	if (c->tls_offered >= 0)
		sqlite3_bind_int(q, 5, c->tls_offered != 0);
	if (c->tls_requested >= 0)
		sqlite3_bind_int(q, 6, c->tls_requested != 0);
	sqlite3_bind_int(q, 7, c->details_dropped);
	rc = step_reset(s, q);
	q = s->st[ST_CLEAR_DET];
	for (i = 0; rc == 0 && i < c->ndetails; i++) {
		const struct obs_detail *o = &c->details[i];
		char t[2] = { (char)o->type, 0 };
		sqlite3_bind_int64(q, 1, (sqlite3_int64)flow_id);
		sqlite3_bind_int(q, 2, i);
		sqlite3_bind_text(q, 3, o->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, t, 1, SQLITE_TRANSIENT);
		sqlite3_bind_int(q, 5, o->list);
		if (o->type == 's') {
			if (o->s)
				sqlite3_bind_text(q, 7, o->s, o->slen, SQLITE_STATIC);
		} else {
			sqlite3_bind_int64(q, 6, o->i);
		}
		rc = step_reset(s, q);
	}
	return rc;
}

static void bind_id(sqlite3_stmt *q, int i, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(q, i, id);
	else
		sqlite3_bind_null(q, i);
}

static void bind_tri(sqlite3_stmt *q, int i, int v)
{
	if (v >= 0)
		sqlite3_bind_int(q, i, v);
}

/* A bound string of a certificate's facts (bytes with their length), or NULL. */
static void bind_fs(sqlite3_stmt *q, int i, const struct x509_cert_facts *f, struct x509_str v)
{
	const char *p = x509_fs(f, v);
	if (p)
		sqlite3_bind_text(q, i, p, (int)v.len, SQLITE_STATIC);
}

/* One certificate, the first time this store sees it: its DER and its
 * typed facts (a certificate that does not parse: its bytes only), then its
 * names. */
static int store_cert(struct store *s, const struct obs_cert_rec *c, int64_t first_seen)
{
	const struct x509_cert_facts *f = c->facts;
	sqlite3_stmt *q = s->st[ST_CERT];
	int rc;

	sqlite3_bind_text(q, 1, c->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, c->der, (int)c->der_len, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, first_seen);
	sqlite3_bind_int(q, 4, f != NULL);
	if (f) {
		bind_fs(q, 5, f, f->sha1);
		sqlite3_bind_int(q, 6, f->version);
		bind_fs(q, 7, f, f->serial);
		bind_fs(q, 8, f, f->subject);
		bind_fs(q, 9, f, f->subject_cn);
		bind_fs(q, 10, f, f->issuer);
		if (f->has_not_before)
			sqlite3_bind_int64(q, 11, f->not_before);
		if (f->has_not_after)
			sqlite3_bind_int64(q, 12, f->not_after);
		bind_fs(q, 13, f, f->key_type);
		if (f->key_bits >= 0)
			sqlite3_bind_int(q, 14, f->key_bits);
		bind_fs(q, 15, f, f->curve);
		bind_fs(q, 16, f, f->sig_alg);
		bind_fs(q, 17, f, f->sig_alg_oid);
		bind_fs(q, 18, f, f->sig_hash);
		sqlite3_bind_int(q, 19, f->self_signed);
		sqlite3_bind_int(q, 20, f->is_ca);
		if (f->path_len >= 0)
			sqlite3_bind_int(q, 21, f->path_len);
	}
	sqlite3_bind_int(q, 22, f ? f->sans_truncated : 0);
	rc = step_reset(s, q);
	for (uint32_t i = 0; f && i < f->nsans; i++) {
		q = s->st[ST_CERT_SANS];
		sqlite3_bind_text(q, 1, c->sha256, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 2, (int)i);
		bind_fs(q, 3, f, f->sans[i]);
		rc |= step_reset(s, q);
	}
	return rc;
}

static int store_tls(struct store *s, const struct flow_rec *r)
{
	const struct tls_facts *t = r->tls;
	const struct tls_flowfacts *f = &t->f;
	sqlite3_stmt *q;
	int64_t cp = 0, sp = 0, sc, cc;
	int rc = 0;

	if (t->has_cprof && (cp = store_cprof(s, &t->c, r->ts_first)) < 0)
		return -1;
	if (t->has_sprof && (sp = store_sprof(s, &t->s, r->ts_first)) < 0)
		return -1;
	if ((sc = store_chain(s, r, 0)) < 0 || (cc = store_chain(s, r, 1)) < 0)
		return -1;
	q = s->st[ST_TLS];
	sqlite3_bind_int64(q, 1, (sqlite3_int64)r->flow_id);
	bind_id(q, 2, cp);
	bind_id(q, 3, sp);
	bind_id(q, 4, sc);
	bind_id(q, 5, cc);
	if (f->has_sni)
		sqlite3_bind_text(q, 6, f->sni, f->sni_len, SQLITE_STATIC);
	if (t->has_cprof) {
		sqlite3_bind_int(q, 7, f->session_id_len);
		sqlite3_bind_int(q, 8, f->resumption_offered);
	}
	sqlite3_bind_int(q, 9, f->hrr);
	if (f->hrr) {
		sqlite3_bind_int(q, 10, f->hrr_group);
		bind_list(q, 11, tf_u16_join(f->retry_ks, f->n_retry_ks));
	}
	if (f->kx_group >= 0)
		sqlite3_bind_int(q, 12, f->kx_group);
	if (f->dh_bits)
		sqlite3_bind_int64(q, 13, f->dh_bits);
	if (f->rsa_export_bits)
		sqlite3_bind_int64(q, 14, f->rsa_export_bits);
	if (f->has_alpn_selected)
		sqlite3_bind_text(q, 15, f->alpn_selected, f->alpn_selected_len, SQLITE_STATIC);
	if (f->downgrade[0])
		sqlite3_bind_text(q, 16, f->downgrade, -1, SQLITE_STATIC);
	bind_text_or_null(q, 17, f->resumption);
	sqlite3_bind_int(q, 18, f->ocsp_stapled);
	if (f->ocsp_status[0])
		sqlite3_bind_text(q, 19, f->ocsp_status, -1, SQLITE_STATIC);
	if (f->ocsp_produced_at)
		sqlite3_bind_int64(q, 20, f->ocsp_produced_at);
	sqlite3_bind_int(q, 21, f->chain_len);
	if (f->verdict.has) {
		bind_tri(q, 22, f->verdict.trusted);
		if (f->verdict.error[0])
			sqlite3_bind_text(q, 23, f->verdict.error, -1, SQLITE_STATIC);
		bind_tri(q, 24, f->verdict.hostname_match);
		sqlite3_bind_int(q, 25, f->verdict.leaf_self_signed);
		sqlite3_bind_int(q, 26, f->verdict.trusted_by_extra);
	}
	sqlite3_bind_int(q, 27, f->cert_request);
	sqlite3_bind_int(q, 28, f->client_cert_msg);
	sqlite3_bind_int(q, 29, f->client_cert_empty);
	bind_tri(q, 30, f->client_cert_inferred);
	sqlite3_bind_int(q, 31, f->client_chain_len);
	sqlite3_bind_int(q, 32, f->client_verdict.has);
	if (f->client_verdict.has) {
		bind_tri(q, 33, f->client_verdict.trusted);
		if (f->client_verdict.error[0])
			sqlite3_bind_text(q, 34, f->client_verdict.error, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(q, 35, f->established);
	sqlite3_bind_text(q, 36, f->handshake ? f->handshake : "incomplete", -1, SQLITE_STATIC);
	if (f->alert_seen) {
		sqlite3_bind_int(q, 37, f->alert_level);
		sqlite3_bind_int(q, 38, f->alert_desc);
		sqlite3_bind_int(q, 39, f->alert_from);
	}
	sqlite3_bind_int(q, 40, (f->enc_alert_client ? 1 : 0) | (f->enc_alert_server ? 2 : 0));
	bind_tri(q, 41, f->client_accepted_untrusted);
	sqlite3_bind_int(q, 42, f->client_rejected_cert);
	sqlite3_bind_int64(q, 43, f->records_c2s);
	sqlite3_bind_int64(q, 44, f->records_s2c);
	sqlite3_bind_int64(q, 45, f->app_records_c2s);
	sqlite3_bind_int64(q, 46, f->app_records_s2c);
	sqlite3_bind_int(q, 47, f->malformed);
	sqlite3_bind_int(q, 48, f->handshake_decrypted);
	rc |= step_reset(s, q);

	if (t->carrier.kind == TLS_CARRIER_QUIC) {
		const struct tls_quic_facts *k = &t->carrier.quic;
		q = s->st[ST_QUIC];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)r->flow_id);
		if (k->version)
			sqlite3_bind_int64(q, 2, k->version);
		if (k->server_version)
			sqlite3_bind_int64(q, 3, k->server_version);
		sqlite3_bind_int(q, 4, k->dcid_len);
		sqlite3_bind_int(q, 5, k->scid_len);
		sqlite3_bind_int(q, 6, k->initial_token);
		sqlite3_bind_int(q, 7, k->retry);
		sqlite3_bind_int(q, 8, k->vn);
		if (k->vn)
			bind_list(q, 9, tf_u32_join(k->vn_versions, k->n_vn < TF_MAX_VN ? k->n_vn : TF_MAX_VN));
		for (int d = 0; d < 2; d++) {
			sqlite3_bind_int64(q, 10 + d, k->initial_packets[d]);
			sqlite3_bind_int64(q, 12 + d, k->initial_decrypted[d]);
			sqlite3_bind_int64(q, 14 + d, k->handshake_packets[d]);
			sqlite3_bind_int64(q, 16 + d, k->short_packets[d]);
			sqlite3_bind_int64(q, 18 + d, k->crypto_bytes[d]);
		}
		sqlite3_bind_int64(q, 20, k->coalesced);
		if (k->closed) {
			sqlite3_bind_int(q, 21, k->close_from);
			sqlite3_bind_int64(q, 22, (sqlite3_int64)k->close_error);
			sqlite3_bind_int64(q, 23, (sqlite3_int64)k->close_frame);
		}
		rc |= step_reset(s, q);
	} else if (t->carrier.kind == TLS_CARRIER_TDS) {
		q = s->st[ST_TDS];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)r->flow_id);
		sqlite3_bind_int64(q, 2, t->carrier.tds_packets[0]);
		sqlite3_bind_int64(q, 3, t->carrier.tds_packets[1]);
		rc |= step_reset(s, q);
	}
	return rc ? -1 : 0;
}

/* Whether this write gives the row the next seq: its final record, or
 * (r->checkpoint) a snapshot taken at a checkpoint; a snapshot written
 * when a TCP connection closes does not (its final record follows within
 * closing_timeout). */
static bool store_seq_due(const struct flow_rec *r, const char *end_reason)
{
	return r->checkpoint || (end_reason && strcmp(end_reason, "open") != 0);
}

static int store_counters(struct store *s, const struct flow_rec *r, const char *end_reason)
{
	sqlite3_stmt *q = s->st[ST_COUNTERS];
	sqlite3_bind_int64(q, 1, (sqlite3_int64)r->flow_id);
	sqlite3_bind_int64(q, 2, r->ts_last);
	for (int d = 0; d < 2; d++) {
		sqlite3_bind_int64(q, 3 + d, (sqlite3_int64)r->packets[d]);
		sqlite3_bind_int64(q, 5 + d, (sqlite3_int64)r->bytes[d]);
		sqlite3_bind_int64(q, 7 + d, (sqlite3_int64)r->payload[d]);
	}
	bind_text_or_null(q, 9, end_reason);
	if (store_seq_due(r, end_reason))
		sqlite3_bind_int64(q, 10, ++s->seq);
	else
		sqlite3_bind_null(q, 10);
	return step_reset(s, q);
}

int store_stats_row(struct store *s, const struct stats_row *r)
{
	sqlite3_stmt *q = s->st[ST_STATS];
	if (begin(s) != 0)
		return -1;
	sqlite3_bind_int64(q, 1, r->run_id);
	sqlite3_bind_int64(q, 2, r->ts);
	if (r->pkt_ts)
		sqlite3_bind_int64(q, 3, r->pkt_ts);
	bind_text_or_null(q, 4, r->iface);
	sqlite3_bind_int(q, 5, r->final);
	if (r->received >= 0)
		sqlite3_bind_int64(q, 6, r->received);
	if (r->kernel_drops >= 0)
		sqlite3_bind_int64(q, 7, r->kernel_drops);
	if (r->if_drops >= 0)
		sqlite3_bind_int64(q, 8, r->if_drops);
	sqlite3_bind_int64(q, 9, (sqlite3_int64)r->packets);
	sqlite3_bind_int64(q, 10, (sqlite3_int64)r->bytes);
	sqlite3_bind_int64(q, 11, (sqlite3_int64)r->open_flows);
	sqlite3_bind_int64(q, 12, (sqlite3_int64)r->flows_ended);
	sqlite3_bind_int64(q, 13, (sqlite3_int64)r->flows_evicted);
	sqlite3_bind_int64(q, 14, (sqlite3_int64)r->anomalies);
	sqlite3_bind_int64(q, 15, (sqlite3_int64)r->queue_waits);
	sqlite3_bind_int64(q, 16, (sqlite3_int64)r->queue_wait_us);
	sqlite3_bind_int(q, 17, (int)r->workers);
	return step_reset(s, q);
}

int store_flow(struct store *s, const struct flow_rec *r)
{
	sqlite3_stmt *q = s->st[ST_FLOW];
	unsigned i;
	int rc = 0;

	if (r->ts_last > s->ts_max)
		s->ts_max = r->ts_last;
	if (r->ts_first < s->ts_min_batch && r->end_reason && strcmp(r->end_reason, "open") != 0)
		s->ts_min_batch = r->ts_first;
	if (begin(s) != 0)
		return -1;
	if (r->rewrite && r->keep_children) {
		/* the row's other columns are as the snapshot wrote them */
		rc |= store_counters(s, r, r->end_reason);
		goto anomalies;
	}
	sqlite3_bind_int64(q, 1, (sqlite3_int64)r->flow_id);
	sqlite3_bind_int64(q, 2, r->run_id);
	sqlite3_bind_int64(q, 3, r->ts_first);
	sqlite3_bind_int64(q, 4, r->ts_last);
	sqlite3_bind_text(q, 5, r->transport, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, r->client_ip, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 7, r->client_port);
	sqlite3_bind_text(q, 8, r->server_ip, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 9, r->server_port);
	sqlite3_bind_int(q, 10, r->vlan);
	sqlite3_bind_int(q, 11, r->vlan_inner);
	sqlite3_bind_int64(q, 12, (sqlite3_int64)r->packets[0]);
	sqlite3_bind_int64(q, 13, (sqlite3_int64)r->packets[1]);
	sqlite3_bind_int64(q, 14, (sqlite3_int64)r->bytes[0]);
	sqlite3_bind_int64(q, 15, (sqlite3_int64)r->bytes[1]);
	sqlite3_bind_int64(q, 16, (sqlite3_int64)r->payload[0]);
	sqlite3_bind_int64(q, 17, (sqlite3_int64)r->payload[1]);
	bind_text_or_null(q, 18, r->client_by);
	bind_text_or_null(q, 19, r->end_reason);
	bind_text_or_null(q, 20, r->ndpi_protocol);
	bind_text_or_null(q, 21, r->ndpi_category);
	/* 22: ndpi_risks, the JSON array of schemas 1 to 3, no longer written */
	bind_text_or_null(q, 23, r->protocol);
	bind_text_or_null(q, 24, r->security);
	if (r->has_ndpi_risk)
		sqlite3_bind_int64(q, 25, (sqlite3_int64)r->ndpi_risk);
	bind_text_or_null(q, 26, r->iface);
	{
		char cid[COMMUNITY_ID_LEN];
		/* ICMP: client_port/server_port are the type and the
		 * counterpart type or code (flow.h), which community_id_v1
		 * maps as the specification does */
		int proto = community_id_proto(r->transport);
		if (proto > 0 && community_id_v1(s->cid_seed, proto, r->client_ip, r->client_port,
						 r->server_ip, r->server_port, cid) == 0)
			sqlite3_bind_text(q, 27, cid, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(q, 27);
	}
	if (store_seq_due(r, r->end_reason))
		sqlite3_bind_int64(q, 28, ++s->seq);
	else
		sqlite3_bind_null(q, 28);
	rc |= step_reset(s, q);
	if (r->has_ndpi_risk && (r->ndpi_risk & ~s->risk_named) && r->ndpi_risk_names) {
		/* each bit's name once per session (the names of the nDPI that
		 * wrote last; nDPI appends new risks, it does not renumber) */
		for (int b = 1; b < 64; b++) {
			uint64_t m = (uint64_t)1 << b;
			if (!(r->ndpi_risk & m) || (s->risk_named & m) || r->ndpi_risk_names[b] == NULL)
				continue;
			sqlite3_bind_int(s->st[ST_RISK_NAME], 1, b);
			sqlite3_bind_text(s->st[ST_RISK_NAME], 2, r->ndpi_risk_names[b], -1, SQLITE_STATIC);
			if (step_reset(s, s->st[ST_RISK_NAME]) != 0) {
				rc = -1;
				break;
			}
			s->risk_named |= m;
		}
	}
	if (r->rewrite) {
		for (i = ST_DEL_TLS; i <= ST_DEL_ANOM; i++) {
			sqlite3_bind_int64(s->st[i], 1, (sqlite3_int64)r->flow_id);
			rc |= step_reset(s, s->st[i]);
		}
	}

	if (r->clear)
		rc |= store_clear(s, r->flow_id, r->clear);
	for (i = 0; i < r->ncerts; i++) {
		const struct obs_cert_rec *c = &r->certs[i];
		if (!store_cert_known(s, c->sha256))
			rc |= store_cert(s, c, r->ts_first);
	}
	/* after the certificates: chains reference them */
	if (r->tls && rc == 0)
		rc |= store_tls(s, r);
anomalies:
	if (r->rewrite && r->keep_children) {
		/* quiescing may have added one since the snapshot */
		sqlite3_bind_int64(s->st[ST_DEL_ANOM], 1, (sqlite3_int64)r->flow_id);
		rc |= step_reset(s, s->st[ST_DEL_ANOM]);
	}
	for (i = 0; i < r->nanoms; i++) {
		const struct obs_anom *a = &r->anoms[i];
		q = s->st[ST_ANOM];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)r->flow_id);
		sqlite3_bind_text(q, 2, a->dissector, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 3, a->code);
		sqlite3_bind_text(q, 4, a->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, a->detail, -1, SQLITE_STATIC);
		rc |= step_reset(s, q);
	}
	s->batch_rows++;
	store_maybe_commit(s);
	return rc ? -1 : 0;
}

int store_flow_counters(struct store *s, const struct flow_rec *r)
{
	int rc;

	if (begin(s) != 0)
		return -1;
	rc = store_counters(s, r, r->end_reason);
	s->batch_rows++;
	store_maybe_commit(s);
	return rc;
}

/* ---- read side ---- */

static const char *col_text(sqlite3_stmt *q, int i)
{
	return (const char *)sqlite3_column_text(q, i);
}

/* The TLS columns of the export query, read back in this order by
 * tls_from_row(). */
#define TLS_COLS \
	" t.flow_id, t.sni, t.session_id_len, t.resumption_offered, t.hrr, t.hrr_group," \
	" t.retry_key_shares, t.kx_group, t.dh_bits, t.rsa_export_bits, t.alpn_selected," \
	" t.downgrade_sentinel, t.resumption, t.ocsp_stapled, t.ocsp_status, t.ocsp_produced_at," \
	" t.chain_len, t.chain_trusted, t.trust_error, t.hostname_match, t.leaf_self_signed," \
	" t.trusted_by_extra_ca, t.cert_request," \
	" t.client_cert_message, t.client_cert_empty, t.client_cert_inferred, t.client_chain_len," \
	" t.client_verdict, t.client_chain_trusted, t.client_trust_error, t.established, t.handshake," \
	" t.alert_level, t.alert_code, t.alert_from, t.encrypted_alert_from," \
	" t.client_accepted_untrusted, t.client_rejected_cert, t.records_c2s, t.records_s2c," \
	" t.app_records_c2s, t.app_records_s2c, t.malformed, t.handshake_decrypted," \
	" cp.profile_id, cp.hello_format, cp.transport, cp.lists_capped, cp.legacy_version," \
	" cp.versions, cp.ciphers, cp.sslv2_specs, cp.compression, cp.extensions, cp.groups," \
	" cp.key_shares, cp.sig_algs, cp.point_formats, cp.alpn, cp.sni_ext, cp.ech, cp.ech_type," \
	" cp.status_request, cp.session_ticket, cp.psk, cp.early_data, cp.renegotiation_info," \
	" cp.fallback_scsv, cp.extended_master_secret, cp.encrypt_then_mac," \
	" cp.ja3, cp.ja3_string, cp.ja4, cp.ja4_r," \
	" sp.profile_id, sp.hello_format, sp.version, sp.legacy_version, sp.cipher, sp.compression," \
	" sp.extensions, sp.extended_master_secret, sp.encrypt_then_mac, sp.secure_renegotiation," \
	" sp.status_request_ack, sp.ja3s, sp.ja3s_string," \
	" q.flow_id, q.version, q.server_version, q.dcid_len, q.scid_len, q.initial_token, q.retry," \
	" q.version_negotiation, q.vn_versions, q.initial_packets_c2s, q.initial_packets_s2c," \
	" q.initial_decrypted_c2s, q.initial_decrypted_s2c, q.handshake_packets_c2s," \
	" q.handshake_packets_s2c, q.short_packets_c2s, q.short_packets_s2c, q.crypto_bytes_c2s," \
	" q.crypto_bytes_s2c, q.coalesced_datagrams, q.close_from, q.close_error, q.close_frame," \
	" d.flow_id, d.prelogin_tls_packets_c2s, d.prelogin_tls_packets_s2c," \
	" t.server_chain, t.client_chain"

#define TLS_JOINS \
	" LEFT JOIN tls t ON t.flow_id = f.flow_id" \
	" LEFT JOIN tls_client_profiles cp ON cp.profile_id = t.client_profile" \
	" LEFT JOIN tls_server_profiles sp ON sp.profile_id = t.server_profile" \
	" LEFT JOIN quic q ON q.flow_id = t.flow_id" \
	" LEFT JOIN tds_tls d ON d.flow_id = t.flow_id"

struct tls_row {
	sqlite3_stmt *q;
	int k;       /* next column */
	int bad;     /* a column did not hold what this wireaudit writes */
};

static bool tr_null(struct tls_row *r) { return sqlite3_column_type(r->q, r->k) == SQLITE_NULL; }
static int64_t tr_int(struct tls_row *r) { return sqlite3_column_int64(r->q, r->k++); }
static int tr_tri(struct tls_row *r)
{
	int v = tr_null(r) ? -1 : sqlite3_column_int(r->q, r->k) != 0;
	r->k++;
	return v;
}
static const char *tr_text(struct tls_row *r) { return (const char *)sqlite3_column_text(r->q, r->k++); }
static void tr_str(struct tls_row *r, char *dst, size_t cap)
{
	const char *v = tr_text(r);
	snprintf(dst, cap, "%s", v ? v : "");
}
/* Bytes of a text column (may hold any bytes: SNI, ALPN); returns length. */
static size_t tr_bytes(struct tls_row *r, char *dst, size_t cap, bool *present)
{
	const void *v = sqlite3_column_blob(r->q, r->k);
	size_t n = (size_t)sqlite3_column_bytes(r->q, r->k);
	*present = sqlite3_column_type(r->q, r->k) != SQLITE_NULL;
	r->k++;
	if (n > cap) {
		r->bad = 1;
		n = cap;
	}
	if (n)
		memcpy(dst, v, n);
	return n;
}
static void tr_u16s(struct tls_row *r, uint16_t *v, size_t max, uint16_t *n)
{
	if (tf_u16_split(tr_text(r), v, max, n) != 0)
		r->bad = 1;
}
static void tr_u8s(struct tls_row *r, uint8_t *v, size_t max, uint8_t *n)
{
	if (tf_u8_split(tr_text(r), v, max, n) != 0)
		r->bad = 1;
}
static const char *static_name(const char *v, const char *const *names)
{
	for (; v && *names; names++)
		if (strcmp(v, *names) == 0)
			return *names;
	return NULL;
}

/* The typed facts of one flow from the export query's TLS columns.
 * Returns false when the flow has no TLS row. */
static bool tls_from_row(struct tls_row *r, struct tls_facts *t, struct tls_json_fp *fp,
			 int64_t chains[2])
{
	static const char *const resumptions[] = { "psk", "ticket", "session_id", NULL };
	static const char *const handshakes[] = { "complete", "failed", "malformed", "incomplete",
		"not_observable", "server_not_tls", NULL };
	struct tls_flowfacts *f = &t->f;
	int v;

	memset(t, 0, sizeof(*t));
	memset(fp, 0, sizeof(*fp));
	if (tr_null(r)) {
		chains[0] = chains[1] = 0;
		return false;
	}
	r->k++;
	f->sni_len = (uint16_t)tr_bytes(r, f->sni, sizeof(f->sni), &f->has_sni);
	f->session_id_len = (uint8_t)tr_int(r);
	f->resumption_offered = tr_int(r) != 0;
	f->hrr = tr_int(r) != 0;
	f->hrr_group = (uint16_t)tr_int(r);
	tr_u16s(r, f->retry_ks, TF_MAX_LIST, &f->n_retry_ks);
	f->kx_group = tr_null(r) ? (r->k++, -1) : (int32_t)tr_int(r);
	f->dh_bits = (uint32_t)tr_int(r);
	f->rsa_export_bits = (uint32_t)tr_int(r);
	f->alpn_selected_len = (uint8_t)tr_bytes(r, f->alpn_selected, sizeof(f->alpn_selected),
						 &f->has_alpn_selected);
	tr_str(r, f->downgrade, sizeof(f->downgrade));
	f->resumption = static_name(tr_text(r), resumptions);
	f->ocsp_stapled = tr_int(r) != 0;
	tr_str(r, f->ocsp_status, sizeof(f->ocsp_status));
	f->ocsp_produced_at = tr_int(r);
	f->chain_len = (int)tr_int(r);
	f->verdict.trusted = (int8_t)tr_tri(r);
	tr_str(r, f->verdict.error, sizeof(f->verdict.error));
	f->verdict.hostname_match = (int8_t)tr_tri(r);
	v = tr_tri(r);
	f->verdict.has = v >= 0;
	f->verdict.leaf_self_signed = v > 0;
	f->verdict.trusted_by_extra = tr_int(r) != 0;
	f->cert_request = tr_int(r) != 0;
	f->client_cert_msg = tr_int(r) != 0;
	f->client_cert_empty = tr_int(r) != 0;
	f->client_cert_inferred = (int8_t)tr_tri(r);
	f->client_chain_len = (int)tr_int(r);
	f->client_verdict.has = tr_int(r) != 0;
	f->client_verdict.trusted = (int8_t)tr_tri(r);
	tr_str(r, f->client_verdict.error, sizeof(f->client_verdict.error));
	f->established = tr_int(r) != 0;
	if ((f->handshake = static_name(tr_text(r), handshakes)) == NULL)
		r->bad = 1;
	f->alert_seen = !tr_null(r);
	f->alert_level = (uint8_t)tr_int(r);
	f->alert_desc = (uint8_t)tr_int(r);
	f->alert_from = (uint8_t)tr_int(r);
	v = (int)tr_int(r);
	f->enc_alert_client = v & 1;
	f->enc_alert_server = (v & 2) != 0;
	f->client_accepted_untrusted = (int8_t)tr_tri(r);
	f->client_rejected_cert = tr_int(r) != 0;
	f->records_c2s = (uint32_t)tr_int(r);
	f->records_s2c = (uint32_t)tr_int(r);
	f->app_records_c2s = (uint32_t)tr_int(r);
	f->app_records_s2c = (uint32_t)tr_int(r);
	f->malformed = tr_int(r) != 0;
	f->handshake_decrypted = tr_int(r) != 0;

	/* ClientHello profile */
	t->has_cprof = !tr_null(r);
	r->k++;
	{
		struct tls_cprof *c = &t->c;
		const char *hf = tr_text(r), *tp = tr_text(r);
		c->sslv2 = hf && strcmp(hf, "sslv2") == 0;
		c->transport = tp && tp[0] == 'q' ? 'q' : 't';
		c->lists_capped = tr_int(r) != 0;
		c->legacy_version = (uint16_t)tr_int(r);
		c->has_versions = !tr_null(r);
		tr_u16s(r, c->versions, TF_MAX_VERSIONS, &c->n_versions);
		tr_u16s(r, c->ciphers, TF_MAX_CIPHERS, &c->n_ciphers);
		if (tf_u32_split(tr_text(r), c->sslv2_specs, TF_MAX_SSLV2_SPECS, &c->n_sslv2_specs) != 0)
			r->bad = 1;
		tr_u8s(r, c->comp, TF_MAX_COMP, &c->n_comp);
		tr_u16s(r, c->exts, TF_MAX_EXTS, &c->n_exts);
		tr_u16s(r, c->groups, TF_MAX_LIST, &c->n_groups);
		tr_u16s(r, c->ks, TF_MAX_LIST, &c->n_ks);
		tr_u16s(r, c->sigalgs, TF_MAX_LIST, &c->n_sigalgs);
		tr_u8s(r, c->pf, TF_MAX_PF, &c->n_pf);
		{
			const uint8_t *a = sqlite3_column_blob(r->q, r->k);
			size_t n = (size_t)sqlite3_column_bytes(r->q, r->k), o = 0;
			c->has_alpn = !tr_null(r);
			r->k++;
			while (o < n && c->n_alpn < TF_MAX_ALPN) {
				size_t l = a[o++];
				if (l > TF_ALPN_LEN || o + l > n) {
					r->bad = 1;
					break;
				}
				c->alpn_len[c->n_alpn] = (uint8_t)l;
				memcpy(c->alpn[c->n_alpn++], a + o, l);
				o += l;
			}
		}
		c->has_sni_ext = tr_int(r) != 0;
		c->ech = tr_int(r) != 0;
		c->ech_type = (int8_t)(tr_null(r) ? (r->k++, -1) : tr_int(r));
		c->status_request = tr_int(r) != 0;
		c->ticket_ext = tr_int(r) != 0;
		c->psk = tr_int(r) != 0;
		c->early_data = tr_int(r) != 0;
		c->reneg = tr_int(r) != 0;
		c->fallback_scsv = tr_int(r) != 0;
		c->ems = tr_int(r) != 0;
		c->etm = tr_int(r) != 0;
		fp->ja3 = tr_text(r);
		fp->ja3_string = tr_text(r);
		fp->ja4 = tr_text(r);
		fp->ja4_r = tr_text(r);
	}
	/* server profile */
	t->has_sprof = !tr_null(r);
	r->k++;
	{
		struct tls_sprof *sp = &t->s;
		const char *hf = tr_text(r);
		sp->sslv2 = hf && strcmp(hf, "sslv2") == 0;
		sp->version = (uint16_t)tr_int(r);
		sp->legacy_version = (uint16_t)tr_int(r);
		sp->cipher = (uint32_t)tr_int(r);
		sp->comp = (uint8_t)tr_int(r);
		tr_u16s(r, sp->exts, TF_MAX_EXTS, &sp->n_exts);
		sp->ems = tr_int(r) != 0;
		sp->etm = tr_int(r) != 0;
		sp->reneg = tr_int(r) != 0;
		sp->status_request = tr_int(r) != 0;
		fp->ja3s = tr_text(r);
		fp->ja3s_string = tr_text(r);
	}
	/* carrier */
	if (!tr_null(r)) {
		struct tls_quic_facts *k = &t->carrier.quic;
		uint16_t nvn = 0;
		r->k++;
		t->carrier.kind = TLS_CARRIER_QUIC;
		k->version = (uint32_t)tr_int(r);
		k->server_version = (uint32_t)tr_int(r);
		k->dcid_len = (uint8_t)tr_int(r);
		k->scid_len = (uint8_t)tr_int(r);
		k->initial_token = tr_int(r) != 0;
		k->retry = tr_int(r) != 0;
		k->vn = tr_int(r) != 0;
		if (tf_u32_split(tr_text(r), k->vn_versions, TF_MAX_VN, &nvn) != 0)
			r->bad = 1;
		k->n_vn = (uint8_t)nvn;
		for (int d = 0; d < 2; d++) k->initial_packets[d] = (uint32_t)tr_int(r);
		for (int d = 0; d < 2; d++) k->initial_decrypted[d] = (uint32_t)tr_int(r);
		for (int d = 0; d < 2; d++) k->handshake_packets[d] = (uint32_t)tr_int(r);
		for (int d = 0; d < 2; d++) k->short_packets[d] = (uint32_t)tr_int(r);
		for (int d = 0; d < 2; d++) k->crypto_bytes[d] = (uint32_t)tr_int(r);
		k->coalesced = (uint32_t)tr_int(r);
		k->closed = !tr_null(r);
		k->close_from = (uint8_t)tr_int(r);
		k->close_error = (uint64_t)tr_int(r);
		k->close_frame = (uint64_t)tr_int(r);
	} else {
		r->k += 23;
	}
	if (!tr_null(r)) {
		r->k++;
		t->carrier.kind = TLS_CARRIER_TDS;
		t->carrier.tds_packets[0] = (uint32_t)tr_int(r);
		t->carrier.tds_packets[1] = (uint32_t)tr_int(r);
	} else {
		r->k += 3;
	}
	chains[0] = tr_int(r); /* NULL reads 0: no chain */
	chains[1] = tr_int(r);
	return true;
}

/* A flow's cleartext details, read back for clear_json_build. */
struct clear_rows {
	struct obs_detail *d;
	size_t n, cap;
};

static void clear_rows_clear(struct clear_rows *cr)
{
	for (size_t i = 0; i < cr->n; i++) {
		free((char *)cr->d[i].key);
		free(cr->d[i].s);
	}
	cr->n = 0;
}

static void clear_rows_free(struct clear_rows *cr)
{
	clear_rows_clear(cr);
	free(cr->d);
	memset(cr, 0, sizeof(*cr));
}

static int clear_details(struct store *s, sqlite3_stmt *dq, int64_t flow_id, struct clear_rows *cr)
{
	int rc;

	clear_rows_clear(cr);
	sqlite3_bind_int64(dq, 1, flow_id);
	while ((rc = sqlite3_step(dq)) == SQLITE_ROW) {
		struct obs_detail *o;
		const char *k = col_text(dq, 0), *ty = col_text(dq, 1);
		if (cr->n == UINT16_MAX)
			continue; /* more than a context can hold: not written by us */
		if (cr->n == cr->cap) {
			size_t nc = cr->cap ? cr->cap * 2 : 16;
			struct obs_detail *nd = realloc(cr->d, nc * sizeof(*nd));
			if (nd == NULL)
				break;
			cr->d = nd;
			cr->cap = nc;
		}
		o = &cr->d[cr->n];
		memset(o, 0, sizeof(*o));
		o->key = strdup(k ? k : "");
		o->type = ty ? (uint8_t)ty[0] : 's';
		o->list = sqlite3_column_int(dq, 2) != 0;
		o->i = sqlite3_column_int64(dq, 3);
		if (sqlite3_column_type(dq, 4) != SQLITE_NULL) {
			int n = sqlite3_column_bytes(dq, 4);
			const void *p = sqlite3_column_blob(dq, 4);
			if (n > UINT16_MAX)
				n = UINT16_MAX;
			if ((o->s = malloc((size_t)n + 1)) != NULL) {
				if (n > 0)
					memcpy(o->s, p, (size_t)n);
				o->s[n] = 0;
				o->slen = (uint16_t)n;
			}
		}
		cr->n++;
		if (o->key == NULL || (sqlite3_column_type(dq, 4) != SQLITE_NULL && o->s == NULL))
			break;
	}
	sqlite3_reset(dq);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "wireaudit: export: flow %lld: cleartext details: %s\n", (long long)flow_id,
			rc == SQLITE_ROW ? "out of memory" : sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/* ---- certificate chains for the export: the certificate objects of a
 * chain built from the typed columns (cert_json.h), once per chain and
 * kept in a small direct-mapped cache (a popular server's chain is
 * referenced by most of its flows). Bounded: CHAIN_CACHE slots; a
 * colliding chain is built again, never dropped. ---- */
#define CHAIN_CACHE 1024

struct chain_slot {
	int64_t id;                 /* 0: empty */
	char *json;                 /* NULL: the chain has no certificate rows */
	bool weak_key, weak_signature;
};

struct chain_cache {
	struct chain_slot slot[CHAIN_CACHE];
	sqlite3_stmt *qc, *qs;
	struct jbuf jb;
	struct cert_str *sans;
	size_t sans_cap;
};

static struct cert_str col_cstr(sqlite3_stmt *q, int i)
{
	struct cert_str s = { NULL, 0 };
	if (sqlite3_column_type(q, i) != SQLITE_NULL) {
		s.p = (const char *)sqlite3_column_text(q, i);
		s.n = (size_t)sqlite3_column_bytes(q, i);
	}
	return s;
}

static int64_t col_int_or(sqlite3_stmt *q, int i, int64_t dflt)
{
	return sqlite3_column_type(q, i) == SQLITE_NULL ? dflt : sqlite3_column_int64(q, i);
}

static int chain_cache_open(struct store *s, struct chain_cache *cc)
{
	memset(cc, 0, sizeof(*cc));
	jb_init(&cc->jb);
	if (sqlite3_prepare_v2(s->db, "SELECT c.sha256, c.parsed, c.sha1, c.version, c.serial,"
			       " c.subject, c.subject_cn, c.issuer, c.not_before, c.not_after,"
			       " c.key_type, c.key_bits, c.curve, c.sig_alg, c.sig_alg_oid, c.sig_hash,"
			       " c.self_signed, c.is_ca, c.path_len, c.sans_truncated"
			       " FROM chain_certs cc JOIN certs c ON c.sha256 = cc.sha256"
			       " WHERE cc.chain_id = ? ORDER BY cc.idx", -1, &cc->qc, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT name FROM cert_sans WHERE sha256 = ? ORDER BY idx",
			       -1, &cc->qs, NULL) != SQLITE_OK) {
		fprintf(stderr, "wireaudit: export query: %s\n", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

static void chain_cache_close(struct chain_cache *cc)
{
	for (size_t i = 0; i < CHAIN_CACHE; i++)
		free(cc->slot[i].json);
	sqlite3_finalize(cc->qc);
	sqlite3_finalize(cc->qs);
	jb_free(&cc->jb);
	free(cc->sans);
}

/* One certificate row of qc with its names (read into cc->sans: the
 * pointers hold until the next step of qs). */
static int chain_cert(struct store *s, struct chain_cache *cc, struct cert_view *v)
{
	sqlite3_stmt *q = cc->qc;
	size_t n = 0;
	int rc;

	memset(v, 0, sizeof(*v));
	v->parsed = sqlite3_column_int(q, 1) != 0;
	if (!v->parsed)
		return 0;
	v->sha256 = col_cstr(q, 0);
	v->sha1 = col_cstr(q, 2);
	v->version = sqlite3_column_int64(q, 3);
	v->serial = col_cstr(q, 4);
	v->subject = col_cstr(q, 5);
	v->subject_cn = col_cstr(q, 6);
	v->issuer = col_cstr(q, 7);
	v->has_not_before = sqlite3_column_type(q, 8) != SQLITE_NULL;
	v->not_before = sqlite3_column_int64(q, 8);
	v->has_not_after = sqlite3_column_type(q, 9) != SQLITE_NULL;
	v->not_after = sqlite3_column_int64(q, 9);
	v->key_type = col_cstr(q, 10);
	v->key_bits = col_int_or(q, 11, -1);
	v->curve = col_cstr(q, 12);
	v->sig_alg = col_cstr(q, 13);
	v->sig_alg_oid = col_cstr(q, 14);
	v->sig_hash = col_cstr(q, 15);
	v->self_signed = sqlite3_column_int(q, 16) != 0;
	v->is_ca = sqlite3_column_int(q, 17) != 0;
	v->path_len = col_int_or(q, 18, -1);
	v->sans_truncated = sqlite3_column_int(q, 19) != 0;
	/* the names: copied, since the next certificate's step reuses qs */
	sqlite3_reset(cc->qs);
	sqlite3_bind_text(cc->qs, 1, v->sha256.p, (int)v->sha256.n, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(cc->qs)) == SQLITE_ROW) {
		struct cert_str nm = col_cstr(cc->qs, 0);
		char *dup;
		if (n == cc->sans_cap) {
			size_t cap = cc->sans_cap ? cc->sans_cap * 2 : 16;
			struct cert_str *ns = realloc(cc->sans, cap * sizeof(*ns));
			if (ns == NULL)
				return -1;
			cc->sans = ns;
			cc->sans_cap = cap;
		}
		if ((dup = malloc(nm.n + 1)) == NULL)
			return -1;
		if (nm.n)
			memcpy(dup, nm.p, nm.n);
		dup[nm.n] = 0;
		cc->sans[n].p = dup;
		cc->sans[n].n = nm.n;
		n++;
	}
	v->sans = cc->sans;
	v->nsans = n;
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "wireaudit: export: %s\n", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

static void chain_sans_free(struct chain_cache *cc, struct cert_view *v)
{
	for (size_t i = 0; i < v->nsans; i++)
		free((char *)cc->sans[i].p);
	v->nsans = 0;
}

/* The chain `id` (0: none) as the export writes it. */
static int chain_get(struct store *s, struct chain_cache *cc, int64_t id, struct tls_json_chain *out)
{
	struct chain_slot *sl;
	struct cert_view v;
	int rc, n = 0;

	memset(out, 0, sizeof(*out));
	if (id <= 0)
		return 0;
	sl = &cc->slot[(uint64_t)id % CHAIN_CACHE];
	if (sl->id != id) {
		free(sl->json);
		memset(sl, 0, sizeof(*sl));
		jb_reset(&cc->jb);
		jb_arr_open(&cc->jb);
		sqlite3_reset(cc->qc);
		sqlite3_bind_int64(cc->qc, 1, id);
		while ((rc = sqlite3_step(cc->qc)) == SQLITE_ROW) {
			if (chain_cert(s, cc, &v) != 0) {
				chain_sans_free(cc, &v);
				return -1;
			}
			cert_json_build(&cc->jb, &v);
			cert_chain_weakness(&v, &sl->weak_key, &sl->weak_signature);
			chain_sans_free(cc, &v);
			n++;
		}
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "wireaudit: export: %s\n", sqlite3_errmsg(s->db));
			return -1;
		}
		jb_arr_close(&cc->jb);
		if (n > 0 && (sl->json = strdup(jb_str(&cc->jb))) == NULL)
			return -1;
		sl->id = id;
	}
	out->json = sl->json;
	out->weak_key = sl->weak_key;
	out->weak_signature = sl->weak_signature;
	return 0;
}

/* nDPI's risk names as this store recorded them (ndpi_risk_names). */
static int risk_names_load(struct store *s, char *names[64])
{
	sqlite3_stmt *q;
	int rc;
	if (sqlite3_prepare_v2(s->db, "SELECT bit, name FROM ndpi_risk_names", -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "wireaudit: export query: %s\n", sqlite3_errmsg(s->db));
		return -1;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int b = sqlite3_column_int(q, 0);
		const char *n = (const char *)sqlite3_column_text(q, 1);
		if (b > 0 && b < 64 && n && names[b] == NULL && (names[b] = strdup(n)) == NULL)
			rc = SQLITE_NOMEM;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "wireaudit: export: %s\n", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/* The export's ndpi_risks array: the names of the set bits in nDPI's order
 * (a bit this store has no name for: its number, "ndpi_risk_N"). */
static void risks_json(struct jbuf *jb, uint64_t risk, char *const names[64])
{
	char b[24];
	jb_reset(jb);
	jb_arr_open(jb);
	for (int i = 1; i < 64; i++) {
		if (!(risk & ((uint64_t)1 << i)))
			continue;
		if (names[i]) {
			jb_string(jb, names[i]);
		} else {
			snprintf(b, sizeof(b), "ndpi_risk_%d", i);
			jb_string(jb, b);
		}
	}
	jb_arr_close(jb);
}

int64_t store_max_seq(struct store *s)
{
	int64_t v = 0;
	if (store_commit(s) != 0 || store_scalar(s, "SELECT seq FROM seq_hwm", NULL, 0, &v) != 0)
		return -1;
	return v < 0 ? 0 : v;
}

int store_each_flow(struct store *s, const struct flow_filter *flt,
		    int (*cb)(const struct flow_view *v, void *arg), void *arg)
{
	/* every flow in flow_id order, or (flt->after_seq >= 0) the records
	 * written after a point of the sequence in its order, by the index
	 * flows_seq */
#define FLOW_EACH_FROM \
		"SELECT f.flow_id, f.run_id, f.ts_first, f.ts_last, f.transport, f.client_ip," \
		" f.client_port, f.server_ip, f.server_port, f.vlan, f.vlan_inner," \
		" f.packets_c2s, f.packets_s2c, f.bytes_c2s, f.bytes_s2c, f.payload_c2s, f.payload_s2c," \
		" f.client_by, f.end_reason, f.ndpi_protocol, f.ndpi_category, f.ndpi_risks," \
		" f.protocol, f.security," \
		" ct.tls_offered," \
		" (SELECT json_group_array(json_object('dissector', a.dissector, 'code', a.code," \
		"   'name', a.name, 'detail', a.detail)) FROM anomalies a WHERE a.flow_id = f.flow_id)," \
		" ct.credentials, ct.auth_mechanism, ct.user," \
		" (SELECT group_concat(a.dissector || ':' || a.name, ';') FROM anomalies a" \
		"   WHERE a.flow_id = f.flow_id)," \
		" ct.tls_requested, ct.details_dropped," \
		TLS_COLS ", f.seq, (SELECT r.uid FROM runs r WHERE r.run_id = f.run_id)," \
		" f.community_id, f.interface, f.ndpi_risk," \
		" (SELECT ru.flows FROM rollups ru WHERE ru.flow_id = f.flow_id)" \
		" FROM flows f" \
		TLS_JOINS \
		" LEFT JOIN cleartext ct ON ct.flow_id = f.flow_id"
	static const char sql_id[] = FLOW_EACH_FROM
		" WHERE (?1 < 0 OR f.flow_id = ?1) AND (?2 < 0 OR f.ts_last >= ?2)"
		" AND (?3 < 0 OR f.ts_first < ?3)"
		" ORDER BY f.flow_id";
	static const char sql_seq[] = FLOW_EACH_FROM
		" WHERE f.seq > ?4 AND f.seq <= ?5 AND (?6 OR f.end_reason <> 'open')"
		" AND (?1 < 0 OR f.flow_id = ?1) AND (?2 < 0 OR f.ts_last >= ?2)"
		" AND (?3 < 0 OR f.ts_first < ?3)"
		" ORDER BY f.seq";
#undef FLOW_EACH_FROM

	sqlite3_stmt *q, *dq = NULL;
	struct tls_facts *t = malloc(sizeof(*t));
	struct chain_cache *chc = NULL;
	struct clear_rows cr = { 0 };
	char *risk_names[64];
	struct jbuf rjb;
	int riskcol, ifcol;
	char *user = NULL, *authm = NULL; /* this row's, freed at the next */
	char uid[48];
	struct jbuf jb, cjb;
	int rc, ret = 0;

	if (t == NULL || store_commit(s) != 0) {
		free(t);
		return -1;
	}
	const char *flow_each_sql = flt->after_seq >= 0 ? sql_seq : sql_id;
	if (sqlite3_prepare_v2(s->db, flow_each_sql, -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT key, type, list, ival, sval FROM cleartext_details"
			       " WHERE flow_id = ? ORDER BY seq", -1, &dq, NULL) != SQLITE_OK) {
		fprintf(stderr, "wireaudit: export query: %s\n", sqlite3_errmsg(s->db));
		sqlite3_finalize(q);
		free(t);
		return -1;
	}
	if ((chc = malloc(sizeof(*chc))) == NULL || chain_cache_open(s, chc) != 0) {
		if (chc)
			chain_cache_close(chc);
		free(chc);
		sqlite3_finalize(q);
		sqlite3_finalize(dq);
		free(t);
		return -1;
	}
	jb_init(&jb);
	jb_init(&cjb);
	jb_init(&rjb);
	riskcol = sqlite3_column_count(q) - 2; /* then the roll-up count */
	ifcol = riskcol - 1;
	memset(risk_names, 0, sizeof(risk_names));
	if (risk_names_load(s, risk_names) != 0) {
		ret = -1;
		goto done;
	}
	sqlite3_bind_int64(q, 1, flt->flow_id);
	sqlite3_bind_int64(q, 2, flt->since);
	sqlite3_bind_int64(q, 3, flt->until);
	if (flt->after_seq >= 0) {
		sqlite3_bind_int64(q, 4, flt->after_seq);
		sqlite3_bind_int64(q, 5, flt->upto_seq);
		sqlite3_bind_int(q, 6, flt->snapshots);
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct flow_view v;
		struct tls_row tr = { q, 32, 0 };
		struct tls_json_fp fp;
		int64_t chains[2];
		struct tls_json_chain sch, cch;
		char cipher[24], version[24], *sni = NULL;
		memset(&v, 0, sizeof(v));
		v.flow_id = sqlite3_column_int64(q, 0);
		v.run_id = sqlite3_column_int64(q, 1);
		v.ts_first = sqlite3_column_int64(q, 2);
		v.ts_last = sqlite3_column_int64(q, 3);
		v.transport = col_text(q, 4);
		v.client_ip = col_text(q, 5);
		v.client_port = sqlite3_column_int(q, 6);
		v.server_ip = col_text(q, 7);
		v.server_port = sqlite3_column_int(q, 8);
		v.vlan = sqlite3_column_int(q, 9);
		v.vlan_inner = sqlite3_column_int(q, 10);
		for (int d = 0; d < 2; d++) {
			v.packets[d] = sqlite3_column_int64(q, 11 + d);
			v.bytes[d] = sqlite3_column_int64(q, 13 + d);
			v.payload[d] = sqlite3_column_int64(q, 15 + d);
		}
		v.client_by = col_text(q, 17);
		v.end_reason = col_text(q, 18);
		v.ndpi_protocol = col_text(q, 19);
		v.ndpi_category = col_text(q, 20);
		v.ndpi_risks_json = col_text(q, 21); /* schemas 1-3: the array as written */
		if (v.ndpi_risks_json == NULL && sqlite3_column_type(q, riskcol) != SQLITE_NULL) {
			risks_json(&rjb, (uint64_t)sqlite3_column_int64(q, riskcol), risk_names);
			v.ndpi_risks_json = jb_str(&rjb);
		}
		v.rollup_flows = sqlite3_column_type(q, riskcol + 1) == SQLITE_NULL ? 0 :
				 sqlite3_column_int64(q, riskcol + 1);
		v.iface = col_text(q, ifcol);
		v.community_id = col_text(q, ifcol - 1);
		v.seq = sqlite3_column_int64(q, ifcol - 3);
		if (col_text(q, ifcol - 2)) {
			snprintf(uid, sizeof(uid), "%.20s-%lld", col_text(q, ifcol - 2),
				 (long long)(v.flow_id & STORE_FLOW_LOCAL_MASK));
			v.flow_uid = uid;
		}
		v.protocol = col_text(q, 22);
		v.security = col_text(q, 23);
		v.anomalies_json = col_text(q, 25);
		if (v.anomalies_json == NULL)
			v.anomalies_json = "[]";
		v.credentials = sqlite3_column_type(q, 26) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 26);
		v.auth_mechanism = col_text(q, 27);
		v.user = col_text(q, 28);
		v.anomaly_names = col_text(q, 29);
		free(user);
		free(authm);
		user = authm = NULL;
		if (v.credentials >= 0) { /* a cleartext row */
			struct obs_clear c = {
				.credentials = v.credentials != 0, .auth_mech = v.auth_mechanism, .user = v.user,
				.tls_offered = sqlite3_column_type(q, 24) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 24),
				.tls_requested = sqlite3_column_type(q, 30) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 30),
				.details_dropped = (uint16_t)sqlite3_column_int(q, 31),
			};
			if (clear_details(s, dq, v.flow_id, &cr) != 0) {
				ret = -1;
				break;
			}
			c.details = cr.d;
			c.ndetails = (uint16_t)cr.n;
			jb_reset(&cjb);
			clear_json_build(&cjb, &c);
			v.cleartext_json = jb_str(&cjb);
			/* flat extracts for CSV and text: as a JSON reader gets them
			 * (bytes that are not UTF-8 as U+00XX) */
			if (v.user)
				v.user = user = jb_unescaped_copy(v.user, strlen(v.user));
			if (v.auth_mechanism)
				v.auth_mechanism = authm = jb_unescaped_copy(v.auth_mechanism,
									     strlen(v.auth_mechanism));
		}
		if (tls_from_row(&tr, t, &fp, chains)) {
			if (tr.bad) {
				fprintf(stderr, "wireaudit: export: flow %lld: the tls row does not hold what "
					"wireaudit writes (a damaged or edited database)\n", (long long)v.flow_id);
				ret = -1;
				break;
			}
			jb_free(&jb);
			jb_init(&jb);
			if (chain_get(s, chc, chains[0], &sch) != 0 ||
			    chain_get(s, chc, chains[1], &cch) != 0) {
				ret = -1;
				break;
			}
			tls_json_build(&jb, t, &fp, &sch, &cch);
			v.tls_json = jb_str(&jb);
			/* flat extracts for CSV and text: as a JSON reader gets them */
			if (t->has_sprof) {
				tls_version_name(t->s.version, version, sizeof(version));
				v.tls_version = version;
				if (t->s.sslv2)
					v.tls_cipher = tls_sslv2_cipher_name(t->s.cipher);
				else {
					const struct tls_cipher_info *ci = tls_cipher_lookup((uint16_t)t->s.cipher);
					snprintf(cipher, sizeof(cipher), "0x%04x", t->s.cipher);
					v.tls_cipher = ci ? ci->name : cipher;
				}
			}
			if (t->f.has_sni && t->has_cprof)
				v.tls_sni = sni = jb_unescaped_copy(t->f.sni, t->f.sni_len);
		}
		ret = cb(&v, arg);
		free(sni);
		if (ret != 0)
			break;
	}
done:
	if (ret == 0 && rc != SQLITE_DONE) {
		fprintf(stderr, "wireaudit: export: %s\n", sqlite3_errmsg(s->db));
		ret = -1;
	}
	sqlite3_finalize(q);
	sqlite3_finalize(dq);
	jb_free(&jb);
	jb_free(&cjb);
	for (int b = 0; b < 64; b++)
		free(risk_names[b]);
	jb_free(&rjb);
	chain_cache_close(chc);
	free(chc);
	clear_rows_free(&cr);
	free(user);
	free(authm);
	free(t);
	return ret;
}

/* store_query over store_query_rows: each row's columns as text. */
struct store_text_rows {
	int (*cb)(int ncol, const char *const *vals, void *arg);
	void *arg;
};

static int store_text_row(const struct store_row *r, void *arg)
{
	const struct store_text_rows *t = arg;
	sqlite3_stmt *q = (sqlite3_stmt *)(void *)r;
	const char *vals[64];
	int i, n = sqlite3_column_count(q);

	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		vals[i] = col_text(q, i);
	return t->cb(n, vals, t->arg);
}

int store_query(struct store *s, const char *sql, const char *const *params, int nparams,
		int (*cb)(int ncol, const char *const *vals, void *arg), void *arg)
{
	struct store_text_rows t = { cb, arg };
	return store_query_rows(s, sql, params, nparams, store_text_row, &t);
}

/* A query over a JSON text (bound as ?1) on a private in-memory SQLite
 * connection: SQLite's JSON functions read a file (a baseline report)
 * whatever backend holds the flows, and never touch the store. */
int store_json_query(const char *json, const char *sql,
		     int (*cb)(int ncol, const char *const *vals, void *arg), void *arg)
{
	struct store_text_rows t = { cb, arg };
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int rc, ret = 0;

	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "wireaudit: JSON query: %s\n", db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	sqlite3_bind_text(q, 1, json, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if ((ret = store_text_row((const struct store_row *)(void *)q, &t)) != 0)
			break;
	if (ret == 0 && rc != SQLITE_DONE) {
		fprintf(stderr, "wireaudit: JSON query: %s\n", sqlite3_errmsg(db));
		ret = -1;
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
	return ret;
}

/* store_query_rows: the row handed to the callback is the statement itself. */
int store_query_rows(struct store *s, const char *sql, const char *const *params, int nparams,
		     int (*cb)(const struct store_row *r, void *arg), void *arg)
{
	sqlite3_stmt *q;
	int rc, ret = 0, i;

	if (store_commit(s) != 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "wireaudit: query: %s\n", sqlite3_errmsg(s->db));
		return -1;
	}
	for (i = 0; i < nparams; i++)
		if (params[i])
			sqlite3_bind_text(q, i + 1, params[i], -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if ((ret = cb((const struct store_row *)(void *)q, arg)) != 0)
			break;
	if (ret == 0 && rc != SQLITE_DONE) {
		fprintf(stderr, "wireaudit: query: %s\n", sqlite3_errmsg(s->db));
		ret = -1;
	}
	sqlite3_finalize(q);
	return ret;
}

int64_t store_col_int(const struct store_row *r, int i)
{
	return sqlite3_column_int64((sqlite3_stmt *)(void *)r, i);
}

int store_col_count(const struct store_row *r)
{
	return sqlite3_column_count((sqlite3_stmt *)(void *)r);
}

const char *store_col_text(const struct store_row *r, int i)
{
	return (const char *)sqlite3_column_text((sqlite3_stmt *)(void *)r, i);
}

int store_col_type(const struct store_row *r, int i)
{
	switch (sqlite3_column_type((sqlite3_stmt *)(void *)r, i)) {
	case SQLITE_INTEGER: return STORE_T_INT;
	case SQLITE_FLOAT: return STORE_T_FLOAT;
	case SQLITE_TEXT: return STORE_T_TEXT;
	case SQLITE_BLOB: return STORE_T_BLOB;
	default: return STORE_T_NULL;
	}
}

struct store_stmt {
	struct store *s;
	sqlite3_stmt *q;
};

int store_stmt_prepare(struct store *s, const char *sql, struct store_stmt **out)
{
	struct store_stmt *st;
	*out = NULL;
	if (store_commit(s) != 0)
		return -1;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	st->s = s;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st->q, NULL) != SQLITE_OK) {
		fprintf(stderr, "wireaudit: query: %s\n", sqlite3_errmsg(s->db));
		free(st);
		return -1;
	}
	*out = st;
	return 0;
}

int store_stmt_run(struct store_stmt *st, const struct store_row *params, int first, int n,
		   int (*cb)(const struct store_row *r, void *arg), void *arg)
{
	sqlite3_stmt *src = (sqlite3_stmt *)(void *)params;
	int rc, ret = 0, i;

	for (i = 0; i < n; i++)
		if (sqlite3_bind_value(st->q, i + 1, sqlite3_column_value(src, first + i)) != SQLITE_OK)
			ret = -1;
	rc = SQLITE_DONE;
	while (ret == 0 && (rc = sqlite3_step(st->q)) == SQLITE_ROW)
		if ((ret = cb((const struct store_row *)(void *)st->q, arg)) != 0)
			break;
	if (ret == 0 && rc != SQLITE_DONE) {
		fprintf(stderr, "wireaudit: query: %s\n", sqlite3_errmsg(st->s->db));
		ret = -1;
	}
	sqlite3_reset(st->q);
	sqlite3_clear_bindings(st->q);
	return ret;
}

void store_stmt_free(struct store_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_finalize(st->q);
	free(st);
}

const void *store_col_blob(const struct store_row *r, int i, size_t *len)
{
	sqlite3_stmt *q = (sqlite3_stmt *)(void *)r;
	const void *v = sqlite3_column_blob(q, i);
	*len = v ? (size_t)sqlite3_column_bytes(q, i) : 0;
	return v;
}

bool store_col_null(const struct store_row *r, int i)
{
	return sqlite3_column_type((sqlite3_stmt *)(void *)r, i) == SQLITE_NULL;
}

struct store_fn {
	int (*fn)(const char *arg, void *user, int64_t *ival, const char **sval);
	void *user;
};

static void store_fn_call(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct store_fn *f = sqlite3_user_data(ctx);
	const unsigned char *t;
	int64_t iv = 0;
	const char *sv = NULL;

	if (argc != 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL ||
	    (t = sqlite3_value_text(argv[0])) == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	switch (f->fn((const char *)t, f->user, &iv, &sv)) {
	case STORE_FN_INT:
		sqlite3_result_int64(ctx, iv);
		break;
	case STORE_FN_TEXT:
		if (sv) {
			sqlite3_result_text(ctx, sv, -1, SQLITE_TRANSIENT);
			break;
		}
		/* fall through */
	default:
		sqlite3_result_null(ctx);
	}
}

int store_add_function(struct store *s, const char *name,
		       int (*fn)(const char *arg, void *user, int64_t *ival, const char **sval),
		       void *user)
{
	struct store_fn *f = malloc(sizeof(*f));
	if (f == NULL)
		return -1;
	f->fn = fn;
	f->user = user;
	/* sqlite3 frees f (the destructor) when the connection closes or the
	 * function is replaced, also when registration fails. */
	if (sqlite3_create_function_v2(s->db, name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, f,
				       store_fn_call, NULL, NULL, free) != SQLITE_OK) {
		fprintf(stderr, "wireaudit: cannot register SQL function %s: %s\n", name,
			sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/* ---- what retention.c needs (src/store/retention.c) ---- */

int store_begin(struct store *s)
{
	return begin(s);
}

void store_set_retention(struct store *s, struct retention *r)
{
	s->ret = r;
}

int64_t store_ts_max(const struct store *s)
{
	return s->ts_max;
}

static void store_bind_params(sqlite3_stmt *q, const char *const *params, int np)
{
	for (int i = 0; i < np; i++)
		if (params[i])
			sqlite3_bind_text(q, i + 1, params[i], -1, SQLITE_STATIC);
}

void store_set_soft_busy(struct store *s)
{
	s->soft_busy = true;
}

int store_exec(struct store *s, const char *sql, const char *const *params, int np, bool in_batch)
{
	sqlite3_stmt *q;
	int rc;
	if (s->failed)
		return -1;
	if (in_batch && (rc = begin(s)) != 0)
		return rc;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
		store_fail(s, sqlite3_extended_errcode(s->db), "retention");
		return -1;
	}
	store_bind_params(q, params, np);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		;
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		if (s->soft_busy && (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_BUSY) {
			if (s->in_tx) {
				sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
				s->in_tx = false;
			}
			return STORE_BUSY;
		}
		store_fail(s, sqlite3_extended_errcode(s->db), "retention");
		return -1;
	}
	return 0;
}

int store_scalar(struct store *s, const char *sql, const char *const *params, int np, int64_t *out)
{
	sqlite3_stmt *q;
	int rc;
	*out = INT64_MIN;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "wireaudit: query: %s\n", sqlite3_errmsg(s->db));
		return -1;
	}
	store_bind_params(q, params, np);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		*out = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		fprintf(stderr, "wireaudit: query: %s\n", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/* Bytes the database's pages hold (free pages not counted: SQLite reuses
 * them before it grows the file). */
int64_t store_used_bytes(struct store *s)
{
	int64_t pc, fl, ps;
	if (store_scalar(s, "PRAGMA page_count", NULL, 0, &pc) != 0 ||
	    store_scalar(s, "PRAGMA freelist_count", NULL, 0, &fl) != 0 ||
	    store_scalar(s, "PRAGMA page_size", NULL, 0, &ps) != 0)
		return -1;
	return (pc - fl) * ps;
}

/* Give free pages back to the file system (a database made with
 * auto_vacuum = INCREMENTAL; a no-op on the others). Outside a batch. */
void store_reclaim(struct store *s)
{
	if (s->in_tx || s->failed)
		return;
	sqlite3_exec(s->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
}

void store_set_community_seed(struct store *s, uint16_t seed)
{
	s->cid_seed = seed;
}

/* ---- the schema as data (src/store/pg.c derives PostgreSQL's from it) ---- */

static char *xstrdup0(const char *t)
{
	return t ? strdup(t) : NULL;
}

static int desc_table(sqlite3 *db, struct store_schema *d, const char *name)
{
	sqlite3_stmt *q = NULL, *ix = NULL;
	struct store_table *t;
	char sql[256];
	int rc, npk = 0;

	t = realloc(d->tables, (size_t)(d->ntables + 1) * sizeof(*d->tables));
	if (t == NULL)
		return -1;
	d->tables = t;
	t = &d->tables[d->ntables++];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	/* the name comes from sqlite_schema, never from input */
	snprintf(sql, sizeof(sql), "PRAGMA table_info(\"%s\")", name);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_column *c = realloc(t->cols, (size_t)(t->ncols + 1) * sizeof(*c));
		if (c == NULL)
			break;
		t->cols = c;
		c = &t->cols[t->ncols++];
		memset(c, 0, sizeof(*c));
		c->name = xstrdup0((const char *)sqlite3_column_text(q, 1));
		c->type = xstrdup0((const char *)sqlite3_column_text(q, 2));
		c->notnull = sqlite3_column_int(q, 3) != 0;
		c->dflt = xstrdup0((const char *)sqlite3_column_text(q, 4));
		c->pk = sqlite3_column_int(q, 5);
		if (c->pk)
			npk++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return -1;
	/* INTEGER PRIMARY KEY of a rowid table: an id the database gives */
	for (int i = 0; i < t->ncols && npk == 1; i++)
		if (t->cols[i].pk && t->cols[i].type && strcasecmp(t->cols[i].type, "INTEGER") == 0) {
			snprintf(sql, sizeof(sql), "SELECT 1 FROM pragma_index_list(\"%s\") WHERE origin = 'pk'", name);
			if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
				return -1;
			t->cols[i].rowid = sqlite3_step(q) != SQLITE_ROW; /* no pk index: rowid alias */
			sqlite3_finalize(q);
		}
	/* indexes: CREATE INDEX ones (origin c) and UNIQUE constraints (u) */
	snprintf(sql, sizeof(sql), "SELECT name, \"unique\", origin FROM pragma_index_list(\"%s\")"
		 " WHERE origin IN ('c', 'u') ORDER BY name", name);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *iname = (const char *)sqlite3_column_text(q, 0);
		struct store_index *x = realloc(d->indexes, (size_t)(d->nindexes + 1) * sizeof(*x));
		char cols[1024] = "";
		size_t o = 0;
		if (x == NULL)
			break;
		d->indexes = x;
		x = &d->indexes[d->nindexes++];
		memset(x, 0, sizeof(*x));
		x->table = strdup(name);
		x->unique = sqlite3_column_int(q, 1) != 0;
		x->constraint = strcmp((const char *)sqlite3_column_text(q, 2), "u") == 0;
		snprintf(sql, sizeof(sql), "SELECT name FROM pragma_index_info(\"%s\") ORDER BY seqno", iname);
		if (sqlite3_prepare_v2(db, sql, -1, &ix, NULL) != SQLITE_OK)
			break;
		while (sqlite3_step(ix) == SQLITE_ROW && o + 80 < sizeof(cols))
			o += (size_t)snprintf(cols + o, sizeof(cols) - o, "%s%s", o ? "," : "",
					      (const char *)sqlite3_column_text(ix, 0));
		sqlite3_finalize(ix);
		x->cols = strdup(cols);
		/* a UNIQUE constraint's autoindex has a generated name: name it
		 * after its table and columns, as PostgreSQL would */
		if (x->constraint) {
			char n[1200];
			size_t k;
			snprintf(n, sizeof(n), "%s_%s_key", name, cols);
			for (k = 0; n[k]; k++)
				if (n[k] == ',')
					n[k] = '_';
			x->name = strdup(n);
		} else
			x->name = strdup(iname);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_schema_desc(int version, struct store_schema *d, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	char *msg = NULL;
	int rc, i;

	memset(d, 0, sizeof(*d));
	d->version = version;
	if (version < 1 || version > (int)N_MIGRATIONS) {
		snprintf(err, errlen, "no schema version %d (1 to %d)", version, (int)N_MIGRATIONS);
		return -1;
	}
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < version; i++)
		if (sqlite3_exec(db, migrations[i], NULL, NULL, &msg) != SQLITE_OK)
			goto fail;
	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
			       " AND name NOT LIKE 'sqlite_%' ORDER BY name", -1, &q, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if (desc_table(db, d, (const char *)sqlite3_column_text(q, 0)) != 0)
			goto fail;
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	sqlite3_close(db);
	return 0;
fail:
	snprintf(err, errlen, "schema %d: %s", version, msg ? msg : db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_free(msg);
	sqlite3_finalize(q);
	sqlite3_close(db);
	store_schema_free(d);
	return -1;
}

void store_schema_free(struct store_schema *d)
{
	for (int i = 0; i < d->ntables; i++) {
		for (int j = 0; j < d->tables[i].ncols; j++) {
			free(d->tables[i].cols[j].name);
			free(d->tables[i].cols[j].type);
			free(d->tables[i].cols[j].dflt);
		}
		free(d->tables[i].cols);
		free(d->tables[i].name);
	}
	for (int i = 0; i < d->nindexes; i++) {
		free(d->indexes[i].name);
		free(d->indexes[i].table);
		free(d->indexes[i].cols);
	}
	free(d->tables);
	free(d->indexes);
	memset(d, 0, sizeof(*d));
}

/* ---- bulk load (pg.c's mirror fills a private copy this way) ---- */

struct store_loader {
	struct store *s;
	sqlite3_stmt *q;
	int ncols;
};

int store_loader_open(struct store *s, const struct store_table *t, struct store_loader **out)
{
	char *sql;
	size_t n = 64 + strlen(t->name), o;
	struct store_loader *l;

	*out = NULL;
	for (int i = 0; i < t->ncols; i++)
		n += strlen(t->cols[i].name) + 8;
	if ((sql = malloc(n)) == NULL || (l = calloc(1, sizeof(*l))) == NULL) {
		free(sql);
		return -1;
	}
	/* table and column names from the schema description (sqlite_schema) */
	o = (size_t)snprintf(sql, n, "INSERT INTO \"%s\" (", t->name);
	for (int i = 0; i < t->ncols; i++)
		o += (size_t)snprintf(sql + o, n - o, "%s\"%s\"", i ? "," : "", t->cols[i].name);
	o += (size_t)snprintf(sql + o, n - o, ") VALUES (");
	for (int i = 0; i < t->ncols; i++)
		o += (size_t)snprintf(sql + o, n - o, "%s?", i ? "," : "");
	snprintf(sql + o, n - o, ")");
	l->s = s;
	l->ncols = t->ncols;
	if (begin(s) != 0 || sqlite3_prepare_v2(s->db, sql, -1, &l->q, NULL) != SQLITE_OK) {
		fprintf(stderr, "wireaudit: %s: %s\n", t->name, sqlite3_errmsg(s->db));
		free(sql);
		free(l);
		return -1;
	}
	free(sql);
	*out = l;
	return 0;
}

int store_loader_row(struct store_loader *l, const char *const *vals, const int *lens)
{
	int rc;
	for (int i = 0; i < l->ncols; i++) {
		if (vals[i] == NULL)
			sqlite3_bind_null(l->q, i + 1);
		else if (lens && lens[i] >= 0)
			sqlite3_bind_blob(l->q, i + 1, vals[i], lens[i], SQLITE_STATIC);
		else
			sqlite3_bind_text(l->q, i + 1, vals[i], -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(l->q);
	sqlite3_reset(l->q);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "wireaudit: load: %s\n", sqlite3_errmsg(l->s->db));
		return -1;
	}
	return 0;
}

void store_loader_close(struct store_loader *l)
{
	if (l == NULL)
		return;
	sqlite3_finalize(l->q);
	free(l);
}
