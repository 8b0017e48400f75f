#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# report-profiles.sh — compliance profiles (issue 19 part 1, docs/PROFILES.md):
# every rule of every built-in profile other than asvs5 (whose rules are the
# V12 requirements, tested by report*.sh) has a capture it passes on and one
# it fails on, with the exact violating flows and evidence; the failing
# capture's name says what is wrong in it, so the evidence is checked
# against something other than this code (pcaps/tls/README.md says how each
# was made: real peers in namespaces, or hand-built ones in tls-crafted).
# Then: the matrix, the exit status, the default (asvs5 alone: no new
# section, the report as before), a profile from a file, the file parser's
# errors, Mozilla classes, the certificate inventory, and every format.
# --internal 192.0.2.255/32: every lab address is "external", so the PCI
# rules (scope external: open, public networks) apply; --ca-file: the lab
# CA is the trust anchor, so the good chain passes.
. "$SRCDIR/tests/lib.sh"

P=$SRCDIR/pcaps
declare -A DB
for f in tls/tls12-good-chain tls/tls12-self-signed tls/tls12-expired-cert tls/tls12-ocsp-stapled-good \
	tls/tls12-ocsp-stapled-revoked tls/tls12-wrong-host-curl tls/tls12-wrong-host-openssl \
	tls/tls10-ecdhe-rsa-aes128-sha tls/tls11-ecdhe-rsa-aes256-sha tls/tls12-weak-rsa1024-leaf \
	tls/tls12-dhe-rsa-1024 plain/ftp-auth-tls plain/ftp-cleartext tls/tls13-basic-nginx-curl \
	plain/http-redirect-to-https tls/tls12-rsa-null-sha256 tls/tls12-sha1-signed-leaf \
	tls/tls12-status-request-no-staple tls-crafted/sslv3-rc4 tls/tls12-rsa-3des-gnutls plain/ldaps-636 \
	tls/tls12-port8443-nginx-ecdsa tls-crafted/tls13-pq-kyber-draft tls/tls12-ecdhe-rsa-aes128-cbc-sha; do
	DB[$(basename "$f")]=$(t_capture "$P/$f.pcap")
done
RO=(--internal 192.0.2.255/32 --ca-file "$P/tls/test-ca.pem")

# rule PROFILE RULE PASS_CAPTURE FAIL_CAPTURE "VIOLATING_FLOWS EVIDENCE"
rule() {
	local got
	got=$("$WIREAUDIT" report -d "${DB[$3]}" "${RO[@]}" -F json --profile "$1" |
		jq -r --arg r "$2" '.profiles.results[0].rules[] | select(.id == $r) | .status')
	t_is "$got" pass "$1 $2 passes on $3"
	got=$("$WIREAUDIT" report -d "${DB[$4]}" "${RO[@]}" -F json --profile "$1" |
		jq -r --arg r "$2" '.profiles.results[0].rules[] | select(.id == $r) |
			"\(.status) \(.violating_flows) \(.violating_servers) \(.servers[0].evidence)"')
	t_is "$got" "fail $5" "$1 $2 fails on $4: $5"
}

rule pci-dss-4 4.2.1-trusted tls12-good-chain tls12-self-signed "1 1 self_signed=1"
rule pci-dss-4 4.2.1-cert-valid tls12-good-chain tls12-expired-cert "1 1 expired=1"
rule pci-dss-4 4.2.1-not-revoked tls12-ocsp-stapled-good tls12-ocsp-stapled-revoked "1 1 revoked=1"
rule pci-dss-4 4.2.1-hostname tls12-good-chain tls12-wrong-host-curl "1 1 server.wireaudit.test=1"
rule pci-dss-4 4.2.1-versions tls12-good-chain tls10-ecdhe-rsa-aes128-sha "1 1 TLSv1.0=1"
rule pci-dss-4 4.2.1-key-size tls12-good-chain tls12-weak-rsa1024-leaf "1 1 RSA 1024 bits=1"
rule pci-dss-4 4.2.1-dh-size tls12-good-chain tls12-dhe-rsa-1024 "1 1 ffdhe 1024 bits=1"
rule pci-dss-4 4.2.1-encrypted ftp-auth-tls ftp-cleartext "1 1 ftp cleartext=1"
rule pci-dss-4 8.3.2-credentials ftp-auth-tls ftp-cleartext "1 1 ftp password=1"
rule nist-800-52r2 3.1-versions tls12-good-chain tls11-ecdhe-rsa-aes256-sha "1 1 TLSv1.1=1"
rule nist-800-52r2 3.1-tls13 tls13-basic-nginx-curl http-redirect-to-https "1 1 TLSv1.2=1"
rule nist-800-52r2 3.3.1-suites tls12-good-chain tls12-rsa-null-sha256 "1 1 TLS_RSA_WITH_NULL_SHA256=1"
rule nist-800-52r2 3.2-trusted tls12-good-chain tls12-self-signed "1 1 self_signed=1"
rule nist-800-52r2 3.2.1-key-size tls12-good-chain tls12-weak-rsa1024-leaf "1 1 RSA 1024 bits=1"
rule nist-800-52r2 3.2.1-signature tls12-good-chain tls12-sha1-signed-leaf "1 1 sha1=1"
rule nist-800-52r2 3.2.1-hostname tls12-good-chain tls12-wrong-host-openssl "1 1 server.wireaudit.test=1"
rule nist-800-52r2 3.4-ocsp-stapling tls12-ocsp-stapled-good tls12-status-request-no-staple "1 1 no stapled response=1"
rule bsi-tr-02102-2 versions tls12-good-chain sslv3-rc4 "1 1 SSLv3=1"
rule bsi-tr-02102-2 cipher-suites tls12-good-chain tls12-rsa-3des-gnutls "1 1 TLS_RSA_WITH_3DES_EDE_CBC_SHA=1"
rule bsi-tr-02102-2 groups ldaps-636 tls12-good-chain "1 1 x25519=1"
rule bsi-tr-02102-2 dh-key-length tls12-good-chain tls12-dhe-rsa-1024 "1 1 ffdhe 1024 bits=1"
rule bsi-tr-02102-2 certificate-key-length tls12-port8443-nginx-ecdsa tls12-good-chain "1 1 RSA 2048 bits=1"
rule bsi-tr-02102-2 certificate-signature-hash tls12-good-chain tls12-sha1-signed-leaf "1 1 sha1=1"
rule mozilla-modern tls_versions tls13-basic-nginx-curl tls12-good-chain "1 1 TLSv1.2=1"
rule mozilla-modern ciphers tls13-basic-nginx-curl tls12-good-chain "1 1 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384=1"
rule mozilla-modern tls_curves tls13-basic-nginx-curl tls13-pq-kyber-draft "1 1 X25519Kyber768Draft00=1"
rule mozilla-modern certificate_key tls12-port8443-nginx-ecdsa tls12-good-chain "1 1 RSA 2048 bits=1"
rule mozilla-modern certificate_signatures tls12-good-chain tls12-sha1-signed-leaf "1 1 sha1=1"
rule mozilla-modern ocsp_staple tls12-ocsp-stapled-good tls12-status-request-no-staple "1 1 no stapled response=1"
rule mozilla-intermediate tls_versions tls12-good-chain tls10-ecdhe-rsa-aes128-sha "1 1 TLSv1.0=1"
rule mozilla-intermediate ciphers tls12-good-chain tls12-ecdhe-rsa-aes128-cbc-sha "1 1 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA=1"
rule mozilla-intermediate tls_curves tls12-good-chain tls13-pq-kyber-draft "1 1 X25519Kyber768Draft00=1"
rule mozilla-intermediate dh_param_size tls12-good-chain tls12-dhe-rsa-1024 "1 1 ffdhe 1024 bits=1"
rule mozilla-intermediate certificate_key tls12-good-chain tls12-weak-rsa1024-leaf "1 1 RSA 1024 bits=1"
rule mozilla-intermediate certificate_signatures tls12-good-chain tls12-sha1-signed-leaf "1 1 sha1=1"
rule mozilla-intermediate ocsp_staple tls12-ocsp-stapled-good tls12-status-request-no-staple "1 1 no stapled response=1"
rule mozilla-old tls_versions tls10-ecdhe-rsa-aes128-sha sslv3-rc4 "1 1 SSLv3=1"
rule mozilla-old ciphers tls12-ecdhe-rsa-aes128-cbc-sha tls12-rsa-null-sha256 "1 1 TLS_RSA_WITH_NULL_SHA256=1"
rule mozilla-old tls_curves tls12-good-chain tls13-pq-kyber-draft "1 1 X25519Kyber768Draft00=1"
rule mozilla-old dh_param_size tls12-good-chain tls12-dhe-rsa-1024 "1 1 ffdhe 1024 bits=1"
rule mozilla-old certificate_key tls12-good-chain tls12-weak-rsa1024-leaf "1 1 RSA 1024 bits=1"
rule mozilla-old certificate_signatures tls12-good-chain tls12-sha1-signed-leaf "1 1 sha1=1"
rule mozilla-old ocsp_staple tls12-ocsp-stapled-good tls12-status-request-no-staple "1 1 no stapled response=1"

# every rule of the six is covered above: the count of rule() calls per profile
for p in pci-dss-4 nist-800-52r2 bsi-tr-02102-2 mozilla-modern mozilla-intermediate mozilla-old; do
	n=$("$WIREAUDIT" report -d "${DB[tls12-good-chain]}" -F json --profile $p | jq '.profiles.results[0].rules | length')
	t_is "$(grep -c "^rule $p " "$SRCDIR/tests/report-profiles.sh")" "$n" "$p: all $n rules have a pass and a fail capture here"
done

# ---- one database of them all: matrix, exit status, formats ----
all=$(t_capture "$P/tls/tls12-good-chain.pcap" "$P/tls/tls12-dhe-rsa-1024.pcap" "$P/tls/tls13-basic-nginx-curl.pcap" \
	"$P/plain/ftp-cleartext.pcap" "$P/tls/tls12-port8443-nginx-ecdsa.pcap")
"$WIREAUDIT" report -d "$all" "${RO[@]}" -F json --profile asvs5 --profile pci-dss-4 --profile mozilla-intermediate > "$T_TMP/all.json"
t_is "$?" 6 "a failing profile: exit 6"
t_is "$(jq -r '.profiles.selected | join(" ")' "$T_TMP/all.json")" "asvs5 pci-dss-4 mozilla-intermediate" "selected profiles in the order given"
t_is "$(jq -r '.profiles.matrix[] | "\(.topic): \(.cells.asvs5) \(.cells["pci-dss-4"]) \(.cells["mozilla-intermediate"])"' "$T_TMP/all.json")" \
"Protocol versions: pass pass pass
Cipher suites: fail null fail
Key exchange: null fail fail
Certificate validity and trust: pass pass null
Certificate keys and signatures: null pass pass
Revocation (OCSP): not_observed not_observable not_observed
Encryption of every connection: fail fail null
Client authentication (mTLS): not_observable null null
Metadata protection (ECH): not_observed null null" "matrix: topic x profile, the worst rule status per cell, null without a rule"
t_is "$(jq -r '.profiles.results[] | "\(.name) \(.status) \(.fail) \(.pass) \(.not_observable) \(.not_observed)"' "$T_TMP/all.json")" \
"asvs5 fail 2 2 1 7
pci-dss-4 fail 3 5 1 0
mozilla-intermediate fail 2 4 0 1" "per profile: status and rule counts"
# Mozilla classes: every server placed, the weakest first
t_is "$(jq -r '.profiles.server_classes.servers[] | "\(.ip):\(.port) \(.class) \(.flows)"' "$T_TMP/all.json")" \
"10.99.11.2:443 null 3
10.99.11.2:8443 mozilla-intermediate 1" "server classes: weakest first; the server that negotiated DHE-1024 fits no class (Mozilla 5.8 old lists no DHE suite), the ECDSA one intermediate"
t_is "$(jq -r '.profiles.server_classes.servers[] | .why_not_weakest' "$T_TMP/all.json")" \
"mozilla-old ciphers: negotiated cipher suite is one the configuration lists
null" "the unplaced server names the old class's first rule it violates; a placed one has none"
# the certificate inventory (pci-dss-4: 4.2.1.1), soonest expiry first
t_is "$(jq '.profiles.certificate_inventory | length' "$T_TMP/all.json")" \
	"$(sqlite3 "$all" 'SELECT COUNT(DISTINCT ch.leaf) FROM tls t JOIN chains ch ON ch.chain_id = t.server_chain')" \
	"inventory: one entry per distinct leaf the export shows"
# client certificates (mutual TLS) are inventoried too, after the servers'
mt=$(t_capture "$P/tls/tls12-mtls-client-cert.pcap" "$P/tls/tls12-good-chain.pcap")
"$WIREAUDIT" report -d "$mt" "${RO[@]}" --profile pci-dss-4 -F json > "$T_TMP/mt.json"
t_is "$(jq -r '.profiles.certificate_inventory[] | "\(.role) \(.subject) \(.first_server) \(.first_client) \(.trusted) \(.servers) \(.flows)"' "$T_TMP/mt.json")" \
"server CN=server.wireaudit.test,O=wireaudit test PKI 10.99.11.2:443 null true 1 2
client CN=client.wireaudit.test,O=wireaudit test PKI null 10.99.11.1 true 1 1" \
	"inventory: the server certificate and the client's (mutual TLS), trusted under --ca-file"
t_is "$(jq -r '.profiles.certificate_inventory[1].sha256' "$T_TMP/mt.json")" \
	"$(sqlite3 "$mt" 'SELECT ch.leaf FROM tls t JOIN chains ch ON ch.chain_id = t.client_chain')" "inventory: the client leaf is the store's"
"$WIREAUDIT" report -d "$mt" --profile pci-dss-4 > "$T_TMP/mt.txt"
t_ok "$(grep -qx '      presented by 10.99.11.1 to 1 server, 1 flow; SHA-256 [0-9a-f]*' "$T_TMP/mt.txt"; echo $?)" "text: a client certificate says who presented it"
t_is "$(tail -1 "$T_TMP/mt.txt")" "Result: no failing profile (exit 0): V12 fails (asvs5 not chosen: not counted); pci-dss-4 pass" \
	"text: the result line names what decides the exit status"

# exit status: the V12 verdicts count only with asvs5 chosen
"$WIREAUDIT" report -d "${DB[ftp-cleartext]}" "${RO[@]}" --profile mozilla-modern -F json > "$T_TMP/m.json"
t_is "$?:$(jq -r '.profiles.results[0].status' "$T_TMP/m.json"):$(jq -r '.summary.result' "$T_TMP/m.json")" \
	"0:not_observed:fail" "mozilla-modern alone (no TLS seen): exit 0 although V12 (not chosen) fails"
t_is "$(jq '.profiles.exit_status' "$T_TMP/m.json")" 0 "JSON profiles.exit_status: 0"
"$WIREAUDIT" report -d "${DB[ftp-cleartext]}" "${RO[@]}" > /dev/null
t_is "$?" 6 "the default (asvs5): the V12 failure, exit 6"
"$WIREAUDIT" report -d "${DB[ftp-cleartext]}" "${RO[@]}" --profile asvs5 --profile mozilla-modern -F json > /dev/null
t_is "$?" 6 "with asvs5 chosen as well, the V12 failure: exit 6"

# the default is asvs5 alone: no profiles key, the report as before
"$WIREAUDIT" report -d "$all" "${RO[@]}" -F json > "$T_TMP/d.json"
t_is "$(jq 'has("profiles")' "$T_TMP/d.json")" false "default (asvs5): no profiles object"
"$WIREAUDIT" report -d "$all" "${RO[@]}" -F json --profile asvs5 > "$T_TMP/d2.json"
t_is "$(jq -S 'del(.generated_at)' "$T_TMP/d.json" | md5sum)" "$(jq -S 'del(.generated_at)' "$T_TMP/d2.json" | md5sum)" \
	"--profile asvs5 gives the default report"
# asvs5's rules take the V12 statuses
t_is "$(jq -r '[.requirements[].id] as $v | [.profiles.results[0].rules[] | select(.id as $i | $v | index($i)) | "\(.id)=\(.status)"] | join(" ")' "$T_TMP/all.json")" \
	"$(jq -r '[.requirements[] | "\(.id)=\(.status)"] | join(" ")' "$T_TMP/all.json")" "asvs5 rules = the V12 requirement statuses"

# text, Markdown, HTML, CSV
"$WIREAUDIT" report -d "$all" "${RO[@]}" --profile asvs5 --profile pci-dss-4 --profile mozilla-intermediate > "$T_TMP/all.txt"
t_is "$(grep -A2 '^    Topic' "$T_TMP/all.txt" | sed 's/ *$//')" \
"    Topic                            asvs5                  pci-dss-4              mozilla-intermediate
    Protocol versions                PASS                   PASS                   PASS
    Cipher suites                    FAIL                   -                      FAIL" "text: the matrix's first rows"
t_ok "$(grep -c '^  \[FAIL\] 4.2.1-dh-size (scope external): ' "$T_TMP/all.txt" | grep -qx 1; echo $?)" "text: a failing rule with its scope"
t_ok "$(grep -qx '        10.99.11.2:443/tls: 1 flow: ffdhe 1024 bits=1' "$T_TMP/all.txt"; echo $?)" "text: the violating server and its evidence"
"$WIREAUDIT" report -d "$all" "${RO[@]}" --profile pci-dss-4 -F md > "$T_TMP/all.md"
t_ok "$(grep -qx '| Key exchange | \*\*FAIL\*\* |' "$T_TMP/all.md"; echo $?)" "md: a matrix row"
"$WIREAUDIT" report -d "$all" "${RO[@]}" --profile pci-dss-4 -F html -o "$T_TMP/all.html"
t_ok "$(grep -q '<h2 id="profiles">Compliance profiles</h2>' "$T_TMP/all.html"; echo $?)" "html: the section"
t_ok "$(grep -q '<tr><td>Key exchange</td><td><span class="badge b-fail">fail</span></td></tr>' "$T_TMP/all.html"; echo $?)" "html: a matrix row"
# a browser's parser (an independent one) builds the matrix as written:
# a header row and a row per topic plus the profile row, the sections after it
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROMIUM" ]; then
	"$WIREAUDIT" report -d "$all" "${RO[@]}" --profile asvs5 --profile pci-dss-4 --profile mozilla-intermediate \
		-F html -o "$T_TMP/m.html"
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --dump-dom "file://$T_TMP/m.html" \
		2>/dev/null > "$T_TMP/m.dom"
	t_is "$(python3 -c '
import re, sys
d = open(sys.argv[1]).read()
d = d[d.index("id=\"profiles\""):]
d = d[:d.index("<h2", 10)] if "<h2" in d[10:] else d
m = re.search(r"<table class=\"matrix\">(.*?)</table>", d, re.S)
rows = re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S)
print(len(rows), len(re.findall("<th>", rows[0])), [len(re.findall("<td>", r)) for r in rows[1:]] == [4] * 10,
      d.count("<h3>"), "Certificate inventory" in d, "Server configuration classes (mozilla)" in d)' "$T_TMP/m.dom")" \
		"11 4 True 5 True True" "chromium's DOM: the matrix (11 rows, 4 columns), 3 profiles, classes and inventory headings"
else
	echo "ok $((T_N += 1)) # SKIP chromium not installed"
fi
"$WIREAUDIT" report -d "$all" "${RO[@]}" --profile pci-dss-4 -F csv > "$T_TMP/all.csv"
t_is "$(grep -c ',profile_rule,' "$T_TMP/all.csv"),$(grep -c ',profile_violation,' "$T_TMP/all.csv"),$(grep -c ',certificate,' "$T_TMP/all.csv")" \
	"9,$(jq '[.profiles.results[1].rules[].violating_servers] | add' "$T_TMP/all.json"),$(jq '.profiles.certificate_inventory | length' "$T_TMP/all.json")" \
	"csv: a row per rule, per violating server, per certificate"
t_ok "$(grep -q '^pci-dss-4:4.2.1-dh-size,,fail,profile_violation,,true,10.99.11.2,443,tls,,,,,1,' "$T_TMP/all.csv"; echo $?)" "csv: a violation row"

# ---- a profile from a file; the parser's errors ----
cat > "$T_TMP/mine.profile" <<'P'
# a site's own rule
profile mine
title Site TLS policy
rule no-dhe
  clause Site policy 1.2: "no finite-field DHE"
  title DH groups of at least 4096 bits
  check dh_min_bits 4096
P
t_is "$("$WIREAUDIT" report -d "$all" --profile "$T_TMP/mine.profile" -F json | jq -r '.profiles.results[0] | "\(.name) \(.rules[0].status) \(.rules[0].servers[0].evidence)"')" \
	"mine fail ffdhe 1024 bits=1" "a profile file given by path"
bad() { # bad TEXT MESSAGE
	printf '%b' "$1" > "$T_TMP/bad.profile"
	"$WIREAUDIT" report -d "$all" --profile "$T_TMP/bad.profile" > /dev/null 2> "$T_TMP/err"
	t_is "$?:$(cat "$T_TMP/err")" "2:wireaudit: report: profile $T_TMP/bad.profile, $2" "parser rejects: $2"
}
bad 'title x\n' "line 1: the first directive must be \`profile NAME\`: title"
bad 'profile x\ntitle t\nrule a\n clause c\n title t\n check versions TLSv1.4\n' "line 6: not a protocol version (SSLv2 SSLv3 TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3): TLSv1.4"
bad 'profile x\ntitle t\nrule a\n clause c\n title t\n check suites TLS_FOO\n' "line 6: not a cipher suite of the IANA registry: TLS_FOO"
bad 'profile x\ntitle t\nrule a\n clause c\n title t\n check groups X25519\n' "line 6: not a group of the IANA TLS Supported Groups registry: X25519"
bad 'profile x\ntitle t\nrule a\n clause c\n title t\n check frobnicate\n' "line 6: not a check (docs/PROFILES.md lists them): frobnicate"
bad 'profile x\ntitle t\nrule a\n title t\n check ech\n' "line 3: a rule needs \`clause\`, \`title\` and \`check\`: a"
bad 'profile x\ntitle t\nrule a\n clause c\n title t\n check ech\nrule a\n' "line 7: a second rule with this ID: a"
bad 'profile x\ntitle t\nrule a\n clause c\n title t\n check ech\n scope public\n' "line 7: the scope is all, external or internal: public"
bad 'profile x\ntitle t\nrule a\n clause c\n title t\n check cert_key_min 2048\n' "line 6: expects two numbers of bits (RSA, EC): cert_key_min"
"$WIREAUDIT" report -d "$all" --profile nosuch > /dev/null 2> "$T_TMP/err"
t_is "$?:$(cat "$T_TMP/err")" "2:wireaudit: report: --profile nosuch: no such profile (asvs5 pci-dss-4 nist-800-52r2 bsi-tr-02102-2 mozilla-modern mozilla-intermediate mozilla-old; or a file's path with a '/')" \
	"an unknown profile: usage error naming the built-in ones"
t_done
