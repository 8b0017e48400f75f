/* store.c — SQLite store; see store.h and docs/SCHEMA.md. */
#include "store.h"
#include "dissect.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

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
};

#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))
#define WA_STR2(x) #x
#define WA_STR(x) WA_STR2(x)
#define STORE_CACHE_KIB 16384
#define STORE_CERT_SEEN 8192
_Static_assert(N_MIGRATIONS == STORE_SCHEMA_VERSION,
	       "a new migration must bump STORE_SCHEMA_VERSION (store.h) and docs/SCHEMA.md");

enum {
	ST_FLOW, ST_TLS, ST_CLEAR, ST_CERT, ST_FLOW_CERT, ST_ANOM,
	ST_DEL_TLS, ST_DEL_CLEAR, ST_DEL_FLOW_CERT, ST_DEL_ANOM, ST_COUNTERS, ST_N
};

static const char *const stmt_sql[ST_N] = {
	"INSERT OR REPLACE INTO flows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"INSERT OR REPLACE INTO tls (flow_id, obj) VALUES (?,?)",
	"INSERT OR REPLACE INTO cleartext (flow_id, obj) VALUES (?,?)",
	"INSERT OR IGNORE INTO certs (sha256, der, obj, first_seen) VALUES (?,?,?,?)",
	"INSERT OR REPLACE INTO flow_certs VALUES (?,?,?,?)",
	"INSERT INTO anomalies VALUES (?,?,?,?,?)",
	/* a flow written again (checkpoint snapshot, then final): its
	 * observation rows are replaced, never duplicated */
	"DELETE FROM tls WHERE flow_id = ?",
	"DELETE FROM cleartext WHERE flow_id = ?",
	"DELETE FROM flow_certs WHERE flow_id = ?",
	"DELETE FROM anomalies WHERE flow_id = ?",
	"UPDATE flows SET ts_last = ?2, packets_c2s = ?3, packets_s2c = ?4, bytes_c2s = ?5,"
	" bytes_s2c = ?6, payload_c2s = ?7, payload_s2c = ?8,"
	" end_reason = COALESCE(?9, end_reason) WHERE flow_id = ?1",
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
	char *path;
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
	s->readonly = readonly;
	flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
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
		if (exec(s, "PRAGMA journal_mode=WAL", err, errlen) != 0 ||
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
	if ((rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
		store_fail(s, sqlite3_extended_errcode(s->db), "commit");
		/* an error may leave the transaction open (SQLITE_BUSY does) */
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static int begin(struct store *s)
{
	if (s->failed)
		return -1;
	if (s->in_tx)
		return 0;
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		store_fail(s, sqlite3_extended_errcode(s->db), "begin");
		return -1;
	}
	s->in_tx = true;
	s->batch_rows = 0;
	s->batch_start = now_us();
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
	free(s->path);
	free(s);
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
		" ndpi_version, pcap_version, status) VALUES (?,?,?,?,?,?,?,?, 'running')", -1, &q, NULL);
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

int store_run_progress(struct store *s, int64_t run_id, const struct run_end *re)
{
	sqlite3_stmt *q;
	int rc;

	if (begin(s) != 0)
		return -1;
	rc = sqlite3_prepare_v2(s->db,
		"UPDATE runs SET ts_first=?, ts_last=?, packets=?, bytes=?, flows=? WHERE run_id=?",
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
	sqlite3_bind_int64(q, 6, run_id);
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
	return step_reset(s, q);
}

int store_flow(struct store *s, const struct flow_rec *r)
{
	sqlite3_stmt *q = s->st[ST_FLOW];
	unsigned i;
	int rc = 0;

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
	bind_text_or_null(q, 22, r->ndpi_risks_json);
	bind_text_or_null(q, 23, r->protocol);
	bind_text_or_null(q, 24, r->security);
	rc |= step_reset(s, q);
	if (r->rewrite) {
		for (i = ST_DEL_TLS; i <= ST_DEL_ANOM; i++) {
			sqlite3_bind_int64(s->st[i], 1, (sqlite3_int64)r->flow_id);
			rc |= step_reset(s, s->st[i]);
		}
	}

	if (r->tls_json) {
		q = s->st[ST_TLS];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)r->flow_id);
		sqlite3_bind_text(q, 2, r->tls_json, -1, SQLITE_STATIC);
		rc |= step_reset(s, q);
	}
	if (r->cleartext_json) {
		q = s->st[ST_CLEAR];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)r->flow_id);
		sqlite3_bind_text(q, 2, r->cleartext_json, -1, SQLITE_STATIC);
		rc |= step_reset(s, q);
	}
	for (i = 0; i < r->ncerts; i++) {
		const struct obs_cert_rec *c = &r->certs[i];
		if (!store_cert_known(s, c->sha256)) {
			q = s->st[ST_CERT];
			sqlite3_bind_text(q, 1, c->sha256, -1, SQLITE_STATIC);
			sqlite3_bind_blob(q, 2, c->der, (int)c->der_len, SQLITE_STATIC);
			sqlite3_bind_text(q, 3, c->json, -1, SQLITE_STATIC);
			sqlite3_bind_int64(q, 4, r->ts_first);
			rc |= step_reset(s, q);
		}
		q = s->st[ST_FLOW_CERT];
		sqlite3_bind_int64(q, 1, (sqlite3_int64)r->flow_id);
		sqlite3_bind_int(q, 2, c->side);
		sqlite3_bind_int(q, 3, c->idx);
		sqlite3_bind_text(q, 4, c->sha256, -1, SQLITE_STATIC);
		rc |= step_reset(s, q);
	}
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

int store_each_flow(struct store *s, const struct flow_filter *flt,
		    int (*cb)(const struct flow_view *v, void *arg), void *arg)
{
	/* tls.obj gets its certificate chains merged in here, so the stored TLS
	 * object stays as the dissector wrote it. */
	static const char sql[] =
		"SELECT f.flow_id, f.run_id, f.ts_first, f.ts_last, f.transport, f.client_ip,"
		" f.client_port, f.server_ip, f.server_port, f.vlan, f.vlan_inner,"
		" f.packets_c2s, f.packets_s2c, f.bytes_c2s, f.bytes_s2c, f.payload_c2s, f.payload_s2c,"
		" f.client_by, f.end_reason, f.ndpi_protocol, f.ndpi_category, f.ndpi_risks,"
		" f.protocol, f.security,"
		" CASE WHEN t.obj IS NULL THEN NULL ELSE json_set(t.obj,"
		"   '$.certs', json((SELECT json_group_array(json(o)) FROM (SELECT c.obj AS o"
		"     FROM flow_certs fc JOIN certs c ON c.sha256 = fc.sha256"
		"     WHERE fc.flow_id = f.flow_id AND fc.side = 0 ORDER BY fc.idx))),"
		"   '$.client_certs', json((SELECT json_group_array(json(o)) FROM (SELECT c.obj AS o"
		"     FROM flow_certs fc JOIN certs c ON c.sha256 = fc.sha256"
		"     WHERE fc.flow_id = f.flow_id AND fc.side = 1 ORDER BY fc.idx)))) END,"
		" ct.obj,"
		" (SELECT json_group_array(json_object('dissector', a.dissector, 'code', a.code,"
		"   'name', a.name, 'detail', a.detail)) FROM anomalies a WHERE a.flow_id = f.flow_id),"
		" json_extract(t.obj, '$.version'), json_extract(t.obj, '$.cipher'),"
		" json_extract(t.obj, '$.sni'), json_extract(ct.obj, '$.credentials'),"
		" json_extract(ct.obj, '$.auth_mechanism'), json_extract(ct.obj, '$.user'),"
		" (SELECT group_concat(a.dissector || ':' || a.name, ';') FROM anomalies a"
		"   WHERE a.flow_id = f.flow_id)"
		" FROM flows f LEFT JOIN tls t ON t.flow_id = f.flow_id"
		" LEFT JOIN cleartext ct ON ct.flow_id = f.flow_id"
		" WHERE (?1 < 0 OR f.flow_id = ?1) AND (?2 < 0 OR f.ts_last >= ?2)"
		" AND (?3 < 0 OR f.ts_first < ?3)"
		" ORDER BY f.flow_id";
	sqlite3_stmt *q;
	int rc, ret = 0;

	if (store_commit(s) != 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "wireaudit: export query: %s\n", sqlite3_errmsg(s->db));
		return -1;
	}
	sqlite3_bind_int64(q, 1, flt->flow_id);
	sqlite3_bind_int64(q, 2, flt->since);
	sqlite3_bind_int64(q, 3, flt->until);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct flow_view v;
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
		v.ndpi_risks_json = col_text(q, 21);
		v.protocol = col_text(q, 22);
		v.security = col_text(q, 23);
		v.tls_json = col_text(q, 24);
		v.cleartext_json = col_text(q, 25);
		v.anomalies_json = col_text(q, 26);
		if (v.anomalies_json == NULL)
			v.anomalies_json = "[]";
		v.tls_version = col_text(q, 27);
		v.tls_cipher = col_text(q, 28);
		v.tls_sni = col_text(q, 29);
		v.credentials = sqlite3_column_type(q, 30) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 30);
		v.auth_mechanism = col_text(q, 31);
		v.user = col_text(q, 32);
		v.anomaly_names = col_text(q, 33);
		if ((ret = cb(&v, arg)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		fprintf(stderr, "wireaudit: export: %s\n", sqlite3_errmsg(s->db));
		ret = -1;
	}
	sqlite3_finalize(q);
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

const char *store_col_text(const struct store_row *r, int i)
{
	return (const char *)sqlite3_column_text((sqlite3_stmt *)(void *)r, i);
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
