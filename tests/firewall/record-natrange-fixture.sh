#!/usr/bin/env bash
# Records the DNAT dump the unit tests parse for port ranges and IPv6
# destinations without a port (tests/unit/fixtures/firewall/natrange.nl, with
# iptables-save's, ip6tables-save's and nft's listings of the same rules) in a
# namespace of its own: run as root with
#   MXPROBE=build/mxprobe MX_TOP=$PWD bash tests/firewall/record-natrange-fixture.sh
. "$MX_TOP/tests/integration/lib/common.sh"
out=$MX_TOP/tests/unit/fixtures/firewall
ns=$(mx_netns natrange)
ipt() { ip netns exec "$ns" iptables-nft -w "$@"; }
ip6t() { ip netns exec "$ns" ip6tables-nft -w "$@"; }
# iptables-nft's table ip nat, as Docker publishes (iptables syntax)
ipt -t nat -N DOCKER
ipt -t nat -A PREROUTING -j DOCKER
ipt -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 25 -j DNAT --to-destination 172.22.1.25:25
ipt -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 1000:2000 \
	-j DNAT --to-destination 10.0.0.1:1000-2000
ipt -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 587 -j DNAT --to-destination 172.22.1.25
# ip6tables-nft's table ip6 nat: destinations without a port, written with
# and without brackets (ip6tables-save prints both as fd00::9)
ip6t -t nat -N DOCKER
ip6t -t nat -A PREROUTING -j DOCKER
ip6t -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 465 -j DNAT --to-destination fd00::9
ip6t -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 587 -j DNAT --to-destination '[fd00::9]'
ip6t -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 993 \
	-j DNAT --to-destination '[fd00::9]:1993-1995'
# native tables (nft syntax): a port range, a single port, no port
ip netns exec "$ns" nft -f - <<'NFT'
table ip mxt_natrange {
	chain prerouting { type nat hook prerouting priority dstnat; policy accept;
		tcp dport 1000-2000 dnat to 10.0.0.1:1000-2000
		tcp dport 25 dnat to 10.0.0.1:25
		tcp dport 587 dnat to 10.0.0.1
	}
}
table ip6 mxt_natrange6 {
	chain prerouting { type nat hook prerouting priority dstnat; policy accept;
		tcp dport 993 dnat to [fd00::9]:1993-1995
	}
}
NFT
MXPROBE_FW_SAVE=$out/natrange.nl "$MXPROBE" -N "$ns" -q firewall >/dev/null || true
ip netns exec "$ns" iptables-nft-save -t nat >"$out/natrange.iptables-save"
ip netns exec "$ns" ip6tables-nft-save -t nat >"$out/natrange.ip6tables-save"
ip netns exec "$ns" nft -a list ruleset >"$out/natrange.nft"
echo "recorded into $out"
