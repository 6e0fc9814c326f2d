#!/usr/bin/env bash
# Runs the integration tests: every tests/integration/*.sh and
# tests/integration/live/*.sh (the live ones also run in the kernel matrix).
# A test exits 0 (pass), 77 (skip, with the reason on its last line) or
# anything else (fail). Needs root: tests make their own network namespaces.
# usage: run-integration.sh MXPROBE [PATTERN]
set -uo pipefail
mx=${1:?usage: run-integration.sh MXPROBE [PATTERN]}
pat=${2:-${MX_TESTS:-}}
top=$(cd "$(dirname "$0")/.." && pwd)
MXPROBE=$(cd "$(dirname "$mx")" && pwd)/$(basename "$mx")
export MXPROBE MX_TOP="$top"
if [ "$(id -u)" != 0 ]; then
	echo "integration: needs root (network namespaces, BPF); run: sudo make test" >&2
	exit 1
fi
logdir="$top/build/test-logs"
mkdir -p "$logdir"
pass=0 fail=0 skip=0 failed=()
for t in "$top"/tests/integration/*.sh "$top"/tests/integration/live/*.sh; do
	[ -f "$t" ] || continue
	name=${t#"$top"/tests/integration/}
	if [ -n "$pat" ] && [[ $name != *$pat* ]]; then continue; fi
	log="$logdir/${name//\//_}.log"
	start=$(date +%s)
	bash "$t" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0) pass=$((pass + 1)); printf 'PASS  %-40s %3ss\n' "$name" "$secs" ;;
	77) skip=$((skip + 1)); printf 'SKIP  %-40s %s\n' "$name" "$(tail -n1 "$log")" ;;
	*)
		fail=$((fail + 1)); failed+=("$name")
		printf 'FAIL  %-40s %3ss (exit %d)\n' "$name" "$secs" "$rc"
		sed 's/^/    | /' "$log" | tail -n 40
		;;
	esac
done
echo "integration: ${pass} passed, ${fail} failed, ${skip} skipped"
[ $fail -eq 0 ]
