-- tests/data/report/12.1.1-pass.sql: report fixture (tests/report.sh); flows follow the
-- export contract of docs/EXPORT.md. Applied to an empty database.
INSERT INTO flows VALUES (1,1,1790000001000000,1790000001500000,'tcp','10.0.0.5',40001,'10.0.0.9',443,0,0,6,6,600,600,200,200,'syn','closed',NULL,NULL,'[]','tls','tls');
INSERT INTO tls (flow_id, obj) VALUES (1, '{"version": "TLSv1.3", "client_versions": ["TLSv1.3", "TLSv1.2"], "cipher": "TLS_AES_128_GCM_SHA256", "cipher_id": 4865, "client_ciphers": [4865, 4866], "sni": "svc.example.test", "alpn": ["h2"], "ech": false, "status_request": false, "ocsp_stapled": null, "client_cert": "not_observable", "established": true, "chain_trusted": null, "trust_error": null, "hostname_match": null, "client_accepted_untrusted": null}');
