#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-tls.py — hand-built TLS captures for what no real peer speaks any
more (Debian's OpenSSL and GnuTLS cannot send these): an SSLv2 handshake, an
SSLv2-compatible ClientHello answered in TLS 1.0, SSLv3, an EXPORT suite, and
a TLS 1.3 ClientHello carrying encrypted_client_hello.

Writes pcaps/tls-crafted/*.pcap (deterministic). Python 3 stdlib only.
Each flow is a full TCP connection (three-way handshake, data, FIN) over
Ethernet/IPv4 with valid IPv4 and TCP checksums (RFC 791 §3.1, RFC 9293
§3.1), addresses from RFC 5737.

Byte layouts (the comments at each builder name the section):
  TLS record            RFC 5246 §6.2.1, RFC 8446 §5.1
  handshake header      RFC 5246 §7.4
  ClientHello           RFC 5246 §7.4.1.2, RFC 8446 §4.1.2
  ServerHello           RFC 5246 §7.4.1.3
  Certificate           RFC 5246 §7.4.2
  ServerKeyExchange     RFC 2246 §7.4.3 (RSA_EXPORT ServerRSAParams)
  SSLv2 CLIENT-HELLO    RFC 6101 App. E.1 / RFC 5246 App. E.2
  SSLv2 SERVER-HELLO    draft-hickman-netscape-ssl-00 §2.6
  SSLv3                 RFC 6101 §5.6
  ECH                   RFC 9849 §5 (ECHClientHello, outer)
  HelloRetryRequest     RFC 8446 §4.1.3 (the special Random), §4.2.8
                        (KeyShareHelloRetryRequest: selected_group)
  post-quantum groups   draft-ietf-tls-ecdhe-mlkem-00 §3 (X25519MLKEM768,
                        0x11EC: client share = ML-KEM-768 encapsulation key
                        1184 bytes || X25519 32 = 1216; server share = ML-KEM
                        ciphertext 1088 || X25519 32 = 1120) and
                        draft-tls-westerbaan-xyber768d00-02 §3
                        (X25519Kyber768Draft00, 0x6399: X25519 32 || Kyber768
                        1184 = 1216 from the client, 32 || 1088 = 1120 from
                        the server); code points from the IANA TLS Supported
                        Groups registry. No Debian 12 server selects one
                        (tools/lab/gen-pq.sh has the real client side).
The server certificate is pcaps/tls/test-ca.pem's certificate (DER),
copied in when this script runs.

Usage: tools/mkpcap-tls.py   (from anywhere)
"""
import base64
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "pcaps", "tls-crafted")
BASE_TS = 1796000000  # 2026-11-28T...Z: inside the test CA's validity

MAC_C = bytes.fromhex("020000000c01")
MAC_S = bytes.fromhex("020000000c02")
IP_C = bytes([192, 0, 2, 10])
IP_S = bytes([198, 51, 100, 20])


class Conn(pcaplib.TcpConn):
    """One TCP connection IP_C:sport -> IP_S:dport; frames collected in
    order, 1 ms apart from t0, data in segments of at most 1400 bytes."""

    def __init__(self, sport, dport, t0):
        super().__init__(IP_C, IP_S, sport, dport, MAC_C, MAC_S, t0=t0, step=0.001, mss=1400)


# ---- TLS builders ----
def u8(v): return struct.pack("!B", v)
def u16(v): return struct.pack("!H", v)
def u24(v): return struct.pack("!I", v)[1:]
def vec8(b): return u8(len(b)) + b
def vec16(b): return u16(len(b)) + b
def vec24(b): return u24(len(b)) + b


def record(ctype, version, frag):          # RFC 5246 §6.2.1
    return u8(ctype) + u16(version) + vec16(frag)


def hs(mtype, body):                        # RFC 5246 §7.4
    return u8(mtype) + vec24(body)


def ext(t, data):
    return u16(t) + vec16(data)


def sni_ext(name):                          # RFC 6066 §3
    return ext(0x0000, vec16(u8(0) + vec16(name.encode())))


def client_hello(version, ciphers, exts=None, sid=b""):  # RFC 5246 §7.4.1.2
    body = u16(version) + bytes(range(32)) + vec8(sid) + vec16(b"".join(u16(c) for c in ciphers)) + vec8(b"\x00")
    if exts is not None:
        body += vec16(b"".join(exts))
    return hs(1, body)


def server_hello(version, cipher, exts=None, sid=b""):   # RFC 5246 §7.4.1.3
    body = u16(version) + bytes(range(100, 132)) + vec8(sid) + u16(cipher) + u8(0)
    if exts is not None:
        body += vec16(b"".join(exts))
    return hs(2, body)


def certificate(ders):                      # RFC 5246 §7.4.2
    return hs(11, vec24(b"".join(vec24(d) for d in ders)))


def ca_der():
    pem = open(os.path.join(TOP, "pcaps", "tls", "test-ca.pem")).read()
    b64 = pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return base64.b64decode("".join(b64.split()))


def finish_tls12(c, version):
    """ClientKeyExchange, CCS + Finished both ways, application data."""
    c.send(0, record(22, version, hs(16, vec16(bytes(64)))) +
           record(20, version, b"\x01") + record(22, version, bytes(48)))
    c.send(1, record(20, version, b"\x01") + record(22, version, bytes(48)))
    c.send(0, record(23, version, bytes(80)))
    c.send(1, record(23, version, bytes(120)))


def sslv2_hello(conn_t):
    """SSLv2 CLIENT-HELLO (version 2) and SERVER-HELLO with a certificate."""
    c = Conn(40001, 443, conn_t)
    specs = bytes.fromhex("010080" "020080" "0700c0" "060040")
    challenge = bytes(range(16))
    body = u8(1) + u16(0x0002) + u16(len(specs)) + u16(0) + u16(len(challenge)) + specs + challenge
    c.send(0, u16(0x8000 | len(body)) + body)
    cert = ca_der()
    sspecs = bytes.fromhex("010080")
    conn_id = bytes(range(16))
    sbody = (u8(4) + u8(0) + u8(1) + u16(0x0002) + u16(len(cert)) + u16(len(sspecs)) + u16(len(conn_id))
             + cert + sspecs + conn_id)
    c.send(1, u16(0x8000 | len(sbody)) + sbody)
    c.close()
    return c.frames


def sslv2_compat_tls10(conn_t):
    """SSLv2-compatible CLIENT-HELLO offering TLS 1.0 (RFC 5246 E.2), TLS 1.0 answer."""
    c = Conn(40002, 443, conn_t)
    specs = bytes.fromhex("00002f" "000035" "00000a" "010080" "0000ff")
    challenge = bytes(range(32))
    body = u8(1) + u16(0x0301) + u16(len(specs)) + u16(0) + u16(len(challenge)) + specs + challenge
    c.send(0, u16(0x8000 | len(body)) + body)
    c.send(1, record(22, 0x0301, server_hello(0x0301, 0x002f) + certificate([ca_der()]) + hs(14, b"")))
    finish_tls12(c, 0x0301)
    c.close()
    return c.frames


def sslv3(conn_t):
    """SSLv3 (RFC 6101): no extensions, RC4-SHA."""
    c = Conn(40003, 443, conn_t)
    c.send(0, record(22, 0x0300, client_hello(0x0300, [0x0005, 0x0004, 0x000a, 0x002f])))
    c.send(1, record(22, 0x0300, server_hello(0x0300, 0x0005) + certificate([ca_der()]) + hs(14, b"")))
    finish_tls12(c, 0x0300)
    c.close()
    return c.frames


def export(conn_t):
    """TLS 1.0 RSA_EXPORT with a 512-bit ServerKeyExchange (RFC 2246 §7.4.3)."""
    c = Conn(40004, 443, conn_t)
    c.send(0, record(22, 0x0301, client_hello(0x0301, [0x0003, 0x0006, 0x0008, 0x0014, 0x0011, 0x002f],
                                              [sni_ext("export.wireaudit.test"), ext(0xff01, b"\x00")])))
    modulus = b"\xc3" + bytes(range(1, 64))  # 512 bits, top bit set
    ske = hs(12, vec16(modulus) + vec16(b"\x01\x00\x01") + vec16(bytes(64)))
    c.send(1, record(22, 0x0301, server_hello(0x0301, 0x0003, [ext(0xff01, b"\x00")]) +
                     certificate([ca_der()]) + ske + hs(14, b"")))
    finish_tls12(c, 0x0301)
    c.close()
    return c.frames


def ech(conn_t):
    """TLS 1.3 ClientHello with encrypted_client_hello (RFC 9849 §5), outer SNI."""
    c = Conn(40005, 443, conn_t)
    # ECHClientHello: type outer(0), HpkeSymmetricCipherSuite(kdf 1, aead 1),
    # config_id, enc<0..2^16-1>, payload<1..2^16-1>
    ech_body = u8(0) + u16(0x0001) + u16(0x0001) + u8(0x2a) + vec16(bytes(range(32))) + vec16(bytes(200))
    exts = [
        sni_ext("public.wireaudit.test"),
        ext(0x000a, vec16(u16(0x11ec) + u16(0x001d) + u16(0x0017))),
        ext(0x000d, vec16(u16(0x0403) + u16(0x0804) + u16(0x0401))),
        ext(0x0010, vec16(vec8(b"h2") + vec8(b"http/1.1"))),
        ext(0x002b, vec8(u16(0x0304) + u16(0x0303))),
        ext(0x0033, vec16(u16(0x001d) + vec16(bytes(32)))),
        ext(0xfe0d, ech_body),
    ]
    c.send(0, record(22, 0x0301, client_hello(0x0303, [0x1301, 0x1302, 0x1303], exts, sid=bytes(32))))
    sexts = [ext(0x002b, u16(0x0304)), ext(0x0033, u16(0x001d) + vec16(bytes(32)))]
    c.send(1, record(22, 0x0303, server_hello(0x0303, 0x1301, sexts, sid=bytes(32))) +
           record(20, 0x0303, b"\x01") + record(23, 0x0303, bytes(900)) + record(23, 0x0303, bytes(60)))
    c.send(0, record(20, 0x0303, b"\x01") + record(23, 0x0303, bytes(53)))
    c.send(0, record(23, 0x0303, bytes(100)))
    c.send(1, record(23, 0x0303, bytes(300)))
    c.close()
    return c.frames


HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")  # RFC 8446 §4.1.3


def ks_entry(group, n):                     # RFC 8446 §4.2.8 KeyShareEntry
    return u16(group) + vec16(bytes((group + i) & 0xff for i in range(n)))


def ch13(groups, shares, name):
    """A TLS 1.3 ClientHello: groups offered, key shares [(group, length)]."""
    exts = [
        sni_ext(name),
        ext(0x000a, vec16(b"".join(u16(g) for g in groups))),
        ext(0x000d, vec16(u16(0x0403) + u16(0x0804) + u16(0x0401))),
        ext(0x002b, vec8(u16(0x0304) + u16(0x0303))),
        ext(0x0033, vec16(b"".join(ks_entry(g, n) for g, n in shares))),
    ]
    return record(22, 0x0301, client_hello(0x0303, [0x1301, 0x1302, 0x1303], exts, sid=bytes(32)))


def sh13(group, n):
    sexts = [ext(0x002b, u16(0x0304)), ext(0x0033, ks_entry(group, n))]
    return record(22, 0x0303, server_hello(0x0303, 0x1301, sexts, sid=bytes(32)))


def hrr13(group):
    """HelloRetryRequest: a ServerHello with the special Random whose
    key_share holds only the selected group (RFC 8446 §4.1.3, §4.1.4)."""
    body = u16(0x0303) + HRR_RANDOM + vec8(bytes(32)) + u16(0x1301) + u8(0)
    body += vec16(ext(0x002b, u16(0x0304)) + ext(0x0033, u16(group)))
    return record(22, 0x0303, hs(2, body))


def finish13(c):
    """CCS, the encrypted handshake and application data both ways (opaque)."""
    c.send(1, record(20, 0x0303, b"\x01") + record(23, 0x0303, bytes(900)) + record(23, 0x0303, bytes(60)))
    c.send(0, record(20, 0x0303, b"\x01") + record(23, 0x0303, bytes(53)))
    c.send(0, record(23, 0x0303, bytes(100)))
    c.send(1, record(23, 0x0303, bytes(3000)))
    c.close()
    return c.frames


def pq_mlkem(conn_t):
    """X25519MLKEM768 offered with a key share and selected by the server."""
    c = Conn(40006, 443, conn_t)
    c.send(0, ch13([0x11ec, 0x001d, 0x0017], [(0x11ec, 1216), (0x001d, 32)], "pq.wireaudit.test"))
    c.send(1, sh13(0x11ec, 1120))
    return finish13(c)


def pq_hrr(conn_t):
    """X25519MLKEM768 offered without a share; the server asks for it in a
    HelloRetryRequest, the second ClientHello sends it, the server takes it."""
    c = Conn(40007, 443, conn_t)
    c.send(0, ch13([0x001d, 0x11ec], [(0x001d, 32)], "pq-hrr.wireaudit.test"))
    c.send(1, hrr13(0x11ec))
    c.send(0, record(20, 0x0303, b"\x01") +
           ch13([0x001d, 0x11ec], [(0x11ec, 1216)], "pq-hrr.wireaudit.test"))
    c.send(1, sh13(0x11ec, 1120))
    return finish13(c)


def pq_kyber(conn_t):
    """The pre-standard X25519Kyber768Draft00 offered and selected."""
    c = Conn(40008, 443, conn_t)
    c.send(0, ch13([0x6399, 0x001d], [(0x6399, 1216), (0x001d, 32)], "kyber.wireaudit.test"))
    c.send(1, sh13(0x6399, 1120))
    return finish13(c)


def pq_refused_hostile(conn_t):
    """X25519MLKEM768 offered with a share, the server takes x25519; the SNI
    is hostile (markup, an ESC sequence, a table cell end, a backtick, a
    spreadsheet formula) for the report's post-quantum server lists."""
    c = Conn(40009, 8443, conn_t)  # a server of its own
    name = "=cmd|`<script>alert(1)</script>\x1b[31m.pq.test"
    c.send(0, ch13([0x11ec, 0x001d], [(0x11ec, 1216), (0x001d, 32)], name))
    c.send(1, sh13(0x001d, 32))
    return finish13(c)


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, fn) in enumerate([("sslv2-hello", sslv2_hello),
                                    ("sslv2-compat-hello-tls10", sslv2_compat_tls10),
                                    ("sslv3-rc4", sslv3),
                                    ("tls10-export-rc4-40", export),
                                    ("tls13-ech-outer", ech),
                                    ("tls13-pq-x25519mlkem768", pq_mlkem),
                                    ("tls13-pq-hrr-mlkem", pq_hrr),
                                    ("tls13-pq-kyber-draft", pq_kyber),
                                    ("tls13-pq-refused-hostile-sni", pq_refused_hostile)]):
        pcaplib.write_frames(os.path.join(OUT, name + ".pcap"), fn(BASE_TS + i * 10))
        print("wrote pcaps/tls-crafted/%s.pcap" % name)


if __name__ == "__main__":
    main()
