#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap-connect.py SRCDIR OUTDIR [--seeds] — HTTP CONNECT orderings and malformed
targets for tests/connect-fields.sh (issue 18) that the real tinyproxy +
curl captures of pcaps/connect/ (tools/lab/gen-connect.sh) cannot show:
curl waits for the 2xx before its ClientHello, and tinyproxy closes the
connection after a 407 (HTTP/1.0, Connection: close). The TLS bytes are the
real ones of pcaps/connect/connect-open-tls13.pcap and
connect-basic-tls13.pcap, re-segmented; the HTTP heads are written here.
One capture per case:

  pipelined-hello   the client sends its ClientHello right after the
                    CONNECT, before the 200 (RFC 9110 §9.3.6 lets a client
                    send tunnel data early): CONNECT + ClientHello in one
                    segment, then 200 + the server's flight in one
  keepalive-407     RFC 9112 §9.3 persistence: a 407 with a Content-Length
                    body on a kept connection, split over two segments,
                    then the Basic retry on it and a 200 (RFC 9110 §11.7.1)
  chunked-407       a 407 with a chunked body (RFC 9112 §7.1) on a kept
                    connection, then the retry: the responses cannot be
                    followed past the chunks, so the retry's answer is not
                    looked for (and the client's tunnel bytes, 8 KiB of
                    application data at the end, not held)
  server-first      a 200, then the server speaks first (an SSH banner):
                    not TLS, whose client sends the first message
  pipelined-http    CONNECT + a GET in one segment (plain HTTP in the
                    tunnel), then the 200
  bad-target        "CONNECT origin.lab.test HTTP/1.1": no port (RFC 9112
                    §3.2.3 authority-form), the proxy answers 400
  bad-target-brackets  "CONNECT []:443": an IP literal with nothing in it
  ipv6-target       "CONNECT [2001:db8::443]:443" (RFC 3986 §3.2.2 IP
                    literal), refused with 403

With --seeds, writes instead OUTDIR/seed-http.crafted-connect-NAME for
pipelined-hello and keepalive-407 in fuzz/fuzz_dissector.c's input format
("http" NUL, a flags byte 0, then per segment a 2-byte big-endian header,
bit 15 for server to client, and the bytes): tests/fuzz-regress/dissector/.

Deterministic: the same bytes every run.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcaplib  # noqa: E402

CIP, SIP = bytes([10, 68, 0, 1]), bytes([10, 68, 0, 2])
CMAC, SMAC = bytes.fromhex("020000004401"), bytes.fromhex("020000004402")


def streams(path, port):
    """(client bytes, server bytes) of the one TCP connection to `port` in a
    real capture, in capture order (these captures hold no retransmission)."""
    _, _, pkts = pcaplib.read_pcap(path)
    c, s = b"", b""
    for _, _, d, _ in pkts:
        ip = d[14:]
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:]
        off = (tcp[12] >> 4) * 4
        pl = tcp[off:struct.unpack(">H", ip[2:4])[0] - ihl]
        sp, dp = struct.unpack(">HH", tcp[:4])
        if dp == port:
            c += pl
        elif sp == port:
            s += pl
    return c, s


def head_split(b):
    i = b.index(b"\r\n\r\n") + 4
    return b[:i], b[i:]


def first_record(b):
    n = 5 + struct.unpack(">H", b[3:5])[0]
    return b[:n], b[n:]


SEEDS = None  # set by --seeds: write fuzz_dissector inputs instead of captures
SEEDED = ("pipelined-hello", "keepalive-407")


def conn(path, steps, cport=41000, dport=3128):
    if SEEDS is not None:
        name = os.path.basename(path)[:-5]
        if name in SEEDED:
            data = b"http\0\0"
            for d, b in steps:
                for i in range(0, len(b), 0x7fff):
                    part = b[i:i + 0x7fff]
                    data += struct.pack(">H", len(part) | (0x8000 if d else 0)) + part
            with open(os.path.join(SEEDS, "seed-http.crafted-connect-" + name), "wb") as f:
                f.write(data)
        return
    c = pcaplib.TcpConn(CIP, SIP, cport, dport, CMAC, SMAC, t0=1700000000.0, step=0.001)
    for d, data in steps:
        c.send(d, data)
    c.close()
    pcaplib.write_frames(path, c.frames)


def main(src, out):
    os.makedirs(out, exist_ok=True)
    p = lambda n: os.path.join(out, n + ".pcap")  # noqa: E731
    oc, os_ = streams(os.path.join(src, "pcaps/connect/connect-open-tls13.pcap"), 8888)
    req, ctls = head_split(oc)
    resp, stls = head_split(os_)
    hello, crest = first_record(ctls)
    conn(p("pipelined-hello"), [(0, req + hello), (1, resp + stls), (0, crest)], dport=8888)

    bc, bs = streams(os.path.join(src, "pcaps/connect/connect-basic-tls13.pcap"), 3128)
    breq, bctls = head_split(bc)
    bresp, bstls = head_split(bs)
    noauth = (b"CONNECT origin.lab.test:8443 HTTP/1.1\r\nHost: origin.lab.test:8443\r\n"
              b"User-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\n\r\n")
    body = b"<html><body>Proxy Authentication Required</body></html>\n"
    r407 = (b"HTTP/1.1 407 Proxy Authentication Required\r\nServer: lab-proxy\r\n"
            b"Proxy-Authenticate: Basic realm=\"lab\"\r\nContent-Type: text/html\r\n"
            b"Content-Length: %d\r\nConnection: keep-alive\r\n\r\n" % len(body))
    conn(p("keepalive-407"), [(0, noauth), (1, r407 + body[:20]), (1, body[20:]), (0, breq),
                               (1, bresp), (0, bctls[:517]), (1, bstls), (0, bctls[517:])])

    c407 = (b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"lab\"\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    # then 8 KiB of client application data (one record, filler bytes)
    appdata = b"\x17\x03\x03\x20\x00" + bytes(range(256)) * 32
    conn(p("chunked-407"), [(0, noauth), (1, c407), (0, breq), (1, bresp), (0, bctls[:517]), (1, bstls),
                             (0, bctls[517:] + appdata)])
    ok = b"HTTP/1.1 200 Connection established\r\n\r\n"
    conn(p("server-first"), [(0, req), (1, ok + b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"),
                              (0, b"SSH-2.0-OpenSSH_9.2p1\r\n")], dport=8888)
    get = b"GET / HTTP/1.1\r\nHost: origin.lab.test:8080\r\n\r\n"
    conn(p("pipelined-http"), [(0, req.replace(b":8443", b":8080") + get), (1, ok),
                                (1, b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n")], dport=8888)
    conn(p("bad-target"), [(0, b"CONNECT origin.lab.test HTTP/1.1\r\nHost: origin.lab.test\r\n\r\n"),
                            (1, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")], dport=8888)
    conn(p("bad-target-brackets"), [(0, b"CONNECT []:443 HTTP/1.1\r\nHost: []:443\r\n\r\n"),
                                     (1, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")], dport=8888)
    conn(p("ipv6-target"), [(0, b"CONNECT [2001:db8::443]:443 HTTP/1.1\r\nHost: [2001:db8::443]:443\r\n\r\n"),
                             (1, b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")], dport=8888)


if __name__ == "__main__":
    if "--seeds" in sys.argv:
        sys.argv.remove("--seeds")
        SEEDS = sys.argv[2]
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ".")
