#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `mxprobe ports` against `ss -tlpn` on a busy host, in the same run: a
# throwaway network namespace with NPROC processes (default 2000), each
# holding a TCP listener, a UDP socket, an unbound TCPv6 socket and two other
# fds (tests/bench/sockhold.c), and a few holders on mailcow ports so that
# the pid map has work to do. Both tools run in that namespace through
# nsenter; hyperfine when installed (medians), else RUNS timed runs of each,
# then an interleaved cross-check (the commands alternate run by run).
# Prints the ratio mxprobe / ss (goal: <= 0.5), also for the /proc fallback
# (MXPROBE_PIDMAP=procfs). Every process it starts dies with it, and the
# namespace with them, even on SIGKILL.
#   tests/bench/ports.sh [MXPROBE] [NPROC]     (root)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
mx=$(realpath "${1:-$top/build/mxprobe}")
nproc_=${2:-2000}
runs=${RUNS:-20}
tmp=$(mktemp -d "/tmp/mxb-$$.XXXXXX")
pids=()
cleanup() {
	set +e
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "ports bench: needs root" >&2; exit 1; }
gcc -O2 -o "$tmp/sockhold" "$top/tests/bench/sockhold.c"
# sockhold makes the namespace itself (unnamed: gone with its processes).
"$tmp/sockhold" "$nproc_" 20000 >"$tmp/hold.out" &
pids+=($!)
netns=/proc/${pids[0]}/ns/net
until grep -qs ready "$tmp/hold.out"; do
	kill -0 "${pids[0]}" 2>/dev/null || { echo "sockhold failed" >&2; exit 1; }
	sleep 0.2
done
nsenter --net="$netns" setpriv --pdeathsig KILL python3 "$top/tests/integration/lib/listen.py" exim4 \
	tcp,127.0.0.1,25 tcp,::,80,dual udp,0.0.0.0,443 >"$tmp/l.out" &
pids+=($!)
until grep -qs ready "$tmp/l.out"; do sleep 0.1; done

in_ns="nsenter --net=$netns"
ss_cmd="$in_ns ss -tlpn"
mx_cmd="$in_ns $mx ports"
mxp_cmd="$in_ns env MXPROBE_PIDMAP=procfs $mx ports"
nlisten=$($in_ns ss -Htln | wc -l)
procs=(/proc/[0-9]*)
nproc_all=${#procs[@]}
echo "host: $nproc_all processes, namespace: $nlisten TCP listeners, $nproc_ holders; kernel $(uname -r)"
echo "mxprobe pid map: $("$mx" features --json | jq -r '.mechanisms.ports.mechanism')"

mean_ms() { # CMD: mean wall time of RUNS runs, in ms
	local i t0 t1 sum=0
	for ((i = 0; i < 2; i++)); do $1 >/dev/null 2>&1 || true; done
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		$1 >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		sum=$((sum + t1 - t0))
	done
	echo "scale=2; $sum / $runs / 1000000" | bc
}

if command -v hyperfine >/dev/null; then
	hyperfine -N -i --warmup 3 --runs "$runs" --export-json "$tmp/h.json" \
		-n "ss -tlpn" "$ss_cmd" -n "mxprobe ports" "$mx_cmd" \
		-n "mxprobe ports (procfs)" "$mxp_cmd" >&2
	# Medians: robust against the load spikes of a shared machine.
	ss_ms=$(jq '.results[0].median * 1000' "$tmp/h.json")
	mx_ms=$(jq '.results[1].median * 1000' "$tmp/h.json")
	mxp_ms=$(jq '.results[2].median * 1000' "$tmp/h.json")
	min() { jq ".results[$1].min * 1000" "$tmp/h.json"; }
	tool="hyperfine, medians (min: ss $(printf %.1f "$(min 0)"), mxprobe $(printf %.1f "$(min 1)"), procfs $(printf %.1f "$(min 2)") ms)"
else
	ss_ms=$(mean_ms "$ss_cmd")
	mx_ms=$(mean_ms "$mx_cmd")
	mxp_ms=$(mean_ms "$mxp_cmd")
	tool="means of $runs timed runs"
fi
printf 'ss -tlpn                 %8.1f ms\n' "$ss_ms"
printf 'mxprobe ports            %8.1f ms   ratio %.2f (goal <= 0.50)\n' "$mx_ms" \
	"$(echo "$mx_ms / $ss_ms" | bc -l)"
printf 'mxprobe ports (procfs)   %8.1f ms   ratio %.2f\n' "$mxp_ms" "$(echo "$mxp_ms / $ss_ms" | bc -l)"
echo "($tool; $runs runs each)"

# Cross-check against load that shifts between hyperfine's blocks: the three
# commands alternate run by run; medians of RUNS rounds.
declare -A t=()
for ((i = 0; i < runs; i++)); do
	for k in ss mx mxp; do
		case $k in ss) c=$ss_cmd ;; mx) c=$mx_cmd ;; mxp) c=$mxp_cmd ;; esac
		t0=$(date +%s%N)
		$c >/dev/null 2>&1 || true
		t[$k]+="$((($(date +%s%N) - t0) / 1000)) "
	done
done
med() { tr ' ' '\n' <<<"${t[$1]}" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]/1000}'; }
iss=$(med ss) imx=$(med mx) imxp=$(med mxp)
printf 'interleaved medians: ss %.1f ms, mxprobe %.1f ms (ratio %.2f), procfs %.1f ms (ratio %.2f)\n' \
	"$iss" "$imx" "$(echo "$imx / $iss" | bc -l)" "$imxp" "$(echo "$imxp / $iss" | bc -l)"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
