# SPDX-License-Identifier: BSD-3-Clause
# fuzz-replay.sh — every input under tests/fuzz-regress/TARGET/ (crashes,
# leaks and hangs the fuzzers found, plus a few seeds) run once through
# TARGET's LLVMFuzzerTestOneInput by fuzz/replay_TARGET, in whatever build
# make check runs in (plain, ASan+UBSan, fuzzing). A file passes when the
# process exits 0 within 60 s: no crash, no sanitizer report, no hang.
# docs/FUZZING.md.
. "$SRCDIR/tests/lib.sh"
B=$(dirname "$(dirname "$WIREAUDIT")")
R=$SRCDIR/tests/fuzz-regress

for t in packet dissector x509 quic config; do
	n=0
	for f in "$R/$t"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		timeout 60 "$B/fuzz/replay_$t" "$f" >"$T_TMP/out" 2>&1
		rc=$?
		t_ok $rc "$t: $(basename "$f")"
		[ $rc -eq 0 ] || { echo "#   exit $rc"; sed 's/^/#   /' "$T_TMP/out" | tail -30; }
	done
	[ $n -gt 0 ]; t_ok $? "$t: tests/fuzz-regress/$t holds inputs ($n)"
done
t_done
