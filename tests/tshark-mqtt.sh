#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tshark-mqtt.sh — tshark as an independent oracle for the MQTT dissector
# (issue 18): for every MQTT flow of pcaps/mqtt/ (matched on the client
# port), compare the CONNECT and CONNACK tshark decodes with `wireaudit
# export`'s cleartext fields:
#   mqtt.protoname, mqtt.ver        details.protocol_name, protocol_level
#   mqtt.conflag.uname / .passwd    details.username_flag, password_flag
#   mqtt.conflag.willflag / .qos / .retain / .cleansess
#                                   details.will, will_qos, will_retain,
#                                   clean_session
#   mqtt.kalive                     details.keep_alive
#   mqtt.clientid                   details.client_id
#   mqtt.username                   cleartext.user
#   mqtt.conack.val (3.x), mqtt.connack.reason_code (5.0)
#                                   details.connack_code
#   mqtt.conack.flags.sp            details.session_present (when decoded)
# plus: a password flag is cleartext.credentials true with mechanism
# "password", and every flow tshark sees as MQTT is ours and the reverse.
# The TLS capture on 8883 holds no MQTT flow of ours or tshark's, and its
# negotiated version (supported_versions, else the ServerHello's version)
# and cipher suite agree with tshark's ServerHello.
# Zero disagreements: one TAP line per capture, details on failure, and a
# last line with the number of facts compared.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark

total=0
for pcap in "$SRCDIR"/pcaps/mqtt/*.pcap; do
	[ -f "$pcap" ] || continue
	name=$(basename "$pcap")
	db="$T_TMP/$name.db"
	"$WIREAUDIT" capture -q -r "$pcap" -d "$db" 2>/dev/null
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl" 2>/dev/null
	tshark -r "$pcap" -Y 'mqtt.msgtype == 1 || mqtt.msgtype == 2' -T fields -E occurrence=f \
		-E separator=/t -e tcp.srcport -e tcp.dstport -e mqtt.msgtype -e mqtt.protoname -e mqtt.ver \
		-e mqtt.conflag.uname -e mqtt.conflag.passwd -e mqtt.conflag.willflag -e mqtt.conflag.qos \
		-e mqtt.conflag.retain -e mqtt.conflag.cleansess -e mqtt.kalive -e mqtt.clientid \
		-e mqtt.username -e mqtt.conack.val -e mqtt.connack.reason_code -e mqtt.conack.flags.sp \
		> "$T_TMP/$name.tshark" 2>/dev/null
	tshark -r "$pcap" -Y 'tls.handshake.type == 2' -T fields -E occurrence=f -E separator=/t \
		-e tcp.dstport -e tls.handshake.version -e tls.handshake.extensions.supported_version \
		-e tls.handshake.ciphersuite > "$T_TMP/$name.tls" 2>/dev/null
	out=$(python3 - "$T_TMP/$name.jsonl" "$T_TMP/$name.tshark" "$T_TMP/$name.tls" <<'EOF'
import json, sys

VERS = {0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
ours, tls = {}, {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["protocol"] == "mqtt":
        ours[r["client_port"]] = r.get("cleartext") or {}
    if r.get("tls"):
        tls[r["client_port"]] = r["tls"]
connect, connack = {}, {}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    if f[2] == "1":
        connect[int(f[0])] = f[3:14]
    elif f[2] == "2":
        connack[int(f[1])] = f[14:17]
problems, compared = [], 0
def cmp(what, got, want):
    global compared
    compared += 1
    if got != want:
        problems.append("%s: ours %r, tshark %r" % (what, got, want))
def flag(v):
    return v in ("1", "True")
for port, c in connect.items():
    if port not in ours:
        problems.append("client port %d: tshark sees a CONNECT, we see no MQTT" % port)
        continue
    ct = ours[port]
    d = ct.get("details") or {}
    pname, ver, un, pw, will, qos, retain, clean, keep, cid, user = c
    cmp("%d protocol_name" % port, d.get("protocol_name"), pname)
    cmp("%d protocol_level" % port, d.get("protocol_level"), int(ver))
    cmp("%d username_flag" % port, d.get("username_flag"), flag(un))
    cmp("%d password_flag" % port, d.get("password_flag"), flag(pw))
    cmp("%d will" % port, d.get("will"), flag(will))
    if flag(will):
        cmp("%d will_qos" % port, d.get("will_qos"), int(qos))
        cmp("%d will_retain" % port, d.get("will_retain"), flag(retain))
    cmp("%d clean_session" % port, d.get("clean_session"), flag(clean))
    cmp("%d keep_alive" % port, d.get("keep_alive"), int(keep))
    cmp("%d client_id" % port, d.get("client_id"), cid)
    cmp("%d user" % port, ct.get("user"), user or None)
    cmp("%d credentials" % port, ct.get("credentials"), flag(pw))
    cmp("%d mechanism" % port, ct.get("auth_mechanism"), "password" if flag(pw) else None)
    if port not in connack:
        problems.append("client port %d: tshark sees no CONNACK" % port)
        continue
    val, reason, sp = connack[port]
    cmp("%d connack_code" % port, d.get("connack_code"), int(reason if ver == "5" else val))
    if sp:
        cmp("%d session_present" % port, d.get("session_present"), flag(sp))
for port in ours:
    if port not in connect:
        problems.append("client port %d: ours is MQTT, tshark sees no CONNECT" % port)
for line in open(sys.argv[3]):
    port, legacy, sv, suite = line.rstrip("\n").split("\t")
    t = tls.get(int(port))
    if t is None:
        problems.append("client port %s: tshark sees a ServerHello, we see no TLS" % port)
        continue
    cmp("%s tls version" % port, t.get("version"), VERS.get(int(sv or legacy, 16)))
    cmp("%s cipher" % port, t.get("cipher_id"), int(suite, 16))
print(compared)
for p in problems:
    print(p)
EOF
)
	n=$(echo "$out" | head -1)
	total=$((total + ${n:-0}))
	if [ "$(echo "$out" | wc -l)" -eq 1 ] && [ "${n:-0}" -gt 0 ]; then
		t_ok 0 "$name: $n facts agree with tshark"
	else
		echo "$out" | tail -n +2 | sed 's/^/# /'
		t_ok 1 "$name: disagreement with tshark (or nothing compared)"
	fi
done
t_is "$(jq -r '.protocol' "$T_TMP/mqtt-tls-8883.pcap.jsonl" | sort -u | tr '\n' ' ')" "tls " \
	"8883: the TLS dissector's flow, no MQTT flow of ours"
t_is "$total" 95 "95 facts compared over the seven captures"
t_done
