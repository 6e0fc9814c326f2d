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

# mtu_topo_2hop: client —1500— r1 —1480— r2 —1420— server; r1 sends
# frag-needed / packet-too-big, r2's are dropped (a black hole behind a
# talking router). Sets CLI R1 R2 SRV, SRV4=10.78.3.2, SRV6=fd78:3::2.
mtu_topo_2hop() {
	local n=$$ i t ns r
	CLI=$(mx_netns cli2)
	R1=$(mx_netns r1)
	R2=$(mx_netns r2)
	SRV=$(mx_netns srv2)
	link() { # link NS1 IF1 ADDR1/6 NS2 IF2 ADDR2/6 MTU
		ip link add "$2" netns "$1" type veth peer name "$6" netns "$5"
		ip -n "$1" addr add "$3" dev "$2"
		ip -n "$1" addr add "$4" dev "$2" nodad
		ip -n "$5" addr add "$7" dev "$6"
		ip -n "$5" addr add "$8" dev "$6" nodad
		ip -n "$1" link set "$2" mtu "$9" up
		ip -n "$5" link set "$6" mtu "$9" up
	}
	link "$CLI" "a$n" 10.78.1.2/24 fd78:1::2/64 "$R1" "b$n" 10.78.1.1/24 fd78:1::1/64 1500
	link "$R1" "c$n" 10.78.2.1/24 fd78:2::1/64 "$R2" "d$n" 10.78.2.2/24 fd78:2::2/64 1480
	link "$R2" "e$n" 10.78.3.1/24 fd78:3::1/64 "$SRV" "f$n" 10.78.3.2/24 fd78:3::2/64 1420
	ip -n "$CLI" route add default via 10.78.1.1
	ip -n "$CLI" -6 route add default via fd78:1::1
	ip -n "$R1" route add 10.78.3.0/24 via 10.78.2.2
	ip -n "$R1" -6 route add fd78:3::/64 via fd78:2::2
	ip -n "$R2" route add default via 10.78.2.1
	ip -n "$R2" -6 route add default via fd78:2::1
	ip -n "$SRV" route add default via 10.78.3.1
	ip -n "$SRV" -6 route add default via fd78:3::1
	for r in "$R1" "$R2"; do
		ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
			net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
	done
	ip netns exec "$R2" iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
	ip netns exec "$R2" ip6tables -A OUTPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP
	for i in $(seq 50); do
		t=""
		for ns in "$CLI" "$R1" "$R2" "$SRV"; do t+=$(ip -n "$ns" -6 addr show tentative); done
		[ -z "$t" ] && break
		sleep 0.1
	done
	SRV4=10.78.3.2
	SRV6=fd78:3::2
}
