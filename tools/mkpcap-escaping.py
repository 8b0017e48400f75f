#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-escaping.py — captures whose wire strings carry output-injection
payloads (HTML/script, ANSI terminal escapes, CSV formulas, control bytes,
invalid UTF-8) in the fields wireaudit stores from the wire, for
tests/escaping.sh; and flows that carry a fake password that only nDPI
sees (no dissector of ours claims them), for tests/secrets.sh.

Writes pcaps/escaping/*.pcap. Python 3 stdlib only (openssl CLI for a new
certificate). Every capture is TCP connections over Ethernet/IPv4: three-way
handshake (except the flows joined mid-stream), data segments of at most
1400 bytes each acknowledged, FIN from both sides; IPv4 and TCP checksums
correct (RFC 791 §3.1, RFC 9293 §3.1). Fixed timestamps and a committed
certificate: the output is reproducible. Addresses 10.77.0.1 -> 10.77.0.2
(internal, so the report lists the cleartext findings).

Messages, with the section each follows:
  TLS record / handshake      RFC 5246 §6.2.1, §7.4
  ClientHello + server_name   RFC 5246 §7.4.1.2, RFC 6066 §3 (HostName is
                              opaque<1..2^16-1> on the wire; RFC 6066 wants
                              a DNS name, a hostile client sends anything)
  ServerHello, Certificate,   RFC 5246 §7.4.1.3, §7.4.2, §7.4.5
  ServerHelloDone
  HTTP/1.1 request, Host, UA  RFC 9112 §3, RFC 9110 §7.2, §10.1.5
  SMTP greeting, EHLO         RFC 5321 §4.2, §4.1.1.1
  PostgreSQL StartupMessage   PostgreSQL protocol 3.0, "Message Formats"
  LDAP BindRequest (simple)   RFC 4511 §4.2 (name: LDAPDN, an OCTET STRING)
  FTP USER / PASS             RFC 959 §4.1.1
  IRC PASS / NICK / USER      RFC 2812 §3.1.1-3.1.3

The leaf certificate (pcaps/escaping/hostile-cert.pem) is self-signed by the
openssl CLI with a subject whose CN, O and OU carry the payloads; made once
(--new-cert makes a new one; the pcaps change with it) and embedded as DER.

Fake secrets on the wire: FAKE_PASSWORDS (tests/secrets.sh proves none is
stored).

Usage: tools/mkpcap-escaping.py [--new-cert] | --passwords
"""
import base64
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "pcaps", "escaping")
CERT = os.path.join(OUT, "hostile-cert.pem")
BASE_TS = 1796100000

MAC_C = bytes.fromhex("020000007701")
MAC_S = bytes.fromhex("020000007702")
IP_C = bytes([10, 77, 0, 1])
IP_S = bytes([10, 77, 0, 2])

FAKE_PASSWORDS = ["pw-esc-ldap-7101", "pw-esc-ftp-7102", "pw-esc-irc-7103",
                  "pw-esc-midftp-7104", "pw-esc-midpop-7105"]

# The payloads, as bytes on the wire.
P_SCRIPT = b"<script>alert(1)</script>"
P_IMG = b"\"><img src=x onerror=alert(1)>"
P_ANSI = b"\x1b[31mRED\x1b]0;title\x07"
P_CSV = b"=cmd|' /C calc'!A0"
P_BADUTF8 = b"\xff\xfe\xc0\xaf"   # not UTF-8; c0 af: overlong '/'
USER = P_CSV + b"<\"u\x1b[2J" + P_BADUTF8


class Conn(pcaplib.TcpConn):
    """One TCP connection IP_C:sport -> IP_S:dport; frames collected in
    order, 1 ms apart from t0, data in segments of at most 1400 bytes each
    acknowledged. handshake=False: the capture joins an established
    connection (no SYN seen)."""

    def __init__(self, sport, dport, t0, handshake=True):
        super().__init__(IP_C, IP_S, sport, dport, MAC_C, MAC_S, t0=t0, step=0.001, mss=1400,
                         ack_data=True, handshake=handshake)


def write_pcap(name, frames):
    pcaplib.write_frames(os.path.join(OUT, name), frames)
    print("wrote pcaps/escaping/%s" % name)


# ---- TLS 1.2 (RFC 5246) ----
def u8(v): return struct.pack("!B", v)
def u16(v): return struct.pack("!H", v)
def u24(v): return struct.pack("!I", v)[1:]
def vec8(b): return u8(len(b)) + b
def vec16(b): return u16(len(b)) + b
def vec24(b): return u24(len(b)) + b


def record(ctype, frag):                    # §6.2.1
    return u8(ctype) + u16(0x0303) + vec16(frag)


def hs(mtype, body):                        # §7.4
    return u8(mtype) + vec24(body)


def client_hello(sni):                      # §7.4.1.2; server_name: RFC 6066 §3
    exts = u16(0x0000) + vec16(vec16(u8(0) + vec16(sni)))
    body = (u16(0x0303) + bytes(range(32)) + vec8(b"") +
            vec16(u16(0xc02f) + u16(0x009c)) + vec8(b"\x00") + vec16(exts))
    return hs(1, body)


def server_hello():                         # §7.4.1.3
    return hs(2, u16(0x0303) + bytes(range(100, 132)) + vec8(b"") + u16(0xc02f) + u8(0) + vec16(b""))


def hostile_subject():
    # openssl -subj: '/' separates RDNs, '\' escapes; everything else as is.
    def esc(b):
        return b.replace(b"\\", b"\\\\").replace(b"/", b"\\/").replace(b"=", b"\\=")
    return b"/OU=" + esc(P_CSV) + b"/O=" + esc(P_IMG) + b"/CN=" + esc(P_SCRIPT + P_ANSI)


def cert_der():
    if "--new-cert" in sys.argv or not os.path.exists(CERT):
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, OPENSSL_CONF="/dev/null")
            subprocess.run([b"openssl", b"req", b"-x509", b"-newkey", b"ec", b"-pkeyopt",
                            b"ec_paramgen_curve:P-256", b"-nodes", b"-keyout",
                            os.path.join(d, "k.pem").encode(), b"-out", CERT.encode(),
                            b"-days", b"10000", b"-utf8", b"-subj", hostile_subject()],
                           check=True, env=env, stderr=subprocess.DEVNULL)
    pem = open(CERT).read()
    b64 = pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return base64.b64decode("".join(b64.split()))


def tls_flow(t, sport, sni, der):
    c = Conn(sport, 443, t)
    c.c(record(22, client_hello(sni)))
    # ServerHello, Certificate (§7.4.2), ServerHelloDone (§7.4.5) in one record
    c.s(record(22, server_hello() + hs(11, vec24(vec24(der))) + hs(14, b"")))
    c.c(record(22, hs(16, vec8(bytes(65)))) + record(20, b"\x01") + record(22, bytes(40)))
    c.s(record(20, b"\x01") + record(22, bytes(40)))
    c.c(record(23, bytes(64)))
    c.close()
    return c.frames


def tls_sni_cert():
    der = cert_der()
    frames = []
    # every character OWASP lists as a formula start, and a ';' separator
    snis = [P_SCRIPT, P_IMG, P_ANSI + P_CSV, b"+1", b"-1", b"@SUM(1)", b"\t=1", b"\r=1",
            b"a;=1+1"]
    for i, sni in enumerate(snis):
        frames += tls_flow(BASE_TS + i, 40001 + i, sni, der)
    write_pcap("tls-sni-cert.pcap", frames)


# ---- HTTP/1.1 (RFC 9112 §3; Host RFC 9110 §7.2; User-Agent §10.1.5) ----
def http_headers():
    frames = []
    cases = [(P_SCRIPT, P_IMG), (P_ANSI + b"x", P_CSV), (b"+1", b"-1"),
             (b"@SUM(1)", b"\tTAB" + P_BADUTF8), (b"-2+3", b"\rCR")]
    for i, (host, ua) in enumerate(cases):
        c = Conn(41001 + i, 80, BASE_TS + 100 + i)
        c.c(b"GET / HTTP/1.1\r\nHost: " + host + b"\r\nUser-Agent: " + ua + b"\r\nAccept: */*\r\n\r\n")
        c.s(b"HTTP/1.1 200 OK\r\nServer: " + P_SCRIPT + b"\r\nContent-Length: 2\r\n\r\nok")
        c.close()
        frames += c.frames
    write_pcap("http-host-ua.pcap", frames)


# ---- SMTP (RFC 5321 §4.2 greeting, §4.1.1.1 EHLO) ----
def smtp_banner():
    c = Conn(42001, 25, BASE_TS + 200)
    c.s(b"220 mx" + P_ANSI + b"\x08\x7f" + P_SCRIPT + b" ESMTP " + P_BADUTF8 + b"\r\n")
    c.c(b"EHLO " + P_ANSI + P_CSV + b"\r\n")
    c.s(b"250-mx\r\n250 8BITMIME\r\n")
    c.c(b"QUIT\r\n")
    c.s(b"221 bye\r\n")
    c.close()
    write_pcap("smtp-banner-ehlo.pcap", c.frames)


# ---- user names ----
def pgsql_user():
    # StartupMessage: Int32 length, Int32 196608 (3.0), (String name, String
    # value)*, \0. A String cannot hold \0: the NUL case is in LDAP and FTP.
    params = (b"user\0" + USER + b"\0database\0" + P_SCRIPT + b"\0application_name\0" +
              P_ANSI + b"\0\0")
    c = Conn(43001, 5432, BASE_TS + 300)
    c.c(struct.pack("!II", 8 + len(params), 196608) + params)
    c.s(b"R" + struct.pack("!II", 8, 0))     # AuthenticationOk
    c.s(b"Z" + struct.pack("!I", 5) + b"I")  # ReadyForQuery
    c.c(b"X" + struct.pack("!I", 4))         # Terminate
    c.close()
    write_pcap("pgsql-user.pcap", c.frames)


def tlv(tag, content):                      # BER definite length, X.690 §8.1.3
    n = len(content)
    if n < 0x80:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + content


def ldap_bind_dn():
    # RFC 4511 §4.2 BindRequest [APPLICATION 0] { version 3, name, simple [0] }
    dn = b"cn=" + USER + b"\x00" + P_SCRIPT + b",dc=x"
    bind = tlv(0x60, tlv(0x02, b"\x03") + tlv(0x04, dn) + tlv(0x80, b"pw-esc-ldap-7101"))
    resp = tlv(0x61, tlv(0x0a, b"\x00") + tlv(0x04, b"") + tlv(0x04, b""))  # §4.2.2 success
    c = Conn(44001, 389, BASE_TS + 400)
    c.c(tlv(0x30, tlv(0x02, b"\x01") + bind))
    c.s(tlv(0x30, tlv(0x02, b"\x01") + resp))
    c.c(tlv(0x30, tlv(0x02, b"\x02") + b"\x42\x00"))  # §4.3 UnbindRequest
    c.close()
    write_pcap("ldap-bind-dn.pcap", c.frames)


def ftp_user():
    c = Conn(45001, 21, BASE_TS + 500)
    c.s(b"220 " + P_ANSI + P_SCRIPT + b"\r\n")
    c.c(b"USER " + P_CSV + b"<\"u\x1b[2J\x00" + P_BADUTF8 + b"\r\n")
    c.s(b"331 Please specify the password.\r\n")
    c.c(b"PASS pw-esc-ftp-7102\r\n")
    c.s(b"230 Login successful.\r\n")
    c.c(b"QUIT\r\n")
    c.s(b"221 Goodbye.\r\n")
    c.close()
    write_pcap("ftp-user.pcap", c.frames)


# ---- passwords only nDPI sees (tests/secrets.sh) ----
def ndpi_only():
    frames = []
    # IRC (RFC 2812 §3.1.1 PASS, §3.1.2 NICK, §3.1.3 USER): no dissector of ours.
    c = Conn(46001, 6667, BASE_TS + 600)
    c.c(b"PASS pw-esc-irc-7103\r\nNICK ircnick\r\nUSER ircuser 0 * :Real Name\r\n")
    c.s(b":irc.lab.test 001 ircnick :Welcome to the IRC network ircnick\r\n")
    c.c(b"JOIN #lab\r\nPRIVMSG #lab :hello\r\nQUIT :bye\r\n")
    c.close()
    frames += c.frames
    # FTP and POP3 joined after the greeting and USER (RFC 959 §4.1.1, RFC 1939
    # §7): our dissectors need the greeting or the USER line to claim a flow,
    # nDPI recognises PASS.
    c = Conn(46002, 21, BASE_TS + 601, handshake=False)
    c.c(b"PASS pw-esc-midftp-7104\r\n")
    c.s(b"230 Login successful.\r\n")
    c.c(b"PWD\r\n")
    c.s(b"257 \"/\" is the current directory\r\n")
    c.close()
    frames += c.frames
    c = Conn(46003, 110, BASE_TS + 602, handshake=False)
    c.c(b"PASS pw-esc-midpop-7105\r\n")
    c.s(b"+OK Logged in.\r\n")
    c.c(b"STAT\r\n")
    c.s(b"+OK 0 0\r\n")
    c.close()
    frames += c.frames
    write_pcap("ndpi-only-passwords.pcap", frames)


def main():
    if "--passwords" in sys.argv:
        print("\n".join(FAKE_PASSWORDS))
        return
    os.makedirs(OUT, exist_ok=True)
    tls_sni_cert()
    http_headers()
    smtp_banner()
    pgsql_user()
    ldap_bind_dn()
    ftp_user()
    ndpi_only()


if __name__ == "__main__":
    main()
