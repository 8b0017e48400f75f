# SPDX-License-Identifier: BSD-3-Clause
# asvs5.profile — OWASP ASVS 5.0.0, chapter V12 (Secure Communication): the
# report's own rules (src/report/rules.c, docs/REPORT-RULES.md), as a profile
# so that a multi-profile report puts them in its matrix. Each rule takes the
# status the V12 section of the report gives the requirement at the chosen
# --level; nothing is judged twice. Hand-written; the requirement texts are
# in tools/refdata/owasp-asvs-5.0.0/ (CC BY-SA 4.0).
profile asvs5
title OWASP ASVS 5.0.0, V12 Secure Communication
version 5.0.0 (May 2025)
source https://github.com/OWASP/ASVS/blob/v5.0.0/5.0/en/0x21-V12-Secure-Communication.md
note The V12.1 introduction (separate certificates per environment) is guidance, shown in the V12 section and never counted.
note Requirements above the report's --level are not judged (not observed here).

rule 12.1.1
  clause ASVS 5.0.0 V12.1.1 (L1): "only the latest recommended versions of the TLS protocol are enabled, such as TLS 1.2 and TLS 1.3"
  title Only TLS 1.2 and 1.3 enabled, the latest preferred
  check asvs 12.1.1
rule 12.1.2
  clause ASVS 5.0.0 V12.1.2 (L2): "only recommended cipher suites are enabled, with the strongest cipher suites set as preferred"
  title Only recommended cipher suites, the strongest preferred
  check asvs 12.1.2
rule 12.1.3
  clause ASVS 5.0.0 V12.1.3 (L2): "mTLS client certificates are trusted before using the certificate identity"
  title mTLS client certificates validated as trusted
  check asvs 12.1.3
rule 12.1.4
  clause ASVS 5.0.0 V12.1.4 (L3): "proper certification revocation, such as Online Certificate Status Protocol (OCSP) Stapling, is enabled and configured"
  title Certificate revocation checked (OCSP stapling)
  check asvs 12.1.4
rule 12.1.5
  clause ASVS 5.0.0 V12.1.5 (L3): "Encrypted Client Hello (ECH) is enabled in the application's TLS settings"
  title Encrypted Client Hello (ECH) enabled
  check asvs 12.1.5
rule 12.2.1
  clause ASVS 5.0.0 V12.2.1 (L1): "TLS is used for all connectivity between a client and external facing, HTTP-based services"
  title TLS for all external HTTP, no cleartext fallback
  check asvs 12.2.1
rule 12.2.2
  clause ASVS 5.0.0 V12.2.2 (L1): "external facing services use publicly trusted TLS certificates"
  title Publicly trusted certificates on external services
  check asvs 12.2.2
rule 12.3.1
  clause ASVS 5.0.0 V12.3.1 (L2): "an encrypted protocol such as TLS is used for all inbound and outbound connections"
  title Encrypted protocols for every connection, no fallback
  check asvs 12.3.1
rule 12.3.2
  clause ASVS 5.0.0 V12.3.2 (L2): "TLS clients validate certificates received before communicating with a TLS server"
  title TLS clients validate server certificates
  check asvs 12.3.2
rule 12.3.3
  clause ASVS 5.0.0 V12.3.3 (L2): "TLS or another appropriate transport encryption mechanism used for all connectivity between internal, HTTP-based services"
  title TLS between internal HTTP services, no fallback
  check asvs 12.3.3
rule 12.3.4
  clause ASVS 5.0.0 V12.3.4 (L2): "TLS connections between internal services use trusted certificates"
  title Trusted certificates between internal services
  check asvs 12.3.4
rule 12.3.5
  clause ASVS 5.0.0 V12.3.5 (L3): "services communicating internally within a system (intra-service communications) use strong authentication"
  title Strong mutual authentication between internal services
  check asvs 12.3.5
