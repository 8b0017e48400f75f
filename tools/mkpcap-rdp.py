#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-rdp.py SRCDIR OUTDIR — hand-built RDP traffic for
tests/rdp-fields.sh and tests/report-rdp.sh (issue 17): what the real
xrdp / FreeRDP captures of pcaps/rdp/ (tools/lab/gen-rdp.sh) cannot show.
Written at test time, one capture per case, each one TCP connection from
10.67.0.1 to 10.67.0.2. The MCS PDUs of the Standard RDP Security cases are
the real ones of pcaps/rdp/rdp-std-high.pcap (xrdp + xfreerdp), patched
where said. Structures after [MS-RDPBCGR] 2.2.1.1 (X.224 Connection Request
with RDP_NEG_REQ), 2.2.1.2 (Connection Confirm with RDP_NEG_RSP /
RDP_NEG_FAILURE), 2.2.1.4.3 (SC_SECURITY); TPKT after RFC 1006 §6.

  token-tls            a routing token ("Cookie: msts=...", 2.2.1.1) instead
                       of mstshash, RDP_NEG_REQ with correlation info
                       (flags 0x08, 2.2.1.1.2), RDP_NEG_RSP TLS; then
                       nothing (the client goes away before its ClientHello)
  fail-ssl-not-allowed RDP_NEG_FAILURE SSL_NOT_ALLOWED_BY_SERVER (2): the
                       server refuses every TLS-based protocol
  fail-unknown-code    RDP_NEG_FAILURE with failureCode 0x63 (not in 2.2.1.2.2)
  std-enc-none         the real Standard RDP Security exchange with the
                       server's SC_SECURITY set to ENCRYPTION_METHOD_NONE /
                       ENCRYPTION_LEVEL_NONE, then a Client Info PDU
                       (2.2.1.11) without SEC_ENCRYPT carrying user and
                       password (CRAFTED_PASSWORD) in clear, as 5.3.1 allows
                       at that level
  std-port-13389       the real Standard RDP Security exchange on port 13389
                       (found by content)
  not-rdp-s7           an ISO-TSAP Connection Request with S7comm's TSAP
                       parameters (0xC1, 0xC2, 0xC0) to port 102: TPKT and
                       X.224 CR, but not RDP: not claimed
 hostile (each ends in its anomaly):
  cc-tpkt-version-4    the CC with TPKT version 4 (bad_tpkt_version)
  cc-tpkt-length-5     the CC with TPKT length 5, under the 7 of a header
                       (bad_tpkt_length)
  cc-tpkt-oversized    the CC's TPKT length says 65535, 11 bytes follow, then
                       FIN (truncated)
  cr-truncated         the CR's TPKT length says 44, 20 bytes follow (truncated)
  cc-bad-li            the CC's X.224 LI is 0x0f for 14 bytes (bad_x224_length)
  cc-wrong-tpdu        the server answers with a Disconnect Request TPDU
                       (0x80) instead of a CC (unexpected_tpdu)
  cr-cookie-no-crlf    "Cookie: mstshash=eve" without CR LF (bad_cookie)
  cr-neg-req-len-9     RDP_NEG_REQ with length 9 (bad_neg_req)
  cc-selected-0x40     RDP_NEG_RSP selecting 0x40, no such protocol
                       (unknown_selected_protocol)
  cc-trailing          RDP_NEG_RSP then two more bytes (trailing_bytes)
  ci-not-ber           Standard RDP Security, then a Data TPDU whose MCS PDU
                       is not BER (bad_mcs)
  ci-bad-t124          the real Connect Initial with the T.124 object
                       identifier changed (bad_gcc)
  cresp-block-overrun  the real Connect Response with the SC_SECURITY block
                       length raised past its parent (bad_gcc)
  cinfo-short          std-enc-none's exchange, the Client Info PDU in clear
                       cut after 10 bytes of TS_INFO_PACKET (bad_mcs)

Deterministic: the same bytes every run.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

CIP, SIP = bytes([10, 67, 0, 1]), bytes([10, 67, 0, 2])
CMAC, SMAC = bytes.fromhex("020000004301"), bytes.fromhex("020000004302")


def tpkt(body, version=3, length=None):
    n = len(body) + 4 if length is None else length
    return bytes([version, 0]) + struct.pack(">H", n) + body


def x224(code, var=b"", li=None):
    hdr = bytes([code]) + b"\x00\x00" + b"\x12\x34" + b"\x00" + var
    return bytes([len(hdr) if li is None else li]) + hdr


def cr(var):
    return tpkt(x224(0xE0, var))


def cc(var=b""):
    return tpkt(x224(0xD0, var))


def neg(typ, flags, value, length=8):
    return struct.pack("<BBHI", typ, flags, length, value)


COOKIE = b"Cookie: mstshash=wa-crafted\r\n"
CRAFTED_PASSWORD = "pw-rdp-crafted-7"  # tests/rdp-fields.sh searches for it


def client_info(user, password):
    """A Client Info PDU in clear: X.224 DT, MCS Send Data Request (T.125,
    PER: initiator 1007, channel 1003), security header SEC_INFO_PKT, then
    TS_INFO_PACKET ([MS-RDPBCGR] 2.2.1.11.1.1, INFO_AUTOLOGON|INFO_UNICODE)."""
    u = lambda t: t.encode("utf-16-le")  # noqa: E731
    info = struct.pack("<IIHHHHH", 0, 0x0008 | 0x0010, 0, len(u(user)), len(u(password)), 0, 0)
    info += b"\0\0" + u(user) + b"\0\0" + u(password) + b"\0\0" + b"\0\0" + b"\0\0"
    data = struct.pack("<HH", 0x0040, 0) + info
    assert len(data) < 0x4000
    ln = bytes([len(data)]) if len(data) < 0x80 else struct.pack(">H", 0x8000 | len(data))
    return tpkt(b"\x02\xf0\x80" + bytes([25 << 2]) + struct.pack(">HH", 6, 1003) + b"\x70" + ln + data)


def conn(path, exchanges, dport=3389):
    c = pcaplib.TcpConn(CIP, SIP, 40700, dport, CMAC, SMAC, t0=1700000000.0, step=0.001)
    for d, data in exchanges:
        c.send(d, data)
    c.close()
    pcaplib.write_frames(path, c.frames)


def real_payloads(pcap):
    """The TCP payloads of the real capture in order, per direction (0:
    to port 3389), retransmissions dropped."""
    _, _, pkts = pcaplib.read_pcap(pcap)
    out, seen = [], set()
    for _, _, fr, _ in pkts:
        ip = fr[14:]
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:]
        sport, dport, seq = struct.unpack(">HHI", tcp[:8])
        pl = tcp[(tcp[12] >> 4) * 4:struct.unpack(">H", ip[2:4])[0] - ihl]
        if not pl or (sport, seq) in seen:
            continue
        seen.add((sport, seq))
        out.append((0 if dport == 3389 else 1, pl))
    return out


def main(src, out):
    os.makedirs(out, exist_ok=True)
    p = lambda n: os.path.join(out, n + ".pcap")  # noqa: E731
    real = real_payloads(os.path.join(src, "pcaps/rdp/rdp-std-high.pcap"))
    # CR, CC, Connect Initial, Connect Response: the first four payloads
    (_, rcr), (_, rcc), (_, rci), (_, rcresp) = real[:4]
    assert rci[7:9] == b"\x7f\x65" and rcresp[7:9] == b"\x7f\x66"
    corr = struct.pack("<BBH", 0x06, 0, 36) + bytes(range(1, 17)) + bytes(16)
    conn(p("token-tls"), [(0, cr(b"Cookie: msts=3640205228.15629.0000\r\n" + neg(1, 0x08, 0x1) + corr)),
                          (1, cc(neg(2, 0x1f, 0x1)))])
    conn(p("fail-ssl-not-allowed"), [(0, cr(COOKIE + neg(1, 0, 0x3))), (1, cc(neg(3, 0, 2)))])
    conn(p("fail-unknown-code"), [(0, cr(COOKIE + neg(1, 0, 0x1))), (1, cc(neg(3, 0, 0x63)))])
    # SC_SECURITY (0x0C02): encryptionMethod and encryptionLevel to 0
    i = rcresp.index(b"\x02\x0c")
    none = rcresp[:i + 4] + bytes(8) + rcresp[i + 12:]
    conn(p("std-enc-none"), [(0, rcr), (1, rcc), (0, rci), (1, none),
                             (0, client_info("wa-crafted", CRAFTED_PASSWORD))])
    conn(p("std-port-13389"), [(0, rcr), (1, rcc), (0, rci), (1, rcresp)], dport=13389)
    s7 = tpkt(bytes([0x11, 0xE0, 0, 0, 0, 1, 0]) + bytes.fromhex("c1020100c2020102c0010a"))
    conn(p("not-rdp-s7"), [(0, s7), (1, tpkt(bytes([0x11, 0xD0, 0, 1, 0, 1, 0]) + bytes.fromhex("c1020100c2020102c0010a")))],
         dport=102)
    # hostile
    ok_cr = cr(COOKIE + neg(1, 0, 0x3))
    ok_cc = cc(neg(2, 0, 0x1))
    conn(p("cc-tpkt-version-4"), [(0, ok_cr), (1, b"\x04" + ok_cc[1:])])
    conn(p("cc-tpkt-length-5"), [(0, ok_cr), (1, tpkt(x224(0xD0), length=5))])
    conn(p("cc-tpkt-oversized"), [(0, ok_cr), (1, tpkt(x224(0xD0), length=65535))])
    conn(p("cr-truncated"), [(0, cr(COOKIE + b"x" * 10)[:20])])
    conn(p("cc-bad-li"), [(0, ok_cr), (1, tpkt(x224(0xD0, li=0x0f)))])
    conn(p("cc-wrong-tpdu"), [(0, ok_cr), (1, tpkt(x224(0x80)))])
    conn(p("cr-cookie-no-crlf"), [(0, cr(b"Cookie: mstshash=eve"))])
    conn(p("cr-neg-req-len-9"), [(0, cr(COOKIE + neg(1, 0, 0x3, length=9) + b"\x00"))])
    conn(p("cc-selected-0x40"), [(0, ok_cr), (1, cc(neg(2, 0, 0x40)))])
    conn(p("cc-trailing"), [(0, ok_cr), (1, cc(neg(2, 0, 0x1) + b"\xab\xcd"))])
    conn(p("ci-not-ber"), [(0, cr(COOKIE)), (1, cc()), (0, tpkt(b"\x02\xf0\x80" + b"\x30\x80\xff\xff"))])
    j = rci.index(b"\x00\x05\x00\x14\x7c\x00\x01")
    conn(p("ci-bad-t124"), [(0, rcr), (1, rcc), (0, rci[:j + 4] + b"\x7d" + rci[j + 5:])])
    ci_short = tpkt(b"\x02\xf0\x80" + bytes([25 << 2]) + struct.pack(">HH", 6, 1003) + b"\x70" + bytes([14])
                    + struct.pack("<HH", 0x0040, 0) + bytes(10))
    conn(p("cinfo-short"), [(0, rcr), (1, rcc), (0, rci), (1, none), (0, ci_short)])
    over = rcresp[:i + 2] + struct.pack("<H", 0xfff0) + rcresp[i + 4:]
    conn(p("cresp-block-overrun"), [(0, rcr), (1, rcc), (0, rci), (1, over)])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
