# SPDX-License-Identifier: BSD-3-Clause
# file-modes.sh — every file wireaudit creates holds what the network carried
# and is created 0600 whatever the umask (issue 7, "Security"): the database
# and its -wal and -shm (looked at while a capture holds them open: the input
# is a pipe that stays open), export -o in both formats, report -o in every
# format, audit -o. Under umask 022 (the usual) and 000 (the worst).
. "$SRCDIR/tests/lib.sh"

PCAP=$SRCDIR/pcaps/sample/http-mixed.pcap
for um in 022 000; do
	d=$T_TMP/u$um
	mkdir "$d"
	(
		umask "$um"
		mkfifo "$d/in"
		"$WIREAUDIT" capture -q -r "$d/in" -d "$d/db" &
		pid=$!
		exec 8>"$d/in"
		cat "$PCAP" >&8
		for _ in $(seq 100); do [ -e "$d/db-wal" ] && [ -e "$d/db-shm" ] && break; sleep 0.1; done
		stat -c '%n %a' "$d/db" "$d/db-wal" "$d/db-shm" | sed "s|$d/||" >"$d/open-modes"
		exec 8>&-
		wait "$pid"
		echo "capture exit $?" >>"$d/open-modes"
		for fmt in jsonl csv; do
			"$WIREAUDIT" export -d "$d/db" --format "$fmt" -o "$d/export.$fmt"
		done
		for fmt in text json html md csv; do
			"$WIREAUDIT" report -d "$d/db" -F "$fmt" -o "$d/report.$fmt"
		done
		"$WIREAUDIT" audit -F json -o "$d/audit.json" "$PCAP"
		"$WIREAUDIT" audit -d "$d/audit.db" -F text -o "$d/audit.text" "$PCAP"
	)
	t_is "$(cat "$d/open-modes")" "$(printf 'db 600\ndb-wal 600\ndb-shm 600\ncapture exit 0')" \
		"umask $um: database, -wal and -shm 0600 while the capture runs"
	for f in export.jsonl export.csv report.text report.json report.html report.md report.csv audit.json \
		audit.text audit.db; do
		t_is "$(stat -c %a "$d/$f" 2>&1)/$([ -s "$d/$f" ] && echo data)" "600/data" "umask $um: $f created 0600"
	done
done
t_done
