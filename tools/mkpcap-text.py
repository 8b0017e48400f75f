#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-text.py — hand-built captures of the mail, directory, broker and
classic text protocols for the states and malformations that the real lab
servers (tools/lab/gen-plain.sh) do not produce. Each scenario below cites
the RFC / specification section its bytes follow.

Every capture is one (or more) complete TCP connection over Ethernet/IPv4:
three-way handshake, data segments (at most MSS bytes) each acknowledged,
FIN from both sides; sequence numbers, IPv4 and TCP checksums are correct
(RFC 791, RFC 9293). Timestamps are fixed, so output is deterministic.

All passwords are fake and listed in FAKE_PASSWORDS (tests/mail-fields.sh
checks none of them is ever stored).

Usage:
  tools/mkpcap-text.py                write every scenario to pcaps/crafted-text/
  tools/mkpcap-text.py huge DIR       only the large inputs (megabyte SMTP
                                      line, ...) into DIR: made at test time,
                                      not committed
  tools/mkpcap-text.py --passwords    print the fake passwords, one a line
"""
import base64
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "pcaps/crafted-text")

CLI_IP = bytes([10, 88, 0, 1])
SRV_IP = bytes([10, 88, 0, 2])
CLI_MAC = b"\x02\x00\x00\x00\x00\x01"
SRV_MAC = b"\x02\x00\x00\x00\x00\x02"
MSS = 1448

FAKE_PASSWORDS = [
    "pw-cr-smtp-refused-5101", "pw-cr-imap-refused-5202", "pw-cr-imap-plain-5203",
    "pw-cr-pop3-refused-5301", "pw-cr-ftp-notused-5401", "pw-cr-ldap-sasl-5501",
    "pw-cr-amqp-plain-5601", "pw-cr-amqplain-5602", "pw-cr-amqp1-5603", "pw-cr-telnet-5701",
    "pw-cr-smtp-login-5102", "pw-cr-ftp-huge-5402", "pw-cr-ftp-gssfallback-5403",
]


class Conn(pcaplib.TcpConn):
    """One TCP connection CLI_IP:sport -> SRV_IP:dport; records Ethernet
    frames 1 ms apart from t0 + 1 ms, data segments (at most MSS bytes) each
    acknowledged. close() returns the frames."""

    def __init__(self, sport, dport, t0=1700000000.0):
        super().__init__(CLI_IP, SRV_IP, sport, dport, CLI_MAC, SRV_MAC, isn=(1000, 500000),
                         t0=t0 + 0.001, step=0.001, mss=MSS, ack_data=True)


def b64(s):
    return base64.b64encode(s).decode().encode()


SCENARIOS = {}


def scenario(name):
    def reg(fn):
        SCENARIOS[name] = fn
        return fn
    return reg


# ---------------------------------------------------------------- SMTP

@scenario("smtp-starttls-refused")
def _():
    # RFC 3207 §4: "454 TLS not available due to temporary reason"; the
    # client then goes on in clear with AUTH PLAIN (RFC 4954 §4, RFC 4616 §2).
    k = Conn(40001, 25)
    k.s(b"220 mx.crafted.test ESMTP crafted\r\n")
    k.c(b"EHLO client.crafted.test\r\n")
    k.s(b"250-mx.crafted.test\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
    k.c(b"STARTTLS\r\n")
    k.s(b"454 4.7.0 TLS not available due to temporary reason\r\n")
    k.c(b"AUTH PLAIN " + b64(b"\0crafteduser\0pw-cr-smtp-refused-5101") + b"\r\n")
    k.s(b"235 2.7.0 Authentication successful\r\n")
    k.c(b"MAIL FROM:<a@crafted.test>\r\n")
    k.s(b"250 2.1.0 Ok\r\n")
    k.c(b"RCPT TO:<b@crafted.test>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.c(b"RCPT TO:<c@crafted.test>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.c(b"DATA\r\n")
    k.s(b"354 End data with <CR><LF>.<CR><LF>\r\n")
    k.c(b"Subject: x\r\n\r\nbody\r\n.\r\n")
    k.s(b"250 2.0.0 Ok: queued\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")
    return k.close()


@scenario("smtp-bare-banner-port2526")
def _():
    # A banner that names neither SMTP nor FTP (RFC 5321 §4.2: the text is
    # free), on a non-standard port: only the client's HELO (§4.1.1.1)
    # decides. AUTH LOGIN (draft-murchison-sasl-login) with 334 challenges.
    k = Conn(40002, 2526)
    k.s(b"220 host.crafted.test ready\r\n")
    k.c(b"HELO client.crafted.test\r\n")
    k.s(b"250 host.crafted.test\r\n")
    k.c(b"AUTH LOGIN\r\n")
    k.s(b"334 VXNlcm5hbWU6\r\n")
    k.c(b64(b"loginuser") + b"\r\n")
    k.s(b"334 UGFzc3dvcmQ6\r\n")
    k.c(b64(b"pw-cr-smtp-login-5102") + b"\r\n")
    k.s(b"535 5.7.8 Authentication credentials invalid\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 Bye\r\n")
    return k.close()


# ---------------------------------------------------------------- FTP

@scenario("ftp-bare-banner-anonymous")
def _():
    # Same bare "220 " banner as above: the client's USER (RFC 959 §4.1.1)
    # decides. Anonymous login (RFC 1635): the password is an e-mail address.
    k = Conn(40011, 2121)
    k.s(b"220 host.crafted.test ready\r\n")
    k.c(b"USER anonymous\r\n")
    k.s(b"331 Please specify the password.\r\n")
    k.c(b"PASS guest@crafted.test\r\n")
    k.s(b"230 Login successful.\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 Goodbye.\r\n")
    return k.close()


@scenario("ftp-feat-auth-tls-not-used")
def _():
    # RFC 2389 FEAT reply listing "AUTH TLS" (RFC 4217 §6); the client logs in
    # with USER/PASS in clear anyway.
    k = Conn(40012, 21)
    k.s(b"220 (vsFTPd 3.0.3)\r\n")
    k.c(b"FEAT\r\n")
    k.s(b"211-Features:\r\n AUTH TLS\r\n EPSV\r\n PBSZ\r\n PROT\r\n UTF8\r\n211 End\r\n")
    k.c(b"USER ftpuser\r\n")
    k.s(b"331 Please specify the password.\r\n")
    k.c(b"PASS pw-cr-ftp-notused-5401\r\n")
    k.s(b"530 Login incorrect.\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 Goodbye.\r\n")
    return k.close()


@scenario("ftp-auth-gssapi-enc")
def _():
    # RFC 2228 §3 AUTH GSSAPI answered "334 ADAT must follow" (§4: 334 =
    # security data needed), ADAT exchange (base64 of the mechanism's tokens,
    # RFC 2743 §3.1: here opaque stand-ins, as a passive observer sees
    # them), "235 ADAT=..." (security data exchange complete), then every
    # command wrapped with ENC and every reply with 632 (§3 ENC: private,
    # confidentiality and integrity). Nothing of the login is in clear.
    k = Conn(40013, 21)
    k.s(b"220 gss.crafted.test FTP server (Version 5.60) ready.\r\n")
    k.c(b"AUTH GSSAPI\r\n")
    k.s(b"334 Using authentication type GSSAPI; ADAT must follow\r\n")
    k.c(b"ADAT " + b64(b"\x60\x82\x02\x10\x06\x09\x2a\x86\x48\x86\xf7\x12\x01\x02\x02" + bytes(range(256)) * 2) + b"\r\n")
    k.s(b"235 ADAT=" + b64(b"\x60\x81\x90\x06\x09\x2a\x86\x48\x86\xf7\x12\x01\x02\x02" + bytes(range(64, 192))) + b"\r\n")
    k.c(b"ENC " + b64(bytes(range(7, 87))) + b"\r\n")
    k.s(b"632 " + b64(bytes(range(91, 171))) + b"\r\n")
    k.c(b"ENC " + b64(bytes(range(13, 93))) + b"\r\n")
    k.s(b"632 " + b64(bytes(range(101, 181))) + b"\r\n")
    return k.close()


@scenario("ftp-auth-gssapi-refused")
def _():
    # RFC 2228 §3 AUTH answered 504 ("Command not implemented for that
    # parameter": the mechanism is not understood; 534 and 431 are the other
    # refusals of §4); the client then logs in with USER/PASS in clear
    # (RFC 959 §4.1.1): protection asked for, refused, session in clear.
    k = Conn(40014, 21)
    k.s(b"220 plain.crafted.test FTP server ready.\r\n")
    k.c(b"AUTH GSSAPI\r\n")
    k.s(b"504 Unknown authentication type: GSSAPI\r\n")
    k.c(b"USER gssfallback\r\n")
    k.s(b"331 Password required for gssfallback.\r\n")
    k.c(b"PASS pw-cr-ftp-gssfallback-5403\r\n")
    k.s(b"230 User gssfallback logged in.\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 Goodbye.\r\n")
    return k.close()


# ---------------------------------------------------------------- IMAP

@scenario("imap-starttls-refused-literal")
def _():
    # RFC 9051 §6.2.1 STARTTLS answered "NO"; the client goes on with LOGIN
    # whose arguments are synchronizing literals (§4.3, §7.5 "+" continuation).
    k = Conn(40021, 143)
    k.s(b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] crafted ready\r\n")
    k.c(b"a1 STARTTLS\r\n")
    k.s(b"a1 NO TLS not available\r\n")
    k.c(b"a2 LOGIN {9}\r\n")
    k.s(b"+ Ready for literal data\r\n")
    k.c(b"imap user {23}\r\n")
    k.s(b"+ Ready for literal data\r\n")
    k.c(b"pw-cr-imap-refused-5202\r\n")
    k.s(b"a2 OK LOGIN completed\r\n")
    k.c(b"a3 LOGOUT\r\n")
    k.s(b"* BYE\r\na3 OK LOGOUT completed\r\n")
    return k.close()


@scenario("imap-authenticate-plain-ir")
def _():
    # RFC 9051 §6.2.2 AUTHENTICATE with an initial response (RFC 4959 SASL-IR),
    # PLAIN (RFC 4616 §2) with an authzid.
    k = Conn(40022, 143)
    k.s(b"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN LOGINDISABLED] crafted\r\n")
    k.c(b"x1 AUTHENTICATE PLAIN " + b64(b"admin\0plainuser\0pw-cr-imap-plain-5203") + b"\r\n")
    k.s(b"x1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
    k.c(b"x2 LOGOUT\r\n")
    k.s(b"* BYE\r\nx2 OK\r\n")
    return k.close()


# ---------------------------------------------------------------- POP3

@scenario("pop3-stls-refused")
def _():
    # RFC 2595 §4 STLS answered -ERR; USER/PASS (RFC 1939 §7) in clear.
    k = Conn(40031, 110)
    k.s(b"+OK crafted POP3 ready\r\n")
    k.c(b"CAPA\r\n")
    k.s(b"+OK\r\nSTLS\r\nUSER\r\nSASL PLAIN\r\n.\r\n")
    k.c(b"STLS\r\n")
    k.s(b"-ERR TLS not available\r\n")
    k.c(b"USER popuser\r\n")
    k.s(b"+OK\r\n")
    k.c(b"PASS pw-cr-pop3-refused-5301\r\n")
    k.s(b"+OK Logged in.\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"+OK Bye\r\n")
    return k.close()


@scenario("pop3-apop")
def _():
    # RFC 1939 §7 APOP: the digest is MD5(timestamp + secret), example bytes
    # from the RFC.
    k = Conn(40032, 110)
    k.s(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n")
    k.c(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n")
    k.s(b"+OK maildrop has 1 message (369 octets)\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"+OK\r\n")
    return k.close()


# ---------------------------------------------------------------- LDAP (BER, X.690 §8.1)

def tlv(tag, content):
    n = len(content)
    if n < 128:
        ln = bytes([n])
    elif n < 256:
        ln = bytes([0x81, n])
    else:
        ln = bytes([0x82, n >> 8, n & 0xff])
    return bytes([tag]) + ln + content


def ldap_msg(msgid, op):
    return tlv(0x30, tlv(0x02, bytes([msgid])) + op)


@scenario("ldap-sasl-plain-bind")
def _():
    # RFC 4511 §4.2 BindRequest with sasl [3] { mechanism "PLAIN",
    # credentials authzid\0authcid\0passwd (RFC 4616) }, §4.2.2 BindResponse
    # success, then a SearchRequest (§4.5.1) in clear.
    k = Conn(40041, 389)
    sasl = tlv(0xa3, tlv(0x04, b"PLAIN") + tlv(0x04, b"\0sasluser\0pw-cr-ldap-sasl-5501"))
    k.c(ldap_msg(1, tlv(0x60, tlv(0x02, b"\x03") + tlv(0x04, b"") + sasl)))
    k.s(ldap_msg(1, tlv(0x61, tlv(0x0a, b"\x00") + tlv(0x04, b"") + tlv(0x04, b""))))
    flt = tlv(0x87, b"objectClass")  # present filter
    search = tlv(0x63, tlv(0x04, b"dc=crafted,dc=test") + tlv(0x0a, b"\x02") + tlv(0x0a, b"\x00") +
                 tlv(0x02, b"\x00") + tlv(0x02, b"\x00") + tlv(0x01, b"\x00") + flt + tlv(0x30, b""))
    k.c(ldap_msg(2, search))
    k.s(ldap_msg(2, tlv(0x65, tlv(0x0a, b"\x00") + tlv(0x04, b"") + tlv(0x04, b""))))
    k.c(ldap_msg(3, b"\x42\x00"))  # UnbindRequest (§4.3): [APPLICATION 2] NULL
    return k.close()


@scenario("ldap-unauthenticated-bind")
def _():
    # RFC 4513 §5.1.2: a name with an empty password is an unauthenticated bind.
    k = Conn(40042, 389)
    k.c(ldap_msg(1, tlv(0x60, tlv(0x02, b"\x03") + tlv(0x04, b"cn=nobody,dc=crafted,dc=test") +
                         tlv(0x80, b""))))
    k.s(ldap_msg(1, tlv(0x61, tlv(0x0a, b"\x35") + tlv(0x04, b"") + tlv(0x04, b""))))
    return k.close()


@scenario("ldap-deep-nesting")
def _():
    # A SearchRequest whose filter nests 40 "and" sets (RFC 4511 §4.5.1.7):
    # over the BER depth cap.
    k = Conn(40043, 389)
    flt = tlv(0x87, b"cn")
    for _ in range(40):
        flt = tlv(0xa0, flt)
    search = tlv(0x63, tlv(0x04, b"") + tlv(0x0a, b"\x02") + tlv(0x0a, b"\x00") + tlv(0x02, b"\x00") +
                 tlv(0x02, b"\x00") + tlv(0x01, b"\x00") + flt + tlv(0x30, b""))
    k.c(ldap_msg(1, search))
    return k.close()


@scenario("ldap-indefinite-length")
def _():
    # X.690 §8.1.3.6 indefinite form (0x80 ... 00 00): not allowed in LDAP
    # (RFC 4511 §5.1).
    k = Conn(40044, 389)
    k.c(b"\x30\x80\x02\x01\x01\x60\x07\x02\x01\x03\x04\x00\x80\x00\x00\x00")
    return k.close()


# ---------------------------------------------------------------- AMQP 0-9-1 (spec §4.2.3 frames)

def amqp_frame(ftype, payload, ch=0):
    return struct.pack("!BHI", ftype, ch, len(payload)) + payload + b"\xce"


def shortstr(s):
    return bytes([len(s)]) + s


def longstr(s):
    return struct.pack("!I", len(s)) + s


def table(entries):
    body = b"".join(shortstr(k) + t + v for k, t, v in entries)
    return struct.pack("!I", len(body)) + body


def amqp091(sport, mech, response, name):
    k = Conn(sport, 5672)
    k.c(b"AMQP\x00\x00\x09\x01")  # §4.2.2 protocol header
    props = table([(b"product", b"S", longstr(b"RabbitMQ")), (b"version", b"S", longstr(b"3.12.1")),
                   (b"capabilities", b"F", table([(b"publisher_confirms", b"t", b"\x01")]))])
    start = struct.pack("!HHBB", 10, 10, 0, 9) + props + longstr(b"AMQPLAIN PLAIN") + longstr(b"en_US")
    k.s(amqp_frame(1, start))
    cprops = table([(b"product", b"S", longstr(b"crafted-client")), (b"platform", b"S", longstr(b"py"))])
    startok = struct.pack("!HH", 10, 11) + cprops + shortstr(mech) + longstr(response) + shortstr(b"en_US")
    k.c(amqp_frame(1, startok))
    k.s(amqp_frame(1, struct.pack("!HHHIH", 10, 30, 2047, 131072, 60)))   # Tune
    k.c(amqp_frame(1, struct.pack("!HHHIH", 10, 31, 2047, 131072, 60)))   # Tune-Ok
    k.c(amqp_frame(1, struct.pack("!HH", 10, 40) + shortstr(b"/crafted") + shortstr(b"") + b"\x00"))
    k.s(amqp_frame(1, struct.pack("!HH", 10, 41) + shortstr(b"")))
    return k.close()


@scenario("amqp091-plain")
def _():
    return amqp091(40051, b"PLAIN", b"\0amqpuser\0pw-cr-amqp-plain-5601", "plain")


@scenario("amqp091-amqplain")
def _():
    # RabbitMQ AMQPLAIN: the response is field-table entries without the
    # table's length (rabbit_auth_mechanism_amqplain).
    resp = table([(b"LOGIN", b"S", longstr(b"amqplainuser")),
                   (b"PASSWORD", b"S", longstr(b"pw-cr-amqplain-5602"))])[4:]
    return amqp091(40052, b"AMQPLAIN", resp, "amqplain")


@scenario("amqp091-huge-frame")
def _():
    # A frame header announcing 0xfffffff0 bytes (§4.2.3 size is a u32).
    k = Conn(40053, 5672)
    k.c(b"AMQP\x00\x00\x09\x01")
    k.s(struct.pack("!BHI", 1, 0, 0xfffffff0) + b"\x00\x0a\x00\x0a" + b"\x00" * 32)
    return k.close()


# ---------------------------------------------------------------- AMQP 1.0 (OASIS AMQP 1.0)

def amqp1_frame(ftype, body):
    # §2.3.1: size, doff=2, type, channel 0
    return struct.pack("!IBBH", 8 + len(body), 2, ftype, 0) + body


def sym8(s):
    return b"\xa3" + bytes([len(s)]) + s


def list8(items):
    body = bytes([len(items)]) + b"".join(items)
    return b"\xc0" + bytes([len(body)]) + body


@scenario("amqp10-sasl-plain")
def _():
    # §5.3.1 SASL header (id 3), sasl-mechanisms (0x40) as a symbol array
    # (part 1 §1.6.24 array8), sasl-init (0x41) PLAIN with initial response
    # (binary vbin8) and hostname, sasl-outcome (0x44) code ok.
    k = Conn(40061, 5672)
    k.c(b"AMQP\x03\x01\x00\x00")
    k.s(b"AMQP\x03\x01\x00\x00")
    arr_body = b"\x02\xa3" + bytes([5]) + b"PLAIN" + bytes([9]) + b"ANONYMOUS"
    mechs = b"\xe0" + bytes([len(arr_body)]) + arr_body
    k.s(amqp1_frame(1, b"\x00\x53\x40" + list8([mechs])))
    ir = b"\0amqp1user\0pw-cr-amqp1-5603"
    init = b"\x00\x53\x41" + list8([sym8(b"PLAIN"), b"\xa0" + bytes([len(ir)]) + ir,
                                     b"\xa1" + bytes([11]) + b"broker.test"])
    k.c(amqp1_frame(1, init))
    k.s(amqp1_frame(1, b"\x00\x53\x44" + list8([b"\x50\x00"])))
    k.c(b"AMQP\x00\x01\x00\x00")
    k.s(b"AMQP\x00\x01\x00\x00")
    return k.close()


@scenario("amqp10-tls-header")
def _():
    # §5.2.1: TLS header (id 2) from both sides, then a TLS ClientHello
    # record (RFC 8446 §5.1 framing; truncated body is fine for hand-off).
    k = Conn(40062, 5672)
    k.c(b"AMQP\x02\x01\x00\x00")
    k.s(b"AMQP\x02\x01\x00\x00")
    hello = bytes.fromhex("160301002f0100002b0303") + b"\x11" * 32 + b"\x00\x00\x02\x00\x2f\x01\x00"
    k.c(hello)
    return k.close()


# ---------------------------------------------------------------- Telnet (RFC 854/855)

@scenario("telnet-login")
def _():
    # Option negotiation (RFC 855; ECHO 1 RFC 857, SGA 3 RFC 858, TTYPE 24
    # RFC 1091), a login: prompt, the user typed one character at a time,
    # a Password: prompt and the password typed (credentials inferred).
    k = Conn(40071, 23)
    k.s(b"\xff\xfd\x18\xff\xfd\x20\xff\xfb\x03\xff\xfb\x01")
    k.c(b"\xff\xfb\x18\xff\xfd\x03\xff\xfd\x01")
    k.s(b"\xff\xfa\x18\x01\xff\xf0")
    k.c(b"\xff\xfa\x18\x00xterm\xff\xf0")
    k.s(b"\r\nDebian GNU/Linux 12\r\ncrafted login: ")
    for ch in b"telnetuser":
        k.c(bytes([ch]))
        k.s(bytes([ch]))
    k.c(b"\r\x00")
    k.s(b"\r\nPassword: ")
    k.c(b"pw-cr-telnet-5701\r\x00")
    k.s(b"\r\nLogin incorrect\r\n")
    return k.close()


# ---------------------------------------------------------------- large inputs (test time only)

HUGE = {}


def huge(name):
    def reg(fn):
        HUGE[name] = fn
        return fn
    return reg


@huge("smtp-megabyte-line")
def _():
    # RFC 5321 §4.5.3.1.4: command lines are at most 512 octets; a 2 MiB
    # line without CRLF must end the dissector with an anomaly.
    k = Conn(40081, 25)
    k.s(b"220 mx.crafted.test ESMTP\r\n")
    k.c(b"EHLO " + b"a" * (2 << 20))
    return k.close()


@huge("ftp-megabyte-reply")
def _():
    # A 1 MiB server reply line after the banner (RFC 959 §4.2 has no limit,
    # we cap at 8 KiB).
    k = Conn(40082, 21)
    k.s(b"220 FTP ready\r\n")
    k.c(b"USER x\r\n")
    k.s(b"331 " + b"p" * (1 << 20))
    k.c(b"PASS pw-cr-ftp-huge-5402\r\n")
    return k.close()


def main(argv):
    if len(argv) > 1 and argv[1] == "--passwords":
        print("\n".join(FAKE_PASSWORDS))
        return 0
    if len(argv) > 2 and argv[1] == "huge":
        for name, fn in HUGE.items():
            pcaplib.write_frames(os.path.join(argv[2], name + ".pcap"), fn())
        return 0
    os.makedirs(OUT, exist_ok=True)
    for name, fn in SCENARIOS.items():
        pcaplib.write_frames(os.path.join(OUT, name + ".pcap"), fn())
        print("wrote pcaps/crafted-text/%s.pcap" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
