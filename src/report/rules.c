/* SPDX-License-Identifier: BSD-3-Clause */
/* rules.c — the judging of the report pass: every OWASP ASVS 5.0 V12
 * requirement (../shared/asvs-v12.md, text verbatim) with its relevance and
 * observability predicates, the finding kinds that make it fail, and the
 * classification data they use, each with its source. docs/REPORT-RULES.md
 * explains every rule, its evidence and what a passive observer cannot see.
 *
 * The predicates are SQL over the temporary table `rf` that report.c builds
 * (one row per flow in the window; columns documented there). The SQL text
 * here is constant; nothing from the wire or the command line is pasted
 * into it.
 */
#include "report_int.h"
#include "tls_facts.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tls_tables.h"

/* ---- thresholds and classification (data, with sources) ---- */

/* Finite-field DH groups below this size fail 12.1.2. Sources: Mozilla
 * Server Side TLS 5.7 intermediate "dh_param_size": 2048
 * (../shared/refdata/mozilla/guidelines-5.7.json); ASVS 5.0 Appendix C
 * (finite field DH: at least 2048-bit modulus); BSI TR-02102-2 (>= 3000
 * recommended from 2023, 2000 accepted). */
#define RP_DH_MIN_BITS "2048"

/* Protocol version ranks (higher is newer). RFC 8446 4.2.1, RFC 6101. */
static const struct { const char *name; int rank; int wire; } rp_versions[] = {
	{ "SSLv2", 0, 0x0002 }, { "SSLv3", 1, 0x0300 }, { "TLSv1.0", 2, 0x0301 },
	{ "TLSv1.1", 3, 0x0302 }, { "TLSv1.2", 4, 0x0303 }, { "TLSv1.3", 5, 0x0304 },
	{ NULL, 0, 0 },
};

/* Protocols that have a TLS form (implicit TLS or an upgrade), so a
 * cleartext session of them is a 12.3.1 finding. Names are the dissectors'
 * `protocol` values (docs/EXPORT.md) and nDPI's lower-cased names for the
 * generic cleartext observation. Sources for the TLS forms: PostgreSQL
 * 55.2.10 (SSLRequest), MySQL CLIENT_SSL, MS-TDS 2.2.6.5 (PRELOGIN
 * ENCRYPTION), MongoDB TLS, Redis 6 TLS, RFC 4513 (LDAP StartTLS), RFC 3207
 * and RFC 8314 (SMTP/IMAP/POP3), AMQP 0-9-1 amqps, RFC 2818 (HTTP), RFC 4217
 * (FTP), RFC 5425 (syslog over TLS), MQTT 5.0 4.2 (TLS), RFC 6120 (XMPP),
 * RFC 4642 (NNTP), RFC 5630 (SIP), RFC 6353 (SNMP over TLS/DTLS; SNMPv3
 * authPriv, RFC 3414/3826, is app_encrypted and never in clear), [MS-RDPBCGR]
 * 5.4.5 (RDP's Enhanced RDP Security: TLS, CredSSP), the Apache Kafka
 * documentation #security_ssl (SSL and SASL_SSL listeners; PLAINTEXT and
 * SASL_PLAINTEXT are clear), [MS-SMB2] 2.1 (SMB over QUIC: TLS 1.3; SMB
 * 3.x encryption, 3.1.4.3, is app_encrypted); telnet and rlogin have no
 * TLS form in
 * use: remote access in clear is exactly what 12.3.1 names ("remote access
 * and SSH"), so they count. */
static const char *const rp_tls_form[] = {
	"postgresql", "mysql", "tds", "mongodb", "redis", "ldap", "smtp", "amqp", "http",
	"ftp", "imap", "pop3", "telnet", "rlogin", "syslog", "mqtt", "xmpp", "nntp", "sip",
	"memcached", "vnc", "irc", "snmp", "kafka", "elasticsearch", "cassandra",
	"zookeeper", "nats", "stomp", "rtsp", "ldap-cleartext", "rdp", "smb", NULL,
};

static const char *const rp_class_names[] = { "broken", "not_recommended", "recommended" };

const char *rp_class_name(int rank)
{
	return rank >= 0 && rank <= 2 ? rp_class_names[rank] : "unknown";
}

/* ---- requirements (verbatim titles from ASVS 5.0.0) ---- */

const char rp_intro_title[] =
	"While the use of wildcard TLS certificates is not inherently insecure, a compromise "
	"of a certificate that is deployed across all owned environments (e.g., production, "
	"staging, development, and test) may lead to a compromise of the security posture of "
	"the applications using it. Proper protection, management, and the use of separate TLS "
	"certificates in different environments should be employed if possible.";

/* The name of a version rank (rp_versions) in plain SQL. */
#define VNAME_SQL(col) "CASE " col " WHEN 0 THEN 'SSLv2' WHEN 1 THEN 'SSLv3' WHEN 2 THEN 'TLSv1.0'" \
	" WHEN 3 THEN 'TLSv1.1' WHEN 4 THEN 'TLSv1.2' WHEN 5 THEN 'TLSv1.3' END"
#define TLS_HELLO "(has_tls = 1 AND (ver IS NOT NULL OR cmax IS NOT NULL))"
#define CLEAR_STATES "('cleartext','tls_refused','starttls_not_used')"
/* app_encrypted: encrypted by the application protocol's own mechanism
 * (FTP RFC 2228 ENC after AUTH GSSAPI), not TLS: encrypted all the same. */
#define NOT_ENCRYPTED "(COALESCE(security,'') NOT IN ('tls','starttls','app_encrypted'))"
#define HTTPISH "(protocol = 'http' OR (has_tls = 1 AND (alpn_http = 1 OR server_port IN (443, 8443))))"

struct rp_req rp_reqs[] = {
	{ "12.1.1", 1, "V12.1",
	  "Verify that only the latest recommended versions of the TLS protocol are enabled, "
	  "such as TLS 1.2 and TLS 1.3. The latest version of the TLS protocol must be the "
	  "preferred option.",
	  TLS_HELLO, TLS_HELLO, NULL,
	  .short_title = "Only TLS 1.2 and 1.3 enabled, the latest preferred", .status = NULL },
	{ "12.1.2", 2, "V12.1",
	  "Verify that only recommended cipher suites are enabled, with the strongest cipher "
	  "suites set as preferred. L3 applications must only support cipher suites which "
	  "provide forward secrecy.",
	  "((has_tls = 1 AND (cipher_id IS NOT NULL OR cmax IS NOT NULL)) OR ssh_kx IS NOT NULL)",
	  "((has_tls = 1 AND cipher_id IS NOT NULL) OR ssh_kx IS NOT NULL)",
	  "no ServerHello seen, so no negotiated cipher suite",
	  .short_title = "Only recommended cipher suites, the strongest preferred", .status = NULL },
	{ "12.1.3", 2, "V12.1",
	  "Verify that the application validates that mTLS client certificates are trusted "
	  "before using the certificate identity for authentication or authorization.",
	  "(has_tls = 1 AND ccert IN ('requested','empty','sent','not_observable') AND vrank IS NOT NULL)",
	  "(has_tls = 1 AND ccert IN ('requested','empty','sent'))",
	  "client certificates travel encrypted in TLS 1.3",
	  .short_title = "mTLS client certificates validated as trusted", .status = NULL },
	{ "12.1.4", 3, "V12.1",
	  "Verify that proper certification revocation, such as Online Certificate Status "
	  "Protocol (OCSP) Stapling, is enabled and configured.",
	  "(has_tls = 1 AND sreq = 1 AND vrank IS NOT NULL)",
	  "(has_tls = 1 AND sreq = 1 AND (vrank <= 4 OR hsdec = 1))",
	  "the stapled OCSP response travels encrypted in TLS 1.3",
	  .short_title = "Certificate revocation checked (OCSP stapling)", .status = NULL },
	{ "12.1.5", 3, "V12.1",
	  "Verify that Encrypted Client Hello (ECH) is enabled in the application's TLS "
	  "settings to prevent exposure of sensitive metadata, such as the Server Name "
	  "Indication (SNI), during TLS handshake processes.",
	  "(has_tls = 1 AND ech IS NOT NULL)", "(has_tls = 1 AND ech IS NOT NULL)", NULL,
	  .short_title = "Encrypted Client Hello (ECH) enabled", .status = NULL },
	{ "12.1", 2, "V12.1", rp_intro_title,
	  "(has_tls = 1 AND leaf IS NOT NULL AND senvname IS NOT NULL)",
	  "(has_tls = 1 AND leaf IS NOT NULL AND senvname IS NOT NULL)", NULL,
	  .short_title = "Separate certificates per environment (wildcards not shared)", .guidance = true, .status = NULL },
	{ "12.2.1", 1, "V12.2",
	  "Verify that TLS is used for all connectivity between a client and external facing, "
	  "HTTP-based services, and does not fall back to insecure or unencrypted "
	  "communications.",
	  "(sz >= 0 AND cz < 0 AND " HTTPISH ")", "(sz >= 0 AND cz < 0 AND " HTTPISH ")", NULL,
	  .short_title = "TLS for all external HTTP, no cleartext fallback", .status = NULL },
	{ "12.2.2", 1, "V12.2",
	  "Verify that external facing services use publicly trusted TLS certificates.",
	  "(has_tls = 1 AND sz >= 0 AND cz < 0 AND vrank IS NOT NULL)",
	  "(has_tls = 1 AND sz >= 0 AND cz < 0 AND ncerts > 0)",
	  "server certificates travel encrypted in TLS 1.3",
	  .short_title = "Publicly trusted certificates on external services", .status = NULL },
	{ "12.3.1", 2, "V12.3",
	  "Verify that an encrypted protocol such as TLS is used for all inbound and outbound "
	  "connections to and from the application, including monitoring systems, management "
	  "tools, remote access and SSH, middleware, databases, mainframes, partner systems, or "
	  "external APIs. The server must not fall back to insecure or unencrypted protocols.",
	  "(tlsform = 1 OR has_tls = 1 OR security IN ('tls','starttls','app_encrypted') OR ssh_p1 IS NOT NULL)",
	  "(COALESCE(security,'unknown') != 'unknown' OR ssh_p1 IS NOT NULL)",
	  "the session start was not seen, so the security state is unknown",
	  .short_title = "Encrypted protocols for every connection, no fallback", .status = NULL },
	{ "12.3.2", 2, "V12.3",
	  "Verify that TLS clients validate certificates received before communicating with a "
	  "TLS server.",
	  "(has_tls = 1 AND vrank IS NOT NULL)",
	  "(has_tls = 1 AND ncerts > 0 AND trusted IS NOT NULL)",
	  "server certificates travel encrypted in TLS 1.3",
	  .short_title = "TLS clients validate server certificates", .status = NULL },
	{ "12.3.3", 2, "V12.3",
	  "Verify that TLS or another appropriate transport encryption mechanism used for all "
	  "connectivity between internal, HTTP-based services within the application, and does "
	  "not fall back to insecure or unencrypted communications.",
	  "(sz >= 0 AND cz >= 0 AND " HTTPISH ")", "(sz >= 0 AND cz >= 0 AND " HTTPISH ")", NULL,
	  .short_title = "TLS between internal HTTP services, no fallback", .status = NULL },
	{ "12.3.4", 2, "V12.3",
	  "Verify that TLS connections between internal services use trusted certificates. "
	  "Where internally generated or self-signed certificates are used, the consuming "
	  "service must be configured to only trust specific internal CAs and specific "
	  "self-signed certificates.",
	  "(has_tls = 1 AND sz >= 0 AND cz >= 0 AND vrank IS NOT NULL)",
	  "(has_tls = 1 AND sz >= 0 AND cz >= 0 AND ncerts > 0)",
	  "server certificates travel encrypted in TLS 1.3",
	  .short_title = "Trusted certificates between internal services", .status = NULL },
	{ "12.3.5", 3, "V12.3",
	  "Verify that services communicating internally within a system (intra-service "
	  "communications) use strong authentication to ensure that each endpoint is verified. "
	  "Strong authentication methods, such as TLS client authentication, must be employed "
	  "to ensure identity, using public-key infrastructure and mechanisms that are resistant "
	  "to replay attacks. For microservice architectures, consider using a service mesh to "
	  "simplify certificate management and enhance security.",
	  "(has_tls = 1 AND sz >= 0 AND cz >= 0 AND vrank IS NOT NULL)",
	  "(has_tls = 1 AND sz >= 0 AND cz >= 0 AND ccert IN ('none','requested','empty','sent'))",
	  "whether a client certificate was sent is encrypted in TLS 1.3",
	  .short_title = "Strong mutual authentication between internal services", .status = NULL },
};
const int rp_nreqs = (int)(sizeof(rp_reqs) / sizeof(rp_reqs[0]));

/* ---- remediation references ----
 * Each kind says what to change (rp_kind.remediation) and where the
 * guidance is (rp_kind.reference): Mozilla's and OWASP's configuration
 * guides, the RFCs that deprecate what the kind finds, vendor documents.
 * Plain https URLs (tests/unit/test_remedy.c checks that, and that
 * docs/REPORT-RULES.md lists each kind's text as here). */
#define REF_MOZ_TLS "https://wiki.mozilla.org/Security/Server_Side_TLS"
#define REF_MOZ_SSH "https://infosec.mozilla.org/guidelines/openssh"
#define REF_OWASP_TLS "https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html"
#define REF_HSTS "https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Strict_Transport_Security_Cheat_Sheet.html"
#define REF_OWASP_PIN "https://cheatsheetseries.owasp.org/cheatsheets/Pinning_Cheat_Sheet.html"
#define REF_OWASP_MICRO "https://cheatsheetseries.owasp.org/cheatsheets/Microservices_Security_Cheat_Sheet.html"
#define REF_ASVS_V12 "https://github.com/OWASP/ASVS/blob/v5.0.0/5.0/en/0x21-V12-Secure-Communication.md"
#define REF_RFC8996 "https://www.rfc-editor.org/rfc/rfc8996"
#define REF_RFC9325 "https://www.rfc-editor.org/rfc/rfc9325"
#define REF_RFC6066_OCSP "https://www.rfc-editor.org/rfc/rfc6066#section-8"
#define REF_RFC6960 "https://www.rfc-editor.org/rfc/rfc6960"
#define REF_RFC9525 "https://www.rfc-editor.org/rfc/rfc9525"
#define REF_RFC8314 "https://www.rfc-editor.org/rfc/rfc8314"
#define REF_RFC9110_PROXY "https://www.rfc-editor.org/rfc/rfc9110#section-11.7"
#define REF_RFC3414 "https://www.rfc-editor.org/rfc/rfc3414"
#define REF_RFC3826 "https://www.rfc-editor.org/rfc/rfc3826"
#define REF_RFC6143 "https://www.rfc-editor.org/rfc/rfc6143"
#define REF_ECH "https://datatracker.ietf.org/doc/draft-ietf-tls-esni/"
#define REF_WEAKDH "https://weakdh.org/sysadmin.html"
#define REF_TERRAPIN "https://terrapin-attack.com/"
#define REF_MS_NTLM "https://learn.microsoft.com/en-us/windows-server/security/kerberos/ntlm-overview"
#define REF_MS_SMB1 "https://learn.microsoft.com/en-us/windows-server/storage/file-server/" \
	"troubleshoot/detect-enable-and-disable-smbv1-v2-v3"
#define REF_MS_SMB_ENC "https://learn.microsoft.com/en-us/windows-server/storage/file-server/smb-security"
#define REF_MS_RDP "https://learn.microsoft.com/en-us/windows-hardware/customize/desktop/unattend/" \
	"microsoft-windows-terminalservices-rdp-winstationextensions-securitylayer"

/* ---- finding kinds ---- */

const struct rp_kind rp_kinds[] = {
	/* 12.1.1 */
	{ "12.1.1", "old_tls_version", "high", 1, true,
	  "vrank < 4", "ver", "negotiated_version",
	  "a connection negotiated a protocol version below TLS 1.2", RP_CAUSE_CONFIG,
	  "Disable SSLv3, TLS 1.0 and TLS 1.1 on the server (ssl_protocols TLSv1.2 TLSv1.3 in nginx; SSLProtocol -all +TLSv1.2 +TLSv1.3 in Apache) and upgrade clients that cannot speak TLS 1.2.",
	  REF_RFC8996 },
	{ "12.1.1", "tls13_not_preferred", "medium", 1, true,
	  "vrank = 4 AND c13 = 1", "ver", "negotiated_version",
	  "the client offered TLS 1.3 but the server chose TLS 1.2 (latest version not preferred)", RP_CAUSE_CONFIG,
	  "Enable TLS 1.3 on the server (OpenSSL 1.1.1 or later; ssl_protocols TLSv1.2 TLSv1.3 in nginx; SSLProtocol +TLSv1.3 in Apache) so that clients that offer it get it.",
	  REF_MOZ_TLS },
	{ "12.1.1", "client_max_below_tls12", "medium", 1, true,
	  "cmax < 4", VNAME_SQL("cmax"), "client_highest_version",
	  "a client's highest offered version is below TLS 1.2", RP_CAUSE_CLIENT,
	  "Upgrade or reconfigure the client (its TLS library, or its minimum and maximum protocol settings) so that it offers TLS 1.2 and TLS 1.3.",
	  REF_RFC8996 },
	/* 12.1.2 */
	{ "12.1.2", "cipher_broken", "high", 1, true,
	  "cclass = 0", "cipher", "cipher",
	  "a broken cipher suite was negotiated (NULL, EXPORT, anon, RC4, DES, 3DES, MD5)", RP_CAUSE_CONFIG,
	  "Remove NULL, EXPORT, anonymous, RC4, DES and 3DES suites from the server's cipher list (ssl_ciphers in nginx, SSLCipherSuite in Apache): start from Mozilla's intermediate configuration.",
	  REF_MOZ_TLS },
	{ "12.1.2", "cipher_not_recommended", "medium", 2, true,
	  "cclass = 1", "cipher", "cipher",
	  "a cipher suite that is not recommended was negotiated (CBC, static RSA, SHA-1 MAC)", RP_CAUSE_CONFIG,
	  "Restrict the server to AEAD suites with ECDHE or DHE key exchange (AES-GCM, ChaCha20-Poly1305) and drop CBC, static RSA key exchange and SHA-1 MAC suites, as Mozilla's intermediate configuration does.",
	  REF_MOZ_TLS },
	{ "12.1.2", "cipher_no_forward_secrecy", "medium", 3, true,
	  "cclass = 2 AND cfs = 0", "cipher", "cipher",
	  "a cipher suite without forward secrecy was negotiated (fails at L3)", RP_CAUSE_CONFIG,
	  "Allow only ECDHE or DHE key exchange on the server (TLS 1.3 always has it) and remove the static RSA key exchange suites (the TLS_RSA_WITH suites).",
	  REF_RFC9325 },
	{ "12.1.2", "strongest_not_preferred", "medium", 2, true,
	  "cclass IS NOT NULL AND best_off > cclass", "cipher", "cipher",
	  "the server chose a weaker suite although the client offered a stronger one", RP_CAUSE_CONFIG,
	  "Order the server's cipher list strongest first and let the server's order decide (ssl_prefer_server_ciphers on in nginx, SSLHonorCipherOrder on in Apache), or offer only strong suites.",
	  REF_MOZ_TLS },
	{ "12.1.2", "weak_dh_group", "high", 2, true,
	  "dh_bits > 0 AND dh_bits < " RP_DH_MIN_BITS, "dh_bits", "dh_bits",
	  "finite-field Diffie-Hellman group below " RP_DH_MIN_BITS " bits", RP_CAUSE_CONFIG,
	  "Use a finite-field DH group of at least 2048 bits (RFC 7919 ffdhe2048, or openssl dhparam 2048 with ssl_dhparam in nginx), or disable DHE suites and use ECDHE.",
	  REF_WEAKDH },
	/* SSH (issue 17): the algorithms of an SSH connection are its cipher
	 * suite. Names and classes: src/report/ssh_algorithms.def, each with
	 * its source (RFC 9142, RFC 8758, RFC 4253/4344, RFC 8332, NIST SP
	 * 800-131A, Mozilla's OpenSSH guidelines); classified per flow by
	 * ssh_rules.c into rf's ssh_* columns. */
	{ "12.1.2", "ssh_weak_algorithms_negotiated", "high", 1, true,
	  "ssh_wneg IS NOT NULL", "ssh_wneg", "ssh_selected_weak",
	  "an SSH connection selected a weak key exchange, host key, cipher or MAC", RP_CAUSE_SSH,
	  "Restrict the SSH server's KexAlgorithms, HostKeyAlgorithms, Ciphers and MACs to modern ones (curve25519-sha256, ssh-ed25519 or rsa-sha2-512, AES-GCM, AES-CTR or chacha20-poly1305, -etm MACs) and upgrade clients that need the old ones.",
	  REF_MOZ_SSH },
	/* only the BROKEN class (prohibited or deprecated), and only when
	 * nothing weak was selected: that is the finding above */
	{ "12.1.2", "ssh_weak_algorithms_offered", "medium", 1, true,
	  "ssh_woff IS NOT NULL AND ssh_wneg IS NULL", "ssh_woff", "ssh_server_offers",
	  "an SSH server still offers a prohibited or deprecated algorithm (a modern one was selected)", RP_CAUSE_SSH,
	  "Remove the prohibited or deprecated algorithms from the SSH server's KexAlgorithms, HostKeyAlgorithms, Ciphers and MACs lists, so that no client can negotiate them.",
	  REF_MOZ_SSH },
	/* Terrapin, CVE-2023-48795: chacha20-poly1305 or CBC with an -etm MAC
	 * selected, the client offered kex-strict-c-v00@openssh.com and the
	 * server no kex-strict-s-v00@openssh.com (ssh_rules.c, rp_ssh_terrapin) */
	{ "12.1.2", "ssh_no_strict_kex", "medium", 1, true,
	  "ssh_nsk IS NOT NULL", "ssh_nsk", "ssh_terrapin_mode",
	  "an SSH server without strict KEX selected a Terrapin-exposed mode (CVE-2023-48795)", RP_CAUSE_SSH,
	  "Upgrade the SSH server to a release with strict key exchange (OpenSSH 9.6 or later, or the vendor's Terrapin fix); until then disable chacha20-poly1305@openssh.com and the -etm MACs with CBC ciphers.",
	  REF_TERRAPIN },
	/* 12.1.3 */
	{ "12.1.3", "client_cert_untrusted_accepted", "high", 1, true,
	  "ccert = 'sent' AND est = 1 AND cctrusted = 0", "COALESCE(ccterr, 'untrusted')",
	  "client_trust_error",
	  "the server completed a handshake with a client certificate that does not validate", RP_CAUSE_CONFIG,
	  "Make the server verify client certificates against the CA that issues them (ssl_verify_client on with ssl_client_certificate in nginx; SSLVerifyClient require with SSLCACertificateFile in Apache) and fail the handshake otherwise.",
	  REF_OWASP_TLS },
	/* 12.1.4 */
	{ "12.1.4", "ocsp_not_stapled", "medium", 1, true,
	  "sreq = 1 AND (vrank <= 4 OR hsdec = 1) AND stapled = 0", "ver", "negotiated_version",
	  "the client asked for OCSP stapling (status_request) and the server sent none", RP_CAUSE_CERT,
	  "Enable OCSP stapling on the server (ssl_stapling on and ssl_stapling_verify on in nginx; SSLUseStapling on in Apache) with a resolver that reaches the CA's OCSP responder.",
	  REF_RFC6066_OCSP },
	{ "12.1.4", "ocsp_revoked", "high", 1, true,
	  "ocsp_status = 'revoked'", "ocsp_status", "ocsp_status",
	  "the stapled OCSP response says the certificate is revoked", RP_CAUSE_CERT,
	  "Replace the revoked certificate on the server now (a new key and a new certificate) and find out why it was revoked.",
	  REF_RFC6960 },
	/* 12.1.5 */
	{ "12.1.5", "ech_not_used", "low", 1, true,
	  "ech = 0", "'no_ech'", "client_hello",
	  "ClientHellos to this server carry no Encrypted Client Hello", RP_CAUSE_CLIENT,
	  "Publish an ECH configuration for the service (the ech parameter of its HTTPS DNS record, served by a TLS front end that supports ECH) and use clients that send Encrypted Client Hello.",
	  REF_ECH },
	/* V12.1 introduction */
	{ "12.1", "cert_shared_across_environments", "medium", 1, true,
	  "leaf IN (SELECT leaf FROM rp_sharedleaf)", "senvname", "environment",
	  "the same certificate is served in different environments", RP_CAUSE_CERT,
	  "Issue a separate certificate and key for each environment (production, staging, development, test), so that a key taken from a test system cannot impersonate production.",
	  REF_ASVS_V12 },
	{ "12.1", "wildcard_shared_across_environments", "medium", 1, true,
	  "leaf IN (SELECT leaf FROM rp_leafw WHERE wildcard IN (SELECT wildcard FROM rp_sharedwild))"
	  " AND leaf NOT IN (SELECT leaf FROM rp_sharedleaf)",
	  "senvname", "environment",
	  "the same wildcard name is served in different environments", RP_CAUSE_CERT,
	  "Use per-environment names and certificates instead of one wildcard certificate deployed in production and test alike, and keep the wildcard's key only where it is needed.",
	  REF_ASVS_V12 },
	/* 12.2.1 */
	{ "12.2.1", "http_cleartext_external", "high", 1, true,
	  "protocol = 'http' AND sz >= 0 AND cz < 0 AND " NOT_ENCRYPTED " AND COALESCE(redir, 0) = 0",
	  "COALESCE(http_host, '')", "host",
	  "an internal HTTP service served content in clear to external clients", RP_CAUSE_SERVICE,
	  "Serve the site over HTTPS only: redirect plain HTTP to https and send Strict-Transport-Security (includeSubDomains, then preload), so that browsers stop using http.",
	  REF_HSTS },
	{ "12.2.1", "http_redirect_only", "info", 1, false,
	  "protocol = 'http' AND sz >= 0 AND cz < 0 AND " NOT_ENCRYPTED " AND redir = 1",
	  "COALESCE(http_host, '')", "host",
	  "plain-HTTP listener that redirects to https (not a violation)", RP_CAUSE_SERVICE,
	  "Nothing to fix in the redirect itself; send Strict-Transport-Security from the HTTPS site (and consider HSTS preload) so that browsers skip the cleartext request.",
	  REF_HSTS },
	/* 12.2.2 */
	{ "12.2.2", "external_cert_not_public", "high", 1, true,
	  "sz >= 0 AND cz < 0 AND ncerts > 0 AND (trusted = 0 OR tbe = 1)",
	  "CASE WHEN tbe = 1 THEN 'internal_ca_only' ELSE COALESCE(terr, 'untrusted') END",
	  "trust_error",
	  "an external-facing TLS server presented a chain the public trust store does not validate", RP_CAUSE_CERT,
	  "Install a certificate from a publicly trusted CA (for example through ACME) with its full intermediate chain on the external-facing server, and renew it before it expires.",
	  REF_OWASP_TLS },
	{ "12.2.2", "external_cert_wrong_host", "medium", 1, true,
	  "sz >= 0 AND cz < 0 AND ncerts > 0 AND trusted = 1 AND COALESCE(tbe, 0) = 0 AND hmatch = 0",
	  "COALESCE(sni, '')", "sni",
	  "an external-facing TLS server's certificate does not match the requested name", RP_CAUSE_CERT,
	  "Issue the server's certificate for every name clients use (subjectAltName entries), or point those names at a server that holds a matching certificate.",
	  REF_RFC9525 },
	/* 12.3.1 */
	{ "12.3.1", "service_encrypted_and_cleartext", "high", 1, true,
	  "security IN " CLEAR_STATES " AND COALESCE(redir, 0) = 0 AND mixed = 1",
	  "security", "security",
	  "the same service was seen both encrypted and in clear (fallback)", RP_CAUSE_SERVICE,
	  "Make TLS mandatory on the service (close the plaintext listener, or require TLS: hostssl-only pg_hba.conf, require_secure_transport in MySQL) and set clients to require TLS rather than prefer it.",
	  REF_OWASP_TLS },
	{ "12.3.1", "tls_refused", "high", 1, true,
	  "tlsform = 1 AND security = 'tls_refused'", "security", "security",
	  "the client asked for TLS, the server refused, and the session went on in clear", RP_CAUSE_SERVICE,
	  "Enable TLS on the server (install a certificate and key, e.g. ssl = on in PostgreSQL) and set clients to require it (sslmode=verify-full, not prefer), so that they never go on in clear.",
	  REF_OWASP_TLS },
	{ "12.3.1", "starttls_not_used", "medium", 1, true,
	  "tlsform = 1 AND security = 'starttls_not_used'", "security", "security",
	  "the server offered an upgrade to TLS and the client carried on in clear", RP_CAUSE_SERVICE,
	  "Configure clients to require STARTTLS (or use the implicit TLS ports 465, 993 and 995), and make the server refuse authentication before the upgrade.",
	  REF_RFC8314 },
	{ "12.3.1", "cleartext", "medium", 1, true,
	  "tlsform = 1 AND security = 'cleartext' AND COALESCE(redir, 0) = 0", "security", "security",
	  "a protocol with a TLS form was used in clear", RP_CAUSE_SERVICE,
	  "Enable TLS for this protocol on the server (its TLS port or STARTTLS upgrade), require it from every client, and close the cleartext listener.",
	  REF_OWASP_TLS },
	/* A ClientHello answered by a line of text (docs/TLS.md handshake
	 * "server_not_tls"): the listener on a TLS port speaks its protocol in
	 * clear. Nothing secret crossed yet, but a client that falls back, or
	 * one that never asked for TLS, talks to it in clear. */
	{ "12.3.1", "tls_port_answered_in_clear", "medium", 1, true,
	  "has_tls = 1 AND protocol = 'tls' AND security = 'cleartext'", "security", "security",
	  "a client sent a TLS ClientHello and the server answered in clear text", RP_CAUSE_SERVICE,
	  "Put TLS in front of the listener on this port (the service's own TLS, or a TLS-terminating proxy), or move the cleartext service off the TLS port.",
	  REF_OWASP_TLS },
	/* NTLM (HTTP NTLM/Negotiate) in a session in clear: not a password in
	 * clear, but the NTLMv1/v2 response to a server challenge is material
	 * for an offline guessing attack ([MS-NLMP] §3.3; hashcat modes 5500 /
	 * 5600) and for relaying. Its own finding, low: the cleartext session
	 * itself is already the cleartext kind above. */
	{ "12.3.1", "ntlm_in_clear", "low", 1, true,
	  "authm = 'ntlm' AND security IN " CLEAR_STATES " AND COALESCE(protocol, '') != 'smb'", "authm",
	  "auth_mechanism",
	  "an NTLM challenge-response crossed in clear (offline-crackable, relayable)", RP_CAUSE_SERVICE,
	  "Serve the application over HTTPS only, so that the NTLM exchange is inside TLS, and prefer Kerberos; restrict NTLM by Group Policy where possible.",
	  REF_MS_NTLM },
	/* HTTP CONNECT through a forward proxy (issue 18): Proxy-Authorization
	 * with a scheme that carries the secret itself (Basic: user-id and
	 * password in base64, RFC 7617 §4; Bearer) on the CONNECT, then a TLS
	 * tunnel. The tunnel is encrypted (security tls), so the cleartext
	 * kinds do not see the flow, but the proxy password crossed in clear
	 * before it (RFC 9110 §11.7.1; §17.16.4: a proxy's credentials are as
	 * exposed as any in HTTP). Only a CONNECT tunnel gives an http flow
	 * security tls (dissectors/http.c). Medium, raised to high by the
	 * credentials it always carries (as every 12.3.1 kind with credentials
	 * in clear); a CONNECT that got no tunnel is the cleartext kind above. */
	{ "12.3.1", "proxy_credentials_in_clear", "medium", 1, true,
	  "protocol = 'http' AND security = 'tls' AND creds = 1", "COALESCE(authm, '?')", "auth_mechanism",
	  "proxy credentials crossed in clear on the CONNECT before the tunnel's TLS", RP_CAUSE_SERVICE,
	  "Connect to the proxy over TLS (an HTTPS proxy: an https:// proxy URL), or use a proxy authentication scheme that sends no reusable secret (Negotiate with Kerberos).",
	  REF_RFC9110_PROXY },
	/* SNMP (issue 17). v1/v2c authenticate by a community string sent in
	 * clear in every message (RFC 3410 §5: the community-based framework
	 * of RFC 1157/1901 has no real security; RFC 3414 §1.5.1 lists
	 * disclosure and masquerade as the threats USM answers). The community
	 * is a password: anyone on the path can read it and, with a write
	 * community, change the device. Medium, raised to high by the
	 * credentials it always carries (as every 12.3.1 kind with credentials
	 * in clear); the session is also the cleartext kind above. The
	 * dissector states mechanism "community" only for a non-empty one. */
	{ "12.3.1", "snmp_community_in_clear", "medium", 1, true,
	  "protocol = 'snmp' AND authm = 'community'", "'v' || COALESCE(snmp_ver, '?')",
	  "snmp_version", "an SNMP community string (a shared password) crossed in clear", RP_CAUSE_SERVICE,
	  "Move to SNMPv3 with authPriv (SHA-2 authentication, AES privacy) and disable the v1/v2c communities on the devices; until then allow SNMP only from a management network.",
	  REF_RFC3414 },
	/* SNMPv3 below authPriv: noAuthNoPriv and authNoPriv carry the PDU in
	 * clear (RFC 3414 §1.4 / RFC 3411 §3.4.3: only the privacy protocol,
	 * CBC-DES of RFC 3414 §8 or AES-CFB of RFC 3826, encrypts the
	 * scopedPDU); management data readable on the path, and without auth
	 * forgeable too. Medium, as the cleartext kind. */
	{ "12.3.1", "snmp_v3_no_privacy", "medium", 1, true,
	  "protocol = 'snmp' AND snmp_ver = '3' AND snmp_lvl IN ('noAuthNoPriv', 'authNoPriv')", "snmp_lvl",
	  "snmp_security_level", "SNMPv3 was used without privacy (noAuthNoPriv or authNoPriv): the PDUs cross in clear",
	  RP_CAUSE_SERVICE,
	  "Configure the SNMPv3 users of agents and managers for authPriv (an authentication protocol plus AES privacy) instead of noAuthNoPriv or authNoPriv.",
	  REF_RFC3826 },
	/* VNC / RFB (issue 17): a security type that leaves the session in
	 * clear. RFC 6143 §7.2.1 None authenticates nobody; §7.2.2 VNC
	 * Authentication is a DES challenge-response (the password, at most 8
	 * characters, is the DES key: challenge and response on the wire are
	 * material for an offline search), and RFC 6143 §8 says the protocol
	 * gives no protection against observation of or tampering with the
	 * data stream beyond that weak password check; VeNCrypt Plain (rfbproto.rst,
	 * sub-type 256) sends the password itself (credentials: the severity
	 * rises to high). Evidence: the type, and the VeNCrypt sub-type
	 * ("VeNCrypt/Plain"). A VeNCrypt TLS/X509 sub-type is a TLS session
	 * (security starttls) judged by the TLS kinds: TLSNone / TLSVnc /
	 * TLSPlain use anonymous Diffie-Hellman suites, which cipher_broken
	 * flags (anon: no server authentication, RFC 5246 §F.1.1.1). */
	{ "12.3.1", "vnc_unencrypted", "medium", 1, true,
	  "protocol = 'vnc' AND security = 'cleartext' AND vnc_sec IS NOT NULL", "vnc_sec", "vnc_security_type",
	  "a VNC session was set up without encryption (security type None, VNC Authentication or VeNCrypt Plain)",
	  RP_CAUSE_SERVICE,
	  "Require an encrypted VNC security type (VeNCrypt X509 with a verified certificate) or tunnel VNC through SSH or a VPN, and disable the None and VNC Authentication types.",
	  REF_RFC6143 },
	/* RDP Standard RDP Security ([MS-RDPBCGR] 5.3; issue 17): RC4 with
	 * keys from an unauthenticated exchange (40-, 56- or 128-bit; FIPS
	 * mode swaps in 3DES but keeps the rest). The server's proprietary
	 * certificate is signed with the Terminal Services signing key whose
	 * private half is published in [MS-RDPBCGR] 5.3.3.1.1, so nothing
	 * authenticates the server and a man in the middle reads the session,
	 * the password of the Client Info PDU included; RC4 itself is
	 * prohibited in TLS by RFC 7465 for its keystream biases. Microsoft
	 * calls it the legacy mode and Enhanced RDP Security (TLS, CredSSP:
	 * 5.4) its replacement. A flow is Standard RDP Security when the
	 * server chose it: an RDP_NEG_RSP selecting PROTOCOL_RDP, or a
	 * Connect Response after a CC without negotiation (an old server; a
	 * CC without negotiation then nothing is not counted: xrdp set to
	 * TLS answers an old client that way and then disconnects), or a
	 * negotiation failure by which the server refuses TLS
	 * (SSL_NOT_ALLOWED_BY_SERVER, SSL_CERT_NOT_ON_SERVER: 2.2.1.2.2).
	 * High, as the cipher_broken kind of 12.1.2. Evidence: the
	 * encryption method of SC_SECURITY (2.2.1.4.3), 'selected' when only
	 * the RDP_NEG_RSP was seen, or the failure. */
	{ "12.3.1", "rdp_standard_security", "high", 1, true,
	  "protocol = 'rdp' AND ((rdp_sel = 'rdp' AND (rdp_neg = 'response' OR rdp_enc IS NOT NULL))"
	  " OR rdp_fail IN ('ssl_not_allowed_by_server', 'ssl_cert_not_on_server'))",
	  "COALESCE(rdp_enc, rdp_fail, 'selected')", "rdp_standard_security",
	  "RDP used Standard RDP Security (RC4, the server not authenticated) instead of TLS or CredSSP",
	  RP_CAUSE_SERVICE,
	  "Set the RDP server's security layer to TLS (SecurityLayer 2) and require Network Level Authentication (CredSSP), so that Standard RDP Security is never negotiated; update clients that cannot do NLA.",
	  REF_MS_RDP },
	/* SMB (issue 18; dissectors/smb.c). SMB1 (a dialect of the SMB1
	 * NEGOTIATE chosen: "NT LM 0.12" and older): no encryption at all,
	 * signing optional and weak (MD5), the protocol WannaCry/NotPetya
	 * spread through (MS17-010); Microsoft deprecated it (not installed
	 * by default since Windows 10 1709 / Server 2019) and tells to
	 * disable it. A client merely offering SMB1 in a multi-protocol
	 * NEGOTIATE that ends in SMB2/3 is not this kind. High. */
	{ "12.3.1", "smb1_negotiated", "high", 1, true,
	  "protocol = 'smb' AND smb_ver = 'SMB1'", "COALESCE(smb_dia, '?')", "smb_dialect",
	  "SMB1 was negotiated (no encryption, deprecated by Microsoft)", RP_CAUSE_SERVICE,
	  "Disable SMB1 on the server (Set-SmbServerConfiguration -EnableSMB1Protocol $false; server min protocol = SMB2_10 or higher in Samba) and replace the clients and devices that only speak SMB1.",
	  REF_MS_SMB1 },
	/* SMB2/3 without SMB 3.x encryption ([MS-SMB2] 3.1.4.3: only the
	 * TRANSFORM_HEADER of 2.2.41 protects the messages; signing, 3.1.4.1,
	 * protects integrity only): file contents, names and paths cross in
	 * clear. A session with transform headers on the wire is
	 * app_encrypted and passes. Medium, as the cleartext kind; the
	 * evidence says the dialect and whether the server required signing
	 * (SecurityMode, 2.2.4), so an unsigned session shows. */
	{ "12.3.1", "smb_unencrypted", "medium", 1, true,
	  "protocol = 'smb' AND security = 'cleartext' AND COALESCE(smb_ver, '') != 'SMB1'",
	  "COALESCE(smb_dia, '?') || '/signing ' || COALESCE(smb_sig, '?')", "smb_dialect_signing",
	  "an SMB2/3 session without SMB encryption (file contents in clear)", RP_CAUSE_SERVICE,
	  "Require SMB 3 encryption on the server or on the shares (Set-SmbServerConfiguration -EncryptData $true, or smb encrypt = required in Samba) and require signing; disable dialects below 3.0.",
	  REF_MS_SMB_ENC },
	/* NTLM in an SMB session set-up: SMB encryption and signing keys are
	 * derived from this exchange ([MS-SMB2] 3.3.5.5.3), so the
	 * SESSION_SETUP is always in clear, even in an encrypted session:
	 * the NTLMv1/v2 response is material for offline guessing ([MS-NLMP]
	 * 3.3; hashcat 5500/5600) and for relaying, whatever the security of
	 * the rest. Low, as ntlm_in_clear (which leaves SMB flows to these
	 * kinds), in a session in clear; in an encrypted session (transform
	 * headers on the wire) the connection is encrypted as 12.3.1 asks,
	 * so the same fact is an info finding that does not fail. */
	{ "12.3.1", "smb_ntlm_authentication", "low", 1, true,
	  "protocol = 'smb' AND authm = 'ntlm' AND security IN " CLEAR_STATES, "authm", "auth_mechanism",
	  "an SMB session authenticated with NTLM: its challenge-response crossed in clear", RP_CAUSE_SERVICE,
	  "Use Kerberos for SMB (domain-joined clients reaching the server by its name), restrict NTLM by Group Policy, and require SMB signing so that a relayed NTLM session is refused.",
	  REF_MS_NTLM },
	{ "12.3.1", "smb_ntlm_before_encryption", "info", 1, false,
	  "protocol = 'smb' AND authm = 'ntlm' AND security = 'app_encrypted'", "authm", "auth_mechanism",
	  "an encrypted SMB session set up with NTLM: the challenge-response preceded the encryption (not a violation)",
	  RP_CAUSE_SERVICE,
	  "Nothing to fix in the encryption itself; prefer Kerberos for SMB and restrict NTLM by Group Policy, since the NTLM exchange before the encryption can be guessed offline or relayed.",
	  REF_MS_NTLM },
	/* SSH-1 (an identification string 1.x) or a server offering 1.99 (it
	 * falls back to SSH-1: RFC 4253 §5.1): "the server must not fall back
	 * to insecure ... protocols", and 12.3.1 names SSH */
	{ "12.3.1", "ssh_protocol_1", "high", 1, true,
	  "ssh_p1 IS NOT NULL", "ssh_p1", "ssh_protocol",
	  "SSH protocol 1 was used, or a server offered it (1.99)", RP_CAUSE_SERVICE,
	  "Disable SSH protocol 1 on the server (Protocol 2 in old OpenSSH; current OpenSSH has no SSH-1) and replace the clients and devices that only speak SSH-1.",
	  REF_MOZ_SSH },
	/* 12.3.2 */
	{ "12.3.2", "client_accepted_untrusted", "high", 1, true,
	  "cacc = 1", "COALESCE(terr, 'untrusted')", "trust_error",
	  "a client completed the handshake with an untrusted or expired certificate", RP_CAUSE_CERT,
	  "Turn certificate validation on in the client (no verify=False, curl -k or InsecureSkipVerify: trust the issuing CA instead), and give the server a certificate that validates.",
	  REF_OWASP_TLS },
	{ "12.3.2", "client_accepted_wrong_host", "high", 1, true,
	  "COALESCE(cacc, 0) = 0 AND trusted = 1 AND hmatch = 0 AND est = 1", "COALESCE(sni, '')", "sni",
	  "a client completed the handshake with a certificate for another name", RP_CAUSE_CERT,
	  "Make the client check the certificate's name against the host it connects to (hostname verification, e.g. sslmode=verify-full), and give the server a certificate for that name.",
	  REF_RFC9525 },
	{ "12.3.2", "client_rejected_untrusted", "info", 1, false,
	  "crej = 1", "COALESCE(terr, 'untrusted')", "trust_error",
	  "a client rejected the server's certificate with a fatal alert (evidence for pass)", RP_CAUSE_CLIENT,
	  "Nothing to fix in the client (it rejected the certificate, as it should); give the server a certificate that its clients trust.",
	  REF_OWASP_TLS },
	/* 12.3.3 */
	{ "12.3.3", "internal_http_cleartext", "medium", 1, true,
	  "protocol = 'http' AND sz >= 0 AND cz >= 0 AND " NOT_ENCRYPTED " AND COALESCE(redir, 0) = 0",
	  "COALESCE(http_host, '')", "host",
	  "HTTP in clear between two internal hosts", RP_CAUSE_SERVICE,
	  "Use HTTPS between internal services as well (TLS on the internal listener, or a service mesh with mutual TLS), with certificates from an internal CA that the clients verify.",
	  REF_OWASP_MICRO },
	{ "12.3.3", "internal_http_redirect_only", "info", 1, false,
	  "protocol = 'http' AND sz >= 0 AND cz >= 0 AND " NOT_ENCRYPTED " AND redir = 1",
	  "COALESCE(http_host, '')", "host",
	  "internal plain-HTTP listener that redirects to https (not a violation)", RP_CAUSE_SERVICE,
	  "Nothing to fix in the redirect itself; point internal clients at the https URL directly, so that their first request does not cross in clear.",
	  REF_OWASP_TLS },
	/* 12.3.4 */
	{ "12.3.4", "internal_self_signed", "medium", 1, true,
	  "sz >= 0 AND cz >= 0 AND ncerts > 0 AND leaf_ss = 1 AND COALESCE(trusted, 0) = 0",
	  "COALESCE(terr, 'self_signed')", "trust_error",
	  "an internal TLS server presented a self-signed certificate that no configured anchor pins", RP_CAUSE_CERT,
	  "Issue the server's certificate from an internal CA and configure its clients to trust only that CA, or pin this self-signed certificate explicitly in each client.",
	  REF_OWASP_PIN },
	{ "12.3.4", "internal_untrusted_chain", "medium", 1, true,
	  "sz >= 0 AND cz >= 0 AND ncerts > 0 AND COALESCE(leaf_ss, 0) = 0 AND trusted = 0",
	  "COALESCE(terr, 'untrusted')", "trust_error",
	  "an internal TLS server's chain does not end in a configured (internal or public) CA", RP_CAUSE_CERT,
	  "Serve the full chain up to the internal CA, and configure the clients (and the report's --ca-file) with that CA as their trust anchor; replace certificates from unknown issuers.",
	  REF_OWASP_TLS },
	/* 12.3.5 */
	{ "12.3.5", "internal_no_client_cert", "medium", 1, true,
	  "sz >= 0 AND cz >= 0 AND ccert IN ('none','requested','empty') AND (vrank <= 4 OR hsdec = 1)", "ccert", "client_cert",
	  "internal service-to-service TLS without a client certificate", RP_CAUSE_CLIENT,
	  "Require client certificates between internal services (ssl_verify_client on in nginx, or a service mesh in strict mutual TLS mode), issued by an internal CA.",
	  REF_OWASP_MICRO },
	{ NULL, NULL, NULL, 0, false, NULL, NULL, NULL, NULL, RP_CAUSE_CONFIG, NULL, NULL },
};

/* ---- rollups ---- */

/* A rollup line gathers a kind's flows by one cause across servers: the
 * negotiated configuration (version, suite, key exchange group) for what a
 * server's TLS settings decide, the leaf certificate for what a certificate
 * decides, the client's JA4 for what a client decides, and the protocol and
 * security state for cleartext services. */
const char *rp_cause_sql(enum rp_cause c)
{
	switch (c) {
	case RP_CAUSE_CERT:
		return "COALESCE(leaf, '')";
	case RP_CAUSE_CLIENT:
		return "COALESCE(ja4, '')";
	case RP_CAUSE_SERVICE:
		return "COALESCE(protocol, '?') || ' ' || COALESCE(security, 'unknown')";
	case RP_CAUSE_SSH:
		return "COALESCE(ssh_hsrv, '')";
	case RP_CAUSE_CONFIG:
	default:
		return "COALESCE(ver, '?') || ' ' || COALESCE(cipher, '?') || COALESCE(' ' || kxg, '')";
	}
}

const char *rp_cause_name(enum rp_cause c)
{
	switch (c) {
	case RP_CAUSE_CERT: return "certificate";
	case RP_CAUSE_CLIENT: return "client_profile";
	case RP_CAUSE_SERVICE: return "service";
	case RP_CAUSE_SSH: return "ssh_server_profile";
	case RP_CAUSE_CONFIG:
	default: return "configuration";
	}
}

/* ---- SQL functions ---- */

static int rp_version_rank(const char *s)
{
	int i;
	char *end;
	long v;
	for (i = 0; rp_versions[i].name; i++)
		if (strcmp(s, rp_versions[i].name) == 0)
			return rp_versions[i].rank;
	/* numbers (772) or hex strings ("0x0304") */
	v = strtol(s, &end, 0);
	if (end != s && *end == 0)
		for (i = 0; rp_versions[i].name; i++)
			if (v == rp_versions[i].wire)
				return rp_versions[i].rank;
	return -1; /* GREASE and unknown values */
}

/* Class rank and forward secrecy of a suite through the TLS dissector's
 * generated table (src/tls_tables.c, tools/gen-tls-tables.py: IANA
 * Recommended column, Mozilla server-side TLS profiles, ASVS Appendix C). */
static int rp_suite(long id, int *fs)
{
	const struct tls_cipher_info *si;
	if (id < 0 || id > 0xffff || (si = tls_cipher_lookup((uint16_t)id)) == NULL || si->cls == NULL)
		return -1;
	*fs = si->forward_secrecy ? 1 : 0;
	if (strcmp(si->cls, "broken") == 0)
		return 0;
	if (strcmp(si->cls, "not_recommended") == 0)
		return 1;
	if (strcmp(si->cls, "recommended") == 0)
		return 2;
	return -1; /* "scsv" signalling values are not suites */
}

/* ---- classification of the stored profiles ----
 * The ClientHello and server profiles are few (one per client software
 * and configuration, one per server configuration), so the rules classify
 * each once, in C, into three temporary tables that the rf query joins:
 *   rp_cp (profile_id, cmax, c13, best_off, alpn_http, ech, status_request, ja4,
 *          pqo, pqks)  pqo/pqks: a post-quantum group offered in
 *          supported_groups / a key share sent for one (tls_group_is_pq)
 *   rp_sp (profile_id, ver, vrank, cipher, cclass, cfs, version, cipher_id)
 * (the last columns copied from the profile, so a flow needs one lookup
 * per profile, not two)
 *   rp_grp (id, name, pq)   names of the key exchange groups in use (the
 *                           selected and the HelloRetryRequest ones), pq 1
 *                           for a post-quantum (hybrid) group
 *   rp_tlsform (name)       protocols with a TLS form (rp_tls_form)
 * The store's SQL stays plain joins over typed columns. */

struct rp_prof_ins {
	struct rp_report *rep;
	int rc;
};

static void rp_num_or_null(char *buf, size_t n, const char **slot, long v, bool null)
{
	if (null) {
		*slot = NULL;
	} else {
		snprintf(buf, n, "%ld", v);
		*slot = buf;
	}
}

static int cb_cprof(const struct store_row *r, void *arg)
{
	struct rp_prof_ins *pi = arg;
	uint16_t v[TF_MAX_CIPHERS], n = 0, i;
	char b[9][24], name[24];
	const char *p[10];
	int pqo = 0, pqks = 0;
	int cmax = -1, c13 = -1, best = -1, fs, rank;
	bool alpn_http = false;
	const uint8_t *a;
	size_t al, o = 0;

	/* client_versions: supported_versions (GREASE apart), else legacy */
	if (!store_col_null(r, 2) && tf_u16_split(store_col_text(r, 2), v, TF_MAX_VERSIONS, &n) == 0) {
		for (i = 0; i < n; i++) {
			if (tls_is_grease(v[i]))
				continue;
			tls_version_name(v[i], name, sizeof(name));
			if ((rank = rp_version_rank(name)) < 0)
				continue;
			if (rank > cmax)
				cmax = rank;
			if ((rank == 5) > c13)
				c13 = rank == 5;
		}
	} else if (store_col_null(r, 2)) {
		tls_version_name((uint16_t)store_col_int(r, 1), name, sizeof(name));
		if ((rank = rp_version_rank(name)) >= 0) {
			cmax = rank;
			c13 = rank == 5;
		}
	}
	if (tf_u16_split(store_col_text(r, 3), v, TF_MAX_CIPHERS, &n) == 0)
		for (i = 0; i < n; i++) {
			int c = tls_is_grease(v[i]) ? -1 : rp_suite(v[i], &fs);
			if (c > best)
				best = c;
		}
	a = store_col_blob(r, 4, &al);
	while (a && o < al) {
		size_t l = a[o++];
		if (o + l > al)
			break;
		if ((l == 8 && memcmp(a + o, "http/1.1", 8) == 0) || (l == 2 && memcmp(a + o, "h2", 2) == 0) ||
		    (l == 8 && memcmp(a + o, "http/1.0", 8) == 0) || (l == 2 && memcmp(a + o, "h3", 2) == 0))
			alpn_http = true;
		o += l;
	}
	/* post-quantum readiness (docs/REPORT.md): groups, key shares */
	if (tf_u16_split(store_col_text(r, 8), v, TF_MAX_CIPHERS, &n) == 0)
		for (i = 0; i < n; i++)
			pqo |= tls_group_is_pq(v[i]);
	if (tf_u16_split(store_col_text(r, 9), v, TF_MAX_CIPHERS, &n) == 0)
		for (i = 0; i < n; i++)
			pqks |= tls_group_is_pq(v[i]);
	rp_num_or_null(b[7], sizeof(b[7]), &p[8], pqo, false);
	rp_num_or_null(b[8], sizeof(b[8]), &p[9], pqks, false);
	rp_num_or_null(b[0], sizeof(b[0]), &p[0], (long)store_col_int(r, 0), false);
	rp_num_or_null(b[1], sizeof(b[1]), &p[1], cmax, cmax < 0);
	rp_num_or_null(b[2], sizeof(b[2]), &p[2], c13, c13 < 0);
	rp_num_or_null(b[3], sizeof(b[3]), &p[3], best, best < 0);
	rp_num_or_null(b[4], sizeof(b[4]), &p[4], alpn_http, false);
	rp_num_or_null(b[5], sizeof(b[5]), &p[5], (long)store_col_int(r, 5), store_col_null(r, 5));
	rp_num_or_null(b[6], sizeof(b[6]), &p[6], (long)store_col_int(r, 6), store_col_null(r, 6));
	p[7] = store_col_text(r, 7);
	pi->rc = rp_q(pi->rep, "INSERT INTO rp_cp VALUES (?1, ?2, ?3, ?4, ?5, CAST(?6 AS INTEGER),"
		      " CAST(?7 AS INTEGER), ?8, CAST(?9 AS INTEGER), CAST(?10 AS INTEGER))", p, 10, rp_cb_noop, NULL);
	return pi->rc;
}

static int cb_sprof(const struct store_row *r, void *arg)
{
	struct rp_prof_ins *pi = arg;
	char b[8][32], ver[24];
	const char *p[8];
	bool sslv2 = strcmp(store_col_text(r, 1) ? store_col_text(r, 1) : "", "sslv2") == 0;
	long cipher = (long)store_col_int(r, 3);
	int rank, fs = 0, cls;
	const char *cname;

	tls_version_name((uint16_t)store_col_int(r, 2), ver, sizeof(ver));
	rank = rp_version_rank(ver);
	cls = rp_suite(cipher, &fs);
	if (sslv2) {
		cname = tls_sslv2_cipher_name((uint32_t)cipher);
	} else {
		const struct tls_cipher_info *ci = tls_cipher_lookup((uint16_t)cipher);
		cname = ci ? ci->name : NULL;
		if (cname == NULL) {
			snprintf(b[3], sizeof(b[3]), "0x%04lx", cipher);
			cname = b[3];
		}
	}
	if (cname == NULL) { /* an unknown SSLv2 CIPHER-KIND: as the rules always printed it */
		snprintf(b[3], sizeof(b[3]), "0x%04lX", cipher);
		cname = b[3];
	}
	p[3] = cname;
	rp_num_or_null(b[0], sizeof(b[0]), &p[0], (long)store_col_int(r, 0), false);
	p[1] = ver;
	rp_num_or_null(b[2], sizeof(b[2]), &p[2], rank, rank < 0);
	rp_num_or_null(b[4], sizeof(b[4]), &p[4], cls, cls < 0);
	rp_num_or_null(b[5], sizeof(b[5]), &p[5], fs, cls < 0);
	rp_num_or_null(b[6], sizeof(b[6]), &p[6], (long)store_col_int(r, 2), false);
	rp_num_or_null(b[7], sizeof(b[7]), &p[7], cipher, false);
	pi->rc = rp_q(pi->rep, "INSERT INTO rp_sp VALUES (?1, ?2, ?3, ?4, ?5, ?6, CAST(?7 AS INTEGER),"
		      " CAST(?8 AS INTEGER))", p, 8, rp_cb_noop, NULL);
	return pi->rc;
}

static int cb_group(const struct store_row *r, void *arg)
{
	struct rp_prof_ins *pi = arg;
	uint16_t g = (uint16_t)store_col_int(r, 0);
	const char *name = tls_group_name(g);
	char b[2][16];
	const char *p[3];
	snprintf(b[0], sizeof(b[0]), "%u", g);
	if (name == NULL) {
		snprintf(b[1], sizeof(b[1]), "0x%04x", g);
		name = b[1];
	}
	p[0] = b[0];
	p[1] = name;
	p[2] = tls_group_is_pq(g) ? "1" : "0";
	pi->rc = rp_q(pi->rep, "INSERT INTO rp_grp VALUES (?1, ?2, CAST(?3 AS INTEGER)) ON CONFLICT DO NOTHING",
		      p, 3, rp_cb_noop, NULL);
	return pi->rc;
}

int rp_rules_profiles(struct rp_report *rep)
{
	struct rp_prof_ins pi = { rep, 0 };
	if (rp_q_exec(rep, "CREATE TEMP TABLE rp_cp (profile_id INTEGER PRIMARY KEY, cmax INTEGER, c13 INTEGER,"
		      " best_off INTEGER, alpn_http INTEGER, ech INTEGER, status_request INTEGER, ja4 TEXT,"
		      " pqo INTEGER, pqks INTEGER)") != 0 ||
	    rp_q_exec(rep, "CREATE TEMP TABLE rp_sp (profile_id INTEGER PRIMARY KEY, ver TEXT, vrank INTEGER,"
		      " cipher TEXT, cclass INTEGER, cfs INTEGER, version INTEGER, cipher_id INTEGER)") != 0 ||
	    rp_q_exec(rep, "CREATE TEMP TABLE rp_grp (id INTEGER PRIMARY KEY, name TEXT, pq INTEGER)") != 0 ||
	    rp_q_exec(rep, "CREATE TEMP TABLE rp_tlsform (name TEXT PRIMARY KEY)") != 0)
		return -1;
	for (int i = 0; rp_tls_form[i]; i++) {
		const char *p[1] = { rp_tls_form[i] };
		if (rp_q(rep, "INSERT INTO rp_tlsform VALUES (lower(?1)) ON CONFLICT DO NOTHING", p, 1, rp_cb_noop, NULL) != 0)
			return -1;
	}
	if (store_query_rows(rep->st, "SELECT profile_id, legacy_version, versions, ciphers, alpn,"
			     " ech, status_request, ja4, groups, key_shares FROM tls_client_profiles",
			     NULL, 0, cb_cprof, &pi) != 0 ||
	    store_query_rows(rep->st, "SELECT profile_id, hello_format, version, cipher"
			     " FROM tls_server_profiles", NULL, 0, cb_sprof, &pi) != 0 ||
	    store_query_rows(rep->st, "SELECT kx_group FROM tls WHERE kx_group IS NOT NULL"
			     " UNION SELECT hrr_group FROM tls WHERE hrr_group IS NOT NULL",
			     NULL, 0, cb_group, &pi) != 0)
		return -1;
	return 0;
}

int rp_rules_register(struct rp_report *rep)
{
	(void)rep; /* the rules need no SQL function of their own (issue 12) */
	return 0;
}

/* ---- statuses ---- */

void rp_rules_judge(struct rp_req *r, int level)
{
	int i, nfail = 0, nwaived = 0, ninfo = 0;
	int64_t ffail = 0;
	char kinds[200] = "";
	size_t kl = 0;

	(void)level;
	for (i = 0; i < r->nfindings; i++) {
		const struct rp_finding *f = r->findings[i];
		if (f->failing) {
			nfail++;
			ffail += f->flows;
			if (strstr(kinds, f->k->kind) == NULL && kl + strlen(f->k->kind) + 3 < sizeof(kinds)) {
				kl += (size_t)snprintf(kinds + kl, sizeof(kinds) - kl, "%s%s",
						       kl ? ", " : "", f->k->kind);
			}
		} else if (f->waived) {
			nwaived++;
		} else {
			ninfo++;
		}
	}
	r->nfailing = nfail;
	if (nfail > 0) {
		r->status = "fail";
		snprintf(r->reason, sizeof(r->reason), "%d finding%s over %lld flow%s: %s%s",
			 nfail, nfail == 1 ? "" : "s", (long long)ffail, ffail == 1 ? "" : "s", kinds,
			 nwaived ? " (some findings waived)" : "");
	} else if (r->n_relevant == 0) {
		r->status = "not_observed";
		snprintf(r->reason, sizeof(r->reason), "no relevant traffic in the window");
	} else if (r->n_observable == 0) {
		r->status = "not_observable";
		snprintf(r->reason, sizeof(r->reason), "%lld relevant flow%s, but %s",
			 (long long)r->n_relevant, r->n_relevant == 1 ? "" : "s",
			 r->not_observable_why ? r->not_observable_why : "the deciding facts were not visible");
	} else {
		r->status = "pass";
		snprintf(r->reason, sizeof(r->reason), "%lld relevant flow%s observed, none violating%s%s",
			 (long long)r->n_observable, r->n_observable == 1 ? "" : "s",
			 nwaived ? "; waived findings listed" : "",
			 ninfo ? "; informational findings listed" : "");
		if (r->n_observable < r->n_relevant) {
			size_t l = strlen(r->reason);
			snprintf(r->reason + l, sizeof(r->reason) - l, " (%lld not observable)",
				 (long long)(r->n_relevant - r->n_observable));
		}
	}
}
