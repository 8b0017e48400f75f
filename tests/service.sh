# SPDX-License-Identifier: BSD-3-Clause
# service.sh — the systemd service (issue 14; docs/APPLIANCE.md).
#
# 1. `make install DESTDIR=...` from the build tree: the units, the
#    scheduled-report script, the sysusers.d/tmpfiles.d snippets and the
#    example configuration land where configure said, paths substituted.
# 2. `systemd-analyze verify` on every unit (the template through an
#    instance of each period), with the binary and script paths pointed at
#    the DESTDIR copies: no message at all; a copy with an unknown key shows
#    that the check can fail. `systemd-analyze security --offline` exposure
#    of both services at most 3.0. (No running systemd is needed.)
# 3. The installed example configuration is accepted by capture and report.
# 4. sd_notify against a test socket (tests/notify-listen.py as
#    NOTIFY_SOCKET, WATCHDOG_USEC=2 s), root only: a live capture on lo
#    started by `setpriv` as nobody with ambient CAP_NET_RAW/CAP_NET_ADMIN
#    and `user = nobody` in its configuration (the unit's way): READY=1
#    first, sent by nobody when the packet socket is open and no capability
#    is left; WATCHDOG=1 every 1 s (half the interval); STATUS lines at
#    most once a second with the exact counts of the UDP datagrams the test
#    sends; SIGHUP: RELOADING=1 then READY=1 and the reload line on
#    stderr; STOPPING=1 last; exit 5. With --workers 2: every worker
#    thread stopped by ptrace while the main thread runs on (its STATUS
#    lines go on) withholds the pings; they come back when the threads go.
# 5. wireaudit-scheduled-report: the previous ISO week and month for fixed
#    dates (--print-period), usage errors (exit 2), a database whose report
#    fails (exit 6, dated .html and .json 0600 with the window), an empty
#    window (exit 0), a missing database (exit 4, nothing written or
#    pruned), pruning to the newest N of each kind.
. "$SRCDIR/tests/lib.sh"

BUILD=$(cd "$(dirname "$WIREAUDIT")/.." && pwd)
ROOT=$T_TMP/root
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$BUILD" install DESTDIR="$ROOT" >"$T_TMP/install.log" 2>&1
t_is "$?" 0 "make install DESTDIR= succeeds"
conf_var() { sed -n "s|^$1 = ||p" "$BUILD/Makefile" | head -1; }
# configure's directories, expanded as make does
expand() {
	local v=$1 i
	for i in 1 2 3 4 5; do
		v=$(echo "$v" | sed -e "s|\${prefix}|$(conf_var prefix)|g" -e "s|\$(prefix)|$(conf_var prefix)|g" \
			-e "s|\${exec_prefix}|$(conf_var exec_prefix)|g" -e "s|\$(exec_prefix)|$(conf_var exec_prefix)|g" \
			-e "s|\${datarootdir}|$(conf_var datarootdir)|g" -e "s|\${PACKAGE_TARNAME}|wireaudit|g" \
			-e "s|\$(libexecdir)|$(conf_var libexecdir)|g" -e "s|\${libexecdir}|$(conf_var libexecdir)|g")
	done
	echo "$v"
}
UNITDIR=$(conf_var systemdsystemunitdir)
BINDIR=$(expand "$(conf_var bindir)")
LIBEXEC=$(expand "$(conf_var libexecdir)")/wireaudit
SYSCONF=$(expand "$(conf_var sysconfdir)")
SCRIPT=$ROOT$LIBEXEC/wireaudit-scheduled-report

if [ "$UNITDIR" = no ]; then
	echo "ok $((T_N += 1)) # SKIP configured --with-systemdsystemunitdir=no: no unit installed"
else
	t_is "$(cd "$ROOT$UNITDIR" && ls | sort | tr '\n' ' ')" \
		"wireaudit-report-monthly.timer wireaudit-report-weekly.timer wireaudit-report@.service wireaudit.service " \
		"the four units in $UNITDIR"
	t_is "$(grep -h '^ExecStart=' "$ROOT$UNITDIR/wireaudit.service" "$ROOT$UNITDIR/wireaudit-report@.service")" \
		"ExecStart=$BINDIR/wireaudit capture --config $SYSCONF/wireaudit/wireaudit.conf
ExecStart=$LIBEXEC/wireaudit-scheduled-report --period %i" "ExecStart paths substituted"
	t_is "$(grep -l '@[a-z]*@' "$ROOT$UNITDIR"/* "$SCRIPT" | wc -l)" 0 "no @variable@ left in units and script"
fi
t_ok "$([ -x "$SCRIPT" ] && [ -x "$ROOT$BINDIR/wireaudit" ]; echo $?)" "binary and $LIBEXEC/wireaudit-scheduled-report installed, executable"
t_is "$(cat "$ROOT$(pkg-config --variable=sysusersdir systemd 2>/dev/null || echo /usr/lib/sysusers.d)/wireaudit.conf" | grep -v '^#')" \
	'u wireaudit - "wireaudit traffic analyzer" /var/lib/wireaudit' "sysusers.d snippet: the wireaudit user"
t_ok "$([ -f "$ROOT$SYSCONF/wireaudit/wireaudit.conf.example" ]; echo $?)" "example configuration in $SYSCONF/wireaudit"

# ---- systemd-analyze verify ----
if [ "$UNITDIR" != no ] && command -v systemd-analyze >/dev/null; then
	U=$T_TMP/units
	mkdir "$U"
	for f in "$ROOT$UNITDIR"/*; do
		sed -e "s|=$BINDIR/wireaudit |=$ROOT$BINDIR/wireaudit |" -e "s|=$LIBEXEC/|=$ROOT$LIBEXEC/|" "$f" >"$U/$(basename "$f")"
	done
	ln -s wireaudit-report@.service "$U/wireaudit-report@weekly.service"
	ln -s wireaudit-report@.service "$U/wireaudit-report@monthly.service"
	for u in wireaudit.service wireaudit-report@weekly.service wireaudit-report@monthly.service \
		wireaudit-report-weekly.timer wireaudit-report-monthly.timer; do
		out=$(cd "$U" && systemd-analyze verify "./$u" 2>&1)
		t_is "$?:$out" "0:" "systemd-analyze verify $u: clean"
	done
	sed 's/^NoNewPrivileges=yes/&\nNoSuchKey=1/' "$U/wireaudit.service" >"$T_TMP/broken.service"
	out=$(systemd-analyze verify "$T_TMP/broken.service" 2>&1)
	t_ok "$(echo "$out" | grep -q "Unknown key 'NoSuchKey'"; echo $?)" "self-test: verify reports an unknown key"
	for u in wireaudit.service wireaudit-report@weekly.service; do
		lvl=$(cd "$U" && systemd-analyze security --offline=true "./$u" 2>/dev/null |
			sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
		if [ -z "$lvl" ]; then
			echo "ok $((T_N += 1)) # SKIP systemd-analyze security --offline unavailable"
		else
			t_ok "$(awk -v l="$lvl" 'BEGIN { exit !(l <= 3.0) }'; echo $?)" "$u: exposure $lvl (at most 3.0)"
		fi
	done
else
	echo "ok $((T_N += 1)) # SKIP systemd-analyze missing or no units"
fi

# ---- the example configuration is valid for both commands ----
EX=$ROOT$SYSCONF/wireaudit/wireaudit.conf.example
"$WIREAUDIT" capture -q --config "$EX" -r "$SRCDIR/pcaps/sample/http-mixed.pcap" -d "$T_TMP/ex.db" 2>"$T_TMP/err"
t_is "$?:$(cat "$T_TMP/err")" "0:" "capture --config EXAMPLE -r FILE: accepted (-r replaces its interface)"
"$WIREAUDIT" report --config "$EX" -d "$T_TMP/ex.db" >/dev/null 2>"$T_TMP/err"
rc=$?
t_is "$([ "$rc" = 0 ] || [ "$rc" = 6 ]; echo $?):$(cat "$T_TMP/err")" "0:" "report --config EXAMPLE: accepted"

# ---- sd_notify ----
# notify_run OUT CONF [ENV...] -- COMMAND...: listener on a fresh socket
notify_start() { # notify_start NAME: the listener in the background; sets LSN, SOCK, OUT
	SOCK=$T_TMP/$1.sock OUT=$T_TMP/$1.notify
	python3 "$SRCDIR/tests/notify-listen.py" "$SOCK" "$OUT" &
	LSN=$!
	for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
}
# the messages of KEY (READY=1, WATCHDOG=1, STATUS=...) as "TIME MESSAGE"
msgs() { awk -v k="$2" '{ t = $1; $1 = $2 = $3 = ""; sub(/^ +/, ""); if (index($0, k) == 1) print t, $0 }' "$1"; }
# the gaps between consecutive times on stdin: "min max count"
gaps() { awk 'NR > 1 { g = $1 - p; if (min == "" || g < min) min = g; if (g > max) max = g } { p = $1; n++ }
	END { printf "%.2f %.2f %d\n", min, max, n }'; }
udp_send() { # udp_send PORT N: N datagrams from one socket on lo
	python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 0))
for i in range(int(sys.argv[2])):
    s.sendto(b'x' * 10, ('127.0.0.1', int(sys.argv[1])))" "$@"
}

if ! "$WIREAUDIT" --version | grep -q '^systemd notify: yes'; then
	echo "ok $((T_N += 1)) # SKIP built without libsystemd (configure --with-systemd)"
elif [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
	echo "ok $((T_N += 1)) # SKIP not root, or setpriv / user nobody missing"
else
	PORT=$((30000 + $$ % 20000))
	W=$T_TMP/nobody
	mkdir -m 0700 "$W" && chown nobody "$W"
	chmod 0755 "$T_TMP"
	CONF=$W/wa.conf
	# checkpoint 60: no scheduled checkpoint within the test, so the SIGHUP's
	# is the first to write the open flow, whatever the machine's load (with
	# 2 s, the scheduled one at 4 s raced the SIGHUP and sometimes wrote it)
	printf 'interface = lo\nfilter = udp port %s\ndatabase = %s/n.db\nuser = nobody\ncheckpoint = 60\n' \
		"$PORT" "$W" >"$CONF"
	chmod 0644 "$CONF"
	notify_start solo
	NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=2000000 setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		--inh-caps=+net_raw,+net_admin --ambient-caps=+net_raw,+net_admin \
		"$WIREAUDIT" capture -q --config "$CONF" 2>"$T_TMP/solo.err" &
	pid=$!
	sleep 1.5
	udp_send "$PORT" 40
	sleep 2.5
	printf 'interface = lo\nfilter = udp port %s\ndatabase = %s/n.db\nuser = nobody\ncheckpoint = 3\n' \
		"$(($PORT + 1))" "$W" >"$CONF"
	kill -HUP "$pid"
	sleep 2.2
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	wait "$LSN"
	if grep -qi "operation not permitted\|permission" "$T_TMP/solo.err"; then
		echo "ok $((T_N += 1)) # SKIP cannot capture on lo as nobody with ambient capabilities here: $(head -1 "$T_TMP/solo.err")"
	else
		t_is "$rc" 5 "notify: SIGTERM exits 5"
		NOBODY=$(id -u nobody)
		t_is "$(head -1 "$OUT" | cut -d' ' -f2-)" "$NOBODY $pid READY=1;STATUS=run 1: capturing on lo" \
			"READY=1 is the first message, from the capture (pid $pid) running as nobody, with a STATUS"
		t_is "$(sed -n 2p "$OUT" | cut -d' ' -f4-)" "packet_sockets=1 capeff=0000000000000000" \
			"at READY the packet socket is open and no capability is left"
		t_is "$(tail -1 "$OUT" | cut -d' ' -f4-)" "STOPPING=1" "STOPPING=1 is the last message"
		ready=$(head -1 "$OUT" | cut -d' ' -f1)
		first=$(msgs "$OUT" WATCHDOG=1 | head -1 | cut -d' ' -f1)
		t_ok "$(awk -v a="$ready" -v b="$first" 'BEGIN { exit !(b - a >= 0.9 && b - a <= 1.6) }'; echo $?)" \
			"first WATCHDOG=1 one period (1 s, half of WATCHDOG_USEC) after READY ($ready -> $first)"
		set -- $(msgs "$OUT" WATCHDOG=1 | gaps)
		t_ok "$(awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { exit !(a >= 0.9 && b <= 1.6 && n >= 5) }'; echo $?)" \
			"WATCHDOG=1 every 1 s on an idle link: gaps $1..$2 s over $3 pings, never near the 2 s timeout"
		set -- $(msgs "$OUT" STATUS=lo: | gaps)
		t_ok "$(awk -v a="$1" -v n="$3" 'BEGIN { exit !(a >= 0.95 && n >= 4) }'; echo $?)" \
			"STATUS at most once a second ($3 lines, smallest gap $1 s)"
		t_ok "$(msgs "$OUT" STATUS=lo: | cut -d' ' -f2- | grep -vcE '^STATUS=lo: [0-9]+ packets/s, [0-9]+ kernel drops, [0-9]+ open flows, [0-9]+ packets, [0-9]+ flows written$' | grep -qx 0; echo $?)" \
			"every STATUS line: IFACE: R packets/s, D kernel drops, O open flows, P packets, F flows written"
		t_ok "$(msgs "$OUT" STATUS=lo: | grep -qE 'STATUS=lo: [1-9][0-9]* packets/s'; echo $?)" \
			"a STATUS line during the burst has a rate above 0"
		# the last one before the reload: after 2.5 quiet seconds
		t_is "$(msgs "$OUT" 'STATUS=lo:' | awk -v r="$(msgs "$OUT" RELOADING=1 | cut -d' ' -f1)" '$1 < r' | tail -1 | cut -d' ' -f2-)" \
			"STATUS=lo: 0 packets/s, 0 kernel drops, 1 open flows, 40 packets, 0 flows written" \
			"STATUS counts exactly: 40 datagrams, one open flow, no kernel drop, rate back to 0"
		t_is "$(grep -A1 'RELOADING=1' "$OUT" | cut -d' ' -f4- | sed 's/MONOTONIC_USEC=[0-9]*/MONOTONIC_USEC=N/')" \
			"RELOADING=1;MONOTONIC_USEC=N
READY=1" "SIGHUP: RELOADING=1 (with MONOTONIC_USEC), then READY=1"
		t_is "$(cat "$T_TMP/solo.err")" "wireaudit: $CONF reloaded: applied: checkpoint 60 -> 3; needs a restart: filter
wireaudit: run 1: 40 packets, 0 flows written, 1 open (1 snapshot rows now) [SIGHUP]" \
			"SIGHUP: the reload line (checkpoint applied, filter needs a restart), then the checkpoint line"
	fi

	# --workers 2: a stopped worker withholds the pings
	notify_start workers
	NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=2000000 "$WIREAUDIT" capture -q -i lo --workers 2 \
		-f "udp port $PORT" -d "$T_TMP/w.db" 2>"$T_TMP/w.err" &
	pid=$!
	sleep 3
	python3 - "$pid" "$T_TMP/stopped" <<'PY'
import ctypes, os, sys, time
pid = int(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
PTRACE_SEIZE, PTRACE_INTERRUPT, PTRACE_DETACH = 0x4206, 0x4207, 17
tids = [int(t) for t in os.listdir("/proc/%d/task" % pid) if int(t) != pid]
for t in tids:
    if libc.ptrace(PTRACE_SEIZE, t, None, None) != 0 or libc.ptrace(PTRACE_INTERRUPT, t, None, None) != 0:
        sys.exit("ptrace %d: %s" % (t, os.strerror(ctypes.get_errno())))
for t in tids:
    os.waitpid(t, 0x40000000)  # __WALL: a thread of another process
with open(sys.argv[2], "w") as f:
    f.write("%.3f %d\n" % (time.monotonic(), len(tids)))
time.sleep(4)
with open(sys.argv[2], "a") as f:
    f.write("%.3f\n" % time.monotonic())
for t in tids:
    libc.ptrace(PTRACE_DETACH, t, None, None)
PY
	sleep 3
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	wait "$LSN"
	if [ ! -s "$T_TMP/stopped" ]; then
		echo "ok $((T_N += 1)) # SKIP ptrace of the worker threads not possible here"
	else
		t_is "$rc" 5 "--workers 2: SIGTERM exits 5 after the threads were stopped and released"
		s0=$(head -1 "$T_TMP/stopped" | cut -d' ' -f1)
		s1=$(sed -n 2p "$T_TMP/stopped")
		# a ping may still come within one period (1 s) of the stop: the
		# workers' last ticks may be later than the last ping; none after
		t_is "$(msgs "$OUT" WATCHDOG=1 | awk -v a="$s0" -v b="$s1" '$1 > a + 1.3 && $1 < b' | wc -l)" 0 \
			"no WATCHDOG=1 while every thread but the main one is stopped ($(cut -d' ' -f2 "$T_TMP/stopped" | head -1) threads, 4 s)"
		t_ok "$([ "$(msgs "$OUT" STATUS=lo: | awk -v a="$s0" -v b="$s1" '$1 > a && $1 < b' | wc -l)" -ge 3 ]; echo $?)" \
			"the main thread was running meanwhile: STATUS lines went on"
		t_ok "$([ "$(msgs "$OUT" WATCHDOG=1 | awk -v b="$s1" '$1 > b' | wc -l)" -ge 2 ]; echo $?)" \
			"the pings resume once the workers run again"
		t_ok "$([ "$(msgs "$OUT" WATCHDOG=1 | awk -v a="$s0" '$1 < a' | wc -l)" -ge 2 ]; echo $?)" \
			"--workers 2 pinged before the stop"
	fi
fi

# ---- wireaudit-scheduled-report ----
export WIREAUDIT
period() { "$SCRIPT" --print-period --period "$1" --now "$2"; }
t_is "$(period weekly 2026-12-02T10:00:00Z)" "2026-11-23 2026-11-30 wireaudit-2026-W48" "weekly on a Wednesday: the ISO week before"
t_is "$(period weekly 2026-11-30)" "2026-11-23 2026-11-30 wireaudit-2026-W48" "weekly on a Monday: the week that just ended"
t_is "$(period weekly 2026-11-29T23:59:59Z)" "2026-11-16 2026-11-23 wireaudit-2026-W47" "weekly on a Sunday: the week before the current one"
t_is "$(period weekly 2026-01-06)" "2025-12-29 2026-01-05 wireaudit-2026-W01" "weekly across a year: ISO week-year 2026 starts 2025-12-29"
t_is "$(period weekly 2027-01-04)" "2026-12-28 2027-01-04 wireaudit-2026-W53" "weekly: 2026 has 53 ISO weeks"
t_is "$(period monthly 2026-12-05)" "2026-11-01 2026-12-01 wireaudit-2026-11" "monthly: the month before"
t_is "$(period monthly 2026-01-01T00:00:00Z)" "2025-12-01 2026-01-01 wireaudit-2025-12" "monthly on the 1st, across a year"
t_is "$(period monthly 2026-03-31)" "2026-02-01 2026-03-01 wireaudit-2026-02" "monthly on the 31st: February, whole"
t_is "$(WIREAUDIT_REPORT_NOW=2026-12-02 "$SCRIPT" --print-period --period weekly)" \
	"2026-11-23 2026-11-30 wireaudit-2026-W48" "WIREAUDIT_REPORT_NOW fixes the date as --now does"
"$SCRIPT" --period yearly 2>"$T_TMP/err"
t_is "$?:$(head -1 "$T_TMP/err")" "2:wireaudit-scheduled-report: --period: weekly or monthly, not yearly" "bad period: exit 2"
"$SCRIPT" --period weekly --keep x 2>"$T_TMP/err"
t_is "$?:$(head -1 "$T_TMP/err")" "2:wireaudit-scheduled-report: --keep: a number (0: keep all)" "bad --keep: exit 2"
"$SCRIPT" --period weekly --now garbage 2>"$T_TMP/err"
t_is "$?:$(head -1 "$T_TMP/err")" "2:wireaudit-scheduled-report: --now: not a time: garbage" "bad --now: exit 2"

# a database whose report fails: flows of 2026-11-27 (ISO week 48)
DB=$T_TMP/sched.db
"$WIREAUDIT" capture -q -r "$SRCDIR/pcaps/plain/http-basic-cleartext.pcap" \
	-r "$SRCDIR/pcaps/tls/tls10-ecdhe-rsa-aes128-sha.pcap" -d "$DB" >&2
R=$T_TMP/reports
mkdir "$R"
for w in 40 41 42 43 44 45 46 47; do
	touch "$R/wireaudit-2026-W$w.html" "$R/wireaudit-2026-W$w.json"
done
touch "$R/wireaudit-2026-09.html" "$R/wireaudit-2026-09.json" "$R/wireaudit-2026-10.json" "$R/notes.txt"
printf 'internal = 10.99.21.0/24 env=lab owner=qa\n' >"$T_TMP/sched.conf"
SOURCE_DATE_EPOCH=1790000000 "$SCRIPT" --period weekly --now 2026-12-02 --db "$DB" --dir "$R" --keep 3 \
	--config "$T_TMP/sched.conf" >"$T_TMP/out" 2>"$T_TMP/err"
t_is "$?" 6 "a failing requirement: exit 6 (wireaudit report's), so the unit fails"
t_is "$(cat "$T_TMP/err")" "wireaudit-scheduled-report: wireaudit-2026-W48 (2026-11-23 to 2026-11-30): a requirement fails at level 2: $R/wireaudit-2026-W48.html" \
	"one line on stderr names the period and the report"
t_is "$(ls "$R" | tr '\n' ' ')" \
	"notes.txt wireaudit-2026-09.html wireaudit-2026-09.json wireaudit-2026-10.json wireaudit-2026-W46.html wireaudit-2026-W46.json wireaudit-2026-W47.html wireaudit-2026-W47.json wireaudit-2026-W48.html wireaudit-2026-W48.json " \
	"--keep 3: the newest three weekly reports stay, the monthly ones and other files are not touched"
t_is "$(stat -c %a "$R/wireaudit-2026-W48.html" "$R/wireaudit-2026-W48.json" | tr '\n' ' ')" "600 600 " "reports created 0600"
t_is "$(jq -r '[.window.since, .window.until, .summary.result, .level, (.network.internal[] | select(.env == "lab") | .cidr + "/" + .owner)] | join(" ")' "$R/wireaudit-2026-W48.json")" \
	"2026-11-23T00:00:00.000000Z 2026-11-30T00:00:00.000000Z fail 2 10.99.21.0/24/qa" \
	"the JSON report: the week's window, result fail, level 2, the configuration's labelled network"
t_ok "$(grep -q '<html' "$R/wireaudit-2026-W48.html"; echo $?)" "the HTML report is written"

"$SCRIPT" --period monthly --now 2026-12-05 --db "$DB" --dir "$R" --keep 1 >/dev/null 2>&1
t_is "$?:$(ls "$R" | grep -E '^wireaudit-[0-9]{4}-[0-9]{2}\.' | tr '\n' ' ')" "6:wireaudit-2026-11.html wireaudit-2026-11.json " \
	"monthly, --keep 1: November written (exit 6), the older monthly reports removed"
"$SCRIPT" --period weekly --now 2026-06-10 --db "$DB" --dir "$R" --keep 0 >"$T_TMP/out" 2>&1
t_is "$?:$(jq -r .summary.result "$R/wireaudit-2026-W23.json")" "0:pass" "a week without failing flows: exit 0"
t_is "$(ls "$R" | grep -c W)" 8 "--keep 0 keeps every report"
# compliance profiles: --profile and WIREAUDIT_REPORT_PROFILES reach the report
"$SCRIPT" --period weekly --now 2026-12-02 --db "$DB" --dir "$R" --keep 0 --profile pci-dss-4 >/dev/null 2>"$T_TMP/err"
t_is "$?:$(jq -r '.profiles.selected | join(",")' "$R/wireaudit-2026-W48.json")" "6:pci-dss-4" "--profile pci-dss-4: the report judges PCI DSS"
t_is "$(cat "$T_TMP/err")" "wireaudit-scheduled-report: wireaudit-2026-W48 (2026-11-23 to 2026-11-30): a requirement fails at level 2 or a profile fails (pci-dss-4): $R/wireaudit-2026-W48.html" \
	"the stderr line names the profiles"
WIREAUDIT_REPORT_PROFILES="asvs5 mozilla-old" "$SCRIPT" --period weekly --now 2026-12-02 --db "$DB" --dir "$R" --keep 0 >/dev/null 2>&1
t_is "$(jq -r '.profiles.selected | join(",")' "$R/wireaudit-2026-W48.json")" "asvs5,mozilla-old" "WIREAUDIT_REPORT_PROFILES: two profiles"
"$SCRIPT" --period weekly --now 2026-12-02 --db "$DB" --dir "$R" --profile 'a b' >/dev/null 2>"$T_TMP/err"
t_is "$?:$(head -1 "$T_TMP/err")" "2:wireaudit-scheduled-report: --profile: a profile name or a path without spaces, not a b" \
	"a profile with a space: usage error"
before=$(ls "$R" | tr '\n' ' ')
"$SCRIPT" --period weekly --now 2026-12-09 --db "$T_TMP/none.db" --dir "$R" --keep 1 >/dev/null 2>"$T_TMP/err"
t_is "$?:$(ls "$R" | tr '\n' ' ')" "4:$before" "a missing database: exit 4, nothing written, nothing pruned"
t_done
