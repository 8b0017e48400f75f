-- tests/data/report/escaping.sql: strings from the wire carrying HTML, ANSI escapes,
-- spreadsheet formulas and invalid UTF-8 (tests/report.sh checks every format).
INSERT INTO flows VALUES (1,1,1790000000000000,1790000000001000,'tcp','10.0.0.5',40001,'10.0.0.9',80,0,0,6,6,600,600,200,200,'syn','closed',NULL,NULL,'[]','http','cleartext');
-- the cleartext facts as schema-3 rows (the host holds ESC and a byte that is not UTF-8)
INSERT INTO cleartext VALUES (1, 1, 'basic', '=cmd|'' /C calc''!A0', NULL, NULL, 0);
INSERT INTO cleartext_details VALUES (1, 0, 'host', 's', 0, NULL, '<script>alert(1)</script>' || char(27) || '[31mRED' || CAST(X'FF' AS TEXT));
INSERT INTO flows VALUES (2,1,1790000000000000,1790000000001000,'tcp','10.0.0.5',40002,'10.0.0.9',443,0,0,6,6,600,600,200,200,'syn','closed',NULL,NULL,'[]','tls','tls');
INSERT INTO tls (flow_id, obj) VALUES (2, '{"version":"TLSv1.2","client_versions":["TLSv1.2"],"cipher_id":49199,"cipher":"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256","sni":"=cmd|'' /C calc''!A0<script>\u001b[2J' || CAST(X'C3' AS TEXT) || '","chain_trusted":true,"hostname_match":false,"established":true,"client_cert":"none"}');
