# SPDX-License-Identifier: GPL-2.0
# Sourced after common.sh: a client — router — server chain of namespaces
# for the path-MTU tests and the benchmark (tests/bench/mtu.sh).
#   mtu_topo MTU [blackhole]
# sets CLI RTR SRV (namespace names), SRV4=10.77.2.2, SRV6=fd77:2::2. The
# router–server link gets MTU (both ends); with "blackhole" the router's
# own frag-needed / packet-too-big are dropped in its OUTPUT chain, as a
# filtering middlebox would.
SRV4=10.77.2.2
SRV6=fd77:2::2

mtu_topo() {
	local mtu=$1 mode=${2:-} n=$$
	CLI=$(mx_netns cli)
	RTR=$(mx_netns rtr)
	SRV=$(mx_netns srv)
	ip link add "c$n" netns "$CLI" type veth peer name "r$n" netns "$RTR"
	ip link add "t$n" netns "$RTR" type veth peer name "s$n" netns "$SRV"
	ip -n "$CLI" addr add 10.77.1.2/24 dev "c$n"
	ip -n "$CLI" addr add fd77:1::2/64 dev "c$n" nodad
	ip -n "$RTR" addr add 10.77.1.1/24 dev "r$n"
	ip -n "$RTR" addr add fd77:1::1/64 dev "r$n" nodad
	ip -n "$RTR" addr add 10.77.2.1/24 dev "t$n"
	ip -n "$RTR" addr add fd77:2::1/64 dev "t$n" nodad
	ip -n "$SRV" addr add "$SRV4/24" dev "s$n"
	ip -n "$SRV" addr add "$SRV6/64" dev "s$n" nodad
	ip -n "$RTR" link set "t$n" mtu "$mtu"
	ip -n "$SRV" link set "s$n" mtu "$mtu"
	for l in "$CLI c$n" "$RTR r$n" "$RTR t$n" "$SRV s$n"; do
		set -- $l
		ip -n "$1" link set "$2" up
	done
	ip -n "$CLI" route add default via 10.77.1.1
	ip -n "$CLI" -6 route add default via fd77:1::1
	ip -n "$SRV" route add default via 10.77.2.1
	ip -n "$SRV" -6 route add default via fd77:2::1
	ip netns exec "$RTR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# Rate limits would turn a burst of probes into an apparent black
	# hole; the tests want the router to answer every time.
	ip netns exec "$RTR" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
	if [ "$mode" = blackhole ]; then
		ip netns exec "$RTR" iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
		ip netns exec "$RTR" ip6tables -A OUTPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP
	fi
	CLI_IF="c$n"
	# Link-local addresses must finish DAD, or neighbour discovery (and
	# so the first IPv6 probes) waits for it.
	local i
	for i in $(seq 50); do
		[ -z "$(ip -n "$CLI" -6 addr show tentative; ip -n "$RTR" -6 addr show tentative; ip -n "$SRV" -6 addr show tentative)" ] && break
		sleep 0.1
	done
}
