#!/bin/bash
# Harness self-test: network namespaces joined by a veth pair pass traffic
# (what the live tests' external-path checks build on). The addresses exist
# only inside the two namespaces this test makes; the guest has no NIC.
set -euo pipefail
a=mxpst-a-$$ b=mxpst-b-$$
cleanup() { ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip link add veth-a netns "$a" type veth peer name veth-b netns "$b"
ip -n "$a" addr add 10.213.0.1/30 dev veth-a
ip -n "$b" addr add 10.213.0.2/30 dev veth-b
ip -n "$a" link set veth-a up
ip -n "$b" link set veth-b up
ip -n "$a" link set lo up
# a TCP listener in b (busybox nc: busybox-static is a harness dependency),
# a connection from a through bash's /dev/tcp
ip netns exec "$b" timeout 20 busybox nc -l -p 2525 -e /bin/echo 220-ok &
srv=$!
for _ in $(seq 50); do
	ip netns exec "$b" ss -Htln 'sport = :2525' | grep -q 2525 && break
	sleep 0.1
done
reply=$(ip netns exec "$a" timeout 10 bash -c 'exec 3<>/dev/tcp/10.213.0.2/2525; head -n1 <&3')
wait "$srv"
[ "$reply" = "220-ok" ] || { echo "veth path: got '$reply'"; exit 1; }
echo "tcp across veth between two namespaces works"
