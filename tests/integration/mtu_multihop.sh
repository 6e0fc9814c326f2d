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
. "$MX_TOP/tests/integration/lib/mtu_topo.sh"
mtu_topo_2hop

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
