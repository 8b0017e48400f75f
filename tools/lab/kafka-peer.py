#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""kafka-peer.py — a scripted Kafka broker (and a tiny legacy-SASL client)
for the capture lab (issue 18): no Kafka broker is packaged for Debian, so
tools/lab/gen-kafka.sh runs this broker in a network namespace and kcat
(librdkafka, Debian package kcat) as the real client against it.

It speaks the framing of https://kafka.apache.org/protocol and nothing more:
  - "Common Request and Response Structure": INT32 size prefix;
  - "Request Header" v1/v2 (api_key, api_version, correlation_id, client_id
    NULLABLE_STRING, v2 adds a TAG_BUFFER), "Response Header" v0/v1;
  - "Protocol Primitive Types": STRING, NULLABLE_STRING, BYTES, ARRAY,
    UNSIGNED_VARINT and the COMPACT_* forms of flexible versions;
  - ApiVersions (key 18, v0-3; an unsupported version is answered with
    error 35 UNSUPPORTED_VERSION in the v0 form, KIP-511), Metadata (key 3,
    v0-1), SaslHandshake (key 17, v0-1), SaslAuthenticate (key 36, v0-1);
  - "SASL Authentication Sequence": SaslHandshake, then SaslAuthenticate
    requests (v1 handshake) or raw INT32-framed tokens (v0 handshake);
    PLAIN per RFC 4616, SCRAM-SHA-256 per RFC 5802 / RFC 7677;
  - "Error Codes": 33 UNSUPPORTED_SASL_MECHANISM, 35 UNSUPPORTED_VERSION,
    58 SASL_AUTHENTICATION_FAILED.
It is a lab peer: one topic, one partition, this broker as leader.

  kafka-peer.py broker --host IP --port 9092 [--sasl PLAIN,SCRAM-SHA-256]
        [--user NAME:PASSWORD] [--tls CERT KEY]
  kafka-peer.py legacy-client --host IP --port 9092 --user NAME:PASSWORD
        (ApiVersions v0, SaslHandshake v0 PLAIN, then the raw token)
"""
import argparse
import base64
import hashlib
import hmac
import os
import socket
import ssl
import struct
import sys
import threading

API_VERSIONS = {0: (0, 3),    # Produce (advertised; never asked for by -L)
                3: (0, 1),    # Metadata
                17: (0, 1),   # SaslHandshake
                18: (0, 3),   # ApiVersions
                36: (0, 1)}   # SaslAuthenticate


def i16(v): return struct.pack('>h', v)
def i32(v): return struct.pack('>i', v)
def i64(v): return struct.pack('>q', v)


def string(s):
    if s is None:
        return i16(-1)
    b = s.encode()
    return i16(len(b)) + b


def bytes_(b): return i32(len(b)) + b


def uvarint(v):
    out = b''
    while True:
        b = v & 0x7f
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def read_uvarint(buf, off):
    v = shift = 0
    while True:
        b = buf[off]
        off += 1
        v |= (b & 0x7f) << shift
        if not b & 0x80:
            return v, off
        shift += 7


def recv_exact(s, n):
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def recv_frame(s):
    size = struct.unpack('>i', recv_exact(s, 4))[0]
    return recv_exact(s, size)


class Conn:
    def __init__(self, sock, args):
        self.s = sock
        self.args = args
        self.mech = None
        self.legacy = False
        self.scram = None
        self.users = dict(u.split(':', 1) for u in args.user)

    def send(self, corr, body, flexible_header=False):
        hdr = i32(corr) + (b'\x00' if flexible_header else b'')
        self.s.sendall(i32(len(hdr) + len(body)) + hdr + body)

    def run(self):
        try:
            while True:
                if self.legacy:
                    self.legacy_token(recv_frame(self.s))
                    continue
                self.request(recv_frame(self.s))
        except (EOFError, ConnectionError, ssl.SSLError):
            pass
        finally:
            self.s.close()

    def request(self, m):
        key, ver, corr, cl = struct.unpack('>hhih', m[:10])
        off = 10 + max(cl, 0)
        flexible = (key == 18 and ver >= 3)
        if flexible:            # request header v2: TAG_BUFFER
            n, off = read_uvarint(m, off)
            assert n == 0
        body = m[off:]
        if key == 18:
            self.api_versions(corr, ver)
        elif key == 3:
            self.metadata(corr, ver)
        elif key == 17:
            self.sasl_handshake(corr, ver, body)
        elif key == 36:
            tok = body[4:4 + struct.unpack('>i', body[:4])[0]]
            err, msg, out = self.sasl_step(tok)
            r = i16(err) + string(msg) + bytes_(out)
            if ver >= 1:
                r += i64(0 if err else 3600000)
            self.send(corr, r)
            if err:
                raise EOFError
        else:
            raise EOFError

    def api_versions(self, corr, ver):
        keys = sorted(API_VERSIONS.items())
        if ver > 3:              # KIP-511: answer in v0 with error 35
            body = i16(35) + i32(len(keys)) + b''.join(i16(k) + i16(a) + i16(b) for k, (a, b) in keys)
        elif ver == 3:           # flexible: COMPACT_ARRAY, tagged fields
            body = i16(0) + uvarint(len(keys) + 1) + \
                b''.join(i16(k) + i16(a) + i16(b) + b'\x00' for k, (a, b) in keys) + i32(0) + b'\x00'
        else:
            body = i16(0) + i32(len(keys)) + b''.join(i16(k) + i16(a) + i16(b) for k, (a, b) in keys)
            if ver >= 1:
                body += i32(0)
        self.send(corr, body)    # ApiVersionsResponse always has header v0

    def metadata(self, corr, ver):
        host = self.args.advertise or self.args.host
        brokers = i32(1) + i32(1) + string(host) + i32(self.args.port)
        if ver >= 1:
            brokers += string(None)                      # rack
        body = brokers + (i32(1) if ver >= 1 else b'')   # controller_id
        part = i16(0) + i32(0) + i32(1) + i32(1) + i32(1) + i32(1) + i32(1)
        topic = i16(0) + string('lab-topic') + (b'\x00' if ver >= 1 else b'') + i32(1) + part
        body += i32(1) + topic
        self.send(corr, body)

    def sasl_handshake(self, corr, ver, body):
        n = struct.unpack('>h', body[:2])[0]
        mech = body[2:2 + n].decode()
        enabled = self.args.sasl.split(',') if self.args.sasl else []
        err = 0 if mech in enabled else 33
        self.send(corr, i16(err) + i32(len(enabled)) + b''.join(string(x) for x in enabled))
        if err:
            raise EOFError
        self.mech = mech
        self.legacy = ver == 0

    def legacy_token(self, tok):
        err, _msg, out = self.sasl_step(tok)
        if err:
            raise EOFError
        self.s.sendall(i32(len(out)) + out)
        if self.scram is None:
            self.legacy = False

    def sasl_step(self, tok):
        """One SASL step: (error code, error message, server token)."""
        if self.mech == 'PLAIN':                          # RFC 4616 §2
            _authz, user, pw = tok.split(b'\0')
            if self.users.get(user.decode()) == pw.decode():
                return 0, None, b''
            return 58, 'Authentication failed: Invalid username or password', b''
        if self.mech == 'SCRAM-SHA-256':                  # RFC 5802 §5, §7
            if self.scram is None:
                bare = tok.decode().split(',', 2)[2]
                attrs = dict(a.split('=', 1) for a in bare.split(','))
                user = attrs['n']
                salt = hashlib.sha256(b'wa-lab-salt' + user.encode()).digest()[:16]
                it = 4096
                nonce = attrs['r'] + base64.b64encode(os.urandom(18)).decode()
                first = 'r=%s,s=%s,i=%d' % (nonce, base64.b64encode(salt).decode(), it)
                self.scram = (user, salt, it, bare, first)
                return 0, None, first.encode()
            user, salt, it, bare, first = self.scram
            self.scram = None
            final = tok.decode()
            without_proof, proof = final.rsplit(',p=', 1)
            pw = self.users.get(user, '')
            salted = hashlib.pbkdf2_hmac('sha256', pw.encode(), salt, it)
            ckey = hmac.new(salted, b'Client Key', 'sha256').digest()
            skey = hmac.new(salted, b'Server Key', 'sha256').digest()
            auth = ','.join((bare, first, without_proof)).encode()
            csig = hmac.new(hashlib.sha256(ckey).digest(), auth, 'sha256').digest()
            want = bytes(a ^ b for a, b in zip(ckey, csig))
            if not hmac.compare_digest(want, base64.b64decode(proof)):
                return 58, 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256', b''
            ssig = hmac.new(skey, auth, 'sha256').digest()
            return 0, None, b'v=' + base64.b64encode(ssig)
        return 34, 'unexpected SaslAuthenticate', b''


def broker(args):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.host, args.port))
    ls.listen(8)
    ctx = None
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
    print('listening', flush=True)
    while True:
        s, _ = ls.accept()
        if ctx:
            try:
                s = ctx.wrap_socket(s, server_side=True)
            except (ssl.SSLError, OSError):
                s.close()
                continue
        threading.Thread(target=Conn(s, args).run, daemon=True).start()


def legacy_client(args):
    """ApiVersions v0, SaslHandshake v0 (PLAIN), the raw PLAIN token, then
    Metadata v0: the pre-KIP-152 sequence of "SASL Authentication Sequence"."""
    s = socket.create_connection((args.host, args.port))
    user, pw = args.user[0].split(':', 1)
    cid = string('wa-lab-legacy')

    def req(key, ver, corr, body):
        m = i16(key) + i16(ver) + i32(corr) + cid + body
        s.sendall(i32(len(m)) + m)
        return recv_frame(s)
    req(18, 0, 1, b'')
    r = req(17, 0, 2, string('PLAIN'))
    if struct.unpack('>h', r[4:6])[0] != 0:
        sys.exit('handshake refused')
    tok = b'\0' + user.encode() + b'\0' + pw.encode()
    s.sendall(i32(len(tok)) + tok)
    recv_frame(s)
    req(3, 0, 3, i32(0))
    s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('mode', choices=('broker', 'legacy-client'))
    ap.add_argument('--host', required=True)
    ap.add_argument('--port', type=int, default=9092)
    ap.add_argument('--advertise')
    ap.add_argument('--sasl', default='')
    ap.add_argument('--user', action='append', default=[])
    ap.add_argument('--tls', nargs=2)
    args = ap.parse_args()
    broker(args) if args.mode == 'broker' else legacy_client(args)


if __name__ == '__main__':
    main()
