#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""fuzz-seeds.py — seed corpora for the fuzz targets (fuzz/*.c), derived
from the captures in pcaps/ and the certificates in tests/data/x509 and
pcaps/tls. Python standard library only: pcap and pcapng are read here.

    tools/fuzz-seeds.py OUTDIR [--srcdir DIR] [--wireaudit BIN]

Writes OUTDIR/<target>/<name> for the targets packet, dissector, x509, quic
and config, in each target's input format (docs/FUZZING.md). --wireaudit is
used to label TCP/UDP flows with the dissector that claimed them (export's
`protocol`) and to make a baseline JSON report; without it the dissector
seeds are labelled by server port only and there is no baseline seed.
"""
import argparse
import base64
import hashlib
import ipaddress
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

MAX_PACKET_SEED = 65536   # -max_len of fuzz_packet
MAX_STREAM_SEED = 65536   # -max_len of fuzz_dissector
MAX_CHUNK = 0x7fff

# fuzz_packet's link-type selector (fuzz/fuzz_packet.c fz_dlts[])
DLT_SELECT = {1: 0, 101: 1, 113: 2, 0: 3, 276: 4, 228: 5, 229: 6, 108: 7}


def read_pcap(path):
    """Yields (linktype, bytes) for each packet of a pcap or pcapng file."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '<' if magic[0] in (0xd4, 0x4d) else '>'
        linktype = struct.unpack(e + 'I', data[20:24])[0] & 0xffff
        off = 24
        while len(data) - off >= 16:
            incl = struct.unpack(e + 'I', data[off + 8:off + 12])[0]
            off += 16
            if incl > len(data) - off:
                return
            yield linktype, data[off:off + incl]
            off += incl
    elif magic == b'\x0a\x0d\x0d\x0a':
        off = 0
        e = '<'
        links = []
        while len(data) - off >= 12:
            if data[off:off + 4] == b'\x0a\x0d\x0d\x0a':
                e = '<' if data[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' else '>'
                links = []
            btype, blen = struct.unpack(e + 'II', data[off:off + 8])
            if blen < 12 or blen > len(data) - off:
                return
            body = data[off + 8:off + blen - 4]
            if btype == 1:
                links.append(struct.unpack(e + 'H', body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                ifid, _, _, cap, _ = struct.unpack(e + 'IIIII', body[:20])
                if ifid < len(links):
                    yield links[ifid], body[20:20 + cap]
            elif btype == 3 and links:
                yield links[0], body[4:]
            off += blen


def ip_layer(linktype, pkt):
    """(ip bytes) after the link layer, or None (enough for the captures
    in pcaps/: Ethernet with VLAN tags, SLL, SLL2, raw, null/loop)."""
    if linktype == 1:
        off, et = 12, None
        while len(pkt) >= off + 2:
            et = struct.unpack('>H', pkt[off:off + 2])[0]
            if et in (0x8100, 0x88a8):
                off += 4
                continue
            break
        if et not in (0x0800, 0x86dd):
            return None
        return pkt[off + 2:]
    if linktype == 113:
        return pkt[16:]
    if linktype == 276:
        return pkt[20:]
    if linktype in (101, 228, 229):
        return pkt
    if linktype in (0, 108):
        return pkt[4:]
    return None


def l4(ip):
    """(proto, src, dst, sport, dport, seq, flags, payload) or None."""
    if len(ip) < 20:
        return None
    v = ip[0] >> 4
    if v == 4:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack('>H', ip[2:4])[0]
        if struct.unpack('>H', ip[6:8])[0] & 0x3fff:
            return None  # fragment
        proto, src, dst = ip[9], ip[12:16], ip[16:20]
        body = ip[ihl:total]
    elif v == 6 and len(ip) >= 40:
        plen = struct.unpack('>H', ip[4:6])[0]
        proto, src, dst = ip[6], ip[8:24], ip[24:40]
        body = ip[40:40 + plen]
    else:
        return None
    if proto == 6 and len(body) >= 20:
        sport, dport, seq = struct.unpack('>HHI', body[:8])
        doff = (body[12] >> 4) * 4
        return 6, src, dst, sport, dport, seq, body[13], body[doff:]
    if proto == 17 and len(body) >= 8:
        sport, dport = struct.unpack('>HH', body[:4])
        return 17, src, dst, sport, dport, 0, 0, body[8:]
    return None


def ipstr(b):
    return str(ipaddress.ip_address(bytes(b)))


class Flow:
    def __init__(self, proto, cli, srv):
        self.proto, self.cli, self.srv = proto, cli, srv
        self.next = [None, None]
        self.chunks = []  # (dir, bytes)


def flows_of(path):
    """TCP streams (in-order payload, capture-order interleaving, trimmed
    retransmissions) and UDP datagrams, per flow, client first."""
    flows = {}
    order = []
    for lt, pkt in read_pcap(path):
        ip = ip_layer(lt, pkt)
        if ip is None:
            continue
        t = l4(ip)
        if t is None:
            continue
        proto, src, dst, sport, dport, seq, fl, pl = t
        a, b = (src, sport), (dst, dport)
        key = (proto,) + tuple(sorted([a, b]))
        f = flows.get(key)
        if f is None:
            # the SYN's sender, or the first sender, is the client (a
            # SYN-ACK first means the other side is)
            cli, srv = (b, a) if proto == 6 and (fl & 0x12) == 0x12 else (a, b)
            f = flows[key] = Flow(proto, cli, srv)
            order.append(f)
        d = 0 if a == f.cli else 1
        if proto == 6:
            if fl & 2:
                f.next[d] = (seq + 1) & 0xffffffff
                continue
            if not pl:
                continue
            if f.next[d] is None:
                f.next[d] = seq
            rel = (seq - f.next[d]) & 0xffffffff
            if rel >= 0x80000000:          # old bytes: keep only the new tail
                old = 0x100000000 - rel
                if old >= len(pl):
                    continue
                pl = pl[old:]
            f.next[d] = (f.next[d] + len(pl)) & 0xffffffff if rel >= 0x80000000 else \
                (seq + len(pl)) & 0xffffffff
        if pl:
            f.chunks.append((d, pl))
    return order


def chunked(chunks, limit):
    out = b''
    for d, pl in chunks:
        while pl:
            part, pl = pl[:MAX_CHUNK], pl[MAX_CHUNK:]
            rec = struct.pack('>H', (0x8000 if d else 0) | len(part)) + part
            if len(out) + len(rec) > limit:
                return out
            out += rec
    return out


def put(outdir, target, name, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def all_pcaps(srcdir):
    res = []
    for root, _, files in os.walk(os.path.join(srcdir, 'pcaps')):
        for fn in sorted(files):
            if fn.endswith(('.pcap', '.pcapng')):
                res.append(os.path.join(root, fn))
    return sorted(res)


def seed_name(path, srcdir, suffix=''):
    rel = os.path.relpath(path, os.path.join(srcdir, 'pcaps'))
    return re.sub(r'[^A-Za-z0-9._-]', '_', rel) + suffix


def packet_seeds(outdir, srcdir, pcaps):
    for p in pcaps:
        pk = list(read_pcap(p))
        if not pk:
            continue
        sel = DLT_SELECT.get(pk[0][0])
        if sel is None:
            continue
        out, part = bytes([sel]), 0
        for _, b in pk:
            b = b[:MAX_CHUNK]
            rec = struct.pack('>H', len(b)) + b
            if len(out) + len(rec) > MAX_PACKET_SEED:
                put(outdir, 'packet', seed_name(p, srcdir, '.%d' % part), out)
                part += 1
                if part >= 4:
                    out = None
                    break
                out = bytes([sel])
            out += rec
        if out and len(out) > 1:
            put(outdir, 'packet', seed_name(p, srcdir, '.%d' % part), out)


def registry(srcdir):
    with open(os.path.join(srcdir, 'dissectors', 'registry.c')) as f:
        text = f.read()
    arr = text[text.index('dissectors[] = {'):]
    arr = arr[:arr.index('};')]
    return re.findall(r'&dissector_(\w+),', arr)


def labels(wireaudit, pcaps):
    """{(client_ip, client_port, server_ip, server_port, transport): protocol}
    from one wireaudit run over every capture (one process: an instrumented
    build starts slowly). A tuple reused by two captures keeps one label."""
    res = {}
    with tempfile.TemporaryDirectory() as td:
        db = os.path.join(td, 'x.db')
        args = [wireaudit, 'capture', '-q', '--no-ndpi', '-d', db]
        for p in pcaps:
            args += ['-r', p]
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not os.path.exists(db):
            return res
        r = subprocess.run([wireaudit, 'export', '-d', db], capture_output=True)
        for line in r.stdout.decode('utf-8', 'replace').splitlines():
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if o.get('protocol') and 'client_port' in o:
                res[(o.get('client_ip'), o['client_port'], o.get('server_ip'), o['server_port'],
                     o.get('transport'))] = o['protocol']
    return res


PORT_GUESS = {80: 'http', 443: 'tls', 5432: 'postgresql', 3306: 'mysql', 6379: 'redis',
              1433: 'tds', 27017: 'mongodb', 389: 'ldap', 25: 'smtp', 587: 'smtp', 21: 'ftp',
              143: 'imap', 110: 'pop3', 5672: 'amqp', 23: 'telnet', 514: 'syslog', 601: 'syslog',
              1883: 'mqtt', 5900: 'vnc', 5901: 'vnc', 3389: 'rdp', 9092: 'kafka', 445: 'smb', 139: 'smb', 5222: 'xmpp', 5269: 'xmpp'}


def dissector_seeds(outdir, srcdir, pcaps, wireaudit):
    names = registry(srcdir)
    seen = set()
    lab = labels(wireaudit, pcaps) if wireaudit else {}
    for p in pcaps:
        for i, f in enumerate(flows_of(p)):
            if not f.chunks:
                continue
            tr = 'tcp' if f.proto == 6 else 'udp'
            name = lab.get((ipstr(f.cli[0]), f.cli[1], ipstr(f.srv[0]), f.srv[1], tr))
            if name is None and not wireaudit:
                name = PORT_GUESS.get(f.srv[1]) if f.proto == 6 else \
                    ('quic' if f.srv[1] == 443 else None)
            if name not in names:
                continue
            # the target picks its dissector by name (fuzz/fuzz_dissector.c)
            data = name.encode() + b'\0' + bytes([0]) + chunked(f.chunks, MAX_STREAM_SEED - 2 - len(name))
            h = hashlib.sha1(data).hexdigest()[:12]
            if h in seen:
                continue
            seen.add(h)
            put(outdir, 'dissector', '%s.%s.%d' % (name, seed_name(p, srcdir), i), data)


def pem_certs(path):
    with open(path, 'rb') as f:
        text = f.read().decode('ascii', 'replace')
    return [base64.b64decode(m) for m in
            re.findall(r'-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----', text, re.S)]


def tls_handshakes(stream):
    """Handshake messages (type, body) from a TLS record stream (first
    flight, cleartext)."""
    buf = b''
    off = 0
    while len(stream) - off >= 5:
        ct, _, ln = struct.unpack('>BHH', stream[off:off + 5])
        rec = stream[off + 5:off + 5 + ln]
        off += 5 + ln
        if ct == 22:
            buf += rec
        elif ct == 20 or ct == 23:
            break
    msgs = []
    o = 0
    while len(buf) - o >= 4:
        t = buf[o]
        ln = int.from_bytes(buf[o + 1:o + 4], 'big')
        msgs.append((t, buf[o:o + 4 + ln]))
        o += 4 + ln
    return msgs


def x509_blob(flags, ders, host=b'localhost', when=0x30000000):
    out = bytes([flags]) + struct.pack('>I', when)
    if flags & 2:
        out += bytes([len(host)]) + host
    for d in ders:
        out += struct.pack('>H', len(d)) + d
    return out


def x509_and_quic_seeds(outdir, srcdir, pcaps):
    xd = os.path.join(srcdir, 'tests', 'data', 'x509')
    pems = sorted(os.path.join(xd, f) for f in os.listdir(xd) if f.endswith('.pem')) \
        if os.path.isdir(xd) else []
    pems.append(os.path.join(srcdir, 'pcaps', 'tls', 'test-ca.pem'))
    allc = []
    for p in pems:
        if os.path.exists(p):
            for j, c in enumerate(pem_certs(p)):
                allc.append(c)
                put(outdir, 'x509', 'pem.%s.%d' % (os.path.basename(p), j), x509_blob(2, [c]))
    if os.path.isdir(xd):
        for f in sorted(os.listdir(xd)):
            if f.endswith('.der'):
                with open(os.path.join(xd, f), 'rb') as fp:
                    put(outdir, 'x509', 'ocsp.' + f, x509_blob(4, [fp.read()]))
    if len(allc) >= 2:
        put(outdir, 'x509', 'chain.data', x509_blob(3, allc[:4]))
    hellos = []
    for p in pcaps:
        if '/tls' not in p:
            continue
        for f in flows_of(p):
            if f.proto != 6:
                continue
            c2s = b''.join(b for d, b in f.chunks if d == 0)
            s2c = b''.join(b for d, b in f.chunks if d == 1)
            for t, m in tls_handshakes(c2s):
                if t == 1:
                    hellos.append((0, m))
                    break
            for t, m in tls_handshakes(s2c):
                if t == 2:
                    hellos.append((1, m))
                if t == 11 and len(m) > 7:
                    body, ders, o = m[4:], [], 3
                    end = 3 + int.from_bytes(body[:3], 'big')
                    while o + 3 <= min(end, len(body)):
                        ln = int.from_bytes(body[o:o + 3], 'big')
                        ders.append(body[o + 3:o + 3 + ln])
                        o += 3 + ln
                    if ders:
                        put(outdir, 'x509', 'tls.' + seed_name(p, srcdir),
                            x509_blob(2, ders[:16], b'localhost', 0x30000000))
    # quic: raw datagrams of the QUIC captures
    for p in pcaps:
        if '/quic' not in p and 'quic' not in os.path.basename(p):
            continue
        for i, f in enumerate(flows_of(p)):
            if f.proto != 17:
                continue
            out = b''
            for d, b in f.chunks:
                rec = bytes([d]) + struct.pack('>H', len(b)) + b
                if len(out) + len(rec) > 65536:
                    break
                out += rec
            put(outdir, 'quic', 'raw.%s.%d' % (seed_name(p, srcdir), i), out)
    # quic: protected Initials carrying TLS ClientHello / ServerHello
    # messages from the TLS captures as CRYPTO frames at offset 0
    def crypto(m):
        ln = len(m)
        return b'\x06\x00' + struct.pack('>H', 0x4000 | ln) + m if ln < 0x4000 else b''
    cl = [m for d, m in hellos if d == 0]
    sv = [m for d, m in hellos if d == 1]
    for i, (c, s) in enumerate(zip(cl, sv)):
        if i >= 12:
            break
        fc, fs = crypto(c), crypto(s)
        if not fc or not fs:
            continue
        out = b'\x02' + struct.pack('>H', len(fc)) + fc
        out += b'\x03' + struct.pack('>H', len(fs) + 8) + fs + b'\x02\x00\x00\x00\x00' + b'\x01\x00\x00'
        put(outdir, 'quic', 'protected.%d' % i, out)
        v2 = b'\x06' + out[1:3 + len(fc)] + b'\x07' + out[4 + len(fc):]
        put(outdir, 'quic', 'protected-v2.%d' % i, v2)


def config_seeds(outdir, srcdir, pcaps, wireaudit):
    put(outdir, 'config', 'config.doc', b'\x00' +
        b'internal 10.1.0.0/16 env=prod owner=payments\n'
        b'internal 10.2.0.0/16 env=staging\n'
        b'internal fd00:1::/48 env=dev\n'
        b'# comment\n'
        b'geoip /var/lib/GeoIP/GeoLite2-Country.mmdb\n'
        b'asn /var/lib/GeoIP/GeoLite2-ASN.mmdb\n')
    put(outdir, 'config', 'waivers.doc', b'\x01' +
        b'waive requirement=12.3.1 kind=tls_refused server=10.0.0.9 port=5432 '
        b'protocol=postgresql owner=dba-team expires=2026-12-31 reason="legacy client, ticket OPS-1"\n'
        b'waive requirement=12.1.1 owner=x reason="quoted \\" and \\\\" expires=2099-12-31\r\n')
    # compliance profiles (docs/PROFILES.md): byte 3, each built-in file
    pdir = os.path.join(srcdir, 'src', 'report', 'profiles')
    for f in sorted(os.listdir(pdir)):
        if f.endswith('.profile'):
            with open(os.path.join(pdir, f), 'rb') as fh:
                put(outdir, 'config', 'profile.' + f[:-len('.profile')], b'\x03' + fh.read())
    if not wireaudit:
        return
    with tempfile.TemporaryDirectory() as td:
        db = os.path.join(td, 'b.db')
        args = [wireaudit, 'capture', '-q', '-d', db]
        for p in pcaps:
            if '/plain/' in p or 'tls12-weak' in p or 'tls10' in p:
                args += ['-r', p]
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        r = subprocess.run([wireaudit, 'report', '-d', db, '--format', 'json', '--level', '3'],
                           capture_output=True)
        if r.stdout:
            put(outdir, 'config', 'baseline.report', b'\x02' + r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('outdir')
    ap.add_argument('--srcdir', default=os.path.join(os.path.dirname(__file__), '..'))
    ap.add_argument('--wireaudit')
    a = ap.parse_args()
    pcaps = all_pcaps(a.srcdir)
    packet_seeds(a.outdir, a.srcdir, pcaps)
    dissector_seeds(a.outdir, a.srcdir, pcaps, a.wireaudit)
    x509_and_quic_seeds(a.outdir, a.srcdir, pcaps)
    config_seeds(a.outdir, a.srcdir, pcaps, a.wireaudit)
    for t in sorted(os.listdir(a.outdir)):
        print('%s: %d seeds' % (t, len(os.listdir(os.path.join(a.outdir, t)))))


if __name__ == '__main__':
    sys.exit(main())
