/* SPDX-License-Identifier: BSD-3-Clause */
/* test_threads.c — issue 12, "no hidden process-wide caches", taken to its
 * consequence: two engines, each with its own store, certificate context
 * and nDPI module, run at the same time on two threads, and each writes
 * exactly what it writes alone. Job A reads the TLS captures of pcaps/tls
 * (certificate parsing and validation, the facts cache, chains), job B the
 * cleartext and nDPI-risk captures; each job's export (every flow's
 * columns, TLS object with its certificates, cleartext object, nDPI risks)
 * is compared byte for byte with the same job run alone. Two rounds. Runs
 * in the sanitizer build (.ci/run) as is; a data race on a shared cache
 * shows up there as a wrong byte or a crash, and under ThreadSanitizer
 * (issue 13) as a report. */
#include "tap.h"
#include "engine.h"
#include "digest.h"
#include "store.h"
#include "x509.h"
#include "json.h"

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *srcdir;
static char tmpdir[256];

struct job {
	const char *name;
	const char *const *pcaps;
	char db[512];
	int rc;
	char *out;        /* the export, malloc'd */
	size_t flows;
};

static const char *const job_a[] = {
	"pcaps/tls/tls12-good-chain.pcap", "pcaps/tls/tls12-weak-rsa1024-leaf.pcap",
	"pcaps/tls/tls12-sha1-signed-leaf.pcap", "pcaps/tls/tls12-mtls-client-cert.pcap",
	"pcaps/tls/tls12-ocsp-stapled-good.pcap", "pcaps/tls/tls12-wrong-host-curl.pcap",
	"pcaps/tls/tls12-client-accepts-untrusted-curl.pcap", "pcaps/tls/tls13-ocsp-stapled.pcap",
	NULL
};
static const char *const job_b[] = {
	"pcaps/sample/http-mixed.pcap", "pcaps/escaping/ndpi-only-passwords.pcap",
	"pcaps/crafted-db/mongodb-scram-cleartext.pcap", "pcaps/crafted-db/mongodb-plain-legacy.pcap",
	NULL
};

static int collect(const struct flow_view *v, void *arg)
{
	struct jbuf *jb = arg;
	jb_obj_open(jb);
	jb_kv_int(jb, "flow_id", v->flow_id);
	jb_kv_int(jb, "ts_first", v->ts_first);
	jb_kv_str(jb, "client_ip", v->client_ip);
	jb_kv_int(jb, "server_port", v->server_port);
	jb_kv_int(jb, "packets", v->packets[0] + v->packets[1]);
	jb_kv_str(jb, "protocol", v->protocol);
	jb_kv_str(jb, "security", v->security);
	jb_kv_str(jb, "ndpi_protocol", v->ndpi_protocol);
	jb_key(jb, "ndpi_risks");
	jb_raw(jb, v->ndpi_risks_json ? v->ndpi_risks_json : "null");
	jb_key(jb, "tls");
	jb_raw(jb, v->tls_json ? v->tls_json : "null");
	jb_key(jb, "cleartext");
	jb_raw(jb, v->cleartext_json ? v->cleartext_json : "null");
	jb_key(jb, "anomalies");
	jb_raw(jb, v->anomalies_json ? v->anomalies_json : "[]");
	jb_obj_close(jb);
	jb_raw(jb, "\n");
	return 0;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	void **a = (void **)user;
	struct engine *e = a[0];
	int dlt = *(int *)a[1];
	engine_packet(e, dlt, (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec, data, h->caplen, h->len);
}

static void *run_job(void *arg)
{
	struct job *j = arg;
	struct engine_config cfg;
	struct engine *e = calloc(1, sizeof(*e));
	struct x509_ctx *xc = NULL;
	struct store *st = NULL;
	struct run_info ri = { j->name, NULL, 65535, "offline" };
	struct run_end re;
	struct flow_filter all = { -1, -1, -1, -1, 0, false };
	struct jbuf jb;
	int64_t run_id;
	char err[256], path[1024], ebuf[PCAP_ERRBUF_SIZE];

	j->rc = -1;
	unlink(j->db);
	if (e == NULL || (xc = x509_ctx_new("none", NULL)) == NULL ||
	    store_open(&st, j->db, false, err, sizeof(err)) != 0 ||
	    store_run_begin(st, &ri, &run_id) != 0)
		goto out;
	engine_config_defaults(&cfg);
	if (engine_init(e, &cfg, st, run_id, xc) != 0)
		goto out;
	for (int i = 0; j->pcaps[i]; i++) {
		pcap_t *p;
		int dlt;
		void *a[2] = { e, &dlt };
		snprintf(path, sizeof(path), "%s/%s", srcdir, j->pcaps[i]);
		if ((p = pcap_open_offline(path, ebuf)) == NULL) {
			printf("# %s: %s\n", path, ebuf);
			continue;
		}
		dlt = pcap_datalink(p);
		pcap_loop(p, -1, on_packet, (u_char *)a);
		pcap_close(p);
	}
	engine_flush_all(e);
	memset(&re, 0, sizeof(re));
	re.drops = re.if_drops = -1;
	re.status = "complete";
	re.flows = e->st.flows_written;
	j->flows = e->st.flows_written;
	if (store_run_end(st, run_id, &re) != 0 || store_commit(st) != 0)
		goto free_engine;
	jb_init(&jb);
	if (store_each_flow(st, &all, collect, &jb) == 0) {
		j->out = jb_take(&jb);
		j->rc = 0;
	} else {
		jb_free(&jb);
	}
free_engine:
	engine_free(e);
out:
	if (st)
		store_close(st);
	x509_ctx_free(xc);
	free(e);
	wa_md_thread_free(); /* this thread's digest contexts */
	return NULL;
}

static void job_init(struct job *j, const char *name, const char *const *pcaps, int round)
{
	free(j->out);
	memset(j, 0, sizeof(*j));
	j->name = name;
	j->pcaps = pcaps;
	snprintf(j->db, sizeof(j->db), "%s/%s-%d.db", tmpdir, name, round);
}

int main(void)
{
	struct job alone[2] = { { 0 } }, both[2] = { { 0 } };
	pthread_t th[2];

	srcdir = getenv("SRCDIR") ? getenv("SRCDIR") : ".";
	snprintf(tmpdir, sizeof(tmpdir), "%s/wa-threads-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}

	/* each job alone, one after the other */
	job_init(&alone[0], "a", job_a, 0);
	job_init(&alone[1], "b", job_b, 0);
	run_job(&alone[0]);
	run_job(&alone[1]);
	ok(alone[0].rc == 0 && alone[0].flows >= 8, "job A alone: %zu flows", alone[0].flows);
	ok(alone[1].rc == 0 && alone[1].flows >= 4, "job B alone: %zu flows", alone[1].flows);

	for (int round = 1; round <= 2; round++) {
		job_init(&both[0], "a", job_a, round);
		job_init(&both[1], "b", job_b, round);
		ok(pthread_create(&th[0], NULL, run_job, &both[0]) == 0 &&
		   pthread_create(&th[1], NULL, run_job, &both[1]) == 0, "round %d: two threads", round);
		pthread_join(th[0], NULL);
		pthread_join(th[1], NULL);
		for (int k = 0; k < 2; k++) {
			bool same = both[k].rc == 0 && alone[k].out && both[k].out &&
				    strcmp(both[k].out, alone[k].out) == 0;
			if (!ok(same, "round %d: job %s on a thread writes what it writes alone (%zu flows)",
				round, k ? "B" : "A", both[k].flows))
				printf("#   rc %d, %zu vs %zu bytes\n", both[k].rc,
				       both[k].out ? strlen(both[k].out) : 0, alone[k].out ? strlen(alone[k].out) : 0);
		}
	}
	/* the exports hold what the jobs are about */
	ok(alone[0].out && strstr(alone[0].out, "\"weak_key\":true") &&
	   strstr(alone[0].out, "\"weak_signature\":true") && strstr(alone[0].out, "\"sha256\":"),
	   "job A's export holds certificates and their weaknesses");
	ok(alone[1].out && strstr(alone[1].out, "Clear-Text Credentials") &&
	   strstr(alone[1].out, "\"credentials\":true"), "job B's export holds nDPI risks and cleartext credentials");
	for (int k = 0; k < 2; k++) {
		free(alone[k].out);
		free(both[k].out);
	}
	{
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpdir);
	}
	return tap_done();
}
