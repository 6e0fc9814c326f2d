#!/usr/bin/env bash
# Two routers: the first hop narrows to 1480 and says so (frag-needed /
# packet-too-big), the second narrows to 1420 silently (its too-big messages
# dropped). The search must use the first report, notice that 1480 still
# vanishes, and find 1420 to the byte, IPv4 and IPv6.
#   client —1500— r1 —1480— r2 —1420— server
. "$MX_TOP/tests/integration/lib/common.sh"
need jq
need iptables
need ip6tables

CLI=$(mx_netns cli)
R1=$(mx_netns r1)
R2=$(mx_netns r2)
SRV=$(mx_netns srv)
n=$$
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

for fam in ipv4 ipv6; do
	dst=10.78.3.2 r1=10.78.1.1
	[ $fam = ipv6 ] && dst=fd78:3::2 r1=fd78:1::1
	set +e
	out=$("$MXPROBE" -N "$CLI" --json mtu "$dst")
	set -e
	g() { jq -r --arg f $fam --arg k "$1" '.checks[]|select(.id=="mtu.path").data[$f][$k]' <<<"$out"; }
	expect_eq "$(g path_mtu_bytes)" 1420 "$fam: exact MTU behind the silent second hop"
	expect_eq "$(g bound)" blackhole "$fam: the last word was silence"
	[ $fam = ipv4 ] && expect_match "$(jq -r ".checks[0].summary" <<<"$out")" "10.78.1.1 reported frag-needed 1480, but bigger packets vanish further on" "$fam: summary tells both"
	expect_eq "$(g ptb_used)/$(g ptb_mtu_bytes)/$(g ptb_from)" "1/1480/$r1" "$fam: the first hop's report was used"
	p=$(g probes)
	[ "$p" -le 12 ] || fail "$fam: $p probes (goal: at most 12)"
	echo "ok: $fam: $p probes"
done
echo "mtu_multihop: all good"
