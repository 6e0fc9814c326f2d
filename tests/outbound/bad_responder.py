#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A deliberately wrong responder for tests/integration/outbound_badreply.sh.

Why a mock: real servers (nsd, chrony, rspamd, the kernel's echo) always
answer correctly; the test needs replies that come from the right address
and port but do NOT answer what mxprobe sent, to prove that mxprobe ignores
them instead of counting "something came back" as a pass. Each reply here
is a well-formed packet of the right protocol with exactly one field wrong:

  DNS  (udp/53):    wrong id; then right id but another question; then
                    right id and question but QR clear (a query, not a reply)
  NTP  (udp/123):   mode 4, but the originate timestamp is not ours
  fuzzy (udp/11445): a full version-4 reply with another tag
  ICMP echo:        same id and sequence, payload nonce altered (the
                    namespace has net.ipv4.icmp_echo_ignore_all=1, so the
                    kernel itself stays silent)
  SMTP (tcp/25):    a genuine 220 banner, then the EHLO reply as a Cisco
                    ASA's "ESMTP inspection" rewrites it: the STARTTLS line
                    overwritten with X characters (no Debian package does
                    this, hence the mock)

usage: bad_responder.py ADDR READY_FILE
"""
import select
import socket
import struct
import sys
import threading

addr, ready = sys.argv[1], sys.argv[2]


def udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    return s


dns, ntp, fuzzy = udp(53), udp(123), udp(11445)
icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
dns_count = 0


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def answer_dns(q):
    global dns_count
    mode = dns_count % 3
    dns_count += 1
    qid, flags = struct.unpack("!HH", q[:4])
    question = q[12:]
    if mode == 0:  # wrong id
        qid ^= 0x5A5A
    if mode == 1:  # right id, another question: "com. SOA IN"
        question = b"\x03com\x00" + struct.pack("!HH", 6, 1)
    flags = 0x8400 if mode != 2 else 0x0000  # QR+AA, or QR clear
    soa = (b"\x00" + struct.pack("!HHIH", 6, 1, 3600, 22) + b"\x00\x00" +
           struct.pack("!IIIII", 1, 1800, 900, 604800, 86400))
    return struct.pack("!HHHHHH", qid, flags, 1, 1, 0, 0) + question + soa


def answer_ntp(q):
    r = bytearray(48)
    r[0] = (0 << 6) | (4 << 3) | 4  # LI 0, v4, mode 4 (server)
    r[1] = 2  # stratum 2
    r[12:16] = b"GPS\0"
    orig = bytearray(q[40:48])
    orig[7] ^= 0x01  # not our transmit timestamp
    r[24:32] = orig
    r[32:40] = q[40:48]
    r[40:48] = q[40:48]
    return bytes(r)


def answer_fuzzy(q):
    value, flag = 0, q[3]
    tag = struct.unpack("<I", q[8:12])[0] ^ 0x00010000
    return (struct.pack("<iIIf", value, flag, tag, 0.0) + q[12:76] +
            struct.pack("<I", 0) + b"\0" * 12)


def smtp_session(c):
    try:
        c.sendall(b"220 mx.mock.test ESMTP\r\n")
        f = c.makefile("rb")
        for line in f:
            cmd = line.strip().upper()
            if cmd.startswith(b"EHLO"):
                c.sendall(b"250-mx.mock.test\r\n250-PIPELINING\r\n"
                          b"250-XXXXXXXA\r\n250 8BITMIME\r\n")
            elif cmd == b"QUIT":
                c.sendall(b"221 bye\r\n")
                break
            else:
                c.sendall(b"502 not implemented\r\n")
    except OSError:
        pass
    c.close()


def smtp_server():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, 25))
    srv.listen(8)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=smtp_session, args=(c,), daemon=True).start()


threading.Thread(target=smtp_server, daemon=True).start()
open(ready, "w").close()
while True:
    rs, _, _ = select.select([dns, ntp, fuzzy, icmp], [], [])
    for s in rs:
        if s is icmp:
            pkt, (src, _) = s.recvfrom(2048)
            ihl = (pkt[0] & 0x0F) * 4
            m = pkt[ihl:]
            if len(m) < 8 or m[0] != 8:
                continue
            payload = bytearray(m[8:])
            if payload:
                payload[0] ^= 0xFF  # the nonce is not what was sent
            hdr = struct.pack("!BBHHH", 0, 0, 0, *struct.unpack("!HH", m[4:8]))
            c = csum(hdr + bytes(payload))
            s.sendto(struct.pack("!BBH", 0, 0, c) + hdr[4:] + bytes(payload), (src, 0))
            continue
        q, peer = s.recvfrom(2048)
        if s is dns and len(q) > 12:
            s.sendto(answer_dns(q), peer)
        elif s is ntp and len(q) >= 48:
            s.sendto(answer_ntp(q), peer)
        elif s is fuzzy and len(q) >= 76:
            s.sendto(answer_fuzzy(q), peer)
