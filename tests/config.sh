# SPDX-License-Identifier: BSD-3-Clause
# config.sh — the configuration file (issue 14; docs/APPLIANCE.md
# "Configuration file"): `capture --config` and `report --config` read one
# file. Every key round-trips into what the run records (runs.source,
# filter, snaplen, the stats' `config` object) or into the report; the
# command line overrides the file; errors say FILE:LINE and exit 2 for
# every kind of bad input (unknown key, bad values, repeated keys, syntax,
# a NUL byte, control characters, a 200 KB line, a missing file, a
# directory, a file over 1 MiB); the report's older directive lines keep
# working. As root, on a dummy interface: interface, user and promisc take effect, and
# SIGHUP re-reads the file (applied, needs a restart, nothing changed, a
# bad file kept out).
. "$SRCDIR/tests/lib.sh"

PCAP=$SRCDIR/pcaps/sample/http-mixed.pcap
C=$T_TMP/c.conf
E=$T_TMP/err
# err_is 'FILE CONTENT' 'MESSAGE' DESCRIPTION: capture and report refuse it, exit 2
err_is() {
	printf '%b' "$1" >"$C"
	"$WIREAUDIT" capture -q --config "$C" -r "$PCAP" -d "$T_TMP/never.db" 2>"$E"
	t_is "$?:$(cat "$E")" "2:wireaudit: $C:$2" "capture: $3"
	"$WIREAUDIT" report --config "$C" -d "$T_TMP/never.db" >/dev/null 2>"$E"
	t_is "$?:$(cat "$E")" "2:wireaudit: $C:$2" "report: $3"
}
err_is 'checkpoint = 2\nfoo = 1\n' '2: unknown key foo' 'unknown key, with its line'
err_is '# c\n\n  snaplen = 10\n' '3: snaplen must be 64..262144' 'snaplen out of range'
err_is 'snaplen = 1e3\n' '1: snaplen must be 64..262144' 'snaplen not a number'
err_is 'promisc = maybe\n' '1: promisc must be yes or no' 'promisc'
err_is 'workers = 65\n' '1: workers must be auto or 1..64' 'workers'
err_is 'checkpoint = -1\n' '1: checkpoint must be 0..86400 seconds (or 30s, 5m, 1h)' 'checkpoint negative'
err_is 'checkpoint = 2d\n' '1: checkpoint must be 0..86400 seconds (or 30s, 5m, 1h)' 'checkpoint over a day'
err_is 'max_flows = 0\n' '1: max_flows must be 1..67108864' 'max_flows'
err_is 'stream_cap = 1K\n' '1: stream_cap must be 4096..67108864 bytes (or 4K..64M)' 'stream_cap'
err_is 'ndpi = some\n' '1: ndpi must be off, unclaimed, classify or all' 'ndpi'
err_is 'retain_flows = 14\n' '1: retain_flows must be a duration such as 14d, 12h or 30m (0: keep everything)' 'a duration without a unit'
err_is 'retain_flows = 30s\n' '1: retain_flows must be a duration such as 14d, 12h or 30m (0: keep everything)' 'retain_flows under a minute'
err_is 'retain_flows = 99999999999999999999d\n' '1: retain_flows must be a duration such as 14d, 12h or 30m (0: keep everything)' 'a duration that overflows'
err_is 'retain_rollups = 1y\n' '1: retain_rollups must be a duration such as 400d or 12w (0: keep everything)' 'retain_rollups unit'
err_is 'max_db_size = 20X\n' '1: max_db_size must be a size such as 20G or 500M, at least 1M (0: no limit)' 'max_db_size unit'
err_is 'max_db_size = 99999999999T\n' '1: max_db_size must be a size such as 20G or 500M, at least 1M (0: no limit)' 'a size that overflows'
err_is 'interface = eth0/1\n' '1: an interface name is 1-15 characters of [A-Za-z0-9._@-]' 'interface with a slash'
err_is 'interface = abcdefghijklmnop\n' '1: an interface name is 1-15 characters of [A-Za-z0-9._@-]' 'interface over 15 characters'
err_is 'interface = lo\ninterface = lo\n' '2: interface given twice' 'the same interface twice'
err_is 'user = -x\n' '1: a user name is 1-32 characters of [A-Za-z0-9._-]' 'user'
err_is 'filter = tcp port\n' '1: bad filter "tcp port": can'"'"'t parse filter expression: syntax error' 'a filter pcap cannot compile' 
err_is 'database = a.db\ndatabase = b.db\n' '2: database given twice (first on line 1)' 'a key given twice'
err_is 'database a.db\n' '1: expected key = value' 'a capture key without ='
err_is 'filter =\n' '1: empty value' 'empty value'
err_is 'filter = "tcp\n' '1: unterminated quoted value' 'unterminated quote'
err_is 'filter = "tcp" port 80\n' '1: text after a quoted value' 'text after a quoted value'
err_is 'Filter = tcp\n' '1: expected a key (lowercase letters, digits, _) at the start of the line' 'a capitalised key'
err_is '= tcp\n' '1: expected a key (lowercase letters, digits, _) at the start of the line' 'no key'
err_is 'filter = tcp\001\n' '1: a control character (0x01) in the line' 'a control character'
err_is 'checkpoint = 2\ncheckpoint = 3\000\n' '2: a NUL byte in the line' 'a NUL byte'
err_is 'internal 10.0.0.0/33\n' '1: invalid CIDR (or more than 256 networks)' 'internal: a bad CIDR (the report'"'"'s message)'
err_is 'internal = 10.0.0.0/8 zone=x\n' '1: unknown or repeated key (env, owner)' 'internal: unknown label key'
err_is 'internal = 10.0.0.0/8 env=a/b\n' '1: labels are 1-63 characters of [A-Za-z0-9._-]' 'internal: bad label'
err_is 'geoip a b\n' '1: expected one path' 'geoip: two words'

# a 200 KB line: an unknown key is named up to 64 characters; a filter not echoed whole
python3 -c "print('k' * 200000 + ' = 1')" >"$C"
"$WIREAUDIT" capture -q --config "$C" -r "$PCAP" -d "$T_TMP/never.db" 2>"$E"
t_is "$?:$(cat "$E")" "2:wireaudit: $C:1: unknown key $(printf 'k%.0s' $(seq 64))..." "a 200 KB key: exit 2, named in 64 characters"
python3 -c "print('filter = ' + 'host 10.0.0.1 or ' * 12000 + 'x x')" >"$C"
"$WIREAUDIT" capture -q --config "$C" -r "$PCAP" -d "$T_TMP/never.db" 2>"$E"
t_is "$?:$(wc -c <"$E" | awk '{ print ($1 < 400) }'):$(grep -c "^wireaudit: $C:1: bad filter \"host 10.0.0.1 or host.*\.\.\.\": " "$E")" "2:1:1" \
	"a 200 KB filter: exit 2, echoed in 200 characters and ..."
python3 -c "print('# ' + 'x' * 300000)" >"$C"; echo "checkpoint = 4" >>"$C"
"$WIREAUDIT" capture -q --config "$C" -r "$PCAP" -d "$T_TMP/long.db" 2>"$E"
t_is "$?:$(sqlite3 "$T_TMP/long.db" "SELECT json_extract(stats, '\$.config.checkpoint') FROM runs")" "0:4" \
	"a 300 KB comment line is read whole (no fixed line buffer): the next line applies"
"$WIREAUDIT" capture -q --config "$T_TMP/missing.conf" -r "$PCAP" -d "$T_TMP/never.db" 2>"$E"
t_is "$?:$(cat "$E")" "2:wireaudit: $T_TMP/missing.conf: No such file or directory" "a missing file: exit 2"
"$WIREAUDIT" report --config "$T_TMP/missing.conf" -d "$T_TMP/never.db" 2>"$E"
t_is "$?:$(cat "$E")" "2:wireaudit: $T_TMP/missing.conf: No such file or directory" "report: a missing file: exit 2"
"$WIREAUDIT" capture -q --config "$T_TMP" -r "$PCAP" -d "$T_TMP/never.db" 2>"$E"
t_is "$?:$(cat "$E")" "2:wireaudit: $T_TMP: not a regular file" "a directory: exit 2"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$C"
"$WIREAUDIT" capture -q --config "$C" -r "$PCAP" -d "$T_TMP/never.db" 2>"$E"
t_is "$?:$(cat "$E")" "2:wireaudit: $C: larger than 1048576 bytes" "a file over 1 MiB: exit 2"
t_ok "$([ ! -e "$T_TMP/never.db" ]; echo $?)" "no database was created by a refused configuration"

# ---- every capture key round-trips (offline: what the run records) ----
cat >"$C" <<EOF
# every capture key; interface and user apply to live capture (below)
interface = lo
filter = "tcp"   # a comment after a quoted value
database = $T_TMP/rt.db
user = nobody
snaplen = 1000
promisc = no
workers = 2
checkpoint = 1m
max_flows = 1
stream_cap = 8K
ndpi = all
ca_file = $SRCDIR/pcaps/tls/test-ca.pem
system_ca = none
retain_flows = 14d
max_db_size = 20G
retain_rollups = 400d
internal = 10.99.0.0/16 env=lab owner=qa
internal 10.98.0.0/16 env=old
geoip $T_TMP/no.mmdb
EOF
"$WIREAUDIT" capture -q --config "$C" -r "$PCAP" 2>"$E"
t_is "$?:$(cat "$E")" "0:" "capture --config with every key and -r: runs offline (the file's interface and workers are the live capture's)"
t_is "$(sqlite3 "$T_TMP/rt.db" "SELECT mode, source, filter, snaplen FROM runs")" "offline|$PCAP|tcp|1000" \
	"database, filter (quoted, comment after it) and snaplen recorded in the run"
want='{"file":"'$C'","checkpoint":60,"snaplen":1000,"promisc":false,"workers":0,"max_flows":1,"stream_cap":8192,"ndpi":"all","user":"nobody","ca_file":'
want=$want'"'$SRCDIR'/pcaps/tls/test-ca.pem","system_ca":"none","retain_flows_s":1209600,"max_db_bytes":21474836480,"retain_rollups_s":34560000}'
t_is "$(sqlite3 "$T_TMP/rt.db" "SELECT json_extract(stats, '\$.config') FROM runs")" "$want" \
	"the run's stats.config: every capture key as parsed (1m = 60 s, 8K, 14d, 20G, 400d)"
t_is "$(sqlite3 "$T_TMP/rt.db" "SELECT json_extract(stats, '\$.flows_evicted') > 0, json_extract(stats, '\$.ndpi_packets') > 0 FROM runs")" "1|1" \
	"max_flows = 1 evicts, ndpi = all runs nDPI"
"$WIREAUDIT" report --config "$C" -d "$T_TMP/rt.db" -F json >/dev/null 2>"$E"
t_is "$?:$(cat "$E")" "2:wireaudit: $T_TMP/no.mmdb: Error opening the specified MaxMind DB file" "report: the file's geoip path is used (a missing one is an error)"
sed -i '/^geoip/d' "$C"
t_is "$("$WIREAUDIT" report --config "$C" -d "$T_TMP/rt.db" -F json | jq -c '[.network.internal[] | select(.env) | [.cidr, .env, .owner]]')" \
	'[["10.99.0.0/16","lab","qa"],["10.98.0.0/16","old",null]]' "report: internal networks of both forms, with their labels"

# ---- the command line overrides the file ----
printf 'database = %s/file.db\nfilter = udp\nsnaplen = 2000\ncheckpoint = 9\nndpi = off\nmax_flows = 5\n' "$T_TMP" >"$C"
"$WIREAUDIT" capture -q --config "$C" -r "$PCAP" -d "$T_TMP/cli.db" -f tcp -s 3000 --checkpoint 7 --ndpi classify 2>"$E"
t_is "$?:$([ -e "$T_TMP/file.db" ] && echo file.db exists)" "0:" "-d wins over database (the file's database is not created)"
t_is "$(sqlite3 "$T_TMP/cli.db" "SELECT filter, snaplen, json_extract(stats, '\$.config.checkpoint'), json_extract(stats, '\$.config.ndpi'), json_extract(stats, '\$.config.max_flows') FROM runs")" \
	"tcp|3000|7|classify|5" "-f, -s, --checkpoint, --ndpi win; what the command line does not give comes from the file"
"$WIREAUDIT" capture -q --config "$C" -r "$PCAP" -d "$T_TMP/off.db" 2>"$E"
t_is "$(sqlite3 "$T_TMP/off.db" "SELECT json_extract(stats, '\$.ndpi_packets'), json_extract(stats, '\$.config.ndpi') FROM runs")" "0|off" "ndpi = off: no packet to nDPI"
printf 'checkpoint = 2\n' >"$C"
"$WIREAUDIT" capture -q --config "$C" -d "$T_TMP/x.db" 2>"$E"
t_is "$?:$(cat "$E")" "2:wireaudit: capture: give -r FILE... or -i IFACE (one of them; $C has no interface line)" \
	"no interface in the file and no -r: exit 2, the file named"
printf 'interface = lo\ninterface = wa_nope9\n' >"$C"
"$WIREAUDIT" capture -q --config "$C" -d "$T_TMP/x.db" 2>"$E"
t_is "$?:$(cat "$E")" "3:wireaudit: wa_nope9: No such device exists" \
	"two interfaces in the file: both opened (the second does not exist: exit 3, named)"

# ---- live, as root: interface, user, promisc, SIGHUP ----
if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	echo "ok $((T_N += 1)) # SKIP not root"
	t_done
	exit
fi
# an interface of the test's own (lo's promiscuity is shared with other
# captures): a veth pair
IF=wacfg$$
trap 'ip link del "$IF" 2>/dev/null; rm -rf "$T_TMP"' EXIT
if ! ip link add "$IF" type veth peer name "${IF}p" 2>/dev/null || ! ip link set "$IF" up ||
	! ip link set "${IF}p" up; then
	echo "ok $((T_N += 1)) # SKIP cannot create a veth pair"
	t_done
	exit
fi
chmod 0755 "$T_TMP"
D=$T_TMP/live
# the capture re-reads the file on SIGHUP as the user it switched to
mkdir -m 0755 "$D"
chown nobody "$D"
LC=$D/wa.conf
printf 'interface = %s\n' "$IF" >"$LC"
"$WIREAUDIT" capture -q --config "$LC" -d "$D/p.db" 2>"$D/err" &
pid=$!
sleep 1
t_is "$(ip -d link show "$IF" | grep -o 'promiscuity [0-9]*')" "promiscuity 1" "promisc by default: the interface is put in promiscuous mode"
kill -TERM "$pid"
wait "$pid"
printf 'interface = %s\nuser = nobody\npromisc = no\ndatabase = %s/l.db\nfilter = udp port 9\ncheckpoint = 2\n' "$IF" "$D" >"$LC"
"$WIREAUDIT" capture -q --config "$LC" 2>"$D/err" &
pid=$!
for _ in $(seq 50); do
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" = "$(id -u nobody)" ] && break
	sleep 0.1
done
if ! kill -0 "$pid" 2>/dev/null; then
	wait "$pid"
	echo "ok $((T_N += 1)) # SKIP cannot capture on lo here: $(head -1 "$D/err")"
	t_done
	exit
fi
t_is "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" "$(id -u nobody)" "user = nobody: the capture switched to nobody"
t_is "$(ip -d link show "$IF" | grep -o 'promiscuity [0-9]*')" "promiscuity 0" "promisc = no: the interface not put in promiscuous mode"
hup() { # hup CONTENT: write the file, SIGHUP, the new stderr lines
	local n
	n=$(wc -l <"$D/err")
	printf '%b' "$1" >"$LC"
	kill -HUP "$pid"
	sleep 1.2
	tail -n +$((n + 1)) "$D/err"
}
t_is "$(hup 'interface = '"$IF"'\nuser = nobody\npromisc = no\ndatabase = '"$D"'/l.db\nfilter = udp port 9\ncheckpoint = 2\n')" \
	"wireaudit: $LC reloaded: applied: none
wireaudit: run 1: 0 packets, 0 flows written, 0 open (0 snapshot rows now) [SIGHUP]" "SIGHUP, same file: applied: none"
t_is "$(hup 'interface = eth9\nuser = root\npromisc = yes\ndatabase = '"$D"'/other.db\nfilter = tcp\ncheckpoint = 5\nsnaplen = 100\nworkers = 3\nmax_flows = 10\nstream_cap = 5K\nndpi = all\nsystem_ca = none\nretain_flows = 1d\nmax_db_size = 1G\nretain_rollups = 30d\ninternal = 10.0.0.0/8 env=x\n' | head -1)" \
	"wireaudit: $LC reloaded: applied: checkpoint 2 -> 5; needs a restart: interface, filter, database, user, snaplen, promisc, workers, max_flows, stream_cap, ndpi, system_ca, retain_flows, max_db_size, retain_rollups" \
	"SIGHUP: checkpoint applied, every other changed capture key named as needing a restart (internal: the report's)"
t_is "$(hup 'checkpoint = 3\nbogus = 1\n' | head -2)" "wireaudit: $LC:2: unknown key bogus
wireaudit: $LC: not reloaded; the settings in use are kept" "SIGHUP, bad file: the error with its line, settings kept"
t_ok "$(kill -0 "$pid"; echo $?)" "the capture runs on after a bad file"
t_is "$(hup 'interface = '"$IF"'\nuser = nobody\npromisc = no\ndatabase = '"$D"'/l.db\nfilter = udp port 9\ncheckpoint = 4\n' | head -1)" \
	"wireaudit: $LC reloaded: applied: checkpoint 5 -> 4" "the next good file applies again (from the interval in use, 5)"
rm -f "$LC"
n=$(wc -l <"$D/err")
kill -HUP "$pid"
sleep 1.2
t_is "$(tail -n +$((n + 1)) "$D/err" | head -2)" "wireaudit: $LC: No such file or directory
wireaudit: $LC: not reloaded; the settings in use are kept" "SIGHUP, file removed: said, settings kept"
kill -TERM "$pid"
wait "$pid"
t_is "$?" 5 "SIGTERM: exit 5"
t_is "$(sqlite3 "$D/l.db" "SELECT source, filter, json_extract(stats, '\$.config.checkpoint'), json_extract(stats, '\$.config.user') FROM runs")" \
	"$IF|udp port 9|4|nobody" "the run: the file's interface, the start's filter, the checkpoint interval in use at the end"
t_done
