#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-snmp.py OUTDIR — hand-built SNMP datagrams for tests/snmp-fields.sh
and tests/report-snmp.sh (issue 17): what the real captures of pcaps/snmp/
(tools/lab/gen-snmp.sh) cannot show. Written at test time, one capture per
case, each one UDP flow 10.67.0.1 -> 10.67.0.2 (and back) from a client
port of its own (40001, 40002, ... in the order below):

  v2c-port1161        a v2c get and response on port 1161 (found by content)
  v1-empty-community  a v1 get with an empty community (present, length 0,
                      not a credential)
  v3-authpriv-nodisc  authPriv get and response without discovery
  v3-discovery-only   only the RFC 3414 §4 discovery exchange (empty user)
  v3-mixed-levels     user "mixer": an authPriv get, then an authNoPriv get
                      (the weakest level counts)
  not-snmp-161        DNS-looking bytes to port 161: not SNMP
hostile (each ends in its anomaly, never a crash):
  indefinite-length   outer SEQUENCE with length 0x80
  truncated           outer length larger than the datagram
  bad-version         a v2c message, then one of version 2
  version-changed     a v2c message then a v3 one in one flow
  priv-without-auth   v3 msgFlags 0x06 (RFC 3412 §7.2: invalid)
  user-too-long       a 40-byte msgUserName (RFC 3414: at most 32)
  unknown-pdu         PDU tag [9]
  trailing-bytes      two bytes after the message

The community of every case is COMMUNITY below; the test checks that it
never reaches the database or the export. Deterministic bytes.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

CIP, SIP = bytes([10, 67, 0, 1]), bytes([10, 67, 0, 2])
CMAC, SMAC = bytes.fromhex("020000004301"), bytes.fromhex("020000004302")
COMMUNITY = b"pw-snmp-crafted-6601"


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    elif n < 0x100:
        ln = bytes([0x81, n])
    else:
        ln = bytes([0x82, n >> 8, n & 0xff])
    return bytes([tag]) + ln + body


def seq(*parts):
    return tlv(0x30, b"".join(parts))


def integer(v):
    b = v.to_bytes(4, "big", signed=True).lstrip(b"\x00") or b"\x00"
    if b[0] & 0x80 and v >= 0:
        b = b"\x00" + b
    return tlv(0x02, b)


def octets(b):
    return tlv(0x04, b)


NULL = b"\x05\x00"
SYSDESCR = tlv(0x06, bytes([0x2b, 6, 1, 2, 1, 1, 1, 0]))


def pdu(tag, reqid=1):
    vb = seq(seq(SYSDESCR, NULL))
    return tlv(0xa0 | tag, integer(reqid) + integer(0) + integer(0) + vb)


def community_msg(version, tag, community=COMMUNITY, reqid=1):
    return seq(integer(version), octets(community), pdu(tag, reqid))


def v3_msg(flags, user, data_pdu=None, encrypted=None, msgid=1):
    usm = seq(octets(b"\x80\x00\x1f\x88\x80wa-engine"), integer(1), integer(100), octets(user),
              octets(b"\x00" * 12 if flags & 1 else b""), octets(b"\x00" * 8 if flags & 2 else b""))
    hdr = seq(integer(msgid), integer(65507), octets(bytes([flags])), integer(3))
    if encrypted is not None:
        data = octets(encrypted)
    else:
        data = seq(octets(b"\x80\x00\x1f\x88\x80wa-engine"), octets(b""), data_pdu)
    return seq(integer(3), hdr, octets(usm), data)


CASES = []


def write(outdir, name, dgrams, dport=161):
    # a client port of its own per case: the captures share one database
    # in the test, and their flows must not merge
    CASES.append(name)
    sport = 40000 + len(CASES)
    frames, t = [], 1.0
    for d in dgrams:
        c2s = not isinstance(d, tuple)
        payload = d if c2s else d[1]
        if c2s:
            fr = pcaplib.ethernet(SMAC, CMAC, pcaplib.ipv4(CIP, SIP, pcaplib.IPPROTO_UDP,
                                                           pcaplib.udp(CIP, SIP, sport, dport, payload)))
        else:
            fr = pcaplib.ethernet(CMAC, SMAC, pcaplib.ipv4(SIP, CIP, pcaplib.IPPROTO_UDP,
                                                           pcaplib.udp(SIP, CIP, dport, sport, payload)))
        frames.append((t, fr))
        t += 0.001
    pcaplib.write_frames(os.path.join(outdir, name + ".pcap"), frames, base_sec=None)


def s2c(b):
    return ("s2c", b)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write(out, "v2c-port1161", [community_msg(1, 0), s2c(community_msg(1, 2))], dport=1161)
    write(out, "v1-empty-community", [community_msg(0, 0, b""), s2c(community_msg(0, 2, b""))])
    write(out, "v3-authpriv-nodisc", [v3_msg(7, b"wa-crafted", encrypted=b"\x11" * 48),
                                      s2c(v3_msg(3, b"wa-crafted", encrypted=b"\x22" * 48))])
    write(out, "v3-discovery-only", [v3_msg(4, b"", pdu(0)), s2c(v3_msg(0, b"", pdu(8)))])
    write(out, "v3-mixed-levels", [v3_msg(7, b"mixer", encrypted=b"\x11" * 48),
                                   s2c(v3_msg(3, b"mixer", encrypted=b"\x22" * 48)),
                                   v3_msg(5, b"mixer", pdu(0), msgid=2),
                                   s2c(v3_msg(1, b"mixer", pdu(2), msgid=2))])
    write(out, "not-snmp-161", [bytes.fromhex("12340100000100000000000003777777076578616d706c6503636f6d0000010001")])
    good = community_msg(1, 0)
    write(out, "indefinite-length", [b"\x30\x80" + good[2:] + b"\x00\x00"])
    write(out, "truncated", [b"\x30\x81\xf0" + good[2:]])
    write(out, "bad-version", [good, b"\x30\x05\x02\x01\x02\x04\x00"])
    write(out, "version-changed", [good, v3_msg(4, b"", pdu(0))])
    write(out, "priv-without-auth", [v3_msg(6, b"wa-crafted", encrypted=b"\x11" * 16)])
    write(out, "user-too-long", [v3_msg(5, b"u" * 40, pdu(0))])
    write(out, "unknown-pdu", [community_msg(1, 9)])
    write(out, "trailing-bytes", [good + b"\x00\x00"])


if __name__ == "__main__":
    main()
