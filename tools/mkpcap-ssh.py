#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-ssh.py OUTDIR — hand-built SSH conversations for tests/ssh-fields.sh
(issue 17): what the real captures of pcaps/ssh/ (tools/lab/gen-ssh.sh)
cannot show. Written at test time, one capture per case:

  pre-ident-port2200   server sends two lines before its identification
                       string (RFC 4253 §4.2), non-standard port; crafted
                       KEXINITs whose selection and HASSH the test knows
  no-common-cipher     client and server share no c2s cipher; AES-GCM s2c
  truncated-kexinit    the client's KEXINIT cut after 40 bytes (capture ends)
  ident-1mb            a 1 MiB identification line from the client
  packet-length-lie    packet_length 0xfffffff0
  bad-padding          padding_length >= packet_length
  namelist-overrun     a name-list length of 5000 in a 200-byte packet
  namelist-5000        a valid 5000-byte kex name-list (over OBS_TEXT_MAX)
  ssh1                 SSH-1.5 on both sides
and for the report's SSH rules (tests/report-ssh.sh):
  weak-offered         the server's KEXINIT lists diffie-hellman-group1-sha1,
                       3des-cbc, arcfour and hmac-md5 after modern names;
                       the selection is modern, strict KEX on both sides
  terrapin-chacha      the client offers kex-strict-c, the server no
                       kex-strict-s; chacha20-poly1305 c2s, aes128-cbc with
                       hmac-sha2-256-etm s2c (both Terrapin-exposed)
  terrapin-ctr-etm     the same without strict KEX on the server, but
                       aes128-ctr with an -etm MAC and AES-GCM: not exposed
  server-1.99          a server announcing SSH-1.99 (RFC 4253 §5.1), then SSH-2

Deterministic: the same bytes every run (fixed cookies, padding, times).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

CIP, SIP = bytes([10, 66, 0, 1]), bytes([10, 66, 0, 2])
CMAC, SMAC = bytes.fromhex("020000004201"), bytes.fromhex("020000004202")

CLIENT_LISTS = ["curve25519-sha256,diffie-hellman-group14-sha1,ext-info-c,kex-strict-c-v00@openssh.com",
                "ssh-ed25519,rsa-sha2-512",
                "aes128-cbc,chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com,aes128-ctr",
                "hmac-md5,hmac-sha2-256", "hmac-sha2-256",
                "none,zlib@openssh.com", "none", "", ""]
SERVER_LISTS = ["diffie-hellman-group14-sha1,curve25519-sha256,kex-strict-s-v00@openssh.com,ext-info-s",
                "rsa-sha2-512,ssh-ed25519",
                "chacha20-poly1305@openssh.com,aes128-cbc", "aes128-ctr,aes256-gcm@openssh.com",
                "hmac-sha2-256,hmac-md5", "hmac-sha2-256",
                "zlib@openssh.com,none", "none", "", ""]


def packet(payload, pad=None):
    """RFC 4253 §6 binary packet, no MAC: padding to a multiple of 8, >= 4."""
    if pad is None:
        pad = 8 - (len(payload) + 5) % 8
        if pad < 4:
            pad += 8
    return struct.pack(">IB", len(payload) + pad + 1, pad) + payload + bytes(pad)


def namelist(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(">I", len(b)) + b


def kexinit(lists, cookie=b"\x11" * 16, follows=0):
    return packet(bytes([20]) + cookie + b"".join(namelist(x) for x in lists) +
                  bytes([follows]) + struct.pack(">I", 0))


def conn(path, sport, steps, cport=40100):
    """steps: (direction, bytes); FIN from both sides at the end."""
    c = pcaplib.TcpConn(CIP, SIP, cport, sport, CMAC, SMAC, t0=1700000000.0, step=0.001)
    for d, data in steps:
        c.send(d, data)
    c.segment(0, pcaplib.FIN | pcaplib.ACK)
    c.segment(1, pcaplib.FIN | pcaplib.ACK)
    c.segment(0, pcaplib.ACK)
    pcaplib.write_frames(path, c.frames)


CID = b"SSH-2.0-craftclient_1.0\r\n"
SID = b"SSH-2.0-craftserver_2.0 comment here\r\n"


def main(out):
    os.makedirs(out, exist_ok=True)
    newkeys = packet(bytes([21]))
    enc = bytes(range(64))  # stands for the first protected packet
    conn(os.path.join(out, "pre-ident-port2200.pcap"), 2200, [
        (1, b"Welcome to a lab box\r\nauthorised use only\r\n" + SID),
        (0, CID + kexinit(CLIENT_LISTS)),
        (1, kexinit(SERVER_LISTS)),
        (0, newkeys), (1, newkeys), (0, enc), (1, enc)])
    lists = list(SERVER_LISTS)
    lists[2] = "aes256-ctr"
    conn(os.path.join(out, "no-common-cipher.pcap"), 22, [
        (0, CID + kexinit(CLIENT_LISTS)), (1, SID + kexinit(lists))])
    conn(os.path.join(out, "truncated-kexinit.pcap"), 22, [
        (1, SID), (0, CID + kexinit(CLIENT_LISTS)[:40])])
    conn(os.path.join(out, "ident-1mb.pcap"), 22, [
        (1, SID), (0, b"SSH-2.0-" + b"A" * (1 << 20) + b"\r\n")])
    conn(os.path.join(out, "packet-length-lie.pcap"), 22, [
        (1, SID), (0, CID + struct.pack(">IB", 0xfffffff0, 4) + b"\x14" * 64)])
    conn(os.path.join(out, "bad-padding.pcap"), 22, [
        (1, SID), (0, CID + struct.pack(">IB", 12, 12) + bytes(12))])
    bad = bytearray(kexinit(CLIENT_LISTS))
    struct.pack_into(">I", bad, 4 + 1 + 1 + 16, 5000)  # kex_algorithms length
    conn(os.path.join(out, "namelist-overrun.pcap"), 22, [(1, SID), (0, CID + bytes(bad))])
    long_lists = list(CLIENT_LISTS)
    long_lists[0] = ",".join("kex-%04d@example.com" % i for i in range(250))[:5000]
    conn(os.path.join(out, "namelist-5000.pcap"), 22, [
        (0, CID + kexinit(long_lists)), (1, SID + kexinit(SERVER_LISTS))])
    conn(os.path.join(out, "ssh1.pcap"), 22, [
        (1, b"SSH-1.5-oldserver\n"), (0, b"SSH-1.5-oldclient\n"),
        (1, bytes(range(40))), (0, bytes(range(40)))])

    modern_c = ["curve25519-sha256,ext-info-c,kex-strict-c-v00@openssh.com", "ssh-ed25519",
                "chacha20-poly1305@openssh.com,aes128-ctr", "chacha20-poly1305@openssh.com,aes128-ctr",
                "hmac-sha2-256-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "none", "none", "", ""]
    offered = ["curve25519-sha256,diffie-hellman-group1-sha1,kex-strict-s-v00@openssh.com", "ssh-ed25519,ssh-dss",
               "chacha20-poly1305@openssh.com,3des-cbc,arcfour", "chacha20-poly1305@openssh.com,3des-cbc",
               "hmac-sha2-256-etm@openssh.com,hmac-md5,umac-64@openssh.com,hmac-sha1",
               "hmac-sha2-256-etm@openssh.com,hmac-md5", "none", "none", "", ""]
    conn(os.path.join(out, "weak-offered.pcap"), 22, [
        (1, SID), (0, CID + kexinit(modern_c)), (1, kexinit(offered)),
        (0, newkeys), (1, newkeys), (0, enc), (1, enc)])
    tc = list(modern_c)
    tc[3] = "aes128-cbc,aes128-ctr"
    ts = ["curve25519-sha256", "ssh-ed25519", "chacha20-poly1305@openssh.com", "aes128-cbc",
          "hmac-sha2-256-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "none", "none", "", ""]
    conn(os.path.join(out, "terrapin-chacha.pcap"), 22, [
        (1, SID), (0, CID + kexinit(tc)), (1, kexinit(ts)),
        (0, newkeys), (1, newkeys), (0, enc), (1, enc)])
    tc = list(modern_c)
    tc[2], tc[3] = "aes128-ctr", "aes256-gcm@openssh.com"
    ts = list(ts)
    ts[2], ts[3] = "aes128-ctr", "aes256-gcm@openssh.com"
    conn(os.path.join(out, "terrapin-ctr-etm.pcap"), 22, [
        (1, SID), (0, CID + kexinit(tc)), (1, kexinit(ts)),
        (0, newkeys), (1, newkeys), (0, enc), (1, enc)])
    conn(os.path.join(out, "server-1.99.pcap"), 22, [
        (1, b"SSH-1.99-OpenSSH_3.9p1\r\n"), (0, CID + kexinit(modern_c)),
        (1, kexinit(offered[:1] + modern_c[1:])),
        (0, newkeys), (1, newkeys), (0, enc), (1, enc)])


if __name__ == "__main__":
    main(sys.argv[1])
