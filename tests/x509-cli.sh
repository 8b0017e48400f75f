# SPDX-License-Identifier: BSD-3-Clause
# x509-cli.sh — trust anchor options (--ca-file, --system-ca) end to end:
# option errors, and the chain verdict exported for a capture signed by the
# capture lab's test CA (pcaps/tls/test-ca.pem), which the system store
# (Debian ca-certificates) does not know. docs/CERTIFICATES.md.
. "$SRCDIR/tests/lib.sh"
W=$WIREAUDIT
P=$SRCDIR/pcaps/tls
X=$SRCDIR/tests/data/x509
CAP=$P/tls12-ecdhe-rsa-aes128gcm.pcap

"$W" capture --help | grep -q -- '--ca-file FILE'; t_ok $? "capture --help lists --ca-file"
"$W" capture --help | grep -q -- '--system-ca PATH'; t_ok $? "capture --help lists --system-ca"
"$W" capture -q -r "$CAP" -d "$T_TMP/e1.db" --ca-file "$T_TMP/missing.pem" 2>/dev/null
t_is $? 2 "missing --ca-file exits 2"
"$W" capture -q -r "$CAP" -d "$T_TMP/e2.db" --ca-file "$X/ocsp-good.der" 2>/dev/null
t_is $? 2 "--ca-file without a PEM certificate exits 2"
"$W" capture -q -r "$CAP" -d "$T_TMP/e3.db" --system-ca "$T_TMP/missing" 2>/dev/null
t_is $? 2 "missing --system-ca exits 2"
"$W" audit --ca-file "$T_TMP/missing.pem" "$CAP" >/dev/null 2>&1
t_is $? 2 "audit: missing --ca-file exits 2"
err=$("$W" capture -q -r "$CAP" -d "$T_TMP/e4.db" --ca-file "$T_TMP/missing.pem" 2>&1)
t_is "$err" "wireaudit: CA file $T_TMP/missing.pem: cannot open" "the message names the file"

verdict() { # DB -> chain_trusted trust_error hostname_match trusted_by_extra_ca
	"$W" export -d "$1" | jq -r 'select(.tls.certs != null) | .tls |
		[.chain_trusted, .trust_error, .hostname_match, .trusted_by_extra_ca] | map(tostring) | @tsv'
}

db=$T_TMP/sys.db
"$W" capture -q -r "$CAP" -d "$db"; t_is $? 0 "capture with the default system store"
t_is "$(verdict "$db")" "$(printf 'false\tunknown_issuer\ttrue\tfalse')" "system store only: unknown_issuer"

db=$T_TMP/extra.db
"$W" capture -q -r "$CAP" -d "$db" --ca-file "$P/test-ca.pem"; t_is $? 0 "capture with --ca-file"
t_is "$(verdict "$db")" "$(printf 'true\tnull\ttrue\ttrue')" "--ca-file: trusted, by the extra anchor"

db=$T_TMP/sysca.db
"$W" capture -q -r "$CAP" -d "$db" --system-ca "$P/test-ca.pem"; t_is $? 0 "capture with --system-ca FILE"
t_is "$(verdict "$db")" "$(printf 'true\tnull\ttrue\tfalse')" "--system-ca FILE: trusted, not by extra"

db=$T_TMP/none.db
"$W" capture -q -r "$CAP" -d "$db" --system-ca none; t_is $? 0 "capture with --system-ca none"
t_is "$(verdict "$db")" "$(printf 'false\tunknown_issuer\ttrue\tfalse')" "--system-ca none: nothing trusted"

# the fixture root is not the lab's CA: still unknown_issuer
db=$T_TMP/other.db
"$W" capture -q -r "$CAP" -d "$db" --ca-file "$X/root.pem"; t_is $? 0 "capture with an unrelated --ca-file"
t_is "$(verdict "$db")" "$(printf 'false\tunknown_issuer\ttrue\tfalse')" "unrelated anchor: unknown_issuer"

# audit takes the same options (exit 0, or 6 when the report finds a failing
# requirement: either way not a usage error)
"$W" audit --ca-file "$P/test-ca.pem" "$CAP" >/dev/null 2>&1; rc=$?
case $rc in 0|6) t_ok 0 "audit accepts --ca-file";; *) t_ok 1 "audit accepts --ca-file (exit $rc)";; esac
"$W" audit --system-ca none "$CAP" >/dev/null 2>&1; rc=$?
case $rc in 0|6) t_ok 0 "audit accepts --system-ca";; *) t_ok 1 "audit accepts --system-ca (exit $rc)";; esac
t_done
