#!/bin/bash
# test-kernels.sh [PKG_OR_PATH...]
#
# The kernel matrix: for every kernel of tests/kernels/kernels.list (or those
# given as arguments), fetch it (scripts/kernel-fetch.sh), boot it under qemu
# (tests/kernels/run-kernel.sh) and run the live integration tests inside.
# Prints each guest's per-test lines and its "kernel VER: N passed, N failed",
# then one closing line over all kernels:
#   test-kernels: N passed, N failed
# Exits non-zero when a kernel could not be fetched or booted, or any test
# failed in any guest.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
km_die_with_parent "$@"

# Stop the running guest when stopped ourselves: run-kernel.sh kills its qemu
# on TERM (and would get TERM anyway through its parent-death signal).
child=
stop() {
	km_log "interrupted"
	[ -n "$child" ] && kill -TERM "$child" 2>/dev/null && wait "$child" 2>/dev/null
	exit 130
}
trap stop INT TERM HUP

list=$KM_ROOT/tests/kernels/kernels.list
kernels=()
if [ $# -gt 0 ]; then
	kernels=("$@")
else
	[ -f "$list" ] || km_die "kernel list $list: missing"
	while IFS= read -r line; do
		line=${line%%#*}
		line=${line//[[:space:]]/}
		[ -n "$line" ] && kernels+=("$line")
	done <"$list"
fi
[ ${#kernels[@]} -gt 0 ] || km_die "kernel list $list: no kernels named"

# relative paths in kernels.list are relative to the repository root
cd "$KM_ROOT"
t0=$SECONDS
passed=0 failed=0 bad_kernels=()
for k in "${kernels[@]}"; do
	if ! ver=$("$KM_ROOT/scripts/kernel-fetch.sh" "$k"); then
		km_log "kernel $k: fetch failed"
		failed=$((failed + 1))
		bad_kernels+=("$k")
		continue
	fi
	rc=0
	# in the background, so that the trap above runs as soon as a signal comes
	"$KM_ROOT/tests/kernels/run-kernel.sh" "$ver" &
	child=$!
	wait "$child" || rc=$?
	child=
	# run-kernel.sh leaves "PASSED FAILED" there; a guest that never
	# reported counts one failure more (run-kernel.sh said why)
	p=0 f=0
	if [ -s "$KM_DIR/$ver.result" ]; then
		read -r p f <"$KM_DIR/$ver.result"
	fi
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$rc" -eq 0 ] || bad_kernels+=("$ver")
done

km_log "${#kernels[@]} kernel(s) in $((SECONDS - t0))s${bad_kernels[*]:+; failing: ${bad_kernels[*]}}"
echo "test-kernels: $passed passed, $failed failed"
[ ${#bad_kernels[@]} -eq 0 ] && [ "$failed" -eq 0 ]
