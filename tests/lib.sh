# SPDX-License-Identifier: BSD-3-Clause
# lib.sh — helpers for shell tests that speak TAP (sourced).
#   WIREAUDIT  the binary under test (set by make check)
#   SRCDIR     the source tree
set -u
: "${WIREAUDIT:?run through make check}"
: "${SRCDIR:?run through make check}"
export TZ=UTC LC_ALL=C
T_N=0
T_FAILED=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/wa-test.XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT

t_ok() { # t_ok COND_EXIT_STATUS DESCRIPTION
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAILED=$((T_FAILED + 1))
	fi
}

t_is() { # t_is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		t_ok 0 "$3"
	else
		t_ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
	fi
}

t_done() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}

# capture PCAP... into a fresh database; prints its path
t_capture() {
	local db="$T_TMP/$(basename "$1").$$.$RANDOM.db" args=()
	for f in "$@"; do args+=(-r "$f"); done
	"$WIREAUDIT" capture -q "${args[@]}" -d "$db" ${T_CAPTURE_OPTS:-} >&2 || true
	echo "$db"
}

# export of DB without flow_uid (random per run: tests/eve.sh checks it),
# for comparing two captures of the same traffic
t_export_nouid() {
	"$WIREAUDIT" export "$@" | sed -E 's/"flow_uid":"[0-9a-f]{16}-[0-9]+",//'
}

# The oracle tests (tshark as an independent dissector): skipped in the
# sanitizer pass of .ci/run, which sets WA_SKIP_ORACLES (tshark is the same
# program in both passes, and golden.sh already runs every capture there),
# and when a tool they need is missing. t_oracle_needs TOOL...
t_oracle_needs() {
	if [ -n "${WA_SKIP_ORACLES:-}" ]; then
		echo "1..0 # SKIP oracle comparisons run in the normal build"
		exit 0
	fi
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || { echo "1..0 # SKIP $t missing (tools/install-deps)"; exit 0; }
	done
}
