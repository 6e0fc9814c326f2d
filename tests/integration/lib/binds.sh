# SPDX-License-Identifier: GPL-2.0
# Helpers for the `mxprobe binds` tests (sourced after common.sh).
#   binds_start OUT ARGS...   starts `mxprobe binds ARGS` writing to OUT, waits
#                             until its programs are attached; sets BINDS_PID
#   binds_stop                SIGINT, waits for the end record
#   binds_bpf_ids PID         prog_id/link_id lines of PID's BPF fds

binds_start() {
	local out=$1 i
	shift
	# Empty first: a start line left by an earlier run must not count.
	: >"$out.err"
	"$MXPROBE" binds "$@" >"$out" 2>>"$out.err" &
	BINDS_PID=$!
	mx_on_exit "kill -9 $BINDS_PID"
	# Attached when it says so on stderr (or dead). Retries, not a deadline:
	# a slow machine (the TCG guest) only takes longer.
	for ((i = 0; i < 600; i++)); do
		grep -qs "^binds: tracing" "$out.err" && return 0
		kill -0 "$BINDS_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$out.err" >&2
	fail "mxprobe binds $* did not start"
}

binds_stop() {
	local rc=0
	kill -INT "$BINDS_PID"
	wait "$BINDS_PID" || rc=$?
	expect_eq "$rc" 0 "mxprobe binds exit code after SIGINT"
}

binds_bpf_ids() {
	grep -h -E '^(prog_id|link_id):' /proc/"$1"/fdinfo/* 2>/dev/null | tr -d '\t' | sort -u
}

# binds_gone IDS: every prog_id:/link_id: line of IDS has disappeared from the
# kernel. Objects are freed after the last fd closes (RCU): retried a while.
binds_gone() {
	local ids=$1 line kind id i left
	for ((i = 0; i < 100; i++)); do
		left=0
		while read -r line; do
			[ -n "$line" ] || continue
			kind=${line%%_id:*} id=${line#*:}
			bpftool "$kind" show id "$id" >/dev/null 2>&1 && left=$((left + 1))
		done <<<"$ids"
		[ $left -eq 0 ] && return 0
		sleep 0.1
	done
	return 1
}
