#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-smb.py OUTDIR [--fuzz-seed FILE] — hand-built SMB traffic for
tests/smb-fields.sh (issue 18): what the real Samba captures of pcaps/smb/
(tools/lab/gen-smb.sh) cannot show. Written at test time, one capture per
case ([MS-SMB2] 2.1 Direct TCP framing, 2.2.1.2 header, 2.2.3 / 2.2.4
NEGOTIATE and 2.2.3.1 contexts, 2.2.5 / 2.2.6 SESSION_SETUP, 2.2.9 / 2.2.10
TREE_CONNECT, 2.2.41 TRANSFORM_HEADER; [MS-NLMP] 2.2.1.3 AUTHENTICATE;
RFC 1002 §4.3 session service; RFC 4178 SPNEGO with the Kerberos OID of
RFC 4121 §1.1):

  kerberos          SMB 3.1.1 NEGOTIATE with an unknown dialect 0x0399 and an
                    unknown cipher 0x0009 offered, the server selecting
                    AES-256-GCM and HMAC-SHA256; SESSION_SETUP whose SPNEGO
                    token names Kerberos (no NTLMSSP); SessionFlags IS_NULL;
                    TREE_CONNECT \\\\srv\\data answered without ENCRYPT_DATA
  ntlmv1-oem        SMB 2.1, an NTLM AUTHENTICATE with OEM (not Unicode)
                    names, user bob, domain LAB, a 24-byte NT response
                    (NTLMv1) whose bytes are a marker tests/secrets.sh looks
                    for; the negotiate split over three segments on a port
                    no hint names (10445), a keep-alive (0x85) first, a
                    TREE_CONNECT compounded with a CREATE (NextCommand)
  nbss-139          RFC 1002 SESSION REQUEST / POSITIVE RESPONSE on 139, then
                    SMB 3.0 whose server encrypts (transform headers, AES-128-CCM)
  smb1-plaintext    SMB1 NT LM 0.12 whose server says passwords are not
                    encrypted (SecurityMode 0x01, [MS-CIFS] 2.2.4.52.2), then a
                    SESSION_SETUP_ANDX without extended security (WordCount 13,
                    2.2.4.53.1) with the password in clear (OEM, user dave):
                    credentials "password", never stored (tests/smb-fields.sh)
  smb1-legacy-ntlm  the same with SecurityMode 0x03 and 24-byte LM/NT
                    responses: NTLMv1, no credentials
  big-read          SMB 2.1 NEGOTIATE, then a 100000-byte READ response
                    (skipped unbuffered, no anomaly), then a TREE_CONNECT
  hostile:
  too-long          NBSS length 0xFFFFFF before an SMB2 header: message_too_long
  bad-nbss-type     a valid NEGOTIATE, then NBSS type 0x42: bad_nbss_header
  bad-structure     SMB2 header StructureSize 63: bad_header
  bad-protocol      a valid NEGOTIATE, then 0xFE 'XYZ': bad_protocol_id
  dialects-over-cap DialectCount 1000: count_over_cap
  dialects-short    DialectCount 5, two present: bad_negotiate
  context-overrun   a negotiate context longer than the message: bad_negotiate_context
  ntlm-bad-offset   AUTHENTICATE whose user field points past the blob: bad_ntlm_message
  ntlm-type-9       NTLMSSP message type 9: bad_ntlm_message
  next-unaligned    NextCommand 70 (not a multiple of 8): bad_next_command
  transform-short   a TRANSFORM_HEADER of 20 bytes: bad_transform_header
  blob-overrun      SecurityBufferLength past the message: bad_session_setup
  tree-overrun      TREE_CONNECT PathLength past the message: bad_tree_connect
  smb1-bad-dialects SMB1 NEGOTIATE with BufferFormat 0x03: bad_negotiate
  not-smb           0xFE 'SMX' in NBSS framing on 445: not claimed

Deterministic: the same bytes every run.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

CIP, SIP = bytes([10, 69, 0, 1]), bytes([10, 69, 0, 2])
CMAC, SMAC = bytes.fromhex("020000004501"), bytes.fromhex("020000004502")
# the NT response of ntlmv1-oem: 24 bytes, never to be stored (tests/secrets.sh)
NT_SECRET = b"ntlmv1-resp-secret-4417!"
# the SMB1 password in clear of smb1-plaintext (tests/smb-fields.sh)
PLAIN_PW = b"pw-cr-smb1-plain-6603"
KRB5_OID = bytes.fromhex("06092a864886f712010202")
SPNEGO_OID = bytes.fromhex("06062b0601050502")


def nbss(msg, t=0):
    return struct.pack(">I", (t << 24) | len(msg)) + msg


def hdr(cmd, resp=False, status=0, nxt=0, flags=0, mid=0, ss=64):
    f = flags | (1 if resp else 0)
    return (b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ", ss, 0, status, cmd, 1, f, nxt, mid, 0, 0, 0) +
            b"\x00" * 16)


def neg_req(dialects, ctxs=None, count=None, mode=1, caps=0x7f):
    n = len(dialects) if count is None else count
    body_fixed = 36
    dl = b"".join(struct.pack("<H", d) for d in dialects)
    ctxoff, blob = 0, b""
    if ctxs:
        off = 64 + body_fixed + len(dl)
        pad = (8 - off % 8) % 8
        ctxoff = off + pad
        blob = b"\x00" * pad + ctx_list(ctxs)
    body = struct.pack("<HHHHI", 36, n, mode, 0, caps) + b"\x11" * 16 + struct.pack("<IHH", ctxoff, len(ctxs or []), 0)
    return hdr(0) + body + dl + blob


def ctx_list(ctxs):
    out = b""
    for i, (t, data) in enumerate(ctxs):
        if i:
            out += b"\x00" * ((8 - len(out) % 8) % 8)
        out += struct.pack("<HHI", t, len(data), 0) + data
    return out


def ids(*v):
    return struct.pack("<H", len(v)) + b"".join(struct.pack("<H", x) for x in v)


def neg_resp(dialect, ctxs=None, mode=1, caps=0x2f):
    blob_off = 64 + 64
    sec = b""
    ctxoff = 0
    tail = b""
    if ctxs:
        ctxoff = (blob_off + len(sec) + 7) & ~7
        tail = b"\x00" * (ctxoff - blob_off - len(sec)) + ctx_list(ctxs)
    body = (struct.pack("<HHHH", 65, mode, dialect, len(ctxs or [])) + b"\x22" * 16 +
            struct.pack("<IIIIQQHHI", caps, 65536, 65536, 65536, 0, 0, blob_off, len(sec), ctxoff))
    return hdr(0, resp=True) + body + sec + tail


def ss_req(blob, off=None, length=None):
    o = 64 + 24 if off is None else off
    ln = len(blob) if length is None else length
    return hdr(1) + struct.pack("<HBBIIHHQ", 25, 0, 1, 1, 0, o, ln, 0) + blob


def ss_resp(flags=0, status=0, blob=b""):
    return hdr(1, resp=True, status=status) + struct.pack("<HHHH", 9, flags, 64 + 8, len(blob)) + blob


def tree_req(path, nxt=0, length=None):
    p = path.encode("utf-16-le")
    ln = len(p) if length is None else length
    return hdr(3, nxt=nxt) + struct.pack("<HHHH", 9, 0, 64 + 8, ln) + p


def tree_resp(share_flags=0):
    return hdr(3, resp=True) + struct.pack("<HBBIII", 16, 1, 0, share_flags, 0, 0x1f01ff)


def ntlm_auth(user, domain, ws, nt, unicode=True, user_off=None):
    enc = (lambda s: s.encode("utf-16-le")) if unicode else (lambda s: s.encode("ascii"))
    fields = [b"", nt, enc(domain), enc(user), enc(ws), b""]
    off = 64 + 8  # header (12) + 6 fields (48) + flags (4) + version (8)
    out_fields, payload = b"", b""
    for i, f in enumerate(fields):
        o = off + len(payload)
        if i == 3 and user_off is not None:
            o = user_off
        out_fields += struct.pack("<HHI", len(f), len(f), o)
        payload += f
    flags = 0x00000001 if unicode else 0x00000002
    return b"NTLMSSP\0" + struct.pack("<I", 3) + out_fields + struct.pack("<I", flags) + b"\x00" * 8 + payload


def ntlm_neg():
    return b"NTLMSSP\0" + struct.pack("<II", 1, 0x00088207) + b"\x00" * 16


def spnego_krb():
    # a minimal negTokenInit: [APPLICATION 0] { spnego OID, [0] { mechTypes
    # SEQUENCE { krb5 OID } } }; the mechToken is left out
    mech = b"\x30" + bytes([len(KRB5_OID)]) + KRB5_OID
    mt = b"\xa0" + bytes([len(mech)]) + mech
    init = b"\x30" + bytes([len(mt)]) + mt
    a0 = b"\xa0" + bytes([len(init)]) + init
    inner = SPNEGO_OID + a0
    return b"\x60" + bytes([len(inner)]) + inner


def transform(orig_len, alg=1):
    return b"\xfdSMB" + b"\x33" * 16 + b"\x44" * 16 + struct.pack("<IHHQ", orig_len, 0, alg, 7) + b"\x55" * orig_len


def smb1_neg(raw):
    h = b"\xffSMB" + bytes([0x72]) + b"\x00" * 4 + b"\x18" + struct.pack("<H", 0xc853) + b"\x00" * 20
    return h + b"\x00" + struct.pack("<H", len(raw)) + raw


def smb1(cmd, words, data, reply=False, flags2=0xc001):
    h = (b"\xffSMB" + bytes([cmd]) + b"\x00" * 4 + bytes([0x98 if reply else 0x18]) +
         struct.pack("<H", flags2) + b"\x00" * 20)
    return h + bytes([len(words) // 2]) + words + struct.pack("<H", len(data)) + data


def smb1_neg_resp(mode):
    words = struct.pack("<HBHHIIIIQhB", 0, mode, 50, 1, 16644, 65536, 0, 0x8000e3fd, 0, 0, 8)
    return smb1(0x72, words, b"\x11" * 8, reply=True)


def smb1_ss_legacy(oem, uni, user):
    words = struct.pack("<BBHHHHIHHII", 0xff, 0, 0, 16644, 50, 0, 0, len(oem), len(uni), 0, 0xd4)
    return smb1(0x73, words, oem + uni + user + b"\x00LAB\x00Unix\x00Samba\x00", flags2=0x4001)


def tcp(path, convo, dport=445):
    c = pcaplib.TcpConn(CIP, SIP, 40445, dport, CMAC, SMAC, t0=1700000000.0, step=0.001)
    for d, data in convo:
        c.send(d, data)
    c.close()
    pcaplib.write_frames(path, c.frames)


def cases():
    neg = nbss(neg_req([0x0202, 0x0210]))
    yield "kerberos", [
        (0, nbss(neg_req([0x0311, 0x0399], ctxs=[(2, ids(4, 9)), (8, ids(0, 1))]))),
        (1, nbss(neg_resp(0x0311, ctxs=[(1, struct.pack("<HHH", 1, 0, 1) + b""), (2, ids(4)), (8, ids(0))], mode=3))),
        (0, nbss(ss_req(spnego_krb()))),
        (1, nbss(ss_resp(flags=2))),
        (0, nbss(tree_req("\\\\srv\\data"))),
        (1, nbss(tree_resp(0))),
    ], 445
    split = nbss(neg_req([0x0202, 0x0210]))
    tc = tree_req("\\\\srv\\IPC$")
    create = hdr(5) + b"\x39\x00" + b"\x00" * 54
    tcpad = tc + b"\x00" * ((8 - len(tc) % 8) % 8)
    compound = tree_req("\\\\srv\\IPC$", nxt=len(tcpad)) + b"\x00" * ((8 - len(tc) % 8) % 8) + create
    yield "ntlmv1-oem", [
        (0, nbss(b"", 0x85)), (0, split[:2]), (0, split[2:40]), (0, split[40:]),
        (1, nbss(neg_resp(0x0210, mode=1))),
        (0, nbss(ss_req(ntlm_neg()))),
        (1, nbss(ss_resp(status=0xC0000016, blob=b"NTLMSSP\0" + struct.pack("<I", 2) + b"\x00" * 40))),
        (0, nbss(ss_req(ntlm_auth("bob", "LAB", "WS1", NT_SECRET, unicode=False)))),
        (1, nbss(ss_resp(flags=1))),
        (0, nbss(compound)),
        (1, nbss(tree_resp(0))),
        (0, nbss(tree_req("\\\\srv\\data"))),
        (1, nbss(tree_resp(0))),
    ], 10445
    sreq = b"\x20" + b"CACACACACACACACACACACACACACACAAA" + b"\x00"
    yield "nbss-139", [
        (0, nbss(sreq + sreq, 0x81)), (1, nbss(b"", 0x82)),
        (0, nbss(neg_req([0x0300]))), (1, nbss(neg_resp(0x0300, caps=0x6f))),
        (0, nbss(ss_req(ntlm_auth("carol", "LAB", "WS2", b"\x01" * 60)))), (1, nbss(ss_resp(flags=4))),
        (0, nbss(transform(80))), (1, nbss(transform(96))),
    ], 139
    neg1 = nbss(smb1_neg(b"\x02NT LM 0.12\x00"))
    yield "smb1-plaintext", [
        (0, neg1), (1, nbss(smb1_neg_resp(0x01))),
        (0, nbss(smb1_ss_legacy(PLAIN_PW + b"\x00", b"", b"dave\x00"))),
        (1, nbss(smb1(0x73, struct.pack("<BBHH", 0xff, 0, 0, 0), b"", reply=True))),
    ], 445
    yield "smb1-legacy-ntlm", [
        (0, neg1), (1, nbss(smb1_neg_resp(0x03))),
        (0, nbss(smb1_ss_legacy(b"\x03" * 24, b"\x04" * 24, b"erin\x00"))),
    ], 445
    read = hdr(8, resp=True) + struct.pack("<HBBII", 17, 80, 0, 100000 - 64 - 16, 0) + b"\x00" * 4 + b"\x66" * (100000 - 64 - 16)
    yield "big-read", [
        (0, neg), (1, nbss(neg_resp(0x0210))), (1, nbss(read)),
        (0, nbss(tree_req("\\\\srv\\after"))), (1, nbss(tree_resp(0))),
    ], 445
    yield "too-long", [(0, b"\x00\xff\xff\xff\xfeSMB" + b"\x40\x00" + b"\x00" * 58)], 445
    yield "bad-nbss-type", [(0, neg + b"\x42\x00\x00\x04\xfeSMB")], 445
    yield "bad-structure", [(0, nbss(hdr(0, ss=63) + b"\x00" * 40))], 445
    yield "bad-protocol", [(0, neg + nbss(b"\xfeXYZ" + b"\x00" * 60))], 445
    yield "dialects-over-cap", [(0, nbss(neg_req([0x0202], count=1000)))], 445
    yield "dialects-short", [(0, nbss(neg_req([0x0202, 0x0210], count=5)))], 445
    bad_ctx = neg_req([0x0311], ctxs=[(2, ids(1, 2))])
    bad_ctx = bad_ctx[:-len(ids(1, 2)) - 8] + struct.pack("<HHI", 2, 400, 0) + ids(1, 2)
    yield "context-overrun", [(0, nbss(bad_ctx))], 445
    yield "ntlm-bad-offset", [(0, neg), (0, nbss(ss_req(ntlm_auth("eve", "LAB", "W", b"\x02" * 24, user_off=5000))))], 445
    yield "ntlm-type-9", [(0, neg), (0, nbss(ss_req(b"NTLMSSP\0" + struct.pack("<I", 9) + b"\x00" * 16)))], 445
    yield "next-unaligned", [(0, neg), (0, nbss(tree_req("\\\\srv\\x", nxt=70) + b"\x00" * 80))], 445
    yield "transform-short", [(0, nbss(b"\xfdSMB" + b"\x00" * 16))], 445
    yield "blob-overrun", [(0, neg), (0, nbss(ss_req(ntlm_neg(), length=4000)))], 445
    yield "tree-overrun", [(0, neg), (0, nbss(tree_req("\\\\srv\\x", length=900)))], 445
    yield "smb1-bad-dialects", [(0, nbss(smb1_neg(b"\x02NT LM 0.12\x00\x03junk\x00")))], 445
    yield "not-smb", [(0, nbss(b"\xfeSMX" + b"\x00" * 60))], 445


def fuzz_seed(path):
    """fuzz_dissector's input (fuzz/fuzz_dissector.c): the name, NUL, a
    flags byte, then chunks (2-byte header, bit 15 server to client): the
    kerberos conversation (3.1.1 contexts, SPNEGO, tree connect)."""
    convo = dict((n, c) for n, c, _ in cases())["kerberos"]
    data = b"smb\0\0"
    for d, chunk in convo:
        data += struct.pack(">H", (0x8000 if d else 0) | len(chunk)) + chunk
    with open(path, "wb") as f:
        f.write(data)


def main(argv):
    if len(argv) > 2 and argv[1] == "--fuzz-seed":
        fuzz_seed(argv[2])
        return
    out = argv[1] if len(argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for name, convo, port in cases():
        tcp(os.path.join(out, name + ".pcap"), convo, port)


if __name__ == "__main__":
    main(sys.argv)
