#!/usr/bin/env bash
# Benchmark: `mxprobe mtu` against tracepath and scamper (trace -M) on the
# same client — router — server namespaces, in one run: a plain 1500 path,
# a 1420 hop that sends frag-needed / packet-too-big, and the same hop as an
# ICMP black hole; then two routers, the first reporting 1480, the second a
# silent 1420; IPv4 and IPv6. Per tool: the MTU it reports (exact?),
# the packets it sent toward the server (counted as they reach the router,
# every TTL), and the wall time. Goal: exact to
# the byte with at most 12 probes, black hole included. Times include the
# tool's start-up (and `ip netns exec` for the peers: a fork+setns, ~1 ms).
# usage: tests/bench/mtu.sh [MXPROBE]   (root)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
MXPROBE=${1:-$top/build/mxprobe}
MXPROBE=$(cd "$(dirname "$MXPROBE")" && pwd)/$(basename "$MXPROBE")
export MXPROBE MX_TOP=$top
. "$top/tests/integration/lib/common.sh"
. "$top/tests/integration/lib/mtu_topo.sh"
for t in jq tracepath scamper iptables ip6tables; do need $t; done

mtu_topo 1500
now() { date +%s%N; }
ipt() { if [ "$1" = 6 ]; then echo ip6tables; else echo iptables; fi; }
# Probes are counted where they arrive at the router (raw PREROUTING, before
# any TTL or MTU check): scamper sends part of its probes through a packet
# socket, which the client's own OUTPUT chain never sees.
count_at() { # count_at NS: count packets toward the server arriving at router NS
	CNT=$1
	for fam in 4 6; do
		dst=$SRV4; [ $fam = 6 ] && dst=$SRV6
		ip netns exec "$CNT" "$(ipt $fam)" -t raw -I PREROUTING -d "$dst"
	done
}
count_at "$RTR"
sent() { # sent FAM: packets toward the server since the last zeroing
	ip netns exec "$CNT" "$(ipt "$1")" -t raw -nvxL PREROUTING | awk 'NR==3 {print $1}'
}
set_hop() {
	ip -n "$RTR" link set "t$$" mtu "$1"
	ip -n "$SRV" link set "s$$" mtu "$1"
}
icmp_filter() { # icmp_filter -A|-D: the router's own too-big messages
	ip netns exec "$RTR" iptables "$1" OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
	ip netns exec "$RTR" ip6tables "$1" OUTPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP
}

run_tool() { # run_tool TOOL FAM DST → "mtu probes ms"
	local tool=$1 fam=$2 dst=$3 t0 t1 out m
	ip -n "$CLI" route flush cache 2>/dev/null || true
	ip -n "$CLI" -6 route flush cache 2>/dev/null || true
	ip netns exec "$CNT" "$(ipt "$fam")" -t raw -Z PREROUTING
	t0=$(now)
	case $tool in
	mxprobe)
		out=$("$MXPROBE" -N "$CLI" --json mtu "-$fam" "$dst" || true)
		t1=$(now)
		m=$(jq -r ".checks[]|select(.id==\"mtu.path\").data.ipv$fam.path_mtu_bytes" <<<"$out")
		;;
	tracepath)
		out=$(ip netns exec "$CLI" tracepath -n "-$fam" "$dst" 2>&1 || true)
		t1=$(now)
		m=$(sed -n 's/.*Resume: pmtu \([0-9]*\).*/\1/p' <<<"$out")
		;;
	scamper)
		out=$(ip netns exec "$CLI" scamper -O text -c "trace -M" -i "$dst" 2>&1 || true)
		t1=$(now)
		m=$(grep -o 'mtu: [0-9]*' <<<"$out" | tail -n1 | cut -d' ' -f2 || true)
		;;
	esac
	echo "${m:-none} $(sent "$fam") $(((t1 - t0) / 1000000))"
}

results=()
printf '%-10s %-4s %-9s %-6s %-6s %-5s %7s %9s\n' scenario fam tool expect got exact probes ms
for scen in plain ptb blackhole twohop; do
	case $scen in
	plain) set_hop 1500; want=1500 ;;
	ptb) set_hop 1420; want=1420 ;;
	blackhole) set_hop 1420; icmp_filter -A; want=1420 ;;
	twohop) # 1480 with frag-needed, then a silent 1420 (lib/mtu_topo.sh)
		mtu_topo_2hop; count_at "$R1"; want=1420 ;;
	esac
	for fam in 4 6; do
		dst=$SRV4; [ $fam = 6 ] && dst=$SRV6
		for tool in mxprobe tracepath scamper; do
			read -r got probes ms < <(run_tool $tool $fam "$dst")
			ok=no; [ "$got" = "$want" ] && ok=yes
			printf '%-10s %-4s %-9s %-6s %-6s %-5s %7s %9s\n' $scen v$fam $tool $want "$got" $ok "$probes" "$ms"
			results+=("$scen v$fam $tool $want $got $ok $probes $ms")
		done
	done
	[ $scen = blackhole ] && icmp_filter -D
done

echo
echo "ratios (peer / mxprobe), where both are exact:"
for r in "${results[@]}"; do
	set -- $r
	[ "$3" = mxprobe ] || continue
	for peer in tracepath scamper; do
		for q in "${results[@]}"; do
			set -- $r; local_scen=$1 local_fam=$2 mp=$7 mt=$8 mok=$6
			set -- $q
			[ "$1" = "$local_scen" ] && [ "$2" = "$local_fam" ] && [ "$3" = $peer ] || continue
			if [ "$6" = yes ] && [ "$mok" = yes ]; then
				awk -v s="$local_scen" -v f="$local_fam" -v p=$peer -v pp="$7" -v mp="$mp" \
					-v pt="$8" -v mt="$mt" 'BEGIN { printf "  %-10s %-3s %-9s probes %5.1fx  time %7.1fx\n", s, f, p, pp / mp, (pt + 0.5) / (mt + 0.5) }'
			else
				echo "  $local_scen $local_fam $peer: not exact (reported ${5}), no ratio"
			fi
		done
	done
done
