#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What `mxprobe trace --port 25` costs the traffic it watches. iperf3 runs
# from a client namespace through a router namespace with Docker's rule
# layout (DNAT, FORWARD -> DOCKER-USER -> DOCKER) to a server behind a
# bridge (tests/integration/lib/nattopo.sh, NT_BRIDGE=1), in one run:
#   base     no trace, iperf3 to the published port 5201
#   other    trace --port 25 attached, iperf3 to 5201 (not traced)
#   traced   trace --port 25 attached, iperf3 to 25 (every packet traced:
#            BPF records, nftables trace events, rule names, rendering)
# ROUNDS rounds of DURATION seconds each, interleaved so that the load of
# other users of the machine hits every case alike; medians and ratios.
# Goals (issue 4): other >= 97 %, traced >= 90 % of base.
#   tests/bench/trace.sh [MXPROBE]     (root)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export MXPROBE=$(realpath "${1:-$top/build/mxprobe}") MX_TOP=$top
rounds=${ROUNDS:-5}
dur=${DURATION:-4}
. "$top/tests/integration/lib/common.sh"
. "$top/tests/integration/lib/nattopo.sh"
need iperf3
need jq
NT_BRIDGE=1 NT_EXTRA_PORT=5201 NT_NO_SERVER=1 nattopo_up iptables-nft
ip netns exec "$NT_S" iperf3 -s -p 25 -D
ip netns exec "$NT_S" iperf3 -s -p 5201 -D
mx_on_exit "ip netns pids $NT_S | xargs -r kill"
sleep 0.5
tmp=/tmp/$MX_TEST_ID-bench
mx_on_exit "rm -f $tmp.*"

gbps() { # gbps PORT
	ip netns exec "$NT_C" iperf3 -c $NT_PUB -p "$1" -t "$dur" -J |
		jq '.end.sum_received.bits_per_second / 1e9'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

base=() other=() traced=()
for r in $(seq "$rounds"); do
	base+=("$(gbps 5201)")
	nt_trace_start "$tmp.out"
	other+=("$(gbps 5201)")
	traced+=("$(gbps 25)")
	nt_trace_stop
	tail -n 1 "$tmp.out" >"$tmp.summary"
	printf 'round %d: base %.2f  other %.2f  traced %.2f Gbit/s   (%s)\n' "$r" \
		"${base[-1]}" "${other[-1]}" "${traced[-1]}" "$(cat "$tmp.summary")"
done
b=$(printf '%s\n' "${base[@]}" | median)
o=$(printf '%s\n' "${other[@]}" | median)
t=$(printf '%s\n' "${traced[@]}" | median)
awk -v b="$b" -v o="$o" -v t="$t" -v r="$rounds" -v d="$dur" 'BEGIN {
	printf "trace: iperf3 through DNAT + FORWARD + bridge, median of %d x %d s\n", r, d
	printf "  no trace                 %6.2f Gbit/s\n", b
	printf "  trace on, other port     %6.2f Gbit/s  %5.1f %% (goal >= 97 %%)\n", o, 100 * o / b
	printf "  trace on, traced port    %6.2f Gbit/s  %5.1f %% (goal >= 90 %%)\n", t, 100 * t / b
}'
