#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tshark-smb.sh — tshark as an independent oracle for the SMB dissector
# (issue 18): for every SMB flow of pcaps/smb/ (matched on the client port),
# compare what tshark decodes with `wireaudit export`'s cleartext fields:
#   smb2.dialect (request)          details.smb_dialects_offered
#   smb2.dialect (response)         details.smb_dialect, smb_version
#   smb2.sec_mode.sign_required / .sign_enabled (each side)
#                                   details.smb_client_signing, smb_server_signing
#   smb2.capabilities.encryption    details.smb_*_encryption_capable
#   smb2.negotiate_context.cipher_id / .signing_id (response)
#                                   details.smb_cipher, smb_signing_algorithm
#   smb2.session_flags              details.smb_session_guest / null / encrypt
#   ntlmssp.auth.username / .domain cleartext.user, details.ntlm_domain
#   smb2.tree (requests)            details.smb_trees
#   smb2.share_flags.encrypt_data   details.smb_share_encrypt
#   smb2.header.transform present   security app_encrypted
#   smb.cmd 0x72, smb.dialect, smb.dialect.index, smb.sm.signatures /
#   .sig_required                   details.smb1_negotiate,
#                                   smb1_dialects_offered, smb_dialect (SMB1),
#                                   smb_server_signing
# and every flow tshark sees as SMB is ours and the reverse. Zero
# disagreements: one TAP line per capture, details on failure, and a last
# line with the number of facts compared.
. "$SRCDIR/tests/lib.sh"

t_oracle_needs tshark

total=0
for pcap in "$SRCDIR"/pcaps/smb/*.pcap; do
	[ -f "$pcap" ] || continue
	name=$(basename "$pcap")
	db="$T_TMP/$name.db"
	"$WIREAUDIT" capture -q -r "$pcap" -d "$db" 2>/dev/null
	"$WIREAUDIT" export -d "$db" > "$T_TMP/$name.jsonl" 2>/dev/null
	tshark -r "$pcap" -Y 'smb2 || smb' -T fields -E occurrence=a -E aggregator=, -E separator=/t \
		-e tcp.srcport -e tcp.dstport -e smb2.cmd -e smb2.flags.response -e smb2.dialect \
		-e smb2.sec_mode.sign_required -e smb2.sec_mode.sign_enabled -e smb2.capabilities.encryption \
		-e smb2.negotiate_context.cipher_id -e smb2.negotiate_context.signing_id -e smb2.session_flags \
		-e ntlmssp.auth.username -e ntlmssp.auth.domain -e smb2.tree -e smb2.share_flags.encrypt_data \
		-e smb2.header.transform.msg_size -e smb.cmd -e smb.flags.response -e smb.dialect \
		-e smb.dialect.index -e smb.sm.signatures -e smb.sm.sig_required -e smb2.nt_status -e smb.path \
		> "$T_TMP/$name.tshark" 2>/dev/null
	out=$(python3 - "$T_TMP/$name.jsonl" "$T_TMP/$name.tshark" <<'PYEOF'
import json, sys

DIALECTS = {0x0202: "2.0.2", 0x0210: "2.1", 0x0300: "3.0", 0x0302: "3.0.2", 0x0311: "3.1.1", 0x02ff: "2.???"}
CIPHERS = {1: "AES-128-CCM", 2: "AES-128-GCM", 3: "AES-256-CCM", 4: "AES-256-GCM"}
SIGNING = {0: "HMAC-SHA256", 1: "AES-CMAC", 2: "AES-GMAC"}
def on(v):
    return v in ("1", "True")
ours = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["protocol"] == "smb":
        ours[r["client_port"]] = r
flows = {}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    (sport, dport, cmd, resp, dia, sreq, sen, enc, ciph, sig, sflags, user, dom, tree, shenc, xf,
     s1cmd, s1resp, s1dia, s1idx, s1sig, s1req, status, s1path) = f
    c2s = dport in ("445", "139")
    port = int(sport if c2s else dport)
    fl = flows.setdefault(port, {"trees": [], "transform": False, "share_enc": False})
    if xf:
        fl["transform"] = True
        continue
    cmds = cmd.split(",") if cmd else []
    if "0" in cmds and dia:
        if resp.startswith("1") or resp.startswith("True"):
            if int(dia, 16) != 0x02ff:
                fl["dialect"] = int(dia, 16)
                fl["s_sign"] = sreq, sen
                fl["s_enc"] = enc
                fl["cipher"] = ciph
                fl["sig"] = sig
        else:
            fl["offered"] = [int(x, 16) for x in dia.split(",")]
            fl["c_sign"] = sreq, sen
            fl["c_enc"] = enc
    if "1" in cmds and sflags and status in ("0x00000000", "0"):
        fl["sflags"] = int(sflags, 16)
    if user and user != "NULL":
        fl["user"] = user
        fl["domain"] = dom if dom != "NULL" else None
    # tshark names the tree on every message: only TREE_CONNECT requests
    # count (SMB2 command 3, SMB1 TREE_CONNECT_ANDX 0x75 with smb.path)
    if tree and cmds == ["3"] and not on(resp):
        fl["trees"].append(tree)
    # (tshark repeats an earlier tree's path in a later SMB1 frame: each
    # path once, in order)
    if s1path and s1cmd.startswith("0x75") and not on(s1resp):
        fl["trees"] += [p for p in s1path.split(",") if p not in fl["trees"]]
    if shenc and "1" in shenc.split(","):
        fl["share_enc"] = True
    if shenc:
        fl["share_seen"] = True
    if s1cmd.startswith("0x72"):
        if s1resp in ("0", "False"):
            fl["smb1_offered"] = s1dia.split(",")
        elif s1idx:
            fl["smb1_idx"] = int(s1idx)
            fl["smb1_sign"] = s1sig, s1req
problems, compared = [], 0
def cmp(what, got, want):
    global compared
    compared += 1
    if got != want:
        problems.append("%s: ours %r, tshark %r" % (what, got, want))
def on(v):
    return v in ("1", "True")
def signing(pair):
    req, en = pair
    return "required" if on(req) else "enabled" if on(en) else "disabled"
for port, fl in flows.items():
    if port not in ours:
        problems.append("client port %d: tshark sees SMB, we do not" % port)
        continue
    r = ours[port]
    ct = r.get("cleartext") or {}
    d = ct.get("details") or {}
    cmp("%d encrypted" % port, r["security"] == "app_encrypted", fl["transform"])
    cmp("%d smb1_negotiate" % port, d.get("smb1_negotiate"), "smb1_offered" in fl)
    if "smb1_offered" in fl:
        cmp("%d smb1 offered" % port, d.get("smb1_dialects_offered"), fl["smb1_offered"])
    if "smb1_idx" in fl:
        cmp("%d smb1 dialect" % port, d.get("smb_dialect"), fl["smb1_offered"][fl["smb1_idx"]])
        cmp("%d smb1 version" % port, d.get("smb_version"), "SMB1")
        cmp("%d smb1 server signing" % port, d.get("smb_server_signing"), signing((fl["smb1_sign"][1], fl["smb1_sign"][0])))
    if "offered" in fl:
        cmp("%d offered" % port, d.get("smb_dialects_offered"), [DIALECTS.get(x, "0x%04x" % x) for x in fl["offered"]])
        cmp("%d client signing" % port, d.get("smb_client_signing"), signing(fl["c_sign"]))
        cmp("%d client encryption cap" % port, d.get("smb_client_encryption_capable"), on(fl["c_enc"]))
    if "dialect" in fl:
        cmp("%d dialect" % port, d.get("smb_dialect"), DIALECTS.get(fl["dialect"]))
        cmp("%d version" % port, d.get("smb_version"), "SMB3" if fl["dialect"] >= 0x0300 else "SMB2")
        cmp("%d server signing" % port, d.get("smb_server_signing"), signing(fl["s_sign"]))
        cmp("%d server encryption cap" % port, d.get("smb_server_encryption_capable"), on(fl["s_enc"]))
        if fl["cipher"]:
            cmp("%d cipher" % port, d.get("smb_cipher"), CIPHERS.get(int(fl["cipher"], 16)))
        if fl["sig"]:
            cmp("%d signing algorithm" % port, d.get("smb_signing_algorithm"), SIGNING.get(int(fl["sig"], 16)))
    if "sflags" in fl:
        cmp("%d guest" % port, d.get("smb_session_guest"), bool(fl["sflags"] & 1))
        cmp("%d null" % port, d.get("smb_session_null"), bool(fl["sflags"] & 2))
        cmp("%d encrypt" % port, d.get("smb_session_encrypt"), bool(fl["sflags"] & 4))
    cmp("%d user" % port, ct.get("user"), fl.get("user"))
    if fl.get("domain"):
        cmp("%d domain" % port, d.get("ntlm_domain"), fl["domain"])
    cmp("%d trees" % port, d.get("smb_trees"), fl["trees"] or None)
    if fl.get("share_seen"):
        cmp("%d share encrypt" % port, d.get("smb_share_encrypt"), fl["share_enc"])
for port in ours:
    if port not in flows:
        problems.append("client port %d: ours is SMB, tshark sees none" % port)
print(compared)
for p in problems:
    print(p)
PYEOF
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
t_is "$total" 160 "160 facts compared over the ten captures"
t_done
