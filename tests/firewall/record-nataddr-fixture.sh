#!/usr/bin/env bash
# Records the dump the unit tests parse for DNAT address ranges
# (tests/unit/fixtures/firewall/nataddr.nl, with iptables-save's,
# ip6tables-save's and nft's listings of the same rules) in a namespace of
# its own: run as root with
#   MXPROBE=build/mxprobe MX_TOP=$PWD bash tests/firewall/record-nataddr-fixture.sh
# Port 25 is DNATed to 172.22.1.25-172.22.1.27 while the DOCKER chain
# accepts only .25 and .26 (the kernel picks any address of the range: a
# connection mapped to .27 meets FORWARD's policy DROP); 587 to .25-.26, both
# accepted; 465 to .25 alone.
. "$MX_TOP/tests/integration/lib/common.sh"
out=$MX_TOP/tests/unit/fixtures/firewall
ns=$(mx_netns nataddr)
ipt() { ip netns exec "$ns" iptables-nft -w "$@"; }
ip6t() { ip netns exec "$ns" ip6tables-nft -w "$@"; }
# iptables-nft's tables ip nat and ip filter, in Docker's 20.10 layout
ipt -t nat -N DOCKER
ipt -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
ipt -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 25 \
	-j DNAT --to-destination 172.22.1.25-172.22.1.27:25
ipt -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 587 \
	-j DNAT --to-destination 172.22.1.25-172.22.1.26
ipt -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 465 -j DNAT --to-destination 172.22.1.25:465
ipt -P FORWARD DROP
ipt -N DOCKER-USER
ipt -N DOCKER
ipt -A FORWARD -j DOCKER-USER
ipt -A FORWARD -o br-mailcow -j DOCKER
ipt -A DOCKER-USER -j RETURN
for a in 172.22.1.25 172.22.1.26; do
	for p in 25 587 465; do
		ipt -A DOCKER -d $a/32 ! -i br-mailcow -o br-mailcow -p tcp -m tcp --dport $p -j ACCEPT
	done
done
# ip6tables-nft's table ip6 nat: the x_tables DNAT target
ip6t -t nat -N DOCKER
ip6t -t nat -A PREROUTING -j DOCKER
ip6t -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 993 \
	-j DNAT --to-destination '[fd00::9-fd00::b]:993'
ip6t -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 465 -j DNAT --to-destination fd00::9-fd00::b
# native tables (nft syntax)
ip netns exec "$ns" nft -f - <<'NFT'
table ip mxt_nataddr {
	chain prerouting { type nat hook prerouting priority dstnat; policy accept;
		tcp dport 25 dnat to 10.0.0.1-10.0.0.3:25
		tcp dport 587 dnat to 10.0.0.1-10.0.0.3
	}
}
table ip6 mxt_nataddr6 {
	chain prerouting { type nat hook prerouting priority dstnat; policy accept;
		tcp dport 993 dnat to [fd00::9]-[fd00::b]:993
		tcp dport 465 dnat to fd00::9-fd00::b
	}
}
table inet mxt_nataddri {
	chain prerouting { type nat hook prerouting priority dstnat; policy accept;
		tcp dport 25 dnat ip to 10.0.0.1-10.0.0.3:25
		tcp dport 993 dnat ip6 to [fd00::9]-[fd00::b]:993
	}
}
NFT
MXPROBE_FW_SAVE=$out/nataddr.nl "$MXPROBE" -N "$ns" -q firewall >/dev/null || true
ip netns exec "$ns" iptables-nft-save >"$out/nataddr.iptables-save"
ip netns exec "$ns" ip6tables-nft-save -t nat >"$out/nataddr.ip6tables-save"
ip netns exec "$ns" nft -a list ruleset >"$out/nataddr.nft"
echo "recorded into $out"
