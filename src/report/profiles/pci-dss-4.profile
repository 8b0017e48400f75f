# SPDX-License-Identifier: BSD-3-Clause
# pci-dss-4.profile: hand-written (not generated), checked by
# `tools/gen-profiles.py --check` (tests/gen-profiles.sh). Requirement texts
# are quoted from PCI DSS v4.0.1 (June 2024) and the PCI SSC glossary entry
# "Strong Cryptography"; PCI DSS names no protocol version, cipher suite or
# group, so every mapping to a check below says what it reads into the text.

profile pci-dss-4
title PCI DSS v4.0.1, requirements 4.2.1 and 4.2.1.1 (PAN over open, public networks) and 8.3.2 (authentication factors in transmission)
version 4.0.1 (June 2024)
source https://www.pcisecuritystandards.org/document_library/ (PCI DSS v4.0.1); glossary: https://www.pcisecuritystandards.org/glossary/strong-cryptography/
note a passive observer cannot tell which flows carry PAN: the 4.2.1 rules are scoped to flows with an external client or server (open, public networks) and judge all of them; narrow the capture or the report to the cardholder data environment's flows
note 4.2.1.1 (An inventory of the entity's trusted keys and certificates used to protect PAN during transmission is maintained): the report adds the inventory of the certificates it observed, as input to that inventory; whether the entity maintains one is not observable
note not judged: 4.2.1 "the encryption strength is appropriate for the encryption methodology in use" for the bulk cipher (PCI DSS lists no cipher suites and does not require forward secrecy, so this profile has no suites or forward_secrecy rule); 4.2.1.2 (wireless networks) and 4.2.2 (PAN sent via end-user messaging technologies), which are not visible as TLS facts
note "does not support fallback to ... insecure versions" is judged on negotiated versions only: a server that still accepts TLS 1.0 from a client that offers it is seen only when such a client appears in the capture
inventory certificates

rule 4.2.1-trusted
clause 4.2.1: "Strong cryptography and security protocols are implemented as follows to safeguard PAN during transmission over open, public networks: Only trusted keys and certificates are accepted."
title the server's certificate chain validates to a trust anchor
scope external
check cert_trusted

rule 4.2.1-cert-valid
clause 4.2.1: "Certificates used to safeguard PAN during transmission over open, public networks are confirmed as valid and are not expired or revoked." (a best practice until 31 March 2025, required since)
title the server certificate is within its validity period
scope external
check cert_dates

rule 4.2.1-not-revoked
clause 4.2.1: "Certificates used to safeguard PAN during transmission over open, public networks are confirmed as valid and are not expired or revoked." (a best practice until 31 March 2025, required since)
title no stapled OCSP response says the server certificate is revoked
scope external
check not_revoked

rule 4.2.1-hostname
clause 4.2.1: "Certificates ... are confirmed as valid" (read here as: valid for the server name the client asked for)
title the server certificate matches the requested server name (SNI)
scope external
check cert_hostname

rule 4.2.1-versions
clause 4.2.1: "The protocol in use supports only secure versions or configurations and does not support fallback to, or use of insecure versions, algorithms, key sizes, or implementations." (PCI DSS names no version; this profile treats SSL, TLS 1.0 and TLS 1.1 as insecure versions)
title negotiated protocol version is TLS 1.2 or TLS 1.3
scope external
check versions TLSv1.2 TLSv1.3

rule 4.2.1-key-size
clause 4.2.1: "The encryption strength is appropriate for the encryption methodology in use."; glossary "Strong Cryptography": "key lengths that provide a minimum of 112-bits of effective key strength ... RSA (2048 bits and higher), ECC (224 bits and higher), and DSA/D-H (2048/224 bits and higher)"
title leaf key is at least 2048 bits (RSA/DSA) or 224 bits (EC): 112-bit strength
scope external
check cert_key_min 2048 224

rule 4.2.1-dh-size
clause 4.2.1: "The encryption strength is appropriate for the encryption methodology in use."; glossary "Strong Cryptography": "a minimum of 112-bits of effective key strength ... DSA/D-H (2048/224 bits and higher)"
title finite-field Diffie-Hellman group has at least 2048 bits
scope external
check dh_min_bits 2048

rule 4.2.1-encrypted
clause 4.2.1: "Strong cryptography and security protocols are implemented as follows to safeguard PAN during transmission over open, public networks"
title no protocol that has a TLS form runs in clear, refuses TLS or skips STARTTLS over open, public networks
scope external
check encrypted_transport

rule 8.3.2-credentials
clause 8.3.2: "Strong cryptography is used to render all authentication factors unreadable during transmission and storage on all system components."
title no credentials (passwords, authentication exchanges) cross the network in clear
check no_cleartext_credentials
