#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# mk-x509-fixtures.sh — regenerate the X.509 / OCSP fixtures in
# tests/data/x509/ used by tests/unit/test_x509.c, with the openssl CLI.
#
# Dates are fixed (openssl ca -startdate/-enddate) so verdicts do not change
# from year to year: the PKI is valid 2020-01-01..2049-12-31, the expired
# leaf 2020-01-01..2021-01-01, the not-yet-valid leaf 2045-01-01..2049-12-31.
# Private keys live in a temporary directory and are thrown away: only
# certificates and OCSP responses are written. Regenerating changes every
# key, fingerprint and the OCSP producedAt: update the expected values in
# tests/unit/test_x509.c (the test prints what it got) and review them.
#
# Usage: tools/mk-x509-fixtures.sh [OUTDIR]   (default tests/data/x509)
set -eu
OUT=${1:-$(dirname "$0")/../tests/data/x509}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
T=$(mktemp -d /tmp/mk-x509.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"

START=20200101000000Z
END=20491231235959Z
export OPENSSL_CONF=/dev/null

cat > ca.cnf <<'CNF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
preserve = yes
[ policy_any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ v3_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_server ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:server.wireaudit.test, DNS:*.wild.wireaudit.test, IP:192.0.2.10, IP:2001:db8::10
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_other ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.wireaudit.test
authorityKeyIdentifier = keyid:always
[ v3_selfsigned ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:server.wireaudit.test
[ v3_client ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:client.wireaudit.test
authorityKeyIdentifier = keyid:always
[ v3_ocsp ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
CNF
mkdir newcerts
: > index.txt
echo 1000 > serial

key() { # name algorithm-options...
	n=$1; shift
	openssl genpkey -out "$n.key" "$@" 2>/dev/null
}
csr() { # name subject
	openssl req -new -config ca.cnf -key "$1.key" -subj "$2" -out "$1.csr"
}
sign() { # name signer-cert signer-key extensions [start end [md [serial]]]
	n=$1 cert=$2 k=$3 ext=$4 s=${5:-$START} e=${6:-$END} md=${7:-sha256}
	[ -n "${8:-}" ] && echo "$8" > serial
	if [ "$cert" = self ]; then
		openssl ca -batch -config ca.cnf -selfsign -keyfile "$k" -in "$n.csr" -out "$n.pem" \
			-extensions "$ext" -startdate "$s" -enddate "$e" -md "$md" -notext 2>/dev/null
	else
		openssl ca -batch -config ca.cnf -cert "$cert" -keyfile "$k" -in "$n.csr" -out "$n.pem" \
			-extensions "$ext" -startdate "$s" -enddate "$e" -md "$md" -notext 2>/dev/null
	fi
}
RSA="-algorithm RSA -pkeyopt rsa_keygen_bits:2048"

key root $RSA;  csr root "/O=wireaudit fixtures/CN=wireaudit Fixture Root CA"
sign root self root.key v3_root
key inter $RSA; csr inter "/O=wireaudit fixtures/CN=wireaudit Fixture Intermediate CA"
sign inter root.pem root.key v3_inter

# leaf: serial C0FFEE01 (high bit set: DER content 00 c0 ff ee 01)
key leaf $RSA;  csr leaf "/O=wireaudit fixtures/CN=server.wireaudit.test"
sign leaf inter.pem inter.key v3_server $START $END sha256 C0FFEE01
cp leaf.key expired.key; csr expired "/O=wireaudit fixtures/CN=server.wireaudit.test"
sign expired inter.pem inter.key v3_server 20200101000000Z 20210101000000Z sha256 2001
cp leaf.key notyet.key; csr notyet "/O=wireaudit fixtures/CN=server.wireaudit.test"
sign notyet inter.pem inter.key v3_server 20450101000000Z $END
key wronghost $RSA; csr wronghost "/O=wireaudit fixtures/CN=other.wireaudit.test"
sign wronghost inter.pem inter.key v3_other
key rsa1024 -algorithm RSA -pkeyopt rsa_keygen_bits:1024
csr rsa1024 "/O=wireaudit fixtures/CN=server.wireaudit.test"
sign rsa1024 inter.pem inter.key v3_server
cp leaf.key sha1.key; csr sha1 "/O=wireaudit fixtures/CN=server.wireaudit.test"
sign sha1 inter.pem inter.key v3_server $START $END sha1
key ec256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
csr ec256 "/O=wireaudit fixtures/CN=server.wireaudit.test"
sign ec256 inter.pem inter.key v3_server
key ed25519 -algorithm ED25519
csr ed25519 "/O=wireaudit fixtures/CN=server.wireaudit.test"
sign ed25519 inter.pem inter.key v3_server
key client $RSA; csr client "/O=wireaudit fixtures/CN=client.wireaudit.test"
sign client inter.pem inter.key v3_client
# a name that needs escaping in RFC 4514 and in JSON, and is not ASCII
key utf8 -algorithm EC -pkeyopt ec_paramgen_curve:P-384
openssl req -new -config ca.cnf -utf8 -key utf8.key -out utf8.csr \
	-subj "/O=$(printf 'M\303\274ller') \"Quoted\", Inc./CN=server.wireaudit.test"
sign utf8 inter.pem inter.key v3_server
# self-signed leaf, not a CA
key selfsigned $RSA; csr selfsigned "/O=wireaudit fixtures/CN=server.wireaudit.test"
sign selfsigned self selfsigned.key v3_selfsigned
# a leaf "issued" by another leaf (not a CA): invalid_ca
cp leaf.key notca.key; csr notca "/O=wireaudit fixtures/CN=notca.wireaudit.test"
sed 's/^authorityKeyIdentifier.*//' ca.cnf > ca2.cnf
openssl ca -batch -config ca2.cnf -cert leaf.pem -keyfile leaf.key -in notca.csr -out notca.pem \
	-extensions v3_selfsigned -startdate $START -enddate $END -notext 2>/dev/null

# OCSP: a responder certificate issued by the intermediate; wronghost revoked
key ocsp $RSA; csr ocsp "/O=wireaudit fixtures/CN=wireaudit Fixture OCSP"
sign ocsp inter.pem inter.key v3_ocsp
openssl ca -batch -config ca.cnf -revoke wronghost.pem -crl_reason keyCompromise \
	-cert inter.pem -keyfile inter.key 2>/dev/null
ocsp_resp() { # cert out
	openssl ocsp -issuer inter.pem -cert "$1" -no_nonce -reqout "$1.req" 2>/dev/null
	openssl ocsp -index index.txt -rsigner ocsp.pem -rkey ocsp.key -CA inter.pem \
		-reqin "$1.req" -respout "$2" -ndays 10000 2>/dev/null
}
ocsp_resp leaf.pem ocsp-good.der
ocsp_resp wronghost.pem ocsp-revoked.der
ocsp_resp root.pem ocsp-unknown.der   # root.pem is not in the intermediate's index

for f in root inter leaf expired notyet wronghost rsa1024 sha1 ec256 ed25519 client utf8 \
	 selfsigned notca ocsp; do
	openssl x509 -in "$f.pem" -out "$OUT/$f.pem"
done
cp ocsp-good.der ocsp-revoked.der ocsp-unknown.der "$OUT/"
echo "fixtures written to $OUT"
