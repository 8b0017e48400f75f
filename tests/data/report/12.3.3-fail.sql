-- tests/data/report/12.3.3-fail.sql: report fixture (tests/report.sh); flows follow the
-- export contract of docs/EXPORT.md. Applied to an empty database.
INSERT INTO flows VALUES (1,1,1790000001000000,1790000001500000,'tcp','10.0.0.5',40001,'10.0.0.9',8080,0,0,6,6,600,600,200,200,'syn','closed',NULL,NULL,'[]','http','cleartext');
INSERT INTO cleartext (flow_id, obj) VALUES (1, '{"credentials": false, "auth_mechanism": null, "user": null, "tls_offered": false, "tls_requested": null, "details": {"host": "api.internal", "status": 200}}');
