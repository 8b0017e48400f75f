/* SPDX-License-Identifier: BSD-3-Clause */
/* conf.h — the configuration file, /etc/wireaudit/wireaudit.conf
 * (docs/APPLIANCE.md "Configuration file"): one file for `capture --config`
 * and `report --config`. `key = value` lines, `#` comments; the report's
 * older directive lines (`internal CIDR env=.. owner=..`, `geoip PATH`,
 * `asn PATH`) are the same keys without the `=`. Strict: an unknown key, a
 * bad value, a key given twice or a syntax error is an error with the file
 * and line. The parser only checks and stores; what a key does is the
 * capture's (main.c) or the report's (netctx.c). */
#ifndef WA_CONF_H
#define WA_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WA_CONF_FILE_MAX (1 << 20)  /* bytes: a larger file is refused */
#define WA_CONF_IFACES_MAX 16       /* interface lines */
#define WA_CONF_NETS_MAX 256        /* internal lines (the report's cap) */

/* The keys, in the order docs/APPLIANCE.md lists them. */
enum wa_conf_key {
	WA_K_INTERFACE, WA_K_FILTER, WA_K_DATABASE, WA_K_USER, WA_K_SNAPLEN,
	WA_K_PROMISC, WA_K_WORKERS, WA_K_CHECKPOINT, WA_K_MAX_FLOWS, WA_K_STREAM_CAP,
	WA_K_NDPI, WA_K_CA_FILE, WA_K_SYSTEM_CA, WA_K_RETAIN_FLOWS, WA_K_MAX_DB_SIZE,
	WA_K_RETAIN_ROLLUPS, WA_K_SENSOR, WA_K_EVE, WA_K_EVE_SNAPSHOTS, WA_K_EVE_STATS,
	WA_K_EVE_BUFFER, WA_K_EVE_CA_FILE, WA_K_EVE_CERT, WA_K_EVE_KEY, WA_K_INTERNAL, WA_K_GEOIP, WA_K_ASN,
	WA_K_SPOOL, WA_K_SPOOL_MAX, WA_K_SPOOL_DRAIN,
	WA_K_N
};

enum wa_conf_ndpi { WA_NDPI_OFF, WA_NDPI_UNCLAIMED, WA_NDPI_CLASSIFY, WA_NDPI_ALL };

struct wa_conf_net {
	char *cidr, *env, *owner;   /* env, owner: NULL when not given */
	int line;
};

/* What the file says. A key not in the file has line[key] == 0 and its
 * field is untouched (zero); every string is the conf's own. */
struct wa_conf {
	char *path;
	int line[WA_K_N];           /* line of each key (the last, for repeatable ones) */
	char *ifaces[WA_CONF_IFACES_MAX];
	int nifaces;
	char *filter, *database, *user, *ca_file, *system_ca, *geoip, *asn;
	char *sensor, *eve, *eve_ca_file, *eve_cert, *eve_key; /* the event stream (--eve, --sensor) */
	int eve_snapshots;          /* 0 or 1 */
	int eve_stats;              /* seconds, 0..86400 */
	int64_t eve_buffer;         /* bytes, 64K..1G */
	int snaplen;                /* 64..262144 */
	int promisc;                /* 0 or 1 */
	int workers;                /* 0: auto, 1..64 */
	int checkpoint_sec;         /* 0..86400 */
	int64_t max_flows;          /* 1..2^26 */
	int64_t stream_cap;         /* bytes, 4096..64 MiB */
	enum wa_conf_ndpi ndpi;
	int64_t retain_flows_us;    /* 0: keep everything */
	int64_t max_db_bytes;       /* 0: no limit */
	int64_t retain_rollups_us;  /* 0: keep everything */
	char *spool;                /* the fleet sensor's spool (docs/FLEET.md) */
	int64_t spool_max;          /* bytes, 1M.. */
	int spool_drain;            /* seconds, 0..86400 */
	struct wa_conf_net nets[WA_CONF_NETS_MAX];
	int nnets;
};

/* Reads and parses PATH into *c (zeroed first). Returns 0, or -1 after one
 * message on stderr: `wireaudit: PATH: why` (missing, a directory, too
 * large) or `wireaudit: PATH:LINE: why`. *c is freed on failure. */
int wa_conf_load(const char *path, struct wa_conf *c);
/* 1..max characters of [A-Za-z0-9._-] (labels, user and sensor names). */
bool wa_conf_label_ok(const char *s, size_t max);

/* The same over buf[0..len) (any bytes: a NUL is an error, not an end). */
int wa_conf_parse(const char *path, const char *buf, size_t len, struct wa_conf *c);

void wa_conf_free(struct wa_conf *c);

/* The key's name as written in the file. */
const char *wa_conf_key_name(enum wa_conf_key k);

/* "14d", "12h", "30m", "45s" (and "0"): microseconds, or -1. A number
 * without a unit is refused (seconds or days?). */
int64_t wa_parse_duration(const char *s);

/* "20G", "500M", "64K", "1T" (powers of 1024), a plain number of bytes, or
 * "0": bytes, or -1. */
int64_t wa_parse_size(const char *s);

/* Splits a line in place into words: bare words, key=value,
 * key="quoted" (\" and \\ inside); `#` at a word's start ends the line.
 * The syntax of the internal-network lines and of the report's waiver
 * files (docs/REPORT.md). The count, or -1 with *why set. */
#define WA_CONF_WORDS_MAX 16
struct wa_conf_word {
	char *key;   /* NULL for a bare word */
	char *val;
};
int wa_conf_words(char *line, struct wa_conf_word *t, const char **why);

#endif
