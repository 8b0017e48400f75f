#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-profiles.sh — the generated compliance profiles regenerate from the
# repository alone: tools/gen-profiles.py reads the Mozilla guidelines and
# the BSI TR-02102-2 XML from tools/refdata/ (provenance and terms in
# tools/refdata/SOURCES.md), and what it writes is exactly the committed
# src/report/profiles/{mozilla-modern,mozilla-intermediate,mozilla-old,
# bsi-tr-02102-2}.profile. The hand-written profiles pass the generator's
# --check: v1 directives and checks only, one check per rule, and every
# cipher suite and group an exact IANA registry name.
. "$SRCDIR/tests/lib.sh"

out=$(python3 "$SRCDIR/tools/gen-profiles.py" --out "$T_TMP/p" 2>&1)
t_is "$?" 0 "the generator runs from the repository's reference data ($out)"
for f in mozilla-modern mozilla-intermediate mozilla-old bsi-tr-02102-2; do
	diff -u "$SRCDIR/src/report/profiles/$f.profile" "$T_TMP/p/$f.profile" >&2
	t_is "$?" 0 "src/report/profiles/$f.profile is exactly what the generator writes"
done
for f in pci-dss-4 nist-800-52r2; do
	out=$(python3 "$SRCDIR/tools/gen-profiles.py" --check "$SRCDIR/src/report/profiles/$f.profile" 2>&1)
	t_is "$?" 0 "hand-written $f.profile: vocabulary and IANA names ($out)"
	grep -q '^# .*hand-written' "$SRCDIR/src/report/profiles/$f.profile"
	t_is "$?" 0 "$f.profile says it is hand-written"
done
# the check itself rejects what it should: a suite name that is not IANA's
# (OpenSSL's spelling), a group by its OpenSSL name, a check outside the
# vocabulary, a rule with two checks
printf 'profile bad\ntitle t\nrule a\nclause c\ntitle t\ncheck suites ECDHE-RSA-AES128-GCM-SHA256\n' >"$T_TMP/bad.profile"
python3 "$SRCDIR/tools/gen-profiles.py" --check "$T_TMP/bad.profile" 2>/dev/null
t_is "$?" 1 "--check rejects a cipher suite name that is not in the IANA registry"
printf 'profile bad\ntitle t\nrule a\nclause c\ntitle t\ncheck groups prime256v1\n' >"$T_TMP/bad.profile"
python3 "$SRCDIR/tools/gen-profiles.py" --check "$T_TMP/bad.profile" 2>/dev/null
t_is "$?" 1 "--check rejects a group name that is not in the IANA registry"
printf 'profile bad\ntitle t\nrule a\nclause c\ntitle t\ncheck hsts\n' >"$T_TMP/bad.profile"
python3 "$SRCDIR/tools/gen-profiles.py" --check "$T_TMP/bad.profile" 2>/dev/null
t_is "$?" 1 "--check rejects a check outside the vocabulary"
printf 'profile bad\ntitle t\nrule a\nclause c\ntitle t\ncheck ech\ncheck client_cert\n' >"$T_TMP/bad.profile"
python3 "$SRCDIR/tools/gen-profiles.py" --check "$T_TMP/bad.profile" 2>/dev/null
t_is "$?" 1 "--check rejects a rule with two checks"
t_done
