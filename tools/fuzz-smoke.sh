#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# fuzz-smoke.sh SRCDIR BUILDDIR — what `make fuzz-smoke` runs: builds the
# libFuzzer targets (in BUILDDIR itself when it was configured with
# --enable-fuzzing, FUZZ_HERE=yes; otherwise in BUILDDIR/_fuzz, configured
# with clang), makes seeds from pcaps/ (tools/fuzz-seeds.py), then runs each
# target for FUZZ_SECONDS (default 60) on the seeds, the regression inputs
# and the corpus kept from earlier runs (BUILDDIR/.../fuzz-corpus/TARGET).
# Prints "PASS: fuzz_T ..." or "FAIL: fuzz_T ..." per target and exits
# non-zero if any target found a crash, leak, hang or sanitizer report (the
# input is kept as fuzz-artifacts/T-crash-*; add it to tests/fuzz-regress/T/).
# docs/FUZZING.md.
set -u
src=$1
build=$2
secs=${FUZZ_SECONDS:-60}
make=${MAKE:-make}
jobs=$(nproc 2>/dev/null || echo 2)
targets="packet dissector x509 quic config"

if [ "${FUZZ_HERE:-no}" = yes ]; then
	fb=$build
else
	fb=$build/_fuzz
	mkdir -p "$fb"
	if [ ! -f "$fb/Makefile" ]; then
		echo "fuzz-smoke: configuring a clang build in $fb"
		(cd "$fb" && "$src/configure" -q --enable-fuzzing CC=clang) || {
			echo "FAIL: fuzz build (configure --enable-fuzzing CC=clang; needs clang and libclang-rt-14-dev)"
			exit 1
		}
	fi
fi
progs="src/wireaudit"
for t in $targets; do progs="$progs fuzz/fuzz_$t fuzz/replay_$t"; done
echo "fuzz-smoke: building $progs"
if ! (cd "$fb" && $make -j"$jobs" $progs >fuzz-build.out 2>&1); then
	tail -30 "$fb/fuzz-build.out"
	echo "FAIL: fuzz build"
	exit 1
fi

rm -rf "$fb/fuzz-seeds"
python3 "$src/tools/fuzz-seeds.py" "$fb/fuzz-seeds" --srcdir "$src" --wireaudit "$fb/src/wireaudit" ||
	echo "fuzz-smoke: seed generation failed; running on the regression inputs only"

pass=0
fail=0
for t in $targets; do
	case $t in
	packet|dissector) ml=65536 ;;
	x509|quic) ml=16384 ;;
	*) ml=8192 ;;
	esac
	corpus=$fb/fuzz-corpus/$t
	mkdir -p "$corpus" "$fb/fuzz-artifacts" "$fb/fuzz-seeds/$t"
	log=$fb/fuzz-$t.log
	start=$(date +%s)
	# Leak checks per input (-detect_leaks=1) cost a LeakSanitizer heap
	# scan whenever an input leaves memory allocated (SQLite's page cache,
	# nDPI, the certificate cache do, legitimately): 5-10 times slower.
	# Leaks are looked for instead by replaying the corpus in one process
	# that checks at exit.
	"$fb/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=$ml -timeout=10 -rss_limit_mb=2048 \
		-detect_leaks=0 -close_fd_mask=3 -print_final_stats=1 \
		-artifact_prefix="$fb/fuzz-artifacts/$t-" \
		"$corpus" "$fb/fuzz-seeds/$t" "$src/tests/fuzz-regress/$t" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		find "$corpus" "$fb/fuzz-seeds/$t" -type f -print0 |
			xargs -0 -r "$fb/fuzz/replay_$t" >"$log.replay" 2>&1
		rc=$?
		[ $rc -eq 0 ] || { cat "$log.replay" >>"$log"; echo "(leak check by replay)" >>"$log"; }
	fi
	end=$(date +%s)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		echo "PASS: fuzz_$t (${runs:-?} runs in $((end - start)) s, $cov, corpus $(ls "$corpus" | wc -l))"
	else
		fail=$((fail + 1))
		echo "FAIL: fuzz_$t (exit $rc after $((end - start)) s; log $log)"
		grep -E "ERROR|SUMMARY|Test unit written|#[0-9]+ +in " "$log" | head -20
		grep -A25 "^==[0-9]*==ERROR" "$log" | head -40
	fi
done
echo "fuzz-smoke: $pass passed, $fail failed"
[ $fail -eq 0 ]
