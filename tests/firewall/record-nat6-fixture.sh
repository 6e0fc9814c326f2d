#!/usr/bin/env bash
# Records the IPv6 DNAT dump the unit tests parse (tests/unit/fixtures/firewall/
# nat6.nl, with ip6tables-save's and nft's listings of the same rules) in a
# namespace of its own: run as root with
#   MXPROBE=build/mxprobe MX_TOP=$PWD bash tests/firewall/record-nat6-fixture.sh
. "$MX_TOP/tests/integration/lib/common.sh"
out=$MX_TOP/tests/unit/fixtures/firewall
ns=$(mx_netns nat6)
# ip6tables-nft's table ip6 nat (iptables syntax), as Docker publishes over IPv6
ip netns exec "$ns" ip6tables-nft -t nat -N DOCKER
ip netns exec "$ns" ip6tables-nft -t nat -A PREROUTING -j DOCKER
ip netns exec "$ns" ip6tables-nft -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 993 \
	-j DNAT --to-destination '[fd00::9]:993'
ip netns exec "$ns" ip6tables-nft -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 465 \
	-j DNAT --to-destination fd00::9
# a native table (nft syntax)
ip netns exec "$ns" nft -f - <<'NFT'
table inet mxt_nat6 {
	chain prerouting { type nat hook prerouting priority dstnat; policy accept;
		ip6 daddr 2001:db8::1 tcp dport 993 dnat ip6 to [fd00::9]:993
		ip6 daddr 2001:db8::1 tcp dport 143 dnat ip6 to fd00::9
		ip daddr 192.0.2.1 tcp dport 993 dnat ip to 10.0.0.9:993
	}
}
NFT
MXPROBE_FW_SAVE=$out/nat6.nl "$MXPROBE" -N "$ns" -q firewall >/dev/null || true
ip netns exec "$ns" ip6tables-nft-save -t nat >"$out/nat6.ip6tables-save"
ip netns exec "$ns" nft -a list ruleset >"$out/nat6.nft"
echo "recorded into $out"
