#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# syslog-fields.sh — exact export fields of the syslog dissector (issue 17):
# the real rsyslogd + logger captures of pcaps/syslog/
# (tools/lab/gen-syslog.sh: UDP RFC 3164 and 5424, TCP non-transparent and
# octet-counted on 601, TLS on 6514), the hand-built cases of
# tools/mkpcap-syslog.py (NILVALUE fields, a BSD message without TIMESTAMP,
# an LF inside a non-transparent message, octet counting on a port no hint
# names and split over segments, PRI 192) and hostile ones (MSG-LEN over the
# cap or of ten digits, no SP after MSG-LEN, a counted message without PRI, a
# datagram without PRI, 70 000 bytes without LF): each ends in its anomaly
# or is ignored, never in a crash, and the capture exits 0. Run it in the
# sanitizer build too.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/syslog
python3 "$SRCDIR/tools/mkpcap-syslog.py" "$T_TMP/c" || { t_ok 1 "mkpcap-syslog.py"; t_done; exit 1; }
C=$T_TMP/c

# rec PCAP JQ: JQ applied to the first flow's export record
rec() {
	local key db
	key=$(echo "$1" | tr '/.' '__')
	if [ ! -f "$T_TMP/$key.jsonl" ]; then
		db="$T_TMP/$key.db"
		"$WIREAUDIT" capture -q -r "$1" -d "$db" 2>"$T_TMP/$key.err"
		echo $? > "$T_TMP/$key.rc"
		"$WIREAUDIT" export -d "$db" > "$T_TMP/$key.jsonl" 2>/dev/null
	fi
	head -1 "$T_TMP/$key.jsonl" | jq -c "$2"
}
D='.cleartext.details'
SEL="[.transport, .server_port, .protocol, .security, $D.framing, $D.messages, $D.format, $D.version, $D.pri, $D.facility, $D.severity, $D.hostname, $D.app_name, ([.anomalies[].name])]"

# --- real captures: logger -p local4.notice -t wa-lab, three messages each
t_is "$(rec "$S/syslog-udp-rfc3164.pcap" "$SEL")" \
	'["udp",514,"syslog","cleartext","udp",3,"rfc3164",null,165,"local4","notice","sender","wa-lab",[]]' \
	"UDP RFC 3164: three datagrams, PRI 165, HOSTNAME and TAG"
t_is "$(rec "$S/syslog-udp-rfc5424.pcap" "$SEL")" \
	'["udp",514,"syslog","cleartext","udp",3,"rfc5424","1",165,"local4","notice","sender.lab.test","wa-lab",[]]' \
	"UDP RFC 5424: VERSION 1, HOSTNAME and APP-NAME"
t_is "$(rec "$S/syslog-tcp-nontransparent-rfc3164.pcap" "$SEL")" \
	'["tcp",514,"syslog","cleartext","non_transparent",3,"rfc3164",null,165,"local4","notice","sender","wa-lab",[]]' \
	"TCP 514, LF-terminated (RFC 6587 3.4.2)"
t_is "$(rec "$S/syslog-tcp-octet-rfc5424-601.pcap" "$SEL")" \
	'["tcp",601,"syslog","cleartext","octet_counting",3,"rfc5424","1",165,"local4","notice","sender.lab.test","wa-lab",[]]' \
	"TCP 601, octet counting (RFC 6587 3.4.1)"
t_is "$(rec "$S/syslog-tls-6514.pcap" '[.server_port, .protocol, .security, .tls.version, .tls.handshake, .cleartext]')" \
	'[6514,"tls","tls","TLSv1.3","complete",null]' \
	"TLS on 6514 (RFC 5425, rsyslog omfwd/ossl): the TLS dissector's flow, as IMAPS is"
t_is "$(rec "$S/syslog-udp-rfc3164.pcap" "[.cleartext.tls_offered, .cleartext.tls_requested, .cleartext.credentials]")" "[false,false,false]" \
	"no upgrade offered or asked for, no credentials"

# --- hand-built
t_is "$(rec "$C/udp-nil-fields.pcap" "$SEL")" \
	'["udp",514,"syslog","cleartext","udp",1,"rfc5424","1",0,"kern","emerg",null,null,[]]' \
	"NILVALUE HOSTNAME and APP-NAME are not stated; PRI 0"
t_is "$(rec "$C/udp-3164-no-ts.pcap" "$SEL")" \
	'["udp",514,"syslog","cleartext","udp",1,"rfc3164",null,191,"local7","debug",null,null,[]]' \
	"BSD message without TIMESTAMP: CONTENT only (RFC 3164 4.3.2); PRI 191"
t_is "$(rec "$C/tcp-embedded-lf.pcap" "[$D.messages, $D.lines_without_pri, $D.hostname, $D.app_name]")" \
	'[2,1,"host","sh"]' \
	"LF inside a non-transparent message: 2 messages, 1 line without PRI"
t_is "$(rec "$C/tcp-octet-port-6000.pcap" "$SEL")" \
	'["tcp",6000,"syslog","cleartext","octet_counting",3,"rfc5424","1",165,"local4","notice","host.example","app",[]]' \
	"octet counting on port 6000, by content; a message split over two segments"
t_is "$(rec "$C/udp-pri-192.pcap" '[.protocol, .cleartext]')" '[null,null]' \
	"PRI 192 is no PRI: not syslog"

# --- hostile input: an anomaly or nothing, exit 0, never a crash
anoms() { rec "$1" '[.anomalies[] | .dissector + ":" + .name]'; }
t_is "$(anoms "$C/tcp-len-too-long.pcap")" '["syslog:message_too_long"]' "MSG-LEN 99999999: message_too_long"
t_is "$(anoms "$C/tcp-len-10-digits.pcap")" '["syslog:message_too_long"]' "MSG-LEN of ten digits: message_too_long"
t_is "$(anoms "$C/tcp-len-no-sp.pcap")" '["syslog:bad_length"]' "no SP after MSG-LEN: bad_length"
t_is "$(anoms "$C/tcp-octet-bad-pri.pcap")" '["syslog:bad_pri"]' "counted message without PRI: bad_pri"
t_is "$(anoms "$C/udp-bad-second.pcap")" '["syslog:bad_pri"]' "datagram without PRI: bad_pri"
t_is "$(anoms "$C/tcp-no-lf-70k.pcap")" '["syslog:message_too_long"]' "70 000 bytes without LF: message_too_long"
t_is "$(rec "$C/tcp-octet-bad-pri.pcap" "$D.messages")" '1' "the message before the bad one is counted"
rcs=$(cat "$T_TMP"/*.rc | sort -u | tr '\n' ' ')
t_is "$rcs" "0 " "every capture exits 0"
t_done
