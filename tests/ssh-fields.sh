#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# ssh-fields.sh — exact export fields of the SSH dissector (issue 17): the
# real OpenSSH captures of pcaps/ssh/ (tools/lab/gen-ssh.sh: selection,
# AEAD's implicit MAC, strict-KEX and ext-info markers, HASSH recomputed here
# from the exported lists with Python's MD5, security), and hand-built
# conversations from tools/mkpcap-ssh.py (lines before the server's
# identification, no cipher in common, SSH-1) and hostile ones (a truncated
# KEXINIT, a 1 MiB identification line, a packet_length of 0xfffffff0,
# padding_length >= packet_length, a name-list longer than its packet, a
# 5000-byte name-list): each ends in its anomaly or is ignored, never in a
# crash, and the capture exits 0. Run it in the sanitizer build too.
. "$SRCDIR/tests/lib.sh"

S=$SRCDIR/pcaps/ssh
python3 "$SRCDIR/tools/mkpcap-ssh.py" "$T_TMP/c" || { t_ok 1 "mkpcap-ssh.py"; t_done; exit 1; }
C=$T_TMP/c

# ssh PCAP JQ: JQ applied to the first ssh flow's export record
ssh() {
	local key db
	key=$(echo "$1" | tr '/.' '__')
	if [ ! -f "$T_TMP/$key.jsonl" ]; then
		db="$T_TMP/$key.db"
		"$WIREAUDIT" capture -q -r "$1" -d "$db" 2>"$T_TMP/$key.err"
		echo $? > "$T_TMP/$key.rc"
		"$WIREAUDIT" export -d "$db" > "$T_TMP/$key.jsonl" 2>/dev/null
	fi
	jq -c 'select(.protocol == "ssh")' "$T_TMP/$key.jsonl" | head -1 | jq -c "$2"
}
D='.cleartext.details'
SEL="[.security, $D.kex, $D.host_key, $D.cipher_c2s, $D.cipher_s2c, $D.mac_c2s, $D.mac_s2c, $D.mac_c2s_implicit, $D.mac_s2c_implicit, $D.compression_c2s]"

# --- real captures: what the negotiation selected
t_is "$(ssh "$S/ssh-modern-defaults.pcap" "$SEL")" \
	'["app_encrypted","sntrup761x25519-sha512","ssh-ed25519","chacha20-poly1305@openssh.com","chacha20-poly1305@openssh.com",null,null,true,true,"none"]' \
	"modern defaults: sntrup761x25519, ed25519, chacha20-poly1305 (MAC implicit)"
t_is "$(ssh "$S/ssh-server-old-algorithms.pcap" "$SEL")" \
	'["app_encrypted","diffie-hellman-group1-sha1","ssh-ed25519","aes128-cbc","aes128-cbc","hmac-sha1","hmac-sha1",null,null,"none"]' \
	"old server: group1-sha1, aes128-cbc, hmac-sha1 selected"
t_is "$(ssh "$S/ssh-client-weak-first.pcap" "$SEL")" \
	'["app_encrypted","diffie-hellman-group14-sha1","ssh-ed25519","aes128-cbc","aes128-cbc","hmac-md5","hmac-md5",null,null,"none"]' \
	"client weak first, server still accepts: group14-sha1, aes128-cbc, hmac-md5 selected"
t_is "$(ssh "$S/ssh-port2222.pcap" "[.server_port, .protocol, $D.kex, $D.cipher_c2s]")" \
	'[2222,"ssh","sntrup761x25519-sha512","chacha20-poly1305@openssh.com"]' \
	"port 2222: found by the identification string"
t_is "$(ssh "$S/ssh-aes-gcm-rsa-hostkey.pcap" "$SEL")" \
	'["app_encrypted","sntrup761x25519-sha512","rsa-sha2-512","aes256-gcm@openssh.com","aes256-gcm@openssh.com",null,null,true,true,"none"]' \
	"AES-GCM (MAC implicit), rsa-sha2-512 host key"
t_is "$(ssh "$S/ssh-modern-defaults.pcap" "[$D.client_protocol, $D.client_software, $D.client_comments, $D.server_protocol, $D.server_software]")" \
	'["2.0","OpenSSH_9.2p1","Debian-2+deb12u10","2.0","OpenSSH_9.2p1"]' \
	"identification strings split into protocol, software, comments"
t_is "$(ssh "$S/ssh-modern-defaults.pcap" "[$D.strict_kex_client, $D.strict_kex_server, $D.ext_info_client, $D.ext_info_server, $D.client_first_kex_follows, $D.server_first_kex_follows]")" \
	'[true,true,true,false,false,false]' \
	"strict-KEX markers both sides, ext-info-c only (OpenSSH 9.2 server sends no ext-info-s)"
t_is "$(ssh "$S/ssh-server-old-algorithms.pcap" "$D.server_kex_algorithms")" \
	'"diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,kex-strict-s-v00@openssh.com"' \
	"old server's kex list as sent"
# HASSH recomputed from the exported lists (Salesforce's definition)
for p in "$S"/*.pcap; do
	got=$(ssh "$p" "[$D.hassh, $D.hassh_server]")
	want=$(ssh "$p" "$D" | python3 -c '
import hashlib, json, sys
d = json.load(sys.stdin)
h = lambda s, x: hashlib.md5(";".join(d[s + "_" + k + "_" + x] if k != "kex_algorithms" else d[s + "_kex_algorithms"]
    for k in ("kex_algorithms", "ciphers", "macs", "compression")).encode()).hexdigest()
print(json.dumps([h("client", "c2s"), h("server", "s2c")], separators=(",", ":")))')
	t_is "$got" "$want" "$(basename "$p"): hassh and hassh_server are MD5 of kex;ciphers;macs;compression"
done

# --- hand-built conversations
t_is "$(ssh "$C/pre-ident-port2200.pcap" "[.server_port, .security, $D.server_pre_ident_lines, $D.server_software, $D.server_comments, $D.client_comments, .anomalies]")" \
	'[2200,"app_encrypted",2,"craftserver_2.0","comment here",null,[]]' \
	"two server lines before its identification, port 2200"
t_is "$(ssh "$C/pre-ident-port2200.pcap" "$SEL")" \
	'["app_encrypted","curve25519-sha256","ssh-ed25519","aes128-cbc","aes256-gcm@openssh.com","hmac-md5",null,null,true,"none"]' \
	"crafted selection: first client name the server lists, per direction"
t_is "$(ssh "$C/pre-ident-port2200.pcap" "[$D.hassh, $D.hassh_server]")" \
	"$(python3 -c '
import hashlib
c = "curve25519-sha256,diffie-hellman-group14-sha1,ext-info-c,kex-strict-c-v00@openssh.com;aes128-cbc,chacha20-poly1305@openssh.com;hmac-md5,hmac-sha2-256;none,zlib@openssh.com"
s = "diffie-hellman-group14-sha1,curve25519-sha256,kex-strict-s-v00@openssh.com,ext-info-s;aes128-ctr,aes256-gcm@openssh.com;hmac-sha2-256;none"
print("[\"%s\",\"%s\"]" % (hashlib.md5(c.encode()).hexdigest(), hashlib.md5(s.encode()).hexdigest()))')" \
	"crafted HASSH / HASSHServer against hashlib"
t_is "$(ssh "$C/no-common-cipher.pcap" "[.security, $D.kex, $D.cipher_c2s, $D.cipher_s2c, $D.mac_s2c_implicit]")" \
	'["unknown","curve25519-sha256",null,"aes256-gcm@openssh.com",true]' \
	"no c2s cipher in common: none selected; no NEWKEYS: security unknown"
t_is "$(ssh "$C/ssh1.pcap" "[.security, $D.client_protocol, $D.server_protocol, $D.client_kex_algorithms, .anomalies]")" \
	'["unknown","1.5","1.5",null,[]]' \
	"SSH-1.5: protocol recorded, its packets not read"

# --- hostile input: an anomaly or nothing, exit 0, never a crash
anoms() { ssh "$1" '[.anomalies[] | .dissector + ":" + .name]'; }
t_is "$(anoms "$C/ident-1mb.pcap")" '["ssh:ident_too_long"]' "1 MiB identification line: ident_too_long"
t_is "$(anoms "$C/packet-length-lie.pcap")" '["ssh:packet_too_long"]' "packet_length 0xfffffff0: packet_too_long"
t_is "$(anoms "$C/bad-padding.pcap")" '["ssh:bad_padding"]' "padding_length >= packet_length: bad_padding"
t_is "$(anoms "$C/namelist-overrun.pcap")" '["ssh:bad_kexinit"]' "name-list longer than its packet: bad_kexinit"
t_is "$(ssh "$C/namelist-5000.pcap" "[.anomalies[0].name, ($D.client_kex_algorithms | length), $D.kex]")" \
	'["name_list_capped",4096,null]' \
	"5000-byte name-list: stored cut at 4096 bytes with name_list_capped, selection over the whole list"
t_is "$(ssh "$C/truncated-kexinit.pcap" "[.anomalies, $D.client_kex_algorithms, $D.client_software]")" \
	'[[],null,"craftclient_1.0"]' "KEXINIT cut by the end of the capture: ignored, identification kept"
rcs=$(cat "$T_TMP"/*.rc | sort -u | tr '\n' ' ')
t_is "$rcs" "0 " "every capture exits 0"
t_done
