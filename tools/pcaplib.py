# SPDX-License-Identifier: BSD-3-Clause
"""pcaplib.py — the one pcap writer, Internet checksum and packet builder
shared by the capture generators in tools/ (mkpcap-*.py, bench/gen-bench.py).

Python 3.11 standard library only. Import it from a script in tools/ with

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import pcaplib

(tools/bench/ inserts its parent folder instead).

What is here, and what it follows:

  pcap files      the classic libpcap format, little-endian, microsecond
                  timestamps, version 2.4 (pcap-savefile(5);
                  draft-ietf-opsawg-pcap): a 24-byte global header, then per
                  packet a 16-byte record header (ts_sec, ts_usec, incl_len,
                  orig_len) and incl_len bytes. write_pcap(), PcapWriter,
                  write_frames(), read_pcap().
  checksums       the Internet checksum, RFC 1071 (16-bit ones' complement of
                  the ones' complement sum, odd length padded with a zero
                  byte); its incremental update, RFC 1624 eqn. 3; the
                  IPv4 pseudo-header of TCP (RFC 9293 §3.1, was RFC 793) and
                  UDP (RFC 768).
  builders        Ethernet II (IEEE 802.3 with an EtherType), IPv4 (RFC 791
                  §3.1: 20-byte header, no options), TCP (RFC 9293 §3.1: 20-byte
                  header, no options), UDP (RFC 768).
  TcpConn         one TCP connection over Ethernet/IPv4, frames in order:
                  three-way handshake, data segmented at an MSS, FIN from both
                  sides (RFC 9293 §3.5, §3.6), sequence and acknowledgement
                  numbers kept.

IPv6 (RFC 8200) is not here: no generator builds IPv6 packets yet (the IPv6
captures in pcaps/ come from the lab). Add ipv6() and its pseudo-header
(RFC 8200 §8.1) here when one does.

Everything is deterministic: the same calls give the same bytes.
"""
import struct

# ---------------------------------------------------------------- pcap files

PCAP_MAGIC = 0xa1b2c3d4        # microsecond timestamps (0xa1b23c4d: nanosecond)
PCAP_VERSION = (2, 4)

# LINKTYPE_ values (tcpdump.org/linktypes.html) used by the generators
LINKTYPE_NULL = 0              # BSD loopback: 4-byte host-order address family
LINKTYPE_ETHERNET = 1          # IEEE 802.3 Ethernet
LINKTYPE_RAW = 101             # raw IPv4/IPv6
LINKTYPE_LINUX_SLL = 113       # Linux cooked capture v1
LINKTYPE_LINUX_SLL2 = 276      # Linux cooked capture v2

SNAPLEN = 262144               # tcpdump's default


def global_header(linktype=LINKTYPE_ETHERNET, snaplen=SNAPLEN):
    """The 24-byte pcap global header: magic, version 2.4, thiszone 0,
    sigfigs 0, snaplen, network (the link type)."""
    return struct.pack("<IHHiIII", PCAP_MAGIC, PCAP_VERSION[0], PCAP_VERSION[1], 0, 0,
                       snaplen, linktype)


def record_header(sec, usec, incl_len, orig_len):
    """The 16-byte per-packet record header."""
    return struct.pack("<IIII", sec, usec, incl_len, orig_len)


def record(sec, usec, data, orig_len=None):
    """One packet record: header and the captured bytes. orig_len is the
    length on the wire (default: len(data), nothing cut by the snap length)."""
    return record_header(sec, usec, len(data), len(data) if orig_len is None else orig_len) + data


def ts_float(t):
    """(sec, usec) of a time in float seconds, microseconds rounded."""
    sec = int(t)
    return sec, int(round((t - sec) * 1e6))


def ts_us(us, base_sec=0):
    """(sec, usec) of an integer count of microseconds after base_sec."""
    return base_sec + us // 1000000, us % 1000000


class PcapWriter:
    """A pcap file written packet by packet (for captures too large to hold
    in memory); records are buffered and written in batches.

        with PcapWriter(path) as w:
            w.write(sec, usec, frame)
    """

    def __init__(self, path, linktype=LINKTYPE_ETHERNET, snaplen=SNAPLEN, batch=4096):
        self.f = open(path, "wb")
        self.f.write(global_header(linktype, snaplen))
        self.buf = []
        self.batch = batch
        self.n = 0

    def write(self, sec, usec, data, orig_len=None):
        self.buf.append(record(sec, usec, data, orig_len))
        self.n += 1
        if len(self.buf) >= self.batch:
            self.f.write(b"".join(self.buf))
            self.buf = []

    def close(self):
        self.f.write(b"".join(self.buf))
        self.buf = []
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def write_pcap(path, records, linktype=LINKTYPE_ETHERNET, snaplen=SNAPLEN):
    """Write a whole pcap file. records: iterable of (sec, usec, data) or
    (sec, usec, data, orig_len)."""
    with PcapWriter(path, linktype, snaplen) as w:
        for r in records:
            w.write(*r)


def write_frames(path, frames, base_sec=None, snaplen=SNAPLEN):
    """Write (t, frame) pairs, as TcpConn collects them, as an Ethernet pcap.
    t is float seconds (ts_float), or with base_sec integer microseconds
    after base_sec (ts_us)."""
    if base_sec is None:
        recs = ((*ts_float(t), fr) for t, fr in frames)
    else:
        recs = ((*ts_us(t, base_sec), fr) for t, fr in frames)
    write_pcap(path, recs, LINKTYPE_ETHERNET, snaplen)


def read_pcap(path):
    """Read a little-endian microsecond pcap file (what write_pcap writes).
    Returns (linktype, snaplen, [(sec, usec, data, orig_len), ...]); a last
    record cut short is returned with the bytes there are. Raises ValueError
    on another magic number (pcapng, big-endian, nanosecond)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24 or struct.unpack("<I", data[:4])[0] != PCAP_MAGIC:
        raise ValueError("%s: not a little-endian microsecond pcap file" % path)
    snaplen, linktype = struct.unpack("<II", data[16:24])
    off, pkts = 24, []
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        pkts.append((sec, usec, data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return linktype, snaplen, pkts


# ---------------------------------------------------------------- checksums

def ones_sum(data):
    """The 16-bit ones' complement sum of data as big-endian 16-bit words
    (RFC 1071 §1, odd length padded with a zero byte), folded to 16 bits and
    not inverted: combine partial sums with fold(a + b), finish with
    (~s) & 0xffff. 2^16 == 1 (mod 0xffff), so the sum of the words mod
    0xffff is the value of the bytes as one integer mod 0xffff (RFC 1071
    §2(B), byte-order and grouping independence); a non-zero sum that is
    0 mod 0xffff is 0xffff (ones' complement "negative zero")."""
    if len(data) % 2:
        data += b"\0"
    s = int.from_bytes(data, "big") % 0xffff
    if s == 0 and any(data):
        s = 0xffff
    return s


def fold(s):
    """Fold the carries of a ones' complement sum into 16 bits (RFC 1071 §4.1)."""
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def checksum(data):
    """The Internet checksum of data (RFC 1071): the 16-bit ones' complement
    of the ones' complement sum. Store it with the checksum field zero when
    computing; a correct packet then sums to 0xffff."""
    return (~ones_sum(data)) & 0xffff


def checksum_update(hc, old, new):
    """Incremental update of checksum hc when one 16-bit word changes from
    old to new: RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m')."""
    s = (~hc & 0xffff) + (~old & 0xffff) + new
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def pseudo_header4(src, dst, proto, length):
    """The IPv4 pseudo-header that TCP (RFC 9293 §3.1) and UDP (RFC 768)
    checksums cover: source, destination, zero, protocol, TCP/UDP length."""
    return bytes(src) + bytes(dst) + struct.pack("!BBH", 0, proto, length)


# ---------------------------------------------------------------- builders

ETH_P_IP = 0x0800
IPPROTO_TCP = 6
IPPROTO_UDP = 17

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def ethernet(dst, src, payload, ethertype=ETH_P_IP):
    """An Ethernet II frame: destination MAC, source MAC, EtherType, payload
    (no FCS, as captured)."""
    return dst + src + struct.pack("!H", ethertype) + payload


def ipv4_header(src, dst, proto, payload_len, ident=1, flags_frag=0x4000, ttl=64, csum=True):
    """A 20-byte IPv4 header (RFC 791 §3.1): version 4, IHL 5, TOS 0, total
    length, identification (mod 2^16), flags/fragment offset (default DF),
    TTL, protocol, header checksum (zero with csum=False), addresses (4
    bytes or a list of 4 ints)."""
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident & 0xffff, flags_frag,
                    ttl, proto, 0, bytes(src), bytes(dst))
    if csum:
        h = h[:10] + struct.pack("!H", checksum(h)) + h[12:]
    return h


def ipv4(src, dst, proto, payload, ident=1, flags_frag=0x4000, ttl=64, csum=True):
    """An IPv4 packet: ipv4_header() + payload."""
    return ipv4_header(src, dst, proto, len(payload), ident, flags_frag, ttl, csum) + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=65535, csum=True,
        payload_sum=None):
    """A TCP segment (RFC 9293 §3.1): 20-byte header (data offset 5, no
    options, urgent pointer 0) + payload, sequence and acknowledgement
    numbers mod 2^32. The checksum covers the IPv4 pseudo-header of src/dst
    (zero with csum=False). payload_sum, ones_sum(payload) when the caller
    has it, saves summing a payload sent many times: the payload ends the
    summed bytes, so its odd-length pad is the same summed alone."""
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4,
                    flags, window, 0, 0)
    if csum:
        if payload_sum is None:
            payload_sum = ones_sum(payload)
        s = fold(ones_sum(pseudo_header4(src, dst, IPPROTO_TCP, 20 + len(payload)) + h) + payload_sum)
        h = h[:16] + struct.pack("!H", (~s) & 0xffff) + h[18:]
    return h + payload


def udp(src, dst, sport, dport, payload, csum=True):
    """A UDP datagram (RFC 768): 8-byte header + payload. The checksum covers
    the IPv4 pseudo-header of src/dst; a computed 0 is sent as 0xffff, since
    0 means "no checksum" (what csum=False sends)."""
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if csum:
        c = checksum(pseudo_header4(src, dst, IPPROTO_UDP, len(u)) + u) or 0xffff
        u = u[:6] + struct.pack("!H", c) + u[8:]
    return u


def eth_ipv4_tcp(dst_mac, src_mac, src, dst, sport, dport, seq, ack, flags, payload=b"", ident=1,
                 payload_sum=None):
    """A whole Ethernet/IPv4/TCP frame, checksums correct."""
    return ethernet(dst_mac, src_mac, ipv4(src, dst, IPPROTO_TCP,
                                     tcp(src, dst, sport, dport, seq, ack, flags, payload,
                                         payload_sum=payload_sum), ident))


# ---------------------------------------------------------------- TCP conversation

class TcpConn:
    """One TCP connection over Ethernet/IPv4, client cip:cport, server
    sip:sport; direction 0 is client to server, 1 server to client.

    Each segment is an Ethernet frame (destination MAC first) with correct
    IPv4 and TCP checksums; the IPv4 identification counts the connection's
    frames from 1. Sequence numbers start at isn = (client, server) and move
    by the payload and by one for SYN and FIN (RFC 9293 §3.4); a segment with
    ACK set acknowledges the other side's next sequence number.

    Frames go to sink(t, frame) if given, else to self.frames as (t, frame).
    t starts at t0 and moves by step after each frame: floats (seconds) or
    integers (microseconds), as the caller writes them.

    mss: the largest payload send() puts in one segment; ack_data: send()
    answers each data segment with a bare ACK from the other side.
    handshake=False: the capture joins an established connection.
    """

    def __init__(self, cip, sip, cport, sport, cmac, smac, isn=(1000, 5000), t0=0, step=1000,
                 mss=1448, ack_data=False, handshake=True, sink=None):
        self.ip = (bytes(cip), bytes(sip))
        self.port = (cport, sport)
        self.mac = (cmac, smac)
        self.seq = {0: isn[0], 1: isn[1]}
        self.t, self.step = t0, step
        self.mss, self.ack_data = mss, ack_data
        self.frames = []
        self.sink = sink if sink else lambda t, fr: self.frames.append((t, fr))
        self.ident = 1
        if handshake:
            self.handshake()

    def segment(self, d, flags, payload=b"", seq=None, payload_sum=None):
        """One segment in direction d. seq: send at this sequence number
        instead (out of order, retransmission); the connection's own
        sequence number then stays where it is."""
        ack = self.seq[1 - d] if flags & ACK else 0
        fr = eth_ipv4_tcp(self.mac[1 - d], self.mac[d], self.ip[d], self.ip[1 - d],
                          self.port[d], self.port[1 - d], self.seq[d] if seq is None else seq,
                          ack, flags, payload, self.ident, payload_sum)
        self.sink(self.t, fr)
        self.ident += 1
        self.t += self.step
        if seq is None:
            self.seq[d] = (self.seq[d] + len(payload) + (1 if flags & (SYN | FIN) else 0)) & 0xffffffff
        return self

    def handshake(self):
        """SYN, SYN+ACK, ACK."""
        self.segment(0, SYN)
        self.segment(1, SYN | ACK)
        self.segment(0, ACK)
        return self

    def send(self, d, data):
        """data in PSH+ACK segments of at most mss bytes."""
        for i in range(0, len(data), self.mss):
            self.segment(d, PSH | ACK, data[i:i + self.mss])
            if self.ack_data:
                self.segment(1 - d, ACK)
        return self

    def c(self, data):
        return self.send(0, data)

    def s(self, data):
        return self.send(1, data)

    def close(self):
        """FIN+ACK from the client, FIN+ACK from the server, the last ACK.
        Returns self.frames."""
        self.segment(0, FIN | ACK)
        self.segment(1, FIN | ACK)
        self.segment(0, ACK)
        return self.frames
