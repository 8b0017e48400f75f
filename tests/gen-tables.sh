#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# gen-tables.sh — the generated TLS tables regenerate from the repository
# alone: tools/gen-tls-tables.py reads its reference data from
# tools/refdata/ (copies with their provenance and terms in
# tools/refdata/SOURCES.md, never ../shared), and what it writes is exactly
# the committed src/dissect/tls_tables.{c,h} and docs/CIPHER-SUITES.md. A
# hand edit of a generated file, or a generator change not run, fails here.
. "$SRCDIR/tests/lib.sh"

out=$(python3 "$SRCDIR/tools/gen-tls-tables.py" --out "$T_TMP/gen" 2>&1)
t_is "$?" 0 "the generator runs from the repository's reference data ($out)"
for f in src/dissect/tls_tables.c src/dissect/tls_tables.h docs/CIPHER-SUITES.md; do
	cmp -s "$SRCDIR/$f" "$T_TMP/gen/$f"
	t_is "$?" 0 "$f is exactly what the generator writes"
done
# the post-quantum groups (the report's "Post-quantum readiness") are the
# registry's ML-KEM and Kyber entries: the list in the generated C equals a
# reading of the CSV independent of the generator
want=$(python3 - "$SRCDIR/tools/refdata/iana/tls-parameters-8.csv" <<'PY'
import csv, sys
v = sorted(int(r["Value"]) for r in csv.DictReader(open(sys.argv[1], newline=""))
           if r["Value"].strip().isdigit() and ("MLKEM" in r["Description"] or "Kyber" in r["Description"]))
print(", ".join(map(str, v)))
PY
)
got=$(sed -n 's/^static const uint16_t tls_pq_groups\[\] = {\(.*\)};$/\1/p' "$SRCDIR/src/dissect/tls_tables.c")
t_is "$got" "$want" "the post-quantum groups are the IANA registry's MLKEM and Kyber code points"
t_is "$(grep -c '^| `' "$SRCDIR/tools/refdata/SOURCES.md")" "$(cd "$SRCDIR/tools/refdata" && find . -type f ! -name SOURCES.md | wc -l)" \
	"every reference file has its provenance row in tools/refdata/SOURCES.md"
t_done
