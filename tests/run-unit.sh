#!/usr/bin/env bash
# Runs every unit test binary in DIR; cmocka prints its own per-test lines.
# Ends with one "N passed, N failed" line over all test cases.
set -uo pipefail
dir=${1:?usage: run-unit.sh DIR}
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0 bad=()
for t in "$dir"/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	# A crash prints no summary line: count the binary as a failure.
	if [ $rc -ne 0 ] && [ -z "$f" ]; then fail=$((fail + 1)); fi
	[ $rc -ne 0 ] && bad+=("$(basename "$t")")
done
echo "unit: ${pass} passed, ${fail} failed"
if [ ${#bad[@]} -gt 0 ]; then
	echo "unit: failing: ${bad[*]}" >&2
	exit 1
fi
exit 0
