#!/usr/bin/env python3
"""Writes the bundled example packets (raw Ethernet frames, correct IPv4/L4 checksums)
to corpus/packets/: a TCP SYN to port 80, a UDP DNS query for example.com, an ICMP echo
request and a TCP SYN to port 22.  usage: make_packets.py [OUT_DIR]"""
import os, struct, sys

def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip_header(proto, payload_len, src, dst, ident=0x1c46):
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + payload_len, ident, 0x4000, 64, proto, 0,
                      bytes(src), bytes(dst))
    return hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]

def l4_checksum(proto, src, dst, segment):
    pseudo = struct.pack('!4s4sBBH', bytes(src), bytes(dst), 0, proto, len(segment))
    return csum(pseudo + segment)

ETH = bytes.fromhex('020000000002' '020000000001' '0800')  # dst, src, IPv4
SRC, DST = [10, 0, 0, 1], [10, 0, 0, 2]

def tcp_syn(dport):
    seg = struct.pack('!HHIIBBHHH', 40000, dport, 0x12345678, 0, 5 << 4, 0x02, 64240, 0, 0)
    c = l4_checksum(6, SRC, DST, seg)
    seg = seg[:16] + struct.pack('!H', c) + seg[18:]
    return ETH + ip_header(6, len(seg), SRC, DST) + seg

def dns_query():
    q = struct.pack('!HHHHHH', 0xabcd, 0x0100, 1, 0, 0, 0)
    q += b''.join(bytes([len(p)]) + p for p in (b'example', b'com')) + b'\0' + struct.pack('!HH', 1, 1)
    seg = struct.pack('!HHHH', 53000, 53, 8 + len(q), 0) + q
    c = l4_checksum(17, SRC, DST, seg) or 0xffff
    seg = seg[:6] + struct.pack('!H', c) + seg[8:]
    return ETH + ip_header(17, len(seg), SRC, DST) + seg

def icmp_echo():
    body = struct.pack('!BBHHH', 8, 0, 0, 0x4242, 1) + b'bpfvet-ping-0123456789abcdef'
    body = body[:2] + struct.pack('!H', csum(body)) + body[4:]
    return ETH + ip_header(1, len(body), SRC, DST) + body

def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'packets')
    os.makedirs(out, exist_ok=True)
    for name, frame in (('tcp_syn_80.bin', tcp_syn(80)), ('tcp_syn_22.bin', tcp_syn(22)),
                        ('udp_dns_query.bin', dns_query()), ('icmp_echo.bin', icmp_echo())):
        with open(os.path.join(out, name), 'wb') as f:
            f.write(frame)

main()
