#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-db.py — hand-built captures for the database dissectors, byte by
byte from the published wire specifications, for protocols with no server
in Debian (MongoDB, Microsoft SQL Server TDS) and for malformed inputs of
every database protocol.

    tools/mkpcap-db.py [OUTDIR]      (default: pcaps/crafted-db next to tools/)

Each capture is one TCP connection, Ethernet/IPv4/TCP with correct
sequence/acknowledgement numbers and checksums: a full three-way handshake,
the messages (segmented at 1448 bytes), and a FIN close. Timestamps are fixed
so the files are reproducible. Every message below cites the section of the
specification it follows. All passwords are fake and listed in
pcaps/crafted-db/README.md so tests can prove none is ever stored.

Specifications:
  [MS-TDS]   Tabular Data Stream Protocol, v20240423 (learn.microsoft.com)
  [MONGO]    MongoDB Wire Protocol (mongodb.com/docs/manual/reference/mongodb-wire-protocol)
  [BSON]     BSON Specification 1.1 (bsonspec.org/spec.html)
  [SCRAM]    RFC 5802 §5, §7 (client-first-message); [PLAIN] RFC 4616 §2
  [PG]       PostgreSQL 16 docs §55.7 Message Formats
  [MYSQL]    MySQL Client/Server Protocol, Connection Phase
  [RESP]     Redis serialization protocol specification
  [TLS]      RFC 5246 §6.2.1 (TLSPlaintext record: type, version, length)
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

TS0 = 1700000000  # 2023-11-14T22:13:20Z

# ------------------------------------------------------------------ pcap

MAC_C, MAC_S = b"\x02\0\0\0\0\x01", b"\x02\0\0\0\0\x02"
IP_C, IP_S = bytes([10, 20, 0, 1]), bytes([10, 20, 0, 2])


def conv(path, cport, sport, msgs, close=True):
    """One TCP connection, client IP_C:cport -> server IP_S:sport, written to
    path: handshake, msgs (("c" | "s", bytes), segmented at 1448 bytes, not
    acknowledged), FIN close; frames 1 ms apart from TS0."""
    c = pcaplib.TcpConn(IP_C, IP_S, cport, sport, MAC_C, MAC_S, t0=1000, step=1000)
    for who, data in msgs:
        c.send(0 if who == "c" else 1, data)
    if close:
        c.close()
    pcaplib.write_frames(path, c.frames, base_sec=TS0, snaplen=65535)


# ------------------------------------------------------------------ BSON [BSON]

class Int64(int):
    pass


def bson_cstr(s):
    return s.encode() + b"\0"


def bson_elem(k, v):
    if isinstance(v, bool):
        return b"\x08" + bson_cstr(k) + (b"\x01" if v else b"\x00")     # boolean
    if isinstance(v, Int64):
        return b"\x12" + bson_cstr(k) + struct.pack("<q", v)            # int64
    if isinstance(v, int):
        return b"\x10" + bson_cstr(k) + struct.pack("<i", v)            # int32
    if isinstance(v, float):
        return b"\x01" + bson_cstr(k) + struct.pack("<d", v)            # double
    if isinstance(v, str):
        b = v.encode() + b"\0"
        return b"\x02" + bson_cstr(k) + struct.pack("<i", len(b)) + b   # string
    if isinstance(v, bytes):
        return b"\x05" + bson_cstr(k) + struct.pack("<i", len(v)) + b"\x00" + v  # binary, generic
    if isinstance(v, dict):
        return b"\x03" + bson_cstr(k) + bson(v)                         # embedded document
    if isinstance(v, list):
        return b"\x04" + bson_cstr(k) + bson({str(i): x for i, x in enumerate(v)})  # array
    if v is None:
        return b"\x0a" + bson_cstr(k)                                   # null
    raise TypeError(type(v))


def bson(d):
    """document ::= int32 e_list "\\x00" [BSON]"""
    body = b"".join(bson_elem(k, v) for k, v in d.items()) + b"\0"
    return struct.pack("<i", len(body) + 4) + body


# ------------------------------------------------------------------ MongoDB [MONGO]

_reqid = [0]


def mongo_hdr(body_len, opcode, response_to=0):
    """MsgHeader: int32 messageLength, requestID, responseTo, opCode [MONGO "Standard Message Header"]"""
    _reqid[0] += 1
    return struct.pack("<iiii", 16 + body_len, _reqid[0], response_to, opcode)


def op_msg(doc, response_to=0, raw=None):
    """OP_MSG (2013): uint32 flagBits, Section kind 0 = one BSON body [MONGO "OP_MSG"]"""
    body = struct.pack("<I", 0) + b"\x00" + (raw if raw is not None else bson(doc))
    return mongo_hdr(len(body), 2013, response_to) + body


def op_query(coll, doc, response_to=0):
    """OP_QUERY (2004, legacy): int32 flags, cstring fullCollectionName, int32
    numberToSkip, int32 numberToReturn, document query [MONGO "OP_QUERY"]"""
    body = struct.pack("<i", 0) + bson_cstr(coll) + struct.pack("<ii", 0, -1) + bson(doc)
    return mongo_hdr(len(body), 2004, response_to) + body


def op_reply(doc, response_to):
    """OP_REPLY (1, legacy): int32 responseFlags, int64 cursorID, int32
    startingFrom, int32 numberReturned, documents [MONGO "OP_REPLY"]"""
    body = struct.pack("<iqii", 8, 0, 0, 1) + bson(doc)
    return mongo_hdr(len(body), 1, response_to) + body


CLIENT_META = {"driver": {"name": "nodejs", "version": "6.3.0"},
               "os": {"type": "Linux", "name": "linux", "architecture": "x64"},
               "platform": "Node.js v18.19.0, LE", "application": {"name": "lab-app"}}


def mongo_captures(out):
    # 1. hello, then SCRAM-SHA-256 via saslStart/saslContinue (RFC 5802 §7:
    #    the client-first-message carries n=<user>) — no password in clear.
    hello = op_msg({"hello": 1, "client": CLIENT_META, "saslSupportedMechs": "admin.alice",
                    "$db": "admin"})
    hello_r = op_msg({"helloOk": True, "isWritablePrimary": True, "topologyVersion": {"counter": Int64(0)},
                      "maxBsonObjectSize": 16777216, "maxMessageSizeBytes": 48000000,
                      "maxWireVersion": 21, "minWireVersion": 0,
                      "saslSupportedMechs": ["SCRAM-SHA-1", "SCRAM-SHA-256"], "ok": 1.0}, 1)
    s1 = op_msg({"saslStart": 1, "mechanism": "SCRAM-SHA-256",
                 "payload": b"n,,n=alice,r=rOprNGfwEbeRWgbNEkqO",
                 "autoAuthorize": 1, "options": {"skipEmptyExchange": True}, "$db": "admin"})
    s1r = op_msg({"conversationId": 1, "done": False,
                  "payload": b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=15000",
                  "ok": 1.0}, 3)
    s2 = op_msg({"saslContinue": 1, "conversationId": 1,
                 "payload": b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
                 "$db": "admin"})
    s2r = op_msg({"conversationId": 1, "done": True,
                  "payload": b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", "ok": 1.0}, 5)
    find = op_msg({"find": "items", "filter": {}, "$db": "appdb"})
    find_r = op_msg({"cursor": {"firstBatch": [], "id": Int64(0), "ns": "appdb.items"}, "ok": 1.0}, 7)
    conv(f"{out}/mongodb-scram-cleartext.pcap", 51001, 27017,
         [("c", hello), ("s", hello_r), ("c", s1), ("s", s1r), ("c", s2), ("s", s2r),
          ("c", find), ("s", find_r)])

    # 2. legacy OP_QUERY isMaster / OP_REPLY, then SASL PLAIN (RFC 4616 §2:
    #    message = [authzid] NUL authcid NUL passwd) on $external: the
    #    password crosses in clear. Fake password: pw-mongo-plain-4471
    ism = op_query("admin.$cmd", {"isMaster": 1, "client": CLIENT_META})
    ism_r = op_reply({"ismaster": True, "maxWireVersion": 8, "minWireVersion": 0, "ok": 1.0}, _reqid[0])
    plain = op_msg({"saslStart": 1, "mechanism": "PLAIN", "payload": b"\0bob\0pw-mongo-plain-4471",
                    "autoAuthorize": 1, "$db": "$external"})
    plain_r = op_msg({"conversationId": 1, "done": True, "payload": b"", "ok": 1.0}, _reqid[0] + 1)
    conv(f"{out}/mongodb-plain-legacy.pcap", 51002, 27017,
         [("c", ism), ("s", ism_r), ("c", plain), ("s", plain_r)])

    # 3. no authentication at all: hello then a find.
    h = op_msg({"hello": 1, "client": CLIENT_META, "$db": "admin"})
    hr = op_msg({"isWritablePrimary": True, "maxWireVersion": 17, "minWireVersion": 0, "ok": 1.0}, _reqid[0])
    f = op_msg({"find": "items", "filter": {"x": 1}, "$db": "test"})
    fr = op_msg({"cursor": {"firstBatch": [], "id": Int64(0), "ns": "test.items"}, "ok": 1.0}, _reqid[0] + 2)
    conv(f"{out}/mongodb-noauth.pcap", 51003, 27017, [("c", h), ("s", hr), ("c", f), ("s", fr)])

    # 4. SCRAM-SHA-1 that fails: {ok:0, code:18, codeName:"AuthenticationFailed"}
    s = op_msg({"saslStart": 1, "mechanism": "SCRAM-SHA-1", "payload": b"n,,n=dave,r=fyko+d2lbbFgONRv9qkxdawL",
                "$db": "admin"})
    sr = op_msg({"ok": 0.0, "errmsg": "Authentication failed.", "code": 18,
                 "codeName": "AuthenticationFailed"}, _reqid[0])
    conv(f"{out}/mongodb-auth-failed.pcap", 51004, 27017, [("c", s), ("s", sr)])

    # 5. speculative authentication inside hello (MongoDB 4.4+ drivers), on a
    #    non-standard port: the probe, not the port, finds it.
    sh = op_msg({"hello": 1, "client": CLIENT_META,
                 "speculativeAuthenticate": {"saslStart": 1, "mechanism": "SCRAM-SHA-256",
                                             "payload": b"n,,n=carol,r=3rfcNHYJY1ZVvWVs7j", "db": "admin"},
                 "$db": "admin"})
    shr = op_msg({"isWritablePrimary": True, "maxWireVersion": 21, "minWireVersion": 0,
                  "speculativeAuthenticate": {"conversationId": 1, "done": False,
                                              "payload": b"r=3rfcNHYJY1ZVvWVs7jxx,s=QSXCR+Q6sek8bf92,i=15000"},
                  "ok": 1.0}, _reqid[0])
    sc = op_msg({"saslContinue": 1, "conversationId": 1, "payload": b"c=biws,r=3rfcNHYJY1ZVvWVs7jxx,p=AAAA",
                 "$db": "admin"})
    scr = op_msg({"conversationId": 1, "done": True, "payload": b"v=AAAA", "ok": 1.0}, _reqid[0])
    conv(f"{out}/mongodb-speculative-port27999.pcap", 51005, 27999, [("c", sh), ("s", shr), ("c", sc), ("s", scr)])

    # 6. malformed: the section-0 document claims 4096 bytes inside a small message.
    bad = bson({"hello": 1, "$db": "admin"})
    bad = struct.pack("<i", 4096) + bad[4:]
    conv(f"{out}/mongodb-malformed-bson.pcap", 51006, 27017, [("c", op_msg(None, raw=bad))])

    # 7. MONGODB-CR as the mongo shell 2.x and drivers of its age did it:
    #    OP_QUERY admin.$cmd {getnonce: 1} with responseTo -1 (0xffffffff),
    #    OP_REPLY with the nonce, then OP_QUERY {authenticate: 1, user, nonce,
    #    key} with key = md5(nonce + user + md5(user ":mongo:" password))
    #    [MONGO-CR: MongoDB Manual 2.6 "authenticate", "getnonce"]. A
    #    challenge-response: the fake password pw-mongo-cr-4472 never crosses.
    import hashlib
    nonce = "2375531c32080ae8"
    hpw = hashlib.md5(b"erin:mongo:pw-mongo-cr-4472").hexdigest()
    key = hashlib.md5((nonce + "erin" + hpw).encode()).hexdigest()
    gn = op_query("admin.$cmd", {"getnonce": 1}, response_to=-1)
    gnr = op_reply({"nonce": nonce, "ok": 1.0}, _reqid[0])
    au = op_query("admin.$cmd", {"authenticate": 1, "user": "erin", "nonce": nonce, "key": key},
                  response_to=-1)
    aur = op_reply({"dbname": "admin", "user": "erin", "ok": 1.0}, _reqid[0])
    conv(f"{out}/mongodb-getnonce-cr.pcap", 51007, 27017, [("c", gn), ("s", gnr), ("c", au), ("s", aur)])

    # 8. not MongoDB: responseTo -1 with opCode OP_MSG, and an "OP_QUERY"
    #    with responseTo -1 whose collection name is binary: the probe must
    #    leave both alone (the strictness that accepting -1 must keep).
    junk1 = struct.pack("<iiii", 64, 7, -1, 2013) + bytes(range(48))
    junk2 = struct.pack("<iiii", 64, 7, -1, 2004) + struct.pack("<i", 0) + bytes(range(1, 45))
    conv(f"{out}/not-mongodb-responseto-ffffffff.pcap", 51008, 27017, [("c", junk1), ("s", b"\x00" * 16)])
    conv(f"{out}/not-mongodb-query-binary-name.pcap", 51009, 27017, [("c", junk2), ("s", b"\x00" * 16)])


# ------------------------------------------------------------------ TDS [MS-TDS]

def tds_pkt(ptype, payload, status=0x01, pkt_id=1):
    """Packet header [MS-TDS 2.2.3.1]: Type, Status (0x01 EOM), Length (BE,
    header included), SPID, PacketID, Window."""
    return struct.pack(">BBHHBB", ptype, status, 8 + len(payload), 0, pkt_id, 0) + payload


def prelogin(opts):
    """PRELOGIN [MS-TDS 2.2.6.5]: option tokens (B_TOKEN, US_OFFSET, US_LENGTH,
    big-endian, offsets from the start of the payload) ended by 0xFF, then the
    option data."""
    table_len = 5 * len(opts) + 1
    off = table_len
    table, data = b"", b""
    for tok, val in opts:
        table += struct.pack(">BHH", tok, off, len(val))
        data += val
        off += len(val)
    return table + b"\xff" + data


# PL_OPTION_TOKEN values [MS-TDS 2.2.6.5]
VERSION, ENCRYPTION, INSTOPT, THREADID, MARS = 0, 1, 2, 3, 4
ENC_OFF, ENC_ON, ENC_NOT_SUP, ENC_REQ = 0, 1, 2, 3


def tds_prelogin_client(enc):
    return tds_pkt(0x12, prelogin([(VERSION, bytes([11, 0]) + struct.pack(">H", 7001) + b"\0\0"),
                                   (ENCRYPTION, bytes([enc])), (INSTOPT, b"\0"),
                                   (THREADID, struct.pack(">I", 4242)), (MARS, b"\0")]))


def tds_prelogin_server(enc):
    # server response travels in a tabular result packet (type 0x04) [MS-TDS 2.2.6.5]
    return tds_pkt(0x04, prelogin([(VERSION, bytes([16, 0]) + struct.pack(">H", 1000) + b"\0\0"),
                                   (ENCRYPTION, bytes([enc])), (INSTOPT, b"\0"), (MARS, b"\0")]))


def tds_obfuscate(pw):
    """LOGIN7 password [MS-TDS 2.2.6.4]: UTF-16LE, each byte nibble-swapped
    then XORed with 0xA5."""
    out = bytearray()
    for b in pw.encode("utf-16-le"):
        out.append((((b << 4) & 0xF0) | (b >> 4)) ^ 0xA5)
    return bytes(out)


def login7(user, password, database, sspi=b"", int_security=False):
    """LOGIN7 [MS-TDS 2.2.6.4]: fixed part (94 bytes for TDS 7.4) with
    OffsetLength pairs (offsets from the start of LOGIN7, lengths in
    characters), then the UTF-16LE data."""
    fields = [("WS01", False), (user, False), (password, True), ("sqlcmd", False),
              ("db.lab.test", False), (None, False), ("ODBC", False), ("", False), (database, False)]
    fixed_len = 94
    data = b""
    offs = []
    for s, is_pw in fields:
        if s is None:   # ibUnused/ibExtension, cbUnused: no extension
            offs.append(struct.pack("<HH", 0, 0))
            continue
        enc = tds_obfuscate(s) if is_pw else s.encode("utf-16-le")
        offs.append(struct.pack("<HH", fixed_len + len(data), len(s)))
        data += enc
    sspi_off = fixed_len + len(data)
    data += sspi
    opt2 = 0x03 | (0x80 if int_security else 0)   # fODBC | fLanguage..., fIntSecurity
    head = struct.pack("<IIIIII", 0, 0x74000004, 4096, 0x07000000, 4242, 0)  # Length (patched), TDSVersion 7.4, ...
    head += bytes([0xE0, opt2, 0x00, 0x00]) + struct.pack("<iI", 0, 0x0409)
    body = head + b"".join(offs) + b"\x00\x11\x22\x33\x44\x55"          # ClientID
    body += struct.pack("<HH", sspi_off, len(sspi))                          # ibSSPI, cbSSPI
    body += struct.pack("<HH", fixed_len + len(data), 0)                     # ibAtchDBFile
    body += struct.pack("<HH", fixed_len + len(data), 0)                     # ibChangePassword
    body += struct.pack("<I", 0)                                             # cbSSPILong
    assert len(body) == fixed_len, len(body)
    body += data
    body = struct.pack("<I", len(body)) + body[4:]
    return tds_pkt(0x10, body)


def tds_loginack():
    """Tabular response [MS-TDS 2.2.7.14 LOGINACK, 2.2.7.6 DONE]."""
    prog = "Microsoft SQL Server".encode("utf-16-le")
    ack = bytes([1]) + struct.pack(">I", 0x74000004) + bytes([len(prog) // 2]) + prog + bytes([16, 0, 0x03, 0xE8])
    tok = b"\xAD" + struct.pack("<H", len(ack)) + ack
    done = b"\xFD" + struct.pack("<HHQ", 0, 0, 0)
    return tds_pkt(0x04, tok + done)


def tds_login_error():
    """ERROR token [MS-TDS 2.2.7.10]: Number 18456, State 1, Class 14."""
    msg = "Login failed for user 'sa_app'.".encode("utf-16-le")
    srv = "DB01".encode("utf-16-le")
    e = struct.pack("<iBB", 18456, 1, 14) + struct.pack("<H", len(msg) // 2) + msg
    e += bytes([len(srv) // 2]) + srv + bytes([0]) + struct.pack("<i", 1)
    done = b"\xFD" + struct.pack("<HHQ", 2, 0, 0)
    return tds_pkt(0x04, b"\xAA" + struct.pack("<H", len(e)) + e + done)


# A TLS 1.2 ClientHello record start, as carried inside PRELOGIN packets
# during the TDS TLS handshake [MS-TDS 3.2.5.2]; the body is filler.
TLS_CH = bytes([0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29, 0x03, 0x03]) + bytes(32) + b"\x00\x00\x02\x00\x2f\x01\x00"
TLS_SH = bytes([0x16, 0x03, 0x03, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x03]) + bytes(32) + b"\x00\x00\x2f\x00"


# ------------------------------------------------------------------ real TLS inside TDS

def pcap_tcp_streams(path):
    """The TCP payload of each direction ('c' = sender of the first frame,
    's' = the other) of a one-connection classic pcap with Ethernet/IPv4
    frames, in capture order (the lab captures have no retransmissions)."""
    _, _, pkts = pcaplib.read_pcap(path)
    out, cport = {"c": b"", "s": b""}, None
    for _, _, fr, _ in pkts:
        ip = fr[14:]
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:struct.unpack(">H", ip[2:4])[0]]
        sport = struct.unpack(">H", tcp[:2])[0]
        if cport is None:
            cport = sport
        out["c" if sport == cport else "s"] += tcp[(tcp[12] >> 4) * 4:]
    return out


def tls_records(b):
    """Split a direction's bytes into TLS records [TLS §6.2.1]."""
    recs, i = [], 0
    while i < len(b):
        ctype, _, ln = struct.unpack(">BHH", b[i:i + 5])
        recs.append((ctype, b[i:i + 5 + ln]))
        i += 5 + ln
    return recs


def tds_wrap(payload, size):
    """A message in PRELOGIN packets of at most `size` bytes (header
    included), Status EOM on the last one [MS-TDS 2.2.3.1.2]: during the
    handshake "the packet data is simply the raw bytes of the SSL handshake
    payload" [MS-TDS 2.2.6.5]."""
    out, n, pid = b"", size - 8, 1
    for i in range(0, len(payload), n):
        last = i + n >= len(payload)
        out += tds_pkt(0x12, payload[i:i + n], status=0x01 if last else 0x00, pkt_id=pid)
        pid = (pid + 1) & 0xFF
    return out


def tds_tls_conv(tls_pcap, enc_c, enc_s, pkt_size):
    """A full-encryption TDS connection around the real TLS 1.2 handshake
    of tls_pcap: PRELOGIN negotiation, then every handshake flight (the
    records up to and including each side's Finished) inside PRELOGIN
    packets, then the remaining records raw, as after a TDS TLS handshake
    [MS-TDS 2.2.6.5, 3.2.5 "TLS/SSL Negotiation"]. The application data
    records stand for the encrypted LOGIN7 and its LOGINACK."""
    st = pcap_tcp_streams(tls_pcap)
    rc, rs = tls_records(st["c"]), tls_records(st["s"])

    def handshake_end(recs):
        # index after the Finished: the handshake record following the
        # ChangeCipherSpec (content type 20) [TLS 7.1, 7.4.9]
        ccs = next(i for i, (t, _) in enumerate(recs) if t == 20)
        return ccs + 2

    def after_type(recs, hs_type):
        # index after the handshake record carrying message hs_type
        return next(i for i, (t, r) in enumerate(recs) if t == 22 and r[5] == hs_type) + 1

    ec, es = handshake_end(rc), handshake_end(rs)
    # client: ClientHello | ClientKeyExchange, ChangeCipherSpec, Finished
    c1 = b"".join(r for _, r in rc[:1])
    c2 = b"".join(r for _, r in rc[1:ec])
    # server: ServerHello .. ServerHelloDone (type 14) | NewSessionTicket,
    # ChangeCipherSpec, Finished
    sh_end = after_type(rs, 14)
    s1 = b"".join(r for _, r in rs[:sh_end])
    s2 = b"".join(r for _, r in rs[sh_end:es])
    rest_c, rest_s = [r for _, r in rc[ec:]], [r for _, r in rs[es:]]
    return [("c", tds_prelogin_client(enc_c)), ("s", tds_prelogin_server(enc_s)),
            ("c", tds_wrap(c1, pkt_size)), ("s", tds_wrap(s1, pkt_size)),
            ("c", tds_wrap(c2, pkt_size)), ("s", tds_wrap(s2, pkt_size)),
            ("c", rest_c[0]), ("s", rest_s[0]), ("c", rest_c[1]), ("s", rest_s[1])]


def tds_captures(out):
    # 1. NOT_SUP both ways: LOGIN7 in clear (fake password pw-tds-9931), LOGINACK.
    conv(f"{out}/tds-notsup-login7.pcap", 52001, 1433,
         [("c", tds_prelogin_client(ENC_NOT_SUP)), ("s", tds_prelogin_server(ENC_NOT_SUP)),
          ("c", login7("sa_app", "pw-tds-9931", "appdb")), ("s", tds_loginack())])
    # 2. OFF/OFF: login-only encryption — the TLS handshake inside PRELOGIN
    #    packets, LOGIN7 encrypted, the rest in clear [MS-TDS 2.2.6.5 table].
    conv(f"{out}/tds-login-only.pcap", 52002, 1433,
         [("c", tds_prelogin_client(ENC_OFF)), ("s", tds_prelogin_server(ENC_OFF)),
          ("c", tds_pkt(0x12, TLS_CH)), ("s", tds_pkt(0x12, TLS_SH))])
    # 3. ON/ON: full encryption.
    conv(f"{out}/tds-encrypt-on.pcap", 52003, 1433,
         [("c", tds_prelogin_client(ENC_ON)), ("s", tds_prelogin_server(ENC_ON)),
          ("c", tds_pkt(0x12, TLS_CH)), ("s", tds_pkt(0x12, TLS_SH))])
    # 4. client OFF, server REQ: the server forces full encryption.
    conv(f"{out}/tds-server-req.pcap", 52004, 1433,
         [("c", tds_prelogin_client(ENC_OFF)), ("s", tds_prelogin_server(ENC_REQ)),
          ("c", tds_pkt(0x12, TLS_CH))])
    # 5. client ON, server NOT_SUP: the client must end the connection.
    conv(f"{out}/tds-refused-closed.pcap", 52005, 1433,
         [("c", tds_prelogin_client(ENC_ON)), ("s", tds_prelogin_server(ENC_NOT_SUP))])
    # 6. NOT_SUP, LOGIN7 in clear on a non-standard port, login fails (18456).
    conv(f"{out}/tds-notsup-port14330-failed.pcap", 52006, 14330,
         [("c", tds_prelogin_client(ENC_NOT_SUP)), ("s", tds_prelogin_server(ENC_NOT_SUP)),
          ("c", login7("sa_app", "pw-tds-port-5120", "master")), ("s", tds_login_error())])
    # 7. NOT_SUP, integrated security: SSPI (NTLM NEGOTIATE start), no password.
    conv(f"{out}/tds-notsup-sspi.pcap", 52007, 1433,
         [("c", tds_prelogin_client(ENC_NOT_SUP)), ("s", tds_prelogin_server(ENC_NOT_SUP)),
          ("c", login7("", "", "appdb", sspi=b"NTLMSSP\0\x01\0\0\0" + bytes(20), int_security=True))])
    # 8. malformed: the ENCRYPTION option points past the end of the payload.
    bad = prelogin([(VERSION, bytes(6)), (ENCRYPTION, b"\x02")])
    bad = bad[:6] + struct.pack(">H", 200) + bad[8:]
    conv(f"{out}/tds-malformed-prelogin.pcap", 52008, 1433, [("c", tds_pkt(0x12, bad))])
    # 9. ON/ON with a real TLS 1.2 handshake (OpenSSL s_server/s_client,
    #    ECDHE-RSA-AES128-GCM-SHA256, SNI server.wireaudit.test, leaf +
    #    intermediate from the lab PKI) taken from pcaps/tls, wrapped in
    #    PRELOGIN packets of the default 4096-byte packet size.
    real = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pcaps", "tls",
                        "tls12-ecdhe-rsa-aes128gcm.pcap")
    conv(f"{out}/tds-encrypt-on-tls12.pcap", 52009, 1433, tds_tls_conv(real, ENC_ON, ENC_ON, 4096))
    # 10. the same with 512-byte packets (the smallest packet size, [MS-TDS]
    #     2.2.6.4 PacketSize): the Certificate record spans four PRELOGIN packets.
    conv(f"{out}/tds-encrypt-req-tls12-split.pcap", 52010, 1433, tds_tls_conv(real, ENC_OFF, ENC_REQ, 512))
    # 11. malformed TLS inside PRELOGIN: a record of content type 0x42 [TLS
    #     6.2.1: types 20..23] after ON/ON.
    conv(f"{out}/tds-tls-bad-record.pcap", 52011, 1433,
         [("c", tds_prelogin_client(ENC_ON)), ("s", tds_prelogin_server(ENC_ON)),
          ("c", tds_pkt(0x12, b"\x42\x03\x03\x00\x05hello"))])
    # 12. the carrier breaks: the first 100 bytes of the real ClientHello
    #     record in a PRELOGIN packet, then a raw TLS record (the client's
    #     next one) before that record is complete: a TLS record header
    #     where a TDS header should be, with a wrapped record unfinished.
    rc = tls_records(pcap_tcp_streams(real)["c"])
    conv(f"{out}/tds-tls-raw-mid-record.pcap", 52012, 1433,
         [("c", tds_prelogin_client(ENC_ON)), ("s", tds_prelogin_server(ENC_ON)),
          ("c", tds_pkt(0x12, rc[0][1][:100], status=0x00) + rc[1][1])])


# ------------------------------------------------------------------ malformed, other databases

def other_captures(out):
    # PostgreSQL StartupMessage whose length (3) is below the 8-byte minimum [PG §55.7]
    conv(f"{out}/pgsql-bad-length.pcap", 53001, 5432,
         [("c", struct.pack(">II", 8, 80877103)), ("s", b"N"),
          ("c", struct.pack(">II", 3, 196608) + b"user\0x\0\0")])
    # PostgreSQL: an AuthenticationRequest with an unknown type (99)
    su = b"user\0u\0database\0d\0\0"
    conv(f"{out}/pgsql-bad-auth.pcap", 53002, 5432,
         [("c", struct.pack(">II", 8 + len(su), 196608) + su),
          ("s", b"R" + struct.pack(">II", 8, 99))])
    # MySQL HandshakeV10 whose auth-plugin-data-part-2 (max(13, len - 8) bytes
    # with CLIENT_SECURE_CONNECTION) is cut short by the packet length
    # [MYSQL HandshakeV10]
    g = (b"\x0a" + b"8.0.36\0" + struct.pack("<I", 7) + b"12345678" + b"\0" +
         struct.pack("<HBHHB", 0xffff, 0x21, 2, 0x000f, 21) + bytes(10) + b"ab")
    conv(f"{out}/mysql-bad-greeting.pcap", 53003, 3306,
         [("s", struct.pack("<I", len(g))[:3] + b"\0" + g)])
    # Redis: a bulk string header that is not a number [RESP]
    conv(f"{out}/redis-bad-bulk.pcap", 53004, 6379, [("c", b"*2\r\n$4\r\nAUTH\r\n$x9\r\nnope\r\n")])
    # Redis AUTH user pass on a non-standard port (fake password pw-redis-port-7781)
    conv(f"{out}/redis-auth-port7000.pcap", 53005, 7000,
         [("c", b"*3\r\n$4\r\nAUTH\r\n$5\r\nadmin\r\n$18\r\npw-redis-port-7781\r\n"),
          ("s", b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"),
          ("c", b"PING\r\n"), ("s", b"-NOAUTH Authentication required.\r\n")])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "pcaps", "crafted-db")
    os.makedirs(out, exist_ok=True)
    mongo_captures(out)
    tds_captures(out)
    other_captures(out)


if __name__ == "__main__":
    main()
