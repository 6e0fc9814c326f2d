#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# A real process holding sockets, for the ports tests:
#   listen.py COMM SPEC...     SPEC = proto,addr,port[,opt...]
# proto tcp|udp; addr an IPv4 or IPv6 literal; opts: v6only, dual (IPV6_V6ONLY
# off), reuseaddr, reuseport, nolisten (TCP: bind only). COMM becomes the
# process name (/proc/self/comm), as a daemon's would be. Prints its pid and
# "ready" once every socket is in place, then sleeps until killed.
import os
import socket
import sys
import time

with open("/proc/self/comm", "w") as f:
    f.write(sys.argv[1][:15])
held = []
for spec in sys.argv[2:]:
    proto, addr, port, *opts = spec.split(",")
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
    if "reuseaddr" in opts:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if "reuseport" in opts:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    if fam == socket.AF_INET6 and ("v6only" in opts or "dual" in opts):
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if "v6only" in opts else 0)
    s.bind((addr, int(port)))
    if proto == "tcp" and "nolisten" not in opts:
        s.listen(16)
    held.append(s)
print(os.getpid(), "ready", flush=True)
while True:
    time.sleep(3600)
