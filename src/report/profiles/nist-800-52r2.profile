# SPDX-License-Identifier: BSD-3-Clause
# nist-800-52r2.profile: hand-written (not generated), checked by
# `tools/gen-profiles.py --check` (tests/gen-profiles.sh). Server-side
# requirements of NIST SP 800-52 Rev. 2; the quotations and section numbers
# were checked against copies of the text quoted in public sources, not
# against the PDF itself: see the last note.

profile nist-800-52r2
title NIST SP 800-52 Rev. 2, Guidelines for the Selection, Configuration, and Use of Transport Layer Security (TLS) Implementations (server requirements)
version Revision 2 (August 2019)
source https://doi.org/10.6028/NIST.SP.800-52r2
note the profile judges servers that support government-only applications (section 3.1); servers of citizen or business-facing applications may also be configured for TLS 1.1 and TLS 1.0 (section 3.1, Appendix F), which rule 3.1-versions reports as violations
note not judged: FIPS 140 validation of the cryptographic module, the RSA key transport suites that Appendix D allows for a transition period, the mandatory extensions other than certificate status request (renegotiation indication, server name indication, extended master secret, signature algorithms), and what a server supports beyond what its observed handshakes negotiated
note no groups rule: the Supported Groups requirements of Rev. 2 (a conditional TLS extension under section 3.4) were not verified here, including whether x25519 and x448 are permitted; negotiated groups are not judged by this profile
note sources of the section numbers: 3.3.1.1.1, 3.3.1.1.2 and 3.3.1.2 as cited in aws/s2n-tls (crypto/s2n_fips_rules.c); 3.1, 3.3.1.1.4, 3.3.1.1.5 and 3.4 as cited in secondary summaries of Rev. 2; 3.2 and 3.2.1 as cited in the stfbk TLS compliance dataset; 3.3.1.1.3 (DSA certificates) by its place between 3.3.1.1.2 and 3.3.1.1.4 (section number not verified); the subsection of 3.4 that makes certificate status request mandatory (3.4.1, "mandatory TLS extensions") was not verified

rule 3.1-versions
clause 3.1 (Protocol Version Support): "Servers that support government-only applications shall be configured to use TLS 1.2 and should be configured to use TLS 1.3 as well. These servers should not be configured to use TLS 1.1 and shall not use TLS 1.0, SSL 3.0, or SSL 2.0."
title negotiated protocol version is TLS 1.2 or TLS 1.3
check versions TLSv1.2 TLSv1.3

rule 3.1-tls13
clause 3.1 (Protocol Version Support): "Agencies shall support TLS 1.3 by January 1, 2024. After this date, servers shall support TLS 1.3 for both government-only and citizen or business-facing applications."
title a client that offers TLS 1.3 gets TLS 1.3
check tls13_supported

rule 3.3.1-suites
clause 3.3.1.1 (cipher suites for TLS 1.2 and earlier versions: 3.3.1.1.1 ECDSA certificates, 3.3.1.1.2 RSA certificates, 3.3.1.1.3 DSA certificates, 3.3.1.1.4 DH certificates, 3.3.1.1.5 ECDH certificates) and 3.3.1.2 (cipher suites for TLS 1.3): the cipher suites a server may be configured to support, e.g. "TLS 1.2 servers that are configured with ECDSA certificates may be configured to support the following cipher suites"; RSA key transport suites only in Appendix D, for a transition period
title negotiated cipher suite is one the guideline lists for TLS 1.2 and earlier or for TLS 1.3
check suites TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 TLS_ECDHE_ECDSA_WITH_AES_128_CCM TLS_ECDHE_ECDSA_WITH_AES_256_CCM TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 TLS_DHE_RSA_WITH_AES_128_CCM TLS_DHE_RSA_WITH_AES_256_CCM TLS_DHE_RSA_WITH_AES_128_CCM_8 TLS_DHE_RSA_WITH_AES_256_CCM_8 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 TLS_DHE_RSA_WITH_AES_256_CBC_SHA256 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA TLS_DHE_RSA_WITH_AES_128_CBC_SHA TLS_DHE_RSA_WITH_AES_256_CBC_SHA TLS_DHE_DSS_WITH_AES_128_GCM_SHA256 TLS_DHE_DSS_WITH_AES_256_GCM_SHA384 TLS_DHE_DSS_WITH_AES_128_CBC_SHA256 TLS_DHE_DSS_WITH_AES_256_CBC_SHA256 TLS_DHE_DSS_WITH_AES_128_CBC_SHA TLS_DHE_DSS_WITH_AES_256_CBC_SHA TLS_DH_DSS_WITH_AES_128_GCM_SHA256 TLS_DH_DSS_WITH_AES_256_GCM_SHA384 TLS_DH_DSS_WITH_AES_128_CBC_SHA256 TLS_DH_DSS_WITH_AES_256_CBC_SHA256 TLS_DH_DSS_WITH_AES_128_CBC_SHA TLS_DH_DSS_WITH_AES_256_CBC_SHA TLS_DH_RSA_WITH_AES_128_GCM_SHA256 TLS_DH_RSA_WITH_AES_256_GCM_SHA384 TLS_DH_RSA_WITH_AES_128_CBC_SHA256 TLS_DH_RSA_WITH_AES_256_CBC_SHA256 TLS_DH_RSA_WITH_AES_128_CBC_SHA TLS_DH_RSA_WITH_AES_256_CBC_SHA TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256 TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384 TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256 TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384 TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256 TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384 TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256 TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384 TLS_ECDH_RSA_WITH_AES_128_CBC_SHA TLS_ECDH_RSA_WITH_AES_256_CBC_SHA TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_AES_128_CCM_SHA256 TLS_AES_128_CCM_8_SHA256

rule 3.2-trusted
clause 3.2 (Server Keys and Certificates): "TLS servers shall be configured with certificates issued by a CA that publishes revocation information in Online Certificate Status Protocol (OCSP) responses."
title the server's certificate chain validates to a trust anchor (a CA-issued certificate)
check cert_trusted

rule 3.2.1-key-size
clause 3.2.1 (Server Certificate Profile): "both the public key contained in the certificate and the signature shall provide at least 112 bits of security"; certificate profile table: rsaEncryption "2048-bit RSA key modulus or other approved lengths", ecPublicKey "The curve should be P-256 or P-384"
title leaf key is at least 2048 bits (RSA/DSA) or 224 bits (EC): 112-bit security (P-256 or P-384 recommended)
check cert_key_min 2048 224

rule 3.2.1-signature
clause 3.2.1 (Server Certificate Profile), certificate profile table, signature algorithm by CA key type: sha256WithRSAEncryption "or stronger", id-RSASSA-PSS, ecdsa-with-SHA256 "or stronger", id-dsa-with-sha256 "or stronger"
title leaf certificate signature hash is SHA-256 or stronger
check cert_sig_hash sha256 sha384 sha512

rule 3.2.1-hostname
clause 3.2.1 (Server Certificate Profile), certificate profile table: Subject Alternative Name "DNS host name, or IP address if there is no DNS name assigned", required
title the server certificate names the requested server (SNI)
check cert_hostname

rule 3.4-ocsp-stapling
clause 3.4 (TLS Extension Support), mandatory TLS extensions: the server shall support the Certificate Status Request extension (status_request, OCSP stapling) (subsection number not verified)
title a client that asks (status_request) gets a stapled OCSP response
check ocsp_stapling
