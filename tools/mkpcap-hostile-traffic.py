#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-hostile-traffic.py — generated captures of hostile traffic (issue 7): what
an attacker on the wire can send to make a passive analyzer crash, recurse
or grow without bound. The files are large, so they are generated at test
time into a scratch directory (tests/hostile.sh) and never committed.

    tools/mkpcap-hostile-traffic.py OUTDIR [--flows N] [--bulk-mb N] [--ooo-flows N]
                                    [--only NAME,...]

    --flows N     distinct flows in syn-flood.pcap (default 1000000)
    --bulk-mb N   bytes sent by each endless flow, in MiB (default 200;
                  1024 gives the issue's gigabyte)
    --ooo-flows N connections in ooo-flood.pcap (default 1000)
    --only        comma-separated capture names (without .pcap)

Captures (one TCP connection each unless said otherwise; Ethernet/IPv4/TCP,
correct sequence numbers and IPv4/TCP checksums, RFC 791 §3.1 and RFC 9293
§3.1; addresses from RFC 5737 and the benchmarking range 198.18.0.0/15 of
RFC 2544; deterministic: the same arguments give the same bytes):

  syn-flood          N SYNs (RFC 9293 §3.5), each from a distinct random
                     source address/port (seeded PRNG) to 192.0.2.80:80,
                     1 µs apart: N flows, none ever answered.
  tls-endless        443: a valid ClientHello (RFC 8446 §4.1.2), then
                     application_data records (RFC 8446 §5.1, type 23,
                     15923 bytes each: every record is 11 segments) up to
                     BULK bytes; the server never answers: the handshake
                     never completes and the dissector stays live.
  tls-hs-16m         443: a handshake record (RFC 8446 §5.1) whose handshake
                     header (§4, uint24 length) claims 2^24-1 bytes, then
                     16 MiB + 1 of garbage: message_too_long.
  tls-record-big     two flows on 443: record length 0xffff (RFC 8446 §5.1:
                     TLSPlaintext ≤ 2^14, TLSCiphertext ≤ 2^14+256; RFC 5246
                     §6.2.3 allows 2^14+2048), and exactly 2^14+2048+1.
  tls-many-exts      443: a ClientHello with 5000 distinct extensions
                     (RFC 8446 §4.2, empty extension_data).
  tls-ciphers-64k    two flows on 443: cipher_suites of 32766 suites
                     (65532 bytes, the largest vector RFC 8446 §4.1.2
                     allows), and of 8000 suites (16000 bytes, a message
                     under our 64 KiB cap).
  ldap-deep-ber      two flows on 389 (RFC 4511 §4.1.1, X.690 §8.1):
                     a SearchRequest whose filter nests `and` [0] 10000
                     levels deep (definite lengths, ~40 KB); the same
                     nesting with indefinite lengths (X.690 §8.1.3.6,
                     forbidden by RFC 4511 §5.1).
  smtp-long-lines    two flows on 25 (RFC 5321 §4.5.3.1.4/5: 512 and
                     1000-octet lines): a 220 banner of 4 MiB, and a normal
                     banner answered by an EHLO line of 4 MiB.
  db-lengths         one flow per length field at or near its maximum,
                     each header followed by 64 KiB of garbage:
                     PostgreSQL StartupMessage Int32 length 0xffffffff,
                       0x80000000, 0x7fffffff (PG 16 docs §55.7)
                     MySQL server greeting payload_length 0xffffff
                       (3 bytes, the "more packets follow" maximum) and a
                       client packet 0xffffff after a valid greeting
                       (MySQL Client/Server Protocol, Protocol Basics)
                     TDS PRELOGIN header Length 0xffff ([MS-TDS] §2.2.3.1.3)
                     Redis array *2147483647 and bulk $4294967295
                       (RESP specification)
                     MongoDB messageLength 0x7fffffff and 0xffffffff (-1)
                       (MongoDB Wire Protocol, Standard Message Header)
                     AMQP 0-9-1: a valid protocol header, then the
                       server's first frame (where Connection.Start goes)
                       with size 0xffffffff (AMQP 0-9-1 §4.2.2, §4.2.3)
  pg-bulk, mysql-bulk  5432 and 3306: the PostgreSQL startup length
                     0x7fffffff / the MySQL greeting length 0xffffff, then
                     BULK/4 bytes of garbage (a large flow on a database
                     port that never completes a handshake).
  ooo-overlap        two flows on 443, the tls-endless stream (BULK/10)
                     sent out of order: every segment covers 1500 bytes at
                     a 1000-byte stride (500 overlapping the next), in
                     windows of 8 segments sent in reverse; in flow 1 every
                     segment but the window's last carries different bytes
                     where it overlaps its successor (which was sent before
                     it, so "first seen wins" keeps the stream valid); in
                     flow 2 the windows hold 400 segments (over the
                     reassembly queue's caps: 64 KiB is reached first).
  ooo-flood          --ooo-flows connections (default 1000) to 443, each
                     sending 44 segments of 1448 bytes after a first segment
                     that never comes: 63712 bytes per flow wait in the
                     reassembly queue (under its 64 KiB / 256-segment cap)
                     until the capture ends.

OUTDIR/manifest.json holds what each capture contains (payload bytes,
records, mismatching segments...), computed here, independently of
wireaudit, for tests/hostile.sh to compare against.

Python 3 stdlib only.
"""
import argparse
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

BASE_TS = 1796000000  # 2026-11-28

MAC_C = bytes.fromhex("020000000d01")
MAC_S = bytes.fromhex("020000000d02")
IP_C = bytes([192, 0, 2, 10])
IP_S = bytes([198, 51, 100, 20])
MSS = 1448
MANIFEST = {}


class Pcap(pcaplib.PcapWriter):
    """A pcap file written as frames arrive; times in µs after BASE_TS."""

    def frame(self, t_us, fr):
        self.write(*pcaplib.ts_us(t_us, BASE_TS), fr)


class Conn(pcaplib.TcpConn):
    """One TCP connection written straight into a Pcap, client port cport,
    frames 10 µs apart from t_us, data in segments of at most MSS bytes."""

    def __init__(self, pc, cport, sport, t_us=0):
        super().__init__(IP_C, IP_S, cport, sport, MAC_C, MAC_S, t0=t_us, step=10, mss=MSS,
                         sink=pc.frame)

    def send_repeat(self, d, unit, total):
        """Send `unit` (a multiple of MSS) over and over until
        `total` bytes: the per-segment payload sums are computed once."""
        assert len(unit) % MSS == 0
        chunks = [unit[i:i + MSS] for i in range(0, len(unit), MSS)]
        sums = [pcaplib.ones_sum(c) for c in chunks]
        sent = 0
        i = 0
        while sent < total:
            c = chunks[i % len(chunks)]
            if total - sent < len(c):
                c = c[:total - sent]
                self.segment(d, 0x18, c)
            else:
                self.segment(d, 0x18, c, payload_sum=sums[i % len(chunks)])
            sent += len(c)
            i += 1


def garbage_fast(n, seed):
    """n deterministic pseudo-random bytes (Python >= 3.9)."""
    return random.Random(seed).randbytes(n)


# ---- TLS builders (RFC 8446 §4, §5.1) ----
def u8(v): return struct.pack("!B", v)
def u16(v): return struct.pack("!H", v)
def u24(v): return struct.pack("!I", v)[1:]
def vec8(b): return u8(len(b)) + b
def vec16(b): return u16(len(b)) + b
def vec24(b): return u24(len(b)) + b


def record(ctype, frag, version=0x0301):    # RFC 8446 §5.1 TLSPlaintext
    return u8(ctype) + u16(version) + vec16(frag)


def records(ctype, data, size=16384):       # fragmentation, RFC 8446 §5.1
    return b"".join(record(ctype, data[i:i + size]) for i in range(0, len(data), size))


def client_hello(ciphers, exts):            # RFC 8446 §4.1.2
    body = u16(0x0303) + bytes(range(32)) + vec8(b"") + vec16(b"".join(u16(c) for c in ciphers)) + vec8(b"\x00")
    body += vec16(b"".join(exts))
    return u8(1) + vec24(body)              # handshake header, RFC 8446 §4


def ext(t, data=b""):                        # RFC 8446 §4.2
    return u16(t) + vec16(data)


SNI = ext(0, vec16(u8(0) + vec16(b"hostile.example")))  # RFC 6066 §3
BASIC_CH = client_hello([0x1301, 0x1302, 0xc02f], [SNI, ext(43, vec8(u16(0x0304)))])


# ---- the captures ----
def cap_syn_flood(path, args):
    pc = Pcap(path)
    r = random.Random(7)
    seen = set()
    dst = bytes([192, 0, 2, 80])
    n = 0
    while n < args.flows:
        a = r.getrandbits(17)              # 198.18.0.0/15: 2^17 addresses
        sport = 1024 + r.randrange(64512)
        key = (a << 16) | sport
        if key in seen:
            continue
        seen.add(key)
        src = bytes([198, 18 + (a >> 16), (a >> 8) & 0xff, a & 0xff])
        # RFC 9293 §3.5: a SYN opening a connection, never answered
        pc.frame(n, pcaplib.eth_ipv4_tcp(MAC_S, MAC_C, src, dst, sport, 80, r.getrandbits(32), 0, 0x02,
                                         b"", n, 0))
        n += 1
    pc.close()
    MANIFEST["syn-flood"] = {"flows": n, "packets": n}


def tls_stream_unit():
    """One application_data record of 11 segments' worth of bytes."""
    body = garbage_fast(11 * MSS - 5, 23)
    return record(23, body, 0x0303)


def cap_tls_endless(path, args):
    pc = Pcap(path)
    c = Conn(pc, 40001, 443)
    ch = record(22, BASIC_CH)
    unit = tls_stream_unit()
    c.send(0, ch)
    c.send_repeat(0, unit, args.bulk)
    c.close()
    pc.close()
    MANIFEST["tls-endless"] = {
        "payload_c2s": len(ch) + args.bulk,
        # records whose 5-byte header was sent whole
        "app_records": args.bulk // len(unit) + (1 if args.bulk % len(unit) >= 5 else 0),
    }


def cap_tls_hs_16m(path, args):
    pc = Pcap(path)
    c = Conn(pc, 40002, 443)
    # handshake header claiming 2^24-1 bytes (RFC 8446 §4: uint24 length),
    # then legacy_version 0x0303 as a ClientHello starts (§4.1.2)
    first = record(22, u8(1) + u24(0xffffff) + u16(0x0303) + garbage_fast(16384 - 6, 1))
    c.send(0, first)
    unit = garbage_fast(11 * MSS, 2)
    c.send_repeat(0, unit, (16 << 20) + 2)
    c.close()
    pc.close()
    MANIFEST["tls-hs-16m"] = {"payload_c2s": len(first) + (16 << 20) + 2}


def cap_tls_record_big(path, args):
    pc = Pcap(path)
    for i, rlen in enumerate((0xffff, 16384 + 2048 + 1)):
        c = Conn(pc, 40010 + i, 443, t_us=i * 1000000)
        # RFC 8446 §5.1: the length field of one record, over the limits
        c.send(0, u8(22) + u16(0x0301) + u16(rlen) + u8(1) + u24(rlen - 4) + garbage_fast(rlen - 4, 3 + i))
        c.close()
    pc.close()


def cap_tls_many_exts(path, args):
    pc = Pcap(path)
    c = Conn(pc, 40020, 443)
    exts = [SNI] + [ext(0x1000 + i) for i in range(5000)]    # distinct, unassigned types
    c.send(0, records(22, client_hello([0x1301], exts)))
    c.close()
    pc.close()


def cap_tls_ciphers_64k(path, args):
    pc = Pcap(path)
    for i, n in enumerate((32766, 8000)):
        c = Conn(pc, 40030 + i, 443, t_us=i * 1000000)
        suites = [(k * 7 + 0x0100) & 0xffff for k in range(n)]   # arbitrary values
        c.send(0, records(22, client_hello(suites, [SNI])))
        c.close()
    pc.close()


def ber_len(n):                              # X.690 §8.1.3
    if n < 0x80:
        return u8(n)
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return u8(0x80 | len(b)) + b


def ber(tag, content):
    return u8(tag) + ber_len(len(content)) + content


def cap_ldap_deep_ber(path, args):
    pc = Pcap(path)
    depth = 10000
    # filter: and [0] { and [0] { ... present [7] "objectClass" } } (RFC 4511 §4.5.1)
    f = ber(0x87, b"objectClass")
    for _ in range(depth):
        f = ber(0xa0, f)
    # SearchRequest [APPLICATION 3]: baseObject, scope, derefAliases,
    # sizeLimit, timeLimit, typesOnly, filter, attributes
    sr = ber(0x04, b"") + ber(0x0a, b"\x00") + ber(0x0a, b"\x00") + ber(0x02, b"\x00") + \
        ber(0x02, b"\x00") + ber(0x01, b"\x00") + f + ber(0x30, b"")
    msg = ber(0x30, ber(0x02, b"\x01") + ber(0x63, sr))
    c = Conn(pc, 40040, 389)
    c.send(0, msg)
    c.close()
    # indefinite lengths: 30 80 02 01 01 63 80 (a0 80)*depth ... 00 00 (X.690 §8.1.3.6)
    ind = b"\x30\x80" + ber(0x02, b"\x02") + b"\x63\x80" + b"\xa0\x80" * depth + \
        ber(0x87, b"objectClass") + b"\x00\x00" * (depth + 2)
    c = Conn(pc, 40041, 389, t_us=1000000)
    c.send(0, ind)
    c.close()
    pc.close()


def cap_smtp_long_lines(path, args):
    pc = Pcap(path)
    big = 4 << 20
    c = Conn(pc, 40050, 25)
    # RFC 5321 §4.2: a reply line; §4.5.3.1.5: at most 512 octets
    c.send(1, b"220 " + b"x" * big + b"\r\n")
    c.close()
    c = Conn(pc, 40051, 25, t_us=10000000)
    c.send(1, b"220 mail.example ESMTP\r\n")
    # RFC 5321 §4.1.1.1 EHLO; §4.5.3.1.4: command lines at most 512 octets
    c.send(0, b"EHLO " + b"y" * big + b"\r\n")
    c.close()
    pc.close()


def cap_db_lengths(path, args):
    pc = Pcap(path)
    junk = garbage_fast(64 * 1024, 5)
    flows = []
    # PostgreSQL StartupMessage: Int32 length, Int32 protocol 3.0 (PG §55.7)
    for i, ln in enumerate((0xffffffff, 0x80000000, 0x7fffffff)):
        flows.append((5432, [(0, struct.pack("!II", ln, 0x00030000) + junk)]))
    # MySQL packet: 3-byte little-endian payload_length, sequence id
    greeting = b"\x0a" + b"8.0.36\x00" + struct.pack("<I", 7) + b"abcdefgh\x00" + \
        struct.pack("<H", 0xffff) + b"\x21" + struct.pack("<H", 2) + struct.pack("<H", 0xdfff) + \
        b"\x15" + b"\x00" * 10 + b"ijklmnopqrst\x00" + b"caching_sha2_password\x00"
    flows.append((3306, [(1, b"\xff\xff\xff\x00\x0a8.0.36\x00" + junk)]))
    flows.append((3306, [(1, struct.pack("<I", len(greeting))[:3] + b"\x00" + greeting),
                         (0, b"\xff\xff\xff\x01" + junk)]))
    # TDS packet header: type 0x12 PRELOGIN, status 1, Length 0xffff ([MS-TDS] §2.2.3.1.3)
    # then the option table's first token, VERSION (0) (§2.2.6.5)
    flows.append((1433, [(0, b"\x12\x01\xff\xff\x00\x00\x01\x00\x00" + junk)]))
    # RESP: array and bulk string lengths at their maximum
    flows.append((6379, [(0, b"*2147483647\r\n$3\r\nSET\r\n" + junk)]))
    flows.append((6379, [(0, b"*1\r\n$4294967295\r\nSET" + junk)]))
    # MongoDB standard message header: int32 messageLength, requestID,
    # responseTo, opCode 2013 (OP_MSG)
    for ln in (0x7fffffff, 0xffffffff):
        flows.append((27017, [(0, struct.pack("<IiiI", ln, 1, 0, 2013) + junk)]))
    # AMQP 0-9-1: protocol header, then a frame type 1 channel 0 size 0xffffffff (§4.2.3)
    flows.append((5672, [(0, b"AMQP\x00\x00\x09\x01"),
                         (1, b"\x01\x00\x00\xff\xff\xff\xff" + junk)]))
    for i, (port, msgs) in enumerate(flows):
        c = Conn(pc, 41000 + i, port, t_us=i * 1000000)
        for d, data in msgs:
            c.send(d, data)
        c.close()
    pc.close()


def cap_pg_bulk(path, args):
    pc = Pcap(path)
    c = Conn(pc, 40060, 5432)
    head = struct.pack("!II", 0x7fffffff, 0x00030000) + b"user\x00"
    c.send(0, head)
    c.send_repeat(0, garbage_fast(11 * MSS, 6), args.bulk // 4)
    c.close()
    pc.close()
    MANIFEST["pg-bulk"] = {"payload_c2s": len(head) + args.bulk // 4}


def cap_mysql_bulk(path, args):
    pc = Pcap(path)
    c = Conn(pc, 40061, 3306)
    head = b"\xff\xff\xff\x00\x0a8.0.36\x00"
    c.send(1, head)
    c.send_repeat(1, garbage_fast(11 * MSS, 7), args.bulk // 4)
    c.close()
    pc.close()
    MANIFEST["mysql-bulk"] = {"payload_s2c": len(head) + args.bulk // 4}


def cap_ooo_overlap(path, args):
    pc = Pcap(path)
    unit = tls_stream_unit()
    total = max(args.bulk // 10, 1 << 20)
    stream = record(22, BASIC_CH)
    while len(stream) < total:
        stream += unit
    stream = stream[:total]
    stride, span = 1000, 1500
    m = MANIFEST["ooo-overlap"] = {"stream_bytes": len(stream), "mismatched_segments": 0, "payload_c2s": 0}
    for fi, window in enumerate((8, 400)):
        c = Conn(pc, 40070 + fi, 443, t_us=fi * 100000000)
        isn = c.seq[0]
        nseg = (len(stream) + stride - 1) // stride
        for w0 in range(0, nseg, window):
            idx = list(range(w0, min(w0 + window, nseg)))
            for k in reversed(idx):
                a = k * stride
                data = bytearray(stream[a:a + span])
                # the tail overlapping segment k+1 (sent before this one)
                # carries different bytes: first seen wins, so the stream
                # stays the original one and the mismatch is counted
                if fi == 0 and k != idx[-1] and len(data) > stride:
                    for j in range(stride, len(data)):
                        data[j] ^= 0x5a
                    m["mismatched_segments"] += 1
                if fi == 0:
                    m["payload_c2s"] += len(data)
                c.segment(0, 0x18, bytes(data), seq=isn + a)
        c.seq[0] = isn + len(stream)
        c.close()
    pc.close()


def cap_ooo_flood(path, args):
    pc = Pcap(path)
    data = garbage_fast(45 * MSS, 8)
    sums = [pcaplib.ones_sum(data[i * MSS:(i + 1) * MSS]) for i in range(45)]
    for f in range(args.ooo_flows):
        c = Conn(pc, 1024 + f, 443, t_us=f * 1000)
        isn = c.seq[0]
        # segment 0 (bytes 0..1447) is never sent: RFC 9293 §3.10.7.4, a
        # receiver queues what lies beyond the window's left edge
        for i in range(1, 45):
            c.segment(0, 0x18, data[i * MSS:(i + 1) * MSS], seq=isn + i * MSS, payload_sum=sums[i])
    pc.close()
    MANIFEST["ooo-flood"] = {"flows": args.ooo_flows, "queued_per_flow": 44 * MSS}


CAPTURES = {
    "syn-flood": cap_syn_flood,
    "tls-endless": cap_tls_endless,
    "tls-hs-16m": cap_tls_hs_16m,
    "tls-record-big": cap_tls_record_big,
    "tls-many-exts": cap_tls_many_exts,
    "tls-ciphers-64k": cap_tls_ciphers_64k,
    "ldap-deep-ber": cap_ldap_deep_ber,
    "smtp-long-lines": cap_smtp_long_lines,
    "db-lengths": cap_db_lengths,
    "pg-bulk": cap_pg_bulk,
    "mysql-bulk": cap_mysql_bulk,
    "ooo-overlap": cap_ooo_overlap,
    "ooo-flood": cap_ooo_flood,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--flows", type=int, default=1000000)
    ap.add_argument("--bulk-mb", type=int, default=200)
    ap.add_argument("--ooo-flows", type=int, default=1000)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    args.bulk = args.bulk_mb << 20
    names = [n for n in args.only.split(",") if n] or list(CAPTURES)
    for n in names:
        if n not in CAPTURES:
            sys.exit("mkpcap-hostile-traffic.py: unknown capture %s" % n)
    os.makedirs(args.outdir, exist_ok=True)
    for n in names:
        CAPTURES[n](os.path.join(args.outdir, n + ".pcap"), args)
    mpath = os.path.join(args.outdir, "manifest.json")
    old = json.load(open(mpath)) if os.path.exists(mpath) else {}
    old.update(MANIFEST)
    with open(mpath, "w") as f:
        json.dump(old, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
