# SPDX-License-Identifier: BSD-3-Clause
# licence.sh — every source file carries the SPDX line of the project's
# licence (LICENSE, BSD-3-Clause), so a new file cannot quietly lack it:
# C sources and headers on their first line, scripts on the line after the
# shebang (or the first), Makefile.am and configure.ac on their first.
# Captures, goldens, test data and fuzz inputs keep their own terms
# (pcaps/README.md) and are not looked at.
# The files: `git ls-files` in a git checkout, else (a release tarball,
# make distcheck) what the tree holds, less what autotools generate.
. "$SRCDIR/tests/lib.sh"
cd "$SRCDIR" || exit 1
L='SPDX-License-Identifier: BSD-3-Clause'

t_is "$(sed -n 1p LICENSE)" "BSD 3-Clause License" "LICENSE is the BSD 3-Clause text"
t_is "$(grep -c '^Copyright (c) 2026, The wireaudit authors$' LICENSE)" 1 "…with its copyright line"

if [ -d .git ] || [ -f .git ]; then
	git ls-files >"$T_TMP/all" 2>/dev/null || find . -type f | sed 's|^\./||' >"$T_TMP/all"
else
	find . -type f | sed 's|^\./||' >"$T_TMP/all"
fi
# what needs the line: sources, scripts (by suffix or shebang), the build files
: >"$T_TMP/want"
while IFS= read -r f; do
	case "$f" in
	pcaps/*|tests/golden/*|tests/data/*|tests/fuzz-regress/*|docs/*|m4/*|build-aux/*|autom4te.cache/*) continue ;;
	configure|config.status|config.h|config.h.in|aclocal.m4|Makefile.in|Makefile|*.o|*.a|*.log|*.trs) continue ;;
	debian/.debhelper/*|debian/wireaudit/*|debian/tmp/*|_*/*) continue ;;
	esac
	case "$f" in
	*.c|*.h|*.def|*.sh|*.py|*.pl|*.jq|*.in|Makefile.am|configure.ac|debian/rules|debian/*.postinst|debian/*.postrm)
		echo "$f" >>"$T_TMP/want" ;;
	*)
		[ -f "$f" ] && [ "$(head -c2 "$f" 2>/dev/null)" = "#!" ] && echo "$f" >>"$T_TMP/want" ;;
	esac
done <"$T_TMP/all"
n=$(wc -l <"$T_TMP/want")
t_ok $([ "$n" -gt 200 ]; echo $?) "the list of source files is the tree's ($n files)"
# spdx_ok FILE: the line where FILE's kind puts it
spdx_ok() {
	case "$1" in
	*.c|*.h|*.def) sed -n 1p "$1" | grep -qxF "/* $L */" ;;
	*) head -2 "$1" | grep -q "^\(#\|dnl\) $L\$" ;;
	esac
}
: >"$T_TMP/missing"
while IFS= read -r f; do
	[ -f "$f" ] || continue
	spdx_ok "$f" || echo "$f" >>"$T_TMP/missing"
done <"$T_TMP/want"
t_is "$(cat "$T_TMP/missing")" "" "every source file carries the SPDX line"
# the check is not empty: misplaced or missing lines are caught
printf '/* x.c */\n/* %s */\n' "$L" >"$T_TMP/x.c"
t_ok $(spdx_ok "$T_TMP/x.c"; [ $? -ne 0 ]; echo $?) "a C file with the line second is caught"
printf '#!/bin/sh\necho\n# %s\n' "$L" >"$T_TMP/x.sh"
t_ok $(spdx_ok "$T_TMP/x.sh"; [ $? -ne 0 ]; echo $?) "a script with the line third is caught"
printf '#!/bin/sh\n# %s\n' "$L" >"$T_TMP/y.sh"
t_ok $(spdx_ok "$T_TMP/y.sh"; echo $?) "a script with the line after the shebang passes"
t_ok $(grep -q "^Captures, goldens and test data\|keep their own" pcaps/README.md; echo $?) "pcaps/README.md says which terms the captures keep"
t_done
