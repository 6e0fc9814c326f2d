#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Cost of `mxprobe binds` on a bind/listen/close loop (tests/bench/bindloop.c,
# in a network namespace of its own), in one run, rounds interleaved:
#   base      nothing attached
#   filtered  mxprobe binds --port 9999: programs run, the port filter in the
#             kernel drops every event (the cost on unwatched binds)
#   watched   mxprobe binds --port 25 --json: every bind and listen is an
#             event read, formatted and written (to /dev/null)
#   bindsnoop libbpf-tools' bindsnoop, when it can attach on this kernel
#   before-f, before-w   filtered and watched with another mxprobe binary
#             (BEFORE=PATH, e.g. a build of the previous commit): a change's
#             effect measured in the same run
# The loop's CPU time (user+sys, its own work plus the programs run in its
# context) is the overhead measure: wall time on a shared 2-core machine
# mostly measures the neighbours. Then a paced run at RATE binds a second
# (default 100000) with mxprobe attached must lose no event.
#   [BEFORE=MXPROBE_OLD] tests/bench/binds.sh [MXPROBE] [N] [ROUNDS]      (root)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
mx=$(realpath "${1:-$top/build/mxprobe}")
n=${2:-200000}
rounds=${3:-5}
rate=${RATE:-100000}
tmp=$(mktemp -d "/tmp/mxb-binds-$$.XXXXXX")
mxpid=
cleanup() {
	set +e
	[ -n "$mxpid" ] && kill -9 "$mxpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" = 0 ] || { echo "binds bench: needs root" >&2; exit 1; }
gcc -O2 -Wall -o "$tmp/bindloop" "$top/tests/bench/bindloop.c"

# tracer_start CMD...: starts a tracer, waits until it is attached: our
# start line on stderr, or (bindsnoop prints only its column header, on
# stdout) its four kprobe perf events open.
tracer_start() {
	: >"$tmp/err"
	"$@" >/dev/null 2>>"$tmp/err" &
	mxpid=$!
	local i
	for ((i = 0; i < 600; i++)); do
		grep -qsE '^binds: tracing' "$tmp/err" && return 0
		if [ "$1" = "$bindsnoop" ] &&
			[ "$(find "/proc/$mxpid/fd" -lname 'anon_inode:\[perf_event\]' 2>/dev/null | wc -l)" -ge 4 ]; then
			return 0
		fi
		kill -0 "$mxpid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
tracer_stop() {
	kill -INT "$mxpid" 2>/dev/null || true
	wait "$mxpid" 2>/dev/null || true
	mxpid=
}

# loop_cpu [ARGS]: CPU seconds of one bindloop run (and its failures).
loop_cpu() {
	local line
	line=$("$tmp/bindloop" -n "$n" "$@")
	awk '{ printf "%.3f %d %.3f\n", $10 + $12, $4, $6 }' <<<"$line"
}

bindsnoop=$(command -v bindsnoop || true)
have_snoop=0
if [ -n "$bindsnoop" ] && tracer_start "$bindsnoop" -P 25; then
		tracer_stop
	have_snoop=1
elif [ -n "$bindsnoop" ]; then
	tracer_stop
	snoop_err=$(grep -m1 -E 'failed|error|Error' "$tmp/err" || true)
fi

before=${BEFORE:+$(realpath "$BEFORE")}
mech() { "$1" features --json 2>/dev/null | jq -r .mechanisms.binds.mechanism 2>/dev/null || echo '?'; }
echo "mxprobe ($mx): $(mech "$mx")"
[ -n "$before" ] && echo "before ($before): $(mech "$before")"
declare -A cpu
kinds="base filtered watched"
[ $have_snoop = 1 ] && kinds="$kinds bindsnoop"
[ -n "$before" ] && kinds="$kinds before-f before-w"
events_ok=1
for ((r = 1; r <= rounds; r++)); do
	for k in $kinds; do
		case $k in
		base) res=$(loop_cpu) ;;
		filtered | before-f)
			tracer_start "$([ $k = filtered ] && echo "$mx" || echo "$before")" binds --port 9999 ||
				{ cat "$tmp/err"; exit 1; }
			res=$(loop_cpu)
			tracer_stop
			;;
		watched | before-w)
			tracer_start "$([ $k = watched ] && echo "$mx" || echo "$before")" binds --json --port 25 ||
				{ cat "$tmp/err"; exit 1; }
			res=$(loop_cpu)
			tracer_stop
			summary=$(grep -E '^binds: [0-9]+ events' "$tmp/err" | tail -1)
			want=$((2 * n))
			if [[ $summary != "binds: $want events"*"none lost" ]]; then
				events_ok=0
				echo "round $r: expected $want events, none lost; got: $summary" >&2
			fi
			;;
		bindsnoop)
			tracer_start "$bindsnoop" -P 25 || exit 1
			res=$(loop_cpu)
			tracer_stop
			;;
		esac
		cpu[$k]+="${res%% *} "
		printf 'round %d %-9s cpu %s s  failed binds %s  wall %s s\n' "$r" "$k" $res
	done
done

median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
base=$(median "${cpu[base]}")
echo
echo "bind/listen/close loop, $n iterations, median CPU seconds of $rounds interleaved rounds:"
for k in $kinds; do
	m=$(median "${cpu[$k]}")
	printf '  %-9s %6.3f s  %7.0f ns/iteration  ratio %.3f  overhead %+.1f %%\n' "$k" "$m" \
		"$(echo "$m * 1000000000 / $n" | bc -l)" "$(echo "$m / $base" | bc -l)" \
		"$(echo "($m / $base - 1) * 100" | bc -l)"
done
[ $have_snoop = 1 ] || echo "  bindsnoop: ${bindsnoop:-not installed (libbpf-tools)}${snoop_err:+: $snoop_err}"
[ $events_ok = 1 ] && echo "  watched: every bind and listen delivered ($((2 * n)) events a round), none lost"

# Paced: RATE binds a second for 2 s with mxprobe attached and writing JSON.
paced_n=$((rate * 2))
tracer_start "$mx" binds --json --port 25 || { cat "$tmp/err"; exit 1; }
line=$("$tmp/bindloop" -n "$paced_n" -r "$rate")
tracer_stop
summary=$(grep -E '^binds: [0-9]+ events' "$tmp/err" | tail -1)
lost=$(grep -E 'lost' "$tmp/err" | tail -1)
echo
echo "paced at $rate binds/s: $(awk '{ printf "%d binds in %.3f s (%.0f/s), %d failed", $2, $6, $8, $4 }' <<<"$line")"
echo "  mxprobe: ${summary#binds: } (expected $((2 * paced_n)) events)"
[[ $summary == "binds: $((2 * paced_n)) events"*"none lost" ]] || { echo "  LOST OR MISSING EVENTS: $lost"; exit 1; }
