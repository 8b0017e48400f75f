#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# deb-check.sh [WORKDIR] — build the Debian package from the tracked tree and
# check it the way an administrator meets it (docs/PACKAGING.md; .ci/run's
# "Debian package" step). As root, on Debian 12:
#   1. dpkg-buildpackage -us -uc -b in a copy of the tracked files (the test
#      suite is not run there: debian/rules says why);
#   2. lintian: no error (the warnings left are listed in debian/README.source);
#   3. apt-get install ./wireaudit_*.deb; the files it must hold; the system
#      user; wireaudit --version; the README's first command, an audit of
#      pcaps/sample/http-mixed.pcap, with its exact summary and exit 6;
#   4. apt-get purge: no file of the package left, nothing owned by the
#      user (which stays, as Debian policy allows: debian/postrm says why).
# One "PASS: ..." or "FAIL: ..." line per check; exits 1 on any FAIL.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/deb-check.XXXXXX")}
fails=0
pass() { echo "PASS: deb: $*"; }
fail() { echo "FAIL: deb: $*"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
	local d=$1; shift
	if "$@"; then pass "$d"; else fail "$d"; fi
}
[ "$(id -u)" -eq 0 ] || { echo "FAIL: deb: run as root (apt-get install)"; exit 1; }
export DEBIAN_FRONTEND=noninteractive

# 1. build
rm -rf "$work/src" && mkdir -p "$work/src"
(cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$work/src") || { fail "copy the tree"; exit 1; }
t0=$(date +%s)
if (cd "$work/src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$work/build.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b ($(($(date +%s) - t0)) s)"
else
	tail -30 "$work/build.log"
	fail "dpkg-buildpackage -us -uc -b"
	exit 1
fi
deb=$(ls "$work"/wireaudit_*.deb | head -1)
check "the test suite was not run in the build" \
	bash -c "! grep -q 'test-suite.log\|^# TOTAL:' '$work/build.log'"

# 2. lintian
lintian --no-tag-display-limit "$deb" "$work"/wireaudit_*.changes >"$work/lintian.log" 2>&1
grep "^W: " "$work/lintian.log" | sed 's/^/  /'
if grep -q "^E: " "$work/lintian.log"; then
	grep "^E: " "$work/lintian.log"
	fail "lintian: errors"
else
	pass "lintian: no error ($(grep -c '^W: ' "$work/lintian.log") warnings)"
fi

# 3. install
apt-get purge -y -qq wireaudit >/dev/null 2>&1
if apt-get install -y -qq "$deb" >"$work/install.log" 2>&1; then
	pass "apt-get install ./$(basename "$deb")"
else
	tail -20 "$work/install.log"
	fail "apt-get install ./$(basename "$deb")"
	exit 1
fi
dpkg -L wireaudit | sort >"$work/files"
for f in /usr/bin/wireaudit /usr/share/man/man8/wireaudit.8.gz /usr/share/man/man1/wireaudit-report.1.gz \
	/usr/share/man/man1/wireaudit-export.1.gz /usr/share/doc/wireaudit/REPORT.md.gz \
	/usr/share/doc/wireaudit/CLI.md.gz /usr/share/doc/wireaudit/copyright \
	/usr/share/doc/wireaudit/examples/wireaudit.conf.example \
	/lib/systemd/system/wireaudit.service /lib/systemd/system/wireaudit-report@.service \
	/lib/systemd/system/wireaudit-report-weekly.timer /lib/systemd/system/wireaudit-report-monthly.timer \
	/usr/lib/sysusers.d/wireaudit.conf /usr/lib/tmpfiles.d/wireaudit.conf \
	/usr/libexec/wireaudit/wireaudit-scheduled-report /etc/wireaudit/wireaudit.conf.example \
	/usr/share/bash-completion/completions/wireaudit; do
	check "installs $f" grep -qx "$f" "$work/files"
done
check "man wireaudit renders" bash -c "man -P cat wireaudit 2>/dev/null | grep -q 'passive network traffic analyzer'"
check "the system user wireaudit exists, no login shell" \
	bash -c "getent passwd wireaudit | grep -q ':/var/lib/wireaudit:/usr/sbin/nologin$\|:/var/lib/wireaudit:/sbin/nologin$'"
check "/var/lib/wireaudit is the user's, mode 0750" \
	bash -c "[ \"\$(stat -c '%U %a' /var/lib/wireaudit)\" = 'wireaudit 750' ]"
check "the service is installed, not enabled (it needs a configuration first)" \
	bash -c "[ \"\$(systemctl is-enabled wireaudit.service 2>/dev/null)\" != enabled ]"
v=$(/usr/bin/wireaudit --version | head -1)
check "wireaudit --version: $v" [ "$v" = "wireaudit $(sed -n '1s/^wireaudit (\([^-]*\)-.*/\1/p' "$top/debian/changelog")" ]
(cd "$work" && /usr/bin/wireaudit audit "$top/pcaps/sample/http-mixed.pcap" >"$work/audit.txt" 2>"$work/audit.err")
rc=$?
check "wireaudit audit pcaps/sample/http-mixed.pcap exits 6 (a requirement fails)" [ "$rc" -eq 6 ]
check "…with the sample's summary" grep -qx "Summary: 2 fail, 0 pass, 7 not observed, 0 not observable" "$work/audit.txt"
check "…over its 8 flows" grep -q "^  flows 8 (tcp 8, udp 0)" "$work/audit.txt"

# 4. purge
if apt-get purge -y -qq wireaudit >"$work/purge.log" 2>&1; then
	pass "apt-get purge wireaudit"
else
	tail -20 "$work/purge.log"
	fail "apt-get purge wireaudit"
fi
left=""
while IFS= read -r f; do
	[ -d "$f" ] && continue
	[ -e "$f" ] && left="$left $f"
done <"$work/files"
check "no file of the package left${left:+:$left}" [ -z "$left" ]
check "dpkg knows nothing of it" bash -c "! dpkg -s wireaudit >/dev/null 2>&1"
check "/var/lib/wireaudit, /var/log/wireaudit and /etc/wireaudit removed" \
	bash -c "[ ! -e /var/lib/wireaudit ] && [ ! -e /var/log/wireaudit ] && [ ! -e /etc/wireaudit ]"
owned=$(find / -xdev \( -path /proc -o -path /sys \) -prune -o -user wireaudit -print 2>/dev/null | head -5)
check "no file owned by the user wireaudit left${owned:+: $owned}" [ -z "$owned" ]

echo "deb-check: $fails failed"
[ "$fails" -eq 0 ]
