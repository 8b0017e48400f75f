#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# dist-prune.sh SRCDIR DISTDIR — make dist's dist-hook (Makefile.am): the
# folders EXTRA_DIST takes whole (tests, tools, pcaps, docs) may hold what
# an in-tree build or a test run left there; remove it, then, in a git
# checkout, check that the tarball holds exactly the tracked files (less
# .gitignore, .ci/ and debian/) plus what autotools generate. Fails with
# the list otherwise, so a build product never ships and a new file
# nobody listed is noticed.
set -eu
src=$1 dist=$2
cd "$dist"
find . \( -name '*.o' -o -name '*.a' -o -name '*.log' -o -name '*.trs' -o -name .deps \
	-o -name .dirstamp -o -name __pycache__ -o -name '*.pyc' -o -name '*.db-wal' -o -name '*.db-shm' \
	-o -name '*~' \) -prune -exec rm -rf {} +
# executables a build links (tests/unit/test_*, tools/bench/floor, ...)
find . -type f -perm -u+x | while IFS= read -r f; do
	if [ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = "177ELF" ]; then rm -f "$f"; fi
done
cd - >/dev/null
# Only when SRCDIR is the top of a git checkout: distcheck's nested make
# dist runs from the unpacked tarball, which may sit inside a checkout
# (CI builds in _san/ of the clone) and is then no checkout of its own.
top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null || true)
if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(cd "$src" && pwd -P)" ]; then
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/dist-prune.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	git -C "$src" ls-files | grep -v '^\.gitignore$\|^\.ci/\|^debian/' | sort >"$tmp/tracked"
	(cd "$dist" && find . -type f | sed 's|^\./||' |
		grep -v '^configure$\|^Makefile\.in$\|^aclocal\.m4$\|^config\.h\.in$\|^build-aux/' | sort) >"$tmp/shipped"
	comm -23 "$tmp/shipped" "$tmp/tracked" >"$tmp/extra"
	comm -13 "$tmp/shipped" "$tmp/tracked" >"$tmp/missing"
	if [ -s "$tmp/extra" ] || [ -s "$tmp/missing" ]; then
		echo "make dist: the tarball is not the tracked tree:" >&2
		sed 's/^/  not tracked, shipped: /' "$tmp/extra" >&2
		sed 's/^/  tracked, not shipped (add it to EXTRA_DIST): /' "$tmp/missing" >&2
		exit 1
	fi
	echo "make dist: $(wc -l <"$tmp/shipped") files, exactly the tracked ones"
fi
