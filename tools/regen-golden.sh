#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# regen-golden.sh [BUILDDIR] [NAME...] — rewrite tests/golden/NAME.jsonl from
# the current binary. Review the diff before committing: a golden file is a
# claim about what the capture contains.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
shift || true
bin=$build/src/wireaudit
export TZ=UTC LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while read -r name pcap opts; do
	case "$name" in ''|'#'*) continue ;; esac
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	# shellcheck disable=SC2086
	(cd "$top" && "$bin" capture -q -r "$pcap" -d "$tmp/$name.db" $opts) 2>"$tmp/$name.err" || true
	if [ ! -e "$tmp/$name.db" ]; then
		# no packet read, no database (as tests/golden.sh)
		{ printf '#no database: '; head -1 "$tmp/$name.err"; } > "$top/tests/golden/$name.jsonl"
		echo "wrote tests/golden/$name.jsonl"
		continue
	fi
	{
		"$bin" export -d "$tmp/$name.db" | sed -E 's/"flow_uid":"[0-9a-f]{16}-[0-9]+",//'
		printf '#stats '; sqlite3 "$tmp/$name.db" "SELECT json_remove(stats, '\$.store_writer') FROM runs ORDER BY run_id DESC LIMIT 1"
	} > "$top/tests/golden/$name.jsonl"
	echo "wrote tests/golden/$name.jsonl"
done < "$top/tests/golden/TESTLIST"
