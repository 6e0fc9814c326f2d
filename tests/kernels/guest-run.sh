#!/bin/bash
# guest-run.sh: runs the live-command integration tests on the running kernel.
#
# Meant for the kernel-matrix guest (tests/kernels/guest-init.sh starts it),
# but runs anywhere as root: `sudo tests/kernels/guest-run.sh`.
# Runs, from the repository root:
#   - its own checks (kernel probes, `build/mxprobe features --json`);
#   - every tests/integration/live/*.sh (or $MXP_LIVE_DIR/*.sh), in name order. Each exits 0 (pass),
#     77 (skip) or anything else (fail), needs root and uses build/mxprobe.
# Prints PASS/FAIL/SKIP per test and ends with exactly
#   kernel VER: N passed, N failed
# Writes results.tsv (status, name, seconds), summary and per-test logs under
# $MXP_RESULTS_DIR when set. Exit status: 0 when nothing failed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
kver=$(uname -r)
mxprobe=${MXPROBE:-$repo/build/mxprobe}
# what tests/run-integration.sh gives the tests too (common.sh requires them)
export MXPROBE=$mxprobe MX_TOP=$repo
# Tests that start dockerd skip here (they run on the host kernel in
# `make test`); set MX_SKIP_DOCKER= (empty) to run them in the guest too.
export MX_SKIP_DOCKER=${MX_SKIP_DOCKER-"Docker tests run on the host kernel only (kernel matrix)"}
results=${MXP_RESULTS_DIR:-$(mktemp -d /tmp/mxprobe-results.XXXXXX)}
per_test_limit=${MXP_TEST_TIMEOUT:-300}
mkdir -p "$results/logs"
: >"$results/results.tsv"
passed=0 failed=0 skipped=0

[ "$(id -u)" -eq 0 ] || echo "guest-run: warning: not root, live tests will fail or skip" >&2

record() {
	# record STATUS NAME SECONDS LOG
	local status=$1 name=$2 secs=$3 logf=$4
	printf '%s\t%s\t%s\n' "$status" "$name" "$secs" >>"$results/results.tsv"
	case $status in
	PASS) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
	printf '%s %s (%ss)\n' "$status" "$name" "$secs"
	if [ "$status" = SKIP ] && [ -s "$logf" ]; then
		# the last line of a skipping test usually says why
		printf '  %s\n' "$(tail -n1 "$logf")"
	elif [ "$status" = FAIL ] && [ -s "$logf" ]; then
		tail -n 25 "$logf" | sed 's/^/  | /'
	fi
}

# run_test NAME CMD...: runs CMD with a time limit, output to a log.
run_test() {
	local name=$1 logf start rc status
	shift
	logf=$results/logs/$name.log
	mkdir -p "$(dirname "$logf")"
	start=$SECONDS
	set +e
	timeout -k 5 "$per_test_limit" "$@" </dev/null >"$logf" 2>&1
	rc=$?
	set -e
	case $rc in
	0) status=PASS ;;
	77) status=SKIP ;;
	124) status=FAIL && echo "timed out after ${per_test_limit}s" >>"$logf" ;;
	*) status=FAIL && echo "exit status $rc" >>"$logf" ;;
	esac
	record "$status" "$name" "$((SECONDS - start))" "$logf"
}

# ---- own checks --------------------------------------------------------------

# Minimum kernel for a mechanism, for the expectations below: Debian's stock
# kernels build kprobes and BTF (fentry) in; the BPF netfilter link came in 6.4.
kernel_at_least() {
	local want=$1 have=${kver%%-*}
	[ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1)" = "$want" ]
}

# kernel-probes: the guest kernel can trace inet_bind (what the bind commands
# need), independently of mxprobe: ftrace knows the function, a kprobe event
# on it can be created, and BTF is there for CO-RE.
check_kernel_probes() {
	local t=/sys/kernel/tracing
	[ -r $t/available_filter_functions ] || t=/sys/kernel/debug/tracing
	[ -r $t/available_filter_functions ] || {
		echo "tracefs not mounted: $t/available_filter_functions missing"
		return 1
	}
	grep -qw inet_bind $t/available_filter_functions || {
		echo "inet_bind not in $t/available_filter_functions"
		return 1
	}
	echo "inet_bind is traceable"
	echo 'p:mxprobe_check_inet_bind inet_bind' >>$t/kprobe_events || {
		echo "kprobe event on inet_bind refused (kprobes not built?)"
		return 1
	}
	echo '-:mxprobe_check_inet_bind' >>$t/kprobe_events
	echo "kprobe on inet_bind created and removed"
	[ -s /sys/kernel/btf/vmlinux ] || {
		echo "no /sys/kernel/btf/vmlinux (no BTF, no CO-RE, no fentry)"
		return 1
	}
	echo "BTF present"
}

# features-json: mxprobe's own feature probe agrees with what this kernel is
# known to offer. Skips (77) until build/mxprobe exists.
check_features_json() {
	local json want_nf name want got
	if [ ! -x "$mxprobe" ]; then
		echo "skip: $mxprobe not built yet"
		return 77
	fi
	command -v jq >/dev/null || {
		echo "jq missing"
		return 1
	}
	json=$("$mxprobe" features --json) || {
		echo "mxprobe features --json exited $?"
		return 1
	}
	printf '%s\n' "$json"
	want_nf=false
	kernel_at_least 6.4 && want_nf=true
	local bad=0
	for pair in kprobe:true fentry:true "netfilter_link:$want_nf"; do
		name=${pair%%:*} want=${pair#*:}
		got=$(jq -r --arg n "$name" \
			'[.features[] | select(.name == $n) | .available] | if length == 0 then "absent" else (.[0] | tostring) end' \
			<<<"$json") || {
			echo "features JSON not parseable"
			return 1
		}
		if [ "$got" = "$want" ]; then
			echo "ok: $name available=$got"
		else
			echo "mismatch: $name available=$got, expected $want on $kver"
			bad=1
		fi
	done
	return $bad
}

# timeout(1) runs programs, not functions: export them to a child bash.
export -f check_kernel_probes check_features_json kernel_at_least
export kver mxprobe
echo "guest-run: kernel $kver, repository $repo"
run_test kernel-probes bash -c check_kernel_probes
run_test features-json bash -c check_features_json
# Which mechanism each live command uses on this kernel, for the output: the
# point of the matrix is that the fallbacks really run.
if [ -x "$mxprobe" ] && command -v jq >/dev/null; then
	"$mxprobe" features --json 2>/dev/null |
		jq -r '.mechanisms | to_entries[] | "\(.key): \(.value.mechanism)"' >"$results/mechanisms" || true
fi

# ---- live integration tests ---------------------------------------------------
# MXP_LIVE_DIR (relative to the repository) picks another directory: the
# harness's own self-tests live in tests/kernels/selftest.
live_dir=${MXP_LIVE_DIR:-tests/integration/live}
shopt -s nullglob
live=("$repo/$live_dir"/*.sh)
[ ${#live[@]} -gt 0 ] || echo "guest-run: no $live_dir/*.sh yet"
for t in "${live[@]}"; do
	run_test "$(basename "$live_dir")/$(basename "$t" .sh)" bash "$t"
done

summary="kernel $kver: $passed passed, $failed failed"
printf '%s\n%s skipped\n' "$summary" "$skipped" >"$results/summary"
[ "$skipped" -gt 0 ] && echo "($skipped skipped)"
echo "$summary"
[ "$failed" -eq 0 ]
