#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-quic.py — hand-built QUIC captures for what no Debian 12 peer sends.

Real QUIC v1 traffic comes from tools/lab/gen-quic.sh (ngtcp2). This script
writes, into pcaps/quic/:

  rfc9001-v1-initials.pcap  the client Initial of RFC 9001 Appendix A.2 and
                            the server Initial of A.3, byte for byte
  rfc9369-v2-initials.pcap  the same for QUIC v2, RFC 9369 Appendix A.2/A.3
                            (ngtcp2 0.12.1 knows only the v2 drafts)
  crypto-split-reordered.pcap  the A.2 ClientHello cut into four CRYPTO
                            frames over two client Initials (packet numbers
                            1 then 0, so the stream arrives out of order, one
                            range twice with overlap); the server's A.3
                            Initial followed by zero padding in its datagram
  draft27-initials.pcap     the A.2 and A.3 packets' contents protected as
                            draft-27 (0xff00001b) with the salt of drafts
                            23-28 (draft-ietf-quic-tls-23 §5.2; v1's layout
                            and labels): no Debian peer speaks a draft
                            before 29
  vn-same-port.pcap         a client asks for a reserved version
                            (0x1a2a3a4a, RFC 9000 §15) with an Initial laid
                            out and protected as v1's, the server answers
                            with a Version Negotiation offering v1, and the
                            client starts again from the same port with the
                            A.2 Initial, answered by A.3 (RFC 9000 §6.2)
  malformed-initials.pcap   three flows: an Initial with a corrupted AEAD
                            tag; a good Initial then a long header with a
                            21-byte DCID; an Initial whose payload carries a
                            STREAM frame (not allowed in Initial packets)

The RFC packets are read from ../shared/refdata/quic/quic-initial-test-
vectors.json (RFC 9001 / RFC 9369 Appendix A values). New packets are
protected here with an independent implementation (Python hmac + the
cryptography package: HKDF RFC 5869, HKDF-Expand-Label RFC 8446 §7.1, AES-
128-GCM RFC 9001 §5.3, header protection §5.4); it is first checked to
reproduce the RFC's A.2 packet exactly.

Usage: tools/mkpcap-quic.py  (from the source tree; deterministic output)
Needs: python3-cryptography
"""
import hashlib
import hmac
import json
import os
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VEC = os.path.join(os.path.dirname(TOP), "shared/refdata/quic/quic-initial-test-vectors.json")
OUT = os.path.join(TOP, "pcaps/quic")

V1, V2, D27, GREASE = 0x00000001, 0x6b3343cf, 0xff00001b, 0x1a2a3a4a
SALT = {V1: bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"),
        V2: bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9"),
        D27: bytes.fromhex("c3eef712c72ebb5a11a7d2432bb46365bef9f502"),  # draft-ietf-quic-tls-23 §5.2
        GREASE: bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")}  # built as v1's
LABEL = {V1: b"quic ", V2: b"quicv2 ", D27: b"quic ", GREASE: b"quic "}
INITIAL_TYPE = {V1: 0, V2: 1, D27: 0, GREASE: 0}     # RFC 9369 §3.2


def hkdf_expand_label(secret, label, n):
    info = struct.pack("!HB", n, 6 + len(label)) + b"tls13 " + label + b"\x00"
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(secret, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:n]


def initial_keys(version, dcid, server):
    prk = hmac.new(SALT[version], dcid, hashlib.sha256).digest()
    secret = hkdf_expand_label(prk, b"server in" if server else b"client in", 32)
    return (hkdf_expand_label(secret, LABEL[version] + b"key", 16),
            hkdf_expand_label(secret, LABEL[version] + b"iv", 12),
            hkdf_expand_label(secret, LABEL[version] + b"hp", 16))


def varint(v, n=None):
    if n is None:
        n = 1 if v < 64 else 2 if v < 16384 else 4 if v < 2**30 else 8
    code = {1: 0, 2: 1, 4: 2, 8: 3}[n]
    return (v | (code << (8 * n - 2))).to_bytes(n, "big")


def protect_initial(version, odcid, server, dcid, scid, pn, payload, pn_len=4, token=b""):
    """A protected Initial packet (RFC 9001 §5.3-5.4)."""
    key, iv, hp = initial_keys(version, odcid, server)
    first = 0xc0 | (INITIAL_TYPE[version] << 4) | (pn_len - 1)
    length = pn_len + len(payload) + 16
    hdr = (bytes([first]) + struct.pack("!I", version) + bytes([len(dcid)]) + dcid +
           bytes([len(scid)]) + scid + varint(len(token)) + token + varint(length, 2) +
           pn.to_bytes(pn_len, "big"))
    nonce = bytes(a ^ b for a, b in zip(iv, pn.to_bytes(12, "big")))
    ct = AESGCM(key).encrypt(nonce, payload, hdr)
    pn_off = len(hdr) - pn_len
    sample = ct[4 - pn_len:20 - pn_len]
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(sample) + enc.finalize()
    h = bytearray(hdr)
    h[0] ^= mask[0] & 0x0f
    for i in range(pn_len):
        h[pn_off + i] ^= mask[1 + i]
    return bytes(h) + ct


def crypto_frame(off, data):
    return b"\x06" + varint(off) + varint(len(data)) + data


# ---- pcap ----

def udp_frame(src, dst, sport, dport, payload, ident):
    """Ethernet/IPv4/UDP, checksums correct; one MAC pair both ways."""
    return pcaplib.ethernet(b"\x02\x00\x00\x00\x29\x02", b"\x02\x00\x00\x00\x29\x01",
                            pcaplib.ipv4(src, dst, pcaplib.IPPROTO_UDP,
                                         pcaplib.udp(src, dst, sport, dport, payload), ident))


CLI, SRV = [10, 99, 41, 1], [10, 99, 41, 2]


def write_pcap(name, dgrams):
    """dgrams: (client_port, from_client, payload)"""
    recs = []
    for i, (cport, c2s, payload) in enumerate(dgrams):
        if c2s:
            fr = udp_frame(CLI, SRV, cport, 443, payload, i + 1)
        else:
            fr = udp_frame(SRV, CLI, 443, cport, payload, i + 1)
        recs.append((1700000000, 1000 * (i + 1), fr))
    pcaplib.write_pcap(os.path.join(OUT, name), recs)
    print("wrote pcaps/quic/" + name)


def main():
    vec = json.load(open(VEC))
    dcid = bytes.fromhex(vec["dcid"])
    pk = {}
    for v in ("v1", "v2"):
        for side in ("client", "server"):
            p = vec[v][side + "_initial_packet"]
            pk[v, side] = bytes.fromhex(p["protected"])
            pk[v, side, "plain"] = (bytes.fromhex(p["plaintext_payload_prefix"]) +
                                    bytes(p["padding_zero_bytes"]))
    # the encoder must reproduce the RFC's packets exactly
    for v, ver in (("v1", V1), ("v2", V2)):
        assert protect_initial(ver, dcid, False, dcid, b"", 2, pk[v, "client", "plain"]) == pk[v, "client"]
        scid = bytes.fromhex("f067a5502a4262b5")
        assert protect_initial(ver, dcid, True, b"", scid, 1, pk[v, "server", "plain"],
                               pn_len=2) == pk[v, "server"]

    os.makedirs(OUT, exist_ok=True)
    write_pcap("rfc9001-v1-initials.pcap", [(50001, True, pk["v1", "client"]),
                                            (50001, False, pk["v1", "server"])])
    write_pcap("rfc9369-v2-initials.pcap", [(50002, True, pk["v2", "client"]),
                                            (50002, False, pk["v2", "server"])])

    write_pcap("draft27-initials.pcap", [
        (50007, True, protect_initial(D27, dcid, False, dcid, b"", 2, pk["v1", "client", "plain"])),
        (50007, False, protect_initial(D27, dcid, True, b"", bytes.fromhex("f067a5502a4262b5"), 1,
                                       pk["v1", "server", "plain"], pn_len=2))])

    gdcid = bytes(range(0x11, 0x19))
    vn = (bytes([0x80]) + struct.pack("!I", 0) + b"\x00" + bytes([len(gdcid)]) + gdcid +
          struct.pack("!II", 0x0a1a2a3a, V1))
    write_pcap("vn-same-port.pcap", [
        (50008, True, protect_initial(GREASE, gdcid, False, gdcid, b"", 0, pk["v1", "client", "plain"])),
        (50008, False, vn),
        (50008, True, pk["v1", "client"]),
        (50008, False, pk["v1", "server"])])

    # the ClientHello of A.2: the data of its first frame, CRYPTO(0, 241)
    plain = pk["v1", "client", "plain"]
    assert plain[:4] == bytes.fromhex("060040f1")
    ch = plain[4:4 + 241]

    def padded(frames, pn):
        # a 1200-byte datagram (RFC 9000 §14.1): 22-byte header, 16-byte tag
        pkt = protect_initial(V1, dcid, False, dcid, b"", pn, frames + bytes(1162 - len(frames)))
        assert len(pkt) == 1200
        return pkt

    first = padded(crypto_frame(150, ch[150:]) + crypto_frame(60, ch[60:150]), 1)
    second = padded(b"\x01" + crypto_frame(40, ch[40:80]) + crypto_frame(0, ch[0:60]), 0)
    write_pcap("crypto-split-reordered.pcap", [(50003, True, first), (50003, True, second),
                                               (50003, False, pk["v1", "server"] + bytes(40))])

    bad_tag = bytearray(pk["v1", "client"])
    bad_tag[-1] ^= 0x01
    long_dcid = bytes([0xc0]) + struct.pack("!I", V1) + bytes([21]) + bytes(21) + b"\x00" + bytes(40)
    stream = padded(crypto_frame(0, ch) + b"\x08\x00\x02hi", 0)
    write_pcap("malformed-initials.pcap", [(50004, True, bytes(bad_tag)),
                                           (50005, True, pk["v1", "client"]),
                                           (50005, True, long_dcid),
                                           (50006, True, stream)])


if __name__ == "__main__":
    main()
